/*
 * `inkstream cat --topic T`: prints every record of any inkstream topic as
 * one JSON line.  The decoder is picked by the schema id in the frame
 * (enriched articles, alerts; writer schemas from the local catalog or
 * the schema registry); a dead letter (or any record that is not a
 * Confluent frame) prints its headers and its original bytes, as a JSON
 * string when they are UTF-8, else base64.  Reads all partitions without
 * a consumer group, like `inkstream alerts`.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/kafka.h"
#include "cli.h"

/* Counters of one run. */
typedef struct cat_stats_s {
        uint64_t printed;
        uint64_t undecodable;
} cat_stats_t;

/* Sets \p name of \p o to the bytes (see ink_json_set_bytes()), or to
 * null when there are none (a record without key, a tombstone). */
static void set_or_null(json_t *o, const char *name, const void *p,
                        size_t len) {
        if (p)
                ink_json_set_bytes(o, name, p, len);
        else
                json_object_set_new(o, name, json_null());
}

/* A dead letter carries the inkstream.error.class header. */
static bool is_dead_letter(const rd_kafka_message_t *rkm) {
        rd_kafka_headers_t *hdrs = NULL;
        const void *v;
        size_t n;

        return !rd_kafka_message_headers(rkm, &hdrs) &&
               !rd_kafka_header_get_last(hdrs, INK_DLQ_H_CLASS, &v, &n);
}

/* @returns the headers of \p rkm as a JSON object (new reference). */
static json_t *headers_json(const rd_kafka_message_t *rkm) {
        rd_kafka_headers_t *hdrs = NULL;
        json_t *h = json_object();
        const char *name;
        const void *v;
        size_t n;

        if (rd_kafka_message_headers(rkm, &hdrs))
                return h;
        for (size_t i = 0;
             !rd_kafka_header_get_all(hdrs, i, &name, &v, &n); i++)
                ink_json_set_bytes(h, name, v, n);
        return h;
}

/* Prints record \p rkm as one JSON line on \p out.  @returns 0, or -1
 * when a framed record cannot be decoded (reason on stderr). */
static int print_record(ink_avro_t *av, const rd_kafka_message_t *rkm,
                        FILE *out) {
        json_t *o = json_object(), *v = NULL;
        rd_kafka_timestamp_type_t tstype;
        int64_t ts = rd_kafka_message_timestamp(rkm, &tstype);
        int64_t id = ink_wire_schema_id(rkm->payload, rkm->len);
        char errstr[512], *line;
        ink_record_t kind;
        int ret = 0;

        json_object_set_new(o, "topic", json_string(
                                                rd_kafka_topic_name(rkm->rkt)));
        json_object_set_new(o, "partition", json_integer(rkm->partition));
        json_object_set_new(o, "offset", json_integer(rkm->offset));
        json_object_set_new(o, "timestamp", ts >= 0 ? json_integer(ts)
                                                    : json_null());
        set_or_null(o, "key", rkm->key, rkm->key_len);
        if (is_dead_letter(rkm) || id < 0) {
                json_object_set_new(o, "kind",
                                    json_string(is_dead_letter(rkm)
                                                        ? "dead_letter"
                                                        : "raw"));
                json_object_set_new(o, "headers", headers_json(rkm));
                set_or_null(o, "value", rkm->payload, rkm->len);
        } else if (ink_avro_decode_any(av, rkm->payload, rkm->len, &kind, &v,
                                       errstr, sizeof(errstr))) {
                fprintf(stderr, "%s [%d] offset %lld: cannot decode: %s\n",
                        rd_kafka_topic_name(rkm->rkt), (int)rkm->partition,
                        (long long)rkm->offset, errstr);
                json_object_set_new(o, "kind", json_string("undecodable"));
                json_object_set_new(o, "error", json_string(errstr));
                json_object_set_new(o, "schema_id", json_integer(id));
                set_or_null(o, "value", rkm->payload, rkm->len);
                ret = -1;
        } else {
                json_object_set_new(o, "kind",
                                    json_string(ink_record_name(kind)));
                json_object_set_new(o, "schema_id", json_integer(id));
                json_object_set_new(o, "value", v);
        }
        line = json_dumps(o, JSON_COMPACT);
        fprintf(out, "%s\n", line);
        fflush(out);
        free(line);
        json_decref(o);
        return ret;
}

/* Reads every partition of conf->output_topic and prints each record
 * until \p max records (0 = no limit), the end with conf->exit_on_eof, or
 * a signal.  @returns 0, or 1 on an error or an undecodable record. */
static int cat_run(const ink_conf_t *conf, uint64_t max, FILE *out,
                   cat_stats_t *st) {
        char errstr[512];
        ink_avro_t *av = NULL;
        ink_reader_t *r;
        int ret = 1;

        if (!(r = ink_reader_open(conf, "cat", "inkstream-cat",
                                  conf->output_topic, conf->from_beginning)))
                return 1;
        if (!(av = ink_avro_new(errstr, sizeof(errstr))) ||
            ink_schemas_setup(conf, av, false, errstr, sizeof(errstr))) {
                ink_log(INK_LOG_ERR, "cat", "schemas: %s", errstr);
                goto out;
        }
        ret = 0;
        while (ink_run && !ink_reader_failed(r) &&
               (!max || st->printed < max)) {
                rd_kafka_message_t *rkm = ink_reader_next(r, 200);

                if (!rkm) {
                        if (conf->exit_on_eof && ink_reader_at_end(r))
                                break;
                        continue;
                }
                if (print_record(av, rkm, out)) {
                        st->undecodable++;
                        ret = 1;
                }
                st->printed++;
                rd_kafka_message_destroy(rkm);
        }
        if (ink_reader_failed(r))
                ret = 1;
out:
        ink_avro_destroy(av);
        ink_reader_close(r);
        return ret;
}

/* Removes "--count N" / "--count=N" from \p argv (in place) into *maxp.
 * @returns the new argc, or -1 on a bad number (printed). */
static int take_count(int argc, char **argv, uint64_t *maxp) {
        int n = 0;

        for (int i = 0; i < argc; i++) {
                const char *val = NULL;
                char *end;
                if (!strcmp(argv[i], "--count") && i + 1 < argc)
                        val = argv[++i];
                else if (!strncmp(argv[i], "--count=", 8))
                        val = argv[i] + 8;
                else if (!strcmp(argv[i], "--")) {
                        while (i < argc)
                                argv[n++] = argv[i++];
                        break;
                } else {
                        argv[n++] = argv[i];
                        continue;
                }
                *maxp = strtoull(val, &end, 10);
                if (!*val || *end || *val == '-') {
                        fprintf(stderr, "inkstream cat: --count %s: expected "
                                        "a number\n", val);
                        return -1;
                }
        }
        argv[n] = NULL;
        return n;
}

int ink_cmd_cat(int argc, char **argv) {
        static const struct option opts[] = {
                COMMON_OPTS, {"topic", required_argument, NULL, OPT_TOPIC},
                {"from-beginning", no_argument, NULL, OPT_BEGIN},
                {"exit-on-eof", no_argument, NULL, OPT_EOF},
                {NULL, 0, NULL, 0}};
        cat_stats_t st = {0};
        uint64_t max = 0;
        ink_conf_t conf;
        int r, ret;

        ink_conf_init(&conf);
        if ((argc = take_count(argc, argv, &max)) < 0) {
                ink_conf_destroy(&conf);
                return EXIT_USAGE;
        }
        if ((r = ink_cli_parse_common(argc, argv, opts, &conf,
                                      "output.topic")) ||
            optind != argc) {
                fprintf(r > 0 ? stdout : stderr,
                        "usage: inkstream cat [--brokers B] --topic T "
                        "[--from-beginning] [--exit-on-eof]\n"
                        "         [--count N]\n"
                        "Prints every record of an inkstream topic as a JSON "
                        "line: {\"topic\",\n\"partition\", \"offset\", "
                        "\"timestamp\", \"key\", \"kind\", ...}.  Avro "
                        "records (kind\nEnrichedArticle, Alert) carry "
                        "\"schema_id\" and the decoded \"value\"; dead\n"
                        "letters (kind dead_letter) and other records (raw) "
                        "carry \"headers\" and the\noriginal bytes as "
                        "\"value\" (or \"value_base64\" when not UTF-8).  "
                        "Exit\nstatus 1 if a framed record could not be "
                        "decoded (reason on stderr).\n"
                        "  --topic T          topic (default "
                        "articles.enriched)\n"
                        "  --count N          stop after N records\n"
                        "  schema.registry.url=URL (-X) fetch writer schemas "
                        "from a registry\n%s", ink_cli_common_help);
                ink_conf_destroy(&conf);
                return r > 0 ? 0 : EXIT_USAGE;
        }
        ink_install_signals();
        ret = cat_run(&conf, max, stdout, &st);
        if (st.undecodable)
                fprintf(stderr, "inkstream cat: %llu of %llu records could "
                                "not be decoded\n",
                        (unsigned long long)st.undecodable,
                        (unsigned long long)st.printed);
        ink_conf_destroy(&conf);
        return ret;
}

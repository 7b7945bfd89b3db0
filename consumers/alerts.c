/*
 * The alert reader: reads every partition of the alert topic (no consumer
 * group: it commits nothing), decodes each Avro alert (writer schemas by
 * id from the local catalog, or from the schema registry when
 * schema.registry.url is set), and prints it readably or as JSON lines.
 */
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/kafka.h"

static const char *jstr(json_t *o, const char *k) {
        const char *s = json_string_value(json_object_get(o, k));
        return s ? s : "";
}

static void print_list(FILE *out, json_t *arr) {
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v) fprintf(out, "%s%s", i ? ", " : "",
                                               json_string_value(v));
        if (!json_array_size(arr))
                fprintf(out, "-");
}

void ink_alert_print(FILE *out, const void *alert_json) {
        json_t *a = (json_t *)alert_json;

        fprintf(out, "SUMMIT %s (%s): ", jstr(a, "status"), jstr(a, "mode"));
        print_list(out, json_object_get(a, "participants"));
        fprintf(out, "\n  venues:   ");
        print_list(out, json_object_get(a, "venues"));
        fprintf(out, "\n  when:     %s", *jstr(a, "when_text")
                                               ? jstr(a, "when_text")
                                               : "-");
        if (*jstr(a, "when_date"))
                fprintf(out, " (%s)", jstr(a, "when_date"));
        fprintf(out, "\n  article:  %s [%s]%s%s\n", jstr(a, "article_title"),
                jstr(a, "article_id"), *jstr(a, "article_url") ? " " : "",
                jstr(a, "article_url"));
        fprintf(out, "  evidence: %s\n", jstr(a, "evidence"));
        fprintf(out, "  alert %s, event %s\n", jstr(a, "alert_id"),
                jstr(a, "event_key"));
}

int ink_alerts_run(const ink_conf_t *conf, FILE *out, uint64_t *countp) {
        char errstr[512];
        ink_avro_t *av = NULL;
        ink_reader_t *r;
        uint64_t count = 0;
        int ret = 1;

        if (!(r = ink_reader_open(conf, "alerts", "inkstream-alerts-reader",
                                  conf->alerts_topic,
                                  conf->from_beginning)))
                return 1;
        if (!(av = ink_avro_new(errstr, sizeof(errstr))) ||
            ink_schemas_setup(conf, av, false, errstr, sizeof(errstr))) {
                ink_log(INK_LOG_ERR, "alerts", "schemas: %s", errstr);
                goto out;
        }
        while (ink_run && !ink_reader_failed(r)) {
                rd_kafka_message_t *rkm = ink_reader_next(r, 200);
                json_t *a = NULL;

                if (!rkm) {
                        if (conf->exit_on_eof && ink_reader_at_end(r))
                                break;
                        continue;
                }
                if (ink_avro_decode_json(av, INK_REC_ALERT, rkm->payload,
                                         rkm->len, &a, errstr,
                                         sizeof(errstr))) {
                        fprintf(stderr,
                                "%s [%d] offset %lld: cannot decode: %s\n",
                                conf->alerts_topic, (int)rkm->partition,
                                (long long)rkm->offset, errstr);
                } else {
                        count++;
                        if (conf->json) {
                                char *s = json_dumps(a, JSON_COMPACT);
                                fprintf(out, "%s\n", s);
                                free(s);
                        } else {
                                ink_alert_print(out, a);
                        }
                        fflush(out);
                        json_decref(a);
                }
                rd_kafka_message_destroy(rkm);
        }
        ret = ink_reader_failed(r) ? 1 : 0;
out:
        if (countp)
                *countp = count;
        ink_avro_destroy(av);
        ink_reader_close(r);
        return ret;
}

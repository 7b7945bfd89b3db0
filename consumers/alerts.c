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

/* Assigns every partition of \p topic from the start or the end (errors
 * logged). */
int ink_assign_all(rd_kafka_t *rk, const char *topic, bool beginning,
                   int *npartsp) {
        const rd_kafka_metadata_t *md = NULL;
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
        rd_kafka_topic_partition_list_t *l;
        rd_kafka_resp_err_t err;
        int tries = 0;

        /* a new topic may take a moment to show its partitions */
        do {
                if (md)
                        rd_kafka_metadata_destroy(md);
                err = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
        } while (!err && ink_run && ++tries < 20 &&
                 (md->topic_cnt != 1 || md->topics[0].partition_cnt == 0) &&
                 (rd_kafka_poll(rk, 250), 1));
        rd_kafka_topic_destroy(rkt);
        if (err) {
                ink_log(INK_LOG_ERR, "consumer", "metadata for %s: %s", topic,
                        rd_kafka_err2str(err));
                return -1;
        }
        if (md->topic_cnt != 1 || md->topics[0].err ||
            md->topics[0].partition_cnt == 0) {
                ink_log(INK_LOG_ERR, "consumer", "topic %s: %s", topic,
                        md->topic_cnt ? rd_kafka_err2str(md->topics[0].err)
                                      : "not found");
                rd_kafka_metadata_destroy(md);
                return -1;
        }
        l = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
        for (int i = 0; i < md->topics[0].partition_cnt; i++)
                rd_kafka_topic_partition_list_add(
                        l, topic, md->topics[0].partitions[i].id)
                        ->offset = beginning ? RD_KAFKA_OFFSET_BEGINNING
                                             : RD_KAFKA_OFFSET_END;
        *npartsp = md->topics[0].partition_cnt;
        rd_kafka_metadata_destroy(md);
        err = rd_kafka_assign(rk, l);
        rd_kafka_topic_partition_list_destroy(l);
        if (err) {
                ink_log(INK_LOG_ERR, "consumer", "assign: %s",
                        rd_kafka_err2str(err));
                return -1;
        }
        return 0;
}

/* Wrong credentials do not heal: say so and stop. */
static void alerts_error_cb(rd_kafka_t *rk, int err, const char *reason,
                            void *opaque) {
        volatile bool *fatal = opaque;

        (void)rk;
        if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
            err == RD_KAFKA_RESP_ERR__FATAL) {
                ink_log(INK_LOG_ERR, "alerts", "%s: %s",
                        err == RD_KAFKA_RESP_ERR__FATAL ? "fatal error"
                                                        : "authentication "
                                                          "failed",
                        reason);
                *fatal = true;
        }
}

int ink_alerts_run(const ink_conf_t *conf, FILE *out, uint64_t *countp) {
        volatile bool fatal = false; /* set by alerts_error_cb */
        char errstr[512];
        rd_kafka_conf_t *kc = ink_conf_kafka(conf, errstr, sizeof(errstr));
        ink_avro_t *av = NULL;
        rd_kafka_t *rk = NULL;
        int nparts = 0, neof = 0, ret = 1;
        bool *at_eof = NULL;
        uint64_t count = 0;

        if (!kc) {
                ink_log(INK_LOG_ERR, "alerts", "%s", errstr);
                return 1;
        }
        if (rd_kafka_conf_set(kc, "enable.partition.eof", "true", errstr,
                              sizeof(errstr)) != RD_KAFKA_CONF_OK ||
            rd_kafka_conf_set(kc, "group.id", "inkstream-alerts-reader",
                              errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK ||
            rd_kafka_conf_set(kc, "enable.auto.commit", "false", errstr,
                              sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                ink_log(INK_LOG_ERR, "alerts", "%s", errstr);
                rd_kafka_conf_destroy(kc);
                return 1;
        }
        rd_kafka_conf_set_error_cb(kc, alerts_error_cb);
        rd_kafka_conf_set_opaque(kc, (void *)&fatal);
        if (!(rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, errstr,
                                sizeof(errstr)))) {
                ink_log(INK_LOG_ERR, "alerts", "%s", errstr);
                rd_kafka_conf_destroy(kc);
                return 1;
        }
        rd_kafka_poll_set_consumer(rk);
        if (!(av = ink_avro_new(errstr, sizeof(errstr))) ||
            ink_schemas_setup(conf, av, false, errstr, sizeof(errstr))) {
                ink_log(INK_LOG_ERR, "alerts", "schemas: %s", errstr);
                goto out;
        }
        if (ink_assign_all(rk, conf->alerts_topic, conf->from_beginning,
                       &nparts))
                goto out;
        at_eof = ink_calloc((size_t)nparts, sizeof(*at_eof));
        while (ink_run && !fatal) {
                rd_kafka_message_t *rkm = rd_kafka_consumer_poll(rk, 200);
                json_t *a = NULL;

                if (!rkm)
                        continue;
                if (rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                        if (rkm->partition < nparts &&
                            !at_eof[rkm->partition]) {
                                at_eof[rkm->partition] = true;
                                neof++;
                        }
                        rd_kafka_message_destroy(rkm);
                        if (conf->exit_on_eof && neof >= nparts)
                                break;
                        continue;
                }
                if (rkm->partition < nparts && at_eof[rkm->partition]) {
                        at_eof[rkm->partition] = false;
                        neof--;
                }
                if (rkm->err) {
                        ink_log(INK_LOG_WARNING, "alerts", "%s",
                                rd_kafka_message_errstr(rkm));
                } else if (ink_avro_decode_json(av, INK_REC_ALERT,
                                                rkm->payload, rkm->len, &a,
                                                errstr, sizeof(errstr))) {
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
        ret = fatal ? 1 : 0;
out:
        if (countp)
                *countp = count;
        free(at_eof);
        ink_avro_destroy(av);
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
        return ret;
}

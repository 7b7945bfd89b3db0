/*
 * The delivery loop: a consumer group over the alert topics.  Each record
 * is decoded to JSON and handed to the sinks in turn (the live page, then
 * the webhook); its offset is stored for commit only once every sink took
 * it, or once it is safely in the dead-letter topic.  Processing is
 * synchronous on the poll thread, so the stored offset of a partition is
 * always the one after the last finished alert: at-least-once, and after a
 * clean stop (consumer close commits) a restart sends nothing twice.
 */
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/registry.h"
#include "ink/delivery.h"

/* The state of one run. */
typedef struct sink_s {
        const ink_conf_t *conf;
        const char *dlq_topic;
        rd_kafka_t *rk;                 /* consumer */
        rd_kafka_t *rkp;                /* dead-letter producer */
        ink_avro_t *av;
        ink_webhook_t *wh;
        ink_alert_page_t *pg;
        ink_delivery_stats_t *stats;
        /* partitions at their end, for exit.on.eof */
        rd_kafka_topic_partition_list_t *eof;
} sink_t;

/* Delivery report of a dead letter: records the error in the int the
 * opaque points to. */
static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm,
                  void *opaque) {
        (void)rk;
        (void)opaque;
        if (rkm->_private)
                *(rd_kafka_resp_err_t *)rkm->_private = rkm->err;
}

/* Sets \p key to \p val unless the operator set it with kafka.*.
 * @returns 0 or -1 with \p errstr. */
static int set_default(const ink_conf_t *conf, rd_kafka_conf_t *kc,
                       const char *key, const char *val, char *errstr,
                       size_t errstr_size) {
        for (size_t i = 0; i < conf->nkafka; i++)
                if (!strcmp(conf->kafka[i].key, key))
                        return 0;
        return rd_kafka_conf_set(kc, key, val, errstr, errstr_size) ==
                               RD_KAFKA_CONF_OK
                       ? 0
                       : -1;
}

/* Creates the consumer (subscribed) and the dead-letter producer.
 * @returns 0 or -1 (logged). */
static int open_clients(sink_t *s, const char *group) {
        char errstr[512], num[32];
        rd_kafka_conf_t *kc = ink_conf_kafka(s->conf, errstr, sizeof(errstr));
        rd_kafka_topic_partition_list_t *topics;
        rd_kafka_resp_err_t err;
        char *list, *tok, *save = NULL;

        if (!kc)
                goto fail;
        snprintf(num, sizeof(num), "%d", s->conf->commit_interval_ms);
        if (rd_kafka_conf_set(kc, "group.id", group, errstr,
                              sizeof(errstr)) != RD_KAFKA_CONF_OK ||
            rd_kafka_conf_set(kc, "enable.auto.offset.store", "false",
                              errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK ||
            rd_kafka_conf_set(kc, "enable.partition.eof",
                              s->conf->exit_on_eof ? "true" : "false",
                              errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK ||
            set_default(s->conf, kc, "enable.auto.commit", "true", errstr,
                        sizeof(errstr)) ||
            set_default(s->conf, kc, "auto.commit.interval.ms", num, errstr,
                        sizeof(errstr)) ||
            set_default(s->conf, kc, "auto.offset.reset", "earliest", errstr,
                        sizeof(errstr)) ||
            /* eager, not cooperative-sticky: librdkafka 2.0.2 closes a
             * cooperative member without LeaveGroup, so a restart would
             * wait session.timeout.ms before it gets its partitions */
            set_default(s->conf, kc, "partition.assignment.strategy",
                        "range", errstr, sizeof(errstr)))
                goto fail;
        if (!(s->rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, errstr,
                                   sizeof(errstr))))
                goto fail;
        kc = NULL;
        rd_kafka_poll_set_consumer(s->rk);
        topics = rd_kafka_topic_partition_list_new(1);
        list = ink_strdup(s->conf->alerts_topic);
        for (tok = strtok_r(list, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save))
                if (*tok)
                        rd_kafka_topic_partition_list_add(
                                topics, tok, RD_KAFKA_PARTITION_UA);
        free(list);
        err = rd_kafka_subscribe(s->rk, topics);
        rd_kafka_topic_partition_list_destroy(topics);
        if (err) {
                snprintf(errstr, sizeof(errstr), "subscribe to %s: %s",
                         s->conf->alerts_topic, rd_kafka_err2str(err));
                goto fail;
        }
        if (!(kc = ink_conf_kafka(s->conf, errstr, sizeof(errstr))))
                goto fail;
        rd_kafka_conf_set_dr_msg_cb(kc, dr_cb);
        if (set_default(s->conf, kc, "enable.idempotence", "true", errstr,
                        sizeof(errstr)) ||
            !(s->rkp = rd_kafka_new(RD_KAFKA_PRODUCER, kc, errstr,
                                    sizeof(errstr))))
                goto fail;
        return 0;
fail:
        if (kc)
                rd_kafka_conf_destroy(kc);
        ink_log(INK_LOG_ERR, "delivery", "%s", errstr);
        return -1;
}

/* Writes \p rkm to the dead-letter topic with the reason (and the HTTP
 * response when \p res is set) and waits for the broker's ack.
 * @returns 0, or -1 if it could not be written (logged). */
static int dead_letter(sink_t *s, const rd_kafka_message_t *rkm,
                       const char *err_class, const char *reason,
                       const ink_webhook_result_t *res) {
        rd_kafka_resp_err_t dr = RD_KAFKA_RESP_ERR__IN_PROGRESS, err;
        rd_kafka_headers_t *in = NULL, *hdrs;
        char num[32];

        if (rd_kafka_message_headers(rkm, &in) == RD_KAFKA_RESP_ERR_NO_ERROR
            && in)
                hdrs = rd_kafka_headers_copy(in);
        else
                hdrs = rd_kafka_headers_new(10);
        rd_kafka_header_add(hdrs, INK_DLQ_H_CLASS, -1, err_class, -1);
        rd_kafka_header_add(hdrs, INK_DLQ_H_REASON, -1, reason, -1);
        rd_kafka_header_add(hdrs, INK_DLQ_H_STAGE, -1,
                            res ? "webhook" : "decode", -1);
        rd_kafka_header_add(hdrs, INK_DLQ_H_TOPIC, -1,
                            rd_kafka_topic_name(rkm->rkt), -1);
        snprintf(num, sizeof(num), "%d", (int)rkm->partition);
        rd_kafka_header_add(hdrs, INK_DLQ_H_PARTITION, -1, num, -1);
        snprintf(num, sizeof(num), "%lld", (long long)rkm->offset);
        rd_kafka_header_add(hdrs, INK_DLQ_H_OFFSET, -1, num, -1);
        snprintf(num, sizeof(num), "%lld", (long long)ink_now_ms());
        rd_kafka_header_add(hdrs, INK_DLQ_H_TIME, -1, num, -1);
        if (res) {
                snprintf(num, sizeof(num), "%ld", res->status);
                rd_kafka_header_add(hdrs, INK_DLQ_H_HTTP_STATUS, -1, num,
                                    -1);
                rd_kafka_header_add(hdrs, INK_DLQ_H_HTTP_BODY, -1, res->body,
                                    -1);
        }
        err = ink_produce(s->rkp, s->dlq_topic, rkm->key, rkm->key_len,
                          rkm->payload, rkm->len, hdrs, &dr);
        if (!err) {
                rd_kafka_flush(s->rkp, 30000);
                err = dr;
        }
        if (err) {
                ink_log(INK_LOG_ERR, "delivery",
                        "dead letter to %s failed: %s", s->dlq_topic,
                        rd_kafka_err2str(err));
                return -1;
        }
        s->stats->dead_letters++;
        return 0;
}

/* Delivers one record to every sink.
 * @returns 0 when its offset may be stored, -1 to stop without it. */
static int deliver(sink_t *s, const rd_kafka_message_t *rkm) {
        char errstr[512], reason[600];
        ink_webhook_result_t res;
        json_t *a = NULL;
        int ret = 0;
        ink_rc_t rc;

        if (ink_avro_decode_json(s->av, INK_REC_ALERT, rkm->payload, rkm->len,
                                 &a, errstr, sizeof(errstr))) {
                ink_log(INK_LOG_WARNING, "delivery",
                        "%s [%d] offset %lld: cannot decode: %s",
                        rd_kafka_topic_name(rkm->rkt), (int)rkm->partition,
                        (long long)rkm->offset, errstr);
                return dead_letter(s, rkm, ink_rc_name(INK_ERR_SCHEMA),
                                   errstr, NULL);
        }
        if (s->pg)
                ink_alert_page_publish(s->pg, a);
        if (s->wh) {
                rc = ink_webhook_deliver(s->wh, a, &res);
                if (res.attempts > 1)
                        s->stats->retries += (uint64_t)res.attempts - 1;
                if (rc == INK_ERR_INVALID) {
                        snprintf(reason, sizeof(reason),
                                 "webhook refused the alert: %s",
                                 res.errstr);
                        ink_log(INK_LOG_WARNING, "delivery",
                                "alert %s: %s; to %s",
                                json_string_value(
                                        json_object_get(a, "alert_id")),
                                reason, s->dlq_topic);
                        ret = dead_letter(s, rkm, "webhook_refused", reason,
                                          &res);
                        goto out;
                }
                if (rc != INK_OK) {
                        if (ink_run)
                                ink_log(INK_LOG_ERR, "delivery",
                                        "alert %s not delivered after %d "
                                        "attempts (%s); stopping without "
                                        "committing it",
                                        json_string_value(json_object_get(
                                                a, "alert_id")),
                                        res.attempts, res.errstr);
                        ret = -1;
                        goto out;
                }
        }
        s->stats->delivered++;
out:
        json_decref(a);
        return ret;
}

/* Marks partition \p rkm at its end (or not, when \p at_end is false).
 * @returns true when every assigned partition is at its end. */
static bool mark_eof(sink_t *s, const rd_kafka_message_t *rkm, bool at_end) {
        rd_kafka_topic_partition_list_t *asg = NULL;
        rd_kafka_topic_partition_t *p;
        const char *topic = rd_kafka_topic_name(rkm->rkt);
        bool all = true;

        p = rd_kafka_topic_partition_list_find(s->eof, topic, rkm->partition);
        if (at_end && !p)
                rd_kafka_topic_partition_list_add(s->eof, topic,
                                                  rkm->partition);
        else if (!at_end && p)
                rd_kafka_topic_partition_list_del(s->eof, topic,
                                                  rkm->partition);
        if (!at_end || rd_kafka_assignment(s->rk, &asg))
                return false;
        for (int i = 0; i < asg->cnt; i++)
                if (!rd_kafka_topic_partition_list_find(
                            s->eof, asg->elems[i].topic,
                            asg->elems[i].partition))
                        all = false;
        all = all && asg->cnt > 0;
        rd_kafka_topic_partition_list_destroy(asg);
        return all;
}

int ink_alert_sink_run(const ink_conf_t *conf, const ink_delivery_conf_t *dc,
                       ink_delivery_stats_t *stats) {
        ink_delivery_stats_t local;
        char errstr[512];
        sink_t s;
        int ret = 1;

        memset(&s, 0, sizeof(s));
        memset(&local, 0, sizeof(local));
        s.conf = conf;
        s.stats = stats ? stats : &local;
        memset(s.stats, 0, sizeof(*s.stats));
        s.dlq_topic = dc->dlq_topic ? dc->dlq_topic : INK_ALERTS_DLQ_DEFAULT;
        s.eof = rd_kafka_topic_partition_list_new(4);
        if (!(s.av = ink_avro_new(errstr, sizeof(errstr))) ||
            ink_schemas_setup(conf, s.av, false, errstr, sizeof(errstr)) ||
            (dc->webhook.url &&
             !(s.wh = ink_webhook_new(&dc->webhook, errstr, sizeof(errstr))))
            || (dc->serve_addr &&
                !(s.pg = ink_alert_page_new(dc->serve_addr, dc->history,
                                            errstr, sizeof(errstr))))) {
                ink_log(INK_LOG_ERR, "delivery", "%s", errstr);
                goto out;
        }
        if (s.pg)
                ink_log(INK_LOG_NOTICE, "delivery",
                        "alert page on http://%.*s:%d/",
                        (int)strcspn(dc->serve_addr, ":"), dc->serve_addr,
                        ink_alert_page_port(s.pg));
        if (open_clients(&s, dc->group))
                goto out;
        while (ink_run) {
                rd_kafka_message_t *rkm = rd_kafka_consumer_poll(s.rk, 100);
                rd_kafka_topic_partition_list_t *off;

                rd_kafka_poll(s.rkp, 0);
                if (!rkm)
                        continue;
                if (rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                        bool done = mark_eof(&s, rkm, true);
                        rd_kafka_message_destroy(rkm);
                        if (done)
                                break;
                        continue;
                }
                if (rkm->err) {
                        ink_log(INK_LOG_WARNING, "delivery", "%s",
                                rd_kafka_message_errstr(rkm));
                        rd_kafka_message_destroy(rkm);
                        continue;
                }
                if (conf->exit_on_eof)
                        mark_eof(&s, rkm, false);
                s.stats->consumed++;
                if (deliver(&s, rkm)) {
                        rd_kafka_message_destroy(rkm);
                        if (ink_run)
                                goto out;
                        break;
                }
                off = rd_kafka_topic_partition_list_new(1);
                rd_kafka_topic_partition_list_add(
                        off, rd_kafka_topic_name(rkm->rkt), rkm->partition)
                        ->offset = rkm->offset + 1;
                rd_kafka_offsets_store(s.rk, off);
                rd_kafka_topic_partition_list_destroy(off);
                rd_kafka_message_destroy(rkm);
        }
        ret = 0;
out:
        /* closing commits the stored offsets (auto-commit), so a clean
         * stop leaves nothing to deliver twice */
        if (s.rk) {
                rd_kafka_consumer_close(s.rk);
                rd_kafka_destroy(s.rk);
        }
        if (s.rkp) {
                rd_kafka_flush(s.rkp, 10000);
                rd_kafka_destroy(s.rkp);
        }
        ink_webhook_destroy(s.wh);
        ink_alert_page_destroy(s.pg);
        ink_avro_destroy(s.av);
        rd_kafka_topic_partition_list_destroy(s.eof);
        ink_log(INK_LOG_INFO, "delivery",
                "consumed %llu, delivered %llu, dead letters %llu, "
                "retries %llu",
                (unsigned long long)s.stats->consumed,
                (unsigned long long)s.stats->delivered,
                (unsigned long long)s.stats->dead_letters,
                (unsigned long long)s.stats->retries);
        return ret;
}

/*
 * Producing with backpressure, and the dead-letter envelope: the input's
 * original bytes and headers, plus headers naming the error.
 */
#include <stdio.h>
#include <string.h>

#include "ink/kafka.h"

rd_kafka_resp_err_t ink_produce(rd_kafka_t *rkp, const char *topic,
                                const void *key, size_t keylen,
                                const void *value, size_t len,
                                rd_kafka_headers_t *hdrs, void *opaque) {
        rd_kafka_resp_err_t err;

        for (;;) {
                /* producev takes ownership of hdrs only on success */
                rd_kafka_headers_t *h = hdrs ? rd_kafka_headers_copy(hdrs)
                                             : NULL;
                err = rd_kafka_producev(
                        rkp, RD_KAFKA_V_TOPIC(topic),
                        RD_KAFKA_V_KEY(key, keylen),
                        RD_KAFKA_V_VALUE((void *)value, len),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                        RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_OPAQUE(opaque),
                        RD_KAFKA_V_END);
                if (err && h)
                        rd_kafka_headers_destroy(h);
                if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || !ink_run)
                        break;
                /* backpressure: serve delivery reports, then retry */
                rd_kafka_poll(rkp, 100);
        }
        if (hdrs)
                rd_kafka_headers_destroy(hdrs);
        return err;
}

rd_kafka_resp_err_t ink_dlq_produce(rd_kafka_t *rkp, const char *topic,
                                    const rd_kafka_message_t *rkm,
                                    const char *err_class,
                                    const char *reason, const char *stage,
                                    void *opaque) {
        rd_kafka_headers_t *in = NULL, *hdrs;
        char num[32];

        if (rd_kafka_message_headers(rkm, &in) == RD_KAFKA_RESP_ERR_NO_ERROR
            && in)
                hdrs = rd_kafka_headers_copy(in);
        else
                hdrs = rd_kafka_headers_new(8);
        rd_kafka_header_add(hdrs, INK_DLQ_H_CLASS, -1, err_class, -1);
        rd_kafka_header_add(hdrs, INK_DLQ_H_REASON, -1, reason, -1);
        rd_kafka_header_add(hdrs, INK_DLQ_H_STAGE, -1, stage, -1);
        rd_kafka_header_add(hdrs, INK_DLQ_H_TOPIC, -1,
                            rd_kafka_topic_name(rkm->rkt), -1);
        snprintf(num, sizeof(num), "%d", (int)rkm->partition);
        rd_kafka_header_add(hdrs, INK_DLQ_H_PARTITION, -1, num, -1);
        snprintf(num, sizeof(num), "%lld", (long long)rkm->offset);
        rd_kafka_header_add(hdrs, INK_DLQ_H_OFFSET, -1, num, -1);
        snprintf(num, sizeof(num), "%lld", (long long)ink_now_ms());
        rd_kafka_header_add(hdrs, INK_DLQ_H_TIME, -1, num, -1);
        return ink_produce(rkp, topic, rkm->key, rkm->key_len, rkm->payload,
                           rkm->len, hdrs, opaque);
}

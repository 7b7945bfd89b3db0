/*
 * Producing with backpressure, and the dead-letter envelope: the input's
 * original bytes and headers, plus headers naming the error.
 */
#include <stdbool.h>
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

/* @returns the headers of a dead letter of \p rkm (owned by caller):
 * the input's own headers when \p keep_input, then the error headers;
 * \p cut marks a value cut from the input's rkm->len bytes. */
static rd_kafka_headers_t *dlq_headers(const rd_kafka_message_t *rkm,
                                       bool keep_input,
                                       const char *err_class,
                                       const char *reason, const char *stage,
                                       bool cut) {
        rd_kafka_headers_t *in = NULL, *hdrs;
        char num[32];

        if (keep_input &&
            rd_kafka_message_headers(rkm, &in) == RD_KAFKA_RESP_ERR_NO_ERROR
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
        if (cut) {
                snprintf(num, sizeof(num), "%zu", rkm->len);
                rd_kafka_header_add(hdrs, INK_DLQ_H_TRUNCATED, -1, num, -1);
        }
        return hdrs;
}

/* @returns at most \p max, backed off so that the first \p n bytes of \p p
 * do not end inside a UTF-8 character. */
static size_t utf8_cut(const unsigned char *p, size_t len, size_t max) {
        size_t n = len < max ? len : max;

        if (n == len)
                return n;
        for (int back = 0; back < 3 && n > 0 && (p[n] & 0xc0) == 0x80; back++)
                n--;
        return n;
}

rd_kafka_resp_err_t ink_dlq_produce(rd_kafka_t *rkp, const char *topic,
                                    const rd_kafka_message_t *rkm,
                                    const char *err_class,
                                    const char *reason, const char *stage,
                                    void *opaque) {
        static const size_t cuts[] = {INK_DLQ_CUT_BYTES, 4096};
        rd_kafka_resp_err_t err;
        char why[1400];

        err = ink_produce(rkp, topic, rkm->key, rkm->key_len, rkm->payload,
                          rkm->len, dlq_headers(rkm, true, err_class, reason,
                                                stage, false),
                          opaque);
        /* too large for the producer: keep the reason and a readable
         * head of the value; the whole record stays at its source */
        for (size_t i = 0;
             err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE &&
             i < sizeof(cuts) / sizeof(*cuts);
             i++) {
                size_t n = rkm->payload ? utf8_cut(rkm->payload, rkm->len,
                                                   cuts[i])
                                        : 0;
                snprintf(why, sizeof(why),
                         "%s (dead letter cut to %zu of %zu bytes; the whole "
                         "record is at %s [%d] offset %lld)",
                         reason, n, rkm->len, rd_kafka_topic_name(rkm->rkt),
                         (int)rkm->partition, (long long)rkm->offset);
                bool key_fits = rkm->key_len < cuts[i];

                err = ink_produce(rkp, topic, key_fits ? rkm->key : NULL,
                                  key_fits ? rkm->key_len : 0,
                                  rkm->payload, n,
                                  dlq_headers(rkm, i == 0, err_class, why,
                                              stage, true),
                                  opaque);
        }
        return err;
}

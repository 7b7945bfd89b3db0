/*
 * Topic reader: the consumer behind `inkstream cat`, `alerts` and `dlq`.
 *
 * These tools read every partition of one topic without joining a
 * consumer group (no rebalance wait, no committed offsets), from the
 * start or the end, and may stop once every partition is at its end.
 * The reader keeps that bookkeeping (which partitions are at their end)
 * and turns the errors that do not heal (authentication, a fatal client
 * error) into a stop, so that each tool only handles its records.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ink/codec.h"
#include "ink/core.h"
#include "ink/kafka.h"

struct ink_reader_s {
        rd_kafka_t *rk;
        const char *who;        /* log subsystem (borrowed literal) */
        bool *at_eof;           /* per partition */
        int nparts;
        int neof;               /* partitions at their end */
        volatile bool failed;   /* set by reader_error_cb */
};

/* Wrong credentials and fatal client errors do not heal: log them and
 * mark the reader failed. */
static void reader_error_cb(rd_kafka_t *rk, int err, const char *reason,
                            void *opaque) {
        ink_reader_t *r = opaque;

        (void)rk;
        if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
            err == RD_KAFKA_RESP_ERR__FATAL) {
                ink_log(INK_LOG_ERR, r->who, "%s: %s",
                        err == RD_KAFKA_RESP_ERR__FATAL
                                ? "fatal error"
                                : "authentication failed",
                        reason);
                r->failed = true;
        }
}

/* Assigns every partition of \p topic to consumer \p rk from the start
 * or the end; *\p npartsp gets their number.  @returns 0 or -1 (logged
 * under \p who). */
static int assign_all(rd_kafka_t *rk, const char *who, const char *topic,
                      bool beginning, int *npartsp) {
        const rd_kafka_metadata_t *md = NULL;
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
        rd_kafka_topic_partition_list_t *l;
        rd_kafka_resp_err_t err;
        int tries = 0;

        if (!rkt) {
                ink_log(INK_LOG_ERR, who, "topic %.64s%s: %s", topic,
                        strlen(topic) > 64 ? "..." : "",
                        rd_kafka_err2str(rd_kafka_last_error()));
                return -1;
        }
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
                ink_log(INK_LOG_ERR, who, "metadata for %s: %s", topic,
                        rd_kafka_err2str(err));
                return -1;
        }
        if (md->topic_cnt != 1 || md->topics[0].err ||
            md->topics[0].partition_cnt == 0) {
                ink_log(INK_LOG_ERR, who, "topic %s: %s", topic,
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
                ink_log(INK_LOG_ERR, who, "assign %s: %s", topic,
                        rd_kafka_err2str(err));
                return -1;
        }
        return 0;
}

ink_reader_t *ink_reader_open(const ink_conf_t *conf, const char *who,
                              const char *group_id, const char *topic,
                              bool beginning) {
        char errstr[512];
        rd_kafka_conf_t *kc = ink_conf_kafka(conf, errstr, sizeof(errstr));
        ink_reader_t *r;

        if (!kc) {
                ink_log(INK_LOG_ERR, who, "%s", errstr);
                return NULL;
        }
        if (rd_kafka_conf_set(kc, "enable.partition.eof", "true", errstr,
                              sizeof(errstr)) != RD_KAFKA_CONF_OK ||
            rd_kafka_conf_set(kc, "group.id", group_id, errstr,
                              sizeof(errstr)) != RD_KAFKA_CONF_OK ||
            rd_kafka_conf_set(kc, "enable.auto.commit", "false", errstr,
                              sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                ink_log(INK_LOG_ERR, who, "%s", errstr);
                rd_kafka_conf_destroy(kc);
                return NULL;
        }
        r = ink_calloc(1, sizeof(*r));
        r->who = who;
        rd_kafka_conf_set_error_cb(kc, reader_error_cb);
        rd_kafka_conf_set_opaque(kc, r);
        if (!(r->rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, errstr,
                                   sizeof(errstr)))) {
                ink_log(INK_LOG_ERR, who, "%s", errstr);
                rd_kafka_conf_destroy(kc);
                free(r);
                return NULL;
        }
        rd_kafka_poll_set_consumer(r->rk);
        if (assign_all(r->rk, who, topic, beginning, &r->nparts)) {
                ink_reader_close(r);
                return NULL;
        }
        r->at_eof = ink_calloc((size_t)r->nparts, sizeof(*r->at_eof));
        return r;
}

rd_kafka_message_t *ink_reader_next(ink_reader_t *r, int timeout_ms) {
        rd_kafka_message_t *rkm = rd_kafka_consumer_poll(r->rk, timeout_ms);

        if (!rkm)
                return NULL;
        if (rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                if (rkm->partition >= 0 && rkm->partition < r->nparts &&
                    !r->at_eof[rkm->partition]) {
                        r->at_eof[rkm->partition] = true;
                        r->neof++;
                }
                rd_kafka_message_destroy(rkm);
                return NULL;
        }
        if (rkm->partition >= 0 && rkm->partition < r->nparts &&
            r->at_eof[rkm->partition]) {
                r->at_eof[rkm->partition] = false;
                r->neof--;
        }
        if (rkm->err) {
                ink_log(INK_LOG_WARNING, r->who, "%s",
                        rd_kafka_message_errstr(rkm));
                rd_kafka_message_destroy(rkm);
                return NULL;
        }
        return rkm;
}

bool ink_reader_at_end(const ink_reader_t *r) {
        return r->neof >= r->nparts;
}

bool ink_reader_failed(const ink_reader_t *r) {
        return r->failed;
}

void ink_reader_close(ink_reader_t *r) {
        if (!r)
                return;
        rd_kafka_consumer_close(r->rk);
        rd_kafka_destroy(r->rk);
        free(r->at_eof);
        free(r);
}

/*---- Bytes as JSON --------------------------------------------------------*/

/* @returns the base64 text of \p len bytes at \p p (owned by caller). */
static char *base64(const unsigned char *p, size_t len) {
        static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "abcdefghijklmnopqrstuvwxyz0123456789+/";
        char *out = ink_malloc((len + 2) / 3 * 4 + 1), *o = out;

        for (size_t i = 0; i < len; i += 3) {
                uint32_t v = (uint32_t)p[i] << 16;
                if (i + 1 < len)
                        v |= (uint32_t)p[i + 1] << 8;
                if (i + 2 < len)
                        v |= p[i + 2];
                *o++ = tab[(v >> 18) & 63];
                *o++ = tab[(v >> 12) & 63];
                *o++ = i + 1 < len ? tab[(v >> 6) & 63] : '=';
                *o++ = i + 2 < len ? tab[v & 63] : '=';
        }
        *o = '\0';
        return out;
}

void ink_json_set_bytes(json_t *o, const char *name, const void *p,
                        size_t len) {
        char b64name[128];
        char *b;

        if (!p)
                return;
        if (ink_utf8_invalid_at(p, len) < 0) {
                json_object_set_new(o, name, json_stringn(p, len));
                return;
        }
        snprintf(b64name, sizeof(b64name), "%s_base64", name);
        b = base64(p, len);
        json_object_set_new(o, b64name, json_string(b));
        free(b);
}

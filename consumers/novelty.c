/*
 * The novelty processor: decides whether a candidate summit event is new,
 * a status update of a known one, or a repeat (include/ink/novelty.h).
 *
 * Topology (docs/ALERTS.md): the workers produce candidates to the events
 * topic keyed by event key; this processor consumes it in its own group.
 * Each assigned partition owns a store (a hash table event key -> state)
 * that is rebuilt, on assignment, by reading the same partition of the
 * compacted changelog topic to its end.  Every candidate writes the new
 * state of its key to the changelog (same partition) and, when it is new
 * or an update, an alert to the output topic.  Offsets are committed every
 * commit.interval.ms, when partitions are revoked and at the end, each
 * time only after the producer has flushed every output and changelog
 * record (at-least-once): a crash replays candidates whose effects may
 * already be in the changelog, which then makes them repeats.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/novelty.h"
#include "ink/registry.h"

#define NV "novelty"

/*---- Decision and state codec ---------------------------------------------*/

/** @returns true if \p st is a change of plan (postponed, cancelled). */
static int change_of_plan(int st) {
        return st == INK_STATUS_POSTPONED || st == INK_STATUS_CANCELLED;
}

ink_novelty_action_t ink_novelty_decide(const ink_novelty_state_t *prev,
                                        int status, int64_t ts_ms,
                                        int64_t window_ms,
                                        const char *alert_id,
                                        ink_novelty_state_t *next) {
        if (!prev || ts_ms - prev->last_ms > window_ms) {
                memset(next, 0, sizeof(*next));
                next->status = status;
                next->first_ms = next->last_ms = ts_ms;
                snprintf(next->alert_id, sizeof(next->alert_id), "%s",
                         alert_id ? alert_id : "");
                return INK_NOVELTY_NEW;
        }
        *next = *prev;
        if (ts_ms > next->last_ms)
                next->last_ms = ts_ms;
        if (status == prev->status)
                return INK_NOVELTY_REPEAT;
        /* a change of plan, a plan revived after one, or a firmer plan;
         * a less firm status is an older report */
        if (change_of_plan(status) || change_of_plan(prev->status) ||
            status > prev->status) {
                next->status = status;
                return INK_NOVELTY_UPDATE;
        }
        return INK_NOVELTY_REPEAT;
}

size_t ink_novelty_state_encode(const ink_novelty_state_t *st, char *buf,
                                size_t buf_size) {
        int n = snprintf(buf, buf_size,
                         "{\"status\":\"%s\",\"first\":%" PRId64
                         ",\"last\":%" PRId64 ",\"alert_id\":\"%s\"}",
                         ink_status_name((ink_status_t)st->status),
                         st->first_ms, st->last_ms, st->alert_id);
        if (n < 0 || (size_t)n >= buf_size)
                return 0;
        return (size_t)n;
}

/** @returns the ink_status_t of name \p s, or -1. */
static int status_of(const char *s) {
        for (int i = 0; s && i < INK_STATUS_CNT; i++)
                if (!strcmp(s, ink_status_name((ink_status_t)i)))
                        return i;
        return -1;
}

int ink_novelty_state_decode(const void *buf, size_t len,
                             ink_novelty_state_t *st, char *errstr,
                             size_t errstr_size) {
        json_error_t jerr;
        json_t *o = json_loadb(buf, len, 0, &jerr);
        int rc = -1;

        if (!o) {
                snprintf(errstr, errstr_size, "state is no JSON: %s",
                         jerr.text);
                return -1;
        }
        const char *id = json_string_value(json_object_get(o, "alert_id"));
        json_t *f = json_object_get(o, "first"), *l = json_object_get(o,
                                                                      "last");
        memset(st, 0, sizeof(*st));
        st->status = status_of(json_string_value(json_object_get(o,
                                                                 "status")));
        if (st->status < 0 || !id || !json_is_integer(f) ||
            !json_is_integer(l) || strlen(id) >= sizeof(st->alert_id)) {
                snprintf(errstr, errstr_size, "state lacks status, first, "
                                              "last or alert_id");
                goto out;
        }
        st->first_ms = json_integer_value(f);
        st->last_ms = json_integer_value(l);
        memcpy(st->alert_id, id, strlen(id) + 1);
        rc = 0;
out:
        json_decref(o);
        return rc;
}

/** Reads an Avro long (zig-zag varint) at \p *pp (before \p end).
 *  @returns 0, or -1 when it is truncated or too long. */
static int read_long(const unsigned char **pp, const unsigned char *end,
                     int64_t *out) {
        uint64_t v = 0;
        int shift = 0;
        while (*pp < end && shift < 64) {
                unsigned char b = *(*pp)++;
                v |= (uint64_t)(b & 0x7f) << shift;
                if (!(b & 0x80)) {
                        *out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
                        return 0;
                }
                shift += 7;
        }
        return -1;
}

/** Writes \p v as an Avro long into \p p.  @returns the bytes written. */
static size_t write_long(unsigned char *p, int64_t v) {
        uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
        size_t n = 0;
        while (z >= 0x80) {
                p[n++] = (unsigned char)(z | 0x80);
                z >>= 7;
        }
        p[n++] = (unsigned char)z;
        return n;
}

void *ink_novelty_rewrite(const void *rec, size_t len, const char *alert_id,
                          size_t *outlenp, char *errstr, size_t errstr_size) {
        const unsigned char *p = rec, *end = p + len, *q;
        int64_t slen;
        size_t idlen = strlen(alert_id), n = 0;
        unsigned char *out;

        if (len < INK_WIRE_HEADER || p[0] != INK_WIRE_MAGIC) {
                snprintf(errstr, errstr_size, "not a framed Avro record");
                return NULL;
        }
        q = p + INK_WIRE_HEADER;
        if (read_long(&q, end, &slen) || slen < 0 || slen > end - q) {
                snprintf(errstr, errstr_size, "Alert record has no "
                                              "alert_id string");
                return NULL;
        }
        q += slen;
        out = ink_malloc(INK_WIRE_HEADER + 10 + idlen + (size_t)(end - q));
        memcpy(out, p, INK_WIRE_HEADER);
        n = INK_WIRE_HEADER;
        n += write_long(out + n, (int64_t)idlen);
        memcpy(out + n, alert_id, idlen);
        n += idlen;
        memcpy(out + n, q, (size_t)(end - q));
        n += (size_t)(end - q);
        *outlenp = n;
        return out;
}

/*---- The store --------------------------------------------------------------*/

typedef struct entry_s {
        char *key;
        ink_novelty_state_t st;
        struct entry_s *next;
} entry_t;

/* The state of one partition of the events topic. */
typedef struct store_s {
        entry_t **buckets;
        size_t nbuckets, n;
        int assigned;
        int eof;
        int64_t next_offset;    /* to commit, or -1 */
        int dirty;              /* next_offset not committed yet */
} store_t;

static uint64_t key_hash(const char *k) {
        return ink_hash64(k, strlen(k), 0);
}

/** Empties \p s (keeps nothing allocated). */
static void store_clear(store_t *s) {
        for (size_t i = 0; i < s->nbuckets; i++) {
                entry_t *e = s->buckets[i];
                while (e) {
                        entry_t *nx = e->next;
                        free(e->key);
                        free(e);
                        e = nx;
                }
        }
        free(s->buckets);
        s->buckets = NULL;
        s->nbuckets = s->n = 0;
}

/** @returns the state of \p key in \p s (borrowed) or NULL. */
static ink_novelty_state_t *store_get(store_t *s, const char *key) {
        if (!s->nbuckets)
                return NULL;
        for (entry_t *e = s->buckets[key_hash(key) % s->nbuckets]; e;
             e = e->next)
                if (!strcmp(e->key, key))
                        return &e->st;
        return NULL;
}

/** Sets the state of \p key (copied) to \p st, growing the table. */
static void store_put(store_t *s, const char *key,
                      const ink_novelty_state_t *st) {
        ink_novelty_state_t *cur = store_get(s, key);
        if (cur) {
                *cur = *st;
                return;
        }
        if (s->n >= s->nbuckets) {
                size_t nb = s->nbuckets ? s->nbuckets * 2 : 64;
                entry_t **b = ink_calloc(nb, sizeof(*b));
                for (size_t i = 0; i < s->nbuckets; i++) {
                        entry_t *e = s->buckets[i];
                        while (e) {
                                entry_t *nx = e->next;
                                size_t h = key_hash(e->key) % nb;
                                e->next = b[h];
                                b[h] = e;
                                e = nx;
                        }
                }
                free(s->buckets);
                s->buckets = b;
                s->nbuckets = nb;
        }
        entry_t *e = ink_calloc(1, sizeof(*e));
        size_t h = key_hash(key) % s->nbuckets;
        e->key = ink_strdup(key);
        e->st = *st;
        e->next = s->buckets[h];
        s->buckets[h] = e;
        s->n++;
}

/** Removes \p key from \p s (a changelog tombstone). */
static void store_del(store_t *s, const char *key) {
        if (!s->nbuckets)
                return;
        for (entry_t **pe = &s->buckets[key_hash(key) % s->nbuckets]; *pe;
             pe = &(*pe)->next)
                if (!strcmp((*pe)->key, key)) {
                        entry_t *e = *pe;
                        *pe = e->next;
                        free(e->key);
                        free(e);
                        s->n--;
                        return;
                }
}

/*---- The processor ------------------------------------------------------------*/

typedef struct nv_s {
        const ink_conf_t *conf;
        rd_kafka_t *rk;         /* group consumer of the events topic */
        rd_kafka_t *rp;         /* producer: alerts and changelog */
        rd_kafka_t *rr;         /* changelog reader for restores */
        ink_avro_t *av;
        store_t *stores;
        int nparts;
        int64_t window_ms;
        int fatal;              /* a delivery failed: never commit again */
        int joined;             /* had an assignment (maybe empty) */
        char group[512];        /* the processors' consumer group */
        char changelog[560];    /* the state changelog topic */
        int64_t last_commit_us;
        ink_novelty_stats_t *stats;
} nv_t;

/** Delivery reports: a failed output or changelog write is fatal (the
 *  offsets after it are never committed, a restart replays them). */
static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm,
                  void *opaque) {
        nv_t *nv = opaque;
        (void)rk;
        if (rkm->err) {
                ink_log(INK_LOG_ERR, NV, "delivery to %s [%d] failed: %s",
                        rd_kafka_topic_name(rkm->rkt), (int)rkm->partition,
                        rd_kafka_err2str(rkm->err));
                nv->fatal = 1;
        }
}

/** @returns true if the operator set librdkafka property \p key. */
static int user_set(const ink_conf_t *conf, const char *key) {
        for (size_t i = 0; i < conf->nkafka; i++)
                if (!strcmp(conf->kafka[i].key, key))
                        return 1;
        return 0;
}

/** Sets \p key=\p value on \p kc unless the operator set it.
 *  @returns 0 or -1 with \p errstr set. */
static int set_default(const ink_conf_t *conf, rd_kafka_conf_t *kc,
                       const char *key, const char *value, char *errstr,
                       size_t errstr_size) {
        if (user_set(conf, key))
                return 0;
        return rd_kafka_conf_set(kc, key, value, errstr, errstr_size) ==
                               RD_KAFKA_CONF_OK
                       ? 0
                       : -1;
}

/** @returns the partition count of \p topic (waiting up to 30 s for it to
 *  appear), or -1 (logged). */
static int partition_count(rd_kafka_t *rk, const char *topic) {
        for (int tries = 0; tries < 60 && ink_run; tries++) {
                const rd_kafka_metadata_t *md = NULL;
                rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
                rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md,
                                                            5000);
                int n = -1;
                if (!err && md->topic_cnt == 1 && !md->topics[0].err)
                        n = md->topics[0].partition_cnt;
                else if (!err && md->topic_cnt == 1)
                        err = md->topics[0].err;
                if (md)
                        rd_kafka_metadata_destroy(md);
                rd_kafka_topic_destroy(rkt);
                if (n > 0)
                        return n;
                if (err && err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART &&
                    err != RD_KAFKA_RESP_ERR__TIMED_OUT &&
                    err != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE) {
                        ink_log(INK_LOG_ERR, NV, "metadata of %s: %s", topic,
                                rd_kafka_err2str(err));
                        return -1;
                }
                rd_kafka_poll(rk, 500);  /* waits, serving events */
        }
        ink_log(INK_LOG_ERR, NV, "topic %s does not exist (create it, or "
                                 "start the workers first)", topic);
        return -1;
}

/** Creates the compacted changelog topic with \p nparts partitions unless
 *  it exists; an existing one must have the same partition count.
 *  @returns 0 or -1 (logged). */
static int ensure_changelog(nv_t *nv, int nparts) {
        const char *topic = nv->changelog;
        char errstr[512];
        rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, nparts, -1,
                                                        errstr,
                                                        sizeof(errstr));
        rd_kafka_queue_t *q = rd_kafka_queue_new(nv->rp);
        rd_kafka_event_t *ev = NULL;
        int rc = -1;

        if (!nt) {
                ink_log(INK_LOG_ERR, NV, "changelog %s: %s", topic, errstr);
                goto out;
        }
        /* Already there (created by an operator or another processor):
         * no admin request needed. */
        {
                /* all topics: a request naming the topic could auto-create
                 * it with the broker's default partition count */
                const rd_kafka_metadata_t *md = NULL;
                int have = -1;
                if (!rd_kafka_metadata(nv->rp, 1, NULL, &md, 5000))
                        for (int i = 0; i < md->topic_cnt; i++)
                                if (!strcmp(md->topics[i].topic, topic) &&
                                    !md->topics[i].err)
                                        have = md->topics[i].partition_cnt;
                if (md)
                        rd_kafka_metadata_destroy(md);
                if (have == nparts) {
                        rc = 0;
                        goto out;
                }
        }
        if (rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact")) {
                ink_log(INK_LOG_ERR, NV, "changelog %s: cannot set "
                                         "cleanup.policy", topic);
                goto out;
        }
        rd_kafka_CreateTopics(nv->rp, &nt, 1, NULL, q);
        ev = rd_kafka_queue_poll(q, 30000);
        const rd_kafka_CreateTopics_result_t *res =
                ev ? rd_kafka_event_CreateTopics_result(ev) : NULL;
        if (!res) {
                ink_log(INK_LOG_ERR, NV, "changelog %s: no answer to "
                                         "CreateTopics%s%s", topic,
                        ev ? ": " : "",
                        ev ? rd_kafka_event_error_string(ev) : "");
                goto out;
        }
        size_t cnt;
        const rd_kafka_topic_result_t **tr =
                rd_kafka_CreateTopics_result_topics(res, &cnt);
        rd_kafka_resp_err_t err = cnt ? rd_kafka_topic_result_error(tr[0])
                                      : rd_kafka_event_error(ev);
        if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                int have = partition_count(nv->rp, topic);
                if (have != nparts) {
                        ink_log(INK_LOG_ERR, NV,
                                "changelog %s has %d partitions, the events "
                                "topic %s has %d: they must match", topic,
                                have, nv->conf->events_topic, nparts);
                        goto out;
                }
        } else if (err) {
                ink_log(INK_LOG_ERR, NV, "cannot create changelog %s: %s",
                        topic, cnt && rd_kafka_topic_result_error_string(tr[0])
                                       ? rd_kafka_topic_result_error_string(
                                                 tr[0])
                                       : rd_kafka_err2str(err));
                goto out;
        } else {
                ink_log(INK_LOG_INFO, NV, "created changelog %s (%d "
                                          "partitions, compacted)",
                        topic, nparts);
        }
        rc = 0;
out:
        if (ev)
                rd_kafka_event_destroy(ev);
        if (nt)
                rd_kafka_NewTopic_destroy(nt);
        rd_kafka_queue_destroy(q);
        return rc;
}

/** Rebuilds the store of partition \p p from the changelog partition \p p
 *  read to its end.  @returns 0 or -1 (logged). */
static int restore(nv_t *nv, int p) {
        const char *topic = nv->changelog;
        store_t *s = &nv->stores[p];
        int64_t lo = 0, hi = 0, last = -1;
        char errstr[256];
        rd_kafka_resp_err_t err;
        int rc = -1;

        store_clear(s);
        /* a changelog created a moment ago may have no leader yet */
        for (int tries = 0;; tries++) {
                err = rd_kafka_query_watermark_offsets(nv->rr, topic, p, &lo,
                                                       &hi, 10000);
                if (!err || tries >= 60 || !ink_run ||
                    (err != RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION &&
                     err != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE &&
                     err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART &&
                     err != RD_KAFKA_RESP_ERR__TIMED_OUT))
                        break;
                rd_kafka_poll(nv->rp, 500);  /* waits, serving events */
        }
        if (err) {
                ink_log(INK_LOG_ERR, NV, "changelog %s [%d]: %s", topic, p,
                        rd_kafka_err2str(err));
                return -1;
        }
        if (hi <= lo)
                return 0;
        rd_kafka_topic_partition_list_t *l =
                rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, topic, p)->offset = lo;
        err = rd_kafka_assign(nv->rr, l);
        rd_kafka_topic_partition_list_destroy(l);
        if (err) {
                ink_log(INK_LOG_ERR, NV, "changelog %s [%d]: assign: %s",
                        topic, p, rd_kafka_err2str(err));
                return -1;
        }
        int64_t deadline = ink_mono_us() + 120 * 1000000LL;
        while (last < hi - 1) {
                if (ink_mono_us() > deadline || !ink_run) {
                        ink_log(INK_LOG_ERR, NV, "changelog %s [%d]: restore "
                                                 "stopped at offset %" PRId64
                                                 " of %" PRId64, topic, p,
                                last, hi);
                        goto out;
                }
                rd_kafka_message_t *m = rd_kafka_consumer_poll(nv->rr, 200);
                if (!m)
                        continue;
                if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                        rd_kafka_message_destroy(m);
                        break;
                }
                if (m->err) {
                        ink_log(INK_LOG_ERR, NV, "changelog %s [%d]: %s",
                                topic, p, rd_kafka_message_errstr(m));
                        rd_kafka_message_destroy(m);
                        goto out;
                }
                last = m->offset;
                if (m->key_len) {
                        char *key = ink_strndup(m->key, m->key_len);
                        ink_novelty_state_t st;
                        if (!m->payload)
                                store_del(s, key);
                        else if (!ink_novelty_state_decode(m->payload, m->len,
                                                           &st, errstr,
                                                           sizeof(errstr)))
                                store_put(s, key, &st);
                        else
                                ink_log(INK_LOG_WARNING, NV,
                                        "changelog %s [%d] offset %" PRId64
                                        ": %s (skipped)", topic, p,
                                        m->offset, errstr);
                        free(key);
                        nv->stats->restored++;
                }
                rd_kafka_message_destroy(m);
        }
        ink_log(INK_LOG_INFO, NV, "partition %d: restored %zu events from "
                                  "%s", p, s->n, topic);
        rc = 0;
out:
        rd_kafka_assign(nv->rr, NULL);
        return rc;
}

/** Flushes the producer and commits the offsets of the processed
 *  candidates of the assigned partitions.  Nothing is committed after a
 *  failed delivery.  @returns 0 or -1 (logged). */
static int commit_all(nv_t *nv) {
        rd_kafka_resp_err_t err = rd_kafka_flush(nv->rp, 60000);
        if (err || rd_kafka_outq_len(nv->rp) > 0) {
                ink_log(INK_LOG_ERR, NV, "producer flush: %s",
                        rd_kafka_err2str(err));
                nv->fatal = 1;
        }
        if (nv->fatal)
                return -1;
        rd_kafka_topic_partition_list_t *l =
                rd_kafka_topic_partition_list_new(nv->nparts);
        for (int p = 0; p < nv->nparts; p++) {
                store_t *s = &nv->stores[p];
                if (s->assigned && s->dirty)
                        rd_kafka_topic_partition_list_add(
                                l, nv->conf->events_topic, p)->offset =
                                s->next_offset;
        }
        if (l->cnt) {
                err = rd_kafka_commit(nv->rk, l, 0);
                if (err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS ||
                    err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID ||
                    err == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION ||
                    err == RD_KAFKA_RESP_ERR__STATE) {
                        /* The group is moving these partitions: their
                         * new owner restores the state from the changelog
                         * (written before this commit) and sees these
                         * candidates again as repeats. */
                        ink_log(INK_LOG_INFO, NV, "commit during a "
                                "rebalance: %s", rd_kafka_err2str(err));
                        rd_kafka_topic_partition_list_destroy(l);
                        return 0;
                }
                if (err) {
                        ink_log(INK_LOG_ERR, NV, "commit: %s",
                                rd_kafka_err2str(err));
                        rd_kafka_topic_partition_list_destroy(l);
                        return -1;
                }
                for (int i = 0; i < l->cnt; i++)
                        nv->stores[l->elems[i].partition].dirty = 0;
        }
        rd_kafka_topic_partition_list_destroy(l);
        nv->last_commit_us = ink_mono_us();
        return 0;
}

/** Rebalances: restores the stores of assigned partitions before taking
 *  them; commits finished work before giving partitions up. */
static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts,
                         void *opaque) {
        nv_t *nv = opaque;
        int coop = !strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE");

        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
                nv->joined = 1;
                for (int i = 0; i < parts->cnt; i++) {
                        int p = parts->elems[i].partition;
                        if (p < 0 || p >= nv->nparts) {
                                ink_log(INK_LOG_ERR, NV,
                                        "partition %d of %s is beyond the "
                                        "%d partitions of the changelog",
                                        p, nv->conf->events_topic,
                                        nv->nparts);
                                nv->fatal = 1;
                                continue;
                        }
                        if (restore(nv, p))
                                nv->fatal = 1;
                        nv->stores[p].assigned = 1;
                        nv->stores[p].eof = 0;
                        nv->stores[p].dirty = 0;
                }
                if (coop)
                        rd_kafka_incremental_assign(rk, parts);
                else
                        rd_kafka_assign(rk, parts);
                return;
        }
        if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
                commit_all(nv);
        for (int i = 0; i < parts->cnt; i++) {
                int p = parts->elems[i].partition;
                if (p >= 0 && p < nv->nparts) {
                        store_clear(&nv->stores[p]);
                        nv->stores[p].assigned = 0;
                        nv->stores[p].dirty = 0;
                }
        }
        if (coop)
                rd_kafka_incremental_unassign(rk, parts);
        else
                rd_kafka_assign(rk, NULL);
}

/** Produces one record; retries while the queue is full.
 *  @returns 0 or -1 (logged). */
static int produce(nv_t *nv, const char *topic, int32_t partition,
                   const char *key, const void *val, size_t len,
                   rd_kafka_headers_t *hdrs) {
        rd_kafka_resp_err_t err;
        for (;;) {
                rd_kafka_headers_t *h = hdrs ? rd_kafka_headers_copy(hdrs)
                                             : NULL;
                err = rd_kafka_producev(
                        nv->rp, RD_KAFKA_V_TOPIC(topic),
                        RD_KAFKA_V_PARTITION(partition),
                        RD_KAFKA_V_KEY(key, strlen(key)),
                        RD_KAFKA_V_VALUE((void *)val, len),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                        RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
                if (!err)
                        return 0;
                if (h)
                        rd_kafka_headers_destroy(h);
                if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || !ink_run)
                        break;
                rd_kafka_poll(nv->rp, 100);
        }
        ink_log(INK_LOG_ERR, NV, "produce to %s: %s", topic,
                rd_kafka_err2str(err));
        return -1;
}

/** Handles one candidate of partition \p rkm->partition.
 *  @returns 0, or -1 on a fatal error. */
static int handle(nv_t *nv, const rd_kafka_message_t *rkm) {
        const ink_conf_t *conf = nv->conf;
        store_t *s = &nv->stores[rkm->partition];
        char errstr[256], sbuf[256];
        json_t *a = NULL;
        char *key = NULL;
        void *upd = NULL;
        rd_kafka_headers_t *hdrs = NULL;
        int rc = -1;

        nv->stats->consumed++;
        if (ink_avro_decode_json(nv->av, INK_REC_ALERT, rkm->payload,
                                 rkm->len, &a, errstr, sizeof(errstr))) {
                ink_log(INK_LOG_WARNING, NV, "%s [%d] offset %" PRId64
                                             ": not an Alert (%s); skipped",
                        conf->events_topic, (int)rkm->partition, rkm->offset,
                        errstr);
                nv->stats->invalid++;
                rc = 0;
                goto done;
        }
        const char *ek = json_string_value(json_object_get(a, "event_key"));
        const char *id = json_string_value(json_object_get(a, "alert_id"));
        int status = status_of(json_string_value(json_object_get(a,
                                                                 "status")));
        key = rkm->key_len ? ink_strndup(rkm->key, rkm->key_len)
                           : ink_strdup(ek ? ek : "");
        if (!*key || status < 0) {
                ink_log(INK_LOG_WARNING, NV, "%s [%d] offset %" PRId64
                                             ": alert without event key or "
                                             "status; skipped",
                        conf->events_topic, (int)rkm->partition, rkm->offset);
                nv->stats->invalid++;
                rc = 0;
                goto done;
        }
        int64_t ts = rd_kafka_message_timestamp(rkm, NULL);
        if (ts < 0)
                ts = ink_now_ms();
        ink_novelty_state_t *prev = store_get(s, key), next;
        int prev_status = prev ? prev->status : -1;
        ink_novelty_action_t act = ink_novelty_decide(prev, status, ts,
                                                      nv->window_ms, id,
                                                      &next);
        if (act != INK_NOVELTY_REPEAT) {
                const void *val = rkm->payload;
                size_t len = rkm->len;
                hdrs = rd_kafka_headers_new(2);
                rd_kafka_header_add(hdrs, INK_NOVELTY_H_KIND, -1,
                                    act == INK_NOVELTY_NEW ? "new"
                                                           : "update", -1);
                if (act == INK_NOVELTY_UPDATE) {
                        rd_kafka_header_add(
                                hdrs, INK_NOVELTY_H_PREV, -1,
                                ink_status_name((ink_status_t)prev_status),
                                -1);
                        if (!(upd = ink_novelty_rewrite(rkm->payload,
                                                        rkm->len,
                                                        next.alert_id, &len,
                                                        errstr,
                                                        sizeof(errstr)))) {
                                ink_log(INK_LOG_ERR, NV, "update: %s",
                                        errstr);
                                goto done;
                        }
                        val = upd;
                }
                if (produce(nv, conf->alerts_topic, RD_KAFKA_PARTITION_UA,
                            key, val, len, hdrs))
                        goto done;
                if (act == INK_NOVELTY_NEW)
                        nv->stats->fresh++;
                else
                        nv->stats->updates++;
        } else {
                nv->stats->repeats++;
        }
        size_t slen = ink_novelty_state_encode(&next, sbuf, sizeof(sbuf));
        if (!slen || produce(nv, nv->changelog,
                             rkm->partition, key, sbuf, slen, NULL))
                goto done;
        store_put(s, key, &next);
        rc = 0;
done:
        if (!rc) {
                s->next_offset = rkm->offset + 1;
                s->dirty = 1;
        }
        if (hdrs)
                rd_kafka_headers_destroy(hdrs);
        free(upd);
        free(key);
        json_decref(a);
        return rc;
}

/** Creates the three clients of \p nv.  @returns 0 or -1 (logged). */
static int clients_new(nv_t *nv) {
        const ink_conf_t *conf = nv->conf;
        char errstr[512], rgroup[540], group[512];
        rd_kafka_conf_t *kc = ink_conf_kafka(conf, errstr, sizeof(errstr));
        rd_kafka_conf_t *kp = kc ? ink_conf_kafka(conf, errstr,
                                                  sizeof(errstr))
                                 : NULL;
        rd_kafka_conf_t *kr = kp ? ink_conf_kafka(conf, errstr,
                                                  sizeof(errstr))
                                 : NULL;
        snprintf(group, sizeof(group), "%s", nv->group);
        snprintf(rgroup, sizeof(rgroup), "%s-restore", group);
        if (!kr ||
            rd_kafka_conf_set(kc, "group.id", group, errstr,
                              sizeof(errstr)) ||
            rd_kafka_conf_set(kc, "enable.auto.commit", "false", errstr,
                              sizeof(errstr)) ||
            rd_kafka_conf_set(kc, "enable.partition.eof", "true", errstr,
                              sizeof(errstr)) ||
            set_default(conf, kc, "auto.offset.reset", "earliest", errstr,
                        sizeof(errstr)) ||
            set_default(conf, kp, "enable.idempotence", "true", errstr,
                        sizeof(errstr)) ||
            set_default(conf, kp, "linger.ms", "1", errstr,
                        sizeof(errstr)) ||
            rd_kafka_conf_set(kr, "group.id", rgroup, errstr,
                              sizeof(errstr)) ||
            rd_kafka_conf_set(kr, "enable.auto.commit", "false", errstr,
                              sizeof(errstr)) ||
            rd_kafka_conf_set(kr, "enable.partition.eof", "true", errstr,
                              sizeof(errstr))) {
                ink_log(INK_LOG_ERR, NV, "%s", errstr);
                goto fail;
        }
        rd_kafka_conf_set_opaque(kc, nv);
        rd_kafka_conf_set_rebalance_cb(kc, rebalance_cb);
        rd_kafka_conf_set_opaque(kp, nv);
        rd_kafka_conf_set_dr_msg_cb(kp, dr_cb);
        if (!(nv->rp = rd_kafka_new(RD_KAFKA_PRODUCER, kp, errstr,
                                    sizeof(errstr)))) {
                ink_log(INK_LOG_ERR, NV, "producer: %s", errstr);
                goto fail;
        }
        kp = NULL;
        if (!(nv->rr = rd_kafka_new(RD_KAFKA_CONSUMER, kr, errstr,
                                    sizeof(errstr)))) {
                ink_log(INK_LOG_ERR, NV, "changelog reader: %s", errstr);
                goto fail;
        }
        kr = NULL;
        rd_kafka_poll_set_consumer(nv->rr);
        if (!(nv->rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, errstr,
                                    sizeof(errstr)))) {
                ink_log(INK_LOG_ERR, NV, "consumer: %s", errstr);
                goto fail;
        }
        kc = NULL;
        rd_kafka_poll_set_consumer(nv->rk);
        return 0;
fail:
        if (kc)
                rd_kafka_conf_destroy(kc);
        if (kp)
                rd_kafka_conf_destroy(kp);
        if (kr)
                rd_kafka_conf_destroy(kr);
        return -1;
}

void ink_novelty_names(const ink_conf_t *conf, char *group, size_t gsize,
                       char *changelog, size_t csize) {
        /* By default the processors of a deployment form the group of its
         * workers, suffixed, and their state lives in "<group>-changelog"
         * (as a Kafka Streams application names its changelogs). */
        if (*conf->novelty_group)
                snprintf(group, gsize, "%s", conf->novelty_group);
        else
                snprintf(group, gsize, "%s-novelty", conf->group);
        if (*conf->novelty_changelog_topic)
                snprintf(changelog, csize, "%s",
                         conf->novelty_changelog_topic);
        else
                snprintf(changelog, csize, "%s-changelog", group);
}

int ink_novelty_run(const ink_conf_t *conf, ink_novelty_stats_t *stats) {
        return ink_novelty_run_after(conf, stats, NULL);
}

int ink_novelty_run_after(const ink_conf_t *conf, ink_novelty_stats_t *stats,
                          const atomic_bool *upstream_done) {
        ink_novelty_stats_t local;
        char errstr[512];
        nv_t nv;
        int ret = 1;

        memset(&nv, 0, sizeof(nv));
        ink_novelty_names(conf, nv.group, sizeof(nv.group), nv.changelog,
                          sizeof(nv.changelog));
        memset(&local, 0, sizeof(local));
        nv.conf = conf;
        nv.stats = stats ? stats : &local;
        memset(nv.stats, 0, sizeof(*nv.stats));
        nv.window_ms = (int64_t)conf->novelty_window_days * 86400000LL;
        if (conf->novelty_window_days <= 0) {
                ink_log(INK_LOG_ERR, NV, "novelty.window.days must be at "
                                         "least 1");
                return 1;
        }
        if (!(nv.av = ink_avro_new(errstr, sizeof(errstr))) ||
            ink_schemas_setup(conf, nv.av, true, errstr, sizeof(errstr))) {
                ink_log(INK_LOG_ERR, NV, "schemas: %s", errstr);
                ink_avro_destroy(nv.av);
                return 1;
        }
        if (clients_new(&nv))
                goto out;
        if ((nv.nparts = partition_count(nv.rp, conf->events_topic)) < 0 ||
            ensure_changelog(&nv, nv.nparts))
                goto out;
        nv.stores = ink_calloc((size_t)nv.nparts, sizeof(*nv.stores));
        rd_kafka_topic_partition_list_t *sub =
                rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(sub, conf->events_topic,
                                          RD_KAFKA_PARTITION_UA);
        rd_kafka_resp_err_t err = rd_kafka_subscribe(nv.rk, sub);
        rd_kafka_topic_partition_list_destroy(sub);
        if (err) {
                ink_log(INK_LOG_ERR, NV, "subscribe %s: %s",
                        conf->events_topic, rd_kafka_err2str(err));
                goto out;
        }
        nv.last_commit_us = ink_mono_us();
        while (ink_run && !nv.fatal) {
                rd_kafka_message_t *rkm = rd_kafka_consumer_poll(nv.rk, 100);
                rd_kafka_poll(nv.rp, 0);
                if (rkm) {
                        int p = rkm->partition;
                        if (rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                                if (p >= 0 && p < nv.nparts)
                                        nv.stores[p].eof = 1;
                        } else if (rkm->err) {
                                ink_log(INK_LOG_WARNING, NV, "%s",
                                        rd_kafka_message_errstr(rkm));
                                if (rkm->err == RD_KAFKA_RESP_ERR__FATAL)
                                        nv.fatal = 1;
                        } else if (p >= 0 && p < nv.nparts &&
                                   nv.stores[p].assigned) {
                                nv.stores[p].eof = 0;
                                if (handle(&nv, rkm))
                                        nv.fatal = 1;
                        }
                        rd_kafka_message_destroy(rkm);
                }
                if (nv.fatal)
                        break;
                int dirty = 0, assigned = 0, drained = 1;
                for (int p = 0; p < nv.nparts; p++) {
                        dirty |= nv.stores[p].dirty;
                        if (nv.stores[p].assigned) {
                                assigned++;
                                drained &= nv.stores[p].eof;
                        }
                }
                /* Commits only on the timer (and at revoke and at the
                 * end): committing flushes the producer and waits for the
                 * coordinator, which must not delay the next candidate. */
                if (dirty && ink_mono_us() - nv.last_commit_us >=
                                     (int64_t)conf->commit_interval_ms *
                                             1000 &&
                    commit_all(&nv))
                        break;
                /* drained: every assigned partition at its end, or, for
                 * a member the group gave nothing, nothing to drain; what
                 * is still uncommitted is committed after the loop */
                if (conf->exit_on_eof &&
                    (assigned ? drained : nv.joined) &&
                    (!upstream_done || atomic_load(upstream_done)))
                        break;
        }
        if (!nv.fatal && !commit_all(&nv))
                ret = 0;
out:
        if (nv.rk) {
                rd_kafka_consumer_close(nv.rk);
                rd_kafka_destroy(nv.rk);
        }
        if (nv.rr) {
                rd_kafka_consumer_close(nv.rr);
                rd_kafka_destroy(nv.rr);
        }
        if (nv.rp) {
                rd_kafka_flush(nv.rp, 10000);
                rd_kafka_destroy(nv.rp);
        }
        for (int p = 0; p < nv.nparts && nv.stores; p++)
                store_clear(&nv.stores[p]);
        free(nv.stores);
        ink_avro_destroy(nv.av);
        if (!ret)
                ink_log(INK_LOG_INFO, NV,
                        "%" PRIu64 " candidates: %" PRIu64 " new, %" PRIu64
                        " updates, %" PRIu64 " repeats, %" PRIu64
                        " invalid", nv.stats->consumed, nv.stats->fresh,
                        nv.stats->updates, nv.stats->repeats,
                        nv.stats->invalid);
        return ret;
}

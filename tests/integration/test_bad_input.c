/*
 * The bad-input corpus against the real broker: produced interleaved with
 * good articles, one `inkstream enrich --exit-on-eof` run; every bad
 * record is a dead letter with its original bytes and reason, every good
 * one (and every odd-but-valid kind) is enriched, the worker exits 0 and
 * the committed offsets reach the end of each partition.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "../data/bad/bad_corpus.c"

#define BIG "33554432"  /* topics and clients accept records up to 32 MiB */
#define NPARTS 3

/* Creates \p topic with room for the 10 MB records. */
static void create_big_topic(const char *topic) {
        char errstr[256];
        rd_kafka_conf_t *kc = rd_kafka_conf_new();
        rd_kafka_t *rk;
        rd_kafka_queue_t *q;
        rd_kafka_NewTopic_t *nt;
        rd_kafka_event_t *ev;
        const rd_kafka_topic_result_t **tr;
        size_t n;

        rd_kafka_conf_set(kc, "bootstrap.servers", it_brokers(), errstr,
                          sizeof(errstr));
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, errstr, sizeof(errstr));
        cr_assert(rk, "%s", errstr);
        q = rd_kafka_queue_new(rk);
        nt = rd_kafka_NewTopic_new(topic, NPARTS, 1, errstr, sizeof(errstr));
        cr_assert(nt, "%s", errstr);
        cr_assert_eq(rd_kafka_NewTopic_set_config(nt, "max.message.bytes",
                                                  BIG), 0);
        rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
        ev = rd_kafka_queue_poll(q, 30000);
        cr_assert(ev, "CreateTopics timed out");
        tr = rd_kafka_CreateTopics_result_topics(
                rd_kafka_event_CreateTopics_result(ev), &n);
        cr_assert(n == 1 && !rd_kafka_topic_result_error(tr[0]),
                  "create %s: %s", topic,
                  rd_kafka_topic_result_error_string(tr[0]));
        rd_kafka_event_destroy(ev);
        rd_kafka_NewTopic_destroy(nt);
        rd_kafka_queue_destroy(q);
        rd_kafka_destroy(rk);
}

/* Where each produced record landed. */
typedef struct placed_s {
        int32_t partition;
        int64_t offset;
} placed_t;

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm,
                  void *opaque) {
        placed_t *p = rkm->_private;
        (void)rk;
        (void)opaque;
        cr_assert_eq(rkm->err, 0, "delivery: %s",
                     rd_kafka_err2str(rkm->err));
        p->partition = rkm->partition;
        p->offset = rkm->offset;
}

static const it_rec_t *find_key(const it_recs_t *r, const char *key) {
        for (size_t i = 0; i < r->cnt; i++)
                if (r->v[i].key && !strcmp(r->v[i].key, key))
                        return &r->v[i];
        return NULL;
}

static void end_offsets(const char *topic, int64_t *hi) {
        char errstr[256];
        rd_kafka_conf_t *kc = rd_kafka_conf_new();
        rd_kafka_t *rk;

        rd_kafka_conf_set(kc, "bootstrap.servers", it_brokers(), errstr,
                          sizeof(errstr));
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, errstr, sizeof(errstr));
        cr_assert(rk);
        for (int p = 0; p < NPARTS; p++) {
                int64_t lo;
                cr_assert_eq(rd_kafka_query_watermark_offsets(
                                     rk, topic, p, &lo, &hi[p], 10000), 0);
        }
        rd_kafka_destroy(rk);
}

Test(bad_input, corpus_dead_lettered_good_ones_enriched, .timeout = 580) {
        bad_corpus_t c = bad_corpus_build();
        char *raw = it_topic("bad-raw"), *enr = it_topic("bad-enr"),
             *al = it_topic("bad-al"), *dlq = it_topic("bad-dlq"),
             *group = it_topic("bad-group");
        char errstr[256], key[128], cmd[2048], *out = NULL;
        rd_kafka_conf_t *kc = rd_kafka_conf_new();
        rd_kafka_t *rk;
        size_t ngood = c.cnt + 1, nbad = 0, nvalid = 0;
        placed_t *placed = calloc(c.cnt, sizeof(*placed));
        it_recs_t dl, en;
        int64_t hi[NPARTS];
        placed_t good_placed;
        int st;

        create_big_topic(raw);
        create_big_topic(enr);
        create_big_topic(dlq);
        it_create_topic(al, 1);
        cr_assert_eq(rd_kafka_conf_set(kc, "bootstrap.servers", it_brokers(),
                                       errstr, sizeof(errstr)), 0);
        cr_assert_eq(rd_kafka_conf_set(kc, "message.max.bytes", BIG, errstr,
                                       sizeof(errstr)), 0);
        cr_assert_eq(rd_kafka_conf_set(kc, "enable.idempotence", "true",
                                       errstr, sizeof(errstr)), 0);
        rd_kafka_conf_set_dr_msg_cb(kc, dr_cb);
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, errstr, sizeof(errstr));
        cr_assert(rk, "%s", errstr);
        /* a good article before every corpus record, and one at the end */
        for (size_t i = 0; i <= c.cnt; i++) {
                char good[256];
                rd_kafka_resp_err_t err;
                snprintf(good, sizeof(good),
                         "{\"id\":\"good-%zu\",\"title\":\"Council vote\","
                         "\"body\":\"The council of Bergen voted on the "
                         "harbour plan on Monday.\"}", i);
                snprintf(key, sizeof(key), "good-%zu", i);
                err = rd_kafka_producev(
                        rk, RD_KAFKA_V_TOPIC(raw),
                        RD_KAFKA_V_KEY(key, strlen(key)),
                        RD_KAFKA_V_VALUE(good, strlen(good)),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                        RD_KAFKA_V_OPAQUE(&good_placed), RD_KAFKA_V_END);
                cr_assert_eq(err, 0, "%s", rd_kafka_err2str(err));
                if (i == c.cnt)
                        break;
                snprintf(key, sizeof(key), "bad-%s", c.v[i].name);
                err = rd_kafka_producev(
                        rk, RD_KAFKA_V_TOPIC(raw),
                        RD_KAFKA_V_KEY(key, strlen(key)),
                        RD_KAFKA_V_VALUE(c.v[i].data, c.v[i].len),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                        RD_KAFKA_V_OPAQUE(&placed[i]), RD_KAFKA_V_END);
                cr_assert_eq(err, 0, "%s: %s", c.v[i].name,
                             rd_kafka_err2str(err));
                rd_kafka_poll(rk, 0);
        }
        cr_assert_eq(rd_kafka_flush(rk, 60000), 0, "flush timed out");
        rd_kafka_destroy(rk);
        for (size_t i = 0; i < c.cnt; i++)
                if (c.v[i].valid)
                        nvalid++;
                else
                        nbad++;
        for (size_t i = 0; i < c.cnt; i++)
                if (!c.v[i].valid)
                        cr_assert_geq(placed[i].offset, 0, "%s",
                                      c.v[i].name);

        snprintf(cmd, sizeof(cmd),
                 "%s enrich --brokers %s --group %s --input %s --output %s "
                 "--alerts %s --dlq %s --exit-on-eof -q "
                 "-X kafka.message.max.bytes=" BIG " -X metrics.addr= "
                 "2>&1", it_bin(), it_brokers(), group, raw, enr, al, dlq);
        st = it_run(cmd, &out);
        cr_assert_eq(st, 0, "enrich exited %d:\n%s", st, out);
        free(out);

        /* every bad record: a dead letter with its bytes and reason */
        dl = it_read_all(dlq, nbad, 120000);
        cr_assert_eq(dl.cnt, nbad, "%zu dead letters for %zu bad records",
                     dl.cnt, nbad);
        for (size_t i = 0; i < c.cnt; i++) {
                const bad_rec_t *r = &c.v[i];
                const it_rec_t *d;
                char *cls, *reason, *src, *part, *off;
                snprintf(key, sizeof(key), "bad-%s", r->name);
                d = find_key(&dl, key);
                if (r->valid) {
                        cr_assert_null(d, "%s was dead-lettered", r->name);
                        continue;
                }
                cr_assert(d, "%s is not in the dead-letter topic", r->name);
                cr_assert_eq(d->len, r->len, "%s: %zu bytes for %zu",
                             r->name, d->len, r->len);
                cr_assert_eq(memcmp(d->value, r->data, r->len), 0,
                             "%s: bytes differ", r->name);
                cls = it_header(d, "inkstream.error.class");
                reason = it_header(d, "inkstream.error.reason");
                src = it_header(d, "inkstream.source.topic");
                part = it_header(d, "inkstream.source.partition");
                off = it_header(d, "inkstream.source.offset");
                cr_assert(cls && reason && src && part && off, "%s",
                          r->name);
                cr_assert_str_eq(cls, r->err_class, "%s", r->name);
                cr_assert(strstr(reason, r->reason), "%s: \"%s\"", r->name,
                          reason);
                cr_assert_str_eq(src, raw);
                cr_assert_eq(atoi(part), placed[i].partition, "%s",
                             r->name);
                cr_assert_eq(atoll(off), placed[i].offset, "%s", r->name);
                free(cls);
                free(reason);
                free(src);
                free(part);
                free(off);
        }

        /* every good article and every valid kind: enriched */
        en = it_read_all(enr, ngood + nvalid, 120000);
        cr_assert_eq(en.cnt, ngood + nvalid, "%zu enriched, want %zu",
                     en.cnt, ngood + nvalid);
        for (size_t i = 0; i < ngood; i++) {
                snprintf(key, sizeof(key), "good-%zu", i);
                cr_assert(find_key(&en, key), "%s not enriched", key);
        }
        for (size_t i = 0; i < c.cnt; i++) {
                const char *id;
                json_t *o;
                if (!c.v[i].valid)
                        continue;
                o = json_loadb(c.v[i].data, c.v[i].len, 0, NULL);
                cr_assert(o);
                id = json_string_value(json_object_get(o, "id"));
                snprintf(key, sizeof(key), "%s",
                         id ? id : "4242");     /* the integer id kind */
                cr_assert(find_key(&en, key), "%s (%s) not enriched",
                          c.v[i].name, key);
                json_decref(o);
        }

        /* committed = end offset on every partition */
        end_offsets(raw, hi);
        for (int p = 0; p < NPARTS; p++)
                cr_assert_eq(it_committed(group, raw, p), hi[p],
                             "partition %d: committed %lld, end %lld", p,
                             (long long)it_committed(group, raw, p),
                             (long long)hi[p]);

        /* `inkstream dlq --json` lists each of them, class filter works */
        snprintf(cmd, sizeof(cmd),
                 "%s dlq --brokers %s --topic %s --from-beginning "
                 "--exit-on-eof --json --class too_large 2>/dev/null",
                 it_bin(), it_brokers(), dlq);
        cr_assert_eq(it_run(cmd, &out), 0);
        {
                json_t *o = json_loads(out, 0, NULL);
                cr_assert(o, "one JSON line expected");
                cr_assert_str_eq(json_string_value(json_object_get(o, "key")),
                                 "bad-body_10mb");
                cr_assert_eq(json_integer_value(json_object_get(
                                     o, "value_bytes")),
                             (json_int_t)find_key(&dl, "bad-body_10mb")->len);
                cr_assert_gt(find_key(&dl, "bad-body_10mb")->len,
                             10 * 1000 * 1000);
                json_decref(o);
        }
        free(out);
        snprintf(cmd, sizeof(cmd),
                 "%s dlq --brokers %s --topic %s --from-beginning "
                 "--exit-on-eof 2>/dev/null | grep -c ' <-  %s '",
                 it_bin(), it_brokers(), dlq, raw);
        it_run(cmd, &out);
        cr_assert_eq((size_t)atol(out), nbad, "readable listing: %s", out);
        free(out);

        it_recs_free(&dl);
        it_recs_free(&en);
        free(placed);
        bad_corpus_free(&c);
        free(raw);
        free(enr);
        free(al);
        free(dlq);
        free(group);
}

/*
 * The worker's byte budgets on the mock cluster: input bytes in flight
 * (queue.max.bytes) and input bytes enriched at once (enrich.max.bytes),
 * with articles bigger than either.  Every article must come out exactly
 * once and be committed: a budget that leaks or never frees shows as a
 * worker that never drains (the test times out).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ink/kafka.h"
#include <librdkafka/rdkafka_mock.h>

#define NARTICLES 24
#define BODY_BYTES 60000
#define NPARTS 2

typedef struct env_s {
        rd_kafka_t *owner;          /* producer that owns the mock cluster */
        rd_kafka_mock_cluster_t *mc;
        ink_conf_t conf;
} env_t;

static void set(env_t *e, const char *k, const char *v) {
        char errstr[256];
        cr_assert(eq(int, ink_conf_set(&e->conf, k, v, errstr,
                                       sizeof(errstr)),
                     0),
                  "%s", errstr);
}

static void env_init(env_t *e, int brokers) {
        char errstr[256], n[8];
        rd_kafka_conf_t *kc = rd_kafka_conf_new();
        const char *topics[] = {"in", "out", "alerts", "dlq"};

        snprintf(n, sizeof(n), "%d", brokers);
        rd_kafka_conf_set(kc, "test.mock.num.brokers", n, errstr,
                          sizeof(errstr));
        e->owner = rd_kafka_new(RD_KAFKA_PRODUCER, kc, errstr,
                                sizeof(errstr));
        cr_assert(not(eq(ptr, e->owner, NULL)), "%s", errstr);
        e->mc = rd_kafka_handle_mock_cluster(e->owner);
        for (size_t i = 0; i < 4; i++)
                rd_kafka_mock_topic_create(e->mc, topics[i], NPARTS, 1);
        ink_conf_init(&e->conf);
        set(e, "brokers", rd_kafka_mock_cluster_bootstraps(e->mc));
        set(e, "input.topic", "in");
        set(e, "output.topic", "out");
        set(e, "alerts.topic", "alerts");
        set(e, "dlq.topic", "dlq");
        set(e, "group", "wbudget");
        set(e, "no.enrich", "true");
        set(e, "threads", "2");
        set(e, "metrics.addr", "");
        set(e, "commit.interval.ms", "200");
}

static void env_destroy(env_t *e) {
        ink_conf_destroy(&e->conf);
        rd_kafka_destroy(e->owner);
}

/* Produces articles a<from>..a<to-1> to "in", each about BODY_BYTES. */
static void produce_articles(env_t *e, int from, int to) {
        static char val[BODY_BYTES + 128];
        for (int i = from; i < to; i++) {
                char key[32];
                int n;
                snprintf(key, sizeof(key), "a%d", i);
                n = snprintf(val, sizeof(val),
                             "{\"id\":\"a%d\",\"body\":\"Article %d.", i,
                             i);
                while (n < BODY_BYTES)
                        n += snprintf(val + n, sizeof(val) - (size_t)n,
                                      " More words.");
                snprintf(val + n, sizeof(val) - (size_t)n, "\"}");
                cr_assert(eq(int, ink_produce(e->owner, "in", key,
                                              strlen(key), val, strlen(val),
                                              NULL, NULL),
                             0));
        }
        cr_assert(eq(int, rd_kafka_flush(e->owner, 10000), 0));
}

/* @returns the sum of the offsets committed by the worker's group on
 * "in" (-1 if they cannot be read). */
static int64_t committed(env_t *e) {
        char errstr[256];
        rd_kafka_conf_t *kc = rd_kafka_conf_new();
        rd_kafka_topic_partition_list_t *l =
                rd_kafka_topic_partition_list_new(NPARTS);
        rd_kafka_t *rk;
        int64_t sum = 0;

        rd_kafka_conf_set(kc, "bootstrap.servers", e->conf.brokers, errstr,
                          sizeof(errstr));
        rd_kafka_conf_set(kc, "group.id", e->conf.group, errstr,
                          sizeof(errstr));
        rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, errstr, sizeof(errstr));
        cr_assert(not(eq(ptr, rk, NULL)));
        for (int p = 0; p < NPARTS; p++)
                rd_kafka_topic_partition_list_add(l, "in", p);
        if (rd_kafka_committed(rk, l, 5000))
                sum = -1;
        for (int p = 0; sum >= 0 && p < NPARTS; p++)
                if (l->elems[p].offset > 0)
                        sum += l->elems[p].offset;
        rd_kafka_topic_partition_list_destroy(l);
        rd_kafka_destroy(rk);
        return sum;
}

/* Counts the records of each key a0..a<NARTICLES-1> on topic "out". */
static void count_outputs(env_t *e, int counts[NARTICLES]) {
        char errstr[256];
        rd_kafka_conf_t *kc = rd_kafka_conf_new();
        rd_kafka_topic_partition_list_t *l =
                rd_kafka_topic_partition_list_new(NPARTS);
        rd_kafka_t *rk;
        int neof = 0;

        rd_kafka_conf_set(kc, "bootstrap.servers", e->conf.brokers, errstr,
                          sizeof(errstr));
        rd_kafka_conf_set(kc, "group.id", "reader", errstr, sizeof(errstr));
        rd_kafka_conf_set(kc, "enable.partition.eof", "true", errstr,
                          sizeof(errstr));
        rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, errstr, sizeof(errstr));
        cr_assert(not(eq(ptr, rk, NULL)));
        for (int p = 0; p < NPARTS; p++)
                rd_kafka_topic_partition_list_add(l, "out", p)->offset =
                        RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_assign(rk, l);
        rd_kafka_topic_partition_list_destroy(l);
        memset(counts, 0, NARTICLES * sizeof(int));
        for (int polls = 0; neof < NPARTS && polls < 300; polls++) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
                if (!m)
                        continue;
                if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
                        neof++;
                else if (!m->err && m->key_len > 1)
                        counts[atoi((const char *)m->key + 1) % NARTICLES]++;
                rd_kafka_message_destroy(m);
        }
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
}

typedef struct run_s {
        env_t *e;
        ink_worker_stats_t st;
        int rc;
} run_t;

static void *run_worker(void *arg) {
        run_t *r = arg;
        r->rc = ink_worker_run(&r->e->conf, &r->st);
        return NULL;
}

/* Waits up to 30 s until \p n input offsets are committed. */
static int64_t wait_committed(env_t *e, int64_t n) {
        int64_t c = -1;
        for (int i = 0; i < 150 && (c = committed(e)) < n; i++)
                usleep(200000);
        return c;
}

static void run_and_check(env_t *e) {
        run_t r = {.e = e};
        int counts[NARTICLES];
        pthread_t t;

        set(e, "exit.on.eof", "true");
        produce_articles(e, 0, NARTICLES);
        pthread_create(&t, NULL, run_worker, &r);
        pthread_join(t, NULL);
        cr_assert(eq(int, r.rc, 0));
        cr_expect(eq(u64, r.st.failed, 0));
        cr_expect(eq(u64, r.st.dead_letters, 0));
        cr_expect(eq(u64, r.st.enriched, NARTICLES));
        count_outputs(e, counts);
        for (int i = 0; i < NARTICLES; i++)
                cr_expect(eq(int, counts[i], 1), "article a%d", i);
        cr_expect(eq(i64, wait_committed(e, NARTICLES), NARTICLES));
}

/* Each article is bigger than both budgets: the worker holds its input
 * after every article and enriches one at a time, and still drains. */
Test(worker_budget, articles_bigger_than_the_budgets_all_pass,
     .timeout = 120) {
        env_t e;

        env_init(&e, 1);
        set(&e, "queue.max.bytes", "50000");
        set(&e, "enrich.max.bytes", "1000");
        run_and_check(&e);
        env_destroy(&e);
}

/* Budgets of a few articles: several in flight, two enriched at once. */
Test(worker_budget, budgets_of_a_few_articles, .timeout = 120) {
        env_t e;

        env_init(&e, 1);
        set(&e, "queue.max.bytes", "200000");
        set(&e, "enrich.max.bytes", "130000");
        run_and_check(&e);
        env_destroy(&e);
}

/* 0 turns both budgets off. */
Test(worker_budget, zero_means_no_budget, .timeout = 120) {
        env_t e;

        env_init(&e, 1);
        set(&e, "queue.max.bytes", "0");
        set(&e, "enrich.max.bytes", "0");
        run_and_check(&e);
        env_destroy(&e);
}

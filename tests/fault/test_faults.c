/*
 * The worker under injected faults on the mock cluster: transient produce
 * errors and a broker that is down when the worker starts.  In both, every
 * article must come out exactly once.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ink/kafka.h"
#include <librdkafka/rdkafka_mock.h>

#define NARTICLES 20

typedef struct env_s {
        rd_kafka_t *owner;          /* producer that owns the mock cluster */
        rd_kafka_mock_cluster_t *mc;
        ink_conf_t conf;
} env_t;

static void env_init(env_t *e) {
        char errstr[256];
        rd_kafka_conf_t *kc = rd_kafka_conf_new();
        const char *topics[] = {"in", "out", "alerts", "dlq"};

        rd_kafka_conf_set(kc, "test.mock.num.brokers", "1", errstr,
                          sizeof(errstr));
        e->owner = rd_kafka_new(RD_KAFKA_PRODUCER, kc, errstr,
                                sizeof(errstr));
        cr_assert(not(eq(ptr, e->owner, NULL)), "%s", errstr);
        e->mc = rd_kafka_handle_mock_cluster(e->owner);
        for (size_t i = 0; i < 4; i++)
                rd_kafka_mock_topic_create(e->mc, topics[i], 2, 1);
        ink_conf_init(&e->conf);
        ink_conf_set(&e->conf, "brokers",
                     rd_kafka_mock_cluster_bootstraps(e->mc), errstr,
                     sizeof(errstr));
        ink_conf_set(&e->conf, "input.topic", "in", errstr, sizeof(errstr));
        ink_conf_set(&e->conf, "output.topic", "out", errstr, sizeof(errstr));
        ink_conf_set(&e->conf, "alerts.topic", "alerts", errstr,
                     sizeof(errstr));
        ink_conf_set(&e->conf, "dlq.topic", "dlq", errstr, sizeof(errstr));
        ink_conf_set(&e->conf, "group", "fault", errstr, sizeof(errstr));
        ink_conf_set(&e->conf, "exit.on.eof", "true", errstr, sizeof(errstr));
        ink_conf_set(&e->conf, "no.enrich", "true", errstr, sizeof(errstr));
}

static void env_destroy(env_t *e) {
        ink_conf_destroy(&e->conf);
        rd_kafka_destroy(e->owner);
}

static void produce_articles(env_t *e) {
        for (int i = 0; i < NARTICLES; i++) {
                char key[32], val[128];
                snprintf(key, sizeof(key), "a%d", i);
                snprintf(val, sizeof(val),
                         "{\"id\":\"a%d\",\"body\":\"Article %d.\"}", i, i);
                cr_assert(eq(int, ink_produce(e->owner, "in", key,
                                              strlen(key), val, strlen(val),
                                              NULL, NULL),
                             0));
        }
        cr_assert(eq(int, rd_kafka_flush(e->owner, 10000), 0));
}

/* Counts the records of each key a0..a19 on topic "out". */
static void count_outputs(env_t *e, int counts[NARTICLES]) {
        char errstr[256];
        rd_kafka_conf_t *kc = rd_kafka_conf_new();
        rd_kafka_topic_partition_list_t *l =
                rd_kafka_topic_partition_list_new(2);
        rd_kafka_t *rk;
        int neof = 0;

        rd_kafka_conf_set(kc, "bootstrap.servers", e->conf.brokers, errstr,
                          sizeof(errstr));
        rd_kafka_conf_set(kc, "group.id", "reader", errstr, sizeof(errstr));
        rd_kafka_conf_set(kc, "enable.partition.eof", "true", errstr,
                          sizeof(errstr));
        rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, errstr, sizeof(errstr));
        cr_assert(not(eq(ptr, rk, NULL)));
        rd_kafka_topic_partition_list_add(l, "out", 0)->offset =
                RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_topic_partition_list_add(l, "out", 1)->offset =
                RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_assign(rk, l);
        rd_kafka_topic_partition_list_destroy(l);
        memset(counts, 0, NARTICLES * sizeof(int));
        for (int polls = 0; neof < 2 && polls < 300; polls++) {
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

Test(faults, transient_produce_errors_lose_and_duplicate_nothing,
     .timeout = 120) {
        env_t e;
        run_t r = {.e = &e};
        int counts[NARTICLES];
        pthread_t t;

        env_init(&e);
        produce_articles(&e);
        /* the next Produce requests fail with retriable errors */
        rd_kafka_mock_push_request_errors(
                e.mc, 0 /* ApiKey Produce */, 4,
                RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE);
        pthread_create(&t, NULL, run_worker, &r);
        pthread_join(t, NULL);
        cr_assert(eq(int, r.rc, 0));
        cr_expect(eq(u64, r.st.enriched, NARTICLES));
        cr_expect(eq(u64, r.st.failed, 0));
        count_outputs(&e, counts);
        for (int i = 0; i < NARTICLES; i++)
                cr_expect(eq(int, counts[i], 1), "article a%d", i);
        env_destroy(&e);
}

Test(faults, broker_down_at_start_then_back, .timeout = 120) {
        env_t e;
        run_t r = {.e = &e};
        int counts[NARTICLES];
        pthread_t t;

        env_init(&e);
        produce_articles(&e);
        rd_kafka_mock_broker_set_down(e.mc, 1);
        pthread_create(&t, NULL, run_worker, &r);
        sleep(3);
        rd_kafka_mock_broker_set_up(e.mc, 1);
        pthread_join(t, NULL);
        cr_assert(eq(int, r.rc, 0));
        count_outputs(&e, counts);
        for (int i = 0; i < NARTICLES; i++)
                cr_expect(eq(int, counts[i], 1), "article a%d", i);
        env_destroy(&e);
}

/*
 * The mock-cluster environment of the worker fault tests: a mock cluster
 * with topics "in", "out", "alerts", "dlq" of NPARTS partitions, the
 * worker's configuration (consumer group \p group), the committed input
 * offsets, the outputs per article key a0..a<NARTICLES-1>, and the worker
 * run in a thread.  Define NARTICLES and NPARTS before including.
 */
#ifndef INK_FAULT_WORKER_ENV_H
#define INK_FAULT_WORKER_ENV_H

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ink/kafka.h"
#include <librdkafka/rdkafka_mock.h>

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

static void env_init(env_t *e, int brokers, const char *group) {
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
        set(e, "group", group);
        set(e, "no.enrich", "true");
        set(e, "threads", "2");
        set(e, "metrics.addr", "");
        set(e, "commit.interval.ms", "200");
}

static void env_destroy(env_t *e) {
        ink_conf_destroy(&e->conf);
        rd_kafka_destroy(e->owner);
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

#endif

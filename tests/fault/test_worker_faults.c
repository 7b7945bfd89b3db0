/*
 * The threaded worker under injected faults on the mock cluster: commit
 * errors, a group coordinator that moves, produce errors that cannot be
 * retried, and a tiny producer queue (backpressure).  Each checks what is
 * committed and what came out.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ink/kafka.h"
#include <librdkafka/rdkafka_mock.h>

#define NARTICLES 40
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
        set(e, "group", "wfault");
        set(e, "no.enrich", "true");
        set(e, "threads", "2");
        set(e, "metrics.addr", "");
        set(e, "commit.interval.ms", "200");
}

static void env_destroy(env_t *e) {
        ink_conf_destroy(&e->conf);
        rd_kafka_destroy(e->owner);
}

/* Produces articles a<from>..a<to-1> to "in". */
static void produce_articles(env_t *e, int from, int to) {
        for (int i = from; i < to; i++) {
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

Test(worker_faults, offset_commit_errors_are_retried, .timeout = 120) {
        env_t e;
        run_t r = {.e = &e};
        int counts[NARTICLES];
        pthread_t t;

        env_init(&e, 1);
        set(&e, "exit.on.eof", "true");
        produce_articles(&e, 0, NARTICLES);
        /* the next OffsetCommit requests fail with retriable errors */
        rd_kafka_mock_push_request_errors(
                e.mc, 8 /* ApiKey OffsetCommit */, 4,
                RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
                RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE);
        pthread_create(&t, NULL, run_worker, &r);
        pthread_join(t, NULL);
        cr_assert(eq(int, r.rc, 0));
        cr_expect(eq(u64, r.st.enriched, NARTICLES));
        /* the worker commits on exit: everything is committed despite
         * the failed commits */
        cr_assert(eq(i64, wait_committed(&e, NARTICLES), NARTICLES));
        count_outputs(&e, counts);
        for (int i = 0; i < NARTICLES; i++)
                cr_expect(eq(int, counts[i], 1), "article a%d", i);
        env_destroy(&e);
}

Test(worker_faults, coordinator_moves_mid_stream, .timeout = 120) {
        env_t e;
        run_t r = {.e = &e};
        int counts[NARTICLES];
        pthread_t t;

        env_init(&e, 3);
        rd_kafka_mock_coordinator_set(e.mc, "group", "wfault", 1);
        produce_articles(&e, 0, NARTICLES / 2);
        pthread_create(&t, NULL, run_worker, &r);
        cr_assert(eq(i64, wait_committed(&e, NARTICLES / 2), NARTICLES / 2),
                  "first half never committed");
        /* the group coordinator moves to another broker */
        rd_kafka_mock_coordinator_set(e.mc, "group", "wfault", 2);
        produce_articles(&e, NARTICLES / 2, NARTICLES);
        cr_assert(eq(i64, wait_committed(&e, NARTICLES), NARTICLES),
                  "second half never committed after the move");
        ink_run = 0;
        pthread_join(t, NULL);
        cr_assert(eq(int, r.rc, 0));
        count_outputs(&e, counts);
        for (int i = 0; i < NARTICLES; i++)
                cr_expect(ge(int, counts[i], 1), "article a%d lost", i);
        env_destroy(&e);
}

Test(worker_faults, undeliverable_output_is_never_committed, .timeout = 120) {
        env_t e;
        run_t r = {.e = &e}, r2 = {.e = &e};
        int counts[NARTICLES];
        pthread_t t;

        env_init(&e, 1);
        set(&e, "exit.on.eof", "true");
        /* without retries a failed Produce fails the delivery */
        set(&e, "kafka.enable.idempotence", "false");
        set(&e, "kafka.retries", "0");
        /* the mock coordinator keeps a departed member until its session
         * times out: keep the restart's join short */
        set(&e, "kafka.session.timeout.ms", "6000");
        produce_articles(&e, 0, NARTICLES);
        rd_kafka_mock_push_request_errors(e.mc, 0 /* ApiKey Produce */, 1,
                                          RD_KAFKA_RESP_ERR_INVALID_RECORD);
        pthread_create(&t, NULL, run_worker, &r);
        pthread_join(t, NULL);
        /* the worker stops instead of skipping the failed input */
        cr_assert(eq(int, r.rc, 1));
        cr_expect(ge(u64, r.st.failed, 1));
        cr_assert(lt(i64, committed(&e), NARTICLES),
                  "an input whose output failed was committed");
        /* a restart processes it again: nothing is lost */
        pthread_create(&t, NULL, run_worker, &r2);
        pthread_join(t, NULL);
        cr_assert(eq(int, r2.rc, 0));
        cr_assert(eq(i64, wait_committed(&e, NARTICLES), NARTICLES));
        count_outputs(&e, counts);
        for (int i = 0; i < NARTICLES; i++)
                cr_expect(ge(int, counts[i], 1), "article a%d lost", i);
        env_destroy(&e);
}

Test(worker_faults, tiny_producer_queue_pauses_and_drops_nothing,
     .timeout = 120) {
        env_t e;
        run_t r = {.e = &e};
        int counts[NARTICLES];
        pthread_t t;

        env_init(&e, 1);
        set(&e, "exit.on.eof", "true");
        set(&e, "queue.max", "4");
        set(&e, "kafka.queue.buffering.max.messages", "10");
        produce_articles(&e, 0, NARTICLES);
        /* slow produce responses fill the queue */
        rd_kafka_mock_broker_push_request_error_rtts(
                e.mc, 1, 0 /* Produce */, 5, RD_KAFKA_RESP_ERR_NO_ERROR, 200,
                RD_KAFKA_RESP_ERR_NO_ERROR, 200, RD_KAFKA_RESP_ERR_NO_ERROR,
                200, RD_KAFKA_RESP_ERR_NO_ERROR, 200,
                RD_KAFKA_RESP_ERR_NO_ERROR, 200);
        pthread_create(&t, NULL, run_worker, &r);
        pthread_join(t, NULL);
        cr_assert(eq(int, r.rc, 0));
        cr_expect(eq(u64, r.st.failed, 0));
        cr_expect(eq(u64, r.st.enriched, NARTICLES));
        count_outputs(&e, counts);
        for (int i = 0; i < NARTICLES; i++)
                cr_expect(eq(int, counts[i], 1), "article a%d", i);
        env_destroy(&e);
}

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

#include "worker_env.h"

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

Test(worker_faults, offset_commit_errors_are_retried, .timeout = 120) {
        env_t e;
        run_t r = {.e = &e};
        int counts[NARTICLES];
        pthread_t t;

        env_init(&e, 1, "wfault");
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

        env_init(&e, 3, "wfault");
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

        env_init(&e, 1, "wfault");
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

        env_init(&e, 1, "wfault");
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

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

#include "worker_env.h"

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

        env_init(&e, 1, "wbudget");
        set(&e, "queue.max.bytes", "50000");
        set(&e, "enrich.max.bytes", "1000");
        run_and_check(&e);
        env_destroy(&e);
}

/* Budgets of a few articles: several in flight, two enriched at once. */
Test(worker_budget, budgets_of_a_few_articles, .timeout = 120) {
        env_t e;

        env_init(&e, 1, "wbudget");
        set(&e, "queue.max.bytes", "200000");
        set(&e, "enrich.max.bytes", "130000");
        run_and_check(&e);
        env_destroy(&e);
}

/* 0 turns both budgets off. */
Test(worker_budget, zero_means_no_budget, .timeout = 120) {
        env_t e;

        env_init(&e, 1, "wbudget");
        set(&e, "queue.max.bytes", "0");
        set(&e, "enrich.max.bytes", "0");
        run_and_check(&e);
        env_destroy(&e);
}

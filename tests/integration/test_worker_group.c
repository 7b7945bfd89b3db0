/*
 * Scale-out and crash recovery: three `inkstream enrich` processes share a
 * six-partition input; one of them is killed with SIGKILL twice while it
 * runs and is restarted each time.  At-least-once: every article id is in
 * the enriched topic.  Exactly once (--exactly-once, read_committed
 * reader): every id exactly once.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "test_worker_util.h"

/* Sized to keep each test well under 90 s on two shared cores. */
#define NARTICLES 20000

/* Waits until the committed offsets reach \p frac of the input. */
static void wait_progress(const wk_topics_t *t, double frac) {
        int64_t want = (int64_t)(NARTICLES * frac);
        int64_t got = wk_wait_committed(t, want, 60000);
        cr_assert(got >= want, "no progress: %lld of %lld committed",
                  (long long)got, (long long)want);
}

/* Runs three workers with \p extra[i] as the extra arguments of worker i,
 * kills worker 0 twice (at 20% and 50% committed), restarts it, and waits
 * until the whole input is committed. */
static void run_with_kills(const wk_topics_t *t, const char *const *extra[3],
                           const char *logbase) {
        pid_t pid[3];
        char log[256];
        int64_t got;

        for (int i = 0; i < 3; i++) {
                snprintf(log, sizeof(log), "%s-%d.log", logbase, i);
                unlink(log);
                pid[i] = wk_start(t, log, extra[i]);
        }
        snprintf(log, sizeof(log), "%s-0.log", logbase);
        wait_progress(t, 0.2);
        kill(pid[0], SIGKILL);
        cr_assert(wk_wait(pid[0], 5000) != -1);
        pid[0] = wk_start(t, log, extra[0]);
        wait_progress(t, 0.5);
        kill(pid[0], SIGKILL);
        cr_assert(wk_wait(pid[0], 5000) != -1);
        pid[0] = wk_start(t, log, extra[0]);
        got = wk_wait_committed(t, NARTICLES, 80000);
        for (int i = 0; i < 3; i++)
                wk_stop(pid[i]);
        cr_assert(eq(i64, got, NARTICLES),
                  "only %lld of %d inputs committed (logs %s-*.log)",
                  (long long)got, NARTICLES, logbase);
}

Test(worker_group, sigkill_twice_at_least_once, .timeout = 150) {
        wk_topics_t t = wk_topics("kill", 6);
        static const char *const ex[] = {"--threads", "1", "--metrics-addr",
                                         "", NULL};
        const char *const *extra[3] = {ex, ex, ex};
        int *seen = calloc(NARTICLES, sizeof(int));
        size_t missing = 0, dups = 0, n;

        wk_ingest(&t, NARTICLES);
        run_with_kills(&t, extra, "/tmp/it-worker-alo");
        n = wk_count_ids(&t, NARTICLES, seen, 60000);
        for (int i = 0; i < NARTICLES; i++) {
                missing += seen[i] == 0;
                dups += seen[i] > 1 ? (size_t)seen[i] - 1 : 0;
        }
        cr_log_info("at-least-once: %zu records, %zu duplicates after two "
                    "kills", n, dups);
        cr_assert(eq(sz, missing, 0), "%zu article ids never enriched",
                  missing);
        free(seen);
}

Test(worker_group, sigkill_twice_exactly_once, .timeout = 150) {
        wk_topics_t t = wk_topics("eos", 6);
        /* static membership: a restarted worker keeps its
         * transactional.id and fences its killed predecessor */
        static const char *const ex0[] = {
                "--threads", "1", "--metrics-addr", "", "--exactly-once",
                "-X", "kafka.group.instance.id=w0", NULL};
        static const char *const ex1[] = {
                "--threads", "1", "--metrics-addr", "", "--exactly-once",
                "-X", "kafka.group.instance.id=w1", NULL};
        static const char *const ex2[] = {
                "--threads", "1", "--metrics-addr", "", "--exactly-once",
                "-X", "kafka.group.instance.id=w2", NULL};
        const char *const *extra[3] = {ex0, ex1, ex2};
        int *seen = calloc(NARTICLES, sizeof(int));
        size_t missing = 0, dups = 0, n;

        wk_ingest(&t, NARTICLES);
        run_with_kills(&t, extra, "/tmp/it-worker-eos");
        n = wk_count_ids(&t, NARTICLES, seen, 60000);
        for (int i = 0; i < NARTICLES; i++) {
                missing += seen[i] == 0;
                dups += seen[i] > 1 ? (size_t)seen[i] - 1 : 0;
        }
        cr_assert(eq(sz, missing, 0), "%zu article ids never enriched",
                  missing);
        cr_assert(eq(sz, dups, 0), "%zu duplicates with exactly once", dups);
        cr_assert(eq(sz, n, NARTICLES));
        free(seen);
}

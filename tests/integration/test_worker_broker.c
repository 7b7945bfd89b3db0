/*
 * The broker goes away for 15 s in the middle of a stream and comes back:
 * the workers ride it out without a restart and no article is lost.
 *
 * The suite's broker is shared with other tests, so this test starts a
 * second broker of its own (deploy/kafka/kafka.sh, its own port and data
 * directory), points every helper at it through INK_BROKERS, and purges it
 * at the end.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "test_worker_util.h"

#define NARTICLES 8000
#define OUTAGE_S 15

static char kafka_env[512];

/* @returns a TCP port that was free a moment ago on 127.0.0.1. */
static int free_port(void) {
        struct sockaddr_in sa = {.sin_family = AF_INET};
        socklen_t len = sizeof(sa);
        int fd = socket(AF_INET, SOCK_STREAM, 0), port;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        cr_assert(fd >= 0);
        cr_assert(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
        cr_assert(getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
        port = ntohs(sa.sin_port);
        close(fd);
        return port;
}

/* Runs kafka.sh \p verb on the test's own broker.  @returns its status. */
static int kafka(const char *verb) {
        char cmd[1024];
        snprintf(cmd, sizeof(cmd), "%s %s/deploy/kafka/kafka.sh %s 2>&1",
                 kafka_env, INK_SOURCE_DIR, verb);
        return it_run(cmd, NULL);
}

static void broker_up(void) {
        int port = free_port();
        static char brokers[64];
        snprintf(kafka_env, sizeof(kafka_env),
                 "KAFKA_PORT=%d KAFKA_DIR=/tmp/it-worker-broker-%d", port,
                 (int)getpid());
        cr_assert(eq(int, kafka("start"), 0), "second broker did not start");
        snprintf(brokers, sizeof(brokers), "127.0.0.1:%d", port);
        setenv("INK_BROKERS", brokers, 1);
}

static void broker_purge(void) {
        if (kafka_env[0])
                kafka("stop --purge");
}

Test(worker_broker, outage_15s_nothing_lost, .init = broker_up,
     .fini = broker_purge, .timeout = 200) {
        wk_topics_t t = wk_topics("outage", 4);
        static const char *const ex[] = {"--threads", "1", "--metrics-addr",
                                         "", NULL};
        const char *log1 = "/tmp/it-worker-outage-1.log",
                   *log2 = "/tmp/it-worker-outage-2.log";
        int *seen = calloc(NARTICLES, sizeof(int));
        size_t missing = 0;
        int64_t got;
        pid_t a, b;

        unlink(log1);
        unlink(log2);
        wk_ingest(&t, NARTICLES);
        a = wk_start(&t, log1, ex);
        b = wk_start(&t, log2, ex);
        wk_wait_committed(&t, NARTICLES / 5, 60000);

        cr_assert(eq(int, kafka("stop"), 0), "broker did not stop");
        /* the outage itself: a fixed duration, not a wait on a condition */
        sleep(OUTAGE_S);
        cr_assert(eq(int, waitpid(a, NULL, WNOHANG), 0),
                  "worker 1 died during the outage (log %s)", log1);
        cr_assert(eq(int, waitpid(b, NULL, WNOHANG), 0),
                  "worker 2 died during the outage (log %s)", log2);
        cr_assert(eq(int, kafka("start"), 0), "broker did not restart");

        got = wk_wait_committed(&t, NARTICLES, 120000);
        cr_assert(eq(int, waitpid(a, NULL, WNOHANG), 0),
                  "worker 1 exited (log %s)", log1);
        cr_assert(eq(int, waitpid(b, NULL, WNOHANG), 0),
                  "worker 2 exited (log %s)", log2);
        wk_stop(a);
        wk_stop(b);
        cr_assert(eq(i64, got, NARTICLES),
                  "%lld of %d committed after the outage (logs %s, %s)",
                  (long long)got, NARTICLES, log1, log2);
        wk_count_ids(&t, NARTICLES, seen, 60000);
        for (int i = 0; i < NARTICLES; i++)
                missing += seen[i] == 0;
        cr_assert(eq(sz, missing, 0), "%zu ids lost in the outage", missing);
        free(seen);
}

/*
 * Graceful shutdown under load, and the HTTP endpoints of a running
 * worker.  Two workers share a four-partition input; each gets SIGTERM
 * while articles are flowing and must exit 0 within shutdown.timeout.ms,
 * having finished and committed its in-flight work: a restart then
 * produces no duplicate at all.  Meanwhile /healthz, /readyz and /metrics
 * of the first worker are scraped with libcurl.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "test_worker_util.h"

#define NARTICLES 12000
#define SHUTDOWN_MS 10000

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

typedef struct body_s {
        char *p;
        size_t len;
} body_t;

static size_t on_body(char *data, size_t size, size_t n, void *arg) {
        body_t *b = arg;
        b->p = realloc(b->p, b->len + size * n + 1);
        memcpy(b->p + b->len, data, size * n);
        b->len += size * n;
        b->p[b->len] = '\0';
        return size * n;
}

/* GETs http://127.0.0.1:<port><path>.  @returns the HTTP status (0 when
 * nothing answers); the body goes to *bodyp (malloc'ed) if not NULL. */
static long http_get(int port, const char *path, char **bodyp) {
        CURL *c = curl_easy_init();
        body_t b = {NULL, 0};
        char url[128];
        long status = 0;

        snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 3000L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
        if (curl_easy_perform(c) == CURLE_OK)
                curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(c);
        if (bodyp)
                *bodyp = b.p ? b.p : strdup("");
        else
                free(b.p);
        return status;
}

/* @returns the value of the sample line starting with \p name (exactly,
 * followed by a space), or -1. */
static double metric(const char *text, const char *name) {
        size_t n = strlen(name);
        for (const char *l = text; l && *l; l = strchr(l, '\n')) {
                if (*l == '\n')
                        l++;
                if (!strncmp(l, name, n) && l[n] == ' ')
                        return atof(l + n + 1);
        }
        return -1;
}

/* Sends SIGTERM to \p pid and asserts a clean exit within the bound. */
static void term_within_bound(pid_t pid, const char *log) {
        int64_t t0 = wk_now_ms(), took;
        int st;
        kill(pid, SIGTERM);
        st = wk_wait(pid, SHUTDOWN_MS + 5000);
        took = wk_now_ms() - t0;
        cr_assert(st != -1, "no exit %d ms after SIGTERM (log %s)",
                  SHUTDOWN_MS + 5000, log);
        cr_assert(wk_exited_ok(st),
                  "exit status %d after SIGTERM (log %s)", st, log);
        /* the bound plus process start-up/teardown slack */
        cr_assert(took <= SHUTDOWN_MS + 1500,
                  "exit took %lld ms (bound %d ms)", (long long)took,
                  SHUTDOWN_MS);
        cr_log_info("exit %lld ms after SIGTERM", (long long)took);
}

Test(worker_shutdown, sigterm_under_load_no_duplicates, .timeout = 120) {
        wk_topics_t t = wk_topics("term", 4);
        int port = free_port();
        char addr[64], *text = NULL;
        const char *const ex1[] = {"--threads", "2", "--metrics-addr", addr,
                                   "-X", "kafka.statistics.interval.ms=500",
                                   "--shutdown-timeout-ms", "10000", NULL};
        static const char *const ex2[] = {"--threads", "1", "--metrics-addr",
                                          "", NULL};
        static const char *const ex3[] = {"--metrics-addr", "",
                                          "--exit-on-eof", NULL};
        const char *log1 = "/tmp/it-worker-term-1.log",
                   *log2 = "/tmp/it-worker-term-2.log",
                   *log3 = "/tmp/it-worker-term-3.log";
        int *seen = calloc(NARTICLES, sizeof(int));
        size_t missing = 0, dups = 0;
        pid_t a, b, c;
        int64_t deadline;
        long ready = 0;
        int st;

        snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
        unlink(log1);
        unlink(log2);
        unlink(log3);
        wk_ingest(&t, NARTICLES);
        a = wk_start(&t, log1, ex1);
        b = wk_start(&t, log2, ex2);

        /* the endpoints while it runs */
        deadline = wk_now_ms() + 30000;
        while (wk_now_ms() < deadline &&
               (ready = http_get(port, "/readyz", NULL)) != 200)
                usleep(200000);
        cr_assert(eq(long, ready, 200), "/readyz never 200 (log %s)", log1);
        cr_assert(eq(long, http_get(port, "/healthz", NULL), 200));
        cr_assert(eq(long, http_get(port, "/nope", NULL), 404));
        wk_wait_committed(&t, NARTICLES / 5, 60000);
        /* lag appears with the first statistics after assignment */
        deadline = wk_now_ms() + 10000;
        do {
                free(text);
                cr_assert(eq(long, http_get(port, "/metrics", &text), 200));
                usleep(200000);
        } while (!strstr(text, "inkstream_consumer_lag{partition=") &&
                 wk_now_ms() < deadline);
        cr_expect(metric(text, "inkstream_articles_consumed_total") > 0,
                  "%s", text);
        cr_expect(metric(text, "inkstream_articles_enriched_total") > 0);
        cr_expect(metric(text, "inkstream_rebalances_total") >= 1);
        cr_expect(metric(text, "inkstream_enrichment_threads") == 2);
        cr_expect(metric(text, "inkstream_assigned_partitions") >= 1);
        cr_expect(not(eq(ptr, strstr(text, "inkstream_consumer_lag{partition="),
                         NULL)),
                  "no lag in %s", text);
        cr_expect(not(eq(ptr, strstr(text, "inkstream_step_seconds_bucket{"
                                           "step=\"enrich\",le=\"+Inf\"}"),
                         NULL)));
        cr_expect(not(eq(ptr, strstr(text, "inkstream_alerts_total{type="),
                         NULL)));
        cr_expect(metric(text, "inkstream_end_to_end_seconds_count") > 0);
        free(text);

        /* SIGTERM under load: the other worker takes over */
        term_within_bound(a, log1);
        cr_assert(eq(long, http_get(port, "/healthz", NULL), 0),
                  "listener still up after exit");
        wk_wait_committed(&t, NARTICLES * 6 / 10, 60000);
        term_within_bound(b, log2);

        /* restart: finish the rest */
        c = wk_start(&t, log3, ex3);
        st = wk_wait(c, 60000);
        cr_assert(wk_exited_ok(st),
                  "restarted worker failed (log %s)", log3);
        wk_count_ids(&t, NARTICLES, seen, 60000);
        for (int i = 0; i < NARTICLES; i++) {
                missing += seen[i] == 0;
                dups += seen[i] > 1 ? (size_t)seen[i] - 1 : 0;
        }
        cr_assert(eq(sz, missing, 0), "%zu ids never enriched", missing);
        cr_assert(eq(sz, dups, 0),
                  "%zu duplicates after clean SIGTERMs (logs %s, %s)", dups,
                  log1, log2);
        free(seen);
}

/*
 * Authenticated brokers: SCRAM-SHA-512 over SASL_PLAINTEXT and SASL_SSL
 * (a CA made with openssl when the broker starts), against the broker of
 * tests/integration/sasl-broker.sh (a ctest fixture).  The right
 * credentials let ingest, enrich and alerts work; a wrong password makes
 * them stop soon with a clear message and a non-zero exit; the password is
 * never printed, dumped or copied into a dead letter.
 *
 * Environment (set by ctest): INK_BROKERS (the broker's PLAINTEXT listener,
 * used to create and read topics), INK_SASL_BROKERS, INK_SASL_SSL_BROKERS,
 * INK_SASL_USER, INK_SASL_PASSWORD, INK_SASL_CA.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

/* A wrong password that is easy to look for in any output. */
#define WRONG_PASSWORD "wrong-Pw-7f3a91"

/* The value of environment variable \p name; fails the test without it. */
static const char *env(const char *name) {
        const char *v = getenv(name);
        cr_assert(v && *v, "%s is not set (run through ctest)", name);
        return v;
}

/* The -X options selecting SCRAM-SHA-512 with \p password over
 * \p protocol, written into \p buf (borrowed). */
static const char *sasl_opts(char *buf, size_t size, const char *protocol,
                             const char *password) {
        int n = snprintf(buf, size,
                         "-X kafka.security.protocol=%s "
                         "-X kafka.sasl.mechanism=SCRAM-SHA-512 "
                         "-X kafka.sasl.username=%s "
                         "-X kafka.sasl.password=%s",
                         protocol, env("INK_SASL_USER"), password);
        cr_assert(n > 0 && (size_t)n < size);
        if (!strcmp(protocol, "SASL_SSL")) {
                size_t len = strlen(buf);
                n = snprintf(buf + len, size - len,
                             " -X kafka.ssl.ca.location=%s",
                             env("INK_SASL_CA"));
                cr_assert(n > 0 && (size_t)n < size - len);
        }
        return buf;
}

static double now_s(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Runs \p cmd (stderr folded in); the output goes to *outp (owned by the
 * caller), the seconds it took to *secsp. @returns the exit status. */
static int run_timed(const char *cmd, char **outp, double *secsp) {
        double t0 = now_s();
        int rc = it_run(cmd, outp);
        *secsp = now_s() - t0;
        return rc;
}

/* ingest (a good article and a bad one), enrich, alerts: all through
 * \p brokers with \p protocol and the right password. */
static void full_path(const char *brokers, const char *protocol,
                      const char *base) {
        it_topics_t t = it_topics(base, 2, 1);
        const char *password = env("INK_SASL_PASSWORD");
        char opts[1024], cmd[4096], *out = NULL, *h;
        it_recs_t recs;
        double secs;

        sasl_opts(opts, sizeof(opts), protocol, password);
        snprintf(cmd, sizeof(cmd),
                 "%s ingest --brokers %s --topic %s %s %s/trump-putin-call.txt"
                 " 2>&1", it_bin(), brokers, t.in, opts, INK_TEST_DATA);
        cr_assert(eq(int, run_timed(cmd, &out, &secs), 0), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "1 produced"), NULL)), "%s", out);
        cr_expect(eq(ptr, strstr(out, password), NULL), "%s", out);
        free(out);
        /* a dead letter, to check that its headers carry no credentials */
        it_produce(t.in, "bad", "{\"id\": \"x1\"}", 12);

        snprintf(cmd, sizeof(cmd),
                 "%s enrich --brokers %s --group %s --input %s --output %s "
                 "--alerts %s --dlq %s --exit-on-eof %s 2>&1",
                 it_bin(), brokers, t.group, t.in, t.out, t.alerts, t.dlq,
                 opts);
        cr_assert(eq(int, run_timed(cmd, &out, &secs), 0), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "1 enriched"), NULL)), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "1 dead letters"), NULL)), "%s",
                  out);
        cr_expect(eq(ptr, strstr(out, password), NULL), "%s", out);
        free(out);

        recs = it_read_all(t.out, 1, 30000);
        cr_expect(eq(sz, recs.cnt, 1));
        it_recs_free(&recs);
        recs = it_read_all(t.dlq, 1, 30000);
        cr_assert(eq(sz, recs.cnt, 1));
        h = it_header(&recs.v[0], "inkstream.error.class");
        cr_expect(eq(str, h ? h : "", "invalid_input"));
        free(h);
        if (recs.v[0].hdrs) {
                const char *name;
                const void *v;
                size_t sz;
                for (size_t i = 0;
                     !rd_kafka_header_get_all(recs.v[0].hdrs, i, &name, &v,
                                              &sz);
                     i++) {
                        char *s = strndup(v ? v : "", sz);
                        cr_expect(eq(ptr, strstr(s, password), NULL),
                                  "header %s: %s", name, s);
                        free(s);
                }
        }
        it_recs_free(&recs);

        snprintf(cmd, sizeof(cmd),
                 "%s alerts --brokers %s --topic %s --from-beginning "
                 "--exit-on-eof --json %s 2>&1", it_bin(), brokers, t.alerts,
                 opts);
        cr_assert(eq(int, run_timed(cmd, &out, &secs), 0), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "Vladimir Putin"), NULL)), "%s",
                  out);
        free(out);
        it_topics_free(&t);
}

Test(sasl, scram_sha512_right_password_works, .timeout = 240) {
        full_path(env("INK_SASL_BROKERS"), "SASL_PLAINTEXT", "scram");
}

Test(sasl, scram_sha512_over_tls_works, .timeout = 240) {
        full_path(env("INK_SASL_SSL_BROKERS"), "SASL_SSL", "scram-tls");
}

/* Runs \p cmd (an inkstream command with the wrong password); it must
 * exit non-zero within 15 s, saying that authentication failed, without
 * printing the password. */
static void expect_auth_failure(const char *cmd) {
        char *out = NULL;
        double secs;
        int rc = run_timed(cmd, &out, &secs);

        cr_expect(not(eq(int, rc, 0)), "exit 0 with a wrong password: %s",
                  out);
        cr_expect(lt(dbl, secs, 15.0), "took %.1f s: %s", secs, out);
        cr_expect(not(eq(ptr, strstr(out, "Authentication failed"), NULL)),
                  "no clear message: %s", out);
        cr_expect(eq(ptr, strstr(out, WRONG_PASSWORD), NULL),
                  "the password was printed: %s", out);
        free(out);
}

Test(sasl, enrich_wrong_password_fails_fast, .timeout = 120) {
        it_topics_t t = it_topics("wrongpw", 2, 1);
        char opts[1024], cmd[4096];

        snprintf(cmd, sizeof(cmd),
                 "%s enrich --brokers %s --group %s --input %s --output %s "
                 "--alerts %s --dlq %s --exit-on-eof %s 2>&1",
                 it_bin(), env("INK_SASL_BROKERS"), t.group, t.in, t.out,
                 t.alerts, t.dlq,
                 sasl_opts(opts, sizeof(opts), "SASL_PLAINTEXT",
                           WRONG_PASSWORD));
        expect_auth_failure(cmd);
        it_topics_free(&t);
}

Test(sasl, alerts_wrong_password_fails_fast, .timeout = 120) {
        it_topics_t t = it_topics("wrongpw", 2, 1);
        char opts[1024], cmd[4096];

        snprintf(cmd, sizeof(cmd),
                 "%s alerts --brokers %s --topic %s --from-beginning "
                 "--exit-on-eof %s 2>&1",
                 it_bin(), env("INK_SASL_BROKERS"), t.alerts,
                 sasl_opts(opts, sizeof(opts), "SASL_PLAINTEXT",
                           WRONG_PASSWORD));
        expect_auth_failure(cmd);
        it_topics_free(&t);
}

Test(sasl, ingest_wrong_password_fails, .timeout = 120) {
        it_topics_t t = it_topics("wrongpw", 2, 1);
        char opts[1024], cmd[4096];

        /* ingest stops at the authentication error, without waiting for
         * message.timeout.ms */
        snprintf(cmd, sizeof(cmd),
                 "echo '{\"id\":\"a1\",\"body\":\"b\"}' | %s ingest "
                 "--brokers %s --topic %s %s 2>&1",
                 it_bin(), env("INK_SASL_BROKERS"), t.in,
                 sasl_opts(opts, sizeof(opts), "SASL_PLAINTEXT",
                           WRONG_PASSWORD));
        expect_auth_failure(cmd);
        it_topics_free(&t);
}

/* A running worker (verbose log) with the right password: its log and
 * /metrics never show the password, and the listener answers its three
 * paths only. */
Test(sasl, metrics_and_log_carry_no_secret, .timeout = 120) {
        it_topics_t t = it_topics("metrics", 2, 1);
        const char *password = env("INK_SASL_PASSWORD");
        char opts[1024], cmd[8192], *out = NULL;
        int port = 39000 + (int)(getpid() % 500);

        snprintf(cmd, sizeof(cmd),
                 "log=$(mktemp); %s enrich -v --brokers %s --group %s "
                 "--input %s --output %s --alerts %s --dlq %s "
                 "-X metrics.addr=127.0.0.1:%d %s >$log 2>&1 & pid=$!; "
                 "u=http://127.0.0.1:%d; ok=0; "
                 "for i in $(seq 100); do "
                 "  curl -sf $u/readyz >/dev/null && ok=1 && break; "
                 "  sleep 0.2; done; "
                 "echo ready=$ok; curl -s $u/metrics; "
                 "echo healthz=$(curl -s -o /dev/null -w '%%{http_code}' "
                 "$u/healthz); "
                 "echo other=$(curl -s -o /dev/null -w '%%{http_code}' "
                 "$u/config); "
                 "kill -TERM $pid; wait $pid; echo exit=$?; cat $log; "
                 "rm -f $log",
                 it_bin(), env("INK_SASL_BROKERS"), t.group, t.in, t.out,
                 t.alerts, t.dlq, port,
                 sasl_opts(opts, sizeof(opts), "SASL_PLAINTEXT", password),
                 port);
        it_run(cmd, &out);
        cr_expect(not(eq(ptr, strstr(out, "ready=1"), NULL)), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "inkstream_articles_consumed_total"),
                         NULL)), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "healthz=200"), NULL)), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "other=404"), NULL)), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "exit=0"), NULL)), "%s", out);
        cr_expect(eq(ptr, strstr(out, password), NULL),
                  "the password was shown: %s", out);
        free(out);
        it_topics_free(&t);
}

/* config --dump masks every secret, from -X, INKSTREAM_* and a file. */
Test(sasl, secrets_masked_in_config_dump) {
        char path[] = "/tmp/ink-sasl-conf-XXXXXX", cmd[2048], *out = NULL;
        int fd = mkstemp(path);
        FILE *fp;

        cr_assert(fd >= 0);
        close(fd);
        fp = fopen(path, "w");
        cr_assert(not(eq(ptr, fp, NULL)));
        fprintf(fp, "kafka.ssl.key.password=file-Secret-1\n"
                    "kafka.sasl.username=svc-enrich\n");
        fclose(fp);
        snprintf(cmd, sizeof(cmd),
                 "INKSTREAM_KAFKA_SASL_PASSWORD=env-Secret-2 %s config "
                 "--dump --config %s -X kafka.ssl.keystore.password="
                 "flag-Secret-3 -X kafka.sasl.jaas.config=jaas-Secret-4 2>&1",
                 it_bin(), path);
        cr_assert(eq(int, it_run(cmd, &out), 0), "%s", out);
        cr_expect(eq(ptr, strstr(out, "Secret-"), NULL), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "kafka.sasl.password=********"),
                         NULL)), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "kafka.ssl.key.password=********"),
                         NULL)), "%s", out);
        /* not a secret: shown as it is */
        cr_expect(not(eq(ptr, strstr(out, "kafka.sasl.username=svc-enrich"),
                         NULL)), "%s", out);
        free(out);
        unlink(path);
}

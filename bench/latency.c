/*
 * Helper of the benchmark scripts (bench/latency.sh, bench/e2e.sh).
 *
 *   latency create-topic BROKERS TOPIC PARTITIONS
 *       creates TOPIC (replication factor 1); an existing topic is fine.
 *
 *   latency rate BROKERS RAW OUT ALERTS CORPUS.jsonl RATE SECONDS EVERY
 *       produces articles to RAW at RATE per second for SECONDS seconds
 *       (the bodies taken in turn from CORPUS.jsonl, every EVERY-th one a
 *       short summit announcement naming a new leader, so that each is a
 *       new event for the novelty filter; each with a new id), while reading OUT
 *       and ALERTS.  For each enriched record and each alert it takes the
 *       latency from the input record's timestamp (CreateTime, set here at
 *       produce time) to the output record's timestamp (CreateTime, set by
 *       the worker's producer) and to the moment this reader received it,
 *       and prints min/p50/p99/max of each as key=value lines.  One warm-up
 *       summit announcement (not counted) waits up to 60 s for the worker
 *       to join and for its alert (the events topic and the novelty group
 *       being set up).  With LATENCY_DUMP=FILE every sample is also
 *       written to FILE as "enriched|alert INDEX MS" lines.
 *
 * Exit status 0 when every expected record arrived, 1 on errors or when
 * records are missing after the drain timeout (20 s), 2 on usage errors.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Latency samples of one output kind, in microseconds. */
typedef struct {
        int64_t *ts;   /* output CreateTime - input CreateTime */
        int64_t *recv; /* receipt wall time - input CreateTime */
        size_t n;
} samples_t;

static void die(const char *what, const char *why) {
        fprintf(stderr, "latency: %s: %s\n", what, why);
        exit(1);
}

static int64_t mono_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t wall_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A new client of \p type on \p brokers; dies on a configuration error.
 * Owned by the caller. */
static rd_kafka_t *client(rd_kafka_type_t type, const char *brokers,
                          const char *group) {
        char err[512];
        rd_kafka_conf_t *c = rd_kafka_conf_new();
        if (rd_kafka_conf_set(c, "bootstrap.servers", brokers, err,
                              sizeof(err)) ||
            (type == RD_KAFKA_PRODUCER &&
             rd_kafka_conf_set(c, "linger.ms", "0", err, sizeof(err))) ||
            (type == RD_KAFKA_CONSUMER &&
             (rd_kafka_conf_set(c, "group.id", group, err, sizeof(err)) ||
              rd_kafka_conf_set(c, "auto.offset.reset", "earliest", err,
                                sizeof(err)) ||
              rd_kafka_conf_set(c, "fetch.wait.max.ms", "5", err,
                                sizeof(err)) ||
              rd_kafka_conf_set(c, "enable.auto.commit", "false", err,
                                sizeof(err)))))
                die("configuration", err);
        rd_kafka_t *rk = rd_kafka_new(type, c, err, sizeof(err));
        if (!rk)
                die("client", err);
        return rk;
}

/* Creates \p topic with \p partitions partitions; an existing topic is not
 * an error.  Borrows \p rk. */
static void create_topic(rd_kafka_t *rk, const char *topic, int partitions) {
        char err[512];
        rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, 1,
                                                        err, sizeof(err));
        if (!nt)
                die(topic, err);
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
        if (!ev)
                die(topic, "no answer to CreateTopics within 30 s");
        const rd_kafka_CreateTopics_result_t *res =
                rd_kafka_event_CreateTopics_result(ev);
        size_t n = 0;
        const rd_kafka_topic_result_t **tr =
                res ? rd_kafka_CreateTopics_result_topics(res, &n) : NULL;
        if (!res)
                die(topic, rd_kafka_event_error_string(ev));
        for (size_t i = 0; i < n; i++) {
                rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[i]);
                if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
                        die(topic, rd_kafka_topic_result_error_string(tr[i]));
        }
        rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(q);
        rd_kafka_NewTopic_destroy(nt);
}

/* Reads the lines of \p path into a new array (owned by the caller, as
 * are its strings); *n receives the count.  Dies when there is none. */
static char **read_lines(const char *path, size_t *n) {
        FILE *f = fopen(path, "r");
        if (!f)
                die(path, "cannot open");
        char **v = NULL;
        size_t cap = 0;
        char *line = NULL;
        size_t lcap = 0;
        ssize_t len;
        *n = 0;
        while ((len = getline(&line, &lcap, f)) > 0) {
                if (*n == cap) {
                        cap = cap ? 2 * cap : 1024;
                        v = realloc(v, cap * sizeof(*v));
                        if (!v)
                                die(path, "out of memory");
                }
                v[(*n)++] = strdup(line);
        }
        free(line);
        fclose(f);
        if (*n == 0)
                die(path, "no lines");
        return v;
}

/* The JSON article (owned by the caller) with id \p id: the body and title
 * of the JSON line \p line, or, when \p summit >= 0, a summit announcement
 * between Donald Trump and a leader whose surname is made from the number
 * \p summit (a new event key for each number). */
static char *article(const char *id, const char *line, long summit) {
        static const char *syl[] = {"ba", "ke", "lo", "mi", "nu",
                                    "ra", "so", "ti", "vo", "ze"};
        json_t *a;
        if (summit >= 0) {
                char name[64] = "", body[512];
                long v = summit;
                do {
                        strcat(name, syl[v % 10]);
                        v /= 10;
                } while (v > 0 && strlen(name) < 40);
                name[0] = (char)(name[0] - 'a' + 'A');
                a = json_object();
                json_object_set_new(a, "title",
                                    json_string("Trump to meet Moldovan "
                                                "president"));
                snprintf(body, sizeof(body),
                         "US President Donald Trump will meet Moldovan "
                         "President Ilan %sov in Geneva next week, the White "
                         "House said on Monday. The two leaders plan talks "
                         "on trade.", name);
                json_object_set_new(a, "body", json_string(body));
        } else {
                json_error_t je;
                a = json_loads(line, 0, &je);
                if (!a)
                        die("corpus line", je.text);
        }
        json_object_set_new(a, "id", json_string(id));
        char *s = json_dumps(a, JSON_COMPACT);
        json_decref(a);
        if (!s)
                die("article", "cannot serialise");
        return s;
}

static int cmp_i64(const void *a, const void *b) {
        int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
        return x < y ? -1 : x > y;
}

/* Prints min/p50/p99/max (ms, nearest rank) of \p v[0..n) (sorted here)
 * as "<prefix>_<stat>_ms=value" lines. */
static void print_stats(const char *prefix, int64_t *v, size_t n) {
        if (n == 0) {
                printf("%s_n=0\n", prefix);
                return;
        }
        qsort(v, n, sizeof(*v), cmp_i64);
        size_t i50 = (n - 1) / 2, i99 = (size_t)((double)(n - 1) * 0.99);
        printf("%s_n=%zu\n%s_min_ms=%.2f\n%s_p50_ms=%.2f\n"
               "%s_p99_ms=%.2f\n%s_max_ms=%.2f\n",
               prefix, n, prefix, v[0] / 1000.0, prefix, v[i50] / 1000.0,
               prefix, v[i99] / 1000.0, prefix, v[n - 1] / 1000.0);
}

/* Index of the article named in \p buf (key or alert value) by the id
 * prefix \p pfx, or -1. */
static long find_index(const void *buf, size_t len, const char *pfx) {
        const char *p = memmem(buf, len, pfx, strlen(pfx));
        if (!p)
                return -1;
        p += strlen(pfx);
        const char *end = (const char *)buf + len;
        long v = 0;
        int digits = 0;
        while (p < end && *p >= '0' && *p <= '9' && digits < 12) {
                v = v * 10 + (*p++ - '0');
                digits++;
        }
        return digits ? v : -1;
}

static int cmd_rate(char **argv) {
        const char *brokers = argv[0], *raw = argv[1], *out = argv[2],
                   *alerts = argv[3];
        double rate = atof(argv[5]);
        double secs = atof(argv[6]);
        long every = atol(argv[7]);
        if (rate <= 0 || secs <= 0 || every < 0)
                die("usage", "RATE and SECONDS must be > 0, EVERY >= 0");
        size_t nlines;
        char **lines = read_lines(argv[4], &nlines);
        long total = (long)(rate * secs);
        if (total < 1)
                total = 1;

        int64_t *ts_in = calloc((size_t)total + 1, sizeof(*ts_in));
        char *is_summit = calloc((size_t)total + 1, 1);
        char *got_enr = calloc((size_t)total + 1, 1);
        char *got_alert = calloc((size_t)total + 1, 1);
        samples_t enr = {calloc((size_t)total + 1, 8),
                         calloc((size_t)total + 1, 8), 0};
        samples_t alr = {calloc((size_t)total + 1, 8),
                         calloc((size_t)total + 1, 8), 0};
        if (!ts_in || !is_summit || !got_enr || !got_alert || !enr.ts ||
            !enr.recv || !alr.ts || !alr.recv)
                die("samples", "out of memory");

        char pfx[64], group[96];
        snprintf(pfx, sizeof(pfx), "lat-%d-", (int)getpid());
        snprintf(group, sizeof(group), "latency-reader-%d", (int)getpid());
        rd_kafka_t *rp = client(RD_KAFKA_PRODUCER, brokers, NULL);
        rd_kafka_t *rc = client(RD_KAFKA_CONSUMER, brokers, group);
        rd_kafka_poll_set_consumer(rc);
        rd_kafka_topic_partition_list_t *sub =
                rd_kafka_topic_partition_list_new(2);
        rd_kafka_topic_partition_list_add(sub, out, RD_KAFKA_PARTITION_UA);
        if (every > 0)
                rd_kafka_topic_partition_list_add(sub, alerts,
                                                  RD_KAFKA_PARTITION_UA);
        rd_kafka_resp_err_t err = rd_kafka_subscribe(rc, sub);
        rd_kafka_topic_partition_list_destroy(sub);
        if (err)
                die("subscribe", rd_kafka_err2str(err));

        /* Index 0 is the warm-up article; 1..total are measured. */
        long expect_alerts = 0;
        long n_enr = 0, n_alr = 0;
        for (long i = 0; i <= total; i++) {
                /* the warm-up is a summit announcement too, so that the
                 * alert path (events topic, novelty group) is set up
                 * before the measured articles start */
                is_summit[i] = every > 0 && i % every == 0;
                expect_alerts += i > 0 && is_summit[i];
        }
        int64_t period_us = (int64_t)(1e6 / rate);
        int64_t next = 0, deadline = 0;
        long i = 0;
        int warm = 0, warm_enr = 0, warm_alert = every == 0;
        FILE *dump = NULL;
        if (getenv("LATENCY_DUMP") && !(dump = fopen(getenv("LATENCY_DUMP"),
                                                     "w")))
                die(getenv("LATENCY_DUMP"), "cannot open");
        for (;;) {
                int64_t now = mono_us();
                if (i <= total && (i == 0 || (warm && now >= next))) {
                        char id[96];
                        snprintf(id, sizeof(id), "%s%ld", pfx, i);
                        char *val = article(id, lines[i % nlines],
                                            is_summit[i] ? i : -1);
                        int64_t tw = wall_us();
                        ts_in[i] = tw / 1000;
                        while ((err = rd_kafka_producev(
                                        rp, RD_KAFKA_V_TOPIC(raw),
                                        RD_KAFKA_V_KEY(id, strlen(id)),
                                        RD_KAFKA_V_VALUE(val, strlen(val)),
                                        RD_KAFKA_V_TIMESTAMP(ts_in[i]),
                                        RD_KAFKA_V_MSGFLAGS(
                                                RD_KAFKA_MSG_F_COPY),
                                        RD_KAFKA_V_END)) ==
                               RD_KAFKA_RESP_ERR__QUEUE_FULL)
                                rd_kafka_poll(rp, 10);
                        if (err)
                                die("produce", rd_kafka_err2str(err));
                        free(val);
                        if (i == 0)
                                deadline = now + 60000000;
                        else
                                next += period_us;
                        i++;
                        if (i > total)
                                deadline = mono_us() + 20000000;
                        rd_kafka_poll(rp, 0);
                        continue;
                }
                if (i > total && n_enr >= total && n_alr >= expect_alerts)
                        break;
                if (now > deadline) {
                        if (!warm)
                                die("warm-up", "no enriched record within "
                                               "60 s (is a worker running?)");
                        break;
                }
                int wait_ms = 100;
                if (warm && i <= total)
                        wait_ms = next > now ? (int)((next - now) / 1000) : 0;
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rc, wait_ms);
                rd_kafka_poll(rp, 0);
                if (!m)
                        continue;
                int64_t recv = wall_us();
                if (m->err) {
                        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                                fprintf(stderr, "latency: consumer: %s\n",
                                        rd_kafka_message_errstr(m));
                        rd_kafka_message_destroy(m);
                        continue;
                }
                int is_alert = strcmp(rd_kafka_topic_name(m->rkt), out) != 0;
                long k = is_alert ? find_index(m->payload, m->len, pfx)
                                  : find_index(m->key, m->key_len, pfx);
                if (k >= 0 && k <= total) {
                        int64_t tout = rd_kafka_message_timestamp(m, NULL);
                        if (k == 0 && !warm) {
                                warm_enr |= !is_alert;
                                warm_alert |= is_alert;
                                if (warm_enr && warm_alert) {
                                        warm = 1;
                                        next = mono_us();
                                }
                        } else if (k > 0 && !is_alert && !got_enr[k]) {
                                got_enr[k] = 1;
                                enr.ts[enr.n] = (tout - ts_in[k]) * 1000;
                                enr.recv[enr.n++] = recv - ts_in[k] * 1000;
                                n_enr++;
                                if (dump)
                                        fprintf(dump, "enriched %ld %lld\n",
                                                k, (long long)(tout - ts_in[k]));
                        } else if (k > 0 && is_alert && is_summit[k] &&
                                   !got_alert[k]) {
                                got_alert[k] = 1;
                                alr.ts[alr.n] = (tout - ts_in[k]) * 1000;
                                alr.recv[alr.n++] = recv - ts_in[k] * 1000;
                                n_alr++;
                                if (dump)
                                        fprintf(dump, "alert %ld %lld\n", k,
                                                (long long)(tout - ts_in[k]));
                        }
                }
                rd_kafka_message_destroy(m);
        }

        printf("rate=%.1f\nseconds=%.1f\nproduced=%ld\nsummit_every=%ld\n",
               rate, secs, total, every);
        printf("enriched_missing=%ld\nalerts_missing=%ld\n", total - n_enr,
               expect_alerts - n_alr);
        print_stats("enriched_ts", enr.ts, enr.n);
        print_stats("enriched_recv", enr.recv, enr.n);
        print_stats("alert_ts", alr.ts, alr.n);
        print_stats("alert_recv", alr.recv, alr.n);

        if (dump)
                fclose(dump);
        rd_kafka_flush(rp, 5000);
        rd_kafka_consumer_close(rc);
        rd_kafka_destroy(rc);
        rd_kafka_destroy(rp);
        for (size_t j = 0; j < nlines; j++)
                free(lines[j]);
        free(lines);
        free(ts_in);
        free(is_summit);
        free(got_enr);
        free(got_alert);
        free(enr.ts);
        free(enr.recv);
        free(alr.ts);
        free(alr.recv);
        return (total - n_enr) || (expect_alerts - n_alr) ? 1 : 0;
}

int main(int argc, char **argv) {
        if (argc == 5 && !strcmp(argv[1], "create-topic")) {
                rd_kafka_t *rp = client(RD_KAFKA_PRODUCER, argv[2], NULL);
                create_topic(rp, argv[3], atoi(argv[4]));
                rd_kafka_destroy(rp);
                return 0;
        }
        if (argc == 10 && !strcmp(argv[1], "rate"))
                return cmd_rate(argv + 2);
        fprintf(stderr,
                "usage: latency create-topic BROKERS TOPIC PARTITIONS\n"
                "       latency rate BROKERS RAW OUT ALERTS CORPUS.jsonl "
                "RATE SECONDS EVERY\n");
        return 2;
}

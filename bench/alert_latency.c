/*
 * Helper of bench/alert_latency.sh: produces an article RUNS times (a new
 * id each time) to the raw topic and measures, for each, the time until
 * an alert record naming that article id is readable on the alert topic;
 * prints min, p50, p90, p99 and max in milliseconds.  Each run recasts
 * the sample's two leaders (Donald Trump, Vladimir Putin) as another pair
 * of real leaders, so that each is a new encounter: the novelty processor
 * raises an alert only for an encounter it has not seen (at most 99 runs:
 * 10 x 10 pairs, one for the warm-up).
 *
 * usage: alert_latency BROKERS RAW_TOPIC ALERT_TOPIC ARTICLE.txt RUNS
 *   ARTICLE.txt is plain text: the first line the title, the rest the
 *   body.  One warm-up run (not counted) waits up to 60 s for the workers
 *   to join their group.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what, const char *why) {
        fprintf(stderr, "alert_latency: %s: %s\n", what, why);
        exit(1);
}

static rd_kafka_t *client(rd_kafka_type_t type, const char *brokers) {
        char err[512];
        rd_kafka_conf_t *c = rd_kafka_conf_new();
        if (rd_kafka_conf_set(c, "bootstrap.servers", brokers, err,
                              sizeof(err)) ||
            (type == RD_KAFKA_PRODUCER &&
             rd_kafka_conf_set(c, "linger.ms", "0", err, sizeof(err))) ||
            (type == RD_KAFKA_CONSUMER &&
             (rd_kafka_conf_set(c, "group.id", "alert-latency-reader", err,
                                sizeof(err)) ||
              rd_kafka_conf_set(c, "enable.auto.commit", "false", err,
                                sizeof(err)) ||
              rd_kafka_conf_set(c, "fetch.wait.max.ms", "5", err,
                                sizeof(err)))))
                die("config", err);
        rd_kafka_t *rk = rd_kafka_new(type, c, err, sizeof(err));
        if (!rk)
                die("client", err);
        return rk;
}

/* Creates \p topic (1 partition) unless it exists. */
static void create_topic(rd_kafka_t *rk, const char *topic) {
        char err[256];
        rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, 1, -1, err,
                                                        sizeof(err));
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        if (!nt)
                die(topic, err);
        rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
        const rd_kafka_CreateTopics_result_t *res =
                ev ? rd_kafka_event_CreateTopics_result(ev) : NULL;
        size_t n = 0;
        const rd_kafka_topic_result_t **tr =
                res ? rd_kafka_CreateTopics_result_topics(res, &n) : NULL;
        if (!n || (rd_kafka_topic_result_error(tr[0]) &&
                   rd_kafka_topic_result_error(tr[0]) !=
                           RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS))
                die(topic, n ? rd_kafka_topic_result_error_string(tr[0])
                             : "CreateTopics failed");
        rd_kafka_event_destroy(ev);
        rd_kafka_NewTopic_destroy(nt);
        rd_kafka_queue_destroy(q);
}

/* Waits for an alert whose payload names \p id.  @returns the time it
 * became readable (us) or -1 after \p timeout_ms. */
static int64_t wait_alert(rd_kafka_t *rc, const char *id, int timeout_ms) {
        int64_t deadline = now_us() + (int64_t)timeout_ms * 1000;
        while (now_us() < deadline) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rc, 10);
                if (!m)
                        continue;
                int hit = !m->err && m->payload &&
                          memmem(m->payload, m->len, id, strlen(id));
                rd_kafka_message_destroy(m);
                if (hit)
                        return now_us();
        }
        return -1;
}

static const char *const side_a[10] = {
        "Emmanuel Macron", "Olaf Scholz", "Narendra Modi", "Fumio Kishida",
        "Justin Trudeau", "Pedro Sanchez", "Giorgia Meloni",
        "Anthony Albanese", "Mark Rutte", "Keir Starmer",
};
static const char *const side_b[10] = {
        "Tayyip Erdogan", "Shehbaz Sharif", "Cyril Ramaphosa", "Bola Tinubu",
        "Javier Milei", "Gustavo Petro", "William Ruto", "Paul Kagame",
        "Viktor Orban", "Andrzej Duda",
};

/* @returns \p s with every \p from replaced by \p to (malloc'ed). */
static char *replace_all(const char *s, const char *from, const char *to) {
        size_t fl = strlen(from), tl = strlen(to), n = 0, len;
        const char *p;
        char *out, *o;

        for (p = s; (p = strstr(p, from)); p += fl)
                n++;
        len = strlen(s) + n * tl + 1;
        out = o = malloc(len);
        if (!out)
                die("recast", "out of memory");
        while ((p = strstr(s, from))) {
                memcpy(o, s, (size_t)(p - s));
                o += p - s;
                memcpy(o, to, tl);
                o += tl;
                s = p + fl;
        }
        strcpy(o, s);
        return out;
}

/* @returns \p text with the sample's leaders recast as pair \p k
 * (0..99), full names first, then lone surnames (malloc'ed). */
static char *recast(const char *text, int k) {
        const char *a = side_a[k % 10], *b = side_b[k / 10 % 10];
        char *t1 = replace_all(text, "Donald Trump", a);
        char *t2 = replace_all(t1, "Trump", strrchr(a, ' ') + 1);
        char *t3 = replace_all(t2, "Vladimir Putin", b);
        char *t4 = replace_all(t3, "Putin", strrchr(b, ' ') + 1);

        free(t1);
        free(t2);
        free(t3);
        return t4;
}

static int cmp_i64(const void *a, const void *b) {
        int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
        return x < y ? -1 : x > y;
}

static double pct(const int64_t *v, int n, double p) {
        int i = (int)(p * (n - 1) + 0.5);
        return (double)v[i] / 1000.0;
}

int main(int argc, char **argv) {
        if (argc != 6) {
                fprintf(stderr, "usage: alert_latency BROKERS RAW_TOPIC "
                                "ALERT_TOPIC ARTICLE.txt RUNS\n");
                return 2;
        }
        const char *brokers = argv[1], *raw = argv[2], *alerts = argv[3];
        int runs = atoi(argv[5]);
        FILE *fp = fopen(argv[4], "r");
        static char text[1 << 20];
        if (!fp || runs < 1 || runs > 99)
                die(argv[4], "cannot read, or RUNS not in 1..99");
        size_t len = fread(text, 1, sizeof(text) - 1, fp);
        fclose(fp);
        text[len] = '\0';
        char *nl = strchr(text, '\n');
        if (!nl)
                die(argv[4], "needs a title line and a body");
        *nl = '\0';

        rd_kafka_t *rp = client(RD_KAFKA_PRODUCER, brokers);
        rd_kafka_t *rc = client(RD_KAFKA_CONSUMER, brokers);
        create_topic(rp, raw);
        create_topic(rp, alerts);
        rd_kafka_poll_set_consumer(rc);
        int64_t lo, hi;
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
                rc, alerts, 0, &lo, &hi, 10000);
        if (err)
                die(alerts, rd_kafka_err2str(err));
        rd_kafka_topic_partition_list_t *l =
                rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, alerts, 0)->offset = hi;
        rd_kafka_assign(rc, l);
        rd_kafka_topic_partition_list_destroy(l);

        int64_t *lat = calloc((size_t)runs, sizeof(*lat));
        for (int i = -1; i < runs; i++) {
                char id[64];
                snprintf(id, sizeof(id), "bench-%d-%d", (int)getpid(), i + 1);
                char *title = recast(text, i + 1), *body = recast(nl + 1,
                                                                  i + 1);
                json_t *a = json_pack("{s:s, s:s, s:s, s:s}", "id", id,
                                      "title", title, "body", body,
                                      "published", "2025-01-10");
                char *js = json_dumps(a, JSON_COMPACT);
                json_decref(a);
                free(title);
                free(body);
                int64_t t0 = now_us();
                if (rd_kafka_producev(rp, RD_KAFKA_V_TOPIC(raw),
                                      RD_KAFKA_V_KEY(id, strlen(id)),
                                      RD_KAFKA_V_VALUE(js, strlen(js)),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                      RD_KAFKA_V_END))
                        die(raw, "produce failed");
                free(js);
                rd_kafka_poll(rp, 0);
                int64_t t1 = wait_alert(rc, id, i < 0 ? 60000 : 10000);
                if (t1 < 0)
                        die(id, "no alert within the timeout (is a worker "
                                "running?)");
                rd_kafka_flush(rp, 1000);
                if (i >= 0)
                        lat[i] = t1 - t0;
        }
        qsort(lat, (size_t)runs, sizeof(*lat), cmp_i64);
        printf("alert latency over %d runs (ms): min %.1f  p50 %.1f  "
               "p90 %.1f  p99 %.1f  max %.1f\n", runs, pct(lat, runs, 0),
               pct(lat, runs, 0.5), pct(lat, runs, 0.9), pct(lat, runs, 0.99),
               pct(lat, runs, 1));
        free(lat);
        rd_kafka_consumer_close(rc);
        rd_kafka_destroy(rc);
        rd_kafka_destroy(rp);
        return 0;
}

/*
 * `inkstream alerts --webhook/--serve` against the real broker and a real
 * HTTP receiver in the test process: retries, signatures, offsets
 * committed only after a 2xx, no duplicate after a clean restart, refused
 * and undecodable alerts in the dead-letter topic, a webhook that stays
 * down, secrets kept out of the logs, and the live page's stream.  Each
 * test prints the time from producing an alert to its arrival.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "ink/codec.h"
#include "ink/delivery.h"
#include "helpers.h"
#include "../unit/webhook_receiver.h"

#define SECRET "it-shared-secret-7f3a"

/* One producer for the whole test (linger 0), so that the time measured
 * from the produce call to the delivery is not the time to connect. */
static rd_kafka_t *producer(void) {
        static rd_kafka_t *rk;
        char err[256];
        rd_kafka_conf_t *kc;

        if (rk)
                return rk;
        kc = rd_kafka_conf_new();
        rd_kafka_conf_set(kc, "bootstrap.servers", it_brokers(), err,
                          sizeof(err));
        rd_kafka_conf_set(kc, "linger.ms", "0", err, sizeof(err));
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, err, sizeof(err));
        cr_assert(rk, "%s", err);
        return rk;
}

/* Produces one encoded alert for participant pair \p n with \p status;
 * @returns the wall-clock ms just before producing. */
static int64_t produce_alert(const char *topic, int n, ink_status_t status,
                             const char *title) {
        char err[256], id[64], key[96], p1[32], art_id[32];
        const char *parts[2], *venues[1] = {"Geneva"}, *buf;
        ink_article_t art;
        ink_alert_t al;
        ink_avro_t *av = ink_avro_new(err, sizeof(err));
        size_t len;
        int64_t t0;

        cr_assert(av, "%s", err);
        memset(&art, 0, sizeof(art));
        memset(&al, 0, sizeof(al));
        snprintf(art_id, sizeof(art_id), "art-%d-%d", n, (int)status);
        snprintf(p1, sizeof(p1), "Person %d", n);
        snprintf(key, sizeof(key), "summit|call|Ann Example|%s", p1);
        snprintf(id, sizeof(id), "alert-%d-%d", n, (int)status);
        parts[0] = "Ann Example";
        parts[1] = p1;
        art.id = art_id;
        art.title = title;
        art.url = "https://news.example/a";
        art.processed_ms = ink_now_ms();
        al.type = "summit";
        al.alert_id = id;
        al.event_key = key;
        al.participants = parts;
        al.nparticipants = 2;
        al.mode = INK_MODE_CALL;
        al.status = status;
        al.venues = venues;
        al.nvenues = 1;
        al.when_text = "next week";
        al.evidence = "The two will speak by phone next week.";
        cr_assert_eq(ink_avro_encode_alert(av, &art, &al, &buf, &len, err,
                                           sizeof(err)),
                     INK_OK, "%s", err);
        t0 = rcv_now_ms();
        cr_assert_eq(rd_kafka_producev(producer(), RD_KAFKA_V_TOPIC(topic),
                                       RD_KAFKA_V_KEY(key, strlen(key)),
                                       RD_KAFKA_V_VALUE((void *)buf, len),
                                       RD_KAFKA_V_MSGFLAGS(
                                               RD_KAFKA_MSG_F_COPY),
                                       RD_KAFKA_V_END),
                     0);
        cr_assert_eq(rd_kafka_flush(producer(), 30000), 0);
        ink_avro_destroy(av);
        return t0;
}

/* The running alerts process, killed if a test fails before stopping it. */
static pid_t live_pid;

static void kill_live(void) {
        if (live_pid > 0) {
                kill(live_pid, SIGKILL);
                waitpid(live_pid, NULL, 0);
                live_pid = 0;
        }
}

TestSuite(alert_delivery, .fini = kill_live);

/* Starts `inkstream alerts ARGS` with stderr into \p log.
 * @returns its pid. */
static pid_t spawn_alerts(const char *args, const char *log) {
        char cmd[4096];
        pid_t pid;

        snprintf(cmd, sizeof(cmd), "exec %s alerts --brokers %s %s 2>>%s",
                 it_bin(), it_brokers(), args, log);
        pid = fork();
        cr_assert_neq(pid, -1);
        if (pid == 0) {
                execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
                _exit(127);
        }
        live_pid = pid;
        return pid;
}

/* Stops \p pid cleanly.  @returns its exit status. */
static int stop_alerts(pid_t pid) {
        int st;
        kill(pid, SIGTERM);
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        live_pid = 0;
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* @returns the exit status of \p pid, waiting up to \p ms (-2: still
 * running, then killed). */
static int wait_alerts(pid_t pid, int ms) {
        int st;
        for (int i = 0; i < ms / 50; i++) {
                if (waitpid(pid, &st, WNOHANG) == pid) {
                        live_pid = 0;
                        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
                }
                usleep(50000);
        }
        kill_live();
        return -2;
}

static char *slurp(const char *path) {
        FILE *fp = fopen(path, "r");
        char *s = calloc(1, 1 << 20);
        if (fp) {
                size_t n = fread(s, 1, (1 << 20) - 1, fp);
                s[n] = '\0';
                fclose(fp);
        }
        return s;
}

static int64_t committed_total(const char *group, const char *topic,
                               int parts) {
        int64_t sum = 0;
        for (int p = 0; p < parts; p++) {
                int64_t o = it_committed(group, topic, p);
                sum += o > 0 ? o : 0;
        }
        return sum;
}

/* Counts the 2xx answers the receiver gave to alert \p id. */
static int delivered_count(rcv_t *r, const char *id) {
        int n = 0;
        char needle[96];
        snprintf(needle, sizeof(needle), "\"alert_id\":\"%s\"", id);
        pthread_mutex_lock(&r->lock);
        for (int i = 0; i < r->n; i++)
                if (r->reqs[i].status >= 200 && r->reqs[i].status < 300 &&
                    strstr(r->reqs[i].body, needle))
                        n++;
        pthread_mutex_unlock(&r->lock);
        return n;
}

/* Arrival time of the first 2xx request for alert \p id (-1: none). */
static int64_t arrival(rcv_t *r, const char *id) {
        char needle[96];
        int64_t at = -1;
        snprintf(needle, sizeof(needle), "\"alert_id\":\"%s\"", id);
        pthread_mutex_lock(&r->lock);
        for (int i = 0; i < r->n && at < 0; i++)
                if (r->reqs[i].status == 200 && strstr(r->reqs[i].body, needle))
                        at = r->reqs[i].at_ms;
        pthread_mutex_unlock(&r->lock);
        return at;
}

Test(alert_delivery, retries_commits_after_2xx_and_no_duplicate_on_restart) {
        char *topic = it_topic("deliv"), *group = it_topic("deliv-g");
        char *dlq = it_topic("deliv-dlq"), args[2048], id[64];
        char log[] = "/tmp/ink-deliv-log-XXXXXX";
        char sfile[] = "/tmp/ink-deliv-secret-XXXXXX";
        rcv_t *r = rcv_start(200);
        char *url = rcv_url(r, "/hook"), *logs;
        int fd, got;
        int64_t t0[3], worst = 0;
        pid_t pid;

        cr_assert(r);
        r->secret = SECRET;
        it_create_topic(topic, 2);
        it_create_topic(dlq, 1);
        fd = mkstemp(sfile);
        cr_assert(write(fd, SECRET "\n", strlen(SECRET) + 1) > 0);
        close(fd);
        fd = mkstemp(log);
        close(fd);
        for (int i = 0; i < 4; i++)
                produce_alert(topic, i, INK_STATUS_PLANNED, "Leaders talk");
        /* the first POST fails: it must be retried, not skipped */
        rcv_script(r, (const int[]){500}, 1);
        snprintf(args, sizeof(args),
                 "--topic %s --group %s --alerts-dlq %s --webhook %s "
                 "--webhook-secret-file %s -v -v", topic, group, dlq, url,
                 sfile);
        pid = spawn_alerts(args, log);
        got = rcv_wait(r, 5, 30000);
        cr_assert_eq(got, 5, "receiver saw %d requests", got);
        /* while it runs: each new alert must arrive within a second */
        for (int i = 0; i < 3; i++)
                t0[i] = produce_alert(topic, 10 + i, INK_STATUS_CONFIRMED,
                                      "Leaders confirm");
        cr_assert_eq(rcv_wait(r, 8, 10000), 8);
        for (int i = 0; i < 3; i++) {
                int64_t d;
                snprintf(id, sizeof(id), "alert-%d-%d", 10 + i,
                         (int)INK_STATUS_CONFIRMED);
                d = arrival(r, id) - t0[i];
                worst = d > worst ? d : worst;
        }
        fprintf(stderr, "alert_delivery: produce -> webhook POST, worst of "
                        "3: %lld ms\n", (long long)worst);
        cr_assert_lt(worst, 1000);
        cr_assert_eq(stop_alerts(pid), 0);
        cr_assert_eq(committed_total(group, topic, 2), 7);
        /* restart: the old alerts must not come again, new ones must */
        produce_alert(topic, 20, INK_STATUS_POSTPONED, "Talks postponed");
        pid = spawn_alerts(args, log);
        cr_assert_eq(rcv_wait(r, 9, 30000), 9);
        usleep(1500000);        /* time for any duplicate to show up */
        cr_assert_eq(stop_alerts(pid), 0);
        cr_assert_eq(rcv_count(r), 9);
        for (int n = 0; n < 21; n++) {
                int st = n < 4 ? INK_STATUS_PLANNED
                         : n < 20 ? INK_STATUS_CONFIRMED
                                  : INK_STATUS_POSTPONED;
                if ((n >= 4 && n < 10) || (n > 12 && n < 20))
                        continue;
                snprintf(id, sizeof(id), "alert-%d-%d", n, st);
                cr_assert_eq(delivered_count(r, id), 1, "%s", id);
        }
        cr_assert_eq(r->bad_sig, 0, "every signature verifies");
        cr_assert_eq(committed_total(group, topic, 2), 8);
        logs = slurp(log);
        cr_assert(strstr(logs, "retrying"), "the retry is logged: %s", logs);
        cr_assert_null(strstr(logs, SECRET), "secret in the logs");
        cr_assert_null(strstr(logs, "/hook"), "URL path in the logs");
        free(logs);
        unlink(log);
        unlink(sfile);
        rcv_stop(r);
        free(url);
        free(topic);
        free(group);
        free(dlq);
}

Test(alert_delivery, refused_and_undecodable_alerts_go_to_the_dlq) {
        char *topic = it_topic("refuse"), *group = it_topic("refuse-g");
        char *dlq = it_topic("refuse-dlq"), args[2048], *out;
        char log[] = "/tmp/ink-deliv-log-XXXXXX";
        rcv_t *r = rcv_start(400);
        char *url = rcv_url(r, "/"), *h;
        it_recs_t recs;
        int fd;
        bool seen_http = false, seen_decode = false;

        it_create_topic(topic, 1);
        it_create_topic(dlq, 1);
        fd = mkstemp(log);
        close(fd);
        produce_alert(topic, 1, INK_STATUS_PLANNED, "Leaders talk");
        it_produce(topic, "junk", "not avro", 8);
        snprintf(args, sizeof(args),
                 "--topic %s --group %s --alerts-dlq %s --webhook %s "
                 "--exit-on-eof", topic, group, dlq, url);
        cr_assert_eq(wait_alerts(spawn_alerts(args, log), 60000), 0);
        cr_assert_eq(rcv_count(r), 1, "4xx is not retried");
        recs = it_read_all(dlq, 2, 20000);
        cr_assert_eq(recs.cnt, 2);
        for (size_t i = 0; i < recs.cnt; i++) {
                if ((h = it_header(&recs.v[i], INK_DLQ_H_HTTP_STATUS))) {
                        cr_assert_str_eq(h, "400");
                        free(h);
                        h = it_header(&recs.v[i], INK_DLQ_H_HTTP_BODY);
                        cr_assert_str_eq(h, "{\"answer\":400}");
                        free(h);
                        h = it_header(&recs.v[i], INK_DLQ_H_CLASS);
                        cr_assert_str_eq(h, "webhook_refused");
                        seen_http = true;
                } else {
                        h = it_header(&recs.v[i], INK_DLQ_H_REASON);
                        cr_assert(h && strstr(h, "magic"), "%s", h);
                        cr_assert_eq(recs.v[i].len, 8);
                        seen_decode = true;
                }
                free(h);
        }
        cr_assert(seen_http && seen_decode);
        cr_assert_eq(it_committed(group, topic, 0), 2);
        it_recs_free(&recs);
        out = slurp(log);
        free(out);
        unlink(log);
        rcv_stop(r);
        free(url);
        free(topic);
        free(group);
        free(dlq);
}

Test(alert_delivery, webhook_down_stops_without_commit) {
        char *topic = it_topic("down"), *group = it_topic("down-g");
        char args[2048], log[] = "/tmp/ink-deliv-log-XXXXXX", *logs;
        rcv_t *r = rcv_start(503);
        char *url = rcv_url(r, "/"), *dlq = it_topic("down-dlq");
        int fd;

        it_create_topic(topic, 1);
        fd = mkstemp(log);
        close(fd);
        produce_alert(topic, 1, INK_STATUS_PLANNED, "Leaders talk");
        snprintf(args, sizeof(args),
                 "--topic %s --group %s --alerts-dlq %s --webhook %s "
                 "--webhook-retries 2", topic, group, dlq, url);
        cr_assert_eq(wait_alerts(spawn_alerts(args, log), 60000), 1);
        cr_assert_eq(rcv_count(r), 3);
        cr_assert_lt(it_committed(group, topic, 0), 1);
        logs = slurp(log);
        cr_assert(strstr(logs, "not delivered after 3 attempts"), "%s",
                  logs);
        free(logs);
        unlink(log);
        rcv_stop(r);
        free(url);
        free(topic);
        free(group);
        free(dlq);
}

/*---- The live page's stream ------------------------------------------------*/

typedef struct sse_s {
        char buf[1 << 16];
        size_t len;
        volatile int warm;              /* the warm-up alert arrived */
        volatile int64_t arrived_ms;    /* the measured alert arrived */
} sse_t;

static size_t on_sse(char *p, size_t size, size_t n, void *opaque) {
        sse_t *s = opaque;
        size_t k = size * n, room = sizeof(s->buf) - 1 - s->len;
        memcpy(s->buf + s->len, p, k < room ? k : room);
        s->len += k < room ? k : room;
        s->buf[s->len] = '\0';
        if (strstr(s->buf, "\"alert_id\":\"alert-4-"))
                s->warm = 1;
        if (s->arrived_ms < 0 && strstr(s->buf, "\"alert_id\":\"alert-5-"))
                s->arrived_ms = rcv_now_ms();
        return k;
}

typedef struct produce_later_s {
        const char *topic;
        sse_t *s;
        int64_t t0;
} produce_later_t;

/* Produces a warm-up alert (the group join takes seconds), waits until
 * the stream shows it, then produces the alert whose latency counts. */
static void *produce_later(void *arg) {
        produce_later_t *p = arg;
        produce_alert(p->topic, 4, INK_STATUS_PLANNED, "Warm-up");
        for (int i = 0; i < 300 && !p->s->warm; i++)
                usleep(50000);
        usleep(200000);
        p->t0 = produce_alert(p->topic, 5, INK_STATUS_CONFIRMED,
                              "<script>alert(1)</script> Leaders");
        return NULL;
}

static int stop_when_done(void *opaque, curl_off_t a, curl_off_t b,
                          curl_off_t c, curl_off_t d) {
        sse_t *s = opaque;
        (void)a;
        (void)b;
        (void)c;
        (void)d;
        return s->arrived_ms >= 0 ? 1 : 0;
}

static int free_port(void) {
        struct sockaddr_in sin = {.sin_family = AF_INET};
        socklen_t sl = sizeof(sin);
        int s = socket(AF_INET, SOCK_STREAM, 0);

        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        cr_assert_eq(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
        getsockname(s, (struct sockaddr *)&sin, &sl);
        close(s);
        return ntohs(sin.sin_port);
}

Test(alert_delivery, page_streams_new_alerts_within_a_second) {
        char *topic = it_topic("page"), *group = it_topic("page-g");
        char args[2048], url[128], log[] = "/tmp/ink-deliv-log-XXXXXX";
        int port = free_port(), fd;
        produce_later_t pl = {0};
        sse_t *s = calloc(1, sizeof(*s));
        pthread_t th;
        CURL *c;
        pid_t pid;
        int64_t d;

        it_create_topic(topic, 1);
        fd = mkstemp(log);
        close(fd);
        snprintf(args, sizeof(args), "--topic %s --group %s --serve "
                 "127.0.0.1:%d", topic, group, port);
        pid = spawn_alerts(args, log);
        snprintf(url, sizeof(url), "http://127.0.0.1:%d/events", port);
        s->arrived_ms = -1;
        c = curl_easy_init();
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_sse);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        /* the server needs a moment to listen */
        for (int i = 0; i < 100; i++) {
                int probe = socket(AF_INET, SOCK_STREAM, 0);
                struct sockaddr_in sin = {.sin_family = AF_INET,
                                          .sin_port = htons((uint16_t)port)};
                sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                int ok = connect(probe, (struct sockaddr *)&sin,
                                 sizeof(sin)) == 0;
                close(probe);
                if (ok)
                        break;
                usleep(100000);
        }
        pl.topic = topic;
        pl.s = s;
        pthread_create(&th, NULL, produce_later, &pl);
        /* the transfer ends at its timeout, or once both alerts are in */
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, stop_when_done);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        curl_easy_perform(c);
        curl_easy_cleanup(c);
        pthread_join(th, NULL);
        cr_assert_eq(stop_alerts(pid), 0);
        cr_assert(strstr(s->buf, "event: alert"), "%s", s->buf);
        cr_assert(strstr(s->buf, "<script>alert(1)</script> Leaders"),
                  "the record is passed as data, escaping is the page's");
        cr_assert(strstr(s->buf, "\"status\":\"confirmed\""));
        cr_assert_geq(s->arrived_ms, 0, "%s", s->buf);
        d = s->arrived_ms - pl.t0;
        fprintf(stderr, "alert_delivery: produce -> SSE event on the page "
                        "stream: %lld ms\n", (long long)d);
        cr_assert_lt(d, 1000);
        cr_assert_eq(it_committed(group, topic, 0), 2);
        unlink(log);
        free(s);
        free(topic);
        free(group);
}

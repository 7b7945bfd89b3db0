/*
 * When the novelty processor commits, on librdkafka's mock cluster: an
 * alert leaves at once while its input offset waits for the
 * commit.interval.ms timer (a commit flushes the producer and waits for
 * the coordinator, which must not hold the next candidate), and what is
 * still uncommitted is committed when the processor stops.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ink/codec.h"
#include "ink/kafka.h"
#include "ink/novelty.h"
#include "ink/summit.h"
#include <librdkafka/rdkafka_mock.h>

typedef struct env_s {
        rd_kafka_t *owner;          /* producer that owns the mock cluster */
        rd_kafka_mock_cluster_t *mc;
        ink_conf_t conf;
        pthread_t th;
        int rc;
} env_t;

static void set(env_t *e, const char *k, const char *v) {
        char errstr[256];
        cr_assert(eq(int, ink_conf_set(&e->conf, k, v, errstr,
                                       sizeof(errstr)),
                     0),
                  "%s", errstr);
}

static void env_init(env_t *e, const char *interval_ms) {
        char errstr[256];
        rd_kafka_conf_t *kc = rd_kafka_conf_new();
        const char *topics[] = {"events", "alerts", "nvc-changelog"};

        memset(e, 0, sizeof(*e));
        rd_kafka_conf_set(kc, "test.mock.num.brokers", "1", errstr,
                          sizeof(errstr));
        e->owner = rd_kafka_new(RD_KAFKA_PRODUCER, kc, errstr,
                                sizeof(errstr));
        cr_assert(not(eq(ptr, e->owner, NULL)), "%s", errstr);
        e->mc = rd_kafka_handle_mock_cluster(e->owner);
        for (size_t i = 0; i < 3; i++)
                rd_kafka_mock_topic_create(e->mc, topics[i], 1, 1);
        ink_conf_init(&e->conf);
        set(e, "brokers", rd_kafka_mock_cluster_bootstraps(e->mc));
        set(e, "events.topic", "events");
        set(e, "alerts.topic", "alerts");
        set(e, "novelty.group", "nvc");
        set(e, "novelty.changelog.topic", "nvc-changelog");
        set(e, "metrics.addr", "");
        set(e, "commit.interval.ms", interval_ms);
}

static void env_destroy(env_t *e) {
        ink_conf_destroy(&e->conf);
        rd_kafka_destroy(e->owner);
}

/* Produces one summit candidate between a and b to "events". */
static void candidate(env_t *e, const char *a, const char *b) {
        char err[256], key[256], id[17];
        ink_avro_t *av = ink_avro_new(err, sizeof(err));
        cr_assert(not(eq(ptr, av, NULL)), "%s", err);
        ink_article_t *art = ink_article_new();
        const char *parts[] = {a, b};
        ink_alert_t al;
        const char *buf;
        size_t len;

        art->id = ink_arena_strdup(art->arena, "art-1");
        art->title = "";
        art->processed_ms = 1;
        snprintf(key, sizeof(key), "summit|meeting|%s|%s", a, b);
        ink_summit_alert_id("art-1", key, id, sizeof(id));
        memset(&al, 0, sizeof(al));
        al.type = "summit";
        al.alert_id = id;
        al.event_key = key;
        al.participants = parts;
        al.nparticipants = 2;
        al.mode = INK_MODE_MEETING;
        al.status = INK_STATUS_PLANNED;
        al.evidence = "evidence";
        cr_assert(eq(int, ink_avro_encode_alert(av, art, &al, &buf, &len, err,
                                                sizeof(err)), INK_OK), "%s",
                  err);
        cr_assert(eq(int, ink_produce(e->owner, "events", key, strlen(key),
                                      buf, len, NULL, NULL), 0));
        cr_assert(eq(int, rd_kafka_flush(e->owner, 10000), 0));
        ink_article_destroy(art);
        ink_avro_destroy(av);
}

static void *run(void *arg) {
        env_t *e = arg;
        e->rc = ink_novelty_run(&e->conf, NULL);
        return NULL;
}

/* The offset committed by group "nvc" on events [0], or a negative
 * logical offset when none. */
static int64_t committed(env_t *e) {
        char errstr[256];
        rd_kafka_conf_t *kc = rd_kafka_conf_new();
        cr_assert(eq(int, rd_kafka_conf_set(kc, "bootstrap.servers",
                                            rd_kafka_mock_cluster_bootstraps(
                                                    e->mc),
                                            errstr, sizeof(errstr)),
                     RD_KAFKA_CONF_OK));
        cr_assert(eq(int, rd_kafka_conf_set(kc, "group.id", "nvc", errstr,
                                            sizeof(errstr)),
                     RD_KAFKA_CONF_OK));
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, errstr,
                                      sizeof(errstr));
        cr_assert(not(eq(ptr, rk, NULL)), "%s", errstr);
        rd_kafka_topic_partition_list_t *l =
                rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, "events", 0);
        cr_assert(eq(int, rd_kafka_committed(rk, l, 10000), 0));
        int64_t off = l->elems[0].err ? -1000 : l->elems[0].offset;
        rd_kafka_topic_partition_list_destroy(l);
        rd_kafka_destroy(rk);
        return off;
}

/* The number of records on "alerts" [0]. */
static int64_t alerts(env_t *e) {
        int64_t lo = 0, hi = 0;
        cr_assert(eq(int, rd_kafka_query_watermark_offsets(e->owner,
                                                           "alerts", 0, &lo,
                                                           &hi, 5000),
                     0));
        return hi - lo;
}

/* Waits up to \p ms for an alert; @returns the milliseconds it took. */
static int64_t wait_alert(env_t *e, int ms) {
        for (int waited = 0; waited < ms; waited += 50) {
                if (alerts(e) > 0)
                        return waited;
                usleep(50 * 1000);
        }
        cr_fatal("no alert within %d ms", ms);
        return -1;
}

Test(novelty_commit, alert_leaves_before_the_timer_commits, .timeout = 120) {
        env_t e;
        env_init(&e, "60000");
        ink_run = 1;
        cr_assert(eq(int, pthread_create(&e.th, NULL, run, &e), 0));
        candidate(&e, "Vladimir Putin", "Xi Jinping");
        wait_alert(&e, 60000);
        /* idle input: no commit before the 60 s timer */
        sleep(2);
        cr_expect(lt(i64, committed(&e), 0));
        ink_run = 0;
        pthread_join(e.th, NULL);
        cr_expect(eq(int, e.rc, 0));
        /* stopping commits what was processed */
        cr_expect(eq(i64, committed(&e), 1));
        cr_expect(eq(i64, alerts(&e), 1));
        env_destroy(&e);
}

Test(novelty_commit, timer_commits_while_running, .timeout = 120) {
        env_t e;
        env_init(&e, "300");
        ink_run = 1;
        cr_assert(eq(int, pthread_create(&e.th, NULL, run, &e), 0));
        candidate(&e, "Vladimir Putin", "Xi Jinping");
        wait_alert(&e, 60000);
        int64_t off = -1;
        for (int i = 0; i < 100 && off != 1; i++) {
                usleep(100 * 1000);
                off = committed(&e);
        }
        cr_expect(eq(i64, off, 1));
        /* a repeat: no second alert, its offset committed too */
        candidate(&e, "Vladimir Putin", "Xi Jinping");
        for (int i = 0; i < 100 && off != 2; i++) {
                usleep(100 * 1000);
                off = committed(&e);
        }
        cr_expect(eq(i64, off, 2));
        cr_expect(eq(i64, alerts(&e), 1));
        ink_run = 0;
        pthread_join(e.th, NULL);
        cr_expect(eq(int, e.rc, 0));
        env_destroy(&e);
}

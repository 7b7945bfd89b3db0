#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

const char *it_brokers(void) {
        const char *b = getenv("INK_BROKERS");
        return b ? b : "127.0.0.1:39092";
}

const char *it_bin(void) {
        const char *b = getenv("INK_BIN");
        cr_assert(b, "INK_BIN is not set (run through ctest)");
        return b;
}

char *it_topic(const char *base) {
        static unsigned seq;
        char *s;
        srand((unsigned)time(NULL) ^ (unsigned)getpid());
        if (asprintf(&s, "it-%s-%d-%u-%d", base, (int)getpid(), seq++,
                     rand() % 100000) < 0)
                abort();
        return s;
}

static rd_kafka_t *new_client(rd_kafka_type_t type, const char *group) {
        char errstr[512];
        rd_kafka_conf_t *kc = rd_kafka_conf_new();
        rd_kafka_t *rk;
        cr_assert(rd_kafka_conf_set(kc, "bootstrap.servers", it_brokers(),
                                    errstr, sizeof(errstr)) == 0);
        if (group) {
                rd_kafka_conf_set(kc, "group.id", group, errstr,
                                  sizeof(errstr));
                rd_kafka_conf_set(kc, "enable.partition.eof", "true", errstr,
                                  sizeof(errstr));
                rd_kafka_conf_set(kc, "enable.auto.commit", "false", errstr,
                                  sizeof(errstr));
        }
        rk = rd_kafka_new(type, kc, errstr, sizeof(errstr));
        cr_assert(rk, "client: %s", errstr);
        return rk;
}

void it_create_topic(const char *topic, int partitions) {
        rd_kafka_t *rk = new_client(RD_KAFKA_PRODUCER, NULL);
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        char errstr[256];
        rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, 1,
                                                        errstr,
                                                        sizeof(errstr));
        rd_kafka_event_t *ev;
        const rd_kafka_CreateTopics_result_t *res;
        const rd_kafka_topic_result_t **tr;
        size_t n;

        rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
        ev = rd_kafka_queue_poll(q, 30000);
        cr_assert(ev, "CreateTopics timed out");
        res = rd_kafka_event_CreateTopics_result(ev);
        cr_assert(res);
        tr = rd_kafka_CreateTopics_result_topics(res, &n);
        cr_assert(n == 1 && (rd_kafka_topic_result_error(tr[0]) == 0 ||
                             rd_kafka_topic_result_error(tr[0]) ==
                                     RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS),
                  "create %s: %s", topic,
                  rd_kafka_topic_result_error_string(tr[0]));
        rd_kafka_event_destroy(ev);
        rd_kafka_NewTopic_destroy(nt);
        rd_kafka_queue_destroy(q);
        rd_kafka_destroy(rk);
}

/* Makes the unique name "it-<base>-<suffix>-..." (malloc'ed). */
static char *topic_named(const char *base, const char *suffix) {
        char b[128];

        snprintf(b, sizeof(b), "%s-%s", base, suffix);
        return it_topic(b);
}

it_topics_t it_topics(const char *base, int partitions,
                      int alert_partitions) {
        it_topics_t t;

        t.in = topic_named(base, "in");
        t.out = topic_named(base, "out");
        t.alerts = topic_named(base, "alerts");
        t.dlq = topic_named(base, "dlq");
        t.group = topic_named(base, "group");
        it_create_topic(t.in, partitions);
        it_create_topic(t.out, partitions);
        it_create_topic(t.alerts, alert_partitions);
        it_create_topic(t.dlq, 1);
        return t;
}

void it_topics_free(it_topics_t *t) {
        free(t->in);
        free(t->out);
        free(t->alerts);
        free(t->dlq);
        free(t->group);
}

void it_produce(const char *topic, const char *key, const void *value,
                size_t len) {
        rd_kafka_t *rk = new_client(RD_KAFKA_PRODUCER, NULL);
        rd_kafka_resp_err_t err = rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(topic),
                RD_KAFKA_V_KEY(key, key ? strlen(key) : 0),
                RD_KAFKA_V_VALUE((void *)value, len),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        cr_assert(err == 0, "produce: %s", rd_kafka_err2str(err));
        cr_assert(rd_kafka_flush(rk, 30000) == 0, "flush timed out");
        rd_kafka_destroy(rk);
}

it_recs_t it_read_all(const char *topic, size_t min, int timeout_ms) {
        char group[128];
        it_recs_t r = {0};
        rd_kafka_t *rk;
        rd_kafka_topic_partition_list_t *l;
        const rd_kafka_metadata_t *md;
        rd_kafka_topic_t *rkt;
        int nparts, neof = 0;
        struct timespec t0, t;

        snprintf(group, sizeof(group), "it-reader-%d-%ld", (int)getpid(),
                 (long)time(NULL));
        rk = new_client(RD_KAFKA_CONSUMER, group);
        rkt = rd_kafka_topic_new(rk, topic, NULL);
        cr_assert(rd_kafka_metadata(rk, 0, rkt, &md, 10000) == 0);
        nparts = md->topics[0].partition_cnt;
        cr_assert(nparts > 0, "topic %s has no partitions", topic);
        l = rd_kafka_topic_partition_list_new(nparts);
        for (int i = 0; i < nparts; i++)
                rd_kafka_topic_partition_list_add(l, topic, i)->offset =
                        RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(rkt);
        rd_kafka_assign(rk, l);
        rd_kafka_topic_partition_list_destroy(l);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
                clock_gettime(CLOCK_MONOTONIC, &t);
                if ((t.tv_sec - t0.tv_sec) * 1000 +
                            (t.tv_nsec - t0.tv_nsec) / 1000000 >
                    timeout_ms)
                        break;
                if (!m) {
                        if (neof >= nparts && r.cnt >= min)
                                break;
                        continue;
                }
                if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                        neof++;
                } else if (!m->err) {
                        it_rec_t *rec;
                        rd_kafka_headers_t *h = NULL;
                        r.v = realloc(r.v, (r.cnt + 1) * sizeof(*r.v));
                        rec = &r.v[r.cnt++];
                        memset(rec, 0, sizeof(*rec));
                        rec->key = m->key ? strndup(m->key, m->key_len)
                                          : NULL;
                        rec->value = malloc(m->len + 1);
                        memcpy(rec->value, m->payload, m->len);
                        rec->value[m->len] = '\0';
                        rec->len = m->len;
                        rec->partition = m->partition;
                        rec->offset = m->offset;
                        if (!rd_kafka_message_headers(m, &h) && h)
                                rec->hdrs = rd_kafka_headers_copy(h);
                }
                rd_kafka_message_destroy(m);
        }
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
        return r;
}

void it_recs_free(it_recs_t *r) {
        for (size_t i = 0; i < r->cnt; i++) {
                free(r->v[i].key);
                free(r->v[i].value);
                if (r->v[i].hdrs)
                        rd_kafka_headers_destroy(r->v[i].hdrs);
        }
        free(r->v);
        memset(r, 0, sizeof(*r));
}

char *it_header(const it_rec_t *rec, const char *name) {
        const void *v;
        size_t sz;
        if (!rec->hdrs ||
            rd_kafka_header_get_last(rec->hdrs, name, &v, &sz))
                return NULL;
        return strndup(v, sz);
}

int it_run(const char *cmdline, char **outp) {
        FILE *p = popen(cmdline, "r");
        char buf[4096];
        size_t len = 0, n;
        char *out = NULL;
        int st;

        cr_assert(p, "popen %s", cmdline);
        while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
                out = realloc(out, len + n + 1);
                memcpy(out + len, buf, n);
                len += n;
        }
        if (out)
                out[len] = '\0';
        st = pclose(p);
        if (outp)
                *outp = out ? out : strdup("");
        else
                free(out);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int64_t it_committed(const char *group, const char *topic, int partition) {
        char errstr[256];
        rd_kafka_conf_t *kc = rd_kafka_conf_new();
        rd_kafka_topic_partition_list_t *l =
                rd_kafka_topic_partition_list_new(1);
        rd_kafka_t *rk;
        int64_t off;

        rd_kafka_conf_set(kc, "bootstrap.servers", it_brokers(), errstr,
                          sizeof(errstr));
        rd_kafka_conf_set(kc, "group.id", group, errstr, sizeof(errstr));
        rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, errstr, sizeof(errstr));
        cr_assert(rk);
        rd_kafka_topic_partition_list_add(l, topic, partition);
        cr_assert(rd_kafka_committed(rk, l, 10000) == 0);
        off = l->elems[0].offset;
        rd_kafka_topic_partition_list_destroy(l);
        rd_kafka_destroy(rk);
        return off;
}

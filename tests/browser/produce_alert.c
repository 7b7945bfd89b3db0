/*
 * Test helper for the browser test: creates a topic, or encodes one alert
 * given as JSON (the fields of schemas/alert.avsc) with the real Avro
 * encoder and produces it, acknowledged, keyed by its event key.
 *
 *   produce_alert BROKERS TOPIC --create
 *   produce_alert BROKERS TOPIC '{"alert_id": ..., "status": ...}'
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "ink/codec.h"

/* Creates \p topic with one partition (an existing topic is fine).
 * @returns 0 or 1. */
static int create_topic(rd_kafka_t *rk, const char *topic) {
        char err[256];
        rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, 1, 1, err,
                                                        sizeof(err));
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        const rd_kafka_CreateTopics_result_t *res;
        const rd_kafka_topic_result_t **tr;
        rd_kafka_event_t *ev;
        size_t n;
        int ret = 1;

        rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
        ev = rd_kafka_queue_poll(q, 30000);
        if (ev && (res = rd_kafka_event_CreateTopics_result(ev))) {
                tr = rd_kafka_CreateTopics_result_topics(res, &n);
                if (n == 1 && (!rd_kafka_topic_result_error(tr[0]) ||
                               rd_kafka_topic_result_error(tr[0]) ==
                                       RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS))
                        ret = 0;
                else if (n == 1)
                        fprintf(stderr, "create %s: %s\n", topic,
                                rd_kafka_topic_result_error_string(tr[0]));
        }
        if (ev)
                rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(q);
        rd_kafka_NewTopic_destroy(nt);
        return ret;
}

/* @returns the strings of JSON array \p a (in \p arena), count in *np. */
static const char **strings(ink_arena_t *arena, json_t *a, size_t *np) {
        const char **v = ink_arena_calloc(arena, json_array_size(a) + 1,
                                          sizeof(*v));
        size_t i;
        json_t *s;
        json_array_foreach(a, i, s) v[i] = json_string_value(s);
        *np = json_array_size(a);
        return v;
}

static int enum_index(const char *(*name)(int), const char *s, int cnt) {
        for (int i = 0; i < cnt; i++)
                if (s && !strcmp(name(i), s))
                        return i;
        return -1;
}

static const char *mode_name(int i) {
        return ink_mode_name((ink_mode_t)i);
}

static const char *status_name(int i) {
        return ink_status_name((ink_status_t)i);
}

#define S(o, k) json_string_value(json_object_get(o, k))

int main(int argc, char **argv) {
        char err[512];
        rd_kafka_conf_t *kc = rd_kafka_conf_new();
        rd_kafka_t *rk;
        ink_avro_t *av = NULL;
        ink_article_t art;
        ink_alert_t al;
        json_t *j = NULL;
        const char *buf;
        size_t len;
        int ret = 1, m, st;

        memset(&art, 0, sizeof(art));
        memset(&al, 0, sizeof(al));
        if (argc != 4) {
                fprintf(stderr, "usage: produce_alert BROKERS TOPIC "
                                "--create|JSON\n");
                rd_kafka_conf_destroy(kc);
                return 2;
        }
        rd_kafka_conf_set(kc, "bootstrap.servers", argv[1], err, sizeof(err));
        if (!(rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, err, sizeof(err)))) {
                fprintf(stderr, "%s\n", err);
                return 1;
        }
        if (!strcmp(argv[3], "--create")) {
                ret = create_topic(rk, argv[2]);
                goto out;
        }
        art.arena = ink_arena_new(4096);
        if (!(j = json_loads(argv[3], 0, NULL)) ||
            !(av = ink_avro_new(err, sizeof(err)))) {
                fprintf(stderr, "bad JSON or codec: %s\n", err);
                goto out;
        }
        m = enum_index(mode_name, S(j, "mode"), 3);
        st = enum_index(status_name, S(j, "status"), 6);
        if (m < 0 || st < 0) {
                fprintf(stderr, "mode or status missing or unknown\n");
                goto out;
        }
        al.alert_id = S(j, "alert_id");
        al.type = S(j, "type") ? S(j, "type") : "summit";
        al.event_key = S(j, "event_key");
        al.participants = strings(art.arena, json_object_get(j,
                                                             "participants"),
                                  &al.nparticipants);
        al.venues = strings(art.arena, json_object_get(j, "venues"),
                            &al.nvenues);
        al.mode = (ink_mode_t)m;
        al.status = (ink_status_t)st;
        al.when_text = S(j, "when_text");
        al.when_date = S(j, "when_date");
        al.evidence = S(j, "evidence") ? S(j, "evidence") : "";
        art.id = S(j, "article_id") ? S(j, "article_id") : "art";
        art.title = S(j, "article_title") ? S(j, "article_title") : "";
        art.url = S(j, "article_url");
        art.processed_ms = ink_now_ms();
        if (!al.alert_id || !al.event_key ||
            ink_avro_encode_alert(av, &art, &al, &buf, &len, err,
                                  sizeof(err))) {
                fprintf(stderr, "cannot encode: %s\n",
                        al.alert_id && al.event_key ? err
                                                    : "alert_id and "
                                                      "event_key needed");
                goto out;
        }
        if (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(argv[2]),
                              RD_KAFKA_V_KEY(al.event_key,
                                             strlen(al.event_key)),
                              RD_KAFKA_V_VALUE((void *)buf, len),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_END) ||
            rd_kafka_flush(rk, 30000) || rd_kafka_outq_len(rk)) {
                fprintf(stderr, "produce to %s failed\n", argv[2]);
                goto out;
        }
        ret = 0;
out:
        json_decref(j);
        ink_avro_destroy(av);
        if (art.arena)
                ink_arena_destroy(art.arena);
        rd_kafka_destroy(rk);
        return ret;
}

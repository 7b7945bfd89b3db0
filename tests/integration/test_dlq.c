/*
 * `inkstream dlq` against the real broker: listing (readable and JSON,
 * class filter), replay of selected dead letters with their key, value
 * and headers, and the fix-then-replay flow through the worker.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static void produce_with_header(const char *topic, const char *key,
                                const char *value) {
        char errstr[256];
        rd_kafka_conf_t *kc = rd_kafka_conf_new();
        rd_kafka_t *rk;
        rd_kafka_headers_t *h = rd_kafka_headers_new(1);

        rd_kafka_conf_set(kc, "bootstrap.servers", it_brokers(), errstr,
                          sizeof(errstr));
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, errstr, sizeof(errstr));
        cr_assert(rk, "%s", errstr);
        rd_kafka_header_add(h, "trace", -1, key, -1);
        cr_assert_eq(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
                                       RD_KAFKA_V_KEY(key, strlen(key)),
                                       RD_KAFKA_V_VALUE((void *)value,
                                                        strlen(value)),
                                       RD_KAFKA_V_MSGFLAGS(
                                               RD_KAFKA_MSG_F_COPY),
                                       RD_KAFKA_V_HEADERS(h),
                                       RD_KAFKA_V_END), 0);
        cr_assert_eq(rd_kafka_flush(rk, 30000), 0);
        rd_kafka_destroy(rk);
}

static int enrich(const char *group, const char *raw, const char *enr,
                  const char *dlq, const char *extra) {
        char cmd[1024], *out;
        int st;

        snprintf(cmd, sizeof(cmd),
                 "%s enrich --brokers %s --group %s --input %s --output %s "
                 "--alerts %s.al --dlq %s --exit-on-eof -q -X metrics.addr= "
                 "%s 2>&1", it_bin(), it_brokers(), group, raw, enr, enr,
                 dlq, extra);
        st = it_run(cmd, &out);
        cr_assert_eq(st, 0, "enrich: %s", out);
        free(out);
        return st;
}

static size_t count_lines(const char *s) {
        size_t n = 0;
        for (; *s; s++)
                n += *s == '\n';
        return n;
}

Test(dlq, list_replay_and_fix, .timeout = 300) {
        char *raw = it_topic("dlq-raw"), *enr = it_topic("dlq-enr"),
             *dlq = it_topic("dlq-dlq"), *side = it_topic("dlq-side"),
             *group = it_topic("dlq-group");
        char cmd[2048], *out, *h;
        const char *big = "{\"id\":\"big\",\"body\":\"This article is a "
                          "little longer than the small limit of the first "
                          "run, and fine under the default.\"}";
        it_recs_t r;
        json_t *o;
        size_t replayed = 0;

        it_create_topic(raw, 2);
        it_create_topic(dlq, 2);
        it_create_topic(side, 1);
        produce_with_header(raw, "k-trunc", "{\"id\":\"t\",\"body\":\"cut");
        produce_with_header(raw, "k-type", "{\"id\":\"t\",\"body\":7}");
        produce_with_header(raw, "k-big", big);
        produce_with_header(raw, "k-good", "{\"id\":\"good\",\"body\":\"The "
                                           "minister spoke in Oslo.\"}");
        /* first run with a small size limit: "big" is too large */
        enrich(group, raw, enr, dlq, "-X max.article.bytes=80");

        /* listing: readable, JSON, class filter */
        snprintf(cmd, sizeof(cmd), "%s dlq --brokers %s --topic %s "
                 "--from-beginning --exit-on-eof 2>&1", it_bin(),
                 it_brokers(), dlq);
        cr_assert_eq(it_run(cmd, &out), 0, "%s", out);
        cr_assert(strstr(out, "invalid_input in parse: malformed JSON"),
                  "%s", out);
        cr_assert(strstr(out, "field \\\"body\\\"") ||
                  strstr(out, "field \"body\" must be a string"), "%s", out);
        cr_assert(strstr(out, "too_large in parse: article of"), "%s", out);
        cr_assert(strstr(out, "dlq: 3 read"), "%s", out);
        free(out);
        snprintf(cmd, sizeof(cmd), "%s dlq --brokers %s --topic %s "
                 "--from-beginning --exit-on-eof --json --class too_large",
                 it_bin(), it_brokers(), dlq);
        cr_assert_eq(it_run(cmd, &out), 0);
        cr_assert_eq(count_lines(out), 1, "%s", out);
        o = json_loads(out, 0, NULL);
        cr_assert(o, "%s", out);
        cr_assert_str_eq(json_string_value(json_object_get(o, "value")), big);
        cr_assert_str_eq(json_string_value(json_object_get(o, "key")),
                         "k-big");
        cr_assert_str_eq(json_string_value(json_object_get(
                                 json_object_get(o, "source"), "topic")),
                         raw);
        free(out);

        /* replay one dead letter by partition:offset to a side topic */
        snprintf(cmd, sizeof(cmd), "%s dlq --brokers %s --topic %s --replay "
                 "--to %s --offset %d:%lld 2>&1", it_bin(), it_brokers(),
                 dlq, side,
                 (int)json_integer_value(json_object_get(o, "partition")),
                 (long long)json_integer_value(json_object_get(o,
                                                               "offset")));
        cr_assert_eq(it_run(cmd, &out), 0, "%s", out);
        cr_assert(strstr(out, "1 selected, 1 replayed to"), "%s", out);
        free(out);
        r = it_read_all(side, 1, 30000);
        cr_assert_eq(r.cnt, 1);
        cr_assert_str_eq(r.v[0].key, "k-big");
        cr_assert_str_eq(r.v[0].value, big);
        h = it_header(&r.v[0], "trace");
        cr_assert_str_eq(h, "k-big");
        free(h);
        h = it_header(&r.v[0], "inkstream.replayed.from");
        cr_assert(h);
        cr_assert(!strncmp(h, dlq, strlen(dlq)) && h[strlen(dlq)] == ':',
                  "%s", h);
        free(h);
        cr_assert_null(it_header(&r.v[0], "inkstream.error.class"));
        cr_assert_null(it_header(&r.v[0], "inkstream.error.reason"));
        cr_assert_null(it_header(&r.v[0], "inkstream.source.offset"));
        it_recs_free(&r);
        json_decref(o);

        /* the fix (default limit), then replay all three into the input */
        snprintf(cmd, sizeof(cmd), "%s dlq --brokers %s --topic %s --replay "
                 "--to %s --all 2>&1", it_bin(), it_brokers(), dlq, raw);
        cr_assert_eq(it_run(cmd, &out), 0, "%s", out);
        cr_assert(strstr(out, "3 selected, 3 replayed"), "%s", out);
        free(out);
        enrich(group, raw, enr, dlq, "");
        r = it_read_all(enr, 2, 60000);
        cr_assert_eq(r.cnt, 2, "good + the replayed big one");
        cr_assert(!strcmp(r.v[0].key, "big") || !strcmp(r.v[1].key, "big"));
        it_recs_free(&r);
        /* the two still-bad ones are dead letters again, marked replayed */
        r = it_read_all(dlq, 5, 60000);
        cr_assert_eq(r.cnt, 5);
        for (size_t i = 0; i < r.cnt; i++) {
                h = it_header(&r.v[i], "inkstream.replayed.from");
                replayed += h != NULL;
                if (h)
                        cr_assert_str_neq(r.v[i].key, "k-big");
                free(h);
        }
        cr_assert_eq(replayed, 2);
        it_recs_free(&r);

        free(raw);
        free(enr);
        free(dlq);
        free(side);
        free(group);
}

Test(dlq, missing_topic_is_an_error, .timeout = 120) {
        char cmd[1024], *out;
        char *t = it_topic("dlq-none");

        snprintf(cmd, sizeof(cmd), "%s dlq --brokers %s --topic %s "
                 "--from-beginning --exit-on-eof 2>&1", it_bin(),
                 it_brokers(), t);
        cr_assert_eq(it_run(cmd, &out), 1, "%s", out);
        cr_assert(strstr(out, t), "%s", out);
        free(out);
        free(t);
}

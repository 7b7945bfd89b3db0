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
#include "ink/kafka.h"

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

/* An input above max.article.bytes whose dead letter also exceeds the
 * producer's message.max.bytes: the worker goes on, the dead letter
 * carries the head of the value, the reason and where the whole record
 * is, and a replay refuses it. */
Test(dlq, dead_letter_too_large_is_cut_not_lost, .timeout = 300) {
        it_topics_t t = it_topics("dlq-cut", 1, 1);
        char *side = it_topic("dlq-cut-side");
        char cmd[2048], *out, *h, *art;
        size_t bodylen = 150000, len;
        it_recs_t r;
        json_t *o;

        it_create_topic(side, 1);
        art = malloc(bodylen + 64);
        len = (size_t)sprintf(art, "{\"id\":\"huge\",\"body\":\"");
        while (len < bodylen)
                len += (size_t)sprintf(art + len, "Ministers met in Oslo. ");
        len += (size_t)sprintf(art + len, "\"}");
        produce_with_header(t.in, "k-huge", art);
        produce_with_header(t.in, "k-small", "{\"id\":\"small\",\"body\":"
                                             "\"The minister spoke.\"}");
        /* articles above 50,000 bytes are dead letters; records above
         * 100,000 bytes are refused by the producer */
        enrich(t.group, t.in, t.out, t.dlq,
               "-X max.article.bytes=50000 "
               "-X kafka.message.max.bytes=100000");

        r = it_read_all(t.out, 1, 30000);
        cr_assert_eq(r.cnt, 1, "only the small article is enriched");
        cr_assert_str_eq(r.v[0].key, "small");
        it_recs_free(&r);
        r = it_read_all(t.dlq, 1, 30000);
        cr_assert_eq(r.cnt, 1);
        cr_assert_str_eq(r.v[0].key, "k-huge");
        cr_assert_eq(r.v[0].len, (size_t)INK_DLQ_CUT_BYTES);
        cr_assert(!memcmp(r.v[0].value, art, r.v[0].len));
        h = it_header(&r.v[0], "inkstream.error.truncated");
        cr_assert(h);
        cr_assert_eq(strtoull(h, NULL, 10), len);
        free(h);
        h = it_header(&r.v[0], "inkstream.error.class");
        cr_assert_str_eq(h, "too_large");
        free(h);
        h = it_header(&r.v[0], "inkstream.error.reason");
        cr_assert(strstr(h, "dead letter cut to 65536 of"), "%s", h);
        cr_assert(strstr(h, t.in), "%s", h);
        free(h);
        h = it_header(&r.v[0], "trace");
        cr_assert_str_eq(h, "k-huge", "the input's headers are kept");
        free(h);
        it_recs_free(&r);

        /* listing shows the cut; replay refuses it */
        snprintf(cmd, sizeof(cmd), "%s dlq --brokers %s --topic %s "
                 "--from-beginning --exit-on-eof --json", it_bin(),
                 it_brokers(), t.dlq);
        cr_assert_eq(it_run(cmd, &out), 0);
        o = json_loads(out, 0, NULL);
        cr_assert(o, "%s", out);
        cr_assert_eq(json_integer_value(json_object_get(o,
                                                        "truncated_from")),
                     (json_int_t)len);
        json_decref(o);
        free(out);
        snprintf(cmd, sizeof(cmd), "%s dlq --brokers %s --topic %s --replay "
                 "--to %s --all 2>&1", it_bin(), it_brokers(), t.dlq, side);
        cr_assert_eq(it_run(cmd, &out), 1, "%s", out);
        cr_assert(strstr(out, "1 cut (not replayed)"), "%s", out);
        cr_assert(strstr(out, "replay the source record"), "%s", out);
        free(out);
        r = it_read_all(side, 0, 3000);
        cr_assert_eq(r.cnt, 0);
        it_recs_free(&r);
        free(art);
        free(side);
        it_topics_free(&t);
}

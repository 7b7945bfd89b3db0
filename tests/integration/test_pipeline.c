/*
 * The whole path through the real broker: ingest -> enrich -> alerts,
 * dead letters, and offsets committed only for finished work.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "helpers.h"

static int run_enrich(const it_topics_t *t, const char *extra, char **outp) {
        char cmd[2048];
        snprintf(cmd, sizeof(cmd),
                 "%s enrich --brokers %s --group %s --input %s --output %s "
                 "--alerts %s --dlq %s --exit-on-eof %s 2>&1",
                 it_bin(), it_brokers(), t->group, t->in, t->out, t->alerts,
                 t->dlq, extra ? extra : "");
        return it_run(cmd, outp);
}

/* Finds the entity with \p text in the decoded record. */
static json_t *find_entity(json_t *rec, const char *text, const char *type) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(rec, "entities"), i, e) {
                if (!strcmp(json_string_value(json_object_get(e, "text")),
                            text) &&
                    !strcmp(json_string_value(json_object_get(e, "type")),
                            type))
                        return e;
        }
        return NULL;
}

static bool has_string(json_t *arr, const char *s) {
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v) if (!strcmp(json_string_value(v), s))
                return true;
        return false;
}

Test(pipeline, sample_article_end_to_end, .timeout = 240) {
        it_topics_t t = it_topics("sample", 2, 2);
        char cmd[2048], *out = NULL, err[256];
        ink_avro_t *av = ink_avro_new(err, sizeof(err));
        json_t *rec = NULL, *alert, *e;
        it_recs_t recs;

        cr_assert(not(eq(ptr, av, NULL)), "%s", err);
        snprintf(cmd, sizeof(cmd),
                 "%s ingest --brokers %s --topic %s %s/trump-putin-call.txt "
                 "2>&1", it_bin(), it_brokers(), t.in, INK_TEST_DATA);
        cr_assert(eq(int, it_run(cmd, &out), 0), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "1 produced"), NULL)), "%s", out);
        free(out);

        cr_assert(eq(int, run_enrich(&t, NULL, &out), 0), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "1 enriched"), NULL)), "%s", out);
        free(out);

        /* the enriched record, decoded back from the topic */
        recs = it_read_all(t.out, 1, 30000);
        cr_assert(eq(sz, recs.cnt, 1));
        cr_assert(eq(int, ink_avro_decode_json(av, INK_REC_ENRICHED,
                                               recs.v[0].value, recs.v[0].len,
                                               &rec, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(str, recs.v[0].key,
                     (char *)json_string_value(json_object_get(rec, "id"))));
        cr_expect(not(eq(ptr, find_entity(rec, "Donald Trump", "PER"), NULL)));
        cr_expect(not(eq(ptr, find_entity(rec, "Vladimir Putin", "PER"),
                         NULL)));
        e = find_entity(rec, "Putin", "PER");
        cr_assert(not(eq(ptr, e, NULL)), "surname-only mention of Putin");
        cr_expect(eq(str, (char *)json_string_value(
                                  json_object_get(e, "canonical")),
                     "Vladimir Putin"));
        e = find_entity(rec, "Trump", "PER");
        cr_assert(not(eq(ptr, e, NULL)), "surname-only mention of Trump");
        cr_expect(eq(str, (char *)json_string_value(
                                  json_object_get(e, "canonical")),
                     "Donald Trump"));
        const char *locs[] = {"Russia", "Ukraine", "Switzerland", "Serbia"};
        for (size_t i = 0; i < 4; i++)
                cr_expect(not(eq(ptr, find_entity(rec, locs[i], "LOC"), NULL)),
                          "%s as LOC", locs[i]);
        cr_expect(not(eq(ptr, find_entity(rec, "CNN", "ORG"), NULL)));
        cr_expect(not(eq(ptr, find_entity(rec, "NATO", "ORG"), NULL)));
        cr_expect(eq(sz, json_array_size(json_object_get(rec, "alerts")), 1));
        json_decref(rec);
        it_recs_free(&recs);

        /* the alert, through `inkstream alerts` */
        snprintf(cmd, sizeof(cmd),
                 "%s alerts --brokers %s --topic %s --from-beginning "
                 "--exit-on-eof --json", it_bin(), it_brokers(), t.alerts);
        cr_assert(eq(int, it_run(cmd, &out), 0));
        alert = json_loads(out, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK,
                           NULL);
        cr_assert(not(eq(ptr, alert, NULL)), "alerts printed: %s", out);
        cr_expect(eq(sz, json_array_size(json_object_get(alert,
                                                         "participants")),
                     2));
        cr_expect(has_string(json_object_get(alert, "participants"),
                             "Donald Trump"));
        cr_expect(has_string(json_object_get(alert, "participants"),
                             "Vladimir Putin"));
        cr_expect(has_string(json_object_get(alert, "venues"),
                             "Switzerland"));
        cr_expect(has_string(json_object_get(alert, "venues"), "Serbia"));
        cr_expect(eq(str, (char *)json_string_value(
                                  json_object_get(alert, "status")),
                     "planned"));
        json_decref(alert);
        free(out);
        ink_avro_destroy(av);
}

Test(pipeline, dead_letters_and_commits, .timeout = 240) {
        it_topics_t t = it_topics("dlq", 1, 1);
        static const struct {
                const char *value;
                const char *cls;
        } bad[] = {
                {"{\"id\": \"x1\", \"body\": ", "invalid_input"},
                {"{\"id\": \"x2\", \"title\": \"no body\"}", "invalid_input"},
                {"{\"id\": \"x3\", \"body\": \"caf\xc3\x28\"}", "invalid_input"},
                {"", "invalid_input"},
                {"[1, 2, 3]", "invalid_input"},
        };
        const char *good = "{\"id\": \"ok1\", \"title\": \"Talks\", \"body\": "
                           "\"The mayor opened a new bridge on Monday.\"}";
        char big[3000], *out = NULL, *h;
        it_recs_t dlq, outr;
        size_t nbad = sizeof(bad) / sizeof(bad[0]);

        it_produce(t.in, "ok1", good, strlen(good));
        for (size_t i = 0; i < nbad; i++)
                it_produce(t.in, "bad", bad[i].value, strlen(bad[i].value));
        /* over the limit set below */
        snprintf(big, sizeof(big), "{\"id\": \"big\", \"body\": \"%2500d\"}",
                 7);
        it_produce(t.in, "big", big, strlen(big));
        it_produce(t.in, "ok1", good, strlen(good));

        cr_assert(eq(int, run_enrich(&t, "-X max.article.bytes=2000", &out),
                     0), "%s", out);
        free(out);

        dlq = it_read_all(t.dlq, nbad + 1, 30000);
        cr_assert(eq(sz, dlq.cnt, nbad + 1));
        for (size_t i = 0; i < nbad; i++) {
                /* original bytes, untouched */
                cr_expect(eq(sz, dlq.v[i].len, strlen(bad[i].value)));
                cr_expect(zero(memcmp(dlq.v[i].value, bad[i].value,
                                      dlq.v[i].len)));
                h = it_header(&dlq.v[i], "inkstream.error.class");
                cr_expect(eq(str, h ? h : "", (char *)bad[i].cls));
                free(h);
                h = it_header(&dlq.v[i], "inkstream.error.reason");
                cr_expect(not(eq(ptr, h, NULL)));
                cr_expect(gt(sz, strlen(h ? h : ""), 5));
                free(h);
                h = it_header(&dlq.v[i], "inkstream.source.offset");
                cr_expect(eq(int, atoi(h ? h : "-1"), (int)i + 1));
                free(h);
                h = it_header(&dlq.v[i], "inkstream.source.topic");
                cr_expect(eq(str, h ? h : "", t.in));
                free(h);
        }
        h = it_header(&dlq.v[nbad], "inkstream.error.class");
        cr_expect(eq(str, h ? h : "", "too_large"));
        free(h);
        it_recs_free(&dlq);

        /* the good articles around the bad ones still flowed */
        outr = it_read_all(t.out, 2, 30000);
        cr_expect(eq(sz, outr.cnt, 2));
        it_recs_free(&outr);

        /* everything is committed: a restart consumes nothing */
        cr_expect(eq(i64, it_committed(t.group, t.in, 0),
                     (int64_t)nbad + 3));
        cr_assert(eq(int, run_enrich(&t, NULL, &out), 0), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "0 consumed"), NULL)), "%s", out);
        free(out);
}

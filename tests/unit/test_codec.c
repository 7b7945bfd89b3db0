/*
 * Article parsing (JSON and text), and Avro records with Confluent framing.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "ink/codec.h"

Test(article_json, full_article) {
        ink_article_t *art = ink_article_new();
        char err[256];
        const char *in = "{\"id\":\"a1\",\"title\":\"T\",\"body\":\"Body "
                         "text.\",\"url\":\"https://x.test/a\",\"published\":"
                         "\"2025-01-15\",\"source\":null}";
        cr_assert(eq(int, ink_article_parse_json(art, in, strlen(in), 0, err,
                                                 sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(str, (char *)art->id, "a1"));
        cr_expect(eq(str, (char *)art->title, "T"));
        cr_expect(eq(sz, art->body_len, 10));
        cr_expect(eq(str, (char *)art->url, "https://x.test/a"));
        cr_expect(eq(ptr, (void *)art->source, NULL));
        cr_expect(eq(i64, art->published_ms, 1736899200000LL));
        ink_article_destroy(art);
}

Test(article_json, headline_only) {
        ink_article_t *art = ink_article_new();
        char err[256];
        const char *in = "{\"id\":\"f1\",\"title\":\"Flash: summit "
                         "called off\",\"body\":\"\"}";
        cr_expect(eq(int, ink_article_parse_json(art, in, strlen(in), 0, err,
                                                 sizeof(err)),
                     INK_OK), "%s", err);
        ink_article_destroy(art);
}

Test(article_json, numeric_id_and_missing_title) {
        ink_article_t *art = ink_article_new();
        char err[256];
        const char *in = "{\"id\": 42, \"body\": \"x y\"}";
        cr_assert(eq(int, ink_article_parse_json(art, in, strlen(in), 0, err,
                                                 sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(str, (char *)art->id, "42"));
        cr_expect(eq(str, (char *)art->title, ""));
        ink_article_destroy(art);
}

/* Strings inline: parameters are copied into each test's process. */
struct bad_case {
        char in[96];
        int rc;
        char reason[40]; /* substring of the reason */
};

ParameterizedTestParameters(article_json, rejects) {
        static struct bad_case cases[] = {
                {"", INK_ERR_INVALID, "empty input"},
                {"   \n", INK_ERR_INVALID, "empty input"},
                {"{\"id\":\"a\",\"body\":", INK_ERR_INVALID, "malformed JSON"},
                {"[1,2]", INK_ERR_INVALID, "JSON object"},
                {"{\"body\":\"x\"}", INK_ERR_INVALID, "missing field \"id\""},
                {"{\"id\":\"a\"}", INK_ERR_INVALID, "missing field \"body\""},
                {"{\"id\":\"a\",\"body\":\"  \"}", INK_ERR_INVALID,
                 "both empty"},
                {"{\"id\":\"a\",\"title\":\" \",\"body\":\"\"}",
                 INK_ERR_INVALID, "both empty"},
                {"{\"id\":\"a\",\"body\":7}", INK_ERR_INVALID,
                 "\"body\" must be a string"},
                {"{\"id\":\"a\",\"body\":\"x\",\"title\":[1]}",
                 INK_ERR_INVALID, "\"title\" must be a string"},
                {"{\"id\":\"a\",\"body\":\"caf\xc3\x28\"}", INK_ERR_INVALID,
                 "invalid UTF-8 at byte"},
                {"{\"id\":\"a\",\"body\":\"x\\u0000y\"}", INK_ERR_INVALID,
                 "NUL"},
                {"{\"id\":\"a\",\"id\":\"b\",\"body\":\"x\"}",
                 INK_ERR_INVALID, "duplicate"},
                {"{\"id\":\"a\",\"body\":\"0123456789012345678901234567890"
                 "123456789\"}", INK_ERR_TOO_LARGE, "over the limit"},
        };
        return cr_make_param_array(struct bad_case, cases,
                                   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *c, article_json, rejects) {
        ink_article_t *art = ink_article_new();
        char err[256] = "";
        cr_expect(eq(int, ink_article_parse_json(art, c->in, strlen(c->in),
                                                 50, err, sizeof(err)),
                     c->rc), "%s", c->in);
        cr_expect(not(eq(ptr, strstr(err, c->reason), NULL)),
                  "reason \"%s\" lacks \"%s\"", err, c->reason);
        ink_article_destroy(art);
}

Test(article_text, title_and_body) {
        ink_article_t *art = ink_article_new();
        char err[256];
        const char *in = "\xef\xbb\xbfHeadline here\r\nFirst line.\nSecond.";
        cr_assert(eq(int, ink_article_parse_text(art, in, strlen(in), 0, err,
                                                 sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(str, (char *)art->title, "Headline here"));
        cr_expect(eq(str, (char *)art->body, "First line.\nSecond."));
        cr_expect(eq(sz, strlen(art->id), 20));
        ink_article_destroy(art);
        art = ink_article_new();
        cr_expect(eq(int, ink_article_parse_text(art, "Only a title", 12, 0,
                                                 err, sizeof(err)),
                     INK_ERR_INVALID));
        ink_article_destroy(art);
}

Test(utf8, validator) {
        cr_expect(eq(long, ink_utf8_invalid_at("ok \xe2\x80\x99 \xf0\x9f\x98\x80", 11), -1));
        cr_expect(eq(long, ink_utf8_invalid_at("ab\xc0\xaf", 4), 2));   /* overlong */
        cr_expect(eq(long, ink_utf8_invalid_at("a\xed\xa0\x80", 4), 1)); /* surrogate */
        cr_expect(eq(long, ink_utf8_invalid_at("abc\xe2\x80", 5), 3));  /* truncated */
        cr_expect(eq(long, ink_utf8_invalid_at("a\0b", 3), 1));
}

static int is_null(json_t *j) { return json_is_null(j) ? 1 : 0; }
static int is_array(json_t *j) { return json_is_array(j) ? 1 : 0; }

/* An article with one entity and one alert, filled by hand. */
static ink_article_t *sample_article(void) {
        ink_article_t *art = ink_article_new();
        static const char *parts[] = {"Ana Diaz", "Li Wei"};
        static const char *venues[] = {"Geneva"};
        ink_alert_t al = {0};

        art->id = "a-1";
        art->title = "Leaders to meet";
        art->title_len = strlen(art->title);
        art->body = "Ana Diaz will meet Li Wei in Geneva.";
        art->body_len = strlen(art->body);
        art->url = "https://news.test/1";
        art->published_ms = 1736899200000LL;
        art->ingested_ms = 1736899300000LL;
        art->processed_ms = 1736899300123LL;
        art->ents = ink_arena_calloc(art->arena, 1, sizeof(ink_entity_t));
        art->nents = 1;
        art->ents[0] = (ink_entity_t){.type = INK_ENT_PER,
                                      .field = INK_FIELD_BODY,
                                      .cb = 0, .ce = 8,
                                      .text = "Ana Diaz",
                                      .canonical = "Ana Diaz",
                                      .has_sentiment = true,
                                      .sentiment = 0.25};
        art->sentiment.compound = -0.5;
        art->sentiment.neutral = 1.0;
        al.type = "summit";
        al.alert_id = "abc123";
        al.event_key = "summit|meeting|Ana Diaz|Li Wei";
        al.participants = parts;
        al.nparticipants = 2;
        al.mode = INK_MODE_MEETING;
        al.status = INK_STATUS_PLANNED;
        al.venues = venues;
        al.nvenues = 1;
        al.evidence = art->body;
        ink_article_add_alert(art, &al);
        return art;
}

Test(avro, article_roundtrip) {
        char err[256];
        ink_avro_t *av = ink_avro_new(err, sizeof(err));
        ink_article_t *art = sample_article();
        const char *buf;
        size_t len;
        json_t *o = NULL, *e;

        cr_assert(not(eq(ptr, av, NULL)), "%s", err);
        cr_assert(eq(int, ink_avro_encode_article(av, art, &buf, &len, err,
                                                  sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(int, buf[0], 0));
        cr_expect(eq(int, buf[4], 1)); /* schema id 1 */
        cr_assert(eq(int, ink_avro_decode_json(av, INK_REC_ENRICHED, buf, len,
                                               &o, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(str, (char *)json_string_value(json_object_get(o, "id")),
                     "a-1"));
        cr_expect(eq(i64, json_integer_value(json_object_get(o, "published")),
                     1736899200000LL));
        cr_expect(eq(int, is_null(json_object_get(o, "source")), 1));
        e = json_array_get(json_object_get(o, "entities"), 0);
        cr_expect(eq(str, (char *)json_string_value(json_object_get(e, "type")),
                     "PER"));
        cr_expect(eq(int, (int)json_integer_value(json_object_get(e, "end")),
                     8));
        cr_expect(eq(dbl, json_real_value(json_object_get(e, "sentiment")),
                     0.25));
        cr_expect(eq(dbl, json_real_value(json_object_get(
                                  json_object_get(o, "sentiment"), "compound")),
                     -0.5));
        cr_expect(eq(sz, json_array_size(json_object_get(o, "alerts")), 1));
        json_decref(o);
        ink_article_destroy(art);
        ink_avro_destroy(av);
}

Test(avro, alert_roundtrip) {
        char err[256];
        ink_avro_t *av = ink_avro_new(err, sizeof(err));
        ink_article_t *art = sample_article();
        const char *buf;
        size_t len;
        json_t *o = NULL;

        cr_assert(eq(int, ink_avro_encode_alert(av, art, &art->alerts[0], &buf,
                                                &len, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(int, buf[4], 2)); /* schema id 2 */
        cr_assert(eq(int, ink_avro_decode_json(av, INK_REC_ALERT, buf, len,
                                               &o, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(str, (char *)json_string_value(json_object_get(o, "mode")),
                     "meeting"));
        cr_expect(eq(str, (char *)json_string_value(json_object_get(o,
                                                                   "status")),
                     "planned"));
        cr_expect(eq(sz, json_array_size(json_object_get(o, "participants")),
                     2));
        cr_expect(eq(str, (char *)json_string_value(json_object_get(
                                  o, "article_url")),
                     "https://news.test/1"));
        cr_expect(eq(int, is_null(json_object_get(o, "when_text")), 1));
        json_decref(o);
        ink_article_destroy(art);
        ink_avro_destroy(av);
}

Test(avro, refuses_bad_framing) {
        char err[256];
        ink_avro_t *av = ink_avro_new(err, sizeof(err));
        ink_article_t *art = sample_article();
        const char *buf;
        size_t len;
        char copy[4096];
        json_t *o = NULL;

        ink_avro_encode_alert(av, art, &art->alerts[0], &buf, &len, err,
                              sizeof(err));
        memcpy(copy, buf, len);
        cr_expect(eq(int, ink_avro_decode_json(av, INK_REC_ALERT, copy, 3, &o,
                                               err, sizeof(err)),
                     INK_ERR_SCHEMA));
        cr_expect(not(eq(ptr, strstr(err, "shorter"), NULL)), "%s", err);
        copy[0] = 7;
        cr_expect(eq(int, ink_avro_decode_json(av, INK_REC_ALERT, copy, len,
                                               &o, err, sizeof(err)),
                     INK_ERR_SCHEMA));
        cr_expect(not(eq(ptr, strstr(err, "magic"), NULL)), "%s", err);
        copy[0] = 0;
        copy[4] = 9;
        cr_expect(eq(int, ink_avro_decode_json(av, INK_REC_ALERT, copy, len,
                                               &o, err, sizeof(err)),
                     INK_ERR_SCHEMA));
        cr_expect(not(eq(ptr, strstr(err, "schema id 9"), NULL)), "%s", err);
        copy[4] = 2;
        cr_expect(eq(int, ink_avro_decode_json(av, INK_REC_ALERT, copy,
                                               len / 2, &o, err, sizeof(err)),
                     INK_ERR_SCHEMA));
        ink_article_destroy(art);
        ink_avro_destroy(av);
}

Test(json_out, contract_fields) {
        ink_article_t *art = sample_article();
        json_t *o = ink_article_to_json(art), *e, *a;
        e = json_array_get(json_object_get(o, "entities"), 0);
        cr_expect(eq(str, (char *)json_string_value(json_object_get(e, "field")),
                     "body"));
        cr_expect(eq(int, (int)json_integer_value(json_object_get(e, "begin")),
                     0));
        a = json_array_get(json_object_get(o, "alerts"), 0);
        cr_expect(eq(str, (char *)json_string_value(json_object_get(a, "mode")),
                     "meeting"));
        cr_expect(eq(int, is_array(json_object_get(a, "venues")), 1));
        cr_expect(eq(int, is_null(json_object_get(a, "when")), 1));
        cr_expect(eq(str, (char *)json_string_value(json_object_get(
                                  o, "published")),
                     "2025-01-15T00:00:00.000Z"));
        json_decref(o);
        ink_article_destroy(art);
}

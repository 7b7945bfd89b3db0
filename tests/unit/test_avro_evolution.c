/*
 * Schema evolution: a version 2 of a schema adds fields with defaults; an
 * old reader reads new records and a new reader reads old records (Avro
 * schema resolution); a field without a default is refused.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "ink/codec.h"

/* An article with one entity and one alert, filled by hand. */
static ink_article_t *sample_article(void) {
        ink_article_t *art = ink_article_new();
        static const char *parts[] = {"Ana Diaz", "Li Wei"};
        static const char *venues[] = {"Geneva"};
        ink_alert_t al = {0};

        art->id = "evo-1";
        art->title = "Leaders to meet";
        art->title_len = strlen(art->title);
        art->body = "Ana Diaz will meet Li Wei in Geneva.";
        art->body_len = strlen(art->body);
        art->published_ms = -1;
        art->ingested_ms = 1736899300000LL;
        art->processed_ms = 1736899300123LL;
        art->ents = ink_arena_calloc(art->arena, 1, sizeof(ink_entity_t));
        art->nents = 1;
        art->ents[0] = (ink_entity_t){.type = INK_ENT_PER,
                                      .field = INK_FIELD_BODY,
                                      .cb = 0, .ce = 8,
                                      .text = "Ana Diaz",
                                      .canonical = "Ana Diaz"};
        al.type = "summit";
        al.alert_id = "evo-alert";
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

/* The embedded schema of \p kind with \p field (JSON) appended to the
 * fields of its top record (\p nested false) or of the Entity record
 * (\p nested true).  Returns a malloc'ed text. */
static char *evolve(ink_record_t kind, const char *field, bool nested) {
        json_t *s = json_loads(ink_avro_schema_text(kind), 0, NULL);
        json_t *rec = s, *f = json_loads(field, 0, NULL);
        char *text;

        cr_assert(not(eq(ptr, s, NULL)));
        cr_assert(not(eq(ptr, f, NULL)));
        if (nested) {
                size_t i;
                json_t *fl;
                json_array_foreach(json_object_get(s, "fields"), i, fl)
                        if (!strcmp(json_string_value(json_object_get(fl,
                                                                      "name")),
                                    "entities"))
                                rec = json_object_get(
                                        json_object_get(fl, "type"), "items");
        }
        json_array_append_new(json_object_get(rec, "fields"), f);
        text = json_dumps(s, JSON_COMPACT);
        json_decref(s);
        return text;
}

static const char *priority_field =
        "{\"name\":\"priority\",\"type\":\"int\",\"default\":3,"
        "\"doc\":\"Editorial priority, 1 (highest) .. 5.\"}";
static const char *tags_field =
        "{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":"
        "\"string\"},\"default\":[],\"doc\":\"Desk tags.\"}";

/* Alert v2: v1 plus priority and tags, both with defaults. */
static char *alert_v2(void) {
        char *t1 = evolve(INK_REC_ALERT, priority_field, false);
        json_t *s = json_loads(t1, 0, NULL);
        char *t2;

        json_array_append_new(json_object_get(s, "fields"),
                              json_loads(tags_field, 0, NULL));
        t2 = json_dumps(s, JSON_COMPACT);
        json_decref(s);
        free(t1);
        return t2;
}

/* Encodes the sample alert with the v1 codec and decodes it back. */
static json_t *v1_alert(ink_avro_t *av1, const char **bufp, size_t *lenp) {
        ink_article_t *art = sample_article();
        char err[256];
        json_t *o = NULL;

        cr_assert(eq(int, ink_avro_encode_alert(av1, art, &art->alerts[0],
                                                bufp, lenp, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_assert(eq(int, ink_avro_decode_json(av1, INK_REC_ALERT, *bufp,
                                               *lenp, &o, err, sizeof(err)),
                     INK_OK), "%s", err);
        ink_article_destroy(art);
        return o;
}

Test(avro_evolution, new_reader_reads_old_records) {
        char err[512], *v2 = alert_v2();
        const char *texts[INK_REC_CNT] = {NULL, v2};
        ink_avro_t *av1 = ink_avro_new(err, sizeof(err));
        ink_avro_t *av2 = ink_avro_new_schemas(texts, err, sizeof(err));
        const char *buf;
        size_t len;
        json_t *o1, *o2 = NULL;

        cr_assert(not(eq(ptr, av1, NULL)), "%s", err);
        cr_assert(not(eq(ptr, av2, NULL)), "%s", err);
        o1 = v1_alert(av1, &buf, &len);
        /* the new reader learns the old writer schema under its id */
        cr_assert(eq(int, ink_avro_add_writer(av2,
                                              ink_avro_schema_id(av1,
                                                                 INK_REC_ALERT),
                                              ink_avro_schema_text(
                                                      INK_REC_ALERT),
                                              NULL, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_assert(eq(int, ink_avro_decode_json(av2, INK_REC_ALERT, buf, len,
                                               &o2, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(i64, json_integer_value(json_object_get(o2, "priority")),
                     3));
        cr_expect(eq(sz, json_array_size(json_object_get(o2, "tags")), 0));
        cr_expect(eq(int, json_is_array(json_object_get(o2, "tags")) ? 1 : 0,
                     1));
        json_object_del(o2, "priority");
        json_object_del(o2, "tags");
        cr_expect(eq(int, json_equal(o1, o2), 1));
        json_decref(o1);
        json_decref(o2);
        ink_avro_destroy(av1);
        ink_avro_destroy(av2);
        free(v2);
}

Test(avro_evolution, old_reader_reads_new_records) {
        char err[512], *v2 = alert_v2();
        const char *texts[INK_REC_CNT] = {NULL, v2};
        ink_avro_t *av1 = ink_avro_new(err, sizeof(err));
        ink_avro_t *av2 = ink_avro_new_schemas(texts, err, sizeof(err));
        const char *buf;
        size_t len;
        json_t *o1, *n, *back = NULL;

        cr_assert(not(eq(ptr, av1, NULL)), "%s", err);
        cr_assert(not(eq(ptr, av2, NULL)), "%s", err);
        o1 = v1_alert(av1, &buf, &len);
        n = json_deep_copy(o1);
        json_object_set_new(n, "priority", json_integer(1));
        json_object_set_new(n, "tags", json_pack("[s]", "europe"));
        ink_avro_set_schema_id(av2, INK_REC_ALERT, 12);
        cr_assert(eq(int, ink_avro_encode_json(av2, INK_REC_ALERT, n, &buf,
                                               &len, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(i64, ink_wire_schema_id(buf, len), 12));
        /* the old reader does not know id 12 yet */
        cr_expect(eq(int, ink_avro_decode_json(av1, INK_REC_ALERT, buf, len,
                                               &back, err, sizeof(err)),
                     INK_ERR_SCHEMA));
        cr_assert(eq(int, ink_avro_add_writer(av1, 12, v2, NULL, err,
                                              sizeof(err)),
                     INK_OK), "%s", err);
        cr_assert(eq(int, ink_avro_decode_json(av1, INK_REC_ALERT, buf, len,
                                               &back, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(ptr, json_object_get(back, "priority"), NULL));
        cr_expect(eq(int, json_equal(o1, back), 1));
        /* and the new reader reads its own records with the new fields */
        json_decref(back);
        back = NULL;
        cr_assert(eq(int, ink_avro_decode_json(av2, INK_REC_ALERT, buf, len,
                                               &back, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(int, json_equal(n, back), 1));
        json_decref(back);
        json_decref(n);
        json_decref(o1);
        ink_avro_destroy(av1);
        ink_avro_destroy(av2);
        free(v2);
}

Test(avro_evolution, nested_field_default_inside_an_array) {
        char err[512];
        char *v2 = evolve(INK_REC_ENRICHED,
                          "{\"name\":\"wikidata\",\"type\":\"string\","
                          "\"default\":\"unlinked\"}", true);
        const char *texts[INK_REC_CNT] = {v2, NULL};
        ink_avro_t *av1 = ink_avro_new(err, sizeof(err));
        ink_avro_t *av2 = ink_avro_new_schemas(texts, err, sizeof(err));
        ink_article_t *art = sample_article();
        const char *buf;
        size_t len;
        json_t *o = NULL, *e;

        cr_assert(not(eq(ptr, av2, NULL)), "%s", err);
        cr_assert(eq(int, ink_avro_encode_article(av1, art, &buf, &len, err,
                                                  sizeof(err)),
                     INK_OK), "%s", err);
        cr_assert(eq(int, ink_avro_add_writer(av2, 1,
                                              ink_avro_schema_text(
                                                      INK_REC_ENRICHED),
                                              NULL, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_assert(eq(int, ink_avro_decode_json(av2, INK_REC_ENRICHED, buf,
                                               len, &o, err, sizeof(err)),
                     INK_OK), "%s", err);
        e = json_array_get(json_object_get(o, "entities"), 0);
        cr_expect(eq(str, (char *)json_string_value(json_object_get(
                                  e, "wikidata")),
                     "unlinked"));
        cr_expect(eq(str, (char *)json_string_value(json_object_get(
                                  e, "canonical")),
                     "Ana Diaz"));
        json_decref(o);
        ink_article_destroy(art);
        ink_avro_destroy(av1);
        ink_avro_destroy(av2);
        free(v2);
}

Test(avro_evolution, field_without_default_is_refused) {
        char err[512];
        char *v3 = evolve(INK_REC_ALERT,
                          "{\"name\":\"priority\",\"type\":\"int\"}", false);
        const char *texts[INK_REC_CNT] = {NULL, v3};
        ink_avro_t *av3 = ink_avro_new_schemas(texts, err, sizeof(err));

        cr_assert(not(eq(ptr, av3, NULL)), "%s", err);
        cr_expect(eq(int, ink_avro_add_writer(av3, 2,
                                              ink_avro_schema_text(
                                                      INK_REC_ALERT),
                                              NULL, err, sizeof(err)),
                     INK_ERR_SCHEMA));
        cr_expect(not(eq(ptr, strstr(err, "Alert.priority has no default"),
                         NULL)), "%s", err);
        ink_avro_destroy(av3);
        free(v3);
}

Test(avro_evolution, changed_field_type_is_refused) {
        char err[512];
        json_t *s = json_loads(ink_avro_schema_text(INK_REC_ALERT), 0, NULL);
        const char *texts[INK_REC_CNT];
        ink_avro_t *av;
        char *text;

        /* alert_id: string -> int cannot be resolved */
        json_object_set_new(json_array_get(json_object_get(s, "fields"), 0),
                            "type", json_string("int"));
        text = json_dumps(s, JSON_COMPACT);
        texts[INK_REC_ENRICHED] = NULL;
        texts[INK_REC_ALERT] = text;
        av = ink_avro_new_schemas(texts, err, sizeof(err));
        cr_assert(not(eq(ptr, av, NULL)), "%s", err);
        cr_expect(eq(int, ink_avro_add_writer(av, 2,
                                              ink_avro_schema_text(
                                                      INK_REC_ALERT),
                                              NULL, err, sizeof(err)),
                     INK_ERR_SCHEMA));
        cr_expect(not(eq(ptr, strstr(err, "cannot be read"), NULL)), "%s",
                  err);
        ink_avro_destroy(av);
        json_decref(s);
        free(text);
}

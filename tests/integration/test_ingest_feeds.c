/*
 * `inkstream ingest` of RSS 2.0, Atom and ninjs files against the real
 * broker: one record per good item keyed by its stable id, bad items
 * reported with their index while the rest flow, re-ingest gives the same
 * keys, a malformed file and a wrong --format are reported.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define FEEDS INK_TEST_DATA "/feeds/"

static int ingest(const char *topic, const char *args, char **outp) {
        char cmd[2048];
        snprintf(cmd, sizeof(cmd), "%s ingest --brokers %s --topic %s %s "
                 "2>&1", it_bin(), it_brokers(), topic, args);
        return it_run(cmd, outp);
}

static bool has_key(const it_recs_t *r, const char *key) {
        for (size_t i = 0; i < r->cnt; i++)
                if (r->v[i].key && !strcmp(r->v[i].key, key))
                        return true;
        return false;
}

Test(ingest_feeds, items_keyed_by_stable_id, .timeout = 180) {
        char *t = it_topic("feeds");
        char *out;
        it_recs_t r;
        json_t *o;

        it_create_topic(t, 1);
        cr_assert_eq(ingest(t, FEEDS "rss.xml " FEEDS "atom.xml " FEEDS
                             "ninjs.json " FEEDS "ninjs-one.json", &out), 0,
                     "%s", out);
        cr_assert(strstr(out, "rss.xml: item 4: rejected: no text"), "%s",
                  out);
        cr_assert(strstr(out, "rss.xml: item 5: rejected: pubDate"), "%s",
                  out);
        cr_assert(strstr(out, "atom.xml: item 3: rejected"), "%s", out);
        cr_assert(strstr(out, "ninjs.json: item 3: rejected"), "%s", out);
        cr_assert(strstr(out, "10 produced"), "%s", out);
        cr_assert(strstr(out, "6 rejected"), "%s", out);
        free(out);
        r = it_read_all(t, 10, 60000);
        cr_assert_eq(r.cnt, 10);
        cr_assert(has_key(&r, "gazette-2024-0001"));
        cr_assert(has_key(&r, "https://gazette.example/news/library"));
        cr_assert(has_key(&r, "urn:uuid:6b1f0f0e-courier-0001"));
        cr_assert(has_key(&r, "https://agency.example/item/1001"));
        cr_assert(has_key(&r, "urn:agency:item:2001"));
        for (size_t i = 0; i < r.cnt; i++) {
                o = json_loads(r.v[i].value, 0, NULL);
                cr_assert(o, "%s", r.v[i].value);
                cr_assert_str_eq(json_string_value(json_object_get(o, "id")),
                                 r.v[i].key);
                json_decref(o);
        }
        it_recs_free(&r);

        /* again: the same keys, so downstream can deduplicate */
        cr_assert_eq(ingest(t, FEEDS "rss.xml " FEEDS "atom.xml " FEEDS
                             "ninjs.json " FEEDS "ninjs-one.json", &out), 0);
        free(out);
        r = it_read_all(t, 20, 60000);
        cr_assert_eq(r.cnt, 20);
        for (size_t i = 0; i < 10; i++)
                cr_assert_str_eq(r.v[i].key, r.v[i + 10].key);
        it_recs_free(&r);
        free(t);
}

Test(ingest_feeds, bad_files_reported, .timeout = 120) {
        char *t = it_topic("feeds-bad");
        char *out;

        it_create_topic(t, 1);
        cr_assert_eq(ingest(t, FEEDS "malformed.xml " FEEDS "entities.xml",
                            &out), 0, "%s", out);
        cr_assert(strstr(out, "malformed.xml: rejected: malformed XML at "
                              "line"), "%s", out);
        cr_assert(strstr(out, "entities.xml: rejected: the feed declares "
                              "XML entities"), "%s", out);
        cr_assert(strstr(out, "0 produced"), "%s", out);
        free(out);
        cr_assert_eq(ingest(t, "--format atom " FEEDS "rss.xml", &out), 0);
        cr_assert(strstr(out, "not an Atom (<feed>) feed: the root element "
                              "is <rss>"), "%s", out);
        free(out);
        cr_assert_eq(ingest(t, "--format xml " FEEDS "rss.xml", &out), 1);
        cr_assert(strstr(out, "format \"xml\" is not one of"), "%s", out);
        free(out);
        free(t);
}

/*
 * Place gazetteers: cities (GeoNames, data/gazetteer/cities.tsv), country
 * Wikidata QIDs (country-qids.tsv), and the canonical names and kb ids
 * they give LOC entities, down to the output of `inkstream annotate`.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ink/ner.h"

/* @returns the city named NUL-terminated \p s, or NULL. */
static const ink_city_t *city(const char *s) {
        return ink_gaz_city(s, strlen(s));
}

/* Expects \p name to resolve to the city with GeoNames id \p id, country
 * \p cc and canonical name \p canon. */
static void expect_city(const char *name, uint32_t id, const char *cc,
                        const char *canon) {
        const ink_city_t *c = city(name);
        char kb[32];
        cr_assert(not(eq(ptr, (void *)c, NULL)), "%s not found", name);
        snprintf(kb, sizeof(kb), "geonames:%u", (unsigned)id);
        cr_expect(eq(u32, c->geonameid, id), "%s", name);
        cr_expect(eq(str, (char *)c->alpha2, (char *)cc), "%s", name);
        cr_expect(eq(str, (char *)c->canonical, (char *)canon), "%s", name);
        cr_expect(eq(str, (char *)c->kb_id, kb), "%s", name);
}

/*---- The packaged tables ---------------------------------------------------*/

Test(gaz_city, names_and_alternate_names) {
        expect_city("Geneva", 2660646, "CH", "Geneva");
        expect_city("Kyiv", 703448, "UA", "Kyiv");
        expect_city("Kiev", 703448, "UA", "Kyiv");
        expect_city("Cologne", 2886242, "DE", "Köln");
        expect_city("Köln", 2886242, "DE", "Köln");
        expect_city("Zurich", 2657896, "CH", "Zürich");
        expect_city("New York City", 5128581, "US", "New York City");
        cr_expect(gt(u32, city("Geneva")->population, 100000));
}

Test(gaz_city, ambiguous_names_go_to_the_most_populous) {
        /* ten cities are called Paris, six London, several Moscow */
        expect_city("Paris", 2988507, "FR", "Paris");
        expect_city("London", 2643743, "GB", "London");
        expect_city("Moscow", 524901, "RU", "Moscow");
        /* Geneva, Illinois is smaller than Geneva, Switzerland */
        cr_expect(eq(str, (char *)city("Geneva")->alpha2, "CH"));
        /* a city's own name beats another city's alternate name: Olbia
         * is an old name of Antalya (1.3 M people), but Olbia, Sardinia
         * is called so */
        expect_city("Olbia", 3172087, "IT", "Olbia");
}

Test(gaz_city, subdivision_names_resolve_only_within_their_country) {
        /* Victoria: an Australian state, and the largest city of the
         * name is in Canada */
        cr_expect(eq(ptr, (void *)city("Victoria"), NULL));
        /* Berlin, Washington, New York: a German state and US states;
         * large cities of those names lie in those countries */
        expect_city("Berlin", 2950159, "DE", "Berlin");
        expect_city("Washington", 4140963, "US", "Washington");
        expect_city("New York", 5128581, "US", "New York City");
        /* the US state, not Delaware, Ohio (38,000 people) */
        cr_expect(eq(ptr, (void *)city("Delaware"), NULL));
}

Test(gaz_city, unknown_names) {
        cr_expect(eq(ptr, (void *)city("Narnia"), NULL));
        cr_expect(eq(ptr, (void *)city("geneva"), NULL));
        cr_expect(eq(ptr, (void *)ink_gaz_city("Geneva", 5), NULL));
        cr_expect(eq(ptr, (void *)ink_gaz_city("Geneva", 0), NULL));
        cr_expect(eq(ptr, (void *)ink_gaz_city(NULL, 3), NULL));
        /* a subdivision name that no city carries */
        cr_expect(eq(ptr, (void *)city("Canillo"), NULL));
}

Test(gaz_country, wikidata_qids) {
        static const struct { const char *name, *canon, *kb; } want[] = {
                { "Russia", "Russia", "Q159" },
                { "U.S.", "United States", "Q30" },
                { "United Kingdom", "United Kingdom", "Q145" },
                { "Switzerland", "Switzerland", "Q39" },
                { "Viet Nam", "Vietnam", "Q881" },
                { "Ukrainians", "Ukraine", "Q212" },
        };
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
                const ink_country_t *c = ink_gaz_country(
                        want[i].name, strlen(want[i].name), NULL);
                cr_assert(not(eq(ptr, (void *)c, NULL)), "%s", want[i].name);
                cr_expect(eq(str, (char *)c->canonical,
                             (char *)want[i].canon));
                cr_expect(eq(str, (char *)c->kb_id, (char *)want[i].kb));
        }
}

/*---- Tables given through INKSTREAM_RESOURCE_DIR ---------------------------*/

/* Writes \p text to \p dir/data/gazetteer/\p file. */
static void put(const char *dir, const char *file, const char *text) {
        char path[512];
        FILE *fp;
        snprintf(path, sizeof(path), "%s/data", dir);
        mkdir(path, 0700);
        snprintf(path, sizeof(path), "%s/data/gazetteer", dir);
        mkdir(path, 0700);
        snprintf(path, sizeof(path), "%s/data/gazetteer/%s", dir, file);
        fp = fopen(path, "w");
        cr_assert(not(eq(ptr, (void *)fp, NULL)));
        cr_assert(eq(int, fputs(text, fp) >= 0, 1));
        cr_assert(eq(int, fclose(fp), 0));
}

/* Makes a temporary resource directory and points
 * INKSTREAM_RESOURCE_DIR at it (before the first look-up of the test's
 * process); @returns its path (static). */
static const char *resource_dir(void) {
        static char dir[] = "/tmp/ink-gaz-XXXXXX";
        cr_assert(not(eq(ptr, (void *)mkdtemp(dir), NULL)));
        setenv("INKSTREAM_RESOURCE_DIR", dir, 1);
        return dir;
}

Test(gaz_city, malformed_lines_are_skipped) {
        const char *dir = resource_dir();
        put(dir, "cities.tsv",
            "# comment\n"
            "\n"
            "12\tGoodtown\tAA\t20000\tGoody;;Goodville\n"
            "x13\tBadid\tAA\t20000\t\n"
            "14\tBadcc\tAAA\t20000\t\n"
            "15\tBadpop\tAA\t2e4\t\n"
            "16\tBigpop\tAA\t99999999999\t\n"
            "17\t\tAA\t20000\t\n"
            "18\tShort\tAA\n"
            "19\tNoalts\tBB\t1\n"
            "4294967296\tHugeid\tAA\t1\t\n");
        put(dir, "subdivisions.tsv", "AA-1\tProvince\nbroken line\n");
        expect_city("Goodtown", 12, "AA", "Goodtown");
        expect_city("Goody", 12, "AA", "Goodtown");
        expect_city("Goodville", 12, "AA", "Goodtown");
        expect_city("Noalts", 19, "BB", "Noalts");
        cr_expect(eq(ptr, (void *)city("Badid"), NULL));
        cr_expect(eq(ptr, (void *)city("Badcc"), NULL));
        cr_expect(eq(ptr, (void *)city("Badpop"), NULL));
        cr_expect(eq(ptr, (void *)city("Bigpop"), NULL));
        cr_expect(eq(ptr, (void *)city("Short"), NULL));
        cr_expect(eq(ptr, (void *)city("Hugeid"), NULL));
        cr_expect(eq(ptr, (void *)city("Province"), NULL));
        cr_expect(eq(ptr, (void *)city("Geneva"), NULL));
}

Test(gaz_city, ranking_rules) {
        const char *dir = resource_dir();
        put(dir, "cities.tsv",
            "1\tTwin\tAA\t500\t\n"
            "2\tTwin\tBB\t500\t\n"          /* tie: the lower id wins */
            "3\tSmall\tAA\t100\t\n"
            "4\tLarge\tBB\t900000\tSmall;Other\n" /* own name first */
            "5\tOther\tCC\t10\t\n"
            "6\tAlso\tAA\t10\t\n"
            "7\tAlsoBig\tBB\t800\tAlso2\n"
            "8\tAlsoBigger\tCC\t900\tAlso2\n" /* among alternates */
            "9\tRegion\tAA\t500000\t\n"
            "10\tState\tBB\t600000\t\n"
            "11\tTown\tAA\t499999\t\n");
        put(dir, "subdivisions.tsv",
            "AA-R\tRegion\nCC-S\tState\nAA-T\tTown\n");
        expect_city("Twin", 1, "AA", "Twin");
        expect_city("Small", 3, "AA", "Small");
        expect_city("Other", 5, "CC", "Other");
        expect_city("Also2", 8, "CC", "AlsoBigger");
        expect_city("Region", 9, "AA", "Region");
        cr_expect(eq(ptr, (void *)city("State"), NULL));
        cr_expect(eq(ptr, (void *)city("Town"), NULL));
}

Test(gaz_city, empty_table) {
        const char *dir = resource_dir();
        put(dir, "cities.tsv", "");
        cr_expect(eq(ptr, (void *)city("Geneva"), NULL));
        cr_expect(eq(ptr, (void *)city("Paris"), NULL));
}

Test(gaz_country, bad_qid_lines_keep_the_iso_code) {
        const char *dir = resource_dir();
        const ink_country_t *c;
        put(dir, "country-qids.tsv",
            "# alpha-2 <TAB> QID\n"
            "RU\tQ159\n"
            "US\tX30\n"                     /* not a QID */
            "FR\tQ14a\n"                    /* not a QID */
            "DE\tQ123456789012345678\n"     /* too long */
            "ZZ\tQ1\n"                      /* no such country */
            "GB\n");
        c = ink_gaz_country("Russia", 6, NULL);
        cr_assert(not(eq(ptr, (void *)c, NULL)));
        cr_expect(eq(str, (char *)c->kb_id, "Q159"));
        c = ink_gaz_country("US", 2, NULL);
        cr_assert(not(eq(ptr, (void *)c, NULL)));
        cr_expect(eq(str, (char *)c->kb_id, "iso3166:US"));
        c = ink_gaz_country("France", 6, NULL);
        cr_assert(not(eq(ptr, (void *)c, NULL)));
        cr_expect(eq(str, (char *)c->kb_id, "iso3166:FR"));
        c = ink_gaz_country("Germany", 7, NULL);
        cr_assert(not(eq(ptr, (void *)c, NULL)));
        cr_expect(eq(str, (char *)c->kb_id, "iso3166:DE"));
        c = ink_gaz_country("United Kingdom", 14, NULL);
        cr_assert(not(eq(ptr, (void *)c, NULL)));
        cr_expect(eq(str, (char *)c->kb_id, "iso3166:GB"));
}

/*---- Canonical names -------------------------------------------------------*/

Test(gaz_canonical, cities_and_countries_of_entities) {
        ink_arena_t *a = ink_arena_new(0);
        ink_entity_t e[] = {
                { .type = INK_ENT_LOC, .text = "Kiev's" },
                { .type = INK_ENT_LOC, .text = "Geneva" },
                { .type = INK_ENT_LOC, .text = "Singapore" },
                { .type = INK_ENT_LOC, .text = "Victoria" },
                { .type = INK_ENT_ORG, .text = "Geneva" },
                { .type = INK_ENT_PER, .text = "Paris" },
                { .type = INK_ENT_LOC, .text = "Narnia" },
        };
        ink_ner_canonical_names(a, e, 7);
        cr_expect(eq(str, (char *)e[0].canonical, "Kyiv"));
        cr_expect(eq(str, (char *)e[0].kb_id, "geonames:703448"));
        cr_expect(eq(str, (char *)e[1].canonical, "Geneva"));
        cr_expect(eq(str, (char *)e[1].kb_id, "geonames:2660646"));
        /* a country first: the city-state is the country */
        cr_expect(eq(str, (char *)e[2].canonical, "Singapore"));
        cr_expect(eq(str, (char *)e[2].kb_id, "Q334"));
        for (size_t i = 3; i < 7; i++) {
                cr_expect(eq(str, (char *)e[i].canonical,
                             (char *)e[i].text), "%zu", i);
                cr_expect(eq(ptr, (void *)e[i].kb_id, NULL), "%zu", i);
        }
        ink_arena_destroy(a);
}

/* Runs `inkstream annotate --jsonl` on \p line; @returns the parsed
 * output record (owned by caller). */
static json_t *annotate(const char *line) {
        const char *bin = getenv("INK_BIN");
        char cmd[4096], in[] = "/tmp/ink-gaz-in-XXXXXX";
        int fd = mkstemp(in), st;
        json_t *rec;
        json_error_t jerr;
        FILE *p;

        cr_assert(not(eq(ptr, (void *)bin, NULL)), "INK_BIN not set");
        cr_assert(ge(int, fd, 0));
        cr_assert(eq(long, (long)write(fd, line, strlen(line)),
                     (long)strlen(line)));
        close(fd);
        snprintf(cmd, sizeof(cmd), "%s annotate --jsonl < %s 2>/dev/null",
                 bin, in);
        p = popen(cmd, "r");
        cr_assert(not(eq(ptr, (void *)p, NULL)));
        rec = json_loadf(p, JSON_DISABLE_EOF_CHECK, &jerr);
        st = pclose(p);
        unlink(in);
        cr_assert(not(eq(ptr, (void *)rec, NULL)), "%s", jerr.text);
        cr_assert(eq(int, WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0));
        return rec;
}

/* Expects \p ents to have an entity with text \p text, and each such
 * entity to have canonical name \p canon and kb_id \p kb. */
static void expect_entity(json_t *ents, const char *text, const char *canon,
                          const char *kb) {
        size_t i;
        json_t *e;
        int found = 0;
        json_array_foreach(ents, i, e) {
                if (strcmp(json_string_value(json_object_get(e, "text")),
                           text))
                        continue;
                found = 1;
                cr_expect(eq(str, (char *)json_string_value(
                                     json_object_get(e, "canonical")),
                             (char *)canon), "%s", text);
                cr_expect(eq(str, (char *)json_string_value(
                                     json_object_get(e, "kb_id")),
                             (char *)kb), "%s", text);
        }
        cr_expect(eq(int, found, 1), "no entity \"%s\"", text);
}

Test(gaz_canonical, annotate_output) {
        json_t *rec = annotate(
                "{\"id\":\"gaz-1\",\"title\":\"Talks move to Geneva\","
                "\"body\":\"The foreign ministers of Russia and the United "
                "States met in Geneva on Monday. Officials in Kiev and "
                "Paris said the talks would go on in Berlin next week.\"}"
                "\n");
        json_t *ents = json_object_get(rec, "entities");
        cr_assert(eq(int, json_is_array(ents), 1));
        expect_entity(ents, "Geneva", "Geneva", "geonames:2660646");
        expect_entity(ents, "Kiev", "Kyiv", "geonames:703448");
        expect_entity(ents, "Paris", "Paris", "geonames:2988507");
        expect_entity(ents, "Berlin", "Berlin", "geonames:2950159");
        expect_entity(ents, "Russia", "Russia", "Q159");
        expect_entity(ents, "United States", "United States", "Q30");
        json_decref(rec);
}

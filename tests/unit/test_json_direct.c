/*
 * ink_article_json_compact writes the enriched record directly; it must
 * give byte for byte what json_dumps(ink_article_to_json(), JSON_COMPACT)
 * gives: enriched sample articles, escapes, numbers at the edges of the
 * real format, missing optional fields, and the values jansson would
 * refuse (NULL strings, invalid UTF-8, NaN), which go through jansson.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/stage.h"

/* Checks both forms of \p art are the same bytes. */
static void same(const ink_article_t *art) {
        json_t *o = ink_article_to_json(art);
        char *want = o ? json_dumps(o, JSON_COMPACT) : NULL;
        size_t len = 0;
        char *got = ink_article_json_compact(art, &len);

        cr_assert(not(eq(ptr, got, NULL)));
        cr_assert(not(eq(ptr, want, NULL)));
        cr_expect(eq(sz, len, strlen(got)));
        cr_expect(eq(str, got, want));
        free(got);
        free(want);
        json_decref(o);
}

static ink_article_t *bare(void) {
        ink_article_t *art = ink_article_new();
        art->id = "a1";
        art->title = "T";
        art->body = "B";
        art->title_len = art->body_len = 1;
        art->published_ms = -1;
        art->processed_ms = 1700000000123;
        return art;
}

Test(json_direct, enriched_sample_article) {
        char err[512];
        ink_pipeline_t *pl = ink_pipeline_new(err, sizeof(err));
        cr_assert(not(eq(ptr, pl, NULL)), "%s", err);
        FILE *f = fopen(INK_TEST_DATA "/trump-putin-call.txt", "rb");
        cr_assert(not(eq(ptr, f, NULL)));
        char buf[65536];
        size_t n = fread(buf, 1, sizeof(buf), f);
        fclose(f);
        ink_article_t *art = ink_article_new();
        cr_assert(eq(int, ink_article_parse_text(art, buf, n, n + 1, err,
                                                 sizeof(err)), INK_OK));
        art->published_ms = 1737417600000;
        cr_assert(eq(int, ink_pipeline_run(pl, art, NULL, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_assert(gt(sz, art->nents, 0));
        cr_assert(gt(sz, art->nalerts, 0));
        same(art);
        ink_article_destroy(art);
        ink_pipeline_destroy(pl);
}

Test(json_direct, escapes_and_utf8) {
        ink_article_t *art = bare();
        art->id = "q\"uo\\te/\x01\x1f\b\f\n\r\t\x7f";
        art->title = "Zürich – “quoted” 北京 😀";
        art->url = "https://example.org/a?b=c&d=e";
        art->source = "";
        art->lang = "de";
        same(art);
        ink_article_destroy(art);
}

Test(json_direct, numbers_at_the_edges) {
        static const double v[] = {0.0, -0.0, 1.0, -1.0, 0.5, 1e-7, 1e-300,
                                   1e20, 1e21, 123456789012345678.0,
                                   0.1, 2.0 / 3.0, -0.23232647005674173,
                                   4.9e-324, 1.7976931348623157e308};
        ink_article_t *art = bare();
        size_t n = sizeof(v) / sizeof(v[0]);
        art->sents = ink_arena_calloc(art->arena, n, sizeof(*art->sents));
        art->nsents = n;
        art->ents = ink_arena_calloc(art->arena, n, sizeof(*art->ents));
        art->nents = n;
        for (size_t i = 0; i < n; i++) {
                art->sents[i].sentiment.compound = v[i];
                art->sents[i].cb = (uint32_t)i;
                art->sents[i].ce = UINT32_MAX - (uint32_t)i;
                art->ents[i].text = "E";
                art->ents[i].type = (ink_ent_type_t)(i % INK_ENT_TYPE_CNT);
                art->ents[i].has_sentiment = i % 2;
                art->ents[i].sentiment = v[i];
                art->ents[i].kb_id = i % 3 ? NULL : "Q1";
                art->ents[i].canonical = i % 4 ? NULL : "Canon";
        }
        art->sentiment.compound = 1e-5;
        art->sentiment.positive = 1e100;
        art->sentiment.neutral = 3.0;
        art->sentiment.negative = -2.5e-10;
        same(art);
        ink_article_destroy(art);
}

Test(json_direct, alert_with_missing_parts) {
        ink_article_t *art = bare();
        const char *parts[] = {"A", "B \"C\""};
        art->alerts = ink_arena_calloc(art->arena, 2, sizeof(*art->alerts));
        art->nalerts = 2;
        art->alerts[0].type = "summit";
        art->alerts[0].participants = parts;
        art->alerts[0].nparticipants = 2;
        art->alerts[0].mode = INK_MODE_CALL;
        art->alerts[1].type = "watchlist";
        art->alerts[1].alert_id = "ff00";
        art->alerts[1].venues = parts;
        art->alerts[1].nvenues = 1;
        art->alerts[1].when_text = "next week";
        art->alerts[1].evidence = "line\nbreak";
        art->published_ms = 0;
        art->processed_ms = -5;
        same(art);
        ink_article_destroy(art);
}

Test(json_direct, values_jansson_refuses_go_through_jansson) {
        ink_article_t *art = bare();
        art->ents = ink_arena_calloc(art->arena, 1, sizeof(*art->ents));
        art->nents = 1;
        art->ents[0].text = "E";
        art->ents[0].has_sentiment = true;
        art->ents[0].sentiment = NAN;
        same(art);
        art->ents[0].sentiment = 0.25;
        art->sentiment.compound = INFINITY;
        same(art);
        art->sentiment.compound = 0;
        art->title = "bad \xC3\x28 utf-8";
        same(art);
        art->title = "overlong \xC0\xAF and surrogate \xED\xA0\x80";
        same(art);
        art->title = "T";
        art->ents[0].text = NULL;
        same(art);
        ink_article_destroy(art);
}

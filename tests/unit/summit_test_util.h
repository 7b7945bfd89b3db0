/*
 * Helpers shared by the unit tests of the summit stage
 * (tests/unit/test_summit*.c): build a tokenised article, add entities
 * by hand, run the stage, look at the alert.  Everything is static
 * inline so that a test file may use any subset of it.
 */
#ifndef INK_SUMMIT_TEST_UTIL_H
#define INK_SUMMIT_TEST_UTIL_H

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/stage.h"
#include "ink/summit.h"

/* Builds an article with \p title and \p body published on \p published
 * (ISO date or NULL) and runs the tokens stage on it. */
static inline ink_article_t *mk(const char *id, const char *title, const char *body,
                         const char *published) {
        char err[256];
        ink_article_t *art = ink_article_new();
        art->id = ink_arena_strdup(art->arena, id);
        art->title = ink_arena_strdup(art->arena, title ? title : "");
        art->title_len = strlen(art->title);
        art->body = ink_arena_strdup(art->arena, body);
        art->body_len = strlen(art->body);
        if (published)
                cr_assert(eq(int, ink_parse_iso8601(published,
                                                    &art->published_ms),
                             0));
        void *tk = ink_stage_tokens.create(err, sizeof(err));
        cr_assert(not(eq(ptr, tk, NULL)), "tokens: %s", err);
        cr_assert(eq(int, ink_stage_tokens.run(tk, art, err, sizeof(err)),
                     INK_OK));
        ink_stage_tokens.destroy(tk);
        return art;
}

/* Adds an entity of \p type over the first occurrence of \p text in the
 * body, with \p canonical (or the text itself) and knowledge-base id
 * \p kb_id (may be NULL; "geonames:<id>" for a city, a QID for a
 * country, as the entity stage links places).  Strings are copied. */
static inline void add_ent_kb(ink_article_t *art, ink_ent_type_t type,
                              const char *text, const char *canonical,
                              const char *kb_id) {
        const char *p = strstr(art->body, text);
        cr_assert(not(eq(ptr, (void *)p, NULL)));
        uint32_t b = (uint32_t)(p - art->body), e = b + (uint32_t)strlen(text);
        ink_entity_t en;
        memset(&en, 0, sizeof(en));
        en.type = type;
        en.field = INK_FIELD_BODY;
        en.b = b;
        en.e = e;
        en.tok_begin = UINT32_MAX;
        for (size_t i = 0; i < art->ntoks; i++) {
                const ink_token_t *t = &art->toks[i];
                if (t->field != INK_FIELD_BODY)
                        continue;
                if (t->b == b)
                        en.tok_begin = (uint32_t)i;
                if (t->e == e)
                        en.tok_end = (uint32_t)i + 1;
        }
        cr_assert(ne(u32, en.tok_begin, UINT32_MAX));
        en.sent = art->toks[en.tok_begin].sent;
        en.text = ink_arena_strdup(art->arena, text);
        en.canonical = ink_arena_strdup(art->arena,
                                        canonical ? canonical : text);
        en.kb_id = kb_id ? ink_arena_strdup(art->arena, kb_id) : NULL;
        en.confidence = 1.0;
        art->ents = ink_arena_grow(art->arena, art->ents, art->nents,
                                   art->nents + 1, sizeof(en));
        art->ents[art->nents++] = en;
}

/* add_ent_kb() without a knowledge-base id. */
static inline void add_ent(ink_article_t *art, ink_ent_type_t type,
                           const char *text, const char *canonical) {
        add_ent_kb(art, type, text, canonical, NULL);
}

/* Runs the summit stage.  @returns the number of alerts. */
static inline size_t run_summit(ink_article_t *art) {
        char err[256];
        void *ctx = ink_stage_summit.create(err, sizeof(err));
        cr_assert(not(eq(ptr, ctx, NULL)), "summit: %s", err);
        ink_rc_t rc = ink_stage_summit.run(ctx, art, err, sizeof(err));
        cr_assert(rc == INK_OK || rc == INK_SKIPPED);
        ink_stage_summit.destroy(ctx);
        return art->nalerts;
}

/* @returns true if \p al lists \p name among its participants. */
static inline int has_part(const ink_alert_t *al, const char *name) {
        for (size_t i = 0; i < al->nparticipants; i++)
                if (!strcmp(al->participants[i], name))
                        return 1;
        return 0;
}

/* @returns true if \p al lists \p name among its venues. */
static inline int has_venue(const ink_alert_t *al, const char *name) {
        for (size_t i = 0; i < al->nvenues; i++)
                if (!strcmp(al->venues[i], name))
                        return 1;
        return 0;
}

/* Runs the stage on a one-sentence (or few-sentence) article and checks
 * that it raises no alert. */
static inline void expect_none(const char *title, const char *body) {
        ink_article_t *art = mk("neg", title, body, "2025-03-03");
        size_t n = run_summit(art);
        cr_expect(eq(sz, n, 0), "unexpected alert for: %s %s (%s)",
                  title ? title : "", body,
                  n ? art->alerts[0].evidence : "");
        ink_article_destroy(art);
}

#endif /* INK_SUMMIT_TEST_UTIL_H */

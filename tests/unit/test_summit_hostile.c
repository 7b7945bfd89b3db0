/*
 * The summit stage on hostile input: articles built to make per-token
 * lookups that scan the whole article (every entity, every hit of a
 * long sentence, every leader) quadratic in the article's size.  The
 * stage must finish them in time close to linear: a 1 MB article of one
 * summit sentence repeated and a 256 KB sentence of "Paris , Paris , ..."
 * took 15 s and 28 s before the lookups were indexed; both now take
 * well under a second, and the bound here is generous (5 s of CPU).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ink/stage.h"
#include "ink/summit.h"

#include "summit_test_util.h"

#define CPU_BOUND_S 5.0

static double cpu_now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* @returns \p unit repeated until the text has at least \p bytes bytes
 * (malloc'd). */
static char *repeat(const char *unit, size_t bytes) {
        size_t n = strlen(unit), reps = (bytes + n - 1) / n;
        char *s = malloc(reps * n + 1);
        cr_assert(not(eq(ptr, s, NULL)));
        for (size_t i = 0; i < reps; i++)
                memcpy(s + i * n, unit, n);
        s[reps * n] = '\0';
        return s;
}

/* Adds an entity of \p type over every occurrence of the words of
 * \p text (one to three tokens) in the body, as the entity stage would
 * for a name repeated throughout the article.  @returns how many. */
static size_t add_every(ink_article_t *art, ink_ent_type_t type,
                        const char *text, const char *kb_id) {
        size_t len = strlen(text), n = 0;
        size_t cap = art->nents;
        for (size_t i = 0; i < art->ntoks; i++) {
                const ink_token_t *t = &art->toks[i];
                if (t->field != INK_FIELD_BODY ||
                    strncmp(art->body + t->b, text, len))
                        continue;
                size_t j = i;
                while (j < art->ntoks && art->toks[j].e < t->b + len)
                        j++;
                if (j >= art->ntoks || art->toks[j].e != t->b + len)
                        continue;
                ink_entity_t en;
                memset(&en, 0, sizeof(en));
                en.type = type;
                en.field = INK_FIELD_BODY;
                en.b = t->b;
                en.e = t->b + (uint32_t)len;
                en.tok_begin = (uint32_t)i;
                en.tok_end = (uint32_t)j + 1;
                en.sent = t->sent;
                en.text = text;
                en.canonical = text;
                en.kb_id = kb_id;
                en.confidence = 1.0;
                if (art->nents == cap) {
                        size_t nc = cap ? cap * 2 : 256;
                        art->ents = ink_arena_grow(art->arena, art->ents,
                                                   art->nents, nc,
                                                   sizeof(en));
                        cap = nc;
                }
                art->ents[art->nents++] = en;
                n++;
        }
        return n;
}

/* Runs the stage on \p art.  @returns the CPU seconds it took. */
static double timed_summit(ink_article_t *art) {
        char err[256];
        void *ctx = ink_stage_summit.create(err, sizeof(err));
        cr_assert(not(eq(ptr, ctx, NULL)), "summit: %s", err);
        double t0 = cpu_now();
        ink_rc_t rc = ink_stage_summit.run(ctx, art, err, sizeof(err));
        double secs = cpu_now() - t0;
        cr_assert(rc == INK_OK || rc == INK_SKIPPED);
        ink_stage_summit.destroy(ctx);
        return secs;
}

Test(summit_hostile, repeated_summit_sentence_1mb, .timeout = 120) {
        char *body = repeat("President Alpha Beta of Gaul will meet President "
                            "Gamma Delta of Noria in Paris next week. ",
                            1u << 20);
        ink_article_t *art = mk("h1", NULL, body, "2025-03-03");
        cr_assert(gt(sz, art->nsents, 10000));
        cr_assert(gt(sz, add_every(art, INK_ENT_PER, "Alpha Beta", NULL),
                     10000));
        add_every(art, INK_ENT_PER, "Gamma Delta", NULL);
        add_every(art, INK_ENT_LOC, "Paris", "geonames:2988507");
        double secs = timed_summit(art);
        cr_assert(lt(dbl, secs, CPU_BOUND_S),
                  "summit took %.2f s of CPU on %zu tokens, %zu entities",
                  secs, art->ntoks, art->nents);
        /* it still finds the encounter */
        cr_expect(eq(sz, art->nalerts, 1));
        if (art->nalerts)
                cr_expect(has_part(&art->alerts[0], "Alpha Beta"));
        ink_article_destroy(art);
        free(body);
}

Test(summit_hostile, one_sentence_of_places_256k, .timeout = 120) {
        char *body = repeat("Paris , ", 256u << 10);
        ink_article_t *art = mk("h2", NULL, body, "2025-03-03");
        cr_assert(gt(sz, add_every(art, INK_ENT_LOC, "Paris",
                                   "geonames:2988507"),
                     30000));
        double secs = timed_summit(art);
        cr_assert(lt(dbl, secs, CPU_BOUND_S),
                  "summit took %.2f s of CPU on %zu tokens, %zu entities",
                  secs, art->ntoks, art->nents);
        ink_article_destroy(art);
        free(body);
}

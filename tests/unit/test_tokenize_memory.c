/*
 * Memory per input byte of the tokens stage and what it rests on: the
 * token array grows past its first guess and is trimmed in place, strings
 * in the arena are rounded to 8 bytes, not 16, while other blocks
 * stay aligned, big arena blocks shrink in place, the embedded resources
 * stay readable after their pages are given back, and an Avro codec that
 * gives back its arrays after a big record still writes the same bytes.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/core.h"
#include "ink/stage.h"
#include "ink/text.h"

Test(tokenize_memory, dense_text_grows_past_the_first_guess) {
        /* one token per 2 bytes: three times the up-front guess */
        size_t n = 200000, len = 2 * n;
        char *s = ink_malloc(len + 1);
        ink_article_t *art = ink_article_new();
        char err[256];

        for (size_t i = 0; i < n; i++) {
                s[2 * i] = (char)('a' + i % 26);
                s[2 * i + 1] = ' ';
        }
        s[len] = '\0';
        art->body = s;
        art->body_len = len;
        cr_assert(eq(int, ink_stage_tokens.run(NULL, art, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_assert(eq(sz, art->ntoks, n));
        for (size_t i = 0; i < n; i++) {
                char w[2] = {(char)('a' + i % 26), '\0'};
                cr_assert(eq(u32, art->toks[i].b, (uint32_t)(2 * i)),
                          "token %zu", i);
                cr_assert(eq(u32, art->toks[i].e, (uint32_t)(2 * i + 1)));
                cr_assert(eq(str, (char *)art->toks[i].norm, w));
        }
        /* the trimmed array is still the arena's: new blocks do not
         * overlap it */
        char last[2] = {(char)('a' + (n - 1) % 26), '\0'};
        char *after = ink_arena_strdup(art->arena, "after");
        cr_expect(eq(str, (char *)art->toks[n - 1].norm, last));
        cr_expect(eq(str, after, "after"));
        ink_article_destroy(art);
        free(s);
}

Test(tokenize_memory, title_and_body_in_one_array) {
        ink_article_t *art = ink_article_new();
        char err[256];

        art->title = "Leaders meet";
        art->title_len = strlen(art->title);
        art->body = "They met on Monday. Talks went on.";
        art->body_len = strlen(art->body);
        cr_assert(eq(int, ink_stage_tokens.run(NULL, art, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_assert(eq(sz, art->ntoks, 11));
        cr_expect(eq(int, art->toks[1].field, INK_FIELD_TITLE));
        cr_expect(eq(int, art->toks[2].field, INK_FIELD_BODY));
        cr_expect(eq(str, (char *)art->toks[10].norm, "."));
        ink_article_destroy(art);
}

Test(tokenize_memory, strings_are_packed_blocks_aligned) {
        ink_arena_t *a = ink_arena_new(4096);
        char *s1 = ink_arena_strdup(a, "ab");
        char *s2 = ink_arena_strdup(a, "cd");
        char *s3 = ink_arena_sprintf(a, "%d", 42);
        double *d = ink_arena_alloc(a, sizeof(*d));

        cr_expect(eq(ptr, s2, s1 + 8));
        cr_expect(eq(ptr, s3, s2 + 8));
        cr_expect(eq(u64, (uintptr_t)d % 16, 0));
        cr_expect(eq(str, s1, "ab"));
        cr_expect(eq(str, s2, "cd"));
        cr_expect(eq(str, s3, "42"));
        /* a chunk filled up with strings: the next one starts fresh */
        for (int i = 0; i < 3000; i++) {
                char *x = ink_arena_strdup(a, "xyz");
                cr_assert(eq(str, x, "xyz"));
        }
        d = ink_arena_alloc(a, 100);
        cr_expect(eq(u64, (uintptr_t)d % 16, 0));
        cr_expect(eq(str, s1, "ab"));
        ink_arena_destroy(a);
}

Test(tokenize_memory, big_block_shrinks_in_place_small_one_stays) {
        ink_arena_t *a = ink_arena_new(1024);
        size_t n = 10000;
        uint32_t *v = ink_arena_grow(a, NULL, 0, n, sizeof(*v));
        uint32_t *small = ink_arena_grow(a, NULL, 0, 10, sizeof(*small));

        for (size_t i = 0; i < n; i++)
                v[i] = (uint32_t)i * 3u;
        v = ink_arena_grow(a, v, n, 500, sizeof(*v));
        for (size_t i = 0; i < 500; i++)
                cr_assert(eq(u32, v[i], (uint32_t)i * 3u));
        /* shrunk, then grown again: contents kept, the rest zeroed */
        v = ink_arena_grow(a, v, 500, 2000, sizeof(*v));
        for (size_t i = 0; i < 500; i++)
                cr_assert(eq(u32, v[i], (uint32_t)i * 3u));
        for (size_t i = 500; i < 2000; i++)
                cr_assert(eq(u32, v[i], 0));
        /* a block inside a chunk already has the room: no copy */
        cr_expect(eq(ptr, ink_arena_grow(a, small, 10, 5, sizeof(*small)),
                     small));
        ink_arena_destroy(a);
}

Test(tokenize_memory, resources_readable_after_release) {
        size_t len = 0, len2 = 0;
        const char *r = ink_resource_get("data/sentiment/vader_lexicon.txt",
                                         &len);
        cr_assert(not(eq(ptr, (void *)r, NULL)));
        cr_assert(gt(sz, len, 100000));
        char *copy = ink_malloc(len);
        memcpy(copy, r, len);
        cr_expect(gt(sz, ink_resource_release(), len / 2));
        const char *r2 = ink_resource_get("data/sentiment/vader_lexicon.txt",
                                          &len2);
        cr_expect(eq(ptr, (void *)r2, (void *)r));
        cr_assert(eq(sz, len2, len));
        cr_expect(eq(int, memcmp(r2, copy, len), 0));
        free(copy);
}

/* Encodes the article of \p nsent sentences; @returns a malloc'd copy of
 * the record (its length in \p lenp). */
static char *encode(ink_avro_t *av, size_t nsent, size_t *lenp) {
        ink_article_t *art = ink_article_new();
        const char *buf;
        char err[256];

        art->id = "big";
        art->title = "";
        art->body = "x";
        art->body_len = 1;
        art->sents = ink_arena_calloc(art->arena, nsent,
                                      sizeof(*art->sents));
        art->nsents = nsent;
        for (size_t i = 0; i < nsent; i++) {
                art->sents[i].field = INK_FIELD_BODY;
                art->sents[i].cb = (uint32_t)i;
                art->sents[i].ce = (uint32_t)i + 1;
                art->sents[i].sentiment.compound = (double)i / (double)nsent;
        }
        cr_assert(eq(int, ink_avro_encode_article(av, art, &buf, lenp, err,
                                                  sizeof(err)), INK_OK),
                  "%s", err);
        char *copy = ink_malloc(*lenp);
        memcpy(copy, buf, *lenp);
        ink_article_destroy(art);
        return copy;
}

Test(tokenize_memory, avro_codec_after_a_big_record) {
        char err[256];
        ink_avro_t *av = ink_avro_new(err, sizeof(err));
        size_t l1, l2, l3, l4;
        cr_assert(not(eq(ptr, av, NULL)), "%s", err);

        char *small1 = encode(av, 3, &l1);
        char *big1 = encode(av, 50000, &l2);   /* well over 256 KB */
        char *big2 = encode(av, 50000, &l3);
        char *small2 = encode(av, 3, &l4);
        cr_expect(gt(sz, l2, 256 * 1024));
        cr_assert(eq(sz, l2, l3));
        cr_expect(eq(int, memcmp(big1, big2, l2), 0));
        cr_assert(eq(sz, l1, l4));
        /* "processed" is 0 in both: the bytes are the same */
        cr_expect(eq(int, memcmp(small1, small2, l1), 0));
        json_t *j = NULL;
        cr_assert(eq(int, ink_avro_decode_json(av, INK_REC_ENRICHED, big2, l3,
                                               &j, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(sz, json_array_size(json_object_get(j, "sentences")),
                     50000));
        json_decref(j);
        free(small1);
        free(small2);
        free(big1);
        free(big2);
        ink_avro_destroy(av);
}

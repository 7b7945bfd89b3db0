/*
 * The "tokens" stage: tokenisation rules, sentence splitting, offsets,
 * norms, flags, bad input and invariants over generated text.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/theories.h>
#include <utf8proc.h>

#include "ink/stage.h"
#include "ink/text.h"

/* Runs the stage on an article with \p title and \p body (copied into
 * the article's arena).  @returns the article (owned by caller). */
static ink_article_t *run_stage(const char *title, const char *body,
                                size_t body_len, ink_rc_t *rcp,
                                char *err, size_t err_size) {
        ink_article_t *art = ink_article_new();
        char cerr[128];
        void *ctx = ink_stage_tokens.create(cerr, sizeof(cerr));

        cr_assert(not(eq(ptr, ctx, NULL)));
        art->title = ink_arena_strdup(art->arena, title);
        art->title_len = strlen(title);
        art->body = ink_arena_strndup(art->arena, body, body_len);
        art->body_len = body_len;
        *rcp = ink_stage_tokens.run(ctx, art, err, err_size);
        ink_stage_tokens.destroy(ctx);
        return art;
}

static ink_article_t *tokenize_body(const char *body) {
        char err[256] = "";
        ink_rc_t rc;
        ink_article_t *art = run_stage("", body, strlen(body), &rc, err,
                                       sizeof(err));
        cr_assert(eq(int, rc, INK_OK), "rc %d: %s", rc, err);
        return art;
}

/* @returns the norms of all tokens joined by '|' (static buffer). */
static const char *joined_norms(const ink_article_t *art) {
        static char buf[4096];
        size_t k = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < art->ntoks; i++)
                k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%s",
                                      i ? "|" : "", art->toks[i].norm);
        return buf;
}

/* @returns the original text of token \p i (static buffer). */
static const char *tok_text(const ink_article_t *art, size_t i) {
        static char buf[256];
        size_t len;
        const char *s = ink_tok_text(art, i, &len);
        snprintf(buf, sizeof(buf), "%.*s", (int)len, s);
        return buf;
}

/*---- The rule table --------------------------------------------------------*/

/* Parameters are copied into each test's process, so they hold their
 * strings, not pointers. */
struct tcase {
        char text[384];
        char toks[384];         /* expected norms joined by '|' */
        size_t nsents;
};

ParameterizedTestParameters(tokens, rules) {
        static struct tcase cases[] = {
                /* the envoy sentence: possessives, one sentence */
                {"Trump\xe2\x80\x99s special envoy for Ukraine and Russia "
                 "former US Lieutenant General Keith Kellogg aims to broker "
                 "a peace deal within 100 days of Trump\xe2\x80\x99s "
                 "inauguration.",
                 "Trump|'s|special|envoy|for|Ukraine|and|Russia|former|US|"
                 "Lieutenant|General|Keith|Kellogg|aims|to|broker|a|peace|"
                 "deal|within|100|days|of|Trump|'s|inauguration|.", 1},
                /* en dashes between words are tokens of their own */
                {"Two European nations \xe2\x80\x93 Switzerland and Serbia "
                 "\xe2\x80\x93 have already expressed willingness to host "
                 "such a meeting.",
                 "Two|European|nations|-|Switzerland|and|Serbia|-|have|"
                 "already|expressed|willingness|to|host|such|a|meeting|.", 1},
                {"war\xe2\x80\x94" "and peace -- or not",
                 "war|-|and|peace|--|or|not", 1},
                {"Russia\xe2\x80\x93Ukraine talks", "Russia|-|Ukraine|talks",
                 1},
                /* hyphens stay inside words */
                {"the Russo-Ukrainian war, long-range missiles, a "
                 "face-to-face meeting and pre-war borders",
                 "the|Russo-Ukrainian|war|,|long-range|missiles|,|a|"
                 "face-to-face|meeting|and|pre-war|borders", 1},
                /* punctuation is split off */
                {"(He said: \"yes\" [maybe]; really!)",
                 "(|He|said|:|\"|yes|\"|[|maybe|]|;|really|!|)", 1},
                {"\xe2\x80\x9cJust end\xe2\x80\x9d it, \xe2\x80\x98now\xe2"
                 "\x80\x99.", "\"|Just|end|\"|it|,|'|now|'|.", 1},
                {"Wait... what?! Fine\xe2\x80\xa6 ok",
                 "Wait|...|what|?!|Fine|\xe2\x80\xa6|ok", 2},
                /* possessives and clitics */
                {"Trump's plan", "Trump|'s|plan", 1},
                {"I don't know; they're sure we'll go, he'd say I'm fine "
                 "and you've won.",
                 "I|do|n't|know|;|they|'re|sure|we|'ll|go|,|he|'d|say|I|'m|"
                 "fine|and|you|'ve|won|.", 1},
                {"DON'T O'Brien's Ukraine\xe2\x80\x99s can't",
                 "DO|N'T|O'Brien|'s|Ukraine|'s|ca|n't", 1},
                {"the Joneses' house", "the|Joneses|'|house", 1},
                /* abbreviations keep their period */
                {"Lt. Gen. Keith Kellogg met U.S. President Donald J. Trump.",
                 "Lt.|Gen.|Keith|Kellogg|met|U.S.|President|Donald|J.|"
                 "Trump|.", 1},
                {"Mr. Smith, Mrs. Lee, Ms. Roe and Dr. Jones met Sen. Graham, "
                 "Rep. Diaz, Gov. Ames, Col. Kim, Maj. Li, Sgt. Ono and "
                 "Prof. Oz in St. Petersburg.",
                 "Mr.|Smith|,|Mrs.|Lee|,|Ms.|Roe|and|Dr.|Jones|met|Sen.|"
                 "Graham|,|Rep.|Diaz|,|Gov.|Ames|,|Col.|Kim|,|Maj.|Li|,|"
                 "Sgt.|Ono|and|Prof.|Oz|in|St.|Petersburg|.", 1},
                {"On Jan. 20, Feb. 3 and Sept. 9 the U.K. and U.N. spoke.",
                 "On|Jan.|20|,|Feb.|3|and|Sept.|9|the|U.K.|and|U.N.|spoke|.",
                 1},
                {"Acme Inc. and Big Corp. vs. Tiny Ltd. and Sons Co. in Paris.",
                 "Acme|Inc.|and|Big|Corp.|vs.|Tiny|Ltd.|and|Sons|Co.|in|"
                 "Paris|.", 1},
                {"Fruit, e.g. apples, i.e. food, etc. are good.",
                 "Fruit|,|e.g.|apples|,|i.e.|food|,|etc.|are|good|.", 1},
                {"J. K. Rowling wrote it.", "J.|K.|Rowling|wrote|it|.", 1},
                {"No. 5 won. No more.", "No.|5|won|.|No|more|.", 2},
                {"U.S.-backed talks", "U.S.-backed|talks", 1},
                /* numbers stay whole, currency is split off */
                {"24 1,000 3.5 20th 100-day 2025-01-15 10:30 $5 50% \xe2\x82"
                 "\xac" "12",
                 "24|1,000|3.5|20th|100-day|2025-01-15|10:30|$|5|50%|"
                 "\xe2\x82\xac|12", 1},
                {"It rose 3.5%.", "It|rose|3.5%|.", 1},
                /* sentence ends */
                {"It was agreed in the U.S. The talks continue.",
                 "It|was|agreed|in|the|U.S.|The|talks|continue|.", 2},
                {"He met the U.S. envoy. Then he left.",
                 "He|met|the|U.S.|envoy|.|Then|he|left|.", 2},
                {"He asked \"Why?\" She left.",
                 "He|asked|\"|Why|?|\"|She|left|.", 2},
                {"\"We will win.\" The crowd cheered!",
                 "\"|We|will|win|.|\"|The|crowd|cheered|!", 2},
                {"(He left.) Then she came. 2025 was hard. \"Yes,\" he said.",
                 "(|He|left|.|)|Then|she|came|.|2025|was|hard|.|\"|Yes|,|"
                 "\"|he|said|.", 4},
                {"\"Why?\" he asked. it went on.",
                 "\"|Why|?|\"|he|asked|.|it|went|on|.", 1},
                {"Is it? Yes! Wait\xe2\x80\xa6 Go.",
                 "Is|it|?|Yes|!|Wait|\xe2\x80\xa6|Go|.", 4},
                {"a line without a period\nanother line\n\nthird",
                 "a|line|without|a|period|another|line|third", 3},
                {"Prices rose 3.5 percent. Markets fell.",
                 "Prices|rose|3.5|percent|.|Markets|fell|.", 2},
                /* URLs and e-mail addresses */
                {"See https://example.com/a?b=1&c=(2), or www.example.org.",
                 "See|https://example.com/a?b=1&c=(2)|,|or|www.example.org|.",
                 1},
                {"Write to press.office@example.co.uk (not me).",
                 "Write|to|press.office@example.co.uk|(|not|me|)|.", 1},
                /* white space of all kinds */
                {"\xc2\xa0 a\tb\xe2\x80\x89" "c \xe2\x80\x8b d ",
                 "a|b|c|d", 1},
        };
        return cr_make_param_array(struct tcase, cases,
                                   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct tcase *tc, tokens, rules) {
        ink_article_t *art = tokenize_body(tc->text);
        cr_expect(eq(str, (char *)joined_norms(art), tc->toks),
                  "text: %s", tc->text);
        cr_expect(eq(sz, art->nsents, tc->nsents), "text: %s", tc->text);
        ink_article_destroy(art);
}

/*---- Norms, offsets and flags ----------------------------------------------*/

Test(tokens, text_keeps_original_bytes) {
        ink_article_t *art = tokenize_body(
                "\xe2\x80\x9cHello,\xe2\x80\x9d she said \xe2\x80\x93 it"
                "\xe2\x80\x99s Zelenskyy\xe2\x80\x99s NATO Nato nato.");
        cr_assert(eq(sz, art->ntoks, 15));
        cr_expect(eq(str, (char *)tok_text(art, 0), "\xe2\x80\x9c"));
        cr_expect(eq(str, (char *)art->toks[0].norm, "\""));
        cr_expect(eq(str, (char *)tok_text(art, 6), "\xe2\x80\x93"));
        cr_expect(eq(str, (char *)art->toks[6].norm, "-"));
        cr_expect(eq(str, (char *)tok_text(art, 8), "\xe2\x80\x99s"));
        cr_expect(eq(str, (char *)art->toks[8].norm, "'s"));
        cr_expect(eq(str, (char *)art->toks[11].norm, "NATO"));
        cr_expect(eq(str, (char *)art->toks[12].norm, "Nato"));
        cr_expect(eq(str, (char *)art->toks[13].norm, "nato"));
        cr_expect(ink_tok_is(art, 11, "nato"));
        cr_expect(ink_tok_is(art, 12, "NATO"));
        cr_expect(ink_tok_is(art, 8, "'S"));
        cr_expect(not(ink_tok_is(art, 11, "nat")));
        cr_expect(not(ink_tok_is(art, 99, "nato")));
        ink_article_destroy(art);
}

Test(tokens, nfc_and_case_insensitive_compare) {
        /* "Cafe" + combining acute, "ÉCOLE" with a precomposed É */
        ink_article_t *art = tokenize_body("Cafe\xcc\x81 \xc3\x89" "COLE");
        cr_assert(eq(sz, art->ntoks, 2));
        cr_expect(eq(str, (char *)art->toks[0].norm, "Caf\xc3\xa9"));
        cr_expect(eq(u32, art->toks[0].e - art->toks[0].b, 6));
        cr_expect(eq(u32, art->toks[0].ce - art->toks[0].cb, 5));
        cr_expect(ink_tok_is(art, 0, "CAF\xc3\x89"));
        cr_expect(ink_tok_is(art, 1, "\xc3\xa9" "cole"));
        cr_expect(ne(int, art->toks[1].flags & INK_TOK_ALLCAPS, 0));
        ink_article_destroy(art);
}

Test(tokens, codepoint_offsets_slice_back) {
        const char *text = "Zelenskyy\xe2\x80\x99s caf\xc3\xa9 in Kyiv "
                           "\xe2\x80\x94 na\xc3\xafve \xe6\x9d\xb1\xe4\xba\xac "
                           "\xf0\x9f\x98\x80 done\xe2\x80\xa6 \xc2\xa3" "5.";
        ink_article_t *art = tokenize_body(text);
        cr_assert(gt(sz, art->ntoks, 10));
        for (size_t i = 0; i < art->ntoks; i++) {
                const ink_token_t *t = &art->toks[i];
                cr_expect(eq(sz, ink_utf8_cplen(text, t->b), t->cb));
                cr_expect(eq(sz, ink_utf8_cplen(text, t->e), t->ce));
                cr_expect(eq(sz, ink_utf8_cplen(text + t->b, t->e - t->b),
                             t->ce - t->cb));
        }
        /* the emoji is one code point of four bytes */
        for (size_t i = 0; i < art->ntoks; i++)
                if (strcmp(art->toks[i].norm, "\xf0\x9f\x98\x80") == 0) {
                        const ink_token_t *t = &art->toks[i];
                        cr_expect(eq(u32, t->ce - t->cb, 1));
                        cr_expect(eq(u32, t->e - t->b, 4));
                }
        cr_expect(eq(str, (char *)tok_text(art, 2), "caf\xc3\xa9"));
        cr_expect(eq(u32, art->toks[2].cb, 12));
        cr_expect(eq(u32, art->toks[2].ce, 16));
        ink_article_destroy(art);
}

Test(tokens, flags) {
        ink_article_t *art = tokenize_body(
                "NATO said 24, Kellogg's x https://a.example.com/ U.S.");
        const ink_token_t *t = art->toks;
        cr_assert(eq(sz, art->ntoks, 9));
        cr_expect(eq(u16, t[0].flags, INK_TOK_ALPHA | INK_TOK_UPPER1 |
                                      INK_TOK_ALLCAPS | INK_TOK_SENT_START));
        cr_expect(eq(u16, t[1].flags, INK_TOK_ALPHA | INK_TOK_SPACE_BEFORE));
        cr_expect(eq(u16, t[2].flags, INK_TOK_DIGIT | INK_TOK_SPACE_BEFORE));
        cr_expect(eq(u16, t[3].flags, INK_TOK_PUNCT));
        cr_expect(eq(u16, t[4].flags, INK_TOK_ALPHA | INK_TOK_UPPER1 |
                                      INK_TOK_SPACE_BEFORE));
        cr_expect(eq(u16, t[5].flags, INK_TOK_ALPHA));
        cr_expect(eq(u16, t[7].flags, INK_TOK_ALPHA | INK_TOK_URL |
                                      INK_TOK_SPACE_BEFORE));
        cr_expect(eq(u16, t[8].flags, INK_TOK_ALPHA | INK_TOK_UPPER1 |
                                      INK_TOK_ALLCAPS |
                                      INK_TOK_SPACE_BEFORE));
        ink_article_destroy(art);
}

Test(tokens, title_then_body) {
        const char *body = "Putin\xe2\x80\x99s call. Trump waits.\nNext.";
        char err[128];
        ink_rc_t rc;
        ink_article_t *art = run_stage("Trump plans call: talks within days",
                                       body, strlen(body), &rc, err,
                                       sizeof(err));
        cr_assert(eq(int, rc, INK_OK));
        cr_assert(eq(sz, art->nsents, 4));
        cr_expect(eq(u16, art->sents[0].field, INK_FIELD_TITLE));
        cr_expect(eq(u32, art->sents[0].tok_begin, 0));
        cr_expect(eq(u32, art->sents[0].tok_end, 7));
        cr_expect(eq(u32, art->sents[0].b, 0));
        cr_expect(eq(u32, art->sents[0].e, 35));
        for (size_t i = 0; i < 7; i++) {
                cr_expect(eq(u16, art->toks[i].field, INK_FIELD_TITLE));
                cr_expect(eq(u32, art->toks[i].sent, 0));
        }
        cr_expect(eq(u16, art->toks[7].field, INK_FIELD_BODY));
        cr_expect(eq(u32, art->toks[7].b, 0));
        cr_expect(eq(str, (char *)tok_text(art, 7), "Putin"));
        cr_expect(ne(int, art->toks[7].flags & INK_TOK_SENT_START, 0));
        cr_expect(eq(u32, art->sents[1].tok_begin, 7));
        cr_expect(eq(u32, art->sents[1].e, 15));
        cr_expect(eq(u32, art->sents[1].ce, 13));
        cr_expect(eq(u16, art->sents[3].field, INK_FIELD_BODY));
        cr_expect(eq(u32, art->sents[3].tok_end, (uint32_t)art->ntoks));
        ink_article_destroy(art);
}

/*---- Bad and empty input ---------------------------------------------------*/

struct badcase {
        char bytes[16];
        size_t len;
        char reason[64];
};

ParameterizedTestParameters(tokens, invalid_utf8) {
        static struct badcase cases[] = {
                {"abc \xff def", 9, "body: invalid UTF-8 at byte 4"},
                {"caf\xc3", 4, "body: invalid UTF-8 at byte 3"},
                {"x \xc0\x80 y", 6, "body: invalid UTF-8 at byte 2"},
                {"\xed\xa0\x80", 3, "body: invalid UTF-8 at byte 0"},
                {"ok \xe2\x80 ok", 8, "body: invalid UTF-8 at byte 3"},
                {"\xf8\x88\x80\x80\x80", 5, "body: invalid UTF-8 at byte 0"},
        };
        return cr_make_param_array(struct badcase, cases,
                                   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct badcase *bc, tokens, invalid_utf8) {
        char err[128] = "";
        ink_rc_t rc;
        ink_article_t *art = run_stage("", bc->bytes, bc->len, &rc, err,
                                       sizeof(err));
        cr_expect(eq(int, rc, INK_ERR_INVALID));
        cr_expect(eq(str, err, bc->reason));
        cr_expect(eq(sz, art->ntoks, 0));
        ink_article_destroy(art);
}

Test(tokens, invalid_title) {
        char err[128] = "";
        ink_rc_t rc;
        ink_article_t *art = run_stage("Bad \xfe title", "fine", 4, &rc, err,
                                       sizeof(err));
        cr_expect(eq(int, rc, INK_ERR_INVALID));
        cr_expect(eq(str, err, "title: invalid UTF-8 at byte 4"));
        ink_article_destroy(art);
}

Test(tokens, empty_and_blank) {
        ink_article_t *art = tokenize_body("");
        cr_expect(eq(sz, art->ntoks, 0));
        cr_expect(eq(sz, art->nsents, 0));
        ink_article_destroy(art);
        art = tokenize_body(" \n\t\xc2\xa0\r\n ");
        cr_expect(eq(sz, art->ntoks, 0));
        cr_expect(eq(sz, art->nsents, 0));
        ink_article_destroy(art);
}

/*---- Invariants over generated text ----------------------------------------*/

/* Checks what must hold for any tokenisation of \p s. */
static void check_invariants(const char *s, size_t len,
                             const ink_tokens_t *tt) {
        uint32_t prev_e = 0;
        size_t sent = 0;

        for (size_t i = 0; i < tt->ntoks; i++) {
                const ink_token_t *t = &tt->toks[i];
                cr_assert(lt(u32, t->b, t->e));
                cr_assert(ge(u32, t->b, prev_e), "token %zu overlaps", i);
                cr_assert(le(u32, t->e, (uint32_t)len));
                cr_assert(eq(sz, ink_utf8_cplen(s, t->b), t->cb));
                cr_assert(eq(sz, ink_utf8_cplen(s, t->e), t->ce));
                cr_assert(not(eq(ptr, (void *)t->norm, NULL)));
                cr_assert(gt(sz, strlen(t->norm), 0));
                for (uint32_t k = t->b; k < t->e; k++)
                        cr_assert(not(eq(chr, s[k], ' ')));
                /* only white space between tokens */
                for (uint32_t k = prev_e; k < t->b; k++) {
                        unsigned char c = (unsigned char)s[k];
                        bool blank = c <= ' ' || c >= 0x7f;
                        cr_assert(blank, "byte %u between tokens", k);
                }
                cr_assert(lt(u32, t->sent, (uint32_t)tt->nsents));
                if (t->flags & INK_TOK_SENT_START) {
                        cr_assert(eq(u32, tt->sents[t->sent].tok_begin,
                                     (uint32_t)i));
                        sent = t->sent;
                } else {
                        cr_assert(eq(u32, t->sent, (uint32_t)sent));
                }
                prev_e = t->e;
        }
        for (size_t k = 0; k < tt->nsents; k++) {
                const ink_sentence_t *st = &tt->sents[k];
                cr_assert(lt(u32, st->tok_begin, st->tok_end));
                cr_assert(eq(u32, st->tok_begin,
                             k ? tt->sents[k - 1].tok_end : 0));
                cr_assert(eq(u32, st->b, tt->toks[st->tok_begin].b));
                cr_assert(eq(u32, st->e, tt->toks[st->tok_end - 1].e));
                cr_assert(eq(u32, st->cb, tt->toks[st->tok_begin].cb));
                cr_assert(eq(u32, st->ce, tt->toks[st->tok_end - 1].ce));
        }
        if (tt->nsents)
                cr_assert(eq(u32, tt->sents[tt->nsents - 1].tok_end,
                             (uint32_t)tt->ntoks));
}

Test(tokens, invariants_on_generated_text) {
        static const char *const parts[] = {
                "a", "Kyiv", "U.S.", "Mr.", "J.", "3.5", "1,000", "-", "--",
                "\xe2\x80\x93", "'", "\xe2\x80\x99", "s", "n't", ".", "...",
                "?", "!", "\"", "\xe2\x80\x9c", "(", ")", "$", "%", ",", ":",
                " ", " ", " ", "\n", "\t", "\xc3\xa9", "e\xcc\x81",
                "\xf0\x9f\x98\x80", "http://x.io/a", "www.", "@", "x@y.com",
                "No.", "5", "The", "\xc2\xa0", "&", "/", "_", "#",
        };
        const size_t nparts = sizeof(parts) / sizeof(parts[0]);
        uint32_t seed = 12345;
        char text[512];

        for (int iter = 0; iter < 3000; iter++) {
                ink_arena_t *arena = ink_arena_new(0);
                ink_tokens_t tt = {0};
                char err[128];
                size_t len = 0;
                int nparts_here;

                seed = seed * 1103515245u + 12345u;
                nparts_here = 1 + (int)((seed >> 16) % 40);
                for (int p = 0; p < nparts_here; p++) {
                        seed = seed * 1103515245u + 12345u;
                        const char *part = parts[(seed >> 16) % nparts];
                        size_t pl = strlen(part);
                        if (len + pl >= sizeof(text))
                                break;
                        memcpy(text + len, part, pl);
                        len += pl;
                }
                cr_assert(eq(int, ink_tokenize(arena, text, len,
                                               INK_FIELD_BODY, &tt, err,
                                               sizeof(err)), INK_OK));
                check_invariants(text, len, &tt);
                ink_arena_destroy(arena);
        }
}

Test(tokens, never_crashes_on_random_bytes) {
        uint32_t seed = 99;
        unsigned char text[64];

        for (int iter = 0; iter < 5000; iter++) {
                ink_arena_t *arena = ink_arena_new(0);
                ink_tokens_t tt = {0};
                char err[128];
                size_t len = (size_t)iter % sizeof(text);
                for (size_t k = 0; k < len; k++) {
                        seed = seed * 1103515245u + 12345u;
                        text[k] = (unsigned char)(seed >> 16);
                }
                ink_rc_t rc = ink_tokenize(arena, (const char *)text, len,
                                           INK_FIELD_BODY, &tt, err,
                                           sizeof(err));
                bool known = rc == INK_OK || rc == INK_ERR_INVALID;
                cr_assert(known, "rc %d", rc);
                if (rc == INK_OK)
                        check_invariants((const char *)text, len, &tt);
                else
                        cr_assert(eq(sz, tt.ntoks, 0));
                ink_arena_destroy(arena);
        }
}

/*---- The sample article ----------------------------------------------------*/

/* @returns the sample article's bytes (malloc'd) or NULL if absent. */
static char *read_sample(size_t *lenp) {
        const char *paths[] = {
                getenv("INK_SAMPLE_ARTICLE"),
                INK_SOURCE_DIR "/../shared/samples/trump-putin-call.txt",
                "/work/shared/samples/trump-putin-call.txt",
        };
        for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
                FILE *f;
                char *buf;
                long n;
                if (!paths[i] || !(f = fopen(paths[i], "rb")))
                        continue;
                fseek(f, 0, SEEK_END);
                n = ftell(f);
                rewind(f);
                buf = malloc((size_t)n + 1);
                *lenp = fread(buf, 1, (size_t)n, f);
                buf[*lenp] = '\0';
                fclose(f);
                return buf;
        }
        return NULL;
}

Test(tokens, sample_article) {
        size_t len = 0;
        char *text = read_sample(&len);
        char *nl, err[128];
        ink_rc_t rc;
        ink_article_t *art;
        bool found = false;

        if (!text) {
                cr_skip_test("sample article not found");
                return;
        }
        nl = strchr(text, '\n');
        cr_assert(not(eq(ptr, nl, NULL)));
        *nl = '\0';
        art = run_stage(text, nl + 1, len - (size_t)(nl + 1 - text), &rc,
                        err, sizeof(err));
        cr_assert(eq(int, rc, INK_OK), "%s", err);
        /* counted by hand: the title, then 20 sentences in 13 paragraphs */
        cr_expect(eq(sz, art->nsents, 21));
        cr_expect(eq(u16, art->sents[0].field, INK_FIELD_TITLE));
        cr_expect(eq(u16, art->sents[1].field, INK_FIELD_BODY));
        cr_expect(gt(sz, art->ntoks, 400));
        for (size_t k = 0; k < art->nsents; k++) {
                const ink_sentence_t *st = &art->sents[k];
                const char *s = art->body + st->b;
                if (st->field == INK_FIELD_BODY &&
                    strncmp(s, "Trump\xe2\x80\x99s special envoy", 22) == 0) {
                        found = true;
                        cr_expect(eq(int, strncmp(art->body + st->e - 13,
                                                  "inauguration.", 13), 0));
                }
        }
        cr_expect(found);
        ink_article_destroy(art);
        free(text);
}

/*---- Theory: offsets and coverage ------------------------------------------*/

/* @returns whether code point \p cp is white space for the tokenizer's
 * contract (Unicode Z*, Cc, and the zero-width space, word joiner and
 * BOM), decided independently of the tokenizer's own tables. */
static bool is_space_cp(utf8proc_int32_t cp) {
        utf8proc_category_t c = utf8proc_category(cp);
        return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL ||
               c == UTF8PROC_CATEGORY_ZP || c == UTF8PROC_CATEGORY_CC ||
               cp == 0x200B || cp == 0x2060 || cp == 0xFEFF;
}

/* Checks that the tokens of valid UTF-8 \p s: have increasing offsets
 * inside the text, and cover every non-space code point exactly once
 * and no space code point. */
static void check_cover(const char *s, size_t len, const ink_tokens_t *tt) {
        size_t k = 0, cp_index = 0;
        uint32_t prev_e = 0;

        for (size_t i = 0; i < tt->ntoks; i++) {
                cr_assert(le(u32, prev_e, tt->toks[i].b), "token %zu", i);
                cr_assert(lt(u32, tt->toks[i].b, tt->toks[i].e));
                cr_assert(le(u32, tt->toks[i].e, (uint32_t)len));
                cr_assert(le(u32, tt->toks[i].cb, tt->toks[i].ce));
                prev_e = tt->toks[i].e;
        }
        for (size_t b = 0, t = 0; b < len; cp_index++) {
                utf8proc_int32_t cp;
                utf8proc_ssize_t r = utf8proc_iterate(
                        (const utf8proc_uint8_t *)s + b,
                        (utf8proc_ssize_t)(len - b), &cp);
                bool inside;
                cr_assert(gt(long, (long)r, 0));
                while (t < tt->ntoks && tt->toks[t].e <= b)
                        t++;
                inside = t < tt->ntoks && tt->toks[t].b <= b;
                if (inside) {
                        cr_assert(not(is_space_cp(cp)),
                                  "space U+%04X inside token %zu", cp, t);
                        cr_assert(le(u32, tt->toks[t].cb,
                                     (uint32_t)cp_index));
                        cr_assert(gt(u32, tt->toks[t].ce,
                                     (uint32_t)cp_index));
                        k++;
                } else {
                        cr_assert(is_space_cp(cp),
                                  "U+%04X at byte %zu in no token", cp, b);
                }
                b += (size_t)r;
        }
        (void)k;
}

TheoryDataPoints(tokens, cover_every_non_space_once) = {
        DataPoints(const char *, "Trump\xe2\x80\x99s", "U.S.", "Lt. Gen.",
                   "Jan. 5, 2025", "e-mail: a.b@c.org", "https://x.io/a?b=1",
                   "\xe2\x80\x9cYes,\xe2\x80\x9d he said", "Zelenskyy",
                   "\xe2\x80\x93", "3.5%", "Saint-\xc3\x89tienne",
                   "\xd0\x9a\xd0\xb8\xd1\x97\xd0\xb2",
                   "\xe4\xb8\xad\xe5\x9b\xbd",
                   "e\xcc\x81t\xc3\xa9", "\xf0\x9f\x98\x80!", "...", "",
                   "ABC\x01" "DEF", "a\x7f" "b", "x\xe2\x80\x8b" "y"),
        DataPoints(const char *, " ", "\n", "\t", "\r\n\r\n",
                   "\xc2\xa0", "\xe2\x80\xa8", "", "\x1b"),
        DataPoints(const char *, "Mr. Putin.", "N.A.T.O", "said:", "(CNN)",
                   "'90s", "rock\xe2\x80\x99n\xe2\x80\x99roll", "1,000,000",
                   "A", "?!", "#tag", "@user"),
};

Theory((const char *a, const char *sep, const char *b), tokens,
       cover_every_non_space_once) {
        char text[256];
        ink_arena_t *arena = ink_arena_new(0);
        ink_tokens_t tt = {0};
        char err[128];
        int n = snprintf(text, sizeof(text), "%s%s%s%s%s.", a, sep, b, sep,
                         a);

        cr_assert(lt(int, n, (int)sizeof(text)));
        cr_assert(eq(int, ink_tokenize(arena, text, (size_t)n,
                                       INK_FIELD_BODY, &tt, err, sizeof(err)),
                     INK_OK), "%s", err);
        check_cover(text, (size_t)n, &tt);
        check_invariants(text, (size_t)n, &tt);
        ink_arena_destroy(arena);
}

/*---- Bad input: size, no spaces, capitals, control characters --------------*/

/* Runs tokens and entities on a body of \p len bytes; @returns the CPU
 * seconds taken and the token count in \p ntoks. */
static double run_both(const char *body, size_t len, size_t *ntoks) {
        char err[256] = "";
        void *tctx = ink_stage_tokens.create(err, sizeof(err));
        void *ectx = ink_stage_entities.create(err, sizeof(err));
        ink_article_t *art = ink_article_new();
        struct timespec t0, t1;
        ink_rc_t rc;

        cr_assert(not(eq(ptr, ectx, NULL)), "%s", err);
        art->title = "";
        art->body = body;
        art->body_len = len;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
        rc = ink_stage_tokens.run(tctx, art, err, sizeof(err));
        cr_assert(eq(int, rc, INK_OK), "%s", err);
        rc = ink_stage_entities.run(ectx, art, err, sizeof(err));
        cr_assert(ge(int, rc, 0), "%s", err);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
        *ntoks = art->ntoks;
        ink_article_destroy(art);
        ink_stage_entities.destroy(ectx);
        ink_stage_tokens.destroy(tctx);
        return (double)(t1.tv_sec - t0.tv_sec) +
               (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

/* Fills \p len bytes of \p buf with copies of \p unit. */
static void fill(char *buf, size_t len, const char *unit) {
        size_t ul = strlen(unit);
        for (size_t i = 0; i < len; i++)
                buf[i] = unit[i % ul];
}

Test(tokens, ten_megabytes_in_linear_time) {
        const char *unit = "Russian President Vladimir Putin told Mr. Trump "
                           "on Tuesday that the U.S. would meet in Geneva. ";
        size_t small = 1 << 20, big = 10 << 20, ns, nb;
        char *buf = malloc(big);
        double ts, tb;

        fill(buf, big, unit);
        ts = run_both(buf, small, &ns);
        tb = run_both(buf, big, &nb);
        cr_expect(gt(sz, nb, 9 * ns));
        cr_expect(lt(sz, nb, 11 * ns));
        /* linear: 10 times the text, about 10 times the time (quadratic
         * would be 100) */
        cr_expect(lt(dbl, tb, 30 * ts + 0.5), "1 MB %.2f s, 10 MB %.2f s",
                  ts, tb);
        free(buf);
}

Test(tokens, capitals_no_spaces_and_control_characters) {
        size_t n = 100000, ntoks;
        char *buf = malloc(n * 4 + 1);

        /* one line of 100,000 capital letters: one token */
        fill(buf, n, "A");
        run_both(buf, n, &ntoks);
        cr_expect(eq(sz, ntoks, 1));
        /* capital words without spaces, joined by punctuation */
        fill(buf, n, "ABC,DEF.");
        run_both(buf, n, &ntoks);
        cr_expect(gt(sz, ntoks, n / 8));
        /* a megabyte with no spaces at all: bounded */
        fill(buf, n * 4, "abcdefghij");
        run_both(buf, n * 4, &ntoks);
        cr_expect(eq(sz, ntoks, 1));
        /* control characters separate tokens and are in none */
        fill(buf, n, "Putin\x01Trump\x7f\x1b" "Kyiv\x02 \x03");
        run_both(buf, n, &ntoks);
        cr_expect(gt(sz, ntoks, n / 20));
        free(buf);
}

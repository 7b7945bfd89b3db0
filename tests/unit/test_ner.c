/*
 * NER: model loading and validation, BIO repair, canonical names, and the
 * "entities" stage on hand-tokenised text and on the sample article.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ink/ner.h"
#include "ink/stage.h"

/*---- A small tokenizer for these tests only -------------------------------*/

/* Copies \p n bytes of \p s into the arena, folding curly quotes to ASCII. */
static char *fold(ink_arena_t *a, const char *s, size_t n) {
        char *o = ink_arena_alloc(a, n + 1);
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                const unsigned char *u = (const unsigned char *)s + i;
                if (i + 2 < n && u[0] == 0xe2 && u[1] == 0x80 &&
                    (u[2] == 0x98 || u[2] == 0x99)) {
                        o[k++] = '\'';
                        i += 2;
                } else if (i + 2 < n && u[0] == 0xe2 && u[1] == 0x80 &&
                           (u[2] == 0x9c || u[2] == 0x9d)) {
                        o[k++] = '"';
                        i += 2;
                } else {
                        o[k++] = s[i];
                }
        }
        o[k] = '\0';
        return o;
}

static int is_punct_byte(const unsigned char *p) {
        return (*p && strchr(",.;:!?()[]\"", *p)) ||
               (p[0] == 0xe2 && p[1] == 0x80 &&
                (p[2] == 0x9c || p[2] == 0x9d || p[2] == 0x93));
}

static size_t punct_len(const unsigned char *p) {
        return p[0] == 0xe2 ? 3 : 1;
}

/* Adds token [b, e) of the body (ASCII-only code point counting is
 * enough for the test texts plus the 3-byte quotes, counted as one). */
static void add_tok(ink_article_t *art, size_t *cap, size_t b, size_t e) {
        ink_token_t *t;
        uint32_t cb = 0;
        for (size_t i = 0; i < b; i++)
                if (((unsigned char)art->body[i] & 0xc0) != 0x80)
                        cb++;
        if (art->ntoks == *cap) {
                art->toks = ink_arena_grow(art->arena, art->toks, art->ntoks,
                                           *cap * 2 + 8, sizeof(*t));
                *cap = *cap * 2 + 8;
        }
        t = &art->toks[art->ntoks++];
        memset(t, 0, sizeof(*t));
        t->b = (uint32_t)b;
        t->e = (uint32_t)e;
        t->cb = cb;
        t->ce = cb;
        for (size_t i = b; i < e; i++)
                if (((unsigned char)art->body[i] & 0xc0) != 0x80)
                        t->ce++;
        t->field = INK_FIELD_BODY;
        t->norm = fold(art->arena, art->body + b, e - b);
}

/* Splits the body at spaces and around punctuation; sentences end after
 * . ! ? and at line breaks. */
static void tokenize(ink_article_t *art) {
        const char *s = art->body;
        size_t n = art->body_len, i = 0, cap = 0, scap = 0, sb = 0;
        int brk = 0;

        while (i < n) {
                size_t j;
                if (s[i] == '\n' || brk) {
                        if (art->ntoks > sb) {
                                if (art->nsents == scap) {
                                        art->sents = ink_arena_grow(
                                                art->arena, art->sents,
                                                art->nsents, scap * 2 + 8,
                                                sizeof(*art->sents));
                                        scap = scap * 2 + 8;
                                }
                                memset(&art->sents[art->nsents], 0,
                                       sizeof(*art->sents));
                                art->sents[art->nsents].tok_begin =
                                        (uint32_t)sb;
                                art->sents[art->nsents].tok_end =
                                        (uint32_t)art->ntoks;
                                art->nsents++;
                                sb = art->ntoks;
                        }
                        brk = 0;
                        if (s[i] == '\n')
                                i++;
                        continue;
                }
                if (isspace((unsigned char)s[i])) {
                        i++;
                        continue;
                }
                if (is_punct_byte((const unsigned char *)s + i)) {
                        j = i + punct_len((const unsigned char *)s + i);
                        brk = s[i] == '.' || s[i] == '!' || s[i] == '?';
                        add_tok(art, &cap, i, j);
                        i = j;
                        continue;
                }
                for (j = i; j < n && !isspace((unsigned char)s[j]) &&
                     !is_punct_byte((const unsigned char *)s + j); j++)
                        ;
                /* a possessive is a token of its own, as in UD */
                if (j - i > 4 && s[j - 1] == 's' &&
                    !memcmp(s + j - 4, "\xe2\x80\x99", 3)) {
                        add_tok(art, &cap, i, j - 4);
                        add_tok(art, &cap, j - 4, j);
                } else {
                        add_tok(art, &cap, i, j);
                }
                i = j;
        }
        if (art->ntoks > sb) {
                brk = 1;
                i = n;
                art->sents = ink_arena_grow(art->arena, art->sents,
                                            art->nsents, art->nsents + 1,
                                            sizeof(*art->sents));
                memset(&art->sents[art->nsents], 0, sizeof(*art->sents));
                art->sents[art->nsents].tok_begin = (uint32_t)sb;
                art->sents[art->nsents].tok_end = (uint32_t)art->ntoks;
                art->nsents++;
        }
        for (size_t k = 0; k < art->nsents; k++)
                for (size_t t = art->sents[k].tok_begin;
                     t < art->sents[k].tok_end; t++)
                        art->toks[t].sent = (uint32_t)k;
}

static ink_article_t *article(const char *body) {
        ink_article_t *art = ink_article_new();
        art->title = "";
        art->body = ink_arena_strdup(art->arena, body);
        art->body_len = strlen(body);
        return art;
}

/* @returns the entity of type \p t with text \p text, or NULL. */
static const ink_entity_t *find(const ink_article_t *art, ink_ent_type_t t,
                                const char *text) {
        for (size_t i = 0; i < art->nents; i++)
                if (art->ents[i].type == t && !strcmp(art->ents[i].text, text))
                        return &art->ents[i];
        return NULL;
}

/*---- Model loading -------------------------------------------------------*/

Test(ner_model, embedded_model_loads) {
        char err[256] = "";
        void *ctx = ink_stage_entities.create(err, sizeof(err));
        cr_assert(not(eq(ptr, ctx, NULL)), "create failed: %s", err);
        cr_expect(eq(str, (char *)ink_stage_entities.name, "entities"));
        ink_stage_entities.destroy(ctx);
}

Test(ner_model, bad_blobs_rejected) {
        size_t len = 0;
        const char *res = ink_resource_get(INK_NER_RESOURCE, &len);
        char err[256];
        char *copy;

        cr_assert(not(eq(ptr, (void *)res, NULL)));
        copy = malloc(len);
        memcpy(copy, res, len);

        cr_expect(eq(ptr, ink_ner_model_load("garbage", 7, err, sizeof(err)),
                     NULL));
        cr_expect(not(eq(ptr, strstr(err, "magic"), NULL)), "%s", err);

        copy[0] = 'X';
        cr_expect(eq(ptr, ink_ner_model_load(copy, len, err, sizeof(err)),
                     NULL));
        cr_expect(not(eq(ptr, strstr(err, "magic"), NULL)), "%s", err);
        copy[0] = 'I';

        copy[6] = 99;
        cr_expect(eq(ptr, ink_ner_model_load(copy, len, err, sizeof(err)),
                     NULL));
        cr_expect(not(eq(ptr, strstr(err, "version"), NULL)), "%s", err);
        copy[6] = INK_NER_FORMAT_VERSION;

        cr_expect(eq(ptr, ink_ner_model_load(copy, len - 2, err, sizeof(err)),
                     NULL));
        cr_expect(not(eq(ptr, strstr(err, "truncated"), NULL)), "%s", err);

        copy[16] ^= 0x40;       /* feature version */
        cr_expect(eq(ptr, ink_ner_model_load(copy, len, err, sizeof(err)),
                     NULL));
        cr_expect(not(eq(ptr, strstr(err, "feature version"), NULL)),
                  "%s", err);
        copy[16] ^= 0x40;

        ink_ner_model_t *m = ink_ner_model_load(copy, len, err, sizeof(err));
        cr_expect(not(eq(ptr, m, NULL)), "%s", err);
        ink_ner_model_destroy(m);
        free(copy);
}

/*---- BIO -----------------------------------------------------------------*/

Test(ner_bio, invalid_transitions_repaired) {
        /* O I-PER I-PER B-ORG I-LOC I-LOC O I-MISC */
        uint8_t tags[] = { INK_NER_O, INK_NER_I_PER, INK_NER_I_PER,
                           INK_NER_B_ORG, INK_NER_I_LOC, INK_NER_I_LOC,
                           INK_NER_O, INK_NER_I_MISC };
        uint8_t want[] = { INK_NER_O, INK_NER_B_PER, INK_NER_I_PER,
                           INK_NER_B_ORG, INK_NER_B_LOC, INK_NER_I_LOC,
                           INK_NER_O, INK_NER_B_MISC };
        cr_expect(eq(sz, ink_ner_bio_repair(tags, 8), 3));
        for (int i = 0; i < 8; i++)
                cr_expect(eq(u8, tags[i], want[i]), "tag %d", i);
        cr_expect(eq(int, ink_ner_tag_parse("I-MISC"), INK_NER_I_MISC));
        cr_expect(eq(int, ink_ner_tag_parse("I-FOO"), -1));
        cr_expect(eq(str, (char *)ink_ner_tag_name(INK_NER_B_LOC), "B-LOC"));
}

Test(ner_bio, viterbi_respects_constraint) {
        /* emissions prefer I-PER at the start and after O: the decoder must
         * not produce an I-X there */
        float emit[3 * INK_NER_NTAGS] = { 0 };
        float trans[(INK_NER_NTAGS + 1) * INK_NER_NTAGS] = { 0 };
        uint8_t bp[3 * INK_NER_NTAGS], tags[3];
        emit[0 * INK_NER_NTAGS + INK_NER_I_PER] = 5;
        emit[0 * INK_NER_NTAGS + INK_NER_B_PER] = 1;
        emit[1 * INK_NER_NTAGS + INK_NER_O] = 5;
        emit[2 * INK_NER_NTAGS + INK_NER_I_LOC] = 5;
        ink_ner_viterbi(emit, 3, trans, bp, tags);
        cr_expect(eq(u8, tags[0], INK_NER_B_PER));
        cr_expect(eq(u8, tags[1], INK_NER_O));
        cr_expect(not(eq(u8, tags[2], INK_NER_I_LOC)));
        cr_expect(eq(sz, ink_ner_bio_repair(tags, 3), 0));
}

/*---- Canonical names -----------------------------------------------------*/

Test(ner_canonical, surnames_titles_possessives) {
        ink_arena_t *a = ink_arena_new(4096);
        ink_entity_t e[] = {
                { .type = INK_ENT_PER, .text = "Ortega" },
                { .type = INK_ENT_PER, .text = "President Maria Ortega" },
                { .type = INK_ENT_PER, .text = "Ortega's" },
                { .type = INK_ENT_LOC, .text = "Portugal\xe2\x80\x99s" },
                { .type = INK_ENT_PER, .text = "Mr. Tanaka" },
                { .type = INK_ENT_PER, .text = "Kenji Tanaka" },
                { .type = INK_ENT_PER, .text = "Tanaka" },
                { .type = INK_ENT_ORG, .text = "General Motors" },
                { .type = INK_ENT_PER, .text = "Secretary of State Ana Ruiz" },
                { .type = INK_ENT_PER, .text = "Lee" },
                { .type = INK_ENT_PER, .text = "Sam Lee" },
                { .type = INK_ENT_PER, .text = "Jo Lee" },
                { .type = INK_ENT_PER, .text = "Lee" },
                { .type = INK_ENT_ORG, .text = "Ruiz" },
        };
        size_t n = sizeof(e) / sizeof(e[0]);

        ink_ner_canonical_names(a, e, n);
        cr_expect(eq(str, (char *)e[0].canonical, "Maria Ortega")); /* later */
        cr_expect(eq(str, (char *)e[1].canonical, "Maria Ortega"));
        cr_expect(eq(str, (char *)e[2].canonical, "Maria Ortega"));
        cr_expect(eq(str, (char *)e[3].canonical, "Portugal"));
        cr_expect(eq(str, (char *)e[4].canonical, "Kenji Tanaka"));
        cr_expect(eq(str, (char *)e[5].canonical, "Kenji Tanaka"));
        cr_expect(eq(str, (char *)e[6].canonical, "Kenji Tanaka"));
        cr_expect(eq(str, (char *)e[7].canonical, "General Motors"));
        cr_expect(eq(str, (char *)e[8].canonical, "Ana Ruiz"));
        cr_expect(eq(str, (char *)e[9].canonical, "Sam Lee"));  /* next */
        cr_expect(eq(str, (char *)e[12].canonical, "Jo Lee")); /* nearest */
        cr_expect(eq(str, (char *)e[13].canonical, "Ruiz"));   /* not PER */
        ink_arena_destroy(a);
}

/*---- The stage -----------------------------------------------------------*/

Test(ner_stage, no_tokens_is_skipped) {
        char err[256] = "";
        void *ctx = ink_stage_entities.create(err, sizeof(err));
        ink_article_t *art = article("Nothing tokenised.");
        cr_assert(not(eq(ptr, ctx, NULL)), "%s", err);
        cr_expect(eq(int, ink_stage_entities.run(ctx, art, err, sizeof(err)),
                     INK_SKIPPED));
        cr_expect(eq(sz, art->nents, 0));
        ink_article_destroy(art);
        ink_stage_entities.destroy(ctx);
}

Test(ner_stage, offsets_possessive_and_canonical) {
        const char *body =
                "German Chancellor Angela Merkel met French President "
                "Emmanuel Macron in Paris on Monday.\n"
                "Merkel\xe2\x80\x99s spokesman said the talks with Macron "
                "covered NATO and the European Union.";
        char err[256] = "";
        void *ctx = ink_stage_entities.create(err, sizeof(err));
        ink_article_t *art = article(body);
        const ink_entity_t *e;

        cr_assert(not(eq(ptr, ctx, NULL)), "%s", err);
        tokenize(art);
        cr_assert(eq(int, ink_stage_entities.run(ctx, art, err, sizeof(err)),
                     INK_OK), "%s", err);
        for (size_t i = 0; i < art->nents; i++) {
                e = &art->ents[i];
                cr_expect(eq(int, memcmp(body + e->b, e->text, e->e - e->b),
                             0));
                cr_expect(le(dbl, e->confidence, 1.0));
                cr_expect(ge(dbl, e->confidence, 0.0));
        }
        e = find(art, INK_ENT_PER, "Angela Merkel");
        cr_assert(not(eq(ptr, (void *)e, NULL)));
        cr_expect(eq(u32, e->cb, 18));
        cr_expect(eq(u32, e->ce, 31));
        e = find(art, INK_ENT_PER, "Merkel");
        cr_assert(not(eq(ptr, (void *)e, NULL)), "possessive not cut");
        cr_expect(eq(str, (char *)e->canonical, "Angela Merkel"));
        cr_expect(eq(u32, e->sent, 1));
        e = find(art, INK_ENT_PER, "Macron");
        cr_assert(not(eq(ptr, (void *)e, NULL)));
        cr_expect(eq(str, (char *)e->canonical, "Emmanuel Macron"));
        cr_expect(not(eq(ptr, (void *)find(art, INK_ENT_LOC, "Paris"), NULL)));
        cr_expect(not(eq(ptr, (void *)find(art, INK_ENT_ORG, "NATO"), NULL)));
        ink_article_destroy(art);
        ink_stage_entities.destroy(ctx);
}

/* Reads the sample article (tests/data, else the shared samples). */
static char *read_sample(void) {
        const char *paths[] = {
                INK_TEST_DATA "/trump-putin-call.txt",
                "/work/shared/samples/trump-putin-call.txt",
        };
        for (size_t i = 0; i < 2; i++) {
                FILE *fp = fopen(paths[i], "rb");
                char *buf;
                long n;
                if (!fp)
                        continue;
                fseek(fp, 0, SEEK_END);
                n = ftell(fp);
                fseek(fp, 0, SEEK_SET);
                buf = malloc((size_t)n + 1);
                buf[fread(buf, 1, (size_t)n, fp)] = '\0';
                fclose(fp);
                return buf;
        }
        return NULL;
}

/* Checks the entities expected in the sample article. */
static void check_sample(const ink_article_t *art) {
        static const struct {
                ink_ent_type_t type;
                const char *canonical;
        } want[] = {
                { INK_ENT_PER, "Donald Trump" },
                { INK_ENT_PER, "Vladimir Putin" },
                { INK_ENT_LOC, "Russia" },
                { INK_ENT_LOC, "Ukraine" },
                { INK_ENT_LOC, "Switzerland" },
                { INK_ENT_LOC, "Serbia" },
                { INK_ENT_ORG, "CNN" },
                { INK_ENT_ORG, "NATO" },
        };
        size_t trump_short = 0, putin_short = 0;

        for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
                int found = 0;
                for (size_t i = 0; i < art->nents; i++)
                        found |= art->ents[i].type == want[w].type &&
                                 !strcmp(art->ents[i].canonical,
                                         want[w].canonical);
                cr_expect(found, "missing %s %s",
                          ink_ent_type_name(want[w].type), want[w].canonical);
        }
        for (size_t i = 0; i < art->nents; i++) {
                const ink_entity_t *e = &art->ents[i];
                if (e->type != INK_ENT_PER)
                        continue;
                if (!strcmp(e->text, "Trump")) {
                        cr_expect(eq(str, (char *)e->canonical,
                                     "Donald Trump"));
                        trump_short++;
                }
                if (!strcmp(e->text, "Putin")) {
                        cr_expect(eq(str, (char *)e->canonical,
                                     "Vladimir Putin"));
                        putin_short++;
                }
        }
        cr_expect(ge(sz, trump_short, 5), "surname-only Trump mentions");
        cr_expect(ge(sz, putin_short, 3), "surname-only Putin mentions");
}

Test(ner_stage, sample_article_hand_tokens) {
        char err[256] = "";
        char *text = read_sample();
        void *ctx = ink_stage_entities.create(err, sizeof(err));
        ink_article_t *art;

        cr_assert(not(eq(ptr, text, NULL)), "sample article not found");
        cr_assert(not(eq(ptr, ctx, NULL)), "%s", err);
        art = article(text);
        tokenize(art);
        cr_assert(eq(int, ink_stage_entities.run(ctx, art, err, sizeof(err)),
                     INK_OK), "%s", err);
        check_sample(art);
        ink_article_destroy(art);
        ink_stage_entities.destroy(ctx);
        free(text);
}

Test(ner_stage, sample_article_with_tokens_stage) {
        char err[256] = "";
        char *text = read_sample();
        void *tctx, *ctx;
        ink_article_t *art;

        cr_assert(not(eq(ptr, text, NULL)), "sample article not found");
        tctx = ink_stage_tokens.create(err, sizeof(err));
        cr_assert(not(eq(ptr, tctx, NULL)), "%s", err);
        ctx = ink_stage_entities.create(err, sizeof(err));
        cr_assert(not(eq(ptr, ctx, NULL)), "%s", err);
        art = article(text);
        cr_assert(ge(int, ink_stage_tokens.run(tctx, art, err, sizeof(err)),
                     0), "%s", err);
        cr_assert(eq(int, ink_stage_entities.run(ctx, art, err, sizeof(err)),
                     INK_OK), "%s", err);
        check_sample(art);
        for (size_t i = 0; i < art->nents; i++) {
                const ink_entity_t *e = &art->ents[i];
                cr_expect(eq(int, memcmp(text + e->b, e->text, e->e - e->b),
                             0));
                cr_expect(lt(u32, e->cb, e->ce));
        }
        ink_article_destroy(art);
        ink_stage_entities.destroy(ctx);
        ink_stage_tokens.destroy(tctx);
        free(text);
}

/*---- Trainer -------------------------------------------------------------*/

/* Reads a whole file into a malloc'ed buffer; @returns it (NULL if none). */
static char *slurp(const char *path, size_t *lenp) {
        FILE *fp = fopen(path, "rb");
        char *buf;
        long n;
        if (!fp)
                return NULL;
        fseek(fp, 0, SEEK_END);
        n = ftell(fp);
        fseek(fp, 0, SEEK_SET);
        buf = malloc((size_t)n + 1);
        *lenp = fread(buf, 1, (size_t)n, fp);
        fclose(fp);
        return buf;
}

Test(ner_train, tiny_corpus_is_deterministic_and_loads) {
        char dir[] = "/tmp/ink_ner_test_XXXXXX";
        char conll[256], m1[256], m2[256], err[256];
        const char *sents[] = {
                "-DOCSTART- a\n\n",
                "Ana\tB-PER\nRuiz\tI-PER\nvisited\tO\nLisbon\tB-LOC\n.\tO\n\n",
                "The\tO\nAcme\tB-ORG\nCorp\tI-ORG\nhired\tO\nRuiz\tB-PER\n"
                ".\tO\n\n",
                "Ruiz\tB-PER\nlikes\tO\nJazz\tB-MISC\nin\tO\nOslo\tB-LOC\n\n",
        };
        char *args1[] = { "train-ner", "--train", conll, "--epochs", "10",
                          "--bits", "14", "--out", m1, NULL };
        char *args2[] = { "train-ner", "--train", conll, "--epochs", "10",
                          "--bits", "14", "--out", m2, NULL };
        char *b1, *b2;
        size_t l1 = 0, l2 = 0;
        ink_ner_model_t *m;
        FILE *fp;

        cr_assert(not(eq(ptr, mkdtemp(dir), NULL)));
        snprintf(conll, sizeof(conll), "%s/t.conll", dir);
        snprintf(m1, sizeof(m1), "%s/m1.bin", dir);
        snprintf(m2, sizeof(m2), "%s/m2.bin", dir);
        fp = fopen(conll, "w");
        for (size_t i = 0; i < 4; i++)
                fputs(sents[i], fp);
        fclose(fp);

        cr_assert(eq(int, ink_ner_train_main(9, args1), 0));
        cr_assert(eq(int, ink_ner_train_main(9, args2), 0));
        b1 = slurp(m1, &l1);
        b2 = slurp(m2, &l2);
        cr_assert(not(eq(ptr, b1, NULL)));
        cr_assert(eq(sz, l1, l2));
        cr_expect(eq(int, memcmp(b1, b2, l1), 0), "training not reproducible");
        m = ink_ner_model_load(b1, l1, err, sizeof(err));
        cr_assert(not(eq(ptr, m, NULL)), "%s", err);
        {
                const char *w[] = { "Ana", "Ruiz", "visited", "Lisbon", "." };
                uint8_t tags[5];
                cr_assert(eq(int, ink_ner_tag(m, w, 5, tags, NULL), 0));
                cr_expect(eq(u8, tags[0], INK_NER_B_PER));
                cr_expect(eq(u8, tags[1], INK_NER_I_PER));
                cr_expect(eq(u8, tags[3], INK_NER_B_LOC));
        }
        ink_ner_model_destroy(m);
        free(b1);
        free(b2);
        unlink(conll);
        unlink(m1);
        unlink(m2);
        rmdir(dir);
}

Test(ner_train, averaged_runs_are_deterministic_and_differ) {
        char dir[] = "/tmp/ink_ner_test_XXXXXX";
        char conll[256], m1[256], m3[256], m3b[256], err[256];
        const char *sents[] = {
                "Ana\tB-PER\nRuiz\tI-PER\nvisited\tO\nLisbon\tB-LOC\n.\tO\n\n",
                "The\tO\nAcme\tB-ORG\nCorp\tI-ORG\nhired\tO\nRuiz\tB-PER\n"
                ".\tO\n\n",
                "Ruiz\tB-PER\nlikes\tO\nJazz\tB-MISC\nin\tO\nOslo\tB-LOC\n\n",
                "Oslo\tB-LOC\nand\tO\nLisbon\tB-LOC\nare\tO\nfar\tO\n\n",
        };
        char *one[] = { "train-ner", "--train", conll, "--epochs", "3",
                        "--bits", "12", "--out", m1, NULL };
        char *three[] = { "train-ner", "--train", conll, "--epochs", "3",
                          "--bits", "12", "--runs", "3", "--out", m3, NULL };
        char *threeb[] = { "train-ner", "--train", conll, "--epochs", "3",
                           "--bits", "12", "--runs", "3", "--out", m3b,
                           NULL };
        char *zero[] = { "train-ner", "--train", conll, "--runs", "0",
                         "--out", m3b, NULL };
        char *many[] = { "train-ner", "--train", conll, "--runs", "65",
                         "--out", m3b, NULL };
        char *b1, *b3, *b3b;
        size_t l1 = 0, l3 = 0, l3b = 0;
        ink_ner_model_t *m;
        FILE *fp;

        cr_assert(not(eq(ptr, mkdtemp(dir), NULL)));
        snprintf(conll, sizeof(conll), "%s/t.conll", dir);
        snprintf(m1, sizeof(m1), "%s/m1.bin", dir);
        snprintf(m3, sizeof(m3), "%s/m3.bin", dir);
        snprintf(m3b, sizeof(m3b), "%s/m3b.bin", dir);
        fp = fopen(conll, "w");
        for (size_t i = 0; i < 4; i++)
                fputs(sents[i], fp);
        fclose(fp);

        cr_assert(eq(int, ink_ner_train_main(9, one), 0));
        cr_assert(eq(int, ink_ner_train_main(11, three), 0));
        cr_assert(eq(int, ink_ner_train_main(11, threeb), 0));
        b1 = slurp(m1, &l1);
        b3 = slurp(m3, &l3);
        b3b = slurp(m3b, &l3b);
        cr_assert(not(eq(ptr, b1, NULL)));
        cr_assert(not(eq(ptr, b3, NULL)));
        cr_assert(not(eq(ptr, b3b, NULL)));
        cr_assert(eq(sz, l1, l3));
        cr_assert(eq(sz, l3, l3b));
        /* three shuffles averaged: not the single run, but reproducible */
        cr_expect(not(eq(int, memcmp(b1, b3, l1), 0)),
                  "--runs 3 gave the model of one run");
        cr_expect(eq(int, memcmp(b3, b3b, l3), 0),
                  "averaged training not reproducible");
        m = ink_ner_model_load(b3, l3, err, sizeof(err));
        cr_assert(not(eq(ptr, m, NULL)), "%s", err);
        {
                const char *w[] = { "Ana", "Ruiz", "visited", "Oslo", "." };
                uint8_t tags[5];
                cr_assert(eq(int, ink_ner_tag(m, w, 5, tags, NULL), 0));
                cr_expect(eq(u8, tags[0], INK_NER_B_PER));
                cr_expect(eq(u8, tags[1], INK_NER_I_PER));
                cr_expect(eq(u8, tags[3], INK_NER_B_LOC));
        }
        ink_ner_model_destroy(m);
        /* out of range: refused, nothing written */
        unlink(m3b);
        cr_expect(not(eq(int, ink_ner_train_main(7, zero), 0)));
        cr_expect(not(eq(int, ink_ner_train_main(7, many), 0)));
        cr_expect(not(eq(int, access(m3b, F_OK), 0)));
        free(b1);
        free(b3);
        free(b3b);
        unlink(conll);
        unlink(m1);
        unlink(m3);
        rmdir(dir);
}

Test(ner_train, bad_input_fails) {
        char *args[] = { "train-ner", "--train", "/nonexistent.conll", NULL };
        char *none[] = { "train-ner", NULL };
        cr_expect(not(eq(int, ink_ner_train_main(3, args), 0)));
        cr_expect(not(eq(int, ink_ner_train_main(1, none), 0)));
}

/*---- Document pass -------------------------------------------------------*/

Test(ner_doc, names_spread_surnames_and_retyping) {
        ink_arena_t *a = ink_arena_new(0);
        const char *w0[] = { "Nadia", "Oberholzer", "founded", "kiwiPlan",
                             "." };
        const char *w1[] = { "Oberholzer", "said", "kiwiPlan", "grew", "." };
        const char *w2[] = { "Users", "of", "kiwiPlan", "and", "oberholzer",
                             "fans", "." };
        const char *w3[] = { "Oberholzer", "Plan", "." };
        uint8_t t0[] = { INK_NER_B_PER, INK_NER_I_PER, INK_NER_O,
                         INK_NER_B_MISC, INK_NER_O };
        uint8_t t1[] = { INK_NER_O, INK_NER_O, INK_NER_O, INK_NER_O,
                         INK_NER_O };
        uint8_t t2[] = { INK_NER_O, INK_NER_O, INK_NER_B_ORG, INK_NER_O,
                         INK_NER_O, INK_NER_O, INK_NER_O };
        uint8_t t3[] = { INK_NER_B_ORG, INK_NER_I_ORG, INK_NER_O };
        float c0[5] = { 1, 1, 1, 1, 1 }, c1[5] = { 1, 1, 1, 1, 1 };
        float c2[7] = { 1, 1, 1, 1, 1, 1, 1 }, c3[3] = { 1, 1, 1 };
        ink_ner_sent_t s[] = {
                { w0, t0, c0, 5 }, { w1, t1, c1, 5 }, { w2, t2, c2, 7 },
                { w3, t3, c3, 3 },
        };

        ink_ner_doc_consistency(a, s, 4);
        /* the surname of a tagged full name becomes PER */
        cr_expect(eq(u8, t1[0], INK_NER_B_PER));
        cr_expect(eq(flt, c1[0], 0.5f));
        /* a name tagged elsewhere is tagged; a tie (MISC 2, ORG 2) goes
         * to the first type in PER, ORG, LOC, MISC order */
        cr_expect(eq(u8, t1[2], INK_NER_B_ORG));
        cr_expect(eq(u8, t1[1], INK_NER_O));
        /* 2 MISC votes against 2 ORG votes: not retyped */
        cr_expect(eq(u8, t2[2], INK_NER_B_ORG));
        /* no capital letter: not a name */
        cr_expect(eq(u8, t2[4], INK_NER_O));
        /* an existing span stays as it is */
        cr_expect(eq(u8, t3[0], INK_NER_B_ORG));
        cr_expect(eq(u8, t3[1], INK_NER_I_ORG));
        ink_arena_destroy(a);
}

Test(ner_doc, lone_surname_of_a_full_name_is_per) {
        ink_arena_t *a = ink_arena_new(0);
        const char *w0[] = { "President", "Oksana", "Pelenko", "spoke", "." };
        const char *w1[] = { "Pelenko", "said", "so", "." };
        const char *w2[] = { "Marta", "Holt", "visited", "Holt", ",",
                             "Holt", "and", "Holt", "." };
        uint8_t t0[] = { INK_NER_O, INK_NER_B_PER, INK_NER_I_PER, INK_NER_O,
                         INK_NER_O };
        uint8_t t1[] = { INK_NER_B_ORG, INK_NER_O, INK_NER_O, INK_NER_O };
        uint8_t t2[] = { INK_NER_B_PER, INK_NER_I_PER, INK_NER_O,
                         INK_NER_B_LOC, INK_NER_O, INK_NER_B_LOC, INK_NER_O,
                         INK_NER_B_LOC, INK_NER_O };
        float c0[5] = { 1, 1, 1, 1, 1 }, c1[4] = { 1, 1, 1, 1 };
        float c2[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
        ink_ner_sent_t s[] = {
                { w0, t0, c0, 5 }, { w1, t1, c1, 4 }, { w2, t2, c2, 9 },
        };

        ink_ner_doc_consistency(a, s, 3);
        /* one full name against one ORG tag: the surname wins */
        cr_expect(eq(u8, t1[0], INK_NER_B_PER));
        cr_expect(eq(u8, t0[1], INK_NER_B_PER));
        cr_expect(eq(u8, t0[2], INK_NER_I_PER));
        /* a place tagged three times outweighs one full name (Holt the
         * town): kept LOC */
        cr_expect(eq(u8, t2[3], INK_NER_B_LOC));
        cr_expect(eq(u8, t2[5], INK_NER_B_LOC));
        cr_expect(eq(u8, t2[7], INK_NER_B_LOC));
        ink_arena_destroy(a);
}

Test(ner_doc, clear_majority_retypes) {
        ink_arena_t *a = ink_arena_new(0);
        const char *w[] = { "Acme", "met", "Acme", "and", "Acme", "of",
                            "Acme" };
        uint8_t t[] = { INK_NER_B_ORG, INK_NER_O, INK_NER_B_ORG, INK_NER_O,
                        INK_NER_B_LOC, INK_NER_O, INK_NER_B_ORG };
        float c[7] = { 1, 1, 1, 1, 1, 1, 1 };
        ink_ner_sent_t s = { w, t, c, 7 };

        /* ORG 6 votes against LOC 2: retyped */
        ink_ner_doc_consistency(a, &s, 1);
        cr_expect(eq(u8, t[4], INK_NER_B_ORG));
        cr_expect(eq(u8, t[0], INK_NER_B_ORG));
        /* ORG 4 against LOC 2 is not more than twice: kept */
        t[4] = INK_NER_B_LOC;
        t[6] = INK_NER_O;
        s.n = 5;
        ink_ner_doc_consistency(a, &s, 1);
        cr_expect(eq(u8, t[4], INK_NER_B_LOC));
        /* nothing tagged: nothing to do */
        t[0] = t[2] = t[4] = INK_NER_O;
        ink_ner_doc_consistency(a, &s, 1);
        for (size_t i = 0; i < 5; i++)
                cr_expect(eq(u8, t[i], INK_NER_O));
        ink_arena_destroy(a);
}

/*---- Countries -------------------------------------------------------------*/

Test(ner_gaz, countries_aliases_demonyms) {
        static const struct { const char *name, *canon, *kb; int dem; }
        want[] = {
                { "US", "United States", "Q30", 0 },
                { "U.S.", "United States", "Q30", 0 },
                { "United States of America", "United States", "Q30",
                  0 },
                { "America", "United States", "Q30", 0 },
                { "Russian Federation", "Russia", "Q159", 0 },
                { "Switzerland", "Switzerland", "Q39", 0 },
                { "Viet Nam", "Vietnam", "Q881", 0 },
                { "Russian", "Russia", "Q159", 1 },
                { "Ukrainians", "Ukraine", "Q212", 1 },
        };
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
                int dem = -1;
                const ink_country_t *c = ink_gaz_country(
                        want[i].name, strlen(want[i].name), &dem);
                cr_assert(not(eq(ptr, (void *)c, NULL)), "%s", want[i].name);
                cr_expect(eq(str, (char *)c->canonical,
                             (char *)want[i].canon));
                cr_expect(eq(str, (char *)c->kb_id, (char *)want[i].kb));
                cr_expect(eq(int, dem, want[i].dem), "%s", want[i].name);
        }
        cr_expect(eq(ptr, (void *)ink_gaz_country("Narnia", 6, NULL), NULL));
        cr_expect(eq(ptr, (void *)ink_gaz_country("us", 2, NULL), NULL));
        cr_expect(eq(ptr, (void *)ink_gaz_country("U", 1, NULL), NULL));
        cr_expect(eq(ptr, (void *)ink_gaz_country(NULL, 0, NULL), NULL));
}

/* Counts names by type for ink_gaz_each_name(). */
static void count_type(const char *name, size_t len, ink_ent_type_t type,
                       void *ud) {
        size_t *n = ud;
        cr_assert(gt(sz, len, 0));
        cr_assert(not(eq(ptr, memchr(name, '\n', len), (void *)name)));
        n[type]++;
}

Test(ner_gaz, every_name_listed_with_a_stable_hash) {
        size_t n[INK_ENT_TYPE_CNT] = { 0 };
        uint32_t h1 = ink_gaz_each_name(count_type, n);
        uint32_t h2 = ink_gaz_each_name(count_type, n);
        cr_expect(eq(u32, h1, h2));
        /* 249 countries with aliases, about 5000 subdivisions */
        cr_expect(gt(sz, n[INK_ENT_LOC], 2 * 5000));
        cr_expect(gt(sz, n[INK_ENT_MISC], 2 * 100));
        cr_expect(eq(sz, n[INK_ENT_PER], 0));
}

Test(ner_canonical, countries_get_canonical_name_and_kb_id) {
        ink_arena_t *a = ink_arena_new(0);
        ink_entity_t e[] = {
                { .type = INK_ENT_LOC, .text = "U.S." },
                { .type = INK_ENT_LOC, .text = "America's" },
                { .type = INK_ENT_ORG, .text = "United States" },
                { .type = INK_ENT_MISC, .text = "Russian" },
                { .type = INK_ENT_PER, .text = "Georgia" },
                { .type = INK_ENT_LOC, .text = "Geneva" },
        };
        ink_ner_canonical_names(a, e, 6);
        for (size_t i = 0; i < 3; i++) {
                cr_expect(eq(str, (char *)e[i].canonical, "United States"));
                cr_expect(eq(str, (char *)e[i].kb_id, "Q30"));
        }
        cr_expect(eq(str, (char *)e[3].canonical, "Russian"));
        cr_expect(eq(ptr, (void *)e[3].kb_id, NULL));
        cr_expect(eq(str, (char *)e[4].canonical, "Georgia"));
        cr_expect(eq(ptr, (void *)e[4].kb_id, NULL));
        cr_expect(eq(str, (char *)e[5].canonical, "Geneva"));
        cr_expect(eq(str, (char *)e[5].kb_id, "geonames:2660646"));
        ink_arena_destroy(a);
}

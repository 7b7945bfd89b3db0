/*
 * The "sentiment" stage on articles built by hand: sentence, document and
 * entity sentiment, the empty body, and a sentence range outside its field.
 */
#include <math.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "ink/stage.h"
#include "ink/vader.h"

static void *ctx;
static ink_article_t *art;

static void setup(void) {
        char err[256];

        ctx = ink_stage_sentiment.create(err, sizeof(err));
        cr_assert(not(eq(ptr, ctx, NULL)), "create: %s", err);
        art = ink_article_new();
}

static void teardown(void) {
        ink_article_destroy(art);
        ink_stage_sentiment.destroy(ctx);
}

TestSuite(sentiment, .init = setup, .fini = teardown);

static const char title[] = "Ferry service resumes after storm";
static const char body[] =
        "The harbour ferry was lovely. "          /* 0: positive */
        "Alice Smith said the pier was dreadful. " /* 1: negative */
        "Smith and Bob Jones met at the pier. "   /* 2: neutral */
        "   ";                                    /* 3: no words */

/* Adds sentence [b, e) of \p field. */
static void add_sent(uint16_t field, const char *text, const char *from,
                     const char *to) {
        const char *p = strstr(text, from);
        const char *q = to ? strstr(p, to) + strlen(to) : text + strlen(text);

        cr_assert(not(eq(ptr, (void *)p, NULL)));
        art->sents = ink_arena_grow(art->arena, art->sents, art->nsents,
                                    art->nsents + 1, sizeof(*art->sents));
        memset(&art->sents[art->nsents], 0, sizeof(*art->sents));
        art->sents[art->nsents].field = field;
        art->sents[art->nsents].b = (uint32_t)(p - text);
        art->sents[art->nsents].e = (uint32_t)(q - text);
        art->nsents++;
}

static void add_ent(const char *text, const char *canonical, uint32_t sent) {
        art->ents = ink_arena_grow(art->arena, art->ents, art->nents,
                                   art->nents + 1, sizeof(*art->ents));
        memset(&art->ents[art->nents], 0, sizeof(*art->ents));
        art->ents[art->nents].type = INK_ENT_PER;
        art->ents[art->nents].text = text;
        art->ents[art->nents].canonical = canonical;
        art->ents[art->nents].sent = sent;
        art->nents++;
}

static void build_article(void) {
        art->title = title;
        art->title_len = strlen(title);
        art->body = body;
        art->body_len = strlen(body);
        add_sent(INK_FIELD_BODY, body, "The harbour", "lovely.");
        add_sent(INK_FIELD_BODY, body, "Alice", "dreadful.");
        add_sent(INK_FIELD_BODY, body, "Smith and", "pier.");
        add_sent(INK_FIELD_BODY, body, "   ", NULL);
        add_sent(INK_FIELD_TITLE, title, "Ferry", NULL);
        add_ent("Alice Smith", "Alice Smith", 1);
        add_ent("Smith", "Alice Smith", 2);
        add_ent("Bob Jones", "Bob Jones", 2);
        add_ent("Alice Smith", "Alice Smith", 1); /* same sentence again */
        add_ent("Nobody", NULL, 99);             /* invalid sentence */
}

Test(sentiment, sentences_document_entities) {
        char err[256] = "";
        const ink_sentence_t *s;
        double title_c;

        build_article();
        cr_assert(eq(int, ink_stage_sentiment.run(ctx, art, err, sizeof(err)),
                     INK_OK), "%s", err);
        s = art->sents;

        /* news-model compound; VADER's proportions */
        cr_expect(gt(dbl, s[0].sentiment.compound, 0.05));
        cr_expect(gt(dbl, s[0].sentiment.positive, 0.0));
        cr_expect(lt(dbl, s[1].sentiment.compound, -0.05));
        cr_expect(lt(dbl, s[1].sentiment.compound, s[2].sentiment.compound));
        cr_expect(eq(dbl, s[2].sentiment.neutral, 1.0));
        /* no words: neutral */
        cr_expect(eq(dbl, s[3].sentiment.compound, 0.0));
        cr_expect(eq(dbl, s[3].sentiment.neutral, 1.0));

        /* document: mean of body sentences 0-2 and the title */
        title_c = s[4].sentiment.compound;
        cr_expect(epsilon_eq(dbl, art->sentiment.compound,
                             (s[0].sentiment.compound +
                              s[1].sentiment.compound +
                              s[2].sentiment.compound + title_c) / 4,
                             1e-12));
        cr_expect(epsilon_eq(dbl, art->sentiment.positive +
                             art->sentiment.neutral +
                             art->sentiment.negative, 1.0, 1e-9));

        /* entities without offsets inside their sentence get the
         * sentence compound: Alice Smith in sentences 1 and 2 (the
         * duplicate mention once) */
        for (int i = 0; i < 4; i++)
                cr_expect(art->ents[i].has_sentiment);
        cr_expect(epsilon_eq(dbl, art->ents[0].sentiment,
                             (s[1].sentiment.compound +
                              s[2].sentiment.compound) / 2, 1e-12));
        cr_expect(eq(dbl, art->ents[1].sentiment, art->ents[0].sentiment));
        cr_expect(eq(dbl, art->ents[3].sentiment, art->ents[0].sentiment));
        cr_expect(eq(dbl, art->ents[2].sentiment, s[2].sentiment.compound));
        cr_expect(art->ents[4].has_sentiment);
        cr_expect(eq(dbl, art->ents[4].sentiment, 0.0));
}

Test(sentiment, empty_body_is_neutral) {
        char err[256] = "";

        add_ent("Alice Smith", "Alice Smith", 0);
        cr_assert(eq(int, ink_stage_sentiment.run(ctx, art, err, sizeof(err)),
                     INK_OK));
        cr_expect(eq(dbl, art->sentiment.compound, 0.0));
        cr_expect(eq(dbl, art->sentiment.neutral, 1.0));
        cr_expect(eq(dbl, art->sentiment.positive, 0.0));
        cr_expect(eq(dbl, art->sentiment.negative, 0.0));
        cr_expect(art->ents[0].has_sentiment);
        cr_expect(eq(dbl, art->ents[0].sentiment, 0.0));
}

Test(sentiment, title_only_counts_once) {
        char err[256] = "";
        static const char t[] = "A lovely day. A dreadful night.";

        art->title = t;
        art->title_len = strlen(t);
        add_sent(INK_FIELD_TITLE, t, "A lovely", "day.");
        add_sent(INK_FIELD_TITLE, t, "A dreadful", NULL);
        cr_assert(eq(int, ink_stage_sentiment.run(ctx, art, err, sizeof(err)),
                     INK_OK));
        cr_expect(epsilon_eq(dbl, art->sentiment.compound,
                             (art->sents[0].sentiment.compound +
                              art->sents[1].sentiment.compound) / 2, 1e-12));
}

Test(sentiment, range_outside_field_fails) {
        char err[256] = "";

        art->body = "Short.";
        art->body_len = 6;
        add_sent(INK_FIELD_BODY, art->body, "Short", NULL);
        art->sents[0].e = 60;
        cr_expect(eq(int, ink_stage_sentiment.run(ctx, art, err, sizeof(err)),
                     INK_ERR_STAGE));
        cr_expect(not(eq(str, err, "")));
}

Test(sentiment, entity_from_the_words_around_it) {
        char err[256] = "";
        static const char b[] =
                "Alice Smith praised the wonderful, brilliant plan. "
                "Critics called Bob Jones a corrupt and dishonest liar.";
        const char *a = strstr(b, "Alice Smith"), *j = strstr(b, "Bob Jones");

        art->body = b;
        art->body_len = strlen(b);
        add_sent(INK_FIELD_BODY, b, "Alice", "plan.");
        add_sent(INK_FIELD_BODY, b, "Critics", NULL);
        add_ent("Alice Smith", "Alice Smith", 0);
        art->ents[0].b = (uint32_t)(a - b);
        art->ents[0].e = art->ents[0].b + 11;
        add_ent("Bob Jones", "Bob Jones", 1);
        art->ents[1].b = (uint32_t)(j - b);
        art->ents[1].e = art->ents[1].b + 9;
        cr_assert(eq(int, ink_stage_sentiment.run(ctx, art, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(gt(dbl, art->ents[0].sentiment, 0.0));
        cr_expect(lt(dbl, art->ents[1].sentiment, 0.0));
        cr_expect(le(dbl, fabs(art->ents[0].sentiment), 1.0));
}

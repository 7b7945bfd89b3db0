/*
 * The "sentiment" stage: VADER scores for every sentence, the document and
 * every entity.
 *
 * - Sentence: ink_vader_score() on the sentence's bytes; a sentence with
 *   no words is neutral (neutral = 1).
 * - Document: the unweighted mean of the sentence scores (compound and
 *   the three proportions), as VADER's authors suggest for paragraphs.
 *   Each body sentence with words counts once; the title sentences
 *   together count as one more sentence.  No such sentence: neutral.
 * - Entity: the mean compound of the distinct sentences that mention the
 *   same canonical name anywhere in the article (title or body), computed
 *   once per name by sorting the mentions, O(n log n).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/stage.h"
#include "ink/vader.h"

static const ink_sentiment_t neutral = { .neutral = 1.0 };

/* Loads the VADER lexicons.  Returns the analyser (owned by the pipeline)
 * or NULL with \p errstr set. */
static void *sentiment_create(char *errstr, size_t errstr_size) {
        return ink_vader_new(errstr, errstr_size);
}

static void sentiment_destroy(void *ctx) {
        ink_vader_destroy(ctx);
}

/* Adds \p s to the running sums \p acc. */
static void acc_add(ink_sentiment_t *acc, const ink_sentiment_t *s) {
        acc->compound += s->compound;
        acc->positive += s->positive;
        acc->neutral += s->neutral;
        acc->negative += s->negative;
}

/* Divides the sums \p acc by \p n (> 0). */
static void acc_mean(ink_sentiment_t *acc, size_t n) {
        acc->compound /= (double)n;
        acc->positive /= (double)n;
        acc->neutral /= (double)n;
        acc->negative /= (double)n;
}

typedef struct mention_s {
        const char *name;       /* canonical name (or the text) */
        uint32_t sent;
        uint32_t ent;           /* index into art->ents */
} mention_t;

static int mention_cmp(const void *a, const void *b) {
        const mention_t *x = a, *y = b;
        int c = strcmp(x->name, y->name);

        if (c)
                return c;
        if (x->sent != y->sent)
                return x->sent < y->sent ? -1 : 1;
        return x->ent < y->ent ? -1 : x->ent > y->ent;
}

/* Sets every entity's sentiment to the mean compound of the distinct
 * sentences mentioning its canonical name (0.0 when none of them is a
 * valid sentence index).  Scratch memory comes from the article arena. */
static void entity_sentiment(ink_article_t *art) {
        mention_t *m;
        size_t i, j;

        if (!art->nents)
                return;
        m = ink_arena_alloc(art->arena, art->nents * sizeof(*m));
        for (i = 0; i < art->nents; i++) {
                const ink_entity_t *ent = &art->ents[i];
                m[i].name = ent->canonical ? ent->canonical :
                        ent->text ? ent->text : "";
                m[i].sent = ent->sent;
                m[i].ent = (uint32_t)i;
        }
        qsort(m, art->nents, sizeof(*m), mention_cmp);

        for (i = 0; i < art->nents; i = j) {
                double sum = 0.0;
                size_t nsent = 0;

                for (j = i; j < art->nents && !strcmp(m[j].name, m[i].name);
                     j++) {
                        if (m[j].sent >= art->nsents)
                                continue;
                        if (j > i && m[j].sent == m[j - 1].sent)
                                continue;
                        sum += art->sents[m[j].sent].sentiment.compound;
                        nsent++;
                }
                for (size_t k = i; k < j; k++) {
                        ink_entity_t *ent = &art->ents[m[k].ent];
                        ent->has_sentiment = true;
                        ent->sentiment = nsent ? sum / (double)nsent : 0.0;
                }
        }
}

/* Scores the sentences, the document and the entities of \p art (see the
 * file comment).  Returns INK_OK, or INK_ERR_STAGE when a sentence's byte
 * range lies outside its field. */
static ink_rc_t sentiment_run(const void *ctx, ink_article_t *art,
                              char *errstr, size_t errstr_size) {
        const ink_vader_t *vd = ctx;
        ink_sentiment_t body = { 0 }, title = { 0 };
        size_t nbody = 0, ntitle = 0;

        art->sentiment = neutral;
        for (size_t i = 0; i < art->nsents; i++) {
                ink_sentence_t *st = &art->sents[i];
                const char *text;
                size_t len;

                text = ink_article_field(art, (ink_field_t)st->field, &len);
                if (st->b > st->e || st->e > len || (!text && st->e)) {
                        snprintf(errstr, errstr_size,
                                 "sentence %zu: bytes %u..%u outside %s "
                                 "(%zu bytes)", i, st->b, st->e,
                                 ink_field_name((ink_field_t)st->field),
                                 len);
                        return INK_ERR_STAGE;
                }
                if (!text || !ink_vader_score(vd, text + st->b,
                                              st->e - st->b,
                                              &st->sentiment)) {
                        st->sentiment = neutral;
                        continue;
                }
                if (st->field == INK_FIELD_TITLE) {
                        acc_add(&title, &st->sentiment);
                        ntitle++;
                } else {
                        acc_add(&body, &st->sentiment);
                        nbody++;
                }
        }
        if (ntitle) {
                acc_mean(&title, ntitle);
                acc_add(&body, &title);
                nbody++;
        }
        if (nbody) {
                acc_mean(&body, nbody);
                art->sentiment = body;
        }
        entity_sentiment(art);
        return INK_OK;
}

const ink_stage_def_t ink_stage_sentiment = {
        .name = "sentiment",
        .description = "VADER sentiment of sentences, document and entities",
        .create = sentiment_create,
        .run = sentiment_run,
        .destroy = sentiment_destroy,
};

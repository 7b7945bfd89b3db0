/*
 * The "sentiment" stage: scores for every sentence, the document and
 * every entity.
 *
 * - Sentence: the news model (sentiment.h) on the sentence's bytes gives
 *   the compound; positive/neutral/negative stay VADER's proportions.  A
 *   sentence with no words is neutral (neutral = 1).
 * - Document: the unweighted mean of the sentence scores (compound and
 *   the three proportions), as VADER's authors suggest for paragraphs.
 *   Each body sentence with words counts once; the title sentences
 *   together count as one more sentence.  No such sentence: neutral.
 * - Entity: each mention gets P(positive) - P(negative) of the target
 *   model on its sentence (the words around the mention, see
 *   sentiment_model.c); a mention whose offsets do not fall inside its
 *   sentence gets the sentence's compound.  Every entity then gets the
 *   mean over the distinct mentions of its canonical name anywhere in the article
 *   (title or body), computed once per name by sorting, O(n log n).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/sentiment.h"
#include "ink/stage.h"
#include "ink/text.h"
#include "ink/vader.h"

static const ink_sentiment_t neutral = { .neutral = 1.0 };

typedef struct senti_ctx_s {
        ink_vader_t *vd;
        ink_senti_model_t *news, *target;
} senti_ctx_t;

static void sentiment_destroy(void *opaque) {
        senti_ctx_t *c = opaque;

        if (!c)
                return;
        ink_vader_destroy(c->vd);
        ink_senti_model_destroy(c->news);
        ink_senti_model_destroy(c->target);
        free(c);
}

/* Loads the VADER lexicons and both models (the embedded files, or those
 * named by $INK_SENTIMENT_NEWS_MODEL / $INK_SENTIMENT_TARGET_MODEL).
 * Returns the context (owned by the pipeline) or NULL with \p errstr set. */
static void *sentiment_create(char *errstr, size_t errstr_size) {
        senti_ctx_t *c = ink_calloc(1, sizeof(*c));

        if (!(c->vd = ink_vader_new(errstr, errstr_size)) ||
            !(c->news = ink_senti_model_load(INK_SENTI_NEWS_RESOURCE,
                                             "INK_SENTIMENT_NEWS_MODEL",
                                             errstr, errstr_size)) ||
            !(c->target = ink_senti_model_load(INK_SENTI_TARGET_RESOURCE,
                                               "INK_SENTIMENT_TARGET_MODEL",
                                               errstr, errstr_size)))
                goto fail;
        if (ink_senti_model_kind(c->news) != INK_SENTI_NEWS ||
            ink_senti_model_kind(c->target) != INK_SENTI_TARGET) {
                snprintf(errstr, errstr_size, "sentiment: the news and "
                         "target model files are swapped or of the wrong "
                         "kind");
                goto fail;
        }
        return c;
fail:
        sentiment_destroy(c);
        return NULL;
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

/* The sentiment of mention \p ent: the target model on its sentence, or
 * the sentence compound when its offsets lie outside the sentence; 0.0
 * when its sentence index is invalid. */
static double mention_sentiment(const senti_ctx_t *c, const ink_article_t *art,
                                const ink_entity_t *ent) {
        const ink_sentence_t *st;
        const char *text;
        size_t len;
        double p[3];

        if (ent->sent >= art->nsents)
                return 0.0;
        st = &art->sents[ent->sent];
        text = ink_article_field(art, (ink_field_t)st->field, &len);
        if (!text || ent->field != st->field || ent->b < st->b ||
            ent->e > st->e || ent->b >= ent->e)
                return st->sentiment.compound;
        ink_senti_target(c->target, c->vd, text + st->b, st->e - st->b,
                         ent->b - st->b, ent->e - st->b, p);
        return p[INK_POL_POSITIVE] - p[INK_POL_NEGATIVE];
}

/* Sets every entity's sentiment to the mean of mention_sentiment() over
 * the mentions of its canonical name.  Scratch memory comes from the
 * article arena. */
static void entity_sentiment(const senti_ctx_t *c, ink_article_t *art) {
        mention_t *m;
        double *ms;
        size_t i, j;

        if (!art->nents)
                return;
        m = ink_arena_alloc(art->arena, art->nents * sizeof(*m));
        ms = ink_arena_alloc(art->arena, art->nents * sizeof(*ms));
        for (i = 0; i < art->nents; i++) {
                const ink_entity_t *ent = &art->ents[i];
                m[i].name = ent->canonical ? ent->canonical :
                        ent->text ? ent->text : "";
                m[i].sent = ent->sent;
                m[i].ent = (uint32_t)i;
                ms[i] = mention_sentiment(c, art, ent);
        }
        qsort(m, art->nents, sizeof(*m), mention_cmp);

        for (i = 0; i < art->nents; i = j) {
                double sum = 0.0;
                size_t n = 0;

                for (j = i; j < art->nents && !strcmp(m[j].name, m[i].name);
                     j++) {
                        if (m[j].sent >= art->nsents)
                                continue;
                        /* the same mention listed twice counts once */
                        if (j > i && m[j].sent == m[j - 1].sent &&
                            art->ents[m[j].ent].b ==
                            art->ents[m[j - 1].ent].b)
                                continue;
                        sum += ms[m[j].ent];
                        n++;
                }
                for (size_t k = i; k < j; k++) {
                        ink_entity_t *ent = &art->ents[m[k].ent];
                        ent->has_sentiment = true;
                        ent->sentiment = n ? sum / (double)n : 0.0;
                }
        }
}

/* Scores the sentences, the document and the entities of \p art (see the
 * file comment).  Returns INK_OK, or INK_ERR_STAGE when a sentence's byte
 * range lies outside its field. */
static ink_rc_t sentiment_run(const void *ctx, ink_article_t *art,
                              char *errstr, size_t errstr_size) {
        const senti_ctx_t *c = ctx;
        ink_sentiment_t body = { 0 }, title = { 0 };
        size_t nbody = 0, ntitle = 0;

        art->sentiment = neutral;
        /* the lexicon and the models are English: say nothing otherwise */
        if (!ink_lang_is_english(art))
                return INK_SKIPPED;
        for (size_t i = 0; i < art->nsents; i++) {
                ink_sentence_t *st = &art->sents[i];
                ink_vader_detail_t det;
                const char *text;
                double compound;
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
                if (!text) {
                        st->sentiment = neutral;
                        continue;
                }
                compound = ink_senti_news_score(c->news, c->vd,
                                                text + st->b, st->e - st->b,
                                                &det);
                if (!det.nwords) {
                        st->sentiment = neutral;
                        continue;
                }
                st->sentiment = det.s;
                st->sentiment.compound = compound;
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
        entity_sentiment(c, art);
        return INK_OK;
}

const ink_stage_def_t ink_stage_sentiment = {
        .name = "sentiment",
        .description = "news-model sentiment of sentences, document and "
                       "entities (VADER features)",
        .create = sentiment_create,
        .run = sentiment_run,
        .destroy = sentiment_destroy,
};

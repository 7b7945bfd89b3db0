/*
 * Training of the models of sentiment.h (`inkstream train-sentiment`).
 *
 * One learner for both: AdaGrad over the sparse feature lists, squared
 * loss (news model, one output) or softmax cross-entropy (target model,
 * three outputs), an L2 penalty applied to the weights an example touches,
 * a fixed number of epochs over a deterministic shuffle (xorshift from
 * the seed), so the same data and options give the same file.
 *
 * News model: the example target is the human mean rating / 4.  The
 * report gives group k-fold figures on the NYT editorial snippets, the
 * folds made by article id (the part of the snippet id before '_'), so
 * no editorial has snippets on both sides; the tweets, movie and Amazon
 * snippets are always in training (they are other domains).  The output
 * scale (compound = clamp(scale * prediction)) is chosen among a few
 * values by the pooled cross-validated Pearson r + weighted F1: ridge
 * predictions shrink towards 0 and the human classes put almost nothing
 * in the neutral band, so a larger scale raises F1, until the clamp at
 * +-1 starts to cost r.
 *
 * The figures are those of the path `inkstream annotate` scores a
 * snippet with (sentiment.c): the language check first (a snippet the
 * detector finds not English scores 0), then the tokenizer's sentences,
 * each scored by the news model and clamped, and their mean.  The model
 * itself is trained on whole snippets.
 *
 * Target model: each example weighs n / (3 * n_class), as the figure to
 * raise is macro-F1.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <utf8proc.h>

#include "ink/sentiment.h"
#include "ink/text.h"

typedef struct ex_s {
        size_t off, n;          /* into the feature pool */
        double y;               /* news: rating / 4; target: class */
        double weight;
        int fold;               /* -1: always in training */
        bool news;
} ex_t;

typedef struct set_s {
        ex_t *ex;
        size_t n, cap;
        ink_sfeat_t *pool;
        size_t npool, cappool;
} set_t;

/* Appends an example with the features of \p f to \p s. */
static void set_add(set_t *s, const ink_sfeats_t *f, double y, double wt,
                    int fold, bool news) {
        if (s->n == s->cap)
                s->ex = ink_realloc(s->ex, (s->cap = s->cap ? s->cap * 2 :
                                            1024) * sizeof(*s->ex));
        while (s->npool + f->n > s->cappool)
                s->pool = ink_realloc(s->pool, (s->cappool = s->cappool ?
                                                s->cappool * 2 : 65536) *
                                      sizeof(*s->pool));
        memcpy(s->pool + s->npool, f->v, f->n * sizeof(*f->v));
        s->ex[s->n] = (ex_t){ .off = s->npool, .n = f->n, .y = y,
                              .weight = wt, .fold = fold, .news = news };
        s->npool += f->n;
        s->n++;
}

static void set_free(set_t *s) {
        free(s->ex);
        free(s->pool);
}

static uint64_t xorshift(uint64_t *st) {
        uint64_t x = *st;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return *st = x;
}

/* The K outputs of weights \p w (nfeat * K) on example \p e. */
static void predict(const float *w, unsigned K, const set_t *s,
                    const ex_t *e, double *z) {
        for (unsigned k = 0; k < K; k++)
                z[k] = 0.0;
        for (size_t i = 0; i < e->n; i++) {
                const ink_sfeat_t *f = &s->pool[e->off + i];

                for (unsigned k = 0; k < K; k++)
                        z[k] += w[(size_t)f->idx * K + k] * f->val;
        }
}

/* One run of the learner from seed \p seed: K outputs on the examples of
 * \p s whose fold is not \p skip.  Returns the weights (owned by caller,
 * nfeat * K floats). */
static float *train_one(const set_t *s, size_t nfeat, unsigned K, int skip,
                        const ink_senti_train_opts_t *o, uint64_t seed) {
        float *w = ink_calloc(nfeat * K, sizeof(*w));
        float *g2 = ink_calloc(nfeat * K, sizeof(*g2));
        size_t *order = ink_malloc(s->n * sizeof(*order)), m = 0;
        uint64_t rng = seed ? seed : 88172645463325252ull;

        for (size_t i = 0; i < s->n; i++)
                if (s->ex[i].fold < 0 || s->ex[i].fold != skip)
                        order[m++] = i;
        for (unsigned ep = 0; ep < o->epochs; ep++) {
                for (size_t i = m; i > 1; i--) {
                        size_t j = xorshift(&rng) % i, t = order[i - 1];

                        order[i - 1] = order[j];
                        order[j] = t;
                }
                for (size_t r = 0; r < m; r++) {
                        const ex_t *e = &s->ex[order[r]];
                        double z[3], err[3];

                        predict(w, K, s, e, z);
                        if (K == 1) {
                                err[0] = (z[0] - e->y) * e->weight;
                        } else {
                                double mx = fmax(z[0], fmax(z[1], z[2]));
                                double sum = 0.0;

                                for (unsigned k = 0; k < 3; k++)
                                        sum += z[k] = exp(z[k] - mx);
                                for (unsigned k = 0; k < 3; k++)
                                        err[k] = (z[k] / sum -
                                                  (e->y == k)) * e->weight;
                        }
                        for (size_t i = 0; i < e->n; i++) {
                                const ink_sfeat_t *f = &s->pool[e->off + i];

                                for (unsigned k = 0; k < K; k++) {
                                        size_t j = (size_t)f->idx * K + k;
                                        double g = err[k] * f->val +
                                                o->l2 * w[j];

                                        g2[j] += (float)(g * g);
                                        w[j] -= (float)(o->lr * g /
                                                        sqrt(g2[j] + 1e-8));
                                }
                        }
                }
        }
        free(order);
        free(g2);
        return w;
}

/* Trains K outputs on the examples of \p s whose fold is not \p skip:
 * the mean of o->runs runs of the learner, each on its own shuffle (seed
 * o->seed + run), which lowers the variance of plain SGD.  Returns the
 * weights (owned by caller, nfeat * K floats). */
static float *train(const set_t *s, size_t nfeat, unsigned K, int skip,
                    const ink_senti_train_opts_t *o) {
        unsigned runs = o->runs ? o->runs : 1;
        float *w = train_one(s, nfeat, K, skip, o, o->seed);

        for (unsigned r = 1; r < runs; r++) {
                float *v = train_one(s, nfeat, K, skip, o,
                                     o->seed + 0x9e3779b97f4a7c15ull * r);

                for (size_t j = 0; j < nfeat * K; j++)
                        w[j] += v[j];
                free(v);
        }
        for (size_t j = 0; runs > 1 && j < nfeat * K; j++)
                w[j] /= (float)runs;
        return w;
}

/*---- Figures -------------------------------------------------------------*/

static int cls3(double v) {
        return v >= 0.05 ? 2 : v <= -0.05 ? 0 : 1;
}

static double pearson(const double *x, const double *y, size_t n) {
        double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;

        for (size_t i = 0; i < n; i++) {
                mx += x[i];
                my += y[i];
        }
        mx /= (double)n;
        my /= (double)n;
        for (size_t i = 0; i < n; i++) {
                sxy += (x[i] - mx) * (y[i] - my);
                sxx += (x[i] - mx) * (x[i] - mx);
                syy += (y[i] - my) * (y[i] - my);
        }
        return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0.0;
}

/* Per-class F1 of \p gold / \p pred (classes 0..2) into \p f1; returns
 * the support-weighted mean and the accuracy in \p acc. */
static double f1s(const int *gold, const int *pred, size_t n, double *f1,
                  double *acc) {
        double wf = 0.0;
        size_t ok = 0;

        for (size_t i = 0; i < n; i++)
                ok += gold[i] == pred[i];
        for (int c = 0; c < 3; c++) {
                size_t tp = 0, np = 0, ng = 0;

                for (size_t i = 0; i < n; i++) {
                        tp += gold[i] == c && pred[i] == c;
                        np += pred[i] == c;
                        ng += gold[i] == c;
                }
                f1[c] = tp ? 2.0 * (double)tp / (double)(np + ng) : 0.0;
                wf += f1[c] * (double)ng / (double)n;
        }
        *acc = (double)ok / (double)n;
        return wf;
}

/* Pearson r and weighted F1 of compound scores \p x against ratings
 * (/4) \p y, as score_sentiment.py computes them. */
static void news_figures(const double *x, const double *y, size_t n,
                         double *r, double *wf) {
        int *g = ink_malloc(n * sizeof(*g)), *p = ink_malloc(n * sizeof(*p));
        double f1[3], acc;

        for (size_t i = 0; i < n; i++) {
                g[i] = cls3(y[i] * 4.0);
                p[i] = cls3(x[i]);
        }
        *r = pearson(x, y, n);
        *wf = f1s(g, p, n, f1, &acc);
        free(g);
        free(p);
}

static double clamp1(double v) {
        return v > 1.0 ? 1.0 : v < -1.0 ? -1.0 : v;
}

/*---- News model ------------------------------------------------------------*/

static const struct {
        const char *file;
        ink_senti_domain_t dom;
} news_files[] = {
        { "nytEditorialSnippets_dev_GroundTruth.txt", INK_DOM_NEWS },
        { "tweets_GroundTruth.txt", INK_DOM_TWEET },
        { "movieReviewSnippets_GroundTruth.txt", INK_DOM_MOVIE },
        { "amazonReviewSnippets_GroundTruth.txt", INK_DOM_PRODUCT },
};

/* An NYT snippet as annotate scores it: its sentences with words are
 * examples [first, first + n) of the evaluation set. */
typedef struct nyt_doc_s {
        size_t first, n;
        bool english;
} nyt_doc_t;

/* The NYT snippets cut into sentences, for the figures only. */
typedef struct nyt_eval_s {
        set_t sents;
        nyt_doc_t *docs;
        size_t ndocs;
        ink_arena_t *arena;
} nyt_eval_t;

/* Appends the snippet \p text (\p len bytes, fold \p fold) to \p ev as
 * annotate sees it: its language, then each tokenizer sentence with words
 * as one example.  Returns INK_OK or an error with \p errstr set. */
static ink_rc_t eval_add(const ink_vader_t *vd, unsigned bits,
                         const char *text, size_t len, int fold,
                         nyt_eval_t *ev, ink_sfeats_t *f, char *errstr,
                         size_t errstr_size) {
        ink_tokens_t tt = { 0 };
        const char *lang = ink_lang_detect(NULL, 0, text, len);
        nyt_doc_t *d;
        ink_rc_t rc;

        ink_arena_reset(ev->arena);
        if ((rc = ink_tokenize(ev->arena, text, len, INK_FIELD_BODY, &tt,
                               errstr, errstr_size)))
                return rc;
        ev->docs = ink_realloc(ev->docs, (ev->ndocs + 1) * sizeof(*d));
        d = &ev->docs[ev->ndocs++];
        d->first = ev->sents.n;
        d->n = 0;
        d->english = !lang || !strcmp(lang, "en") ||
                !strncmp(lang, "en-", 3);
        for (size_t i = 0; i < tt.nsents; i++) {
                const ink_sentence_t *st = &tt.sents[i];

                f->n = 0;
                if (!ink_senti_news_features(vd, bits, text + st->b,
                                             st->e - st->b, INK_DOM_NEWS, f,
                                             NULL))
                        continue;
                set_add(&ev->sents, f, 0.0, 1.0, fold, true);
                d->n++;
        }
        return INK_OK;
}

/* The scores annotate gives the snippets of \p ev: the mean over each
 * snippet's sentences of clamp(\p scale * raw prediction \p sraw), 0
 * for a snippet without sentences or (when \p lang) not English.
 * Writes \p x[ndocs]. */
static void eval_scores(const nyt_eval_t *ev, const double *sraw,
                        double scale, bool lang, double *x) {
        for (size_t i = 0; i < ev->ndocs; i++) {
                const nyt_doc_t *d = &ev->docs[i];
                double sum = 0.0;

                for (size_t j = 0; j < d->n; j++)
                        sum += clamp1(scale * sraw[d->first + j]);
                x[i] = (d->english || !lang) && d->n ?
                        sum / (double)d->n : 0.0;
        }
}

/* Reads one ground-truth file (ID<TAB>MEAN<TAB>TEXT) into \p s, and for
 * the news file the VADER compound of each snippet into \p vc and its
 * sentences into \p ev.  Returns INK_OK or an error with \p errstr
 * set. */
static ink_rc_t read_truth(const ink_vader_t *vd, const char *path,
                           ink_senti_domain_t dom,
                           const ink_senti_train_opts_t *o, set_t *s,
                           double **vc, size_t *nvc, nyt_eval_t *ev,
                           char *errstr, size_t errstr_size) {
        FILE *fp = fopen(path, "rb");
        char *line = NULL;
        size_t cap = 0, lineno = 0;
        ssize_t n;
        ink_sfeats_t f;
        ink_rc_t rc = INK_OK;

        if (!fp) {
                snprintf(errstr, errstr_size, "%s: %s", path,
                         strerror(errno));
                return INK_ERR_IO;
        }
        ink_sfeats_init(&f);
        while ((n = getline(&line, &cap, fp)) >= 0) {
                char *p = line, *t1, *t2, *end;
                ink_vader_detail_t d;
                double mean;
                int fold = -1;

                lineno++;
                while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                        line[--n] = '\0';
                if (n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
                        p += 3;
                if (!*p)
                        continue;
                t1 = strchr(p, '\t');
                t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
                mean = t1 ? strtod(t1 + 1, &end) : 0.0;
                if (!t2 || end != t2) {
                        snprintf(errstr, errstr_size, "%s:%zu: not "
                                 "ID<TAB>MEAN<TAB>TEXT", path, lineno);
                        rc = INK_ERR_INVALID;
                        goto out;
                }
                t2++;
                if (dom == INK_DOM_NEWS) {
                        char *us = memchr(p, '_', (size_t)(t1 - p));
                        size_t alen = (size_t)((us ? us : t1) - p);
                        uint32_t h = 2166136261u;

                        for (size_t i = 0; i < alen; i++)
                                h = (h ^ (unsigned char)p[i]) * 16777619u;
                        fold = (int)(h % o->folds);
                }
                f.n = 0;
                ink_senti_news_features(vd, o->bits, t2,
                                        (size_t)(line + n - t2), dom, &f,
                                        &d);
                set_add(s, &f, mean / 4.0, dom == INK_DOM_NEWS ?
                        o->news_weight : 1.0, fold, dom == INK_DOM_NEWS);
                if (dom == INK_DOM_NEWS) {
                        *vc = ink_realloc(*vc, (*nvc + 1) * sizeof(**vc));
                        (*vc)[(*nvc)++] = d.s.compound;
                        if ((rc = eval_add(vd, o->bits, t2,
                                           (size_t)(line + n - t2), fold, ev,
                                           &f, errstr, errstr_size)))
                                goto out;
                }
        }
out:
        ink_sfeats_free(&f);
        free(line);
        fclose(fp);
        return rc;
}

ink_rc_t ink_senti_train_news(const char *dir, const char *out,
                              const ink_senti_train_opts_t *o, FILE *report,
                              char *errstr, size_t errstr_size) {
        static const double scales[] = { 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0 };
        set_t s = { 0 };
        ink_vader_t *vd = ink_vader_new(errstr, errstr_size);
        size_t nfeat = ink_senti_nfeat(INK_SENTI_NEWS, o->bits), nnews = 0;
        double *vc = NULL, *y = NULL, *cv = NULL, *x = NULL, r, wf;
        double *sraw = NULL, best_scale = 1.0, best_f1 = -1.0;
        nyt_eval_t ev = { .arena = ink_arena_new(65536) };
        size_t nvc = 0;
        ink_rc_t rc = INK_OK;
        float *w = NULL;
        char path[4096], comment[1024];

        if (!vd || !ink_afinn_shared(errstr, errstr_size)) {
                rc = INK_ERR;
                goto out;
        }
        for (size_t i = 0; i < sizeof(news_files) / sizeof(*news_files);
             i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, news_files[i].file);
                if ((rc = read_truth(vd, path, news_files[i].dom, o, &s, &vc,
                                     &nvc, &ev, errstr, errstr_size)))
                        goto out;
        }
        y = ink_malloc(s.n * sizeof(*y));
        cv = ink_malloc(s.n * sizeof(*cv));
        x = ink_malloc(s.n * sizeof(*x));
        sraw = ink_malloc((ev.sents.n + 1) * sizeof(*sraw));
        for (size_t i = 0; i < s.n; i++)
                if (s.ex[i].news)
                        y[nnews++] = s.ex[i].y;
        if (!nnews || ev.ndocs != nnews) {
                snprintf(errstr, errstr_size, "%s: no NYT snippets", dir);
                rc = INK_ERR_INVALID;
                goto out;
        }
        news_figures(vc, y, nnews, &r, &wf);
        fprintf(report, "news: %zu examples (%zu NYT), %zu features\n", s.n,
                nnews, nfeat);
        fprintf(report, "news: VADER on NYT dev: pearson_r %.3f "
                "weighted_F1 %.3f\n", r, wf);

        /* group k-fold by article */
        for (unsigned f = 0; f < o->folds; f++) {
                size_t k = 0;

                w = train(&s, nfeat, 1, (int)f, o);
                for (size_t i = 0; i < s.n; i++) {
                        if (!s.ex[i].news)
                                continue;
                        if (s.ex[i].fold == (int)f)
                                predict(w, 1, &s, &s.ex[i], &cv[k]);
                        k++;
                }
                for (size_t j = 0; j < ev.sents.n; j++)
                        if (ev.sents.ex[j].fold == (int)f)
                                predict(w, 1, &ev.sents, &ev.sents.ex[j],
                                        &sraw[j]);
                free(w);
                w = NULL;
        }
        for (size_t j = 0; j < sizeof(scales) / sizeof(*scales); j++) {
                double r1, wf1;

                for (size_t i = 0; i < nnews; i++)
                        x[i] = clamp1(scales[j] * cv[i]);
                news_figures(x, y, nnews, &r1, &wf1);
                eval_scores(&ev, sraw, scales[j], true, x);
                news_figures(x, y, nnews, &r, &wf);
                fprintf(report, "news: %u-fold by article, scale %.2f: "
                        "pearson_r %.3f weighted_F1 %.3f (as annotate "
                        "scores; whole snippet: r %.3f wF1 %.3f)\n",
                        o->folds, scales[j], r, wf, r1, wf1);
                if (r + wf > best_f1) {
                        best_f1 = r + wf;
                        best_scale = scales[j];
                }
        }
        fprintf(report, "news: chosen scale %.2f\n", best_scale);
        {
                size_t nne = 0, nmulti = 0;

                for (size_t i = 0; i < ev.ndocs; i++) {
                        nne += !ev.docs[i].english;
                        nmulti += ev.docs[i].n > 1;
                }
                eval_scores(&ev, sraw, best_scale, false, x);
                news_figures(x, y, nnews, &r, &wf);
                fprintf(report, "news: %zu NYT snippets found not English "
                        "(annotate scores them 0), %zu of several "
                        "sentences; scored as English: pearson_r %.3f "
                        "weighted_F1 %.3f\n", nne, nmulti, r, wf);
        }

        w = train(&s, nfeat, 1, -1, o);
        for (size_t j = 0; j < ev.sents.n; j++)
                predict(w, 1, &ev.sents, &ev.sents.ex[j], &sraw[j]);
        eval_scores(&ev, sraw, best_scale, true, x);
        news_figures(x, y, nnews, &r, &wf);
        fprintf(report, "news: NYT dev IN TRAINING (not a test figure): "
                "pearson_r %.3f weighted_F1 %.3f\n", r, wf);
        if (out) {
                ink_senti_model_t *m = ink_senti_model_from_weights(
                        INK_SENTI_NEWS, o->bits, w, best_scale);

                snprintf(comment, sizeof(comment),
                         "# news sentiment model, inkstream train-sentiment\n"
                         "# data: VADER ground truth (NYT dev half, tweets,"
                         " movie, Amazon)\n"
                         "# bits %u epochs %u l2 %g lr %g news_weight %g "
                         "seed %llu runs %u\n", o->bits, o->epochs, o->l2,
                         o->lr, o->news_weight, (unsigned long long)o->seed,
                         o->runs);
                rc = ink_senti_model_save(m, out, comment, errstr,
                                          errstr_size);
                ink_senti_model_destroy(m);
        }
out:
        free(w);
        free(vc);
        free(y);
        free(cv);
        free(x);
        free(sraw);
        set_free(&s);
        set_free(&ev.sents);
        free(ev.docs);
        ink_arena_destroy(ev.arena);
        ink_vader_destroy(vd);
        return rc;
}

/*---- Target model ----------------------------------------------------------*/

/* The byte offset of code point \p cp in \p s (\p len bytes); \p len when
 * past the end. */
static size_t cp_to_byte(const char *s, size_t len, size_t cp) {
        size_t i = 0;

        while (i < len && cp > 0) {
                i++;
                while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
                        i++;
                cp--;
        }
        return i;
}

/* Reads NewsMTSC \p path into \p s (class = polarity 2/4/6 -> 0/1/2).
 * Returns INK_OK or an error with \p errstr set. */
static ink_rc_t read_mtsc(const ink_vader_t *vd, const char *path,
                          const ink_senti_train_opts_t *o, set_t *s,
                          char *errstr, size_t errstr_size) {
        FILE *fp = fopen(path, "rb");
        char *line = NULL;
        size_t cap = 0, lineno = 0;
        ssize_t n;
        ink_sfeats_t f;
        ink_rc_t rc = INK_OK;

        if (!fp) {
                snprintf(errstr, errstr_size, "%s: %s", path,
                         strerror(errno));
                return INK_ERR_IO;
        }
        ink_sfeats_init(&f);
        while ((n = getline(&line, &cap, fp)) >= 0) {
                json_error_t jerr;
                json_t *o2, *tg;
                const char *sent;
                size_t slen, i;

                lineno++;
                if (n <= 1)
                        continue;
                if (!(o2 = json_loadb(line, (size_t)n, 0, &jerr))) {
                        snprintf(errstr, errstr_size, "%s:%zu: %s", path,
                                 lineno, jerr.text);
                        rc = INK_ERR_INVALID;
                        goto out;
                }
                sent = json_string_value(json_object_get(o2,
                                         "sentence_normalized"));
                slen = sent ? json_string_length(json_object_get(o2,
                                         "sentence_normalized")) : 0;
                json_array_foreach(json_object_get(o2, "targets"), i, tg) {
                        double pol = json_number_value(json_object_get(tg,
                                                       "polarity"));
                        size_t tb = cp_to_byte(sent, slen, (size_t)
                                json_integer_value(json_object_get(tg,
                                                   "from")));
                        size_t te = cp_to_byte(sent, slen, (size_t)
                                json_integer_value(json_object_get(tg,
                                                   "to")));

                        f.n = 0;
                        if (!sent || !ink_senti_target_features(vd, o->bits,
                                                                sent, slen,
                                                                tb, te, &f))
                                continue;
                        set_add(s, &f, pol < 3 ? 0 : pol < 5 ? 1 : 2, 1.0,
                                -1, false);
                }
                json_decref(o2);
        }
out:
        ink_sfeats_free(&f);
        free(line);
        fclose(fp);
        return rc;
}

/* Weights each example of \p s by n / (3 * n_class), so that every class
 * weighs as much in the loss (the figure to raise is macro-F1, and the
 * positive class is the rarest). */
static void balance_classes(set_t *s) {
        size_t cnt[3] = { 0 };

        for (size_t i = 0; i < s->n; i++)
                cnt[(int)s->ex[i].y]++;
        for (size_t i = 0; i < s->n; i++)
                s->ex[i].weight = (double)s->n /
                        (3.0 * (double)cnt[(int)s->ex[i].y]);
}

/* Accuracy and macro-F1 of weights \p w on \p s, printed with \p name. */
static void target_report(const float *w, const set_t *s, const char *name,
                          FILE *report) {
        int *g = ink_malloc((s->n + 1) * sizeof(*g));
        int *p = ink_malloc((s->n + 1) * sizeof(*p));
        double f1[3], acc;

        for (size_t i = 0; i < s->n; i++) {
                double z[3];

                predict(w, 3, s, &s->ex[i], z);
                g[i] = (int)s->ex[i].y;
                p[i] = z[0] > z[1] ? 0 : 1;
                if (z[2] > z[p[i]])
                        p[i] = 2;
        }
        if (s->n) {
                f1s(g, p, s->n, f1, &acc);
                fprintf(report, "target: %s: %zu targets, F1 neg %.3f neu "
                        "%.3f pos %.3f, accuracy %.3f macro_F1 %.3f\n", name,
                        s->n, f1[0], f1[1], f1[2], acc,
                        (f1[0] + f1[1] + f1[2]) / 3.0);
        }
        free(g);
        free(p);
}

ink_rc_t ink_senti_train_target(const char *train_path,
                                const char *const *dev, size_t ndev,
                                const char *out,
                                const ink_senti_train_opts_t *o,
                                FILE *report, char *errstr,
                                size_t errstr_size) {
        ink_vader_t *vd = ink_vader_new(errstr, errstr_size);
        size_t nfeat = ink_senti_nfeat(INK_SENTI_TARGET, o->bits);
        set_t s = { 0 };
        float *w = NULL;
        ink_rc_t rc;
        char comment[512];

        if (!vd)
                return INK_ERR;
        if ((rc = read_mtsc(vd, train_path, o, &s, errstr, errstr_size)))
                goto out;
        fprintf(report, "target: %zu training targets, %zu features x 3\n",
                s.n, nfeat);
        balance_classes(&s);
        w = train(&s, nfeat, 3, -2, o);
        target_report(w, &s, "train (in training)", report);
        for (size_t i = 0; i < ndev; i++) {
                set_t d = { 0 };

                rc = read_mtsc(vd, dev[i], o, &d, errstr, errstr_size);
                if (!rc)
                        target_report(w, &d, dev[i], report);
                set_free(&d);
                if (rc)
                        goto out;
        }
        if (out) {
                ink_senti_model_t *m = ink_senti_model_from_weights(
                        INK_SENTI_TARGET, o->bits, w, 1.0);

                snprintf(comment, sizeof(comment),
                         "# target sentiment model, inkstream "
                         "train-sentiment\n# data: NewsMTSC train.jsonl; "
                         "classes negative neutral positive\n"
                         "# bits %u epochs %u l2 %g lr %g seed %llu runs %u\n",
                         o->bits, o->epochs, o->l2, o->lr,
                         (unsigned long long)o->seed, o->runs);
                rc = ink_senti_model_save(m, out, comment, errstr,
                                          errstr_size);
                ink_senti_model_destroy(m);
        }
out:
        free(w);
        set_free(&s);
        ink_vader_destroy(vd);
        return rc;
}

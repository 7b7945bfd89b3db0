/*
 * The learned sentiment models of sentiment.h: feature extraction (shared
 * by training and scoring), scoring, and the model file.
 *
 * Features.  Dense features first (indices 0..D-1, D per kind below), then
 * 2^bits hash buckets.  A word is hashed once (FNV-1a of VADER's
 * lower-cased token) and each feature template mixes a tag into that
 * hash, so a word costs one hash and a few table lookups.  The news model
 * scores a text without building its feature list (the dot product is
 * accumulated word by word), so its memory does not grow with the text.
 *
 * The target model looks at the mention's surroundings: VADER valences
 * left and right of it within 3 and 8 words, a distance-weighted sum of
 * all valences (1 / (1 + distance)), words tagged with their distance
 * bucket (1, 2-3, 4-6, 7-12 words left or right), the neighbouring
 * bigrams, the mention's own words, the words before and after it as two
 * bags (with bigrams), the mention's clause (cut at , ; : ( ) dashes and
 * clause words such as "but", "who", "and": its words, its valences,
 * whether the mention opens it, i.e. is likely its subject), negations
 * within 4 words, a reporting verb right after the mention ("X said ..."
 * puts the following opinion in X's mouth, not about X), whether the
 * mention sits inside quotation marks, and the sentence's bag of words;
 * and AFINN-165 valences (negated as VADER does) within 3 words, in the
 * clause, of the words right before and after the mention, and the
 * clause's signed sums after the mention (its predicate when it is the
 * subject) and before it (it is the object).  Only 4 KiB of text either
 * side of the mention is read, which bounds the time and memory spent on
 * a pathological "sentence".
 *
 * Both models also read the AFINN-165 word list (ink_afinn_shared(): an
 * open-addressing table of 8192 slots, parsed once per process), whose
 * valences give the news model 7 dense features (sums, balance, extremes,
 * coverage, mean).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ink/sentiment.h"

#define MODEL_PREFIX "ink-senti-model "
#define MODEL_MAGIC MODEL_PREFIX "3"
#define NEWS_DENSE 28
#define TGT_DENSE 32
#define TGT_CONTEXT 4096        /* bytes read either side of a mention */
#define TGT_NEAR 3
#define TGT_MID 8

struct ink_senti_model_s {
        ink_senti_kind_t kind;
        unsigned bits;
        size_t nfeat;
        double scale;
        float *w;               /* nfeat * kind */
};

const char *ink_polarity_name(ink_polarity_t p) {
        switch (p) {
        case INK_POL_NEGATIVE:
                return "negative";
        case INK_POL_POSITIVE:
                return "positive";
        default:
                return "neutral";
        }
}

/*---- Feature lists and hashing --------------------------------------------*/

void ink_sfeats_init(ink_sfeats_t *f) {
        f->v = f->inl;
        f->n = 0;
        f->cap = sizeof(f->inl) / sizeof(f->inl[0]);
}

void ink_sfeats_free(ink_sfeats_t *f) {
        if (f->v != f->inl)
                free(f->v);
        ink_sfeats_init(f);
}

/* Appends (idx, val) to \p f, growing it on the heap when full. */
static void sfeats_add(ink_sfeats_t *f, uint32_t idx, float val) {
        if (f->n == f->cap) {
                size_t cap = f->cap * 2;
                ink_sfeat_t *v = ink_malloc(cap * sizeof(*v));

                memcpy(v, f->v, f->n * sizeof(*v));
                if (f->v != f->inl)
                        free(f->v);
                f->v = v;
                f->cap = cap;
        }
        f->v[f->n].idx = idx;
        f->v[f->n].val = val;
        f->n++;
}

static uint32_t fnv(const char *s, size_t n) {
        uint32_t h = 2166136261u;

        for (size_t i = 0; i < n; i++) {
                h ^= (unsigned char)s[i];
                h *= 16777619u;
        }
        return h;
}

/* The bucket of word hash \p h under template \p tag: a murmur3
 * finaliser of the combination, top \p bits bits. */
static uint32_t bucket(uint32_t h, uint32_t tag, unsigned bits) {
        h ^= tag * 0x9e3779b9u;
        h ^= h >> 16;
        h *= 0x85ebca6bu;
        h ^= h >> 13;
        h *= 0xc2b2ae35u;
        h ^= h >> 16;
        return h >> (32 - bits);
}

static uint32_t pair(uint32_t a, uint32_t b) {
        return a * 0x01000193u + (b ^ (b >> 15)) * 0x5bd1e995u;
}

size_t ink_senti_nfeat(ink_senti_kind_t kind, unsigned bits) {
        return (kind == INK_SENTI_NEWS ? NEWS_DENSE : TGT_DENSE) +
                ((size_t)1 << bits);
}

/*---- AFINN-165 ------------------------------------------------------------*/

#define AFINN_MAXWORD 63

typedef struct afinn_slot_s {
        uint32_t h;             /* fnv() of the word */
        uint32_t off;           /* word in the pool; UINT32_MAX: empty */
        int32_t val;
} afinn_slot_t;

struct ink_afinn_s {
        afinn_slot_t *slot;     /* open addressing, 2^k >= 2 n slots */
        size_t mask, n;
        char *pool;             /* NUL-terminated words */
        size_t npool;
};

void ink_afinn_destroy(ink_afinn_t *a) {
        if (!a)
                return;
        free(a->slot);
        free(a->pool);
        free(a);
}

size_t ink_afinn_size(const ink_afinn_t *a) {
        return a->n;
}

/* The slot of \p word (\p len bytes, hash \p h): its entry, or the empty
 * slot where it would go. */
static afinn_slot_t *afinn_find(const ink_afinn_t *a, uint32_t h,
                                const char *word, size_t len) {
        for (size_t i = h & a->mask;; i = (i + 1) & a->mask) {
                afinn_slot_t *sl = &a->slot[i];

                if (sl->off == UINT32_MAX)
                        return sl;
                if (sl->h == h && !strncmp(a->pool + sl->off, word, len) &&
                    !a->pool[sl->off + len])
                        return sl;
        }
}

/* The valence of \p word (hash \p h) in \p a, 0 when absent. */
static int afinn_lookup(const ink_afinn_t *a, uint32_t h, const char *word,
                        size_t len) {
        const afinn_slot_t *sl = afinn_find(a, h, word, len);

        return sl->off == UINT32_MAX ? 0 : sl->val;
}

int ink_afinn_valence(const ink_afinn_t *a, const char *word, size_t len) {
        return afinn_lookup(a, fnv(word, len), word, len);
}

ink_afinn_t *ink_afinn_parse(const char *buf, size_t len, char *errstr,
                             size_t errstr_size) {
        ink_afinn_t *a = ink_calloc(1, sizeof(*a));
        const char *p = buf, *end = buf + len;
        size_t lines = 0, lineno = 0, nslot = 16;

        /* size the table: one entry per non-comment line at most */
        for (const char *q = buf; q < end; q++)
                lines += *q == '\n';
        while (nslot < 2 * (lines + 1))
                nslot *= 2;
        a->mask = nslot - 1;
        a->slot = ink_malloc(nslot * sizeof(*a->slot));
        for (size_t i = 0; i < nslot; i++)
                a->slot[i].off = UINT32_MAX;
        a->pool = ink_malloc(len + 1);
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *le = nl ? nl : end, *tab;
                afinn_slot_t *sl;
                size_t wlen;
                long v;
                char num[8], *q;

                lineno++;
                if (p == le || *p == '#')
                        goto next;
                tab = memchr(p, '\t', (size_t)(le - p));
                wlen = tab ? (size_t)(tab - p) : 0;
                if (!tab || !wlen || wlen > AFINN_MAXWORD ||
                    (size_t)(le - tab - 1) >= sizeof(num) || le == tab + 1) {
                        snprintf(errstr, errstr_size, "AFINN list: line %zu: "
                                 "not WORD<TAB>VALENCE", lineno);
                        goto fail;
                }
                for (size_t i = 0; i < wlen; i++)
                        if (p[i] >= 'A' && p[i] <= 'Z') {
                                snprintf(errstr, errstr_size, "AFINN list: "
                                         "line %zu: word not in lower "
                                         "case", lineno);
                                goto fail;
                        }
                memcpy(num, tab + 1, (size_t)(le - tab - 1));
                num[le - tab - 1] = '\0';
                errno = 0;
                v = strtol(num, &q, 10);
                if (errno || *q || q == num || v < -5 || v > 5) {
                        snprintf(errstr, errstr_size, "AFINN list: line %zu: "
                                 "valence \"%s\" is not an integer in "
                                 "-5..5", lineno, num);
                        goto fail;
                }
                sl = afinn_find(a, fnv(p, wlen), p, wlen);
                if (sl->off != UINT32_MAX) {
                        snprintf(errstr, errstr_size, "AFINN list: line %zu: "
                                 "\"%.*s\" listed twice", lineno, (int)wlen,
                                 p);
                        goto fail;
                }
                sl->h = fnv(p, wlen);
                sl->off = (uint32_t)a->npool;
                sl->val = (int32_t)v;
                memcpy(a->pool + a->npool, p, wlen);
                a->pool[a->npool + wlen] = '\0';
                a->npool += wlen + 1;
                a->n++;
next:
                p = nl ? nl + 1 : end;
        }
        if (!a->n) {
                snprintf(errstr, errstr_size, "AFINN list: no entries");
                goto fail;
        }
        return a;
fail:
        ink_afinn_destroy(a);
        return NULL;
}

static pthread_once_t afinn_once = PTHREAD_ONCE_INIT;
static ink_afinn_t *afinn_embedded;
static char afinn_err[256];

/* pthread_once routine of ink_afinn_shared(). */
static void afinn_init(void) {
        size_t len = 0;
        const char *buf = ink_resource_get(INK_SENTI_AFINN_RESOURCE, &len);

        if (!buf) {
                snprintf(afinn_err, sizeof(afinn_err), "%s is not embedded "
                         "(re-run cmake)", INK_SENTI_AFINN_RESOURCE);
                return;
        }
        afinn_embedded = ink_afinn_parse(buf, len, afinn_err,
                                         sizeof(afinn_err));
}

const ink_afinn_t *ink_afinn_shared(char *errstr, size_t errstr_size) {
        pthread_once(&afinn_once, afinn_init);
        if (!afinn_embedded)
                snprintf(errstr, errstr_size, "sentiment: %s", afinn_err);
        return afinn_embedded;
}

/*---- News model features --------------------------------------------------*/

enum { T_UNI = 1, T_NOT, T_BI, T_NUNI, T_NNOT, T_NBI };

/* Per-text state of the news features: either a list to fill (training)
 * or weights to accumulate (scoring). */
typedef struct news_st_s {
        unsigned bits;
        ink_sfeats_t *f;        /* list mode */
        const float *w;         /* dot mode */
        double dot;             /* hashed part, unscaled */
        bool news;              /* also emit the news-only copies */
        uint32_t prev;
        bool has_prev;
        size_t last_neg;        /* index + 1 of the last negation, 0 none */
        const ink_afinn_t *afinn; /* NULL: no AFINN features */
        double apos, aneg;      /* sums of AFINN valences (aneg >= 0) */
        double amax, amin;
        uint32_t nafinn;        /* words AFINN rates */
} news_st_t;

static inline void news_emit(news_st_t *st, uint32_t b) {
        if (st->w)
                st->dot += st->w[NEWS_DENSE + b];
        else
                sfeats_add(st->f, NEWS_DENSE + b, 1.0f);
}

/* ink_vader_word_cb of the news features: unigram, the unigram marked
 * as negated when a negation came in the 3 words before, bigram; for a
 * news text each also in a news-only copy (feature augmentation: the
 * shared copy learns from every domain, the news copy corrects it for
 * news). */
static void news_word(void *opaque, size_t i, const char *lo, size_t lolen,
                      double valence, unsigned flags) {
        news_st_t *st = opaque;
        uint32_t h = fnv(lo, lolen);

        (void)valence;
        bool negated = st->last_neg && i + 1 - st->last_neg <= 3;
        uint32_t bi = st->has_prev ? pair(st->prev, h) : 0;

        news_emit(st, bucket(h, T_UNI, st->bits));
        if (negated)
                news_emit(st, bucket(h, T_NOT, st->bits));
        if (st->has_prev)
                news_emit(st, bucket(bi, T_BI, st->bits));
        if (st->news) {
                news_emit(st, bucket(h, T_NUNI, st->bits));
                if (negated)
                        news_emit(st, bucket(h, T_NNOT, st->bits));
                if (st->has_prev)
                        news_emit(st, bucket(bi, T_NBI, st->bits));
        }
        if (st->afinn) {
                double v = afinn_lookup(st->afinn, h, lo, lolen);

                if (v != 0.0) {
                        /* negated as VADER does (its N_SCALAR) */
                        if (negated)
                                v *= -0.74;
                        if (v > 0)
                                st->apos += v;
                        else
                                st->aneg -= v;
                        if (!st->nafinn || v > st->amax)
                                st->amax = v;
                        if (!st->nafinn || v < st->amin)
                                st->amin = v;
                        st->nafinn++;
                }
        }
        if (flags & INK_VW_NEG)
                st->last_neg = i + 1;
        st->prev = h;
        st->has_prev = true;
}

/* The dense news features of \p d and the AFINN sums of \p st into
 * \p x[NEWS_DENSE]. */
static void news_dense(const ink_vader_detail_t *d, const news_st_t *st,
                       ink_senti_domain_t dom, double *x) {
        double n = d->nwords ? (double)d->nwords : 1.0;

        x[0] = 1.0;
        x[1] = d->s.compound;
        x[2] = d->s.positive;
        x[3] = d->s.neutral;
        x[4] = d->s.negative;
        x[5] = log1p(d->pos_sum);
        x[6] = log1p(-d->neg_sum);
        x[7] = log1p(d->nneg);
        x[8] = log1p(d->nboost);
        x[9] = log1p(d->nbut);
        x[10] = log1p(d->ncaps);
        x[11] = log1p(d->nexcl);
        x[12] = log1p(d->nquest);
        x[13] = log1p(n) / 4.0;
        x[14] = d->nsent / n;
        x[15] = dom == INK_DOM_TWEET;
        x[16] = dom == INK_DOM_MOVIE;
        x[17] = dom == INK_DOM_PRODUCT;
        /* the valence balance without VADER's saturation */
        x[18] = (d->pos_sum + d->neg_sum) / sqrt(n);
        x[19] = (d->pos_sum + d->neg_sum) / n;
        x[20] = d->s.compound * fabs(d->s.compound);
        /* AFINN-165: sums, balance, extremes, coverage, mean */
        x[21] = log1p(st->apos);
        x[22] = log1p(st->aneg);
        x[23] = (st->apos - st->aneg) / sqrt(n) / 4.0;
        x[24] = st->amax / 5.0;
        x[25] = st->amin / 5.0;
        x[26] = st->nafinn / n;
        x[27] = st->nafinn ? (st->apos - st->aneg) / st->nafinn / 5.0 : 0.0;
}

size_t ink_senti_news_features(const ink_vader_t *vd, unsigned bits,
                               const char *text, size_t len,
                               ink_senti_domain_t dom, ink_sfeats_t *f,
                               ink_vader_detail_t *det) {
        news_st_t st = { .bits = bits, .f = f,
                         .news = dom == INK_DOM_NEWS,
                         .afinn = ink_afinn_shared(NULL, 0) };
        ink_vader_detail_t d;
        double x[NEWS_DENSE], scale;
        size_t first = f->n;

        if (!det)
                det = &d;
        ink_vader_analyse(vd, text, len, det, news_word, &st);
        scale = det->nwords ? 1.0 / sqrt((double)det->nwords) : 0.0;
        for (size_t i = first; i < f->n; i++)
                f->v[i].val = (float)scale;
        news_dense(det, &st, dom, x);
        for (uint32_t i = 0; i < NEWS_DENSE; i++)
                if (x[i] != 0.0)
                        sfeats_add(f, i, (float)x[i]);
        return det->nwords;
}

double ink_senti_news_score(const ink_senti_model_t *m,
                            const ink_vader_t *vd, const char *text,
                            size_t len, ink_vader_detail_t *det) {
        news_st_t st = { .bits = m->bits, .w = m->w, .news = true,
                         .afinn = ink_afinn_shared(NULL, 0) };
        ink_vader_detail_t d;
        double x[NEWS_DENSE], y;

        if (!det)
                det = &d;
        if (!ink_vader_analyse(vd, text, len, det, news_word, &st))
                return 0.0;
        y = st.dot / sqrt((double)det->nwords);
        news_dense(det, &st, INK_DOM_NEWS, x);
        for (size_t i = 0; i < NEWS_DENSE; i++)
                y += m->w[i] * x[i];
        y *= m->scale;
        return y > 1.0 ? 1.0 : y < -1.0 ? -1.0 : y;
}

/*---- Target model features ------------------------------------------------*/

enum { T_SENT = 10, T_L1, T_L2, T_L3, T_R1, T_R2, T_R3, T_RBI, T_LBI,
       T_SNOT, T_SBI, T_MEN, T_SL, T_SR, T_L4, T_R4, T_SLBI, T_SRBI, T_CL };

static const char *const report_verbs[] = {
        "said", "says", "say", "told", "tells", "according", "added",
        "wrote", "writes", "tweeted", "argued", "claimed", "stated",
        "announced", "asked", "noted", "explained", "insisted", "warned",
        "declared", "testified", "responded", "replied",
};

#define TW_REPORT 0x100
#define TW_CEND 0x200           /* a clause ends after this word */
#define TW_CSTART 0x400         /* a clause starts at this word */

/* Words that open a new clause. */
static const char *const clause_words[] = {
        "but", "while", "although", "though", "whereas", "because",
        "who", "which", "after", "before", "when", "if", "since", "and",
};

typedef struct tword_s {
        uint32_t h;
        uint32_t flags;         /* INK_VW_*, TW_REPORT */
        float val;
        float aval;             /* AFINN-165 valence */
} tword_t;

typedef struct tgt_st_s {
        const ink_afinn_t *afinn;
        tword_t *w;
        size_t n, cap;
        tword_t inl[128];
} tgt_st_t;

static void tgt_word(void *opaque, size_t i, const char *lo, size_t lolen,
                     double valence, unsigned flags) {
        tgt_st_t *st = opaque;
        tword_t *tw;

        (void)i;
        if (st->n == st->cap) {
                size_t cap = st->cap * 2;
                tword_t *w = ink_malloc(cap * sizeof(*w));

                memcpy(w, st->w, st->n * sizeof(*w));
                if (st->w != st->inl)
                        free(st->w);
                st->w = w;
                st->cap = cap;
        }
        tw = &st->w[st->n++];
        tw->h = fnv(lo, lolen);
        tw->flags = flags;
        tw->val = (float)valence;
        tw->aval = st->afinn ? (float)afinn_lookup(st->afinn, tw->h, lo,
                                                    lolen) : 0.0f;
        for (size_t k = 0; k < sizeof(report_verbs) / sizeof(*report_verbs);
             k++)
                if (!strcmp(lo, report_verbs[k])) {
                        tw->flags |= TW_REPORT;
                        break;
                }
        for (size_t k = 0; k < sizeof(clause_words) / sizeof(*clause_words);
             k++)
                if (!strcmp(lo, clause_words[k])) {
                        tw->flags |= TW_CSTART;
                        break;
                }
}

static bool is_ws(unsigned char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
                c == '\v' || c == '\f';
}

/* Flags the words of \p st whose whitespace token in \p t (\p len bytes;
 * VADER's words are its whitespace tokens, in order) ends in a clause
 * mark: , ; : ( ) or a dash. */
static void mark_clause_ends(tgt_st_t *st, const char *t, size_t len) {
        size_t k = 0, i = 0;

        while (i < len && k < st->n) {
                size_t b;

                while (i < len && is_ws((unsigned char)t[i]))
                        i++;
                if (i >= len)
                        break;
                b = i;
                while (i < len && !is_ws((unsigned char)t[i]))
                        i++;
                if ((t[i - 1] && strchr(",;:()", t[i - 1])) ||
                    (i - b >= 3 && (unsigned char)t[i - 3] == 0xe2 &&
                     (unsigned char)t[i - 2] == 0x80 &&
                     ((unsigned char)t[i - 1] == 0x94 ||
                      (unsigned char)t[i - 1] == 0x93)) ||
                    (i - b == 1 && t[b] == '-') ||
                    (i - b == 2 && t[b] == '-' && t[b + 1] == '-'))
                        st->w[k].flags |= TW_CEND;
                k++;
        }
}

/* The number of whitespace-separated tokens that start before byte
 * \p end of \p s. */
static size_t tokens_before(const char *s, size_t end) {
        size_t cnt = 0;
        bool in = false;

        for (size_t i = 0; i < end; i++) {
                if (is_ws((unsigned char)s[i])) {
                        in = false;
                } else {
                        cnt += !in;
                        in = true;
                }
        }
        return cnt;
}

/* Whether byte \p pos of \p s lies inside quotation marks: an odd number
 * of '"' or curly double quotes before it. */
static bool in_quotes(const char *s, size_t pos) {
        size_t q = 0;

        for (size_t i = 0; i < pos; i++) {
                if (s[i] == '"')
                        q++;
                else if ((unsigned char)s[i] == 0xe2 && i + 2 < pos &&
                         (unsigned char)s[i + 1] == 0x80 &&
                         ((unsigned char)s[i + 2] == 0x9c ||
                          (unsigned char)s[i + 2] == 0x9d))
                        q++;
        }
        return q & 1;
}

/* The distance bucket tag of a word \p d words left (\p left) or right
 * of the mention, or 0 beyond 6. */
static uint32_t dist_tag(size_t d, bool left) {
        if (d == 1)
                return left ? T_L1 : T_R1;
        if (d <= 3)
                return left ? T_L2 : T_R2;
        if (d <= 6)
                return left ? T_L3 : T_R3;
        if (d <= 12)
                return left ? T_L4 : T_R4;
        return 0;
}

size_t ink_senti_target_features(const ink_vader_t *vd, unsigned bits,
                                 const char *text, size_t len, size_t tb,
                                 size_t te, ink_sfeats_t *f) {
        tgt_st_t st = { .cap = 128, .afinn = ink_afinn_shared(NULL, 0) };
        ink_vader_detail_t d;
        double x[TGT_DENSE] = { 0 }, scale, cscale;
        size_t b0, e0, mb, me, cb, ce, n, last_neg = 0;
        const char *t;

        if (tb > te || te > len)
                return 0;
        /* at most TGT_CONTEXT bytes either side, cut at whitespace */
        b0 = tb > TGT_CONTEXT ? tb - TGT_CONTEXT : 0;
        e0 = len - te > TGT_CONTEXT ? te + TGT_CONTEXT : len;
        while (b0 > 0 && b0 < tb && !is_ws((unsigned char)text[b0 - 1]))
                b0++;
        while (e0 < len && e0 > te && !is_ws((unsigned char)text[e0]))
                e0--;
        t = text + b0;
        len = e0 - b0;
        tb -= b0;
        te -= b0;

        st.w = st.inl;
        n = ink_vader_analyse(vd, t, len, &d, tgt_word, &st);
        if (!n)
                goto out;
        /* the mention's words [mb, me) */
        mb = tokens_before(t, tb);
        if (mb && tb > 0 && !is_ws((unsigned char)t[tb - 1]))
                mb--;
        me = tokens_before(t, te);
        if (me <= mb)
                me = mb + 1;
        if (mb >= n)
                mb = n - 1;
        if (me > n)
                me = n;
        /* the mention's clause [cb, ce) */
        mark_clause_ends(&st, t, len);
        cb = mb;
        while (cb > 0 && !(st.w[cb - 1].flags & TW_CEND) &&
               !(st.w[cb].flags & TW_CSTART))
                cb--;
        ce = me;
        while (ce < n && !(st.w[ce - 1].flags & TW_CEND) &&
               !(st.w[ce].flags & TW_CSTART))
                ce++;
        cscale = 1.0 / sqrt((double)(ce - cb));

        scale = 1.0 / sqrt((double)n);
        x[0] = 1.0;
        x[1] = d.s.compound;
        x[2] = d.s.positive;
        x[3] = d.s.negative;
        for (size_t i = 0; i < n; i++) {
                const tword_t *w = &st.w[i];
                bool left = i < mb;
                size_t dist = left ? mb - i : i >= me ? i - me + 1 : 0;
                uint32_t tag;

                bool negated = last_neg && i + 1 - last_neg <= 3 &&
                        i + 1 != last_neg;
                double av = negated ? -0.74 * w->aval : w->aval;

                if (w->flags & INK_VW_NEG)
                        last_neg = i + 1;
                if (dist && av != 0.0) {
                        /* AFINN-165 valences near and in the clause, and
                         * who holds the clause's opinion: words after the
                         * mention (its predicate when it is the subject)
                         * apart from words before it (it is the object) */
                        if (dist <= TGT_NEAR)
                                x[av > 0 ? 26 : 27] += fabs(av);
                        if (i >= cb && i < ce) {
                                x[av > 0 ? 24 : 25] += fabs(av);
                                x[left ? 31 : 30] += av;
                        }
                        if (dist == 1)
                                x[left ? 29 : 28] = av / 5.0;
                }
                if (!dist) {
                        /* the mention's own words: who it is */
                        sfeats_add(f, TGT_DENSE + bucket(w->h, T_MEN, bits),
                                   1.0f);
                        continue;
                }
                if (w->val > 0) {
                        if (dist <= TGT_NEAR)
                                x[left ? 4 : 6] += w->val;
                        if (dist <= TGT_MID)
                                x[8] += w->val;
                        else
                                x[18] += w->val;
                } else if (w->val < 0) {
                        if (dist <= TGT_NEAR)
                                x[left ? 5 : 7] -= w->val;
                        if (dist <= TGT_MID)
                                x[9] -= w->val;
                        else
                                x[19] -= w->val;
                }
                x[10] += w->val / (1.0 + (double)dist);
                if ((w->flags & INK_VW_NEG) && dist <= 4)
                        x[14] += 1.0;
                if (w->flags & TW_REPORT) {
                        if (!left && dist <= 3)
                                x[15] = 1.0;
                        else
                                x[16] = 1.0;
                }
                sfeats_add(f, TGT_DENSE + bucket(w->h, T_SENT, bits),
                           (float)scale);
                if (i >= cb && i < ce) {
                        /* the mention's own clause */
                        sfeats_add(f, TGT_DENSE + bucket(w->h, T_CL, bits),
                                   (float)cscale);
                        if (w->val > 0)
                                x[20] += w->val;
                        else
                                x[21] -= w->val;
                }
                /* the words before and after the mention apart */
                sfeats_add(f, TGT_DENSE + bucket(w->h, left ? T_SL : T_SR,
                                                 bits), (float)scale);
                if (i > 0 && (left || i > me))
                        sfeats_add(f, TGT_DENSE +
                                   bucket(pair(st.w[i - 1].h, w->h),
                                          left ? T_SLBI : T_SRBI, bits),
                                   (float)scale);
                if (last_neg && i + 1 - last_neg <= 3 && i + 1 != last_neg)
                        sfeats_add(f, TGT_DENSE + bucket(w->h, T_SNOT, bits),
                                   (float)scale);
                if (i > 0)
                        sfeats_add(f, TGT_DENSE +
                                   bucket(pair(st.w[i - 1].h, w->h), T_SBI,
                                          bits), (float)scale);
                if ((tag = dist_tag(dist, left))) {
                        sfeats_add(f, TGT_DENSE + bucket(w->h, tag, bits),
                                   1.0f);
                }
        }
        if (me + 1 < n)
                sfeats_add(f, TGT_DENSE + bucket(pair(st.w[me].h,
                                                      st.w[me + 1].h),
                                                 T_RBI, bits), 1.0f);
        if (mb >= 2)
                sfeats_add(f, TGT_DENSE + bucket(pair(st.w[mb - 2].h,
                                                      st.w[mb - 1].h),
                                                 T_LBI, bits), 1.0f);
        for (int k = 4; k <= 9; k++)
                x[k] = log1p(x[k]);
        x[10] /= 4.0;
        x[11] = (double)mb / (double)n;
        x[12] = mb == 0;
        x[13] = log1p((double)n) / 4.0;
        x[17] = in_quotes(t, tb);
        x[18] = log1p(x[18]);
        x[19] = log1p(x[19]);
        x[20] = log1p(x[20]);
        x[21] = log1p(x[21]);
        x[22] = cb == mb;
        x[23] = log1p((double)(ce - cb)) / 4.0;
        for (int k = 24; k <= 27; k++)
                x[k] = log1p(x[k]);
        x[30] /= 5.0;
        x[31] /= 5.0;
        for (uint32_t i = 0; i < TGT_DENSE; i++)
                if (x[i] != 0.0)
                        sfeats_add(f, i, (float)x[i]);
out:
        if (st.w != st.inl)
                free(st.w);
        return n;
}

/* Softmax of the 3 scores \p z into \p p. */
static void softmax3(const double *z, double *p) {
        double m = z[0] > z[1] ? z[0] : z[1], s = 0.0;

        if (z[2] > m)
                m = z[2];
        for (int k = 0; k < 3; k++)
                s += p[k] = exp(z[k] - m);
        for (int k = 0; k < 3; k++)
                p[k] /= s;
}

ink_polarity_t ink_senti_target(const ink_senti_model_t *m,
                                const ink_vader_t *vd, const char *text,
                                size_t len, size_t tb, size_t te,
                                double prob[3]) {
        ink_sfeats_t f;
        double z[3] = { 0 }, p[3] = { 0, 1, 0 };
        ink_polarity_t best = INK_POL_NEUTRAL;

        ink_sfeats_init(&f);
        if (ink_senti_target_features(vd, m->bits, text, len, tb, te, &f)) {
                for (size_t i = 0; i < f.n; i++)
                        for (int k = 0; k < 3; k++)
                                z[k] += m->w[(size_t)f.v[i].idx * 3 + k] *
                                        f.v[i].val;
                softmax3(z, p);
                best = p[0] > p[1] ? INK_POL_NEGATIVE : INK_POL_NEUTRAL;
                if (p[2] > p[best])
                        best = INK_POL_POSITIVE;
        }
        ink_sfeats_free(&f);
        if (prob)
                memcpy(prob, p, sizeof(p));
        return best;
}

/*---- The model file ---------------------------------------------------------*/

ink_senti_model_t *ink_senti_model_from_weights(ink_senti_kind_t kind,
                                                unsigned bits,
                                                const float *w,
                                                double scale) {
        ink_senti_model_t *m = ink_calloc(1, sizeof(*m));

        m->kind = kind;
        m->bits = bits;
        m->nfeat = ink_senti_nfeat(kind, bits);
        m->scale = scale;
        m->w = ink_malloc(m->nfeat * (size_t)kind * sizeof(*m->w));
        memcpy(m->w, w, m->nfeat * (size_t)kind * sizeof(*m->w));
        return m;
}

void ink_senti_model_destroy(ink_senti_model_t *m) {
        if (!m)
                return;
        free(m->w);
        free(m);
}

ink_senti_kind_t ink_senti_model_kind(const ink_senti_model_t *m) {
        return m->kind;
}

/* Copies the line at \p *pp (up to \p end) into \p line (NUL-terminated,
 * truncated to \p cap - 1 bytes) and advances \p *pp past it.  Returns
 * false at the end of the buffer. */
static bool next_line(const char **pp, const char *end, char *line,
                      size_t cap) {
        const char *p = *pp, *nl;
        size_t n;

        if (p >= end)
                return false;
        nl = memchr(p, '\n', (size_t)(end - p));
        n = (size_t)((nl ? nl : end) - p);
        if (n >= cap)
                n = cap - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        *pp = nl ? nl + 1 : end;
        return true;
}

ink_senti_model_t *ink_senti_model_parse(const char *buf, size_t len,
                                         char *errstr, size_t errstr_size) {
        const char *p = buf, *end = buf + len;
        ink_senti_model_t *m = ink_calloc(1, sizeof(*m));
        char line[256];
        size_t lineno = 0;
        bool magic = false, done = false;
        unsigned long bits = 0;

        m->scale = 1.0;
        while (!done && next_line(&p, end, line, sizeof(line))) {
                char *s = line, *q;

                lineno++;
                if (!*s || *s == '#')
                        continue;
                if (!magic) {
                        if (!strncmp(s, MODEL_PREFIX, strlen(MODEL_PREFIX)) &&
                            strcmp(s, MODEL_MAGIC)) {
                                snprintf(errstr, errstr_size,
                                         "sentiment model: format version "
                                         "%.20s, this build reads %s: "
                                         "retrain it (train-sentiment)",
                                         s + strlen(MODEL_PREFIX),
                                         &MODEL_MAGIC[strlen(MODEL_PREFIX)]);
                                ink_senti_model_destroy(m);
                                return NULL;
                        }
                        if (strcmp(s, MODEL_MAGIC))
                                goto bad;
                        magic = true;
                } else if (!strncmp(s, "kind ", 5)) {
                        m->kind = !strcmp(s + 5, "news") ? INK_SENTI_NEWS :
                                !strcmp(s + 5, "target") ? INK_SENTI_TARGET :
                                0;
                        if (!m->kind)
                                goto bad;
                } else if (!strncmp(s, "bits ", 5)) {
                        bits = strtoul(s + 5, &q, 10);
                        if (!m->kind || bits < 8 || bits > 24 || *q)
                                goto bad;
                        m->bits = (unsigned)bits;
                        m->nfeat = ink_senti_nfeat(m->kind, m->bits);
                        m->w = ink_calloc(m->nfeat * (size_t)m->kind,
                                          sizeof(*m->w));
                } else if (!strncmp(s, "scale ", 6)) {
                        m->scale = strtod(s + 6, &q);
                        if (*q || !isfinite(m->scale))
                                goto bad;
                } else if (!strncmp(s, "w ", 2)) {
                        unsigned long idx;

                        if (!m->w)
                                goto bad;
                        errno = 0;
                        idx = strtoul(s + 2, &q, 10);
                        if (errno || q == s + 2 || idx >= m->nfeat)
                                goto bad;
                        for (unsigned k = 0; k < (unsigned)m->kind; k++) {
                                char *r;
                                double v = strtod(q, &r);

                                if (r == q || !isfinite(v))
                                        goto bad;
                                m->w[idx * (size_t)m->kind + k] = (float)v;
                                q = r;
                        }
                        if (*q)
                                goto bad;
                } else if (!strcmp(s, "end")) {
                        done = true;
                } else {
                        goto bad;
                }
        }
        if (!done || !m->w) {
                snprintf(errstr, errstr_size, "sentiment model: %s",
                         !magic ? "not a model file (no \"" MODEL_MAGIC
                         "\" line)" : "truncated (no \"end\" line)");
                ink_senti_model_destroy(m);
                return NULL;
        }
        /* the news features read the AFINN list: fail here, not later */
        if (m->kind == INK_SENTI_NEWS && !ink_afinn_shared(errstr,
                                                           errstr_size)) {
                ink_senti_model_destroy(m);
                return NULL;
        }
        return m;
bad:
        snprintf(errstr, errstr_size, "sentiment model: line %zu: cannot "
                 "parse \"%.60s\"", lineno, line);
        ink_senti_model_destroy(m);
        return NULL;
}

ink_senti_model_t *ink_senti_model_load(const char *path,
                                        const char *env_override,
                                        char *errstr, size_t errstr_size) {
        const char *file = env_override ? getenv(env_override) : NULL;
        ink_senti_model_t *m;
        const char *buf;
        char *data = NULL;
        size_t len = 0, cap = 0, n;
        FILE *fp;

        if (!file || !*file) {
                if (!(buf = ink_resource_get(path, &len))) {
                        snprintf(errstr, errstr_size, "sentiment model %s is "
                                 "not embedded (re-run cmake)", path);
                        return NULL;
                }
                return ink_senti_model_parse(buf, len, errstr, errstr_size);
        }
        if (!(fp = fopen(file, "rb"))) {
                snprintf(errstr, errstr_size, "sentiment model %s (from $%s):"
                         " %s", file, env_override, strerror(errno));
                return NULL;
        }
        do {
                if (len == cap)
                        data = ink_realloc(data, cap = cap ? cap * 2 : 65536);
                n = fread(data + len, 1, cap - len, fp);
                len += n;
        } while (n > 0);
        fclose(fp);
        m = ink_senti_model_parse(data, len, errstr, errstr_size);
        free(data);
        return m;
}

ink_rc_t ink_senti_model_save(const ink_senti_model_t *m, const char *path,
                              const char *comment, char *errstr,
                              size_t errstr_size) {
        FILE *fp = fopen(path, "w");
        unsigned K = (unsigned)m->kind;

        if (!fp) {
                snprintf(errstr, errstr_size, "%s: %s", path,
                         strerror(errno));
                return INK_ERR_IO;
        }
        fprintf(fp, "%s\n", MODEL_MAGIC);
        if (comment)
                fprintf(fp, "%s", comment);
        fprintf(fp, "kind %s\nbits %u\nscale %.6g\n",
                m->kind == INK_SENTI_NEWS ? "news" : "target", m->bits,
                m->scale);
        for (size_t i = 0; i < m->nfeat; i++) {
                bool any = false;

                for (unsigned k = 0; k < K; k++)
                        any |= fabsf(m->w[i * K + k]) >= 1e-4f;
                if (!any)
                        continue;
                fprintf(fp, "w %zu", i);
                for (unsigned k = 0; k < K; k++)
                        fprintf(fp, " %.5g", m->w[i * K + k]);
                fputc('\n', fp);
        }
        fprintf(fp, "end\n");
        if (fclose(fp)) {
                snprintf(errstr, errstr_size, "%s: %s", path,
                         strerror(errno));
                return INK_ERR_IO;
        }
        return INK_OK;
}

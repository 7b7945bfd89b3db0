/*
 * Learned sentiment models on top of VADER (vader.h):
 *
 * - the news model: a regularised linear regression from a text's VADER
 *   features (compound, proportions, sums of positive and negative
 *   valences, counts of negations, boosters, "but", capitals, '!', '?'),
 *   AFINN-165 valence sums and extremes, and hashed unigrams, negation-marked unigrams and bigrams (each also
 *   in a news-only copy) to a compound score in -1..+1 (the human mean
 *   rating / 4, scaled);
 * - the target model: a 3-class logistic regression (negative, neutral,
 *   positive) for the sentiment a sentence expresses towards one mention
 *   in it, from VADER valences and words at given distances from the
 *   mention, in the mention's clause, and before / after it.
 *
 * Both are stored in one text format (docs in data/sentiment/README.md),
 * written by `inkstream train-sentiment` (scripts/train-sentiment.sh) and
 * embedded from data/sentiment/news_model.txt and target_model.txt.
 * A loaded model is read-only: any number of threads may use it at once.
 */
#ifndef INK_SENTIMENT_H
#define INK_SENTIMENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ink/core.h"
#include "ink/vader.h"

#define INK_SENTI_NEWS_RESOURCE   "data/sentiment/news_model.txt"
#define INK_SENTI_TARGET_RESOURCE "data/sentiment/target_model.txt"

typedef enum ink_senti_kind_e {
        INK_SENTI_NEWS = 1,     /* regression, 1 output */
        INK_SENTI_TARGET = 3,   /* 3 classes */
} ink_senti_kind_t;

typedef enum ink_polarity_e {
        INK_POL_NEGATIVE = 0,
        INK_POL_NEUTRAL,
        INK_POL_POSITIVE,
} ink_polarity_t;

/** @returns "negative", "neutral" or "positive". */
const char *ink_polarity_name(ink_polarity_t p);

typedef struct ink_senti_model_s ink_senti_model_t;

/** Parses a model file's \p len bytes (see the README for the format).
 *  @returns the model (owned by caller, ink_senti_model_destroy()) or
 *  NULL with a reason in \p errstr. */
ink_senti_model_t *ink_senti_model_parse(const char *buf, size_t len,
                                         char *errstr, size_t errstr_size);

/** Parses the embedded resource \p path (INK_SENTI_*_RESOURCE), or the file
 *  named by the environment variable \p env_override when it is set (for
 *  trying a freshly trained model without rebuilding).  @returns as
 *  ink_senti_model_parse(). */
ink_senti_model_t *ink_senti_model_load(const char *path,
                                        const char *env_override,
                                        char *errstr, size_t errstr_size);

/** Frees \p m (NULL is fine). */
void ink_senti_model_destroy(ink_senti_model_t *m);

/** @returns the kind of \p m. */
ink_senti_kind_t ink_senti_model_kind(const ink_senti_model_t *m);

/** Writes \p m to \p path (text format).  @returns INK_OK or INK_ERR_IO
 *  with \p errstr set. */
ink_rc_t ink_senti_model_save(const ink_senti_model_t *m, const char *path,
                              const char *comment, char *errstr,
                              size_t errstr_size);

/** News model: the compound score (-1..+1) of \p len bytes of UTF-8
 *  \p text; 0 for a text without words.  \p det (may be NULL) receives
 *  VADER's own analysis of the text.  Allocates nothing for
 *  sentence-sized texts.  \p m must be an INK_SENTI_NEWS model. */
double ink_senti_news_score(const ink_senti_model_t *m,
                            const ink_vader_t *vd, const char *text,
                            size_t len, ink_vader_detail_t *det);

/** Target model: the sentiment \p text (a sentence) expresses towards the
 *  mention at bytes [\p tb, \p te) of it.  Writes the class probabilities
 *  to \p prob (may be NULL).  A text without words, or offsets outside
 *  it, give neutral.  \p m must be an INK_SENTI_TARGET model. */
ink_polarity_t ink_senti_target(const ink_senti_model_t *m,
                                const ink_vader_t *vd, const char *text,
                                size_t len, size_t tb, size_t te,
                                double prob[3]);

/*---- AFINN-165 (sentiment_model.c, data/sentiment/afinn_165.txt) ---------*/

#define INK_SENTI_AFINN_RESOURCE "data/sentiment/afinn_165.txt"

/* Finn Årup Nielsen's list of English words rated -5..+5 (ODbL 1.0),
 * written by scripts/gen-afinn.sh; extra lexical features of the news
 * model.  Read-only once parsed. */
typedef struct ink_afinn_s ink_afinn_t;

/** Parses \p len bytes in the format of scripts/gen-afinn.sh: '#'
 *  comment lines and empty lines, else WORD<TAB>VALENCE with an integer
 *  valence in -5..+5 and a lower-case WORD of 1..63 bytes, each word
 *  once.  @returns the list (owned by caller, ink_afinn_destroy()) or
 *  NULL with the line and the reason in \p errstr. */
ink_afinn_t *ink_afinn_parse(const char *buf, size_t len, char *errstr,
                             size_t errstr_size);

/** Frees \p a (NULL is fine). */
void ink_afinn_destroy(ink_afinn_t *a);

/** @returns the number of entries of \p a. */
size_t ink_afinn_size(const ink_afinn_t *a);

/** @returns the valence of the \p len bytes of lower-case \p word
 *  (borrowed), 0 when \p a does not list it. */
int ink_afinn_valence(const ink_afinn_t *a, const char *word, size_t len);

/** The embedded list, parsed on the first call (thread-safe) and kept
 *  for the life of the process.  @returns it (borrowed), or NULL with a
 *  reason in \p errstr when the resource is missing or malformed. */
const ink_afinn_t *ink_afinn_shared(char *errstr, size_t errstr_size);

/*---- Features and training (sentiment_model.c, sentiment_train.c) --------*/

typedef struct ink_sfeat_s {
        uint32_t idx;
        float val;
} ink_sfeat_t;

/* A growable feature list; starts on its inline buffer. */
typedef struct ink_sfeats_s {
        ink_sfeat_t *v;
        size_t n, cap;
        ink_sfeat_t inl[256];
} ink_sfeats_t;

void ink_sfeats_init(ink_sfeats_t *f);
void ink_sfeats_free(ink_sfeats_t *f);

/* Domains of the training data: dense indicator features (0 for news). */
typedef enum ink_senti_domain_e {
        INK_DOM_NEWS = 0,
        INK_DOM_TWEET,
        INK_DOM_MOVIE,
        INK_DOM_PRODUCT,
} ink_senti_domain_t;

/** Feature vector of the news model for \p text (indices below
 *  ink_senti_nfeat(INK_SENTI_NEWS, bits)).  @returns the word count. */
size_t ink_senti_news_features(const ink_vader_t *vd, unsigned bits,
                               const char *text, size_t len,
                               ink_senti_domain_t dom, ink_sfeats_t *f,
                               ink_vader_detail_t *det);

/** Feature vector of the target model for mention [\p tb, \p te) of
 *  \p text.  @returns the word count (0: no features written). */
size_t ink_senti_target_features(const ink_vader_t *vd, unsigned bits,
                                 const char *text, size_t len, size_t tb,
                                 size_t te, ink_sfeats_t *f);

/** @returns the number of weights per output of a \p kind model with
 *  2^\p bits hash buckets. */
size_t ink_senti_nfeat(ink_senti_kind_t kind, unsigned bits);

/** Builds a model from \p w (nfeat * kind floats, copied) and the output
 *  scale \p scale (news model only: compound = clamp(scale * w.x)).
 *  @returns the model (owned by caller). */
ink_senti_model_t *ink_senti_model_from_weights(ink_senti_kind_t kind,
                                                unsigned bits,
                                                const float *w,
                                                double scale);

/** Hyper-parameters of ink_senti_train_*(). */
typedef struct ink_senti_train_opts_s {
        unsigned bits;          /* hash buckets 2^bits */
        unsigned epochs;
        double l2;              /* L2 penalty per example */
        double lr;              /* AdaGrad step */
        double news_weight;     /* weight of a news example (others: 1) */
        unsigned folds;         /* group k-fold for the report */
        uint64_t seed;
        unsigned runs;          /* runs averaged, each its own shuffle */
} ink_senti_train_opts_t;

/** Trains the news model on the rated snippets of the VADER ground truth
 *  in directory \p dir (NYT editorial dev half, tweets, movie and Amazon
 *  snippets), reports group k-fold figures (folds by NYT article id) on
 *  \p report, and writes the model trained on all of it to \p out (NULL:
 *  report only).  @returns INK_OK, or INK_ERR_IO / INK_ERR_PARSE with
 *  \p errstr set. */
ink_rc_t ink_senti_train_news(const char *dir, const char *out,
                              const ink_senti_train_opts_t *o, FILE *report,
                              char *errstr, size_t errstr_size);

/** Trains the target model on NewsMTSC \p train (JSONL), reports the
 *  figures on each of the \p ndev files \p dev, and writes the model to
 *  \p out (NULL: report only).  @returns as ink_senti_train_news(). */
ink_rc_t ink_senti_train_target(const char *train, const char *const *dev,
                                size_t ndev, const char *out,
                                const ink_senti_train_opts_t *o,
                                FILE *report, char *errstr,
                                size_t errstr_size);

#endif /* INK_SENTIMENT_H */

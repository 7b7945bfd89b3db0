/*
 * VADER sentiment (Hutto & Gilbert, ICWSM 2014): a C port of the rules of
 * the Python reference vaderSentiment 3.3.2, with its lexicons embedded
 * from data/sentiment/ (vader_lexicon.txt, emoji_utf8_lexicon.txt).
 *
 * The port follows the reference step by step, quirks included (the
 * first-equal-value search of its "but" rule, the operator precedence of
 * its "never so/this" rule, emoji descriptions glued to the next word), so
 * that compound scores agree with polarity_scores() on the same text.  The
 * only deliberate difference: the scores are not rounded (the reference
 * rounds compound to 4 and pos/neu/neg to 3 decimals).
 *
 * Known gaps, all outside ASCII: lower-casing uses utf8proc's simple
 * case mapping where Python uses the full one (U+0130, Greek final
 * sigma), and "is upper case" uses the general categories Lu/Ll/Lt where
 * Python uses the Lowercase/Uppercase properties (a few modifier letters,
 * circled letters and Roman numerals differ).
 */
#ifndef INK_VADER_H
#define INK_VADER_H

#include <stddef.h>
#include <stdint.h>

#include "ink/article.h"

typedef struct ink_vader_s ink_vader_t;

/** Loads and indexes both lexicons (once per process).
 *  @returns the analyser (owned by caller, free with ink_vader_destroy())
 *  or NULL with a reason in \p errstr.  The analyser is read-only after
 *  creation: any number of threads may score with it at once. */
ink_vader_t *ink_vader_new(char *errstr, size_t errstr_size);

/** Frees \p vd (NULL is fine). */
void ink_vader_destroy(ink_vader_t *vd);

/** Scores \p len bytes of UTF-8 \p text (need not be NUL-terminated) into
 *  \p out: compound in -1..+1 and the positive/neutral/negative
 *  proportions, as vaderSentiment's polarity_scores() before rounding.
 *  A text without words scores all zeros, as in the reference.
 *  Thread-safe; allocates nothing for sentence-sized texts (one heap
 *  block per call for long ones).
 *  @returns the number of words scored. */
size_t ink_vader_score(const ink_vader_t *vd, const char *text, size_t len,
                       ink_sentiment_t *out);

/** Per-text counts and sums behind a VADER score (features for the news
 *  model of sentiment.h). */
typedef struct ink_vader_detail_s {
        ink_sentiment_t s;      /* as ink_vader_score() */
        double pos_sum, neg_sum; /* sums of the final positive / negative
                                  * word valences (neg_sum <= 0) */
        uint32_t nwords;        /* words scored */
        uint32_t nsent;         /* words with a non-zero final valence */
        uint32_t nneg;          /* negation words (NEGATE or "n't") */
        uint32_t nboost;        /* booster and dampener words */
        uint32_t nbut;          /* "but" */
        uint32_t ncaps;         /* ALL-CAPS words */
        uint32_t nexcl, nquest; /* '!' and '?' in the text */
} ink_vader_detail_t;

/* Word flags passed to an ink_vader_word_cb. */
#define INK_VW_NEG   0x1        /* negation word */
#define INK_VW_BOOST 0x2        /* booster or dampener */
#define INK_VW_CAPS  0x4        /* written in capitals */
#define INK_VW_LEX   0x8        /* in the lexicon */

/** Called once per word, in order: its index \p i, its lower-cased form
 *  (\p lo, \p lolen bytes, borrowed for the call only), its final valence
 *  after all of VADER's rules (0 for most words) and INK_VW_* \p flags. */
typedef void (*ink_vader_word_cb)(void *opaque, size_t i, const char *lo,
                                  size_t lolen, double valence,
                                  unsigned flags);

/** As ink_vader_score(), and fills \p det (not NULL) with the counts and
 *  sums behind the score; calls \p cb (NULL: none) for every word.
 *  @returns the number of words scored. */
size_t ink_vader_analyse(const ink_vader_t *vd, const char *text, size_t len,
                         ink_vader_detail_t *det, ink_vader_word_cb cb,
                         void *opaque);

/** @returns the valence of lower-case \p word in the lexicon, or 0.0
 *  when it has none (diagnostics and tests). */
double ink_vader_lexicon_valence(const ink_vader_t *vd, const char *word);

#endif /* INK_VADER_H */

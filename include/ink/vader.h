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

/** @returns the valence of lower-case \p word in the lexicon, or 0.0
 *  when it has none (diagnostics and tests). */
double ink_vader_lexicon_valence(const ink_vader_t *vd, const char *word);

#endif /* INK_VADER_H */

/*
 * Text: the tokenizer and sentence splitter (lib/text/tokenize.c) and the
 * small token helpers the later stages use.
 */
#ifndef INK_TEXT_H
#define INK_TEXT_H

#include <stdbool.h>
#include "ink/article.h"

/* Growing token and sentence arrays: zero-initialise, then let
 * ink_tokenize() append one field after the other.  The arrays and the
 * norm strings live in the arena passed to ink_tokenize(). */
typedef struct ink_tokens_s {
        ink_token_t *toks;
        size_t ntoks, toks_cap;
        ink_sentence_t *sents;
        size_t nsents, sents_cap;
} ink_tokens_t;

/** Tokenises \p len bytes of UTF-8 text \p s (field \p field) and splits
 *  it into sentences, appending both to \p tt (sentence indices continue
 *  after the sentences already there).  Offsets are relative to \p s.
 *  Everything is allocated in \p arena (borrowed); \p s must outlive the
 *  tokens only if the caller slices it with their offsets.
 *  @returns INK_OK (also for empty or blank text), or INK_ERR_INVALID /
 *  INK_ERR_TOO_LARGE with "<field>: <reason>" in \p errstr; \p tt is then
 *  left as it was on entry. */
ink_rc_t ink_tokenize(ink_arena_t *arena, const char *s, size_t len,
                      ink_field_t field, ink_tokens_t *tt,
                      char *errstr, size_t errstr_size);

/** @returns true if token \p i of \p art exists and its norm equals
 *  \p word, ignoring letter case (simple Unicode lower-casing). */
bool ink_tok_is(const ink_article_t *art, size_t i, const char *word);

/** @returns the original bytes of token \p i (borrowed from the field
 *  text, not NUL-terminated) and their length in \p lenp. */
const char *ink_tok_text(const ink_article_t *art, size_t i, size_t *lenp);

/** @returns the number of code points in \p len bytes of valid UTF-8. */
size_t ink_utf8_cplen(const char *s, size_t len);

/*---- Language (lib/enrich/lang.c, the "lang" stage) ----------------------*/

/** @returns the ISO 639-1 code of the language of \p title and \p body
 *  (either may be NULL; lengths in bytes; only the first 2 KB of title
 *  and body together is read), a static string, or NULL when the
 *  evidence is too thin. */
const char *ink_lang_detect(const char *title, size_t title_len,
                            const char *body, size_t body_len);

/** @returns true when \p art is English: art->lang unset, empty, "en" or
 *  "en-*".  The English-only stages return INK_SKIPPED otherwise. */
bool ink_lang_is_english(const ink_article_t *art);

/** Process-wide counts: articles whose language the stage detected, and
 *  articles found (or given) not English, whose English-only stages
 *  skip.  Either pointer may be NULL. */
void ink_lang_counts(unsigned long *detected, unsigned long *non_english);

#endif /* INK_TEXT_H */

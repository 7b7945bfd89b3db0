/*
 * The bad-input corpus: records a worker must survive.  Each kind is
 * either a valid (if odd) article that must be enriched, or a record that
 * must become a dead letter with a given class and a reason containing a
 * given text.  Generated in memory by bad_corpus_build() (bad_corpus.c,
 * included once by each test that uses it); written for inkstream, no
 * third-party text.
 */
#ifndef INK_BAD_CORPUS_H
#define INK_BAD_CORPUS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct bad_rec_s {
        const char *name;       /* unique; the record key is "bad-<name>" */
        char *data;             /* malloc'ed */
        size_t len;
        bool valid;             /* must be enriched (else dead-lettered) */
        const char *err_class;  /* expected class of a dead letter */
        const char *reason;     /* text the reason must contain */
        bool one_line;          /* no '\n' or '\r' in data (JSON Lines) */
} bad_rec_t;

typedef struct bad_corpus_s {
        bad_rec_t *v;
        size_t cnt;
} bad_corpus_t;

/** Builds the corpus (owned by caller: bad_corpus_free()). */
bad_corpus_t bad_corpus_build(void);
void bad_corpus_free(bad_corpus_t *c);

#endif

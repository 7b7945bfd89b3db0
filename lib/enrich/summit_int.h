/*
 * Internal interface between the files of the summit detector
 * (lib/enrich/summit.c, lib/enrich/summit_time.c).
 */
#ifndef INK_SUMMIT_INT_H
#define INK_SUMMIT_INT_H

#include <stddef.h>
#include <stdint.h>

/* What the time-expression finder knows of one token, computed once per
 * token by summit_tok_classify (one hash lookup), so that finding time
 * expressions compares small integers instead of strings. */
typedef struct summit_tcls_s {
        uint16_t sets;  /* word classes of summit_time.c (file-local bits) */
        uint8_t word;   /* id of a word summit_time.c tests for, or 0 */
        uint8_t month;  /* 1..12 for a month name (summit_month), else 0 */
        int8_t wday;    /* 0..6 (Sunday = 0) for a weekday name, else -1 */
        uint8_t day;    /* day number 1..31 ("7", "7th", "23-24"), else 0 */
        uint8_t flags;  /* SUMMIT_TF_* */
} summit_tcls_t;

#define SUMMIT_TF_CAP     1  /* the normalised form starts upper case */
#define SUMMIT_TF_YEAR    2  /* a four-digit year 1900..2199 */
#define SUMMIT_TF_DASHDAY 4  /* "-9": a dash and a day number */
#define SUMMIT_TF_DIGIT   8  /* starts with a digit */

/* A view of an article's tokens: the normalised form, its ASCII
 * lower-case copy and its class, all indexed like art->toks (borrowed,
 * arena). */
typedef struct summit_toks_s {
        const char **norm;
        const char **lower;
        const summit_tcls_t *cls;
        size_t n;
} summit_toks_t;

/** Classifies one token from its normalised form \p norm and ASCII
 *  lower-case copy \p lower (both borrowed) into \p out.  Thread-safe;
 *  the word table is built on first use. */
void summit_tok_classify(const char *norm, const char *lower,
                         summit_tcls_t *out);

/* Precision of a time expression, least to most precise. */
#define SUMMIT_T_VAGUE 1  /* "soon", "this summer", "after the elections" */
#define SUMMIT_T_NEAR  2  /* "next week", "later this month", "in January" */
#define SUMMIT_T_EXACT 3  /* a day: "on 20 January", "Wednesday" */

typedef struct summit_time_s {
        uint32_t b, e;  /* token range */
        int kind;       /* SUMMIT_T_* */
        int rel;        /* relative to another event ("after the talks") */
} summit_time_t;

/** Finds the time expressions among tokens [\p b, \p end) of \p tv
 *  (tv->cls filled for them by summit_tok_classify) and writes up to
 *  \p cap of them, in text order, into \p out.  One pass over the
 *  tokens with integer tests only.
 *  @returns how many were written. */
size_t summit_time_find(const summit_toks_t *tv, size_t b, size_t end,
                        summit_time_t *out, size_t cap);

/** @returns 1..12 for a month name (full or abbreviated, any case), else 0. */
int summit_month(const char *w);

/** @returns the UTC calendar year of \p ms (ms since the epoch). */
int summit_year_of(int64_t ms);

#endif /* INK_SUMMIT_INT_H */

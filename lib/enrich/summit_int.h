/*
 * Internal interface between the files of the summit detector
 * (lib/enrich/summit.c, lib/enrich/summit_time.c).
 */
#ifndef INK_SUMMIT_INT_H
#define INK_SUMMIT_INT_H

#include <stddef.h>
#include <stdint.h>

/* A view of an article's tokens: the normalised form and its ASCII
 * lower-case copy, both indexed like art->toks (borrowed, arena). */
typedef struct summit_toks_s {
        const char **norm;
        const char **lower;
        size_t n;
} summit_toks_t;

/* Precision of a time expression, least to most precise. */
#define SUMMIT_T_VAGUE 1  /* "soon", "this summer", "after the elections" */
#define SUMMIT_T_NEAR  2  /* "next week", "later this month", "in January" */
#define SUMMIT_T_EXACT 3  /* a day: "on 20 January", "Wednesday" */

typedef struct summit_time_s {
        uint32_t b, e;  /* token range */
        int kind;       /* SUMMIT_T_* */
        int rel;        /* relative to another event ("after the talks") */
} summit_time_t;

/** Finds the time expressions among tokens [\p b, \p end) of \p tv and
 *  writes up to \p cap of them, in text order, into \p out.
 *  @returns how many were written. */
size_t summit_time_find(const summit_toks_t *tv, size_t b, size_t end,
                        summit_time_t *out, size_t cap);

/** @returns 1..12 for a month name (full or abbreviated, any case), else 0. */
int summit_month(const char *w);

/** @returns the UTC calendar year of \p ms (ms since the epoch). */
int summit_year_of(int64_t ms);

#endif /* INK_SUMMIT_INT_H */

/*
 * Time expressions of the summit detector: finding them in a sentence's
 * tokens (summit_time_find) and resolving one to a calendar day
 * (ink_summit_resolve_date).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/summit.h"
#include "summit_int.h"

/*---- Word table ----------------------------------------------------------*/

/* The words the finder tests for, one id each (0: none). */
#define SUMMIT_WORDS(X)                                                       \
        X(SHORTLY, "shortly") X(SOON, "soon") X(IMMEDIATELY, "immediately")   \
        X(RIGHT, "right") X(DAYS, "days") X(WEEKS, "weeks")                   \
        X(AFTER, "after") X(BEFORE, "before") X(WITHIN, "within")             \
        X(HOURS, "hours") X(OF, "of") X(FOLLOWING, "following")               \
        X(AHEAD, "ahead") X(TOMORROW, "tomorrow") X(TONIGHT, "tonight")       \
        X(TODAY, "today") X(APOS_S, "'s") X(NEXT, "next") X(THIS, "this")     \
        X(LATER, "later") X(EARLY, "early") X(COMING, "coming")               \
        X(WEEK, "week") X(YEAR, "year") X(MAY, "may") X(IN, "in")             \
        X(VERY, "very") X(NEAR, "near") X(FUTURE, "future") X(AGO, "ago")     \
        X(COMMA, ",") X(THE, "the")

enum {
        W_NONE,
#define X(id, s) W_##id,
        SUMMIT_WORDS(X)
#undef X
        W_COUNT
};

/* Word classes (bits of summit_tcls_t.sets). */
#define S_CLAUSE   0x01u  /* ends a clause: stops relative phrases */
#define S_EVENT    0x02u  /* makes "after X" a time expression */
#define S_FILL     0x04u  /* "in just over a week": the words before "week" */
#define S_NEAR     0x08u  /* "next week", "this month": a near window */
#define S_VAGUE    0x10u  /* "next year", "this summer": vague */
#define S_MPREP    0x20u  /* "in September", "mid-March": before a month */
#define S_RELLEAD  0x40u  /* "shortly after", "days before" */
#define S_RANGE    0x80u  /* "April 7 to 10", "5 and 7", "7-9" */
#define S_UNIT    0x100u  /* "in two weeks", "in a few days" */
#define S_RELUNIT 0x200u  /* "within days of" */

static const struct {
        unsigned bit;
        const char *const *words;
} word_sets[] = {
        {S_CLAUSE, (const char *const[]){",", ".", ";", ":", "(", "\"", "-",
                                         "according", "\xe2\x80\x93",
                                         "\xe2\x80\x94", NULL}},
        {S_EVENT, (const char *const[]){
                "inauguration", "election", "elections", "polls", "ramadan",
                "eid", "summit", "ceasefire", "swearing", "office", "vote",
                "holidays", "festival", "visit", "talks", "meeting",
                "session", "assembly", "call", "conversation", "trip",
                "phone", "consultations", "postponed", "cancelled",
                "canceled", "delayed", NULL}},
        {S_FILL, (const char *const[]){"just", "over", "about", "a", "an",
                                       "one", "two", "three", "few",
                                       "under", "less", "than", "more",
                                       "around", NULL}},
        {S_NEAR, (const char *const[]){"week", "weekend", "month", "days",
                                       "weeks", NULL}},
        {S_VAGUE, (const char *const[]){"year", "months", "summer", "spring",
                                        "autumn", "fall", "winter", NULL}},
        {S_MPREP, (const char *const[]){"in", "by", "until", "-", "end",
                                        "early", "mid", "late", NULL}},
        {S_RELLEAD, (const char *const[]){"shortly", "soon", "immediately",
                                          "right", "days", "weeks", NULL}},
        {S_RANGE, (const char *const[]){"to", "and", "-", "\xe2\x80\x93",
                                        NULL}},
        {S_UNIT, (const char *const[]){"week", "weeks", "days", NULL}},
        {S_RELUNIT, (const char *const[]){"days", "weeks", "hours", NULL}},
};

static const char *const month_names[12][3] = {
        {"january", "jan", NULL},   {"february", "feb", NULL},
        {"march", "mar", NULL},     {"april", "apr", NULL},
        {"may", NULL, NULL},        {"june", "jun", NULL},
        {"july", "jul", NULL},      {"august", "aug", NULL},
        {"september", "sep", "sept"}, {"october", "oct", NULL},
        {"november", "nov", NULL},  {"december", "dec", NULL},
};

static const char *const wday_names[7] = {
        "sunday", "monday", "tuesday", "wednesday",
        "thursday", "friday", "saturday",
};

typedef struct tword_s {
        const char *w;          /* NULL: empty slot */
        uint16_t sets;
        uint8_t word, month;
        int8_t wday;
} tword_t;

#define TW_SLOTS 512u           /* power of two, over twice the words */

static tword_t tw_table[TW_SLOTS];
static pthread_once_t tw_once = PTHREAD_ONCE_INIT;

/** FNV-1a of the \p n bytes of \p s. */
static uint32_t tw_hash(const char *s, size_t n) {
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < n; i++) {
                h ^= (unsigned char)s[i];
                h *= 16777619u;
        }
        return h;
}

/** @returns the slot of word \p s (\p n bytes) in the table: its entry,
 *  or the empty slot where it would go. */
static tword_t *tw_slot(const char *s, size_t n) {
        uint32_t i = tw_hash(s, n) & (TW_SLOTS - 1);
        while (tw_table[i].w &&
               (strncmp(tw_table[i].w, s, n) || tw_table[i].w[n]))
                i = (i + 1) & (TW_SLOTS - 1);
        return &tw_table[i];
}

/** @returns the entry of \p s, created empty when missing (at init). */
static tword_t *tw_put(const char *s) {
        tword_t *t = tw_slot(s, strlen(s));
        if (!t->w) {
                t->w = s;
                t->wday = -1;
        }
        return t;
}

/** Fills the word table once per process (pthread_once). */
static void tw_init(void) {
        static const char *const ids[W_COUNT] = {
                NULL,
#define X(id, s) s,
                SUMMIT_WORDS(X)
#undef X
        };
        for (int i = 1; i < W_COUNT; i++)
                tw_put(ids[i])->word = (uint8_t)i;
        for (size_t k = 0; k < sizeof(word_sets) / sizeof(word_sets[0]); k++)
                for (const char *const *w = word_sets[k].words; *w; w++)
                        tw_put(*w)->sets |= (uint16_t)word_sets[k].bit;
        for (int m = 0; m < 12; m++)
                for (int k = 0; k < 3 && month_names[m][k]; k++)
                        tw_put(month_names[m][k])->month = (uint8_t)(m + 1);
        for (int d = 0; d < 7; d++)
                tw_put(wday_names[d])->wday = (int8_t)d;
}

/** @returns the entry of word \p s (\p n bytes), or NULL. */
static const tword_t *tw_get(const char *s, size_t n) {
        pthread_once(&tw_once, tw_init);
        const tword_t *t = tw_slot(s, n);
        return t->w ? t : NULL;
}

/** @returns 1..12 for a month name (full or abbreviated, any case, with
 *  or without a final full stop), else 0. */
int summit_month(const char *w) {
        char buf[16];
        size_t n = strlen(w);
        if (n == 0 || n >= sizeof(buf))
                return 0;
        for (size_t i = 0; i < n; i++)
                buf[i] = (char)tolower((unsigned char)w[i]);
        if (n > 1 && buf[n - 1] == '.')
                n--;
        const tword_t *t = tw_get(buf, n);
        return t ? t->month : 0;
}

/** @returns 0..6 (Sunday = 0) for a weekday name in lower case, else -1. */
static int wday_of(const char *w) {
        for (int d = 0; d < 7; d++)
                if (!strcmp(w, wday_names[d]))
                        return d;
        return -1;
}

/** @returns the day number 1..31 of a token like "7", "7th", "21st", else 0. */
static int day_num(const char *w) {
        char *end;
        long v;
        if (!isdigit((unsigned char)w[0]))
                return 0;
        v = strtol(w, &end, 10);
        if (v < 1 || v > 31)
                return 0;
        /* "7", "7th", "23-24" */
        if (*end && strcmp(end, "st") && strcmp(end, "nd") &&
            strcmp(end, "rd") && strcmp(end, "th") &&
            !(end[0] == '-' && isdigit((unsigned char)end[1])))
                return 0;
        return (int)v;
}

/** @returns a year 1900..2199 for a four-digit token, else 0. */
static int year_num(const char *w) {
        if (strlen(w) != 4 || !isdigit((unsigned char)w[0]))
                return 0;
        int v = atoi(w);
        return v >= 1900 && v < 2200 ? v : 0;
}

/*---- Calendar arithmetic (proleptic Gregorian, days since 1970-01-01) -----*/

/** @returns the day number of \p y-\p m-\p d (H. Hinnant's algorithm). */
static int64_t days_from_civil(int y, int m, int d) {
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        int64_t yoe = y - era * 400;
        int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

/** Splits day number \p z into year, month, day. */
static void civil_from_days(int64_t z, int *yp, int *mp, int *dp) {
        z += 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        int64_t doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t y = yoe + era * 400;
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int64_t mp0 = (5 * doy + 2) / 153;
        int d = (int)(doy - (153 * mp0 + 2) / 5 + 1);
        int m = (int)(mp0 < 10 ? mp0 + 3 : mp0 - 9);
        *yp = (int)(y + (m <= 2));
        *mp = m;
        *dp = d;
}

static int64_t floor_div(int64_t a, int64_t b) {
        return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

int summit_year_of(int64_t ms) {
        int y, m, d;
        civil_from_days(floor_div(ms, 86400000LL), &y, &m, &d);
        return y;
}

/*---- Resolution ----------------------------------------------------------*/

#define MAXW 24

/** Splits \p text into lower-case words (letters/digits; other bytes
 *  separate words) in \p buf.  @returns the word count. */
static int split_words(const char *text, char words[MAXW][24]) {
        int n = 0;
        size_t len = 0;
        for (const char *p = text;; p++) {
                unsigned char c = (unsigned char)*p;
                if (c && (isalnum(c) || c >= 0x80)) {
                        if (len < 23)
                                words[n][len++] = (char)tolower(c);
                        continue;
                }
                if (len) {
                        words[n][len] = '\0';
                        len = 0;
                        if (++n == MAXW)
                                break;
                }
                if (!c)
                        break;
        }
        return n;
}

int ink_summit_resolve_date(const char *text, int64_t published_ms,
                            char *out, size_t out_size) {
        char w[MAXW][24];
        int n, y = 0, m = 0, d = 0;
        int64_t pub = -1, day = -1;
        int have_pub = published_ms >= 0;

        if (!text || out_size < 11)
                return -1;
        n = split_words(text, w);
        if (have_pub)
                pub = floor_div(published_ms, 86400000LL);

        /* Absolute dates: "20 January [2025]", "January 20[, 2025]". */
        for (int i = 0; i < n && !m; i++) {
                int mo = summit_month(w[i]);
                if (!mo)
                        continue;
                if (i > 0 && day_num(w[i - 1])) {
                        m = mo;
                        d = day_num(w[i - 1]);
                } else if (i + 1 < n && day_num(w[i + 1]) &&
                           !year_num(w[i + 1])) {
                        m = mo;
                        d = day_num(w[i + 1]);
                }
                if (m) {
                        for (int j = i + 1; j < n && j <= i + 5; j++)
                                if (year_num(w[j]))
                                        y = year_num(w[j]);
                }
        }
        if (m) {
                if (!y) {
                        int py, pm, pd;
                        if (!have_pub)
                                return -1;
                        civil_from_days(pub, &py, &pm, &pd);
                        y = py;
                        /* A date well before publication means next year. */
                        if (days_from_civil(y, m, d) < pub - 30)
                                y++;
                }
                day = days_from_civil(y, m, d);
        } else if (have_pub) {
                int has_next = 0, has_this = 0;
                for (int i = 0; i < n; i++) {
                        int wd = wday_of(w[i]);
                        if (!strcmp(w[i], "next"))
                                has_next = 1;
                        if (!strcmp(w[i], "this"))
                                has_this = 1;
                        if (!strcmp(w[i], "tomorrow")) {
                                day = pub + 1;
                                break;
                        }
                        if (!strcmp(w[i], "today") ||
                            !strcmp(w[i], "tonight")) {
                                day = pub;
                                break;
                        }
                        if (wd >= 0) {
                                /* 1970-01-01 was a Thursday (4). */
                                int pwd = (int)(((pub % 7) + 7 + 4) % 7);
                                int ahead = (wd - pwd + 7) % 7;
                                if (has_next && ahead == 0)
                                        ahead = 7;
                                day = pub + ahead;
                                break;
                        }
                        if (!strcmp(w[i], "week") && (has_next || has_this)) {
                                int pwd = (int)(((pub % 7) + 7 + 4) % 7);
                                /* Monday of the next week. */
                                int to_mon = (8 - pwd) % 7;
                                if (to_mon == 0)
                                        to_mon = 7;
                                if (has_this)
                                        return -1;
                                day = pub + to_mon;
                                break;
                        }
                }
        }
        if (day < 0 && !m)
                return -1;
        civil_from_days(day, &y, &m, &d);
        snprintf(out, out_size, "%04d-%02d-%02d", y, m, d);
        return 0;
}

/*---- Finding time expressions in tokens ----------------------------------*/

void summit_tok_classify(const char *norm, const char *lower,
                         summit_tcls_t *out) {
        size_t n = strlen(lower);
        const tword_t *t = tw_get(lower, n);
        memset(out, 0, sizeof(*out));
        out->wday = -1;
        if (t) {
                out->word = t->word;
                out->sets = t->sets;
                out->month = t->month;
                out->wday = t->wday;
        }
        /* "Jan.", "Sept.": a month with its full stop */
        if (!out->month && n > 1 && n < 16 && lower[n - 1] == '.') {
                t = tw_get(lower, n - 1);
                if (t)
                        out->month = t->month;
        }
        if (isupper((unsigned char)norm[0]))
                out->flags |= SUMMIT_TF_CAP;
        if (isdigit((unsigned char)lower[0])) {
                out->flags |= SUMMIT_TF_DIGIT;
                out->day = (uint8_t)day_num(lower);
                if (year_num(lower))
                        out->flags |= SUMMIT_TF_YEAR;
        } else if (lower[0] == '-' && day_num(lower + 1)) {
                out->flags |= SUMMIT_TF_DASHDAY;
        }
}

/** @returns true if token \p i (< \p end) is the word \p id. */
static int is(const summit_toks_t *tv, size_t i, size_t end, int id) {
        return i < end && tv->cls[i].word == id;
}

/** @returns true if token \p i (< \p end) is in word class \p bit. */
static int in(const summit_toks_t *tv, size_t i, size_t end, unsigned bit) {
        return i < end && (tv->cls[i].sets & bit);
}

/** @returns the month (1..12) of token \p i when it is written with a
 *  capital ("April", not "march"), else 0. */
static int cap_month(const summit_toks_t *tv, size_t i) {
        return (tv->cls[i].flags & SUMMIT_TF_CAP) ? tv->cls[i].month : 0;
}

/** @returns true if token \p i is a four-digit year. */
static int year_at(const summit_toks_t *tv, size_t i) {
        return (tv->cls[i].flags & SUMMIT_TF_YEAR) != 0;
}

/** @returns the end of an absolute date starting at \p i ("7 April",
 *  "April 7", ranges "April 7 to 10", "between August 5 and 7", a
 *  following year), or \p i when there is none. */
static size_t abs_date(const summit_toks_t *tv, size_t i, size_t end) {
        size_t j = i;
        if (i >= end)
                return i;
        if (tv->cls[j].day && j + 1 < end && cap_month(tv, j + 1)) {
                j += 2;
        } else if (cap_month(tv, j) && j + 1 < end && tv->cls[j + 1].day &&
                   !year_at(tv, j + 1)) {
                j += 2;
        } else {
                return i;
        }
        /* ranges: "to 10", "-9", "and 7", "to 10 April" */
        if (j + 1 < end && in(tv, j, end, S_RANGE) && tv->cls[j + 1].day) {
                j += 2;
                if (j < end && cap_month(tv, j))
                        j++;
        } else if (j < end && (tv->cls[j].flags & SUMMIT_TF_DASHDAY)) {
                j++;
        }
        if (j + 1 < end && is(tv, j, end, W_COMMA) && year_at(tv, j + 1))
                j += 2;
        else if (j < end && year_at(tv, j))
                j++;
        return j;
}

/** Adds a phrase to \p out (capacity \p cap) unless full. */
static void add(summit_time_t *out, size_t *np, size_t cap, size_t b,
                size_t e, int kind) {
        if (*np >= cap)
                return;
        out[*np].b = (uint32_t)b;
        out[*np].e = (uint32_t)e;
        out[*np].kind = kind;
        out[*np].rel = 0;
        (*np)++;
}

/** @returns the end of a relative time expression at \p i ("shortly
 *  after his planned inauguration", "within days of taking office",
 *  "ahead of the summit"), or \p i when there is none. */
static size_t rel_time(const summit_toks_t *tv, size_t i, size_t end) {
        size_t rel = 0, j;
        if (in(tv, i, end, S_RELLEAD) &&
            (is(tv, i + 1, end, W_AFTER) || is(tv, i + 1, end, W_BEFORE)))
                rel = 2;
        else if (is(tv, i, end, W_WITHIN) && in(tv, i + 1, end, S_RELUNIT) &&
                 is(tv, i + 2, end, W_OF))
                rel = 3;
        else if (is(tv, i, end, W_AFTER) || is(tv, i, end, W_BEFORE) ||
                 is(tv, i, end, W_FOLLOWING) ||
                 (is(tv, i, end, W_AHEAD) && is(tv, i + 1, end, W_OF)))
                rel = 1;
        if (!rel)
                return i;
        int noun = rel > 1;
        for (j = i + rel; j < end && j < i + 14 &&
                          !(tv->cls[j].sets & S_CLAUSE);
             j++)
                if (tv->cls[j].sets & S_EVENT)
                        noun = 1;
        return noun && j > i + rel ? j : i;
}

/** @returns the end of "next week", "this weekend", "later this month",
 *  "early next year", "in the coming days" at \p i (its start, moved
 *  back over "in the", in \p sp), or \p i; the kind in \p kindp. */
static size_t near_time(const summit_toks_t *tv, size_t b, size_t i,
                        size_t end, size_t *sp, int *kindp) {
        size_t s = i, j = i;
        int kind = 0;
        if (is(tv, j, end, W_LATER) || is(tv, j, end, W_EARLY))
                j++;
        if (is(tv, j, end, W_THIS) || is(tv, j, end, W_NEXT) ||
            is(tv, j, end, W_COMING))
                j++;
        if (j == s || j >= end)
                return i;
        if (tv->cls[j].sets & S_NEAR)
                kind = SUMMIT_T_NEAR;
        else if (tv->cls[j].sets & S_VAGUE)
                kind = SUMMIT_T_VAGUE;
        else if (cap_month(tv, j))
                kind = SUMMIT_T_NEAR;
        if (!kind)
                return i;
        if (s > b + 1 && is(tv, s - 1, end, W_THE) &&
            is(tv, s - 2, end, W_IN))
                s -= 2;
        *sp = s;
        *kindp = kind;
        return j + 1;
}

size_t summit_time_find(const summit_toks_t *tv, size_t b, size_t end,
                        summit_time_t *out, size_t cap) {
        size_t n = 0;
        for (size_t i = b; i < end;) {
                const summit_tcls_t *c = &tv->cls[i];
                size_t j, s;
                int kind;

                j = rel_time(tv, i, end);
                if (j > i) {
                        add(out, &n, cap, i, j, SUMMIT_T_VAGUE);
                        if (n)
                                out[n - 1].rel = 1;
                        i = j;
                        continue;
                }
                j = abs_date(tv, i, end);
                if (j > i) {
                        add(out, &n, cap, i, j, SUMMIT_T_EXACT);
                        i = j;
                        continue;
                }
                if (c->wday >= 0 && (c->flags & SUMMIT_TF_CAP)) {
                        s = i;
                        if (i > b && (is(tv, i - 1, end, W_NEXT) ||
                                      is(tv, i - 1, end, W_THIS)))
                                s = i - 1;
                        j = i + 1;
                        if (is(tv, j, end, W_COMMA) &&
                            abs_date(tv, j + 1, end) > j + 1)
                                j = abs_date(tv, j + 1, end);
                        add(out, &n, cap, s, j, SUMMIT_T_EXACT);
                        i = j;
                        continue;
                }
                if (c->word == W_TOMORROW || c->word == W_TONIGHT ||
                    (c->word == W_TODAY && !is(tv, i + 1, end, W_APOS_S))) {
                        add(out, &n, cap, i, i + 1, SUMMIT_T_EXACT);
                        i++;
                        continue;
                }
                if (c->word == W_NEXT || c->word == W_THIS ||
                    c->word == W_LATER || c->word == W_EARLY ||
                    c->word == W_COMING) {
                        j = near_time(tv, b, i, end, &s, &kind);
                        if (j > i) {
                                add(out, &n, cap, s, j, kind);
                                i = j;
                                continue;
                        }
                }
                /* A month on its own: "in September", "January next year". */
                if (cap_month(tv, i) &&
                    (c->word != W_MAY || is(tv, i + 1, end, W_NEXT)) &&
                    i > b && in(tv, i - 1, end, S_MPREP)) {
                        j = i + 1;
                        if (is(tv, j, end, W_NEXT) &&
                            is(tv, j + 1, end, W_YEAR))
                                j += 2;
                        else if (j < end && year_at(tv, j))
                                j++;
                        add(out, &n, cap, i, j, SUMMIT_T_NEAR);
                        i = j;
                        continue;
                }
                /* "in just over a week", "in two weeks", "in a few days" */
                if (c->word == W_IN || c->word == W_WITHIN) {
                        for (j = i + 1; j < end && j < i + 5 &&
                                        (tv->cls[j].sets & S_FILL);
                             j++)
                                ;
                        if (j > i + 1 && in(tv, j, end, S_UNIT) &&
                            !is(tv, j + 1, end, W_AGO) &&
                            !is(tv, j + 1, end, W_OF)) {
                                add(out, &n, cap, i, j + 1, SUMMIT_T_NEAR);
                                i = j + 1;
                                continue;
                        }
                }
                if (c->word == W_SOON && !is(tv, i + 1, end, W_AFTER)) {
                        s = i;
                        if (i > b && is(tv, i - 1, end, W_VERY))
                                s = i - 1;
                        add(out, &n, cap, s, i + 1, SUMMIT_T_VAGUE);
                        i++;
                        continue;
                }
                if (c->word == W_NEAR && is(tv, i + 1, end, W_FUTURE) &&
                    i >= b + 2) {
                        add(out, &n, cap, i - 2, i + 2, SUMMIT_T_VAGUE);
                        i += 2;
                        continue;
                }
                if (c->word == W_WITHIN && i + 2 < end &&
                    (is(tv, i + 2, end, W_DAYS) ||
                     is(tv, i + 2, end, W_WEEKS)) &&
                    (tv->cls[i + 1].flags & SUMMIT_TF_DIGIT)) {
                        add(out, &n, cap, i, i + 3, SUMMIT_T_NEAR);
                        i += 3;
                        continue;
                }
                i++;
        }
        return n;
}

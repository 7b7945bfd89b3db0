/*
 * Time expressions of the summit detector: finding them in a sentence's
 * tokens (summit_time_find) and resolving one to a calendar day
 * (ink_summit_resolve_date).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/summit.h"
#include "summit_int.h"

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

/* Nouns that make "after X" / "before X" a time expression. */
static const char *const event_nouns[] = {
        "inauguration", "election", "elections", "polls", "ramadan", "eid",
        "summit", "ceasefire", "swearing", "office", "vote", "holidays",
        "festival", "visit", "talks", "meeting", "session", "assembly",
        "call", "conversation", "trip", "phone", "consultations",
        "postponed", "cancelled", "canceled", "delayed", NULL,
};

/** @returns 1..12 for a month name (full or abbreviated, any case), else 0. */
int summit_month(const char *w) {
        char buf[16];
        size_t n = strlen(w);
        if (n == 0 || n >= sizeof(buf))
                return 0;
        for (size_t i = 0; i < n; i++)
                buf[i] = (char)tolower((unsigned char)w[i]);
        buf[n] = '\0';
        if (n > 1 && buf[n - 1] == '.')
                buf[--n] = '\0';
        for (int m = 0; m < 12; m++)
                for (int k = 0; k < 3 && month_names[m][k]; k++)
                        if (!strcmp(buf, month_names[m][k]))
                                return m + 1;
        return 0;
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

/** @returns true if token \p i of \p tv is exactly \p w (lower case). */
static int is(const summit_toks_t *tv, size_t i, size_t end, const char *w) {
        return i < end && !strcmp(tv->lower[i], w);
}

/** @returns true if token \p i ends a clause (stops relative phrases). */
static int clause_end(const summit_toks_t *tv, size_t i) {
        const char *t = tv->lower[i];
        return !strcmp(t, ",") || !strcmp(t, ".") || !strcmp(t, ";") ||
               !strcmp(t, ":") || !strcmp(t, "(") || !strcmp(t, "\"") ||
               !strcmp(t, "-") || !strcmp(t, "according") ||
               !strcmp(t, "\xe2\x80\x93") || !strcmp(t, "\xe2\x80\x94");
}

/** @returns the end of an absolute date starting at \p i ("7 April",
 *  "April 7", ranges "April 7 to 10", "between August 5 and 7", a
 *  following year), or \p i when there is none. */
static size_t abs_date(const summit_toks_t *tv, size_t i, size_t end) {
        size_t j = i;
        int mo;
        if (day_num(tv->lower[j]) && j + 1 < end &&
            (mo = summit_month(tv->norm[j + 1])) &&
            isupper((unsigned char)tv->norm[j + 1][0])) {
                j += 2;
        } else if ((mo = summit_month(tv->norm[j])) &&
                   isupper((unsigned char)tv->norm[j][0]) && j + 1 < end &&
                   day_num(tv->lower[j + 1]) && !year_num(tv->lower[j + 1])) {
                j += 2;
        } else {
                return i;
        }
        /* ranges: "to 10", "-9", "and 7", "to 10 April" */
        if (j + 1 < end &&
            (is(tv, j, end, "to") || is(tv, j, end, "and") ||
             is(tv, j, end, "-") || is(tv, j, end, "\xe2\x80\x93")) &&
            day_num(tv->lower[j + 1])) {
                j += 2;
                if (j < end && summit_month(tv->norm[j]) &&
                    isupper((unsigned char)tv->norm[j][0]))
                        j++;
        } else if (j < end && tv->lower[j][0] == '-' &&
                   day_num(tv->lower[j] + 1)) {
                j++;
        }
        if (j + 1 < end && is(tv, j, end, ",") && year_num(tv->lower[j + 1]))
                j += 2;
        else if (j < end && year_num(tv->lower[j]))
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

size_t summit_time_find(const summit_toks_t *tv, size_t b, size_t end,
                        summit_time_t *out, size_t cap) {
        size_t n = 0;
        for (size_t i = b; i < end;) {
                const char *t = tv->lower[i];
                size_t j;

                /* Relative: "shortly after his planned inauguration",
                 * "within days of taking office". */
                int rel = 0;
                if ((is(tv, i, end, "shortly") || is(tv, i, end, "soon") ||
                     is(tv, i, end, "immediately") ||
                     is(tv, i, end, "right") || is(tv, i, end, "days") ||
                     is(tv, i, end, "weeks")) &&
                    (is(tv, i + 1, end, "after") ||
                     is(tv, i + 1, end, "before")))
                        rel = 2;
                else if (is(tv, i, end, "within") &&
                         (is(tv, i + 1, end, "days") ||
                          is(tv, i + 1, end, "weeks") ||
                          is(tv, i + 1, end, "hours")) &&
                         is(tv, i + 2, end, "of"))
                        rel = 3;
                else if (is(tv, i, end, "after") ||
                         is(tv, i, end, "before") ||
                         is(tv, i, end, "following") ||
                         (is(tv, i, end, "ahead") && is(tv, i + 1, end, "of")))
                        rel = 1;
                if (rel) {
                        int noun = rel > 1;
                        for (j = i + (size_t)rel; j < end && j < i + 14 &&
                                                  !clause_end(tv, j);
                             j++)
                                for (int k = 0; event_nouns[k]; k++)
                                        if (!strcmp(tv->lower[j],
                                                    event_nouns[k]))
                                                noun = 1;
                        if (noun && j > i + (size_t)rel) {
                                add(out, &n, cap, i, j, SUMMIT_T_VAGUE);
                                if (n)
                                        out[n - 1].rel = 1;
                                i = j;
                                continue;
                        }
                }

                j = abs_date(tv, i, end);
                if (j > i) {
                        add(out, &n, cap, i, j, SUMMIT_T_EXACT);
                        i = j;
                        continue;
                }
                int wd = wday_of(t);
                if (wd >= 0 && isupper((unsigned char)tv->norm[i][0])) {
                        size_t s = i;
                        if (i > b && (is(tv, i - 1, end, "next") ||
                                      is(tv, i - 1, end, "this")))
                                s = i - 1;
                        j = i + 1;
                        if (is(tv, j, end, ",") && abs_date(tv, j + 1, end) >
                                                           j + 1)
                                j = abs_date(tv, j + 1, end);
                        add(out, &n, cap, s, j, SUMMIT_T_EXACT);
                        i = j;
                        continue;
                }
                if (!strcmp(t, "tomorrow") || !strcmp(t, "tonight") ||
                    (!strcmp(t, "today") && !is(tv, i + 1, end, "'s"))) {
                        add(out, &n, cap, i, i + 1, SUMMIT_T_EXACT);
                        i++;
                        continue;
                }
                /* "next week", "this weekend", "later this month",
                 * "early next year", "in the coming days". */
                if (!strcmp(t, "next") || !strcmp(t, "this") ||
                    !strcmp(t, "later") || !strcmp(t, "early") ||
                    !strcmp(t, "coming")) {
                        size_t s = i;
                        j = i;
                        if (is(tv, j, end, "later") || is(tv, j, end, "early"))
                                j++;
                        if (is(tv, j, end, "this") || is(tv, j, end, "next") ||
                            is(tv, j, end, "coming"))
                                j++;
                        if (j > s && j < end) {
                                const char *u = tv->lower[j];
                                int kind = 0;
                                if (!strcmp(u, "week") ||
                                    !strcmp(u, "weekend") ||
                                    !strcmp(u, "month") ||
                                    !strcmp(u, "days") ||
                                    !strcmp(u, "weeks"))
                                        kind = SUMMIT_T_NEAR;
                                else if (!strcmp(u, "year") ||
                                         !strcmp(u, "months") ||
                                         !strcmp(u, "summer") ||
                                         !strcmp(u, "spring") ||
                                         !strcmp(u, "autumn") ||
                                         !strcmp(u, "fall") ||
                                         !strcmp(u, "winter"))
                                        kind = SUMMIT_T_VAGUE;
                                else if (summit_month(tv->norm[j]) &&
                                         isupper((unsigned char)
                                                         tv->norm[j][0]))
                                        kind = SUMMIT_T_NEAR;
                                if (kind) {
                                        if (s > b &&
                                            is(tv, s - 1, end, "the") &&
                                            s > b + 1 &&
                                            is(tv, s - 2, end, "in"))
                                                s -= 2;
                                        add(out, &n, cap, s, j + 1, kind);
                                        i = j + 1;
                                        continue;
                                }
                        }
                }
                /* A month on its own: "in September", "January next year". */
                if (summit_month(tv->norm[i]) &&
                    isupper((unsigned char)tv->norm[i][0]) &&
                    (strcmp(t, "may") || is(tv, i + 1, end, "next")) &&
                    i > b &&
                    (is(tv, i - 1, end, "in") || is(tv, i - 1, end, "by") ||
                     is(tv, i - 1, end, "until") ||
                     is(tv, i - 1, end, "-") || is(tv, i - 1, end, "end") ||
                     is(tv, i - 1, end, "early") ||
                     is(tv, i - 1, end, "mid") || is(tv, i - 1, end, "late"))) {
                        j = i + 1;
                        if (is(tv, j, end, "next") && is(tv, j + 1, end, "year"))
                                j += 2;
                        else if (j < end && year_num(tv->lower[j]))
                                j++;
                        add(out, &n, cap, i, j, SUMMIT_T_NEAR);
                        i = j;
                        continue;
                }
                /* "in just over a week", "in two weeks", "in a few days" */
                if (!strcmp(t, "in") || !strcmp(t, "within")) {
                        static const char *const fill[] = {
                                "just", "over", "about", "a", "an", "one",
                                "two", "three", "few", "under", "less",
                                "than", "more", "around", NULL};
                        for (j = i + 1; j < end && j < i + 5; j++) {
                                int f = 0;
                                for (int k = 0; fill[k]; k++)
                                        if (!strcmp(tv->lower[j], fill[k]))
                                                f = 1;
                                if (!f)
                                        break;
                        }
                        if (j > i + 1 && j < end &&
                            (is(tv, j, end, "week") || is(tv, j, end, "weeks") ||
                             is(tv, j, end, "days")) &&
                            !is(tv, j + 1, end, "ago") &&
                            !is(tv, j + 1, end, "of")) {
                                add(out, &n, cap, i, j + 1, SUMMIT_T_NEAR);
                                i = j + 1;
                                continue;
                        }
                }
                if (!strcmp(t, "soon") && !is(tv, i + 1, end, "after")) {
                        size_t s = i;
                        if (i > b && is(tv, i - 1, end, "very"))
                                s = i - 1;
                        add(out, &n, cap, s, i + 1, SUMMIT_T_VAGUE);
                        i++;
                        continue;
                }
                if (!strcmp(t, "near") && is(tv, i + 1, end, "future") &&
                    i >= b + 2) {
                        add(out, &n, cap, i - 2, i + 2, SUMMIT_T_VAGUE);
                        i += 2;
                        continue;
                }
                if (!strcmp(t, "within") && i + 2 < end &&
                    (is(tv, i + 2, end, "days") ||
                     is(tv, i + 2, end, "weeks")) &&
                    isdigit((unsigned char)tv->lower[i + 1][0])) {
                        add(out, &n, cap, i, i + 3, SUMMIT_T_NEAR);
                        i += 3;
                        continue;
                }
                i++;
        }
        return n;
}

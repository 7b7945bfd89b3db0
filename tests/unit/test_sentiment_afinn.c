/*
 * AFINN-165 (sentiment.h): the embedded list is in the format
 * scripts/gen-afinn.sh writes and parses whole, look-ups work, the parser
 * rejects damaged lists with the line, and the news features read it
 * (with VADER's negation).
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "ink/sentiment.h"

Test(senti_afinn, embedded_list_is_in_generator_format) {
        size_t len = 0, entries = 0, lineno = 0;
        const char *buf = ink_resource_get(INK_SENTI_AFINN_RESOURCE, &len);
        const char *p, *end, *prev = NULL;
        size_t prevlen = 0;

        cr_assert(not(eq(ptr, (void *)buf, NULL)));
        cr_expect(eq(ptr, memchr(buf, '\r', len), NULL), "CR in the list");
        cr_expect(not(eq(ptr, strstr(buf, "Open Database License"), NULL)));
        cr_assert(eq(chr, buf[len - 1], '\n'));
        for (p = buf, end = buf + len; p < end;) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *tab = memchr(p, '\t', (size_t)(nl - p));
                char *q;
                long v;

                lineno++;
                if (*p == '#') {
                        cr_expect(eq(ptr, (void *)prev, NULL),
                                  "comment after the entries, line %zu",
                                  lineno);
                        p = nl + 1;
                        continue;
                }
                cr_assert(not(eq(ptr, (void *)tab, NULL)), "line %zu",
                          lineno);
                v = strtol(tab + 1, &q, 10);
                cr_expect(eq(ptr, q, (char *)nl), "line %zu", lineno);
                cr_expect(v >= -5 && v <= 5, "line %zu", lineno);
                if (prev) {
                        size_t n = prevlen < (size_t)(tab - p) ? prevlen :
                                (size_t)(tab - p);
                        int c = memcmp(prev, p, n);

                        cr_expect(c < 0 || (!c && prevlen < (size_t)(tab - p)),
                                  "not sorted at line %zu", lineno);
                }
                prev = p;
                prevlen = (size_t)(tab - p);
                entries++;
                p = nl + 1;
        }
        cr_expect(eq(sz, entries, 3382));
        cr_expect(eq(sz, ink_afinn_size(ink_afinn_shared(NULL, 0)), entries));
}

Test(senti_afinn, lookups) {
        char err[256];
        const ink_afinn_t *a = ink_afinn_shared(err, sizeof(err));

        cr_assert(not(eq(ptr, (void *)a, NULL)), "%s", err);
        cr_expect(eq(int, ink_afinn_valence(a, "abandon", 7), -2));
        cr_expect(eq(int, ink_afinn_valence(a, "outstanding", 11), 5));
        cr_expect(eq(int, ink_afinn_valence(a, "cool stuff", 10), 3));
        /* a prefix of a word or a longer word is not the word */
        cr_expect(eq(int, ink_afinn_valence(a, "aband", 5), 0));
        cr_expect(eq(int, ink_afinn_valence(a, "abandonx", 8), 0));
        cr_expect(eq(int, ink_afinn_valence(a, "abandonx", 7), -2));
        cr_expect(eq(int, ink_afinn_valence(a, "table", 5), 0));
}

Test(senti_afinn, parser_rejects_damaged_lists) {
        static const struct {
                const char *text, *reason;
        } bad[] = {
                { "good\t3\nbad -3\n", "line 2: not WORD<TAB>VALENCE" },
                { "good\t3\nbad\t\n", "line 2: not WORD<TAB>VALENCE" },
                { "\tfine\n", "line 1: not WORD<TAB>VALENCE" },
                { "good\t6\n", "not an integer in -5..5" },
                { "good\t2.5\n", "not an integer in -5..5" },
                { "good\tx\n", "not an integer in -5..5" },
                { "Good\t3\n", "line 1: word not in lower case" },
                { "good\t3\nfine\t2\ngood\t1\n", "line 3: \"good\" listed "
                  "twice" },
                { "# only a comment\n\n", "no entries" },
                { "", "no entries" },
                { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                  "aaaaaaaaaaaaaaa\t1\n", "line 1: not WORD<TAB>VALENCE" },
        };
        char err[256];

        for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
                err[0] = '\0';
                cr_expect(eq(ptr, ink_afinn_parse(bad[i].text,
                                                  strlen(bad[i].text), err,
                                                  sizeof(err)), NULL),
                          "case %zu parsed", i);
                cr_expect(not(eq(ptr, strstr(err, bad[i].reason), NULL)),
                          "case %zu: %s", i, err);
        }
}

Test(senti_afinn, parses_without_final_newline) {
        static const char text[] = "# c\n\ngood\t3\nbad\t-3";
        char err[256];
        ink_afinn_t *a = ink_afinn_parse(text, strlen(text), err,
                                         sizeof(err));

        cr_assert(not(eq(ptr, a, NULL)), "%s", err);
        cr_expect(eq(sz, ink_afinn_size(a), 2));
        cr_expect(eq(int, ink_afinn_valence(a, "bad", 3), -3));
        cr_expect(eq(int, ink_afinn_valence(a, "good", 4), 3));
        ink_afinn_destroy(a);
        ink_afinn_destroy(NULL);
}

/* The value of dense feature \p idx in \p f, 0 when absent. */
static float dense(const ink_sfeats_t *f, uint32_t idx) {
        for (size_t i = 0; i < f->n; i++)
                if (f->v[i].idx == idx)
                        return f->v[i].val;
        return 0.0f;
}

/* The news features' AFINN part: indices 21 (positive sum), 22 (negative
 * sum), 24 / 25 (max / min over 5); see news_dense(). */
Test(senti_afinn, news_features_read_afinn_with_negation) {
        static const char pos[] = "The plan was outstanding.";
        static const char neg[] = "The plan was not outstanding.";
        char err[256];
        ink_vader_t *vd = ink_vader_new(err, sizeof(err));
        ink_sfeats_t f;

        cr_assert(not(eq(ptr, vd, NULL)), "%s", err);
        ink_sfeats_init(&f);
        ink_senti_news_features(vd, 10, pos, strlen(pos), INK_DOM_NEWS, &f,
                                NULL);
        cr_expect(gt(flt, dense(&f, 21), 1.7f));        /* log1p(5) */
        cr_expect(eq(flt, dense(&f, 22), 0.0f));
        cr_expect(eq(flt, dense(&f, 24), 1.0f));
        f.n = 0;
        ink_senti_news_features(vd, 10, neg, strlen(neg), INK_DOM_NEWS, &f,
                                NULL);
        cr_expect(eq(flt, dense(&f, 21), 0.0f));
        cr_expect(gt(flt, dense(&f, 22), 1.4f));        /* log1p(3.7) */
        cr_expect(lt(flt, dense(&f, 25), -0.7f));
        ink_sfeats_free(&f);
        ink_vader_destroy(vd);
}

/* The target features' AFINN part (see ink_senti_target_features()):
 * 24 / 25 positive / negative sums in the mention's clause, 26 / 27
 * within 3 words, 28 / 29 the word right after / before (over 5), 30 /
 * 31 the signed clause sums after / before the mention (over 5). */
Test(senti_afinn, target_features_read_afinn_by_side) {
        static const char subj[] = "Smith was outstanding.";
        static const char obj[] = "Voters abandoned Smith.";
        char err[256];
        ink_vader_t *vd = ink_vader_new(err, sizeof(err));
        ink_sfeats_t f;

        cr_assert(not(eq(ptr, vd, NULL)), "%s", err);
        ink_sfeats_init(&f);
        cr_assert(eq(sz, ink_senti_target_features(vd, 10, subj,
                                                   strlen(subj), 0, 5, &f),
                     3));
        cr_expect(gt(flt, dense(&f, 24), 1.7f));
        cr_expect(gt(flt, dense(&f, 26), 1.7f));
        cr_expect(eq(flt, dense(&f, 27), 0.0f));
        cr_expect(eq(flt, dense(&f, 28), 0.0f));        /* "was" */
        cr_expect(epsilon_eq(flt, dense(&f, 30), 1.0f, 1e-6));
        cr_expect(eq(flt, dense(&f, 31), 0.0f));
        f.n = 0;
        cr_assert(eq(sz, ink_senti_target_features(vd, 10, obj,
                                                   strlen(obj), 17, 22, &f),
                     3));
        cr_expect(gt(flt, dense(&f, 27), 1.0f));        /* log1p(2) */
        cr_expect(epsilon_eq(flt, dense(&f, 29), -0.4f, 1e-6));
        cr_expect(epsilon_eq(flt, dense(&f, 31), -0.4f, 1e-6));
        cr_expect(eq(flt, dense(&f, 30), 0.0f));
        ink_sfeats_free(&f);
        ink_vader_destroy(vd);
}

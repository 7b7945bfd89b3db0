/*
 * The learned sentiment models (sentiment.h): the embedded files load,
 * scores are bounded and ordered, bad input is cheap and neutral, the
 * model file parser rejects damaged files, and a saved model reloads.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "ink/sentiment.h"

static ink_vader_t *vd;
static ink_senti_model_t *news, *tgt;

static void setup(void) {
        char err[256];

        vd = ink_vader_new(err, sizeof(err));
        cr_assert(not(eq(ptr, vd, NULL)), "%s", err);
        news = ink_senti_model_load(INK_SENTI_NEWS_RESOURCE, NULL, err,
                                    sizeof(err));
        cr_assert(not(eq(ptr, news, NULL)), "%s", err);
        tgt = ink_senti_model_load(INK_SENTI_TARGET_RESOURCE, NULL, err,
                                   sizeof(err));
        cr_assert(not(eq(ptr, tgt, NULL)), "%s", err);
}

static void teardown(void) {
        ink_senti_model_destroy(news);
        ink_senti_model_destroy(tgt);
        ink_vader_destroy(vd);
}

TestSuite(senti_model, .init = setup, .fini = teardown);

static double news_of(const char *s) {
        return ink_senti_news_score(news, vd, s, strlen(s), NULL);
}

Test(senti_model, kinds_and_order) {
        cr_expect(eq(int, ink_senti_model_kind(news), INK_SENTI_NEWS));
        cr_expect(eq(int, ink_senti_model_kind(tgt), INK_SENTI_TARGET));
        cr_expect(gt(dbl, news_of("The new bridge is a wonderful success "
                                  "for the town."), 0.05));
        cr_expect(lt(dbl, news_of("The policy is a cruel, shameful "
                                  "failure."), -0.05));
        cr_expect(eq(str, (char *)ink_polarity_name(INK_POL_NEGATIVE),
                     "negative"));
        cr_expect(eq(str, (char *)ink_polarity_name(INK_POL_POSITIVE),
                     "positive"));
        cr_expect(eq(str, (char *)ink_polarity_name(INK_POL_NEUTRAL),
                     "neutral"));
}

Test(senti_model, nothing_to_say_scores_zero) {
        static const char *const texts[] = {
                "", "   \n\t ", "12345 678 -- %%% ###", "\xff\xfe\xc3",
        };

        for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
                ink_vader_detail_t d;
                double c = ink_senti_news_score(news, vd, texts[i],
                                                strlen(texts[i]), &d);

                cr_expect(le(dbl, fabs(c), 1.0), "text %zu", i);
                if (!d.nwords)
                        cr_expect(eq(dbl, c, 0.0), "text %zu", i);
        }
        cr_expect(eq(dbl, news_of(""), 0.0));
        cr_expect(eq(dbl, news_of(" \n "), 0.0));
}

/* Builds \p n bytes of \p unit repeated (owned by caller). */
static char *repeat(const char *unit, size_t n) {
        size_t u = strlen(unit);
        char *s = malloc(n + 1);

        for (size_t i = 0; i < n; i++)
                s[i] = unit[i % u];
        s[n] = '\0';
        return s;
}

Test(senti_model, pathological_texts_are_bounded) {
        static const char *const units[] = {
                "!", "WONDERFUL TERRIBLE ", "\xf0\x9f\x98\x80",
                "good but bad ", "?!",
        };

        for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++) {
                char *s = repeat(units[i], 1 << 20);
                clock_t t0 = clock();
                double c = ink_senti_news_score(news, vd, s, 1 << 20, NULL);
                double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;

                cr_expect(le(dbl, fabs(c), 1.0), "unit %zu", i);
                cr_expect(lt(dbl, secs, 5.0), "unit %zu: %.2f s", i, secs);
                free(s);
        }
}

Test(senti_model, ten_megabytes) {
        size_t n = 10u << 20;
        char *s = repeat("The council approved the modest budget. ", n);
        double p[3];
        ink_polarity_t pol;
        clock_t t0 = clock();

        cr_expect(le(dbl, fabs(ink_senti_news_score(news, vd, s, n, NULL)),
                     1.0));
        pol = ink_senti_target(tgt, vd, s, n, n / 2, n / 2 + 7, p);
        cr_expect(le(dbl, (double)pol, 2.0));
        cr_expect(epsilon_eq(dbl, p[0] + p[1] + p[2], 1.0, 1e-9));
        cr_expect(lt(dbl, (double)(clock() - t0) / CLOCKS_PER_SEC, 20.0));
        free(s);
}

Test(senti_model, target_polarity_and_bad_offsets) {
        static const char s[] =
                "Critics said Mayor Lee is a corrupt and dishonest liar.";
        const char *m = strstr(s, "Mayor Lee");
        double p[3];

        cr_expect(eq(int, ink_senti_target(tgt, vd, s, strlen(s),
                                           (size_t)(m - s),
                                           (size_t)(m - s) + 9, p),
                     INK_POL_NEGATIVE));
        cr_expect(epsilon_eq(dbl, p[0] + p[1] + p[2], 1.0, 1e-9));
        /* offsets outside the text, reversed, or no words: neutral */
        cr_expect(eq(int, ink_senti_target(tgt, vd, s, strlen(s), 5, 500, p),
                     INK_POL_NEUTRAL));
        cr_expect(eq(dbl, p[1], 1.0));
        cr_expect(eq(int, ink_senti_target(tgt, vd, s, strlen(s), 9, 3, p),
                     INK_POL_NEUTRAL));
        cr_expect(eq(int, ink_senti_target(tgt, vd, "  ", 2, 0, 1, NULL),
                     INK_POL_NEUTRAL));
        /* emoji only: scored through its description, still a
         * distribution */
        ink_senti_target(tgt, vd, "\xf0\x9f\x98\x80", 4, 0, 4, p);
        cr_expect(epsilon_eq(dbl, p[0] + p[1] + p[2], 1.0, 1e-9));
}

Test(senti_model, parser_rejects_damaged_files) {
        static const char *const bad[] = {
                "",
                "not a model\n",
                "ink-senti-model 3\nkind news\nbits 8\n",          /* no end */
                "ink-senti-model 3\nkind nonsense\nbits 8\nend\n",
                "ink-senti-model 3\nkind news\nbits 30\nend\n",
                "ink-senti-model 3\nkind news\nbits 8\nw 999999 1\nend\n",
                "ink-senti-model 3\nkind news\nbits 8\nw 3 x\nend\n",
                "ink-senti-model 3\nkind target\nbits 8\nw 3 1 2\nend\n",
                "ink-senti-model 3\nkind news\nbits 8\nscale nan\nend\n",
                "ink-senti-model 3\nw 1 1\nend\n",                 /* no bits */
                "ink-senti-model 3\nkind news\nbits 8\nbogus\nend\n",
                "ink-senti-model 3\nend\n",                         /* no w */
        };
        char err[256];

        for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
                err[0] = '\0';
                cr_expect(eq(ptr, ink_senti_model_parse(bad[i],
                                                        strlen(bad[i]), err,
                                                        sizeof(err)), NULL),
                          "file %zu", i);
                cr_expect(not(eq(str, err, "")), "file %zu", i);
        }
        {
                /* well-formed files of the previous format versions
                 * (version 2: no AFINN features, other indices) */
                static const char v1[] = "ink-senti-model 1\nkind news\n"
                                         "bits 8\nw 1 0.5\nend\n";
                static const char v2[] = "ink-senti-model 2\nkind news\n"
                                         "bits 8\nw 1 0.5\nend\n";
                cr_expect(eq(ptr, ink_senti_model_parse(v1, strlen(v1), err,
                                                        sizeof(err)), NULL));
                cr_expect(not(eq(ptr, strstr(err, "format version 1, this "
                                                  "build reads 3"), NULL)),
                          "%s", err);
                cr_expect(eq(ptr, ink_senti_model_parse(v2, strlen(v2), err,
                                                        sizeof(err)), NULL));
                cr_expect(not(eq(ptr, strstr(err, "format version 2, this "
                                                  "build reads 3"), NULL)),
                          "%s", err);
        }
        cr_expect(eq(ptr, ink_senti_model_load("data/sentiment/none.txt",
                                               NULL, err, sizeof(err)),
                     NULL));
        setenv("INK_TEST_SENTI_MODEL", "/nonexistent/model.txt", 1);
        cr_expect(eq(ptr, ink_senti_model_load(INK_SENTI_NEWS_RESOURCE,
                                               "INK_TEST_SENTI_MODEL", err,
                                               sizeof(err)), NULL));
        cr_expect(not(eq(ptr, strstr(err, "nonexistent"), NULL)));
}

Test(senti_model, save_and_reload) {
        size_t nf = ink_senti_nfeat(INK_SENTI_NEWS, 8);
        float *w = calloc(nf, sizeof(*w));
        char path[] = "/tmp/ink-senti-XXXXXX", err[256];
        ink_senti_model_t *m, *r;
        int fd = mkstemp(path);

        cr_assert(ge(int, fd, 0));
        close(fd);
        w[0] = 0.25f;           /* bias */
        w[nf - 1] = -0.5f;
        m = ink_senti_model_from_weights(INK_SENTI_NEWS, 8, w, 2.0);
        cr_assert(eq(int, ink_senti_model_save(m, path, "# test\n", err,
                                               sizeof(err)), INK_OK), "%s",
                  err);
        setenv("INK_TEST_SENTI_MODEL", path, 1);
        r = ink_senti_model_load(INK_SENTI_NEWS_RESOURCE,
                                 "INK_TEST_SENTI_MODEL", err, sizeof(err));
        cr_assert(not(eq(ptr, r, NULL)), "%s", err);
        /* bias only on a word-free hash: compound = clamp(2 * 0.25 + ...) */
        cr_expect(eq(dbl, ink_senti_news_score(r, vd, "", 0, NULL), 0.0));
        cr_expect(le(dbl, fabs(ink_senti_news_score(r, vd, "word", 4, NULL)),
                     1.0));
        cr_expect(eq(int, ink_senti_model_save(m, "/nonexistent/dir/m.txt",
                                               NULL, err, sizeof(err)),
                     INK_ERR_IO));
        unlink(path);
        ink_senti_model_destroy(m);
        ink_senti_model_destroy(r);
        free(w);
}

/*
 * Training of the sentiment models (sentiment.h, sentiment_train.c) on
 * small data written here: the same data and options give the same file
 * (also when several runs are averaged), the learned model orders clear
 * texts, bad input is an error naming the file and line, and the clause
 * features of the target model see clause marks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "ink/sentiment.h"

static char dir[64];

static void setup(void) {
        strcpy(dir, "/tmp/ink-senti-train-XXXXXX");
        cr_assert(not(eq(ptr, mkdtemp(dir), NULL)));
}

static void teardown(void) {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_expect(eq(int, system(cmd), 0));
}

TestSuite(senti_train, .init = setup, .fini = teardown);

/* Writes \p text to \p name in the test directory. */
static void put(const char *name, const char *text) {
        char path[256];
        FILE *fp;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        fp = fopen(path, "w");
        cr_assert(not(eq(ptr, fp, NULL)), "%s", path);
        fputs(text, fp);
        fclose(fp);
}

/* Reads \p path whole (owned by caller, NUL-terminated). */
static char *slurp(const char *path) {
        FILE *fp = fopen(path, "rb");
        char *buf;
        long n;

        cr_assert(not(eq(ptr, fp, NULL)), "%s", path);
        fseek(fp, 0, SEEK_END);
        n = ftell(fp);
        rewind(fp);
        buf = malloc((size_t)n + 1);
        cr_assert(eq(sz, fread(buf, 1, (size_t)n, fp), (size_t)n));
        buf[n] = '\0';
        fclose(fp);
        return buf;
}

static const char *const good[] = {
        "The new park is a wonderful gift to the town.",
        "Volunteers did a great and generous job.",
        "The rescue was a brilliant success.",
        "Residents praised the friendly, helpful staff.",
};
static const char *const bad[] = {
        "The new tax is a cruel blow to the town.",
        "Officials did a terrible and shameful job.",
        "The collapse was a disastrous failure.",
        "Residents condemned the rude, hostile staff.",
};

/* Writes the four ground-truth files: rated snippets in the layout of the
 * VADER files (ID<TAB>MEAN<TAB>TEXT, CRLF), 8 NYT-like articles. */
static void put_truth(void) {
        static const char *const names[] = {
                "nytEditorialSnippets_dev_GroundTruth.txt",
                "tweets_GroundTruth.txt",
                "movieReviewSnippets_GroundTruth.txt",
                "amazonReviewSnippets_GroundTruth.txt",
        };
        char buf[8192];

        for (size_t f = 0; f < 4; f++) {
                size_t n = 0;

                for (size_t i = 0; i < 16; i++)
                        n += (size_t)snprintf(buf + n, sizeof(buf) - n,
                                              "%zu_%zu\t%s\t%s\r\n", i / 2 + 1,
                                              i % 2 + 1, i & 1 ? "-2.9" :
                                              "3.1", i & 1 ? bad[i / 2 % 4] :
                                              good[i / 2 % 4]);
                put(names[f], buf);
        }
}

static ink_senti_train_opts_t news_opts(void) {
        return (ink_senti_train_opts_t){ .bits = 10, .epochs = 4,
                                         .l2 = 0.01, .lr = 0.05,
                                         .news_weight = 2.0, .folds = 2,
                                         .seed = 7, .runs = 3 };
}

Test(senti_train, news_is_reproducible_and_orders_texts) {
        ink_senti_train_opts_t o = news_opts();
        char out1[256], out2[256], err[512], *a, *b, *rep = NULL;
        size_t replen = 0;
        FILE *report = open_memstream(&rep, &replen);
        ink_senti_model_t *m;
        ink_vader_t *vd;
        double pos, neg;

        put_truth();
        snprintf(out1, sizeof(out1), "%s/n1.txt", dir);
        snprintf(out2, sizeof(out2), "%s/n2.txt", dir);
        cr_assert(eq(int, ink_senti_train_news(dir, out1, &o, report, err,
                                               sizeof(err)), INK_OK), "%s",
                  err);
        cr_assert(eq(int, ink_senti_train_news(dir, out2, &o, report, err,
                                               sizeof(err)), INK_OK), "%s",
                  err);
        fclose(report);
        cr_expect(not(eq(ptr, strstr(rep, "2-fold by article"), NULL)),
                  "%s", rep);
        /* the figures are those of annotate's path (one sentence each) */
        cr_expect(not(eq(ptr, strstr(rep, "(as annotate scores; whole "
                                     "snippet:"), NULL)), "%s", rep);
        cr_expect(not(eq(ptr, strstr(rep, "0 of several sentences"), NULL)),
                  "%s", rep);
        free(rep);
        a = slurp(out1);
        b = slurp(out2);
        cr_expect(eq(str, a, b), "two trainings differ");
        cr_expect(not(eq(ptr, strstr(a, "runs 3"), NULL)));
        m = ink_senti_model_parse(a, strlen(a), err, sizeof(err));
        cr_assert(not(eq(ptr, m, NULL)), "%s", err);
        vd = ink_vader_new(err, sizeof(err));
        cr_assert(not(eq(ptr, vd, NULL)), "%s", err);
        pos = ink_senti_news_score(m, vd, good[0], strlen(good[0]), NULL);
        neg = ink_senti_news_score(m, vd, bad[0], strlen(bad[0]), NULL);
        cr_expect(gt(dbl, pos, neg), "%f %f", pos, neg);
        ink_senti_model_destroy(m);
        ink_vader_destroy(vd);
        free(a);
        free(b);
}

Test(senti_train, news_figures_split_snippets_into_sentences) {
        ink_senti_train_opts_t o = news_opts();
        char err[512], *rep = NULL, buf[4096];
        size_t replen = 0, n = 0;
        FILE *report;

        put_truth();
        /* 8 NYT snippets of two sentences each */
        for (size_t i = 0; i < 16; i++)
                n += (size_t)snprintf(buf + n, sizeof(buf) - n,
                                      "%zu_%zu\t%s\t%s %s\r\n", i / 2 + 1,
                                      i % 2 + 1, i & 1 ? "-2.9" : "3.1",
                                      i & 1 ? bad[i / 2 % 4] :
                                      good[i / 2 % 4], i & 1 ?
                                      bad[(i / 2 + 1) % 4] :
                                      good[(i / 2 + 1) % 4]);
        put("nytEditorialSnippets_dev_GroundTruth.txt", buf);
        report = open_memstream(&rep, &replen);
        cr_assert(eq(int, ink_senti_train_news(dir, NULL, &o, report, err,
                                               sizeof(err)), INK_OK), "%s",
                  err);
        fclose(report);
        cr_expect(not(eq(ptr, strstr(rep, "16 of several sentences"), NULL)),
                  "%s", rep);
        free(rep);
}

Test(senti_train, news_bad_input_names_the_file) {
        ink_senti_train_opts_t o = news_opts();
        char err[512];
        FILE *null = fopen("/dev/null", "w");

        /* no files at all */
        cr_expect(eq(int, ink_senti_train_news(dir, NULL, &o, null, err,
                                               sizeof(err)), INK_ERR_IO));
        cr_expect(not(eq(ptr, strstr(err, "nytEditorialSnippets"), NULL)),
                  "%s", err);
        /* a line without the rating column */
        put_truth();
        put("tweets_GroundTruth.txt", "1\t2.0\tfine\r\nno columns here\r\n");
        cr_expect(eq(int, ink_senti_train_news(dir, NULL, &o, null, err,
                                               sizeof(err)),
                     INK_ERR_INVALID));
        cr_expect(not(eq(ptr, strstr(err, "tweets_GroundTruth.txt:2"),
                         NULL)), "%s", err);
        fclose(null);
}

/* One NewsMTSC line: \p sent with one target \p mention (ASCII) labelled
 * \p pol (2, 4 or 6). */
static size_t mtsc_line(char *buf, size_t cap, size_t i, const char *sent,
                        const char *mention, int pol) {
        const char *m = strstr(sent, mention);

        cr_assert(not(eq(ptr, (void *)m, NULL)));
        return (size_t)snprintf(buf, cap, "{\"primary_gid\": \"p%zu\", "
                                "\"sentence_normalized\": \"%s\", "
                                "\"targets\": [{\"Input.gid\": \"g%zu\", "
                                "\"from\": %zu, \"to\": %zu, \"mention\": "
                                "\"%s\", \"polarity\": %d.0}]}\n", i, sent,
                                i, (size_t)(m - sent),
                                (size_t)(m - sent) + strlen(mention),
                                mention, pol);
}

Test(senti_train, target_is_reproducible) {
        static const char *const neu[] = {
                "Mayor Lee met the council on Monday.",
                "Mayor Lee will travel to the capital.",
        };
        ink_senti_train_opts_t o = { .bits = 10, .epochs = 3, .l2 = 1e-3,
                                     .lr = 0.05, .folds = 1, .seed = 3,
                                     .runs = 2 };
        char buf[16384], path[256], out1[256], out2[256], err[512];
        const char *devp[1] = { path };
        char *a, *b, *rep = NULL;
        size_t n = 0, replen = 0, k = 0;
        FILE *report = open_memstream(&rep, &replen);

        for (size_t r = 0; r < 3; r++)
                for (size_t i = 0; i < 4; i++) {
                        char s[256];

                        snprintf(s, sizeof(s), "Critics said Mayor Lee did "
                                 "%s", bad[i] + 4);
                        n += mtsc_line(buf + n, sizeof(buf) - n, k++, s,
                                       "Mayor Lee", 2);
                        snprintf(s, sizeof(s), "Mayor Lee said %s", good[i]);
                        n += mtsc_line(buf + n, sizeof(buf) - n, k++, s,
                                       "Mayor Lee", 6);
                        n += mtsc_line(buf + n, sizeof(buf) - n, k++,
                                       neu[i % 2], "Mayor Lee", 4);
                }
        put("train.jsonl", buf);
        snprintf(path, sizeof(path), "%s/train.jsonl", dir);
        snprintf(out1, sizeof(out1), "%s/t1.txt", dir);
        snprintf(out2, sizeof(out2), "%s/t2.txt", dir);
        cr_assert(eq(int, ink_senti_train_target(path, devp, 1, out1, &o,
                                                 report, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_assert(eq(int, ink_senti_train_target(path, devp, 1, out2, &o,
                                                 report, err, sizeof(err)),
                     INK_OK), "%s", err);
        fclose(report);
        cr_expect(not(eq(ptr, strstr(rep, "macro_F1"), NULL)), "%s", rep);
        free(rep);
        a = slurp(out1);
        b = slurp(out2);
        cr_expect(eq(str, a, b), "two trainings differ");
        free(a);
        free(b);

        /* a line that is not JSON: an error with the file and line */
        put("bad.jsonl", "{\"sentence_normalized\": \"x\", \"targets\": []}\n"
            "{not json\n");
        snprintf(path, sizeof(path), "%s/bad.jsonl", dir);
        report = fopen("/dev/null", "w");
        cr_expect(eq(int, ink_senti_train_target(path, NULL, 0, NULL, &o,
                                                 report, err, sizeof(err)),
                     INK_ERR_INVALID));
        cr_expect(not(eq(ptr, strstr(err, "bad.jsonl:2"), NULL)), "%s", err);
        fclose(report);
}

/* The value of dense feature \p idx in \p f, 0 when absent. */
static double feat(const ink_sfeats_t *f, uint32_t idx) {
        for (size_t i = 0; i < f->n; i++)
                if (f->v[i].idx == idx)
                        return f->v[i].val;
        return 0.0;
}

/* Dense target features 20..22: positive and negative valence in the
 * mention's clause, and whether the mention opens its clause. */
Test(senti_train, clause_features) {
        static const char cut[] = "The plan failed badly; Lee is honest.";
        static const char whole[] = "The failed plan of Lee is honest.";
        ink_sfeats_t f;
        char err[256];
        ink_vader_t *vd = ink_vader_new(err, sizeof(err));
        const char *m;

        cr_assert(not(eq(ptr, vd, NULL)), "%s", err);
        ink_sfeats_init(&f);
        m = strstr(cut, "Lee");
        cr_assert(ink_senti_target_features(vd, 10, cut, strlen(cut),
                                            (size_t)(m - cut),
                                            (size_t)(m - cut) + 3, &f) > 0);
        cr_expect(gt(dbl, feat(&f, 20), 0.0));          /* "honest" */
        cr_expect(eq(dbl, feat(&f, 21), 0.0));          /* "failed" is out */
        cr_expect(eq(dbl, feat(&f, 22), 1.0));
        f.n = 0;
        m = strstr(whole, "Lee");
        cr_assert(ink_senti_target_features(vd, 10, whole, strlen(whole),
                                            (size_t)(m - whole),
                                            (size_t)(m - whole) + 3,
                                            &f) > 0);
        cr_expect(gt(dbl, feat(&f, 21), 0.0));          /* "failed" is in */
        cr_expect(eq(dbl, feat(&f, 22), 0.0));
        ink_sfeats_free(&f);
        ink_vader_destroy(vd);
}

Test(senti_train, cli_rejects_bad_runs) {
        const char *bin = getenv("INK_BIN");
        char cmd[4096];
        bool ok;
        int st;

        cr_assert(not(eq(ptr, (void *)bin, NULL)), "INK_BIN is not set");
        snprintf(cmd, sizeof(cmd), "%s train-sentiment --data /nonexistent "
                 "--newsmtsc /nonexistent --runs 0 2>/dev/null", bin);
        st = system(cmd);
        ok = WIFEXITED(st) && WEXITSTATUS(st) == 2;
        cr_expect(ok, "status %d", st);
        snprintf(cmd, sizeof(cmd), "%s train-sentiment --only news --data "
                 "'%s' --runs 2 >/dev/null 2>&1", bin, dir);
        st = system(cmd);
        ok = WIFEXITED(st) && WEXITSTATUS(st) == 1;
        cr_expect(ok, "missing data: status %d", st);
}

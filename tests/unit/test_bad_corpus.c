/*
 * The bad-input corpus without Kafka: the article parser classifies every
 * kind as expected, and `inkstream annotate --jsonl` survives the corpus
 * with one output line per input line, enriching exactly the valid kinds.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ink/codec.h"
#include "../data/bad/bad_corpus.c"

Test(bad_corpus, at_least_30_kinds_both_outcomes) {
        bad_corpus_t c = bad_corpus_build();
        size_t valid = 0;

        for (size_t i = 0; i < c.cnt; i++) {
                valid += c.v[i].valid;
                for (size_t j = 0; j < i; j++)
                        cr_assert_str_neq(c.v[i].name, c.v[j].name);
        }
        cr_assert_geq(c.cnt - valid, 30, "%zu dead-letter kinds",
                      c.cnt - valid);
        cr_assert_geq(valid, 8);
        bad_corpus_free(&c);
}

Test(bad_corpus, parser_classifies_each_kind) {
        bad_corpus_t c = bad_corpus_build();

        for (size_t i = 0; i < c.cnt; i++) {
                const bad_rec_t *r = &c.v[i];
                ink_article_t *art = ink_article_new();
                char err[512] = "";
                ink_rc_t rc = ink_article_parse_json(
                        art, r->data, r->len, INK_MAX_ARTICLE_DEFAULT, err,
                        sizeof(err));
                if (r->valid) {
                        cr_assert_eq(rc, INK_OK, "%s: %s", r->name, err);
                } else {
                        cr_assert_neq(rc, INK_OK, "%s parsed", r->name);
                        cr_assert_str_eq(ink_rc_name(rc), r->err_class,
                                         "%s: %s", r->name, err);
                        cr_assert(strstr(err, r->reason),
                                  "%s: reason \"%s\" lacks \"%s\"", r->name,
                                  err, r->reason);
                }
                ink_article_destroy(art);
        }
        bad_corpus_free(&c);
}

/* The corpus through `inkstream annotate --jsonl`: every one-line kind,
 * each line followed by a good article, in bounded time. */
Test(bad_corpus, annotate_survives, .timeout = 120) {
        bad_corpus_t c = bad_corpus_build();
        char in[] = "/tmp/ink-bad-corpus-XXXXXX", cmd[1024];
        const char *bin = getenv("INK_BIN");
        const char *good = "{\"id\":\"good\",\"body\":\"The mayor of Lyon "
                           "met farmers on Tuesday.\"}\n";
        int fd = mkstemp(in), st;
        FILE *fp, *out;
        char *line = NULL;
        size_t cap = 0, nin = 0, nout = 0, k = 0;
        ssize_t n;
        struct timespec t0, t1;
        bad_rec_t **order;

        cr_assert(bin, "INK_BIN is not set (run through ctest)");
        cr_assert(fd >= 0);
        fp = fdopen(fd, "w");
        order = calloc(c.cnt, sizeof(*order));
        for (size_t i = 0; i < c.cnt; i++) {
                const bad_rec_t *r = &c.v[i];
                bool blank = true;
                for (size_t j = 0; j < r->len; j++)
                        if (r->data[j] != ' ' && r->data[j] != '\t')
                                blank = false;
                /* annotate skips empty lines; multi-line kinds are not
                 * JSON Lines */
                if (!r->one_line || blank)
                        continue;
                fwrite(r->data, 1, r->len, fp);
                fputs("\n", fp);
                fputs(good, fp);
                order[nin / 2] = &c.v[i];
                nin += 2;
        }
        fclose(fp);
        cr_assert_geq(nin / 2, 30);
        snprintf(cmd, sizeof(cmd), "%s annotate --jsonl %s 2>/dev/null", bin,
                 in);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        out = popen(cmd, "r");
        cr_assert(out);
        while ((n = getline(&line, &cap, out)) > 0) {
                json_t *o = json_loads(line, 0, NULL);
                const bad_rec_t *r = nout % 2 ? NULL : order[k++];
                cr_assert(o, "output line %zu is not JSON", nout + 1);
                if (!r || r->valid) {
                        cr_assert_null(json_object_get(o, "error"),
                                       "line %zu (%s): %s", nout + 1,
                                       r ? r->name : "good", line);
                        cr_assert(json_is_array(json_object_get(o,
                                                                "entities")));
                } else {
                        cr_assert_str_eq(
                                json_string_value(json_object_get(
                                        o, "error_class")),
                                r->err_class, "%s", r->name);
                        cr_assert_eq(json_integer_value(json_object_get(
                                             o, "line")),
                                     (json_int_t)nout + 1);
                }
                json_decref(o);
                nout++;
        }
        st = pclose(out);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        cr_assert(WIFEXITED(st), "annotate crashed (status %d)", st);
        cr_assert_eq(nout, nin, "%zu output lines for %zu input lines", nout,
                     nin);
        cr_log_info("annotate: %zu lines in %.1f s", nin,
                    (double)(t1.tv_sec - t0.tv_sec) +
                            (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        free(line);
        free(order);
        unlink(in);
        bad_corpus_free(&c);
}

/*
 * `inkstream annotate`: the enrichment without Kafka.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/sentiment.h"
#include "ink/stage.h"
#include "cli.h"

/* Parses and enriches one article; on failure prints an error object
 * (with the id when known) on stdout and the reason on stderr. */
static int annotate_one(const ink_pipeline_t *pl, const char *buf,
                        size_t len, bool json_in, size_t lineno, FILE *out,
                        bool indent) {
        ink_article_t *art = ink_article_new();
        const char *stage = "parse";
        char errstr[512];
        ink_rc_t rc;
        json_t *o;
        char *s;

        errstr[0] = '\0';
        rc = json_in ? ink_article_parse_json(art, buf, len,
                                              INK_MAX_ARTICLE_DEFAULT, errstr,
                                              sizeof(errstr))
                     : ink_article_parse_text(art, buf, len,
                                              INK_MAX_ARTICLE_DEFAULT, errstr,
                                              sizeof(errstr));
        if (rc == INK_OK) {
                art->ingested_ms = ink_now_ms();
                rc = ink_pipeline_run(pl, art, &stage, errstr,
                                      sizeof(errstr));
        }
        if (rc == INK_OK && !indent) {
                s = ink_article_json_compact(art, NULL);
                fprintf(out, "%s\n", s);
                free(s);
                ink_article_destroy(art);
                return 0;
        }
        if (rc == INK_OK) {
                o = ink_article_to_json(art);
        } else {
                fprintf(stderr, "line %zu: %s: %s\n", lineno, stage, errstr);
                o = json_pack("{s:s?,s:I,s:s,s:s,s:s}", "id", art->id, "line",
                              (json_int_t)lineno, "error", errstr,
                              "error_class", ink_rc_name(rc), "stage", stage);
        }
        s = json_dumps(o, indent ? JSON_INDENT(2) : JSON_COMPACT);
        fprintf(out, "%s\n", s);
        free(s);
        json_decref(o);
        ink_article_destroy(art);
        return rc == INK_OK ? 0 : -1;
}

int ink_cli_annotate(const char *path, bool jsonl) {
        FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
        char errstr[512];
        ink_pipeline_t *pl;
        char *line = NULL;
        size_t cap = 0, lineno = 0, bad = 0;
        ssize_t n;

        if (!fp) {
                fprintf(stderr, "inkstream annotate: %s: %s\n", path,
                        strerror(errno));
                return 1;
        }
        if (!(pl = ink_pipeline_new(errstr, sizeof(errstr)))) {
                fprintf(stderr, "inkstream annotate: %s\n", errstr);
                if (fp != stdin)
                        fclose(fp);
                return 1;
        }
        if (jsonl) {
                while ((n = getline(&line, &cap, fp)) >= 0) {
                        lineno++;
                        while (n > 0 && (line[n - 1] == '\n' ||
                                         line[n - 1] == '\r'))
                                n--;
                        if (n == 0)
                                continue;
                        if (annotate_one(pl, line, (size_t)n, true, lineno,
                                         stdout, false))
                                bad++;
                }
        } else {
                /* one article: JSON object or plain text */
                size_t len = 0;
                cap = 1 << 16;
                line = ink_malloc(cap);
                while ((n = (ssize_t)fread(line + len, 1, cap - len, fp)) > 0)
                        if ((len += (size_t)n) == cap)
                                line = ink_realloc(line, cap *= 2);
                size_t i = 0;
                while (i < len && (line[i] == ' ' || line[i] == '\n'))
                        i++;
                if (annotate_one(pl, line, len, i < len && line[i] == '{', 1,
                                 stdout, true))
                        bad++;
        }
        free(line);
        if (fp != stdin)
                fclose(fp);
        ink_pipeline_destroy(pl);
        if (bad)
                fprintf(stderr, "annotate: %zu article(s) rejected\n", bad);
        /* with --jsonl a bad line is reported in the output, not fatal */
        return !jsonl && bad ? 1 : 0;
}

/* The byte offset of code point \p cp in \p s (\p len bytes), or \p len
 * past its end. */
static size_t cp_offset(const char *s, size_t len, json_int_t cp) {
        size_t i = 0;

        while (i < len && cp-- > 0) {
                i++;
                while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
                        i++;
        }
        return i;
}

/* Classifies the targets of one NewsMTSC line; a line that is not a JSON
 * object with "sentence_normalized" and "targets" is reported on stderr
 * and skipped (returns -1).  A target without "Input.gid" is skipped. */
static int newsmtsc_one(const ink_senti_model_t *m, const ink_vader_t *vd,
                        const char *buf, size_t len, size_t lineno) {
        json_error_t jerr;
        json_t *o = json_loadb(buf, len, 0, &jerr), *sj, *tg;
        const char *sent;
        size_t slen, i;

        sj = o ? json_object_get(o, "sentence_normalized") : NULL;
        if (!json_is_string(sj) || !json_is_array(json_object_get(o,
                                                              "targets"))) {
                fprintf(stderr, "line %zu: %s\n", lineno, o ? "no "
                        "sentence_normalized string or targets array" :
                        jerr.text);
                json_decref(o);
                return -1;
        }
        sent = json_string_value(sj);
        slen = json_string_length(sj);
        json_array_foreach(json_object_get(o, "targets"), i, tg) {
                json_t *gid = json_object_get(tg, "Input.gid"), *out;
                size_t tb = cp_offset(sent, slen, json_integer_value(
                                              json_object_get(tg, "from")));
                size_t te = cp_offset(sent, slen, json_integer_value(
                                              json_object_get(tg, "to")));
                ink_polarity_t p;
                char *s;

                if (!json_is_string(gid))
                        continue;
                p = ink_senti_target(m, vd, sent, slen, tb, te, NULL);
                out = json_pack("{s:O,s:s}", "gid", gid, "polarity",
                                ink_polarity_name(p));
                s = json_dumps(out, JSON_COMPACT);
                printf("%s\n", s);
                free(s);
                json_decref(out);
        }
        json_decref(o);
        return 0;
}

int ink_cli_annotate_newsmtsc(const char *path) {
        FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
        ink_senti_model_t *m = NULL;
        ink_vader_t *vd = NULL;
        char errstr[512], *line = NULL;
        size_t cap = 0, lineno = 0, bad = 0;
        ssize_t n;
        int ret = 1;

        if (!fp) {
                fprintf(stderr, "inkstream annotate: %s: %s\n", path,
                        strerror(errno));
                return 1;
        }
        if (!(vd = ink_vader_new(errstr, sizeof(errstr))) ||
            !(m = ink_senti_model_load(INK_SENTI_TARGET_RESOURCE,
                                       "INK_SENTIMENT_TARGET_MODEL", errstr,
                                       sizeof(errstr)))) {
                fprintf(stderr, "inkstream annotate: %s\n", errstr);
                goto out;
        }
        if (ink_senti_model_kind(m) != INK_SENTI_TARGET) {
                fprintf(stderr, "inkstream annotate: not a target sentiment "
                        "model\n");
                goto out;
        }
        while ((n = getline(&line, &cap, fp)) >= 0) {
                lineno++;
                while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                        n--;
                if (n > 0 && newsmtsc_one(m, vd, line, (size_t)n, lineno))
                        bad++;
        }
        if (bad)
                fprintf(stderr, "annotate: %zu line(s) skipped\n", bad);
        ret = 0;
out:
        free(line);
        if (fp != stdin)
                fclose(fp);
        ink_senti_model_destroy(m);
        ink_vader_destroy(vd);
        return ret;
}

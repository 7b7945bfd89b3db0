/*
 * `inkstream annotate`: the enrichment without Kafka.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
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

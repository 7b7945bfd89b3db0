/*
 * Benchmark helper for bench/ner_speed.sh: runs the "tokens" and
 * "entities" stages (tokenizer + NER, including the document pass and
 * canonical names) over text files, each file one article (first line the
 * title), the whole set REPEAT times, on one thread, and prints words/s.
 * A word is a token with a letter or digit in it.
 *
 * Usage: ner_speed REPEAT FILE...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ink/ner.h"
#include "ink/stage.h"
#include "ink/text.h"

/* @returns the contents of \p path (owned by caller) and its length in
 * \p lenp, or NULL. */
static char *slurp(const char *path, size_t *lenp) {
        FILE *f = fopen(path, "rb");
        char *buf = NULL;
        long n;
        if (!f)
                return NULL;
        if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
            fseek(f, 0, SEEK_SET))
                goto out;
        buf = malloc((size_t)n + 1);
        if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
                free(buf);
                buf = NULL;
                goto out;
        }
        buf[n] = '\0';
        *lenp = (size_t)n;
out:
        fclose(f);
        return buf;
}

/* CPU seconds of this process. */
static double cpu_now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
        char err[512] = "";
        void *tok, *ner;
        int repeat, nfiles = argc - 2, rc = 1;
        char **texts;
        size_t *lens;
        unsigned long long words = 0, ents = 0, bytes = 0;
        double t0, t;

        if (argc < 3 || (repeat = atoi(argv[1])) < 1) {
                fprintf(stderr, "usage: ner_speed REPEAT FILE...\n");
                return 2;
        }
        texts = calloc((size_t)nfiles, sizeof(*texts));
        lens = calloc((size_t)nfiles, sizeof(*lens));
        for (int i = 0; i < nfiles; i++)
                if (!(texts[i] = slurp(argv[i + 2], &lens[i]))) {
                        fprintf(stderr, "ner_speed: cannot read %s\n",
                                argv[i + 2]);
                        return 1;
                }
        tok = ink_stage_tokens.create(err, sizeof(err));
        ner = ink_stage_entities.create(err, sizeof(err));
        if (!tok || !ner) {
                fprintf(stderr, "ner_speed: %s\n", err);
                return 1;
        }
        t0 = cpu_now();
        for (int r = 0; r < repeat; r++)
                for (int i = 0; i < nfiles; i++) {
                        ink_article_t *art = ink_article_new();
                        const char *nl = memchr(texts[i], '\n', lens[i]);
                        size_t tl = nl ? (size_t)(nl - texts[i]) : 0;
                        art->title = texts[i];
                        art->title_len = tl;
                        art->body = nl ? nl + 1 : texts[i];
                        art->body_len = lens[i] - (nl ? tl + 1 : 0);
                        if (ink_stage_tokens.run(tok, art, err,
                                                 sizeof(err)) < 0 ||
                            ink_stage_entities.run(ner, art, err,
                                                   sizeof(err)) < 0) {
                                fprintf(stderr, "ner_speed: %s: %s\n",
                                        argv[i + 2], err);
                                ink_article_destroy(art);
                                goto out;
                        }
                        for (size_t k = 0; k < art->ntoks; k++) {
                                size_t l;
                                const char *w = ink_tok_text(art, k, &l);
                                for (size_t j = 0; j < l; j++)
                                        if ((unsigned char)w[j] >= 0x80 ||
                                            (w[j] | 32) >= 'a' ?
                                            (w[j] | 32) <= 'z' ||
                                            (unsigned char)w[j] >= 0x80 :
                                            (w[j] >= '0' && w[j] <= '9')) {
                                                words++;
                                                break;
                                        }
                        }
                        ents += art->nents;
                        bytes += lens[i];
                        ink_article_destroy(art);
                }
        t = cpu_now() - t0;
        printf("articles %d x %d, %.1f MB, %llu words, %llu entities\n",
               nfiles, repeat, (double)bytes / 1e6, words, ents);
        printf("cpu %.2f s, %.0f words/s (tokenizer + NER, one thread)\n",
               t, (double)words / t);
        rc = 0;
out:
        ink_stage_entities.destroy(ner);
        ink_stage_tokens.destroy(tok);
        for (int i = 0; i < nfiles; i++)
                free(texts[i]);
        free(texts);
        free(lens);
        return rc;
}

/*
 * sentiment_speed: words per second of sentence + document sentiment (the
 * news model on every sentence, document = mean), one thread.
 *
 * Usage: sentiment_speed FILE...  (plain text; split into sentences at
 * '.', '!', '?' followed by a space or newline, as a cheap stand-in for
 * the tokenizer stage, which is not timed here).  Prints words, seconds
 * and words per second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ink/sentiment.h"

static double now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
        char err[256];
        ink_vader_t *vd = ink_vader_new(err, sizeof(err));
        ink_senti_model_t *m = vd ? ink_senti_model_load(
                INK_SENTI_NEWS_RESOURCE, "INK_SENTIMENT_NEWS_MODEL", err,
                sizeof(err)) : NULL;
        size_t words = 0, nsent = 0;
        double t0, t1, doc = 0.0;

        if (!m) {
                fprintf(stderr, "sentiment_speed: %s\n", err);
                return 1;
        }
        t0 = now();
        for (int a = 1; a < argc; a++) {
                FILE *fp = fopen(argv[a], "rb");
                char *buf;
                long len;

                if (!fp || fseek(fp, 0, SEEK_END) || (len = ftell(fp)) < 0) {
                        perror(argv[a]);
                        return 1;
                }
                rewind(fp);
                buf = malloc((size_t)len + 1);
                if (fread(buf, 1, (size_t)len, fp) != (size_t)len) {
                        perror(argv[a]);
                        return 1;
                }
                fclose(fp);
                for (long b = 0, i = 0; i <= len; i++) {
                        ink_vader_detail_t d;

                        if (i < len && !((buf[i] == '.' || buf[i] == '!' ||
                                          buf[i] == '?') && i + 1 < len &&
                                         (buf[i + 1] == ' ' ||
                                          buf[i + 1] == '\n')))
                                continue;
                        doc += ink_senti_news_score(m, vd, buf + b,
                                                    (size_t)(i - b + 1 <=
                                                             len - b ?
                                                             i - b + 1 :
                                                             len - b), &d);
                        words += d.nwords;
                        nsent++;
                        b = i + 1;
                }
                free(buf);
        }
        t1 = now();
        printf("%zu words, %zu sentences, %.3f s CPU, %.0f words/s "
               "(mean compound %.3f)\n", words, nsent, t1 - t0,
               (double)words / (t1 - t0), nsent ? doc / (double)nsent : 0.0);
        ink_senti_model_destroy(m);
        ink_vader_destroy(vd);
        return 0;
}

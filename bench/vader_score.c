/*
 * vader_score: scores text lines with the C VADER port, for comparison
 * with the Python reference (bench/vader_reference.sh builds and runs it).
 *
 * Input (stdin): one record a line, "ID<TAB>MEAN<TAB>TEXT" (CR-LF or LF).
 * Output (stdout): "ID<TAB>compound<TAB>pos<TAB>neu<TAB>neg", full
 * precision, unrounded.  Lines without two tabs are skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/vader.h"

int main(void) {
        char err[256];
        ink_vader_t *vd = ink_vader_new(err, sizeof(err));
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;

        if (!vd) {
                fprintf(stderr, "vader_score: %s\n", err);
                return 1;
        }
        while ((n = getline(&line, &cap, stdin)) > 0) {
                char *t1, *t2;
                ink_sentiment_t s;

                while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                        line[--n] = '\0';
                t1 = strchr(line, '\t');
                t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
                if (!t2)
                        continue;
                *t1 = '\0';
                t2++;
                ink_vader_score(vd, t2, (size_t)(line + n - t2), &s);
                printf("%s\t%.17g\t%.17g\t%.17g\t%.17g\n", line, s.compound,
                       s.positive, s.neutral, s.negative);
        }
        free(line);
        ink_vader_destroy(vd);
        return 0;
}

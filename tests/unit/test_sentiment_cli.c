/*
 * `inkstream annotate --newsmtsc`: one {"gid", "polarity"} line per target;
 * a line that is not NewsMTSC JSON is skipped with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

Test(sentiment_cli, newsmtsc_lines) {
        const char *bin = getenv("INK_BIN");
        char cmd[4096], out[8192];
        size_t n;
        FILE *fp;

        cr_assert(not(eq(ptr, (void *)bin, NULL)), "INK_BIN is not set");
        snprintf(cmd, sizeof(cmd), "printf '%%s\\n' "
                 "'{\"primary_gid\":\"p1\",\"sentence_normalized\":"
                 "\"Critics said Mayor Lee is a corrupt liar.\",\"targets\":"
                 "[{\"Input.gid\":\"g1\",\"from\":13,\"to\":22,\"mention\":"
                 "\"Mayor Lee\"}]}' 'not json' | %s annotate --newsmtsc "
                 "2>/dev/null", bin);
        fp = popen(cmd, "r");
        cr_assert(not(eq(ptr, fp, NULL)));
        n = fread(out, 1, sizeof(out) - 1, fp);
        out[n] = '\0';
        cr_expect(eq(int, pclose(fp), 0));
        cr_expect(strstr(out, "\"gid\": \"g1\"") ||
                  strstr(out, "\"gid\":\"g1\""), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "negative"), NULL)), "%s", out);
        cr_expect(eq(ptr, strchr(strchr(out, '\n') + 1, '\n'), NULL),
                  "one line per target: %s", out);
}

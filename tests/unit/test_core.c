#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "ink/article.h"

Test(arena, strings_and_growth) {
        ink_arena_t *a = ink_arena_new(64);
        char *s = ink_arena_strdup(a, "Zelenskyy");
        cr_expect(eq(str, s, "Zelenskyy"));
        /* a block bigger than the chunk size */
        char *big = ink_arena_alloc(a, 10000);
        memset(big, 'x', 10000);
        cr_expect(eq(str, s, "Zelenskyy"));
        int *v = NULL;
        for (int i = 0; i < 100; i++) {
                v = ink_arena_grow(a, v, (size_t)i, (size_t)i + 1, sizeof(int));
                v[i] = i;
        }
        for (int i = 0; i < 100; i++)
                cr_expect(eq(int, v[i], i));
        cr_expect(eq(str, ink_arena_sprintf(a, "%s-%d", "x", 7), "x-7"));
        ink_arena_reset(a);
        cr_expect(eq(str, ink_arena_strdup(a, "again"), "again"));
        ink_arena_destroy(a);
}

Test(time, iso8601) {
        int64_t ms;
        cr_assert(eq(int, ink_parse_iso8601("2025-01-15", &ms), 0));
        cr_expect(eq(i64, ms, 1736899200000LL));
        cr_assert(eq(int, ink_parse_iso8601("2025-01-15T10:30:00Z", &ms), 0));
        cr_expect(eq(i64, ms, 1736899200000LL + 37800000LL));
        cr_assert(eq(int, ink_parse_iso8601("2025-01-15T10:30:00+01:00", &ms), 0));
        cr_expect(eq(i64, ms, 1736899200000LL + 34200000LL));
        cr_expect(eq(int, ink_parse_iso8601("2025-13-01", &ms), -1));
        cr_expect(eq(int, ink_parse_iso8601("January 5", &ms), -1));
        cr_expect(eq(int, ink_parse_iso8601("2025-01-15junk", &ms), -1));
        cr_expect(eq(int, ink_parse_iso8601(NULL, &ms), -1));
}

Test(resources, embedded_lexicon) {
        size_t len = 0;
        const char *lex = ink_resource_get("data/sentiment/vader_lexicon.txt",
                                           &len);
        cr_assert(not(eq(ptr, (void *)lex, NULL)));
        cr_expect(gt(sz, len, 100000));
        cr_expect(eq(chr, lex[len], '\0'));
        cr_expect(eq(ptr, (void *)ink_resource_get("data/nope", &len), NULL));
}

#include <criterion/redirect.h>

static void redirect_stderr(void) {
        cr_redirect_stderr();
}

Test(log, json_line_is_one_object, .init = redirect_stderr) {
        FILE *f;
        char buf[512] = "";
        ink_log_json = 1;
        ink_log_level = INK_LOG_INFO;
        ink_log(INK_LOG_ERR, "codec", "bad \"x\"\nnext");
        ink_log(INK_LOG_DEBUG, "codec", "below the level: not printed");
        fflush(stderr);
        ink_log_json = 0;
        f = cr_get_redirected_stderr();
        cr_assert(not(eq(ptr, fgets(buf, sizeof(buf), f), NULL)));
        cr_expect(not(eq(ptr, strstr(buf, "\"level\":\"ERROR\""), NULL)), "%s", buf);
        cr_expect(not(eq(ptr, strstr(buf, "\"component\":\"codec\""), NULL)), "%s", buf);
        cr_expect(not(eq(ptr, strstr(buf, "\"msg\":\"bad \\\"x\\\"\\nnext\""), NULL)), "%s", buf);
        cr_expect(zero(strncmp(buf, "{\"ts\":\"", 7)), "%s", buf);
        /* one line: the newline in the message is escaped */
        cr_expect(eq(ptr, fgets(buf, sizeof(buf), f), NULL));
}

/*
 * The one-pass article parser against jansson: random articles written by
 * jansson (with and without \u escapes, escaped slashes, indentation, extra
 * members of every type) must read back exactly; inputs the fast path
 * leaves to jansson (escaped keys, nested objects, integer ids) too.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"

/* Appends a random piece of text to \p s (NUL-free, valid UTF-8). */
static size_t rand_text(char *s, size_t cap) {
        static const char *const pieces[] = {
                "a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f",
                "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "{", "}",
                ":", ",", "[", "]", "u", "\\u", "0", "-1e5", "null"};
        size_t n = 0, len = (size_t)(rand() % 40);
        for (size_t i = 0; i < len; i++) {
                const char *p = pieces[rand() % (int)(sizeof(pieces) /
                                                      sizeof(pieces[0]))];
                size_t pl = strlen(p);
                if (n + pl >= cap)
                        break;
                memcpy(s + n, p, pl);
                n += pl;
        }
        s[n] = '\0';
        return n;
}

static void expect_field(const char *got, const char *want, const char *name,
                         const char *in) {
        if (!want) {
                cr_expect(eq(ptr, (void *)got, NULL), "%s of %s", name, in);
                return;
        }
        cr_assert(not(eq(ptr, (void *)got, NULL)), "%s of %s", name, in);
        cr_expect(eq(str, (char *)got, (char *)want), "%s of %s", name, in);
}

Test(article_fast, random_articles_read_back_exactly) {
        static const size_t flags[] = {0, JSON_ENSURE_ASCII, JSON_COMPACT,
                                       JSON_ESCAPE_SLASH | JSON_INDENT(2),
                                       JSON_ENSURE_ASCII | JSON_COMPACT};
        srand(7);
        for (int i = 0; i < 3000; i++) {
                char id[200], title[200], body[400], url[200];
                json_t *o = json_object();
                ink_article_t *art = ink_article_new();
                char err[256] = "", *in;
                bool has_url = rand() % 2;

                rand_text(id + 1, sizeof(id) - 1);
                id[0] = 'k'; /* never empty */
                rand_text(title, sizeof(title));
                rand_text(body + 1, sizeof(body) - 1);
                body[0] = 'b'; /* never blank */
                rand_text(url, sizeof(url));
                if (rand() % 3 == 0)
                        json_object_set_new(o, "extra", json_integer(-42));
                json_object_set_new(o, "id", json_string(id));
                if (rand() % 4)
                        json_object_set_new(o, "title", json_string(title));
                json_object_set_new(o, "body", json_string(body));
                json_object_set_new(o, "url", has_url ? json_string(url)
                                                      : json_null());
                if (rand() % 2)
                        json_object_set_new(
                                o, "tags",
                                json_pack("[s, f, b, n, [i]]", body, 1.5,
                                          1, 3));
                in = json_dumps(o, flags[i % 5]);
                cr_assert(eq(int, ink_article_parse_json(art, in, strlen(in),
                                                         0, err, sizeof(err)),
                             INK_OK),
                          "%s: %s", in, err);
                expect_field(art->id, id, "id", in);
                expect_field(art->body, body, "body", in);
                cr_expect(eq(sz, art->body_len, strlen(body)), "%s", in);
                expect_field(art->title,
                             json_object_get(o, "title") ? title : "",
                             "title", in);
                cr_expect(eq(sz, art->title_len, strlen(art->title)));
                expect_field(art->url, has_url ? url : NULL, "url", in);
                expect_field(art->lang, NULL, "lang", in);
                free(in);
                json_decref(o);
                ink_article_destroy(art);
        }
}

/* Inputs the fast path hands to jansson still parse. */
Test(article_fast, fallbacks_parse_as_before) {
        static const char *const ins[] = {
                "{\"id\":\"a\",\"\\u0062ody\":\"text\"}",
                "{\"id\":\"a\",\"meta\":{\"x\":{\"y\":1}},\"body\":\"text\"}",
                "{\"id\":12,\"body\":\"text\"}",
                "{\"id\":\"a\",\"n\":123456789012345678,\"body\":\"text\"}",
                "{\"id\":\"a\",\"body\":\"te\\ud83d\\ude00xt\"}",
        };
        static const char *const ids[] = {"a", "a", "12", "a", "a"};
        static const char *const bodies[] = {"text", "text", "text", "text",
                                             "te\xf0\x9f\x98\x80xt"};
        for (size_t i = 0; i < sizeof(ins) / sizeof(ins[0]); i++) {
                ink_article_t *art = ink_article_new();
                char err[256] = "";
                cr_assert(eq(int, ink_article_parse_json(art, ins[i],
                                                         strlen(ins[i]), 0,
                                                         err, sizeof(err)),
                             INK_OK),
                          "%s: %s", ins[i], err);
                cr_expect(eq(str, (char *)art->id, (char *)ids[i]));
                cr_expect(eq(str, (char *)art->body, (char *)bodies[i]));
                ink_article_destroy(art);
        }
}

/* Errors the fast path gives up on keep jansson's messages. */
Test(article_fast, errors_keep_their_reasons) {
        static const char *const ins[] = {
                "{\"id\":\"a\",\"body\":\"x\"} trailing",
                "{\"id\":\"a\",\"body\":\"x\\ud800\"}",
                "{\"id\":\"a\",\"body\":\"x\\q\"}",
                "{\"id\":\"a\",\"body\":\"x\",\"n\":01}",
                "{\"id\":\"a\",\"body\":\"x\",}",
                "{\"id\":\"a\",\"body\":\"x\",\"t\":tru}",
                "{\"id\":\"a\",\"body\":\"a\tb\"}",
        };
        for (size_t i = 0; i < sizeof(ins) / sizeof(ins[0]); i++) {
                ink_article_t *art = ink_article_new();
                char err[256] = "";
                cr_expect(eq(int, ink_article_parse_json(art, ins[i],
                                                         strlen(ins[i]), 0,
                                                         err, sizeof(err)),
                             INK_ERR_INVALID),
                          "%s", ins[i]);
                cr_expect(not(eq(ptr, strstr(err, "malformed JSON"), NULL)),
                          "%s: %s", ins[i], err);
                ink_article_destroy(art);
        }
}

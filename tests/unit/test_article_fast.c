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

/*---- Fast path against the jansson path, input by input -------------------*/

/* Parses \p in (\p len bytes) through the jansson path.  Valid JSON is
 * steered there as fallbacks_parse_as_before does, with an escaped key
 * (a member "\u0021fj":0 added first, which no field reads).  Malformed
 * input needs no steering: the fast path gives it up, and the jansson path
 * answers with json_loadb()'s error, read here the same way.  The check
 * for invalid UTF-8 comes first on both paths. */
static ink_rc_t jansson_path(ink_article_t *art, const char *in, size_t len,
                             char *err, size_t errsz) {
        json_error_t jerr;
        json_t *root;
        const char *p = in, *end = in + len;
        const char *ins;
        char *steered;
        size_t pre;
        ink_rc_t rc;
        long bad;

        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
                           *p == '\r'))
                p++;
        if (p == end || (bad = ink_utf8_invalid_at(in, len)) >= 0 ||
            *p != '{')
                return ink_article_parse_json(art, in, len, 0, err, errsz);
        root = json_loadb(in, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!root) {
                snprintf(err, errsz, "malformed JSON at line %d column %d: %s",
                         jerr.line, jerr.column, jerr.text);
                return INK_ERR_INVALID;
        }
        json_decref(root);
        pre = (size_t)(p + 1 - in);
        steered = malloc(len + 32);
        memcpy(steered, in, pre);
        p++;
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
                           *p == '\r'))
                p++;
        ins = *p == '}' ? "\"\\u0021fj\":0" : "\"\\u0021fj\":0,";
        memcpy(steered + pre, ins, strlen(ins));
        memcpy(steered + pre + strlen(ins), in + pre, len - pre);
        rc = ink_article_parse_json(art, steered, len + strlen(ins), 0, err,
                                    errsz);
        free(steered);
        return rc;
}

static void expect_same_field(const char *got, const char *want,
                              const char *name, const char *in) {
        if (!want || !got) {
                cr_expect(eq(ptr, (void *)got, (void *)want), "%s of %s",
                          name, in);
                return;
        }
        cr_expect(eq(str, (char *)got, (char *)want), "%s of %s", name, in);
}

/* The result of \p in must be exactly the jansson path's: the code, every
 * field, and the error message. */
static void expect_as_jansson(const char *in, size_t len) {
        ink_article_t *art = ink_article_new(), *ref = ink_article_new();
        char err[256] = "", referr[256] = "";
        ink_rc_t rc = ink_article_parse_json(art, in, len, 0, err,
                                             sizeof(err));
        ink_rc_t refrc = jansson_path(ref, in, len, referr, sizeof(referr));

        cr_expect(eq(int, rc, refrc), "%s: %s / jansson: %s", in, err,
                  referr);
        if (rc != INK_OK || refrc != INK_OK) {
                cr_expect(eq(str, err, referr), "%s", in);
        } else {
                expect_same_field(art->id, ref->id, "id", in);
                expect_same_field(art->title, ref->title, "title", in);
                expect_same_field(art->body, ref->body, "body", in);
                expect_same_field(art->url, ref->url, "url", in);
                expect_same_field(art->source, ref->source, "source", in);
                expect_same_field(art->lang, ref->lang, "lang", in);
                expect_same_field(art->published, ref->published,
                                  "published", in);
                cr_expect(eq(sz, art->title_len, ref->title_len), "%s", in);
                cr_expect(eq(sz, art->body_len, ref->body_len), "%s", in);
                cr_expect(eq(i64, art->published_ms, ref->published_ms),
                          "%s", in);
        }
        ink_article_destroy(art);
        ink_article_destroy(ref);
}

#define A(rest) "{\"id\":\"a\",\"body\":\"x\"" rest "}"

/* Every shortcut of the fast path: members it only skips (strings,
 * numbers, literals, arrays) are held to jansson's grammar too. */
Test(article_fast, shortcuts_give_jansson_results_and_messages) {
        static const char *const ins[] = {
                /* escapes in skipped strings */
                A(",\"extra\":\"\\q\""),
                A(",\"extra\":\"\\ud800\""),
                A(",\"extra\":\"\\udc00\""),
                A(",\"extra\":\"\\ud800\\u0041\""),
                A(",\"extra\":\"\\ud800\\ud800\""),
                A(",\"extra\":\"ab\\ud83d\""),
                A(",\"extra\":\"\\u12\""),
                A(",\"extra\":\"\\u12G4\""),
                A(",\"extra\":\"\\u0000\""),
                A(",\"extra\":\"\\x41\""),
                A(",\"extra\":\"\\U0041\""),
                A(",\"extra\":\"\\'\""),
                A(",\"extra\":\"ok \\\" \\\\ \\/ \\b \\f \\n \\r \\t\""),
                A(",\"extra\":\"\\u00e9\\u4e2d\\ud83d\\ude00\\uFFFF\""),
                /* \u0000 and bad escapes in arrays, nested arrays */
                A(",\"extra\":[\"\\u0000\"]"),
                A(",\"extra\":[1,[\"ok\",[\"\\u0000\"]]]"),
                A(",\"extra\":[\"\\q\"]"),
                A(",\"extra\":[[[\"\\ud800\"]]]"),
                A(",\"extra\":[[\"\\u00e9\",null,true,false,-0,[]]]"),
                A(",\"extra\":[1,]"),
                A(",\"extra\":[,1]"),
                A(",\"extra\":[1 2]"),
                A(",\"extra\":[1"),
                A(",\"extra\":[{\"k\":1,\"k\":2}]"),
                /* escapes in article fields */
                A(",\"title\":\"\\q\""),
                A(",\"title\":\"\\u0000\""),
                A(",\"title\":\"t\\ud800\""),
                A(",\"title\":\"\\ud83d\\ude00\\/\""),
                /* numbers */
                A(",\"extra\":1e999"),
                A(",\"extra\":-1e999"),
                A(",\"extra\":1E400"),
                A(",\"extra\":1e-999"),
                A(",\"extra\":1.5"),
                A(",\"extra\":[1e999]"),
                A(",\"extra\":1."),
                A(",\"extra\":.5"),
                A(",\"extra\":1e"),
                A(",\"extra\":1e+"),
                A(",\"extra\":01"),
                A(",\"extra\":-01"),
                A(",\"extra\":-"),
                A(",\"extra\":+1"),
                A(",\"extra\":0x10"),
                A(",\"extra\":123456789012345678"),
                A(",\"extra\":-123456789012345678"),
                A(",\"extra\":9223372036854775807"),
                A(",\"extra\":-9223372036854775808"),
                A(",\"extra\":9223372036854775808"),
                A(",\"extra\":-9223372036854775809"),
                A(",\"extra\":99999999999999999999999"),
                A(",\"extra\":[-99999999999999999999999]"),
                A(",\"extra\":1x"),
                /* literals */
                A(",\"extra\":tru"),
                A(",\"extra\":truex"),
                A(",\"extra\":nul"),
                A(",\"extra\":True"),
                A(",\"url\":nullx"),
                A(",\"url\":null"),
                A(",\"url\":true"),
                A(",\"url\":1"),
                /* control characters */
                A(",\"extra\":\"a\tb\""),
                A(",\"extra\":\"a\x01\""),
                A(",\"extra\":\"a\x1f\""),
                A(",\"extra\":[\"\n\"]"),
                A(",\"ex\ttra\":1"),
                A(",\"extra\":\"a\x7f\""),
                /* invalid UTF-8, in strings and out */
                A(",\"extra\":\"\xc3(\""),
                A(",\"extra\":\"\xc0\xaf\""),
                A(",\"extra\":\"\xed\xa0\x80\""),
                A(",\"extra\":\"\xf4\x90\x80\x80\""),
                A(",\"extra\":[\"\xff\"]"),
                A(",\"extra\":\xc3\xa9"),
                A(",\"\xe9\":1"),
                /* duplicate keys */
                A(",\"extra\":1,\"extra\":1"),
                A(",\"id\":\"b\""),
                A(",\"\\u0069d\":\"b\""),
                A(",\"extra\":{\"k\":1,\"k\":2}"),
                A(",\"\\u0000\":1"),
                /* trailing garbage, structure */
                A("") " x",
                A("") "}",
                A("") ",",
                A("") "{}",
                A("") " \n\t\r ",
                "{\"id\":\"a\",\"body\":\"x\"",
                "{\"id\":\"a\",\"body\":\"x\",}",
                "{\"id\":\"a\",\"body\":\"x\" \"url\":\"u\"}",
                "{\"id\":\"a\",\"body\" \"x\"}",
                "{\"id\":\"a\",\"body\":\"x}",
                "{\"id\":\"a\",body:\"x\"}",
                "{'id':'a','body':'x'}",
                "[{\"id\":\"a\",\"body\":\"x\"}]",
                "\"{\\\"id\\\":\\\"a\\\"}\"",
                "{}",
                "{ }",
                " {\"id\":\"a\",\"body\":\"x\"} ",
                "{\"id\":\"\",\"body\":\"x\"}",
                "{\"id\":\"a\",\"body\":\" \",\"title\":\"\\t\"}",
                "{\"id\":\"a\",\"body\":\"x\",\"published\":"
                "\"2024-03-05T10:00:00Z\"}",
                "\xef\xbb\xbf{\"id\":\"a\",\"body\":\"x\"}",
        };
        for (size_t i = 0; i < sizeof(ins) / sizeof(ins[0]); i++)
                expect_as_jansson(ins[i], strlen(ins[i]));
}

/* Deep arrays: the fast path stops at its depth, jansson at its own. */
Test(article_fast, deep_arrays_give_jansson_results) {
        static const int depths[] = {31, 32, 33, 100, 2047, 2048, 2049,
                                     5000};
        for (size_t i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
                int n = depths[i];
                char *in = malloc((size_t)n * 2 + 64), *p = in;
                p += sprintf(p, "{\"id\":\"a\",\"body\":\"x\",\"e\":");
                memset(p, '[', (size_t)n);
                p += n;
                memset(p, ']', (size_t)n);
                p += n;
                strcpy(p, "}");
                expect_as_jansson(in, strlen(in));
                free(in);
        }
}

/* Random articles, then broken: pieces spliced in at random places, bytes
 * dropped.  Whatever comes out, valid or not, must read exactly as through
 * the jansson path. */
Test(article_fast, mutated_articles_give_jansson_results) {
        static const char *const pieces[] = {
                "\\", "\\q", "\\u0000", "\\ud800", "\\udc00", "\\ud83d",
                "\\ude00", "\\u00e9", "\\u12", "\\\"", "\"", "1e999",
                "1.5", "e5", ".", "-", "0", "01", "99999999999999999999",
                "\x01", "\t", "\n", " ", ",", ":", "[", "]", "{", "}",
                "null", "nul", "true", "tru", "\"\\u0000\"", "[\"\\q\"]",
                ",\"extra\":1", ",\"id\":\"d\"", ",\"body\":\"d\"",
                "\xc3\xa9", "\xe9"};
        static const size_t flags[] = {0, JSON_ENSURE_ASCII, JSON_COMPACT,
                                       JSON_INDENT(1)};
        size_t parsed = 0, jansson_ok = 0;

        srand(11);
        for (int i = 0; i < 6000; i++) {
                char id[200], body[400], title[200];
                json_t *o = json_object();
                char *in, *m;
                size_t len;

                rand_text(id + 1, sizeof(id) - 1);
                id[0] = 'k';
                rand_text(title, sizeof(title));
                rand_text(body + 1, sizeof(body) - 1);
                body[0] = 'b';
                json_object_set_new(o, "id", json_string(id));
                if (rand() % 2)
                        json_object_set_new(o, "title", json_string(title));
                json_object_set_new(o, "body", json_string(body));
                if (rand() % 2)
                        json_object_set_new(o, "extra",
                                            json_pack("[s, i, b, n, [s]]",
                                                      title, rand() - 99,
                                                      1, body));
                if (rand() % 3 == 0)
                        json_object_set_new(o, "n", json_integer(rand()));
                in = json_dumps(o, flags[i % 4]);
                json_decref(o);
                len = strlen(in);
                m = malloc(len * 2 + 256);
                memcpy(m, in, len + 1);
                free(in);
                for (int k = 0, nmut = 1 + rand() % 3; k < nmut; k++) {
                        size_t at = (size_t)rand() % (len + 1);
                        if (rand() % 4 == 0 && len > 1) {
                                memmove(m + at, m + at + 1, len - at);
                                len--;
                        } else {
                                const char *pc = pieces[rand() % (int)(
                                        sizeof(pieces) / sizeof(pieces[0]))];
                                size_t pl = strlen(pc);
                                memmove(m + at + pl, m + at, len - at + 1);
                                memcpy(m + at, pc, pl);
                                len += pl;
                        }
                }
                m[len] = '\0';
                {
                        json_error_t jerr;
                        json_t *r = json_loadb(m, len, JSON_REJECT_DUPLICATES,
                                               &jerr);
                        ink_article_t *art = ink_article_new();
                        char err[256];
                        if (r)
                                jansson_ok++;
                        json_decref(r);
                        if (ink_article_parse_json(art, m, len, 0, err,
                                                   sizeof(err)) == INK_OK)
                                parsed++;
                        ink_article_destroy(art);
                }
                expect_as_jansson(m, len);
                free(m);
        }
        /* both kinds were seen */
        cr_expect(gt(sz, parsed, 300), "%zu parsed", parsed);
        cr_expect(gt(sz, 6000 - jansson_ok, 1000), "%zu valid", jansson_ok);
}

/*
 * The bad-input corpus (see bad_corpus.h), generated in memory.  Include
 * this file once in a test: #include "../data/bad/bad_corpus.c".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bad_corpus.h"

typedef struct cbuf_s {
        char *s;
        size_t len, cap;
} cbuf_t;

static void cb_put(cbuf_t *b, const void *p, size_t n) {
        if (b->len + n + 1 > b->cap) {
                b->cap = (b->len + n + 1) * 2;
                b->s = realloc(b->s, b->cap);
                if (!b->s)
                        abort();
        }
        memcpy(b->s + b->len, p, n);
        b->len += n;
        b->s[b->len] = '\0';
}

static void cb_str(cbuf_t *b, const char *s) {
        cb_put(b, s, strlen(s));
}

static void cb_rep(cbuf_t *b, const char *s, size_t times) {
        size_t n = strlen(s);
        for (size_t i = 0; i < times; i++)
                cb_put(b, s, n);
}

static void add(bad_corpus_t *c, const char *name, cbuf_t *b, bool valid,
                const char *err_class, const char *reason) {
        bad_rec_t *r;

        c->v = realloc(c->v, (c->cnt + 1) * sizeof(*c->v));
        if (!c->v)
                abort();
        r = &c->v[c->cnt++];
        r->name = name;
        if (!b->s)
                cb_put(b, "", 0);
        r->data = b->s;
        r->len = b->len;
        r->valid = valid;
        r->err_class = err_class;
        r->reason = reason;
        r->one_line = !memchr(b->s, '\n', b->len) &&
                      !memchr(b->s, '\r', b->len);
        memset(b, 0, sizeof(*b));
}

/* A record from a literal (\p len bytes, so NULs may be inside). */
static void add_lit(bad_corpus_t *c, const char *name, const char *lit,
                    size_t len, bool valid, const char *err_class,
                    const char *reason) {
        cbuf_t b = {0};
        cb_put(&b, lit, len);
        add(c, name, &b, valid, err_class, reason);
}

#define LIT(s) (s), sizeof(s) - 1
#define BAD(name, s, reason)                                                 \
        add_lit(&c, name, LIT(s), false, "invalid_input", reason)
#define GOOD(name, s) add_lit(&c, name, LIT(s), true, NULL, NULL)

/* {"id":"corpus-<name>","body": <body>} around raw JSON text \p body. */
static void article(cbuf_t *b, const char *name, const char *title_json) {
        cb_str(b, "{\"id\":\"corpus-");
        cb_str(b, name);
        cb_str(b, "\",");
        if (title_json) {
                cb_str(b, "\"title\":");
                cb_str(b, title_json);
                cb_str(b, ",");
        }
        cb_str(b, "\"body\":\"");
}

static void article_end(cbuf_t *b) {
        cb_str(b, "\"}");
}

bad_corpus_t bad_corpus_build(void) {
        bad_corpus_t c = {0};
        cbuf_t b = {0};
        uint64_t x = 0x9e3779b97f4a7c15ULL;

        /*---- not JSON, or JSON that is not an article ----*/
        BAD("truncated_json", "{\"id\":\"t1\",\"title\":\"Cut\",\"body\":\"cu",
            "malformed JSON");
        BAD("truncated_after_key", "{\"id\":\"t2\",\"body\"", "malformed JSON");
        BAD("plain_text", "This is not JSON at all.", "malformed JSON");
        BAD("single_quotes", "{'id':'q','body':'x'}", "malformed JSON");
        BAD("trailing_garbage", "{\"id\":\"g\",\"body\":\"x\"} trailing",
            "malformed JSON");
        BAD("two_objects", "{\"id\":\"a\",\"body\":\"x\"}\n"
                           "{\"id\":\"b\",\"body\":\"y\"}", "malformed JSON");
        BAD("top_string", "\"just a string\"", "malformed JSON");
        BAD("top_number", "42", "malformed JSON");
        BAD("top_array", "[{\"id\":\"a\",\"body\":\"x\"}]",
            "must be a JSON object");
        BAD("top_null", "null", "malformed JSON");
        BAD("empty_value", "", "empty input");
        BAD("whitespace_only", " \t \r\n  ", "empty input");
        BAD("bom_prefixed", "\xef\xbb\xbf{\"id\":\"bom\",\"body\":\"x\"}",
            "malformed JSON");
        BAD("duplicate_keys", "{\"id\":\"a\",\"id\":\"b\",\"body\":\"x\"}",
            "duplicate object key");
        BAD("huge_integer",
            "{\"id\":123456789012345678901234567890,\"body\":\"x\"}",
            "too big integer");
        BAD("huge_real", "{\"id\":\"r\",\"title\":1e999,\"body\":\"x\"}",
            "real number overflow");
        BAD("lone_surrogate_escaped",
            "{\"id\":\"s\",\"body\":\"before \\ud800 after\"}",
            "invalid Unicode");
        BAD("control_char_raw", "{\"id\":\"cc\",\"body\":\"a\x01" "b\"}",
            "control character");
        BAD("bad_escape", "{\"id\":\"e\",\"body\":\"\\q\"}", "malformed JSON");

        /* deeply nested: 100,000 '[' alone, and inside an article */
        cb_rep(&b, "[", 100000);
        add(&c, "nested_100k_arrays", &b, false, "invalid_input",
            "maximum parsing depth");
        cb_str(&b, "{\"id\":\"n\",\"body\":\"x\",\"extra\":");
        cb_rep(&b, "{\"a\":", 50000);
        cb_str(&b, "1");
        cb_rep(&b, "}", 50000);
        cb_str(&b, "}");
        add(&c, "nested_50k_objects", &b, false, "invalid_input",
            "maximum parsing depth");

        /*---- wrong types, for each field ----*/
        BAD("id_float", "{\"id\":1.5,\"body\":\"x\"}",
            "field \"id\" must be a string, not a number");
        BAD("id_bool", "{\"id\":true,\"body\":\"x\"}",
            "field \"id\" must be a string, not a boolean");
        BAD("id_object", "{\"id\":{\"v\":1},\"body\":\"x\"}",
            "field \"id\" must be a string, not an object");
        BAD("id_empty", "{\"id\":\"\",\"body\":\"x\"}", "missing field \"id\"");
        BAD("id_null", "{\"id\":null,\"body\":\"x\"}", "missing field \"id\"");
        BAD("id_missing", "{\"body\":\"x\"}", "missing field \"id\"");
        BAD("title_number", "{\"id\":\"t\",\"title\":7,\"body\":\"x\"}",
            "field \"title\" must be a string");
        BAD("body_array", "{\"id\":\"b\",\"body\":[\"x\"]}",
            "field \"body\" must be a string, not an array");
        BAD("body_number", "{\"id\":\"b\",\"body\":12}",
            "field \"body\" must be a string, not a number");
        BAD("body_missing", "{\"id\":\"b\",\"title\":\"Only a title\"}",
            "missing field \"body\"");
        BAD("body_blank", "{\"id\":\"b\",\"body\":\"  \\n\\t \"}",
            "are both empty");
        BAD("url_object", "{\"id\":\"u\",\"body\":\"x\",\"url\":{}}",
            "field \"url\" must be a string");
        BAD("source_bool", "{\"id\":\"s\",\"body\":\"x\",\"source\":false}",
            "field \"source\" must be a string");
        BAD("lang_array", "{\"id\":\"l\",\"body\":\"x\",\"lang\":[\"en\"]}",
            "field \"lang\" must be a string");
        BAD("published_number",
            "{\"id\":\"p\",\"body\":\"x\",\"published\":20240101}",
            "field \"published\" must be a string");

        /*---- bytes that are not UTF-8 text ----*/
        BAD("nul_escaped", "{\"id\":\"z\",\"body\":\"a\\u0000b\"}",
            "is not allowed");
        BAD("nul_raw", "{\"id\":\"z\",\"body\":\"a\0b\"}",
            "invalid UTF-8 at byte 19");
        BAD("utf8_lone_continuation", "{\"id\":\"u\",\"body\":\"a\x80 b\"}",
            "invalid UTF-8 at byte 19");
        BAD("utf8_truncated_sequence",
            "{\"id\":\"u\",\"body\":\"euro \xe2\x82\"}",
            "invalid UTF-8 at byte 23");
        BAD("utf8_overlong_slash", "{\"id\":\"u\",\"body\":\"\xc0\xaf\"}",
            "invalid UTF-8 at byte 18");
        BAD("utf8_overlong_3byte", "{\"id\":\"u\",\"body\":\"\xe0\x80\xaf\"}",
            "invalid UTF-8 at byte 18");
        BAD("utf8_surrogate_raw", "{\"id\":\"u\",\"body\":\"\xed\xa0\x80\"}",
            "invalid UTF-8 at byte 18");
        BAD("utf8_above_10ffff",
            "{\"id\":\"u\",\"body\":\"\xf4\x90\x80\x80\"}",
            "invalid UTF-8 at byte 18");
        BAD("utf8_invalid_lead_f8",
            "{\"id\":\"u\",\"body\":\"\xf8\x88\x80\x80\x80\"}",
            "invalid UTF-8 at byte 18");
        BAD("latin1_text", "{\"id\":\"u\",\"body\":\"caf\xe9\"}",
            "invalid UTF-8 at byte 21");
        /* UTF-16LE with a byte order mark: {"id":"w","body":"x"} */
        cb_put(&b, "\xff\xfe", 2);
        for (const char *p = "{\"id\":\"w\",\"body\":\"x\"}"; *p; p++)
                cb_put(&b, (char[]){*p, 0}, 2);
        add(&c, "utf16le_bom", &b, false, "invalid_input",
            "invalid UTF-8 at byte 0");
        /* binary noise (xorshift, fixed seed): 4 KiB */
        for (int i = 0; i < 4096; i++) {
                unsigned char ch;
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ch = (unsigned char)(x >> 24);
                cb_put(&b, &ch, 1);
        }
        add(&c, "binary_noise", &b, false, "invalid_input", "invalid UTF-8");

        /*---- over the size limit: a 10 MB body ----*/
        article(&b, "too_large", NULL);
        cb_rep(&b, "lorem ipsum ", 10 * 1024 * 1024 / 12);
        article_end(&b);
        add(&c, "body_10mb", &b, false, "too_large", "over the limit");

        /*---- odd but valid: must be enriched, in bounded time ----*/
        article(&b, "capitalised_1mb", NULL);
        cb_rep(&b, "Capitalised ", 1024 * 1024 / 12);
        article_end(&b);
        add(&c, "capitalised_1mb", &b, true, NULL, NULL);
        article(&b, "no_spaces", NULL);
        cb_rep(&b, "abcdefghij", 50000);
        article_end(&b);
        add(&c, "no_spaces_500k", &b, true, NULL, NULL);
        article(&b, "caps_100k", NULL);
        cb_rep(&b, "A", 100000);
        article_end(&b);
        add(&c, "capital_letters_100k", &b, true, NULL, NULL);
        article(&b, "bangs", "\"Wow!!!!\"");
        cb_str(&b, "Great news");
        cb_rep(&b, "!!!!", 5000);
        cb_str(&b, " Really");
        cb_rep(&b, "?!", 2000);
        article_end(&b);
        add(&c, "exclamation_runs", &b, true, NULL, NULL);
        article(&b, "emoji", NULL);
        cb_rep(&b, "\xf0\x9f\x98\x80\xf0\x9f\x8e\x89 \xe2\x9c\x88\xef\xb8"
                   "\x8f\xf0\x9f\x87\xab\xf0\x9f\x87\xb7 ", 2000);
        article_end(&b);
        add(&c, "emoji_only", &b, true, NULL, NULL);
        article(&b, "combining", NULL);
        cb_rep(&b, "e\xcc\x81\xcc\x82\xcc\x83", 20000);
        article_end(&b);
        add(&c, "combining_marks_stack", &b, true, NULL, NULL);
        article(&b, "sentences", NULL);
        cb_rep(&b, "A. ", 50000);
        article_end(&b);
        add(&c, "tiny_sentences_50k", &b, true, NULL, NULL);
        cb_str(&b, "{\"id\":\"corpus-long_title\",\"title\":\"");
        cb_rep(&b, "Headline words ", 7000);
        cb_str(&b, "\",\"body\":\"Short body.\"}");
        add(&c, "title_100k", &b, true, NULL, NULL);
        GOOD("integer_id", "{\"id\":4242,\"body\":\"An integer id is "
                           "accepted as its text.\"}");
        GOOD("escaped_unicode", "{\"id\":\"corpus-esc\",\"body\":\"Caf\\u00e9 "
                                "\\ud83d\\ude00 \\u2014 \\ufeff ok\"}");
        GOOD("unknown_fields", "{\"id\":\"corpus-unk\",\"body\":\"Text.\","
                               "\"extra\":{\"deep\":[1,2,{\"x\":null}]}}");
        GOOD("null_optionals", "{\"id\":\"corpus-nulls\",\"title\":null,"
                               "\"url\":null,\"source\":null,\"lang\":null,"
                               "\"published\":null,\"body\":\"Text.\"}");
        GOOD("bad_published_text", "{\"id\":\"corpus-pub\",\"body\":\"Text.\","
                                   "\"published\":\"not a date\"}");
        GOOD("mixed_scripts", "{\"id\":\"corpus-mixed\",\"body\":\""
                              "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 "
                              "\xe4\xbd\xa0\xe5\xa5\xbd \xd0\x9f\xd1\x80"
                              "\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 hello\"}");
        GOOD("headline_only", "{\"id\":\"corpus-flash\",\"title\":\"Flash: "
                              "storm reaches the coast\",\"body\":\"\"}");
        GOOD("one_char_body", "{\"id\":\"corpus-one\",\"body\":\"x\"}");
        GOOD("zero_width_and_rtl_marks",
             "{\"id\":\"corpus-zw\",\"body\":\"a\xe2\x80\x8b" "b\xe2\x80\x8f"
             "c\xe2\x80\xae" "d\"}");
        return c;
}

void bad_corpus_free(bad_corpus_t *c) {
        for (size_t i = 0; i < c->cnt; i++)
                free(c->v[i].data);
        free(c->v);
        memset(c, 0, sizeof(*c));
}

/*
 * The framed Avro decoder on bad input: every malformed record is refused
 * with a reason naming what was wrong, never a crash (leaks are caught by
 * the sanitizer build of this suite).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "ink/codec.h"

/* A small "Alert" (so that the codec takes it for that kind) with one
 * field of each kind the validator checks. */
static const char *tiny_schema =
        "{\"type\":\"record\",\"name\":\"Alert\",\"fields\":["
        "{\"name\":\"s\",\"type\":\"string\"},"
        "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\","
        "\"symbols\":[\"a\",\"b\"]}},"
        "{\"name\":\"u\",\"type\":[\"null\",\"long\"]},"
        "{\"name\":\"arr\",\"type\":{\"type\":\"array\",\"items\":\"int\"}},"
        "{\"name\":\"ok\",\"type\":\"boolean\"},"
        "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"null\"}}]}";

#define TINY_ID 7

static ink_avro_t *tiny_codec(void) {
        const char *texts[INK_REC_CNT] = {NULL, tiny_schema};
        char err[256];
        ink_avro_t *av = ink_avro_new_schemas(texts, err, sizeof(err));

        cr_assert(not(eq(ptr, av, NULL)), "%s", err);
        ink_avro_set_schema_id(av, INK_REC_ALERT, TINY_ID);
        return av;
}

/* Frames body \p body of \p n bytes with schema id \p id into \p out. */
static size_t frame(unsigned char *out, int32_t id, const char *body,
                    size_t n) {
        out[0] = 0;
        out[1] = (unsigned char)(id >> 24);
        out[2] = (unsigned char)(id >> 16);
        out[3] = (unsigned char)(id >> 8);
        out[4] = (unsigned char)id;
        memcpy(out + 5, body, n);
        return n + 5;
}

/* Decodes \p body (framed with the tiny id) and expects a failure whose
 * reason contains each of the NULL-terminated strings. */
static void expect_refused(const char *body, size_t n, ...) {
        ink_avro_t *av = tiny_codec();
        unsigned char buf[256];
        size_t len = frame(buf, TINY_ID, body, n);
        char err[512] = "";
        json_t *o = NULL;
        va_list ap;
        const char *want;

        cr_assert(eq(int, ink_avro_decode_json(av, INK_REC_ALERT, buf, len,
                                               &o, err, sizeof(err)),
                     INK_ERR_SCHEMA));
        cr_expect(eq(ptr, o, NULL));
        va_start(ap, n);
        while ((want = va_arg(ap, const char *)))
                cr_expect(not(eq(ptr, strstr(err, want), NULL)),
                          "\"%s\" not in: %s", want, err);
        va_end(ap);
        ink_avro_destroy(av);
}

/* A valid body: s="hi", e=b, u=long 5, arr=[1,2], ok=true, m={} */
static const char good[] = "\x04hi" "\x02" "\x02\x0a" "\x04\x02\x04\x00"
                           "\x01" "\x00";

Test(avro_decode, valid_tiny_record) {
        ink_avro_t *av = tiny_codec();
        unsigned char buf[64];
        size_t len = frame(buf, TINY_ID, good, sizeof(good) - 1);
        char err[256];
        json_t *o = NULL;

        cr_assert(eq(int, ink_avro_decode_json(av, INK_REC_ALERT, buf, len,
                                               &o, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(str, (char *)json_string_value(json_object_get(o, "s")),
                     "hi"));
        cr_expect(eq(str, (char *)json_string_value(json_object_get(o, "e")),
                     "b"));
        cr_expect(eq(i64, json_integer_value(json_object_get(o, "u")), 5));
        cr_expect(eq(sz, json_array_size(json_object_get(o, "arr")), 2));
        cr_expect(eq(int, json_is_true(json_object_get(o, "ok")) ? 1 : 0, 1));
        json_decref(o);
        ink_avro_destroy(av);
}

Test(avro_decode, every_truncation_is_refused) {
        ink_avro_t *av = tiny_codec();
        unsigned char buf[64];
        size_t full = frame(buf, TINY_ID, good, sizeof(good) - 1);
        char err[512];

        for (size_t len = 0; len < full; len++) {
                json_t *o = NULL;
                cr_expect(eq(int, ink_avro_decode_json(av, INK_REC_ALERT, buf,
                                                       len, &o, err,
                                                       sizeof(err)),
                             INK_ERR_SCHEMA), "length %zu", len);
                cr_expect(eq(ptr, o, NULL));
                if (len > 5) {
                        int named = strstr(err, "truncated") ||
                                    strstr(err, "remain");
                        cr_expect(eq(int, named, 1), "length %zu: %s", len,
                                  err);
                }
        }
        ink_avro_destroy(av);
}

Test(avro_decode, truncated_record) {
        expect_refused("\x04hi\x02", 4, "truncated record",
                       "field u", NULL);
}

Test(avro_decode, wrong_magic_byte) {
        ink_avro_t *av = tiny_codec();
        unsigned char buf[64];
        size_t len = frame(buf, TINY_ID, good, sizeof(good) - 1);
        char err[256];
        json_t *o = NULL;

        buf[0] = 0x7b;  /* '{': JSON where Avro was expected */
        cr_assert(eq(int, ink_avro_decode_any(av, buf, len, NULL, &o, err,
                                              sizeof(err)),
                     INK_ERR_SCHEMA));
        cr_expect(not(eq(ptr, strstr(err, "magic byte 0x7b"), NULL)), "%s",
                  err);
        cr_expect(eq(i64, ink_wire_schema_id(buf, len), -1));
        ink_avro_destroy(av);
}

Test(avro_decode, unknown_schema_id) {
        ink_avro_t *av = tiny_codec();
        unsigned char buf[64];
        size_t len = frame(buf, 4242, good, sizeof(good) - 1);
        char err[256];
        json_t *o = NULL;

        cr_assert(eq(int, ink_avro_decode_any(av, buf, len, NULL, &o, err,
                                              sizeof(err)),
                     INK_ERR_SCHEMA));
        cr_expect(not(eq(ptr, strstr(err, "unknown schema id 4242"), NULL)),
                  "%s", err);
        cr_expect(not(eq(ptr, strstr(err, "knows 7"), NULL)), "%s", err);
        ink_avro_destroy(av);
}

Test(avro_decode, string_longer_than_remaining_bytes) {
        /* length 100 (zig-zag 200 = 0xc8 0x01), 3 bytes follow */
        expect_refused("\xc8\x01" "abc", 5, "field s",
                       "string of 100 bytes but only 3 bytes remain", NULL);
}

Test(avro_decode, huge_string_length) {
        /* 2^62: would make Avro-C try to allocate 4 EiB */
        expect_refused("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 10,
                       "field s", "bytes but only 0 bytes remain", NULL);
}

Test(avro_decode, invalid_utf8_string) {
        expect_refused("\x06" "a\xff" "b" "\x00\x00\x00\x00\x00", 9,
                       "field s", "not valid UTF-8", "0xff", NULL);
        expect_refused("\x04" "\xed\xa0" "\x00\x00\x00\x00\x00", 8,
                       "not valid UTF-8", NULL);
}

Test(avro_decode, negative_length) {
        /* -5 is zig-zag 9 */
        expect_refused("\x09" "abcde", 6, "field s",
                       "negative string length -5", NULL);
        /* array block of -1 items followed by a byte size of -2 */
        expect_refused("\x00" "\x00" "\x00" "\x01\x03", 5, "field arr",
                       "negative block size -2", NULL);
}

Test(avro_decode, enum_and_union_index_out_of_range) {
        expect_refused("\x00" "\x04", 2, "field e", "enum index 2", NULL);
        expect_refused("\x00" "\x02" "\x04", 3, "field u",
                       "union branch 2 out of range", NULL);
        expect_refused("\x00" "\x02" "\x01", 3, "union branch -1", NULL);
}

Test(avro_decode, bad_boolean_and_trailing_bytes) {
        expect_refused("\x00\x00\x00\x00\x07\x00", 6, "field ok",
                       "boolean byte 0x07", NULL);
        expect_refused("\x00\x00\x00\x00\x01\x00" "zz", 8,
                       "2 trailing bytes", NULL);
}

Test(avro_decode, overlong_varint_and_int_range) {
        expect_refused("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11,
                       "varint longer than 10 bytes", NULL);
        /* array item 2^31 does not fit an int */
        expect_refused("\x00\x00\x00\x02\x80\x80\x80\x80\x10\x00", 10,
                       "field arr[0]", "does not fit an int", NULL);
}

Test(avro_decode, too_many_items) {
        /* a map of 2^21 null values in one block: bounded before Avro-C
         * allocates anything */
        expect_refused("\x00\x00\x00\x00\x01" "\x80\x80\x80\x02", 9,
                       "field m", "more than 1048576 items", NULL);
}

Test(avro_decode, record_of_the_wrong_kind) {
        ink_avro_t *av = tiny_codec();
        unsigned char buf[64];
        size_t len = frame(buf, TINY_ID, good, sizeof(good) - 1);
        char err[256];
        json_t *o = NULL;
        ink_record_t kind = INK_REC_ENRICHED;

        cr_expect(eq(int, ink_avro_decode_json(av, INK_REC_ENRICHED, buf, len,
                                               &o, err, sizeof(err)),
                     INK_ERR_SCHEMA));
        cr_expect(not(eq(ptr, strstr(err, "expected EnrichedArticle"), NULL)),
                  "%s", err);
        cr_assert(eq(int, ink_avro_decode_any(av, buf, len, &kind, &o, err,
                                              sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(int, kind, INK_REC_ALERT));
        json_decref(o);
        ink_avro_destroy(av);
}

Test(avro_decode, writer_schema_that_is_not_a_record_of_ours) {
        ink_avro_t *av = tiny_codec();
        char err[256];

        cr_expect(eq(int, ink_avro_add_writer(av, 9, "{\"type\":\"record\","
                                              "\"name\":\"Other\",\"fields\""
                                              ":[]}", NULL, err, sizeof(err)),
                     INK_ERR_SCHEMA));
        cr_expect(not(eq(ptr, strstr(err, "not an inkstream record"), NULL)),
                  "%s", err);
        cr_expect(eq(int, ink_avro_add_writer(av, 9, "{nope", NULL, err,
                                              sizeof(err)),
                     INK_ERR_SCHEMA));
        cr_expect(not(eq(ptr, strstr(err, "not a valid Avro schema"), NULL)),
                  "%s", err);
        ink_avro_destroy(av);
}

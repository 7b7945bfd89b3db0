/*
 * `inkstream dlq` library parts: header decoding, the filter, previews,
 * the JSON form and the replay headers; the command's usage errors.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/dlq.h"

static rd_kafka_headers_t *dead_letter_headers(void) {
        rd_kafka_headers_t *h = rd_kafka_headers_new(8);
        rd_kafka_header_add(h, "trace", -1, "abc", -1);
        rd_kafka_header_add(h, INK_DLQ_H_CLASS, -1, "invalid_input", -1);
        rd_kafka_header_add(h, INK_DLQ_H_REASON, -1,
                            "invalid UTF-8 at byte 17", -1);
        rd_kafka_header_add(h, INK_DLQ_H_STAGE, -1, "parse", -1);
        rd_kafka_header_add(h, INK_DLQ_H_TOPIC, -1, "articles.raw", -1);
        rd_kafka_header_add(h, INK_DLQ_H_PARTITION, -1, "3", -1);
        rd_kafka_header_add(h, INK_DLQ_H_OFFSET, -1, "1234", -1);
        rd_kafka_header_add(h, INK_DLQ_H_TIME, -1, "1700000000123", -1);
        rd_kafka_header_add(h, INK_DLQ_H_REPLAYED, -1, "old:0:1", -1);
        rd_kafka_header_add(h, "nullvalue", -1, NULL, 0);
        return h;
}

static ink_dlq_rec_t rec_of(rd_kafka_headers_t *h, const char *value,
                            size_t len) {
        ink_dlq_rec_t r = {.topic = "articles.dlq", .partition = 1,
                           .offset = 42, .key = "k1", .key_len = 2,
                           .value = value, .len = len, .hdrs = h};
        return r;
}

Test(dlq_tool, info_from_headers) {
        rd_kafka_headers_t *h = dead_letter_headers();
        ink_dlq_rec_t r = rec_of(h, "x", 1);
        ink_dlq_info_t info;

        ink_dlq_info_get(&r, &info);
        cr_assert_str_eq(info.err_class, "invalid_input");
        cr_assert_str_eq(info.reason, "invalid UTF-8 at byte 17");
        cr_assert_str_eq(info.stage, "parse");
        cr_assert_str_eq(info.src_topic, "articles.raw");
        cr_assert_eq(info.src_partition, 3);
        cr_assert_eq(info.src_offset, 1234);
        cr_assert_eq(info.time_ms, 1700000000123LL);
        rd_kafka_headers_destroy(h);

        /* a record that is no dead letter: empty fields, no crash */
        r.hdrs = NULL;
        ink_dlq_info_get(&r, &info);
        cr_assert_str_eq(info.err_class, "");
        cr_assert_eq(info.src_offset, -1);
        cr_assert_eq(info.time_ms, -1);

        /* a number header that is not a number */
        h = rd_kafka_headers_new(1);
        rd_kafka_header_add(h, INK_DLQ_H_OFFSET, -1, "12x", -1);
        r.hdrs = h;
        ink_dlq_info_get(&r, &info);
        cr_assert_eq(info.src_offset, -1);
        rd_kafka_headers_destroy(h);
}

Test(dlq_tool, filter_and_offsets) {
        int32_t parts[2];
        int64_t offs[2];
        ink_dlq_filter_t f = {0};
        ink_dlq_info_t info;

        memset(&info, 0, sizeof(info));
        strcpy(info.err_class, "too_large");
        cr_assert(ink_dlq_filter_match(&f, &info, 0, 7));
        f.err_class = "invalid_input";
        cr_assert_not(ink_dlq_filter_match(&f, &info, 0, 7));
        f.err_class = "too_large";
        cr_assert(ink_dlq_filter_match(&f, &info, 0, 7));

        cr_assert_eq(ink_dlq_parse_offset("17", &parts[0], &offs[0]), 0);
        cr_assert_eq(parts[0], -1);
        cr_assert_eq(offs[0], 17);
        cr_assert_eq(ink_dlq_parse_offset("2:5", &parts[1], &offs[1]), 0);
        cr_assert_eq(parts[1], 2);
        cr_assert_eq(offs[1], 5);
        f.partitions = parts;
        f.offsets = offs;
        f.noffsets = 2;
        cr_assert(ink_dlq_filter_match(&f, &info, 0, 17));
        cr_assert(ink_dlq_filter_match(&f, &info, 4, 17));
        cr_assert(ink_dlq_filter_match(&f, &info, 2, 5));
        cr_assert_not(ink_dlq_filter_match(&f, &info, 1, 5));
        cr_assert_not(ink_dlq_filter_match(&f, &info, 0, 18));

        cr_assert_eq(ink_dlq_parse_offset("", &parts[0], &offs[0]), -1);
        cr_assert_eq(ink_dlq_parse_offset("-1", &parts[0], &offs[0]), -1);
        cr_assert_eq(ink_dlq_parse_offset("x", &parts[0], &offs[0]), -1);
        cr_assert_eq(ink_dlq_parse_offset("1:", &parts[0], &offs[0]), -1);
        cr_assert_eq(ink_dlq_parse_offset(":4", &parts[0], &offs[0]), -1);
        cr_assert_eq(ink_dlq_parse_offset("1:2:3", &parts[0], &offs[0]),
                     -1);
        cr_assert_eq(ink_dlq_parse_offset("4 ", &parts[0], &offs[0]), -1);
}

Test(dlq_tool, preview_escapes_and_cuts) {
        char out[128];

        ink_dlq_preview("plain", 5, 100, out, sizeof(out));
        cr_assert_str_eq(out, "plain");
        ink_dlq_preview("a\"b\\c\nd\te\r", 10, 100, out, sizeof(out));
        cr_assert_str_eq(out, "a\\\"b\\\\c\\nd\\te\\r");
        ink_dlq_preview("x\0y\x01\xff\x1b", 6, 100, out, sizeof(out));
        cr_assert_str_eq(out, "x\\x00y\\x01\\xff\\x1b");
        /* valid UTF-8 stays; overlong, surrogate and C1 bytes escaped */
        ink_dlq_preview("caf\xc3\xa9 \xc0\xaf \xed\xa0\x80 \xc2\x85", 15,
                        100, out, sizeof(out));
        cr_assert_str_eq(out, "caf\xc3\xa9 \\xc0\\xaf \\xed\\xa0\\x80 "
                              "\\xc2\\x85");
        /* a multibyte character cut by the limit is escaped, not split */
        ink_dlq_preview("ab\xc3\xa9", 4, 3, out, sizeof(out));
        cr_assert_str_eq(out, "ab\\xc3... (4 bytes)");
        ink_dlq_preview("0123456789", 10, 4, out, sizeof(out));
        cr_assert_str_eq(out, "0123... (10 bytes)");
        /* a small output buffer: cut, still terminated, tail kept */
        ink_dlq_preview("\x01\x02\x03\x04\x05\x06", 6, 100, out, 25);
        cr_assert_str_eq(out, "\\x01\\x02\\x03\\x04\\x05\\x06");
        ink_dlq_preview("\x01\x02\x03\x04\x05\x06", 6, 100, out, 24);
        cr_assert_str_eq(out, "\\x01\\x02... (6 bytes)");
        ink_dlq_preview("abc", 3, 100, out, 4);
        cr_assert_str_eq(out, "abc");
        ink_dlq_preview("abcd", 4, 100, out, 4);
        cr_assert_str_eq(out, "");
        ink_dlq_preview("abcd", 4, 2, out, 14);
        cr_assert_str_eq(out, "... (4 bytes)");
        ink_dlq_preview(NULL, 0, 100, out, sizeof(out));
        cr_assert_str_eq(out, "");
}

Test(dlq_tool, json_form) {
        rd_kafka_headers_t *h = dead_letter_headers();
        ink_dlq_rec_t r = rec_of(h, "{\"id\":1}", 8);
        ink_dlq_info_t info;
        json_t *o;

        ink_dlq_info_get(&r, &info);
        o = ink_dlq_to_json(&r, &info);
        cr_assert_str_eq(json_string_value(json_object_get(o, "class")),
                         "invalid_input");
        cr_assert_str_eq(json_string_value(json_object_get(o, "value")),
                         "{\"id\":1}");
        cr_assert_str_eq(json_string_value(json_object_get(o, "key")), "k1");
        cr_assert_str_eq(json_string_value(json_object_get(o, "time")),
                         "2023-11-14T22:13:20.123Z");
        cr_assert_eq(json_integer_value(json_object_get(
                             json_object_get(o, "source"), "offset")),
                     1234);
        cr_assert_eq(json_integer_value(json_object_get(o, "offset")), 42);
        json_decref(o);

        /* binary bytes: base64, never a broken string */
        r = rec_of(h, "\xff\x00\x01", 3);
        r.key = NULL;
        r.key_len = 0;
        o = ink_dlq_to_json(&r, &info);
        cr_assert_null(json_object_get(o, "value"));
        cr_assert_str_eq(json_string_value(json_object_get(o,
                                                           "value_base64")),
                         "/wAB");
        cr_assert_null(json_object_get(o, "key"));
        json_decref(o);

        r = rec_of(h, "ab", 2);
        o = ink_dlq_to_json(&r, &info);
        cr_assert_str_eq(json_string_value(json_object_get(o, "value")),
                         "ab");
        json_decref(o);
        r = rec_of(h, "\x80\x80\x80\x80", 4);
        o = ink_dlq_to_json(&r, &info);
        cr_assert_str_eq(json_string_value(json_object_get(o,
                                                           "value_base64")),
                         "gICAgA==");
        json_decref(o);
        rd_kafka_headers_destroy(h);
}

Test(dlq_tool, readable_form) {
        rd_kafka_headers_t *h = dead_letter_headers();
        ink_dlq_rec_t r = rec_of(h, "bad\x01value", 9);
        ink_dlq_info_t info;
        char *buf = NULL;
        size_t len = 0;
        FILE *fp = open_memstream(&buf, &len);

        ink_dlq_info_get(&r, &info);
        ink_dlq_print(fp, &r, &info);
        fclose(fp);
        cr_assert(strstr(buf, "2023-11-14T22:13:20.123Z  articles.dlq [1] "
                              "@42  <-  articles.raw [3] @1234\n"), "%s",
                  buf);
        cr_assert(strstr(buf, "invalid_input in parse: invalid UTF-8 at "
                              "byte 17\n"), "%s", buf);
        cr_assert(strstr(buf, "key \"k1\", 9 bytes: \"bad\\x01value\""),
                  "%s", buf);
        free(buf);
        rd_kafka_headers_destroy(h);
}

Test(dlq_tool, replay_headers) {
        rd_kafka_headers_t *h = dead_letter_headers(), *out;
        ink_dlq_rec_t r = rec_of(h, "x", 1);
        const char *name;
        const void *v;
        size_t sz, n = 0;

        out = ink_dlq_replay_headers(&r);
        while (!rd_kafka_header_get_all(out, n, &name, &v, &sz)) {
                cr_assert(strncmp(name, "inkstream.error.", 16), "%s", name);
                cr_assert(strncmp(name, "inkstream.source.", 17), "%s",
                          name);
                n++;
        }
        cr_assert_eq(n, 3, "trace, nullvalue, replayed.from");
        cr_assert_eq(rd_kafka_header_get_last(out, "trace", &v, &sz), 0);
        cr_assert_eq(sz, 3);
        cr_assert_eq(memcmp(v, "abc", 3), 0);
        cr_assert_eq(rd_kafka_header_get_last(out, "nullvalue", &v, &sz), 0);
        cr_assert_null(v);
        cr_assert_eq(rd_kafka_header_get_last(out, INK_DLQ_H_REPLAYED, &v,
                                              &sz), 0);
        cr_assert_eq(sz, strlen("articles.dlq:1:42"));
        cr_assert_eq(memcmp(v, "articles.dlq:1:42", sz), 0);
        rd_kafka_headers_destroy(out);
        rd_kafka_headers_destroy(h);

        r.hdrs = NULL;
        out = ink_dlq_replay_headers(&r);
        cr_assert_eq(rd_kafka_header_cnt(out), 1);
        rd_kafka_headers_destroy(out);
}

/* Usage errors are caught before any broker is contacted. */
static int run_dlq(const char *args) {
        char cmd[1024];
        const char *bin = getenv("INK_BIN");
        int st;

        cr_assert(bin, "INK_BIN is not set (run through ctest)");
        snprintf(cmd, sizeof(cmd), "%s dlq --brokers 127.0.0.1:1 %s "
                 ">/dev/null 2>&1", bin, args);
        st = system(cmd);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(dlq_tool, usage_errors) {
        cr_assert_eq(run_dlq("--replay"), 2);
        cr_assert_eq(run_dlq("--all"), 2);
        cr_assert_eq(run_dlq("--to x"), 2);
        cr_assert_eq(run_dlq("--replay --all --offset 3"), 2);
        cr_assert_eq(run_dlq("--replay --offset x"), 2);
        cr_assert_eq(run_dlq("--offset"), 2);
        cr_assert_eq(run_dlq("--replay=1 --all"), 2);
        cr_assert_eq(run_dlq("--replay --all --to articles.dlq"), 2);
        cr_assert_eq(run_dlq("--bogus"), 2);
        cr_assert_eq(run_dlq("stray"), 2);
        cr_assert_eq(run_dlq("--help"), 0);
}

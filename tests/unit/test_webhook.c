/*
 * Webhook client against a real HTTP receiver in the test process: bodies,
 * signatures, retries with backoff, no retry on 4xx, timeouts, refused
 * connections, the rate limit.
 */
#include <criterion/criterion.h>

#include "ink/delivery.h"
#include "webhook_receiver.h"

static json_t *sample_alert(const char *title) {
        return json_pack("{s:s, s:s, s:s, s:[s,s], s:s, s:s, s:[s], s:s, "
                         "s:s, s:n, s:s, s:s, s:s, s:s, s:I, s:s}",
                         "alert_id", "a1b2", "type", "summit", "event_key",
                         "summit|call|Ann Example|Bob Sample",
                         "participants", "Ann Example", "Bob Sample", "mode",
                         "call", "status", "planned", "venues", "Geneva",
                         "when_text", "next week", "when_date", "2030-01-10",
                         "cameo", "evidence", "They will talk next week.",
                         "article_id", "art-1", "article_title", title,
                         "article_url", "https://news.example/a?b=1&c=2",
                         "detected", (json_int_t)1900000000000LL,
                         "model_version", "test");
}

static ink_webhook_opts_t opts_for(const char *url) {
        ink_webhook_opts_t o;
        memset(&o, 0, sizeof(o));
        o.url = url;
        o.retries = 3;
        o.backoff_ms = 100;
        o.timeout_ms = 2000;
        return o;
}

Test(webhook, json_body_is_the_record) {
        json_t *a = sample_alert("Leaders to talk"), *back;
        char *b = ink_webhook_body(INK_WEBHOOK_JSON, a);

        cr_assert(b);
        back = json_loads(b, 0, NULL);
        cr_assert(json_equal(a, back));
        json_decref(back);
        json_decref(a);
        free(b);
        cr_assert_null(ink_webhook_body(INK_WEBHOOK_JSON, NULL));
}

Test(webhook, slack_body_has_every_field_escaped) {
        json_t *a = sample_alert("<script>alert(1)</script> & more"), *m;
        char *b = ink_webhook_body(INK_WEBHOOK_SLACK, a);
        const char *text, *mrk;

        cr_assert(b);
        m = json_loads(b, 0, NULL);
        cr_assert(m);
        text = json_string_value(json_object_get(m, "text"));
        mrk = json_string_value(json_object_get(
                json_object_get(json_array_get(json_object_get(m, "blocks"),
                                               0),
                                "text"),
                "text"));
        cr_assert(text && mrk);
        for (const char *const *w = (const char *const[]){
                     "Summit planned (call): Ann Example, Bob Sample",
                     "Participants: Ann Example, Bob Sample", "Mode: call",
                     "Status: planned", "Venues: Geneva",
                     "When: next week (2030-01-10)",
                     "https://news.example/a?b=1&c=2", NULL};
             *w; w++)
                cr_assert(strstr(text, *w), "missing %s in %s", *w, text);
        cr_assert(strstr(mrk, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
                              "more"), "%s", mrk);
        cr_assert_null(strstr(mrk, "<script>"));
        cr_assert(strstr(mrk, "<https://news.example/a?b=1&c=2|"), "%s", mrk);
        json_decref(m);
        json_decref(a);
        free(b);
}

Test(webhook, parse_format) {
        ink_webhook_format_t f;
        cr_assert_eq(ink_webhook_parse_format("slack", &f), 0);
        cr_assert_eq(f, INK_WEBHOOK_SLACK);
        cr_assert_eq(ink_webhook_parse_format("json", &f), 0);
        cr_assert_eq(f, INK_WEBHOOK_JSON);
        cr_assert_eq(ink_webhook_parse_format("xml", &f), -1);
}

Test(webhook, signature_matches_openssl_cli) {
        char hex[65];
        /* printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac s3cret */
        ink_webhook_sign("s3cret", "1700000000", "{\"a\":1}", 7, hex);
        cr_assert_str_eq(hex, "1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d57"
                              "37cdb789e4cc6e098940");
}

Test(webhook, rejects_non_http_url) {
        char err[256];
        ink_webhook_opts_t o = opts_for("file:///etc/passwd");
        cr_assert_null(ink_webhook_new(&o, err, sizeof(err)));
        cr_assert(strstr(err, "http://"));
}

Test(webhook, retries_5xx_with_backoff_then_succeeds) {
        rcv_t *r = rcv_start(200);
        char *url = rcv_url(r, "/hook"), err[256];
        ink_webhook_opts_t o = opts_for(url);
        ink_webhook_t *wh = ink_webhook_new(&o, err, sizeof(err));
        ink_webhook_result_t res;
        json_t *a = sample_alert("t");
        int64_t t0;

        rcv_script(r, (const int[]){500, 503}, 2);
        t0 = rcv_now_ms();
        cr_assert_eq(ink_webhook_deliver(wh, a, &res), INK_OK, "%s",
                     res.errstr);
        cr_assert_eq(res.attempts, 3);
        cr_assert_eq(res.status, 200);
        cr_assert_eq(rcv_count(r), 3);
        /* backoff 100 then 200 ms, jittered into [d/2, d] */
        cr_assert_geq(r->reqs[1].at_ms - r->reqs[0].at_ms, 45);
        cr_assert_geq(r->reqs[2].at_ms - r->reqs[1].at_ms, 95);
        cr_assert_lt(rcv_now_ms() - t0, 2000);
        cr_assert_str_eq(r->reqs[0].ctype, "application/json");
        cr_assert_str_eq(r->reqs[0].sig, "");
        json_decref(a);
        ink_webhook_destroy(wh);
        rcv_stop(r);
        free(url);
}

Test(webhook, no_retry_on_4xx_and_keeps_response) {
        rcv_t *r = rcv_start(400);
        char *url = rcv_url(r, "/"), err[256];
        ink_webhook_opts_t o = opts_for(url);
        ink_webhook_t *wh = ink_webhook_new(&o, err, sizeof(err));
        ink_webhook_result_t res;
        json_t *a = sample_alert("t");

        cr_assert_eq(ink_webhook_deliver(wh, a, &res), INK_ERR_INVALID);
        cr_assert_eq(res.attempts, 1);
        cr_assert_eq(res.status, 400);
        cr_assert_str_eq(res.body, "{\"answer\":400}");
        cr_assert(strstr(res.errstr, "400"));
        cr_assert_eq(rcv_count(r), 1);
        json_decref(a);
        ink_webhook_destroy(wh);
        rcv_stop(r);
        free(url);
}

Test(webhook, retries_429) {
        rcv_t *r = rcv_start(200);
        char *url = rcv_url(r, "/"), err[256];
        ink_webhook_opts_t o = opts_for(url);
        ink_webhook_t *wh = ink_webhook_new(&o, err, sizeof(err));
        ink_webhook_result_t res;
        json_t *a = sample_alert("t");

        rcv_script(r, (const int[]){429}, 1);
        cr_assert_eq(ink_webhook_deliver(wh, a, &res), INK_OK);
        cr_assert_eq(res.attempts, 2);
        json_decref(a);
        ink_webhook_destroy(wh);
        rcv_stop(r);
        free(url);
}

Test(webhook, gives_up_after_retries_on_5xx) {
        rcv_t *r = rcv_start(502);
        char *url = rcv_url(r, "/"), err[256];
        ink_webhook_opts_t o = opts_for(url);
        ink_webhook_t *wh = ink_webhook_new(&o, err, sizeof(err));
        ink_webhook_result_t res;
        json_t *a = sample_alert("t");

        o.retries = 2;
        ink_webhook_destroy(wh);
        wh = ink_webhook_new(&o, err, sizeof(err));
        cr_assert_eq(ink_webhook_deliver(wh, a, &res), INK_ERR_IO);
        cr_assert_eq(res.attempts, 3);
        cr_assert_eq(res.status, 502);
        cr_assert_eq(rcv_count(r), 3);
        json_decref(a);
        ink_webhook_destroy(wh);
        rcv_stop(r);
        free(url);
}

Test(webhook, hanging_receiver_is_cut_off_by_the_timeout) {
        rcv_t *r = rcv_start(200);
        char *url = rcv_url(r, "/"), err[256];
        ink_webhook_opts_t o = opts_for(url);
        ink_webhook_t *wh;
        ink_webhook_result_t res;
        json_t *a = sample_alert("t");
        int64_t t0;

        r->hang_ms = 1500;
        rcv_script(r, (const int[]){RCV_HANG}, 1);
        o.timeout_ms = 300;
        wh = ink_webhook_new(&o, err, sizeof(err));
        t0 = rcv_now_ms();
        cr_assert_eq(ink_webhook_deliver(wh, a, &res), INK_OK, "%s",
                     res.errstr);
        cr_assert_eq(res.attempts, 2);
        cr_assert_lt(rcv_now_ms() - t0, 1400);
        json_decref(a);
        ink_webhook_destroy(wh);
        rcv_stop(r);
        free(url);
}

Test(webhook, connection_refused_is_retried_then_fails) {
        rcv_t *r = rcv_start(200);
        char *url = rcv_url(r, "/"), err[256];
        ink_webhook_opts_t o = opts_for(url);
        ink_webhook_t *wh;
        ink_webhook_result_t res;
        json_t *a = sample_alert("t");

        rcv_stop(r);            /* nothing listens on that port now */
        o.retries = 2;
        o.backoff_ms = 20;
        wh = ink_webhook_new(&o, err, sizeof(err));
        cr_assert_eq(ink_webhook_deliver(wh, a, &res), INK_ERR_IO);
        cr_assert_eq(res.attempts, 3);
        cr_assert_eq(res.status, 0);
        cr_assert(strlen(res.errstr) > 0);
        json_decref(a);
        ink_webhook_destroy(wh);
        free(url);
}

Test(webhook, signature_verified_by_the_receiver) {
        rcv_t *r = rcv_start(200);
        char *url = rcv_url(r, "/"), err[256];
        ink_webhook_opts_t o = opts_for(url);
        ink_webhook_t *wh;
        ink_webhook_result_t res;
        json_t *a = sample_alert("t");

        r->secret = "correct horse";
        o.secret = "correct horse";
        wh = ink_webhook_new(&o, err, sizeof(err));
        cr_assert_eq(ink_webhook_deliver(wh, a, &res), INK_OK);
        ink_webhook_destroy(wh);
        o.secret = "wrong secret";
        wh = ink_webhook_new(&o, err, sizeof(err));
        cr_assert_eq(ink_webhook_deliver(wh, a, &res), INK_OK);
        cr_assert_eq(rcv_count(r), 2);
        cr_assert_eq(r->bad_sig, 1, "only the wrong secret fails");
        cr_assert(!strncmp(r->reqs[0].sig, "sha256=", 7));
        cr_assert_eq(strlen(r->reqs[0].sig), 7 + 64);
        json_decref(a);
        ink_webhook_destroy(wh);
        rcv_stop(r);
        free(url);
}

Test(webhook, rate_limit_paces_posts) {
        rcv_t *r = rcv_start(200);
        char *url = rcv_url(r, "/"), err[256];
        ink_webhook_opts_t o = opts_for(url);
        ink_webhook_t *wh;
        ink_webhook_result_t res;
        json_t *a = sample_alert("t");
        int64_t t0 = rcv_now_ms(), dt;

        o.rate = 4;     /* a burst of 4, then one every 250 ms */
        wh = ink_webhook_new(&o, err, sizeof(err));
        for (int i = 0; i < 8; i++)
                cr_assert_eq(ink_webhook_deliver(wh, a, &res), INK_OK);
        dt = rcv_now_ms() - t0;
        cr_assert_geq(dt, 950, "8 posts at 4/s took %lld ms", (long long)dt);
        cr_assert_lt(dt, 3000);
        json_decref(a);
        ink_webhook_destroy(wh);
        rcv_stop(r);
        free(url);
}

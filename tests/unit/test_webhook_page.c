/*
 * The live alert page server: the page, the SSE stream (history first,
 * then live alerts), errors for other paths and methods, bad addresses.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <pthread.h>
#include <unistd.h>

#include "ink/delivery.h"

typedef struct got_s {
        char buf[65536];
        size_t len;
        char ctype[128];
        char csp[256];
} got_t;

static size_t on_data(char *p, size_t size, size_t n, void *opaque) {
        got_t *g = opaque;
        size_t k = size * n, room = sizeof(g->buf) - 1 - g->len;
        memcpy(g->buf + g->len, p, k < room ? k : room);
        g->len += k < room ? k : room;
        g->buf[g->len] = '\0';
        return k;
}

static size_t on_header(char *p, size_t size, size_t n, void *opaque) {
        got_t *g = opaque;
        size_t k = size * n;
        if (!strncasecmp(p, "Content-Type:", 13))
                snprintf(g->ctype, sizeof(g->ctype), "%.*s", (int)(k - 15),
                         p + 14);
        if (!strncasecmp(p, "Content-Security-Policy:", 24))
                snprintf(g->csp, sizeof(g->csp), "%.*s", (int)(k - 26),
                         p + 25);
        return k;
}

/* GETs (or POSTs) \p path for at most \p ms.  @returns the status. */
static long fetch(int port, const char *path, bool post, int ms, got_t *g) {
        CURL *c = curl_easy_init();
        char url[128];
        long status = 0;

        memset(g, 0, sizeof(*g));
        snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, g);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, g);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)ms);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        if (post)
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, "x");
        curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(c);
        return status;
}

static json_t *alert(const char *key, const char *status, const char *t) {
        return json_pack("{s:s, s:s, s:s, s:[s], s:s}", "event_key", key,
                         "status", status, "article_title", t,
                         "participants", "Ann Example", "type", "summit");
}

Test(page, serves_the_page_with_a_strict_policy) {
        char err[256];
        ink_alert_page_t *pg = ink_alert_page_new("127.0.0.1:0", 5, err,
                                                  sizeof(err));
        got_t g;

        cr_assert(pg, "%s", err);
        cr_assert_gt(ink_alert_page_port(pg), 0);
        cr_assert_eq(fetch(ink_alert_page_port(pg), "/", false, 2000, &g),
                     200);
        cr_assert(strstr(g.ctype, "text/html"), "%s", g.ctype);
        cr_assert(strstr(g.csp, "default-src 'none'"), "%s", g.csp);
        cr_assert(strstr(g.buf, "<!doctype html>"));
        cr_assert(strstr(g.buf, "name=\"viewport\""));
        /* self-contained: no external scripts, styles or fonts */
        cr_assert_null(strstr(g.buf, "src=\"http"));
        cr_assert_null(strstr(g.buf, "href=\"http"));
        /* cards are built as text, never as markup */
        cr_assert_null(strstr(g.buf, "innerHTML"));
        cr_assert_eq(fetch(ink_alert_page_port(pg), "/nope", false, 2000, &g),
                     404);
        cr_assert_eq(fetch(ink_alert_page_port(pg), "/", true, 2000, &g),
                     405);
        ink_alert_page_destroy(pg);
}

Test(page, new_viewer_gets_the_last_n_alerts) {
        char err[256];
        ink_alert_page_t *pg = ink_alert_page_new("localhost:0", 2, err,
                                                  sizeof(err));
        got_t g;

        cr_assert(pg, "%s", err);
        for (int i = 0; i < 3; i++) {
                char t[32];
                json_t *a;
                snprintf(t, sizeof(t), "headline %d", i);
                a = alert("k", "planned", t);
                ink_alert_page_publish(pg, a);
                json_decref(a);
        }
        fetch(ink_alert_page_port(pg), "/events", false, 400, &g);
        cr_assert(strstr(g.ctype, "text/event-stream"), "%s", g.ctype);
        cr_assert_null(strstr(g.buf, "headline 0"), "%s", g.buf);
        cr_assert(strstr(g.buf, "id: 1\nevent: alert\ndata: {"), "%s", g.buf);
        cr_assert(strstr(g.buf, "headline 2"), "%s", g.buf);
        cr_assert(strstr(g.buf, "retry: "));
        ink_alert_page_destroy(pg);
}

typedef struct later_s {
        ink_alert_page_t *pg;
} later_t;

static void *publish_later(void *arg) {
        later_t *l = arg;
        json_t *a = alert("k2", "confirmed", "<script>x</script>\nline");
        while (ink_alert_page_viewers(l->pg) < 1)
                usleep(10000);
        usleep(100000);
        ink_alert_page_publish(l->pg, a);
        json_decref(a);
        return NULL;
}

Test(page, live_alerts_reach_a_connected_viewer) {
        char err[256];
        ink_alert_page_t *pg = ink_alert_page_new("127.0.0.1:0", 10, err,
                                                  sizeof(err));
        later_t l = {pg};
        pthread_t th;
        got_t g;
        const char *d;

        cr_assert(pg, "%s", err);
        pthread_create(&th, NULL, publish_later, &l);
        fetch(ink_alert_page_port(pg), "/events", false, 1500, &g);
        pthread_join(th, NULL);
        d = strstr(g.buf, "data: ");
        cr_assert(d, "%s", g.buf);
        /* one line per event: the newline in the title stays escaped */
        cr_assert(strstr(d, "\\nline"), "%s", d);
        cr_assert(strstr(d, "\"status\":\"confirmed\""), "%s", d);
        ink_alert_page_destroy(pg);
}

Test(page, rejects_bad_addresses) {
        char err[256];
        cr_assert_null(ink_alert_page_new("nohost", 5, err, sizeof(err)));
        cr_assert(strstr(err, "127.0.0.1:8088"));
        cr_assert_null(ink_alert_page_new("example.org:80", 5, err,
                                          sizeof(err)));
        cr_assert_null(ink_alert_page_new("127.0.0.1:99999", 5, err,
                                          sizeof(err)));
}

Test(page, address_in_use_is_an_error) {
        char err[256];
        ink_alert_page_t *a = ink_alert_page_new("127.0.0.1:0", 5, err,
                                                 sizeof(err)), *b;
        char addr[64];

        cr_assert(a);
        snprintf(addr, sizeof(addr), "127.0.0.1:%d", ink_alert_page_port(a));
        b = ink_alert_page_new(addr, 5, err, sizeof(err));
        cr_assert_null(b);
        cr_assert(strstr(err, "cannot listen"), "%s", err);
        ink_alert_page_destroy(a);
}

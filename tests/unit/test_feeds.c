/*
 * Feeds in: RSS 2.0, Atom and ninjs mapped to articles; detection; HTML to
 * text; RFC 822 dates; malformed files and items.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/feeds.h"

#define MAXITEMS 16

typedef struct got_s {
        size_t n;
        size_t index[MAXITEMS];
        json_t *art[MAXITEMS];
        char *err[MAXITEMS];
} got_t;

static void collect(void *opaque, size_t index, json_t *article,
                    const char *error) {
        got_t *g = opaque;
        cr_assert_lt(g->n, MAXITEMS);
        cr_assert((article != NULL) != (error != NULL),
                  "exactly one of article and error");
        g->index[g->n] = index;
        g->art[g->n] = article ? json_deep_copy(article) : NULL;
        g->err[g->n] = error ? strdup(error) : NULL;
        g->n++;
}

static void got_free(got_t *g) {
        for (size_t i = 0; i < g->n; i++) {
                json_decref(g->art[i]);
                free(g->err[i]);
        }
}

static char *slurp(const char *name, size_t *lenp) {
        char path[1024];
        FILE *fp;
        char *buf;
        long n;

        snprintf(path, sizeof(path), "%s/feeds/%s", INK_TEST_DATA, name);
        fp = fopen(path, "rb");
        cr_assert(fp, "open %s", path);
        fseek(fp, 0, SEEK_END);
        n = ftell(fp);
        rewind(fp);
        buf = malloc((size_t)n + 1);
        cr_assert_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
        buf[n] = '\0';
        fclose(fp);
        *lenp = (size_t)n;
        return buf;
}

static ink_rc_t parse_file(const char *name, ink_feed_format_t fmt,
                           got_t *g, char *errstr, size_t size) {
        size_t len;
        char *buf = slurp(name, &len);
        ink_rc_t rc;

        memset(g, 0, sizeof(*g));
        errstr[0] = '\0';
        rc = ink_feed_parse(fmt, buf, len, collect, g, errstr, size);
        free(buf);
        return rc;
}

static const char *field(json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

/* Every mapped article must be accepted by the article parser as is. */
static void assert_valid_article(json_t *o) {
        char *s = json_dumps(o, JSON_COMPACT), err[512];
        ink_article_t *art = ink_article_new();
        cr_assert_eq(ink_article_parse_json(art, s, strlen(s),
                                            INK_MAX_ARTICLE_DEFAULT, err,
                                            sizeof(err)),
                     INK_OK, "%s: %s", s, err);
        ink_article_destroy(art);
        free(s);
}

Test(feeds, rss_items_mapped_and_bad_items_reported) {
        got_t g;
        char err[512];

        cr_assert_eq(parse_file("rss.xml", INK_FEED_AUTO, &g, err,
                                sizeof(err)), INK_OK, "%s", err);
        cr_assert_eq(g.n, 6);
        for (size_t i = 0; i < g.n; i++)
                cr_assert_eq(g.index[i], i + 1);

        cr_assert_str_eq(field(g.art[0], "id"), "gazette-2024-0001");
        cr_assert_str_eq(field(g.art[0], "title"),
                         "Ferry & bridge plans approved");
        cr_assert_str_eq(field(g.art[0], "body"),
                         "The council approved the ferry plan on Monday."
                         "\n\nWork starts in May \xe2\x80\x93 weather "
                         "permitting.");
        cr_assert_str_eq(field(g.art[0], "url"),
                         "https://gazette.example/news/ferry");
        cr_assert_str_eq(field(g.art[0], "published"),
                         "2003-06-10T04:00:00Z");
        cr_assert_str_eq(field(g.art[0], "source"), "Harbour Gazette");
        cr_assert_str_eq(field(g.art[0], "lang"), "en");

        /* no guid: the link; content:encoded wins, script dropped */
        cr_assert_str_eq(field(g.art[1], "id"),
                         "https://gazette.example/news/library");
        cr_assert_str_eq(field(g.art[1], "body"),
                         "The mayor opened the library.\n\nCaf\xc3\xa9 "
                         "\xe2\x80\x9c" "Books\xe2\x80\x9d \xe2\x80\x94 "
                         "open daily.");
        cr_assert_str_eq(field(g.art[1], "published"),
                         "2024-10-02T13:30:00Z");

        /* neither guid nor link: a hash of the title, dc:date kept */
        cr_assert_eq(strncmp(field(g.art[2], "id"), "feed-", 5), 0);
        cr_assert_eq(strlen(field(g.art[2], "id")), 21);
        cr_assert_str_eq(field(g.art[2], "published"),
                         "2024-10-03T06:00:00Z");

        cr_assert_null(g.art[3]);
        cr_assert(strstr(g.err[3], "no title, description or content"), "%s",
                  g.err[3]);
        cr_assert_null(g.art[4]);
        cr_assert(strstr(g.err[4], "pubDate \"sometime last week\""), "%s",
                  g.err[4]);

        /* the item's own source wins over the channel title */
        cr_assert_str_eq(field(g.art[5], "source"), "Coastal Wire");
        cr_assert_str_eq(field(g.art[5], "published"),
                         "2024-10-03T14:15:00Z");
        for (size_t i = 0; i < g.n; i++)
                if (g.art[i])
                        assert_valid_article(g.art[i]);
        got_free(&g);
}

Test(feeds, headline_only_item_is_an_article) {
        const char *rss = "<rss version=\"2.0\"><channel><title>C</title>"
                          "<item><guid>flash-1</guid><title>Flash: quake"
                          "</title></item></channel></rss>";
        got_t g = {0};
        char err[256];

        cr_assert_eq(ink_feed_parse(INK_FEED_AUTO, rss, strlen(rss), collect,
                                    &g, err, sizeof(err)), INK_OK, "%s", err);
        cr_assert_eq(g.n, 1);
        cr_assert_str_eq(field(g.art[0], "title"), "Flash: quake");
        cr_assert_str_eq(field(g.art[0], "body"), "");
        assert_valid_article(g.art[0]);
        got_free(&g);
}

Test(feeds, ids_stable_across_reingest) {
        got_t a, b;
        char err[512];

        parse_file("rss.xml", INK_FEED_RSS, &a, err, sizeof(err));
        parse_file("rss.xml", INK_FEED_RSS, &b, err, sizeof(err));
        cr_assert_eq(a.n, b.n);
        for (size_t i = 0; i < a.n; i++)
                if (a.art[i])
                        cr_assert_str_eq(field(a.art[i], "id"),
                                         field(b.art[i], "id"));
        got_free(&a);
        got_free(&b);
}

Test(feeds, atom_entries) {
        got_t g;
        char err[512];

        cr_assert_eq(parse_file("atom.xml", INK_FEED_AUTO, &g, err,
                                sizeof(err)), INK_OK, "%s", err);
        cr_assert_eq(g.n, 4);
        cr_assert_str_eq(field(g.art[0], "id"),
                         "urn:uuid:6b1f0f0e-courier-0001");
        cr_assert_str_eq(field(g.art[0], "title"), "Rail link opens");
        cr_assert_str_eq(field(g.art[0], "url"),
                         "https://courier.example/rail");
        cr_assert_str_eq(field(g.art[0], "body"),
                         "The first train left at dawn.\n\nTickets cost "
                         "\xe2\x82\xac" "5.");
        cr_assert_str_eq(field(g.art[0], "published"),
                         "2024-11-01T08:00:00+01:00");
        cr_assert_str_eq(field(g.art[0], "source"), "Valley Courier");
        cr_assert_str_eq(field(g.art[0], "lang"), "de");

        cr_assert_str_eq(field(g.art[1], "body"),
                         "Music all weekend.\n\nEntry is free.");
        cr_assert_str_eq(field(g.art[1], "source"), "Culture Desk");
        cr_assert_str_eq(field(g.art[1], "lang"), "fr");
        cr_assert_str_eq(field(g.art[1], "published"),
                         "2024-11-02T10:00:00Z");
        cr_assert_null(json_object_get(g.art[1], "url"));

        cr_assert_null(g.art[2]);
        cr_assert(strstr(g.err[2], "updated \"yesterday\""), "%s", g.err[2]);

        /* type="text": kept as written, markup-looking text included */
        cr_assert_str_eq(field(g.art[3], "body"),
                         "Line one.\nLine two <not a tag>.");
        got_free(&g);
}

Test(feeds, ninjs_array_and_single) {
        got_t g;
        char err[512];

        cr_assert_eq(parse_file("ninjs.json", INK_FEED_AUTO, &g, err,
                                sizeof(err)), INK_OK, "%s", err);
        cr_assert_eq(g.n, 5);
        cr_assert_str_eq(field(g.art[0], "id"),
                         "https://agency.example/item/1001");
        cr_assert_str_eq(field(g.art[0], "url"),
                         "https://agency.example/item/1001");
        cr_assert_str_eq(field(g.art[0], "title"),
                         "Port strike ends after talks");
        cr_assert_str_eq(field(g.art[0], "body"),
                         "Dock workers returned on Thursday.\n\nPay rises "
                         "by 4 %.");
        cr_assert_str_eq(field(g.art[0], "source"), "Agency Example");
        cr_assert_str_eq(field(g.art[0], "published"),
                         "2024-09-05T14:00:00Z");

        cr_assert_str_eq(field(g.art[1], "title"), "Wheat prices climb");
        cr_assert_str_eq(field(g.art[1], "body"),
                         "Prices rose for a third week.");
        cr_assert_str_eq(field(g.art[1], "source"), "Agency Wire");
        cr_assert_str_eq(field(g.art[1], "published"),
                         "2024-09-06T09:00:00Z");
        cr_assert_null(json_object_get(g.art[1], "url"));

        cr_assert(strstr(g.err[2], "must be a JSON object"), "%s", g.err[2]);
        cr_assert(strstr(g.err[3], "\"headline\" must be a string"), "%s",
                  g.err[3]);
        cr_assert(strstr(g.err[4], "no title, description or content"), "%s",
                  g.err[4]);
        got_free(&g);

        cr_assert_eq(parse_file("ninjs-one.json", INK_FEED_AUTO, &g, err,
                                sizeof(err)), INK_OK, "%s", err);
        cr_assert_eq(g.n, 1);
        cr_assert_str_eq(field(g.art[0], "id"), "urn:agency:item:2001");
        cr_assert_str_eq(field(g.art[0], "source"), "Agency One");
        assert_valid_article(g.art[0]);
        got_free(&g);
}

Test(feeds, malformed_and_hostile_files) {
        got_t g;
        char err[512];

        cr_assert_eq(parse_file("malformed.xml", INK_FEED_AUTO, &g, err,
                                sizeof(err)), INK_ERR_INVALID);
        cr_assert(strstr(err, "malformed XML at line"), "%s", err);
        cr_assert_eq(g.n, 0);

        cr_assert_eq(parse_file("entities.xml", INK_FEED_AUTO, &g, err,
                                sizeof(err)), INK_ERR_INVALID);
        cr_assert(strstr(err, "<!ENTITY>"), "%s", err);
        cr_assert_eq(g.n, 0);

        cr_assert_eq(parse_file("notfeed.xml", INK_FEED_RSS, &g, err,
                                sizeof(err)), INK_ERR_INVALID);
        cr_assert(strstr(err, "root element is <html>"), "%s", err);

        /* a forced format that does not match */
        cr_assert_eq(parse_file("atom.xml", INK_FEED_RSS, &g, err,
                                sizeof(err)), INK_ERR_INVALID);
        cr_assert(strstr(err, "not an RSS 2.0"), "%s", err);
        cr_assert_eq(g.n, 0);

        cr_assert_eq(ink_feed_parse(INK_FEED_NINJS, "[1,", 3, collect, &g,
                                    err, sizeof(err)), INK_ERR_INVALID);
        cr_assert(strstr(err, "malformed ninjs JSON"), "%s", err);
        cr_assert_eq(ink_feed_parse(INK_FEED_NINJS, "42", 2, collect, &g,
                                    err, sizeof(err)), INK_ERR_INVALID);
        cr_assert_eq(ink_feed_parse(INK_FEED_JSONL, "{}", 2, collect, &g,
                                    err, sizeof(err)), INK_ERR_INVALID);
        cr_assert(strstr(err, "not a feed format"), "%s", err);
}

Test(feeds, detect) {
        struct {
                const char *in;
                ink_feed_format_t want;
        } cases[] = {
                {"<rss version=\"2.0\"><channel/></rss>", INK_FEED_RSS},
                {"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- c -->\n<rss>",
                 INK_FEED_RSS},
                {"<?xml version=\"1.0\"?><feed xmlns=\"x\">", INK_FEED_ATOM},
                {"<html><body>", INK_FEED_TEXT},
                {"{\"id\":\"1\",\"body\":\"x\"}\n{\"id\":\"2\"}",
                 INK_FEED_JSONL},
                {"{\"id\":\"1\",\"body\":\"x\"}", INK_FEED_JSONL},
                {"{\"uri\":\"u\",\"body_text\":\"x\"}", INK_FEED_NINJS},
                {"[{\"versioncreated\":\"2024-01-01\"}]", INK_FEED_NINJS},
                {"{\"type\":\"text\"}", INK_FEED_NINJS},
                {"Title\nBody", INK_FEED_TEXT},
                {"", INK_FEED_TEXT},
                {"<!-- unterminated", INK_FEED_TEXT},
                {"<!DOCTYPE rss [<!ENTITY a \"b\">]>\n<rss>", INK_FEED_RSS},
                {"<!DOCTYPE rss [<!ENTITY a \"b\">", INK_FEED_TEXT},
        };
        ink_feed_format_t f;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                cr_assert_eq(ink_feed_detect(cases[i].in,
                                             strlen(cases[i].in)),
                             cases[i].want, "case %zu: %s", i, cases[i].in);
        cr_assert_eq(ink_feed_format_parse("ATOM", &f), 0);
        cr_assert_eq(f, INK_FEED_ATOM);
        cr_assert_eq(ink_feed_format_parse("xml", &f), -1);
        cr_assert_str_eq(ink_feed_format_name(INK_FEED_NINJS), "ninjs");
}

Test(feeds, html_to_text) {
        struct {
                const char *in, *want;
        } cases[] = {
                {"<p>a</p><p>b</p>", "a\n\nb"},
                {"  x \n\t y  ", "x y"},
                {"a<br>b<br/>c", "a\nb\nc"},
                {"<b>bold</b>face", "boldface"},
                {"AT&amp;T &lt;3 &#65;&#x42; &bogus; & done", "AT&T <3 AB "
                 "&bogus; & done"},
                {"&#0; &#xD800; &#1114112;", "\xef\xbf\xbd \xef\xbf\xbd "
                 "\xef\xbf\xbd"},
                {"a<!-- hidden <p> -->b", "ab"},
                {"<style>p{}</style>x<SCRIPT>y</script>z", "xz"},
                {"<a href=\"x>y\">link</a>", "link"},
                {"1 < 2 and 3 > 2", "1 < 2 and 3 > 2"},
                {"<p>unterminated <b", "unterminated"},
                {"<script>never closed", ""},
                {"&amp", "&amp"},
                {"x&nbsp;&nbsp;y", "x y"},
                {"", ""},
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *s = ink_html_to_text(cases[i].in, strlen(cases[i].in));
                cr_assert_str_eq(s, cases[i].want, "case %zu: %s", i,
                                 cases[i].in);
                free(s);
        }
}

Test(feeds, rfc822_dates) {
        struct {
                const char *in;
                long long want; /* seconds; -1: rejected */
        } cases[] = {
                {"Tue, 10 Jun 2003 04:00:00 GMT", 1055217600},
                {"10 Jun 2003 04:00:00 GMT", 1055217600},
                {"Tue, 10 Jun 2003 06:00:00 +0200", 1055217600},
                {"Mon, 09 Jun 2003 23:00:00 EST", 1055217600},
                {"Tue, 10 Jun 03 04:00 UT", 1055217600},
                {"Tue, 10 June 2003 04:00:00 Z", 1055217600},
                {"Sat, 29 Feb 2020 00:00:00 GMT", 1582934400},
                {"Fri, 29 Feb 2019 00:00:00 GMT", -1},
                {"Tue, 10 Foo 2003 04:00:00 GMT", -1},
                {"Tue, 10 Jun 2003 24:00:00 GMT", -1},
                {"Tue, 10 Jun 2003 04:00:00 XYZ", -1},
                {"Tue, 10 Jun 2003 04:00:00 GMT trailing", -1},
                {"2003-06-10T04:00:00Z", -1},
                {"", -1},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int64_t ms = 0;
                int r = ink_parse_rfc822(cases[i].in, &ms);
                if (cases[i].want < 0) {
                        cr_assert_eq(r, -1, "case %zu: %s", i, cases[i].in);
                } else {
                        cr_assert_eq(r, 0, "case %zu: %s", i, cases[i].in);
                        cr_assert_eq(ms, cases[i].want * 1000,
                                     "case %zu: %s: %lld", i, cases[i].in,
                                     (long long)ms);
                }
        }
}

/*
 * News feeds in: RSS 2.0 and Atom (libxml2) and IPTC ninjs (jansson),
 * each item mapped to the JSON article form of `inkstream ingest`.
 *
 * XML safety: XML_PARSE_NONET, no XML_PARSE_NOENT (entities are never
 * substituted), no XML_PARSE_DTDLOAD, and a document that declares
 * entities of its own is refused before parsing, so entity-expansion
 * attacks ("billion laughs") cannot start.
 */
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "ink/codec.h"
#include "ink/feeds.h"

#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_DC "http://purl.org/dc/elements/1.1/"

static const char *const format_names[INK_FEED_CNT] = {
        "auto", "jsonl", "text", "rss", "atom", "ninjs"};

const char *ink_feed_format_name(ink_feed_format_t fmt) {
        return fmt >= 0 && fmt < INK_FEED_CNT ? format_names[fmt] : "?";
}

int ink_feed_format_parse(const char *name, ink_feed_format_t *fmtp) {
        for (int i = 0; i < INK_FEED_CNT; i++)
                if (!strcasecmp(name, format_names[i])) {
                        *fmtp = (ink_feed_format_t)i;
                        return 0;
                }
        return -1;
}

/*---- A growing string buffer ----------------------------------------------*/

typedef struct sbuf_s {
        char *s;
        size_t len, cap;
} sbuf_t;

static void sb_put(sbuf_t *sb, const char *p, size_t n) {
        if (sb->len + n + 1 > sb->cap) {
                size_t cap = sb->cap ? sb->cap : 256;
                while (cap < sb->len + n + 1)
                        cap *= 2;
                sb->s = ink_realloc(sb->s, cap);
                sb->cap = cap;
        }
        memcpy(sb->s + sb->len, p, n);
        sb->len += n;
        sb->s[sb->len] = '\0';
}

/*---- HTML to plain text ---------------------------------------------------*/

/* Pending whitespace between visible text: collapsed, trimmed at both
 * ends, at most one blank line. */
typedef struct text_out_s {
        sbuf_t sb;
        bool space;
        int nl;
} text_out_t;

static void out_visible(text_out_t *o, const char *p, size_t n) {
        if (o->sb.len) {
                if (o->nl)
                        sb_put(&o->sb, "\n\n", o->nl > 1 ? 2 : 1);
                else if (o->space)
                        sb_put(&o->sb, " ", 1);
        }
        o->space = false;
        o->nl = 0;
        sb_put(&o->sb, p, n);
}

static void out_cp(text_out_t *o, uint32_t cp) {
        char u[4];
        size_t n;

        if (cp == 0xa0 || cp == ' ' || cp == '\t' || cp == '\n' ||
            cp == '\r' || cp < 0x20) {
                o->space = true;
                return;
        }
        if (cp == 0xad) /* soft hyphen: invisible */
                return;
        if (cp < 0x80) {
                u[0] = (char)cp;
                n = 1;
        } else if (cp < 0x800) {
                u[0] = (char)(0xc0 | (cp >> 6));
                u[1] = (char)(0x80 | (cp & 0x3f));
                n = 2;
        } else if (cp < 0x10000) {
                u[0] = (char)(0xe0 | (cp >> 12));
                u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
                u[2] = (char)(0x80 | (cp & 0x3f));
                n = 3;
        } else {
                u[0] = (char)(0xf0 | (cp >> 18));
                u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
                u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
                u[3] = (char)(0x80 | (cp & 0x3f));
                n = 4;
        }
        out_visible(o, u, n);
}

static const struct {
        const char *name;
        uint32_t cp;
} entities[] = {
        {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'},
        {"apos", '\''}, {"nbsp", 0xa0}, {"shy", 0xad}, {"ndash", 0x2013},
        {"mdash", 0x2014}, {"hellip", 0x2026}, {"lsquo", 0x2018},
        {"rsquo", 0x2019}, {"sbquo", 0x201a}, {"ldquo", 0x201c},
        {"rdquo", 0x201d}, {"bdquo", 0x201e}, {"laquo", 0xab},
        {"raquo", 0xbb}, {"copy", 0xa9}, {"reg", 0xae}, {"trade", 0x2122},
        {"euro", 0x20ac}, {"pound", 0xa3}, {"yen", 0xa5}, {"cent", 0xa2},
        {"deg", 0xb0}, {"middot", 0xb7}, {"bull", 0x2022}, {"times", 0xd7},
        {"divide", 0xf7}, {"para", 0xb6}, {"sect", 0xa7}, {"eacute", 0xe9},
        {"Eacute", 0xc9}, {"egrave", 0xe8}, {"ecirc", 0xea}, {"euml", 0xeb},
        {"aacute", 0xe1}, {"agrave", 0xe0}, {"acirc", 0xe2}, {"auml", 0xe4},
        {"Auml", 0xc4}, {"atilde", 0xe3}, {"aring", 0xe5}, {"aelig", 0xe6},
        {"ccedil", 0xe7}, {"Ccedil", 0xc7}, {"iacute", 0xed},
        {"igrave", 0xec}, {"icirc", 0xee}, {"iuml", 0xef}, {"ntilde", 0xf1},
        {"Ntilde", 0xd1}, {"oacute", 0xf3}, {"ograve", 0xf2},
        {"ocirc", 0xf4}, {"ouml", 0xf6}, {"Ouml", 0xd6}, {"otilde", 0xf5},
        {"oslash", 0xf8}, {"uacute", 0xfa}, {"ugrave", 0xf9},
        {"ucirc", 0xfb}, {"uuml", 0xfc}, {"Uuml", 0xdc}, {"yacute", 0xfd},
        {"szlig", 0xdf}, {"thinsp", 0x2009}, {"ensp", 0x2002},
        {"emsp", 0x2003}, {"zwnj", 0x200c}, {"zwj", 0x200d},
};

/* Decodes the character reference at p[0] == '&' (p < end).
 * @returns the bytes consumed (0 if it is not a reference) and *cpp. */
static size_t decode_ref(const char *p, const char *end, uint32_t *cpp) {
        const char *q = p + 1;
        uint32_t cp = 0;

        if (q < end && *q == '#') {
                bool hex = ++q < end && (*q == 'x' || *q == 'X');
                int digits = 0;
                if (hex)
                        q++;
                for (; q < end && digits < 8; q++, digits++) {
                        int d;
                        if (*q >= '0' && *q <= '9')
                                d = *q - '0';
                        else if (hex && isxdigit((unsigned char)*q))
                                d = tolower((unsigned char)*q) - 'a' + 10;
                        else
                                break;
                        cp = cp * (hex ? 16 : 10) + (uint32_t)d;
                }
                if (!digits || q >= end || *q != ';')
                        return 0;
                if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        cp = 0xfffd;
                *cpp = cp;
                return (size_t)(q + 1 - p);
        }
        while (q < end && q - p <= 10 && isalnum((unsigned char)*q))
                q++;
        if (q >= end || *q != ';' || q == p + 1)
                return 0;
        for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++)
                if (strlen(entities[i].name) == (size_t)(q - p - 1) &&
                    !memcmp(entities[i].name, p + 1, (size_t)(q - p - 1))) {
                        *cpp = entities[i].cp;
                        return (size_t)(q + 1 - p);
                }
        return 0;
}

/* @returns 2 for a paragraph-like element, 1 for a line break, else 0. */
static int block_kind(const char *name) {
        static const char *const para[] = {"p", "div", "h1", "h2", "h3",
                                           "h4", "h5", "h6", "blockquote",
                                           "ul", "ol", "table", "section",
                                           "article", "pre", "figure",
                                           "header", "footer", "aside"};
        static const char *const line[] = {"br", "li", "tr", "dt", "dd",
                                           "hr", "figcaption"};
        for (size_t i = 0; i < sizeof(para) / sizeof(para[0]); i++)
                if (!strcmp(name, para[i]))
                        return 2;
        for (size_t i = 0; i < sizeof(line) / sizeof(line[0]); i++)
                if (!strcmp(name, line[i]))
                        return 1;
        return 0;
}

/* Finds the case-insensitive \p needle in [p, end). */
static const char *find_ci(const char *p, const char *end,
                           const char *needle) {
        size_t n = strlen(needle);
        for (; p + n <= end; p++)
                if (!strncasecmp(p, needle, n))
                        return p;
        return NULL;
}

char *ink_html_to_text(const char *html, size_t len) {
        const char *p = html, *end = html + len;
        text_out_t o = {{NULL, 0, 0}, false, 0};

        while (p < end) {
                if (*p == '<' && p + 1 < end &&
                    (isalpha((unsigned char)p[1]) || p[1] == '/' ||
                     p[1] == '!' || p[1] == '?')) {
                        const char *q = p + 1;
                        char name[16];
                        size_t n = 0;
                        bool closing = false;
                        char quote = 0;
                        int kind;

                        if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
                                q = find_ci(p + 4, end, "-->");
                                p = q ? q + 3 : end;
                                continue;
                        }
                        if (*q == '/') {
                                closing = true;
                                q++;
                        }
                        while (q < end && isalnum((unsigned char)*q)) {
                                if (n < sizeof(name) - 1)
                                        name[n++] = (char)tolower(
                                                (unsigned char)*q);
                                q++;
                        }
                        name[n] = '\0';
                        /* the end of the tag, outside quoted values */
                        for (; q < end; q++) {
                                if (quote) {
                                        if (*q == quote)
                                                quote = 0;
                                } else if (*q == '"' || *q == '\'') {
                                        quote = *q;
                                } else if (*q == '>') {
                                        break;
                                }
                        }
                        p = q < end ? q + 1 : end;
                        if (!closing && (!strcmp(name, "script") ||
                                         !strcmp(name, "style"))) {
                                char close[24];
                                snprintf(close, sizeof(close), "</%s", name);
                                q = find_ci(p, end, close);
                                if (!q) {
                                        p = end;
                                } else {
                                        q = memchr(q, '>', (size_t)(end - q));
                                        p = q ? q + 1 : end;
                                }
                                continue;
                        }
                        kind = block_kind(name);
                        if (kind) {
                                if (o.nl < kind)
                                        o.nl = kind;
                        } else {
                                o.space = o.space || !strcmp(name, "td") ||
                                          !strcmp(name, "th");
                        }
                        continue;
                }
                if (*p == '&') {
                        uint32_t cp;
                        size_t n = decode_ref(p, end, &cp);
                        if (n) {
                                out_cp(&o, cp);
                                p += n;
                                continue;
                        }
                }
                if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
                    *p == '\f' || *p == '\v') {
                        o.space = true;
                        p++;
                        continue;
                }
                {
                        /* a run of ordinary bytes, copied as they are */
                        const char *q = p + 1;
                        while (q < end && *q != '<' && *q != '&' &&
                               *q != ' ' && *q != '\t' && *q != '\n' &&
                               *q != '\r' && *q != '\f' && *q != '\v')
                                q++;
                        out_visible(&o, p, (size_t)(q - p));
                        p = q;
                }
        }
        if (!o.sb.s)
                return ink_strdup("");
        return o.sb.s;
}

/* Plain text of one line (a title): HTML decoded, line breaks as spaces. */
static char *html_to_line(const char *html, size_t len) {
        char *s = ink_html_to_text(html, len);
        for (char *p = s; *p; p++)
                if (*p == '\n')
                        *p = ' ';
        return s;
}

/*---- Dates ----------------------------------------------------------------*/

static int64_t days_from_civil(int y, int m, int d) {
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        int64_t yoe = y - era * 400;
        int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

static int read_num(const char **sp, int maxdigits, int *v) {
        const char *s = *sp;
        int n = 0, x = 0;
        while (n < maxdigits && *s >= '0' && *s <= '9') {
                x = x * 10 + (*s++ - '0');
                n++;
        }
        if (!n)
                return -1;
        *sp = s;
        *v = x;
        return n;
}

int ink_parse_rfc822(const char *s, int64_t *msp) {
        static const char *const months[] = {"jan", "feb", "mar", "apr",
                                             "may", "jun", "jul", "aug",
                                             "sep", "oct", "nov", "dec"};
        static const int mdays[] = {31, 29, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
        static const struct {
                const char *name;
                int hours;
        } zones[] = {{"GMT", 0}, {"UT", 0}, {"UTC", 0}, {"Z", 0},
                     {"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5},
                     {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
        int d, mo = -1, y, h, mi, sec = 0, ny;
        int64_t off_min = 0;

        while (*s == ' ' || *s == '\t')
                s++;
        if (isalpha((unsigned char)*s)) {       /* day of week */
                while (isalpha((unsigned char)*s))
                        s++;
                if (*s == ',')
                        s++;
                while (*s == ' ')
                        s++;
        }
        if (read_num(&s, 2, &d) < 0 || *s != ' ')
                return -1;
        while (*s == ' ')
                s++;
        for (int i = 0; i < 12; i++)
                if (!strncasecmp(s, months[i], 3))
                        mo = i;
        if (mo < 0)
                return -1;
        while (isalpha((unsigned char)*s))
                s++;
        while (*s == ' ')
                s++;
        if ((ny = read_num(&s, 4, &y)) != 2 && ny != 4)
                return -1;
        if (ny == 2)
                y += y < 50 ? 2000 : 1900;
        while (*s == ' ')
                s++;
        if (read_num(&s, 2, &h) < 0 || *s++ != ':' ||
            read_num(&s, 2, &mi) < 0)
                return -1;
        if (*s == ':' && (s++, read_num(&s, 2, &sec) < 0))
                return -1;
        if (d < 1 || d > mdays[mo] || (mo == 1 && d == 29 &&
                                       (y % 4 || (y % 100 == 0 &&
                                                  y % 400))) ||
            h > 23 || mi > 59 || sec > 60)
                return -1;
        while (*s == ' ')
                s++;
        if (*s == '+' || *s == '-') {
                int sign = *s++ == '-' ? -1 : 1, hhmm;
                if (read_num(&s, 4, &hhmm) != 4 || hhmm % 100 > 59)
                        return -1;
                off_min = sign * ((hhmm / 100) * 60 + hhmm % 100);
        } else if (*s) {
                size_t n = 0;
                bool found = false;
                while (isalpha((unsigned char)s[n]))
                        n++;
                for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
                        if (strlen(zones[i].name) == n &&
                            !strncasecmp(s, zones[i].name, n)) {
                                off_min = zones[i].hours * 60;
                                found = true;
                        }
                if (!found)
                        return -1;
                s += n;
        }
        while (*s == ' ')
                s++;
        if (*s)
                return -1;
        *msp = ((days_from_civil(y, mo + 1, d) * 86400) + h * 3600 +
                mi * 60 + sec - off_min * 60) * 1000;
        return 0;
}

/* Formats \p ms as "YYYY-MM-DDTHH:MM:SSZ" into \p buf. */
static void format_iso(int64_t ms, char *buf, size_t size) {
        time_t t = (time_t)(ms / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*---- Building one article -------------------------------------------------*/

/* The fields of one item while it is mapped (strings malloc'ed). */
typedef struct item_s {
        char *id, *title, *body, *url, *published, *source, *lang;
        char error[512];
} item_t;

static void item_clear(item_t *it) {
        free(it->id);
        free(it->title);
        free(it->body);
        free(it->url);
        free(it->published);
        free(it->source);
        free(it->lang);
        memset(it, 0, sizeof(*it));
}

static void set_str(char **dst, char *s) {
        free(*dst);
        *dst = s;
}

/* Trims blanks at both ends of \p s in place. @returns s. */
static char *trim(char *s) {
        size_t n = strlen(s), i = 0;
        while (n && isspace((unsigned char)s[n - 1]))
                s[--n] = '\0';
        while (isspace((unsigned char)s[i]))
                i++;
        if (i)
                memmove(s, s + i, n - i + 1);
        return s;
}

/* "en-US" -> "en"; NULL if it does not look like a language tag. */
static char *primary_lang(const char *tag) {
        char buf[4];
        size_t n = 0;
        while (tag && isalpha((unsigned char)tag[n]) && n < 3) {
                buf[n] = (char)tolower((unsigned char)tag[n]);
                n++;
        }
        if (n < 2 || (tag[n] && tag[n] != '-' && tag[n] != '_'))
                return NULL;
        buf[n] = '\0';
        return ink_strdup(buf);
}

/* Completes the id and checks the item, then hands it to \p cb.
 * @returns nothing; every outcome goes through \p cb. */
static void item_emit(item_t *it, size_t index, ink_feed_item_cb_t cb,
                      void *opaque) {
        json_t *o = NULL;
        const char *keys[] = {"id", "title", "body", "url", "published",
                              "source", "lang"};
        char *vals[7];

        if (it->error[0])
                goto fail;
        if (!it->id || !*it->id) {
                if (it->url && *it->url) {
                        set_str(&it->id, ink_strdup(it->url));
                } else if (it->title && *it->title) {
                        char buf[40];
                        size_t tl = strlen(it->title);
                        uint64_t h = ink_hash64(it->title, tl, 0);
                        h = ink_hash64("\n", 1, h);
                        snprintf(buf, sizeof(buf), "feed-%016llx",
                                 (unsigned long long)h);
                        set_str(&it->id, ink_strdup(buf));
                } else {
                        snprintf(it->error, sizeof(it->error),
                                 "no guid, id, link or title to identify "
                                 "the item");
                        goto fail;
                }
        }
        /* a headline-only flash is an article; nothing at all is not */
        if ((!it->body || !*it->body) && (!it->title || !*it->title)) {
                snprintf(it->error, sizeof(it->error),
                         "no text: the item has no title, description or "
                         "content");
                goto fail;
        }
        if (!it->body)
                it->body = ink_strdup("");
        vals[0] = it->id;
        vals[1] = it->title;
        vals[2] = it->body;
        vals[3] = it->url;
        vals[4] = it->published;
        vals[5] = it->source;
        vals[6] = it->lang;
        o = json_object();
        for (int i = 0; i < 7; i++) {
                json_t *v;
                if (!vals[i] || (!*vals[i] && i != 1 && i != 2))
                        continue;
                if (!(v = json_string(vals[i]))) {
                        snprintf(it->error, sizeof(it->error),
                                 "field \"%s\" is not valid UTF-8", keys[i]);
                        goto fail;
                }
                json_object_set_new(o, keys[i], v);
        }
        cb(opaque, index, o, NULL);
        json_decref(o);
        return;
fail:
        json_decref(o);
        cb(opaque, index, NULL, it->error);
}

/*---- XML: RSS 2.0 and Atom ------------------------------------------------*/

/* @returns true if \p n is element \p name in namespace \p ns (NULL: no
 * namespace; "*": any). */
static bool is_el(const xmlNode *n, const char *name, const char *ns) {
        if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, name))
                return false;
        if (ns && !strcmp(ns, "*"))
                return true;
        if (!ns)
                return !n->ns;
        return n->ns && n->ns->href && !strcmp((const char *)n->ns->href, ns);
}

/* @returns the first child element \p name of \p parent, or NULL. */
static xmlNode *child(const xmlNode *parent, const char *name,
                      const char *ns) {
        for (xmlNode *c = parent->children; c; c = c->next)
                if (is_el(c, name, ns))
                        return c;
        return NULL;
}

/* @returns the text content of \p n, trimmed (malloc'ed), or NULL. */
static char *node_text(const xmlNode *n) {
        xmlChar *x;
        char *s;
        if (!n || !(x = xmlNodeGetContent(n)))
                return NULL;
        s = ink_strdup((const char *)x);
        xmlFree(x);
        return trim(s);
}

/* Plain text of an HTML-bearing element (RSS description, Atom html). */
static char *node_html_text(const xmlNode *n, bool line) {
        char *raw = node_text(n), *s;
        if (!raw)
                return NULL;
        s = line ? html_to_line(raw, strlen(raw)) :
                   ink_html_to_text(raw, strlen(raw));
        free(raw);
        return s;
}

/* An Atom text construct (type text, html or xhtml) as plain text. */
static char *atom_text(xmlDoc *doc, const xmlNode *n, bool line) {
        xmlChar *type;
        char *s = NULL;

        if (!n)
                return NULL;
        type = xmlGetProp(n, (const xmlChar *)"type");
        if (type && !strcmp((const char *)type, "xhtml")) {
                xmlBuffer *buf = xmlBufferCreate();
                for (xmlNode *c = n->children; c; c = c->next)
                        xmlNodeDump(buf, doc, c, 0, 0);
                s = line ? html_to_line((const char *)xmlBufferContent(buf),
                                        (size_t)xmlBufferLength(buf)) :
                           ink_html_to_text(
                                   (const char *)xmlBufferContent(buf),
                                   (size_t)xmlBufferLength(buf));
                xmlBufferFree(buf);
        } else if (type && (!strcmp((const char *)type, "html") ||
                            !strcmp((const char *)type, "text/html"))) {
                s = node_html_text(n, line);
        } else {
                s = node_text(n);
                if (s && line)
                        for (char *p = s; *p; p++)
                                if (*p == '\n' || *p == '\r' || *p == '\t')
                                        *p = ' ';
        }
        xmlFree(type);
        return s;
}

/* Validates an ISO 8601 date of element \p what into it->published. */
static void item_iso_date(item_t *it, char *s, const char *what) {
        int64_t ms;
        if (!s)
                return;
        if (ink_parse_iso8601(s, &ms))
                snprintf(it->error, sizeof(it->error),
                         "%s \"%.64s\" is not an ISO 8601 date", what, s);
        else
                set_str(&it->published, ink_strdup(s));
        free(s);
}

static void rss_item(const xmlNode *item, const char *source,
                     const char *lang, size_t index, ink_feed_item_cb_t cb,
                     void *opaque) {
        item_t it;
        xmlNode *n;
        char *s;

        memset(&it, 0, sizeof(it));
        it.id = node_text(child(item, "guid", NULL));
        it.url = node_text(child(item, "link", NULL));
        it.title = node_html_text(child(item, "title", NULL), true);
        n = child(item, "encoded", NS_CONTENT);
        it.body = node_html_text(n ? n : child(item, "description", NULL),
                                 false);
        if (it.body && !*it.body && n)
                set_str(&it.body, node_html_text(
                                child(item, "description", NULL), false));
        s = node_text(child(item, "source", NULL));
        it.source = s && *s ? s : (free(s), source ? ink_strdup(source) :
                                                     NULL);
        it.lang = lang ? ink_strdup(lang) : NULL;
        if ((s = node_text(child(item, "pubDate", NULL)))) {
                int64_t ms;
                char iso[32];
                if (ink_parse_rfc822(s, &ms)) {
                        snprintf(it.error, sizeof(it.error),
                                 "pubDate \"%.64s\" is not an RFC 822 date",
                                 s);
                } else {
                        format_iso(ms, iso, sizeof(iso));
                        it.published = ink_strdup(iso);
                }
                free(s);
        } else {
                item_iso_date(&it, node_text(child(item, "date", NS_DC)),
                              "dc:date");
        }
        item_emit(&it, index, cb, opaque);
        item_clear(&it);
}

static ink_rc_t rss_parse(const xmlNode *root, ink_feed_item_cb_t cb,
                          void *opaque, char *errstr, size_t errstr_size) {
        xmlNode *channel = child(root, "channel", "*");
        char *source, *langtag, *lang;
        size_t index = 0;

        if (!channel) {
                snprintf(errstr, errstr_size,
                         "RSS feed without a <channel> element");
                return INK_ERR_INVALID;
        }
        source = node_html_text(child(channel, "title", NULL), true);
        langtag = node_text(child(channel, "language", NULL));
        lang = primary_lang(langtag);
        for (xmlNode *c = channel->children; c; c = c->next)
                if (is_el(c, "item", NULL))
                        rss_item(c, source && *source ? source : NULL, lang,
                                 ++index, cb, opaque);
        free(source);
        free(langtag);
        free(lang);
        return INK_OK;
}

/* The href of the entry's alternate link (or its first link). */
static char *atom_link(const xmlNode *entry) {
        char *first = NULL;
        for (xmlNode *c = entry->children; c; c = c->next) {
                xmlChar *rel, *href;
                if (!is_el(c, "link", NS_ATOM))
                        continue;
                href = xmlGetProp(c, (const xmlChar *)"href");
                if (!href)
                        continue;
                rel = xmlGetProp(c, (const xmlChar *)"rel");
                if (!rel || !strcmp((const char *)rel, "alternate")) {
                        free(first);
                        first = trim(ink_strdup((const char *)href));
                        xmlFree(rel);
                        xmlFree(href);
                        return first;
                }
                if (!first)
                        first = trim(ink_strdup((const char *)href));
                xmlFree(rel);
                xmlFree(href);
        }
        return first;
}

static void atom_entry(xmlDoc *doc, const xmlNode *entry, const char *source,
                       size_t index, ink_feed_item_cb_t cb, void *opaque) {
        item_t it;
        xmlNode *n, *src;
        xmlChar *lang;
        char *s;

        memset(&it, 0, sizeof(it));
        it.id = node_text(child(entry, "id", NS_ATOM));
        it.url = atom_link(entry);
        it.title = atom_text(doc, child(entry, "title", NS_ATOM), true);
        n = child(entry, "content", NS_ATOM);
        it.body = atom_text(doc, n, false);
        if (!it.body || !*it.body)
                set_str(&it.body, atom_text(doc, child(entry, "summary",
                                                       NS_ATOM), false));
        src = child(entry, "source", NS_ATOM);
        s = src ? atom_text(doc, child(src, "title", NS_ATOM), true) : NULL;
        it.source = s && *s ? s : (free(s), source ? ink_strdup(source) :
                                                     NULL);
        lang = xmlNodeGetLang(entry);
        it.lang = primary_lang((const char *)lang);
        xmlFree(lang);
        if ((n = child(entry, "published", NS_ATOM)))
                item_iso_date(&it, node_text(n), "published");
        else
                item_iso_date(&it, node_text(child(entry, "updated",
                                                   NS_ATOM)),
                              "updated");
        item_emit(&it, index, cb, opaque);
        item_clear(&it);
}

static ink_rc_t atom_parse(xmlDoc *doc, const xmlNode *root,
                           ink_feed_item_cb_t cb, void *opaque) {
        char *source = atom_text(doc, child(root, "title", NS_ATOM), true);
        size_t index = 0;

        for (xmlNode *c = root->children; c; c = c->next)
                if (is_el(c, "entry", NS_ATOM))
                        atom_entry(doc, c, source && *source ? source : NULL,
                                   ++index, cb, opaque);
        free(source);
        return INK_OK;
}

static ink_rc_t xml_parse(ink_feed_format_t fmt, const char *buf, size_t len,
                          ink_feed_item_cb_t cb, void *opaque, char *errstr,
                          size_t errstr_size) {
        xmlParserCtxt *ctxt = NULL;
        xmlDoc *doc = NULL;
        xmlNode *root;
        ink_rc_t rc = INK_ERR_INVALID;

        if (len > INT_MAX) {
                snprintf(errstr, errstr_size,
                         "feed of %zu bytes is too large to parse", len);
                return INK_ERR_TOO_LARGE;
        }
        if (memmem(buf, len, "<!ENTITY", 8)) {
                snprintf(errstr, errstr_size,
                         "the feed declares XML entities (<!ENTITY>); "
                         "refused, entity expansion is not allowed");
                return INK_ERR_INVALID;
        }
        ctxt = xmlNewParserCtxt();
        if (!ctxt) {
                snprintf(errstr, errstr_size, "cannot create an XML parser");
                return INK_ERR_NOMEM;
        }
        doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR |
                                        XML_PARSE_NOWARNING |
                                        XML_PARSE_NOCDATA);
        if (!doc) {
                xmlError *e = xmlCtxtGetLastError(ctxt);
                char msg[256];
                snprintf(msg, sizeof(msg), "%s",
                         e && e->message ? e->message : "unknown error");
                trim(msg);
                snprintf(errstr, errstr_size,
                         "malformed XML at line %d: %s", e ? e->line : 0,
                         msg);
                goto out;
        }
        root = xmlDocGetRootElement(doc);
        if (root && is_el(root, "rss", "*") && fmt != INK_FEED_ATOM) {
                rc = rss_parse(root, cb, opaque, errstr, errstr_size);
        } else if (root && is_el(root, "feed", "*") && fmt != INK_FEED_RSS) {
                rc = atom_parse(doc, root, cb, opaque);
        } else {
                snprintf(errstr, errstr_size,
                         "not %s feed: the root element is <%s>",
                         fmt == INK_FEED_RSS ? "an RSS 2.0 (<rss>)" :
                         fmt == INK_FEED_ATOM ? "an Atom (<feed>)" :
                                                "an RSS 2.0 or Atom",
                         root ? (const char *)root->name : "missing");
        }
out:
        if (doc)
                xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        return rc;
}

/*---- ninjs ----------------------------------------------------------------*/

/* Reads optional string member \p key of \p o into *dst (as plain text
 * when \p html).  @returns 0, or -1 with it->error set on a wrong type. */
static int ninjs_str(item_t *it, json_t *o, const char *key, char **dst,
                     bool html) {
        json_t *v = json_object_get(o, key);
        if (!v || json_is_null(v) || *dst)
                return 0;
        if (!json_is_string(v)) {
                snprintf(it->error, sizeof(it->error),
                         "field \"%s\" must be a string", key);
                return -1;
        }
        *dst = html ? ink_html_to_text(json_string_value(v),
                                       strlen(json_string_value(v))) :
                      trim(ink_strdup(json_string_value(v)));
        if (!**dst) {
                free(*dst);
                *dst = NULL;
        }
        return 0;
}

/* ninjs 2: the first {"value": ..., "contenttype": ...} of array \p key. */
static int ninjs_first_value(item_t *it, json_t *o, const char *key,
                             char **dst, bool line) {
        json_t *a = json_object_get(o, key), *e, *v, *ct;
        size_t i;

        if (!a || *dst)
                return 0;
        if (!json_is_array(a)) {
                snprintf(it->error, sizeof(it->error),
                         "field \"%s\" must be an array", key);
                return -1;
        }
        json_array_foreach(a, i, e) {
                bool html;
                if (!json_is_object(e) ||
                    !json_is_string(v = json_object_get(e, "value")))
                        continue;
                ct = json_object_get(e, "contenttype");
                html = json_is_string(ct) &&
                       strstr(json_string_value(ct), "html");
                *dst = line || html ?
                        (line ? html_to_line : ink_html_to_text)(
                                json_string_value(v),
                                strlen(json_string_value(v))) :
                        trim(ink_strdup(json_string_value(v)));
                if (**dst)
                        return 0;
                free(*dst);
                *dst = NULL;
        }
        return 0;
}

static void ninjs_item(json_t *o, size_t index, ink_feed_item_cb_t cb,
                       void *opaque) {
        item_t it;
        json_t *prov;
        char *date = NULL;

        memset(&it, 0, sizeof(it));
        if (!json_is_object(o)) {
                snprintf(it.error, sizeof(it.error),
                         "a ninjs item must be a JSON object");
                goto emit;
        }
        if (ninjs_str(&it, o, "uri", &it.id, false) ||
            ninjs_str(&it, o, "guid", &it.id, false) ||
            ninjs_str(&it, o, "headline", &it.title, false) ||
            ninjs_first_value(&it, o, "headlines", &it.title, true) ||
            ninjs_str(&it, o, "body_text", &it.body, false) ||
            ninjs_str(&it, o, "body_html", &it.body, true) ||
            ninjs_first_value(&it, o, "bodies", &it.body, false) ||
            ninjs_str(&it, o, "description_text", &it.body, false) ||
            ninjs_str(&it, o, "description_html", &it.body, true) ||
            ninjs_first_value(&it, o, "descriptions", &it.body, false) ||
            ninjs_str(&it, o, "language", &it.lang, false) ||
            ninjs_str(&it, o, "source", &it.source, false) ||
            ninjs_str(&it, o, "versioncreated", &date, false) ||
            ninjs_str(&it, o, "firstcreated", &date, false))
                goto emit;
        if (it.title)
                for (char *p = it.title; *p; p++)
                        if (*p == '\n' || *p == '\r' || *p == '\t')
                                *p = ' ';
        if (it.lang) {
                char *l = primary_lang(it.lang);
                set_str(&it.lang, l);
        }
        if (it.id && (!strncmp(it.id, "http://", 7) ||
                      !strncmp(it.id, "https://", 8)))
                it.url = ink_strdup(it.id);
        prov = json_object_get(o, "provider");
        if (!it.source && json_is_object(prov))
                ninjs_str(&it, prov, "name", &it.source, false);
        else if (!it.source && json_is_string(prov))
                ninjs_str(&it, o, "provider", &it.source, false);
        if (!it.source &&
            ninjs_str(&it, o, "copyrightholder", &it.source, false))
                goto emit;
        item_iso_date(&it, date, "versioncreated");
        date = NULL;
emit:
        free(date);
        item_emit(&it, index, cb, opaque);
        item_clear(&it);
}

static ink_rc_t ninjs_parse(const char *buf, size_t len,
                            ink_feed_item_cb_t cb, void *opaque,
                            char *errstr, size_t errstr_size) {
        json_error_t jerr;
        json_t *root = json_loadb(buf, len, 0, &jerr), *e;
        size_t i;

        if (!root) {
                snprintf(errstr, errstr_size,
                         "malformed ninjs JSON at line %d column %d: %s",
                         jerr.line, jerr.column, jerr.text);
                return INK_ERR_INVALID;
        }
        if (json_is_object(root)) {
                ninjs_item(root, 1, cb, opaque);
        } else if (json_is_array(root)) {
                json_array_foreach(root, i, e)
                        ninjs_item(e, i + 1, cb, opaque);
        } else {
                snprintf(errstr, errstr_size,
                         "ninjs must be a JSON object or an array of "
                         "objects");
                json_decref(root);
                return INK_ERR_INVALID;
        }
        json_decref(root);
        return INK_OK;
}

/*---- Detection and dispatch -----------------------------------------------*/

static bool ninjs_like(json_t *o) {
        return json_is_object(o) &&
               (json_object_get(o, "uri") ||
                json_object_get(o, "versioncreated") ||
                json_is_string(json_object_get(o, "type")));
}

ink_feed_format_t ink_feed_detect(const char *buf, size_t len) {
        const char *p = buf, *end = buf + len;

        if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
                p += 3;
        for (;;) {
                while (p < end && isspace((unsigned char)*p))
                        p++;
                if (p >= end)
                        return INK_FEED_TEXT;
                if (*p == '<' && end - p >= 2 &&
                    (p[1] == '?' || p[1] == '!')) {
                        /* XML declaration, comment or DOCTYPE */
                        bool comment = end - p >= 4 &&
                                       !memcmp(p, "<!--", 4);
                        const char *q = comment ?
                                find_ci(p + 4, end, "-->") :
                                memchr(p, '>', (size_t)(end - p));
                        const char *sub = memchr(p, '[', (size_t)(end - p));
                        /* a DOCTYPE's internal subset ends with "]>" */
                        if (!comment && q && sub && sub < q)
                                q = (q = find_ci(sub, end, "]")) ?
                                        memchr(q, '>', (size_t)(end - q)) :
                                        NULL;
                        if (!q)
                                return INK_FEED_TEXT;
                        p = q + (comment ? 3 : 1);
                        continue;
                }
                break;
        }
        if (*p == '<') {
                if (end - p >= 5 && !memcmp(p, "<rss", 4) &&
                    (isspace((unsigned char)p[4]) || p[4] == '>'))
                        return INK_FEED_RSS;
                if (end - p >= 6 && !memcmp(p, "<feed", 5) &&
                    (isspace((unsigned char)p[5]) || p[5] == '>'))
                        return INK_FEED_ATOM;
                return INK_FEED_TEXT;
        }
        if (*p == '{' || *p == '[') {
                json_t *root = json_loadb(p, (size_t)(end - p), 0, NULL);
                bool ninjs = root && (ninjs_like(root) ||
                                      (json_is_array(root) &&
                                       ninjs_like(json_array_get(root, 0))));
                json_decref(root);
                if (ninjs)
                        return INK_FEED_NINJS;
                return *p == '{' ? INK_FEED_JSONL : INK_FEED_TEXT;
        }
        return INK_FEED_TEXT;
}

ink_rc_t ink_feed_parse(ink_feed_format_t fmt, const char *buf, size_t len,
                        ink_feed_item_cb_t cb, void *opaque, char *errstr,
                        size_t errstr_size) {
        if (fmt == INK_FEED_AUTO)
                fmt = ink_feed_detect(buf, len);
        switch (fmt) {
        case INK_FEED_RSS:
        case INK_FEED_ATOM:
                return xml_parse(fmt, buf, len, cb, opaque, errstr,
                                 errstr_size);
        case INK_FEED_NINJS:
                return ninjs_parse(buf, len, cb, opaque, errstr,
                                   errstr_size);
        default:
                snprintf(errstr, errstr_size,
                         "%s is not a feed format (rss, atom or ninjs)",
                         ink_feed_format_name(fmt));
                return INK_ERR_INVALID;
        }
}

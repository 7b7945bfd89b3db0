/*
 * The JSON form of the enriched record and of an alert: what
 * `inkstream annotate --jsonl` prints and what the scorers read.  The
 * record is built with jansson (ink_article_to_json) or, for output,
 * written directly (ink_article_json_compact): the same bytes at a
 * quarter of the cost, since building and dumping a tree of jansson
 * objects for every sentence and entity was 8% of annotate's CPU.
 */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ink/codec.h"

static json_t *str_or_null(const char *s) {
        return s ? json_string(s) : json_null();
}

static json_t *iso_time(int64_t ms) {
        char buf[64];
        time_t t = (time_t)(ms / 1000);
        struct tm tm;

        if (ms < 0)
                return json_null();
        gmtime_r(&t, &tm);
        snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, (int)(ms % 1000));
        return json_string(buf);
}

static json_t *sentiment_json(const ink_sentiment_t *s) {
        return json_pack("{s:f,s:f,s:f,s:f}", "compound", s->compound,
                         "positive", s->positive, "neutral", s->neutral,
                         "negative", s->negative);
}

static json_t *string_array(const char **v, size_t n) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_string(v[i]));
        return a;
}

json_t *ink_alert_to_json(const ink_article_t *art, const ink_alert_t *al) {
        json_t *o = json_object();

        json_object_set_new(o, "alert_id", str_or_null(al->alert_id));
        json_object_set_new(o, "type", json_string(al->type));
        json_object_set_new(o, "event_key", str_or_null(al->event_key));
        json_object_set_new(o, "participants",
                            string_array(al->participants,
                                         al->nparticipants));
        json_object_set_new(o, "mode", json_string(ink_mode_name(al->mode)));
        json_object_set_new(o, "status",
                            json_string(ink_status_name(al->status)));
        json_object_set_new(o, "venues",
                            string_array(al->venues, al->nvenues));
        json_object_set_new(o, "when", str_or_null(al->when_text));
        json_object_set_new(o, "when_date", str_or_null(al->when_date));
        json_object_set_new(o, "cameo", str_or_null(al->cameo));
        json_object_set_new(o, "evidence", str_or_null(al->evidence));
        json_object_set_new(o, "article_id", json_string(art->id));
        json_object_set_new(o, "article_title", json_string(art->title));
        json_object_set_new(o, "article_url", str_or_null(art->url));
        json_object_set_new(o, "detected", iso_time(art->processed_ms));
        return o;
}

json_t *ink_article_to_json(const ink_article_t *art) {
        json_t *o = json_object(), *ents = json_array(), *sents = json_array(),
               *alerts = json_array();

        json_object_set_new(o, "id", json_string(art->id));
        json_object_set_new(o, "title", json_string(art->title));
        json_object_set_new(o, "url", str_or_null(art->url));
        json_object_set_new(o, "source", str_or_null(art->source));
        json_object_set_new(o, "published", iso_time(art->published_ms));
        json_object_set_new(o, "lang",
                            json_string(art->lang ? art->lang : "en"));
        for (size_t i = 0; i < art->nents; i++) {
                const ink_entity_t *e = &art->ents[i];
                json_t *je = json_pack(
                        "{s:s,s:s,s:s,s:I,s:I,s:s}", "text", e->text, "type",
                        ink_ent_type_name(e->type), "field",
                        ink_field_name(e->field), "begin", (json_int_t)e->cb,
                        "end", (json_int_t)e->ce, "canonical",
                        e->canonical ? e->canonical : e->text);
                if (e->kb_id)
                        json_object_set_new(je, "kb_id",
                                            json_string(e->kb_id));
                if (e->has_sentiment)
                        json_object_set_new(je, "sentiment",
                                            json_real(e->sentiment));
                json_array_append_new(ents, je);
        }
        json_object_set_new(o, "entities", ents);
        json_object_set_new(o, "sentiment", sentiment_json(&art->sentiment));
        for (size_t i = 0; i < art->nsents; i++) {
                const ink_sentence_t *s = &art->sents[i];
                json_array_append_new(
                        sents,
                        json_pack("{s:s,s:I,s:I,s:f}", "field",
                                  ink_field_name(s->field), "begin",
                                  (json_int_t)s->cb, "end", (json_int_t)s->ce,
                                  "compound", s->sentiment.compound));
        }
        json_object_set_new(o, "sentences", sents);
        for (size_t i = 0; i < art->nalerts; i++)
                json_array_append_new(alerts,
                                      ink_alert_to_json(art, &art->alerts[i]));
        json_object_set_new(o, "alerts", alerts);
        json_object_set_new(o, "model_version",
                            json_string(INK_MODEL_VERSION));
        return o;
}

/*---- The enriched record written directly ---------------------------------*/

/* A growing output buffer; \p bad is set by any value that jansson would
 * not have taken as it is (NULL or invalid UTF-8 string, NaN or infinite
 * number), and the caller then builds the record with jansson instead, so
 * the two forms never differ. */
typedef struct jbuf_s {
        char *p;
        size_t n, cap;
        bool bad;
} jbuf_t;

/* Makes room for \p more bytes at the end of \p b. */
static void jb_need(jbuf_t *b, size_t more) {
        if (b->n + more <= b->cap)
                return;
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + more)
                cap *= 2;
        b->p = ink_realloc(b->p, cap);
        b->cap = cap;
}

/* Appends \p len bytes of \p s (borrowed) to \p b. */
static void jb_put(jbuf_t *b, const char *s, size_t len) {
        jb_need(b, len);
        memcpy(b->p + b->n, s, len);
        b->n += len;
}

#define JB_LIT(b, lit) jb_put((b), (lit), sizeof(lit) - 1)

/* @returns true if \p s is UTF-8 as json_string() accepts it: no overlong
 * form, no surrogate, nothing above U+10FFFF. */
static bool utf8_ok(const unsigned char *s, size_t len) {
        size_t i = 0;
        while (i < len) {
                unsigned c = s[i];
                size_t k;
                uint32_t cp;
                if (c < 0x80) {
                        i++;
                        continue;
                }
                if (c >= 0xC2 && c <= 0xDF) {
                        k = 1;
                        cp = c & 0x1F;
                } else if (c >= 0xE0 && c <= 0xEF) {
                        k = 2;
                        cp = c & 0x0F;
                } else if (c >= 0xF0 && c <= 0xF4) {
                        k = 3;
                        cp = c & 0x07;
                } else {
                        return false;
                }
                if (len - i <= k)
                        return false;
                for (size_t j = 1; j <= k; j++) {
                        if ((s[i + j] & 0xC0) != 0x80)
                                return false;
                        cp = (cp << 6) | (s[i + j] & 0x3F);
                }
                if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
                    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                        return false;
                i += k + 1;
        }
        return true;
}

/* Writes \p s as a JSON string, escaped as jansson's compact dump does:
 * quote, backslash and the control characters; \b \f \n \r \t by name,
 * the others as \u00XX; everything else, UTF-8 included, as it is. */
static void jb_str(jbuf_t *b, const char *s) {
        static const char hex[] = "0123456789ABCDEF";
        size_t len, run = 0;

        if (!s) {
                b->bad = true;
                return;
        }
        len = strlen(s);
        if (!utf8_ok((const unsigned char *)s, len)) {
                b->bad = true;
                return;
        }
        jb_need(b, len + 2);
        b->p[b->n++] = '"';
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                char esc[6];
                size_t elen = 2;
                if (c >= 0x20 && c != '"' && c != '\\')
                        continue;
                jb_put(b, s + run, i - run);
                run = i + 1;
                esc[0] = '\\';
                switch (c) {
                case '"': esc[1] = '"'; break;
                case '\\': esc[1] = '\\'; break;
                case '\b': esc[1] = 'b'; break;
                case '\f': esc[1] = 'f'; break;
                case '\n': esc[1] = 'n'; break;
                case '\r': esc[1] = 'r'; break;
                case '\t': esc[1] = 't'; break;
                default:
                        memcpy(esc + 1, "u00", 3);
                        esc[4] = hex[c >> 4];
                        esc[5] = hex[c & 15];
                        elen = 6;
                }
                jb_put(b, esc, elen);
        }
        jb_put(b, s + run, len - run);
        jb_put(b, "\"", 1);
}

/* Writes \p s as a string, or null when NULL (as str_or_null()). */
static void jb_str_or_null(jbuf_t *b, const char *s) {
        if (s)
                jb_str(b, s);
        else
                JB_LIT(b, "null");
}

/* Writes \p v as jansson writes an integer. */
static void jb_int(jbuf_t *b, int64_t v) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%" PRId64, v);
        jb_put(b, buf, (size_t)n);
}

/* Writes \p v as jansson writes a real: "%.17g", ".0" added when that
 * looks like an integer, the exponent without "+" or leading zeros. */
static void jb_real(jbuf_t *b, double v) {
        char buf[40];
        int n;

        if (!isfinite(v)) {
                b->bad = true;
                return;
        }
        n = snprintf(buf, sizeof(buf), "%.17g", v);
        if (n < 0 || (size_t)n >= sizeof(buf) - 2) {
                b->bad = true;
                return;
        }
        if (!strchr(buf, '.') && !strchr(buf, 'e')) {
                memcpy(buf + n, ".0", 3);
                n += 2;
        }
        char *e = strchr(buf, 'e');
        if (e) {
                char *start = e + 1, *end = e + 2;
                if (*start == '-')
                        start++;
                while (*end == '0')
                        end++;
                if (end != start) {
                        memmove(start, end, (size_t)(buf + n - end) + 1);
                        n -= (int)(end - start);
                }
        }
        jb_put(b, buf, (size_t)n);
}

/* Writes \p ms as iso_time() makes it: a UTC time string, or null. */
static void jb_time(jbuf_t *b, int64_t ms) {
        char buf[64];
        time_t t = (time_t)(ms / 1000);
        struct tm tm;
        int n;

        if (ms < 0) {
                JB_LIT(b, "null");
                return;
        }
        gmtime_r(&t, &tm);
        n = snprintf(buf, sizeof(buf),
                     "\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\"",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec, (int)(ms % 1000));
        jb_put(b, buf, (size_t)n);
}

/* Writes the \p n strings of \p v as an array (as string_array()). */
static void jb_str_array(jbuf_t *b, const char **v, size_t n) {
        JB_LIT(b, "[");
        for (size_t i = 0; i < n; i++) {
                if (i)
                        JB_LIT(b, ",");
                jb_str(b, v[i]);
        }
        JB_LIT(b, "]");
}

/* Writes alert \p al of \p art with the keys of ink_alert_to_json(), in
 * its order. */
static void jb_alert(jbuf_t *b, const ink_article_t *art,
                     const ink_alert_t *al) {
        JB_LIT(b, "{\"alert_id\":");
        jb_str_or_null(b, al->alert_id);
        JB_LIT(b, ",\"type\":");
        jb_str(b, al->type);
        JB_LIT(b, ",\"event_key\":");
        jb_str_or_null(b, al->event_key);
        JB_LIT(b, ",\"participants\":");
        jb_str_array(b, al->participants, al->nparticipants);
        JB_LIT(b, ",\"mode\":");
        jb_str(b, ink_mode_name(al->mode));
        JB_LIT(b, ",\"status\":");
        jb_str(b, ink_status_name(al->status));
        JB_LIT(b, ",\"venues\":");
        jb_str_array(b, al->venues, al->nvenues);
        JB_LIT(b, ",\"when\":");
        jb_str_or_null(b, al->when_text);
        JB_LIT(b, ",\"when_date\":");
        jb_str_or_null(b, al->when_date);
        JB_LIT(b, ",\"cameo\":");
        jb_str_or_null(b, al->cameo);
        JB_LIT(b, ",\"evidence\":");
        jb_str_or_null(b, al->evidence);
        JB_LIT(b, ",\"article_id\":");
        jb_str(b, art->id);
        JB_LIT(b, ",\"article_title\":");
        jb_str(b, art->title);
        JB_LIT(b, ",\"article_url\":");
        jb_str_or_null(b, art->url);
        JB_LIT(b, ",\"detected\":");
        jb_time(b, art->processed_ms);
        JB_LIT(b, "}");
}

/* Writes \p s as sentiment_json() makes it. */
static void jb_sentiment(jbuf_t *b, const ink_sentiment_t *s) {
        JB_LIT(b, "{\"compound\":");
        jb_real(b, s->compound);
        JB_LIT(b, ",\"positive\":");
        jb_real(b, s->positive);
        JB_LIT(b, ",\"neutral\":");
        jb_real(b, s->neutral);
        JB_LIT(b, ",\"negative\":");
        jb_real(b, s->negative);
        JB_LIT(b, "}");
}

/* Writes the record of \p art into \p b (b->bad set if jansson is needed). */
static void jb_article(jbuf_t *b, const ink_article_t *art) {
        JB_LIT(b, "{\"id\":");
        jb_str(b, art->id);
        JB_LIT(b, ",\"title\":");
        jb_str(b, art->title);
        JB_LIT(b, ",\"url\":");
        jb_str_or_null(b, art->url);
        JB_LIT(b, ",\"source\":");
        jb_str_or_null(b, art->source);
        JB_LIT(b, ",\"published\":");
        jb_time(b, art->published_ms);
        JB_LIT(b, ",\"lang\":");
        jb_str(b, art->lang ? art->lang : "en");
        JB_LIT(b, ",\"entities\":[");
        for (size_t i = 0; i < art->nents && !b->bad; i++) {
                const ink_entity_t *e = &art->ents[i];
                if (i)
                        JB_LIT(b, ",");
                JB_LIT(b, "{\"text\":");
                jb_str(b, e->text);
                JB_LIT(b, ",\"type\":");
                jb_str(b, ink_ent_type_name(e->type));
                JB_LIT(b, ",\"field\":");
                jb_str(b, ink_field_name(e->field));
                JB_LIT(b, ",\"begin\":");
                jb_int(b, (int64_t)e->cb);
                JB_LIT(b, ",\"end\":");
                jb_int(b, (int64_t)e->ce);
                JB_LIT(b, ",\"canonical\":");
                jb_str(b, e->canonical ? e->canonical : e->text);
                if (e->kb_id) {
                        JB_LIT(b, ",\"kb_id\":");
                        jb_str(b, e->kb_id);
                }
                if (e->has_sentiment) {
                        JB_LIT(b, ",\"sentiment\":");
                        jb_real(b, e->sentiment);
                }
                JB_LIT(b, "}");
        }
        JB_LIT(b, "],\"sentiment\":");
        jb_sentiment(b, &art->sentiment);
        JB_LIT(b, ",\"sentences\":[");
        for (size_t i = 0; i < art->nsents && !b->bad; i++) {
                const ink_sentence_t *s = &art->sents[i];
                if (i)
                        JB_LIT(b, ",");
                JB_LIT(b, "{\"field\":");
                jb_str(b, ink_field_name(s->field));
                JB_LIT(b, ",\"begin\":");
                jb_int(b, (int64_t)s->cb);
                JB_LIT(b, ",\"end\":");
                jb_int(b, (int64_t)s->ce);
                JB_LIT(b, ",\"compound\":");
                jb_real(b, s->sentiment.compound);
                JB_LIT(b, "}");
        }
        JB_LIT(b, "],\"alerts\":[");
        for (size_t i = 0; i < art->nalerts && !b->bad; i++) {
                if (i)
                        JB_LIT(b, ",");
                jb_alert(b, art, &art->alerts[i]);
        }
        JB_LIT(b, "],\"model_version\":");
        jb_str(b, INK_MODEL_VERSION);
        JB_LIT(b, "}");
}

char *ink_article_json_compact(const ink_article_t *art, size_t *lenp) {
        jbuf_t b = {0};

        jb_article(&b, art);
        if (b.bad) {
                /* an unusual value: jansson decides what becomes of it */
                json_t *o = ink_article_to_json(art);
                free(b.p);
                b.p = o ? json_dumps(o, JSON_COMPACT) : NULL;
                json_decref(o);
                if (!b.p)
                        b.p = ink_strdup("{}");
                b.n = strlen(b.p);
        } else {
                jb_put(&b, "", 1);
                b.n--;
        }
        if (lenp)
                *lenp = b.n;
        return b.p;
}

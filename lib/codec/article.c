/*
 * Article input: JSON Lines objects and plain-text files.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ink/codec.h"

uint64_t ink_hash64(const void *data, size_t len, uint64_t seed) {
        const unsigned char *p = data;
        uint64_t h = 1469598103934665603ULL ^ seed;
        for (size_t i = 0; i < len; i++) {
                h ^= p[i];
                h *= 1099511628211ULL;
        }
        /* final avalanche (splitmix64) so short keys spread well */
        h ^= h >> 30;
        h *= 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 27;
        h *= 0x94d049bb133111ebULL;
        h ^= h >> 31;
        return h;
}

long ink_utf8_invalid_at(const char *str, size_t len) {
        const unsigned char *s = (const unsigned char *)str;
        size_t i = 0;

        while (i < len) {
                unsigned char c = s[i];
                size_t n;
                uint32_t cp;

                if (c == 0)
                        return (long)i;
                if (c < 0x80) {
                        i++;
                        continue;
                }
                if (c >= 0xc2 && c <= 0xdf) {
                        n = 1;
                        cp = c & 0x1f;
                } else if (c >= 0xe0 && c <= 0xef) {
                        n = 2;
                        cp = c & 0x0f;
                } else if (c >= 0xf0 && c <= 0xf4) {
                        n = 3;
                        cp = c & 0x07;
                } else {
                        return (long)i;
                }
                if (i + n >= len)
                        return (long)i;
                for (size_t k = 1; k <= n; k++) {
                        if ((s[i + k] & 0xc0) != 0x80)
                                return (long)i;
                        cp = (cp << 6) | (s[i + k] & 0x3f);
                }
                /* overlong, surrogates, beyond U+10FFFF */
                if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
                    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                        return (long)i;
                i += n + 1;
        }
        return -1;
}

/* Copies an optional string member; an integer id becomes its text.
 * @returns 0, or -1 if the member has another type. */
static int opt_string(ink_article_t *art, json_t *obj, const char *key,
                      const char **outp, size_t *lenp, char *errstr,
                      size_t errstr_size) {
        json_t *v = json_object_get(obj, key);

        *outp = NULL;
        if (lenp)
                *lenp = 0;
        if (!v || json_is_null(v))
                return 0;
        if (json_is_string(v)) {
                size_t len = json_string_length(v);
                if (memchr(json_string_value(v), '\0', len)) {
                        snprintf(errstr, errstr_size,
                                 "field \"%s\" contains a NUL character",
                                 key);
                        return -1;
                }
                *outp = ink_arena_strndup(art->arena, json_string_value(v),
                                          len);
                if (lenp)
                        *lenp = len;
                return 0;
        }
        if (json_is_integer(v) && !strcmp(key, "id")) {
                *outp = ink_arena_sprintf(art->arena, "%" JSON_INTEGER_FORMAT,
                                          json_integer_value(v));
                if (lenp)
                        *lenp = strlen(*outp);
                return 0;
        }
        snprintf(errstr, errstr_size, "field \"%s\" must be a string, not %s",
                 key,
                 json_is_object(v) ? "an object" :
                 json_is_array(v) ? "an array" :
                 json_is_boolean(v) ? "a boolean" : "a number");
        return -1;
}

/*---- Fast path ------------------------------------------------------------*/

/* Articles are flat JSON objects of strings, parsed here in one pass
 * straight into the arena: jansson builds a tree of every member and costs
 * about half of a --no-enrich worker's CPU.  Anything this scanner does not
 * take as plainly valid (an error, a duplicate key, a non-string field, an
 * escaped key, \u0000, deep nesting, a real or long number) makes it give
 * up, and jansson parses the input instead: the results, and every error
 * message, stay jansson's.  Members it only skips are held to the same
 * rule: whatever it accepts, jansson must accept too. */

typedef struct {
        const char *p, *end;
} cur_t;

enum { FAST_MAX_KEYS = 64, FAST_MAX_DEPTH = 32 };

static void fast_ws(cur_t *c) {
        while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
                                 *c->p == '\n' || *c->p == '\r'))
                c->p++;
}

static int hex4(const char *p, uint32_t *v) {
        *v = 0;
        for (int i = 0; i < 4; i++) {
                char h = p[i];
                *v <<= 4;
                if (h >= '0' && h <= '9')
                        *v |= (uint32_t)(h - '0');
                else if (h >= 'a' && h <= 'f')
                        *v |= (uint32_t)(h - 'a' + 10);
                else if (h >= 'A' && h <= 'F')
                        *v |= (uint32_t)(h - 'A' + 10);
                else
                        return -1;
        }
        return 0;
}

/* Checks the escapes of the string body [r, q) exactly as jansson does
 * (\" \\ \/ \b \f \n \r \t and \uXXXX, surrogates only in valid pairs,
 * no \u0000) and, with \p d, writes the decoded text there (never longer
 * than its escaped form).  @returns the decoded length, or -1 to fall
 * back. */
static long fast_unescape(const char *r, const char *q, char *d) {
        long n = 0;

        for (;; r++) {
                const char *bs = memchr(r, '\\', (size_t)(q - r));
                uint32_t cp, lo;
                char ch;

                if (!bs)
                        bs = q;
                if (d)
                        memcpy(d + n, r, (size_t)(bs - r));
                n += bs - r;
                if (bs == q)
                        break;
                r = bs;
                switch (*++r) {
                case '"': ch = '"'; break;
                case '\\': ch = '\\'; break;
                case '/': ch = '/'; break;
                case 'b': ch = '\b'; break;
                case 'f': ch = '\f'; break;
                case 'n': ch = '\n'; break;
                case 'r': ch = '\r'; break;
                case 't': ch = '\t'; break;
                case 'u': ch = 0; break;
                default: return -1;
                }
                if (ch) {
                        if (d)
                                d[n] = ch;
                        n++;
                        continue;
                }
                if (q - r < 5 || hex4(r + 1, &cp))
                        return -1;
                r += 4;
                if (cp >= 0xdc00 && cp <= 0xdfff)
                        return -1;
                if (cp >= 0xd800 && cp <= 0xdbff) {
                        if (q - r < 7 || r[1] != '\\' || r[2] != 'u' ||
                            hex4(r + 3, &lo) || lo < 0xdc00 || lo > 0xdfff)
                                return -1;
                        r += 6;
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                }
                if (cp == 0)
                        return -1; /* jansson: not without JSON_ALLOW_NUL */
                if (!d) {
                        n += cp < 0x80 ? 1 : cp < 0x800 ? 2 :
                             cp < 0x10000 ? 3 : 4;
                } else if (cp < 0x80) {
                        d[n++] = (char)cp;
                } else if (cp < 0x800) {
                        d[n++] = (char)(0xc0 | (cp >> 6));
                        d[n++] = (char)(0x80 | (cp & 0x3f));
                } else if (cp < 0x10000) {
                        d[n++] = (char)(0xe0 | (cp >> 12));
                        d[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
                        d[n++] = (char)(0x80 | (cp & 0x3f));
                } else {
                        d[n++] = (char)(0xf0 | (cp >> 18));
                        d[n++] = (char)(0x80 | ((cp >> 12) & 0x3f));
                        d[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
                        d[n++] = (char)(0x80 | (cp & 0x3f));
                }
        }
        return n;
}

/* Scans the string at c->p (on its opening quote).  With \p arena, the
 * decoded text goes to *out (NUL-terminated, in the arena) and its length
 * to *outlen; without, the string is only skipped.  Either way it must be
 * a string jansson takes: no raw control characters, only valid escapes
 * (fast_unescape()).  The input is valid UTF-8 already, checked as
 * jansson checks it.  @returns 0, or -1 to fall back. */
static int fast_string(cur_t *c, ink_arena_t *arena, const char **out,
                       size_t *outlen) {
        const char *start = ++c->p, *q;
        bool escaped = false;
        char *d;
        long n;

        for (q = start; q < c->end && *q != '"'; q++) {
                if ((unsigned char)*q < 0x20)
                        return -1;
                if (*q == '\\') {
                        escaped = true;
                        if (++q == c->end)
                                return -1;
                }
        }
        if (q == c->end)
                return -1;
        c->p = q + 1;
        if (!arena)
                return escaped && fast_unescape(start, q, NULL) < 0 ? -1 : 0;
        if (!escaped) {
                *out = ink_arena_strndup(arena, start, (size_t)(q - start));
                *outlen = (size_t)(q - start);
                return 0;
        }
        d = ink_arena_alloc(arena, (size_t)(q - start) + 1);
        if ((n = fast_unescape(start, q, d)) < 0)
                return -1;
        d[n] = '\0';
        *out = d;
        *outlen = (size_t)n;
        return 0;
}

/* Skips an integer in strict JSON grammar.  Reals (a '.', 'e' or 'E':
 * jansson reports an overflow such as 1e999) and integers of more than 18
 * digits (past 9223372036854775807 jansson reports "too big integer")
 * fall back.  @returns 0 or -1. */
static int fast_number(cur_t *c) {
        const char *p = c->p, *e = c->end, *digits;

        if (p < e && *p == '-')
                p++;
        digits = p;
        if (p < e && *p == '0')
                p++;
        else if (p < e && *p >= '1' && *p <= '9')
                while (p < e && *p >= '0' && *p <= '9')
                        p++;
        else
                return -1;
        if (p < e && (*p == '.' || *p == 'e' || *p == 'E'))
                return -1;
        if (p - digits > 18)
                return -1;
        c->p = p;
        return 0;
}

static int fast_literal(cur_t *c, const char *lit) {
        size_t n = strlen(lit);
        if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n))
                return -1;
        c->p += n;
        return 0;
}

/* Skips any JSON value.  Keys of nested objects are not checked for
 * duplicates: nesting falls back.  @returns 0 or -1. */
static int fast_skip(cur_t *c, int depth) {
        fast_ws(c);
        if (c->p == c->end)
                return -1;
        switch (*c->p) {
        case '"':
                return fast_string(c, NULL, NULL, NULL);
        case 't':
                return fast_literal(c, "true");
        case 'f':
                return fast_literal(c, "false");
        case 'n':
                return fast_literal(c, "null");
        case '[':
                if (depth >= FAST_MAX_DEPTH)
                        return -1;
                c->p++;
                fast_ws(c);
                if (c->p < c->end && *c->p == ']') {
                        c->p++;
                        return 0;
                }
                for (;;) {
                        if (fast_skip(c, depth + 1))
                                return -1;
                        fast_ws(c);
                        if (c->p == c->end)
                                return -1;
                        if (*c->p == ']') {
                                c->p++;
                                return 0;
                        }
                        if (*c->p++ != ',')
                                return -1;
                }
        case '{':
                return -1; /* nested objects: duplicate keys, jansson */
        default:
                return fast_number(c);
        }
}

/* The article fields of a flat object, one pass.  @returns 0 with the
 * fields set, or -1 to fall back (fields may be partly set). */
static int parse_fast(ink_article_t *art, const char *buf, size_t len) {
        static const char *const names[] = {"id",     "title",  "body",
                                            "url",    "source", "lang",
                                            "published"};
        const char **fields[] = {&art->id,     &art->title,  &art->body,
                                 &art->url,    &art->source, &art->lang,
                                 &art->published};
        size_t *lens[] = {NULL, &art->title_len, &art->body_len, NULL, NULL,
                          NULL, NULL};
        const char *keys[FAST_MAX_KEYS];
        size_t klens[FAST_MAX_KEYS], nkeys = 0, dummy;
        cur_t c = {buf, buf + len};

        for (size_t f = 0; f < sizeof(names) / sizeof(names[0]); f++) {
                *fields[f] = NULL;
                if (lens[f])
                        *lens[f] = 0;
        }
        fast_ws(&c);
        if (c.p == c.end || *c.p != '{')
                return -1;
        c.p++;
        fast_ws(&c);
        if (c.p < c.end && *c.p == '}') {
                c.p++;
                goto end;
        }
        for (;;) {
                const char *k;
                size_t klen, f;

                fast_ws(&c);
                if (c.p == c.end || *c.p != '"' || nkeys == FAST_MAX_KEYS)
                        return -1;
                k = c.p + 1;
                if (fast_string(&c, NULL, NULL, NULL))
                        return -1;
                klen = (size_t)(c.p - 1 - k);
                if (memchr(k, '\\', klen))
                        return -1;
                for (size_t i = 0; i < nkeys; i++)
                        if (klens[i] == klen && !memcmp(keys[i], k, klen))
                                return -1;
                keys[nkeys] = k;
                klens[nkeys++] = klen;
                fast_ws(&c);
                if (c.p == c.end || *c.p++ != ':')
                        return -1;
                fast_ws(&c);
                for (f = 0; f < sizeof(names) / sizeof(names[0]); f++)
                        if (strlen(names[f]) == klen &&
                            !memcmp(names[f], k, klen))
                                break;
                if (f == sizeof(names) / sizeof(names[0])) {
                        if (fast_skip(&c, 1))
                                return -1;
                } else if (c.p < c.end && *c.p == '"') {
                        if (fast_string(&c, art->arena, fields[f],
                                        lens[f] ? lens[f] : &dummy))
                                return -1;
                } else if (fast_literal(&c, "null")) {
                        return -1; /* another type: jansson's message */
                }
                fast_ws(&c);
                if (c.p == c.end)
                        return -1;
                if (*c.p == '}') {
                        c.p++;
                        break;
                }
                if (*c.p++ != ',')
                        return -1;
        }
end:
        fast_ws(&c);
        return c.p == c.end ? 0 : -1;
}

/*---- Input --------------------------------------------------------------*/

static bool all_space(const char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' &&
                    s[i] != '\r')
                        return false;
        return true;
}

ink_rc_t ink_article_parse_json(ink_article_t *art, const char *buf,
                                size_t len, size_t max_size, char *errstr,
                                size_t errstr_size) {
        json_error_t jerr;
        json_t *root = NULL;
        ink_rc_t rc = INK_ERR_INVALID;
        long bad;

        if (len == 0 || all_space(buf, len)) {
                snprintf(errstr, errstr_size, "empty input");
                return INK_ERR_INVALID;
        }
        if (max_size && len > max_size) {
                snprintf(errstr, errstr_size,
                         "article of %zu bytes is over the limit of %zu",
                         len, max_size);
                return INK_ERR_TOO_LARGE;
        }
        if ((bad = ink_utf8_invalid_at(buf, len)) >= 0) {
                snprintf(errstr, errstr_size, "invalid UTF-8 at byte %ld",
                         bad);
                return INK_ERR_INVALID;
        }
        if (!parse_fast(art, buf, len))
                goto fields;
        /* fall back: start again from no fields */
        art->id = art->title = art->body = art->url = art->source =
                art->lang = art->published = NULL;
        art->title_len = art->body_len = 0;
        root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!root) {
                snprintf(errstr, errstr_size,
                         "malformed JSON at line %d column %d: %s",
                         jerr.line, jerr.column, jerr.text);
                goto out;
        }
        if (!json_is_object(root)) {
                snprintf(errstr, errstr_size,
                         "article must be a JSON object");
                goto out;
        }
        if (opt_string(art, root, "id", &art->id, NULL, errstr,
                       errstr_size) ||
            opt_string(art, root, "title", &art->title, &art->title_len,
                       errstr, errstr_size) ||
            opt_string(art, root, "body", &art->body, &art->body_len, errstr,
                       errstr_size) ||
            opt_string(art, root, "url", &art->url, NULL, errstr,
                       errstr_size) ||
            opt_string(art, root, "source", &art->source, NULL, errstr,
                       errstr_size) ||
            opt_string(art, root, "lang", &art->lang, NULL, errstr,
                       errstr_size) ||
            opt_string(art, root, "published", &art->published, NULL,
                       errstr, errstr_size))
                goto out;
fields:
        if (!art->id || !*art->id) {
                snprintf(errstr, errstr_size, "missing field \"id\"");
                goto out;
        }
        if (!art->body) {
                snprintf(errstr, errstr_size, "missing field \"body\"");
                goto out;
        }
        if (!art->title) {
                art->title = "";
                art->title_len = 0;
        }
        /* a headline-only flash is an article; nothing at all is not */
        if (all_space(art->body, art->body_len) &&
            all_space(art->title, art->title_len)) {
                snprintf(errstr, errstr_size,
                         "fields \"title\" and \"body\" are both empty");
                goto out;
        }
        if (art->published &&
            ink_parse_iso8601(art->published, &art->published_ms))
                art->published_ms = -1;   /* kept as text, not resolved */
        rc = INK_OK;
out:
        json_decref(root);
        return rc;
}

ink_rc_t ink_article_parse_text(ink_article_t *art, const char *buf,
                                size_t len, size_t max_size, char *errstr,
                                size_t errstr_size) {
        const char *p = buf, *end = buf + len, *nl;
        long bad;

        if (max_size && len > max_size) {
                snprintf(errstr, errstr_size,
                         "article of %zu bytes is over the limit of %zu",
                         len, max_size);
                return INK_ERR_TOO_LARGE;
        }
        if ((bad = ink_utf8_invalid_at(buf, len)) >= 0) {
                snprintf(errstr, errstr_size, "invalid UTF-8 at byte %ld",
                         bad);
                return INK_ERR_INVALID;
        }
        /* skip a UTF-8 byte order mark and leading blank lines */
        if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
                p += 3;
        while (p < end && (*p == '\n' || *p == '\r' || *p == ' '))
                p++;
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
                nl = end;
        art->title_len = (size_t)(nl - p);
        while (art->title_len && (p[art->title_len - 1] == '\r' ||
                                  p[art->title_len - 1] == ' '))
                art->title_len--;
        art->title = ink_arena_strndup(art->arena, p, art->title_len);
        p = nl < end ? nl + 1 : end;
        art->body_len = (size_t)(end - p);
        art->body = ink_arena_strndup(art->arena, p, art->body_len);
        if (all_space(art->body, art->body_len)) {
                snprintf(errstr, errstr_size,
                         "no body: a text article is a title line followed "
                         "by the body");
                return INK_ERR_INVALID;
        }
        art->id = ink_arena_sprintf(art->arena, "txt-%016llx",
                                    (unsigned long long)ink_hash64(buf, len,
                                                                   0));
        return INK_OK;
}

/*
 * Article input: JSON Lines objects and plain-text files.
 */
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

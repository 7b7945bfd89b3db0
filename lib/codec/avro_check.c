/*
 * Untrusted Avro bodies: a validator that walks the writer schema over the
 * bytes before Avro-C reads them, and the two halves of schema resolution
 * that Avro-C 1.11.1 lacks (reader fields with defaults that the writer
 * does not have).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "avro_int.h"

/*---- Body validation ----------------------------------------------------*/

/* One step of the field path: a field name, or an item index when name
 * is NULL.  Formatted only when an error is reported. */
typedef struct pframe_s {
        const char *name;
        int64_t index;
} pframe_t;

typedef struct vctx_s {
        const unsigned char *start, *p, *end;
        pframe_t path[INK_AVRO_MAX_DEPTH + 2];
        int npath;
        int depth;
        char *errstr;
        size_t errstr_size;
} vctx_t;

/* Writes "field <path> at byte <n>: <what>" and returns -1. */
static int verr(vctx_t *c, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static int verr(vctx_t *c, const char *fmt, ...) {
        char what[256], path[256] = "";
        size_t n = 0;
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        for (int i = 0; i < c->npath && n < sizeof(path); i++) {
                const pframe_t *f = &c->path[i];
                int w = f->name ? snprintf(path + n, sizeof(path) - n,
                                           "%s%s", n ? "." : "", f->name)
                                : snprintf(path + n, sizeof(path) - n,
                                           "[%" PRId64 "]", f->index);
                if (w < 0)
                        break;
                n += (size_t)w;
        }
        snprintf(c->errstr, c->errstr_size, "%s%s%sat byte %zu of the body: %s",
                 c->npath ? "field " : "", path, c->npath ? " " : "",
                 (size_t)(c->p - c->start), what);
        return -1;
}

/* Path steps: the depth limit (checked on entry to every nested value)
 * keeps npath below the size of the array. */
static void path_push(vctx_t *c, const char *name, int64_t index) {
        INK_ASSERT(c->npath < (int)(sizeof(c->path) / sizeof(c->path[0])));
        c->path[c->npath++] = (pframe_t){name, index};
}

static void path_pop(vctx_t *c) {
        c->npath--;
}

/* Bytes left after the read position. */
static size_t remaining(const vctx_t *c) {
        return (size_t)(c->end - c->p);
}

/* Reads a zig-zag varint of at most 10 bytes. */
static int read_long(vctx_t *c, int64_t *out, const char *what) {
        uint64_t u = 0;

        for (int shift = 0;; shift += 7) {
                unsigned char b;
                if (shift > 63)
                        return verr(c, "%s: varint longer than 10 bytes",
                                    what);
                if (c->p >= c->end)
                        return verr(c, "truncated record: the body ends "
                                       "inside the %s", what);
                b = *c->p++;
                u |= (uint64_t)(b & 0x7f) << shift;
                if (!(b & 0x80))
                        break;
        }
        *out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
        return 0;
}

/* Reads a varint that must fit an Avro int. */
static int read_int(vctx_t *c, int64_t *out, const char *what) {
        if (read_long(c, out, what))
                return -1;
        if (*out < INT32_MIN || *out > INT32_MAX)
                return verr(c, "%s %" PRId64 " does not fit an int", what,
                            *out);
        return 0;
}

/* Skips \p n fixed bytes (a float, a double, a fixed). */
static int skip(vctx_t *c, size_t n, const char *what) {
        if (remaining(c) < n)
                return verr(c, "truncated record: %s needs %zu bytes, only "
                               "%zu remain", what, n, remaining(c));
        c->p += n;
        return 0;
}

/* A length prefix, then that many bytes (UTF-8 checked for strings). */
static int check_bytes(vctx_t *c, bool is_string) {
        const char *what = is_string ? "string" : "bytes";
        int64_t n;
        long bad;

        if (read_long(c, &n, is_string ? "string length" : "bytes length"))
                return -1;
        if (n < 0)
                return verr(c, "negative %s length %" PRId64, what, n);
        if ((uint64_t)n > remaining(c))
                return verr(c, "%s of %" PRId64 " bytes but only %zu bytes "
                               "remain", what, n, remaining(c));
        if (is_string &&
            (bad = ink_utf8_invalid_at((const char *)c->p, (size_t)n)) >= 0)
                return verr(c, "string is not valid UTF-8 (bad byte 0x%02x "
                               "at offset %ld of %" PRId64 ")",
                            c->p[bad], bad, n);
        c->p += n;
        return 0;
}

static int check_value(vctx_t *c, avro_schema_t s);

/* Array and map blocks: count (negative: then a byte size), items, ...,
 * a zero count. */
static int check_blocks(vctx_t *c, avro_schema_t items, bool is_map) {
        int64_t total = 0, count, size;

        for (;;) {
                if (read_long(c, &count, is_map ? "map block count"
                                                : "array block count"))
                        return -1;
                if (count == 0)
                        return 0;
                if (count < 0) {
                        if (count == INT64_MIN)
                                return verr(c, "block count out of range");
                        count = -count;
                        if (read_long(c, &size, "block size"))
                                return -1;
                        if (size < 0)
                                return verr(c, "negative block size %" PRId64,
                                            size);
                        if ((uint64_t)size > remaining(c))
                                return verr(c, "block of %" PRId64 " bytes "
                                               "but only %zu bytes remain",
                                            size, remaining(c));
                }
                if (count > INK_AVRO_MAX_ITEMS - total)
                        return verr(c, "more than %d items in one %s",
                                    INK_AVRO_MAX_ITEMS,
                                    is_map ? "map" : "array");
                for (int64_t i = 0; i < count; i++, total++) {
                        int err;
                        path_push(c, NULL, total);
                        err = (is_map && check_bytes(c, true)) ||
                              check_value(c, items);
                        if (err)
                                return -1;
                        path_pop(c);
                }
        }
}

/* Checks one value of schema \p s at the read position and moves past
 * it.  @returns 0 or -1 (c->errstr set). */
static int check_value(vctx_t *c, avro_schema_t s) {
        int64_t v;
        int err = 0;

        if (is_avro_link(s))
                s = avro_schema_link_target(s);
        if (++c->depth > INK_AVRO_MAX_DEPTH)
                return verr(c, "nesting deeper than %d", INK_AVRO_MAX_DEPTH);
        switch (avro_typeof(s)) {
        case AVRO_NULL:
                break;
        case AVRO_BOOLEAN:
                if (remaining(c) < 1)
                        return verr(c, "truncated record: the body ends "
                                       "before a boolean");
                if (*c->p > 1)
                        return verr(c, "boolean byte 0x%02x is neither 0 "
                                       "nor 1", *c->p);
                c->p++;
                break;
        case AVRO_INT32:
                err = read_int(c, &v, "int");
                break;
        case AVRO_INT64:
                err = read_long(c, &v, "long");
                break;
        case AVRO_FLOAT:
                err = skip(c, 4, "a float");
                break;
        case AVRO_DOUBLE:
                err = skip(c, 8, "a double");
                break;
        case AVRO_STRING:
        case AVRO_BYTES:
                err = check_bytes(c, avro_typeof(s) == AVRO_STRING);
                break;
        case AVRO_FIXED:
                err = skip(c, (size_t)avro_schema_fixed_size(s), "a fixed");
                break;
        case AVRO_ENUM:
                if ((err = read_int(c, &v, "enum index")))
                        break;
                if (v < 0 || v >= avro_schema_enum_number_of_symbols(s))
                        return verr(c, "enum index %" PRId64 " out of range "
                                       "(%s has %d symbols)", v,
                                    avro_schema_name(s),
                                    avro_schema_enum_number_of_symbols(s));
                break;
        case AVRO_UNION:
                if ((err = read_long(c, &v, "union branch index")))
                        break;
                if (v < 0 || (uint64_t)v >= avro_schema_union_size(s))
                        return verr(c, "union branch %" PRId64 " out of "
                                       "range (%zu branches)", v,
                                    avro_schema_union_size(s));
                err = check_value(c, avro_schema_union_branch(s, (int)v));
                break;
        case AVRO_RECORD:
                for (size_t i = 0; !err && i < avro_schema_record_size(s);
                     i++) {
                        path_push(c, avro_schema_record_field_name(s, (int)i),
                                  0);
                        err = check_value(
                                c, avro_schema_record_field_get_by_index(
                                           s, (int)i));
                        if (!err)
                                path_pop(c);
                }
                break;
        case AVRO_ARRAY:
                err = check_blocks(c, avro_schema_array_items(s), false);
                break;
        case AVRO_MAP:
                err = check_blocks(c, avro_schema_map_values(s), true);
                break;
        default:
                return verr(c, "unsupported schema type %s",
                            avro_schema_type_name(s));
        }
        c->depth--;
        return err;
}

int ink_avro_check_body(avro_schema_t schema, const void *body, size_t len,
                        char *errstr, size_t errstr_size) {
        vctx_t c = {.start = body, .p = body,
                    .end = (const unsigned char *)body + len,
                    .errstr = errstr, .errstr_size = errstr_size};

        if (check_value(&c, schema))
                return -1;
        if (c.p != c.end) {
                snprintf(errstr, errstr_size,
                         "%zu trailing bytes after the record (body of %zu "
                         "bytes; wrong schema id?)", remaining(&c), len);
                return -1;
        }
        return 0;
}

/*---- Resolution helpers -------------------------------------------------*/

/* The definition of a type node: a name resolves through \p names. */
static const json_t *deref(const json_t *t, const json_t *names) {
        if (json_is_string(t) && names) {
                const json_t *d = json_object_get(names, json_string_value(t));
                return d ? d : t;
        }
        return t;
}

/* Adds the named types under type node \p t (enclosing namespace \p ns)
 * to \p names. */
static void collect(const json_t *t, const char *ns, json_t *names) {
        const char *type, *name, *space;
        char full[512];

        if (json_is_array(t)) {
                size_t i;
                const json_t *b;
                json_array_foreach(t, i, b) collect(b, ns, names);
                return;
        }
        if (!json_is_object(t))
                return;
        type = json_string_value(json_object_get(t, "type"));
        if (!type) {
                collect(json_object_get(t, "type"), ns, names);
                return;
        }
        if (!strcmp(type, "array")) {
                collect(json_object_get(t, "items"), ns, names);
                return;
        }
        if (!strcmp(type, "map")) {
                collect(json_object_get(t, "values"), ns, names);
                return;
        }
        if (!(name = json_string_value(json_object_get(t, "name"))))
                return;
        space = json_string_value(json_object_get(t, "namespace"));
        if (!space)
                space = ns;
        json_object_set(names, name, (json_t *)t);
        if (space && *space && !strchr(name, '.')) {
                snprintf(full, sizeof(full), "%s.%s", space, name);
                json_object_set(names, full, (json_t *)t);
        }
        if (!strcmp(type, "record")) {
                size_t i;
                const json_t *f;
                json_array_foreach(json_object_get(t, "fields"), i, f)
                        collect(json_object_get(f, "type"), space, names);
        }
}

json_t *ink_avro_collect_names(const json_t *rjson) {
        json_t *names = json_object();
        collect(rjson, NULL, names);
        return names;
}

static int prune(json_t *t, avro_schema_t ws, char *errstr,
                 size_t errstr_size);

/* The writer branch of union \p ws that has the name of record \p rt. */
static avro_schema_t union_match(avro_schema_t ws, const json_t *rt) {
        const char *name = json_string_value(json_object_get(rt, "name"));

        for (size_t i = 0; name && i < avro_schema_union_size(ws); i++) {
                avro_schema_t b = avro_schema_union_branch(ws, (int)i);
                if (is_avro_link(b))
                        b = avro_schema_link_target(b);
                if (is_avro_record(b) && !strcmp(avro_schema_name(b), name))
                        return b;
        }
        return NULL;
}

/* Drops from reader record \p t (modified) the fields writer record \p ws
 * lacks and that have a default; recurses into the fields both have.
 * @returns 0, or -1 for a missing field without a default. */
static int prune_record(json_t *t, avro_schema_t ws, char *errstr,
                        size_t errstr_size) {
        json_t *fields = json_object_get(t, "fields");

        for (size_t i = json_array_size(fields); i-- > 0;) {
                json_t *f = json_array_get(fields, i);
                const char *name = json_string_value(json_object_get(f, "name"));
                int wi;

                if (!name)
                        continue;
                wi = avro_schema_record_field_get_index(ws, name);
                if (wi >= 0) {
                        if (prune(json_object_get(f, "type"),
                                  avro_schema_record_field_get_by_index(ws,
                                                                        wi),
                                  errstr, errstr_size))
                                return -1;
                        continue;
                }
                if (!json_object_get(f, "default")) {
                        snprintf(errstr, errstr_size,
                                 "reader field %s.%s has no default and the "
                                 "writer schema does not have it",
                                 json_string_value(json_object_get(t, "name")),
                                 name);
                        return -1;
                }
                json_array_remove(fields, i);
        }
        return 0;
}

/* Walks reader type \p t (modified) alongside writer schema \p ws. */
static int prune(json_t *t, avro_schema_t ws, char *errstr,
                 size_t errstr_size) {
        const char *type;

        if (is_avro_link(ws))
                ws = avro_schema_link_target(ws);
        if (json_is_array(t)) {
                size_t i;
                json_t *b;
                json_array_foreach(t, i, b) {
                        avro_schema_t wb = NULL;
                        if (!json_is_object(b))
                                continue;
                        if (is_avro_union(ws))
                                wb = union_match(ws, b);
                        else if (is_avro_record(ws))
                                wb = ws;
                        if (wb && prune(b, wb, errstr, errstr_size))
                                return -1;
                }
                return 0;
        }
        if (!json_is_object(t))
                return 0;
        if (!(type = json_string_value(json_object_get(t, "type"))))
                return prune(json_object_get(t, "type"), ws, errstr,
                             errstr_size);
        if (!strcmp(type, "record") && is_avro_record(ws))
                return prune_record(t, ws, errstr, errstr_size);
        if (!strcmp(type, "array") && is_avro_array(ws))
                return prune(json_object_get(t, "items"),
                             avro_schema_array_items(ws), errstr,
                             errstr_size);
        if (!strcmp(type, "map") && is_avro_map(ws))
                return prune(json_object_get(t, "values"),
                             avro_schema_map_values(ws), errstr, errstr_size);
        return 0;
}

json_t *ink_avro_prune_reader(const json_t *rjson, avro_schema_t ws,
                              char *errstr, size_t errstr_size) {
        json_t *copy = json_deep_copy(rjson);

        if (prune(copy, ws, errstr, errstr_size)) {
                json_decref(copy);
                return NULL;
        }
        return copy;
}

void ink_avro_fill_defaults(const json_t *t, json_t *val,
                            const json_t *names) {
        const char *type;

        t = deref(t, names);
        if (json_is_array(t)) {
                /* a union: descend into its record branch, if any */
                size_t i;
                const json_t *b;
                if (!json_is_object(val))
                        return;
                json_array_foreach(t, i, b) {
                        const json_t *d = deref(b, names);
                        const char *bt =
                                json_string_value(json_object_get(d, "type"));
                        if (bt && (!strcmp(bt, "record") ||
                                   !strcmp(bt, "map"))) {
                                ink_avro_fill_defaults(d, val, names);
                                return;
                        }
                }
                return;
        }
        if (!json_is_object(t))
                return;
        if (!(type = json_string_value(json_object_get(t, "type")))) {
                ink_avro_fill_defaults(json_object_get(t, "type"), val,
                                       names);
                return;
        }
        if (!strcmp(type, "record") && json_is_object(val)) {
                size_t i;
                const json_t *f;
                json_array_foreach(json_object_get(t, "fields"), i, f) {
                        const char *name =
                                json_string_value(json_object_get(f, "name"));
                        json_t *v, *def = json_object_get(f, "default");
                        if (!name)
                                continue;
                        if ((v = json_object_get(val, name)))
                                ink_avro_fill_defaults(
                                        json_object_get(f, "type"), v, names);
                        else if (def)
                                json_object_set_new(val, name,
                                                    json_deep_copy(def));
                }
        } else if (!strcmp(type, "array") && json_is_array(val)) {
                size_t i;
                json_t *v;
                json_array_foreach(val, i, v) ink_avro_fill_defaults(
                        json_object_get(t, "items"), v, names);
        } else if (!strcmp(type, "map") && json_is_object(val)) {
                const char *k;
                json_t *v;
                json_object_foreach(val, k, v) ink_avro_fill_defaults(
                        json_object_get(t, "values"), v, names);
        }
}

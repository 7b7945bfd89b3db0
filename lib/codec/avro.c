/*
 * Avro records with Confluent framing: magic byte 0, 4-byte big-endian
 * schema id, Avro binary body.  Uses Avro-C's value API only.
 *
 * Writing uses the codec's own schema of each record kind (embedded, or
 * given to ink_avro_new_schemas()).  Reading looks the frame's schema id
 * up in a table of writer schemas (the local catalog, ids set by a
 * registry client, or schemas fetched from the registry on first sight),
 * validates the body against that writer schema (avro_check.c), and reads
 * it through an Avro-C resolved writer into a value of the reader schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro_int.h"

static const char *const schema_paths[INK_REC_CNT] = {
        "schemas/enriched_article.avsc",
        "schemas/alert.avsc",
};

static const char *const record_names[INK_REC_CNT] = {
        "EnrichedArticle",
        "Alert",
};

#define CATALOG_PATH "schemas/catalog.json"

/* Records up to this size keep the reused value's arrays and the output
 * buffer between calls; a bigger one (the record of a 1 MB article takes
 * about 5 MB of Avro-C arrays) gives them back, so that a codec per thread
 * does not keep the peak of the biggest article it ever saw. */
#define KEEP_BYTES (256 * 1024)
#define BUF_BYTES (64 * 1024)

typedef struct rec_codec_s {
        char *text;             /* schema JSON */
        json_t *json;           /* the same, parsed (defaults) */
        json_t *names;          /* named types of json */
        avro_schema_t schema;
        avro_value_iface_t *iface;
        avro_value_t value;     /* reused for every record written */
        int32_t schema_id;
} rec_codec_t;

/* A writer schema known by id, resolved against the reader schema. */
typedef struct writer_s {
        int32_t id;
        ink_record_t kind;
        avro_schema_t wschema;
        avro_schema_t rschema;          /* reader, pruned for this writer */
        avro_value_iface_t *riface;
        avro_value_iface_t *resolver;   /* avro_resolved_writer_new(), or
                                         * NULL when the writer schema is
                                         * the reader's own: read direct */
        avro_value_t rvalue;            /* reader value, reused */
        avro_value_t wvalue;            /* resolved value over rvalue */
} writer_t;

struct ink_avro_s {
        rec_codec_t rec[INK_REC_CNT];
        writer_t **writers;
        size_t nwriters;
        ink_registry_t *reg;            /* owned, or NULL */
        char *buf;                      /* output buffer, grown as needed */
        size_t bufsize;
};

const char *ink_avro_schema_text(ink_record_t kind) {
        return ink_resource_get(schema_paths[kind], NULL);
}

const char *ink_record_name(ink_record_t kind) {
        return record_names[kind];
}

int64_t ink_wire_schema_id(const void *buf, size_t len) {
        const unsigned char *p = buf;

        if (len < INK_WIRE_HEADER || p[0] != INK_WIRE_MAGIC)
                return -1;
        return (int64_t)(((uint32_t)p[1] << 24) | ((uint32_t)p[2] << 16) |
                         ((uint32_t)p[3] << 8) | p[4]);
}

/*---- Writer schemas -----------------------------------------------------*/

static void writer_free(writer_t *w) {
        if (!w)
                return;
        if (w->resolver) {
                avro_value_decref(&w->wvalue);
                avro_value_iface_decref(w->resolver);
        }
        if (w->riface) {
                avro_value_decref(&w->rvalue);
                avro_value_iface_decref(w->riface);
        }
        if (w->rschema)
                avro_schema_decref(w->rschema);
        if (w->wschema)
                avro_schema_decref(w->wschema);
        free(w);
}

/* Forgets every writer schema of \p av. */
static void writers_clear(ink_avro_t *av) {
        for (size_t i = 0; i < av->nwriters; i++)
                writer_free(av->writers[i]);
        free(av->writers);
        av->writers = NULL;
        av->nwriters = 0;
}

/* @returns the writer schema of \p id (borrowed) or NULL. */
static writer_t *writer_find(const ink_avro_t *av, int32_t id) {
        for (size_t i = 0; i < av->nwriters; i++)
                if (av->writers[i]->id == id)
                        return av->writers[i];
        return NULL;
}

/* Builds the resolved reader of writer schema \p text for \p av. */
static writer_t *writer_new(ink_avro_t *av, int32_t id, const char *text,
                            char *errstr, size_t errstr_size) {
        writer_t *w = ink_calloc(1, sizeof(*w));
        json_t *pruned = NULL;
        char *ptext = NULL;
        const char *name;
        int k;

        w->id = id;
        if (avro_schema_from_json_length(text, strlen(text), &w->wschema)) {
                snprintf(errstr, errstr_size,
                         "schema id %d is not a valid Avro schema: %s", id,
                         avro_strerror());
                goto fail;
        }
        name = is_avro_record(w->wschema) ? avro_schema_name(w->wschema)
                                          : avro_schema_type_name(w->wschema);
        for (k = 0; k < INK_REC_CNT; k++)
                if (!strcmp(name, record_names[k]))
                        break;
        if (k == INK_REC_CNT) {
                snprintf(errstr, errstr_size,
                         "schema id %d is a %s, not an inkstream record "
                         "(EnrichedArticle or Alert)", id, name);
                goto fail;
        }
        w->kind = (ink_record_t)k;
        if (avro_schema_equal(w->wschema, av->rec[k].schema)) {
                /* no resolution needed */
                w->rschema = avro_schema_incref(w->wschema);
                if (!(w->riface = avro_generic_class_from_schema(
                              w->rschema)) ||
                    avro_generic_value_new(w->riface, &w->rvalue)) {
                        if (w->riface)
                                avro_value_iface_decref(w->riface);
                        w->riface = NULL;
                        goto fail_avro;
                }
                return w;
        }
        if (!(pruned = ink_avro_prune_reader(av->rec[k].json, w->wschema,
                                             errstr, errstr_size)))
                goto fail;
        ptext = json_dumps(pruned, JSON_COMPACT);
        if (avro_schema_from_json_length(ptext, strlen(ptext),
                                         &w->rschema)) {
                snprintf(errstr, errstr_size, "schema id %d: %s", id,
                         avro_strerror());
                goto fail;
        }
        if (!(w->resolver = avro_resolved_writer_new(w->wschema,
                                                     w->rschema))) {
                snprintf(errstr, errstr_size,
                         "schema id %d (%s) cannot be read with this "
                         "reader's schema: %s", id, name, avro_strerror());
                goto fail;
        }
        if (!(w->riface = avro_generic_class_from_schema(w->rschema)) ||
            avro_generic_value_new(w->riface, &w->rvalue)) {
                if (w->riface)
                        avro_value_iface_decref(w->riface);
                w->riface = NULL;
                goto fail_avro;
        }
        if (avro_resolved_writer_new_value(w->resolver, &w->wvalue)) {
                avro_value_iface_decref(w->resolver);
                w->resolver = NULL;
                goto fail_avro;
        }
        avro_resolved_writer_set_dest(&w->wvalue, &w->rvalue);
        free(ptext);
        json_decref(pruned);
        return w;
fail_avro:
        snprintf(errstr, errstr_size, "schema id %d: %s", id,
                 avro_strerror());
fail:
        free(ptext);
        json_decref(pruned);
        writer_free(w);
        return NULL;
}

ink_rc_t ink_avro_add_writer(ink_avro_t *av, int32_t id, const char *text,
                             ink_record_t *kindp, char *errstr,
                             size_t errstr_size) {
        writer_t *w = writer_new(av, id, text, errstr, errstr_size);

        if (!w)
                return INK_ERR_SCHEMA;
        for (size_t i = 0; i < av->nwriters; i++) {
                if (av->writers[i]->id == id) {
                        writer_free(av->writers[i]);
                        av->writers[i] = w;
                        w = NULL;
                        break;
                }
        }
        if (w) {
                av->writers = ink_realloc(av->writers, (av->nwriters + 1) *
                                                               sizeof(*w));
                av->writers[av->nwriters++] = w;
        }
        if (kindp)
                *kindp = writer_find(av, id)->kind;
        return INK_OK;
}

/* Loads schemas/catalog.json: every entry becomes a decodable writer
 * schema; the entry naming a kind's current schema file sets its id. */
static int load_catalog(ink_avro_t *av, char *errstr, size_t errstr_size) {
        size_t len, i;
        const char *text = ink_resource_get(CATALOG_PATH, &len);
        json_error_t jerr;
        json_t *cat, *e;
        int ret = -1;

        if (!text) {
                snprintf(errstr, errstr_size, "%s: not embedded",
                         CATALOG_PATH);
                return -1;
        }
        if (!(cat = json_loadb(text, len, 0, &jerr))) {
                snprintf(errstr, errstr_size, "%s:%d: %s", CATALOG_PATH,
                         jerr.line, jerr.text);
                return -1;
        }
        json_array_foreach(json_object_get(cat, "schemas"), i, e) {
                json_int_t id = json_integer_value(json_object_get(e, "id"));
                const char *path =
                        json_string_value(json_object_get(e, "schema"));
                const char *stext = path ? ink_resource_get(path, NULL) : NULL;
                char err[384];
                ink_record_t kind;

                if (id <= 0 || id > INT32_MAX || !stext) {
                        snprintf(errstr, errstr_size,
                                 "%s: entry %zu needs an id > 0 and an "
                                 "embedded \"schema\" file", CATALOG_PATH, i);
                        goto out;
                }
                if (ink_avro_add_writer(av, (int32_t)id, stext, &kind, err,
                                        sizeof(err))) {
                        snprintf(errstr, errstr_size, "%s: %s", CATALOG_PATH,
                                 err);
                        goto out;
                }
                if (!strcmp(path, schema_paths[kind]))
                        av->rec[kind].schema_id = (int32_t)id;
        }
        for (int k = 0; k < INK_REC_CNT; k++) {
                if (!av->rec[k].schema_id) {
                        snprintf(errstr, errstr_size,
                                 "%s: no id for %s", CATALOG_PATH,
                                 schema_paths[k]);
                        goto out;
                }
        }
        ret = 0;
out:
        json_decref(cat);
        return ret;
}

/*---- The codec ----------------------------------------------------------*/

void ink_avro_destroy(ink_avro_t *av) {
        if (!av)
                return;
        for (int i = 0; i < INK_REC_CNT; i++) {
                rec_codec_t *rc = &av->rec[i];
                if (rc->iface) {
                        avro_value_decref(&rc->value);
                        avro_value_iface_decref(rc->iface);
                }
                if (rc->schema)
                        avro_schema_decref(rc->schema);
                json_decref(rc->json);
                json_decref(rc->names);
                free(rc->text);
        }
        writers_clear(av);
        ink_registry_destroy(av->reg);
        free(av->buf);
        free(av);
}

/* Loads schema \p text (borrowed; \p what names it in errors) as the
 * reader and writer schema of \p rc.  @returns 0 or -1 with \p errstr. */
static int rec_init(rec_codec_t *rc, const char *what, const char *text,
                    char *errstr, size_t errstr_size) {
        json_error_t jerr;

        if (!text) {
                snprintf(errstr, errstr_size, "%s: not embedded", what);
                return -1;
        }
        rc->text = ink_strdup(text);
        if (!(rc->json = json_loads(text, 0, &jerr))) {
                snprintf(errstr, errstr_size, "%s:%d: %s", what, jerr.line,
                         jerr.text);
                return -1;
        }
        rc->names = ink_avro_collect_names(rc->json);
        if (avro_schema_from_json_length(text, strlen(text), &rc->schema)) {
                snprintf(errstr, errstr_size, "%s: %s", what,
                         avro_strerror());
                return -1;
        }
        rc->iface = avro_generic_class_from_schema(rc->schema);
        if (!rc->iface || avro_generic_value_new(rc->iface, &rc->value)) {
                snprintf(errstr, errstr_size, "%s: %s", what,
                         avro_strerror());
                if (rc->iface) {
                        avro_value_iface_decref(rc->iface);
                        rc->iface = NULL;
                }
                return -1;
        }
        return 0;
}

ink_avro_t *ink_avro_new_schemas(const char *const texts[INK_REC_CNT],
                                 char *errstr, size_t errstr_size) {
        ink_avro_t *av = ink_calloc(1, sizeof(*av));

        for (int i = 0; i < INK_REC_CNT; i++) {
                const char *text = texts && texts[i]
                                           ? texts[i]
                                           : ink_resource_get(schema_paths[i],
                                                              NULL);
                if (rec_init(&av->rec[i],
                             texts && texts[i] ? record_names[i]
                                               : schema_paths[i],
                             text, errstr, errstr_size))
                        goto fail;
        }
        av->bufsize = BUF_BYTES;
        av->buf = ink_malloc(av->bufsize);
        return av;
fail:
        ink_avro_destroy(av);
        return NULL;
}

ink_avro_t *ink_avro_new(char *errstr, size_t errstr_size) {
        ink_avro_t *av = ink_avro_new_schemas(NULL, errstr, errstr_size);

        if (av && load_catalog(av, errstr, errstr_size)) {
                ink_avro_destroy(av);
                return NULL;
        }
        return av;
}

void ink_avro_set_schema_id(ink_avro_t *av, ink_record_t kind, int32_t id) {
        char err[512];

        av->rec[kind].schema_id = id;
        /* a schema always resolves against itself */
        if (ink_avro_add_writer(av, id, av->rec[kind].text, NULL, err,
                                sizeof(err)))
                ink_panic(__FILE__, __LINE__, err);
}

int32_t ink_avro_schema_id(const ink_avro_t *av, ink_record_t kind) {
        return av->rec[kind].schema_id;
}

void ink_avro_set_registry(ink_avro_t *av, ink_registry_t *reg) {
        ink_registry_destroy(av->reg);
        av->reg = reg;  /* ownership taken */
        if (reg)
                writers_clear(av);
}

/*---- Encoding helpers: each returns 0 or an Avro error code -------------*/

static int set_str(avro_value_t *rec, const char *name, const char *s) {
        avro_value_t f;
        int err = avro_value_get_by_name(rec, name, &f, NULL);
        if (err)
                return err;
        return avro_value_set_string_len(&f, s ? s : "",
                                         (s ? strlen(s) : 0) + 1);
}

/* A ["null", T] union: branch 0 when absent. */
static int set_opt_branch(avro_value_t *rec, const char *name, bool present,
                          avro_value_t *branch) {
        avro_value_t f;
        int err = avro_value_get_by_name(rec, name, &f, NULL);
        if (err)
                return err;
        return avro_value_set_branch(&f, present ? 1 : 0, branch);
}

static int set_opt_str(avro_value_t *rec, const char *name, const char *s) {
        avro_value_t b;
        int err = set_opt_branch(rec, name, s != NULL, &b);
        if (err || !s)
                return err ? err : avro_value_set_null(&b);
        return avro_value_set_string_len(&b, s, strlen(s) + 1);
}

static int set_long(avro_value_t *rec, const char *name, int64_t v) {
        avro_value_t f;
        int err = avro_value_get_by_name(rec, name, &f, NULL);
        return err ? err : avro_value_set_long(&f, v);
}

static int set_int(avro_value_t *rec, const char *name, int32_t v) {
        avro_value_t f;
        int err = avro_value_get_by_name(rec, name, &f, NULL);
        return err ? err : avro_value_set_int(&f, v);
}

static int set_double(avro_value_t *rec, const char *name, double v) {
        avro_value_t f;
        int err = avro_value_get_by_name(rec, name, &f, NULL);
        return err ? err : avro_value_set_double(&f, v);
}

static int set_enum(avro_value_t *rec, const char *name, int v) {
        avro_value_t f;
        int err = avro_value_get_by_name(rec, name, &f, NULL);
        return err ? err : avro_value_set_enum(&f, v);
}

static int set_str_array(avro_value_t *rec, const char *name,
                         const char **v, size_t n) {
        avro_value_t arr, el;
        int err = avro_value_get_by_name(rec, name, &arr, NULL);
        for (size_t i = 0; !err && i < n; i++) {
                err = avro_value_append(&arr, &el, NULL);
                if (!err)
                        err = avro_value_set_string_len(&el, v[i],
                                                        strlen(v[i]) + 1);
        }
        return err;
}

static int fill_sentiment(avro_value_t *rec, const ink_sentiment_t *s) {
        avro_value_t f;
        int err = avro_value_get_by_name(rec, "sentiment", &f, NULL);
        if (!err) err = set_double(&f, "compound", s->compound);
        if (!err) err = set_double(&f, "positive", s->positive);
        if (!err) err = set_double(&f, "neutral", s->neutral);
        if (!err) err = set_double(&f, "negative", s->negative);
        return err;
}

static int fill_entities(avro_value_t *rec, const ink_article_t *art) {
        avro_value_t arr, e, b;
        int err = avro_value_get_by_name(rec, "entities", &arr, NULL);

        for (size_t i = 0; !err && i < art->nents; i++) {
                const ink_entity_t *ent = &art->ents[i];
                err = avro_value_append(&arr, &e, NULL);
                if (!err) err = set_str(&e, "text", ent->text);
                if (!err) err = set_enum(&e, "type", (int)ent->type);
                if (!err) err = set_enum(&e, "field", ent->field);
                if (!err) err = set_int(&e, "begin", (int32_t)ent->cb);
                if (!err) err = set_int(&e, "end", (int32_t)ent->ce);
                if (!err)
                        err = set_str(&e, "canonical",
                                      ent->canonical ? ent->canonical
                                                     : ent->text);
                if (!err) err = set_opt_str(&e, "kb_id", ent->kb_id);
                if (!err)
                        err = set_opt_branch(&e, "sentiment",
                                             ent->has_sentiment, &b);
                if (!err)
                        err = ent->has_sentiment
                                      ? avro_value_set_double(&b,
                                                              ent->sentiment)
                                      : avro_value_set_null(&b);
        }
        return err;
}

static int fill_sentences(avro_value_t *rec, const ink_article_t *art) {
        avro_value_t arr, s;
        int err = avro_value_get_by_name(rec, "sentences", &arr, NULL);

        for (size_t i = 0; !err && i < art->nsents; i++) {
                const ink_sentence_t *sn = &art->sents[i];
                err = avro_value_append(&arr, &s, NULL);
                if (!err) err = set_enum(&s, "field", sn->field);
                if (!err) err = set_int(&s, "begin", (int32_t)sn->cb);
                if (!err) err = set_int(&s, "end", (int32_t)sn->ce);
                if (!err)
                        err = set_double(&s, "compound",
                                         sn->sentiment.compound);
        }
        return err;
}

static int fill_alert_refs(avro_value_t *rec, const ink_article_t *art) {
        avro_value_t arr, a;
        int err = avro_value_get_by_name(rec, "alerts", &arr, NULL);

        for (size_t i = 0; !err && i < art->nalerts; i++) {
                const ink_alert_t *al = &art->alerts[i];
                err = avro_value_append(&arr, &a, NULL);
                if (!err) err = set_str(&a, "alert_id", al->alert_id);
                if (!err) err = set_str(&a, "type", al->type);
                if (!err) err = set_str(&a, "event_key", al->event_key);
        }
        return err;
}

/* Before a record: shrinks an output buffer left big by the record
 * before (the caller is done with it by now). */
static void buf_trim(ink_avro_t *av) {
        if (av->bufsize > KEEP_BYTES) {
                free(av->buf);
                av->bufsize = BUF_BYTES;
                av->buf = ink_malloc(av->bufsize);
        }
}

/* After a record of \p size bytes was written from rc->value: replaces
 * the value by a fresh one when it is big. */
static void value_trim(rec_codec_t *rc, size_t size) {
        avro_value_t fresh;

        if (size <= KEEP_BYTES || avro_generic_value_new(rc->iface, &fresh))
                return;  /* (a failed new keeps the old value: still fine) */
        avro_value_decref(&rc->value);
        rc->value = fresh;
}

/* Writes the framed value of \p rc into av->buf. */
static ink_rc_t write_framed(ink_avro_t *av, rec_codec_t *rc,
                             const char **bufp, size_t *lenp, char *errstr,
                             size_t errstr_size) {
        size_t size = 0;
        avro_writer_t w;
        int err;

        buf_trim(av);
        if (avro_value_sizeof(&rc->value, &size)) {
                snprintf(errstr, errstr_size, "avro sizeof: %s",
                         avro_strerror());
                return INK_ERR_SCHEMA;
        }
        if (size + INK_WIRE_HEADER > av->bufsize) {
                av->bufsize = size + INK_WIRE_HEADER;
                av->buf = ink_realloc(av->buf, av->bufsize);
        }
        av->buf[0] = INK_WIRE_MAGIC;
        av->buf[1] = (char)((uint32_t)rc->schema_id >> 24);
        av->buf[2] = (char)((uint32_t)rc->schema_id >> 16);
        av->buf[3] = (char)((uint32_t)rc->schema_id >> 8);
        av->buf[4] = (char)((uint32_t)rc->schema_id);
        w = avro_writer_memory(av->buf + INK_WIRE_HEADER, (int64_t)size);
        err = avro_value_write(w, &rc->value);
        avro_writer_free(w);
        value_trim(rc, size);
        if (err) {
                snprintf(errstr, errstr_size, "avro write: %s",
                         avro_strerror());
                return INK_ERR_SCHEMA;
        }
        *bufp = av->buf;
        *lenp = size + INK_WIRE_HEADER;
        return INK_OK;
}

ink_rc_t ink_avro_encode_article(ink_avro_t *av, const ink_article_t *art,
                                 const char **bufp, size_t *lenp,
                                 char *errstr, size_t errstr_size) {
        rec_codec_t *rc = &av->rec[INK_REC_ENRICHED];
        avro_value_t *v = &rc->value, b;
        int err;

        avro_value_reset(v);
        err = set_str(v, "id", art->id);
        if (!err) err = set_str(v, "title", art->title);
        if (!err) err = set_opt_str(v, "url", art->url);
        if (!err) err = set_opt_str(v, "source", art->source);
        if (!err)
                err = set_opt_branch(v, "published", art->published_ms >= 0,
                                     &b);
        if (!err)
                err = art->published_ms >= 0
                              ? avro_value_set_long(&b, art->published_ms)
                              : avro_value_set_null(&b);
        if (!err) err = set_long(v, "ingested", art->ingested_ms);
        if (!err) err = set_long(v, "processed", art->processed_ms);
        if (!err) err = set_str(v, "lang", art->lang ? art->lang : "en");
        if (!err) err = fill_entities(v, art);
        if (!err) err = fill_sentiment(v, &art->sentiment);
        if (!err) err = fill_sentences(v, art);
        if (!err) err = fill_alert_refs(v, art);
        if (!err) err = set_str(v, "model_version", INK_MODEL_VERSION);
        if (err) {
                snprintf(errstr, errstr_size,
                         "enriched record does not fit its schema: %s",
                         avro_strerror());
                return INK_ERR_SCHEMA;
        }
        return write_framed(av, rc, bufp, lenp, errstr, errstr_size);
}

ink_rc_t ink_avro_encode_alert(ink_avro_t *av, const ink_article_t *art,
                               const ink_alert_t *al, const char **bufp,
                               size_t *lenp, char *errstr,
                               size_t errstr_size) {
        rec_codec_t *rc = &av->rec[INK_REC_ALERT];
        avro_value_t *v = &rc->value;
        int err;

        avro_value_reset(v);
        err = set_str(v, "alert_id", al->alert_id);
        if (!err) err = set_str(v, "type", al->type);
        if (!err) err = set_str(v, "event_key", al->event_key);
        if (!err)
                err = set_str_array(v, "participants", al->participants,
                                    al->nparticipants);
        if (!err) err = set_enum(v, "mode", (int)al->mode);
        if (!err) err = set_enum(v, "status", (int)al->status);
        if (!err) err = set_str_array(v, "venues", al->venues, al->nvenues);
        if (!err) err = set_opt_str(v, "when_text", al->when_text);
        if (!err) err = set_opt_str(v, "when_date", al->when_date);
        if (!err) err = set_opt_str(v, "cameo", al->cameo);
        if (!err) err = set_str(v, "evidence", al->evidence);
        if (!err) err = set_str(v, "article_id", art->id);
        if (!err) err = set_str(v, "article_title", art->title);
        if (!err) err = set_opt_str(v, "article_url", art->url);
        if (!err) err = set_long(v, "detected", art->processed_ms);
        if (!err) err = set_str(v, "model_version", INK_MODEL_VERSION);
        if (err) {
                snprintf(errstr, errstr_size,
                         "alert record does not fit its schema: %s",
                         avro_strerror());
                return INK_ERR_SCHEMA;
        }
        return write_framed(av, rc, bufp, lenp, errstr, errstr_size);
}

/*---- Encoding from JSON ---------------------------------------------------*/

/* Does JSON value \p j fit Avro type \p t (for picking a union branch)? */
static bool json_fits(const json_t *j, avro_type_t t) {
        switch (t) {
        case AVRO_NULL: return json_is_null(j);
        case AVRO_BOOLEAN: return json_is_boolean(j);
        case AVRO_INT32:
        case AVRO_INT64: return json_is_integer(j);
        case AVRO_FLOAT:
        case AVRO_DOUBLE: return json_is_number(j);
        case AVRO_STRING:
        case AVRO_BYTES:
        case AVRO_ENUM: return json_is_string(j);
        case AVRO_RECORD:
        case AVRO_MAP: return json_is_object(j);
        case AVRO_ARRAY: return json_is_array(j);
        default: return false;
        }
}

/* Fills \p v from \p j; on a mismatch writes the field path to \p errstr
 * and returns -1. */
static int from_json(avro_value_t *v, const json_t *j, const char *path,
                     char *errstr, size_t errstr_size) {
        avro_type_t t = avro_value_get_type(v);
        avro_schema_t s = avro_value_get_schema(v);
        avro_value_t c;
        char sub[256];
        int err = 0;

        if (t != AVRO_UNION && !json_fits(j, t)) {
                snprintf(errstr, errstr_size, "field %s: expected %s",
                         *path ? path : "(record)",
                         avro_schema_type_name(s));
                return -1;
        }
        switch (t) {
        case AVRO_NULL: err = avro_value_set_null(v); break;
        case AVRO_BOOLEAN:
                err = avro_value_set_boolean(v, json_is_true(j));
                break;
        case AVRO_INT32:
                err = avro_value_set_int(v, (int32_t)json_integer_value(j));
                break;
        case AVRO_INT64:
                err = avro_value_set_long(v, json_integer_value(j));
                break;
        case AVRO_FLOAT:
                err = avro_value_set_float(v, (float)json_number_value(j));
                break;
        case AVRO_DOUBLE:
                err = avro_value_set_double(v, json_number_value(j));
                break;
        case AVRO_STRING:
                err = avro_value_set_string_len(v, json_string_value(j),
                                                json_string_length(j) + 1);
                break;
        case AVRO_BYTES:
                err = avro_value_set_bytes(v, (void *)json_string_value(j),
                                           json_string_length(j));
                break;
        case AVRO_ENUM: {
                int i = avro_schema_enum_get_by_name(s, json_string_value(j));
                if (i < 0) {
                        snprintf(errstr, errstr_size,
                                 "field %s: \"%s\" is not a symbol of %s",
                                 path, json_string_value(j),
                                 avro_schema_name(s));
                        return -1;
                }
                err = avro_value_set_enum(v, i);
                break;
        }
        case AVRO_UNION: {
                size_t n = avro_schema_union_size(s), i;
                for (i = 0; i < n; i++) {
                        avro_schema_t b = avro_schema_union_branch(s, (int)i);
                        if (is_avro_link(b))
                                b = avro_schema_link_target(b);
                        if (json_fits(j, avro_typeof(b)))
                                break;
                }
                if (i == n) {
                        snprintf(errstr, errstr_size,
                                 "field %s: no branch of the union fits",
                                 path);
                        return -1;
                }
                err = avro_value_set_branch(v, (int)i, &c);
                if (!err)
                        return from_json(&c, j, path, errstr, errstr_size);
                break;
        }
        case AVRO_RECORD: {
                size_t n = avro_schema_record_size(s);
                for (size_t i = 0; !err && i < n; i++) {
                        const char *name;
                        const json_t *f;
                        err = avro_value_get_by_index(v, i, &c, &name);
                        if (err)
                                break;
                        snprintf(sub, sizeof(sub), "%s%s%s", path,
                                 *path ? "." : "", name);
                        if (!(f = json_object_get(j, name))) {
                                snprintf(errstr, errstr_size,
                                         "field %s: missing", sub);
                                return -1;
                        }
                        if (from_json(&c, f, sub, errstr, errstr_size))
                                return -1;
                }
                break;
        }
        case AVRO_ARRAY: {
                size_t i;
                const json_t *e;
                json_array_foreach(j, i, e) {
                        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
                        if ((err = avro_value_append(v, &c, NULL)))
                                break;
                        if (from_json(&c, e, sub, errstr, errstr_size))
                                return -1;
                }
                break;
        }
        case AVRO_MAP: {
                const char *k;
                const json_t *e;
                json_object_foreach((json_t *)j, k, e) {
                        snprintf(sub, sizeof(sub), "%s[%s]", path, k);
                        if ((err = avro_value_add(v, k, &c, NULL, NULL)))
                                break;
                        if (from_json(&c, e, sub, errstr, errstr_size))
                                return -1;
                }
                break;
        }
        default:
                snprintf(errstr, errstr_size, "field %s: unsupported type %s",
                         path, avro_schema_type_name(s));
                return -1;
        }
        if (err) {
                snprintf(errstr, errstr_size, "field %s: %s", path,
                         avro_strerror());
                return -1;
        }
        return 0;
}

ink_rc_t ink_avro_encode_json(ink_avro_t *av, ink_record_t kind,
                              const json_t *obj, const char **bufp,
                              size_t *lenp, char *errstr,
                              size_t errstr_size) {
        rec_codec_t *rc = &av->rec[kind];

        avro_value_reset(&rc->value);
        if (from_json(&rc->value, obj, "", errstr, errstr_size))
                return INK_ERR_SCHEMA;
        return write_framed(av, rc, bufp, lenp, errstr, errstr_size);
}

/*---- Decoding to JSON ---------------------------------------------------*/

static json_t *value_to_json(avro_value_t *v) {
        switch (avro_value_get_type(v)) {
        case AVRO_STRING: {
                const char *s;
                size_t size;
                avro_value_get_string(v, &s, &size);
                return json_stringn(s, size ? size - 1 : 0);
        }
        case AVRO_BYTES: {
                const void *p;
                size_t size;
                avro_value_get_bytes(v, &p, &size);
                return json_stringn(p, size);
        }
        case AVRO_INT32: {
                int32_t i;
                avro_value_get_int(v, &i);
                return json_integer(i);
        }
        case AVRO_INT64: {
                int64_t l;
                avro_value_get_long(v, &l);
                return json_integer(l);
        }
        case AVRO_FLOAT: {
                float f;
                avro_value_get_float(v, &f);
                return json_real(f);
        }
        case AVRO_DOUBLE: {
                double d;
                avro_value_get_double(v, &d);
                return json_real(d);
        }
        case AVRO_BOOLEAN: {
                int b;
                avro_value_get_boolean(v, &b);
                return json_boolean(b);
        }
        case AVRO_ENUM: {
                int i;
                avro_value_get_enum(v, &i);
                return json_string(
                        avro_schema_enum_get(avro_value_get_schema(v), i));
        }
        case AVRO_UNION: {
                avro_value_t b;
                avro_value_get_current_branch(v, &b);
                return value_to_json(&b);
        }
        case AVRO_RECORD:
        case AVRO_MAP: {
                json_t *o = json_object();
                size_t n = 0;
                avro_value_get_size(v, &n);
                for (size_t i = 0; i < n; i++) {
                        avro_value_t c;
                        const char *name;
                        avro_value_get_by_index(v, i, &c, &name);
                        json_object_set_new(o, name, value_to_json(&c));
                }
                return o;
        }
        case AVRO_ARRAY: {
                json_t *a = json_array();
                size_t n = 0;
                avro_value_get_size(v, &n);
                for (size_t i = 0; i < n; i++) {
                        avro_value_t c;
                        avro_value_get_by_index(v, i, &c, NULL);
                        json_array_append_new(a, value_to_json(&c));
                }
                return a;
        }
        default:
                return json_null();
        }
}

/* The writer schema of \p id: known, or fetched from the registry. */
static writer_t *writer_get(ink_avro_t *av, int32_t id, char *errstr,
                            size_t errstr_size) {
        writer_t *w = writer_find(av, id);
        const char *text;
        char err[512];

        if (w)
                return w;
        if (!av->reg) {
                size_t n = 0;
                n += (size_t)snprintf(errstr, errstr_size,
                                      "unknown schema id %d (this reader "
                                      "knows", id);
                for (size_t i = 0; i < av->nwriters && n < errstr_size; i++)
                        n += (size_t)snprintf(errstr + n, errstr_size - n,
                                              "%s %d", i ? "," : "",
                                              av->writers[i]->id);
                if (n < errstr_size)
                        snprintf(errstr + n, errstr_size - n,
                                 "; written with a schema registry? set "
                                 "schema.registry.url)");
                return NULL;
        }
        if (ink_registry_schema(av->reg, id, &text, err, sizeof(err))) {
                snprintf(errstr, errstr_size, "unknown schema id %d: %s", id,
                         err);
                return NULL;
        }
        if (ink_avro_add_writer(av, id, text, NULL, errstr, errstr_size))
                return NULL;
        return writer_find(av, id);
}

ink_rc_t ink_avro_decode_any(ink_avro_t *av, const void *buf, size_t len,
                             ink_record_t *kindp, json_t **outp,
                             char *errstr, size_t errstr_size) {
        const unsigned char *p = buf;
        const char *body = (const char *)buf + INK_WIRE_HEADER;
        size_t blen = len - INK_WIRE_HEADER;
        char err[512];
        avro_reader_t r;
        writer_t *w;
        json_t *o;
        int rerr;

        if (len < INK_WIRE_HEADER) {
                snprintf(errstr, errstr_size,
                         "record of %zu bytes is shorter than the 5-byte "
                         "wire header", len);
                return INK_ERR_SCHEMA;
        }
        if (p[0] != INK_WIRE_MAGIC) {
                snprintf(errstr, errstr_size,
                         "unknown magic byte 0x%02x (expected 0x00: not a "
                         "Confluent-framed Avro record)", p[0]);
                return INK_ERR_SCHEMA;
        }
        if (!(w = writer_get(av, (int32_t)ink_wire_schema_id(buf, len),
                             errstr, errstr_size)))
                return INK_ERR_SCHEMA;
        if (ink_avro_check_body(w->wschema, body, blen, err, sizeof(err))) {
                snprintf(errstr, errstr_size, "bad %s record (schema id %d): "
                         "%s", record_names[w->kind], w->id, err);
                return INK_ERR_SCHEMA;
        }
        avro_value_reset(&w->rvalue);
        r = avro_reader_memory(body, (int64_t)blen);
        rerr = avro_value_read(r, w->resolver ? &w->wvalue : &w->rvalue);
        avro_reader_free(r);
        if (rerr) {
                snprintf(errstr, errstr_size, "undecodable %s record (schema "
                         "id %d): %s", record_names[w->kind], w->id,
                         avro_strerror());
                return INK_ERR_SCHEMA;
        }
        o = value_to_json(&w->rvalue);
        if (w->resolver)
                ink_avro_fill_defaults(av->rec[w->kind].json, o,
                                       av->rec[w->kind].names);
        if (kindp)
                *kindp = w->kind;
        *outp = o;
        return INK_OK;
}

ink_rc_t ink_avro_decode_json(ink_avro_t *av, ink_record_t kind,
                              const void *buf, size_t len, json_t **outp,
                              char *errstr, size_t errstr_size) {
        ink_record_t got;
        json_t *o = NULL;
        ink_rc_t rc = ink_avro_decode_any(av, buf, len, &got, &o, errstr,
                                          errstr_size);

        if (rc)
                return rc;
        if (got != kind) {
                snprintf(errstr, errstr_size,
                         "schema id %d is a %s record, expected %s",
                         (int)ink_wire_schema_id(buf, len), record_names[got],
                         record_names[kind]);
                json_decref(o);
                return INK_ERR_SCHEMA;
        }
        *outp = o;
        return INK_OK;
}

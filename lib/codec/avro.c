/*
 * Avro records with Confluent framing: magic byte 0, 4-byte big-endian
 * schema id, Avro binary body.  Uses Avro-C's value API only.
 */
#include <avro.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"

static const char *const schema_paths[INK_REC_CNT] = {
        "schemas/enriched_article.avsc",
        "schemas/alert.avsc",
};

typedef struct rec_codec_s {
        avro_schema_t schema;
        avro_value_iface_t *iface;
        avro_value_t value;     /* reused for every record */
        int32_t schema_id;
} rec_codec_t;

struct ink_avro_s {
        rec_codec_t rec[INK_REC_CNT];
        char *buf;              /* output buffer, grown as needed */
        size_t bufsize;
};

const char *ink_avro_schema_text(ink_record_t kind) {
        return ink_resource_get(schema_paths[kind], NULL);
}

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
        }
        free(av->buf);
        free(av);
}

ink_avro_t *ink_avro_new(char *errstr, size_t errstr_size) {
        ink_avro_t *av = ink_calloc(1, sizeof(*av));

        for (int i = 0; i < INK_REC_CNT; i++) {
                rec_codec_t *rc = &av->rec[i];
                size_t len;
                const char *text = ink_resource_get(schema_paths[i], &len);

                rc->schema_id = i + 1;
                if (!text) {
                        snprintf(errstr, errstr_size, "%s: not embedded",
                                 schema_paths[i]);
                        goto fail;
                }
                if (avro_schema_from_json_length(text, len, &rc->schema)) {
                        snprintf(errstr, errstr_size, "%s: %s",
                                 schema_paths[i], avro_strerror());
                        goto fail;
                }
                rc->iface = avro_generic_class_from_schema(rc->schema);
                if (!rc->iface ||
                    avro_generic_value_new(rc->iface, &rc->value)) {
                        snprintf(errstr, errstr_size, "%s: %s",
                                 schema_paths[i], avro_strerror());
                        if (rc->iface) {
                                avro_value_iface_decref(rc->iface);
                                rc->iface = NULL;
                        }
                        goto fail;
                }
        }
        av->bufsize = 64 * 1024;
        av->buf = ink_malloc(av->bufsize);
        return av;
fail:
        ink_avro_destroy(av);
        return NULL;
}

void ink_avro_set_schema_id(ink_avro_t *av, ink_record_t kind, int32_t id) {
        av->rec[kind].schema_id = id;
}

int32_t ink_avro_schema_id(const ink_avro_t *av, ink_record_t kind) {
        return av->rec[kind].schema_id;
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

/* Writes the framed value of \p rc into av->buf. */
static ink_rc_t write_framed(ink_avro_t *av, rec_codec_t *rc,
                             const char **bufp, size_t *lenp, char *errstr,
                             size_t errstr_size) {
        size_t size = 0;
        avro_writer_t w;
        int err;

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

ink_rc_t ink_avro_decode_json(ink_avro_t *av, ink_record_t kind,
                              const void *buf, size_t len, json_t **outp,
                              char *errstr, size_t errstr_size) {
        rec_codec_t *rc = &av->rec[kind];
        const unsigned char *p = buf;
        avro_reader_t r;
        int32_t id;
        int err;

        if (len < INK_WIRE_HEADER) {
                snprintf(errstr, errstr_size,
                         "record of %zu bytes is shorter than the 5-byte "
                         "wire header", len);
                return INK_ERR_SCHEMA;
        }
        if (p[0] != INK_WIRE_MAGIC) {
                snprintf(errstr, errstr_size,
                         "unknown magic byte 0x%02x (expected 0x00)", p[0]);
                return INK_ERR_SCHEMA;
        }
        id = (int32_t)(((uint32_t)p[1] << 24) | ((uint32_t)p[2] << 16) |
                       ((uint32_t)p[3] << 8) | p[4]);
        if (id != rc->schema_id) {
                snprintf(errstr, errstr_size,
                         "unknown schema id %d (this reader knows %d for %s)",
                         id, rc->schema_id, schema_paths[kind]);
                return INK_ERR_SCHEMA;
        }
        avro_value_reset(&rc->value);
        r = avro_reader_memory((const char *)p + INK_WIRE_HEADER,
                               (int64_t)(len - INK_WIRE_HEADER));
        err = avro_value_read(r, &rc->value);
        avro_reader_free(r);
        if (err) {
                snprintf(errstr, errstr_size, "undecodable Avro body: %s",
                         avro_strerror());
                return INK_ERR_SCHEMA;
        }
        *outp = value_to_json(&rc->value);
        return INK_OK;
}

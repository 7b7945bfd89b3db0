/*
 * Codecs: articles in (JSON Lines or plain text), enriched records and
 * alerts out (Avro with Confluent framing, or JSON).
 */
#ifndef INK_CODEC_H
#define INK_CODEC_H

#include <jansson.h>

#include "ink/article.h"

/* Default size limit of one input article (bytes). */
#define INK_MAX_ARTICLE_DEFAULT (4 * 1024 * 1024)

/*---- Input: article.c ----------------------------------------------------*/

/** Parses one JSON article ({"id","title","body","url","published",
 *  "source","lang"}; id and body required) into \p art (strings are copied
 *  into art->arena).
 *  @returns INK_OK, INK_ERR_TOO_LARGE or INK_ERR_INVALID with a reason for
 *  an operator in \p errstr ("missing field \"body\"", ...). */
ink_rc_t ink_article_parse_json(ink_article_t *art, const char *buf,
                                size_t len, size_t max_size, char *errstr,
                                size_t errstr_size);

/** Parses a plain-text article: the first non-empty line is the title, the
 *  rest the body; the id is a hash of the content ("txt-<16 hex>"). */
ink_rc_t ink_article_parse_text(ink_article_t *art, const char *buf,
                                size_t len, size_t max_size, char *errstr,
                                size_t errstr_size);

/** Checks that \p s is valid UTF-8 with no NUL byte.
 *  @returns -1 if valid, else the byte offset of the first bad byte. */
long ink_utf8_invalid_at(const char *s, size_t len);

/** 64-bit FNV-1a hash (ids, event keys). */
uint64_t ink_hash64(const void *data, size_t len, uint64_t seed);

/*---- Output as JSON: json.c ----------------------------------------------*/

/** @returns the JSON form of the enriched record (new reference, owned by
 *  caller: json_decref()). */
json_t *ink_article_to_json(const ink_article_t *art);

/** @returns the JSON form of the enriched record, compact, as
 *  json_dumps(ink_article_to_json(art), JSON_COMPACT) gives it byte for
 *  byte, written directly (a fifth of the CPU); NUL-terminated, owned by
 *  caller (free()); its length in \p lenp when not NULL. */
char *ink_article_json_compact(const ink_article_t *art, size_t *lenp);

/** @returns the JSON form of alert \p al of \p art (new reference). */
json_t *ink_alert_to_json(const ink_article_t *art, const ink_alert_t *al);

/*---- Avro with Confluent framing: avro.c ---------------------------------*/

#include "ink/registry.h"

/* Record kinds written by inkstream. */
typedef enum ink_record_e {
        INK_REC_ENRICHED = 0,   /* schemas/enriched_article.avsc */
        INK_REC_ALERT,          /* schemas/alert.avsc */
        INK_REC_CNT
} ink_record_t;

/* Wire format: magic byte 0, 4-byte big-endian schema id, Avro binary. */
#define INK_WIRE_MAGIC 0
#define INK_WIRE_HEADER 5

/* Limits the decoder enforces on untrusted bodies (see schemas/README.md). */
#define INK_AVRO_MAX_DEPTH 64           /* nesting of records/arrays/unions */
#define INK_AVRO_MAX_ITEMS (1 << 20)    /* items of one array or map */

/* An encoder/decoder.  Not thread-safe: one per thread (it reuses one
 * Avro value and one buffer per record kind, and one per writer schema). */
typedef struct ink_avro_s ink_avro_t;

/** @returns a codec with the embedded schemas as reader and writer
 *  schemas and the writer schemas of the local catalog
 *  (schemas/catalog.json) known by id (owned by caller), or NULL with
 *  \p errstr set. */
ink_avro_t *ink_avro_new(char *errstr, size_t errstr_size);

/** Same with reader/writer schemas given as JSON texts (\p texts[kind];
 *  NULL = the embedded one) and no catalog: only ids set with
 *  ink_avro_set_schema_id() or ink_avro_add_writer() decode.  \p texts is
 *  borrowed (copied).  For evolution tests and tools. */
ink_avro_t *ink_avro_new_schemas(const char *const texts[INK_REC_CNT],
                                 char *errstr, size_t errstr_size);
void ink_avro_destroy(ink_avro_t *av);

/** Sets the schema id written for record kind \p kind (default from the
 *  catalog: INK_REC_ENRICHED 1, INK_REC_ALERT 2; a schema registry client
 *  sets the ids it registered) and makes that id decodable with the
 *  codec's own schema. */
void ink_avro_set_schema_id(ink_avro_t *av, ink_record_t kind, int32_t id);
int32_t ink_avro_schema_id(const ink_avro_t *av, ink_record_t kind);

/** Makes writer schema \p text (borrowed) decodable under \p id: it is
 *  resolved against the reader schema of the same record name (Avro
 *  schema resolution; reader fields missing from the writer take their
 *  defaults).  Replaces an earlier schema of that id.  *\p kindp (may be
 *  NULL) gets the record kind.
 *  @returns INK_OK, or INK_ERR_SCHEMA when the text is not a schema or
 *  cannot be resolved ("reader field X has no default ..."). */
ink_rc_t ink_avro_add_writer(ink_avro_t *av, int32_t id, const char *text,
                             ink_record_t *kindp, char *errstr,
                             size_t errstr_size);

/** Hands \p reg to the codec (takes ownership; NULL detaches): writer
 *  schemas of ids the codec does not know are then fetched from it, and
 *  the ids of the local catalog are forgotten. */
void ink_avro_set_registry(ink_avro_t *av, ink_registry_t *reg);

/** @returns the schema JSON text of \p kind (borrowed). */
const char *ink_avro_schema_text(ink_record_t kind);
/** @returns the record name of \p kind, e.g. "Alert" (static). */
const char *ink_record_name(ink_record_t kind);

/** @returns the schema id of a framed value, or -1 if \p buf is not a
 *  Confluent frame (shorter than 5 bytes or magic byte not 0). */
int64_t ink_wire_schema_id(const void *buf, size_t len);

/** Encodes the enriched record of \p art, framed.  \p *bufp points into
 *  the codec's buffer (borrowed, valid until the next call).
 *  @returns INK_OK or INK_ERR_SCHEMA with \p errstr set. */
ink_rc_t ink_avro_encode_article(ink_avro_t *av, const ink_article_t *art,
                                 const char **bufp, size_t *lenp,
                                 char *errstr, size_t errstr_size);

/** Encodes alert \p al of \p art, framed (same buffer rules). */
ink_rc_t ink_avro_encode_alert(ink_avro_t *av, const ink_article_t *art,
                               const ink_alert_t *al, const char **bufp,
                               size_t *lenp, char *errstr,
                               size_t errstr_size);

/** Encodes the JSON form \p obj (borrowed; as ink_avro_decode_json()
 *  returns it: unions as null or the value, enums as symbols; every
 *  field present) as a framed record of \p kind with the codec's schema
 *  and id (same buffer rules).
 *  @returns INK_OK or INK_ERR_SCHEMA naming the offending field. */
ink_rc_t ink_avro_encode_json(ink_avro_t *av, ink_record_t kind,
                              const json_t *obj, const char **bufp,
                              size_t *lenp, char *errstr,
                              size_t errstr_size);

/** Decodes a framed record of kind \p kind into JSON (unions flattened:
 *  null or the value).  Checks the magic byte and the schema id, and
 *  validates the body against the writer schema before Avro-C sees it
 *  (lengths, varints, UTF-8, enum and union indexes, trailing bytes).
 *  @returns INK_OK with *\p outp a new reference, or INK_ERR_SCHEMA with
 *  the reason in \p errstr. */
ink_rc_t ink_avro_decode_json(ink_avro_t *av, ink_record_t kind,
                              const void *buf, size_t len, json_t **outp,
                              char *errstr, size_t errstr_size);

/** Same for a record of any kind: the kind comes from the schema id
 *  (*\p kindp, may be NULL). */
ink_rc_t ink_avro_decode_any(ink_avro_t *av, const void *buf, size_t len,
                             ink_record_t *kindp, json_t **outp,
                             char *errstr, size_t errstr_size);

#endif /* INK_CODEC_H */

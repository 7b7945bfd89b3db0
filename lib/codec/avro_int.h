/*
 * Internals of the Avro codec shared by avro.c (codec, encoding, decoding)
 * and avro_check.c (body validation, schema resolution helpers).
 */
#ifndef INK_AVRO_INT_H
#define INK_AVRO_INT_H

#include <avro.h>
#include <jansson.h>

#include "ink/codec.h"

/** Checks that \p len bytes at \p body are exactly one value of writer
 *  schema \p schema (borrowed): varints of at most 10 bytes, ints in range,
 *  lengths neither negative nor beyond the remaining bytes, strings valid
 *  UTF-8 without NUL, enum and union indexes in range, booleans 0 or 1, at
 *  most INK_AVRO_MAX_ITEMS items per array or map, nesting at most
 *  INK_AVRO_MAX_DEPTH, and no trailing bytes.  Only a body that passes is
 *  handed to Avro-C, which neither bounds lengths nor frees everything on
 *  a failed read.
 *  @returns 0, or -1 with the field path, the byte offset and what was
 *  wrong in \p errstr. */
int ink_avro_check_body(avro_schema_t schema, const void *body, size_t len,
                        char *errstr, size_t errstr_size);

/** Builds the reader schema to resolve writer \p ws against: a copy of
 *  reader schema \p rjson (borrowed) without the record fields that the
 *  writer lacks and that have a default (Avro-C 1.11.1 cannot fill
 *  defaults itself; ink_avro_fill_defaults() does it after decoding).
 *  @returns a new JSON schema (owned by caller), or NULL with \p errstr
 *  naming a reader field the writer lacks that has no default. */
json_t *ink_avro_prune_reader(const json_t *rjson, avro_schema_t ws,
                              char *errstr, size_t errstr_size);

/** Adds to decoded record \p val (modified in place) every field of reader
 *  schema \p rjson it lacks, with the field's default, at every nesting
 *  level.  \p names maps named types of the schema to their definitions
 *  (see ink_avro_collect_names()). */
void ink_avro_fill_defaults(const json_t *rjson, json_t *val,
                            const json_t *names);

/** @returns an object mapping each record, enum and fixed name (short and
 *  full) of \p rjson to its definition (new reference). */
json_t *ink_avro_collect_names(const json_t *rjson);

#endif /* INK_AVRO_INT_H */

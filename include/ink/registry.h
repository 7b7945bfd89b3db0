/*
 * A Confluent Schema Registry client (the REST API that Confluent Schema
 * Registry, Apicurio's /apis/ccompat/v7 and Karapace serve), with libcurl
 * and jansson.  Ids are cached; requests are retried with backoff on
 * connection errors, timeouts, 429 and 5xx.  Not thread-safe: one per
 * thread, or use it at start-up only.
 */
#ifndef INK_REGISTRY_H
#define INK_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "ink/core.h"

typedef struct ink_registry_s ink_registry_t;

/* Defaults of the retry policy. */
#define INK_REGISTRY_RETRIES 3          /* retries after the first try */
#define INK_REGISTRY_BACKOFF_MS 200     /* first backoff, doubled each time */

/** @returns a client of the registry at \p url (e.g.
 *  "http://127.0.0.1:8081" or ".../apis/ccompat/v7"; a trailing slash is
 *  dropped), with HTTP basic auth when \p userinfo ("user:password") is
 *  not NULL or empty, and \p timeout_ms per request (0 = 10000).  Owned by
 *  caller; NULL with \p errstr set on a bad URL. */
ink_registry_t *ink_registry_new(const char *url, const char *userinfo,
                                 int timeout_ms, char *errstr,
                                 size_t errstr_size);
void ink_registry_destroy(ink_registry_t *reg);

/** Sets the retry policy: \p retries more tries after the first, the
 *  first after \p backoff_ms, each next one after twice as long. */
void ink_registry_set_retries(ink_registry_t *reg, int retries,
                              int backoff_ms);

/** Registers schema \p schema (Avro JSON text, borrowed) under
 *  \p subject, or finds it if already registered, and sets *\p idp.
 *  First asks the registry whether the schema is compatible with the
 *  latest version of the subject.
 *  @returns INK_OK; INK_ERR_SCHEMA when the registry reports the schema
 *  incompatible (the message names the subject and the registry's
 *  reasons); INK_ERR_IO when the registry cannot be reached or answers an
 *  error after the retries. */
ink_rc_t ink_registry_register(ink_registry_t *reg, const char *subject,
                               const char *schema, int32_t *idp,
                               char *errstr, size_t errstr_size);

/** Looks up the id of \p schema under \p subject without registering.
 *  @returns INK_OK, INK_ERR_SCHEMA when the subject or the schema is not
 *  registered, or INK_ERR_IO. */
ink_rc_t ink_registry_lookup(ink_registry_t *reg, const char *subject,
                             const char *schema, int32_t *idp, char *errstr,
                             size_t errstr_size);

/** Fetches the schema text of \p id (cached).  *\p textp is borrowed from
 *  the client and lives as long as it.
 *  @returns INK_OK, INK_ERR_SCHEMA when the registry does not know the id,
 *  or INK_ERR_IO. */
ink_rc_t ink_registry_schema(ink_registry_t *reg, int32_t id,
                             const char **textp, char *errstr,
                             size_t errstr_size);

/** Number of HTTP requests sent so far (for tests of the cache). */
uint64_t ink_registry_requests(const ink_registry_t *reg);

/*---- Start-up: consumers/schemas.c --------------------------------------*/

struct ink_conf_s;
struct ink_avro_s;

/** Sets up the schema ids of codec \p av (borrowed) from \p conf: with
 *  schema.registry.url set, gives \p av a registry client (writer
 *  schemas of unknown ids are fetched from it) and, when
 *  \p register_schemas, registers (or finds) each record schema under the
 *  subject "<topic>-value" of its output topic and writes those ids;
 *  without a URL, the local catalog's ids stay in force.
 *  @returns 0, or -1 with a message for the operator in \p errstr (the
 *  caller must not start: e.g. the registry reports a schema
 *  incompatible, or cannot be reached). */
int ink_schemas_setup(const struct ink_conf_s *conf, struct ink_avro_s *av,
                      bool register_schemas, char *errstr,
                      size_t errstr_size);

#endif /* INK_REGISTRY_H */

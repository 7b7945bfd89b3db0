/*
 * Confluent Schema Registry REST client (libcurl + jansson).  Requests:
 *   POST /compatibility/subjects/<s>/versions/latest  {"schema": ...}
 *   POST /subjects/<s>/versions                       {"schema": ...}
 *   POST /subjects/<s>                                 {"schema": ...}
 *   GET  /schemas/ids/<id>
 * Answers are bounded (1 MiB); errors carry the registry's error_code and
 * message.
 */
#include <curl/curl.h>
#include <stdbool.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ink/registry.h"

#define MAX_ANSWER (1024 * 1024)
#define CONTENT_TYPE "application/vnd.schemaregistry.v1+json"

typedef struct id_entry_s {
        char *subject;          /* NULL for entries of the by-id cache */
        char *schema;
        int32_t id;
} id_entry_t;

struct ink_registry_s {
        char *url;              /* without trailing slash */
        char *userinfo;         /* "user:password" or NULL */
        int timeout_ms;
        int retries;
        int backoff_ms;
        CURL *curl;
        id_entry_t *cache;
        size_t ncache;
        uint64_t requests;
};

/* One HTTP answer. */
typedef struct answer_s {
        long status;
        char *body;
        size_t len;
        bool too_big;
} answer_t;

ink_registry_t *ink_registry_new(const char *url, const char *userinfo,
                                 int timeout_ms, char *errstr,
                                 size_t errstr_size) {
        ink_registry_t *reg;
        size_t n;

        if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))) {
                snprintf(errstr, errstr_size,
                         "schema registry URL \"%s\" must start with "
                         "http:// or https://", url ? url : "");
                return NULL;
        }
        reg = ink_calloc(1, sizeof(*reg));
        reg->url = ink_strdup(url);
        n = strlen(reg->url);
        while (n > 0 && reg->url[n - 1] == '/')
                reg->url[--n] = '\0';
        if (userinfo && *userinfo)
                reg->userinfo = ink_strdup(userinfo);
        reg->timeout_ms = timeout_ms > 0 ? timeout_ms : 10000;
        reg->retries = INK_REGISTRY_RETRIES;
        reg->backoff_ms = INK_REGISTRY_BACKOFF_MS;
        if (!(reg->curl = curl_easy_init())) {
                snprintf(errstr, errstr_size, "libcurl: cannot create a "
                                              "handle");
                ink_registry_destroy(reg);
                return NULL;
        }
        return reg;
}

void ink_registry_destroy(ink_registry_t *reg) {
        if (!reg)
                return;
        for (size_t i = 0; i < reg->ncache; i++) {
                free(reg->cache[i].subject);
                free(reg->cache[i].schema);
        }
        free(reg->cache);
        if (reg->curl)
                curl_easy_cleanup(reg->curl);
        free(reg->userinfo);
        free(reg->url);
        free(reg);
}

void ink_registry_set_retries(ink_registry_t *reg, int retries,
                              int backoff_ms) {
        reg->retries = retries < 0 ? 0 : retries;
        reg->backoff_ms = backoff_ms < 0 ? 0 : backoff_ms;
}

uint64_t ink_registry_requests(const ink_registry_t *reg) {
        return reg->requests;
}

/*---- HTTP ---------------------------------------------------------------*/

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *opaque) {
        answer_t *a = opaque;
        size_t n = size * nmemb;

        if (a->len + n > MAX_ANSWER) {
                a->too_big = true;
                return 0;       /* aborts the transfer */
        }
        a->body = ink_realloc(a->body, a->len + n + 1);
        memcpy(a->body + a->len, ptr, n);
        a->len += n;
        a->body[a->len] = '\0';
        return n;
}

/* Sleeps \p ms milliseconds (backoff between tries). */
static void sleep_ms(int ms) {
        struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
}

/* Sends one request (retrying connection errors, timeouts, 429 and 5xx
 * with backoff).  \p body (borrowed) is POSTed when not NULL.  On INK_OK
 * \p a holds the last answer (a->body owned by caller); INK_ERR_IO with
 * \p errstr when no answer came or the last one was a 429/5xx. */
static ink_rc_t request(ink_registry_t *reg, const char *path,
                        const char *body, answer_t *a, char *errstr,
                        size_t errstr_size) {
        struct curl_slist *hdrs = NULL;
        char url[2048];
        int backoff = reg->backoff_ms;
        ink_rc_t rc = INK_ERR_IO;

        snprintf(url, sizeof(url), "%s%s", reg->url, path);
        hdrs = curl_slist_append(hdrs, "Accept: " CONTENT_TYPE
                                       ", application/json");
        if (body)
                hdrs = curl_slist_append(hdrs, "Content-Type: " CONTENT_TYPE);
        for (int attempt = 0; attempt <= reg->retries; attempt++) {
                CURLcode cc;
                CURL *c = reg->curl;

                if (attempt) {
                        sleep_ms(backoff);
                        backoff *= 2;
                }
                free(a->body);
                memset(a, 0, sizeof(*a));
                curl_easy_reset(c);
                curl_easy_setopt(c, CURLOPT_URL, url);
                curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
                curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
                curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)reg->timeout_ms);
                curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                                 (long)reg->timeout_ms);
                curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
                curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
                if (reg->userinfo) {
                        curl_easy_setopt(c, CURLOPT_HTTPAUTH,
                                         (long)CURLAUTH_BASIC);
                        curl_easy_setopt(c, CURLOPT_USERPWD, reg->userinfo);
                }
                if (body)
                        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
                reg->requests++;
                cc = curl_easy_perform(c);
                if (a->too_big) {
                        snprintf(errstr, errstr_size,
                                 "schema registry %s: answer larger than "
                                 "%d bytes", url, MAX_ANSWER);
                        rc = INK_ERR_IO;
                        break;
                }
                if (cc != CURLE_OK) {
                        snprintf(errstr, errstr_size,
                                 "schema registry %s: %s (after %d tries)",
                                 url, curl_easy_strerror(cc), attempt + 1);
                        continue;
                }
                curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
                if (a->status == 429 || a->status >= 500) {
                        snprintf(errstr, errstr_size,
                                 "schema registry %s: HTTP %ld%s%.200s "
                                 "(after %d tries)", url, a->status,
                                 a->body ? ": " : "",
                                 a->body ? a->body : "", attempt + 1);
                        continue;
                }
                rc = INK_OK;
                break;
        }
        curl_slist_free_all(hdrs);
        if (rc) {
                free(a->body);
                a->body = NULL;
        }
        return rc;
}

/* Writes the registry's error ("error_code": message) for \p a. */
static void answer_error(const answer_t *a, const char *what, char *errstr,
                         size_t errstr_size) {
        json_t *j = a->body ? json_loads(a->body, 0, NULL) : NULL;
        const char *msg = json_string_value(json_object_get(j, "message"));

        snprintf(errstr, errstr_size, "%s: HTTP %ld, error_code %lld: %s",
                 what, a->status,
                 (long long)json_integer_value(json_object_get(j,
                                                               "error_code")),
                 msg ? msg : (a->body ? a->body : "no message"));
        json_decref(j);
}

/* @returns the request body {"schema": \p schema} (malloc'ed). */
static char *schema_body(const char *schema) {
        json_t *j = json_pack("{s:s}", "schema", schema);
        char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

        json_decref(j);
        return s;
}

/*---- Cache --------------------------------------------------------------*/

static const id_entry_t *cache_find(const ink_registry_t *reg,
                                    const char *subject, const char *schema,
                                    int32_t id) {
        for (size_t i = 0; i < reg->ncache; i++) {
                const id_entry_t *e = &reg->cache[i];
                if (subject ? (e->subject && !strcmp(e->subject, subject) &&
                               !strcmp(e->schema, schema))
                            : (!e->subject && e->id == id))
                        return e;
        }
        return NULL;
}

/* Remembers \p id of \p schema (under \p subject; NULL for the by-id
 * cache).  Strings are copied. */
static void cache_add(ink_registry_t *reg, const char *subject,
                      const char *schema, int32_t id) {
        reg->cache = ink_realloc(reg->cache,
                                 (reg->ncache + 1) * sizeof(*reg->cache));
        reg->cache[reg->ncache++] = (id_entry_t){
                subject ? ink_strdup(subject) : NULL, ink_strdup(schema), id};
}

/*---- API ----------------------------------------------------------------*/

/* POSTs {"schema": schema} to \p path; the "id" of a 200 answer goes to
 * *idp.  \p a keeps the answer for non-200 statuses (body owned by
 * caller). */
static ink_rc_t post_for_id(ink_registry_t *reg, const char *path,
                            const char *schema, int32_t *idp, answer_t *a,
                            char *errstr, size_t errstr_size) {
        char *body = schema_body(schema);
        json_t *j = NULL;
        ink_rc_t rc = request(reg, path, body, a, errstr, errstr_size);

        free(body);
        if (rc || a->status != 200)
                return rc;
        j = json_loads(a->body ? a->body : "", 0, NULL);
        if (!json_is_integer(json_object_get(j, "id"))) {
                snprintf(errstr, errstr_size,
                         "schema registry %s%s: answer without an id: %.200s",
                         reg->url, path, a->body ? a->body : "");
                rc = INK_ERR_IO;
        } else {
                *idp = (int32_t)json_integer_value(json_object_get(j, "id"));
        }
        json_decref(j);
        return rc;
}

/* @returns \p fmt with the URL-escaped \p subject for its %s
 * (malloc'ed). */
static char *subject_path(ink_registry_t *reg, const char *fmt,
                          const char *subject) {
        char *esc = curl_easy_escape(reg->curl, subject, 0);
        size_t n = strlen(fmt) + strlen(esc) + 1;
        char *p = ink_malloc(n);

        snprintf(p, n, fmt, esc);
        curl_free(esc);
        return p;
}

/* Asks whether \p schema may be registered under \p subject. */
static ink_rc_t check_compat(ink_registry_t *reg, const char *subject,
                             const char *schema, char *errstr,
                             size_t errstr_size) {
        char *path = subject_path(
                reg, "/compatibility/subjects/%s/versions/latest", subject);
        char *body = schema_body(schema);
        answer_t a = {0};
        json_t *j = NULL, *msgs;
        ink_rc_t rc = request(reg, path, body, &a, errstr, errstr_size);

        if (rc)
                goto out;
        if (a.status == 404)    /* no version yet: anything goes */
                goto out;
        if (a.status != 200) {
                answer_error(&a, "compatibility check", errstr, errstr_size);
                rc = INK_ERR_IO;
                goto out;
        }
        j = json_loads(a.body ? a.body : "", 0, NULL);
        if (json_is_false(json_object_get(j, "is_compatible"))) {
                char *m = NULL;
                if ((msgs = json_object_get(j, "messages")) &&
                    json_array_size(msgs))
                        m = json_dumps(msgs, JSON_COMPACT);
                snprintf(errstr, errstr_size,
                         "the registry reports the schema incompatible with "
                         "the latest version of subject %s%s%s", subject,
                         m ? ": " : " (under its compatibility level)",
                         m ? m : "");
                free(m);
                rc = INK_ERR_SCHEMA;
        }
out:
        json_decref(j);
        free(a.body);
        free(body);
        free(path);
        return rc;
}

ink_rc_t ink_registry_register(ink_registry_t *reg, const char *subject,
                               const char *schema, int32_t *idp,
                               char *errstr, size_t errstr_size) {
        const id_entry_t *e = cache_find(reg, subject, schema, 0);
        char *path = NULL;
        answer_t a = {0};
        ink_rc_t rc;

        if (e) {
                *idp = e->id;
                return INK_OK;
        }
        if ((rc = check_compat(reg, subject, schema, errstr, errstr_size)))
                return rc;
        path = subject_path(reg, "/subjects/%s/versions", subject);
        rc = post_for_id(reg, path, schema, idp, &a, errstr, errstr_size);
        if (!rc && a.status == 409) {
                answer_error(&a, "the registry refuses the schema as "
                                 "incompatible", errstr, errstr_size);
                rc = INK_ERR_SCHEMA;
        } else if (!rc && a.status != 200) {
                answer_error(&a, "registering", errstr, errstr_size);
                rc = a.status == 422 ? INK_ERR_SCHEMA : INK_ERR_IO;
        }
        if (!rc)
                cache_add(reg, subject, schema, *idp);
        free(a.body);
        free(path);
        return rc;
}

ink_rc_t ink_registry_lookup(ink_registry_t *reg, const char *subject,
                             const char *schema, int32_t *idp, char *errstr,
                             size_t errstr_size) {
        const id_entry_t *e = cache_find(reg, subject, schema, 0);
        char *path = NULL;
        answer_t a = {0};
        ink_rc_t rc;

        if (e) {
                *idp = e->id;
                return INK_OK;
        }
        path = subject_path(reg, "/subjects/%s", subject);
        rc = post_for_id(reg, path, schema, idp, &a, errstr, errstr_size);
        if (!rc && a.status != 200) {
                answer_error(&a, a.status == 404 ? "not registered"
                                                 : "lookup",
                             errstr, errstr_size);
                rc = a.status == 404 ? INK_ERR_SCHEMA : INK_ERR_IO;
        }
        if (!rc)
                cache_add(reg, subject, schema, *idp);
        free(a.body);
        free(path);
        return rc;
}

ink_rc_t ink_registry_schema(ink_registry_t *reg, int32_t id,
                             const char **textp, char *errstr,
                             size_t errstr_size) {
        const id_entry_t *e = cache_find(reg, NULL, NULL, id);
        const char *type;
        char path[64];
        answer_t a = {0};
        json_t *j = NULL;
        ink_rc_t rc;

        if (e) {
                *textp = e->schema;
                return INK_OK;
        }
        snprintf(path, sizeof(path), "/schemas/ids/%d", id);
        if ((rc = request(reg, path, NULL, &a, errstr, errstr_size)))
                return rc;
        if (a.status != 200) {
                answer_error(&a, a.status == 404 ? "not in the registry"
                                                 : "fetching the schema",
                             errstr, errstr_size);
                rc = a.status == 404 ? INK_ERR_SCHEMA : INK_ERR_IO;
                goto out;
        }
        j = json_loads(a.body ? a.body : "", 0, NULL);
        type = json_string_value(json_object_get(j, "schemaType"));
        if (type && strcmp(type, "AVRO")) {
                snprintf(errstr, errstr_size, "schema id %d is a %s schema, "
                         "not Avro", id, type);
                rc = INK_ERR_SCHEMA;
                goto out;
        }
        if (!json_is_string(json_object_get(j, "schema"))) {
                snprintf(errstr, errstr_size,
                         "schema registry %s%s: answer without a schema",
                         reg->url, path);
                rc = INK_ERR_IO;
                goto out;
        }
        cache_add(reg, NULL, json_string_value(json_object_get(j, "schema")),
                  id);
        *textp = reg->cache[reg->ncache - 1].schema;
out:
        json_decref(j);
        free(a.body);
        return rc;
}

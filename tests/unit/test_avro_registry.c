/*
 * The Schema Registry client against an in-test HTTP double (libmicrohttpd)
 * that speaks the Confluent REST API: registration, lookup, schemas by id,
 * basic auth, retries on 5xx, timeouts, refused connections, and the
 * start-up refusal when the registry reports a schema incompatible.
 *
 * The double keeps subjects and ids in memory; its compatibility answer is
 * set by each test (it implements no compatibility rules of its own).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ink/codec.h"
#include "ink/kafka.h"
#include "ink/registry.h"

/*---- The HTTP double ------------------------------------------------------*/

#define MAX_SCHEMAS 16

static struct {
        struct MHD_Daemon *d;
        char url[64];
        const char *user, *password;    /* basic auth required when set */
        int fail_next;                  /* answer 503 this many times */
        int delay_ms;                   /* sleep before each answer */
        bool incompatible;              /* compatibility check says no */
        char *subjects[MAX_SCHEMAS];
        char *schemas[MAX_SCHEMAS];
        int n;
} dbl;

typedef struct body_s {
        char *p;
        size_t len;
} body_t;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
                             json_t *j) {
        char *s = json_dumps(j, JSON_COMPACT);
        struct MHD_Response *r = MHD_create_response_from_buffer(
                strlen(s), s, MHD_RESPMEM_MUST_FREE);
        enum MHD_Result ret;

        json_decref(j);
        MHD_add_response_header(r, "Content-Type",
                                "application/vnd.schemaregistry.v1+json");
        ret = MHD_queue_response(c, status, r);
        MHD_destroy_response(r);
        return ret;
}

static json_t *error_json(int code, const char *msg) {
        return json_pack("{s:i,s:s}", "error_code", code, "message", msg);
}

/* Id (1-based) of \p schema under \p subject, or 0. */
static int find(const char *subject, const char *schema) {
        for (int i = 0; i < dbl.n; i++)
                if ((!subject || !strcmp(dbl.subjects[i], subject)) &&
                    !strcmp(dbl.schemas[i], schema))
                        return i + 1;
        return 0;
}

static bool has_subject(const char *subject) {
        for (int i = 0; i < dbl.n; i++)
                if (!strcmp(dbl.subjects[i], subject))
                        return true;
        return false;
}

static enum MHD_Result route(struct MHD_Connection *c, const char *method,
                             const char *url, const char *body) {
        json_t *req = body ? json_loads(body, 0, NULL) : NULL;
        const char *schema = json_string_value(json_object_get(req, "schema"));
        char subject[256] = "";
        enum MHD_Result ret;
        int id;

        if (!strcmp(method, "GET") && sscanf(url, "/schemas/ids/%d", &id) == 1)
                ret = id >= 1 && id <= dbl.n
                              ? reply(c, 200, json_pack("{s:s}", "schema",
                                                        dbl.schemas[id - 1]))
                              : reply(c, 404, error_json(40403,
                                                         "Schema not found"));
        else if (!schema)
                ret = reply(c, 422, error_json(42201, "Invalid schema"));
        else if (sscanf(url, "/compatibility/subjects/%255[^/]/versions/latest",
                        subject) == 1)
                ret = !has_subject(subject)
                              ? reply(c, 404, error_json(40401,
                                                         "Subject not found"))
                              : reply(c, 200,
                                      dbl.incompatible
                                              ? json_pack("{s:b,s:[s]}",
                                                          "is_compatible", 0,
                                                          "messages",
                                                          "READER_FIELD_MISSING_DEFAULT_VALUE")
                                              : json_pack("{s:b}",
                                                          "is_compatible",
                                                          1));
        else if (sscanf(url, "/subjects/%255[^/]/versions", subject) == 1 &&
                 strstr(url, "/versions")) {
                if (!(id = find(subject, schema)) && dbl.n < MAX_SCHEMAS) {
                        dbl.subjects[dbl.n] = strdup(subject);
                        dbl.schemas[dbl.n] = strdup(schema);
                        id = ++dbl.n;
                }
                ret = reply(c, 200, json_pack("{s:i}", "id", id));
        } else if (sscanf(url, "/subjects/%255[^/]", subject) == 1) {
                id = find(subject, schema);
                ret = id ? reply(c, 200, json_pack("{s:s,s:i,s:i}", "subject",
                                                   subject, "version", 1,
                                                   "id", id))
                         : reply(c, 404, error_json(40403,
                                                    "Schema not found"));
        } else {
                ret = reply(c, 404, error_json(404, "no such endpoint"));
        }
        json_decref(req);
        return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
        body_t *b = *con_cls;
        (void)cls;
        (void)version;

        if (!b) {
                *con_cls = calloc(1, sizeof(body_t));
                return MHD_YES;
        }
        if (*upload_data_size) {
                b->p = realloc(b->p, b->len + *upload_data_size + 1);
                memcpy(b->p + b->len, upload_data, *upload_data_size);
                b->len += *upload_data_size;
                b->p[b->len] = '\0';
                *upload_data_size = 0;
                return MHD_YES;
        }
        if (dbl.delay_ms)
                usleep((useconds_t)dbl.delay_ms * 1000);
        if (dbl.user) {
                char *pw = NULL;
                char *u = MHD_basic_auth_get_username_password(c, &pw);
                bool ok = u && pw && !strcmp(u, dbl.user) &&
                          !strcmp(pw, dbl.password);
                free(u);
                free(pw);
                if (!ok)
                        return reply(c, 401, error_json(401,
                                                        "Unauthorized"));
        }
        if (dbl.fail_next > 0) {
                dbl.fail_next--;
                return reply(c, 503, error_json(50003, "try later"));
        }
        return route(c, method, url, b->p);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe) {
        body_t *b = *con_cls;
        (void)cls;
        (void)c;
        (void)toe;
        if (b) {
                free(b->p);
                free(b);
        }
        *con_cls = NULL;
}

static void start_double(void) {
        const union MHD_DaemonInfo *info;

        memset(&dbl, 0, sizeof(dbl));
        dbl.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
                                         MHD_USE_THREAD_PER_CONNECTION,
                                 0, NULL, NULL, on_request, NULL,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
                                 MHD_OPTION_END);
        cr_assert(not(eq(ptr, dbl.d, NULL)));
        info = MHD_get_daemon_info(dbl.d, MHD_DAEMON_INFO_BIND_PORT);
        snprintf(dbl.url, sizeof(dbl.url), "http://127.0.0.1:%u/",
                 (unsigned)info->port);
}

static void stop_double(void) {
        MHD_stop_daemon(dbl.d);
        for (int i = 0; i < dbl.n; i++) {
                free(dbl.subjects[i]);
                free(dbl.schemas[i]);
        }
}

TestSuite(registry, .init = start_double, .fini = stop_double,
          .timeout = 30);

static const char *schema_a =
        "{\"type\":\"record\",\"name\":\"A\",\"fields\":[]}";

/*---- Client ---------------------------------------------------------------*/

Test(registry, register_lookup_fetch_and_cache) {
        char err[512];
        ink_registry_t *reg = ink_registry_new(dbl.url, NULL, 2000, err,
                                               sizeof(err));
        int32_t id = 0, id2 = 0;
        const char *text;
        uint64_t n;

        cr_assert(not(eq(ptr, reg, NULL)), "%s", err);
        cr_expect(eq(int, ink_registry_lookup(reg, "t-value", schema_a, &id,
                                              err, sizeof(err)),
                     INK_ERR_SCHEMA));
        cr_expect(not(eq(ptr, strstr(err, "not registered"), NULL)), "%s",
                  err);
        cr_assert(eq(int, ink_registry_register(reg, "t-value", schema_a, &id,
                                                err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(i32, id, 1));
        n = ink_registry_requests(reg);
        cr_assert(eq(int, ink_registry_register(reg, "t-value", schema_a,
                                                &id2, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(i32, id2, 1));
        cr_expect(eq(u64, ink_registry_requests(reg), n)); /* cached */
        cr_assert(eq(int, ink_registry_lookup(reg, "t-value", schema_a, &id2,
                                              err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(i32, id2, 1));
        cr_assert(eq(int, ink_registry_schema(reg, 1, &text, err,
                                              sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(str, (char *)text, (char *)schema_a));
        n = ink_registry_requests(reg);
        cr_assert(eq(int, ink_registry_schema(reg, 1, &text, err,
                                              sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(u64, ink_registry_requests(reg), n)); /* cached */
        cr_expect(eq(int, ink_registry_schema(reg, 99, &text, err,
                                              sizeof(err)),
                     INK_ERR_SCHEMA));
        cr_expect(not(eq(ptr, strstr(err, "not in the registry"), NULL)),
                  "%s", err);
        ink_registry_destroy(reg);
}

Test(registry, incompatible_schema_is_refused) {
        char err[512];
        ink_registry_t *reg = ink_registry_new(dbl.url, NULL, 2000, err,
                                               sizeof(err));
        int32_t id;

        cr_assert(eq(int, ink_registry_register(reg, "t-value", schema_a, &id,
                                                err, sizeof(err)),
                     INK_OK), "%s", err);
        dbl.incompatible = true;
        cr_expect(eq(int, ink_registry_register(
                                  reg, "t-value",
                                  "{\"type\":\"record\",\"name\":\"A\","
                                  "\"fields\":[{\"name\":\"x\",\"type\":"
                                  "\"int\"}]}",
                                  &id, err, sizeof(err)),
                     INK_ERR_SCHEMA));
        cr_expect(not(eq(ptr, strstr(err, "incompatible"), NULL)), "%s", err);
        cr_expect(not(eq(ptr, strstr(err, "READER_FIELD_MISSING_DEFAULT"),
                         NULL)), "%s", err);
        ink_registry_destroy(reg);
}

Test(registry, basic_auth) {
        char err[512];
        ink_registry_t *reg;
        int32_t id;

        dbl.user = "ink";
        dbl.password = "s3cret";
        reg = ink_registry_new(dbl.url, NULL, 2000, err, sizeof(err));
        cr_expect(eq(int, ink_registry_register(reg, "t-value", schema_a, &id,
                                                err, sizeof(err)),
                     INK_ERR_IO));
        cr_expect(not(eq(ptr, strstr(err, "HTTP 401"), NULL)), "%s", err);
        ink_registry_destroy(reg);
        reg = ink_registry_new(dbl.url, "ink:s3cret", 2000, err, sizeof(err));
        cr_expect(eq(int, ink_registry_register(reg, "t-value", schema_a, &id,
                                                err, sizeof(err)),
                     INK_OK), "%s", err);
        ink_registry_destroy(reg);
}

Test(registry, retries_5xx_with_backoff) {
        char err[512];
        ink_registry_t *reg = ink_registry_new(dbl.url, NULL, 2000, err,
                                               sizeof(err));
        int32_t id;

        ink_registry_set_retries(reg, 3, 10);
        dbl.fail_next = 2;
        cr_expect(eq(int, ink_registry_schema(reg, 1, &(const char *){NULL},
                                              err, sizeof(err)),
                     INK_ERR_SCHEMA)); /* after 2 x 503, a real 404 */
        cr_expect(eq(u64, ink_registry_requests(reg), 3));
        dbl.fail_next = 100;
        cr_expect(eq(int, ink_registry_register(reg, "t-value", schema_a, &id,
                                                err, sizeof(err)),
                     INK_ERR_IO));
        cr_expect(not(eq(ptr, strstr(err, "HTTP 503"), NULL)), "%s", err);
        cr_expect(not(eq(ptr, strstr(err, "after 4 tries"), NULL)), "%s", err);
        ink_registry_destroy(reg);
}

Test(registry, timeout) {
        char err[512];
        ink_registry_t *reg = ink_registry_new(dbl.url, NULL, 200, err,
                                               sizeof(err));
        struct timespec t0, t1;
        int32_t id;
        long ms;

        ink_registry_set_retries(reg, 1, 10);
        dbl.delay_ms = 1500;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        cr_expect(eq(int, ink_registry_register(reg, "t-value", schema_a, &id,
                                                err, sizeof(err)),
                     INK_ERR_IO));
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ms = (t1.tv_sec - t0.tv_sec) * 1000 +
             (t1.tv_nsec - t0.tv_nsec) / 1000000;
        cr_expect(not(eq(ptr, strstr(err, "after 2 tries"), NULL)), "%s",
                  err);
        cr_expect(not(eq(ptr, strstr(err, "imeout"), NULL)), "%s", err);
        cr_expect(lt(long, ms, 1400), "took %ld ms", ms);
        ink_registry_destroy(reg);
}

Test(registry, refused_connection_and_bad_url) {
        char err[512];
        ink_registry_t *reg;
        int32_t id;

        cr_expect(eq(ptr, ink_registry_new("ftp://x", NULL, 0, err,
                                           sizeof(err)), NULL));
        cr_expect(not(eq(ptr, strstr(err, "http://"), NULL)), "%s", err);
        reg = ink_registry_new("http://127.0.0.1:1", NULL, 500, err,
                               sizeof(err));
        ink_registry_set_retries(reg, 1, 10);
        cr_expect(eq(int, ink_registry_register(reg, "t-value", schema_a, &id,
                                                err, sizeof(err)),
                     INK_ERR_IO));
        cr_expect(not(eq(ptr, strstr(err, "127.0.0.1:1"), NULL)), "%s", err);
        ink_registry_destroy(reg);
}

/*---- Start-up and decoding with a registry --------------------------------*/

static void registry_conf(ink_conf_t *conf) {
        char err[256];
        ink_conf_init(conf);
        cr_assert(eq(int, ink_conf_set(conf, "schema.registry.url", dbl.url,
                                       err, sizeof(err)),
                     0), "%s", err);
        cr_assert(eq(int, ink_conf_set(conf, "output.topic", "news.enriched",
                                       err, sizeof(err)),
                     0), "%s", err);
}

Test(registry, setup_registers_both_subjects) {
        char err[512];
        ink_conf_t conf;
        ink_avro_t *av = ink_avro_new(err, sizeof(err));
        json_t *o = NULL;
        unsigned char frame[16] = {0, 0, 0, 0, 1};

        registry_conf(&conf);
        /* something else registered first: our ids differ from the
         * catalog's */
        dbl.subjects[0] = strdup("other-value");
        dbl.schemas[0] = strdup(schema_a);
        dbl.n = 1;
        cr_assert(eq(int, ink_schemas_setup(&conf, av, true, err,
                                            sizeof(err)),
                     0), "%s", err);
        cr_expect(eq(int, dbl.n, 3));
        cr_expect(eq(str, dbl.subjects[1], "news.enriched-value"));
        cr_expect(eq(str, dbl.subjects[2], "alerts.summit-value"));
        cr_expect(eq(i32, ink_avro_schema_id(av, INK_REC_ENRICHED), 2));
        cr_expect(eq(i32, ink_avro_schema_id(av, INK_REC_ALERT), 3));
        /* id 1 is schema A in this registry, not an inkstream record */
        cr_expect(eq(int, ink_avro_decode_any(av, frame, 5, NULL, &o, err,
                                              sizeof(err)),
                     INK_ERR_SCHEMA));
        cr_expect(not(eq(ptr, strstr(err, "not an inkstream record"), NULL)),
                  "%s", err);
        ink_avro_destroy(av);
        ink_conf_destroy(&conf);
}

Test(registry, reader_fetches_writer_schema_by_id) {
        char err[512];
        ink_conf_t conf;
        ink_avro_t *wav = ink_avro_new(err, sizeof(err));
        ink_avro_t *rav = ink_avro_new(err, sizeof(err));
        json_t *s = json_loads(ink_avro_schema_text(INK_REC_ALERT), 0, NULL);
        json_t *in = NULL, *out = NULL;
        const char *buf;
        size_t len;
        char *v2;
        int32_t id;
        ink_registry_t *reg;

        /* a newer writer registered an Alert v2 with one more field */
        json_array_append_new(json_object_get(s, "fields"),
                              json_pack("{s:s,s:s,s:s}", "name", "desk",
                                        "type", "string", "default", "world"));
        v2 = json_dumps(s, JSON_COMPACT);
        reg = ink_registry_new(dbl.url, NULL, 2000, err, sizeof(err));
        cr_assert(eq(int, ink_registry_register(reg, "alerts.summit-value",
                                                v2, &id, err, sizeof(err)),
                     INK_OK), "%s", err);
        ink_registry_destroy(reg);
        {
                const char *texts[INK_REC_CNT] = {NULL, v2};
                ink_avro_destroy(wav);
                wav = ink_avro_new_schemas(texts, err, sizeof(err));
                cr_assert(not(eq(ptr, wav, NULL)), "%s", err);
        }
        ink_avro_set_schema_id(wav, INK_REC_ALERT, id);
        in = json_pack("{s:s,s:s,s:s,s:[s],s:s,s:s,s:[],s:n,s:n,s:n,s:s,s:s,"
                       "s:s,s:n,s:I,s:s,s:s}",
                       "alert_id", "x1", "type", "summit", "event_key", "k",
                       "participants", "A B", "mode", "call", "status",
                       "planned", "venues", "when_text", "when_date", "cameo",
                       "evidence", "A B will call.", "article_id", "a1",
                       "article_title", "t", "article_url", "detected",
                       (json_int_t)1700000000000LL, "model_version", "m1",
                       "desk", "europe");
        cr_assert(not(eq(ptr, in, NULL)));
        cr_assert(eq(int, ink_avro_encode_json(wav, INK_REC_ALERT, in, &buf,
                                               &len, err, sizeof(err)),
                     INK_OK), "%s", err);
        /* the v1 reader has never seen that id: it asks the registry */
        registry_conf(&conf);
        cr_assert(eq(int, ink_schemas_setup(&conf, rav, false, err,
                                            sizeof(err)),
                     0), "%s", err);
        cr_assert(eq(int, ink_avro_decode_json(rav, INK_REC_ALERT, buf, len,
                                               &out, err, sizeof(err)),
                     INK_OK), "%s", err);
        json_object_del(in, "desk");
        cr_expect(eq(int, json_equal(in, out), 1));
        json_decref(out);
        json_decref(in);
        json_decref(s);
        free(v2);
        ink_avro_destroy(wav);
        ink_avro_destroy(rav);
        ink_conf_destroy(&conf);
}

Test(registry, setup_refuses_to_start_when_incompatible) {
        char err[1024];
        ink_conf_t conf;
        ink_avro_t *av = ink_avro_new(err, sizeof(err));

        registry_conf(&conf);
        dbl.subjects[0] = strdup("news.enriched-value");
        dbl.schemas[0] = strdup(schema_a);
        dbl.n = 1;
        dbl.incompatible = true;
        cr_expect(eq(int, ink_schemas_setup(&conf, av, true, err,
                                            sizeof(err)),
                     -1));
        cr_expect(not(eq(ptr, strstr(err, "refusing to start"), NULL)), "%s",
                  err);
        cr_expect(not(eq(ptr, strstr(err, "news.enriched-value"), NULL)),
                  "%s", err);
        /* the catalog ids are left alone */
        cr_expect(eq(i32, ink_avro_schema_id(av, INK_REC_ENRICHED), 1));
        ink_avro_destroy(av);
        ink_conf_destroy(&conf);
}

Test(registry, no_url_keeps_the_catalog) {
        char err[512];
        ink_conf_t conf;
        ink_avro_t *av = ink_avro_new(err, sizeof(err));

        ink_conf_init(&conf);
        cr_assert(eq(int, ink_schemas_setup(&conf, av, true, err,
                                            sizeof(err)),
                     0), "%s", err);
        cr_expect(eq(i32, ink_avro_schema_id(av, INK_REC_ENRICHED), 1));
        cr_expect(eq(i32, ink_avro_schema_id(av, INK_REC_ALERT), 2));
        cr_expect(eq(int, dbl.n, 0));
        ink_avro_destroy(av);
        ink_conf_destroy(&conf);
}

Test(registry, conf_dump_masks_the_credentials) {
        char err[256], *dump = NULL;
        size_t len = 0;
        ink_conf_t conf;
        FILE *fp = open_memstream(&dump, &len);

        ink_conf_init(&conf);
        cr_assert(eq(int, ink_conf_set(&conf,
                                       "schema.registry.basic.auth.user.info",
                                       "ink:s3cret", err, sizeof(err)),
                     0), "%s", err);
        cr_assert(eq(int, ink_conf_set(&conf, "schema.registry.timeout.ms",
                                       "250", err, sizeof(err)),
                     0), "%s", err);
        cr_expect(eq(int, conf.schema_registry_timeout_ms, 250));
        ink_conf_dump(&conf, fp);
        fclose(fp);
        cr_expect(eq(ptr, strstr(dump, "s3cret"), NULL), "%s", dump);
        cr_expect(not(eq(ptr, strstr(dump, "schema.registry.basic.auth.user."
                                           "info=********"), NULL)),
                  "%s", dump);
        free(dump);
        ink_conf_destroy(&conf);
}

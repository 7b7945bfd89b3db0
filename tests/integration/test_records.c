/*
 * Records on the real broker: `inkstream cat` decodes every topic the
 * worker writes (enriched articles, alerts, dead letters), and Apache
 * Avro for Java (avro-tools fragtojson, an implementation nobody here
 * wrote) decodes the same bytes to the same values.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ink/codec.h"
#include "helpers.h"

#define AVRO_TOOLS_VERSION "1.11.3"


static const char *bad_record = "{\"id\": \"broken-1\", \"title\": \"no body\"";

/* Ingests the sample article and one malformed record, then runs one
 * worker to the end of the input. */
static it_topics_t run_pipeline(const char *base) {
        it_topics_t t = it_topics(base, 1, 1);
        char cmd[2048], *out = NULL;

        snprintf(cmd, sizeof(cmd),
                 "%s ingest --brokers %s --topic %s %s/trump-putin-call.txt "
                 "2>&1", it_bin(), it_brokers(), t.in, INK_TEST_DATA);
        cr_assert(eq(int, it_run(cmd, &out), 0), "%s", out);
        free(out);
        it_produce(t.in, "broken-1", bad_record, strlen(bad_record));
        snprintf(cmd, sizeof(cmd),
                 "%s enrich --brokers %s --group %s --input %s --output %s "
                 "--alerts %s --dlq %s --exit-on-eof 2>&1", it_bin(),
                 it_brokers(), t.group, t.in, t.out, t.alerts, t.dlq);
        cr_assert(eq(int, it_run(cmd, &out), 0), "%s", out);
        free(out);
        return t;
}

/* Runs `inkstream cat` on \p topic; @returns its JSON lines (array). */
static json_t *cat(const char *topic, const char *extra, int *rcp) {
        char cmd[2048], *out = NULL, *line, *save = NULL;
        json_t *lines = json_array();
        int rc;

        snprintf(cmd, sizeof(cmd),
                 "%s cat --brokers %s --topic %s --from-beginning "
                 "--exit-on-eof %s", it_bin(), it_brokers(), topic,
                 extra ? extra : "");
        rc = it_run(cmd, &out);
        if (rcp)
                *rcp = rc;
        for (line = strtok_r(out, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save)) {
                json_t *j = json_loads(line, 0, NULL);
                cr_assert(not(eq(ptr, j, NULL)), "not JSON: %s", line);
                json_array_append_new(lines, j);
        }
        free(out);
        return lines;
}

static const char *jstr(json_t *o, const char *k) {
        const char *s = json_string_value(json_object_get(o, k));
        return s ? s : "";
}

Test(records, cat_decodes_every_topic, .timeout = 300) {
        it_topics_t t = run_pipeline("cat");
        json_t *lines, *l, *v;
        int rc;

        lines = cat(t.out, NULL, &rc);
        cr_expect(eq(int, rc, 0));
        cr_assert(eq(sz, json_array_size(lines), 1));
        l = json_array_get(lines, 0);
        v = json_object_get(l, "value");
        cr_expect(eq(str, (char *)jstr(l, "kind"), "EnrichedArticle"));
        cr_expect(eq(i64, json_integer_value(json_object_get(l, "schema_id")),
                     1));
        cr_expect(eq(str, (char *)jstr(v, "id"), (char *)jstr(l, "key")));
        cr_expect(gt(sz, json_array_size(json_object_get(v, "entities")), 0));
        json_decref(lines);

        lines = cat(t.alerts, NULL, &rc);
        cr_expect(eq(int, rc, 0));
        cr_assert(ge(sz, json_array_size(lines), 1));
        l = json_array_get(lines, 0);
        cr_expect(eq(str, (char *)jstr(l, "kind"), "Alert"));
        cr_expect(eq(str, (char *)jstr(json_object_get(l, "value"), "type"),
                     "summit"));
        json_decref(lines);

        lines = cat(t.dlq, NULL, &rc);
        cr_expect(eq(int, rc, 0));
        cr_assert(eq(sz, json_array_size(lines), 1));
        l = json_array_get(lines, 0);
        cr_expect(eq(str, (char *)jstr(l, "kind"), "dead_letter"));
        cr_expect(eq(str, (char *)jstr(l, "value"), (char *)bad_record));
        cr_expect(eq(str, (char *)jstr(l, "key"), "broken-1"));
        cr_expect(not(eq(str, (char *)jstr(json_object_get(l, "headers"),
                                           "inkstream.error.reason"),
                         "")));
        json_decref(lines);

        /* --count stops early */
        lines = cat(t.alerts, "--count 1", &rc);
        cr_expect(eq(sz, json_array_size(lines), 1));
        json_decref(lines);
        it_topics_free(&t);
}

Test(records, cat_reports_undecodable_and_binary_records, .timeout = 120) {
        char *topic = it_topic("cat-bad");
        /* framed with an id nobody knows, then bytes that are not UTF-8 */
        static const char framed[] = "\0\0\0\x30\x39\x02hi";
        static const char binary[] = "\xff\xfe\x01";
        json_t *lines, *l;
        int rc;

        it_create_topic(topic, 1);
        it_produce(topic, "k1", framed, sizeof(framed) - 1);
        it_produce(topic, "k2", binary, sizeof(binary) - 1);
        lines = cat(topic, "2>/dev/null", &rc);
        cr_expect(eq(int, rc, 1));
        cr_assert(eq(sz, json_array_size(lines), 2));
        l = json_array_get(lines, 0);
        cr_expect(eq(str, (char *)jstr(l, "kind"), "undecodable"));
        cr_expect(not(eq(ptr, strstr(jstr(l, "error"),
                                     "unknown schema id 12345"), NULL)),
                  "%s", jstr(l, "error"));
        l = json_array_get(lines, 1);
        cr_expect(eq(str, (char *)jstr(l, "kind"), "raw"));
        cr_expect(eq(str, (char *)jstr(l, "value_base64"), "//4B"));
        json_decref(lines);
        free(topic);
}

/*---- Apache Avro for Java ------------------------------------------------*/

/* The avro-tools jar: $AVRO_TOOLS_JAR, or fetched with Maven next to the
 * inkstream binary.  NULL (test skipped) without java or mvn. */
static char *avro_tools_jar(void) {
        const char *env = getenv("AVRO_TOOLS_JAR");
        char bin[1024], dir[1100], *jar, cmd[2048];
        struct stat st;

        if (env && *env)
                return strdup(env);
        if (it_run("command -v java >/dev/null && command -v mvn "
                   ">/dev/null", NULL))
                return NULL;
        snprintf(bin, sizeof(bin), "%s", it_bin());
        snprintf(dir, sizeof(dir), "%s/avro-tools", dirname(bin));
        jar = malloc(strlen(dir) + 64);
        sprintf(jar, "%s/avro-tools-%s.jar", dir, AVRO_TOOLS_VERSION);
        if (stat(jar, &st)) {
                snprintf(cmd, sizeof(cmd),
                         "mvn -q dependency:copy -Dartifact=org.apache.avro:"
                         "avro-tools:%s -DoutputDirectory=%s >/dev/null 2>&1",
                         AVRO_TOOLS_VERSION, dir);
                cr_assert(eq(int, it_run(cmd, NULL), 0),
                          "could not fetch avro-tools with Maven");
        }
        return jar;
}

/* Avro's JSON encoding wraps a union value as {"<type>": value}: unwrap
 * them, guided by schema node \p t, to compare with inkstream's form. */
static json_t *unwrap(json_t *t, json_t *v) {
        const char *type;

        if (json_is_array(t)) {
                const char *k;
                json_t *inner;
                if (!json_is_object(v) || json_object_size(v) != 1)
                        return json_incref(v);
                json_object_foreach(v, k, inner) return json_incref(inner);
        }
        if (!json_is_object(t))
                return json_incref(v);
        if (!(type = json_string_value(json_object_get(t, "type"))))
                return unwrap(json_object_get(t, "type"), v);
        if (!strcmp(type, "record")) {
                json_t *o = json_object(), *f;
                size_t i;
                json_array_foreach(json_object_get(t, "fields"), i, f) {
                        const char *n = jstr(f, "name");
                        json_object_set_new(
                                o, n, unwrap(json_object_get(f, "type"),
                                             json_object_get(v, n)));
                }
                return o;
        }
        if (!strcmp(type, "array")) {
                json_t *a = json_array(), *e;
                size_t i;
                json_array_foreach(v, i, e) json_array_append_new(
                        a, unwrap(json_object_get(t, "items"), e));
                return a;
        }
        return json_incref(v);
}

/* Decodes framed record \p rec with avro-tools and with inkstream and
 * expects the same values. */
static void compare_with_java(const char *jar, const it_rec_t *rec,
                              ink_record_t kind, const char *schema_file) {
        char path[] = "/tmp/ink-frag-XXXXXX", cmd[4096], err[512];
        char *out = NULL;
        ink_avro_t *av = ink_avro_new(err, sizeof(err));
        json_t *ours = NULL, *java, *schema, *norm;
        int fd = mkstemp(path);

        cr_assert(not(eq(ptr, av, NULL)), "%s", err);
        cr_assert(ge(int, fd, 0));
        cr_assert(gt(sz, rec->len, INK_WIRE_HEADER));
        /* the body after the 5-byte Confluent header */
        cr_assert(eq(sz, (size_t)write(fd, rec->value + INK_WIRE_HEADER,
                                       rec->len - INK_WIRE_HEADER),
                     rec->len - INK_WIRE_HEADER));
        close(fd);
        snprintf(cmd, sizeof(cmd),
                 "java -jar %s fragtojson --schema-file %s/%s %s 2>/dev/null",
                 jar, INK_SOURCE_DIR, schema_file, path);
        cr_assert(eq(int, it_run(cmd, &out), 0), "%s", out);
        unlink(path);
        java = json_loads(out, JSON_DISABLE_EOF_CHECK, NULL);
        cr_assert(not(eq(ptr, java, NULL)), "avro-tools printed: %s", out);
        cr_assert(eq(int, ink_avro_decode_json(av, kind, rec->value, rec->len,
                                               &ours, err, sizeof(err)),
                     INK_OK), "%s", err);
        schema = json_loads(ink_avro_schema_text(kind), 0, NULL);
        norm = unwrap(schema, java);
        if (!json_equal(norm, ours)) {
                char *a = json_dumps(norm, JSON_SORT_KEYS | JSON_COMPACT);
                char *b = json_dumps(ours, JSON_SORT_KEYS | JSON_COMPACT);
                cr_expect(eq(str, a, b), "Java and inkstream differ");
                free(a);
                free(b);
        }
        json_decref(norm);
        json_decref(schema);
        json_decref(java);
        json_decref(ours);
        free(out);
        ink_avro_destroy(av);
}

Test(records, avro_java_decodes_the_same_bytes, .timeout = 600) {
        char *jar = avro_tools_jar();
        it_topics_t t;
        it_recs_t recs;

        if (!jar)
                cr_skip_test("java or mvn not installed: avro-tools "
                             "cannot run");
        t = run_pipeline("java");
        recs = it_read_all(t.out, 1, 30000);
        cr_assert(eq(sz, recs.cnt, 1));
        compare_with_java(jar, &recs.v[0], INK_REC_ENRICHED,
                          "schemas/enriched_article.avsc");
        it_recs_free(&recs);
        recs = it_read_all(t.alerts, 1, 30000);
        cr_assert(ge(sz, recs.cnt, 1));
        compare_with_java(jar, &recs.v[0], INK_REC_ALERT,
                          "schemas/alert.avsc");
        it_recs_free(&recs);
        it_topics_free(&t);
        free(jar);
}

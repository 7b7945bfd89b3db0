/*
 * Configuration: one table of inkstream's own properties (name, type,
 * default, offset, description); anything under "kafka." goes straight to
 * librdkafka.  Sources in increasing priority: defaults, --config file,
 * INKSTREAM_* environment variables, command-line flags.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ink/kafka.h"

volatile sig_atomic_t ink_run = 1;

static void on_signal(int sig) {
        (void)sig;
        ink_run = 0;
}

void ink_install_signals(void) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
}

typedef enum { T_STR, T_INT, T_BOOL } conf_type_t;

static const struct conf_prop {
        const char *name;
        conf_type_t type;
        const char *def;
        size_t offset;
        const char *desc;
} props[] = {
#define P(name, type, def, field, desc)                                      \
        {name, type, def, offsetof(ink_conf_t, field), desc}
        P("brokers", T_STR, "127.0.0.1:9092", brokers,
          "Kafka bootstrap servers (host:port,...)"),
        P("group", T_STR, "inkstream-enrich", group,
          "Consumer group of the enrichment workers"),
        P("input.topic", T_STR, "articles.raw", input_topic,
          "Topic of raw articles (JSON, key = article id)"),
        P("output.topic", T_STR, "articles.enriched", output_topic,
          "Topic of enriched Avro records (key = article id)"),
        P("alerts.topic", T_STR, "alerts.summit", alerts_topic,
          "Topic of summit alerts (Avro, key = event key)"),
        P("dlq.topic", T_STR, "articles.dlq", dlq_topic,
          "Dead-letter topic: original bytes + error headers"),
        P("threads", T_INT, "0", threads,
          "Enrichment threads per worker (0 = one per core)"),
        P("max.article.bytes", T_INT, "4194304", max_article_bytes,
          "Largest accepted input article; larger ones are dead letters"),
        P("commit.interval.ms", T_INT, "1000", commit_interval_ms,
          "How often stored offsets are committed"),
        P("queue.max", T_INT, "1000", queue_max,
          "Articles in flight per worker before the input pauses"),
        P("queue.max.bytes", T_INT, "16777216", queue_max_bytes,
          "Input bytes in flight per worker before the input pauses "
          "(0 = no limit)"),
        P("enrich.max.bytes", T_INT, "1048576", enrich_max_bytes,
          "Input bytes the enrichment threads work on at once (one larger "
          "article alone; 0 = no limit): bounds memory with big articles"),
        P("exit.on.eof", T_BOOL, "false", exit_on_eof,
          "Exit once every assigned partition is drained"),
        P("from.beginning", T_BOOL, "false", from_beginning,
          "Read topics from the start (alerts reader)"),
        P("no.enrich", T_BOOL, "false", no_enrich,
          "Skip enrichment (parse, encode and commit only; benchmarks)"),
        P("log.format", T_STR, "text", log_format,
          "Log lines as text or json (one object per line)"),
        P("json", T_BOOL, "false", json,
          "Print JSON lines instead of readable text"),
        P("schema.registry.url", T_STR, "", schema_registry_url,
          "Schema Registry (Confluent API) for record schema ids; empty = "
          "the ids of the local catalog (schemas/README.md)"),
        P("schema.registry.basic.auth.user.info", T_STR, "",
          schema_registry_userinfo,
          "Basic auth of the schema registry, user:password"),
        P("schema.registry.timeout.ms", T_INT, "10000",
          schema_registry_timeout_ms,
          "Timeout of one schema registry request (retried with backoff)"),
        P("shutdown.timeout.ms", T_INT, "10000", shutdown_timeout_ms,
          "SIGTERM/SIGINT: finish, commit and exit within this bound"),
        P("metrics.addr", T_STR, "127.0.0.1:9464", metrics_addr,
          "Address of /metrics, /healthz, /readyz (empty = off)"),
        P("exactly.once", T_BOOL, "false", exactly_once,
          "Transactional consume-transform-produce (exactly once)"),
        P("format", T_STR, "auto", format,
          "Input format of ingest: auto, jsonl, text, rss, atom, ninjs"),
        P("events.topic", T_STR, "", events_topic,
          "Internal topic of candidate summit events (key = event key), "
          "read by the novelty processor (default: the workers' group + "
          "\"-summit-events\")"),
        P("no.novelty", T_BOOL, "false", no_novelty,
          "Do not run the novelty processor inside `inkstream enrich` "
          "(then run `inkstream novelty` separately)"),
        P("novelty.group", T_STR, "", novelty_group,
          "Consumer group of the novelty processors (default: the "
          "workers' group + \"-novelty\")"),
        P("novelty.window.days", T_INT, "14", novelty_window_days,
          "Novelty: an event key unseen for this long raises a new alert"),
        P("novelty.changelog.topic", T_STR, "", novelty_changelog_topic,
          "Novelty: compacted changelog topic of the per-event state "
          "(default: the novelty group + \"-changelog\")"),
        P("rules.file", T_STR, "", rules_file,
          "Alert rules file (empty = the embedded data/rules/default.rules)"),
#undef P
};

#define PROP_CNT (sizeof(props) / sizeof(props[0]))

static int set_prop(ink_conf_t *conf, const struct conf_prop *p,
                    const char *value, char *errstr, size_t errstr_size) {
        void *field = (char *)conf + p->offset;

        switch (p->type) {
        case T_STR:
                free(*(char **)field);
                *(char **)field = ink_strdup(value);
                return 0;
        case T_INT: {
                char *end;
                long v;
                errno = 0;
                v = strtol(value, &end, 10);
                if (errno || *end || end == value || v < 0 ||
                    v > 1L << 30) {
                        snprintf(errstr, errstr_size,
                                 "%s: \"%s\" is not a non-negative integer",
                                 p->name, value);
                        return -1;
                }
                *(int *)field = (int)v;
                return 0;
        }
        case T_BOOL:
                if (!strcmp(value, "true") || !strcmp(value, "1") ||
                    !strcmp(value, "yes"))
                        *(bool *)field = true;
                else if (!strcmp(value, "false") || !strcmp(value, "0") ||
                         !strcmp(value, "no"))
                        *(bool *)field = false;
                else {
                        snprintf(errstr, errstr_size,
                                 "%s: \"%s\" is not true or false", p->name,
                                 value);
                        return -1;
                }
                return 0;
        }
        return -1;
}

void ink_conf_init(ink_conf_t *conf) {
        char err[256];
        memset(conf, 0, sizeof(*conf));
        for (size_t i = 0; i < PROP_CNT; i++)
                if (set_prop(conf, &props[i], props[i].def, err, sizeof(err)))
                        ink_panic(__FILE__, __LINE__, err);
}

void ink_conf_finalize(ink_conf_t *conf) {
        ink_log_json = !strcmp(conf->log_format, "json");
        /* Internal topics are named after the group, as Kafka Streams
         * names them after its application id: two deployments on one
         * cluster never share them. */
        if (!*conf->events_topic) {
                free(conf->events_topic);
                conf->events_topic = ink_malloc(strlen(conf->group) + 16);
                sprintf(conf->events_topic, "%s-summit-events", conf->group);
        }
}

void ink_conf_destroy(ink_conf_t *conf) {
        for (size_t i = 0; i < PROP_CNT; i++)
                if (props[i].type == T_STR)
                        free(*(char **)((char *)conf + props[i].offset));
        for (size_t i = 0; i < conf->nkafka; i++) {
                free(conf->kafka[i].key);
                free(conf->kafka[i].value);
        }
        free(conf->kafka);
        memset(conf, 0, sizeof(*conf));
}

int ink_conf_set(ink_conf_t *conf, const char *key, const char *value,
                 char *errstr, size_t errstr_size) {
        if (!strncmp(key, "kafka.", 6) && key[6]) {
                const char *k = key + 6;
                for (size_t i = 0; i < conf->nkafka; i++) {
                        if (!strcmp(conf->kafka[i].key, k)) {
                                free(conf->kafka[i].value);
                                conf->kafka[i].value = ink_strdup(value);
                                return 0;
                        }
                }
                conf->kafka = ink_realloc(conf->kafka, (conf->nkafka + 1) *
                                                           sizeof(ink_kv_t));
                conf->kafka[conf->nkafka].key = ink_strdup(k);
                conf->kafka[conf->nkafka].value = ink_strdup(value);
                conf->nkafka++;
                return 0;
        }
        for (size_t i = 0; i < PROP_CNT; i++)
                if (!strcmp(props[i].name, key))
                        return set_prop(conf, &props[i], value, errstr,
                                        errstr_size);
        snprintf(errstr, errstr_size,
                 "unknown property \"%s\" (librdkafka properties take the "
                 "prefix \"kafka.\")", key);
        return -1;
}

static char *trim(char *s) {
        char *e;
        while (isspace((unsigned char)*s))
                s++;
        e = s + strlen(s);
        while (e > s && isspace((unsigned char)e[-1]))
                *--e = '\0';
        return s;
}

int ink_conf_read_file(ink_conf_t *conf, const char *path, char *errstr,
                       size_t errstr_size) {
        FILE *fp = fopen(path, "r");
        char line[4096], err[512];
        int lineno = 0, ret = 0;

        if (!fp) {
                snprintf(errstr, errstr_size, "%s: %s", path,
                         strerror(errno));
                return -1;
        }
        while (fgets(line, sizeof(line), fp)) {
                char *s = trim(line), *eq;
                lineno++;
                if (!*s || *s == '#')
                        continue;
                if (!(eq = strchr(s, '='))) {
                        snprintf(errstr, errstr_size,
                                 "%s:%d: expected key=value", path, lineno);
                        ret = -1;
                        break;
                }
                *eq = '\0';
                if (ink_conf_set(conf, trim(s), trim(eq + 1), err,
                                 sizeof(err))) {
                        snprintf(errstr, errstr_size, "%s:%d: %s", path,
                                 lineno, err);
                        ret = -1;
                        break;
                }
        }
        fclose(fp);
        return ret;
}

int ink_conf_from_env(ink_conf_t *conf, char *errstr, size_t errstr_size) {
        extern char **environ;
        for (char **e = environ; *e; e++) {
                char key[256], *eq;
                size_t n;
                if (strncmp(*e, "INKSTREAM_", 10) || !(eq = strchr(*e, '=')))
                        continue;
                n = (size_t)(eq - (*e + 10));
                if (n == 0 || n >= sizeof(key))
                        continue;
                for (size_t i = 0; i < n; i++) {
                        char c = (*e)[10 + i];
                        key[i] = c == '_' ? '.' : (char)tolower(c);
                }
                key[n] = '\0';
                /* INKSTREAM_RESOURCE_DIR and similar are not properties */
                if (!strcmp(key, "resource.dir") || !strcmp(key, "log.level"))
                        continue;
                if (ink_conf_set(conf, key, eq + 1, errstr, errstr_size))
                        return -1;
        }
        return 0;
}

static bool is_secret(const char *key) {
        return strstr(key, "password") || strstr(key, "secret") ||
               strstr(key, "sasl.jaas") || strstr(key, ".key.pem") ||
               strstr(key, "user.info");
}

void ink_conf_dump(const ink_conf_t *conf, FILE *fp) {
        for (size_t i = 0; i < PROP_CNT; i++) {
                const void *f = (const char *)conf + props[i].offset;
                switch (props[i].type) {
                case T_STR:
                        fprintf(fp, "%s=%s\n", props[i].name,
                                is_secret(props[i].name) &&
                                                **(char *const *)f
                                        ? "********"
                                        : *(char *const *)f);
                        break;
                case T_INT:
                        fprintf(fp, "%s=%d\n", props[i].name,
                                *(const int *)f);
                        break;
                case T_BOOL:
                        fprintf(fp, "%s=%s\n", props[i].name,
                                *(const bool *)f ? "true" : "false");
                        break;
                }
        }
        for (size_t i = 0; i < conf->nkafka; i++)
                fprintf(fp, "kafka.%s=%s\n", conf->kafka[i].key,
                        is_secret(conf->kafka[i].key) ? "********"
                                                      : conf->kafka[i].value);
}

void ink_conf_help(FILE *fp) {
        fprintf(fp, "Properties (--config FILE, -X key=value, or "
                    "INKSTREAM_KEY=value):\n");
        for (size_t i = 0; i < PROP_CNT; i++)
                fprintf(fp, "  %-20s %s (default: %s)\n", props[i].name,
                        props[i].desc, props[i].def);
        fprintf(fp, "  %-20s any librdkafka property, e.g. "
                    "kafka.security.protocol\n", "kafka.*");
}

/* librdkafka's log lines go to the same sink, with the same levels. */
static void log_cb(const rd_kafka_t *rk, int level, const char *fac,
                   const char *buf) {
        /* One set of kafka.* properties configures both the consumer and
         * the producer of a process: that each ignores the other's
         * properties is expected, not worth a warning. */
        if (!strcmp(fac, "CONFWARN") && strstr(buf, "will be ignored by"))
                level = INK_LOG_DEBUG;
        ink_log(level, "rdkafka", "%s: [%s] %s", rd_kafka_name(rk), fac, buf);
}

rd_kafka_conf_t *ink_conf_kafka(const ink_conf_t *conf, char *errstr,
                                size_t errstr_size) {
        rd_kafka_conf_t *kc = rd_kafka_conf_new();

        rd_kafka_conf_set_log_cb(kc, log_cb);
        if (rd_kafka_conf_set(kc, "bootstrap.servers", conf->brokers, errstr,
                              errstr_size) != RD_KAFKA_CONF_OK)
                goto fail;
        for (size_t i = 0; i < conf->nkafka; i++) {
                if (rd_kafka_conf_set(kc, conf->kafka[i].key,
                                      conf->kafka[i].value, errstr,
                                      errstr_size) != RD_KAFKA_CONF_OK)
                        goto fail;
        }
        return kc;
fail:
        rd_kafka_conf_destroy(kc);
        return NULL;
}

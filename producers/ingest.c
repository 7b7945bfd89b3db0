/*
 * The article feeder: JSON Lines or plain-text files in, one Kafka record
 * per article out (key = article id, value = the JSON article), through an
 * idempotent producer.  Bad lines are rejected with a reason; the rest
 * still flow.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ink/codec.h"
#include "ink/kafka.h"

typedef struct feed_s {
        ink_ingest_stats_t *stats;
} feed_t;

static void dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm,
                      void *opaque) {
        feed_t *f = opaque;
        (void)rk;
        if (!rkm->err) {
                f->stats->produced++;
        } else {
                f->stats->failed++;
                ink_log(INK_LOG_ERR, "ingest", "delivery failed: %s",
                        rd_kafka_err2str(rkm->err));
        }
}

/* Produces one validated article. @returns 0 or -1 (reason logged). */
static int produce_article(rd_kafka_t *rk, const char *topic,
                           const ink_article_t *art, const char *value,
                           size_t len, ink_ingest_stats_t *stats) {
        rd_kafka_resp_err_t err = ink_produce(rk, topic, art->id,
                                              strlen(art->id), value, len,
                                              NULL, NULL);
        if (err) {
                ink_log(INK_LOG_ERR, "ingest", "produce %s: %s", art->id,
                        rd_kafka_err2str(err));
                stats->failed++;
                return -1;
        }
        stats->queued++;
        rd_kafka_poll(rk, 0);
        return 0;
}

static void reject(const char *name, size_t lineno, const char *reason,
                   ink_ingest_stats_t *stats) {
        stats->rejected++;
        if (lineno)
                fprintf(stderr, "%s:%zu: rejected: %s\n", name, lineno,
                        reason);
        else
                fprintf(stderr, "%s: rejected: %s\n", name, reason);
}

/* One JSON line: validated, then produced as it is. */
static void feed_json_line(rd_kafka_t *rk, const char *topic,
                           const char *name, size_t lineno, const char *line,
                           size_t len, int max_bytes,
                           ink_ingest_stats_t *stats) {
        ink_article_t *art = ink_article_new();
        char errstr[512];

        if (ink_article_parse_json(art, line, len, (size_t)max_bytes, errstr,
                                   sizeof(errstr)) != INK_OK)
                reject(name, lineno, errstr, stats);
        else
                produce_article(rk, topic, art, line, len, stats);
        ink_article_destroy(art);
}

/* A plain-text article: turned into the JSON article form. */
static void feed_text(rd_kafka_t *rk, const char *topic, const char *name,
                      const char *buf, size_t len, int max_bytes,
                      ink_ingest_stats_t *stats) {
        ink_article_t *art = ink_article_new();
        char errstr[512];

        if (ink_article_parse_text(art, buf, len, (size_t)max_bytes, errstr,
                                   sizeof(errstr)) != INK_OK) {
                reject(name, 0, errstr, stats);
        } else {
                json_t *o = json_pack("{s:s,s:s,s:s}", "id", art->id, "title",
                                      art->title, "body", art->body);
                char *s = json_dumps(o, JSON_COMPACT);
                produce_article(rk, topic, art, s, strlen(s), stats);
                free(s);
                json_decref(o);
        }
        ink_article_destroy(art);
}

static bool is_blank(const char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
                        return false;
        return true;
}

int ink_ingest_buffer(rd_kafka_t *rk, const char *topic, const char *name,
                      const char *buf, size_t len, int max_bytes,
                      ink_ingest_stats_t *stats) {
        size_t i = 0, lineno = 0;
        bool tty = isatty(STDERR_FILENO);

        while (i < len && (buf[i] == ' ' || buf[i] == '\n' ||
                           buf[i] == '\r' || buf[i] == '\t'))
                i++;
        if (i >= len) {
                reject(name, 0, "empty input", stats);
                return 0;
        }
        if (buf[i] != '{') {
                feed_text(rk, topic, name, buf, len, max_bytes, stats);
                return 0;
        }
        /* JSON Lines */
        for (i = 0; i < len && ink_run;) {
                const char *nl = memchr(buf + i, '\n', len - i);
                size_t end = nl ? (size_t)(nl - buf) : len;
                lineno++;
                if (!is_blank(buf + i, end - i))
                        feed_json_line(rk, topic, name, lineno, buf + i,
                                       end - i, max_bytes, stats);
                i = end + 1;
                if (tty && lineno % 10000 == 0)
                        fprintf(stderr, "\r%s: %zu lines, %llu produced",
                                name, lineno,
                                (unsigned long long)stats->produced);
        }
        if (tty && lineno >= 10000)
                fprintf(stderr, "\n");
        return 0;
}

/* Reads a whole file (or stdin for "-"). @returns malloc'ed bytes. */
static char *read_all(const char *path, size_t *lenp) {
        FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
        size_t cap = 1 << 16, len = 0, n;
        char *buf;

        if (!fp)
                return NULL;
        buf = ink_malloc(cap);
        while ((n = fread(buf + len, 1, cap - len, fp)) > 0) {
                len += n;
                if (len == cap)
                        buf = ink_realloc(buf, cap *= 2);
        }
        if (fp != stdin)
                fclose(fp);
        *lenp = len;
        return buf;
}

int ink_ingest_run(const ink_conf_t *conf, char **files, int nfiles,
                   ink_ingest_stats_t *stats) {
        static char *stdin_only[] = {"-"};
        char errstr[512];
        rd_kafka_conf_t *kc = ink_conf_kafka(conf, errstr, sizeof(errstr));
        feed_t f = {.stats = stats};
        rd_kafka_t *rk;
        int ret = 0;

        memset(stats, 0, sizeof(*stats));
        if (!kc) {
                ink_log(INK_LOG_ERR, "ingest", "%s", errstr);
                return 1;
        }
        if (rd_kafka_conf_set(kc, "enable.idempotence", "true", errstr,
                              sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                ink_log(INK_LOG_ERR, "ingest", "%s", errstr);
                rd_kafka_conf_destroy(kc);
                return 1;
        }
        rd_kafka_conf_set_dr_msg_cb(kc, dr_msg_cb);
        rd_kafka_conf_set_opaque(kc, &f);
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, errstr, sizeof(errstr));
        if (!rk) {
                ink_log(INK_LOG_ERR, "ingest", "%s", errstr);
                rd_kafka_conf_destroy(kc);
                return 1;
        }
        if (nfiles == 0) {
                files = stdin_only;
                nfiles = 1;
        }
        for (int i = 0; i < nfiles && ink_run; i++) {
                size_t len;
                char *buf = read_all(files[i], &len);
                if (!buf) {
                        fprintf(stderr, "%s: %s\n", files[i],
                                strerror(errno));
                stats->rejected++;
                        ret = 1;
                        continue;
                }
                ink_ingest_buffer(rk, conf->input_topic,
                                  strcmp(files[i], "-") ? files[i] : "stdin",
                                  buf, len, conf->max_article_bytes, stats);
                free(buf);
        }
        if (rd_kafka_flush(rk, 60000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
                ink_log(INK_LOG_ERR, "ingest",
                        "%d article(s) not delivered within 60 s",
                        rd_kafka_outq_len(rk));
                stats->failed += (uint64_t)rd_kafka_outq_len(rk);
        }
        rd_kafka_destroy(rk);
        if (stats->failed)
                ret = 1;
        return ret;
}

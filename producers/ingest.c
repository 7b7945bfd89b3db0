/*
 * The article feeder: JSON Lines, plain-text, RSS 2.0, Atom or ninjs files
 * in, one Kafka record per article out (key = article id, value = the JSON
 * article), through an idempotent producer.  Bad lines and feed items are
 * rejected with a reason; the rest still flow.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ink/codec.h"
#include "ink/feeds.h"
#include "ink/kafka.h"

typedef struct feed_s {
        ink_ingest_stats_t *stats;
        volatile bool fatal;    /* authentication or fatal producer error */
} feed_t;

/* Wrong credentials or a fatal idempotence error will not heal: stop
 * instead of retrying until message.timeout.ms. */
static void error_cb(rd_kafka_t *rk, int err, const char *reason,
                     void *opaque) {
        feed_t *f = opaque;

        (void)rk;
        if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
            err == RD_KAFKA_RESP_ERR__FATAL) {
                ink_log(INK_LOG_ERR, "ingest", "%s: %s",
                        err == RD_KAFKA_RESP_ERR__FATAL
                                ? "fatal producer error"
                                : "authentication failed",
                        reason);
                f->fatal = true;
        } else {
                ink_log(INK_LOG_WARNING, "ingest", "%s: %s",
                        rd_kafka_err2name(err), reason);
        }
}

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

/* Reports a rejected line (\p lineno > 0), feed item (\p item > 0) or
 * file on stderr and counts it. */
static void reject_at(const char *name, size_t lineno, size_t item,
                      const char *reason, ink_ingest_stats_t *stats) {
        stats->rejected++;
        if (lineno)
                fprintf(stderr, "%s:%zu: rejected: %s\n", name, lineno,
                        reason);
        else if (item)
                fprintf(stderr, "%s: item %zu: rejected: %s\n", name, item,
                        reason);
        else
                fprintf(stderr, "%s: rejected: %s\n", name, reason);
}

static void reject(const char *name, size_t lineno, const char *reason,
                   ink_ingest_stats_t *stats) {
        reject_at(name, lineno, 0, reason, stats);
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

/* What a feed item callback needs. */
typedef struct feed_ctx_s {
        rd_kafka_t *rk;
        const char *topic, *name;
        int max_bytes;
        ink_ingest_stats_t *stats;
} feed_ctx_t;

/* One mapped feed item (or its error): validated like a JSON line, then
 * produced.  @locality the caller's thread (ink_feed_parse). */
static void feed_item(void *opaque, size_t index, json_t *article,
                      const char *error) {
        feed_ctx_t *c = opaque;
        ink_article_t *art;
        char errstr[512], *s;

        if (!article) {
                reject_at(c->name, 0, index, error, c->stats);
                return;
        }
        s = json_dumps(article, JSON_COMPACT);
        art = ink_article_new();
        if (ink_article_parse_json(art, s, strlen(s), (size_t)c->max_bytes,
                                   errstr, sizeof(errstr)) != INK_OK)
                reject_at(c->name, 0, index, errstr, c->stats);
        else
                produce_article(c->rk, c->topic, art, s, strlen(s),
                                c->stats);
        ink_article_destroy(art);
        free(s);
}

/* JSON Lines: one article per non-blank line. */
static void feed_jsonl(rd_kafka_t *rk, const char *topic, const char *name,
                       const char *buf, size_t len, int max_bytes,
                       ink_ingest_stats_t *stats) {
        size_t i, lineno = 0;
        bool tty = isatty(STDERR_FILENO);

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
}

/* Feeds one file's bytes in format \p fmt (INK_FEED_AUTO: detected). */
static void feed_buffer(rd_kafka_t *rk, const char *topic, const char *name,
                        const char *buf, size_t len, int max_bytes,
                        ink_feed_format_t fmt, ink_ingest_stats_t *stats) {
        feed_ctx_t c = {rk, topic, name, max_bytes, stats};
        char errstr[512];
        size_t i = 0;

        while (i < len && (buf[i] == ' ' || buf[i] == '\n' ||
                           buf[i] == '\r' || buf[i] == '\t'))
                i++;
        if (i >= len) {
                reject(name, 0, "empty input", stats);
                return;
        }
        if (fmt == INK_FEED_AUTO)
                fmt = ink_feed_detect(buf, len);
        switch (fmt) {
        case INK_FEED_JSONL:
                feed_jsonl(rk, topic, name, buf, len, max_bytes, stats);
                break;
        case INK_FEED_RSS:
        case INK_FEED_ATOM:
        case INK_FEED_NINJS:
                if (ink_feed_parse(fmt, buf, len, feed_item, &c, errstr,
                                   sizeof(errstr)) != INK_OK)
                        reject(name, 0, errstr, stats);
                break;
        default:
                feed_text(rk, topic, name, buf, len, max_bytes, stats);
                break;
        }
}

int ink_ingest_buffer(rd_kafka_t *rk, const char *topic, const char *name,
                      const char *buf, size_t len, int max_bytes,
                      ink_ingest_stats_t *stats) {
        feed_buffer(rk, topic, name, buf, len, max_bytes, INK_FEED_AUTO,
                    stats);
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
        ink_feed_format_t fmt;
        rd_kafka_t *rk;
        int ret = 0;

        memset(stats, 0, sizeof(*stats));
        if (ink_feed_format_parse(conf->format ? conf->format : "auto",
                                  &fmt)) {
                ink_log(INK_LOG_ERR, "ingest",
                        "format \"%s\" is not one of auto, jsonl, text, "
                        "rss, atom, ninjs", conf->format);
                if (kc)
                        rd_kafka_conf_destroy(kc);
                return 1;
        }
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
        rd_kafka_conf_set_error_cb(kc, error_cb);
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
        for (int i = 0; i < nfiles && ink_run && !f.fatal; i++) {
                size_t len;
                char *buf = read_all(files[i], &len);
                if (!buf) {
                        fprintf(stderr, "%s: %s\n", files[i],
                                strerror(errno));
                stats->rejected++;
                        ret = 1;
                        continue;
                }
                feed_buffer(rk, conf->input_topic,
                            strcmp(files[i], "-") ? files[i] : "stdin", buf,
                            len, conf->max_article_bytes, fmt, stats);
                free(buf);
        }
        {
                int64_t deadline = ink_mono_us() + 60 * 1000000LL;
                while (rd_kafka_outq_len(rk) > 0 && !f.fatal &&
                       ink_mono_us() < deadline)
                        rd_kafka_flush(rk, 100);
        }
        if (rd_kafka_outq_len(rk) > 0) {
                ink_log(INK_LOG_ERR, "ingest",
                        "%d article(s) not delivered%s",
                        rd_kafka_outq_len(rk),
                        f.fatal ? "" : " within 60 s");
                /* the delivery reports of the purged articles count them
                 * as failed */
                rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE |
                                           RD_KAFKA_PURGE_F_INFLIGHT);
                rd_kafka_flush(rk, 1000);
        }
        rd_kafka_destroy(rk);
        if (stats->failed || f.fatal)
                ret = 1;
        return ret;
}

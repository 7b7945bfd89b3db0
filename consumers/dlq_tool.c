/*
 * `inkstream dlq`: reads the dead-letter topic (every partition, no group,
 * no commits), prints the dead letters readably or as JSON lines, and
 * replays selected ones to the input topic with their original key, value
 * and headers.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ink/codec.h"
#include "ink/dlq.h"

/*---- Headers --------------------------------------------------------------*/

/* Copies header \p name of \p hdrs into \p out ("" if absent). */
static void header_str(const rd_kafka_headers_t *hdrs, const char *name,
                       char *out, size_t outsize) {
        const void *v = NULL;
        size_t sz = 0;

        out[0] = '\0';
        if (!hdrs || rd_kafka_header_get_last(hdrs, name, &v, &sz) || !v)
                return;
        if (sz >= outsize)
                sz = outsize - 1;
        memcpy(out, v, sz);
        out[sz] = '\0';
}

/* @returns header \p name of \p hdrs as a number, or -1. */
static int64_t header_num(const rd_kafka_headers_t *hdrs, const char *name) {
        char buf[32], *end;
        long long v;

        header_str(hdrs, name, buf, sizeof(buf));
        if (!buf[0])
                return -1;
        v = strtoll(buf, &end, 10);
        return *end ? -1 : (int64_t)v;
}

void ink_dlq_rec_from_msg(const rd_kafka_message_t *rkm,
                          ink_dlq_rec_t *rec) {
        rd_kafka_headers_t *h = NULL;

        rec->topic = rd_kafka_topic_name(rkm->rkt);
        rec->partition = rkm->partition;
        rec->offset = rkm->offset;
        rec->key = rkm->key;
        rec->key_len = rkm->key ? rkm->key_len : 0;
        rec->value = rkm->payload;
        rec->len = rkm->payload ? rkm->len : 0;
        rec->hdrs = rd_kafka_message_headers(rkm, &h) ? NULL : h;
}

void ink_dlq_info_get(const ink_dlq_rec_t *rec, ink_dlq_info_t *info) {
        const rd_kafka_headers_t *h = rec->hdrs;

        header_str(h, INK_DLQ_H_CLASS, info->err_class,
                   sizeof(info->err_class));
        header_str(h, INK_DLQ_H_STAGE, info->stage, sizeof(info->stage));
        header_str(h, INK_DLQ_H_REASON, info->reason, sizeof(info->reason));
        header_str(h, INK_DLQ_H_TOPIC, info->src_topic,
                   sizeof(info->src_topic));
        info->src_partition = (int32_t)header_num(h, INK_DLQ_H_PARTITION);
        info->src_offset = header_num(h, INK_DLQ_H_OFFSET);
        info->time_ms = header_num(h, INK_DLQ_H_TIME);
        info->truncated_from = header_num(h, INK_DLQ_H_TRUNCATED);
}

/* @returns true for the headers a dead letter adds (not replayed). */
static bool is_dlq_header(const char *name) {
        return !strncmp(name, "inkstream.error.", 16) ||
               !strncmp(name, "inkstream.source.", 17) ||
               !strcmp(name, INK_DLQ_H_REPLAYED);
}

rd_kafka_headers_t *ink_dlq_replay_headers(const ink_dlq_rec_t *rec) {
        rd_kafka_headers_t *out = rd_kafka_headers_new(8);
        const char *name;
        const void *v;
        size_t sz;
        char from[512];

        if (rec->hdrs)
                for (size_t i = 0; !rd_kafka_header_get_all(rec->hdrs, i,
                                                            &name, &v, &sz);
                     i++)
                        if (!is_dlq_header(name))
                                rd_kafka_header_add(out, name, -1, v,
                                                    v ? (ssize_t)sz : 0);
        snprintf(from, sizeof(from), "%s:%d:%" PRId64, rec->topic,
                 (int)rec->partition, rec->offset);
        rd_kafka_header_add(out, INK_DLQ_H_REPLAYED, -1, from, -1);
        return out;
}

/*---- Selection ------------------------------------------------------------*/

int ink_dlq_parse_offset(const char *s, int32_t *partitionp,
                         int64_t *offsetp) {
        const char *colon = strchr(s, ':');
        char *end;
        long long p = -1, o;

        if (colon) {
                p = strtoll(s, &end, 10);
                if (end != colon || colon == s || p < 0 || p > INT32_MAX)
                        return -1;
                s = colon + 1;
        }
        if (!*s || *s == '-' || *s == '+')
                return -1;
        o = strtoll(s, &end, 10);
        if (*end || o < 0)
                return -1;
        *partitionp = (int32_t)p;
        *offsetp = (int64_t)o;
        return 0;
}

bool ink_dlq_filter_match(const ink_dlq_filter_t *f,
                          const ink_dlq_info_t *info, int32_t partition,
                          int64_t offset) {
        if (f->err_class && strcmp(f->err_class, info->err_class))
                return false;
        if (!f->noffsets)
                return true;
        for (size_t i = 0; i < f->noffsets; i++)
                if (f->offsets[i] == offset &&
                    (f->partitions[i] < 0 || f->partitions[i] == partition))
                        return true;
        return false;
}

/*---- Printing -------------------------------------------------------------*/

/* @returns the length of the valid UTF-8 sequence at s[0] (no NUL, no C0
 * or C1 control), or 0. */
static size_t utf8_char(const unsigned char *s, size_t len) {
        size_t n;

        if (s[0] >= 0x20 && s[0] < 0x7f)
                return 1;
        if (s[0] < 0xc2 || s[0] > 0xf4)
                return 0;
        n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
        if (n > len || ink_utf8_invalid_at((const char *)s, n) >= 0)
                return 0;
        if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)      /* C1 controls */
                return 0;
        return n;
}

/* Escapes bytes of \p s[0..lim) into \p out while they fit in \p room
 * bytes (NUL included).  @returns the input bytes consumed; *\p olenp the
 * output length. */
static size_t escape_into(const unsigned char *s, size_t lim, char *out,
                          size_t room, size_t *olenp) {
        size_t i = 0, o = 0;

        while (i < lim) {
                char esc[8];
                size_t n = utf8_char(s + i, lim - i), elen;
                const char *e = esc;

                if (n == 1 && s[i] != '\\' && s[i] != '"') {
                        esc[0] = (char)s[i];
                        elen = 1;
                } else if (n > 1) {
                        e = (const char *)s + i;
                        elen = n;
                } else {
                        n = 1;
                        switch (s[i]) {
                        case '\n': e = "\\n"; break;
                        case '\t': e = "\\t"; break;
                        case '\r': e = "\\r"; break;
                        case '\\': e = "\\\\"; break;
                        case '"': e = "\\\""; break;
                        default:
                                snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
                        }
                        elen = strlen(e);
                }
                if (o + elen + 1 > room)
                        break;
                memcpy(out + o, e, elen);
                o += elen;
                i += n;
        }
        out[o] = '\0';
        *olenp = o;
        return i;
}

void ink_dlq_preview(const void *buf, size_t len, size_t max, char *out,
                     size_t outsize) {
        const unsigned char *s = buf;
        size_t lim = len < max ? len : max, olen, tlen;
        char tail[48];

        if (!outsize)
                return;
        out[0] = '\0';
        /* everything, if it fits */
        if (len <= max && escape_into(s, lim, out, outsize, &olen) == len)
                return;
        /* else a cut preview and the tail */
        snprintf(tail, sizeof(tail), "... (%zu bytes)", len);
        tlen = strlen(tail);
        if (outsize <= tlen) {
                out[0] = '\0';
                return;
        }
        escape_into(s, lim, out, outsize - tlen, &olen);
        memcpy(out + olen, tail, tlen + 1);
}

static void format_time(int64_t ms, char *buf, size_t size) {
        time_t t = (time_t)(ms / 1000);
        struct tm tm;
        char s[32];

        if (ms < 0 || !gmtime_r(&t, &tm)) {
                snprintf(buf, size, "-");
                return;
        }
        strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf, size, "%s.%03dZ", s, (int)(ms % 1000));
}

void ink_dlq_print(FILE *out, const ink_dlq_rec_t *rec,
                   const ink_dlq_info_t *info) {
        char when[40], reason[600], key[200], value[400];

        format_time(info->time_ms, when, sizeof(when));
        ink_dlq_preview(info->reason, strlen(info->reason), 400, reason,
                        sizeof(reason));
        ink_dlq_preview(rec->key, rec->key_len, 64, key, sizeof(key));
        ink_dlq_preview(rec->value, rec->len, 160, value, sizeof(value));
        fprintf(out, "%s  %s [%d] @%" PRId64 "  <-  %s [%d] @%" PRId64 "\n",
                when, rec->topic, (int)rec->partition, rec->offset,
                info->src_topic[0] ? info->src_topic : "?",
                (int)info->src_partition, info->src_offset);
        fprintf(out, "  %s in %s: %s\n",
                info->err_class[0] ? info->err_class : "?",
                info->stage[0] ? info->stage : "?", reason);
        fprintf(out, "  key %s%s%s, %zu bytes: \"%s\"\n",
                rec->key ? "\"" : "", rec->key ? key : "(none)",
                rec->key ? "\"" : "", rec->len, value);
}

json_t *ink_dlq_to_json(const ink_dlq_rec_t *rec,
                        const ink_dlq_info_t *info) {
        json_t *o = json_object(), *src = json_object();
        char when[40];

        format_time(info->time_ms, when, sizeof(when));
        ink_json_set_bytes(o, "topic", rec->topic, strlen(rec->topic));
        json_object_set_new(o, "partition", json_integer(rec->partition));
        json_object_set_new(o, "offset", json_integer(rec->offset));
        ink_json_set_bytes(o, "class", info->err_class,
                           strlen(info->err_class));
        ink_json_set_bytes(o, "stage", info->stage,
                           strlen(info->stage));
        ink_json_set_bytes(o, "reason", info->reason,
                           strlen(info->reason));
        json_object_set_new(o, "time_ms", json_integer(info->time_ms));
        json_object_set_new(o, "time", json_string(when));
        ink_json_set_bytes(src, "topic", info->src_topic,
                           strlen(info->src_topic));
        json_object_set_new(src, "partition",
                            json_integer(info->src_partition));
        json_object_set_new(src, "offset", json_integer(info->src_offset));
        json_object_set_new(o, "source", src);
        ink_json_set_bytes(o, "key", rec->key, rec->key_len);
        json_object_set_new(o, "value_bytes",
                            json_integer((json_int_t)rec->len));
        if (info->truncated_from >= 0)
                json_object_set_new(o, "truncated_from",
                                    json_integer(info->truncated_from));
        ink_json_set_bytes(o, "value", rec->value ? rec->value : "",
                           rec->len);
        return o;
}

/*---- The run --------------------------------------------------------------*/

static void replay_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm,
                         void *opaque) {
        ink_dlq_stats_t *st = opaque;
        (void)rk;
        if (!rkm->err) {
                st->replayed++;
        } else {
                st->failed++;
                ink_log(INK_LOG_ERR, "dlq", "replay not delivered: %s",
                        rd_kafka_err2str(rkm->err));
        }
}

/* @returns the idempotent replay producer (owned by caller) or NULL. */
static rd_kafka_t *replay_producer(const ink_conf_t *conf,
                                   ink_dlq_stats_t *st) {
        char errstr[512];
        rd_kafka_conf_t *kc = ink_conf_kafka(conf, errstr, sizeof(errstr));
        rd_kafka_t *rk;

        if (!kc)
                goto fail;
        if (rd_kafka_conf_set(kc, "enable.idempotence", "true", errstr,
                              sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                rd_kafka_conf_destroy(kc);
                goto fail;
        }
        rd_kafka_conf_set_dr_msg_cb(kc, replay_dr_cb);
        rd_kafka_conf_set_opaque(kc, st);
        if (!(rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, errstr,
                                sizeof(errstr)))) {
                rd_kafka_conf_destroy(kc);
                goto fail;
        }
        return rk;
fail:
        ink_log(INK_LOG_ERR, "dlq", "replay producer: %s", errstr);
        return NULL;
}

/* Lists (and replays) one dead letter. @returns 0, or -1 if the replay
 * could not be queued. */
static int handle(const ink_conf_t *conf, const ink_dlq_opts_t *opts,
                  rd_kafka_t *rkp, const rd_kafka_message_t *rkm, FILE *out,
                  ink_dlq_stats_t *st) {
        ink_dlq_info_t info;
        ink_dlq_rec_t rec;
        rd_kafka_resp_err_t err;

        st->read++;
        ink_dlq_rec_from_msg(rkm, &rec);
        ink_dlq_info_get(&rec, &info);
        if (!ink_dlq_filter_match(&opts->filter, &info, rec.partition,
                                  rec.offset))
                return 0;
        st->selected++;
        if (conf->json) {
                json_t *o = ink_dlq_to_json(&rec, &info);
                char *s = json_dumps(o, JSON_COMPACT);
                fprintf(out, "%s\n", s);
                free(s);
                json_decref(o);
        } else {
                ink_dlq_print(out, &rec, &info);
        }
        if (!rkp)
                return 0;
        if (info.truncated_from >= 0) {
                /* a cut value is not the article: never replay it */
                ink_log(INK_LOG_ERR, "dlq", "not replaying %s [%d] @%"
                        PRId64 ": it holds %zu of %" PRId64 " bytes; "
                        "replay the source record %s [%d] @%" PRId64
                        " instead", conf->dlq_topic, (int)rkm->partition,
                        (int64_t)rkm->offset, rec.len, info.truncated_from,
                        info.src_topic, (int)info.src_partition,
                        info.src_offset);
                st->truncated++;
                return 0;
        }
        err = ink_produce(rkp, opts->to_topic, rec.key, rec.key_len,
                          rec.value, rec.len, ink_dlq_replay_headers(&rec),
                          NULL);
        rd_kafka_poll(rkp, 0);
        if (err) {
                ink_log(INK_LOG_ERR, "dlq", "replay of %s [%d] @%" PRId64
                        " to %s: %s", conf->dlq_topic, (int)rkm->partition,
                        (int64_t)rkm->offset, opts->to_topic,
                        rd_kafka_err2str(err));
                st->failed++;
                return -1;
        }
        return 0;
}

int ink_dlq_run(const ink_conf_t *conf, const ink_dlq_opts_t *opts,
                FILE *out, ink_dlq_stats_t *st) {
        rd_kafka_t *rkp = NULL;
        ink_reader_t *r;
        bool drain = conf->exit_on_eof || opts->replay;
        int ret = 1;

        memset(st, 0, sizeof(*st));
        if (!(r = ink_reader_open(conf, "dlq", "inkstream-dlq-reader",
                                  conf->dlq_topic,
                                  conf->from_beginning || opts->replay)))
                return 1;
        if (opts->replay && !(rkp = replay_producer(conf, st)))
                goto out;
        while (ink_run && !ink_reader_failed(r)) {
                rd_kafka_message_t *rkm = ink_reader_next(r, 200);
                if (rkp)
                        rd_kafka_poll(rkp, 0);
                if (!rkm) {
                        if (drain && ink_reader_at_end(r))
                                break;
                        continue;
                }
                handle(conf, opts, rkp, rkm, out, st);
                rd_kafka_message_destroy(rkm);
        }
        fflush(out);
        ret = ink_reader_failed(r) ? 1 : 0;
out:
        if (rkp) {
                if (rd_kafka_flush(rkp, 30000)) {
                        ink_log(INK_LOG_ERR, "dlq",
                                "%d replayed record(s) not delivered "
                                "within 30 s", rd_kafka_outq_len(rkp));
                        st->failed += (uint64_t)rd_kafka_outq_len(rkp);
                }
                rd_kafka_destroy(rkp);
        }
        ink_reader_close(r);
        if (st->failed || st->truncated)
                ret = 1;
        return ret;
}

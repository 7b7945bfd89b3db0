/*
 * Reading and replaying dead letters (`inkstream dlq`): the headers of a
 * dead letter decoded, a filter, the readable and JSON forms, and the
 * replay headers.  The headers themselves are named in ink/kafka.h
 * (INK_DLQ_H_*).
 */
#ifndef INK_DLQ_H
#define INK_DLQ_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <librdkafka/rdkafka.h>

#include "ink/kafka.h"

/* Header added to a replayed record: "<dlq topic>:<partition>:<offset>". */
#define INK_DLQ_H_REPLAYED "inkstream.replayed.from"

/* One record of the dead-letter topic (every pointer borrowed). */
typedef struct ink_dlq_rec_s {
        const char *topic;
        int32_t partition;
        int64_t offset;
        const void *key;        /* NULL: no key */
        size_t key_len;
        const void *value;      /* NULL: no value */
        size_t len;
        const rd_kafka_headers_t *hdrs; /* NULL: none */
} ink_dlq_rec_t;

/** Fills \p rec from a consumed message (pointers into \p rkm). */
void ink_dlq_rec_from_msg(const rd_kafka_message_t *rkm, ink_dlq_rec_t *rec);

/* The error headers of one dead letter ("" when absent; -1 for numbers). */
typedef struct ink_dlq_info_s {
        char err_class[64];
        char stage[64];
        char reason[1024];
        char src_topic[256];
        int32_t src_partition;
        int64_t src_offset;
        int64_t time_ms;
        int64_t truncated_from; /* the value's length before it was cut
                                 * (INK_DLQ_H_TRUNCATED), or -1 */
} ink_dlq_info_t;

/** Reads the INK_DLQ_H_* headers of \p rec into \p info.  A record
 *  without them yields empty fields (it is listed as it is). */
void ink_dlq_info_get(const ink_dlq_rec_t *rec, ink_dlq_info_t *info);

/* Which dead letters to list or replay. */
typedef struct ink_dlq_filter_s {
        const char *err_class;  /* only this class (NULL: any) */
        int32_t *partitions;    /* with offsets[i]: -1 = any partition */
        int64_t *offsets;       /* only these offsets (none: any) */
        size_t noffsets;
} ink_dlq_filter_t;

/** Parses an --offset argument: "N" (any partition) or "P:N".
 *  @returns 0, or -1 if it is neither. */
int ink_dlq_parse_offset(const char *s, int32_t *partitionp,
                         int64_t *offsetp);

/** @returns true if the dead letter at \p partition / \p offset of the
 *  dead-letter topic with headers \p info passes \p f. */
bool ink_dlq_filter_match(const ink_dlq_filter_t *f,
                          const ink_dlq_info_t *info, int32_t partition,
                          int64_t offset);

/** Writes a printable preview of \p len bytes of \p buf into \p out (at
 *  most \p outsize bytes, NUL-terminated): valid UTF-8 text as it is,
 *  "\n", "\t", "\r", "\\" and "\"" escaped, other bytes as "\xNN"; over
 *  \p max input bytes it is cut and ends with "... (N bytes)". */
void ink_dlq_preview(const void *buf, size_t len, size_t max, char *out,
                     size_t outsize);

/** @returns the JSON form of dead letter \p rec (new reference, owned by
 *  caller): its place in the dead-letter topic, key, the error headers
 *  and the original value ("value" when it is valid UTF-8 without NUL,
 *  else "value_base64"). */
json_t *ink_dlq_to_json(const ink_dlq_rec_t *rec,
                        const ink_dlq_info_t *info);

/** Prints dead letter \p rec readably (three lines) on \p out. */
void ink_dlq_print(FILE *out, const ink_dlq_rec_t *rec,
                   const ink_dlq_info_t *info);

/** @returns the headers for replaying \p rec (owned by caller): its
 *  headers without the dead-letter ones (INK_DLQ_H_*, any other
 *  "inkstream.error." or "inkstream.source." header and an earlier
 *  INK_DLQ_H_REPLAYED), plus INK_DLQ_H_REPLAYED naming the topic, the
 *  partition and the offset of \p rec. */
rd_kafka_headers_t *ink_dlq_replay_headers(const ink_dlq_rec_t *rec);

/* What `inkstream dlq` does (conf->dlq_topic is read). */
typedef struct ink_dlq_opts_s {
        ink_dlq_filter_t filter;
        bool replay;            /* re-produce the selected dead letters */
        const char *to_topic;   /* replay target (conf->input_topic) */
} ink_dlq_opts_t;

typedef struct ink_dlq_stats_s {
        uint64_t read;          /* dead letters read */
        uint64_t selected;      /* passed the filter */
        uint64_t replayed;      /* acknowledged on the replay topic */
        uint64_t failed;        /* replays not delivered */
        uint64_t truncated;     /* not replayed: the value was cut */
} ink_dlq_stats_t;

/** Reads every partition of conf->dlq_topic (no group, no commits; from
 *  the start with conf->from_beginning or a replay, until every partition
 *  is drained with conf->exit_on_eof or a replay), prints the selected
 *  dead letters on \p out (JSON lines with conf->json) and, with
 *  opts->replay, produces them again through an idempotent producer.
 *  @returns 0, or 1 on error (logged) or an undelivered replay. */
int ink_dlq_run(const ink_conf_t *conf, const ink_dlq_opts_t *opts,
                FILE *out, ink_dlq_stats_t *stats);

#endif /* INK_DLQ_H */

/*
 * Helpers for tests against the real broker: unique topic names, topic
 * creation, producing and reading records, running the inkstream binary.
 */
#ifndef INK_IT_HELPERS_H
#define INK_IT_HELPERS_H

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdbool.h>

/* A record read back from a topic (owned by the caller's list). */
typedef struct it_rec_s {
        char *key;
        char *value;
        size_t len;
        int32_t partition;
        int64_t offset;
        rd_kafka_headers_t *hdrs;
} it_rec_t;

typedef struct it_recs_s {
        it_rec_t *v;
        size_t cnt;
} it_recs_t;

/** Bootstrap servers of the test broker (INK_BROKERS). */
const char *it_brokers(void);
/** Path of the inkstream binary (INK_BIN). */
const char *it_bin(void);
/** @returns a new unique name "it-<base>-<pid>-<rand>" (malloc'ed). */
char *it_topic(const char *base);
/** Creates \p topic with \p partitions partitions; asserts on failure. */
void it_create_topic(const char *topic, int partitions);
/* The topics of one pipeline run and its group name (each malloc'ed). */
typedef struct it_topics_s {
        char *in, *out, *alerts, *dlq, *group;
} it_topics_t;
/** Makes unique names "<base>-in", "-out", "-alerts", "-dlq", "-group"
 *  and creates the topics: in and out with \p partitions partitions,
 *  alerts with \p alert_partitions, dlq with one. */
it_topics_t it_topics(const char *base, int partitions, int alert_partitions);
/** Frees the names of \p t. */
void it_topics_free(it_topics_t *t);
/** Produces one record (synchronously acknowledged). */
void it_produce(const char *topic, const char *key, const void *value,
                size_t len);
/** Reads every record of \p topic from the start until each partition is
 *  at its end (waits up to \p timeout_ms for at least \p min records). */
it_recs_t it_read_all(const char *topic, size_t min, int timeout_ms);
void it_recs_free(it_recs_t *r);
/** @returns the value of header \p name of \p rec (malloc'ed) or NULL. */
char *it_header(const it_rec_t *rec, const char *name);
/** Runs a shell command line; @returns its exit status. Output is
 *  captured into *outp (malloc'ed) when outp is not NULL. */
int it_run(const char *cmdline, char **outp);
/** The committed offset of \p group on \p topic partition \p partition
 *  (-1 if none). */
int64_t it_committed(const char *group, const char *topic, int partition);

#endif

/*
 * The Kafka side of inkstream: configuration, the enrichment worker, the
 * article feeder, the alert reader, and the output producer.
 */
#ifndef INK_KAFKA_H
#define INK_KAFKA_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "ink/core.h"

/*---- Configuration: conf.c (consumers/) ----------------------------------*/

/* Properties passed straight to librdkafka ("kafka." prefix stripped). */
typedef struct ink_kv_s {
        char *key;
        char *value;
} ink_kv_t;

typedef struct ink_conf_s {
        char *brokers;
        char *group;
        char *input_topic;
        char *output_topic;
        char *alerts_topic;
        char *dlq_topic;
        int threads;            /* enrichment threads (0 = one per core) */
        int max_article_bytes;
        int commit_interval_ms;
        int queue_max;          /* articles in flight per worker */
        int queue_max_bytes;    /* input bytes in flight per worker */
        int enrich_max_bytes;   /* input bytes enriched at once (pool) */
        int shutdown_timeout_ms; /* SIGTERM to exit, at most */
        char *metrics_addr;     /* host:port of /metrics ("" = off) */
        char *format;           /* ingest input format (auto, rss, ...) */
        bool exactly_once;      /* transactional consume-transform-produce */
        bool exit_on_eof;
        bool from_beginning;
        bool no_enrich;
        bool json;
        char *schema_registry_url;      /* "" = the local schema catalog */
        char *schema_registry_userinfo; /* basic auth "user:password" */
        int schema_registry_timeout_ms; /* per registry request */
        char *events_topic;             /* candidate summit events */
        char *novelty_group;            /* group of `inkstream novelty` */
        bool no_novelty;                /* no novelty thread in enrich */
        char *log_format;               /* "text" or "json" */
        int novelty_window_days;        /* a repeat older than this is new */
        char *novelty_changelog_topic;  /* compacted state changelog */
        char *rules_file;               /* "" = data/rules/default.rules */
        ink_kv_t *kafka;        /* librdkafka properties, in order */
        size_t nkafka;
} ink_conf_t;

/** Sets the defaults. */
void ink_conf_init(ink_conf_t *conf);
void ink_conf_destroy(ink_conf_t *conf);
/** Derives what defaults to a name built from others (events.topic from
 *  group); call once every source has been applied. */
void ink_conf_finalize(ink_conf_t *conf);

/** Sets one property ("brokers", "input.topic", "kafka.acks", ...).
 *  @returns 0 or -1 with \p errstr set (unknown key, bad value). */
int ink_conf_set(ink_conf_t *conf, const char *key, const char *value,
                 char *errstr, size_t errstr_size);
/** Reads a file of key=value lines (# comments). */
int ink_conf_read_file(ink_conf_t *conf, const char *path, char *errstr,
                       size_t errstr_size);
/** Applies INKSTREAM_<KEY> environment variables (dots as underscores,
 *  e.g. INKSTREAM_INPUT_TOPIC, INKSTREAM_KAFKA_SECURITY_PROTOCOL). */
int ink_conf_from_env(ink_conf_t *conf, char *errstr, size_t errstr_size);
/** Prints the effective configuration (secrets masked). */
void ink_conf_dump(const ink_conf_t *conf, FILE *fp);
/** Prints the table of inkstream's own properties with descriptions. */
void ink_conf_help(FILE *fp);

/** @returns a librdkafka configuration with bootstrap servers, the
 *  logger and every kafka.* property applied, or NULL with \p errstr. */
rd_kafka_conf_t *ink_conf_kafka(const ink_conf_t *conf, char *errstr,
                                size_t errstr_size);

/*---- Run control ---------------------------------------------------------*/

/* Set by SIGINT/SIGTERM: every loop stops cleanly. */
extern volatile sig_atomic_t ink_run;
void ink_install_signals(void);

/*---- The enrichment worker: worker.c (consumers/) ------------------------*/

typedef struct ink_worker_stats_s {
        uint64_t consumed;
        uint64_t enriched;      /* enriched records acknowledged */
        uint64_t alerts;        /* alert records acknowledged */
        uint64_t dead_letters;  /* dead letters acknowledged */
        uint64_t failed;        /* outputs that could not be delivered */
        uint64_t committed;     /* offsets stored for commit */
} ink_worker_stats_t;

/** Runs the consume-enrich-produce loop until ink_run is cleared or, with
 *  conf->exit_on_eof, every assigned partition is drained.
 *  @returns 0, or 1 on a fatal error (logged). */
int ink_worker_run(const ink_conf_t *conf, ink_worker_stats_t *stats);

/*---- Worker + novelty processor: enrich.c (consumers/) -------------------*/

struct ink_novelty_stats_s;

/** Runs the worker and, unless conf->no_novelty, the novelty processor
 *  beside it (its own consumer group on conf->events_topic, writing
 *  conf->alerts_topic).  With conf->exit_on_eof the processor drains what
 *  the worker produced before it exits.
 *  @returns 0, or 1 if either failed. */
int ink_enrich_run(const ink_conf_t *conf, ink_worker_stats_t *stats,
                   struct ink_novelty_stats_s *nstats);

/*---- The article feeder: ingest.c (producers/) ---------------------------*/

typedef struct ink_ingest_stats_s {
        uint64_t queued;        /* handed to the producer */
        uint64_t produced;      /* acknowledged by the broker */
        uint64_t rejected;
        uint64_t failed;        /* delivery failures */
} ink_ingest_stats_t;

/** Produces the articles of each file in \p files (stdin for "-" or when
 *  \p nfiles is 0) to conf->input_topic, keyed by article id.  JSON Lines
 *  files (first non-blank byte '{') are read line by line; other files are
 *  one plain-text article each.  Rejected lines are reported on stderr.
 *  @returns 0 if every article was delivered (rejected ones aside), else 1. */
int ink_ingest_run(const ink_conf_t *conf, char **files, int nfiles,
                   ink_ingest_stats_t *stats);

/** Same, from a memory buffer (used by the demo for bundled articles). */
int ink_ingest_buffer(rd_kafka_t *rk, const char *topic, const char *name,
                      const char *buf, size_t len, int max_article_bytes,
                      ink_ingest_stats_t *stats);

/*---- The alert reader: alerts.c (consumers/) -----------------------------*/

/** Reads conf->alerts_topic and prints each alert readably (or as JSON
 *  lines with conf->json) on \p out.
 *  @returns 0, or 1 on error. */
int ink_alerts_run(const ink_conf_t *conf, FILE *out, uint64_t *countp);

/** Prints one decoded alert (JSON form) readably. */
void ink_alert_print(FILE *out, const void *alert_json);

/*---- Topic reader: reader.c (consumers/) --------------------------------*/

/* Reads every partition of one topic without joining a consumer group
 * (the consumer of `cat`, `alerts`, `dlq`). */
typedef struct ink_reader_s ink_reader_t;

/** Opens a reader of \p topic with the connection settings of \p conf
 *  (group.id \p group_id is only a client label: offsets are neither
 *  read nor committed), from the start (\p beginning) or the end.
 *  Errors are logged under \p who (a string literal).
 *  @returns the reader (close with ink_reader_close()) or NULL. */
ink_reader_t *ink_reader_open(const ink_conf_t *conf, const char *who,
                              const char *group_id, const char *topic,
                              bool beginning);

/** @returns the next record (destroy with rd_kafka_message_destroy()),
 *  or NULL when none came within \p timeout_ms, a partition reached its
 *  end, or a consumer error was logged.  Never an error message. */
rd_kafka_message_t *ink_reader_next(ink_reader_t *r, int timeout_ms);

/** @returns true while every partition is at its end. */
bool ink_reader_at_end(const ink_reader_t *r);

/** @returns true after an error that does not heal (authentication, a
 *  fatal client error): the caller should stop. */
bool ink_reader_failed(const ink_reader_t *r);

/** Closes \p r (NULL is allowed). */
void ink_reader_close(ink_reader_t *r);

/** Sets member \p name of \p o to \p len bytes at \p p as a string when
 *  they are valid UTF-8 without NUL, else member "<name>_base64" to their
 *  base64 text; nothing when \p p is NULL. */
void ink_json_set_bytes(json_t *o, const char *name, const void *p,
                        size_t len);

/*---- Dead letters: dlq.c (producers/) -----------------------------------*/

/* Headers of a dead letter (besides the input's own headers, kept). */
#define INK_DLQ_H_CLASS     "inkstream.error.class"
#define INK_DLQ_H_REASON    "inkstream.error.reason"
#define INK_DLQ_H_STAGE     "inkstream.error.stage"
#define INK_DLQ_H_TOPIC     "inkstream.source.topic"
#define INK_DLQ_H_PARTITION "inkstream.source.partition"
#define INK_DLQ_H_OFFSET    "inkstream.source.offset"
#define INK_DLQ_H_TIME      "inkstream.error.time"
/* Set when the value was cut to fit the producer's message.max.bytes:
 * the original value's length in bytes (decimal).  The whole record
 * stays at its source topic, partition and offset. */
#define INK_DLQ_H_TRUNCATED "inkstream.error.truncated"

/* A dead letter too large to produce keeps this many bytes of its value
 * (cut at a UTF-8 character boundary), then 4 KiB without the input's own
 * headers if it is still too large. */
#define INK_DLQ_CUT_BYTES   65536

/** Produces the input record \p rkm unchanged (key, value, headers) to
 *  \p topic with the error headers above.  When the producer refuses it
 *  as too large, the value is cut (INK_DLQ_CUT_BYTES, INK_DLQ_H_TRUNCATED)
 *  and the reason says where the whole record is.  \p opaque is passed to the
 *  delivery report.  Does not block: on a full queue it polls \p rkp and
 *  retries while ink_run is set.
 *  @returns the produce error (RD_KAFKA_RESP_ERR_NO_ERROR when queued). */
rd_kafka_resp_err_t ink_dlq_produce(rd_kafka_t *rkp, const char *topic,
                                    const rd_kafka_message_t *rkm,
                                    const char *err_class,
                                    const char *reason, const char *stage,
                                    void *opaque);

/** Produces with retry on QUEUE_FULL (polling \p rkp for delivery
 *  reports meanwhile).  Value and key are copied. */
rd_kafka_resp_err_t ink_produce(rd_kafka_t *rkp, const char *topic,
                                const void *key, size_t keylen,
                                const void *value, size_t len,
                                rd_kafka_headers_t *hdrs, void *opaque);

#endif /* INK_KAFKA_H */

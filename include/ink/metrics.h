/*
 * Worker metrics: thread-safe counters, gauges and latency histograms, and
 * an HTTP listener (libmicrohttpd) serving them:
 *
 *   /metrics  Prometheus text format
 *   /healthz  200 while the worker runs its loop
 *   /readyz   200 when the worker has joined its group (with at least one
 *             partition, or with nothing to assign) and the producer is
 *             connected
 *
 * Every update is an atomic operation or takes a short internal lock, so
 * enrichment threads, the poll thread and the HTTP thread may all touch one
 * ink_metrics_t at once.
 */
#ifndef INK_METRICS_H
#define INK_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ink_metrics_s ink_metrics_t;

/* Plain counters. */
typedef enum ink_counter_e {
        INK_M_CONSUMED = 0,     /* input records taken from Kafka */
        INK_M_ENRICHED,         /* enriched records acknowledged */
        INK_M_FAILED,           /* outputs that could not be delivered */
        INK_M_REBALANCES,       /* assignments and revocations */
        INK_M_RELOADS,          /* pipeline rebuilds (SIGHUP) */
        INK_M_TXN_COMMITS,      /* transactions committed */
        INK_M_TXN_ABORTS,       /* transactions aborted */
        INK_M_COUNTER_CNT
} ink_counter_t;

/* Gauges (last value set). */
typedef enum ink_gauge_e {
        INK_M_INFLIGHT = 0,     /* input records not yet done */
        INK_M_OUTQ,             /* producer queue depth (messages) */
        INK_M_ASSIGNED,         /* partitions assigned */
        INK_M_PAUSED,           /* 1 while the input is paused */
        INK_M_THREADS,          /* enrichment threads */
        INK_M_GAUGE_CNT
} ink_gauge_t;

/* Timed steps of one article (per-stage latency histogram). */
typedef enum ink_step_e {
        INK_STEP_PARSE = 0,
        INK_STEP_ENRICH,        /* ink_pipeline_run: every stage */
        INK_STEP_ENCODE,
        INK_STEP_CNT
} ink_step_t;

/** @returns a metrics set with every value at zero (owned by caller). */
ink_metrics_t *ink_metrics_new(void);
/** Stops the listener if any and frees \p m (NULL is fine). */
void ink_metrics_destroy(ink_metrics_t *m);

/** Starts the HTTP listener on \p addr ("host:port", IPv4 or a name;
 *  port 0 picks a free port, see ink_metrics_port()).
 *  @returns 0, or -1 with \p errstr set (bad address, bind failure). */
int ink_metrics_listen(ink_metrics_t *m, const char *addr, char *errstr,
                       size_t errstr_size);
/** @returns the port the listener is bound to, or 0 without one. */
int ink_metrics_port(const ink_metrics_t *m);

void ink_metrics_add(ink_metrics_t *m, ink_counter_t c, uint64_t n);
uint64_t ink_metrics_get(ink_metrics_t *m, ink_counter_t c);
void ink_metrics_set(ink_metrics_t *m, ink_gauge_t g, int64_t v);
/** Counts one dead letter of class \p err_class (borrowed, copied). */
void ink_metrics_dead_letter(ink_metrics_t *m, const char *err_class);
/** Counts one alert of type \p type (borrowed, copied). */
void ink_metrics_alert(ink_metrics_t *m, const char *type);
/** Records how long step \p s took for one article. */
void ink_metrics_step(ink_metrics_t *m, ink_step_t s, int64_t us);
/** Records input timestamp -> output acknowledged for one article. */
void ink_metrics_end_to_end(ink_metrics_t *m, int64_t ms);
/** Takes the consumer lag of \p topic's partitions from a librdkafka
 *  statistics JSON document (\p json, \p len bytes, borrowed). */
void ink_metrics_stats_json(ink_metrics_t *m, const char *topic,
                            const char *json, size_t len);
/** Sets what /healthz and /readyz answer. */
void ink_metrics_set_live(ink_metrics_t *m, bool live);
void ink_metrics_set_ready(ink_metrics_t *m, bool ready);

/** Writes the Prometheus text of \p m into a new string (owned by caller,
 *  free()). */
char *ink_metrics_render(ink_metrics_t *m);

#endif /* INK_METRICS_H */

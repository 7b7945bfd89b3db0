/*
 * Novelty of summit events ("new means new"): a keyed stream processor in
 * the manner of Kafka Streams.  Candidate events (Avro Alert records keyed
 * by their canonical event key) come from an internal topic partitioned by
 * that key; per-event state lives in an in-memory store per assigned
 * partition, backed by a compacted changelog topic with the same partition
 * count, and restored from it when a partition is assigned.  The
 * processor emits a new alert the first time an event key is seen within
 * the window, an update (same alert id lineage, new status) when the
 * status changes, and nothing for a repeat.  See docs/ALERTS.md.
 */
#ifndef INK_NOVELTY_H
#define INK_NOVELTY_H

#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>

#include "ink/article.h"
#include "ink/kafka.h"

/* Headers of every record the processor emits. */
#define INK_NOVELTY_H_KIND   "inkstream.alert.kind"     /* new | update */
#define INK_NOVELTY_H_PREV   "inkstream.alert.previous.status"

/* The state of one event key. */
typedef struct ink_novelty_state_s {
        int status;             /* ink_status_t of the last alert sent */
        int64_t first_ms;       /* first seen (record time) */
        int64_t last_ms;        /* last seen */
        char alert_id[40];      /* id of the first alert of the lineage */
} ink_novelty_state_t;

typedef enum ink_novelty_action_e {
        INK_NOVELTY_NEW = 0,    /* first sighting within the window */
        INK_NOVELTY_UPDATE,     /* status changed */
        INK_NOVELTY_REPEAT      /* nothing to say */
} ink_novelty_action_t;

/** Decides what a candidate with \p status seen at \p ts_ms means given
 *  the stored state \p prev (NULL when the key is unknown) and the window
 *  \p window_ms, and writes the state to keep into \p next (\p alert_id is
 *  the candidate's own id, used when a new lineage starts).
 *  - unknown key, or last seen more than the window ago: NEW;
 *  - a change of plan (postponed, cancelled), a plan revived after one,
 *    or a firmer status (planned -> confirmed): UPDATE, same alert id;
 *  - the same or a less firm status (an older report): REPEAT.
 *  Timestamps never move backwards in the state. */
ink_novelty_action_t ink_novelty_decide(const ink_novelty_state_t *prev,
                                        int status, int64_t ts_ms,
                                        int64_t window_ms,
                                        const char *alert_id,
                                        ink_novelty_state_t *next);

/** Writes \p st as the changelog value (a JSON object:
 *  {"status","first","last","alert_id"}) into \p buf.
 *  @returns the length, or 0 if \p buf_size is too small. */
size_t ink_novelty_state_encode(const ink_novelty_state_t *st, char *buf,
                                size_t buf_size);

/** Parses a changelog value written by ink_novelty_state_encode().
 *  @returns 0, or -1 with \p errstr set. */
int ink_novelty_state_decode(const void *buf, size_t len,
                             ink_novelty_state_t *st, char *errstr,
                             size_t errstr_size);

/** Rewrites a framed Avro Alert record \p rec (\p len bytes, borrowed)
 *  with \p alert_id in place of its own: alert_id is the first field of
 *  schemas/alert.avsc, so the rest of the body is copied unchanged.
 *  @returns a malloc'ed record (owned by caller) and its length in
 *  \p outlenp, or NULL with \p errstr set when \p rec is not a framed
 *  record starting with a string. */
void *ink_novelty_rewrite(const void *rec, size_t len, const char *alert_id,
                          size_t *outlenp, char *errstr, size_t errstr_size);

typedef struct ink_novelty_stats_s {
        uint64_t consumed;      /* candidates read */
        uint64_t fresh;         /* new alerts emitted */
        uint64_t updates;       /* updates emitted */
        uint64_t repeats;       /* suppressed */
        uint64_t invalid;       /* records that are no Alert (skipped) */
        uint64_t restored;      /* changelog records read on assignment */
} ink_novelty_stats_t;

/** Runs the processor: consumes conf->events_topic in group
 *  conf->novelty_group,
 *  produces to conf->alerts_topic and conf->novelty_changelog_topic
 *  (created compacted with the input's partition count when missing),
 *  commits an input offset only after its outputs and changelog write
 *  are acknowledged.  Returns when ink_run is cleared or, with
 *  conf->exit_on_eof, once every assigned partition is drained.
 *  @returns 0, or 1 on a fatal error (logged). */
int ink_novelty_run(const ink_conf_t *conf, ink_novelty_stats_t *stats);

/** The processors' group (conf->novelty_group, default "<group>-novelty")
 *  and state changelog topic (conf->novelty_changelog_topic, default
 *  "<novelty group>-changelog"), written into the two buffers. */
void ink_novelty_names(const ink_conf_t *conf, char *group, size_t gsize,
                       char *changelog, size_t csize);

/** Same, for a processor running beside the workers that feed it (inside
 *  `inkstream enrich`): with conf->exit_on_eof it exits only once
 *  *\p upstream_done is set and its partitions are drained. */
int ink_novelty_run_after(const ink_conf_t *conf, ink_novelty_stats_t *stats,
                          const atomic_bool *upstream_done);

#endif /* INK_NOVELTY_H */

/*
 * The enrichment worker: consume articles in a consumer group, enrich
 * them on a pool of threads, produce the enriched record and its alerts (or
 * a dead letter) in input order per partition, and make an input offset
 * committable only once every output of that input and of all inputs
 * before it on the partition is acknowledged (at-least-once), or commit it
 * inside a producer transaction together with those outputs (exactly once,
 * conf->exactly_once).
 *
 * Threads:
 *  - the poll thread (the caller of ink_worker_run) polls the consumer,
 *    queues each input as a job on its partition's in-order queue and on
 *    the work queue, produces the outputs of finished jobs in partition
 *    order, serves delivery reports, rebalances, statistics, commits and
 *    transactions, and never waits on enrichment (@locality poll thread);
 *  - conf->threads enrichment threads (0 = one per online CPU) take jobs
 *    from the work queue and run parse + pipeline + Avro encoding into the
 *    job (each thread has its own ink_avro_t; the pipeline is shared,
 *    read-only, swapped under a write lock on SIGHUP) (@locality pool).
 * A job's result fields belong to the enrichment thread until it publishes
 * state JOB_READY (release); the poll thread reads them after seeing it
 * (acquire).
 */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ink/codec.h"
#include "ink/kafka.h"
#include "ink/metrics.h"
#include "ink/registry.h"
#include "ink/rules.h"
#include "ink/stage.h"

/* Set by SIGHUP: the poll thread rebuilds the pipeline between jobs. */
static volatile sig_atomic_t reload_requested;

/* What a delivery report refers to. */
typedef enum { OUT_ENRICHED, OUT_ALERT, OUT_DLQ } out_kind_t;

/* One encoded output of a job, waiting to be produced. */
typedef struct outrec_s {
        out_kind_t kind;
        char *topic;              /* owned */
        char *key;                /* owned */
        char *type;               /* alert type (owned), or NULL */
        void *buf;                /* owned */
        size_t len;
} outrec_t;

enum { JOB_QUEUED, JOB_RUNNING, JOB_READY };

/* One input record, its encoded outputs, and the outputs it waits for. */
typedef struct job_s {
        rd_kafka_message_t *rkm;  /* the input, kept until done */
        size_t bytes;             /* its payload size, for the budgets */
        struct job_s *next;       /* work queue link (pool lock) */
        atomic_int state;         /* JOB_*; READY published with release */
        bool orphan;              /* (pool lock) its partition is gone:
                                   * whoever holds it last frees it */
        /* results, written by the enrichment thread before JOB_READY */
        outrec_t *outs;
        size_t nouts;
        char *dl_class, *dl_reason, *dl_stage; /* dead letter if dl_class */
        /* poll thread only */
        size_t next_out;          /* outputs produced so far */
        int pending;              /* outputs not yet acknowledged (+1 guard
                                   * until every output is produced) */
        bool done;
        bool failed;              /* an output could not be delivered */
} job_t;

/* In-order queue of the jobs of one assigned partition. */
typedef struct part_s {
        int32_t partition;
        bool assigned;
        bool eof;
        job_t **q;
        size_t head, cnt, cap;
        size_t nemitted;          /* jobs at the head whose outputs are all
                                   * produced */
        int64_t emitted_offset;   /* offset after the last emitted job
                                   * (exactly once), -1 if none */
} part_t;

struct worker_s;

/* One enrichment thread. */
typedef struct enricher_s {
        struct worker_s *w;
        ink_avro_t *av;
        pthread_t tid;
        bool started;
} enricher_t;

typedef struct worker_s {
        const ink_conf_t *conf;
        rd_kafka_t *rk;           /* consumer */
        rd_kafka_t *rkp;          /* producer */
        rd_kafka_queue_t *rkq;    /* the consumer queue, to wake the poll */
        ink_pipeline_t *pl;
        pthread_rwlock_t pl_lock; /* pl: read while enriching, write to swap */
        part_t *parts;            /* indexed by partition number */
        size_t nparts;
        size_t inflight;          /* jobs in partition queues */
        size_t inflight_bytes;    /* their input bytes (queue.max.bytes) */
        bool paused;
        int64_t hold_since_us;    /* at a limit since (0 = not) */
        bool fatal;
        bool joined;              /* a rebalance has happened */
        size_t assigned;
        int outq_max;             /* producer queue.buffering.max.messages */
        ink_worker_stats_t *stats;
        ink_metrics_t *m;
        /* the pool */
        pthread_mutex_t lock;
        pthread_cond_t cond;
        job_t *wq_head, *wq_tail; /* work queue */
        size_t running_bytes;     /* input bytes being enriched
                                   * (enrich.max.bytes) */
        bool stop;
        enricher_t *enrichers;
        int nthreads;
        /* exactly once */
        bool txn_open;
        bool txn_abort;           /* an output failed: abort and rewind */
        bool closing;             /* leaving the group: nothing to drain */
        int64_t ready_checked_us;
        int64_t txn_started_us;
        size_t txn_records;
} worker_t;

typedef struct out_s {
        job_t *job;
        out_kind_t kind;
        char *type;               /* alert type (owned) */
        struct worker_s *w;
} out_t;

/*---- Jobs -----------------------------------------------------------------*/

/* Frees \p job and everything it owns (the caller has unlinked it). */
static void job_free(job_t *job) {
        for (size_t i = 0; i < job->nouts; i++) {
                free(job->outs[i].topic);
                free(job->outs[i].key);
                free(job->outs[i].type);
                free(job->outs[i].buf);
        }
        free(job->outs);
        free(job->dl_class);
        free(job->dl_reason);
        free(job->dl_stage);
        rd_kafka_message_destroy(job->rkm);
        free(job);
}

/* Appends an output to \p job; \p key, \p buf are copied.
 * @locality pool */
static void job_add_out(job_t *job, out_kind_t kind, const char *topic,
                        const char *key, const char *type, const char *buf,
                        size_t len) {
        outrec_t *o;
        job->outs = ink_realloc(job->outs,
                                (job->nouts + 1) * sizeof(*job->outs));
        o = &job->outs[job->nouts++];
        o->kind = kind;
        o->topic = ink_strdup(topic);
        o->key = ink_strdup(key);
        o->type = type ? ink_strdup(type) : NULL;
        o->buf = ink_malloc(len ? len : 1);
        memcpy(o->buf, buf, len);
        o->len = len;
}

/* Turns \p job into a dead letter: drops any output encoded so far.
 * @locality pool */
static void job_dead(job_t *job, const char *err_class, const char *reason,
                     const char *stage) {
        for (size_t i = 0; i < job->nouts; i++) {
                free(job->outs[i].topic);
                free(job->outs[i].key);
                free(job->outs[i].type);
                free(job->outs[i].buf);
        }
        job->nouts = 0;
        job->dl_class = ink_strdup(err_class);
        job->dl_reason = ink_strdup(reason);
        job->dl_stage = ink_strdup(stage);
}

/* The topic of alert \p al: summit candidates go to the internal events
 * topic, where the novelty processor tells new from repeat; an alert of
 * any other rule goes straight to alerts.<type>.
 * @returns \p conf's topic or \p buf. */
static const char *alert_topic(const ink_conf_t *conf, const ink_alert_t *al,
                               char *buf, size_t size) {
        if (!al->type || !strcmp(al->type, "summit")) {
                if (*conf->events_topic)
                        return conf->events_topic;
                /* not finalized (library use): the default name */
                snprintf(buf, size, "%s-summit-events", conf->group);
                return buf;
        }
        snprintf(buf, size, "alerts.%s", al->type);
        return buf;
}

/* Parses, enriches and encodes the input of \p job with codec \p av.
 * @locality pool */
static void job_run(worker_t *w, ink_avro_t *av, job_t *job) {
        const ink_conf_t *conf = w->conf;
        rd_kafka_message_t *rkm = job->rkm;
        ink_article_t *art = ink_article_new();
        const char *stage = "parse", *buf;
        char errstr[512], topic[256];
        size_t len;
        int64_t t0 = ink_mono_us(), t1;
        ink_rc_t rc;

        errstr[0] = '\0';
        rc = ink_article_parse_json(art, rkm->payload, rkm->len,
                                    (size_t)conf->max_article_bytes, errstr,
                                    sizeof(errstr));
        t1 = ink_mono_us();
        ink_metrics_step(w->m, INK_STEP_PARSE, t1 - t0);
        if (rc != INK_OK) {
                job_dead(job, ink_rc_name(rc), errstr, stage);
                goto out;
        }
        art->ingested_ms = rd_kafka_message_timestamp(rkm, NULL);
        if (art->ingested_ms < 0)
                art->ingested_ms = ink_now_ms();
        if (!conf->no_enrich) {
                pthread_rwlock_rdlock(&w->pl_lock);
                rc = ink_pipeline_run(w->pl, art, &stage, errstr,
                                      sizeof(errstr));
                pthread_rwlock_unlock(&w->pl_lock);
                t0 = ink_mono_us();
                ink_metrics_step(w->m, INK_STEP_ENRICH, t0 - t1);
                if (rc != INK_OK) {
                        job_dead(job, ink_rc_name(rc), errstr, stage);
                        goto out;
                }
        } else {
                art->processed_ms = ink_now_ms();
                t0 = ink_mono_us();
        }
        /* Alerts first: an enriched record never refers to an alert that
         * could not be written. */
        for (size_t i = 0; i < art->nalerts; i++) {
                const ink_alert_t *al = &art->alerts[i];
                rc = ink_avro_encode_alert(av, art, al, &buf, &len, errstr,
                                           sizeof(errstr));
                if (rc != INK_OK) {
                        job_dead(job, ink_rc_name(rc), errstr, "encode");
                        goto out;
                }
                job_add_out(job, OUT_ALERT, alert_topic(conf, al, topic,
                                                        sizeof(topic)),
                            al->event_key, al->type ? al->type : "summit",
                            buf, len);
        }
        rc = ink_avro_encode_article(av, art, &buf, &len, errstr,
                                     sizeof(errstr));
        if (rc != INK_OK) {
                job_dead(job, ink_rc_name(rc), errstr, "encode");
                goto out;
        }
        job_add_out(job, OUT_ENRICHED, conf->output_topic, art->id, NULL, buf,
                    len);
        ink_metrics_step(w->m, INK_STEP_ENCODE, ink_mono_us() - t0);
out:
        ink_article_destroy(art);
}

/*---- The pool -------------------------------------------------------------*/

/* Input size from which an enrichment thread returns its free memory to
 * the system after the job (the work takes about 30 bytes per input
 * byte; trimming costs well under a millisecond). */
#define TRIM_BYTES (256 * 1024)

/* Unlinks and returns the first job of the work queue that fits the
 * enrichment byte budget (enrich.max.bytes): an orphan always (it is only
 * freed), any job when nothing is being enriched (so one article larger
 * than the budget still runs, alone), else one whose input fits beside
 * what is running.  Jobs may leave the work queue out of order: outputs
 * keep their partition order through the partition queues.
 * @returns the job (borrowed: still owned by its partition queue unless
 * orphaned), or NULL if none fits.  @locality pool, under w->lock */
static job_t *pool_take(worker_t *w) {
        size_t budget = (size_t)w->conf->enrich_max_bytes;
        job_t *job, *prev = NULL;

        for (job = w->wq_head; job; prev = job, job = job->next)
                if (job->orphan || !budget || !w->running_bytes ||
                    w->running_bytes + job->bytes <= budget)
                        break;
        if (!job)
                return NULL;
        if (prev)
                prev->next = job->next;
        else
                w->wq_head = job->next;
        if (w->wq_tail == job)
                w->wq_tail = prev;
        job->next = NULL;
        return job;
}

/* The enrichment thread: takes jobs until the pool stops.  A job orphaned
 * meanwhile (its partition was revoked) is freed here, unprocessed or not.
 * @locality pool */
static void *enricher_main(void *arg) {
        enricher_t *en = arg;
        worker_t *w = en->w;
        job_t *job;

        for (;;) {
                pthread_mutex_lock(&w->lock);
                job = NULL;
                while (!w->stop && !(job = pool_take(w)))
                        pthread_cond_wait(&w->cond, &w->lock);
                if (w->stop) {
                        pthread_mutex_unlock(&w->lock);
                        break;
                }
                if (job->orphan) {
                        pthread_mutex_unlock(&w->lock);
                        job_free(job);
                        continue;
                }
                atomic_store(&job->state, JOB_RUNNING);
                w->running_bytes += job->bytes;
                pthread_mutex_unlock(&w->lock);

                job_run(w, en->av, job);
                /* a big article leaves tens of MB free in this thread's
                 * malloc arena, which glibc keeps: give them back, or
                 * every thread keeps the peak of its biggest article */
                if (job->bytes >= TRIM_BYTES)
                        malloc_trim(0);

                pthread_mutex_lock(&w->lock);
                w->running_bytes -= job->bytes;
                /* a job held back by the budget may fit now */
                if (w->wq_head && w->nthreads > 1)
                        pthread_cond_broadcast(&w->cond);
                if (job->orphan) {
                        pthread_mutex_unlock(&w->lock);
                        job_free(job);
                        continue;
                }
                atomic_store_explicit(&job->state, JOB_READY,
                                      memory_order_release);
                pthread_mutex_unlock(&w->lock);
                /* wake the poll thread to produce the outputs */
                rd_kafka_queue_yield(w->rkq);
        }
        return NULL;
}

/* Queues \p job for the enrichment threads. @locality poll thread */
static void pool_push(worker_t *w, job_t *job) {
        pthread_mutex_lock(&w->lock);
        if (w->wq_tail)
                w->wq_tail->next = job;
        else
                w->wq_head = job;
        w->wq_tail = job;
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
}

/* Starts conf->threads enrichment threads (0 = one per online CPU), each
 * with its own codec whose schema ids are copied from \p av0.  Signals are
 * blocked in them (they go to the poll thread).
 * @returns 0 or -1 (logged). */
static int pool_start(worker_t *w, const ink_avro_t *av0) {
        sigset_t all, old;
        char errstr[256];
        int n = w->conf->threads;

        if (n <= 0) {
                long cpus = sysconf(_SC_NPROCESSORS_ONLN);
                n = cpus > 0 ? (int)cpus : 1;
        }
        w->enrichers = ink_calloc((size_t)n, sizeof(*w->enrichers));
        w->nthreads = n;
        ink_metrics_set(w->m, INK_M_THREADS, n);
        for (int i = 0; i < n; i++) {
                w->enrichers[i].w = w;
                if (!(w->enrichers[i].av = ink_avro_new(errstr,
                                                        sizeof(errstr)))) {
                        ink_log(INK_LOG_ERR, "worker", "schemas: %s", errstr);
                        return -1;
                }
                for (int k = 0; k < INK_REC_CNT; k++)
                        ink_avro_set_schema_id(
                                w->enrichers[i].av, (ink_record_t)k,
                                ink_avro_schema_id(av0, (ink_record_t)k));
        }
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        for (int i = 0; i < n; i++) {
                if (pthread_create(&w->enrichers[i].tid, NULL, enricher_main,
                                   &w->enrichers[i])) {
                        ink_log(INK_LOG_ERR, "worker",
                                "cannot start enrichment thread %d", i);
                        break;
                }
                w->enrichers[i].started = true;
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        ink_log(INK_LOG_INFO, "worker", "enrichment threads=%d", n);
        return w->enrichers[n - 1].started ? 0 : -1;
}

/* Stops and joins the enrichment threads (each finishes its current job),
 * then frees the orphans left on the work queue (the other queued jobs
 * are still owned by their partition queues). @locality poll thread */
static void pool_stop(worker_t *w) {
        job_t *job, *next;

        pthread_mutex_lock(&w->lock);
        w->stop = true;
        pthread_cond_broadcast(&w->cond);
        pthread_mutex_unlock(&w->lock);
        for (int i = 0; i < w->nthreads; i++) {
                if (w->enrichers[i].started)
                        pthread_join(w->enrichers[i].tid, NULL);
                w->enrichers[i].started = false;
        }
        for (job = w->wq_head; job; job = next) {
                next = job->next;
                job->next = NULL;
                if (job->orphan)
                        job_free(job);
        }
        w->wq_head = w->wq_tail = NULL;
}

/*---- Partition bookkeeping (poll thread) ----------------------------------*/

static part_t *part_get(worker_t *w, int32_t partition) {
        if ((size_t)partition >= w->nparts) {
                size_t n = (size_t)partition + 1;
                w->parts = ink_realloc(w->parts, n * sizeof(*w->parts));
                memset(w->parts + w->nparts, 0,
                       (n - w->nparts) * sizeof(*w->parts));
                for (size_t i = w->nparts; i < n; i++) {
                        w->parts[i].partition = (int32_t)i;
                        w->parts[i].emitted_offset = -1;
                }
                w->nparts = n;
        }
        return &w->parts[partition];
}

static void part_push(part_t *p, job_t *job) {
        if (p->cnt == p->cap) {
                size_t ncap = p->cap ? p->cap * 2 : 64;
                job_t **nq = ink_malloc(ncap * sizeof(*nq));
                for (size_t i = 0; i < p->cnt; i++)
                        nq[i] = p->q[(p->head + i) % p->cap];
                free(p->q);
                p->q = nq;
                p->cap = ncap;
                p->head = 0;
        }
        p->q[(p->head + p->cnt) % p->cap] = job;
        p->cnt++;
}

static job_t *part_at(part_t *p, size_t i) {
        return p->q[(p->head + i) % p->cap];
}

/* Pops the done jobs at the head of \p p and, in at-least-once mode,
 * stores the offset after the last of them: everything before it has all
 * its outputs acknowledged. */
static void part_advance(worker_t *w, part_t *p) {
        int64_t next = -1;
        job_t *job;

        while (p->cnt && (job = p->q[p->head])->done) {
                if (job->failed) {
                        /* never skip past an input whose outputs were lost:
                         * abort the transaction, or stop (a restart
                         * processes it again) */
                        if (w->conf->exactly_once)
                                w->txn_abort = true;
                        else
                                w->fatal = true;
                        break;
                }
                next = job->rkm->offset + 1;
                p->head = (p->head + 1) % p->cap;
                p->cnt--;
                p->nemitted--;
                w->inflight--;
                w->inflight_bytes -= job->bytes;
                job_free(job);
        }
        if (next >= 0 && !w->conf->exactly_once) {
                rd_kafka_topic_partition_list_t *l =
                        rd_kafka_topic_partition_list_new(1);
                rd_kafka_resp_err_t err;
                rd_kafka_topic_partition_list_add(l, w->conf->input_topic,
                                                  p->partition)
                        ->offset = next;
                err = rd_kafka_offsets_store(w->rk, l);
                if (err)
                        ink_log(INK_LOG_WARNING, "worker",
                                "offset store partition=%d offset=%lld: %s",
                                (int)p->partition, (long long)next,
                                rd_kafka_err2str(err));
                else
                        w->stats->committed++;
                rd_kafka_topic_partition_list_destroy(l);
        }
}

/* Drops the jobs of a partition that is no longer ours.  A job still with
 * an enrichment thread, or with outputs awaiting delivery reports, is
 * orphaned: its last holder frees it. */
static void part_clear(worker_t *w, part_t *p) {
        for (size_t i = 0; p->cnt; i++) {
                job_t *job = p->q[p->head];
                bool emitted = i < p->nemitted, elsewhere;

                w->inflight_bytes -= job->bytes;
                pthread_mutex_lock(&w->lock);
                /* with a thread (or on the work queue), or waiting for
                 * delivery reports */
                elsewhere = atomic_load(&job->state) != JOB_READY ||
                            (emitted && job->pending > 0);
                job->orphan = elsewhere;
                pthread_mutex_unlock(&w->lock);
                if (!elsewhere)
                        job_free(job);
                p->head = (p->head + 1) % p->cap;
                p->cnt--;
                w->inflight--;
        }
        p->nemitted = 0;
        p->assigned = false;
        p->eof = false;
        p->emitted_offset = -1;
}

/* Releases one reference on \p job (an output acknowledged, or the guard
 * after producing). */
static void job_release(worker_t *w, job_t *job) {
        if (--job->pending > 0)
                return;
        job->done = true;
        if (job->orphan) {
                job_free(job);
                return;
        }
        part_advance(w, part_get(w, job->rkm->partition));
}

/*---- Delivery reports and errors (poll thread) ----------------------------*/

static void dr_msg_cb(rd_kafka_t *rkp, const rd_kafka_message_t *rkm,
                      void *opaque) {
        out_t *out = rkm->_private;
        worker_t *w = out->w;
        job_t *job = out->job;

        (void)rkp;
        (void)opaque;
        if (rkm->err) {
                ink_log(INK_LOG_ERR, "worker",
                        "delivery to %s failed for input partition=%d "
                        "offset=%lld: %s",
                        rd_kafka_topic_name(rkm->rkt),
                        (int)job->rkm->partition, (long long)job->rkm->offset,
                        rd_kafka_err2str(rkm->err));
                job->failed = true;
                w->stats->failed++;
                ink_metrics_add(w->m, INK_M_FAILED, 1);
        } else if (out->kind == OUT_ENRICHED) {
                int64_t ts = rd_kafka_message_timestamp(job->rkm, NULL);
                w->stats->enriched++;
                ink_metrics_add(w->m, INK_M_ENRICHED, 1);
                if (ts > 0)
                        ink_metrics_end_to_end(w->m, ink_now_ms() - ts);
        } else if (out->kind == OUT_ALERT) {
                w->stats->alerts++;
                ink_metrics_alert(w->m, out->type ? out->type : "summit");
        } else {
                w->stats->dead_letters++;
                ink_metrics_dead_letter(w->m, out->type ? out->type
                                                        : "unknown");
        }
        free(out->type);
        free(out);
        job_release(w, job);
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason,
                     void *opaque) {
        worker_t *w = opaque;

        if (err == RD_KAFKA_RESP_ERR__FATAL) {
                char buf[512];
                rd_kafka_resp_err_t orig =
                        rd_kafka_fatal_error(rk, buf, sizeof(buf));
                ink_log(INK_LOG_ERR, "worker", "fatal Kafka error %s: %s",
                        rd_kafka_err2name(orig), buf);
                w->fatal = true;
        } else if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION) {
                ink_log(INK_LOG_ERR, "worker",
                        "authentication failed: %s", reason);
                w->fatal = true;
        } else {
                ink_log(INK_LOG_WARNING, "worker", "%s: %s",
                        rd_kafka_err2name(err), reason);
        }
}

/* librdkafka statistics of the consumer: consumer lag per partition. */
static int stats_cb(rd_kafka_t *rk, char *json, size_t len, void *opaque) {
        worker_t *w = opaque;
        (void)rk;
        ink_metrics_stats_json(w->m, w->conf->input_topic, json, len);
        return 0; /* librdkafka frees json */
}

/*---- Producing (poll thread) ----------------------------------------------*/

static out_t *out_new(worker_t *w, job_t *job, out_kind_t kind,
                      const char *type) {
        out_t *out = ink_malloc(sizeof(*out));
        out->w = w;
        out->job = job;
        out->kind = kind;
        out->type = type ? ink_strdup(type) : NULL;
        job->pending++;
        return out;
}

static void out_drop(out_t *out) {
        out->job->pending--;
        free(out->type);
        free(out);
}

/* Sends the input of \p job to the dead-letter topic. */
static void send_dead_letter(worker_t *w, job_t *job, const char *err_class,
                             const char *reason, const char *stage) {
        out_t *out = out_new(w, job, OUT_DLQ, err_class);
        rd_kafka_resp_err_t err;

        ink_log(INK_LOG_INFO, "worker",
                "dead letter partition=%d offset=%lld class=%s stage=%s: %s",
                (int)job->rkm->partition, (long long)job->rkm->offset,
                err_class, stage, reason);
        err = ink_dlq_produce(w->rkp, w->conf->dlq_topic, job->rkm,
                              err_class, reason, stage, out);
        if (err) {
                ink_log(INK_LOG_ERR, "worker",
                        "cannot produce dead letter for partition=%d "
                        "offset=%lld: %s",
                        (int)job->rkm->partition, (long long)job->rkm->offset,
                        rd_kafka_err2str(err));
                job->failed = true;
                w->stats->failed++;
                ink_metrics_add(w->m, INK_M_FAILED, 1);
                out_drop(out);
        }
}

/* Produces the outputs of a READY job, from job->next_out on.
 * @returns false if the producer queue is full (retry later; what was
 * produced stays produced), true when the job is fully emitted. */
static bool job_emit(worker_t *w, job_t *job) {
        char reason[512];

        if (job->dl_class) {
                if (rd_kafka_outq_len(w->rkp) >= w->outq_max)
                        return false;
                send_dead_letter(w, job, job->dl_class, job->dl_reason,
                                 job->dl_stage);
                return true;
        }
        while (job->next_out < job->nouts) {
                outrec_t *o = &job->outs[job->next_out];
                out_t *out = out_new(w, job, o->kind, o->type);
                /* librdkafka takes the buffer (F_FREE) on success: no
                 * second copy of a record that can be megabytes */
                rd_kafka_resp_err_t err = rd_kafka_producev(
                        w->rkp, RD_KAFKA_V_TOPIC(o->topic),
                        RD_KAFKA_V_KEY(o->key, strlen(o->key)),
                        RD_KAFKA_V_VALUE(o->buf, o->len),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE),
                        RD_KAFKA_V_OPAQUE(out), RD_KAFKA_V_END);
                if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                        out_drop(out);
                        return false;
                }
                if (err) {
                        /* a local error: the input becomes a dead letter */
                        out_drop(out);
                        snprintf(reason, sizeof(reason),
                                 "cannot produce %zu-byte record to %s: %s",
                                 o->len, o->topic, rd_kafka_err2str(err));
                        send_dead_letter(
                                w, job,
                                err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE
                                        ? "output_too_large"
                                        : "output_failed",
                                reason, "produce");
                        job->next_out = job->nouts;
                        return true;
                }
                o->buf = NULL; /* owned by librdkafka now */
                job->next_out++;
        }
        return true;
}

/* Produces the outputs of every READY job at the front of each partition,
 * in partition order, until a job is not ready or the producer queue is
 * full. */
static int txn_begin(worker_t *w);

static void emit_ready(worker_t *w) {
        if (w->conf->exactly_once && txn_begin(w))
                return;
        for (size_t i = 0; i < w->nparts; i++) {
                part_t *p = &w->parts[i];
                while (p->nemitted < p->cnt) {
                        job_t *job = part_at(p, p->nemitted);
                        if (atomic_load_explicit(&job->state,
                                                 memory_order_acquire) !=
                            JOB_READY)
                                break;
                        if (!job_emit(w, job))
                                return;
                        p->nemitted++;
                        p->emitted_offset = job->rkm->offset + 1;
                        w->txn_records++;
                        job_release(w, job); /* the guard */
                }
        }
        rd_kafka_poll(w->rkp, 0);
}

/*---- Exactly once: transactions (poll thread) ----------------------------*/

/* Handles a transactional error: @returns 1 to abort and rewind, 2 to
 * retry the call, or -1 if fatal (w->fatal is set). Destroys \p error. */
static int txn_error(worker_t *w, const char *what, rd_kafka_error_t *error) {
        int r;
        ink_log(INK_LOG_WARNING, "worker", "%s: %s", what,
                rd_kafka_error_string(error));
        if (rd_kafka_error_is_fatal(error)) {
                w->fatal = true;
                r = -1;
        } else if (rd_kafka_error_txn_requires_abort(error)) {
                r = 1;
        } else if (rd_kafka_error_is_retriable(error)) {
                r = 2;
        } else {
                r = 1;
        }
        rd_kafka_error_destroy(error);
        return r;
}

/* Opens a transaction if none is. @returns 0 or -1 (fatal). */
static int txn_begin(worker_t *w) {
        rd_kafka_error_t *error;
        if (w->txn_open)
                return 0;
        if ((error = rd_kafka_begin_transaction(w->rkp))) {
                ink_log(INK_LOG_ERR, "worker", "begin transaction: %s",
                        rd_kafka_error_string(error));
                rd_kafka_error_destroy(error);
                w->fatal = true;
                return -1;
        }
        w->txn_open = true;
        w->txn_started_us = ink_mono_us();
        w->txn_records = 0;
        return 0;
}

/* Aborts the open transaction and rewinds the consumer to the committed
 * offsets of every assigned partition: their jobs are dropped and will be
 * consumed and processed again. */
static void txn_abort_rewind(worker_t *w) {
        rd_kafka_topic_partition_list_t *l = NULL;
        rd_kafka_error_t *error;

        /* librdkafka 2.0.2 may fail an abort right after produce without a
         * flush: deliver (or fail) what is queued first */
        rd_kafka_flush(w->rkp, 10000);
        if ((error = rd_kafka_abort_transaction(w->rkp, 30000))) {
                ink_log(INK_LOG_ERR, "worker", "abort transaction: %s",
                        rd_kafka_error_string(error));
                if (rd_kafka_error_is_fatal(error))
                        w->fatal = true;
                rd_kafka_error_destroy(error);
        }
        w->txn_open = false;
        w->txn_abort = false;
        ink_metrics_add(w->m, INK_M_TXN_ABORTS, 1);
        rd_kafka_poll(w->rkp, 0);
        for (size_t i = 0; i < w->nparts; i++) {
                if (!w->parts[i].assigned)
                        continue;
                part_clear(w, &w->parts[i]);
                w->parts[i].assigned = true;
        }
        if (rd_kafka_assignment(w->rk, &l) || !l)
                return;
        if (!rd_kafka_committed(w->rk, l, 10000)) {
                for (int i = 0; i < l->cnt; i++)
                        if (l->elems[i].offset < 0)
                                l->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
                if ((error = rd_kafka_seek_partitions(w->rk, l, 10000))) {
                        ink_log(INK_LOG_ERR, "worker", "rewind: %s",
                                rd_kafka_error_string(error));
                        rd_kafka_error_destroy(error);
                        w->fatal = true;
                }
        } else {
                ink_log(INK_LOG_ERR, "worker",
                        "rewind: cannot read committed offsets");
                w->fatal = true;
        }
        rd_kafka_topic_partition_list_destroy(l);
}

/* Commits the open transaction: the outputs of every emitted job and the
 * input offsets after them.  Abortable errors abort and rewind; retriable
 * ones retry; fatal ones stop the worker. */
static void txn_commit(worker_t *w) {
        rd_kafka_topic_partition_list_t *offs;
        rd_kafka_consumer_group_metadata_t *cgmd;
        rd_kafka_error_t *error;
        int r;

        if (!w->txn_open)
                return;
        if (w->txn_abort) {
                txn_abort_rewind(w);
                return;
        }
        offs = rd_kafka_topic_partition_list_new((int)w->nparts);
        for (size_t i = 0; i < w->nparts; i++)
                if (w->parts[i].assigned && w->parts[i].emitted_offset >= 0)
                        rd_kafka_topic_partition_list_add(
                                offs, w->conf->input_topic,
                                w->parts[i].partition)
                                ->offset = w->parts[i].emitted_offset;
        cgmd = rd_kafka_consumer_group_metadata(w->rk);
        for (;;) {
                error = offs->cnt ? rd_kafka_send_offsets_to_transaction(
                                            w->rkp, offs, cgmd, 30000)
                                  : NULL;
                if (!error)
                        error = rd_kafka_commit_transaction(w->rkp, 30000);
                if (!error) {
                        w->txn_open = false;
                        w->stats->committed += (uint64_t)offs->cnt;
                        ink_metrics_add(w->m, INK_M_TXN_COMMITS, 1);
                        for (size_t i = 0; i < w->nparts; i++)
                                w->parts[i].emitted_offset = -1;
                        break;
                }
                r = txn_error(w, "commit transaction", error);
                if (r == 2 && ink_run)
                        continue;
                if (r >= 1)
                        txn_abort_rewind(w);
                break;
        }
        rd_kafka_consumer_group_metadata_destroy(cgmd);
        rd_kafka_topic_partition_list_destroy(offs);
        rd_kafka_poll(w->rkp, 0);
}

/*---- Rebalance (poll thread) ----------------------------------------------*/

/* Produces and waits for the outputs of the jobs of the partitions in
 * \p parts (every partition if NULL) until they are done or
 * \p timeout_ms passes. */
static void drain(worker_t *w, const rd_kafka_topic_partition_list_t *parts,
                  int timeout_ms) {
        int64_t deadline = ink_mono_us() + (int64_t)timeout_ms * 1000;
        while (ink_mono_us() < deadline && !w->fatal) {
                size_t left = 0;
                if (parts) {
                        for (int i = 0; i < parts->cnt; i++)
                                left += part_get(w, parts->elems[i].partition)
                                                ->cnt;
                } else {
                        left = w->inflight;
                }
                if (!left)
                        break;
                emit_ready(w);
                rd_kafka_poll(w->rkp, 5);
        }
}

/* Commits the stored offsets, waiting at most \p timeout_ms for the
 * result (a coordinator that is down must not hold up a revocation or the
 * shutdown bound; librdkafka retries the commit itself on unassign and
 * close). */
static void commit_sync(worker_t *w, int timeout_ms) {
        rd_kafka_queue_t *q = rd_kafka_queue_new(w->rk);
        rd_kafka_event_t *ev = NULL;
        rd_kafka_resp_err_t err;

        err = rd_kafka_commit_queue(w->rk, NULL, q, NULL, NULL);
        if (!err) {
                ev = rd_kafka_queue_poll(q, timeout_ms > 0 ? timeout_ms : 1);
                err = ev ? rd_kafka_event_error(ev)
                         : RD_KAFKA_RESP_ERR__TIMED_OUT;
        }
        /* During a cooperative rebalance the broker may refuse the commit;
         * librdkafka's auto-commit then commits the stored offsets itself
         * before the partitions are unassigned. */
        if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
                ink_log(err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS
                                ? INK_LOG_INFO
                                : INK_LOG_WARNING,
                        "worker", "commit: %s", rd_kafka_err2str(err));
        if (ev)
                rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(q);
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts,
                         void *opaque) {
        worker_t *w = opaque;
        bool cooperative = !strcmp(rd_kafka_rebalance_protocol(rk),
                                   "COOPERATIVE");
        rd_kafka_error_t *error = NULL;
        rd_kafka_resp_err_t ret = RD_KAFKA_RESP_ERR_NO_ERROR;

        w->joined = true;
        ink_metrics_add(w->m, INK_M_REBALANCES, 1);
        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
                for (int i = 0; i < parts->cnt; i++) {
                        part_t *p = part_get(w, parts->elems[i].partition);
                        if (!p->assigned)
                                w->assigned++;
                        p->assigned = true;
                        p->eof = false;
                }
                ink_log(INK_LOG_INFO, "worker", "assigned %d partition(s)",
                        parts->cnt);
                if (cooperative)
                        error = rd_kafka_incremental_assign(rk, parts);
                else
                        ret = rd_kafka_assign(rk, parts);
                /* a paused worker stays paused for new partitions too;
                 * librdkafka keeps a partition's pause flag across
                 * assignments, so a partition paused when it was revoked
                 * (or lost) must be resumed explicitly */
                if (w->paused)
                        rd_kafka_pause_partitions(rk, parts);
                else
                        rd_kafka_resume_partitions(rk, parts);
        } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
                bool lost = rd_kafka_assignment_lost(rk);
                ink_log(INK_LOG_INFO, "worker", "revoked %d partition(s)%s",
                        parts->cnt, lost ? " (lost)" : "");
                if (w->closing) {
                        /* shutdown has drained and committed already */
                } else if (w->conf->exactly_once) {
                        /* finish the partitions' work inside the open
                         * transaction and commit it with their offsets */
                        if (!lost)
                                drain(w, parts, w->conf->shutdown_timeout_ms);
                        if (lost && w->txn_open)
                                txn_abort_rewind(w);
                        else
                                txn_commit(w);
                } else if (!lost) {
                        /* commit what is done before the partitions go */
                        drain(w, parts, w->conf->shutdown_timeout_ms);
                        commit_sync(w, 5000);
                }
                for (int i = 0; i < parts->cnt; i++) {
                        part_t *p = part_get(w, parts->elems[i].partition);
                        if (p->assigned)
                                w->assigned--;
                        part_clear(w, p);
                }
                if (cooperative)
                        error = rd_kafka_incremental_unassign(rk, parts);
                else
                        ret = rd_kafka_assign(rk, NULL);
        } else {
                ink_log(INK_LOG_ERR, "worker", "rebalance error: %s",
                        rd_kafka_err2str(err));
                ret = rd_kafka_assign(rk, NULL);
        }
        if (error) {
                ink_log(INK_LOG_ERR, "worker", "incremental assignment: %s",
                        rd_kafka_error_string(error));
                rd_kafka_error_destroy(error);
        } else if (ret) {
                ink_log(INK_LOG_ERR, "worker", "assignment: %s",
                        rd_kafka_err2str(ret));
        }
}

/*---- Backpressure, readiness and end of input (poll thread) ---------------*/

static void set_paused(worker_t *w, bool pause) {
        rd_kafka_topic_partition_list_t *l = NULL;

        if (w->paused == pause || rd_kafka_assignment(w->rk, &l))
                return;
        if (pause)
                rd_kafka_pause_partitions(w->rk, l);
        else
                rd_kafka_resume_partitions(w->rk, l);
        rd_kafka_topic_partition_list_destroy(l);
        w->paused = pause;
        ink_metrics_set(w->m, INK_M_PAUSED, pause);
        ink_log(INK_LOG_DEBUG, "worker", "%s input (%zu in flight)",
                pause ? "paused" : "resumed", w->inflight);
}

/* Pauses the input while queue.max jobs or queue.max.bytes input bytes
 * are in flight or the producer queue is 80% full; resumes when all are
 * at half. */
/* At a limit the worker first holds: it stops taking input for up to
 * HOLD_US while outputs are acknowledged (the usual case: a few
 * milliseconds).  Only a longer stall (a slow or absent broker) pauses the
 * partitions, because a pause drops librdkafka's prefetched messages and
 * the resume has to fetch them again. */
#define HOLD_US 1000000

static bool over_limit(worker_t *w, size_t outq) {
        size_t omax = (size_t)w->outq_max;
        size_t bmax = (size_t)w->conf->queue_max_bytes;
        return w->inflight >= (size_t)w->conf->queue_max ||
               (bmax && w->inflight_bytes >= bmax) ||
               outq >= omax - omax / 5;
}

/* @returns true while the poll loop should not take new input. */
static bool backpressure(worker_t *w) {
        size_t outq = (size_t)rd_kafka_outq_len(w->rkp);
        size_t qmax = (size_t)w->conf->queue_max;
        size_t bmax = (size_t)w->conf->queue_max_bytes;
        size_t omax = (size_t)w->outq_max;
        int64_t now;

        ink_metrics_set(w->m, INK_M_OUTQ, (int64_t)outq);
        ink_metrics_set(w->m, INK_M_INFLIGHT, (int64_t)w->inflight);
        if (!over_limit(w, outq)) {
                w->hold_since_us = 0;
                if (w->paused && w->inflight <= qmax / 2 &&
                    (!bmax || w->inflight_bytes <= bmax / 2) &&
                    outq <= omax / 2)
                        set_paused(w, false);
                return false;
        }
        if (w->paused)
                return false; /* polling a paused consumer takes nothing */
        now = ink_mono_us();
        if (!w->hold_since_us)
                w->hold_since_us = now;
        if (now - w->hold_since_us < HOLD_US)
                return true;
        set_paused(w, true);
        return false;
}

static void update_ready(worker_t *w) {
        int64_t now = ink_mono_us();
        bool producer_up;

        ink_metrics_set(w->m, INK_M_ASSIGNED, (int64_t)w->assigned);
        if (now - w->ready_checked_us < 1000000)
                return;
        w->ready_checked_us = now;
        /* the producer knows the cluster once it has connected */
        producer_up = rd_kafka_controllerid(w->rkp, 0) >= 0;
        ink_metrics_set_ready(w->m, producer_up && w->joined);
}

static bool all_drained(worker_t *w) {
        size_t assigned = 0;
        if (w->inflight)
                return false;
        for (size_t i = 0; i < w->nparts; i++) {
                if (!w->parts[i].assigned)
                        continue;
                assigned++;
                if (!w->parts[i].eof)
                        return false;
        }
        return assigned > 0;
}

/* Rebuilds the pipeline (models, rules, gazetteers) and swaps it in once
 * the jobs being enriched have finished; on failure the old one stays. */
static void reload_pipeline(worker_t *w) {
        char errstr[512];
        ink_pipeline_t *npl, *old;

        if (w->conf->no_enrich)
                return;
        ink_log(INK_LOG_NOTICE, "worker", "SIGHUP: rebuilding the pipeline");
        ink_rules_set_file(w->conf->rules_file);
        if (!(npl = ink_pipeline_new(errstr, sizeof(errstr)))) {
                ink_log(INK_LOG_ERR, "worker",
                        "reload failed, keeping the current pipeline: %s",
                        errstr);
                return;
        }
        pthread_rwlock_wrlock(&w->pl_lock);
        old = w->pl;
        w->pl = npl;
        pthread_rwlock_unlock(&w->pl_lock);
        ink_pipeline_destroy(old);
        ink_metrics_add(w->m, INK_M_RELOADS, 1);
        ink_log(INK_LOG_NOTICE, "worker", "pipeline reloaded");
}

static void on_sighup(int sig) {
        (void)sig;
        reload_requested = 1;
}

/*---- Setup ------------------------------------------------------------------*/

static int set_or_fail(rd_kafka_conf_t *kc, const char *k, const char *v) {
        char errstr[256];
        if (rd_kafka_conf_set(kc, k, v, errstr, sizeof(errstr)) ==
            RD_KAFKA_CONF_OK)
                return 0;
        ink_log(INK_LOG_ERR, "worker", "%s: %s", k, errstr);
        return -1;
}

/* @returns the value of librdkafka property \p k set by the user
 * (kafka.<k>), or NULL. */
static const char *user_kafka(const ink_conf_t *conf, const char *k) {
        for (size_t i = 0; i < conf->nkafka; i++)
                if (!strcmp(conf->kafka[i].key, k))
                        return conf->kafka[i].value;
        return NULL;
}

/* Sets \p k unless the user configured it (kafka.<k>). */
static int set_default(const ink_conf_t *conf, rd_kafka_conf_t *kc,
                       const char *k, const char *v) {
        if (user_kafka(conf, k))
                return 0;
        return set_or_fail(kc, k, v);
}

static rd_kafka_t *make_consumer(worker_t *w) {
        const ink_conf_t *conf = w->conf;
        char errstr[512], num[32];
        rd_kafka_conf_t *kc = ink_conf_kafka(conf, errstr, sizeof(errstr));
        rd_kafka_t *rk;
        bool eos = conf->exactly_once;

        if (!kc) {
                ink_log(INK_LOG_ERR, "worker", "%s", errstr);
                return NULL;
        }
        snprintf(num, sizeof(num), "%d", conf->commit_interval_ms);
        if (set_or_fail(kc, "group.id", conf->group) ||
            set_default(conf, kc, "partition.assignment.strategy",
                        "cooperative-sticky") ||
            set_default(conf, kc, "auto.offset.reset", "earliest") ||
            set_or_fail(kc, "enable.auto.offset.store", "false") ||
            (eos ? set_or_fail(kc, "enable.auto.commit", "false")
                 : set_default(conf, kc, "enable.auto.commit", "true")) ||
            set_default(conf, kc, "auto.commit.interval.ms", num) ||
            set_or_fail(kc, "enable.partition.eof", "true") ||
            (*conf->metrics_addr &&
             set_default(conf, kc, "statistics.interval.ms", "5000"))) {
                rd_kafka_conf_destroy(kc);
                return NULL;
        }
        rd_kafka_conf_set_rebalance_cb(kc, rebalance_cb);
        rd_kafka_conf_set_error_cb(kc, error_cb);
        rd_kafka_conf_set_stats_cb(kc, stats_cb);
        rd_kafka_conf_set_opaque(kc, w);
        rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, errstr, sizeof(errstr));
        if (!rk) {
                ink_log(INK_LOG_ERR, "worker", "consumer: %s", errstr);
                rd_kafka_conf_destroy(kc);
                return NULL;
        }
        kc = NULL; /* owned by rk */
        rd_kafka_poll_set_consumer(rk);
        return rk;
}

/* The transactional.id of this worker: kafka.transactional.id if set,
 * else "<group>-<group.instance.id>" with static membership, else
 * "<group>-<hostname>-<pid>".  A restarted worker with the same id fences
 * its predecessor's open transaction; one with a new id cannot, and a
 * predecessor's transaction stays open until transaction.timeout.ms.
 * Writes into \p buf. */
static void transactional_id(const ink_conf_t *conf, char *buf,
                             size_t size) {
        const char *tid = user_kafka(conf, "transactional.id");
        const char *inst = user_kafka(conf, "group.instance.id");
        char host[128] = "host";

        if (tid) {
                snprintf(buf, size, "%s", tid);
                return;
        }
        if (inst) {
                snprintf(buf, size, "%s-%s", conf->group, inst);
                return;
        }
        gethostname(host, sizeof(host) - 1);
        snprintf(buf, size, "%s-%s-%ld", conf->group, host, (long)getpid());
}

static rd_kafka_t *make_producer(worker_t *w) {
        const ink_conf_t *conf = w->conf;
        char errstr[512], tid[512];
        rd_kafka_conf_t *kc = ink_conf_kafka(conf, errstr, sizeof(errstr));
        rd_kafka_t *rkp;

        if (!kc) {
                ink_log(INK_LOG_ERR, "worker", "%s", errstr);
                return NULL;
        }
        transactional_id(conf, tid, sizeof(tid));
        if (set_default(conf, kc, "enable.idempotence", "true") ||
            set_default(conf, kc, "linger.ms", "5") ||
            set_default(conf, kc, "compression.type", "lz4") ||
            (conf->exactly_once &&
             set_or_fail(kc, "transactional.id", tid))) {
                rd_kafka_conf_destroy(kc);
                return NULL;
        }
        rd_kafka_conf_set_dr_msg_cb(kc, dr_msg_cb);
        rd_kafka_conf_set_error_cb(kc, error_cb);
        rd_kafka_conf_set_opaque(kc, w);
        rkp = rd_kafka_new(RD_KAFKA_PRODUCER, kc, errstr, sizeof(errstr));
        if (!rkp) {
                ink_log(INK_LOG_ERR, "worker", "producer: %s", errstr);
                rd_kafka_conf_destroy(kc);
                return NULL;
        }
        if (conf->exactly_once) {
                rd_kafka_error_t *error =
                        rd_kafka_init_transactions(rkp, 60000);
                if (error) {
                        ink_log(INK_LOG_ERR, "worker",
                                "init transactions (transactional.id=%s): %s",
                                tid, rd_kafka_error_string(error));
                        rd_kafka_error_destroy(error);
                        rd_kafka_destroy(rkp);
                        return NULL;
                }
                ink_log(INK_LOG_INFO, "worker",
                        "exactly once: transactional.id=%s", tid);
        }
        return rkp;
}

/* Looks up the output topics with the producer before any input comes:
 * without it the first records wait for the topics' metadata and leader
 * connection (most of a second), and with queue.max records held in
 * flight meanwhile the whole input stalls.  A topic that cannot be looked
 * up within 3 s is left to the first produce, as are the topics after
 * it (a broker that does not answer, or refuses our credentials, should
 * not delay start-up by more than that).
 * @locality poll thread, at start-up */
static void producer_warm(worker_t *w) {
        const char *topics[] = {w->conf->output_topic, w->conf->dlq_topic,
                                w->conf->events_topic};

        for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
                const struct rd_kafka_metadata *md = NULL;
                rd_kafka_topic_t *rkt;
                rd_kafka_resp_err_t err;

                if (!topics[i] || !*topics[i])
                        continue;
                rkt = rd_kafka_topic_new(w->rkp, topics[i], NULL);
                if (!rkt)
                        continue;
                err = rd_kafka_metadata(w->rkp, 0, rkt, &md, 3000);
                if (md)
                        rd_kafka_metadata_destroy(md);
                rd_kafka_topic_destroy(rkt);
                rd_kafka_poll(w->rkp, 0); /* serve error_cb */
                if (err) {
                        /* the broker is not answering (or refuses us):
                         * the main loop reports it; start without
                         * waiting for the other topics */
                        ink_log(INK_LOG_DEBUG, "worker",
                                "metadata of %s: %s", topics[i],
                                rd_kafka_err2str(err));
                        break;
                }
        }
}

/* Reads queue.buffering.max.messages of the producer. */
static int producer_queue_max(rd_kafka_t *rkp) {
        char buf[64];
        size_t sz = sizeof(buf);
        long v;
        if (rd_kafka_conf_get(rd_kafka_conf(rkp),
                              "queue.buffering.max.messages", buf, &sz) !=
            RD_KAFKA_CONF_OK)
                return 100000;
        v = strtol(buf, NULL, 10);
        return v > 10 ? (int)v : 10;
}

/* Closes the consumer (commit on leave, leave the group) within
 * \p timeout_ms; past it the handle is destroyed without closing. */
static void close_consumer(worker_t *w, int timeout_ms) {
        int64_t deadline = ink_mono_us() + (int64_t)timeout_ms * 1000;
        rd_kafka_queue_t *q = rd_kafka_queue_new(w->rk);
        rd_kafka_error_t *error = rd_kafka_consumer_close_queue(w->rk, q);
        int flags = 0;

        w->closing = true;
        if (error) {
                ink_log(INK_LOG_WARNING, "worker", "close: %s",
                        rd_kafka_error_string(error));
                rd_kafka_error_destroy(error);
                flags = RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE;
        } else {
                while (!rd_kafka_consumer_closed(w->rk)) {
                        rd_kafka_event_t *ev;
                        if (ink_mono_us() >= deadline) {
                                ink_log(INK_LOG_WARNING, "worker",
                                        "leaving the group timed out");
                                flags = RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE;
                                break;
                        }
                        if (!(ev = rd_kafka_queue_poll(q, 50)))
                                continue;
                        if (rd_kafka_event_type(ev) ==
                            RD_KAFKA_EVENT_REBALANCE)
                                rebalance_cb(
                                        w->rk, rd_kafka_event_error(ev),
                                        rd_kafka_event_topic_partition_list(
                                                ev),
                                        w);
                        rd_kafka_event_destroy(ev);
                }
        }
        rd_kafka_queue_destroy(q);
        rd_kafka_destroy_flags(w->rk, flags);
        w->rk = NULL;
}

/*---- The loop --------------------------------------------------------------*/

/* Takes the input \p rkm (ownership) as a new job. */
static void take_input(worker_t *w, rd_kafka_message_t *rkm) {
        job_t *job = ink_calloc(1, sizeof(*job));
        part_t *p = part_get(w, rkm->partition);

        job->rkm = rkm;
        job->bytes = rkm->len;
        job->pending = 1; /* guard until every output is produced */
        atomic_init(&job->state, JOB_QUEUED);
        p->eof = false;
        part_push(p, job);
        w->inflight++;
        w->inflight_bytes += job->bytes;
        w->stats->consumed++;
        ink_metrics_add(w->m, INK_M_CONSUMED, 1);
        pool_push(w, job);
}

/* Finishes in-flight work within the shutdown bound: stop fetching,
 * produce and deliver what is being processed, commit. */
static void shutdown_drain(worker_t *w, int64_t deadline_us) {
        /* a fifth of the bound is kept for the commit and leaving */
        int64_t reserve_ms = w->conf->shutdown_timeout_ms / 5, left_ms;

        set_paused(w, true);
        left_ms = (deadline_us - ink_mono_us()) / 1000 - reserve_ms;
        drain(w, NULL, left_ms > 0 ? (int)left_ms : 0);
        if (w->fatal)
                return;
        left_ms = (deadline_us - ink_mono_us()) / 1000 - reserve_ms / 2;
        if (w->conf->exactly_once)
                txn_commit(w);
        else
                commit_sync(w, left_ms > 200 ? (int)left_ms : 200);
}

int ink_worker_run(const ink_conf_t *conf, ink_worker_stats_t *stats) {
        worker_t w = {.conf = conf, .stats = stats};
        rd_kafka_topic_partition_list_t *topics = NULL;
        ink_avro_t *av0 = NULL;
        struct sigaction sa;
        char errstr[512];
        int ret = 1;
        int64_t deadline_us = 0;
        bool holding = false;     /* at a limit: take no input */
        rd_kafka_resp_err_t err;

        memset(stats, 0, sizeof(*stats));
        /* Blocks of 128 KB and more (an article's token and entity
         * arrays, big arena blocks, encoded records) get pages of their
         * own, given back when freed.  glibc's default threshold rises to
         * the largest block freed (up to 32 MB), after which such blocks
         * land in the heaps of the threads and their memory stays with
         * the process: 110 MB of peak RSS against 94 draining 1 MB
         * articles.  An operator's MALLOC_MMAP_THRESHOLD_ wins. */
        if (!getenv("MALLOC_MMAP_THRESHOLD_"))
                mallopt(M_MMAP_THRESHOLD, 128 * 1024);
        pthread_mutex_init(&w.lock, NULL);
        pthread_cond_init(&w.cond, NULL);
        pthread_rwlock_init(&w.pl_lock, NULL);
        w.m = ink_metrics_new();
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_sighup;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGHUP, &sa, NULL);

        /* Start-up, in order: schemas, enrichment, metrics, Kafka, threads.
         * Schema ids set on av0 (e.g. by a schema registry) are copied to
         * every thread's codec by pool_start(). */
        if (!(av0 = ink_avro_new(errstr, sizeof(errstr))) ||
            ink_schemas_setup(conf, av0, true, errstr, sizeof(errstr))) {
                ink_log(INK_LOG_ERR, "worker", "schemas: %s", errstr);
                goto out;
        }
        ink_rules_set_file(conf->rules_file);
        if (!conf->no_enrich &&
            !(w.pl = ink_pipeline_new(errstr, sizeof(errstr)))) {
                ink_log(INK_LOG_ERR, "worker", "enrichment: %s", errstr);
                goto out;
        }
        if (*conf->metrics_addr) {
                if (ink_metrics_listen(w.m, conf->metrics_addr, errstr,
                                       sizeof(errstr)))
                        ink_log(INK_LOG_WARNING, "worker",
                                "metrics off: %s", errstr);
                else
                        ink_log(INK_LOG_INFO, "worker",
                                "metrics on %s (port %d)", conf->metrics_addr,
                                ink_metrics_port(w.m));
        }
        if (!(w.rkp = make_producer(&w)) || !(w.rk = make_consumer(&w)))
                goto out;
        w.outq_max = producer_queue_max(w.rkp);
        producer_warm(&w);
        w.rkq = rd_kafka_queue_get_consumer(w.rk);
        if (pool_start(&w, av0))
                goto out;
        topics = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(topics, conf->input_topic,
                                          RD_KAFKA_PARTITION_UA);
        if ((err = rd_kafka_subscribe(w.rk, topics))) {
                ink_log(INK_LOG_ERR, "worker", "subscribe to %s: %s",
                        conf->input_topic, rd_kafka_err2str(err));
                goto out;
        }
        ink_log(INK_LOG_INFO, "worker",
                "consuming %s as group %s -> %s, %s, dead letters %s%s",
                conf->input_topic, conf->group, conf->output_topic,
                conf->alerts_topic, conf->dlq_topic,
                conf->exactly_once ? " (exactly once)" : "");

        while (ink_run && !w.fatal) {
                rd_kafka_message_t *rkm;
                if (conf->exactly_once && txn_begin(&w))
                        break;
                if (w.txn_abort)
                        txn_abort_rewind(&w);
                if (holding) {
                        /* serve delivery reports instead of input */
                        rd_kafka_poll(w.rkp, 1);
                        rkm = NULL;
                } else {
                        rkm = rd_kafka_consumer_poll(w.rk,
                                                     w.inflight ? 10 : 100);
                }
                if (rkm && rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                        part_get(&w, rkm->partition)->eof = true;
                        rd_kafka_message_destroy(rkm);
                } else if (rkm && rkm->err) {
                        ink_log(INK_LOG_WARNING, "worker", "consume: %s",
                                rd_kafka_message_errstr(rkm));
                        rd_kafka_message_destroy(rkm);
                } else if (rkm) {
                        take_input(&w, rkm); /* takes ownership of rkm */
                }
                emit_ready(&w);
                if (conf->exactly_once && w.txn_open &&
                    (w.txn_records >= 1000 ||
                     (w.txn_records > 0 &&
                      ink_mono_us() - w.txn_started_us >= 100000)))
                        txn_commit(&w);
                holding = backpressure(&w);
                update_ready(&w);
                if (reload_requested) {
                        reload_requested = 0;
                        reload_pipeline(&w);
                }
                if (conf->exit_on_eof && all_drained(&w))
                        break;
        }
        /* shutdown: stop fetching, finish in-flight work, commit */
        deadline_us = ink_mono_us() +
                      (int64_t)conf->shutdown_timeout_ms * 1000;
        ink_metrics_set_ready(w.m, false);
        if (!ink_run)
                ink_log(INK_LOG_NOTICE, "worker",
                        "stopping: %zu input(s) in flight", w.inflight);
        shutdown_drain(&w, deadline_us);
        ret = w.fatal ? 1 : 0;
        if (w.inflight)
                ink_log(INK_LOG_WARNING, "worker",
                        "%zu input(s) still in flight at exit: not committed,"
                        " they will be processed again", w.inflight);
out:
        ink_metrics_set_live(w.m, false);
        if (topics)
                rd_kafka_topic_partition_list_destroy(topics);
        if (w.enrichers)
                pool_stop(&w);
        if (w.rkp) {
                /* outputs still queued are abandoned: their delivery
                 * reports fail the jobs, whose offsets are never stored */
                if (w.txn_open) {
                        rd_kafka_error_t *error;
                        rd_kafka_flush(w.rkp, 1000);
                        if ((error = rd_kafka_abort_transaction(w.rkp,
                                                                5000)))
                                rd_kafka_error_destroy(error);
                }
                rd_kafka_purge(w.rkp, RD_KAFKA_PURGE_F_QUEUE |
                                              RD_KAFKA_PURGE_F_INFLIGHT);
                rd_kafka_flush(w.rkp, 1000);
                rd_kafka_destroy(w.rkp);
                w.rkp = NULL;
        }
        if (w.rkq)
                rd_kafka_queue_destroy(w.rkq);
        if (w.rk) {
                int64_t left_ms = deadline_us
                                          ? (deadline_us - ink_mono_us()) /
                                                    1000
                                          : 5000;
                close_consumer(&w, left_ms > 200 ? (int)left_ms : 200);
        }
        /* every thread is joined and every handle destroyed: what is left
         * is ours to free */
        for (size_t i = 0; i < w.nparts; i++) {
                part_t *p = &w.parts[i];
                while (p->cnt) {
                        job_free(p->q[p->head]);
                        p->head = (p->head + 1) % p->cap;
                        p->cnt--;
                }
                free(p->q);
        }
        free(w.parts);
        for (int i = 0; i < w.nthreads; i++)
                ink_avro_destroy(w.enrichers[i].av);
        free(w.enrichers);
        ink_pipeline_destroy(w.pl);
        ink_avro_destroy(av0);
        ink_metrics_destroy(w.m);
        pthread_rwlock_destroy(&w.pl_lock);
        pthread_cond_destroy(&w.cond);
        pthread_mutex_destroy(&w.lock);
        return ret;
}

/*
 * The enrichment worker: consume articles in a consumer group, enrich
 * them, produce the enriched record and its alerts (or a dead letter), and
 * store an input offset only once every output of that input and of all
 * inputs before it on the partition is acknowledged (at-least-once).
 *
 * Threads: everything here runs on the caller's thread (the poll loop);
 * librdkafka's delivery reports and rebalance callbacks are served from
 * rd_kafka_poll()/rd_kafka_consumer_poll() on that same thread.
 */
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/kafka.h"
#include "ink/stage.h"

/* One input record and the outputs it is waiting for. */
typedef struct job_s {
        rd_kafka_message_t *rkm;  /* the input, kept until done */
        int pending;              /* outputs not yet acknowledged (+1 guard
                                   * while producing) */
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
} part_t;

typedef struct worker_s {
        const ink_conf_t *conf;
        rd_kafka_t *rk;           /* consumer */
        rd_kafka_t *rkp;          /* producer */
        ink_pipeline_t *pl;
        ink_avro_t *av;
        part_t *parts;            /* indexed by partition number */
        size_t nparts;
        size_t inflight;          /* jobs not yet done */
        bool paused;
        bool fatal;
        ink_worker_stats_t *stats;
} worker_t;

/* What a delivery report refers to. */
typedef enum { OUT_ENRICHED, OUT_ALERT, OUT_DLQ } out_kind_t;

typedef struct out_s {
        job_t *job;
        out_kind_t kind;
        struct worker_s *w;
} out_t;

/*---- Partition bookkeeping ----------------------------------------------*/

static part_t *part_get(worker_t *w, int32_t partition) {
        if ((size_t)partition >= w->nparts) {
                size_t n = (size_t)partition + 1;
                w->parts = ink_realloc(w->parts, n * sizeof(*w->parts));
                memset(w->parts + w->nparts, 0,
                       (n - w->nparts) * sizeof(*w->parts));
                for (size_t i = w->nparts; i < n; i++)
                        w->parts[i].partition = (int32_t)i;
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

static void job_free(worker_t *w, job_t *job) {
        rd_kafka_message_destroy(job->rkm);
        free(job);
        w->inflight--;
}

/* Pops the done jobs at the head of \p p and stores the offset after the
 * last of them: everything before it has all its outputs acknowledged. */
static void part_advance(worker_t *w, part_t *p) {
        int64_t next = -1;
        job_t *job;

        while (p->cnt && (job = p->q[p->head])->done) {
                if (job->failed) {
                        /* never skip past an input whose outputs were lost */
                        w->fatal = true;
                        break;
                }
                next = job->rkm->offset + 1;
                p->head = (p->head + 1) % p->cap;
                p->cnt--;
                job_free(w, job);
        }
        if (next >= 0) {
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

/* Drops the jobs of a partition that is no longer ours. */
static void part_clear(worker_t *w, part_t *p) {
        while (p->cnt) {
                job_free(w, p->q[p->head]);
                p->head = (p->head + 1) % p->cap;
                p->cnt--;
        }
        p->assigned = false;
        p->eof = false;
}

static void job_release(worker_t *w, job_t *job) {
        if (--job->pending > 0)
                return;
        job->done = true;
        part_advance(w, part_get(w, job->rkm->partition));
}

/*---- Delivery reports -----------------------------------------------------*/

static void dr_msg_cb(rd_kafka_t *rkp, const rd_kafka_message_t *rkm,
                     void *opaque) {
        out_t *out = rkm->_private;
        worker_t *w = out->w;

        (void)rkp;
        (void)opaque;
        if (rkm->err) {
                ink_log(INK_LOG_ERR, "worker",
                        "delivery to %s failed for input partition=%d "
                        "offset=%lld: %s",
                        rd_kafka_topic_name(rkm->rkt),
                        (int)out->job->rkm->partition,
                        (long long)out->job->rkm->offset,
                        rd_kafka_err2str(rkm->err));
                out->job->failed = true;
                w->stats->failed++;
        } else if (out->kind == OUT_ENRICHED) {
                w->stats->enriched++;
        } else if (out->kind == OUT_ALERT) {
                w->stats->alerts++;
        } else {
                w->stats->dead_letters++;
        }
        job_release(w, out->job);
        free(out);
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

/*---- Producing ------------------------------------------------------------*/

static out_t *out_new(worker_t *w, job_t *job, out_kind_t kind) {
        out_t *out = ink_malloc(sizeof(*out));
        out->w = w;
        out->job = job;
        out->kind = kind;
        job->pending++;
        return out;
}

/* Sends the input of \p job to the dead-letter topic. */
static void send_dead_letter(worker_t *w, job_t *job, const char *err_class,
                             const char *reason, const char *stage) {
        out_t *out = out_new(w, job, OUT_DLQ);
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
                job->pending--;
                free(out);
        }
}

/* Produces one output; on a local error the input becomes a dead letter.
 * @returns 0 if queued. */
static int produce_output(worker_t *w, job_t *job, out_kind_t kind,
                          const char *topic, const char *key,
                          const char *buf, size_t len) {
        out_t *out = out_new(w, job, kind);
        rd_kafka_resp_err_t err;
        char reason[512];

        err = ink_produce(w->rkp, topic, key, strlen(key), buf, len, NULL,
                          out);
        if (!err)
                return 0;
        job->pending--;
        free(out);
        snprintf(reason, sizeof(reason),
                 "cannot produce %zu-byte record to %s: %s", len, topic,
                 rd_kafka_err2str(err));
        send_dead_letter(w, job,
                         err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE
                                 ? "output_too_large"
                                 : "output_failed",
                         reason, "produce");
        return -1;
}

/*---- Processing one input -------------------------------------------------*/

static void process(worker_t *w, rd_kafka_message_t *rkm) {
        job_t *job = ink_calloc(1, sizeof(*job));
        ink_article_t *art = NULL;
        char errstr[512];
        const char *stage = "parse", *buf;
        size_t len;
        ink_rc_t rc;

        job->rkm = rkm;
        job->pending = 1; /* guard while producing */
        part_push(part_get(w, rkm->partition), job);
        w->inflight++;
        w->stats->consumed++;

        art = ink_article_new();
        errstr[0] = '\0';
        rc = ink_article_parse_json(art, rkm->payload, rkm->len,
                                    (size_t)w->conf->max_article_bytes,
                                    errstr, sizeof(errstr));
        if (rc != INK_OK) {
                send_dead_letter(w, job, ink_rc_name(rc), errstr, stage);
                goto out;
        }
        art->ingested_ms = rd_kafka_message_timestamp(rkm, NULL);
        if (art->ingested_ms < 0)
                art->ingested_ms = ink_now_ms();
        if (!w->conf->no_enrich) {
                rc = ink_pipeline_run(w->pl, art, &stage, errstr,
                                      sizeof(errstr));
                if (rc != INK_OK) {
                        send_dead_letter(w, job, ink_rc_name(rc), errstr,
                                         stage);
                        goto out;
                }
        } else {
                art->processed_ms = ink_now_ms();
        }
        /* Alerts first: an enriched record never refers to an alert that
         * could not be written. */
        for (size_t i = 0; i < art->nalerts; i++) {
                const ink_alert_t *al = &art->alerts[i];
                rc = ink_avro_encode_alert(w->av, art, al, &buf, &len,
                                           errstr, sizeof(errstr));
                if (rc != INK_OK) {
                        send_dead_letter(w, job, ink_rc_name(rc), errstr,
                                         "encode");
                        goto out;
                }
                if (produce_output(w, job, OUT_ALERT, w->conf->alerts_topic,
                                   al->event_key, buf, len))
                        goto out;
        }
        rc = ink_avro_encode_article(w->av, art, &buf, &len, errstr,
                                     sizeof(errstr));
        if (rc != INK_OK) {
                send_dead_letter(w, job, ink_rc_name(rc), errstr, "encode");
                goto out;
        }
        produce_output(w, job, OUT_ENRICHED, w->conf->output_topic, art->id,
                       buf, len);
out:
        ink_article_destroy(art);
        rd_kafka_poll(w->rkp, 0);
        job_release(w, job);
}

/*---- Rebalance ------------------------------------------------------------*/

/* Waits until every output in flight is acknowledged (or the timeout). */
static void drain_outputs(worker_t *w, int timeout_ms) {
        int64_t deadline = ink_mono_us() + (int64_t)timeout_ms * 1000;
        if (!w->rkp)
                return;
        while (w->inflight > 0 && ink_mono_us() < deadline && !w->fatal) {
                rd_kafka_flush(w->rkp, 100);
                rd_kafka_poll(w->rkp, 0);
                if (rd_kafka_outq_len(w->rkp) == 0)
                        break;
        }
}

static void commit_sync(worker_t *w) {
        rd_kafka_resp_err_t err = rd_kafka_commit(w->rk, NULL, 0);
        /* During a cooperative rebalance the broker may refuse the commit;
         * librdkafka's auto-commit then commits the stored offsets itself
         * before the partitions are unassigned. */
        if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
                ink_log(err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS
                                ? INK_LOG_INFO
                                : INK_LOG_WARNING,
                        "worker", "commit: %s", rd_kafka_err2str(err));
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts,
                         void *opaque) {
        worker_t *w = opaque;
        bool cooperative = !strcmp(rd_kafka_rebalance_protocol(rk),
                                   "COOPERATIVE");
        rd_kafka_error_t *error = NULL;
        rd_kafka_resp_err_t ret = RD_KAFKA_RESP_ERR_NO_ERROR;

        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
                for (int i = 0; i < parts->cnt; i++) {
                        part_t *p = part_get(w, parts->elems[i].partition);
                        p->assigned = true;
                        p->eof = false;
                }
                ink_log(INK_LOG_INFO, "worker", "assigned %d partition(s)",
                        parts->cnt);
                if (cooperative)
                        error = rd_kafka_incremental_assign(rk, parts);
                else
                        ret = rd_kafka_assign(rk, parts);
                /* a paused worker stays paused for new partitions too */
                if (w->paused)
                        rd_kafka_pause_partitions(rk, parts);
        } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
                bool lost = rd_kafka_assignment_lost(rk);
                ink_log(INK_LOG_INFO, "worker", "revoked %d partition(s)%s",
                        parts->cnt, lost ? " (lost)" : "");
                if (!lost) {
                        /* commit what is done before the partitions go */
                        drain_outputs(w, 30000);
                        commit_sync(w);
                }
                for (int i = 0; i < parts->cnt; i++)
                        part_clear(w, part_get(w, parts->elems[i].partition));
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

/*---- Backpressure and end of input ----------------------------------------*/

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
        ink_log(INK_LOG_DEBUG, "worker", "%s input (%zu in flight)",
                pause ? "paused" : "resumed", w->inflight);
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

/*---- Setup ------------------------------------------------------------------*/

static int set_or_fail(rd_kafka_conf_t *kc, const char *k, const char *v) {
        char errstr[256];
        if (rd_kafka_conf_set(kc, k, v, errstr, sizeof(errstr)) ==
            RD_KAFKA_CONF_OK)
                return 0;
        ink_log(INK_LOG_ERR, "worker", "%s: %s", k, errstr);
        return -1;
}

/* Sets \p k unless the user configured it (kafka.<k>). */
static int set_default(const ink_conf_t *conf, rd_kafka_conf_t *kc,
                       const char *k, const char *v) {
        for (size_t i = 0; i < conf->nkafka; i++)
                if (!strcmp(conf->kafka[i].key, k))
                        return 0;
        return set_or_fail(kc, k, v);
}

static rd_kafka_t *make_consumer(worker_t *w) {
        const ink_conf_t *conf = w->conf;
        char errstr[512], num[32];
        rd_kafka_conf_t *kc = ink_conf_kafka(conf, errstr, sizeof(errstr));
        rd_kafka_t *rk;

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
            set_default(conf, kc, "enable.auto.commit", "true") ||
            set_default(conf, kc, "auto.commit.interval.ms", num) ||
            set_or_fail(kc, "enable.partition.eof", "true")) {
                rd_kafka_conf_destroy(kc);
                return NULL;
        }
        rd_kafka_conf_set_rebalance_cb(kc, rebalance_cb);
        rd_kafka_conf_set_error_cb(kc, error_cb);
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

static rd_kafka_t *make_producer(worker_t *w) {
        const ink_conf_t *conf = w->conf;
        char errstr[512];
        rd_kafka_conf_t *kc = ink_conf_kafka(conf, errstr, sizeof(errstr));
        rd_kafka_t *rkp;

        if (!kc) {
                ink_log(INK_LOG_ERR, "worker", "%s", errstr);
                return NULL;
        }
        if (set_default(conf, kc, "enable.idempotence", "true") ||
            set_default(conf, kc, "linger.ms", "5") ||
            set_default(conf, kc, "compression.type", "lz4")) {
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
        return rkp;
}

int ink_worker_run(const ink_conf_t *conf, ink_worker_stats_t *stats) {
        worker_t w = {.conf = conf, .stats = stats};
        rd_kafka_topic_partition_list_t *topics = NULL;
        char errstr[512];
        int ret = 1;
        rd_kafka_resp_err_t err;

        memset(stats, 0, sizeof(*stats));
        if (!(w.av = ink_avro_new(errstr, sizeof(errstr)))) {
                ink_log(INK_LOG_ERR, "worker", "schemas: %s", errstr);
                goto out;
        }
        if (!conf->no_enrich &&
            !(w.pl = ink_pipeline_new(errstr, sizeof(errstr)))) {
                ink_log(INK_LOG_ERR, "worker", "enrichment: %s", errstr);
                goto out;
        }
        if (!(w.rkp = make_producer(&w)) || !(w.rk = make_consumer(&w)))
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
                "consuming %s as group %s -> %s, %s, dead letters %s",
                conf->input_topic, conf->group, conf->output_topic,
                conf->alerts_topic, conf->dlq_topic);

        while (ink_run && !w.fatal) {
                rd_kafka_message_t *rkm = rd_kafka_consumer_poll(w.rk, 100);
                rd_kafka_poll(w.rkp, 0);
                if (rkm && rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                        part_get(&w, rkm->partition)->eof = true;
                        rd_kafka_message_destroy(rkm);
                        rkm = NULL;
                } else if (rkm && rkm->err) {
                        ink_log(INK_LOG_WARNING, "worker", "consume: %s",
                                rd_kafka_message_errstr(rkm));
                        rd_kafka_message_destroy(rkm);
                        rkm = NULL;
                } else if (rkm) {
                        part_get(&w, rkm->partition)->eof = false;
                        process(&w, rkm); /* takes ownership of rkm */
                }
                /* backpressure: pause the input while too much is in
                 * flight, keep polling so the group stays alive */
                if (w.inflight >= (size_t)conf->queue_max)
                        set_paused(&w, true);
                else if (w.paused && w.inflight <= (size_t)conf->queue_max / 2)
                        set_paused(&w, false);
                if (conf->exit_on_eof && all_drained(&w))
                        break;
        }
        /* shutdown: finish what is in flight, store and commit it */
        drain_outputs(&w, 30000);
        if (!w.fatal)
                commit_sync(&w);
        ret = w.fatal ? 1 : 0;
        if (w.inflight)
                ink_log(INK_LOG_WARNING, "worker",
                        "%zu input(s) still in flight at exit: not committed,"
                        " they will be processed again", w.inflight);
out:
        if (topics)
                rd_kafka_topic_partition_list_destroy(topics);
        if (w.rkp) {
                /* outputs still queued are abandoned: their delivery
                 * reports fail the jobs, whose offsets are never stored */
                rd_kafka_purge(w.rkp, RD_KAFKA_PURGE_F_QUEUE |
                                              RD_KAFKA_PURGE_F_INFLIGHT);
                rd_kafka_flush(w.rkp, 5000);
                rd_kafka_destroy(w.rkp);
                w.rkp = NULL;
        }
        if (w.rk) {
                rd_kafka_consumer_close(w.rk);
                rd_kafka_destroy(w.rk);
        }
        for (size_t i = 0; i < w.nparts; i++) {
                part_clear(&w, &w.parts[i]);
                free(w.parts[i].q);
        }
        free(w.parts);
        ink_pipeline_destroy(w.pl);
        ink_avro_destroy(w.av);
        return ret;
}

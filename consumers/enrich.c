/*
 * `inkstream enrich` as one process: the enrichment worker, and beside it
 * the novelty processor that turns candidate summit events into new alerts
 * and status updates (the two sub-topologies of the worker process).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "ink/kafka.h"
#include "ink/novelty.h"

typedef struct novelty_arg_s {
        const ink_conf_t *conf;
        ink_novelty_stats_t *stats;
        const atomic_bool *upstream_done;
        int rc;
} novelty_arg_t;

static void *novelty_main(void *p) {
        novelty_arg_t *a = p;
        a->rc = ink_novelty_run_after(a->conf, a->stats, a->upstream_done);
        return NULL;
}

int ink_enrich_run(const ink_conf_t *conf, ink_worker_stats_t *stats,
                   ink_novelty_stats_t *nstats) {
        atomic_bool upstream_done = false;
        ink_novelty_stats_t nlocal;
        novelty_arg_t na = {.conf = conf,
                            .stats = nstats ? nstats : &nlocal,
                            .upstream_done = &upstream_done};
        pthread_t nt;
        bool novelty = !conf->no_novelty && !conf->no_enrich;
        int ret;

        memset(na.stats, 0, sizeof(*na.stats));
        if (novelty && pthread_create(&nt, NULL, novelty_main, &na)) {
                ink_log(INK_LOG_ERR, "enrich",
                        "cannot start the novelty processor thread");
                return 1;
        }
        ret = ink_worker_run(conf, stats);
        atomic_store(&upstream_done, true);
        if (novelty) {
                /* Without --exit-on-eof, or after a failure, the worker
                 * only returns to stop: stop the processor too. */
                if (!conf->exit_on_eof || ret)
                        ink_run = 0;
                pthread_join(nt, NULL);
                ret |= na.rc;
        }
        return ret;
}

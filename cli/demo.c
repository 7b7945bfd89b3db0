/*
 * `inkstream demo`: the whole topology in one process on librdkafka's
 * embedded mock cluster (no Java needed): ingest the bundled sample
 * articles (and one malformed record), run two workers in one consumer
 * group, then print what came out.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ink/kafka.h"
#include "ink/novelty.h"
#include <librdkafka/rdkafka_mock.h>
#include "cli.h"

#define DEMO_PARTITIONS 2
#define DEMO_WORKERS 2

static const char *const demo_samples[] = {
        "data/samples/trump-putin-call.txt",
        "data/samples/more.jsonl",
};

typedef struct demo_worker_s {
        pthread_t thread;
        ink_conf_t *conf;
        ink_worker_stats_t stats;
        int rc;
} demo_worker_t;

static void *worker_main(void *arg) {
        demo_worker_t *dw = arg;
        dw->rc = ink_worker_run(dw->conf, &dw->stats);
        return NULL;
}

/* Creates the producer that owns the mock cluster and the topics. */
static rd_kafka_t *start_cluster(ink_conf_t *conf, const char **bootp) {
        char errstr[512];
        rd_kafka_conf_t *kc = rd_kafka_conf_new();
        rd_kafka_mock_cluster_t *mc;
        char group[512], changelog[560];
        const char *topics[] = {conf->input_topic, conf->output_topic,
                                conf->events_topic, conf->alerts_topic,
                                conf->dlq_topic,
                                /* the mock cluster has no CreateTopics */
                                changelog};
        rd_kafka_t *rk;

        ink_novelty_names(conf, group, sizeof(group), changelog,
                          sizeof(changelog));
        if (rd_kafka_conf_set(kc, "test.mock.num.brokers", "1", errstr,
                              sizeof(errstr)) != RD_KAFKA_CONF_OK ||
            rd_kafka_conf_set(kc, "log_level", "4", errstr,
                              sizeof(errstr)) != RD_KAFKA_CONF_OK ||
            !(rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, errstr,
                                sizeof(errstr)))) {
                fprintf(stderr, "demo: mock cluster: %s\n", errstr);
                rd_kafka_conf_destroy(kc);
                return NULL;
        }
        mc = rd_kafka_handle_mock_cluster(rk);
        for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++)
                rd_kafka_mock_topic_create(mc, topics[i], DEMO_PARTITIONS, 1);
        *bootp = rd_kafka_mock_cluster_bootstraps(mc);
        return rk;
}

int ink_cli_demo(int argc, char **argv) {
        ink_conf_t conf;
        ink_ingest_stats_t ist = {0};
        demo_worker_t workers[DEMO_WORKERS];
        ink_worker_stats_t total = {0};
        const char *boot = NULL;
        rd_kafka_t *rk;
        uint64_t nalerts = 0;
        char errstr[512];
        int ret = 1;

        if (argc > 1) {
                bool help = !strcmp(argv[1], "--help") ||
                            !strcmp(argv[1], "-h");
                fprintf(help ? stdout : stderr,
                        "usage: inkstream demo\nRuns ingest, two enrichment "
                        "workers and the alert reader on an embedded\n"
                        "Kafka cluster, on the bundled sample articles.\n");
                return help ? 0 : 2;
        }
        ink_conf_init(&conf);
        ink_conf_set(&conf, "group", "inkstream-demo", errstr,
                     sizeof(errstr));
        ink_conf_set(&conf, "exit.on.eof", "true", errstr, sizeof(errstr));
        ink_conf_set(&conf, "from.beginning", "true", errstr, sizeof(errstr));
        /* the mock coordinator keeps a departed member until its session
         * times out: keep that short so the demo's rebalances are quick */
        ink_conf_set(&conf, "kafka.session.timeout.ms", "6000", errstr,
                     sizeof(errstr));
        ink_conf_set(&conf, "kafka.heartbeat.interval.ms", "500", errstr,
                     sizeof(errstr));
        /* two workers in one process: no HTTP listener */
        ink_conf_set(&conf, "metrics.addr", "", errstr, sizeof(errstr));
        ink_conf_finalize(&conf);
        ink_install_signals();
        if (!(rk = start_cluster(&conf, &boot)))
                goto out;
        ink_conf_set(&conf, "brokers", boot, errstr, sizeof(errstr));
        printf("== embedded Kafka cluster at %s, topics with %d partitions\n",
               boot, DEMO_PARTITIONS);

        /* 1. ingest the bundled articles, plus one record that is not an
         *    article, to show the dead-letter path */
        for (size_t i = 0; i < sizeof(demo_samples) / sizeof(*demo_samples);
             i++) {
                size_t len;
                const char *buf = ink_resource_get(demo_samples[i], &len);
                if (buf)
                        ink_ingest_buffer(rk, conf.input_topic,
                                          demo_samples[i], buf, len,
                                          conf.max_article_bytes, &ist);
        }
        ink_produce(rk, conf.input_topic, "demo-bad-1", 10,
                    "{\"id\": \"demo-bad-1\", \"title\": \"no body\"", 39,
                    NULL, NULL);
        if (rd_kafka_flush(rk, 10000)) {
                fprintf(stderr, "demo: ingest did not complete\n");
                goto out;
        }
        printf("== ingested %llu articles (+1 malformed record) into %s\n",
               (unsigned long long)ist.queued, conf.input_topic);

        /* 2. two workers in one consumer group */
        for (int i = 0; i < DEMO_WORKERS; i++) {
                workers[i].conf = &conf;
                pthread_create(&workers[i].thread, NULL, worker_main,
                               &workers[i]);
        }
        ret = 0;
        for (int i = 0; i < DEMO_WORKERS; i++) {
                pthread_join(workers[i].thread, NULL);
                ret |= workers[i].rc;
                total.consumed += workers[i].stats.consumed;
                total.enriched += workers[i].stats.enriched;
                total.alerts += workers[i].stats.alerts;
                total.dead_letters += workers[i].stats.dead_letters;
                printf("== worker %d: %llu consumed, %llu enriched, "
                       "%llu summit candidates, %llu dead letters\n", i + 1,
                       (unsigned long long)workers[i].stats.consumed,
                       (unsigned long long)workers[i].stats.enriched,
                       (unsigned long long)workers[i].stats.alerts,
                       (unsigned long long)workers[i].stats.dead_letters);
        }
        printf("== enriched records in %s: %llu; dead letters in %s: %llu\n",
               conf.output_topic, (unsigned long long)total.enriched,
               conf.dlq_topic, (unsigned long long)total.dead_letters);

        /* 3. the novelty processor: new summit announcements (and status
         *    changes) from the candidate events, repeats suppressed */
        {
                ink_novelty_stats_t nst;
                ret |= ink_novelty_run(&conf, &nst);
                printf("== novelty: %llu candidate(s) in %s, %llu new "
                       "alert(s), %llu update(s), %llu repeat(s)\n",
                       (unsigned long long)nst.consumed, conf.events_topic,
                       (unsigned long long)nst.fresh,
                       (unsigned long long)nst.updates,
                       (unsigned long long)nst.repeats);
        }

        /* 4. the alerts, decoded from the alert topic */
        printf("== alerts in %s:\n", conf.alerts_topic);
        if (ink_alerts_run(&conf, stdout, &nalerts))
                ret = 1;
        printf("== %llu alert(s)\n", (unsigned long long)nalerts);
        if (total.enriched == 0 || nalerts == 0)
                ret = 1;
out:
        if (rk)
                rd_kafka_destroy(rk);
        ink_conf_destroy(&conf);
        return ret;
}

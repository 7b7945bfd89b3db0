/*
 * `inkstream enrich`: the worker.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/kafka.h"
#include "ink/novelty.h"
#include "cli.h"

/*---- enrich -----------------------------------------------------------------*/

int ink_cmd_enrich(int argc, char **argv) {
        static const struct option opts[] = {
                COMMON_OPTS,
                {"group", required_argument, NULL, OPT_GROUP},
                {"input", required_argument, NULL, OPT_INPUT},
                {"output", required_argument, NULL, OPT_OUTPUT},
                {"alerts", required_argument, NULL, OPT_ALERTS},
                {"dlq", required_argument, NULL, OPT_DLQ},
                {"threads", required_argument, NULL, OPT_THREADS},
                {"exit-on-eof", no_argument, NULL, OPT_EOF},
                {"no-enrich", no_argument, NULL, OPT_NOENRICH},
                {"exactly-once", no_argument, NULL, OPT_PROP},
                {"shutdown-timeout-ms", required_argument, NULL, OPT_PROP},
                {"metrics-addr", required_argument, NULL, OPT_PROP},
                {"no-novelty", no_argument, NULL, OPT_PROP},
                {"events-topic", required_argument, NULL, OPT_PROP},
                {NULL, 0, NULL, 0}};
        ink_conf_t conf;
        ink_worker_stats_t st;
        ink_novelty_stats_t nst;
        int r, ret;

        ink_conf_init(&conf);
        if ((r = ink_cli_parse_common(argc, argv, opts, &conf, NULL)) ||
            optind != argc) {
                fprintf(r > 0 ? stdout : stderr,
                        "usage: inkstream enrich [--brokers B] [--group G] "
                        "[--input articles.raw]\n"
                        "         [--output articles.enriched] "
                        "[--alerts alerts.summit] [--dlq articles.dlq]\n"
                        "         [--threads T] [--exactly-once] "
                        "[--metrics-addr HOST:PORT]\n"
                        "         [--shutdown-timeout-ms MS] "
                        "[--exit-on-eof] [--no-enrich]\n"
                        "         [--config FILE] [-X key=value]\n"
                        "The worker: consumes articles in a consumer group, "
                        "writes one enriched\nAvro record per article and one "
                        "alert record per summit announcement;\nbad input "
                        "goes to the dead-letter topic.\n%s"
                        "  --exit-on-eof      exit once every assigned "
                        "partition is drained\n"
                        "  --no-enrich        parse, encode and commit only\n"
                        "  --threads T        enrichment threads (default 0: "
                        "one per CPU)\n"
                        "  --exactly-once     transactional consume-transform-"
                        "produce; the\n"
                        "                     transactional.id is "
                        "<group>-<kafka.group.instance.id>,\n"
                        "                     else <group>-<host>-<pid> "
                        "(set kafka.group.instance.id,\n"
                        "                     e.g. $POD_NAME, so a restart "
                        "fences its predecessor)\n"
                        "  --no-novelty       do not run the novelty processor "
                        "here (summit\n"
                        "                     candidates stay on "
                        "--events-topic, default <group>-summit-events,\n"
                        "                     for `inkstream novelty`)\n"
                        "  --metrics-addr A   /metrics, /healthz, /readyz "
                        "(default 127.0.0.1:9464,\n"
                        "                     empty = off)\n"
                        "  --shutdown-timeout-ms MS  SIGTERM: finish, commit "
                        "and exit within MS\n"
                        "                     (default 10000); SIGHUP "
                        "reloads the pipeline\n",
                        ink_cli_common_help);
                ink_conf_destroy(&conf);
                return r > 0 ? 0 : EXIT_USAGE;
        }
        ink_install_signals();
        ret = ink_enrich_run(&conf, &st, &nst);
        fprintf(stderr,
                "enrich: %llu consumed, %llu enriched, %llu alerts, "
                "%llu dead letters, %llu failed\n",
                (unsigned long long)st.consumed,
                (unsigned long long)st.enriched,
                (unsigned long long)st.alerts,
                (unsigned long long)st.dead_letters,
                (unsigned long long)st.failed);
        if (!conf.no_novelty && !conf.no_enrich)
                fprintf(stderr,
                        "novelty: %llu candidates, %llu new alerts, "
                        "%llu updates, %llu repeats\n",
                        (unsigned long long)nst.consumed,
                        (unsigned long long)nst.fresh,
                        (unsigned long long)nst.updates,
                        (unsigned long long)nst.repeats);
        ink_conf_destroy(&conf);
        return ret;
}


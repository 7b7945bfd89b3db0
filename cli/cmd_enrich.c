/*
 * `inkstream enrich`: the worker.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/kafka.h"
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
                {NULL, 0, NULL, 0}};
        ink_conf_t conf;
        ink_worker_stats_t st;
        int r, ret;

        ink_conf_init(&conf);
        if ((r = ink_cli_parse_common(argc, argv, opts, &conf, NULL)) ||
            optind != argc) {
                fprintf(r > 0 ? stdout : stderr,
                        "usage: inkstream enrich [--brokers B] [--group G] "
                        "[--input articles.raw]\n"
                        "         [--output articles.enriched] "
                        "[--alerts alerts.summit] [--dlq articles.dlq]\n"
                        "         [--exit-on-eof] [--no-enrich] "
                        "[--config FILE] [-X key=value]\n"
                        "The worker: consumes articles in a consumer group, "
                        "writes one enriched\nAvro record per article and one "
                        "alert record per summit announcement;\nbad input "
                        "goes to the dead-letter topic.\n%s"
                        "  --exit-on-eof      exit once every assigned "
                        "partition is drained\n"
                        "  --no-enrich        parse, encode and commit only\n",
                        ink_cli_common_help);
                ink_conf_destroy(&conf);
                return r > 0 ? 0 : EXIT_USAGE;
        }
        ink_install_signals();
        ret = ink_worker_run(&conf, &st);
        fprintf(stderr,
                "enrich: %llu consumed, %llu enriched, %llu alerts, "
                "%llu dead letters, %llu failed\n",
                (unsigned long long)st.consumed,
                (unsigned long long)st.enriched,
                (unsigned long long)st.alerts,
                (unsigned long long)st.dead_letters,
                (unsigned long long)st.failed);
        ink_conf_destroy(&conf);
        return ret;
}


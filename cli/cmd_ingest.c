/*
 * `inkstream ingest`: articles from files or stdin into Kafka.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/kafka.h"
#include "cli.h"

/*---- ingest -----------------------------------------------------------------*/

int ink_cmd_ingest(int argc, char **argv) {
        static const struct option opts[] = {
                COMMON_OPTS, {"topic", required_argument, NULL, OPT_TOPIC},
                {"format", required_argument, NULL, OPT_PROP},
                {NULL, 0, NULL, 0}};
        ink_conf_t conf;
        ink_ingest_stats_t st;
        int r, ret;

        ink_conf_init(&conf);
        if ((r = ink_cli_parse_common(argc, argv, opts, &conf, "input.topic"))) {
                fprintf(r > 0 ? stdout : stderr,
                        "usage: inkstream ingest [--brokers B] "
                        "[--topic articles.raw] "
                        "[--format auto|jsonl|text|rss|atom|ninjs] "
                        "[FILE...]\n"
                        "Produces articles to Kafka, keyed by article id. "
                        "A FILE is JSON Lines\n"
                        "({\"id\",\"title\",\"body\",\"url\",\"published\","
                        "\"source\",\"lang\"}; id and body required)\n"
                        "or plain text (first line the title, the rest the "
                        "body). Reads stdin without FILE.\n"
                        "RSS 2.0, Atom and IPTC ninjs files are detected "
                        "by content (or --format);\n"
                        "each item becomes one article, keyed by its guid "
                        "or id (else its link).\n%s",
                        ink_cli_common_help);
                ink_conf_destroy(&conf);
                return r > 0 ? 0 : EXIT_USAGE;
        }
        ink_install_signals();
        ret = ink_ingest_run(&conf, argv + optind, argc - optind, &st);
        fprintf(stderr,
                "ingest: %llu produced to %s, %llu rejected, %llu failed\n",
                (unsigned long long)st.produced, conf.input_topic,
                (unsigned long long)st.rejected,
                (unsigned long long)st.failed);
        ink_conf_destroy(&conf);
        return ret;
}


/*
 * Subcommands that live in their own files.
 */
#ifndef INK_CLI_H
#define INK_CLI_H

#include <stdbool.h>

#define INK_VERSION "0.1.0"

#include <getopt.h>
#include <stdio.h>

#include "ink/kafka.h"

#define EXIT_USAGE 2

/* Long options of the subcommands (values outside the char range). */
enum {
        OPT_BROKERS = 1000, OPT_TOPIC, OPT_GROUP, OPT_INPUT, OPT_OUTPUT,
        OPT_ALERTS, OPT_DLQ, OPT_EOF, OPT_CONFIG, OPT_BEGIN, OPT_JSON,
        OPT_JSONL, OPT_NOENRICH, OPT_THREADS, OPT_DUMP, OPT_NEWSMTSC,
        /* A flag that sets the property of its own name, dashes as dots:
         * {"exactly-once", no_argument, NULL, OPT_PROP} sets
         * exactly.once=true; with an argument, the argument. */
        OPT_PROP = 2000
};

/* inkstream.c: options shared by the Kafka subcommands */
#define COMMON_OPTS                                                          \
        {"brokers", required_argument, NULL, OPT_BROKERS},                   \
        {"config", required_argument, NULL, OPT_CONFIG},                     \
        {"help", no_argument, NULL, 'h'},                                    \
        {"verbose", no_argument, NULL, 'v'},                                 \
        {"quiet", no_argument, NULL, 'q'}

extern const char *ink_cli_common_help;

/** Applies --config, then INKSTREAM_* variables, then the other flags of
 *  \p opts to \p conf (\p topic_key names the property --topic sets).
 *  @returns 0, 1 for --help, -1 on a usage error (printed). */
int ink_cli_parse_common(int argc, char **argv, const struct option *opts,
                         ink_conf_t *conf, const char *topic_key);

/* One function per subcommand (cmd_<name>.c); argv[0] is the name. */
int ink_cmd_ingest(int argc, char **argv);
int ink_cmd_enrich(int argc, char **argv);
int ink_cmd_alerts(int argc, char **argv);
int ink_cmd_cat(int argc, char **argv);
int ink_cmd_novelty(int argc, char **argv);
int ink_cmd_dlq(int argc, char **argv);
int ink_cmd_train_sentiment(int argc, char **argv);

/* annotate.c */
int ink_cli_annotate(const char *path, bool jsonl);
/* NewsMTSC JSONL in, {"gid", "polarity"} per target out */
int ink_cli_annotate_newsmtsc(const char *path);

/* demo.c */
int ink_cli_demo(int argc, char **argv);

#endif /* INK_CLI_H */

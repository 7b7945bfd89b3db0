/*
 * inkstream: the single command line.  main() picks the subcommand; each
 * subcommand parses its own options and calls the library.
 *
 * Exit status: 0 ok, 1 error, 2 usage.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/kafka.h"
#include "ink/ner.h"
#include "ink/stage.h"
#include "cli.h"


/*---- Options shared by the Kafka subcommands ------------------------------*/


/* Applies --config first, then the environment, then the other flags, so
 * that a flag always wins. */
int ink_cli_parse_common(int argc, char **argv, const struct option *opts,
                        ink_conf_t *conf, const char *topic_key) {
        char err[512];
        int c, longindex = 0;

        /* pass 1: --config */
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+X:vqh", opts, NULL)) != -1)
                if (c == OPT_CONFIG &&
                    ink_conf_read_file(conf, optarg, err, sizeof(err))) {
                        fprintf(stderr, "inkstream: %s\n", err);
                        return -1;
                }
        if (ink_conf_from_env(conf, err, sizeof(err))) {
                fprintf(stderr, "inkstream: environment: %s\n", err);
                return -1;
        }
        /* pass 2: everything else */
        optind = 1;
        opterr = 1;
        while ((c = getopt_long(argc, argv, "+X:vqh", opts, &longindex)) !=
               -1) {
                const char *key = NULL, *val = optarg;
                char *eq, prop[128];
                switch (c) {
                case OPT_PROP:
                        snprintf(prop, sizeof(prop), "%s",
                                 opts[longindex].name);
                        for (char *p = prop; *p; p++)
                                if (*p == '-')
                                        *p = '.';
                        key = prop;
                        if (!val)
                                val = "true";
                        break;
                case OPT_CONFIG: continue;
                case OPT_DUMP: continue; /* the default of `config` */
                case OPT_BROKERS: key = "brokers"; break;
                case OPT_GROUP: key = "group"; break;
                case OPT_TOPIC: key = topic_key; break;
                case OPT_INPUT: key = "input.topic"; break;
                case OPT_OUTPUT: key = "output.topic"; break;
                case OPT_ALERTS: key = "alerts.topic"; break;
                case OPT_DLQ: key = "dlq.topic"; break;
                case OPT_THREADS: key = "threads"; break;
                case OPT_EOF: key = "exit.on.eof"; val = "true"; break;
                case OPT_BEGIN: key = "from.beginning"; val = "true"; break;
                case OPT_JSON: key = "json"; val = "true"; break;
                case OPT_NOENRICH: key = "no.enrich"; val = "true"; break;
                case 'v': ink_log_level++; continue;
                case 'q': ink_log_level = INK_LOG_ERR; continue;
                case 'h': return 1;
                case 'X':
                        if (!(eq = strchr(optarg, '='))) {
                                fprintf(stderr, "inkstream: -X %s: expected "
                                                "key=value\n", optarg);
                                return -1;
                        }
                        *eq = '\0';
                        key = optarg;
                        val = eq + 1;
                        break;
                default: return -1;
                }
                if (ink_conf_set(conf, key, val, err, sizeof(err))) {
                        fprintf(stderr, "inkstream: %s\n", err);
                        return -1;
                }
        }
        ink_conf_finalize(conf);
        return 0;
}

const char *ink_cli_common_help =
        "  --brokers B        bootstrap servers (default 127.0.0.1:9092)\n"
        "  --config FILE      key=value properties (see `inkstream config`)\n"
        "  -X key=value       any property; kafka.* goes to librdkafka\n"
        "  -v, -q             more / less logging\n";

/*---- annotate ---------------------------------------------------------------*/

static int cmd_annotate(int argc, char **argv) {
        static const struct option opts[] = {
                {"jsonl", no_argument, NULL, OPT_JSONL},
                {"newsmtsc", no_argument, NULL, OPT_NEWSMTSC},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0}};
        bool jsonl = false, newsmtsc = false;
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
                if (c == OPT_JSONL) {
                        jsonl = true;
                } else if (c == OPT_NEWSMTSC) {
                        newsmtsc = true;
                } else {
                        fprintf(c == 'h' ? stdout : stderr,
                                "usage: inkstream annotate [--jsonl|"
                                "--newsmtsc] [FILE|-]\n"
                                "Enriches without Kafka. With --jsonl: one "
                                "JSON article per input line,\none JSON "
                                "enriched record per output line (a bad line "
                                "gives an object\nwith \"error\"). Without: "
                                "one plain-text or JSON article, printed as\n"
                                "indented JSON. With --newsmtsc: NewsMTSC "
                                "lines in, one\n{\"gid\", \"polarity\"} "
                                "line per target out.\n");
                        return c == 'h' ? 0 : EXIT_USAGE;
                }
        }
        if (argc - optind > 1) {
                fprintf(stderr, "inkstream annotate: one FILE at most\n");
                return EXIT_USAGE;
        }
        if (newsmtsc)
                return ink_cli_annotate_newsmtsc(optind < argc ? argv[optind]
                                                 : "-");
        return ink_cli_annotate(optind < argc ? argv[optind] : "-", jsonl);
}

/*---- config -----------------------------------------------------------------*/

static int cmd_config(int argc, char **argv) {
        static const struct option opts[] = {
                COMMON_OPTS, {"dump", no_argument, NULL, OPT_DUMP},
                {NULL, 0, NULL, 0}};
        ink_conf_t conf;
        int r;

        ink_conf_init(&conf);
        if ((r = ink_cli_parse_common(argc, argv, opts, &conf, NULL)) < 0) {
                ink_conf_destroy(&conf);
                return EXIT_USAGE;
        }
        if (r > 0) {
                printf("usage: inkstream config [--dump] [--config FILE] "
                       "[-X key=value]\nPrints the effective configuration "
                       "and the properties.\n\n");
                ink_conf_help(stdout);
        } else {
                ink_conf_dump(&conf, stdout);
        }
        ink_conf_destroy(&conf);
        return 0;
}

/*---- main -------------------------------------------------------------------*/

static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *help;
} commands[] = {
        {"ingest", ink_cmd_ingest, "produce articles (JSON Lines or text) to Kafka"},
        {"enrich", ink_cmd_enrich, "the worker: consume, enrich, produce"},
        {"alerts", ink_cmd_alerts, "print alert records"},
        {"cat", ink_cmd_cat, "print any inkstream topic as JSON lines"},
        {"novelty", ink_cmd_novelty, "new summit events vs repeats: state + changelog"},
        {"dlq", ink_cmd_dlq, "list dead letters, replay selected ones"},
        {"annotate", cmd_annotate, "enrich without Kafka (JSON in, JSON out)"},
        {"demo", ink_cli_demo, "the whole topology on an embedded cluster"},
        {"train-ner", ink_ner_train_main, "train the named-entity model"},
        {"train-sentiment", ink_cmd_train_sentiment, "train the sentiment models"},
        {"config", cmd_config, "print the effective configuration"},
};

static void usage(FILE *fp) {
        fprintf(fp, "usage: inkstream <command> [options]   "
                    "(inkstream <command> --help)\n\ncommands:\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(fp, "  %-10s %s\n", commands[i].name,
                        commands[i].help);
}

int main(int argc, char **argv) {
        const char *lvl = getenv("INKSTREAM_LOG_LEVEL");

        if (lvl)
                ink_log_level = atoi(lvl);
        if (argc < 2) {
                usage(stderr);
                return EXIT_USAGE;
        }
        if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
            !strcmp(argv[1], "help")) {
                usage(stdout);
                return 0;
        }
        if (!strcmp(argv[1], "--version")) {
                printf("inkstream %s (%s), librdkafka %s\n", INK_VERSION,
                       INK_MODEL_VERSION, rd_kafka_version_str());
                return 0;
        }
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (!strcmp(argv[1], commands[i].name))
                        return commands[i].run(argc - 1, argv + 1);
        fprintf(stderr, "inkstream: unknown command \"%s\"\n", argv[1]);
        usage(stderr);
        return EXIT_USAGE;
}

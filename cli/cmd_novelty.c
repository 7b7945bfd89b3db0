/*
 * `inkstream novelty`: the novelty processor between the summit events
 * topic and the alert topic (consumers/novelty.c).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ink/novelty.h"
#include "cli.h"

/* The properties --input and --group stand for here: the processor has
 * its own (events.topic, novelty.group), so that a configuration file
 * shared with the workers never makes it read articles.raw or join the
 * workers' group. */
static const char *const renames[][2] = {
        {"--input", "--events-topic"},
        {"--group", "--novelty-group"},
};

/* Rewrites "--input X", "--input=X" (and --group) of \p argv in place
 * into the names above; \p store holds the rewritten "=" forms
 * (argc entries, freed by the caller). */
static void rename_flags(int argc, char **argv, char **store) {
        for (int i = 1; i < argc; i++) {
                for (size_t k = 0; k < sizeof(renames) / sizeof(renames[0]);
                     k++) {
                        size_t l = strlen(renames[k][0]);
                        if (strncmp(argv[i], renames[k][0], l))
                                continue;
                        if (!argv[i][l]) {
                                argv[i] = (char *)renames[k][1];
                        } else if (argv[i][l] == '=') {
                                size_t n = strlen(renames[k][1]) +
                                           strlen(argv[i] + l) + 1;
                                store[i] = ink_malloc(n);
                                snprintf(store[i], n, "%s%s", renames[k][1],
                                         argv[i] + l);
                                argv[i] = store[i];
                        }
                }
                if (!strcmp(argv[i], "--"))
                        break;
        }
}

/*---- novelty ----------------------------------------------------------------*/

int ink_cmd_novelty(int argc, char **argv) {
        static const struct option opts[] = {
                COMMON_OPTS,
                {"novelty-group", required_argument, NULL, OPT_PROP},
                {"events-topic", required_argument, NULL, OPT_PROP},
                {"output", required_argument, NULL, OPT_ALERTS},
                {"novelty-changelog-topic", required_argument, NULL,
                 OPT_PROP},
                {"novelty-window-days", required_argument, NULL, OPT_PROP},
                {"exit-on-eof", no_argument, NULL, OPT_EOF},
                {NULL, 0, NULL, 0}};
        ink_novelty_stats_t st;
        ink_conf_t conf;
        char **args = ink_calloc((size_t)argc + 1, sizeof(*args));
        char **store = ink_calloc((size_t)argc + 1, sizeof(*store));
        int r, ret;

        memcpy(args, argv, (size_t)argc * sizeof(*args));
        rename_flags(argc, args, store);
        ink_conf_init(&conf);
        if ((r = ink_cli_parse_common(argc, args, opts, &conf, NULL)) ||
            optind != argc) {
                fprintf(r > 0 ? stdout : stderr,
                        "usage: inkstream novelty [--brokers B] "
                        "[--input G-summit-events] [--output alerts.summit]\n"
                        "         [--group inkstream-enrich-novelty] "
                        "[--exit-on-eof]\n"
                        "         [--novelty-changelog-topic T] "
                        "[--novelty-window-days 14]\n"
                        "Reads candidate summit events (Avro Alert keyed by "
                        "event key) and writes\nan alert the first time an "
                        "event is seen within the window, an update\nwhen "
                        "its status changes, nothing for a repeat.  State: "
                        "one store per\npartition, backed by a compacted "
                        "changelog topic.\n%s"
                        "  --input T          events.topic (default "
                        "the workers' group + -summit-events)\n"
                        "  --group G          novelty.group (default: the "
                        "workers' group +\n"
                        "                     \"-novelty\", "
                        "inkstream-enrich-novelty)\n"
                        "  --output T         alerts.topic (default "
                        "alerts.summit)\n"
                        "  --novelty-changelog-topic T  compacted state "
                        "changelog\n"
                        "                     (default "
                        "<novelty group>-changelog)\n"
                        "  --novelty-window-days N      a repeat older than "
                        "this is new again\n"
                        "  --exit-on-eof      exit once every assigned "
                        "partition is drained\n",
                        ink_cli_common_help);
                ret = r > 0 ? 0 : EXIT_USAGE;
                goto out;
        }
        ink_install_signals();
        ret = ink_novelty_run(&conf, &st);
        fprintf(stderr,
                "novelty: %llu candidates, %llu new, %llu updates, "
                "%llu repeats, %llu invalid, %llu restored\n",
                (unsigned long long)st.consumed,
                (unsigned long long)st.fresh,
                (unsigned long long)st.updates,
                (unsigned long long)st.repeats,
                (unsigned long long)st.invalid,
                (unsigned long long)st.restored);
out:
        ink_conf_destroy(&conf);
        for (int i = 0; i < argc; i++)
                free(store[i]);
        free(store);
        free(args);
        return ret;
}

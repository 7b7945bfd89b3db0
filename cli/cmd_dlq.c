/*
 * `inkstream dlq`: list dead letters, and replay selected ones.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ink/dlq.h"
#include "ink/kafka.h"
#include "cli.h"

static const char *usage_text =
        "usage: inkstream dlq [--brokers B] [--topic articles.dlq] "
        "[--from-beginning]\n"
        "                     [--exit-on-eof] [--json] [--class C]\n"
        "                     [--replay [--to articles.raw] "
        "(--offset [P:]N ... | --all)]\n"
        "Lists dead letters (time, source topic/partition/offset, class, "
        "stage, reason,\n"
        "a preview of the original bytes) or, with --json, one JSON object "
        "per line.\n"
        "--replay re-produces the selected dead letters (original key, value "
        "and\n"
        "headers, without the error headers, plus "
        "inkstream.replayed.from=<topic>:<p>:<o>)\n"
        "to the input topic, reading the dead-letter topic from the start to "
        "its end.\n"
        "  --class C          only dead letters of class C (invalid_input, "
        "too_large, ...)\n"
        "  --offset [P:]N     only the dead letter at offset N (of partition "
        "P); repeatable\n"
        "  --all              replay every selected dead letter\n%s";

/* The options of this command only, taken out of argv before the shared
 * parser sees it.  @returns 0, or -1 on a usage error (printed). */
static int take_own_options(int *argcp, char **argv, ink_dlq_opts_t *o,
                            bool *allp) {
        int argc = *argcp, n = 1;

        for (int i = 1; i < argc; i++) {
                const char *a = argv[i], *val = NULL, *eq;
                size_t alen;

                if (!strcmp(a, "--")) {
                        while (i < argc)
                                argv[n++] = argv[i++];
                        break;
                }
                if (strncmp(a, "--", 2)) {
                        argv[n++] = argv[i];
                        continue;
                }
                eq = strchr(a, '=');
                alen = eq ? (size_t)(eq - a) : strlen(a);
                if ((alen == 8 && !strncmp(a, "--replay", alen)) ||
                    (alen == 5 && !strncmp(a, "--all", alen))) {
                        if (eq) {
                                fprintf(stderr, "inkstream dlq: %.*s takes "
                                        "no value\n", (int)alen, a);
                                return -1;
                        }
                        *(a[2] == 'r' ? &o->replay : allp) = true;
                        continue;
                }
                if (!((alen == 7 && !strncmp(a, "--class", alen)) ||
                      (alen == 4 && !strncmp(a, "--to", alen)) ||
                      (alen == 8 && !strncmp(a, "--offset", alen)))) {
                        argv[n++] = argv[i];
                        continue;
                }
                if (eq) {
                        val = eq + 1;
                } else if (i + 1 < argc) {
                        val = argv[++i];
                } else {
                        fprintf(stderr, "inkstream dlq: %s needs a value\n",
                                a);
                        return -1;
                }
                if (a[2] == 'c') {
                        o->filter.err_class = val;
                } else if (a[2] == 't') {
                        o->to_topic = val;
                } else {
                        ink_dlq_filter_t *f = &o->filter;
                        f->partitions = ink_realloc(
                                f->partitions,
                                (f->noffsets + 1) * sizeof(*f->partitions));
                        f->offsets = ink_realloc(
                                f->offsets,
                                (f->noffsets + 1) * sizeof(*f->offsets));
                        if (ink_dlq_parse_offset(val,
                                                 &f->partitions[f->noffsets],
                                                 &f->offsets[f->noffsets])) {
                                fprintf(stderr, "inkstream dlq: --offset "
                                        "\"%s\": expected N or P:N\n", val);
                                return -1;
                        }
                        f->noffsets++;
                }
        }
        argv[n] = NULL;
        *argcp = n;
        return 0;
}

int ink_cmd_dlq(int argc, char **argv) {
        static const struct option opts[] = {
                COMMON_OPTS,
                {"topic", required_argument, NULL, OPT_TOPIC},
                {"from-beginning", no_argument, NULL, OPT_BEGIN},
                {"exit-on-eof", no_argument, NULL, OPT_EOF},
                {"json", no_argument, NULL, OPT_JSON},
                {NULL, 0, NULL, 0}};
        ink_dlq_opts_t o;
        ink_dlq_stats_t st;
        ink_conf_t conf;
        bool all = false;
        int r, ret = EXIT_USAGE;

        memset(&o, 0, sizeof(o));
        ink_conf_init(&conf);
        if (take_own_options(&argc, argv, &o, &all))
                goto out;
        if ((r = ink_cli_parse_common(argc, argv, opts, &conf,
                                      "dlq.topic"))) {
                fprintf(r > 0 ? stdout : stderr, usage_text,
                        ink_cli_common_help);
                ret = r > 0 ? 0 : EXIT_USAGE;
                goto out;
        }
        if (optind < argc) {
                fprintf(stderr, "inkstream dlq: unexpected argument \"%s\"\n",
                        argv[optind]);
                goto out;
        }
        if (o.replay && !all && !o.filter.noffsets) {
                fprintf(stderr, "inkstream dlq: --replay needs --offset N "
                        "or --all (which dead letters to replay)\n");
                goto out;
        }
        if (!o.replay && (all || o.to_topic)) {
                fprintf(stderr, "inkstream dlq: --all and --to go with "
                        "--replay\n");
                goto out;
        }
        if (all && o.filter.noffsets) {
                fprintf(stderr, "inkstream dlq: --all and --offset exclude "
                        "each other\n");
                goto out;
        }
        if (!o.to_topic)
                o.to_topic = conf.input_topic;
        if (o.replay && !strcmp(o.to_topic, conf.dlq_topic)) {
                fprintf(stderr, "inkstream dlq: refusing to replay %s into "
                        "itself\n", conf.dlq_topic);
                goto out;
        }
        ink_install_signals();
        ret = ink_dlq_run(&conf, &o, stdout, &st);
        fprintf(stderr, "dlq: %llu read from %s, %llu selected",
                (unsigned long long)st.read, conf.dlq_topic,
                (unsigned long long)st.selected);
        if (o.replay)
                fprintf(stderr, ", %llu replayed to %s, %llu failed",
                        (unsigned long long)st.replayed, o.to_topic,
                        (unsigned long long)st.failed);
        if (st.truncated)
                fprintf(stderr, ", %llu cut (not replayed)",
                        (unsigned long long)st.truncated);
        fprintf(stderr, "\n");
out:
        free(o.filter.partitions);
        free(o.filter.offsets);
        ink_conf_destroy(&conf);
        return ret;
}

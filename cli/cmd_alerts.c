/*
 * `inkstream alerts`: read alert records, or deliver them to editors.
 *
 * Without --webhook or --serve it prints the alerts (no group, no
 * commits).  With either it runs the delivery loop in a consumer group
 * (consumers/alert_sink.c): POSTs to the webhook and/or the live page.
 */
#include <errno.h>
#include <stddef.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/delivery.h"
#include "ink/kafka.h"
#include "cli.h"

/* Delivery flags, parsed here before the common options. */
typedef struct dflags_s {
        const char *webhook, *format, *secret_file, *rate, *serve, *group;
        const char *dlq, *timeout, *retries, *history;
} dflags_t;

static const struct {
        const char *name;
        size_t field;
} dflag_names[] = {
        {"webhook", offsetof(dflags_t, webhook)},
        {"webhook-format", offsetof(dflags_t, format)},
        {"webhook-secret-file", offsetof(dflags_t, secret_file)},
        {"webhook-timeout-ms", offsetof(dflags_t, timeout)},
        {"webhook-retries", offsetof(dflags_t, retries)},
        {"rate", offsetof(dflags_t, rate)},
        {"serve", offsetof(dflags_t, serve)},
        {"history", offsetof(dflags_t, history)},
        {"group", offsetof(dflags_t, group)},
        {"alerts-dlq", offsetof(dflags_t, dlq)},
};

/* Moves the delivery flags ("--name V" or "--name=V") of \p argv into
 * \p df, compacting the rest in place.  @returns the new argc, or -1 when
 * a flag lacks its value (printed). */
static int take_dflags(int argc, char **argv, dflags_t *df) {
        int out = 1;

        for (int i = 1; i < argc; i++) {
                const char *a = argv[i], *val = NULL;
                size_t k, n = sizeof(dflag_names) / sizeof(dflag_names[0]);

                if (!strcmp(a, "--")) {
                        while (i < argc)
                                argv[out++] = argv[i++];
                        break;
                }
                for (k = 0; k < n; k++) {
                        size_t l = strlen(dflag_names[k].name);
                        if (strncmp(a, "--", 2) ||
                            strncmp(a + 2, dflag_names[k].name, l))
                                continue;
                        if (a[2 + l] == '=') {
                                val = a + 3 + l;
                                break;
                        }
                        if (a[2 + l] == '\0') {
                                if (i + 1 >= argc) {
                                        fprintf(stderr,
                                                "inkstream alerts: %s needs "
                                                "a value\n", a);
                                        return -1;
                                }
                                val = argv[++i];
                                break;
                        }
                }
                if (k < n)
                        *(const char **)((char *)df + dflag_names[k].field) =
                                val;
                else
                        argv[out++] = argv[i];
        }
        argv[out] = NULL;
        return out;
}

/* Reads the first line of \p path (the shared secret).
 * @returns it (malloc'ed) or NULL (printed). */
static char *read_secret(const char *path) {
        char buf[1024];
        FILE *fp = fopen(path, "r");
        size_t n;

        if (!fp) {
                fprintf(stderr, "inkstream alerts: --webhook-secret-file "
                                "%s: %s\n", path, strerror(errno));
                return NULL;
        }
        n = fread(buf, 1, sizeof(buf) - 1, fp);
        fclose(fp);
        buf[n] = '\0';
        buf[strcspn(buf, "\r\n")] = '\0';
        if (!*buf) {
                fprintf(stderr, "inkstream alerts: --webhook-secret-file "
                                "%s: empty\n", path);
                return NULL;
        }
        return ink_strdup(buf);
}

/* Parses a non-negative number flag.  @returns 0 or -1 (printed). */
static int num_flag(const char *name, const char *s, double *out) {
        char *end;

        errno = 0;
        *out = strtod(s, &end);
        if (errno || end == s || *end || *out < 0) {
                fprintf(stderr, "inkstream alerts: --%s %s: expected a "
                                "non-negative number\n", name, s);
                return -1;
        }
        return 0;
}

/* Fills \p dc from the flags.  *\p secretp receives the secret (owned by
 * caller).  @returns 0 or -1 (printed). */
static int delivery_conf(const dflags_t *df, ink_delivery_conf_t *dc,
                         char **secretp) {
        const char *env = getenv("INK_WEBHOOK_SECRET");
        double v;

        memset(dc, 0, sizeof(*dc));
        dc->group = df->group ? df->group : "inkstream-alerts-delivery";
        dc->dlq_topic = df->dlq;
        dc->serve_addr = df->serve;
        dc->history = 50;
        dc->webhook.url = df->webhook;
        dc->webhook.retries = -1;
        if (df->format && ink_webhook_parse_format(df->format,
                                                   &dc->webhook.format)) {
                fprintf(stderr, "inkstream alerts: --webhook-format %s: "
                                "expected json or slack\n", df->format);
                return -1;
        }
        if (df->rate) {
                if (num_flag("rate", df->rate, &v))
                        return -1;
                dc->webhook.rate = v;
        }
        if (df->timeout) {
                if (num_flag("webhook-timeout-ms", df->timeout, &v))
                        return -1;
                dc->webhook.timeout_ms = (int)v;
        }
        if (df->retries) {
                if (num_flag("webhook-retries", df->retries, &v))
                        return -1;
                dc->webhook.retries = (int)v;
        }
        if (df->history) {
                if (num_flag("history", df->history, &v) || v < 1) {
                        fprintf(stderr, "inkstream alerts: --history must "
                                        "be at least 1\n");
                        return -1;
                }
                dc->history = (int)v;
        }
        if (df->secret_file) {
                if (!(*secretp = read_secret(df->secret_file)))
                        return -1;
        } else if (env && *env) {
                *secretp = ink_strdup(env);
        }
        dc->webhook.secret = *secretp;
        if (!df->webhook && (df->format || df->secret_file || df->rate ||
                             df->timeout || df->retries)) {
                fprintf(stderr, "inkstream alerts: webhook options need "
                                "--webhook URL\n");
                return -1;
        }
        if (!df->webhook && !df->serve &&
            (df->group || df->history || df->dlq)) {
                fprintf(stderr, "inkstream alerts: --group, --history and "
                                "--alerts-dlq need --webhook or --serve\n");
                return -1;
        }
        return 0;
}

/*---- alerts -----------------------------------------------------------------*/

int ink_cmd_alerts(int argc, char **argv) {
        static const struct option opts[] = {
                COMMON_OPTS, {"topic", required_argument, NULL, OPT_TOPIC},
                {"from-beginning", no_argument, NULL, OPT_BEGIN},
                {"exit-on-eof", no_argument, NULL, OPT_EOF},
                {"json", no_argument, NULL, OPT_JSON},
                {NULL, 0, NULL, 0}};
        char **args = ink_calloc((size_t)argc + 1, sizeof(*args));
        ink_delivery_conf_t dc;
        dflags_t df;
        ink_conf_t conf;
        char *secret = NULL;
        int r = -1, ret, nargs;

        memcpy(args, argv, (size_t)argc * sizeof(*args));
        memset(&df, 0, sizeof(df));
        ink_conf_init(&conf);
        if ((nargs = take_dflags(argc, args, &df)) < 0 ||
            (r = ink_cli_parse_common(nargs, args, opts, &conf,
                                      "alerts.topic")) ||
            optind != nargs || delivery_conf(&df, &dc, &secret)) {
                r = nargs < 0 ? -1 : r;
                fprintf(r > 0 ? stdout : stderr,
                        "usage: inkstream alerts [--brokers B] "
                        "[--topic alerts.summit[,T...]] [--from-beginning]\n"
                        "         [--exit-on-eof] [--json]\n"
                        "       inkstream alerts [--webhook URL "
                        "[--webhook-format json|slack]\n"
                        "         [--webhook-secret-file F] [--rate N]] "
                        "[--serve ADDR] [--group G]\n"
                        "Prints alert records readably (or as JSON lines); "
                        "with --webhook or\n--serve, delivers them in a "
                        "consumer group instead, committing each\nalert "
                        "only after it was delivered.\n"
                        "  --webhook URL            POST each alert "
                        "(retried on 5xx/timeouts)\n"
                        "  --webhook-format F       json (the record) or "
                        "slack (a chat message)\n"
                        "  --webhook-secret-file F  sign with HMAC-SHA256 "
                        "(or INK_WEBHOOK_SECRET)\n"
                        "  --webhook-timeout-ms N   per attempt (default "
                        "5000)\n"
                        "  --webhook-retries N      after the first attempt "
                        "(default 6)\n"
                        "  --rate N                 POSTs per second at "
                        "most (default: no limit)\n"
                        "  --serve ADDR             live page and SSE "
                        "stream (e.g. 127.0.0.1:8088)\n"
                        "  --history N              alerts a new viewer "
                        "gets first (default 50)\n"
                        "  --group G                consumer group "
                        "(default inkstream-alerts-delivery)\n"
                        "  --alerts-dlq T           refused or undecodable "
                        "alerts (default alerts.dlq)\n"
                        "%s", ink_cli_common_help);
                ink_conf_destroy(&conf);
                free(secret);
                free(args);
                return r > 0 ? 0 : EXIT_USAGE;
        }
        ink_install_signals();
        if (df.webhook || df.serve)
                ret = ink_alert_sink_run(&conf, &dc, NULL);
        else
                ret = ink_alerts_run(&conf, stdout, NULL);
        ink_conf_destroy(&conf);
        if (secret) {
                memset(secret, 0, strlen(secret));
                free(secret);
        }
        free(args);
        return ret;
}

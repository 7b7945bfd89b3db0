/*
 * `inkstream alerts`: read alert records.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/kafka.h"
#include "cli.h"

/*---- alerts -----------------------------------------------------------------*/

int ink_cmd_alerts(int argc, char **argv) {
        static const struct option opts[] = {
                COMMON_OPTS, {"topic", required_argument, NULL, OPT_TOPIC},
                {"from-beginning", no_argument, NULL, OPT_BEGIN},
                {"exit-on-eof", no_argument, NULL, OPT_EOF},
                {"json", no_argument, NULL, OPT_JSON},
                {NULL, 0, NULL, 0}};
        ink_conf_t conf;
        int r, ret;

        ink_conf_init(&conf);
        if ((r = ink_cli_parse_common(argc, argv, opts, &conf, "alerts.topic")) ||
            optind != argc) {
                fprintf(r > 0 ? stdout : stderr,
                        "usage: inkstream alerts [--brokers B] "
                        "[--topic alerts.summit] [--from-beginning]\n"
                        "         [--exit-on-eof] [--json]\n"
                        "Prints alert records readably (or as JSON lines).\n"
                        "%s", ink_cli_common_help);
                ink_conf_destroy(&conf);
                return r > 0 ? 0 : EXIT_USAGE;
        }
        ink_install_signals();
        ret = ink_alerts_run(&conf, stdout, NULL);
        ink_conf_destroy(&conf);
        return ret;
}


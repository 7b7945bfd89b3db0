/*
 * `inkstream train-sentiment`: trains the news and target sentiment models
 * (include/ink/sentiment.h) and prints their cross-validated / dev figures.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ink/sentiment.h"
#include "cli.h"

enum { O_DATA = 3000, O_MTSC, O_OUTDIR, O_BITS, O_EPOCHS, O_L2, O_LR,
       O_NEWSW, O_FOLDS, O_ONLY, O_TBITS, O_TEPOCHS, O_TL2, O_RUNS };

static const char usage_text[] =
        "usage: inkstream train-sentiment --data DIR --newsmtsc DIR "
        "[--out-dir DIR] [options]\n"
        "Trains the news model on DIR's VADER ground truth (NYT dev half,\n"
        "tweets, movie, Amazon) with group k-fold figures by NYT article,\n"
        "and the target model on NewsMTSC train.jsonl with figures on\n"
        "dev_rw.jsonl and dev_mt.jsonl.  Writes news_model.txt and\n"
        "target_model.txt to --out-dir (none: figures only).\n"
        "  --only news|target   train one model\n"
        "  --bits N --epochs N --l2 X --lr X --news-weight X --folds N\n"
        "                       news model (defaults 20 3 0.1 0.01 20 5)\n"
        "  --target-bits N --target-epochs N --target-l2 X\n"
        "                       target model (defaults 17 6 2e-2)\n"
        "  --runs N             average N runs on different shuffles "
        "(default 1)\n";

/* Parses a number option into \p out; false (message printed) when it is
 * not a number in [lo, hi]. */
static bool num(const char *name, const char *arg, double lo, double hi,
                double *out) {
        char *end;
        double v = strtod(arg, &end);

        if (end == arg || *end || !(v >= lo && v <= hi)) {
                fprintf(stderr, "inkstream train-sentiment: --%s: %s is not "
                        "a number in %g..%g\n", name, arg, lo, hi);
                return false;
        }
        *out = v;
        return true;
}

int ink_cmd_train_sentiment(int argc, char **argv) {
        static const struct option opts[] = {
                {"data", required_argument, NULL, O_DATA},
                {"newsmtsc", required_argument, NULL, O_MTSC},
                {"out-dir", required_argument, NULL, O_OUTDIR},
                {"bits", required_argument, NULL, O_BITS},
                {"epochs", required_argument, NULL, O_EPOCHS},
                {"l2", required_argument, NULL, O_L2},
                {"lr", required_argument, NULL, O_LR},
                {"news-weight", required_argument, NULL, O_NEWSW},
                {"folds", required_argument, NULL, O_FOLDS},
                {"only", required_argument, NULL, O_ONLY},
                {"target-bits", required_argument, NULL, O_TBITS},
                {"target-epochs", required_argument, NULL, O_TEPOCHS},
                {"target-l2", required_argument, NULL, O_TL2},
                {"runs", required_argument, NULL, O_RUNS},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0}};
        ink_senti_train_opts_t no = { .bits = 20, .epochs = 3, .l2 = 0.1,
                                      .lr = 0.01, .news_weight = 20.0,
                                      .folds = 5, .seed = 20140601,
                                      .runs = 1 };
        ink_senti_train_opts_t to = { .bits = 17, .epochs = 6, .l2 = 2e-2,
                                      .lr = 0.01, .folds = 1,
                                      .seed = 20210419, .runs = 1 };
        const char *data = NULL, *mtsc = NULL, *outdir = NULL, *only = NULL;
        char errstr[512], out[4096], train[4096], dev[2][4096];
        const char *devp[2] = { dev[0], dev[1] };
        double v;
        int c;
        ink_rc_t rc;

        optind = 1;
        while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
                switch (c) {
                case O_DATA: data = optarg; break;
                case O_MTSC: mtsc = optarg; break;
                case O_OUTDIR: outdir = optarg; break;
                case O_ONLY: only = optarg; break;
                case O_BITS:
                case O_TBITS:
                        if (!num("bits", optarg, 8, 24, &v))
                                return EXIT_USAGE;
                        (c == O_BITS ? &no : &to)->bits = (unsigned)v;
                        break;
                case O_EPOCHS:
                case O_TEPOCHS:
                        if (!num("epochs", optarg, 1, 1000, &v))
                                return EXIT_USAGE;
                        (c == O_EPOCHS ? &no : &to)->epochs = (unsigned)v;
                        break;
                case O_L2:
                case O_TL2:
                        if (!num("l2", optarg, 0, 1, &v))
                                return EXIT_USAGE;
                        (c == O_L2 ? &no : &to)->l2 = v;
                        break;
                case O_LR:
                        if (!num("lr", optarg, 1e-6, 10, &v))
                                return EXIT_USAGE;
                        no.lr = to.lr = v;
                        break;
                case O_NEWSW:
                        if (!num("news-weight", optarg, 0.01, 100, &v))
                                return EXIT_USAGE;
                        no.news_weight = v;
                        break;
                case O_RUNS:
                        if (!num("runs", optarg, 1, 100, &v))
                                return EXIT_USAGE;
                        no.runs = to.runs = (unsigned)v;
                        break;
                case O_FOLDS:
                        if (!num("folds", optarg, 2, 50, &v))
                                return EXIT_USAGE;
                        no.folds = (unsigned)v;
                        break;
                default:
                        fputs(usage_text, c == 'h' ? stdout : stderr);
                        return c == 'h' ? 0 : EXIT_USAGE;
                }
        }
        if (only && strcmp(only, "news") && strcmp(only, "target")) {
                fprintf(stderr, "inkstream train-sentiment: --only: news or "
                        "target\n");
                return EXIT_USAGE;
        }
        if (optind < argc || (!data && (!only || !strcmp(only, "news"))) ||
            (!mtsc && (!only || !strcmp(only, "target")))) {
                fputs(usage_text, stderr);
                return EXIT_USAGE;
        }
        if (!only || !strcmp(only, "news")) {
                snprintf(out, sizeof(out), "%s/news_model.txt",
                         outdir ? outdir : ".");
                rc = ink_senti_train_news(data, outdir ? out : NULL, &no,
                                          stdout, errstr, sizeof(errstr));
                if (rc) {
                        fprintf(stderr, "inkstream train-sentiment: %s\n",
                                errstr);
                        return 1;
                }
        }
        if (!only || !strcmp(only, "target")) {
                snprintf(out, sizeof(out), "%s/target_model.txt",
                         outdir ? outdir : ".");
                snprintf(train, sizeof(train), "%s/train.jsonl", mtsc);
                snprintf(dev[0], sizeof(dev[0]), "%s/dev_rw.jsonl", mtsc);
                snprintf(dev[1], sizeof(dev[1]), "%s/dev_mt.jsonl", mtsc);
                rc = ink_senti_train_target(train, devp, 2,
                                            outdir ? out : NULL, &to, stdout,
                                            errstr, sizeof(errstr));
                if (rc) {
                        fprintf(stderr, "inkstream train-sentiment: %s\n",
                                errstr);
                        return 1;
                }
        }
        return 0;
}

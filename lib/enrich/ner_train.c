/*
 * NER trainer: an averaged structured perceptron over the hashed features
 * of ner_feat.c, decoded with the same BIO-constrained Viterbi as the
 * tagger, trained on CoNLL files (token<TAB>tag, blank line between
 * sentences, -DOCSTART- lines ignored).  Deterministic: sentences are
 * shuffled with a fixed-seed generator, so the same inputs give the same
 * model file byte for byte.  With --runs R the whole training is repeated
 * with R seeds and the R averaged weight vectors are averaged (a cheap
 * ensemble that removes most of the dependence on the sentence order).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/ner.h"

#define T INK_NER_NTAGS

/* A corpus: every sentence's words, gold tags and features. */
typedef struct corpus_s {
        char **words;           /* all words, owned */
        uint8_t *gold;
        uint8_t *partial;       /* 1: O on a capitalised word may be MISC */
        uint32_t *feats;        /* ntok * INK_NER_MAXF */
        uint8_t *nf;
        size_t ntok, cap;
        size_t *sent;           /* start of each sentence; sent[nsent] = ntok */
        size_t nsent, scap;
} corpus_t;

/* Frees everything \p c owns and empties it. */
static void corpus_free(corpus_t *c) {
        for (size_t i = 0; i < c->ntok; i++)
                free(c->words[i]);
        free(c->words);
        free(c->gold);
        free(c->partial);
        free(c->feats);
        free(c->nf);
        free(c->sent);
        memset(c, 0, sizeof(*c));
}

/* Ends the current sentence if it has words. */
static void corpus_close_sent(corpus_t *c) {
        if (c->ntok == c->sent[c->nsent])
                return;
        if (c->nsent + 2 > c->scap) {
                c->scap *= 2;
                c->sent = ink_realloc(c->sent, c->scap * sizeof(*c->sent));
        }
        c->sent[++c->nsent] = c->ntok;
}

/* @returns whether word \p w starts with an upper-case ASCII letter or a
 * non-ASCII byte (most non-ASCII initials of names are letters). */
static int looks_capitalised(const char *w) {
        return (w[0] >= 'A' && w[0] <= 'Z') || (unsigned char)w[0] >= 0xc0;
}

/* Appends the sentences of CoNLL file \p path to \p c.  With \p partial,
 * O tags on capitalised words are marked uncertain (files without MISC).
 * @returns 0 or -1 with a message on stderr. */
static int corpus_read(corpus_t *c, const char *path, int partial) {
        FILE *fp = fopen(path, "r");
        char line[4096];
        size_t lineno = 0;

        if (!fp) {
                fprintf(stderr, "train-ner: %s: %s\n", path, strerror(errno));
                return -1;
        }
        if (!c->scap) {
                c->scap = 1024;
                c->sent = ink_calloc(c->scap, sizeof(*c->sent));
        }
        while (fgets(line, sizeof(line), fp)) {
                char *tab;
                int tag;
                size_t l = strlen(line);

                lineno++;
                while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
                        line[--l] = '\0';
                if (!l) {
                        corpus_close_sent(c);
                        continue;
                }
                if (!strncmp(line, "-DOCSTART-", 10))
                        continue;
                tab = strrchr(line, '\t');
                if (!tab || tab == line) {
                        fprintf(stderr, "train-ner: %s:%zu: expected "
                                "token<TAB>tag\n", path, lineno);
                        fclose(fp);
                        return -1;
                }
                *tab = '\0';
                tag = ink_ner_tag_parse(tab + 1);
                if (tag < 0) {
                        fprintf(stderr, "train-ner: %s:%zu: unknown tag "
                                "\"%s\"\n", path, lineno, tab + 1);
                        fclose(fp);
                        return -1;
                }
                if (c->ntok == c->cap) {
                        c->cap = c->cap ? c->cap * 2 : 65536;
                        c->words = ink_realloc(c->words,
                                               c->cap * sizeof(*c->words));
                        c->gold = ink_realloc(c->gold, c->cap);
                        c->partial = ink_realloc(c->partial, c->cap);
                }
                c->words[c->ntok] = ink_strdup(line);
                c->gold[c->ntok] = (uint8_t)tag;
                c->partial[c->ntok] = (uint8_t)(partial && tag == INK_NER_O &&
                                                looks_capitalised(line));
                c->ntok++;
        }
        corpus_close_sent(c);
        fclose(fp);
        return 0;
}

/* Computes the features of every sentence once. */
static void corpus_features(corpus_t *c) {
        c->feats = ink_malloc((c->ntok ? c->ntok : 1) * INK_NER_MAXF *
                              sizeof(*c->feats));
        c->nf = ink_malloc(c->ntok ? c->ntok : 1);
        for (size_t s = 0; s < c->nsent; s++) {
                size_t b = c->sent[s], n = c->sent[s + 1] - b;
                ink_ner_bio_repair(c->gold + b, n);
                ink_ner_features((const char *const *)c->words + b, n,
                                 c->feats + b * INK_NER_MAXF, c->nf + b);
        }
}

/*---- Perceptron ----------------------------------------------------------*/

typedef struct percep_s {
        unsigned bits;
        uint32_t mask;
        size_t nw;
        float *w;               /* weights */
        double *u;              /* c-weighted update sums */
        float tr[(T + 1) * T];
        double tru[(T + 1) * T];
        double c;               /* update counter */
} percep_t;

/* Emission scores of words [b, b + n) of \p c under weights \p w. */
static void emissions(const percep_t *p, const float *w, const corpus_t *c,
                      size_t b, size_t n, float *emit) {
        for (size_t i = 0; i < n; i++) {
                const uint32_t *f = c->feats + (b + i) * INK_NER_MAXF;
                float *e = emit + i * T;
                memset(e, 0, T * sizeof(*e));
                for (unsigned k = 0; k < c->nf[b + i]; k++) {
                        const float *row = w + (size_t)(f[k] & p->mask) * T;
                        for (int t = 0; t < T; t++)
                                e[t] += row[t];
                }
        }
}

/* Adds \p d to the weight of tag \p t for every feature of word \p i. */
static void update_word(percep_t *p, const corpus_t *c, size_t i, int t,
                        float d) {
        const uint32_t *f = c->feats + i * INK_NER_MAXF;
        for (unsigned k = 0; k < c->nf[i]; k++) {
                size_t j = (size_t)(f[k] & p->mask) * T + (size_t)t;
                p->w[j] += d;
                p->u[j] += d * p->c;
        }
}

/* Adds \p d to the transition weight prev -> t. */
static void update_trans(percep_t *p, int prev, int t, float d) {
        p->tr[prev * T + t] += d;
        p->tru[prev * T + t] += d * p->c;
}

/* One perceptron step on sentence \p s.  The target is the gold sequence,
 * or for partially labelled sentences the best sequence consistent with
 * the known labels. */
static void train_sentence(percep_t *p, const corpus_t *c, size_t s,
                           float *emit, uint8_t *bp, uint8_t *pred,
                           uint8_t *target) {
        size_t b = c->sent[s], n = c->sent[s + 1] - b;
        int any_partial = 0;

        emissions(p, p->w, c, b, n, emit);
        ink_ner_viterbi(emit, n, p->tr, bp, pred);
        memcpy(target, c->gold + b, n);
        for (size_t i = 0; i < n; i++)
                any_partial |= c->partial[b + i];
        if (any_partial) {
                for (size_t i = 0; i < n; i++)
                        for (int t = 0; t < T; t++) {
                                int ok = t == c->gold[b + i] ||
                                         (c->partial[b + i] &&
                                          (t == INK_NER_B_MISC ||
                                           t == INK_NER_I_MISC));
                                if (!ok)
                                        emit[i * T + t] = -1e30f;
                        }
                ink_ner_viterbi(emit, n, p->tr, bp, target);
        }
        for (size_t i = 0; i < n; i++) {
                int gp = i ? target[i - 1] : T, pp = i ? pred[i - 1] : T;
                if (pred[i] != target[i]) {
                        update_word(p, c, b + i, target[i], 1.0f);
                        update_word(p, c, b + i, pred[i], -1.0f);
                }
                if (pred[i] != target[i] || gp != pp) {
                        update_trans(p, gp, target[i], 1.0f);
                        update_trans(p, pp, pred[i], -1.0f);
                }
        }
        p->c += 1.0;
}

/* Averaged weights: w - u / c. */
static void average(const percep_t *p, float *aw, float *atr) {
        double ic = p->c > 0 ? 1.0 / p->c : 0.0;
        for (size_t j = 0; j < p->nw; j++)
                aw[j] = (float)(p->w[j] - p->u[j] * ic);
        for (int j = 0; j < (T + 1) * T; j++)
                atr[j] = (float)(p->tr[j] - p->tru[j] * ic);
}

/*---- Evaluation ----------------------------------------------------------*/

typedef struct span_s {
        size_t b, e;
        int type;
} span_t;

/* Collects the spans of tag sequence \p tags into \p out.  @returns the
 * count. */
static size_t spans_of(const uint8_t *tags, size_t n, span_t *out) {
        size_t k = 0;
        for (size_t i = 0; i < n;) {
                size_t j;
                if (tags[i] == INK_NER_O) {
                        i++;
                        continue;
                }
                for (j = i + 1; j < n && INK_NER_IS_I(tags[j]) &&
                     INK_NER_TYPE(tags[j]) == INK_NER_TYPE(tags[i]); j++)
                        ;
                out[k].b = i;
                out[k].e = j;
                out[k].type = INK_NER_TYPE(tags[i]);
                k++;
                i = j;
        }
        return k;
}

/* Precision, recall and F1 from true positives, predicted and gold. */
static void prf(size_t tp, size_t np, size_t ng, double *p, double *r,
                double *f) {
        *p = np ? (double)tp / (double)np : 0.0;
        *r = ng ? (double)tp / (double)ng : 0.0;
        *f = *p + *r > 0 ? 2 * *p * *r / (*p + *r) : 0.0;
}

/* Tags corpus \p c with weights (aw, atr) and prints span-exact scores.
 * @returns the micro F1. */
/* Prints the words of span \p sp with its type. */
static void print_span(const char *kind, const corpus_t *c, size_t b,
                       const span_t *sp) {
        printf("    %s %-4s", kind, ink_ent_type_name(sp->type));
        for (size_t i = sp->b; i < sp->e; i++)
                printf(" %s", c->words[b + i]);
        printf("\n");
}

static double evaluate(const percep_t *p, const float *aw, const float *atr,
                       const corpus_t *c, int verbose, size_t show_errors) {
        size_t tp[INK_ENT_TYPE_CNT] = { 0 }, np[INK_ENT_TYPE_CNT] = { 0 },
               ng[INK_ENT_TYPE_CNT] = { 0 };
        size_t maxn = 1, stp = 0, snp = 0, sng = 0;
        float *emit;
        uint8_t *bp, *pred;
        span_t *gs, *ps;
        double pr, rc, f1;

        for (size_t s = 0; s < c->nsent; s++)
                if (c->sent[s + 1] - c->sent[s] > maxn)
                        maxn = c->sent[s + 1] - c->sent[s];
        emit = ink_malloc(maxn * T * sizeof(*emit));
        bp = ink_malloc(maxn * T);
        pred = ink_malloc(maxn);
        gs = ink_malloc(maxn * sizeof(*gs));
        ps = ink_malloc(maxn * sizeof(*ps));
        for (size_t s = 0; s < c->nsent; s++) {
                size_t b = c->sent[s], n = c->sent[s + 1] - b, ngs, nps;
                emissions(p, aw, c, b, n, emit);
                ink_ner_viterbi(emit, n, atr, bp, pred);
                ngs = spans_of(c->gold + b, n, gs);
                nps = spans_of(pred, n, ps);
                for (size_t i = 0; i < ngs; i++) {
                        size_t j;
                        ng[gs[i].type]++;
                        for (j = 0; j < nps; j++)
                                if (gs[i].b == ps[j].b && gs[i].e == ps[j].e &&
                                    gs[i].type == ps[j].type)
                                        break;
                        if (j == nps && show_errors) {
                                print_span("FN", c, b, &gs[i]);
                                show_errors--;
                        }
                }
                for (size_t j = 0; j < nps; j++) {
                        size_t i;
                        np[ps[j].type]++;
                        for (i = 0; i < ngs; i++)
                                if (gs[i].b == ps[j].b && gs[i].e == ps[j].e &&
                                    gs[i].type == ps[j].type) {
                                        tp[ps[j].type]++;
                                        break;
                                }
                        if (i == ngs && show_errors) {
                                print_span("FP", c, b, &ps[j]);
                                show_errors--;
                        }
                }
        }
        for (int t = 0; t < INK_ENT_TYPE_CNT; t++) {
                stp += tp[t];
                snp += np[t];
                sng += ng[t];
                if (verbose) {
                        prf(tp[t], np[t], ng[t], &pr, &rc, &f1);
                        printf("  %-5s gold %5zu pred %5zu  P %.3f R %.3f "
                               "F1 %.3f\n", ink_ent_type_name(t), ng[t],
                               np[t], pr, rc, f1);
                }
        }
        prf(stp, snp, sng, &pr, &rc, &f1);
        if (verbose)
                printf("  all   gold %5zu pred %5zu  P %.3f R %.3f F1 %.3f\n",
                       sng, snp, pr, rc, f1);
        free(emit);
        free(bp);
        free(pred);
        free(gs);
        free(ps);
        return f1;
}

/*---- Main ----------------------------------------------------------------*/

/* xorshift64: the fixed-seed generator of the epoch shuffles. */
static uint64_t rng_next(uint64_t *s) {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        return *s;
}

/* Prints the options to stderr. */
static void usage(void) {
        fprintf(stderr,
                "usage: inkstream train-ner --train FILE... "
                "[--partial FILE...] [--dev FILE]\n"
                "       [--epochs N] [--seed N] [--bits B] [--out FILE] "
                "[--errors N] [--runs R]\n"
                "  --train    CoNLL files (token<TAB>BIO tag)\n"
                "  --partial  CoNLL files without MISC: O on capitalised "
                "words may be MISC\n"
                "  --dev      CoNLL file scored after every epoch "
                "(span-exact P/R/F1)\n"
                "  --epochs   passes over the data (default 10)\n"
                "  --seed     shuffle seed (default 1)\n"
                "  --bits     hash table of 2^B buckets (default 18)\n"
                "  --out      model file to write (default model.bin)\n"
                "  --errors   print N dev errors after the last epoch\n"
                "  --runs     train R times with seeds seed..seed+R-1 and "
                "average the\n"
                "             R averaged models (default 1; at most 64)\n");
}

int ink_ner_train_main(int argc, char **argv) {
        corpus_t train = { 0 }, dev = { 0 };
        const char *devpath = NULL, *out = "model.bin";
        unsigned epochs = 10, bits = 18, runs = 1;
        size_t show_errors = 0;
        uint64_t seed = 1, rs;
        size_t *order = NULL, maxn = 1;
        percep_t p = { 0 };
        float *emit = NULL, *aw = NULL, *sw = NULL, atr[(T + 1) * T];
        float str[(T + 1) * T] = { 0 };
        uint8_t *bp = NULL, *pred = NULL, *target = NULL;
        int mode = 0, rc = 1;   /* mode 1: --train files, 2: --partial */
        int64_t t0 = ink_mono_us();

        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (!strcmp(a, "--train")) {
                        mode = 1;
                } else if (!strcmp(a, "--partial")) {
                        mode = 2;
                } else if (i + 1 < argc && !strcmp(a, "--dev")) {
                        devpath = argv[++i];
                        mode = 0;
                } else if (i + 1 < argc && !strcmp(a, "--epochs")) {
                        epochs = (unsigned)strtoul(argv[++i], NULL, 10);
                        mode = 0;
                } else if (i + 1 < argc && !strcmp(a, "--seed")) {
                        seed = strtoull(argv[++i], NULL, 10);
                        mode = 0;
                } else if (i + 1 < argc && !strcmp(a, "--runs")) {
                        runs = (unsigned)strtoul(argv[++i], NULL, 10);
                        mode = 0;
                } else if (i + 1 < argc && !strcmp(a, "--bits")) {
                        bits = (unsigned)strtoul(argv[++i], NULL, 10);
                        mode = 0;
                } else if (i + 1 < argc && !strcmp(a, "--errors")) {
                        show_errors = strtoul(argv[++i], NULL, 10);
                        mode = 0;
                } else if (i + 1 < argc && !strcmp(a, "--out")) {
                        out = argv[++i];
                        mode = 0;
                } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
                        usage();
                        return 0;
                } else if (mode && a[0] != '-') {
                        if (corpus_read(&train, a, mode == 2))
                                goto out;
                } else {
                        fprintf(stderr, "train-ner: unknown argument %s\n", a);
                        usage();
                        goto out;
                }
        }
        if (!train.nsent || bits < 8 || bits > 24 || !epochs || !runs ||
            runs > 64) {
                usage();
                goto out;
        }
        if (devpath && corpus_read(&dev, devpath, 0))
                goto out;
        corpus_features(&train);
        if (devpath)
                corpus_features(&dev);
        printf("train-ner: %zu sentences, %zu words; dev %zu sentences; "
               "2^%u buckets\n", train.nsent, train.ntok, dev.nsent, bits);

        p.bits = bits;
        p.mask = ((uint32_t)1 << bits) - 1;
        p.nw = ((size_t)1 << bits) * T;
        p.w = ink_malloc(p.nw * sizeof(float));
        p.u = ink_malloc(p.nw * sizeof(double));
        aw = ink_malloc(p.nw * sizeof(float));
        sw = ink_calloc(p.nw, sizeof(float));
        order = ink_malloc(train.nsent * sizeof(*order));
        for (size_t s = 0; s < train.nsent; s++)
                if (train.sent[s + 1] - train.sent[s] > maxn)
                        maxn = train.sent[s + 1] - train.sent[s];
        emit = ink_malloc(maxn * T * sizeof(*emit));
        bp = ink_malloc(maxn * T);
        pred = ink_malloc(maxn);
        target = ink_malloc(maxn);

        for (unsigned r = 0; r < runs; r++) {
                memset(p.w, 0, p.nw * sizeof(float));
                memset(p.u, 0, p.nw * sizeof(double));
                memset(p.tr, 0, sizeof(p.tr));
                memset(p.tru, 0, sizeof(p.tru));
                p.c = 1.0;
                for (size_t s = 0; s < train.nsent; s++)
                        order[s] = s;
                rs = (seed + r) * 0x9e3779b97f4a7c15ULL +
                     0x2545f4914f6cdd1dULL;
                if (!rs)
                        rs = 1;
                for (unsigned ep = 1; ep <= epochs; ep++) {
                        for (size_t s = train.nsent; s > 1; s--) {
                                size_t j = (size_t)(rng_next(&rs) % s), tmp;
                                tmp = order[s - 1];
                                order[s - 1] = order[j];
                                order[j] = tmp;
                        }
                        for (size_t s = 0; s < train.nsent; s++)
                                train_sentence(&p, &train, order[s], emit, bp,
                                               pred, target);
                        if (devpath) {
                                average(&p, aw, atr);
                                printf("seed %llu epoch %u (%.1f s):\n",
                                       (unsigned long long)(seed + r), ep,
                                       (double)(ink_mono_us() - t0) / 1e6);
                                evaluate(&p, aw, atr, &dev, 1,
                                         ep == epochs && runs == 1 ?
                                         show_errors : 0);
                                fflush(stdout);
                        }
                }
                average(&p, aw, atr);
                for (size_t j = 0; j < p.nw; j++)
                        sw[j] += aw[j] / (float)runs;
                for (int j = 0; j < (T + 1) * T; j++)
                        str[j] += atr[j] / (float)runs;
        }
        memcpy(aw, sw, p.nw * sizeof(float));
        memcpy(atr, str, sizeof(atr));
        if (devpath && runs > 1) {
                printf("average of %u runs:\n", runs);
                evaluate(&p, aw, atr, &dev, 1, show_errors);
        }
        if (ink_ner_model_write(out, bits, aw, atr)) {
                fprintf(stderr, "train-ner: writing %s: %s\n", out,
                        strerror(errno));
                goto out;
        }
        printf("train-ner: wrote %s in %.1f s\n", out,
               (double)(ink_mono_us() - t0) / 1e6);
        rc = 0;
out:
        corpus_free(&train);
        corpus_free(&dev);
        free(p.w);
        free(p.u);
        free(aw);
        free(sw);
        free(order);
        free(emit);
        free(bp);
        free(pred);
        free(target);
        return rc;
}

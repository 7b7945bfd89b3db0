/*
 * NER model: the binary model file (reading, validation, writing), the
 * tag set, BIO repair and Viterbi decoding.  The file format is described
 * in include/ink/ner.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/ner.h"

#define T INK_NER_NTAGS
_Static_assert(INK_NER_NTAGS == 9, "ink_ner_tag sums nine tags");
#define HDR_SIZE 32
#define NAME_SIZE 8
#define MAX_BITS 24
#define MAX_WORDS (1u << 20)

static const char *const tag_names[T] = {
        "O", "B-PER", "I-PER", "B-ORG", "I-ORG",
        "B-LOC", "I-LOC", "B-MISC", "I-MISC",
};

struct ink_ner_model_s {
        unsigned bits;
        uint32_t mask;
        float inv_scale;
        float trans[(T + 1) * T];
        const int16_t *w;       /* 2^bits * T, borrowed or owned */
        int16_t *owned;         /* copy when the image was misaligned */
};

const char *ink_ner_tag_name(int t) {
        return t >= 0 && t < T ? tag_names[t] : NULL;
}

int ink_ner_tag_parse(const char *s) {
        for (int t = 0; t < T; t++)
                if (!strcmp(s, tag_names[t]))
                        return t;
        return -1;
}

/* @returns whether tag \p t may follow tag \p p (p == T: sentence start). */
static int valid_trans(int p, int t) {
        if (!INK_NER_IS_I(t))
                return 1;
        return p != T && p != INK_NER_O && (p + 1) / 2 == (t + 1) / 2;
}

size_t ink_ner_bio_repair(uint8_t *tags, size_t n) {
        size_t changed = 0;
        for (size_t i = 0; i < n; i++) {
                int p = i ? tags[i - 1] : T;
                if (tags[i] >= T) {
                        tags[i] = INK_NER_O;
                        changed++;
                } else if (!valid_trans(p, tags[i])) {
                        tags[i] = (uint8_t)(tags[i] - 1);  /* I-X -> B-X */
                        changed++;
                }
        }
        return changed;
}

void ink_ner_viterbi(const float *emit, size_t n, const float *trans,
                     uint8_t *bp, uint8_t *tags) {
        float cur[T], prev[T], tv[(T + 1) * T];
        int best;

        if (!n)
                return;
        /* transitions with the BIO constraint folded in */
        for (int p = 0; p <= T; p++)
                for (int t = 0; t < T; t++)
                        tv[p * T + t] = valid_trans(p, t) ?
                                trans[p * T + t] : -INFINITY;
        for (int t = 0; t < T; t++)
                prev[t] = tv[T * T + t] + emit[t];
        for (size_t i = 1; i < n; i++) {
                for (int t = 0; t < T; t++) {
                        float bs = -INFINITY;
                        int bpv = 0;
                        for (int p = 0; p < T; p++) {
                                float s = prev[p] + tv[p * T + t];
                                if (s > bs) {
                                        bs = s;
                                        bpv = p;
                                }
                        }
                        cur[t] = bs + emit[i * T + t];
                        bp[i * T + t] = (uint8_t)bpv;
                }
                memcpy(prev, cur, sizeof(prev));
        }
        best = 0;
        for (int t = 1; t < T; t++)
                if (prev[t] > prev[best])
                        best = t;
        for (size_t i = n; i-- > 0;) {
                tags[i] = (uint8_t)best;
                if (i)
                        best = bp[i * T + best];
        }
}

/*---- Reading -------------------------------------------------------------*/

/* Little-endian readers and writers of the model file fields. */
static uint32_t rd32(const unsigned char *p) {
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
               (uint32_t)p[3] << 24;
}

static float rdf(const unsigned char *p) {
        uint32_t u = rd32(p);
        float f;
        memcpy(&f, &u, sizeof(f));
        return f;
}

ink_ner_model_t *ink_ner_model_load(const void *buf, size_t len,
                                    char *errstr, size_t errstr_size) {
        const unsigned char *p = buf;
        ink_ner_model_t *m = NULL;
        unsigned version, ntags, bits, fver;
        uint32_t gh;
        float scale;
        size_t need, off;

        if (!buf || len < HDR_SIZE || memcmp(p, INK_NER_MAGIC, 6)) {
                snprintf(errstr, errstr_size,
                         "NER model: bad magic (not an INKNER file)");
                return NULL;
        }
        version = (unsigned)p[6] | (unsigned)p[7] << 8;
        ntags = rd32(p + 8);
        bits = rd32(p + 12);
        fver = rd32(p + 16);
        gh = rd32(p + 20);
        scale = rdf(p + 24);
        if (version != INK_NER_FORMAT_VERSION) {
                snprintf(errstr, errstr_size,
                         "NER model: format version %u, this build reads %u",
                         version, INK_NER_FORMAT_VERSION);
                return NULL;
        }
        if (ntags != T) {
                snprintf(errstr, errstr_size,
                         "NER model: %u tags, expected %d", ntags, T);
                return NULL;
        }
        if (bits < 8 || bits > MAX_BITS) {
                snprintf(errstr, errstr_size,
                         "NER model: hash bits %u out of range 8..%d", bits,
                         MAX_BITS);
                return NULL;
        }
        if (fver != INK_NER_FEAT_VERSION) {
                snprintf(errstr, errstr_size,
                         "NER model: feature version %u, this build has %d "
                         "(retrain with inkstream train-ner)", fver,
                         INK_NER_FEAT_VERSION);
                return NULL;
        }
        if (gh != ink_ner_gazetteer_hash()) {
                snprintf(errstr, errstr_size,
                         "NER model: trained with another gazetteer "
                         "(hash %08x, data/ner/gazetteer.txt has %08x); "
                         "retrain", gh, ink_ner_gazetteer_hash());
                return NULL;
        }
        if (!(scale > 0.0f) || !isfinite(scale)) {
                snprintf(errstr, errstr_size, "NER model: bad scale");
                return NULL;
        }
        need = HDR_SIZE + (size_t)T * NAME_SIZE + 4 * (size_t)(T + 1) * T +
               2 * ((size_t)1 << bits) * T;
        if (len != need) {
                snprintf(errstr, errstr_size,
                         "NER model: %zu bytes, expected %zu for %u hash "
                         "bits (truncated or corrupt)", len, need, bits);
                return NULL;
        }
        off = HDR_SIZE;
        for (int t = 0; t < T; t++, off += NAME_SIZE) {
                if (strncmp((const char *)p + off, tag_names[t], NAME_SIZE)) {
                        snprintf(errstr, errstr_size,
                                 "NER model: tag %d is not %s", t,
                                 tag_names[t]);
                        return NULL;
                }
        }
        m = ink_calloc(1, sizeof(*m));
        m->bits = bits;
        m->mask = ((uint32_t)1 << bits) - 1;
        m->inv_scale = 1.0f / scale;
        for (int i = 0; i < (T + 1) * T; i++, off += 4)
                m->trans[i] = rdf(p + off);
        if ((uintptr_t)(p + off) & 1) {
                m->owned = ink_malloc(len - off);
                memcpy(m->owned, p + off, len - off);
                m->w = m->owned;
        } else {
                m->w = (const int16_t *)(const void *)(p + off);
        }
        return m;
}

void ink_ner_model_destroy(ink_ner_model_t *m) {
        if (!m)
                return;
        free(m->owned);
        free(m);
}

/*---- Tagging -------------------------------------------------------------*/

/* Confidence of each chosen tag: a softmax over the tags of word i of the
 * max-marginals (best score of a valid sequence through tag t at i),
 * computed with one forward and one backward max-product pass. */
static void max_marginal_conf(const float *emit, size_t n, const float *trans,
                              const uint8_t *tags, float *conf) {
        float *al = ink_malloc(n * T * sizeof(*al));
        float *be = ink_malloc(n * T * sizeof(*be));

        for (int t = 0; t < T; t++)
                al[t] = (valid_trans(T, t) ? trans[T * T + t] : -INFINITY) +
                        emit[t];
        for (size_t i = 1; i < n; i++)
                for (int t = 0; t < T; t++) {
                        float bs = -INFINITY;
                        for (int p = 0; p < T; p++)
                                if (valid_trans(p, t) &&
                                    al[(i - 1) * T + p] + trans[p * T + t] > bs)
                                        bs = al[(i - 1) * T + p] +
                                             trans[p * T + t];
                        al[i * T + t] = bs + emit[i * T + t];
                }
        for (int t = 0; t < T; t++)
                be[(n - 1) * T + t] = 0.0f;
        for (size_t i = n - 1; i-- > 0;)
                for (int t = 0; t < T; t++) {
                        float bs = -INFINITY;
                        for (int x = 0; x < T; x++) {
                                float v;
                                if (!valid_trans(t, x))
                                        continue;
                                v = trans[t * T + x] + emit[(i + 1) * T + x] +
                                    be[(i + 1) * T + x];
                                if (v > bs)
                                        bs = v;
                        }
                        be[i * T + t] = bs;
                }
        for (size_t i = 0; i < n; i++) {
                float mine = al[i * T + tags[i]] + be[i * T + tags[i]];
                float z = 0.0f;
                for (int t = 0; t < T; t++) {
                        float v = al[i * T + t] + be[i * T + t] - mine;
                        if (v > -30.0f)
                                z += expf(v);
                }
                conf[i] = z > 0.0f ? 1.0f / z : 0.0f;
        }
        free(al);
        free(be);
}

int ink_ner_tag(const ink_ner_model_t *m, const char *const *words,
                size_t n, uint8_t *tags, float *conf) {
        uint32_t *feats;
        uint8_t *nf, *bp;
        float *emit;

        if (n > MAX_WORDS)
                return -1;
        if (!n)
                return 0;
        feats = ink_malloc(n * INK_NER_MAXF * sizeof(*feats));
        nf = ink_malloc(n);
        bp = ink_malloc(n * T);
        emit = ink_malloc(n * T * sizeof(*emit));

        ink_ner_features(words, n, feats, nf);
        /* Buckets become row offsets; the rows of word i + 1 are
         * prefetched while word i is summed (the table is bigger than L2,
         * so the time goes to these loads). */
        for (size_t i = 0; i < n; i++) {
                uint32_t *f = feats + i * INK_NER_MAXF;
                for (unsigned k = 0; k < nf[i]; k++)
                        f[k] = (f[k] & m->mask) * T;
        }
        for (unsigned k = 0; k < nf[0]; k++)
                __builtin_prefetch(m->w + feats[k]);
        for (size_t i = 0; i < n; i++) {
                /* nine sums kept in registers (T == 9) */
                int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0,
                        a6 = 0, a7 = 0, a8 = 0;
                const uint32_t *f = feats + i * INK_NER_MAXF;
                float *e = emit + i * T;
                if (i + 1 < n)
                        for (unsigned k = 0; k < nf[i + 1]; k++)
                                __builtin_prefetch(m->w + f[INK_NER_MAXF + k]);
                for (unsigned k = 0; k < nf[i]; k++) {
                        const int16_t *r = m->w + f[k];
                        a0 += r[0];
                        a1 += r[1];
                        a2 += r[2];
                        a3 += r[3];
                        a4 += r[4];
                        a5 += r[5];
                        a6 += r[6];
                        a7 += r[7];
                        a8 += r[8];
                }
                e[0] = (float)a0 * m->inv_scale;
                e[1] = (float)a1 * m->inv_scale;
                e[2] = (float)a2 * m->inv_scale;
                e[3] = (float)a3 * m->inv_scale;
                e[4] = (float)a4 * m->inv_scale;
                e[5] = (float)a5 * m->inv_scale;
                e[6] = (float)a6 * m->inv_scale;
                e[7] = (float)a7 * m->inv_scale;
                e[8] = (float)a8 * m->inv_scale;
        }
        ink_ner_viterbi(emit, n, m->trans, bp, tags);

        if (conf)
                max_marginal_conf(emit, n, m->trans, tags, conf);
        free(feats);
        free(nf);
        free(bp);
        free(emit);
        return 0;
}

/*---- Writing -------------------------------------------------------------*/

static void wr32(unsigned char *p, uint32_t v) {
        p[0] = (unsigned char)v;
        p[1] = (unsigned char)(v >> 8);
        p[2] = (unsigned char)(v >> 16);
        p[3] = (unsigned char)(v >> 24);
}

static void wrf(unsigned char *p, float f) {
        uint32_t u;
        memcpy(&u, &f, sizeof(u));
        wr32(p, u);
}

int ink_ner_model_write(const char *path, unsigned bits, const float *w,
                        const float *trans) {
        size_t nw = ((size_t)1 << bits) * T;
        size_t hlen = HDR_SIZE + (size_t)T * NAME_SIZE + 4 * (size_t)(T + 1) * T;
        unsigned char *hdr = ink_calloc(1, hlen);
        unsigned char *wb = ink_malloc(2 * nw);
        float maxabs = 0.0f, scale;
        size_t off;
        FILE *fp;
        int rc = -1;

        for (size_t i = 0; i < nw; i++)
                if (fabsf(w[i]) > maxabs)
                        maxabs = fabsf(w[i]);
        scale = maxabs > 0.0f ? 32767.0f / maxabs : 1.0f;
        memcpy(hdr, INK_NER_MAGIC, 6);
        hdr[6] = INK_NER_FORMAT_VERSION & 0xff;
        hdr[7] = INK_NER_FORMAT_VERSION >> 8;
        wr32(hdr + 8, T);
        wr32(hdr + 12, bits);
        wr32(hdr + 16, INK_NER_FEAT_VERSION);
        wr32(hdr + 20, ink_ner_gazetteer_hash());
        wrf(hdr + 24, scale);
        off = HDR_SIZE;
        for (int t = 0; t < T; t++, off += NAME_SIZE)
                memcpy(hdr + off, tag_names[t], strlen(tag_names[t]));
        for (int i = 0; i < (T + 1) * T; i++, off += 4)
                wrf(hdr + off, trans[i]);
        for (size_t i = 0; i < nw; i++) {
                long q = lrintf(w[i] * scale);
                uint16_t u = (uint16_t)(int16_t)(q > 32767 ? 32767 :
                                                 q < -32767 ? -32767 : q);
                wb[2 * i] = (unsigned char)u;
                wb[2 * i + 1] = (unsigned char)(u >> 8);
        }
        fp = fopen(path, "wb");
        if (!fp)
                goto out;
        if (fwrite(hdr, 1, hlen, fp) != hlen ||
            fwrite(wb, 1, 2 * nw, fp) != 2 * nw) {
                int e = errno;
                fclose(fp);
                errno = e;
                goto out;
        }
        if (fclose(fp))
                goto out;
        rc = 0;
out:
        free(hdr);
        free(wb);
        return rc;
}

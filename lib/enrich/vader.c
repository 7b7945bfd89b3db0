/*
 * VADER sentiment: a port of vaderSentiment 3.3.2 (SentimentIntensity-
 * Analyzer.polarity_scores) to C.  Every rule below names the reference
 * method it mirrors; the order of floating-point operations is kept so
 * that results agree bit for bit where the tokenisation agrees.
 *
 * The lexicons are parsed once into open-addressing hash tables; scoring
 * keeps its per-call state in a stack scratch buffer (spilling to the heap
 * only for long texts), so ink_vader_score() is thread-safe.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include <utf8proc.h>

#include "ink/core.h"
#include "ink/vader.h"

#define LEXICON_PATH "data/sentiment/vader_lexicon.txt"
#define EMOJI_PATH   "data/sentiment/emoji_utf8_lexicon.txt"

/* Constants of the reference, same names. */
#define B_INCR   0.293
#define B_DECR  -0.293
#define C_INCR   0.733
#define N_SCALAR -0.74

/*---- Word tables ---------------------------------------------------------*/

/* Entry flags: one lookup answers lexicon, booster and negation at once. */
#define E_LEX       0x01        /* in vader_lexicon.txt */
#define E_BOOST_INC 0x02        /* BOOSTER_DICT value B_INCR */
#define E_BOOST_DEC 0x04        /* BOOSTER_DICT value B_DECR */
#define E_NEG       0x08        /* in NEGATE */

static const char *const negate_words[] = {
        "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt",
        "doesnt", "ain't", "aren't", "can't", "couldn't", "daren't",
        "didn't", "doesn't", "dont", "hadnt", "hasnt", "havent", "isnt",
        "mightnt", "mustnt", "neither", "don't", "hadn't", "hasn't",
        "haven't", "isn't", "mightn't", "mustn't", "neednt", "needn't",
        "never", "none", "nope", "nor", "not", "nothing", "nowhere",
        "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
        "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
        "without", "wont", "wouldnt", "won't", "wouldn't", "rarely",
        "seldom", "despite",
};

static const char *const booster_inc[] = {
        "absolutely", "amazingly", "awfully", "completely", "considerable",
        "considerably", "decidedly", "deeply", "effing", "enormous",
        "enormously", "entirely", "especially", "exceptional",
        "exceptionally", "extreme", "extremely", "fabulously", "flipping",
        "flippin", "frackin", "fracking", "fricking", "frickin", "frigging",
        "friggin", "fully", "fuckin", "fucking", "fuggin", "fugging",
        "greatly", "hella", "highly", "hugely", "incredible", "incredibly",
        "intensely", "major", "majorly", "more", "most", "particularly",
        "purely", "quite", "really", "remarkably", "so", "substantially",
        "thoroughly", "total", "totally", "tremendous", "tremendously",
        "uber", "unbelievably", "unusually", "utter", "utterly", "very",
};

static const char *const booster_dec[] = {
        "almost", "barely", "hardly", "just enough", "kind of", "kinda",
        "kindof", "kind-of", "less", "little", "marginal", "marginally",
        "occasional", "occasionally", "partly", "scarce", "scarcely",
        "slight", "slightly", "somewhat", "sort of", "sorta", "sortof",
        "sort-of",
};

/* SPECIAL_CASES: idioms and phrases containing lexicon words. */
static const struct {
        const char *phrase;
        double valence;
} special_cases[] = {
        { "the shit", 3 }, { "the bomb", 3 }, { "bad ass", 1.5 },
        { "badass", 1.5 }, { "bus stop", 0.0 }, { "yeah right", -2 },
        { "kiss of death", -1.5 }, { "to die for", 3 },
        { "beating heart", 3.5 },
};

#define ARRAY_CNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct lex_entry_s {
        const char *key;        /* borrowed: the resource or a literal */
        uint32_t hash;
        uint16_t len;
        uint16_t flags;         /* E_* */
        double valence;         /* lexicon mean valence when E_LEX */
} lex_entry_t;

typedef struct emoji_entry_s {
        uint32_t cp;            /* 0 = empty slot */
        uint32_t len;
        const char *desc;       /* borrowed from the resource */
} emoji_entry_t;

struct ink_vader_s {
        lex_entry_t *lex;
        size_t lex_mask;
        emoji_entry_t *emoji;
        size_t emoji_mask;
};

/* FNV-1a over \p n bytes. */
static uint32_t hash_bytes(const char *s, size_t n) {
        uint32_t h = 2166136261u;

        for (size_t i = 0; i < n; i++) {
                h ^= (unsigned char)s[i];
                h *= 16777619u;
        }
        return h;
}

/* Returns the slot of \p key (n bytes) in the word table: its entry, or
 * the empty slot where it would go. */
static lex_entry_t *lex_slot(const ink_vader_t *vd, const char *key,
                             size_t n) {
        uint32_t h = hash_bytes(key, n);
        size_t i = h & vd->lex_mask;

        for (;;) {
                lex_entry_t *e = &vd->lex[i];
                if (!e->key || (e->hash == h && e->len == n &&
                                !memcmp(e->key, key, n)))
                        return e;
                i = (i + 1) & vd->lex_mask;
        }
}

/* Adds \p flags (and, with E_LEX, \p valence: a later duplicate wins, as
 * in the reference's dict) to the entry for \p key. */
static void lex_add(ink_vader_t *vd, const char *key, size_t n,
                    uint16_t flags, double valence) {
        lex_entry_t *e = lex_slot(vd, key, n);

        if (!e->key) {
                e->key = key;
                e->hash = hash_bytes(key, n);
                e->len = (uint16_t)n;
        }
        e->flags |= flags;
        if (flags & E_LEX)
                e->valence = valence;
}

/* Returns the entry for \p key or NULL. */
static const lex_entry_t *lex_find(const ink_vader_t *vd, const char *key,
                                   size_t n) {
        const lex_entry_t *e = lex_slot(vd, key, n);

        return e->key ? e : NULL;
}

/* Returns the emoji description slot for code point \p cp. */
static emoji_entry_t *emoji_slot(const ink_vader_t *vd, uint32_t cp) {
        size_t i = (cp * 2654435761u) & vd->emoji_mask;

        while (vd->emoji[i].cp && vd->emoji[i].cp != cp)
                i = (i + 1) & vd->emoji_mask;
        return &vd->emoji[i];
}

/* Returns the number of lines in \p n bytes of \p s (upper bound of
 * entries). */
static size_t count_lines(const char *s, size_t n) {
        size_t c = 1;

        for (size_t i = 0; i < n; i++)
                c += s[i] == '\n';
        return c;
}

static size_t pow2_at_least(size_t n) {
        size_t p = 64;

        while (p < n)
                p <<= 1;
        return p;
}

/* Python's str.strip() for the ASCII whitespace a lexicon line can hold:
 * narrows [*bp, *ep). */
static void strip_ascii_space(const char **bp, const char **ep) {
        while (*bp < *ep && (**bp == ' ' || (**bp >= '\t' && **bp <= '\r')))
                (*bp)++;
        while (*ep > *bp && ((*ep)[-1] == ' ' ||
                             ((*ep)[-1] >= '\t' && (*ep)[-1] <= '\r')))
                (*ep)--;
}

/* Parses vader_lexicon.txt (TOKEN<TAB>MEAN<TAB>...) as make_lex_dict()
 * does.  Returns 0, or -1 with \p errstr set. */
static int load_lexicon(ink_vader_t *vd, const char *s, size_t n,
                        char *errstr, size_t errstr_size) {
        const char *end = s + n;
        size_t lineno = 0;
        size_t cnt = 0;

        while (s < end) {
                const char *nl = memchr(s, '\n', (size_t)(end - s));
                const char *b = s, *e = nl ? nl : end;
                const char *tab, *vend;
                char num[64];
                double v;
                char *numend;

                s = nl ? nl + 1 : end;
                lineno++;
                strip_ascii_space(&b, &e);
                if (b == e)
                        continue;
                tab = memchr(b, '\t', (size_t)(e - b));
                if (!tab || tab == b || tab - b > 0xffff) {
                        snprintf(errstr, errstr_size,
                                 "%s line %zu: no TOKEN<TAB>MEAN",
                                 LEXICON_PATH, lineno);
                        return -1;
                }
                vend = memchr(tab + 1, '\t', (size_t)(e - tab - 1));
                if (!vend)
                        vend = e;
                if (vend - tab - 1 <= 0 ||
                    (size_t)(vend - tab - 1) >= sizeof(num)) {
                        snprintf(errstr, errstr_size,
                                 "%s line %zu: bad valence field",
                                 LEXICON_PATH, lineno);
                        return -1;
                }
                memcpy(num, tab + 1, (size_t)(vend - tab - 1));
                num[vend - tab - 1] = '\0';
                v = strtod(num, &numend);
                if (numend == num || *numend) {
                        snprintf(errstr, errstr_size,
                                 "%s line %zu: valence \"%s\" is not a "
                                 "number", LEXICON_PATH, lineno, num);
                        return -1;
                }
                lex_add(vd, b, (size_t)(tab - b), E_LEX, v);
                cnt++;
        }
        if (!cnt) {
                snprintf(errstr, errstr_size, "%s is empty", LEXICON_PATH);
                return -1;
        }
        return 0;
}

/* Parses emoji_utf8_lexicon.txt (EMOJI<TAB>description).  Only keys of
 * one code point can ever match, since the reference compares each
 * character of the text with the keys; the others are skipped. */
static void load_emoji(ink_vader_t *vd, const char *s, size_t n) {
        const char *end = s + n;

        while (s < end) {
                const char *nl = memchr(s, '\n', (size_t)(end - s));
                const char *b = s, *e = nl ? nl : end;
                const char *tab, *dend;
                utf8proc_int32_t cp;
                utf8proc_ssize_t k;
                emoji_entry_t *slot;

                s = nl ? nl + 1 : end;
                strip_ascii_space(&b, &e);
                tab = memchr(b, '\t', (size_t)(e - b));
                if (!tab || tab == b)
                        continue;
                k = utf8proc_iterate((const utf8proc_uint8_t *)b, tab - b,
                                     &cp);
                if (k != tab - b || cp <= 0)
                        continue;
                dend = memchr(tab + 1, '\t', (size_t)(e - tab - 1));
                if (!dend)
                        dend = e;
                slot = emoji_slot(vd, (uint32_t)cp);
                slot->cp = (uint32_t)cp;
                slot->desc = tab + 1;
                slot->len = (uint32_t)(dend - tab - 1);
        }
}

ink_vader_t *ink_vader_new(char *errstr, size_t errstr_size) {
        ink_vader_t *vd = NULL;
        const char *lex, *emo;
        size_t lex_len, emo_len, cap;

        lex = ink_resource_get(LEXICON_PATH, &lex_len);
        emo = ink_resource_get(EMOJI_PATH, &emo_len);
        if (!lex || !emo) {
                snprintf(errstr, errstr_size, "resource %s not embedded",
                         lex ? EMOJI_PATH : LEXICON_PATH);
                return NULL;
        }
        vd = ink_calloc(1, sizeof(*vd));
        cap = pow2_at_least(2 * (count_lines(lex, lex_len) + 256));
        vd->lex = ink_calloc(cap, sizeof(*vd->lex));
        vd->lex_mask = cap - 1;
        cap = pow2_at_least(2 * count_lines(emo, emo_len));
        vd->emoji = ink_calloc(cap, sizeof(*vd->emoji));
        vd->emoji_mask = cap - 1;

        if (load_lexicon(vd, lex, lex_len, errstr, errstr_size) < 0)
                goto fail;
        load_emoji(vd, emo, emo_len);
        for (size_t i = 0; i < ARRAY_CNT(negate_words); i++)
                lex_add(vd, negate_words[i], strlen(negate_words[i]), E_NEG,
                        0);
        for (size_t i = 0; i < ARRAY_CNT(booster_inc); i++)
                lex_add(vd, booster_inc[i], strlen(booster_inc[i]),
                        E_BOOST_INC, 0);
        for (size_t i = 0; i < ARRAY_CNT(booster_dec); i++)
                lex_add(vd, booster_dec[i], strlen(booster_dec[i]),
                        E_BOOST_DEC, 0);
        return vd;
fail:
        ink_vader_destroy(vd);
        return NULL;
}

void ink_vader_destroy(ink_vader_t *vd) {
        if (!vd)
                return;
        free(vd->lex);
        free(vd->emoji);
        free(vd);
}

double ink_vader_lexicon_valence(const ink_vader_t *vd, const char *word) {
        const lex_entry_t *e = lex_find(vd, word, strlen(word));

        return e && (e->flags & E_LEX) ? e->valence : 0.0;
}

/*---- Per-call scratch memory ---------------------------------------------*/

#define SCRATCH_STACK 16384
#define SCRATCH_HEAP_MAX 4

typedef struct scratch_s {
        char *buf;
        size_t used, size;
        void *heap[SCRATCH_HEAP_MAX];
        int nheap;
} scratch_t;

/* Returns \p n bytes (8-byte aligned) from the stack buffer, or from one
 * heap block per request when the buffer is full (at most
 * SCRATCH_HEAP_MAX requests per call are made). */
static void *scratch_alloc(scratch_t *sc, size_t n) {
        size_t off = (sc->used + 7) & ~(size_t)7;
        void *p;

        if (off + n <= sc->size) {
                sc->used = off + n;
                return sc->buf + off;
        }
        INK_ASSERT(sc->nheap < SCRATCH_HEAP_MAX);
        p = ink_malloc(n ? n : 1);
        sc->heap[sc->nheap++] = p;
        return p;
}

static void scratch_free(scratch_t *sc) {
        for (int i = 0; i < sc->nheap; i++)
                free(sc->heap[i]);
}

/*---- Text helpers mirroring Python str semantics -------------------------*/

/* Decodes one code point at \p p (\p rem bytes left) into \p cpp.
 * Returns its byte length; an invalid byte counts as one code point. */
static size_t decode(const char *p, size_t rem, int32_t *cpp) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k;

        if ((unsigned char)*p < 0x80) {
                *cpp = (unsigned char)*p;
                return 1;
        }
        k = utf8proc_iterate((const utf8proc_uint8_t *)p,
                             (utf8proc_ssize_t)(rem > 4 ? 4 : rem), &cp);
        if (k <= 0) {
                *cpp = -1;
                return 1;
        }
        *cpp = cp;
        return (size_t)k;
}

/* Returns the byte length of the whitespace character at \p p (as
 * Python's str.split() sees whitespace), or 0. */
static size_t space_len(const char *p, size_t rem) {
        unsigned char c = (unsigned char)*p;
        int32_t cp;
        size_t k;

        if (c < 0x80)
                return (c == ' ' || (c >= '\t' && c <= '\r') ||
                        (c >= 0x1c && c <= 0x1f)) ? 1 : 0;
        if (c != 0xc2 && c != 0xe1 && c != 0xe2 && c != 0xe3)
                return 0;
        k = decode(p, rem, &cp);
        switch (cp) {
        case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029:
        case 0x202f: case 0x205f: case 0x3000:
                return k;
        default:
                return cp >= 0x2000 && cp <= 0x200a ? k : 0;
        }
}

/* string.punctuation */
static bool is_punct(unsigned char c) {
        return c < 0x80 && strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
                                  c) && c;
}

/* Python's str.isupper(): at least one cased character and no lower- or
 * title-case one. */
static bool py_isupper(const char *s, size_t n) {
        bool cased = false;

        for (size_t i = 0; i < n;) {
                unsigned char c = (unsigned char)s[i];
                int32_t cp;

                if (c < 0x80) {
                        if (c >= 'a' && c <= 'z')
                                return false;
                        if (c >= 'A' && c <= 'Z')
                                cased = true;
                        i++;
                        continue;
                }
                i += decode(s + i, n - i, &cp);
                if (cp < 0)
                        continue;
                switch (utf8proc_category(cp)) {
                case UTF8PROC_CATEGORY_LL:
                case UTF8PROC_CATEGORY_LT:
                        return false;
                case UTF8PROC_CATEGORY_LU:
                        cased = true;
                        break;
                default:
                        break;
                }
        }
        return cased;
}

/* Writes the lower case of \p n bytes of \p s to \p dst (room for 2n+1
 * bytes) with a NUL.  Returns the length written. */
static size_t lower(const char *s, size_t n, char *dst) {
        size_t o = 0;

        for (size_t i = 0; i < n;) {
                unsigned char c = (unsigned char)s[i];
                int32_t cp;
                size_t k;

                if (c < 0x80) {
                        dst[o++] = (char)(c >= 'A' && c <= 'Z' ?
                                          c + 32 : c);
                        i++;
                        continue;
                }
                k = decode(s + i, n - i, &cp);
                if (cp < 0) {
                        dst[o++] = (char)c;
                } else {
                        o += (size_t)utf8proc_encode_char(
                                utf8proc_tolower(cp),
                                (utf8proc_uint8_t *)dst + o);
                }
                i += k;
        }
        dst[o] = '\0';
        return o;
}

/*---- Emoji replacement (polarity_scores, first loop) ---------------------*/

/* Replaces each emoji by its description as the reference does: a space
 * is put before the description unless the previous character was a
 * space, none after.  Returns the text to score (\p text itself when it
 * holds no emoji) and its length in \p lenp. */
static const char *replace_emoji(const ink_vader_t *vd, scratch_t *sc,
                                 const char *text, size_t len, size_t *lenp) {
        size_t outlen = 0, i, o;
        bool prev_space = true, found = false;
        char *out;

        *lenp = len;
        for (i = 0; i < len; i++)
                if ((unsigned char)text[i] >= 0x80)
                        break;
        if (i == len)
                return text;

        /* Pass 1: the output length. */
        for (i = 0; i < len;) {
                int32_t cp;
                size_t k = decode(text + i, len - i, &cp);
                const emoji_entry_t *e = cp > 0x7f ?
                        emoji_slot(vd, (uint32_t)cp) : NULL;

                if (e && e->cp) {
                        outlen += (prev_space ? 0 : 1) + e->len;
                        prev_space = false;
                        found = true;
                } else {
                        outlen += k;
                        prev_space = cp == ' ';
                }
                i += k;
        }
        if (!found)
                return text;

        /* Pass 2: the copy. */
        out = scratch_alloc(sc, outlen + 1);
        prev_space = true;
        for (i = 0, o = 0; i < len;) {
                int32_t cp;
                size_t k = decode(text + i, len - i, &cp);
                const emoji_entry_t *e = cp > 0x7f ?
                        emoji_slot(vd, (uint32_t)cp) : NULL;

                if (e && e->cp) {
                        if (!prev_space)
                                out[o++] = ' ';
                        memcpy(out + o, e->desc, e->len);
                        o += e->len;
                        prev_space = false;
                } else {
                        memcpy(out + o, text + i, k);
                        o += k;
                        prev_space = cp == ' ';
                }
                i += k;
        }
        out[o] = '\0';
        *lenp = o;
        return out;
}

/*---- Tokenisation (SentiText) --------------------------------------------*/

#define W_UPPER 0x100           /* str.isupper() of the word as written */
#define W_NEG   0x200           /* negated([word]): NEGATE or "n't" */

typedef struct vword_s {
        const char *lo;         /* lower case, NUL-terminated */
        uint32_t lolen;
        uint16_t flags;         /* E_* of the lexicon entry, W_* */
        double lex;             /* lexicon valence when E_LEX */
} vword_t;

/* Returns the number of whitespace-separated tokens of \p s. */
static size_t count_tokens(const char *s, size_t n) {
        size_t cnt = 0;
        bool in = false;

        for (size_t i = 0; i < n;) {
                size_t k = space_len(s + i, n - i);

                if (k) {
                        in = false;
                        i += k;
                } else {
                        if (!in)
                                cnt++;
                        in = true;
                        i++;
                }
        }
        return cnt;
}

/* Splits \p s into words as SentiText._words_and_emoticons() does: split
 * on whitespace, strip string.punctuation from both ends unless that
 * leaves two code points or fewer (then the token is kept whole, as an
 * emoticon).  Fills \p w (room for count_tokens()) with lower-cased forms
 * written to \p lobuf (room for 2n + count + 1 bytes).  Returns the count. */
static size_t tokenize(const ink_vader_t *vd, const char *s, size_t n,
                       vword_t *w, char *lobuf) {
        size_t nw = 0;

        for (size_t i = 0; i < n;) {
                size_t k = space_len(s + i, n - i);
                size_t b, e, sb, se, ncp = 0;
                const lex_entry_t *ent;

                if (k) {
                        i += k;
                        continue;
                }
                b = i;
                while (i < n && !space_len(s + i, n - i))
                        i++;
                e = i;
                sb = b;
                se = e;
                while (sb < se && is_punct((unsigned char)s[sb]))
                        sb++;
                while (se > sb && is_punct((unsigned char)s[se - 1]))
                        se--;
                for (size_t j = sb; j < se && ncp <= 2; j++)
                        ncp += ((unsigned char)s[j] & 0xc0) != 0x80;
                if (ncp <= 2) {
                        sb = b;
                        se = e;
                }
                w[nw].lo = lobuf;
                w[nw].lolen = (uint32_t)lower(s + sb, se - sb, lobuf);
                lobuf += w[nw].lolen + 1;
                w[nw].flags = py_isupper(s + sb, se - sb) ? W_UPPER : 0;
                w[nw].lex = 0.0;
                ent = lex_find(vd, w[nw].lo, w[nw].lolen);
                if (ent) {
                        w[nw].flags |= ent->flags;
                        w[nw].lex = ent->valence;
                }
                if ((w[nw].flags & E_NEG) || strstr(w[nw].lo, "n't"))
                        w[nw].flags |= W_NEG;
                nw++;
        }
        return nw;
}

/*---- The rules (SentimentIntensityAnalyzer) ------------------------------*/

typedef struct vctx_s {
        const ink_vader_t *vd;
        const vword_t *w;
        size_t n;
        bool cap_diff;
} vctx_t;

static bool is(const vctx_t *c, size_t i, const char *word) {
        return !strcmp(c->w[i].lo, word);
}

static bool in_lex(const vctx_t *c, size_t i) {
        return c->w[i].flags & E_LEX;
}

/* scalar_inc_dec(): the booster/dampener contribution of word \p j to a
 * valence \p valence. */
static double scalar_inc_dec(const vctx_t *c, size_t j, double valence) {
        double scalar;
        uint16_t f = c->w[j].flags;

        if (!(f & (E_BOOST_INC | E_BOOST_DEC)))
                return 0.0;
        scalar = (f & E_BOOST_INC) ? B_INCR : B_DECR;
        if (valence < 0)
                scalar *= -1;
        if ((f & W_UPPER) && c->cap_diff) {
                if (valence > 0)
                        scalar += C_INCR;
                else
                        scalar -= C_INCR;
        }
        return scalar;
}

/* _negation_check() for the word \p start_i + 1 places before \p i.
 * The start_i == 2 condition keeps the reference's operator precedence:
 * (never and (so or this)) or (so or this). */
static double negation_check(const vctx_t *c, double valence, int start_i,
                             size_t i) {
        if (start_i == 0) {
                if (c->w[i - 1].flags & W_NEG)
                        valence = valence * N_SCALAR;
        } else if (start_i == 1) {
                if (is(c, i - 2, "never") &&
                    (is(c, i - 1, "so") || is(c, i - 1, "this")))
                        valence = valence * 1.25;
                else if (is(c, i - 2, "without") && is(c, i - 1, "doubt"))
                        ;
                else if (c->w[i - 2].flags & W_NEG)
                        valence = valence * N_SCALAR;
        } else {
                if ((is(c, i - 3, "never") &&
                     (is(c, i - 2, "so") || is(c, i - 2, "this"))) ||
                    (is(c, i - 1, "so") || is(c, i - 1, "this")))
                        valence = valence * 1.25;
                else if (is(c, i - 3, "without") &&
                         (is(c, i - 2, "doubt") || is(c, i - 1, "doubt")))
                        ;
                else if (c->w[i - 3].flags & W_NEG)
                        valence = valence * N_SCALAR;
        }
        return valence;
}

/* Joins the lower-case words [from, from + cnt) with single spaces into
 * \p buf.  Returns false when the phrase does not fit (then it matches
 * none of the short phrases of the tables). */
static bool join(const vctx_t *c, size_t from, size_t cnt, char *buf,
                 size_t size) {
        size_t o = 0;

        for (size_t k = 0; k < cnt; k++) {
                const vword_t *w = &c->w[from + k];
                if (o + w->lolen + 2 > size)
                        return false;
                if (k)
                        buf[o++] = ' ';
                memcpy(buf + o, w->lo, w->lolen);
                o += w->lolen;
        }
        buf[o] = '\0';
        return true;
}

/* Looks the phrase of words [from, from + cnt) up in SPECIAL_CASES. */
static bool special_case(const vctx_t *c, size_t from, size_t cnt,
                         double *valp) {
        char buf[64];

        if (!join(c, from, cnt, buf, sizeof(buf)))
                return false;
        for (size_t k = 0; k < ARRAY_CNT(special_cases); k++)
                if (!strcmp(buf, special_cases[k].phrase)) {
                        *valp = special_cases[k].valence;
                        return true;
                }
        return false;
}

/* Looks the phrase of words [from, from + cnt) up in BOOSTER_DICT. */
static bool booster_phrase(const vctx_t *c, size_t from, size_t cnt,
                           double *valp) {
        char buf[64];
        const lex_entry_t *e;

        if (!join(c, from, cnt, buf, sizeof(buf)))
                return false;
        e = lex_find(c->vd, buf, strlen(buf));
        if (!e || !(e->flags & (E_BOOST_INC | E_BOOST_DEC)))
                return false;
        *valp = (e->flags & E_BOOST_INC) ? B_INCR : B_DECR;
        return true;
}

/* _special_idioms_check() for word \p i (i >= 3). */
static double special_idioms_check(const vctx_t *c, double valence,
                                   size_t i) {
        /* onezero, twoonezero, twoone, threetwoone, threetwo */
        static const struct { int from; int cnt; } seqs[] = {
                { 1, 2 }, { 2, 3 }, { 2, 2 }, { 3, 3 }, { 3, 2 },
        };
        /* threetwoone, threetwo, twoone */
        static const struct { int from; int cnt; } ngrams[] = {
                { 3, 3 }, { 3, 2 }, { 2, 2 },
        };
        double v;

        for (size_t k = 0; k < ARRAY_CNT(seqs); k++)
                if (special_case(c, i - seqs[k].from, seqs[k].cnt, &v)) {
                        valence = v;
                        break;
                }
        if (c->n - 1 > i && special_case(c, i, 2, &v))
                valence = v;
        if (c->n - 1 > i + 1 && special_case(c, i, 3, &v))
                valence = v;
        for (size_t k = 0; k < ARRAY_CNT(ngrams); k++)
                if (booster_phrase(c, i - ngrams[k].from, ngrams[k].cnt, &v))
                        valence = valence + v;
        return valence;
}

/* _least_check() */
static double least_check(const vctx_t *c, double valence, size_t i) {
        if (i > 1 && !in_lex(c, i - 1) && is(c, i - 1, "least")) {
                if (!is(c, i - 2, "at") && !is(c, i - 2, "very"))
                        valence = valence * N_SCALAR;
        } else if (i > 0 && !in_lex(c, i - 1) && is(c, i - 1, "least")) {
                valence = valence * N_SCALAR;
        }
        return valence;
}

/* sentiment_valence(): the valence of word \p i. */
static double sentiment_valence(const vctx_t *c, size_t i) {
        const vword_t *w = c->w;
        double valence;

        if (!in_lex(c, i))
                return 0.0;
        valence = w[i].lex;
        if (is(c, i, "no") && i != c->n - 1 && in_lex(c, i + 1))
                valence = 0.0;
        if ((i > 0 && is(c, i - 1, "no")) ||
            (i > 1 && is(c, i - 2, "no")) ||
            (i > 2 && is(c, i - 3, "no") &&
             (is(c, i - 1, "or") || is(c, i - 1, "nor"))))
                valence = w[i].lex * N_SCALAR;

        if ((w[i].flags & W_UPPER) && c->cap_diff) {
                if (valence > 0)
                        valence += C_INCR;
                else
                        valence -= C_INCR;
        }

        for (int start_i = 0; start_i < 3; start_i++) {
                size_t j;
                double s;

                if (!(i > (size_t)start_i))
                        continue;
                j = i - (size_t)(start_i + 1);
                if (in_lex(c, j))
                        continue;
                s = scalar_inc_dec(c, j, valence);
                if (start_i == 1 && s != 0)
                        s = s * 0.95;
                if (start_i == 2 && s != 0)
                        s = s * 0.9;
                valence = valence + s;
                valence = negation_check(c, valence, start_i, i);
                if (start_i == 2)
                        valence = special_idioms_check(c, valence, i);
        }
        return least_check(c, valence, i);
}

/* _but_check(), with the reference's list.index() semantics: for each
 * position k in turn, the FIRST element equal to the current value at k
 * is the one scaled (x0.5 before "but", x1.5 after).  That search is
 * quadratic, so over BUT_QUADRATIC_MAX words (no real sentence) each word
 * scales itself instead: linear time, the reference's intent. */
#define BUT_QUADRATIC_MAX 1000
static void but_check(const vctx_t *c, double *s) {
        size_t bi, n = c->n;

        for (bi = 0; bi < n; bi++)
                if (is(c, bi, "but"))
                        break;
        if (bi == n)
                return;
        for (size_t k = 0; k < n; k++) {
                double v = s[k];
                size_t si = 0;

                if (n > BUT_QUADRATIC_MAX)
                        si = k;         /* bounded time, see above */
                else
                        while (s[si] != v)
                                si++;
                if (si < bi)
                        s[si] = v * 0.5;
                else if (si > bi)
                        s[si] = v * 1.5;
        }
}

/* _punctuation_emphasis() over the (emoji-replaced) text. */
static double punctuation_emphasis(const char *t, size_t n) {
        size_t ep = 0, qm = 0;
        double ep_amp, qm_amp = 0;

        for (size_t i = 0; i < n; i++) {
                ep += t[i] == '!';
                qm += t[i] == '?';
        }
        if (ep > 4)
                ep = 4;
        ep_amp = (double)ep * 0.292;
        if (qm > 1)
                qm_amp = qm <= 3 ? (double)qm * 0.18 : 0.96;
        return ep_amp + qm_amp;
}

/* normalize(score, alpha=15) */
static double normalize(double score) {
        double norm = score / sqrt((score * score) + 15);

        if (norm < -1.0)
                return -1.0;
        if (norm > 1.0)
                return 1.0;
        return norm;
}

/* score_valence() without the final rounding. */
static void score_valence(const double *s, size_t n, const char *t,
                          size_t tlen, ink_sentiment_t *out) {
        double sum = 0.0, amp, pos_sum = 0.0, neg_sum = 0.0, total;
        size_t neu = 0;

        if (!n) {
                memset(out, 0, sizeof(*out));
                return;
        }
        for (size_t i = 0; i < n; i++)
                sum += s[i];
        amp = punctuation_emphasis(t, tlen);
        if (sum > 0)
                sum += amp;
        else if (sum < 0)
                sum -= amp;
        out->compound = normalize(sum);

        for (size_t i = 0; i < n; i++) {
                if (s[i] > 0)
                        pos_sum += (s[i] + 1);
                if (s[i] < 0)
                        neg_sum += (s[i] - 1);
                if (s[i] == 0)
                        neu++;
        }
        if (pos_sum > fabs(neg_sum))
                pos_sum += amp;
        else if (pos_sum < fabs(neg_sum))
                neg_sum -= amp;
        total = pos_sum + fabs(neg_sum) + (double)neu;
        out->positive = fabs(pos_sum / total);
        out->negative = fabs(neg_sum / total);
        out->neutral = fabs((double)neu / total);
}

/* The common body of ink_vader_score() and ink_vader_analyse(): \p det
 * may be NULL (plain score into \p out). */
static size_t analyse(const ink_vader_t *vd, const char *text, size_t len,
                      ink_sentiment_t *out, ink_vader_detail_t *det,
                      ink_vader_word_cb cb, void *opaque) {
        char stackbuf[SCRATCH_STACK];
        scratch_t sc = { .buf = stackbuf, .size = sizeof(stackbuf) };
        const char *t;
        size_t tlen, ntok, nupper = 0;
        vword_t *w;
        double *s;
        vctx_t c;

        t = replace_emoji(vd, &sc, text, len, &tlen);
        ntok = count_tokens(t, tlen);
        w = scratch_alloc(&sc, ntok * sizeof(*w));
        s = scratch_alloc(&sc, ntok * sizeof(*s));
        c.vd = vd;
        c.w = w;
        c.n = tokenize(vd, t, tlen,
                       w, scratch_alloc(&sc, 2 * tlen + ntok + 1));

        /* allcap_differential() */
        for (size_t i = 0; i < c.n; i++)
                nupper += (w[i].flags & W_UPPER) != 0;
        c.cap_diff = c.n - nupper > 0 && c.n - nupper < c.n;

        for (size_t i = 0; i < c.n; i++) {
                if (w[i].flags & (E_BOOST_INC | E_BOOST_DEC))
                        s[i] = 0.0;
                else if (i < c.n - 1 && is(&c, i, "kind") &&
                         is(&c, i + 1, "of"))
                        s[i] = 0.0;
                else
                        s[i] = sentiment_valence(&c, i);
        }
        but_check(&c, s);
        score_valence(s, c.n, t, tlen, out);
        if (det) {
                memset(&det->pos_sum, 0, sizeof(*det) -
                       offsetof(ink_vader_detail_t, pos_sum));
                det->nwords = (uint32_t)c.n;
                det->ncaps = (uint32_t)nupper;
                for (size_t i = 0; i < tlen; i++) {
                        det->nexcl += t[i] == '!';
                        det->nquest += t[i] == '?';
                }
                for (size_t i = 0; i < c.n; i++) {
                        unsigned f = 0;

                        if (s[i] > 0)
                                det->pos_sum += s[i];
                        else if (s[i] < 0)
                                det->neg_sum += s[i];
                        det->nsent += s[i] != 0;
                        if (w[i].flags & W_NEG) {
                                det->nneg++;
                                f |= INK_VW_NEG;
                        }
                        if (w[i].flags & (E_BOOST_INC | E_BOOST_DEC)) {
                                det->nboost++;
                                f |= INK_VW_BOOST;
                        }
                        if (w[i].flags & W_UPPER)
                                f |= INK_VW_CAPS;
                        if (w[i].flags & E_LEX)
                                f |= INK_VW_LEX;
                        det->nbut += is(&c, i, "but");
                        if (cb)
                                cb(opaque, i, w[i].lo, w[i].lolen, s[i], f);
                }
        }
        scratch_free(&sc);
        return c.n;
}

size_t ink_vader_score(const ink_vader_t *vd, const char *text, size_t len,
                       ink_sentiment_t *out) {
        return analyse(vd, text, len, out, NULL, NULL, NULL);
}

size_t ink_vader_analyse(const ink_vader_t *vd, const char *text, size_t len,
                         ink_vader_detail_t *det, ink_vader_word_cb cb,
                         void *opaque) {
        return analyse(vd, text, len, &det->s, det, cb, opaque);
}

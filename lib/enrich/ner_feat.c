/*
 * NER features: per-word hashed feature templates shared by the tagger
 * and the trainer, and the gazetteer (data/ner/gazetteer.txt) they use.
 *
 * Each word is summarised once (hashes of the word, its lower-case form
 * and its shape, title and gazetteer classes); the templates then combine
 * those summaries of the word and its neighbours without string work.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "ink/ner.h"

#define GAZ_RESOURCE "data/ner/gazetteer.txt"
#define GAZ_MAXLEN 6            /* longest entry, in words */

/* Feature templates (their numbers are part of the model: never reuse). */
enum {
        F_BIAS = 1, F_WORD, F_LOWER, F_SHAPE,
        F_PRE1, F_PRE2, F_PRE3, F_PRE4,
        F_SUF1, F_SUF2, F_SUF3, F_SUF4,
        F_LM1, F_LM2, F_LP1, F_LP2,
        F_SHM1, F_SHP1, F_SHM1_SH, F_SH_SHP1,
        F_LM1_L, F_L_LP1,
        F_START_SH, F_TITLE_M1, F_TITLE_M2, F_IS_TITLE,
        F_GAZ, F_GAZ_M1, F_GAZ_P1, F_GAZ_SH,
        F_TITLE_M1_SH, F_LM1_SH, F_SH_LP1, F_LEN,
        F_WM1, F_WP1
};

/*---- Hashing -------------------------------------------------------------*/

/* FNV-1a over \p n bytes, continuing from \p h. */
static uint64_t fnv64(uint64_t h, const void *p, size_t n) {
        const unsigned char *s = p;
        for (size_t i = 0; i < n; i++) {
                h ^= s[i];
                h *= 0x100000001b3ULL;
        }
        return h;
}

#define FNV_INIT 0xcbf29ce484222325ULL

/* splitmix64 finaliser. */
static uint64_t mix64(uint64_t x) {
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9ULL;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebULL;
        x ^= x >> 31;
        return x;
}

/* The 32-bit hash of template \p tpl with value \p v. */
static uint32_t feat(unsigned tpl, uint64_t v) {
        return (uint32_t)(mix64(v ^ ((uint64_t)tpl * 0x9e3779b97f4a7c15ULL))
                          >> 32);
}

/* Combines two value hashes (order matters). */
static uint64_t pair(uint64_t a, uint64_t b) {
        return mix64(a * 31 + b + 0x632be59bd9b4e019ULL);
}

/*---- Title cues ----------------------------------------------------------*/

static const char *const titles[] = {
        "president", "vice", "prime", "minister", "secretary", "general",
        "gen.", "lt.", "lieutenant", "mr.", "mr", "mrs.", "mrs", "ms.", "ms",
        "dr.", "dr", "sir", "king", "queen", "prince", "princess", "pope",
        "chancellor", "senator", "sen.", "rep.", "representative",
        "governor", "gov.", "mayor", "ambassador", "envoy", "judge",
        "justice", "spokesman", "spokeswoman", "spokesperson", "chairman",
        "chairwoman", "ceo", "director", "professor", "prof.", "colonel",
        "col.", "captain", "capt.", "sgt.", "sergeant", "commander",
        "admiral", "adm.", "lord", "lady", "leader", "premier", "sheikh",
        "president-elect", "coach", "bishop", "archbishop", "rev.",
        "reverend", "cardinal", "emperor", "chief", "officer", "st.",
        "dame", "mrs", "nominee", "candidate", "actor", "singer", "author",
        "striker", "manager", "founder", "economist", "analyst", "activist",
};

/* Hashes of the title cues (FNV of the lower-case word), filled once
 * with the gazetteer. */
static uint64_t title_hash[sizeof(titles) / sizeof(titles[0])];

/*---- Gazetteer (and title set) ---------------------------------------------*/

/* Open-addressing set of entry hashes (FNV of the words joined by one
 * space) with the entry's type (1 = LOC, 2 = ORG, 3 = PER, 4 = MISC). */
typedef struct gaz_s {
        uint64_t *keys;
        uint8_t *types;
        size_t cap;             /* power of two */
        uint32_t hash;          /* FNV-1a 32 of the resources */
} gaz_t;

static gaz_t gaz;
static pthread_once_t gaz_once = PTHREAD_ONCE_INIT;

/* Adds entry hash \p h of type \p type (the table has room: see
 * gaz_load). */
static void gaz_insert(uint64_t h, uint8_t type) {
        size_t i = (size_t)mix64(h) & (gaz.cap - 1);
        while (gaz.keys[i] && gaz.keys[i] != h)
                i = (i + 1) & (gaz.cap - 1);
        if (gaz.keys[i])
                return;         /* the first listing of a name wins */
        gaz.keys[i] = h;
        gaz.types[i] = type;
}

/* @returns the type of the entry hashed \p h, or 0. */
static uint8_t gaz_lookup(uint64_t h) {
        size_t i;
        if (!gaz.cap)
                return 0;
        i = (size_t)mix64(h) & (gaz.cap - 1);
        while (gaz.keys[i]) {
                if (gaz.keys[i] == h)
                        return gaz.types[i];
                i = (i + 1) & (gaz.cap - 1);
        }
        return 0;
}

/* ink_gaz_each_name() callbacks: count the names, then add them. */
static void gaz_count_name(const char *name, size_t len, ink_ent_type_t type,
                           void *ud) {
        (void)name;
        (void)len;
        (void)type;
        (*(size_t *)ud)++;
}

static void gaz_add_name(const char *name, size_t len, ink_ent_type_t type,
                         void *ud) {
        static const uint8_t code[INK_ENT_TYPE_CNT] = {
                [INK_ENT_PER] = 3, [INK_ENT_ORG] = 2, [INK_ENT_LOC] = 1,
                [INK_ENT_MISC] = 4,
        };
        (void)ud;
        if (len)
                gaz_insert(fnv64(FNV_INIT, name, len) | 1, code[type]);
}

/* Loads the gazetteer resource (data/ner/gazetteer.txt, then the
 * packaged names of data/gazetteer/) once per process (a missing
 * resource leaves it empty, which only weakens the features). */
static void gaz_load(void) {
        size_t len = 0, lines = 0;
        const char *txt = ink_resource_get(GAZ_RESOURCE, &len);
        uint32_t h32 = 2166136261u;

        for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
                title_hash[i] = fnv64(FNV_INIT, titles[i], strlen(titles[i]));
        if (!txt)
                return;
        for (size_t i = 0; i < len; i++) {
                h32 ^= (unsigned char)txt[i];
                h32 *= 16777619u;
                if (txt[i] == '\n')
                        lines++;
        }
        gaz.hash = h32 ^ (ink_gaz_each_name(gaz_count_name, &lines) *
                          2654435761u);
        gaz.cap = 64;
        while (gaz.cap < 2 * (lines + 1))
                gaz.cap *= 2;
        gaz.keys = ink_calloc(gaz.cap, sizeof(*gaz.keys));
        gaz.types = ink_calloc(gaz.cap, sizeof(*gaz.types));

        for (const char *p = txt; p < txt + len;) {
                const char *eol = memchr(p, '\n', (size_t)(txt + len - p));
                const char *tab, *end = eol ? eol : txt + len;
                uint8_t type = 0;

                tab = memchr(p, '\t', (size_t)(end - p));
                if (*p != '#' && tab) {
                        if (!strncmp(p, "LOC\t", 4))
                                type = 1;
                        else if (!strncmp(p, "ORG\t", 4))
                                type = 2;
                        else if (!strncmp(p, "PER\t", 4))
                                type = 3;
                        else if (!strncmp(p, "MISC\t", 5))
                                type = 4;
                }
                if (type && end > tab + 1)
                        gaz_insert(fnv64(FNV_INIT, tab + 1,
                                         (size_t)(end - tab - 1)) | 1, type);
                p = end + 1;
        }
        ink_gaz_each_name(gaz_add_name, NULL);
}

uint32_t ink_ner_gazetteer_hash(void) {
        pthread_once(&gaz_once, gaz_load);
        return gaz.hash;
}

/*---- Word summaries ------------------------------------------------------*/

typedef struct winfo_s {
        uint64_t word, lower, shape;
        uint64_t pre[4], suf[4];
        uint8_t title;          /* title cue */
        uint8_t gaz;            /* 0, or type * 2 - 1 (begin) / type * 2 */
        uint8_t len;            /* length class */
} winfo_t;

/* Fills the summary of word \p w. */
static void winfo_make(winfo_t *wi, const char *w) {
        char lower[256], shape[16];
        size_t ll = 0, sl = 0, ncp = 0;
        size_t cpoff[256];      /* byte offset of each code point in lower */
        const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)w;
        utf8proc_ssize_t r;
        utf8proc_int32_t cp;

        memset(wi, 0, sizeof(*wi));
        wi->word = fnv64(FNV_INIT, w, strlen(w));
        while (*s && ll + 4 < sizeof(lower) && ncp < 255) {
                char sc;
                utf8proc_uint8_t enc[4];
                size_t el;
                if (*s < 0x80) {
                        cp = *s;
                        r = 1;
                } else {
                        r = utf8proc_iterate(s, -1, &cp);
                        if (r <= 0) {
                                cp = *s;
                                r = 1;
                        }
                }
                s += r;
                if (cp >= 'A' && cp <= 'Z')
                        sc = 'X';
                else if (cp >= 'a' && cp <= 'z')
                        sc = 'x';
                else if (cp >= '0' && cp <= '9')
                        sc = 'd';
                else if (cp < 128)
                        sc = (char)cp;
                else if (utf8proc_isupper(cp))
                        sc = 'X';
                else if (utf8proc_islower(cp))
                        sc = 'x';
                else
                        sc = 'o';
                if (sl < sizeof(shape) - 1 && (!sl || shape[sl - 1] != sc))
                        shape[sl++] = sc;
                cpoff[ncp++] = ll;
                if (cp < 0x80) {
                        lower[ll++] = (char)(cp >= 'A' && cp <= 'Z' ?
                                             cp + 32 : cp);
                        continue;
                }
                el = (size_t)utf8proc_encode_char(utf8proc_tolower(cp), enc);
                memcpy(lower + ll, enc, el);
                ll += el;
        }
        lower[ll] = '\0';
        wi->lower = fnv64(FNV_INIT, lower, ll);
        wi->shape = fnv64(FNV_INIT, shape, sl);
        for (size_t k = 1; k <= 4; k++) {
                if (k < ncp) {
                        wi->pre[k - 1] = fnv64(FNV_INIT, lower, cpoff[k]);
                        wi->suf[k - 1] = fnv64(FNV_INIT,
                                               lower + cpoff[ncp - k],
                                               ll - cpoff[ncp - k]);
                } else {
                        wi->pre[k - 1] = wi->suf[k - 1] = 1; /* too short */
                }
        }
        for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
                if (title_hash[i] == wi->lower) {
                        wi->title = 1;
                        break;
                }
        wi->len = (uint8_t)(ncp < 2 ? ncp : ncp < 4 ? 2 : ncp < 8 ? 3 : 4);
}

/* Marks the longest gazetteer matches of the sentence in wi[].gaz. */
static void gaz_mark(winfo_t *wi, const char *const *words, size_t n) {
        pthread_once(&gaz_once, gaz_load);
        if (!gaz.cap)
                return;
        for (size_t i = 0; i < n;) {
                uint64_t h = FNV_INIT;
                size_t best = 0;
                uint8_t btype = 0;
                for (size_t k = 0; k < GAZ_MAXLEN && i + k < n; k++) {
                        uint8_t t;
                        if (k)
                                h = fnv64(h, " ", 1);
                        h = fnv64(h, words[i + k], strlen(words[i + k]));
                        t = gaz_lookup(h | 1);
                        if (t) {
                                best = k + 1;
                                btype = t;
                        }
                }
                if (!best) {
                        i++;
                        continue;
                }
                for (size_t k = 0; k < best; k++)
                        wi[i + k].gaz = (uint8_t)(btype * 2 - (k == 0));
                i += best;
        }
}

/*---- Templates -----------------------------------------------------------*/

void ink_ner_features(const char *const *words, size_t n, uint32_t *feats,
                      uint8_t *nfeats) {
        winfo_t stackbuf[64];
        winfo_t *wi = n <= 64 ? stackbuf : ink_malloc(n * sizeof(*wi));
        const uint64_t none = 0x5bd1e995;   /* outside the sentence */

        pthread_once(&gaz_once, gaz_load);
        for (size_t i = 0; i < n; i++)
                winfo_make(&wi[i], words[i]);
        gaz_mark(wi, words, n);

        for (size_t i = 0; i < n; i++) {
                uint32_t *f = feats + i * INK_NER_MAXF;
                size_t k = 0;
                const winfo_t *w = &wi[i];
                uint64_t lm1 = i > 0 ? wi[i - 1].lower : none;
                uint64_t lm2 = i > 1 ? wi[i - 2].lower : none;
                uint64_t lp1 = i + 1 < n ? wi[i + 1].lower : none;
                uint64_t lp2 = i + 2 < n ? wi[i + 2].lower : none;
                uint64_t sm1 = i > 0 ? wi[i - 1].shape : none;
                uint64_t sp1 = i + 1 < n ? wi[i + 1].shape : none;
                unsigned tm1 = i > 0 && wi[i - 1].title;
                unsigned tm2 = i > 1 && wi[i - 2].title;
                unsigned gm1 = i > 0 ? wi[i - 1].gaz : 0;
                unsigned gp1 = i + 1 < n ? wi[i + 1].gaz : 0;

                f[k++] = feat(F_BIAS, 0);
                f[k++] = feat(F_WORD, w->word);
                f[k++] = feat(F_LOWER, w->lower);
                f[k++] = feat(F_SHAPE, w->shape);
                for (unsigned j = 0; j < 4; j++) {
                        f[k++] = feat(F_PRE1 + j, w->pre[j]);
                        f[k++] = feat(F_SUF1 + j, w->suf[j]);
                }
                f[k++] = feat(F_LM1, lm1);
                f[k++] = feat(F_LM2, lm2);
                f[k++] = feat(F_LP1, lp1);
                f[k++] = feat(F_LP2, lp2);
                f[k++] = feat(F_WM1, i > 0 ? wi[i - 1].word : none);
                f[k++] = feat(F_WP1, i + 1 < n ? wi[i + 1].word : none);
                f[k++] = feat(F_SHM1, sm1);
                f[k++] = feat(F_SHP1, sp1);
                f[k++] = feat(F_SHM1_SH, pair(sm1, w->shape));
                f[k++] = feat(F_SH_SHP1, pair(w->shape, sp1));
                f[k++] = feat(F_LM1_L, pair(lm1, w->lower));
                f[k++] = feat(F_L_LP1, pair(w->lower, lp1));
                f[k++] = feat(F_LM1_SH, pair(lm1, w->shape));
                f[k++] = feat(F_SH_LP1, pair(w->shape, lp1));
                f[k++] = feat(F_START_SH, pair(i == 0, w->shape));
                f[k++] = feat(F_TITLE_M1, tm1);
                f[k++] = feat(F_TITLE_M2, tm2 * 2 + tm1);
                f[k++] = feat(F_TITLE_M1_SH, pair(tm1, w->shape));
                f[k++] = feat(F_IS_TITLE, w->title);
                f[k++] = feat(F_GAZ, w->gaz);
                f[k++] = feat(F_GAZ_M1, gm1);
                f[k++] = feat(F_GAZ_P1, gp1);
                f[k++] = feat(F_GAZ_SH, pair(w->gaz, w->shape));
                f[k++] = feat(F_LEN, pair(w->len, w->shape));
                nfeats[i] = (uint8_t)k;
        }
        if (wi != stackbuf)
                free(wi);
}

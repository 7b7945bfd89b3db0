/*
 * The "lang" stage: detects an article's language when the input gives
 * none, so that the English-only stages (entities, sentiment, summit) can
 * skip other languages (ink_lang_is_english()).
 *
 * Method (documented in docs and data/ner/README.md): the letters of the
 * first INK_LANG_SCAN bytes of title and body are counted by script; a
 * text mostly in one non-Latin script gets that script's language
 * (Cyrillic: "ru", or "uk" with Ukrainian-only letters; Arabic: "ar", or
 * "fa" with Persian-only letters; Greek "el", Hebrew "he", Hangul "ko",
 * kana "ja", Han only "zh", Devanagari "hi", Thai "th").  Latin text is
 * scored by its share of the most frequent function words of each of 13
 * languages (lists written for this project: facts about the languages).
 * When the evidence is thin (fewer than INK_LANG_MIN_HITS function words,
 * or no clear winner) art->lang is left unset, which every stage and
 * codec reads as English, the feed's default.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include <utf8proc.h>

#include "ink/stage.h"
#include "ink/text.h"

#define INK_LANG_SCAN 65536     /* bytes of each field examined */
#define INK_LANG_MIN_HITS 3
#define MAXW 24                 /* longest word compared, in bytes */

typedef struct lang_words_s {
        const char *code;
        const char *const *words;
} lang_words_t;

#define L(code, ...) { code, (const char *const[]){ __VA_ARGS__, NULL } }

static const lang_words_t latin[] = {
        L("en", "the", "and", "of", "to", "is", "that", "for", "it", "was",
          "on", "with", "he", "said", "by", "at", "from", "his", "have",
          "are", "be", "this", "has", "not", "they", "who", "will", "but",
          "would", "which", "their", "been", "were", "an"),
        L("fr", "le", "la", "les", "et", "des", "du", "une", "est", "que",
          "dans", "pour", "pas", "sur", "au", "qui", "par", "avec", "il",
          "ce", "sont", "ont", "été", "aux", "leur", "mais", "cette", "a"),
        L("de", "der", "die", "und", "das", "den", "dem", "nicht", "ist",
          "ein", "eine", "zu", "mit", "sich", "auf", "für", "von", "im",
          "auch", "wurde", "dass", "sie", "bei", "nach", "wird", "aus",
          "einen", "sind"),
        L("es", "el", "los", "las", "y", "que", "en", "una", "por", "con",
          "para", "es", "del", "se", "al", "lo", "como", "más", "pero",
          "sus", "fue", "ha", "está", "según"),
        L("it", "il", "di", "che", "e", "è", "per", "non", "della", "con",
          "sono", "gli", "dei", "nel", "alla", "anche", "più", "ma",
          "questo", "delle", "nella", "stato"),
        L("pt", "o", "os", "do", "da", "em", "um", "uma", "para", "com",
          "não", "no", "na", "dos", "das", "mais", "foi", "ao", "são",
          "ele", "pelo", "pela"),
        L("nl", "het", "een", "en", "van", "dat", "op", "niet", "zijn",
          "met", "voor", "te", "er", "ook", "aan", "door", "werd", "wordt",
          "bij", "naar", "hij"),
        L("sv", "och", "att", "det", "som", "på", "är", "av", "för", "med",
          "till", "har", "inte", "om", "ett", "var", "hon", "men", "jag"),
        L("pl", "w", "na", "z", "się", "nie", "do", "że", "jest", "jak",
          "po", "tak", "za", "od", "przez", "ale", "jego", "oraz"),
        L("tr", "ve", "bir", "bu", "için", "ile", "olarak", "daha", "çok",
          "gibi", "olan", "ama", "kadar", "sonra", "değil"),
        L("id", "yang", "dan", "di", "ini", "itu", "dengan", "untuk",
          "dari", "dalam", "tidak", "akan", "pada", "adalah", "ke",
          "juga", "oleh"),
        L("ro", "și", "în", "care", "cu", "pe", "este", "la", "să", "un",
          "din", "mai", "pentru", "fost", "sunt"),
        L("cs", "a", "se", "na", "je", "že", "v", "s", "z", "do", "to",
          "jako", "pro", "které", "byl", "jsou"),
};

#define NLATIN (sizeof(latin) / sizeof(latin[0]))

/* The function words in one open-addressing table: word -> bit mask of
 * the languages that use it, so each word of the text costs one lookup
 * instead of a comparison with every word of every language. */
#define FW_SLOTS 1024

static struct fw_slot {
        const char *word;
        unsigned langs;
} fw_table[FW_SLOTS];
static pthread_once_t fw_once = PTHREAD_ONCE_INIT;

static unsigned fw_hash(const char *w) {
        unsigned h = 2166136261u;
        while (*w)
                h = (h ^ (unsigned char)*w++) * 16777619u;
        return h;
}

static void fw_build(void) {
        for (size_t l = 0; l < NLATIN; l++)
                for (const char *const *p = latin[l].words; *p; p++) {
                        unsigned i = fw_hash(*p) & (FW_SLOTS - 1);
                        while (fw_table[i].word &&
                               strcmp(fw_table[i].word, *p))
                                i = (i + 1) & (FW_SLOTS - 1);
                        fw_table[i].word = *p;
                        fw_table[i].langs |= 1u << l;
                }
}

/* @returns the mask of languages having \p w as a function word. */
static unsigned fw_langs(const char *w) {
        unsigned i = fw_hash(w) & (FW_SLOTS - 1);
        while (fw_table[i].word) {
                if (!strcmp(fw_table[i].word, w))
                        return fw_table[i].langs;
                i = (i + 1) & (FW_SLOTS - 1);
        }
        return 0;
}

/* Scripts counted by letter. */
enum { S_LATIN, S_CYR, S_GREEK, S_ARAB, S_HEB, S_HANGUL, S_KANA, S_HAN,
       S_DEVA, S_THAI, S_UKR, S_PERS, S_CNT };

static atomic_ulong detected, non_english;

/* @returns the script class of code point \p c, or -1 (not a letter or
 * another script). */
static int script_of(int32_t c) {
        if (c < 0x80)
                return (c | 32) >= 'a' && (c | 32) <= 'z' ? S_LATIN : -1;
        if (c < 0x250)
                return c >= 0xc0 && c != 0xd7 && c != 0xf7 ? S_LATIN : -1;
        if (c >= 0x370 && c < 0x400)
                return S_GREEK;
        if (c >= 0x400 && c < 0x530)
                return S_CYR;
        if (c >= 0x590 && c < 0x600)
                return S_HEB;
        if (c >= 0x600 && c < 0x700)
                return S_ARAB;
        if (c >= 0x900 && c < 0x980)
                return S_DEVA;
        if (c >= 0xe00 && c < 0xe80)
                return S_THAI;
        if ((c >= 0x1100 && c < 0x1200) || (c >= 0xac00 && c < 0xd7b0))
                return S_HANGUL;
        if (c >= 0x3040 && c < 0x3100)
                return S_KANA;
        if (c >= 0x4e00 && c < 0xa000)
                return S_HAN;
        return -1;
}

/* Counts scripts and Latin function words of s[0..len) (at most
 * INK_LANG_SCAN bytes) into \p sc and \p hits. */
static void scan(const char *s, size_t len, unsigned long *sc,
                 unsigned long *hits, unsigned long *words) {
        char w[MAXW + 1];
        size_t wl = 0;
        int wlong = 0;

        if (len > INK_LANG_SCAN)
                len = INK_LANG_SCAN;
        for (size_t i = 0; i <= len;) {
                int32_t c = 0;
                utf8proc_ssize_t r = 1;
                int k;
                if (i < len) {
                        r = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                             (utf8proc_ssize_t)(len - i), &c);
                        if (r <= 0) {
                                r = 1;
                                c = 0xfffd;
                        }
                }
                k = i < len ? script_of(c) : -1;
                if (k >= 0) {
                        sc[k]++;
                        if (c == 0x456 || c == 0x457 || c == 0x454 ||
                            c == 0x491)
                                sc[S_UKR]++;
                        if (c == 0x67e || c == 0x686 || c == 0x698 ||
                            c == 0x6af)
                                sc[S_PERS]++;
                }
                if (k == S_LATIN) {
                        utf8proc_uint8_t enc[4];
                        utf8proc_ssize_t el = utf8proc_encode_char(
                                utf8proc_tolower(c), enc);
                        if (wl + (size_t)el <= MAXW) {
                                memcpy(w + wl, enc, (size_t)el);
                                wl += (size_t)el;
                        } else {
                                wlong = 1;
                        }
                } else if (wl) {
                        w[wl] = '\0';
                        (*words)++;
                        unsigned m = wlong ? 0 : fw_langs(w);
                        for (size_t l = 0; m && l < NLATIN; l++)
                                if (m & (1u << l))
                                        hits[l]++;
                        wl = 0;
                        wlong = 0;
                }
                i += (size_t)r;
        }
}

const char *ink_lang_detect(const char *title, size_t title_len,
                            const char *body, size_t body_len) {
        unsigned long sc[S_CNT] = { 0 }, hits[NLATIN] = { 0 }, words = 0;
        unsigned long letters = 0, best = 0, second = 0;
        size_t bl = 0;
        int top = S_LATIN;

        pthread_once(&fw_once, fw_build);
        if (title)
                scan(title, title_len, sc, hits, &words);
        if (body)
                scan(body, body_len, sc, hits, &words);
        for (int k = 0; k <= S_THAI; k++) {
                letters += sc[k];
                if (sc[k] > sc[top])
                        top = k;
        }
        if (!letters || 2 * sc[top] <= letters)
                return NULL;
        switch (top) {
        case S_CYR: return 20 * sc[S_UKR] > sc[S_CYR] / 10 ? "uk" : "ru";
        case S_GREEK: return "el";
        case S_ARAB: return 20 * sc[S_PERS] > sc[S_ARAB] / 10 ? "fa" : "ar";
        case S_HEB: return "he";
        case S_HANGUL: return "ko";
        case S_DEVA: return "hi";
        case S_THAI: return "th";
        case S_HAN: return sc[S_KANA] * 10 > sc[S_HAN] ? "ja" : "zh";
        case S_KANA: return "ja";
        default: break;
        }
        for (size_t l = 0; l < NLATIN; l++) {
                if (hits[l] > best) {
                        second = best;
                        best = hits[l];
                        bl = l;
                } else if (hits[l] > second) {
                        second = hits[l];
                }
        }
        if (best < INK_LANG_MIN_HITS || 4 * best < 5 * second)
                return NULL;
        return latin[bl].code;
}

bool ink_lang_is_english(const ink_article_t *art) {
        const char *l = art->lang;
        return !l || !*l || ((l[0] | 32) == 'e' && (l[1] | 32) == 'n' &&
                             (!l[2] || l[2] == '-' || l[2] == '_'));
}

void ink_lang_counts(unsigned long *detectedp, unsigned long *non_englishp) {
        if (detectedp)
                *detectedp = atomic_load(&detected);
        if (non_englishp)
                *non_englishp = atomic_load(&non_english);
}

/* The stage has no model: a non-NULL dummy context. */
static void *lang_create(char *errstr, size_t errstr_size) {
        static const int dummy;
        (void)errstr;
        (void)errstr_size;
        return (void *)&dummy;
}

static void lang_destroy(void *ctx) {
        (void)ctx;
}

/* Sets art->lang from the text when the input gave none. */
static ink_rc_t lang_run(const void *ctx, ink_article_t *art, char *errstr,
                         size_t errstr_size) {
        const char *l;
        (void)ctx;
        (void)errstr;
        (void)errstr_size;
        if (art->lang && *art->lang) {
                if (!ink_lang_is_english(art))
                        atomic_fetch_add(&non_english, 1);
                return INK_SKIPPED;
        }
        l = ink_lang_detect(art->title, art->title ? art->title_len : 0,
                            art->body, art->body ? art->body_len : 0);
        if (!l)
                return INK_SKIPPED;
        art->lang = l;
        atomic_fetch_add(&detected, 1);
        if (!ink_lang_is_english(art))
                atomic_fetch_add(&non_english, 1);
        return INK_OK;
}

const ink_stage_def_t ink_stage_lang = {
        .name = "lang",
        .description = "language detection (script, then function words) "
                       "when the input has no lang",
        .create = lang_create,
        .run = lang_run,
        .destroy = lang_destroy,
};

/*
 * The "lang" stage: detects an article's language when the input gives
 * none, so that the English-only stages (entities, sentiment, summit) can
 * skip other languages (ink_lang_is_english()).
 *
 * Method.  Only a bounded prefix is read: the first INK_LANG_SCAN bytes of
 * title + " " + body (cut on a code point), so a 10 MB article costs the
 * same as a 2 KB one.  Invalid UTF-8 and every character that is neither
 * a letter, a combining mark nor an apostrophe become one space.
 *
 * 1. Script pass.  The letters of the prefix are counted by script.  Fewer
 *    than INK_LANG_MIN_LETTERS letters, or no script holding more than
 *    half of them, leaves the language undetermined.  A script written by
 *    a single language of the fingerprint set decides at once: Greek "el",
 *    Hebrew "he", Hangul "ko", Thai "th", Georgian "ka", Armenian "hy", and
 *    Han ("zh", or "ja" when kana are more than a tenth of the Han count).
 *    This is exact for those scripts, is where the n-gram classifier is
 *    weakest (a few Han characters give few n-grams, and Chinese vs
 *    Japanese is a question of kana, not of n-gram ranks), and it skips
 *    the classifier's cost (about 1 ms an article: 164 profiles).
 * 2. A Latin text that is plainly English (plainly_english(): a dozen of
 *    English's most frequent words that are not words of the other
 *    Latin-script news languages make at least 1 word in 12 of it, as in
 *    all English news; other languages stay far below) is "en" at once:
 *    most of a newsroom's feed, at about a tenth of the classifier's
 *    cost.  The classifier would say the same (English wins its ties).
 * 3. Otherwise (Latin, Cyrillic, Arabic, Devanagari, other scripts) the
 *    cleaned prefix goes to libexttextcat (Cavnar & Trenkle n-gram
 *    ranks; Debian's libexttextcat-data fingerprints, fpdb.conf).  Its
 *    candidates within 3% of the best are all plausible.  English among
 *    them wins: the feed's default is English, and calling an English
 *    article foreign drops all its annotations, which costs more than
 *    annotating a short foreign text.  Else the first of them in
 *    prefer[] (languages with a large news output) wins, else the best
 *    one, but only in a text of INK_LANG_RARE_LETTERS letters or more:
 *    on a short English text the Scots, Romansh or Frisian profile can
 *    come out best alone.  So "[rue][uk][ru]" gives "uk", "[da][en]"
 *    gives "en", "[ru][uk]" stays "ru".  SHORT (too little text) and
 *    UNKNOWN (more than five candidates: a confused classifier) leave
 *    the language undetermined.
 *
 * The fingerprint names ("en--utf8", "zh-CN-utf8", "uz-Cyrl-utf8") are
 * mapped to their primary subtag, which is the ISO 639-1 code where the
 * language has one, else its ISO 639-3 code ("haw", "ckb"), and returned
 * as static strings from codes[].
 *
 * Undetermined means art->lang stays unset, which every stage and codec
 * reads as English, the feed's default: a headline of two names is
 * treated as English rather than skipped.
 *
 * Threads.  textcat_Classify() writes its answer into the handle (an
 * output buffer inside textcat_t), so a handle is never shared: each
 * thread loads its own on first use (a pthread key; about 40 ms and
 * 1.5 MB) and frees it when the thread exits or, for the thread that
 * destroys the stage, in lang_destroy().  INK_TEXTCAT_DIR overrides the
 * fingerprint directory (with its fpdb.conf).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <textcat.h>
#include <utf8proc.h>

#include "ink/stage.h"
#include "ink/text.h"

#ifndef INK_TEXTCAT_DIR
#define INK_TEXTCAT_DIR "/usr/share/libexttextcat/"
#endif

#define INK_LANG_SCAN 2048          /* bytes of title + body classified */
#define INK_LANG_MIN_LETTERS 40     /* fewer: undetermined */
#define INK_LANG_RARE_LETTERS 1000  /* fewer: no language outside prefer[] */
#define INK_LANG_EN_MIN 4           /* plainly_english(): marker words, */
#define INK_LANG_EN_RATIO 12        /* at least 1 word in 12 */

/* Languages with a large news output: one of them among textcat's
 * near-equal candidates beats a best candidate that is not listed. */
static const char *const prefer[] = {
        "en", "es", "fr", "de", "pt", "ru", "ar", "it", "nl", "tr", "pl",
        "uk", "id", "sv", "fa", "hi", "ro", "cs", "hu", "el", "da", "nb",
        "fi", "sr", "hr", "bg", "sk", "ca", "vi", "ms", "ur", "bn",
};

/* Every primary subtag of the Debian fingerprint set (3.4.5), so that a
 * detected code is a static string that outlives the thread's handle. */
static const char *const codes[] = {
        "ab", "ace", "ada", "af", "ak", "alt", "am", "ar", "arn", "ast",
        "ay", "az", "ban", "be", "bem", "bg", "bho", "bi", "bik", "bm",
        "bn", "bo", "br", "bs", "ca", "ckb", "cs", "cy", "da", "de", "dv",
        "ee", "el", "emk", "en", "eo", "es", "et", "eu", "fa", "fi", "fj",
        "fo", "fr", "fur", "fy", "ga", "gd", "gl", "grc", "gu", "gug",
        "gv", "ha", "haw", "he", "hi", "hil", "hr", "hsb", "ht", "hu",
        "hy", "ia", "id", "is", "it", "ja", "ka", "kk", "kl", "km", "kn",
        "kng", "ko", "ktu", "ky", "la", "lb", "lg", "ln", "lo", "lt", "lv",
        "mai", "mi", "mk", "ml", "mn", "mos", "mr", "ms", "mt", "my", "nb",
        "nds", "ne", "nl", "nn", "nr", "nso", "ny", "oc", "om", "pa", "pl",
        "plt", "pt", "quz", "qxa", "rm", "ro", "ru", "rue", "rw", "sa",
        "sc", "sco", "sd", "se", "sg", "sh", "shs", "si", "sk", "sl", "so",
        "sq", "sr", "ss", "st", "sv", "sw", "ta", "tet", "tg", "th", "ti",
        "tk", "tl", "tn", "tpi", "tr", "ts", "tt", "ty", "tzm", "ug", "uk",
        "ur", "uz", "ve", "vep", "vi", "wa", "xh", "yi", "yo", "zh", "zu",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Scripts counted by letter. */
enum { S_LATIN, S_CYR, S_GREEK, S_ARAB, S_HEB, S_HANGUL, S_KANA, S_HAN,
       S_DEVA, S_THAI, S_GEOR, S_ARMN, S_OTHER, S_CNT };

/* One thread's classifier. */
typedef struct tc_s {
        void *h;                /* textcat handle */
        candidate_t *cand;      /* its ClassifyFull output array */
} tc_t;

static pthread_key_t tc_key;
static pthread_once_t tc_once = PTHREAD_ONCE_INIT;
static atomic_ulong detected, non_english;

/* Frees \p tc (takes ownership; NULL-safe). */
static void tc_free(void *p) {
        tc_t *tc = p;
        if (!tc)
                return;
        if (tc->cand)
                textcat_ReleaseClassifyFullOutput(tc->h, tc->cand);
        if (tc->h)
                textcat_Done(tc->h);
        free(tc);
}

/* Creates the key of the per-thread classifiers (once per process);
 * a thread's classifier is freed by tc_free() when the thread exits. */
static void tc_key_make(void) {
        if (pthread_key_create(&tc_key, tc_free))
                abort();
}

/* @returns the calling thread's classifier (borrowed: owned by the
 * thread), loading it on first use, or NULL when the fingerprints
 * cannot be loaded (with the reason in errstr).  The directory is
 * INK_TEXTCAT_DIR when set, with or without a final slash. */
static tc_t *tc_get(char *errstr, size_t errstr_size) {
        char dir[1024], conf[1040];
        const char *env = getenv("INK_TEXTCAT_DIR");
        size_t dl;
        tc_t *tc;

        pthread_once(&tc_once, tc_key_make);
        tc = pthread_getspecific(tc_key);
        if (tc)
                return tc;
        if (!env || !*env)
                env = INK_TEXTCAT_DIR;
        dl = strlen(env);
        if (dl + 2 > sizeof(dir)) {
                snprintf(errstr, errstr_size,
                         "language fingerprint directory too long "
                         "(INK_TEXTCAT_DIR): %.64s...", env);
                return NULL;
        }
        memcpy(dir, env, dl + 1);
        if (dir[dl - 1] != '/')
                memcpy(dir + dl, "/", 2);
        snprintf(conf, sizeof(conf), "%sfpdb.conf", dir);
        tc = ink_calloc(1, sizeof(*tc));
        tc->h = special_textcat_Init(conf, dir);
        if (!tc->h) {
                snprintf(errstr, errstr_size,
                         "cannot load the language fingerprints listed in "
                         "%s (Debian package libexttextcat-data; "
                         "INK_TEXTCAT_DIR sets another directory)", conf);
                goto fail;
        }
        textcat_SetProperty(tc->h, TCPROP_UTF8AWARE, TC_TRUE);
        tc->cand = textcat_GetClassifyFullOutput(tc->h);
        if (!tc->cand || pthread_setspecific(tc_key, tc)) {
                snprintf(errstr, errstr_size,
                         "cannot set up the language classifier");
                goto fail;
        }
        return tc;
fail:
        tc_free(tc);
        return NULL;
}

/* @returns the script class of code point \p c, or -1 (not a letter). */
static int script_of(int32_t c) {
        if (c < 0x80)
                return (c | 32) >= 'a' && (c | 32) <= 'z' ? S_LATIN : -1;
        if (c < 0x250)
                return c >= 0xc0 && c != 0xd7 && c != 0xf7 ? S_LATIN : -1;
        if (c >= 0x370 && c < 0x400)
                return S_GREEK;
        if (c >= 0x400 && c < 0x530)
                return S_CYR;
        if (c >= 0x531 && c < 0x590)
                return S_ARMN;
        if (c >= 0x5d0 && c < 0x600)
                return S_HEB;
        if (c >= 0x620 && c < 0x700)
                return S_ARAB;
        if (c >= 0x900 && c < 0x980)
                return S_DEVA;
        if (c >= 0xe00 && c < 0xe80)
                return S_THAI;
        if (c >= 0x10a0 && c < 0x1100)
                return S_GEOR;
        if ((c >= 0x1100 && c < 0x1200) || (c >= 0xac00 && c < 0xd7b0))
                return S_HANGUL;
        if (c >= 0x1e00 && c < 0x1f00)
                return S_LATIN;
        if (c >= 0x3040 && c < 0x3100)
                return S_KANA;
        if (c >= 0x4e00 && c < 0xa000)
                return S_HAN;
        switch (utf8proc_category(c)) {
        case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
        case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LO:
                return S_OTHER;
        default:
                return -1;
        }
}

/* Appends the cleaned text of s[0..len) to out (capacity INK_LANG_SCAN,
 * length *olen), counting letters by script into \p sc: letters and
 * marks are kept, anything else (invalid UTF-8 too) becomes one space.
 * Stops before a code point that would not fit. */
static void clean(const char *s, size_t len, char *out, size_t *olen,
                  unsigned long *sc) {
        size_t i = 0;

        while (i < len && *olen < INK_LANG_SCAN) {
                int32_t c = 0;
                utf8proc_ssize_t r = utf8proc_iterate(
                        (const utf8proc_uint8_t *)s + i,
                        (utf8proc_ssize_t)(len - i), &c);
                int k;
                bool keep;

                if (r <= 0) {
                        r = 1;
                        c = ' ';
                }
                k = script_of(c);
                if (k >= 0)
                        sc[k]++;
                keep = k >= 0 || c == '\'' || c == 0x2019 ||
                       utf8proc_category(c) == UTF8PROC_CATEGORY_MN ||
                       utf8proc_category(c) == UTF8PROC_CATEGORY_MC;
                if (keep) {
                        if (*olen + (size_t)r > INK_LANG_SCAN)
                                break;
                        memcpy(out + *olen, s + i, (size_t)r);
                        *olen += (size_t)r;
                } else if (*olen && out[*olen - 1] != ' ') {
                        out[(*olen)++] = ' ';
                }
                i += (size_t)r;
        }
}

/* @returns the static code of fingerprint name \p name ("en--utf8"),
 * or NULL if its primary subtag is not in codes[]. */
static const char *code_of(const char *name) {
        size_t n = strcspn(name, "-");
        for (size_t i = 0; i < NELEM(codes); i++)
                if (strlen(codes[i]) == n && !strncmp(codes[i], name, n))
                        return codes[i];
        return NULL;
}

/* @returns true if \p code is in prefer[]. */
static bool preferred(const char *code) {
        for (size_t i = 0; i < NELEM(prefer); i++)
                if (!strcmp(prefer[i], code))
                        return true;
        return false;
}

/* @returns textcat's language for text[0..len) holding \p letters
 * letters, or NULL (undetermined, or no classifier in this thread).
 * The candidates come best first and are all within 3% of the best:
 * English among them wins (see the file comment), then the first one in
 * prefer[], then the best one if the text is long enough to trust a
 * rare language. */
static const char *classify(const char *text, size_t len,
                            unsigned long letters) {
        char err[256];
        tc_t *tc = tc_get(err, sizeof(err));
        const char *best = NULL, *common = NULL;
        int n;

        if (!tc)
                return NULL;
        n = textcat_ClassifyFull(tc->h, text, len, tc->cand);
        for (int i = 0; i < n; i++) {
                const char *c = tc->cand[i].name ?
                        code_of(tc->cand[i].name) : NULL;
                if (!c)
                        continue;
                if (!strcmp(c, "en"))
                        return c;
                if (!common && preferred(c))
                        common = c;
                if (!best)
                        best = c;
        }
        if (common)
                return common;
        return letters >= INK_LANG_RARE_LETTERS ? best : NULL;
}

/* Words that are frequent in English and are not words of the other
 * Latin-script news languages ("of", "is" and "to" are Dutch or Slavic
 * words, "was", "will" and "for" German or Scandinavian ones). */
static const char *const en_markers[] = {
        "the", "and", "that", "with", "from", "have", "has", "been", "were",
        "this", "which", "said", "their", "they", "would", "there", "about",
        "after",
};

/* @returns true when the cleaned Latin text[0..len) is plainly English:
 * at least INK_LANG_EN_MIN words of en_markers[], "the" twice, and the
 * markers at least 1 in INK_LANG_EN_RATIO of its words.  English news
 * runs at about 1 in 7 ("the" alone about 1 in 16); a text in another
 * language quoting an English phrase stays far below it and goes to the
 * classifier. */
static bool plainly_english(const char *text, size_t len) {
        unsigned words = 0, markers = 0, the = 0;
        size_t i = 0;

        while (i < len) {
                size_t b, n;
                char w[8];

                while (i < len && text[i] == ' ')
                        i++;
                for (b = i; i < len && text[i] != ' '; i++)
                        ;
                if (i == b)
                        break;
                words++;
                n = i - b;
                if (n < 3 || n >= sizeof(w))
                        continue;
                for (size_t k = 0; k < n; k++)
                        w[k] = (char)((text[b + k] >= 'A' &&
                                       text[b + k] <= 'Z')
                                              ? text[b + k] + 32
                                              : text[b + k]);
                w[n] = '\0';
                for (size_t k = 0; k < NELEM(en_markers); k++)
                        if (!strcmp(w, en_markers[k])) {
                                markers++;
                                the += k == 0;
                                break;
                        }
        }
        return markers >= INK_LANG_EN_MIN && the >= 2 &&
               (unsigned long)markers * INK_LANG_EN_RATIO >= words;
}

const char *ink_lang_detect(const char *title, size_t title_len,
                            const char *body, size_t body_len) {
        char buf[INK_LANG_SCAN];
        unsigned long sc[S_CNT] = { 0 }, letters = 0, weight;
        size_t len = 0;
        int top = S_LATIN;

        if (title)
                clean(title, title_len, buf, &len, sc);
        if (len && len < INK_LANG_SCAN && buf[len - 1] != ' ')
                buf[len++] = ' ';
        if (body)
                clean(body, body_len, buf, &len, sc);
        for (int k = 0; k < S_CNT; k++) {
                letters += sc[k];
                if (sc[k] > sc[top])
                        top = k;
        }
        /* a Han, kana or Hangul character is a syllable or a word: it
         * counts as three letters towards the minimum */
        weight = letters + 2 * (sc[S_HAN] + sc[S_KANA] + sc[S_HANGUL]);
        if (weight < INK_LANG_MIN_LETTERS || 2 * sc[top] <= letters)
                return NULL;
        switch (top) {
        case S_GREEK: return "el";
        case S_HEB: return "he";
        case S_HANGUL: return "ko";
        case S_THAI: return "th";
        case S_GEOR: return "ka";
        case S_ARMN: return "hy";
        case S_HAN: return sc[S_KANA] * 10 > sc[S_HAN] ? "ja" : "zh";
        case S_KANA: return "ja";
        case S_LATIN:
                if (plainly_english(buf, len))
                        return "en";
                return classify(buf, len, letters);
        default: return classify(buf, len, letters);
        }
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

/* Frees the calling thread's classifier, if it has one. */
static void lang_free_thread(void) {
        pthread_once(&tc_once, tc_key_make);
        tc_free(pthread_getspecific(tc_key));
        pthread_setspecific(tc_key, NULL);
}

/* Loads the calling thread's classifier, so that missing fingerprints
 * stop the process at start with a reason, not silently per article,
 * and checks that they tell an English sentence as English (a list
 * without the English profile, or an empty one, would send every
 * article undetermined or foreign).
 * @returns a non-NULL dummy context (the classifiers are per thread). */
static void *lang_create(char *errstr, size_t errstr_size) {
        static const int dummy;
        static const char probe[] =
                "The government said on Monday that the new rules would "
                "come into force next year, after a vote in parliament.";
        char buf[sizeof(probe)];
        tc_t *tc = tc_get(errstr, errstr_size);
        const char *l;
        int n;

        if (!tc)
                return NULL;
        memcpy(buf, probe, sizeof(probe));
        n = textcat_ClassifyFull(tc->h, buf, sizeof(probe) - 1, tc->cand);
        l = n > 0 && tc->cand[0].name ? code_of(tc->cand[0].name) : NULL;
        if (!l || strcmp(l, "en")) {
                snprintf(errstr, errstr_size,
                         "the language fingerprints in %s do not recognise "
                         "English (got %s): check INK_TEXTCAT_DIR and the "
                         "package libexttextcat-data",
                         getenv("INK_TEXTCAT_DIR") ?
                                 getenv("INK_TEXTCAT_DIR") : INK_TEXTCAT_DIR,
                         l ? l : "no language");
                lang_free_thread();
                return NULL;
        }
        return (void *)&dummy;
}

/* Frees the calling thread's classifier (other threads free theirs when
 * they exit); a later run in this thread loads it again. */
static void lang_destroy(void *ctx) {
        (void)ctx;
        lang_free_thread();
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
        .description = "language detection (script, then libexttextcat "
                       "n-grams) when the input has no lang",
        .create = lang_create,
        .run = lang_run,
        .destroy = lang_destroy,
};

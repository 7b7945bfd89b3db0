/*
 * The "lang" stage: a given language kept, a detected one set and
 * counted, thin evidence left undetermined, the English test used by the
 * English-only stages, the skip of the entities stage, and the failure
 * paths of loading libexttextcat's fingerprints.  The detector itself is
 * tested language by language in test_lang_detect.c.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ink/stage.h"
#include "ink/text.h"

Test(lang, is_english) {
        ink_article_t *art = ink_article_new();
        static const char *const yes[] = { NULL, "", "en", "EN", "en-GB",
                                           "en_US" };
        static const char *const no[] = { "fr", "eng", "e", "de-en" };
        for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
                art->lang = yes[i];
                cr_expect(ink_lang_is_english(art), "%s", yes[i]);
        }
        for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
                art->lang = no[i];
                cr_expect(not(ink_lang_is_english(art)), "%s", no[i]);
        }
        ink_article_destroy(art);
}

/* Runs the lang stage on an article with \p lang and \p body.
 * @returns the article (owned by caller); *rcp gets the stage's code. */
static ink_article_t *run_lang(const char *lang, const char *body,
                               ink_rc_t *rcp) {
        char err[128] = "";
        void *ctx = ink_stage_lang.create(err, sizeof(err));
        ink_article_t *art = ink_article_new();
        cr_assert(not(eq(ptr, ctx, NULL)));
        art->lang = lang;
        art->title = "";
        art->body = body;
        art->body_len = strlen(body);
        *rcp = ink_stage_lang.run(ctx, art, err, sizeof(err));
        ink_stage_lang.destroy(ctx);
        return art;
}

Test(lang, stage_sets_keeps_and_counts) {
        unsigned long d0, n0, d1, n1;
        ink_rc_t rc;
        ink_article_t *art;

        ink_lang_counts(&d0, &n0);
        art = run_lang(NULL, "Le président a déclaré que les négociations "
                       "avec les rebelles reprendront la semaine "
                       "prochaine.", &rc);
        cr_expect(eq(int, rc, INK_OK));
        cr_expect(eq(str, (char *)art->lang, "fr"));
        ink_article_destroy(art);
        art = run_lang("de", "The president said that the talks with the "
                       "rebels would resume.", &rc);
        cr_expect(eq(int, rc, INK_SKIPPED));
        cr_expect(eq(str, (char *)art->lang, "de"));
        ink_article_destroy(art);
        art = run_lang(NULL, "Trump", &rc);
        cr_expect(eq(int, rc, INK_SKIPPED));
        cr_expect(eq(ptr, (void *)art->lang, NULL));
        ink_article_destroy(art);
        ink_lang_counts(&d1, &n1);
        cr_expect(eq(ulong, d1 - d0, 1));
        cr_expect(eq(ulong, n1 - n0, 2));
        ink_lang_counts(NULL, NULL);
}

Test(lang, entities_skip_other_languages) {
        char err[256] = "";
        void *tctx = ink_stage_tokens.create(err, sizeof(err));
        void *ectx = ink_stage_entities.create(err, sizeof(err));
        ink_article_t *art = ink_article_new();
        const char *body = "Angela Merkel a rencontré Emmanuel Macron à "
                           "Paris.";

        cr_assert(not(eq(ptr, ectx, NULL)), "%s", err);
        art->title = "";
        art->body = body;
        art->body_len = strlen(body);
        cr_assert(eq(int, ink_stage_tokens.run(tctx, art, err, sizeof(err)),
                     INK_OK), "%s", err);
        art->lang = "fr";
        cr_expect(eq(int, ink_stage_entities.run(ectx, art, err,
                                                 sizeof(err)), INK_SKIPPED));
        cr_expect(eq(sz, art->nents, 0));
        art->lang = "en";
        cr_expect(eq(int, ink_stage_entities.run(ectx, art, err,
                                                 sizeof(err)), INK_OK));
        cr_expect(gt(sz, art->nents, 0));
        ink_article_destroy(art);
        ink_stage_entities.destroy(ectx);
        ink_stage_tokens.destroy(tctx);
}

/* Fingerprints that cannot be loaded stop the stage at creation with a
 * reason naming the file and the package; detection then leaves Latin
 * text undetermined (read as English) but still knows the scripts that
 * need no classifier. */
Test(lang, missing_fingerprints_fail_creation) {
        char err[512] = "";
        const char *el = "Το δημοτικό συμβούλιο αποφάσισε την Τρίτη να "
                         "κλείσει δύο δημόσιες βιβλιοθήκες.";
        const char *fr = "Le conseil municipal a voté mardi la fermeture "
                         "de deux bibliothèques publiques.";

        cr_assert(eq(int, setenv("INK_TEXTCAT_DIR", "/nonexistent/ink/", 1),
                     0));
        cr_expect(eq(ptr, ink_stage_lang.create(err, sizeof(err)), NULL));
        cr_expect(not(eq(ptr, strstr(err, "/nonexistent/ink/fpdb.conf"),
                         NULL)), "%s", err);
        cr_expect(not(eq(ptr, strstr(err, "libexttextcat-data"), NULL)),
                  "%s", err);
        cr_expect(eq(ptr, (void *)ink_lang_detect(NULL, 0, fr, strlen(fr)),
                     NULL));
        cr_expect(eq(str, (char *)ink_lang_detect(NULL, 0, el, strlen(el)),
                     "el"));
}

/* A directory (named without its final slash) whose fpdb.conf lists
 * no fingerprint at all: the classifier loads but cannot tell English,
 * and the stage refuses to start. */
Test(lang, empty_fingerprint_list_fails_creation) {
        char dir[] = "/tmp/ink-lang-XXXXXX", path[64], err[512] = "";
        FILE *f;

        cr_assert(not(eq(ptr, mkdtemp(dir), NULL)));
        snprintf(path, sizeof(path), "%s/fpdb.conf", dir);
        f = fopen(path, "w");
        cr_assert(not(eq(ptr, f, NULL)));
        fputs("# no languages\n", f);
        fclose(f);
        cr_assert(eq(int, setenv("INK_TEXTCAT_DIR", dir, 1), 0));
        cr_expect(eq(ptr, ink_stage_lang.create(err, sizeof(err)), NULL));
        cr_expect(not(eq(ptr, strstr(err, "do not recognise English"),
                         NULL)), "%s", err);
        cr_expect(not(eq(ptr, strstr(err, dir), NULL)), "%s", err);
        unlink(path);
        rmdir(dir);
}

Test(lang, overlong_fingerprint_dir_fails_creation) {
        char dir[1500], err[512] = "";
        memset(dir, 'd', sizeof(dir) - 1);
        dir[0] = '/';
        dir[sizeof(dir) - 1] = '\0';
        cr_assert(eq(int, setenv("INK_TEXTCAT_DIR", dir, 1), 0));
        cr_expect(eq(ptr, ink_stage_lang.create(err, sizeof(err)), NULL));
        cr_expect(not(eq(ptr, strstr(err, "too long"), NULL)), "%s", err);
}

/* Destroying the stage frees this thread's classifier; a new stage in
 * the same thread loads it again and still detects. */
Test(lang, destroy_then_create_again) {
        char err[256] = "";
        const char *de = "Der Stadtrat hat am Dienstag beschlossen, zwei "
                         "öffentliche Bibliotheken zu schließen.";
        for (int i = 0; i < 2; i++) {
                void *ctx = ink_stage_lang.create(err, sizeof(err));
                cr_assert(not(eq(ptr, ctx, NULL)), "%s", err);
                cr_expect(eq(str, (char *)ink_lang_detect(NULL, 0, de,
                                                          strlen(de)),
                             "de"));
                ink_stage_lang.destroy(ctx);
        }
}

/* INK_TEXTCAT_DIR without its final slash still finds the fingerprints
 * (the Debian directory, where scripts/deps.sh installs them). */
Test(lang, fingerprint_dir_without_slash) {
        char err[512] = "";
        void *ctx;
        cr_assert(eq(int, setenv("INK_TEXTCAT_DIR", "/usr/share/libexttextcat",
                                 1), 0));
        ctx = ink_stage_lang.create(err, sizeof(err));
        cr_assert(not(eq(ptr, ctx, NULL)), "%s", err);
        ink_stage_lang.destroy(ctx);
}

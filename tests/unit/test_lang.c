/*
 * The "lang" stage: detection by script and function words, thin
 * evidence left undecided, a given language kept, the English test used
 * by the English-only stages, and the skip of the entities stage.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "ink/stage.h"
#include "ink/text.h"

typedef struct lcase_s {
        const char *text;
        const char *lang;       /* NULL: undecided */
} lcase_t;

Test(lang, detect) {
        static const lcase_t cases[] = {
                { "The president said on Monday that the talks with the "
                  "rebels would resume next week.", "en" },
                { "Le président a déclaré lundi que les négociations avec "
                  "les rebelles reprendront la semaine prochaine.", "fr" },
                { "Der Präsident sagte am Montag, dass die Gespräche mit den "
                  "Rebellen nächste Woche fortgesetzt werden.", "de" },
                { "El presidente dijo el lunes que las conversaciones con "
                  "los rebeldes se reanudarán la próxima semana.", "es" },
                { "Il presidente ha detto lunedì che i colloqui con i "
                  "ribelli riprenderanno la prossima settimana, anche se "
                  "non è chiaro.", "it" },
                { "De president zei maandag dat de gesprekken met de "
                  "rebellen volgende week worden hervat, maar het is niet "
                  "zeker.", "nl" },
                { "Президент заявил в понедельник, что переговоры "
                  "возобновятся на следующей неделе.", "ru" },
                { "Президент заявив у понеділок, що переговори "
                  "відновляться наступного тижня.", "uk" },
                { "总统周一表示，与叛军的谈判将于下周恢复。", "zh" },
                { "大統領は月曜日、反政府勢力との協議が来週再開されると"
                  "述べた。", "ja" },
                { "قال الرئيس يوم الاثنين إن المحادثات ستستأنف الأسبوع "
                  "المقبل.", "ar" },
                { "Ο πρόεδρος δήλωσε τη Δευτέρα ότι οι συνομιλίες θα "
                  "συνεχιστούν.", "el" },
                { "Trump Putin", NULL },
                { "", NULL },
                { "12345 67890 !!!", NULL },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const lcase_t *c = &cases[i];
                const char *got = ink_lang_detect(NULL, 0, c->text,
                                                  strlen(c->text));
                if (!c->lang)
                        cr_expect(eq(ptr, (void *)got, NULL), "%s: got %s",
                                  c->text, got);
                else
                        cr_expect(eq(str, (char *)(got ? got : "(null)"),
                                     (char *)c->lang), "%s", c->text);
        }
}

Test(lang, title_counts_and_invalid_utf8_is_harmless) {
        const char *t = "The talks with the rebels will resume";
        const char *bad = "\xff\xfe the \xc3 and of \x80 to is";
        cr_expect(eq(str, (char *)ink_lang_detect(t, strlen(t), NULL, 0),
                     "en"));
        cr_expect(eq(str, (char *)ink_lang_detect(bad, strlen(bad), "", 0),
                     "en"));
}

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
                       "avec les rebelles reprendront.", &rc);
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

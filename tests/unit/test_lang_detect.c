/*
 * ink_lang_detect(): one paragraph per language (written for these
 * tests), English news-like text, undetermined short input, invalid
 * UTF-8, a 10 MB article (only the prefix is read), mixed scripts, and
 * concurrent use from several threads (one classifier per thread).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ink/stage.h"
#include "ink/text.h"

typedef struct lcase_s {
        const char *lang;       /* NULL: undetermined */
        const char *text;
} lcase_t;

static const lcase_t paragraphs[] = {
        { "en", "The city council voted on Tuesday to close two public "
                "libraries after the budget for next year was cut by a "
                "fifth." },
        { "en", "Shares in the carmaker fell sharply after it warned that "
                "profits would be lower than analysts had forecast." },
        { "de", "Der Stadtrat hat am Dienstag beschlossen, zwei öffentliche "
                "Bibliotheken zu schließen, nachdem der Haushalt gekürzt "
                "wurde." },
        { "de", "Die Aktien des Autobauers fielen deutlich, nachdem das "
                "Unternehmen vor geringeren Gewinnen gewarnt hatte." },
        { "fr", "Le conseil municipal a voté mardi la fermeture de deux "
                "bibliothèques publiques après une forte baisse du "
                "budget." },
        { "fr", "Les équipes de secours ont travaillé toute la nuit pour "
                "atteindre les villages isolés par les inondations." },
        { "es", "El ayuntamiento votó el martes cerrar dos bibliotecas "
                "públicas después de que el presupuesto se redujera en una "
                "quinta parte." },
        { "es", "Los equipos de rescate trabajaron toda la noche para "
                "llegar a los pueblos aislados por las inundaciones." },
        { "it", "Il consiglio comunale ha votato martedì la chiusura di due "
                "biblioteche pubbliche dopo il taglio del bilancio." },
        { "it", "Le squadre di soccorso hanno lavorato tutta la notte per "
                "raggiungere i paesi isolati dall'alluvione." },
        { "pt", "A câmara municipal votou na terça-feira o encerramento de "
                "duas bibliotecas públicas depois do corte no orçamento." },
        { "pt", "As equipas de resgate trabalharam durante toda a noite "
                "para chegar às aldeias isoladas pelas cheias." },
        { "nl", "De gemeenteraad heeft dinsdag besloten twee openbare "
                "bibliotheken te sluiten nadat de begroting flink was "
                "verlaagd." },
        { "nl", "Het aandeel van de autofabrikant daalde sterk nadat het "
                "bedrijf had gewaarschuwd voor lagere winsten." },
        { "ru", "Городской совет во вторник проголосовал за закрытие двух "
                "публичных библиотек после сокращения бюджета." },
        { "ru", "Акции автопроизводителя резко упали после того, как "
                "компания предупредила о снижении прибыли." },
        { "uk", "Міська рада у вівторок проголосувала за закриття двох "
                "публічних бібліотек після скорочення бюджету." },
        { "uk", "Акції автовиробника різко впали після того, як компанія "
                "попередила про зниження прибутку." },
        { "ar", "صوت المجلس البلدي يوم الثلاثاء على إغلاق مكتبتين عامتين "
                "بعد خفض الميزانية." },
        { "ar", "عملت فرق الإنقاذ طوال الليل للوصول إلى القرى التي عزلتها "
                "الفيضانات." },
        { "fa", "شورای شهر روز سه‌شنبه تصمیم گرفت پس از کاهش بودجه دو "
                "کتابخانه عمومی را ببندد." },
        { "zh", "市议会周二投票决定关闭两座公共图书馆，因为明年的预算被削减了"
                "五分之一。" },
        { "zh", "这家汽车制造商警告利润将低于分析师预期后，其股价大幅下跌。" },
        { "ja", "市議会は火曜日、予算が削減されたため、二つの公立図書館を閉鎖"
                "することを決めた。" },
        { "ko", "시의회는 화요일 예산 삭감 이후 공공 도서관 두 곳을 폐쇄하기로 "
                "결정했다." },
        { "tr", "Belediye meclisi salı günü bütçenin kesilmesinin ardından "
                "iki halk kütüphanesinin kapatılmasına karar verdi." },
        { "tr", "Kurtarma ekipleri selin ulaşımı kestiği köylere ulaşmak "
                "için bütün gece çalıştı." },
        { "pl", "Rada miejska zagłosowała we wtorek za zamknięciem dwóch "
                "bibliotek publicznych po cięciach w budżecie." },
        { "sv", "Kommunfullmäktige röstade på tisdagen för att stänga två "
                "offentliga bibliotek efter att budgeten skurits ned." },
        { "el", "Το δημοτικό συμβούλιο αποφάσισε την Τρίτη να κλείσει δύο "
                "δημόσιες βιβλιοθήκες μετά τις περικοπές." },
        { "he", "מועצת העיר החליטה ביום שלישי לסגור שתי ספריות ציבוריות "
                "לאחר קיצוץ בתקציב." },
        { "hi", "नगर परिषद ने मंगलवार को बजट में कटौती के बाद दो सार्वजनिक "
                "पुस्तकालयों को बंद करने का फैसला किया।" },
};

/* @returns "(null)" for NULL, so that a failed match prints. */
static char *show(const char *s) {
        return (char *)(s ? s : "(null)");
}

static void expect_case(const lcase_t *c, const char *got) {
        if (!c->lang)
                cr_expect(eq(ptr, (void *)got, NULL), "%s: got %s", c->text,
                          got);
        else
                cr_expect(eq(str, show(got), (char *)c->lang), "%s", c->text);
}

Test(lang_detect, one_paragraph_per_language) {
        for (size_t i = 0; i < sizeof(paragraphs) / sizeof(paragraphs[0]);
             i++) {
                const lcase_t *c = &paragraphs[i];
                expect_case(c, ink_lang_detect(NULL, 0, c->text,
                                               strlen(c->text)));
        }
}

/* Thin evidence is undetermined, never a guess: empty, names only, a
 * headline under the letter minimum, digits and punctuation. */
Test(lang_detect, short_input_is_undetermined) {
        static const lcase_t cases[] = {
                { NULL, "" },
                { NULL, "Trump Putin" },
                { NULL, "Bahnstreik legt den Verkehr lahm" },
                { NULL, "Grève des cheminots dans tout le pays" },
                { NULL, "12345 67890 !!! ... --- 2026-11-28 10:00 +++" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                expect_case(&cases[i], ink_lang_detect(NULL, 0,
                            cases[i].text, strlen(cases[i].text)));
        cr_expect(eq(ptr, (void *)ink_lang_detect(NULL, 0, NULL, 0), NULL));
        cr_expect(eq(ptr, (void *)ink_lang_detect("", 0, "", 0), NULL));
}

/* An informal English text of a few hundred bytes, where the Scots
 * profile alone scores best, stays English or undetermined. */
Test(lang_detect, short_english_is_never_foreign) {
        static const char *const texts[] = {
                "Rate a chump, had the best burger in town and the staff "
                "were great, will be back next week with the kids for sure.",
                "Minister resigns over leaked emails after a long inquiry "
                "into the contracts",
                "lol that game was wild last night, cant believe we won it "
                "in the last minute",
        };
        for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
                const char *got = ink_lang_detect(NULL, 0, texts[i],
                                                  strlen(texts[i]));
                bool english = !got || !strcmp(got, "en");
                cr_expect(english, "%s: got %s", texts[i], got);
        }
}

Test(lang_detect, title_counts) {
        const char *t = "The talks with the rebels will resume next week in "
                        "Geneva, officials said";
        const char *fr = "Les négociations avec les rebelles reprendront la "
                         "semaine prochaine à Genève";
        cr_expect(eq(str, show(ink_lang_detect(t, strlen(t), NULL, 0)),
                     "en"));
        cr_expect(eq(str, show(ink_lang_detect(fr, strlen(fr), "", 0)),
                     "fr"));
}

/* Invalid bytes are spaces: they neither crash nor change the verdict,
 * even a sequence cut at the very end of the text. */
Test(lang_detect, invalid_utf8_is_harmless) {
        const char *bad = "\xff\xfe The talks \xc3 with the rebels \x80 will "
                          "resume \xed\xa0\x80 next week, \xf8\x88 the "
                          "officials said on Monday \xe2\x82";
        const char *only = "\xff\xfe\xfd\xc3\x80\x80\x80\xe2\x82\xff\xfe\xfd"
                           "\xc3\x80\x80\x80\xe2\x82\xff\xfe\xfd\xc3\x80\x80"
                           "\x80\xe2\x82\xff\xfe\xfd\xc3\x80\x80\x80\xe2\x82";
        cr_expect(eq(str, show(ink_lang_detect(bad, strlen(bad), NULL, 0)),
                     "en"));
        cr_expect(eq(ptr, (void *)ink_lang_detect(NULL, 0, only,
                                                   strlen(only)), NULL));
}

/* Only the prefix is read: 10 MB whose first kilobytes are German and
 * the rest French comes out German, within the test's timeout; 10 MB of
 * one letter without a space, as title and body, gives a code or
 * nothing, in bounded time too. */
Test(lang_detect, ten_megabytes_read_by_prefix, .timeout = 20) {
        const char *de = paragraphs[2].text;
        const char *fr = paragraphs[4].text;
        size_t size = 10u << 20, dl = strlen(de), fl = strlen(fr), n = 0;
        char *big = malloc(size);
        const char *got;
        bool code;

        cr_assert(not(eq(ptr, big, NULL)));
        while (n + dl + 1 <= 8192) {
                memcpy(big + n, de, dl);
                big[n + dl] = ' ';
                n += dl + 1;
        }
        while (n + fl + 1 <= size) {
                memcpy(big + n, fr, fl);
                big[n + fl] = ' ';
                n += fl + 1;
        }
        got = ink_lang_detect(NULL, 0, big, n);
        cr_expect(eq(str, show(got), "de"));
        memset(big, 'a', size);
        got = ink_lang_detect(big, size, big, size);
        code = !got || (strlen(got) >= 2 && strlen(got) <= 3);
        cr_expect(code, "aaaa...: got %s", got);
        free(big);
}

/* The script holding most letters decides the path; a text split evenly
 * between two scripts is undetermined. */
Test(lang_detect, mixed_scripts) {
        const char *ru = "Министр иностранных дел России Сергей Лавров "
                         "встретился с госсекретарем США Marco Rubio в "
                         "Женеве, сообщает агентство Reuters.";
        const char *en = "The minister told reporters that the slogan "
                         "\"团结就是力量\" had been painted on the wall of "
                         "the new factory, and that the workers were "
                         "proud of it.";
        const char *half = "Moscow Washington Geneva London Paris Berlin "
                           "Москва Вашингтон Женева Лондон Париж Берлин";
        cr_expect(eq(str, show(ink_lang_detect(NULL, 0, ru, strlen(ru))),
                     "ru"));
        cr_expect(eq(str, show(ink_lang_detect(NULL, 0, en, strlen(en))),
                     "en"));
        cr_expect(eq(ptr, (void *)ink_lang_detect(NULL, 0, half,
                                                   strlen(half)), NULL));
}

#define NTHREADS 4
#define ROUNDS 25

/* Classifies every paragraph ROUNDS times from one thread, starting at a
 * different paragraph per thread.  @returns the number of wrong answers
 * (as a pointer-sized integer). */
static void *classify_all(void *arg) {
        size_t start = (size_t)arg, np = sizeof(paragraphs) /
                                        sizeof(paragraphs[0]);
        uintptr_t wrong = 0;
        for (size_t r = 0; r < ROUNDS; r++)
                for (size_t i = 0; i < np; i++) {
                        const lcase_t *c = &paragraphs[(start + i) % np];
                        const char *got = ink_lang_detect(
                                NULL, 0, c->text, strlen(c->text));
                        if (!got || strcmp(got, c->lang))
                                wrong++;
                }
        return (void *)wrong;
}

/* Several threads at once each get their own classifier (freed when the
 * thread exits: the sanitizer build checks for leaks) and right answers. */
Test(lang_detect, threads, .timeout = 60) {
        pthread_t th[NTHREADS];
        for (size_t i = 0; i < NTHREADS; i++)
                cr_assert(eq(int, pthread_create(&th[i], NULL, classify_all,
                                                 (void *)(i * 7)), 0));
        for (size_t i = 0; i < NTHREADS; i++) {
                void *wrong = NULL;
                cr_assert(eq(int, pthread_join(th[i], &wrong), 0));
                cr_expect(eq(ptr, wrong, NULL), "thread %zu: %zu wrong", i,
                          (size_t)(uintptr_t)wrong);
        }
}

/* Plainly English text is decided before the classifier (here there is
 * none: the fingerprints are missing); another language, even quoting an
 * English phrase, is left to the classifier (so undetermined here). */
Test(lang_detect, plainly_english_needs_no_classifier) {
        const char *en =
                "The minister said that the talks with the union had been "
                "difficult, and that the government would publish its plan "
                "after the summer. They have said this before, and their "
                "critics say the plan has been late for a year.";
        const char *de =
                "Der Minister sagte, die Gespräche mit der Gewerkschaft "
                "seien schwierig gewesen, und die Regierung werde ihren "
                "Plan nach dem Sommer vorlegen. Kritiker sagen, der Plan "
                "sei seit einem Jahr verspätet. Auf Englisch sagte er nur: "
                "the plan and the talks.";

        cr_assert(eq(int, setenv("INK_TEXTCAT_DIR", "/nonexistent/ink/", 1),
                     0));
        cr_expect(eq(str, (char *)ink_lang_detect(NULL, 0, en, strlen(en)),
                     "en"));
        cr_expect(eq(ptr, (void *)ink_lang_detect(NULL, 0, de, strlen(de)),
                     NULL));
}

/*
 * VADER port: each rule of vaderSentiment 3.3.2 on sentences written for
 * this test.  The expected figures are the Python reference's
 * polarity_scores() with its final round() disabled, so the port must
 * match to 1e-12.
 */
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "ink/vader.h"

static ink_vader_t *vd;

static void setup(void) {
        char err[256];

        vd = ink_vader_new(err, sizeof(err));
        cr_assert(not(eq(ptr, vd, NULL)), "ink_vader_new: %s", err);
}

static void teardown(void) {
        ink_vader_destroy(vd);
}

TestSuite(vader, .init = setup, .fini = teardown);

typedef struct vcase_s {
        const char *rule;
        const char *text;
        double compound, pos, neu, neg;
} vcase_t;

static const vcase_t cases[] = {
        { "lexicon", "The harbour ferry was lovely.",
          0.5858817654461621, 0.48717948717948717, 0.5128205128205129,
          0.0 },
        { "booster", "The harbour ferry was extremely lovely.",
          0.6240321422054177, 0.45012647091169034, 0.5498735290883097,
          0.0 },
        { "dampener", "The harbour ferry was slightly lovely.",
          0.543396712701849, 0.4122487363347831, 0.5877512636652169, 0.0 },
        { "caps emphasis", "The harbour ferry was LOVELY today.",
          0.6739361716859966, 0.475506136578202, 0.524493863421798, 0.0 },
        { "caps everywhere: no emphasis", "THE HARBOUR FERRY WAS LOVELY.",
          0.5858817654461621, 0.48717948717948717, 0.5128205128205129,
          0.0 },
        { "caps booster", "The ferry was VERY lovely.",
          0.7027785485102006, 0.5467935644686154, 0.4532064355313845, 0.0 },
        { "negation", "The harbour ferry was not lovely.",
          -0.4717238104285124, 0.0, 0.6194251734390486,
          0.3805748265609515 },
        { "n't and booster two back", "The ferry isn't very lovely.",
          -0.508768677010047, 0.0, 0.5487856744987529, 0.4512143255012471 },
        { "negation three back", "The ferry was not at all lovely.",
          -0.4717238104285124, 0.0, 0.6613756613756614,
          0.33862433862433866 },
        { "never so", "The ferry has never been so lovely.",
          0.7064913114194015, 0.4478315886345335, 0.5521684113654665, 0.0 },
        { "never this", "The ferry has never been this dreadful.",
          -0.5227598108438134, 0.0, 0.64, 0.36 },
        { "without doubt", "Without a doubt, the ferry was lovely.",
          0.7104618169035462, 0.541704857928506, 0.458295142071494, 0.0 },
        { "but", "The ferry was lovely, but the pier was dreadful.",
          -0.35062122495004483, 0.1811320754716981, 0.5283018867924528,
          0.29056603773584905 },
        { "kind of", "The ferry was kind of lovely.",
          0.543396712701849, 0.4122487363347831, 0.5877512636652169, 0.0 },
        { "sort of", "It is sort of good.",
          0.38324473176419577, 0.39458150446496143, 0.6054184955350386,
          0.0 },
        { "least", "It was the least lovely crossing.",
          -0.4717238104285124, 0.0, 0.6194251734390486,
          0.3805748265609515 },
        { "at least", "At least the crossing was not dreadful.",
          0.3412376512543242, 0.2862241256245539, 0.7137758743754462, 0.0 },
        { "no before lexicon word", "There was no delay and no hassle.",
          -0.06133563502908256, 0.21414538310412576, 0.5457323728443572,
          0.2401222440515172 },
        { "no alone", "No, the ferry was lovely.",
          0.5858817654461621, 0.48717948717948717, 0.5128205128205129,
          0.0 },
        { "no ... or", "They offered no good or bad answers.",
          0.11389432763149189, 0.2778861154446178, 0.4875195007800312,
          0.23459438377535097 },
        { "exclamation", "The ferry was lovely!!!",
          0.6884211880296371, 0.6091714434601355, 0.3908285565398645, 0.0 },
        { "exclamation cap", "The ferry was lovely!!!!!!!!!",
          0.7156229258728812, 0.6234939759036144, 0.37650602409638556,
          0.0 },
        { "two question marks", "Was the ferry lovely??",
          0.6321820946686738, 0.5810055865921788, 0.41899441340782123,
          0.0 },
        { "four question marks", "Was the ferry lovely????",
          0.6965638893816957, 0.6134020618556701, 0.3865979381443299, 0.0 },
        { "caps and exclamation", "Quite GOOD!",
          0.6390719333330409, 0.8083556918359525, 0.19164430816404754,
          0.0 },
        { "emoji", "The ferry was lovely \xf0\x9f\x98\x80",
          0.7430377554349386, 0.6116504854368932, 0.3883495145631068, 0.0 },
        { "emoji pair", "Happy \xf0\x9f\x8e\x89\xf0\x9f\x8e\x89 crew",
          0.8442148522271653, 0.7520661157024794, 0.24793388429752064,
          0.0 },
        { "special case", "The fireworks were the bomb at the festival.",
          0.8019956080183264, 0.5454545454545455, 0.4545454545454546, 0.0 },
        { "special case of three", "The ferry was a kiss of death for "
          "the town.", -0.6123724356957946, 0.0, 0.6153846153846154,
          0.38461538461538464 },
        { "emoticons", "Great :) but tiring :(",
          -0.07722832842765416, 0.43750000000000006, 0.19230769230769235,
          0.3701923076923077 },
        { "unicode spaces", "The\xc2\xa0" "ferry\xe2\x80\x83was\xe3\x80\x80"
          "lovely.", 0.5858817654461621, 0.5588235294117647,
          0.4411764705882353, 0.0 },
        { "neutral words", "the a x", 0.0, 0.0, 1.0, 0.0 },
        { "saturation", "Good good good good good good good good good good "
          "good good good.", 0.9879288716817661, 1.0, 0.0, 0.0 },
        { "empty", "", 0.0, 0.0, 0.0, 0.0 },
};

Test(vader, rules_match_reference) {
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const vcase_t *c = &cases[i];
                ink_sentiment_t s;

                ink_vader_score(vd, c->text, strlen(c->text), &s);
                cr_expect(epsilon_eq(dbl, s.compound, c->compound, 1e-12),
                          "%s: compound %.17g, want %.17g", c->rule,
                          s.compound, c->compound);
                cr_expect(epsilon_eq(dbl, s.positive, c->pos, 1e-12),
                          "%s: pos %.17g, want %.17g", c->rule, s.positive,
                          c->pos);
                cr_expect(epsilon_eq(dbl, s.neutral, c->neu, 1e-12),
                          "%s: neu %.17g, want %.17g", c->rule, s.neutral,
                          c->neu);
                cr_expect(epsilon_eq(dbl, s.negative, c->neg, 1e-12),
                          "%s: neg %.17g, want %.17g", c->rule, s.negative,
                          c->neg);
        }
}

Test(vader, long_text_uses_heap_scratch) {
        static const char unit[] = "Sad and tired, the crew rested. ";
        size_t n = 700 * (sizeof(unit) - 1);
        char *text = malloc(n + 1);
        ink_sentiment_t s;
        size_t nw;

        for (size_t i = 0; i < 700; i++)
                memcpy(text + i * (sizeof(unit) - 1), unit, sizeof(unit) - 1);
        text[n] = '\0';
        nw = ink_vader_score(vd, text, n, &s);
        cr_expect(eq(sz, nw, 700 * 6));
        cr_expect(epsilon_eq(dbl, s.compound, -0.9999990433687196, 1e-12));
        cr_expect(epsilon_eq(dbl, s.neutral, 0.4, 1e-12));
        cr_expect(epsilon_eq(dbl, s.negative, 0.6, 1e-12));
        free(text);
}

Test(vader, not_nul_terminated_and_word_count) {
        const char text[] = "Lovely ferry. Dreadful";
        ink_sentiment_t whole, part;

        /* only "Lovely ferry." is scored */
        cr_expect(eq(sz, ink_vader_score(vd, text, 13, &part), 2));
        cr_expect(eq(sz, ink_vader_score(vd, text, strlen(text), &whole), 3));
        cr_expect(gt(dbl, part.compound, 0.0));
        cr_expect(lt(dbl, whole.compound, part.compound));
}

Test(vader, lexicon_lookup) {
        cr_expect(epsilon_eq(dbl, ink_vader_lexicon_valence(vd, "good"), 1.9,
                             1e-12));
        cr_expect(epsilon_eq(dbl, ink_vader_lexicon_valence(vd, "no"), -1.2,
                             1e-12));
        cr_expect(eq(dbl, ink_vader_lexicon_valence(vd, "ferry"), 0.0));
        /* booster and negation words are no lexicon entries */
        cr_expect(eq(dbl, ink_vader_lexicon_valence(vd, "very"), 0.0));
        cr_expect(eq(dbl, ink_vader_lexicon_valence(vd, "never"), 0.0));
}

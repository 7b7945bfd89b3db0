/*
 * The summit stage, second part: who takes part (plural titles, people
 * named as the object of a meeting or as its mediator, full forms of
 * names, the host named only by office in one sentence), how firm an
 * offer is, which sentences speak of the same encounter, the time
 * expressions the stage finds, and negatives built on the same cues.
 * All sentences are written for these tests; the names are invented.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/stage.h"
#include "ink/summit.h"

#include "summit_test_util.h"

/*---- Participants ---------------------------------------------------------*/

Test(summit_parts, plural_title_names_each_side) {
        ink_article_t *art = mk(
                "pl1", NULL,
                "Zambia has set a meeting between Presidents Banda of "
                "Malawi and Okello of Uganda for 12 May in Lusaka.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(has_part(al, "Banda"), "key: %s", al->event_key);
        cr_expect(has_part(al, "Okello"), "key: %s", al->event_key);
        cr_expect(not(has_part(al, "Uganda")), "key: %s", al->event_key);
        ink_article_destroy(art);
}

Test(summit_parts, facilitator_is_a_participant) {
        ink_article_t *art = mk(
                "fac1", "Banda and Okello to meet in Zambia on 12 May",
                "Malawian President Peter Banda and Ugandan President Sam "
                "Okello will meet in Lusaka on 12 May. The summit is "
                "facilitated by Zambian President Joseph Phiri, who has "
                "worked on it for months.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(has_part(al, "Peter Banda"), "key: %s", al->event_key);
        cr_expect(has_part(al, "Sam Okello"), "key: %s", al->event_key);
        cr_expect(has_part(al, "Joseph Phiri"), "key: %s", al->event_key);
        ink_article_destroy(art);
}

Test(summit_parts, object_of_meet_without_entity) {
        /* no PER entities: the entity stage missed both names */
        ink_article_t *art = mk(
                "obj1", NULL,
                "Next week, Swedish Prime Minister Jonas Berg will travel "
                "to Ghana to meet Kwame Asante there.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(has_part(al, "Kwame Asante"), "key: %s", al->event_key);
        cr_expect(not(has_part(al, "Ghana")), "key: %s", al->event_key);
        ink_article_destroy(art);
}

Test(summit_parts, headline_word_is_no_name) {
        ink_article_t *art = mk(
                "obj2", "Banda Agrees to Meet Okello Under Zambian Mediation",
                "Malawian President Peter Banda has agreed to meet Ugandan "
                "President Sam Okello, officials said.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(not(has_part(al, "Okello Under")), "key: %s",
                  al->event_key);
        cr_expect(has_part(al, "Sam Okello"), "key: %s", al->event_key);
        ink_article_destroy(art);
}

Test(summit_parts, full_form_of_a_one_word_name) {
        ink_article_t *art = mk(
                "full1", "Omani ruler invites Kenyan president",
                "Oman's Sultan Tarik has invited Kenyan President David "
                "Kamau to make an official visit to Muscat. In his letter, "
                "Tarik bin Hamad welcomed closer ties.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(eq(int, al->status, INK_STATUS_PROPOSED));
        cr_expect(has_part(al, "Tarik bin Hamad"), "key: %s", al->event_key);
        cr_expect(has_part(al, "David Kamau"), "key: %s", al->event_key);
        ink_article_destroy(art);
}

Test(summit_parts, host_named_with_office_only_fills_its_side) {
        ink_article_t *art = mk(
                "open1", NULL,
                "Omani Crown Prince Faris bin Tarik on Saturday postponed "
                "his visit to Kenya. The crown prince had been invited by "
                "President David Kamau for a visit planned for next month.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(eq(int, al->status, INK_STATUS_POSTPONED));
        cr_expect(has_part(al, "Faris bin Tarik"), "key: %s", al->event_key);
        cr_expect(has_part(al, "David Kamau"), "key: %s", al->event_key);
        cr_expect(not(has_part(al, "Kenya")), "key: %s", al->event_key);
        ink_article_destroy(art);
}

Test(summit_parts, former_leader_fills_no_side) {
        ink_article_t *art = mk(
                "open2", NULL,
                "Omani Crown Prince Faris bin Tarik on Saturday postponed "
                "his visit to Kenya. He last visited Kenya in 2019 during "
                "the term of former president Daniel Otieno.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(not(has_part(al, "Daniel Otieno")), "key: %s",
                  al->event_key);
        cr_expect(has_part(al, "Kenya"), "key: %s", al->event_key);
        ink_article_destroy(art);
}

Test(summit_parts, people_of_a_call_stand_for_two_countries) {
        ink_article_t *art = mk(
                "pair1", "Omani, Kenyan FMs to meet in coming days",
                "The foreign ministers of Oman and Kenya will meet in the "
                "coming days, the two announced after a phone call. "
                "Salim Al Harthy, in a telephone conversation with Grace "
                "Wanjiru, praised the ties.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(eq(int, al->status, INK_STATUS_SCHEDULED));
        cr_expect(has_part(al, "Grace Wanjiru"), "key: %s", al->event_key);
        cr_expect(has_part(al, "Salim Al Harthy"), "key: %s",
                  al->event_key);
        cr_expect(not(has_part(al, "Oman")), "key: %s", al->event_key);
        ink_article_destroy(art);
}

Test(summit_parts, later_stops_are_no_parties) {
        ink_article_t *art = mk(
                "list1", NULL,
                "Lebanese President Karim Haddad will visit Saudi Arabia "
                "on Monday, after which he will tour several Arab "
                "countries including Egypt.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(has_part(al, "Karim Haddad"), "key: %s", al->event_key);
        cr_expect(has_part(al, "Saudi Arabia"), "key: %s", al->event_key);
        cr_expect(not(has_part(al, "Egypt")), "key: %s", al->event_key);
        ink_article_destroy(art);
}

Test(summit_parts, body_as_topic_of_a_visit) {
        ink_article_t *art = mk(
                "topic1", NULL,
                "Malaysian Prime Minister Adam Yusof will visit Thailand "
                "later this month to meet Thai Prime Minister Niran Chai "
                "and discuss ASEAN.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(eq(int, al->mode, INK_MODE_VISIT));
        cr_expect(has_part(al, "Adam Yusof"), "key: %s", al->event_key);
        cr_expect(has_part(al, "Niran Chai"), "key: %s", al->event_key);
        cr_expect(not(has_part(al, "ASEAN")), "key: %s", al->event_key);
        ink_article_destroy(art);
}

/*---- Status ---------------------------------------------------------------*/

Test(summit_status, dates_offered_by_one_side_are_no_confirmation) {
        ink_article_t *art = mk(
                "prop1", NULL,
                "According to the foreign ministry, Nairobi has proposed "
                "August 23-24 as dates for talks between the national "
                "security advisers of Kenya and Uganda.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        cr_expect(eq(int, art->alerts[0].status, INK_STATUS_PLANNED));
        ink_article_destroy(art);
}

Test(summit_status, another_pairing_does_not_date_the_encounter) {
        ink_article_t *art = mk(
                "pair2", "Banda agrees to meet Okello",
                "Malawian President Peter Banda has agreed to meet Ugandan "
                "President Sam Okello under the mediation of Zambian "
                "President Joseph Phiri. No date has been given. Phiri is "
                "slated to meet Okello next month.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        cr_expect(eq(int, art->alerts[0].status, INK_STATUS_PLANNED));
        ink_article_destroy(art);
}

Test(summit_status, day_of_the_statement_is_not_the_day_of_the_summit) {
        ink_article_t *art = mk(
                "rep1", NULL,
                "Prime Minister Peter Banda invited his Ugandan counterpart "
                "Sam Okello to a summit, his office said in a statement "
                "late Tuesday.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        cr_expect(eq(int, art->alerts[0].status, INK_STATUS_PROPOSED));
        ink_article_destroy(art);
}

/*---- Time expressions ------------------------------------------------------*/

/* Runs the stage on \p body and checks the time expression it reports. */
static void expect_when(const char *body, const char *when) {
        ink_article_t *art = mk("t", NULL, body, "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1), "no alert for: %s", body);
        const ink_alert_t *al = &art->alerts[0];
        cr_assert(not(eq(ptr, (void *)al->when_text, NULL)), "%s", body);
        cr_expect(eq(str, (char *)al->when_text, (char *)when), "%s", body);
        ink_article_destroy(art);
}

Test(summit_time, expressions_found) {
        expect_when("Malawian President Peter Banda will visit Uganda "
                    "from April 7 to 10, 2025.", "April 7 to 10, 2025");
        expect_when("Malawian President Peter Banda will visit Uganda "
                    "in just over a week.", "in just over a week");
        expect_when("Malawian President Peter Banda will visit Uganda "
                    "next Tuesday.", "next Tuesday");
        expect_when("Malawian President Peter Banda will visit Uganda "
                    "in Sept. 2025.", "Sept. 2025");
        expect_when("Malawian President Peter Banda will visit Uganda "
                    "later this month.", "later this month");
        expect_when("Malawian President Peter Banda will visit Uganda "
                    "shortly after the elections.",
                    "shortly after the elections");
        expect_when("Malawian President Peter Banda will visit Uganda "
                    "within 10 days.", "within 10 days");
}

Test(summit_time, month_word_not_written_as_a_month) {
        /* "may" in lower case and "march" as a verb are no months */
        ink_article_t *art = mk(
                "t2", NULL,
                "Malawian President Peter Banda may visit Uganda, and "
                "crowds will march in Kampala.",
                "2025-03-03");
        run_summit(art);
        for (size_t i = 0; i < art->nalerts; i++)
                cr_expect(eq(ptr, (void *)art->alerts[i].when_text, NULL));
        ink_article_destroy(art);
}

/*---- Negatives on the same cues --------------------------------------------*/

Test(summit_neg, plural_title_past_meeting) {
        expect_none(NULL, "Presidents Banda of Malawi and Okello of Uganda "
                          "met in Lusaka on Tuesday and held talks on "
                          "trade.");
}

Test(summit_neg, domestic_meeting_with_object_name) {
        expect_none(NULL, "The governor will meet Chief Minister Ravi "
                          "Kumar next week to discuss flood relief.");
}

Test(summit_neg, meeting_party_leaders_at_home) {
        expect_none(NULL, "Senator Mary Hill has invited Tom Reed to meet "
                          "with Liberty Party leaders in Washington next "
                          "Thursday.");
}

Test(summit_neg, meeting_a_company_chief) {
        expect_none("Investment summit opens",
                    "Malawian President Peter Banda will meet Acme "
                    "Holdings chief Tom Reed at the investment summit "
                    "next week.");
}

Test(summit_neg, place_named_summit) {
        expect_none(NULL, "The Summit County council will meet Jane Doe "
                          "next Tuesday to discuss parking.");
}

Test(summit_neg, speculation_with_names) {
        expect_none(NULL, "Analysts say Peter Banda and Sam Okello should "
                          "meet one day, but no meeting is planned.");
}

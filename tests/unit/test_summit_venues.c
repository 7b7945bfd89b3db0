/*
 * The summit stage, third part: where an encounter takes place (places
 * the entity stage linked to a city or country, named seats of power,
 * "the <demonym> capital <city>", "the capital of <country>, <city>",
 * a city that refines a country named before, no venue for a virtual
 * summit), its mode (a virtual summit, "held by videoconference", a
 * host that does not decide the mode) and non-state groups named as the
 * topic of a summit, and who a visit meets.  All sentences are written
 * for these tests; the names are invented.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "ink/stage.h"
#include "ink/summit.h"

#include "summit_test_util.h"

/* Runs the stage on \p art and asserts one alert.  @returns it. */
static const ink_alert_t *one_alert(ink_article_t *art) {
        cr_assert(eq(sz, run_summit(art), 1), "no alert for: %s", art->body);
        return &art->alerts[0];
}

/*---- Venues ---------------------------------------------------------------*/

Test(summit_venues, linked_city_gives_its_canonical_name) {
        ink_article_t *art = mk(
                "v1", NULL,
                "Polish President Jan Nowak will meet Austrian Chancellor "
                "Karl Huber in Genf on 12 May.",
                "2025-03-03");
        add_ent_kb(art, INK_ENT_LOC, "Genf", "Geneva", "geonames:2660646");
        const ink_alert_t *al = one_alert(art);
        cr_expect(eq(sz, al->nvenues, 1));
        cr_expect(has_venue(al, "Geneva"), "venue: %s",
                  al->nvenues ? al->venues[0] : "");
        ink_article_destroy(art);
}

Test(summit_venues, unlinked_place_fragment_is_no_venue) {
        /* "Eastern" tagged LOC but linked to nothing: a fragment */
        ink_article_t *art = mk(
                "v2", NULL,
                "Zambian President Joseph Phiri will host Presidents Banda "
                "of Malawi and Okello of Uganda in Lusaka on 12 May to "
                "discuss the fighting in Eastern Ruritania.",
                "2025-03-03");
        add_ent(art, INK_ENT_LOC, "Eastern", NULL);
        const ink_alert_t *al = one_alert(art);
        cr_expect(has_venue(al, "Lusaka"));
        cr_expect(not(has_venue(al, "Eastern")));
        cr_expect(eq(sz, al->nvenues, 1));
        ink_article_destroy(art);
}

Test(summit_venues, named_seat_of_power) {
        ink_article_t *art = mk(
                "v3", NULL,
                "US President Tom Baker will host Ghanaian President Kofi "
                "Mensah at the White House on 3 June.",
                "2025-03-03");
        const ink_alert_t *al = one_alert(art);
        cr_expect(has_venue(al, "White House"), "venues: %zu",
                  al->nvenues);
        ink_article_destroy(art);
}

Test(summit_venues, named_retreat_is_a_venue) {
        ink_article_t *art = mk(
                "v3b", NULL,
                "US President Tom Baker will meet Egyptian President Adel "
                "Farouk at Camp David next week.",
                "2025-03-03");
        const ink_alert_t *al = one_alert(art);
        cr_expect(has_venue(al, "Camp David"), "venues: %zu", al->nvenues);
        ink_article_destroy(art);
}

Test(summit_venues, will_be_held_is_no_past_event) {
        ink_article_t *art = mk(
                "v3c", NULL,
                "The summit of Presidents Banda of Malawi and Okello of "
                "Uganda will be held in Lusaka.",
                "2025-03-03");
        const ink_alert_t *al = one_alert(art);
        cr_expect(has_venue(al, "Lusaka"));
        ink_article_destroy(art);
}

Test(summit_venues, seat_of_power_alone_raises_nothing) {
        expect_none(NULL, "The White House said on Monday that the "
                          "president would sign the budget bill.");
}

Test(summit_venues, demonym_capital_city) {
        ink_article_t *art = mk(
                "v4", NULL,
                "Lebanese President Karim Haddad will visit the Saudi "
                "capital Riyadh next week.",
                "2025-03-03");
        const ink_alert_t *al = one_alert(art);
        cr_expect(eq(int, al->mode, INK_MODE_VISIT));
        cr_expect(has_venue(al, "Riyadh"));
        cr_expect(eq(sz, al->nvenues, 1));
        ink_article_destroy(art);
}

Test(summit_venues, capital_of_country_then_city) {
        ink_article_t *art = mk(
                "v5", NULL,
                "Leaders of ECOWAS will gather in the capital of "
                "Equatorial Guinea, Malabo, on 8 April for a summit.",
                "2025-03-03");
        const ink_alert_t *al = one_alert(art);
        cr_expect(has_venue(al, "Equatorial Guinea"));
        cr_expect(has_venue(al, "Malabo"));
        ink_article_destroy(art);
}

Test(summit_venues, demonym_capital_without_city_name) {
        ink_article_t *art = mk(
                "v6", NULL,
                "Estonian President Mart Tamm will meet Latvian President "
                "Juris Ozols in the Finnish capital on 4 June.",
                "2025-03-03");
        const ink_alert_t *al = one_alert(art);
        cr_expect(eq(sz, al->nvenues, 1));
        cr_expect(has_venue(al, "Helsinki"), "venue: %s",
                  al->nvenues ? al->venues[0] : "");
        ink_article_destroy(art);
}

Test(summit_venues, city_refines_the_country) {
        ink_article_t *art = mk(
                "v7", NULL,
                "Chilean President Pablo Rojas will visit Peru on 12 May. "
                "The two leaders will hold talks in Lima.",
                "2025-03-03");
        const ink_alert_t *al = one_alert(art);
        cr_expect(has_venue(al, "Peru"));
        cr_expect(has_venue(al, "Lima"));
        ink_article_destroy(art);
}

Test(summit_venues, city_of_another_country_is_not_added) {
        ink_article_t *art = mk(
                "v8", NULL,
                "Chilean President Pablo Rojas will visit Peru on 12 May. "
                "The two leaders will sign the accord in Santiago.",
                "2025-03-03");
        const ink_alert_t *al = one_alert(art);
        cr_expect(has_venue(al, "Peru"));
        cr_expect(not(has_venue(al, "Santiago")));
        ink_article_destroy(art);
}

/*---- Mode -----------------------------------------------------------------*/

Test(summit_venues, virtual_summit_is_a_call_without_venue) {
        ink_article_t *art = mk(
                "m1", NULL,
                "Vietnam will host a virtual ASEAN summit on 26 June in "
                "Hanoi.",
                "2025-03-03");
        const ink_alert_t *al = one_alert(art);
        cr_expect(eq(int, al->mode, INK_MODE_CALL));
        cr_expect(eq(sz, al->nvenues, 0));
        ink_article_destroy(art);
}

Test(summit_venues, held_by_videoconference_later) {
        ink_article_t *art = mk(
                "m2", NULL,
                "Sudanese Prime Minister Omar Idris has invited Egyptian "
                "Prime Minister Samir Fawzi and Ethiopian Prime Minister "
                "Dawit Bekele to a summit next week. The summit will be "
                "held by videoconference.",
                "2025-03-03");
        const ink_alert_t *al = one_alert(art);
        cr_expect(eq(int, al->mode, INK_MODE_CALL));
        ink_article_destroy(art);
}

Test(summit_venues, past_phone_call_then_meeting) {
        /* the call is over; the meeting it agreed on is the encounter */
        ink_article_t *art = mk(
                "m3", NULL,
                "Kenyan President Ruth Wanjiru and Tanzanian President "
                "Amani Mrisho spoke by phone on Monday and agreed to meet "
                "in Arusha next month.",
                "2025-03-03");
        const ink_alert_t *al = one_alert(art);
        cr_expect(eq(int, al->mode, INK_MODE_MEETING));
        ink_article_destroy(art);
}

Test(summit_venues, host_without_other_trigger_is_a_meeting) {
        ink_article_t *art = mk(
                "m4", NULL,
                "Kenya will host Ugandan President Sam Okello and Rwandan "
                "President Paul Mugabo on 12 May.",
                "2025-03-03");
        const ink_alert_t *al = one_alert(art);
        cr_expect(eq(int, al->mode, INK_MODE_MEETING));
        ink_article_destroy(art);
}

Test(summit_venues, travel_to_is_a_visit) {
        ink_article_t *art = mk(
                "m5", NULL,
                "Ugandan President Sam Okello will travel to Kenya next "
                "week for talks with Kenyan President Ruth Wanjiru.",
                "2025-03-03");
        const ink_alert_t *al = one_alert(art);
        cr_expect(eq(int, al->mode, INK_MODE_VISIT));
        cr_expect(has_venue(al, "Kenya"));
        ink_article_destroy(art);
}

/*---- Participants ---------------------------------------------------------*/

Test(summit_venues, armed_group_topic_is_no_participant) {
        ink_article_t *art = mk(
                "p1", NULL,
                "Leaders of ECOWAS will hold a summit in Abuja on 8 April "
                "to draw up a plan against Red Dawn. The summit will "
                "discuss attacks by Red Dawn militants.",
                "2025-03-03");
        add_ent(art, INK_ENT_PER, "Red Dawn", NULL);
        const ink_alert_t *al = one_alert(art);
        cr_expect(has_part(al, "ECOWAS"), "key: %s", al->event_key);
        cr_expect(not(has_part(al, "Red Dawn")), "key: %s", al->event_key);
        ink_article_destroy(art);
}

Test(summit_venues, person_met_is_still_a_participant) {
        /* a full name near the trigger, no topic word: a party */
        ink_article_t *art = mk(
                "p2", NULL,
                "Swedish Prime Minister Jonas Berg will travel to Ghana "
                "next week to meet Kwame Asante.",
                "2025-03-03");
        add_ent(art, INK_ENT_PER, "Kwame Asante", NULL);
        const ink_alert_t *al = one_alert(art);
        cr_expect(has_part(al, "Kwame Asante"), "key: %s", al->event_key);
        ink_article_destroy(art);
}

Test(summit_venues, visit_adds_the_host_head_of_government) {
        ink_article_t *art = mk(
                "p3", "Chile's Rojas to visit Peru on 12 May",
                "Chilean President Pablo Rojas will visit Peru on 12 May. "
                "He will meet with President Ana Quispe in Lima. He will "
                "talk with Prime Minister Luis Huaman over dinner.",
                "2025-03-03");
        const ink_alert_t *al = one_alert(art);
        cr_expect(has_part(al, "Pablo Rojas"), "key: %s", al->event_key);
        cr_expect(has_part(al, "Ana Quispe"), "key: %s", al->event_key);
        cr_expect(has_part(al, "Luis Huaman"), "key: %s", al->event_key);
        ink_article_destroy(art);
}

Test(summit_venues, visit_companion_or_past_talk_is_no_host) {
        ink_article_t *art = mk(
                "p4", "Chile's Rojas to visit Peru on 12 May",
                "Chilean President Pablo Rojas will visit Peru on 12 May. "
                "He will meet with President Ana Quispe in Lima. He will "
                "travel with Foreign Minister Marta Soto. He talked with "
                "Prime Minister Luis Huaman last year.",
                "2025-03-03");
        const ink_alert_t *al = one_alert(art);
        cr_expect(has_part(al, "Ana Quispe"), "key: %s", al->event_key);
        cr_expect(not(has_part(al, "Marta Soto")), "key: %s",
                  al->event_key);
        cr_expect(not(has_part(al, "Luis Huaman")), "key: %s",
                  al->event_key);
        ink_article_destroy(art);
}

Test(summit_venues, name_with_hyphenated_particle_is_a_side) {
        ink_article_t *art = mk(
                "p5", NULL,
                "Turkish President Ali Demir on Thursday called for a joint "
                "summit with Russian President Ivan Petrov and Syrian "
                "President Omar al-Hassan to discuss the border.",
                "2025-03-03");
        const ink_alert_t *al = one_alert(art);
        cr_expect(has_part(al, "Omar al-Hassan"), "key: %s", al->event_key);
        cr_expect(has_part(al, "Ivan Petrov"), "key: %s", al->event_key);
        cr_expect(not(has_part(al, "Syria")), "key: %s", al->event_key);
        ink_article_destroy(art);
}

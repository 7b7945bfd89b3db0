/*
 * The summit-announcement stage: positive kinds (planned call, dated state
 * visit, postponed summit, cancelled visit, offer to host), negative kinds
 * (past meeting, "no plans", business summit, mountain summit, Summit
 * County, domestic meeting, speculation), date resolution and ids.
 * Articles are tokenised by the real tokens stage; entities are added by
 * hand where a test needs them.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/stage.h"
#include "ink/summit.h"

#include "summit_test_util.h"

/*---- Positive kinds --------------------------------------------------------*/

Test(summit, planned_call_wins_over_later_meeting) {
        ink_article_t *art = mk(
                "call1", "Souza plans phone call with Mwangi, wants to meet him",
                "Brazilian President Ana Souza plans to hold a phone call "
                "with Kenyan President Peter Mwangi soon, aides said. The "
                "call is meant to prepare a face-to-face meeting.",
                "2025-03-03");
        add_ent(art, INK_ENT_PER, "Ana Souza", NULL);
        add_ent(art, INK_ENT_PER, "Peter Mwangi", NULL);
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(eq(str, (char *)al->type, "summit"));
        cr_expect(eq(int, al->mode, INK_MODE_CALL));
        cr_expect(eq(int, al->status, INK_STATUS_PLANNED));
        cr_expect(eq(sz, al->nparticipants, 2));
        cr_expect(has_part(al, "Ana Souza"));
        cr_expect(has_part(al, "Peter Mwangi"));
        cr_expect(eq(sz, al->nvenues, 0));
        cr_expect(eq(str, (char *)al->cameo, "036"));
        cr_expect(eq(str, (char *)al->event_key,
                     "summit|call|Ana Souza|Peter Mwangi"));
        ink_article_destroy(art);
}

Test(summit, state_visit_with_date) {
        ink_article_t *art = mk(
                "visit1", NULL,
                "OSLO - Chilean President Marco Rojas will pay a state visit "
                "to Norway on 14 March, the foreign ministry said on "
                "Monday. Rojas will hold talks with Norwegian Prime Minister "
                "Ingrid Dahl in Oslo.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(eq(int, al->mode, INK_MODE_VISIT));
        cr_expect(eq(int, al->status, INK_STATUS_CONFIRMED));
        cr_expect(has_part(al, "Marco Rojas"));
        cr_expect(has_venue(al, "Norway"));
        cr_assert(not(eq(ptr, (void *)al->when_text, NULL)));
        cr_expect(eq(str, (char *)al->when_text, "14 March"));
        cr_assert(not(eq(ptr, (void *)al->when_date, NULL)));
        cr_expect(eq(str, (char *)al->when_date, "2025-03-14"));
        cr_expect(eq(str, (char *)al->cameo, "042"));
        cr_expect(not(eq(ptr, strstr(al->evidence, "state visit"), NULL)));
        ink_article_destroy(art);
}

Test(summit, postponed_summit) {
        ink_article_t *art = mk(
                "post1", "Ghana-Togo summit postponed",
                "A summit between Ghanaian President Kofi Mensah and Togolese "
                "President Yao Agbeko, planned for next week in Accra, has "
                "been postponed, officials said.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(eq(int, al->mode, INK_MODE_MEETING));
        cr_expect(eq(int, al->status, INK_STATUS_POSTPONED));
        cr_expect(has_part(al, "Kofi Mensah"));
        cr_expect(has_part(al, "Yao Agbeko"));
        cr_expect(has_venue(al, "Accra"));
        ink_article_destroy(art);
}

Test(summit, cancelled_visit) {
        ink_article_t *art = mk(
                "canc1", NULL,
                "Peruvian Foreign Minister Luis Prado has called off his "
                "visit to Ecuador, which was scheduled for Friday, the "
                "ministry announced.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(eq(int, al->mode, INK_MODE_VISIT));
        cr_expect(eq(int, al->status, INK_STATUS_CANCELLED));
        cr_expect(has_part(al, "Luis Prado"));
        cr_expect(has_part(al, "Ecuador"));
        cr_expect(eq(str, (char *)al->cameo, "125"));
        ink_article_destroy(art);
}

Test(summit, offer_to_host) {
        ink_article_t *art = mk(
                "host1", "Austria offers to host Armenia-Azerbaijan talks",
                "Austria has offered to host a meeting between Armenian Prime "
                "Minister Aram Petrosyan and Azerbaijani President Elchin "
                "Aliyev. Neither side has replied yet.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(eq(int, al->mode, INK_MODE_MEETING));
        cr_expect(eq(int, al->status, INK_STATUS_PROPOSED));
        cr_expect(has_venue(al, "Austria"));
        ink_article_destroy(art);
}

Test(summit, body_summit_without_named_people) {
        ink_article_t *art = mk(
                "body1", NULL,
                "Leaders of the African Union will hold a virtual summit on "
                "Thursday to discuss the crisis, a spokesman said.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(eq(int, al->mode, INK_MODE_CALL));
        cr_expect(eq(int, al->status, INK_STATUS_CONFIRMED));
        cr_expect(has_part(al, "African Union"));
        cr_expect(eq(str, (char *)al->when_date, "2025-03-06"));
        ink_article_destroy(art);
}

Test(summit, new_encounter_after_past_one) {
        ink_article_t *art = mk(
                "again1", NULL,
                "French President Jean Dupont held talks with his German "
                "counterpart Klaus Weber on Monday, and the two agreed to "
                "meet again in April.",
                "2025-02-10");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(eq(int, al->mode, INK_MODE_MEETING));
        cr_expect(eq(int, al->status, INK_STATUS_SCHEDULED));
        cr_expect(has_part(al, "Jean Dupont"));
        cr_expect(has_part(al, "Klaus Weber"));
        cr_assert(not(eq(ptr, (void *)al->when_text, NULL)));
        cr_expect(eq(str, (char *)al->when_text, "April"));
        cr_expect(eq(ptr, (void *)al->when_date, NULL));
        ink_article_destroy(art);
}

Test(summit, meeting_at_a_third_place_is_no_visit) {
        ink_article_t *art = mk(
                "third1", NULL,
                "Chilean President Marco Rojas will meet his Bolivian "
                "counterpart, Eva Quispe, during his visit to Uruguay next "
                "week.",
                "2025-02-10");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(eq(int, al->mode, INK_MODE_MEETING));
        cr_expect(eq(int, al->status, INK_STATUS_SCHEDULED));
        cr_expect(has_part(al, "Eva Quispe"));
        cr_expect(has_venue(al, "Uruguay"));
        cr_expect(eq(str, (char *)al->when_date, "2025-02-17"));
        ink_article_destroy(art);
}

/*---- Negative kinds --------------------------------------------------------*/

Test(summit, past_meeting) {
        expect_none("Sato and Roy discuss trade",
                    "Japanese Prime Minister Ken Sato met Canadian Prime "
                    "Minister Anne Roy in Ottawa on Tuesday, and the two "
                    "held talks on trade. Sato returned home on Wednesday.");
}

Test(summit, no_plans_to_meet) {
        expect_none(NULL,
                    "Brazilian President Ana Souza has no plans to meet "
                    "Kenyan President Peter Mwangi, a spokesman said.");
}

Test(summit, business_summit) {
        expect_none("Tech leaders gather in Lisbon",
                    "Hundreds of investors will attend the Digital Business "
                    "Summit in Lisbon next week, where Portuguese President "
                    "Rui Costa and French President Paul Martin will speak.");
}

Test(summit, mountain_summit) {
        expect_none("Climbers set out for the summit",
                    "A team of climbers from Nepal and Italy plans to reach "
                    "the summit of the mountain next week, weather "
                    "permitting. The expedition left base camp on Monday.");
}

Test(summit, summit_county) {
        expect_none(NULL,
                    "The Summit County council will meet on Tuesday to "
                    "discuss road repairs with officials from Canada.");
}

Test(summit, domestic_meeting) {
        expect_none(NULL,
                    "Indian Prime Minister Ravi Kumar will meet Chief "
                    "Minister Anil Rao on Friday to discuss flood relief for "
                    "the state.");
}

Test(summit, speculation) {
        expect_none("Could Chile and Peru leaders meet?",
                    "Analysts say the presidents of Chile and Peru might "
                    "meet one day to mend ties.");
}

Test(summit, sports_summit_clash) {
        expect_none("Leaders Arsenal face Chelsea in summit clash",
                    "League leaders Arsenal will meet second-placed Chelsea "
                    "on Sunday in a summit clash that could decide the "
                    "title.");
}

Test(summit, ambassador_summoned) {
        expect_none("Ghana summons Togolese ambassador",
                    "Ghana's foreign ministry on Monday summoned the Togolese "
                    "ambassador to protest against remarks by Togolese "
                    "President Yao Agbeko.");
}

Test(summit, sanctions_statement) {
        expect_none(NULL,
                    "The United States imposed sanctions on three Chilean "
                    "officials on Friday, the Treasury said.");
}

Test(summit, returned_home_after_visit) {
        expect_none("Mensah returns home",
                    "Ghanaian President Kofi Mensah returned home on Sunday "
                    "after a three-day state visit to Togo, where he held "
                    "talks with Togolese President Yao Agbeko.");
}

Test(summit, general_pledge_without_encounter) {
        expect_none(NULL,
                    "Chilean President Marco Rojas and Norwegian Prime "
                    "Minister Ingrid Dahl agreed to keep channels of "
                    "communication open and to exchange visits at an "
                    "appropriate time.");
}

/*---- Helpers ---------------------------------------------------------------*/

Test(summit, resolve_dates) {
        char d[16];
        int64_t pub;
        /* Monday 3 March 2025 */
        cr_assert(eq(int, ink_parse_iso8601("2025-03-03T09:00:00Z", &pub),
                     0));
        cr_expect(eq(int, ink_summit_resolve_date("on 20 January", pub, d,
                                                  sizeof(d)), 0));
        cr_expect(eq(str, d, "2026-01-20"));
        cr_expect(eq(int, ink_summit_resolve_date("March 20", pub, d,
                                                  sizeof(d)), 0));
        cr_expect(eq(str, d, "2025-03-20"));
        cr_expect(eq(int, ink_summit_resolve_date("September 11, 2027", pub,
                                                  d, sizeof(d)), 0));
        cr_expect(eq(str, d, "2027-09-11"));
        cr_expect(eq(int, ink_summit_resolve_date("next Tuesday", pub, d,
                                                  sizeof(d)), 0));
        cr_expect(eq(str, d, "2025-03-04"));
        cr_expect(eq(int, ink_summit_resolve_date("on Wednesday", pub, d,
                                                  sizeof(d)), 0));
        cr_expect(eq(str, d, "2025-03-05"));
        cr_expect(eq(int, ink_summit_resolve_date("next Monday", pub, d,
                                                  sizeof(d)), 0));
        cr_expect(eq(str, d, "2025-03-10"));
        cr_expect(eq(int, ink_summit_resolve_date("tomorrow", pub, d,
                                                  sizeof(d)), 0));
        cr_expect(eq(str, d, "2025-03-04"));
        cr_expect(eq(int, ink_summit_resolve_date("next week", pub, d,
                                                  sizeof(d)), 0));
        cr_expect(eq(str, d, "2025-03-10"));
        cr_expect(eq(int, ink_summit_resolve_date("April 7 to 10", pub, d,
                                                  sizeof(d)), 0));
        cr_expect(eq(str, d, "2025-04-07"));
        cr_expect(eq(int, ink_summit_resolve_date("soon", pub, d, sizeof(d)),
                     -1));
        cr_expect(eq(int, ink_summit_resolve_date("on Wednesday", -1, d,
                                                  sizeof(d)), -1));
        cr_expect(eq(int, ink_summit_resolve_date("5 May 2025", -1, d,
                                                  sizeof(d)), 0));
        cr_expect(eq(str, d, "2025-05-05"));
}

Test(summit, deterministic_ids) {
        const char *body = "Chilean President Marco Rojas will visit Norway "
                           "next week, the ministry said.";
        ink_article_t *a = mk("same", NULL, body, "2025-03-03");
        ink_article_t *b = mk("same", NULL, body, "2025-03-03");
        ink_article_t *c = mk("other", NULL, body, "2025-03-03");
        cr_assert(eq(sz, run_summit(a), 1));
        cr_assert(eq(sz, run_summit(b), 1));
        cr_assert(eq(sz, run_summit(c), 1));
        cr_expect(eq(str, (char *)a->alerts[0].alert_id,
                     (char *)b->alerts[0].alert_id));
        cr_expect(eq(str, (char *)a->alerts[0].event_key,
                     (char *)c->alerts[0].event_key));
        cr_expect(not(eq(str, (char *)a->alerts[0].alert_id,
                         (char *)c->alerts[0].alert_id)));
        cr_expect(eq(sz, strlen(a->alerts[0].alert_id), 16));
        cr_expect(eq(str, (char *)a->alerts[0].event_key,
                     "summit|visit|Marco Rojas|Norway"));
        char id[17];
        ink_summit_alert_id("same", a->alerts[0].event_key, id, sizeof(id));
        cr_expect(eq(str, id, (char *)a->alerts[0].alert_id));
        ink_article_destroy(a);
        ink_article_destroy(b);
        ink_article_destroy(c);
}

Test(summit, cameo_mapping) {
        cr_expect(eq(str, (char *)ink_summit_cameo(INK_MODE_MEETING,
                                                   INK_STATUS_PROPOSED),
                     "036"));
        cr_expect(eq(str, (char *)ink_summit_cameo(INK_MODE_CALL,
                                                   INK_STATUS_CONFIRMED),
                     "041"));
        cr_expect(eq(str, (char *)ink_summit_cameo(INK_MODE_MEETING,
                                                   INK_STATUS_SCHEDULED),
                     "040"));
        cr_expect(eq(str, (char *)ink_summit_cameo(INK_MODE_VISIT,
                                                   INK_STATUS_CANCELLED),
                     "125"));
}

Test(summit, empty_article_is_skipped) {
        char err[256];
        ink_article_t *art = ink_article_new();
        void *ctx = ink_stage_summit.create(err, sizeof(err));
        cr_assert(not(eq(ptr, ctx, NULL)));
        cr_expect(eq(int, ink_stage_summit.run(ctx, art, err, sizeof(err)),
                     INK_SKIPPED));
        cr_expect(eq(sz, art->nalerts, 0));
        ink_stage_summit.destroy(ctx);
        ink_article_destroy(art);
}

/* The sample article of the project brief (read at test time, not
 * copied): one alert, Trump and Putin, planned, Switzerland and Serbia. */
Test(summit, sample_article) {
        const char *paths[] = {
                INK_TEST_DATA "/trump-putin-call.txt",
                INK_SOURCE_DIR "/../shared/samples/trump-putin-call.txt",
                NULL};
        FILE *f = NULL;
        for (int i = 0; paths[i] && !f; i++)
                f = fopen(paths[i], "rb");
        if (!f)
                cr_skip_test("sample article not available");
        static char buf[65536];
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *nl = strchr(buf, '\n');
        cr_assert(not(eq(ptr, nl, NULL)));
        *nl = '\0';
        ink_article_t *art = mk("sample", buf, nl + 1, NULL);
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(eq(sz, al->nparticipants, 2));
        cr_expect(has_part(al, "Donald Trump"));
        cr_expect(has_part(al, "Vladimir Putin"));
        cr_expect(eq(int, al->status, INK_STATUS_PLANNED));
        int mode_ok = al->mode == INK_MODE_CALL ||
                      al->mode == INK_MODE_MEETING;
        cr_expect(mode_ok);
        cr_expect(has_venue(al, "Switzerland"));
        cr_expect(has_venue(al, "Serbia"));
        cr_expect(eq(sz, al->nvenues, 2));
        cr_assert(not(eq(ptr, (void *)al->when_text, NULL)));
        int when_ok = !strcmp(al->when_text, "within days of taking office") ||
                      !strcmp(al->when_text, "shortly after his planned 20 "
                                             "January inauguration");
        cr_expect(when_ok, "when_text: %s", al->when_text);
        ink_article_destroy(art);
}

/*---- Participants by role --------------------------------------------------*/

Test(summit, office_as_written_when_no_name) {
        ink_article_t *art = mk(
                "office1", NULL,
                "The Austrian Chancellor will visit Ghana on Thursday, the "
                "foreign ministry said. During the visit he will meet "
                "Ghanaian President Kofi Mensah in Accra.",
                "2025-03-03");
        add_ent(art, INK_ENT_PER, "Kofi Mensah", NULL);
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(has_part(al, "Austrian Chancellor"),
                  "participants: %s", al->event_key);
        cr_expect(not(has_part(al, "Austria")));
        ink_article_destroy(art);
}

Test(summit, host_leader_named_in_a_later_sentence) {
        ink_article_t *art = mk(
                "host1", "Chilean leader to visit Norway",
                "Chilean President Marco Rojas will pay a state visit to "
                "Norway next month. He will hold talks with Prime Minister "
                "Ingrid Dahl in Oslo.",
                "2025-03-03");
        add_ent(art, INK_ENT_PER, "Marco Rojas", NULL);
        add_ent(art, INK_ENT_PER, "Ingrid Dahl", NULL);
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(has_part(al, "Marco Rojas"));
        cr_expect(has_part(al, "Ingrid Dahl"), "key: %s", al->event_key);
        cr_expect(not(has_part(al, "Norway")));
        ink_article_destroy(art);
}

Test(summit, office_rank_picks_the_minister) {
        ink_article_t *art = mk(
                "rank1", "Chilean foreign minister to hold phone call with "
                "Norway's Lund",
                "Foreign Minister Pablo Vera will speak by phone with "
                "Norwegian Foreign Minister Erik Lund soon, the ministry "
                "said. President Marco Rojas welcomed the call.",
                "2025-03-03");
        add_ent(art, INK_ENT_PER, "Pablo Vera", NULL);
        add_ent(art, INK_ENT_PER, "Erik Lund", NULL);
        add_ent(art, INK_ENT_PER, "Marco Rojas", NULL);
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(eq(int, al->mode, INK_MODE_CALL));
        cr_expect(has_part(al, "Erik Lund"));
        cr_expect(has_part(al, "Pablo Vera"), "key: %s", al->event_key);
        cr_expect(not(has_part(al, "Marco Rojas")));
        ink_article_destroy(art);
}

Test(summit, mediator_is_a_participant) {
        ink_article_t *art = mk(
                "med1", "Mensah agrees to meet Agbeko under Kenyan mediation",
                "Ghanaian President Kofi Mensah has agreed to meet Togolese "
                "President Yao Agbeko, officials said. Kenyan President "
                "Peter Mwangi has been leading the talks.",
                "2025-03-03");
        add_ent(art, INK_ENT_PER, "Kofi Mensah", NULL);
        add_ent(art, INK_ENT_PER, "Yao Agbeko", NULL);
        add_ent(art, INK_ENT_PER, "Peter Mwangi", NULL);
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(has_part(al, "Kofi Mensah"));
        cr_expect(has_part(al, "Yao Agbeko"));
        cr_expect(has_part(al, "Peter Mwangi"), "key: %s", al->event_key);
        ink_article_destroy(art);
}

Test(summit, body_summit_lists_no_member_countries) {
        ink_article_t *art = mk(
                "body2", "Ghana to host ECOWAS summit on 20 March",
                "West African leaders will meet in Accra on 20 March for an "
                "ECOWAS summit, the commission said.",
                "2025-03-03");
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(has_part(al, "ECOWAS"), "key: %s", al->event_key);
        cr_expect(not(has_part(al, "Ghana")), "key: %s", al->event_key);
        ink_article_destroy(art);
}

Test(summit, no_date_yet_is_planned) {
        ink_article_t *art = mk(
                "nodate1", NULL,
                "Chilean President Marco Rojas will visit Norway next week "
                "to meet Norwegian Prime Minister Ingrid Dahl, officials "
                "said. The dates have not been fixed yet.",
                "2025-03-03");
        add_ent(art, INK_ENT_PER, "Marco Rojas", NULL);
        add_ent(art, INK_ENT_PER, "Ingrid Dahl", NULL);
        cr_assert(eq(sz, run_summit(art), 1));
        cr_expect(eq(int, art->alerts[0].status, INK_STATUS_PLANNED));
        ink_article_destroy(art);
}

Test(summit, visit_meets_several_hosts) {
        ink_article_t *art = mk(
                "cohost1", "Chilean leader to visit Norway",
                "Chilean President Marco Rojas will pay a state visit to "
                "Norway on 14 March, the ministry said. He will hold talks "
                "with Norwegian Prime Minister Ingrid Dahl and Norwegian "
                "King Harald Olsen.",
                "2025-03-03");
        add_ent(art, INK_ENT_PER, "Marco Rojas", NULL);
        add_ent(art, INK_ENT_PER, "Ingrid Dahl", NULL);
        add_ent(art, INK_ENT_PER, "Harald Olsen", NULL);
        cr_assert(eq(sz, run_summit(art), 1));
        const ink_alert_t *al = &art->alerts[0];
        cr_expect(has_part(al, "Marco Rojas"));
        cr_expect(has_part(al, "Ingrid Dahl"), "key: %s", al->event_key);
        cr_expect(has_part(al, "Harald Olsen"), "key: %s", al->event_key);
        cr_expect(eq(sz, al->nparticipants, 3));
        ink_article_destroy(art);
}

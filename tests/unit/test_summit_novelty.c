/*
 * The pure parts of the novelty processor: the new/update/repeat decision,
 * the changelog state codec, and the alert-id rewrite of an Avro Alert.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/novelty.h"

#define DAY (86400000LL)

Test(novelty, first_sighting_is_new) {
        ink_novelty_state_t next;
        cr_expect(eq(int, ink_novelty_decide(NULL, INK_STATUS_PLANNED, 1000,
                                             14 * DAY, "abc", &next),
                     INK_NOVELTY_NEW));
        cr_expect(eq(str, next.alert_id, "abc"));
        cr_expect(eq(int, next.status, INK_STATUS_PLANNED));
        cr_expect(eq(i64, next.first_ms, 1000));
        cr_expect(eq(i64, next.last_ms, 1000));
}

Test(novelty, repeat_update_and_window) {
        ink_novelty_state_t a, b, c;
        ink_novelty_decide(NULL, INK_STATUS_PLANNED, 0, 14 * DAY, "id1", &a);
        /* same status a day later: repeat, last seen moves */
        cr_expect(eq(int, ink_novelty_decide(&a, INK_STATUS_PLANNED, DAY,
                                             14 * DAY, "id2", &b),
                     INK_NOVELTY_REPEAT));
        cr_expect(eq(i64, b.last_ms, DAY));
        cr_expect(eq(str, b.alert_id, "id1"));
        /* firmer: update in the same lineage */
        cr_expect(eq(int, ink_novelty_decide(&b, INK_STATUS_CONFIRMED,
                                             2 * DAY, 14 * DAY, "id3", &c),
                     INK_NOVELTY_UPDATE));
        cr_expect(eq(str, c.alert_id, "id1"));
        cr_expect(eq(int, c.status, INK_STATUS_CONFIRMED));
        /* an older, less firm report: repeat, status kept */
        cr_expect(eq(int, ink_novelty_decide(&c, INK_STATUS_PLANNED, 3 * DAY,
                                             14 * DAY, "id4", &b),
                     INK_NOVELTY_REPEAT));
        cr_expect(eq(int, b.status, INK_STATUS_CONFIRMED));
        /* postponed, then revived: both updates */
        cr_expect(eq(int, ink_novelty_decide(&b, INK_STATUS_POSTPONED,
                                             4 * DAY, 14 * DAY, "id5", &c),
                     INK_NOVELTY_UPDATE));
        cr_expect(eq(int, ink_novelty_decide(&c, INK_STATUS_SCHEDULED,
                                             5 * DAY, 14 * DAY, "id6", &b),
                     INK_NOVELTY_UPDATE));
        /* unseen for longer than the window: new lineage */
        cr_expect(eq(int, ink_novelty_decide(&b, INK_STATUS_SCHEDULED,
                                             20 * DAY, 14 * DAY, "id7", &c),
                     INK_NOVELTY_NEW));
        cr_expect(eq(str, c.alert_id, "id7"));
        /* a late record does not move last seen backwards */
        cr_expect(eq(int, ink_novelty_decide(&c, INK_STATUS_SCHEDULED,
                                             19 * DAY, 14 * DAY, "id8", &b),
                     INK_NOVELTY_REPEAT));
        cr_expect(eq(i64, b.last_ms, 20 * DAY));
}

Test(novelty, state_round_trip_and_errors) {
        ink_novelty_state_t st = {INK_STATUS_POSTPONED, 5, 7, "00ff"}, got;
        char buf[256], err[128];
        size_t n = ink_novelty_state_encode(&st, buf, sizeof(buf));
        cr_assert(gt(sz, n, 0));
        cr_assert(eq(int, ink_novelty_state_decode(buf, n, &got, err,
                                                   sizeof(err)), 0), "%s",
                  err);
        cr_expect(eq(int, got.status, INK_STATUS_POSTPONED));
        cr_expect(eq(i64, got.first_ms, 5));
        cr_expect(eq(i64, got.last_ms, 7));
        cr_expect(eq(str, got.alert_id, "00ff"));
        cr_expect(eq(sz, ink_novelty_state_encode(&st, buf, 10), 0));
        cr_expect(eq(int, ink_novelty_state_decode("nope", 4, &got, err,
                                                   sizeof(err)), -1));
        cr_expect(not(eq(ptr, strstr(err, "JSON"), NULL)));
        const char *bad = "{\"status\":\"maybe\",\"first\":1,\"last\":2,"
                          "\"alert_id\":\"x\"}";
        cr_expect(eq(int, ink_novelty_state_decode(bad, strlen(bad), &got,
                                                   err, sizeof(err)), -1));
}

Test(novelty, rewrite_keeps_everything_but_the_id) {
        char err[256];
        ink_avro_t *av = ink_avro_new(err, sizeof(err));
        cr_assert(not(eq(ptr, av, NULL)), "%s", err);
        ink_article_t *art = ink_article_new();
        art->id = "art-1";
        art->title = "Title";
        art->processed_ms = 42;
        const char *parts[] = {"A B", "C D"};
        ink_alert_t al;
        memset(&al, 0, sizeof(al));
        al.type = "summit";
        al.alert_id = "1111111111111111";
        al.event_key = "summit|meeting|A B|C D";
        al.participants = parts;
        al.nparticipants = 2;
        al.mode = INK_MODE_MEETING;
        al.status = INK_STATUS_CONFIRMED;
        al.evidence = "A B will meet C D on Monday.";
        const char *buf;
        size_t len, olen;
        cr_assert(eq(int, ink_avro_encode_alert(av, art, &al, &buf, &len, err,
                                                sizeof(err)), INK_OK));
        void *rec = ink_novelty_rewrite(buf, len, "lineage-id", &olen, err,
                                        sizeof(err));
        cr_assert(not(eq(ptr, rec, NULL)), "%s", err);
        json_t *j = NULL;
        cr_assert(eq(int, ink_avro_decode_json(av, INK_REC_ALERT, rec, olen,
                                               &j, err, sizeof(err)),
                     INK_OK), "%s", err);
        cr_expect(eq(str, (char *)json_string_value(json_object_get(
                                  j, "alert_id")), "lineage-id"));
        cr_expect(eq(str, (char *)json_string_value(json_object_get(
                                  j, "status")), "confirmed"));
        cr_expect(eq(str, (char *)json_string_value(json_object_get(
                                  j, "event_key")), "summit|meeting|A B|C D"));
        cr_expect(eq(str, (char *)json_string_value(json_object_get(
                                  j, "article_id")), "art-1"));
        json_decref(j);
        free(rec);
        /* not a framed record, and a truncated one */
        cr_expect(eq(ptr, ink_novelty_rewrite("x", 1, "id", &olen, err,
                                              sizeof(err)), NULL));
        unsigned char trunc[6] = {0, 0, 0, 0, 2, 0x7e};
        cr_expect(eq(ptr, ink_novelty_rewrite(trunc, sizeof(trunc), "id",
                                              &olen, err, sizeof(err)),
                     NULL));
        cr_expect(not(eq(ptr, strstr(err, "alert_id"), NULL)));
        art->id = NULL;
        art->title = NULL;
        ink_article_destroy(art);
        ink_avro_destroy(av);
}

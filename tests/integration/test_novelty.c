/*
 * The novelty processor against the real broker: repeats suppressed, a
 * status change raises an update in the same lineage, state survives a
 * restart (restored from the changelog), and two processors sharing a
 * 2-partition events topic still decide right.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/novelty.h"
#include "ink/summit.h"
#include "helpers.h"

typedef struct topics_s {
        char *in, *out, *changelog, *group;
} topics_t;

static topics_t make_topics(const char *base, int partitions) {
        topics_t t;
        char b[64];
        snprintf(b, sizeof(b), "%s-events", base);
        t.in = it_topic(b);
        snprintf(b, sizeof(b), "%s-alerts", base);
        t.out = it_topic(b);
        snprintf(b, sizeof(b), "%s-changelog", base);
        t.changelog = it_topic(b);
        snprintf(b, sizeof(b), "%s-group", base);
        t.group = it_topic(b);
        it_create_topic(t.in, partitions);
        it_create_topic(t.out, 1);
        return t;
}

static void free_topics(topics_t *t) {
        free(t->in);
        free(t->out);
        free(t->changelog);
        free(t->group);
}

/* Produces a candidate of the encounter between \p a and \p b with
 * \p status, as if found in article \p article_id.  Writes the alert id
 * into \p idp (17 bytes) when not NULL. */
static void candidate(const char *topic, const char *article_id,
                      const char *a, const char *b, ink_status_t status,
                      char *idp) {
        char err[256], key[256], id[17];
        ink_avro_t *av = ink_avro_new(err, sizeof(err));
        cr_assert(not(eq(ptr, av, NULL)), "%s", err);
        ink_article_t *art = ink_article_new();
        const char *parts[] = {a, b};
        ink_alert_t al;
        const char *buf;
        size_t len;

        art->id = ink_arena_strdup(art->arena, article_id);
        art->title = "";
        art->processed_ms = 1;
        snprintf(key, sizeof(key), "summit|meeting|%s|%s", a, b);
        ink_summit_alert_id(article_id, key, id, sizeof(id));
        memset(&al, 0, sizeof(al));
        al.type = "summit";
        al.alert_id = id;
        al.event_key = key;
        al.participants = parts;
        al.nparticipants = 2;
        al.mode = INK_MODE_MEETING;
        al.status = status;
        al.evidence = "evidence";
        cr_assert(eq(int, ink_avro_encode_alert(av, art, &al, &buf, &len, err,
                                                sizeof(err)), INK_OK), "%s",
                  err);
        it_produce(topic, key, buf, len);
        if (idp)
                memcpy(idp, id, sizeof(id));
        ink_article_destroy(art);
        ink_avro_destroy(av);
}

static int run_novelty(const topics_t *t, char **outp) {
        char cmd[2048];
        snprintf(cmd, sizeof(cmd),
                 "%s novelty --brokers %s --group %s --input %s --output %s "
                 "--novelty-changelog-topic %s --exit-on-eof 2>&1",
                 it_bin(), it_brokers(), t->group, t->in, t->out,
                 t->changelog);
        return it_run(cmd, outp);
}

/* Decodes alert \p i of \p recs; checks its kind header. */
static json_t *alert_at(const it_recs_t *recs, size_t i, const char *kind) {
        char err[256];
        ink_avro_t *av = ink_avro_new(err, sizeof(err));
        json_t *j = NULL;
        cr_assert(lt(sz, i, recs->cnt));
        cr_assert(eq(int, ink_avro_decode_json(av, INK_REC_ALERT,
                                               recs->v[i].value,
                                               recs->v[i].len, &j, err,
                                               sizeof(err)), INK_OK), "%s",
                  err);
        char *k = it_header(&recs->v[i], INK_NOVELTY_H_KIND);
        cr_assert(not(eq(ptr, k, NULL)));
        cr_expect(eq(str, k, (char *)kind));
        free(k);
        ink_avro_destroy(av);
        return j;
}

static const char *jstr(json_t *o, const char *k) {
        const char *s = json_string_value(json_object_get(o, k));
        return s ? s : "";
}

Test(novelty, repeat_update_restart, .timeout = 240) {
        topics_t t = make_topics("nov", 1);
        char id1[17], *out = NULL;
        it_recs_t recs;
        json_t *j;

        /* two articles about the same planned encounter: one alert */
        candidate(t.in, "art-1", "Ana Souza", "Peter Mwangi",
                  INK_STATUS_PLANNED, id1);
        candidate(t.in, "art-2", "Ana Souza", "Peter Mwangi",
                  INK_STATUS_PLANNED, NULL);
        cr_assert(eq(int, run_novelty(&t, &out), 0), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "1 new, 0 updates, 1 repeats"),
                         NULL)), "%s", out);
        free(out);
        recs = it_read_all(t.out, 1, 30000);
        cr_assert(eq(sz, recs.cnt, 1));
        j = alert_at(&recs, 0, "new");
        cr_expect(eq(str, (char *)jstr(j, "alert_id"), id1));
        cr_expect(eq(str, (char *)jstr(j, "status"), "planned"));
        cr_expect(eq(str, recs.v[0].key,
                     "summit|meeting|Ana Souza|Peter Mwangi"));
        json_decref(j);
        it_recs_free(&recs);
        cr_expect(eq(i64, it_committed(t.group, t.in, 0), 2));

        /* a later article confirms it: an update in the same lineage,
         * decided by a restarted processor */
        candidate(t.in, "art-3", "Ana Souza", "Peter Mwangi",
                  INK_STATUS_CONFIRMED, NULL);
        cr_assert(eq(int, run_novelty(&t, &out), 0), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "0 new, 1 updates"), NULL)), "%s",
                  out);
        free(out);
        recs = it_read_all(t.out, 2, 30000);
        cr_assert(eq(sz, recs.cnt, 2));
        j = alert_at(&recs, 1, "update");
        cr_expect(eq(str, (char *)jstr(j, "alert_id"), id1));
        cr_expect(eq(str, (char *)jstr(j, "status"), "confirmed"));
        cr_expect(eq(str, (char *)jstr(j, "article_id"), "art-3"));
        char *prev = it_header(&recs.v[1], INK_NOVELTY_H_PREV);
        cr_expect(eq(str, prev, "planned"));
        free(prev);
        json_decref(j);
        it_recs_free(&recs);

        /* restart again: the state comes from the changelog, a repeat of
         * the confirmed status and an older "planned" report stay quiet */
        candidate(t.in, "art-4", "Ana Souza", "Peter Mwangi",
                  INK_STATUS_CONFIRMED, NULL);
        candidate(t.in, "art-5", "Ana Souza", "Peter Mwangi",
                  INK_STATUS_PLANNED, NULL);
        cr_assert(eq(int, run_novelty(&t, &out), 0), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "0 new, 0 updates, 2 repeats"),
                         NULL)), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "restored"), NULL)), "%s", out);
        free(out);
        recs = it_read_all(t.out, 2, 5000);
        cr_expect(eq(sz, recs.cnt, 2));
        it_recs_free(&recs);
        cr_expect(eq(i64, it_committed(t.group, t.in, 0), 5));
        /* the changelog: one partition like the events topic, keyed */
        recs = it_read_all(t.changelog, 5, 30000);
        cr_expect(ge(sz, recs.cnt, 1));
        for (size_t i = 0; i < recs.cnt; i++) {
                cr_expect(eq(int, recs.v[i].partition, 0));
                cr_expect(eq(str, recs.v[i].key,
                             "summit|meeting|Ana Souza|Peter Mwangi"));
        }
        it_recs_free(&recs);
        free_topics(&t);
}

Test(novelty, two_processors_two_partitions, .timeout = 300) {
        topics_t t = make_topics("nov2", 2);
        const char *names[][2] = {{"Ana Souza", "Peter Mwangi"},
                                  {"Kofi Mensah", "Yao Agbeko"},
                                  {"Marco Rojas", "Ingrid Dahl"},
                                  {"Erik Lund", "Pablo Vera"}};
        char cmd[4096], art[32], *out = NULL;
        size_t nnew = 0, nupd = 0;
        it_recs_t recs;

        for (int round = 0; round < 2; round++)
                for (int k = 0; k < 4; k++) {
                        snprintf(art, sizeof(art), "a-%d-%d", k, round);
                        candidate(t.in, art, names[k][0], names[k][1],
                                  INK_STATUS_PLANNED, NULL);
                }
        for (int k = 0; k < 2; k++) {
                snprintf(art, sizeof(art), "c-%d", k);
                candidate(t.in, art, names[k][0], names[k][1],
                          INK_STATUS_CONFIRMED, NULL);
        }
        snprintf(cmd, sizeof(cmd),
                 "(p=''; for i in 1 2; do %s novelty --brokers %s --group %s "
                 "--input %s --output %s --novelty-changelog-topic %s "
                 "--exit-on-eof & p=\"$p $!\"; done; rc=0; "
                 "for x in $p; do wait $x || rc=1; done; exit $rc) 2>&1",
                 it_bin(), it_brokers(),
                 t.group, t.in, t.out, t.changelog);
        cr_assert(eq(int, it_run(cmd, &out), 0), "%s", out);
        free(out);
        recs = it_read_all(t.out, 6, 30000);
        cr_assert(eq(sz, recs.cnt, 6));
        for (size_t i = 0; i < recs.cnt; i++) {
                char *k = it_header(&recs.v[i], INK_NOVELTY_H_KIND);
                cr_assert(not(eq(ptr, k, NULL)));
                nnew += !strcmp(k, "new");
                nupd += !strcmp(k, "update");
                free(k);
        }
        cr_expect(eq(sz, nnew, 4));
        cr_expect(eq(sz, nupd, 2));
        it_recs_free(&recs);
        /* the changelog is co-partitioned with the events topic: each
         * key's state lies in the partition its candidates came from */
        it_recs_t in = it_read_all(t.in, 10, 30000);
        recs = it_read_all(t.changelog, 10, 30000);
        cr_expect(ge(sz, recs.cnt, 4));
        for (size_t i = 0; i < recs.cnt; i++)
                for (size_t k = 0; k < in.cnt; k++)
                        if (!strcmp(in.v[k].key, recs.v[i].key))
                                cr_expect(eq(int, in.v[k].partition,
                                             recs.v[i].partition), "%s",
                                          recs.v[i].key);
        it_recs_free(&in);
        it_recs_free(&recs);
        /* a third run after both: everything is a repeat now */
        cr_assert(eq(int, run_novelty(&t, &out), 0), "%s", out);
        free(out);
        recs = it_read_all(t.out, 6, 5000);
        cr_expect(eq(sz, recs.cnt, 6));
        it_recs_free(&recs);
        free_topics(&t);
}

Test(novelty, changelog_with_other_partition_count_is_refused,
     .timeout = 120) {
        topics_t t = make_topics("nov3", 1);
        char *out = NULL;

        it_create_topic(t.changelog, 2);
        candidate(t.in, "art-1", "Ana Souza", "Peter Mwangi",
                  INK_STATUS_PLANNED, NULL);
        cr_expect(eq(int, run_novelty(&t, &out), 1), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "must match"), NULL)), "%s", out);
        free(out);
        it_recs_t recs = it_read_all(t.out, 0, 2000);
        cr_expect(eq(sz, recs.cnt, 0));
        it_recs_free(&recs);
        cr_expect(lt(i64, it_committed(t.group, t.in, 0), 0));
        free_topics(&t);
}

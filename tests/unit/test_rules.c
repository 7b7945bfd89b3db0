/*
 * Rule alerts: the rules file format (every kind, every refusal), and
 * each kind of rule firing or not on hand-made articles.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "ink/rules.h"
#include "ink/stage.h"

/* An article with \p body, tokenised by the real tokens stage. */
static ink_article_t *mk(const char *body) {
        char err[256];
        ink_article_t *art = ink_article_new();
        art->id = ink_arena_strdup(art->arena, "r1");
        art->title = "";
        art->body = ink_arena_strdup(art->arena, body);
        art->body_len = strlen(body);
        void *tk = ink_stage_tokens.create(err, sizeof(err));
        cr_assert(not(eq(ptr, tk, NULL)), "%s", err);
        cr_assert(eq(int, ink_stage_tokens.run(tk, art, err, sizeof(err)),
                     INK_OK));
        ink_stage_tokens.destroy(tk);
        return art;
}

/* Adds an entity over the \p nth (0-based) occurrence of \p text. */
static void ent(ink_article_t *art, ink_ent_type_t type, const char *text,
                int nth, const char *canonical, int has_sent, double s) {
        const char *p = art->body;
        for (int i = 0; i <= nth; i++) {
                p = strstr(i ? p + 1 : p, text);
                cr_assert(not(eq(ptr, (void *)p, NULL)));
        }
        ink_entity_t en;
        memset(&en, 0, sizeof(en));
        en.type = type;
        en.field = INK_FIELD_BODY;
        en.b = (uint32_t)(p - art->body);
        en.e = en.b + (uint32_t)strlen(text);
        for (size_t i = 0; i < art->ntoks; i++)
                if (art->toks[i].field == INK_FIELD_BODY &&
                    art->toks[i].b == en.b) {
                        en.tok_begin = (uint32_t)i;
                        en.sent = art->toks[i].sent;
                }
        en.text = ink_arena_strdup(art->arena, text);
        en.canonical = ink_arena_strdup(art->arena,
                                        canonical ? canonical : text);
        en.has_sentiment = has_sent;
        en.sentiment = s;
        art->ents = ink_arena_grow(art->arena, art->ents, art->nents,
                                   art->nents + 1, sizeof(en));
        art->ents[art->nents++] = en;
}

static ink_rules_t *parse(const char *txt) {
        char err[256];
        ink_rules_t *r = ink_rules_parse(txt, strlen(txt), "test", err,
                                         sizeof(err));
        cr_assert(not(eq(ptr, r, NULL)), "%s", err);
        return r;
}

/* Expects \p txt to be refused with \p why in the message. */
static void refused(const char *txt, const char *why) {
        char err[256] = "";
        ink_rules_t *r = ink_rules_parse(txt, strlen(txt), "f.rules", err,
                                         sizeof(err));
        cr_expect(eq(ptr, r, NULL), "accepted: %s", txt);
        cr_expect(not(eq(ptr, strstr(err, why), NULL)), "%s -> %s", txt,
                  err);
        ink_rules_destroy(r);
}

Test(rules, every_kind_parses) {
        ink_rules_t *r = parse(
                "# comment\n\n"
                "watch | watchlist | entity | Ana Souza   # trailing\n"
                "watch|orgs|type|ORG\n"
                "cooccur | pair | sentence | Ana Souza | Peter Mwangi\n"
                "cooccur | pair2 | article | Ana Souza | Peter Mwangi\n"
                "sentiment | neg | Ana Souza | below | -0.5\n"
                "sentiment | pos | Ana Souza | above | 0.25");
        cr_expect(eq(sz, ink_rules_count(r), 6));
        ink_rules_destroy(r);
}

Test(rules, refusals_name_the_line_and_reason) {
        refused("\nfoo | t | entity | X\n", "f.rules:2: rule must start");
        refused("watch | t | entity\n", "at least 4");
        refused("watch | Bad Type | entity | X\n", "alert type");
        refused("watch | summit | entity | X\n", "alert type");
        refused("watch | t | person | X\n", "\"entity\" or \"type\"");
        refused("watch | t | type | PERSON\n", "PER, ORG, LOC");
        refused("watch | t | entity | X | Y\n", "watch takes 4");
        refused("watch | t | entity |  \n", "empty name");
        refused("cooccur | t | paragraph | A | B\n", "\"sentence\" or");
        refused("cooccur | t | sentence | A\n", "cooccur takes 5");
        refused("cooccur | t | sentence | A | \n", "empty name");
        refused("sentiment | t | A | under | 0.1\n", "\"below\" or");
        refused("sentiment | t | A | below | 2\n", "[-1, 1]");
        refused("sentiment | t | A | below | x\n", "[-1, 1]");
        refused("sentiment | t | A | below\n", "sentiment takes 5");
        refused("sentiment | t |  | below | 0.1\n", "empty name");
        refused("a|b|c|d|e|f|g|h\n", "too many fields");
}

Test(rules, files_and_the_default) {
        char err[256], path[] = "/tmp/ink-rules-XXXXXX";
        ink_rules_t *r = ink_rules_load(NULL, err, sizeof(err));
        cr_assert(not(eq(ptr, r, NULL)), "%s", err);
        ink_rules_destroy(r);
        int fd = mkstemp(path);
        cr_assert(ge(int, fd, 0));
        const char *txt = "watch | w | entity | Ana Souza\n";
        cr_assert(eq(long, (long)write(fd, txt, strlen(txt)),
                     (long)strlen(txt)));
        close(fd);
        r = ink_rules_load(path, err, sizeof(err));
        cr_assert(not(eq(ptr, r, NULL)), "%s", err);
        cr_expect(eq(sz, ink_rules_count(r), 1));
        ink_rules_destroy(r);
        unlink(path);
        cr_expect(eq(ptr, ink_rules_load(path, err, sizeof(err)), NULL));
        cr_expect(not(eq(ptr, strstr(err, path), NULL)), "%s", err);
}

Test(rules, watch_and_cooccurrence) {
        ink_article_t *art = mk("Ana Souza spoke in Lagos. Peter Mwangi "
                                "later met Acme Corp and Souza.");
        ent(art, INK_ENT_PER, "Ana Souza", 0, NULL, 0, 0);
        ent(art, INK_ENT_PER, "Peter Mwangi", 0, NULL, 0, 0);
        ent(art, INK_ENT_ORG, "Acme Corp", 0, NULL, 0, 0);
        ent(art, INK_ENT_PER, "Souza", 1, "Ana Souza", 0, 0);
        ink_rules_t *r = parse(
                "watch | w | entity | ana souza\n"
                "watch | nobody | entity | Marco Rojas\n"
                "watch | orgs | type | ORG\n"
                "watch | locs | type | LOC\n"
                "cooccur | s1 | sentence | Ana Souza | Peter Mwangi\n"
                "cooccur | a1 | article | Ana Souza | Acme Corp\n"
                "cooccur | a2 | article | Ana Souza | Marco Rojas\n");
        cr_assert(eq(sz, ink_rules_apply(r, art), 4));
        const char *types[] = {"w", "orgs", "s1", "a1"};
        for (size_t i = 0; i < 4; i++)
                cr_expect(eq(str, (char *)art->alerts[i].type,
                             (char *)types[i]));
        cr_expect(eq(str, (char *)art->alerts[0].participants[0],
                     "ana souza"));
        cr_expect(eq(str, (char *)art->alerts[0].evidence,
                     "Ana Souza spoke in Lagos."));
        cr_expect(eq(str, (char *)art->alerts[1].participants[0],
                     "Acme Corp"));
        /* Souza (canonical Ana Souza) and Mwangi share sentence 2 */
        cr_expect(eq(u32, art->alerts[2].sent, 1));
        cr_expect(eq(str, (char *)art->alerts[2].event_key,
                     "s1|Ana Souza|Peter Mwangi"));
        cr_expect(eq(sz, strlen(art->alerts[2].alert_id), 16));
        ink_rules_destroy(r);
        ink_article_destroy(art);
}

Test(rules, sentiment_thresholds) {
        ink_article_t *art = mk("Critics attacked Ana Souza. Fans cheered "
                                "Peter Mwangi. Souza was blamed again.");
        ent(art, INK_ENT_PER, "Ana Souza", 0, NULL, 1, -0.6);
        ent(art, INK_ENT_PER, "Peter Mwangi", 0, NULL, 1, 0.7);
        ent(art, INK_ENT_PER, "Souza", 1, "Ana Souza", 1, -0.8);
        ink_rules_t *r = parse(
                "sentiment | neg | Ana Souza | below | -0.5\n"
                "sentiment | neg2 | Ana Souza | below | -0.9\n"
                "sentiment | pos | Peter Mwangi | above | 0.5\n"
                "sentiment | pos2 | Peter Mwangi | above | 0.7\n"
                "sentiment | none | Marco Rojas | below | 0.9\n");
        cr_assert(eq(sz, ink_rules_apply(r, art), 2));
        cr_expect(eq(str, (char *)art->alerts[0].type, "neg"));
        cr_expect(eq(u32, art->alerts[0].sent, 2), "most negative mention");
        cr_expect(eq(dbl, art->alerts[0].confidence, 0.7));
        cr_expect(eq(str, (char *)art->alerts[1].type, "pos"));
        ink_rules_destroy(r);
        ink_article_destroy(art);
}

Test(rules, stage_reads_the_file_set) {
        char err[256], path[] = "/tmp/ink-rules-XXXXXX";
        int fd = mkstemp(path);
        cr_assert(ge(int, fd, 0));
        const char *txt = "watch | w | entity | Ana Souza\n";
        cr_assert(eq(long, (long)write(fd, txt, strlen(txt)),
                     (long)strlen(txt)));
        close(fd);
        ink_rules_set_file(path);
        void *ctx = ink_stage_rules.create(err, sizeof(err));
        cr_assert(not(eq(ptr, ctx, NULL)), "%s", err);
        ink_article_t *art = mk("Ana Souza spoke.");
        cr_expect(eq(int, ink_stage_rules.run(ctx, art, err, sizeof(err)),
                     INK_SKIPPED), "no entities");
        ent(art, INK_ENT_PER, "Ana Souza", 0, NULL, 0, 0);
        cr_expect(eq(int, ink_stage_rules.run(ctx, art, err, sizeof(err)),
                     INK_OK));
        cr_expect(eq(sz, art->nalerts, 1));
        ink_stage_rules.destroy(ctx);
        ink_article_destroy(art);
        /* a broken file makes create() fail with the reason */
        fd = open(path, O_WRONLY | O_TRUNC);
        cr_assert(ge(int, fd, 0));
        cr_assert(eq(long, (long)write(fd, "nonsense\n", 9), 9L));
        close(fd);
        cr_expect(eq(ptr, ink_stage_rules.create(err, sizeof(err)), NULL));
        cr_expect(not(eq(ptr, strstr(err, ":1:"), NULL)), "%s", err);
        unlink(path);
        ink_rules_set_file(NULL);
        ctx = ink_stage_rules.create(err, sizeof(err));
        cr_expect(not(eq(ptr, ctx, NULL)), "default: %s", err);
        ink_stage_rules.destroy(ctx);
}

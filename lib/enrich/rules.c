/*
 * The "rules" stage: watchlist, co-occurrence and sentiment-threshold
 * rules over the entities of an article (include/ink/rules.h).
 *
 * A rules file has one rule per line, fields separated by '|' (spaces
 * around them ignored), '#' comments and blank lines skipped:
 *
 *   watch     | <alert type> | entity   | <canonical name>
 *   watch     | <alert type> | type     | PER|ORG|LOC|MISC
 *   cooccur   | <alert type> | sentence | <name A> | <name B>
 *   cooccur   | <alert type> | article  | <name A> | <name B>
 *   sentiment | <alert type> | <name>   | below | <-1..1>
 *   sentiment | <alert type> | <name>   | above | <-1..1>
 *
 * Names match an entity's canonical form (or its text), ignoring case.
 * An alert type is lower-case letters, digits, '-', '_' or '.', and not
 * "summit" (that type is the summit detector's).
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ink/codec.h"
#include "ink/rules.h"
#include "ink/summit.h"

typedef enum rule_kind_e {
        R_WATCH_ENTITY, R_WATCH_TYPE, R_COOC_SENT, R_COOC_ART,
        R_SENT_BELOW, R_SENT_ABOVE
} rule_kind_t;

typedef struct rule_s {
        rule_kind_t kind;
        char *type;             /* alert type */
        char *a, *b;            /* names (b: co-occurrence only) */
        int ent_type;           /* R_WATCH_TYPE */
        double threshold;       /* sentiment rules */
} rule_t;

struct ink_rules_s {
        rule_t *v;
        size_t n;
};

#define MAX_FIELDS 6

/** Splits \p line (modified) at '|' into trimmed fields.
 *  @returns the number of fields (at most MAX_FIELDS + 1: too many). */
static int split(char *line, char **f) {
        int n = 0;
        char *p = line;
        for (;;) {
                char *bar = strchr(p, '|');
                if (bar)
                        *bar = '\0';
                while (isspace((unsigned char)*p))
                        p++;
                char *e = p + strlen(p);
                while (e > p && isspace((unsigned char)e[-1]))
                        *--e = '\0';
                if (n <= MAX_FIELDS)
                        f[n] = p;
                n++;
                if (!bar)
                        break;
                p = bar + 1;
        }
        return n > MAX_FIELDS ? MAX_FIELDS + 1 : n;
}

/** @returns true if \p t can name an alert type (and so a topic). */
static int valid_type(const char *t) {
        if (!*t || strlen(t) > 100 || !strcmp(t, "summit"))
                return 0;
        for (const char *p = t; *p; p++)
                if (!islower((unsigned char)*p) &&
                    !isdigit((unsigned char)*p) && *p != '-' && *p != '_' &&
                    *p != '.')
                        return 0;
        return 1;
}

/** Parses the fields \p f (\p n of them) of one rule into \p r.
 *  @returns NULL or the reason it is refused (static string). */
static const char *parse_rule(char **f, int n, rule_t *r) {
        memset(r, 0, sizeof(*r));
        if (n < 4)
                return "expected at least 4 '|'-separated fields";
        if (!valid_type(f[1]))
                return "alert type must be lower-case letters, digits, "
                       "'-', '_' or '.', and not \"summit\"";
        if (!strcmp(f[0], "watch")) {
                if (n != 4)
                        return "watch takes 4 fields: watch | type | "
                               "entity|type | value";
                if (!*f[3])
                        return "empty name";
                if (!strcmp(f[2], "entity")) {
                        r->kind = R_WATCH_ENTITY;
                } else if (!strcmp(f[2], "type")) {
                        r->kind = R_WATCH_TYPE;
                        r->ent_type = -1;
                        for (int t = 0; t < INK_ENT_TYPE_CNT; t++)
                                if (!strcmp(f[3], ink_ent_type_name(
                                                          (ink_ent_type_t)t)))
                                        r->ent_type = t;
                        if (r->ent_type < 0)
                                return "entity type must be PER, ORG, LOC "
                                       "or MISC";
                } else {
                        return "watch needs \"entity\" or \"type\"";
                }
                r->a = ink_strdup(f[3]);
        } else if (!strcmp(f[0], "cooccur")) {
                if (n != 5)
                        return "cooccur takes 5 fields: cooccur | type | "
                               "sentence|article | A | B";
                if (!strcmp(f[2], "sentence"))
                        r->kind = R_COOC_SENT;
                else if (!strcmp(f[2], "article"))
                        r->kind = R_COOC_ART;
                else
                        return "cooccur needs \"sentence\" or \"article\"";
                if (!*f[3] || !*f[4])
                        return "empty name";
                r->a = ink_strdup(f[3]);
                r->b = ink_strdup(f[4]);
        } else if (!strcmp(f[0], "sentiment")) {
                char *end;
                if (n != 5)
                        return "sentiment takes 5 fields: sentiment | type "
                               "| name | below|above | threshold";
                if (!strcmp(f[3], "below"))
                        r->kind = R_SENT_BELOW;
                else if (!strcmp(f[3], "above"))
                        r->kind = R_SENT_ABOVE;
                else
                        return "sentiment needs \"below\" or \"above\"";
                errno = 0;
                r->threshold = strtod(f[4], &end);
                if (errno || end == f[4] || *end || r->threshold < -1 ||
                    r->threshold > 1)
                        return "threshold must be a number in [-1, 1]";
                if (!*f[2])
                        return "empty name";
                r->a = ink_strdup(f[2]);
        } else {
                return "rule must start with watch, cooccur or sentiment";
        }
        r->type = ink_strdup(f[1]);
        return NULL;
}

void ink_rules_destroy(ink_rules_t *rules) {
        if (!rules)
                return;
        for (size_t i = 0; i < rules->n; i++) {
                free(rules->v[i].type);
                free(rules->v[i].a);
                free(rules->v[i].b);
        }
        free(rules->v);
        free(rules);
}

ink_rules_t *ink_rules_parse(const char *text, size_t len,
                             const char *origin, char *errstr,
                             size_t errstr_size) {
        ink_rules_t *rules = ink_calloc(1, sizeof(*rules));
        size_t cap = 0, lineno = 0;
        const char *p = text, *end = text + len;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *le = nl ? nl : end;
                char *line = ink_strndup(p, (size_t)(le - p)), *f[MAX_FIELDS + 1];
                const char *why = NULL;
                lineno++;
                p = nl ? nl + 1 : end;
                char *hash = strchr(line, '#');
                if (hash)
                        *hash = '\0';
                char *s = line;
                while (isspace((unsigned char)*s))
                        s++;
                if (*s) {
                        int n = split(s, f);
                        rule_t r;
                        memset(&r, 0, sizeof(r));
                        if (n > MAX_FIELDS)
                                why = "too many fields";
                        else
                                why = parse_rule(f, n, &r);
                        if (!why) {
                                if (rules->n == cap) {
                                        cap = cap ? cap * 2 : 16;
                                        rules->v = ink_realloc(
                                                rules->v,
                                                cap * sizeof(rule_t));
                                }
                                rules->v[rules->n++] = r;
                        } else {
                                free(r.a);
                                free(r.b);
                        }
                }
                free(line);
                if (why) {
                        snprintf(errstr, errstr_size, "%s:%zu: %s", origin,
                                 lineno, why);
                        ink_rules_destroy(rules);
                        return NULL;
                }
        }
        return rules;
}

ink_rules_t *ink_rules_load(const char *path, char *errstr,
                            size_t errstr_size) {
        if (!path || !*path) {
                size_t len;
                const char *txt = ink_resource_get("data/rules/default.rules",
                                                   &len);
                if (!txt) {
                        snprintf(errstr, errstr_size, "embedded "
                                 "data/rules/default.rules is missing");
                        return NULL;
                }
                return ink_rules_parse(txt, len, "data/rules/default.rules",
                                       errstr, errstr_size);
        }
        FILE *fp = fopen(path, "rb");
        if (!fp) {
                snprintf(errstr, errstr_size, "rules file %s: %s", path,
                         strerror(errno));
                return NULL;
        }
        char *buf = NULL;
        size_t len = 0, cap = 0, n;
        do {
                if (len + 4096 > cap) {
                        cap = cap ? cap * 2 : 8192;
                        buf = ink_realloc(buf, cap);
                }
                n = fread(buf + len, 1, cap - len, fp);
                len += n;
        } while (n > 0);
        int bad = ferror(fp);
        fclose(fp);
        ink_rules_t *r = NULL;
        if (bad)
                snprintf(errstr, errstr_size, "rules file %s: read error",
                         path);
        else
                r = ink_rules_parse(buf ? buf : "", len, path, errstr,
                                    errstr_size);
        free(buf);
        return r;
}

size_t ink_rules_count(const ink_rules_t *rules) {
        return rules ? rules->n : 0;
}

/*---- Applying the rules -------------------------------------------------*/

/** @returns true if entity \p en is named \p name. */
static int ent_is(const ink_entity_t *en, const char *name) {
        return (en->canonical && !strcasecmp(en->canonical, name)) ||
               (en->text && !strcasecmp(en->text, name));
}

/** @returns the arena copy of sentence \p s of \p art. */
static const char *sentence_text(ink_article_t *art, uint32_t s) {
        if (s >= art->nsents)
                return "";
        const ink_sentence_t *st = &art->sents[s];
        size_t flen;
        const char *f = ink_article_field(art, st->field, &flen);
        return ink_arena_strndup(art->arena, f + st->b, st->e - st->b);
}

/** Adds the alert of rule \p r with participants \p names (\p n, arena
 *  strings) and evidence sentence \p sent. */
static void add_alert(ink_article_t *art, const rule_t *r,
                      const char **names, size_t n, uint32_t sent,
                      double confidence) {
        ink_alert_t al;
        char id[17];
        memset(&al, 0, sizeof(al));
        al.type = ink_arena_strdup(art->arena, r->type);
        al.participants = ink_arena_calloc(art->arena, n + 1,
                                           sizeof(char *));
        memcpy(al.participants, names, n * sizeof(char *));
        al.nparticipants = n;
        al.venues = ink_arena_calloc(art->arena, 1, sizeof(char *));
        /* the Alert schema requires a mode and a status; a rule alert
         * carries the first symbols, which mean nothing for it */
        al.mode = INK_MODE_MEETING;
        al.status = INK_STATUS_PROPOSED;
        char *key = ink_arena_sprintf(art->arena, "%s", r->type);
        for (size_t i = 0; i < n; i++)
                key = ink_arena_sprintf(art->arena, "%s|%s", key, names[i]);
        al.event_key = key;
        ink_summit_alert_id(art->id ? art->id : "", key, id, sizeof(id));
        al.alert_id = ink_arena_strdup(art->arena, id);
        al.evidence = sentence_text(art, sent);
        al.sent = sent;
        al.confidence = confidence;
        ink_article_add_alert(art, &al);
}

/** Applies rule \p r.  @returns 1 if it fired. */
static int apply_one(const rule_t *r, ink_article_t *art) {
        const char *names[16];
        size_t n = 0;

        switch (r->kind) {
        case R_WATCH_ENTITY:
                for (size_t k = 0; k < art->nents; k++)
                        if (ent_is(&art->ents[k], r->a)) {
                                names[0] = ink_arena_strdup(art->arena, r->a);
                                add_alert(art, r, names, 1,
                                          art->ents[k].sent, 1.0);
                                return 1;
                        }
                return 0;
        case R_WATCH_TYPE: {
                uint32_t sent = 0;
                for (size_t k = 0; k < art->nents && n < 16; k++) {
                        const ink_entity_t *en = &art->ents[k];
                        const char *nm = en->canonical ? en->canonical
                                                       : en->text;
                        int dup = 0;
                        if ((int)en->type != r->ent_type || !nm)
                                continue;
                        for (size_t i = 0; i < n; i++)
                                if (!strcasecmp(names[i], nm))
                                        dup = 1;
                        if (dup)
                                continue;
                        if (!n)
                                sent = en->sent;
                        names[n++] = nm;
                }
                if (n)
                        add_alert(art, r, names, n, sent, 1.0);
                return n > 0;
        }
        case R_COOC_SENT:
        case R_COOC_ART:
                for (size_t i = 0; i < art->nents; i++) {
                        if (!ent_is(&art->ents[i], r->a))
                                continue;
                        for (size_t j = 0; j < art->nents; j++) {
                                if (!ent_is(&art->ents[j], r->b) ||
                                    (r->kind == R_COOC_SENT &&
                                     art->ents[j].sent != art->ents[i].sent))
                                        continue;
                                names[0] = ink_arena_strdup(art->arena, r->a);
                                names[1] = ink_arena_strdup(art->arena, r->b);
                                add_alert(art, r, names, 2,
                                          art->ents[i].sent, 1.0);
                                return 1;
                        }
                }
                return 0;
        case R_SENT_BELOW:
        case R_SENT_ABOVE: {
                double sum = 0, most = 0;
                size_t cnt = 0;
                uint32_t sent = 0;
                for (size_t k = 0; k < art->nents; k++) {
                        const ink_entity_t *en = &art->ents[k];
                        if (!en->has_sentiment || !ent_is(en, r->a))
                                continue;
                        sum += en->sentiment;
                        if (!cnt || (r->kind == R_SENT_BELOW
                                             ? en->sentiment < most
                                             : en->sentiment > most)) {
                                most = en->sentiment;
                                sent = en->sent;
                        }
                        cnt++;
                }
                if (!cnt)
                        return 0;
                double avg = sum / (double)cnt;
                if (r->kind == R_SENT_BELOW ? avg >= r->threshold
                                            : avg <= r->threshold)
                        return 0;
                names[0] = ink_arena_strdup(art->arena, r->a);
                add_alert(art, r, names, 1, sent,
                          avg < 0 ? -avg : avg);
                return 1;
        }
        }
        return 0;
}

size_t ink_rules_apply(const ink_rules_t *rules, ink_article_t *art) {
        size_t fired = 0;
        for (size_t i = 0; rules && i < rules->n; i++)
                fired += (size_t)apply_one(&rules->v[i], art);
        return fired;
}

/*---- The stage ------------------------------------------------------------*/

static pthread_mutex_t file_lock = PTHREAD_MUTEX_INITIALIZER;
static char *rules_file;

void ink_rules_set_file(const char *path) {
        pthread_mutex_lock(&file_lock);
        free(rules_file);
        rules_file = path && *path ? ink_strdup(path) : NULL;
        pthread_mutex_unlock(&file_lock);
}

/** Loads the rules file set by ink_rules_set_file() (or the default). */
static void *rules_create(char *errstr, size_t errstr_size) {
        pthread_mutex_lock(&file_lock);
        char *path = rules_file ? ink_strdup(rules_file) : NULL;
        pthread_mutex_unlock(&file_lock);
        ink_rules_t *r = ink_rules_load(path, errstr, errstr_size);
        free(path);
        return r;
}

static ink_rc_t rules_run(const void *ctx, ink_article_t *art, char *errstr,
                          size_t errstr_size) {
        (void)errstr;
        (void)errstr_size;
        if (!art->nents)
                return INK_SKIPPED;
        ink_rules_apply(ctx, art);
        return INK_OK;
}

static void rules_destroy(void *ctx) {
        ink_rules_destroy(ctx);
}

const ink_stage_def_t ink_stage_rules = {
        "rules",
        "watchlist, co-occurrence and sentiment-threshold alerts",
        rules_create,
        rules_run,
        rules_destroy,
};

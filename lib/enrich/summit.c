/*
 * The "summit" stage: announcements of diplomatic encounters that have not
 * happened yet, or changes in the status of planned ones.
 *
 * Sentence by sentence, from the tokens and entities of earlier stages and
 * the lexicons under data/alerts/:
 *
 *  1. Lexicon hits: encounter triggers (meet, talks, summit, visit, phone
 *     call, host), tense and modality cues, status cues, non-diplomatic
 *     senses (business summit, mountain summit, Summit County, sports,
 *     domestic politics), countries (with demonyms and capitals),
 *     international bodies and leader titles.
 *  2. Leaders: a title followed by a name ("Russian President Vladimir
 *     Putin"), with the country read from a demonym or "of <country>"
 *     before or after it; PER entities give the canonical form, and
 *     surname mentions elsewhere in the article resolve to the same leader.
 *  3. A sentence is a candidate when it has a trigger, a forward-looking or
 *     status-change cue, no blocking cue (past readout, "no plans to meet",
 *     speculation, business/mountain/sports/place sense, domestic meeting)
 *     and sides from at least two different states or bodies (or one body
 *     holding a summit).
 *  4. The best candidate (headline and lead first) is the main encounter;
 *     other forward-looking sentences about the same encounter (no other
 *     leader named) refine its status, time and venues.
 *
 * Status of a sentence: cancelled / postponed when it says so (not negated,
 * not inside "after the talks were postponed"); proposed for an offer or
 * invitation without a near date; confirmed for a day ("on 14 March",
 * "Wednesday") unless only reports or sources give it (then scheduled);
 * scheduled for a near window ("next week", "in April"); planned
 * otherwise.  The article takes the firmest status of its related
 * sentences; a change of plan counts from the main sentence, headline and
 * lead only.
 *
 * Mode rule: the first trigger of the main sentence decides between a call
 * and a meeting ("plans a phone call, wants to meet" is a call: the call is
 * the next concrete step); a visit trigger wins over a meeting trigger
 * (a visit frames the meetings held during it), except for a summit of an
 * international body; "virtual"/"video" next to a summit or meeting makes
 * it a call, and so does a manner ("held by videoconference", "talk by
 * phone") in the main sentence or a later one about the same encounter;
 * "spoke by phone" is a past call and no trigger; a host ("X will host")
 * does not decide the mode when the hosted event is named.
 *
 * Venues: places the sentence puts the encounter in ("in"/"at" a place,
 * "visit"/"trip to" a place, "the Saudi capital Riyadh", "the capital of
 * X, Y", "in the Finnish capital", a place offering to host); a place is
 * a country or capital of the lexicon, a named seat of power (VENUE
 * cues), or a LOC entity linked to a city or country by the entity stage
 * (its canonical name).  Later sentences add only host offers and a city
 * of a country already listed.  A virtual encounter has no venue.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ink/ner.h"
#include "ink/stage.h"
#include "ink/text.h"
#include "ink/summit.h"
#include "summit_int.h"

/*---- Lexicon --------------------------------------------------------------*/

enum {
        CAT_MEET, CAT_SUMMIT, CAT_VISIT, CAT_CALL, CAT_HOST,
        CAT_FUT, CAT_FUTW, CAT_PLAN, CAT_PROP, CAT_SCHED, CAT_AGREE,
        CAT_CONF, CAT_REPORT, CAT_POSTP, CAT_CANC, CAT_PAST, CAT_NONE,
        CAT_SPEC, CAT_NEG, CAT_BIZ, CAT_MOUNT, CAT_SPORT, CAT_PLACE,
        CAT_DOMESTIC, CAT_VIRTUAL, CAT_VENUE,
        CAT_COUNTRY, CAT_BODY, CAT_TITLE,
        CAT_CNT
};

static const char *const cue_names[] = {
        "MEET", "SUMMIT", "VISIT", "CALL", "HOST",
        "FUT", "FUTW", "PLAN", "PROP", "SCHED", "AGREE",
        "CONF", "REPORT", "POSTP", "CANC", "PAST", "NONE",
        "SPEC", "NEG", "BIZ", "MOUNT", "SPORT", "PLACE",
        "DOMESTIC", "VIRTUAL", "VENUE",
};

#define BIT(c) (1u << (c))
#define TRIGGERS (BIT(CAT_MEET) | BIT(CAT_SUMMIT) | BIT(CAT_VISIT) | \
                  BIT(CAT_CALL) | BIT(CAT_HOST))
#define STRONG (BIT(CAT_PLAN) | BIT(CAT_PROP) | BIT(CAT_SCHED) | \
                BIT(CAT_AGREE) | BIT(CAT_POSTP) | BIT(CAT_CANC))

typedef struct lex_entry_s {
        char *phrase;   /* lower case unless exact */
        int cat;
        int exact;      /* match the case as written */
        int rank;       /* titles: 0..3; countries: 1 for a demonym */
        int canon;      /* countries, bodies: index into ctx->names */
} lex_entry_t;

/* Index of the lexicon by prefix.  A token can begin a phrase only if
 * the phrase starts with the token (phrase_match), so the entries that
 * may match at a token are found by looking the token up.  Each prefix
 * of each phrase is a key together with the byte that follows it in the
 * phrase: -1 when the phrase ends there or a space follows (any next
 * token may continue it), else that byte, which the next token must
 * start with ("face" + "-to-face", "do" + "n't").  So a short token
 * ("a") is not offered every phrase that merely starts with its letters.
 * Each key lists its entries in ascending lexicon order. */
typedef struct pfx_s {
        const char *s;          /* a phrase starting with the prefix
                                 * (borrowed from lex); NULL: empty slot */
        uint32_t len;           /* prefix length in bytes */
        int next;               /* the byte after it, or -1 (see above) */
        uint32_t first, count;  /* entries: ents[first .. +count) */
} pfx_t;

typedef struct pfx_index_s {
        pfx_t *slots;
        size_t mask;            /* slot count - 1 (a power of two) */
        uint32_t *ents;
} pfx_index_t;

typedef struct summit_ctx_s {
        lex_entry_t *lex;
        size_t nlex;
        pfx_index_t pfx[2];     /* [0] lower-case phrases, [1] exact */
        char **names;           /* canonical country and body names */
        int *name_is_body;
        char **capital;         /* per name: its capital city as written
                                 * in countries.txt, or NULL */
        char (*alpha2)[3];      /* per name: ISO 3166-1 code, or "" */
        size_t nnames;
} summit_ctx_t;

/** Appends one lexicon entry (phrase copied; lower-cased unless it is an
 *  all-capitals alias of a country or body). */
static void lex_add(summit_ctx_t *ctx, size_t *cap, const char *phrase,
                    size_t len, int cat, int rank, int canon) {
        lex_entry_t *le;
        int caps = 0, lower = 0;
        while (len && isspace((unsigned char)phrase[len - 1]))
                len--;
        while (len && isspace((unsigned char)*phrase)) {
                phrase++;
                len--;
        }
        if (!len)
                return;
        if (ctx->nlex == *cap) {
                *cap = *cap ? *cap * 2 : 512;
                ctx->lex = ink_realloc(ctx->lex, *cap * sizeof(*ctx->lex));
        }
        le = &ctx->lex[ctx->nlex++];
        le->phrase = ink_strndup(phrase, len);
        for (size_t i = 0; i < len; i++) {
                if (isupper((unsigned char)phrase[i]))
                        caps++;
                if (islower((unsigned char)phrase[i]))
                        lower++;
        }
        le->exact = (cat == CAT_COUNTRY || cat == CAT_BODY) && caps >= 2 &&
                    !lower;
        if (!le->exact)
                for (char *p = le->phrase; *p; p++)
                        *p = (char)tolower((unsigned char)*p);
        le->cat = cat;
        le->rank = rank;
        le->canon = canon;
}

/** Records the ISO code of name \p canon (a country the place gazetteer
 *  knows) and its capital: the first alias of [\p a, \p end) ("|Kabul|
 *  ...") that the gazetteer knows as a city of that country. */
static void name_places(summit_ctx_t *ctx, int canon, const char *a,
                        const char *end) {
        const char *nm = ctx->names[canon];
        const ink_country_t *c = ink_gaz_country(nm, strlen(nm), NULL);
        ctx->capital = ink_realloc(ctx->capital,
                                   ctx->nnames * sizeof(*ctx->capital));
        ctx->alpha2 = ink_realloc(ctx->alpha2,
                                  ctx->nnames * sizeof(*ctx->alpha2));
        ctx->capital[canon] = NULL;
        ctx->alpha2[canon][0] = '\0';
        if (!c)
                return;
        memcpy(ctx->alpha2[canon], c->alpha2, 3);
        while (a < end && !ctx->capital[canon]) {
                const char *e;
                a++;    /* the '|' */
                e = a;
                while (e < end && *e != '|')
                        e++;
                const ink_city_t *city = ink_gaz_city(a, (size_t)(e - a));
                if (city && !strcmp(city->alpha2, c->alpha2))
                        ctx->capital[canon] = ink_strndup(a, (size_t)(e - a));
                a = e;
        }
}

/** Loads "canonical|alias|..." lines of \p path as \p cat entries.
 *  @returns 0, or -1 with \p errstr set. */
static int load_names(summit_ctx_t *ctx, size_t *cap, const char *path,
                      int cat, char *errstr, size_t errstr_size) {
        size_t len;
        const char *p = ink_resource_get(path, &len);
        if (!p) {
                snprintf(errstr, errstr_size, "missing resource %s", path);
                return -1;
        }
        while (*p) {
                const char *eol = strchr(p, '\n');
                if (!eol)
                        eol = p + strlen(p);
                if (*p != '#' && eol > p) {
                        const char *first_end = p;
                        while (first_end < eol && *first_end != '|' &&
                               *first_end != ';')
                                first_end++;
                        int canon = (int)ctx->nnames++;
                        ctx->names = ink_realloc(ctx->names, ctx->nnames *
                                                 sizeof(*ctx->names));
                        ctx->name_is_body = ink_realloc(
                                ctx->name_is_body,
                                ctx->nnames * sizeof(*ctx->name_is_body));
                        ctx->names[canon] =
                                ink_strndup(p, (size_t)(first_end - p));
                        ctx->name_is_body[canon] = cat == CAT_BODY;
                        const char *semi = memchr(p, ';', (size_t)(eol - p));
                        name_places(ctx, canon, first_end,
                                    semi ? semi : eol);
                        for (const char *a = p; a < eol;) {
                                const char *e = a;
                                while (e < eol && *e != '|' && *e != ';')
                                        e++;
                                lex_add(ctx, cap, a, (size_t)(e - a), cat,
                                        semi && a > semi, canon);
                                a = e + 1;
                        }
                }
                p = *eol ? eol + 1 : eol;
        }
        return 0;
}

/** Loads "KEY|phrase" lines of \p path; KEY is a cue category name, or a
 *  title rank when \p titles.  @returns 0, or -1 with \p errstr set. */
static int load_cues(summit_ctx_t *ctx, size_t *cap, const char *path,
                     int titles, char *errstr, size_t errstr_size) {
        size_t len;
        const char *p = ink_resource_get(path, &len);
        int line = 0;
        if (!p) {
                snprintf(errstr, errstr_size, "missing resource %s", path);
                return -1;
        }
        while (*p) {
                const char *eol = strchr(p, '\n');
                if (!eol)
                        eol = p + strlen(p);
                line++;
                if (*p != '#' && eol > p) {
                        const char *bar = memchr(p, '|', (size_t)(eol - p));
                        int cat = -1, rank = 0;
                        if (!bar) {
                                snprintf(errstr, errstr_size,
                                         "%s:%d: no '|'", path, line);
                                return -1;
                        }
                        if (titles) {
                                cat = CAT_TITLE;
                                rank = atoi(p);
                        } else {
                                for (int c = 0; c < CAT_COUNTRY; c++)
                                        if (strlen(cue_names[c]) ==
                                                    (size_t)(bar - p) &&
                                            !strncmp(cue_names[c], p,
                                                     (size_t)(bar - p)))
                                                cat = c;
                        }
                        if (cat < 0) {
                                snprintf(errstr, errstr_size,
                                         "%s:%d: unknown category", path,
                                         line);
                                return -1;
                        }
                        lex_add(ctx, cap, bar + 1, (size_t)(eol - bar - 1),
                                cat, rank, -1);
                }
                p = *eol ? eol + 1 : eol;
        }
        return 0;
}

static int lex_cmp(const void *a, const void *b) {
        const lex_entry_t *x = a, *y = b;
        unsigned char cx = (unsigned char)tolower((unsigned char)x->phrase[0]);
        unsigned char cy = (unsigned char)tolower((unsigned char)y->phrase[0]);
        return (int)cx - (int)cy;
}

/** FNV-1a of the \p n bytes of \p s and of \p next. */
static uint32_t pfx_hash(const char *s, size_t n, int next) {
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < n; i++) {
                h ^= (unsigned char)s[i];
                h *= 16777619u;
        }
        h ^= (uint32_t)(next + 1);
        h *= 16777619u;
        return h;
}

/** @returns the slot of key (\p s, \p n bytes, \p next) in \p ix: its
 *  entry, or the empty slot where it would go. */
static pfx_t *pfx_slot(const pfx_index_t *ix, const char *s, size_t n,
                       int next) {
        size_t i = pfx_hash(s, n, next) & ix->mask;
        while (ix->slots[i].s &&
               (ix->slots[i].len != n || ix->slots[i].next != next ||
                memcmp(ix->slots[i].s, s, n)))
                i = (i + 1) & ix->mask;
        return &ix->slots[i];
}

/** Builds ctx->pfx[\p exact] over the entries with that exactness: every
 *  prefix of their phrases with the byte after it, listing the entries
 *  in ascending order. */
static void pfx_build(summit_ctx_t *ctx, int exact) {
        pfx_index_t *ix = &ctx->pfx[exact];
        size_t total = 0, slots = 16, next = 0;
        for (size_t k = 0; k < ctx->nlex; k++)
                if (ctx->lex[k].exact == exact)
                        total += strlen(ctx->lex[k].phrase);
        while (slots < 2 * total + 1)
                slots *= 2;
        ix->slots = ink_calloc(slots, sizeof(pfx_t));
        ix->mask = slots - 1;
        ix->ents = ink_calloc(total + 1, sizeof(uint32_t));
        for (int pass = 0; pass < 2; pass++) {
                for (size_t k = 0; k < ctx->nlex; k++) {
                        const char *ph = ctx->lex[k].phrase;
                        if (ctx->lex[k].exact != exact)
                                continue;
                        for (size_t n = 1; ph[n - 1]; n++) {
                                int c = ph[n] == '\0' || ph[n] == ' '
                                                ? -1
                                                : (unsigned char)ph[n];
                                pfx_t *p = pfx_slot(ix, ph, n, c);
                                if (pass == 0) {
                                        p->s = ph;
                                        p->len = (uint32_t)n;
                                        p->next = c;
                                        p->count++;
                                } else {
                                        ix->ents[p->first + p->count++] =
                                                (uint32_t)k;
                                }
                        }
                }
                if (pass == 0) {
                        /* lay the lists out, then fill them again */
                        for (size_t i = 0; i < slots; i++) {
                                ix->slots[i].first = (uint32_t)next;
                                next += ix->slots[i].count;
                                ix->slots[i].count = 0;
                        }
                }
        }
}

/* The lexicon entries that may start at one token, in lexicon order:
 * up to four ascending lists (lower-case and exact entries; phrases
 * that may go on with any token, or with one starting with the next
 * token's first byte) merged. */
typedef struct cand_it_s {
        const uint32_t *l[4];
        size_t n[4];
} cand_it_t;

/** Adds to \p it the entries of key (\p t, \p next) of \p ix. */
static void cand_add(cand_it_t *it, int slot, const pfx_index_t *ix,
                     const char *t, size_t n, int next) {
        const pfx_t *p = pfx_slot(ix, t, n, next);
        if (p->s) {
                it->l[slot] = ix->ents + p->first;
                it->n[slot] = p->count;
        }
}

/** Starts \p it on the entries that may start at token \p i of \p tv
 *  (a phrase does not go on past token \p end). */
static void cand_begin(const summit_ctx_t *ctx, const summit_toks_t *tv,
                       size_t i, size_t end, cand_it_t *it) {
        memset(it, 0, sizeof(*it));
        for (int x = 0; x < 2; x++) {
                const char *const *v = x ? tv->norm : tv->lower;
                size_t n = strlen(v[i]);
                if (!n)
                        continue;
                cand_add(it, 2 * x, &ctx->pfx[x], v[i], n, -1);
                if (i + 1 < end && v[i + 1][0])
                        cand_add(it, 2 * x + 1, &ctx->pfx[x], v[i], n,
                                 (unsigned char)v[i + 1][0]);
        }
}

/** @returns the next entry of \p it (borrowed from \p ctx), or NULL. */
static const lex_entry_t *cand_next(const summit_ctx_t *ctx, cand_it_t *it) {
        int best = -1;
        for (int x = 0; x < 4; x++)
                if (it->n[x] && (best < 0 || it->l[x][0] < it->l[best][0]))
                        best = x;
        if (best < 0)
                return NULL;
        it->n[best]--;
        return &ctx->lex[*it->l[best]++];
}

static void summit_destroy(void *p) {
        summit_ctx_t *ctx = p;
        if (!ctx)
                return;
        for (size_t i = 0; i < ctx->nlex; i++)
                free(ctx->lex[i].phrase);
        for (size_t i = 0; i < ctx->nnames; i++) {
                free(ctx->names[i]);
                if (ctx->capital)
                        free(ctx->capital[i]);
        }
        free(ctx->capital);
        free(ctx->alpha2);
        for (int x = 0; x < 2; x++) {
                free(ctx->pfx[x].slots);
                free(ctx->pfx[x].ents);
        }
        free(ctx->lex);
        free(ctx->names);
        free(ctx->name_is_body);
        free(ctx);
}

/** Loads the lexicons of data/alerts/ once per process.
 *  @returns the context (owned by the pipeline) or NULL with \p errstr. */
static void *summit_create(char *errstr, size_t errstr_size) {
        summit_ctx_t *ctx = ink_calloc(1, sizeof(*ctx));
        size_t cap = 0;
        if (load_names(ctx, &cap, "data/alerts/countries.txt", CAT_COUNTRY,
                       errstr, errstr_size) ||
            load_names(ctx, &cap, "data/alerts/bodies.txt", CAT_BODY, errstr,
                       errstr_size) ||
            load_cues(ctx, &cap, "data/alerts/titles.txt", 1, errstr,
                      errstr_size) ||
            load_cues(ctx, &cap, "data/alerts/cues.txt", 0, errstr,
                      errstr_size)) {
                summit_destroy(ctx);
                return NULL;
        }
        qsort(ctx->lex, ctx->nlex, sizeof(*ctx->lex), lex_cmp);
        pfx_build(ctx, 0);
        pfx_build(ctx, 1);
        return ctx;
}

/*---- Per-article analysis -------------------------------------------------*/

typedef struct hit_s {
        uint32_t b, e;  /* token range */
        int cat, rank, canon;
} hit_t;

typedef struct leader_s {
        const char *name;       /* canonical (arena) */
        const char *keys[6];    /* name tokens a later mention may use */
        int nkeys;
        int geo;                /* country/body name index, or -1 */
        int rank;               /* best title rank; 0: domestic office,
                                 * RANK_UNTITLED: named near a trigger */
        int office;             /* no name given: \p name is the office as
                                 * written ("German President") */
} leader_t;

#define RANK_UNTITLED 4

#define MAX_SIDES 12
#define MAX_TIMES 8

typedef struct side_s {
        int leader;     /* index into leaders, or -1 */
        int geo;        /* name index, or -1 */
        uint32_t tok;   /* first mention */
        int venue_only; /* "in Geneva": a place, not a party */
        int orank;      /* rank of the title right after the country
                         * ("Indian Foreign Minister"), or 0 */
        int mediator;   /* "under Angolan mediation" */
} side_t;

typedef struct sinfo_s {
        unsigned cats;          /* BIT(CAT_*) present */
        int first_trig;         /* token of the first usable trigger */
        int mode;
        int nsides, nkeys;
        side_t sides[MAX_SIDES];
        summit_time_t times[MAX_TIMES];
        size_t ntimes;
        int best_time;          /* SUMMIT_T_* or 0 */
        int status;
        int candidate, related;
        int by_call;            /* "held by videoconference", "spoke by
                                 * phone": the encounter is a call */
        double score;
} sinfo_t;

typedef struct work_s {
        const summit_ctx_t *ctx;
        ink_article_t *art;
        summit_toks_t tv;
        hit_t *hits;
        size_t nhits;
        size_t *sent_hit;       /* first hit of each sentence (+1 entry) */
        uint32_t *skip;         /* first token after a dateline */
        int ref_year;           /* years before it are past */
        leader_t *leaders;
        size_t nleaders;
        sinfo_t *si;
        int art_mount, art_sport, title_biz;
        /* Article-wide lookups built once per article (arena), so that
         * per-token questions cost O(log n) instead of a scan of every
         * entity or hit (hostile input made those scans quadratic). */
        uint32_t maxhl;         /* longest hit, in tokens */
        uint32_t *ent_toff;     /* ntoks + 1 offsets into ent_tidx */
        uint32_t *ent_tidx;     /* entity indices by tok_begin (stable) */
        uint32_t *ent_soff;     /* nsents + 1 offsets into ent_sidx */
        uint32_t *ent_sidx;     /* entity indices by sentence (stable) */
        const char **armed;     /* sorted names before an armed noun */
        size_t narmed;
} work_t;

/** @returns true if the first byte of \p s is an upper-case letter or a
 *  non-ASCII byte (a capitalised word in most scripts we see). */
static int capital(const char *s) {
        return isupper((unsigned char)s[0]) || (unsigned char)s[0] >= 0x80;
}

/** Matches \p le at token \p i (tokens may split the phrase at its spaces
 *  and punctuation).  @returns the number of tokens matched, or 0. */
static size_t phrase_match(const lex_entry_t *le, const summit_toks_t *tv,
                           size_t i, size_t end) {
        const char *p = le->phrase;
        for (size_t j = i; j < end; j++) {
                const char *t = le->exact ? tv->norm[j] : tv->lower[j];
                size_t tl = strlen(t);
                if (!tl || strncmp(p, t, tl))
                        return 0;
                p += tl;
                if (!*p)
                        return j + 1 - i;
                if (*p == ' ')
                        p++;
        }
        return 0;
}

/** @returns true if \p t is a dash or a colon. */
static int dash_or_colon(const char *t) {
        return !strcmp(t, "-") || !strcmp(t, "--") || !strcmp(t, ":") ||
               !strcmp(t, "\xe2\x80\x93") || !strcmp(t, "\xe2\x80\x94") ||
               !strcmp(t, "\xe2\x80\x95");
}

/** @returns true if \p t has at least two letters, all upper case. */
static int all_caps(const char *t) {
        int n = 0;
        for (; *t; t++) {
                if (islower((unsigned char)*t))
                        return 0;
                if (isalpha((unsigned char)*t))
                        n++;
        }
        return n >= 2;
}

/** @returns the first token after the dateline that opens sentence \p s
 *  ("JAKARTA:", "Khartoum -", "Dhaka [Bangladesh], April 4 (ANI):",
 *  "MOSCOW (Agency - 23rd January, 2023)"), or its first token when there
 *  is none.  A dateline is a run of capitalised words, numbers and
 *  bracketed text that ends in a dash or colon (or a closing bracket
 *  after an all-capitals place) and starts with a place or capitals. */
static uint32_t dateline_end(const work_t *w, size_t s) {
        const ink_sentence_t *st = &w->art->sents[s];
        uint32_t b = st->tok_begin, e = st->tok_end;
        int depth = 0;
        const char *first = w->tv.norm[b];
        int place = all_caps(first), marks = 0;
        if (!capital(first))
                return b;
        if (!place) {
                cand_it_t it;
                cand_begin(w->ctx, &w->tv, b, e, &it);
                for (const lex_entry_t *le = cand_next(w->ctx, &it);
                     le && !place; le = cand_next(w->ctx, &it))
                        if (le->cat == CAT_COUNTRY && le->rank == 0 &&
                            phrase_match(le, &w->tv, b, e))
                                place = 1;
        }
        for (uint32_t j = b + 1; j < e && j < b + 25; j++) {
                const char *t = w->tv.norm[j];
                if (isdigit((unsigned char)t[0]))
                        marks = 1;
                if (!strcmp(t, "(") || !strcmp(t, "[")) {
                        depth++;
                        marks = 1;
                        continue;
                }
                if (!strcmp(t, ")") || !strcmp(t, "]")) {
                        if (--depth == 0 && j + 1 < e) {
                                if (dash_or_colon(w->tv.norm[j + 1]))
                                        return j + 2;
                                if (all_caps(first) &&
                                    capital(w->tv.norm[j + 1]))
                                        return j + 1;
                        }
                        continue;
                }
                if (depth > 0)
                        continue;
                if (dash_or_colon(t))
                        return place || marks ? j + 1 : b;
                if (islower((unsigned char)t[0]))
                        return b;
        }
        return b;
}

/** Collects the lexicon hits of sentence \p s into w->hits, dropping
 *  country, body and title hits contained in a longer one. */
static void find_hits(work_t *w, size_t s, size_t *capp) {
        const ink_sentence_t *st = &w->art->sents[s];
        size_t first = w->nhits;
        for (size_t i = w->skip[s]; i < st->tok_end; i++) {
                cand_it_t it;
                cand_begin(w->ctx, &w->tv, i, st->tok_end, &it);
                for (const lex_entry_t *le = cand_next(w->ctx, &it); le;
                     le = cand_next(w->ctx, &it)) {
                        size_t n = phrase_match(le, &w->tv, i, st->tok_end);
                        if (!n)
                                continue;
                        if ((le->cat == CAT_COUNTRY || le->cat == CAT_BODY) &&
                            !le->exact && !capital(w->tv.norm[i]))
                                continue;
                        if (w->nhits == *capp) {
                                size_t nc = *capp ? *capp * 2 : 256;
                                w->hits = ink_arena_grow(w->art->arena,
                                                         w->hits, w->nhits,
                                                         nc, sizeof(hit_t));
                                *capp = nc;
                        }
                        w->hits[w->nhits++] = (hit_t){
                                (uint32_t)i, (uint32_t)(i + n), le->cat,
                                le->rank, le->canon};
                }
        }
        /* containment among named hits (geo with geo, title with title).
         * The hits are compacted in place: at step a, [first, out) holds
         * the hits kept so far and [out, nhits) the original ones, each
         * part in order of start.  A hit containing h starts in
         * [h->e - maxl, h->b], so only that window of each part is
         * looked at (the same hits the full scan would find). */
        uint32_t maxl = 0;
        for (size_t a = first; a < w->nhits; a++)
                if (w->hits[a].e - w->hits[a].b > maxl)
                        maxl = w->hits[a].e - w->hits[a].b;
        size_t out = first;
        for (size_t a = first; a < w->nhits; a++) {
                hit_t *h = &w->hits[a];
                int geo = h->cat == CAT_COUNTRY || h->cat == CAT_BODY;
                int drop = 0;
                long lo = (long)h->e - (long)maxl;
                size_t win[2][2] = {{first, out}, {out, w->nhits}};
                for (int part = 0; part < 2; part++) {
                        size_t l = win[part][0], r = win[part][1];
                        while (l < r) {
                                size_t mid = l + (r - l) / 2;
                                if ((long)w->hits[mid].b < lo)
                                        l = mid + 1;
                                else
                                        r = mid;
                        }
                        r = l;
                        while (r < win[part][1] && w->hits[r].b <= h->b)
                                r++;
                        win[part][0] = l;
                        win[part][1] = r;
                }
                for (int part = 0; part < 2 && !drop; part++)
                for (size_t b = win[part][0]; b < win[part][1] && !drop; b++) {
                        hit_t *o = &w->hits[b];
                        int ogeo = o->cat == CAT_COUNTRY || o->cat == CAT_BODY;
                        if (a == b || (geo != ogeo) ||
                            (!geo && (h->cat != o->cat)))
                                continue;
                        if (o->b <= h->b && o->e >= h->e &&
                            (o->e - o->b > h->e - h->b ||
                             (o->e - o->b == h->e - h->b && b < a)))
                                drop = 1;
                }
                /* "league" in "Arab League", "forum" in a body's name */
                for (int part = 0; part < 2 && !drop; part++)
                for (size_t b = win[part][0];
                     b < win[part][1] && !drop && !geo &&
                     h->cat < CAT_COUNTRY;
                     b++) {
                        const hit_t *o = &w->hits[b];
                        if ((o->cat == CAT_COUNTRY || o->cat == CAT_BODY) &&
                            o->b <= h->b && o->e >= h->e)
                                drop = 1;
                }
                if (!drop)
                        w->hits[out++] = *h;
        }
        w->nhits = out;
}

/** @returns the hit of category \p cat (or a geo hit when \p cat < 0)
 *  starting (or ending, when \p at_end) at token \p t in sentence \p s. */
/** @returns the first hit of sentence \p s starting at or after token
 *  \p t (the hits of a sentence are in order of their start, as
 *  find_hits() writes them), or w->sent_hit[s + 1]. */
static size_t hit_lb(const work_t *w, size_t s, long t) {
        size_t lo = w->sent_hit[s], hi = w->sent_hit[s + 1];
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if ((long)w->hits[mid].b < t)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

static const hit_t *hit_at(const work_t *w, size_t s, uint32_t t, int cat,
                           int at_end) {
        /* only hits starting in [t - maxhl, t] can start or end at t */
        size_t k = hit_lb(w, s, at_end ? (long)t - (long)w->maxhl : (long)t);
        for (; k < w->sent_hit[s + 1] && w->hits[k].b <= t; k++) {
                const hit_t *h = &w->hits[k];
                int ok = cat < 0 ? (h->cat == CAT_COUNTRY ||
                                    h->cat == CAT_BODY)
                                 : h->cat == cat;
                if (ok && (at_end ? h->e == t : h->b == t))
                        return h;
        }
        return NULL;
}

static int is_particle(const char *l) {
        static const char *const p[] = {
                "bin", "bint", "ibn", "al", "el", "da", "de", "do", "dos",
                "du", "van", "von", "der", "la", "le", "abu", "-", "jr",
                "jr.", ".", NULL};
        for (int i = 0; p[i]; i++)
                if (!strcmp(l, p[i]))
                        return 1;
        return 0;
}

/** @returns true if \p word is one of the space-separated words of
 *  \p name. */
static int word_in(const char *name, const char *word) {
        size_t n = strlen(word);
        for (const char *p = name; *p;) {
                size_t k = strcspn(p, " ");
                if (k == n && !strncmp(p, word, n))
                        return 1;
                p += k;
                while (*p == ' ')
                        p++;
        }
        return 0;
}

/** @returns the leader with the same name (or a name sharing its last
 *  token and one being a suffix of the other), or -1. */
static int leader_find(const work_t *w, const char *name) {
        const char *ls = strrchr(name, ' ');
        ls = ls ? ls + 1 : name;
        for (size_t i = 0; i < w->nleaders; i++) {
                const char *o = w->leaders[i].name;
                const char *lo = strrchr(o, ' ');
                size_t no = strlen(o), nn = strlen(name);
                lo = lo ? lo + 1 : o;
                if (w->leaders[i].office)
                        continue;
                if (!strcmp(o, name))
                        return (int)i;
                /* "Salman" and "Salman bin Abdulaziz" */
                size_t fo = strcspn(o, " "), fn = strcspn(name, " ");
                if ((!name[fn] && fn == fo && !strncmp(o, name, fn)) ||
                    (!o[fo] && fn == fo && !strncmp(o, name, fo)))
                        return (int)i;
                if (!name[fn] && word_in(o, name))
                        return (int)i;
                if (!o[fo] && word_in(name, o))
                        return (int)i;
                /* "Luiz Inacio Lula" and "Luiz Inacio Lula da Silva" */
                if ((nn < no && !strncmp(o, name, nn) && o[nn] == ' ') ||
                    (no < nn && !strncmp(o, name, no) && name[no] == ' '))
                        return (int)i;
                if (strcmp(lo, ls))
                        continue;
                if (fo == fn && !strncmp(o, name, fo))
                        return (int)i;
                /* "Mohammed bin Salman" and "Mohammad bin Salman" */
                if (lo > o && ls > name) {
                        const char *po = lo - 1, *pn = ls - 1;
                        while (po > o && po[-1] != ' ')
                                po--;
                        while (pn > name && pn[-1] != ' ')
                                pn--;
                        if (po > o && pn > name && lo - po == ls - pn &&
                            !strncmp(po, pn, (size_t)(lo - po)))
                                return (int)i;
                }
                if ((no > nn && o[no - nn - 1] == ' ' &&
                     !strcmp(o + no - nn, name)) ||
                    (nn > no && name[nn - no - 1] == ' ' &&
                     !strcmp(name + nn - no, o)))
                        return (int)i;
        }
        return -1;
}

/** Records the leader named by tokens [\p b, \p e) (or the PER entity
 *  starting there) with \p geo and \p rank.  @returns its index. */
static int leader_add(work_t *w, size_t b, size_t e, int geo, int rank,
                      size_t *capp) {
        const ink_token_t *tb = &w->art->toks[b], *te = &w->art->toks[e - 1];
        size_t flen;
        const char *ftext = ink_article_field(w->art, tb->field, &flen);
        const char *name = ink_arena_strndup(w->art->arena, ftext + tb->b,
                                             te->e - tb->b);
        /* prefer the entity's canonical form when one starts here */
        for (size_t i = w->ent_toff[b]; i < w->ent_toff[b + 1]; i++) {
                const ink_entity_t *en = &w->art->ents[w->ent_tidx[i]];
                if (en->type == INK_ENT_PER && en->tok_begin == b &&
                    en->canonical && strlen(en->canonical) >= strlen(name))
                        name = en->canonical;
        }
        int li = leader_find(w, name);
        if (li < 0) {
                if (w->nleaders == *capp) {
                        size_t nc = *capp ? *capp * 2 : 16;
                        w->leaders = ink_arena_grow(w->art->arena, w->leaders,
                                                    w->nleaders, nc,
                                                    sizeof(leader_t));
                        *capp = nc;
                }
                li = (int)w->nleaders++;
                memset(&w->leaders[li], 0, sizeof(leader_t));
                w->leaders[li].name = name;
                w->leaders[li].geo = -1;
                w->leaders[li].rank = rank;
        }
        leader_t *L = &w->leaders[li];
        if (strlen(name) > strlen(L->name))
                L->name = name;
        if (L->geo < 0)
                L->geo = geo;
        if (rank < L->rank)
                L->rank = rank;
        /* mention keys: the last name token, and inner tokens of long
         * names ("Lula" in "Luiz Inacio Lula da Silva") */
        L->nkeys = 0;
        {
                const char *p = L->name;
                const char *toks[12];
                size_t lens[12];
                int nt = 0;
                while (*p && nt < 12) {
                        while (*p == ' ')
                                p++;
                        const char *q = p;
                        while (*q && *q != ' ')
                                q++;
                        if (q > p) {
                                toks[nt] = p;
                                lens[nt++] = (size_t)(q - p);
                        }
                        p = q;
                }
                for (int i = nt - 1; i >= 0 && L->nkeys < 6; i--) {
                        if (i == 0 && nt > 1)
                                break;
                        if (i < nt - 1 && nt < 3)
                                continue;
                        /* "al-Assad": the word as one token, and its
                         * part after the particle ("Assad said") */
                        const char *dash = memchr(toks[i], '-', lens[i]);
                        if (!capital(toks[i]) && dash &&
                            dash + 1 < toks[i] + lens[i] &&
                            isupper((unsigned char)dash[1]) &&
                            L->nkeys < 5) {
                                L->keys[L->nkeys++] = ink_arena_strndup(
                                        w->art->arena, toks[i], lens[i]);
                                lens[i] -= (size_t)(dash + 1 - toks[i]);
                                toks[i] = dash + 1;
                        }
                        if (lens[i] < 3 || !capital(toks[i]))
                                continue;
                        L->keys[L->nkeys++] = ink_arena_strndup(
                                w->art->arena, toks[i], lens[i]);
                }
        }
        return li;
}

/** @returns true if \p l (lower case) is a word that title-case
 *  headlines capitalise but that never belongs to a name. */
static int name_stop(const char *l) {
        static const char *const w[] = {
                "to", "for", "in", "on", "at", "of", "and", "with", "the",
                "a", "an", "from", "as", "by", "over", "after", "amid",
                "ahead", "says", "said", "will", "into", "during", "vs",
                "his", "her", "its", "their", "is", "are", "was", "this",
                "that", "who", "has", "have", "under", "before", "near",
                "between", "against", "via", "about", "next", "amid", NULL};
        for (int i = 0; w[i]; i++)
                if (!strcmp(l, w[i]))
                        return 1;
        return 0;
}

/** @returns true if \p l (lower case) is an honorific that precedes a
 *  name without being part of it. */
static int honorific(const char *l) {
        static const char *const w[] = {
                "dr", "dr.", "datuk", "seri", "tan", "sri", "mr", "mr.",
                "mrs", "mrs.", "ms", "ms.", "h.e.", "excellency", "gen.",
                "general", "lt.", NULL};
        for (int i = 0; w[i]; i++)
                if (!strcmp(l, w[i]))
                        return 1;
        return 0;
}

/** @returns true if token \p t can be part of a personal name: a
 *  capitalised word, or "al-Assad"/"el-Sisi". */
static int name_word(const work_t *w, size_t t) {
        const char *n = w->tv.norm[t], *l = w->tv.lower[t];
        if (ispunct((unsigned char)n[0]) || name_stop(l))
                return 0;
        if (capital(n))
                return 1;
        return (!strncmp(l, "al-", 3) || !strncmp(l, "el-", 3) ||
                !strncmp(l, "ad-", 3) || !strncmp(l, "as-", 3)) &&
               isupper((unsigned char)n[3]);
}

static const char *tok_text(const work_t *w, size_t b, size_t e);

/** Records the office \p text of \p geo with \p rank as a leader
 *  without a name, unless the same office is known.  Offices have no
 *  mention keys: they stand in for a side only when the article names
 *  nobody for it. */
static void office_add(work_t *w, const char *text, int geo, int rank,
                       size_t *capp) {
        for (size_t i = 0; i < w->nleaders; i++)
                if (w->leaders[i].office && w->leaders[i].geo == geo &&
                    !strcasecmp(w->leaders[i].name, text))
                        return;
        if (w->nleaders == *capp) {
                size_t nc = *capp ? *capp * 2 : 16;
                w->leaders = ink_arena_grow(w->art->arena, w->leaders,
                                            w->nleaders, nc, sizeof(leader_t));
                *capp = nc;
        }
        leader_t *L = &w->leaders[w->nleaders++];
        memset(L, 0, sizeof(*L));
        L->name = text;
        L->geo = geo;
        L->rank = rank;
        L->office = 1;
}

/** @returns the end of the personal name that starts at token \p nb of
 *  sentence \p s (capitalised words and particles, at most six tokens,
 *  stopping at a country, body or cue), or 0 when there is none. */
static size_t name_run(const work_t *w, size_t s, size_t nb) {
        const ink_sentence_t *st = &w->art->sents[s];
        size_t ne = nb, last = 0;
        while (ne < st->tok_end && ne < nb + 6) {
                if (hit_at(w, s, (uint32_t)ne, -1, 0))
                        break;
                if (name_word(w, ne)) {
                        int cue = 0;
                        for (size_t q = hit_lb(w, s, (long)ne);
                             q < w->sent_hit[s + 1] && w->hits[q].b == ne;
                             q++)
                                if (w->hits[q].b == ne &&
                                    w->hits[q].cat < CAT_COUNTRY)
                                        cue = 1;
                        if (cue)
                                break;
                        last = ne + 1;
                } else if (!is_particle(w->tv.lower[ne]) || ne == nb) {
                        break;
                }
                ne++;
        }
        return last;
}

/** @returns true if title hit \p h is plural ("Presidents", "Prime
 *  Ministers"): it may name several people. */
static int plural_title(const work_t *w, const hit_t *h) {
        const char *l = w->tv.lower[h->e - 1];
        size_t n = strlen(l);
        return n > 3 && l[n - 1] == 's' && l[n - 2] != 's';
}

/** After a plural title's first name ending at \p last, records the
 *  names coordinated with it, each with its own "of <country>":
 *  "Presidents Kagame of Rwanda and Tshisekedi of DR Congo". */
static void add_coordinated(work_t *w, size_t s, size_t last, int rank,
                            size_t *capp) {
        const ink_sentence_t *st = &w->art->sents[s];
        size_t t = last;
        for (int k = 0; k < 4; k++) {
                if (t + 1 < st->tok_end && !strcmp(w->tv.lower[t], "of")) {
                        const hit_t *g = hit_at(w, s, (uint32_t)t + 1, -1, 0);
                        if (!g)
                                return;
                        t = g->e;
                }
                if (t + 1 >= st->tok_end || (strcmp(w->tv.lower[t], "and") &&
                                             strcmp(w->tv.lower[t], ",")))
                        return;
                size_t nb = t + 1, e = name_run(w, s, nb);
                if (e <= nb)
                        return;
                int geo = -1;
                if (e + 1 < st->tok_end && !strcmp(w->tv.lower[e], "of")) {
                        const hit_t *g = hit_at(w, s, (uint32_t)e + 1, -1, 0);
                        if (g)
                                geo = g->canon;
                }
                leader_add(w, nb, e, geo, rank, capp);
                t = e;
        }
}

/** Finds "<demonym|country|body> ['s] <title> [,] <Name> [of <country>]"
 *  and "<title> of <country> <Name>" in sentence \p s.  Names after a
 *  domestic title (rank 0) are recorded as domestic. */
static void find_leaders(work_t *w, size_t s, size_t *capp) {
        const ink_sentence_t *st = &w->art->sents[s];
        for (size_t k = w->sent_hit[s]; k < w->sent_hit[s + 1]; k++) {
                const hit_t *h = &w->hits[k];
                if (h->cat != CAT_TITLE)
                        continue;
                /* "former prime minister X" speaks for no state now */
                if (h->b > st->tok_begin &&
                    (!strcmp(w->tv.lower[h->b - 1], "former") ||
                     !strcmp(w->tv.lower[h->b - 1], "late") ||
                     !strcmp(w->tv.lower[h->b - 1], "then")))
                        continue;
                int geo = -1;
                size_t nb = h->e;
                const hit_t *g = hit_at(w, s, h->b, -1, 1);
                if (!g && h->b > st->tok_begin + 1 &&
                    !strcmp(w->tv.lower[h->b - 1], "'s"))
                        g = hit_at(w, s, h->b - 1, -1, 1);
                /* "Saudi Arabia's Crown Prince and Prime Minister X" */
                if (!g && h->b > st->tok_begin + 2 &&
                    !strcmp(w->tv.lower[h->b - 1], "and")) {
                        const hit_t *t0 = hit_at(w, s, h->b - 1, CAT_TITLE,
                                                 1);
                        if (t0) {
                                g = hit_at(w, s, t0->b, -1, 1);
                                if (!g && t0->b > st->tok_begin + 1 &&
                                    !strcmp(w->tv.lower[t0->b - 1], "'s"))
                                        g = hit_at(w, s, t0->b - 1, -1, 1);
                        }
                }
                if (g)
                        geo = g->canon;
                if (nb + 1 < st->tok_end && !strcmp(w->tv.lower[nb], "of")) {
                        const hit_t *g2 = hit_at(w, s, (uint32_t)nb + 1, -1,
                                                 0);
                        if (g2) {
                                geo = g2->canon;
                                nb = g2->e;
                        }
                }
                if (nb < st->tok_end && !strcmp(w->tv.lower[nb], ","))
                        nb++;
                while (nb < st->tok_end &&
                       (honorific(w->tv.lower[nb]) ||
                        hit_at(w, s, (uint32_t)nb, CAT_TITLE, 0)))
                        nb++;
                if (nb < st->tok_end && is_particle(w->tv.lower[nb]))
                        continue;
                size_t last = name_run(w, s, nb);
                if (last <= nb && g && h->rank > 0 &&
                    !hit_at(w, s, (uint32_t)nb, CAT_TITLE, 0) &&
                    w->tv.lower[h->e - 1][strlen(w->tv.lower[h->e - 1]) -
                                          1] != 's' &&
                    strcmp(w->tv.lower[h->b], "counterpart")) {
                        /* an office without a name: "the German
                         * President will visit" */
                        office_add(w, tok_text(w, g->b, h->e), geo, h->rank,
                                   capp);
                        continue;
                }
                if (last <= nb || last - nb > 5)
                        continue;
                if (geo < 0 && last + 1 < st->tok_end &&
                    !strcmp(w->tv.lower[last], "of")) {
                        const hit_t *g3 = hit_at(w, s, (uint32_t)last + 1,
                                                 -1, 0);
                        if (g3)
                                geo = g3->canon;
                }
                leader_add(w, nb, last, geo, h->rank, capp);
                if (plural_title(w, h))
                        add_coordinated(w, s, last, h->rank, capp);
        }
}

/** @returns true if \p l (lower case) names an armed group's members or
 *  acts ("X militants", "the X insurgency"): a name before it is a
 *  non-state group, the topic of a summit and not a party to it. */
static int armed_noun(const char *l) {
        static const char *const w[] = {
                "militants", "militant", "insurgents", "insurgency",
                "insurgent", "rebels", "rebel", "fighters", "jihadists",
                "jihadist", "militia", "militias", "terrorists",
                "terrorist", "extremists", "threat", "attacks", NULL};
        for (int i = 0; w[i]; i++)
                if (!strcmp(l, w[i]))
                        return 1;
        return 0;
}

/** @returns true if the entity \p en is a topic, not a person: it
 *  follows "on"/"about"/"against" ("a summit on X") or it (or another
 *  mention of the same name in the article) comes before an armed
 *  group's noun ("X militants"). */
static int str_cmp(const void *a, const void *b);

static int topic_name(const work_t *w, const ink_entity_t *en) {
        const ink_sentence_t *st = &w->art->sents[en->sent];
        if (en->tok_begin > st->tok_begin) {
                const char *p = w->tv.lower[en->tok_begin - 1];
                if (!strcmp(p, "on") || !strcmp(p, "about") ||
                    !strcmp(p, "against"))
                        return 1;
        }
        const char *nm = en->canonical ? en->canonical : en->text;
        return w->narmed && bsearch(&nm, w->armed, w->narmed,
                                    sizeof(*w->armed), str_cmp) != NULL;
}

/** Records as leaders of unknown rank the people named in full (PER
 *  entities of two or more words) close to an encounter trigger, so that
 *  "Macron will travel to Algeria to meet Tebboune" has two sides; a
 *  non-state group named as the topic is none (topic_name()). */
static void find_untitled(work_t *w, size_t s, size_t *capp) {
        for (size_t i = w->ent_soff[s]; i < w->ent_soff[s + 1]; i++) {
                const ink_entity_t *en = &w->art->ents[w->ent_sidx[i]];
                int near = 0;
                if (en->type != INK_ENT_PER || en->sent != s ||
                    en->tok_end < en->tok_begin + 2 ||
                    en->tok_begin < w->skip[s] ||
                    is_particle(w->tv.lower[en->tok_begin]))
                        continue;
                /* a name does not start with a country or demonym: in a
                 * title-case headline "Under Angolan Mediation" is none */
                if (hit_at(w, s, en->tok_begin, -1, 0))
                        continue;
                for (size_t q = hit_lb(w, s, (long)en->tok_begin - 8);
                     q < w->sent_hit[s + 1] &&
                     w->hits[q].b <= en->tok_end + 8;
                     q++)
                        if ((BIT(w->hits[q].cat) & TRIGGERS) &&
                            w->hits[q].b + 8 >= en->tok_begin &&
                            w->hits[q].b <= en->tok_end + 8)
                                near = 1;
                for (size_t t = en->tok_begin; t < en->tok_end; t++)
                        if (!name_word(w, t) && !is_particle(w->tv.lower[t]))
                                near = 0;
                if (near && !topic_name(w, en) &&
                    leader_find(w, en->canonical ? en->canonical
                                                 : en->text) < 0)
                        leader_add(w, en->tok_begin, en->tok_end, -1,
                                   RANK_UNTITLED, capp);
        }
}

static int leader_at(const work_t *w, const leader_t *L, size_t t);

/** @returns true if \p l (lower case) names a group of people: "with
 *  House leaders", "meet Acme officials" name no person. */
static int group_noun(const char *l) {
        static const char *const w[] = {
                "leaders", "leader", "officials", "official", "lawmakers",
                "members", "delegation", "delegates", "executives",
                "team", "counterparts", "representatives", "chiefs",
                "ministers", "envoys", "staff", "board", NULL};
        for (int i = 0; w[i]; i++)
                if (!strcmp(l, w[i]))
                        return 1;
        return 0;
}

/* A token where extend_names() may find a longer form of a one-word
 * name: it is followed by a particle (not punctuation) and two tokens
 * remain in its sentence. */
typedef struct ext_cand_s {
        const char *norm;
        uint32_t s, t;
} ext_cand_t;

static int ext_cand_cmp(const void *a, const void *b) {
        const ext_cand_t *x = a, *y = b;
        int c = strcmp(x->norm, y->norm);
        if (c)
                return c;
        if (x->s != y->s)
                return x->s < y->s ? -1 : 1;
        return x->t < y->t ? -1 : x->t > y->t;
}

/** @returns the first candidate of \p c (sorted by ext_cand_cmp) whose
 *  token is \p name and that comes after sentence \p s, token \p t in
 *  text order (all of them when \p s is SIZE_MAX), or \p n. */
static size_t ext_cand_lb(const ext_cand_t *c, size_t n, const char *name,
                          size_t s, size_t t) {
        size_t lo = 0, hi = n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int d = strcmp(c[mid].norm, name);
                if (!d && s != SIZE_MAX)
                        d = c[mid].s != s ? (c[mid].s < s ? -1 : 1)
                                          : (c[mid].t <= t ? -1 : 1);
                if (d < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

/** Writes a leader known by one name ("King Salman", "Lula") in the
 *  longest form the article gives it with a particle ("Salman bin
 *  Abdulaziz", "Lula da Silva"): the canonical name of the person.
 *  The tokens followed by a particle are listed once, sorted by text,
 *  so that each leader looks only at the mentions of its name, in text
 *  order (as a scan of every token for each leader would). */
static void extend_names(work_t *w) {
        int any = 0;
        for (size_t l = 0; l < w->nleaders && !any; l++)
                if (!w->leaders[l].office && !strchr(w->leaders[l].name, ' '))
                        any = 1;
        if (!any)
                return;
        size_t nc = 0, cap = 0;
        ext_cand_t *c = NULL;
        for (size_t s = 0; s < w->art->nsents; s++) {
                const ink_sentence_t *st = &w->art->sents[s];
                for (size_t t = w->skip[s]; t + 2 < st->tok_end; t++) {
                        if (!is_particle(w->tv.lower[t + 1]) ||
                            ispunct((unsigned char)w->tv.norm[t + 1][0]))
                                continue;
                        if (nc == cap) {
                                size_t ncap = cap ? cap * 2 : 64;
                                c = ink_arena_grow(w->art->arena, c, nc, ncap,
                                                   sizeof(*c));
                                cap = ncap;
                        }
                        c[nc++] = (ext_cand_t){w->tv.norm[t], (uint32_t)s,
                                               (uint32_t)t};
                }
        }
        if (!nc)
                return;
        qsort(c, nc, sizeof(*c), ext_cand_cmp);
        for (size_t l = 0; l < w->nleaders; l++) {
                leader_t *L = &w->leaders[l];
                if (L->office || strchr(L->name, ' '))
                        continue;
                for (size_t i = ext_cand_lb(c, nc, L->name, SIZE_MAX, 0);
                     i < nc && !strcmp(c[i].norm, L->name); i++) {
                        size_t s = c[i].s, t = c[i].t;
                        size_t e = name_run(w, s, t);
                        if (e < t + 3)
                                continue;
                        const char *full = tok_text(w, t, e);
                        if (strlen(full) > strlen(L->name)) {
                                L->name = full;
                                /* go on with the mentions of the new
                                 * name after this one */
                                i = ext_cand_lb(c, nc, L->name, s, t);
                                i--; /* wraps when 0; i++ restores */
                        }
                }
        }
}

/** Records as leaders of unknown rank the people named in full (two to
 *  five name words, no title) as the object of an encounter in sentence
 *  \p s: "to meet Abdelmadjid Tebboune", "in a telephone conversation
 *  with Faisal Bin Farhan", when the entity stage has missed them. */
static void find_objects(work_t *w, size_t s, size_t *capp) {
        static const char *const verbs[] = {
                "meet", "meets", "meeting", "with", "host", "hosts",
                "receive", "receives", "invited", "invite", "invites",
                "visit", "call", "counterpart", NULL};
        const ink_sentence_t *st = &w->art->sents[s];
        int trig = 0;
        for (size_t q = w->sent_hit[s]; q < w->sent_hit[s + 1]; q++)
                if (BIT(w->hits[q].cat) & TRIGGERS)
                        trig = 1;
        if (!trig)
                return;
        for (size_t t = w->skip[s]; t + 2 < st->tok_end; t++) {
                int v = 0;
                for (int i = 0; verbs[i]; i++)
                        if (!strcmp(w->tv.lower[t], verbs[i]))
                                v = 1;
                size_t nb = t + 1;
                /* the subject that opens the sentence, set off by a
                 * comma: "A, in a call with B, said" */
                if (t == w->skip[s] && capital(w->tv.norm[t]) &&
                    !hit_at(w, s, (uint32_t)t, -1, 0) &&
                    !hit_at(w, s, (uint32_t)t, CAT_TITLE, 0) &&
                    !honorific(w->tv.lower[t])) {
                        v = 1;
                        nb = t;
                }
                if (!v || !capital(w->tv.norm[nb]) ||
                    hit_at(w, s, (uint32_t)nb, CAT_TITLE, 0) ||
                    honorific(w->tv.lower[nb]))
                        continue;
                size_t e = name_run(w, s, nb);
                if (e < nb + 2 || e > nb + 5 ||
                    (nb == t && (e >= st->tok_end ||
                                 strcmp(w->tv.lower[e], ","))))
                        continue;
                int known = 0;
                for (size_t l = 0; l < w->nleaders; l++)
                        if (leader_at(w, &w->leaders[l], nb))
                                known = 1;
                if (known)
                        continue;
                /* "meet Prime Minister X" is a titled leader already;
                 * "with European Union leaders" is no name */
                if (e < st->tok_end && (!strcmp(w->tv.lower[e], "'s") ||
                                        group_noun(w->tv.lower[e])))
                        continue;
                if (leader_find(w, tok_text(w, nb, e)) < 0)
                        leader_add(w, nb, e, -1, RANK_UNTITLED, capp);
        }
}

/** @returns true if leader \p L is mentioned at token \p t. */
static int leader_at(const work_t *w, const leader_t *L, size_t t) {
        for (int k = 0; k < L->nkeys; k++)
                if (!strcmp(w->tv.norm[t], L->keys[k]))
                        return 1;
        return 0;
}

/** Adds a side to \p si unless the same leader or geo is there. */
static void side_add(sinfo_t *si, int leader, int geo, uint32_t tok,
                     int venue_only) {
        for (int i = 0; i < si->nsides; i++) {
                side_t *o = &si->sides[i];
                if ((leader >= 0 && o->leader == leader) ||
                    (leader < 0 && o->leader < 0 && o->geo == geo)) {
                        if (!venue_only)
                                o->venue_only = 0;
                        return;
                }
        }
        if (si->nsides < MAX_SIDES)
                si->sides[si->nsides++] = (side_t){leader, geo, tok,
                                                   venue_only, 0, 0};
}

/** @returns true if the token before \p t is a place preposition. */
static int place_prep(const work_t *w, size_t s, uint32_t t) {
        if (t <= w->art->sents[s].tok_begin)
                return 0;
        const char *p = w->tv.lower[t - 1];
        return !strcmp(p, "in") || !strcmp(p, "at") || !strcmp(p, "near") ||
               !strcmp(p, "from");
}

/** Collects the sides of sentence \p s: leaders named or mentioned,
 *  countries and bodies (merged into a leader of the same country). */
static void collect_sides(work_t *w, size_t s, sinfo_t *si) {
        const ink_sentence_t *st = &w->art->sents[s];
        /* a mention names the first-found leader it fits ("Kenyatta") */
        for (uint32_t t = w->skip[s]; t < st->tok_end; t++)
                for (size_t l = 0; l < w->nleaders; l++)
                        if (w->leaders[l].rank > 0 &&
                            leader_at(w, &w->leaders[l], t)) {
                                side_add(si, (int)l, w->leaders[l].geo, t, 0);
                                break;
                        }
        for (size_t k = w->sent_hit[s]; k < w->sent_hit[s + 1]; k++) {
                const hit_t *h = &w->hits[k];
                if (h->cat != CAT_COUNTRY && h->cat != CAT_BODY)
                        continue;
                int merged = 0;
                for (int i = 0; i < si->nsides; i++)
                        if (si->sides[i].leader >= 0 &&
                            si->sides[i].geo == h->canon)
                                merged = 1;
                if (merged)
                        continue;
                /* "a tour of Arab countries including Egypt": a stop of
                 * a later trip, not a party */
                int listed = h->b > st->tok_begin &&
                             (!strcmp(w->tv.lower[h->b - 1], "including") ||
                              (h->b > st->tok_begin + 1 &&
                               !strcmp(w->tv.lower[h->b - 1], "as") &&
                               !strcmp(w->tv.lower[h->b - 2], "such")));
                side_add(si, -1, h->canon, h->b,
                         listed || place_prep(w, s, h->b));
                /* "Indian Foreign Minister": the side's office rank */
                uint32_t te = h->e;
                if (te < st->tok_end && !strcmp(w->tv.lower[te], "'s"))
                        te++;
                const hit_t *tt = hit_at(w, s, te, CAT_TITLE, 0);
                for (int i = 0; tt && i < si->nsides; i++)
                        if (si->sides[i].leader < 0 &&
                            si->sides[i].geo == h->canon &&
                            !si->sides[i].orank)
                                si->sides[i].orank = tt->rank;
        }
        /* distinct keys among the parties */
        int keys[MAX_SIDES], nk = 0;
        for (int i = 0; i < si->nsides; i++) {
                const side_t *sd = &si->sides[i];
                if (sd->venue_only)
                        continue;
                int key = sd->geo >= 0 ? sd->geo : 100000 + sd->leader;
                int dup = 0;
                for (int j = 0; j < nk; j++)
                        if (keys[j] == key)
                                dup = 1;
                if (!dup)
                        keys[nk++] = key;
        }
        si->nkeys = nk;
}

/** @returns true if a hit of \p cat occurs in sentence \p s within
 *  [\p from, \p to) tokens. */
static int cue_in(const work_t *w, size_t s, int cat, long from, long to) {
        for (size_t k = hit_lb(w, s, from);
             k < w->sent_hit[s + 1] && (long)w->hits[k].b < to; k++)
                if (w->hits[k].cat == cat && (long)w->hits[k].b >= from &&
                    (long)w->hits[k].b < to)
                        return 1;
        return 0;
}

/** @returns true if the status-change hit \p h is negated ("has not been
 *  postponed"). */
static int negated(const work_t *w, size_t s, const hit_t *h) {
        return cue_in(w, s, CAT_NEG, (long)h->b - 3, h->b);
}

/** @returns true if token \p t lies in a relative time expression of
 *  \p si ("after a call on Thursday was postponed"): what it says is
 *  about another event. */
static int in_rel_time(const sinfo_t *si, uint32_t t) {
        for (size_t i = 0; i < si->ntimes; i++)
                if (si->times[i].rel && t >= si->times[i].b &&
                    t < si->times[i].e)
                        return 1;
        return 0;
}

/** @returns true if time expression \p tm dates the report rather than
 *  the encounter ("said on Tuesday", "on Thursday called for"). */
static int report_time(const work_t *w, size_t s, const summit_time_t *tm) {
        static const char *const say[] = {
                "said", "says", "told", "announced", "stated", "reported",
                "added", "confirmed", "revealed", "disclosed", "noted",
                "declared", "explained", NULL};
        static const char *const fut_ed[] = {
                "scheduled", "planned", "expected", "slated", "set", NULL};
        static const char *const between[] = {
                "on", "late", "early", "in", "a", "an", "its", "their",
                "statement", "interview", "briefing", NULL};
        const ink_sentence_t *st = &w->art->sents[s];
        long p = (long)tm->b - 1;
        /* "said on Tuesday", "said in a statement late Tuesday" */
        for (int k = 0; k < 5 && p >= (long)st->tok_begin; k++) {
                int skip = 0;
                for (int i = 0; between[i]; i++)
                        if (!strcmp(w->tv.lower[p], between[i]))
                                skip = 1;
                if (!skip)
                        break;
                p--;
        }
        if (p >= (long)st->tok_begin)
                for (int i = 0; say[i]; i++)
                        if (!strcmp(w->tv.lower[p], say[i]))
                                return 1;
        if (tm->e < st->tok_end) {
                const char *n = w->tv.lower[tm->e];
                size_t len = strlen(n);
                if (len > 3 && !strcmp(n + len - 2, "ed")) {
                        for (int i = 0; fut_ed[i]; i++)
                                if (!strcmp(n, fut_ed[i]))
                                        return 0;
                        return 1;
                }
                for (int i = 0; say[i]; i++)
                        if (!strcmp(n, say[i]))
                                return 1;
        }
        return 0;
}

/** Fills the cue bits, triggers, mode, times and status of sentence \p s. */
static void analyse(work_t *w, size_t s, sinfo_t *si) {
        const ink_sentence_t *st = &w->art->sents[s];
        int body_geo = 0;
        si->first_trig = -1;
        si->mode = -1;
        si->ntimes = summit_time_find(&w->tv, w->skip[s], st->tok_end,
                                      si->times, MAX_TIMES);
        size_t nt = 0;
        for (size_t i = 0; i < si->ntimes; i++) {
                if (report_time(w, s, &si->times[i]))
                        continue;
                si->times[nt++] = si->times[i];
        }
        si->ntimes = nt;
        for (size_t i = 0; i < si->ntimes; i++) {
                const char *t0 = w->tv.lower[si->times[i].b];
                if (si->times[i].kind > si->best_time)
                        si->best_time = si->times[i].kind;
                if (!strcmp(t0, "next") || !strcmp(t0, "coming") ||
                    !strcmp(t0, "later") || !strcmp(t0, "tomorrow") ||
                    !strcmp(t0, "in") || !strcmp(t0, "within"))
                        si->cats |= BIT(CAT_FUT);
        }
        /* a year before the publication year (or, when that is unknown,
         * a decade before the time of reading): a past encounter */
        for (uint32_t t = w->skip[s]; t < st->tok_end; t++) {
                const char *l = w->tv.lower[t];
                if (strlen(l) == 4 && isdigit((unsigned char)l[0]) &&
                    atoi(l) > 1900 && atoi(l) < w->ref_year)
                        si->cats |= BIT(CAT_PAST);
        }

        for (size_t k = w->sent_hit[s]; k < w->sent_hit[s + 1]; k++) {
                const hit_t *h = &w->hits[k];
                if (h->cat >= CAT_COUNTRY) {
                        if (h->cat == CAT_BODY)
                                body_geo = 1;
                        if (h->cat == CAT_TITLE && h->rank == 0)
                                si->cats |= BIT(CAT_DOMESTIC);
                        continue;
                }
                if ((h->cat == CAT_POSTP || h->cat == CAT_CANC) &&
                    negated(w, s, h))
                        continue;
                /* "will be held": not a past event */
                if (h->cat == CAT_PAST && h->b > st->tok_begin + 1 &&
                    !strcmp(w->tv.lower[h->b - 1], "be") &&
                    (!strcmp(w->tv.lower[h->b - 2], "will") ||
                     !strcmp(w->tv.lower[h->b - 2], "shall")))
                        continue;
                if (in_rel_time(si, h->b))
                        continue;
                si->cats |= BIT(h->cat);
        }
        /* "met on Monday and agreed to meet again in April": with a past
         * cue, only times after the first forward-looking cue count */
        if (si->cats & BIT(CAT_PAST)) {
                long first_fut = -1;
                for (size_t k = w->sent_hit[s]; k < w->sent_hit[s + 1]; k++) {
                        const hit_t *h = &w->hits[k];
                        if ((BIT(h->cat) & (BIT(CAT_FUT) | STRONG)) &&
                            (first_fut < 0 || (long)h->b < first_fut))
                                first_fut = (long)h->b;
                }
                size_t keep = 0;
                si->best_time = 0;
                for (size_t i = 0; i < si->ntimes; i++) {
                        if (first_fut >= 0 && (long)si->times[i].e <= first_fut)
                                continue;
                        si->times[keep++] = si->times[i];
                        if (si->times[i].kind > si->best_time)
                                si->best_time = si->times[i].kind;
                }
                si->ntimes = keep;
        }
        /* usable triggers, in text order */
        int has_visit = 0, has_summit = 0, has_host = 0, first_cm = -1;
        for (size_t k = w->sent_hit[s]; k < w->sent_hit[s + 1]; k++) {
                const hit_t *h = &w->hits[k];
                if (!(BIT(h->cat) & TRIGGERS) || in_rel_time(si, h->b))
                        continue;
                /* "to host a virtual summit": the hosted event decides */
                if (h->cat == CAT_HOST && si->first_trig >= 0)
                        continue;
                if (h->cat == CAT_SUMMIT || h->cat == CAT_MEET) {
                        if (cue_in(w, s, CAT_PLACE, (long)h->b - 2, h->e))
                                continue;
                        if (w->art_mount || w->art_sport >= 3 ||
                            w->title_biz)
                                continue;
                        if (cue_in(w, s, CAT_BIZ, (long)h->b - 4,
                                   (long)h->e + 3))
                                continue;
                }
                if (h->cat == CAT_CALL && !strcmp(w->tv.lower[h->b], "call") &&
                    h->e - h->b == 1)
                        continue;
                /* "they spoke by phone on Monday": a past call, no
                 * trigger */
                if (h->cat == CAT_CALL && h->b > st->tok_begin + 1 &&
                    !strcmp(w->tv.lower[h->b - 1], "by") &&
                    (!strcmp(w->tv.lower[h->b - 2], "spoke") ||
                     !strcmp(w->tv.lower[h->b - 2], "talked")))
                        continue;
                if (si->first_trig < 0 || (long)h->b < si->first_trig)
                        si->first_trig = (int)h->b;
                /* "to host a virtual summit": the hosted event, when
                 * named, decides the mode */
                if (h->cat == CAT_HOST) {
                        has_host = 1;
                        continue;
                }
                /* "will be held by videoconference", "talk by phone" */
                if (h->cat == CAT_CALL && h->b > st->tok_begin &&
                    (!strcmp(w->tv.lower[h->b - 1], "by") ||
                     !strcmp(w->tv.lower[h->b - 1], "via") ||
                     !strcmp(w->tv.lower[h->b - 1], "over")))
                        si->by_call = 1;
                else if (h->cat != CAT_CALL)
                        si->by_call = 0; /* "met by video, will meet" */
                int m = INK_MODE_MEETING;
                if (h->cat == CAT_CALL ||
                    ((h->cat == CAT_SUMMIT || h->cat == CAT_MEET) &&
                     cue_in(w, s, CAT_VIRTUAL, (long)h->b - 2, h->b)))
                        m = INK_MODE_CALL;
                if (h->cat == CAT_VISIT)
                        has_visit = 1;
                if (h->cat == CAT_SUMMIT)
                        has_summit = 1;
                if (m == INK_MODE_CALL ||
                    (h->cat != CAT_VISIT && first_cm < 0)) {
                        if (first_cm < 0 || m == INK_MODE_CALL) {
                                if (first_cm < 0 || (long)h->b < first_cm) {
                                        first_cm = (int)h->b;
                                        si->mode = m;
                                }
                        }
                }
        }
        if (si->first_trig >= 0) {
                if (has_visit && !(has_summit && body_geo) &&
                    si->mode != INK_MODE_CALL)
                        si->mode = INK_MODE_VISIT;
                else if (has_visit && si->mode == INK_MODE_CALL) {
                        /* the earlier of call and visit decides */
                        for (size_t k = w->sent_hit[s];
                             k < w->sent_hit[s + 1]; k++)
                                if (w->hits[k].cat == CAT_VISIT &&
                                    (long)w->hits[k].b < first_cm) {
                                        si->mode = INK_MODE_VISIT;
                                        break;
                                }
                } else if (si->mode < 0) {
                        si->mode = has_host && !has_visit ? INK_MODE_MEETING
                                                          : INK_MODE_VISIT;
                }
                if (si->by_call)
                        si->mode = INK_MODE_CALL;
        }
        unsigned c = si->cats;
        if (c & BIT(CAT_CANC))
                si->status = INK_STATUS_CANCELLED;
        else if (c & BIT(CAT_POSTP))
                si->status = INK_STATUS_POSTPONED;
        else if ((c & BIT(CAT_NONE)) && si->best_time == SUMMIT_T_EXACT)
                si->status = INK_STATUS_CANCELLED;
        else if ((c & BIT(CAT_PROP)) && !(c & BIT(CAT_AGREE)) &&
                 si->best_time < SUMMIT_T_NEAR)
                si->status = INK_STATUS_PROPOSED;
        else if ((c & BIT(CAT_PROP)) && !(c & BIT(CAT_AGREE)))
                /* a date one side offers ("invited for a visit from
                 * 16 September", "proposed 23-24 August as dates") is
                 * no agreed date yet, whoever reports the offer: a
                 * statement or a spokesman confirms the offer, not the
                 * encounter */
                si->status = INK_STATUS_PLANNED;
        else if (si->best_time == SUMMIT_T_EXACT)
                si->status = (c & BIT(CAT_REPORT)) ? INK_STATUS_SCHEDULED
                                                   : INK_STATUS_CONFIRMED;
        else if (si->best_time == SUMMIT_T_NEAR)
                si->status = INK_STATUS_SCHEDULED;
        else
                si->status = INK_STATUS_PLANNED;
}

/** Decides whether sentence \p s speaks of a forward-looking encounter
 *  (si->related) and whether its sides make it a candidate main
 *  encounter (si->candidate), and scores it. */
static void judge(work_t *w, size_t s, sinfo_t *si) {
        const ink_sentence_t *st = &w->art->sents[s];
        unsigned c = si->cats;
        int fut = (c & (BIT(CAT_FUT) | STRONG)) != 0;
        int weak_only = !(c & (BIT(CAT_FUT) | STRONG)) &&
                        (c & BIT(CAT_FUTW));
        if (si->first_trig < 0)
                return;
        if (!fut && !weak_only)
                return;
        if ((c & BIT(CAT_NONE)) && si->best_time != SUMMIT_T_EXACT)
                return;
        if ((c & BIT(CAT_MOUNT)) || (c & BIT(CAT_SPORT)) ||
            (c & BIT(CAT_PLACE)))
                return;
        if ((c & BIT(CAT_SPEC)) && !(c & STRONG) &&
            si->best_time < SUMMIT_T_NEAR)
                return;
        if ((c & BIT(CAT_PAST)) &&
            !(c & (STRONG & ~BIT(CAT_SCHED))) &&
            !((c & BIT(CAT_FUT)) && si->best_time >= SUMMIT_T_NEAR))
                return;
        if (weak_only && si->best_time < SUMMIT_T_NEAR)
                return;
        si->related = 1;

        int has_body = 0, known = 0;
        for (int i = 0; i < si->nsides; i++) {
                const side_t *sd = &si->sides[i];
                if (sd->venue_only)
                        continue;
                if (sd->geo >= 0 && w->ctx->name_is_body[sd->geo])
                        has_body = 1;
                if (sd->geo >= 0)
                        known++;
        }
        int ok = si->nkeys >= 2 ||
                 (has_body && (c & (BIT(CAT_SUMMIT) | BIT(CAT_MEET) |
                                    BIT(CAT_CALL))));
        if ((c & BIT(CAT_DOMESTIC)) && !has_body && known < 2)
                ok = 0;
        if (!ok)
                return;
        si->candidate = 1;

        double sc;
        if (st->field == INK_FIELD_TITLE)
                sc = 3.0;
        else {
                size_t k = 0; /* body sentence number (only up to 8
                               * counts: stop there) */
                for (size_t i = 0; i < s && k < 8; i++)
                        if (w->art->sents[i].field != INK_FIELD_TITLE)
                                k++;
                sc = 2.6 - 0.3 * (double)(k < 8 ? k : 8);
        }
        sc += 0.4 * (si->nkeys < 4 ? si->nkeys : 4);
        if (c & STRONG)
                sc += 0.8;
        if (c & BIT(CAT_PAST))
                sc -= 1.2;
        if (si->best_time)
                sc += 0.3;
        si->score = sc;
}

/** @returns true if the related sentence \p o may describe the same
 *  encounter as the main one \p m: it names no leader outside it, and
 *  when it names two or more of them it names all the people of \p m
 *  ("A will meet B; C, the mediator, meets B next month": the second
 *  is another encounter, a different pairing). */
static int same_encounter(const sinfo_t *m, const sinfo_t *o) {
        int named = 0;
        for (int i = 0; i < o->nsides; i++) {
                const side_t *sd = &o->sides[i];
                int found = 0;
                if (sd->leader < 0)
                        continue;
                for (int j = 0; j < m->nsides; j++)
                        if (m->sides[j].leader == sd->leader ||
                            (m->sides[j].leader < 0 && sd->geo >= 0 &&
                             m->sides[j].geo == sd->geo))
                                found = 1;
                if (!found)
                        return 0;
                named++;
        }
        if (named < 2)
                return 1;
        for (int j = 0; j < m->nsides; j++) {
                int l = m->sides[j].leader, found = 0;
                if (l < 0)
                        continue;
                for (int i = 0; i < o->nsides; i++)
                        if (o->sides[i].leader == l)
                                found = 1;
                if (!found)
                        return 0;
        }
        return 1;
}

/** @returns the arena copy of the text of tokens [\p b, \p e). */
static const char *tok_text(const work_t *w, size_t b, size_t e) {
        const ink_token_t *tb = &w->art->toks[b], *te = &w->art->toks[e - 1];
        size_t flen;
        const char *f = ink_article_field(w->art, tb->field, &flen);
        return ink_arena_strndup(w->art->arena, f + tb->b, te->e - tb->b);
}

typedef struct strlist_s {
        const char *v[16];
        size_t n;
} strlist_t;

/** Appends \p s to \p l unless present (case-insensitive). */
static void strlist_add(strlist_t *l, const char *s) {
        for (size_t i = 0; i < l->n; i++)
                if (!strcasecmp(l->v[i], s))
                        return;
        if (l->n < 16)
                l->v[l->n++] = s;
}

/* The venues of an alert: names as output, with the ISO code of the
 * country each lies in ("" when unknown) and whether it is a city. */
typedef struct vlist_s {
        const char *v[16];
        char cc[16][3];
        int city[16];
        size_t n;
} vlist_t;

/** Appends venue \p name (borrowed, arena) of country \p cc (may be
 *  NULL) to \p l unless present (case-insensitive). */
static void vlist_add(vlist_t *l, const char *name, const char *cc,
                      int city) {
        for (size_t i = 0; i < l->n; i++)
                if (!strcasecmp(l->v[i], name))
                        return;
        if (l->n == 16)
                return;
        l->v[l->n] = name;
        snprintf(l->cc[l->n], sizeof(l->cc[0]), "%s", cc ? cc : "");
        l->city[l->n++] = city;
}

/* A place found at a token: its end, its name as an alert gives it
 * (arena), its country code and whether it is a city. */
typedef struct place_s {
        uint32_t e;
        const char *name;
        char cc[3];
        int city;
} place_t;

/** @returns true if token \p t of sentence \p s starts a place: a country
 *  or capital of the lexicon, a named seat of power ("the Kremlin",
 *  "Camp David"), or a LOC entity the entity stage linked to a city or
 *  country (a fragment such as "Eastern" in "Eastern DRC" is none); a
 *  demonym is no place.  Fills \p pl. */
static int place_at(const work_t *w, size_t s, uint32_t t, place_t *pl) {
        const hit_t *h = hit_at(w, s, t, CAT_COUNTRY, 0);
        memset(pl, 0, sizeof(*pl));
        if (h) {
                const char *nm = w->ctx->names[h->canon];
                pl->e = h->e;
                pl->name = tok_text(w, t, h->e);
                memcpy(pl->cc, w->ctx->alpha2[h->canon], 3);
                pl->city = strcasecmp(pl->name, nm) != 0 &&
                           ink_gaz_city(pl->name, strlen(pl->name)) != NULL;
                return h->rank == 0;
        }
        h = hit_at(w, s, t, CAT_VENUE, 0);
        if (h && capital(w->tv.norm[t])) {
                pl->e = h->e;
                pl->name = tok_text(w, t, h->e);
                pl->city = 1;
                return 1;
        }
        for (size_t i = w->ent_toff[t]; i < w->ent_toff[t + 1]; i++) {
                const ink_entity_t *en = &w->art->ents[w->ent_tidx[i]];
                if (en->type != INK_ENT_LOC || en->tok_begin != t)
                        continue;
                if (!en->kb_id || !en->canonical)
                        return 0;
                pl->e = en->tok_end;
                pl->name = en->canonical;
                if (!strncmp(en->kb_id, "geonames:", 9)) {
                        const ink_city_t *c = ink_gaz_city(
                                en->canonical, strlen(en->canonical));
                        if (c)
                                memcpy(pl->cc, c->alpha2, 3);
                        pl->city = 1;
                } else {
                        const ink_country_t *c = ink_gaz_country(
                                en->canonical, strlen(en->canonical), NULL);
                        if (c)
                                memcpy(pl->cc, c->alpha2, 3);
                }
                return 1;
        }
        return 0;
}

/** @returns true if the token before \p t (in sentence \p s) is \p word. */
static int prev_is(const work_t *w, size_t s, uint32_t t, const char *word) {
        return t > w->art->sents[s].tok_begin &&
               !strcmp(w->tv.lower[t - 1], word);
}

/** @returns true if \p l (venue list) has a country of code \p cc but no
 *  city of it: a city of that country may refine the venue. */
static int refines(const vlist_t *l, const char *cc) {
        int country = 0;
        if (!cc[0])
                return 0;
        for (size_t i = 0; i < l->n; i++)
                if (!strcmp(l->cc[i], cc)) {
                        if (l->city[i])
                                return 0;
                        country = 1;
                }
        return country;
}

/** Adds the venues of sentence \p s: places after "in"/"at", after a
 *  visit trigger ("visit India", "trip to Jamaica"), after "capital"
 *  ("the Saudi capital Riyadh", "the capital of Angola, Luanda"), the
 *  capital of "in the Finnish capital", and places offering to host
 *  (before "host" in a sentence with an offer).  \p host_only keeps only
 *  the last kind (for calls, and for sentences after the venue is
 *  known), and a city "in"/"at" that refines a country already listed. */
static void venues_of(const work_t *w, size_t s, const sinfo_t *si,
                      vlist_t *out, int host_only) {
        const ink_sentence_t *st = &w->art->sents[s];
        int host_at = -1;
        long first_visit = -1; /* start of the first visit cue */
        for (size_t k = w->sent_hit[s]; k < w->sent_hit[s + 1]; k++) {
                if (w->hits[k].cat == CAT_HOST && host_at < 0)
                        host_at = (int)w->hits[k].b;
                if (w->hits[k].cat == CAT_VISIT && first_visit < 0)
                        first_visit = (long)w->hits[k].b;
        }
        int offer = host_at >= 0 && (si->cats & (BIT(CAT_PROP) |
                                                 BIT(CAT_FUT) |
                                                 BIT(CAT_AGREE)));
        for (uint32_t t = st->tok_begin; t < st->tok_end; t++) {
                place_t pl;
                int in_time = 0;
                for (size_t i = 0; i < si->ntimes; i++)
                        if (t >= si->times[i].b && t < si->times[i].e)
                                in_time = 1;
                if (in_time || t < w->skip[s])
                        continue;
                if (!place_at(w, s, t, &pl)) {
                        /* "in the Finnish capital": the country's capital */
                        const hit_t *d = hit_at(w, s, t, CAT_COUNTRY, 0);
                        uint32_t c = d ? d->e : t;
                        if (d && d->rank && !host_only &&
                            si->first_trig >= 0 && c + 1 < st->tok_end &&
                            !strcmp(w->tv.lower[c], "capital") &&
                            !place_at(w, s, c + 1, &pl) &&
                            w->ctx->capital[d->canon] &&
                            prev_is(w, s, t, "the")) {
                                vlist_add(out,
                                          ink_arena_strdup(
                                                  w->art->arena,
                                                  w->ctx->capital[d->canon]),
                                          w->ctx->alpha2[d->canon], 1);
                                t = c;
                        }
                        continue;
                }
                /* a demonym before a title is not a place */
                if (hit_at(w, s, pl.e, CAT_TITLE, 0))
                        continue;
                /* "at the Kremlin", "in the Netherlands" */
                uint32_t tp = t;
                if (prev_is(w, s, t, "the"))
                        tp = t - 1;
                int ok = 0, at = prev_is(w, s, tp, "in") ||
                                 prev_is(w, s, tp, "at");
                if (offer && (long)t < host_at)
                        ok = 1;
                else if (host_only)
                        ok = at && si->first_trig >= 0 && pl.city &&
                             refines(out, pl.cc);
                else if (t > st->tok_begin) {
                        const char *p = w->tv.lower[t - 1];
                        if (at)
                                ok = (si->first_trig >= 0);
                        else if (!strcmp(p, "to") || !strcmp(p, "visit") ||
                                 !strcmp(p, "visits") ||
                                 !strcmp(p, "visiting"))
                                /* cue_in(w, s, CAT_VISIT, st->tok_begin,
                                 * t) without a scan per place */
                                ok = first_visit >= 0 &&
                                     first_visit < (long)t;
                        else if (!strcmp(p, "capital") ||
                                 (!strcmp(p, "of") && t >= 2 &&
                                  !strcmp(w->tv.lower[t - 2], "capital")))
                                ok = (si->first_trig >= 0);
                        else if (!strcmp(p, ",") && out->n)
                                ok = 1;
                        else if (!strcmp(p, "by") && t >= 2 &&
                                 !strcmp(w->tv.lower[t - 2], "hosted"))
                                ok = 1;
                }
                if (ok)
                        vlist_add(out, pl.name, pl.cc, pl.city);
                t = pl.e - 1;
        }
}

static int str_cmp(const void *a, const void *b) {
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/** @returns true if the visit of main sentence \p ms goes to a country
 *  that is no participant's ("meet Maduro during his visit to
 *  Argentina"): that is a meeting at a third place, not a visit. */
static int visit_to_third_place(const work_t *w, size_t ms, const sinfo_t *m) {
        const ink_sentence_t *st = &w->art->sents[ms];
        int target = -1;
        long first_visit = -1; /* start of the first visit cue */
        for (size_t k = w->sent_hit[ms]; k < w->sent_hit[ms + 1]; k++)
                if (w->hits[k].cat == CAT_VISIT) {
                        first_visit = (long)w->hits[k].b;
                        break;
                }
        for (size_t k = w->sent_hit[ms]; k < w->sent_hit[ms + 1]; k++) {
                const hit_t *h = &w->hits[k];
                if (h->cat != CAT_COUNTRY || h->rank || h->b <= st->tok_begin)
                        continue;
                const char *p = w->tv.lower[h->b - 1];
                if ((!strcmp(p, "to") || !strcmp(p, "visit") ||
                     !strcmp(p, "visiting") || !strcmp(p, "visits")) &&
                    first_visit >= 0 && first_visit < (long)h->b) {
                        target = h->canon;
                        break;
                }
        }
        if (target < 0)
                return 0;
        /* two or more named people, none of whom is from the place */
        int people = 0;
        for (int i = 0; i < m->nsides; i++) {
                const side_t *sd = &m->sides[i];
                if (sd->leader < 0)
                        continue;
                if (sd->geo < 0 || sd->geo == target)
                        return 0;
                people++;
        }
        return people >= 2;
}

/** @returns true if leader \p l is already a side in \p sides. */
static int leader_in(const side_t *sides, int ns, size_t l) {
        for (int i = 0; i < ns; i++)
                if (sides[i].leader == (int)l)
                        return 1;
        return 0;
}

/** Chooses the person who stands for country side \p sd of the main
 *  encounter: a named leader of that country (of the office rank written
 *  next to the country, "Indian Foreign Minister", when there is one),
 *  else (\p strict false) the first titled person of unknown country
 *  (of that office rank, when known; else named next to the country) who
 *  is named in a sentence about an encounter and is no side yet ("talks
 *  with Prime Minister X in Kingston" in a visit to Jamaica), else an office without a name ("German President";
 *  before the unknown-country person when no office rank is known).
 *  @returns the leader index or -1. */
static int side_leader(const work_t *w, const side_t *sd,
                       const side_t *sides, int ns, int strict) {
        int best = -1, office = -1;
        for (size_t l = 0; l < w->nleaders; l++) {
                const leader_t *L = &w->leaders[l];
                if (L->geo != sd->geo || L->rank <= 0 ||
                    L->rank >= RANK_UNTITLED)
                        continue;
                if (L->office) {
                        if (office < 0)
                                office = (int)l;
                        continue;
                }
                if (best < 0)
                        best = (int)l;
                else if (sd->orank) {
                        if (L->rank == sd->orank &&
                            w->leaders[best].rank != sd->orank)
                                best = (int)l;
                } else if (L->rank < w->leaders[best].rank) {
                        best = (int)l;
                }
        }
        if (best >= 0)
                return best;
        if (office >= 0 && !sd->orank)
                return office;
        if (strict)
                return office;
        for (size_t s = 0; s < w->art->nsents; s++) {
                const sinfo_t *o = &w->si[s];
                if (!(o->cats & TRIGGERS) || (!o->related && !o->candidate))
                        continue;
                for (int i = 0; i < o->nsides; i++) {
                        int l = o->sides[i].leader;
                        if (l < 0 || w->leaders[l].geo >= 0 ||
                            w->leaders[l].office ||
                            w->leaders[l].rank >= RANK_UNTITLED ||
                            leader_in(sides, ns, (size_t)l))
                                continue;
                        if (sd->orank && w->leaders[l].rank != sd->orank)
                                continue;
                        /* the office rank written for the side, or the
                         * side's country in the same sentence, ties the
                         * person to the side */
                        int tied = sd->orank > 0;
                        for (size_t k = w->sent_hit[s];
                             !tied && k < w->sent_hit[s + 1]; k++)
                                if (w->hits[k].cat == CAT_COUNTRY &&
                                    w->hits[k].canon == sd->geo)
                                        tied = 1;
                        if (tied)
                                return l;
                }
        }
        return office;
}

/** @returns true if a forward-looking sentence \p s says the visitor
 *  will see the leader first mentioned at token \p tok ("She will talk
 *  with Prime Minister X over dinner"): "meet/talk/dinner with" just
 *  before the title ("travel with" is company, not a host), a future
 *  cue, no past cue, and no country other than \p geo named. */
static int meets_host(const work_t *w, size_t s, uint32_t tok, int geo) {
        const sinfo_t *o = &w->si[s];
        const ink_sentence_t *st = &w->art->sents[s];
        int with = 0;
        if (!(o->cats & BIT(CAT_FUT)) || (o->cats & BIT(CAT_PAST)))
                return 0;
        static const char *const verbs[] = {
                "meet", "meets", "talk", "talks", "meeting", "dinner",
                "lunch", "breakfast", "confer", "consult", NULL};
        for (uint32_t t = tok; t > st->tok_begin + 1 && t + 4 > tok; t--)
                if (!strcmp(w->tv.lower[t - 1], "with"))
                        for (int v = 0; verbs[v]; v++)
                                if (!strcmp(w->tv.lower[t - 2], verbs[v]))
                                        with = 1;
        for (size_t k = w->sent_hit[s]; with && k < w->sent_hit[s + 1]; k++)
                if (w->hits[k].cat == CAT_COUNTRY && w->hits[k].canon != geo)
                        return 0;
        return with;
}

/** Adds to \p parts the other leaders of the country of leader \p best
 *  (who stands for the side of country \p geo) with the same rank who are a side of a sentence about the encounter
 *  (a visit to Poland meets its president and its prime minister), and,
 *  for a visit (\p visit), the titled leaders of that country or of no
 *  known country whom a forward-looking sentence says the visitor will
 *  see (meets_host()). */
static void add_cohosts(const work_t *w, int best, int geo, int visit,
                        strlist_t *parts) {
        const leader_t *B = &w->leaders[best];
        if (B->office)
                return;
        for (size_t s = 0; visit && geo >= 0 && s < w->art->nsents; s++) {
                const sinfo_t *o = &w->si[s];
                for (int i = 0; i < o->nsides; i++) {
                        int l = o->sides[i].leader;
                        const leader_t *L = l >= 0 ? &w->leaders[l] : NULL;
                        if (!L || l == best || L->office || L->rank <= 0 ||
                            L->rank >= RANK_UNTITLED ||
                            (L->geo >= 0 && L->geo != geo))
                                continue;
                        if (meets_host(w, s, o->sides[i].tok, geo))
                                strlist_add(parts, L->name);
                }
        }
        for (size_t s = 0; B->geo >= 0 && s < w->art->nsents; s++) {
                const sinfo_t *o = &w->si[s];
                if (!o->related && !o->candidate)
                        continue;
                for (int i = 0; i < o->nsides; i++) {
                        int l = o->sides[i].leader;
                        if (l < 0 || l == best || w->leaders[l].office ||
                            w->leaders[l].geo != B->geo ||
                            w->leaders[l].rank != B->rank)
                                continue;
                        strlist_add(parts, w->leaders[l].name);
                }
        }
}

/** Adds to \p sides (\p ns of them, MAX_SIDES at most) the mediators of
 *  the main encounter named in its sentence \p ms, the sentence after
 *  it, the headline or the first three body sentences: "under Angolan
 *  mediation", "mediated
 *  by Qatar", "facilitated by the Angolan President", "Egypt as
 *  mediator".  @returns the new count. */
static int add_mediators(const work_t *w, size_t ms, side_t *sides, int ns) {
        for (size_t s = 0, body = 0; s < w->art->nsents; s++) {
                const ink_sentence_t *st = &w->art->sents[s];
                int lead = st->field == INK_FIELD_TITLE || body < 3;
                if (st->field != INK_FIELD_TITLE)
                        body++;
                if (s != ms && s != ms + 1 && !lead)
                        continue;
                for (size_t k = w->sent_hit[s]; k < w->sent_hit[s + 1]; k++) {
                        const hit_t *h = &w->hits[k];
                        if (h->cat != CAT_COUNTRY && h->cat != CAT_BODY)
                                continue;
                        const char *nx = h->e < st->tok_end
                                                 ? w->tv.lower[h->e] : "";
                        const char *p1 = h->b > st->tok_begin
                                                 ? w->tv.lower[h->b - 1] : "";
                        const char *p2 = h->b > st->tok_begin + 1
                                                 ? w->tv.lower[h->b - 2] : "";
                        int med = !strncmp(nx, "mediat", 6) ||
                                  !strncmp(nx, "-mediat", 7) ||
                                  ((!strcmp(p1, "by") || !strcmp(p1, "of")) &&
                                   (!strncmp(p2, "mediat", 6) ||
                                    !strncmp(p2, "facilitat", 9) ||
                                    !strcmp(p2, "brokered") ||
                                    !strcmp(p2, "convened")));
                        if (!med && !strcmp(nx, "as") &&
                            h->e + 1 < st->tok_end)
                                med = !strncmp(w->tv.lower[h->e + 1],
                                               "mediat", 6);
                        if (!med)
                                continue;
                        int dup = 0;
                        for (int i = 0; i < ns; i++)
                                if (sides[i].geo == h->canon) {
                                        sides[i].venue_only = 0;
                                        sides[i].mediator = 1;
                                        dup = 1;
                                }
                        if (!dup && ns < MAX_SIDES)
                                sides[ns++] = (side_t){-1, h->canon, h->b,
                                                       0, 0, 1};
                }
        }
        return ns;
}

/** @returns true if sentence \p s says that the encounter has no date
 *  yet: "no exact dates", "no date has been set", "the dates are yet to
 *  be fixed", "dates have not been finalised". */
static int undated(const work_t *w, size_t s) {
        const ink_sentence_t *st = &w->art->sents[s];
        for (uint32_t t = st->tok_begin; t < st->tok_end; t++) {
                const char *l = w->tv.lower[t];
                if (strcmp(l, "date") && strcmp(l, "dates"))
                        continue;
                for (uint32_t b = t > st->tok_begin + 2 ? t - 2
                                                        : st->tok_begin;
                     b < t; b++)
                        if (!strcmp(w->tv.lower[b], "no"))
                                return 1;
                for (uint32_t a = t + 1; a < st->tok_end && a < t + 5; a++) {
                        const char *x = w->tv.lower[a];
                        if (!strcmp(x, "not") || !strcmp(x, "yet") ||
                            !strcmp(x, "n't") || !strcmp(x, "undecided"))
                                return 1;
                }
        }
        return 0;
}

/** @returns the index of the canonical country name \p name, or -1. */
static int country_index(const work_t *w, const char *name) {
        for (size_t i = 0; i < w->ctx->nnames; i++)
                if (!w->ctx->name_is_body[i] &&
                    !strcmp(w->ctx->names[i], name))
                        return (int)i;
        return -1;
}

/** When the participants \p parts are all countries (sides with no
 *  person named), and one sentence about an encounter names as many
 *  people of unknown country as there are countries ("A, in a telephone
 *  conversation with B, ..." after "the foreign ministers of X and Y
 *  will meet"), puts those people in their place. */
static void fill_open_pair(const work_t *w, strlist_t *parts) {
        for (size_t i = 0; i < parts->n; i++)
                if (country_index(w, parts->v[i]) < 0)
                        return;
        for (size_t s = 0; s < w->art->nsents; s++) {
                const sinfo_t *o = &w->si[s];
                const char *found[MAX_SIDES];
                size_t n = 0;
                if (!(o->cats & TRIGGERS))
                        continue;
                for (int i = 0; i < o->nsides; i++) {
                        int l = o->sides[i].leader;
                        if (l < 0)
                                continue;
                        if (w->leaders[l].geo >= 0 || w->leaders[l].office) {
                                /* a person of known country: another
                                 * sentence */
                                n = MAX_SIDES;
                                break;
                        }
                        found[n++] = w->leaders[l].name;
                }
                if (n == parts->n) {
                        for (size_t i = 0; i < n; i++)
                                parts->v[i] = found[i];
                        return;
                }
        }
}

/** When exactly one participant of \p parts is a country (a side with no
 *  person named for it) and every other one is a person, puts in its
 *  place the titled person of unknown country, not yet a participant,
 *  whom a sentence about an encounter names: the highest office, then
 *  the first named ("invited by Prime Minister X" for the host of a
 *  visit).  A person whose title ties him to another country is never
 *  taken: his country is known; nor one named only where the article
 *  speaks of past encounters. */
static void fill_open_side(const work_t *w, strlist_t *parts) {
        int open = -1;
        for (size_t i = 0; i < parts->n; i++) {
                int persons = 0;
                for (size_t l = 0; l < w->nleaders; l++)
                        if (w->leaders[l].name == parts->v[i])
                                persons = 1;
                if (persons)
                        continue;
                if (country_index(w, parts->v[i]) < 0)
                        return;
                open = open == -1 ? (int)i : -2;
        }
        if (open == -2) {
                fill_open_pair(w, parts);
                return;
        }
        if (open < 0 || parts->n < 2)
                return;
        int best = -1;
        for (size_t s = 0; s < w->art->nsents; s++) {
                const sinfo_t *o = &w->si[s];
                if (!(o->cats & (TRIGGERS | BIT(CAT_PROP))) ||
                    (!o->related && !o->candidate))
                        continue;
                for (int i = 0; i < o->nsides; i++) {
                        int l = o->sides[i].leader;
                        const leader_t *L = l >= 0 ? &w->leaders[l] : NULL;
                        int dup = 0;
                        if (!L || L->geo >= 0 || L->office || L->rank <= 0 ||
                            L->rank >= RANK_UNTITLED)
                                continue;
                        for (size_t k = 0; k < parts->n; k++)
                                if (!strcasecmp(parts->v[k], L->name))
                                        dup = 1;
                        if (!dup && (best < 0 ||
                                     L->rank < w->leaders[best].rank))
                                best = l;
                }
        }
        if (best >= 0)
                parts->v[open] = w->leaders[best].name;
}

/** Builds and adds the alert of the main encounter \p m (sentence \p ms)
 *  using the related sentences. */
static void emit(work_t *w, size_t ms) {
        ink_article_t *art = w->art;
        sinfo_t *m = &w->si[ms];
        strlist_t parts = {{0}, 0};
        vlist_t venues;
        ink_status_t status = (ink_status_t)m->status;
        int firm = status <= INK_STATUS_CONFIRMED ? (int)status : -1;
        int change = status >= INK_STATUS_POSTPONED ? (int)status : -1;
        int no_date = 0;

        /* participants, in text order; countries only for sides without
         * a named person (none when two people are named) */
        side_t sides[MAX_SIDES];
        int ns = m->nsides, npeople = 0;
        memcpy(sides, m->sides, sizeof(side_t) * (size_t)ns);
        for (int i = 0; i < ns; i++) {
                for (int j = i + 1; j < ns; j++)
                        if (sides[j].tok < sides[i].tok) {
                                side_t x = sides[i];
                                sides[i] = sides[j];
                                sides[j] = x;
                        }
                if (m->sides[i].leader >= 0)
                        npeople++;
        }
        ns = add_mediators(w, ms, sides, ns);
        int body_summit = 0;
        for (int i = 0; i < ns; i++)
                if (!sides[i].venue_only && sides[i].leader < 0 &&
                    w->ctx->name_is_body[sides[i].geo] &&
                    (m->cats & BIT(CAT_SUMMIT)))
                        body_summit = 1;
        for (int i = 0; i < ns; i++) {
                const side_t *sd = &sides[i];
                if (sd->venue_only)
                        continue;
                if (sd->leader >= 0) {
                        strlist_add(&parts, w->leaders[sd->leader].name);
                        continue;
                }
                if (w->ctx->name_is_body[sd->geo]) {
                        /* two leaders' visit "to talk ASEAN": a topic */
                        if (m->mode == INK_MODE_VISIT && npeople >= 2 &&
                            !sd->mediator)
                                continue;
                        strlist_add(&parts,
                                    ink_arena_strdup(art->arena,
                                                     w->ctx->names[sd->geo]));
                        continue;
                }
                if (npeople >= 2 && !sd->mediator)
                        continue;
                /* a country side: its leader named elsewhere, else its
                 * office as written, else a titled person of unknown
                 * country named where an encounter is spoken of */
                int best = side_leader(w, sd, sides, ns, body_summit);
                if (best >= 0) {
                        strlist_add(&parts, w->leaders[best].name);
                        add_cohosts(w, best, sd->geo,
                                    m->mode == INK_MODE_VISIT, &parts);
                }
                else if (!body_summit)  /* copied: alert strings live in
                                         * the arena */
                        strlist_add(&parts,
                                    ink_arena_strdup(art->arena,
                                                     w->ctx->names[sd->geo]));
        }

        fill_open_side(w, &parts);

        int mode = m->mode;
        if (mode == INK_MODE_VISIT && visit_to_third_place(w, ms, m))
                mode = INK_MODE_MEETING;
        /* "The summit will be held by videoconference." after the main
         * sentence of a meeting makes it a call */
        for (size_t s = 0; s < art->nsents && mode == INK_MODE_MEETING; s++)
                if (s != ms && w->si[s].related && w->si[s].by_call &&
                    same_encounter(m, &w->si[s]))
                        mode = INK_MODE_CALL;

        /* status, time and venues over the related sentences; a change of
         * status counts from the main sentence, the headline and lead */
        const summit_time_t *when = NULL;
        for (size_t i = 0; i < m->ntimes; i++)
                if (!when || m->times[i].kind > when->kind)
                        when = &m->times[i];
        /* a virtual summit has no venue, whoever hosts it */
        int virt = mode == INK_MODE_CALL && (m->cats & BIT(CAT_VIRTUAL));
        venues.n = 0;
        if (!virt)
                venues_of(w, ms, m, &venues, mode == INK_MODE_CALL);
        for (size_t s = 0, body = 0; s < art->nsents; s++) {
                sinfo_t *o = &w->si[s];
                int lead = art->sents[s].field == INK_FIELD_TITLE ||
                           body < 2;
                if (art->sents[s].field != INK_FIELD_TITLE)
                        body++;
                /* "The dates have not been fixed yet." after the main
                 * sentence speaks of the same encounter */
                if ((s == ms || s == ms + 1 || lead) && undated(w, s))
                        no_date = 1;
                if (s != ms && (!o->related || !same_encounter(m, o)))
                        continue;
                if (o->status >= INK_STATUS_POSTPONED) {
                        if (change < 0 && (lead || s == ms))
                                change = o->status;
                } else if (o->status > firm) {
                        firm = o->status;
                }
                for (size_t i = 0; i < o->ntimes; i++)
                        if (!when || o->times[i].kind > when->kind)
                                when = &o->times[i];
                if (s != ms && !virt)
                        venues_of(w, s, o, &venues,
                                  mode == INK_MODE_CALL || venues.n > 0);
                if (undated(w, s))
                        no_date = 1;
        }
        /* "no exact dates yet": planned at most */
        if (no_date && firm > INK_STATUS_PLANNED)
                firm = INK_STATUS_PLANNED;
        /* a plan known from reports only is at most scheduled */
        if ((m->cats & BIT(CAT_REPORT)) && firm > INK_STATUS_SCHEDULED)
                firm = INK_STATUS_SCHEDULED;
        if (change >= 0)
                status = (ink_status_t)change;
        else if (firm >= 0)
                status = (ink_status_t)firm;

        ink_alert_t al;
        memset(&al, 0, sizeof(al));
        al.type = "summit";
        al.mode = (ink_mode_t)mode;
        al.status = status;
        al.nparticipants = parts.n;
        al.participants = ink_arena_calloc(art->arena, parts.n + 1,
                                           sizeof(char *));
        memcpy(al.participants, parts.v, parts.n * sizeof(char *));
        al.nvenues = venues.n;
        al.venues = ink_arena_calloc(art->arena, venues.n + 1,
                                     sizeof(char *));
        memcpy(al.venues, venues.v, venues.n * sizeof(char *));

        /* event key: mode and sorted participants */
        const char *sorted[16];
        memcpy(sorted, parts.v, parts.n * sizeof(char *));
        qsort(sorted, parts.n, sizeof(char *), str_cmp);
        char *key = ink_arena_sprintf(art->arena, "summit|%s",
                                      ink_mode_name(al.mode));
        for (size_t i = 0; i < parts.n; i++)
                key = ink_arena_sprintf(art->arena, "%s|%s", key, sorted[i]);
        al.event_key = key;
        char id[17];
        ink_summit_alert_id(art->id ? art->id : "", key, id, sizeof(id));
        al.alert_id = ink_arena_strdup(art->arena, id);

        if (when) {
                char iso[16];
                al.when_text = tok_text(w, when->b, when->e);
                if (when->kind >= SUMMIT_T_NEAR &&
                    !ink_summit_resolve_date(al.when_text, art->published_ms,
                                             iso, sizeof(iso)))
                        al.when_date = ink_arena_strdup(art->arena, iso);
        }
        const ink_sentence_t *st = &art->sents[ms];
        size_t flen;
        const char *f = ink_article_field(art, st->field, &flen);
        al.evidence = ink_arena_strndup(art->arena, f + st->b, st->e - st->b);
        al.sent = (uint32_t)ms;
        al.cameo = ink_summit_cameo(al.mode, al.status);
        double conf = 0.35 + 0.1 * m->score;
        al.confidence = conf < 0.3 ? 0.3 : conf > 0.95 ? 0.95 : conf;
        ink_article_add_alert(art, &al);
}

/** Builds the per-article entity lookups of \p w: the entities by first
 *  token and by sentence (each a stable counting sort, so that a walk of
 *  one bucket meets the entities in article order), and the sorted names
 *  of entities written before an armed group's noun (topic_name()). */
static void index_entities(work_t *w) {
        ink_article_t *art = w->art;
        size_t nt = art->ntoks, ns = art->nsents, ne = art->nents;
        w->ent_toff = ink_arena_calloc(art->arena, nt + 2, sizeof(uint32_t));
        w->ent_soff = ink_arena_calloc(art->arena, ns + 2, sizeof(uint32_t));
        w->ent_tidx = ink_arena_alloc(art->arena,
                                      (ne ? ne : 1) * sizeof(uint32_t));
        w->ent_sidx = ink_arena_alloc(art->arena,
                                      (ne ? ne : 1) * sizeof(uint32_t));
        w->armed = ink_arena_alloc(art->arena,
                                   (ne ? ne : 1) * sizeof(*w->armed));
        w->narmed = 0;
        for (size_t k = 0; k < ne; k++) {
                const ink_entity_t *en = &art->ents[k];
                if (en->tok_begin < nt)
                        w->ent_toff[en->tok_begin + 2]++;
                if (en->sent < ns)
                        w->ent_soff[en->sent + 2]++;
        }
        for (size_t i = 2; i < nt + 2; i++)
                w->ent_toff[i] += w->ent_toff[i - 1];
        for (size_t i = 2; i < ns + 2; i++)
                w->ent_soff[i] += w->ent_soff[i - 1];
        /* now off[x + 1] is where bucket x starts; fill shifts it to
         * off[x], the bucket's start, with off[x + 1] its end */
        for (size_t k = 0; k < ne; k++) {
                const ink_entity_t *en = &art->ents[k];
                if (en->tok_begin < nt)
                        w->ent_tidx[w->ent_toff[en->tok_begin + 1]++] =
                                (uint32_t)k;
                if (en->sent < ns)
                        w->ent_sidx[w->ent_soff[en->sent + 1]++] =
                                (uint32_t)k;
                const char *on = en->canonical ? en->canonical : en->text;
                if (en->sent < ns && en->tok_end < nt &&
                    en->tok_end < art->sents[en->sent].tok_end &&
                    armed_noun(w->tv.lower[en->tok_end]))
                        w->armed[w->narmed++] = on;
        }
        if (w->narmed > 1)
                qsort(w->armed, w->narmed, sizeof(*w->armed), str_cmp);
}

/** Runs the detector on one article (thread-safe: state on the stack and
 *  in the article's arena).  @returns INK_OK, or INK_SKIPPED when the
 *  article has no tokens. */
static ink_rc_t summit_run(const void *cp, ink_article_t *art, char *errstr,
                           size_t errstr_size) {
        const summit_ctx_t *ctx = cp;
        work_t w;
        size_t hcap = 0, lcap = 0;
        (void)errstr;
        (void)errstr_size;
        if (!ink_lang_is_english(art))
                return INK_SKIPPED; /* cues and titles are English */
        if (!art->ntoks || !art->nsents)
                return INK_SKIPPED;
        memset(&w, 0, sizeof(w));
        w.ctx = ctx;
        w.art = art;
        w.tv.n = art->ntoks;
        w.tv.norm = ink_arena_alloc(art->arena, art->ntoks * sizeof(char *));
        w.tv.lower = ink_arena_alloc(art->arena, art->ntoks * sizeof(char *));
        summit_tcls_t *cls = ink_arena_alloc(art->arena,
                                             art->ntoks * sizeof(*cls));
        for (size_t i = 0; i < art->ntoks; i++) {
                const char *n = art->toks[i].norm;
                if (!n) {
                        size_t flen;
                        const char *f = ink_article_field(
                                art, art->toks[i].field, &flen);
                        n = ink_arena_strndup(art->arena, f + art->toks[i].b,
                                              art->toks[i].e -
                                                      art->toks[i].b);
                }
                w.tv.norm[i] = n;
                char *l = ink_arena_strdup(art->arena, n);
                for (char *p = l; *p; p++)
                        *p = (char)tolower((unsigned char)*p);
                w.tv.lower[i] = l;
                summit_tok_classify(n, l, &cls[i]);
        }
        w.tv.cls = cls;
        index_entities(&w);
        w.sent_hit = ink_arena_calloc(art->arena, art->nsents + 1,
                                      sizeof(size_t));
        w.skip = ink_arena_calloc(art->arena, art->nsents, sizeof(uint32_t));
        for (size_t s = 0, body = 0; s < art->nsents; s++) {
                w.skip[s] = art->sents[s].tok_begin;
                if (art->sents[s].field == INK_FIELD_BODY && body++ < 3)
                        w.skip[s] = dateline_end(&w, s);
        }
        if (art->published_ms >= 0)
                w.ref_year = summit_year_of(art->published_ms);
        else
                w.ref_year = summit_year_of(art->ingested_ms > 0
                                                    ? art->ingested_ms
                                                    : ink_now_ms()) - 10;
        for (size_t s = 0; s < art->nsents; s++) {
                w.sent_hit[s] = w.nhits;
                find_hits(&w, s, &hcap);
        }
        w.sent_hit[art->nsents] = w.nhits;
        for (size_t k = 0; k < w.nhits; k++)
                if (w.hits[k].e - w.hits[k].b > w.maxhl)
                        w.maxhl = w.hits[k].e - w.hits[k].b;

        /* article-level senses of "summit" */
        int mount = 0, sport = 0;
        for (size_t k = 0; k < w.nhits; k++) {
                if (w.hits[k].cat == CAT_MOUNT)
                        mount++;
                if (w.hits[k].cat == CAT_SPORT)
                        sport++;
        }
        for (size_t s = 0; s < art->nsents; s++)
                if (art->sents[s].field == INK_FIELD_TITLE)
                        for (size_t k = w.sent_hit[s]; k < w.sent_hit[s + 1];
                             k++)
                                if (w.hits[k].cat == CAT_BIZ)
                                        w.title_biz = 1;
        w.art_mount = mount >= 2;
        w.art_sport = sport;

        for (size_t s = 0; s < art->nsents; s++)
                find_leaders(&w, s, &lcap);
        for (size_t s = 0; s < art->nsents; s++)
                find_untitled(&w, s, &lcap);
        for (size_t s = 0; s < art->nsents; s++)
                find_objects(&w, s, &lcap);
        extend_names(&w);

        w.si = ink_arena_calloc(art->arena, art->nsents, sizeof(sinfo_t));
        int best = -1;
        for (size_t s = 0; s < art->nsents; s++) {
                analyse(&w, s, &w.si[s]);
                collect_sides(&w, s, &w.si[s]);
                judge(&w, s, &w.si[s]);
                if (w.si[s].candidate &&
                    (best < 0 || w.si[s].score > w.si[best].score))
                        best = (int)s;
        }
        if (best < 0)
                return INK_OK;
        emit(&w, (size_t)best);
        return INK_OK;
}

/*---- Exported helpers -----------------------------------------------------*/

void ink_summit_alert_id(const char *article_id, const char *event_key,
                         char *out, size_t out_size) {
        uint64_t h = 1469598103934665603ULL;
        const char *parts[3] = {article_id ? article_id : "", "\n",
                                event_key ? event_key : ""};
        for (int i = 0; i < 3; i++)
                for (const unsigned char *p = (const unsigned char *)parts[i];
                     *p; p++) {
                        h ^= *p;
                        h *= 1099511628211ULL;
                }
        snprintf(out, out_size, "%016llx", (unsigned long long)h);
}

const char *ink_summit_cameo(ink_mode_t mode, ink_status_t status) {
        switch (status) {
        case INK_STATUS_SCHEDULED:
        case INK_STATUS_CONFIRMED:
                return mode == INK_MODE_CALL    ? "041"
                       : mode == INK_MODE_VISIT ? "042"
                                                : "040";
        case INK_STATUS_CANCELLED:
                return "125";
        default:
                return "036";
        }
}

const ink_stage_def_t ink_stage_summit = {
        .name = "summit",
        .description = "announcements of diplomatic meetings, visits and calls",
        .create = summit_create,
        .run = summit_run,
        .destroy = summit_destroy,
};

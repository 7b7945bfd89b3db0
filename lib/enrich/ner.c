/*
 * The "entities" stage: tags each sentence's tokens with the NER model
 * (data/ner/model.bin, see include/ink/ner.h), turns BIO spans into
 * art->ents, and gives every entity a canonical name.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ink/ner.h"
#include "ink/stage.h"
#include "ink/text.h"

/*---- Possessives and titles ----------------------------------------------*/

/* @returns the byte length of a possessive ending of s[0..len) ("'s",
 * "’s", "'S", or a lone "'" / "’" after an s), or 0.  At least one
 * letter must remain before it. */
static size_t possessive_len(const char *s, size_t len) {
        if (len >= 3 && (s[len - 1] == 's' || s[len - 1] == 'S') &&
            s[len - 2] == '\'')
                return 2;
        if (len >= 5 && (s[len - 1] == 's' || s[len - 1] == 'S') &&
            !memcmp(s + len - 4, "\xe2\x80\x99", 3))
                return 4;
        if (len >= 3 && s[len - 1] == '\'' &&
            (s[len - 2] == 's' || s[len - 2] == 'S'))
                return 1;
        if (len >= 5 && !memcmp(s + len - 3, "\xe2\x80\x99", 3) &&
            (s[len - 4] == 's' || s[len - 4] == 'S'))
                return 3;
        return 0;
}

/* Words dropped from the front of a PER canonical name; the second list
 * only right after a dropped title ("Secretary of State"). */
static const char *const name_titles[] = {
        "president", "vice", "prime", "minister", "secretary", "general",
        "gen.", "lt.", "lieutenant", "mr.", "mr", "mrs.", "mrs", "ms.", "ms",
        "dr.", "dr", "sir", "senator", "sen.", "rep.", "gov.", "governor",
        "king", "queen", "prince", "princess", "pope", "chancellor", "mayor",
        "ambassador", "judge", "justice", "professor", "prof.", "colonel",
        "col.", "captain", "capt.", "sgt.", "sergeant", "commander",
        "admiral", "adm.", "lord", "lady", "sheikh", "president-elect",
        "premier", "former", "us", "u.s.",
};
static const char *const title_tails[] = {
        "of", "the", "state", "foreign", "affairs", "defense", "defence",
        "interior", "general",
};

/* @returns whether word s[0..len) is in \p list (ASCII case-insensitive). */
static int word_in(const char *s, size_t len, const char *const *list,
                   size_t cnt) {
        for (size_t i = 0; i < cnt; i++)
                if (strlen(list[i]) == len && !strncasecmp(s, list[i], len))
                        return 1;
        return 0;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* @returns the base form of entity text \p text in the arena: white space
 * runs made one space, a trailing possessive removed and, for PER, leading
 * titles removed (one word always remains). */
static char *base_name(ink_arena_t *arena, const char *text,
                       ink_ent_type_t type) {
        size_t len = strlen(text), o = 0;
        char *s = ink_arena_alloc(arena, len + 1);
        const char *p = text;

        while (*p) {
                if (isspace((unsigned char)*p)) {
                        while (isspace((unsigned char)*p))
                                p++;
                        if (o && *p)
                                s[o++] = ' ';
                        continue;
                }
                s[o++] = *p++;
        }
        s[o] = '\0';
        o -= possessive_len(s, o);
        s[o] = '\0';
        if (type != INK_ENT_PER)
                return s;
        for (int dropped = 0;;) {
                char *sp = strchr(s, ' ');
                size_t wl;
                if (!sp)
                        break;
                wl = (size_t)(sp - s);
                if (word_in(s, wl, name_titles, COUNT(name_titles)) ||
                    (dropped && word_in(s, wl, title_tails,
                                        COUNT(title_tails)))) {
                        s = sp + 1;
                        dropped = 1;
                        continue;
                }
                break;
        }
        return s;
}

/* FNV-1a of NUL-terminated \p s. */
static uint64_t str_hash(const char *s) {
        uint64_t h = 0xcbf29ce484222325ULL;
        for (; *s; s++) {
                h ^= (unsigned char)*s;
                h *= 0x100000001b3ULL;
        }
        return h ^ (h >> 31);
}

void ink_ner_canonical_names(ink_arena_t *arena, ink_entity_t *ents,
                             size_t n) {
        char **base;
        const char **last;      /* last word of a multi-word PER, or NULL */
        size_t *full, nfull = 0, cap, *slot;
        uint8_t *resolved;

        if (!n)
                return;
        base = ink_arena_alloc(arena, n * sizeof(*base));
        last = ink_arena_calloc(arena, n, sizeof(*last));
        full = ink_arena_alloc(arena, n * sizeof(*full));
        resolved = ink_arena_calloc(arena, n, 1);
        for (size_t i = 0; i < n; i++) {
                base[i] = base_name(arena, ents[i].text ? ents[i].text : "",
                                    ents[i].type);
                ents[i].canonical = base[i];
                if (ents[i].type == INK_ENT_LOC ||
                    ents[i].type == INK_ENT_ORG) {
                        const ink_country_t *c;
                        int dem = 0;
                        c = ink_gaz_country(base[i], strlen(base[i]), &dem);
                        if (c && !dem) {
                                ents[i].canonical = c->canonical;
                                ents[i].kb_id = c->kb_id;
                        }
                }
                if (ents[i].type == INK_ENT_LOC && !ents[i].kb_id) {
                        const ink_city_t *city;
                        city = ink_gaz_city(base[i], strlen(base[i]));
                        if (city) {
                                ents[i].canonical = city->canonical;
                                ents[i].kb_id = city->kb_id;
                        }
                }
                if (ents[i].type == INK_ENT_PER && strchr(base[i], ' ')) {
                        last[i] = strrchr(base[i], ' ') + 1;
                        full[nfull++] = i;
                }
        }
        /* A single-word PER takes the nearest earlier full name with that
         * last word, else the nearest later one: one sweep forwards and
         * one backwards over a table from last word to full name
         * (linear). */
        if (!nfull)
                return;
        cap = 16;
        while (cap < 2 * nfull)
                cap *= 2;
        slot = ink_arena_alloc(arena, cap * sizeof(*slot));
        for (int pass = 0; pass < 2; pass++) {
                for (size_t k = 0; k < cap; k++)
                        slot[k] = n;
                for (size_t q = 0; q < n; q++) {
                        size_t i = pass ? n - 1 - q : q;
                        const char *key = last[i] ? last[i] : base[i];
                        size_t h;
                        if (ents[i].type != INK_ENT_PER || !*key)
                                continue;
                        h = (size_t)str_hash(key) & (cap - 1);
                        while (slot[h] < n &&
                               strcmp(last[slot[h]], key))
                                h = (h + 1) & (cap - 1);
                        if (last[i]) {
                                slot[h] = i;    /* the nearest so far */
                                continue;
                        }
                        if (slot[h] < n && (!pass || !resolved[i])) {
                                ents[i].canonical = base[slot[h]];
                                resolved[i] = 1;
                        }
                }
        }
}

/*---- The stage -----------------------------------------------------------*/

/* Creates the stage: loads the embedded model (borrowed resource bytes). */
static void *ner_create(char *errstr, size_t errstr_size) {
        size_t len = 0;
        const char *buf = ink_resource_get(INK_NER_RESOURCE, &len);

        if (!buf) {
                snprintf(errstr, errstr_size, "resource %s is missing",
                         INK_NER_RESOURCE);
                return NULL;
        }
        (void)ink_gaz_city("", 0); /* load the city table now, not on the
                                    * first article */
        return ink_ner_model_load(buf, len, errstr, errstr_size);
}

/* Destroys the model made by ner_create(). */
static void ner_destroy(void *ctx) {
        ink_ner_model_destroy(ctx);
}

/* Appends one entity for tokens [tb, te) of \p art. */
static void add_entity(ink_article_t *art, size_t *cap, int tag, size_t tb,
                       size_t te, float conf) {
        const ink_token_t *first = &art->toks[tb], *last = &art->toks[te - 1];
        size_t flen;
        const char *ftext = ink_article_field(art, first->field, &flen);
        ink_entity_t *ent;
        uint32_t e = last->e, ce = last->ce;
        size_t pl;

        if (last->e > flen || first->b > last->e)
                return;
        pl = possessive_len(ftext + last->b, last->e - last->b);
        if (pl) {
                e -= (uint32_t)pl;
                ce -= pl == 4 || pl == 2 ? 2 : 1;
        }
        if (art->nents == *cap) {
                size_t ncap = *cap ? *cap * 2 : 16;
                art->ents = ink_arena_grow(art->arena, art->ents, art->nents,
                                           ncap, sizeof(*art->ents));
                *cap = ncap;
        }
        ent = &art->ents[art->nents++];
        memset(ent, 0, sizeof(*ent));
        ent->type = INK_NER_TYPE(tag);
        ent->field = first->field;
        ent->tok_begin = (uint32_t)tb;
        ent->tok_end = (uint32_t)te;
        ent->b = first->b;
        ent->e = e;
        ent->cb = first->cb;
        ent->ce = ce;
        ent->sent = first->sent;
        ent->text = ink_arena_strndup(art->arena, ftext + first->b,
                                      e - first->b);
        ent->confidence = conf;
}

/* @returns the words of sentence \p se for the model (arena): each
 * token's normalised form, without an attached possessive. */
static const char **sentence_words(ink_article_t *art,
                                   const ink_sentence_t *se) {
        size_t tb = se->tok_begin, n = se->tok_end - se->tok_begin;
        const char **words = ink_arena_alloc(art->arena,
                                             (n ? n : 1) * sizeof(*words));
        for (size_t i = 0; i < n; i++) {
                const char *w = art->toks[tb + i].norm;
                size_t wl, pl;
                if (!w)
                        w = "";
                wl = strlen(w);
                pl = possessive_len(w, wl);
                words[i] = pl ? ink_arena_strndup(art->arena, w, wl - pl) : w;
        }
        return words;
}

/*---- Document consistency ------------------------------------------------*/

/* A name seen as an entity somewhere in the article: the hash of its
 * words, its length in words, its votes per type and how many tagged
 * PER names of two or more words end with it (a surname). */
typedef struct dname_s {
        uint64_t key;
        uint32_t len;
        uint32_t votes[INK_ENT_TYPE_CNT];
        uint32_t surname;
} dname_t;

typedef struct dnames_s {
        dname_t *slot;
        size_t cap;             /* power of two, or 0 */
        uint32_t lens;          /* bit k set: some name has k + 1 words */
} dnames_t;

#define DOC_MAXLEN 6            /* longest name propagated, in words */

/* FNV-1a of words[0..n) joined by one space (never 0). */
static uint64_t words_key(const char *const *words, size_t n) {
        uint64_t h = 0xcbf29ce484222325ULL;
        for (size_t k = 0; k < n; k++) {
                const unsigned char *p = (const unsigned char *)words[k];
                if (k) {
                        h ^= ' ';
                        h *= 0x100000001b3ULL;
                }
                for (; *p; p++) {
                        h ^= *p;
                        h *= 0x100000001b3ULL;
                }
        }
        return h | 1;
}

/* @returns the slot of \p key in \p d (empty slot if absent). */
static dname_t *dnames_slot(dnames_t *d, uint64_t key) {
        size_t i = (size_t)(key ^ (key >> 29)) & (d->cap - 1);
        while (d->slot[i].key && d->slot[i].key != key)
                i = (i + 1) & (d->cap - 1);
        return &d->slot[i];
}

/* Adds \p v votes for type \p type to the name words[0..n). */
static void dnames_vote(dnames_t *d, const char *const *words, size_t n,
                        ink_ent_type_t type, uint32_t v) {
        dname_t *s;
        if (!n || n > DOC_MAXLEN)
                return;
        s = dnames_slot(d, words_key(words, n));
        if (!s->key) {
                s->key = words_key(words, n);
                s->len = (uint32_t)n;
        }
        s->votes[type] += v;
        d->lens |= 1u << (n - 1);
}

/* @returns the type with most votes of \p s (ties: the lower type). */
static int dname_best(const dname_t *s) {
        int best = 0;
        for (int t = 1; t < INK_ENT_TYPE_CNT; t++)
                if (s->votes[t] > s->votes[best])
                        best = t;
        return best;
}

/* @returns whether word \p w has an upper-case letter (ASCII is enough
 * to tell names from function words here; other scripts count too). */
static int has_upper(const char *w) {
        for (; *w; w++)
                if ((*w >= 'A' && *w <= 'Z') || (unsigned char)*w >= 0xc0)
                        return 1;
        return 0;
}

void ink_ner_doc_consistency(ink_arena_t *arena, ink_ner_sent_t *ds,
                             size_t nsent) {
        dnames_t d = { 0 };
        size_t nspans = 0;

        for (size_t s = 0; s < nsent; s++)
                for (size_t i = 0; i < ds[s].n; i++)
                        nspans += INK_NER_IS_B(ds[s].tags[i]);
        if (!nspans)
                return;
        d.cap = 16;
        while (d.cap < 4 * nspans)
                d.cap *= 2;
        d.slot = ink_arena_calloc(arena, d.cap, sizeof(*d.slot));
        for (size_t s = 0; s < nsent; s++) {
                const uint8_t *tg = ds[s].tags;
                for (size_t i = 0, j; i < ds[s].n; i = j) {
                        ink_ent_type_t type;
                        if (!INK_NER_IS_B(tg[i])) {
                                j = i + 1;
                                continue;
                        }
                        type = INK_NER_TYPE(tg[i]);
                        for (j = i + 1; j < ds[s].n && INK_NER_IS_I(tg[j]);
                             j++)
                                ;
                        dnames_vote(&d, ds[s].words + i, j - i, type, 2);
                        if (type == INK_ENT_PER && j - i > 1) {
                                dnames_vote(&d, ds[s].words + j - 1, 1,
                                            INK_ENT_PER, 1);
                                dnames_slot(&d, words_key(ds[s].words + j - 1,
                                                          1))->surname++;
                        }
                }
        }
        for (size_t s = 0; s < nsent; s++) {
                uint8_t *tg = ds[s].tags;
                const char **w = ds[s].words;
                size_t n = ds[s].n;
                for (size_t i = 0; i < n;) {
                        size_t run = 0, hit = 0;
                        dname_t *best = NULL;
                        if (INK_NER_IS_B(tg[i])) {
                                size_t j = i + 1;
                                dname_t *sl;
                                while (j < n && INK_NER_IS_I(tg[j]))
                                        j++;
                                if (j - i <= DOC_MAXLEN) {
                                        int own = INK_NER_TYPE(tg[i]), bt;
                                        int surname;
                                        sl = dnames_slot(&d, words_key(
                                                w + i, j - i));
                                        bt = dname_best(sl);
                                        /* a lone surname of full names
                                         * seen at least as often as it was
                                         * tagged another type
                                         * ("Zelenskyy said") */
                                        surname = j - i == 1 &&
                                                  own != INK_ENT_PER &&
                                                  sl->surname &&
                                                  2 * sl->surname >=
                                                  sl->votes[own];
                                        if (surname)
                                                bt = INK_ENT_PER;
                                        if (sl->key && bt != own &&
                                            (surname || sl->votes[bt] >
                                             2 * sl->votes[own]))
                                                for (size_t k = i; k < j; k++)
                                                        tg[k] = (uint8_t)(
                                                                bt * 2 + 1 +
                                                                (k > i));
                                }
                                i = j;
                                continue;
                        }
                        if (tg[i] != INK_NER_O || !has_upper(w[i])) {
                                i++;
                                continue;
                        }
                        while (i + run < n && run < DOC_MAXLEN &&
                               tg[i + run] == INK_NER_O)
                                run++;
                        for (size_t L = run; L >= 1; L--) {
                                dname_t *sl;
                                if (!(d.lens & (1u << (L - 1))))
                                        continue;
                                sl = dnames_slot(&d, words_key(w + i, L));
                                if (sl->key) {
                                        best = sl;
                                        hit = L;
                                        break;
                                }
                        }
                        if (!best) {
                                i++;
                                continue;
                        }
                        for (size_t k = 0; k < hit; k++) {
                                tg[i + k] = (uint8_t)(dname_best(best) * 2 +
                                                      1 + (k > 0));
                                ds[s].conf[i + k] = 0.5f;
                        }
                        i += hit;
                }
        }
}

/* Tags every sentence, applies the document pass, and fills art->ents.
 * Thread-safe: per-call memory is the article's arena and the tagger's
 * own scratch. */
static ink_rc_t ner_run(const void *ctx, ink_article_t *art, char *errstr,
                        size_t errstr_size) {
        const ink_ner_model_t *m = ctx;
        size_t cap = 0;
        ink_ner_sent_t *ds;

        art->ents = NULL;
        art->nents = 0;
        if (!ink_lang_is_english(art))
                return INK_SKIPPED;
        if (!art->toks || !art->ntoks || !art->sents || !art->nsents)
                return INK_SKIPPED;
        ds = ink_arena_calloc(art->arena, art->nsents, sizeof(*ds));
        for (size_t s = 0; s < art->nsents; s++) {
                const ink_sentence_t *se = &art->sents[s];
                size_t n = se->tok_end - se->tok_begin;

                if (se->tok_end > art->ntoks || se->tok_begin > se->tok_end) {
                        snprintf(errstr, errstr_size,
                                 "entities: sentence %zu has tokens [%u, %u) "
                                 "outside the %zu tokens", s, se->tok_begin,
                                 se->tok_end, art->ntoks);
                        return INK_ERR_INVALID;
                }
                if (!n)
                        continue;
                ds[s].n = n;
                ds[s].words = sentence_words(art, se);
                ds[s].tags = ink_arena_alloc(art->arena, n);
                ds[s].conf = ink_arena_alloc(art->arena,
                                             n * sizeof(*ds[s].conf));
                if (ink_ner_tag(m, ds[s].words, n, ds[s].tags, ds[s].conf)) {
                        snprintf(errstr, errstr_size,
                                 "entities: sentence %zu has %zu tokens, "
                                 "too many to tag", s, n);
                        return INK_ERR_INVALID;
                }
                ink_ner_bio_repair(ds[s].tags, n);
        }
        ink_ner_doc_consistency(art->arena, ds, art->nsents);
        for (size_t s = 0; s < art->nsents; s++) {
                size_t tb = art->sents[s].tok_begin, n = ds[s].n;
                const uint8_t *tags = ds[s].tags;
                const float *conf = ds[s].conf;
                for (size_t i = 0; i < n;) {
                        size_t j;
                        float c;
                        if (tags[i] == INK_NER_O) {
                                i++;
                                continue;
                        }
                        c = conf[i];
                        for (j = i + 1; j < n && INK_NER_IS_I(tags[j]) &&
                             INK_NER_TYPE(tags[j]) == INK_NER_TYPE(tags[i]);
                             j++)
                                if (conf[j] < c)
                                        c = conf[j];
                        add_entity(art, &cap, tags[i], tb + i, tb + j, c);
                        i = j;
                }
        }
        ink_ner_canonical_names(art->arena, art->ents, art->nents);
        return INK_OK;
}

const ink_stage_def_t ink_stage_entities = {
        .name = "entities",
        .description = "named entities (averaged perceptron, PER/ORG/LOC/"
                       "MISC) with canonical names",
        .create = ner_create,
        .run = ner_run,
        .destroy = ner_destroy,
};

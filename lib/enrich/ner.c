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

void ink_ner_canonical_names(ink_arena_t *arena, ink_entity_t *ents,
                             size_t n) {
        char **base;
        const char **last;      /* last word of a multi-word PER, or NULL */
        size_t *full, nfull = 0;

        if (!n)
                return;
        base = ink_arena_alloc(arena, n * sizeof(*base));
        last = ink_arena_calloc(arena, n, sizeof(*last));
        full = ink_arena_alloc(arena, n * sizeof(*full));
        for (size_t i = 0; i < n; i++) {
                base[i] = base_name(arena, ents[i].text ? ents[i].text : "",
                                    ents[i].type);
                ents[i].canonical = base[i];
                if (ents[i].type == INK_ENT_PER && strchr(base[i], ' ')) {
                        last[i] = strrchr(base[i], ' ') + 1;
                        full[nfull++] = i;
                }
        }
        /* A single-word PER takes the nearest earlier full name with that
         * last word, else the nearest later one.  Cost: singles x full
         * names, small for an article. */
        for (size_t i = 0; i < n; i++) {
                size_t before = n, after = n;

                if (ents[i].type != INK_ENT_PER || last[i] || !*base[i])
                        continue;
                for (size_t k = 0; k < nfull; k++) {
                        size_t j = full[k];
                        if (strcmp(last[j], base[i]))
                                continue;
                        if (j < i)
                                before = j;
                        else if (after == n)
                                after = j;
                }
                if (before < n)
                        ents[i].canonical = base[before];
                else if (after < n)
                        ents[i].canonical = base[after];
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

/* Tags every sentence and fills art->ents.  Thread-safe: per-call memory
 * is the article's arena and the tagger's own scratch. */
static ink_rc_t ner_run(const void *ctx, ink_article_t *art, char *errstr,
                        size_t errstr_size) {
        const ink_ner_model_t *m = ctx;
        size_t cap = 0;

        art->ents = NULL;
        art->nents = 0;
        if (!art->toks || !art->ntoks || !art->sents || !art->nsents)
                return INK_SKIPPED;
        for (size_t s = 0; s < art->nsents; s++) {
                const ink_sentence_t *se = &art->sents[s];
                size_t tb = se->tok_begin, n = se->tok_end - se->tok_begin;
                const char **words;
                uint8_t *tags;
                float *conf;

                if (se->tok_end > art->ntoks || se->tok_begin > se->tok_end) {
                        snprintf(errstr, errstr_size,
                                 "entities: sentence %zu has tokens [%u, %u) "
                                 "outside the %zu tokens", s, se->tok_begin,
                                 se->tok_end, art->ntoks);
                        return INK_ERR_INVALID;
                }
                if (!n)
                        continue;
                words = sentence_words(art, se);
                tags = ink_arena_alloc(art->arena, n);
                conf = ink_arena_alloc(art->arena, n * sizeof(*conf));
                if (ink_ner_tag(m, words, n, tags, conf)) {
                        snprintf(errstr, errstr_size,
                                 "entities: sentence %zu has %zu tokens, "
                                 "too many to tag", s, n);
                        return INK_ERR_INVALID;
                }
                ink_ner_bio_repair(tags, n);
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

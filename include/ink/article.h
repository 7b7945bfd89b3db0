/*
 * The article: what ingest reads, what every enrichment stage reads and
 * extends, and what the codecs write.  All memory hangs off art->arena and
 * is freed in one call by ink_article_destroy().
 */
#ifndef INK_ARTICLE_H
#define INK_ARTICLE_H

#include <stdbool.h>
#include "ink/core.h"

#define INK_MODEL_VERSION "inkstream-0.1"

/* Text fields an offset can point into. */
typedef enum ink_field_e {
        INK_FIELD_TITLE = 0,
        INK_FIELD_BODY = 1,
        INK_FIELD_CNT
} ink_field_t;

const char *ink_field_name(ink_field_t f);

/*---- Tokens and sentences (written by the "tokens" stage) ----------------*/

/* Token flags */
#define INK_TOK_ALPHA     0x0001  /* contains a letter */
#define INK_TOK_UPPER1    0x0002  /* first letter upper case */
#define INK_TOK_ALLCAPS   0x0004  /* every letter upper case (>= 2 letters) */
#define INK_TOK_DIGIT     0x0008  /* contains a digit */
#define INK_TOK_PUNCT     0x0010  /* punctuation / symbol only */
#define INK_TOK_SENT_START 0x0020 /* first token of a sentence */
#define INK_TOK_SPACE_BEFORE 0x0040 /* whitespace precedes the token */
#define INK_TOK_URL       0x0080  /* URL or e-mail address */

typedef struct ink_token_s {
        uint32_t b, e;          /* byte offsets in the field, end exclusive */
        uint32_t cb, ce;        /* code point offsets, end exclusive */
        uint32_t sent;          /* index into art->sents */
        uint16_t field;         /* ink_field_t */
        uint16_t flags;         /* INK_TOK_* */
        const char *norm;       /* NUL-terminated normalised form (NFC,
                                 * curly quotes/apostrophes folded to ASCII),
                                 * in the arena */
} ink_token_t;

typedef struct ink_sentiment_s {
        double compound;        /* -1..+1 */
        double positive, neutral, negative;
} ink_sentiment_t;

typedef struct ink_sentence_s {
        uint32_t b, e;          /* byte offsets in the field */
        uint32_t cb, ce;        /* code point offsets */
        uint32_t tok_begin, tok_end; /* [begin, end) into art->toks */
        uint16_t field;
        ink_sentiment_t sentiment; /* written by the "sentiment" stage */
} ink_sentence_t;

/*---- Entities (written by the "entities" stage) --------------------------*/

typedef enum ink_ent_type_e {
        INK_ENT_PER = 0,
        INK_ENT_ORG,
        INK_ENT_LOC,
        INK_ENT_MISC,
        INK_ENT_TYPE_CNT
} ink_ent_type_t;

const char *ink_ent_type_name(ink_ent_type_t t);

typedef struct ink_entity_s {
        ink_ent_type_t type;
        uint16_t field;
        uint32_t tok_begin, tok_end; /* [begin, end) into art->toks */
        uint32_t b, e;          /* byte offsets in the field */
        uint32_t cb, ce;        /* code point offsets */
        uint32_t sent;          /* sentence index */
        const char *text;       /* the text as written (arena) */
        const char *canonical;  /* canonical name (arena), e.g. the full name
                                 * for a surname-only mention */
        const char *kb_id;      /* knowledge-base id or NULL */
        double confidence;      /* 0..1 */
        bool has_sentiment;
        double sentiment;       /* entity-level compound, -1..+1 */
} ink_entity_t;

/*---- Alerts (written by the "summit" and rule stages) --------------------*/

typedef enum ink_mode_e {
        INK_MODE_MEETING = 0,
        INK_MODE_VISIT,
        INK_MODE_CALL,
        INK_MODE_CNT
} ink_mode_t;

typedef enum ink_status_e {
        INK_STATUS_PROPOSED = 0,
        INK_STATUS_PLANNED,
        INK_STATUS_SCHEDULED,
        INK_STATUS_CONFIRMED,
        INK_STATUS_POSTPONED,
        INK_STATUS_CANCELLED,
        INK_STATUS_CNT
} ink_status_t;

const char *ink_mode_name(ink_mode_t m);
const char *ink_status_name(ink_status_t s);

typedef struct ink_alert_s {
        const char *type;          /* "summit" */
        const char *alert_id;      /* deterministic id (hex) */
        const char *event_key;     /* participants + mode, canonical, sorted */
        const char **participants; /* canonical names */
        size_t nparticipants;
        ink_mode_t mode;
        ink_status_t status;
        const char **venues;
        size_t nvenues;
        const char *when_text;     /* as written, or NULL */
        const char *when_date;     /* ISO date when resolved, or NULL */
        const char *evidence;      /* the evidence sentence */
        const char *cameo;         /* CAMEO event code, e.g. "036" */
        uint32_t sent;             /* sentence index of the evidence */
        double confidence;
} ink_alert_t;

/*---- The article ---------------------------------------------------------*/

typedef struct ink_article_s {
        ink_arena_t *arena;

        /* Input fields (arena strings; NULL when absent) */
        const char *id;
        const char *title;      /* never NULL after parse ("" if absent) */
        const char *body;       /* never NULL after parse */
        size_t title_len, body_len;
        const char *url;
        const char *source;
        const char *lang;
        const char *published;  /* as given */
        int64_t published_ms;   /* -1 if unknown */
        int64_t ingested_ms;    /* Kafka timestamp or read time */
        int64_t processed_ms;

        /* Written by the stages, in stage order */
        ink_token_t *toks;
        size_t ntoks;
        ink_sentence_t *sents;
        size_t nsents;
        ink_entity_t *ents;
        size_t nents;
        ink_sentiment_t sentiment;   /* document sentiment */
        ink_alert_t *alerts;
        size_t nalerts;
} ink_article_t;

/** @returns a new empty article with its own arena (owned by caller). */
ink_article_t *ink_article_new(void);
void ink_article_destroy(ink_article_t *art);

/** @returns the text of field \p f and its byte length. */
static inline const char *ink_article_field(const ink_article_t *art,
                                            ink_field_t f, size_t *lenp) {
        if (f == INK_FIELD_TITLE) {
                *lenp = art->title_len;
                return art->title;
        }
        *lenp = art->body_len;
        return art->body;
}

/** Adds an alert (copied shallowly; strings must live in art->arena).
 *  @returns the stored alert. */
ink_alert_t *ink_article_add_alert(ink_article_t *art, const ink_alert_t *al);

#endif /* INK_ARTICLE_H */

/*
 * Named-entity recognition: an averaged-perceptron tagger over hashed
 * features with first-order Viterbi decoding under the BIO constraint,
 * its binary model format, its trainer, and canonical names.
 *
 * Files: lib/enrich/ner_feat.c (features, gazetteer), ner_model.c (model
 * file, tagging, BIO repair), ner_train.c (trainer), ner.c (the
 * "entities" stage and canonical names).
 */
#ifndef INK_NER_H
#define INK_NER_H

#include <stddef.h>
#include <stdint.h>

#include "ink/article.h"

/*---- Tag set -------------------------------------------------------------*/

/* Tag t > 0 is B-X when odd and I-X when even, X = (t - 1) / 2 as an
 * ink_ent_type_t. */
enum {
        INK_NER_O = 0,
        INK_NER_B_PER, INK_NER_I_PER,
        INK_NER_B_ORG, INK_NER_I_ORG,
        INK_NER_B_LOC, INK_NER_I_LOC,
        INK_NER_B_MISC, INK_NER_I_MISC,
        INK_NER_NTAGS
};

#define INK_NER_IS_B(t) ((t) > 0 && ((t) & 1))
#define INK_NER_IS_I(t) ((t) > 0 && !((t) & 1))
#define INK_NER_TYPE(t) ((ink_ent_type_t)(((t) - 1) / 2))

/** @returns "O", "B-PER", ... for tag \p t, or NULL when out of range. */
const char *ink_ner_tag_name(int t);
/** @returns the tag named \p s ("B-LOC") or -1. */
int ink_ner_tag_parse(const char *s);

/** Repairs a BIO sequence in place: an I-X that follows neither B-X nor
 *  I-X becomes B-X.  @returns the number of tags changed. */
size_t ink_ner_bio_repair(uint8_t *tags, size_t n);

/** Best BIO-valid tag sequence for \p n words given emission scores
 *  \p emit (n * NTAGS) and transition scores \p trans ((NTAGS + 1) *
 *  NTAGS, row NTAGS = sentence start); I-X is allowed only after B-X or
 *  I-X.  \p bp is scratch of n * NTAGS bytes.  Writes \p tags. */
void ink_ner_viterbi(const float *emit, size_t n, const float *trans,
                     uint8_t *bp, uint8_t *tags);

/*---- Features (ner_feat.c) -----------------------------------------------*/

/* Version of the feature templates; a model records it and is refused by
 * a build whose templates differ. */
#define INK_NER_FEAT_VERSION 1
/* At most this many features per token. */
#define INK_NER_MAXF 48

/** Computes the hashed features of every word of one sentence.
 *  \p words are the n words (borrowed, NUL-terminated, NFC, case kept).
 *  Writes up to INK_NER_MAXF 32-bit hashes per word to
 *  feats[i * INK_NER_MAXF ...] and their count to nfeats[i].
 *  Thread-safe. */
void ink_ner_features(const char *const *words, size_t n, uint32_t *feats,
                      uint8_t *nfeats);

/** @returns a 32-bit FNV-1a hash of the gazetteer resource (recorded in a
 *  model so that a model and a gazetteer that differ are noticed). */
uint32_t ink_ner_gazetteer_hash(void);

/*---- Model (ner_model.c) -------------------------------------------------*/

/*
 * Model file "data/ner/model.bin", little-endian:
 *
 *   off size
 *     0    6  magic "INKNER"
 *     6    2  u16 format version (INK_NER_FORMAT_VERSION)
 *     8    4  u32 number of tags (9)
 *    12    4  u32 hash bits B (table of 2^B buckets)
 *    16    4  u32 feature version (INK_NER_FEAT_VERSION)
 *    20    4  u32 gazetteer hash (ink_ner_gazetteer_hash())
 *    24    4  f32 scale: weight = int16 / scale
 *    28    4  u32 reserved (0)
 *    32  8*T  tag names, NUL-padded ("O", "B-PER", ... in tag order)
 *     .  4*(T+1)*T  f32 transition weights [prev][tag], prev T = start
 *     .  2*2^B*T    i16 feature weights [bucket][tag]
 */
#define INK_NER_MAGIC "INKNER"
#define INK_NER_FORMAT_VERSION 1
#define INK_NER_RESOURCE "data/ner/model.bin"

typedef struct ink_ner_model_s ink_ner_model_t;

/** Parses and validates a model image.  \p buf is borrowed and must
 *  outlive the model (embedded resources do).
 *  @returns the model (owned by caller) or NULL with a reason in
 *  \p errstr (bad magic, version, tag set, size, feature version). */
ink_ner_model_t *ink_ner_model_load(const void *buf, size_t len,
                                    char *errstr, size_t errstr_size);
void ink_ner_model_destroy(ink_ner_model_t *m);

/** Tags one sentence of \p n words (borrowed).  Writes the tag of each
 *  word to \p tags and, if \p conf is not NULL, a confidence in 0..1
 *  (logistic of the margin over the best other tag).  Thread-safe.
 *  @returns 0, or -1 when n is too large (over 1 << 20 words). */
int ink_ner_tag(const ink_ner_model_t *m, const char *const *words,
                size_t n, uint8_t *tags, float *conf);

/*---- Writing models (ner_model.c, used by the trainer) -------------------*/

/** Writes a model with float weights \p w (2^bits * INK_NER_NTAGS,
 *  bucket-major) and transitions \p trans ((NTAGS + 1) * NTAGS),
 *  quantising \p w to int16.  @returns 0 or -1 with errno set. */
int ink_ner_model_write(const char *path, unsigned bits, const float *w,
                        const float *trans);

/*---- Canonical names (ner.c) ---------------------------------------------*/

/** Sets ents[i].canonical (arena strings) for the \p n entities of one
 *  article, which must have .type and .text set:
 *  - a leading title ("President", "Mr.", "Prime Minister") and a
 *    trailing possessive ("'s", "'") are removed;
 *  - a LOC or ORG naming a country ("US", "U.S.", "America") gets the
 *    country's canonical name ("United States") and kb_id, its Wikidata
 *    QID ("Q30"; see ink_gaz_country());
 *  - any other LOC naming a city ("Kiev") gets the city's GeoNames name
 *    ("Kyiv") and kb_id "geonames:<id>" (see ink_gaz_city());
 *  - a PER that is a single word equal to the last word of a PER with
 *    more words elsewhere in the article gets that full name (the nearest
 *    earlier one, else the nearest later one).
 *  Other entities keep their text without possessive. */
void ink_ner_canonical_names(ink_arena_t *arena, ink_entity_t *ents,
                             size_t n);

/*---- Document consistency (ner.c) ----------------------------------------*/

/* One tagged sentence: its words (borrowed), tags (BIO-valid, modified in
 * place) and per-word confidences (may be modified), n words. */
typedef struct ink_ner_sent_s {
        const char **words;
        uint8_t *tags;
        float *conf;
        size_t n;
} ink_ner_sent_t;

/** The document pass over the \p nsent sentences of one article, linear
 *  in the words (at most 6 hash look-ups per word; scratch in \p arena).
 *  Every name the tagger found votes for its type (2 votes), and the last
 *  word of a multi-word PER votes PER (1 vote, a surname); then
 *  - an untagged run of words equal to a known name, its first word with
 *    a capital letter, is tagged with the name's majority type (longest
 *    name first; confidence 0.5);
 *  - a tagged span whose name has more than twice as many votes for
 *    another type as for its own is retyped;
 *  - a one-word span of another type that is the last word of tagged
 *    multi-word PER names, at least half as many of them as its own
 *    type's votes (one full name against one other tag), becomes PER
 *    ("Volodymyr Zelenskyy ... Zelenskyy said" with the second tagged
 *    ORG). */
void ink_ner_doc_consistency(ink_arena_t *arena, ink_ner_sent_t *sents,
                             size_t nsent);

/*---- Place gazetteer (gazetteer.c) ---------------------------------------*/

/* A country of data/gazetteer/countries.tsv (ISO 3166-1, from Debian's
 * iso-codes): canonical English short name ("United States", "Russia")
 * and knowledge-base id: its Wikidata QID ("Q30", "Q159") from
 * country-qids.tsv, else "iso3166:XX". */
typedef struct ink_country_s {
        char alpha2[3];
        char kb_id[16];
        const char *canonical;
} ink_country_t;

/** @returns the country named, aliased ("U.S.", "America") or, with
 *  *\p demonym set to 1, qualified ("Russian") by \p name[0..len)
 *  (exact, case-sensitive), or NULL.  The result is static (process
 *  lifetime).  \p demonym may be NULL.  Thread-safe. */
const ink_country_t *ink_gaz_country(const char *name, size_t len,
                                     int *demonym);

/* A city of data/gazetteer/cities.tsv (GeoNames cities15000: population
 * of at least 15,000, or a capital). */
typedef struct ink_city_s {
        uint32_t geonameid;
        uint32_t population;
        char alpha2[3];         /* ISO 3166-1 country */
        char kb_id[20];         /* "geonames:<geonameid>" */
        const char *canonical;  /* the GeoNames name ("Kyiv", "Geneva") */
} ink_city_t;

/** @returns the city named \p name[0..len) (exact, case-sensitive), or
 *  NULL.  An ambiguous name resolves to the city whose GeoNames name it
 *  is, else to one that has it as an alternate name ("Kiev", "Cologne";
 *  kept for cities of 100,000 people or more); among those, the most
 *  populous ("Paris" is Paris, France); ties go to the lower GeoNames id.
 *  A name that is also an ISO 3166-2 subdivision name resolves only to a
 *  city of 500,000 people or more in a country with a subdivision of that
 *  name ("Berlin", "New York", "Washington" resolve; "Victoria", an
 *  Australian state and a city in Canada, and "Delaware", a US state and
 *  a small city in Ohio, do not).  Country names are not
 *  looked at here (see ink_gaz_country()).  The result is static (process
 *  lifetime); the table loads on the first call.  Thread-safe. */
const ink_city_t *ink_gaz_city(const char *name, size_t len);

/** Calls \p fn for every name of the packaged gazetteers (countries and
 *  their aliases and ISO 3166-2 subdivisions as LOC, demonyms as MISC;
 *  not the cities); \p name is borrowed and not NUL-terminated.
 *  @returns an FNV-1a hash of the files (recorded in NER models). */
uint32_t ink_gaz_each_name(void (*fn)(const char *name, size_t len,
                                      ink_ent_type_t type, void *ud),
                           void *ud);

/*---- Trainer (ner_train.c) -----------------------------------------------*/

/** `inkstream train-ner`: --train FILE... [--partial FILE...] --dev FILE
 *  --epochs N --out FILE --seed N --bits B --runs R.  With R > 1 (at most
 *  64) the perceptron is trained R times, with seeds seed .. seed+R-1
 *  (different sentence orders), and the R averaged weight vectors are
 *  averaged into the one model written (deterministic).  argv[0] is the
 *  command name (ignored), as for main().  Prints per-epoch dev scores to
 *  stdout.  @returns a process exit code. */
int ink_ner_train_main(int argc, char **argv);

#endif /* INK_NER_H */

/*
 * Place gazetteers (data/gazetteer/):
 * - countries (from Debian's iso-codes plus the project's aliases and
 *   demonyms): a country name, alias or demonym gives the country's
 *   canonical name, ISO 3166-1 alpha-2 code and knowledge-base id (its
 *   Wikidata QID from country-qids.tsv, else "iso3166:XX");
 * - cities (GeoNames cities15000, cities.tsv): a city name or alternate
 *   name gives the city's GeoNames name, country and "geonames:<id>";
 * - every country, subdivision and demonym name with its entity type, for
 *   the NER gazetteer features (cities are not among them).
 *
 * The tables are parsed once per process from the embedded resources and
 * are read-only afterwards (thread-safe).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/ner.h"

#define COUNTRIES "data/gazetteer/countries.tsv"
#define SUBDIVS "data/gazetteer/subdivisions.tsv"
#define DEMONYMS "data/gazetteer/demonyms.tsv"
#define QIDS "data/gazetteer/country-qids.tsv"
#define CITIES "data/gazetteer/cities.tsv"

/* One name: its text (NUL-terminated copy) and the country it names. */
typedef struct gname_s {
        char *name;
        uint32_t country;       /* index into countries[] */
        uint8_t demonym;
} gname_t;

static struct {
        ink_country_t *countries;
        size_t ncountries;
        gname_t *slot;          /* open addressing on the name */
        size_t cap;
} G;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

/* FNV-1a of \p n bytes. */
static uint64_t hbytes(const char *s, size_t n) {
        uint64_t h = 0xcbf29ce484222325ULL;
        for (size_t i = 0; i < n; i++) {
                h ^= (unsigned char)s[i];
                h *= 0x100000001b3ULL;
        }
        return h ^ (h >> 32);
}

/* @returns the slot of name s[0..n) (empty if absent); G.cap > 0. */
static gname_t *slot_of(const char *s, size_t n) {
        size_t i = (size_t)hbytes(s, n) & (G.cap - 1);
        while (G.slot[i].name && (strlen(G.slot[i].name) != n ||
                                  memcmp(G.slot[i].name, s, n)))
                i = (i + 1) & (G.cap - 1);
        return &G.slot[i];
}

/* Adds name s[0..n) for country \p c (the first listing wins). */
static void add_name(const char *s, size_t n, uint32_t c, int demonym) {
        gname_t *g;
        if (!n)
                return;
        g = slot_of(s, n);
        if (g->name)
                return;
        g->name = ink_malloc(n + 1);
        memcpy(g->name, s, n);
        g->name[n] = '\0';
        g->country = c;
        g->demonym = (uint8_t)demonym;
}

/* Calls \p fn on each ";"-separated item of s[0..n). */
static void each_item(const char *s, size_t n,
                      void (*fn)(const char *, size_t, void *), void *ud) {
        const char *end = s + n;
        while (s < end) {
                const char *sc = memchr(s, ';', (size_t)(end - s));
                const char *e = sc ? sc : end;
                fn(s, (size_t)(e - s), ud);
                s = e + 1;
        }
}

/* Splits line s[0..n) at tabs into at most \p max fields (any further
 * fields are ignored); @returns the count. */
static int fields_n(const char *s, size_t n, const char **f, size_t *fl,
                    int max) {
        int k = 0;
        const char *end = s + n;
        while (k < max) {
                const char *t = memchr(s, '\t', (size_t)(end - s));
                f[k] = s;
                fl[k] = (size_t)((t ? t : end) - s);
                k++;
                if (!t)
                        break;
                s = t + 1;
        }
        return k;
}

/* fields_n() with at most 3 fields. */
static int fields(const char *s, size_t n, const char **f, size_t *fl) {
        return fields_n(s, n, f, fl, 3);
}

/* Calls \p fn on each non-comment line of resource \p res and folds its
 * bytes into the FNV-1a hash *\p h. */
static void each_line(const char *res, void (*fn)(const char *, size_t),
                      uint32_t *h) {
        size_t len = 0;
        const char *txt = ink_resource_get(res, &len);
        if (!txt)
                return;
        for (size_t i = 0; i < len; i++) {
                *h ^= (unsigned char)txt[i];
                *h *= 16777619u;
        }
        for (const char *p = txt; p < txt + len;) {
                const char *eol = memchr(p, '\n', (size_t)(txt + len - p));
                const char *end = eol ? eol : txt + len;
                if (end > p && *p != '#')
                        fn(p, (size_t)(end - p));
                p = end + 1;
        }
}

/* Adds the country of countries.tsv line s[0..n) and its canonical name. */
static void country_line(const char *s, size_t n) {
        const char *f[3];
        size_t fl[3];
        ink_country_t *c;
        if (fields(s, n, f, fl) < 3 || fl[0] != 2)
                return;
        c = &G.countries[G.ncountries];
        memcpy(c->alpha2, f[0], 2);
        c->alpha2[2] = '\0';
        c->canonical = ink_malloc(fl[1] + 1);
        memcpy((char *)c->canonical, f[1], fl[1]);
        ((char *)c->canonical)[fl[1]] = '\0';
        memcpy(c->kb_id, "iso3166:", 8);
        memcpy(c->kb_id + 8, f[0], 2);
        c->kb_id[10] = '\0';
        add_name(f[1], fl[1], (uint32_t)G.ncountries, 0);
        G.ncountries++;
}

/* each_item() callbacks: a name or a demonym of country index \p ud. */
static void add_country_item(const char *s, size_t n, void *ud) {
        add_name(s, n, (uint32_t)(uintptr_t)ud, 0);
}

static void add_demonym_item(const char *s, size_t n, void *ud) {
        add_name(s, n, (uint32_t)(uintptr_t)ud, 1);
}

/* @returns the index of the country with code s[0..2), or G.ncountries. */
static size_t country_index(const char *s) {
        for (size_t i = 0; i < G.ncountries; i++)
                if (!memcmp(G.countries[i].alpha2, s, 2))
                        return i;
        return G.ncountries;
}

/* Adds every name of countries.tsv line s[0..n) (after country_line()
 * has listed all countries). */
static void variants_line(const char *s, size_t n) {
        const char *f[3];
        size_t fl[3], ci;
        if (fields(s, n, f, fl) < 3 || fl[0] != 2)
                return;
        ci = country_index(f[0]);
        if (ci < G.ncountries)
                each_item(f[2], fl[2], add_country_item, (void *)(uintptr_t)ci);
}

/* Adds the demonyms of demonyms.tsv line s[0..n). */
static void demonym_line(const char *s, size_t n) {
        const char *f[3];
        size_t fl[3], ci;
        if (fields(s, n, f, fl) < 2 || fl[0] != 2)
                return;
        ci = country_index(f[0]);
        if (ci < G.ncountries)
                each_item(f[1], fl[1], add_demonym_item,
                          (void *)(uintptr_t)ci);
}

/* Sets the knowledge-base id of the country of country-qids.tsv line
 * s[0..n) ("RU<TAB>Q159") to its Wikidata QID; other lines are skipped. */
static void qid_line(const char *s, size_t n) {
        const char *f[3];
        size_t fl[3], ci;
        if (fields(s, n, f, fl) < 2 || fl[0] != 2 || fl[1] < 2 ||
            fl[1] >= sizeof(G.countries[0].kb_id) || f[1][0] != 'Q')
                return;
        for (size_t i = 1; i < fl[1]; i++)
                if (f[1][i] < '0' || f[1][i] > '9')
                        return;
        ci = country_index(f[0]);
        if (ci == G.ncountries)
                return;
        memcpy(G.countries[ci].kb_id, f[1], fl[1]);
        G.countries[ci].kb_id[fl[1]] = '\0';
}

/* Counts one countries.tsv line (sizing pass). */
static void count_line(const char *s, size_t n) {
        (void)s;
        (void)n;
        G.ncountries++;
}

/* Loads the tables (a missing resource leaves them empty). */
static void g_load(void) {
        size_t lines;
        uint32_t h = 0;
        each_line(COUNTRIES, count_line, &h);
        lines = G.ncountries;
        G.ncountries = 0;
        G.countries = ink_calloc(lines ? lines : 1, sizeof(*G.countries));
        G.cap = 1024;
        while (G.cap < 16 * (lines + 64))
                G.cap *= 2;
        G.slot = ink_calloc(G.cap, sizeof(*G.slot));
        each_line(COUNTRIES, country_line, &h);
        each_line(COUNTRIES, variants_line, &h);
        each_line(DEMONYMS, demonym_line, &h);
        each_line(QIDS, qid_line, &h);
}

const ink_country_t *ink_gaz_country(const char *name, size_t len,
                                     int *demonym) {
        gname_t *g;
        pthread_once(&g_once, g_load);
        if (!G.ncountries || !name)
                return NULL;
        g = slot_of(name, len);
        if (!g->name)
                return NULL;
        if (demonym)
                *demonym = g->demonym;
        return &G.countries[g->country];
}

/*---- Cities ----------------------------------------------------------------*/

#define NO_CITY UINT32_MAX
/* A name that is also a subdivision name of the city's country means the
 * city only from this population up ("New York", "Berlin", "Washington";
 * not Delaware, Ohio, 38,000 people, against the US state). */
#define SUBDIV_CITY_MIN_POP 500000

/* One key of the city table: a name alone (cc "\0\0": the city it
 * resolves to, if any, and whether it is a subdivision name), or a
 * subdivision name with its country (cc set: "there is a subdivision of
 * that name in that country").  The name points into a resource. */
typedef struct cname_s {
        const char *name;
        uint32_t len;
        uint32_t city;          /* index into C.cities, or NO_CITY */
        uint8_t alt;            /* the city has it as an alternate name */
        uint8_t subdiv;         /* also an ISO 3166-2 subdivision name */
        char cc[2];
} cname_t;

static struct {
        ink_city_t *cities;
        size_t ncities;
        char *names;            /* canonical names, NUL-terminated */
        size_t names_used;
        cname_t *keys;          /* dense, C.used of C.maxkeys */
        size_t used, maxkeys;
        uint32_t *slot;         /* open addressing on (name, cc): 1 + the
                                 * index into C.keys, 0 = empty */
        size_t cap;
} C;
static pthread_once_t c_once = PTHREAD_ONCE_INIT;

/* @returns the slot of key (s[0..n), cc) in C.slot (0 if absent). */
static uint32_t *cslot_of(const char *s, size_t n, const char cc[2]) {
        uint64_t h = hbytes(s, n);
        size_t i;
        h = (h ^ (unsigned char)cc[0]) * 0x100000001b3ULL;
        h = (h ^ (unsigned char)cc[1]) * 0x100000001b3ULL;
        i = (size_t)(h ^ (h >> 29)) & (C.cap - 1);
        while (C.slot[i]) {
                const cname_t *k = &C.keys[C.slot[i] - 1];
                if (k->len == n && !memcmp(k->cc, cc, 2) &&
                    !memcmp(k->name, s, n))
                        break;
                i = (i + 1) & (C.cap - 1);
        }
        return &C.slot[i];
}

/* @returns the key (s[0..n), cc), borrowed, or NULL when absent. */
static cname_t *ckey_get(const char *s, size_t n, const char cc[2]) {
        uint32_t *slot = cslot_of(s, n, cc);
        return *slot ? &C.keys[*slot - 1] : NULL;
}

/* @returns the key (s[0..n), cc), created if absent (NULL when the sizing
 * pass counted too few keys: the key is dropped). */
static cname_t *ckey_add(const char *s, size_t n, const char cc[2]) {
        uint32_t *slot = cslot_of(s, n, cc);
        cname_t *k;
        if (*slot)
                return &C.keys[*slot - 1];
        if (C.used == C.maxkeys)
                return NULL;
        k = &C.keys[C.used++];
        k->name = s;
        k->len = (uint32_t)n;
        k->city = NO_CITY;
        k->alt = k->subdiv = 0;
        memcpy(k->cc, cc, 2);
        *slot = (uint32_t)C.used;
        return k;
}

/* Lets name s[0..n) resolve to city \p ci (\p alt: an alternate name)
 * when it resolves to no better city: a GeoNames name beats an alternate
 * name, then the larger population wins, then the earlier line (lower
 * GeoNames id). */
static void add_city_name(const char *s, size_t n, uint32_t ci, int alt) {
        static const char none[2] = { 0, 0 };
        cname_t *e;
        if (!n || n > UINT32_MAX)
                return;
        e = ckey_add(s, n, none);
        if (!e)
                return;
        if (e->city != NO_CITY &&
            (alt > e->alt || (alt == e->alt &&
                              C.cities[ci].population <=
                              C.cities[e->city].population)))
                return;
        e->city = ci;
        e->alt = (uint8_t)alt;
}

/* each_item() callback: an alternate name of city index \p ud. */
static void add_city_alt(const char *s, size_t n, void *ud) {
        add_city_name(s, n, (uint32_t)(uintptr_t)ud, 1);
}

/* @returns whether s[0..n) is 1 to 10 decimal digits of a value that fits
 * 32 bits, stored in *\p v. */
static int parse_u32(const char *s, size_t n, uint32_t *v) {
        uint64_t x = 0;
        if (!n || n > 10)
                return 0;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return 0;
                x = x * 10 + (uint64_t)(s[i] - '0');
        }
        if (x > UINT32_MAX)
                return 0;
        *v = (uint32_t)x;
        return 1;
}

/* Sizing pass over cities.tsv: counts lines into C.ncities, their bytes
 * into C.names_used and their names into C.maxkeys (upper bounds). */
static void count_city_line(const char *s, size_t n) {
        C.ncities++;
        C.names_used += n + 1;
        C.maxkeys += 2;
        for (size_t i = 0; i < n; i++)
                C.maxkeys += s[i] == ';';
}

/* Sizing pass over subdivisions.tsv: two keys a line. */
static void count_subdiv_line(const char *s, size_t n) {
        (void)s;
        (void)n;
        C.maxkeys += 2;
}

/* Adds the city of cities.tsv line s[0..n) ("id<TAB>name<TAB>CC<TAB>
 * population<TAB>alternate;names"); a line that does not have this shape
 * is skipped. */
static void city_line(const char *s, size_t n) {
        const char *f[5];
        size_t fl[5];
        uint32_t id, pop, ci = (uint32_t)C.ncities;
        ink_city_t *c;
        if (fields_n(s, n, f, fl, 5) < 4 || !fl[1] || fl[2] != 2 ||
            !parse_u32(f[0], fl[0], &id) || !parse_u32(f[3], fl[3], &pop) ||
            ci == NO_CITY)
                return;
        c = &C.cities[ci];
        c->geonameid = id;
        c->population = pop;
        memcpy(c->alpha2, f[2], 2);
        c->alpha2[2] = '\0';
        snprintf(c->kb_id, sizeof(c->kb_id), "geonames:%u", (unsigned)id);
        memcpy(C.names + C.names_used, f[1], fl[1]);
        C.names[C.names_used + fl[1]] = '\0';
        c->canonical = C.names + C.names_used;
        C.names_used += fl[1] + 1;
        C.ncities++;
        add_city_name(f[1], fl[1], ci, 0);
        if (fields_n(s, n, f, fl, 5) == 5)
                each_item(f[4], fl[4], add_city_alt, (void *)(uintptr_t)ci);
}

/* Marks the name of subdivisions.tsv line s[0..n) ("US-WA<TAB>
 * Washington") as a subdivision name, in general and in its country. */
static void subdiv_line(const char *s, size_t n) {
        static const char none[2] = { 0, 0 };
        const char *f[3];
        size_t fl[3];
        cname_t *e;
        if (fields(s, n, f, fl) < 2 || fl[0] < 3 || f[0][2] != '-' ||
            !fl[1] || fl[1] > UINT32_MAX)
                return;
        e = ckey_add(f[1], fl[1], none);
        if (e)
                e->subdiv = 1;
        ckey_add(f[1], fl[1], f[0]);
}

/* Loads the city table (a missing resource leaves it empty). */
static void c_load(void) {
        uint32_t h = 0;
        size_t lines;
        each_line(CITIES, count_city_line, &h);
        each_line(SUBDIVS, count_subdiv_line, &h);
        lines = C.ncities;
        if (C.maxkeys >= UINT32_MAX / 2)
                C.maxkeys = UINT32_MAX / 2 - 1;
        C.cities = ink_malloc((lines ? lines : 1) * sizeof(*C.cities));
        C.names = ink_malloc(C.names_used ? C.names_used : 1);
        C.keys = ink_malloc((C.maxkeys ? C.maxkeys : 1) * sizeof(*C.keys));
        C.cap = 1024;
        while (C.cap < 2 * C.maxkeys)
                C.cap *= 2;
        C.slot = ink_calloc(C.cap, sizeof(*C.slot));
        C.ncities = C.names_used = 0;
        each_line(CITIES, city_line, &h);
        each_line(SUBDIVS, subdiv_line, &h);
}

const ink_city_t *ink_gaz_city(const char *name, size_t len) {
        static const char none[2] = { 0, 0 };
        const ink_city_t *c;
        cname_t *e;
        pthread_once(&c_once, c_load);
        if (!name || !len || !C.ncities)
                return NULL;
        e = ckey_get(name, len, none);
        if (!e || e->city == NO_CITY)
                return NULL;
        c = &C.cities[e->city];
        if (e->subdiv && (c->population < SUBDIV_CITY_MIN_POP ||
                          !ckey_get(name, len, c->alpha2)))
                return NULL;
        return c;
}

/* Per-line adapter state for ink_gaz_each_name(). */
typedef struct each_s {
        void (*fn)(const char *, size_t, ink_ent_type_t, void *);
        void *ud;
        ink_ent_type_t type;
} each_t;

static each_t each_cur;

/* Passes one name to the ink_gaz_each_name() callback. */
static void each_item_cb(const char *s, size_t n, void *ud) {
        (void)ud;
        each_cur.fn(s, n, each_cur.type, each_cur.ud);
}

/* Lists the names of one countries.tsv line (third field). */
static void each_country(const char *s, size_t n) {
        const char *f[3];
        size_t fl[3];
        if (fields(s, n, f, fl) == 3)
                each_item(f[2], fl[2], each_item_cb, NULL);
}

/* Lists the names of the second field of a subdivisions.tsv or
 * demonyms.tsv line. */
static void each_two(const char *s, size_t n) {
        const char *f[3];
        size_t fl[3];
        if (fields(s, n, f, fl) >= 2)
                each_item(f[1], fl[1], each_item_cb, NULL);
}

uint32_t ink_gaz_each_name(void (*fn)(const char *name, size_t len,
                                      ink_ent_type_t type, void *ud),
                           void *ud) {
        static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
        uint32_t h = 2166136261u;
        pthread_mutex_lock(&mu);
        each_cur.fn = fn;
        each_cur.ud = ud;
        each_cur.type = INK_ENT_LOC;
        each_line(COUNTRIES, each_country, &h);
        each_line(SUBDIVS, each_two, &h);
        each_cur.type = INK_ENT_MISC;
        each_line(DEMONYMS, each_two, &h);
        each_cur.fn = NULL;
        pthread_mutex_unlock(&mu);
        return h;
}

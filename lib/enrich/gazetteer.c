/*
 * Country gazetteer (data/gazetteer/, from Debian's iso-codes plus the
 * project's aliases and demonyms): maps a country name, alias or demonym
 * to the country's canonical name and ISO 3166-1 alpha-2 code, and lists
 * every name with its entity type for the NER gazetteer features.
 *
 * The tables are parsed once per process from the embedded resources and
 * are read-only afterwards (thread-safe).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ink/ner.h"

#define COUNTRIES "data/gazetteer/countries.tsv"
#define SUBDIVS "data/gazetteer/subdivisions.tsv"
#define DEMONYMS "data/gazetteer/demonyms.tsv"

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

/* Splits line s[0..n) at tabs into at most 3 fields; @returns count. */
static int fields(const char *s, size_t n, const char **f, size_t *fl) {
        int k = 0;
        const char *end = s + n;
        while (k < 3) {
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

/*
 * inkstream core: return codes, logging, arena allocation, time helpers.
 */
#ifndef INK_CORE_H
#define INK_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

/*---- Return codes --------------------------------------------------------*/

typedef enum ink_rc_e {
        INK_OK = 0,
        INK_SKIPPED = 1,          /* stage had nothing to do */
        INK_ERR = -1,             /* generic failure */
        INK_ERR_INVALID = -2,     /* bad input: goes to the dead-letter topic */
        INK_ERR_TOO_LARGE = -3,   /* input over the size limit */
        INK_ERR_NOMEM = -4,
        INK_ERR_IO = -5,
        INK_ERR_STAGE = -6,       /* an enrichment stage failed */
        INK_ERR_SCHEMA = -7       /* record does not fit / cannot be decoded */
} ink_rc_t;

/** @returns a short stable name for \p rc ("invalid_input", ...). */
const char *ink_rc_name(ink_rc_t rc);

/*---- Logging -------------------------------------------------------------*/

/* syslog levels, so librdkafka's log_cb maps 1:1 */
#define INK_LOG_ERR     3
#define INK_LOG_WARNING 4
#define INK_LOG_NOTICE  5
#define INK_LOG_INFO    6
#define INK_LOG_DEBUG   7

extern int ink_log_level;
/* 0: text lines; 1: one JSON object per line (property log.format). */
extern int ink_log_json;

void ink_log_write(int level, const char *component, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Checks the level before formatting anything. */
#define ink_log(level, component, ...)                                       \
        do {                                                                 \
                if ((level) <= ink_log_level)                                \
                        ink_log_write(level, component, __VA_ARGS__);        \
        } while (0)

/** Broken invariant: print and abort. */
#define INK_ASSERT(cond)                                                     \
        do {                                                                 \
                if (!(cond))                                                 \
                        ink_panic(__FILE__, __LINE__, #cond);                \
        } while (0)

void ink_panic(const char *file, int line, const char *what)
        __attribute__((noreturn));

/** Allocation wrappers: on failure they call the one OOM handler (abort). */
void *ink_malloc(size_t size);
void *ink_calloc(size_t n, size_t size);
void *ink_realloc(void *p, size_t size);
char *ink_strdup(const char *s);
char *ink_strndup(const char *s, size_t n);

/*---- Arena: one per article, freed in one call ---------------------------*/

typedef struct ink_arena_s ink_arena_t;

/** @returns a new arena (owned by caller, free with ink_arena_destroy()). */
ink_arena_t *ink_arena_new(size_t chunk_size);
void ink_arena_destroy(ink_arena_t *arena);
/** Frees everything allocated, keeps the first chunk for reuse. */
void ink_arena_reset(ink_arena_t *arena);
/** @returns 16-byte aligned memory owned by the arena (never NULL). */
void *ink_arena_alloc(ink_arena_t *arena, size_t size);
void *ink_arena_calloc(ink_arena_t *arena, size_t n, size_t size);
/** Copies \p n bytes of \p s and a NUL into the arena. */
char *ink_arena_strndup(ink_arena_t *arena, const char *s, size_t n);
char *ink_arena_strdup(ink_arena_t *arena, const char *s);
char *ink_arena_sprintf(ink_arena_t *arena, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/** Grows an arena array: returns a copy of \p old (\p old_n elements of
 *  \p elem bytes) with room for \p new_n elements. */
void *ink_arena_grow(ink_arena_t *arena, void *old, size_t old_n,
                     size_t new_n, size_t elem);

/*---- Time ----------------------------------------------------------------*/

/** Wall clock in milliseconds since the epoch. */
int64_t ink_now_ms(void);
/** Monotonic clock in microseconds. */
int64_t ink_mono_us(void);
/** Parses an ISO 8601 date ("2025-01-15") or date-time
 *  ("2025-01-15T10:00:00Z", "+01:00" offsets) into ms since the epoch (UTC).
 *  @returns 0 on success, -1 if \p s is not such a date. */
int ink_parse_iso8601(const char *s, int64_t *ms);

/*---- Embedded resources (files under data/, compiled into the binary) ----*/

/** @returns the bytes of the resource at \p path (a path in the project
 *  tree under data/ or schemas/, e.g. "data/sentiment/vader_lexicon.txt",
 *  "schemas/alert.avsc") or NULL. The bytes are NUL-terminated
 *  (not counted in \p lenp) and live for the whole process (borrowed).
 *  If INKSTREAM_RESOURCE_DIR is set, a file of the same path under it
 *  wins (to try a new model without a rebuild). */
const char *ink_resource_get(const char *path, size_t *lenp);

/** Gives the resident pages of the embedded resources back to the system
 *  (once the models are loaded from them); the bytes stay readable and
 *  are read again from the binary if touched.  @returns the bytes given
 *  back. */
size_t ink_resource_release(void);

/** Lists resource paths (for --version / diagnostics). */
size_t ink_resource_count(void);
const char *ink_resource_name(size_t i);

#endif /* INK_CORE_H */

/*
 * Return codes, logging, the OOM handler and time helpers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <jansson.h>

#include "ink/core.h"

int ink_log_level = INK_LOG_NOTICE;
int ink_log_json;

const char *ink_rc_name(ink_rc_t rc) {
        switch (rc) {
        case INK_OK: return "ok";
        case INK_SKIPPED: return "skipped";
        case INK_ERR: return "error";
        case INK_ERR_INVALID: return "invalid_input";
        case INK_ERR_TOO_LARGE: return "too_large";
        case INK_ERR_NOMEM: return "out_of_memory";
        case INK_ERR_IO: return "io_error";
        case INK_ERR_STAGE: return "enrichment_failed";
        case INK_ERR_SCHEMA: return "schema_error";
        }
        return "unknown";
}

static const char *level_name(int level) {
        switch (level) {
        case INK_LOG_ERR: return "ERROR";
        case INK_LOG_WARNING: return "WARN";
        case INK_LOG_NOTICE: return "NOTICE";
        case INK_LOG_INFO: return "INFO";
        case INK_LOG_DEBUG: return "DEBUG";
        default: return level < INK_LOG_ERR ? "CRIT" : "DEBUG";
        }
}

/* One line per event on stderr: time, level, component, message. */
void ink_log_write(int level, const char *component, const char *fmt, ...) {
        char msg[2048];
        char ts[32];
        struct timespec now;
        struct tm tm;
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        clock_gettime(CLOCK_REALTIME, &now);
        gmtime_r(&now.tv_sec, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
        if (ink_log_json) {
                char tsms[48];
                json_t *o;
                char *line;
                snprintf(tsms, sizeof(tsms), "%s.%03ldZ", ts,
                         now.tv_nsec / 1000000);
                o = json_pack("{s:s,s:s,s:s,s:s}", "ts", tsms, "level",
                              level_name(level), "component", component,
                              "msg", msg);
                line = o ? json_dumps(o, JSON_COMPACT) : NULL;
                if (line)
                        fprintf(stderr, "%s\n", line);
                free(line);
                json_decref(o);
                return;
        }
        fprintf(stderr, "%s.%03ldZ %s %s: %s\n", ts, now.tv_nsec / 1000000,
                level_name(level), component, msg);
}

void ink_panic(const char *file, int line, const char *what) {
        fprintf(stderr, "inkstream: assertion failed at %s:%d: %s\n", file,
                line, what);
        abort();
}

/* The one out-of-memory handler: abort. Kafka offsets of unfinished
 * articles are not committed, so a restart loses nothing. */
static void oom(size_t size) {
        fprintf(stderr, "inkstream: out of memory allocating %zu bytes\n",
                size);
        abort();
}

void *ink_malloc(size_t size) {
        void *p = malloc(size ? size : 1);
        if (!p)
                oom(size);
        return p;
}

void *ink_calloc(size_t n, size_t size) {
        void *p = calloc(n ? n : 1, size ? size : 1);
        if (!p)
                oom(n * size);
        return p;
}

void *ink_realloc(void *p, size_t size) {
        void *q = realloc(p, size ? size : 1);
        if (!q)
                oom(size);
        return q;
}

char *ink_strdup(const char *s) {
        return ink_strndup(s, strlen(s));
}

char *ink_strndup(const char *s, size_t n) {
        char *d = ink_malloc(n + 1);
        memcpy(d, s, n);
        d[n] = '\0';
        return d;
}

int64_t ink_now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t ink_mono_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        unsigned yoe = (unsigned)(y - era * 400);
        unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + (int64_t)doe - 719468;
}

static int read_digits(const char **sp, int n, int *out) {
        int v = 0;
        for (int i = 0; i < n; i++) {
                char c = (*sp)[i];
                if (c < '0' || c > '9')
                        return -1;
                v = v * 10 + (c - '0');
        }
        *sp += n;
        *out = v;
        return 0;
}

int ink_parse_iso8601(const char *s, int64_t *ms) {
        static const int mdays[] = {31, 29, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
        int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0;
        int64_t off_s = 0;

        if (!s || read_digits(&s, 4, &y) || *s++ != '-' ||
            read_digits(&s, 2, &mo) || *s++ != '-' || read_digits(&s, 2, &d))
                return -1;
        if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
                return -1;
        if (*s == 'T' || *s == 't' || *s == ' ') {
                s++;
                if (read_digits(&s, 2, &h) || *s++ != ':' ||
                    read_digits(&s, 2, &mi))
                        return -1;
                if (*s == ':') {
                        s++;
                        if (read_digits(&s, 2, &sec))
                                return -1;
                        if (*s == '.') {
                                int scale = 100;
                                s++;
                                while (*s >= '0' && *s <= '9') {
                                        frac += (*s - '0') * scale;
                                        scale /= 10;
                                        s++;
                                }
                        }
                }
                if (h > 23 || mi > 59 || sec > 60)
                        return -1;
                if (*s == 'Z' || *s == 'z') {
                        s++;
                } else if (*s == '+' || *s == '-') {
                        int sign = *s++ == '-' ? -1 : 1, oh, om = 0;
                        if (read_digits(&s, 2, &oh))
                                return -1;
                        if (*s == ':')
                                s++;
                        if (*s && read_digits(&s, 2, &om))
                                return -1;
                        off_s = sign * (oh * 3600 + om * 60);
                }
        }
        if (*s)
                return -1;
        *ms = (days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
               h * 3600 + mi * 60 + sec - off_s) * 1000 + frac;
        return 0;
}

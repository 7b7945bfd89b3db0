/*
 * Embedded resources: files under data/ and schemas/ compiled into the
 * binary (cmake/InkEmbed.cmake), with an optional override directory.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ink/core.h"

struct ink_res_row {
        const char *name;
        const char *b;
        const char *e;
};
extern const struct ink_res_row ink_res_table[];
extern const size_t ink_res_table_cnt;

/* Files read from INKSTREAM_RESOURCE_DIR, kept for the process's life. */
typedef struct override_s {
        struct override_s *next;
        char *name;
        char *data;
        size_t len;
} override_t;

static override_t *overrides;
static pthread_mutex_t overrides_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *override_get(const char *path, size_t *lenp) {
        const char *dir = getenv("INKSTREAM_RESOURCE_DIR");
        const char *ret = NULL;
        char fpath[4096];
        override_t *o;
        FILE *fp;

        if (!dir || !*dir)
                return NULL;
        pthread_mutex_lock(&overrides_lock);
        for (o = overrides; o; o = o->next)
                if (!strcmp(o->name, path))
                        goto found;
        snprintf(fpath, sizeof(fpath), "%s/%s", dir, path);
        fp = fopen(fpath, "rb");
        if (!fp)
                goto out;
        o = ink_calloc(1, sizeof(*o));
        o->name = ink_strdup(path);
        {
                size_t cap = 65536;
                size_t n;
                o->data = ink_malloc(cap);
                while ((n = fread(o->data + o->len, 1, cap - o->len - 1,
                                  fp)) > 0) {
                        o->len += n;
                        if (o->len + 1 >= cap) {
                                cap *= 2;
                                o->data = ink_realloc(o->data, cap);
                        }
                }
                o->data[o->len] = '\0';
        }
        fclose(fp);
        o->next = overrides;
        overrides = o;
found:
        *lenp = o->len;
        ret = o->data;
out:
        pthread_mutex_unlock(&overrides_lock);
        return ret;
}

const char *ink_resource_get(const char *path, size_t *lenp) {
        const char *s;
        size_t dummy;

        if (!lenp)
                lenp = &dummy;
        if ((s = override_get(path, lenp)))
                return s;
        for (size_t i = 0; i < ink_res_table_cnt; i++) {
                if (!strcmp(ink_res_table[i].name, path)) {
                        *lenp = (size_t)(ink_res_table[i].e -
                                         ink_res_table[i].b);
                        return ink_res_table[i].b;
                }
        }
        return NULL;
}

size_t ink_resource_count(void) {
        return ink_res_table_cnt;
}

const char *ink_resource_name(size_t i) {
        return i < ink_res_table_cnt ? ink_res_table[i].name : NULL;
}

size_t ink_resource_release(void) {
        long pg = sysconf(_SC_PAGESIZE);
        size_t dropped = 0;

        if (pg <= 0)
                return 0;
        for (size_t i = 0; i < ink_res_table_cnt; i++) {
                /* the whole pages inside the resource: its neighbours'
                 * bytes at either end stay resident */
                uintptr_t b = ((uintptr_t)ink_res_table[i].b +
                               (uintptr_t)pg - 1) & ~((uintptr_t)pg - 1);
                uintptr_t e = (uintptr_t)ink_res_table[i].e &
                              ~((uintptr_t)pg - 1);
                /* read-only file pages: dropping them loses nothing, a
                 * later read faults them in again from the binary */
                if (e > b && !madvise((void *)b, e - b, MADV_DONTNEED))
                        dropped += e - b;
        }
        return dropped;
}

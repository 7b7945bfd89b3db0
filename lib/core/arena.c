/*
 * A bump allocator: one per article, everything freed in one call.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "ink/core.h"

typedef struct chunk_s {
        struct chunk_s *next;
        size_t size, used;
        bool big;                 /* one block bigger than a chunk */
        _Alignas(16) unsigned char data[];
} chunk_t;

struct ink_arena_s {
        chunk_t *head;
        size_t chunk_size;
};

static chunk_t *chunk_new(size_t size) {
        chunk_t *c = ink_malloc(sizeof(*c) + size);
        c->next = NULL;
        c->size = size;
        c->used = 0;
        c->big = false;
        return c;
}

ink_arena_t *ink_arena_new(size_t chunk_size) {
        ink_arena_t *a = ink_calloc(1, sizeof(*a));
        a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
        a->head = chunk_new(a->chunk_size);
        return a;
}

void ink_arena_reset(ink_arena_t *a) {
        chunk_t *c = a->head, *next;
        /* keep the last (first allocated) chunk */
        while (c->next) {
                next = c->next;
                free(c);
                c = next;
        }
        c->used = 0;
        c->big = false; /* now shared by new allocations: never grown */
        a->head = c;
}

void ink_arena_destroy(ink_arena_t *a) {
        chunk_t *c, *next;
        if (!a)
                return;
        for (c = a->head; c; c = next) {
                next = c->next;
                free(c);
        }
        free(a);
}

/* @returns \p size bytes from the arena at an offset that is a multiple
 * of \p align: 16, or 8 for strings (a word then costs 8 or 16 bytes,
 * not 16 or 32; packing them byte by byte makes strcmp() slower). */
static void *arena_take(ink_arena_t *a, size_t size, size_t align) {
        chunk_t *c = a->head;
        size_t at = (c->used + align - 1) & ~(align - 1);
        if (size == 0)
                size = 1;
        if (at > c->size || size > c->size - at) {
                size_t csize = size > a->chunk_size ? size : a->chunk_size;
                chunk_t *n = chunk_new(csize);
                if (size > a->chunk_size) {
                        /* a big block: keep the current chunk on top */
                        n->next = c->next;
                        c->next = n;
                        n->used = size;
                        n->big = true;
                        return n->data;
                }
                n->next = c;
                a->head = c = n;
                at = 0;
        }
        void *p = c->data + at;
        c->used = at + size;
        return p;
}

void *ink_arena_alloc(ink_arena_t *a, size_t size) {
        return arena_take(a, size, 16);
}

void *ink_arena_calloc(ink_arena_t *a, size_t n, size_t size) {
        if (size && n > SIZE_MAX / size)
                ink_panic(__FILE__, __LINE__, "arena calloc overflow");
        void *p = ink_arena_alloc(a, n * size);
        memset(p, 0, n * size);
        return p;
}

char *ink_arena_strndup(ink_arena_t *a, const char *s, size_t n) {
        char *d = arena_take(a, n + 1, 8);
        memcpy(d, s, n);
        d[n] = '\0';
        return d;
}

char *ink_arena_strdup(ink_arena_t *a, const char *s) {
        return ink_arena_strndup(a, s, strlen(s));
}

char *ink_arena_sprintf(ink_arena_t *a, const char *fmt, ...) {
        va_list ap, ap2;
        int n;
        char *d;

        va_start(ap, fmt);
        va_copy(ap2, ap);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        d = arena_take(a, (size_t)n + 1, 8);
        vsnprintf(d, (size_t)n + 1, fmt, ap2);
        va_end(ap2);
        return d;
}

/* Grows (or shrinks) the big block \p old (one that has a chunk of its
 * own) in place with realloc, which for large blocks remaps pages instead
 * of copying and leaves no dead copy in the arena; shrinking gives the
 * tail back to the system.  The bytes from \p old_bytes to \p new_bytes
 * are zeroed when growing.
 * @returns the (possibly moved) block, or NULL when \p old is not a big
 * block of \p a (the caller then copies). */
static void *grow_big(ink_arena_t *a, void *old, size_t old_bytes,
                      size_t new_bytes) {
        chunk_t *prev = a->head, *c;

        for (c = prev->next; c; prev = c, c = c->next)
                if ((void *)c->data == old)
                        break;
        if (!c || !c->big || c->size < old_bytes)
                return NULL;
        if (new_bytes > old_bytes && new_bytes <= c->size)
                new_bytes = c->size;
        c = ink_realloc(c, sizeof(*c) + new_bytes);
        if (new_bytes > old_bytes)
                memset(c->data + old_bytes, 0, new_bytes - old_bytes);
        c->size = c->used = new_bytes;
        prev->next = c;
        return c->data;
}

void *ink_arena_grow(ink_arena_t *a, void *old, size_t old_n, size_t new_n,
                     size_t elem) {
        void *p;

        if (elem && new_n > SIZE_MAX / elem)
                ink_panic(__FILE__, __LINE__, "arena grow overflow");
        /* only a block bigger than a chunk can be a chunk of its own */
        if (old && new_n > old_n && new_n * elem > a->chunk_size &&
            (p = grow_big(a, old, old_n * elem, new_n * elem)))
                return p;
        /* shrinking a big block gives its tail back in place; any other
         * block already has the room (a copy would only cost more) */
        if (old && new_n && new_n < old_n) {
                if (old_n * elem > a->chunk_size &&
                    (p = grow_big(a, old, old_n * elem, new_n * elem)))
                        return p;
                return old;
        }
        p = ink_arena_calloc(a, new_n, elem);
        if (old && old_n)
                memcpy(p, old, (old_n < new_n ? old_n : new_n) * elem);
        return p;
}

/*
 * ink_arena_grow on blocks bigger than a chunk: grown in place (realloc),
 * contents kept, the new part zeroed, other allocations untouched; and the
 * overflow check.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "ink/core.h"

Test(arena_grow, big_block_keeps_contents_and_zeroes_the_rest) {
        ink_arena_t *a = ink_arena_new(1024);
        size_t n = 1000, cap = n;
        uint32_t *v = ink_arena_grow(a, NULL, 0, n, sizeof(*v));
        char *before = ink_arena_strdup(a, "before");
        char *after;

        for (size_t i = 0; i < n; i++)
                v[i] = (uint32_t)i * 7u + 1u;
        after = ink_arena_strdup(a, "after");
        /* double a few times, as the tokenizer does, with allocations in
         * between that must stay intact */
        for (int round = 0; round < 4; round++) {
                char *mid;
                cap *= 2;
                v = ink_arena_grow(a, v, n, cap, sizeof(*v));
                for (size_t i = 0; i < n; i++)
                        cr_assert(eq(u32, v[i], (uint32_t)i * 7u + 1u),
                                  "round %d element %zu", round, i);
                for (size_t i = n; i < cap; i++)
                        cr_assert(eq(u32, v[i], 0), "round %d element %zu",
                                  round, i);
                for (size_t i = n; i < cap; i++)
                        v[i] = (uint32_t)i * 7u + 1u;
                n = cap;
                mid = ink_arena_strdup(a, "mid");
                cr_assert(eq(str, mid, "mid"));
        }
        cr_expect(eq(str, before, "before"));
        cr_expect(eq(str, after, "after"));
        ink_arena_destroy(a);
}

/* Growing by less than the used count copies exactly old_n elements and
 * zeroes the rest, even when the block had more capacity than old_n. */
Test(arena_grow, count_below_capacity) {
        ink_arena_t *a = ink_arena_new(256);
        uint8_t *v = ink_arena_grow(a, NULL, 0, 4096, 1);

        memset(v, 0xab, 4096);
        v = ink_arena_grow(a, v, 100, 8192, 1);
        for (size_t i = 0; i < 100; i++)
                cr_assert(eq(u8, v[i], 0xab));
        for (size_t i = 100; i < 8192; i++)
                cr_assert(eq(u8, v[i], 0), "byte %zu", i);
        ink_arena_destroy(a);
}

/* A block that lives inside a shared chunk is copied, never reallocated,
 * even when it starts that chunk and the chunk is no longer the current
 * one: its neighbours stay valid. */
Test(arena_grow, small_block_is_copied) {
        ink_arena_t *a = ink_arena_new(64 * 1024);
        int *v = ink_arena_grow(a, NULL, 0, 8, sizeof(int));
        char *next = ink_arena_strdup(a, "neighbour");

        for (int i = 0; i < 8; i++)
                v[i] = i;
        /* fill the first chunk so that a second one becomes current */
        ink_arena_alloc(a, 40000);
        ink_arena_alloc(a, 40000);
        v = ink_arena_grow(a, v, 8, 100000, sizeof(int));
        for (int i = 0; i < 8; i++)
                cr_assert(eq(int, v[i], i));
        cr_assert(eq(int, v[99999], 0));
        cr_expect(eq(str, next, "neighbour"));
        ink_arena_destroy(a);
}

Test(arena_grow, size_overflow_aborts, .signal = SIGABRT) {
        ink_arena_t *a = ink_arena_new(64);
        ink_arena_grow(a, NULL, 0, SIZE_MAX / 2, 4);
}

/* After a reset the kept chunk may be a former big block; the blocks
 * allocated in it afterwards share it, so growing the first of them must
 * copy, never realloc the chunk under the others. */
Test(arena_grow, reset_big_chunk_is_shared_afterwards) {
        ink_arena_t *a = ink_arena_new(1024);
        char *s;
        int *arr;

        (void)ink_arena_alloc(a, 4096);         /* a big block, the tail */
        (void)ink_arena_alloc(a, 1000);
        (void)ink_arena_alloc(a, 1000);         /* a new head */
        ink_arena_reset(a);                     /* keeps the tail */
        arr = ink_arena_grow(a, NULL, 0, 16, sizeof(int));
        for (int i = 0; i < 16; i++)
                arr[i] = i;
        s = ink_arena_strdup(a, "after the array");
        for (int i = 0; i < 8; i++)
                (void)ink_arena_alloc(a, 1000);
        arr = ink_arena_grow(a, arr, 16, 2048, sizeof(int));
        cr_assert(eq(str, s, "after the array"));
        for (int i = 0; i < 16; i++)
                cr_assert(eq(int, arr[i], i));
        ink_arena_destroy(a);
}

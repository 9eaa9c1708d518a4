/* Bitmaps: arrays of bits stored in 'unsigned long' words, bit 'i' in word
 * i / BITMAP_ULONG_BITS at position i % BITMAP_ULONG_BITS.
 *
 * A bitmap does not know its own size: functions take the number of bits
 * 'n_bits' where they need it, and those that work on whole words
 * (bitmap_equal(), bitmap_count1(), bitmap_scan()) ignore any bits at
 * 'n_bits' and beyond. */
#ifndef LIB_BITMAP_H
#define LIB_BITMAP_H 1

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

#define BITMAP_ULONG_BITS (sizeof(unsigned long) * CHAR_BIT)

/* Number of words needed for 'n_bits' bits. */
static inline size_t
bitmap_n_longs(size_t n_bits)
{
    return DIV_ROUND_UP(n_bits, BITMAP_ULONG_BITS);
}

static inline size_t
bitmap_n_bytes(size_t n_bits)
{
    return bitmap_n_longs(n_bits) * sizeof(unsigned long);
}

static inline unsigned long *
bitmap_word__(const unsigned long *bitmap, size_t idx)
{
    return (unsigned long *) &bitmap[idx / BITMAP_ULONG_BITS];
}

static inline unsigned long
bitmap_bit__(size_t idx)
{
    return 1UL << (idx % BITMAP_ULONG_BITS);
}

/* Mask of the valid bits of the last word of an 'n_bits' bitmap
 * ('n_bits' > 0). */
static inline unsigned long
bitmap_last_word_mask__(size_t n_bits)
{
    size_t rem = n_bits % BITMAP_ULONG_BITS;
    return rem ? (1UL << rem) - 1 : ~0UL;
}

/* Returns a bitmap of 'n_bits' bits, all 0; free with bitmap_free(). */
static inline unsigned long *
bitmap_allocate(size_t n_bits)
{
    return xzalloc(bitmap_n_bytes(n_bits));
}

/* Returns a bitmap of 'n_bits' bits, all 1; free with bitmap_free(). */
static inline unsigned long *
bitmap_allocate1(size_t n_bits)
{
    size_t n_longs = bitmap_n_longs(n_bits);
    unsigned long *bitmap = xmalloc(bitmap_n_bytes(n_bits));
    if (n_longs) {
        memset(bitmap, 0xff, n_longs * sizeof *bitmap);
        bitmap[n_longs - 1] &= bitmap_last_word_mask__(n_bits);
    }
    return bitmap;
}

static inline unsigned long *
bitmap_clone(const unsigned long *bitmap, size_t n_bits)
{
    return xmemdup(bitmap, bitmap_n_bytes(n_bits));
}

static inline void
bitmap_free(unsigned long *bitmap)
{
    free(bitmap);
}

static inline bool
bitmap_is_set(const unsigned long *bitmap, size_t idx)
{
    return (*bitmap_word__(bitmap, idx) & bitmap_bit__(idx)) != 0;
}

static inline unsigned long *
bitmap_set1(unsigned long *bitmap, size_t idx)
{
    *bitmap_word__(bitmap, idx) |= bitmap_bit__(idx);
    return bitmap;
}

static inline unsigned long *
bitmap_set0(unsigned long *bitmap, size_t idx)
{
    *bitmap_word__(bitmap, idx) &= ~bitmap_bit__(idx);
    return bitmap;
}

static inline unsigned long *
bitmap_set(unsigned long *bitmap, size_t idx, bool value)
{
    return value ? bitmap_set1(bitmap, idx) : bitmap_set0(bitmap, idx);
}

/* Sets the 'count' bits starting at 'start' to 'value'. */
static inline void
bitmap_set_multiple(unsigned long *bitmap, size_t start, size_t count,
                    bool value)
{
    while (count > 0) {
        size_t ofs = start % BITMAP_ULONG_BITS;
        size_t n = MIN(count, BITMAP_ULONG_BITS - ofs);
        unsigned long mask =
            (n == BITMAP_ULONG_BITS ? ~0UL : ((1UL << n) - 1) << ofs);
        unsigned long *word = bitmap_word__(bitmap, start);

        *word = value ? *word | mask : *word & ~mask;
        start += n;
        count -= n;
    }
}

/* Returns true if the first 'n_bits' bits of 'a' and 'b' are equal. */
static inline bool
bitmap_equal(const unsigned long *a, const unsigned long *b, size_t n_bits)
{
    size_t n_full = n_bits / BITMAP_ULONG_BITS;
    if (memcmp(a, b, n_full * sizeof *a)) {
        return false;
    }
    if (n_bits % BITMAP_ULONG_BITS) {
        unsigned long mask = bitmap_last_word_mask__(n_bits);
        return !((a[n_full] ^ b[n_full]) & mask);
    }
    return true;
}

/* Returns the index of the first bit in [start, end) whose value is
 * 'target', or 'end' if there is none. */
static inline size_t
bitmap_scan(const unsigned long *bitmap, bool target, size_t start, size_t end)
{
    unsigned long flip = target ? 0 : ~0UL;

    if (start >= end) {
        return end;
    }
    size_t idx = start - start % BITMAP_ULONG_BITS;
    unsigned long word = ((bitmap[idx / BITMAP_ULONG_BITS] ^ flip)
                          & (~0UL << (start % BITMAP_ULONG_BITS)));
    for (;;) {
        if (word) {
            idx += __builtin_ctzl(word);
            return MIN(idx, end);
        }
        idx += BITMAP_ULONG_BITS;
        if (idx >= end) {
            return end;
        }
        word = bitmap[idx / BITMAP_ULONG_BITS] ^ flip;
    }
}

/* Returns the number of 1-bits among the first 'n_bits' bits. */
static inline size_t
bitmap_count1(const unsigned long *bitmap, size_t n_bits)
{
    size_t n_full = n_bits / BITMAP_ULONG_BITS;
    size_t count = 0;

    for (size_t i = 0; i < n_full; i++) {
        count += __builtin_popcountl(bitmap[i]);
    }
    if (n_bits % BITMAP_ULONG_BITS) {
        count += __builtin_popcountl(bitmap[n_full]
                                     & bitmap_last_word_mask__(n_bits));
    }
    return count;
}

static inline bool
bitmap_is_all_zeros(const unsigned long *bitmap, size_t n_bits)
{
    return bitmap_scan(bitmap, true, 0, n_bits) == n_bits;
}

/* Iterates IDX (a size_t) over the indexes of the 1-bits of BITMAP below
 * N_BITS, in increasing order. */
#define BITMAP_FOR_EACH_1(IDX, N_BITS, BITMAP)                                \
    for ((IDX) = bitmap_scan(BITMAP, true, 0, N_BITS); (IDX) < (N_BITS);      \
         (IDX) = bitmap_scan(BITMAP, true, (IDX) + 1, N_BITS))

#endif /* lib/bitmap.h */

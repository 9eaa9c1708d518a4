#include "lib/hash-order.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/hash.h"
#include "lib/util.h"

size_t
hash_order_mask(size_t n)
{
    size_t mask = n / 2;

    for (unsigned int shift = 1; shift < sizeof mask * 8; shift *= 2) {
        mask |= mask >> shift;
    }
    mask |= (mask & 1) << 1;
    return mask;
}

/* Chains are kept as indexes into 'next', SIZE_MAX ending a chain. */
static void
hash_order_push(size_t *buckets, size_t mask, size_t *next,
                const uint32_t *hashes, size_t i)
{
    size_t *head = &buckets[hashes[i] & mask];

    next[i] = *head;
    *head = i;
}

/* Tables of up to this many entries are ordered without allocating: the
 * records of most transactions, and their rows, are that small. */
#define HASH_ORDER_SMALL 64

void
hash_order_hashes(const uint32_t *hashes, size_t n, size_t *order)
{
    if (n < 2) {
        if (n) {
            order[0] = 0;
        }
        return;
    }

    /* hash_order_mask(HASH_ORDER_SMALL) + 1 buckets at most, twice: the
     * old ones and the new ones while the table grows. */
    size_t small_next[HASH_ORDER_SMALL];
    size_t small_buckets[2][HASH_ORDER_SMALL];
    bool small = n <= HASH_ORDER_SMALL;
    size_t *next = small ? small_next : xmalloc(n * sizeof *next);
    size_t mask = 0;
    size_t *buckets = small ? small_buckets[0] : xmalloc(sizeof *buckets);

    buckets[0] = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        hash_order_push(buckets, mask, next, hashes, i);

        size_t count = i + 1;
        if (count / 2 > mask) {
            size_t new_mask = hash_order_mask(count);
            if (new_mask > mask) {
                size_t *new_buckets =
                    (small ? small_buckets[buckets == small_buckets[0]]
                           : xmalloc((new_mask + 1) * sizeof *new_buckets));
                for (size_t b = 0; b <= new_mask; b++) {
                    new_buckets[b] = SIZE_MAX;
                }
                for (size_t b = 0; b <= mask; b++) {
                    size_t j = buckets[b];
                    while (j != SIZE_MAX) {
                        size_t following = next[j];
                        hash_order_push(new_buckets, new_mask, next, hashes,
                                        j);
                        j = following;
                    }
                }
                if (!small) {
                    free(buckets);
                }
                buckets = new_buckets;
                mask = new_mask;
            }
        }
    }

    size_t k = 0;
    for (size_t b = 0; b <= mask; b++) {
        for (size_t j = buckets[b]; j != SIZE_MAX; j = next[j]) {
            order[k++] = j;
        }
    }

    if (!small) {
        free(buckets);
        free(next);
    }
}

void
hash_order_strings(const char **names, size_t n)
{
    if (n < 2) {
        return;
    }

    uint32_t *hashes = xmalloc(n * sizeof *hashes);
    for (size_t i = 0; i < n; i++) {
        hashes[i] = hash_string(names[i], 0);
    }
    size_t *order = xmalloc(n * sizeof *order);
    hash_order_hashes(hashes, n, order);

    const char **sorted = xmalloc(n * sizeof *sorted);
    for (size_t i = 0; i < n; i++) {
        sorted[i] = names[order[i]];
    }
    for (size_t i = 0; i < n; i++) {
        names[i] = sorted[i];
    }

    free(sorted);
    free(order);
    free(hashes);
}

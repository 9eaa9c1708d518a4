#include "lib/hmap.h"

#include <stdlib.h>
#include <string.h>

void
hmap_init(struct hmap *hmap)
{
    hmap->buckets = &hmap->one;
    hmap->one = NULL;
    hmap->mask = 0;
    hmap->n = 0;
}

void
hmap_destroy(struct hmap *hmap)
{
    if (hmap && hmap->buckets != &hmap->one) {
        free(hmap->buckets);
    }
}

/* Forgets every node without touching them (the caller owns them). */
void
hmap_clear(struct hmap *hmap)
{
    if (hmap->n > 0) {
        hmap->n = 0;
        memset(hmap->buckets, 0, (hmap->mask + 1) * sizeof *hmap->buckets);
    }
}

void
hmap_swap(struct hmap *a, struct hmap *b)
{
    struct hmap tmp = *a;
    *a = *b;
    *b = tmp;
    hmap_moved(a);
    hmap_moved(b);
}

/* Fixes up 'hmap' after its struct was moved in memory (by memcpy or
 * assignment): the single inline bucket must point at its new home. */
void
hmap_moved(struct hmap *hmap)
{
    if (!hmap->mask) {
        hmap->buckets = &hmap->one;
    }
}

static void
hmap_resize(struct hmap *hmap, size_t new_mask)
{
    struct hmap tmp;

    tmp.mask = new_mask;
    tmp.n = 0;
    if (new_mask) {
        tmp.buckets = xcalloc(new_mask + 1, sizeof *tmp.buckets);
    } else {
        tmp.buckets = &tmp.one;
        tmp.one = NULL;
    }
    for (size_t i = 0; i <= hmap->mask; i++) {
        struct hmap_node *node, *next;
        for (node = hmap->buckets[i]; node; node = next) {
            next = node->next;
            hmap_insert_fast(&tmp, node, node->hash);
        }
    }
    hmap_swap(hmap, &tmp);
    hmap_destroy(&tmp);
}

/* Returns the mask for a table that holds 'capacity' nodes at no more than
 * two nodes per bucket on average. */
static size_t
calc_mask(size_t capacity)
{
    size_t buckets = capacity / 2;
    if (buckets <= 1) {
        return buckets ? 1 : 0;
    }
    return util_round_up_pow2(buckets) - 1;
}

void
hmap_expand_(struct hmap *hmap)
{
    size_t new_mask = calc_mask(hmap->n);
    if (new_mask > hmap->mask) {
        hmap_resize(hmap, new_mask);
    }
}

void
hmap_reserve(struct hmap *hmap, size_t n)
{
    size_t new_mask = calc_mask(n);
    if (new_mask > hmap->mask) {
        hmap_resize(hmap, new_mask);
    }
}

void
hmap_shrink(struct hmap *hmap)
{
    size_t new_mask = calc_mask(hmap->n);
    if (new_mask < hmap->mask) {
        hmap_resize(hmap, new_mask);
    }
}

void
hmap_replace(struct hmap *hmap, const struct hmap_node *old_node,
             struct hmap_node *new_node)
{
    struct hmap_node **p = &hmap->buckets[old_node->hash & hmap->mask];
    while (*p != old_node) {
        p = &(*p)->next;
    }
    new_node->hash = old_node->hash;
    new_node->next = old_node->next;
    *p = new_node;
}

bool
hmap_contains(const struct hmap *hmap, const struct hmap_node *node)
{
    const struct hmap_node *p;
    for (p = hmap_first_with_hash(hmap, node->hash); p;
         p = hmap_next_with_hash(p)) {
        if (p == node) {
            return true;
        }
    }
    return false;
}

static struct hmap_node *
first_from_bucket(const struct hmap *hmap, size_t bucket)
{
    for (; bucket <= hmap->mask; bucket++) {
        if (hmap->buckets[bucket]) {
            return hmap->buckets[bucket];
        }
    }
    return NULL;
}

struct hmap_node *
hmap_first(const struct hmap *hmap)
{
    return first_from_bucket(hmap, 0);
}

struct hmap_node *
hmap_next(const struct hmap *hmap, const struct hmap_node *node)
{
    return (node->next
                ? node->next
                : first_from_bucket(hmap, (node->hash & hmap->mask) + 1));
}

struct hmap_node *
hmap_random_node(const struct hmap *hmap)
{
    ovs_assert(hmap->n > 0);
    struct hmap_node *bucket;
    do {
        bucket = hmap->buckets[random() & hmap->mask];
    } while (!bucket);

    size_t n = 0;
    for (struct hmap_node *node = bucket; node; node = node->next) {
        n++;
    }
    size_t k = random() % n;
    struct hmap_node *node = bucket;
    while (k--) {
        node = node->next;
    }
    return node;
}

struct hmap_node *
hmap_at_position(const struct hmap *hmap, struct hmap_position *pos)
{
    for (size_t b = pos->bucket; b <= hmap->mask; b++) {
        size_t offset = b == pos->bucket ? pos->offset : 0;
        struct hmap_node *node = hmap->buckets[b];
        for (size_t i = 0; node && i < offset; i++) {
            node = node->next;
        }
        if (node) {
            pos->bucket = b;
            pos->offset = offset + 1;
            return node;
        }
    }
    pos->bucket = hmap->mask + 1;
    pos->offset = 0;
    return NULL;
}

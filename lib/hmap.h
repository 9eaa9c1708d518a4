/* Intrusive hash map: the caller embeds a 'struct hmap_node' in its own
 * struct, computes the hash, and compares keys itself.  The map only
 * chains nodes into buckets and resizes (power-of-two bucket counts).
 *
 * Iteration order is unspecified.  Inserting may resize, which does not
 * move nodes, so pointers to elements stay valid. */
#ifndef LIB_HMAP_H
#define LIB_HMAP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"

struct hmap_node {
    uint32_t hash;
    struct hmap_node *next; /* Next in the same bucket. */
};

struct hmap {
    struct hmap_node **buckets; /* 'mask + 1' buckets. */
    struct hmap_node *one;      /* Storage for the single initial bucket. */
    size_t mask;
    size_t n; /* Number of nodes. */
};

#define HMAP_INITIALIZER(HMAP)                                                \
    {                                                                         \
        .buckets = &(HMAP)->one, .one = NULL, .mask = 0, .n = 0               \
    }

void hmap_init(struct hmap *);
void hmap_destroy(struct hmap *);
void hmap_clear(struct hmap *);
void hmap_swap(struct hmap *, struct hmap *);
void hmap_moved(struct hmap *);

static inline size_t
hmap_count(const struct hmap *hmap)
{
    return hmap->n;
}
static inline bool
hmap_is_empty(const struct hmap *hmap)
{
    return !hmap->n;
}

/* Makes room for at least 'n' nodes without further resizing. */
void hmap_reserve(struct hmap *, size_t n);
/* Shrinks the bucket array if it is much bigger than needed. */
void hmap_shrink(struct hmap *);

void hmap_expand_(struct hmap *);

static inline void
hmap_insert_fast(struct hmap *hmap, struct hmap_node *node, uint32_t hash)
{
    struct hmap_node **bucket = &hmap->buckets[hash & hmap->mask];
    node->hash = hash;
    node->next = *bucket;
    *bucket = node;
    hmap->n++;
}

/* Inserts 'node' with 'hash'.  Duplicates are allowed; the caller decides
 * whether they make sense. */
static inline void
hmap_insert(struct hmap *hmap, struct hmap_node *node, uint32_t hash)
{
    hmap_insert_fast(hmap, node, hash);
    if (hmap->n / 2 > hmap->mask) {
        hmap_expand_(hmap);
    }
}

/* Removes 'node', which must be in 'hmap'. */
static inline void
hmap_remove(struct hmap *hmap, struct hmap_node *node)
{
    struct hmap_node **p = &hmap->buckets[node->hash & hmap->mask];
    while (*p != node) {
        p = &(*p)->next;
    }
    *p = node->next;
    hmap->n--;
}

/* Puts 'new_node' in the place of 'old_node', which must have the same
 * hash. */
void hmap_replace(struct hmap *, const struct hmap_node *old_node,
                  struct hmap_node *new_node);

/* Returns true if 'node' is in 'hmap' (linear in its bucket). */
bool hmap_contains(const struct hmap *, const struct hmap_node *);

/* Returns the first node with 'hash' (or NULL); continue with
 * hmap_next_with_hash(). */
static inline struct hmap_node *
hmap_next_with_hash__(const struct hmap_node *node, uint32_t hash)
{
    while (node && node->hash != hash) {
        node = node->next;
    }
    return (struct hmap_node *) node;
}

static inline struct hmap_node *
hmap_first_with_hash(const struct hmap *hmap, uint32_t hash)
{
    return hmap_next_with_hash__(hmap->buckets[hash & hmap->mask], hash);
}

static inline struct hmap_node *
hmap_next_with_hash(const struct hmap_node *node)
{
    return hmap_next_with_hash__(node->next, node->hash);
}

/* Returns the first node in iteration order, or NULL if empty. */
struct hmap_node *hmap_first(const struct hmap *);
/* Returns the node after 'node' in iteration order, or NULL. */
struct hmap_node *hmap_next(const struct hmap *, const struct hmap_node *);

/* Returns some node at random, for sampling; 'hmap' must not be empty. */
struct hmap_node *hmap_random_node(const struct hmap *);

/* Position for resumable iteration across calls (e.g. dumps that yield to
 * the main loop): 'bucket' then 'offset' nodes into the bucket. */
struct hmap_position {
    size_t bucket;
    size_t offset;
};
struct hmap_node *hmap_at_position(const struct hmap *,
                                   struct hmap_position *);

/* Iteration.  NODE is a pointer to the containing struct, MEMBER the name
 * of its 'struct hmap_node' member.  The _SAFE form allows removing NODE
 * during the loop; _POP removes each node before the body sees it. */
#define HMAP_NODE_TO_OBJ__(HNODE, NODE, MEMBER)                               \
    ((HNODE) ? OBJECT_CONTAINING(HNODE, NODE, MEMBER) : NULL)

#define HMAP_FOR_EACH(NODE, MEMBER, HMAP)                                     \
    for ((NODE) = HMAP_NODE_TO_OBJ__(hmap_first(HMAP), NODE, MEMBER);         \
         (NODE) != NULL; (NODE) = HMAP_NODE_TO_OBJ__(                         \
                             hmap_next(HMAP, &(NODE)->MEMBER), NODE, MEMBER))

#define HMAP_FOR_EACH_SAFE(NODE, NEXT, MEMBER, HMAP)                          \
    for ((NODE) = HMAP_NODE_TO_OBJ__(hmap_first(HMAP), NODE, MEMBER);         \
         ((NODE) != NULL                                                      \
              ? ((NEXT) = HMAP_NODE_TO_OBJ__(                                 \
                     hmap_next(HMAP, &(NODE)->MEMBER), NODE, MEMBER),         \
                1)                                                            \
              : 0);                                                           \
         (NODE) = (NEXT))

#define HMAP_FOR_EACH_WITH_HASH(NODE, MEMBER, HASH, HMAP)                     \
    for ((NODE) = HMAP_NODE_TO_OBJ__(hmap_first_with_hash(HMAP, HASH), NODE,  \
                                     MEMBER);                                 \
         (NODE) != NULL;                                                      \
         (NODE) = HMAP_NODE_TO_OBJ__(hmap_next_with_hash(&(NODE)->MEMBER),    \
                                     NODE, MEMBER))

/* Removes and returns a node of 'hmap', searching from bucket '*bucket'
 * on and leaving '*bucket' where it found one; NULL once 'hmap' is empty.
 * Resuming where the last search stopped makes emptying a map with
 * HMAP_FOR_EACH_POP linear in its size (starting each search at bucket 0
 * made it quadratic). */
struct hmap_pop_cursor__ {
    size_t bucket;
    struct hmap_node *node;
};

static inline struct hmap_node *
hmap_pop_helper__(struct hmap *hmap, size_t *bucket)
{
    while (hmap->n) {
        for (; *bucket <= hmap->mask; (*bucket)++) {
            struct hmap_node *node = hmap->buckets[*bucket];
            if (node) {
                hmap->buckets[*bucket] = node->next;
                hmap->n--;
                return node;
            }
        }
        /* The loop body inserted behind the cursor: search again. */
        *bucket = 0;
    }
    return NULL;
}

#define HMAP_FOR_EACH_POP(NODE, MEMBER, HMAP)                                 \
    for (struct hmap_pop_cursor__ hmap_pop__ = {0, NULL};                     \
         (hmap_pop__.node = hmap_pop_helper__(HMAP, &hmap_pop__.bucket),      \
         (NODE) = HMAP_NODE_TO_OBJ__(hmap_pop__.node, NODE, MEMBER))          \
         != NULL;)

#endif /* lib/hmap.h */

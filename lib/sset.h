/* Set of strings (each stored once, copied in). */
#ifndef LIB_SSET_H
#define LIB_SSET_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/hmap.h"

struct sset_node {
    struct hmap_node hmap_node;
    char name[];
};

struct sset {
    struct hmap map;
};

#define SSET_INITIALIZER(SSET)                                                \
    {                                                                         \
        HMAP_INITIALIZER(&(SSET)->map)                                        \
    }

void sset_init(struct sset *);
void sset_destroy(struct sset *);
void sset_clone(struct sset *dst, const struct sset *src);
void sset_swap(struct sset *, struct sset *);
void sset_moved(struct sset *);
void sset_clear(struct sset *);

static inline size_t
sset_count(const struct sset *s)
{
    return hmap_count(&s->map);
}
static inline bool
sset_is_empty(const struct sset *s)
{
    return hmap_is_empty(&s->map);
}

/* Adds 'name' if not present; returns its node, or NULL if it was there. */
struct sset_node *sset_add(struct sset *, const char *name);
struct sset_node *sset_add_and_free(struct sset *, char *name);
void sset_add_assert(struct sset *, const char *name);
void sset_add_array(struct sset *, char **names, size_t n);

bool sset_contains(const struct sset *, const char *name);
struct sset_node *sset_find(const struct sset *, const char *name);
void sset_delete(struct sset *, struct sset_node *);
bool sset_find_and_delete(struct sset *, const char *name);
/* Removes and returns an arbitrary element (caller frees), or NULL. */
char *sset_pop(struct sset *);

bool sset_equals(const struct sset *, const struct sset *);

/* Returns the elements as a sorted array of pointers into the set,
 * 'sset_count()' long; the caller frees the array, not the strings. */
const char **sset_sort(const struct sset *);

#define SSET_NODE_FROM_HMAP_NODE__(HNODE)                                     \
    ((HNODE) ? CONTAINER_OF(HNODE, struct sset_node, hmap_node) : NULL)
#define SSET_NAME_FROM_HMAP_NODE__(HNODE)                                     \
    ((HNODE) ? CONTAINER_OF(HNODE, struct sset_node, hmap_node)->name : NULL)

static inline struct hmap_node *
sset_next__(const struct sset *set, const char *name)
{
    const struct sset_node *node = CONTAINER_OF(name, struct sset_node, name);
    return hmap_next(&set->map, &node->hmap_node);
}

#define SSET_FOR_EACH(NAME, SSET)                                             \
    for ((NAME) = SSET_NAME_FROM_HMAP_NODE__(hmap_first(&(SSET)->map));       \
         (NAME) != NULL;                                                      \
         (NAME) = SSET_NAME_FROM_HMAP_NODE__(sset_next__(SSET, NAME)))

/* Allows deleting NAME (with sset_find_and_delete) inside the loop. */
#define SSET_FOR_EACH_SAFE(NAME, NEXT, SSET)                                  \
    for ((NAME) = SSET_NAME_FROM_HMAP_NODE__(hmap_first(&(SSET)->map));       \
         ((NAME) != NULL ? (                                                  \
              (NEXT) = SSET_NAME_FROM_HMAP_NODE__(sset_next__(SSET, NAME)),   \
             1)                                                               \
                         : 0);                                                \
         (NAME) = (NEXT))

#endif /* lib/sset.h */

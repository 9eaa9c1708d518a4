/* String-to-string map with unique keys, the shape of OVSDB columns such as
 * "other_config" and "external_ids".
 *
 * Keys and values are copied in (or, with the _nocopy forms, adopted) and
 * owned by the map.  Iteration with SMAP_FOR_EACH is in unspecified order;
 * smap_sort() gives the nodes ordered by key for output that people and
 * tests compare. */
#ifndef LIB_SMAP_H
#define LIB_SMAP_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/hmap.h"
#include "lib/util.h"

struct smap_node {
    struct hmap_node hmap_node; /* In struct smap's 'map'. */
    char *key;                  /* Owned by the map. */
    char *value;                /* Owned by the map. */
};

struct smap {
    struct hmap map; /* Contains "struct smap_node"s. */
};

#define SMAP_INITIALIZER(SMAP)                                                \
    {                                                                         \
        HMAP_INITIALIZER(&(SMAP)->map)                                        \
    }

void smap_init(struct smap *);
/* Frees every key and value; 'smap' may be NULL. */
void smap_destroy(struct smap *);
/* Removes every entry, leaving 'smap' empty but usable. */
void smap_clear(struct smap *);
/* Initializes 'dst' as a copy of 'src'. */
void smap_clone(struct smap *dst, const struct smap *src);
void smap_swap(struct smap *, struct smap *);
/* Fixes up 'smap' after its struct was moved in memory. */
void smap_moved(struct smap *);

static inline size_t
smap_count(const struct smap *smap)
{
    return hmap_count(&smap->map);
}

static inline bool
smap_is_empty(const struct smap *smap)
{
    return hmap_is_empty(&smap->map);
}

/* Adds 'key' mapped to 'value' and returns the new node.  'key' must not
 * already be in 'smap' (checked: keys are unique); use smap_replace() to
 * add or overwrite. */
struct smap_node *smap_add(struct smap *, const char *key, const char *value);
/* Like smap_add() but takes ownership of the malloc'd 'key' and 'value'. */
struct smap_node *smap_add_nocopy(struct smap *, char *key, char *value);
/* Like smap_add() with a printf-formatted value. */
struct smap_node *smap_add_format(struct smap *, const char *key,
                                  const char *format, ...) PRINTF_FORMAT(3, 4);
/* Adds 'key' mapped to 'value' if 'key' is not yet in 'smap' and returns
 * true; otherwise leaves 'smap' unchanged and returns false.  For input
 * that may repeat a key, where the first occurrence wins. */
bool smap_add_once(struct smap *, const char *key, const char *value);

/* Maps 'key' to 'value', adding 'key' or overwriting its old value. */
void smap_replace(struct smap *, const char *key, const char *value);
/* Like smap_replace() but takes ownership of the malloc'd 'value'. */
void smap_replace_nocopy(struct smap *, const char *key, char *value);

/* Removes 'key' and returns true, or returns false if it was absent. */
bool smap_remove(struct smap *, const char *key);
/* Removes 'node', which must be in 'smap', and frees it. */
void smap_remove_node(struct smap *, struct smap_node *);
/* Removes 'node' from 'smap', frees its key and node, and returns its
 * value, which the caller now owns. */
char *smap_steal(struct smap *, struct smap_node *);

/* Returns the value of 'key', or NULL if 'key' is absent. */
const char *smap_get(const struct smap *, const char *key);
/* Returns the value of 'key', or 'def' if 'key' is absent. */
const char *smap_get_def(const struct smap *, const char *key,
                         const char *def);
struct smap_node *smap_get_node(const struct smap *, const char *key);
bool smap_contains(const struct smap *, const char *key);

/* Typed getters: each returns 'def' if 'key' is absent or its value is not
 * a valid decimal number of the type (trailing junk and out-of-range
 * values count as invalid). */
int smap_get_int(const struct smap *, const char *key, int def);
unsigned int smap_get_uint(const struct smap *, const char *key,
                           unsigned int def);
unsigned long long smap_get_ullong(const struct smap *, const char *key,
                                   unsigned long long def);
/* Returns true for the value "true", false for "false" (in any letter
 * case), and 'def' if 'key' is absent or has any other value. */
bool smap_get_bool(const struct smap *, const char *key, bool def);

/* Returns true if 'a' and 'b' have the same keys with the same values. */
bool smap_equal(const struct smap *a, const struct smap *b);

/* Returns the nodes in 'smap' sorted by key (strcmp order) as an array of
 * smap_count() pointers into the map, or NULL if the map is empty.  The
 * caller frees the array, not the nodes; it is valid until 'smap' is
 * modified. */
const struct smap_node **smap_sort(const struct smap *);

#define SMAP_NODE_FROM_HMAP_NODE__(HNODE)                                     \
    ((HNODE) ? CONTAINER_OF(HNODE, struct smap_node, hmap_node) : NULL)

/* Iterates NODE (a "struct smap_node *") over every entry of SMAP. */
#define SMAP_FOR_EACH(NODE, SMAP)                                             \
    for ((NODE) = SMAP_NODE_FROM_HMAP_NODE__(hmap_first(&(SMAP)->map));       \
         (NODE) != NULL; (NODE) = SMAP_NODE_FROM_HMAP_NODE__(                 \
                             hmap_next(&(SMAP)->map, &(NODE)->hmap_node)))

/* Like SMAP_FOR_EACH, but the body may remove NODE (smap_remove_node(),
 * smap_steal()). */
#define SMAP_FOR_EACH_SAFE(NODE, NEXT, SMAP)                                  \
    for ((NODE) = SMAP_NODE_FROM_HMAP_NODE__(hmap_first(&(SMAP)->map));       \
         ((NODE) != NULL ? ((NEXT) = SMAP_NODE_FROM_HMAP_NODE__(              \
                                hmap_next(&(SMAP)->map, &(NODE)->hmap_node)), \
                           1)                                                 \
                         : 0);                                                \
         (NODE) = (NEXT))

#endif /* lib/smap.h */

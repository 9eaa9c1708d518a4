#include "lib/sset.h"

#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"

void
sset_init(struct sset *set)
{
    hmap_init(&set->map);
}

void
sset_destroy(struct sset *set)
{
    if (set) {
        sset_clear(set);
        hmap_destroy(&set->map);
    }
}

void
sset_clone(struct sset *dst, const struct sset *src)
{
    sset_init(dst);
    hmap_reserve(&dst->map, sset_count(src));
    const char *name;
    SSET_FOR_EACH (name, src) {
        sset_add(dst, name);
    }
}

void
sset_swap(struct sset *a, struct sset *b)
{
    hmap_swap(&a->map, &b->map);
}

void
sset_moved(struct sset *set)
{
    hmap_moved(&set->map);
}

void
sset_clear(struct sset *set)
{
    struct sset_node *node;
    HMAP_FOR_EACH_POP (node, hmap_node, &set->map) {
        free(node);
    }
}

static struct sset_node *
sset_find__(const struct sset *set, const char *name, size_t len,
            uint32_t hash)
{
    struct sset_node *node;
    HMAP_FOR_EACH_WITH_HASH (node, hmap_node, hash, &set->map) {
        if (!strncmp(node->name, name, len) && !node->name[len]) {
            return node;
        }
    }
    return NULL;
}

struct sset_node *
sset_find(const struct sset *set, const char *name)
{
    size_t len = strlen(name);
    return sset_find__(set, name, len, hash_bytes(name, len, 0));
}

bool
sset_contains(const struct sset *set, const char *name)
{
    return sset_find(set, name) != NULL;
}

struct sset_node *
sset_add(struct sset *set, const char *name)
{
    size_t len = strlen(name);
    uint32_t hash = hash_bytes(name, len, 0);
    if (sset_find__(set, name, len, hash)) {
        return NULL;
    }
    struct sset_node *node = xmalloc(sizeof *node + len + 1);
    memcpy(node->name, name, len + 1);
    hmap_insert(&set->map, &node->hmap_node, hash);
    return node;
}

struct sset_node *
sset_add_and_free(struct sset *set, char *name)
{
    struct sset_node *node = sset_add(set, name);
    free(name);
    return node;
}

void
sset_add_assert(struct sset *set, const char *name)
{
    ovs_assert(sset_add(set, name));
}

void
sset_add_array(struct sset *set, char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sset_add(set, names[i]);
    }
}

void
sset_delete(struct sset *set, struct sset_node *node)
{
    hmap_remove(&set->map, &node->hmap_node);
    free(node);
}

bool
sset_find_and_delete(struct sset *set, const char *name)
{
    struct sset_node *node = sset_find(set, name);
    if (node) {
        sset_delete(set, node);
    }
    return node != NULL;
}

char *
sset_pop(struct sset *set)
{
    if (sset_is_empty(set)) {
        return NULL;
    }
    struct sset_node *node =
        CONTAINER_OF(hmap_first(&set->map), struct sset_node, hmap_node);
    char *name = xstrdup(node->name);
    sset_delete(set, node);
    return name;
}

bool
sset_equals(const struct sset *a, const struct sset *b)
{
    if (sset_count(a) != sset_count(b)) {
        return false;
    }
    const char *name;
    SSET_FOR_EACH (name, a) {
        if (!sset_contains(b, name)) {
            return false;
        }
    }
    return true;
}

const char **
sset_sort(const struct sset *set)
{
    size_t n = sset_count(set);
    const char **array = xmalloc(n * sizeof *array);
    size_t i = 0;
    const char *name;
    SSET_FOR_EACH (name, set) {
        array[i++] = name;
    }
    qsort(array, n, sizeof *array, str_compare_ptrs);
    return array;
}

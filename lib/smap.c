#include "lib/smap.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/hash.h"

void
smap_init(struct smap *smap)
{
    hmap_init(&smap->map);
}

void
smap_destroy(struct smap *smap)
{
    if (smap) {
        smap_clear(smap);
        hmap_destroy(&smap->map);
    }
}

static void
smap_node_free(struct smap_node *node)
{
    free(node->key);
    free(node->value);
    free(node);
}

void
smap_clear(struct smap *smap)
{
    struct smap_node *node;
    HMAP_FOR_EACH_POP (node, hmap_node, &smap->map) {
        smap_node_free(node);
    }
}

void
smap_clone(struct smap *dst, const struct smap *src)
{
    const struct smap_node *node;

    smap_init(dst);
    hmap_reserve(&dst->map, smap_count(src));
    SMAP_FOR_EACH (node, src) {
        struct smap_node *copy = xmalloc(sizeof *copy);
        copy->key = xstrdup(node->key);
        copy->value = xstrdup(node->value);
        /* Keys of 'src' are already unique and their hash is known. */
        hmap_insert(&dst->map, &copy->hmap_node, node->hmap_node.hash);
    }
}

void
smap_swap(struct smap *a, struct smap *b)
{
    hmap_swap(&a->map, &b->map);
}

void
smap_moved(struct smap *smap)
{
    hmap_moved(&smap->map);
}

static struct smap_node *
smap_find__(const struct smap *smap, const char *key, uint32_t hash)
{
    struct smap_node *node;
    HMAP_FOR_EACH_WITH_HASH (node, hmap_node, hash, &smap->map) {
        if (!strcmp(node->key, key)) {
            return node;
        }
    }
    return NULL;
}

static uint32_t
smap_hash_key(const char *key)
{
    return hash_string(key, 0);
}

static struct smap_node *
smap_insert__(struct smap *smap, char *key, char *value, uint32_t hash)
{
    struct smap_node *node = xmalloc(sizeof *node);
    node->key = key;
    node->value = value;
    hmap_insert(&smap->map, &node->hmap_node, hash);
    return node;
}

struct smap_node *
smap_add_nocopy(struct smap *smap, char *key, char *value)
{
    uint32_t hash = smap_hash_key(key);
    ovs_assert(!smap_find__(smap, key, hash));
    return smap_insert__(smap, key, value, hash);
}

struct smap_node *
smap_add(struct smap *smap, const char *key, const char *value)
{
    return smap_add_nocopy(smap, xstrdup(key), xstrdup(value));
}

struct smap_node *
smap_add_format(struct smap *smap, const char *key, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *value = xvasprintf(format, args);
    va_end(args);
    return smap_add_nocopy(smap, xstrdup(key), value);
}

bool
smap_add_once(struct smap *smap, const char *key, const char *value)
{
    uint32_t hash = smap_hash_key(key);
    if (smap_find__(smap, key, hash)) {
        return false;
    }
    smap_insert__(smap, xstrdup(key), xstrdup(value), hash);
    return true;
}

void
smap_replace_nocopy(struct smap *smap, const char *key, char *value)
{
    uint32_t hash = smap_hash_key(key);
    struct smap_node *node = smap_find__(smap, key, hash);
    if (node) {
        free(node->value);
        node->value = value;
    } else {
        smap_insert__(smap, xstrdup(key), value, hash);
    }
}

void
smap_replace(struct smap *smap, const char *key, const char *value)
{
    smap_replace_nocopy(smap, key, xstrdup(value));
}

void
smap_remove_node(struct smap *smap, struct smap_node *node)
{
    hmap_remove(&smap->map, &node->hmap_node);
    smap_node_free(node);
}

bool
smap_remove(struct smap *smap, const char *key)
{
    struct smap_node *node = smap_get_node(smap, key);
    if (node) {
        smap_remove_node(smap, node);
    }
    return node != NULL;
}

char *
smap_steal(struct smap *smap, struct smap_node *node)
{
    char *value = node->value;
    hmap_remove(&smap->map, &node->hmap_node);
    free(node->key);
    free(node);
    return value;
}

struct smap_node *
smap_get_node(const struct smap *smap, const char *key)
{
    return smap_find__(smap, key, smap_hash_key(key));
}

const char *
smap_get(const struct smap *smap, const char *key)
{
    const struct smap_node *node = smap_get_node(smap, key);
    return node ? node->value : NULL;
}

const char *
smap_get_def(const struct smap *smap, const char *key, const char *def)
{
    const char *value = smap_get(smap, key);
    return value ? value : def;
}

bool
smap_contains(const struct smap *smap, const char *key)
{
    return smap_get_node(smap, key) != NULL;
}

int
smap_get_int(const struct smap *smap, const char *key, int def)
{
    const char *value = smap_get(smap, key);
    int i;
    return value && str_to_int(value, 10, &i) ? i : def;
}

unsigned int
smap_get_uint(const struct smap *smap, const char *key, unsigned int def)
{
    const char *value = smap_get(smap, key);
    unsigned int u;
    return value && str_to_uint(value, 10, &u) ? u : def;
}

unsigned long long
smap_get_ullong(const struct smap *smap, const char *key,
                unsigned long long def)
{
    const char *value = smap_get(smap, key);
    unsigned long long ull;
    return value && str_to_ullong(value, 10, &ull) ? ull : def;
}

bool
smap_get_bool(const struct smap *smap, const char *key, bool def)
{
    const char *value = smap_get(smap, key);
    if (value && !strcasecmp(value, "true")) {
        return true;
    } else if (value && !strcasecmp(value, "false")) {
        return false;
    }
    return def;
}

bool
smap_equal(const struct smap *a, const struct smap *b)
{
    const struct smap_node *node;

    if (smap_count(a) != smap_count(b)) {
        return false;
    }
    SMAP_FOR_EACH (node, a) {
        const struct smap_node *other =
            smap_find__(b, node->key, node->hmap_node.hash);
        if (!other || strcmp(node->value, other->value)) {
            return false;
        }
    }
    return true;
}

static int
compare_nodes_by_key(const void *a_, const void *b_)
{
    const struct smap_node *const *a = a_;
    const struct smap_node *const *b = b_;
    return strcmp((*a)->key, (*b)->key);
}

const struct smap_node **
smap_sort(const struct smap *smap)
{
    size_t n = smap_count(smap);
    if (!n) {
        return NULL;
    }

    const struct smap_node **nodes = xmalloc(n * sizeof *nodes);
    const struct smap_node *node;
    size_t i = 0;
    SMAP_FOR_EACH (node, smap) {
        nodes[i++] = node;
    }
    qsort(nodes, n, sizeof *nodes, compare_nodes_by_key);
    return nodes;
}

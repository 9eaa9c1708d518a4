#include "lib/vector.h"

#include <stdlib.h>
#include <string.h>

void
vector_init(struct vector *vec, size_t elem_size)
{
    ovs_assert(elem_size > 0);
    vec->data = NULL;
    vec->elem_size = elem_size;
    vec->n = 0;
    vec->allocated = 0;
}

void
vector_destroy(struct vector *vec)
{
    if (vec) {
        free(vec->data);
        vec->data = NULL;
        vec->n = 0;
        vec->allocated = 0;
    }
}

static void
vector_realloc__(struct vector *vec, size_t allocated)
{
    if (allocated > SIZE_MAX / vec->elem_size) {
        ovs_abort(0, "vector of %zu elements of %zu bytes is too large",
                  allocated, vec->elem_size);
    }
    vec->data = xrealloc(vec->data, allocated * vec->elem_size);
    vec->allocated = allocated;
}

void
vector_reserve(struct vector *vec, size_t n)
{
    if (n > vec->allocated) {
        vector_realloc__(vec, n);
    }
}

void
vector_shrink(struct vector *vec)
{
    if (vec->n < vec->allocated) {
        if (vec->n) {
            vector_realloc__(vec, vec->n);
        } else {
            free(vec->data);
            vec->data = NULL;
            vec->allocated = 0;
        }
    }
}

void *
vector_push_back(struct vector *vec, const void *elem)
{
    if (vec->n == vec->allocated) {
        vec->data = x2nrealloc(vec->data, &vec->allocated, vec->elem_size);
    }

    void *slot = (char *) vec->data + vec->n++ * vec->elem_size;
    if (elem) {
        memcpy(slot, elem, vec->elem_size);
    }
    return slot;
}

bool
vector_pop_back(struct vector *vec, void *elem)
{
    if (!vec->n) {
        return false;
    }
    vec->n--;
    if (elem) {
        memcpy(elem, (char *) vec->data + vec->n * vec->elem_size,
               vec->elem_size);
    }
    return true;
}

void
vector_remove(struct vector *vec, size_t index)
{
    char *slot = vector_get(vec, index);
    size_t n_after = vec->n - index - 1;

    memmove(slot, slot + vec->elem_size, n_after * vec->elem_size);
    vec->n--;
}

void
vector_remove_fast(struct vector *vec, size_t index)
{
    char *slot = vector_get(vec, index);

    vec->n--;
    if (index != vec->n) {
        memcpy(slot, (char *) vec->data + vec->n * vec->elem_size,
               vec->elem_size);
    }
}

void
vector_sort(struct vector *vec, int (*cmp)(const void *, const void *))
{
    if (vec->n > 1) {
        qsort(vec->data, vec->n, vec->elem_size, cmp);
    }
}

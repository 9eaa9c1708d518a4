/* Dynamic array of fixed-size elements, stored contiguously.
 *
 *     struct vector ports = VECTOR_EMPTY_INITIALIZER(struct port);
 *     struct port *p = vector_push_back(&ports, NULL);
 *     ...
 *     VECTOR_FOR_EACH (&ports, p) { ... }
 *     vector_destroy(&ports);
 *
 * Growing may move the elements, so pointers into the vector are valid
 * only until the next call that adds elements or shrinks it. */
#ifndef LIB_VECTOR_H
#define LIB_VECTOR_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

struct vector {
    void *data;       /* 'allocated' elements; NULL if none. */
    size_t elem_size; /* Bytes per element. */
    size_t n;         /* Elements in use. */
    size_t allocated; /* Elements that fit in 'data'. */
};

#define VECTOR_EMPTY_INITIALIZER(TYPE)                                        \
    {                                                                         \
        NULL, sizeof(TYPE), 0, 0                                              \
    }

/* Initializes 'vec' as an empty vector of 'elem_size'-byte elements. */
void vector_init(struct vector *vec, size_t elem_size);
/* Frees the elements' storage; 'vec' is left empty and reusable. */
void vector_destroy(struct vector *vec);

static inline size_t
vector_len(const struct vector *vec)
{
    return vec->n;
}

static inline bool
vector_is_empty(const struct vector *vec)
{
    return !vec->n;
}

/* Returns the element array (NULL if nothing was ever allocated). */
static inline void *
vector_data(const struct vector *vec)
{
    return vec->data;
}

/* Returns the element at 'index', which must be less than vector_len(). */
static inline void *
vector_get(const struct vector *vec, size_t index)
{
    ovs_assert(index < vec->n);
    return (char *) vec->data + index * vec->elem_size;
}

/* Makes room for at least 'n' elements in total without reallocating. */
void vector_reserve(struct vector *vec, size_t n);
/* Frees the unused capacity. */
void vector_shrink(struct vector *vec);

/* Appends one element, copied from 'elem' unless it is NULL (then the new
 * element is left uninitialized), and returns a pointer to it. */
void *vector_push_back(struct vector *vec, const void *elem);

/* Removes the last element, copying it to 'elem' if that is nonnull.
 * Returns false (changing nothing) if 'vec' is empty. */
bool vector_pop_back(struct vector *vec, void *elem);

/* Removes the element at 'index', shifting the later ones down to keep
 * their order. */
void vector_remove(struct vector *vec, size_t index);
/* Removes the element at 'index' by moving the last element into its
 * place: O(1), but does not keep the order. */
void vector_remove_fast(struct vector *vec, size_t index);

/* Removes every element, keeping the storage for reuse. */
static inline void
vector_clear(struct vector *vec)
{
    vec->n = 0;
}

/* Sorts the elements with qsort() comparison function 'cmp'. */
void vector_sort(struct vector *vec, int (*cmp)(const void *, const void *));

/* Iterates ITER, a pointer to the element type, over every element of VEC
 * in order.  The body must not add or remove elements. */
#define VECTOR_FOR_EACH(VEC, ITER)                                            \
    for ((ITER) = (ovs_assert(sizeof *(ITER) == (VEC)->elem_size),            \
                   (__typeof__(ITER)) (VEC)->data);                           \
         (ITER) && (ITER) < (__typeof__(ITER)) (VEC)->data + (VEC)->n;        \
         (ITER)++)

#endif /* lib/vector.h */

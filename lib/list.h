/* Intrusive circular doubly linked list.  A 'struct list' is both the
 * head of a list and the link embedded in each element. */
#ifndef LIB_LIST_H
#define LIB_LIST_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"

struct list {
    struct list *prev;
    struct list *next;
};

#define LIST_INITIALIZER(LIST)                                                \
    {                                                                         \
        LIST, LIST                                                            \
    }

static inline void
list_init(struct list *list)
{
    list->next = list->prev = list;
}

/* Marks an element as not being in any list, so that list_remove() on it
 * is detectable as a bug rather than silent corruption. */
static inline void
list_poison(struct list *elem)
{
    struct list *poison = (struct list *) (uintptr_t) 0xccccccccccccccccULL;
    elem->prev = elem->next = poison;
}

/* Inserts 'elem' just before 'before'. */
static inline void
list_insert(struct list *before, struct list *elem)
{
    elem->prev = before->prev;
    elem->next = before;
    before->prev->next = elem;
    before->prev = elem;
}

static inline void
list_push_front(struct list *list, struct list *elem)
{
    list_insert(list->next, elem);
}

static inline void
list_push_back(struct list *list, struct list *elem)
{
    list_insert(list, elem);
}

/* Removes 'elem' from its list and returns the element that followed. */
static inline struct list *
list_remove(struct list *elem)
{
    elem->prev->next = elem->next;
    elem->next->prev = elem->prev;
    return elem->next;
}

static inline bool
list_is_empty(const struct list *list)
{
    return list->next == list;
}

static inline bool
list_is_singleton(const struct list *list)
{
    return list->next != list && list->next == list->prev;
}

static inline struct list *
list_front(const struct list *list)
{
    return list->next;
}

static inline struct list *
list_back(const struct list *list)
{
    return list->prev;
}

static inline struct list *
list_pop_front(struct list *list)
{
    struct list *front = list->next;
    list_remove(front);
    return front;
}

static inline struct list *
list_pop_back(struct list *list)
{
    struct list *back = list->prev;
    list_remove(back);
    return back;
}

/* Moves all elements of 'src' to the end of 'dst'; 'src' becomes empty. */
static inline void
list_splice_back(struct list *dst, struct list *src)
{
    if (!list_is_empty(src)) {
        src->next->prev = dst->prev;
        dst->prev->next = src->next;
        src->prev->next = dst;
        dst->prev = src->prev;
        list_init(src);
    }
}

/* Fixes up the list whose head was moved in memory from 'src' to 'dst'
 * (by memcpy(), assignment, or realloc() of its owner).  'src' is only
 * compared, never dereferenced, so it may point to freed memory. */
static inline void
list_moved(struct list *dst, const struct list *src)
{
    if (dst->next == src) {
        /* The list was empty: its head pointed to its old self. */
        list_init(dst);
    } else {
        dst->prev->next = dst;
        dst->next->prev = dst;
    }
}

static inline size_t
list_size(const struct list *list)
{
    size_t n = 0;
    for (const struct list *e = list->next; e != list; e = e->next) {
        n++;
    }
    return n;
}

#define LIST_FOR_EACH(ITER, MEMBER, LIST)                                     \
    for ((ITER) = OBJECT_CONTAINING((LIST)->next, ITER, MEMBER);              \
         &(ITER)->MEMBER != (LIST);                                           \
         (ITER) = OBJECT_CONTAINING((ITER)->MEMBER.next, ITER, MEMBER))

#define LIST_FOR_EACH_REVERSE(ITER, MEMBER, LIST)                             \
    for ((ITER) = OBJECT_CONTAINING((LIST)->prev, ITER, MEMBER);              \
         &(ITER)->MEMBER != (LIST);                                           \
         (ITER) = OBJECT_CONTAINING((ITER)->MEMBER.prev, ITER, MEMBER))

/* Allows removing ITER inside the loop. */
#define LIST_FOR_EACH_SAFE(ITER, NEXT, MEMBER, LIST)                          \
    for ((ITER) = OBJECT_CONTAINING((LIST)->next, ITER, MEMBER);              \
         (&(ITER)->MEMBER != (LIST) ? (                                       \
              (NEXT) = OBJECT_CONTAINING((ITER)->MEMBER.next, ITER, MEMBER),  \
             1)                                                               \
                                    : 0);                                     \
         (ITER) = (NEXT))

/* Removes each element from the front before the body sees it. */
#define LIST_FOR_EACH_POP(ITER, MEMBER, LIST)                                 \
    while (                                                                   \
        !list_is_empty(LIST)                                                  \
        && ((ITER) = OBJECT_CONTAINING(list_pop_front(LIST), ITER, MEMBER),   \
            1))

#endif /* lib/list.h */

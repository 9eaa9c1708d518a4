/* Recycling allocator for jansson's values; see json-alloc.h. */
#include "lib/json-alloc.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/util.h"

/* Blocks of up to MAX_POOLED bytes (header included) are kept in
 * per-thread free lists, one per multiple of GRANULE, at most MAX_FREE
 * blocks per list; larger blocks and the excess go back to malloc(). */
#define GRANULE 16
#define MAX_POOLED 512
#define N_CLASSES (MAX_POOLED / GRANULE)
#define MAX_FREE 1024

/* Precedes every block: its size class, 0 for a block not pooled.  16
 * bytes, so that blocks keep malloc()'s alignment. */
union block_header {
    size_t class;
    max_align_t align;
};

struct free_block {
    struct free_block *next;
};

struct free_list {
    struct free_block *head;
    size_t n;
};

static __thread struct free_list free_lists[N_CLASSES + 1];
static __thread bool registered; /* Thread exit frees 'free_lists'. */
static pthread_key_t thread_key;
static bool enabled;

static void *
json_alloc(size_t size)
{
    size_t total = size + sizeof(union block_header);
    size_t class = (total + GRANULE - 1) / GRANULE;
    union block_header *h;
    if (class <= N_CLASSES) {
        struct free_list *list = &free_lists[class];
        if (list->head) {
            h = (union block_header *) list->head;
            list->head = list->head->next;
            list->n--;
        } else {
            h = xmalloc(class * GRANULE);
        }
    } else {
        class = 0;
        h = xmalloc(total);
    }
    h->class = class;
    return h + 1;
}

static void
json_free(void *p)
{
    if (!p) {
        return;
    }
    union block_header *h = (union block_header *) p - 1;
    size_t class = h->class;
    struct free_list *list = &free_lists[class];
    if (class && list->n < MAX_FREE) {
        if (!registered) {
            /* So that the thread's lists are freed when it exits. */
            pthread_setspecific(thread_key, free_lists);
            registered = true;
        }
        struct free_block *b = (struct free_block *) h;
        b->next = list->head;
        list->head = b;
        list->n++;
    } else {
        free(h);
    }
}

/* Frees the blocks of an exiting thread's free lists. */
static void
free_thread_lists(void *unused OVS_UNUSED)
{
    for (size_t i = 0; i <= N_CLASSES; i++) {
        struct free_list *list = &free_lists[i];
        while (list->head) {
            struct free_block *b = list->head;
            list->head = b->next;
            free(b);
        }
        list->n = 0;
    }
}

void
json_alloc_init(void)
{
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JSON_ALLOC_SANITIZED 1
#endif
#endif
#if !defined(__SANITIZE_ADDRESS__) && !defined(JSON_ALLOC_SANITIZED)
    /* Under AddressSanitizer, recycling would hide use-after-free. */
    if (pthread_key_create(&thread_key, free_thread_lists)) {
        ovs_abort(0, "pthread_key_create failed");
    }
    json_set_alloc_funcs(json_alloc, json_free);
    enabled = true;
#endif
}

bool
json_alloc_is_enabled(void)
{
    return enabled;
}

/* A recycling allocator for jansson's values.
 *
 * A busy server makes and frees thousands of small JSON values per
 * second (requests, replies, log records), in bursts larger than
 * malloc()'s per-thread cache holds, so most of them take malloc()'s slow
 * paths.  json_alloc_init() makes jansson allocate through per-thread free
 * lists of small blocks instead, each list bounded so that a burst of
 * huge JSON does not stay allocated.
 *
 * A program calls json_alloc_init() first thing in main(), before any
 * JSON value exists: a value must be freed by the allocator that made
 * it. */
#ifndef LIB_JSON_ALLOC_H
#define LIB_JSON_ALLOC_H 1

#include <stdbool.h>

/* Installs the allocator, unless built with AddressSanitizer, which the
 * recycling would blind to use-after-free. */
void json_alloc_init(void);

/* Returns true if json_alloc_init() installed the allocator. */
bool json_alloc_is_enabled(void);

#endif /* lib/json-alloc.h */

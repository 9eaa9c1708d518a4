/* A fast parser for the JSON that OVSDB clients and files carry.
 *
 * jansson's parser spends most of its time reading its input a byte at a
 * time through a callback; this one scans the buffer directly and builds
 * the same jansson values.  It handles objects, arrays, integers, true,
 * false, null and strings of printable ASCII with the simple escapes, and
 * gives up (returning NULL) on everything else: reals, \u escapes,
 * non-ASCII bytes and any syntax error, which jansson then parses, so
 * that values and error messages stay exactly jansson's. */
#ifndef LIB_JSON_PARSE_H
#define LIB_JSON_PARSE_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/json.h"

/* Returns the value of the 'n' bytes at 's' (any value if 'any', else only
 * an object or array, as jansson without JSON_DECODE_ANY), or NULL if it
 * leaves the input to jansson (see above). */
json_t *json_parse_fast(const char *s, size_t n, bool any);

#endif /* lib/json-parse.h */

/* Small helpers around jansson, so that code building and reading JSON
 * stays short.  Values are jansson's json_t throughout; these helpers add
 * only what jansson lacks: typed lookups that treat a wrong type like a
 * missing member, serialisation into malloc'd strings or a struct ds with
 * the compact layout OVS uses on the wire, and parsing that reports a
 * precise, human-readable error.
 *
 * Reference counting is jansson's: functions documented as "taking" a
 * value steal the caller's reference; others borrow. */
#ifndef LIB_JSON_H
#define LIB_JSON_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/ds.h"
#include "lib/util.h"

struct sset;

/* Returns the name of 'json''s type as OVS names them in error messages:
 * "object", "array", "string", "integer", "real", "true", "false",
 * "null" ("null" also for a NULL pointer). */
const char *json_type_name(const json_t *json);

/* Returns a new array of 'n' strings copied from 'strings'. */
json_t *json_array_of_strings(const char *const *strings, size_t n);

/* Returns a new array of the strings in 'sset', in sorted order. */
json_t *json_array_of_sset(const struct sset *sset);

/* Returns true if 'json' is an array whose elements are all strings. */
bool json_is_array_of_strings(const json_t *json);

/* Returns a new JSON string holding 's' and frees 's'. */
json_t *json_string_take(char *s);

/* Typed member lookups in object 'object'.  Each returns NULL (or false)
 * if 'object' is not an object, the member is missing, or the member has
 * another type; the returned values are borrowed. */
const char *json_get_string(const json_t *object, const char *key);
json_t *json_get_array(const json_t *object, const char *key);
json_t *json_get_object(const json_t *object, const char *key);
bool json_get_integer(const json_t *object, const char *key, long long *value);
bool json_get_boolean(const json_t *object, const char *key, bool *value);

/* Serialises 'json' (any type, including scalars) in compact form with
 * no whitespace, as OVS puts JSON on the wire, optionally with object
 * members sorted by name.  Returns a malloc'd string that the caller
 * frees with free(). */
char *json_to_string_compact(const json_t *json, bool sort_keys);

/* Like json_to_string_compact() but in OVS's pretty layout: one element
 * per line, indented by two spaces a level, closing brackets on the line
 * of the last element. */
char *json_to_string_pretty(const json_t *json, bool sort_keys);

/* Appends the compact (or, if 'pretty', indented) form of 'json' to
 * 'out'. */
void json_to_ds(const json_t *json, bool sort_keys, bool pretty,
                struct ds *out);

/* Appends the 'len' bytes at 's' to 'out' as a quoted JSON string,
 * escaping quotes, backslashes and control characters as OVS does. */
void json_string_to_ds(const char *s, size_t len, struct ds *out);

/* Appends 'v' in decimal, as json_to_ds() writes an integer. */
void json_integer_to_ds(json_int_t v, struct ds *out);

/* Like json_to_ds() for JSON that OVS's tools would have parsed from
 * text (a peer's message) before printing it: numbers print as OVS's
 * parser stores them (integral values that fit in 64 bits as integers,
 * "2.0" as "2") and, unless 'sort_keys', object members come in the
 * order OVS's hash table lists them (lib/hash-order.h) rather than in
 * the order the object holds them. */
void json_to_ds_as_ovs_parsed(const json_t *json, bool sort_keys, bool pretty,
                              struct ds *out);
char *json_to_string_as_ovs_parsed(const json_t *json, bool sort_keys,
                                   bool pretty);

/* Reorders the members of every object in 'json' (recursively, through
 * arrays too) into the order in which OVS's serialiser would write an
 * object whose members were added in their current order
 * (lib/hash-order.h).  Code that builds a value in the order OVS builds
 * it calls this once to send or store the same bytes as OVS. */
void json_reorder_as_ovs(json_t *json);
/* The same for 'object' alone, not the values of its members. */
void json_object_reorder_as_ovs(json_t *object);

/* Parses the JSON text 's' as OVS does (lib/json-syntax.h): one object
 * or array, with whitespace around it allowed and anything else after it
 * an error.  On success stores the new value in '*jsonp' and returns
 * NULL; on failure stores NULL and returns a malloc'd message in OVS's
 * words, such as "line 0, column 3, byte 3: unexpected end of input". */
char *json_from_string(const char *s, json_t **jsonp) OVS_WARN_UNUSED_RESULT;

/* Like json_from_string() but accepts any value as the whole text, for
 * JSON literals in tests (OVS's readers accept only objects and arrays). */
char *json_from_string_any(const char *s,
                           json_t **jsonp) OVS_WARN_UNUSED_RESULT;

/* Like json_from_string() for the 'n' bytes at 'buf' (no terminator
 * needed; a NUL byte in the input is a syntax error). */
char *json_from_buffer(const void *buf, size_t n,
                       json_t **jsonp) OVS_WARN_UNUSED_RESULT;

/* Like json_from_string() for the contents of the file 'file_name'.  As
 * in OVS, a syntax error does not name the file (callers do). */
char *json_from_file(const char *file_name,
                     json_t **jsonp) OVS_WARN_UNUSED_RESULT;

#endif /* lib/json.h */

/* OVSDB values: atoms (one integer, real, boolean, string or UUID) and
 * datums (the value of a column: a sorted array of unique keys and, for
 * maps, the values that go with them).
 *
 * Two textual forms exist.  The JSON form of RFC 7047 is what the wire
 * and the database file carry.  The "string" form is what ovs-vsctl and
 * ovsdb-client print and what ovs-vsctl reads from its command line:
 *
 *     integer      42            real     2.5          boolean   true
 *     string       br0  "a b"    uuid     550e8400-e29b-41d4-a716-...
 *     set          [1, 2, 3]     map      {a=b, "c d"=e}
 *     empty        []  {}
 *
 * Unless stated otherwise a datum's keys are sorted and unique; the
 * functions that build one from outside input guarantee it. */
#ifndef OVSDB_OVSDB_DATA_H
#define OVSDB_OVSDB_DATA_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/ds.h"
#include "lib/hmap.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/ovsdb-types.h"

struct ovsdb_error;
struct ovsdb_symbol_table;

union ovsdb_atom {
    int64_t integer;
    double real;
    bool boolean;
    char *string; /* Malloc'd, owned by the atom. */
    struct uuid uuid;
};

/* Sets 'atom' to the default of 'type': 0, 0.0, false, "" or the zero
 * UUID (the string is allocated). */
void ovsdb_atom_init_default(union ovsdb_atom *, enum ovsdb_atomic_type);
bool ovsdb_atom_is_default(const union ovsdb_atom *, enum ovsdb_atomic_type);
void ovsdb_atom_clone(union ovsdb_atom *dst, const union ovsdb_atom *src,
                      enum ovsdb_atomic_type);
void ovsdb_atom_destroy(union ovsdb_atom *, enum ovsdb_atomic_type);
void ovsdb_atom_swap(union ovsdb_atom *, union ovsdb_atom *);

uint32_t ovsdb_atom_hash(const union ovsdb_atom *, enum ovsdb_atomic_type,
                         uint32_t basis);
/* Orders integers and reals numerically, false before true, strings by
 * strcmp() and UUIDs as their strings sort. */
int ovsdb_atom_compare_3way(const union ovsdb_atom *, const union ovsdb_atom *,
                            enum ovsdb_atomic_type);
static inline bool
ovsdb_atom_equals(const union ovsdb_atom *a, const union ovsdb_atom *b,
                  enum ovsdb_atomic_type type)
{
    return !ovsdb_atom_compare_3way(a, b, type);
}

/* Parses 'json' as an atom of 'base' and checks it against 'base''s
 * constraints.  ["named-uuid", <id>] is accepted only with a 'symtab';
 * it then refers to that table's symbol, created if new.  On error
 * 'atom' holds nothing that needs freeing. */
struct ovsdb_error *
ovsdb_atom_from_json(union ovsdb_atom *, const struct ovsdb_base_type *base,
                     const json_t *,
                     struct ovsdb_symbol_table *symtab) OVS_WARN_UNUSED_RESULT;
json_t *ovsdb_atom_to_json(const union ovsdb_atom *, enum ovsdb_atomic_type);

/* Returns the JSON of a UUID atom: ["uuid", "<uuid>"]. */
json_t *ovsdb_uuid_to_json(const struct uuid *);

/* Returns JSON for the real 'd' that serializes as OVS prints reals:
 * integral values without a fraction ("10", not "10.0"). */
json_t *ovsdb_atom_real_to_json(double d);

/* Appends the string form of 'atom' to 'out': strings are quoted (with
 * JSON escapes) unless they are made only of letters, digits, '_', '-'
 * and '.', start with a letter or '_', and are not "true" or "false". */
void ovsdb_atom_to_string(const union ovsdb_atom *, enum ovsdb_atomic_type,
                          struct ds *out);

/* Parses the string form 's' of an atom of 'base' (a single token, as
 * ovsdb_datum_from_string() extracts it) and checks its constraints.
 * For integers "A-B" is a range: then '*range_end' receives B and the
 * function sets '*is_range'; otherwise it clears it.  'range_end' and
 * 'is_range' may be NULL where ranges are not allowed.  An '@name' UUID
 * refers to a symbol of 'symtab' if that is nonnull.  Returns NULL or a
 * malloc'd message. */
char *ovsdb_atom_from_string(
    union ovsdb_atom *, union ovsdb_atom *range_end, bool *is_range,
    const struct ovsdb_base_type *base, const char *s,
    struct ovsdb_symbol_table *symtab) OVS_WARN_UNUSED_RESULT;

/* Checks 'atom' against the enum, range or length constraints of 'base';
 * the error's tag is "constraint violation". */
struct ovsdb_error *ovsdb_atom_check_constraints(
    const union ovsdb_atom *,
    const struct ovsdb_base_type *) OVS_WARN_UNUSED_RESULT;

struct ovsdb_datum {
    unsigned int n;           /* Number of keys (and values). */
    union ovsdb_atom *keys;   /* 'n' keys, or NULL if 'n' is 0. */
    union ovsdb_atom *values; /* 'n' values for maps, otherwise NULL. */
};

#define OVSDB_DATUM_EMPTY_INITIALIZER                                         \
    {                                                                         \
        0, NULL, NULL                                                         \
    }

void ovsdb_datum_init_empty(struct ovsdb_datum *);
/* Initializes 'datum' as the default value of 'type': the empty set or
 * map if n_min is 0, otherwise one default key (and value). */
void ovsdb_datum_init_default(struct ovsdb_datum *, const struct ovsdb_type *);
bool ovsdb_datum_is_default(const struct ovsdb_datum *,
                            const struct ovsdb_type *);
/* Returns a shared, read-only default datum for 'type'. */
const struct ovsdb_datum *ovsdb_datum_default(const struct ovsdb_type *);
void ovsdb_datum_clone(struct ovsdb_datum *dst, const struct ovsdb_datum *src,
                       const struct ovsdb_type *);
void ovsdb_datum_destroy(struct ovsdb_datum *, const struct ovsdb_type *);
void ovsdb_datum_swap(struct ovsdb_datum *, struct ovsdb_datum *);

/* Parses the JSON form of a datum of 'type': an atom for a scalar or a
 * one-element set, ["set", [...]], ["map", [[k, v], ...]].  Checks the
 * number of elements, every atom's constraints and (tag "ovsdb error")
 * that keys are unique.  On error 'datum' is left empty. */
struct ovsdb_error *
ovsdb_datum_from_json(struct ovsdb_datum *, const struct ovsdb_type *,
                      const json_t *,
                      struct ovsdb_symbol_table *) OVS_WARN_UNUSED_RESULT;
/* Returns the canonical JSON form: a bare atom for a scalar or a set of
 * exactly one element, ["set", [...]] for other sets, ["map", [...]] for
 * maps. */
json_t *ovsdb_datum_to_json(const struct ovsdb_datum *,
                            const struct ovsdb_type *);

/* Append to 'out' the compact text that json_to_ds() writes for
 * ovsdb_atom_to_json() and ovsdb_datum_to_json(), without building the
 * JSON: for the large replies that a server writes once per request. */
void ovsdb_atom_to_json_ds(const union ovsdb_atom *, enum ovsdb_atomic_type,
                           struct ds *out);
void ovsdb_datum_to_json_ds(const struct ovsdb_datum *,
                            const struct ovsdb_type *, struct ds *out);

/* Appends the string form of 'datum' to 'out': a bare atom when 'type'
 * holds at most one element and 'datum' has one, otherwise "[a, b]" for
 * sets and "{k=v, k2=v2}" for maps. */
void ovsdb_datum_to_string(const struct ovsdb_datum *,
                           const struct ovsdb_type *, struct ds *out);

/* Parses the string form 's' of a datum of 'type' as ovs-vsctl does:
 * brackets (braces for maps) are optional, commas between elements are
 * optional, integer sets accept ranges "A-B".  Returns NULL and fills in
 * 'datum', or returns a malloc'd message and leaves 'datum' empty. */
char *ovsdb_datum_from_string(struct ovsdb_datum *, const struct ovsdb_type *,
                              const char *s, struct ovsdb_symbol_table *)
    OVS_WARN_UNUSED_RESULT;

/* Extracts one token of the string syntax at '*pp' into '*tokenp'
 * (malloc'd, quotes kept for ovsdb_atom_from_string()) and advances
 * '*pp' past it; white space and ":=, []{}!<>" end an unquoted token.
 * Returns NULL or a malloc'd message.  ovs-vsctl parses "column:key=value"
 * arguments with it. */
char *ovsdb_token_parse(const char **pp, char **tokenp) OVS_WARN_UNUSED_RESULT;

/* Checks every key and value of 'datum' against 'type''s constraints
 * (not the number of elements). */
struct ovsdb_error *ovsdb_datum_check_constraints(const struct ovsdb_datum *,
                                                  const struct ovsdb_type *)
    OVS_WARN_UNUSED_RESULT;

/* Sorts 'datum''s keys (moving values along).  Returns an "ovsdb error"
 * ("set contains duplicate" or "map contains duplicate key") if two keys
 * are equal; the datum is sorted either way. */
struct ovsdb_error *
ovsdb_datum_sort(struct ovsdb_datum *,
                 const struct ovsdb_type *) OVS_WARN_UNUSED_RESULT;
/* Sorts 'datum' and drops repeated keys (the first of equal keys stays).
 * Returns the number of elements dropped. */
size_t ovsdb_datum_sort_unique(struct ovsdb_datum *,
                               const struct ovsdb_type *);

uint32_t ovsdb_datum_hash(const struct ovsdb_datum *,
                          const struct ovsdb_type *, uint32_t basis);
int ovsdb_datum_compare_3way(const struct ovsdb_datum *,
                             const struct ovsdb_datum *,
                             const struct ovsdb_type *);
bool ovsdb_datum_equals(const struct ovsdb_datum *, const struct ovsdb_datum *,
                        const struct ovsdb_type *);

/* Returns the index of 'key' in sorted 'datum', or UINT_MAX. */
unsigned int ovsdb_datum_find_key(const struct ovsdb_datum *,
                                  const union ovsdb_atom *key,
                                  enum ovsdb_atomic_type key_type);
/* Returns the index of the pair 'key'='value', or UINT_MAX; 'value' is
 * ignored (may be NULL) if 'value_type' is void. */
unsigned int ovsdb_datum_find_key_value(const struct ovsdb_datum *,
                                        const union ovsdb_atom *key,
                                        enum ovsdb_atomic_type key_type,
                                        const union ovsdb_atom *value,
                                        enum ovsdb_atomic_type value_type);

/* Returns true if every element (pair, for maps) of 'a' is in 'b'. */
bool ovsdb_datum_includes_all(const struct ovsdb_datum *a,
                              const struct ovsdb_datum *b,
                              const struct ovsdb_type *);
/* Returns true if no element (pair, for maps) of 'a' is in 'b'. */
bool ovsdb_datum_excludes_all(const struct ovsdb_datum *a,
                              const struct ovsdb_datum *b,
                              const struct ovsdb_type *);

/* Appends 'key' (and 'value' for maps), copied, without sorting; the
 * caller sorts before the datum is used as sorted. */
void ovsdb_datum_add_unsorted(struct ovsdb_datum *,
                              const union ovsdb_atom *key,
                              const union ovsdb_atom *value,
                              const struct ovsdb_type *);
/* Removes the element at 'idx', freeing it; the rest stay sorted. */
void ovsdb_datum_remove_at(struct ovsdb_datum *, unsigned int idx,
                           const struct ovsdb_type *);

/* The "insert" mutation: adds to 'a' every element of 'b' whose key is
 * not yet in 'a' (for maps, an existing key keeps its value). */
void ovsdb_datum_union(struct ovsdb_datum *a, const struct ovsdb_datum *b,
                       const struct ovsdb_type *);
/* The "delete" mutation: removes from 'a' (of 'a_type') every element of
 * 'b'.  If 'b_type' is a set of 'a_type''s keys, keys are removed
 * whatever their value; otherwise only pairs equal in key and value. */
void ovsdb_datum_subtract(struct ovsdb_datum *a,
                          const struct ovsdb_type *a_type,
                          const struct ovsdb_datum *b,
                          const struct ovsdb_type *b_type);

/* Computes in 'diff' (initialized here) what turns 'old' into 'new', as
 * the "diff" of OVSDB's update2 notifications: for sets, the elements in
 * exactly one of them; for maps, the pairs of removed keys (with their
 * old values), of added keys and of keys whose value changed (with the
 * new values). */
void ovsdb_datum_diff(struct ovsdb_datum *diff, const struct ovsdb_datum *old,
                      const struct ovsdb_datum *new,
                      const struct ovsdb_type *);
/* Applies 'diff' to 'old' giving 'new' (initialized here).  Fails with a
 * "constraint violation" if the result has too few or too many
 * elements. */
struct ovsdb_error *
ovsdb_datum_apply_diff(struct ovsdb_datum *new, const struct ovsdb_datum *old,
                       const struct ovsdb_datum *diff,
                       const struct ovsdb_type *) OVS_WARN_UNUSED_RESULT;

/* Named UUIDs of a transaction ("uuid-name" of insert, ["named-uuid",
 * name] in values, "@name" in ovs-vsctl). */
struct ovsdb_symbol {
    struct uuid uuid; /* The UUID the name stands for. */
    bool created;     /* Set when a row with it is inserted. */
    bool strong_ref;  /* Referenced by a strong reference. */
    bool weak_ref;    /* Referenced by a weak reference. */
};

struct ovsdb_symbol_table {
    struct hmap symbols; /* Private: name to symbol. */
};

struct ovsdb_symbol_table *ovsdb_symbol_table_create(void);
void ovsdb_symbol_table_destroy(struct ovsdb_symbol_table *);
size_t ovsdb_symbol_table_count(const struct ovsdb_symbol_table *);
struct ovsdb_symbol *ovsdb_symbol_table_find(const struct ovsdb_symbol_table *,
                                             const char *name);
/* Adds 'name' with 'uuid'; 'name' must be new. */
struct ovsdb_symbol *ovsdb_symbol_table_put(struct ovsdb_symbol_table *,
                                            const char *name,
                                            const struct uuid *uuid,
                                            bool created);
/* Returns the symbol for 'name', adding it with a fresh random UUID if it
 * is new. */
struct ovsdb_symbol *ovsdb_symbol_table_insert(struct ovsdb_symbol_table *,
                                               const char *name);
/* Returns the name of a symbol that was referenced but never created, or
 * NULL if there is none (the first in name order, for stable output). */
const char *
ovsdb_symbol_table_find_uncreated(const struct ovsdb_symbol_table *);

/* Returns the number of UTF-8 characters in 's' (bytes that do not
 * continue a multi-byte sequence), as string length constraints count. */
size_t ovsdb_data_utf8_length(const char *s);

#endif /* ovsdb/ovsdb-data.h */

/* OVSDB column types (RFC 7047 section 3.2): atomic types, base types
 * with their constraints, and full types (a key, an optional value, and
 * the minimum and maximum number of elements).
 *
 * A full type with no value and min = max = 1 is a scalar; with no value
 * otherwise a set; with a value a map. */
#ifndef OVSDB_OVSDB_TYPES_H
#define OVSDB_OVSDB_TYPES_H 1

#include <float.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/ds.h"
#include "lib/util.h"

struct ovsdb_datum;
struct ovsdb_error;
struct ovsdb_table_schema;

enum ovsdb_atomic_type {
    OVSDB_TYPE_VOID,    /* No value (the value of a set). */
    OVSDB_TYPE_INTEGER, /* int64_t */
    OVSDB_TYPE_REAL,    /* double */
    OVSDB_TYPE_BOOLEAN, /* bool */
    OVSDB_TYPE_STRING,  /* UTF-8 string */
    OVSDB_TYPE_UUID,    /* struct uuid */
    OVSDB_N_TYPES
};

/* Returns "void", "integer", "real", "boolean", "string" or "uuid". */
const char *ovsdb_atomic_type_to_string(enum ovsdb_atomic_type);
/* Parses one of the five names above ("void" is not accepted). */
bool ovsdb_atomic_type_from_string(const char *, enum ovsdb_atomic_type *);
struct ovsdb_error *
ovsdb_atomic_type_from_json(enum ovsdb_atomic_type *,
                            const json_t *) OVS_WARN_UNUSED_RESULT;
json_t *ovsdb_atomic_type_to_json(enum ovsdb_atomic_type);

enum ovsdb_ref_type {
    OVSDB_REF_STRONG, /* Referenced rows must exist. */
    OVSDB_REF_WEAK    /* Dangling references are removed. */
};

struct ovsdb_integer_constraints {
    int64_t min; /* INT64_MIN if no minimum. */
    int64_t max; /* INT64_MAX if no maximum. */
};

struct ovsdb_real_constraints {
    double min; /* -DBL_MAX if no minimum. */
    double max; /* DBL_MAX if no maximum. */
};

struct ovsdb_string_constraints {
    unsigned int min_len; /* In UTF-8 characters; 0 if no minimum. */
    unsigned int max_len; /* UINT_MAX if no maximum. */
};

struct ovsdb_uuid_constraints {
    char *ref_table_name; /* Referenced table, or NULL. */
    /* Set when a schema resolves 'ref_table_name'; not owned. */
    const struct ovsdb_table_schema *ref_table;
    enum ovsdb_ref_type ref_type;
};

struct ovsdb_base_type {
    enum ovsdb_atomic_type type;

    /* If nonnull, the set of allowed values (a datum of a set type whose
     * key is this base type without constraints); the other constraints
     * are then unused. */
    struct ovsdb_datum *enum_;

    union {
        struct ovsdb_integer_constraints integer;
        struct ovsdb_real_constraints real;
        struct ovsdb_string_constraints string;
        struct ovsdb_uuid_constraints uuid;
    } u;
};

/* Initializes 'base' as 'type' without constraints. */
void ovsdb_base_type_init(struct ovsdb_base_type *,
                          enum ovsdb_atomic_type type);
void ovsdb_base_type_clone(struct ovsdb_base_type *dst,
                           const struct ovsdb_base_type *src);
void ovsdb_base_type_destroy(struct ovsdb_base_type *);
bool ovsdb_base_type_equals(const struct ovsdb_base_type *,
                            const struct ovsdb_base_type *);
/* Returns true if 'base''s constraints can be satisfied by some value. */
bool ovsdb_base_type_is_valid(const struct ovsdb_base_type *);
bool ovsdb_base_type_has_constraints(const struct ovsdb_base_type *);
void ovsdb_base_type_clear_constraints(struct ovsdb_base_type *);

static inline bool
ovsdb_base_type_is_ref(const struct ovsdb_base_type *base)
{
    return base->type == OVSDB_TYPE_UUID && base->u.uuid.ref_table_name;
}

static inline bool
ovsdb_base_type_is_strong_ref(const struct ovsdb_base_type *base)
{
    return (ovsdb_base_type_is_ref(base)
            && base->u.uuid.ref_type == OVSDB_REF_STRONG);
}

static inline bool
ovsdb_base_type_is_weak_ref(const struct ovsdb_base_type *base)
{
    return (ovsdb_base_type_is_ref(base)
            && base->u.uuid.ref_type == OVSDB_REF_WEAK);
}

/* Parses a <base-type>: an atomic type name or an object with "type" and
 * constraints.  On error 'base' is left as a void type. */
struct ovsdb_error *
ovsdb_base_type_from_json(struct ovsdb_base_type *,
                          const json_t *) OVS_WARN_UNUSED_RESULT;
/* Returns the short form (a string) if 'base' has no constraints. */
json_t *ovsdb_base_type_to_json(const struct ovsdb_base_type *);

/* Maximum of 'n_max' meaning "unlimited". */
#define OVSDB_TYPE_UNLIMITED UINT_MAX

struct ovsdb_type {
    struct ovsdb_base_type key;
    struct ovsdb_base_type value; /* OVSDB_TYPE_VOID for scalars, sets. */
    unsigned int n_min;           /* 0 or 1. */
    unsigned int n_max;           /* >= 1, or OVSDB_TYPE_UNLIMITED. */
};

/* Initializes 'type' as a scalar of atomic type 'key'. */
void ovsdb_type_init_scalar(struct ovsdb_type *, enum ovsdb_atomic_type key);
void ovsdb_type_clone(struct ovsdb_type *dst, const struct ovsdb_type *src);
void ovsdb_type_destroy(struct ovsdb_type *);
bool ovsdb_type_equals(const struct ovsdb_type *, const struct ovsdb_type *);
bool ovsdb_type_is_valid(const struct ovsdb_type *);

static inline bool
ovsdb_type_is_scalar(const struct ovsdb_type *type)
{
    return (type->value.type == OVSDB_TYPE_VOID && type->n_min == 1
            && type->n_max == 1);
}

static inline bool
ovsdb_type_is_optional(const struct ovsdb_type *type)
{
    return type->n_min == 0;
}

static inline bool
ovsdb_type_is_optional_scalar(const struct ovsdb_type *type)
{
    return (type->value.type == OVSDB_TYPE_VOID && type->n_min == 0
            && type->n_max == 1);
}

static inline bool
ovsdb_type_is_composite(const struct ovsdb_type *type)
{
    return type->n_max > 1;
}

static inline bool
ovsdb_type_is_set(const struct ovsdb_type *type)
{
    return (type->value.type == OVSDB_TYPE_VOID
            && (type->n_min != 1 || type->n_max != 1));
}

static inline bool
ovsdb_type_is_map(const struct ovsdb_type *type)
{
    return type->value.type != OVSDB_TYPE_VOID;
}

/* Parses a <type>: a <base-type> for a scalar, or an object with "key",
 * optional "value", "min" and "max". */
struct ovsdb_error *ovsdb_type_from_json(struct ovsdb_type *, const json_t *)
    OVS_WARN_UNUSED_RESULT;
json_t *ovsdb_type_to_json(const struct ovsdb_type *);

/* Returns a malloc'd English description of 'type' as OVS's tools use it
 * in messages: "integer", "set of strings", "set of up to 4096 integers",
 * "set of 1 or more uuids", "map of (string, string) pairs". */
char *ovsdb_type_to_english(const struct ovsdb_type *);

#endif /* ovsdb/ovsdb-types.h */

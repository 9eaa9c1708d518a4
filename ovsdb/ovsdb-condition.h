/* OVSDB conditions (RFC 7047 section 5.1 <condition>): the "where" of
 * select, update, mutate, delete and wait, and the conditions of
 * monitor_cond.  A condition is a conjunction of clauses; a clause is
 * [column, function, value] or one of the constants true and false.
 *
 *     ["i", "<", 5]      ["name", "==", "br0"]      ["ports", "includes",
 *     true               false                        ["set", [...]]]
 */
#ifndef OVSDB_OVSDB_CONDITION_H
#define OVSDB_OVSDB_CONDITION_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-types.h"

struct ovsdb_column;
struct ovsdb_error;
struct ovsdb_row;
struct ovsdb_table_schema;

enum ovsdb_function {
    OVSDB_F_FALSE,    /* The constant false. */
    OVSDB_F_TRUE,     /* The constant true. */
    OVSDB_F_LT,       /* "<" */
    OVSDB_F_LE,       /* "<=" */
    OVSDB_F_EQ,       /* "==" */
    OVSDB_F_NE,       /* "!=" */
    OVSDB_F_GE,       /* ">=" */
    OVSDB_F_GT,       /* ">" */
    OVSDB_F_INCLUDES, /* "includes" */
    OVSDB_F_EXCLUDES, /* "excludes" */
};

/* Parses a function name ("<", "==", "includes", ...); the constants have
 * no name.  Returns true on success. */
bool ovsdb_function_from_string(const char *, enum ovsdb_function *);
/* Returns the name of 'function' ("true" or "false" for the constants). */
const char *ovsdb_function_to_string(enum ovsdb_function);

struct ovsdb_clause {
    enum ovsdb_function function;
    const struct ovsdb_column *column; /* NULL for the constants. */
    struct ovsdb_datum arg;            /* Empty for the constants. */
};

struct ovsdb_condition {
    struct ovsdb_clause *clauses;
    size_t n_clauses;
};

#define OVSDB_CONDITION_INITIALIZER                                           \
    {                                                                         \
        NULL, 0                                                               \
    }

/* Initializes 'cond' as the empty condition, which every row meets. */
void ovsdb_condition_init(struct ovsdb_condition *);
void ovsdb_condition_destroy(struct ovsdb_condition *);
void ovsdb_condition_clone(struct ovsdb_condition *dst,
                           const struct ovsdb_condition *src);

/* Parses the <condition> 'json' (an array of clauses) for a table with
 * schema 'ts' into 'cond'.  Named UUIDs in values resolve through
 * 'symtab' if it is nonnull.  On error 'cond' is empty. */
struct ovsdb_error *
ovsdb_condition_from_json(const struct ovsdb_table_schema *ts,
                          const json_t *json,
                          struct ovsdb_symbol_table *symtab,
                          struct ovsdb_condition *cond) OVS_WARN_UNUSED_RESULT;
json_t *ovsdb_condition_to_json(const struct ovsdb_condition *);

/* Returns true if 'row' meets every clause of 'cond'. */
bool ovsdb_condition_evaluate(const struct ovsdb_condition *,
                              const struct ovsdb_row *);
/* Returns true if 'row' meets 'clause'. */
bool ovsdb_clause_evaluate(const struct ovsdb_clause *,
                           const struct ovsdb_row *);

/* Returns true if 'cond' is met by every row (no clause other than the
 * constant true) or by none (some clause is the constant false). */
bool ovsdb_condition_is_true(const struct ovsdb_condition *);
bool ovsdb_condition_is_false(const struct ovsdb_condition *);

/* If 'cond' contains a clause ["_uuid", "==", <uuid>], so that at most
 * the row with that UUID can meet it, returns that UUID; else NULL. */
const struct uuid *
ovsdb_condition_get_row_uuid(const struct ovsdb_condition *);

/* Returns true if 'a' and 'b' have the same clauses in the same order. */
bool ovsdb_condition_equal(const struct ovsdb_condition *a,
                           const struct ovsdb_condition *b);

#endif /* ovsdb/ovsdb-condition.h */

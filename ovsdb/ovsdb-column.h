/* Columns of an OVSDB table schema, and sets of columns (such as the
 * columns of an index). */
#ifndef OVSDB_OVSDB_COLUMN_H
#define OVSDB_OVSDB_COLUMN_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/hmap.h"
#include "lib/util.h"
#include "ovsdb/ovsdb-types.h"

struct ovsdb_error;
struct ovsdb_table_schema;

/* Every table has these two columns first, in this order. */
enum {
    OVSDB_COL_UUID = 0,    /* "_uuid": the row's UUID. */
    OVSDB_COL_VERSION = 1, /* "_version": changes on each update. */
    OVSDB_N_STD_COLUMNS
};

struct ovsdb_column {
    struct hmap_node hmap_node; /* In the table schema, by name. */
    unsigned int index;         /* Position in the table's columns. */
    char *name;
    bool mutable;    /* False if fixed once inserted. */
    bool persistent; /* False for "ephemeral" columns. */
    struct ovsdb_type type;
};

/* Returns a new column that owns a copy of 'name' and of 'type'. */
struct ovsdb_column *ovsdb_column_create(const char *name, bool mutable,
                                         bool persistent,
                                         const struct ovsdb_type *type);
struct ovsdb_column *ovsdb_column_clone(const struct ovsdb_column *);
void ovsdb_column_destroy(struct ovsdb_column *);

/* Parses the <column-schema> 'json' of the column called 'name'. */
struct ovsdb_error *
ovsdb_column_from_json(const json_t *json, const char *name,
                       struct ovsdb_column **columnp) OVS_WARN_UNUSED_RESULT;
json_t *ovsdb_column_to_json(const struct ovsdb_column *);

/* Parses 'json', one clause of a condition or one mutation: an array
 * [column, operator, value] whose column is a column of 'table'.  On
 * success stores the column, the operator's name and the value (both
 * borrowed from 'json') and returns NULL; the caller checks the operator.
 * A malformed array gives "Parse error in <what>.". */
struct ovsdb_error *ovsdb_column_op_from_json(
    const json_t *json, const struct ovsdb_table_schema *table,
    const char *what, const struct ovsdb_column **columnp,
    const char **op_namep, const json_t **valuep) OVS_WARN_UNUSED_RESULT;

/* Returns the error for operator 'op_name' in 'json' that may not apply
 * to 'column' because of the column's type. */
struct ovsdb_error *ovsdb_column_op_mismatch(const json_t *json,
                                             const struct ovsdb_column *,
                                             const char *op_name);

/* An ordered set of distinct columns, borrowed from a table schema. */
struct ovsdb_column_set {
    const struct ovsdb_column **columns;
    size_t n_columns;
    size_t allocated_columns;
};

#define OVSDB_COLUMN_SET_INITIALIZER                                          \
    {                                                                         \
        NULL, 0, 0                                                            \
    }

void ovsdb_column_set_init(struct ovsdb_column_set *);
void ovsdb_column_set_destroy(struct ovsdb_column_set *);
void ovsdb_column_set_clone(struct ovsdb_column_set *dst,
                            const struct ovsdb_column_set *src);
void ovsdb_column_set_add(struct ovsdb_column_set *,
                          const struct ovsdb_column *);
bool ovsdb_column_set_contains(const struct ovsdb_column_set *,
                               unsigned int column_index);
bool ovsdb_column_set_equals(const struct ovsdb_column_set *,
                             const struct ovsdb_column_set *);
/* Parses 'json', an array of distinct names of columns of 'table'. */
struct ovsdb_error *
ovsdb_column_set_from_json(const json_t *json,
                           const struct ovsdb_table_schema *table,
                           struct ovsdb_column_set *) OVS_WARN_UNUSED_RESULT;
json_t *ovsdb_column_set_to_json(const struct ovsdb_column_set *);

#endif /* ovsdb/ovsdb-column.h */

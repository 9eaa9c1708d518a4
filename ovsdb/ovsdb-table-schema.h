/* The schema of one OVSDB table: its columns (the standard "_uuid" and
 * "_version" first), whether it is a root table, its maximum number of
 * rows and its indexes. */
#ifndef OVSDB_OVSDB_TABLE_SCHEMA_H
#define OVSDB_OVSDB_TABLE_SCHEMA_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/hmap.h"
#include "lib/util.h"
#include "ovsdb/ovsdb-column.h"

struct ovsdb_error;

struct ovsdb_table_schema {
    struct hmap_node hmap_node; /* In the database schema. */
    char *name;
    bool is_root;          /* Rows live without references. */
    unsigned int max_rows; /* UINT_MAX if unlimited. */

    /* Columns by index ('columns[i]->index == i') and by name. */
    struct ovsdb_column **columns;
    size_t n_columns;
    struct hmap columns_by_name;

    /* Indexes of the columns other than the standard ones, in the order in
     * which the schema's JSON listed them (or, for columns added another
     * way, were added): that order decides the one in which OVS, and so
     * ovsdb_table_schema_to_json(), lists them. */
    size_t *json_order;

    /* The indexes of all the columns in the order in which OVS's hash
     * table of the columns lists them: the order of the columns of the
     * table in get_schema replies and in records of database files. */
    size_t *ovs_order;

    struct ovsdb_column_set *indexes;
    size_t n_indexes;
};

/* Returns a new table schema named 'name' with only the standard
 * columns. */
struct ovsdb_table_schema *ovsdb_table_schema_create(const char *name,
                                                     bool is_root,
                                                     unsigned int max_rows);
struct ovsdb_table_schema *
ovsdb_table_schema_clone(const struct ovsdb_table_schema *);
void ovsdb_table_schema_destroy(struct ovsdb_table_schema *);

/* Adds 'column' (taking ownership), giving it the next index. */
void ovsdb_table_schema_add_column(struct ovsdb_table_schema *,
                                   struct ovsdb_column *);
const struct ovsdb_column *
ovsdb_table_schema_get_column(const struct ovsdb_table_schema *,
                              const char *name);

/* Parses the <table-schema> 'json' of the table called 'name'.  Does not
 * resolve references to other tables (the database schema does). */
struct ovsdb_error *ovsdb_table_schema_from_json(
    const json_t *json, const char *name,
    struct ovsdb_table_schema **tablep) OVS_WARN_UNUSED_RESULT;

/* Returns the <table-schema> of 'table'.  "isRoot" appears only if the
 * table is a root and 'default_is_root' is false: in a schema where every
 * table is a root, saying so is redundant.  Members are added in the
 * order in which OVS adds them (json_reorder_as_ovs() then gives the
 * order in which OVS writes them). */
json_t *ovsdb_table_schema_to_json(const struct ovsdb_table_schema *,
                                   bool default_is_root);

#endif /* ovsdb/ovsdb-table-schema.h */

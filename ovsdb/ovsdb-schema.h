/* OVSDB database schemas (RFC 7047 section 3.2): a name, an optional
 * version "x.y.z" and checksum, and the tables.
 *
 * The checksum is whatever the schema's "cksum" member says: OVS's tools
 * print it as written and never recompute it. */
#ifndef OVSDB_OVSDB_SCHEMA_H
#define OVSDB_OVSDB_SCHEMA_H 1

#include <jansson.h>
#include <stdbool.h>

#include "lib/hmap.h"
#include "lib/util.h"
#include "ovsdb/ovsdb-table-schema.h"

struct ovsdb_error;

struct ovsdb_schema {
    char *name;
    char *version;      /* "x.y.z", or "" if the schema has none. */
    char *cksum;        /* As written, or "" if the schema has none. */
    struct hmap tables; /* Contains "struct ovsdb_table_schema"s. */

    /* The tables in the order they were added (the order of the schema's
     * JSON), which decides the order in which OVS lists them. */
    struct ovsdb_table_schema **tables_in_order;
};

/* Returns a new schema without tables. */
struct ovsdb_schema *ovsdb_schema_create(const char *name, const char *version,
                                         const char *cksum);
struct ovsdb_schema *ovsdb_schema_clone(const struct ovsdb_schema *);
void ovsdb_schema_destroy(struct ovsdb_schema *);

/* Adds 'table' (taking ownership); its name must be new. */
void ovsdb_schema_add_table(struct ovsdb_schema *,
                            struct ovsdb_table_schema *);
const struct ovsdb_table_schema *
ovsdb_schema_get_table(const struct ovsdb_schema *, const char *name);
size_t ovsdb_schema_n_tables(const struct ovsdb_schema *);

/* Returns the tables sorted by name (an array of ovsdb_schema_n_tables()
 * borrowed pointers that the caller frees). */
const struct ovsdb_table_schema **
ovsdb_schema_sorted_tables(const struct ovsdb_schema *);

/* Parses the <database-schema> 'json': checks every table, column and
 * type, resolves references between tables, and, if no table says
 * "isRoot": true, makes every table a root (the rule for schemas older
 * than "isRoot"). */
struct ovsdb_error *
ovsdb_schema_from_json(const json_t *json,
                       struct ovsdb_schema **schemap) OVS_WARN_UNUSED_RESULT;
/* Returns the JSON of 'schema' with every object's members in the order
 * in which OVS writes them, so that a get_schema reply or a database
 * file holds the same bytes as OVS's. */
json_t *ovsdb_schema_to_json(const struct ovsdb_schema *);

/* Reads and parses the schema file 'file_name'. */
struct ovsdb_error *
ovsdb_schema_from_file(const char *file_name,
                       struct ovsdb_schema **schemap) OVS_WARN_UNUSED_RESULT;

/* Returns true if 'a' and 'b' describe the same database. */
bool ovsdb_schema_equal(const struct ovsdb_schema *a,
                        const struct ovsdb_schema *b);

/* Returns true if 'version' has the form "x.y.z" of schema versions. */
bool ovsdb_schema_is_valid_version(const char *version);

#endif /* ovsdb/ovsdb-schema.h */

/* An in-memory OVSDB database: a schema and one table per table of the
 * schema.  Changes go through transactions (ovsdb-txn), at most one open
 * at a time. */
#ifndef OVSDB_OVSDB_H
#define OVSDB_OVSDB_H 1

#include <stddef.h>

#include "lib/hmap.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb-table.h"

struct ovsdb_txn;

struct ovsdb {
    struct ovsdb_schema *schema; /* Owned. */
    struct hmap tables;          /* struct ovsdb_table, by name. */

    /* Private to ovsdb-txn: the open transaction, or NULL. */
    struct ovsdb_txn *txn;
};

/* Returns an empty database for 'schema', taking ownership of it. */
struct ovsdb *ovsdb_create(struct ovsdb_schema *);
void ovsdb_destroy(struct ovsdb *);

/* Returns the table called 'name', or NULL. */
struct ovsdb_table *ovsdb_get_table(const struct ovsdb *, const char *name);

/* Returns the total number of rows in all tables. */
size_t ovsdb_n_rows(const struct ovsdb *);

#endif /* ovsdb/ovsdb.h */

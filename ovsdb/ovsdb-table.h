/* An in-memory OVSDB table: its committed rows by UUID, one map per
 * unique index of the schema, and the reverse map of weak references
 * that point into the table.
 *
 * Only the transaction engine (ovsdb-txn) changes a table; everyone else
 * reads it. */
#ifndef OVSDB_OVSDB_TABLE_H
#define OVSDB_OVSDB_TABLE_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/hmap.h"
#include "lib/uuid.h"
#include "ovsdb/ovsdb-table-schema.h"

struct ovsdb_column;
struct ovsdb_datum;
struct ovsdb_row;
struct ovsdb_txn_table;

struct ovsdb_table {
    struct hmap_node hmap_node;              /* In the database, by name. */
    const struct ovsdb_table_schema *schema; /* Owned by the database. */

    struct hmap rows; /* Committed rows, by UUID hash. */

    /* 'schema->n_indexes' maps of committed rows, by the hash of the
     * indexed columns (ovsdb_table_index_hash()). */
    struct hmap *indexes;

    /* For each column, the table that its keys (values) refer to, or
     * NULL if they are not references; set up by ovsdb_create(). */
    struct ovsdb_table **key_ref_tables;
    struct ovsdb_table **value_ref_tables;

    /* Weak references from committed rows to rows of this table: struct
     * ovsdb_weak_ref by the hash of the referenced UUID. */
    struct hmap weak_refs;

    /* Private to ovsdb-txn: this table's part of the open transaction. */
    struct ovsdb_txn_table *txn_table;
};

/* One committed row's weak reference, in 'column' of row 'src_uuid' of
 * 'src_table', to row 'dst_uuid' of the table that holds the record. */
struct ovsdb_weak_ref {
    struct hmap_node hmap_node; /* In dst table's 'weak_refs'. */
    struct uuid dst_uuid;
    struct ovsdb_table *src_table;
    struct uuid src_uuid;
    unsigned int column;
};

/* Returns a new table without rows; 'schema' must outlive it. */
struct ovsdb_table *ovsdb_table_create(const struct ovsdb_table_schema *);
/* Frees 'table' and all its rows. */
void ovsdb_table_destroy(struct ovsdb_table *);

static inline size_t
ovsdb_table_n_rows(const struct ovsdb_table *table)
{
    return hmap_count(&table->rows);
}

/* Returns the committed row with 'uuid', or NULL. */
const struct ovsdb_row *ovsdb_table_get_row(const struct ovsdb_table *,
                                            const struct uuid *);

/* Adds 'row' (which must belong to 'table' and have a UUID no other
 * committed row has) to the rows and indexes, taking ownership. */
void ovsdb_table_insert_row(struct ovsdb_table *, struct ovsdb_row *);
/* Removes 'row' from the rows and indexes; the caller owns it again. */
void ovsdb_table_remove_row(struct ovsdb_table *, struct ovsdb_row *);

/* Looks up the committed row whose 'column' has 'value', where 'column'
 * is _uuid or alone makes a (unique) index of 'table': sets '*indexed'
 * and returns the row or NULL.  Otherwise sets '*indexed' to false: the
 * caller must search all rows. */
const struct ovsdb_row *
ovsdb_table_index_lookup(const struct ovsdb_table *,
                         const struct ovsdb_column *,
                         const struct ovsdb_datum *value, bool *indexed);

/* Returns the hash of 'row''s values of the columns of index 'i'. */
uint32_t ovsdb_table_index_hash(const struct ovsdb_table *, size_t i,
                                const struct ovsdb_row *);
/* Returns true if 'a' and 'b' agree on the columns of index 'i'. */
bool ovsdb_table_index_equal(const struct ovsdb_table *, size_t i,
                             const struct ovsdb_row *a,
                             const struct ovsdb_row *b);
/* Returns a committed row other than 'row' itself (not necessarily
 * committed) with the same values of the columns of index 'i', or NULL;
 * committed rows for which 'skip' returns true are ignored. */
const struct ovsdb_row *
ovsdb_table_index_find(const struct ovsdb_table *, size_t i,
                       const struct ovsdb_row *row,
                       bool (*skip)(const struct ovsdb_row *));

/* Records and forgets weak references (see struct ovsdb_weak_ref). */
void ovsdb_table_add_weak_ref(struct ovsdb_table *dst_table,
                              const struct uuid *dst_uuid,
                              struct ovsdb_table *src_table,
                              const struct uuid *src_uuid,
                              unsigned int column);
void ovsdb_table_remove_weak_ref(struct ovsdb_table *dst_table,
                                 const struct uuid *dst_uuid,
                                 const struct ovsdb_table *src_table,
                                 const struct uuid *src_uuid,
                                 unsigned int column);
/* Returns the number of weak references to rows of 'table'. */
size_t ovsdb_table_n_weak_refs(const struct ovsdb_table *);

/* Iterates WREF (a struct ovsdb_weak_ref *) over the weak references to
 * row DST_UUID of TABLE. */
#define OVSDB_TABLE_FOR_EACH_WEAK_REF_TO(WREF, DST_UUID, TABLE)               \
    HMAP_FOR_EACH_WITH_HASH (WREF, hmap_node, uuid_hash(DST_UUID),            \
                             &(TABLE)->weak_refs)                             \
        if (uuid_equals(&(WREF)->dst_uuid, DST_UUID))

#endif /* ovsdb/ovsdb-table.h */

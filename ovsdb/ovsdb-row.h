/* Rows of an in-memory OVSDB table: one datum per column of the table's
 * schema ("_uuid" and "_version" first), plus the bookkeeping that the
 * table and the transaction engine keep for committed rows.
 *
 * A row is either committed (in its table's 'rows' map, read-only to
 * everyone but ovsdb-txn) or a private copy that a transaction is
 * building; rows are never shared between the two states. */
#ifndef OVSDB_OVSDB_ROW_H
#define OVSDB_OVSDB_ROW_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/hmap.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/ovsdb-column.h"
#include "ovsdb/ovsdb-data.h"

struct ovsdb_error;
struct ovsdb_table;
struct ovsdb_txn_row;

/* A row's membership in one unique index of its table. */
struct ovsdb_row_index_node {
    struct hmap_node hmap_node; /* In the table's index map. */
    struct ovsdb_row *row;      /* The row this node belongs to. */
};

struct ovsdb_row {
    struct hmap_node hmap_node; /* In table's 'rows', if committed. */
    const struct ovsdb_table *table;

    /* Private to ovsdb-txn: the transaction's record of this row while a
     * transaction has it, otherwise NULL. */
    struct ovsdb_txn_row *txn_row;

    /* Number of strong references to this row from committed rows. */
    size_t n_refs;

    /* One node per unique index of the table (in the table's index maps
     * while the row is committed). */
    struct ovsdb_row_index_node *index_nodes;

    /* One datum per column of the table, by column index. */
    struct ovsdb_datum fields[];
};

/* Returns a row of 'table' whose columns all have their default values,
 * with an all-zeros "_uuid" and "_version".  The row is not in the
 * table. */
struct ovsdb_row *ovsdb_row_create(const struct ovsdb_table *);
/* Returns a copy of 'row''s data and reference count, not in any table
 * or transaction. */
struct ovsdb_row *ovsdb_row_clone(const struct ovsdb_row *);
void ovsdb_row_destroy(struct ovsdb_row *);

static inline const struct uuid *
ovsdb_row_get_uuid(const struct ovsdb_row *row)
{
    return &row->fields[OVSDB_COL_UUID].keys[0].uuid;
}

static inline struct uuid *
ovsdb_row_get_uuid_rw(struct ovsdb_row *row)
{
    return &row->fields[OVSDB_COL_UUID].keys[0].uuid;
}

static inline const struct uuid *
ovsdb_row_get_version(const struct ovsdb_row *row)
{
    return &row->fields[OVSDB_COL_VERSION].keys[0].uuid;
}

static inline struct uuid *
ovsdb_row_get_version_rw(struct ovsdb_row *row)
{
    return &row->fields[OVSDB_COL_VERSION].keys[0].uuid;
}

/* Returns the table schema's column count (what 'fields' holds). */
size_t ovsdb_row_n_columns(const struct ovsdb_row *);

/* Hashing and comparison restricted to 'columns'. */
uint32_t ovsdb_row_hash_columns(const struct ovsdb_row *,
                                const struct ovsdb_column_set *columns,
                                uint32_t basis);
bool ovsdb_row_equal_columns(const struct ovsdb_row *a,
                             const struct ovsdb_row *b,
                             const struct ovsdb_column_set *columns);
int ovsdb_row_compare_columns_3way(const struct ovsdb_row *a,
                                   const struct ovsdb_row *b,
                                   const struct ovsdb_column_set *columns);

/* Replaces the values of 'columns' in 'dst' by copies of 'src''s. */
void ovsdb_row_update_columns(struct ovsdb_row *dst,
                              const struct ovsdb_row *src,
                              const struct ovsdb_column_set *columns);

/* Parses the <row> object 'json' (column name to value) into 'row',
 * replacing the named columns' values.  Column names not in the table
 * give an "unknown column" error.  If 'included' is nonnull, the parsed
 * columns are added to it in the order of the object's members.  Named
 * UUIDs resolve through 'symtab' if it is nonnull.  On error 'row' may
 * have been partly updated. */
struct ovsdb_error *
ovsdb_row_from_json(struct ovsdb_row *, const json_t *,
                    struct ovsdb_symbol_table *symtab,
                    struct ovsdb_column_set *included) OVS_WARN_UNUSED_RESULT;

/* Returns the <row> object holding the values of 'columns' (or of every
 * column if 'columns' is NULL). */
json_t *ovsdb_row_to_json(const struct ovsdb_row *,
                          const struct ovsdb_column_set *columns);

/* A set of rows that counts two rows as the same if they agree on
 * 'columns': "select" uses it to drop duplicate results and "wait" to
 * compare the rows it found with the rows it expects.  The set borrows
 * the rows. */
struct ovsdb_row_hash {
    struct hmap rows;                /* Of private nodes. */
    struct ovsdb_column_set columns; /* Borrowed from the caller. */
};

void ovsdb_row_hash_init(struct ovsdb_row_hash *,
                         const struct ovsdb_column_set *columns);
void ovsdb_row_hash_destroy(struct ovsdb_row_hash *);
size_t ovsdb_row_hash_count(const struct ovsdb_row_hash *);
bool ovsdb_row_hash_contains(const struct ovsdb_row_hash *,
                             const struct ovsdb_row *);
/* Adds 'row' unless an equal row is there; returns true if added. */
bool ovsdb_row_hash_insert(struct ovsdb_row_hash *, const struct ovsdb_row *);
/* Returns true if every row of 'a' is in 'b' and vice versa. */
bool ovsdb_row_hash_equal(const struct ovsdb_row_hash *a,
                          const struct ovsdb_row_hash *b);

#endif /* ovsdb/ovsdb-row.h */

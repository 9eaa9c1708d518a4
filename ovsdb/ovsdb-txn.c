/* OVSDB transactions; see ovsdb-txn.h. */
#include "ovsdb/ovsdb-txn.h"

#include <stdlib.h>
#include <string.h>

#include "lib/bitmap.h"
#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/hmap.h"
#include "lib/list.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-row.h"
#include "ovsdb/ovsdb-table.h"
#include "ovsdb/ovsdb.h"

enum txn_state {
    TXN_OPEN,
    TXN_PRECOMMITTED,
    TXN_APPLIED,
};

/* What removing dangling weak references did to one column of a row, for
 * the error if the column ends up smaller than its minimum. */
struct weak_removal {
    unsigned int column;
    unsigned int n_removed;
    bool removed_zero_uuid; /* One of them was the all-zeros UUID. */
};

/* A row that the transaction touches.  'old' is the committed row (NULL
 * for an insertion), 'new' the transaction's version (NULL for a
 * deletion); both NULL for a row inserted and then deleted. */
struct ovsdb_txn_row {
    struct list list_node;      /* In txn_table's 'txn_rows'. */
    struct hmap_node hmap_node; /* In txn's 'rows', by UUID. */
    struct ovsdb_txn_table *txn_table;
    struct uuid uuid;
    struct ovsdb_row *old;
    struct ovsdb_row *new;

    unsigned long *changed; /* Computed by precommit. */
    bool kept_old;          /* Applied without any change. */
    bool weak_propagated;   /* Referrers of deleted row done. */

    struct weak_removal *removals;
    size_t n_removals;
};

struct ovsdb_txn_table {
    struct list list_node; /* In txn's 'txn_tables'. */
    struct ovsdb_table *table;
    struct list txn_rows; /* struct ovsdb_txn_row, in order. */
};

struct ovsdb_txn {
    struct ovsdb *db;
    enum txn_state state;
    struct list txn_tables; /* struct ovsdb_txn_table. */
    struct hmap rows;       /* struct ovsdb_txn_row, by UUID. */
    struct ds comment;

    /* Strong reference count changes computed by precommit: struct
     * ref_delta by (table, UUID). */
    struct hmap ref_deltas;
};

/* The change precommit computed in the number of strong references to
 * one row. */
struct ref_delta {
    struct hmap_node hmap_node;
    struct ovsdb_table *table;
    struct uuid uuid;
    long long delta;
};

struct ovsdb_txn *
ovsdb_txn_create(struct ovsdb *db)
{
    ovs_assert(!db->txn);
    struct ovsdb_txn *txn = xzalloc(sizeof *txn);
    txn->db = db;
    txn->state = TXN_OPEN;
    list_init(&txn->txn_tables);
    hmap_init(&txn->rows);
    ds_init(&txn->comment);
    hmap_init(&txn->ref_deltas);
    db->txn = txn;
    return txn;
}

struct ovsdb *
ovsdb_txn_get_db(const struct ovsdb_txn *txn)
{
    return txn->db;
}

void
ovsdb_txn_add_comment(struct ovsdb_txn *txn, const char *comment)
{
    if (txn->comment.length) {
        ds_put_char(&txn->comment, '\n');
    }
    ds_put_cstr(&txn->comment, comment);
}

const char *
ovsdb_txn_get_comment(const struct ovsdb_txn *txn)
{
    return txn->comment.length ? ds_cstr_ro(&txn->comment) : NULL;
}

static uint32_t
row_hash(const struct ovsdb_table *table, const struct uuid *uuid)
{
    return hash_pointer(table, uuid_hash(uuid));
}

static struct ovsdb_txn_row *
find_txn_row(const struct ovsdb_txn *txn, const struct ovsdb_table *table,
             const struct uuid *uuid)
{
    struct ovsdb_txn_row *txn_row;
    HMAP_FOR_EACH_WITH_HASH (txn_row, hmap_node, row_hash(table, uuid),
                             &txn->rows) {
        if (txn_row->txn_table->table == table
            && uuid_equals(&txn_row->uuid, uuid)) {
            return txn_row;
        }
    }
    return NULL;
}

const struct ovsdb_row *
ovsdb_txn_get_row(const struct ovsdb_txn *txn, const struct ovsdb_table *table,
                  const struct uuid *uuid)
{
    const struct ovsdb_txn_row *txn_row = find_txn_row(txn, table, uuid);
    return txn_row ? txn_row->new : ovsdb_table_get_row(table, uuid);
}

bool
ovsdb_txn_uuid_is_taken(const struct ovsdb_txn *txn,
                        const struct ovsdb_table *table,
                        const struct uuid *uuid)
{
    return (find_txn_row(txn, table, uuid)
            || ovsdb_table_get_row(table, uuid));
}

void
ovsdb_txn_for_each_row(const struct ovsdb_txn *txn,
                       const struct ovsdb_table *table,
                       bool (*cb)(const struct ovsdb_row *, void *aux),
                       void *aux)
{
    const struct ovsdb_row *row;
    HMAP_FOR_EACH (row, hmap_node, &table->rows) {
        const struct ovsdb_row *view =
            (row->txn_row ? row->txn_row->new : row);
        if (view && !cb(view, aux)) {
            return;
        }
    }

    if (table->txn_table) {
        const struct ovsdb_txn_row *txn_row;
        LIST_FOR_EACH (txn_row, list_node, &table->txn_table->txn_rows) {
            if (!txn_row->old && txn_row->new && !cb(txn_row->new, aux)) {
                return;
            }
        }
    }
    (void) txn;
}

void
ovsdb_txn_for_each_changed_row(const struct ovsdb_txn *txn,
                               const struct ovsdb_table *table,
                               const struct ovsdb_row *committed,
                               bool (*cb)(const struct ovsdb_row *, void *),
                               void *aux)
{
    if (committed && !committed->txn_row && !cb(committed, aux)) {
        return;
    }
    if (table->txn_table) {
        const struct ovsdb_txn_row *txn_row;
        LIST_FOR_EACH (txn_row, list_node, &table->txn_table->txn_rows) {
            if (txn_row->new && !cb(txn_row->new, aux)) {
                return;
            }
        }
    }
    (void) txn;
}

static struct ovsdb_txn_table *
get_txn_table(struct ovsdb_txn *txn, struct ovsdb_table *table)
{
    if (!table->txn_table) {
        struct ovsdb_txn_table *txn_table = xzalloc(sizeof *txn_table);
        txn_table->table = table;
        list_init(&txn_table->txn_rows);
        list_push_back(&txn->txn_tables, &txn_table->list_node);
        table->txn_table = txn_table;
    }
    return table->txn_table;
}

static struct ovsdb_txn_row *
add_txn_row(struct ovsdb_txn *txn, struct ovsdb_table *table,
            const struct uuid *uuid, struct ovsdb_row *old,
            struct ovsdb_row *new)
{
    struct ovsdb_txn_table *txn_table = get_txn_table(txn, table);
    struct ovsdb_txn_row *txn_row = xzalloc(sizeof *txn_row);
    txn_row->txn_table = txn_table;
    txn_row->uuid = *uuid;
    txn_row->old = old;
    txn_row->new = new;
    if (old) {
        old->txn_row = txn_row;
    }
    if (new) {
        new->txn_row = txn_row;
    }
    list_push_back(&txn_table->txn_rows, &txn_row->list_node);
    hmap_insert(&txn->rows, &txn_row->hmap_node, row_hash(table, uuid));
    return txn_row;
}

void
ovsdb_txn_row_insert(struct ovsdb_txn *txn, struct ovsdb_row *row)
{
    ovs_assert(txn->state == TXN_OPEN);
    struct ovsdb_table *table = (struct ovsdb_table *) row->table;
    const struct uuid *uuid = ovsdb_row_get_uuid(row);
    ovs_assert(!ovsdb_txn_uuid_is_taken(txn, table, uuid));

    uuid_generate(ovsdb_row_get_version_rw(row));
    add_txn_row(txn, table, uuid, NULL, row);
}

struct ovsdb_row *
ovsdb_txn_row_modify(struct ovsdb_txn *txn, const struct ovsdb_row *row_)
{
    ovs_assert(txn->state == TXN_OPEN);
    struct ovsdb_row *row = (struct ovsdb_row *) row_;
    if (row->txn_row) {
        ovs_assert(row->txn_row->new);
        return row->txn_row->new;
    }

    struct ovsdb_row *new = ovsdb_row_clone(row);
    add_txn_row(txn, (struct ovsdb_table *) row->table,
                ovsdb_row_get_uuid(row), row, new);
    return new;
}

void
ovsdb_txn_row_delete(struct ovsdb_txn *txn, const struct ovsdb_row *row_)
{
    ovs_assert(txn->state == TXN_OPEN);
    struct ovsdb_row *row = (struct ovsdb_row *) row_;
    struct ovsdb_txn_row *txn_row = row->txn_row;
    if (!txn_row) {
        add_txn_row(txn, (struct ovsdb_table *) row->table,
                    ovsdb_row_get_uuid(row), row, NULL);
        return;
    }

    ovs_assert(txn_row->new);
    ovsdb_row_destroy(txn_row->new);
    txn_row->new = NULL;
}

/* Iterates TXN_ROW over every row of transaction TXN, table by table. */
#define FOR_EACH_TXN_ROW(TXN_ROW, TXN_TABLE, TXN)                             \
    LIST_FOR_EACH (TXN_TABLE, list_node, &(TXN)->txn_tables)                  \
        LIST_FOR_EACH (TXN_ROW, list_node, &(TXN_TABLE)->txn_rows)

static void
free_txn_rows(struct ovsdb_txn *txn, bool applied)
{
    struct ovsdb_txn_table *txn_table;
    LIST_FOR_EACH_POP (txn_table, list_node, &txn->txn_tables) {
        struct ovsdb_txn_row *txn_row;
        LIST_FOR_EACH_POP (txn_row, list_node, &txn_table->txn_rows) {
            if (applied) {
                /* The committed rows are now 'new', except where nothing
                 * changed and apply kept 'old'. */
                if (txn_row->kept_old) {
                    ovsdb_row_destroy(txn_row->new);
                } else {
                    ovsdb_row_destroy(txn_row->old);
                }
            } else {
                if (txn_row->old) {
                    txn_row->old->txn_row = NULL;
                }
                ovsdb_row_destroy(txn_row->new);
            }
            bitmap_free(txn_row->changed);
            free(txn_row->removals);
            free(txn_row);
        }
        txn_table->table->txn_table = NULL;
        free(txn_table);
    }
    hmap_destroy(&txn->rows);

    struct ref_delta *rd;
    HMAP_FOR_EACH_POP (rd, hmap_node, &txn->ref_deltas) {
        free(rd);
    }
    hmap_destroy(&txn->ref_deltas);
    ds_destroy(&txn->comment);
}

void
ovsdb_txn_abort(struct ovsdb_txn *txn)
{
    if (txn) {
        ovs_assert(txn->state != TXN_APPLIED);
        txn->db->txn = NULL;
        free_txn_rows(txn, false);
        free(txn);
    }
}

void
ovsdb_txn_destroy(struct ovsdb_txn *txn)
{
    if (txn) {
        ovs_assert(txn->state == TXN_APPLIED);
        free_txn_rows(txn, true);
        free(txn);
    }
}

/* Precommit: weak references, garbage collection, checks. */

/* Returns true if the row of 'table' with 'uuid' exists as the
 * transaction sees it. */
static bool
row_exists(const struct ovsdb_txn *txn, const struct ovsdb_table *table,
           const struct uuid *uuid)
{
    return ovsdb_txn_get_row(txn, table, uuid) != NULL;
}

static void
note_weak_removal(struct ovsdb_txn_row *txn_row, unsigned int column,
                  bool zero)
{
    struct weak_removal *wr = NULL;
    for (size_t i = 0; i < txn_row->n_removals; i++) {
        if (txn_row->removals[i].column == column) {
            wr = &txn_row->removals[i];
            break;
        }
    }
    if (!wr) {
        txn_row->removals =
            xrealloc(txn_row->removals,
                     (txn_row->n_removals + 1) * sizeof *txn_row->removals);
        wr = &txn_row->removals[txn_row->n_removals++];
        memset(wr, 0, sizeof *wr);
        wr->column = column;
    }
    wr->n_removed++;
    wr->removed_zero_uuid |= zero;
}

/* Removes from 'txn_row''s new row every weak reference to a row that
 * does not exist as the transaction sees it.  Returns true if it removed
 * any. */
static bool
remove_dangling_weak_refs(const struct ovsdb_txn *txn,
                          struct ovsdb_txn_row *txn_row)
{
    struct ovsdb_row *row = txn_row->new;
    const struct ovsdb_table *table = row->table;
    bool removed_any = false;

    for (size_t c = 0; c < table->schema->n_columns; c++) {
        const struct ovsdb_type *type = &table->schema->columns[c]->type;
        bool key_weak = ovsdb_base_type_is_weak_ref(&type->key);
        bool value_weak = ovsdb_base_type_is_weak_ref(&type->value);
        if (!key_weak && !value_weak) {
            continue;
        }

        struct ovsdb_datum *datum = &row->fields[c];
        for (unsigned int i = 0; i < datum->n;) {
            const struct uuid *dangling = NULL;
            if (key_weak
                && !row_exists(txn, table->key_ref_tables[c],
                               &datum->keys[i].uuid)) {
                dangling = &datum->keys[i].uuid;
            } else if (value_weak
                       && !row_exists(txn, table->value_ref_tables[c],
                                      &datum->values[i].uuid)) {
                dangling = &datum->values[i].uuid;
            }
            if (dangling) {
                note_weak_removal(txn_row, c, uuid_is_zero(dangling));
                ovsdb_datum_remove_at(datum, i, type);
                removed_any = true;
            } else {
                i++;
            }
        }
    }
    return removed_any;
}

/* Returns true if 'table' has a column holding weak references. */
static bool
table_has_weak_refs(const struct ovsdb_table *table)
{
    for (size_t c = 0; c < table->schema->n_columns; c++) {
        const struct ovsdb_type *type = &table->schema->columns[c]->type;
        if (ovsdb_base_type_is_weak_ref(&type->key)
            || ovsdb_base_type_is_weak_ref(&type->value)) {
            return true;
        }
    }
    return false;
}

/* Brings into the transaction every committed row that weakly refers to
 * a row that the transaction deletes, so that the reference gets
 * removed.  Returns true if it brought in any. */
static bool
propagate_deletions(struct ovsdb_txn *txn)
{
    bool progress = false;
    struct ovsdb_txn_table *txn_table;
    struct ovsdb_txn_row *txn_row;
    FOR_EACH_TXN_ROW(txn_row, txn_table, txn)
    {
        if (txn_row->new || !txn_row->old || txn_row->weak_propagated) {
            continue;
        }
        txn_row->weak_propagated = true;

        struct ovsdb_table *table = txn_table->table;
        struct ovsdb_weak_ref *wref;
        OVSDB_TABLE_FOR_EACH_WEAK_REF_TO(wref, &txn_row->uuid, table)
        {
            const struct ovsdb_row *src =
                ovsdb_txn_get_row(txn, wref->src_table, &wref->src_uuid);
            if (src && !src->txn_row) {
                ovsdb_txn_row_modify(txn, src);
                progress = true;
            }
        }
    }
    return progress;
}

static struct ref_delta *
find_ref_delta(const struct ovsdb_txn *txn, const struct ovsdb_table *table,
               const struct uuid *uuid)
{
    struct ref_delta *rd;
    HMAP_FOR_EACH_WITH_HASH (rd, hmap_node, row_hash(table, uuid),
                             &txn->ref_deltas) {
        if (rd->table == table && uuid_equals(&rd->uuid, uuid)) {
            return rd;
        }
    }
    return NULL;
}

static void
add_ref_delta(struct ovsdb_txn *txn, struct ovsdb_table *table,
              const struct uuid *uuid, int delta)
{
    struct ref_delta *rd = find_ref_delta(txn, table, uuid);
    if (!rd) {
        rd = xzalloc(sizeof *rd);
        rd->table = table;
        rd->uuid = *uuid;
        hmap_insert(&txn->ref_deltas, &rd->hmap_node, row_hash(table, uuid));
    }
    rd->delta += delta;
}

/* Adds 'delta' to the reference counts of the rows that 'row' strongly
 * refers to. */
static void
count_strong_refs(struct ovsdb_txn *txn, const struct ovsdb_row *row,
                  int delta)
{
    const struct ovsdb_table *table = row->table;
    for (size_t c = 0; c < table->schema->n_columns; c++) {
        const struct ovsdb_type *type = &table->schema->columns[c]->type;
        const struct ovsdb_datum *datum = &row->fields[c];
        if (ovsdb_base_type_is_strong_ref(&type->key)) {
            for (unsigned int i = 0; i < datum->n; i++) {
                add_ref_delta(txn, table->key_ref_tables[c],
                              &datum->keys[i].uuid, delta);
            }
        }
        if (ovsdb_base_type_is_strong_ref(&type->value)) {
            for (unsigned int i = 0; i < datum->n; i++) {
                add_ref_delta(txn, table->value_ref_tables[c],
                              &datum->values[i].uuid, delta);
            }
        }
    }
}

/* Adds to the reference counts what changes from 'old' to 'new', two
 * versions of one row: for a set of strong references, only the elements
 * added and removed count, so that adding one port to a bridge with
 * 10,000 costs one delta, not 20,001. */
static void
count_strong_ref_changes(struct ovsdb_txn *txn, const struct ovsdb_row *old,
                         const struct ovsdb_row *new)
{
    const struct ovsdb_table *table = old->table;
    for (size_t c = 0; c < table->schema->n_columns; c++) {
        const struct ovsdb_type *type = &table->schema->columns[c]->type;
        const struct ovsdb_datum *a = &old->fields[c];
        const struct ovsdb_datum *b = &new->fields[c];
        bool key_refs = ovsdb_base_type_is_strong_ref(&type->key);
        bool value_refs = ovsdb_base_type_is_strong_ref(&type->value);
        if ((!key_refs && !value_refs) || ovsdb_datum_equals(a, b, type)) {
            continue;
        }
        if (value_refs) {
            /* Map values are not sorted: count both versions whole. */
            for (unsigned int i = 0; i < a->n; i++) {
                add_ref_delta(txn, table->value_ref_tables[c],
                              &a->values[i].uuid, -1);
            }
            for (unsigned int i = 0; i < b->n; i++) {
                add_ref_delta(txn, table->value_ref_tables[c],
                              &b->values[i].uuid, 1);
            }
        }
        if (key_refs) {
            /* Keys are sorted: walk both in step. */
            struct ovsdb_table *ref_table = table->key_ref_tables[c];
            unsigned int i = 0, j = 0;
            while (i < a->n || j < b->n) {
                int cmp = i >= a->n   ? 1
                          : j >= b->n ? -1
                                      : uuid_compare_3way(&a->keys[i].uuid,
                                                          &b->keys[j].uuid);
                if (cmp < 0) {
                    add_ref_delta(txn, ref_table, &a->keys[i++].uuid, -1);
                } else if (cmp > 0) {
                    add_ref_delta(txn, ref_table, &b->keys[j++].uuid, 1);
                } else {
                    i++;
                    j++;
                }
            }
        }
    }
}

/* Recomputes 'txn->ref_deltas' from scratch. */
static void
compute_ref_deltas(struct ovsdb_txn *txn)
{
    struct ref_delta *rd;
    HMAP_FOR_EACH_POP (rd, hmap_node, &txn->ref_deltas) {
        free(rd);
    }

    struct ovsdb_txn_table *txn_table;
    struct ovsdb_txn_row *txn_row;
    FOR_EACH_TXN_ROW(txn_row, txn_table, txn)
    {
        if (txn_row->old && txn_row->new) {
            count_strong_ref_changes(txn, txn_row->old, txn_row->new);
        } else if (txn_row->old) {
            count_strong_refs(txn, txn_row->old, -1);
        } else if (txn_row->new) {
            count_strong_refs(txn, txn_row->new, 1);
        }
    }
}

/* Returns the number of strong references to the row of 'table' with
 * 'uuid' once the transaction is applied. */
static long long
final_ref_count(const struct ovsdb_txn *txn, const struct ovsdb_table *table,
                const struct uuid *uuid)
{
    const struct ovsdb_row *committed = ovsdb_table_get_row(table, uuid);
    const struct ref_delta *rd = find_ref_delta(txn, table, uuid);
    return ((committed ? (long long) committed->n_refs : 0)
            + (rd ? rd->delta : 0));
}

/* Deletes rows of non-root tables that nothing refers to once the
 * transaction is applied.  Returns true if it deleted any. */
static bool
collect_garbage(struct ovsdb_txn *txn)
{
    bool progress = false;

    /* Candidates: the transaction's rows and the rows whose count
     * changed.  Collect them first: deleting adds to both. */
    struct ovsdb_row **victims = NULL;
    size_t n_victims = 0, allocated = 0;

    struct ovsdb_txn_table *txn_table;
    struct ovsdb_txn_row *txn_row;
    FOR_EACH_TXN_ROW(txn_row, txn_table, txn)
    {
        if (txn_row->new && !txn_table->table->schema->is_root
            && final_ref_count(txn, txn_table->table, &txn_row->uuid) <= 0) {
            if (n_victims >= allocated) {
                victims = x2nrealloc(victims, &allocated, sizeof *victims);
            }
            victims[n_victims++] = txn_row->new;
        }
    }

    struct ref_delta *rd;
    HMAP_FOR_EACH (rd, hmap_node, &txn->ref_deltas) {
        if (rd->delta >= 0 || rd->table->schema->is_root) {
            continue;
        }
        const struct ovsdb_row *row =
            ovsdb_table_get_row(rd->table, &rd->uuid);
        if (row && !row->txn_row && (long long) row->n_refs + rd->delta <= 0) {
            if (n_victims >= allocated) {
                victims = x2nrealloc(victims, &allocated, sizeof *victims);
            }
            victims[n_victims++] = (struct ovsdb_row *) row;
        }
    }

    for (size_t i = 0; i < n_victims; i++) {
        ovsdb_txn_row_delete(txn, victims[i]);
        progress = true;
    }
    free(victims);
    return progress;
}

/* Returns a row of the transaction that strongly refers to the row of
 * 'dst_table' with 'dst_uuid', and the column, for an error message. */
static const struct ovsdb_row *
find_referrer(const struct ovsdb_txn *txn, const struct ovsdb_table *dst_table,
              const struct uuid *dst_uuid, const struct ovsdb_column **columnp)
{
    const struct ovsdb_txn_table *txn_table;
    const struct ovsdb_txn_row *txn_row;
    FOR_EACH_TXN_ROW(txn_row, txn_table, txn)
    {
        const struct ovsdb_row *row = txn_row->new;
        if (!row) {
            continue;
        }
        const struct ovsdb_table *table = row->table;
        for (size_t c = 0; c < table->schema->n_columns; c++) {
            const struct ovsdb_type *type = &table->schema->columns[c]->type;
            const struct ovsdb_datum *datum = &row->fields[c];
            bool key = (ovsdb_base_type_is_strong_ref(&type->key)
                        && table->key_ref_tables[c] == dst_table);
            bool value = (ovsdb_base_type_is_strong_ref(&type->value)
                          && table->value_ref_tables[c] == dst_table);
            for (unsigned int i = 0; i < datum->n; i++) {
                if ((key && uuid_equals(&datum->keys[i].uuid, dst_uuid))
                    || (value
                        && uuid_equals(&datum->values[i].uuid, dst_uuid))) {
                    *columnp = table->schema->columns[c];
                    return row;
                }
            }
        }
    }
    return NULL;
}

/* Returns an error if a row of 'txn' strongly refers to a row that does
 * not exist. */
static struct ovsdb_error *
check_nonexistent_refs(const struct ovsdb_txn *txn)
{
    const struct ref_delta *rd;
    HMAP_FOR_EACH (rd, hmap_node, &txn->ref_deltas) {
        if (rd->delta <= 0 || row_exists(txn, rd->table, &rd->uuid)
            || ovsdb_table_get_row(rd->table, &rd->uuid)) {
            continue;
        }

        const struct ovsdb_column *column = NULL;
        const struct ovsdb_row *src =
            find_referrer(txn, rd->table, &rd->uuid, &column);
        ovs_assert(src);
        return ovsdb_error("referential integrity violation",
                           "Table %s column %s row " UUID_FMT " references "
                           "nonexistent row " UUID_FMT " in table %s.",
                           src->table->schema->name, column->name,
                           UUID_ARGS(ovsdb_row_get_uuid(src)),
                           UUID_ARGS(&rd->uuid), rd->table->schema->name);
    }
    return NULL;
}

/* Returns an error if the transaction deletes a row that something still
 * refers to.  (References to rows that never existed are refused before
 * garbage collection, by check_nonexistent_refs(): deleting rows adds no
 * reference.) */
static struct ovsdb_error *
check_referential_integrity(const struct ovsdb_txn *txn)
{
    const struct ovsdb_txn_table *txn_table;
    const struct ovsdb_txn_row *txn_row;
    FOR_EACH_TXN_ROW(txn_row, txn_table, txn)
    {
        if (txn_row->old && !txn_row->new) {
            const struct ovsdb_table *table = txn_table->table;
            long long count = final_ref_count(txn, table, &txn_row->uuid);
            if (count > 0) {
                return ovsdb_error("referential integrity violation",
                                   "cannot delete %s row " UUID_FMT
                                   " because of %lld remaining "
                                   "reference(s)",
                                   table->schema->name,
                                   UUID_ARGS(&txn_row->uuid), count);
            }
        }
    }
    return NULL;
}

static struct ovsdb_error *
check_weak_removals(const struct ovsdb_txn *txn)
{
    const struct ovsdb_txn_table *txn_table;
    const struct ovsdb_txn_row *txn_row;
    FOR_EACH_TXN_ROW(txn_row, txn_table, txn)
    {
        if (!txn_row->new) {
            continue;
        }
        const struct ovsdb_table_schema *ts = txn_table->table->schema;
        for (size_t i = 0; i < txn_row->n_removals; i++) {
            const struct weak_removal *wr = &txn_row->removals[i];
            const struct ovsdb_column *column = ts->columns[wr->column];
            if (txn_row->new->fields[wr->column].n >= column->type.n_min) {
                continue;
            }
            if (!txn_row->old && wr->removed_zero_uuid) {
                return ovsdb_error(
                    "constraint violation",
                    "Weak reference column \"%s\" in \"%s\" row " UUID_FMT
                    " (inserted within this transaction) contained "
                    "all-zeros UUID (probably as the default value for "
                    "this column) but deleting this value caused a "
                    "constraint volation because this column is not "
                    "allowed to be empty.",
                    column->name, ts->name, UUID_ARGS(&txn_row->uuid));
            }
            return ovsdb_error(
                "constraint violation",
                "Deletion of %u weak reference(s) to deleted (or "
                "never-existing) rows from column \"%s\" in \"%s\" "
                "row " UUID_FMT " %scaused this column to become empty, but "
                "constraints on this column disallow an empty column.",
                wr->n_removed, column->name, ts->name,
                UUID_ARGS(&txn_row->uuid),
                txn_row->old ? "" : "(inserted within this transaction) ");
        }
    }
    return NULL;
}

static struct ovsdb_error *
check_max_rows(const struct ovsdb_txn *txn)
{
    const struct ovsdb_txn_table *txn_table;
    LIST_FOR_EACH (txn_table, list_node, &txn->txn_tables) {
        const struct ovsdb_table *table = txn_table->table;
        long long n_rows = ovsdb_table_n_rows(table);
        const struct ovsdb_txn_row *txn_row;
        LIST_FOR_EACH (txn_row, list_node, &txn_table->txn_rows) {
            n_rows += (txn_row->new != NULL) - (txn_row->old != NULL);
        }
        if (n_rows > table->schema->max_rows) {
            return ovsdb_error("constraint violation",
                               "transaction causes \"%s\" table to contain "
                               "%lld rows, greater than the schema-defined "
                               "limit of %u row(s)",
                               table->schema->name, n_rows,
                               table->schema->max_rows);
        }
    }
    return NULL;
}

/* Appends the values of index 'columns' of 'row' to 'out' as OVS lists
 * them: "a", "a and b", "a, b, and c". */
static void
put_index_values(const struct ovsdb_row *row,
                 const struct ovsdb_column_set *columns, struct ds *out)
{
    for (size_t i = 0; i < columns->n_columns; i++) {
        const struct ovsdb_column *column = columns->columns[i];
        if (i) {
            ds_put_cstr(out, (columns->n_columns == 2       ? " and "
                              : i == columns->n_columns - 1 ? ", and "
                                                            : ", "));
        }
        ovsdb_datum_to_string(&row->fields[column->index], &column->type, out);
    }
}

static void
put_index_columns(const struct ovsdb_column_set *columns, struct ds *out)
{
    ds_put_format(out, "column%s ", columns->n_columns > 1 ? "s" : "");
    for (size_t i = 0; i < columns->n_columns; i++) {
        if (i) {
            ds_put_cstr(out, (columns->n_columns == 2       ? " and "
                              : i == columns->n_columns - 1 ? ", and "
                                                            : ", "));
        }
        ds_put_format(out, "\"%s\"", columns->columns[i]->name);
    }
}

/* Describes where 'row' (a row as the transaction sees it, or a
 * committed row that the transaction does not touch) comes from. */
static void
put_row_origin(const struct ovsdb_row *row,
               const struct ovsdb_column_set *columns, struct ds *out)
{
    const struct ovsdb_txn_row *txn_row = row->txn_row;
    if (!txn_row) {
        ds_put_cstr(out, "existed in the database before this transaction "
                         "and was not modified by the transaction.");
    } else if (!txn_row->old) {
        ds_put_cstr(out, "was inserted by this transaction.");
    } else if (ovsdb_row_equal_columns(txn_row->old, row, columns)) {
        ds_put_cstr(out,
                    "existed in the database before this transaction, "
                    "which modified some of the row's columns but not any "
                    "columns in this index.");
    } else {
        ds_put_cstr(out, "had the following index values before the "
                         "transaction: ");
        put_index_values(txn_row->old, columns, out);
        ds_put_char(out, '.');
    }
}

static struct ovsdb_error *
duplicate_index_error(const struct ovsdb_table *table,
                      const struct ovsdb_column_set *columns,
                      const struct ovsdb_row *first,
                      const struct ovsdb_row *second)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s,
                  "Transaction causes multiple rows in \"%s\" table to "
                  "have identical values (",
                  table->schema->name);
    put_index_values(first, columns, &s);
    ds_put_cstr(&s, ") for index on ");
    put_index_columns(columns, &s);
    ds_put_format(&s, ".  First row, with UUID " UUID_FMT ", ",
                  UUID_ARGS(ovsdb_row_get_uuid(first)));
    put_row_origin(first, columns, &s);
    ds_put_format(&s, "  Second row, with UUID " UUID_FMT ", ",
                  UUID_ARGS(ovsdb_row_get_uuid(second)));
    put_row_origin(second, columns, &s);

    struct ovsdb_error *error =
        ovsdb_error("constraint violation", "%s", ds_cstr(&s));
    ds_destroy(&s);
    return error;
}

static bool
row_is_in_txn(const struct ovsdb_row *row)
{
    return row->txn_row != NULL;
}

/* A transaction row in a temporary index map. */
struct index_probe {
    struct hmap_node hmap_node;
    const struct ovsdb_row *row;
};

static struct ovsdb_error *
check_indexes(const struct ovsdb_txn *txn)
{
    const struct ovsdb_txn_table *txn_table;
    LIST_FOR_EACH (txn_table, list_node, &txn->txn_tables) {
        const struct ovsdb_table *table = txn_table->table;
        for (size_t i = 0; i < table->schema->n_indexes; i++) {
            const struct ovsdb_column_set *columns =
                &table->schema->indexes[i];
            struct hmap probes = HMAP_INITIALIZER(&probes);
            struct ovsdb_error *error = NULL;

            const struct ovsdb_txn_row *txn_row;
            LIST_FOR_EACH (txn_row, list_node, &txn_table->txn_rows) {
                const struct ovsdb_row *row = txn_row->new;
                if (!row) {
                    continue;
                }

                uint32_t hash = ovsdb_table_index_hash(table, i, row);
                struct index_probe *probe;
                HMAP_FOR_EACH_WITH_HASH (probe, hmap_node, hash, &probes) {
                    if (ovsdb_table_index_equal(table, i, row, probe->row)) {
                        error = duplicate_index_error(table, columns,
                                                      probe->row, row);
                        goto done;
                    }
                }

                const struct ovsdb_row *committed =
                    ovsdb_table_index_find(table, i, row, row_is_in_txn);
                if (committed) {
                    error =
                        duplicate_index_error(table, columns, committed, row);
                    goto done;
                }

                probe = xmalloc(sizeof *probe);
                probe->row = row;
                hmap_insert(&probes, &probe->hmap_node, hash);
            }

        done:;
            struct index_probe *probe;
            HMAP_FOR_EACH_POP (probe, hmap_node, &probes) {
                free(probe);
            }
            hmap_destroy(&probes);
            if (error) {
                return error;
            }
        }
    }
    return NULL;
}

/* Computes each row's bitmap of changed columns. */
static void
determine_changes(struct ovsdb_txn *txn)
{
    struct ovsdb_txn_table *txn_table;
    struct ovsdb_txn_row *txn_row;
    FOR_EACH_TXN_ROW(txn_row, txn_table, txn)
    {
        const struct ovsdb_table_schema *ts = txn_table->table->schema;
        bitmap_free(txn_row->changed);
        txn_row->changed = NULL;

        if (!txn_row->old && !txn_row->new) {
            continue;
        } else if (!txn_row->old || !txn_row->new) {
            txn_row->changed = bitmap_allocate1(ts->n_columns);
            continue;
        }

        unsigned long *changed = bitmap_allocate(ts->n_columns);
        bool any = false;
        for (size_t c = OVSDB_N_STD_COLUMNS; c < ts->n_columns; c++) {
            if (!ovsdb_datum_equals(&txn_row->old->fields[c],
                                    &txn_row->new->fields[c],
                                    &ts->columns[c]->type)) {
                bitmap_set1(changed, c);
                any = true;
            }
        }
        if (any) {
            bitmap_set1(changed, OVSDB_COL_VERSION);
            txn_row->changed = changed;
        } else {
            bitmap_free(changed);
        }
    }
}

struct ovsdb_error *
ovsdb_txn_precommit(struct ovsdb_txn *txn)
{
    ovs_assert(txn->state == TXN_OPEN);

    /* Removing weak references and collecting garbage feed each other:
     * a collected row may be weakly referenced, and removing a map's
     * weak key also removes a strong value.  Repeat until neither does
     * anything. */
    bool first = true;
    for (;;) {
        bool progress = propagate_deletions(txn);

        struct ovsdb_txn_table *txn_table;
        struct ovsdb_txn_row *txn_row;
        FOR_EACH_TXN_ROW(txn_row, txn_table, txn)
        {
            if (txn_row->new &&table_has_weak_refs(txn_table->table)) {
                progress |= remove_dangling_weak_refs(txn, txn_row);
            }
        }

        compute_ref_deltas(txn);
        if (first) {
            /* As in OVS, a row that refers to a row that does not exist
             * is an error even if garbage collection would delete it. */
            struct ovsdb_error *error = check_nonexistent_refs(txn);
            if (error) {
                return error;
            }
            first = false;
        }
        progress |= collect_garbage(txn);
        if (!progress) {
            break;
        }
    }

    struct ovsdb_error *error = check_referential_integrity(txn);
    if (!error) {
        error = check_weak_removals(txn);
    }
    if (!error) {
        error = check_max_rows(txn);
    }
    if (!error) {
        error = check_indexes(txn);
    }
    if (error) {
        return error;
    }

    determine_changes(txn);
    txn->state = TXN_PRECOMMITTED;
    return NULL;
}

/* Adds (or, with 'add' false, removes) the weak references that
 * 'row'''s column 'c' holds to the reverse maps of the tables they point
 * into. */
static void
update_weak_ref_index(struct ovsdb_table *table, const struct ovsdb_row *row,
                      size_t c, bool add)
{
    const struct ovsdb_type *type = &table->schema->columns[c]->type;
    const struct ovsdb_datum *datum = &row->fields[c];
    const struct uuid *src_uuid = ovsdb_row_get_uuid(row);

    for (int part = 0; part < 2; part++) {
        const struct ovsdb_base_type *base = part ? &type->value : &type->key;
        struct ovsdb_table *dst_table =
            (part ? table->value_ref_tables[c] : table->key_ref_tables[c]);
        if (!ovsdb_base_type_is_weak_ref(base)) {
            continue;
        }
        const union ovsdb_atom *atoms = part ? datum->values : datum->keys;
        for (unsigned int i = 0; i < datum->n; i++) {
            const struct uuid *dst = &atoms[i].uuid;

            /* One record per (row, column, target), however many times
             * the column names the target. */
            bool seen = false;
            for (unsigned int j = 0; j < i && !seen; j++) {
                seen = uuid_equals(&atoms[j].uuid, dst);
            }
            if (part && !seen && ovsdb_base_type_is_weak_ref(&type->key)
                && dst_table == table->key_ref_tables[c]) {
                for (unsigned int j = 0; j < datum->n && !seen; j++) {
                    seen = uuid_equals(&datum->keys[j].uuid, dst);
                }
            }
            if (seen) {
                continue;
            }
            if (add) {
                ovsdb_table_add_weak_ref(dst_table, dst, table, src_uuid, c);
            } else {
                ovsdb_table_remove_weak_ref(dst_table, dst, table, src_uuid,
                                            c);
            }
        }
    }
}

static void
update_weak_ref_indexes(struct ovsdb_table *table, const struct ovsdb_row *row,
                        const unsigned long *changed, bool add)
{
    for (size_t c = OVSDB_N_STD_COLUMNS; c < table->schema->n_columns; c++) {
        const struct ovsdb_type *type = &table->schema->columns[c]->type;
        if ((ovsdb_base_type_is_weak_ref(&type->key)
             || ovsdb_base_type_is_weak_ref(&type->value))
            && (!changed || bitmap_is_set(changed, c))) {
            update_weak_ref_index(table, row, c, add);
        }
    }
}

void
ovsdb_txn_apply(struct ovsdb_txn *txn)
{
    ovs_assert(txn->state == TXN_PRECOMMITTED);

    struct ovsdb_txn_table *txn_table;
    struct ovsdb_txn_row *txn_row;
    FOR_EACH_TXN_ROW(txn_row, txn_table, txn)
    {
        struct ovsdb_table *table = txn_table->table;
        struct ovsdb_row *old = txn_row->old;
        struct ovsdb_row *new = txn_row->new;
        const struct ref_delta *rd =
            find_ref_delta(txn, table, &txn_row->uuid);
        long long delta = rd ? rd->delta : 0;

        if (old) {
            old->txn_row = NULL;
        }
        if (new) {
            new->txn_row = NULL;
        }

        if (old && new && !txn_row->changed) {
            /* Nothing changed: keep the committed row. */
            old->n_refs += delta;
            txn_row->kept_old = true;
            continue;
        }
        if (old) {
            update_weak_ref_indexes(table, old, new ? txn_row->changed : NULL,
                                    false);
            ovsdb_table_remove_row(table, old);
        }
        if (new) {
            new->n_refs = (old ? old->n_refs : 0) + delta;
            if (old) {
                uuid_generate(ovsdb_row_get_version_rw(new));
            }
            ovsdb_table_insert_row(table, new);
            update_weak_ref_indexes(table, new, old ? txn_row->changed : NULL,
                                    true);
        }
    }

    /* Rows that the transaction does not touch may still have gained or
     * lost references. */
    const struct ref_delta *rd;
    HMAP_FOR_EACH (rd, hmap_node, &txn->ref_deltas) {
        struct ovsdb_row *row =
            (struct ovsdb_row *) ovsdb_table_get_row(rd->table, &rd->uuid);
        if (row && !find_txn_row(txn, rd->table, &rd->uuid)) {
            row->n_refs += rd->delta;
        }
    }

    txn->state = TXN_APPLIED;
    txn->db->txn = NULL;
}

struct ovsdb_error *
ovsdb_txn_commit(struct ovsdb_txn *txn)
{
    struct ovsdb_error *error = ovsdb_txn_precommit(txn);
    if (!error) {
        ovsdb_txn_apply(txn);
    }
    return error;
}

bool
ovsdb_txn_has_changes(const struct ovsdb_txn *txn)
{
    const struct ovsdb_txn_table *txn_table;
    const struct ovsdb_txn_row *txn_row;
    FOR_EACH_TXN_ROW(txn_row, txn_table, txn)
    {
        if (txn_row->changed) {
            return true;
        }
    }
    return false;
}

void
ovsdb_txn_for_each_change(const struct ovsdb_txn *txn, ovsdb_txn_change_cb *cb,
                          void *aux)
{
    ovs_assert(txn->state != TXN_OPEN);
    const struct ovsdb_txn_table *txn_table;
    const struct ovsdb_txn_row *txn_row;
    FOR_EACH_TXN_ROW(txn_row, txn_table, txn)
    {
        if (txn_row->changed
            && !cb(txn_table->table, txn_row->old, txn_row->new,
                   txn_row->changed, aux)) {
            return;
        }
    }
}

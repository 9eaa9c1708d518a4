/* In-memory OVSDB tables; see ovsdb-table.h. */
#include "ovsdb/ovsdb-table.h"

#include <stdlib.h>

#include "lib/hash.h"
#include "ovsdb/ovsdb-row.h"

struct ovsdb_table *
ovsdb_table_create(const struct ovsdb_table_schema *schema)
{
    struct ovsdb_table *table = xzalloc(sizeof *table);
    table->schema = schema;
    hmap_init(&table->rows);
    table->indexes = xcalloc(schema->n_indexes ? schema->n_indexes : 1,
                             sizeof *table->indexes);
    for (size_t i = 0; i < schema->n_indexes; i++) {
        hmap_init(&table->indexes[i]);
    }
    table->key_ref_tables =
        xcalloc(schema->n_columns, sizeof *table->key_ref_tables);
    table->value_ref_tables =
        xcalloc(schema->n_columns, sizeof *table->value_ref_tables);
    hmap_init(&table->weak_refs);
    return table;
}

void
ovsdb_table_destroy(struct ovsdb_table *table)
{
    if (!table) {
        return;
    }

    struct ovsdb_row *row;
    HMAP_FOR_EACH_POP (row, hmap_node, &table->rows) {
        ovsdb_row_destroy(row);
    }
    hmap_destroy(&table->rows);

    for (size_t i = 0; i < table->schema->n_indexes; i++) {
        hmap_destroy(&table->indexes[i]);
    }
    free(table->indexes);

    struct ovsdb_weak_ref *wref;
    HMAP_FOR_EACH_POP (wref, hmap_node, &table->weak_refs) {
        free(wref);
    }
    hmap_destroy(&table->weak_refs);

    free(table->key_ref_tables);
    free(table->value_ref_tables);
    free(table);
}

const struct ovsdb_row *
ovsdb_table_get_row(const struct ovsdb_table *table, const struct uuid *uuid)
{
    struct ovsdb_row *row;
    HMAP_FOR_EACH_WITH_HASH (row, hmap_node, uuid_hash(uuid), &table->rows) {
        if (uuid_equals(ovsdb_row_get_uuid(row), uuid)) {
            return row;
        }
    }
    return NULL;
}

const struct ovsdb_row *
ovsdb_table_index_lookup(const struct ovsdb_table *table,
                         const struct ovsdb_column *column,
                         const struct ovsdb_datum *value, bool *indexed)
{
    if (column->index == OVSDB_COL_UUID) {
        *indexed = value->n == 1;
        return *indexed ? ovsdb_table_get_row(table, &value->keys[0].uuid)
                        : NULL;
    }
    for (size_t i = 0; i < table->schema->n_indexes; i++) {
        const struct ovsdb_column_set *set = &table->schema->indexes[i];
        if (set->n_columns != 1 || set->columns[0]->index != column->index) {
            continue;
        }
        *indexed = true;
        /* The hash of a one-column index is that column's datum hash. */
        uint32_t hash = ovsdb_datum_hash(value, &column->type, 0);
        struct ovsdb_row_index_node *node;
        HMAP_FOR_EACH_WITH_HASH (node, hmap_node, hash, &table->indexes[i]) {
            if (ovsdb_datum_equals(&node->row->fields[column->index], value,
                                   &column->type)) {
                return node->row;
            }
        }
        return NULL;
    }
    *indexed = false;
    return NULL;
}

uint32_t
ovsdb_table_index_hash(const struct ovsdb_table *table, size_t i,
                       const struct ovsdb_row *row)
{
    return ovsdb_row_hash_columns(row, &table->schema->indexes[i], 0);
}

bool
ovsdb_table_index_equal(const struct ovsdb_table *table, size_t i,
                        const struct ovsdb_row *a, const struct ovsdb_row *b)
{
    return ovsdb_row_equal_columns(a, b, &table->schema->indexes[i]);
}

void
ovsdb_table_insert_row(struct ovsdb_table *table, struct ovsdb_row *row)
{
    ovs_assert(row->table == table);
    hmap_insert(&table->rows, &row->hmap_node,
                uuid_hash(ovsdb_row_get_uuid(row)));
    for (size_t i = 0; i < table->schema->n_indexes; i++) {
        hmap_insert(&table->indexes[i], &row->index_nodes[i].hmap_node,
                    ovsdb_table_index_hash(table, i, row));
    }
}

void
ovsdb_table_remove_row(struct ovsdb_table *table, struct ovsdb_row *row)
{
    hmap_remove(&table->rows, &row->hmap_node);
    for (size_t i = 0; i < table->schema->n_indexes; i++) {
        hmap_remove(&table->indexes[i], &row->index_nodes[i].hmap_node);
    }
}

const struct ovsdb_row *
ovsdb_table_index_find(const struct ovsdb_table *table, size_t i,
                       const struct ovsdb_row *row,
                       bool (*skip)(const struct ovsdb_row *))
{
    uint32_t hash = ovsdb_table_index_hash(table, i, row);
    struct ovsdb_row_index_node *node;
    HMAP_FOR_EACH_WITH_HASH (node, hmap_node, hash, &table->indexes[i]) {
        const struct ovsdb_row *other = node->row;
        if (other != row && !(skip && skip(other))
            && ovsdb_table_index_equal(table, i, row, other)) {
            return other;
        }
    }
    return NULL;
}

static uint32_t
weak_ref_hash(const struct uuid *dst_uuid)
{
    return uuid_hash(dst_uuid);
}

void
ovsdb_table_add_weak_ref(struct ovsdb_table *dst_table,
                         const struct uuid *dst_uuid,
                         struct ovsdb_table *src_table,
                         const struct uuid *src_uuid, unsigned int column)
{
    struct ovsdb_weak_ref *wref = xmalloc(sizeof *wref);
    wref->dst_uuid = *dst_uuid;
    wref->src_table = src_table;
    wref->src_uuid = *src_uuid;
    wref->column = column;
    hmap_insert(&dst_table->weak_refs, &wref->hmap_node,
                weak_ref_hash(dst_uuid));
}

void
ovsdb_table_remove_weak_ref(struct ovsdb_table *dst_table,
                            const struct uuid *dst_uuid,
                            const struct ovsdb_table *src_table,
                            const struct uuid *src_uuid, unsigned int column)
{
    struct ovsdb_weak_ref *wref;
    OVSDB_TABLE_FOR_EACH_WEAK_REF_TO(wref, dst_uuid, dst_table)
    {
        if (wref->src_table == src_table && wref->column == column
            && uuid_equals(&wref->src_uuid, src_uuid)) {
            hmap_remove(&dst_table->weak_refs, &wref->hmap_node);
            free(wref);
            return;
        }
    }
}

size_t
ovsdb_table_n_weak_refs(const struct ovsdb_table *table)
{
    return hmap_count(&table->weak_refs);
}

/* OVSDB rows; see ovsdb-row.h. */
#include "ovsdb/ovsdb-row.h"

#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-table.h"

size_t
ovsdb_row_n_columns(const struct ovsdb_row *row)
{
    return row->table->schema->n_columns;
}

/* Allocates a row of 'table' with uninitialized fields: the datums and
 * the index nodes share one block with the row. */
static struct ovsdb_row *
row_allocate(const struct ovsdb_table *table)
{
    size_t n_columns = table->schema->n_columns;
    size_t n_indexes = table->schema->n_indexes;
    size_t fields_size = n_columns * sizeof(struct ovsdb_datum);
    struct ovsdb_row *row = xmalloc(sizeof *row + fields_size
                                    + n_indexes * sizeof *row->index_nodes);

    row->table = table;
    row->txn_row = NULL;
    row->n_refs = 0;
    row->index_nodes =
        (struct ovsdb_row_index_node *) ((char *) row->fields + fields_size);
    for (size_t i = 0; i < n_indexes; i++) {
        row->index_nodes[i].row = row;
    }
    return row;
}

struct ovsdb_row *
ovsdb_row_create(const struct ovsdb_table *table)
{
    struct ovsdb_row *row = row_allocate(table);
    for (size_t i = 0; i < table->schema->n_columns; i++) {
        ovsdb_datum_init_default(&row->fields[i],
                                 &table->schema->columns[i]->type);
    }
    return row;
}

struct ovsdb_row *
ovsdb_row_clone(const struct ovsdb_row *old)
{
    const struct ovsdb_table *table = old->table;
    struct ovsdb_row *new = row_allocate(table);
    for (size_t i = 0; i < table->schema->n_columns; i++) {
        ovsdb_datum_clone(&new->fields[i], &old->fields[i],
                          &table->schema->columns[i]->type);
    }
    new->n_refs = old->n_refs;
    return new;
}

void
ovsdb_row_destroy(struct ovsdb_row *row)
{
    if (row) {
        const struct ovsdb_table_schema *ts = row->table->schema;
        for (size_t i = 0; i < ts->n_columns; i++) {
            ovsdb_datum_destroy(&row->fields[i], &ts->columns[i]->type);
        }
        free(row);
    }
}

uint32_t
ovsdb_row_hash_columns(const struct ovsdb_row *row,
                       const struct ovsdb_column_set *columns, uint32_t basis)
{
    for (size_t i = 0; i < columns->n_columns; i++) {
        const struct ovsdb_column *column = columns->columns[i];
        basis = ovsdb_datum_hash(&row->fields[column->index], &column->type,
                                 basis);
    }
    return basis;
}

int
ovsdb_row_compare_columns_3way(const struct ovsdb_row *a,
                               const struct ovsdb_row *b,
                               const struct ovsdb_column_set *columns)
{
    for (size_t i = 0; i < columns->n_columns; i++) {
        const struct ovsdb_column *column = columns->columns[i];
        int cmp =
            ovsdb_datum_compare_3way(&a->fields[column->index],
                                     &b->fields[column->index], &column->type);
        if (cmp) {
            return cmp;
        }
    }
    return 0;
}

bool
ovsdb_row_equal_columns(const struct ovsdb_row *a, const struct ovsdb_row *b,
                        const struct ovsdb_column_set *columns)
{
    for (size_t i = 0; i < columns->n_columns; i++) {
        const struct ovsdb_column *column = columns->columns[i];
        if (!ovsdb_datum_equals(&a->fields[column->index],
                                &b->fields[column->index], &column->type)) {
            return false;
        }
    }
    return true;
}

void
ovsdb_row_update_columns(struct ovsdb_row *dst, const struct ovsdb_row *src,
                         const struct ovsdb_column_set *columns)
{
    for (size_t i = 0; i < columns->n_columns; i++) {
        const struct ovsdb_column *column = columns->columns[i];
        struct ovsdb_datum tmp;
        ovsdb_datum_clone(&tmp, &src->fields[column->index], &column->type);
        ovsdb_datum_swap(&dst->fields[column->index], &tmp);
        ovsdb_datum_destroy(&tmp, &column->type);
    }
}

struct ovsdb_error *
ovsdb_row_from_json(struct ovsdb_row *row, const json_t *json,
                    struct ovsdb_symbol_table *symtab,
                    struct ovsdb_column_set *included)
{
    const struct ovsdb_table_schema *ts = row->table->schema;

    if (!json_is_object(json)) {
        return ovsdb_syntax_error(json, NULL, "row must be JSON object");
    }

    const char *name;
    json_t *value;
    json_object_foreach ((json_t *) json, name, value) {
        const struct ovsdb_column *column =
            ovsdb_table_schema_get_column(ts, name);
        if (!column) {
            return ovsdb_syntax_error(json, "unknown column",
                                      "No column %s in table %s.", name,
                                      ts->name);
        }

        struct ovsdb_datum datum;
        struct ovsdb_error *error =
            ovsdb_datum_from_json(&datum, &column->type, value, symtab);
        if (error) {
            return error;
        }
        ovsdb_datum_swap(&row->fields[column->index], &datum);
        ovsdb_datum_destroy(&datum, &column->type);
        if (included) {
            ovsdb_column_set_add(included, column);
        }
    }
    return NULL;
}

json_t *
ovsdb_row_to_json(const struct ovsdb_row *row,
                  const struct ovsdb_column_set *columns)
{
    const struct ovsdb_table_schema *ts = row->table->schema;
    json_t *json = json_object();

    size_t n = columns ? columns->n_columns : ts->n_columns;
    for (size_t i = 0; i < n; i++) {
        const struct ovsdb_column *column =
            (columns ? columns->columns[i] : ts->columns[i]);
        json_object_set_new(
            json, column->name,
            ovsdb_datum_to_json(&row->fields[column->index], &column->type));
    }
    return json;
}

/* A row in a struct ovsdb_row_hash. */
struct row_hash_node {
    struct hmap_node hmap_node;
    const struct ovsdb_row *row;
};

void
ovsdb_row_hash_init(struct ovsdb_row_hash *rh,
                    const struct ovsdb_column_set *columns)
{
    hmap_init(&rh->rows);
    rh->columns = *columns;
}

void
ovsdb_row_hash_destroy(struct ovsdb_row_hash *rh)
{
    struct row_hash_node *node;
    HMAP_FOR_EACH_POP (node, hmap_node, &rh->rows) {
        free(node);
    }
    hmap_destroy(&rh->rows);
}

size_t
ovsdb_row_hash_count(const struct ovsdb_row_hash *rh)
{
    return hmap_count(&rh->rows);
}

static bool
row_hash_contains__(const struct ovsdb_row_hash *rh,
                    const struct ovsdb_row *row, uint32_t hash)
{
    struct row_hash_node *node;
    HMAP_FOR_EACH_WITH_HASH (node, hmap_node, hash, &rh->rows) {
        if (ovsdb_row_equal_columns(row, node->row, &rh->columns)) {
            return true;
        }
    }
    return false;
}

bool
ovsdb_row_hash_contains(const struct ovsdb_row_hash *rh,
                        const struct ovsdb_row *row)
{
    return row_hash_contains__(rh, row,
                               ovsdb_row_hash_columns(row, &rh->columns, 0));
}

bool
ovsdb_row_hash_insert(struct ovsdb_row_hash *rh, const struct ovsdb_row *row)
{
    uint32_t hash = ovsdb_row_hash_columns(row, &rh->columns, 0);
    if (row_hash_contains__(rh, row, hash)) {
        return false;
    }
    struct row_hash_node *node = xmalloc(sizeof *node);
    node->row = row;
    hmap_insert(&rh->rows, &node->hmap_node, hash);
    return true;
}

bool
ovsdb_row_hash_equal(const struct ovsdb_row_hash *a,
                     const struct ovsdb_row_hash *b)
{
    if (hmap_count(&a->rows) != hmap_count(&b->rows)) {
        return false;
    }
    struct row_hash_node *node;
    HMAP_FOR_EACH (node, hmap_node, &a->rows) {
        if (!row_hash_contains__(b, node->row, node->hmap_node.hash)) {
            return false;
        }
    }
    return true;
}

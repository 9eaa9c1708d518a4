/* OVSDB table schemas; see ovsdb-table-schema.h. */
#include "ovsdb/ovsdb-table-schema.h"

#include <stdlib.h>
#include <string.h>

#include "lib/hash-order.h"
#include "lib/hash.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-parser.h"

/* OVS adds the columns of the JSON it parsed, in the order of its hash
 * table of them, to a hash table that holds the standard columns first. */
static void
update_ovs_order(struct ovsdb_table_schema *table)
{
    size_t n = table->n_columns;
    const char **names = xmalloc(n * sizeof *names);
    for (size_t i = 0; i < n; i++) {
        size_t index = (i < OVSDB_N_STD_COLUMNS
                            ? i
                            : table->json_order[i - OVSDB_N_STD_COLUMNS]);
        names[i] = table->columns[index]->name;
    }
    hash_order_strings(&names[OVSDB_N_STD_COLUMNS], n - OVSDB_N_STD_COLUMNS);
    hash_order_strings(names, n);

    table->ovs_order =
        xrealloc(table->ovs_order, n * sizeof *table->ovs_order);
    for (size_t i = 0; i < n; i++) {
        table->ovs_order[i] =
            ovsdb_table_schema_get_column(table, names[i])->index;
    }
    free(names);
}

static void
add_column__(struct ovsdb_table_schema *table, struct ovsdb_column *column)
{
    table->columns = xrealloc(table->columns,
                              (table->n_columns + 1) * sizeof *table->columns);
    column->index = table->n_columns;
    table->columns[table->n_columns++] = column;
    if (column->index >= OVSDB_N_STD_COLUMNS) {
        size_t n = table->n_columns - OVSDB_N_STD_COLUMNS;
        table->json_order =
            xrealloc(table->json_order, n * sizeof *table->json_order);
        table->json_order[n - 1] = column->index;
    }
    hmap_insert(&table->columns_by_name, &column->hmap_node,
                hash_string(column->name, 0));
}

static void
add_standard_columns(struct ovsdb_table_schema *table)
{
    struct ovsdb_type uuid_type;
    ovsdb_type_init_scalar(&uuid_type, OVSDB_TYPE_UUID);

    /* "_version" is recomputed when a database is read, so it is never
     * stored. */
    add_column__(table, ovsdb_column_create("_uuid", false, true, &uuid_type));
    add_column__(table,
                 ovsdb_column_create("_version", false, false, &uuid_type));
    update_ovs_order(table);
}

static struct ovsdb_table_schema *
table_schema_create__(const char *name, bool is_root, unsigned int max_rows)
{
    struct ovsdb_table_schema *table = xzalloc(sizeof *table);
    table->name = xstrdup(name);
    table->is_root = is_root;
    table->max_rows = max_rows;
    hmap_init(&table->columns_by_name);
    return table;
}

struct ovsdb_table_schema *
ovsdb_table_schema_create(const char *name, bool is_root,
                          unsigned int max_rows)
{
    struct ovsdb_table_schema *table =
        table_schema_create__(name, is_root, max_rows);
    add_standard_columns(table);
    return table;
}

void
ovsdb_table_schema_add_column(struct ovsdb_table_schema *table,
                              struct ovsdb_column *column)
{
    add_column__(table, column);
    update_ovs_order(table);
}

const struct ovsdb_column *
ovsdb_table_schema_get_column(const struct ovsdb_table_schema *table,
                              const char *name)
{
    struct ovsdb_column *column;
    HMAP_FOR_EACH_WITH_HASH (column, hmap_node, hash_string(name, 0),
                             &table->columns_by_name) {
        if (!strcmp(column->name, name)) {
            return column;
        }
    }
    return NULL;
}

/* Returns 'set' of columns of some table rebuilt over 'table''s columns
 * of the same indexes. */
static void
rebase_column_set(struct ovsdb_column_set *dst,
                  const struct ovsdb_column_set *src,
                  const struct ovsdb_table_schema *table)
{
    ovsdb_column_set_init(dst);
    for (size_t i = 0; i < src->n_columns; i++) {
        ovsdb_column_set_add(dst, table->columns[src->columns[i]->index]);
    }
}

struct ovsdb_table_schema *
ovsdb_table_schema_clone(const struct ovsdb_table_schema *old)
{
    struct ovsdb_table_schema *new =
        table_schema_create__(old->name, old->is_root, old->max_rows);
    for (size_t i = 0; i < old->n_columns; i++) {
        add_column__(new, ovsdb_column_clone(old->columns[i]));
    }
    memcpy(new->json_order, old->json_order,
           (old->n_columns - OVSDB_N_STD_COLUMNS) * sizeof *new->json_order);
    update_ovs_order(new);
    if (old->n_indexes) {
        new->indexes = xmalloc(old->n_indexes * sizeof *new->indexes);
        for (size_t i = 0; i < old->n_indexes; i++) {
            rebase_column_set(&new->indexes[i], &old->indexes[i], new);
        }
        new->n_indexes = old->n_indexes;
    }
    return new;
}

void
ovsdb_table_schema_destroy(struct ovsdb_table_schema *table)
{
    if (!table) {
        return;
    }
    for (size_t i = 0; i < table->n_indexes; i++) {
        ovsdb_column_set_destroy(&table->indexes[i]);
    }
    free(table->indexes);
    for (size_t i = 0; i < table->n_columns; i++) {
        ovsdb_column_destroy(table->columns[i]);
    }
    free(table->columns);
    free(table->json_order);
    free(table->ovs_order);
    hmap_destroy(&table->columns_by_name);
    free(table->name);
    free(table);
}

/* Parses the "indexes" member 'json' into 'table'. */
static struct ovsdb_error *
parse_indexes(struct ovsdb_table_schema *table, const json_t *indexes,
              const json_t *table_json)
{
    size_t n = json_array_size(indexes);
    if (!n) {
        return NULL;
    }

    table->indexes = xmalloc(n * sizeof *table->indexes);
    for (size_t i = 0; i < n; i++) {
        struct ovsdb_column_set *index = &table->indexes[i];
        struct ovsdb_error *error = ovsdb_column_set_from_json(
            json_array_get(indexes, i), table, index);
        if (error) {
            return error;
        }
        table->n_indexes++;

        if (!index->n_columns) {
            return ovsdb_syntax_error(table_json, NULL,
                                      "index must have at least one column");
        }
        for (size_t j = 0; j < index->n_columns; j++) {
            const struct ovsdb_column *column = index->columns[j];
            if (!column->persistent) {
                return ovsdb_syntax_error(table_json, NULL,
                                          "ephemeral columns (such as %s) "
                                          "may not be indexed",
                                          column->name);
            }
        }
    }
    return NULL;
}

/* Returns the names of the members of object 'json' in sorted order (an
 * array of borrowed strings the caller frees), so that tables and columns
 * are numbered the same whatever the order of the input. */
static const char **
sorted_member_names(const json_t *json)
{
    size_t n = json_object_size(json);
    const char **names = xmalloc((n ? n : 1) * sizeof *names);
    const char *key;
    json_t *value;
    size_t i = 0;
    json_object_foreach ((json_t *) json, key, value) {
        names[i++] = key;
    }
    for (size_t a = 1; a < n; a++) {
        const char *x = names[a];
        size_t b = a;
        for (; b > 0 && strcmp(names[b - 1], x) > 0; b--) {
            names[b] = names[b - 1];
        }
        names[b] = x;
    }
    return names;
}

struct ovsdb_error *
ovsdb_table_schema_from_json(const json_t *json, const char *name,
                             struct ovsdb_table_schema **tablep)
{
    *tablep = NULL;

    struct ovsdb_parser parser;
    ovsdb_parser_init(&parser, json, "table schema for table %s", name);
    const json_t *columns = ovsdb_parser_member(&parser, "columns", OP_OBJECT);
    const json_t *max_rows =
        ovsdb_parser_member(&parser, "maxRows", OP_INTEGER | OP_OPTIONAL);
    const json_t *is_root =
        ovsdb_parser_member(&parser, "isRoot", OP_BOOLEAN | OP_OPTIONAL);
    const json_t *indexes =
        ovsdb_parser_member(&parser, "indexes", OP_ARRAY | OP_OPTIONAL);
    struct ovsdb_error *error = ovsdb_parser_finish(&parser);
    if (error) {
        return error;
    }

    unsigned int n_max_rows = UINT_MAX;
    if (max_rows) {
        json_int_t n = json_integer_value(max_rows);
        if (n < 1) {
            return ovsdb_syntax_error(json, NULL,
                                      "maxRows must be at least 1");
        }
        n_max_rows = n > UINT_MAX ? UINT_MAX : n;
    }

    if (!json_object_size(columns)) {
        return ovsdb_syntax_error(json, NULL,
                                  "table must have at least one column");
    }

    struct ovsdb_table_schema *table = ovsdb_table_schema_create(
        name, is_root && json_is_true(is_root), n_max_rows);

    const char **names = sorted_member_names(columns);
    for (size_t i = 0; i < json_object_size(columns); i++) {
        const char *column_name = names[i];
        if (column_name[0] == '_') {
            error = ovsdb_syntax_error(json, NULL,
                                       "names beginning with "
                                       "\"_\" are reserved");
        } else if (!ovsdb_parser_is_id(column_name)) {
            error = ovsdb_syntax_error(json, NULL, "name must be a valid id");
        } else {
            struct ovsdb_column *column;
            error = ovsdb_column_from_json(
                json_object_get(columns, column_name), column_name, &column);
            if (!error) {
                add_column__(table, column);
            }
        }
        if (error) {
            free(names);
            ovsdb_table_schema_destroy(table);
            return error;
        }
    }
    free(names);

    /* Columns are numbered in sorted order, whatever the order of the
     * input; OVS's output order comes from the input's. */
    const char *column_name;
    json_t *column_json;
    size_t i = 0;
    json_object_foreach ((json_t *) columns, column_name, column_json) {
        table->json_order[i++] =
            ovsdb_table_schema_get_column(table, column_name)->index;
    }
    update_ovs_order(table);

    if (indexes) {
        error = parse_indexes(table, indexes, json);
        if (error) {
            ovsdb_table_schema_destroy(table);
            return error;
        }
    }

    *tablep = table;
    return NULL;
}

json_t *
ovsdb_table_schema_to_json(const struct ovsdb_table_schema *table,
                           bool default_is_root)
{
    json_t *json = json_object();
    if (table->is_root && !default_is_root) {
        json_object_set_new(json, "isRoot", json_true());
    }

    json_t *columns = json_object();
    for (size_t i = 0; i < table->n_columns; i++) {
        const struct ovsdb_column *column =
            table->columns[table->ovs_order[i]];
        if (column->index >= OVSDB_N_STD_COLUMNS) {
            json_object_set_new(columns, column->name,
                                ovsdb_column_to_json(column));
        }
    }
    json_object_set_new(json, "columns", columns);

    if (table->max_rows != UINT_MAX) {
        json_object_set_new(json, "maxRows", json_integer(table->max_rows));
    }

    if (table->n_indexes) {
        json_t *indexes = json_array();
        for (size_t i = 0; i < table->n_indexes; i++) {
            json_array_append_new(
                indexes, ovsdb_column_set_to_json(&table->indexes[i]));
        }
        json_object_set_new(json, "indexes", indexes);
    }
    return json;
}

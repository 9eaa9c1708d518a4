/* OVSDB columns; see ovsdb-column.h. */
#include "ovsdb/ovsdb-column.h"

#include <stdlib.h>
#include <string.h>

#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-parser.h"
#include "ovsdb/ovsdb-table-schema.h"

struct ovsdb_column *
ovsdb_column_create(const char *name, bool mutable, bool persistent,
                    const struct ovsdb_type *type)
{
    struct ovsdb_column *column = xzalloc(sizeof *column);
    column->index = UINT_MAX;
    column->name = xstrdup(name);
    column->mutable = mutable;
    column->persistent = persistent;
    ovsdb_type_clone(&column->type, type);
    return column;
}

struct ovsdb_column *
ovsdb_column_clone(const struct ovsdb_column *old)
{
    struct ovsdb_column *new = ovsdb_column_create(
        old->name, old->mutable, old->persistent, &old->type);
    new->index = old->index;
    return new;
}

void
ovsdb_column_destroy(struct ovsdb_column *column)
{
    if (column) {
        ovsdb_type_destroy(&column->type);
        free(column->name);
        free(column);
    }
}

struct ovsdb_error *
ovsdb_column_from_json(const json_t *json, const char *name,
                       struct ovsdb_column **columnp)
{
    *columnp = NULL;

    struct ovsdb_parser parser;
    ovsdb_parser_init(&parser, json, "schema for column %s", name);
    const json_t *type_json =
        ovsdb_parser_member(&parser, "type", OP_STRING | OP_OBJECT);
    const json_t *ephemeral =
        ovsdb_parser_member(&parser, "ephemeral", OP_BOOLEAN | OP_OPTIONAL);
    const json_t *mutable =
        ovsdb_parser_member(&parser, "mutable", OP_BOOLEAN | OP_OPTIONAL);
    struct ovsdb_error *error = ovsdb_parser_finish(&parser);
    if (error) {
        return error;
    }

    struct ovsdb_type type;
    error = ovsdb_type_from_json(&type, type_json);
    if (error) {
        return error;
    }

    *columnp =
        ovsdb_column_create(name, !mutable || json_is_true(mutable),
                            !ephemeral || !json_is_true(ephemeral), &type);
    ovsdb_type_destroy(&type);
    return NULL;
}

json_t *
ovsdb_column_to_json(const struct ovsdb_column *column)
{
    json_t *json = json_object();
    json_object_set_new(json, "type", ovsdb_type_to_json(&column->type));
    if (!column->persistent) {
        json_object_set_new(json, "ephemeral", json_true());
    }
    if (!column->mutable) {
        json_object_set_new(json, "mutable", json_false());
    }
    return json;
}

struct ovsdb_error *
ovsdb_column_op_from_json(const json_t *json,
                          const struct ovsdb_table_schema *table,
                          const char *what,
                          const struct ovsdb_column **columnp,
                          const char **op_namep, const json_t **valuep)
{
    if (!json_is_array(json) || json_array_size(json) != 3
        || !json_is_string(json_array_get(json, 0))
        || !json_is_string(json_array_get(json, 1))) {
        return ovsdb_syntax_error(json, NULL, "Parse error in %s.", what);
    }

    const char *column_name = json_string_value(json_array_get(json, 0));
    const struct ovsdb_column *column =
        ovsdb_table_schema_get_column(table, column_name);
    if (!column) {
        return ovsdb_syntax_error(json, "unknown column",
                                  "No column %s in table %s.", column_name,
                                  table->name);
    }
    *columnp = column;
    *op_namep = json_string_value(json_array_get(json, 1));
    *valuep = json_array_get(json, 2);
    return NULL;
}

struct ovsdb_error *
ovsdb_column_op_mismatch(const json_t *json, const struct ovsdb_column *column,
                         const char *op_name)
{
    char *english = ovsdb_type_to_english(&column->type);
    struct ovsdb_error *error = ovsdb_syntax_error(
        json, NULL,
        "Type mismatch: \"%s\" operator may not be applied to column %s of "
        "type %s.",
        op_name, column->name, english);
    free(english);
    return error;
}

/* Column sets. */

void
ovsdb_column_set_init(struct ovsdb_column_set *set)
{
    set->columns = NULL;
    set->n_columns = 0;
    set->allocated_columns = 0;
}

void
ovsdb_column_set_destroy(struct ovsdb_column_set *set)
{
    free(set->columns);
    ovsdb_column_set_init(set);
}

void
ovsdb_column_set_clone(struct ovsdb_column_set *dst,
                       const struct ovsdb_column_set *src)
{
    dst->columns =
        (src->n_columns
             ? xmemdup(src->columns, src->n_columns * sizeof *src->columns)
             : NULL);
    dst->n_columns = dst->allocated_columns = src->n_columns;
}

void
ovsdb_column_set_add(struct ovsdb_column_set *set,
                     const struct ovsdb_column *column)
{
    if (set->n_columns >= set->allocated_columns) {
        set->columns = x2nrealloc(set->columns, &set->allocated_columns,
                                  sizeof *set->columns);
    }
    set->columns[set->n_columns++] = column;
}

bool
ovsdb_column_set_contains(const struct ovsdb_column_set *set,
                          unsigned int column_index)
{
    for (size_t i = 0; i < set->n_columns; i++) {
        if (set->columns[i]->index == column_index) {
            return true;
        }
    }
    return false;
}

bool
ovsdb_column_set_equals(const struct ovsdb_column_set *a,
                        const struct ovsdb_column_set *b)
{
    if (a->n_columns != b->n_columns) {
        return false;
    }
    for (size_t i = 0; i < a->n_columns; i++) {
        if (strcmp(a->columns[i]->name, b->columns[i]->name)) {
            return false;
        }
    }
    return true;
}

struct ovsdb_error *
ovsdb_column_set_from_json(const json_t *json,
                           const struct ovsdb_table_schema *table,
                           struct ovsdb_column_set *set)
{
    ovsdb_column_set_init(set);
    if (!json_is_array(json)) {
        goto bad;
    }

    for (size_t i = 0; i < json_array_size(json); i++) {
        const json_t *name = json_array_get(json, i);
        if (!json_is_string(name)) {
            goto bad;
        }
        const struct ovsdb_column *column =
            ovsdb_table_schema_get_column(table, json_string_value(name));
        if (!column) {
            ovsdb_column_set_destroy(set);
            return ovsdb_syntax_error(json, NULL,
                                      "%s is not a valid column "
                                      "name",
                                      json_string_value(name));
        }
        if (ovsdb_column_set_contains(set, column->index)) {
            goto bad;
        }
        ovsdb_column_set_add(set, column);
    }
    return NULL;

bad:
    ovsdb_column_set_destroy(set);
    return ovsdb_syntax_error(json, NULL,
                              "array of distinct column names expected");
}

json_t *
ovsdb_column_set_to_json(const struct ovsdb_column_set *set)
{
    json_t *json = json_array();
    for (size_t i = 0; i < set->n_columns; i++) {
        json_array_append_new(json, json_string(set->columns[i]->name));
    }
    return json;
}

/* OVSDB database schemas; see ovsdb-schema.h. */
#include "ovsdb/ovsdb-schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hash-order.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-parser.h"

struct ovsdb_schema *
ovsdb_schema_create(const char *name, const char *version, const char *cksum)
{
    struct ovsdb_schema *schema = xzalloc(sizeof *schema);
    schema->name = xstrdup(name);
    schema->version = xstrdup(version ? version : "");
    schema->cksum = xstrdup(cksum ? cksum : "");
    hmap_init(&schema->tables);
    return schema;
}

void
ovsdb_schema_add_table(struct ovsdb_schema *schema,
                       struct ovsdb_table_schema *table)
{
    ovs_assert(!ovsdb_schema_get_table(schema, table->name));
    size_t n = hmap_count(&schema->tables);
    schema->tables_in_order = xrealloc(
        schema->tables_in_order, (n + 1) * sizeof *schema->tables_in_order);
    schema->tables_in_order[n] = table;
    hmap_insert(&schema->tables, &table->hmap_node,
                hash_string(table->name, 0));
}

const struct ovsdb_table_schema *
ovsdb_schema_get_table(const struct ovsdb_schema *schema, const char *name)
{
    struct ovsdb_table_schema *table;
    HMAP_FOR_EACH_WITH_HASH (table, hmap_node, hash_string(name, 0),
                             &schema->tables) {
        if (!strcmp(table->name, name)) {
            return table;
        }
    }
    return NULL;
}

size_t
ovsdb_schema_n_tables(const struct ovsdb_schema *schema)
{
    return hmap_count(&schema->tables);
}

static int
compare_tables_by_name(const void *a_, const void *b_)
{
    const struct ovsdb_table_schema *const *a = a_;
    const struct ovsdb_table_schema *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

const struct ovsdb_table_schema **
ovsdb_schema_sorted_tables(const struct ovsdb_schema *schema)
{
    size_t n = hmap_count(&schema->tables);
    const struct ovsdb_table_schema **tables =
        xmalloc((n ? n : 1) * sizeof *tables);
    const struct ovsdb_table_schema *table;
    size_t i = 0;
    HMAP_FOR_EACH (table, hmap_node, &schema->tables) {
        tables[i++] = table;
    }
    qsort(tables, n, sizeof *tables, compare_tables_by_name);
    return tables;
}

/* Points the references of 'base' in 'schema' at their tables. */
static void
resolve_ref(struct ovsdb_base_type *base, const struct ovsdb_schema *schema)
{
    if (ovsdb_base_type_is_ref(base)) {
        base->u.uuid.ref_table =
            ovsdb_schema_get_table(schema, base->u.uuid.ref_table_name);
    }
}

static void
resolve_refs(struct ovsdb_schema *schema)
{
    struct ovsdb_table_schema *table;
    HMAP_FOR_EACH (table, hmap_node, &schema->tables) {
        for (size_t i = 0; i < table->n_columns; i++) {
            resolve_ref(&table->columns[i]->type.key, schema);
            resolve_ref(&table->columns[i]->type.value, schema);
        }
    }
}

struct ovsdb_schema *
ovsdb_schema_clone(const struct ovsdb_schema *old)
{
    struct ovsdb_schema *new =
        ovsdb_schema_create(old->name, old->version, old->cksum);
    for (size_t i = 0; i < hmap_count(&old->tables); i++) {
        ovsdb_schema_add_table(
            new, ovsdb_table_schema_clone(old->tables_in_order[i]));
    }
    resolve_refs(new);
    return new;
}

void
ovsdb_schema_destroy(struct ovsdb_schema *schema)
{
    if (schema) {
        struct ovsdb_table_schema *table;
        HMAP_FOR_EACH_POP (table, hmap_node, &schema->tables) {
            ovsdb_table_schema_destroy(table);
        }
        hmap_destroy(&schema->tables);
        free(schema->tables_in_order);
        free(schema->name);
        free(schema->version);
        free(schema->cksum);
        free(schema);
    }
}

bool
ovsdb_schema_is_valid_version(const char *version)
{
    /* OVS reads versions with "%u.%u.%u", which also takes a sign or
     * leading white space in each number; accept the same. */
    unsigned int x, y, z;
    int n = -1;
    return (sscanf(version, "%u.%u.%u%n", &x, &y, &z, &n) == 3 && n >= 0
            && version[n] == '\0');
}

/* Checks that the references of 'base' (of column 'column', "key" or
 * "value" per 'which') name tables of 'schema'. */
static struct ovsdb_error *
check_ref(const struct ovsdb_base_type *base, const char *which,
          const struct ovsdb_column *column, const struct ovsdb_schema *schema)
{
    if (ovsdb_base_type_is_ref(base)
        && !ovsdb_schema_get_table(schema, base->u.uuid.ref_table_name)) {
        return ovsdb_syntax_error(NULL, NULL,
                                  "column %s %s refers to "
                                  "undefined table %s",
                                  column->name, which,
                                  base->u.uuid.ref_table_name);
    }
    return NULL;
}

static struct ovsdb_error *
check_refs(const struct ovsdb_schema *schema)
{
    const struct ovsdb_table_schema **tables =
        ovsdb_schema_sorted_tables(schema);
    struct ovsdb_error *error = NULL;
    for (size_t i = 0; !error && i < hmap_count(&schema->tables); i++) {
        const struct ovsdb_table_schema *table = tables[i];
        for (size_t j = 0; !error && j < table->n_columns; j++) {
            const struct ovsdb_column *column = table->columns[j];
            error = check_ref(&column->type.key, "key", column, schema);
            if (!error) {
                error =
                    check_ref(&column->type.value, "value", column, schema);
            }
        }
    }
    free(tables);
    return error;
}

struct ovsdb_error *
ovsdb_schema_from_json(const json_t *json, struct ovsdb_schema **schemap)
{
    *schemap = NULL;

    struct ovsdb_parser parser;
    ovsdb_parser_init(&parser, json, "database schema");
    const json_t *name = ovsdb_parser_member(&parser, "name", OP_ID);
    const json_t *version =
        ovsdb_parser_member(&parser, "version", OP_STRING | OP_OPTIONAL);
    const json_t *cksum =
        ovsdb_parser_member(&parser, "cksum", OP_STRING | OP_OPTIONAL);
    const json_t *tables = ovsdb_parser_member(&parser, "tables", OP_OBJECT);
    struct ovsdb_error *error = ovsdb_parser_finish(&parser);
    if (error) {
        return error;
    }

    if (version
        && !ovsdb_schema_is_valid_version(json_string_value(version))) {
        return ovsdb_syntax_error(json, NULL,
                                  "schema version \"%s\" not in "
                                  "format x.y.z",
                                  json_string_value(version));
    }

    struct ovsdb_schema *schema = ovsdb_schema_create(
        json_string_value(name), version ? json_string_value(version) : NULL,
        cksum ? json_string_value(cksum) : NULL);

    const char *table_name;
    json_t *table_json;
    json_object_foreach ((json_t *) tables, table_name, table_json) {
        if (table_name[0] == '_') {
            error = ovsdb_syntax_error(json, NULL,
                                       "names beginning with "
                                       "\"_\" are reserved");
        } else if (!ovsdb_parser_is_id(table_name)) {
            error = ovsdb_syntax_error(json, NULL, "name must be a valid id");
        } else {
            struct ovsdb_table_schema *table;
            error =
                ovsdb_table_schema_from_json(table_json, table_name, &table);
            if (!error) {
                ovsdb_schema_add_table(schema, table);
            }
        }
        if (error) {
            ovsdb_schema_destroy(schema);
            return error;
        }
    }

    /* Schemas written before "isRoot" existed have no root tables; every
     * table of theirs is a root. */
    bool any_root = false;
    struct ovsdb_table_schema *table;
    HMAP_FOR_EACH (table, hmap_node, &schema->tables) {
        any_root |= table->is_root;
    }
    if (!any_root) {
        HMAP_FOR_EACH (table, hmap_node, &schema->tables) {
            table->is_root = true;
        }
    }

    error = check_refs(schema);
    if (error) {
        ovsdb_schema_destroy(schema);
        return error;
    }
    resolve_refs(schema);

    *schemap = schema;
    return NULL;
}

json_t *
ovsdb_schema_to_json(const struct ovsdb_schema *schema)
{
    json_t *json = json_object();
    json_object_set_new(json, "name", json_string(schema->name));
    if (schema->version[0]) {
        json_object_set_new(json, "version", json_string(schema->version));
    }
    if (schema->cksum[0]) {
        json_object_set_new(json, "cksum", json_string(schema->cksum));
    }

    bool default_is_root = true;
    const struct ovsdb_table_schema *table;
    HMAP_FOR_EACH (table, hmap_node, &schema->tables) {
        default_is_root &= table->is_root;
    }

    /* OVS adds the tables of the JSON it parsed, in the order of its hash
     * table of them, to a hash table, and writes them in that table's
     * order; every object, as it writes it, in its hash table's order. */
    size_t n = hmap_count(&schema->tables);
    const char **names = xmalloc(MAX(n, 1) * sizeof *names);
    for (size_t i = 0; i < n; i++) {
        names[i] = schema->tables_in_order[i]->name;
    }
    hash_order_strings(names, n);
    hash_order_strings(names, n);

    json_t *tables = json_object();
    for (size_t i = 0; i < n; i++) {
        json_object_set_new(
            tables, names[i],
            ovsdb_table_schema_to_json(
                ovsdb_schema_get_table(schema, names[i]), default_is_root));
    }
    free(names);
    json_object_set_new(json, "tables", tables);
    json_reorder_as_ovs(json);
    return json;
}

struct ovsdb_error *
ovsdb_schema_from_file(const char *file_name, struct ovsdb_schema **schemap)
{
    *schemap = NULL;

    json_t *json;
    char *msg = json_from_file(file_name, &json);
    if (msg) {
        struct ovsdb_error *error = ovsdb_error(
            "failed to read schema", "\"%s\" could not be read as JSON (%s)",
            file_name, msg);
        free(msg);
        return error;
    }

    struct ovsdb_error *error = ovsdb_schema_from_json(json, schemap);
    json_decref(json);
    return ovsdb_wrap_error(error, "failed to parse \"%s\" as ovsdb schema",
                            file_name);
}

bool
ovsdb_schema_equal(const struct ovsdb_schema *a, const struct ovsdb_schema *b)
{
    /* Comparing the canonical JSON covers every part that matters. */
    json_t *ja = ovsdb_schema_to_json(a);
    json_t *jb = ovsdb_schema_to_json(b);
    bool equal = json_equal(ja, jb);
    json_decref(ja);
    json_decref(jb);
    return equal;
}

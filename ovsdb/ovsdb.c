/* In-memory OVSDB databases; see ovsdb.h. */
#include "ovsdb/ovsdb.h"

#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "ovsdb/ovsdb-row.h"

/* Returns the table of 'db' that 'base' refers to, or NULL if 'base' is
 * not a reference. */
static struct ovsdb_table *
ref_table(const struct ovsdb *db, const struct ovsdb_base_type *base)
{
    if (!ovsdb_base_type_is_ref(base)) {
        return NULL;
    }
    struct ovsdb_table *table =
        ovsdb_get_table(db, base->u.uuid.ref_table_name);
    ovs_assert(table);
    return table;
}

struct ovsdb *
ovsdb_create(struct ovsdb_schema *schema)
{
    struct ovsdb *db = xzalloc(sizeof *db);
    db->schema = schema;
    hmap_init(&db->tables);

    struct ovsdb_table_schema *ts;
    HMAP_FOR_EACH (ts, hmap_node, &schema->tables) {
        struct ovsdb_table *table = ovsdb_table_create(ts);
        hmap_insert(&db->tables, &table->hmap_node, hash_string(ts->name, 0));
    }

    struct ovsdb_table *table;
    HMAP_FOR_EACH (table, hmap_node, &db->tables) {
        for (size_t i = 0; i < table->schema->n_columns; i++) {
            const struct ovsdb_type *type = &table->schema->columns[i]->type;
            table->key_ref_tables[i] = ref_table(db, &type->key);
            table->value_ref_tables[i] = ref_table(db, &type->value);
        }
    }
    return db;
}

void
ovsdb_destroy(struct ovsdb *db)
{
    if (!db) {
        return;
    }
    ovs_assert(!db->txn);

    struct ovsdb_table *table;
    HMAP_FOR_EACH_POP (table, hmap_node, &db->tables) {
        ovsdb_table_destroy(table);
    }
    hmap_destroy(&db->tables);
    ovsdb_schema_destroy(db->schema);
    free(db);
}

struct ovsdb_table *
ovsdb_get_table(const struct ovsdb *db, const char *name)
{
    struct ovsdb_table *table;
    HMAP_FOR_EACH_WITH_HASH (table, hmap_node, hash_string(name, 0),
                             &db->tables) {
        if (!strcmp(table->schema->name, name)) {
            return table;
        }
    }
    return NULL;
}

size_t
ovsdb_n_rows(const struct ovsdb *db)
{
    size_t n = 0;
    const struct ovsdb_table *table;
    HMAP_FOR_EACH (table, hmap_node, &db->tables) {
        n += ovsdb_table_n_rows(table);
    }
    return n;
}

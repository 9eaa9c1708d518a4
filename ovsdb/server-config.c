/* ovsdb-server configuration read from its databases: "db:" remotes and
 * SSL files, and the status written back to the rows of remotes. */
#include "ovsdb/server-config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/util.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-row.h"
#include "ovsdb/ovsdb-table.h"
#include "ovsdb/ovsdb-txn.h"
#include "ovsdb/ovsdb.h"

/* The three names of a "db:DB,TABLE,COLUMN" reference. */
struct config_ref {
    char *copy; /* Owns the strings below. */
    const char *db;
    const char *table;
    const char *column;
};

/* Splits 'ref' into 'r'.  Returns false (with nothing to free) if it is
 * not of the form "db:DB,TABLE,COLUMN". */
static bool
config_ref_parse(const char *ref, struct config_ref *r)
{
    memset(r, 0, sizeof *r);
    if (!server_config_is_ref(ref)) {
        return false;
    }
    r->copy = xstrdup(ref + 3);
    char *save = NULL;
    r->db = strtok_r(r->copy, ",", &save);
    r->table = strtok_r(NULL, ",", &save);
    r->column = strtok_r(NULL, ",", &save);
    if (!r->db || !r->table || !r->column || strtok_r(NULL, ",", &save)) {
        free(r->copy);
        memset(r, 0, sizeof *r);
        return false;
    }
    return true;
}

static void
config_ref_destroy(struct config_ref *r)
{
    free(r->copy);
}

bool
server_config_is_ref(const char *value)
{
    return !strncmp(value, "db:", 3);
}

bool
server_config_ref_db_name(const char *ref, char **db_namep)
{
    struct config_ref r;
    if (!config_ref_parse(ref, &r)) {
        *db_namep = NULL;
        return false;
    }
    *db_namep = xstrdup(r.db);
    config_ref_destroy(&r);
    return true;
}

/* Finds the table and column that 'r' names.  Returns NULL on success,
 * otherwise a malloc'd message about 'ref'. */
static char *
config_ref_resolve(const char *ref, const struct config_ref *r,
                   server_config_find_db_func *find_db, void *aux,
                   const struct ovsdb_table **tablep,
                   const struct ovsdb_column **columnp)
{
    struct ovsdb *db = find_db(r->db, aux);
    if (!db) {
        return xasprintf("\"%s\": no database named %s", ref, r->db);
    }
    const struct ovsdb_table *table = ovsdb_get_table(db, r->table);
    if (!table) {
        return xasprintf("\"%s\": no table named %s", ref, r->table);
    }
    const struct ovsdb_column *column =
        ovsdb_table_schema_get_column(table->schema, r->column);
    if (!column) {
        return xasprintf("\"%s\": table \"%s\" has no column \"%s\"", ref,
                         r->table, r->column);
    }
    *tablep = table;
    *columnp = column;
    return NULL;
}

static bool
column_is_strings(const struct ovsdb_column *column)
{
    return (column->type.key.type == OVSDB_TYPE_STRING
            && column->type.value.type == OVSDB_TYPE_VOID);
}

static bool
column_is_refs(const struct ovsdb_column *column)
{
    return (ovsdb_base_type_is_ref(&column->type.key)
            && column->type.value.type == OVSDB_TYPE_VOID);
}

char *
server_config_check_ref(const char *ref, bool strings_only,
                        server_config_find_db_func *find_db, void *aux)
{
    struct config_ref r;
    if (!config_ref_parse(ref, &r)) {
        return xasprintf("\"%s\": invalid syntax", ref);
    }
    const struct ovsdb_table *table;
    const struct ovsdb_column *column;
    char *msg = config_ref_resolve(ref, &r, find_db, aux, &table, &column);
    if (!msg && strings_only && !column_is_strings(column)) {
        msg = xasprintf("\"%s\": table \"%s\" column \"%s\" is not string "
                        "or set of strings",
                        ref, r.table, r.column);
    }
    config_ref_destroy(&r);
    return msg;
}

/* Remote lists. */

void
server_config_remotes_init(struct server_config_remotes *remotes)
{
    memset(remotes, 0, sizeof *remotes);
    sset_init(&remotes->names);
}

void
server_config_remotes_destroy(struct server_config_remotes *remotes)
{
    free(remotes->configs);
    sset_destroy(&remotes->names);
}

void
server_config_remotes_add(struct server_config_remotes *remotes,
                          const char *name,
                          const struct ovsdb_jsonrpc_options *options)
{
    if (!name[0] || sset_contains(&remotes->names, name)) {
        return;
    }
    if (remotes->n >= remotes->allocated) {
        remotes->allocated = remotes->allocated ? 2 * remotes->allocated : 8;
        remotes->configs = xrealloc(
            remotes->configs, remotes->allocated * sizeof *remotes->configs);
    }
    struct ovsdb_jsonrpc_remote_config *c = &remotes->configs[remotes->n++];
    c->name = sset_add(&remotes->names, name)->name;
    if (options) {
        c->options = *options;
    } else {
        ovsdb_jsonrpc_default_options(name, &c->options);
    }
}

/* Returns the datum of column 'name' of 'row' if the column exists with
 * atomic key type 'key_type' and no value type (a scalar, optional
 * scalar or set), otherwise NULL. */
static const struct ovsdb_datum *
row_get_scalar(const struct ovsdb_row *row, const char *name,
               enum ovsdb_atomic_type key_type)
{
    const struct ovsdb_column *column =
        ovsdb_table_schema_get_column(row->table->schema, name);
    if (!column || column->type.key.type != key_type
        || column->type.value.type != OVSDB_TYPE_VOID) {
        return NULL;
    }
    return &row->fields[column->index];
}

/* Returns the value of 'key' in the string-to-string map column 'name' of
 * 'row', or NULL. */
static const char *
row_get_map_string(const struct ovsdb_row *row, const char *name,
                   const char *key)
{
    const struct ovsdb_column *column =
        ovsdb_table_schema_get_column(row->table->schema, name);
    if (!column || column->type.key.type != OVSDB_TYPE_STRING
        || column->type.value.type != OVSDB_TYPE_STRING) {
        return NULL;
    }
    const struct ovsdb_datum *d = &row->fields[column->index];
    for (unsigned int i = 0; i < d->n; i++) {
        if (!strcmp(d->keys[i].string, key)) {
            return d->values[i].string;
        }
    }
    return NULL;
}

/* Adds the remote that 'row' (e.g. a Manager row) configures, if it has a
 * target. */
static void
add_remote_from_row(struct server_config_remotes *remotes,
                    const struct ovsdb_row *row)
{
    const struct ovsdb_datum *d =
        row_get_scalar(row, "target", OVSDB_TYPE_STRING);
    if (!d || d->n != 1) {
        return;
    }
    const char *target = d->keys[0].string;
    struct ovsdb_jsonrpc_options options;
    ovsdb_jsonrpc_default_options(target, &options);

    d = row_get_scalar(row, "max_backoff", OVSDB_TYPE_INTEGER);
    if (d && d->n == 1) {
        options.max_backoff = MIN(d->keys[0].integer, INT_MAX);
    }
    d = row_get_scalar(row, "inactivity_probe", OVSDB_TYPE_INTEGER);
    if (d && d->n == 1) {
        options.probe_interval = MIN(d->keys[0].integer, INT_MAX);
    }
    d = row_get_scalar(row, "read_only", OVSDB_TYPE_BOOLEAN);
    if (d && d->n == 1) {
        options.read_only = d->keys[0].boolean;
    }
    const char *dscp = row_get_map_string(row, "other_config", "dscp");
    if (dscp) {
        char *end;
        long value = strtol(dscp, &end, 10);
        if (*dscp && !*end && value >= 0 && value <= 63) {
            options.dscp = value;
        }
    }
    server_config_remotes_add(remotes, target, &options);
}

void
server_config_remotes_query(struct server_config_remotes *remotes,
                            const char *ref,
                            server_config_find_db_func *find_db, void *aux)
{
    struct config_ref r;
    if (!config_ref_parse(ref, &r)) {
        return;
    }
    const struct ovsdb_table *table;
    const struct ovsdb_column *column;
    char *msg = config_ref_resolve(ref, &r, find_db, aux, &table, &column);
    if (msg) {
        free(msg);
        config_ref_destroy(&r);
        return;
    }

    struct ovsdb *db = find_db(r.db, aux);
    const struct ovsdb_row *row;
    HMAP_FOR_EACH (row, hmap_node, &table->rows) {
        const struct ovsdb_datum *d = &row->fields[column->index];
        if (column_is_strings(column)) {
            for (unsigned int i = 0; i < d->n; i++) {
                server_config_remotes_add(remotes, d->keys[i].string, NULL);
            }
        } else if (column_is_refs(column)) {
            const struct ovsdb_table *ref_table =
                ovsdb_get_table(db, column->type.key.u.uuid.ref_table_name);
            for (unsigned int i = 0; ref_table && i < d->n; i++) {
                const struct ovsdb_row *target_row =
                    ovsdb_table_get_row(ref_table, &d->keys[i].uuid);
                if (target_row) {
                    add_remote_from_row(remotes, target_row);
                }
            }
        }
    }
    config_ref_destroy(&r);
}

const char *
server_config_query_string(const char *value,
                           server_config_find_db_func *find_db, void *aux,
                           struct ds *errors)
{
    if (!value || !server_config_is_ref(value)) {
        return value;
    }
    struct config_ref r;
    if (!config_ref_parse(value, &r)) {
        if (errors) {
            ds_put_format(errors, "\"%s\": invalid syntax\n", value);
        }
        return NULL;
    }
    const struct ovsdb_table *table;
    const struct ovsdb_column *column;
    const char *result = NULL;
    char *msg = config_ref_resolve(value, &r, find_db, aux, &table, &column);
    if (!msg && !column_is_strings(column)) {
        msg = xasprintf("\"%s\": table \"%s\" column \"%s\" is not string "
                        "or set of strings",
                        value, r.table, r.column);
    }
    if (msg) {
        if (errors) {
            ds_put_format(errors, "%s\n", msg);
        }
        free(msg);
    } else {
        const struct ovsdb_row *row;
        HMAP_FOR_EACH (row, hmap_node, &table->rows) {
            const struct ovsdb_datum *d = &row->fields[column->index];
            for (unsigned int i = 0; i < d->n && !result; i++) {
                if (d->keys[i].string[0]) {
                    result = d->keys[i].string;
                }
            }
            if (result) {
                break;
            }
        }
    }
    config_ref_destroy(&r);
    return result;
}

/* Status. */

/* A status map under construction: parallel arrays of keys and values
 * (malloc'd). */
struct status_map {
    char *keys[16];
    char *values[16];
    size_t n;
};

static void
status_map_add(struct status_map *map, const char *key, char *value)
{
    ovs_assert(map->n < ARRAY_SIZE(map->keys));
    map->keys[map->n] = xstrdup(key);
    map->values[map->n] = value;
    map->n++;
}

static void
status_map_add_uint(struct status_map *map, const char *key,
                    unsigned int value)
{
    status_map_add(map, key, xasprintf("%u", value));
}

/* Builds the status of a remote, with the keys OVS writes. */
static void
status_map_build(struct status_map *map,
                 const struct ovsdb_jsonrpc_remote_status *status)
{
    memset(map, 0, sizeof *map);
    if (status->state) {
        status_map_add(map, "state", xstrdup(status->state));
    }
    if (status->sec_since_connect != UINT_MAX) {
        status_map_add_uint(map, "sec_since_connect",
                            status->sec_since_connect);
    }
    if (status->sec_since_disconnect != UINT_MAX) {
        status_map_add_uint(map, "sec_since_disconnect",
                            status->sec_since_disconnect);
    }
    if (status->last_error) {
        status_map_add(map, "last_error", xstrdup(status->last_error));
    }
    if (status->locks_held && status->locks_held[0]) {
        status_map_add(map, "locks_held", xstrdup(status->locks_held));
    }
    if (status->locks_waiting && status->locks_waiting[0]) {
        status_map_add(map, "locks_waiting", xstrdup(status->locks_waiting));
    }
    if (status->locks_lost && status->locks_lost[0]) {
        status_map_add(map, "locks_lost", xstrdup(status->locks_lost));
    }
    if (status->n_connections > 1) {
        status_map_add_uint(map, "n_connections", status->n_connections);
    }
    if (status->bound_port) {
        status_map_add_uint(map, "bound_port", status->bound_port);
    }
}

/* Moves 'map' into a new datum of 'type' (a string-to-string map). */
static void
status_map_to_datum(struct status_map *map, const struct ovsdb_type *type,
                    struct ovsdb_datum *datum)
{
    ovsdb_datum_init_empty(datum);
    for (size_t i = 0; i < map->n; i++) {
        union ovsdb_atom key = {.string = map->keys[i]};
        union ovsdb_atom value = {.string = map->values[i]};
        ovsdb_datum_add_unsorted(datum, &key, &value, type);
        free(map->keys[i]);
        free(map->values[i]);
    }
    ovsdb_error_destroy(ovsdb_datum_sort(datum, type));
    map->n = 0;
}

/* Writes the status of its remote into 'row' through 'txn' where it
 * differs. */
static void
update_row_status(struct ovsdb_txn *txn, const struct ovsdb_row *row,
                  const struct ovsdb_jsonrpc_server *server)
{
    const struct ovsdb_datum *target =
        row_get_scalar(row, "target", OVSDB_TYPE_STRING);
    if (!target || target->n != 1) {
        return;
    }
    struct ovsdb_jsonrpc_remote_status status;
    if (!ovsdb_jsonrpc_server_get_remote_status(server, target->keys[0].string,
                                                &status)) {
        return;
    }

    const struct ovsdb_table_schema *ts = row->table->schema;
    const struct ovsdb_column *connected =
        ovsdb_table_schema_get_column(ts, "is_connected");
    if (connected
        && (connected->type.key.type != OVSDB_TYPE_BOOLEAN
            || connected->type.value.type != OVSDB_TYPE_VOID
            || connected->type.n_min != 1 || connected->type.n_max != 1)) {
        connected = NULL;
    }
    const struct ovsdb_column *status_col =
        ovsdb_table_schema_get_column(ts, "status");
    if (status_col
        && (status_col->type.key.type != OVSDB_TYPE_STRING
            || status_col->type.value.type != OVSDB_TYPE_STRING)) {
        status_col = NULL;
    }

    struct ovsdb_datum new_status = OVSDB_DATUM_EMPTY_INITIALIZER;
    if (status_col) {
        struct status_map map;
        status_map_build(&map, &status);
        status_map_to_datum(&map, &status_col->type, &new_status);
    }
    ovsdb_jsonrpc_remote_status_destroy(&status);

    bool connected_changed = connected
                             && row->fields[connected->index].keys[0].boolean
                                    != status.is_connected;
    bool status_changed =
        status_col
        && !ovsdb_datum_equals(&row->fields[status_col->index], &new_status,
                               &status_col->type);
    if (connected_changed || status_changed) {
        struct ovsdb_row *rw = ovsdb_txn_row_modify(txn, row);
        if (connected_changed) {
            rw->fields[connected->index].keys[0].boolean = status.is_connected;
        }
        if (status_changed) {
            ovsdb_datum_swap(&rw->fields[status_col->index], &new_status);
        }
    }
    if (status_col) {
        ovsdb_datum_destroy(&new_status, &status_col->type);
    }
}

void
server_config_update_status(const char *ref, struct ovsdb_txn *txn,
                            const struct ovsdb_jsonrpc_server *server)
{
    struct config_ref r;
    if (!config_ref_parse(ref, &r)) {
        return;
    }
    struct ovsdb *db = ovsdb_txn_get_db(txn);
    const struct ovsdb_table *table = ovsdb_get_table(db, r.table);
    const struct ovsdb_column *column =
        table ? ovsdb_table_schema_get_column(table->schema, r.column) : NULL;
    const struct ovsdb_table *ref_table =
        column && column_is_refs(column)
            ? ovsdb_get_table(db, column->type.key.u.uuid.ref_table_name)
            : NULL;
    if (ref_table) {
        const struct ovsdb_row *row;
        HMAP_FOR_EACH (row, hmap_node, &table->rows) {
            const struct ovsdb_datum *d = &row->fields[column->index];
            for (unsigned int i = 0; i < d->n; i++) {
                const struct ovsdb_row *target_row =
                    ovsdb_txn_get_row(txn, ref_table, &d->keys[i].uuid);
                if (target_row) {
                    update_row_status(txn, target_row, server);
                }
            }
        }
    }
    config_ref_destroy(&r);
}

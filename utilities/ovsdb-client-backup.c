/* ovsdb-client's backup and restore commands.
 *
 * "backup" writes a database to standard output as a standalone database
 * file: the schema record, then one record holding every row, made from
 * one "select" of every table so that it is a consistent snapshot.  Such
 * a file is a database that ovsdb-server can serve and ovsdb-tool read.
 *
 * "restore" reads a standalone database file from standard input (a
 * backup, or any database file, whose transaction records it replays),
 * checks that its schema is the server's, and replaces the database's
 * contents with the file's in one transaction.  As in OVS, the rows get
 * new UUIDs: the protocol lets a client name rows only within one
 * transaction, so every row is inserted under a "uuid-name" made from its
 * old UUID and references between rows follow those names. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/hash-order.h"
#include "lib/hmap.h"
#include "lib/json.h"
#include "lib/jsonrpc.h"
#include "lib/timeval.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "lib/vlog.h"
#include "ovsdb/log.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "utilities/ovsdb-client.h"

/* The whole program logs as one module, "ovsdb_client", as OVS's does;
 * ovsdb-client.c defines it. */
extern struct vlog_module VLM_ovsdb_client;
static struct vlog_module *const THIS_MODULE = &VLM_ovsdb_client;

static noreturn void
backup_fatal(struct ovsdb_error *error)
{
    ovs_fatal(0, "%s", ovsdb_error_to_string_free(error));
}

/* backup. */

/* Returns the "select" operation for every persistent column of 'ts' and
 * "_uuid", in the order of 'ts''s columns in 'schema' (JSON); ephemeral
 * columns by design do not survive a restart, so a backup leaves them
 * out. */
static json_t *
backup_select(const struct ovsdb_table_schema *ts, const json_t *schema)
{
    static const char *const std_columns[] = {"_uuid", "_version", NULL};
    const json_t *columns = json_object_get(
        json_object_get(json_object_get(schema, "tables"), ts->name),
        "columns");
    size_t n;
    const char **names = ovsdb_client_schema_order(columns, std_columns, &n);
    json_t *selected = json_array();

    for (size_t i = 0; i < n; i++) {
        const struct ovsdb_column *column =
            ovsdb_table_schema_get_column(ts, names[i]);
        if (column && column->persistent
            && column->index != OVSDB_COL_VERSION) {
            json_array_append_new(selected, json_string(names[i]));
        }
    }
    free(names);
    return json_pack("{s:s, s:s, s:[], s:o}", "op", "select", "table",
                     ts->name, "where", "columns", selected);
}

/* Converts the rows that "select" returned for table 'ts' into the
 * object from UUIDs to rows of a database file's transaction record,
 * with every value checked against the schema and in canonical form. */
static json_t *
backup_table_rows(const struct ovsdb_table_schema *ts, const json_t *result)
{
    const json_t *rows = json_object_get(result, "rows");
    json_t *table = json_object();

    if (!json_is_array(rows)) {
        ovs_fatal(0,
                  "%s table reply is not an object with a \"rows\" "
                  "member array: %s",
                  ts->name, json_to_string_as_ovs_parsed(result, true, false));
    }
    for (size_t r = 0; r < json_array_size(rows); r++) {
        const json_t *row = json_array_get(rows, r);
        const json_t *uuid_json = json_object_get(row, "_uuid");
        const char *uuid = json_string_value(json_array_get(uuid_json, 1));
        struct uuid dummy;

        if (!json_is_object(row) || !uuid || !uuid_from_string(&dummy, uuid)) {
            ovs_fatal(0, "%s table reply row lacks a valid _uuid: %s",
                      ts->name,
                      json_to_string_as_ovs_parsed(row, true, false));
        }

        json_t *values = json_object();
        const char *name;
        json_t *value;
        json_object_foreach ((json_t *) row, name, value) {
            const struct ovsdb_column *column =
                ovsdb_table_schema_get_column(ts, name);
            if (!column) {
                ovs_fatal(0, "%s table reply row has unknown column %s",
                          ts->name, name);
            } else if (column->index < OVSDB_N_STD_COLUMNS) {
                continue;
            }

            struct ovsdb_datum datum;
            struct ovsdb_error *error =
                ovsdb_datum_from_json(&datum, &column->type, value, NULL);
            if (error) {
                backup_fatal(error);
            }
            json_object_set_new(values, name,
                                ovsdb_datum_to_json(&datum, &column->type));
            ovsdb_datum_destroy(&datum, &column->type);
        }
        json_object_set_new(table, uuid, values);
    }
    return table;
}

/* Writes 'record' to 'log' with its members in the order in which OVS's
 * tools would write the same record, so that the files compare. */
static void
backup_write(struct ovsdb_log *log, const json_t *record)
{
    struct ds body = DS_EMPTY_INITIALIZER;
    struct ovsdb_error *error;

    json_to_ds_as_ovs_parsed(record, false, false, &body);
    ds_put_char(&body, '\n');
    error = ovsdb_log_write_text(log, body.string, body.length);
    ds_destroy(&body);
    if (error) {
        backup_fatal(error);
    }
}

void
ovsdb_client_backup(int argc, char *argv[])
{
    char *server = ovsdb_client_take_server(&argc, &argv, 0);
    struct jsonrpc *rpc = ovsdb_client_open_rpc(server);
    char *db = ovsdb_client_take_database(rpc, &argc, &argv, 0);
    struct ovsdb_client_schema cs;

    if (argc) {
        ovsdb_client_invalid_syntax("backup");
    }
    if (isatty(STDOUT_FILENO)) {
        ovs_fatal(0, "not writing backup to a terminal; please redirect "
                     "stdout to a file");
    }
    ovsdb_client_fetch_schema(rpc, db, &cs);

    /* One transaction selects every table: a consistent snapshot. */
    size_t n_tables;
    const char **names = ovsdb_client_schema_order(
        json_object_get(cs.json, "tables"), NULL, &n_tables);
    const struct ovsdb_table_schema **tables =
        xmalloc(MAX(n_tables, 1) * sizeof *tables);
    json_t *txn = json_array();
    json_array_append_new(txn, json_string(db));
    for (size_t i = 0; i < n_tables; i++) {
        tables[i] = ovsdb_client_find_table(&cs, names[i]);
        json_array_append_new(txn, backup_select(tables[i], cs.json));
    }

    json_t *result = ovsdb_client_transact_method(rpc, "transact", txn);
    if (!json_is_array(result) || json_array_size(result) != n_tables) {
        ovs_fatal(0, "reply is not an array of %zu elements: %s", n_tables,
                  json_to_string_as_ovs_parsed(result, true, false));
    }
    json_t *data = json_object();
    for (size_t i = 0; i < n_tables; i++) {
        const json_t *table_result = json_array_get(result, i);
        const char *error = json_get_string(table_result, "error");
        if (error) {
            ovs_fatal(0, "select of table %s failed: %s", tables[i]->name,
                      json_to_string_as_ovs_parsed(table_result, true, false));
        }
        json_t *rows = backup_table_rows(tables[i], table_result);
        /* Like OVS, a table without rows is left out of the record. */
        if (json_object_size(rows)) {
            json_object_set_new(data, tables[i]->name, rows);
        } else {
            json_decref(rows);
        }
    }

    struct ovsdb_log *log;
    struct ovsdb_error *error =
        ovsdb_log_open_stream(STDOUT_FILENO, "/dev/stdout", &log);
    if (error) {
        backup_fatal(error);
    }
    json_t *schema = ovsdb_schema_to_json(cs.schema);
    backup_write(log, schema);
    json_decref(schema);
    json_t *record = ovsdb_log_txn_record(
        data, time_wall_msec(), "produced by \"ovsdb-client backup\"", true);
    backup_write(log, record);
    json_decref(record);
    error = ovsdb_log_commit_block(log);
    if (error) {
        backup_fatal(error);
    }
    ovsdb_log_close(log);

    json_decref(result);
    free(tables);
    free(names);
    ovsdb_client_schema_destroy(&cs);
    jsonrpc_close(rpc);
    free(db);
    free(server);
}

/* restore: the database file, replayed in memory. */

struct restore_row {
    struct hmap_node node; /* In restore_table's 'rows', by UUID. */
    struct uuid uuid;
    struct ovsdb_datum *values; /* One per column of the table. */
};

struct restore_table {
    const struct ovsdb_table_schema *ts;
    struct hmap rows;
};

struct restore_db {
    struct ovsdb_schema *schema;
    json_t *schema_json;          /* The file's schema record. */
    struct restore_table *tables; /* In the order OVS handles them. */
    size_t n_tables;
};

static struct restore_table *
restore_find_table(const struct restore_db *db, const char *name)
{
    for (size_t i = 0; i < db->n_tables; i++) {
        if (!strcmp(db->tables[i].ts->name, name)) {
            return &db->tables[i];
        }
    }
    return NULL;
}

static struct restore_row *
restore_find_row(const struct restore_table *table, const struct uuid *uuid)
{
    struct restore_row *row;
    HMAP_FOR_EACH_WITH_HASH (row, node, uuid_hash(uuid), &table->rows) {
        if (uuid_equals(&row->uuid, uuid)) {
            return row;
        }
    }
    return NULL;
}

/* Returns true if some table holds a row 'uuid'. */
static bool
restore_has_row(const struct restore_db *db, const struct uuid *uuid)
{
    for (size_t i = 0; i < db->n_tables; i++) {
        if (restore_find_row(&db->tables[i], uuid)) {
            return true;
        }
    }
    return false;
}

static void
restore_row_destroy(const struct restore_table *table, struct restore_row *row)
{
    for (size_t c = 0; c < table->ts->n_columns; c++) {
        ovsdb_datum_destroy(&row->values[c], &table->ts->columns[c]->type);
    }
    free(row->values);
    free(row);
}

static struct restore_row *
restore_row_create(struct restore_table *table, const struct uuid *uuid)
{
    struct restore_row *row = xmalloc(sizeof *row);
    row->uuid = *uuid;
    row->values = xmalloc(table->ts->n_columns * sizeof *row->values);
    for (size_t c = 0; c < table->ts->n_columns; c++) {
        ovsdb_datum_init_default(&row->values[c],
                                 &table->ts->columns[c]->type);
    }
    hmap_insert(&table->rows, &row->node, uuid_hash(uuid));
    return row;
}

/* Sets the columns of 'row' from 'json', a row of a transaction record:
 * whole values, or, if 'is_diff', differences to the values before. */
static struct ovsdb_error *
restore_update_row(const struct restore_table *table, struct restore_row *row,
                   const json_t *json, bool is_diff)
{
    const char *name;
    json_t *value;

    json_object_foreach ((json_t *) json, name, value) {
        const struct ovsdb_column *column =
            ovsdb_table_schema_get_column(table->ts, name);
        if (!column) {
            return ovsdb_syntax_error(json, "unknown column",
                                      "No column %s in table %s.", name,
                                      table->ts->name);
        } else if (column->index < OVSDB_N_STD_COLUMNS) {
            continue;
        }

        /* A diff of a set or map may hold any number of elements. */
        struct ovsdb_type type;
        ovsdb_type_clone(&type, &column->type);
        if (is_diff && !ovsdb_type_is_scalar(&type)) {
            type.n_min = 0;
            type.n_max = OVSDB_TYPE_UNLIMITED;
        }
        struct ovsdb_datum datum;
        struct ovsdb_error *error =
            ovsdb_datum_from_json(&datum, &type, value, NULL);
        ovsdb_type_destroy(&type);
        if (error) {
            return error;
        }

        /* The diff of a scalar is its new value. */
        struct ovsdb_datum *dst = &row->values[column->index];
        if (is_diff && !ovsdb_type_is_scalar(&column->type)) {
            struct ovsdb_datum new;
            error = ovsdb_datum_apply_diff(&new, dst, &datum, &column->type);
            ovsdb_datum_destroy(&datum, &column->type);
            if (error) {
                return error;
            }
            ovsdb_datum_swap(&datum, &new);
        }
        ovsdb_datum_swap(dst, &datum);
        ovsdb_datum_destroy(&datum, &column->type);
    }
    return NULL;
}

/* Applies the changes of 'record' to table 'table_name'. */
static struct ovsdb_error *
restore_replay_table(struct restore_db *db, const json_t *record,
                     const char *table_name, bool is_diff)
{
    const json_t *table_json = json_object_get(record, table_name);
    struct restore_table *table = restore_find_table(db, table_name);
    if (!table) {
        return ovsdb_syntax_error(record, "unknown table",
                                  "No table named %s.", table_name);
    } else if (!json_is_object(table_json)) {
        return ovsdb_syntax_error(table_json, NULL, "object expected");
    }

    const char *uuid_string;
    json_t *row_json;
    json_object_foreach ((json_t *) table_json, uuid_string, row_json) {
        struct uuid uuid;
        if (!uuid_from_string(&uuid, uuid_string)) {
            return ovsdb_syntax_error(
                table_json, NULL, "\"%s\" is not a valid UUID", uuid_string);
        }

        struct restore_row *row = restore_find_row(table, &uuid);
        if (json_is_null(row_json)) {
            if (!row) {
                return ovsdb_syntax_error(NULL, NULL,
                                          "transaction deletes row "
                                          "%s that does not exist",
                                          uuid_string);
            }
            hmap_remove(&table->rows, &row->node);
            restore_row_destroy(table, row);
            continue;
        } else if (!json_is_object(row_json)) {
            return ovsdb_syntax_error(row_json, NULL,
                                      "row must be JSON object");
        }
        /* A new row's values are whole even in a record of diffs: there
         * is nothing to apply them to. */
        bool row_is_diff = is_diff && row;
        if (!row) {
            row = restore_row_create(table, &uuid);
        }
        struct ovsdb_error *error =
            restore_update_row(table, row, row_json, row_is_diff);
        if (error) {
            return error;
        }
    }
    return NULL;
}

/* Applies the changes that the transaction record 'record' makes to
 * 'db': rows inserted, modified (whole values, or differences if the
 * record says "_is_diff") and deleted (null). */
static struct ovsdb_error *
restore_replay(struct restore_db *db, const json_t *record)
{
    struct ovsdb_error *error = NULL;
    bool is_diff;

    /* The tables in the order OVS takes them, which decides which error
     * a record with several is reported with. */
    size_t n = json_object_size(record);
    const char **names = xmalloc(MAX(n, 1) * sizeof *names);
    const char *table_name;
    json_t *table_json;
    size_t i = 0;
    json_object_foreach ((json_t *) record, table_name, table_json) {
        names[i++] = table_name;
    }
    hash_order_strings(names, n);

    ovsdb_log_txn_get_meta(record, NULL, NULL, &is_diff);
    for (i = 0; !error && i < n; i++) {
        if (!ovsdb_log_txn_is_meta(names[i])) {
            error = restore_replay_table(db, record, names[i], is_diff);
        }
    }
    free(names);
    return error;
}

/* Reads the database file on standard input into 'db'. */
static void
restore_read(struct restore_db *db)
{
    if (isatty(STDIN_FILENO)) {
        ovs_fatal(0, "not reading backup from a terminal; please redirect "
                     "stdin from a file");
    }
    /* The file is read by offsets, so it cannot come through a pipe. */
    if (lseek(STDIN_FILENO, 0, SEEK_CUR) < 0) {
        backup_fatal(ovsdb_io_error(errno, "/dev/stdin: seek failed"));
    }

    struct ovsdb_log *log;
    struct ovsdb_error *error =
        ovsdb_log_open("/dev/stdin", OVSDB_LOG_READ_ONLY, false, &log);
    if (!error) {
        error = ovsdb_log_read(log, &db->schema_json);
    }
    if (!error && !db->schema_json) {
        error = ovsdb_error("ovsdb error", "/dev/stdin: database file "
                                           "contains no schema");
    }
    if (!error) {
        error = ovsdb_schema_from_json(db->schema_json, &db->schema);
    }
    if (error) {
        backup_fatal(error);
    }

    /* OVS replaces the tables in the order its hash table of the file's
     * "tables" member lists them. */
    const json_t *tables = json_object_get(db->schema_json, "tables");
    const char **names =
        xmalloc(MAX(json_object_size(tables), 1) * sizeof *names);
    const char *name;
    json_t *value;
    db->n_tables = 0;
    json_object_foreach ((json_t *) tables, name, value) {
        names[db->n_tables++] = name;
    }
    hash_order_strings(names, db->n_tables);
    db->tables = xmalloc(MAX(db->n_tables, 1) * sizeof *db->tables);
    for (size_t i = 0; i < db->n_tables; i++) {
        db->tables[i].ts = ovsdb_schema_get_table(db->schema, names[i]);
        hmap_init(&db->tables[i].rows);
    }
    free(names);

    for (;;) {
        json_t *record;
        error = ovsdb_log_read(log, &record);
        if (error) {
            backup_fatal(error);
        } else if (!record) {
            break;
        }
        error = restore_replay(db, record);
        json_decref(record);
        if (error) {
            backup_fatal(error);
        }
    }
    ovsdb_log_close(log);
}

static void
restore_db_destroy(struct restore_db *db)
{
    for (size_t i = 0; i < db->n_tables; i++) {
        struct restore_table *table = &db->tables[i];
        struct restore_row *row, *next;
        HMAP_FOR_EACH_SAFE (row, next, node, &table->rows) {
            hmap_remove(&table->rows, &row->node);
            restore_row_destroy(table, row);
        }
        hmap_destroy(&table->rows);
    }
    free(db->tables);
    ovsdb_schema_destroy(db->schema);
    json_decref(db->schema_json);
}

/* restore: the transaction. */

/* Returns the "uuid-name" under which the row 'uuid' is inserted. */
static char *
restore_row_name(const struct uuid *uuid)
{
    char s[UUID_LEN + 1];
    char *name = xasprintf("row%s", uuid_to_string(uuid, s));
    for (char *p = name; *p; p++) {
        if (*p == '-') {
            *p = '_';
        }
    }
    return name;
}

/* Replaces the UUID atom 'atom' (JSON ["uuid", "..."]) inside its parent
 * array 'parent' at 'index' by a reference to the inserted row's name,
 * if the file has that row. */
static void
restore_name_atom(const struct restore_db *db, json_t *parent, size_t index)
{
    const json_t *atom = json_array_get(parent, index);
    struct uuid uuid;

    if (uuid_from_string(&uuid, json_string_value(json_array_get(atom, 1)))
        && restore_has_row(db, &uuid)) {
        json_array_set_new(
            parent, index,
            json_pack("[s, o]", "named-uuid",
                      json_string_take(restore_row_name(&uuid))));
    }
}

/* Returns the JSON of 'datum' for an "insert" operation, with references
 * to rows of the file turned into named UUIDs. */
static json_t *
restore_datum_json(const struct restore_db *db,
                   const struct ovsdb_datum *datum,
                   const struct ovsdb_type *type)
{
    json_t *json = ovsdb_datum_to_json(datum, type);
    bool key_is_uuid = type->key.type == OVSDB_TYPE_UUID;
    bool value_is_uuid = type->value.type == OVSDB_TYPE_UUID;

    if (!key_is_uuid && !value_is_uuid) {
        return json;
    }
    if (!ovsdb_type_is_map(type) && datum->n == 1) {
        /* A bare atom: wrap it so that it can be replaced in place. */
        json_t *wrapper = json_pack("[o]", json);
        restore_name_atom(db, wrapper, 0);
        json = json_incref(json_array_get(wrapper, 0));
        json_decref(wrapper);
        return json;
    }

    json_t *elements = json_array_get(json, 1);
    for (size_t i = 0; i < json_array_size(elements); i++) {
        if (ovsdb_type_is_map(type)) {
            json_t *pair = json_array_get(elements, i);
            if (key_is_uuid) {
                restore_name_atom(db, pair, 0);
            }
            if (value_is_uuid) {
                restore_name_atom(db, pair, 1);
            }
        } else {
            restore_name_atom(db, elements, i);
        }
    }
    return json;
}

static int
restore_compare_rows(const void *a_, const void *b_)
{
    const struct restore_row *const *a = a_;
    const struct restore_row *const *b = b_;
    return uuid_compare_3way(&(*a)->uuid, &(*b)->uuid);
}

/* Appends to 'txn' the operations that replace table 'table' by the
 * file's rows: delete every row, then insert each one with its columns
 * that differ from their defaults. */
static void
restore_add_table(const struct restore_db *db,
                  const struct restore_table *table, json_t *txn)
{
    const struct ovsdb_table_schema *ts = table->ts;
    size_t n_rows = hmap_count(&table->rows);
    const struct restore_row **rows = xmalloc(MAX(n_rows, 1) * sizeof *rows);
    const struct restore_row *row;
    size_t i = 0;

    json_array_append_new(txn, json_pack("{s:s, s:s, s:[]}", "op", "delete",
                                         "table", ts->name, "where"));
    HMAP_FOR_EACH (row, node, &table->rows) {
        rows[i++] = row;
    }
    qsort(rows, n_rows, sizeof *rows, restore_compare_rows);

    for (i = 0; i < n_rows; i++) {
        json_t *values = json_object();
        for (size_t c = OVSDB_N_STD_COLUMNS; c < ts->n_columns; c++) {
            const struct ovsdb_column *column = ts->columns[c];
            const struct ovsdb_datum *datum = &rows[i]->values[c];
            if (!ovsdb_datum_is_default(datum, &column->type)) {
                json_object_set_new(
                    values, column->name,
                    restore_datum_json(db, datum, &column->type));
            }
        }
        json_array_append_new(
            txn,
            json_pack("{s:s, s:s, s:o, s:o}", "op", "insert", "table",
                      ts->name, "row", values, "uuid-name",
                      json_string_take(restore_row_name(&rows[i]->uuid))));
    }
    free(rows);
}

/* Prints, as OVS does, the first error in the reply 'msg' to the restore
 * transaction, whether the server rejected the request as a whole or one
 * of its operations, and exits. */
static void
restore_check_reply(const struct jsonrpc_msg *msg)
{
    const json_t *error = msg->error;

    for (size_t i = 0; !error && i < json_array_size(msg->result); i++) {
        const json_t *op_result = json_array_get(msg->result, i);
        if (json_object_get(op_result, "error")) {
            error = op_result;
        }
    }
    if (error) {
        ovs_fatal(0, "server returned error reply: %s",
                  json_to_string_as_ovs_parsed(error, true, false));
    }
}

void
ovsdb_client_backup_restore(int argc, char *argv[])
{
    char *server = ovsdb_client_take_server(&argc, &argv, 0);
    struct jsonrpc *rpc = ovsdb_client_open_rpc(server);
    char *db_name = ovsdb_client_take_database(rpc, &argc, &argv, 0);
    struct ovsdb_client_schema cs;
    struct restore_db db = {0};

    if (argc) {
        ovsdb_client_invalid_syntax("restore");
    }
    restore_read(&db);
    ovsdb_client_fetch_schema(rpc, db_name, &cs);

    if (!ovsdb_schema_equal(db.schema, cs.schema)) {
        char *msg;
        if (strcmp(db.schema->version, cs.schema->version)) {
            msg = xasprintf("backup schema has version \"%s\" but database "
                            "schema has version \"%s\"",
                            db.schema->version, cs.schema->version);
        } else {
            msg = xasprintf("backup schema and database schema are both "
                            "version %s but still differ",
                            db.schema->version);
        }
        if (!ovsdb_client_force) {
            ovs_fatal(0,
                      "%s (use --force to override differences, or "
                      "\"ovsdb-client convert\" to change the schema)",
                      msg);
        }
        VLOG_INFO("%s", msg);
        free(msg);
    }

    /* Like OVS, the transaction goes to the database that the file's
     * schema names, which --force may make differ from DATABASE. */
    json_t *txn = json_array();
    json_array_append_new(txn, json_string(db.schema->name));
    for (size_t i = 0; i < db.n_tables; i++) {
        restore_add_table(&db, &db.tables[i], txn);
    }

    struct jsonrpc_msg *reply;
    int error = jsonrpc_transact_block(
        rpc, jsonrpc_create_request("transact", txn, NULL), &reply);
    if (error) {
        ovs_fatal(error, "transaction failed");
    }
    restore_check_reply(reply);
    jsonrpc_msg_destroy(reply);

    restore_db_destroy(&db);
    ovsdb_client_schema_destroy(&cs);
    jsonrpc_close(rpc);
    free(db_name);
    free(server);
}

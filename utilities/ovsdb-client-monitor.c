/* ovsdb-client's monitor, monitor-cond and monitor-cond-since commands:
 * they print a table's initial contents and then every change, as OVS's
 * ovsdb-client does, until killed or told to "exit" over unixctl. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/daemon.h"
#include "lib/ds.h"
#include "lib/hash-order.h"
#include "lib/json.h"
#include "lib/jsonrpc.h"
#include "lib/poll-loop.h"
#include "lib/sset.h"
#include "lib/table.h"
#include "lib/unixctl.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/ovsdb-cell.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "utilities/ovsdb-client.h"

/* Like ovsdb_client_transact_method() for monitor requests, whose errors
 * OVS prints as the database error the server describes:
 * [syntax "<json>": ]<error>[: <details>]. */
static json_t *
transact_monitor(struct jsonrpc *rpc, const char *method, json_t *params)
{
    struct jsonrpc_msg *reply;
    int error = jsonrpc_transact_block(
        rpc, jsonrpc_create_request(method, params, NULL), &reply);

    if (error) {
        ovs_fatal(error, "transaction failed");
    }
    if (reply->error) {
        const char *tag = json_get_string(reply->error, "error");
        const char *details = json_get_string(reply->error, "details");
        const char *syntax = json_get_string(reply->error, "syntax");
        struct ds s = DS_EMPTY_INITIALIZER;

        if (!tag) {
            ovs_fatal(0, "transaction returned error: %s",
                      json_to_string_as_ovs_parsed(reply->error, true, false));
        }
        if (syntax) {
            ds_put_format(&s, "syntax \"%s\": ", syntax);
        }
        ds_put_cstr(&s, tag);
        if (details) {
            ds_put_format(&s, ": %s", details);
        }
        ovs_fatal(0, "%s", ds_cstr(&s));
    }
    json_t *result = json_incref(reply->result);
    jsonrpc_msg_destroy(reply);
    return result;
}

/* monitor, monitor-cond, monitor-cond-since. */

enum monitor_method {
    MONITOR_V1,         /* "monitor", "update" notifications. */
    MONITOR_COND,       /* "monitor_cond", "update2". */
    MONITOR_COND_SINCE, /* "monitor_cond_since", "update3". */
};

/* One monitored table and the columns printed for it. */
struct monitored_table {
    const struct ovsdb_table_schema *ts;
    const struct ovsdb_column **columns;
    size_t n_columns;
};

struct monitor {
    const char *server;
    enum monitor_method method;
    struct monitored_table *tables;
    size_t n_tables;
    bool all;   /* "ALL": captions name the tables. */
    json_t *id; /* The monitor's id in notifications. */
};

static bool monitor_exiting;

static void
monitor_unixctl_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
                     const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    monitor_exiting = true;
    unixctl_command_reply(conn, NULL);
}

/* The columns that monitoring a table without naming columns prints:
 * every column but the standard ones, by name, then "_version". */
static const struct ovsdb_column **
monitor_default_columns(const struct ovsdb_table_schema *ts, size_t *np)
{
    const struct ovsdb_column **columns =
        xmalloc(ts->n_columns * sizeof *columns);
    size_t n = 0;

    for (size_t i = OVSDB_N_STD_COLUMNS; i < ts->n_columns; i++) {
        columns[n++] = ts->columns[i];
    }
    qsort(columns, n, sizeof *columns, ovsdb_client_compare_column_names);
    columns[n++] = ts->columns[OVSDB_COL_VERSION];
    *np = n;
    return columns;
}

static json_t *
monitor_select(bool initial, bool insert, bool delete, bool modify)
{
    return json_pack("{s:b, s:b, s:b, s:b}", "initial", initial, "insert",
                     insert, "delete", delete, "modify", modify);
}

static json_t *
monitor_columns_json(const struct ovsdb_column **columns, size_t n)
{
    json_t *names = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(names, json_string(columns[i]->name));
    }
    return names;
}

/* Adds to 'requests' the monitor requests for table 'ts' with the column
 * groups in 'groups' ("a,b,!initial"), filling in 'mt'. */
static void
monitor_add_table(const struct monitor *m, const char *db,
                  const struct ovsdb_table_schema *ts, char **groups,
                  size_t n_groups, const json_t *where,
                  struct monitored_table *mt, json_t *requests)
{
    json_t *table_requests = json_array();

    mt->ts = ts;
    if (!n_groups) {
        mt->columns = monitor_default_columns(ts, &mt->n_columns);
        json_t *request =
            json_pack("{s:o, s:o}", "columns",
                      monitor_columns_json(mt->columns, mt->n_columns),
                      "select", monitor_select(true, true, true, true));
        if (where) {
            json_object_set(request, "where", (json_t *) where);
        }
        json_array_append_new(table_requests, request);
    } else {
        struct sset seen = SSET_INITIALIZER(&seen);

        mt->columns = xmalloc(ts->n_columns * sizeof *mt->columns);
        mt->n_columns = 0;
        for (size_t g = 0; g < n_groups; g++) {
            bool initial = true, insert = true, delete = true, modify = true;
            size_t first = mt->n_columns;
            char *save_ptr = NULL;
            char *copy = xstrdup(groups[g]);

            for (char *name = strtok_r(copy, ",", &save_ptr); name;
                 name = strtok_r(NULL, ",", &save_ptr)) {
                if (!strcmp(name, "!initial")) {
                    initial = false;
                } else if (!strcmp(name, "!insert")) {
                    insert = false;
                } else if (!strcmp(name, "!delete")) {
                    delete = false;
                } else if (!strcmp(name, "!modify")) {
                    modify = false;
                } else {
                    const struct ovsdb_column *column =
                        ovsdb_table_schema_get_column(ts, name);
                    if (!column) {
                        ovs_fatal(0,
                                  "%s: table \"%s\" in %s does not have a "
                                  "column named \"%s\"",
                                  m->server, ts->name, db, name);
                    }
                    if (!sset_add(&seen, name)) {
                        ovs_fatal(0,
                                  "%s: column \"%s\" mentioned multiple "
                                  "times",
                                  m->server, name);
                    }
                    mt->columns[mt->n_columns++] = column;
                }
            }
            free(copy);

            json_t *request = json_pack(
                "{s:o, s:o}", "columns",
                monitor_columns_json(&mt->columns[first],
                                     mt->n_columns - first),
                "select", monitor_select(initial, insert, delete, modify));
            if (where) {
                json_object_set(request, "where", (json_t *) where);
            }
            json_array_append_new(table_requests, request);
        }
        sset_destroy(&seen);
    }
    json_object_set_new(requests, ts->name, table_requests);
}

/* Parses a datum that a monitor update carries for 'column'.  The diffs
 * of "modify" in update2 may hold more or fewer elements than the column
 * allows, so composite columns are read as unlimited sets or maps. */
static void
monitor_parse_datum(const struct ovsdb_column *column, const json_t *json,
                    bool is_diff, struct ovsdb_datum *datum,
                    struct ovsdb_type *type)
{
    struct ovsdb_error *error;

    ovsdb_type_clone(type, &column->type);
    if (is_diff && !ovsdb_type_is_scalar(type)) {
        type->n_min = 0;
        type->n_max = OVSDB_TYPE_UNLIMITED;
    }
    error = ovsdb_datum_from_json(datum, type, json, NULL);
    if (error) {
        ovs_fatal(0, "%s", ovsdb_error_to_string_free(error));
    }
}

/* Adds a row to 't' for the row 'uuid' with 'action', with the values in
 * the JSON object 'row' (NULL for none) of the monitored columns. */
static void
monitor_add_row(struct table *t, const struct monitored_table *mt,
                const char *uuid, const char *action, const json_t *row,
                bool is_diff)
{
    table_add_row(t);
    table_cell_set_text(table_add_cell(t, 0), xstrdup(uuid));
    table_cell_set_text(table_add_cell(t, 1), xstrdup(action));
    for (size_t c = 0; c < mt->n_columns; c++) {
        const json_t *value =
            row ? json_object_get(row, mt->columns[c]->name) : NULL;
        if (value) {
            struct ovsdb_datum datum;
            struct ovsdb_type type;

            monitor_parse_datum(mt->columns[c], value, is_diff, &datum, &type);
            ovsdb_cell_set_datum(table_add_cell(t, c + 2), &datum, &type,
                                 &ovsdb_client_table_style);
            ovsdb_datum_destroy(&datum, &type);
            ovsdb_type_destroy(&type);
        }
    }
}

static void
monitor_print_table(const struct monitor *m, const struct monitored_table *mt,
                    const json_t *table_update, bool initial)
{
    if (!json_is_object(table_update)) {
        ovs_fatal(0, "<table-update> for table %s is not object",
                  mt->ts->name);
    }

    struct table t;
    table_init(&t);
    table_set_timestamp(&t, ovsdb_client_timestamp);
    if (m->all) {
        table_set_caption(&t, xstrdup(mt->ts->name));
    }
    table_add_column(&t, "row");
    table_add_column(&t, "action");
    for (size_t c = 0; c < mt->n_columns; c++) {
        table_add_column(&t, "%s", mt->columns[c]->name);
    }

    /* Rows come in the order OVS's parser would list the object's
     * members. */
    size_t n = json_object_size(table_update);
    const char **uuids = xmalloc(MAX(n, 1) * sizeof *uuids);
    const char *uuid;
    json_t *row_update;
    size_t i = 0;
    json_object_foreach ((json_t *) table_update, uuid, row_update) {
        uuids[i++] = uuid;
    }
    hash_order_strings(uuids, n);

    for (i = 0; i < n; i++) {
        row_update = json_object_get(table_update, uuids[i]);
        if (!json_is_object(row_update)) {
            ovs_fatal(0, "<row-update> is not object");
        }
        if (m->method == MONITOR_V1) {
            const json_t *old = json_object_get(row_update, "old");
            const json_t *new = json_object_get(row_update, "new");
            if (initial) {
                monitor_add_row(&t, mt, uuids[i], "initial", new, false);
            } else if (!old) {
                monitor_add_row(&t, mt, uuids[i], "insert", new, false);
            } else if (!new) {
                monitor_add_row(&t, mt, uuids[i], "delete", old, false);
            } else {
                monitor_add_row(&t, mt, uuids[i], "old", old, false);
                monitor_add_row(&t, mt, "", "new", new, false);
            }
        } else {
            static const char *const actions[] = {"initial", "insert",
                                                  "delete", "modify"};
            for (size_t a = 0; a < ARRAY_SIZE(actions); a++) {
                const json_t *row = json_object_get(row_update, actions[a]);
                if (row) {
                    monitor_add_row(&t, mt, uuids[i], actions[a],
                                    json_is_object(row) ? row : NULL, a == 3);
                }
            }
        }
    }
    free(uuids);

    if (t.n_rows) {
        table_print(&t, &ovsdb_client_table_style);
    }
    table_destroy(&t);
}

static void
monitor_print(const struct monitor *m, const json_t *table_updates,
              bool initial)
{
    if (!json_is_object(table_updates)) {
        ovs_fatal(0, "<table-updates> is not object");
    }
    for (size_t i = 0; i < m->n_tables; i++) {
        const json_t *table_update =
            json_object_get(table_updates, m->tables[i].ts->name);
        if (table_update) {
            monitor_print_table(m, &m->tables[i], table_update, initial);
        }
    }
}

static void
do_monitor__(int argc, char *argv[], enum monitor_method method,
             const char *command)
{
    int min_args = method == MONITOR_V1 ? 1 : 2;
    struct monitor m = {.method = method};
    struct ovsdb_client_schema cs;
    char *server, *db;

    server = ovsdb_client_take_server(&argc, &argv, min_args);
    m.server = server;

    daemon_start();

    struct jsonrpc *rpc = ovsdb_client_open_rpc(server);
    db = ovsdb_client_take_database(rpc, &argc, &argv, min_args);

    json_t *last_id = NULL;
    if (method == MONITOR_COND_SINCE && argc > 2) {
        struct uuid uuid;
        if (uuid_from_string(&uuid, argv[0])) {
            last_id = json_string(argv[0]);
            argc--;
            argv++;
        }
    }
    if (argc < min_args) {
        ovsdb_client_invalid_syntax(command);
    }

    /* OVS looks up the table before it parses the condition. */
    const char *condition = NULL;
    if (method != MONITOR_V1) {
        condition = argv[0];
        argc--;
        argv++;
    }

    ovsdb_client_fetch_schema(rpc, db, &cs);

    const struct ovsdb_table_schema *ts = NULL;
    bool all = method == MONITOR_V1 && !strcmp(argv[0], "ALL");
    if (!all) {
        ts = ovsdb_client_find_table(&cs, argv[0]);
        if (!ts) {
            /* Only "monitor" names the server in this message. */
            ovs_fatal(0, "%s%s%s does not have a table named \"%s\"",
                      method == MONITOR_V1 ? server : "",
                      method == MONITOR_V1 ? ": " : "", db, argv[0]);
        }
    }

    json_t *where = NULL;
    if (condition) {
        where = ovsdb_client_parse_json(condition);
        if (!json_is_array(where)) {
            ovs_fatal(0, "CONDITION must be an array");
        }
    }

    json_t *requests = json_object();
    if (all) {
        const struct ovsdb_table_schema **tables =
            ovsdb_schema_sorted_tables(cs.schema);
        m.n_tables = ovsdb_schema_n_tables(cs.schema);
        qsort(tables, m.n_tables, sizeof *tables,
              ovsdb_client_compare_table_names);
        m.tables = xcalloc(MAX(m.n_tables, 1), sizeof *m.tables);
        m.all = true;
        for (size_t i = 0; i < m.n_tables; i++) {
            monitor_add_table(&m, db, tables[i], argv + 1, argc - 1, NULL,
                              &m.tables[i], requests);
        }
        free(tables);
    } else {
        m.tables = xcalloc(1, sizeof *m.tables);
        m.n_tables = 1;
        monitor_add_table(&m, db, ts, argv + 1, argc - 1, where, &m.tables[0],
                          requests);
    }

    static const char *const methods[] = {"monitor", "monitor_cond",
                                          "monitor_cond_since"};
    m.id = json_string(db);
    json_t *params = json_pack("[s, O, o]", db, m.id, requests);
    if (method == MONITOR_COND_SINCE) {
        char zero[UUID_LEN + 1];
        struct uuid uuid;
        uuid_zero(&uuid);
        json_array_append_new(
            params,
            last_id ? last_id : json_string(uuid_to_string(&uuid, zero)));
    }

    struct unixctl_server *unixctl;
    if (unixctl_server_create(NULL, &unixctl)) {
        exit(EXIT_FAILURE);
    }
    unixctl_command_register("exit", "", 0, 0, monitor_unixctl_exit, NULL);

    json_t *result = transact_monitor(rpc, methods[method], params);
    const json_t *updates = result;
    if (method == MONITOR_COND_SINCE) {
        if (!json_is_array(result) || json_array_size(result) != 3) {
            ovs_fatal(0, "monitor_cond_since reply is not an array of 3 "
                         "elements");
        }
        updates = json_array_get(result, 2);
    }
    monitor_print(&m, updates, true);
    json_decref(result);
    daemon_complete();

    while (!monitor_exiting) {
        struct jsonrpc_msg *msg;
        int error;

        unixctl_server_run(unixctl);
        error = jsonrpc_recv(rpc, &msg);
        if (error == EAGAIN) {
            jsonrpc_run(rpc);
            jsonrpc_wait(rpc);
            jsonrpc_recv_wait(rpc);
            unixctl_server_wait(unixctl);
            poll_block();
            continue;
        } else if (error) {
            ovs_fatal(error, "%s: receive failed", server);
        }

        if (msg->type == JSONRPC_REQUEST && !strcmp(msg->method, "echo")) {
            jsonrpc_send(
                rpc, jsonrpc_create_reply(json_incref(msg->params), msg->id));
        } else if (msg->type == JSONRPC_NOTIFY && msg->params
                   && json_array_size(msg->params) >= 2
                   && json_equal(json_array_get(msg->params, 0), m.id)) {
            const char *expected = method == MONITOR_V1     ? "update"
                                   : method == MONITOR_COND ? "update2"
                                                            : "update3";
            if (!strcmp(msg->method, expected)) {
                size_t pos = method == MONITOR_COND_SINCE ? 2 : 1;
                monitor_print(&m, json_array_get(msg->params, pos), false);
            }
        }
        jsonrpc_msg_destroy(msg);
    }

    unixctl_server_destroy(unixctl);
    json_decref(where);
    json_decref(m.id);
    for (size_t i = 0; i < m.n_tables; i++) {
        free(m.tables[i].columns);
    }
    free(m.tables);
    ovsdb_client_schema_destroy(&cs);
    jsonrpc_close(rpc);
    free(server);
    free(db);
}

void
ovsdb_client_monitor(int argc, char *argv[])
{
    do_monitor__(argc, argv, MONITOR_V1, "monitor");
}

void
ovsdb_client_monitor_cond(int argc, char *argv[])
{
    do_monitor__(argc, argv, MONITOR_COND, "monitor-cond");
}

void
ovsdb_client_monitor_cond_since(int argc, char *argv[])
{
    do_monitor__(argc, argv, MONITOR_COND_SINCE, "monitor-cond-since");
}

/* The IDL's replica and its monitor protocol (see ovsdb/idl.h). */
#include "ovsdb/idl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bitmap.h"
#include "lib/json.h"
#include "lib/jsonrpc-session.h"
#include "lib/jsonrpc.h"
#include "lib/poll-loop.h"
#include "lib/vlog.h"
#include "ovsdb/idl-txn.h"
#include "ovsdb/ovsdb-error.h"

VLOG_DEFINE_THIS_MODULE(idl);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

enum idl_state {
    S_DISCONNECTED,
    S_SERVER_SCHEMA_REQUESTED,  /* get_schema "_Server". */
    S_SERVER_MONITOR_REQUESTED, /* monitor_cond of _Server's Database. */
    S_WAIT_DATABASE,            /* _Server says our database is absent. */
    S_DATA_SCHEMA_REQUESTED,    /* get_schema of our database. */
    S_DATA_MONITOR_REQUESTED,   /* monitor* of our database. */
    S_MONITORING,
    S_ERROR, /* Gave up on this connection. */
};

static const char *const monitor_methods[] = {
    [IDL_MONITOR_COND_SINCE] = "monitor_cond_since",
    [IDL_MONITOR_COND] = "monitor_cond",
    [IDL_MONITOR] = "monitor",
};

/* The part of the _Server database that the IDL reads: its Database
 * table, without typed members. */
#define SCALAR_TYPE(TYPE, U)                                                  \
    {                                                                         \
        .key = {.type = TYPE, .u = U}, .value = {.type = OVSDB_TYPE_VOID},    \
        .n_min = 1, .n_max = 1                                                \
    }
#define OPTIONAL_TYPE(TYPE, U)                                                \
    {                                                                         \
        .key = {.type = TYPE, .u = U}, .value = {.type = OVSDB_TYPE_VOID},    \
        .n_min = 0, .n_max = 1                                                \
    }
#define STRING_U                                                              \
    {                                                                         \
        .string = { 0, UINT_MAX }                                             \
    }
#define INTEGER_U                                                             \
    {                                                                         \
        .integer = { INT64_MIN, INT64_MAX }                                   \
    }
#define NO_U                                                                  \
    {                                                                         \
        .integer = { 0, 0 }                                                   \
    }
#define SERVER_COLUMN(NAME, TYPE, INDEX)                                      \
    {                                                                         \
        .name = NAME, .type = TYPE, .is_mutable = true,                       \
        .offset = IDL_NO_MEMBER, .n_offset = IDL_NO_MEMBER,                   \
        .value_offset = IDL_NO_MEMBER, .index = INDEX, .table_index = 0       \
    }

enum {
    SERVER_COL_NAME,
    SERVER_COL_MODEL,
    SERVER_COL_CONNECTED,
    SERVER_COL_LEADER,
    SERVER_COL_SCHEMA,
    SERVER_COL_CID,
    SERVER_COL_INDEX,
    SERVER_N_COLUMNS
};

static const struct idl_column server_database_columns[] = {
    SERVER_COLUMN("name", SCALAR_TYPE(OVSDB_TYPE_STRING, STRING_U),
                  SERVER_COL_NAME),
    SERVER_COLUMN("model", SCALAR_TYPE(OVSDB_TYPE_STRING, STRING_U),
                  SERVER_COL_MODEL),
    SERVER_COLUMN("connected", SCALAR_TYPE(OVSDB_TYPE_BOOLEAN, NO_U),
                  SERVER_COL_CONNECTED),
    SERVER_COLUMN("leader", SCALAR_TYPE(OVSDB_TYPE_BOOLEAN, NO_U),
                  SERVER_COL_LEADER),
    SERVER_COLUMN("schema", OPTIONAL_TYPE(OVSDB_TYPE_STRING, STRING_U),
                  SERVER_COL_SCHEMA),
    SERVER_COLUMN("cid", OPTIONAL_TYPE(OVSDB_TYPE_UUID, NO_U), SERVER_COL_CID),
    SERVER_COLUMN("index", OPTIONAL_TYPE(OVSDB_TYPE_INTEGER, INTEGER_U),
                  SERVER_COL_INDEX),
};

static const struct idl_table_class server_tables[] = {
    {
        .name = "Database",
        .is_root = true,
        .columns = server_database_columns,
        .n_columns = SERVER_N_COLUMNS,
        .row_size = sizeof(struct idl_row),
        .index = 0,
    },
};

static const struct idl_class server_class = {
    .database = "_Server",
    .tables = server_tables,
    .n_tables = 1,
};

static void idl_db_init(struct idl_db *, struct idl *,
                        const struct idl_class *);
static void idl_db_destroy(struct idl_db *);
static void idl_handle_reconnect(struct idl *);
static void idl_process_msg(struct idl *, const struct jsonrpc_msg *);
static void idl_send_cond_change(struct idl *);
static void idl_send_lock_request(struct idl *);
static struct ovsdb_error *
idl_db_apply_updates(struct idl_db *, const json_t *updates, int version,
                     bool snapshot) OVS_WARN_UNUSED_RESULT;

/* Lookups. */

const struct idl_table_class *
idl_class_find_table(const struct idl_class *class, const char *name)
{
    for (size_t i = 0; i < class->n_tables; i++) {
        if (!strcmp(class->tables[i].name, name)) {
            return &class->tables[i];
        }
    }
    return NULL;
}

const struct idl_column *
idl_table_class_find_column(const struct idl_table_class *tc, const char *name)
{
    for (size_t i = 0; i < tc->n_columns; i++) {
        if (!strcmp(tc->columns[i].name, name)) {
            return &tc->columns[i];
        }
    }
    return NULL;
}

struct idl_table *
idl_get_table(const struct idl *idl, const struct idl_table_class *tc)
{
    ovs_assert(tc->index < idl->data.class->n_tables
               && &idl->data.class->tables[tc->index] == tc);
    return &idl->data.tables[tc->index];
}

struct idl_row *
idl_table_find_row(const struct idl_table *table, const struct uuid *uuid)
{
    struct idl_row *row;
    HMAP_FOR_EACH_WITH_HASH (row, hmap_node, uuid_hash(uuid), &table->rows) {
        if (uuid_equals(&row->uuid, uuid)) {
            return row;
        }
    }
    return NULL;
}

struct idl_txn *
idl_get_open_txn(const struct idl *idl)
{
    return idl->txn;
}

/* Creation. */

static void
idl_db_init(struct idl_db *db, struct idl *idl, const struct idl_class *class)
{
    db->idl = idl;
    db->class = class;
    db->tables = xcalloc(class->n_tables, sizeof *db->tables);
    for (size_t i = 0; i < class->n_tables; i++) {
        const struct idl_table_class *tc = &class->tables[i];
        struct idl_table *t = &db->tables[i];
        t->class = tc;
        t->db = db;
        t->modes = xcalloc(tc->n_columns ? tc->n_columns : 1, 1);
        t->column_in_server_schema =
            xcalloc(tc->n_columns ? tc->n_columns : 1, sizeof(bool));
        t->in_server_schema = true;
        for (size_t j = 0; j < tc->n_columns; j++) {
            t->column_in_server_schema[j] = true;
        }
        hmap_init(&t->rows);
        list_init(&t->track_list);
    }
    db->monitor_id = json_pack("[s,s]", "monid", class->database);
    list_init(&db->reparse_list);
}

struct idl *
idl_create(const char *remote, const struct idl_class *class,
           bool monitor_everything, bool retry)
{
    struct idl *idl = xzalloc(sizeof *idl);

    idl_db_init(&idl->server, idl, &server_class);
    idl_db_init(&idl->data, idl, class);
    hmap_init(&idl->outstanding_txns);
    idl->change_seqno = 1;

    struct idl_table *st = &idl->server.tables[0];
    st->monitored = true;
    memset(st->modes, IDL_MODE_MONITOR | IDL_MODE_ALERT, SERVER_N_COLUMNS);

    if (monitor_everything) {
        for (size_t i = 0; i < class->n_tables; i++) {
            struct idl_table *t = &idl->data.tables[i];
            t->monitored = true;
            if (t->class->n_columns) {
                memset(t->modes, IDL_MODE_MONITOR | IDL_MODE_ALERT,
                       t->class->n_columns);
            }
        }
    }
    if (remote) {
        idl->session = jsonrpc_session_open(remote, retry);
        idl->session_seqno = UINT_MAX;
    }
    return idl;
}

static void
idl_table_destroy_rows(struct idl_table *t)
{
    struct idl_row *row;

    /* Typed members and arcs first, while every row still exists. */
    HMAP_FOR_EACH (row, hmap_node, &t->rows) {
        idl_row_unparse(row);
    }
    LIST_FOR_EACH (row, track_node, &t->track_list) {
        if (row->deleted) {
            idl_row_unparse(row);
        }
    }
}

static void
idl_db_destroy(struct idl_db *db)
{
    for (size_t i = 0; i < db->class->n_tables; i++) {
        idl_table_destroy_rows(&db->tables[i]);
    }
    for (size_t i = 0; i < db->class->n_tables; i++) {
        struct idl_table *t = &db->tables[i];
        struct idl_row *row, *next;
        LIST_FOR_EACH_SAFE (row, next, track_node, &t->track_list) {
            list_remove(&row->track_node);
            if (row->deleted) {
                idl_row_free(row);
            } else {
                row->tracked = false;
            }
        }
        HMAP_FOR_EACH_POP (row, hmap_node, &t->rows) {
            while (!list_is_empty(&row->dst_arcs)) {
                struct idl_arc *arc = CONTAINER_OF(
                    list_pop_front(&row->dst_arcs), struct idl_arc, dst_node);
                list_remove(&arc->src_node);
                free(arc);
            }
            idl_row_free(row);
        }
        hmap_destroy(&t->rows);
        free(t->modes);
        free(t->column_in_server_schema);
        json_decref(t->cond);
        json_decref(t->req_cond);
        json_decref(t->new_cond);
    }
    free(db->tables);
    json_decref(db->monitor_id);
}

void
idl_destroy(struct idl *idl)
{
    if (!idl) {
        return;
    }
    if (idl->txn) {
        idl_txn_destroy(idl->txn);
    }
    idl_txn_fail_outstanding__(idl);
    jsonrpc_session_close(idl->session);
    idl_db_destroy(&idl->data);
    idl_db_destroy(&idl->server);
    hmap_destroy(&idl->outstanding_txns);
    json_decref(idl->server_schema);
    json_decref(idl->request_id);
    json_decref(idl->cond_request_id);
    json_decref(idl->lock_request_id);
    free(idl->lock_name);
    free(idl);
}

/* Choosing what to replicate. */

void
idl_add_table(struct idl *idl, const struct idl_table_class *tc)
{
    idl_get_table(idl, tc)->monitored = true;
}

void
idl_add_column(struct idl *idl, const struct idl_column *column)
{
    struct idl_table *t = &idl->data.tables[column->table_index];
    t->monitored = true;
    t->modes[column->index] |= IDL_MODE_MONITOR | IDL_MODE_ALERT;
}

void
idl_omit(struct idl *idl, const struct idl_column *column)
{
    idl->data.tables[column->table_index].modes[column->index] = 0;
}

void
idl_omit_alert(struct idl *idl, const struct idl_column *column)
{
    struct idl_table *t = &idl->data.tables[column->table_index];
    t->monitored = true;
    t->modes[column->index] |= IDL_MODE_MONITOR;
    t->modes[column->index] &= ~IDL_MODE_ALERT;
}

void
idl_track_add_column(struct idl *idl, const struct idl_column *column)
{
    struct idl_table *t = &idl->data.tables[column->table_index];
    t->modes[column->index] |= IDL_MODE_TRACK;
    t->track = true;
    idl->tracking = true;
}

void
idl_track_add_all(struct idl *idl)
{
    for (size_t i = 0; i < idl->data.class->n_tables; i++) {
        struct idl_table *t = &idl->data.tables[i];
        for (size_t j = 0; j < t->class->n_columns; j++) {
            t->modes[j] |= IDL_MODE_TRACK;
        }
        t->track = true;
    }
    idl->tracking = true;
}

void
idl_set_db_change_aware(struct idl *idl, bool aware)
{
    idl->db_change_aware = aware;
    if (aware && idl->session && jsonrpc_session_is_connected(idl->session)) {
        json_t *params = json_pack("[b]", true);
        jsonrpc_session_send(
            idl->session,
            jsonrpc_create_request("set_db_change_aware", params, NULL));
    }
}

/* State. */

unsigned int
idl_get_seqno(const struct idl *idl)
{
    return idl->change_seqno;
}

bool
idl_has_ever_connected(const struct idl *idl)
{
    return idl->has_ever_connected;
}

bool
idl_is_connected(const struct idl *idl)
{
    return idl->session && jsonrpc_session_is_connected(idl->session)
           && idl->state == S_MONITORING;
}

bool
idl_is_alive(const struct idl *idl)
{
    return idl->session && jsonrpc_session_is_alive(idl->session)
           && idl->state != S_ERROR;
}

int
idl_get_last_error(const struct idl *idl)
{
    return idl->session ? jsonrpc_session_get_last_error(idl->session) : 0;
}

bool
idl_is_database_missing(const struct idl *idl)
{
    return idl->database_missing;
}

void
idl_force_reconnect(struct idl *idl)
{
    if (idl->session) {
        jsonrpc_session_force_reconnect(idl->session);
    }
}

void
idl_set_probe_interval(struct idl *idl, int probe_interval_ms)
{
    if (idl->session) {
        jsonrpc_session_set_probe_interval(idl->session, probe_interval_ms);
    }
}

const struct uuid *
idl_get_last_txn_id(const struct idl *idl)
{
    return &idl->data.last_id;
}

/* Sending requests. */

static void
idl_send_request(struct idl *idl, const char *method, json_t *params,
                 json_t **idp)
{
    json_t *id;
    struct jsonrpc_msg *msg = jsonrpc_create_request(method, params, &id);
    if (idp) {
        json_decref(*idp);
        *idp = id;
    } else {
        json_decref(id);
    }
    jsonrpc_session_send(idl->session, msg);
}

static void
idl_send_schema_request(struct idl *idl, const char *database)
{
    idl_send_request(idl, "get_schema", json_pack("[s]", database),
                     &idl->request_id);
}

static void
idl_send_server_monitor(struct idl *idl)
{
    json_t *columns = json_array();
    for (size_t i = 0; i < SERVER_N_COLUMNS; i++) {
        json_array_append_new(columns,
                              json_string(server_database_columns[i].name));
    }
    json_t *params =
        json_pack("[s,O,{s:[{s:o}]}]", "_Server", idl->server.monitor_id,
                  "Database", "columns", columns);
    idl_send_request(idl, "monitor_cond", params, &idl->request_id);
    idl->state = S_SERVER_MONITOR_REQUESTED;
}

/* Marks which tables and columns the server's schema 'schema' has, so
 * that the monitor request names only those. */
static void
idl_set_server_schema(struct idl *idl, const json_t *schema)
{
    json_t *tables = json_get_object(schema, "tables");

    json_decref(idl->server_schema);
    idl->server_schema = json_incref((json_t *) schema);
    for (size_t i = 0; i < idl->data.class->n_tables; i++) {
        struct idl_table *t = &idl->data.tables[i];
        json_t *ts = tables ? json_object_get(tables, t->class->name) : NULL;
        json_t *cols = json_get_object(ts, "columns");
        t->in_server_schema = ts != NULL;
        if (!ts && t->monitored) {
            VLOG_WARN("%s database lacks %s table (database needs "
                      "upgrade?)",
                      idl->data.class->database, t->class->name);
        }
        for (size_t j = 0; j < t->class->n_columns; j++) {
            const char *name = t->class->columns[j].name;
            bool has = cols && json_object_get(cols, name);
            t->column_in_server_schema[j] = has;
            if (ts && !has && t->modes[j] & IDL_MODE_MONITOR) {
                VLOG_WARN("%s table in %s database lacks %s column "
                          "(database needs upgrade?)",
                          t->class->name, idl->data.class->database, name);
            }
        }
    }
}

/* Returns the condition to request for 't' and makes it the one in
 * flight. */
static json_t *
idl_table_take_cond(struct idl_table *t)
{
    if (t->new_cond) {
        json_decref(t->req_cond);
        t->req_cond = t->new_cond;
        t->new_cond = NULL;
    } else if (!t->req_cond && t->cond) {
        t->req_cond = json_incref(t->cond);
    }
    return t->req_cond;
}

static bool
idl_conditions_pending(const struct idl *idl)
{
    for (size_t i = 0; i < idl->data.class->n_tables; i++) {
        const struct idl_table *t = &idl->data.tables[i];
        if (t->new_cond || t->req_cond) {
            return true;
        }
    }
    return false;
}

static void
idl_send_data_monitor(struct idl *idl)
{
    struct idl_db *db = &idl->data;
    json_t *requests = json_object();
    bool conditional = idl->method != IDL_MONITOR;

    /* A changed condition makes the history the server keeps for the old
     * one useless: ask for everything. */
    bool cond_changed = idl_conditions_pending(idl);

    for (size_t i = 0; i < db->class->n_tables; i++) {
        struct idl_table *t = &db->tables[i];
        if (!t->monitored || !t->in_server_schema) {
            continue;
        }
        json_t *columns = json_array();
        for (size_t j = 0; j < t->class->n_columns; j++) {
            if (t->modes[j] & IDL_MODE_MONITOR
                && t->column_in_server_schema[j]) {
                json_array_append_new(columns,
                                      json_string(t->class->columns[j].name));
            }
        }
        json_t *request = json_pack("{s:o}", "columns", columns);
        json_t *cond = idl_table_take_cond(t);
        if (conditional) {
            if (cond) {
                json_object_set(request, "where", cond);
            }
            json_object_set_new(requests, t->class->name,
                                json_pack("[o]", request));
        } else {
            if (cond) {
                VLOG_WARN_RL(&rl,
                             "server does not support conditional "
                             "monitoring: replicating all of table %s",
                             t->class->name);
            }
            json_object_set_new(requests, t->class->name, request);
        }
    }

    json_t *params =
        json_pack("[s,O,o]", db->class->database, db->monitor_id, requests);
    if (idl->method == IDL_MONITOR_COND_SINCE) {
        char buf[UUID_LEN + 1];
        struct uuid zero;
        uuid_zero(&zero);
        uuid_to_string(cond_changed ? &zero : &db->last_id, buf);
        json_array_append_new(params, json_string(buf));
    }
    idl_send_request(idl, monitor_methods[idl->method], params,
                     &idl->request_id);
    idl->state = S_DATA_MONITOR_REQUESTED;
}

/* Monitors the user's database with 'schema' (as _Server reports it), or
 * asks for the schema first if 'schema' is null. */
static void
idl_send_data_schema_or_monitor(struct idl *idl, const json_t *schema)
{
    if (schema) {
        idl_set_server_schema(idl, schema);
        idl->schema_fetched = false;
        idl_send_data_monitor(idl);
    } else {
        idl_send_schema_request(idl, idl->data.class->database);
        idl->state = S_DATA_SCHEMA_REQUESTED;
    }
}

/* Connection changes. */

static void
idl_handle_reconnect(struct idl *idl)
{
    idl_txn_fail_outstanding__(idl);
    json_decref(idl->request_id);
    idl->request_id = NULL;
    json_decref(idl->lock_request_id);
    idl->lock_request_id = NULL;
    if (idl->cond_request_id) {
        json_decref(idl->cond_request_id);
        idl->cond_request_id = NULL;
    }
    idl->server.monitoring = false;
    idl->data.monitoring = false;
    idl->method = IDL_MONITOR_COND_SINCE;
    if (idl->has_lock || idl->is_lock_contended) {
        idl->has_lock = idl->is_lock_contended = false;
        idl->change_seqno++;
    }

    if (!jsonrpc_session_is_connected(idl->session)) {
        idl->state = S_DISCONNECTED;
        return;
    }
    idl_send_schema_request(idl, "_Server");
    idl->state = S_SERVER_SCHEMA_REQUESTED;
    if (idl->db_change_aware) {
        idl_set_db_change_aware(idl, true);
    }
    if (idl->lock_name) {
        idl_send_lock_request(idl);
    }
}

/* Returns our database's row in the _Server replica, or NULL. */
static const struct idl_row *
idl_server_db_row(const struct idl *idl)
{
    const struct idl_table *t = &idl->server.tables[0];
    const struct idl_row *row;

    HMAP_FOR_EACH (row, hmap_node, &t->rows) {
        if (idl_row_exists(row)) {
            const struct ovsdb_datum *name =
                idl_row_read(row, &server_database_columns[SERVER_COL_NAME]);
            if (name->n
                && !strcmp(name->keys[0].string, idl->data.class->database)) {
                return row;
            }
        }
    }
    return NULL;
}

/* Acts on what _Server says about our database: whether it exists, is
 * usable, and its schema. */
static void
idl_check_server_db(struct idl *idl)
{
    const struct idl_row *row = idl_server_db_row(idl);

    if (!row) {
        /* Like OVS's IDL, keep the replica as it is (a switch keeps its
         * configuration) until the database is back; then monitoring
         * starts over from a full copy.  Unlike it, wait for _Server to
         * say so rather than reconnecting over and over, unless there are
         * other servers to try. */
        if (!idl->database_missing) {
            VLOG_INFO("%s: server does not have %s database",
                      jsonrpc_session_get_name(idl->session),
                      idl->data.class->database);
            idl->database_missing = true;
            idl->change_seqno++;
        }
        idl->data.monitoring = false;
        uuid_zero(&idl->data.last_id);
        if (jsonrpc_session_get_n_remotes(idl->session) > 1) {
            jsonrpc_session_force_reconnect(idl->session);
        }
        idl->state = S_WAIT_DATABASE;
        return;
    }
    if (idl->database_missing) {
        idl->database_missing = false;
        idl->change_seqno++;
    }

    const struct ovsdb_datum *model =
        idl_row_read(row, &server_database_columns[SERVER_COL_MODEL]);
    const struct ovsdb_datum *connected =
        idl_row_read(row, &server_database_columns[SERVER_COL_CONNECTED]);
    if (model->n && !strcmp(model->keys[0].string, "clustered") && connected->n
        && !connected->keys[0].boolean) {
        VLOG_INFO("%s: clustered database server is disconnected from "
                  "cluster; trying another server",
                  jsonrpc_session_get_name(idl->session));
        jsonrpc_session_force_reconnect(idl->session);
        return;
    }

    const struct ovsdb_datum *schema_datum =
        idl_row_read(row, &server_database_columns[SERVER_COL_SCHEMA]);
    json_t *schema = NULL;
    if (schema_datum->n) {
        char *error = json_from_string(schema_datum->keys[0].string, &schema);
        if (error) {
            VLOG_WARN_RL(&rl, "bad schema in _Server database: %s", error);
            free(error);
        }
    }

    if (idl->state == S_SERVER_MONITOR_REQUESTED
        || idl->state == S_WAIT_DATABASE) {
        idl_send_data_schema_or_monitor(idl, schema);
    } else if ((idl->state == S_MONITORING
                || idl->state == S_DATA_MONITOR_REQUESTED)
               && schema && idl->server_schema
               && !json_equal(schema, idl->server_schema)) {
        /* The database was converted to a new schema: monitor again with
         * it, starting from a full copy. */
        VLOG_INFO("%s: database %s schema changed",
                  jsonrpc_session_get_name(idl->session),
                  idl->data.class->database);
        idl_send_request(idl, "monitor_cancel",
                         json_pack("[O]", idl->data.monitor_id), NULL);
        uuid_zero(&idl->data.last_id);
        idl_set_server_schema(idl, schema);
        idl_send_data_monitor(idl);
    }
    json_decref(schema);
}

/* Replies to the state machine's requests. */

static bool
is_unknown_method_error(const struct jsonrpc_msg *msg)
{
    const char *s = json_is_string(msg->error)
                        ? json_string_value(msg->error)
                        : json_get_string(msg->error, "error");
    return s && (strstr(s, "unknown method") || strstr(s, "not supported"));
}

/* Returns true if 'msg' says that the database does not exist (it was
 * removed after _Server told us about it). */
static bool
is_unknown_database_error(const struct jsonrpc_msg *msg)
{
    const char *s = json_is_string(msg->error)
                        ? json_string_value(msg->error)
                        : json_get_string(msg->error, "error");
    return s && !strcmp(s, "unknown database");
}

/* Handles an "unknown database" error reply while _Server is monitored:
 * its update about the removal is on the way, and it will say when the
 * database is back.  Returns false if _Server is not monitored. */
static bool
idl_wait_for_database(struct idl *idl, const struct jsonrpc_msg *msg)
{
    if (!is_unknown_database_error(msg) || !idl->server.monitoring) {
        return false;
    }
    VLOG_DBG("%s: database %s is gone; waiting for _Server",
             jsonrpc_session_get_name(idl->session),
             idl->data.class->database);
    idl->state = S_WAIT_DATABASE;
    return true;
}

static void
idl_log_error_reply(struct idl *idl, const char *what,
                    const struct jsonrpc_msg *msg)
{
    char *s = json_to_string_compact(msg->error, true);
    VLOG_WARN("%s: %s failed: %s", jsonrpc_session_get_name(idl->session),
              what, s);
    free(s);
}

static void
idl_handle_monitor_reply(struct idl *idl, const struct jsonrpc_msg *msg)
{
    struct idl_db *db = &idl->data;
    struct ovsdb_error *error = NULL;

    if (msg->type == JSONRPC_ERROR) {
        if (is_unknown_method_error(msg) && idl->method < IDL_MONITOR) {
            idl->method++;
            VLOG_DBG("%s: falling back to %s",
                     jsonrpc_session_get_name(idl->session),
                     monitor_methods[idl->method]);
            idl_send_data_monitor(idl);
        } else if (idl_wait_for_database(idl, msg)) {
            /* Done. */
        } else if (!idl->schema_fetched) {
            /* The schema in _Server may be stale: OVS 3.1's server does
             * not update it when it converts a database online.  Ask for
             * the schema itself and try once more. */
            VLOG_INFO("%s: %s failed with the schema from _Server; "
                      "fetching the schema",
                      jsonrpc_session_get_name(idl->session),
                      monitor_methods[idl->method]);
            idl_send_schema_request(idl, idl->data.class->database);
            idl->state = S_DATA_SCHEMA_REQUESTED;
        } else {
            idl_log_error_reply(idl, monitor_methods[idl->method], msg);
            idl->state = S_ERROR;
        }
        return;
    }

    if (idl->method == IDL_MONITOR_COND_SINCE) {
        json_t *found = json_array_get(msg->result, 0);
        json_t *last = json_array_get(msg->result, 1);
        json_t *updates = json_array_get(msg->result, 2);
        struct uuid last_id;
        if (!json_is_boolean(found) || !json_is_string(last)
            || !uuid_from_string(&last_id, json_string_value(last))
            || !json_is_object(updates)) {
            error = ovsdb_syntax_error(msg->result, NULL,
                                       "bad monitor_cond_since reply");
        } else {
            bool is_found = json_is_true(found);
            VLOG_DBG("%s: monitor_cond_since found=%s, %zu tables",
                     jsonrpc_session_get_name(idl->session),
                     is_found ? "true" : "false", json_object_size(updates));
            error = idl_db_apply_updates(db, updates, 2, !is_found);
            db->last_id = last_id;
        }
    } else {
        error = idl_db_apply_updates(db, msg->result,
                                     idl->method == IDL_MONITOR ? 1 : 2, true);
    }
    if (error) {
        char *s = ovsdb_error_to_string_free(error);
        VLOG_WARN("%s: bad monitor reply: %s",
                  jsonrpc_session_get_name(idl->session), s);
        free(s);
        jsonrpc_session_force_reconnect(idl->session);
        return;
    }

    /* The conditions sent with the request now apply. */
    bool acked = false;
    for (size_t i = 0; i < db->class->n_tables; i++) {
        struct idl_table *t = &db->tables[i];
        if (t->req_cond) {
            json_decref(t->cond);
            t->cond = t->req_cond;
            t->req_cond = NULL;
            acked = true;
        }
    }
    if (acked) {
        idl->cond_seqno++;
    }
    db->monitoring = true;
    idl->state = S_MONITORING;
    idl->has_ever_connected = true;
    idl->change_seqno++;
}

static void
idl_handle_state_reply(struct idl *idl, const struct jsonrpc_msg *msg)
{
    json_decref(idl->request_id);
    idl->request_id = NULL;

    switch ((enum idl_state) idl->state) {
    case S_SERVER_SCHEMA_REQUESTED:
        if (msg->type == JSONRPC_ERROR) {
            /* An old server without _Server. */
            idl_send_data_schema_or_monitor(idl, NULL);
        } else {
            idl_send_server_monitor(idl);
        }
        break;

    case S_SERVER_MONITOR_REQUESTED:
        if (msg->type == JSONRPC_ERROR) {
            idl_send_data_schema_or_monitor(idl, NULL);
        } else {
            struct ovsdb_error *error =
                idl_db_apply_updates(&idl->server, msg->result, 2, true);
            if (error) {
                char *s = ovsdb_error_to_string_free(error);
                VLOG_WARN_RL(&rl, "bad _Server monitor reply: %s", s);
                free(s);
            }
            idl->server.monitoring = true;
            idl_check_server_db(idl);
        }
        break;

    case S_DATA_SCHEMA_REQUESTED:
        if (msg->type == JSONRPC_ERROR && idl_wait_for_database(idl, msg)) {
            /* Done. */
        } else if (msg->type == JSONRPC_ERROR) {
            idl_log_error_reply(idl, "get_schema", msg);
            idl->database_missing = true;
            idl->state = S_ERROR;
        } else {
            idl_set_server_schema(idl, msg->result);
            idl->schema_fetched = true;
            idl_send_data_monitor(idl);
        }
        break;

    case S_DATA_MONITOR_REQUESTED:
        idl_handle_monitor_reply(idl, msg);
        break;

    case S_DISCONNECTED:
    case S_WAIT_DATABASE:
    case S_MONITORING:
    case S_ERROR:
    default:
        break;
    }
}

/* Notifications. */

static void
idl_handle_update(struct idl *idl, const struct jsonrpc_msg *msg)
{
    json_t *params = msg->params;
    json_t *monitor_id = json_array_get(params, 0);
    bool update3 = !strcmp(msg->method, "update3");
    int version = !strcmp(msg->method, "update") ? 1 : 2;
    json_t *updates = json_array_get(params, update3 ? 2 : 1);
    struct idl_db *db;

    if (json_equal(monitor_id, idl->data.monitor_id)) {
        db = &idl->data;
    } else if (json_equal(monitor_id, idl->server.monitor_id)) {
        db = &idl->server;
    } else {
        VLOG_DBG_RL(&rl, "%s for unknown monitor", msg->method);
        return;
    }
    if (!db->monitoring) {
        /* Cannot happen with a correct server: updates follow the monitor
         * reply. */
        return;
    }

    struct ovsdb_error *error = NULL;
    struct uuid last_id;
    if (update3) {
        json_t *last = json_array_get(params, 1);
        if (!json_is_string(last)
            || !uuid_from_string(&last_id, json_string_value(last))) {
            error = ovsdb_syntax_error(params, NULL, "bad update3 txn id");
        }
    }
    if (!error) {
        error = idl_db_apply_updates(db, updates, version, false);
    }
    if (error) {
        char *s = ovsdb_error_to_string_free(error);
        VLOG_WARN_RL(&rl, "%s: bad %s: %s; resynchronizing",
                     jsonrpc_session_get_name(idl->session), msg->method, s);
        free(s);
        uuid_zero(&idl->data.last_id);
        jsonrpc_session_force_reconnect(idl->session);
        return;
    }
    if (update3) {
        db->last_id = last_id;
    }
    if (db == &idl->server) {
        idl_check_server_db(idl);
    }
}

static void
idl_set_lock_state(struct idl *idl, bool has_lock, bool contended)
{
    if (idl->has_lock != has_lock || idl->is_lock_contended != contended) {
        idl->has_lock = has_lock;
        idl->is_lock_contended = contended;
        idl->change_seqno++;
    }
}

static void
idl_process_msg(struct idl *idl, const struct jsonrpc_msg *msg)
{
    bool is_reply = msg->type == JSONRPC_REPLY || msg->type == JSONRPC_ERROR;

    if (is_reply && idl->request_id && json_equal(msg->id, idl->request_id)) {
        idl_handle_state_reply(idl, msg);
    } else if (is_reply && idl->cond_request_id
               && json_equal(msg->id, idl->cond_request_id)) {
        json_decref(idl->cond_request_id);
        idl->cond_request_id = NULL;
        if (msg->type == JSONRPC_ERROR) {
            idl_log_error_reply(idl, "monitor_cond_change", msg);
            jsonrpc_session_force_reconnect(idl->session);
            return;
        }
        for (size_t i = 0; i < idl->data.class->n_tables; i++) {
            struct idl_table *t = &idl->data.tables[i];
            if (t->req_cond) {
                json_decref(t->cond);
                t->cond = t->req_cond;
                t->req_cond = NULL;
            }
        }
        idl->cond_seqno++;
    } else if (is_reply && idl->lock_request_id
               && json_equal(msg->id, idl->lock_request_id)) {
        json_decref(idl->lock_request_id);
        idl->lock_request_id = NULL;
        bool locked = false;
        if (msg->type == JSONRPC_REPLY) {
            json_get_boolean(msg->result, "locked", &locked);
        }
        idl_set_lock_state(idl, locked, !locked);
    } else if (is_reply && idl_txn_process_msg__(idl, msg)) {
        /* Done. */
    } else if (msg->type == JSONRPC_NOTIFY
               && (!strcmp(msg->method, "update")
                   || !strcmp(msg->method, "update2")
                   || !strcmp(msg->method, "update3"))) {
        idl_handle_update(idl, msg);
    } else if (msg->type == JSONRPC_NOTIFY
               && (!strcmp(msg->method, "locked")
                   || !strcmp(msg->method, "stolen"))) {
        json_t *name = json_array_get(msg->params, 0);
        if (idl->lock_name && json_is_string(name)
            && !strcmp(json_string_value(name), idl->lock_name)) {
            bool locked = !strcmp(msg->method, "locked");
            if (!locked) {
                VLOG_INFO("%s: lock %s was stolen",
                          jsonrpc_session_get_name(idl->session),
                          idl->lock_name);
            }
            idl_set_lock_state(idl, locked, !locked);
        }
    } else if (msg->type == JSONRPC_NOTIFY
               && !strcmp(msg->method, "monitor_canceled")) {
        json_t *monitor_id = json_array_get(msg->params, 0);
        if (json_equal(monitor_id, idl->data.monitor_id)) {
            /* The database was removed or converted: start over from what
             * _Server says. */
            idl->data.monitoring = false;
            uuid_zero(&idl->data.last_id);
            if (idl->server.monitoring) {
                idl->state = S_WAIT_DATABASE;
                idl_check_server_db(idl);
            } else {
                jsonrpc_session_force_reconnect(idl->session);
            }
        } else if (json_equal(monitor_id, idl->server.monitor_id)) {
            jsonrpc_session_force_reconnect(idl->session);
        }
    } else {
        struct ds s = DS_EMPTY_INITIALIZER;
        jsonrpc_msg_format(msg, &s);
        VLOG_DBG_RL(&rl, "%s: ignoring %s",
                    jsonrpc_session_get_name(idl->session), ds_cstr(&s));
        ds_destroy(&s);
    }
}

void
idl_run(struct idl *idl)
{
    if (!idl->session) {
        return;
    }
    ovs_assert(!idl->txn);

    jsonrpc_session_run(idl->session);
    for (int i = 0; i < 50; i++) {
        unsigned int seqno = jsonrpc_session_get_seqno(idl->session);
        if (seqno != idl->session_seqno) {
            idl->session_seqno = seqno;
            idl_handle_reconnect(idl);
        }

        struct jsonrpc_msg *msg = jsonrpc_session_recv(idl->session);
        if (!msg) {
            break;
        }
        idl_process_msg(idl, msg);
        jsonrpc_msg_destroy(msg);
    }
    idl_send_cond_change(idl);
}

void
idl_wait(struct idl *idl)
{
    if (!idl->session) {
        return;
    }
    jsonrpc_session_wait(idl->session);
    jsonrpc_session_recv_wait(idl->session);
    if (idl->state == S_MONITORING && !idl->cond_request_id
        && idl->method != IDL_MONITOR) {
        for (size_t i = 0; i < idl->data.class->n_tables; i++) {
            if (idl->data.tables[i].new_cond) {
                poll_immediate_wake();
                break;
            }
        }
    }
}

/* Applying updates. */

/* The changes applied by one call of idl_db_apply_updates(). */
struct idl_apply {
    struct idl_db *db;
    unsigned int seqno; /* Seqno that the changes get. */
    bool alert;         /* Some change makes the seqno change. */
    bool snapshot;
};

static void
idl_queue_reparse(struct idl_db *db, struct idl_row *row)
{
    if (!row->reparse) {
        row->reparse = true;
        list_push_back(&db->reparse_list, &row->reparse_node);
    }
}

/* Queues the rows that refer to 'row' for reparsing. */
static void
idl_queue_referrers(struct idl_db *db, struct idl_row *row)
{
    struct idl_arc *arc;
    LIST_FOR_EACH (arc, dst_node, &row->dst_arcs) {
        idl_queue_reparse(db, arc->src);
    }
}

static void
idl_track(struct idl_apply *a, struct idl_row *row, enum idl_change kind,
          const struct idl_column *column)
{
    struct idl_table *t = row->table;

    if (!t->track) {
        return;
    }
    if (column && !(t->modes[column->index] & IDL_MODE_TRACK)) {
        return;
    }
    row->change_seqno[kind] = a->seqno;
    t->change_seqno[kind] = a->seqno;
    if (column) {
        if (!row->updated) {
            row->updated = bitmap_allocate(t->class->n_columns);
        }
        bitmap_set1(row->updated, column->index);
    }
    if (!row->tracked) {
        row->tracked = true;
        list_push_back(&t->track_list, &row->track_node);
    }
}

/* Parses the value of 'column' from 'json' into 'datum'; a 'diff' is an
 * update2 difference, which for sets and maps may have more elements than
 * the column allows. */
static struct ovsdb_error *
idl_parse_value(struct ovsdb_datum *datum, const struct idl_column *column,
                const json_t *json, bool diff)
{
    if (diff && !ovsdb_type_is_scalar(&column->type)) {
        struct ovsdb_type relaxed = column->type;
        relaxed.n_min = 0;
        relaxed.n_max = OVSDB_TYPE_UNLIMITED;
        return ovsdb_datum_from_json(datum, &relaxed, json, NULL);
    }
    return ovsdb_datum_from_json(datum, &column->type, json, NULL);
}

/* Sets 'column' of 'row' to 'datum' (taken), recording the change if the
 * value differs. */
static void
idl_set_column(struct idl_apply *a, struct idl_row *row,
               const struct idl_column *column, struct ovsdb_datum *datum)
{
    struct ovsdb_datum *old = &row->old_datum[column->index];

    if (ovsdb_datum_equals(old, datum, &column->type)) {
        ovsdb_datum_destroy(datum, &column->type);
        return;
    }
    ovsdb_datum_swap(old, datum);
    ovsdb_datum_destroy(datum, &column->type);
    if (row->table->modes[column->index] & IDL_MODE_ALERT) {
        a->alert = true;
    }
    idl_track(a, row, IDL_CHANGE_MODIFY, column);
    idl_queue_reparse(a->db, row);
}

/* Applies the <row> 'json' to 'row': the columns it has, and with
 * 'missing_is_default' the defaults for monitored columns it omits. */
static struct ovsdb_error *
idl_apply_row(struct idl_apply *a, struct idl_row *row, const json_t *json,
              bool missing_is_default, bool diff)
{
    const struct idl_table_class *tc = row->table_class;
    unsigned long *seen = bitmap_allocate(tc->n_columns ? tc->n_columns : 1);
    const char *name;
    json_t *value;

    if (!json_is_object(json)) {
        bitmap_free(seen);
        return json_is_null(json) && !diff
                   ? NULL
                   : ovsdb_syntax_error(json, NULL, "<row> is not an object");
    }
    json_object_foreach ((json_t *) json, name, value) {
        const struct idl_column *column =
            idl_table_class_find_column(tc, name);
        if (!column) {
            continue;
        }
        struct ovsdb_datum datum;
        struct ovsdb_error *error =
            idl_parse_value(&datum, column, value, diff);
        if (error) {
            bitmap_free(seen);
            return ovsdb_wrap_error(error, "column %s of table %s", name,
                                    tc->name);
        }
        bitmap_set1(seen, column->index);
        if (diff && column->type.n_max == 1
            && !ovsdb_type_is_scalar(&column->type)) {
            /* An optional value: OVS's servers send the new value (an
             * empty set to clear it); a symmetric difference (the old
             * value to clear it, or both values) means the same. */
            const struct ovsdb_datum *old = &row->old_datum[column->index];
            struct ovsdb_datum new;
            ovsdb_datum_init_empty(&new);
            for (size_t i = 0; i < datum.n; i++) {
                if (!old->n
                    || !ovsdb_atom_equals(&old->keys[0], &datum.keys[i],
                                          column->type.key.type)) {
                    ovsdb_datum_add_unsorted(
                        &new, &datum.keys[i],
                        datum.values ? &datum.values[i] : NULL, &column->type);
                    break;
                }
            }
            ovsdb_datum_destroy(&datum, &column->type);
            idl_set_column(a, row, column, &new);
        } else if (diff && !ovsdb_type_is_scalar(&column->type)) {
            struct ovsdb_datum new;
            error = ovsdb_datum_apply_diff(
                &new, &row->old_datum[column->index], &datum, &column->type);
            ovsdb_datum_destroy(&datum, &column->type);
            if (error) {
                bitmap_free(seen);
                return ovsdb_wrap_error(error, "column %s of table %s", name,
                                        tc->name);
            }
            idl_set_column(a, row, column, &new);
        } else {
            idl_set_column(a, row, column, &datum);
        }
    }
    if (missing_is_default) {
        for (size_t i = 0; i < tc->n_columns; i++) {
            if (!bitmap_is_set(seen, i)) {
                struct ovsdb_datum datum;
                ovsdb_datum_init_default(&datum, &tc->columns[i].type);
                idl_set_column(a, row, &tc->columns[i], &datum);
            }
        }
    }
    bitmap_free(seen);
    return NULL;
}

static struct ovsdb_error *
idl_insert_row(struct idl_apply *a, struct idl_table *t,
               const struct uuid *uuid, const json_t *json)
{
    const struct idl_table_class *tc = t->class;
    struct idl_row *row = idl_table_find_row(t, uuid);

    if (row && row->old_datum) {
        /* A snapshot's copy of a row we have: compare, column by column. */
        if (!a->snapshot) {
            VLOG_WARN_RL(&rl,
                         "cannot add existing row " UUID_FMT " to table %s",
                         UUID_ARGS(uuid), tc->name);
        }
        row->resync_gen = a->db->resync_gen;
        return idl_apply_row(a, row, json, true, false);
    }
    if (!row) {
        row = idl_row_create(t, uuid);
        hmap_insert(&t->rows, &row->hmap_node, uuid_hash(uuid));
    }
    row->old_datum =
        xmalloc((tc->n_columns ? tc->n_columns : 1) * sizeof *row->old_datum);
    for (size_t i = 0; i < tc->n_columns; i++) {
        ovsdb_datum_init_default(&row->old_datum[i], &tc->columns[i].type);
    }
    row->resync_gen = a->db->resync_gen;

    /* Track the insertion only, not the columns it sets. */
    struct idl_apply quiet = *a;
    bool track = t->track;
    t->track = false;
    struct ovsdb_error *error = idl_apply_row(&quiet, row, json, false, false);
    t->track = track;

    a->alert = true;
    idl_track(a, row, IDL_CHANGE_INSERT, NULL);
    idl_queue_reparse(a->db, row);
    idl_queue_referrers(a->db, row);
    return error;
}

static void
idl_delete_row(struct idl_apply *a, struct idl_row *row)
{
    struct idl_table *t = row->table;
    struct idl_db *db = a->db;

    if (!row->old_datum || row->deleted) {
        return;
    }
    a->alert = true;
    idl_track(a, row, IDL_CHANGE_DELETE, NULL);
    idl_queue_referrers(db, row);
    if (row->reparse) {
        row->reparse = false;
        list_remove(&row->reparse_node);
    }

    if (db->idl->tracking) {
        /* Keep the row readable until idl_track_clear(); a placeholder
         * takes its place as the target of references. */
        hmap_remove(&t->rows, &row->hmap_node);
        row->deleted = true;
        idl_row_clear_arcs(row);
        if (!list_is_empty(&row->dst_arcs)) {
            struct idl_row *placeholder = idl_row_create(t, &row->uuid);
            hmap_insert(&t->rows, &placeholder->hmap_node,
                        uuid_hash(&row->uuid));
            struct idl_arc *arc;
            LIST_FOR_EACH_POP (arc, dst_node, &row->dst_arcs) {
                arc->dst = placeholder;
                list_push_back(&placeholder->dst_arcs, &arc->dst_node);
            }
        }
        if (!row->tracked) {
            row->tracked = true;
            list_push_back(&t->track_list, &row->track_node);
        }
    } else {
        const struct idl_table_class *tc = t->class;
        idl_row_unparse(row);
        for (size_t i = 0; i < tc->n_columns; i++) {
            ovsdb_datum_destroy(&row->old_datum[i], &tc->columns[i].type);
        }
        free(row->old_datum);
        row->old_datum = NULL;
        idl_row_gc_orphan(row);
    }
}

static struct ovsdb_error *
idl_apply_row_update(struct idl_apply *a, struct idl_table *t,
                     const struct uuid *uuid, const json_t *ru, int version)
{
    struct idl_row *row = idl_table_find_row(t, uuid);
    const json_t *j;

    if (!json_is_object(ru)) {
        return ovsdb_syntax_error(ru, NULL, "<row-update> is not an object");
    }
    if (version == 1) {
        const json_t *old = json_object_get(ru, "old");
        const json_t *new = json_object_get(ru, "new");
        if (!new) {
            if (row) {
                idl_delete_row(a, row);
            }
            return NULL;
        } else if (!old || !row || !row->old_datum) {
            return idl_insert_row(a, t, uuid, new);
        } else {
            row->resync_gen = a->db->resync_gen;
            return idl_apply_row(a, row, new, false, false);
        }
    }

    if ((j = json_object_get(ru, "initial"))
        || (j = json_object_get(ru, "insert"))) {
        return idl_insert_row(a, t, uuid, j);
    } else if ((j = json_object_get(ru, "modify"))) {
        if (!row || !row->old_datum || row->deleted) {
            return ovsdb_syntax_error(
                ru, NULL, "modify of missing row " UUID_FMT " in table %s",
                UUID_ARGS(uuid), t->class->name);
        }
        row->resync_gen = a->db->resync_gen;
        return idl_apply_row(a, row, j, false, true);
    } else if (json_object_get(ru, "delete")) {
        if (row) {
            idl_delete_row(a, row);
        }
        return NULL;
    }
    return ovsdb_syntax_error(ru, NULL, "unknown <row-update2>");
}

static struct ovsdb_error *
idl_db_apply_updates(struct idl_db *db, const json_t *updates, int version,
                     bool snapshot)
{
    struct idl *idl = db->idl;
    struct idl_apply a = {
        .db = db,
        .seqno = idl->change_seqno + 1,
        .alert = false,
        .snapshot = snapshot,
    };
    struct ovsdb_error *error = NULL;
    const char *table_name;
    json_t *table_update;

    if (updates && !json_is_object(updates)) {
        return ovsdb_syntax_error(updates, NULL,
                                  "<table-updates> is not an object");
    }
    if (snapshot) {
        db->resync_gen++;
    }
    if (updates) {
        json_object_foreach ((json_t *) updates, table_name, table_update) {
            const struct idl_table_class *tc =
                idl_class_find_table(db->class, table_name);
            if (!tc) {
                continue;
            }
            if (!json_is_object(table_update)) {
                error = ovsdb_syntax_error(table_update, NULL,
                                           "<table-update> for table %s is "
                                           "not an object",
                                           table_name);
                break;
            }
            struct idl_table *t = &db->tables[tc->index];
            const char *uuid_string;
            json_t *ru;
            json_object_foreach (table_update, uuid_string, ru) {
                struct uuid uuid;
                if (!uuid_from_string(&uuid, uuid_string)) {
                    error = ovsdb_syntax_error(table_update, NULL,
                                               "\"%s\" is not a valid UUID",
                                               uuid_string);
                    break;
                }
                error = idl_apply_row_update(&a, t, &uuid, ru, version);
                if (error) {
                    break;
                }
            }
            if (error) {
                break;
            }
        }
    }

    if (snapshot && !error) {
        /* Rows the snapshot did not carry are gone. */
        for (size_t i = 0; i < db->class->n_tables; i++) {
            struct idl_table *t = &db->tables[i];
            struct idl_row **gone = NULL;
            size_t n_gone = 0, allocated = 0;
            struct idl_row *row;
            HMAP_FOR_EACH (row, hmap_node, &t->rows) {
                if (row->old_datum && row->resync_gen != db->resync_gen) {
                    if (n_gone >= allocated) {
                        gone = x2nrealloc(gone, &allocated, sizeof *gone);
                    }
                    gone[n_gone++] = row;
                }
            }
            for (size_t j = 0; j < n_gone; j++) {
                idl_delete_row(&a, gone[j]);
            }
            free(gone);
        }
    }

    struct idl_row *row;
    LIST_FOR_EACH_POP (row, reparse_node, &db->reparse_list) {
        row->reparse = false;
        if (idl_row_exists(row)) {
            idl_row_reparse(row);
        }
    }
    if (a.alert) {
        idl->change_seqno = a.seqno;
    }
    return error;
}

struct ovsdb_error *
idl_apply_updates(struct idl *idl, const json_t *updates, int version,
                  bool snapshot)
{
    struct ovsdb_error *error =
        idl_db_apply_updates(&idl->data, updates, version, snapshot);
    if (!error && snapshot) {
        idl->data.monitoring = true;
        idl->has_ever_connected = true;
    }
    return error;
}

/* Change tracking. */

void
idl_track_clear(struct idl *idl)
{
    struct idl_db *db = &idl->data;

    /* Unparse every deleted row first: their members may point to one
     * another. */
    for (size_t i = 0; i < db->class->n_tables; i++) {
        struct idl_row *row;
        LIST_FOR_EACH (row, track_node, &db->tables[i].track_list) {
            if (row->deleted) {
                idl_row_unparse(row);
            }
        }
    }
    for (size_t i = 0; i < db->class->n_tables; i++) {
        struct idl_table *t = &db->tables[i];
        struct idl_row *row;
        LIST_FOR_EACH_POP (row, track_node, &t->track_list) {
            list_init(&row->track_node);
            row->tracked = false;
            memset(row->change_seqno, 0, sizeof row->change_seqno);
            bitmap_free(row->updated);
            row->updated = NULL;
            if (row->deleted) {
                idl_row_free(row);
            }
        }
    }
}

const struct idl_row *
idl_track_get_first(const struct idl *idl, const struct idl_table_class *tc)
{
    const struct idl_table *t = idl_get_table(idl, tc);
    if (list_is_empty(&t->track_list)) {
        return NULL;
    }
    return CONTAINER_OF(list_front(&t->track_list), struct idl_row,
                        track_node);
}

const struct idl_row *
idl_track_get_next(const struct idl_row *row)
{
    if (row->track_node.next == &row->table->track_list) {
        return NULL;
    }
    return CONTAINER_OF(row->track_node.next, struct idl_row, track_node);
}

unsigned int
idl_row_get_seqno(const struct idl_row *row, enum idl_change kind)
{
    return row->change_seqno[kind];
}

unsigned int
idl_table_get_seqno(const struct idl *idl, const struct idl_table_class *tc,
                    enum idl_change kind)
{
    return idl_get_table(idl, tc)->change_seqno[kind];
}

bool
idl_row_is_new(const struct idl_row *row)
{
    return row->change_seqno[IDL_CHANGE_INSERT] != 0;
}

bool
idl_row_is_deleted(const struct idl_row *row)
{
    return row->deleted;
}

bool
idl_track_is_updated(const struct idl_row *row,
                     const struct idl_column *column)
{
    return row->updated && bitmap_is_set(row->updated, column->index);
}

/* Reading. */

static const struct idl_row *
next_existing(const struct idl_table *t, const struct hmap_node *node)
{
    for (; node; node = hmap_next(&t->rows, node)) {
        const struct idl_row *row =
            CONTAINER_OF(node, struct idl_row, hmap_node);
        if (idl_row_exists(row)) {
            return row;
        }
    }
    return NULL;
}

const struct idl_row *
idl_first_row(const struct idl *idl, const struct idl_table_class *tc)
{
    const struct idl_table *t = idl_get_table(idl, tc);
    return next_existing(t, hmap_first(&t->rows));
}

const struct idl_row *
idl_next_row(const struct idl_row *row)
{
    const struct idl_table *t = row->table;
    return next_existing(t, hmap_next(&t->rows, &row->hmap_node));
}

const struct idl_row *
idl_get_row_for_uuid(const struct idl *idl, const struct idl_table_class *tc,
                     const struct uuid *uuid)
{
    const struct idl_row *row =
        idl_table_find_row(idl_get_table(idl, tc), uuid);
    return row && idl_row_exists(row) ? row : NULL;
}

const struct ovsdb_datum *
idl_read(const struct idl_row *row, const struct idl_column *column)
{
    return idl_row_read(row, column);
}

struct idl *
idl_row_get_idl(const struct idl_row *row)
{
    return row->table->db->idl;
}

/* Conditions. */

static const char *const function_names[] = {
    [IDL_F_EQ] = "==",
    [IDL_F_NE] = "!=",
    [IDL_F_LT] = "<",
    [IDL_F_LE] = "<=",
    [IDL_F_GT] = ">",
    [IDL_F_GE] = ">=",
    [IDL_F_INCLUDES] = "includes",
    [IDL_F_EXCLUDES] = "excludes",
};

void
idl_condition_init(struct idl_condition *cond)
{
    cond->clauses = json_array();
}

void
idl_condition_destroy(struct idl_condition *cond)
{
    json_decref(cond->clauses);
    cond->clauses = NULL;
}

void
idl_condition_clear(struct idl_condition *cond)
{
    json_array_clear(cond->clauses);
}

void
idl_condition_add_clause(struct idl_condition *cond,
                         enum idl_function function,
                         const struct idl_column *column,
                         const struct ovsdb_datum *value)
{
    struct ovsdb_type type = column->type;
    if (value->n != 1 && ovsdb_type_is_scalar(&type)) {
        type.n_min = 0;
        type.n_max = OVSDB_TYPE_UNLIMITED;
    }
    json_array_append_new(cond->clauses,
                          json_pack("[s,s,o]", column->name,
                                    function_names[function],
                                    ovsdb_datum_to_json(value, &type)));
}

void
idl_condition_add_clause_true(struct idl_condition *cond)
{
    json_array_append_new(cond->clauses, json_true());
}

bool
idl_condition_is_true(const struct idl_condition *cond)
{
    size_t i;
    json_t *clause;
    json_array_foreach (cond->clauses, i, clause) {
        if (json_is_true(clause)) {
            return true;
        }
    }
    return false;
}

unsigned int
idl_set_condition(struct idl *idl, const struct idl_table_class *tc,
                  const struct idl_condition *cond)
{
    struct idl_table *t = idl_get_table(idl, tc);
    json_t *clauses = json_array_size(cond->clauses)
                          ? json_deep_copy(cond->clauses)
                          : json_pack("[b]", false);
    const json_t *latest = t->new_cond   ? t->new_cond
                           : t->req_cond ? t->req_cond
                                         : t->cond;

    t->cond_set = true;
    if (latest && json_equal(latest, clauses)) {
        json_decref(clauses);
    } else if (!latest && idl_condition_is_true(cond)) {
        json_decref(clauses);
    } else {
        json_decref(t->new_cond);
        t->new_cond = clauses;
    }
    return idl->cond_seqno + (idl->cond_request_id ? 1 : 0)
           + (idl_conditions_pending(idl) ? 1 : 0);
}

unsigned int
idl_get_condition_seqno(const struct idl *idl)
{
    return idl->cond_seqno;
}

static void
idl_send_cond_change(struct idl *idl)
{
    struct idl_db *db = &idl->data;

    if (idl->state != S_MONITORING || idl->cond_request_id
        || idl->method == IDL_MONITOR) {
        return;
    }
    json_t *changes = NULL;
    for (size_t i = 0; i < db->class->n_tables; i++) {
        struct idl_table *t = &db->tables[i];
        if (!t->new_cond) {
            continue;
        }
        if (!changes) {
            changes = json_object();
        }
        json_object_set_new(changes, t->class->name,
                            json_pack("[{s:O}]", "where", t->new_cond));
        json_decref(t->req_cond);
        t->req_cond = t->new_cond;
        t->new_cond = NULL;
    }
    if (changes) {
        /* The server's history belongs to the old conditions. */
        uuid_zero(&db->last_id);
        idl_send_request(
            idl, "monitor_cond_change",
            json_pack("[O,O,o]", db->monitor_id, db->monitor_id, changes),
            &idl->cond_request_id);
    }
}

/* Locks. */

static void
idl_send_lock_request(struct idl *idl)
{
    idl_send_request(idl, idl->lock_steal ? "steal" : "lock",
                     json_pack("[s]", idl->lock_name), &idl->lock_request_id);
}

static void
idl_set_lock__(struct idl *idl, const char *lock_name, bool steal)
{
    bool connected =
        idl->session && jsonrpc_session_is_connected(idl->session);

    if (idl->lock_name && (!lock_name || strcmp(lock_name, idl->lock_name))) {
        if (connected) {
            idl_send_request(idl, "unlock", json_pack("[s]", idl->lock_name),
                             NULL);
        }
        free(idl->lock_name);
        idl->lock_name = NULL;
        json_decref(idl->lock_request_id);
        idl->lock_request_id = NULL;
        idl_set_lock_state(idl, false, false);
    }
    if (lock_name && (!idl->lock_name || steal)) {
        if (!idl->lock_name) {
            idl->lock_name = xstrdup(lock_name);
        }
        idl->lock_steal = steal;
        if (connected) {
            idl_send_lock_request(idl);
        }
    }
}

void
idl_set_lock(struct idl *idl, const char *lock_name)
{
    idl_set_lock__(idl, lock_name, false);
}

void
idl_steal_lock(struct idl *idl, const char *lock_name)
{
    idl_set_lock__(idl, lock_name, true);
}

bool
idl_has_lock(const struct idl *idl)
{
    return idl->has_lock;
}

bool
idl_is_lock_contended(const struct idl *idl)
{
    return idl->is_lock_contended;
}

const char *
idl_get_lock_name(const struct idl *idl)
{
    return idl->lock_name;
}

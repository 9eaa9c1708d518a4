/* ovsdb-server's JSON-RPC server: remotes, sessions, method dispatch. */
#include "ovsdb/jsonrpc-server.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/coverage.h"
#include "lib/hash.h"
#include "lib/hmap.h"
#include "lib/json.h"
#include "lib/jsonrpc-session.h"
#include "lib/jsonrpc.h"
#include "lib/list.h"
#include "lib/memory.h"
#include "lib/poll-loop.h"
#include "lib/reconnect.h"
#include "lib/stream.h"
#include "lib/timeval.h"
#include "lib/uuid.h"
#include "lib/vlog.h"
#include "ovsdb/lock.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-parser.h"
#include "ovsdb/ovsdb-schema.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_jsonrpc_server);

COVERAGE_DEFINE(jsonrpc_server_accept);
COVERAGE_DEFINE(jsonrpc_server_request);

/* How much one session or listener may do in one main-loop iteration, so
 * that a busy or hostile client cannot starve the others: the rest waits
 * for the next iteration. */
#define MAX_MSGS_PER_RUN 50
#define MAX_ACCEPTS_PER_RUN 20

/* A served database. */
struct jsonrpc_db {
    struct hmap_node node;      /* In the server's 'dbs', by name. */
    char *name;
    const struct ovsdb_schema *schema;
    struct ovsdb *db;
    bool read_only;
};

struct ovsdb_jsonrpc_server {
    struct hmap dbs;            /* "struct jsonrpc_db"s. */
    struct hmap remotes;        /* "struct jsonrpc_remote"s by name. */
    struct ovsdb_lock_server *locks;
    struct uuid server_id;
    size_t n_sessions;
};

/* A configured remote: a listener with the sessions it accepted, or one
 * outgoing session that reconnects forever. */
struct jsonrpc_remote {
    struct hmap_node node;      /* In the server's 'remotes'. */
    struct ovsdb_jsonrpc_server *server;
    char *name;
    struct ovsdb_jsonrpc_options options;
    struct pstream *listener;   /* Passive remotes only. */
    struct list sessions;       /* "struct jsonrpc_conn"s. */
    int listen_error;           /* Last error opening 'listener', or 0. */
};

/* A lock that a session asked for. */
struct conn_lock {
    struct hmap_node node;      /* In the session's 'locks', by name. */
    struct ovsdb_lock_waiter *waiter;
    enum ovsdb_lock_mode mode;
};

/* One client connection ("session" in OVS's terms). */
struct jsonrpc_conn {
    struct list node;           /* In the remote's 'sessions'. */
    struct jsonrpc_remote *remote;
    struct jsonrpc_session *js;
    unsigned int seqno;         /* Of 'js' when last seen. */
    struct hmap locks;          /* "struct conn_lock"s. */
    bool db_change_aware;
};

static void remote_destroy(struct jsonrpc_remote *);
static void conn_destroy(struct jsonrpc_conn *);
static struct jsonrpc_conn *conn_create(struct jsonrpc_remote *,
                                        struct jsonrpc_session *);
static void conn_run(struct jsonrpc_conn *);
static void conn_wait(struct jsonrpc_conn *);
static bool conn_is_alive(const struct jsonrpc_conn *);
static void conn_send(struct jsonrpc_conn *, struct jsonrpc_msg *);
static void conn_unlock_all(struct jsonrpc_conn *);

/* Options. */

void
ovsdb_jsonrpc_default_options(const char *target,
                              struct ovsdb_jsonrpc_options *options)
{
    options->max_backoff = 8000;
    options->probe_interval =
        stream_or_pstream_needs_probes(target) > 0 ? 5000 : 0;
    options->read_only = false;
    options->dscp = DSCP_DEFAULT;
}

/* Server. */

struct ovsdb_jsonrpc_server *
ovsdb_jsonrpc_server_create(const struct uuid *server_id)
{
    struct ovsdb_jsonrpc_server *server = xzalloc(sizeof *server);
    hmap_init(&server->dbs);
    hmap_init(&server->remotes);
    server->locks = ovsdb_lock_server_create();
    server->server_id = *server_id;
    return server;
}

void
ovsdb_jsonrpc_server_destroy(struct ovsdb_jsonrpc_server *server)
{
    if (!server) {
        return;
    }
    struct jsonrpc_remote *remote;
    HMAP_FOR_EACH_POP (remote, node, &server->remotes) {
        remote_destroy(remote);
    }
    hmap_destroy(&server->remotes);

    struct jsonrpc_db *db;
    HMAP_FOR_EACH_POP (db, node, &server->dbs) {
        free(db->name);
        free(db);
    }
    hmap_destroy(&server->dbs);
    ovsdb_lock_server_destroy(server->locks);
    free(server);
}

static struct jsonrpc_db *
server_find_db(const struct ovsdb_jsonrpc_server *server, const char *name)
{
    struct jsonrpc_db *db;
    HMAP_FOR_EACH_WITH_HASH (db, node, hash_string(name, 0), &server->dbs) {
        if (!strcmp(db->name, name)) {
            return db;
        }
    }
    return NULL;
}

bool
ovsdb_jsonrpc_server_add_db(struct ovsdb_jsonrpc_server *server,
                            const char *name,
                            const struct ovsdb_schema *schema,
                            struct ovsdb *ovsdb, bool read_only)
{
    if (server_find_db(server, name)) {
        return false;
    }
    struct jsonrpc_db *db = xzalloc(sizeof *db);
    db->name = xstrdup(name);
    db->schema = schema;
    db->db = ovsdb;
    db->read_only = read_only;
    hmap_insert(&server->dbs, &db->node, hash_string(name, 0));
    return true;
}

bool
ovsdb_jsonrpc_server_remove_db(struct ovsdb_jsonrpc_server *server,
                               const char *name)
{
    struct jsonrpc_db *db = server_find_db(server, name);
    if (!db) {
        return false;
    }

    /* Clients that do not follow the _Server database learn about the
     * change only by reconnecting, so they are disconnected. */
    struct jsonrpc_remote *remote;
    HMAP_FOR_EACH (remote, node, &server->remotes) {
        struct jsonrpc_conn *conn;
        LIST_FOR_EACH (conn, node, &remote->sessions) {
            if (!conn->db_change_aware) {
                jsonrpc_session_force_reconnect(conn->js);
            }
        }
    }

    hmap_remove(&server->dbs, &db->node);
    free(db->name);
    free(db);
    return true;
}

bool
ovsdb_jsonrpc_server_has_db(const struct ovsdb_jsonrpc_server *server,
                            const char *name)
{
    return server_find_db(server, name) != NULL;
}

void
ovsdb_jsonrpc_server_db_changed(struct ovsdb_jsonrpc_server *server,
                                struct ovsdb *db)
{
    /* Monitors and waiting transactions come with the engine. */
}

/* Remotes. */

static struct jsonrpc_remote *
server_find_remote(const struct ovsdb_jsonrpc_server *server,
                   const char *name)
{
    struct jsonrpc_remote *remote;
    HMAP_FOR_EACH_WITH_HASH (remote, node, hash_string(name, 0),
                             &server->remotes) {
        if (!strcmp(remote->name, name)) {
            return remote;
        }
    }
    return NULL;
}

static void
remote_apply_options(struct jsonrpc_remote *remote)
{
    struct jsonrpc_conn *conn;
    LIST_FOR_EACH (conn, node, &remote->sessions) {
        jsonrpc_session_set_max_backoff(conn->js,
                                        remote->options.max_backoff);
        jsonrpc_session_set_probe_interval(conn->js,
                                           remote->options.probe_interval);
        jsonrpc_session_set_dscp(conn->js, remote->options.dscp);
    }
}

static void
remote_open_listener(struct jsonrpc_remote *remote)
{
    int error = pstream_open_with_default_port(remote->name, OVSDB_PORT,
                                               &remote->listener,
                                               remote->options.dscp);
    if (error && error != remote->listen_error) {
        VLOG_ERR("%s: listen failed: %s", remote->name,
                 ovs_strerror(error));
    }
    remote->listen_error = error;
}

static struct jsonrpc_remote *
remote_create(struct ovsdb_jsonrpc_server *server, const char *name,
              const struct ovsdb_jsonrpc_options *options)
{
    struct jsonrpc_remote *remote = xzalloc(sizeof *remote);
    remote->server = server;
    remote->name = xstrdup(name);
    remote->options = *options;
    list_init(&remote->sessions);
    hmap_insert(&server->remotes, &remote->node, hash_string(name, 0));

    if (!pstream_verify_name(name)) {
        remote_open_listener(remote);
    } else {
        struct jsonrpc_session *js = jsonrpc_session_open(name, true);
        conn_create(remote, js);
        remote_apply_options(remote);
    }
    return remote;
}

static void
remote_destroy(struct jsonrpc_remote *remote)
{
    struct jsonrpc_conn *conn, *next;
    LIST_FOR_EACH_SAFE (conn, next, node, &remote->sessions) {
        conn_destroy(conn);
    }
    pstream_close(remote->listener);
    free(remote->name);
    free(remote);
}

void
ovsdb_jsonrpc_server_set_remotes(
    struct ovsdb_jsonrpc_server *server,
    const struct ovsdb_jsonrpc_remote_config *configs, size_t n)
{
    struct jsonrpc_remote *remote, *next;
    HMAP_FOR_EACH_SAFE (remote, next, node, &server->remotes) {
        bool wanted = false;
        for (size_t i = 0; i < n; i++) {
            if (!strcmp(configs[i].name, remote->name)) {
                wanted = true;
                break;
            }
        }
        if (!wanted) {
            VLOG_INFO("%s: remote deconfigured", remote->name);
            hmap_remove(&server->remotes, &remote->node);
            remote_destroy(remote);
        }
    }

    for (size_t i = 0; i < n; i++) {
        const struct ovsdb_jsonrpc_remote_config *c = &configs[i];
        remote = server_find_remote(server, c->name);
        if (!remote) {
            remote_create(server, c->name, &c->options);
        } else if (memcmp(&remote->options, &c->options,
                          sizeof c->options)) {
            bool dscp_changed = remote->options.dscp != c->options.dscp;
            remote->options = c->options;
            remote_apply_options(remote);
            if (dscp_changed && remote->listener) {
                pstream_close(remote->listener);
                remote->listener = NULL;
                remote_open_listener(remote);
            }
        }
    }
}

void
ovsdb_jsonrpc_server_reconnect(struct ovsdb_jsonrpc_server *server)
{
    struct jsonrpc_remote *remote;
    HMAP_FOR_EACH (remote, node, &server->remotes) {
        struct jsonrpc_conn *conn;
        LIST_FOR_EACH (conn, node, &remote->sessions) {
            jsonrpc_session_force_reconnect(conn->js);
        }
    }
}

static void
remote_run(struct jsonrpc_remote *remote)
{
    if (remote->listener) {
        for (int i = 0; i < MAX_ACCEPTS_PER_RUN; i++) {
            struct stream *stream;
            int error = pstream_accept(remote->listener, &stream);
            if (error == EAGAIN) {
                break;
            } else if (error) {
                static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
                VLOG_WARN_RL(&rl, "%s: accept failed: %s", remote->name,
                             ovs_strerror(error));
                break;
            }
            COVERAGE_INC(jsonrpc_server_accept);
            struct jsonrpc_session *js = jsonrpc_session_open_unreliably(
                jsonrpc_open(stream), remote->options.dscp);
            struct jsonrpc_conn *conn = conn_create(remote, js);
            jsonrpc_session_set_max_backoff(js, remote->options.max_backoff);
            jsonrpc_session_set_probe_interval(
                js, remote->options.probe_interval);
            (void) conn;
            if (i == MAX_ACCEPTS_PER_RUN - 1) {
                poll_immediate_wake();
            }
        }
    }

    struct jsonrpc_conn *conn, *next;
    LIST_FOR_EACH_SAFE (conn, next, node, &remote->sessions) {
        conn_run(conn);
        if (!conn_is_alive(conn)) {
            conn_destroy(conn);
        }
    }
}

void
ovsdb_jsonrpc_server_run(struct ovsdb_jsonrpc_server *server)
{
    struct jsonrpc_remote *remote;
    HMAP_FOR_EACH (remote, node, &server->remotes) {
        remote_run(remote);
    }
}

void
ovsdb_jsonrpc_server_wait(struct ovsdb_jsonrpc_server *server)
{
    struct jsonrpc_remote *remote;
    HMAP_FOR_EACH (remote, node, &server->remotes) {
        if (remote->listener) {
            pstream_wait(remote->listener);
        }
        struct jsonrpc_conn *conn;
        LIST_FOR_EACH (conn, node, &remote->sessions) {
            conn_wait(conn);
        }
    }
}

void
ovsdb_jsonrpc_server_get_memory_usage(
    const struct ovsdb_jsonrpc_server *server, struct memory_usage *usage)
{
    memory_usage_add(usage, "sessions", server->n_sessions);
}

static void
format_conn_locks(const struct jsonrpc_conn *conn, struct ds *held,
                  struct ds *waiting)
{
    const struct conn_lock *cl;
    HMAP_FOR_EACH (cl, node, &conn->locks) {
        struct ds *out =
            ovsdb_lock_waiter_is_owner(cl->waiter) ? held : waiting;
        if (out->length) {
            ds_put_char(out, ' ');
        }
        ds_put_cstr(out, ovsdb_lock_waiter_get_name(cl->waiter));
    }
}

bool
ovsdb_jsonrpc_server_get_remote_status(
    const struct ovsdb_jsonrpc_server *server, const char *name,
    struct ovsdb_jsonrpc_remote_status *status)
{
    const struct jsonrpc_remote *remote = server_find_remote(server, name);
    memset(status, 0, sizeof *status);
    if (!remote) {
        return false;
    }

    status->bound_port =
        remote->listener ? pstream_get_bound_port(remote->listener) : 0;
    if (list_is_empty(&remote->sessions)) {
        if (!remote->listener) {
            return false;
        }
        status->state = "LISTENING";
        status->is_connected = false;
        status->sec_since_connect = UINT_MAX;
        status->sec_since_disconnect = UINT_MAX;
        status->locks_held = xstrdup("");
        status->locks_waiting = xstrdup("");
        status->locks_lost = xstrdup("");
        return true;
    }

    /* Report on the first session, as OVS does; count them all. */
    const struct jsonrpc_conn *conn =
        CONTAINER_OF(list_front(&remote->sessions), struct jsonrpc_conn,
                     node);
    struct reconnect_stats rstats;
    jsonrpc_session_get_reconnect_stats(conn->js, &rstats);
    status->is_connected = rstats.is_connected;
    status->state = rstats.state;
    status->sec_since_connect = rstats.msec_since_connect == UINT_MAX
                                    ? UINT_MAX
                                    : rstats.msec_since_connect / 1000;
    status->sec_since_disconnect = rstats.msec_since_disconnect == UINT_MAX
                                       ? UINT_MAX
                                       : rstats.msec_since_disconnect / 1000;
    int last_error = jsonrpc_session_get_last_error(conn->js);
    status->last_error = last_error ? ovs_retval_to_string(last_error) : NULL;

    struct ds held = DS_EMPTY_INITIALIZER;
    struct ds waiting = DS_EMPTY_INITIALIZER;
    format_conn_locks(conn, &held, &waiting);
    status->locks_held = ds_steal_cstr(&held);
    status->locks_waiting = ds_steal_cstr(&waiting);
    status->locks_lost = xstrdup("");
    status->n_connections = list_size(&remote->sessions);
    return true;
}

void
ovsdb_jsonrpc_remote_status_destroy(struct ovsdb_jsonrpc_remote_status *status)
{
    free(status->locks_held);
    free(status->locks_waiting);
    free(status->locks_lost);
}

/* Sessions. */

static struct jsonrpc_conn *
conn_create(struct jsonrpc_remote *remote, struct jsonrpc_session *js)
{
    struct jsonrpc_conn *conn = xzalloc(sizeof *conn);
    conn->remote = remote;
    conn->js = js;
    conn->seqno = jsonrpc_session_get_seqno(js);
    hmap_init(&conn->locks);
    list_push_back(&remote->sessions, &conn->node);
    remote->server->n_sessions++;
    return conn;
}

static void
conn_destroy(struct jsonrpc_conn *conn)
{
    conn_unlock_all(conn);
    hmap_destroy(&conn->locks);
    jsonrpc_session_close(conn->js);
    list_remove(&conn->node);
    conn->remote->server->n_sessions--;
    free(conn);
}

static bool
conn_is_alive(const struct jsonrpc_conn *conn)
{
    return jsonrpc_session_is_alive(conn->js);
}

static void
conn_send(struct jsonrpc_conn *conn, struct jsonrpc_msg *msg)
{
    jsonrpc_session_send(conn->js, msg);
}

/* Forgets everything a connection set up, when it goes away or
 * reconnects: the peer on the other side is new and knows nothing of
 * it. */
static void
conn_reset(struct jsonrpc_conn *conn)
{
    conn_unlock_all(conn);
    conn->db_change_aware = false;
}

static void conn_got_request(struct jsonrpc_conn *, struct jsonrpc_msg *);
static void conn_got_notify(struct jsonrpc_conn *, struct jsonrpc_msg *);

static void
conn_run(struct jsonrpc_conn *conn)
{
    jsonrpc_session_run(conn->js);
    if (conn->seqno != jsonrpc_session_get_seqno(conn->js)) {
        conn->seqno = jsonrpc_session_get_seqno(conn->js);
        conn_reset(conn);
    }

    for (int i = 0; i < MAX_MSGS_PER_RUN; i++) {
        if (!jsonrpc_session_is_connected(conn->js)) {
            return;
        }
        struct jsonrpc_msg *msg = jsonrpc_session_recv(conn->js);
        if (!msg) {
            return;
        }
        if (msg->type == JSONRPC_REQUEST) {
            conn_got_request(conn, msg);
        } else if (msg->type == JSONRPC_NOTIFY) {
            conn_got_notify(conn, msg);
        } else {
            VLOG_WARN("%s: received unexpected %s message",
                      jsonrpc_session_get_name(conn->js),
                      jsonrpc_msg_type_to_string(msg->type));
            jsonrpc_session_force_reconnect(conn->js);
            conn_reset(conn);
            jsonrpc_msg_destroy(msg);
            return;
        }
        jsonrpc_msg_destroy(msg);
    }
    /* More may be queued: come back after the others had their turn. */
    poll_immediate_wake();
}

static void
conn_wait(struct jsonrpc_conn *conn)
{
    jsonrpc_session_wait(conn->js);
    jsonrpc_session_recv_wait(conn->js);
}

/* Locks. */

static struct conn_lock *
conn_find_lock(const struct jsonrpc_conn *conn, const char *name)
{
    struct conn_lock *cl;
    HMAP_FOR_EACH_WITH_HASH (cl, node, hash_string(name, 0), &conn->locks) {
        if (!strcmp(ovsdb_lock_waiter_get_name(cl->waiter), name)) {
            return cl;
        }
    }
    return NULL;
}

static void
notify_lock(struct ovsdb_lock_waiter *waiter, const char *method)
{
    struct jsonrpc_conn *conn = ovsdb_lock_waiter_get_owner(waiter);
    json_t *params = json_pack("[s]", ovsdb_lock_waiter_get_name(waiter));
    conn_send(conn, jsonrpc_create_notify(method, params));
}

static void
conn_remove_lock(struct jsonrpc_conn *conn, struct conn_lock *cl)
{
    hmap_remove(&conn->locks, &cl->node);
    struct ovsdb_lock_waiter *new_owner = ovsdb_lock_waiter_remove(cl->waiter);
    if (new_owner) {
        notify_lock(new_owner, "locked");
    }
    free(cl);
}

static void
conn_unlock_all(struct jsonrpc_conn *conn)
{
    struct conn_lock *cl, *next;
    HMAP_FOR_EACH_SAFE (cl, next, node, &conn->locks) {
        conn_remove_lock(conn, cl);
    }
}

/* Returns the lock name in the params of a "lock", "steal" or "unlock"
 * request, or NULL after storing the error to reply in '*errorp'. */
static const char *
parse_lock_name(const struct jsonrpc_msg *request, struct ovsdb_error **errorp)
{
    const json_t *params = request->params;
    const char *name = NULL;
    if (json_array_size(params) == 1) {
        name = json_string_value(json_array_get(params, 0));
    }
    if (!name || !ovsdb_parser_is_id(name)) {
        *errorp = ovsdb_syntax_error(params, NULL,
                                     "%s request params must be <id>",
                                     request->method);
        return NULL;
    }
    *errorp = NULL;
    return name;
}

static json_t *
handle_lock(struct jsonrpc_conn *conn, const struct jsonrpc_msg *request,
            enum ovsdb_lock_mode mode, struct ovsdb_error **errorp)
{
    const char *name = parse_lock_name(request, errorp);
    if (!name) {
        return NULL;
    }
    if (conn_find_lock(conn, name)) {
        *errorp = ovsdb_syntax_error(
            request->params, NULL, "must issue \"unlock\" before new \"%s\"",
            request->method);
        return NULL;
    }

    struct conn_lock *cl = xmalloc(sizeof *cl);
    struct ovsdb_lock_waiter *victim;
    cl->mode = mode;
    cl->waiter = ovsdb_lock_server_lock(conn->remote->server->locks, name,
                                        conn, mode, &victim);
    hmap_insert(&conn->locks, &cl->node, hash_string(name, 0));
    if (victim) {
        notify_lock(victim, "stolen");
    }
    return json_pack("{s:b}", "locked",
                     ovsdb_lock_waiter_is_owner(cl->waiter));
}

static json_t *
handle_unlock(struct jsonrpc_conn *conn, const struct jsonrpc_msg *request,
              struct ovsdb_error **errorp)
{
    const char *name = parse_lock_name(request, errorp);
    if (!name) {
        return NULL;
    }
    struct conn_lock *cl = conn_find_lock(conn, name);
    if (!cl) {
        *errorp = ovsdb_syntax_error(
            request->params, NULL,
            "unlock: \"unlock\" without \"lock\" or \"steal\"");
        return NULL;
    }
    conn_remove_lock(conn, cl);
    return json_object();
}

/* Requests. */

static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;
    return strcmp(*a, *b);
}

static json_t *
handle_list_dbs(struct jsonrpc_conn *conn)
{
    const struct ovsdb_jsonrpc_server *server = conn->remote->server;
    size_t n = hmap_count(&server->dbs);
    const char **names = xmalloc((n ? n : 1) * sizeof *names);
    size_t i = 0;
    const struct jsonrpc_db *db;
    HMAP_FOR_EACH (db, node, &server->dbs) {
        names[i++] = db->name;
    }
    qsort(names, n, sizeof *names, compare_strings);
    json_t *result = json_array_of_strings(names, n);
    free(names);
    return result;
}

/* Returns the database named by the first of the params of 'request', or
 * NULL after storing the error to reply in '*errorp'. */
static struct jsonrpc_db *
request_get_db(const struct jsonrpc_conn *conn,
               const struct jsonrpc_msg *request, struct ovsdb_error **errorp)
{
    const json_t *params = request->params;
    const char *name = json_string_value(json_array_get(params, 0));
    if (!name) {
        *errorp = ovsdb_syntax_error(params, NULL,
                                     "%s request params must begin with "
                                     "<db-name>",
                                     request->method);
        return NULL;
    }
    struct jsonrpc_db *db = server_find_db(conn->remote->server, name);
    if (!db) {
        *errorp = ovsdb_syntax_error(params, "unknown database",
                                     "%s request specifies unknown "
                                     "database %s",
                                     request->method, name);
        return NULL;
    }
    *errorp = NULL;
    return db;
}

static json_t *
handle_get_schema(struct jsonrpc_conn *conn,
                  const struct jsonrpc_msg *request,
                  struct ovsdb_error **errorp)
{
    const struct jsonrpc_db *db = request_get_db(conn, request, errorp);
    return db ? ovsdb_schema_to_json(db->schema) : NULL;
}

static json_t *
handle_set_db_change_aware(struct jsonrpc_conn *conn,
                           const struct jsonrpc_msg *request,
                           struct ovsdb_error **errorp)
{
    const json_t *params = request->params;
    const json_t *value = json_array_get(params, 0);
    if (json_array_size(params) != 1 || !json_is_boolean(value)) {
        *errorp = ovsdb_syntax_error(params, NULL,
                                     "set_db_change_aware: true or false "
                                     "parameter expected");
        return NULL;
    }
    conn->db_change_aware = json_is_true(value);
    return json_object();
}

static json_t *
handle_get_server_id(struct jsonrpc_conn *conn)
{
    char buf[UUID_LEN + 1];
    return json_string(uuid_to_string(&conn->remote->server->server_id, buf));
}

/* Methods that need the transaction engine, which this build does not
 * have yet: they fail with an error that says so. */
static json_t *
handle_unimplemented(struct jsonrpc_conn *conn,
                     const struct jsonrpc_msg *request,
                     struct ovsdb_error **errorp)
{
    if (!request_get_db(conn, request, errorp)) {
        return NULL;
    }
    *errorp = ovsdb_error("not implemented",
                          "\"%s\" is not implemented by this ovsdb-server",
                          request->method);
    return NULL;
}

static void
conn_got_request(struct jsonrpc_conn *conn, struct jsonrpc_msg *request)
{
    const char *method = request->method;
    struct ovsdb_error *error = NULL;
    json_t *result = NULL;

    COVERAGE_INC(jsonrpc_server_request);
    if (!strcmp(method, "transact") || !strcmp(method, "monitor")
        || !strcmp(method, "monitor_cond")
        || !strcmp(method, "monitor_cond_since")
        || !strcmp(method, "convert")) {
        result = handle_unimplemented(conn, request, &error);
    } else if (!strcmp(method, "monitor_cond_change")) {
        error = ovsdb_syntax_error(json_array_get(request->params, 0), NULL,
                                   "unknown monitor session");
    } else if (!strcmp(method, "monitor_cancel")) {
        json_t *reply = json_array_size(request->params) == 1
                            ? json_string("unknown monitor")
                            : json_string("invalid parameters");
        conn_send(conn, jsonrpc_create_error(reply, request->id));
        return;
    } else if (!strcmp(method, "get_schema")) {
        result = handle_get_schema(conn, request, &error);
    } else if (!strcmp(method, "list_dbs")) {
        result = handle_list_dbs(conn);
    } else if (!strcmp(method, "get_server_id")) {
        result = handle_get_server_id(conn);
    } else if (!strcmp(method, "lock")) {
        result = handle_lock(conn, request, OVSDB_LOCK_WAIT, &error);
    } else if (!strcmp(method, "steal")) {
        result = handle_lock(conn, request, OVSDB_LOCK_STEAL, &error);
    } else if (!strcmp(method, "unlock")) {
        result = handle_unlock(conn, request, &error);
    } else if (!strcmp(method, "set_db_change_aware")) {
        result = handle_set_db_change_aware(conn, request, &error);
    } else if (!strcmp(method, "echo")) {
        /* jsonrpc_session answers these itself; this is for safety. */
        result = json_deep_copy(request->params);
    } else {
        conn_send(conn, jsonrpc_create_error(json_string("unknown method"),
                                             request->id));
        return;
    }

    if (error) {
        conn_send(conn, jsonrpc_create_error(ovsdb_error_to_json_free(error),
                                             request->id));
    } else {
        conn_send(conn, jsonrpc_create_reply(result, request->id));
    }
}

static void
conn_got_notify(struct jsonrpc_conn *conn, struct jsonrpc_msg *notify)
{
    /* "cancel" applies to pending transactions, which come with the
     * engine; other notifications mean nothing to a server and are
     * ignored, as OVS does. */
}

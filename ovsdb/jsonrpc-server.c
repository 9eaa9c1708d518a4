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
#include "ovsdb/convert.h"
#include "ovsdb/lock.h"
#include "ovsdb/monitor.h"
#include "ovsdb/ovsdb-execution.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-parser.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb-txn.h"
#include "ovsdb/ovsdb.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_jsonrpc_server);

COVERAGE_DEFINE(jsonrpc_server_accept);
COVERAGE_DEFINE(jsonrpc_server_request);

/* How much one session or listener may do in one main-loop iteration, so
 * that a busy or hostile client cannot starve the others: the rest waits
 * for the next iteration. */
#define MAX_MSGS_PER_RUN 50
#define MAX_ACCEPTS_PER_RUN 20

/* History kept per database for monitor_cond_since. */
#define HISTORY_MAX_TXNS 100
#define HISTORY_MAX_ROWS 10000

/* Fan-out: how many connections get their monitor updates in one
 * main-loop iteration.  The rest wait for the next iterations, in which
 * requests and replies are served first; a connection that waits longer
 * gets the changes of several commits as one update. */
#define FANOUT_CONNS_PER_RUN 50

/* A fan-out to more connections than that waits, while commits keep
 * becoming durable, for a pause of FANOUT_QUIET_USEC without a commit
 * under way, but no longer than FANOUT_MAX_DELAY_USEC, so that a burst
 * of commits reaches them as one update instead of taking turns with it
 * for the CPU.  A client that commits again as soon as it is
 * acknowledged does so well within the pause (10-20 us here); a longer
 * pause only delays the updates (the benchmark's fan-out to 300 monitors
 * ended 0.1-0.4 ms sooner with 60 us than with 150). */
#define FANOUT_QUIET_USEC 60
#define FANOUT_MAX_DELAY_USEC 10000

/* A served database. */
struct jsonrpc_db {
    struct hmap_node node; /* In the server's 'dbs', by name. */
    struct ovsdb_jsonrpc_server *server;
    char *name;
    const struct ovsdb_schema *schema;
    struct ovsdb *db;
    bool reserved;                        /* Clients may not change it. */
    struct ovsdb_jsonrpc_storage storage; /* 'write' NULL: memory. */

    uint64_t seqno;            /* Commits so far (in memory). */
    uint64_t dispatched_seqno; /* Commits durable and released to clients:
                                * replied to, and in 'unsent' for the
                                * monitors that did not get them yet. */
    struct uuid last_txn_id;   /* Id of the last commit (in memory). */
    struct ovsdb_monitor_history *history; /* Of dispatched commits. */
    struct list pending; /* "struct pending_commit"s, oldest first. */
    /* Dispatched commits that some monitor has not been sent yet, and the
     * size at which to look for the oldest still needed. */
    struct ovsdb_monitor_queue *unsent;
    size_t unsent_trim_at;
};

/* A commit waiting for storage, with the replies that must follow it. */
struct pending_commit {
    struct list node;  /* In the database's 'pending'. */
    uint64_t log_seq;  /* Durable once storage reaches this. */
    uint64_t db_seqno; /* The database's seqno after it. */
    struct ovsdb_monitor_changes *changes; /* NULL if none. */
    struct list replies;                   /* "struct pending_reply"s. */
};

struct pending_reply {
    struct list node;      /* In the commit's 'replies'. */
    struct list conn_node; /* In the connection's 'pending_replies'. */
    struct jsonrpc_conn *conn;
    struct jsonrpc_msg *msg;
};

struct ovsdb_jsonrpc_server {
    struct hmap dbs;     /* "struct jsonrpc_db"s. */
    struct hmap remotes; /* "struct jsonrpc_remote"s by name. */
    struct ovsdb_lock_server *locks;
    struct ovsdb_monitor_set *monitors;
    struct uuid server_id;
    size_t n_sessions;
    size_t n_monitors;     /* Client monitors, shared or not. */
    uint64_t change_seqno; /* Bumped by every change to any database. */
    /* "struct jsonrpc_conn"s that may have monitors to update, in the
     * order they get their turn. */
    struct list fanout;
    size_t n_fanout;               /* Length of 'fanout'. */
    size_t n_monitoring_conns;     /* Connections with monitors. */
    size_t sweep_left;             /* Turns left in the fan-out under way,
                                    * 0 if none is. */
    long long last_dispatch_usec;  /* When a commit last became durable. */
    long long fanout_waiting_usec; /* Since when 'fanout' waits. */

    /* Connections are awake, run and waited on in every iteration, or
     * quiet (see conn_is_quiet()), left alone until their input arrives,
     * something is sent to them, or 'quiet_deadline' passes. */
    struct list awake;                 /* "struct jsonrpc_conn"s. */
    struct jsonrpc_conn **quiet_by_fd; /* Quiet ones, by fd. */
    size_t n_quiet_by_fd;
    long long quiet_deadline; /* Earliest timer of a quiet one. */
};

/* A configured remote: a listener with the sessions it accepted, or one
 * outgoing session that reconnects forever. */
struct jsonrpc_remote {
    struct hmap_node node; /* In the server's 'remotes'. */
    struct ovsdb_jsonrpc_server *server;
    char *name;
    struct ovsdb_jsonrpc_options options;
    struct pstream *listener; /* Passive remotes only. */
    struct list sessions;     /* "struct jsonrpc_conn"s. */
    int listen_error;         /* Last error opening 'listener', or 0. */
};

/* A lock that a session asked for. */
struct conn_lock {
    struct hmap_node node; /* In the session's 'locks', by name. */
    struct ovsdb_lock_waiter *waiter;
    enum ovsdb_lock_mode mode;
};

/* One client connection ("session" in OVS's terms). */
struct jsonrpc_conn {
    struct list node; /* In the remote's 'sessions'. */
    struct jsonrpc_remote *remote;
    struct jsonrpc_session *js;
    unsigned int seqno;          /* Of 'js' when last seen. */
    struct hmap locks;           /* "struct conn_lock"s. */
    struct hmap monitors;        /* "struct conn_monitor"s by id. */
    struct list triggers;        /* "struct trigger"s. */
    struct list pending_replies; /* "struct pending_reply"s. */
    struct list fanout_node;     /* In the server's 'fanout'... */
    bool in_fanout;              /* ...if this is true. */
    bool db_change_aware;
    bool disconnect_pending; /* Disconnect once the output is sent. */
    bool was_connected;      /* Connected as of the last conn_run(). */
    int last_error;          /* What ended the last connection, or 0. */
    struct list awake_node;  /* In the server's 'awake' if awake. */
    bool awake;
    bool throttled; /* Not read: replies to it wait to be sent. */
    int quiet_fd;   /* Index in the server's 'quiet_by_fd', -1 if none. */
};

/* A client's monitor, on a shared struct ovsdb_monitor. */
struct conn_monitor {
    struct hmap_node node; /* In the connection's 'monitors'. */
    json_t *id;
    char *id_text; /* 'id' serialised. */
    struct jsonrpc_db *db;
    struct ovsdb_monitor *monitor;
    enum ovsdb_monitor_version version;
    uint64_t seqno; /* The client has the changes of the commits up to this
                     * one (of 'db->seqno'). */
};

/* A "transact" whose "wait" is not satisfied yet. */
struct trigger {
    struct list node; /* In the connection's 'triggers'. */
    struct jsonrpc_msg *request;
    struct jsonrpc_db *db;
    long long created;  /* time_msec() of arrival. */
    long long deadline; /* LLONG_MAX: none. */
    uint64_t db_seqno;  /* Of 'db' when last tried. */
};

static void remote_destroy(struct jsonrpc_remote *);
static void conn_destroy(struct jsonrpc_conn *);
static struct jsonrpc_conn *conn_create(struct jsonrpc_remote *,
                                        struct jsonrpc_session *);
static bool conn_is_quiet(struct jsonrpc_conn *, long long now,
                          long long *deadline);
static void conn_wake(struct jsonrpc_conn *);
static void conn_sleep(struct jsonrpc_conn *, long long deadline);
static void conn_set_throttled(struct jsonrpc_conn *, bool throttled);
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
    server->monitors = ovsdb_monitor_set_create();
    server->server_id = *server_id;
    list_init(&server->fanout);
    list_init(&server->awake);
    server->quiet_deadline = LLONG_MAX;
    return server;
}

static void db_flush_pending(struct ovsdb_jsonrpc_server *,
                             struct jsonrpc_db *, bool all);
static void db_destroy(struct jsonrpc_db *);

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
        db_destroy(db);
    }
    hmap_destroy(&server->dbs);
    ovsdb_lock_server_destroy(server->locks);
    ovsdb_monitor_set_destroy(server->monitors);
    free(server->quiet_by_fd);
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
                            struct ovsdb *ovsdb, bool reserved,
                            const struct ovsdb_jsonrpc_storage *storage)
{
    if (server_find_db(server, name)) {
        return false;
    }
    struct jsonrpc_db *db = xzalloc(sizeof *db);
    db->server = server;
    db->name = xstrdup(name);
    db->schema = schema;
    db->db = ovsdb;
    db->reserved = reserved;
    if (storage) {
        db->storage = *storage;
    }
    db->history =
        ovsdb_monitor_history_create(HISTORY_MAX_TXNS, HISTORY_MAX_ROWS);
    db->last_txn_id = *ovsdb_monitor_history_get_last_id(db->history);
    list_init(&db->pending);
    db->unsent = ovsdb_monitor_queue_create();
    hmap_insert(&server->dbs, &db->node, hash_string(name, 0));
    server->change_seqno++;
    return true;
}

uint64_t
ovsdb_jsonrpc_server_get_change_seqno(
    const struct ovsdb_jsonrpc_server *server)
{
    return server->change_seqno;
}

static void
db_destroy(struct jsonrpc_db *db)
{
    struct pending_commit *pc;
    LIST_FOR_EACH_POP (pc, node, &db->pending) {
        struct pending_reply *pr;
        LIST_FOR_EACH_POP (pr, node, &pc->replies) {
            list_remove(&pr->conn_node);
            jsonrpc_msg_destroy(pr->msg);
            free(pr);
        }
        ovsdb_monitor_changes_unref(pc->changes);
        free(pc);
    }
    ovsdb_monitor_history_destroy(db->history);
    ovsdb_monitor_queue_destroy(db->unsent);
    free(db->name);
    free(db);
}

static void conn_monitor_destroy(struct jsonrpc_conn *, struct conn_monitor *);
static void trigger_destroy(struct trigger *);

/* Tells the clients of 'db' that it is going away or changing: their
 * monitors on it are canceled (with "monitor_canceled" to the clients that
 * asked for "set_db_change_aware") and so are their waiting transactions
 * on it.  Clients that do not follow the _Server database learn about the
 * change only by reconnecting, so they are disconnected, after what was
 * queued for them (such as the reply to a "convert") is sent. */
static void
db_cancel_clients(struct ovsdb_jsonrpc_server *server, struct jsonrpc_db *db)
{
    struct jsonrpc_remote *remote;
    HMAP_FOR_EACH (remote, node, &server->remotes) {
        struct jsonrpc_conn *conn;
        LIST_FOR_EACH (conn, node, &remote->sessions) {
            struct conn_monitor *cm, *next_cm;
            HMAP_FOR_EACH_SAFE (cm, next_cm, node, &conn->monitors) {
                if (cm->db != db) {
                    continue;
                }
                if (conn->db_change_aware) {
                    json_t *params = json_pack("[O]", cm->id);
                    conn_send(conn, jsonrpc_create_notify("monitor_canceled",
                                                          params));
                }
                conn_monitor_destroy(conn, cm);
            }
            struct trigger *t, *next_t;
            LIST_FOR_EACH_SAFE (t, next_t, node, &conn->triggers) {
                if (t->db == db) {
                    conn_send(conn,
                              jsonrpc_create_error(json_string("canceled"),
                                                   t->request->id));
                    trigger_destroy(t);
                }
            }
            if (!conn->db_change_aware) {
                conn->disconnect_pending = true;
                /* Its input stays unread until then: no waking for it. */
                jsonrpc_session_unregister_poll(conn->js);
                conn_wake(conn);
            }
        }
    }
}

bool
ovsdb_jsonrpc_server_remove_db(struct ovsdb_jsonrpc_server *server,
                               const char *name)
{
    struct jsonrpc_db *db = server_find_db(server, name);
    if (!db) {
        return false;
    }
    /* What was committed goes out first: the caller has made it durable
     * before removing the database. */
    db_flush_pending(server, db, true);
    db_cancel_clients(server, db);

    hmap_remove(&server->dbs, &db->node);
    db_destroy(db);
    server->change_seqno++;
    return true;
}

bool
ovsdb_jsonrpc_server_replace_db(struct ovsdb_jsonrpc_server *server,
                                const char *name,
                                const struct ovsdb_schema *schema,
                                struct ovsdb *ovsdb)
{
    struct jsonrpc_db *db = server_find_db(server, name);
    if (!db) {
        return false;
    }
    db_flush_pending(server, db, true);
    db_cancel_clients(server, db);

    db->schema = schema;
    db->db = ovsdb;
    /* Transactions before the conversion cannot be replayed onto the new
     * contents, so monitor_cond_since starts over with a new id. */
    ovsdb_monitor_history_reset(db->history);
    db->last_txn_id = *ovsdb_monitor_history_get_last_id(db->history);
    db->seqno++;
    db->dispatched_seqno = db->seqno;
    server->change_seqno++;
    return true;
}

bool
ovsdb_jsonrpc_server_has_db(const struct ovsdb_jsonrpc_server *server,
                            const char *name)
{
    return server_find_db(server, name) != NULL;
}

size_t
ovsdb_jsonrpc_server_n_sessions(const struct ovsdb_jsonrpc_server *server)
{
    return server->n_sessions;
}

bool
ovsdb_jsonrpc_server_has_pending(const struct ovsdb_jsonrpc_server *server,
                                 const char *name)
{
    const struct jsonrpc_db *db = server_find_db(server, name);
    return db && !list_is_empty(&db->pending);
}

/* Commits. */

/* Commits 'txn' (open) to 'db': precommit, storage, then the tables.  On
 * success the commit is queued until storage makes it durable.  On error
 * the transaction is aborted. */
static struct ovsdb_error *
db_commit(struct jsonrpc_db *db, struct ovsdb_txn *txn)
{
    struct ovsdb_error *error = ovsdb_txn_precommit(txn);
    if (error) {
        ovsdb_txn_abort(txn);
        return error;
    }

    struct uuid txn_id;
    uuid_generate(&txn_id);
    struct ovsdb_monitor_changes *changes =
        ovsdb_monitor_changes_create(txn, &txn_id);
    if (!changes) {
        ovsdb_txn_apply(txn);
        ovsdb_txn_destroy(txn);
        return NULL;
    }

    uint64_t log_seq = 0;
    if (db->storage.write) {
        error = db->storage.write(txn, db->storage.aux, &log_seq);
        if (error) {
            ovsdb_monitor_changes_unref(changes);
            ovsdb_txn_abort(txn);
            return error;
        }
    }
    ovsdb_txn_apply(txn);
    ovsdb_txn_destroy(txn);

    db->server->change_seqno++;
    db->seqno++;
    db->last_txn_id = txn_id;
    struct pending_commit *pc = xmalloc(sizeof *pc);
    pc->log_seq = log_seq;
    pc->db_seqno = db->seqno;
    pc->changes = changes;
    list_init(&pc->replies);
    list_push_back(&db->pending, &pc->node);
    return NULL;
}

/* Sends 'msg' (taken) to 'conn' once every commit to 'db' so far is
 * acknowledged, so that a reply never overtakes the updates and the
 * durability of what its transaction saw. */
static void
db_send_after_pending(struct jsonrpc_db *db, struct jsonrpc_conn *conn,
                      struct jsonrpc_msg *msg)
{
    if (list_is_empty(&db->pending)) {
        conn_send(conn, msg);
        return;
    }
    struct pending_commit *pc =
        CONTAINER_OF(list_back(&db->pending), struct pending_commit, node);
    struct pending_reply *pr = xmalloc(sizeof *pr);
    pr->conn = conn;
    pr->msg = msg;
    list_push_back(&pc->replies, &pr->node);
    list_push_back(&conn->pending_replies, &pr->conn_node);
}

static void
send_monitor_update(struct jsonrpc_conn *conn, struct conn_monitor *cm,
                    const struct uuid *txn_id, const char *updates,
                    size_t updates_len)
{
    /* Put together without printf: this runs for every client of every
     * update, and formatting cost more than the rest of the fan-out. */
    static const char *const methods[] = {"update", "update2", "update3"};
    struct ds msg = DS_EMPTY_INITIALIZER;
    ds_reserve(&msg, 64 + strlen(cm->id_text) + UUID_LEN + updates_len);
    ds_put_cstr(&msg, "{\"id\":null,\"method\":\"");
    ds_put_cstr(&msg, methods[cm->version]);
    ds_put_cstr(&msg, "\",\"params\":[");
    ds_put_cstr(&msg, cm->id_text);
    ds_put_char(&msg, ',');
    if (cm->version == OVSDB_MONITOR_V3) {
        char buf[UUID_LEN + 1];
        ds_put_char(&msg, '"');
        ds_put_cstr(&msg, uuid_to_string(txn_id, buf));
        ds_put_cstr(&msg, "\",");
    }
    ds_put_buffer(&msg, updates, updates_len);
    ds_put_cstr(&msg, "]}");
    size_t n = msg.length;
    jsonrpc_session_send_text(conn->js, ds_steal_cstr(&msg), n);
    conn_wake(conn);
}

/* Fan-out.
 *
 * A commit that becomes durable is replied to at once; the monitors that
 * it changes get their update later, a bounded number of connections per
 * main-loop iteration (see server_fanout_run()), so that one commit
 * followed by hundreds of monitors does not hold up the next commit.  A
 * connection whose turn comes gets, per monitor, one update with every
 * change it has not been sent yet, which clients of a shared monitor
 * that lag equally share.  A connection is brought up to date before
 * anything else is sent to it, so that a reply never overtakes the
 * updates of what its request saw. */

/* Sends 'cm' one update with the changes of the dispatched commits it has
 * not been sent yet, if they change anything it monitors. */
static void
conn_monitor_flush(struct jsonrpc_conn *conn, struct conn_monitor *cm)
{
    struct jsonrpc_db *db = cm->db;
    if (cm->seqno >= db->dispatched_seqno) {
        return;
    }
    struct ovsdb_monitor_changes *const *list;
    size_t n = ovsdb_monitor_queue_get_since(db->unsent, cm->seqno, &list);
    cm->seqno = db->dispatched_seqno;
    if (n) {
        size_t len;
        const char *text =
            ovsdb_monitor_get_update_text(cm->monitor, list, n, &len);
        if (text) {
            send_monitor_update(conn, cm,
                                ovsdb_monitor_changes_get_txn_id(list[n - 1]),
                                text, len);
        }
    }
}

/* Brings every monitor of 'conn' on 'db' (on any database if 'db' is
 * NULL) up to date. */
static void
conn_flush_updates(struct jsonrpc_conn *conn, const struct jsonrpc_db *db)
{
    struct conn_monitor *cm;
    HMAP_FOR_EACH (cm, node, &conn->monitors) {
        if (!db || cm->db == db) {
            conn_monitor_flush(conn, cm);
        }
    }
}

static void
conn_leave_fanout(struct jsonrpc_conn *conn)
{
    if (conn->in_fanout) {
        list_remove(&conn->fanout_node);
        conn->remote->server->n_fanout--;
        conn->in_fanout = false;
    }
}

/* Gives every connection that monitors 'db' a turn in the fan-out. */
static void
db_enqueue_fanout(struct ovsdb_jsonrpc_server *server,
                  const struct jsonrpc_db *db)
{
    if (list_is_empty(&server->fanout)) {
        server->fanout_waiting_usec = time_usec();
    }
    if (server->n_fanout >= server->n_monitoring_conns) {
        /* Every connection with monitors has its turn coming already:
         * no need to look at each (they are many in a burst of commits). */
        return;
    }
    struct jsonrpc_remote *remote;
    HMAP_FOR_EACH (remote, node, &server->remotes) {
        struct jsonrpc_conn *conn;
        LIST_FOR_EACH (conn, node, &remote->sessions) {
            if (conn->in_fanout) {
                continue;
            }
            const struct conn_monitor *cm;
            HMAP_FOR_EACH (cm, node, &conn->monitors) {
                if (cm->db == db) {
                    list_push_back(&server->fanout, &conn->fanout_node);
                    server->n_fanout++;
                    conn->in_fanout = true;
                    break;
                }
            }
        }
    }
}

/* Forgets the changes of 'db' that every monitor has been sent. */
static void
db_trim_unsent(struct ovsdb_jsonrpc_server *server, struct jsonrpc_db *db)
{
    uint64_t oldest = db->dispatched_seqno;
    struct jsonrpc_remote *remote;
    HMAP_FOR_EACH (remote, node, &server->remotes) {
        const struct jsonrpc_conn *conn;
        LIST_FOR_EACH (conn, node, &remote->sessions) {
            const struct conn_monitor *cm;
            HMAP_FOR_EACH (cm, node, &conn->monitors) {
                if (cm->db == db && cm->seqno < oldest) {
                    oldest = cm->seqno;
                }
            }
        }
    }
    ovsdb_monitor_queue_trim(db->unsent, oldest);
    /* Look again when the queue has doubled, so that the scans cost
     * little per commit however far behind a client stays. */
    db->unsent_trim_at = MAX(64, 2 * ovsdb_monitor_queue_count(db->unsent));
}

/* Returns true if the connections in the fan-out should get their turns
 * now (see FANOUT_QUIET_USEC), otherwise stores in '*when_usec' the time
 * at which they should. */
static bool
server_fanout_is_due(const struct ovsdb_jsonrpc_server *server,
                     long long *when_usec)
{
    if (server->sweep_left || server->n_fanout <= FANOUT_CONNS_PER_RUN) {
        return true;
    }
    /* A commit on its way to the disk ends the pause anyway when it
     * becomes durable, however long the disk takes. */
    bool committing = false;
    const struct jsonrpc_db *db;
    HMAP_FOR_EACH (db, node, &server->dbs) {
        if (!list_is_empty(&db->pending)) {
            committing = true;
            break;
        }
    }
    long long deadline = server->fanout_waiting_usec + FANOUT_MAX_DELAY_USEC;
    *when_usec =
        (committing
             ? deadline
             : MIN(server->last_dispatch_usec + FANOUT_QUIET_USEC, deadline));
    return time_usec() >= *when_usec;
}

/* Sends their updates to up to FANOUT_CONNS_PER_RUN connections, in turn,
 * each connection once in a sweep.  A connection that has not sent what
 * was queued for it before is passed over until it has (its updates pile
 * up meanwhile, merged), so that a client that does not read costs
 * memory for the rows it is missing, not for every update. */
static void
server_fanout_run(struct ovsdb_jsonrpc_server *server)
{
    long long when;
    if (!list_is_empty(&server->fanout)
        && server_fanout_is_due(server, &when)) {
        /* Connections that went away leave the queue shorter. */
        size_t n_queued = server->n_fanout;
        if (!server->sweep_left || server->sweep_left > n_queued) {
            server->sweep_left = n_queued;
        }
        size_t n_sent = 0;
        while (server->sweep_left && n_sent < FANOUT_CONNS_PER_RUN) {
            server->sweep_left--;
            struct jsonrpc_conn *conn =
                CONTAINER_OF(list_pop_front(&server->fanout),
                             struct jsonrpc_conn, fanout_node);
            server->n_fanout--;
            if (jsonrpc_session_get_backlog(conn->js)) {
                list_push_back(&server->fanout, &conn->fanout_node);
                server->n_fanout++;
                continue;
            }
            conn->in_fanout = false;
            conn_flush_updates(conn, NULL);
            n_sent++;
        }
        if (!server->sweep_left) {
            /* Connections queued since the sweep started, and those that
             * were passed over, wait for the next one. */
            server->fanout_waiting_usec = time_usec();
        }
    }

    struct jsonrpc_db *db;
    HMAP_FOR_EACH (db, node, &server->dbs) {
        if (list_is_empty(&server->fanout)) {
            /* Every monitor is up to date. */
            ovsdb_monitor_queue_trim(db->unsent, UINT64_MAX);
        } else if (ovsdb_monitor_queue_count(db->unsent)
                   > db->unsent_trim_at) {
            db_trim_unsent(server, db);
        }
    }
}

static void
server_fanout_wait(const struct ovsdb_jsonrpc_server *server)
{
    long long when;
    if (list_is_empty(&server->fanout)) {
        return;
    } else if (!server_fanout_is_due(server, &when)) {
        poll_timer_wait_until_usec(when);
        return;
    }
    const struct jsonrpc_conn *conn;
    LIST_FOR_EACH (conn, fanout_node, &server->fanout) {
        if (!jsonrpc_session_get_backlog(conn->js)) {
            poll_immediate_wake();
            return;
        }
    }
}

/* Acknowledges the commits of 'db' that storage made durable (all of them
 * if 'all'): the waiting replies go out, and the monitors get their
 * updates in the fan-out, at once if 'all' (the database is about to be
 * removed or replaced). */
static void
db_flush_pending(struct ovsdb_jsonrpc_server *server, struct jsonrpc_db *db,
                 bool all)
{
    if (list_is_empty(&db->pending) && !all) {
        return;
    }
    uint64_t durable = UINT64_MAX;
    if (!all && db->storage.get_durable_seq) {
        durable = db->storage.get_durable_seq(db->storage.aux);
    }
    bool dispatched = false;
    while (!list_is_empty(&db->pending)) {
        struct pending_commit *pc = CONTAINER_OF(list_front(&db->pending),
                                                 struct pending_commit, node);
        if (pc->log_seq > durable) {
            break;
        }
        list_remove(&pc->node);
        ovsdb_monitor_history_add(db->history, pc->changes);
        ovsdb_monitor_queue_push(db->unsent, pc->db_seqno, pc->changes);
        db->dispatched_seqno = pc->db_seqno;
        dispatched = true;

        /* conn_send() sends each client its updates first. */
        struct pending_reply *pr;
        LIST_FOR_EACH_POP (pr, node, &pc->replies) {
            list_remove(&pr->conn_node);
            conn_send(pr->conn, pr->msg);
            free(pr);
        }
        ovsdb_monitor_changes_unref(pc->changes);
        free(pc);
    }
    if (all) {
        struct jsonrpc_remote *remote;
        HMAP_FOR_EACH (remote, node, &server->remotes) {
            struct jsonrpc_conn *conn;
            LIST_FOR_EACH (conn, node, &remote->sessions) {
                conn_flush_updates(conn, db);
            }
        }
        ovsdb_monitor_queue_trim(db->unsent, UINT64_MAX);
    } else if (dispatched) {
        server->last_dispatch_usec = time_usec();
        db_enqueue_fanout(server, db);
    }
}

struct ovsdb_error *
ovsdb_jsonrpc_server_commit(struct ovsdb_jsonrpc_server *server,
                            const char *name, struct ovsdb_txn *txn)
{
    struct jsonrpc_db *db = server_find_db(server, name);
    if (!db) {
        ovsdb_txn_abort(txn);
        return ovsdb_error("unknown database", "%s", name);
    }
    struct ovsdb_error *error = db_commit(db, txn);
    if (!error && !db->storage.write) {
        db_flush_pending(server, db, false);
    }
    return error;
}

void
ovsdb_jsonrpc_server_storage_progressed(struct ovsdb_jsonrpc_server *server)
{
    struct jsonrpc_db *db;
    HMAP_FOR_EACH (db, node, &server->dbs) {
        db_flush_pending(server, db, false);
    }
}

/* Remotes. */

static struct jsonrpc_remote *
server_find_remote(const struct ovsdb_jsonrpc_server *server, const char *name)
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
        jsonrpc_session_set_max_backoff(conn->js, remote->options.max_backoff);
        jsonrpc_session_set_probe_interval(conn->js,
                                           remote->options.probe_interval);
        jsonrpc_session_set_dscp(conn->js, remote->options.dscp);
        conn_wake(conn);
    }
}

static void
remote_open_listener(struct jsonrpc_remote *remote)
{
    int error = pstream_open_with_default_port(
        remote->name, OVSDB_PORT, &remote->listener, remote->options.dscp);
    if (error && error != remote->listen_error) {
        VLOG_ERR("%s: listen failed: %s", remote->name, ovs_strerror(error));
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
        jsonrpc_session_register_poll(js);
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
        } else if (remote->listen_error && !remote->listener) {
            /* Listening failed before (e.g. "pssl:" before SSL was
             * configured, or the port was busy): try again now that the
             * configuration was read again. */
            remote->options = c->options;
            remote_open_listener(remote);
        } else if (memcmp(&remote->options, &c->options, sizeof c->options)) {
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
            conn_wake(conn);
        }
    }
}

static void
remote_accept(struct jsonrpc_remote *remote)
{
    if (!remote->listener || pstream_accept_is_idle(remote->listener)) {
        return;
    }
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
        jsonrpc_session_register_poll(js);
        jsonrpc_session_set_max_backoff(js, remote->options.max_backoff);
        jsonrpc_session_set_probe_interval(js, remote->options.probe_interval);
        conn_create(remote, js);
        if (i == MAX_ACCEPTS_PER_RUN - 1) {
            poll_immediate_wake();
        }
    }
}

/* Wakes the quiet connections that the last poll_block() found with
 * input, and all of them if one's timer is due. */
static void
server_wake_conns(struct ovsdb_jsonrpc_server *server, long long now)
{
    if (now >= server->quiet_deadline) {
        server->quiet_deadline = LLONG_MAX;
        struct jsonrpc_remote *remote;
        HMAP_FOR_EACH (remote, node, &server->remotes) {
            struct jsonrpc_conn *conn;
            LIST_FOR_EACH (conn, node, &remote->sessions) {
                conn_wake(conn);
            }
        }
        return;
    }

    const int *fds;
    size_t n = poll_ready_registered(&fds);
    for (size_t i = 0; i < n; i++) {
        size_t fd = fds[i];
        if (fd < server->n_quiet_by_fd && server->quiet_by_fd[fd]) {
            conn_wake(server->quiet_by_fd[fd]);
        }
    }
}

void
ovsdb_jsonrpc_server_run(struct ovsdb_jsonrpc_server *server)
{
    long long now = time_msec();
    server_wake_conns(server, now);

    struct jsonrpc_remote *remote;
    HMAP_FOR_EACH (remote, node, &server->remotes) {
        remote_accept(remote);
    }

    struct jsonrpc_conn *conn, *next;
    LIST_FOR_EACH_SAFE (conn, next, awake_node, &server->awake) {
        long long deadline;
        if (conn_is_quiet(conn, now, &deadline)) {
            conn_sleep(conn, deadline);
            continue;
        }
        conn_run(conn);
        if (!conn_is_alive(conn)) {
            conn_destroy(conn);
        }
    }
    server_fanout_run(server);
}

void
ovsdb_jsonrpc_server_wait(struct ovsdb_jsonrpc_server *server)
{
    struct jsonrpc_remote *remote;
    HMAP_FOR_EACH (remote, node, &server->remotes) {
        if (remote->listener) {
            pstream_wait(remote->listener);
        }
    }
    struct jsonrpc_conn *conn;
    LIST_FOR_EACH (conn, awake_node, &server->awake) {
        conn_wait(conn);
    }
    /* The poll loop wakes for the input of quiet connections by itself
     * (see jsonrpc_session_register_poll()). */
    if (server->quiet_deadline != LLONG_MAX) {
        poll_timer_wait_until(server->quiet_deadline);
    }
    server_fanout_wait(server);
}

void
ovsdb_jsonrpc_server_get_memory_usage(
    const struct ovsdb_jsonrpc_server *server, struct memory_usage *usage)
{
    memory_usage_add(usage, "monitors", server->n_monitors);
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

    if (remote->listener) {
        /* A listener reports its port and connections, not the state of
         * any one of them, as OVS does. */
        status->bound_port = pstream_get_bound_port(remote->listener);
        status->is_connected = !list_is_empty(&remote->sessions);
        status->n_connections = list_size(&remote->sessions);
        return true;
    }
    if (list_is_empty(&remote->sessions)) {
        return false;
    }

    /* Report on the first session, as OVS does; count them all. */
    const struct jsonrpc_conn *conn =
        CONTAINER_OF(list_front(&remote->sessions), struct jsonrpc_conn, node);
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
    /* Like OVS, only the end of an established connection counts, not
     * failed attempts to connect. */
    status->last_error =
        conn->last_error ? ovs_retval_to_string(conn->last_error) : NULL;

    struct ds held = DS_EMPTY_INITIALIZER;
    struct ds waiting = DS_EMPTY_INITIALIZER;
    format_conn_locks(conn, &held, &waiting);
    status->locks_held = ds_steal_cstr(&held);
    status->locks_waiting = ds_steal_cstr(&waiting);
    status->locks_lost = xstrdup("");
    status->n_connections = 1;
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
    hmap_init(&conn->monitors);
    list_init(&conn->triggers);
    list_init(&conn->pending_replies);
    list_push_back(&remote->sessions, &conn->node);
    conn->quiet_fd = -1;
    conn_wake(conn);
    remote->server->n_sessions++;
    return conn;
}

/* Makes 'conn' awake (see the server's 'awake'). */
static void
conn_wake(struct jsonrpc_conn *conn)
{
    struct ovsdb_jsonrpc_server *server = conn->remote->server;
    if (!conn->awake) {
        list_push_back(&server->awake, &conn->awake_node);
        conn->awake = true;
    }
    if (conn->quiet_fd >= 0) {
        server->quiet_by_fd[conn->quiet_fd] = NULL;
        conn->quiet_fd = -1;
    }
}

/* Makes 'conn', which conn_is_quiet() found so with 'deadline', quiet. */
static void
conn_sleep(struct jsonrpc_conn *conn, long long deadline)
{
    struct ovsdb_jsonrpc_server *server = conn->remote->server;
    int fd = jsonrpc_session_get_fd(conn->js);
    if (fd < 0) {
        /* Nothing would wake it. */
        return;
    }
    if ((size_t) fd >= server->n_quiet_by_fd) {
        size_t n = MAX(2 * server->n_quiet_by_fd, MAX((size_t) fd + 1, 64));
        server->quiet_by_fd =
            xrealloc(server->quiet_by_fd, n * sizeof *server->quiet_by_fd);
        memset(server->quiet_by_fd + server->n_quiet_by_fd, 0,
               (n - server->n_quiet_by_fd) * sizeof *server->quiet_by_fd);
        server->n_quiet_by_fd = n;
    }
    list_remove(&conn->awake_node);
    conn->awake = false;
    server->quiet_by_fd[fd] = conn;
    conn->quiet_fd = fd;
    server->quiet_deadline = MIN(server->quiet_deadline, deadline);
}

static void conn_reset(struct jsonrpc_conn *);

static void
conn_destroy(struct jsonrpc_conn *conn)
{
    conn_reset(conn);
    hmap_destroy(&conn->locks);
    hmap_destroy(&conn->monitors);
    jsonrpc_session_close(conn->js);
    list_remove(&conn->node);
    conn_wake(conn);
    list_remove(&conn->awake_node);
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
    conn_flush_updates(conn, NULL);
    jsonrpc_session_send(conn->js, msg);
    conn_wake(conn);
}

/* Forgets everything a connection set up, when it goes away or
 * reconnects: the peer on the other side is new and knows nothing of
 * it. */
static void
conn_reset(struct jsonrpc_conn *conn)
{
    conn_unlock_all(conn);
    if (conn->throttled && !conn->disconnect_pending) {
        conn_set_throttled(conn, false);
    }

    struct conn_monitor *cm, *next_cm;
    HMAP_FOR_EACH_SAFE (cm, next_cm, node, &conn->monitors) {
        conn_monitor_destroy(conn, cm);
    }
    struct trigger *t, *next_t;
    LIST_FOR_EACH_SAFE (t, next_t, node, &conn->triggers) {
        trigger_destroy(t);
    }
    /* Replies still waiting for storage have nobody to go to. */
    struct pending_reply *pr;
    LIST_FOR_EACH_POP (pr, conn_node, &conn->pending_replies) {
        list_remove(&pr->node);
        jsonrpc_msg_destroy(pr->msg);
        free(pr);
    }
    conn_leave_fanout(conn);
    conn->db_change_aware = false;
    conn->disconnect_pending = false;
}

static void conn_got_request(struct jsonrpc_conn *, struct jsonrpc_msg *);
static void conn_got_notify(struct jsonrpc_conn *, struct jsonrpc_msg *);
static bool trigger_try(struct jsonrpc_conn *, struct trigger *);

/* Returns true if running 'conn' at 'now' would do nothing (see
 * jsonrpc_session_is_quiet()), so that a server with many idle clients
 * spends next to nothing on each of them per iteration. */
static bool
conn_is_quiet(struct jsonrpc_conn *conn, long long now, long long *deadline)
{
    return (!conn->disconnect_pending && list_is_empty(&conn->triggers)
            && jsonrpc_session_is_quiet(conn->js, now, deadline));
}

static void
conn_set_throttled(struct jsonrpc_conn *conn, bool throttled)
{
    conn->throttled = throttled;
    if (throttled) {
        jsonrpc_session_unregister_poll(conn->js);
    } else {
        jsonrpc_session_register_poll(conn->js);
    }
}

static void
conn_run(struct jsonrpc_conn *conn)
{
    jsonrpc_session_run(conn->js);
    bool connected = jsonrpc_session_is_connected(conn->js);
    if (conn->was_connected && !connected) {
        conn->last_error = jsonrpc_session_get_last_error(conn->js);
    }
    conn->was_connected = connected;
    if (conn->seqno != jsonrpc_session_get_seqno(conn->js)) {
        conn->seqno = jsonrpc_session_get_seqno(conn->js);
        conn_reset(conn);
    }
    if (conn->disconnect_pending) {
        /* Nothing more is read from a client about to be disconnected;
         * what was sent to it goes out first. */
        if (!jsonrpc_session_get_backlog(conn->js)) {
            jsonrpc_session_force_reconnect(conn->js);
            jsonrpc_session_register_poll(conn->js);
            conn->disconnect_pending = false;
            conn_reset(conn);
        }
        return;
    }

    /* Waiting transactions are tried again when their database changed
     * or their time is up. */
    long long now = list_is_empty(&conn->triggers) ? 0 : time_msec();
    struct trigger *t, *next_t;
    LIST_FOR_EACH_SAFE (t, next_t, node, &conn->triggers) {
        if (t->db_seqno != t->db->seqno || now >= t->deadline) {
            if (trigger_try(conn, t)) {
                trigger_destroy(t);
            }
        }
    }

    /* As in OVS, nothing more is read from a client while replies to it
     * wait to be sent, so that one that does not read cannot make the
     * server queue replies without limit.  Its input is not waited for
     * meanwhile (it would wake the loop again and again). */
    bool throttled = jsonrpc_session_get_backlog(conn->js) > 0;
    if (throttled != conn->throttled) {
        conn_set_throttled(conn, throttled);
    }
    if (throttled) {
        return;
    }

    /* Most of many clients are idle at any time (e.g. monitors waiting
     * for updates): the poll loop tells which have nothing to read. */
    if (jsonrpc_session_recv_is_idle(conn->js)) {
        return;
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
    if (conn->disconnect_pending) {
        if (!jsonrpc_session_get_backlog(conn->js)) {
            poll_immediate_wake();
        }
        return;
    }
    if (!conn->throttled) {
        jsonrpc_session_recv_wait(conn->js);
    }
    const struct trigger *t;
    LIST_FOR_EACH (t, node, &conn->triggers) {
        if (t->db_seqno != t->db->seqno) {
            poll_immediate_wake();
        } else if (t->deadline != LLONG_MAX) {
            poll_timer_wait_until(t->deadline);
        }
    }
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
        *errorp = ovsdb_syntax_error(
            params, NULL, "%s request params must be <id>", request->method);
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
        *errorp = ovsdb_syntax_error(request->params, NULL,
                                     "must issue \"unlock\" before new \"%s\"",
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
    qsort(names, n, sizeof *names, str_compare_ptrs);
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
handle_get_schema(struct jsonrpc_conn *conn, const struct jsonrpc_msg *request,
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

/* Transactions. */

static bool
conn_lock_held(const char *name, void *conn_)
{
    const struct jsonrpc_conn *conn = conn_;
    const struct conn_lock *cl = conn_find_lock(conn, name);
    return cl && ovsdb_lock_waiter_is_owner(cl->waiter);
}

static void
trigger_destroy(struct trigger *t)
{
    list_remove(&t->node);
    jsonrpc_msg_destroy(t->request);
    free(t);
}

/* Executes the transaction of 't'.  Returns true if it completed (the
 * reply is sent or queued), false if a "wait" keeps it waiting. */
static bool
trigger_try(struct jsonrpc_conn *conn, struct trigger *t)
{
    struct jsonrpc_db *db = t->db;
    long long now = time_msec();
    struct ovsdb_execution_options options = {
        .read_only = conn->remote->options.read_only,
        .reserved_db = db->reserved ? db->name : NULL,
        .lock_held = conn_lock_held,
        .aux = conn,
        .elapsed_msec = now - t->created,
    };
    struct ovsdb_execution x;
    ovsdb_execution_compose(db->db, t->request->params, &options, &x);
    t->db_seqno = db->seqno;
    if (!x.results) {
        t->deadline =
            (x.timeout_msec == LLONG_MAX ? LLONG_MAX : now + x.timeout_msec);
        return false;
    }

    if (x.txn) {
        struct ovsdb_error *error = db_commit(db, x.txn);
        if (error) {
            json_array_append_new(x.results, ovsdb_error_to_json_free(error));
        }
    }
    db_send_after_pending(db, conn,
                          jsonrpc_create_reply(x.results, t->request->id));
    if (!db->storage.write) {
        db_flush_pending(conn->remote->server, db, false);
    }
    return true;
}

static void
handle_transact(struct jsonrpc_conn *conn, struct jsonrpc_msg *request)
{
    struct ovsdb_error *error;
    struct jsonrpc_db *db = request_get_db(conn, request, &error);
    if (!db) {
        conn_send(conn, jsonrpc_create_error(ovsdb_error_to_json_free(error),
                                             request->id));
        return;
    }

    /* Most transactions complete at once: they are tried on the request
     * as received, which is copied only if the transaction has to wait. */
    struct trigger first = {
        .request = request,
        .db = db,
        .created = time_msec(),
        .deadline = LLONG_MAX,
    };
    if (!trigger_try(conn, &first)) {
        struct trigger *t = xmemdup(&first, sizeof first);
        t->request = jsonrpc_msg_clone(request);
        list_push_back(&conn->triggers, &t->node);
    }
}

/* Converts a database online to the schema in the request, durably,
 * then serves the converted database.  The clients of the database are
 * told as when it is removed (see db_cancel_clients()); the requester
 * gets its reply before any of them is disconnected. */
static json_t *
handle_convert(struct jsonrpc_conn *conn, const struct jsonrpc_msg *request,
               struct ovsdb_error **errorp)
{
    struct jsonrpc_db *db = request_get_db(conn, request, errorp);
    if (!db) {
        return NULL;
    }
    const json_t *params = request->params;
    if (json_array_size(params) != 2) {
        *errorp = ovsdb_syntax_error(params, NULL, "array expected");
        return NULL;
    }
    struct ovsdb_schema *schema;
    *errorp = ovsdb_schema_from_json(json_array_get(params, 1), &schema);
    if (*errorp) {
        return NULL;
    }

    struct ovsdb *new_db = NULL;
    if (strcmp(schema->name, db->name)) {
        *errorp = ovsdb_error("invalid parameters",
                              "new schema name (%s) does not match "
                              "database name (%s)",
                              schema->name, db->name);
    } else if (conn->remote->options.read_only) {
        *errorp = ovsdb_error("not allowed", "conversions are not allowed "
                                             "on read-only connections");
    } else if (db->reserved || !db->storage.convert) {
        *errorp = ovsdb_error("not allowed", "database %s cannot be converted",
                              db->name);
    } else {
        *errorp = ovsdb_convert(db->db, schema, &new_db);
    }
    ovsdb_schema_destroy(schema);
    if (*errorp) {
        return NULL;
    }

    *errorp = db->storage.convert(new_db, db->storage.aux);
    return *errorp ? NULL : json_object();
}

/* Monitors. */

static struct conn_monitor *
conn_find_monitor(const struct jsonrpc_conn *conn, const json_t *id)
{
    char *text = json_to_string_compact(id, true);
    struct conn_monitor *cm, *found = NULL;
    HMAP_FOR_EACH_WITH_HASH (cm, node, hash_string(text, 0), &conn->monitors) {
        if (!strcmp(cm->id_text, text)) {
            found = cm;
            break;
        }
    }
    free(text);
    return found;
}

static void
conn_monitor_set_id(struct jsonrpc_conn *conn, struct conn_monitor *cm,
                    const json_t *id)
{
    if (cm->id) {
        hmap_remove(&conn->monitors, &cm->node);
        json_decref(cm->id);
        free(cm->id_text);
    } else if (hmap_is_empty(&conn->monitors)) {
        conn->remote->server->n_monitoring_conns++;
    }
    cm->id = json_deep_copy(id);
    cm->id_text = json_to_string_compact(id, true);
    hmap_insert(&conn->monitors, &cm->node, hash_string(cm->id_text, 0));
}

static void
conn_monitor_destroy(struct jsonrpc_conn *conn, struct conn_monitor *cm)
{
    hmap_remove(&conn->monitors, &cm->node);
    if (hmap_is_empty(&conn->monitors)) {
        /* Every connection in the fan-out has monitors (see
         * db_enqueue_fanout()). */
        conn->remote->server->n_monitoring_conns--;
        conn_leave_fanout(conn);
    }
    ovsdb_monitor_unref(cm->monitor);
    json_decref(cm->id);
    free(cm->id_text);
    free(cm);
    conn->remote->server->n_monitors--;
}

/* Sends the reply to 'request' whose result is the text 'prefix', the
 * 'n' bytes at 'contents' and 'suffix', which may be large: written
 * straight into the message rather than parsed back into JSON. */
static void
conn_send_reply_text(struct jsonrpc_conn *conn,
                     const struct jsonrpc_msg *request, const char *prefix,
                     const char *contents, size_t n, const char *suffix)
{
    struct ds msg = DS_EMPTY_INITIALIZER;
    ds_reserve(&msg, n + 128);
    ds_put_cstr(&msg, "{\"id\":");
    json_to_ds(request->id, false, false, &msg);
    ds_put_cstr(&msg, ",\"result\":");
    ds_put_cstr(&msg, prefix);
    ds_put_buffer(&msg, contents, n);
    ds_put_cstr(&msg, suffix);
    ds_put_cstr(&msg, ",\"error\":null}");

    conn_flush_updates(conn, NULL);
    size_t len = msg.length;
    jsonrpc_session_send_text(conn->js, ds_steal_cstr(&msg), len);
    conn_wake(conn);
}

/* Returns the result of the monitor request 'request', or NULL if it sent
 * the reply itself (on success, with the initial contents) or failed
 * ('*errorp' says why). */
static json_t *
handle_monitor(struct jsonrpc_conn *conn, const struct jsonrpc_msg *request,
               enum ovsdb_monitor_version version, struct ovsdb_error **errorp)
{
    struct jsonrpc_db *db = request_get_db(conn, request, errorp);
    if (!db) {
        return NULL;
    }
    const json_t *params = request->params;
    size_t n_params = json_array_size(params);
    if (version == OVSDB_MONITOR_V3 ? n_params != 4 : n_params != 3) {
        *errorp = ovsdb_syntax_error(params, NULL, "invalid parameters");
        return NULL;
    }
    const json_t *id = json_array_get(params, 1);
    const json_t *requests = json_array_get(params, 2);

    struct uuid last_id;
    if (version == OVSDB_MONITOR_V3) {
        const json_t *last = json_array_get(params, 3);
        const char *s = json_string_value(last);
        if (!s || !uuid_from_string(&last_id, s)) {
            *errorp = ovsdb_syntax_error(last, NULL,
                                         "last-txn-id must be UUID format.");
            return NULL;
        }
    }
    if (conn_find_monitor(conn, id)) {
        *errorp = ovsdb_syntax_error(id, NULL, "duplicate monitor ID");
        return NULL;
    }

    struct ovsdb_monitor *monitor;
    *errorp = ovsdb_monitor_get(conn->remote->server->monitors, db->db,
                                version, requests, &monitor);
    if (*errorp) {
        return NULL;
    }

    struct conn_monitor *cm = xzalloc(sizeof *cm);
    cm->db = db;
    cm->monitor = monitor;
    cm->version = version;
    conn_monitor_set_id(conn, cm, id);
    conn->remote->server->n_monitors++;

    size_t n;
    const char *initial;
    if (version != OVSDB_MONITOR_V3) {
        cm->seqno = db->seqno;
        initial = ovsdb_monitor_get_initial(monitor, db->seqno, &n);
        conn_send_reply_text(conn, request, "", initial, n, "");
        return NULL;
    }

    /* A client that saw every transaction up to one we still remember
     * gets only what came after; the others start from scratch. */
    bool found;
    json_t *updates = ovsdb_monitor_get_updates_since(monitor, db->history,
                                                      &last_id, &found);
    char buf[UUID_LEN + 1];
    if (found) {
        cm->seqno = db->dispatched_seqno;
        uuid_to_string(ovsdb_monitor_history_get_last_id(db->history), buf);
        return json_pack("[b,s,o]", true, buf,
                         updates ? updates : json_object());
    }
    cm->seqno = db->seqno;
    char prefix[UUID_LEN + 16];
    snprintf(prefix, sizeof prefix, "[false,\"%s\",",
             uuid_to_string(&db->last_txn_id, buf));
    initial = ovsdb_monitor_get_initial(monitor, db->seqno, &n);
    conn_send_reply_text(conn, request, prefix, initial, n, "]");
    return NULL;
}

static json_t *
handle_monitor_cond_change(struct jsonrpc_conn *conn,
                           const struct jsonrpc_msg *request,
                           struct ovsdb_error **errorp)
{
    const json_t *params = request->params;
    if (json_array_size(params) != 3) {
        *errorp = ovsdb_syntax_error(params, NULL, "invalid parameters");
        return NULL;
    }
    const json_t *old_id = json_array_get(params, 0);
    const json_t *new_id = json_array_get(params, 1);
    struct conn_monitor *cm = conn_find_monitor(conn, old_id);
    if (!cm) {
        *errorp = ovsdb_syntax_error(old_id, NULL, "unknown monitor session");
        return NULL;
    }
    if (!json_equal((json_t *) old_id, (json_t *) new_id)
        && conn_find_monitor(conn, new_id)) {
        *errorp = ovsdb_syntax_error(new_id, NULL, "duplicate monitor ID");
        return NULL;
    }

    /* What the old conditions select from the commits so far goes
     * first. */
    conn_monitor_flush(conn, cm);

    struct ovsdb_monitor *new_monitor;
    json_t *updates;
    *errorp = ovsdb_monitor_change_condition(
        cm->monitor, json_array_get(params, 2), &new_monitor, &updates);
    if (*errorp) {
        return NULL;
    }
    ovsdb_monitor_unref(cm->monitor);
    cm->monitor = new_monitor;
    conn_monitor_set_id(conn, cm, new_id);

    /* The rows that the new conditions bring in or take out go before
     * the reply. */
    if (updates) {
        char *text = json_to_string_compact(updates, false);
        send_monitor_update(conn, cm,
                            ovsdb_monitor_history_get_last_id(cm->db->history),
                            text, strlen(text));
        free(text);
        json_decref(updates);
    }
    return json_object();
}

static void
handle_monitor_cancel(struct jsonrpc_conn *conn,
                      const struct jsonrpc_msg *request)
{
    json_t *error = NULL;
    if (json_array_size(request->params) != 1) {
        error = json_string("invalid parameters");
    } else {
        struct conn_monitor *cm =
            conn_find_monitor(conn, json_array_get(request->params, 0));
        if (!cm) {
            error = json_string("unknown monitor");
        } else {
            struct jsonrpc_db *db = cm->db;
            conn_monitor_destroy(conn, cm);
            db_send_after_pending(
                db, conn, jsonrpc_create_reply(json_object(), request->id));
            return;
        }
    }
    conn_send(conn, jsonrpc_create_error(error, request->id));
}
static void
conn_got_request(struct jsonrpc_conn *conn, struct jsonrpc_msg *request)
{
    const char *method = request->method;
    struct ovsdb_error *error = NULL;
    json_t *result = NULL;
    bool replied = false; /* By the handler itself. */

    COVERAGE_INC(jsonrpc_server_request);
    if (!strcmp(method, "transact")) {
        handle_transact(conn, request);
        return;
    } else if (!strcmp(method, "monitor")) {
        result = handle_monitor(conn, request, OVSDB_MONITOR_V1, &error);
        replied = !result && !error;
    } else if (!strcmp(method, "monitor_cond")) {
        result = handle_monitor(conn, request, OVSDB_MONITOR_V2, &error);
        replied = !result && !error;
    } else if (!strcmp(method, "monitor_cond_since")) {
        result = handle_monitor(conn, request, OVSDB_MONITOR_V3, &error);
        replied = !result && !error;
    } else if (!strcmp(method, "monitor_cond_change")) {
        result = handle_monitor_cond_change(conn, request, &error);
    } else if (!strcmp(method, "monitor_cancel")) {
        handle_monitor_cancel(conn, request);
        return;
    } else if (!strcmp(method, "convert")) {
        result = handle_convert(conn, request, &error);
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
    } else if (!replied) {
        conn_send(conn, jsonrpc_create_reply(result, request->id));
    }
}

static void
conn_got_notify(struct jsonrpc_conn *conn, struct jsonrpc_msg *notify)
{
    /* "cancel" ends a transaction that is still waiting; other
     * notifications mean nothing to a server and are ignored, as OVS
     * does. */
    if (!strcmp(notify->method, "cancel")
        && json_array_size(notify->params) == 1) {
        const json_t *id = json_array_get(notify->params, 0);
        struct trigger *t;
        LIST_FOR_EACH (t, node, &conn->triggers) {
            if (json_equal(t->request->id, (json_t *) id)) {
                conn_send(conn, jsonrpc_create_error(json_string("canceled"),
                                                     t->request->id));
                trigger_destroy(t);
                break;
            }
        }
    }
}

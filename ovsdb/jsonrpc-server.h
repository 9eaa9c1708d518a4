/* The JSON-RPC side of ovsdb-server: remotes (listeners and outgoing
 * connections), one session per client, and the OVSDB methods of RFC 7047
 * and ovsdb-server(7) dispatched on each session.
 *
 * The server serves the databases added with
 * ovsdb_jsonrpc_server_add_db().  It runs in the daemon's main loop:
 * ovsdb_jsonrpc_server_run() accepts connections and handles what the
 * clients sent, ovsdb_jsonrpc_server_wait() registers what it waits for. */
#ifndef OVSDB_JSONRPC_SERVER_H
#define OVSDB_JSONRPC_SERVER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"

struct memory_usage;
struct ovsdb;
struct ovsdb_error;
struct ovsdb_schema;
struct ovsdb_txn;
struct uuid;

/* Options of one remote. */
struct ovsdb_jsonrpc_options {
    int max_backoff;    /* Maximum reconnect backoff, in ms. */
    int probe_interval; /* Inactivity probe interval in ms, or 0. */
    bool read_only;     /* Only reads are allowed on this remote. */
    int dscp;           /* IP DSCP of the connections. */
};

/* Sets 'options' to the defaults for remote 'target': probes every 5 s
 * on tcp and ssl, no probes on unix sockets, 8 s maximum backoff,
 * read-write. */
void ovsdb_jsonrpc_default_options(const char *target,
                                   struct ovsdb_jsonrpc_options *options);

/* A remote to configure: a connection name ("punix:FILE", "ptcp:6640",
 * "tcp:1.2.3.4:6640", ...) and its options. */
struct ovsdb_jsonrpc_remote_config {
    const char *name;
    struct ovsdb_jsonrpc_options options;
};

/* Creates a server whose sessions identify themselves (for
 * "get_server_id") with 'server_id'. */
struct ovsdb_jsonrpc_server *
ovsdb_jsonrpc_server_create(const struct uuid *server_id);
/* Closes every remote and session and frees 'server'.  NULL is a no-op. */
void ovsdb_jsonrpc_server_destroy(struct ovsdb_jsonrpc_server *server);

/* Where a database's transactions go before clients learn about them.
 * 'write' records the precommitted 'txn' and stores a sequence number in
 * '*seqp'; the transaction is acknowledged (its reply and the monitor
 * updates it causes are sent) once 'get_durable_seq' reaches that
 * number.  Transactions thus become visible to clients in commit order,
 * and only once they are durable.
 *
 * 'convert', for the "convert" method, takes 'new_db', the database
 * converted to a new schema, and must make it replace the database
 * durably, in storage first, then in the server with
 * ovsdb_jsonrpc_server_replace_db(); the reply goes out once it returns
 * NULL.  On error it frees 'new_db' and leaves everything as it was.  A
 * null 'convert' makes "convert" fail with "not allowed". */
struct ovsdb_jsonrpc_storage {
    struct ovsdb_error *(*write)(const struct ovsdb_txn *txn, void *aux,
                                 uint64_t *seqp);
    uint64_t (*get_durable_seq)(void *aux);
    struct ovsdb_error *(*convert)(struct ovsdb *new_db, void *aux);
    void *aux;
};

/* Serves database 'name' with 'schema' and contents 'db' (all borrowed;
 * they must stay valid until the database is removed), whose committed
 * transactions go to 'storage' (NULL for a database only in memory).
 * With 'reserved', clients may not change it (the "_Server" database).
 * Returns false if a database of that name is already served. */
bool ovsdb_jsonrpc_server_add_db(struct ovsdb_jsonrpc_server *server,
                                 const char *name,
                                 const struct ovsdb_schema *schema,
                                 struct ovsdb *db, bool reserved,
                                 const struct ovsdb_jsonrpc_storage *storage);

/* Commits 'txn', an open transaction on database 'name' made by the
 * server itself, exactly as clients' transactions are committed (storage,
 * monitors).  On error the transaction is aborted. */
struct ovsdb_error *
ovsdb_jsonrpc_server_commit(struct ovsdb_jsonrpc_server *server,
                            const char *name,
                            struct ovsdb_txn *txn) OVS_WARN_UNUSED_RESULT;

/* Returns true if transactions committed to database 'name' wait for
 * storage. */
bool
ovsdb_jsonrpc_server_has_pending(const struct ovsdb_jsonrpc_server *server,
                                 const char *name);

/* Returns the number of client sessions. */
size_t
ovsdb_jsonrpc_server_n_sessions(const struct ovsdb_jsonrpc_server *server);

/* Stops serving the database called 'name': cancels the monitors and
 * pending transactions on it (telling clients that asked for
 * "set_db_change_aware" with "monitor_canceled") and disconnects the
 * clients that did not.  Returns false if there is no such database. */
bool ovsdb_jsonrpc_server_remove_db(struct ovsdb_jsonrpc_server *server,
                                    const char *name);

/* Makes database 'name' be served with 'schema' and contents 'db' (both
 * borrowed, as in ovsdb_jsonrpc_server_add_db()) instead of what it had,
 * after a schema conversion.  Commits waiting for storage are
 * acknowledged first (the caller has made them durable), then clients
 * are told as by ovsdb_jsonrpc_server_remove_db(), and monitor_cond_since
 * starts over.  Returns false if there is no such database. */
bool ovsdb_jsonrpc_server_replace_db(struct ovsdb_jsonrpc_server *server,
                                     const char *name,
                                     const struct ovsdb_schema *schema,
                                     struct ovsdb *db);

/* Returns a number that changes whenever a database is added, removed or
 * changed by a commit, so that configuration read from the databases
 * needs to be read again only when it changes. */
uint64_t ovsdb_jsonrpc_server_get_change_seqno(
    const struct ovsdb_jsonrpc_server *server);

/* Returns true if a database called 'name' is served. */
bool ovsdb_jsonrpc_server_has_db(const struct ovsdb_jsonrpc_server *server,
                                 const char *name);

/* Makes the server's remotes exactly the 'n' in 'remotes': opens the new
 * ones, closes (with their sessions) those not listed any more, and
 * applies changed options to the others. */
void ovsdb_jsonrpc_server_set_remotes(
    struct ovsdb_jsonrpc_server *server,
    const struct ovsdb_jsonrpc_remote_config *remotes, size_t n);

/* Drops every client connection; outgoing remotes reconnect at once. */
void ovsdb_jsonrpc_server_reconnect(struct ovsdb_jsonrpc_server *server);

void ovsdb_jsonrpc_server_run(struct ovsdb_jsonrpc_server *server);
void ovsdb_jsonrpc_server_wait(struct ovsdb_jsonrpc_server *server);

/* Tells the server that storage made more transactions durable, so that
 * their replies and updates can go out. */
void
ovsdb_jsonrpc_server_storage_progressed(struct ovsdb_jsonrpc_server *server);

/* What the server reports to "memory/show". */
void ovsdb_jsonrpc_server_get_memory_usage(
    const struct ovsdb_jsonrpc_server *server, struct memory_usage *usage);

/* The state of a remote, for the status columns of the rows that
 * configure remotes (e.g. Manager's "is_connected" and "status"). */
struct ovsdb_jsonrpc_remote_status {
    bool is_connected;
    const char *state;      /* "ACTIVE", "BACKOFF", ...; NULL for listeners. */
    const char *last_error; /* NULL if none. */
    unsigned int sec_since_connect;    /* UINT_MAX if never. */
    unsigned int sec_since_disconnect; /* UINT_MAX if never. */
    char *locks_held; /* Space-separated lock names (malloc'd). */
    char *locks_waiting;
    char *locks_lost;
    int n_connections;   /* For passive remotes. */
    uint16_t bound_port; /* For ptcp/pssl remotes, else 0. */
};

/* Stores the status of remote 'name' in '*status' and returns true, or
 * returns false if there is no such remote (or it is a listener that
 * failed to listen).  A listener reports, as OVS's do, whether it has
 * connections, how many, and its bound port, with both "sec_since" times
 * 0 and no state or locks.  Free with
 * ovsdb_jsonrpc_remote_status_destroy(). */
bool ovsdb_jsonrpc_server_get_remote_status(
    const struct ovsdb_jsonrpc_server *server, const char *name,
    struct ovsdb_jsonrpc_remote_status *status);
void ovsdb_jsonrpc_remote_status_destroy(
    struct ovsdb_jsonrpc_remote_status *status);

#endif /* ovsdb/jsonrpc-server.h */

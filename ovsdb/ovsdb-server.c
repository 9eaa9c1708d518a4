/* ovsdb-server: serves OVSDB databases over JSON-RPC (RFC 7047), as
 * Open vSwitch's ovsdb-server does, with the same options and control
 * commands. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/coverage.h"
#include "lib/daemon.h"
#include "lib/dirs.h"
#include "lib/ds.h"
#include "lib/fatal-signal.h"
#include "lib/hash.h"
#include "lib/hmap.h"
#include "lib/json-alloc.h"
#include "lib/json.h"
#include "lib/jsonrpc.h"
#include "lib/list.h"
#include "lib/memory.h"
#include "lib/poll-loop.h"
#include "lib/sset.h"
#include "lib/stream-ssl.h"
#include "lib/stream.h"
#include "lib/timeval.h"
#include "lib/unixctl.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "lib/vlog.h"
#include "ovsdb/compaction.h"
#include "ovsdb/file.h"
#include "ovsdb/jsonrpc-server.h"
#include "ovsdb/log.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-record.h"
#include "ovsdb/ovsdb-row.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb-table.h"
#include "ovsdb/ovsdb-txn.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/server-config.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_server);

/* The schema of the built-in "_Server" database, which describes the
 * other databases to clients (ovsdb-server(5)).  Its text is an
 * interface: clients compare its version and checksum. */
static const char server_schema_json[] =
    "{\"name\":\"_Server\",\"version\":\"1.2.0\","
    "\"cksum\":\"3009684573 744\","
    "\"tables\":{\"Database\":{\"columns\":{"
    "\"name\":{\"type\":\"string\"},"
    "\"model\":{\"type\":{\"key\":{\"type\":\"string\","
    "\"enum\":[\"set\",[\"standalone\",\"clustered\",\"relay\"]]}}},"
    "\"connected\":{\"type\":\"boolean\"},"
    "\"leader\":{\"type\":\"boolean\"},"
    "\"schema\":{\"type\":{\"key\":{\"type\":\"string\"},\"min\":0,"
    "\"max\":1}},"
    "\"cid\":{\"type\":{\"key\":{\"type\":\"uuid\"},\"min\":0,\"max\":1}},"
    "\"sid\":{\"type\":{\"key\":{\"type\":\"uuid\"},\"min\":0,\"max\":1}},"
    "\"index\":{\"type\":{\"key\":{\"type\":\"integer\"},\"min\":0,"
    "\"max\":1}}}}}}";

#define SERVER_DB_NAME "_Server"

/* A database file being served. */
struct server_db {
    struct hmap_node node; /* In 'dbs', by name. */
    char *file_name;       /* NULL for _Server. */
    char *name;
    struct ovsdb *db;
    struct ovsdb_log *log; /* NULL for _Server. */
    bool commit_error_logged;
    struct ds record_text; /* Scratch buffer for storage_write(). */

    /* Group commit (see storage_run()). */
    uint64_t iteration_written_seq; /* Written seq when the iteration
                                     * started. */
    long long unrequested_usec;     /* Since when records wait for a
                                     * commit to start, 0 if none do. */

    /* Compaction. */
    struct ovsdb_compaction *compaction; /* In progress, or NULL. */
    bool compact_again;             /* Requested while 'compaction' ran. */
    long long last_compaction_msec; /* Or when opened. */
};

/* A pending "ovsdb-server/compact": answered once every database it asked
 * for is compacted.  A database compacting already when the request came
 * is compacted once more afterwards: 'dbs' holds it until then, and
 * 'wait_next' until the current compaction is over. */
struct compact_request {
    struct list node; /* In 'compact_requests'. */
    struct unixctl_conn *conn;
    struct sset dbs;       /* Names of the databases still compacting. */
    struct sset wait_next; /* Subset of 'dbs': need the next compaction. */
    struct ds errors;
};
static struct list compact_requests = LIST_INITIALIZER(&compact_requests);

static struct ovsdb_jsonrpc_storage server_db_storage(struct server_db *);
static void compact_requests_done(const struct server_db *,
                                  const struct ovsdb_error *, bool final);
static void update_server_db(void);
/* The state of the whole server. */
static struct hmap dbs = HMAP_INITIALIZER(&dbs);
static struct sset remotes = SSET_INITIALIZER(&remotes);
static struct ovsdb_jsonrpc_server *jsonrpc;
static bool remotes_changed = true;
static bool exiting;

/* "ovsdb-server/memory-trim-on-compaction": return freed memory to the
 * system after each compaction. */
static bool trim_memory;

/* SSL options as given: file names or "db:" references, read again
 * whenever the databases change. */
static char *ssl_private_key;
static char *ssl_certificate;
static char *ssl_ca_cert;
static bool ssl_bootstrap_ca_cert;
static char *ssl_protocols;
static char *ssl_ciphers;

/* Database contents that configuration was last read from. */
static uint64_t config_seqno = UINT64_MAX;

/* How often the status of remotes read from the databases is written back
 * to their rows, as OVS does. */
#define STATUS_UPDATE_INTERVAL_MSEC 2500
static long long next_status_update;

/* --run: the command to run, and its pid once started. */
static char *run_command;
static pid_t run_pid = -1;

static void parse_options(int argc, char *argv[], struct sset *db_files,
                          char **unixctl_pathp);
static void usage(void);

static struct server_db *
find_db(const char *name)
{
    struct server_db *db;
    HMAP_FOR_EACH_WITH_HASH (db, node, hash_string(name, 0), &dbs) {
        if (!strcmp(db->name, name)) {
            return db;
        }
    }
    return NULL;
}

/* Stops 'db''s compaction, if any, and closes its log, which syncs the
 * file and deletes the commit journal. */
static void
server_db_close_storage(struct server_db *db)
{
    ovsdb_compaction_abort(db->compaction);
    db->compaction = NULL;
    ovsdb_log_close(db->log);
    db->log = NULL;
}

static void
server_db_destroy(struct server_db *db)
{
    if (db) {
        server_db_close_storage(db);
        ovsdb_destroy(db->db);
        ds_destroy(&db->record_text);
        free(db->file_name);
        free(db->name);
        free(db);
    }
}

/* Opens the database file 'file_name', locked for writing, and reads it
 * (see ovsdb/file.h).  Returns NULL and stores the database in '*dbp', or
 * returns the error. */
static struct ovsdb_error *
server_db_open(const char *file_name, struct server_db **dbp)
{
    *dbp = NULL;
    struct ovsdb *ovsdb;
    struct ovsdb_log *log;
    struct ovsdb_error *error = ovsdb_file_read(
        file_name, NULL, OVSDB_LOG_READ_WRITE, true, &ovsdb, &log);
    if (error) {
        return error;
    }

    struct server_db *db = xzalloc(sizeof *db);
    db->file_name = xstrdup(file_name);
    db->name = xstrdup(ovsdb->schema->name);
    db->db = ovsdb;
    db->log = log;
    /* Records reach the file in one write per iteration of the main loop,
     * when storage_run() starts their commit. */
    ovsdb_log_defer_writes(log);
    /* And commits write them to the journal, rather than sync the file. */
    ovsdb_log_use_journal(log);
    ds_init(&db->record_text);
    db->last_compaction_msec = time_msec();
    *dbp = db;
    return NULL;
}

/* Starts serving 'db' (taken).  Returns NULL or an error (then 'db' has
 * been freed). */
static struct ovsdb_error *
add_db(struct server_db *db)
{
    if (find_db(db->name)) {
        struct ovsdb_error *error =
            ovsdb_error(NULL, "%s: duplicate database name", db->name);
        server_db_destroy(db);
        return error;
    }
    hmap_insert(&dbs, &db->node, hash_string(db->name, 0));
    struct ovsdb_jsonrpc_storage storage = server_db_storage(db);
    ovsdb_jsonrpc_server_add_db(jsonrpc, db->name, db->db->schema, db->db,
                                !db->file_name, db->log ? &storage : NULL);
    update_server_db();
    return NULL;
}

static void
remove_db(struct server_db *db)
{
    /* Whatever clients were promised must be on disk before the file is
     * closed. */
    if (db->log) {
        struct ovsdb_error *error = ovsdb_log_commit_block(db->log);
        if (error) {
            char *msg = ovsdb_error_to_string_free(error);
            VLOG_ERR("%s", msg);
            free(msg);
        }
    }
    if (db->compaction) {
        ovsdb_compaction_abort(db->compaction);
        db->compaction = NULL;
        struct ovsdb_error *error = ovsdb_error(
            NULL, "%s: database removed while compacting", db->name);
        compact_requests_done(db, error, true);
        ovsdb_error_destroy(error);
    }
    ovsdb_jsonrpc_server_remove_db(jsonrpc, db->name);
    hmap_remove(&dbs, &db->node);
    server_db_destroy(db);
    update_server_db();
}

static struct server_db *
create_server_db(void)
{
    json_t *json;
    char *msg = json_from_string(server_schema_json, &json);
    ovs_assert(!msg);
    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);
    ovs_assert(!error);
    json_decref(json);

    struct server_db *db = xzalloc(sizeof *db);
    db->name = xstrdup(SERVER_DB_NAME);
    db->db = ovsdb_create(schema);
    return db;
}

/* Storage: each transaction is appended to the log at once and
 * acknowledged after a commit covers it; transactions that come while a
 * commit runs share the next one (group commit). */

static struct ovsdb_error *
storage_write(const struct ovsdb_txn *txn, void *db_, uint64_t *seqp)
{
    struct server_db *db = db_;
    struct ovsdb_error *error = NULL;
    struct ds *text = &db->record_text;
    ds_clear(text);
    if (ovsdb_record_text_from_txn(txn, time_wall_msec(), text)) {
        /* Serialised once for the log and, while it is being compacted,
         * for the new file too. */
        ds_put_char(text, '\n');
        error = ovsdb_log_write_text(db->log, text->string, text->length);
        if (!error && db->compaction) {
            ovsdb_compaction_append(db->compaction, text->string,
                                    text->length);
        }
        if (text->allocated > 1024 * 1024) {
            ds_destroy(text); /* Do not keep a huge record's memory. */
            ds_init(text);
        }
    }
    *seqp = ovsdb_log_get_written_seq(db->log);
    return error;
}

static uint64_t
storage_get_durable_seq(void *db_)
{
    struct server_db *db = db_;
    uint64_t durable = ovsdb_log_get_durable_seq(db->log);
    return (db->compaction
                ? ovsdb_compaction_durable_seq(db->compaction, durable)
                : durable);
}

/* Online schema conversion ("convert"): the file becomes the new schema
 * and a snapshot of 'new_db', atomically and durably, before the server
 * serves 'new_db' instead of the old database. */
static struct ovsdb_error *
storage_convert(struct ovsdb *new_db, void *db_)
{
    struct server_db *db = db_;

    /* A compaction under way would put the old schema back; the
     * conversion compacts the file anyway. */
    if (db->compaction) {
        ovsdb_compaction_abort(db->compaction);
        db->compaction = NULL;
        db->compact_again = false;
        compact_requests_done(db, NULL, true);
    }
    struct ovsdb_error *error =
        ovsdb_file_compact(db->log, new_db, "converted by ovsdb-server");
    if (error) {
        ovsdb_destroy(new_db);
        return error;
    }
    db->last_compaction_msec = time_msec();

    struct ovsdb *old_db = db->db;
    db->db = new_db;
    ovsdb_jsonrpc_server_replace_db(jsonrpc, db->name, new_db->schema, new_db);
    ovsdb_destroy(old_db);
    VLOG_INFO("%s: converted to schema version %s", db->name,
              new_db->schema->version ? new_db->schema->version : "");
    update_server_db();
    return NULL;
}

static struct ovsdb_jsonrpc_storage
server_db_storage(struct server_db *db)
{
    return (struct ovsdb_jsonrpc_storage){
        .write = storage_write,
        .get_durable_seq = storage_get_durable_seq,
        .convert = storage_convert,
        .aux = db,
    };
}

/* Group commit.  When no commit is under way, the records written in an
 * iteration of the main loop do not start one at once if the iteration
 * found transactions to write: the loop polls again without blocking and
 * starts it when an iteration finds none, when every client has a
 * transaction waiting, or when the first record has waited
 * GROUP_COMMIT_MAX_WAIT_USEC.  Clients that answer one
 * acknowledgement each with their next transaction, at about the same
 * time, then share one fsync instead of a few, and an fsync costs more
 * CPU than the transactions it covers.  (While a commit runs, the next
 * waits for it anyway, and gathers what comes meanwhile.) */
#define GROUP_COMMIT_MAX_WAIT_USEC 100

/* Where the log can write its journal asynchronously (see
 * ovsdb_log_commits_async()), a commit is one such write, started by the
 * loop, which goes on serving clients while the disk works: no thread.
 *
 * Otherwise, a commit runs in the main loop itself, rather than in the
 * background (the commit thread), if none is under way, it covers at most
 * INLINE_COMMIT_MAX_TXNS transactions and fsyncs take no longer than
 * INLINE_COMMIT_MAX_USEC: then handing it to the commit thread and being woken
 * by it costs more time than it saves (the few clients that sent them all wait
 * for it, and the others wait for that long at most).  With more clients, the
 * loop serves them while the thread syncs. */
#define INLINE_COMMIT_MAX_USEC 200
#define INLINE_COMMIT_MAX_TXNS 16

/* Sends the replies and updates of what storage made durable, and, if
 * 'start_commits', starts commits for what is written and not yet
 * durable.  The main loop calls it before and after serving clients. */
static void
storage_run(bool start_commits)
{
    bool progressed = false;
    struct server_db *db;
    HMAP_FOR_EACH (db, node, &dbs) {
        if (!db->log) {
            continue;
        }
        uint64_t durable;
        struct ovsdb_error *error = ovsdb_log_commit_done(db->log, &durable);
        if (error) {
            if (!db->commit_error_logged) {
                char *msg = ovsdb_error_to_string_free(error);
                VLOG_ERR("%s: %s", db->name, msg);
                free(msg);
                db->commit_error_logged = true;
            } else {
                ovsdb_error_destroy(error);
            }
            continue;
        }
        progressed = true;
        uint64_t written = ovsdb_log_get_written_seq(db->log);
        if (!start_commits) {
            db->iteration_written_seq = written;
        } else if (ovsdb_log_commit_needed(db->log)) {
            long long now = time_usec();
            if (!db->unrequested_usec) {
                db->unrequested_usec = now;
            }
            bool busy = ovsdb_log_commit_in_progress(db->log);
            /* A commit is due when every client has a transaction waiting
             * (no other can come before some are acknowledged), when an
             * iteration found none, or when the first has waited long
             * enough. */
            bool start =
                (written - durable >= ovsdb_jsonrpc_server_n_sessions(jsonrpc)
                 || written == db->iteration_written_seq
                 || now - db->unrequested_usec >= GROUP_COMMIT_MAX_WAIT_USEC);
            if (ovsdb_log_commits_async(db->log)) {
                /* One journal write at a time runs beside the loop; what
                 * comes meanwhile waits for the next. */
                if (start && !busy) {
                    ovsdb_log_commit_start(db->log);
                    db->unrequested_usec = 0;
                }
            } else if (start || busy) {
                long long sync_usec = ovsdb_log_get_sync_usec(db->log);
                if (!busy && sync_usec && sync_usec <= INLINE_COMMIT_MAX_USEC
                    && written - durable <= INLINE_COMMIT_MAX_TXNS) {
                    /* A failure is sticky: the next iteration reports it. */
                    ovsdb_error_destroy(ovsdb_log_commit_block(db->log));
                } else {
                    ovsdb_log_commit_start(db->log);
                }
                db->unrequested_usec = 0;
            }
            /* Otherwise storage_wait() wakes the loop at once. */
        }
    }
    if (progressed) {
        ovsdb_jsonrpc_server_storage_progressed(jsonrpc);
    }
}

static void
storage_wait(void)
{
    struct server_db *db;
    HMAP_FOR_EACH (db, node, &dbs) {
        if (!db->log) {
            continue;
        }
        /* Records written after storage_run() in this iteration have no
         * commit yet; and a commit that finished after storage_run() read
         * the durable point has left its wake-up in the pipe, so the pipe
         * is watched whether or not a commit still looks busy.  Either
         * way, clients waiting for durable replies are not left waiting
         * for some unrelated event. */
        if (ovsdb_log_commit_needed(db->log)
            && !(ovsdb_log_commits_async(db->log)
                 && ovsdb_log_commit_in_progress(db->log))) {
            poll_immediate_wake();
        }
        ovsdb_log_commit_wait(db->log);
    }
}

/* Starts compacting 'db' in the background (see ovsdb/compaction.h).  If
 * a compaction is under way already, another one follows it, so that
 * the file ends up compacted as of now. */
static struct ovsdb_error *
compact_db_start(struct server_db *db)
{
    if (db->compaction) {
        db->compact_again = true;
        return NULL;
    }
    db->compact_again = false;
    db->last_compaction_msec = time_msec();
    return ovsdb_compaction_start(db->log, db->db, NULL, &db->compaction);
}

/* Answers the "ovsdb-server/compact" requests that waited for the
 * compaction of 'db' that just ended (with 'error', if nonnull) once they
 * waited for nothing else.  Requests that wait for the next compaction
 * of 'db' go on waiting, unless 'final' says that there will be none. */
static void
compact_requests_done(const struct server_db *db,
                      const struct ovsdb_error *error, bool final)
{
    struct compact_request *req, *next;
    LIST_FOR_EACH_SAFE (req, next, node, &compact_requests) {
        if (!sset_contains(&req->dbs, db->name)) {
            continue;
        }
        if (sset_find_and_delete(&req->wait_next, db->name) && !final) {
            continue;
        }
        sset_find_and_delete(&req->dbs, db->name);
        if (error) {
            char *msg = ovsdb_error_to_string(error);
            ds_put_format(&req->errors, "%s\n", msg);
            free(msg);
        }
        if (sset_is_empty(&req->dbs)) {
            if (req->errors.length) {
                unixctl_command_reply_error(req->conn, ds_cstr(&req->errors));
            } else {
                unixctl_command_reply(req->conn, NULL);
            }
            list_remove(&req->node);
            sset_destroy(&req->dbs);
            sset_destroy(&req->wait_next);
            ds_destroy(&req->errors);
            free(req);
        }
    }
}

static void
log_compaction_error(const struct server_db *db,
                     const struct ovsdb_error *error)
{
    char *msg = ovsdb_error_to_string(error);
    VLOG_WARN("%s: compacting failed: %s", db->name, msg);
    free(msg);
}

/* Advances the compactions under way and completes those that are over,
 * starting the next one where a request asked for it meanwhile. */
static void
compaction_run(void)
{
    struct server_db *db;
    HMAP_FOR_EACH (db, node, &dbs) {
        if (!db->compaction || !ovsdb_compaction_run(db->compaction)) {
            continue;
        }
        struct ovsdb_error *error = ovsdb_compaction_finish(db->compaction);
        db->compaction = NULL;
        if (error) {
            log_compaction_error(db, error);
        } else if (trim_memory) {
            malloc_trim(0);
        }
        /* Acknowledgements held back while the file was replaced may go
         * out now. */
        ovsdb_jsonrpc_server_storage_progressed(jsonrpc);
        compact_requests_done(db, error, false);
        ovsdb_error_destroy(error);

        if (db->compact_again) {
            error = compact_db_start(db);
            if (error) {
                log_compaction_error(db, error);
                compact_requests_done(db, error, true);
                ovsdb_error_destroy(error);
            }
        }
    }
}

static void
compaction_wait(void)
{
    struct server_db *db;
    HMAP_FOR_EACH (db, node, &dbs) {
        if (db->compaction) {
            ovsdb_compaction_wait(db->compaction);
        }
    }
}

/* Compacts databases by OVS's rule (see ovsdb_compaction_is_due()). */
static void
auto_compact(void)
{
    long long now = time_msec();
    struct server_db *db;
    HMAP_FOR_EACH (db, node, &dbs) {
        if (!db->log || db->compaction) {
            continue;
        }
        struct ovsdb_compaction_rule_input in = {
            .now_msec = now,
            .last_compaction_msec = db->last_compaction_msec,
            .n_appended = ovsdb_log_get_n_appended(db->log),
            .size = ovsdb_log_get_offset(db->log),
            .base_size = ovsdb_log_get_base_size(db->log),
        };
        if (ovsdb_compaction_is_due(&in)) {
            VLOG_INFO("%s: compacting database online", db->name);
            struct ovsdb_error *error = compact_db_start(db);
            if (error) {
                log_compaction_error(db, error);
                ovsdb_error_destroy(error);
            }
        }
    }
}

/* The _Server database: one row per database served. */

static const struct ovsdb_row *
find_server_row(const struct ovsdb_table *table, const char *name)
{
    const struct ovsdb_row *row;
    const struct ovsdb_column *column =
        ovsdb_table_schema_get_column(table->schema, "name");
    HMAP_FOR_EACH (row, hmap_node, &table->rows) {
        const struct ovsdb_datum *d = &row->fields[column->index];
        if (d->n == 1 && !strcmp(d->keys[0].string, name)) {
            return row;
        }
    }
    return NULL;
}

/* Makes the rows of _Server's Database table match the databases served. */
static void
update_server_db(void)
{
    struct server_db *sdb = find_db(SERVER_DB_NAME);
    if (!sdb) {
        return;
    }
    struct ovsdb_table *table = ovsdb_get_table(sdb->db, "Database");
    struct ovsdb_txn *txn = ovsdb_txn_create(sdb->db);

    const struct ovsdb_column *schema_column =
        ovsdb_table_schema_get_column(table->schema, "schema");
    struct server_db *db;
    HMAP_FOR_EACH (db, node, &dbs) {
        json_t *schema_json = ovsdb_schema_to_json(db->db->schema);
        char *schema_text = json_to_string_compact(schema_json, true);
        json_decref(schema_json);

        /* A converted database keeps its row with the new schema. */
        const struct ovsdb_row *old = find_server_row(table, db->name);
        if (old) {
            const struct ovsdb_datum *d = &old->fields[schema_column->index];
            if (d->n != 1 || strcmp(d->keys[0].string, schema_text)) {
                struct ovsdb_row *row = ovsdb_txn_row_modify(txn, old);
                json_t *row_json = json_pack("{s:o}", "schema",
                                             json_string_take(schema_text));
                struct ovsdb_error *error =
                    ovsdb_row_from_json(row, row_json, NULL, NULL);
                ovs_assert(!error);
                json_decref(row_json);
            } else {
                free(schema_text);
            }
            continue;
        }
        json_t *row_json =
            json_pack("{s:s,s:s,s:b,s:b,s:o}", "name", db->name, "model",
                      "standalone", "connected", true, "leader", true,
                      "schema", json_string_take(schema_text));

        struct ovsdb_row *row = ovsdb_row_create(table);
        uuid_generate(ovsdb_row_get_uuid_rw(row));
        struct ovsdb_error *error =
            ovsdb_row_from_json(row, row_json, NULL, NULL);
        ovs_assert(!error);
        json_decref(row_json);
        ovsdb_txn_row_insert(txn, row);
    }

    const struct ovsdb_row *row, *next;
    const struct ovsdb_column *name_column =
        ovsdb_table_schema_get_column(table->schema, "name");
    HMAP_FOR_EACH_SAFE (row, next, hmap_node, &table->rows) {
        const struct ovsdb_datum *d = &row->fields[name_column->index];
        if (d->n != 1 || !find_db(d->keys[0].string)) {
            ovsdb_txn_row_delete(txn, row);
        }
    }

    struct ovsdb_error *error =
        ovsdb_jsonrpc_server_commit(jsonrpc, SERVER_DB_NAME, txn);
    if (error) {
        char *msg = ovsdb_error_to_string_free(error);
        VLOG_ERR("updating _Server database failed: %s", msg);
        free(msg);
    }
}

/* Remotes. */

static struct ovsdb *
config_find_db(const char *name, void *aux OVS_UNUSED)
{
    struct server_db *db = find_db(name);
    return db ? db->db : NULL;
}

/* Checks the "db:DB,TABLE,COLUMN" remote 'remote'.  Returns NULL if it is
 * valid, otherwise a malloc'd message with OVS's wording. */
static char *
check_db_remote(const char *remote)
{
    return server_config_check_ref(remote, false, config_find_db, NULL);
}

/* Gives the JSON-RPC server the remotes it should have now: those named
 * directly and those that "db:" remotes read from the databases. */
static void
reconfigure_remotes(void)
{
    struct server_config_remotes configs;
    server_config_remotes_init(&configs);

    const char *name;
    SSET_FOR_EACH (name, &remotes) {
        if (server_config_is_ref(name)) {
            server_config_remotes_query(&configs, name, config_find_db, NULL);
        } else {
            server_config_remotes_add(&configs, name, NULL);
        }
    }
    ovsdb_jsonrpc_server_set_remotes(jsonrpc, configs.configs, configs.n);
    server_config_remotes_destroy(&configs);
}

/* Logs 'errors' if they differ from the last ones logged for the same
 * purpose ('last'), so that a persistent problem is reported once. */
static void
report_errors_if_changed(struct ds *errors, char **last)
{
    const char *text = errors->length ? ds_cstr(errors) : NULL;
    if (text && (!*last || strcmp(text, *last))) {
        VLOG_ERR("%s", text);
    }
    free(*last);
    *last = text ? xstrdup(text) : NULL;
}

/* Applies the SSL options, reading those given as "db:" references from
 * the databases. */
static void
reconfigure_ssl(void)
{
    static char *last_errors;
    struct ds errors = DS_EMPTY_INITIALIZER;
    const char *key = server_config_query_string(
        ssl_private_key, config_find_db, NULL, &errors);
    const char *cert = server_config_query_string(
        ssl_certificate, config_find_db, NULL, &errors);
    const char *ca =
        server_config_query_string(ssl_ca_cert, config_find_db, NULL, &errors);
    const char *protocols = server_config_query_string(
        ssl_protocols, config_find_db, NULL, &errors);
    const char *ciphers =
        server_config_query_string(ssl_ciphers, config_find_db, NULL, &errors);
    report_errors_if_changed(&errors, &last_errors);
    ds_destroy(&errors);

    if (key && cert) {
        stream_ssl_set_key_and_cert(key, cert);
    } else if (key) {
        stream_ssl_set_private_key_file(key);
    } else if (cert) {
        stream_ssl_set_certificate_file(cert);
    }
    stream_ssl_set_ca_cert_file(ca, ssl_bootstrap_ca_cert);
    if (protocols) {
        stream_ssl_set_protocols(protocols);
    }
    if (ciphers) {
        stream_ssl_set_ciphers(ciphers);
    }
}

static bool has_db_remotes(void);

/* Reads the configuration in the databases again if they changed. */
static void
reconfigure_from_dbs(void)
{
    /* A commit can change the configuration only if a remote refers to a
     * database; SSL options are re-applied on every change as well, which
     * also picks up new key and certificate files. */
    uint64_t seqno = ovsdb_jsonrpc_server_get_change_seqno(jsonrpc);
    bool depends_on_dbs =
        (has_db_remotes() || ssl_private_key || ssl_certificate || ssl_ca_cert
         || ssl_protocols || ssl_ciphers);
    if ((seqno != config_seqno && depends_on_dbs) || remotes_changed) {
        config_seqno = seqno;
        remotes_changed = false;
        /* SSL first, so that new "pssl:" remotes find it configured. */
        reconfigure_ssl();
        reconfigure_remotes();
    }
}

static bool
has_db_remotes(void)
{
    const char *name;
    SSET_FOR_EACH (name, &remotes) {
        if (server_config_is_ref(name)) {
            return true;
        }
    }
    return false;
}

/* Writes the status of the remotes read from the databases back to the
 * rows that configure them, one transaction per database. */
static void
update_remote_status(void)
{
    long long now = time_msec();
    if (now < next_status_update) {
        return;
    }
    next_status_update = now + STATUS_UPDATE_INTERVAL_MSEC;

    const char *name;
    SSET_FOR_EACH (name, &remotes) {
        char *db_name;
        if (!server_config_is_ref(name)
            || !server_config_ref_db_name(name, &db_name)) {
            continue;
        }
        struct server_db *db = find_db(db_name);
        if (db) {
            struct ovsdb_txn *txn = ovsdb_txn_create(db->db);
            server_config_update_status(name, txn, jsonrpc);
            struct ovsdb_error *error =
                ovsdb_jsonrpc_server_commit(jsonrpc, db->name, txn);
            if (error) {
                static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
                char *msg = ovsdb_error_to_string_free(error);
                VLOG_WARN_RL(&rl, "%s: updating remote status failed: %s",
                             db->name, msg);
                free(msg);
            }
        }
        free(db_name);
    }
}

/* unixctl commands. */

static void
cmd_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
         const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    exiting = true;
    unixctl_command_reply(conn, NULL);
}

static void
cmd_compact(struct unixctl_conn *conn, int argc, const char *argv[],
            void *aux OVS_UNUSED)
{
    for (int i = 1; i < argc; i++) {
        const struct server_db *db = find_db(argv[i]);
        if (!db) {
            unixctl_command_reply_error(conn, "no database by that name");
            return;
        }
        if (!db->file_name) {
            unixctl_command_reply_error(conn,
                                        "cannot compact built-in databases");
            return;
        }
    }
    /* The reply waits until every database asked for is compacted. */
    struct compact_request *req = xzalloc(sizeof *req);
    req->conn = conn;
    sset_init(&req->dbs);
    sset_init(&req->wait_next);
    ds_init(&req->errors);
    list_push_back(&compact_requests, &req->node);

    struct server_db *db;
    HMAP_FOR_EACH (db, node, &dbs) {
        bool wanted = argc < 2;
        for (int i = 1; i < argc; i++) {
            wanted |= !strcmp(argv[i], db->name);
        }
        if (wanted && db->file_name) {
            VLOG_INFO("compacting %s database by user request", db->name);
            bool running = db->compaction != NULL;
            struct ovsdb_error *error = compact_db_start(db);
            if (error) {
                log_compaction_error(db, error);
                char *msg = ovsdb_error_to_string_free(error);
                ds_put_format(&req->errors, "%s\n", msg);
                free(msg);
            } else {
                sset_add(&req->dbs, db->name);
                if (running) {
                    sset_add(&req->wait_next, db->name);
                }
            }
        }
    }
    /* Nothing to wait for: answer at once. */
    if (sset_is_empty(&req->dbs)) {
        sset_add(&req->dbs, "");
        struct server_db none = {.name = ""};
        compact_requests_done(&none, NULL, true);
    }
}

static void
cmd_memory_trim_on_compaction(struct unixctl_conn *conn, int argc OVS_UNUSED,
                              const char *argv[], void *aux OVS_UNUSED)
{
    if (!strcmp(argv[1], "on") || !strcmp(argv[1], "off")) {
        trim_memory = !strcmp(argv[1], "on");
        VLOG_INFO("memory trimming after compaction %s.",
                  trim_memory ? "enabled" : "disabled");
        unixctl_command_reply(conn, NULL);
    } else {
        unixctl_command_reply_error(conn, "invalid argument");
    }
}

static void
cmd_reconnect(struct unixctl_conn *conn, int argc OVS_UNUSED,
              const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    ovsdb_jsonrpc_server_reconnect(jsonrpc);
    unixctl_command_reply(conn, NULL);
}

static void
cmd_add_remote(struct unixctl_conn *conn, int argc OVS_UNUSED,
               const char *argv[], void *aux OVS_UNUSED)
{
    const char *remote = argv[1];
    if (server_config_is_ref(remote)) {
        char *msg = check_db_remote(remote);
        if (msg) {
            unixctl_command_reply_error(conn, msg);
            free(msg);
            return;
        }
    }
    sset_add(&remotes, remote);
    remotes_changed = true;
    unixctl_command_reply(conn, NULL);
}

static void
cmd_remove_remote(struct unixctl_conn *conn, int argc OVS_UNUSED,
                  const char *argv[], void *aux OVS_UNUSED)
{
    if (!sset_find_and_delete(&remotes, argv[1])) {
        unixctl_command_reply_error(conn, "no such remote");
        return;
    }
    remotes_changed = true;
    unixctl_command_reply(conn, NULL);
}

static void
cmd_list_remotes(struct unixctl_conn *conn, int argc OVS_UNUSED,
                 const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    const char **names = sset_sort(&remotes);
    for (size_t i = 0; i < sset_count(&remotes); i++) {
        ds_put_format(&s, "%s\n", names[i]);
    }
    free(names);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
cmd_add_db(struct unixctl_conn *conn, int argc OVS_UNUSED, const char *argv[],
           void *aux OVS_UNUSED)
{
    struct server_db *db;
    struct ovsdb_error *error = server_db_open(argv[1], &db);
    if (!error) {
        error = add_db(db);
    }
    if (error) {
        char *msg = ovsdb_error_to_string_free(error);
        unixctl_command_reply_error(conn, msg);
        free(msg);
        return;
    }
    unixctl_command_reply(conn, NULL);
}

static void
cmd_remove_db(struct unixctl_conn *conn, int argc OVS_UNUSED,
              const char *argv[], void *aux OVS_UNUSED)
{
    struct server_db *db = find_db(argv[1]);
    if (!db) {
        unixctl_command_reply_error(conn, "Failed to find the database.");
        return;
    }
    if (!db->file_name) {
        unixctl_command_reply_error(conn, "Cannot remove reserved database.");
        return;
    }
    remove_db(db);
    /* Remotes read from this database are gone with it. */
    remotes_changed = true;
    unixctl_command_reply(conn, NULL);
}

static int
compare_db_names(const void *a_, const void *b_)
{
    const struct server_db *const *a = a_;
    const struct server_db *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static void
cmd_list_dbs(struct unixctl_conn *conn, int argc OVS_UNUSED,
             const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    size_t n = hmap_count(&dbs);
    const struct server_db **sorted = xmalloc((n ? n : 1) * sizeof *sorted);
    size_t i = 0;
    const struct server_db *db;
    HMAP_FOR_EACH (db, node, &dbs) {
        sorted[i++] = db;
    }
    qsort(sorted, n, sizeof *sorted, compare_db_names);

    struct ds s = DS_EMPTY_INITIALIZER;
    for (i = 0; i < n; i++) {
        ds_put_format(&s, "%s\n", sorted[i]->name);
    }
    free(sorted);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
report_memory(struct memory_usage *usage, void *aux OVS_UNUSED)
{
    ovsdb_jsonrpc_server_get_memory_usage(jsonrpc, usage);
}

/* --run. */

static void
start_run_command(void)
{
    pid_t pid = fork();
    if (pid < 0) {
        ovs_fatal(errno, "%s: fork failed", run_command);
    } else if (!pid) {
        execl("/bin/sh", "/bin/sh", "-c", run_command, (char *) NULL);
        fprintf(stderr, "%s: /bin/sh: %s\n", program_name, strerror(errno));
        _exit(127);
    }
    run_pid = pid;
}

/* Exits the server once the --run command has exited, with OVS's
 * message if it failed. */
static void
check_run_command(void)
{
    int status;
    if (run_pid < 0 || waitpid(run_pid, &status, WNOHANG) != run_pid) {
        return;
    }
    run_pid = -1;
    exiting = true;
    if (WIFEXITED(status) && !WEXITSTATUS(status)) {
        return;
    }
    if (WIFEXITED(status)) {
        ovs_error(0, "%s: child exited, exit status %d", run_command,
                  WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        ovs_error(0, "%s: child terminated by signal %d", run_command,
                  WTERMSIG(status));
    } else {
        ovs_error(0, "%s: child ended abnormally", run_command);
    }
    exit(EXIT_FAILURE);
}

/* On a fatal signal, closes the database logs as "exit" does: each file
 * is synced and its commit journal deleted, so that what the journals made
 * durable is in the files themselves for any tool that reads them. */
static void
close_logs_on_signal(void *aux OVS_UNUSED)
{
    struct server_db *db;
    HMAP_FOR_EACH (db, node, &dbs) {
        server_db_close_storage(db);
    }
}

int
main(int argc, char *argv[])
{
    struct sset db_files = SSET_INITIALIZER(&db_files);
    char *unixctl_path = NULL;

    json_alloc_init();
    jsonrpc_skip_drained_reads();
    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    /* The fan-out waits for pauses of a few hundred microseconds: the
     * kernel's default slack of 50 us would make them a third longer. */
    (void) prctl(PR_SET_TIMERSLACK, 5000UL);
    parse_options(argc, argv, &db_files, &unixctl_path);

    struct uuid server_id;
    uuid_generate(&server_id);
    jsonrpc = ovsdb_jsonrpc_server_create(&server_id);

    /* Databases are opened before detaching, so that a bad one makes the
     * command fail. */
    const char *file_name;
    SSET_FOR_EACH (file_name, &db_files) {
        struct server_db *db;
        struct ovsdb_error *error = server_db_open(file_name, &db);
        if (!error) {
            error = add_db(db);
        }
        if (error) {
            char *msg = ovsdb_error_to_string_free(error);
            ovs_fatal(0, "%s", msg);
        }
    }
    struct ovsdb_error *error = add_db(create_server_db());
    ovs_assert(!error);

    const char *remote;
    SSET_FOR_EACH (remote, &remotes) {
        if (server_config_is_ref(remote)) {
            char *msg = check_db_remote(remote);
            if (msg) {
                ovs_fatal(0, "%s", msg);
            }
        }
    }
    const char *ssl_options[] = {ssl_private_key, ssl_certificate, ssl_ca_cert,
                                 ssl_protocols, ssl_ciphers};
    for (size_t i = 0; i < ARRAY_SIZE(ssl_options); i++) {
        if (ssl_options[i] && server_config_is_ref(ssl_options[i])) {
            char *msg = server_config_check_ref(ssl_options[i], true,
                                                config_find_db, NULL);
            if (msg) {
                ovs_fatal(0, "%s", msg);
            }
        }
    }

    daemon_start();

    struct unixctl_server *unixctl;
    if (unixctl_server_create(unixctl_path, &unixctl)) {
        exit(EXIT_FAILURE);
    }
    if (run_command) {
        start_run_command();
    }

    unixctl_command_register("exit", "", 0, 0, cmd_exit, NULL);
    unixctl_command_register("ovsdb-server/compact", "", 0, 1, cmd_compact,
                             NULL);
    unixctl_command_register("ovsdb-server/memory-trim-on-compaction",
                             "on|off", 1, 1, cmd_memory_trim_on_compaction,
                             NULL);
    unixctl_command_register("ovsdb-server/reconnect", "", 0, 0, cmd_reconnect,
                             NULL);
    unixctl_command_register("ovsdb-server/add-remote", "REMOTE", 1, 1,
                             cmd_add_remote, NULL);
    unixctl_command_register("ovsdb-server/remove-remote", "REMOTE", 1, 1,
                             cmd_remove_remote, NULL);
    unixctl_command_register("ovsdb-server/list-remotes", "", 0, 0,
                             cmd_list_remotes, NULL);
    unixctl_command_register("ovsdb-server/add-db", "DB", 1, 1, cmd_add_db,
                             NULL);
    unixctl_command_register("ovsdb-server/remove-db", "DB", 1, 1,
                             cmd_remove_db, NULL);
    unixctl_command_register("ovsdb-server/list-dbs", "", 0, 0, cmd_list_dbs,
                             NULL);
    memory_register_reporter(report_memory, NULL);

    /* Open the listeners before --detach lets the parent exit, so that a
     * client started right after "ovsdb-server --detach" can connect. */
    reconfigure_from_dbs();
    daemon_complete();
    fatal_signal_add_hook(close_logs_on_signal, NULL, NULL, false);
    VLOG_INFO("%s (Open vSwitch) %s", program_name, OVS_COMPAT_VERSION);

    while (!exiting) {
        reconfigure_from_dbs();
        storage_run(false);
        ovsdb_jsonrpc_server_run(jsonrpc);
        storage_run(true);
        compaction_run();
        auto_compact();
        update_remote_status();
        unixctl_server_run(unixctl);
        coverage_run();
        memory_run();
        check_run_command();

        ovsdb_jsonrpc_server_wait(jsonrpc);
        storage_wait();
        compaction_wait();
        unixctl_server_wait(unixctl);
        coverage_wait();
        memory_wait();
        if (run_pid >= 0) {
            poll_timer_wait(100);
        }
        if (has_db_remotes()) {
            poll_timer_wait_until(next_status_update);
        }
        if (exiting || remotes_changed) {
            poll_immediate_wake();
        }
        poll_block();
    }

    /* Acknowledged transactions are durable already; the others are
     * made so too, since clients may have seen them in updates. */
    struct server_db *db;
    HMAP_FOR_EACH (db, node, &dbs) {
        if (db->log) {
            ovsdb_error_destroy(ovsdb_log_commit_block(db->log));
        }
    }
    ovsdb_jsonrpc_server_destroy(jsonrpc);
    HMAP_FOR_EACH_POP (db, node, &dbs) {
        server_db_destroy(db);
    }
    unixctl_server_destroy(unixctl);
    sset_destroy(&remotes);
    sset_destroy(&db_files);
    free(unixctl_path);
    if (run_pid > 0) {
        kill(run_pid, SIGTERM);
    }
    return 0;
}

/* Options. */

static void
set_string_option(char **option, const char *value)
{
    free(*option);
    *option = xstrdup(value);
}

static void
parse_options(int argc, char *argv[], struct sset *db_files,
              char **unixctl_pathp)
{
    enum {
        OPT_REMOTE = UCHAR_MAX + 1,
        OPT_UNIXCTL,
        OPT_RUN,
        OPT_SYNC_FROM,
        OPT_SYNC_EXCLUDE,
        OPT_ACTIVE,
        OPT_RECORD,
        OPT_REPLAY,
        OPT_NO_DBS,
        OPT_DISABLE_FILE_COLUMN_DIFF,
        DAEMON_OPTION_ENUMS,
        VLOG_OPTION_ENUMS,
        STREAM_SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"remote", required_argument, NULL, OPT_REMOTE},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"run", required_argument, NULL, OPT_RUN},
        {"sync-from", required_argument, NULL, OPT_SYNC_FROM},
        {"sync-exclude-tables", required_argument, NULL, OPT_SYNC_EXCLUDE},
        {"active", no_argument, NULL, OPT_ACTIVE},
        {"record", optional_argument, NULL, OPT_RECORD},
        {"replay", optional_argument, NULL, OPT_REPLAY},
        {"no-dbs", no_argument, NULL, OPT_NO_DBS},
        {"disable-file-column-diff", no_argument, NULL,
         OPT_DISABLE_FILE_COLUMN_DIFF},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    bool no_dbs = false;

    for (;;) {
        int c = getopt_long(argc, argv, "hVv::p:c:C:", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_REMOTE:
            sset_add(&remotes, optarg);
            break;
        case OPT_UNIXCTL:
            free(*unixctl_pathp);
            *unixctl_pathp = xstrdup(optarg);
            break;
        case OPT_RUN:
            free(run_command);
            run_command = xstrdup(optarg);
            break;
        case OPT_SYNC_FROM:
        case OPT_SYNC_EXCLUDE:
        case OPT_ACTIVE:
            ovs_fatal(0,
                      "--%s: replication (backup mode) is not supported "
                      "by this ovsdb-server",
                      long_options[c - OPT_REMOTE].name);
        case OPT_RECORD:
        case OPT_REPLAY:
            ovs_fatal(0,
                      "--%s: record/replay is not supported by this "
                      "ovsdb-server",
                      long_options[c - OPT_REMOTE].name);
        case OPT_NO_DBS:
            no_dbs = true;
            break;
        case OPT_DISABLE_FILE_COLUMN_DIFF:
            /* Transactions are always written as diffs, which every
             * reader since OVS 2.15 understands. */
            break;
        case 'h':
            usage();
            break;
        case 'V':
            print_program_version();
            exit(EXIT_SUCCESS);
            DAEMON_OPTION_HANDLERS
            VLOG_OPTION_HANDLERS
        /* The SSL files may be "db:" references, resolved once the
         * databases are open (see reconfigure_ssl()). */
        case 'p':
            set_string_option(&ssl_private_key, optarg);
            break;
        case 'c':
            set_string_option(&ssl_certificate, optarg);
            break;
        case 'C':
            set_string_option(&ssl_ca_cert, optarg);
            ssl_bootstrap_ca_cert = false;
            break;
        case OPT_BOOTSTRAP_CA_CERT:
            set_string_option(&ssl_ca_cert, optarg);
            ssl_bootstrap_ca_cert = true;
            break;
        case OPT_PEER_CA_CERT:
            stream_ssl_set_peer_ca_cert_file(optarg);
            break;
        case OPT_SSL_PROTOCOLS:
            set_string_option(&ssl_protocols, optarg);
            break;
        case OPT_SSL_CIPHERS:
            set_string_option(&ssl_ciphers, optarg);
            break;
        case '?':
            exit(EXIT_FAILURE);
        default:
            abort();
        }
    }

    for (int i = optind; i < argc; i++) {
        sset_add(db_files, argv[i]);
    }
    if (sset_is_empty(db_files) && !no_dbs) {
        sset_add_and_free(db_files, xasprintf("%s/conf.db", ovs_dbdir()));
    }
}

static void
usage(void)
{
    printf("%s: Open vSwitch database server\n"
           "usage: %s [OPTIONS] [DATABASE...]\n"
           "where each DATABASE is a database file in ovsdb format.\n"
           "The default DATABASE, if none is given, is\n%s/conf.db.\n",
           program_name, program_name, ovs_dbdir());
    printf("\nJSON-RPC options (may be specified any number of times):\n"
           "  --remote=REMOTE         connect or listen to REMOTE\n");
    stream_usage("JSON-RPC", true, true);
    stream_ssl_usage();
    daemon_usage();
    vlog_usage();
    printf("\nSyncing options:\n"
           "  --sync-from=SERVER      sync DATABASE from active SERVER and "
           "start in\n"
           "                          backup mode (except with --active)\n"
           "  --sync-exclude-tables=DB:TABLE,...\n"
           "                          exclude the TABLE in DB from syncing\n"
           "  --active                with --sync-from, start in active "
           "mode\n");
    printf("\nReplay options:\n"
           "  --record[=DIR]            turn on writing replay files\n"
           "  --replay[=DIR]            run from replay files\n");
    printf("\nOther options:\n"
           "  --run COMMAND           run COMMAND as subprocess then exit\n"
           "  --unixctl=SOCKET        override default control socket name\n"
           "  --disable-file-column-diff\n"
           "                          don't use column diff in database "
           "file\n"
           "  -h, --help              display this help message\n"
           "  -V, --version           display version information\n");
    exit(EXIT_SUCCESS);
}

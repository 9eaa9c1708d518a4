/* The IDL: an OVSDB client that keeps an in-memory replica of (part of)
 * one database on a server and changes it through transactions.
 *
 * Typed access comes from C code that ovsdb/idl-gen.py generates from a
 * schema (for vswitch.ovsschema: ovsdb/vswitch-idl.h, prefix "ovsrec_");
 * this header is the generic runtime that code stands on.  A client:
 *
 *     struct idl *idl = idl_create("unix:db.sock", &ovsrec_idl_class,
 *                                  true, true);
 *     for (;;) {
 *         idl_run(idl);
 *         if (idl_get_seqno(idl) != seqno) {
 *             seqno = idl_get_seqno(idl);
 *             ... read the replica: OVSREC_BRIDGE_FOR_EACH (br, idl) ...
 *         }
 *         idl_wait(idl);
 *         poll_block();
 *     }
 *
 * The IDL connects with a reconnecting JSON-RPC session, reads the
 * server's "_Server" database to learn whether the database exists and
 * its schema (falling back to get_schema on servers without _Server),
 * then monitors the chosen tables and columns with monitor_cond_since
 * (falling back to monitor_cond, then monitor).  It keeps the id of the
 * last transaction the server reported, so that after a reconnection
 * the server sends only what changed meanwhile when it still has it
 * ("found"), and otherwise a full copy that the IDL compares with the
 * replica so that only real differences show as changes.
 *
 * idl_get_seqno() changes whenever the replica changes (and when the
 * lock is gained or lost).  With change tracking the IDL also records,
 * per row, whether it was inserted, modified (and which columns) or
 * deleted since the last idl_track_clear(); deleted rows stay readable
 * until then.
 *
 * Transactions are in ovsdb/idl-txn.h. */
#ifndef OVSDB_IDL_H
#define OVSDB_IDL_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/uuid.h"
#include "ovsdb/idl-provider.h"

struct ovsdb_datum;

/* Creates an IDL for the database of 'class' on 'remote' (an active
 * stream name such as "unix:FILE" or "tcp:IP:PORT"; several separated by
 * commas are tried in turn).  With 'monitor_everything' every table and
 * column is replicated and alerts; otherwise the caller picks them with
 * idl_add_table()/idl_add_column() before the first idl_run().  With
 * 'retry' the IDL reconnects forever; without, it tries once.  A NULL
 * 'remote' gives an offline replica that only idl_apply_updates() (unit
 * tests) fills. */
struct idl *idl_create(const char *remote, const struct idl_class *class,
                       bool monitor_everything, bool retry);
void idl_destroy(struct idl *);

/* Does the work that is ready: connects, sends requests, processes
 * replies and updates.  Must not be called while a transaction is open
 * (between idl_txn_create() and idl_txn_commit()). */
void idl_run(struct idl *);
/* Registers with the poll loop what idl_run() waits for. */
void idl_wait(struct idl *);

/* A number that changes whenever the replica or the lock state
 * changes. */
unsigned int idl_get_seqno(const struct idl *);
/* True once the IDL has received a complete copy of the database. */
bool idl_has_ever_connected(const struct idl *);
/* True while the IDL is connected and monitoring (its replica is
 * current). */
bool idl_is_connected(const struct idl *);
/* False if the IDL gave up (only without 'retry'). */
bool idl_is_alive(const struct idl *);
/* The error that ended the last connection (errno or EOF), or 0. */
int idl_get_last_error(const struct idl *);
/* True if the server says it does not have the database (it waits for
 * the database to appear). */
bool idl_is_database_missing(const struct idl *);
void idl_force_reconnect(struct idl *);
void idl_set_probe_interval(struct idl *, int probe_interval_ms);

/* The id of the last transaction whose changes the replica holds, as
 * the server reported it (update3, monitor_cond_since), or all zeros. */
const struct uuid *idl_get_last_txn_id(const struct idl *);

/* Makes the IDL send set_db_change_aware, so that the server reports a
 * removal or conversion of the database through _Server instead of
 * disconnecting.  Either way, the IDL follows _Server: while the
 * database is missing it keeps its replica as it was (and
 * idl_is_database_missing() says so), and once the database is back, or
 * converted to a new schema, it monitors it again, starting from a full
 * copy whose differences to the replica are what it reports as
 * changes. */
void idl_set_db_change_aware(struct idl *, bool);

/* Choosing what to replicate.  Each of these takes effect at the next
 * monitor request (call them before the first idl_run()). */
void idl_add_table(struct idl *, const struct idl_table_class *);
/* Replicates 'column' (and its table), with alerts. */
void idl_add_column(struct idl *, const struct idl_column *);
/* Stops replicating 'column'. */
void idl_omit(struct idl *, const struct idl_column *);
/* Keeps replicating 'column' but its changes alone do not change the
 * seqno ("no alert"). */
void idl_omit_alert(struct idl *, const struct idl_column *);

/* Change tracking. */
void idl_track_add_column(struct idl *, const struct idl_column *);
void idl_track_add_all(struct idl *);
/* Forgets the tracked changes and frees the rows deleted since the last
 * call. */
void idl_track_clear(struct idl *);
/* Iterates over the rows of 'table' with tracked changes. */
const struct idl_row *idl_track_get_first(const struct idl *,
                                          const struct idl_table_class *);
const struct idl_row *idl_track_get_next(const struct idl_row *);
/* The seqno at which 'row' had a change of 'kind' since the last
 * idl_track_clear(), or 0. */
unsigned int idl_row_get_seqno(const struct idl_row *, enum idl_change kind);
/* The seqno at which some row of 'table' last had a change of 'kind'. */
unsigned int idl_table_get_seqno(const struct idl *,
                                 const struct idl_table_class *,
                                 enum idl_change kind);
bool idl_row_is_new(const struct idl_row *);
bool idl_row_is_deleted(const struct idl_row *);
/* True if tracked 'column' of 'row' was modified since the last clear. */
bool idl_track_is_updated(const struct idl_row *, const struct idl_column *);

/* Reading the replica.  Iteration skips rows that exist only as targets
 * of references and rows the open transaction deletes, and includes the
 * rows it inserts. */
const struct idl_row *idl_first_row(const struct idl *,
                                    const struct idl_table_class *);
const struct idl_row *idl_next_row(const struct idl_row *);
const struct idl_row *idl_get_row_for_uuid(const struct idl *,
                                           const struct idl_table_class *,
                                           const struct uuid *);
/* Returns the current value of 'column' in 'row' (see idl_row_read()). */
const struct ovsdb_datum *idl_read(const struct idl_row *,
                                   const struct idl_column *);
/* Returns the idl that 'row' belongs to. */
struct idl *idl_row_get_idl(const struct idl_row *);

/* Conditional monitoring.  A condition is a disjunction of clauses; the
 * server sends only the rows of a table that satisfy its condition.
 * Tables without a condition are replicated whole. */
enum idl_function {
    IDL_F_EQ,
    IDL_F_NE,
    IDL_F_LT,
    IDL_F_LE,
    IDL_F_GT,
    IDL_F_GE,
    IDL_F_INCLUDES,
    IDL_F_EXCLUDES,
};

struct idl_condition {
    json_t *clauses; /* JSON array of clauses. */
};

void idl_condition_init(struct idl_condition *);
void idl_condition_destroy(struct idl_condition *);
void idl_condition_clear(struct idl_condition *);
/* Adds the clause "'column' 'function' 'value'" ('value' borrowed). */
void idl_condition_add_clause(struct idl_condition *, enum idl_function,
                              const struct idl_column *,
                              const struct ovsdb_datum *value);
/* Adds a clause that every row satisfies. */
void idl_condition_add_clause_true(struct idl_condition *);
bool idl_condition_is_true(const struct idl_condition *);

/* Sets the condition of 'table' (a condition without clauses matches no
 * row).  Returns the condition seqno (idl_get_condition_seqno()) that
 * says the server applies it. */
unsigned int idl_set_condition(struct idl *, const struct idl_table_class *,
                               const struct idl_condition *);
/* Counts the condition changes the server acknowledged. */
unsigned int idl_get_condition_seqno(const struct idl *);

/* Locks.  idl_set_lock() asks the server for the lock 'name' (NULL
 * releases the current one) and asks again after each reconnection;
 * idl_steal_lock() takes it from its owner.  While the IDL has a lock,
 * its transactions assert it, and fail with IDL_TXN_NOT_LOCKED without
 * it. */
void idl_set_lock(struct idl *, const char *lock_name);
void idl_steal_lock(struct idl *, const char *lock_name);
bool idl_has_lock(const struct idl *);
bool idl_is_lock_contended(const struct idl *);
const char *idl_get_lock_name(const struct idl *);

#endif /* ovsdb/idl.h */

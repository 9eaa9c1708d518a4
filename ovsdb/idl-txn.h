/* IDL transactions: changes to the replica of an IDL (ovsdb/idl.h) sent
 * to the server as one OVSDB "transact".
 *
 *     struct idl_txn *txn = idl_txn_create(idl);
 *     ovsrec_bridge_verify_ports(br);        -- what the change relies on
 *     ovsrec_bridge_update_ports_addvalue(br, port);
 *     status = idl_txn_commit_block(txn);    -- or idl_txn_commit() from a
 *     idl_txn_destroy(txn);                     main loop until != INCOMPLETE
 *
 * What a transaction sends:
 *
 *   - "insert" for rows it inserts (with a "uuid-name", so that other
 *     values can refer to them, or the caller's own UUID), "delete" for
 *     rows of root tables it deletes, "update" with the columns it writes
 *     whose values differ from the replica's.  Deleted rows of non-root
 *     tables send nothing: the server garbage-collects them once no row
 *     refers to them (so remove the references too);
 *   - "mutate" for partial updates of sets and maps (addvalue/delvalue,
 *     setkey/delkey): only the elements concerned cross the wire.  On a
 *     row the transaction inserts, or a column it writes whole, partial
 *     updates apply to the value written instead;
 *   - "wait" with "until": "==" and the values the replica had for every
 *     verified column, so that the transaction fails with
 *     IDL_TXN_TRY_AGAIN when another client changed them meanwhile;
 *   - for idl_txn_increment(), "mutate" += 1 then "select" to read the
 *     new value back;
 *   - "assert" of the IDL's lock, "comment", and "abort" for dry runs.
 *
 * Writes are visible through the rows' typed members until the commit,
 * partial updates too (applied to the replica's value, although they go
 * to the server as "mutate").
 * Committing hands the replica back unchanged: the server's update then
 * brings the result. */
#ifndef OVSDB_IDL_TXN_H
#define OVSDB_IDL_TXN_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/idl-provider.h"

struct idl;
struct ovsdb_datum;
struct smap;
union ovsdb_atom;

enum idl_txn_status {
    IDL_TXN_UNCOMMITTED, /* Not committed yet. */
    IDL_TXN_UNCHANGED,   /* Nothing to do (or a dry run that would
                          * have succeeded). */
    IDL_TXN_INCOMPLETE,  /* Sent; waiting for the reply. */
    IDL_TXN_ABORTED,     /* idl_txn_abort() was called. */
    IDL_TXN_SUCCESS,     /* Committed. */
    IDL_TXN_TRY_AGAIN,   /* A verified value changed, or the
                          * connection dropped: retry with the new
                          * replica. */
    IDL_TXN_NOT_LOCKED,  /* The IDL lacks the lock it needs. */
    IDL_TXN_ERROR,       /* Failed; idl_txn_get_error() says why. */
};

/* Returns "uncommitted", "unchanged", "incomplete", "aborted", "success",
 * "try again", "not locked" or "error". */
const char *idl_txn_status_to_string(enum idl_txn_status);

/* Opens a transaction on 'idl', which must have none open. */
struct idl_txn *idl_txn_create(struct idl *);
/* Frees 'txn', aborting it if uncommitted; a reply still to come is then
 * ignored. */
void idl_txn_destroy(struct idl_txn *);

void idl_txn_add_comment(struct idl_txn *, const char *format, ...)
    PRINTF_FORMAT(2, 3);
/* Makes the transaction check everything but change nothing. */
void idl_txn_set_dry_run(struct idl_txn *);
/* Adds 1 to the integer 'column' of 'row' on the server, after the other
 * changes, and reads the result back (idl_txn_get_increment_new_value()).
 * A transaction holds at most one increment. */
void idl_txn_increment(struct idl_txn *, const struct idl_row *,
                       const struct idl_column *);
/* True if committing 'txn' would change something, an increment aside. */
bool idl_txn_has_changes(struct idl_txn *);

/* Sends the transaction, if it changes anything and the IDL is
 * connected; returns its status (IDL_TXN_INCOMPLETE while the reply is
 * awaited: call idl_run() and idl_txn_commit() again).  The first call
 * ends the transaction's hold on the replica: idl_run() may run again. */
enum idl_txn_status idl_txn_commit(struct idl_txn *);
/* Commits and runs the IDL until the transaction completes. */
enum idl_txn_status idl_txn_commit_block(struct idl_txn *);
void idl_txn_abort(struct idl_txn *);
enum idl_txn_status idl_txn_get_status(const struct idl_txn *);
/* Wakes the poll loop when the transaction's status may change. */
void idl_txn_wait(const struct idl_txn *);

/* After IDL_TXN_ERROR: what went wrong (the server's error object as
 * compact JSON, or a message of the IDL). */
const char *idl_txn_get_error(const struct idl_txn *);
/* After IDL_TXN_SUCCESS with an increment: the new value. */
int64_t idl_txn_get_increment_new_value(const struct idl_txn *);
/* After IDL_TXN_SUCCESS: the UUID the server gave the row that the
 * transaction inserted as 'uuid' (the row's UUID in the replica during
 * the transaction), or NULL. */
const struct uuid *idl_txn_get_insert_uuid(const struct idl_txn *,
                                           const struct uuid *uuid);
/* Returns the IDL of 'txn'. */
struct idl *idl_txn_get_idl(const struct idl_txn *);

/* Row changes; the row's IDL must have an open transaction. */

/* Inserts a row into 'table' and returns it.  With 'uuid' nonnull the
 * server is asked to give the row exactly that UUID; otherwise the row
 * gets a temporary one. */
const struct idl_row *idl_txn_insert(struct idl_txn *,
                                     const struct idl_table_class *,
                                     const struct uuid *uuid);
/* Inserts a row whose temporary UUID within the transaction is 'uuid'
 * (so that values already written with it refer to the new row), while
 * the server picks the row's real UUID (idl_txn_get_insert_uuid()).
 * ovs-vsctl's "--id=@name create" needs this. */
const struct idl_row *idl_txn_insert_temp_uuid(struct idl_txn *,
                                               const struct idl_table_class *,
                                               const struct uuid *uuid);
void idl_txn_delete(const struct idl_row *);
/* Writes 'datum' (taken) to 'column' of 'row'. */
void idl_txn_write(const struct idl_row *, const struct idl_column *,
                   struct ovsdb_datum *);
/* Writes a copy of 'datum'. */
void idl_txn_write_clone(const struct idl_row *, const struct idl_column *,
                         const struct ovsdb_datum *);
/* Makes the commit fail with IDL_TXN_TRY_AGAIN if 'column' of 'row' no
 * longer has the value it has in the replica now. */
void idl_txn_verify(const struct idl_row *, const struct idl_column *);

/* Stores in 'out' a copy of the value that 'column' of 'row' will have
 * once the open transaction applies (its partial updates included).  The
 * caller frees 'out' with ovsdb_datum_destroy() and the column's type. */
void idl_txn_read_pending(const struct idl_row *, const struct idl_column *,
                          struct ovsdb_datum *out);

/* Partial updates.  For a set column, adds or removes the elements of
 * 'datum' (a set of the column's key type, taken).  For a map column,
 * idl_txn_map_set() sets the pairs of 'datum' (a map, taken) and
 * idl_txn_map_delete() removes the keys of 'datum' (a set of keys,
 * taken). */
void idl_txn_set_add(const struct idl_row *, const struct idl_column *,
                     struct ovsdb_datum *);
void idl_txn_set_remove(const struct idl_row *, const struct idl_column *,
                        struct ovsdb_datum *);
void idl_txn_map_set(const struct idl_row *, const struct idl_column *,
                     struct ovsdb_datum *);
void idl_txn_map_delete(const struct idl_row *, const struct idl_column *,
                        struct ovsdb_datum *);

/* The same with C values as the generated row structs hold them (see
 * ovsdb/idl-provider.h): for generated code. */
void idl_txn_write_c(const struct idl_row *, const struct idl_column *,
                     const void *keys, const void *values, size_t n);
void idl_txn_write_smap(const struct idl_row *, const struct idl_column *,
                        const struct smap *);
void idl_txn_set_add_c(const struct idl_row *, const struct idl_column *,
                       const void *key);
void idl_txn_set_remove_c(const struct idl_row *, const struct idl_column *,
                          const void *key);
void idl_txn_map_set_c(const struct idl_row *, const struct idl_column *,
                       const void *key, const void *value);
void idl_txn_map_delete_c(const struct idl_row *, const struct idl_column *,
                          const void *key);

#endif /* ovsdb/idl-txn.h */

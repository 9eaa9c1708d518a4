/* Transactions on an in-memory OVSDB database.
 *
 * A transaction records row insertions, modifications and deletions
 * without touching the committed tables, so that aborting it changes
 * nothing.  Committing happens in two steps:
 *
 *   - ovsdb_txn_precommit() completes and validates the transaction: it
 *     removes weak references to rows that do not exist afterwards,
 *     deletes rows of non-root tables that nothing references any more
 *     (transitively), and checks referential integrity, the minimum size
 *     of columns that lost weak references, "maxRows" and unique indexes.
 *     On error the transaction is still open; the caller aborts it.
 *
 *   - ovsdb_txn_apply() then puts the changes into the tables at once.
 *     Between the two, a server can write the transaction to storage
 *     (ovsdb-record) and abort if that fails.
 *
 * After ovsdb_txn_apply() the transaction still describes its changes
 * (ovsdb_txn_for_each_change(), for monitors and storage) until
 * ovsdb_txn_destroy().
 *
 *     struct ovsdb_txn *txn = ovsdb_txn_create(db);
 *     ... ovsdb_txn_row_insert/modify/delete() ...
 *     struct ovsdb_error *error = ovsdb_txn_commit(txn);
 *     if (error) {
 *         ovsdb_txn_abort(txn);
 *     } else {
 *         ... ovsdb_txn_for_each_change() ...
 *         ovsdb_txn_destroy(txn);
 *     }
 *
 * A database has at most one open transaction at a time. */
#ifndef OVSDB_OVSDB_TXN_H
#define OVSDB_OVSDB_TXN_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"
#include "lib/uuid.h"

struct ovsdb;
struct ovsdb_error;
struct ovsdb_row;
struct ovsdb_table;

struct ovsdb_txn *ovsdb_txn_create(struct ovsdb *);
struct ovsdb *ovsdb_txn_get_db(const struct ovsdb_txn *);

/* Discards an open (or precommitted) transaction and frees it. */
void ovsdb_txn_abort(struct ovsdb_txn *);

struct ovsdb_error *
ovsdb_txn_precommit(struct ovsdb_txn *) OVS_WARN_UNUSED_RESULT;
/* Applies a precommitted transaction to the tables. */
void ovsdb_txn_apply(struct ovsdb_txn *);
/* ovsdb_txn_precommit() then, on success, ovsdb_txn_apply(). */
struct ovsdb_error *
ovsdb_txn_commit(struct ovsdb_txn *) OVS_WARN_UNUSED_RESULT;
/* Frees an applied transaction. */
void ovsdb_txn_destroy(struct ovsdb_txn *);

/* Appends 'comment' to the transaction's comment (lines joined by
 * newlines), which storage writes as "_comment". */
void ovsdb_txn_add_comment(struct ovsdb_txn *, const char *comment);
/* Returns the comment, or NULL if there is none. */
const char *ovsdb_txn_get_comment(const struct ovsdb_txn *);

/* Reading: the rows of a table as the transaction sees them. */

/* Returns the row of 'table' with 'uuid' as the transaction sees it, or
 * NULL if there is none (or the transaction deleted it). */
const struct ovsdb_row *ovsdb_txn_get_row(const struct ovsdb_txn *,
                                          const struct ovsdb_table *,
                                          const struct uuid *);
/* Returns true if 'uuid' cannot be given to a new row of 'table': a row
 * has it, or had it earlier in this transaction. */
bool ovsdb_txn_uuid_is_taken(const struct ovsdb_txn *,
                             const struct ovsdb_table *, const struct uuid *);
/* Calls 'cb' for each row of 'table' as the transaction sees it, in no
 * particular order, until it returns false.  'cb' must not change the
 * transaction. */
void ovsdb_txn_for_each_row(const struct ovsdb_txn *,
                            const struct ovsdb_table *,
                            bool (*cb)(const struct ovsdb_row *, void *aux),
                            void *aux);
/* The same restricted to the committed row 'committed' (if nonnull and
 * the transaction leaves it alone) and the rows of 'table' that the
 * transaction inserted or changed: for a search that an index narrowed
 * down to 'committed'. */
void ovsdb_txn_for_each_changed_row(
    const struct ovsdb_txn *, const struct ovsdb_table *,
    const struct ovsdb_row *committed,
    bool (*cb)(const struct ovsdb_row *, void *aux), void *aux);

/* Writing. */

/* Adds 'row' (of a table of the transaction's database, with its UUID
 * set; see ovsdb_txn_uuid_is_taken()) as a new row, taking ownership,
 * and gives it a fresh "_version". */
void ovsdb_txn_row_insert(struct ovsdb_txn *, struct ovsdb_row *row);
/* Returns the transaction's writable copy of 'row', a row as the
 * transaction sees it. */
struct ovsdb_row *ovsdb_txn_row_modify(struct ovsdb_txn *,
                                       const struct ovsdb_row *row);
/* Deletes 'row', a row as the transaction sees it. */
void ovsdb_txn_row_delete(struct ovsdb_txn *, const struct ovsdb_row *row);

/* Changes, after a successful ovsdb_txn_precommit(). */

/* Returns true if the transaction changes any row. */
bool ovsdb_txn_has_changes(const struct ovsdb_txn *);

/* Calls 'cb' for every row that the transaction inserts ('old' NULL),
 * deletes ('new' NULL) or changes, until it returns false.  'changed' is
 * a bitmap of the table's column indexes: every column for an insertion
 * or deletion, otherwise those whose values differ (with "_version").
 * Rows come grouped by table. */
typedef bool ovsdb_txn_change_cb(const struct ovsdb_table *,
                                 const struct ovsdb_row *old,
                                 const struct ovsdb_row *new,
                                 const unsigned long *changed, void *aux);
void ovsdb_txn_for_each_change(const struct ovsdb_txn *, ovsdb_txn_change_cb *,
                               void *aux);

#endif /* ovsdb/ovsdb-txn.h */

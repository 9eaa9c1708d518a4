/* OVSDB monitors: what "monitor", "monitor_cond" and "monitor_cond_since"
 * clients replicate, and the updates ("update", "update2", "update3")
 * that committed transactions produce for them (RFC 7047 section 4.1.5,
 * ovsdb-server(7) sections 4.1.12-4.1.16).
 *
 * Sharing: clients whose requests ask for the same tables, columns,
 * selections and conditions of the same database share one struct
 * ovsdb_monitor.  The update a transaction produces for it is computed
 * and serialised once, and every client of the monitor sends the same
 * text; the initial contents are shared the same way while the database
 * does not change.  So a transaction costs one computation per distinct
 * monitor, not one per client.
 *
 * Changes: the server turns each committed transaction into a struct
 * ovsdb_monitor_changes (a copy of the rows it changed, with the
 * transaction's id), which feeds the monitors and then the history that
 * "monitor_cond_since" resumes from. */
#ifndef OVSDB_MONITOR_H
#define OVSDB_MONITOR_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"
#include "lib/uuid.h"

struct ovsdb;
struct ovsdb_error;
struct ovsdb_txn;

enum ovsdb_monitor_version {
    OVSDB_MONITOR_V1, /* "monitor": "update" notifications. */
    OVSDB_MONITOR_V2, /* "monitor_cond": "update2". */
    OVSDB_MONITOR_V3  /* "monitor_cond_since": "update3". */
};

/* Changes of one committed transaction. */

/* Returns the changes of 'txn' (after a successful precommit; see
 * ovsdb-txn.h), which get the transaction id 'txn_id', with one
 * reference, or NULL if the transaction changed no row. */
struct ovsdb_monitor_changes *
ovsdb_monitor_changes_create(const struct ovsdb_txn *txn,
                             const struct uuid *txn_id);
struct ovsdb_monitor_changes *
ovsdb_monitor_changes_ref(struct ovsdb_monitor_changes *);
void ovsdb_monitor_changes_unref(struct ovsdb_monitor_changes *);
const struct uuid *
ovsdb_monitor_changes_get_txn_id(const struct ovsdb_monitor_changes *);
/* Returns the number of rows the transaction changed. */
size_t ovsdb_monitor_changes_count(const struct ovsdb_monitor_changes *);

/* History: the most recent transactions of a database, by id, so that a
 * client that reconnects gets only what it missed. */

/* Creates a history that keeps the changes of at least the last
 * 'max_txns' transactions and at most 'max_rows' changed rows. */
struct ovsdb_monitor_history *ovsdb_monitor_history_create(size_t max_txns,
                                                           size_t max_rows);
void ovsdb_monitor_history_destroy(struct ovsdb_monitor_history *);

/* Appends 'changes' (taking a reference) as the newest transaction. */
void ovsdb_monitor_history_add(struct ovsdb_monitor_history *,
                               struct ovsdb_monitor_changes *);
/* Returns the id of the newest transaction: that of the last changes
 * added, or a random id chosen at creation (and again after each
 * ovsdb_monitor_history_reset()) that stands for the state before. */
const struct uuid *
ovsdb_monitor_history_get_last_id(const struct ovsdb_monitor_history *);
/* Forgets every transaction, for when the database was replaced. */
void ovsdb_monitor_history_reset(struct ovsdb_monitor_history *);
/* Returns the number of transactions kept. */
size_t ovsdb_monitor_history_count(const struct ovsdb_monitor_history *);

/* Queue: the changes of commits that some clients have not been sent
 * yet, by the sequence number of the database state each one leads to,
 * so that a client that lags gets all it missed in one update. */

struct ovsdb_monitor_queue;

struct ovsdb_monitor_queue *ovsdb_monitor_queue_create(void);
void ovsdb_monitor_queue_destroy(struct ovsdb_monitor_queue *);
/* Appends 'changes' (taking a reference), which lead to state 'seqno',
 * greater than that of every change queued before. */
void ovsdb_monitor_queue_push(struct ovsdb_monitor_queue *, uint64_t seqno,
                              struct ovsdb_monitor_changes *);
/* Stores in '*listp' the changes that lead from state 'after' to the
 * newest state, oldest first, and returns how many there are.  The list
 * is valid until the queue is changed. */
size_t
ovsdb_monitor_queue_get_since(const struct ovsdb_monitor_queue *,
                              uint64_t after,
                              struct ovsdb_monitor_changes *const **listp);
/* Forgets the changes that lead to states up to 'seqno'. */
void ovsdb_monitor_queue_trim(struct ovsdb_monitor_queue *, uint64_t seqno);
size_t ovsdb_monitor_queue_count(const struct ovsdb_monitor_queue *);

/* Monitors. */

struct ovsdb_monitor_set;
struct ovsdb_monitor;

/* The shared monitors of all databases of a server. */
struct ovsdb_monitor_set *ovsdb_monitor_set_create(void);
/* Frees 'set', which must hold no monitors any more.  NULL is a no-op. */
void ovsdb_monitor_set_destroy(struct ovsdb_monitor_set *);
/* Returns the number of distinct monitors in 'set'. */
size_t ovsdb_monitor_set_count(const struct ovsdb_monitor_set *);

/* Parses the <monitor-requests> (V1) or <monitor-cond-requests> (V2, V3)
 * 'requests' for database 'db' and returns, with a new reference, the
 * monitor of 'set' for them, creating it if needed.  Errors have OVS's
 * texts, e.g. "no table named X" or "column name mentioned more than
 * once". */
struct ovsdb_error *
ovsdb_monitor_get(struct ovsdb_monitor_set *, struct ovsdb *db,
                  enum ovsdb_monitor_version, const json_t *requests,
                  struct ovsdb_monitor **monitorp) OVS_WARN_UNUSED_RESULT;

/* Returns the monitor for 'monitor''s request with the conditions changed
 * as the <monitor-cond-update-requests> 'changes' say (a new reference;
 * 'monitor' keeps its own), and the <table-updates2> that bring a client
 * from the rows matching the old conditions to those matching the new
 * ones in '*updatesp' (NULL if there are none). */
struct ovsdb_error *
ovsdb_monitor_change_condition(struct ovsdb_monitor *monitor,
                               const json_t *changes,
                               struct ovsdb_monitor **new_monitorp,
                               json_t **updatesp) OVS_WARN_UNUSED_RESULT;

struct ovsdb_monitor *ovsdb_monitor_ref(struct ovsdb_monitor *);
void ovsdb_monitor_unref(struct ovsdb_monitor *);

struct ovsdb *ovsdb_monitor_get_db(const struct ovsdb_monitor *);
enum ovsdb_monitor_version
ovsdb_monitor_get_version(const struct ovsdb_monitor *);

/* Returns the serialised initial contents for a new client
 * (<table-updates> for V1, <table-updates2> for V2 and V3) and stores its
 * length in '*lenp'.  'db_seqno' says which state of the database it is:
 * clients asking at the same seqno share one text, which stays valid
 * until the monitor is asked at another seqno or freed. */
const char *ovsdb_monitor_get_initial(struct ovsdb_monitor *,
                                      uint64_t db_seqno, size_t *lenp);

/* Returns the serialised <table-updates> or <table-updates2> that the
 * 'n' (at least 1) consecutive 'changes' of a database, oldest first,
 * produce together for 'monitor' (NULL if nothing it monitors changed):
 * for each row, the difference between before the first and after the
 * last, as one update.  The text is valid until the monitor is freed or
 * has been asked for a few other runs of changes; asking again for the
 * same run returns the same text without computing it again, so clients
 * of a shared monitor that lag equally share it.  Stores its length in
 * '*lenp'. */
const char *
ovsdb_monitor_get_update_text(struct ovsdb_monitor *,
                              struct ovsdb_monitor_changes *const *changes,
                              size_t n, size_t *lenp);

/* Returns the <table-updates2> that bring a client up to date with the
 * changes of every transaction after 'last_id' in 'history', or NULL if
 * there are none; stores in '*found' whether 'last_id' is in the history
 * (if not, the client needs the initial contents instead). */
json_t *ovsdb_monitor_get_updates_since(struct ovsdb_monitor *,
                                        const struct ovsdb_monitor_history *,
                                        const struct uuid *last_id,
                                        bool *found);

#endif /* ovsdb/monitor.h */

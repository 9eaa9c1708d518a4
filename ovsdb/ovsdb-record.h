/* The JSON records of OVS's standalone database file (after the schema
 * record), as Open vSwitch 3.1 writes and reads them:
 *
 *   - a transaction record: one object mapping table names to objects
 *     that map row UUIDs to the row's change, plus "_date" (milliseconds
 *     since the epoch), "_is_diff": true and, if the transaction had
 *     comments, "_comment":
 *
 *         {"Bridge": {"<uuid>": {"name": "br0"},      inserted row
 *                     "<uuid>": {"ports": <diff>},    modified row
 *                     "<uuid>": null},                deleted row
 *          "_date": 1700000000000, "_is_diff": true}
 *
 *     An inserted row lists its persistent columns whose values are not
 *     the default.  A modified row lists its changed persistent columns:
 *     the new value for columns holding at most one element, otherwise
 *     the difference (ovsdb_datum_diff()) between old and new.
 *
 *   - a snapshot (what compaction writes): every row in full, with "_date"
 *     and optionally "_comment", without "_is_diff".
 *
 * Records without "_is_diff" (older files, snapshots) hold new values
 * for modified columns. */
#ifndef OVSDB_OVSDB_RECORD_H
#define OVSDB_OVSDB_RECORD_H 1

#include <jansson.h>

#include "lib/util.h"

struct ds;

struct ovsdb;
struct ovsdb_error;
struct ovsdb_txn;

/* Appends the text of the record of 'txn' (precommitted or applied),
 * dated 'date_msec', as OVS writes it, to 'out' and returns true, or
 * returns false if the transaction changes nothing that is stored
 * (ephemeral columns are not). */
bool ovsdb_record_text_from_txn(const struct ovsdb_txn *, long long date_msec,
                                struct ds *out);

/* Returns a snapshot of 'db' dated 'date_msec' with 'comment' (or none if
 * NULL). */
json_t *ovsdb_record_snapshot(const struct ovsdb *, const char *comment,
                              long long date_msec);

/* Applies the transaction record or snapshot 'record' to 'db' and
 * commits it.  On error 'db' is unchanged. */
struct ovsdb_error *ovsdb_record_apply(struct ovsdb *, const json_t *record)
    OVS_WARN_UNUSED_RESULT;

#endif /* ovsdb/ovsdb-record.h */

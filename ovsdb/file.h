/* Standalone database files as a whole: reading one into an in-memory
 * database, appending a committed transaction to it, and writing a
 * database out as a compacted file.
 *
 * A standalone file (see log.h) holds the schema as its first record and
 * then transaction records (see ovsdb-record.h).  Reading replays the
 * transactions in order, each committed as it is read, so that the result
 * is the database as the last transaction left it.  Every record must
 * apply: a record that is malformed, does not fit the schema, or that the
 * engine refuses to commit is an error.  (OVS stops reading, silently, at
 * a record that parses but does not commit; Turnout does not hide such a
 * loss.) */
#ifndef OVSDB_FILE_H
#define OVSDB_FILE_H 1

#include <stdbool.h>

#include "lib/util.h"
#include "ovsdb/log.h"

struct ovsdb;
struct ovsdb_error;
struct ovsdb_schema;
struct ovsdb_txn;

/* Reads the standalone database file 'file_name' into a new database,
 * stored in '*dbp'.
 *
 * If 'alt_schema' is nonnull, the database gets a copy of that schema
 * instead of the file's own and the transactions are read as if written
 * for it, which converts the data ("ovsdb-tool convert"): tables and
 * columns that 'alt_schema' lacks are skipped, columns it adds keep their
 * defaults, and every value must be valid for its new type.
 *
 * The file is opened in 'mode' (OVSDB_LOG_READ_ONLY or
 * OVSDB_LOG_READ_WRITE), locked first if 'lock'.  If 'logp' is nonnull
 * the log is stored there, positioned after the last record, ready for
 * appending (ovsdb_file_write_txn()); otherwise it is closed.
 *
 * On failure returns the error, with OVS's texts, and stores NULL in
 * '*dbp' (and '*logp'). */
struct ovsdb_error *
ovsdb_file_read(const char *file_name, const struct ovsdb_schema *alt_schema,
                enum ovsdb_log_open_mode mode, bool lock, struct ovsdb **dbp,
                struct ovsdb_log **logp) OVS_WARN_UNUSED_RESULT;

/* Reads only the schema, the first record, of the database file
 * 'file_name' (opened read-only, without its lock). */
struct ovsdb_error *
ovsdb_file_read_schema(const char *file_name,
                       struct ovsdb_schema **schemap) OVS_WARN_UNUSED_RESULT;

/* Appends the record of 'txn' (precommitted or applied), dated now, to
 * 'log'.  Writes nothing if 'txn' changes nothing that is stored.  The
 * record is durable only after a commit of the log. */
struct ovsdb_error *
ovsdb_file_write_txn(struct ovsdb_log *log,
                     const struct ovsdb_txn *txn) OVS_WARN_UNUSED_RESULT;

/* Replaces the contents of 'log' by the schema of 'db' and one snapshot
 * record of all of its rows, dated now, with 'comment' (NULL for none).
 * The replacement is atomic and durable when this returns (see
 * ovsdb_log_replace()). */
struct ovsdb_error *
ovsdb_file_compact(struct ovsdb_log *log, const struct ovsdb *db,
                   const char *comment) OVS_WARN_UNUSED_RESULT;

/* Writes the schema of 'db' and a snapshot of its rows, with 'comment',
 * into the file 'file_name', which is created or, if it exists, emptied
 * first; locks it first if 'lock'.  The file is durable (data and
 * directory entry synced) when this returns successfully. */
struct ovsdb_error *ovsdb_file_save(const char *file_name,
                                    const struct ovsdb *db,
                                    const char *comment,
                                    bool lock) OVS_WARN_UNUSED_RESULT;

#endif /* ovsdb/file.h */

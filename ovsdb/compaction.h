/* Online compaction of a database log without stalling its users.
 *
 * Compaction replaces a log by its schema and one snapshot of the
 * database.  Serialising a big database takes long (hundreds of
 * milliseconds at 100,000 rows), and the server must keep serving
 * clients meanwhile, so the snapshot is written by a forked child
 * process, which sees the database exactly as it was at the fork
 * (copy-on-write) while the server goes on changing its own copy:
 *
 *     c = ovsdb_compaction_start(log, db, comment);
 *     ...every record written to 'log' meanwhile is also handed to
 *        ovsdb_compaction_append(c, text, n)...
 *     ...acknowledge records only up to
 *        ovsdb_compaction_durable_seq(c, ovsdb_log_get_durable_seq(log))...
 *     ...main loop: ovsdb_compaction_wait(c); poll_block();
 *     if (ovsdb_compaction_run(c)) error = ovsdb_compaction_finish(c);
 *
 * The steps:
 *
 *   1. The child writes the schema and the snapshot to "NAME.tmp", syncs
 *      it and exits.  It runs none of the server's exit or signal
 *      handlers, keeps no descriptor but the file's and the one it
 *      reports on, and dies with the server.
 *   2. The server appends the records handed over meanwhile to the new
 *      file, a bounded amount per call of ovsdb_compaction_run().
 *   3. A thread syncs the new file, renames it over the old one and syncs
 *      the directory (ovsdb_log_replace_prepare()).  Records written
 *      from here on are queued again, and not acknowledged: they are in
 *      the old file only, which the rename may have replaced.
 *   4. The server appends those records too and the log continues on the
 *      new file; they become durable with its next commit.
 *
 * A crash at any moment leaves a complete database: before the rename
 * the old file holds everything acknowledged; after it the new file,
 * synced before the rename, does.  Each main-loop step takes at most a
 * few milliseconds, whatever the size of the database (fork() itself
 * copies only page tables).
 *
 * Only the main thread calls these functions. */
#ifndef OVSDB_COMPACTION_H
#define OVSDB_COMPACTION_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"

struct ovsdb;
struct ovsdb_compaction;
struct ovsdb_error;
struct ovsdb_log;

/* Starts compacting 'log' into the schema and a snapshot of 'db' (as it
 * is now) with 'comment' (NULL for none).  On success stores the
 * compaction in '*cp' and returns NULL. */
struct ovsdb_error *
ovsdb_compaction_start(struct ovsdb_log *log, const struct ovsdb *db,
                       const char *comment,
                       struct ovsdb_compaction **cp) OVS_WARN_UNUSED_RESULT;

/* Queues a copy of the record 'text' ('n' bytes of JSON) that was just
 * written to the log being compacted, to follow the snapshot. */
void ovsdb_compaction_append(struct ovsdb_compaction *, const char *text,
                             size_t n);

/* Returns the highest sequence number of the log that may be taken as
 * durable, given that the log reports 'durable_seq': lower while the
 * old file is being replaced (step 3 above). */
uint64_t ovsdb_compaction_durable_seq(const struct ovsdb_compaction *,
                                      uint64_t durable_seq);

/* Does the work that is ready, in bounded steps.  Returns true once the
 * compaction is over (then call ovsdb_compaction_finish()). */
bool ovsdb_compaction_run(struct ovsdb_compaction *);

/* Makes the next poll_block() wake when ovsdb_compaction_run() has work. */
void ovsdb_compaction_wait(const struct ovsdb_compaction *);

/* Frees 'c', which ovsdb_compaction_run() reported over, and returns its
 * result: NULL on success (the log then continues on the new file), or
 * the error (the log continues on the old file, unless the error came
 * after the rename; then the log refuses further writes). */
struct ovsdb_error *
ovsdb_compaction_finish(struct ovsdb_compaction *c) OVS_WARN_UNUSED_RESULT;

/* Stops compacting at once: kills the child and removes the new file, or,
 * if the new file is already being renamed into place, completes the
 * replacement (blocking).  Logs a failure.  Frees 'c'.  NULL is a
 * no-op. */
void ovsdb_compaction_abort(struct ovsdb_compaction *c);

/* Automatic compaction, OVS's rule (ovsdb-server(1)): a log is compacted
 * once at least 100 records were added since the last compaction (or
 * since it was opened) and at least 10 minutes have passed since then,
 * and either it has grown to over twice its size after that compaction
 * and to at least 10 MB, or 24 hours have passed. */
struct ovsdb_compaction_rule_input {
    long long now_msec;
    long long last_compaction_msec; /* Or when the log was opened. */
    unsigned long long n_appended;  /* Records since then. */
    long long size;                 /* Bytes in the log now. */
    long long base_size;            /* Bytes just after it. */
};
bool ovsdb_compaction_is_due(const struct ovsdb_compaction_rule_input *);

#endif /* ovsdb/compaction.h */

/* Online compaction of a database log without stalling its users.
 *
 * Compaction replaces a log by its schema and one snapshot of the
 * database.  Writing and syncing a snapshot of a big database takes long,
 * so it happens in a background thread while the log keeps taking (and
 * acknowledging) transactions:
 *
 *     c = ovsdb_compaction_start(log, schema_json, snapshot_json);
 *     ...every record written to 'log' meanwhile is also handed to
 *        ovsdb_compaction_append(c, text, n)...
 *     ...main loop: ovsdb_compaction_wait(c); poll_block();
 *     if (ovsdb_compaction_is_done(c)) error = ovsdb_compaction_finish(c);
 *
 * The thread writes the schema and the snapshot to "NAME.tmp" and syncs
 * it.  ovsdb_compaction_finish() then appends the records handed over
 * meanwhile, syncs them and renames the new file over the old one (see
 * ovsdb_log_replace_commit()).  Until the rename the old file holds
 * everything, so a crash at any moment leaves a complete database: the
 * old file, or the new one with every record the old one had.
 *
 * Only the main thread calls these functions. */
#ifndef OVSDB_COMPACTION_H
#define OVSDB_COMPACTION_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

struct ovsdb_compaction;
struct ovsdb_error;
struct ovsdb_log;

/* Starts compacting 'log' into 'schema' and 'snapshot', both JSON objects
 * that the compaction takes: nothing else may use them any more.  On
 * success stores the compaction in '*cp' and returns NULL. */
struct ovsdb_error *
ovsdb_compaction_start(struct ovsdb_log *log, json_t *schema, json_t *snapshot,
                       struct ovsdb_compaction **cp) OVS_WARN_UNUSED_RESULT;

/* Queues a copy of the record 'text' ('n' bytes of JSON) that was just
 * written to the log being compacted, to follow the snapshot. */
void ovsdb_compaction_append(struct ovsdb_compaction *, const char *text,
                             size_t n);

/* Returns true once the background thread has finished. */
bool ovsdb_compaction_is_done(const struct ovsdb_compaction *);

/* Makes the next poll_block() wake when the background thread finishes. */
void ovsdb_compaction_wait(const struct ovsdb_compaction *);

/* Waits for the background thread, then completes the replacement (or
 * cleans up after a failure) and frees 'c'.  Returns NULL on success:
 * the log then continues on the new file and everything written to it so
 * far is durable.  On error the log continues on the old file. */
struct ovsdb_error *
ovsdb_compaction_finish(struct ovsdb_compaction *c) OVS_WARN_UNUSED_RESULT;

/* Stops compacting: waits for the thread, removes the new file, frees
 * 'c'.  NULL is a no-op. */
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

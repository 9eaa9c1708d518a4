/* The database log file: OVS's standalone database format.
 *
 * A log is a sequence of records.  Each record is a header line
 *
 *     MAGIC LENGTH SHA1\n
 *
 * followed by LENGTH bytes of JSON text.  MAGIC is "OVSDB JSON" for a
 * standalone database; LENGTH counts every byte of the body, including
 * the newline that the writer puts after the JSON; SHA1 is the SHA-1 of
 * those LENGTH bytes in 40 lowercase hexadecimal digits.  Every record is
 * a JSON object.  In a database file the first record is the schema and
 * each later one is a transaction (see ovsdb_log_txn_record()).
 *
 * Files written here are read by OVS's ovsdb-tool and ovsdb-server and
 * the other way round.
 *
 * Corruption: a record that is torn at the end of the file, as a crash in
 * the middle of a write leaves it (a header line without its newline, a
 * body shorter than LENGTH, or a last body whose SHA-1 does not match), is
 * cut off with a warning when a log opened for writing reads it, and
 * reading ends cleanly at the records before it.  Anything else that is
 * wrong (a bad record followed by more data, a bad header, a body that is
 * not a JSON object) is an error that names the file and the byte offset,
 * with OVS's wording.  The first record is never cut off: a file whose
 * schema record is damaged is an error.
 *
 * Durability: ovsdb_log_write() hands records to the kernel at once (or
 * at the next commit, see ovsdb_log_defer_writes()), so they survive the
 * process but not the machine; a commit (fdatasync(), or a write to the
 * journal, see ovsdb_log_use_journal()) makes every record written before
 * it durable.  Each record written
 * gets a sequence number (1, 2, ...), and the log reports the highest
 * durable one, so that a server can acknowledge each transaction once
 * its record is durable and let many transactions share one fsync:
 *
 *     ovsdb_log_write(log, a);      -> seq 1
 *     ovsdb_log_write(log, b);      -> seq 2
 *     ovsdb_log_commit_start(log);  background commit covering 1 and 2
 *     ovsdb_log_write(log, c);      -> seq 3 (covered by the next one)
 *     ...main loop: ovsdb_log_commit_wait(log); poll_block();
 *     ovsdb_log_commit_done(log, &durable);   -> durable == 2, later 3
 *
 * A struct ovsdb_log is used by one thread at a time (apart from its own
 * background commit thread). */
#ifndef OVSDB_LOG_H
#define OVSDB_LOG_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/util.h"

struct ovsdb_error;
struct ovsdb_log;

/* File magics. */
#define OVSDB_LOG_MAGIC "OVSDB JSON"            /* Standalone database. */
#define OVSDB_LOG_CLUSTER_MAGIC "OVSDB CLUSTER" /* Clustered (Raft). */

enum ovsdb_log_open_mode {
    OVSDB_LOG_READ_ONLY,   /* Existing file, read only. */
    OVSDB_LOG_READ_WRITE,  /* Existing file, read and append. */
    OVSDB_LOG_CREATE_EXCL, /* New file; fails if it exists. */
    OVSDB_LOG_CREATE       /* New file; empties an existing one. */
};

/* What the first record of a file says it is. */
enum ovsdb_log_file_type {
    OVSDB_LOG_STANDALONE, /* "OVSDB JSON". */
    OVSDB_LOG_CLUSTERED,  /* "OVSDB CLUSTER". */
    OVSDB_LOG_UNKNOWN     /* Empty, unreadable, or another magic. */
};

/* Opening and closing. */

/* Opens the standalone database log 'name' in 'mode'.  If 'lock' is true,
 * first takes the lock file next to it (see lockfile.h), which writers
 * should always do and read-only users may skip, as OVS's tools do.
 * Newly created files get mode 0660 (less the umask), and their
 * directory is synced so that the new name is durable.
 *
 * On success stores the log in '*logp' and returns NULL.  On failure
 * stores NULL and returns the error, with OVS's texts, e.g.:
 *
 *     I/O error: NAME: open failed (No such file or directory)
 *     I/O error: NAME: create failed (File exists)
 *     I/O error: NAME: failed to lock lockfile (Resource temporarily
 *         unavailable)
 *     ovsdb error: NAME: cannot identify file type
 *     ovsdb error: NAME: unexpected file format
 *
 * and, for a clustered database file,
 *
 *     ovsdb error: NAME: clustered database files ("OVSDB CLUSTER") are
 *         not supported */
struct ovsdb_error *
ovsdb_log_open(const char *name, enum ovsdb_log_open_mode mode, bool lock,
               struct ovsdb_log **logp) OVS_WARN_UNUSED_RESULT;

/* Starts a log that writes records to the open file descriptor 'fd' in
 * sequence from its current position, for a database file streamed to
 * a pipe or to standard output (as "ovsdb-client backup" writes one);
 * 'name' is for messages.  The log keeps its own duplicate of 'fd',
 * takes no lock and cannot be read or replaced.  A commit syncs a
 * regular file and succeeds at once on a pipe or terminal, which hold
 * nothing to make durable.  A failed write leaves the stream torn, so
 * the log refuses further writes.  Returns NULL or the error, e.g.
 * "I/O error: NAME: create failed (Bad file descriptor)". */
struct ovsdb_error *
ovsdb_log_open_stream(int fd, const char *name,
                      struct ovsdb_log **logp) OVS_WARN_UNUSED_RESULT;

/* Closes 'log' and releases its lock.  Waits for a background commit
 * that is under way but does not commit records written since: commit
 * first what must be durable.  A null 'log' is a no-op. */
void ovsdb_log_close(struct ovsdb_log *log);

/* Returns the type of the file 'name' from its first header line without
 * opening it as a log (no lock, nothing changed). */
enum ovsdb_log_file_type ovsdb_log_probe(const char *name);

/* Returns the name 'log' was opened with. */
const char *ovsdb_log_get_name(const struct ovsdb_log *log);

/* Returns the file descriptor of 'log', for a forked process that writes
 * through it and must keep it open when it closes all others. */
int ovsdb_log_get_fd(const struct ovsdb_log *log);

/* Reading. */

/* Reads the next record.  On success returns NULL and stores the record
 * (a JSON object, owned by the caller) in '*recordp', or NULL at the end
 * of the log.  On error returns it and stores NULL; the log then returns
 * the same error on every later read and refuses writes.
 *
 * Error texts, as OVS prints them:
 *
 *     syntax error: NAME: parse error at offset OFS in header line "TEXT"
 *     I/O error: NAME: error reading LEN bytes starting at offset OFS
 *         (End of file)
 *     syntax error: NAME: LEN bytes starting at offset OFS have SHA-1 hash
 *         HEX but should have hash HEX
 *     syntax error: NAME: LEN bytes starting at offset OFS are not valid
 *         JSON (DETAILS)
 *     syntax error: NAME: LEN bytes starting at offset OFS are not a JSON
 *         object
 *
 * A torn last record (see the top of this file), or a tail of zero bytes
 * (a crash can leave a file longer than what was written into it), gives
 * the error above in read-only mode; in the other modes it is truncated
 * away with a warning and the read reports the end of the log.
 *
 * In the other modes, too, where reading meets the end of the file or
 * damage, committed records that the file lost in a crash of the machine
 * are first restored from the journal (see ovsdb_log_use_journal()), with
 * a warning "NAME: restored N bytes of committed transactions from
 * JOURNAL", and reading goes on with them. */
struct ovsdb_error *ovsdb_log_read(struct ovsdb_log *log,
                                   json_t **recordp) OVS_WARN_UNUSED_RESULT;

/* Returns the number of records read so far. */
uint64_t ovsdb_log_get_n_read(const struct ovsdb_log *log);

/* Returns the number of bytes that the last read cut off as a torn
 * record, or 0 if it cut off nothing. */
off_t ovsdb_log_get_truncated(const struct ovsdb_log *log);

/* Writing. */

/* Appends 'record', which must be a JSON object, as one record, in compact
 * form with its members in their order in 'record'.  The record reaches
 * the kernel before this returns but is durable only after a commit.
 * Writing is allowed once every record has been read (at once for a new
 * file).  If the write fails, the partial record is removed again and the
 * log stays usable if that succeeds.
 *
 * Returns NULL on success, when the record's sequence number is
 * ovsdb_log_get_written_seq(). */
struct ovsdb_error *
ovsdb_log_write(struct ovsdb_log *log,
                const json_t *record) OVS_WARN_UNUSED_RESULT;

/* Like ovsdb_log_write() for a record already serialised: 'body' is 'n'
 * bytes of JSON text (a newline is added if it does not end in one). */
struct ovsdb_error *ovsdb_log_write_text(struct ovsdb_log *log,
                                         const char *body,
                                         size_t n) OVS_WARN_UNUSED_RESULT;

/* Makes ovsdb_log_write() and ovsdb_log_write_text() keep records in
 * memory until the next commit (ovsdb_log_commit_start() or
 * ovsdb_log_commit_block()), replacement or close, which hands them all to
 * the kernel in one write: a server that commits once per iteration of
 * its main loop makes one write() instead of one per transaction.  Such a
 * write can then fail only after the records were accepted: that failure
 * is sticky, as a failed fsync is (see ovsdb_log_commit_block()), so none
 * of those records is ever reported durable. */
void ovsdb_log_defer_writes(struct ovsdb_log *log);

/* Makes commits of 'log' write to its journal, ".NAME.~journal~" next to
 * the file (see log-journal.h), instead of syncing the file: a commit
 * then takes one small synchronous write.  For a writer that has read
 * the whole log and commits often (the server).  If the file system
 * cannot do it, logs a warning and commits keep syncing the file.
 * Closing the log syncs the file and deletes the journal. */
void ovsdb_log_use_journal(struct ovsdb_log *log);

/* Returns true if ovsdb_log_commit_start() on 'log' starts an
 * asynchronous journal write (Linux AIO) and returns, without a thread:
 * the caller's poll loop, through ovsdb_log_commit_wait(), wakes when it
 * is done, and ovsdb_log_commit_done() then reports the records durable.
 * One such write runs at a time; records that ovsdb_log_commit_start()
 * asks for meanwhile are written as soon as it is done.  False where the
 * log has no journal, the journal failed, or the kernel refuses
 * asynchronous I/O: then commits run in a thread or in the caller. */
bool ovsdb_log_commits_async(const struct ovsdb_log *log);

/* Returns the sequence number of the last record written through 'log'
 * (0 before the first one). */
uint64_t ovsdb_log_get_written_seq(const struct ovsdb_log *log);

/* Returns the highest sequence number known to be durable, as of the
 * last commit that completed. */
uint64_t ovsdb_log_get_durable_seq(const struct ovsdb_log *log);

/* Commits: makes every record written so far durable with one
 * fdatasync(), waiting for it (and for a background commit already under
 * way).  Returns NULL or the error ("I/O error: NAME: fsync failed
 * (...)"); after a failed fsync the kernel may have dropped the data, so
 * the log then refuses further writes and commits. */
struct ovsdb_error *
ovsdb_log_commit_block(struct ovsdb_log *log) OVS_WARN_UNUSED_RESULT;

/* Starts making every record written so far durable, with an
 * asynchronous journal write (see ovsdb_log_commits_async()) or in a
 * background thread, and returns at once.  If a commit is already under way,
 * another one follows it as soon as it completes, so that records written
 * meanwhile share that next fsync.  Does nothing if everything written is
 * durable or being made durable. */
void ovsdb_log_commit_start(struct ovsdb_log *log);

/* Collects the results of background commits: stores the highest durable
 * sequence number in '*durable_seqp' and returns NULL, or returns the
 * error of a failed fsync (a clone of it each time; see
 * ovsdb_log_commit_block()). */
struct ovsdb_error *
ovsdb_log_commit_done(struct ovsdb_log *log,
                      uint64_t *durable_seqp) OVS_WARN_UNUSED_RESULT;

/* Returns true if records were written that no commit has been started
 * for yet: the caller must call ovsdb_log_commit_start() (e.g. wake its
 * main loop at once). */
bool ovsdb_log_commit_needed(const struct ovsdb_log *);

/* Returns how long one commit's fdatasync() takes these days, in
 * microseconds (an average that follows the last few), or 0 before the
 * first commit. */
long long ovsdb_log_get_sync_usec(const struct ovsdb_log *);

/* Returns true if a background commit is under way or queued.  For the
 * log's owner (the thread that writes and starts commits). */
bool ovsdb_log_commit_in_progress(const struct ovsdb_log *log);

/* Makes the next poll_block() wake when a background commit completes
 * (at once if one has completed and not been collected). */
void ovsdb_log_commit_wait(struct ovsdb_log *log);

/* Replacing (compaction). */

/* Starts replacing the contents of 'old': creates "NAME.tmp" next to the
 * file that 'old' names (after following symbolic links), locked, and
 * stores it as a log in '*newp' to which the caller writes the new
 * records.  Then either ovsdb_log_replace_commit() or
 * ovsdb_log_replace_abort(). */
struct ovsdb_error *
ovsdb_log_replace_start(struct ovsdb_log *old,
                        struct ovsdb_log **newp) OVS_WARN_UNUSED_RESULT;

/* Makes 'new' durable, renames it over the file of 'old' and syncs the
 * directory, so that after a crash the file holds either the old or the
 * new records, complete.  'old' then continues on the new file (and
 * 'new' is freed): its sequence numbers go on from where they were, and
 * all of them count as durable, since the caller promises that the new
 * records supersede everything written to 'old'.  On error, 'new' is
 * removed and freed and 'old' stays as it was. */
struct ovsdb_error *
ovsdb_log_replace_commit(struct ovsdb_log *old,
                         struct ovsdb_log *new) OVS_WARN_UNUSED_RESULT;

/* The same replacement in steps, for a caller that writes the new file
 * elsewhere and syncs it in the background (see ovsdb/compaction.h):
 *
 * ovsdb_log_replace_adopt_end() moves the write position of 'new' to the
 * end of its file, after records that another process appended through
 * its inherited descriptor.
 *
 * ovsdb_log_replace_prepare() syncs 'new', renames it over the file of
 * 'old' and syncs the directory.  It touches neither log's state, so it
 * may run in another thread while the owner goes on writing to 'old'
 * (not to 'new').  Stores in '*renamedp' whether the rename happened:
 * if not, the caller aborts 'new' ('old' is as it was); if so, the
 * caller must call ovsdb_log_replace_finish(), with the error returned
 * here, if any (a failed directory sync).
 *
 * ovsdb_log_replace_finish() makes 'old' continue on the new file: its
 * sequence numbers go on from where they were; those up to 'durable_seq'
 * count as durable (the caller promises that the new file holds them
 * and was synced after they were written to it), later ones wait for
 * the next commit.  A commit of the old file still running counts for
 * nothing.  Frees 'new'.  If 'error' is nonnull, 'old' refuses further
 * writes; returns 'error'. */
void ovsdb_log_replace_adopt_end(struct ovsdb_log *new);
struct ovsdb_error *
ovsdb_log_replace_prepare(const struct ovsdb_log *old,
                          const struct ovsdb_log *new,
                          bool *renamedp) OVS_WARN_UNUSED_RESULT;
struct ovsdb_error *ovsdb_log_replace_finish(struct ovsdb_log *old,
                                             struct ovsdb_log *new,
                                             uint64_t durable_seq,
                                             struct ovsdb_error *error);

/* Removes the temporary file of 'new' and frees it. */
void ovsdb_log_replace_abort(struct ovsdb_log *new);

/* Replaces the contents of 'log' by the 'n' records in 'records' with
 * ovsdb_log_replace_start(), ovsdb_log_write() and
 * ovsdb_log_replace_commit(). */
struct ovsdb_error *ovsdb_log_replace(struct ovsdb_log *log,
                                      json_t *const *records,
                                      size_t n) OVS_WARN_UNUSED_RESULT;

/* Sizes, for deciding when to compact. */

/* Returns the byte offset just past the last record read or written. */
off_t ovsdb_log_get_offset(const struct ovsdb_log *log);

/* Returns the size of the file when it was opened or last replaced. */
off_t ovsdb_log_get_base_size(const struct ovsdb_log *log);

/* Returns the number of records written since the log was opened or last
 * replaced. */
uint64_t ovsdb_log_get_n_appended(const struct ovsdb_log *log);

/* Returns true if the log has grown enough to be worth compacting by
 * OVS's size rule: at least 10 MiB and more than twice its base size.
 * (The rules on commit counts and time are the server's.) */
bool ovsdb_log_grew_enough(const struct ovsdb_log *log);

/* Transaction records. */

/* Returns a new transaction record as OVS writes them:
 *
 *     {"_date": MSEC, TABLE: {UUID: ROW-OR-NULL, ...}, ...,
 *      "_is_diff": true, "_comment": COMMENT}
 *
 * 'tables' is an object of the tables' changes (taken, may be NULL for a
 * record of only a comment); 'date_msec' is the wall-clock time in
 * milliseconds since the epoch (e.g. time_wall_msec()); 'comment' is
 * omitted if null; "_is_diff" appears only if 'is_diff', which says that
 * each row gives the differences to the row before (what OVS 2.15 and
 * later write for transactions) rather than the whole row (what a
 * snapshot written by compaction holds). */
json_t *ovsdb_log_txn_record(json_t *tables, long long date_msec,
                             const char *comment, bool is_diff);

/* Returns true if 'member' of a transaction record is one of the
 * bookkeeping members ("_date", "_comment", "_is_diff", and any other name
 * that starts with '_') rather than a table. */
bool ovsdb_log_txn_is_meta(const char *member);

/* Reads the bookkeeping members of transaction record 'record': the date
 * (0 if missing), the comment (NULL if missing; borrowed from 'record')
 * and whether the record is a diff.  Each pointer may be NULL. */
void ovsdb_log_txn_get_meta(const json_t *record, long long *date_msecp,
                            const char **commentp, bool *is_diffp);

#endif /* ovsdb/log.h */

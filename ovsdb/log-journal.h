/* The commit journal of a database log: fast durable commits.
 *
 * Making an append to a file durable takes an fdatasync() that writes the
 * data, then the inode (whose size changed), then flushes the disk's
 * cache: three round trips to the device.  Overwriting blocks that a file
 * already has, with O_DIRECT and O_DSYNC, takes one write and one flush,
 * and no metadata at all: on a virtual disk that is about 20 us instead
 * of 35 to 70 us.
 *
 * So a server commits a group of records in two steps:
 *
 *   1. It appends the records to the database file as always (they reach
 *      the page cache, which readers of the file see at once).
 *   2. It writes the same bytes, as one entry, into the journal: a file
 *      of fixed size next to the database, ".NAME.~journal~", overwritten
 *      in a ring.  When that write returns, the records are durable.
 *
 * The database file itself is synced only when the ring is full, before
 * it wraps around, so that every entry being overwritten describes bytes
 * that are durable in the file already.  (A group too big for the ring
 * is committed by syncing the database file instead.)
 *
 * Recovery: a crash of the machine can leave the database file without
 * some records that were committed, or with zeros or garbage in their
 * place.  A writer that opens the file reads it up to the first record
 * that is missing or damaged, at offset OFS, and asks the journal for an
 * entry that describes the bytes at OFS (log_journal_find()); it writes
 * them back into the file and reads on.  An entry belongs to the file's
 * history only if it names the file's inode and offset, and either
 * starts at OFS and follows the record whose SHA-1 it names, or starts
 * before OFS with exactly the bytes the file has there.  Stale entries
 * from earlier rounds of the ring, or from a file that compaction has
 * replaced, match neither way.
 *
 * Each entry is a header (magic, offset, inode, length, the SHA-1 of the
 * record before it, a hash of the payload and one of the header) and the
 * payload, padded to the disk's direct I/O alignment.  The header and
 * hashes are in the machine's byte order: a journal does not move
 * between machines, and a clean close deletes it.
 *
 * Only a Turnout writer reads the journal: OVS's tools do not know it.
 * After a crash of the machine, the committed records that the file lacks
 * are back in it once Turnout's ovsdb-server (or any of Turnout's tools
 * that writes the file) has opened it. */
#ifndef OVSDB_LOG_JOURNAL_H
#define OVSDB_LOG_JOURNAL_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LOG_JOURNAL_SHA1_LEN 20

/* A group of records to commit: bytes appended to the database file at
 * 'main_ofs', following the record whose SHA-1 is 'prev_sha1'. */
struct log_journal_entry {
    char *buf;  /* Room for the header, then the payload. */
    size_t len; /* Payload bytes. */
    size_t cap; /* Bytes allocated at 'buf'. */
    off_t main_ofs;
    uint64_t main_ino;
    uint8_t prev_sha1[LOG_JOURNAL_SHA1_LEN];
    uint64_t seq; /* The log's sequence number of its last record. */
};

void log_journal_entry_init(struct log_journal_entry *);
void log_journal_entry_destroy(struct log_journal_entry *);

/* Makes 'e' empty, to describe the bytes at 'main_ofs' of the file with
 * inode 'main_ino' that follow the record with SHA-1 'prev_sha1'. */
void log_journal_entry_start(struct log_journal_entry *, off_t main_ofs,
                             uint64_t main_ino, const uint8_t *prev_sha1);

/* Appends 'n' bytes at 'data' to the payload of 'e', which must have
 * been started. */
void log_journal_entry_append(struct log_journal_entry *, const void *data,
                              size_t n);

/* Writing. */

struct log_journal;

/* Returns the name of the journal of the database file 'target' (with
 * symbolic links resolved), e.g. "/etc/db/.conf.db.~journal~" for
 * "/etc/db/conf.db".  The caller frees it. */
char *log_journal_name(const char *target);

/* Creates the journal of the database file 'target' (emptying one that a
 * crash left), for a writer that holds the file's lock and has synced
 * the file (so that whatever an old journal holds is stale).
 * Returns 0 and stores the journal in '*jp', or returns an errno value
 * (then the writer commits with fdatasync() alone); EINVAL means that
 * the file system cannot do what the journal needs. */
int log_journal_open(const char *target, struct log_journal **jp);

/* Closes 'j'.  If 'remove', deletes its file: the caller has synced the
 * database file, so the journal holds nothing that it lacks. */
void log_journal_close(struct log_journal *j, bool remove);

/* Makes the records in 'e' durable: writes 'e' into the journal, or, if
 * the ring is full (or 'e' is too big for it), syncs the database file
 * 'main_fd', which holds them already, and starts the ring over.
 * Returns 0 or an errno value.  One caller at a time. */
int log_journal_commit(struct log_journal *j, int main_fd,
                       struct log_journal_entry *e);

/* Asynchronous commits, where the kernel can do them (Linux AIO): the
 * caller goes on while the write runs, and learns when it is done.  One
 * at a time, and never beside log_journal_commit(). */

/* Returns a file descriptor that becomes readable when a write started by
 * log_journal_write_async() is done, or -1 if 'j' cannot write
 * asynchronously. */
int log_journal_async_fd(struct log_journal *j);

/* Returns true if 'e' can be written asynchronously now: nothing is in
 * flight and 'e' fits in the ring without a wrap (which needs a sync of
 * the database file, so log_journal_commit() does it). */
bool log_journal_can_write_async(const struct log_journal *j,
                                 const struct log_journal_entry *e);

/* Starts writing 'e' (which must stay untouched until the write is done)
 * into the journal.  Returns 0 or an errno value (nothing started). */
int log_journal_write_async(struct log_journal *j, int main_fd,
                            struct log_journal_entry *e);

/* Returns true if a write started by log_journal_write_async() is not
 * known to be done yet. */
bool log_journal_write_in_flight(const struct log_journal *j);

/* Returns true if no write is in flight any more, storing its result (0
 * or an errno value) in '*errorp'; if 'block', waits for it. */
bool log_journal_write_done(struct log_journal *j, bool block, int *errorp);

/* Tells 'j' that the database file is durable as it is (it was synced,
 * or replaced by a synced file): every entry is stale, and the ring may
 * start over. */
void log_journal_reset(struct log_journal *j);

/* Recovery. */

struct log_journal_image;

/* Reads the journal of the database file 'target' into memory, or
 * returns NULL if it has none (or it cannot be read). */
struct log_journal_image *log_journal_load(const char *target);
void log_journal_image_free(struct log_journal_image *);

/* Finds the entry in 'image' that continues the database file 'main_fd'
 * (of inode 'main_ino') at 'ofs', where the record before ends and has
 * SHA-1 'prev_sha1' (see the top of this file).  Returns the bytes that
 * belong at 'ofs' and stores their number in '*np', or returns NULL. */
const char *log_journal_find(const struct log_journal_image *image,
                             int main_fd, uint64_t main_ino, off_t ofs,
                             const uint8_t *prev_sha1, size_t *np);

#endif /* ovsdb/log-journal.h */

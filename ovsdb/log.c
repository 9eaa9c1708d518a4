/* The database log file; see log.h for the format and the contracts. */
#include "ovsdb/log.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/ds.h"
#include "lib/json.h"
#include "lib/poll-loop.h"
#include "lib/timeval.h"
#include "lib/util.h"
#include "lib/vlog.h"
#include "ovsdb/lockfile.h"
#include "ovsdb/log-journal.h"
#include "ovsdb/ovsdb-error.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_log);

#define SHA1_LEN 20
#define SHA1_HEX_LEN (2 * SHA1_LEN)

/* A header line longer than this (newline included) is not a header.  The
 * longest real one is "OVSDB CLUSTER" plus a 20-digit length plus the
 * hash, well under 100 bytes. */
#define MAX_HEADER_LEN 1024

/* Reads are served from a window of the file at least this large. */
#define READ_CHUNK (64 * 1024)

/* Compaction threshold: OVS's minimum size for automatic compaction. */
#define GREW_ENOUGH_MIN_SIZE (10 * 1024 * 1024)

struct ovsdb_log {
    char *name;   /* As the caller gave it, for messages. */
    char *target; /* 'name' with symbolic links followed. */
    enum ovsdb_log_open_mode mode;
    struct lockfile *lockfile; /* Null if not locked. */
    int fd;
    bool stream; /* Written in sequence, never read (see
                  * ovsdb_log_open_stream()). */

    /* Position.  'offset' is the end of the last record read or written:
     * the next record is read, or written, there. */
    off_t offset;
    bool at_end;               /* Every record read: writing allowed. */
    struct ovsdb_error *error; /* Sticky read or write error, or null. */
    uint64_t n_read;
    off_t truncated; /* Bytes cut off as a torn record. */

    /* Read-ahead window: 'rbuf_len' bytes of the file at 'rbuf_ofs'. */
    char *rbuf;
    size_t rbuf_len;
    size_t rbuf_size;
    off_t rbuf_ofs;

    /* Writing.  With deferred writes (see ovsdb_log_defer_writes()),
     * 'offset' and 'written_seq' count the records in 'wbuf' too. */
    bool defer_writes;
    struct ds wbuf;       /* Records not yet handed to the kernel. */
    uint64_t written_seq; /* Sequence number of the last write. */
    uint64_t n_appended;  /* Records since open or replace. */
    off_t base_size;      /* Size when opened or replaced. */

    /* Commits.  The members below 'mutex' are shared with the commit
     * thread and guarded by 'mutex'; 'fd' changes only under it too.
     * 'durable_seq' and 'commit_error' are also stored atomically, so
     * that the main loop can check them without the mutex, and
     * 'requested_seq', written only by the log's owner, may be read by
     * it without the mutex. */
    pthread_mutex_t mutex;
    pthread_cond_t cond; /* Signals changes to the members below. */
    bool has_thread;
    pthread_t thread;
    bool exiting;                     /* Tells the thread to finish. */
    bool syncing;                     /* An fdatasync() is running. */
    uint64_t requested_seq;           /* Highest seq a commit was asked for. */
    uint64_t durable_seq;             /* Highest seq known durable. */
    struct ovsdb_error *commit_error; /* Failed fsync, sticky. */
    uint64_t fd_generation; /* Bumped when a replacement swaps 'fd'. */
    int retired_fd;         /* Swapped out while a sync ran on it: closed
                             * when that sync returns. */
    int wake_fds[2];        /* Pipe: one byte per completed commit. */
    unsigned long long wake_read_at; /* poll_loop_n_wakeups() when the
                                      * pipe was last read. */
    long long sync_usec; /* Typical fdatasync() time, 0 if unknown; written
                          * under 'mutex', read atomically. */

    /* The commit journal (see log-journal.h), if the log uses one.
     * 'journal' itself and 'spare' are used only by whoever runs a sync
     * (see 'syncing'); the members after them are guarded by 'mutex'. */
    struct log_journal *journal;
    struct log_journal_entry spare;   /* The entry being committed. */
    struct log_journal_entry pending; /* Handed to the kernel since. */
    bool journal_failed; /* A journal write failed: fdatasync() only.
                          * Also read atomically without 'mutex'. */
    bool need_file_sync; /* 'pending' does not reach back to what is
                          * durable: the next commit syncs the file. */
    uint64_t main_ino;   /* Inode of the file 'fd'. */
    /* poll_loop_n_wakeups() when the completion of an asynchronous
     * journal write (see ovsdb_log_commits_async()) was last looked for. */
    unsigned long long async_read_at;

    /* SHA-1s: of the last record read or written, and of the last one
     * handed to the kernel (which 'pending' follows). */
    uint8_t last_sha1[SHA1_LEN];
    uint8_t flushed_sha1[SHA1_LEN];

    /* Recovery from the journal while reading (see ovsdb_log_read()). */
    struct log_journal_image *journal_image;
    bool journal_loaded;
    uint64_t restored_bytes;
    off_t restored_to; /* End of the last bytes restored. */
};

/* 'durable_seq' and 'commit_error', read without the mutex. */
static uint64_t
log_durable_seq(const struct ovsdb_log *log)
{
    return __atomic_load_n(&log->durable_seq, __ATOMIC_ACQUIRE);
}

static struct ovsdb_error *
log_commit_error(const struct ovsdb_log *log)
{
    return __atomic_load_n(&log->commit_error, __ATOMIC_ACQUIRE);
}

/* Records 'error' (taken) as the log's sticky commit error unless it has
 * one already.  Called with the mutex held. */
static void
log_set_commit_error(struct ovsdb_log *log, struct ovsdb_error *error)
{
    if (!log->commit_error) {
        __atomic_store_n(&log->commit_error, error, __ATOMIC_RELEASE);
    } else {
        ovsdb_error_destroy(error);
    }
}

/* The fields of a header line. */
struct log_header {
    const char *magic; /* Not null-terminated. */
    size_t magic_len;
    unsigned long long length;
    uint8_t sha1[SHA1_LEN];
};

static void log_stop_thread(struct ovsdb_log *);
static struct ovsdb_error *log_flush(struct ovsdb_log *);

/* SHA-1. */

static void
sha1_to_hex(const uint8_t sha1[SHA1_LEN], char hex[SHA1_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < SHA1_LEN; i++) {
        hex[2 * i] = digits[sha1[i] >> 4];
        hex[2 * i + 1] = digits[sha1[i] & 15];
    }
    hex[SHA1_HEX_LEN] = '\0';
}

static int
hex_digit_value(int c)
{
    return (c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1);
}

static EVP_MD *sha1_md;

/* Each thread reuses one digest context: allocating one per record costs
 * more than hashing a small record. */
static pthread_key_t sha1_ctx_key;
static __thread EVP_MD_CTX *sha1_ctx;

static void
free_sha1_ctx(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void
log_sha1_init(void)
{
    sha1_md = EVP_MD_fetch(NULL, "SHA1", NULL);
    if (pthread_key_create(&sha1_ctx_key, free_sha1_ctx)) {
        ovs_abort(0, "pthread_key_create failed");
    }
}

static EVP_MD_CTX *
log_sha1_ctx(void)
{
    if (!sha1_ctx) {
        sha1_ctx = EVP_MD_CTX_new();
        pthread_setspecific(sha1_ctx_key, sha1_ctx);
    }
    return sha1_ctx;
}

/* Computes the SHA-1 of 'n' bytes at 'data', followed by a newline if
 * 'add_newline'. */
static void
log_sha1(const void *data, size_t n, bool add_newline, uint8_t sha1[SHA1_LEN])
{
    /* Fetched once: an implicit fetch on every digest is a lookup in
     * OpenSSL's provider tables under a lock. */
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, log_sha1_init);

    EVP_MD_CTX *ctx = log_sha1_ctx();
    unsigned int len = 0;
    if (!ctx || !sha1_md || !EVP_DigestInit_ex(ctx, sha1_md, NULL)
        || !EVP_DigestUpdate(ctx, data, n)
        || (add_newline && !EVP_DigestUpdate(ctx, "\n", 1))
        || !EVP_DigestFinal_ex(ctx, sha1, &len) || len != SHA1_LEN) {
        ovs_abort(0, "SHA-1 computation failed");
    }
}

/* Headers. */

/* Parses the header line 'line' of 'len' bytes (without its newline) into
 * 'h'.  The format is "MAGIC LENGTH SHA1", where MAGIC is "OVSDB " followed
 * by one word, LENGTH is decimal and not zero, SHA1 is 40 hex digits
 * (either case), and nothing else is on the line. */
static bool
log_parse_header(const char *line, size_t len, struct log_header *h)
{
    static const char lead[] = "OVSDB ";
    size_t lead_len = strlen(lead);
    if (len < lead_len || memcmp(line, lead, lead_len)) {
        return false;
    }

    const char *end = line + len;
    const char *space = memchr(line + lead_len, ' ', len - lead_len);
    if (!space || space == line + lead_len) {
        return false;
    }
    h->magic = line;
    h->magic_len = space - line;

    /* Like OVS, accept extra spaces before the length and the hash. */
    const char *p = space + 1;
    while (p < end && *p == ' ') {
        p++;
    }
    if (p >= end || *p < '0' || *p > '9') {
        return false;
    }
    unsigned long long length = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        if (length > (ULLONG_MAX - 9) / 10) {
            return false;
        }
        length = length * 10 + (*p - '0');
    }
    h->length = length;

    /* OVS refuses a header for an empty record. */
    if (!length || p >= end || *p != ' ') {
        return false;
    }
    while (p < end && *p == ' ') {
        p++;
    }
    if (end - p != SHA1_HEX_LEN) {
        return false;
    }
    for (int i = 0; i < SHA1_LEN; i++) {
        int hi = hex_digit_value(p[2 * i]);
        int lo = hex_digit_value(p[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return false;
        }
        h->sha1[i] = hi * 16 + lo;
    }
    return true;
}

/* Returns how much of the header line 'line' (of 'len' bytes) error
 * messages show, as OVS does: up to the space that ends the magic if the
 * line starts like a header, otherwise all of it. */
static int
log_header_shown_len(const char *line, size_t len)
{
    static const char lead[] = "OVSDB ";
    size_t lead_len = strlen(lead);
    if (len >= lead_len && !memcmp(line, lead, lead_len)) {
        const char *space = memchr(line + lead_len, ' ', len - lead_len);
        if (space) {
            return space - line;
        }
    }
    return len;
}

static bool
log_magic_is(const struct log_header *h, const char *magic)
{
    return h->magic_len == strlen(magic)
           && !memcmp(h->magic, magic, h->magic_len);
}

/* Reading. */

/* Makes up to 'n' bytes of the file at 'ofs' available and stores a
 * pointer to them in '*datap'.  Returns how many are available (fewer than
 * 'n' only at the end of the file), or -1 with errno set on error. */
static ssize_t
log_peek(struct ovsdb_log *log, off_t ofs, size_t n, const char **datap)
{
    if (ofs >= log->rbuf_ofs
        && ofs + (off_t) n <= log->rbuf_ofs + (off_t) log->rbuf_len) {
        *datap = log->rbuf + (ofs - log->rbuf_ofs);
        return n;
    }

    size_t want = MAX(n, READ_CHUNK);
    if (want > log->rbuf_size) {
        free(log->rbuf);
        log->rbuf = xmalloc(want);
        log->rbuf_size = want;
    }
    log->rbuf_ofs = ofs;
    log->rbuf_len = 0;
    while (log->rbuf_len < log->rbuf_size) {
        ssize_t retval =
            pread(log->fd, log->rbuf + log->rbuf_len,
                  log->rbuf_size - log->rbuf_len, ofs + log->rbuf_len);
        if (retval < 0) {
            if (errno == EINTR) {
                continue;
            }
            log->rbuf_len = 0;
            return -1;
        } else if (retval == 0) {
            break;
        }
        log->rbuf_len += retval;
    }
    *datap = log->rbuf;
    return MIN(n, log->rbuf_len);
}

static void
log_drop_read_buffer(struct ovsdb_log *log)
{
    free(log->rbuf);
    log->rbuf = NULL;
    log->rbuf_len = log->rbuf_size = 0;
    log->rbuf_ofs = 0;
}

/* Reads the header line at 'ofs'.  On success stores its length with the
 * newline in '*header_lenp' and returns NULL; the header's fields point
 * into the read buffer.  Sets '*at_eofp' if nothing is left at 'ofs', and
 * '*tornp' if the line runs into the end of the file without a newline. */
static struct ovsdb_error *
log_read_header(struct ovsdb_log *log, off_t ofs, struct log_header *h,
                size_t *header_lenp, bool *at_eofp, bool *tornp)
{
    *at_eofp = *tornp = false;

    const char *data;
    ssize_t n = log_peek(log, ofs, MAX_HEADER_LEN, &data);
    if (n < 0) {
        return ovsdb_io_error(errno,
                              "%s: error reading header at offset "
                              "%lld",
                              log->name, (long long) ofs);
    } else if (n == 0) {
        *at_eofp = true;
        return NULL;
    }

    const char *newline = memchr(data, '\n', n);
    size_t line_len = newline ? (size_t) (newline - data) : (size_t) n;
    if (!newline || !log_parse_header(data, line_len, h)) {
        *tornp = !newline && n < MAX_HEADER_LEN;
        return ovsdb_syntax_error(NULL, NULL,
                                  "%s: parse error at offset "
                                  "%lld in header line \"%.*s\"",
                                  log->name, (long long) ofs,
                                  log_header_shown_len(data, line_len), data);
    }
    *header_lenp = line_len + 1;
    return NULL;
}

/* Returns true if a record with a valid header and body starts at the
 * beginning of a line somewhere in the file after 'ofs'.  A damaged
 * record followed by a good one is not a torn tail but damage in the
 * middle of the log. */
static bool
log_has_record_after(struct ovsdb_log *log, off_t ofs)
{
    for (;;) {
        const char *data;
        ssize_t n = log_peek(log, ofs, READ_CHUNK, &data);
        if (n <= 0) {
            return false;
        }
        const char *newline = memchr(data, '\n', n);
        if (!newline) {
            ofs += n;
            continue;
        }
        ofs += newline - data + 1;

        struct log_header h;
        size_t header_len;
        bool at_eof, torn;
        struct ovsdb_error *error =
            log_read_header(log, ofs, &h, &header_len, &at_eof, &torn);
        if (error) {
            ovsdb_error_destroy(error);
            continue;
        }
        if (at_eof) {
            return false;
        }

        uint8_t sha1[SHA1_LEN];
        off_t body_ofs = ofs + header_len;
        struct stat st;
        if (!fstat(log->fd, &st) && body_ofs <= st.st_size
            && h.length <= (unsigned long long) (st.st_size - body_ofs)) {
            uint8_t expected[SHA1_LEN];
            memcpy(expected, h.sha1, SHA1_LEN);
            n = log_peek(log, body_ofs, h.length, &data);
            if (n >= 0 && (unsigned long long) n == h.length) {
                log_sha1(data, n, false, sha1);
                if (!memcmp(sha1, expected, SHA1_LEN)) {
                    return true;
                }
            }
        }
    }
}

/* Reads the record at 'log->offset' into '*recordp' (NULL at the end of
 * the file).  On error, sets '*tornp' if the damage looks like a record
 * torn by a crash at the end of the file. */
static struct ovsdb_error *
log_read_record(struct ovsdb_log *log, json_t **recordp, size_t *sizep,
                bool *tornp)
{
    *recordp = NULL;
    *tornp = false;

    off_t ofs = log->offset;
    struct log_header h;
    size_t header_len;
    bool at_eof;
    struct ovsdb_error *error =
        log_read_header(log, ofs, &h, &header_len, &at_eof, tornp);
    if (error || at_eof) {
        return error;
    }
    if (!log_magic_is(&h, OVSDB_LOG_MAGIC)) {
        const char *data;
        log_peek(log, ofs, header_len, &data);
        return ovsdb_syntax_error(NULL, NULL,
                                  "%s: parse error at offset "
                                  "%lld in header line \"%.*s\"",
                                  log->name, (long long) ofs,
                                  (int) h.magic_len, data);
    }

    /* Copy what the body read may overwrite in the buffer. */
    unsigned long long length = h.length;
    uint8_t expected[SHA1_LEN];
    memcpy(expected, h.sha1, SHA1_LEN);

    off_t body_ofs = ofs + header_len;
    struct stat st;
    if (fstat(log->fd, &st)) {
        return ovsdb_io_error(errno, "%s: stat failed", log->name);
    }
    unsigned long long remaining =
        (st.st_size > body_ofs ? st.st_size - body_ofs : 0);
    const char *body = NULL;
    ssize_t n =
        length <= remaining ? log_peek(log, body_ofs, length, &body) : 0;
    if (n < 0) {
        return ovsdb_io_error(errno,
                              "%s: error reading %llu bytes starting "
                              "at offset %lld",
                              log->name, length, (long long) body_ofs);
    } else if ((unsigned long long) n != length) {
        /* The body runs past the end of the file. */
        *tornp = !log_has_record_after(log, body_ofs);
        return ovsdb_io_error(EOF,
                              "%s: error reading %llu bytes starting "
                              "at offset %lld",
                              log->name, length, (long long) body_ofs);
    }

    uint8_t actual[SHA1_LEN];
    log_sha1(body, length, false, actual);
    if (memcmp(actual, expected, SHA1_LEN)) {
        char actual_hex[SHA1_HEX_LEN + 1], expected_hex[SHA1_HEX_LEN + 1];
        sha1_to_hex(actual, actual_hex);
        sha1_to_hex(expected, expected_hex);
        *tornp = body_ofs + (off_t) length == st.st_size;
        return ovsdb_syntax_error(NULL, NULL,
                                  "%s: %llu bytes starting at "
                                  "offset %lld have SHA-1 hash %s but should "
                                  "have hash %s",
                                  log->name, length, (long long) body_ofs,
                                  actual_hex, expected_hex);
    }

    json_t *json;
    char *msg = json_from_buffer(body, length, &json);
    if (msg) {
        error =
            ovsdb_syntax_error(NULL, NULL,
                               "%s: %llu bytes starting at "
                               "offset %lld are not valid JSON (%s)",
                               log->name, length, (long long) body_ofs, msg);
        free(msg);
        return error;
    }
    if (!json_is_object(json)) {
        json_decref(json);
        return ovsdb_syntax_error(NULL, NULL,
                                  "%s: %llu bytes starting at "
                                  "offset %lld are not a JSON object",
                                  log->name, length, (long long) body_ofs);
    }

    memcpy(log->last_sha1, expected, SHA1_LEN);
    *recordp = json;
    *sizep = header_len + length;
    return NULL;
}

/* Returns true if the file holds only zero bytes from 'ofs' to its end: a
 * crash can leave a file longer than what reached its blocks. */
static bool
log_rest_is_zeros(struct ovsdb_log *log, off_t ofs)
{
    for (;;) {
        const char *data;
        ssize_t n = log_peek(log, ofs, READ_CHUNK, &data);
        if (n <= 0) {
            return n == 0;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (data[i]) {
                return false;
            }
        }
        ofs += n;
    }
}

/* Reading stopped at 'log->offset', at the end of the file or at damage.
 * If the journal has committed records that belong there, writes them
 * there in place of what the file has, and returns true: reading goes
 * on with them.  Not twice over the same bytes (if they do not read
 * back, the damage is reported).  A reader only warns that they are
 * missing. */
static bool
log_restore_from_journal(struct ovsdb_log *log)
{
    if (log->stream || !log->n_read || log->offset < log->restored_to) {
        return false;
    }
    if (!log->journal_loaded) {
        log->journal_image = log_journal_load(log->target);
        log->journal_loaded = true;
    }
    struct stat st;
    if (!log->journal_image || fstat(log->fd, &st)) {
        return false;
    }

    size_t n;
    const char *data = log_journal_find(log->journal_image, log->fd, st.st_ino,
                                        log->offset, log->last_sha1, &n);
    if (!data) {
        return false;
    } else if (log->mode == OVSDB_LOG_READ_ONLY) {
        /* A reader changes nothing, but says what it is missing. */
        char *journal = log_journal_name(log->target);
        VLOG_WARN("%s: %s holds committed transactions after offset %lld "
                  "that the file lacks after a crash; opening the file for "
                  "writing (e.g. with ovsdb-server) restores them",
                  log->name, journal, (long long) log->offset);
        free(journal);
        log->restored_to = LLONG_MAX;
        return false;
    }
    int error = (st.st_size > log->offset && ftruncate(log->fd, log->offset)
                     ? errno
                     : write_fully_at(log->fd, data, n, log->offset));
    if (error) {
        VLOG_WARN("%s: restoring %zu bytes at offset %lld from the journal "
                  "failed (%s)",
                  log->name, n, (long long) log->offset, ovs_strerror(error));
        return false;
    }
    log->restored_bytes += n;
    log->restored_to = log->offset + n;
    log_drop_read_buffer(log);
    return true;
}

/* Ends a read of the whole log: makes what the journal restored durable
 * in the file itself, since the journal will be reused. */
static struct ovsdb_error *
log_finish_restore(struct ovsdb_log *log)
{
    log_journal_image_free(log->journal_image);
    log->journal_image = NULL;
    if (!log->restored_bytes) {
        return NULL;
    }
    int error = fdatasync_retrying(log->fd);
    if (error) {
        return ovsdb_io_error(error, "%s: fsync failed", log->name);
    }
    char *journal = log_journal_name(log->target);
    VLOG_WARN("%s: restored %" PRIu64 " bytes of committed transactions "
              "from %s",
              log->name, log->restored_bytes, journal);
    free(journal);
    log->restored_bytes = 0;
    return NULL;
}

/* Marks 'log' as read to the end. */
static struct ovsdb_error *
log_reached_end(struct ovsdb_log *log)
{
    log->at_end = true;
    log_drop_read_buffer(log);
    struct ovsdb_error *error = log_finish_restore(log);
    if (error) {
        log->error = ovsdb_error_clone(error);
    }
    return error;
}

struct ovsdb_error *
ovsdb_log_read(struct ovsdb_log *log, json_t **recordp)
{
    *recordp = NULL;
    if (log->error) {
        return ovsdb_error_clone(log->error);
    }
    if (log->at_end) {
        return NULL;
    }

    size_t size = 0;
    bool torn;
    struct ovsdb_error *error;
    for (;;) {
        error = log_read_record(log, recordp, &size, &torn);
        if ((error || !*recordp) && log_restore_from_journal(log)) {
            ovsdb_error_destroy(error);
            continue;
        }
        break;
    }
    if (!error) {
        if (*recordp) {
            log->offset += size;
            log->n_read++;
            return NULL;
        }
        return log_reached_end(log);
    }

    if (!torn && log->mode != OVSDB_LOG_READ_ONLY) {
        torn = log_rest_is_zeros(log, log->offset);
    }
    if (torn && log->offset > 0 && log->mode != OVSDB_LOG_READ_ONLY) {
        struct stat st;
        off_t size_before = fstat(log->fd, &st) ? -1 : st.st_size;
        if (size_before >= 0 && !ftruncate(log->fd, log->offset)) {
            char *s = ovsdb_error_to_string_free(error);
            VLOG_WARN("%s: truncating %lld bytes of torn record at end of "
                      "file, at offset %lld (%s)",
                      log->name, (long long) (size_before - log->offset),
                      (long long) log->offset, s);
            free(s);
            log->truncated = size_before - log->offset;
            return log_reached_end(log);
        }
        error = ovsdb_wrap_error(error,
                                 "%s: truncating torn record at "
                                 "offset %lld failed (%s)",
                                 log->name, (long long) log->offset,
                                 ovs_strerror(errno));
    }

    log_journal_image_free(log->journal_image);
    log->journal_image = NULL;
    log->error = ovsdb_error_clone(error);
    return error;
}

uint64_t
ovsdb_log_get_n_read(const struct ovsdb_log *log)
{
    return log->n_read;
}

off_t
ovsdb_log_get_truncated(const struct ovsdb_log *log)
{
    return log->truncated;
}

/* Opening and closing. */

/* Checks the first header of the file that 'log' just opened. */
static struct ovsdb_error *
log_check_magic(struct ovsdb_log *log)
{
    const char *data;
    ssize_t n = log_peek(log, 0, MAX_HEADER_LEN, &data);
    if (n < 0) {
        return ovsdb_io_error(errno, "%s: read failed", log->name);
    } else if (n == 0) {
        return ovsdb_error("ovsdb error", "%s: cannot identify file type",
                           log->name);
    }

    const char *newline = memchr(data, '\n', n);
    struct log_header h;
    if (!newline || !log_parse_header(data, newline - data, &h)) {
        return ovsdb_error("ovsdb error", "%s: unexpected file format",
                           log->name);
    } else if (log_magic_is(&h, OVSDB_LOG_MAGIC)) {
        return NULL;
    } else if (log_magic_is(&h, OVSDB_LOG_CLUSTER_MAGIC)) {
        return ovsdb_error("ovsdb error",
                           "%s: clustered database files "
                           "(\"%s\") are not supported",
                           log->name, OVSDB_LOG_CLUSTER_MAGIC);
    } else {
        return ovsdb_error("ovsdb error", "%s: cannot identify file type",
                           log->name);
    }
}

static struct ovsdb_log *
log_create__(const char *name, enum ovsdb_log_open_mode mode)
{
    struct ovsdb_log *log = xzalloc(sizeof *log);
    log->name = xstrdup(name);
    /* Absolute, because a daemon changes to "/" after opening its logs
     * and must still replace (compact, convert) the right file. */
    char *target = lockfile_resolve(name);
    log->target = abs_file_name(NULL, target);
    free(target);
    log->mode = mode;
    log->fd = -1;
    log->retired_fd = -1;
    log->wake_fds[0] = log->wake_fds[1] = -1;
    log_journal_entry_init(&log->spare);
    log_journal_entry_init(&log->pending);
    pthread_mutex_init(&log->mutex, NULL);
    pthread_cond_init(&log->cond, NULL);
    return log;
}

struct ovsdb_error *
ovsdb_log_open(const char *name, enum ovsdb_log_open_mode mode, bool lock,
               struct ovsdb_log **logp)
{
    *logp = NULL;

    struct ovsdb_log *log = log_create__(name, mode);
    struct ovsdb_error *error = NULL;
    if (lock) {
        int retval = lockfile_lock(name, &log->lockfile);
        if (retval) {
            error =
                ovsdb_io_error(retval, "%s: failed to lock lockfile", name);
            goto error;
        }
    }

    bool create = mode == OVSDB_LOG_CREATE || mode == OVSDB_LOG_CREATE_EXCL;
    int flags = (mode == OVSDB_LOG_READ_ONLY    ? O_RDONLY
                 : mode == OVSDB_LOG_READ_WRITE ? O_RDWR
                 : mode == OVSDB_LOG_CREATE     ? O_RDWR | O_CREAT | O_TRUNC
                                                : O_RDWR | O_CREAT | O_EXCL);
    log->fd = open(name, flags | O_CLOEXEC, 0660);
    if (log->fd < 0) {
        error = ovsdb_io_error(errno, "%s: %s failed", name,
                               create ? "create" : "open");
        goto error;
    }

    if (create) {
        int retval = fsync_dir_of(log->target);
        if (retval) {
            error =
                ovsdb_io_error(retval, "%s: failed to sync directory", name);
            goto error;
        }
        log->at_end = true;
    } else {
        error = log_check_magic(log);
        if (error) {
            goto error;
        }
        struct stat st;
        if (fstat(log->fd, &st)) {
            error = ovsdb_io_error(errno, "%s: stat failed", name);
            goto error;
        }
        log->base_size = st.st_size;
    }

    *logp = log;
    return NULL;

error:
    ovsdb_log_close(log);
    return error;
}

struct ovsdb_error *
ovsdb_log_open_stream(int fd, const char *name, struct ovsdb_log **logp)
{
    struct ovsdb_log *log = log_create__(name, OVSDB_LOG_CREATE);
    log->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (log->fd < 0) {
        struct ovsdb_error *error =
            ovsdb_io_error(errno, "%s: create failed", name);
        ovsdb_log_close(log);
        *logp = NULL;
        return error;
    }
    log->stream = true;
    log->at_end = true;
    *logp = log;
    return NULL;
}

void
ovsdb_log_close(struct ovsdb_log *log)
{
    if (!log) {
        return;
    }
    ovsdb_error_destroy(log_flush(log));
    ds_destroy(&log->wbuf);
    log_stop_thread(log);
    if (log->journal) {
        /* Once the file is synced, the journal holds nothing it lacks. */
        bool synced = (!log->error && !log->commit_error
                       && !fdatasync_retrying(log->fd));
        log_journal_close(log->journal, synced);
    }
    log_journal_entry_destroy(&log->spare);
    log_journal_entry_destroy(&log->pending);
    log_journal_image_free(log->journal_image);
    if (log->fd >= 0) {
        close(log->fd);
    }
    lockfile_unlock(log->lockfile);
    ovsdb_error_destroy(log->error);
    ovsdb_error_destroy(log->commit_error);
    log_drop_read_buffer(log);
    pthread_mutex_destroy(&log->mutex);
    pthread_cond_destroy(&log->cond);
    free(log->name);
    free(log->target);
    free(log);
}

enum ovsdb_log_file_type
ovsdb_log_probe(const char *name)
{
    int fd = open(name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return OVSDB_LOG_UNKNOWN;
    }

    char buf[MAX_HEADER_LEN];
    ssize_t n;
    do {
        n = pread(fd, buf, sizeof buf, 0);
    } while (n < 0 && errno == EINTR);
    close(fd);

    const char *newline = n > 0 ? memchr(buf, '\n', n) : NULL;
    struct log_header h;
    if (!newline || !log_parse_header(buf, newline - buf, &h)) {
        return OVSDB_LOG_UNKNOWN;
    }
    return (log_magic_is(&h, OVSDB_LOG_MAGIC)           ? OVSDB_LOG_STANDALONE
            : log_magic_is(&h, OVSDB_LOG_CLUSTER_MAGIC) ? OVSDB_LOG_CLUSTERED
                                                        : OVSDB_LOG_UNKNOWN);
}

const char *
ovsdb_log_get_name(const struct ovsdb_log *log)
{
    return log->name;
}

int
ovsdb_log_get_fd(const struct ovsdb_log *log)
{
    return log->fd;
}

/* Writing. */

/* Removes whatever part of the bytes from 'ofs' on reached the file,
 * after writing them failed with 'error' (taken), so that the next write
 * does not follow a torn record; if that fails too, the log becomes
 * unusable.  Returns 'error'. */
static struct ovsdb_error *
log_undo_write(struct ovsdb_log *log, off_t ofs, struct ovsdb_error *error)
{
    if (log->stream) {
        /* What reached a pipe cannot be taken back: the stream is torn. */
        log->error = ovsdb_error_clone(error);
    } else if (ftruncate(log->fd, ofs)) {
        log->error = ovsdb_wrap_error(ovsdb_error_clone(error),
                                      "%s: removing partial record "
                                      "failed (%s)",
                                      log->name, ovs_strerror(errno));
    }
    return error;
}

/* Empties 'log->wbuf', keeping its memory for the next records unless a
 * huge record made it grow. */
static void
log_clear_wbuf(struct ovsdb_log *log)
{
    if (log->wbuf.allocated > 1024 * 1024) {
        ds_destroy(&log->wbuf);
        ds_init(&log->wbuf);
    } else {
        ds_clear(&log->wbuf);
    }
}

/* Notes that the 'n' bytes at 'data' reached the file at 'ofs': they go
 * into the journal's pending entry, to be committed with it. */
static void
log_written(struct ovsdb_log *log, off_t ofs, const char *data, size_t n)
{
    if (log->journal
        && !__atomic_load_n(&log->journal_failed, __ATOMIC_RELAXED)) {
        pthread_mutex_lock(&log->mutex);
        struct log_journal_entry *e = &log->pending;
        if (e->len && e->main_ofs + (off_t) e->len != ofs) {
            /* Not contiguous (cannot happen): let the file sync cover
             * what came before. */
            log->need_file_sync = true;
            e->len = 0;
        }
        if (!e->len) {
            log_journal_entry_start(e, ofs, log->main_ino, log->flushed_sha1);
        }
        log_journal_entry_append(e, data, n);
        e->seq = log->written_seq;
        pthread_mutex_unlock(&log->mutex);
    }
    memcpy(log->flushed_sha1, log->last_sha1, SHA1_LEN);
}

/* Hands the records deferred in 'log->wbuf' to the kernel in one write.
 * They were acknowledged as written already, so a failure cannot be
 * reported for them: like a failed fsync, it makes the log refuse every
 * later write and commit, and nothing in 'wbuf' ever becomes durable. */
static struct ovsdb_error *
log_flush(struct ovsdb_log *log)
{
    if (!log->wbuf.length) {
        return NULL;
    }
    off_t ofs = log->offset - log->wbuf.length;
    int retval = write_fully_at(log->fd, log->wbuf.string, log->wbuf.length,
                                log->stream ? -1 : ofs);
    if (!retval) {
        log_written(log, ofs, log->wbuf.string, log->wbuf.length);
    }
    log_clear_wbuf(log);
    if (!retval) {
        return NULL;
    }

    struct ovsdb_error *error = log_undo_write(
        log, ofs, ovsdb_io_error(retval, "%s: write failed", log->name));
    log->offset = ofs;
    pthread_mutex_lock(&log->mutex);
    log_set_commit_error(log, ovsdb_error_clone(error));
    pthread_mutex_unlock(&log->mutex);
    return error;
}

void
ovsdb_log_defer_writes(struct ovsdb_log *log)
{
    log->defer_writes = true;
}

void
ovsdb_log_use_journal(struct ovsdb_log *log)
{
    if (log->mode == OVSDB_LOG_READ_ONLY || log->stream || !log->at_end
        || log->journal || log->has_thread) {
        return;
    }

    /* What the journal holds now may describe records that only the page
     * cache has (if the last writer was killed): it will be overwritten. */
    ovsdb_error_destroy(log_flush(log)); /* Sticky: commits report it. */
    struct stat st;
    int error = fdatasync_retrying(log->fd);
    if (!error && fstat(log->fd, &st)) {
        error = errno;
    }
    if (!error) {
        error = log_journal_open(log->target, &log->journal);
    }
    if (error) {
        char *journal = log_journal_name(log->target);
        VLOG_WARN("%s: cannot use %s (%s): every commit syncs the file",
                  log->name, journal, ovs_strerror(error));
        free(journal);
        return;
    }
    log->main_ino = st.st_ino;
    memcpy(log->flushed_sha1, log->last_sha1, SHA1_LEN);
}

struct ovsdb_error *
ovsdb_log_write_text(struct ovsdb_log *log, const char *body, size_t n)
{
    if (log->error) {
        return ovsdb_error_clone(log->error);
    } else if (log->mode == OVSDB_LOG_READ_ONLY) {
        return ovsdb_internal_error("%s: cannot write to a log opened "
                                    "read-only",
                                    log->name);
    } else if (!log->at_end) {
        return ovsdb_internal_error("%s: cannot write before every record "
                                    "has been read",
                                    log->name);
    }
    pthread_mutex_lock(&log->mutex);
    struct ovsdb_error *commit_error =
        (log->commit_error ? ovsdb_error_clone(log->commit_error) : NULL);
    pthread_mutex_unlock(&log->mutex);
    if (commit_error) {
        return commit_error;
    }

    bool add_newline = !n || body[n - 1] != '\n';
    size_t length = n + add_newline;
    uint8_t sha1[SHA1_LEN];
    char hex[SHA1_HEX_LEN + 1];
    log_sha1(body, n, add_newline, sha1);
    sha1_to_hex(sha1, hex);
    memcpy(log->last_sha1, sha1, SHA1_LEN);

    /* The header, as "%s %zu %s\n" would print it. */
    char length_buf[24];
    char *p = &length_buf[sizeof length_buf];
    size_t left = length;
    do {
        *--p = '0' + left % 10;
        left /= 10;
    } while (left);

    struct ds *record = &log->wbuf;
    size_t start = record->length;
    ds_reserve(record, start + sizeof OVSDB_LOG_MAGIC + sizeof length_buf
                           + SHA1_HEX_LEN + 2 + length);
    ds_put_cstr(record, OVSDB_LOG_MAGIC " ");
    ds_put_buffer(record, p, &length_buf[sizeof length_buf] - p);
    ds_put_char(record, ' ');
    ds_put_buffer(record, hex, SHA1_HEX_LEN);
    ds_put_char(record, '\n');
    ds_put_buffer(record, body, n);
    if (add_newline) {
        ds_put_char(record, '\n');
    }
    size_t record_len = record->length - start;
    log->offset += record_len;
    log->written_seq++;
    log->n_appended++;
    if (log->defer_writes) {
        return NULL;
    }

    struct ovsdb_error *error = NULL;
    off_t ofs = log->offset - (off_t) record_len;
    int retval = write_fully_at(log->fd, record->string, record->length,
                                log->stream ? -1 : ofs);
    if (!retval) {
        log_written(log, ofs, record->string, record->length);
    }
    log_clear_wbuf(log);
    if (retval) {
        log->offset = ofs;
        log->written_seq--;
        log->n_appended--;
        error = log_undo_write(
            log, ofs, ovsdb_io_error(retval, "%s: write failed", log->name));
    }
    return error;
}

struct ovsdb_error *
ovsdb_log_write(struct ovsdb_log *log, const json_t *record)
{
    if (!json_is_object(record)) {
        return ovsdb_internal_error("%s: log records must be JSON objects, "
                                    "not %s",
                                    log->name, json_type_name(record));
    }

    struct ds body = DS_EMPTY_INITIALIZER;
    json_to_ds(record, false, false, &body);
    ds_put_char(&body, '\n');
    struct ovsdb_error *error =
        ovsdb_log_write_text(log, body.string, body.length);
    ds_destroy(&body);
    return error;
}

uint64_t
ovsdb_log_get_written_seq(const struct ovsdb_log *log)
{
    return log->written_seq;
}

uint64_t
ovsdb_log_get_durable_seq(const struct ovsdb_log *log)
{
    return log_durable_seq(log);
}

/* Commits. */

/* Stops using the journal of 'log' after it failed with 'error': from
 * now on, commits sync the file. */
static void
log_journal_failed(struct ovsdb_log *log, int error)
{
    VLOG_WARN("%s: writing the journal failed (%s); committing with "
              "fdatasync() from now on",
              log->name, ovs_strerror(error));
    __atomic_store_n(&log->journal_failed, true, __ATOMIC_RELAXED);
}

/* Moves the pending journal entry of 'log' into 'spare', which the
 * journal write takes, with 'log->mutex' held, and returns it. */
static struct log_journal_entry *
log_take_pending(struct ovsdb_log *log)
{
    struct log_journal_entry tmp = log->spare;
    log->spare = log->pending;
    log->pending = tmp;
    log->pending.len = 0;
    return &log->spare;
}

/* Makes every record up to 'target' durable, with 'log->mutex' held on
 * entry and on return (but not during the I/O), and records the result:
 * with one write of the pending entry into the journal if the log has
 * one, otherwise with one fdatasync() of the file. */
static void
log_sync_locked(struct ovsdb_log *log, uint64_t target)
{
    int fd = log->fd;
    uint64_t generation = log->fd_generation;
    log->syncing = true;

    struct log_journal_entry *entry = NULL;
    bool file_sync = false;
    if (log->journal) {
        if (log->journal_failed) {
            /* Nothing more goes into the journal. */
        } else if (log->pending.len && !log->need_file_sync) {
            entry = log_take_pending(log);
        } else {
            /* The file's sync covers what is pending. */
            file_sync = true;
            log->need_file_sync = false;
        }
        log->pending.len = 0;
    }
    pthread_mutex_unlock(&log->mutex);

    int error = 0;
    long long start = time_usec();
    if (entry) {
        error = log_journal_commit(log->journal, fd, entry);
        if (error) {
            log_journal_failed(log, error);
            error = fdatasync_retrying(fd);
        } else {
            /* (At least 'target': every record up to it was pending or
             * durable when the sync started.) */
            target = entry->seq;
        }
    } else {
        error = fdatasync_retrying(fd);
        if (!error && file_sync) {
            log_journal_reset(log->journal);
        }
    }
    long long elapsed = time_usec() - start;
    if (log->stream && (error == EINVAL || error == EROFS)) {
        /* A pipe, terminal or device: nothing to make durable here. */
        error = 0;
    }

    pthread_mutex_lock(&log->mutex);
    log->syncing = false;
    /* An average that follows the last few syncs. */
    long long avg = log->sync_usec
                        ? log->sync_usec + (elapsed - log->sync_usec) / 8
                        : MAX(elapsed, 1);
    __atomic_store_n(&log->sync_usec, MAX(avg, 1), __ATOMIC_RELAXED);
    if (generation != log->fd_generation) {
        /* A replacement swapped in another file meanwhile: this sync
         * proves nothing about it. */
        int retired_fd = log->retired_fd;
        if (retired_fd >= 0) {
            /* Closing may free a big file's blocks: not under the lock. */
            log->retired_fd = -1;
            pthread_mutex_unlock(&log->mutex);
            close(retired_fd);
            pthread_mutex_lock(&log->mutex);
        }
    } else if (error) {
        log_set_commit_error(
            log, ovsdb_io_error(error, "%s: fsync failed", log->name));
    } else if (target > log->durable_seq) {
        __atomic_store_n(&log->durable_seq, target, __ATOMIC_RELEASE);
    }
    pthread_cond_broadcast(&log->cond);
}

/* Returns true if the commit thread has a requested commit to run. */
static bool
log_commit_pending(const struct ovsdb_log *log)
{
    return !log->commit_error && log->requested_seq > log->durable_seq;
}

static void *
log_commit_thread(void *log_)
{
    struct ovsdb_log *log = log_;

    pthread_mutex_lock(&log->mutex);
    for (;;) {
        if (!log->syncing && log_commit_pending(log)) {
            log_sync_locked(log, log->requested_seq);

            /* Tell the main loop.  The pipe is nonblocking: if it is full,
             * wake-ups are already pending. */
            ssize_t retval OVS_UNUSED = write(log->wake_fds[1], "", 1);
        } else if (log->exiting) {
            break;
        } else {
            pthread_cond_wait(&log->cond, &log->mutex);
        }
    }
    pthread_mutex_unlock(&log->mutex);
    return NULL;
}

/* Stops the commit thread, if any, after it has finished the commits
 * requested of it. */
static void
log_stop_thread(struct ovsdb_log *log)
{
    if (!log->has_thread) {
        return;
    }
    pthread_mutex_lock(&log->mutex);
    log->exiting = true;
    pthread_cond_broadcast(&log->cond);
    pthread_mutex_unlock(&log->mutex);
    pthread_join(log->thread, NULL);
    log->has_thread = false;
    log->exiting = false;

    close(log->wake_fds[0]);
    close(log->wake_fds[1]);
    log->wake_fds[0] = log->wake_fds[1] = -1;
}

/* Asynchronous commits: where the journal can write asynchronously, the
 * owner of the log starts each journal write, goes on with its work
 * while the disk does it, and learns from its poll loop when it is done
 * (see ovsdb_log_commits_async()).  No commit thread is started.  One
 * write is in flight at a time: its entry is 'spare', and 'syncing' is
 * set meanwhile. */
bool
ovsdb_log_commits_async(const struct ovsdb_log *log)
{
    return (log->journal && !log->has_thread
            && !__atomic_load_n(&log->journal_failed, __ATOMIC_RELAXED)
            && log_journal_async_fd(log->journal) >= 0);
}

static bool
log_async_in_flight(const struct ovsdb_log *log)
{
    return log->journal && log_journal_write_in_flight(log->journal);
}

/* Starts a commit of what was requested, if none is in flight.  What
 * cannot be written asynchronously (a wrap of the ring, a sync of the
 * file) is done at once. */
static void
log_async_start(struct ovsdb_log *log)
{
    pthread_mutex_lock(&log->mutex);
    if (log_async_in_flight(log) || !log_commit_pending(log)) {
        /* Nothing to do now. */
    } else if (log->pending.len && !log->need_file_sync
               && log_journal_can_write_async(log->journal, &log->pending)) {
        struct log_journal_entry *entry = log_take_pending(log);
        int error = log_journal_write_async(log->journal, log->fd, entry);
        if (!error) {
            log->syncing = true;
        } else {
            /* 'entry' is in the file: the file's sync covers it.  The
             * kernel may be out of AIO requests for a while (EAGAIN):
             * that is no reason to give up the journal. */
            if (error != EAGAIN) {
                log_journal_failed(log, error);
            }
            log_sync_locked(log, log->requested_seq);
        }
    } else {
        log_sync_locked(log, log->requested_seq);
    }
    pthread_mutex_unlock(&log->mutex);
}

/* Takes the result of the write in flight, if there is one: waits for it
 * if 'block', otherwise returns at once if it is not done.  If 'next',
 * then starts the commit of what was requested meanwhile. */
static void
log_async_run(struct ovsdb_log *log, bool block, bool next)
{
    int error;
    if (!log_async_in_flight(log)
        || !log_journal_write_done(log->journal, block, &error)) {
        return;
    }
    pthread_mutex_lock(&log->mutex);
    log->syncing = false;
    if (error) {
        /* The records are in the file: its sync covers them. */
        log_journal_failed(log, error);
        log_sync_locked(log, log->spare.seq);
    } else if (log->spare.seq > log->durable_seq) {
        __atomic_store_n(&log->durable_seq, log->spare.seq, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&log->mutex);
    if (next) {
        log_async_start(log);
    }
}

struct ovsdb_error *
ovsdb_log_commit_block(struct ovsdb_log *log)
{
    struct ovsdb_error *error = NULL;
    uint64_t target = log->written_seq;
    ovsdb_error_destroy(log_flush(log)); /* Sticky: reported below. */
    log_async_run(log, true, false);

    pthread_mutex_lock(&log->mutex);
    for (;;) {
        if (log->commit_error) {
            error = ovsdb_error_clone(log->commit_error);
            break;
        } else if (log->durable_seq >= target) {
            break;
        } else if (!log->syncing) {
            /* Sync here rather than in the thread: no hop between threads,
             * and a program without background commits needs no thread at
             * all.  This also covers whatever the thread was asked for. */
            log_sync_locked(log, target);
        } else {
            pthread_cond_wait(&log->cond, &log->mutex);
        }
    }
    pthread_mutex_unlock(&log->mutex);
    return error;
}

void
ovsdb_log_commit_start(struct ovsdb_log *log)
{
    /* A failure is sticky and reported by ovsdb_log_commit_done(). */
    ovsdb_error_destroy(log_flush(log));
    if (!ovsdb_log_commit_needed(log)) {
        /* Asked for already (or failed): no need for the mutex. */
        return;
    }
    if (ovsdb_log_commits_async(log)) {
        pthread_mutex_lock(&log->mutex);
        log->requested_seq = log->written_seq;
        pthread_mutex_unlock(&log->mutex);
        log_async_start(log);
        return;
    }
    bool requested = false;
    pthread_mutex_lock(&log->mutex);
    if (!log->commit_error && log->written_seq > log->requested_seq
        && log->written_seq > log->durable_seq) {
        requested = true;
        log->requested_seq = log->written_seq;
        if (!log->has_thread) {
            if (pipe2(log->wake_fds, O_CLOEXEC | O_NONBLOCK)) {
                ovs_fatal(errno, "%s: pipe failed", log->name);
            }
            int retval =
                pthread_create(&log->thread, NULL, log_commit_thread, log);
            if (retval) {
                ovs_fatal(retval, "%s: failed to start commit thread",
                          log->name);
            }
            log->has_thread = true;
        }
    }
    pthread_mutex_unlock(&log->mutex);
    if (requested) {
        /* After unlocking: the thread wakes to take the mutex, and would
         * find it held otherwise. */
        pthread_cond_broadcast(&log->cond);
    }
}

struct ovsdb_error *
ovsdb_log_commit_done(struct ovsdb_log *log, uint64_t *durable_seqp)
{
    /* The journal's completions and the thread's pipe are looked at once
     * per iteration of the poll loop, if they woke it: what comes after
     * that wakes the next iteration. */
    unsigned long long wakeup = poll_loop_n_wakeups();
    if (log_async_in_flight(log) && log->async_read_at != wakeup
        && poll_fd_revents(log_journal_async_fd(log->journal))) {
        log->async_read_at = wakeup;
        log_async_run(log, false, true);
    }
    if (log->has_thread && log->wake_read_at != wakeup
        && poll_fd_revents(log->wake_fds[0])) {
        log->wake_read_at = wakeup;
        /* A short read empties the pipe: no second read to find out. */
        char buf[64];
        while (read(log->wake_fds[0], buf, sizeof buf) == sizeof buf) {
            continue;
        }
    }

    *durable_seqp = log_durable_seq(log);
    struct ovsdb_error *error = log_commit_error(log);
    return error ? ovsdb_error_clone(error) : NULL;
}

bool
ovsdb_log_commit_needed(const struct ovsdb_log *log)
{
    return (!log_commit_error(log) && log->written_seq > log->requested_seq
            && log->written_seq > log_durable_seq(log));
}

long long
ovsdb_log_get_sync_usec(const struct ovsdb_log *log)
{
    return __atomic_load_n(&log->sync_usec, __ATOMIC_RELAXED);
}

bool
ovsdb_log_commit_in_progress(const struct ovsdb_log *log)
{
    /* The owner is the only one to request commits, and runs none itself
     * meanwhile (ovsdb_log_commit_block() returns when its is done). */
    return !log_commit_error(log) && log->requested_seq > log_durable_seq(log);
}

void
ovsdb_log_commit_wait(struct ovsdb_log *log)
{
    if (log_async_in_flight(log)) {
        poll_fd_wait(log_journal_async_fd(log->journal), POLLIN);
    }
    if (log->has_thread) {
        poll_fd_wait(log->wake_fds[0], POLLIN);
    }
}

/* Replacing. */

struct ovsdb_error *
ovsdb_log_replace_start(struct ovsdb_log *old, struct ovsdb_log **newp)
{
    if (old->mode == OVSDB_LOG_READ_ONLY || old->stream) {
        *newp = NULL;
        return ovsdb_internal_error("%s: cannot replace a log opened "
                                    "read-only or as a stream",
                                    old->name);
    }
    /* A stale file of that name may still be open in a process that
     * wrote it (a compaction child that outlived its server for a
     * moment): start on a new inode rather than share that one. */
    char *tmp_name = xasprintf("%s.tmp", old->target);
    unlink(tmp_name);
    struct ovsdb_error *error =
        ovsdb_log_open(tmp_name, OVSDB_LOG_CREATE, true, newp);
    free(tmp_name);
    return error;
}

void
ovsdb_log_replace_adopt_end(struct ovsdb_log *new)
{
    struct stat st;
    if (!fstat(new->fd, &st)) {
        new->offset = st.st_size;
    } else if (!new->error) {
        new->error = ovsdb_io_error(errno, "%s: stat failed", new->name);
    }
}

struct ovsdb_error *
ovsdb_log_replace_prepare(const struct ovsdb_log *old,
                          const struct ovsdb_log *new, bool *renamedp)
{
    *renamedp = false;
    if (fdatasync(new->fd)) {
        return ovsdb_io_error(errno, "%s: fsync failed", new->name);
    } else if (rename(new->name, old->target)) {
        return ovsdb_io_error(errno, "%s: failed to rename to \"%s\"",
                              new->name, old->target);
    }
    *renamedp = true;
    int retval = fsync_dir_of(old->target);
    return (retval ? ovsdb_io_error(retval, "%s: failed to sync directory",
                                    old->name)
                   : NULL);
}

struct ovsdb_error *
ovsdb_log_replace_finish(struct ovsdb_log *old, struct ovsdb_log *new,
                         uint64_t durable_seq, struct ovsdb_error *error)
{
    /* Deferred records still go to the replaced file: the new one already
     * holds them (as part of the snapshot or appended after it). */
    struct ovsdb_error *flush_error = log_flush(old);
    log_async_run(old, true, false);
    if (flush_error && !error) {
        error = flush_error;
    } else {
        ovsdb_error_destroy(flush_error);
    }
    log_stop_thread(new);

    /* The new file has the old name, so 'old' continues on it.  A sync of
     * the old file that is still running must not count for the new
     * one: the generation tells it so. */
    pthread_mutex_lock(&old->mutex);
    int old_fd = old->fd;
    old->fd = new->fd;
    new->fd = -1;
    old->fd_generation++;
    if (old->syncing && old->retired_fd < 0) {
        old->retired_fd = old_fd;
        old_fd = -1;
    }
    old->requested_seq = durable_seq;
    __atomic_store_n(&old->durable_seq, durable_seq, __ATOMIC_RELEASE);
    /* The new file is durable up to 'durable_seq'; the records after that
     * were written to it directly, and only its sync covers them. */
    old->pending.len = 0;
    old->need_file_sync = true;
    struct stat st;
    old->main_ino = fstat(old->fd, &st) ? 0 : st.st_ino;
    pthread_mutex_unlock(&old->mutex);
    memcpy(old->last_sha1, new->last_sha1, SHA1_LEN);
    memcpy(old->flushed_sha1, new->last_sha1, SHA1_LEN);
    if (old_fd >= 0) {
        close(old_fd);
    }

    old->offset = new->offset;
    old->base_size = new->offset;
    old->n_appended = 0;
    old->at_end = true;
    old->truncated = 0;
    log_drop_read_buffer(old);
    ovsdb_log_close(new);

    if (error && !old->error) {
        /* Without the directory sync the rename, and so every record
         * written from now on, might not survive a crash: stop here. */
        old->error = ovsdb_error_clone(error);
    }
    return error;
}

struct ovsdb_error *
ovsdb_log_replace_commit(struct ovsdb_log *old, struct ovsdb_log *new)
{
    log_stop_thread(new);
    bool renamed = false;
    struct ovsdb_error *error = log_flush(old);
    if (error) {
        /* 'old' refuses further writes now. */
    } else if (new->error) {
        error = ovsdb_error_clone(new->error);
    } else {
        error = ovsdb_log_replace_prepare(old, new, &renamed);
    }
    if (!renamed) {
        ovsdb_log_replace_abort(new);
        return error;
    }
    return ovsdb_log_replace_finish(old, new, old->written_seq, error);
}

void
ovsdb_log_replace_abort(struct ovsdb_log *new)
{
    if (new) {
        /* Unlink while the lock is still held, so that no other process
         * is using the file. */
        unlink(new->name);
        ovsdb_log_close(new);
    }
}

struct ovsdb_error *
ovsdb_log_replace(struct ovsdb_log *log, json_t *const *records, size_t n)
{
    struct ovsdb_log *new;
    struct ovsdb_error *error = ovsdb_log_replace_start(log, &new);
    if (error) {
        return error;
    }
    for (size_t i = 0; i < n; i++) {
        error = ovsdb_log_write(new, records[i]);
        if (error) {
            ovsdb_log_replace_abort(new);
            return error;
        }
    }
    return ovsdb_log_replace_commit(log, new);
}

/* Sizes. */

off_t
ovsdb_log_get_offset(const struct ovsdb_log *log)
{
    return log->offset;
}

off_t
ovsdb_log_get_base_size(const struct ovsdb_log *log)
{
    return log->base_size;
}

uint64_t
ovsdb_log_get_n_appended(const struct ovsdb_log *log)
{
    return log->n_appended;
}

bool
ovsdb_log_grew_enough(const struct ovsdb_log *log)
{
    return (log->offset >= GREW_ENOUGH_MIN_SIZE
            && log->offset / 2 > log->base_size);
}

/* Transaction records. */

json_t *
ovsdb_log_txn_record(json_t *tables, long long date_msec, const char *comment,
                     bool is_diff)
{
    json_t *record = json_object();
    json_object_set_new(record, "_date", json_integer(date_msec));
    if (tables) {
        const char *name;
        json_t *value;
        json_object_foreach (tables, name, value) {
            json_object_set(record, name, value);
        }
        json_decref(tables);
    }
    if (is_diff) {
        json_object_set_new(record, "_is_diff", json_true());
    }
    if (comment) {
        json_t *s = json_string(comment);
        ovs_assert(s);
        json_object_set_new(record, "_comment", s);
    }
    return record;
}

bool
ovsdb_log_txn_is_meta(const char *member)
{
    return member[0] == '_';
}

void
ovsdb_log_txn_get_meta(const json_t *record, long long *date_msecp,
                       const char **commentp, bool *is_diffp)
{
    if (date_msecp) {
        long long date;
        *date_msecp = json_get_integer(record, "_date", &date) ? date : 0;
    }
    if (commentp) {
        *commentp = json_get_string(record, "_comment");
    }
    if (is_diffp) {
        bool is_diff;
        *is_diffp = json_get_boolean(record, "_is_diff", &is_diff) && is_diff;
    }
}

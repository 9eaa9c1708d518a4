/* The commit journal of a database log; see log-journal.h. */
#include "ovsdb/log-journal.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <libaio.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/hash.h"
#include "lib/timeval.h"
#include "lib/util.h"
#include "ovsdb/lockfile.h"

#define JOURNAL_MAGIC "TRNJRNL1"

/* Ring sizes.  A new journal starts small, so that a server that commits
 * little writes little to create it, and doubles whenever the ring wraps
 * within JOURNAL_GROW_MSEC of the last wrap: each wrap syncs the
 * database file, which should happen seldom. */
#define JOURNAL_MIN_SIZE (256 * 1024)
#define JOURNAL_MAX_SIZE (8 * 1024 * 1024)
#define JOURNAL_GROW_MSEC 1000

/* Buffers are aligned for direct I/O to this, and entries to at least
 * SECTOR: the scan for entries in recovery steps by SECTOR. */
#define BUF_ALIGN 4096
#define SECTOR 512

struct journal_header {
    char magic[8];
    uint64_t main_ofs;
    uint64_t main_ino;
    uint64_t len;
    uint8_t prev_sha1[LOG_JOURNAL_SHA1_LEN];
    uint32_t payload_hash;
    uint32_t header_hash; /* Of the bytes above. */
    uint8_t pad[4];
};
_Static_assert(sizeof(struct journal_header) == 64, "journal header size");

#define HEADER_LEN sizeof(struct journal_header)

static uint32_t
header_hash(const struct journal_header *h)
{
    return hash_bytes(h, offsetof(struct journal_header, header_hash), 0);
}

static char *
aligned_alloc_or_die(size_t size)
{
    void *p;
    if (posix_memalign(&p, BUF_ALIGN, size)) {
        ovs_abort(0, "out of memory");
    }
    return p;
}

/* Entries. */

void
log_journal_entry_init(struct log_journal_entry *e)
{
    memset(e, 0, sizeof *e);
}

void
log_journal_entry_destroy(struct log_journal_entry *e)
{
    free(e->buf);
    log_journal_entry_init(e);
}

void
log_journal_entry_start(struct log_journal_entry *e, off_t main_ofs,
                        uint64_t main_ino, const uint8_t *prev_sha1)
{
    e->len = 0;
    e->main_ofs = main_ofs;
    e->main_ino = main_ino;
    memcpy(e->prev_sha1, prev_sha1, LOG_JOURNAL_SHA1_LEN);
    e->seq = 0;
}

void
log_journal_entry_append(struct log_journal_entry *e, const void *data,
                         size_t n)
{
    /* Room for the padding after the payload, too. */
    size_t need = ROUND_UP(HEADER_LEN + e->len + n, BUF_ALIGN);
    if (need > e->cap) {
        size_t cap = MAX(need, 2 * e->cap);
        char *buf = aligned_alloc_or_die(cap);
        if (e->buf) {
            memcpy(buf, e->buf, HEADER_LEN + e->len);
            free(e->buf);
        }
        e->buf = buf;
        e->cap = cap;
    }
    memcpy(e->buf + HEADER_LEN + e->len, data, n);
    e->len += n;
}

/* Writing. */

struct log_journal {
    char *name;
    int fd;
    size_t align;             /* Entries start and end at multiples. */
    off_t size;               /* Of the ring. */
    off_t pos;                /* Where the next entry goes. */
    bool kicked;              /* Writeback of the database file started. */
    long long last_wrap_msec; /* Or when the journal was opened. */

    /* Asynchronous writes (Linux AIO, through libaio), if the kernel
     * allows them: 'aio' is null otherwise.  Each completion increments
     * the eventfd 'done_fd'. */
    io_context_t aio;
    bool aio_tried; /* Set up lazily: a context does not survive fork(),
                     * and a daemon opens its files before it detaches. */
    int done_fd;
    bool in_flight;
    size_t in_flight_len;
};

/* Sets up asynchronous writes for 'j', if the kernel allows them. */
static void
journal_init_aio(struct log_journal *j)
{
    j->aio_tried = true;
    j->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (j->done_fd >= 0 && io_queue_init(1, &j->aio)) {
        close(j->done_fd);
        j->done_fd = -1;
        j->aio = NULL;
    }
}

char *
log_journal_name(const char *target)
{
    return lockfile_sibling_name(target, "journal");
}

/* Writes zeros over bytes 'from' to 'to' of the journal, so that the
 * ring's blocks are allocated and written: overwriting them later then
 * needs no change to the file's metadata. */
static int
journal_fill_zeros(struct log_journal *j, off_t from, off_t to)
{
    size_t chunk = 256 * 1024;
    char *zeros = aligned_alloc_or_die(chunk);
    memset(zeros, 0, chunk);
    int error = 0;
    for (off_t ofs = from; ofs < to && !error; ofs += chunk) {
        error =
            write_fully_at(j->fd, zeros, MIN(chunk, (size_t) (to - ofs)), ofs);
    }
    free(zeros);
    return error;
}

/* Returns the alignment that direct I/O on 'fd' needs, or 0 if it cannot
 * be done there. */
static size_t
direct_io_align(int fd)
{
    struct statx stx;
    if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx)
        || !(stx.stx_mask & STATX_DIOALIGN)) {
        /* An older kernel: a page is always enough. */
        return BUF_ALIGN;
    }
    size_t align = MAX(stx.stx_dio_offset_align, stx.stx_dio_mem_align);
    return (!stx.stx_dio_offset_align || align > BUF_ALIGN
                ? 0
                : MAX(align, SECTOR));
}

int
log_journal_open(const char *target, struct log_journal **jp)
{
    *jp = NULL;

    struct log_journal *j = xzalloc(sizeof *j);
    j->done_fd = -1;
    j->name = log_journal_name(target);
    int flags = O_RDWR | O_CREAT | O_CLOEXEC | O_DSYNC;
    j->fd = open(j->name, flags | O_DIRECT, 0660);
    size_t align = j->fd >= 0 ? direct_io_align(j->fd) : 0;
    if (!align && (j->fd >= 0 || errno == EINVAL)) {
        /* No (usable) direct I/O on this file system, e.g. tmpfs: plain
         * synchronous writes. */
        if (j->fd >= 0) {
            close(j->fd);
        }
        j->fd = open(j->name, flags, 0660);
        align = SECTOR;
    }
    int error = j->fd < 0 ? errno : 0;
    if (!error) {
        /* A journal left by a crash holds nothing that the (synced)
         * database file lacks: start afresh. */
        j->align = align;
        j->size = JOURNAL_MIN_SIZE;
        error =
            (ftruncate(j->fd, 0) ? errno : journal_fill_zeros(j, 0, j->size));
    }
    if (!error) {
        /* An entry in a file whose name is not durable is lost with it. */
        error = fsync_dir_of(j->name);
    }
    if (error) {
        log_journal_close(j, true);
        return error;
    }
    j->last_wrap_msec = time_msec();
    *jp = j;
    return 0;
}

void
log_journal_close(struct log_journal *j, bool remove)
{
    if (!j) {
        return;
    }
    if (j->in_flight) {
        int error;
        log_journal_write_done(j, true, &error);
    }
    if (j->aio) {
        io_queue_release(j->aio);
    }
    if (j->done_fd >= 0) {
        close(j->done_fd);
    }
    if (j->fd >= 0) {
        close(j->fd);
    }
    if (remove) {
        unlink(j->name);
    }
    free(j->name);
    free(j);
}

void
log_journal_reset(struct log_journal *j)
{
    j->pos = 0;
    j->kicked = false;
}

/* Starts the ring over after syncing the database file 'main_fd', which
 * makes every entry stale; grows the ring first if the last wrap was
 * recent. */
static int
journal_wrap(struct log_journal *j, int main_fd)
{
    int error = fdatasync_retrying(main_fd);
    if (error) {
        return error;
    }
    log_journal_reset(j);

    long long now = time_msec();
    if (now - j->last_wrap_msec < JOURNAL_GROW_MSEC
        && j->size < JOURNAL_MAX_SIZE) {
        /* If this fails the ring stays as it was: its first part is
         * written, and the rest is not used. */
        if (!journal_fill_zeros(j, j->size, 2 * j->size)) {
            j->size *= 2;
        }
    }
    j->last_wrap_msec = now;
    return 0;
}

/* Returns the bytes that 'e' takes in the ring. */
static size_t
entry_size(const struct log_journal *j, const struct log_journal_entry *e)
{
    return ROUND_UP(HEADER_LEN + e->len, j->align);
}

static bool
entry_fits(const struct log_journal *j, const struct log_journal_entry *e)
{
    size_t total = entry_size(j, e);
    return total <= (size_t) j->size / 2 && j->pos + (off_t) total <= j->size;
}

/* Fills in the header and padding of 'e'; returns its size. */
static size_t
entry_seal(const struct log_journal *j, struct log_journal_entry *e)
{
    size_t total = entry_size(j, e);
    struct journal_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, JOURNAL_MAGIC, sizeof h.magic);
    h.main_ofs = e->main_ofs;
    h.main_ino = e->main_ino;
    h.len = e->len;
    memcpy(h.prev_sha1, e->prev_sha1, sizeof h.prev_sha1);
    h.payload_hash = hash_bytes(e->buf + HEADER_LEN, e->len, 0);
    h.header_hash = header_hash(&h);
    memcpy(e->buf, &h, sizeof h);
    memset(e->buf + HEADER_LEN + e->len, 0, total - HEADER_LEN - e->len);
    return total;
}

/* Moves past an entry of 'total' bytes just written. */
static void
journal_advance(struct log_journal *j, int main_fd, size_t total)
{
    j->pos += total;
    if (!j->kicked && j->pos >= j->size / 2) {
        /* Start writing the database file back now, so that the sync at
         * the wrap finds little left to do. */
        sync_file_range(main_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
        j->kicked = true;
    }
}

int
log_journal_commit(struct log_journal *j, int main_fd,
                   struct log_journal_entry *e)
{
    if (!entry_fits(j, e)) {
        return journal_wrap(j, main_fd);
    }
    size_t total = entry_seal(j, e);
    int error = write_fully_at(j->fd, e->buf, total, j->pos);
    if (!error) {
        journal_advance(j, main_fd, total);
    }
    return error;
}

/* Asynchronous commits. */

int
log_journal_async_fd(struct log_journal *j)
{
    if (!j->aio_tried) {
        journal_init_aio(j);
    }
    return j->aio ? j->done_fd : -1;
}

bool
log_journal_can_write_async(const struct log_journal *j,
                            const struct log_journal_entry *e)
{
    return j->aio && !j->in_flight && entry_fits(j, e);
}

int
log_journal_write_async(struct log_journal *j, int main_fd,
                        struct log_journal_entry *e)
{
    size_t total = entry_seal(j, e);
    struct iocb cb;
    io_prep_pwrite(&cb, j->fd, e->buf, total, j->pos);
    io_set_eventfd(&cb, j->done_fd);
    struct iocb *cbs[1] = {&cb};
    int retval;
    do {
        retval = io_submit(j->aio, 1, cbs);
    } while (retval == -EINTR);
    if (retval != 1) {
        return retval < 0 ? -retval : EAGAIN;
    }
    j->in_flight = true;
    j->in_flight_len = total;
    journal_advance(j, main_fd, total);
    return 0;
}

bool
log_journal_write_in_flight(const struct log_journal *j)
{
    return j->in_flight;
}

bool
log_journal_write_done(struct log_journal *j, bool block, int *errorp)
{
    *errorp = 0;
    if (!j->in_flight) {
        return true;
    }
    struct io_event event;
    struct timespec zero = {0, 0};
    int retval;
    do {
        retval = io_getevents(j->aio, 1, 1, &event, block ? NULL : &zero);
    } while (retval == -EINTR);
    if (!retval) {
        return false;
    }
    uint64_t count;
    if (read(j->done_fd, &count, sizeof count) < 0) {
        /* Nothing to read: the counter is reset either way. */
    }
    j->in_flight = false;
    long result = event.res; /* A byte count, or a negative errno. */
    if (retval < 0) {
        *errorp = -retval;
    } else if (result < 0) {
        *errorp = -result;
    } else if ((size_t) result != j->in_flight_len) {
        *errorp = EIO;
    }
    return true;
}

/* Recovery. */

struct log_journal_image {
    char *data;
    size_t len;
};

struct log_journal_image *
log_journal_load(const char *target)
{
    char *name = log_journal_name(target);
    int fd = open(name, O_RDONLY | O_CLOEXEC);
    free(name);
    if (fd < 0) {
        return NULL;
    }

    struct log_journal_image *image = NULL;
    struct stat st;
    if (!fstat(fd, &st) && st.st_size > 0 && st.st_size <= JOURNAL_MAX_SIZE) {
        image = xmalloc(sizeof *image);
        image->data = xmalloc(st.st_size);
        image->len = 0;
        while (image->len < (size_t) st.st_size) {
            ssize_t n = pread(fd, image->data + image->len,
                              st.st_size - image->len, image->len);
            if (n < 0 && errno == EINTR) {
                continue;
            } else if (n <= 0) {
                break;
            }
            image->len += n;
        }
    }
    close(fd);
    return image;
}

void
log_journal_image_free(struct log_journal_image *image)
{
    if (image) {
        free(image->data);
        free(image);
    }
}

/* Returns true if the 'n' bytes of 'main_fd' at 'ofs' are those at
 * 'data'. */
static bool
main_has_bytes(int main_fd, off_t ofs, const char *data, size_t n)
{
    char buf[16384];
    while (n > 0) {
        ssize_t retval = pread(main_fd, buf, MIN(n, sizeof buf), ofs);
        if (retval < 0 && errno == EINTR) {
            continue;
        } else if (retval <= 0 || memcmp(buf, data, retval)) {
            return false;
        }
        data += retval;
        n -= retval;
        ofs += retval;
    }
    return true;
}

const char *
log_journal_find(const struct log_journal_image *image, int main_fd,
                 uint64_t main_ino, off_t ofs, const uint8_t *prev_sha1,
                 size_t *np)
{
    for (size_t pos = 0; image && pos + HEADER_LEN <= image->len;
         pos += SECTOR) {
        struct journal_header h;
        memcpy(&h, image->data + pos, sizeof h);
        if (memcmp(h.magic, JOURNAL_MAGIC, sizeof h.magic)
            || h.header_hash != header_hash(&h) || h.main_ino != main_ino
            || !h.len || h.len > image->len - pos - HEADER_LEN
            || (off_t) h.main_ofs > ofs
            || ofs - (off_t) h.main_ofs >= (off_t) h.len) {
            continue;
        }

        const char *payload = image->data + pos + HEADER_LEN;
        size_t skip = ofs - h.main_ofs;
        if (hash_bytes(payload, h.len, 0) != h.payload_hash) {
            continue; /* Torn: its write never completed. */
        } else if (skip ? main_has_bytes(main_fd, h.main_ofs, payload, skip)
                        : !memcmp(h.prev_sha1, prev_sha1,
                                  LOG_JOURNAL_SHA1_LEN)) {
            *np = h.len - skip;
            return payload + skip;
        }
    }
    *np = 0;
    return NULL;
}

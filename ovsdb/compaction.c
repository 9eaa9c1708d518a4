/* Online compaction of a database log in a forked child; see
 * compaction.h for the steps and why they keep every acknowledged
 * record. */
#include "ovsdb/compaction.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/ds.h"
#include "lib/fatal-signal.h"
#include "lib/list.h"
#include "lib/poll-loop.h"
#include "lib/timeval.h"
#include "lib/util.h"
#include "lib/vlog.h"
#include "ovsdb/log.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-record.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_compaction);

/* What the child writes to its pipe after syncing the new file.  Anything
 * else (an error message, or nothing because it died) is a failure. */
#define CHILD_OK "ok"

/* Queued records appended to the new file per ovsdb_compaction_run(), so
 * that a long queue does not stall the main loop. */
#define DRAIN_BYTES_PER_RUN (256 * 1024)

/* A record written to the old log that the new file does not have yet. */
struct queued_record {
    struct list node;
    size_t n;
    char text[];
};

enum compaction_state {
    COMPACTION_CHILD,   /* The child writes the snapshot. */
    COMPACTION_CATCHUP, /* Appending records queued meanwhile. */
    COMPACTION_SYNC,    /* Thread: sync, rename, sync directory. */
    COMPACTION_ADOPT,   /* Renamed; appending the last queued records. */
    COMPACTION_DONE
};

struct ovsdb_compaction {
    enum compaction_state state;
    struct ovsdb_log *old;
    struct ovsdb_log *new;     /* Null once renamed into place or removed. */
    struct list queue;         /* "struct queued_record"s, oldest first. */
    struct ovsdb_error *error; /* Result, once COMPACTION_DONE. */

    /* COMPACTION_CHILD. */
    pid_t pid;
    int child_fd;        /* Read end of the child's report pipe. */
    struct ds child_msg; /* What the child reported so far. */

    /* COMPACTION_SYNC and COMPACTION_ADOPT. */
    uint64_t switch_seq; /* Last record of the old log in the new file
                          * when the sync started. */
    pthread_t thread;
    int done_fds[2];         /* The thread writes a byte when done. */
    atomic_bool thread_done; /* Set by the thread last. */
    bool renamed;            /* Thread's results (read once done). */
    struct ovsdb_error *sync_error;
};

/* The child.  It must not return: it runs nothing of the server's but
 * this, and leaves with _exit(), so that no exit handler or signal hook
 * of the server (pidfile, sockets) runs in it. */
static noreturn void
compaction_child(struct ovsdb_log *new, const struct ovsdb *db,
                 const char *comment, pid_t parent, int report_fd)
{
    /* Die with the server: a snapshot nobody renames is useless, and the
     * next server must not find a writer of "NAME.tmp" still running. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent) {
        _exit(EXIT_FAILURE);
    }
    static const int fatal_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGALRM};
    for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); i++) {
        signal(fatal_signals[i], SIG_DFL);
    }
    fatal_signal_fork();

    /* Yield the processor to the server, whose clients wait for it. */
    if (nice(10) < 0) {
        /* Not worth failing for. */
    }

    /* Keep no client connection or listener open behind the server's
     * back: a peer that the server drops must see it closed. */
    int keep[2] = {ovsdb_log_get_fd(new), report_fd};
    if (keep[0] > keep[1]) {
        int tmp = keep[0];
        keep[0] = keep[1];
        keep[1] = tmp;
    }
    unsigned int next = 3;
    for (size_t i = 0; i < 2; i++) {
        if (keep[i] > (int) next) {
            close_range(next, keep[i] - 1, 0);
        }
        next = keep[i] + 1;
    }
    close_range(next, UINT_MAX, 0);

    /* Nothing is freed: the process ends right after. */
    json_t *records[2] = {
        ovsdb_schema_to_json(db->schema),
        ovsdb_record_snapshot(db, comment, time_wall_msec()),
    };
    struct ovsdb_error *error = NULL;
    for (size_t i = 0; i < 2 && !error; i++) {
        error = ovsdb_log_write(new, records[i]);
    }
    if (!error) {
        error = ovsdb_log_commit_block(new);
    }
    /* An error goes as "ERRNO\nTAG\nDETAILS", to be rebuilt as it was. */
    char *msg = (error ? xasprintf("%d\n%s\n%s", ovsdb_error_get_errno(error),
                                   ovsdb_error_get_tag(error),
                                   ovsdb_error_get_details(error)
                                       ? ovsdb_error_get_details(error)
                                       : "")
                       : xstrdup(CHILD_OK));
    ssize_t retval OVS_UNUSED = write(report_fd, msg, strlen(msg));
    _exit(error ? EXIT_FAILURE : EXIT_SUCCESS);
}

static void *
close_thread(void *fd)
{
    close((intptr_t) fd);
    return NULL;
}

/* The thread that closes the last replaced file, if any.  It is joined
 * before the next fork(): a child forked while another thread is being
 * set up or torn down may find an allocator lock taken forever (ASan's
 * allocator, unlike glibc's, is not made safe across fork()). */
static pthread_t closer;
static bool closer_running;

static void
join_closer(void)
{
    if (closer_running) {
        pthread_join(closer, NULL);
        closer_running = false;
    }
}

struct ovsdb_error *
ovsdb_compaction_start(struct ovsdb_log *log, const struct ovsdb *db,
                       const char *comment, struct ovsdb_compaction **cp)
{
    *cp = NULL;
    struct ovsdb_log *new;
    struct ovsdb_error *error = ovsdb_log_replace_start(log, &new);
    if (error) {
        return error;
    }

    int report_fds[2];
    if (pipe2(report_fds, O_CLOEXEC | O_NONBLOCK)) {
        error =
            ovsdb_io_error(errno, "%s: pipe failed", ovsdb_log_get_name(log));
        ovsdb_log_replace_abort(new);
        return error;
    }
    join_closer();
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        error =
            ovsdb_io_error(errno, "%s: fork failed", ovsdb_log_get_name(log));
        close(report_fds[0]);
        close(report_fds[1]);
        ovsdb_log_replace_abort(new);
        return error;
    } else if (!pid) {
        compaction_child(new, db, comment, parent, report_fds[1]);
    }
    close(report_fds[1]);

    struct ovsdb_compaction *c = xzalloc(sizeof *c);
    c->state = COMPACTION_CHILD;
    c->old = log;
    c->new = new;
    list_init(&c->queue);
    c->pid = pid;
    c->child_fd = report_fds[0];
    ds_init(&c->child_msg);
    c->done_fds[0] = c->done_fds[1] = -1;
    atomic_init(&c->thread_done, false);
    *cp = c;
    return NULL;
}

void
ovsdb_compaction_append(struct ovsdb_compaction *c, const char *text, size_t n)
{
    if (c->state == COMPACTION_DONE) {
        return;
    }
    struct queued_record *r = xmalloc(sizeof *r + n);
    r->n = n;
    memcpy(r->text, text, n);
    list_push_back(&c->queue, &r->node);
}

uint64_t
ovsdb_compaction_durable_seq(const struct ovsdb_compaction *c,
                             uint64_t durable_seq)
{
    bool holding =
        (c->state == COMPACTION_SYNC || c->state == COMPACTION_ADOPT);
    return holding && durable_seq > c->switch_seq ? c->switch_seq
                                                  : durable_seq;
}

static void
compaction_fail(struct ovsdb_compaction *c, struct ovsdb_error *error)
{
    ovsdb_log_replace_abort(c->new);
    c->new = NULL;
    c->error = error;
    c->state = COMPACTION_DONE;
}

/* Reaps the child and turns its report into an error, or NULL if it
 * wrote and synced the new file. */
static struct ovsdb_error *
compaction_reap_child(struct ovsdb_compaction *c)
{
    int status = 0;
    pid_t retval;
    do {
        retval = waitpid(c->pid, &status, 0);
    } while (retval < 0 && errno == EINTR);
    close(c->child_fd);
    c->child_fd = -1;
    c->pid = -1;

    const char *name = ovsdb_log_get_name(c->old);
    const char *msg = ds_cstr(&c->child_msg);
    int err_no;
    int tag_ofs = -1, details_ofs = -1;
    struct ovsdb_error *error;
    if (!strcmp(msg, CHILD_OK)) {
        error = NULL;
    } else if (sscanf(msg, "%d\n%n%*[^\n]\n%n", &err_no, &tag_ofs,
                      &details_ofs)
                   >= 1
               && tag_ofs > 0 && details_ofs > tag_ofs) {
        /* The child's own error, e.g. a failed write. */
        char *tag = xmemdup0(msg + tag_ofs, details_ofs - tag_ofs - 1);
        const char *details = msg + details_ofs;
        error = (err_no ? ovsdb_io_error(err_no, "%s", details)
                        : ovsdb_error(tag, "%s", details));
        free(tag);
    } else if (retval > 0 && WIFSIGNALED(status)) {
        error =
            ovsdb_error(NULL,
                        "%s: compaction process killed by signal %d "
                        "(%s)",
                        name, WTERMSIG(status), strsignal(WTERMSIG(status)));
    } else {
        error = ovsdb_error(NULL, "%s: compaction process failed", name);
    }
    ds_destroy(&c->child_msg);
    return error;
}

/* Reads the child's report.  Returns true once the child is gone. */
static bool
compaction_child_run(struct ovsdb_compaction *c)
{
    for (;;) {
        char buf[512];
        ssize_t n = read(c->child_fd, buf, sizeof buf);
        if (n > 0) {
            ds_put_buffer(&c->child_msg, buf, n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            return false;
        } else {
            return true; /* End of file (or a broken pipe): it exited. */
        }
    }
}

/* Appends queued records to the new file: all of them if 'all', else
 * about DRAIN_BYTES_PER_RUN bytes.  Returns true if the queue is empty
 * (or an error ended the compaction). */
static bool
compaction_drain(struct ovsdb_compaction *c, bool all)
{
    size_t budget = DRAIN_BYTES_PER_RUN;
    while (!list_is_empty(&c->queue) && (all || budget)) {
        struct queued_record *r = CONTAINER_OF(list_pop_front(&c->queue),
                                               struct queued_record, node);
        struct ovsdb_error *error =
            ovsdb_log_write_text(c->new, r->text, r->n);
        budget = r->n >= budget ? 0 : budget - r->n;
        free(r);
        if (error) {
            c->error = error;
            return true;
        }
    }
    return list_is_empty(&c->queue);
}

static void *
compaction_sync_thread(void *c_)
{
    struct ovsdb_compaction *c = c_;
    c->sync_error = ovsdb_log_replace_prepare(c->old, c->new, &c->renamed);
    atomic_store(&c->thread_done, true);
    ssize_t retval OVS_UNUSED = write(c->done_fds[1], "", 1);
    return NULL;
}

static void
compaction_start_sync(struct ovsdb_compaction *c)
{
    c->switch_seq = ovsdb_log_get_written_seq(c->old);
    if (pipe2(c->done_fds, O_CLOEXEC | O_NONBLOCK)) {
        ovs_fatal(errno, "pipe failed");
    }
    int retval = pthread_create(&c->thread, NULL, compaction_sync_thread, c);
    if (retval) {
        ovs_fatal(retval, "failed to start compaction thread");
    }
    c->state = COMPACTION_SYNC;
}

/* Joins the sync thread: afterwards either the new file has the old one's
 * name (COMPACTION_ADOPT) or the compaction failed. */
static void
compaction_join(struct ovsdb_compaction *c)
{
    pthread_join(c->thread, NULL);
    close(c->done_fds[0]);
    close(c->done_fds[1]);
    c->done_fds[0] = c->done_fds[1] = -1;
    if (c->renamed) {
        c->state = COMPACTION_ADOPT;
    } else {
        compaction_fail(c, c->sync_error);
        c->sync_error = NULL;
    }
}

/* Makes the old log continue on the renamed file, which now holds every
 * record written to it (or failed to: then 'c->error' is set). */
static void
compaction_adopt(struct ovsdb_compaction *c)
{
    /* A failed append or directory sync: the log stops taking writes. */
    struct ovsdb_error *error = c->error;
    if (!error) {
        error = c->sync_error;
    } else {
        ovsdb_error_destroy(c->sync_error);
    }
    c->sync_error = NULL;

    /* Closing the last descriptor of the replaced file frees its blocks,
     * which takes long for a big file: keep a duplicate for a thread to
     * close. */
    int old_fd = dup(ovsdb_log_get_fd(c->old));
    c->error = ovsdb_log_replace_finish(c->old, c->new, c->switch_seq, error);
    c->new = NULL;
    c->state = COMPACTION_DONE;
    if (old_fd >= 0) {
        join_closer();
        if (pthread_create(&closer, NULL, close_thread,
                           (void *) (intptr_t) old_fd)) {
            close(old_fd);
        } else {
            closer_running = true;
        }
    }
}

bool
ovsdb_compaction_run(struct ovsdb_compaction *c)
{
    if (c->state == COMPACTION_CHILD && compaction_child_run(c)) {
        struct ovsdb_error *error = compaction_reap_child(c);
        if (error) {
            compaction_fail(c, error);
        } else {
            ovsdb_log_replace_adopt_end(c->new);
            c->state = COMPACTION_CATCHUP;
        }
    }
    if (c->state == COMPACTION_CATCHUP && compaction_drain(c, false)) {
        if (c->error) {
            compaction_fail(c, c->error);
        } else {
            compaction_start_sync(c);
        }
    }
    if (c->state == COMPACTION_SYNC && atomic_load(&c->thread_done)) {
        compaction_join(c);
    }
    if (c->state == COMPACTION_ADOPT && compaction_drain(c, false)) {
        compaction_adopt(c);
    }
    return c->state == COMPACTION_DONE;
}

void
ovsdb_compaction_wait(const struct ovsdb_compaction *c)
{
    switch (c->state) {
    case COMPACTION_CHILD:
        poll_fd_wait(c->child_fd, POLLIN);
        break;
    case COMPACTION_SYNC:
        poll_fd_wait(c->done_fds[0], POLLIN);
        break;
    case COMPACTION_CATCHUP:
    case COMPACTION_ADOPT:
    case COMPACTION_DONE:
        poll_immediate_wake();
        break;
    }
}

struct ovsdb_error *
ovsdb_compaction_finish(struct ovsdb_compaction *c)
{
    ovs_assert(c->state == COMPACTION_DONE);
    struct ovsdb_error *error = c->error;
    struct queued_record *r;
    LIST_FOR_EACH_POP (r, node, &c->queue) {
        free(r);
    }
    free(c);
    return error;
}

void
ovsdb_compaction_abort(struct ovsdb_compaction *c)
{
    if (!c) {
        return;
    }
    switch (c->state) {
    case COMPACTION_CHILD:
        kill(c->pid, SIGKILL);
        ovsdb_error_destroy(compaction_reap_child(c));
        compaction_fail(c, NULL);
        break;
    case COMPACTION_CATCHUP:
        compaction_fail(c, NULL);
        break;
    case COMPACTION_SYNC:
        compaction_join(c);
        if (c->state != COMPACTION_ADOPT) {
            break;
        }
        /* fall through */
    case COMPACTION_ADOPT:
        /* The new file already has the old one's name. */
        compaction_drain(c, true);
        compaction_adopt(c);
        break;
    case COMPACTION_DONE:
        break;
    }
    struct ovsdb_error *error = ovsdb_compaction_finish(c);
    if (error) {
        char *msg = ovsdb_error_to_string_free(error);
        VLOG_WARN("compacting failed: %s", msg);
        free(msg);
    }
}

bool
ovsdb_compaction_is_due(const struct ovsdb_compaction_rule_input *in)
{
    const long long min_interval = 10LL * 60 * 1000;
    const long long max_interval = 24LL * 60 * 60 * 1000;
    const long long min_size = 10LL * 1024 * 1024;

    long long elapsed = in->now_msec - in->last_compaction_msec;
    if (in->n_appended < 100 || elapsed < min_interval) {
        return false;
    }
    return ((in->size >= min_size && in->size > 2 * in->base_size)
            || elapsed >= max_interval);
}

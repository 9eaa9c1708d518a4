/* Online compaction of a database log in a background thread. */
#include "ovsdb/compaction.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/ds.h"
#include "lib/list.h"
#include "lib/poll-loop.h"
#include "lib/util.h"
#include "ovsdb/log.h"
#include "ovsdb/ovsdb-error.h"

/* A record written to the old log after the snapshot was taken. */
struct queued_record {
    struct list node;
    size_t n;
    char text[];
};

struct ovsdb_compaction {
    struct ovsdb_log *old;
    struct ovsdb_log *new; /* Owned by the thread until it is done. */
    json_t *records[2];    /* Schema and snapshot, for the thread. */
    struct list queue;     /* "struct queued_record"s, oldest first. */

    pthread_t thread;
    int done_fds[2];           /* The thread writes a byte when done. */
    atomic_bool done;          /* Set by the thread last. */
    struct ovsdb_error *error; /* The thread's result (read once done). */
};

static void *
compaction_thread(void *c_)
{
    struct ovsdb_compaction *c = c_;
    struct ovsdb_error *error = NULL;
    for (size_t i = 0; i < 2 && !error; i++) {
        error = ovsdb_log_write(c->new, c->records[i]);
        json_decref(c->records[i]);
        c->records[i] = NULL;
    }
    /* The bulk of the file is made durable here, so that the sync that
     * completes the replacement in the main thread covers only the
     * records queued meanwhile. */
    if (!error) {
        error = ovsdb_log_commit_block(c->new);
    }
    c->error = error;
    atomic_store(&c->done, true);
    ssize_t retval OVS_UNUSED = write(c->done_fds[1], "", 1);
    return NULL;
}

struct ovsdb_error *
ovsdb_compaction_start(struct ovsdb_log *log, json_t *schema, json_t *snapshot,
                       struct ovsdb_compaction **cp)
{
    *cp = NULL;
    struct ovsdb_log *new;
    struct ovsdb_error *error = ovsdb_log_replace_start(log, &new);
    if (error) {
        json_decref(schema);
        json_decref(snapshot);
        return error;
    }

    struct ovsdb_compaction *c = xzalloc(sizeof *c);
    c->old = log;
    c->new = new;
    c->records[0] = schema;
    c->records[1] = snapshot;
    list_init(&c->queue);
    atomic_init(&c->done, false);
    if (pipe2(c->done_fds, O_CLOEXEC | O_NONBLOCK)) {
        ovs_fatal(errno, "pipe failed");
    }
    int retval = pthread_create(&c->thread, NULL, compaction_thread, c);
    if (retval) {
        ovs_fatal(retval, "failed to start compaction thread");
    }
    *cp = c;
    return NULL;
}

void
ovsdb_compaction_append(struct ovsdb_compaction *c, const char *text, size_t n)
{
    struct queued_record *r = xmalloc(sizeof *r + n);
    r->n = n;
    memcpy(r->text, text, n);
    list_push_back(&c->queue, &r->node);
}

bool
ovsdb_compaction_is_done(const struct ovsdb_compaction *c)
{
    return atomic_load(&((struct ovsdb_compaction *) c)->done);
}

void
ovsdb_compaction_wait(const struct ovsdb_compaction *c)
{
    poll_fd_wait(c->done_fds[0], POLLIN);
}

/* Joins the thread and frees what 'c' owns apart from the new log. */
static struct ovsdb_error *
compaction_join(struct ovsdb_compaction *c)
{
    pthread_join(c->thread, NULL);
    close(c->done_fds[0]);
    close(c->done_fds[1]);
    for (size_t i = 0; i < 2; i++) {
        json_decref(c->records[i]);
    }
    return c->error;
}

static void
compaction_free(struct ovsdb_compaction *c)
{
    struct queued_record *r;
    LIST_FOR_EACH_POP (r, node, &c->queue) {
        free(r);
    }
    free(c);
}

struct ovsdb_error *
ovsdb_compaction_finish(struct ovsdb_compaction *c)
{
    struct ovsdb_error *error = compaction_join(c);
    struct queued_record *r;
    LIST_FOR_EACH (r, node, &c->queue) {
        if (error) {
            break;
        }
        error = ovsdb_log_write_text(c->new, r->text, r->n);
    }
    if (error) {
        ovsdb_log_replace_abort(c->new);
    } else {
        error = ovsdb_log_replace_commit(c->old, c->new);
    }
    compaction_free(c);
    return error;
}

void
ovsdb_compaction_abort(struct ovsdb_compaction *c)
{
    if (c) {
        ovsdb_error_destroy(compaction_join(c));
        ovsdb_log_replace_abort(c->new);
        compaction_free(c);
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

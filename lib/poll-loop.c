#include "lib/poll-loop.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/coverage.h"
#include "lib/fatal-signal.h"
#include "lib/timeval.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(poll_loop);
COVERAGE_DEFINE(poll_create_node);
COVERAGE_DEFINE(poll_zero_timeout);

/* The loop calls poll() on the fds registered for one iteration.  poll()
 * keeps no state in the kernel, so an fd closed and reopened between
 * iterations, a dup that outlives its original or a forked child sharing
 * the parent's files need no care at all, and an iteration costs one
 * system call however many fds it watches (an epoll set would need one
 * epoll_ctl() per fd and iteration to stay that safe).
 *
 * Registrations go into 'fds' (with their callers in 'wheres'); 'slots'
 * maps an fd number to its index there, valid only if the matching
 * 'slot_gens' entry is the current 'gen', so that starting a new
 * iteration forgets every mapping at once. */
struct poll_loop {
    struct pollfd *fds;
    const char **wheres;
    size_t n_fds, allocated_fds;

    int *slots;
    unsigned int *slot_gens;
    size_t n_slots;
    unsigned int gen;

    long long timeout_when; /* LLONG_MAX: no timer. */
    const char *timeout_where;
    unsigned long long n_wakeups;

    /* The fds with events in the last poll_block(). */
    struct pollfd *ready;
    size_t n_ready, allocated_ready;
};

static __thread struct poll_loop *loop;

/* Frees a thread's loop when the thread exits, so that short-lived
 * threads that block on something (a client transaction, a test peer)
 * do not leak it. */
static pthread_key_t loop_key;
static pthread_once_t loop_key_once = PTHREAD_ONCE_INIT;

static void
free_poll_loop(void *l_)
{
    struct poll_loop *l = l_;
    free(l->fds);
    free(l->wheres);
    free(l->slots);
    free(l->slot_gens);
    free(l->ready);
    free(l);
    loop = NULL;
}

static void
create_loop_key(void)
{
    if (pthread_key_create(&loop_key, free_poll_loop)) {
        ovs_abort(0, "pthread_key_create failed");
    }
}

static struct poll_loop *
poll_loop(void)
{
    if (!loop) {
        loop = xzalloc(sizeof *loop);
        loop->gen = 1;
        loop->timeout_when = LLONG_MAX;
        pthread_once(&loop_key_once, create_loop_key);
        pthread_setspecific(loop_key, loop);
    }
    return loop;
}

/* Returns the index in 'l->fds' of 'fd', registered this iteration, or
 * -1. */
static int
find_slot(const struct poll_loop *l, int fd)
{
    return ((size_t) fd < l->n_slots && l->slot_gens[fd] == l->gen
                ? l->slots[fd]
                : -1);
}

void
poll_fd_wait_at(int fd, short events, const char *where)
{
    struct poll_loop *l = poll_loop();
    ovs_assert(fd >= 0);

    int slot = find_slot(l, fd);
    if (slot >= 0) {
        l->fds[slot].events |= events;
        return;
    }

    COVERAGE_INC(poll_create_node);
    if ((size_t) fd >= l->n_slots) {
        size_t n = MAX(64, l->n_slots);
        while (n <= (size_t) fd) {
            n *= 2;
        }
        l->slots = xrealloc(l->slots, n * sizeof *l->slots);
        l->slot_gens = xrealloc(l->slot_gens, n * sizeof *l->slot_gens);
        memset(&l->slot_gens[l->n_slots], 0,
               (n - l->n_slots) * sizeof *l->slot_gens);
        l->n_slots = n;
    }
    if (l->n_fds >= l->allocated_fds) {
        l->fds = x2nrealloc(l->fds, &l->allocated_fds, sizeof *l->fds);
        l->wheres = xrealloc(l->wheres, l->allocated_fds * sizeof *l->wheres);
    }
    l->slots[fd] = l->n_fds;
    l->slot_gens[fd] = l->gen;
    l->fds[l->n_fds] = (struct pollfd){.fd = fd, .events = events};
    l->wheres[l->n_fds] = where;
    l->n_fds++;
}

void
poll_timer_wait_until_at(long long when, const char *where)
{
    struct poll_loop *l = poll_loop();
    if (when < l->timeout_when) {
        l->timeout_when = when;
        l->timeout_where = where;
    }
}

void
poll_timer_wait_at(long long msec, const char *where)
{
    long long now = time_msec();
    long long when = (msec <= 0                ? now
                      : msec < LLONG_MAX - now ? now + msec
                                               : LLONG_MAX);
    poll_timer_wait_until_at(when, where);
}

void
poll_immediate_wake_at(const char *where)
{
    poll_timer_wait_at(0, where);
}

static void
log_wakeup(const struct poll_loop *l, long long timeout_ms)
{
    if (!VLOG_IS_DBG_ENABLED()) {
        return;
    }
    if (l->n_ready == 0) {
        if (timeout_ms >= 0 && l->timeout_where) {
            VLOG_DBG("wakeup due to %lld-ms timeout at %s", timeout_ms,
                     l->timeout_where);
        }
        return;
    }
    for (size_t i = 0; i < l->n_fds; i++) {
        const struct pollfd *p = &l->fds[i];
        if (p->revents) {
            VLOG_DBG("wakeup due to [%s%s%s%s%s] on fd %d at %s",
                     p->revents & POLLIN ? "POLLIN" : "",
                     p->revents & POLLOUT ? "POLLOUT" : "",
                     p->revents & POLLERR ? "POLLERR" : "",
                     p->revents & POLLHUP ? "POLLHUP" : "",
                     p->revents & POLLNVAL ? "POLLNVAL" : "", p->fd,
                     l->wheres[i]);
        }
    }
}

/* Returns the poll() timeout for the earliest timer, -1 if none. */
static int
compute_timeout_ms(const struct poll_loop *l)
{
    if (l->timeout_when == LLONG_MAX) {
        return -1;
    }

    long long now = time_msec();
    long long timeout_ms = l->timeout_when > now ? l->timeout_when - now : 0;
    return MIN(timeout_ms, INT_MAX);
}

void
poll_block(void)
{
    struct poll_loop *l = poll_loop();

    fatal_signal_wait();

    int timeout_ms = compute_timeout_ms(l);
    int n = poll(l->fds, l->n_fds, timeout_ms);
    if (n < 0) {
        if (errno != EINTR) {
            VLOG_ERR("poll: %s", ovs_strerror(errno));
        }
        n = 0;
    }
    if (!timeout_ms) {
        COVERAGE_INC(poll_zero_timeout);
    }
    l->n_wakeups++;

    if ((size_t) n > l->allocated_ready) {
        l->allocated_ready = MAX((size_t) n, 2 * l->allocated_ready);
        l->ready = xrealloc(l->ready, l->allocated_ready * sizeof *l->ready);
    }
    l->n_ready = 0;
    for (size_t i = 0; i < l->n_fds && l->n_ready < (size_t) n; i++) {
        if (l->fds[i].revents) {
            l->ready[l->n_ready++] = l->fds[i];
        }
    }
    log_wakeup(l, timeout_ms);

    /* Forget this iteration's registrations. */
    l->n_fds = 0;
    if (!++l->gen) {
        memset(l->slot_gens, 0, l->n_slots * sizeof *l->slot_gens);
        l->gen = 1;
    }
    l->timeout_when = LLONG_MAX;
    l->timeout_where = NULL;

    fatal_signal_run();
}

short
poll_fd_revents(int fd)
{
    struct poll_loop *l = poll_loop();
    for (size_t i = 0; i < l->n_ready; i++) {
        if (l->ready[i].fd == fd) {
            return l->ready[i].revents;
        }
    }
    return 0;
}

unsigned long long
poll_loop_n_wakeups(void)
{
    return poll_loop()->n_wakeups;
}

#include "lib/poll-loop.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/coverage.h"
#include "lib/fatal-signal.h"
#include "lib/timeval.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(poll_loop);
COVERAGE_DEFINE(poll_create_node);
COVERAGE_DEFINE(poll_zero_timeout);

/* Each iteration hands every registered fd to one poll(2) call.  That
 * costs the kernel a little per fd, but a single system call: keeping an
 * epoll set in step with registrations that change every iteration would
 * need one epoll_ctl() per fd per iteration, and, since the kernel keys
 * epoll entries by open file rather than by fd number, care for fds
 * closed and reused in between.  poll(2) has no state to keep in step.
 *
 * Registrations go straight into the array that poll() takes, found by
 * fd number in constant time, so that a daemon with thousands of
 * connections spends little per connection per iteration. */
struct poll_loop {
    /* This iteration's registrations. */
    struct pollfd *wanted;
    const char **wanted_wheres; /* Registration site of each. */
    size_t n_wanted, allocated_wanted;

    /* The last poll_block()'s fds, with their 'revents'. */
    struct pollfd *last;
    const char **last_wheres;
    size_t n_last, allocated_last;

    /* By fd number. */
    struct fd_slot *by_fd;
    size_t n_by_fd;

    long long timeout_when; /* LLONG_MAX: no timer. */
    const char *timeout_where;
    unsigned long long n_wakeups;
};

struct fd_slot {
    size_t wanted; /* 1 + index in 'wanted', 0 if not registered. */
    short events;  /* Of the fd in 'last', 0 if none. */
    short revents; /* Of the fd in 'last', 0 if none. */
};

static __thread struct poll_loop *loop;

/* Frees a thread's loop when the thread exits, so that short-lived
 * threads that block on something (a client transaction, a test peer)
 * leak no memory. */
static pthread_key_t loop_key;
static pthread_once_t loop_key_once = PTHREAD_ONCE_INIT;

static void
free_poll_loop(void *l_)
{
    struct poll_loop *l = l_;
    free(l->wanted);
    free(l->wanted_wheres);
    free(l->last);
    free(l->last_wheres);
    free(l->by_fd);
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
        loop->timeout_when = LLONG_MAX;

        pthread_once(&loop_key_once, create_loop_key);
        pthread_setspecific(loop_key, loop);
    }
    return loop;
}

/* Returns the slot of 'fd', making room for it. */
static struct fd_slot *
get_slot(struct poll_loop *l, int fd)
{
    if ((size_t) fd >= l->n_by_fd) {
        size_t n = MAX(2 * l->n_by_fd, MAX((size_t) fd + 1, 64));
        l->by_fd = xrealloc(l->by_fd, n * sizeof *l->by_fd);
        memset(l->by_fd + l->n_by_fd, 0, (n - l->n_by_fd) * sizeof *l->by_fd);
        l->n_by_fd = n;
    }
    return &l->by_fd[fd];
}

void
poll_fd_wait_at(int fd, short events, const char *where)
{
    struct poll_loop *l = poll_loop();
    ovs_assert(fd >= 0);

    struct fd_slot *slot = get_slot(l, fd);
    if (slot->wanted) {
        l->wanted[slot->wanted - 1].events |= events;
        return;
    }
    if (l->n_wanted >= l->allocated_wanted) {
        size_t allocated = l->allocated_wanted;
        l->wanted = x2nrealloc(l->wanted, &allocated, sizeof *l->wanted);
        l->wanted_wheres =
            xrealloc(l->wanted_wheres, allocated * sizeof *l->wanted_wheres);
        l->allocated_wanted = allocated;
    }
    l->wanted[l->n_wanted] = (struct pollfd){.fd = fd, .events = events};
    l->wanted_wheres[l->n_wanted] = where;
    slot->wanted = ++l->n_wanted;
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
log_wakeup(const struct poll_loop *l, int n_ready, long long timeout_ms)
{
    if (!VLOG_IS_DBG_ENABLED()) {
        return;
    }
    if (n_ready <= 0) {
        if (timeout_ms >= 0 && l->timeout_where) {
            VLOG_DBG("wakeup due to %lld-ms timeout at %s", timeout_ms,
                     l->timeout_where);
        }
        return;
    }
    for (size_t i = 0; i < l->n_last; i++) {
        const struct pollfd *pfd = &l->last[i];
        if (pfd->revents) {
            VLOG_DBG("wakeup due to [%s%s%s%s] on fd %d at %s",
                     pfd->revents & POLLIN ? "POLLIN" : "",
                     pfd->revents & POLLOUT ? "POLLOUT" : "",
                     pfd->revents & POLLERR ? "POLLERR" : "",
                     pfd->revents & POLLHUP ? "POLLHUP" : "", pfd->fd,
                     l->last_wheres[i]);
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

    /* Forget the last results; this iteration's registrations become the
     * fds to poll. */
    for (size_t i = 0; i < l->n_last; i++) {
        struct fd_slot *slot = &l->by_fd[l->last[i].fd];
        slot->events = slot->revents = 0;
    }
    struct pollfd *pollfds = l->wanted;
    const char **wheres = l->wanted_wheres;
    size_t allocated = l->allocated_wanted;
    l->wanted = l->last;
    l->wanted_wheres = l->last_wheres;
    l->allocated_wanted = l->allocated_last;
    l->last = pollfds;
    l->last_wheres = wheres;
    l->allocated_last = allocated;
    l->n_last = l->n_wanted;
    l->n_wanted = 0;
    for (size_t i = 0; i < l->n_last; i++) {
        l->by_fd[l->last[i].fd].wanted = 0;
    }

    /* Counted once per iteration: an atomic increment per fd would cost
     * more than registering it. */
    COVERAGE_ADD(poll_create_node, l->n_last);

    int timeout_ms = compute_timeout_ms(l);
    int n_ready = poll(l->last, l->n_last, timeout_ms);
    if (n_ready < 0 && errno != EINTR) {
        VLOG_ERR("poll: %s", ovs_strerror(errno));
    }
    for (size_t i = 0; i < l->n_last; i++) {
        struct pollfd *pfd = &l->last[i];
        struct fd_slot *slot = &l->by_fd[pfd->fd];
        if (n_ready < 0) {
            /* After a failed poll() nothing is known about any fd. */
            pfd->revents = 0;
        } else {
            slot->events = pfd->events;
            slot->revents = pfd->revents;
        }
    }
    if (!timeout_ms) {
        COVERAGE_INC(poll_zero_timeout);
    }
    l->n_wakeups++;
    log_wakeup(l, n_ready, timeout_ms);

    l->timeout_when = LLONG_MAX;
    l->timeout_where = NULL;

    fatal_signal_run();
}

short
poll_fd_revents(int fd)
{
    struct poll_loop *l = poll_loop();
    return fd >= 0 && (size_t) fd < l->n_by_fd ? l->by_fd[fd].revents : 0;
}

bool
poll_fd_is_idle(int fd, short events)
{
    struct poll_loop *l = poll_loop();
    if (fd < 0 || (size_t) fd >= l->n_by_fd) {
        return false;
    }
    const struct fd_slot *r = &l->by_fd[fd];
    return (r->events & events) == events && !r->revents;
}

unsigned long long
poll_loop_n_wakeups(void)
{
    return poll_loop()->n_wakeups;
}

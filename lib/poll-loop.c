#include "lib/poll-loop.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "lib/coverage.h"
#include "lib/fatal-signal.h"
#include "lib/timeval.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(poll_loop);
COVERAGE_DEFINE(poll_create_node);
COVERAGE_DEFINE(poll_zero_timeout);
COVERAGE_DEFINE(poll_epoll_ctl);

/* poll(2) and epoll(7) events are the same bits on Linux, so that the
 * revents of both can be reported alike. */
_Static_assert(POLLIN == EPOLLIN && POLLOUT == EPOLLOUT && POLLERR == EPOLLERR
                   && POLLHUP == EPOLLHUP && POLLPRI == EPOLLPRI,
               "poll and epoll events differ");

/* Each iteration hands every registered fd to one poll(2) call.  That
 * costs the kernel a little per fd, but a single system call: keeping an
 * epoll set in step with registrations that change every iteration would
 * need one epoll_ctl() per fd per iteration, and, since the kernel keys
 * epoll entries by open file rather than by fd number, care for fds
 * closed and reused in between.  poll(2) has no state to keep in step.
 *
 * Registrations go straight into the array that poll() takes, found by
 * fd number in constant time, so that a daemon with thousands of
 * connections spends little per connection per iteration.
 *
 * Fds that their owners register as long-lived (poll_fd_register()) are
 * the exception: they live in an epoll set, which poll() watches as one
 * more fd, updated only when what is waited on them changes. */
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

    /* Long-lived fds (how many, and room for that many in the arrays
     * below), and the epoll set that holds those waited on. */
    size_t n_registered, allocated_registered;
    int epoll_fd;                     /* -1 until an fd is registered. */
    struct epoll_event *epoll_events; /* 'allocated_registered' of them. */
    int *ready;     /* Registered fds found ready, 'allocated_registered'. */
    size_t n_ready; /* In 'ready'. */
    size_t n_armed; /* Registered fds in the epoll set. */

    /* Registered fds that the next poll_block() must look at: those
     * waited on for more than their standing events in this iteration or
     * the last, those that epoll refused, and new ones.  The others keep
     * their place in the epoll set as it is, so that an iteration costs
     * nothing for each idle registered fd.  An fd here may have been
     * unregistered since. */
    int *listed;
    size_t n_listed, allocated_listed;

    long long timeout_when_usec; /* LLONG_MAX: no timer. */
    const char *timeout_where;
    unsigned long long n_wakeups;
};

struct fd_slot {
    size_t wanted; /* 1 + index in 'wanted', 0 if not waited on (or
                    * registered: see below). */
    short events;  /* Waited for in the last poll_block(), 0 if none. */
    short revents; /* Reported by the last poll_block(), 0 if none. */

    /* For a registered fd. */
    bool registered;
    short standing; /* Waited for in every iteration. */
    short want;     /* Waited for in this iteration. */
    short armed;    /* In the epoll set (0: not in it). */
    bool refused;   /* The kernel will not have it in an epoll set (a
                     * regular file): polled like any other fd. */
    bool listed;    /* In 'listed' (even if no longer registered). */
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
    free(l->epoll_events);
    free(l->ready);
    free(l->listed);
    if (l->epoll_fd >= 0) {
        close(l->epoll_fd);
    }
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
        loop->timeout_when_usec = LLONG_MAX;
        loop->epoll_fd = -1;

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

static void add_wanted(struct poll_loop *, struct fd_slot *, int fd,
                       short events, const char *where);

/* Makes the next poll_block() look at registered 'fd'. */
static void
list_registered(struct poll_loop *l, struct fd_slot *slot, int fd)
{
    if (slot->listed) {
        return;
    }
    if (l->n_listed >= l->allocated_listed) {
        l->listed =
            x2nrealloc(l->listed, &l->allocated_listed, sizeof *l->listed);
    }
    l->listed[l->n_listed++] = fd;
    slot->listed = true;
}

void
poll_fd_wait_at(int fd, short events, const char *where)
{
    struct poll_loop *l = poll_loop();
    ovs_assert(fd >= 0);

    struct fd_slot *slot = get_slot(l, fd);
    if (slot->registered) {
        if (events & ~slot->standing) {
            list_registered(l, slot, fd);
        }
        slot->want |= events;
        return;
    }
    add_wanted(l, slot, fd, events, where);
}

/* Adds 'fd' to the fds for poll() in this iteration. */
static void
add_wanted(struct poll_loop *l, struct fd_slot *slot, int fd, short events,
           const char *where)
{
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
poll_timer_wait_until_usec_at(long long when_usec, const char *where)
{
    struct poll_loop *l = poll_loop();
    if (when_usec < l->timeout_when_usec) {
        l->timeout_when_usec = when_usec;
        l->timeout_where = where;
    }
}

void
poll_timer_wait_until_at(long long when, const char *where)
{
    poll_timer_wait_until_usec_at(
        when < LLONG_MAX / 1000 ? when * 1000 : LLONG_MAX, where);
}

void
poll_timer_wait_at(long long msec, const char *where)
{
    long long now = time_usec();
    long long when = (msec <= 0                         ? now
                      : msec < (LLONG_MAX - now) / 1000 ? now + msec * 1000
                                                        : LLONG_MAX);
    poll_timer_wait_until_usec_at(when, where);
}

void
poll_immediate_wake_at(const char *where)
{
    poll_timer_wait_until_usec_at(0, where);
}

void
poll_fd_register(int fd, short standing_events)
{
    struct poll_loop *l = poll_loop();
    ovs_assert(fd >= 0);

    struct fd_slot *slot = get_slot(l, fd);
    ovs_assert(!slot->registered);
    if (l->epoll_fd < 0) {
        l->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (l->epoll_fd < 0) {
            ovs_fatal(errno, "epoll_create1 failed");
        }
    }
    if (l->n_registered >= l->allocated_registered) {
        size_t allocated = MAX(2 * l->allocated_registered, 16);
        l->epoll_events =
            xrealloc(l->epoll_events, allocated * sizeof *l->epoll_events);
        l->ready = xrealloc(l->ready, allocated * sizeof *l->ready);
        l->allocated_registered = allocated;
    }
    slot->registered = true;
    slot->refused = false;
    slot->standing = standing_events;
    slot->want = slot->armed = 0;
    l->n_registered++;
    list_registered(l, slot, fd);
}

/* Makes the epoll set wait for 'events' on registered 'fd' (none: takes
 * it out of the set, since epoll reports errors and hang-ups even for an
 * entry with no events).  Returns 0 or an errno value. */
static int
arm_registered(struct poll_loop *l, struct fd_slot *slot, int fd, short events)
{
    if (events == slot->armed) {
        return 0;
    }
    struct epoll_event event = {.events = (uint16_t) events, .data.fd = fd};
    int op = (!events       ? EPOLL_CTL_DEL
              : slot->armed ? EPOLL_CTL_MOD
                            : EPOLL_CTL_ADD);
    COVERAGE_INC(poll_epoll_ctl);
    int error = epoll_ctl(l->epoll_fd, op, fd, &event) ? errno : 0;
    short armed = error ? 0 : events;
    l->n_armed += (armed != 0) - (slot->armed != 0);
    slot->armed = armed;
    return error;
}

void
poll_fd_unregister(int fd)
{
    struct poll_loop *l = poll_loop();
    if (fd < 0 || (size_t) fd >= l->n_by_fd || !l->by_fd[fd].registered) {
        return;
    }
    struct fd_slot *slot = &l->by_fd[fd];
    int error = arm_registered(l, slot, fd, 0);
    if (error) {
        VLOG_ERR("fd %d: leaving the poll loop's epoll set failed: %s", fd,
                 ovs_strerror(error));
    }
    l->n_registered--;
    slot->registered = false;
    slot->standing = slot->want = slot->events = slot->revents = 0;
}

static void
log_wakeup(const struct poll_loop *l, int n_ready, long long timeout_usec)
{
    if (!VLOG_IS_DBG_ENABLED()) {
        return;
    }
    if (n_ready <= 0) {
        if (timeout_usec >= 0 && l->timeout_where) {
            VLOG_DBG("wakeup due to %lld-ms timeout at %s",
                     timeout_usec / 1000, l->timeout_where);
        }
        return;
    }
    for (size_t i = 0; i < l->n_last; i++) {
        const struct pollfd *pfd = &l->last[i];
        if (pfd->revents && pfd->fd != l->epoll_fd) {
            VLOG_DBG("wakeup due to [%s%s%s%s] on fd %d at %s",
                     pfd->revents & POLLIN ? "POLLIN" : "",
                     pfd->revents & POLLOUT ? "POLLOUT" : "",
                     pfd->revents & POLLERR ? "POLLERR" : "",
                     pfd->revents & POLLHUP ? "POLLHUP" : "", pfd->fd,
                     l->last_wheres[i]);
        }
    }
    for (size_t i = 0; i < l->n_ready; i++) {
        int fd = l->ready[i];
        short revents = l->by_fd[fd].revents;
        if (revents) {
            VLOG_DBG("wakeup due to [%s%s%s%s] on long-lived fd %d",
                     revents & POLLIN ? "POLLIN" : "",
                     revents & POLLOUT ? "POLLOUT" : "",
                     revents & POLLERR ? "POLLERR" : "",
                     revents & POLLHUP ? "POLLHUP" : "", fd);
        }
    }
}

/* Returns the time to wait for the earliest timer in microseconds, -1 if
 * there is none. */
static long long
compute_timeout_usec(const struct poll_loop *l)
{
    if (l->timeout_when_usec == LLONG_MAX) {
        return -1;
    }
    long long now = time_usec();
    return l->timeout_when_usec > now ? l->timeout_when_usec - now : 0;
}

/* Brings the epoll set in line with this iteration's waits on registered
 * fds, and returns how many it holds.  Only the listed fds can need a
 * change (see 'listed' in struct poll_loop).  A registered fd that cannot
 * join the set (the kernel refuses it) is polled like any other
 * instead. */
static size_t
prepare_registered(struct poll_loop *l)
{
    /* What the last poll_block() reported for registered fds. */
    for (size_t i = 0; i < l->n_ready; i++) {
        l->by_fd[l->ready[i]].revents = 0;
    }
    l->n_ready = 0;

    /* Listing an fd again below writes at most at the index just read. */
    size_t n = l->n_listed;
    l->n_listed = 0;
    for (size_t i = 0; i < n; i++) {
        int fd = l->listed[i];
        struct fd_slot *slot = &l->by_fd[fd];
        slot->listed = false;
        if (!slot->registered) {
            continue;
        }
        short want = slot->want | slot->standing;
        slot->want = 0;
        slot->events = want;
        slot->revents = 0;
        int error = slot->refused ? 0 : arm_registered(l, slot, fd, want);
        if (error) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
            VLOG_WARN_RL(&rl, "fd %d: epoll_ctl failed (%s); polling it", fd,
                         ovs_strerror(error));
            /* EPERM: an fd that epoll does not support, which asking again
             * in every iteration would not change. */
            slot->refused = error == EPERM;
        }
        if (error || slot->refused) {
            if (want) {
                add_wanted(l, slot, fd, want, "long-lived fd");
            }
        }
        if (error || slot->refused || want != slot->standing) {
            /* Polled in this iteration only, or to be put back to its
             * standing events in the next. */
            list_registered(l, slot, fd);
        }
    }
    if (l->n_armed) {
        add_wanted(l, get_slot(l, l->epoll_fd), l->epoll_fd, POLLIN,
                   "epoll set");
    }
    return l->n_armed;
}

/* Reports the revents of the registered fds that are ready. */
static void
collect_registered(struct poll_loop *l, size_t n_armed)
{
    int n = epoll_wait(l->epoll_fd, l->epoll_events, n_armed, 0);
    if (n < 0 && errno != EINTR) {
        VLOG_ERR("epoll_wait: %s", ovs_strerror(errno));
    }
    for (int i = 0; i < n; i++) {
        const struct epoll_event *event = &l->epoll_events[i];
        l->by_fd[event->data.fd].revents = (short) event->events;
        l->ready[l->n_ready++] = event->data.fd;
    }
}

size_t
poll_ready_registered(const int **fds)
{
    struct poll_loop *l = poll_loop();
    *fds = l->ready;
    return l->n_ready;
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
    size_t n_armed = prepare_registered(l);
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

    long long timeout_usec = compute_timeout_usec(l);
    struct timespec ts = {.tv_sec = timeout_usec / 1000000,
                          .tv_nsec = timeout_usec % 1000000 * 1000};
    int n_ready =
        ppoll(l->last, l->n_last, timeout_usec >= 0 ? &ts : NULL, NULL);
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
            if (slot->registered && !slot->armed && pfd->revents) {
                /* Polled here because epoll refused it: ready as well. */
                l->ready[l->n_ready++] = pfd->fd;
            }
        }
    }
    if (n_armed && l->by_fd[l->epoll_fd].revents) {
        collect_registered(l, n_armed);
    }
    if (!timeout_usec) {
        COVERAGE_INC(poll_zero_timeout);
    }
    l->n_wakeups++;
    log_wakeup(l, n_ready, timeout_usec);

    l->timeout_when_usec = LLONG_MAX;
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

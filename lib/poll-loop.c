#include "lib/poll-loop.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "lib/coverage.h"
#include "lib/fatal-signal.h"
#include "lib/hash.h"
#include "lib/hmap.h"
#include "lib/timeval.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(poll_loop);
COVERAGE_DEFINE(poll_create_node);
COVERAGE_DEFINE(poll_zero_timeout);

/* One fd: either registered for this iteration ('wanted'), or known to be
 * in the epoll set ('kernel'). */
struct poll_node {
    struct hmap_node hmap_node;
    int fd;
    uint32_t events;        /* EPOLL* bits. */
    const char *where;
};

struct poll_loop {
    int epoll_fd;
    struct hmap wanted;
    struct hmap kernel;
    long long timeout_when;     /* LLONG_MAX: no timer. */
    const char *timeout_where;
    unsigned long long n_wakeups;

    /* Results of the last poll_block(). */
    struct epoll_event *ready;
    int n_ready;
    int max_ready;
};

static __thread struct poll_loop *loop;

static struct poll_loop *
poll_loop(void)
{
    if (!loop) {
        loop = xzalloc(sizeof *loop);
        loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (loop->epoll_fd < 0) {
            ovs_fatal(errno, "epoll_create1 failed");
        }
        hmap_init(&loop->wanted);
        hmap_init(&loop->kernel);
        loop->timeout_when = LLONG_MAX;
        loop->max_ready = 64;
        loop->ready = xmalloc(loop->max_ready * sizeof *loop->ready);
    }
    return loop;
}

static struct poll_node *
find_node(const struct hmap *map, int fd)
{
    struct poll_node *node;
    HMAP_FOR_EACH_WITH_HASH (node, hmap_node, hash_int(fd, 0), map) {
        if (node->fd == fd) {
            return node;
        }
    }
    return NULL;
}

static uint32_t
poll_to_epoll(short events)
{
    return ((events & POLLIN ? EPOLLIN : 0)
            | (events & POLLOUT ? EPOLLOUT : 0)
            | (events & POLLPRI ? EPOLLPRI : 0));
}

static short
epoll_to_poll(uint32_t events)
{
    return ((events & EPOLLIN ? POLLIN : 0)
            | (events & EPOLLOUT ? POLLOUT : 0)
            | (events & EPOLLPRI ? POLLPRI : 0)
            | (events & EPOLLERR ? POLLERR : 0)
            | (events & EPOLLHUP ? POLLHUP : 0));
}

void
poll_fd_wait_at(int fd, short events, const char *where)
{
    struct poll_loop *l = poll_loop();
    ovs_assert(fd >= 0);

    struct poll_node *node = find_node(&l->wanted, fd);
    if (node) {
        node->events |= poll_to_epoll(events);
    } else {
        COVERAGE_INC(poll_create_node);
        node = xmalloc(sizeof *node);
        node->fd = fd;
        node->events = poll_to_epoll(events);
        node->where = where;
        hmap_insert(&l->wanted, &node->hmap_node, hash_int(fd, 0));
    }
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
    long long when = (msec <= 0 ? now
                      : msec < LLONG_MAX - now ? now + msec
                      : LLONG_MAX);
    poll_timer_wait_until_at(when, where);
}

void
poll_immediate_wake_at(const char *where)
{
    poll_timer_wait_at(0, where);
}

/* Brings the epoll interest set in line with this iteration's wishes.
 *
 * An fd that was closed and whose number was reused since the last
 * iteration silently dropped out of the epoll set, so a cached "already
 * registered" cannot be trusted: every wanted fd is (re)declared with
 * EPOLL_CTL_MOD, falling back to ADD when the kernel no longer knows it. */
static void
sync_interest_set(struct poll_loop *l)
{
    struct poll_node *node, *next;

    HMAP_FOR_EACH_SAFE (node, next, hmap_node, &l->kernel) {
        if (!find_node(&l->wanted, node->fd)) {
            epoll_ctl(l->epoll_fd, EPOLL_CTL_DEL, node->fd, NULL);
            hmap_remove(&l->kernel, &node->hmap_node);
            free(node);
        }
    }

    HMAP_FOR_EACH (node, hmap_node, &l->wanted) {
        struct epoll_event ev = { .events = node->events,
                                  .data.fd = node->fd };
        struct poll_node *k = find_node(&l->kernel, node->fd);
        int op = k ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        int error = epoll_ctl(l->epoll_fd, op, node->fd, &ev) ? errno : 0;
        if (error == ENOENT && op == EPOLL_CTL_MOD) {
            error = epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, node->fd, &ev)
                    ? errno : 0;
        } else if (error == EEXIST && op == EPOLL_CTL_ADD) {
            error = epoll_ctl(l->epoll_fd, EPOLL_CTL_MOD, node->fd, &ev)
                    ? errno : 0;
        }
        if (error == EPERM) {
            /* Regular files are always ready: epoll refuses them. */
            poll_immediate_wake_at(node->where);
        } else if (error) {
            VLOG_WARN("epoll_ctl on fd %d (registered at %s) failed: %s",
                      node->fd, node->where, ovs_strerror(error));
            poll_immediate_wake_at(node->where);
        }
        if (!k) {
            k = xmalloc(sizeof *k);
            k->fd = node->fd;
            hmap_insert(&l->kernel, &k->hmap_node, hash_int(node->fd, 0));
        }
        k->events = node->events;
        k->where = node->where;
    }
}

static void
log_wakeup(const struct poll_loop *l, long long timeout_ms)
{
    if (!VLOG_IS_DBG_ENABLED()) {
        return;
    }
    if (l->n_ready == 0) {
        if (timeout_ms >= 0 && l->timeout_where) {
            VLOG_DBG("wakeup due to %lld-ms timeout at %s",
                     timeout_ms, l->timeout_where);
        }
        return;
    }
    for (int i = 0; i < l->n_ready; i++) {
        const struct epoll_event *ev = &l->ready[i];
        const struct poll_node *node = find_node(&l->wanted, ev->data.fd);
        VLOG_DBG("wakeup due to [%s%s%s%s] on fd %d at %s",
                 ev->events & EPOLLIN ? "POLLIN" : "",
                 ev->events & EPOLLOUT ? "POLLOUT" : "",
                 ev->events & EPOLLERR ? "POLLERR" : "",
                 ev->events & EPOLLHUP ? "POLLHUP" : "",
                 ev->data.fd, node ? node->where : "?");
    }
}

void
poll_block(void)
{
    struct poll_loop *l = poll_loop();

    fatal_signal_wait();
    sync_interest_set(l);

    long long timeout_ms = -1;
    if (l->timeout_when != LLONG_MAX) {
        long long now = time_msec();
        timeout_ms = l->timeout_when > now ? l->timeout_when - now : 0;
        if (timeout_ms > INT_MAX) {
            timeout_ms = INT_MAX;
        }
        if (!timeout_ms) {
            COVERAGE_INC(poll_zero_timeout);
        }
    }

    if ((size_t) l->max_ready < hmap_count(&l->wanted)) {
        l->max_ready = hmap_count(&l->wanted);
        l->ready = xrealloc(l->ready, l->max_ready * sizeof *l->ready);
    }
    int n = epoll_wait(l->epoll_fd, l->ready, l->max_ready, timeout_ms);
    if (n < 0) {
        if (errno != EINTR) {
            VLOG_ERR("epoll_wait: %s", ovs_strerror(errno));
        }
        n = 0;
    }
    l->n_ready = n;
    l->n_wakeups++;
    log_wakeup(l, timeout_ms);

    struct poll_node *node;
    HMAP_FOR_EACH_POP (node, hmap_node, &l->wanted) {
        free(node);
    }
    l->timeout_when = LLONG_MAX;
    l->timeout_where = NULL;

    fatal_signal_run();
}

short
poll_fd_revents(int fd)
{
    struct poll_loop *l = poll_loop();
    for (int i = 0; i < l->n_ready; i++) {
        if (l->ready[i].data.fd == fd) {
            return epoll_to_poll(l->ready[i].events);
        }
    }
    return 0;
}

unsigned long long
poll_loop_n_wakeups(void)
{
    return poll_loop()->n_wakeups;
}

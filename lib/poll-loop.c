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
    uint32_t events; /* EPOLL* bits. */
    const char *where;
    uint32_t gen; /* 'kernel' only: token generation, 0 if the
                   * fd is not actually in the epoll set. */
};

/* Each fd goes into the epoll set with a token (its number and a fresh
 * generation) that epoll hands back with its events.  The kernel keys its
 * entries by open file, not by fd number: if an fd is closed while its
 * file stays open elsewhere (a dup, a forked child), the entry stays and
 * keeps reporting under the old token.  Matching tokens against 'kernel'
 * tells those stale events apart from the events of a new fd that got the
 * same number. */
static uint64_t
make_token(int fd, uint32_t gen)
{
    return ((uint64_t) gen << 32) | (uint32_t) fd;
}

static int
token_fd(uint64_t token)
{
    return (int) (uint32_t) token;
}

static uint32_t
token_gen(uint64_t token)
{
    return token >> 32;
}

struct poll_loop {
    int epoll_fd;
    pid_t pid;  /* Process that created 'epoll_fd'. */
    bool stale; /* Stale entries seen: rebuild the set. */
    uint32_t last_gen;
    struct hmap wanted;
    struct hmap kernel;
    long long timeout_when; /* LLONG_MAX: no timer. */
    const char *timeout_where;
    unsigned long long n_wakeups;

    /* Results of the last poll_block(). */
    struct epoll_event *ready;
    int n_ready;
    int max_ready;
};

static __thread struct poll_loop *loop;

static void
open_epoll(struct poll_loop *l)
{
    l->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (l->epoll_fd < 0) {
        ovs_fatal(errno, "epoll_create1 failed");
    }
    l->pid = getpid();
}

/* Replaces the epoll set by an empty one, dropping every entry in it,
 * stale ones included; sync_interest_set() then adds the wanted fds.
 *
 * A forked child does not close the set it inherited: it may have closed
 * that fd already, and the number may now be one of its own files. */
static void
reopen_epoll(struct poll_loop *l)
{
    struct poll_node *node;

    if (l->pid == getpid()) {
        close(l->epoll_fd);
    }
    open_epoll(l);
    HMAP_FOR_EACH_POP (node, hmap_node, &l->kernel) {
        free(node);
    }
    l->stale = false;
}

/* Frees a thread's loop when the thread exits, so that short-lived
 * threads that block on something (a client transaction, a test peer)
 * leak neither memory nor the epoll fd. */
static pthread_key_t loop_key;
static pthread_once_t loop_key_once = PTHREAD_ONCE_INIT;

static void
free_poll_loop(void *l_)
{
    struct poll_loop *l = l_;
    struct poll_node *node;

    HMAP_FOR_EACH_POP (node, hmap_node, &l->wanted) {
        free(node);
    }
    HMAP_FOR_EACH_POP (node, hmap_node, &l->kernel) {
        free(node);
    }
    hmap_destroy(&l->wanted);
    hmap_destroy(&l->kernel);
    if (l->pid == getpid()) {
        close(l->epoll_fd);
    }
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
        open_epoll(loop);
        hmap_init(&loop->wanted);
        hmap_init(&loop->kernel);
        loop->timeout_when = LLONG_MAX;
        loop->max_ready = 64;
        loop->ready = xmalloc(loop->max_ready * sizeof *loop->ready);

        pthread_once(&loop_key_once, create_loop_key);
        pthread_setspecific(loop_key, loop);
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
    return ((events & POLLIN ? EPOLLIN : 0) | (events & POLLOUT ? EPOLLOUT : 0)
            | (events & POLLPRI ? EPOLLPRI : 0));
}

static short
epoll_to_poll(uint32_t events)
{
    return ((events & EPOLLIN ? POLLIN : 0) | (events & EPOLLOUT ? POLLOUT : 0)
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

static uint32_t
next_gen(struct poll_loop *l)
{
    if (!++l->last_gen) {
        l->last_gen = 1; /* 0 means "not in the epoll set". */
    }
    return l->last_gen;
}

/* Brings the epoll interest set in line with this iteration's wishes.
 *
 * An fd that was closed and whose number was reused since the last
 * iteration silently dropped out of the epoll set, so a cached "already
 * registered" cannot be trusted: every wanted fd is (re)declared with
 * EPOLL_CTL_MOD, falling back to ADD, under a new token, when the kernel
 * no longer knows it.
 *
 * A forked child shares its parent's epoll set, so it gets its own before
 * touching it; a set with stale entries is rebuilt the same way. */
static void
sync_interest_set(struct poll_loop *l)
{
    struct poll_node *node, *next;

    if (l->stale || l->pid != getpid()) {
        reopen_epoll(l);
    }

    HMAP_FOR_EACH_SAFE (node, next, hmap_node, &l->kernel) {
        if (!find_node(&l->wanted, node->fd)) {
            if (node->gen) {
                epoll_ctl(l->epoll_fd, EPOLL_CTL_DEL, node->fd, NULL);
            }
            hmap_remove(&l->kernel, &node->hmap_node);
            free(node);
        }
    }

    HMAP_FOR_EACH (node, hmap_node, &l->wanted) {
        struct poll_node *k = find_node(&l->kernel, node->fd);
        if (!k) {
            k = xzalloc(sizeof *k);
            k->fd = node->fd;
            hmap_insert(&l->kernel, &k->hmap_node, hash_int(node->fd, 0));
        }
        k->events = node->events;
        k->where = node->where;

        struct epoll_event ev = {.events = node->events};
        int error = 0;
        if (k->gen) {
            ev.data.u64 = make_token(k->fd, k->gen);
            error =
                epoll_ctl(l->epoll_fd, EPOLL_CTL_MOD, k->fd, &ev) ? errno : 0;
            if (error == ENOENT) {
                k->gen = 0;
            }
        }
        if (!k->gen) {
            uint32_t gen = next_gen(l);
            ev.data.u64 = make_token(k->fd, gen);
            error =
                epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, k->fd, &ev) ? errno : 0;
            if (error == EEXIST) {
                /* This file is in the set under a forgotten token (it was
                 * closed and came back under the same number): take it
                 * over. */
                error = epoll_ctl(l->epoll_fd, EPOLL_CTL_MOD, k->fd, &ev)
                            ? errno
                            : 0;
            }
            if (!error) {
                k->gen = gen;
            }
        }

        if (error == EPERM) {
            /* Regular files are always ready: epoll refuses them. */
            poll_immediate_wake_at(node->where);
        } else if (error) {
            VLOG_WARN("epoll_ctl on fd %d (registered at %s) failed: %s",
                      node->fd, node->where, ovs_strerror(error));
            poll_immediate_wake_at(node->where);
        }
    }
}

/* Drops the events in 'l->ready' that do not carry the current token of a
 * registered fd (see make_token()) and returns how many were dropped. */
static int
drop_stale_events(struct poll_loop *l)
{
    int n_valid = 0;

    for (int i = 0; i < l->n_ready; i++) {
        uint64_t token = l->ready[i].data.u64;
        const struct poll_node *k = find_node(&l->kernel, token_fd(token));
        if (k && k->gen && k->gen == token_gen(token)) {
            l->ready[n_valid++] = l->ready[i];
        }
    }

    int n_stale = l->n_ready - n_valid;
    l->n_ready = n_valid;
    if (n_stale) {
        l->stale = true;
    }
    return n_stale;
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
    for (int i = 0; i < l->n_ready; i++) {
        const struct epoll_event *ev = &l->ready[i];
        int fd = token_fd(ev->data.u64);
        const struct poll_node *node = find_node(&l->wanted, fd);
        VLOG_DBG("wakeup due to [%s%s%s%s] on fd %d at %s",
                 ev->events & EPOLLIN ? "POLLIN" : "",
                 ev->events & EPOLLOUT ? "POLLOUT" : "",
                 ev->events & EPOLLERR ? "POLLERR" : "",
                 ev->events & EPOLLHUP ? "POLLHUP" : "", fd,
                 node ? node->where : "?");
    }
}

/* Returns the epoll_wait() timeout for the earliest timer, -1 if none. */
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

    int timeout_ms;
    for (;;) {
        sync_interest_set(l);
        timeout_ms = compute_timeout_ms(l);

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

        /* Waking for stale events alone would be a spurious wake-up, or a
         * busy loop if the file behind them stays ready: rebuild the set
         * and wait again for what is left of the timeout. */
        if (!drop_stale_events(l) || l->n_ready
            || (timeout_ms >= 0 && time_msec() >= l->timeout_when)) {
            break;
        }
    }
    if (!timeout_ms) {
        COVERAGE_INC(poll_zero_timeout);
    }
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
        if (token_fd(l->ready[i].data.u64) == fd) {
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

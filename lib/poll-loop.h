/* The main loop's blocking point.
 *
 * Each iteration of a daemon's main loop calls every module's run()
 * function, then every module's wait() function, which registers here
 * what would make more work ready (an fd becoming readable or writable,
 * a timer, or "immediately"), then poll_block() once.  Registrations
 * last for a single iteration: poll_block() consumes them.
 *
 * Not thread-safe across threads: each thread has its own registrations
 * (thread-local), so forwarding threads can have loops of their own. */
#ifndef LIB_POLL_LOOP_H
#define LIB_POLL_LOOP_H 1

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

/* 'where' records the caller (file:line) for the wake-up log message that
 * tells why the loop woke; the macros fill it in. */
#define POLL_WHERE__ __FILE__ ":" POLL_STR2__(__LINE__)
#define POLL_STR2__(x) POLL_STR__(x)
#define POLL_STR__(x) #x

/* Wakes the next poll_block() when 'fd' has any of 'events' (POLLIN,
 * POLLOUT; errors and hang-ups always wake). */
#define poll_fd_wait(FD, EVENTS) poll_fd_wait_at(FD, EVENTS, POLL_WHERE__)
void poll_fd_wait_at(int fd, short events, const char *where);

/* Wakes the next poll_block() after 'msec' milliseconds from now (at once
 * if 'msec' <= 0). */
#define poll_timer_wait(MSEC) poll_timer_wait_at(MSEC, POLL_WHERE__)
void poll_timer_wait_at(long long msec, const char *where);

/* Wakes the next poll_block() when the monotonic clock (time_msec())
 * reaches 'when'. */
#define poll_timer_wait_until(WHEN)                                           \
    poll_timer_wait_until_at(WHEN, POLL_WHERE__)
void poll_timer_wait_until_at(long long when, const char *where);

/* The same in microseconds (time_usec()), for waits shorter than the
 * milliseconds the other timers count in. */
#define poll_timer_wait_until_usec(WHEN_USEC)                                 \
    poll_timer_wait_until_usec_at(WHEN_USEC, POLL_WHERE__)
void poll_timer_wait_until_usec_at(long long when_usec, const char *where);

/* Makes the next poll_block() return at once. */
#define poll_immediate_wake() poll_immediate_wake_at(POLL_WHERE__)
void poll_immediate_wake_at(const char *where);

/* Blocks until one of the registered events happens, then forgets all
 * registrations.  With none registered, blocks until a signal arrives. */
void poll_block(void);

/* Returns the 'revents' that the last poll_block() reported for 'fd', or
 * 0 if 'fd' was not ready (or not registered). */
short poll_fd_revents(int fd);

/* Returns true if 'fd' was registered for all of 'events' in the last
 * poll_block(), which reported nothing for it.  A loop that serves many
 * fds, most of them idle, can then skip trying to read (or write) them:
 * should the fd have become ready since, the next poll_block() returns at
 * once, as long as the fd is registered again. */
bool poll_fd_is_idle(int fd, short events);

/* Long-lived fds.
 *
 * poll_block() hands every fd registered in an iteration to the kernel
 * again, which costs the kernel a little per fd: with hundreds of mostly
 * idle connections, more than the work itself.  An owner that keeps an fd
 * open for many iterations can register it once: waits on it then go
 * into an epoll set that changes only when what is waited for changes,
 * and poll_block() costs the kernel nothing for it while it stays idle.
 * Waiting on a registered fd works as on any other (poll_fd_wait(),
 * poll_fd_revents(), poll_fd_is_idle() all apply).
 *
 * 'standing_events' are waited for in every iteration, whether or not the
 * owner calls poll_fd_wait(), so that an owner with many idle fds need
 * not visit them in every iteration; other events are waited for only in
 * the iterations that ask for them.
 *
 * The owner must call poll_fd_unregister() before closing the fd (the
 * kernel keys epoll entries by open file, not by fd number), from the
 * thread that registered it: registrations belong to the thread's loop. */
void poll_fd_register(int fd, short standing_events);
void poll_fd_unregister(int fd);

/* Stores in '*fds' the registered fds that the last poll_block() found
 * ready (their revents are non-zero) and returns how many there are, so
 * that an owner that leaves its idle fds alone can find those that need
 * it without looking at every one. */
size_t poll_ready_registered(const int **fds);

/* Number of poll_block() calls that returned, for coverage/debugging. */
unsigned long long poll_loop_n_wakeups(void);

#endif /* lib/poll-loop.h */

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

/* Makes the next poll_block() return at once. */
#define poll_immediate_wake() poll_immediate_wake_at(POLL_WHERE__)
void poll_immediate_wake_at(const char *where);

/* Blocks until one of the registered events happens, then forgets all
 * registrations.  With none registered, blocks until a signal arrives. */
void poll_block(void);

/* Returns the 'revents' that the last poll_block() reported for 'fd', or
 * 0 if 'fd' was not ready (or not registered). */
short poll_fd_revents(int fd);

/* Number of poll_block() calls that returned, for coverage/debugging. */
unsigned long long poll_loop_n_wakeups(void);

#endif /* lib/poll-loop.h */

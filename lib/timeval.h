/* Time: a monotonic clock for timeouts and intervals, the wall clock for
 * timestamps.  All values are integers in the unit named by the function. */
#ifndef LIB_TIMEVAL_H
#define LIB_TIMEVAL_H 1

#include <stdint.h>
#include <time.h>

/* Monotonic time since an arbitrary point (boot), unaffected by changes
 * of the wall clock.  Use for timeouts, backoff and rates. */
long long time_msec(void);
long long time_usec(void);
time_t time_now(void);

/* Wall-clock time since the epoch, for timestamps shown to people and
 * written to files. */
long long time_wall_msec(void);
long long time_wall_usec(void);
time_t time_wall(void);

/* Converts a timespec to milliseconds/microseconds. */
long long timespec_to_msec(const struct timespec *);
long long timespec_to_usec(const struct timespec *);

/* Sleeps for 'msecs' milliseconds, restarting after signals. */
void xsleep_msec(unsigned int msecs);

/* Returns the monotonic time (as time_msec() gives it) at which the
 * process started, the base for reporting uptimes. */
long long time_boot_msec(void);

#endif /* lib/timeval.h */

#include "lib/timeval.h"

#include <errno.h>

#include "lib/util.h"

static long long boot_msec;

/* Takes the start time when the program is loaded, before main(), so that
 * time_boot_msec() does not depend on when the clock was first read. */
static void timeval_init_boot_time(void) __attribute__((constructor));
static void
timeval_init_boot_time(void)
{
    time_msec();
}

static void
read_clock(clockid_t id, struct timespec *ts)
{
    if (clock_gettime(id, ts)) {
        ovs_fatal(errno, "clock_gettime failed");
    }
}

long long
timespec_to_msec(const struct timespec *ts)
{
    return (long long) ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

long long
timespec_to_usec(const struct timespec *ts)
{
    return (long long) ts->tv_sec * 1000000 + ts->tv_nsec / 1000;
}

long long
time_msec(void)
{
    struct timespec ts;
    read_clock(CLOCK_MONOTONIC, &ts);
    long long now = timespec_to_msec(&ts);
    if (!boot_msec) {
        boot_msec = now;
    }
    return now;
}

long long
time_usec(void)
{
    struct timespec ts;
    read_clock(CLOCK_MONOTONIC, &ts);
    return timespec_to_usec(&ts);
}

time_t
time_now(void)
{
    return time_msec() / 1000;
}

long long
time_wall_msec(void)
{
    struct timespec ts;
    read_clock(CLOCK_REALTIME, &ts);
    return timespec_to_msec(&ts);
}

long long
time_wall_usec(void)
{
    struct timespec ts;
    read_clock(CLOCK_REALTIME, &ts);
    return timespec_to_usec(&ts);
}

time_t
time_wall(void)
{
    return time_wall_msec() / 1000;
}

long long
time_boot_msec(void)
{
    if (!boot_msec) {
        time_msec();
    }
    return boot_msec;
}

void
xsleep_msec(unsigned int msecs)
{
    struct timespec ts = {
        .tv_sec = msecs / 1000,
        .tv_nsec = (long) (msecs % 1000) * 1000000,
    };
    while (nanosleep(&ts, &ts) && errno == EINTR) {
        continue;
    }
}

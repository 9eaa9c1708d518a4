#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

#include "lib/timeval.h"

static void
test_monotonic_clock_never_goes_backwards(void **state)
{
    long long prev_ms = time_msec();
    long long prev_us = time_usec();
    for (int i = 0; i < 100000; i++) {
        long long ms = time_msec();
        long long us = time_usec();
        assert_true(ms >= prev_ms);
        assert_true(us >= prev_us);
        prev_ms = ms;
        prev_us = us;
    }
}

/* The millisecond, microsecond and second readings are one clock. */
static void
test_units_agree(void **state)
{
    long long ms = time_msec();
    long long us = time_usec();
    time_t s = time_now();
    assert_true(us / 1000 >= ms && us / 1000 - ms < 1000);
    assert_true(s >= ms / 1000 && s - ms / 1000 <= 1);

    long long wall_ms = time_wall_msec();
    long long wall_us = time_wall_usec();
    time_t wall_s = time_wall();
    assert_true(wall_us / 1000 >= wall_ms && wall_us / 1000 - wall_ms < 1000);
    assert_true(wall_s >= wall_ms / 1000 && wall_s - wall_ms / 1000 <= 1);
}

/* Wall-clock time is the epoch-based time other programs see; the
 * monotonic clock is a different one (since boot). */
static void
test_wall_clock_is_epoch_time(void **state)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    long long expected = (long long) tv.tv_sec * 1000 + tv.tv_usec / 1000;
    long long wall = time_wall_msec();
    assert_true(wall >= expected && wall - expected < 1000);

    /* After 2020: certainly the epoch clock, not the boot clock. */
    assert_true(time_wall() > 1577836800);
    assert_true(time_msec() != wall);
}

static void
test_sleep_advances_monotonic_clock(void **state)
{
    long long start = time_msec();
    xsleep_msec(30);
    long long elapsed = time_msec() - start;
    assert_true(elapsed >= 30);
    assert_true(elapsed < 5000);
    xsleep_msec(0);
}

static void
test_timespec_conversions(void **state)
{
    struct timespec ts = {.tv_sec = 12, .tv_nsec = 345678901};
    assert_true(timespec_to_msec(&ts) == 12345);
    assert_true(timespec_to_usec(&ts) == 12345678);
    ts = (struct timespec){.tv_sec = 0, .tv_nsec = 999999};
    assert_true(timespec_to_msec(&ts) == 0);
    /* Large values do not overflow 32 bits. */
    ts = (struct timespec){.tv_sec = 5000000, .tv_nsec = 0};
    assert_true(timespec_to_usec(&ts) == 5000000000000LL);
}

/* main() sleeps before anything reads the clock, so a start time taken
 * lazily on the first reading would be late. */
enum { STARTUP_SLEEP_MS = 20 };
static long long main_entered_msec;

static void
test_boot_time_is_process_start(void **state)
{
    long long boot = time_boot_msec();
    assert_true(boot > 0);
    assert_true(boot <= main_entered_msec - STARTUP_SLEEP_MS);
    assert_true(time_boot_msec() == boot);
}

int
main(void)
{
    struct timespec ts = {0, STARTUP_SLEEP_MS * 1000000L};
    nanosleep(&ts, NULL);
    main_entered_msec = time_msec();

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monotonic_clock_never_goes_backwards),
        cmocka_unit_test(test_units_agree),
        cmocka_unit_test(test_wall_clock_is_epoch_time),
        cmocka_unit_test(test_sleep_advances_monotonic_clock),
        cmocka_unit_test(test_timespec_conversions),
        cmocka_unit_test(test_boot_time_is_process_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

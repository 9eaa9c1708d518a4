#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/poll-loop.h"
#include "lib/timeval.h"
#include "lib/util.h"

/* "Promptly" leaves room for a loaded 2-core machine; every wait that
 * should be prompt has a much longer timer as a backstop, so a bug shows
 * as a wait of at least BACKSTOP_MS. */
enum { PROMPT_MS = 1500, BACKSTOP_MS = 10000 };

static void
make_pipe(int fds[2])
{
    assert_int_equal(pipe(fds), 0);
    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, O_NONBLOCK);
    }
}

static void
close_pipe(int fds[2])
{
    close(fds[0]);
    close(fds[1]);
}

static void
drain(int fd)
{
    char buf[64];
    while (read(fd, buf, sizeof buf) > 0) {
        continue;
    }
}

/* Blocks once and returns how long it took, in milliseconds. */
static long long
timed_block(void)
{
    long long start = time_msec();
    poll_block();
    return time_msec() - start;
}

static void
test_immediate_wake_returns_at_once(void **state)
{
    poll_timer_wait(BACKSTOP_MS);
    poll_immediate_wake();
    assert_true(timed_block() < PROMPT_MS);

    /* A timer of 0 or less is immediate too. */
    poll_timer_wait(BACKSTOP_MS);
    poll_timer_wait(-5);
    assert_true(timed_block() < PROMPT_MS);
}

static void
test_timer_wakes_after_its_time(void **state)
{
    long long start = time_msec();
    poll_timer_wait(BACKSTOP_MS);
    poll_timer_wait(60); /* The earliest timer wins. */
    poll_block();
    long long elapsed = time_msec() - start;
    assert_true(elapsed >= 60);
    assert_true(elapsed < 60 + PROMPT_MS);

    long long when = time_msec() + 40;
    poll_timer_wait_until(when);
    poll_block();
    assert_true(time_msec() >= when);
}

static void
test_readable_pipe_wakes_and_reports_revents(void **state)
{
    int fds[2];
    make_pipe(fds);
    assert_int_equal(write(fds[1], "x", 1), 1);

    poll_fd_wait(fds[0], POLLIN);
    poll_timer_wait(BACKSTOP_MS);
    assert_true(timed_block() < PROMPT_MS);
    assert_true(poll_fd_revents(fds[0]) & POLLIN);
    assert_int_equal(poll_fd_revents(fds[1]), 0); /* Not registered. */

    /* A writable end reports POLLOUT. */
    poll_fd_wait(fds[1], POLLOUT);
    poll_timer_wait(BACKSTOP_MS);
    assert_true(timed_block() < PROMPT_MS);
    assert_true(poll_fd_revents(fds[1]) & POLLOUT);
    assert_int_equal(poll_fd_revents(fds[0]), 0); /* Not this time. */
    close_pipe(fds);
}

static void
test_unready_fd_does_not_wake(void **state)
{
    int fds[2];
    make_pipe(fds);
    poll_fd_wait(fds[0], POLLIN);
    poll_timer_wait(50);
    long long elapsed = timed_block();
    assert_true(elapsed >= 50);
    assert_int_equal(poll_fd_revents(fds[0]), 0);
    close_pipe(fds);
}

static void
test_hangup_wakes_even_without_requested_events(void **state)
{
    int fds[2];
    make_pipe(fds);
    close(fds[1]);
    poll_fd_wait(fds[0], POLLIN);
    poll_timer_wait(BACKSTOP_MS);
    assert_true(timed_block() < PROMPT_MS);
    assert_true(poll_fd_revents(fds[0]) & POLLHUP);
    close(fds[0]);
}

/* Each poll_block() forgets the registrations of its iteration: a still
 * readable fd that nobody registered again does not wake the next one. */
static void
test_registrations_last_one_iteration(void **state)
{
    int fds[2];
    make_pipe(fds);
    assert_int_equal(write(fds[1], "x", 1), 1);

    poll_fd_wait(fds[0], POLLIN);
    poll_timer_wait(BACKSTOP_MS);
    assert_true(timed_block() < PROMPT_MS);

    poll_timer_wait(80);
    long long elapsed = timed_block();
    assert_true(elapsed >= 80);
    assert_int_equal(poll_fd_revents(fds[0]), 0);

    /* And the immediate wake was consumed too. */
    poll_immediate_wake();
    poll_block();
    poll_timer_wait(50);
    assert_true(timed_block() >= 50);
    close_pipe(fds);
}

/* The fd number of a closed fd is reused by the next open: the loop must
 * watch the new file, not trust what it told the kernel about the old
 * one. */
static void
test_closed_and_reused_fd_is_watched(void **state)
{
    int a[2], b[2];
    make_pipe(a);
    poll_fd_wait(a[0], POLLIN);
    poll_timer_wait(10);
    poll_block();

    int old_fd = a[0];
    close_pipe(a);
    make_pipe(b);
    if (b[0] != old_fd) {
        /* Reuse the number explicitly. */
        assert_int_equal(dup2(b[0], old_fd), old_fd);
        close(b[0]);
        b[0] = old_fd;
    }
    assert_int_equal(write(b[1], "y", 1), 1);
    poll_fd_wait(b[0], POLLIN);
    poll_timer_wait(BACKSTOP_MS);
    assert_true(timed_block() < PROMPT_MS);
    assert_true(poll_fd_revents(b[0]) & POLLIN);
    close_pipe(b);
}

/* If a closed fd's file lives on in another fd (a dup, or a child that
 * inherited it), the kernel keeps reporting that file's events under the
 * old number.  Those events belong to nobody and must not wake the loop
 * (a readable file would otherwise make it spin) nor be reported for a
 * new file that got the number. */
static void
test_stale_events_of_closed_fd_are_ignored(void **state)
{
    int a[2], b[2];
    make_pipe(a);
    int keep = dup(a[0]);
    assert_true(keep >= 0);

    poll_fd_wait(a[0], POLLIN);
    poll_timer_wait(10);
    poll_block();

    int old_fd = a[0];
    close(a[0]);
    assert_int_equal(write(a[1], "z", 1), 1); /* 'keep' is readable. */

    /* Nothing registered but a timer: must sleep for it. */
    poll_timer_wait(80);
    assert_true(timed_block() >= 80);
    assert_int_equal(poll_fd_revents(old_fd), 0);

    /* The number reused for an empty pipe: still no event. */
    make_pipe(b);
    if (b[0] != old_fd) {
        assert_int_equal(dup2(b[0], old_fd), old_fd);
        close(b[0]);
        b[0] = old_fd;
    }
    poll_fd_wait(b[0], POLLIN);
    poll_timer_wait(80);
    assert_true(timed_block() >= 80);
    assert_int_equal(poll_fd_revents(b[0]), 0);

    /* And the new file's own events are still seen. */
    assert_int_equal(write(b[1], "w", 1), 1);
    poll_fd_wait(b[0], POLLIN);
    poll_timer_wait(BACKSTOP_MS);
    assert_true(timed_block() < PROMPT_MS);
    assert_true(poll_fd_revents(b[0]) & POLLIN);

    close_pipe(b);
    close(keep);
    close(a[1]);
}

/* A forked child has a loop of its own: what it registers does not wake
 * the parent. */
static void
test_forked_child_does_not_disturb_parent(void **state)
{
    int parent_fds[2], child_fds[2], done[2];
    make_pipe(parent_fds);
    make_pipe(child_fds);
    make_pipe(done);

    /* Make sure the parent's loop exists before forking. */
    poll_fd_wait(parent_fds[0], POLLIN);
    poll_timer_wait(1);
    poll_block();

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        int ok = 1;
        assert_int_equal(write(child_fds[1], "c", 1), 1);
        poll_fd_wait(child_fds[0], POLLIN);
        poll_timer_wait(BACKSTOP_MS);
        poll_block();
        ok = (poll_fd_revents(child_fds[0]) & POLLIN) != 0;
        /* Keep the registration alive in the kernel while the parent
         * waits, then tell it we are done. */
        ssize_t n = write(done[1], ok ? "1" : "0", 1);
        _exit(n == 1 && ok ? 0 : 1);
    }

    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    drain(done[0]);

    /* 'child_fds[0]' is still readable and the child registered it; the
     * parent registered only a timer. */
    poll_timer_wait(80);
    assert_true(timed_block() >= 80);
    assert_int_equal(poll_fd_revents(child_fds[0]), 0);

    /* The parent's own fds work as before. */
    assert_int_equal(write(parent_fds[1], "p", 1), 1);
    poll_fd_wait(parent_fds[0], POLLIN);
    poll_timer_wait(BACKSTOP_MS);
    assert_true(timed_block() < PROMPT_MS);
    assert_true(poll_fd_revents(parent_fds[0]) & POLLIN);

    close_pipe(parent_fds);
    close_pipe(child_fds);
    close_pipe(done);
}

static void
test_same_fd_registered_twice_merges_events(void **state)
{
    int fds[2];
    make_pipe(fds);
    poll_fd_wait(fds[1], POLLIN);  /* A pipe's write end: never. */
    poll_fd_wait(fds[1], POLLOUT); /* But it is writable. */
    poll_timer_wait(BACKSTOP_MS);
    assert_true(timed_block() < PROMPT_MS);
    assert_true(poll_fd_revents(fds[1]) & POLLOUT);
    close_pipe(fds);
}

static void
test_many_fds(void **state)
{
    enum { N = 100 };
    int fds[N][2];
    for (int i = 0; i < N; i++) {
        make_pipe(fds[i]);
    }
    for (int i = 0; i < N; i += 3) {
        assert_int_equal(write(fds[i][1], "m", 1), 1);
    }
    for (int i = 0; i < N; i++) {
        poll_fd_wait(fds[i][0], POLLIN);
    }
    poll_timer_wait(BACKSTOP_MS);
    assert_true(timed_block() < PROMPT_MS);
    for (int i = 0; i < N; i++) {
        assert_int_equal((poll_fd_revents(fds[i][0]) & POLLIN) != 0,
                         i % 3 == 0);
    }
    for (int i = 0; i < N; i++) {
        close_pipe(fds[i]);
    }
}

static void
test_wakeups_are_counted(void **state)
{
    unsigned long long before = poll_loop_n_wakeups();
    poll_immediate_wake();
    poll_block();
    poll_immediate_wake();
    poll_block();
    assert_true(poll_loop_n_wakeups() == before + 2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_immediate_wake_returns_at_once),
        cmocka_unit_test(test_timer_wakes_after_its_time),
        cmocka_unit_test(test_readable_pipe_wakes_and_reports_revents),
        cmocka_unit_test(test_unready_fd_does_not_wake),
        cmocka_unit_test(test_hangup_wakes_even_without_requested_events),
        cmocka_unit_test(test_registrations_last_one_iteration),
        cmocka_unit_test(test_closed_and_reused_fd_is_watched),
        cmocka_unit_test(test_stale_events_of_closed_fd_are_ignored),
        cmocka_unit_test(test_forked_child_does_not_disturb_parent),
        cmocka_unit_test(test_same_fd_registered_twice_merges_events),
        cmocka_unit_test(test_many_fds),
        cmocka_unit_test(test_wakeups_are_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

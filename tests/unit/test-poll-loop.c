#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

/* Ends a test's use of registered fd 'fd'. */
static void
unregister_and_close(int fd)
{
    poll_fd_unregister(fd);
    close(fd);
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

/* Blocks with the BACKSTOP_MS timer and asserts that something else woke
 * the loop promptly. */
static void
block_wakes_promptly(void)
{
    poll_timer_wait(BACKSTOP_MS);
    assert_true(timed_block() < PROMPT_MS);
}

/* Blocks with a 50-ms timer and asserts that nothing woke the loop
 * sooner. */
static void
block_sleeps_50_ms(void)
{
    poll_timer_wait(50);
    assert_true(timed_block() >= 50);
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
    block_wakes_promptly();
    assert_true(poll_fd_revents(fds[0]) & POLLIN);
    assert_int_equal(poll_fd_revents(fds[1]), 0); /* Not registered. */

    /* A writable end reports POLLOUT. */
    poll_fd_wait(fds[1], POLLOUT);
    block_wakes_promptly();
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
    block_wakes_promptly();
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
    block_wakes_promptly();

    poll_timer_wait(80);
    long long elapsed = timed_block();
    assert_true(elapsed >= 80);
    assert_int_equal(poll_fd_revents(fds[0]), 0);

    /* And the immediate wake was consumed too. */
    poll_immediate_wake();
    poll_block();
    block_sleeps_50_ms();
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
    block_wakes_promptly();
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
    block_wakes_promptly();
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
    block_wakes_promptly();
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
    block_wakes_promptly();
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
    block_wakes_promptly();
    for (int i = 0; i < N; i++) {
        assert_int_equal((poll_fd_revents(fds[i][0]) & POLLIN) != 0,
                         i % 3 == 0);
    }
    for (int i = 0; i < N; i++) {
        close_pipe(fds[i]);
    }
}

/* poll_fd_is_idle() tells which registered fds the last poll_block()
 * found with nothing to do, and knows nothing of the others. */
static void
test_idle_fds_are_told_apart(void **state)
{
    int fds[2], other[2];
    make_pipe(fds);
    make_pipe(other);

    poll_fd_wait(fds[0], POLLIN);
    poll_timer_wait(10);
    poll_block();
    assert_true(poll_fd_is_idle(fds[0], POLLIN));
    assert_false(poll_fd_is_idle(fds[0], POLLOUT));  /* Not asked for. */
    assert_false(poll_fd_is_idle(other[0], POLLIN)); /* Not registered. */
    assert_false(poll_fd_is_idle(1000, POLLIN));     /* Never seen. */

    /* Input that arrives later is seen by the next poll_block(), which
     * returns at once. */
    assert_int_equal(write(fds[1], "i", 1), 1);
    assert_true(poll_fd_is_idle(fds[0], POLLIN));
    poll_fd_wait(fds[0], POLLIN);
    block_wakes_promptly();
    assert_false(poll_fd_is_idle(fds[0], POLLIN));

    /* An fd registered in an earlier iteration only is unknown. */
    drain(fds[0]);
    poll_fd_wait(other[0], POLLIN);
    poll_timer_wait(10);
    poll_block();
    assert_false(poll_fd_is_idle(fds[0], POLLIN));
    assert_true(poll_fd_is_idle(other[0], POLLIN));

    close_pipe(fds);
    close_pipe(other);
}

/* Long-lived (registered) fds. */

static void
make_socketpair(int fds[2])
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds),
                     0);
}

/* Returns the fds that poll_ready_registered() reports, sorted, as a
 * string such as "5,9" (malloc'd), so that a failure shows them all. */
static char *
ready_list(void)
{
    const int *fds;
    size_t n = poll_ready_registered(&fds);
    int *sorted = xmalloc((n + 1) * sizeof *sorted);
    memcpy(sorted, fds, n * sizeof *sorted);
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
            int tmp = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = tmp;
        }
    }
    char *s = xstrdup("");
    for (size_t i = 0; i < n; i++) {
        char *t = xasprintf("%s%s%d", s, i ? "," : "", sorted[i]);
        free(s);
        s = t;
    }
    free(sorted);
    return s;
}

static void
assert_ready_list(const char *expected)
{
    char *s = ready_list();
    if (strcmp(s, expected)) {
        fail_msg("poll_ready_registered(): got \"%s\", expected \"%s\"", s,
                 expected);
    }
    free(s);
}

/* Asserts that 'fd' is the one registered fd found ready. */
static void
assert_ready_fd(int fd)
{
    char *expected = xasprintf("%d", fd);
    assert_ready_list(expected);
    free(expected);
}

/* Asserts that the next iteration sleeps its 50 ms with registered fd
 * 'fd' found ready neither by poll nor in the ready list. */
static void
block_sleeps_with_fd_idle(int fd)
{
    block_sleeps_50_ms();
    assert_int_equal(poll_fd_revents(fd), 0);
    assert_ready_list("");
}

/* Asserts that the next iteration wakes at once for registered fd 'fd',
 * with 'revents', as the one ready registered fd. */
static void
block_wakes_for_fd(int fd, short revents)
{
    block_wakes_promptly();
    assert_int_equal(poll_fd_revents(fd), revents);
    assert_ready_fd(fd);
}

/* Makes 'fd' take the number 'number' (closing what had it), so that a
 * test can reuse a number it chose. */
static int
renumber(int fd, int number)
{
    if (fd != number) {
        assert_int_equal(dup2(fd, number), number);
        close(fd);
    }
    return number;
}

/* Standing events are waited for without poll_fd_wait(), in every
 * iteration. */
static void
test_registered_standing_pollin_wakes_without_wait(void **state)
{
    int fds[2];
    make_pipe(fds);
    poll_fd_register(fds[0], POLLIN);

    /* Nothing to read: sleeps for the timer. */
    block_sleeps_with_fd_idle(fds[0]);

    /* Readable: wakes at once, in this and every following iteration
     * while the data stays unread. */
    assert_int_equal(write(fds[1], "r", 1), 1);
    for (int i = 0; i < 3; i++) {
        block_wakes_for_fd(fds[0], POLLIN);
    }

    /* Read: back to sleeping. */
    drain(fds[0]);
    block_sleeps_with_fd_idle(fds[0]);

    poll_fd_unregister(fds[0]);
    close_pipe(fds);
}

/* Without standing events, a registered fd is waited on only in the
 * iterations that ask, as any other fd. */
static void
test_registered_without_standing_events_wakes_only_when_waited(void **state)
{
    int fds[2];
    make_pipe(fds);
    poll_fd_register(fds[0], 0);
    assert_int_equal(write(fds[1], "r", 1), 1);

    block_sleeps_with_fd_idle(fds[0]);

    poll_fd_wait(fds[0], POLLIN);
    block_wakes_for_fd(fds[0], POLLIN);

    /* Still readable, but not waited on any more: taken out of the
     * epoll set, it does not wake the loop. */
    block_sleeps_with_fd_idle(fds[0]);

    poll_fd_unregister(fds[0]);
    close_pipe(fds);
}

/* Events waited for in one iteration only are forgotten in the next: the
 * epoll entry is changed back to the standing events, or removed. */
static void
test_registered_pollout_is_waited_for_one_iteration(void **state)
{
    /* A socket with standing POLLIN and nothing to read: POLLOUT once. */
    int sp[2];
    make_socketpair(sp);
    poll_fd_register(sp[0], POLLIN);
    poll_fd_wait(sp[0], POLLOUT);
    block_wakes_promptly();
    assert_int_equal(poll_fd_revents(sp[0]), POLLOUT);

    /* Still writable, but only POLLIN is waited for now. */
    for (int i = 0; i < 2; i++) {
        block_sleeps_with_fd_idle(sp[0]);
    }

    /* And POLLIN still works after the change. */
    assert_int_equal(write(sp[1], "s", 1), 1);
    block_wakes_promptly();
    assert_int_equal(poll_fd_revents(sp[0]), POLLIN);
    drain(sp[0]);

    /* POLLOUT again, together with the standing POLLIN. */
    poll_fd_wait(sp[0], POLLOUT);
    block_wakes_promptly();
    assert_int_equal(poll_fd_revents(sp[0]), POLLOUT);

    /* A pipe's write end without standing events: POLLOUT once, then
     * nothing (the entry is removed), then POLLOUT again (added back). */
    int fds[2];
    make_pipe(fds);
    poll_fd_register(fds[1], 0);
    for (int round = 0; round < 2; round++) {
        poll_fd_wait(fds[1], POLLOUT);
        block_wakes_for_fd(fds[1], POLLOUT);

        block_sleeps_with_fd_idle(fds[1]);
    }

    poll_fd_unregister(fds[1]);
    poll_fd_unregister(sp[0]);
    close_pipe(fds);
    close_pipe(sp);
}

/* poll_ready_registered() lists the registered fds found ready, and
 * neither registered fds that were not nor fds waited on for one
 * iteration. */
static void
test_ready_registered_lists_exactly_the_ready_ones(void **state)
{
    enum { N = 8 };
    int reg[N][2], transient[2], unregistered[2];
    for (int i = 0; i < N; i++) {
        make_pipe(reg[i]);
        poll_fd_register(reg[i][0], POLLIN);
    }
    make_pipe(transient);
    make_pipe(unregistered);
    poll_fd_register(unregistered[0], POLLIN);
    poll_fd_unregister(unregistered[0]);

    /* Every third registered one, the transient one and the one no
     * longer registered are readable. */
    char *expected = xstrdup("");
    for (int i = 0; i < N; i += 3) {
        assert_int_equal(write(reg[i][1], "x", 1), 1);
        char *t = xasprintf("%s%s%d", expected, i ? "," : "", reg[i][0]);
        free(expected);
        expected = t;
    }
    assert_int_equal(write(transient[1], "t", 1), 1);
    assert_int_equal(write(unregistered[1], "u", 1), 1);
    poll_fd_wait(transient[0], POLLIN);
    block_wakes_promptly();
    assert_ready_list(expected);
    assert_int_equal(poll_fd_revents(transient[0]), POLLIN);
    assert_int_equal(poll_fd_revents(unregistered[0]), 0);
    for (int i = 0; i < N; i++) {
        assert_int_equal(poll_fd_revents(reg[i][0]), i % 3 ? 0 : POLLIN);
    }

    /* A registered fd that was unregistered since is not reported either,
     * nor is one registered again later before it is ready. */
    poll_fd_unregister(reg[0][0]);
    drain(reg[3][0]);
    block_wakes_promptly();
    char *e2 = xasprintf("%d", reg[6][0]);
    assert_ready_list(e2);
    free(e2);
    poll_fd_register(reg[0][0], POLLIN);
    drain(reg[0][0]);
    drain(reg[6][0]);
    block_sleeps_50_ms();
    assert_ready_list("");

    for (int i = 0; i < N; i++) {
        poll_fd_unregister(reg[i][0]);
        close_pipe(reg[i]);
    }
    close_pipe(transient);
    close_pipe(unregistered);
    free(expected);
}

/* The kernel keys epoll entries by open file: an fd unregistered and
 * closed, whose number a new file then gets, must be watched as the new
 * file, with nothing left of the old one. */
static void
test_unregistered_closed_number_reused_by_new_registration(void **state)
{
    int a[2], b[2];
    make_pipe(a);
    int keep = dup(a[0]); /* The old file lives on. */
    assert_true(keep >= 0);
    poll_fd_register(a[0], POLLIN);
    poll_timer_wait(10);
    poll_block(); /* Now in the epoll set. */

    int number = a[0];
    poll_fd_unregister(number);
    close(a[0]);
    assert_int_equal(write(a[1], "o", 1), 1); /* 'keep' is readable. */

    make_pipe(b);
    b[0] = renumber(b[0], number);
    poll_fd_register(b[0], POLLIN);
    poll_timer_wait(80);
    assert_true(timed_block() >= 80);
    assert_int_equal(poll_fd_revents(number), 0);
    assert_ready_list("");

    assert_int_equal(write(b[1], "n", 1), 1);
    block_wakes_for_fd(number, POLLIN);

    /* The same once more with the number not yet in the epoll set when it
     * is unregistered (registered, never polled). */
    poll_fd_unregister(number);
    close_pipe(b);
    int c[2];
    make_pipe(c);
    c[0] = renumber(c[0], number);
    poll_fd_register(c[0], 0);
    poll_fd_unregister(c[0]);
    poll_fd_register(c[0], POLLIN);
    assert_int_equal(write(c[1], "c", 1), 1);
    block_wakes_promptly();
    assert_int_equal(poll_fd_revents(number), POLLIN);

    poll_fd_unregister(c[0]);
    close_pipe(c);
    close(keep);
    close(a[1]);
}

/* An fd waited on for more than its standing events, then unregistered
 * in the same iteration and its number registered again with other
 * standing events, is watched for the new ones only; a number
 * unregistered and then used as a transient fd is polled as one. */
static void
test_reregistered_after_extra_wait(void **state OVS_UNUSED)
{
    int sp[2];
    make_socketpair(sp);
    poll_fd_register(sp[0], POLLIN);
    poll_fd_wait(sp[0], POLLOUT);
    poll_fd_unregister(sp[0]);
    poll_fd_register(sp[0], 0);
    block_sleeps_with_fd_idle(sp[0]); /* Writable, but not waited for. */

    poll_fd_wait(sp[0], POLLOUT);
    block_wakes_for_fd(sp[0], POLLOUT);
    poll_fd_unregister(sp[0]);

    /* Transient: POLLIN waited for in this iteration only. */
    assert_int_equal(write(sp[1], "t", 1), 1);
    poll_fd_wait(sp[0], POLLIN);
    block_wakes_promptly();
    assert_int_equal(poll_fd_revents(sp[0]), POLLIN);
    assert_ready_list("");
    block_sleeps_50_ms();
    assert_int_equal(poll_fd_revents(sp[0]), 0);
    close_pipe(sp);
}

/* Of many registered fds, only those with something to report are, in
 * each iteration; those waited on for more once go back to their
 * standing events. */
static void
test_many_registered_fds_one_ready_at_a_time(void **state OVS_UNUSED)
{
    enum { N = 64 };
    int sp[N][2];
    for (int i = 0; i < N; i++) {
        make_socketpair(sp[i]);
        poll_fd_register(sp[i][0], POLLIN);
    }
    for (int round = 0; round < 3; round++) {
        for (int i = round; i < N; i += 7) {
            /* Ready to read; and POLLOUT waited for on the next one. */
            assert_int_equal(write(sp[i][1], "m", 1), 1);
            int next = (i + 1) % N;
            poll_fd_wait(sp[next][0], POLLOUT);
            block_wakes_promptly();
            char *expected = (sp[i][0] < sp[next][0]
                                  ? xasprintf("%d,%d", sp[i][0], sp[next][0])
                                  : xasprintf("%d,%d", sp[next][0], sp[i][0]));
            assert_ready_list(expected);
            free(expected);
            assert_int_equal(poll_fd_revents(sp[i][0]), POLLIN);
            assert_int_equal(poll_fd_revents(sp[next][0]), POLLOUT);
            drain(sp[i][0]);
            block_sleeps_with_fd_idle(sp[next][0]);
        }
    }
    for (int i = 0; i < N; i++) {
        poll_fd_unregister(sp[i][0]);
        close_pipe(sp[i]);
    }
}

/* Registered and transient fds in the same iteration are reported alike,
 * each with its own events. */
static void
test_registered_and_transient_fds_mix(void **state)
{
    int reg_ready[2], reg_idle[2], tr_ready[2], tr_idle[2], sp[2];
    make_pipe(reg_ready);
    make_pipe(reg_idle);
    make_pipe(tr_ready);
    make_pipe(tr_idle);
    make_socketpair(sp);
    poll_fd_register(reg_ready[0], POLLIN);
    poll_fd_register(reg_idle[0], POLLIN);
    poll_fd_register(sp[0], 0);
    assert_int_equal(write(reg_ready[1], "a", 1), 1);
    assert_int_equal(write(tr_ready[1], "b", 1), 1);

    for (int i = 0; i < 2; i++) {
        poll_fd_wait(tr_ready[0], POLLIN);
        poll_fd_wait(tr_idle[0], POLLIN);
        poll_fd_wait(sp[0], POLLOUT);
        poll_fd_wait(sp[0], POLLIN);
        block_wakes_promptly();
        assert_int_equal(poll_fd_revents(reg_ready[0]), POLLIN);
        assert_int_equal(poll_fd_revents(reg_idle[0]), 0);
        assert_int_equal(poll_fd_revents(tr_ready[0]), POLLIN);
        assert_int_equal(poll_fd_revents(tr_idle[0]), 0);
        assert_int_equal(poll_fd_revents(sp[0]), POLLOUT);
        assert_true(poll_fd_is_idle(reg_idle[0], POLLIN));
        assert_true(poll_fd_is_idle(tr_idle[0], POLLIN));
        assert_false(poll_fd_is_idle(reg_ready[0], POLLIN));
        /* Any event makes an fd busy, even one not asked about. */
        assert_false(poll_fd_is_idle(sp[0], POLLIN));
        char *expected = xasprintf("%d,%d", MIN(reg_ready[0], sp[0]),
                                   MAX(reg_ready[0], sp[0]));
        assert_ready_list(expected);
        free(expected);
    }

    /* Only the transient idle one and the standing ones now. */
    drain(reg_ready[0]);
    assert_int_equal(write(tr_idle[1], "c", 1), 1);
    poll_fd_wait(tr_idle[0], POLLIN);
    block_wakes_promptly();
    assert_int_equal(poll_fd_revents(tr_idle[0]), POLLIN);
    assert_int_equal(poll_fd_revents(tr_ready[0]), 0);
    assert_int_equal(poll_fd_revents(reg_ready[0]), 0);
    assert_int_equal(poll_fd_revents(sp[0]), 0);
    assert_ready_list("");

    poll_fd_unregister(reg_ready[0]);
    poll_fd_unregister(reg_idle[0]);
    poll_fd_unregister(sp[0]);
    close_pipe(reg_ready);
    close_pipe(reg_idle);
    close_pipe(tr_ready);
    close_pipe(tr_idle);
    close_pipe(sp);
}

/* A registered fd whose peer hung up wakes the loop when events are
 * waited for on it (the owner must learn of it)... */
static void
test_hangup_on_registered_fd_with_standing_events_wakes(void **state)
{
    int sp[2];
    make_socketpair(sp);
    poll_fd_register(sp[0], POLLIN);
    poll_timer_wait(10);
    poll_block();
    close(sp[1]);

    block_wakes_promptly();
    assert_true(poll_fd_revents(sp[0]) & POLLHUP);
    assert_ready_fd(sp[0]);

    int fds[2];
    make_pipe(fds);
    poll_fd_register(fds[0], POLLIN);
    close(fds[1]);
    block_wakes_promptly();
    assert_true(poll_fd_revents(fds[0]) & POLLHUP);

    unregister_and_close(sp[0]);
    unregister_and_close(fds[0]);
}

/* ...but not when nothing is waited for on it: epoll reports hang-ups
 * and errors for every entry whatever its events, so such an fd must
 * leave the set, or the loop would spin. */
static void
test_hung_up_registered_fd_without_waits_does_not_spin(void **state)
{
    int sp[2], fds[2];
    make_socketpair(sp);
    make_pipe(fds);
    poll_fd_register(sp[0], 0);
    poll_fd_register(fds[0], 0);

    /* Waited on once (in the epoll set), then the peers hang up. */
    poll_fd_wait(sp[0], POLLIN);
    poll_fd_wait(fds[0], POLLIN);
    poll_timer_wait(10);
    poll_block();
    close(sp[1]);
    close(fds[1]);

    unsigned long long wakeups = poll_loop_n_wakeups();
    poll_timer_wait(100);
    assert_true(timed_block() >= 100);
    assert_true(poll_loop_n_wakeups() == wakeups + 1);
    assert_int_equal(poll_fd_revents(sp[0]), 0);
    assert_int_equal(poll_fd_revents(fds[0]), 0);
    assert_ready_list("");

    /* Registered after the hang-up, never waited on. */
    int sp2[2];
    make_socketpair(sp2);
    close(sp2[1]);
    poll_fd_register(sp2[0], 0);
    poll_timer_wait(100);
    assert_true(timed_block() >= 100);
    assert_ready_list("");

    /* Waited on again: the hang-up is reported. */
    poll_fd_wait(sp[0], POLLIN);
    block_wakes_promptly();
    assert_true(poll_fd_revents(sp[0]) & POLLHUP);

    unregister_and_close(sp[0]);
    unregister_and_close(fds[0]);
    unregister_and_close(sp2[0]);
}

/* Timers count in microseconds: a 2 ms wait is not rounded to zero nor
 * stretched. */
static void
test_usec_timer(void **state)
{
    for (int i = 0; i < 3; i++) {
        long long start = time_usec();
        poll_timer_wait(BACKSTOP_MS);
        poll_timer_wait_until_usec(start + 2000);
        poll_block();
        long long elapsed = time_usec() - start;
        if (elapsed < 2000 || elapsed >= 1000000) {
            fail_msg("a 2000-us timer returned after %lld us", elapsed);
        }
    }

    /* The earliest wins, whichever unit it was given in. */
    long long start = time_usec();
    poll_timer_wait_until_usec(start + 5000000);
    poll_timer_wait(30);
    poll_block();
    long long elapsed = time_usec() - start;
    assert_true(elapsed >= 30000 && elapsed < 30000 + PROMPT_MS * 1000LL);

    /* A time in the past wakes at once. */
    poll_timer_wait(BACKSTOP_MS);
    poll_timer_wait_until_usec(time_usec() - 1000);
    assert_true(timed_block() < PROMPT_MS);
}

/* poll_fd_is_idle() applies to registered fds: idle if the events asked
 * about were waited for (standing or this iteration) and none came. */
static void
test_is_idle_for_registered_fds(void **state)
{
    int fds[2], other[2];
    make_pipe(fds);
    make_pipe(other);
    poll_fd_register(fds[0], POLLIN);
    poll_fd_register(other[0], 0);

    poll_timer_wait(10);
    poll_block();
    assert_true(poll_fd_is_idle(fds[0], POLLIN));
    assert_false(poll_fd_is_idle(fds[0], POLLOUT));  /* Not waited for. */
    assert_false(poll_fd_is_idle(other[0], POLLIN)); /* Nor here. */

    /* Waited for in this iteration only. */
    poll_fd_wait(other[0], POLLIN);
    poll_timer_wait(10);
    poll_block();
    assert_true(poll_fd_is_idle(other[0], POLLIN));
    poll_timer_wait(10);
    poll_block();
    assert_false(poll_fd_is_idle(other[0], POLLIN));

    /* Input makes it busy, for the iterations that see it. */
    assert_int_equal(write(fds[1], "i", 1), 1);
    block_wakes_promptly();
    assert_false(poll_fd_is_idle(fds[0], POLLIN));
    drain(fds[0]);
    poll_timer_wait(10);
    poll_block();
    assert_true(poll_fd_is_idle(fds[0], POLLIN));

    /* Unregistered: nothing is known of it any more. */
    poll_fd_unregister(fds[0]);
    assert_false(poll_fd_is_idle(fds[0], POLLIN));
    poll_timer_wait(10);
    poll_block();
    assert_false(poll_fd_is_idle(fds[0], POLLIN));

    poll_fd_unregister(other[0]);
    close_pipe(fds);
    close_pipe(other);
}

/* The kernel refuses regular files in an epoll set; a registered one is
 * polled like any other fd instead, and reported as any registered fd. */
static void
test_registered_regular_file_is_polled_instead(void **state)
{
    char name[] = "/tmp/test-poll-loop-XXXXXX";
    int fd = mkstemp(name);
    assert_true(fd >= 0);
    unlink(name);
    poll_fd_register(fd, POLLIN); /* Always readable. */
    for (int i = 0; i < 2; i++) {
        block_wakes_promptly();
        assert_int_equal(poll_fd_revents(fd), POLLIN);
        assert_false(poll_fd_is_idle(fd, POLLIN));
        assert_ready_fd(fd);
    }
    poll_fd_unregister(fd);
    block_sleeps_50_ms();
    assert_ready_list("");
    close(fd);
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
        cmocka_unit_test(test_idle_fds_are_told_apart),
        cmocka_unit_test(test_wakeups_are_counted),
        cmocka_unit_test(test_registered_standing_pollin_wakes_without_wait),
        cmocka_unit_test(
            test_registered_without_standing_events_wakes_only_when_waited),
        cmocka_unit_test(test_registered_pollout_is_waited_for_one_iteration),
        cmocka_unit_test(test_ready_registered_lists_exactly_the_ready_ones),
        cmocka_unit_test(
            test_unregistered_closed_number_reused_by_new_registration),
        cmocka_unit_test(test_reregistered_after_extra_wait),
        cmocka_unit_test(test_many_registered_fds_one_ready_at_a_time),
        cmocka_unit_test(test_registered_and_transient_fds_mix),
        cmocka_unit_test(
            test_hangup_on_registered_fd_with_standing_events_wakes),
        cmocka_unit_test(
            test_hung_up_registered_fd_without_waits_does_not_spin),
        cmocka_unit_test(test_usec_timer),
        cmocka_unit_test(test_is_idle_for_registered_fds),
        cmocka_unit_test(test_registered_regular_file_is_polled_instead),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

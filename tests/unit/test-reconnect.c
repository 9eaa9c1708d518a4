/* Drives lib/reconnect with a fake clock through long scenarios and checks
 * the exact action, timeout and log message at each step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/ds.h"
#include "lib/reconnect.h"
#include "lib/util.h"
#include "lib/vlog.h"

/* The machine under test and the fake clock. */
static struct reconnect *r;
static long long now;

/* Log capture: stderr (where console logging goes) is redirected to a
 * temporary file, and 'log_offset' marks what the test has consumed. */
static FILE *log_file;
static long log_offset;

static void
advance(long long ms)
{
    now += ms;
}

static char *
lowercase(char *s)
{
    for (char *p = s; *p; p++) {
        *p = tolower((unsigned char) *p);
    }
    return s;
}

/* Returns what was logged since the last call (malloc'd). */
static char *
take_log(void)
{
    fflush(stderr);
    fseek(log_file, 0, SEEK_END);
    long end = ftell(log_file);
    char *text = xmalloc(end - log_offset + 1);
    fseek(log_file, log_offset, SEEK_SET);
    size_t n = fread(text, 1, end - log_offset, log_file);
    text[n] = '\0';
    log_offset = end;
    /* Level names are "INFO" in OVS's console pattern; compare without
     * caring about case. */
    return lowercase(text);
}

/* Checks that exactly the given "LEVEL|message" lines (and any number of
 * debug lines) were logged since the last check, in order.  The list
 * ends with NULL. */
static void
check_log(const char *first, ...)
{
    char *log = take_log();
    const char *p = log;
    va_list args;
    int n_expected = 0;

    va_start(args, first);
    for (const char *item = first; item; item = va_arg(args, const char *)) {
        char *needle = lowercase(xasprintf("|%s\n", item));
        const char *hit = strstr(p, needle);
        if (!hit) {
            fail_msg("expected log line ending in \"%s\" at t=%lld; "
                     "log since last check:\n%s",
                     item, now, log);
        }
        p = hit + strlen(needle);
        n_expected++;
        free(needle);
    }
    va_end(args);

    /* Count the non-debug lines: there must be no unexpected ones. */
    int n_logged = 0;
    for (const char *line = log; *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t) (eol - line) : strlen(line);
        char *copy = xmemdup0(line, len);
        if (!strstr(copy, "|dbg|") && strstr(copy, "|")) {
            n_logged++;
        }
        free(copy);
        line += len + (eol != NULL);
    }
    if (n_logged != n_expected) {
        fail_msg("expected %d log lines at t=%lld, got %d:\n%s", n_expected,
                 now, n_logged, log);
    }
    free(log);
}

#define check_no_log() check_log(NULL)

static void
expect_run(enum reconnect_action expected)
{
    enum reconnect_action actual = reconnect_run(r, now);
    if (actual != expected) {
        fail_msg("at t=%lld: reconnect_run() returned %d, expected %d", now,
                 actual, expected);
    }
}

static void
expect_state(const char *state)
{
    struct reconnect_stats stats;
    reconnect_get_stats(r, now, &stats);
    if (strcmp(stats.state, state)) {
        fail_msg("at t=%lld: state is %s, expected %s", now, stats.state,
                 state);
    }
}

/* Runs the machine at every millisecond until it returns an action;
 * returns the time at which it did (so the test can check the exact
 * deadline), trying to receive at every step as an owner would. */
static long long
run_until_action(enum reconnect_action expected, long long limit)
{
    for (long long end = now + limit; now <= end; now++) {
        reconnect_receive_attempted(r, now);
        enum reconnect_action a = reconnect_run(r, now);
        if (a != RECONNECT_NONE) {
            if (a != expected) {
                fail_msg("at t=%lld: got action %d, expected %d", now, a,
                         expected);
            }
            return now;
        }
    }
    fail_msg("no action within %lld ms", limit);
    return -1;
}

/* Lets every connection attempt fail, and checks that the attempts
 * start at the times in 'attempts' (ms after the first run). */
static void
expect_failing_attempts_at(const long long attempts[], size_t n_attempts)
{
    for (size_t i = 0; i < n_attempts; i++) {
        assert_int_equal(run_until_action(RECONNECT_CONNECT, 10000),
                         attempts[i]);
        reconnect_connecting(r, now);
        reconnect_connect_failed(r, now, ECONNREFUSED);
    }
}

static int
setup(void **state)
{
    now = 0;
    r = reconnect_create(now);
    reconnect_set_name(r, "tcp:127.0.0.1:6640");
    free(take_log());
    return 0;
}

static int
teardown(void **state)
{
    reconnect_destroy(r);
    r = NULL;
    return 0;
}

static void
test_new_machine_is_void_until_enabled(void **state)
{
    expect_state("VOID");
    assert_false(reconnect_is_enabled(r));
    assert_int_equal(reconnect_timeout(r, now), -1);
    advance(100000);
    expect_run(RECONNECT_NONE);

    reconnect_enable(r, now);
    assert_true(reconnect_is_enabled(r));
    expect_state("BACKOFF");
    assert_int_equal(reconnect_timeout(r, now), 0);
    expect_run(RECONNECT_CONNECT);
    check_no_log();
}

static void
test_backoff_doubles_from_1_to_8_seconds(void **state)
{
    static const long long attempts[] = {0,     1000,  3000, 7000,
                                         15000, 23000, 31000};
    static const char *const backoff_logs[] = {
        NULL,
        "INFO|tcp:127.0.0.1:6640: waiting 2 seconds before reconnect",
        "INFO|tcp:127.0.0.1:6640: waiting 4 seconds before reconnect",
        "INFO|tcp:127.0.0.1:6640: continuing to reconnect in the "
        "background but suppressing further logging",
        NULL,
        NULL,
        NULL,
    };

    reconnect_enable(r, now);
    for (size_t i = 0; i < ARRAY_SIZE(attempts); i++) {
        if (i > 0) {
            assert_int_equal(run_until_action(RECONNECT_CONNECT, 20000),
                             attempts[i]);
        } else {
            expect_run(RECONNECT_CONNECT);
        }
        reconnect_connecting(r, now);
        expect_state("CONNECTING");
        reconnect_connect_failed(r, now, ECONNREFUSED);
        expect_state("BACKOFF");

        if (i < 4) {
            /* Until backoff reaches its maximum, each attempt is
             * announced. */
            if (backoff_logs[i]) {
                check_log("INFO|tcp:127.0.0.1:6640: connecting...",
                          "INFO|tcp:127.0.0.1:6640: connection attempt "
                          "failed (Connection refused)",
                          backoff_logs[i], NULL);
            } else {
                check_log("INFO|tcp:127.0.0.1:6640: connecting...",
                          "INFO|tcp:127.0.0.1:6640: connection attempt "
                          "failed (Connection refused)",
                          NULL);
            }
        } else {
            check_no_log();
        }
    }
    assert_int_equal(reconnect_timeout(r, now), 8000);

    struct reconnect_stats stats;
    reconnect_get_stats(r, now, &stats);
    assert_int_equal(stats.n_attempted_connections, 7);
    assert_int_equal(stats.n_successful_connections, 0);
    assert_int_equal(stats.backoff, 8000);
    assert_false(stats.is_connected);
    assert_int_equal(stats.msec_since_connect, UINT_MAX);
    assert_int_equal(stats.msec_since_disconnect, UINT_MAX);
}

static void
test_custom_max_backoff_caps_the_sequence(void **state)
{
    reconnect_set_backoff(r, 1000, 3000);
    reconnect_enable(r, now);
    static const long long attempts[] = {0, 1000, 3000, 6000, 9000};
    expect_failing_attempts_at(attempts, ARRAY_SIZE(attempts));
}

static void
test_backoff_settings_are_clamped(void **state)
{
    reconnect_set_backoff(r, 100, 200);
    assert_int_equal(reconnect_get_min_backoff(r), 1000);
    assert_int_equal(reconnect_get_max_backoff(r), 1000);
    reconnect_set_backoff(r, 3000, 2000);
    assert_int_equal(reconnect_get_min_backoff(r), 3000);
    assert_int_equal(reconnect_get_max_backoff(r), 3000);
    reconnect_set_backoff(r, 1000, 0);
    assert_int_equal(reconnect_get_max_backoff(r), 8000);

    reconnect_set_probe_interval(r, 300);
    assert_int_equal(reconnect_get_probe_interval(r), 1000);
    reconnect_set_probe_interval(r, 0);
    assert_int_equal(reconnect_get_probe_interval(r), 0);
    reconnect_set_probe_interval(r, 2500);
    assert_int_equal(reconnect_get_probe_interval(r), 2500);
}

/* Connects at t=100 (enable at 0). */
static void
connect_at_100(void)
{
    reconnect_enable(r, now);
    expect_run(RECONNECT_CONNECT);
    reconnect_connecting(r, now);
    advance(100);
    reconnect_connected(r, now);
    assert_true(reconnect_is_connected(r));
    expect_state("ACTIVE");
    check_log("INFO|tcp:127.0.0.1:6640: connecting...",
              "INFO|tcp:127.0.0.1:6640: connected", NULL);
}

static void
test_silent_peer_is_probed_then_dropped(void **state)
{
    connect_at_100();
    assert_int_equal(reconnect_timeout(r, now), 5000);

    assert_int_equal(run_until_action(RECONNECT_PROBE, 20000), 5100);
    expect_state("IDLE");
    assert_true(reconnect_is_connected(r));
    check_no_log();

    assert_int_equal(run_until_action(RECONNECT_DISCONNECT, 20000), 10100);
    check_log("ERR|tcp:127.0.0.1:6640: no response to inactivity probe "
              "after 5 seconds, disconnecting",
              NULL);
    reconnect_disconnected(r, now, 0);
    check_log("INFO|tcp:127.0.0.1:6640: connection dropped", NULL);
    expect_state("BACKOFF");
    assert_false(reconnect_is_connected(r));

    /* The connection never carried anything, so it does not count as a
     * healthy one: the minimum backoff applies. */
    assert_int_equal(run_until_action(RECONNECT_CONNECT, 20000), 11100);
}

static void
test_reply_to_probe_keeps_connection(void **state)
{
    reconnect_set_probe_interval(r, 2000);
    connect_at_100();
    for (int i = 0; i < 5; i++) {
        long long probe_at = run_until_action(RECONNECT_PROBE, 20000);
        assert_int_equal(probe_at, 2100 + i * 2500);
        expect_state("IDLE");
        advance(500);
        reconnect_activity(r, now); /* The echo reply. */
        expect_state("ACTIVE");
        assert_int_equal(reconnect_timeout(r, now), 2000);
    }
    check_no_log();
}

static void
test_activity_postpones_probe(void **state)
{
    connect_at_100();
    advance(4000);
    reconnect_activity(r, now);
    assert_int_equal(run_until_action(RECONNECT_PROBE, 20000), 9100);
}

static void
test_probe_waits_until_owner_tried_to_receive(void **state)
{
    connect_at_100();
    advance(7000);
    /* The owner has not read since t=0: silence is not the peer's
     * fault yet, so the machine asks to be run again shortly. */
    expect_run(RECONNECT_NONE);
    assert_int_equal(reconnect_timeout(r, now), 1);
    reconnect_receive_attempted(r, now);
    expect_run(RECONNECT_PROBE);
}

static void
test_probe_interval_zero_disables_probes(void **state)
{
    reconnect_set_probe_interval(r, 0);
    connect_at_100();
    assert_int_equal(reconnect_timeout(r, now), -1);
    advance(1000000);
    reconnect_receive_attempted(r, now);
    expect_run(RECONNECT_NONE);
    expect_state("ACTIVE");
}

static void
test_connection_attempt_times_out(void **state)
{
    reconnect_enable(r, now);
    expect_run(RECONNECT_CONNECT);
    reconnect_connecting(r, now);
    assert_int_equal(run_until_action(RECONNECT_DISCONNECT, 5000), 1000);
    reconnect_disconnected(r, now, 0);
    check_log("INFO|tcp:127.0.0.1:6640: connecting...",
              "INFO|tcp:127.0.0.1:6640: connection attempt timed out", NULL);
    assert_int_equal(run_until_action(RECONNECT_CONNECT, 5000), 2000);
    reconnect_connecting(r, now);
    /* An attempt may last as long as the backoff, but at least 1 s. */
    assert_int_equal(run_until_action(RECONNECT_DISCONNECT, 5000), 3000);
}

static void
test_peer_close_and_error_messages(void **state)
{
    connect_at_100();
    reconnect_disconnected(r, now, EOF);
    check_log("INFO|tcp:127.0.0.1:6640: connection closed by peer", NULL);

    run_until_action(RECONNECT_CONNECT, 5000);
    reconnect_connecting(r, now);
    reconnect_connected(r, now);
    free(take_log());
    reconnect_disconnected(r, now, ECONNRESET);
    check_log("WARN|tcp:127.0.0.1:6640: connection dropped (Connection "
              "reset by peer)",
              "INFO|tcp:127.0.0.1:6640: waiting 2 seconds before reconnect",
              NULL);
}

static void
test_long_lived_connection_resets_backoff(void **state)
{
    reconnect_enable(r, now);
    for (int i = 0; i < 4; i++) {
        run_until_action(RECONNECT_CONNECT, 20000);
        reconnect_connecting(r, now);
        reconnect_connect_failed(r, now, ECONNREFUSED);
    }
    assert_int_equal(reconnect_timeout(r, now), 8000);

    /* A connection that carried traffic for longer than the backoff
     * was a real one: start again from the minimum backoff. */
    long long t = run_until_action(RECONNECT_CONNECT, 20000);
    reconnect_connecting(r, now);
    reconnect_connected(r, now);
    advance(9000);
    reconnect_activity(r, now);
    reconnect_disconnected(r, now, EOF);
    assert_int_equal(reconnect_timeout(r, now), 1000);
    assert_int_equal(run_until_action(RECONNECT_CONNECT, 20000),
                     t + 9000 + 1000);

    /* A connection dropped before it carried anything doubles the
     * backoff as a failed attempt would. */
    reconnect_connecting(r, now);
    reconnect_connected(r, now);
    advance(10);
    reconnect_disconnected(r, now, EOF);
    assert_int_equal(reconnect_timeout(r, now), 2000);
}

static void
test_passive_machine_listens(void **state)
{
    reconnect_set_name(r, "ptcp:6640");
    reconnect_set_passive(r, true, now);
    assert_true(reconnect_is_passive(r));
    reconnect_enable(r, now);
    expect_run(RECONNECT_CONNECT);
    reconnect_listening(r, now);
    expect_state("LISTENING");
    check_log("INFO|ptcp:6640: listening...", NULL);

    /* Listening has no deadline: it waits for a peer forever. */
    assert_int_equal(reconnect_timeout(r, now), -1);
    advance(60000);
    expect_run(RECONNECT_NONE);

    /* OVS (as its Python library shows) logs "connecting..." on the way
     * from LISTENING to ACTIVE. */
    reconnect_connected(r, now);
    expect_state("ACTIVE");
    check_log("INFO|ptcp:6640: connecting...", "INFO|ptcp:6640: connected",
              NULL);
    advance(100);
    reconnect_disconnected(r, now, EOF);
    check_log("INFO|ptcp:6640: connection closed by peer", NULL);
    expect_state("BACKOFF");

    run_until_action(RECONNECT_CONNECT, 5000);
    reconnect_listening(r, now);
    free(take_log());
    reconnect_listen_error(r, now, EADDRINUSE);
    check_log("WARN|ptcp:6640: error listening for connections (Address "
              "already in use)",
              "INFO|ptcp:6640: waiting 2 seconds before reconnect", NULL);
    expect_state("BACKOFF");

    /* A listen error outside LISTENING is not ours to count. */
    reconnect_listen_error(r, now, EADDRINUSE);
    expect_state("BACKOFF");
}

static void
test_max_tries_stops_after_limit(void **state)
{
    reconnect_set_max_tries(r, 2);
    reconnect_enable(r, now);
    assert_int_equal(reconnect_get_max_tries(r), 1);
    expect_run(RECONNECT_CONNECT);
    reconnect_connect_failed(r, now, ECONNREFUSED);
    expect_state("BACKOFF");
    run_until_action(RECONNECT_CONNECT, 5000);
    reconnect_connect_failed(r, now, ECONNREFUSED);
    expect_state("VOID");
    assert_false(reconnect_is_enabled(r));
    assert_int_equal(reconnect_get_max_tries(r), 0);
    assert_int_equal(reconnect_timeout(r, now), -1);
    advance(100000);
    expect_run(RECONNECT_NONE);

    /* Out of tries, enabling does nothing. */
    reconnect_enable(r, now);
    expect_state("VOID");
}

static void
test_max_tries_zero_never_connects(void **state)
{
    reconnect_set_max_tries(r, 0);
    reconnect_enable(r, now);
    expect_run(RECONNECT_NONE);
    expect_state("VOID");
}

static void
test_disable_and_reenable(void **state)
{
    connect_at_100();
    reconnect_disable(r, now);
    expect_state("VOID");
    assert_false(reconnect_is_connected(r));
    expect_run(RECONNECT_NONE);
    reconnect_enable(r, now);
    expect_run(RECONNECT_CONNECT);
}

static void
test_force_reconnect_drops_connection(void **state)
{
    connect_at_100();
    advance(50);
    reconnect_force_reconnect(r, now);
    expect_state("RECONNECT");
    assert_false(reconnect_is_connected(r));
    expect_run(RECONNECT_DISCONNECT);
    reconnect_disconnected(r, now, 0);
    check_log("INFO|tcp:127.0.0.1:6640: connection closed by client", NULL);
    expect_state("BACKOFF");
    assert_int_equal(reconnect_timeout(r, now), 1000);

    /* In BACKOFF there is nothing to drop. */
    reconnect_force_reconnect(r, now);
    expect_state("BACKOFF");
}

static void
test_backoff_free_tries(void **state)
{
    reconnect_set_backoff_free_tries(r, 3);
    reconnect_enable(r, now);
    static const long long attempts[] = {0, 0, 0, 1000, 3000};
    expect_failing_attempts_at(attempts, ARRAY_SIZE(attempts));
}

static void
test_skip_backoff_connects_at_once(void **state)
{
    reconnect_enable(r, now);
    expect_run(RECONNECT_CONNECT);
    reconnect_connect_failed(r, now, ECONNREFUSED);
    assert_int_equal(reconnect_timeout(r, now), 1000);
    reconnect_skip_backoff(r, now);
    expect_run(RECONNECT_CONNECT);
}

static void
test_quiet_machine_logs_at_debug_level(void **state)
{
    reconnect_set_quiet(r, true);
    reconnect_enable(r, now);
    expect_run(RECONNECT_CONNECT);
    reconnect_connecting(r, now);
    reconnect_connect_failed(r, now, ECONNREFUSED);
    check_no_log();
    run_until_action(RECONNECT_CONNECT, 5000);
    reconnect_connecting(r, now);
    reconnect_connected(r, now);
    check_no_log();
}

static void
test_stats_track_connections(void **state)
{
    reconnect_enable(r, now);
    expect_run(RECONNECT_CONNECT);
    reconnect_connecting(r, now);
    advance(100);
    reconnect_connected(r, now);

    struct reconnect_stats stats;
    reconnect_get_stats(r, now, &stats);
    unsigned int seqno_connected = stats.seqno;
    assert_true(stats.is_connected);
    assert_string_equal(stats.state, "ACTIVE");
    assert_int_equal(stats.msec_since_connect, 0);
    assert_int_equal(stats.last_connected, 100);

    advance(500);
    reconnect_activity(r, now);
    advance(200);
    reconnect_get_stats(r, now, &stats);
    assert_int_equal(stats.total_connected_duration, 700);
    assert_int_equal(stats.last_activity, 600);
    assert_int_equal(stats.state_elapsed, 700);

    reconnect_disconnected(r, now, EOF);
    advance(300);
    reconnect_get_stats(r, now, &stats);
    assert_false(stats.is_connected);
    assert_string_equal(stats.state, "BACKOFF");
    assert_int_equal(stats.state_elapsed, 300);
    assert_int_equal(stats.creation_time, 0);
    assert_int_equal(stats.last_disconnected, 800);
    assert_int_equal(stats.msec_since_connect, 1000);
    assert_int_equal(stats.msec_since_disconnect, 300);
    assert_int_equal(stats.total_connected_duration, 700);
    assert_int_equal(stats.n_attempted_connections, 1);
    assert_int_equal(stats.n_successful_connections, 1);
    assert_true(stats.seqno != seqno_connected);
    assert_int_equal(reconnect_get_last_connect_elapsed(r, now), 1000);
    assert_int_equal(reconnect_get_last_disconnect_elapsed(r, now), 300);

    /* The second connection adds to the total. */
    run_until_action(RECONNECT_CONNECT, 5000);
    reconnect_connecting(r, now);
    reconnect_connected(r, now);
    advance(50);
    reconnect_get_stats(r, now, &stats);
    assert_int_equal(stats.total_connected_duration, 750);
    assert_int_equal(stats.n_attempted_connections, 2);
    assert_int_equal(stats.n_successful_connections, 2);
}

int
main(void)
{
    /* Console logging goes to stderr; capture it, at debug level so the
     * checks see what is (and is not) logged at each level. */
    int real_stderr = dup(STDERR_FILENO);
    log_file = tmpfile();
    if (real_stderr < 0 || !log_file
        || dup2(fileno(log_file), STDERR_FILENO) < 0) {
        perror("capturing stderr");
        return 1;
    }
    setvbuf(stderr, NULL, _IONBF, 0);
    vlog_set_verbosity("reconnect:console:dbg");

#define T(NAME) cmocka_unit_test_setup_teardown(NAME, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_new_machine_is_void_until_enabled),
        T(test_backoff_doubles_from_1_to_8_seconds),
        T(test_custom_max_backoff_caps_the_sequence),
        T(test_backoff_settings_are_clamped),
        T(test_silent_peer_is_probed_then_dropped),
        T(test_reply_to_probe_keeps_connection),
        T(test_activity_postpones_probe),
        T(test_probe_waits_until_owner_tried_to_receive),
        T(test_probe_interval_zero_disables_probes),
        T(test_connection_attempt_times_out),
        T(test_peer_close_and_error_messages),
        T(test_long_lived_connection_resets_backoff),
        T(test_passive_machine_listens),
        T(test_max_tries_stops_after_limit),
        T(test_max_tries_zero_never_connects),
        T(test_disable_and_reenable),
        T(test_force_reconnect_drops_connection),
        T(test_backoff_free_tries),
        T(test_skip_backoff_connects_at_once),
        T(test_quiet_machine_logs_at_debug_level),
        T(test_stats_track_connections),
    };
#undef T
    int failures = cmocka_run_group_tests(tests, NULL, NULL);
    if (failures) {
        /* cmocka's failure messages went to the captured stderr too:
         * show everything. */
        fflush(stderr);
        fseek(log_file, 0, SEEK_SET);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, log_file)) > 0) {
            if (write(real_stderr, buf, n) < 0) {
                break;
            }
        }
    }
    return failures;
}

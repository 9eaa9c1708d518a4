#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/fatal-signal.h"
#include "lib/poll-loop.h"
#include "lib/util.h"

/* Each test forks: fatal signals end the process, and the hooks and
 * files registered here are process-wide state. */

static char dir[] = "/tmp/test-fatal-signal.XXXXXX";

static int
setup(void **state)
{
    strcpy(dir, "/tmp/test-fatal-signal.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
    char *cmd = xasprintf("rm -rf %s", dir);
    int rc = system(cmd);
    free(cmd);
    return rc;
}

static char *
path(const char *name)
{
    return xasprintf("%s/%s", dir, name);
}

static void
touch(const char *file)
{
    int fd = open(file, O_CREAT | O_WRONLY, 0600);
    ovs_assert(fd >= 0);
    close(fd);
}

static bool
exists(const char *file)
{
    struct stat st;
    return !stat(file, &st);
}

static void
write_marker(void *file)
{
    touch(file);
}

/* The child registers a file to unlink and a hook, is sent SIGTERM while
 * blocked in poll_block(), and must run both and then die of SIGTERM. */
static void
test_sigterm_runs_hooks_unlinks_files_and_reraises(void **state)
{
    char *victim = path("victim");
    char *marker = path("hook-ran");
    touch(victim);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        fatal_signal_add_file_to_unlink(victim);
        fatal_signal_add_hook(write_marker, NULL, marker, false);
        kill(getpid(), SIGTERM);
        for (;;) {
            poll_timer_wait(10000);
            poll_block();
        }
    }

    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGTERM);
    assert_false(exists(victim));
    assert_true(exists(marker));
    free(victim);
    free(marker);
}

/* At a normal exit(), registered files go too, but a hook registered
 * with run_at_exit=false does not run. */
static void
test_exit_unlinks_files_but_skips_signal_only_hooks(void **state)
{
    char *victim = path("victim2");
    char *marker = path("hook2-ran");
    touch(victim);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        fatal_signal_add_file_to_unlink(victim);
        fatal_signal_add_hook(write_marker, NULL, marker, false);
        exit(0);
    }

    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_false(exists(victim));
    assert_false(exists(marker));
    free(victim);
    free(marker);
}

/* A file that is unlinked early is forgotten: a later file of the same
 * name created by someone else survives the process's exit. */
static void
test_unlink_now_forgets_file(void **state)
{
    char *file = path("early");
    touch(file);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        fatal_signal_add_file_to_unlink(file);
        int error = fatal_signal_unlink_file_now(file);
        touch(file);
        exit(error ? 2 : 0);
    }

    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(exists(file));
    free(file);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigterm_runs_hooks_unlinks_files_and_reraises),
        cmocka_unit_test(test_exit_unlinks_files_but_skips_signal_only_hooks),
        cmocka_unit_test(test_unlink_now_forgets_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

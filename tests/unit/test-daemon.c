#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/daemon.h"
#include "lib/util.h"
#include "lib/vlog.h"

static char tmpdir[] = "/tmp/test-daemon.XXXXXX";

static char *
tmp_name(const char *base)
{
    return xasprintf("%s/%s", tmpdir, base);
}

static void
write_file(const char *name, const char *contents)
{
    FILE *f = fopen(name, "w");
    assert_non_null(f);
    fputs(contents, f);
    fclose(f);
}

/* Forks a child that write-locks 'name', writes 'contents' into it and
 * waits to be killed.  Returns its pid once the lock is held. */
static pid_t
spawn_lock_holder(const char *name, const char *contents)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
        struct flock lck = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        if (fd < 0 || fcntl(fd, F_SETLK, &lck)) {
            _exit(1);
        }
        char *text =
            contents ? xstrdup(contents) : xasprintf("%ld\n", (long) getpid());
        if (write(fd, text, strlen(text)) < 0 || write(fds[1], "", 1) < 0) {
            _exit(1);
        }
        for (;;) {
            pause();
        }
    }
    close(fds[1]);
    char c;
    assert_int_equal(read(fds[0], &c, 1), 1);
    close(fds[0]);
    return pid;
}

static void
kill_child(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static void
test_missing_pidfile_is_enoent(void **state OVS_UNUSED)
{
    char *name = tmp_name("missing.pid");
    assert_int_equal(daemon_read_pidfile(name), -ENOENT);
    free(name);
}

static void
test_unlocked_pidfile_is_stale(void **state OVS_UNUSED)
{
    /* Even naming a live process (ourselves): nobody holds the lock. */
    char *name = tmp_name("stale.pid");
    char *text = xasprintf("%ld\n", (long) getpid());
    write_file(name, text);
    assert_int_equal(daemon_read_pidfile(name), -ESRCH);
    free(text);
    free(name);
}

static void
test_locked_pidfile_gives_pid(void **state OVS_UNUSED)
{
    char *name = tmp_name("locked.pid");
    pid_t pid = spawn_lock_holder(name, NULL);
    assert_int_equal(daemon_read_pidfile(name), pid);
    kill_child(pid);
    assert_int_equal(daemon_read_pidfile(name), -ESRCH);
    free(name);
}

static void
test_lock_holder_wins_over_contents(void **state OVS_UNUSED)
{
    char *name = tmp_name("garbage.pid");
    pid_t pid = spawn_lock_holder(name, "garbage\n");
    assert_int_equal(daemon_read_pidfile(name), pid);
    kill_child(pid);
    free(name);
}

int
main(void)
{
    set_program_name("test-daemon");
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_pidfile_is_enoent),
        cmocka_unit_test(test_unlocked_pidfile_is_stale),
        cmocka_unit_test(test_locked_pidfile_gives_pid),
        cmocka_unit_test(test_lock_holder_wins_over_contents),
    };
    int failures = cmocka_run_group_tests(tests, NULL, NULL);

    char *cmd = xasprintf("rm -rf %s", tmpdir);
    if (system(cmd)) {
        /* Leftovers in /tmp do no harm. */
    }
    free(cmd);
    return failures;
}

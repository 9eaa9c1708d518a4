#include "lib/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/dirs.h"
#include "lib/fatal-signal.h"
#include "lib/poll-loop.h"
#include "lib/timeval.h"
#include "lib/util.h"
#include "lib/vlog.h"

/* OVS logs these messages under "daemon_unix"; the same name keeps the
 * text that ovs-appctl prints identical. */
VLOG_DEFINE_THIS_MODULE(daemon_unix);

/* The monitor restarts a crashed daemon at most this often. */
#define MONITOR_RESTART_INTERVAL_MSEC (10 * 1000)

/* How often the monitor checks on the daemon (and on its own fatal
 * signals). */
#define MONITOR_POLL_MSEC 100

/* Options. */
static char *pidfile;
static bool overwrite_pidfile;
static bool detach;
static bool chdir_on_detach = true;
static bool monitor;
static char *user_name; /* --user: NULL if not given. */
static uid_t user_uid;
static gid_t user_gid;

/* Write end of the pipe on which the process that waits for our start-up
 * (the original process with --detach, or the monitor) learns that it
 * is complete; -1 if nobody waits. */
static int startup_fd = -1;
static bool completed;

/* The pidfile we created and hold locked. */
static int pidfile_fd = -1;
static dev_t pidfile_dev;
static ino_t pidfile_ino;
static bool pidfile_owned;

void
daemon_set_pidfile(const char *name)
{
    free(pidfile);
    pidfile = (name ? abs_file_name(ovs_rundir(), name)
                    : xasprintf("%s/%s.pid", ovs_rundir(), program_name));
}

const char *
daemon_get_pidfile(void)
{
    return pidfile;
}

void
daemon_set_overwrite_pidfile(void)
{
    overwrite_pidfile = true;
}

void
daemon_set_detach(void)
{
    detach = true;
}

bool
daemon_get_detach(void)
{
    return detach;
}

void
daemon_set_no_chdir(void)
{
    chdir_on_detach = false;
}

void
daemon_set_monitor(void)
{
    monitor = true;
}

void
daemon_set_user(const char *user_spec)
{
    char *spec = xstrdup(user_spec);
    char *colon = strchr(spec, ':');
    const char *group = NULL;
    if (colon) {
        *colon = '\0';
        group = colon + 1;
    }

    const char *user = spec;
    if (!user[0]) {
        ovs_fatal(0, "--user=%s: missing user name, aborting.", user_spec);
    }
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        ovs_fatal(0, "user %s not found, aborting.", user);
    }
    user_uid = pw->pw_uid;
    user_gid = pw->pw_gid;
    if (group && group[0]) {
        struct group *gr = getgrnam(group);
        if (!gr) {
            ovs_fatal(0, "group %s not found, aborting.", group);
        }
        user_gid = gr->gr_gid;
    }

    free(user_name);
    user_name = xstrdup(user);
    free(spec);
}

/* Pidfiles. */

/* Reads the pidfile 'name'.  With 'quiet_if_missing', a missing file
 * returns -ENOENT without a log message (the normal case when a daemon
 * creates its pidfile). */
static pid_t
read_pidfile__(const char *name, bool quiet_if_missing)
{
    int fd = open(name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int error = errno;
        if (error != ENOENT || !quiet_if_missing) {
            VLOG_WARN("%s: open: %s", name, ovs_strerror(error));
        }
        return -error;
    }

    /* The daemon that owns the pidfile holds a write lock on it for as long
     * as it runs, so an unlocked pidfile is stale whatever it says. */
    struct flock lck = {
        .l_type = F_WRLCK,
        .l_whence = SEEK_SET,
        .l_start = 0,
        .l_len = 0,
    };
    if (fcntl(fd, F_GETLK, &lck)) {
        int error = errno;
        VLOG_WARN("%s: fcntl: %s", name, ovs_strerror(error));
        close(fd);
        return -error;
    }
    if (lck.l_type == F_UNLCK) {
        close(fd);
        return -ESRCH;
    }

    char line[32];
    ssize_t n;
    do {
        n = read(fd, line, sizeof line - 1);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        int error = errno;
        close(fd);
        VLOG_WARN("%s: read: %s", name, ovs_strerror(error));
        return -error;
    }
    close(fd);
    size_t len = MIN((size_t) n, sizeof line - 1);
    line[len] = '\0';

    /* A daemon holds the lock from just before it writes its pid until it
     * exits, so a lock held over an empty or mismatched file means the
     * holder is still writing it: trust the lock. */
    char *end;
    long pid = strtol(line, &end, 10);
    if (end == line || pid <= 0 || pid != lck.l_pid) {
        if (n > 0 && (end == line || (*end && *end != '\n'))) {
            VLOG_WARN("%s: parse error", name);
        }
        return lck.l_pid;
    }
    return pid;
}

pid_t
daemon_read_pidfile(const char *name)
{
    return read_pidfile__(name, false);
}

/* Unlinks the pidfile at exit, unless another instance (started with
 * --overwrite-pidfile) has replaced it with its own. */
static void
unlink_pidfile(void *aux OVS_UNUSED)
{
    struct stat s;
    if (pidfile_owned && !stat(pidfile, &s) && s.st_dev == pidfile_dev
        && s.st_ino == pidfile_ino) {
        unlink(pidfile);
    }
}

/* In a child forked by the daemon, which must not unlink the pidfile. */
static void
cancel_unlink_pidfile(void *aux OVS_UNUSED)
{
    pidfile_owned = false;
}

static void
make_pidfile(void)
{
    if (!overwrite_pidfile) {
        pid_t pid = read_pidfile__(pidfile, true);
        if (pid > 0) {
            ovs_fatal(0, "%s: already running as pid %ld, aborting", pidfile,
                      (long) pid);
        }
    }

    /* The pid is written to a locked temporary file that is renamed into
     * place, so that readers never see a partial file. */
    char *tmpfile = xasprintf("%s.tmp", pidfile);
    fatal_signal_add_file_to_unlink(tmpfile);
    int fd = open(tmpfile, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        ovs_fatal(errno, "%s: create failed", tmpfile);
    }

    struct flock lck = {
        .l_type = F_WRLCK,
        .l_whence = SEEK_SET,
        .l_start = 0,
        .l_len = 0,
    };
    if (fcntl(fd, F_SETLK, &lck)) {
        ovs_fatal(errno, "%s: fcntl(F_SETLK) failed", tmpfile);
    }

    char *text = xasprintf("%ld\n", (long) getpid());
    if (write(fd, text, strlen(text)) != (ssize_t) strlen(text)) {
        ovs_fatal(errno, "%s: write failed", tmpfile);
    }
    free(text);

    struct stat s;
    if (fstat(fd, &s)) {
        ovs_fatal(errno, "%s: fstat failed", tmpfile);
    }
    pidfile_dev = s.st_dev;
    pidfile_ino = s.st_ino;

    if (rename(tmpfile, pidfile)) {
        ovs_fatal(errno, "failed to rename \"%s\" to \"%s\"", tmpfile,
                  pidfile);
    }
    fatal_signal_remove_file_to_unlink(tmpfile);
    free(tmpfile);

    pidfile_owned = true;
    fatal_signal_add_hook(unlink_pidfile, cancel_unlink_pidfile, NULL, true);

    /* Closing any descriptor of the file would drop the lock, so this one
     * stays open for the life of the process. */
    pidfile_fd = fd;
}

/* Forking and start-up. */

/* Describes a wait() status as OVS does: "exit status 1", "killed
 * (Segmentation fault)", "killed (Aborted), core dumped". */
static char *
describe_status(int status)
{
    if (WIFEXITED(status)) {
        return xasprintf("exit status %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        return xasprintf("killed (%s)%s", strsignal(WTERMSIG(status)),
                         WCOREDUMP(status) ? ", core dumped" : "");
    } else {
        return xasprintf("terminated abnormally (%x)", status);
    }
}

static int
xwaitpid(pid_t pid, int options)
{
    int status = 0;
    pid_t retval;
    do {
        retval = waitpid(pid, &status, options);
    } while (retval < 0 && errno == EINTR);
    if (retval < 0) {
        ovs_fatal(errno, "waitpid failed");
    }
    return retval ? status : -1;
}

/* Tells whoever waits for our start-up that it is complete. */
static void
notify_startup(void)
{
    if (startup_fd >= 0) {
        ssize_t retval;
        do {
            retval = write(startup_fd, "", 1);
        } while (retval < 0 && errno == EINTR);
        close(startup_fd);
        startup_fd = -1;
    }
}

/* Forks.  In the child, returns 0 (the child must later call
 * notify_startup()).  In the parent, waits until the child has completed
 * start-up and returns its pid; if the child dies first, exits with its
 * exit status (or 1 if it was killed). */
static pid_t
fork_and_wait_for_startup(void)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC)) {
        ovs_fatal(errno, "pipe failed");
    }

    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        ovs_fatal(errno, "could not fork");
    }
    if (!pid) {
        close(fds[0]);
        if (startup_fd >= 0) {
            close(startup_fd);
        }
        startup_fd = fds[1];
        fatal_signal_fork();
        return 0;
    }

    close(fds[1]);
    char c;
    ssize_t n;
    do {
        n = read(fds[0], &c, 1);
    } while (n < 0 && errno == EINTR);
    close(fds[0]);

    if (n != 1) {
        int status = xwaitpid(pid, 0);
        if (WIFEXITED(status)) {
            /* The child said why already, on standard error. */
            exit(WEXITSTATUS(status) ? WEXITSTATUS(status) : EXIT_FAILURE);
        }
        char *msg = describe_status(status);
        ovs_fatal(0, "fork child died before signaling startup (%s)", msg);
    }
    return pid;
}

/* Points standard input, output and error at /dev/null, so that the
 * daemon does not keep its starter's terminal or pipes open. */
static void
close_standard_fds(void)
{
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        for (int i = 0; i < 3; i++) {
            if (fd != i) {
                dup2(fd, i);
            }
        }
        if (fd > 2) {
            close(fd);
        }
    }
    vlog_disable_console();
}

/* Signals after which a daemon is worth restarting: they mean a bug or a
 * hang, not a request to stop. */
static bool
crashed(int status)
{
    static const int crash_signals[] = {
        SIGABRT, SIGALRM, SIGBUS,  SIGFPE,  SIGILL,
        SIGPIPE, SIGSEGV, SIGXCPU, SIGXFSZ,
    };

    if (!WIFSIGNALED(status)) {
        return false;
    }
    if (WCOREDUMP(status)) {
        return true;
    }
    for (size_t i = 0; i < ARRAY_SIZE(crash_signals); i++) {
        if (WTERMSIG(status) == crash_signals[i]) {
            return true;
        }
    }
    return false;
}

/* Waits for 'pid' to exit, running the poll loop so that a fatal signal
 * to the monitor still ends it.  Returns the wait status. */
static int
monitor_wait_for_exit(pid_t pid)
{
    for (;;) {
        int status = xwaitpid(pid, WNOHANG);
        if (status != -1) {
            return status;
        }
        poll_timer_wait(MONITOR_POLL_MSEC);
        poll_block();
    }
}

static void
monitor_sleep_until(long long when)
{
    while (time_msec() < when) {
        poll_timer_wait_until(when);
        poll_block();
    }
}

/* The monitor process: watches daemon 'pid' and forks a new daemon each
 * time one crashes.  Returns only in a newly forked daemon. */
static void
monitor_daemon(pid_t pid)
{
    long long last_restart = LLONG_MIN;
    unsigned int n_crashes = 0;

    vlog_set_subprogram_name("monitor");
    for (;;) {
        int status = monitor_wait_for_exit(pid);
        char *status_msg = describe_status(status);

        if (!crashed(status)) {
            VLOG_INFO("pid %ld died, %s, exiting", (long) pid, status_msg);
            free(status_msg);
            exit(WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_SUCCESS);
        }

        n_crashes++;
        char *msg = xasprintf("%u crashes: pid %ld died, %s", n_crashes,
                              (long) pid, status_msg);
        free(status_msg);

        /* A daemon that crashes at once would otherwise make the monitor
         * spin. */
        long long now = time_msec();
        if (last_restart != LLONG_MIN
            && now < last_restart + MONITOR_RESTART_INTERVAL_MSEC) {
            VLOG_WARN("%s, waiting until 10 seconds since last restart", msg);
            monitor_sleep_until(last_restart + MONITOR_RESTART_INTERVAL_MSEC);
        }
        /* The crashed daemon may have left the file rotated or closed. */
        vlog_reopen_log_file();
        VLOG_ERR("%s, restarting", msg);
        free(msg);
        last_restart = time_msec();

        pid = fork_and_wait_for_startup();
        if (!pid) {
            vlog_set_subprogram_name(NULL);
            return;
        }
    }
}

static void
switch_user(void)
{
    if (geteuid() != 0 && (user_uid != geteuid() || user_gid != getegid())) {
        ovs_fatal(0,
                  "--user=%s: only root can switch to another user, "
                  "aborting.",
                  user_name);
    }

    /* Files created before the switch must stay usable afterwards. */
    if (pidfile_fd >= 0 && fchown(pidfile_fd, user_uid, user_gid)) {
        VLOG_WARN("%s: chown failed (%s)", pidfile, ovs_strerror(errno));
    }
    const char *log_file = vlog_get_log_file();
    if (log_file && chown(log_file, user_uid, user_gid) && errno != ENOENT) {
        VLOG_WARN("%s: chown failed (%s)", log_file, ovs_strerror(errno));
    }

    if (initgroups(user_name, user_gid) || setgid(user_gid)
        || setuid(user_uid)) {
        ovs_fatal(errno, "failed to switch to user %s (uid %ld, gid %ld)",
                  user_name, (long) user_uid, (long) user_gid);
    }
    VLOG_INFO("switched to user %s (uid %ld, gid %ld)", user_name,
              (long) user_uid, (long) user_gid);
}

void
daemon_start(void)
{
    if (detach) {
        if (fork_and_wait_for_startup() > 0) {
            /* The original process: the daemon is ready. */
            fflush(NULL);
            _exit(EXIT_SUCCESS);
        }
        setsid();
    }

    if (monitor) {
        pid_t daemon_pid = fork_and_wait_for_startup();
        if (daemon_pid > 0) {
            /* The monitor: the first daemon is ready, so is the monitor. */
            notify_startup();
            if (detach) {
                if (chdir_on_detach && chdir("/")) {
                    VLOG_WARN("could not change to \"/\" (%s)",
                              ovs_strerror(errno));
                }
                close_standard_fds();
            }
            monitor_daemon(daemon_pid);
        }
    }

    if (pidfile) {
        make_pidfile();
    }
    if (user_name) {
        switch_user();
    }
}

void
daemon_complete(void)
{
    if (completed) {
        return;
    }
    completed = true;

    notify_startup();
    if (detach) {
        if (chdir_on_detach && chdir("/")) {
            VLOG_WARN("could not change to \"/\" (%s)", ovs_strerror(errno));
        }
        close_standard_fds();
    }
}

void
daemon_daemonize(void)
{
    daemon_start();
    daemon_complete();
}

void
daemon_usage(void)
{
    printf("\nDaemon options:\n"
           "  --detach                run in background as daemon\n"
           "  --monitor               creates a process to monitor this "
           "daemon\n"
           "  --user=username[:group] changes the effective daemon "
           "user:group\n"
           "  --no-chdir              do not chdir to '/'\n"
           "  --pidfile[=FILE]        create pidfile (default: %s/%s.pid)\n"
           "  --overwrite-pidfile     with --pidfile, start even if already "
           "running\n",
           ovs_rundir(), program_name);
}

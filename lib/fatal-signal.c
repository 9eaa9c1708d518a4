#include "lib/fatal-signal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/poll-loop.h"
#include "lib/sset.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(fatal_signal);

static const int fatal_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGALRM};

struct hook {
    void (*hook_cb)(void *aux);
    void (*cancel_cb)(void *aux);
    void *aux;
    bool run_at_exit;
};

#define MAX_HOOKS 32
static struct hook hooks[MAX_HOOKS];
static size_t n_hooks;

/* Self-pipe: the handler writes a byte so that poll_block() wakes. */
static int signal_fds[2] = {-1, -1};
static volatile sig_atomic_t stored_sig_nr = SIG_ATOMIC_MAX;
static bool inited;
static bool hooks_ran;

static struct sset files = SSET_INITIALIZER(&files);

static void fatal_signal_atexit_handler(void);
static void call_hooks(int sig_nr);
static void unlink_files(void *aux);

static void
set_nonblocking_cloexec(int fd)
{
    int flags = fcntl(fd, F_GETFL, 0);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static void
fatal_signal_handler(int sig_nr)
{
    int save_errno = errno;
    ssize_t retval OVS_UNUSED = write(signal_fds[1], "", 1);
    stored_sig_nr = sig_nr;
    errno = save_errno;
}

void
fatal_signal_init(void)
{
    if (inited) {
        return;
    }
    inited = true;

    if (pipe(signal_fds)) {
        ovs_fatal(errno, "could not create pipe");
    }
    set_nonblocking_cloexec(signal_fds[0]);
    set_nonblocking_cloexec(signal_fds[1]);

    for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); i++) {
        int sig_nr = fatal_signals[i];
        struct sigaction old_sa;
        if (sigaction(sig_nr, NULL, &old_sa)) {
            ovs_fatal(errno, "sigaction(%d) failed", sig_nr);
        }
        /* A signal that the parent chose to ignore stays ignored (as
         * nohup expects). */
        if (old_sa.sa_handler == SIG_DFL) {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = fatal_signal_handler;
            sigemptyset(&sa.sa_mask);
            sa.sa_flags = SA_RESTART;
            if (sigaction(sig_nr, &sa, NULL)) {
                ovs_fatal(errno, "sigaction(%d) failed", sig_nr);
            }
        }
    }
    atexit(fatal_signal_atexit_handler);
    fatal_signal_add_hook(unlink_files, NULL, NULL, true);
}

void
fatal_signal_add_hook(void (*hook_cb)(void *aux), void (*cancel_cb)(void *aux),
                      void *aux, bool run_at_exit)
{
    fatal_signal_init();
    ovs_assert(n_hooks < MAX_HOOKS);
    hooks[n_hooks++] = (struct hook){hook_cb, cancel_cb, aux, run_at_exit};
}

void
fatal_signal_run(void)
{
    if (!inited || stored_sig_nr == SIG_ATOMIC_MAX) {
        return;
    }
    int sig_nr = stored_sig_nr;
    char buf[16];
    while (read(signal_fds[0], buf, sizeof buf) > 0) {
        continue;
    }

    VLOG_WARN("terminating with signal %d (%s)", sig_nr, strsignal(sig_nr));
    call_hooks(sig_nr);

    /* Die of the same signal, so that our parent (a shell, a monitor
     * process, a test) sees why we exited. */
    signal(sig_nr, SIG_DFL);
    raise(sig_nr);
    _exit(128 + sig_nr);
}

void
fatal_signal_wait(void)
{
    if (inited) {
        poll_fd_wait(signal_fds[0], POLLIN);
    }
}

static void
fatal_signal_atexit_handler(void)
{
    call_hooks(0);
}

static void
call_hooks(int sig_nr)
{
    if (hooks_ran) {
        return;
    }
    hooks_ran = true;
    for (size_t i = 0; i < n_hooks; i++) {
        if (sig_nr || hooks[i].run_at_exit) {
            hooks[i].hook_cb(hooks[i].aux);
        }
    }
}

void
fatal_signal_add_file_to_unlink(const char *file)
{
    fatal_signal_init();
    sset_add(&files, file);
}

void
fatal_signal_remove_file_to_unlink(const char *file)
{
    sset_find_and_delete(&files, file);
}

int
fatal_signal_unlink_file_now(const char *file)
{
    int error = unlink(file) ? errno : 0;
    if (error && error != ENOENT) {
        VLOG_WARN("could not unlink \"%s\" (%s)", file, ovs_strerror(error));
    }
    fatal_signal_remove_file_to_unlink(file);
    return error;
}

static void
unlink_files(void *aux OVS_UNUSED)
{
    const char *file;
    SSET_FOR_EACH (file, &files) {
        unlink(file);
    }
}

void
fatal_signal_fork(void)
{
    for (size_t i = 0; i < n_hooks; i++) {
        if (hooks[i].cancel_cb) {
            hooks[i].cancel_cb(hooks[i].aux);
        }
    }
    sset_clear(&files);
    hooks_ran = false;
    if (stored_sig_nr != SIG_ATOMIC_MAX) {
        raise(stored_sig_nr);
    }
}

void
fatal_ignore_sigpipe(void)
{
    signal(SIGPIPE, SIG_IGN);
}

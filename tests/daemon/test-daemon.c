/* test-daemon: the smallest daemon built the way every Turnout daemon is
 * (daemon options, logging options, a unixctl server, the run/wait/block
 * main loop), with a few commands that let tests drive each of those
 * pieces through ovs-appctl:
 *
 *   exit                      exit cleanly
 *   test/echo [ARG]...        reply with the arguments, space-separated
 *   test/error [TEXT]...      reply with an error
 *   test/defer TEXT           reply with TEXT on the next loop iteration
 *   test/log LEVEL MESSAGE    log MESSAGE at LEVEL (module test_daemon)
 *   test/log-rl COUNT MESSAGE log MESSAGE COUNT times at WARN through a
 *                             rate limit of 600/minute, burst 5
 *   test/crash                abort() (without a core file), so that
 *                             --monitor restarts the daemon */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lib/coverage.h"
#include "lib/daemon.h"
#include "lib/ds.h"
#include "lib/fatal-signal.h"
#include "lib/memory.h"
#include "lib/poll-loop.h"
#include "lib/unixctl.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(test_daemon);

COVERAGE_DEFINE(test_daemon_echo);

static bool exiting;
static unsigned int n_echoes;

/* A reply that test/defer postponed to the next loop iteration. */
static struct unixctl_conn *deferred_conn;
static char *deferred_text;

static void
usage(void)
{
    printf("%s: a daemon for testing daemon, unixctl and vlog\n"
           "usage: %s [OPTIONS]\n",
           program_name, program_name);
    daemon_usage();
    vlog_usage();
    printf("\nOther options:\n"
           "  --unixctl=SOCKET        override default control socket "
           "name\n"
           "  -h, --help              display this help message\n"
           "  -V, --version           display version information\n");
    exit(EXIT_SUCCESS);
}

static const char *
parse_options(int argc, char *argv[])
{
    enum {
        OPT_UNIXCTL = UCHAR_MAX + 1,
        DAEMON_OPTION_ENUMS,
        VLOG_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    const char *unixctl_path = NULL;

    for (;;) {
        int c = getopt_long(argc, argv, "hVv::", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_UNIXCTL:
            unixctl_path = optarg;
            break;
        case 'h':
            usage();
            break;
        case 'V':
            print_program_version();
            exit(EXIT_SUCCESS);
            DAEMON_OPTION_HANDLERS
            VLOG_OPTION_HANDLERS
        case '?':
            exit(EXIT_FAILURE);
        default:
            abort();
        }
    }
    if (optind < argc) {
        ovs_fatal(0, "unexpected argument \"%s\" (use --help for help)",
                  argv[optind]);
    }
    return unixctl_path;
}

static char *
join_args(int argc, const char *argv[])
{
    struct ds s = DS_EMPTY_INITIALIZER;
    for (int i = 1; i < argc; i++) {
        if (i > 1) {
            ds_put_char(&s, ' ');
        }
        ds_put_cstr(&s, argv[i]);
    }
    return ds_steal_cstr(&s);
}

static void
cmd_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
         const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    exiting = true;
    unixctl_command_reply(conn, NULL);
}

static void
cmd_echo(struct unixctl_conn *conn, int argc, const char *argv[],
         void *aux OVS_UNUSED)
{
    COVERAGE_INC(test_daemon_echo);
    n_echoes++;
    char *text = join_args(argc, argv);
    unixctl_command_reply(conn, text);
    free(text);
}

static void
cmd_error(struct unixctl_conn *conn, int argc, const char *argv[],
          void *aux OVS_UNUSED)
{
    char *text = join_args(argc, argv);
    unixctl_command_reply_error(conn, text[0] ? text : "test error");
    free(text);
}

static void
cmd_defer(struct unixctl_conn *conn, int argc OVS_UNUSED, const char *argv[],
          void *aux OVS_UNUSED)
{
    if (deferred_conn) {
        unixctl_command_reply_error(conn, "a deferred reply is pending");
        return;
    }
    deferred_conn = conn;
    deferred_text = xstrdup(argv[1]);
}

static void
cmd_log(struct unixctl_conn *conn, int argc OVS_UNUSED, const char *argv[],
        void *aux OVS_UNUSED)
{
    enum vlog_level level = vlog_get_level_val(argv[1]);
    if (level == VLL_N_LEVELS || level == VLL_OFF) {
        char *error = xasprintf("unknown log level \"%s\"", argv[1]);
        unixctl_command_reply_error(conn, error);
        free(error);
        return;
    }
    vlog(THIS_MODULE, level, "%s", argv[2]);
    unixctl_command_reply(conn, NULL);
}

static void
cmd_log_rl(struct unixctl_conn *conn, int argc OVS_UNUSED, const char *argv[],
           void *aux OVS_UNUSED)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(600, 5);
    int count;
    if (!str_to_int(argv[1], 10, &count) || count < 0) {
        unixctl_command_reply_error(conn, "COUNT must be a nonnegative "
                                          "integer");
        return;
    }
    for (int i = 0; i < count; i++) {
        VLOG_WARN_RL(&rl, "%s", argv[2]);
    }
    unixctl_command_reply(conn, NULL);
}

static void
cmd_crash(struct unixctl_conn *conn OVS_UNUSED, int argc OVS_UNUSED,
          const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    /* A core file would land in the test's directory (or "/"). */
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    abort();
}

static void
report_memory(struct memory_usage *usage, void *aux OVS_UNUSED)
{
    memory_usage_add(usage, "echoes", n_echoes);
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    const char *unixctl_path = parse_options(argc, argv);

    daemon_start();

    struct unixctl_server *server;
    if (unixctl_server_create(unixctl_path, &server)) {
        exit(EXIT_FAILURE);
    }
    unixctl_command_register("exit", "", 0, 0, cmd_exit, NULL);
    unixctl_command_register("test/echo", "[ARG]...", 0, INT_MAX, cmd_echo,
                             NULL);
    unixctl_command_register("test/error", "[TEXT]...", 0, INT_MAX, cmd_error,
                             NULL);
    unixctl_command_register("test/defer", "TEXT", 1, 1, cmd_defer, NULL);
    unixctl_command_register("test/log", "LEVEL MESSAGE", 2, 2, cmd_log, NULL);
    unixctl_command_register("test/log-rl", "COUNT MESSAGE", 2, 2, cmd_log_rl,
                             NULL);
    unixctl_command_register("test/crash", "", 0, 0, cmd_crash, NULL);
    memory_register_reporter(report_memory, NULL);

    daemon_complete();
    VLOG_INFO("%s (Open vSwitch) %s", program_name, OVS_COMPAT_VERSION);

    while (!exiting) {
        /* The deferred reply goes out one iteration after its request, so
         * that it really is sent from outside the command's handler. */
        struct unixctl_conn *conn = deferred_conn;
        char *text = deferred_text;
        deferred_conn = NULL;
        deferred_text = NULL;

        unixctl_server_run(server);
        coverage_run();
        memory_run();

        if (conn) {
            unixctl_command_reply(conn, text);
            free(text);
        }

        unixctl_server_wait(server);
        coverage_wait();
        memory_wait();
        if (exiting || deferred_conn || conn) {
            poll_immediate_wake();
        }
        poll_block();
    }
    unixctl_server_destroy(server);
    return 0;
}

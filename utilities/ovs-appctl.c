/* ovs-appctl: runs one unixctl command in a running daemon and prints
 * its answer, as described in ovs-appctl(8).
 *
 * Exit status: 0 if the command succeeded (its output on standard
 * output), 2 if the daemon answered with an error (its text on standard
 * error), 1 if the daemon could not be reached or the command line is
 * wrong; killed by SIGALRM if --timeout expires. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/daemon.h"
#include "lib/dirs.h"
#include "lib/fatal-signal.h"
#include "lib/jsonrpc.h"
#include "lib/unixctl.h"
#include "lib/util.h"
#include "lib/vlog.h"

static void
usage(void)
{
    printf("%s, for querying and controlling Open vSwitch daemon\n"
           "usage: %s [TARGET] COMMAND [ARG...]\n"
           "Targets:\n"
           "  -t, --target=TARGET  pidfile or socket to contact\n"
           "Common commands:\n"
           "  list-commands      List commands supported by the target\n"
           "  version            Print version of the target\n"
           "  vlog/list          List current logging levels\n"
           "  vlog/list-pattern  List logging patterns for each "
           "destination.\n"
           "  vlog/set [SPEC]\n"
           "      Set log levels as detailed in SPEC, which may include:\n"
           "      A valid module name (all modules, by default)\n"
           "      'syslog', 'console', 'file' (all destinations, by "
           "default))\n"
           "      'off', 'emer', 'err', 'warn', 'info', or 'dbg' ('dbg', "
           "bydefault)\n"
           "  vlog/reopen        Make the program reopen its log file\n"
           "Other options:\n"
           "  --timeout=SECS     wait at most SECS seconds for a response\n"
           "  -h, --help         Print this helpful information\n"
           "  -V, --version      Display ovs-appctl version information\n",
           program_name, program_name);
    exit(EXIT_SUCCESS);
}

/* Prints every option as OVS's hidden --option does, for shell
 * completion scripts. */
static void
print_options(const struct option *options)
{
    for (const struct option *o = options; o->name; o++) {
        const char *arg = (o->has_arg == required_argument   ? "ARG"
                           : o->has_arg == optional_argument ? "[ARG]"
                                                             : NULL);
        printf("--%s%s%s\n", o->name, arg ? "=" : "", arg ? arg : "");
        if (o->flag == NULL && o->val > 0 && o->val < 128) {
            printf("-%c %s\n", o->val, arg ? arg : "");
        }
    }
}

static const char *
parse_command_line(int argc, char *argv[])
{
    enum { OPT_START = UCHAR_MAX + 1, VLOG_OPTION_ENUMS };
    static const struct option long_options[] = {
        {"target", required_argument, NULL, 't'},
        {"execute", no_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {"option", no_argument, NULL, 'o'},
        {"version", no_argument, NULL, 'V'},
        {"timeout", required_argument, NULL, 'T'},
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    const char *target = NULL;

    for (;;) {
        int c = getopt_long(argc, argv, "+t:ehoVT:v::", long_options, NULL);
        if (c == -1) {
            break;
        }

        int timeout;
        switch (c) {
        case 't':
            if (target) {
                ovs_fatal(0, "-t or --target may be specified only once");
            }
            target = optarg;
            break;

        case 'e':
            /* Old versions took the command as -e's argument; now it is
             * accepted and ignored, as in OVS. */
            break;

        case 'h':
            usage();
            break;

        case 'o':
            print_options(long_options);
            exit(EXIT_SUCCESS);

        case 'T':
            if (!str_to_int(optarg, 10, &timeout) || timeout <= 0) {
                ovs_fatal(0, "value %s on -T or --timeout is invalid", optarg);
            }
            /* The default action of SIGALRM, after fatal-signal's clean-up,
             * kills us: the documented way --timeout ends. */
            fatal_signal_init();
            alarm(timeout);
            break;

        case 'V':
            print_program_version();
            exit(EXIT_SUCCESS);

            VLOG_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);

        default:
            abort();
        }
    }

    if (optind >= argc) {
        ovs_fatal(0, "at least one non-option argument is required "
                     "(use --help for help)");
    }
    return target ? target : "ovs-vswitchd";
}

/* Connects to 'target': a socket name if it starts with "/", otherwise a
 * program name whose pidfile in $OVS_RUNDIR gives the pid in the socket's
 * name. */
static struct jsonrpc *
connect_to_target(const char *target)
{
    char *socket_name;
    if (target[0] != '/') {
        char *pidfile_name = xasprintf("%s/%s.pid", ovs_rundir(), target);
        pid_t pid = daemon_read_pidfile(pidfile_name);
        if (pid < 0) {
            ovs_fatal(-pid, "cannot read pidfile \"%s\"", pidfile_name);
        }
        free(pidfile_name);
        socket_name =
            xasprintf("%s/%s.%ld.ctl", ovs_rundir(), target, (long) pid);
    } else {
        socket_name = xstrdup(target);
    }

    struct jsonrpc *client;
    int error = unixctl_client_create(socket_name, &client);
    if (error) {
        ovs_fatal(error, "cannot connect to \"%s\"", socket_name);
    }
    free(socket_name);
    return client;
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    fatal_ignore_sigpipe();

    const char *target = parse_command_line(argc, argv);
    struct jsonrpc *client = connect_to_target(target);

    const char *command = argv[optind];
    char *cmd_result, *cmd_error;
    int error =
        unixctl_client_transact(client, command, argc - optind - 1,
                                argv + optind + 1, &cmd_result, &cmd_error);
    if (error) {
        ovs_fatal(error, "%s: transaction error", target);
    }

    if (cmd_error) {
        jsonrpc_close(client);
        fputs(cmd_error, stderr);
        ovs_error(0, "%s: server returned an error", target);
        exit(2);
    } else if (cmd_result) {
        fputs(cmd_result, stdout);
    } else {
        ovs_fatal(0, "%s: no result or error in reply", target);
    }

    jsonrpc_close(client);
    free(cmd_result);
    free(cmd_error);
    return 0;
}

/* Running as a daemon, the way OVS daemons do: pidfiles, detaching,
 * a monitor process that restarts the daemon after a crash, dropping
 * privileges.
 *
 * A daemon parses the options with the DAEMON_* macros below, then:
 *
 *     daemon_start();             fork, monitor, pidfile, user
 *     ...                         open sockets, the unixctl server, ...
 *     daemon_complete();          start-up done: the parent exits 0
 *
 * With --detach, the process that ran the program waits until the daemon
 * calls daemon_complete() and only then exits with status 0, so that
 * whoever started it knows it is ready; if the daemon dies first, the
 * parent exits with the daemon's exit status (1 if it was killed). */
#ifndef LIB_DAEMON_H
#define LIB_DAEMON_H 1

#include <stdbool.h>
#include <sys/types.h>

/* Options. */

/* --pidfile[=FILE]: 'name' NULL means $OVS_RUNDIR/<program>.pid; a
 * relative name is taken relative to $OVS_RUNDIR. */
void daemon_set_pidfile(const char *name);
/* Returns the pidfile's absolute name, or NULL if there is none. */
const char *daemon_get_pidfile(void);
/* --overwrite-pidfile: start even if the pidfile names a running
 * process. */
void daemon_set_overwrite_pidfile(void);
void daemon_set_detach(void);
bool daemon_get_detach(void);
/* --no-chdir: stay in the current directory after detaching. */
void daemon_set_no_chdir(void);
void daemon_set_monitor(void);
/* --user=USER[:GROUP]: exits with an error if there is no such user or
 * group. */
void daemon_set_user(const char *user_spec);

/* Start-up. */

/* Does what the options ask for, in OVS's order: detaches (the original
 * process waits in here and never returns), starts the monitor (which
 * stays in here for good, forking a new daemon after each crash), creates
 * the pidfile (exiting with OVS's message if another instance holds it),
 * and switches user.  Returns in the daemon process. */
void daemon_start(void);
/* Tells the waiting parent that start-up succeeded and, with --detach,
 * changes to "/" (unless --no-chdir), points the standard file
 * descriptors at /dev/null and turns console logging off.  Safe to call
 * more than once. */
void daemon_complete(void);
/* daemon_start() and daemon_complete() together, for daemons with nothing
 * to set up in between. */
void daemon_daemonize(void);

/* Pidfiles. */

/* Returns the pid of the process that holds the pidfile 'name' locked,
 * or a negative errno value: -ENOENT if there is no such file, -ESRCH if
 * nothing holds it (a stale pidfile).  Logs a warning on failure other
 * than -ESRCH, as ovs-appctl shows. */
pid_t daemon_read_pidfile(const char *name);

/* Prints the help text for the daemon options. */
void daemon_usage(void);

/* getopt_long() glue:
 *
 *     enum { ..., DAEMON_OPTION_ENUMS };
 *     static struct option long_options[] = { ..., DAEMON_LONG_OPTIONS };
 *     switch (c) { ... DAEMON_OPTION_HANDLERS }
 *
 * OVS accepts --no-self-confinement (do not confine the daemon to its own
 * directories with SELinux/AppArmor); Turnout never confines itself, so
 * it accepts the option with nothing to do. */
#define DAEMON_OPTION_ENUMS                                                   \
    OPT_DETACH, OPT_NO_CHDIR, OPT_NO_SELF_CONFINEMENT, OPT_OVERWRITE_PIDFILE, \
        OPT_PIDFILE, OPT_MONITOR, OPT_USER_GROUP

#define DAEMON_LONG_OPTIONS                                                   \
    {"detach", no_argument, NULL, OPT_DETACH},                                \
        {"no-chdir", no_argument, NULL, OPT_NO_CHDIR},                        \
        {"no-self-confinement", no_argument, NULL, OPT_NO_SELF_CONFINEMENT},  \
        {"pidfile", optional_argument, NULL, OPT_PIDFILE},                    \
        {"overwrite-pidfile", no_argument, NULL, OPT_OVERWRITE_PIDFILE},      \
        {"monitor", no_argument, NULL, OPT_MONITOR},                          \
    {                                                                         \
        "user", required_argument, NULL, OPT_USER_GROUP                       \
    }

#define DAEMON_OPTION_HANDLERS                                                \
    case OPT_DETACH:                                                          \
        daemon_set_detach();                                                  \
        break;                                                                \
    case OPT_NO_CHDIR:                                                        \
        daemon_set_no_chdir();                                                \
        break;                                                                \
    case OPT_NO_SELF_CONFINEMENT:                                             \
        break;                                                                \
    case OPT_PIDFILE:                                                         \
        daemon_set_pidfile(optarg);                                           \
        break;                                                                \
    case OPT_OVERWRITE_PIDFILE:                                               \
        daemon_set_overwrite_pidfile();                                       \
        break;                                                                \
    case OPT_MONITOR:                                                         \
        daemon_set_monitor();                                                 \
        break;                                                                \
    case OPT_USER_GROUP:                                                      \
        daemon_set_user(optarg);                                              \
        break;

#endif /* lib/daemon.h */

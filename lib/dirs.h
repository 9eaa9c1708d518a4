/* The directories where programs look for and put their files, as OVS
 * names them.  Each can be overridden by an environment variable (the
 * test sandbox and OVS's own sandboxes rely on this); the compile-time
 * defaults come from meson (config.h).
 *
 *     ovs_sysconfdir()   $OVS_SYSCONFDIR or TURNOUT_SYSCONFDIR
 *     ovs_pkgdatadir()   $OVS_PKGDATADIR or TURNOUT_PKGDATADIR
 *     ovs_rundir()       $OVS_RUNDIR or TURNOUT_RUNDIR
 *     ovs_logdir()       $OVS_LOGDIR or TURNOUT_LOGDIR
 *     ovs_dbdir()        $OVS_DBDIR, else $OVS_SYSCONFDIR/openvswitch,
 *                        else TURNOUT_DBDIR
 *     ovs_bindir()       $OVS_BINDIR or TURNOUT_BINDIR
 *
 * An empty variable counts as unset.  Values are read once, on first
 * use, and the returned strings live as long as the process. */
#ifndef LIB_DIRS_H
#define LIB_DIRS_H 1

const char *ovs_sysconfdir(void);
const char *ovs_pkgdatadir(void);
const char *ovs_rundir(void);
const char *ovs_logdir(void);
const char *ovs_dbdir(void);
const char *ovs_bindir(void);

#endif /* lib/dirs.h */

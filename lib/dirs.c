#include "lib/dirs.h"

#include <pthread.h>
#include <stdlib.h>

#include "lib/util.h"

struct dirs {
    const char *sysconfdir;
    const char *pkgdatadir;
    const char *rundir;
    const char *logdir;
    const char *dbdir;
    const char *bindir;
};

static struct dirs dirs;
static pthread_once_t dirs_once = PTHREAD_ONCE_INIT;

/* Returns $'var' if it is set and nonempty, otherwise 'fallback'. */
static const char *
env_or(const char *var, const char *fallback)
{
    const char *value = getenv(var);
    return value && value[0] ? value : fallback;
}

static void
dirs_init(void)
{
    dirs.sysconfdir = env_or("OVS_SYSCONFDIR", TURNOUT_SYSCONFDIR);
    dirs.pkgdatadir = env_or("OVS_PKGDATADIR", TURNOUT_PKGDATADIR);
    dirs.rundir = env_or("OVS_RUNDIR", TURNOUT_RUNDIR);
    dirs.logdir = env_or("OVS_LOGDIR", TURNOUT_LOGDIR);
    dirs.bindir = env_or("OVS_BINDIR", TURNOUT_BINDIR);

    /* OVS keeps the database under the configuration directory, so
     * moving only OVS_SYSCONFDIR moves the database with it. */
    const char *dbdir = env_or("OVS_DBDIR", NULL);
    if (dbdir) {
        dirs.dbdir = dbdir;
    } else {
        const char *sysconfdir = env_or("OVS_SYSCONFDIR", NULL);
        dirs.dbdir = (sysconfdir ? xasprintf("%s/openvswitch", sysconfdir)
                                 : TURNOUT_DBDIR);
    }
}

#define DIRS_GETTER(NAME)                                                     \
    const char *ovs_##NAME(void)                                              \
    {                                                                         \
        pthread_once(&dirs_once, dirs_init);                                  \
        return dirs.NAME;                                                     \
    }

DIRS_GETTER(sysconfdir)
DIRS_GETTER(pkgdatadir)
DIRS_GETTER(rundir)
DIRS_GETTER(logdir)
DIRS_GETTER(dbdir)
DIRS_GETTER(bindir)

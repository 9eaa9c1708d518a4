/* ovs-vsctl: what its modules (ovs-vsctl.c, vsctl-bridge.c) share. */
#ifndef UTILITIES_VSCTL_H
#define UTILITIES_VSCTL_H 1

#include "utilities/db-ctl.h"

/* Bridge, port and interface commands, and init/show/emer-reset. */
extern const struct ctl_command_syntax vsctl_bridge_commands[];

/* The row naming rules of the Open_vSwitch database. */
extern struct ctl_table_class vsctl_tables[];
void vsctl_tables_init(void);

/* Drops the cache of bridges, ports and interfaces that the bridge
 * commands build (after a command changed the database). */
void vsctl_invalidate_cache(struct ctl_context *);
/* Frees the per-run state of the bridge commands. */
void vsctl_context_done(struct ctl_context *);

#endif /* utilities/vsctl.h */

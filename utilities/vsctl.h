/* ovs-vsctl: what its modules (ovs-vsctl.c, vsctl-bridge.c,
 * vsctl-remotes.c) share. */
#ifndef UTILITIES_VSCTL_H
#define UTILITIES_VSCTL_H 1

#include "utilities/db-ctl.h"

/* Bridge, port and interface commands, and init/show/emer-reset. */
extern const struct ctl_command_syntax vsctl_bridge_commands[];

/* Controller, fail-mode, manager and SSL commands, and emer-reset. */
extern const struct ctl_command_syntax vsctl_remote_commands[];

/* The row naming rules of the Open_vSwitch database. */
extern struct ctl_table_class vsctl_tables[];
void vsctl_tables_init(void);

/* Drops the cache of bridges, ports and interfaces that the bridge
 * commands build (after a command changed the database). */
void vsctl_invalidate_cache(struct ctl_context *);
/* Frees the per-run state of the bridge commands. */
void vsctl_context_done(struct ctl_context *);

struct ovsrec_bridge;
struct ovsrec_open_vswitch;

/* The bridge called 'name', or NULL or a fatal "no bridge named" error,
 * depending on 'must_exist'. */
const struct ovsrec_bridge *
vsctl_find_bridge(struct ctl_context *, const char *name, bool must_exist);
/* The Open_vSwitch row, inserted by this transaction if there is none. */
const struct ovsrec_open_vswitch *vsctl_get_ovs(struct ctl_context *);
/* Prints 'names' (which it sorts in place) to the command's output, one a
 * line. */
void vsctl_output_sorted(struct ctl_context *, const char **names, size_t n);

#endif /* utilities/vsctl.h */

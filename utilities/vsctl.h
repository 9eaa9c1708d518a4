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

/* add-port's column settings: ctx->argv[first...] are
 * "COLUMN[:KEY]=VALUE" settings of the new Port row.  The first makes
 * the IDL replicate those columns; the second applies the settings to
 * the Port named 'port_name' (inserted by the transaction). */
void vsctl_add_port_setting_columns(struct ctl_context *, int first);
void vsctl_apply_port_settings(struct ctl_context *, const char *port_name,
                               int first);

/* The fast path of add-port and del-port (vsctl-ports.c).  If 'commands'
 * is one add-port or del-port, replaces its syntax by one whose
 * prerequisites replicate only the rows it needs and returns true.  A
 * fast command that cannot finish on that replica sets ctx->try_again
 * and makes vsctl_ports_fallback_requested() true: the caller then calls
 * vsctl_ports_leave_fast_path(), which restores the general syntax, and
 * starts over with a new IDL. */
bool vsctl_ports_use_fast_path(struct ctl_command *commands, size_t n);
bool vsctl_ports_fallback_requested(void);
void vsctl_ports_leave_fast_path(struct ctl_command *commands, size_t n);

#endif /* utilities/vsctl.h */

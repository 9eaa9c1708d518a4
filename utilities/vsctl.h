/* ovs-vsctl: what its modules share: ovs-vsctl.c (the program),
 * vsctl-cache.c (bridges, ports and interfaces as the commands see them),
 * vsctl-bridge.c (bridge, port, bond and interface commands),
 * vsctl-remotes.c (controllers, managers, SSL, emer-reset),
 * vsctl-datapath.c (datapath, zone and Auto-Attach commands) and
 * vsctl-show.c. */
#ifndef UTILITIES_VSCTL_H
#define UTILITIES_VSCTL_H 1

#include "lib/hmap.h"
#include "utilities/db-ctl.h"

/* init, and the bridge, port, bond and interface commands. */
extern const struct ctl_command_syntax vsctl_bridge_commands[];

/* Datapath capabilities, conntrack zone timeout policies, Auto-Attach. */
extern const struct ctl_command_syntax vsctl_datapath_commands[];

/* show. */
extern const struct ctl_command_syntax vsctl_show_commands[];

/* Controller, fail-mode, manager and SSL commands, and emer-reset. */
extern const struct ctl_command_syntax vsctl_remote_commands[];

/* The row naming rules of the Open_vSwitch database. */
extern struct ctl_table_class vsctl_tables[];
void vsctl_tables_init(void);

/* The cache of bridges, ports and interfaces (vsctl-cache.c).  Each struct
 * starts with its hmap_node. */
struct vsctl_bridge {
    struct hmap_node node; /* By name. */
    const char *name;
    /* The Bridge row: for a fake bridge, its parent's. */
    const struct ovsrec_bridge *br_cfg;
    /* A fake bridge's own Port row and VLAN; NULL and 0 for a real one. */
    const struct ovsrec_port *fake_port;
    int vlan;
    struct vsctl_bridge *parent; /* NULL for a real bridge. */
};

struct vsctl_port {
    struct hmap_node node; /* By name. */
    const char *name;
    const struct ovsrec_port *port_cfg;
    struct vsctl_bridge *bridge; /* The fake bridge, for a port on one. */
    /* Its interfaces as the transaction leaves them. */
    const struct ovsrec_interface **ifaces;
    size_t n_ifaces;
};

struct vsctl_iface {
    struct hmap_node node; /* By name. */
    const char *name;
    const struct ovsrec_interface *iface_cfg;
    struct vsctl_port *port;
};

/* Makes the IDL replicate what the cache reads. */
void vsctl_pre_cache(struct ctl_context *);
/* Lookups by name: NULL, or a fatal "no bridge/port/interface named"
 * error, when there is none, depending on 'must_exist'.  A bridge's own
 * port and interface, named after it, are not found. */
struct vsctl_bridge *vsctl_cache_find_bridge(struct ctl_context *,
                                             const char *name,
                                             bool must_exist);
struct vsctl_port *vsctl_cache_find_port(struct ctl_context *,
                                         const char *name, bool must_exist);
struct vsctl_iface *vsctl_cache_find_iface(struct ctl_context *,
                                           const char *name, bool must_exist);
/* The local port of the bridge called 'name' (which the lookups above do
 * not find), or NULL. */
struct vsctl_port *vsctl_cache_find_local_port(struct ctl_context *,
                                               const char *name);
/* The whole maps, for listings. */
const struct hmap *vsctl_cache_bridges(struct ctl_context *);
const struct hmap *vsctl_cache_ports(struct ctl_context *);
const struct hmap *vsctl_cache_ifaces(struct ctl_context *);
/* Makes the commit depend on every port's interfaces being unchanged. */
void vsctl_verify_ifaces(struct ctl_context *);

/* Drops the cache (after a command changed the database). */
void vsctl_invalidate_cache(struct ctl_context *);
/* Frees the per-run state of the bridge commands. */
void vsctl_context_done(struct ctl_context *);

struct ovsrec_bridge;
struct ovsrec_interface;
struct ovsrec_open_vswitch;
struct ovsrec_port;
struct uuid;

/* The Bridge row of the bridge called 'name' (its parent's for a fake
 * bridge), or NULL or a fatal "no bridge named" error, depending on
 * 'must_exist'. */
const struct ovsrec_bridge *
vsctl_find_bridge(struct ctl_context *, const char *name, bool must_exist);
/* The same for a command that only a real bridge takes: a fake one is a
 * fatal "is a fake bridge" error. */
const struct ovsrec_bridge *vsctl_find_real_bridge(struct ctl_context *,
                                                   const char *name,
                                                   bool must_exist);
/* The UUIDs (in the open transaction) of the interfaces that the bridge
 * commands inserted since vsctl_forget_new_ifaces(). */
const struct uuid *vsctl_new_ifaces(size_t *n);
void vsctl_forget_new_ifaces(void);
/* The Open_vSwitch row, inserted by this transaction if there is none. */
const struct ovsrec_open_vswitch *vsctl_get_ovs(struct ctl_context *);
/* Prints 'names' (which it sorts in place) to the command's output, one a
 * line. */
void vsctl_output_sorted(struct ctl_context *, const char **names, size_t n);

#endif /* utilities/vsctl.h */

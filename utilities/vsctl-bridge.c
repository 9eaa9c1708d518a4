/* ovs-vsctl: init and the bridge (real and fake VLAN), port, bond and
 * interface commands, on top of the db-ctl framework and the cache of
 * vsctl-cache.c.  show is in vsctl-show.c; controllers, managers and SSL
 * are in vsctl-remotes.c. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/idl-txn.h"
#include "ovsdb/idl.h"
#include "ovsdb/vswitch-idl.h"
#include "utilities/vsctl.h"

/* Row naming rules, as ovs-vsctl(8) documents them. */
struct ctl_table_class vsctl_tables[OVSREC_N_TABLES];

static void
set_row_id(int t, int i, const struct idl_table_class *table,
           const struct idl_column *name, const struct idl_column *uuid)
{
    struct ctl_table_class *c = &vsctl_tables[t];
    c->row_ids[i].table = table;
    c->row_ids[i].name_column = name;
    c->row_ids[i].uuid_column = uuid;
}

void
vsctl_tables_init(void)
{
    set_row_id(OVSREC_TABLE_AUTOATTACH, 0, ovsrec_table_bridge,
               ovsrec_bridge_col_name, ovsrec_bridge_col_auto_attach);
    set_row_id(OVSREC_TABLE_BRIDGE, 0, ovsrec_table_bridge,
               ovsrec_bridge_col_name, NULL);
    set_row_id(OVSREC_TABLE_CONTROLLER, 0, ovsrec_table_bridge,
               ovsrec_bridge_col_name, ovsrec_bridge_col_controller);
    set_row_id(OVSREC_TABLE_FLOW_SAMPLE_COLLECTOR_SET, 0,
               ovsrec_table_flow_sample_collector_set,
               ovsrec_flow_sample_collector_set_col_id, NULL);
    set_row_id(OVSREC_TABLE_FLOW_TABLE, 0, ovsrec_table_flow_table,
               ovsrec_flow_table_col_name, NULL);
    set_row_id(OVSREC_TABLE_IPFIX, 0, ovsrec_table_bridge,
               ovsrec_bridge_col_name, ovsrec_bridge_col_ipfix);
    set_row_id(OVSREC_TABLE_INTERFACE, 0, ovsrec_table_interface,
               ovsrec_interface_col_name, NULL);
    set_row_id(OVSREC_TABLE_MANAGER, 0, ovsrec_table_manager,
               ovsrec_manager_col_target, NULL);
    set_row_id(OVSREC_TABLE_MIRROR, 0, ovsrec_table_mirror,
               ovsrec_mirror_col_name, NULL);
    set_row_id(OVSREC_TABLE_NETFLOW, 0, ovsrec_table_bridge,
               ovsrec_bridge_col_name, ovsrec_bridge_col_netflow);
    set_row_id(OVSREC_TABLE_OPEN_VSWITCH, 0, ovsrec_table_open_vswitch, NULL,
               NULL);
    set_row_id(OVSREC_TABLE_PORT, 0, ovsrec_table_port, ovsrec_port_col_name,
               NULL);
    set_row_id(OVSREC_TABLE_QOS, 0, ovsrec_table_port, ovsrec_port_col_name,
               ovsrec_port_col_qos);
    set_row_id(OVSREC_TABLE_SSL, 0, ovsrec_table_open_vswitch, NULL,
               ovsrec_open_vswitch_col_ssl);
    set_row_id(OVSREC_TABLE_SFLOW, 0, ovsrec_table_bridge,
               ovsrec_bridge_col_name, ovsrec_bridge_col_sflow);
}

/* Lookups. */

const struct ovsrec_bridge *
vsctl_find_bridge(struct ctl_context *ctx, const char *name, bool must_exist)
{
    struct vsctl_bridge *br = vsctl_cache_find_bridge(ctx, name, must_exist);
    return br ? br->br_cfg : NULL;
}

const struct ovsrec_bridge *
vsctl_find_real_bridge(struct ctl_context *ctx, const char *name,
                       bool must_exist)
{
    struct vsctl_bridge *br = vsctl_cache_find_bridge(ctx, name, must_exist);
    if (br && br->parent) {
        ctl_fatal("%s is a fake bridge", name);
    }
    return br ? br->br_cfg : NULL;
}

/* Prints 'names' sorted, one a line. */
void
vsctl_output_sorted(struct ctl_context *ctx, const char **names, size_t n)
{
    if (n > 1) {
        qsort(names, n, sizeof *names, str_compare_ptrs);
    }
    for (size_t i = 0; i < n; i++) {
        ds_put_format(&ctx->output, "%s\n", names[i]);
    }
}

/* A growable array of names. */
struct names {
    const char **names;
    size_t n, allocated;
};

static void
names_add(struct names *names, const char *name)
{
    if (names->n >= names->allocated) {
        names->names =
            x2nrealloc(names->names, &names->allocated, sizeof *names->names);
    }
    names->names[names->n++] = name;
}

static void
names_output(struct ctl_context *ctx, struct names *names)
{
    vsctl_output_sorted(ctx, names->names, names->n);
    free(names->names);
}

/* The bridge commands read only what the cache reads: replicating less
 * keeps them fast on a big database. */
static void
pre_get_info(struct ctl_context *ctx)
{
    vsctl_pre_cache(ctx);
}

static void
pre_external_ids(struct ctl_context *ctx)
{
    vsctl_pre_cache(ctx);
    idl_add_column(ctx->idl, ovsrec_bridge_col_external_ids);
    idl_add_column(ctx->idl, ovsrec_port_col_external_ids);
}

const struct ovsrec_open_vswitch *
vsctl_get_ovs(struct ctl_context *ctx)
{
    const struct ovsrec_open_vswitch *ovs =
        ovsrec_open_vswitch_first(ctx->idl);
    if (!ovs) {
        ovs = ovsrec_open_vswitch_insert(ctx->txn);
    }
    return ovs;
}

/* Fails with "<what> because a bridge/port/interface named NAME already
 * exists..." if something already has 'name'. */
static void
check_conflicts(struct ctl_context *ctx, const char *name, const char *what)
{
    if (vsctl_cache_find_bridge(ctx, name, false)) {
        ctl_fatal("%s because a bridge named %s already exists", what, name);
    }
    const struct vsctl_port *port = vsctl_cache_find_port(ctx, name, false);
    if (port) {
        ctl_fatal("%s because a port named %s already exists on bridge %s",
                  what, name, port->bridge->name);
    }
    const struct vsctl_iface *iface = vsctl_cache_find_iface(ctx, name, false);
    if (iface) {
        ctl_fatal("%s because an interface named %s already exists on "
                  "bridge %s",
                  what, name, iface->port->bridge->name);
    }
}

/* The command line of the running command, for error messages that quote
 * it: its options, then its words. */
static char *
quote_command(const struct ctl_context *ctx)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    if (ctl_has_option(ctx, "--may-exist")) {
        ds_put_cstr(&s, "--may-exist ");
    }
    for (int i = 0; i < ctx->argc; i++) {
        ds_put_format(&s, "%s%s", i ? " " : "", ctx->argv[i]);
    }
    return ds_steal_cstr(&s);
}

/* init. */

static void
cmd_init(struct ctl_context *ctx)
{
    (void) ctx;
}

/* list-br, br-exists, br-to-vlan, br-to-parent, br-*-external-id. */

static void
cmd_list_br(struct ctl_context *ctx)
{
    bool real = ctl_has_option(ctx, "--real");
    bool fake = ctl_has_option(ctx, "--fake");
    if (!real && !fake) {
        real = fake = true;
    }

    struct names names = {NULL, 0, 0};
    const struct vsctl_bridge *br;
    HMAP_FOR_EACH (br, node, vsctl_cache_bridges(ctx)) {
        if (br->parent ? fake : real) {
            names_add(&names, br->name);
        }
    }
    names_output(ctx, &names);
}

static void
cmd_br_exists(struct ctl_context *ctx)
{
    if (!vsctl_cache_find_bridge(ctx, ctx->argv[1], false)) {
        exit(2);
    }
}

static void
cmd_br_to_vlan(struct ctl_context *ctx)
{
    const struct vsctl_bridge *br =
        vsctl_cache_find_bridge(ctx, ctx->argv[1], true);
    ds_put_format(&ctx->output, "%d\n", br->vlan);
}

static void
cmd_br_to_parent(struct ctl_context *ctx)
{
    const struct vsctl_bridge *br =
        vsctl_cache_find_bridge(ctx, ctx->argv[1], true);
    ds_put_format(&ctx->output, "%s\n",
                  br->parent ? br->parent->name : br->name);
}

/* A fake bridge keeps its external IDs in its Port row, each key with
 * this prefix. */
#define FAKE_BRIDGE_KEY_PREFIX "fake-bridge-"

static void
cmd_br_set_external_id(struct ctl_context *ctx)
{
    const struct vsctl_bridge *br =
        vsctl_cache_find_bridge(ctx, ctx->argv[1], true);
    const char *value = ctx->argc > 3 ? ctx->argv[3] : NULL;
    if (br->parent) {
        char *key = xasprintf(FAKE_BRIDGE_KEY_PREFIX "%s", ctx->argv[2]);
        if (value) {
            ovsrec_port_update_external_ids_setkey(br->fake_port, key, value);
        } else {
            ovsrec_port_update_external_ids_delkey(br->fake_port, key);
        }
        free(key);
    } else if (value) {
        ovsrec_bridge_update_external_ids_setkey(br->br_cfg, ctx->argv[2],
                                                 value);
    } else {
        ovsrec_bridge_update_external_ids_delkey(br->br_cfg, ctx->argv[2]);
    }
}

static void
cmd_br_get_external_id(struct ctl_context *ctx)
{
    const struct vsctl_bridge *br =
        vsctl_cache_find_bridge(ctx, ctx->argv[1], true);
    const struct smap *ids =
        br->parent ? &br->fake_port->external_ids : &br->br_cfg->external_ids;
    const char *prefix = br->parent ? FAKE_BRIDGE_KEY_PREFIX : "";
    size_t prefix_len = strlen(prefix);

    if (ctx->argc > 2) {
        char *key = xasprintf("%s%s", prefix, ctx->argv[2]);
        const char *value = smap_get(ids, key);
        if (value) {
            ds_put_format(&ctx->output, "%s\n", value);
        }
        free(key);
    } else {
        const struct smap_node **nodes = smap_sort(ids);
        for (size_t i = 0; i < smap_count(ids); i++) {
            if (!strncmp(nodes[i]->key, prefix, prefix_len)) {
                ds_put_format(&ctx->output, "%s=%s\n",
                              nodes[i]->key + prefix_len, nodes[i]->value);
            }
        }
        free(nodes);
    }
}

/* add-br, del-br. */

/* The interfaces that the bridge commands of this run inserted (their
 * UUIDs in the transaction), so that ovs-vsctl can report those that
 * ovs-vswitchd fails to set up. */
static struct uuid *new_ifaces;
static size_t n_new_ifaces, allocated_new_ifaces;

const struct ovsrec_interface *
vsctl_insert_iface(struct ctl_context *ctx, const char *name, bool internal)
{
    struct ovsrec_interface *iface = ovsrec_interface_insert(ctx->txn);
    ovsrec_interface_set_name(iface, name);
    if (internal) {
        ovsrec_interface_set_type(iface, "internal");
    }
    if (n_new_ifaces >= allocated_new_ifaces) {
        new_ifaces =
            x2nrealloc(new_ifaces, &allocated_new_ifaces, sizeof *new_ifaces);
    }
    new_ifaces[n_new_ifaces++] = iface->header_.uuid;
    return iface;
}

const struct uuid *
vsctl_new_ifaces(size_t *n)
{
    *n = n_new_ifaces;
    return new_ifaces;
}

void
vsctl_forget_new_ifaces(void)
{
    n_new_ifaces = 0;
}

static const struct ovsrec_port *
insert_port(struct ctl_context *ctx, const char *name,
            const struct ovsrec_interface **ifaces, size_t n_ifaces)
{
    struct ovsrec_port *port = ovsrec_port_insert(ctx->txn);
    ovsrec_port_set_name(port, name);
    ovsrec_port_set_interfaces(port, (struct ovsrec_interface **) ifaces,
                               n_ifaces);
    return port;
}

/* "--may-exist add-br" of an existing bridge: fine if it is the bridge
 * asked for, an error otherwise. */
static void
check_existing_bridge(const struct vsctl_bridge *br, const char *parent,
                      int vlan)
{
    const char *name = br->name;
    if (!parent) {
        if (br->parent) {
            ctl_fatal("\"--may-exist add-br %s\" but %s is a VLAN bridge for "
                      "VLAN %d",
                      name, name, br->vlan);
        }
        return;
    }
    if (!br->parent) {
        ctl_fatal("\"--may-exist add-br %s %s %d\" but %s is not a VLAN "
                  "bridge",
                  name, parent, vlan, name);
    } else if (strcmp(br->parent->name, parent)) {
        ctl_fatal("\"--may-exist add-br %s %s %d\" but %s has the wrong "
                  "parent %s",
                  name, parent, vlan, name, br->parent->name);
    } else if (br->vlan != vlan) {
        ctl_fatal("\"--may-exist add-br %s %s %d\" but %s is a VLAN bridge "
                  "for the wrong VLAN %d",
                  name, parent, vlan, name, br->vlan);
    }
}

static void
cmd_add_br(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const char *parent_name = NULL;
    int vlan = 0;

    if (ctx->argc == 4) {
        parent_name = ctx->argv[2];
        /* OVS reads the VLAN with atoi(): "abc" is VLAN 0. */
        vlan = atoi(ctx->argv[3]);
        if (vlan < 0 || vlan > 4095) {
            ctl_fatal("%s: vlan must be between 0 and 4095", ctx->argv[0]);
        }
    } else if (ctx->argc != 2) {
        ctl_fatal("'%s' command takes exactly 1 or 3 arguments", ctx->argv[0]);
    }

    const struct vsctl_bridge *br = vsctl_cache_find_bridge(ctx, name, false);
    if (br && ctl_has_option(ctx, "--may-exist")) {
        check_existing_bridge(br, parent_name, vlan);
        return;
    }
    char *what = xasprintf("cannot create a bridge named %s", name);
    check_conflicts(ctx, name, what);
    free(what);

    const struct ovsrec_interface *iface = vsctl_insert_iface(ctx, name, true);
    const struct ovsrec_port *port = insert_port(ctx, name, &iface, 1);
    if (!parent_name) {
        struct ovsrec_bridge *new_br = ovsrec_bridge_insert(ctx->txn);
        ovsrec_bridge_set_name(new_br, name);
        ovsrec_bridge_set_ports(new_br, (struct ovsrec_port **) &port, 1);
        ovsrec_open_vswitch_update_bridges_addvalue(vsctl_get_ovs(ctx),
                                                    new_br);
    } else {
        const struct vsctl_bridge *parent =
            vsctl_cache_find_bridge(ctx, parent_name, false);
        if (!parent) {
            ctl_fatal("parent bridge %s does not exist", parent_name);
        } else if (parent->parent) {
            ctl_fatal("cannot create bridge with fake bridge as parent");
        }
        const struct vsctl_bridge *sibling;
        HMAP_FOR_EACH (sibling, node, vsctl_cache_bridges(ctx)) {
            if (sibling->parent == parent && sibling->vlan == vlan) {
                ctl_fatal("bridge %s already has a child VLAN bridge %s on "
                          "VLAN %d",
                          parent_name, sibling->name, vlan);
            }
        }
        int64_t tag = vlan;
        ovsrec_port_set_fake_bridge(port, true);
        ovsrec_port_set_tag(port, &tag, 1);
        ovsrec_bridge_update_ports_addvalue(parent->br_cfg, port);
    }
    vsctl_invalidate_cache(ctx);
}

/* Deletes 'port' and its interfaces, which nothing else refers to once
 * the caller removed the port from its bridge.  (The server would collect
 * them anyway; deleting them also cancels their insertion when this very
 * transaction added them, so that the transaction changes nothing.) */
static void
delete_port(const struct vsctl_port *port)
{
    for (size_t i = 0; i < port->n_ifaces; i++) {
        ovsrec_interface_delete(port->ifaces[i]);
    }
    ovsrec_port_delete(port->port_cfg);
}

static void
cmd_del_br(struct ctl_context *ctx)
{
    const struct vsctl_bridge *br = vsctl_cache_find_bridge(
        ctx, ctx->argv[1], !ctl_has_option(ctx, "--if-exists"));
    if (!br) {
        return;
    }
    /* A real bridge takes its fake bridges' ports with it. */
    const struct vsctl_port *port;
    HMAP_FOR_EACH (port, node, vsctl_cache_ports(ctx)) {
        if (port->bridge == br || port->bridge->parent == br) {
            if (br->parent) {
                ovsrec_bridge_update_ports_delvalue(br->br_cfg,
                                                    port->port_cfg);
            }
            delete_port(port);
        }
    }
    if (!br->parent) {
        ovsrec_open_vswitch_update_bridges_delvalue(vsctl_get_ovs(ctx),
                                                    br->br_cfg);
        ovsrec_bridge_delete(br->br_cfg);
    }
    vsctl_invalidate_cache(ctx);
}

/* list-ports, list-ifaces, port-to-br, iface-to-br. */

static void
cmd_list_ports(struct ctl_context *ctx)
{
    const struct vsctl_bridge *br =
        vsctl_cache_find_bridge(ctx, ctx->argv[1], true);
    struct names names = {NULL, 0, 0};
    const struct vsctl_port *port;
    HMAP_FOR_EACH (port, node, vsctl_cache_ports(ctx)) {
        if (port->bridge == br && strcmp(port->name, br->name)) {
            names_add(&names, port->name);
        }
    }
    names_output(ctx, &names);
}

static void
cmd_list_ifaces(struct ctl_context *ctx)
{
    const struct vsctl_bridge *br =
        vsctl_cache_find_bridge(ctx, ctx->argv[1], true);
    vsctl_verify_ifaces(ctx);
    struct names names = {NULL, 0, 0};
    const struct vsctl_iface *iface;
    HMAP_FOR_EACH (iface, node, vsctl_cache_ifaces(ctx)) {
        if (iface->port->bridge == br && strcmp(iface->name, br->name)) {
            names_add(&names, iface->name);
        }
    }
    names_output(ctx, &names);
}

static void
cmd_port_to_br(struct ctl_context *ctx)
{
    const struct vsctl_port *port =
        vsctl_cache_find_port(ctx, ctx->argv[1], true);
    ds_put_format(&ctx->output, "%s\n", port->bridge->name);
}

static void
cmd_iface_to_br(struct ctl_context *ctx)
{
    vsctl_verify_ifaces(ctx);
    const struct vsctl_iface *iface =
        vsctl_cache_find_iface(ctx, ctx->argv[1], true);
    ds_put_format(&ctx->output, "%s\n", iface->port->bridge->name);
}

/* add-port, add-bond. */

static void
pre_add_port(struct ctl_context *ctx)
{
    pre_get_info(ctx);
    idl_add_column(ctx->idl, ovsrec_port_col_bond_fake_iface);
    /* Column settings may name any Port column; unknown ones are an error
     * only once the port is known to be new, as with OVS. */
    int min_argc = strcmp(ctx->argv[0], "add-bond") ? 3 : 5;
    if (ctx->argc > min_argc) {
        const struct idl_table_class *port = ovsrec_table_port;
        for (size_t i = 0; i < port->n_columns; i++) {
            idl_add_column(ctx->idl, &port->columns[i]);
        }
    }
}

/* "--may-exist add-port/add-bond" of a port that exists: fine if it is on
 * the bridge asked for with the interfaces asked for. */
static void
check_existing_port(struct ctl_context *ctx, const struct vsctl_port *port,
                    const char *br_name, char **iface_names, size_t n_ifaces)
{
    if (strcmp(port->bridge->name, br_name)) {
        char *command = quote_command(ctx);
        ctl_fatal("\"%s\" but %s is actually attached to bridge %s", command,
                  port->name, port->bridge->name);
    }

    const char **want = xmemdup(iface_names, n_ifaces * sizeof *want);
    const char **have = xmalloc((port->n_ifaces + 1) * sizeof *have);
    for (size_t i = 0; i < port->n_ifaces; i++) {
        have[i] = port->ifaces[i]->name;
    }
    qsort(want, n_ifaces, sizeof *want, str_compare_ptrs);
    qsort(have, port->n_ifaces, sizeof *have, str_compare_ptrs);
    bool same = n_ifaces == port->n_ifaces;
    for (size_t i = 0; same && i < n_ifaces; i++) {
        same = !strcmp(want[i], have[i]);
    }
    if (!same) {
        struct ds list = DS_EMPTY_INITIALIZER;
        for (size_t i = 0; i < port->n_ifaces; i++) {
            ds_put_format(&list, "%s%s", i ? ", " : "", have[i]);
        }
        char *command = quote_command(ctx);
        ctl_fatal("\"%s\" but %s actually has interface(s) %s", command,
                  port->name, ds_cstr(&list));
    }
    free(want);
    free(have);
}

/* Applies "COLUMN[:KEY]=VALUE" 'settings' to the new Port row 'port_name'
 * through the generic "set" command. */
void
vsctl_set_port_columns(struct ctl_context *ctx, const char *port_name,
                       char **settings, size_t n_settings)
{
    const struct ctl_command_syntax *set = ctl_db_commands;
    while (strcmp(set->name, "set")) {
        set++;
    }
    struct ctl_context sub = *ctx;
    for (size_t i = 0; i < n_settings; i++) {
        char *argv[4] = {"set", "Port", (char *) port_name, settings[i]};
        sub.argc = 4;
        sub.argv = argv;
        set->run(&sub);
    }
    ctx->output = sub.output;
    ctx->pvt = sub.pvt;
}

static void
add_port(struct ctl_context *ctx, const char *br_name, const char *port_name,
         bool fake_iface, char **iface_names, size_t n_ifaces, char **settings,
         size_t n_settings)
{
    if (ctl_has_option(ctx, "--may-exist")) {
        const struct vsctl_port *port =
            vsctl_cache_find_port(ctx, port_name, false);
        if (port) {
            vsctl_verify_ifaces(ctx);
            check_existing_port(ctx, port, br_name, iface_names, n_ifaces);
            return;
        }
    }
    char *what = xasprintf("cannot create a port named %s", port_name);
    check_conflicts(ctx, port_name, what);
    free(what);
    for (size_t i = 0; i < n_ifaces; i++) {
        what =
            xasprintf("cannot create an interface named %s", iface_names[i]);
        check_conflicts(ctx, iface_names[i], what);
        free(what);
    }
    const struct vsctl_bridge *br =
        vsctl_cache_find_bridge(ctx, br_name, true);

    const struct ovsrec_interface **ifaces =
        xmalloc(n_ifaces * sizeof *ifaces);
    for (size_t i = 0; i < n_ifaces; i++) {
        ifaces[i] = vsctl_insert_iface(ctx, iface_names[i], false);
    }
    const struct ovsrec_port *port =
        insert_port(ctx, port_name, ifaces, n_ifaces);
    free(ifaces);
    if (fake_iface) {
        ovsrec_port_set_bond_fake_iface(port, true);
    }
    if (br->parent) {
        int64_t tag = br->vlan;
        ovsrec_port_set_tag(port, &tag, 1);
    }
    /* The settings drop the cache, and 'br' with it. */
    const struct ovsrec_bridge *br_cfg = br->br_cfg;
    vsctl_set_port_columns(ctx, port_name, settings, n_settings);
    ovsrec_bridge_update_ports_addvalue(br_cfg, port);
    vsctl_invalidate_cache(ctx);
}

static void
cmd_add_port(struct ctl_context *ctx)
{
    add_port(ctx, ctx->argv[1], ctx->argv[2], false, &ctx->argv[2], 1,
             &ctx->argv[3], ctx->argc - 3);
}

static void
cmd_add_bond(struct ctl_context *ctx)
{
    /* The interfaces run up to the first column setting. */
    int n_ifaces = 0;
    while (3 + n_ifaces < ctx->argc && !strchr(ctx->argv[3 + n_ifaces], '=')) {
        n_ifaces++;
    }
    if (n_ifaces < 2) {
        ctl_fatal("add-bond requires at least 2 interfaces, but only %d were "
                  "specified",
                  n_ifaces);
    }
    add_port(ctx, ctx->argv[1], ctx->argv[2],
             ctl_has_option(ctx, "--fake-iface"), &ctx->argv[3], n_ifaces,
             &ctx->argv[3 + n_ifaces], ctx->argc - 3 - n_ifaces);
}

/* del-port, add-bond-iface, del-bond-iface. */

static void
cmd_del_port(struct ctl_context *ctx)
{
    bool with_iface = ctl_has_option(ctx, "--with-iface");
    const char *target = ctx->argv[ctx->argc - 1];

    if (!ctl_has_option(ctx, "--if-exists")
        && vsctl_cache_find_local_port(ctx, target)) {
        ctl_fatal("cannot delete port %s because it is the local port for "
                  "bridge %s (deleting this port requires deleting the "
                  "entire bridge)",
                  target, target);
    }
    const struct vsctl_port *port = vsctl_cache_find_port(ctx, target, false);
    if (!port && with_iface) {
        vsctl_verify_ifaces(ctx);
        const struct vsctl_iface *iface =
            vsctl_cache_find_iface(ctx, target, false);
        port = iface ? iface->port : NULL;
    }
    if (!port) {
        if (!ctl_has_option(ctx, "--if-exists")) {
            ctl_fatal(with_iface ? "no port or interface named %s"
                                 : "no port named %s",
                      target);
        }
        return;
    }
    if (ctx->argc == 3) {
        const struct vsctl_bridge *br =
            vsctl_cache_find_bridge(ctx, ctx->argv[1], true);
        if (port->bridge != br) {
            if (port->bridge->parent == br) {
                ctl_fatal("bridge %s does not have a port %s (although its "
                          "child bridge %s does)",
                          br->name, target, port->bridge->name);
            }
            ctl_fatal("bridge %s does not have a port %s", br->name, target);
        }
    }
    ovsrec_bridge_update_ports_delvalue(port->bridge->br_cfg, port->port_cfg);
    delete_port(port);
    vsctl_invalidate_cache(ctx);
}

static void
cmd_add_bond_iface(struct ctl_context *ctx)
{
    const char *iface_name = ctx->argv[2];
    const struct vsctl_port *port =
        vsctl_cache_find_port(ctx, ctx->argv[1], true);
    vsctl_verify_ifaces(ctx);

    if (ctl_has_option(ctx, "--may-exist")) {
        const struct vsctl_iface *iface =
            vsctl_cache_find_iface(ctx, iface_name, false);
        if (iface) {
            if (iface->port != port) {
                ctl_fatal("\"--may-exist add-bond-iface %s %s\" but %s is "
                          "actually attached to port %s",
                          port->name, iface_name, iface_name,
                          iface->port->name);
            }
            return;
        }
    }
    char *what = xasprintf("cannot create an interface named %s", iface_name);
    check_conflicts(ctx, iface_name, what);
    free(what);

    const struct ovsrec_interface *iface =
        vsctl_insert_iface(ctx, iface_name, false);
    ovsrec_port_update_interfaces_addvalue(port->port_cfg, iface);
    vsctl_invalidate_cache(ctx);
}

static void
cmd_del_bond_iface(struct ctl_context *ctx)
{
    const char *iface_name = ctx->argv[ctx->argc - 1];
    vsctl_verify_ifaces(ctx);
    const struct vsctl_iface *iface = vsctl_cache_find_iface(
        ctx, iface_name, !ctl_has_option(ctx, "--if-exists"));
    if (!iface) {
        return;
    }
    const struct vsctl_port *port = iface->port;
    if (ctx->argc == 3) {
        port = vsctl_cache_find_port(ctx, ctx->argv[1], true);
        if (iface->port != port) {
            ctl_fatal("port %s does not have an interface %s", port->name,
                      iface_name);
        }
    }
    if (port->n_ifaces == 1) {
        ctl_fatal("cannot delete last interface from port %s", port->name);
    }
    ovsrec_port_update_interfaces_delvalue(port->port_cfg, iface->iface_cfg);
    ovsrec_interface_delete(iface->iface_cfg);
    vsctl_invalidate_cache(ctx);
}

/* clang-format off */
const struct ctl_command_syntax vsctl_bridge_commands[] = {
    {"init", 0, 0, "", NULL, cmd_init, NULL, "", CTL_RW},
    {"add-br", 1, 3, "!NEW-BRIDGE ?PARENT ?NEW-VLAN", pre_get_info,
     cmd_add_br, NULL, "--may-exist", CTL_RW},
    {"del-br", 1, 1, "!BRIDGE", pre_get_info, cmd_del_br, NULL,
     "--if-exists", CTL_RW},
    {"list-br", 0, 0, "", pre_get_info, cmd_list_br, NULL, "--real,--fake",
     CTL_RO},
    {"br-exists", 1, 1, "!BRIDGE", pre_get_info, cmd_br_exists, NULL, "",
     CTL_RO},
    {"br-to-vlan", 1, 1, "!BRIDGE", pre_get_info, cmd_br_to_vlan, NULL, "",
     CTL_RO},
    {"br-to-parent", 1, 1, "!BRIDGE", pre_get_info, cmd_br_to_parent, NULL,
     "", CTL_RO},
    {"br-set-external-id", 2, 3, "!BRIDGE !KEY ?VALUE", pre_external_ids,
     cmd_br_set_external_id, NULL, "", CTL_RW},
    {"br-get-external-id", 1, 2, "!BRIDGE ?KEY", pre_external_ids,
     cmd_br_get_external_id, NULL, "", CTL_RO},
    {"list-ports", 1, 1, "!BRIDGE", pre_get_info, cmd_list_ports, NULL, "",
     CTL_RO},
    {"add-port", 2, INT_MAX, "!BRIDGE !NEW-PORT *COLUMN?:KEY=VALUE",
     pre_add_port, cmd_add_port, NULL, "--may-exist", CTL_RW},
    {"add-bond", 4, INT_MAX, "!BRIDGE !BOND +IFACE *COLUMN?:KEY=VALUE",
     pre_add_port, cmd_add_bond, NULL, "--may-exist,--fake-iface", CTL_RW},
    {"add-bond-iface", 2, 2, "!BOND !IFACE", pre_get_info,
     cmd_add_bond_iface, NULL, "--may-exist", CTL_RW},
    {"del-bond-iface", 1, 2, "?BOND !IFACE", pre_get_info,
     cmd_del_bond_iface, NULL, "--if-exists", CTL_RW},
    {"del-port", 1, 2, "?BRIDGE !PORT|IFACE", pre_get_info, cmd_del_port,
     NULL, "--if-exists,--with-iface", CTL_RW},
    {"port-to-br", 1, 1, "!PORT", pre_get_info, cmd_port_to_br, NULL, "",
     CTL_RO},
    {"list-ifaces", 1, 1, "!BRIDGE", pre_get_info, cmd_list_ifaces, NULL, "",
     CTL_RO},
    {"iface-to-br", 1, 1, "!IFACE", pre_get_info, cmd_iface_to_br, NULL, "",
     CTL_RO},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, CTL_RO},
};
/* clang-format on */

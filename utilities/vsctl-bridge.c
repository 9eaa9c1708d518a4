/* ovs-vsctl: the Open vSwitch commands (init, show) and the bridge, port
 * and interface commands, on top of the db-ctl framework.  Fake VLAN
 * bridges and bonds are still to come: their commands are not registered,
 * so they fail as unknown commands.  Controllers, managers and SSL are in
 * vsctl-remotes.c. */
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

void
vsctl_invalidate_cache(struct ctl_context *ctx)
{
    (void) ctx;
}

void
vsctl_context_done(struct ctl_context *ctx)
{
    (void) ctx;
}

/* Lookups straight from the replica: the bridge commands touch few rows,
 * so no cache of the whole configuration is built. */

const struct ovsrec_bridge *
vsctl_find_bridge(struct ctl_context *ctx, const char *name, bool must_exist)
{
    const struct ovsrec_bridge *br;
    OVSREC_BRIDGE_FOR_EACH(br, ctx->idl)
    {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    if (must_exist) {
        ctl_fatal("no bridge named %s", name);
    }
    return NULL;
}

static const struct ovsrec_port *
find_port(struct ctl_context *ctx, const char *name,
          const struct ovsrec_bridge **brp, bool must_exist)
{
    const struct ovsrec_bridge *br;
    OVSREC_BRIDGE_FOR_EACH(br, ctx->idl)
    {
        for (size_t i = 0; i < br->n_ports; i++) {
            if (!strcmp(br->ports[i]->name, name)) {
                if (brp) {
                    *brp = br;
                }
                return br->ports[i];
            }
        }
    }
    if (must_exist) {
        ctl_fatal("no port named %s", name);
    }
    return NULL;
}

static const struct ovsrec_interface *
find_iface(struct ctl_context *ctx, const char *name,
           const struct ovsrec_bridge **brp, bool must_exist)
{
    const struct ovsrec_bridge *br;
    OVSREC_BRIDGE_FOR_EACH(br, ctx->idl)
    {
        for (size_t i = 0; i < br->n_ports; i++) {
            const struct ovsrec_port *port = br->ports[i];
            for (size_t j = 0; j < port->n_interfaces; j++) {
                if (!strcmp(port->interfaces[j]->name, name)) {
                    if (brp) {
                        *brp = br;
                    }
                    return port->interfaces[j];
                }
            }
        }
    }
    if (must_exist) {
        ctl_fatal("no interface named %s", name);
    }
    return NULL;
}

static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;
    return strcmp(*a, *b);
}

/* Prints 'names' sorted, one a line. */
void
vsctl_output_sorted(struct ctl_context *ctx, const char **names, size_t n)
{
    if (n > 1) {
        qsort(names, n, sizeof *names, compare_strings);
    }
    for (size_t i = 0; i < n; i++) {
        ds_put_format(&ctx->output, "%s\n", names[i]);
    }
}

static void
pre_get_info(struct ctl_context *ctx)
{
    idl_add_column(ctx->idl, ovsrec_open_vswitch_col_bridges);
    idl_add_column(ctx->idl, ovsrec_bridge_col_name);
    idl_add_column(ctx->idl, ovsrec_bridge_col_ports);
    idl_add_column(ctx->idl, ovsrec_bridge_col_controller);
    idl_add_column(ctx->idl, ovsrec_bridge_col_fail_mode);
    idl_add_column(ctx->idl, ovsrec_bridge_col_external_ids);
    idl_add_column(ctx->idl, ovsrec_bridge_col_other_config);
    idl_add_column(ctx->idl, ovsrec_port_col_name);
    idl_add_column(ctx->idl, ovsrec_port_col_interfaces);
    idl_add_column(ctx->idl, ovsrec_port_col_tag);
    idl_add_column(ctx->idl, ovsrec_port_col_trunks);
    idl_add_column(ctx->idl, ovsrec_port_col_fake_bridge);
    idl_add_column(ctx->idl, ovsrec_interface_col_name);
    idl_add_column(ctx->idl, ovsrec_interface_col_type);
    idl_add_column(ctx->idl, ovsrec_interface_col_options);
    idl_add_column(ctx->idl, ovsrec_interface_col_error);
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

/* init. */

static void
cmd_init(struct ctl_context *ctx)
{
    (void) ctx;
}

/* list-br, br-exists, br-to-vlan, br-to-parent. */

static void
cmd_list_br(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br;
    const char **names = NULL;
    size_t n = 0, allocated = 0;

    if (ctl_has_option(ctx, "--real") && ctl_has_option(ctx, "--fake")) {
        ctl_fatal("list-br: --real and --fake are mutually exclusive");
    }
    if (ctl_has_option(ctx, "--fake")) {
        return;
    }
    OVSREC_BRIDGE_FOR_EACH(br, ctx->idl)
    {
        if (n >= allocated) {
            names = x2nrealloc(names, &allocated, sizeof *names);
        }
        names[n++] = br->name;
    }
    vsctl_output_sorted(ctx, names, n);
    free(names);
}

static void
cmd_br_exists(struct ctl_context *ctx)
{
    if (!vsctl_find_bridge(ctx, ctx->argv[1], false)) {
        exit(2);
    }
}

static void
cmd_br_to_vlan(struct ctl_context *ctx)
{
    vsctl_find_bridge(ctx, ctx->argv[1], true);
    ds_put_format(&ctx->output, "0\n");
}

static void
cmd_br_to_parent(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br =
        vsctl_find_bridge(ctx, ctx->argv[1], true);
    ds_put_format(&ctx->output, "%s\n", br->name);
}

static void
cmd_br_set_external_id(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br =
        vsctl_find_bridge(ctx, ctx->argv[1], true);
    if (ctx->argc > 3) {
        ovsrec_bridge_update_external_ids_setkey(br, ctx->argv[2],
                                                 ctx->argv[3]);
    } else {
        ovsrec_bridge_update_external_ids_delkey(br, ctx->argv[2]);
    }
}

static void
cmd_br_get_external_id(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br =
        vsctl_find_bridge(ctx, ctx->argv[1], true);
    if (ctx->argc > 2) {
        const char *value = smap_get(&br->external_ids, ctx->argv[2]);
        if (value) {
            ds_put_format(&ctx->output, "%s\n", value);
        }
    } else {
        const struct smap_node **nodes = smap_sort(&br->external_ids);
        for (size_t i = 0; i < smap_count(&br->external_ids); i++) {
            ds_put_format(&ctx->output, "%s=%s\n", nodes[i]->key,
                          nodes[i]->value);
        }
        free(nodes);
    }
}

/* add-br, del-br. */

static const struct ovsrec_interface *
insert_iface(struct ctl_context *ctx, const char *name, bool internal)
{
    struct ovsrec_interface *iface = ovsrec_interface_insert(ctx->txn);
    ovsrec_interface_set_name(iface, name);
    if (internal) {
        ovsrec_interface_set_type(iface, "internal");
    }
    return iface;
}

static const struct ovsrec_port *
insert_port(struct ctl_context *ctx, const char *name,
            const struct ovsrec_interface *iface)
{
    struct ovsrec_port *port = ovsrec_port_insert(ctx->txn);
    ovsrec_port_set_name(port, name);
    ovsrec_port_set_interfaces(port, (struct ovsrec_interface **) &iface, 1);
    return port;
}

static void
cmd_add_br(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    bool may_exist = ctl_has_option(ctx, "--may-exist");

    if (ctx->argc != 2) {
        ctl_fatal("fake bridges (add-br BRIDGE PARENT VLAN) are not "
                  "supported yet");
    }
    if (vsctl_find_bridge(ctx, name, false)) {
        if (may_exist) {
            return;
        }
        ctl_fatal("cannot create a bridge named %s because a bridge named "
                  "%s already exists",
                  name, name);
    }
    const struct ovsrec_bridge *other;
    if (find_port(ctx, name, &other, false)) {
        ctl_fatal("cannot create a bridge named %s because a port named %s "
                  "already exists on bridge %s",
                  name, name, other->name);
    }
    if (find_iface(ctx, name, &other, false)) {
        ctl_fatal("cannot create a bridge named %s because an interface "
                  "named %s already exists on bridge %s",
                  name, name, other->name);
    }

    const struct ovsrec_interface *iface = insert_iface(ctx, name, true);
    const struct ovsrec_port *port = insert_port(ctx, name, iface);
    struct ovsrec_bridge *br = ovsrec_bridge_insert(ctx->txn);
    ovsrec_bridge_set_name(br, name);
    ovsrec_bridge_set_ports(br, (struct ovsrec_port **) &port, 1);

    const struct ovsrec_open_vswitch *ovs = vsctl_get_ovs(ctx);
    ovsrec_open_vswitch_update_bridges_addvalue(ovs, br);
}

static void
cmd_del_br(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br = vsctl_find_bridge(
        ctx, ctx->argv[1], !ctl_has_option(ctx, "--if-exists"));
    if (!br) {
        return;
    }
    const struct ovsrec_open_vswitch *ovs = vsctl_get_ovs(ctx);
    ovsrec_open_vswitch_update_bridges_delvalue(ovs, br);
}

/* list-ports, add-port, del-port, port-to-br, list-ifaces, iface-to-br. */

static void
cmd_list_ports(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br =
        vsctl_find_bridge(ctx, ctx->argv[1], true);
    const char **names = xmalloc((br->n_ports + 1) * sizeof *names);
    size_t n = 0;
    for (size_t i = 0; i < br->n_ports; i++) {
        if (strcmp(br->ports[i]->name, br->name)) {
            names[n++] = br->ports[i]->name;
        }
    }
    vsctl_output_sorted(ctx, names, n);
    free(names);
}

static void
cmd_list_ifaces(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br =
        vsctl_find_bridge(ctx, ctx->argv[1], true);
    const char **names = NULL;
    size_t n = 0, allocated = 0;
    for (size_t i = 0; i < br->n_ports; i++) {
        const struct ovsrec_port *port = br->ports[i];
        for (size_t j = 0; j < port->n_interfaces; j++) {
            const char *name = port->interfaces[j]->name;
            if (strcmp(name, br->name)) {
                if (n >= allocated) {
                    names = x2nrealloc(names, &allocated, sizeof *names);
                }
                names[n++] = name;
            }
        }
    }
    vsctl_output_sorted(ctx, names, n);
    free(names);
}

static void
pre_add_port(struct ctl_context *ctx)
{
    pre_get_info(ctx);
    vsctl_add_port_setting_columns(ctx, 3);
}

static void
cmd_add_port(struct ctl_context *ctx)
{
    const char *br_name = ctx->argv[1];
    const char *port_name = ctx->argv[2];
    bool may_exist = ctl_has_option(ctx, "--may-exist");
    const struct ovsrec_bridge *br = vsctl_find_bridge(ctx, br_name, true);
    const struct ovsrec_bridge *other;

    if (find_port(ctx, port_name, &other, false)) {
        if (may_exist && other == br) {
            return;
        }
        if (may_exist) {
            ctl_fatal("\"--may-exist add-port %s %s\" but %s is actually "
                      "attached to bridge %s",
                      br_name, port_name, port_name, other->name);
        }
        ctl_fatal("cannot create a port named %s because a port named %s "
                  "already exists on bridge %s",
                  port_name, port_name, other->name);
    }
    if (find_iface(ctx, port_name, &other, false)) {
        ctl_fatal("cannot create an interface named %s because an interface "
                  "named %s already exists on bridge %s",
                  port_name, port_name, other->name);
    }

    const struct ovsrec_interface *iface = insert_iface(ctx, port_name, false);
    const struct ovsrec_port *port = insert_port(ctx, port_name, iface);

    vsctl_apply_port_settings(ctx, port_name, 3);
    ovsrec_bridge_update_ports_addvalue(br, port);
}

static void
cmd_del_port(struct ctl_context *ctx)
{
    bool must_exist = !ctl_has_option(ctx, "--if-exists");
    bool with_iface = ctl_has_option(ctx, "--with-iface");
    const char *target = ctx->argv[ctx->argc - 1];
    const struct ovsrec_bridge *br = NULL;
    const struct ovsrec_port *port;

    if (ctx->argc == 3) {
        br = vsctl_find_bridge(ctx, ctx->argv[1], true);
    }

    const struct ovsrec_bridge *owner = NULL;
    port = find_port(ctx, target, &owner, false);
    if (!port && with_iface) {
        const struct ovsrec_interface *iface =
            find_iface(ctx, target, &owner, false);
        if (iface) {
            for (size_t i = 0; i < owner->n_ports && !port; i++) {
                const struct ovsrec_port *p = owner->ports[i];
                for (size_t j = 0; j < p->n_interfaces; j++) {
                    if (p->interfaces[j] == iface) {
                        port = p;
                    }
                }
            }
        }
    }
    if (!port) {
        if (must_exist) {
            ctl_fatal("no port named %s", target);
        }
        return;
    }
    if (br && owner != br) {
        ctl_fatal("bridge %s does not have a port %s", br->name, target);
    }
    ovsrec_bridge_update_ports_delvalue(owner, port);
}

static void
cmd_port_to_br(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br;
    find_port(ctx, ctx->argv[1], &br, true);
    ds_put_format(&ctx->output, "%s\n", br->name);
}

static void
cmd_iface_to_br(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br;
    find_iface(ctx, ctx->argv[1], &br, true);
    ds_put_format(&ctx->output, "%s\n", br->name);
}

/* show. */

static void
pre_show(struct ctl_context *ctx)
{
    pre_get_info(ctx);
    idl_add_column(ctx->idl, ovsrec_open_vswitch_col_ovs_version);
    idl_add_column(ctx->idl, ovsrec_open_vswitch_col_manager_options);
    idl_add_column(ctx->idl, ovsrec_manager_col_target);
    idl_add_column(ctx->idl, ovsrec_manager_col_is_connected);
    idl_add_column(ctx->idl, ovsrec_controller_col_target);
    idl_add_column(ctx->idl, ovsrec_controller_col_is_connected);
}

/* Prints "<indent>NAME TARGET" (TARGET quoted where the database syntax
 * needs it) and, for a live connection, "is_connected: true" below. */
static void
show_remote(struct ds *out, int indent, const char *name, const char *target,
            bool is_connected)
{
    union ovsdb_atom atom = {.string = (char *) target};
    ds_put_format(out, "%*s%s ", indent, "", name);
    ovsdb_atom_to_string(&atom, OVSDB_TYPE_STRING, out);
    ds_put_char(out, '\n');
    if (is_connected) {
        ds_put_format(out, "%*sis_connected: true\n", indent + 4, "");
    }
}

static void
show_iface(struct ctl_context *ctx, const struct ovsrec_interface *iface)
{
    struct ds *out = &ctx->output;
    ds_put_format(out, "            Interface %s\n", iface->name);
    if (iface->type[0]) {
        ds_put_format(out, "                type: %s\n", iface->type);
    }
    if (smap_count(&iface->options)) {
        const struct smap_node **nodes = smap_sort(&iface->options);
        ds_put_cstr(out, "                options: {");
        for (size_t i = 0; i < smap_count(&iface->options); i++) {
            ds_put_format(out, "%s%s=", i ? ", " : "", nodes[i]->key);
            union ovsdb_atom atom = {.string = (char *) nodes[i]->value};
            ovsdb_atom_to_string(&atom, OVSDB_TYPE_STRING, out);
        }
        ds_put_cstr(out, "}\n");
        free(nodes);
    }
    if (iface->n_error) {
        ds_put_format(out, "                error: \"%s\"\n", iface->error[0]);
    }
}

static void
cmd_show(struct ctl_context *ctx)
{
    const struct ovsrec_open_vswitch *ovs =
        ovsrec_open_vswitch_first(ctx->idl);
    struct ds *out = &ctx->output;
    if (!ovs) {
        return;
    }
    ds_put_format(out, UUID_FMT "\n", UUID_ARGS(&ovs->header_.uuid));
    for (size_t i = 0; i < ovs->n_manager_options; i++) {
        const struct ovsrec_manager *m = ovs->manager_options[i];
        show_remote(out, 4, "Manager", m->target, m->is_connected);
    }

    const struct ovsrec_bridge **brs =
        xmemdup(ovs->bridges, ovs->n_bridges * sizeof *brs);
    for (size_t i = 0; i < ovs->n_bridges; i++) {
        const struct ovsrec_bridge *br = brs[i];
        ds_put_format(out, "    Bridge %s\n", br->name);
        for (size_t j = 0; j < br->n_controller; j++) {
            const struct ovsrec_controller *c = br->controller[j];
            show_remote(out, 8, "Controller", c->target, c->is_connected);
        }
        if (br->n_fail_mode) {
            ds_put_format(out, "        fail_mode: %s\n", br->fail_mode[0]);
        }
        const struct ovsrec_port **ports =
            xmemdup(br->ports, br->n_ports * sizeof *ports);
        for (size_t j = 0; j < br->n_ports; j++) {
            const struct ovsrec_port *port = ports[j];
            ds_put_format(out, "        Port %s\n", port->name);
            if (port->n_tag) {
                ds_put_format(out, "            tag: %lld\n",
                              (long long) port->tag[0]);
            }
            for (size_t k = 0; k < port->n_interfaces; k++) {
                show_iface(ctx, port->interfaces[k]);
            }
        }
        free(ports);
    }
    free(brs);
    if (ovs->n_ovs_version) {
        ds_put_format(out, "    ovs_version: \"%s\"\n", ovs->ovs_version[0]);
    }
}

/* clang-format off */
const struct ctl_command_syntax vsctl_bridge_commands[] = {
    {"init", 0, 0, "", NULL, cmd_init, NULL, "", CTL_RW},
    {"show", 0, 0, "", pre_show, cmd_show, NULL, "", CTL_RO},
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
    {"br-set-external-id", 2, 3, "!BRIDGE !KEY ?VALUE", pre_get_info,
     cmd_br_set_external_id, NULL, "", CTL_RW},
    {"br-get-external-id", 1, 2, "!BRIDGE ?KEY", pre_get_info,
     cmd_br_get_external_id, NULL, "", CTL_RO},
    {"list-ports", 1, 1, "!BRIDGE", pre_get_info, cmd_list_ports, NULL, "",
     CTL_RO},
    {"add-port", 2, INT_MAX, "!BRIDGE !NEW-PORT *COLUMN?:KEY=VALUE",
     pre_add_port, cmd_add_port, NULL, "--may-exist", CTL_RW},
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

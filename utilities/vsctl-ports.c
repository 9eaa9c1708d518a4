/* ovs-vsctl: the fast path of add-port and del-port.
 *
 * The general bridge commands (vsctl-bridge.c) replicate every bridge with
 * its whole "ports" set and every Port and Interface row, so each call
 * costs time in proportion to the size of the configuration.  When the
 * command line is a single add-port or del-port, this module instead asks
 * the server, through monitor conditions, for just the rows the command
 * looks at: the bridges and ports named on the command line, the
 * interface of the new port's name and, for del-port, the bridge whose
 * "ports" includes the port.  Bridge rows come without their "ports"
 * column: adding or removing a port is a "mutate" of that set, which
 * carries one element.
 *
 * Column settings of the new port or its interface that follow the
 * add-port ("-- set Interface NAME external-ids:iface-id=..."), as
 * libvirt and OpenStack's agent write them, come along: they find the
 * rows the transaction inserts.
 *
 * The fast path handles the cases where the command succeeds on a real
 * bridge without surprises.  Anything else (an error to report, a fake
 * bridge, an existing port for --may-exist, a VLAN tag that may tie the
 * port to a fake bridge) asks the program to start over on the general
 * path, which produces OVS's exact behaviour and messages.
 *
 * What a fast transaction relies on is checked by the server at commit
 * time: the bridge still exists under its name, and no port, interface
 * or bridge with the new port's name has appeared meanwhile; otherwise
 * the commit fails with "try again", the replica has then the new rows,
 * and the command runs again (and then falls back, e.g. to report that
 * the port now exists). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/smap.h"
#include "lib/util.h"
#include "ovsdb/idl-txn.h"
#include "ovsdb/idl.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/vswitch-idl.h"
#include "utilities/vsctl.h"

/* Set when a fast command found that it must run on the general path. */
static bool fallback_requested;

/* del-port's second step: the port whose bridge the Bridge condition asks
 * for, and the condition seqno at which the server applies it. */
static struct uuid wanted_port;
static bool have_wanted_port;
static unsigned int wanted_cond_seqno;

static void
request_fallback(struct ctl_context *ctx)
{
    fallback_requested = true;
    ctx->try_again = true;
}

bool
vsctl_ports_fallback_requested(void)
{
    return fallback_requested;
}

/* Adds to 'cond' the clause "'column' == 'name'". */
static void
add_name_clause(struct idl_condition *cond, const struct idl_column *column,
                const char *name)
{
    union ovsdb_atom atom = {.string = (char *) name};
    struct ovsdb_datum datum = {.n = 1, .keys = &atom};
    idl_condition_add_clause(cond, IDL_F_EQ, column, &datum);
}

/* Replicates 'table' with no rows until a command asks for some. */
static void
set_condition_false(struct idl *idl, const struct idl_table_class *table)
{
    struct idl_condition cond;
    idl_condition_init(&cond);
    idl_set_condition(idl, table, &cond);
    idl_condition_destroy(&cond);
}

static void
set_name_condition(struct idl *idl, const struct idl_column *column,
                   const char *name1, const char *name2)
{
    struct idl_condition cond;
    idl_condition_init(&cond);
    add_name_clause(&cond, column, name1);
    if (name2) {
        add_name_clause(&cond, column, name2);
    }
    idl_set_condition(idl, &ovsrec_idl_class.tables[column->table_index],
                      &cond);
    idl_condition_destroy(&cond);
}

/* The columns of the Port and Interface rows a fast command reads. */
static void
add_common_columns(struct ctl_context *ctx)
{
    idl_add_column(ctx->idl, ovsrec_bridge_col_name);
    idl_add_column(ctx->idl, ovsrec_port_col_name);
    idl_add_column(ctx->idl, ovsrec_port_col_interfaces);
    idl_add_column(ctx->idl, ovsrec_port_col_fake_bridge);
    idl_add_column(ctx->idl, ovsrec_port_col_tag);
    idl_add_column(ctx->idl, ovsrec_interface_col_name);
}

static const struct ovsrec_bridge *
find_bridge(struct ctl_context *ctx, const char *name)
{
    const struct ovsrec_bridge *br;
    OVSREC_BRIDGE_FOR_EACH(br, ctx->idl)
    {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    return NULL;
}

static const struct ovsrec_port *
find_port(struct ctl_context *ctx, const char *name)
{
    const struct ovsrec_port *port;
    OVSREC_PORT_FOR_EACH(port, ctx->idl)
    {
        if (!strcmp(port->name, name)) {
            return port;
        }
    }
    return NULL;
}

static bool
iface_exists(struct ctl_context *ctx, const char *name)
{
    const struct ovsrec_interface *iface;
    OVSREC_INTERFACE_FOR_EACH(iface, ctx->idl)
    {
        if (!strcmp(iface->name, name)) {
            return true;
        }
    }
    return false;
}

/* Makes the commit fail with "try again" if a row of 'column''s table has
 * 'name' in 'column' by then. */
static void
verify_name_absent(struct ctl_context *ctx, const struct idl_column *column,
                   const char *name)
{
    union ovsdb_atom atom = {.string = (char *) name};
    struct ovsdb_datum datum = {.n = 1, .keys = &atom};
    idl_txn_verify_absent(ctx->txn, column, &datum);
}

/* add-port BRIDGE PORT [COLUMN[:KEY]=VALUE]... */

static void
pre_fast_add_port(struct ctl_context *ctx)
{
    const char *br_name = ctx->argv[1];
    const char *port_name = ctx->argv[2];

    add_common_columns(ctx);
    if (ctx->argc > 3) {
        /* As for the general add-port: a setting naming no column is an
         * error only once the port is known to be new. */
        const struct idl_table_class *port = ovsrec_table_port;
        for (size_t i = 0; i < port->n_columns; i++) {
            idl_add_column(ctx->idl, &port->columns[i]);
        }
    }
    set_name_condition(ctx->idl, ovsrec_bridge_col_name, br_name, port_name);
    set_name_condition(ctx->idl, ovsrec_port_col_name, port_name, NULL);
    set_name_condition(ctx->idl, ovsrec_interface_col_name, port_name, NULL);
}

static void
cmd_fast_add_port(struct ctl_context *ctx)
{
    const char *br_name = ctx->argv[1];
    const char *port_name = ctx->argv[2];
    const struct ovsrec_bridge *br = find_bridge(ctx, br_name);

    /* A missing bridge may be a fake one; a name in use is an error or,
     * with --may-exist, a port to compare. */
    if (!br || find_bridge(ctx, port_name) || find_port(ctx, port_name)
        || iface_exists(ctx, port_name)) {
        request_fallback(ctx);
        return;
    }

    struct ovsrec_interface *iface =
        (struct ovsrec_interface *) vsctl_insert_iface(ctx, port_name, false);
    struct ovsrec_port *port = ovsrec_port_insert(ctx->txn);
    ovsrec_port_set_name(port, port_name);
    ovsrec_port_set_interfaces(port, &iface, 1);
    vsctl_set_port_columns(ctx, port_name, &ctx->argv[3], ctx->argc - 3);
    ovsrec_bridge_update_ports_addvalue(br, port);

    ovsrec_bridge_verify_name(br);
    verify_name_absent(ctx, ovsrec_bridge_col_name, port_name);
    verify_name_absent(ctx, ovsrec_port_col_name, port_name);
    verify_name_absent(ctx, ovsrec_interface_col_name, port_name);
}

/* del-port [BRIDGE] PORT. */

static void
pre_fast_del_port(struct ctl_context *ctx)
{
    add_common_columns(ctx);
    if (ctx->argc == 3) {
        set_name_condition(ctx->idl, ovsrec_bridge_col_name, ctx->argv[1],
                           NULL);
    } else {
        set_condition_false(ctx->idl, ovsrec_table_bridge);
    }
    set_name_condition(ctx->idl, ovsrec_port_col_name,
                       ctx->argv[ctx->argc - 1], NULL);
    set_condition_false(ctx->idl, ovsrec_table_interface);
}

/* Asks the server for the bridges whose "ports" include 'port', instead
 * of the named one. */
static void
want_bridge_of(struct ctl_context *ctx, const struct ovsrec_port *port)
{
    struct idl_condition cond;
    union ovsdb_atom atom = {.uuid = port->header_.uuid};
    struct ovsdb_datum datum = {.n = 1, .keys = &atom};

    idl_condition_init(&cond);
    idl_condition_add_clause(&cond, IDL_F_INCLUDES, ovsrec_bridge_col_ports,
                             &datum);
    wanted_cond_seqno =
        idl_set_condition(ctx->idl, ovsrec_table_bridge, &cond);
    idl_condition_destroy(&cond);
    wanted_port = port->header_.uuid;
    have_wanted_port = true;
    ctx->try_again = true;
}

static void
cmd_fast_del_port(struct ctl_context *ctx)
{
    const char *br_name = ctx->argc == 3 ? ctx->argv[1] : NULL;
    const char *target = ctx->argv[ctx->argc - 1];
    const struct ovsrec_port *port = find_port(ctx, target);

    if (!have_wanted_port) {
        /* First step: the named bridge and the port. */
        if (br_name && !find_bridge(ctx, br_name)) {
            request_fallback(ctx); /* Fake bridge, or an error. */
        } else if (!port) {
            if (!ctl_has_option(ctx, "--if-exists")
                || ctl_has_option(ctx, "--with-iface")) {
                request_fallback(ctx);
            }
        } else if (port->fake_bridge || (br_name && port->n_tag)) {
            /* OVS may see the port on a fake bridge. */
            request_fallback(ctx);
        } else {
            want_bridge_of(ctx, port);
        }
        return;
    }

    if (idl_get_condition_seqno(ctx->idl) < wanted_cond_seqno) {
        ctx->try_again = true; /* The server has not applied it yet. */
        return;
    }
    if (!port || !uuid_equals(&port->header_.uuid, &wanted_port)) {
        /* The port changed meanwhile: start over. */
        if (port && !port->fake_bridge && !(br_name && port->n_tag)) {
            want_bridge_of(ctx, port);
        } else {
            request_fallback(ctx);
        }
        return;
    }

    const struct ovsrec_bridge *owner = ovsrec_bridge_first(ctx->idl);
    if (!owner || ovsrec_bridge_next(owner)
        || (br_name && strcmp(owner->name, br_name))
        || !strcmp(owner->name, target)) {
        /* No bridge or several, another bridge than the one named (an
         * error to report), or the bridge's own local port. */
        request_fallback(ctx);
        return;
    }
    ovsrec_bridge_update_ports_delvalue(owner, port);
    ovsrec_bridge_verify_name(owner);
    ovsrec_port_verify_name(port);
}

/* clang-format off */
static const struct ctl_command_syntax fast_add_port = {
    "add-port", 2, INT_MAX, "!BRIDGE !NEW-PORT *COLUMN?:KEY=VALUE",
    pre_fast_add_port, cmd_fast_add_port, NULL, "--may-exist", CTL_RW,
};
static const struct ctl_command_syntax fast_del_port = {
    "del-port", 1, 2, "?BRIDGE !PORT|IFACE", pre_fast_del_port,
    cmd_fast_del_port, NULL, "--if-exists,--with-iface", CTL_RW,
};
/* clang-format on */

/* The general syntaxes that vsctl_ports_use_fast_path() replaced. */
static const struct ctl_command_syntax *saved_syntax;

/* True if 'c' is "set Port NAME ..." or "set Interface NAME ...": the
 * setting of columns of the port or interface that an add-port before it
 * inserts (as libvirt and OpenStack's agent do), which finds its row in
 * a replica that holds only the rows of that name. */
static bool
is_set_of_named_row(const struct ctl_command *c, const char *name)
{
    return (!strcmp(c->syntax->name, "set") && c->argc >= 3
            && (!strcasecmp(c->argv[1], "Port")
                || !strcasecmp(c->argv[1], "Interface"))
            && !strcmp(c->argv[2], name) && smap_is_empty(&c->options));
}

bool
vsctl_ports_use_fast_path(struct ctl_command *commands, size_t n)
{
    if (!n) {
        return false;
    }
    const char *name = commands[0].syntax->name;
    if (!strcmp(name, "add-port") && commands[0].argc >= 3) {
        for (size_t i = 1; i < n; i++) {
            if (!is_set_of_named_row(&commands[i], commands[0].argv[2])) {
                return false;
            }
        }
        saved_syntax = commands[0].syntax;
        commands[0].syntax = &fast_add_port;
        return true;
    } else if (!strcmp(name, "del-port") && n == 1) {
        saved_syntax = commands[0].syntax;
        commands[0].syntax = &fast_del_port;
        return true;
    }
    return false;
}

void
vsctl_ports_leave_fast_path(struct ctl_command *commands, size_t n)
{
    if (saved_syntax) {
        ovs_assert(n >= 1);
        commands[0].syntax = saved_syntax;
        saved_syntax = NULL;
    }
    fallback_requested = false;
    have_wanted_port = false;
}

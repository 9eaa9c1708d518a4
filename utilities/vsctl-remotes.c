/* ovs-vsctl: the commands that configure whom the switch talks to --
 * OpenFlow controllers and fail mode, OVSDB managers, SSL -- and
 * emer-reset, which removes all of that at once.
 *
 * Controller, Manager and SSL rows are not root rows: dropping the last
 * reference to one (from Bridge:controller, Open_vSwitch:manager_options
 * or Open_vSwitch:ssl) makes the server delete it. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/smap.h"
#include "lib/util.h"
#include "lib/vlog.h"
#include "ovsdb/idl-txn.h"
#include "ovsdb/idl.h"
#include "ovsdb/vswitch-idl.h"
#include "utilities/vsctl.h"

/* Warnings go out under ovs-vsctl's own log module, as OVS's do. */
extern struct vlog_module VLM_vsctl;
static struct vlog_module *const THIS_MODULE = &VLM_vsctl;

/* True if 'target' names a connection method that OpenFlow and OVSDB
 * connections support ("tcp:...", "punix:..."); what follows the colon is
 * not checked. */
static bool
target_type_is_known(const char *target)
{
    static const char *const types[] = {"tcp",  "ssl",  "unix",
                                        "ptcp", "pssl", "punix"};
    size_t len = strcspn(target, ":");
    if (!target[len]) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        if (strlen(types[i]) == len && !strncmp(target, types[i], len)) {
            return true;
        }
    }
    return false;
}

static void
warn_unknown_targets(char **targets, int n)
{
    for (int i = 0; i < n; i++) {
        if (!target_type_is_known(targets[i])) {
            VLOG_WARN("target type \"%s\" is possibly erroneous", targets[i]);
        }
    }
}

/* The value of --inactivity-probe, read the way atoll() reads it (0 for
 * garbage), or NULL without the option. */
static bool
get_inactivity_probe(struct ctl_context *ctx, int64_t *probe)
{
    const char *value = ctl_get_option(ctx, "--inactivity-probe");
    if (!value) {
        return false;
    }
    *probe = strtoll(value, NULL, 10);
    return true;
}

/* emer-reset. */

static void
pre_emer_reset(struct ctl_context *ctx)
{
    idl_add_column(ctx->idl, ovsrec_open_vswitch_col_bridges);
    idl_add_column(ctx->idl, ovsrec_open_vswitch_col_manager_options);
    idl_add_column(ctx->idl, ovsrec_open_vswitch_col_ssl);
    idl_add_column(ctx->idl, ovsrec_bridge_col_name);
    idl_add_column(ctx->idl, ovsrec_bridge_col_controller);
    idl_add_column(ctx->idl, ovsrec_bridge_col_fail_mode);
    idl_add_column(ctx->idl, ovsrec_bridge_col_mirrors);
    idl_add_column(ctx->idl, ovsrec_bridge_col_netflow);
    idl_add_column(ctx->idl, ovsrec_bridge_col_sflow);
    idl_add_column(ctx->idl, ovsrec_bridge_col_ipfix);
    idl_add_column(ctx->idl, ovsrec_bridge_col_flood_vlans);
    idl_add_column(ctx->idl, ovsrec_bridge_col_other_config);
    idl_add_column(ctx->idl, ovsrec_port_col_other_config);
}

/* Deconfigures controllers, managers, SSL, mirrors, fail mode, NetFlow,
 * sFlow, IPFIX and flooding VLANs, and empties the other_config of bridges
 * (all but "hwaddr") and ports, as ovs-vsctl(8) describes. */
static void
cmd_emer_reset(struct ctl_context *ctx)
{
    const struct ovsrec_open_vswitch *ovs = vsctl_get_ovs(ctx);
    ovsrec_open_vswitch_set_manager_options(ovs, NULL, 0);
    ovsrec_open_vswitch_set_ssl(ovs, NULL, 0);

    const struct ovsrec_bridge *br;
    OVSREC_BRIDGE_FOR_EACH(br, ctx->idl)
    {
        ovsrec_bridge_set_controller(br, NULL, 0);
        ovsrec_bridge_set_fail_mode(br, NULL, 0);
        ovsrec_bridge_set_mirrors(br, NULL, 0);
        ovsrec_bridge_set_netflow(br, NULL, 0);
        ovsrec_bridge_set_sflow(br, NULL, 0);
        ovsrec_bridge_set_ipfix(br, NULL, 0);
        ovsrec_bridge_set_flood_vlans(br, NULL, 0);

        struct smap other_config = SMAP_INITIALIZER(&other_config);
        const char *hwaddr = smap_get(&br->other_config, "hwaddr");
        if (hwaddr) {
            smap_add(&other_config, "hwaddr", hwaddr);
        }
        ovsrec_bridge_set_other_config(br, &other_config);
        smap_destroy(&other_config);
    }

    struct smap empty = SMAP_INITIALIZER(&empty);
    const struct ovsrec_port *port;
    OVSREC_PORT_FOR_EACH(port, ctx->idl)
    {
        ovsrec_port_set_other_config(port, &empty);
    }
    ctl_context_invalidate_cache(ctx);
}

/* get-controller, del-controller, set-controller. */

static void
pre_controller(struct ctl_context *ctx)
{
    vsctl_pre_cache(ctx);
    idl_add_column(ctx->idl, ovsrec_bridge_col_controller);
    idl_add_column(ctx->idl, ovsrec_bridge_col_fail_mode);
    idl_add_column(ctx->idl, ovsrec_controller_col_target);
    idl_add_column(ctx->idl, ovsrec_controller_col_inactivity_probe);
}

static void
cmd_get_controller(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br =
        vsctl_find_bridge(ctx, ctx->argv[1], true);
    const char **targets = xmalloc((br->n_controller + 1) * sizeof *targets);
    for (size_t i = 0; i < br->n_controller; i++) {
        targets[i] = br->controller[i]->target;
    }
    vsctl_output_sorted(ctx, targets, br->n_controller);
    free(targets);
}

static void
cmd_del_controller(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br =
        vsctl_find_real_bridge(ctx, ctx->argv[1], true);
    ovsrec_bridge_set_controller(br, NULL, 0);
}

static void
cmd_set_controller(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br =
        vsctl_find_real_bridge(ctx, ctx->argv[1], true);
    char **targets = &ctx->argv[2];
    int n = ctx->argc - 2;
    int64_t probe;
    bool has_probe = get_inactivity_probe(ctx, &probe);

    warn_unknown_targets(targets, n);
    struct ovsrec_controller **controllers =
        xmalloc((n + 1) * sizeof *controllers);
    for (int i = 0; i < n; i++) {
        controllers[i] = ovsrec_controller_insert(ctx->txn);
        ovsrec_controller_set_target(controllers[i], targets[i]);
        if (has_probe) {
            ovsrec_controller_set_inactivity_probe(controllers[i], &probe, 1);
        }
    }
    ovsrec_bridge_set_controller(br, controllers, n);
    free(controllers);
}

/* get-fail-mode, del-fail-mode, set-fail-mode. */

static void
cmd_get_fail_mode(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br =
        vsctl_find_bridge(ctx, ctx->argv[1], true);
    if (br->n_fail_mode && br->fail_mode[0][0]) {
        ds_put_format(&ctx->output, "%s\n", br->fail_mode[0]);
    }
}

static void
cmd_del_fail_mode(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br =
        vsctl_find_real_bridge(ctx, ctx->argv[1], true);
    ovsrec_bridge_set_fail_mode(br, NULL, 0);
}

static void
cmd_set_fail_mode(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br =
        vsctl_find_real_bridge(ctx, ctx->argv[1], true);
    const char *mode = ctx->argv[2];
    if (strcmp(mode, "standalone") && strcmp(mode, "secure")) {
        ctl_fatal("fail-mode must be \"standalone\" or \"secure\"");
    }
    ovsrec_bridge_set_fail_mode(br, &mode, 1);
}

/* get-manager, del-manager, set-manager. */

static void
pre_manager(struct ctl_context *ctx)
{
    idl_add_column(ctx->idl, ovsrec_open_vswitch_col_manager_options);
    idl_add_column(ctx->idl, ovsrec_manager_col_target);
    idl_add_column(ctx->idl, ovsrec_manager_col_inactivity_probe);
}

static void
cmd_get_manager(struct ctl_context *ctx)
{
    const struct ovsrec_open_vswitch *ovs = vsctl_get_ovs(ctx);
    size_t n = ovs->n_manager_options;
    const char **targets = xmalloc((n + 1) * sizeof *targets);
    for (size_t i = 0; i < n; i++) {
        targets[i] = ovs->manager_options[i]->target;
    }
    vsctl_output_sorted(ctx, targets, n);
    free(targets);
}

static void
cmd_del_manager(struct ctl_context *ctx)
{
    ovsrec_open_vswitch_set_manager_options(vsctl_get_ovs(ctx), NULL, 0);
}

static void
cmd_set_manager(struct ctl_context *ctx)
{
    char **targets = &ctx->argv[1];
    int n = ctx->argc - 1;
    int64_t probe;
    bool has_probe = get_inactivity_probe(ctx, &probe);

    warn_unknown_targets(targets, n);
    struct ovsrec_manager **managers = xmalloc((n + 1) * sizeof *managers);
    for (int i = 0; i < n; i++) {
        managers[i] = ovsrec_manager_insert(ctx->txn);
        ovsrec_manager_set_target(managers[i], targets[i]);
        if (has_probe) {
            ovsrec_manager_set_inactivity_probe(managers[i], &probe, 1);
        }
    }
    ovsrec_open_vswitch_set_manager_options(vsctl_get_ovs(ctx), managers, n);
    free(managers);
}

/* get-ssl, del-ssl, set-ssl. */

static void
pre_ssl(struct ctl_context *ctx)
{
    idl_add_column(ctx->idl, ovsrec_open_vswitch_col_ssl);
    idl_add_column(ctx->idl, ovsrec_ssl_col_private_key);
    idl_add_column(ctx->idl, ovsrec_ssl_col_certificate);
    idl_add_column(ctx->idl, ovsrec_ssl_col_ca_cert);
    idl_add_column(ctx->idl, ovsrec_ssl_col_bootstrap_ca_cert);
}

static void
cmd_get_ssl(struct ctl_context *ctx)
{
    const struct ovsrec_open_vswitch *ovs = vsctl_get_ovs(ctx);
    if (!ovs->n_ssl) {
        return;
    }
    const struct ovsrec_ssl *ssl = ovs->ssl[0];
    ds_put_format(&ctx->output, "Private key: %s\n", ssl->private_key);
    ds_put_format(&ctx->output, "Certificate: %s\n", ssl->certificate);
    ds_put_format(&ctx->output, "CA Certificate: %s\n", ssl->ca_cert);
    ds_put_format(&ctx->output, "Bootstrap: %s\n",
                  ssl->bootstrap_ca_cert ? "true" : "false");
}

static void
cmd_del_ssl(struct ctl_context *ctx)
{
    ovsrec_open_vswitch_set_ssl(vsctl_get_ovs(ctx), NULL, 0);
}

static void
cmd_set_ssl(struct ctl_context *ctx)
{
    struct ovsrec_ssl *ssl = ovsrec_ssl_insert(ctx->txn);
    ovsrec_ssl_set_private_key(ssl, ctx->argv[1]);
    ovsrec_ssl_set_certificate(ssl, ctx->argv[2]);
    ovsrec_ssl_set_ca_cert(ssl, ctx->argv[3]);
    ovsrec_ssl_set_bootstrap_ca_cert(ssl, ctl_has_option(ctx, "--bootstrap"));
    ovsrec_open_vswitch_set_ssl(vsctl_get_ovs(ctx), &ssl, 1);
}

/* clang-format off */
const struct ctl_command_syntax vsctl_remote_commands[] = {
    {"emer-reset", 0, 0, "", pre_emer_reset, cmd_emer_reset, NULL, "",
     CTL_RW},
    {"get-controller", 1, 1, "!BRIDGE", pre_controller, cmd_get_controller,
     NULL, "", CTL_RO},
    {"del-controller", 1, 1, "!BRIDGE", pre_controller, cmd_del_controller,
     NULL, "", CTL_RW},
    {"set-controller", 1, INT_MAX, "!BRIDGE +TARGET", pre_controller,
     cmd_set_controller, NULL, "--inactivity-probe=", CTL_RW},
    {"get-fail-mode", 1, 1, "!BRIDGE", pre_controller, cmd_get_fail_mode,
     NULL, "", CTL_RO},
    {"del-fail-mode", 1, 1, "!BRIDGE", pre_controller, cmd_del_fail_mode,
     NULL, "", CTL_RW},
    {"set-fail-mode", 2, 2, "!BRIDGE !MODE", pre_controller,
     cmd_set_fail_mode, NULL, "", CTL_RW},
    {"get-manager", 0, 0, "", pre_manager, cmd_get_manager, NULL, "",
     CTL_RO},
    {"del-manager", 0, 0, "", pre_manager, cmd_del_manager, NULL, "",
     CTL_RW},
    {"set-manager", 1, INT_MAX, "+TARGET", pre_manager, cmd_set_manager,
     NULL, "--inactivity-probe=", CTL_RW},
    {"get-ssl", 0, 0, "", pre_ssl, cmd_get_ssl, NULL, "", CTL_RO},
    {"del-ssl", 0, 0, "", pre_ssl, cmd_del_ssl, NULL, "", CTL_RW},
    {"set-ssl", 3, 3, "!PRIVATE-KEY !CERTIFICATE !CA-CERT", pre_ssl,
     cmd_set_ssl, NULL, "--bootstrap", CTL_RW},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, CTL_RO},
};
/* clang-format on */

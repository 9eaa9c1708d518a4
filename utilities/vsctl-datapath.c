/* ovs-vsctl: the datapath commands (list-dp-cap, and the conntrack zone
 * timeout policies add-zone-tp, del-zone-tp, list-zone-tp) and the
 * Auto-Attach mapping commands.  A datapath is the Datapath row that
 * Open_vSwitch:datapaths maps its type ("system", "netdev") to. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hash-order.h"
#include "lib/util.h"
#include "ovsdb/idl.h"
#include "ovsdb/vswitch-idl.h"
#include "utilities/vsctl.h"

static void
pre_datapath(struct ctl_context *ctx)
{
    idl_add_column(ctx->idl, ovsrec_open_vswitch_col_datapaths);
    idl_add_column(ctx->idl, ovsrec_datapath_col_capabilities);
    idl_add_column(ctx->idl, ovsrec_datapath_col_ct_zones);
    idl_add_column(ctx->idl, ovsrec_ct_zone_col_timeout_policy);
    idl_add_column(ctx->idl, ovsrec_ct_timeout_policy_col_timeouts);
}

static const struct ovsrec_datapath *
find_datapath(struct ctl_context *ctx, const char *type)
{
    const struct ovsrec_open_vswitch *ovs =
        ovsrec_open_vswitch_first(ctx->idl);
    for (size_t i = 0; ovs && i < ovs->n_datapaths; i++) {
        if (!strcmp(ovs->key_datapaths[i], type)) {
            return ovs->value_datapaths[i];
        }
    }
    return NULL;
}

static const struct ovsrec_ct_zone *
find_zone(const struct ovsrec_datapath *dp, int64_t zone_id)
{
    for (size_t i = 0; i < dp->n_ct_zones; i++) {
        if (dp->key_ct_zones[i] == zone_id) {
            return dp->value_ct_zones[i];
        }
    }
    return NULL;
}

/* list-dp-cap: the capabilities in the order OVS's string map holds them
 * (its hash table's), as "key=value" words on one line. */
static void
cmd_list_dp_cap(struct ctl_context *ctx)
{
    const struct ovsrec_datapath *dp = find_datapath(ctx, ctx->argv[1]);
    if (!dp) {
        ctl_fatal("datapath \"%s\" record not found", ctx->argv[1]);
    }
    const struct smap *caps = &dp->capabilities;
    size_t n = smap_count(caps);
    const struct smap_node **nodes = smap_sort(caps);
    const char **keys = xmalloc((n + 1) * sizeof *keys);
    for (size_t i = 0; i < n; i++) {
        keys[i] = nodes[i]->key;
    }
    hash_order_strings(keys, n);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(&ctx->output, "%s%s=%s", i ? " " : "", keys[i],
                      smap_get(caps, keys[i]));
    }
    ds_put_char(&ctx->output, '\n');
    free(keys);
    free(nodes);
}

/* Parses "zone=ID" (ID in C syntax: decimal, 0x hex or 0 octal). */
static int64_t
parse_zone(const char *arg)
{
    if (!strncmp(arg, "zone=", 5)) {
        char *end;
        errno = 0;
        long long id = strtoll(arg + 5, &end, 0);
        if (end != arg + 5 && !errno) {
            return id;
        }
    }
    ctl_fatal("\"%s\" is not a valid zone (expected zone=ID)", arg);
}

/* add-zone-tp DATAPATH zone=ID POLICY...: POLICY is KEY=SECONDS.  As
 * OVS reads them, the seconds are a C int ("abc" or none is 0) and the
 * first of several settings of one key wins. */
static void
cmd_add_zone_tp(struct ctl_context *ctx)
{
    const struct ovsrec_datapath *dp = find_datapath(ctx, ctx->argv[1]);
    if (!dp) {
        ctl_fatal("datapath %s does not exist", ctx->argv[1]);
    }
    int64_t zone_id = parse_zone(ctx->argv[2]);
    const struct ovsrec_ct_zone *zone = find_zone(dp, zone_id);
    if (zone && !ctl_has_option(ctx, "--may-exist")) {
        ctl_fatal("zone id %" PRId64 " already exists", zone_id);
    }

    size_t n_policies = ctx->argc - 3;
    const char **keys = xmalloc(n_policies * sizeof *keys);
    int64_t *values = xmalloc(n_policies * sizeof *values);
    size_t n = 0;
    for (size_t i = 0; i < n_policies; i++) {
        const char *arg = ctx->argv[3 + i];
        const char *eq = strchr(arg, '=');
        char *key = eq ? xmemdup0(arg, eq - arg) : xstrdup(arg);
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++) {
            dup = !strcmp(keys[j], key);
        }
        if (dup) {
            free(key);
            continue;
        }
        keys[n] = key;
        values[n++] = eq ? (int) strtol(eq + 1, NULL, 10) : 0;
    }

    /* Zones with the same timeouts share one policy row. */
    const struct ovsrec_ct_timeout_policy *tp, *found = NULL;
    OVSREC_CT_TIMEOUT_POLICY_FOR_EACH(tp, ctx->idl)
    {
        bool same = tp->n_timeouts == n;
        for (size_t i = 0; same && i < n; i++) {
            same = false;
            for (size_t j = 0; j < tp->n_timeouts; j++) {
                if (!strcmp(tp->key_timeouts[j], keys[i])) {
                    same = tp->value_timeouts[j] == values[i];
                    break;
                }
            }
        }
        if (same) {
            found = tp;
            break;
        }
    }
    if (!found) {
        struct ovsrec_ct_timeout_policy *new_tp =
            ovsrec_ct_timeout_policy_insert(ctx->txn);
        ovsrec_ct_timeout_policy_set_timeouts(new_tp, keys, values, n);
        found = new_tp;
    }
    for (size_t i = 0; i < n; i++) {
        free((char *) keys[i]);
    }
    free(keys);
    free(values);

    if (!zone) {
        struct ovsrec_ct_zone *new_zone = ovsrec_ct_zone_insert(ctx->txn);
        ovsrec_datapath_update_ct_zones_setkey(dp, zone_id, new_zone);
        zone = new_zone;
    }
    ovsrec_ct_zone_set_timeout_policy(
        zone, (struct ovsrec_ct_timeout_policy **) &found, 1);
}

static void
cmd_del_zone_tp(struct ctl_context *ctx)
{
    const struct ovsrec_datapath *dp = find_datapath(ctx, ctx->argv[1]);
    if (!dp) {
        ctl_fatal("datapath %s does not exist", ctx->argv[1]);
    }
    int64_t zone_id = parse_zone(ctx->argv[2]);
    if (!find_zone(dp, zone_id)) {
        if (ctl_has_option(ctx, "--if-exists")) {
            return;
        }
        ctl_fatal("zone id %" PRId64 " does not exist", zone_id);
    }
    ovsrec_datapath_update_ct_zones_delkey(dp, zone_id);
}

/* list-zone-tp: one line per zone that has a timeout policy, in zone
 * order. */
static void
cmd_list_zone_tp(struct ctl_context *ctx)
{
    const struct ovsrec_datapath *dp = find_datapath(ctx, ctx->argv[1]);
    if (!dp) {
        ctl_fatal("datapath: %s record not found", ctx->argv[1]);
    }
    for (size_t i = 0; i < dp->n_ct_zones; i++) {
        const struct ovsrec_ct_zone *zone = dp->value_ct_zones[i];
        if (!zone->n_timeout_policy) {
            continue;
        }
        const struct ovsrec_ct_timeout_policy *tp = zone->timeout_policy[0];
        ds_put_format(&ctx->output, "Zone:%" PRId64 ", Timeout Policies: ",
                      dp->key_ct_zones[i]);
        for (size_t j = 0; j < tp->n_timeouts; j++) {
            ds_put_format(&ctx->output, "%s%s=%" PRId64, j ? " " : "",
                          tp->key_timeouts[j], tp->value_timeouts[j]);
        }
        ds_put_char(&ctx->output, '\n');
    }
}

/* Auto-Attach: a bridge's AutoAttach row maps I-SIDs to VLANs. */

static void
pre_aa(struct ctl_context *ctx)
{
    vsctl_pre_cache(ctx);
    idl_add_column(ctx->idl, ovsrec_bridge_col_auto_attach);
    idl_add_column(ctx->idl, ovsrec_autoattach_col_mappings);
}

/* Parses a decimal number as OVS does: leading digits count, what follows
 * them does not, and no digits at all is an error. */
static int64_t
parse_aa_number(const char *arg)
{
    char *end;
    long long value = strtoll(arg, &end, 10);
    if (end == arg) {
        ctl_fatal("Invalid argument %s", arg);
    }
    return value;
}

static bool
aa_lookup(const struct ovsrec_autoattach *aa, int64_t isid, int64_t *vlan)
{
    for (size_t i = 0; aa && i < aa->n_mappings; i++) {
        if (aa->key_mappings[i] == isid) {
            *vlan = aa->value_mappings[i];
            return true;
        }
    }
    return false;
}

/* The arguments of add-aa-mapping and del-aa-mapping (BRIDGE I-SID VLAN),
 * and the bridge's AutoAttach row, or NULL. */
static const struct ovsrec_autoattach *
parse_aa_args(struct ctl_context *ctx, const struct ovsrec_bridge **brp,
              int64_t *isid, int64_t *vlan)
{
    const struct ovsrec_bridge *br =
        vsctl_find_bridge(ctx, ctx->argv[1], true);
    *isid = parse_aa_number(ctx->argv[2]);
    *vlan = parse_aa_number(ctx->argv[3]);
    *brp = br;
    return br->n_auto_attach ? br->auto_attach[0] : NULL;
}

static void
cmd_add_aa_mapping(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br;
    int64_t isid, vlan;
    const struct ovsrec_autoattach *aa = parse_aa_args(ctx, &br, &isid, &vlan);
    if (!aa) {
        struct ovsrec_autoattach *new_aa = ovsrec_autoattach_insert(ctx->txn);
        ovsrec_bridge_set_auto_attach(br, &new_aa, 1);
        aa = new_aa;
    }
    /* An I-SID that is already mapped keeps its VLAN. */
    int64_t old_vlan;
    if (!aa_lookup(aa, isid, &old_vlan)) {
        ovsrec_autoattach_update_mappings_setkey(aa, isid, vlan);
    }
}

static void
cmd_del_aa_mapping(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br;
    int64_t isid, vlan;
    const struct ovsrec_autoattach *aa = parse_aa_args(ctx, &br, &isid, &vlan);
    /* As with OVS, removing an I-SID's mapping to a VLAN removes every
     * I-SID's mapping to that VLAN. */
    int64_t old_vlan;
    if (aa_lookup(aa, isid, &old_vlan) && old_vlan == vlan) {
        /* Each deletion updates 'aa''s members: collect the keys first. */
        size_t n = aa->n_mappings, n_keys = 0;
        int64_t *keys = xmalloc((n + 1) * sizeof *keys);
        for (size_t i = 0; i < n; i++) {
            if (aa->value_mappings[i] == vlan) {
                keys[n_keys++] = aa->key_mappings[i];
            }
        }
        for (size_t i = 0; i < n_keys; i++) {
            ovsrec_autoattach_update_mappings_delkey(aa, keys[i]);
        }
        free(keys);
    }
}

static void
cmd_get_aa_mapping(struct ctl_context *ctx)
{
    const struct ovsrec_bridge *br =
        vsctl_find_bridge(ctx, ctx->argv[1], true);
    const struct ovsrec_autoattach *aa =
        br->n_auto_attach ? br->auto_attach[0] : NULL;
    for (size_t i = 0; aa && i < aa->n_mappings; i++) {
        ds_put_format(&ctx->output, "%" PRId64 " %" PRId64 "\n",
                      aa->key_mappings[i], aa->value_mappings[i]);
    }
}

/* clang-format off */
const struct ctl_command_syntax vsctl_datapath_commands[] = {
    {"add-aa-mapping", 3, 3, "!BRIDGE !ARG !ARG", pre_aa, cmd_add_aa_mapping,
     NULL, "", CTL_RW},
    {"del-aa-mapping", 3, 3, "!BRIDGE !ARG !ARG", pre_aa, cmd_del_aa_mapping,
     NULL, "", CTL_RW},
    {"get-aa-mapping", 1, 1, "!BRIDGE", pre_aa, cmd_get_aa_mapping, NULL, "",
     CTL_RO},
    {"add-zone-tp", 3, INT_MAX, "", pre_datapath, cmd_add_zone_tp, NULL,
     "--may-exist", CTL_RW},
    {"del-zone-tp", 2, 2, "", pre_datapath, cmd_del_zone_tp, NULL,
     "--if-exists", CTL_RW},
    {"list-zone-tp", 1, 1, "", pre_datapath, cmd_list_zone_tp, NULL, "",
     CTL_RO},
    {"list-dp-cap", 1, 1, "", pre_datapath, cmd_list_dp_cap, NULL, "",
     CTL_RO},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, CTL_RO},
};
/* clang-format on */

/* ovs-vsctl: the view of bridges, ports and interfaces that the bridge
 * commands work from.
 *
 * The view is built from the replica as the open transaction leaves it
 * (partial updates included), so that a command sees what the commands
 * before it on the same command line did.  It is rebuilt whenever a
 * command changes the database.  Building it verifies the membership
 * columns it reads (Open_vSwitch:bridges, Bridge:ports, and on request
 * Port:interfaces), so that a concurrent change of them makes the
 * transaction fail with "try again" and the commands run again on the
 * new contents. */
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "lib/util.h"
#include "lib/vlog.h"
#include "ovsdb/idl-txn.h"
#include "ovsdb/idl.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/vswitch-idl.h"
#include "utilities/vsctl.h"

/* ovs-vsctl's log module (ovs-vsctl.c), which OVS's warnings about an
 * inconsistent database come from. */
extern struct vlog_module VLM_vsctl;

struct vsctl_cache {
    struct hmap bridges; /* "struct vsctl_bridge"s, by name. */
    struct hmap ports;   /* "struct vsctl_port"s, by name. */
    struct hmap ifaces;  /* "struct vsctl_iface"s, by name. */
    bool ifaces_verified;
};

/* The rows that 'column' (a set of references to 'dst') of 'row' refers
 * to once the open transaction applies; '*n' receives their number. */
static const struct idl_row **
read_refs(struct ctl_context *ctx, const struct idl_row *row,
          const struct idl_column *column, const struct idl_table_class *dst,
          size_t *n)
{
    struct ovsdb_datum d;
    idl_txn_read_pending(row, column, &d);
    const struct idl_row **rows = xmalloc((d.n + 1) * sizeof *rows);
    *n = 0;
    for (size_t i = 0; i < d.n; i++) {
        const struct idl_row *r =
            idl_get_row_for_uuid(ctx->idl, dst, &d.keys[i].uuid);
        if (r) {
            rows[(*n)++] = r;
        }
    }
    ovsdb_datum_destroy(&d, &column->type);
    return rows;
}

static void *
find_by_name(const struct hmap *map, const char *name, size_t name_offset)
{
    struct hmap_node *node;
    for (node = hmap_first_with_hash(map, hash_string(name, 0)); node;
         node = hmap_next_with_hash(node)) {
        const char *node_name = *(const char **) ((char *) node + name_offset);
        if (!strcmp(node_name, name)) {
            return node;
        }
    }
    return NULL;
}

/* The hmap_node comes first in each of the cached structs, so that one
 * lookup serves all three maps. */
#define FIND(MAP, NAME, TYPE)                                                 \
    ((TYPE *) find_by_name(MAP, NAME,                                         \
                           offsetof(TYPE, name) - offsetof(TYPE, node)))

static struct vsctl_bridge *
add_bridge(struct vsctl_cache *cache, const char *name,
           const struct ovsrec_bridge *br_cfg, struct vsctl_bridge *parent,
           const struct ovsrec_port *fake_port, int vlan)
{
    struct vsctl_bridge *br = xzalloc(sizeof *br);
    br->name = name;
    br->br_cfg = br_cfg;
    br->parent = parent;
    br->fake_port = fake_port;
    br->vlan = vlan;
    hmap_insert(&cache->bridges, &br->node, hash_string(name, 0));
    return br;
}

/* A Port row stands for a fake bridge when it says so and carries a
 * valid VLAN tag. */
static bool
port_is_fake_bridge(const struct ovsrec_port *port)
{
    return (port->fake_bridge && port->n_tag == 1 && port->tag[0] >= 0
            && port->tag[0] <= 4095);
}

static struct vsctl_bridge *
find_vlan_child(struct vsctl_cache *cache, const struct vsctl_bridge *parent,
                int64_t vlan)
{
    struct vsctl_bridge *br;
    HMAP_FOR_EACH (br, node, &cache->bridges) {
        if (br->parent == parent && br->vlan == vlan) {
            return br;
        }
    }
    return NULL;
}

static void
add_port(struct ctl_context *ctx, struct vsctl_cache *cache,
         struct vsctl_bridge *owner, const struct ovsrec_port *port_cfg)
{
    if (port_cfg->n_tag == 1 && port_cfg->tag[0] >= 0
        && port_cfg->tag[0] <= 4095) {
        struct vsctl_bridge *child =
            find_vlan_child(cache, owner, port_cfg->tag[0]);
        if (child) {
            owner = child;
        }
    }

    /* A port that several bridges list belongs to the last one. */
    struct vsctl_port *port =
        FIND(&cache->ports, port_cfg->name, struct vsctl_port);
    if (port) {
        vlog(&VLM_vsctl, VLL_WARN,
             "%s: port is in multiple bridges (%s and "
             "%s)",
             port->name, port->bridge->name, owner->name);
        port->bridge = owner;
        return;
    }
    port = xzalloc(sizeof *port);
    port->name = port_cfg->name;
    port->port_cfg = port_cfg;
    port->bridge = owner;
    hmap_insert(&cache->ports, &port->node, hash_string(port->name, 0));

    size_t n;
    const struct idl_row **rows =
        read_refs(ctx, &port_cfg->header_, ovsrec_port_col_interfaces,
                  ovsrec_table_interface, &n);
    port->ifaces = xmalloc((n + 1) * sizeof *port->ifaces);
    for (size_t i = 0; i < n; i++) {
        const struct ovsrec_interface *iface_cfg =
            ovsrec_interface_cast(rows[i]);
        port->ifaces[port->n_ifaces++] = iface_cfg;

        /* Likewise, an interface belongs to the last port that lists
         * it. */
        struct vsctl_iface *iface =
            FIND(&cache->ifaces, iface_cfg->name, struct vsctl_iface);
        if (iface) {
            vlog(&VLM_vsctl, VLL_WARN,
                 "%s: interface is in multiple ports "
                 "(%s and %s)",
                 iface->name, port->name, iface->port->name);
            iface->port = port;
            continue;
        }
        iface = xzalloc(sizeof *iface);
        iface->name = iface_cfg->name;
        iface->iface_cfg = iface_cfg;
        iface->port = port;
        hmap_insert(&cache->ifaces, &iface->node, hash_string(iface->name, 0));
    }
    free(rows);
}

static struct vsctl_cache *
cache_build(struct ctl_context *ctx)
{
    struct vsctl_cache *cache = xzalloc(sizeof *cache);
    hmap_init(&cache->bridges);
    hmap_init(&cache->ports);
    hmap_init(&cache->ifaces);

    const struct ovsrec_open_vswitch *ovs =
        ovsrec_open_vswitch_first(ctx->idl);
    if (!ovs) {
        return cache;
    }
    ovsrec_open_vswitch_verify_bridges(ovs);
    size_t n_brs;
    const struct idl_row **brs =
        read_refs(ctx, &ovs->header_, ovsrec_open_vswitch_col_bridges,
                  ovsrec_table_bridge, &n_brs);

    /* Real bridges, then the fake bridges their ports stand for, then the
     * ports, which need to know the fake bridges to find their owner. */
    struct vsctl_bridge **reals = xmalloc((n_brs + 1) * sizeof *reals);
    const struct idl_row ***ports = xmalloc((n_brs + 1) * sizeof *ports);
    size_t *n_ports = xmalloc((n_brs + 1) * sizeof *n_ports);
    for (size_t i = 0; i < n_brs; i++) {
        const struct ovsrec_bridge *br_cfg = ovsrec_bridge_cast(brs[i]);
        ovsrec_bridge_verify_ports(br_cfg);
        reals[i] = NULL;
        if (!FIND(&cache->bridges, br_cfg->name, struct vsctl_bridge)) {
            reals[i] = add_bridge(cache, br_cfg->name, br_cfg, NULL, NULL, 0);
        }
        ports[i] = read_refs(ctx, brs[i], ovsrec_bridge_col_ports,
                             ovsrec_table_port, &n_ports[i]);
    }
    for (size_t i = 0; i < n_brs; i++) {
        for (size_t j = 0; reals[i] && j < n_ports[i]; j++) {
            const struct ovsrec_port *port = ovsrec_port_cast(ports[i][j]);
            if (port_is_fake_bridge(port)
                && !FIND(&cache->bridges, port->name, struct vsctl_bridge)) {
                add_bridge(cache, port->name, reals[i]->br_cfg, reals[i], port,
                           port->tag[0]);
            }
        }
    }
    for (size_t i = 0; i < n_brs; i++) {
        for (size_t j = 0; reals[i] && j < n_ports[i]; j++) {
            add_port(ctx, cache, reals[i], ovsrec_port_cast(ports[i][j]));
        }
        free(ports[i]);
    }
    free(ports);
    free(n_ports);
    free(reals);
    free(brs);
    return cache;
}

static void
cache_destroy(struct vsctl_cache *cache)
{
    if (!cache) {
        return;
    }
    struct vsctl_bridge *br;
    HMAP_FOR_EACH_POP (br, node, &cache->bridges) {
        free(br);
    }
    struct vsctl_port *port;
    HMAP_FOR_EACH_POP (port, node, &cache->ports) {
        free(port->ifaces);
        free(port);
    }
    struct vsctl_iface *iface;
    HMAP_FOR_EACH_POP (iface, node, &cache->ifaces) {
        free(iface);
    }
    hmap_destroy(&cache->bridges);
    hmap_destroy(&cache->ports);
    hmap_destroy(&cache->ifaces);
    free(cache);
}

static struct vsctl_cache *
get_cache(struct ctl_context *ctx)
{
    if (!ctx->pvt) {
        ctx->pvt = cache_build(ctx);
    }
    return ctx->pvt;
}

void
vsctl_invalidate_cache(struct ctl_context *ctx)
{
    cache_destroy(ctx->pvt);
    ctx->pvt = NULL;
}

void
vsctl_context_done(struct ctl_context *ctx)
{
    vsctl_invalidate_cache(ctx);
}

void
vsctl_verify_ifaces(struct ctl_context *ctx)
{
    struct vsctl_cache *cache = get_cache(ctx);
    if (!cache->ifaces_verified) {
        struct vsctl_port *port;
        HMAP_FOR_EACH (port, node, &cache->ports) {
            ovsrec_port_verify_interfaces(port->port_cfg);
        }
        cache->ifaces_verified = true;
    }
}

struct vsctl_bridge *
vsctl_cache_find_bridge(struct ctl_context *ctx, const char *name,
                        bool must_exist)
{
    struct vsctl_bridge *br =
        FIND(&get_cache(ctx)->bridges, name, struct vsctl_bridge);
    if (!br && must_exist) {
        ctl_fatal("no bridge named %s", name);
    }
    return br;
}

/* A bridge's local port and interface (named after it) are not found
 * by name: they go and come with the bridge. */
static bool
is_local(const struct vsctl_port *port)
{
    return !strcmp(port->name, port->bridge->name);
}

struct vsctl_port *
vsctl_cache_find_port(struct ctl_context *ctx, const char *name,
                      bool must_exist)
{
    struct vsctl_port *port =
        FIND(&get_cache(ctx)->ports, name, struct vsctl_port);
    if (port && is_local(port)) {
        port = NULL;
    }
    if (!port && must_exist) {
        ctl_fatal("no port named %s", name);
    }
    return port;
}

struct vsctl_port *
vsctl_cache_find_local_port(struct ctl_context *ctx, const char *name)
{
    struct vsctl_port *port =
        FIND(&get_cache(ctx)->ports, name, struct vsctl_port);
    return port && is_local(port) ? port : NULL;
}

struct vsctl_iface *
vsctl_cache_find_iface(struct ctl_context *ctx, const char *name,
                       bool must_exist)
{
    struct vsctl_iface *iface =
        FIND(&get_cache(ctx)->ifaces, name, struct vsctl_iface);
    if (iface && !strcmp(iface->name, iface->port->bridge->name)) {
        iface = NULL;
    }
    if (!iface && must_exist) {
        ctl_fatal("no interface named %s", name);
    }
    return iface;
}

const struct hmap *
vsctl_cache_bridges(struct ctl_context *ctx)
{
    return &get_cache(ctx)->bridges;
}

const struct hmap *
vsctl_cache_ports(struct ctl_context *ctx)
{
    return &get_cache(ctx)->ports;
}

const struct hmap *
vsctl_cache_ifaces(struct ctl_context *ctx)
{
    return &get_cache(ctx)->ifaces;
}

void
vsctl_pre_cache(struct ctl_context *ctx)
{
    idl_add_column(ctx->idl, ovsrec_open_vswitch_col_bridges);
    idl_add_column(ctx->idl, ovsrec_bridge_col_name);
    idl_add_column(ctx->idl, ovsrec_bridge_col_ports);
    idl_add_column(ctx->idl, ovsrec_port_col_name);
    idl_add_column(ctx->idl, ovsrec_port_col_fake_bridge);
    idl_add_column(ctx->idl, ovsrec_port_col_tag);
    idl_add_column(ctx->idl, ovsrec_port_col_interfaces);
    idl_add_column(ctx->idl, ovsrec_interface_col_name);
}

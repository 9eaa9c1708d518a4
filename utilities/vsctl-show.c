/* ovs-vsctl show: an overview of the database, as a tree that starts at
 * the Open_vSwitch row.  Each row prints as "Table name" followed, one
 * level deeper, by the columns that the table below lists: a reference
 * to a table with an entry here prints the rows it refers to, recursively;
 * any other column prints as "column: value", unless it has its default
 * value. */
#include <stdlib.h>
#include <string.h>

#include "lib/sset.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/idl.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/vswitch-idl.h"
#include "utilities/vsctl.h"

#define SHOW_MAX_COLUMNS 4

struct show_table {
    const struct idl_table_class *table;
    const struct idl_column *name; /* NULL: the row's UUID names it. */
    const struct idl_column *columns[SHOW_MAX_COLUMNS];
};

static struct show_table show_tables[6];

static void
init_show_tables(void)
{
    static const struct show_table tables[] = {
        {ovsrec_table_open_vswitch,
         NULL,
         {ovsrec_open_vswitch_col_manager_options,
          ovsrec_open_vswitch_col_bridges, ovsrec_open_vswitch_col_ovs_version,
          NULL}},
        {ovsrec_table_bridge,
         ovsrec_bridge_col_name,
         {ovsrec_bridge_col_controller, ovsrec_bridge_col_fail_mode,
          ovsrec_bridge_col_datapath_type, ovsrec_bridge_col_ports}},
        {ovsrec_table_port,
         ovsrec_port_col_name,
         {ovsrec_port_col_tag, ovsrec_port_col_trunks,
          ovsrec_port_col_interfaces, NULL}},
        {ovsrec_table_interface,
         ovsrec_interface_col_name,
         {ovsrec_interface_col_type, ovsrec_interface_col_options,
          ovsrec_interface_col_error, NULL}},
        {ovsrec_table_controller,
         ovsrec_controller_col_target,
         {ovsrec_controller_col_is_connected, NULL, NULL, NULL}},
        {ovsrec_table_manager,
         ovsrec_manager_col_target,
         {ovsrec_manager_col_is_connected, NULL, NULL, NULL}},
    };
    memcpy(show_tables, tables, sizeof tables);
}

static const struct show_table *
find_show_table(const struct idl_table_class *table)
{
    for (size_t i = 0; i < ARRAY_SIZE(show_tables); i++) {
        if (show_tables[i].table == table) {
            return &show_tables[i];
        }
    }
    return NULL;
}

static void
pre_show(struct ctl_context *ctx)
{
    if (!show_tables[0].table) {
        init_show_tables();
    }
    for (size_t i = 0; i < ARRAY_SIZE(show_tables); i++) {
        const struct show_table *t = &show_tables[i];
        if (t->name) {
            idl_add_column(ctx->idl, t->name);
        }
        for (size_t j = 0; j < SHOW_MAX_COLUMNS && t->columns[j]; j++) {
            idl_add_column(ctx->idl, t->columns[j]);
        }
    }
}

static void
show_row(struct ctl_context *ctx, const struct idl_row *row, int level,
         struct sset *shown)
{
    const struct show_table *t = find_show_table(row->table_class);
    struct ds *out = &ctx->output;

    ds_put_format(out, "%*s", level * 4, "");
    if (t->name) {
        const struct ovsdb_datum *name = idl_read(row, t->name);
        ds_put_format(out, "%s ", row->table_class->name);
        ovsdb_datum_to_string(name, &t->name->type, out);
    } else {
        ds_put_format(out, UUID_FMT, UUID_ARGS(&row->uuid));
    }
    ds_put_char(out, '\n');

    /* A row that two others refer to prints once. */
    char uuid[UUID_LEN + 1];
    snprintf(uuid, sizeof uuid, UUID_FMT, UUID_ARGS(&row->uuid));
    if (!sset_add(shown, uuid)) {
        return;
    }

    for (size_t i = 0; i < SHOW_MAX_COLUMNS && t->columns[i]; i++) {
        const struct idl_column *column = t->columns[i];
        const struct ovsdb_datum *datum = idl_read(row, column);
        const struct ovsdb_base_type *key = &column->type.key;
        const char *ref_name =
            key->type == OVSDB_TYPE_UUID ? key->u.uuid.ref_table_name : NULL;
        const struct idl_table_class *ref =
            ref_name ? idl_class_find_table(ctl_idl_class, ref_name) : NULL;
        if (ref && find_show_table(ref)) {
            for (size_t j = 0; j < datum->n; j++) {
                const struct idl_row *target =
                    idl_get_row_for_uuid(ctx->idl, ref, &datum->keys[j].uuid);
                if (target) {
                    show_row(ctx, target, level + 1, shown);
                }
            }
        } else if (!ovsdb_datum_is_default(datum, &column->type)) {
            ds_put_format(out, "%*s%s: ", (level + 1) * 4, "", column->name);
            ovsdb_datum_to_string(datum, &column->type, out);
            ds_put_char(out, '\n');
        }
    }
}

static void
cmd_show(struct ctl_context *ctx)
{
    struct sset shown = SSET_INITIALIZER(&shown);
    const struct ovsrec_open_vswitch *ovs;
    OVSREC_OPEN_VSWITCH_FOR_EACH(ovs, ctx->idl)
    {
        show_row(ctx, &ovs->header_, 0, &shown);
    }
    sset_destroy(&shown);
}

/* clang-format off */
const struct ctl_command_syntax vsctl_show_commands[] = {
    {"show", 0, 0, "", pre_show, cmd_show, NULL, "", CTL_RO},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, CTL_RO},
};
/* clang-format on */

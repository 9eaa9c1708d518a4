/* Unit tests of the IDL runtime and the generated vswitch binding that
 * need no server: update messages applied to an offline replica, change
 * tracking, and the operations that transactions would send. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/vswitch-idl.h"

#define BR0 "11111111-0000-0000-0000-000000000001"
#define P1 "22222222-0000-0000-0000-000000000001"
#define P2 "22222222-0000-0000-0000-000000000002"
#define I1 "33333333-0000-0000-0000-000000000001"
#define OVS "44444444-0000-0000-0000-000000000001"
#define QOS "55555555-0000-0000-0000-000000000001"

static json_t *
parse_json(const char *s)
{
    json_t *json;
    char *msg = json_from_string(s, &json);
    if (msg) {
        fail_msg("bad JSON in test: %s: %s", s, msg);
    }
    return json;
}

/* Applies the table updates in JSON text 's' to 'idl'. */
static void
apply(struct idl *idl, const char *s, int version, bool snapshot)
{
    json_t *json = parse_json(s);
    struct ovsdb_error *error =
        idl_apply_updates(idl, json, version, snapshot);
    json_decref(json);
    if (error) {
        fail_msg("applying %s: %s", s, ovsdb_error_to_string_free(error));
    }
}

static const struct ovsrec_bridge *
find_bridge(const struct idl *idl, const char *uuid_s)
{
    struct uuid uuid;
    assert_true(uuid_from_string(&uuid, uuid_s));
    return ovsrec_bridge_get_for_uuid(idl, &uuid);
}

static const struct ovsrec_port *
find_port(const struct idl *idl, const char *uuid_s)
{
    struct uuid uuid;
    assert_true(uuid_from_string(&uuid, uuid_s));
    return ovsrec_port_get_for_uuid(idl, &uuid);
}

/* A replica with bridge br0 holding port p1 (tag 10, interface i1). */
static struct idl *
make_replica(void)
{
    struct idl *idl = idl_create(NULL, &ovsrec_idl_class, true, false);
    apply(idl,
          "{\"Bridge\": {\"" BR0 "\": {\"initial\": {\"name\": \"br0\","
          " \"ports\": [\"uuid\", \"" P1 "\"],"
          " \"external_ids\": [\"map\", [[\"a\", \"1\"], [\"b\", \"2\"]]]}}},"
          " \"Port\": {\"" P1 "\": {\"initial\": {\"name\": \"p1\","
          " \"tag\": 10, \"interfaces\": [\"uuid\", \"" I1 "\"]}}},"
          " \"Interface\": {\"" I1 "\": {\"initial\": {\"name\": \"p1\","
          " \"type\": \"internal\"}}}}",
          2, true);
    return idl;
}

static void
test_update2_fills_typed_members(void **state)
{
    (void) state;
    struct idl *idl = make_replica();

    const struct ovsrec_bridge *br = find_bridge(idl, BR0);
    assert_non_null(br);
    assert_string_equal(br->name, "br0");
    assert_int_equal(br->n_ports, 1);
    assert_string_equal(br->ports[0]->name, "p1");
    assert_int_equal(br->ports[0]->n_tag, 1);
    assert_int_equal(br->ports[0]->tag[0], 10);
    assert_int_equal(br->ports[0]->n_interfaces, 1);
    assert_string_equal(br->ports[0]->interfaces[0]->type, "internal");
    assert_string_equal(smap_get(&br->external_ids, "b"), "2");
    assert_int_equal(br->n_fail_mode, 0);
    assert_false(br->stp_enable);

    int n = 0;
    const struct ovsrec_port *port;
    OVSREC_PORT_FOR_EACH(port, idl)
    {
        n++;
    }
    assert_int_equal(n, 1);
    idl_destroy(idl);
}

static void
test_reference_to_row_that_arrives_later_is_filled_in(void **state)
{
    (void) state;
    struct idl *idl = make_replica();
    apply(idl,
          "{\"Bridge\": {\"" BR0 "\": {\"modify\": {"
          " \"ports\": [\"uuid\", \"" P2 "\"]}}}}",
          2, false);
    const struct ovsrec_bridge *br = find_bridge(idl, BR0);
    /* p2 is not in the replica yet: left out. */
    assert_int_equal(br->n_ports, 1);

    apply(idl, "{\"Port\": {\"" P2 "\": {\"insert\": {\"name\": \"p2\"}}}}", 2,
          false);
    br = find_bridge(idl, BR0);
    assert_int_equal(br->n_ports, 2);

    apply(idl, "{\"Port\": {\"" P1 "\": {\"delete\": null}}}", 2, false);
    br = find_bridge(idl, BR0);
    assert_int_equal(br->n_ports, 1);
    assert_string_equal(br->ports[0]->name, "p2");
    assert_null(find_port(idl, P1));
    idl_destroy(idl);
}

static void
test_update2_modify_applies_set_and_map_diffs(void **state)
{
    (void) state;
    struct idl *idl = make_replica();
    unsigned int seqno = idl_get_seqno(idl);

    /* Remove key a, change b, add c; tag becomes unset (a set diff). */
    apply(idl,
          "{\"Bridge\": {\"" BR0 "\": {\"modify\": {\"external_ids\":"
          " [\"map\", [[\"a\", \"1\"], [\"b\", \"3\"], [\"c\", \"4\"]]]}}},"
          " \"Port\": {\"" P1 "\": {\"modify\": {\"tag\": 10}}}}",
          2, false);
    const struct ovsrec_bridge *br = find_bridge(idl, BR0);
    assert_int_equal(smap_count(&br->external_ids), 2);
    assert_null(smap_get(&br->external_ids, "a"));
    assert_string_equal(smap_get(&br->external_ids, "b"), "3");
    assert_string_equal(smap_get(&br->external_ids, "c"), "4");
    assert_int_equal(find_port(idl, P1)->n_tag, 0);
    assert_int_not_equal(idl_get_seqno(idl), seqno);
    idl_destroy(idl);
}

static void
test_monitor_v1_updates_insert_modify_delete(void **state)
{
    (void) state;
    struct idl *idl = idl_create(NULL, &ovsrec_idl_class, true, false);
    apply(idl,
          "{\"Open_vSwitch\": {\"" OVS "\": {\"new\": {\"next_cfg\": 5}}}}", 1,
          true);
    const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(idl);
    assert_int_equal(ovs->next_cfg, 5);
    apply(idl,
          "{\"Open_vSwitch\": {\"" OVS "\": {\"old\": {\"next_cfg\": 5},"
          " \"new\": {\"next_cfg\": 6}}}}",
          1, false);
    assert_int_equal(ovsrec_open_vswitch_first(idl)->next_cfg, 6);
    apply(idl, "{\"Open_vSwitch\": {\"" OVS "\": {\"old\": {}}}}", 1, false);
    assert_null(ovsrec_open_vswitch_first(idl));
    idl_destroy(idl);
}

static void
test_tracking_reports_insert_modify_delete(void **state)
{
    (void) state;
    struct idl *idl = idl_create(NULL, &ovsrec_idl_class, true, false);
    idl_track_add_all(idl);
    apply(idl,
          "{\"Bridge\": {\"" BR0 "\": {\"initial\": {\"name\": \"br0\"}}},"
          " \"Port\": {\"" P1 "\": {\"initial\": {\"name\": \"p1\"}}}}",
          2, true);
    const struct ovsrec_bridge *br = ovsrec_bridge_track_get_first(idl);
    assert_non_null(br);
    assert_true(ovsrec_bridge_is_new(br));
    idl_track_clear(idl);
    assert_null(ovsrec_bridge_track_get_first(idl));

    apply(idl,
          "{\"Bridge\": {\"" BR0 "\": {\"modify\": {\"stp_enable\": true}}},"
          " \"Port\": {\"" P1 "\": {\"delete\": null}}}",
          2, false);
    br = ovsrec_bridge_track_get_first(idl);
    assert_non_null(br);
    assert_false(ovsrec_bridge_is_new(br));
    assert_true(ovsrec_bridge_is_updated(br, OVSREC_BRIDGE_COL_STP_ENABLE));
    assert_false(ovsrec_bridge_is_updated(br, OVSREC_BRIDGE_COL_NAME));
    assert_int_equal(ovsrec_bridge_row_get_seqno(br, IDL_CHANGE_MODIFY),
                     idl_get_seqno(idl));
    assert_null(ovsrec_bridge_track_get_next(br));

    /* The deleted port stays readable until the next clear. */
    const struct ovsrec_port *port = ovsrec_port_track_get_first(idl);
    assert_non_null(port);
    assert_true(ovsrec_port_is_deleted(port));
    assert_string_equal(port->name, "p1");
    assert_null(ovsrec_port_first(idl));
    idl_track_clear(idl);
    assert_null(ovsrec_port_track_get_first(idl));
    idl_destroy(idl);
}

static void
test_snapshot_resync_changes_only_what_differs(void **state)
{
    (void) state;
    struct idl *idl = make_replica();
    idl_track_add_all(idl);
    unsigned int seqno = idl_get_seqno(idl);

    /* The same bridge, an interface gone, the port with a new tag. */
    apply(idl,
          "{\"Bridge\": {\"" BR0 "\": {\"initial\": {\"name\": \"br0\","
          " \"ports\": [\"uuid\", \"" P1 "\"],"
          " \"external_ids\": [\"map\", [[\"a\", \"1\"], [\"b\", \"2\"]]]}}},"
          " \"Port\": {\"" P1 "\": {\"initial\": {\"name\": \"p1\","
          " \"tag\": 11, \"interfaces\": [\"uuid\", \"" I1 "\"]}}}}",
          2, true);
    assert_null(ovsrec_bridge_track_get_first(idl));
    const struct ovsrec_port *port = ovsrec_port_track_get_first(idl);
    assert_non_null(port);
    assert_true(ovsrec_port_is_updated(port, OVSREC_PORT_COL_TAG));
    assert_false(ovsrec_port_is_updated(port, OVSREC_PORT_COL_NAME));
    assert_int_equal(port->tag[0], 11);
    assert_int_equal(port->n_interfaces, 0);
    const struct ovsrec_interface *iface =
        ovsrec_interface_track_get_first(idl);
    assert_non_null(iface);
    assert_true(ovsrec_interface_is_deleted(iface));
    assert_int_not_equal(idl_get_seqno(idl), seqno);
    idl_destroy(idl);
}

static void
test_no_alert_column_does_not_change_seqno(void **state)
{
    (void) state;
    struct idl *idl = make_replica();
    idl_omit_alert(idl, ovsrec_bridge_col_status);
    unsigned int seqno = idl_get_seqno(idl);
    apply(idl,
          "{\"Bridge\": {\"" BR0 "\": {\"modify\": {\"status\":"
          " [\"map\", [[\"x\", \"y\"]]]}}}}",
          2, false);
    assert_int_equal(idl_get_seqno(idl), seqno);
    assert_string_equal(smap_get(&find_bridge(idl, BR0)->status, "x"), "y");
    apply(idl,
          "{\"Bridge\": {\"" BR0 "\": {\"modify\": {\"stp_enable\": true}}}}",
          2, false);
    assert_int_not_equal(idl_get_seqno(idl), seqno);
    idl_destroy(idl);
}

/* Returns the operations 'txn' would send as compact JSON with sorted
 * members (without the database name). */
static char *
ops_string(struct idl_txn *txn)
{
    json_t *ops = idl_txn_build_ops(txn);
    if (!ops) {
        return xstrdup("null");
    }
    json_array_remove(ops, 0);
    char *s = json_to_string_compact(ops, true);
    json_decref(ops);
    return s;
}

static void
test_adding_one_port_sends_one_element(void **state)
{
    (void) state;
    struct idl *idl = make_replica();
    const struct ovsrec_bridge *br = find_bridge(idl, BR0);
    const struct ovsrec_port *p1 = find_port(idl, P1);

    struct idl_txn *txn = idl_txn_create(idl);
    struct ovsrec_port *port = ovsrec_port_insert(txn);
    ovsrec_port_set_name(port, "p2");
    ovsrec_bridge_update_ports_addvalue(br, port);
    ovsrec_bridge_update_ports_delvalue(br, p1);
    char *s = ops_string(txn);
    char *name = xasprintf("row" UUID_FMT, UUID_ARGS(&port->header_.uuid));
    for (char *p = name; *p; p++) {
        *p = *p == '-' ? '_' : *p;
    }
    char *expected = xasprintf(
        "[{\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"" BR0 "\"]]],"
        "\"op\":\"mutate\",\"mutations\":["
        "[\"ports\",\"delete\",[\"set\",[[\"uuid\",\"" P1 "\"]]]],"
        "[\"ports\",\"insert\",[\"set\",[[\"named-uuid\",\"%s\"]]]]],"
        "\"table\":\"Bridge\"},"
        "{\"op\":\"insert\",\"row\":{\"name\":\"p2\"},\"table\":\"Port\","
        "\"uuid-name\":\"%s\"}]",
        name, name);
    /* Keys sort, so rebuild the expectation the same way.  Sets in
     * mutations always take the ["set", ...] form, as with OVS. */
    json_t *ej = parse_json(expected);
    char *e = json_to_string_compact(ej, true);
    json_t *aj = parse_json(s);
    /* Rows are ordered by UUID: compare as sets of operations. */
    assert_int_equal(json_array_size(aj), 2);
    for (size_t i = 0; i < 2; i++) {
        bool found = false;
        for (size_t j = 0; j < 2; j++) {
            found |= json_equal(json_array_get(aj, i), json_array_get(ej, j));
        }
        if (!found) {
            fail_msg("got %s\nexpected %s", s, e);
        }
    }
    json_decref(ej);
    json_decref(aj);
    free(e);
    free(expected);
    free(name);
    free(s);

    /* Typed members show the insert, and the bridge's ports with the
     * mutation applied, until the transaction ends. */
    assert_string_equal(port->name, "p2");
    assert_int_equal(br->n_ports, 1);
    assert_ptr_equal(br->ports[0], port);
    struct ovsdb_datum pending;
    idl_txn_read_pending(&br->header_, ovsrec_bridge_col_ports, &pending);
    assert_int_equal(pending.n, 1);
    assert_true(uuid_equals(&pending.keys[0].uuid, &port->header_.uuid));
    ovsdb_datum_destroy(&pending, &ovsrec_bridge_col_ports->type);
    idl_txn_abort(txn);
    idl_txn_destroy(txn);
    assert_null(ovsrec_port_get_for_uuid(idl, &(struct uuid){{0}}));
    int n = 0;
    OVSREC_PORT_FOR_EACH(p1, idl)
    {
        n++;
    }
    assert_int_equal(n, 1);
    assert_int_equal(br->n_ports, 1);
    assert_ptr_equal(br->ports[0], find_port(idl, P1));
    idl_destroy(idl);
}

static void
test_setkey_deletes_then_inserts_and_verify_waits(void **state)
{
    (void) state;
    struct idl *idl = make_replica();
    const struct ovsrec_bridge *br = find_bridge(idl, BR0);

    struct idl_txn *txn = idl_txn_create(idl);
    ovsrec_bridge_verify_external_ids(br);
    ovsrec_bridge_update_external_ids_setkey(br, "b", "9");
    ovsrec_bridge_update_external_ids_delkey(br, "a");
    ovsrec_bridge_set_stp_enable(br, true);
    assert_true(br->stp_enable);
    char *s = ops_string(txn);
    assert_string_equal(
        s, "[{\"columns\":[\"external_ids\"],\"op\":\"wait\","
           "\"rows\":[{\"external_ids\":[\"map\",[[\"a\",\"1\"],"
           "[\"b\",\"2\"]]]}],\"table\":\"Bridge\",\"timeout\":0,"
           "\"until\":\"==\",\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"" BR0
           "\"]]]},"
           "{\"op\":\"update\",\"row\":{\"stp_enable\":true},"
           "\"table\":\"Bridge\",\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"" BR0
           "\"]]]},"
           "{\"mutations\":[[\"external_ids\",\"delete\",[\"set\","
           "[\"a\",\"b\"]]],[\"external_ids\",\"insert\",[\"map\","
           "[[\"b\",\"9\"]]]]],\"op\":\"mutate\",\"table\":\"Bridge\","
           "\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"" BR0 "\"]]]}]");
    free(s);
    assert_int_equal(idl_txn_commit(txn), IDL_TXN_TRY_AGAIN);
    idl_txn_destroy(txn);
    assert_false(find_bridge(idl, BR0)->stp_enable);
    idl_destroy(idl);
}

/* Returns the "uuid-name" the operations give the row 'uuid' inserted. */
static char *
named_uuid(const struct uuid *uuid)
{
    char *name = xasprintf("row" UUID_FMT, UUID_ARGS(uuid));
    for (char *p = name; *p; p++) {
        *p = *p == '-' ? '_' : *p;
    }
    return name;
}

static void
test_partial_updates_of_inserted_row_go_in_the_insert(void **state)
{
    (void) state;
    struct idl *idl = make_replica();

    struct idl_txn *txn = idl_txn_create(idl);
    struct ovsrec_port *port = ovsrec_port_insert(txn);
    ovsrec_port_set_name(port, "p2");
    ovsrec_port_update_external_ids_setkey(port, "x", "1");
    ovsrec_port_update_external_ids_setkey(port, "y", "2");
    ovsrec_port_update_external_ids_setkey(port, "x", "3");
    ovsrec_port_update_external_ids_delkey(port, "y");
    int64_t trunk = 5;
    ovsrec_port_update_trunks_addvalue(port, trunk);
    trunk = 7;
    ovsrec_port_update_trunks_addvalue(port, trunk);
    trunk = 5;
    ovsrec_port_update_trunks_delvalue(port, trunk);

    /* The row reads as it will be inserted. */
    assert_string_equal(smap_get(&port->external_ids, "x"), "3");
    assert_null(smap_get(&port->external_ids, "y"));
    assert_int_equal(port->n_trunks, 1);
    assert_int_equal(port->trunks[0], 7);

    char *s = ops_string(txn);
    char *name = named_uuid(&port->header_.uuid);
    char *expected =
        xasprintf("[{\"op\":\"insert\",\"row\":{\"external_ids\":[\"map\","
                  "[[\"x\",\"3\"]]],\"name\":\"p2\",\"trunks\":7},"
                  "\"table\":\"Port\",\"uuid-name\":\"%s\"}]",
                  name);
    assert_string_equal(s, expected);
    free(expected);
    free(name);
    free(s);
    idl_txn_destroy(txn);
    idl_destroy(idl);
}

static void
test_deleting_non_root_rows_leaves_them_to_garbage_collection(void **state)
{
    (void) state;
    struct idl *idl = make_replica();
    const struct ovsrec_bridge *br = find_bridge(idl, BR0);
    const struct ovsrec_port *p1 = find_port(idl, P1);

    /* Deleting only a non-root row sends nothing. */
    struct idl_txn *txn = idl_txn_create(idl);
    ovsrec_port_delete(p1);
    assert_null(ovsrec_port_first(idl));
    char *s = ops_string(txn);
    assert_string_equal(s, "null");
    free(s);
    idl_txn_destroy(txn);
    p1 = find_port(idl, P1);
    assert_non_null(p1);

    /* With the reference removed, only the mutation goes; the server
     * collects the port and its interface. */
    txn = idl_txn_create(idl);
    ovsrec_bridge_update_ports_delvalue(br, p1);
    ovsrec_interface_delete(p1->interfaces[0]);
    ovsrec_port_delete(p1);
    s = ops_string(txn);
    assert_string_equal(s, "[{\"mutations\":[[\"ports\",\"delete\","
                           "[\"set\",[[\"uuid\",\"" P1 "\"]]]]],"
                           "\"op\":\"mutate\",\"table\":\"Bridge\","
                           "\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"" BR0
                           "\"]]]}]");
    free(s);
    idl_txn_destroy(txn);

    /* Bridge is not a root table either; QoS is, and its rows are
     * deleted explicitly. */
    apply(idl,
          "{\"QoS\": {\"" QOS "\": {\"insert\": {\"type\": \"linux-htb\"}}}}",
          2, false);
    txn = idl_txn_create(idl);
    ovsrec_bridge_delete(br);
    ovsrec_qos_delete(ovsrec_qos_first(idl));
    s = ops_string(txn);
    assert_string_equal(
        s, "[{\"op\":\"delete\",\"table\":\"QoS\",\"where\":[[\"_uuid\","
           "\"==\",[\"uuid\",\"" QOS "\"]]]}]");
    free(s);
    idl_txn_destroy(txn);
    idl_destroy(idl);
}

static void
test_unchanged_write_increment_comment_and_delete(void **state)
{
    (void) state;
    struct idl *idl = idl_create(NULL, &ovsrec_idl_class, true, false);
    apply(idl,
          "{\"Open_vSwitch\": {\"" OVS "\": {\"initial\": {\"next_cfg\": 5}}},"
          " \"Bridge\": {\"" BR0 "\": {\"initial\": {\"name\": \"br0\"}}}}",
          2, true);
    const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(idl);

    /* Writing the value the replica has changes nothing. */
    struct idl_txn *txn = idl_txn_create(idl);
    ovsrec_open_vswitch_set_next_cfg(ovs, 5);
    assert_int_equal(idl_txn_commit(txn), IDL_TXN_UNCHANGED);
    idl_txn_destroy(txn);

    txn = idl_txn_create(idl);
    idl_txn_add_comment(txn, "ovs-vsctl: del-br br0");
    ovsrec_bridge_delete(find_bridge(idl, BR0));
    assert_null(ovsrec_bridge_first(idl));
    idl_txn_increment(txn, &ovs->header_, ovsrec_open_vswitch_col_next_cfg);
    char *s = ops_string(txn);
    /* Bridge is not a root table: the server collects the row once
     * Open_vSwitch no longer refers to it, so no "delete" goes. */
    assert_string_equal(
        s, "[{\"mutations\":[[\"next_cfg\",\"+=\",1]],\"op\":\"mutate\","
           "\"table\":\"Open_vSwitch\",\"where\":[[\"_uuid\",\"==\",[\"uuid\","
           "\"" OVS "\"]]]},"
           "{\"columns\":[\"next_cfg\"],\"op\":\"select\","
           "\"table\":\"Open_vSwitch\",\"where\":[[\"_uuid\",\"==\",[\"uuid\","
           "\"" OVS "\"]]]},"
           "{\"comment\":\"ovs-vsctl: del-br br0\",\"op\":\"comment\"}]");
    free(s);

    /* Ending the transaction gives the replica back as it was. */
    idl_txn_abort(txn);
    assert_non_null(ovsrec_bridge_first(idl));

    json_t *reply = parse_json("[{\"count\": 1},"
                               " {\"rows\": [{\"next_cfg\": 6}]}, {}]");
    idl_txn_process_reply(txn, reply, NULL);
    json_decref(reply);
    assert_int_equal(idl_txn_get_status(txn), IDL_TXN_SUCCESS);
    assert_int_equal(idl_txn_get_increment_new_value(txn), 6);
    idl_txn_destroy(txn);
    idl_destroy(idl);
}

static void
test_reply_errors_map_to_statuses(void **state)
{
    (void) state;
    struct idl *idl = make_replica();
    static const struct {
        const char *reply;
        enum idl_txn_status status;
    } cases[] = {
        {"[{\"error\": \"timed out\"}]", IDL_TXN_TRY_AGAIN},
        {"[{\"error\": \"not owner\", \"details\": \"x\"}]",
         IDL_TXN_NOT_LOCKED},
        {"[{}, {\"error\": \"constraint violation\", \"details\": \"d\"}]",
         IDL_TXN_ERROR},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct idl_txn *txn = idl_txn_create(idl);
        idl_txn_abort(txn);
        json_t *reply = parse_json(cases[i].reply);
        idl_txn_process_reply(txn, reply, NULL);
        json_decref(reply);
        assert_int_equal(idl_txn_get_status(txn), cases[i].status);
        idl_txn_destroy(txn);
    }
    struct idl_txn *txn = idl_txn_create(idl);
    idl_txn_abort(txn);
    json_t *reply = parse_json("[{\"error\": \"constraint violation\","
                               " \"details\": \"d\"}]");
    idl_txn_process_reply(txn, reply, NULL);
    json_decref(reply);
    assert_string_equal(idl_txn_get_error(txn),
                        "{\"details\":\"d\",\"error\":\"constraint "
                        "violation\"}");
    idl_txn_destroy(txn);
    idl_destroy(idl);
}

static void
test_condition_clauses_are_json(void **state)
{
    (void) state;
    struct idl_condition cond;
    idl_condition_init(&cond);
    ovsrec_bridge_add_clause_name(&cond, IDL_F_EQ, "br0");
    int64_t tag = 5;
    ovsrec_port_add_clause_tag(&cond, IDL_F_INCLUDES, &tag, 1);
    char *s = json_to_string_compact(cond.clauses, true);
    assert_string_equal(s, "[[\"name\",\"==\",\"br0\"],"
                           "[\"tag\",\"includes\",5]]");
    free(s);
    assert_false(idl_condition_is_true(&cond));
    idl_condition_add_clause_true(&cond);
    assert_true(idl_condition_is_true(&cond));
    idl_condition_destroy(&cond);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update2_fills_typed_members),
        cmocka_unit_test(
            test_reference_to_row_that_arrives_later_is_filled_in),
        cmocka_unit_test(test_update2_modify_applies_set_and_map_diffs),
        cmocka_unit_test(test_monitor_v1_updates_insert_modify_delete),
        cmocka_unit_test(test_tracking_reports_insert_modify_delete),
        cmocka_unit_test(test_snapshot_resync_changes_only_what_differs),
        cmocka_unit_test(test_no_alert_column_does_not_change_seqno),
        cmocka_unit_test(test_adding_one_port_sends_one_element),
        cmocka_unit_test(test_setkey_deletes_then_inserts_and_verify_waits),
        cmocka_unit_test(
            test_partial_updates_of_inserted_row_go_in_the_insert),
        cmocka_unit_test(
            test_deleting_non_root_rows_leaves_them_to_garbage_collection),
        cmocka_unit_test(test_unchanged_write_increment_comment_and_delete),
        cmocka_unit_test(test_reply_errors_map_to_statuses),
        cmocka_unit_test(test_condition_clauses_are_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* libFuzzer target for the "transact" engine: each input is JSON text
 * run as the params of a transact request (with or without the database
 * name first) against a fresh database of a fixed schema that has every
 * kind of column, strong and weak references, a non-root table, indexes
 * and "maxRows".  Besides the sanitizers, it checks one invariant: a
 * snapshot of the result, loaded into an empty database, snapshots to
 * the same JSON. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/json.h"
#include "lib/util.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-execution.h"
#include "ovsdb/ovsdb-record.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char SCHEMA[] =
    "{\"name\":\"F\",\"tables\":{"
    "\"A\":{\"isRoot\":true,\"indexes\":[[\"s\"]],\"columns\":{"
    "\"i\":{\"type\":{\"key\":{\"type\":\"integer\",\"minInteger\":-9,"
    "\"maxInteger\":99}}},"
    "\"r\":{\"type\":\"real\"},\"b\":{\"type\":\"boolean\"},"
    "\"s\":{\"type\":\"string\"},\"u\":{\"type\":\"uuid\"},"
    "\"e\":{\"type\":{\"key\":{\"type\":\"string\",\"enum\":[\"set\","
    "[\"x\",\"y\"]]},\"min\":0,\"max\":1}},"
    "\"is\":{\"type\":{\"key\":\"integer\",\"min\":0,\"max\":\"unlimited\"}},"
    "\"m\":{\"type\":{\"key\":\"string\",\"value\":\"integer\",\"min\":0,"
    "\"max\":3}},"
    "\"k\":{\"type\":{\"key\":{\"type\":\"uuid\",\"refTable\":\"K\"},"
    "\"min\":0,\"max\":\"unlimited\"}},"
    "\"w\":{\"type\":{\"key\":{\"type\":\"uuid\",\"refTable\":\"A\","
    "\"refType\":\"weak\"},\"min\":0,\"max\":\"unlimited\"}},"
    "\"wm\":{\"type\":{\"key\":{\"type\":\"uuid\",\"refTable\":\"A\","
    "\"refType\":\"weak\"},\"value\":{\"type\":\"uuid\",\"refTable\":\"K\"},"
    "\"min\":0,\"max\":\"unlimited\"}},"
    "\"f\":{\"type\":\"string\",\"mutable\":false},"
    "\"x\":{\"type\":\"integer\",\"ephemeral\":true}}},"
    "\"K\":{\"maxRows\":5,\"columns\":{"
    "\"next\":{\"type\":{\"key\":{\"type\":\"uuid\",\"refTable\":\"K\"},"
    "\"min\":0,\"max\":1}},"
    "\"w1\":{\"type\":{\"key\":{\"type\":\"uuid\",\"refTable\":\"A\","
    "\"refType\":\"weak\"},\"min\":1,\"max\":2}}}}}}";

static struct ovsdb_schema *
get_schema(void)
{
    static struct ovsdb_schema *schema;
    if (!schema) {
        json_t *json;
        char *msg = json_from_string(SCHEMA, &json);
        ovs_assert(!msg);
        struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);
        ovs_assert(!error);
        json_decref(json);
    }
    return schema;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *json;
    char *msg = json_from_buffer(data, size, &json);
    if (msg) {
        free(msg);
        return 0;
    }
    if (!json_is_array(json)) {
        json_decref(json);
        return 0;
    }
    if (!json_is_string(json_array_get(json, 0))) {
        json_array_insert_new(json, 0, json_string("F"));
    }

    struct ovsdb *db = ovsdb_create(ovsdb_schema_clone(get_schema()));
    struct ovsdb_execution_options options = {.elapsed_msec = 0};
    long long timeout;

    /* Twice, so that the second run sees what the first committed. */
    for (int i = 0; i < 2; i++) {
        json_t *results = ovsdb_execution_run(db, json, &options, &timeout);
        ovs_assert(!results || json_is_array(results));
        json_decref(results);
    }

    json_t *snapshot = ovsdb_record_snapshot(db, NULL, 0);
    struct ovsdb *copy = ovsdb_create(ovsdb_schema_clone(get_schema()));
    struct ovsdb_error *error = ovsdb_record_apply(copy, snapshot);
    if (error) {
        ovs_abort(0, "snapshot does not load: %s",
                  ovsdb_error_to_string_free(error));
    }
    json_t *again = ovsdb_record_snapshot(copy, NULL, 0);
    ovs_assert(json_equal(snapshot, again));

    json_decref(again);
    json_decref(snapshot);
    ovsdb_destroy(copy);
    ovsdb_destroy(db);
    json_decref(json);
    return 0;
}

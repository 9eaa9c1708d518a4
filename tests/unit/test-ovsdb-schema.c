#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/json.h"
#include "ovsdb/ovsdb-column.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb-table-schema.h"

/* The expected messages are what the reference "ovsdb-tool create" of
 * Open vSwitch 3.1 prints for the same schemas, without its "failed to
 * parse <file> as ovsdb schema: " wrapper (tested separately). */

#define REFERENCE_SCHEMA "/usr/share/openvswitch/vswitch.ovsschema"

static json_t *
parse_json(const char *s)
{
    json_t *json;
    char *msg = json_from_string_any(s, &json);
    if (msg) {
        fail_msg("bad JSON in test: %s: %s", s, msg);
    }
    return json;
}

static struct ovsdb_schema *
parse_schema(const char *s)
{
    json_t *json = parse_json(s);
    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);
    if (error) {
        fail_msg("%s: %s", s, ovsdb_error_to_string_free(error));
    }
    json_decref(json);
    return schema;
}

static char *
schema_to_string(const struct ovsdb_schema *schema)
{
    json_t *json = ovsdb_schema_to_json(schema);
    char *s = json_to_string_compact(json, true);
    json_decref(json);
    return s;
}

static void
assert_schema_error(const char *s, const char *expected)
{
    json_t *json = parse_json(s);
    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);
    if (!error) {
        fail_msg("%s: accepted, expected %s", s, expected);
    }
    assert_null(schema);
    char *text = ovsdb_error_to_string_free(error);
    assert_string_equal(text, expected);
    free(text);
    json_decref(json);
}

/* Wraps 'table' (JSON text) as table "T" of a schema. */
#define SCHEMA_WITH_TABLE(TABLE)                                              \
    "{\"name\":\"x\",\"version\":\"1.2.3\",\"tables\":{\"T\":" TABLE "}}"
/* Wraps 'column' (JSON text) as column "a" of table "T". */
#define SCHEMA_WITH_COLUMN(COLUMN)                                            \
    SCHEMA_WITH_TABLE("{\"columns\":{\"a\":" COLUMN "}}")

static void
test_schema_round_trips_in_canonical_form(void **state)
{
    static const char input[] =
        "{\"name\":\"TestDB\",\"version\":\"1.2.3\",\"cksum\":\"123 45\","
        "\"tables\":{"
        "\"T\":{\"columns\":{"
        "\"i\":{\"type\":\"integer\"},"
        "\"r\":{\"type\":{\"key\":\"real\",\"min\":1,\"max\":1}},"
        "\"ie\":{\"type\":{\"key\":{\"type\":\"integer\","
        "\"enum\":[\"set\",[3,1,2]]}}},"
        "\"opt\":{\"type\":{\"key\":\"string\",\"min\":0,\"max\":1}},"
        "\"ref\":{\"type\":{\"key\":{\"type\":\"uuid\",\"refTable\":\"U\"},"
        "\"min\":0,\"max\":1}},"
        "\"wref\":{\"type\":{\"key\":{\"type\":\"uuid\",\"refTable\":\"U\","
        "\"refType\":\"weak\"},\"min\":0,\"max\":\"unlimited\"}},"
        "\"eph\":{\"type\":\"integer\",\"ephemeral\":true},"
        "\"imm\":{\"type\":\"integer\",\"mutable\":false},"
        "\"plain\":{\"type\":\"integer\",\"ephemeral\":false,"
        "\"mutable\":true}"
        "},\"isRoot\":true,\"maxRows\":100,\"indexes\":[[\"i\",\"opt\"],"
        "[\"r\"]]},"
        "\"U\":{\"columns\":{\"name\":{\"type\":\"string\"}},"
        "\"isRoot\":false}}}";
    /* What the reference ovsdb-server's get_schema returns for it. */
    static const char expected[] =
        "{\"cksum\":\"123 45\",\"name\":\"TestDB\",\"tables\":{"
        "\"T\":{\"columns\":{"
        "\"eph\":{\"ephemeral\":true,\"type\":\"integer\"},"
        "\"i\":{\"type\":\"integer\"},"
        "\"ie\":{\"type\":{\"key\":{\"enum\":[\"set\",[1,2,3]],"
        "\"type\":\"integer\"}}},"
        "\"imm\":{\"mutable\":false,\"type\":\"integer\"},"
        "\"opt\":{\"type\":{\"key\":\"string\",\"min\":0}},"
        "\"plain\":{\"type\":\"integer\"},"
        "\"r\":{\"type\":\"real\"},"
        "\"ref\":{\"type\":{\"key\":{\"refTable\":\"U\",\"type\":\"uuid\"},"
        "\"min\":0}},"
        "\"wref\":{\"type\":{\"key\":{\"refTable\":\"U\",\"refType\":\"weak\","
        "\"type\":\"uuid\"},\"max\":\"unlimited\",\"min\":0}}},"
        "\"indexes\":[[\"i\",\"opt\"],[\"r\"]],\"isRoot\":true,"
        "\"maxRows\":100},"
        "\"U\":{\"columns\":{\"name\":{\"type\":\"string\"}}}},"
        "\"version\":\"1.2.3\"}";

    struct ovsdb_schema *schema = parse_schema(input);
    char *s = schema_to_string(schema);
    assert_string_equal(s, expected);

    struct ovsdb_schema *again = parse_schema(s);
    assert_true(ovsdb_schema_equal(schema, again));
    struct ovsdb_schema *clone = ovsdb_schema_clone(schema);
    assert_true(ovsdb_schema_equal(schema, clone));
    char *s2 = schema_to_string(clone);
    assert_string_equal(s2, expected);

    /* The clone's references point at the clone's own tables. */
    const struct ovsdb_table_schema *t = ovsdb_schema_get_table(clone, "T");
    const struct ovsdb_column *ref = ovsdb_table_schema_get_column(t, "ref");
    assert_ptr_equal(ref->type.key.u.uuid.ref_table,
                     ovsdb_schema_get_table(clone, "U"));

    free(s);
    free(s2);
    ovsdb_schema_destroy(schema);
    ovsdb_schema_destroy(again);
    ovsdb_schema_destroy(clone);
}

static void
test_table_and_column_details(void **state)
{
    struct ovsdb_schema *schema = parse_schema(
        SCHEMA_WITH_TABLE("{\"columns\":{\"b\":{\"type\":\"integer\"},"
                          "\"a\":{\"type\":\"string\",\"ephemeral\":true}},"
                          "\"indexes\":[[\"_uuid\"]]}"));
    assert_string_equal(schema->name, "x");
    assert_string_equal(schema->version, "1.2.3");
    assert_string_equal(schema->cksum, "");
    assert_int_equal(ovsdb_schema_n_tables(schema), 1);

    const struct ovsdb_table_schema *t = ovsdb_schema_get_table(schema, "T");
    assert_non_null(t);
    assert_null(ovsdb_schema_get_table(schema, "U"));
    /* The only table of a schema without "isRoot" is a root. */
    assert_true(t->is_root);
    assert_int_equal(t->max_rows, UINT_MAX);

    /* Standard columns first, then the others in name order. */
    assert_int_equal(t->n_columns, 4);
    assert_string_equal(t->columns[OVSDB_COL_UUID]->name, "_uuid");
    assert_string_equal(t->columns[OVSDB_COL_VERSION]->name, "_version");
    assert_false(t->columns[OVSDB_COL_UUID]->mutable);
    assert_false(t->columns[OVSDB_COL_VERSION]->persistent);
    assert_string_equal(t->columns[2]->name, "a");
    assert_string_equal(t->columns[3]->name, "b");
    const struct ovsdb_column *a = ovsdb_table_schema_get_column(t, "a");
    assert_int_equal(a->index, 2);
    assert_false(a->persistent);
    assert_true(a->mutable);
    assert_null(ovsdb_table_schema_get_column(t, "c"));

    /* Indexes may name the standard columns. */
    assert_int_equal(t->n_indexes, 1);
    assert_int_equal(t->indexes[0].n_columns, 1);
    assert_true(ovsdb_column_set_contains(&t->indexes[0], OVSDB_COL_UUID));
    ovsdb_schema_destroy(schema);
}

static void
test_is_root_is_written_only_when_it_means_something(void **state)
{
    /* Every table a root: "isRoot" is redundant and left out. */
    struct ovsdb_schema *schema = parse_schema(
        "{\"name\":\"E\",\"tables\":{"
        "\"A\":{\"columns\":{\"x\":{\"type\":\"integer\"}},\"isRoot\":true},"
        "\"B\":{\"columns\":{\"x\":{\"type\":\"integer\"}},"
        "\"isRoot\":true}}}");
    char *s = schema_to_string(schema);
    assert_string_equal(s,
                        "{\"name\":\"E\",\"tables\":{"
                        "\"A\":{\"columns\":{\"x\":{\"type\":\"integer\"}}},"
                        "\"B\":{\"columns\":{\"x\":"
                        "{\"type\":\"integer\"}}}}}");
    free(s);
    ovsdb_schema_destroy(schema);

    /* No root at all: old schemas, where every table is a root. */
    schema = parse_schema("{\"name\":\"D\",\"tables\":{"
                          "\"A\":{\"columns\":{\"x\":{\"type\":\"integer\"}},"
                          "\"maxRows\":4294967295},"
                          "\"B\":{\"columns\":{\"x\":{\"type\":\"integer\"}},"
                          "\"isRoot\":false}}}");
    assert_true(ovsdb_schema_get_table(schema, "B")->is_root);
    s = schema_to_string(schema);
    assert_string_equal(s,
                        "{\"name\":\"D\",\"tables\":{"
                        "\"A\":{\"columns\":{\"x\":{\"type\":\"integer\"}}},"
                        "\"B\":{\"columns\":{\"x\":"
                        "{\"type\":\"integer\"}}}}}");
    free(s);
    ovsdb_schema_destroy(schema);
}

static void
test_schema_level_errors(void **state)
{
    assert_schema_error(
        "{\"name\":\"x\",\"version\":\"1.2\",\"tables\":{}}",
        "syntax \"{\"name\":\"x\",\"tables\":{},\"version\":\"1.2\"}\": "
        "syntax error: schema version \"1.2\" not in format x.y.z");
    assert_schema_error(
        "{\"name\":\"x\",\"version\":\"1.2.3.4\",\"tables\":{}}",
        "syntax \"{\"name\":\"x\",\"tables\":{},\"version\":\"1.2.3.4\"}\": "
        "syntax error: schema version \"1.2.3.4\" not in format x.y.z");
    assert_schema_error(
        "{\"name\":\"x\",\"version\":\"1.2.3 \",\"tables\":{}}",
        "syntax \"{\"name\":\"x\",\"tables\":{},\"version\":\"1.2.3 \"}\": "
        "syntax error: schema version \"1.2.3 \" not in format x.y.z");
    assert_schema_error("[1]",
                        "syntax error: Parsing database schema failed: Object "
                        "expected.");
    assert_schema_error(
        "{\"name\":\"1x\",\"version\":\"1.2.3\",\"tables\":{}}",
        "syntax \"{\"name\":\"1x\",\"tables\":{},\"version\":\"1.2.3\"}\": "
        "syntax error: Parsing database schema failed: Type mismatch for "
        "member 'name'.");
    assert_schema_error(
        "{\"version\":\"1.2.3\",\"tables\":{}}",
        "syntax \"{\"tables\":{},\"version\":\"1.2.3\"}\": syntax error: "
        "Parsing database schema failed: Required 'name' member is "
        "missing.");
    assert_schema_error(
        "{\"name\":\"x\",\"version\":\"1.2.3\"}",
        "syntax \"{\"name\":\"x\",\"version\":\"1.2.3\"}\": syntax error: "
        "Parsing database schema failed: Required 'tables' member is "
        "missing.");
    assert_schema_error(
        "{\"name\":\"x\",\"version\":\"1.2.3\",\"tables\":5}",
        "syntax \"{\"name\":\"x\",\"tables\":5,\"version\":\"1.2.3\"}\": "
        "syntax error: Parsing database schema failed: Type mismatch for "
        "member 'tables'.");
    assert_schema_error(
        "{\"name\":\"x\",\"version\":\"1.2.3\",\"tables\":{},\"cksum\":5}",
        "syntax \"{\"cksum\":5,\"name\":\"x\",\"tables\":{},"
        "\"version\":\"1.2.3\"}\": syntax error: Parsing database schema "
        "failed: Type mismatch for member 'cksum'.");
    assert_schema_error(
        "{\"name\":\"x\",\"version\":\"1.2.3\",\"tables\":{},\"foo\":5}",
        "syntax \"{\"foo\":5,\"name\":\"x\",\"tables\":{},"
        "\"version\":\"1.2.3\"}\": syntax error: Parsing database schema "
        "failed: Member 'foo' is present but not allowed here.");
    assert_schema_error(
        "{\"name\":\"x\",\"version\":5,\"tables\":{}}",
        "syntax \"{\"name\":\"x\",\"tables\":{},\"version\":5}\": syntax "
        "error: Parsing database schema failed: Type mismatch for member "
        "'version'.");
    assert_schema_error(
        "{\"name\":\"x\",\"tables\":{\"_T\":{\"columns\":{\"a\":"
        "{\"type\":\"integer\"}}}}}",
        "syntax \"{\"name\":\"x\",\"tables\":{\"_T\":{\"columns\":{\"a\":"
        "{\"type\":\"integer\"}}}}}\": syntax error: names beginning with "
        "\"_\" are reserved");
    assert_schema_error(
        "{\"name\":\"x\",\"tables\":{\"1T\":{\"columns\":{\"a\":"
        "{\"type\":\"integer\"}}}}}",
        "syntax \"{\"name\":\"x\",\"tables\":{\"1T\":{\"columns\":{\"a\":"
        "{\"type\":\"integer\"}}}}}\": syntax error: name must be a valid "
        "id");
    assert_schema_error(
        SCHEMA_WITH_COLUMN("{\"type\":{\"key\":{\"type\":\"uuid\","
                           "\"refTable\":\"U\"}}}"),
        "syntax error: column a key refers to undefined table U");
    assert_schema_error(
        SCHEMA_WITH_COLUMN("{\"type\":{\"key\":\"string\",\"value\":"
                           "{\"type\":\"uuid\",\"refTable\":\"V\"}}}"),
        "syntax error: column a value refers to undefined table V");
}

static void
test_accepted_versions_and_names(void **state)
{
    /* OVS reads versions with "%u.%u.%u", leniency included. */
    static const char *const good[] = {
        "1.2.3", "01.2.3", "1.2.-3", "+1.2.3", "4294967296.2.3",
    };
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        assert_true(ovsdb_schema_is_valid_version(good[i]));
    }
    static const char *const bad[] = {
        "1.2", "1.2.3.4", "1.2.3 ", "a.b.c", "",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        assert_false(ovsdb_schema_is_valid_version(bad[i]));
    }

    /* A schema may be unversioned, and its own name may start with "_". */
    struct ovsdb_schema *schema =
        parse_schema("{\"name\":\"_x\",\"tables\":{}}");
    assert_string_equal(schema->version, "");
    char *s = schema_to_string(schema);
    assert_string_equal(s, "{\"name\":\"_x\",\"tables\":{}}");
    free(s);
    ovsdb_schema_destroy(schema);
}

static void
test_table_and_column_errors(void **state)
{
    assert_schema_error(
        SCHEMA_WITH_TABLE("{\"columns\":{\"a\":{\"type\":\"integer\"}},"
                          "\"extra\":1}"),
        "syntax \"{\"columns\":{\"a\":{\"type\":\"integer\"}},\"extra\":1}\":"
        " syntax error: Parsing table schema for table T failed: Member "
        "'extra' is present but not allowed here.");
    assert_schema_error(
        SCHEMA_WITH_TABLE("{}"),
        "syntax \"{}\": syntax error: Parsing table schema for table T "
        "failed: Required 'columns' member is missing.");
    assert_schema_error(
        SCHEMA_WITH_TABLE("5"),
        "syntax error: Parsing table schema for table T failed: Object "
        "expected.");
    assert_schema_error(
        SCHEMA_WITH_TABLE("{\"columns\":{}}"),
        "syntax \"{\"columns\":{}}\": syntax error: table must have at least "
        "one column");
    assert_schema_error(
        SCHEMA_WITH_TABLE("{\"columns\":{\"a\":{\"type\":\"integer\"}},"
                          "\"maxRows\":0}"),
        "syntax \"{\"columns\":{\"a\":{\"type\":\"integer\"}},\"maxRows\":0}"
        "\": syntax error: maxRows must be at least 1");
    assert_schema_error(
        SCHEMA_WITH_TABLE("{\"columns\":{\"a\":{\"type\":\"integer\"}},"
                          "\"maxRows\":1.5}"),
        "syntax \"{\"columns\":{\"a\":{\"type\":\"integer\"}},"
        "\"maxRows\":1.5}\": syntax error: Parsing table schema for table T "
        "failed: Type mismatch for member 'maxRows'.");
    assert_schema_error(
        SCHEMA_WITH_TABLE("{\"columns\":{\"a\":{\"type\":\"integer\"}},"
                          "\"isRoot\":1}"),
        "syntax \"{\"columns\":{\"a\":{\"type\":\"integer\"}},\"isRoot\":1}\":"
        " syntax error: Parsing table schema for table T failed: Type "
        "mismatch for member 'isRoot'.");
    assert_schema_error(
        SCHEMA_WITH_TABLE("{\"columns\":{\"1a\":{\"type\":\"integer\"}}}"),
        "syntax \"{\"columns\":{\"1a\":{\"type\":\"integer\"}}}\": syntax "
        "error: name must be a valid id");
    assert_schema_error(
        SCHEMA_WITH_TABLE("{\"columns\":{\"a-b\":{\"type\":\"integer\"}}}"),
        "syntax \"{\"columns\":{\"a-b\":{\"type\":\"integer\"}}}\": syntax "
        "error: name must be a valid id");
    assert_schema_error(
        SCHEMA_WITH_TABLE("{\"columns\":{\"_uuid\":{\"type\":\"integer\"}}}"),
        "syntax \"{\"columns\":{\"_uuid\":{\"type\":\"integer\"}}}\": syntax "
        "error: names beginning with \"_\" are reserved");
    assert_schema_error(
        SCHEMA_WITH_COLUMN("{}"),
        "syntax \"{}\": syntax error: Parsing schema for column a failed: "
        "Required 'type' member is missing.");
    assert_schema_error(
        SCHEMA_WITH_COLUMN("5"),
        "syntax error: Parsing schema for column a failed: Object "
        "expected.");
    assert_schema_error(
        SCHEMA_WITH_COLUMN("{\"type\":5}"),
        "syntax \"{\"type\":5}\": syntax error: Parsing schema for column a "
        "failed: Type mismatch for member 'type'.");
    assert_schema_error(
        SCHEMA_WITH_COLUMN("{\"type\":\"integer\",\"ephemeral\":1}"),
        "syntax \"{\"ephemeral\":1,\"type\":\"integer\"}\": syntax error: "
        "Parsing schema for column a failed: Type mismatch for member "
        "'ephemeral'.");
    assert_schema_error(
        SCHEMA_WITH_COLUMN("{\"type\":\"integer\",\"mutable\":\"x\"}"),
        "syntax \"{\"mutable\":\"x\",\"type\":\"integer\"}\": syntax error: "
        "Parsing schema for column a failed: Type mismatch for member "
        "'mutable'.");
    assert_schema_error(
        SCHEMA_WITH_COLUMN("{\"type\":\"integer\",\"foo\":1}"),
        "syntax \"{\"foo\":1,\"type\":\"integer\"}\": syntax error: Parsing "
        "schema for column a failed: Member 'foo' is present but not "
        "allowed here.");
    assert_schema_error(
        SCHEMA_WITH_COLUMN("{\"type\":\"foo\"}"),
        "syntax \"\"foo\"\": syntax error: \"foo\" is not an atomic-type");
}

static void
test_index_errors(void **state)
{
#define T_WITH_INDEXES(I)                                                     \
    SCHEMA_WITH_TABLE("{\"columns\":{\"a\":{\"type\":\"integer\"}},"          \
                      "\"indexes\":" I "}")
    assert_schema_error(
        T_WITH_INDEXES("[[\"b\"]]"),
        "syntax \"[\"b\"]\": syntax error: b is not a valid column name");
    assert_schema_error(
        T_WITH_INDEXES("[[]]"),
        "syntax \"{\"columns\":{\"a\":{\"type\":\"integer\"}},"
        "\"indexes\":[[]]}\": syntax error: index must have at least one "
        "column");
    assert_schema_error(
        T_WITH_INDEXES("[\"a\"]"),
        "syntax \"\"a\"\": syntax error: array of distinct column names "
        "expected");
    assert_schema_error(
        T_WITH_INDEXES("[[\"a\",\"a\"]]"),
        "syntax \"[\"a\",\"a\"]\": syntax error: array of distinct column "
        "names expected");
    assert_schema_error(
        T_WITH_INDEXES("[[1]]"),
        "syntax \"[1]\": syntax error: array of distinct column names "
        "expected");
    assert_schema_error(
        T_WITH_INDEXES("5"),
        "syntax \"{\"columns\":{\"a\":{\"type\":\"integer\"}},"
        "\"indexes\":5}\": syntax error: Parsing table schema for table T "
        "failed: Type mismatch for member 'indexes'.");
    assert_schema_error(
        SCHEMA_WITH_TABLE("{\"columns\":{\"a\":{\"type\":\"integer\","
                          "\"ephemeral\":true}},\"indexes\":[[\"a\"]]}"),
        "syntax \"{\"columns\":{\"a\":{\"ephemeral\":true,"
        "\"type\":\"integer\"}},\"indexes\":[[\"a\"]]}\": syntax error: "
        "ephemeral columns (such as a) may not be indexed");

    /* The same index twice is accepted, as OVS does. */
    struct ovsdb_schema *schema =
        parse_schema(T_WITH_INDEXES("[[\"a\"],[\"a\"]]"));
    assert_int_equal(ovsdb_schema_get_table(schema, "T")->n_indexes, 2);
    ovsdb_schema_destroy(schema);
#undef T_WITH_INDEXES
}

static void
test_schema_from_file_wraps_errors(void **state)
{
    char dir[] = "/tmp/test-ovsdb-schema-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *bad = xasprintf("%s/bad.ovsschema", dir);
    char *good = xasprintf("%s/good.ovsschema", dir);

    FILE *f = fopen(bad, "w");
    fputs("{\"name\":\"x\",\"version\":\"1.2\",\"tables\":{}}\n", f);
    fclose(f);
    f = fopen(good, "w");
    fputs("{\"name\":\"x\",\"version\":\"1.2.3\",\"cksum\":\"1 2\","
          "\"tables\":{}}\n",
          f);
    fclose(f);

    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_file(bad, &schema);
    assert_non_null(error);
    char *s = ovsdb_error_to_string_free(error);
    char *expected = xasprintf(
        "syntax \"{\"name\":\"x\",\"tables\":{},\"version\":\"1.2\"}\": "
        "syntax error: failed to parse \"%s\" as ovsdb schema: schema "
        "version \"1.2\" not in format x.y.z",
        bad);
    assert_string_equal(s, expected);
    free(s);
    free(expected);

    char *missing = xasprintf("%s/missing.ovsschema", dir);
    error = ovsdb_schema_from_file(missing, &schema);
    assert_non_null(error);
    assert_string_equal(ovsdb_error_get_tag(error), "failed to read schema");
    expected = xasprintf("\"%s\" could not be read as JSON (", missing);
    assert_true(str_startswith(ovsdb_error_get_details(error), expected));
    free(expected);
    ovsdb_error_destroy(error);

    /* The checksum is the one written in the file. */
    assert_null(ovsdb_schema_from_file(good, &schema));
    assert_string_equal(schema->cksum, "1 2");
    ovsdb_schema_destroy(schema);

    unlink(bad);
    unlink(good);
    rmdir(dir);
    free(bad);
    free(good);
    free(missing);
}

static void
test_reference_vswitch_schema_parses_and_round_trips(void **state)
{
    if (access(REFERENCE_SCHEMA, R_OK)) {
        skip();
    }

    struct ovsdb_schema *schema;
    struct ovsdb_error *error =
        ovsdb_schema_from_file(REFERENCE_SCHEMA, &schema);
    if (error) {
        fail_msg("%s", ovsdb_error_to_string_free(error));
    }
    assert_string_equal(schema->name, "Open_vSwitch");
    assert_int_equal(ovsdb_schema_n_tables(schema), 19);

    const struct ovsdb_table_schema *ovs =
        ovsdb_schema_get_table(schema, "Open_vSwitch");
    assert_true(ovs->is_root);
    assert_int_equal(ovs->max_rows, 1);

    const struct ovsdb_table_schema *bridge =
        ovsdb_schema_get_table(schema, "Bridge");
    assert_int_equal(bridge->n_indexes, 1);
    assert_string_equal(bridge->indexes[0].columns[0]->name, "name");
    assert_false(ovsdb_table_schema_get_column(bridge, "name")->mutable);

    const struct ovsdb_column *vlans =
        ovsdb_table_schema_get_column(bridge, "flood_vlans");
    char *english = ovsdb_type_to_english(&vlans->type);
    assert_string_equal(english, "set of up to 4096 integers");
    free(english);
    assert_int_equal(vlans->type.key.u.integer.max, 4095);

    const struct ovsdb_column *fail_mode =
        ovsdb_table_schema_get_column(bridge, "fail_mode");
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ovsdb_type enum_type;
    ovsdb_type_init_scalar(&enum_type, OVSDB_TYPE_STRING);
    enum_type.n_max = UINT_MAX;
    ovsdb_datum_to_string(fail_mode->type.key.enum_, &enum_type, &s);
    assert_string_equal(ds_cstr(&s), "[secure, standalone]");
    ds_destroy(&s);

    /* Port's "interfaces" is a strong reference to a non-root table. */
    const struct ovsdb_table_schema *port =
        ovsdb_schema_get_table(schema, "Port");
    const struct ovsdb_column *ifaces =
        ovsdb_table_schema_get_column(port, "interfaces");
    assert_true(ovsdb_base_type_is_strong_ref(&ifaces->type.key));
    assert_ptr_equal(ifaces->type.key.u.uuid.ref_table,
                     ovsdb_schema_get_table(schema, "Interface"));
    assert_false(ovsdb_schema_get_table(schema, "Interface")->is_root);

    /* Formatting and parsing again gives the same schema and text. */
    char *text = schema_to_string(schema);
    struct ovsdb_schema *again = parse_schema(text);
    assert_true(ovsdb_schema_equal(schema, again));
    char *text2 = schema_to_string(again);
    assert_string_equal(text, text2);

    free(text);
    free(text2);
    ovsdb_schema_destroy(again);
    ovsdb_schema_destroy(schema);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_round_trips_in_canonical_form),
        cmocka_unit_test(test_table_and_column_details),
        cmocka_unit_test(test_is_root_is_written_only_when_it_means_something),
        cmocka_unit_test(test_schema_level_errors),
        cmocka_unit_test(test_accepted_versions_and_names),
        cmocka_unit_test(test_table_and_column_errors),
        cmocka_unit_test(test_index_errors),
        cmocka_unit_test(test_schema_from_file_wraps_errors),
        cmocka_unit_test(test_reference_vswitch_schema_parses_and_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-types.h"

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

/* Parses 's' as a type and checks that it formats back to 'expected'
 * (compact, sorted members). */
static void
assert_type_round_trip(const char *s, const char *expected)
{
    json_t *json = parse_json(s);
    struct ovsdb_type type;
    struct ovsdb_error *error = ovsdb_type_from_json(&type, json);
    if (error) {
        fail_msg("%s: %s", s, ovsdb_error_to_string_free(error));
    }
    json_t *out = ovsdb_type_to_json(&type);
    char *text = json_to_string_compact(out, true);
    assert_string_equal(text, expected);

    /* Parsing the output again gives an equal type. */
    struct ovsdb_type type2;
    assert_null(ovsdb_type_from_json(&type2, out));
    assert_true(ovsdb_type_equals(&type, &type2));

    struct ovsdb_type copy;
    ovsdb_type_clone(&copy, &type);
    assert_true(ovsdb_type_equals(&type, &copy));

    free(text);
    json_decref(out);
    json_decref(json);
    ovsdb_type_destroy(&type);
    ovsdb_type_destroy(&type2);
    ovsdb_type_destroy(&copy);
}

/* Checks that 's' is rejected as a type with the message 'expected' as
 * the tools print it. */
static void
assert_type_error(const char *s, const char *expected)
{
    json_t *json = parse_json(s);
    struct ovsdb_type type;
    struct ovsdb_error *error = ovsdb_type_from_json(&type, json);
    if (!error) {
        fail_msg("%s: parsed but should have failed with: %s", s, expected);
    }
    char *text = ovsdb_error_to_string_free(error);
    assert_string_equal(text, expected);
    free(text);
    json_decref(json);
    ovsdb_type_destroy(&type);
}

static void
test_atomic_type_names(void **state)
{
    enum ovsdb_atomic_type type;
    static const char *const names[] = {
        "integer", "real", "boolean", "string", "uuid",
    };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        assert_true(ovsdb_atomic_type_from_string(names[i], &type));
        assert_string_equal(ovsdb_atomic_type_to_string(type), names[i]);
    }
    assert_false(ovsdb_atomic_type_from_string("void", &type));
    assert_false(ovsdb_atomic_type_from_string("Integer", &type));
}

static void
test_scalar_types_use_short_form(void **state)
{
    assert_type_round_trip("\"integer\"", "\"integer\"");
    assert_type_round_trip("\"real\"", "\"real\"");
    assert_type_round_trip("\"boolean\"", "\"boolean\"");
    assert_type_round_trip("\"string\"", "\"string\"");
    assert_type_round_trip("\"uuid\"", "\"uuid\"");
    /* The long forms of a scalar collapse to the short one. */
    assert_type_round_trip("{\"key\":\"integer\",\"min\":1,\"max\":1}",
                           "\"integer\"");
    assert_type_round_trip("{\"key\":{\"type\":\"string\"}}", "\"string\"");
}

static void
test_sets_and_maps_format_min_max(void **state)
{
    assert_type_round_trip("{\"key\":\"string\",\"min\":0,\"max\":1}",
                           "{\"key\":\"string\",\"min\":0}");
    assert_type_round_trip(
        "{\"key\":\"integer\",\"min\":0,\"max\":\"unlimited\"}",
        "{\"key\":\"integer\",\"max\":\"unlimited\",\"min\":0}");
    assert_type_round_trip("{\"key\":\"string\",\"min\":1,\"max\":3}",
                           "{\"key\":\"string\",\"max\":3}");
    assert_type_round_trip(
        "{\"key\":\"string\",\"value\":\"string\",\"min\":0,"
        "\"max\":\"unlimited\"}",
        "{\"key\":\"string\",\"max\":\"unlimited\",\"min\":0,"
        "\"value\":\"string\"}");
    assert_type_round_trip(
        "{\"key\":\"integer\",\"value\":{\"type\":\"string\","
        "\"maxLength\":3},\"min\":0,\"max\":2}",
        "{\"key\":\"integer\",\"max\":2,\"min\":0,"
        "\"value\":{\"maxLength\":3,\"type\":\"string\"}}");
    /* The largest finite maximum. */
    assert_type_round_trip("{\"key\":\"integer\",\"max\":4294967294}",
                           "{\"key\":\"integer\",\"max\":4294967294}");
}

static void
test_constraints_round_trip(void **state)
{
    assert_type_round_trip(
        "{\"key\":{\"type\":\"integer\",\"enum\":[\"set\",[3,1,2]]}}",
        "{\"key\":{\"enum\":[\"set\",[1,2,3]],\"type\":\"integer\"}}");
    /* A one-value enum is written as the bare value. */
    assert_type_round_trip(
        "{\"key\":{\"type\":\"string\",\"enum\":[\"set\",[\"only\"]]}}",
        "{\"key\":{\"enum\":\"only\",\"type\":\"string\"}}");
    assert_type_round_trip("{\"key\":{\"type\":\"integer\",\"minInteger\":1,"
                           "\"maxInteger\":10}}",
                           "{\"key\":{\"maxInteger\":10,\"minInteger\":1,"
                           "\"type\":\"integer\"}}");
    assert_type_round_trip(
        "{\"key\":{\"type\":\"integer\",\"minInteger\":1}}",
        "{\"key\":{\"minInteger\":1,\"type\":\"integer\"}}");
    /* Reals print like OVS: integral values without a fraction. */
    assert_type_round_trip(
        "{\"key\":{\"type\":\"real\",\"minReal\":1.5,\"maxReal\":10}}",
        "{\"key\":{\"maxReal\":10,\"minReal\":1.5,\"type\":\"real\"}}");
    assert_type_round_trip(
        "{\"key\":{\"type\":\"string\",\"minLength\":2,\"maxLength\":4}}",
        "{\"key\":{\"maxLength\":4,\"minLength\":2,\"type\":\"string\"}}");
    /* "strong" is the default and is not written out. */
    assert_type_round_trip(
        "{\"key\":{\"type\":\"uuid\",\"refTable\":\"U\","
        "\"refType\":\"strong\"},\"min\":0}",
        "{\"key\":{\"refTable\":\"U\",\"type\":\"uuid\"},\"min\":0}");
    assert_type_round_trip(
        "{\"key\":{\"type\":\"uuid\",\"refTable\":\"U\","
        "\"refType\":\"weak\"},\"min\":0,\"max\":\"unlimited\"}",
        "{\"key\":{\"refTable\":\"U\",\"refType\":\"weak\","
        "\"type\":\"uuid\"},\"max\":\"unlimited\",\"min\":0}");
}

static void
test_parsed_constraints_have_expected_values(void **state)
{
    json_t *json =
        parse_json("{\"key\":{\"type\":\"uuid\",\"refTable\":\"Port\","
                   "\"refType\":\"weak\"},\"value\":{\"type\":\"integer\","
                   "\"minInteger\":-5},\"min\":0,\"max\":\"unlimited\"}");
    struct ovsdb_type type;
    assert_null(ovsdb_type_from_json(&type, json));
    assert_true(ovsdb_type_is_map(&type));
    assert_false(ovsdb_type_is_set(&type));
    assert_true(ovsdb_type_is_optional(&type));
    assert_true(ovsdb_type_is_composite(&type));
    assert_int_equal(type.n_min, 0);
    assert_int_equal(type.n_max, OVSDB_TYPE_UNLIMITED);
    assert_true(ovsdb_base_type_is_weak_ref(&type.key));
    assert_false(ovsdb_base_type_is_strong_ref(&type.key));
    assert_string_equal(type.key.u.uuid.ref_table_name, "Port");
    assert_int_equal(type.value.u.integer.min, -5);
    assert_true(type.value.u.integer.max == INT64_MAX);
    ovsdb_type_destroy(&type);
    json_decref(json);
}

static void
test_bad_types_report_ovs_messages(void **state)
{
    assert_type_error(
        "{\"key\":\"integer\",\"min\":0,\"max\":0}",
        "syntax \"{\"key\":\"integer\",\"max\":0,\"min\":0}\": syntax error: "
        "ovsdb type fails constraint checks");
    assert_type_error(
        "{\"key\":\"integer\",\"min\":2,\"max\":\"unlimited\"}",
        "syntax \"{\"key\":\"integer\",\"max\":\"unlimited\",\"min\":2}\": "
        "syntax error: ovsdb type fails constraint checks");
    assert_type_error(
        "{\"key\":\"integer\",\"max\":0}",
        "syntax \"{\"key\":\"integer\",\"max\":0}\": syntax error: "
        "ovsdb type fails constraint checks");
    assert_type_error(
        "{\"key\":\"integer\",\"min\":\"0\",\"max\":1}",
        "syntax \"{\"key\":\"integer\",\"max\":1,\"min\":\"0\"}\": "
        "syntax error: Parsing ovsdb type failed: Type mismatch for member "
        "'min'.");
    assert_type_error("{\"key\":\"integer\",\"min\":-1,\"max\":1}",
                      "syntax \"-1\": syntax error: bad min or max value");
    assert_type_error(
        "{\"key\":\"integer\",\"max\":\"foo\"}",
        "syntax \"\"foo\"\": syntax error: bad min or max value");
    assert_type_error(
        "{\"key\":\"integer\",\"max\":4294967295}",
        "syntax \"4294967295\": syntax error: bad min or max value");
    assert_type_error(
        "{\"key\":\"integer\",\"max\":1.5}",
        "syntax \"{\"key\":\"integer\",\"max\":1.5}\": syntax error: "
        "Parsing ovsdb type failed: Type mismatch for member 'max'.");
    assert_type_error(
        "{\"value\":\"integer\"}",
        "syntax \"{\"value\":\"integer\"}\": syntax error: Parsing ovsdb "
        "type failed: Required 'key' member is missing.");
    assert_type_error(
        "{\"key\":\"integer\",\"value\":\"string\",\"foo\":1}",
        "syntax \"{\"foo\":1,\"key\":\"integer\",\"value\":\"string\"}\": "
        "syntax error: Parsing ovsdb type failed: Member 'foo' is present "
        "but not allowed here.");
    assert_type_error("\"foo\"",
                      "syntax \"\"foo\"\": syntax error: \"foo\" is not an "
                      "atomic-type");
    assert_type_error("\"void\"",
                      "syntax \"\"void\"\": syntax error: \"void\" is not an "
                      "atomic-type");
    assert_type_error("{\"key\":\"integer\",\"value\":\"void\"}",
                      "syntax \"\"void\"\": syntax error: \"void\" is not an "
                      "atomic-type");
}

static void
test_bad_base_types_report_ovs_messages(void **state)
{
    assert_type_error(
        "{\"key\":{\"type\":\"integer\",\"minInteger\":5,\"maxInteger\":3}}",
        "syntax \"{\"maxInteger\":3,\"minInteger\":5,\"type\":\"integer\"}\":"
        " syntax error: minInteger exceeds maxInteger");
    assert_type_error(
        "{\"key\":{\"type\":\"integer\",\"minInteger\":1.5}}",
        "syntax \"{\"minInteger\":1.5,\"type\":\"integer\"}\": syntax error: "
        "Parsing ovsdb type failed: Type mismatch for member "
        "'minInteger'.");
    assert_type_error(
        "{\"key\":{\"type\":\"real\",\"minReal\":5,\"maxReal\":3}}",
        "syntax \"{\"maxReal\":3,\"minReal\":5,\"type\":\"real\"}\": "
        "syntax error: minReal exceeds maxReal");
    assert_type_error(
        "{\"key\":{\"type\":\"real\",\"minReal\":\"a\"}}",
        "syntax \"{\"minReal\":\"a\",\"type\":\"real\"}\": syntax error: "
        "Parsing ovsdb type failed: Type mismatch for member 'minReal'.");
    assert_type_error(
        "{\"key\":{\"type\":\"string\",\"minLength\":5,\"maxLength\":3}}",
        "syntax \"{\"maxLength\":3,\"minLength\":5,\"type\":\"string\"}\": "
        "syntax error: minLength exceeds maxLength");
    assert_type_error(
        "{\"key\":{\"type\":\"string\",\"minLength\":-1}}",
        "syntax \"-1\": syntax error: minLength out of valid range 0 to "
        "4294967295");
    assert_type_error(
        "{\"key\":{\"type\":\"string\",\"maxLength\":4294967296}}",
        "syntax \"4294967296\": syntax error: maxLength out of valid range "
        "0 to 4294967295");
    assert_type_error(
        "{\"key\":{\"type\":\"string\",\"minInteger\":1}}",
        "syntax \"{\"minInteger\":1,\"type\":\"string\"}\": syntax error: "
        "Parsing ovsdb type failed: Member 'minInteger' is present but not "
        "allowed here.");
    assert_type_error(
        "{\"key\":{\"type\":\"integer\",\"refTable\":\"T\"}}",
        "syntax \"{\"refTable\":\"T\",\"type\":\"integer\"}\": syntax error: "
        "Parsing ovsdb type failed: Member 'refTable' is present but not "
        "allowed here.");
    assert_type_error(
        "{\"key\":{\"type\":\"uuid\",\"refType\":\"weak\"}}",
        "syntax \"{\"refType\":\"weak\",\"type\":\"uuid\"}\": syntax error: "
        "Parsing ovsdb type failed: Member 'refType' is present but not "
        "allowed here.");
    assert_type_error(
        "{\"key\":{\"type\":\"uuid\",\"refTable\":\"T\","
        "\"refType\":\"foo\"}}",
        "syntax \"{\"refTable\":\"T\",\"refType\":\"foo\","
        "\"type\":\"uuid\"}\": syntax error: refType must be \"strong\" or "
        "\"weak\" (not \"foo\")");
    assert_type_error(
        "{\"key\":{\"type\":\"uuid\",\"refTable\":5}}",
        "syntax \"{\"refTable\":5,\"type\":\"uuid\"}\": syntax error: "
        "Parsing ovsdb type failed: Type mismatch for member 'refTable'.");
    assert_type_error(
        "{\"key\":{}}",
        "syntax \"{}\": syntax error: Parsing ovsdb type failed: Required "
        "'type' member is missing.");
    assert_type_error(
        "{\"key\":{\"type\":\"foo\"}}",
        "syntax \"\"foo\"\": syntax error: \"foo\" is not an atomic-type");
    assert_type_error(
        "{\"key\":{\"type\":\"integer\",\"bar\":1}}",
        "syntax \"{\"bar\":1,\"type\":\"integer\"}\": syntax error: "
        "Parsing ovsdb type failed: Member 'bar' is present but not allowed "
        "here.");
}

static void
test_bad_enums_report_ovs_messages(void **state)
{
    assert_type_error(
        "{\"key\":{\"type\":\"integer\",\"enum\":[\"set\",[3,1,2,1]]}}",
        "ovsdb error: set contains duplicate");
    assert_type_error(
        "{\"key\":{\"type\":\"integer\",\"enum\":[\"set\",[3,\"a\"]]}}",
        "syntax \"\"a\"\": syntax error: expected integer");
    assert_type_error(
        "{\"key\":{\"type\":\"boolean\",\"enum\":[\"set\",[]]}}",
        "syntax \"[\"set\",[]]\": syntax error: set must have 1 to "
        "4294967295 members but 0 are present");
    assert_type_error(
        "{\"key\":{\"type\":\"string\",\"enum\":[\"map\",[]]}}",
        "syntax \"[\"map\",[]]\": syntax error: expected string");
    /* With an enum, the other constraints are not allowed. */
    assert_type_error(
        "{\"key\":{\"type\":\"string\",\"enum\":[\"set\",[\"a\"]],"
        "\"minLength\":3}}",
        "syntax \"{\"enum\":[\"set\",[\"a\"]],\"minLength\":3,"
        "\"type\":\"string\"}\": syntax error: Parsing ovsdb type failed: "
        "Member 'minLength' is present but not allowed here.");
}

static void
test_error_json_matches_wire_form(void **state)
{
    json_t *json = parse_json("{\"key\":\"integer\",\"max\":0}");
    struct ovsdb_type type;
    struct ovsdb_error *error = ovsdb_type_from_json(&type, json);
    assert_non_null(error);
    json_t *ej = ovsdb_error_to_json_free(error);
    char *text = json_to_string_compact(ej, true);
    assert_string_equal(text,
                        "{\"details\":\"ovsdb type fails constraint checks\","
                        "\"error\":\"syntax error\","
                        "\"syntax\":\"{\\\"key\\\":\\\"integer\\\","
                        "\\\"max\\\":0}\"}");
    free(text);
    json_decref(ej);
    json_decref(json);
}

static void
test_english_descriptions(void **state)
{
    static const struct {
        const char *json;
        const char *english;
    } cases[] = {
        {"\"integer\"", "integer"},
        {"\"boolean\"", "boolean"},
        {"{\"key\":\"uuid\",\"min\":0,\"max\":\"unlimited\"}", "set of uuids"},
        {"{\"key\":\"string\",\"min\":0,\"max\":1}", "set of up to 1 strings"},
        {"{\"key\":\"integer\",\"min\":0,\"max\":4096}",
         "set of up to 4096 integers"},
        {"{\"key\":\"uuid\",\"min\":1,\"max\":\"unlimited\"}",
         "set of 1 or more uuids"},
        {"{\"key\":\"string\",\"value\":\"string\",\"min\":0,"
         "\"max\":\"unlimited\"}",
         "map of (string, string) pairs"},
        {"{\"key\":\"string\",\"value\":\"uuid\",\"min\":0,"
         "\"max\":\"unlimited\"}",
         "map of (string, uuid) pairs"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        json_t *json = parse_json(cases[i].json);
        struct ovsdb_type type;
        assert_null(ovsdb_type_from_json(&type, json));
        char *english = ovsdb_type_to_english(&type);
        assert_string_equal(english, cases[i].english);
        free(english);
        ovsdb_type_destroy(&type);
        json_decref(json);
    }
}

static void
test_error_helpers(void **state)
{
    struct ovsdb_error *error =
        ovsdb_error("unknown table", "No table %s.", "X");
    char *s = ovsdb_error_to_string(error);
    assert_string_equal(s, "unknown table: No table X.");
    free(s);

    /* Wrapping prefixes the details; cloning copies everything. */
    error = ovsdb_wrap_error(error, "while reading %s", "f");
    struct ovsdb_error *clone = ovsdb_error_clone(error);
    ovsdb_error_destroy(error);
    assert_string_equal(ovsdb_error_get_tag(clone), "unknown table");
    assert_string_equal(ovsdb_error_get_details(clone),
                        "while reading f: No table X.");
    assert_null(ovsdb_error_get_syntax(clone));
    ovsdb_error_destroy(clone);

    error = ovsdb_io_error(ENOENT, "%s: open failed", "/x/db");
    s = ovsdb_error_to_string(error);
    assert_string_equal(s, "I/O error: /x/db: open failed "
                           "(No such file or directory)");
    free(s);
    json_t *json = ovsdb_error_to_json_free(error);
    s = json_to_string_compact(json, true);
    assert_string_equal(s, "{\"details\":\"/x/db: open failed\","
                           "\"error\":\"I/O error\","
                           "\"io-error\":\"No such file or directory\"}");
    free(s);
    json_decref(json);

    /* An error without details is just its tag. */
    error = ovsdb_error("not owner", NULL);
    json = ovsdb_error_to_json(error);
    s = json_to_string_compact(json, true);
    assert_string_equal(s, "{\"error\":\"not owner\"}");
    free(s);
    json_decref(json);
    s = ovsdb_error_to_string_free(error);
    assert_string_equal(s, "not owner");
    free(s);

    assert_null(ovsdb_wrap_error(NULL, "x"));
    ovsdb_error_destroy(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_atomic_type_names),
        cmocka_unit_test(test_scalar_types_use_short_form),
        cmocka_unit_test(test_sets_and_maps_format_min_max),
        cmocka_unit_test(test_constraints_round_trip),
        cmocka_unit_test(test_parsed_constraints_have_expected_values),
        cmocka_unit_test(test_bad_types_report_ovs_messages),
        cmocka_unit_test(test_bad_base_types_report_ovs_messages),
        cmocka_unit_test(test_bad_enums_report_ovs_messages),
        cmocka_unit_test(test_error_json_matches_wire_form),
        cmocka_unit_test(test_english_descriptions),
        cmocka_unit_test(test_error_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

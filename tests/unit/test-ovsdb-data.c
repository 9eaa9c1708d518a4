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

/* The expected texts below were taken from the reference ovsdb-server
 * (error objects of "transact") and ovs-vsctl (string syntax errors and
 * "list" output) of Open vSwitch 3.1. */

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

/* Returns the type described by JSON text 's' (caller destroys). */
static struct ovsdb_type
make_type(const char *s)
{
    json_t *json = parse_json(s);
    struct ovsdb_type type;
    struct ovsdb_error *error = ovsdb_type_from_json(&type, json);
    if (error) {
        fail_msg("bad type in test: %s", ovsdb_error_to_string_free(error));
    }
    json_decref(json);
    return type;
}

/* Parses JSON 'value' as a datum of 'type_s' and checks that it formats
 * back as JSON 'json_out' and as the string form 'string_out'. */
static void
assert_datum_forms(const char *type_s, const char *value, const char *json_out,
                   const char *string_out)
{
    struct ovsdb_type type = make_type(type_s);
    json_t *json = parse_json(value);
    struct ovsdb_datum datum;
    struct ovsdb_error *error =
        ovsdb_datum_from_json(&datum, &type, json, NULL);
    if (error) {
        fail_msg("%s: %s", value, ovsdb_error_to_string_free(error));
    }

    json_t *out = ovsdb_datum_to_json(&datum, &type);
    char *text = json_to_string_compact(out, true);
    assert_string_equal(text, json_out);
    free(text);
    json_decref(out);

    struct ds s = DS_EMPTY_INITIALIZER;
    ovsdb_datum_to_string(&datum, &type, &s);
    assert_string_equal(ds_cstr(&s), string_out);

    /* The string form reads back as the same datum. */
    struct ovsdb_datum again;
    char *msg = ovsdb_datum_from_string(&again, &type, ds_cstr(&s), NULL);
    if (msg) {
        fail_msg("%s: %s", ds_cstr(&s), msg);
    }
    assert_true(ovsdb_datum_equals(&datum, &again, &type));
    assert_int_equal(ovsdb_datum_hash(&datum, &type, 0),
                     ovsdb_datum_hash(&again, &type, 0));

    ds_destroy(&s);
    ovsdb_datum_destroy(&again, &type);
    ovsdb_datum_destroy(&datum, &type);
    json_decref(json);
    ovsdb_type_destroy(&type);
}

/* Checks that JSON 'value' is rejected for 'type_s' with the error object
 * 'expected' (compact, sorted members), as ovsdb-server sends it. */
static void
assert_json_error(const char *type_s, const char *value, const char *expected)
{
    struct ovsdb_type type = make_type(type_s);
    json_t *json = parse_json(value);
    struct ovsdb_datum datum;
    struct ovsdb_symbol_table *symtab = ovsdb_symbol_table_create();
    struct ovsdb_error *error =
        ovsdb_datum_from_json(&datum, &type, json, symtab);
    if (!error) {
        fail_msg("%s: accepted, expected %s", value, expected);
    }
    assert_int_equal(datum.n, 0);
    json_t *ej = ovsdb_error_to_json_free(error);
    char *text = json_to_string_compact(ej, true);
    assert_string_equal(text, expected);
    free(text);
    json_decref(ej);
    json_decref(json);
    ovsdb_symbol_table_destroy(symtab);
    ovsdb_type_destroy(&type);
}

/* Checks that string 'value' is rejected for 'type_s' with message
 * 'expected' (what ovs-vsctl prints after "ovs-vsctl: "). */
static void
assert_string_error(const char *type_s, const char *value,
                    const char *expected)
{
    struct ovsdb_type type = make_type(type_s);
    struct ovsdb_datum datum;
    char *msg = ovsdb_datum_from_string(&datum, &type, value, NULL);
    if (!msg) {
        fail_msg("%s: accepted, expected %s", value, expected);
    }
    assert_string_equal(msg, expected);
    assert_int_equal(datum.n, 0);
    free(msg);
    ovsdb_type_destroy(&type);
}

/* Checks that string 'value' parses for 'type_s' and prints as 'out'. */
static void
assert_string_parses(const char *type_s, const char *value, const char *out)
{
    struct ovsdb_type type = make_type(type_s);
    struct ovsdb_datum datum;
    char *msg = ovsdb_datum_from_string(&datum, &type, value, NULL);
    if (msg) {
        fail_msg("%s: %s", value, msg);
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    ovsdb_datum_to_string(&datum, &type, &s);
    assert_string_equal(ds_cstr(&s), out);
    ds_destroy(&s);
    ovsdb_datum_destroy(&datum, &type);
    ovsdb_type_destroy(&type);
}

#define SET_OF(T) "{\"key\":\"" T "\",\"min\":0,\"max\":\"unlimited\"}"
#define OPT(T) "{\"key\":\"" T "\",\"min\":0,\"max\":1}"
#define SMAP                                                                  \
    "{\"key\":\"string\",\"value\":\"string\",\"min\":0,"                     \
    "\"max\":\"unlimited\"}"
#define VLANS                                                                 \
    "{\"key\":{\"type\":\"integer\",\"minInteger\":0,"                        \
    "\"maxInteger\":4095},\"min\":0,\"max\":4096}"

static void
test_scalars_json_and_string_forms(void **state)
{
    assert_datum_forms("\"integer\"", "-9223372036854775808",
                       "-9223372036854775808", "-9223372036854775808");
    assert_datum_forms("\"real\"", "0.5", "0.5", "0.5");
    /* Integral reals print without a fraction, like OVS. */
    assert_datum_forms("\"real\"", "1", "1", "1");
    /* lib/json writes non-integral reals in its own notation, so only
     * the string form is compared for them. */
    assert_string_parses("\"real\"", "1e20", "1e+20");
    assert_string_parses("\"real\"", "0.30000000000000004", "0.3");
    assert_string_parses("\"real\"", "1e-7", "1e-07");
    assert_datum_forms("\"boolean\"", "true", "true", "true");
    assert_datum_forms("\"string\"", "\"hello world\"", "\"hello world\"",
                       "\"hello world\"");
    assert_datum_forms("\"string\"", "\"\"", "\"\"", "\"\"");
    assert_datum_forms("\"uuid\"",
                       "[\"uuid\",\"550E8400-E29B-41D4-A716-446655440000\"]",
                       "[\"uuid\",\"550e8400-e29b-41d4-a716-446655440000\"]",
                       "550e8400-e29b-41d4-a716-446655440000");
}

static void
test_sets_and_maps_canonical_forms(void **state)
{
    assert_datum_forms(SET_OF("integer"), "[\"set\",[5,-3,1]]",
                       "[\"set\",[-3,1,5]]", "[-3, 1, 5]");
    assert_datum_forms(SET_OF("integer"), "[\"set\",[]]", "[\"set\",[]]",
                       "[]");
    /* One element: a bare atom in JSON, still brackets as a string when
     * the type allows more than one. */
    assert_datum_forms(SET_OF("integer"), "[\"set\",[7]]", "7", "[7]");
    assert_datum_forms(SET_OF("integer"), "7", "7", "[7]");
    assert_datum_forms(OPT("string"), "\"x\"", "\"x\"", "x");
    assert_datum_forms(OPT("string"), "[\"set\",[]]", "[\"set\",[]]", "[]");
    assert_datum_forms(SET_OF("boolean"), "[\"set\",[true,false]]",
                       "[\"set\",[false,true]]", "[false, true]");
    assert_datum_forms(SMAP,
                       "[\"map\",[[\"k\",\"v\"],[\"a b\",\"c=d\"],"
                       "[\"\",\"x\"],[\"e\",\"{}\"]]]",
                       "[\"map\",[[\"\",\"x\"],[\"a b\",\"c=d\"],"
                       "[\"e\",\"{}\"],[\"k\",\"v\"]]]",
                       "{\"\"=x, \"a b\"=\"c=d\", e=\"{}\", k=v}");
    assert_datum_forms(SMAP, "[\"map\",[]]", "[\"map\",[]]", "{}");
    assert_datum_forms("{\"key\":\"integer\",\"value\":\"string\","
                       "\"min\":0,\"max\":2}",
                       "[\"map\",[[1,\"a\"],[-2,\"b\"]]]",
                       "[\"map\",[[-2,\"b\"],[1,\"a\"]]]", "{-2=b, 1=a}");
    assert_datum_forms(SET_OF("real"), "[\"set\",[0.5,1000,2.5,-1]]",
                       "[\"set\",[-1,0.5,2.5,1000]]", "[-1, 0.5, 2.5, 1000]");
    assert_string_parses(SET_OF("real"), "[0.5, 1e20, 2.5, 1e-7, 1e23]",
                         "[1e-07, 0.5, 2.5, 1e+20, 1e+23]");
}

static void
test_strings_are_quoted_only_when_needed(void **state)
{
    assert_datum_forms(
        SET_OF("string"),
        "[\"set\",[\"\",\"a\",\"b c\",\"1\",\"-1\",\"true\",\"[x\",\"a=b\","
        "\"x,y\",\"\\\"q\\\"\",\"tab\\t\",\"nl\\n\",\"back\\\\slash\","
        "\"unicode\\u0001\",\"\\u00e9\"]]",
        "[\"set\",[\"\",\"\\\"q\\\"\",\"-1\",\"1\",\"[x\",\"a\",\"a=b\","
        "\"b c\",\"back\\\\slash\",\"nl\\n\",\"tab\\t\",\"true\","
        "\"unicode\\u0001\",\"x,y\",\"\xc3\xa9\"]]",
        "[\"\", \"\\\"q\\\"\", \"-1\", \"1\", \"[x\", a, \"a=b\", \"b c\", "
        "\"back\\\\slash\", \"nl\\n\", \"tab\\t\", \"true\", "
        "\"unicode\\u0001\", \"x,y\", \"\xc3\xa9\"]");
    assert_datum_forms(
        SET_OF("string"),
        "[\"set\",[\"a-b\",\"a.b\",\"a:b\",\"a_b\",\"_a\",\"1a\",\"A\","
        "\"TRUE\",\"false\",\"trued\",\"a/b\",\"a@b\",\"z~\"]]",
        "[\"set\",[\"1a\",\"A\",\"TRUE\",\"_a\",\"a-b\",\"a.b\",\"a/b\","
        "\"a:b\",\"a@b\",\"a_b\",\"false\",\"trued\",\"z~\"]]",
        "[\"1a\", A, TRUE, _a, a-b, a.b, \"a/b\", \"a:b\", \"a@b\", a_b, "
        "\"false\", trued, \"z~\"]");
}

static void
test_atom_json_errors(void **state)
{
    assert_json_error("\"integer\"", "\"a\"",
                      "{\"details\":\"expected integer\","
                      "\"error\":\"syntax error\",\"syntax\":\"\\\"a\\\"\"}");
    assert_json_error("\"integer\"", "1.5",
                      "{\"details\":\"expected integer\","
                      "\"error\":\"syntax error\",\"syntax\":\"1.5\"}");
    assert_json_error("\"real\"", "\"a\"",
                      "{\"details\":\"expected real\","
                      "\"error\":\"syntax error\",\"syntax\":\"\\\"a\\\"\"}");
    assert_json_error("\"boolean\"", "1",
                      "{\"details\":\"expected boolean\","
                      "\"error\":\"syntax error\",\"syntax\":\"1\"}");
    assert_json_error("\"string\"", "1",
                      "{\"details\":\"expected string\","
                      "\"error\":\"syntax error\",\"syntax\":\"1\"}");
    assert_json_error("\"uuid\"", "\"abc\"",
                      "{\"details\":\"expected [\\\"uuid\\\", <string>]\","
                      "\"error\":\"syntax error\","
                      "\"syntax\":\"\\\"abc\\\"\"}");
    assert_json_error("\"uuid\"", "[\"uuid\",\"abc\"]",
                      "{\"details\":\"\\\"abc\\\" is not a valid UUID\","
                      "\"error\":\"syntax error\","
                      "\"syntax\":\"[\\\"uuid\\\",\\\"abc\\\"]\"}");
    assert_json_error("\"uuid\"", "[\"uuid\"]",
                      "{\"details\":\"expected [\\\"uuid\\\", <string>]\","
                      "\"error\":\"syntax error\","
                      "\"syntax\":\"[\\\"uuid\\\"]\"}");
    assert_json_error("\"uuid\"", "[\"named-uuid\",5]",
                      "{\"details\":\"expected [\\\"uuid\\\", <string>]\","
                      "\"error\":\"syntax error\","
                      "\"syntax\":\"[\\\"named-uuid\\\",5]\"}");
    assert_json_error("\"uuid\"", "[\"named-uuid\",\"a b\"]",
                      "{\"details\":\"named-uuid string is not a valid "
                      "<id>\",\"error\":\"syntax error\","
                      "\"syntax\":\"[\\\"named-uuid\\\",\\\"a b\\\"]\"}");
}

static void
test_datum_json_errors(void **state)
{
    assert_json_error(SET_OF("integer"), "[\"set\",[1,2,1]]",
                      "{\"details\":\"set contains duplicate\","
                      "\"error\":\"ovsdb error\"}");
    assert_json_error(SET_OF("integer"), "[\"set\",1]",
                      "{\"details\":\"expected [\\\"set\\\", <array>]\","
                      "\"error\":\"syntax error\","
                      "\"syntax\":\"[\\\"set\\\",1]\"}");
    assert_json_error(SET_OF("integer"), "[\"set\"]",
                      "{\"details\":\"expected [\\\"set\\\", <array>]\","
                      "\"error\":\"syntax error\","
                      "\"syntax\":\"[\\\"set\\\"]\"}");
    /* The count is checked before the elements. */
    assert_json_error("{\"key\":\"string\",\"min\":0,\"max\":3}",
                      "[\"set\",[1,2,3,4]]",
                      "{\"details\":\"set must have 0 to 3 members but 4 "
                      "are present\",\"error\":\"syntax error\","
                      "\"syntax\":\"[\\\"set\\\",[1,2,3,4]]\"}");
    assert_json_error("{\"key\":\"string\",\"min\":0,\"max\":3}",
                      "[\"map\",[]]",
                      "{\"details\":\"expected string\","
                      "\"error\":\"syntax error\","
                      "\"syntax\":\"[\\\"map\\\",[]]\"}");
    assert_json_error(SMAP, "[\"map\",[[\"a\",\"b\"],[\"a\",\"c\"]]]",
                      "{\"details\":\"map contains duplicate key\","
                      "\"error\":\"ovsdb error\"}");
    assert_json_error(SMAP, "[\"map\",[[\"a\"]]]",
                      "{\"details\":\"expected 2-element array\","
                      "\"error\":\"syntax error\","
                      "\"syntax\":\"[\\\"a\\\"]\"}");
    assert_json_error(SMAP, "[\"set\",[]]",
                      "{\"details\":\"expected [\\\"map\\\", <array>]\","
                      "\"error\":\"syntax error\","
                      "\"syntax\":\"[\\\"set\\\",[]]\"}");
    assert_json_error(SMAP, "\"a\"",
                      "{\"details\":\"expected [\\\"map\\\", <array>]\","
                      "\"error\":\"syntax error\","
                      "\"syntax\":\"\\\"a\\\"\"}");
    assert_json_error("{\"key\":\"string\",\"value\":\"integer\","
                      "\"min\":1,\"max\":2}",
                      "[\"map\",[]]",
                      "{\"details\":\"map must have 1 to 2 members but 0 "
                      "are present\",\"error\":\"syntax error\","
                      "\"syntax\":\"[\\\"map\\\",[]]\"}");
    assert_json_error("{\"key\":\"string\",\"value\":\"integer\","
                      "\"min\":1,\"max\":2}",
                      "[\"map\",[[\"a\",\"x\"]]]",
                      "{\"details\":\"expected integer\","
                      "\"error\":\"syntax error\","
                      "\"syntax\":\"\\\"x\\\"\"}");
}

static void
test_constraint_violations(void **state)
{
    assert_json_error("{\"key\":{\"type\":\"integer\","
                      "\"enum\":[\"set\",[3,1,2]]}}",
                      "5",
                      "{\"details\":\"5 is not one of the allowed values "
                      "([1, 2, 3])\",\"error\":\"constraint violation\"}");
    assert_json_error("{\"key\":{\"type\":\"string\",\"enum\":[\"set\","
                      "[\"only\",\"a b\",\"x\\\"y\"]]}}",
                      "\"x\"",
                      "{\"details\":\"x is not one of the allowed values "
                      "([\\\"a b\\\", only, \\\"x\\\\\\\"y\\\"])\","
                      "\"error\":\"constraint violation\"}");
    assert_json_error("{\"key\":{\"type\":\"boolean\",\"enum\":false}}",
                      "true",
                      "{\"details\":\"true is not one of the allowed values "
                      "([false])\",\"error\":\"constraint violation\"}");
    assert_json_error("{\"key\":{\"type\":\"integer\",\"minInteger\":-5,"
                      "\"maxInteger\":10}}",
                      "-6",
                      "{\"details\":\"-6 is not in the valid range -5 to 10 "
                      "(inclusive)\",\"error\":\"constraint violation\"}");
    assert_json_error("{\"key\":{\"type\":\"integer\",\"minInteger\":1}}", "0",
                      "{\"details\":\"0 is less than minimum allowed value "
                      "1\",\"error\":\"constraint violation\"}");
    assert_json_error("{\"key\":{\"type\":\"integer\",\"maxInteger\":10}}",
                      "11",
                      "{\"details\":\"11 is greater than maximum allowed "
                      "value 10\",\"error\":\"constraint violation\"}");
    assert_json_error("{\"key\":{\"type\":\"real\",\"minReal\":0.1,"
                      "\"maxReal\":10}}",
                      "0.05",
                      "{\"details\":\"0.05 is not in the valid range 0.1 to "
                      "10 (inclusive)\",\"error\":\"constraint violation\"}");
    assert_json_error("{\"key\":{\"type\":\"real\",\"minReal\":0.1}}", "0.05",
                      "{\"details\":\"0.05 is less than minimum allowed "
                      "value 0.1\",\"error\":\"constraint violation\"}");
    assert_json_error("{\"key\":{\"type\":\"real\",\"maxReal\":1e100}}",
                      "1e101",
                      "{\"details\":\"1e+101 is greater than maximum allowed "
                      "value 1e+100\",\"error\":\"constraint violation\"}");
    assert_json_error("{\"key\":{\"type\":\"string\",\"minLength\":2,"
                      "\"maxLength\":4}}",
                      "\"a\"",
                      "{\"details\":\"\\\"a\\\" length 1 is less than "
                      "minimum allowed length 2\","
                      "\"error\":\"constraint violation\"}");
    /* Lengths count characters, not bytes. */
    assert_json_error("{\"key\":{\"type\":\"string\",\"minLength\":2,"
                      "\"maxLength\":4}}",
                      "\"\\u00e9\\u00e9\\u00e9\\u00e9"
                      "\\u00e9\"",
                      "{\"details\":\"\\\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                      "\xc3\xa9\\\" length 5 is greater than maximum allowed "
                      "length 4\",\"error\":\"constraint violation\"}");
    assert_datum_forms("{\"key\":{\"type\":\"string\",\"minLength\":2,"
                       "\"maxLength\":4}}",
                       "\"\\u00e9\\u00e9\\u00e9\"",
                       "\"\xc3\xa9\xc3\xa9\xc3\xa9\"",
                       "\"\xc3\xa9\xc3\xa9\xc3\xa9\"");
    assert_json_error("{\"key\":{\"type\":\"uuid\",\"enum\":[\"set\","
                      "[[\"uuid\",\"550e8400-e29b-41d4-a716-446655440000\"]]"
                      "]}}",
                      "[\"uuid\",\"550e8400-e29b-41d4-a716-446655440001\"]",
                      "{\"details\":\"550e8400-e29b-41d4-a716-446655440001 "
                      "is not one of the allowed values "
                      "([550e8400-e29b-41d4-a716-446655440000])\","
                      "\"error\":\"constraint violation\"}");
    /* Map values are checked too. */
    assert_json_error("{\"key\":\"integer\",\"value\":{\"type\":\"string\","
                      "\"maxLength\":3},\"min\":0,\"max\":2}",
                      "[\"map\",[[1,\"abcd\"]]]",
                      "{\"details\":\"\\\"abcd\\\" length 4 is greater than "
                      "maximum allowed length 3\","
                      "\"error\":\"constraint violation\"}");
}

static void
test_named_uuids_use_symbol_table(void **state)
{
    struct ovsdb_type type =
        make_type("{\"key\":{\"type\":\"uuid\",\"refTable\":\"U\"},\"min\":0,"
                  "\"max\":\"unlimited\"}");
    struct ovsdb_symbol_table *symtab = ovsdb_symbol_table_create();
    json_t *json = parse_json("[\"set\",[[\"named-uuid\",\"row1\"],"
                              "[\"named-uuid\",\"row1\"]]]");
    struct ovsdb_datum datum;

    /* The same name twice is the same UUID, hence a duplicate. */
    struct ovsdb_error *error =
        ovsdb_datum_from_json(&datum, &type, json, symtab);
    assert_non_null(error);
    assert_string_equal(ovsdb_error_get_details(error),
                        "set contains duplicate");
    ovsdb_error_destroy(error);
    json_decref(json);

    struct ovsdb_symbol *row1 = ovsdb_symbol_table_find(symtab, "row1");
    assert_non_null(row1);
    assert_true(row1->strong_ref);
    assert_false(row1->created);
    assert_string_equal(ovsdb_symbol_table_find_uncreated(symtab), "row1");

    struct uuid u;
    assert_true(uuid_from_string(&u, "550e8400-e29b-41d4-a716-446655440000"));
    ovsdb_symbol_table_put(symtab, "row2", &u, true);
    json = parse_json("[\"set\",[[\"named-uuid\",\"row2\"],"
                      "[\"named-uuid\",\"row1\"]]]");
    assert_null(ovsdb_datum_from_json(&datum, &type, json, symtab));
    assert_int_equal(datum.n, 2);
    assert_int_not_equal(
        ovsdb_datum_find_key(&datum, (union ovsdb_atom *) &u, OVSDB_TYPE_UUID),
        UINT_MAX);
    assert_int_equal(ovsdb_symbol_table_count(symtab), 2);
    json_decref(json);
    ovsdb_datum_destroy(&datum, &type);

    /* Without a symbol table, named-uuid is not accepted. */
    json = parse_json("[\"named-uuid\",\"row2\"]");
    error = ovsdb_datum_from_json(&datum, &type, json, NULL);
    assert_non_null(error);
    assert_string_equal(ovsdb_error_get_details(error),
                        "expected [\"uuid\", <string>]");
    ovsdb_error_destroy(error);
    json_decref(json);

    ovsdb_symbol_table_destroy(symtab);
    ovsdb_type_destroy(&type);
}

static void
test_string_input_accepts_ovs_vsctl_syntax(void **state)
{
    assert_string_parses(SMAP, "{ a = b , c = \"d e\" }", "{a=b, c=\"d e\"}");
    assert_string_parses(SMAP, "a=b", "{a=b}");
    assert_string_parses(SMAP, "{a=b c=d}", "{a=b, c=d}");
    assert_string_parses(SMAP, "{a=b,c=d,}", "{a=b, c=d}");
    assert_string_parses(SMAP, "{}", "{}");
    assert_string_parses(SMAP, "{a=\"\",\"\"=b}", "{\"\"=b, a=\"\"}");
    assert_string_parses(SMAP, "{\"a\\\"b\"=\"\\\\\"}",
                         "{\"a\\\"b\"=\"\\\\\"}");
    assert_string_parses(SMAP, "{\"\\u0041\"=c}", "{A=c}");
    assert_string_parses(SMAP, "{\"\\t\\/\\b\\f\\r\"=c}",
                         "{\"\\t/\\b\\f\\r\"=c}");
    assert_string_parses(SMAP, "{\"\\ud83d\\ude00\"=c}",
                         "{\"\xf0\x9f\x98\x80\"=c}");
    assert_string_parses(VLANS, "1, 2,3 4", "[1, 2, 3, 4]");
    assert_string_parses(VLANS, "[1-5]", "[1, 2, 3, 4, 5]");
    assert_string_parses(VLANS, "3-3", "[3]");
    assert_string_parses(VLANS, "+5", "[5]");
    assert_string_parses(VLANS, "05", "[5]");
    assert_string_parses(VLANS, "[]", "[]");
    assert_string_parses("\"integer\"", " 7 ", "7");
    assert_string_parses("\"integer\"", "[5]", "5");
    assert_string_parses(OPT("string"), "a\\b", "ab");
    assert_string_parses(OPT("string"), "a\"b\"", "\"a\\\"b\\\"\"");
    assert_string_parses(OPT("string"), "a\"b c\"d", "\"a\\\"b c\\\"d\"");
    assert_string_parses(OPT("string"), "a\\\"b", "\"a\\\"b\"");
    assert_string_parses(OPT("string"), "a\\,b", "\"a,b\"");
    assert_string_parses(OPT("string"), "a;b@#$%^&*()", "\"a;b@#$%^&*()\"");
    assert_string_parses(OPT("string"), "true", "\"true\"");
    assert_string_parses(OPT("string"), "\"\"", "\"\"");
    assert_string_parses(OPT("string"), "\xc3\xa9", "\"\xc3\xa9\"");
    assert_string_parses(SET_OF("boolean"), "true no", "[false, true]");
    assert_string_parses("\"boolean\"", "yes", "true");
    assert_string_parses("\"boolean\"", "on", "true");
    assert_string_parses("\"boolean\"", "1", "true");
    assert_string_error(SET_OF("boolean"), "true yes",
                        "true yes: set contains duplicate value");
    assert_string_parses("\"boolean\"", "no", "false");
    assert_string_parses("\"boolean\"", "off", "false");
    assert_string_parses("\"boolean\"", "0", "false");
    assert_string_parses(SET_OF("real"), "[2.5, -1, 1e3]", "[-1, 2.5, 1000]");
    assert_string_parses(SET_OF("uuid"),
                         "550E8400-E29B-41D4-A716-446655440000",
                         "[550e8400-e29b-41d4-a716-446655440000]");
}

static void
test_string_input_errors_match_ovs_vsctl(void **state)
{
    assert_string_error("\"integer\"", "abc",
                        "\"abc\" is not a valid integer or range");
    assert_string_error("\"integer\"", "1.5",
                        "\"1.5\" is not a valid integer or range");
    assert_string_error("\"integer\"", "\"7\"",
                        "\"\"7\"\" is not a valid integer or range");
    assert_string_error("\"integer\"", "0x10",
                        "\"0x10\" is not a valid integer or range");
    assert_string_error("\"integer\"", "99999999999999999999",
                        "\"99999999999999999999\" is not a valid integer "
                        "or range");
    assert_string_error("\"integer\"", "[5,6]",
                        "[5,6]: 2 value(s) specified but the maximum number "
                        "is 1");
    assert_string_error("\"integer\"", "1-5",
                        "1-5: 5 value(s) specified but the maximum number "
                        "is 1");
    assert_string_error("\"integer\"", "[]",
                        "[]: 0 value(s) specified but the minimum number "
                        "is 1");
    assert_string_error("\"integer\"", " ",
                        "use \"[]\" to specify the empty set");
    assert_string_error("\"integer\"", "{1}",
                        "{1}: unexpected \"{\" parsing integer");
    assert_string_error("\"integer\"",
                        "1=", "1=: unexpected \"=\" parsing integer");
    assert_string_error(SMAP, "{a=b", "{a=b: missing \"}\" at end of data");
    assert_string_error(SMAP, "{a}",
                        "a}: syntax error at \"}\" expecting \"=\"");
    assert_string_error(SMAP, "{a b}",
                        "a b}: syntax error at \"b\" expecting \"=\"");
    /* OVS prints the NUL at the end of the input with %c, which cuts the
     * message short. */
    assert_string_error(SMAP, "{a", "a: syntax error at \"");
    assert_string_error(SMAP, "{a:b}",
                        "a:b}: syntax error at \":\" expecting \"=\"");
    assert_string_error(SMAP, "{a=b,a=c}",
                        "{a=b,a=c}: map contains duplicate key");
    assert_string_error(SMAP, "{\"a=b}",
                        "\"a=b}: quoted string extends past end of argument");
    assert_string_error(SMAP, "{\"a\\qb\"=c}", "\"a\\qb\": bad escape \\q");
    assert_string_error(SMAP, "[a]",
                        "[a]: unexpected \"[\" parsing map of (string, "
                        "string) pairs");
    assert_string_error(SMAP, "{a=b} x",
                        "{a=b} x: trailing garbage after \"}\"");
    assert_string_error(SMAP, "{a=b}}",
                        "{a=b}}: trailing garbage after \"}\"");
    assert_string_error(SMAP, "a=b}",
                        "a=b}: unexpected \"}\" parsing map of (string, "
                        "string) pairs");
    assert_string_error(SMAP, "{a=}",
                        "An empty string is not valid as "
                        "input; use \"\" to represent the empty string");
    assert_string_error(SMAP, "{=b}",
                        "{=b}: unexpected \"=\" parsing map of (string, "
                        "string) pairs");
    assert_string_error(SMAP, "{a=b=c}",
                        "{a=b=c}: unexpected \"=\" parsing map of (string, "
                        "string) pairs");
    assert_string_error(SMAP, "{a=b,,c=d}",
                        "{a=b,,c=d}: unexpected \",\" parsing map of "
                        "(string, string) pairs");
    assert_string_error(SMAP, "{\"a\"b=c}",
                        "\"a\"b: missing quote at end of quoted string");
    assert_string_error(SMAP, "{\"a\"\"b\"=c}",
                        "\"a\"\"b\": quoted string may not include "
                        "unescaped \"");
    assert_string_error(SMAP, "{\"\\ud83d\"=c}",
                        "\"\\ud83d\": malformed escaped surrogate pair");
    assert_string_error(SMAP, "{\"\\u0000\"=c}",
                        "\"\\u0000\": null bytes not supported in quoted "
                        "strings");
    assert_string_error(SMAP, " ", "use \"{}\" to specify the empty map");
    assert_string_error(SMAP, "}",
                        "}: unexpected \"}\" parsing map of (string, string) "
                        "pairs");
    assert_string_error(VLANS, "[1,2,1]",
                        "[1,2,1]: set contains duplicate value");
    assert_string_error(VLANS, "1-5,3", "1-5,3: set contains duplicate value");
    assert_string_error(VLANS, "[5000]",
                        "constraint violation: 5000 is not "
                        "in the valid range 0 to 4095 (inclusive)");
    /* A range is checked at its ends. */
    assert_string_error(VLANS, "1-5000",
                        "constraint violation: 5000 is not "
                        "in the valid range 0 to 4095 (inclusive)");
    assert_string_error(VLANS, "-3--1",
                        "constraint violation: -3 is not in "
                        "the valid range 0 to 4095 (inclusive)");
    assert_string_error(VLANS, "5-1",
                        "\"5-1\" is not a valid range. Range "
                        "end cannot be before start.");
    assert_string_error(VLANS, "1--2",
                        "\"1--2\" is not a valid range. "
                        "Range end cannot be before start.");
    assert_string_error(VLANS, "1-2-3",
                        "\"1-2-3\" is not a valid integer or range");
    assert_string_error(VLANS, "[1-]",
                        "\"1-\" is not a valid integer or "
                        "range");
    assert_string_error(VLANS, "[-]", "\"-\" is not a valid integer or range");
    assert_string_error(VLANS, "[1,[2]]",
                        "[1,[2]]: unexpected \"[\" parsing set of up to 4096 "
                        "integers");
    assert_string_error(VLANS, "[1,", "[1,: missing \"]\" at end of data");
    assert_string_error(VLANS, "{1=2}",
                        "{1=2}: unexpected \"{\" parsing set of up to 4096 "
                        "integers");
    assert_string_error(VLANS, "[1]x", "[1]x: trailing garbage after \"]\"");
    assert_string_error(VLANS, "1]",
                        "1]: unexpected \"]\" parsing set of up to 4096 "
                        "integers");
    assert_string_error(VLANS, "[,]",
                        "[,]: unexpected \",\" parsing set of up to 4096 "
                        "integers");
    assert_string_error(VLANS, " ", "use \"[]\" to specify the empty set");
    assert_string_error(OPT("string"), "\"abc",
                        "\"abc: quoted string extends past end of argument");
    assert_string_error(OPT("string"), "\"ab\\u00zz\"",
                        "\"ab\\u00zz\": malformed \\u escape");
    assert_string_error(OPT("string"), "a b",
                        "a b: 2 value(s) specified but the maximum number "
                        "is 1");
    assert_string_error(OPT("string"), "[a,a]",
                        "[a,a]: 2 value(s) specified but the maximum number "
                        "is 1");
    assert_string_error(OPT("string"), "a=b",
                        "a=b: unexpected \"=\" parsing set of up to 1 "
                        "strings");
    assert_string_error(OPT("string"), "a!b",
                        "a!b: unexpected \"!\" parsing set of up to 1 "
                        "strings");
    assert_string_error(OPT("string"), "a<b",
                        "a<b: unexpected \"<\" parsing set of up to 1 "
                        "strings");
    assert_string_error(OPT("string"), "a\\",
                        "a\\: backslash at end of argument");
    assert_string_error(OPT("string"), "\\\"",
                        "\": missing quote at end of quoted string");
    assert_string_error(OPT("string"), "\"a\\,b\"",
                        "\"a\\,b\": bad escape \\,");
    assert_string_error("\"string\"", "{}",
                        "{}: unexpected \"{\" parsing string");
    assert_string_error("\"boolean\"", "True",
                        "\"True\" is not a valid boolean (use \"true\" or "
                        "\"false\")");
    assert_string_error("\"boolean\"", "{x}",
                        "{x}: unexpected \"{\" parsing boolean");
    assert_string_error(SET_OF("uuid"), "xyz", "\"xyz\" is not a valid UUID");
    assert_string_error("{\"key\":\"uuid\",\"min\":1,\"max\":\"unlimited\"}",
                        "[]",
                        "[]: 0 value(s) specified but the minimum "
                        "number is 1");
    assert_string_error("{\"key\":{\"type\":\"string\",\"enum\":[\"set\","
                        "[\"secure\",\"standalone\"]]},\"min\":0,\"max\":1}",
                        "bad",
                        "constraint violation: bad is not one of the "
                        "allowed values ([secure, standalone])");
    assert_string_error("{\"key\":\"integer\",\"value\":\"uuid\",\"min\":0,"
                        "\"max\":\"unlimited\"}",
                        "{x=1}", "\"x\" is not a valid integer or range");
    assert_string_error("{\"key\":\"integer\",\"value\":\"uuid\",\"min\":0,"
                        "\"max\":\"unlimited\"}",
                        "{1=zz}", "\"zz\" is not a valid UUID");
    /* OVS crashes on ranges in maps; Turnout says they are not allowed. */
    assert_string_error("{\"key\":\"integer\",\"value\":\"string\","
                        "\"min\":0,\"max\":\"unlimited\"}",
                        "{1-3=x}",
                        "1-3=x}: an integer range is not allowed in a map");
    assert_string_error(SET_OF("real"), "abc",
                        "\"abc\" is not a valid real number");
}

static void
test_symbols_in_string_input(void **state)
{
    struct ovsdb_type type = make_type(SET_OF("uuid"));
    struct ovsdb_symbol_table *symtab = ovsdb_symbol_table_create();
    struct ovsdb_datum datum;
    assert_null(ovsdb_datum_from_string(&datum, &type, "[@a, @b]", symtab));
    assert_int_equal(datum.n, 2);
    assert_int_equal(ovsdb_symbol_table_count(symtab), 2);
    struct ovsdb_symbol *a = ovsdb_symbol_table_find(symtab, "@a");
    assert_non_null(a);
    assert_int_not_equal(ovsdb_datum_find_key(&datum,
                                              (union ovsdb_atom *) &a->uuid,
                                              OVSDB_TYPE_UUID),
                         UINT_MAX);
    ovsdb_datum_destroy(&datum, &type);
    ovsdb_symbol_table_destroy(symtab);
    ovsdb_type_destroy(&type);
}

/* Returns the datum of 'type' given by string 's'. */
static struct ovsdb_datum
datum_from_string(const struct ovsdb_type *type, const char *s)
{
    struct ovsdb_datum datum;
    char *msg = ovsdb_datum_from_string(&datum, type, s, NULL);
    if (msg) {
        fail_msg("%s: %s", s, msg);
    }
    return datum;
}

static void
assert_datum_string(const struct ovsdb_datum *datum,
                    const struct ovsdb_type *type, const char *expected)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ovsdb_datum_to_string(datum, type, &s);
    assert_string_equal(ds_cstr(&s), expected);
    ds_destroy(&s);
}

static void
test_set_mutations(void **state)
{
    struct ovsdb_type type = make_type(SET_OF("integer"));
    struct ovsdb_datum a = datum_from_string(&type, "[1, 3, 5]");
    struct ovsdb_datum b = datum_from_string(&type, "[2, 3, 4]");

    assert_false(ovsdb_datum_includes_all(&b, &a, &type));
    assert_false(ovsdb_datum_excludes_all(&b, &a, &type));

    ovsdb_datum_union(&a, &b, &type);
    assert_datum_string(&a, &type, "[1, 2, 3, 4, 5]");
    assert_true(ovsdb_datum_includes_all(&b, &a, &type));

    ovsdb_datum_subtract(&a, &type, &b, &type);
    assert_datum_string(&a, &type, "[1, 5]");
    assert_true(ovsdb_datum_excludes_all(&b, &a, &type));

    ovsdb_datum_remove_at(&a, 0, &type);
    assert_datum_string(&a, &type, "[5]");

    ovsdb_datum_destroy(&a, &type);
    ovsdb_datum_destroy(&b, &type);
    ovsdb_type_destroy(&type);
}

static void
test_map_mutations(void **state)
{
    struct ovsdb_type type = make_type(SMAP);
    struct ovsdb_datum a = datum_from_string(&type, "{a=1, b=2}");
    struct ovsdb_datum b = datum_from_string(&type, "{b=9, c=3}");

    /* Insert keeps the value of a key that is already there. */
    ovsdb_datum_union(&a, &b, &type);
    assert_datum_string(&a, &type, "{a=\"1\", b=\"2\", c=\"3\"}");

    /* Delete by pairs removes only equal pairs. */
    ovsdb_datum_subtract(&a, &type, &b, &type);
    assert_datum_string(&a, &type, "{a=\"1\", b=\"2\"}");

    /* Delete by a set of keys removes whatever the value. */
    struct ovsdb_type keys = make_type(SET_OF("string"));
    struct ovsdb_datum k = datum_from_string(&keys, "[b, z]");
    ovsdb_datum_subtract(&a, &type, &k, &keys);
    assert_datum_string(&a, &type, "{a=\"1\"}");

    ovsdb_datum_destroy(&k, &keys);
    ovsdb_type_destroy(&keys);
    ovsdb_datum_destroy(&a, &type);
    ovsdb_datum_destroy(&b, &type);
    ovsdb_type_destroy(&type);
}

static void
test_diff_and_apply_diff_round_trip(void **state)
{
    struct ovsdb_type smap = make_type(SMAP);
    struct ovsdb_datum old = datum_from_string(&smap, "{a=1, b=2, c=3}");
    struct ovsdb_datum new = datum_from_string(&smap, "{b=2, c=4, d=5}");
    struct ovsdb_datum diff, result;

    ovsdb_datum_diff(&diff, &old, &new, &smap);
    assert_datum_string(&diff, &smap, "{a=\"1\", c=\"4\", d=\"5\"}");
    assert_null(ovsdb_datum_apply_diff(&result, &old, &diff, &smap));
    assert_true(ovsdb_datum_equals(&result, &new, &smap));
    ovsdb_datum_destroy(&result, &smap);
    ovsdb_datum_destroy(&diff, &smap);
    ovsdb_datum_destroy(&old, &smap);
    ovsdb_datum_destroy(&new, &smap);
    ovsdb_type_destroy(&smap);

    struct ovsdb_type set = make_type("{\"key\":\"integer\",\"min\":1,"
                                      "\"max\":3}");
    old = datum_from_string(&set, "[1, 2]");
    new = datum_from_string(&set, "[2, 3]");
    ovsdb_datum_diff(&diff, &old, &new, &set);
    assert_datum_string(&diff, &set, "[1, 3]");
    assert_null(ovsdb_datum_apply_diff(&result, &old, &diff, &set));
    assert_true(ovsdb_datum_equals(&result, &new, &set));
    ovsdb_datum_destroy(&result, &set);

    /* A diff that empties a set that needs one element fails. */
    struct ovsdb_datum bad = datum_from_string(&set, "[1, 2]");
    struct ovsdb_error *error =
        ovsdb_datum_apply_diff(&result, &old, &bad, &set);
    assert_non_null(error);
    assert_string_equal(ovsdb_error_get_tag(error), "constraint violation");
    assert_int_equal(result.n, 0);
    ovsdb_error_destroy(error);

    ovsdb_datum_destroy(&bad, &set);
    ovsdb_datum_destroy(&diff, &set);
    ovsdb_datum_destroy(&old, &set);
    ovsdb_datum_destroy(&new, &set);
    ovsdb_type_destroy(&set);
}

static void
test_defaults_compare_and_sort_unique(void **state)
{
    struct ovsdb_type type = make_type("{\"key\":\"string\","
                                       "\"value\":\"integer\"}");
    struct ovsdb_datum d;
    ovsdb_datum_init_default(&d, &type);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.keys[0].string, "");
    assert_int_equal(d.values[0].integer, 0);
    assert_true(ovsdb_datum_is_default(&d, &type));
    assert_true(ovsdb_datum_equals(&d, ovsdb_datum_default(&type), &type));
    ovsdb_datum_destroy(&d, &type);
    ovsdb_type_destroy(&type);

    type = make_type(SET_OF("string"));
    assert_int_equal(ovsdb_datum_default(&type)->n, 0);

    /* sort_unique keeps the first of equal keys and reports the count. */
    struct ovsdb_datum a = OVSDB_DATUM_EMPTY_INITIALIZER;
    static const char *const words[] = {"b", "a", "b", "c", "a"};
    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        union ovsdb_atom atom = {.string = (char *) words[i]};
        ovsdb_datum_add_unsorted(&a, &atom, NULL, &type);
    }
    assert_int_equal(ovsdb_datum_sort_unique(&a, &type), 2);
    assert_datum_string(&a, &type, "[a, b, c]");

    struct ovsdb_datum b = datum_from_string(&type, "[a, b]");
    assert_true(ovsdb_datum_compare_3way(&b, &a, &type) < 0);
    assert_true(ovsdb_datum_compare_3way(&a, &b, &type) > 0);
    struct ovsdb_datum c;
    ovsdb_datum_clone(&c, &a, &type);
    assert_int_equal(ovsdb_datum_compare_3way(&a, &c, &type), 0);
    assert_null(ovsdb_datum_check_constraints(&c, &type));

    ovsdb_datum_destroy(&a, &type);
    ovsdb_datum_destroy(&b, &type);
    ovsdb_datum_destroy(&c, &type);
    ovsdb_type_destroy(&type);

    /* Atoms of every type order and hash consistently. */
    union ovsdb_atom x = {.real = 0.0}, y = {.real = -0.0};
    assert_true(ovsdb_atom_equals(&x, &y, OVSDB_TYPE_REAL));
    assert_int_equal(ovsdb_atom_hash(&x, OVSDB_TYPE_REAL, 1),
                     ovsdb_atom_hash(&y, OVSDB_TYPE_REAL, 1));
    x.boolean = false;
    y.boolean = true;
    assert_true(ovsdb_atom_compare_3way(&x, &y, OVSDB_TYPE_BOOLEAN) < 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars_json_and_string_forms),
        cmocka_unit_test(test_sets_and_maps_canonical_forms),
        cmocka_unit_test(test_strings_are_quoted_only_when_needed),
        cmocka_unit_test(test_atom_json_errors),
        cmocka_unit_test(test_datum_json_errors),
        cmocka_unit_test(test_constraint_violations),
        cmocka_unit_test(test_named_uuids_use_symbol_table),
        cmocka_unit_test(test_string_input_accepts_ovs_vsctl_syntax),
        cmocka_unit_test(test_string_input_errors_match_ovs_vsctl),
        cmocka_unit_test(test_symbols_in_string_input),
        cmocka_unit_test(test_set_mutations),
        cmocka_unit_test(test_map_mutations),
        cmocka_unit_test(test_diff_and_apply_diff_round_trip),
        cmocka_unit_test(test_defaults_compare_and_sort_unique),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

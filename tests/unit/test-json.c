#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/sset.h"

/* Compact serialisation has no whitespace at all and keeps member
 * order, which is what peers and golden outputs see on the wire. */
static void
test_compact_form_has_no_whitespace_and_keeps_order(void **state)
{
    json_t *json = json_pack("{s:i,s:[s,b,n],s:f}", "zeta", 1, "alpha", "x y",
                             1, "mid", 1.5);
    char *s = json_to_string_compact(json, false);
    assert_string_equal(s, "{\"zeta\":1,\"alpha\":[\"x y\",true,null],"
                           "\"mid\":1.5}");
    free(s);

    s = json_to_string_compact(json, true);
    assert_string_equal(s, "{\"alpha\":[\"x y\",true,null],\"mid\":1.5,"
                           "\"zeta\":1}");
    free(s);
    json_decref(json);
}

static void
test_compact_form_of_scalars_and_escapes(void **state)
{
    json_t *json = json_string("a\"b\\c/\n\x01\xc3\xa9");
    char *s = json_to_string_compact(json, false);
    assert_string_equal(s, "\"a\\\"b\\\\c/\\n\\u0001\xc3\xa9\"");
    free(s);
    json_decref(json);

    json = json_integer(-42);
    s = json_to_string_compact(json, false);
    assert_string_equal(s, "-42");
    free(s);
    json_decref(json);

    s = json_to_string_compact(NULL, false);
    assert_string_equal(s, "null");
    free(s);
}

/* OVS's pretty layout (as "ovsdb-client --pretty transact" prints it):
 * closing brackets stay on the last element's line, an empty object still
 * breaks the line, an empty array does not. */
static void
test_pretty_form_matches_ovs_layout(void **state)
{
    json_t *json = json_pack("[{s:[i,s]},{},{s:[]}]", "a", 1, "x", "rows");
    char *s = json_to_string_pretty(json, false);
    assert_string_equal(s, "[\n"
                           "  {\n"
                           "    \"a\": [\n"
                           "      1,\n"
                           "      \"x\"]},\n"
                           "  {\n"
                           "    },\n"
                           "  {\n"
                           "    \"rows\": []}]");
    free(s);
    json_decref(json);
}

/* Reals print with 15 significant digits in %g style, as OVS prints them,
 * and control characters as lowercase \u escapes. */
static void
test_reals_and_escapes_print_as_ovs_does(void **state)
{
    json_t *json = json_pack("[f,f,f,f,f,s]", 10.0, 0.1, 1e20, 1.5e-7,
                             3.14159265358979, "a/b\001\037\177\"\\\t\n");
    char *s = json_to_string_compact(json, false);
    assert_string_equal(s, "[10,0.1,1e+20,1.5e-07,3.14159265358979,"
                           "\"a/b\\u0001\\u001f\177\\\"\\\\\\t\\n\"]");
    free(s);
    json_decref(json);
}

static void
test_typed_getters_treat_wrong_type_as_missing(void **state)
{
    json_t *json = json_pack("{s:s,s:i,s:b,s:[],s:{}}", "s", "str", "i", 7,
                             "b", 0, "a", "o");
    long long ll = 0;
    bool b = true;

    assert_string_equal(json_get_string(json, "s"), "str");
    assert_null(json_get_string(json, "i"));
    assert_null(json_get_string(json, "missing"));
    assert_true(json_get_integer(json, "i", &ll));
    assert_int_equal(ll, 7);
    assert_false(json_get_integer(json, "s", &ll));
    assert_true(json_get_boolean(json, "b", &b));
    assert_false(b);
    assert_false(json_get_boolean(json, "i", &b));
    assert_non_null(json_get_array(json, "a"));
    assert_null(json_get_array(json, "o"));
    assert_non_null(json_get_object(json, "o"));
    assert_null(json_get_object(json, "a"));

    /* Not an object at all. */
    json_t *array = json_array();
    assert_null(json_get_string(array, "s"));
    assert_null(json_get_string(NULL, "s"));
    json_decref(array);
    json_decref(json);
}

static void
test_type_names_match_ovs(void **state)
{
    const char *texts[] = {"{}",  "[]",   "\"x\"", "1",
                           "1.5", "true", "false", "null"};
    const char *names[] = {"object", "array", "string", "integer",
                           "real",   "true",  "false",  "null"};
    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        json_t *json;
        char *error = json_from_string_any(texts[i], &json);
        assert_null(error);
        assert_string_equal(json_type_name(json), names[i]);
        json_decref(json);
    }
    assert_string_equal(json_type_name(NULL), "null");
}

static void
test_array_helpers(void **state)
{
    const char *strings[] = {"b", "a"};
    json_t *json = json_array_of_strings(strings, 2);
    char *s = json_to_string_compact(json, false);
    assert_string_equal(s, "[\"b\",\"a\"]");
    free(s);
    assert_true(json_is_array_of_strings(json));
    json_array_append_new(json, json_integer(1));
    assert_false(json_is_array_of_strings(json));
    assert_false(json_is_array_of_strings(NULL));
    json_decref(json);

    struct sset set;
    sset_init(&set);
    sset_add(&set, "zz");
    sset_add(&set, "aa");
    json = json_array_of_sset(&set);
    s = json_to_string_compact(json, false);
    assert_string_equal(s, "[\"aa\",\"zz\"]");
    free(s);
    json_decref(json);
    sset_destroy(&set);

    json = json_string_take(xstrdup("taken"));
    assert_string_equal(json_string_value(json), "taken");
    json_decref(json);
}

static void
test_parse_takes_object_or_array_with_surrounding_space(void **state)
{
    json_t *json;
    assert_null(json_from_string(" \n [\"s\"] \t\r\n", &json));
    assert_string_equal(json_string_value(json_array_get(json, 0)), "s");
    json_decref(json);

    assert_null(json_from_buffer("[1,2]xyz", 5, &json));
    assert_int_equal(json_array_size(json), 2);
    json_decref(json);

    /* As in OVS, a scalar is not a whole text, except for tests. */
    char *error = json_from_string("  \"s\" \n", &json);
    assert_null(json);
    assert_string_equal(error, "line 0, column 4, byte 4: syntax error at "
                               "beginning of input");
    free(error);
    assert_null(json_from_string_any("  \"s\" \n", &json));
    assert_string_equal(json_string_value(json), "s");
    json_decref(json);
}

static void
test_parse_errors_are_worded_as_ovs_words_them(void **state)
{
    json_t *json = (json_t *) 1;
    char *error = json_from_string("{\"a\":}", &json);
    assert_null(json);
    assert_string_equal(error,
                        "line 0, column 5, byte 5: syntax error expecting "
                        "value");
    free(error);

    error = json_from_string("[1] [2]", &json);
    assert_string_equal(error, "line 0, column 4, byte 4: trailing garbage "
                               "at end of input");
    free(error);

    error = json_from_string("", &json);
    assert_string_equal(error, "line 0, column 0, byte 0: empty input stream");
    free(error);

    error = json_from_string_any("1 x", &json);
    assert_string_equal(error,
                        "line 0, column 3, byte 3: invalid keyword 'x'");
    free(error);
}

static void
test_parse_file(void **state)
{
    char name[] = "/tmp/test-json-XXXXXX";
    int fd = mkstemp(name);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "{\"k\": [true]}\n", 14), 14);
    close(fd);

    json_t *json;
    char *error = json_from_file(name, &json);
    assert_null(error);
    assert_true(json_is_true(json_array_get(json_get_array(json, "k"), 0)));
    json_decref(json);

    fd = open(name, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, "{", 1), 1);
    close(fd);
    error = json_from_file(name, &json);
    assert_string_equal(error,
                        "line 0, column 1, byte 1: unexpected end of input");
    free(error);
    unlink(name);

    error = json_from_file("/", &json);
    assert_string_equal(error, "error reading JSON stream: Is a directory");
    free(error);

    error = json_from_file("/nonexistent/file.json", &json);
    assert_string_equal(error, "error opening \"/nonexistent/file.json\": "
                               "No such file or directory");
    free(error);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compact_form_has_no_whitespace_and_keeps_order),
        cmocka_unit_test(test_compact_form_of_scalars_and_escapes),
        cmocka_unit_test(test_pretty_form_matches_ovs_layout),
        cmocka_unit_test(test_reals_and_escapes_print_as_ovs_does),
        cmocka_unit_test(test_typed_getters_treat_wrong_type_as_missing),
        cmocka_unit_test(test_type_names_match_ovs),
        cmocka_unit_test(test_array_helpers),
        cmocka_unit_test(
            test_parse_takes_object_or_array_with_surrounding_space),
        cmocka_unit_test(test_parse_errors_are_worded_as_ovs_words_them),
        cmocka_unit_test(test_parse_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

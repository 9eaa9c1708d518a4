#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json-parse.h"
#include "lib/json.h"

/* Parses 's' with jansson, as the fast parser's fallback would. */
static json_t *
jansson_parse(const char *s, bool any)
{
    json_error_t error;
    return json_loadb(s, strlen(s), any ? JSON_DECODE_ANY : 0, &error);
}

/* Asserts that the fast parser takes 's' and builds exactly what jansson
 * builds: equal values, with members in the same order. */
static void
assert_same_as_jansson(const char *s, bool any)
{
    json_t *fast = json_parse_fast(s, strlen(s), any);
    json_t *slow = jansson_parse(s, any);
    assert_non_null(fast);
    assert_non_null(slow);
    assert_true(json_equal(fast, slow));
    assert_int_equal(json_typeof(fast), json_typeof(slow));
    char *a = json_to_string_compact(fast, false);
    char *b = json_to_string_compact(slow, false);
    assert_string_equal(a, b);
    free(a);
    free(b);
    json_decref(fast);
    json_decref(slow);
}

/* What OVSDB traffic is made of parses fast, to the same values. */
static void
test_common_json_parses_as_jansson_does(void **state)
{
    static const char *const inputs[] = {
        "{\"id\":123,\"method\":\"transact\",\"params\":[\"Bench\",{\"op\":"
        "\"insert\",\"table\":\"Bench\",\"row\":{\"name\":\"c12-4567\","
        "\"n\":4567}}]}",
        "[]",
        "{}",
        " \t\r\n{ \"a\" : [ 1 , -2 , 0 , -0 , true , false , null ] } \n",
        "[9223372036854775807,-9223372036854775808]",
        "{\"esc\":\"q\\\"b\\\\s\\/b\\bf\\fn\\nr\\rt\\t\"}",
        "{\"k\\n\\\"\":\"v\",\"x\":[[[[{}]]]]}",
        "{\"dup\":1,\"other\":2,\"dup\":3}",
        "[\"\",\"\",{\"\":\"\"}]",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        assert_same_as_jansson(inputs[i], false);
        assert_same_as_jansson(inputs[i], true);
    }
    assert_same_as_jansson("42", true);
    assert_same_as_jansson("\"s\"", true);
    assert_same_as_jansson("null", true);
}

/* Everything else is left to jansson, whose values and error messages
 * count: reals, \u escapes, non-ASCII, bad syntax, too deep nesting. */
static void
test_anything_else_is_left_to_jansson(void **state)
{
    static const char *const inputs[] = {
        "[1.5]",
        "[1e3]",
        "[\"\\u0041\"]",
        "[\"\\u0000\"]",
        "[\"caf\xc3\xa9\"]",
        "[\"bad \xff\"]",
        "[\"ctl \x01\"]",
        "[01]",
        "[9223372036854775808]",
        "[-9223372036854775809]",
        "[1,]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{a:1}",
        "[tru]",
        "[nul]",
        "[1 2]",
        "[1] x",
        "[\"open",
        "[\"bad \\x escape\"]",
        "{",
        "",
        "-",
        "[-]",
        "[+1]",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        json_t *fast = json_parse_fast(inputs[i], strlen(inputs[i]), true);
        if (fast) {
            fail_msg("fast parser took \"%s\"", inputs[i]);
        }
    }

    /* Without 'any', only an object or array. */
    assert_null(json_parse_fast("1", 1, false));
    assert_null(json_parse_fast("\"s\"", 3, false));

    /* Nesting deeper than jansson allows. */
    size_t n = 2049;
    char *deep = xmalloc(2 * n);
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    json_error_t error;
    assert_null(json_parse_fast(deep, 2 * n, false));
    assert_null(json_loadb(deep, 2 * n, 0, &error));
    n = 2048;
    json_t *ok = json_parse_fast(deep + 1, 2 * n, false);
    assert_non_null(ok);
    json_decref(ok);
    ok = json_loadb(deep + 1, 2 * n, 0, &error);
    assert_non_null(ok);
    json_decref(ok);
    free(deep);
}

/* The public parser takes both paths and reports jansson's errors. */
static void
test_json_from_string_falls_back_with_jansson_errors(void **state)
{
    json_t *json;
    char *error = json_from_string("{\"r\":2.5,\"s\":\"\\u00e9\"}", &json);
    assert_null(error);
    assert_true(json_is_real(json_object_get(json, "r")));
    assert_string_equal(json_string_value(json_object_get(json, "s")),
                        "\xc3\xa9");
    json_decref(json);

    error = json_from_string("[1,]", &json);
    assert_null(json);
    assert_non_null(error);
    assert_non_null(strstr(error, "line 1"));
    free(error);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_common_json_parses_as_jansson_does),
        cmocka_unit_test(test_anything_else_is_left_to_jansson),
        cmocka_unit_test(test_json_from_string_falls_back_with_jansson_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

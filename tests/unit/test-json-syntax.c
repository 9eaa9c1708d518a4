#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json-syntax.h"
#include "lib/json.h"
#include "lib/util.h"

/* Texts that OVS 3.1 refuses, with its error for each, taken from the
 * reference ovsdb-client (tests/test_json_errors.py compares the tools
 * themselves; this table pins the module's own output). */
struct bad_text {
    const char *text;
    size_t len; /* 0: strlen(text). */
    const char *error;
};

static const struct bad_text bad_texts[] = {
    {"", 0, "line 0, column 0, byte 0: empty input stream"},
    {" ", 0, "line 0, column 1, byte 1: empty input stream"},
    {"[1,", 0, "line 0, column 3, byte 3: unexpected end of input"},
    {"{\"a\":1", 0, "line 0, column 7, byte 7: unexpected end of input"},
    {"[0", 0, "line 0, column 3, byte 3: unexpected end of input"},
    {"[true", 0, "line 0, column 6, byte 6: unexpected end of input"},
    {"1", 0, "line 0, column 1, byte 1: syntax error at beginning of input"},
    {"\"s\"", 0,
     "line 0, column 2, byte 2: syntax error at beginning of input"},
    {"]", 0, "line 0, column 0, byte 0: syntax error at beginning of input"},
    {"{1:2}", 0,
     "line 0, column 2, byte 2: syntax error parsing object expecting "
     "string"},
    {"{\"a\" 1}", 0,
     "line 0, column 6, byte 6: syntax error parsing object expecting ':'"},
    {"[1 2]", 0,
     "line 0, column 4, byte 4: syntax error expecting ']' or ','"},
    {"{\"a\":1 2", 0,
     "line 0, column 8, byte 8: syntax error expecting '}' or ','"},
    {"[1,]", 0, "line 0, column 3, byte 3: syntax error expecting value"},
    {"[1] [2]", 0,
     "line 0, column 4, byte 4: trailing garbage at end of input"},
    {"tru", 0, "line 0, column 3, byte 3: invalid keyword 'tru'"},
    {"[0x1]", 0, "line 0, column 3, byte 3: invalid keyword 'x'"},
    {"[TRUE]", 0, "line 0, column 1, byte 1: invalid character 'T'"},
    {"[1,\f2]", 0, "line 0, column 3, byte 3: invalid character U+000c"},
    {"[1,\0 2]", 6, "line 0, column 3, byte 3: invalid character U+0000"},
    {"[\xc3\xa9]", 0, "line 0, column 1, byte 1: invalid character U+00c3"},
    {"[01]", 0, "line 0, column 3, byte 3: leading zeros not allowed"},
    {"[1.]", 0,
     "line 0, column 3, byte 3: decimal point must be followed by digit"},
    {"[-]", 0, "line 0, column 2, byte 2: '-' must be followed by digit"},
    {"[1e+]", 0,
     "line 0, column 4, byte 4: exponent must contain at least one digit"},
    {"[1.2.3]", 0, "line 0, column 6, byte 6: syntax error in number"},
    {"[1e999]", 0, "line 0, column 6, byte 6: number outside valid range"},
    {"[1e2147483640]", 0,
     "line 0, column 13, byte 13: exponent outside valid range"},
    {"[1e-2147483640]", 0,
     "line 0, column 14, byte 14: exponent outside valid range"},
    {"[\"\\q\"]", 0, "line 0, column 4, byte 4: bad escape \\q"},
    {"[\"\\u12\"]", 0,
     "line 0, column 6, byte 6: quoted string ends within \\u escape"},
    {"[\"\\uzzzz\"]", 0, "line 0, column 8, byte 8: malformed \\u escape"},
    {"[\"\\u0000\"]", 0,
     "line 0, column 8, byte 8: null bytes not supported in quoted strings"},
    {"[\"\\ud800\"]", 0,
     "line 0, column 8, byte 8: malformed escaped surrogate pair"},
    {"[\"\\ud800\\u0041\"]", 0,
     "line 0, column 14, byte 14: second half of escaped surrogate pair is "
     "not trailing surrogate"},
    {"[\"a", 0,
     "line 0, column 3, byte 3: unexpected end of input in quoted string"},
    {"[\"a\tb\"]", 0,
     "line 0, column 3, byte 3: U+0009 must be escaped in quoted string"},
    {"[\"\\q\t\"]", 0,
     "line 0, column 4, byte 4: U+0009 must be escaped in quoted string"},
    {"[1,\r\n2 x]", 0, "line 1, column 3, byte 8: invalid keyword 'x'"},
    {"[\"\xc3\xa9\xc3\xa9\",\n \"\xc3\xa9\" x]", 0,
     "line 1, column 7, byte 16: invalid keyword 'x'"},
};

static void
test_errors_are_worded_and_placed_as_ovs_does(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(bad_texts); i++) {
        const struct bad_text *t = &bad_texts[i];
        size_t len = t->len ? t->len : strlen(t->text);
        json_t *json = (json_t *) 1;
        char *error = json_syntax_parse(t->text, len, 0, &json);
        assert_null(json);
        if (!error || strcmp(error, t->error)) {
            fail_msg("text %zu: got \"%s\", expected \"%s\"", i,
                     error ? error : "(accepted)", t->error);
        }
        free(error);
    }
}

static char *
parse_and_format(const char *text)
{
    json_t *json;
    char *error = json_syntax_parse(text, strlen(text), 0, &json);
    if (error) {
        fail_msg("%s: %s", text, error);
    }
    char *s = json_to_string_compact(json, false);
    json_decref(json);
    return s;
}

/* What OVS accepts and jansson does not. */
static void
test_values_jansson_refuses_are_read_as_ovs_reads_them(void **state)
{
    char *s = parse_and_format("[9223372036854775807,-9223372036854775808,"
                               "9223372036854775808,1e-999]");
    assert_string_equal(s, "[9223372036854775807,-9223372036854775808,"
                           "9.22337203685478e+18,0]");
    free(s);

    /* A lone trailing surrogate becomes its 3-byte form; bytes that are
     * not UTF-8 stay as they are. */
    s = parse_and_format("[\"\\udc00\",\"\xff\",\"\\ud800\\udc00\"]");
    assert_string_equal(s, "[\"\xed\xb0\x80\",\"\xff\",\"\xf0\x90\x80\x80\"]");
    free(s);

    s = parse_and_format("{\"a\":1,\"a\":[2]}");
    assert_string_equal(s, "{\"a\":[2]}");
    free(s);
}

static void
test_any_value_flag_takes_scalars(void **state)
{
    json_t *json;
    assert_null(json_syntax_parse(" 12 ", 4, JSON_SYNTAX_ANY_VALUE, &json));
    assert_int_equal(json_integer_value(json), 12);
    json_decref(json);

    char *error = json_syntax_parse("1 2", 3, JSON_SYNTAX_ANY_VALUE, &json);
    assert_string_equal(error,
                        "line 0, column 3, byte 3: trailing garbage at end of "
                        "input");
    free(error);
}

static void
test_nesting_is_limited_to_1000_levels(void **state)
{
    size_t depth = JSON_SYNTAX_MAX_DEPTH;
    char *text = xmalloc(2 * (depth + 1) + 1);
    memset(text, '[', depth);
    memset(text + depth, ']', depth);
    text[2 * depth] = '\0';

    json_t *json;
    assert_null(json_syntax_parse(text, 2 * depth, 0, &json));
    json_decref(json);

    memset(text, '[', depth + 1);
    memset(text + depth + 1, ']', depth + 1);
    text[2 * depth + 2] = '\0';
    char *error = json_syntax_parse(text, 2 * depth + 2, 0, &json);
    assert_string_equal(error, "line 0, column 1000, byte 1000: input exceeds "
                               "maximum nesting depth 1000");
    free(error);
    free(text);
}

/* A stream reader learns of an error as soon as its bytes arrive. */
static void
test_prefix_check_reports_errors_only_once_certain(void **state)
{
    static const char *const incomplete[] = {
        "", "  ", "[", "[1", "[1,", "{\"a", "{\"a\":tru", "x", "12", "[-",
    };
    for (size_t i = 0; i < ARRAY_SIZE(incomplete); i++) {
        const char *s = incomplete[i];
        assert_null(json_syntax_check_prefix(s, strlen(s)));
    }

    char *error = json_syntax_check_prefix("[1 2 ", 5);
    assert_string_equal(error, "line 0, column 4, byte 4: syntax error "
                               "expecting ']' or ','");
    free(error);
    error = json_syntax_check_prefix("x ", 2);
    assert_string_equal(error,
                        "line 0, column 1, byte 1: invalid keyword 'x'");
    free(error);
    error = json_syntax_check_prefix("{\"a\":1}", 7);
    assert_null(error);
}

/* Every byte that ends a plain run (quote, backslash, each control
 * character), at every offset in and across the 8-byte words that
 * json_syntax_plain_len() reads at once, amid bytes that do not (DEL and
 * UTF-8 bytes included). */
static void
test_plain_len_stops_at_the_first_byte_that_needs_attention(void **state)
{
    (void) state;
    unsigned char buf[40];
    for (size_t i = 0; i < sizeof buf; i++) {
        static const unsigned char plain[] = {'a',  ' ', 0x7f, 0x80,
                                              0xff, '/', 'Z',  0xc3};
        buf[i] = plain[i % sizeof plain];
    }
    assert_int_equal(json_syntax_plain_len(buf, sizeof buf), sizeof buf);
    assert_int_equal(json_syntax_plain_len(buf, 0), 0);

    for (int stop = 0; stop < 0x20 + 2; stop++) {
        unsigned char c = stop < 0x20 ? stop : stop == 0x20 ? '"' : '\\';
        for (size_t at = 0; at < 20; at++) {
            unsigned char copy[sizeof buf];
            memcpy(copy, buf, sizeof buf);
            copy[at] = c;
            copy[at + 3] = '"'; /* A later stop does not matter. */
            assert_int_equal(json_syntax_plain_len(copy, sizeof copy), at);
            /* Nor does one past the end of what is looked at. */
            assert_int_equal(json_syntax_plain_len(copy, at), at);
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_are_worded_and_placed_as_ovs_does),
        cmocka_unit_test(
            test_values_jansson_refuses_are_read_as_ovs_reads_them),
        cmocka_unit_test(test_any_value_flag_takes_scalars),
        cmocka_unit_test(test_nesting_is_limited_to_1000_levels),
        cmocka_unit_test(test_prefix_check_reports_errors_only_once_certain),
        cmocka_unit_test(
            test_plain_len_stops_at_the_first_byte_that_needs_attention),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

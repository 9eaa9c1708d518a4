#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/utf8.h"
#include "lib/util.h"

/* Strings and OVS's verdict on each, from the reference ovsdb-tool's
 * "not a valid UTF-8 string: ..." constraint errors. */
static const struct {
    const char *s;
    const char *error; /* NULL: valid. */
} cases[] = {
    {"", NULL},
    {"plain", NULL},
    {"\xc2\x80", NULL},
    {"\xef\xbf\xbf", NULL},
    {"\xf4\x8f\xbf\xbf", NULL},
    {"\xf0\x90\x80\x80\xc3\xa9", NULL},
    {"\xff", "invalid UTF-8 sequence 0xff"},
    {"\x80", "invalid UTF-8 sequence 0x80"},
    {"ok\xbf", "invalid UTF-8 sequence 0xbf"},
    {"\xc0\x80", "invalid UTF-8 sequence 0xc0"},
    {"\xc1\xbf", "invalid UTF-8 sequence 0xc1"},
    {"\xf5\x80\x80\x80", "invalid UTF-8 sequence 0xf5"},
    {"\xf8\x88\x80\x80\x80", "invalid UTF-8 sequence 0xf8"},
    {"\xc3", "invalid UTF-8 sequence 0xc3 0x00"},
    {"a\xc3x", "invalid UTF-8 sequence 0xc3 0x78"},
    {"\xe2\x82", "invalid UTF-8 sequence 0xe2 0x82 0x00"},
    {"\xe2\x82x", "invalid UTF-8 sequence 0xe2 0x82 0x78"},
    {"\xed\xa0\x80", "invalid UTF-8 sequence 0xed 0xa0"},
    {"\xed\xb0\x80", "invalid UTF-8 sequence 0xed 0xb0"},
    {"\xe0\x9f\xbf", "invalid UTF-8 sequence 0xe0 0x9f"},
    {"\xf0\x8f\xbf\xbf", "invalid UTF-8 sequence 0xf0 0x8f"},
    {"\xf4\x90\x80\x80", "invalid UTF-8 sequence 0xf4 0x90"},
    {"\xf0\x90\x80", "invalid UTF-8 sequence 0xf0 0x90 0x80 0x00"},
};

static void
test_utf8_check_matches_ovs(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *error = utf8_check(cases[i].s);
        if (cases[i].error) {
            if (!error || strcmp(error, cases[i].error)) {
                fail_msg("case %zu: got \"%s\", expected \"%s\"", i,
                         error ? error : "(valid)", cases[i].error);
            }
        } else if (error) {
            fail_msg("case %zu: unexpected error \"%s\"", i, error);
        }
        free(error);
    }
}

static void
test_utf8_put_encodes_each_length(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    static const unsigned int cps[] = {0x41,   0xe9,    0x20ac,
                                       0xdc00, 0x10000, 0x10ffff};
    for (size_t i = 0; i < ARRAY_SIZE(cps); i++) {
        utf8_put(&ds, cps[i]);
    }
    assert_string_equal(ds_cstr(&ds), "A\xc3\xa9\xe2\x82\xac\xed\xb0\x80"
                                      "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
    ds_destroy(&ds);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_check_matches_ovs),
        cmocka_unit_test(test_utf8_put_encodes_each_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

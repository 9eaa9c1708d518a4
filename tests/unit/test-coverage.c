#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "lib/coverage.h"
#include "lib/ds.h"
#include "lib/util.h"

COVERAGE_DEFINE(test_hit_often);
COVERAGE_DEFINE(test_never_hit);

static void
test_counters_accumulate_totals(void **state OVS_UNUSED)
{
    long long before = coverage_get_total("test_hit_often");
    assert_true(before >= 0);
    for (int i = 0; i < 7; i++) {
        COVERAGE_INC(test_hit_often);
    }
    COVERAGE_ADD(test_hit_often, 100);
    assert_int_equal(coverage_get_total("test_hit_often"), before + 107);
    assert_int_equal(coverage_get_total("test_never_hit"), 0);
    assert_int_equal(coverage_get_total("no_such_counter"), -1);
}

static void
test_show_lists_hit_counters_and_counts_others(void **state OVS_UNUSED)
{
    coverage_run();
    struct ds s = DS_EMPTY_INITIALIZER;
    coverage_format(&s);
    const char *text = ds_cstr(&s);

    regex_t re;
    assert_int_equal(
        regcomp(&re,
                "^Event coverage, avg rate over last: 5 seconds, last minute, "
                "last hour,  hash=[0-9a-f]{8}:\n",
                REG_EXTENDED | REG_NOSUB),
        0);
    assert_int_equal(regexec(&re, text, 0, NULL, 0), 0);
    regfree(&re);

    /* Nothing has been sampled yet, so every rate is zero. */
    char *line = xasprintf("\ntest_hit_often             0.0/sec     "
                           "0.000/sec        0.0000/sec   total: %lld\n",
                           coverage_get_total("test_hit_often"));
    assert_non_null(strstr(text, line));
    free(line);
    assert_null(strstr(text, "test_never_hit"));
    assert_true(str_endswith(text, " events never hit\n"));
    ds_destroy(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counters_accumulate_totals),
        cmocka_unit_test(test_show_lists_hit_counters_and_counts_others),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

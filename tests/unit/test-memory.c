#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "lib/ds.h"
#include "lib/memory.h"
#include "lib/util.h"

static unsigned long long n_ports;

static void
report_ports(struct memory_usage *usage, void *aux OVS_UNUSED)
{
    memory_usage_add(usage, "ports", n_ports);
    memory_usage_add(usage, "handlers", 2);
}

static void
report_more(struct memory_usage *usage, void *aux)
{
    memory_usage_add(usage, "ports", *(unsigned long long *) aux);
    memory_usage_add(usage, "atoms", 14);
}

static void
test_empty_report_is_empty(void **state OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    memory_format(&s);
    assert_string_equal(ds_cstr(&s), "");
    ds_destroy(&s);
}

static void
test_report_is_sorted_and_summed(void **state OVS_UNUSED)
{
    static unsigned long long extra = 10;
    memory_register_reporter(report_ports, NULL);
    memory_register_reporter(report_more, &extra);

    n_ports = 3;
    struct ds s = DS_EMPTY_INITIALIZER;
    memory_format(&s);
    assert_string_equal(ds_cstr(&s), "atoms:14 handlers:2 ports:13");

    /* Each report asks the reporters again. */
    n_ports = 5;
    ds_clear(&s);
    memory_format(&s);
    assert_string_equal(ds_cstr(&s), "atoms:14 handlers:2 ports:15");
    ds_destroy(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_report_is_empty),
        cmocka_unit_test(test_report_is_sorted_and_summed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

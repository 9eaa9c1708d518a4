#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lib/hash-order.h"
#include "lib/util.h"

static void
check_order(const char **names, size_t n, const char *const *expected)
{
    hash_order_strings(names, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(names[i], expected[i]);
    }
}

/* The order OVS's ovsdb-client lists the tables of the Open_vSwitch
 * database in, given the order in which ovsdb-server sent them: the
 * golden values are the reference program's output. */
static void
test_order_matches_ovs_for_vswitch_tables(void **state)
{
    const char *names[] = {
        "Controller",
        "Bridge",
        "Queue",
        "IPFIX",
        "NetFlow",
        "Open_vSwitch",
        "CT_Zone",
        "QoS",
        "Datapath",
        "SSL",
        "Port",
        "sFlow",
        "Flow_Sample_Collector_Set",
        "CT_Timeout_Policy",
        "Mirror",
        "Flow_Table",
        "Interface",
        "AutoAttach",
        "Manager",
    };
    static const char *const expected[] = {
        "Controller",
        "Bridge",
        "Queue",
        "Open_vSwitch",
        "NetFlow",
        "IPFIX",
        "CT_Zone",
        "QoS",
        "Datapath",
        "SSL",
        "Port",
        "sFlow",
        "Flow_Sample_Collector_Set",
        "CT_Timeout_Policy",
        "Mirror",
        "Flow_Table",
        "AutoAttach",
        "Interface",
        "Manager",
    };
    check_order(names, ARRAY_SIZE(names), expected);
}

/* ovsdb-client list-columns of a table with columns "Zed" and "n":
 * "_version Zed _uuid n". */
static void
test_order_matches_ovs_for_small_table(void **state)
{
    const char *names[] = {"_uuid", "_version", "Zed", "n"};
    static const char *const expected[] = {"_version", "Zed", "_uuid", "n"};
    check_order(names, ARRAY_SIZE(names), expected);
}

static void
test_zero_and_one_names_stay(void **state)
{
    const char *one[] = {"x"};
    hash_order_strings(one, 1);
    assert_string_equal(one[0], "x");
    hash_order_strings(NULL, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_matches_ovs_for_vswitch_tables),
        cmocka_unit_test(test_order_matches_ovs_for_small_table),
        cmocka_unit_test(test_zero_and_one_names_stay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "lib/dirs.h"
#include "lib/util.h"

/* The directories are read once per process, so main() sets the
 * environment before the first test runs. */

static void
test_variables_override_defaults(void **state OVS_UNUSED)
{
    assert_string_equal(ovs_rundir(), "/sandbox/run");
    assert_string_equal(ovs_logdir(), "/sandbox/log");
    assert_string_equal(ovs_sysconfdir(), "/sandbox/etc");
    assert_string_equal(ovs_bindir(), "/sandbox/bin");
}

static void
test_empty_variable_counts_as_unset(void **state OVS_UNUSED)
{
    assert_string_equal(ovs_pkgdatadir(), TURNOUT_PKGDATADIR);
}

static void
test_dbdir_follows_sysconfdir_when_unset(void **state OVS_UNUSED)
{
    assert_string_equal(ovs_dbdir(), "/sandbox/etc/openvswitch");
}

static void
test_values_are_stable(void **state OVS_UNUSED)
{
    const char *rundir = ovs_rundir();
    setenv("OVS_RUNDIR", "/elsewhere", 1);
    assert_ptr_equal(ovs_rundir(), rundir);
}

int
main(void)
{
    setenv("OVS_RUNDIR", "/sandbox/run", 1);
    setenv("OVS_LOGDIR", "/sandbox/log", 1);
    setenv("OVS_SYSCONFDIR", "/sandbox/etc", 1);
    setenv("OVS_BINDIR", "/sandbox/bin", 1);
    setenv("OVS_PKGDATADIR", "", 1);
    unsetenv("OVS_DBDIR");

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variables_override_defaults),
        cmocka_unit_test(test_empty_variable_counts_as_unset),
        cmocka_unit_test(test_dbdir_follows_sysconfdir_when_unset),
        cmocka_unit_test(test_values_are_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

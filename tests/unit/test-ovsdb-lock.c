#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ovsdb/lock.h"

/* Owners are just distinct addresses. */
static int a, b, c;

static void
test_first_waiter_owns_and_next_inherits(void **state)
{
    struct ovsdb_lock_server *s = ovsdb_lock_server_create();
    struct ovsdb_lock_waiter *wa =
        ovsdb_lock_server_lock(s, "L", &a, OVSDB_LOCK_WAIT, NULL);
    struct ovsdb_lock_waiter *wb =
        ovsdb_lock_server_lock(s, "L", &b, OVSDB_LOCK_WAIT, NULL);
    assert_true(ovsdb_lock_waiter_is_owner(wa));
    assert_false(ovsdb_lock_waiter_is_owner(wb));
    assert_string_equal(ovsdb_lock_waiter_get_name(wb), "L");
    assert_ptr_equal(ovsdb_lock_waiter_get_owner(wb), &b);
    assert_int_equal(ovsdb_lock_server_count(s), 1);

    /* The owner leaving hands the lock on; a waiter leaving does not. */
    assert_ptr_equal(ovsdb_lock_waiter_remove(wa), wb);
    assert_true(ovsdb_lock_waiter_is_owner(wb));
    assert_null(ovsdb_lock_waiter_remove(wb));
    assert_int_equal(ovsdb_lock_server_count(s), 0);
    ovsdb_lock_server_destroy(s);
}

static void
test_steal_takes_lock_and_victim_stays_second(void **state)
{
    struct ovsdb_lock_server *s = ovsdb_lock_server_create();
    struct ovsdb_lock_waiter *victim;
    struct ovsdb_lock_waiter *wa =
        ovsdb_lock_server_lock(s, "L", &a, OVSDB_LOCK_WAIT, NULL);
    struct ovsdb_lock_waiter *wb =
        ovsdb_lock_server_lock(s, "L", &b, OVSDB_LOCK_WAIT, NULL);
    struct ovsdb_lock_waiter *wc =
        ovsdb_lock_server_lock(s, "L", &c, OVSDB_LOCK_STEAL, &victim);
    assert_ptr_equal(victim, wa);
    assert_true(ovsdb_lock_waiter_is_owner(wc));
    assert_false(ovsdb_lock_waiter_is_owner(wa));

    assert_ptr_equal(ovsdb_lock_waiter_remove(wc), wa);
    assert_null(ovsdb_lock_waiter_remove(wb));
    assert_null(ovsdb_lock_waiter_remove(wa));
    ovsdb_lock_server_destroy(s);
}

static void
test_steal_of_free_lock_has_no_victim(void **state)
{
    struct ovsdb_lock_server *s = ovsdb_lock_server_create();
    struct ovsdb_lock_waiter *victim = (void *) &a;
    struct ovsdb_lock_waiter *w =
        ovsdb_lock_server_lock(s, "M", &a, OVSDB_LOCK_STEAL, &victim);
    assert_null(victim);
    assert_true(ovsdb_lock_waiter_is_owner(w));
    struct ovsdb_lock_waiter *other =
        ovsdb_lock_server_lock(s, "N", &b, OVSDB_LOCK_WAIT, NULL);
    assert_true(ovsdb_lock_waiter_is_owner(other));
    assert_int_equal(ovsdb_lock_server_count(s), 2);
    ovsdb_lock_waiter_remove(w);
    ovsdb_lock_waiter_remove(other);
    ovsdb_lock_server_destroy(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_waiter_owns_and_next_inherits),
        cmocka_unit_test(test_steal_takes_lock_and_victim_stays_second),
        cmocka_unit_test(test_steal_of_free_lock_has_no_victim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/sset.h"

static void
test_add_is_idempotent_and_copies(void **state)
{
    struct sset set = SSET_INITIALIZER(&set);
    char name[] = "br0";

    assert_true(sset_is_empty(&set));
    struct sset_node *node = sset_add(&set, name);
    assert_non_null(node);
    assert_string_equal(node->name, "br0");
    assert_null(sset_add(&set, "br0"));
    assert_int_equal(sset_count(&set), 1);

    name[2] = '1';
    assert_true(sset_contains(&set, "br0"));
    assert_false(sset_contains(&set, "br1"));

    assert_non_null(sset_add_and_free(&set, xstrdup("br1")));
    assert_null(sset_add_and_free(&set, xstrdup("br1")));
    assert_int_equal(sset_count(&set), 2);

    sset_add(&set, "");
    assert_true(sset_contains(&set, ""));
    assert_int_equal(sset_count(&set), 3);
    sset_destroy(&set);
}

/* Names that are prefixes of one another are distinct elements. */
static void
test_prefixes_are_distinct(void **state)
{
    struct sset set = SSET_INITIALIZER(&set);
    sset_add(&set, "eth");
    sset_add(&set, "eth0");
    sset_add(&set, "eth00");
    assert_int_equal(sset_count(&set), 3);
    assert_true(sset_find_and_delete(&set, "eth0"));
    assert_true(sset_contains(&set, "eth"));
    assert_false(sset_contains(&set, "eth0"));
    assert_true(sset_contains(&set, "eth00"));
    assert_false(sset_contains(&set, "et"));
    sset_destroy(&set);
}

static void
test_delete_find_and_pop(void **state)
{
    struct sset set;
    sset_init(&set);
    char *names[] = {"a", "b", "c"};
    sset_add_array(&set, names, 3);
    assert_int_equal(sset_count(&set), 3);

    sset_delete(&set, sset_find(&set, "b"));
    assert_false(sset_contains(&set, "b"));
    assert_null(sset_find(&set, "b"));
    assert_false(sset_find_and_delete(&set, "b"));

    char *x = sset_pop(&set);
    char *y = sset_pop(&set);
    assert_true((!strcmp(x, "a") && !strcmp(y, "c"))
                || (!strcmp(x, "c") && !strcmp(y, "a")));
    free(x);
    free(y);
    assert_null(sset_pop(&set));
    assert_true(sset_is_empty(&set));
    sset_destroy(&set);
}

static void
add_assert_twice(void)
{
    struct sset set;
    sset_init(&set);
    sset_add_assert(&set, "x");
    sset_add_assert(&set, "x");
}

static void
test_add_assert_aborts_on_duplicate(void **state)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        if (freopen("/dev/null", "w", stderr)) {
            add_assert_twice();
        }
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

static void
test_clone_equals_and_swap(void **state)
{
    struct sset a, b, c;
    sset_init(&a);
    for (int i = 0; i < 100; i++) {
        char name[16];
        snprintf(name, sizeof name, "p%d", i);
        sset_add(&a, name);
    }
    sset_clone(&b, &a);
    assert_true(sset_equals(&a, &b));
    assert_int_equal(sset_count(&b), 100);

    sset_find_and_delete(&b, "p5");
    assert_false(sset_equals(&a, &b));
    sset_add(&b, "other");
    assert_false(sset_equals(&a, &b)); /* Same count, not equal. */

    sset_init(&c);
    sset_swap(&a, &c);
    assert_true(sset_is_empty(&a));
    assert_int_equal(sset_count(&c), 100);
    assert_true(sset_contains(&c, "p99"));

    sset_clear(&c);
    assert_true(sset_is_empty(&c));
    assert_true(sset_equals(&a, &c));
    sset_destroy(&a);
    sset_destroy(&b);
    sset_destroy(&c);
    sset_destroy(NULL);
}

static void
test_moved_after_struct_copy(void **state)
{
    struct sset a;
    sset_init(&a);
    sset_add(&a, "one");
    struct sset b = a;
    sset_moved(&b);
    assert_true(sset_contains(&b, "one"));
    sset_destroy(&b);
}

static void
test_sort_returns_names_in_order(void **state)
{
    struct sset set = SSET_INITIALIZER(&set);
    const char **sorted = sset_sort(&set);
    free(sorted);

    static const char *const names[] = {"vif2", "br-int", "eth10", "eth9",
                                        "Br"};
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        sset_add(&set, names[i]);
    }
    sorted = sset_sort(&set);
    assert_string_equal(sorted[0], "Br");
    assert_string_equal(sorted[1], "br-int");
    assert_string_equal(sorted[2], "eth10");
    assert_string_equal(sorted[3], "eth9");
    assert_string_equal(sorted[4], "vif2");
    free(sorted);
    sset_destroy(&set);
}

static void
test_for_each_and_safe_deletion(void **state)
{
    struct sset set = SSET_INITIALIZER(&set);
    for (int i = 0; i < 30; i++) {
        char name[16];
        snprintf(name, sizeof name, "%d", i);
        sset_add(&set, name);
    }

    int seen[30] = {0};
    const char *name;
    SSET_FOR_EACH (name, &set) {
        seen[atoi(name)]++;
    }
    for (int i = 0; i < 30; i++) {
        assert_int_equal(seen[i], 1);
    }

    const char *next;
    int visited = 0;
    SSET_FOR_EACH_SAFE (name, next, &set) {
        visited++;
        if (atoi(name) % 3) {
            sset_find_and_delete(&set, name);
        }
    }
    assert_int_equal(visited, 30);
    assert_int_equal(sset_count(&set), 10);
    SSET_FOR_EACH (name, &set) {
        assert_int_equal(atoi(name) % 3, 0);
    }
    sset_destroy(&set);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_is_idempotent_and_copies),
        cmocka_unit_test(test_prefixes_are_distinct),
        cmocka_unit_test(test_delete_find_and_pop),
        cmocka_unit_test(test_add_assert_aborts_on_duplicate),
        cmocka_unit_test(test_clone_equals_and_swap),
        cmocka_unit_test(test_moved_after_struct_copy),
        cmocka_unit_test(test_sort_returns_names_in_order),
        cmocka_unit_test(test_for_each_and_safe_deletion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

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

#include "lib/smap.h"

static void
test_add_then_get_returns_value_and_absent_key_is_null(void **state)
{
    struct smap smap = SMAP_INITIALIZER(&smap);

    assert_true(smap_is_empty(&smap));
    smap_add(&smap, "a", "1");
    smap_add(&smap, "b", "");
    smap_add_format(&smap, "c", "%d-%s", 42, "x");
    assert_int_equal(smap_count(&smap), 3);
    assert_string_equal(smap_get(&smap, "a"), "1");
    assert_string_equal(smap_get(&smap, "b"), "");
    assert_string_equal(smap_get(&smap, "c"), "42-x");
    assert_null(smap_get(&smap, "d"));
    assert_null(smap_get(&smap, ""));
    assert_true(smap_contains(&smap, "b"));
    assert_false(smap_contains(&smap, "B"));
    assert_string_equal(smap_get_def(&smap, "a", "dflt"), "1");
    assert_string_equal(smap_get_def(&smap, "zz", "dflt"), "dflt");
    smap_destroy(&smap);
}

static void
test_add_copies_key_and_value(void **state)
{
    struct smap smap;
    char key[] = "key";
    char value[] = "value";

    smap_init(&smap);
    smap_add(&smap, key, value);
    key[0] = 'X';
    value[0] = 'X';
    assert_string_equal(smap_get(&smap, "key"), "value");
    smap_destroy(&smap);
}

static void
test_add_nocopy_adopts_strings(void **state)
{
    struct smap smap;
    smap_init(&smap);
    struct smap_node *node =
        smap_add_nocopy(&smap, xstrdup("k"), xstrdup("v"));
    assert_string_equal(node->key, "k");
    assert_string_equal(smap_get(&smap, "k"), "v");
    /* The map frees them; ASan would report a leak or double free. */
    smap_destroy(&smap);
}

static void
test_add_once_keeps_first_value(void **state)
{
    struct smap smap;
    smap_init(&smap);
    assert_true(smap_add_once(&smap, "k", "first"));
    assert_false(smap_add_once(&smap, "k", "second"));
    assert_int_equal(smap_count(&smap), 1);
    assert_string_equal(smap_get(&smap, "k"), "first");
    smap_destroy(&smap);
}

/* Keys are unique: smap_add() of a present key is a bug that aborts rather
 * than silently shadowing the old entry. */
static void
test_add_of_existing_key_aborts(void **state)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        struct smap smap;
        smap_init(&smap);
        freopen("/dev/null", "w", stderr);
        smap_add(&smap, "k", "1");
        smap_add(&smap, "k", "2");
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void
test_replace_adds_or_overwrites_without_duplicating_key(void **state)
{
    struct smap smap;
    smap_init(&smap);
    smap_replace(&smap, "k", "1");
    assert_string_equal(smap_get(&smap, "k"), "1");
    smap_replace(&smap, "k", "2");
    assert_string_equal(smap_get(&smap, "k"), "2");
    smap_replace_nocopy(&smap, "k", xstrdup("3"));
    assert_string_equal(smap_get(&smap, "k"), "3");
    smap_replace_nocopy(&smap, "j", xstrdup("4"));
    assert_int_equal(smap_count(&smap), 2);
    assert_string_equal(smap_get(&smap, "j"), "4");
    smap_destroy(&smap);
}

static void
test_remove_and_steal(void **state)
{
    struct smap smap;
    smap_init(&smap);
    smap_add(&smap, "a", "1");
    smap_add(&smap, "b", "2");
    smap_add(&smap, "c", "3");

    assert_true(smap_remove(&smap, "a"));
    assert_false(smap_remove(&smap, "a"));
    assert_null(smap_get(&smap, "a"));
    assert_int_equal(smap_count(&smap), 2);

    char *value = smap_steal(&smap, smap_get_node(&smap, "b"));
    assert_string_equal(value, "2");
    free(value);
    assert_false(smap_contains(&smap, "b"));

    smap_remove_node(&smap, smap_get_node(&smap, "c"));
    assert_true(smap_is_empty(&smap));

    /* The key can be added again after removal. */
    smap_add(&smap, "a", "again");
    assert_string_equal(smap_get(&smap, "a"), "again");
    smap_destroy(&smap);
}

static void
test_typed_getters_parse_or_fall_back_to_default(void **state)
{
    struct smap smap;
    smap_init(&smap);
    smap_add(&smap, "int", "-17");
    smap_add(&smap, "big", "4294967295");
    smap_add(&smap, "huge", "18446744073709551615");
    smap_add(&smap, "junk", "12abc");
    smap_add(&smap, "empty", "");
    smap_add(&smap, "neg", "-1");
    smap_add(&smap, "t", "true");
    smap_add(&smap, "T", "TRUE");
    smap_add(&smap, "f", "false");
    smap_add(&smap, "yes", "yes");

    assert_int_equal(smap_get_int(&smap, "int", 5), -17);
    assert_int_equal(smap_get_int(&smap, "big", 5), 5); /* > INT_MAX */
    assert_int_equal(smap_get_int(&smap, "junk", 5), 5);
    assert_int_equal(smap_get_int(&smap, "empty", 5), 5);
    assert_int_equal(smap_get_int(&smap, "absent", 5), 5);

    assert_int_equal(smap_get_uint(&smap, "big", 7), 4294967295u);
    assert_int_equal(smap_get_uint(&smap, "huge", 7), 7);
    assert_int_equal(smap_get_uint(&smap, "neg", 7), 7);
    assert_int_equal(smap_get_uint(&smap, "int", 7), 7);

    assert_true(smap_get_ullong(&smap, "huge", 9) == 18446744073709551615ull);
    assert_true(smap_get_ullong(&smap, "neg", 9) == 9);
    assert_true(smap_get_ullong(&smap, "junk", 9) == 9);

    assert_true(smap_get_bool(&smap, "t", false));
    assert_true(smap_get_bool(&smap, "T", false));
    assert_false(smap_get_bool(&smap, "f", true));
    assert_true(smap_get_bool(&smap, "yes", true));
    assert_false(smap_get_bool(&smap, "yes", false));
    assert_true(smap_get_bool(&smap, "absent", true));
    assert_false(smap_get_bool(&smap, "absent", false));
    smap_destroy(&smap);
}

static void
test_clone_is_deep_and_equal(void **state)
{
    struct smap a, b;
    smap_init(&a);
    for (int i = 0; i < 100; i++) {
        char key[16];
        snprintf(key, sizeof key, "key%d", i);
        smap_add_format(&a, key, "%d", i * i);
    }
    smap_clone(&b, &a);
    assert_true(smap_equal(&a, &b));
    assert_true(smap_equal(&b, &a));
    assert_int_equal(smap_count(&b), 100);
    assert_string_equal(smap_get(&b, "key9"), "81");

    /* Changing the copy leaves the original alone. */
    smap_replace(&b, "key9", "x");
    assert_string_equal(smap_get(&a, "key9"), "81");
    assert_false(smap_equal(&a, &b));
    smap_destroy(&b);
    smap_destroy(&a);
}

static void
test_equal_compares_keys_and_values(void **state)
{
    struct smap a, b;
    smap_init(&a);
    smap_init(&b);
    assert_true(smap_equal(&a, &b));

    smap_add(&a, "x", "1");
    assert_false(smap_equal(&a, &b));
    smap_add(&b, "y", "1");
    assert_false(smap_equal(&a, &b)); /* Same size, other key. */
    smap_remove(&b, "y");
    smap_add(&b, "x", "2");
    assert_false(smap_equal(&a, &b)); /* Same key, other value. */
    smap_replace(&b, "x", "1");
    assert_true(smap_equal(&a, &b));
    smap_destroy(&a);
    smap_destroy(&b);
}

static void
test_sort_orders_nodes_by_key(void **state)
{
    static const char *const keys[] = {
        "pear", "apple", "Zebra", "banana", "apple2", "",
    };
    static const char *const sorted[] = {
        "", "Zebra", "apple", "apple2", "banana", "pear",
    };
    struct smap smap;
    smap_init(&smap);
    assert_null(smap_sort(&smap));
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        smap_add(&smap, keys[i], keys[i]);
    }
    const struct smap_node **nodes = smap_sort(&smap);
    for (size_t i = 0; i < ARRAY_SIZE(sorted); i++) {
        assert_string_equal(nodes[i]->key, sorted[i]);
        assert_string_equal(nodes[i]->value, sorted[i]);
    }
    free(nodes);
    smap_destroy(&smap);
}

static void
test_for_each_visits_every_node_once(void **state)
{
    struct smap smap;
    smap_init(&smap);
    int n = 50;
    for (int i = 0; i < n; i++) {
        char key[16];
        snprintf(key, sizeof key, "%d", i);
        smap_add(&smap, key, key);
    }
    int seen[50] = {0};
    struct smap_node *node;
    SMAP_FOR_EACH (node, &smap) {
        seen[atoi(node->key)]++;
        assert_string_equal(node->key, node->value);
    }
    for (int i = 0; i < n; i++) {
        assert_int_equal(seen[i], 1);
    }
    smap_destroy(&smap);
}

static void
test_for_each_safe_allows_removing_current_node(void **state)
{
    struct smap smap;
    smap_init(&smap);
    for (int i = 0; i < 40; i++) {
        char key[16];
        snprintf(key, sizeof key, "%d", i);
        smap_add(&smap, key, i % 2 ? "odd" : "even");
    }
    struct smap_node *node, *next;
    int visited = 0;
    SMAP_FOR_EACH_SAFE (node, next, &smap) {
        visited++;
        if (!strcmp(node->value, "odd")) {
            smap_remove_node(&smap, node);
        }
    }
    assert_int_equal(visited, 40);
    assert_int_equal(smap_count(&smap), 20);
    SMAP_FOR_EACH (node, &smap) {
        assert_string_equal(node->value, "even");
    }
    smap_destroy(&smap);
}

static void
test_clear_swap_and_moved(void **state)
{
    struct smap a, b;
    smap_init(&a);
    smap_init(&b);
    smap_add(&a, "only", "one");
    smap_swap(&a, &b);
    assert_true(smap_is_empty(&a));
    assert_string_equal(smap_get(&b, "only"), "one");

    /* A single-bucket map copied by assignment works after smap_moved(). */
    struct smap c = b;
    smap_moved(&c);
    assert_string_equal(smap_get(&c, "only"), "one");

    smap_clear(&c);
    assert_true(smap_is_empty(&c));
    smap_add(&c, "only", "two");
    assert_string_equal(smap_get(&c, "only"), "two");
    smap_destroy(&c);
    smap_destroy(&a);
    smap_destroy(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_add_then_get_returns_value_and_absent_key_is_null),
        cmocka_unit_test(test_add_copies_key_and_value),
        cmocka_unit_test(test_add_nocopy_adopts_strings),
        cmocka_unit_test(test_add_once_keeps_first_value),
        cmocka_unit_test(test_add_of_existing_key_aborts),
        cmocka_unit_test(
            test_replace_adds_or_overwrites_without_duplicating_key),
        cmocka_unit_test(test_remove_and_steal),
        cmocka_unit_test(test_typed_getters_parse_or_fall_back_to_default),
        cmocka_unit_test(test_clone_is_deep_and_equal),
        cmocka_unit_test(test_equal_compares_keys_and_values),
        cmocka_unit_test(test_sort_orders_nodes_by_key),
        cmocka_unit_test(test_for_each_visits_every_node_once),
        cmocka_unit_test(test_for_each_safe_allows_removing_current_node),
        cmocka_unit_test(test_clear_swap_and_moved),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "lib/hash.h"
#include "lib/hmap.h"

struct element {
    struct hmap_node node;
    int value;
};

static struct element *
find(const struct hmap *map, int value, uint32_t (*hashf)(int))
{
    struct element *e;
    HMAP_FOR_EACH_WITH_HASH (e, node, hashf(value), map) {
        if (e->value == value) {
            return e;
        }
    }
    return NULL;
}

static uint32_t good_hash(int value) { return hash_int(value, 0); }
static uint32_t constant_hash(int value) { return 42; }

/* Inserts n elements, checks count, lookup and iteration, then removes
 * them one by one, for a good hash and a degenerate one. */
static void
check_insert_find_remove(uint32_t (*hashf)(int), int n)
{
    struct hmap map = HMAP_INITIALIZER(&map);
    struct element *elems = calloc(n, sizeof *elems);

    for (int i = 0; i < n; i++) {
        elems[i].value = i;
        hmap_insert(&map, &elems[i].node, hashf(i));
        assert_int_equal(hmap_count(&map), i + 1);
    }
    for (int i = 0; i < n; i++) {
        assert_ptr_equal(find(&map, i, hashf), &elems[i]);
    }
    assert_null(find(&map, n, hashf));

    long long sum = 0;
    int count = 0;
    struct element *e;
    HMAP_FOR_EACH (e, node, &map) {
        sum += e->value;
        count++;
    }
    assert_int_equal(count, n);
    assert_int_equal(sum, (long long) n * (n - 1) / 2);

    for (int i = 0; i < n; i += 2) {
        hmap_remove(&map, &elems[i].node);
    }
    for (int i = 0; i < n; i++) {
        if (i % 2) {
            assert_ptr_equal(find(&map, i, hashf), &elems[i]);
        } else {
            assert_null(find(&map, i, hashf));
        }
    }
    hmap_shrink(&map);

    struct element *next;
    HMAP_FOR_EACH_SAFE (e, next, node, &map) {
        hmap_remove(&map, &e->node);
    }
    assert_true(hmap_is_empty(&map));
    hmap_destroy(&map);
    free(elems);
}

static void
test_insert_find_remove_good_hash(void **state)
{
    for (int n = 0; n < 200; n += 7) {
        check_insert_find_remove(good_hash, n);
    }
    check_insert_find_remove(good_hash, 10000);
}

static void
test_insert_find_remove_constant_hash(void **state)
{
    check_insert_find_remove(constant_hash, 300);
}

static void
test_pop_empties_map(void **state)
{
    struct hmap map;
    struct element elems[10];
    hmap_init(&map);
    for (int i = 0; i < 10; i++) {
        elems[i].value = i;
        hmap_insert(&map, &elems[i].node, good_hash(i));
    }
    int seen = 0;
    struct element *e;
    HMAP_FOR_EACH_POP (e, node, &map) {
        seen |= 1 << e->value;
    }
    assert_int_equal(seen, 0x3ff);
    assert_int_equal(hmap_count(&map), 0);
    hmap_destroy(&map);
}

static void
test_swap_and_moved_keep_single_bucket_valid(void **state)
{
    struct hmap a, b;
    struct element x = { .value = 1 };
    hmap_init(&a);
    hmap_init(&b);
    hmap_insert(&a, &x.node, good_hash(1));
    hmap_swap(&a, &b);
    assert_int_equal(hmap_count(&a), 0);
    assert_ptr_equal(find(&b, 1, good_hash), &x);
    hmap_destroy(&a);
    hmap_destroy(&b);
}

static void
test_position_resumes_iteration(void **state)
{
    struct hmap map = HMAP_INITIALIZER(&map);
    struct element elems[100];
    for (int i = 0; i < 100; i++) {
        elems[i].value = i;
        hmap_insert(&map, &elems[i].node, good_hash(i));
    }
    struct hmap_position pos = { 0, 0 };
    int seen[100] = { 0 };
    struct hmap_node *node;
    int n = 0;
    while ((node = hmap_at_position(&map, &pos))) {
        seen[CONTAINER_OF(node, struct element, node)->value]++;
        n++;
    }
    assert_int_equal(n, 100);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(seen[i], 1);
    }
    hmap_destroy(&map);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_find_remove_good_hash),
        cmocka_unit_test(test_insert_find_remove_constant_hash),
        cmocka_unit_test(test_pop_empties_map),
        cmocka_unit_test(test_swap_and_moved_keep_single_bucket_valid),
        cmocka_unit_test(test_position_resumes_iteration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

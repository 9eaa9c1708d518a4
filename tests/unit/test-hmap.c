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

static uint32_t
good_hash(int value)
{
    return hash_int(value, 0);
}
static uint32_t
constant_hash(int value)
{
    return 42;
}

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
    struct element x = {.value = 1};
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
    struct hmap_position pos = {0, 0};
    int seen[100] = {0};
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

static void
test_replace_swaps_node_in_place(void **state)
{
    struct hmap map = HMAP_INITIALIZER(&map);
    struct element a = {.value = 1}, b = {.value = 1}, c = {.value = 2};
    hmap_insert(&map, &a.node, good_hash(1));
    hmap_insert(&map, &c.node, good_hash(2));

    hmap_replace(&map, &a.node, &b.node);
    assert_int_equal(hmap_count(&map), 2);
    assert_ptr_equal(find(&map, 1, good_hash), &b);
    assert_true(hmap_contains(&map, &b.node));
    assert_false(hmap_contains(&map, &a.node));
    assert_true(hmap_contains(&map, &c.node));
    hmap_destroy(&map);
}

static void
test_with_hash_visits_every_duplicate(void **state)
{
    struct hmap map = HMAP_INITIALIZER(&map);
    struct element elems[20];
    for (int i = 0; i < 20; i++) {
        elems[i].value = i;
        /* Half share one hash, the rest another. */
        hmap_insert(&map, &elems[i].node, i % 2 ? 7 : 8);
    }
    int n = 0, mask = 0;
    struct element *e;
    HMAP_FOR_EACH_WITH_HASH (e, node, 7, &map) {
        assert_int_equal(e->value % 2, 1);
        mask |= 1 << e->value;
        n++;
    }
    assert_int_equal(n, 10);
    assert_int_equal(mask, 0xaaaaa);
    assert_null(hmap_first_with_hash(&map, 9));
    hmap_destroy(&map);
}

static void
test_reserve_prevents_rehash_and_clear_keeps_buckets(void **state)
{
    struct hmap map;
    struct element elems[500];
    hmap_init(&map);
    hmap_reserve(&map, 500);
    struct hmap_node **buckets = map.buckets;
    for (int i = 0; i < 500; i++) {
        elems[i].value = i;
        hmap_insert(&map, &elems[i].node, good_hash(i));
    }
    assert_ptr_equal(map.buckets, buckets);

    hmap_clear(&map);
    assert_true(hmap_is_empty(&map));
    assert_null(hmap_first(&map));
    assert_null(find(&map, 3, good_hash));
    hmap_insert(&map, &elems[3].node, good_hash(3));
    assert_ptr_equal(find(&map, 3, good_hash), &elems[3]);

    /* Shrinking an almost empty map back to one bucket keeps it usable. */
    hmap_shrink(&map);
    assert_int_equal(map.mask, 0);
    assert_ptr_equal(find(&map, 3, good_hash), &elems[3]);
    hmap_insert(&map, &elems[4].node, good_hash(4));
    assert_ptr_equal(find(&map, 4, good_hash), &elems[4]);
    hmap_destroy(&map);
}

static void
test_random_node_returns_members(void **state)
{
    struct hmap map = HMAP_INITIALIZER(&map);
    struct element elems[8];
    for (int i = 0; i < 8; i++) {
        elems[i].value = i;
        hmap_insert(&map, &elems[i].node, good_hash(i));
    }
    int seen = 0;
    for (int i = 0; i < 2000; i++) {
        struct hmap_node *node = hmap_random_node(&map);
        assert_true(hmap_contains(&map, node));
        seen |= 1 << CONTAINER_OF(node, struct element, node)->value;
    }
    assert_int_equal(seen, 0xff);
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
        cmocka_unit_test(test_replace_swaps_node_in_place),
        cmocka_unit_test(test_with_hash_visits_every_duplicate),
        cmocka_unit_test(test_reserve_prevents_rehash_and_clear_keeps_buckets),
        cmocka_unit_test(test_random_node_returns_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

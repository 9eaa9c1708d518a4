#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "lib/vector.h"

struct point {
    int x, y;
    char tag[3]; /* Odd size, to catch element-size arithmetic. */
};

static struct point
make_point(int i)
{
    return (struct point){.x = i, .y = -i, .tag = {'a' + i % 26, 0, 0}};
}

static void
assert_point(const struct point *p, int i)
{
    assert_int_equal(p->x, i);
    assert_int_equal(p->y, -i);
    assert_int_equal(p->tag[0], 'a' + i % 26);
}

static void
test_push_back_appends_copies_and_grows(void **state)
{
    struct vector vec = VECTOR_EMPTY_INITIALIZER(struct point);
    assert_true(vector_is_empty(&vec));
    assert_null(vector_data(&vec));

    for (int i = 0; i < 1000; i++) {
        struct point p = make_point(i);
        struct point *slot = vector_push_back(&vec, &p);
        assert_point(slot, i);
        assert_ptr_equal(slot, vector_get(&vec, i));
        assert_int_equal(vector_len(&vec), i + 1);
        assert_true(vec.allocated >= vec.n);
    }
    for (int i = 0; i < 1000; i++) {
        assert_point(vector_get(&vec, i), i);
    }
    vector_destroy(&vec);
    assert_int_equal(vector_len(&vec), 0);
    assert_null(vector_data(&vec));
}

static void
test_push_back_null_returns_uninitialized_slot(void **state)
{
    struct vector vec;
    vector_init(&vec, sizeof(int));
    int *slot = vector_push_back(&vec, NULL);
    *slot = 99;
    assert_int_equal(*(int *) vector_get(&vec, 0), 99);
    vector_destroy(&vec);
}

static void
test_pop_back_returns_last_until_empty(void **state)
{
    struct vector vec;
    vector_init(&vec, sizeof(struct point));
    for (int i = 0; i < 5; i++) {
        struct point p = make_point(i);
        vector_push_back(&vec, &p);
    }
    struct point p;
    for (int i = 4; i >= 0; i--) {
        assert_true(vector_pop_back(&vec, &p));
        assert_point(&p, i);
    }
    assert_false(vector_pop_back(&vec, &p));
    assert_true(vector_is_empty(&vec));

    vector_push_back(&vec, &p);
    assert_true(vector_pop_back(&vec, NULL));
    assert_true(vector_is_empty(&vec));
    vector_destroy(&vec);
}

static void
push_ints(struct vector *vec, int n)
{
    for (int i = 0; i < n; i++) {
        vector_push_back(vec, &i);
    }
}

static void
assert_ints(const struct vector *vec, const int *expected, size_t n)
{
    assert_int_equal(vector_len(vec), n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(*(int *) vector_get(vec, i), expected[i]);
    }
}

static void
test_remove_preserves_order(void **state)
{
    struct vector vec = VECTOR_EMPTY_INITIALIZER(int);
    push_ints(&vec, 6);
    vector_remove(&vec, 2);
    assert_ints(&vec, (int[]){0, 1, 3, 4, 5}, 5);
    vector_remove(&vec, 0);
    assert_ints(&vec, (int[]){1, 3, 4, 5}, 4);
    vector_remove(&vec, 3);
    assert_ints(&vec, (int[]){1, 3, 4}, 3);
    vector_remove(&vec, 0);
    vector_remove(&vec, 0);
    vector_remove(&vec, 0);
    assert_true(vector_is_empty(&vec));
    vector_destroy(&vec);
}

static void
test_remove_fast_moves_last_into_hole(void **state)
{
    struct vector vec = VECTOR_EMPTY_INITIALIZER(int);
    push_ints(&vec, 5);
    vector_remove_fast(&vec, 1);
    assert_ints(&vec, (int[]){0, 4, 2, 3}, 4);
    vector_remove_fast(&vec, 3); /* The last one: just dropped. */
    assert_ints(&vec, (int[]){0, 4, 2}, 3);
    vector_remove_fast(&vec, 0);
    assert_ints(&vec, (int[]){2, 4}, 2);
    vector_destroy(&vec);
}

static void
test_clear_keeps_storage_and_shrink_frees_spare(void **state)
{
    struct vector vec = VECTOR_EMPTY_INITIALIZER(int);
    push_ints(&vec, 100);
    size_t allocated = vec.allocated;
    void *data = vector_data(&vec);

    vector_clear(&vec);
    assert_true(vector_is_empty(&vec));
    assert_int_equal(vec.allocated, allocated);
    assert_ptr_equal(vector_data(&vec), data);

    push_ints(&vec, 3);
    vector_shrink(&vec);
    assert_int_equal(vec.allocated, 3);
    assert_ints(&vec, (int[]){0, 1, 2}, 3);

    vector_clear(&vec);
    vector_shrink(&vec);
    assert_int_equal(vec.allocated, 0);
    assert_null(vector_data(&vec));

    /* Still usable after shrinking to nothing. */
    push_ints(&vec, 2);
    assert_ints(&vec, (int[]){0, 1}, 2);
    vector_destroy(&vec);
    vector_destroy(NULL);
}

static void
test_reserve_avoids_reallocation(void **state)
{
    struct vector vec = VECTOR_EMPTY_INITIALIZER(int);
    vector_reserve(&vec, 500);
    assert_true(vec.allocated >= 500);
    void *data = vector_data(&vec);
    push_ints(&vec, 500);
    assert_ptr_equal(vector_data(&vec), data);
    vector_reserve(&vec, 10); /* Never shrinks. */
    assert_true(vec.allocated >= 500);
    vector_destroy(&vec);
}

static int
compare_ints_descending(const void *a_, const void *b_)
{
    const int *a = a_, *b = b_;
    return *a < *b ? 1 : *a > *b ? -1 : 0;
}

static void
test_sort_and_for_each_visit_in_order(void **state)
{
    struct vector vec = VECTOR_EMPTY_INITIALIZER(int);
    int *iter;

    VECTOR_FOR_EACH (&vec, iter) {
        fail(); /* Empty: never enters, even with 'data' NULL. */
    }

    push_ints(&vec, 10);
    vector_sort(&vec, compare_ints_descending);
    int expected = 9, n = 0;
    VECTOR_FOR_EACH (&vec, iter) {
        assert_int_equal(*iter, expected);
        expected--;
        n++;
    }
    assert_int_equal(n, 10);
    vector_destroy(&vec);
}

static void
test_for_each_steps_by_element_size(void **state)
{
    struct vector vec = VECTOR_EMPTY_INITIALIZER(struct point);
    for (int i = 0; i < 7; i++) {
        struct point p = make_point(i);
        vector_push_back(&vec, &p);
    }
    const struct point *p;
    int i = 0;
    VECTOR_FOR_EACH (&vec, p) {
        assert_point(p, i);
        i++;
    }
    assert_int_equal(i, 7);
    vector_destroy(&vec);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_back_appends_copies_and_grows),
        cmocka_unit_test(test_push_back_null_returns_uninitialized_slot),
        cmocka_unit_test(test_pop_back_returns_last_until_empty),
        cmocka_unit_test(test_remove_preserves_order),
        cmocka_unit_test(test_remove_fast_moves_last_into_hole),
        cmocka_unit_test(test_clear_keeps_storage_and_shrink_frees_spare),
        cmocka_unit_test(test_reserve_avoids_reallocation),
        cmocka_unit_test(test_sort_and_for_each_visit_in_order),
        cmocka_unit_test(test_for_each_steps_by_element_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

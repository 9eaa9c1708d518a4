#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "lib/bitmap.h"

/* Sizes around word boundaries, where off-by-one errors live. */
static const size_t sizes[] = {1,  2,   31,  32,  33,  63,  64,
                               65, 127, 128, 129, 200, 1000};

static void
test_allocate_gives_all_zeros_and_allocate1_all_ones(void **state)
{
    for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
        size_t n = sizes[s];
        unsigned long *zeros = bitmap_allocate(n);
        unsigned long *ones = bitmap_allocate1(n);

        assert_true(bitmap_is_all_zeros(zeros, n));
        assert_int_equal(bitmap_count1(zeros, n), 0);
        assert_false(bitmap_is_all_zeros(ones, n));
        assert_int_equal(bitmap_count1(ones, n), n);
        for (size_t i = 0; i < n; i++) {
            assert_false(bitmap_is_set(zeros, i));
            assert_true(bitmap_is_set(ones, i));
        }
        /* allocate1 leaves the padding bits of the last word clear. */
        size_t n_longs = bitmap_n_longs(n);
        assert_int_equal(__builtin_popcountl(ones[n_longs - 1])
                             + (n_longs - 1) * BITMAP_ULONG_BITS,
                         n);
        bitmap_free(zeros);
        bitmap_free(ones);
    }
    bitmap_free(bitmap_allocate(0));
    bitmap_free(bitmap_allocate1(0));
    bitmap_free(NULL);
}

static void
test_set_and_clear_single_bits(void **state)
{
    size_t n = 200;
    unsigned long *bm = bitmap_allocate(n);
    for (size_t i = 0; i < n; i += 3) {
        bitmap_set1(bm, i);
    }
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(bitmap_is_set(bm, i), i % 3 == 0);
    }
    assert_int_equal(bitmap_count1(bm, n), (n + 2) / 3);

    bitmap_set0(bm, 0);
    bitmap_set0(bm, 63);
    bitmap_set0(bm, 64); /* Already 0: stays 0. */
    assert_false(bitmap_is_set(bm, 0));
    assert_false(bitmap_is_set(bm, 63));
    assert_false(bitmap_is_set(bm, 64));
    assert_true(bitmap_is_set(bm, 66));

    bitmap_set(bm, 64, true);
    assert_true(bitmap_is_set(bm, 64));
    bitmap_set(bm, 64, false);
    assert_false(bitmap_is_set(bm, 64));
    assert_true(bitmap_is_set(bm, 66));
    bitmap_free(bm);
}

static void
test_set_multiple_sets_exactly_the_range(void **state)
{
    static const size_t ranges[][2] = {
        {0, 0},   {0, 1},   {5, 10},  {60, 8},  {64, 64},
        {63, 66}, {1, 254}, {0, 256}, {100, 1},
    };
    size_t n = 256;
    for (size_t r = 0; r < ARRAY_SIZE(ranges); r++) {
        size_t start = ranges[r][0], count = ranges[r][1];
        unsigned long *bm = bitmap_allocate(n);
        bitmap_set_multiple(bm, start, count, true);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(bitmap_is_set(bm, i),
                             i >= start && i < start + count);
        }
        assert_int_equal(bitmap_count1(bm, n), count);
        bitmap_free(bm);

        bm = bitmap_allocate1(n);
        bitmap_set_multiple(bm, start, count, false);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(bitmap_is_set(bm, i),
                             !(i >= start && i < start + count));
        }
        bitmap_free(bm);
    }
}

static void
test_equal_ignores_bits_beyond_size(void **state)
{
    unsigned long *a = bitmap_allocate(128);
    unsigned long *b = bitmap_allocate(128);

    assert_true(bitmap_equal(a, b, 128));
    bitmap_set1(a, 70);
    assert_false(bitmap_equal(a, b, 128));
    assert_false(bitmap_equal(a, b, 71));
    assert_true(bitmap_equal(a, b, 70)); /* Bit 70 is out of range. */
    assert_true(bitmap_equal(a, b, 64));
    bitmap_set1(b, 70);
    assert_true(bitmap_equal(a, b, 128));
    bitmap_set1(a, 3);
    assert_false(bitmap_equal(a, b, 4));
    assert_true(bitmap_equal(a, b, 3));
    assert_true(bitmap_equal(a, b, 0));

    unsigned long *c = bitmap_clone(a, 128);
    assert_true(bitmap_equal(a, c, 128));
    bitmap_free(a);
    bitmap_free(b);
    bitmap_free(c);
}

/* Reference for bitmap_scan(): the obvious loop. */
static size_t
slow_scan(const unsigned long *bm, bool target, size_t start, size_t end)
{
    for (size_t i = start; i < end; i++) {
        if (bitmap_is_set(bm, i) == target) {
            return i;
        }
    }
    return end;
}

static void
test_scan_matches_bit_by_bit_search(void **state)
{
    size_t n = 300;
    unsigned long *bm = bitmap_allocate(n);
    static const size_t ones[] = {0, 1, 63, 64, 65, 130, 191, 192, 299};
    for (size_t i = 0; i < ARRAY_SIZE(ones); i++) {
        bitmap_set1(bm, ones[i]);
    }
    for (size_t start = 0; start <= n; start++) {
        for (size_t end = start; end <= n; end += 7) {
            assert_int_equal(bitmap_scan(bm, true, start, end),
                             slow_scan(bm, true, start, end));
            assert_int_equal(bitmap_scan(bm, false, start, end),
                             slow_scan(bm, false, start, end));
        }
    }
    /* A set bit past 'end' in the same word is not reported. */
    assert_int_equal(bitmap_scan(bm, true, 2, 60), 60);
    assert_int_equal(bitmap_scan(bm, true, 66, 100), 100);
    bitmap_free(bm);

    /* All ones: the first 0 is never found. */
    bm = bitmap_allocate1(n);
    assert_int_equal(bitmap_scan(bm, false, 0, n), n);
    assert_int_equal(bitmap_scan(bm, true, 17, n), 17);
    bitmap_free(bm);
}

static void
test_is_all_zeros_looks_only_below_size(void **state)
{
    unsigned long *bm = bitmap_allocate(128);
    bitmap_set1(bm, 100);
    assert_false(bitmap_is_all_zeros(bm, 128));
    assert_false(bitmap_is_all_zeros(bm, 101));
    assert_true(bitmap_is_all_zeros(bm, 100));
    assert_true(bitmap_is_all_zeros(bm, 0));
    bitmap_free(bm);
}

static void
test_for_each_1_visits_set_bits_in_order(void **state)
{
    size_t n = 500;
    unsigned long *bm = bitmap_allocate(n);
    size_t expected[] = {0, 7, 63, 64, 128, 255, 256, 499};
    for (size_t i = 0; i < ARRAY_SIZE(expected); i++) {
        bitmap_set1(bm, expected[i]);
    }
    size_t idx, k = 0;
    BITMAP_FOR_EACH_1 (idx, n, bm) {
        assert_true(k < ARRAY_SIZE(expected));
        assert_int_equal(idx, expected[k]);
        k++;
    }
    assert_int_equal(k, ARRAY_SIZE(expected));

    /* Limiting the size stops before the later bits. */
    k = 0;
    BITMAP_FOR_EACH_1 (idx, 100, bm) {
        k++;
    }
    assert_int_equal(k, 4);

    unsigned long *empty = bitmap_allocate(n);
    BITMAP_FOR_EACH_1 (idx, n, empty) {
        fail();
    }
    bitmap_free(empty);
    bitmap_free(bm);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allocate_gives_all_zeros_and_allocate1_all_ones),
        cmocka_unit_test(test_set_and_clear_single_bits),
        cmocka_unit_test(test_set_multiple_sets_exactly_the_range),
        cmocka_unit_test(test_equal_ignores_bits_beyond_size),
        cmocka_unit_test(test_scan_matches_bit_by_bit_search),
        cmocka_unit_test(test_is_all_zeros_looks_only_below_size),
        cmocka_unit_test(test_for_each_1_visits_set_bits_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

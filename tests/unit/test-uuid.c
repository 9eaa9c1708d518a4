#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/hmap.h"
#include "lib/uuid.h"

static bool
is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Checks that 's' is a canonical lowercase 8-4-4-4-12 string. */
static void
assert_canonical(const char *s)
{
    assert_int_equal(strlen(s), UUID_LEN);
    for (int i = 0; i < UUID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            assert_int_equal(s[i], '-');
        } else {
            assert_true(is_lower_hex(s[i]));
        }
    }
}

static void
test_format_is_canonical_8_4_4_4_12(void **state)
{
    struct uuid u = {{0x0123abcd, 0x4567ef01, 0x89ab2345, 0x6789cdef}};
    char buf[UUID_LEN + 1];
    assert_string_equal(uuid_to_string(&u, buf),
                        "0123abcd-4567-ef01-89ab-23456789cdef");

    char *s = xasprintf(UUID_FMT, UUID_ARGS(&u));
    assert_string_equal(s, buf);
    free(s);

    uuid_zero(&u);
    assert_string_equal(uuid_to_string(&u, buf),
                        "00000000-0000-0000-0000-000000000000");
}

static void
test_from_string_round_trips_and_accepts_upper_case(void **state)
{
    struct uuid u, v;
    char buf[UUID_LEN + 1];

    assert_true(uuid_from_string(&u, "550e8400-e29b-41d4-a716-446655440000"));
    assert_int_equal(u.parts[0], 0x550e8400);
    assert_int_equal(u.parts[1], 0xe29b41d4);
    assert_int_equal(u.parts[2], 0xa7164466);
    assert_int_equal(u.parts[3], 0x55440000);
    assert_string_equal(uuid_to_string(&u, buf),
                        "550e8400-e29b-41d4-a716-446655440000");

    assert_true(uuid_from_string(&v, "550E8400-E29B-41D4-A716-446655440000"));
    assert_true(uuid_equals(&u, &v));

    for (int i = 0; i < 100; i++) {
        uuid_generate(&u);
        assert_true(uuid_from_string(&v, uuid_to_string(&u, buf)));
        assert_true(uuid_equals(&u, &v));
    }
}

static void
test_from_string_rejects_malformed_input_and_zeroes(void **state)
{
    static const char *const bad[] = {
        "",
        "550e8400",
        "550e8400-e29b-41d4-a716-44665544000",   /* 35 chars. */
        "550e8400-e29b-41d4-a716-4466554400000", /* 37 chars. */
        "550e8400-e29b-41d4-a716-446655440000 ", /* Trailing space. */
        " 550e8400-e29b-41d4-a716-446655440000",
        "550e8400e-29b-41d4-a716-446655440000", /* Dash misplaced. */
        "550e8400-e29b-41d4-a716_446655440000",
        "550e8400-e29b-41d4-a716-44665544000g", /* Not hex. */
        "550e8400-e29b-41d4-a7160446655440000",
        "550e8400-e29b-41d4-a716-4466-5544000",
        "{550e8400-e29b-41d4-a716-446655440000}",
        "550e8400e29b41d4a716446655440000", /* No dashes. */
        "+50e8400-e29b-41d4-a716-446655440000",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct uuid u = {{1, 2, 3, 4}};
        assert_false(uuid_from_string(&u, bad[i]));
        assert_true(uuid_is_zero(&u));
    }
}

static void
test_from_string_prefix_consumes_exactly_one_uuid(void **state)
{
    struct uuid u, expected;
    assert_true(
        uuid_from_string(&expected, "01234567-89ab-cdef-0123-456789abcdef"));

    assert_int_equal(uuid_from_string_prefix(
                         &u, "01234567-89ab-cdef-0123-456789abcdef,rest"),
                     UUID_LEN);
    assert_true(uuid_equals(&u, &expected));
    assert_int_equal(
        uuid_from_string_prefix(&u, "01234567-89ab-cdef-0123-456789abcdef"),
        UUID_LEN);
    assert_true(uuid_equals(&u, &expected));

    assert_int_equal(uuid_from_string_prefix(&u, "01234567-89ab"), 0);
    assert_true(uuid_is_zero(&u));
    assert_int_equal(uuid_from_string_prefix(&u, "x1234567-89ab-cdef-0123-"
                                                 "456789abcdef"),
                     0);
}

static void
test_partial_string_counts_valid_leading_chars(void **state)
{
    assert_int_equal(uuid_is_partial_string(""), 0);
    assert_int_equal(uuid_is_partial_string("0"), 1);
    assert_int_equal(uuid_is_partial_string("0b4cAF"), 6);
    assert_int_equal(uuid_is_partial_string("0b4cx"), 4);
    assert_int_equal(uuid_is_partial_string("01234567"), 8);
    assert_int_equal(uuid_is_partial_string("01234567-"), 9);
    assert_int_equal(uuid_is_partial_string("012345678"), 8);
    assert_int_equal(uuid_is_partial_string("01234567-89ab-c"), 15);
    assert_int_equal(uuid_is_partial_string("01234567-89abc"), 13);
    assert_int_equal(uuid_is_partial_string("-"), 0);
    assert_int_equal(
        uuid_is_partial_string("01234567-89ab-cdef-0123-456789abcdef"),
        UUID_LEN);
    assert_int_equal(
        uuid_is_partial_string("01234567-89ab-cdef-0123-456789abcdef0"),
        UUID_LEN);
}

static void
test_generate_gives_version_4_rfc4122_variant_and_unique(void **state)
{
    enum { N = 10000 };
    struct node {
        struct hmap_node hmap_node;
        struct uuid uuid;
    };
    struct node *nodes = xmalloc(N * sizeof *nodes);
    struct hmap seen = HMAP_INITIALIZER(&seen);
    int ones[128] = {0};

    for (int i = 0; i < N; i++) {
        struct uuid *u = &nodes[i].uuid;
        char buf[UUID_LEN + 1];

        uuid_generate(u);
        uuid_to_string(u, buf);
        assert_canonical(buf);
        assert_int_equal(buf[14], '4');
        assert_non_null(strchr("89ab", buf[19]));
        assert_false(uuid_is_zero(u));

        struct node *other;
        uint32_t hash = uuid_hash(u);
        HMAP_FOR_EACH_WITH_HASH (other, hmap_node, hash, &seen) {
            assert_false(uuid_equals(&other->uuid, u));
        }
        hmap_insert(&seen, &nodes[i].hmap_node, hash);

        for (int bit = 0; bit < 128; bit++) {
            ones[bit] += (u->parts[bit / 32] >> (bit % 32)) & 1;
        }
    }

    /* Every bit that is not fixed by version or variant is about half
     * ones: N/2 = 5000, and 10 standard deviations (50 each) is 500. */
    for (int bit = 0; bit < 128; bit++) {
        int part = bit / 32, ofs = bit % 32;
        bool fixed =
            ((part == 1 && ofs >= 12 && ofs < 16) || (part == 2 && ofs >= 30));
        if (!fixed) {
            assert_in_range(ones[bit], N / 2 - 500, N / 2 + 500);
        }
    }
    hmap_destroy(&seen);
    free(nodes);
}

/* A forked child reseeds, so it does not hand out its parent's next
 * UUIDs (which would duplicate rows created by both). */
static void
test_generate_in_forked_child_differs_from_parent(void **state)
{
    struct uuid warmup;
    uuid_generate(&warmup); /* Seed the parent before forking. */

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        struct uuid child[2];
        uuid_generate(&child[0]);
        uuid_generate(&child[1]);
        ssize_t n = write(fds[1], child, sizeof child);
        _exit(n == sizeof child ? 0 : 1);
    }
    struct uuid parent[2], child[2];
    uuid_generate(&parent[0]);
    uuid_generate(&parent[1]);
    assert_int_equal(read(fds[0], child, sizeof child), sizeof child);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(fds[0]);
    close(fds[1]);

    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 2; j++) {
            assert_false(uuid_equals(&parent[i], &child[j]));
        }
    }
}

static void
test_compare_orders_like_strings(void **state)
{
    static const char *const sorted[] = {
        "00000000-0000-0000-0000-000000000000",
        "00000000-0000-0000-0000-000000000001",
        "00000000-0000-0000-0000-000100000000",
        "00000000-0000-0000-0001-000000000000",
        "00000000-0001-0000-0000-000000000000",
        "00000001-0000-0000-0000-000000000000",
        "7fffffff-ffff-ffff-ffff-ffffffffffff",
        "80000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
    };
    for (size_t i = 0; i < ARRAY_SIZE(sorted); i++) {
        for (size_t j = 0; j < ARRAY_SIZE(sorted); j++) {
            struct uuid a, b;
            assert_true(uuid_from_string(&a, sorted[i]));
            assert_true(uuid_from_string(&b, sorted[j]));
            int cmp = uuid_compare_3way(&a, &b);
            int expected = i < j ? -1 : i > j;
            assert_int_equal(cmp < 0 ? -1 : cmp > 0, expected);
            assert_int_equal(uuid_equals(&a, &b), i == j);
            if (i == j) {
                assert_int_equal(uuid_hash(&a), uuid_hash(&b));
            }
        }
    }
}

static void
test_zero_is_zero_and_nothing_else_is(void **state)
{
    struct uuid u = {{0, 0, 0, 1}};
    assert_false(uuid_is_zero(&u));
    u.parts[3] = 0;
    u.parts[0] = 0x80000000;
    assert_false(uuid_is_zero(&u));
    uuid_zero(&u);
    assert_true(uuid_is_zero(&u));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_is_canonical_8_4_4_4_12),
        cmocka_unit_test(test_from_string_round_trips_and_accepts_upper_case),
        cmocka_unit_test(test_from_string_rejects_malformed_input_and_zeroes),
        cmocka_unit_test(test_from_string_prefix_consumes_exactly_one_uuid),
        cmocka_unit_test(test_partial_string_counts_valid_leading_chars),
        cmocka_unit_test(
            test_generate_gives_version_4_rfc4122_variant_and_unique),
        cmocka_unit_test(test_generate_in_forked_child_differs_from_parent),
        cmocka_unit_test(test_compare_orders_like_strings),
        cmocka_unit_test(test_zero_is_zero_and_nothing_else_is),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

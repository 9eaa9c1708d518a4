#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"

static void
test_str_to_int_accepts_only_whole_in_range_numbers(void **state)
{
    int i;

    assert_true(str_to_int("0", 10, &i) && i == 0);
    assert_true(str_to_int("-17", 10, &i) && i == -17);
    assert_true(str_to_int("+17", 10, &i) && i == 17);
    assert_true(str_to_int("2147483647", 10, &i) && i == INT_MAX);
    assert_true(str_to_int("-2147483648", 10, &i) && i == INT_MIN);
    assert_true(str_to_int("ff", 16, &i) && i == 255);
    assert_true(str_to_int("0x1F", 0, &i) && i == 31);
    assert_true(str_to_int("010", 0, &i) && i == 8);
    assert_true(str_to_int("010", 10, &i) && i == 10);

    static const char *const bad[] = {
        "",
        " ",
        "-",
        "+",
        "abc",
        "12abc",
        "12 ",
        "1.5",
        "0x",
        "1e3",
        "2147483648",
        "-2147483649",
        "99999999999999999999999",
    };
    for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
        i = 12345;
        assert_false(str_to_int(bad[k], 10, &i));
        assert_int_equal(i, 0); /* Failure always stores 0. */
    }
    assert_false(str_to_int("12", 2, &i));
}

static void
test_str_to_llong_covers_64_bit_range(void **state)
{
    long long ll;
    assert_true(str_to_llong("9223372036854775807", 10, &ll)
                && ll == LLONG_MAX);
    assert_true(str_to_llong("-9223372036854775808", 10, &ll)
                && ll == LLONG_MIN);
    assert_false(str_to_llong("9223372036854775808", 10, &ll));
    assert_int_equal(ll, 0);
    assert_false(str_to_llong("-9223372036854775809", 10, &ll));
    assert_false(str_to_llong("5x", 10, &ll));
    assert_false(str_to_llong("", 10, &ll));
}

static void
test_str_to_unsigned_rejects_negative_numbers(void **state)
{
    unsigned int u;
    unsigned long long ull;

    assert_true(str_to_uint("4294967295", 10, &u) && u == UINT_MAX);
    assert_false(str_to_uint("4294967296", 10, &u));
    assert_int_equal(u, 0);
    assert_false(str_to_uint("-1", 10, &u));
    assert_false(str_to_uint(" -1", 10, &u));
    assert_false(str_to_uint("-0", 10, &u));
    assert_true(str_to_uint("0", 10, &u) && u == 0);
    assert_true(str_to_uint("0xffffffff", 16, &u) && u == UINT_MAX);
    assert_false(str_to_uint("1 ", 10, &u));
    assert_false(str_to_uint("", 10, &u));

    assert_true(str_to_ullong("18446744073709551615", 10, &ull)
                && ull == ULLONG_MAX);
    assert_false(str_to_ullong("18446744073709551616", 10, &ull));
    assert_true(ull == 0);
    assert_false(str_to_ullong("-1", 10, &ull));
    assert_false(str_to_ullong("-18446744073709551615", 10, &ull));
    assert_false(str_to_ullong("12junk", 10, &ull));
    assert_true(str_to_ullong("777", 8, &ull) && ull == 511);
}

static void
test_str_to_double_accepts_only_finite_whole_strings(void **state)
{
    double d;
    assert_true(str_to_double("1.5", &d) && d == 1.5);
    assert_true(str_to_double("-2e3", &d) && d == -2000.0);
    assert_true(str_to_double("0", &d) && d == 0.0);
    assert_true(str_to_double(".25", &d) && d == 0.25);

    static const char *const bad[] = {
        "",    "abc",  "1.5x", "1.5 ",     "1e999", "-1e999",
        "inf", "-inf", "nan",  "infinity", ".",     "e5",
    };
    for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
        d = 42;
        assert_false(str_to_double(bad[k], &d));
        assert_true(d == 0.0);
    }
}

static void
test_str_to_functions_preserve_errno(void **state)
{
    int i;
    long long ll;
    unsigned long long ull;
    double d;

    errno = EBUSY;
    str_to_int("99999999999999999999", 10, &i);
    str_to_llong("99999999999999999999", 10, &ll);
    str_to_ullong("99999999999999999999", 10, &ull);
    str_to_double("1e999", &d);
    assert_int_equal(errno, EBUSY);
}

/* Checks dir_name() and base_name() against the C library's POSIX
 * dirname() and basename(), which modify their argument. */
static void
assert_matches_posix(const char *path)
{
    char *copy1 = xstrdup(path);
    char *copy2 = xstrdup(path);
    char *dir = dir_name(path);
    char *base = base_name(path);

    assert_string_equal(dir, dirname(copy1));
    assert_string_equal(base, basename(copy2));
    free(dir);
    free(base);
    free(copy1);
    free(copy2);
}

static void
test_dir_name_and_base_name_follow_posix(void **state)
{
    static const char *const paths[] = {
        "/usr/lib", "/usr/lib/", "/usr/lib//", "/usr/",  "usr",
        "/",        "///",       "",           ".",      "..",
        "a/b",      "a//b",      "a//b//",     "///a//", "a/",
        "./a",      "../a/b/",   "/a/b/c.txt", "a/b/c/", "x//y//z",
    };
    for (size_t k = 0; k < ARRAY_SIZE(paths); k++) {
        assert_matches_posix(paths[k]);
    }

    /* POSIX leaves a leading "//" implementation-defined; Turnout treats
     * it as "/". */
    char *s = dir_name("//");
    assert_string_equal(s, "/");
    free(s);
    s = dir_name("//a");
    assert_string_equal(s, "/");
    free(s);
    s = base_name("//");
    assert_string_equal(s, "/");
    free(s);

    /* The argument is not modified. */
    char path[] = "/a/b/";
    free(dir_name(path));
    free(base_name(path));
    assert_string_equal(path, "/a/b/");
}

static void
test_abs_file_name_joins_relative_names(void **state)
{
    char *s;

    s = abs_file_name("/run/ovs", "db.sock");
    assert_string_equal(s, "/run/ovs/db.sock");
    free(s);
    s = abs_file_name("/run/ovs/", "db.sock");
    assert_string_equal(s, "/run/ovs/db.sock");
    free(s);
    s = abs_file_name("/run/ovs", "/tmp/x");
    assert_string_equal(s, "/tmp/x");
    free(s);
    s = abs_file_name("/", "x");
    assert_string_equal(s, "/x");
    free(s);

    /* Without a directory the name is relative to the working one. */
    char *cwd = getcwd(NULL, 0);
    assert_non_null(cwd);
    char *expected = xasprintf("%s%sx", cwd, strcmp(cwd, "/") ? "/" : "");
    s = abs_file_name(NULL, "x");
    assert_string_equal(s, expected);
    free(s);
    s = abs_file_name("", "x");
    assert_string_equal(s, expected);
    free(s);
    free(expected);
    free(cwd);
}

static void
test_xasprintf_formats_any_length(void **state)
{
    char *s = xasprintf("%s-%d", "port", 42);
    assert_string_equal(s, "port-42");
    free(s);

    s = xasprintf("%s", "");
    assert_string_equal(s, "");
    free(s);

    char *big = xmalloc(10001);
    memset(big, 'x', 10000);
    big[10000] = '\0';
    s = xasprintf("<%s>", big);
    assert_int_equal(strlen(s), 10002);
    assert_int_equal(s[0], '<');
    assert_int_equal(s[10001], '>');
    free(s);
    free(big);
}

static void
test_x2nrealloc_grows_geometrically(void **state)
{
    size_t allocated = 0;
    int *array = x2nrealloc(NULL, &allocated, sizeof *array);
    assert_true(allocated >= 1);
    size_t prev = allocated;
    for (int round = 0; round < 10; round++) {
        for (size_t i = 0; i < allocated; i++) {
            array[i] = i; /* ASan checks the whole block is ours. */
        }
        array = x2nrealloc(array, &allocated, sizeof *array);
        assert_int_equal(allocated, prev * 2);
        /* Contents survive. */
        for (size_t i = 0; i < prev; i++) {
            assert_int_equal(array[i], i);
        }
        prev = allocated;
    }
    free(array);

    /* Elements bigger than the initial chunk still get room for one. */
    allocated = 0;
    char(*big)[1000] = x2nrealloc(NULL, &allocated, sizeof *big);
    assert_int_equal(allocated, 1);
    memset(big, 0, sizeof *big);
    free(big);
}

/* Runs 'func' in a child process and returns its wait status. */
static int
run_in_child(void (*func)(void))
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        if (!freopen("/dev/null", "w", stderr)) {
            _exit(99);
        }
        func();
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void
overflow_x2nrealloc(void)
{
    size_t allocated = SIZE_MAX / 2;
    x2nrealloc(NULL, &allocated, 2);
}

static void
failing_assert(void)
{
    int x = 1;
    ovs_assert(x == 2);
}

static void
test_size_overflow_and_failed_assert_abort(void **state)
{
    int status = run_in_child(overflow_x2nrealloc);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    status = run_in_child(failing_assert);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

static void
test_memory_helpers_copy_exactly(void **state)
{
    char *s = xmemdup0("abcdef", 3);
    assert_string_equal(s, "abc");
    free(s);
    s = xmemdup0("", 0);
    assert_string_equal(s, "");
    free(s);
    s = xstrdup("hello");
    assert_string_equal(s, "hello");
    free(s);
    assert_null(nullable_xstrdup(NULL));
    s = nullable_xstrdup("x");
    assert_string_equal(s, "x");
    free(s);

    int *z = xzalloc(100 * sizeof *z);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(z[i], 0);
    }
    free(z);
    z = xcalloc(0, 4); /* Zero-size requests still return memory. */
    assert_non_null(z);
    free(z);

    int *d = xmemdup((int[]){1, 2, 3}, 3 * sizeof(int));
    assert_int_equal(d[2], 3);
    free(d);
}

static void
test_string_helpers(void **state)
{
    assert_true(str_startswith("openflow", "open"));
    assert_true(str_startswith("open", ""));
    assert_false(str_startswith("op", "open"));
    assert_true(str_endswith("db.sock", ".sock"));
    assert_true(str_endswith("x", ""));
    assert_false(str_endswith("sock", ".sock"));

    char buf[4];
    ovs_strlcpy(buf, "abcdef", sizeof buf);
    assert_string_equal(buf, "abc");
    ovs_strlcpy(buf, "ab", sizeof buf);
    assert_string_equal(buf, "ab");
    buf[0] = 'q';
    ovs_strlcpy(buf, "zz", 0); /* No room: nothing written. */
    assert_int_equal(buf[0], 'q');

    assert_string_equal(ovs_strerror(EOF), "End of file");
    assert_string_equal(ovs_strerror(ENOENT), strerror(ENOENT));
    assert_string_equal(ovs_retval_to_string(0), "");
    assert_string_equal(ovs_retval_to_string(EOF), "End of file");
    assert_true(util_is_transient_error(EAGAIN));
    assert_false(util_is_transient_error(ECONNRESET));
}

static void
test_bit_helpers(void **state)
{
    assert_int_equal(util_round_up_pow2(0), 1);
    assert_int_equal(util_round_up_pow2(1), 1);
    assert_int_equal(util_round_up_pow2(2), 2);
    assert_int_equal(util_round_up_pow2(3), 4);
    assert_int_equal(util_round_up_pow2(1000), 1024);
    assert_true(util_round_up_pow2(UINT64_C(1) << 40) == UINT64_C(1) << 40);
    assert_int_equal(util_ctz64(8), 3);
    assert_int_equal(util_ctz64(UINT64_C(1) << 63), 63);
    assert_int_equal(util_popcount64(UINT64_MAX), 64);
    assert_true(IS_POW2(64));
    assert_false(IS_POW2(0));
    assert_false(IS_POW2(6));
    assert_int_equal(DIV_ROUND_UP(7, 4), 2);
    assert_int_equal(ROUND_UP(7, 4), 8);
    assert_int_equal(ROUND_UP(8, 4), 8);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_str_to_int_accepts_only_whole_in_range_numbers),
        cmocka_unit_test(test_str_to_llong_covers_64_bit_range),
        cmocka_unit_test(test_str_to_unsigned_rejects_negative_numbers),
        cmocka_unit_test(test_str_to_double_accepts_only_finite_whole_strings),
        cmocka_unit_test(test_str_to_functions_preserve_errno),
        cmocka_unit_test(test_dir_name_and_base_name_follow_posix),
        cmocka_unit_test(test_abs_file_name_joins_relative_names),
        cmocka_unit_test(test_xasprintf_formats_any_length),
        cmocka_unit_test(test_x2nrealloc_grows_geometrically),
        cmocka_unit_test(test_size_overflow_and_failed_assert_abort),
        cmocka_unit_test(test_memory_helpers_copy_exactly),
        cmocka_unit_test(test_string_helpers),
        cmocka_unit_test(test_bit_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

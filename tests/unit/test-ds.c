#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"

static void
test_empty_string_reads_as_empty(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    assert_string_equal(ds_cstr(&ds), "");
    assert_int_equal(ds.length, 0);
    assert_int_equal(ds_last(&ds), EOF);
    assert_false(ds_chomp(&ds, 'x'));
    ds_destroy(&ds);

    ds_init(&ds);
    assert_string_equal(ds_cstr_ro(&ds), "");
    ds_destroy(&ds);
    ds_destroy(NULL);
}

static void
test_put_functions_append(void **state)
{
    struct ds ds;
    ds_init(&ds);
    ds_put_char(&ds, 'a');
    ds_put_cstr(&ds, "bc");
    ds_put_buffer(&ds, "def", 2);
    ds_put_char_multiple(&ds, '-', 3);
    ds_put_char_multiple(&ds, '!', 0);
    ds_put_and_free_cstr(&ds, xstrdup("xyz"));
    ds_put_format(&ds, "[%d:%s]", 7, "q");
    ds_put_buffer(&ds, "", 0);
    assert_string_equal(ds_cstr(&ds), "abcde---xyz[7:q]");
    assert_int_equal(ds.length, strlen("abcde---xyz[7:q]"));
    assert_int_equal(ds_last(&ds), ']');
    ds_destroy(&ds);
}

static void
test_put_buffer_keeps_embedded_nulls(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_buffer(&ds, "a\0b", 3);
    assert_int_equal(ds.length, 3);
    assert_memory_equal(ds.string, "a\0b", 4);
    ds_destroy(&ds);
}

static void
test_growth_keeps_contents_and_terminator(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    for (int i = 0; i < 5000; i++) {
        ds_put_char(&ds, 'a' + i % 26);
        assert_int_equal(ds.string[ds.length], '\0');
        assert_true(ds.allocated >= ds.length);
    }
    for (int i = 0; i < 5000; i++) {
        assert_int_equal(ds.string[i], 'a' + i % 26);
    }
    ds_destroy(&ds);
}

/* ds_put_format() must work when the output exactly fills, just fits
 * in, or just overflows the space already allocated. */
static void
test_put_format_at_every_fill_level(void **state)
{
    for (size_t prefix = 0; prefix < 40; prefix++) {
        for (size_t len = 0; len < 40; len++) {
            struct ds ds = DS_EMPTY_INITIALIZER;
            ds_put_char_multiple(&ds, 'p', prefix);
            char *arg = xmalloc(len + 1);
            memset(arg, 'f', len);
            arg[len] = '\0';
            ds_put_format(&ds, "%s", arg);
            assert_int_equal(ds.length, prefix + len);
            assert_int_equal(strlen(ds_cstr(&ds)), prefix + len);
            for (size_t i = 0; i < prefix + len; i++) {
                assert_int_equal(ds.string[i], i < prefix ? 'p' : 'f');
            }
            free(arg);
            ds_destroy(&ds);
        }
    }
}

static void
test_reserve_and_put_uninit(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_reserve(&ds, 100);
    assert_true(ds.allocated >= 100);
    char *before = ds.string;
    ds_put_char_multiple(&ds, 'x', 100);
    assert_ptr_equal(ds.string, before);

    char *p = ds_put_uninit(&ds, 3);
    assert_ptr_equal(p, ds.string + 100);
    memcpy(p, "end", 3);
    assert_int_equal(ds.length, 103);
    assert_string_equal(ds_cstr(&ds) + 100, "end");
    ds_destroy(&ds);
}

static void
test_truncate_clear_chomp(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&ds, "hello\n\n");
    assert_true(ds_chomp(&ds, '\n'));
    assert_string_equal(ds_cstr(&ds), "hello\n");
    assert_false(ds_chomp(&ds, 'x'));
    assert_true(ds_chomp(&ds, '\n'));
    assert_false(ds_chomp(&ds, '\n'));
    assert_string_equal(ds_cstr(&ds), "hello");

    ds_truncate(&ds, 10); /* Longer: no change. */
    assert_string_equal(ds_cstr(&ds), "hello");
    ds_truncate(&ds, 2);
    assert_string_equal(ds_cstr(&ds), "he");
    assert_int_equal(ds.length, 2);

    ds_clear(&ds);
    assert_int_equal(ds.length, 0);
    assert_string_equal(ds_cstr(&ds), "");
    ds_put_cstr(&ds, "again");
    assert_string_equal(ds_cstr(&ds), "again");
    ds_destroy(&ds);

    /* Truncating a never-used string is harmless. */
    ds_init(&ds);
    ds_truncate(&ds, 0);
    assert_string_equal(ds_cstr(&ds), "");
    ds_destroy(&ds);
}

static void
test_last_is_unsigned(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_char(&ds, (char) 0xff);
    assert_int_equal(ds_last(&ds), 0xff);
    assert_true(ds_chomp(&ds, 0xff));
    ds_destroy(&ds);
}

static void
test_steal_swap_clone(void **state)
{
    struct ds a = DS_EMPTY_INITIALIZER, b = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&a, "alpha");

    ds_swap(&a, &b);
    assert_string_equal(ds_cstr(&a), "");
    assert_string_equal(ds_cstr(&b), "alpha");

    struct ds c;
    ds_clone(&c, &b);
    assert_string_equal(ds_cstr(&c), "alpha");
    assert_ptr_not_equal(c.string, b.string);
    ds_put_cstr(&c, "-beta");
    assert_string_equal(ds_cstr(&c), "alpha-beta");
    assert_string_equal(ds_cstr(&b), "alpha");

    char *s = ds_steal_cstr(&c);
    assert_string_equal(s, "alpha-beta");
    assert_int_equal(c.length, 0);
    assert_string_equal(ds_cstr(&c), "");
    free(s);

    /* Cloning an empty string gives a usable empty string. */
    struct ds d;
    ds_destroy(&a);
    ds_init(&a);
    ds_clone(&d, &a);
    ds_put_cstr(&d, "x");
    assert_string_equal(ds_cstr(&d), "x");

    s = ds_steal_cstr(&a); /* Never used: still a string. */
    assert_string_equal(s, "");
    free(s);

    ds_destroy(&a);
    ds_destroy(&b);
    ds_destroy(&c);
    ds_destroy(&d);
}

static void
test_put_hex_is_lowercase_without_separators(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_hex(&ds, "\x00\x01\xab\xff", 4);
    ds_put_hex(&ds, "", 0);
    assert_string_equal(ds_cstr(&ds), "0001abff");
    ds_destroy(&ds);
}

static void
test_put_strftime_formats_utc_and_empty(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&ds, "at ");
    ds_put_strftime(&ds, "%Y-%m-%dT%H:%M:%S", 1000000000, true);
    assert_string_equal(ds_cstr(&ds), "at 2001-09-09T01:46:40");

    ds_clear(&ds);
    ds_put_strftime(&ds, "", 0, true);
    assert_string_equal(ds_cstr(&ds), "");

    /* Output longer than the first buffer size tried. */
    ds_clear(&ds);
    char format[401];
    memset(format, 'y', 400);
    format[400] = '\0';
    ds_put_strftime(&ds, format, 0, true);
    assert_int_equal(ds.length, 400);
    ds_destroy(&ds);
}

static void
assert_hex_dump(const void *buf, size_t n, size_t ofs, bool ascii,
                const char *expected)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_hex_dump(&ds, buf, n, ofs, ascii);
    assert_string_equal(ds_cstr(&ds), expected);
    ds_destroy(&ds);
}

static void
test_hex_dump_layout(void **state)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz";

    assert_hex_dump(alphabet, 0, 0, true, "");

    assert_hex_dump(
        alphabet, 3, 0, true,
        "00000000  61 62 63                                          "
        "|abc|\n");

    assert_hex_dump(
        alphabet, 19, 0, true,
        "00000000  61 62 63 64 65 66 67 68  69 6a 6b 6c 6d 6e 6f 70  "
        "|abcdefghijklmnop|\n"
        "00000010  71 72 73                                          "
        "|qrs|\n");

    /* Exactly 16 bytes: one line. */
    assert_hex_dump(
        alphabet, 16, 0x100, true,
        "00000100  61 62 63 64 65 66 67 68  69 6a 6b 6c 6d 6e 6f 70  "
        "|abcdefghijklmnop|\n");

    /* Bytes outside printable ASCII show as '.'. */
    assert_hex_dump(
        "\x00\x1f\x7f\x80\xff\x20~", 7, 0, true,
        "00000000  00 1f 7f 80 ff 20 7e                              "
        "|..... ~|\n");

    /* Without ASCII, lines end after the last byte. */
    assert_hex_dump(
        alphabet, 19, 0, false,
        "00000000  61 62 63 64 65 66 67 68  69 6a 6b 6c 6d 6e 6f 70\n"
        "00000010  71 72 73\n");
    assert_hex_dump(alphabet, 8, 0, false,
                    "00000000  61 62 63 64 65 66 67 68\n");
}

/* An offset that is not a multiple of 16 starts the first line at the
 * multiple below it, with blank slots for the bytes before buf[0], and
 * later lines continue from there. */
static void
test_hex_dump_unaligned_offset(void **state)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz";

    assert_hex_dump(
        alphabet, 5, 14, true,
        "00000000                                             61 62  "
        "|              ab|\n"
        "00000010  63 64 65                                          "
        "|cde|\n");

    assert_hex_dump(
        alphabet, 20, 0x1003, true,
        "00001000           61 62 63 64 65  66 67 68 69 6a 6b 6c 6d  "
        "|   abcdefghijklm|\n"
        "00001010  6e 6f 70 71 72 73 74                              "
        "|nopqrst|\n");

    /* Entirely inside one line, neither at its start nor at its end. */
    assert_hex_dump(alphabet, 2, 0x23, false, "00000020           61 62\n");
    assert_hex_dump(
        alphabet, 2, 0x23, true,
        "00000020           61 62                                    "
        "|   ab|\n");
}

/* Offsets past 32 bits widen the offset column rather than wrap. */
static void
test_hex_dump_wide_offsets(void **state)
{
    assert_hex_dump("A", 1, 0x123456789aULL, false,
                    "1234567890                                 41\n");
}

static void
test_get_line_reads_lines_and_reports_eof(void **state)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    fputs("first\n\nthird without newline", f);
    rewind(f);

    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&ds, "old contents");
    assert_int_equal(ds_get_line(&ds, f), 0);
    assert_string_equal(ds_cstr(&ds), "first");
    assert_int_equal(ds_get_line(&ds, f), 0);
    assert_string_equal(ds_cstr(&ds), "");
    assert_int_equal(ds_get_line(&ds, f), 0);
    assert_string_equal(ds_cstr(&ds), "third without newline");
    assert_int_equal(ds_get_line(&ds, f), EOF);
    assert_int_equal(ds_get_line(&ds, f), EOF);
    ds_destroy(&ds);
    fclose(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_string_reads_as_empty),
        cmocka_unit_test(test_put_functions_append),
        cmocka_unit_test(test_put_buffer_keeps_embedded_nulls),
        cmocka_unit_test(test_growth_keeps_contents_and_terminator),
        cmocka_unit_test(test_put_format_at_every_fill_level),
        cmocka_unit_test(test_reserve_and_put_uninit),
        cmocka_unit_test(test_truncate_clear_chomp),
        cmocka_unit_test(test_last_is_unsigned),
        cmocka_unit_test(test_steal_swap_clone),
        cmocka_unit_test(test_put_hex_is_lowercase_without_separators),
        cmocka_unit_test(test_put_strftime_formats_utc_and_empty),
        cmocka_unit_test(test_hex_dump_layout),
        cmocka_unit_test(test_hex_dump_unaligned_offset),
        cmocka_unit_test(test_hex_dump_wide_offsets),
        cmocka_unit_test(test_get_line_reads_lines_and_reports_eof),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

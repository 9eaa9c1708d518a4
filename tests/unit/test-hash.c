#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "lib/util.h"

static void
test_hashes_are_deterministic(void **state)
{
    static const char data[] = "The quick brown fox jumps over the lazy dog";
    uint64_t words64[] = {1, 2, 3};
    uint32_t words[] = {1, 2, 3};

    assert_int_equal(hash_bytes(data, sizeof data, 0),
                     hash_bytes(data, sizeof data, 0));
    assert_int_equal(hash_string("abc", 7), hash_string("abc", 7));
    assert_int_equal(hash_int(42, 1), hash_int(42, 1));
    assert_int_equal(hash_uint64(42), hash_uint64(42));
    assert_int_equal(hash_words(words, 3, 5), hash_words(words, 3, 5));
    assert_int_equal(hash_words64(words64, 3, 5), hash_words64(words64, 3, 5));
    assert_int_equal(hash_pointer(data, 0), hash_pointer(data, 0));
    assert_int_equal(hash_combine(1, 2), hash_combine(1, 2));
}

static void
test_basis_and_input_change_the_hash(void **state)
{
    assert_int_not_equal(hash_int(42, 0), hash_int(42, 1));
    assert_int_not_equal(hash_int(42, 0), hash_int(43, 0));
    assert_int_not_equal(hash_string("abc", 0), hash_string("abc", 1));
    assert_int_not_equal(hash_string("abc", 0), hash_string("abd", 0));
    assert_int_not_equal(hash_combine(1, 2), hash_combine(2, 1));
    /* The high half of a 64-bit value counts. */
    assert_int_not_equal(hash_uint64(1), hash_uint64(UINT64_C(1) << 32 | 1));
    assert_int_not_equal(hash_uint64_basis(7, 0), hash_uint64_basis(7, 9));
}

/* Trailing zero bytes must not vanish into the zero padding of the last
 * partial word: "a" and "a\0" are different keys. */
static void
test_length_is_part_of_the_hash(void **state)
{
    static const char zeros[8] = {0};
    uint32_t seen[8];
    for (size_t n = 0; n < 8; n++) {
        seen[n] = hash_bytes(zeros, n, 0);
        for (size_t m = 0; m < n; m++) {
            assert_int_not_equal(seen[m], seen[n]);
        }
    }
    assert_int_not_equal(hash_bytes("a", 1, 0), hash_bytes("a\0", 2, 0));
}

/* hash_bytes() depends only on the bytes, not on their address: the same
 * bytes at every alignment and with every tail length hash alike, and
 * bytes beyond 'n' are never read (ASan would catch that too). */
static void
test_hash_bytes_ignores_alignment_and_reads_only_n_bytes(void **state)
{
    uint8_t src[64];
    for (size_t i = 0; i < sizeof src; i++) {
        src[i] = i * 37 + 11;
    }
    for (size_t n = 0; n <= 40; n++) {
        uint32_t expected = hash_bytes(src, n, 99);
        for (size_t align = 1; align < 8; align++) {
            uint8_t *buf = xmalloc(n + align);
            memcpy(buf + align, src, n);
            assert_int_equal(hash_bytes(buf + align, n, 99), expected);
            free(buf);
        }
        /* Garbage after the data does not matter. */
        uint8_t copy[64];
        memcpy(copy, src, n);
        memset(copy + n, 0xa5, sizeof copy - n);
        assert_int_equal(hash_bytes(copy, n, 99), expected);
    }
}

static void
test_every_byte_affects_hash_bytes(void **state)
{
    uint8_t buf[23];
    memset(buf, 0x5a, sizeof buf);
    uint32_t base = hash_bytes(buf, sizeof buf, 0);
    for (size_t i = 0; i < sizeof buf; i++) {
        for (int bit = 0; bit < 8; bit++) {
            buf[i] ^= 1 << bit;
            assert_int_not_equal(hash_bytes(buf, sizeof buf, 0), base);
            buf[i] ^= 1 << bit;
        }
    }
}

/* Sequential keys, the common case for ports and table ids, must spread
 * evenly.  65536 keys into 256 buckets average 256 each; a fair random
 * spread has a standard deviation of 16, so 256 +/- 96 is six of them. */
static void
check_spread(uint32_t (*hash)(uint32_t key))
{
    int buckets[256] = {0};
    for (uint32_t key = 0; key < 65536; key++) {
        buckets[hash(key) & 255]++;
    }
    for (int b = 0; b < 256; b++) {
        assert_in_range(buckets[b], 256 - 96, 256 + 96);
    }

    /* The high bits spread too (hmaps use the low bits; other users take
     * the high ones). */
    memset(buckets, 0, sizeof buckets);
    for (uint32_t key = 0; key < 65536; key++) {
        buckets[hash(key) >> 24]++;
    }
    for (int b = 0; b < 256; b++) {
        assert_in_range(buckets[b], 256 - 96, 256 + 96);
    }
}

static uint32_t
hash_int_0(uint32_t key)
{
    return hash_int(key, 0);
}
static uint32_t
hash_uint64_key(uint32_t key)
{
    return hash_uint64(key);
}
static uint32_t
hash_bytes_key(uint32_t key)
{
    return hash_bytes(&key, sizeof key, 0);
}
static uint32_t
hash_string_key(uint32_t key)
{
    char s[16];
    snprintf(s, sizeof s, "br%u", key);
    return hash_string(s, 0);
}
static uint32_t
hash_words64_key(uint32_t key)
{
    uint64_t words[2] = {key, (uint64_t) key << 40};
    return hash_words64(words, 2, 0);
}
static uint32_t
hash_shifted_key(uint32_t key)
{
    /* Keys that differ only in high bits, like aligned addresses. */
    return hash_int(key << 16, 0);
}

static void
test_sequential_keys_spread_evenly(void **state)
{
    check_spread(hash_int_0);
    check_spread(hash_uint64_key);
    check_spread(hash_bytes_key);
    check_spread(hash_string_key);
    check_spread(hash_words64_key);
    check_spread(hash_shifted_key);
}

/* Avalanche: flipping one input bit flips about half the output bits. */
static void
test_one_bit_change_flips_about_half_the_output(void **state)
{
    long long total = 0;
    int n = 0;
    for (uint32_t x = 0; x < 2000; x++) {
        uint32_t h = hash_int(x * 2654435761u, 0);
        for (int bit = 0; bit < 32; bit++) {
            uint32_t h2 = hash_int((x * 2654435761u) ^ (1u << bit), 0);
            total += __builtin_popcount(h ^ h2);
            n++;
        }
    }
    double mean = (double) total / n;
    assert_true(mean > 15.0 && mean < 17.0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hashes_are_deterministic),
        cmocka_unit_test(test_basis_and_input_change_the_hash),
        cmocka_unit_test(test_length_is_part_of_the_hash),
        cmocka_unit_test(
            test_hash_bytes_ignores_alignment_and_reads_only_n_bytes),
        cmocka_unit_test(test_every_byte_affects_hash_bytes),
        cmocka_unit_test(test_sequential_keys_spread_evenly),
        cmocka_unit_test(test_one_bit_change_flips_about_half_the_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Hash functions for hash tables and the fast path.  They are built from
 * the MurmurHash3 mixing steps: cheap, well distributed, not
 * cryptographic.  Values are only meaningful inside one process. */
#ifndef LIB_HASH_H
#define LIB_HASH_H 1

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t
hash_rot(uint32_t x, int k)
{
    return (x << k) | (x >> (32 - k));
}

/* Mixes 'data' into the running hash 'hash'. */
static inline uint32_t
hash_add(uint32_t hash, uint32_t data)
{
    data *= 0xcc9e2d51;
    data = hash_rot(data, 15);
    data *= 0x1b873593;
    hash ^= data;
    hash = hash_rot(hash, 13);
    return hash * 5 + 0xe6546b64;
}

static inline uint32_t
hash_add64(uint32_t hash, uint64_t data)
{
    return hash_add(hash_add(hash, (uint32_t) data), data >> 32);
}

/* Final avalanche so that every input bit affects every output bit; call
 * it once after the last hash_add(), passing the number of bytes hashed. */
static inline uint32_t
hash_finish(uint32_t hash, uint32_t n_bytes)
{
    hash ^= n_bytes;
    hash ^= hash >> 16;
    hash *= 0x85ebca6b;
    hash ^= hash >> 13;
    hash *= 0xc2b2ae35;
    hash ^= hash >> 16;
    return hash;
}

static inline uint32_t
hash_int(uint32_t x, uint32_t basis)
{
    return hash_finish(hash_add(basis, x), 4);
}

static inline uint32_t
hash_uint64_basis(uint64_t x, uint32_t basis)
{
    return hash_finish(hash_add64(basis, x), 8);
}

static inline uint32_t
hash_uint64(uint64_t x)
{
    return hash_uint64_basis(x, 0);
}

static inline uint32_t
hash_pointer(const void *p, uint32_t basis)
{
    return hash_uint64_basis((uintptr_t) p, basis);
}

/* Combines two hash values into one. */
static inline uint32_t
hash_combine(uint32_t a, uint32_t b)
{
    return hash_finish(hash_add(a, b), 8);
}

/* Hashes 'n' arbitrary bytes at 'p' (any alignment). */
uint32_t hash_bytes(const void *p, size_t n, uint32_t basis);

/* Hashes 'n' 32-bit words; faster than hash_bytes() for aligned data. */
uint32_t hash_words(const uint32_t *p, size_t n_words, uint32_t basis);

/* Hashes 'n' 64-bit words, the unit of flow keys and masks. */
uint32_t hash_words64(const uint64_t *p, size_t n_words, uint32_t basis);

static inline uint32_t
hash_string(const char *s, uint32_t basis)
{
    return hash_bytes(s, strlen(s), basis);
}

#endif /* lib/hash.h */

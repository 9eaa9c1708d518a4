#include "lib/uuid.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>
#include <unistd.h>

#include "lib/hash.h"
#include "lib/util.h"

/* Per-thread generator state.  The generator is xoshiro256**: 256 bits of
 * state, so streams seeded independently from the kernel's entropy do not
 * overlap in practice, and a few shifts and multiplies per 64 bits. */
struct uuid_prng {
    uint64_t s[4];
    unsigned int fork_gen; /* 'fork_gen' when seeded; 0 if unseeded. */
};

static __thread struct uuid_prng prng;

/* Counts the forks that led to this process, so that a child reseeds
 * rather than repeat its parent's UUIDs.  Checking this costs nothing,
 * unlike getpid(), which is a system call on every UUID. */
static unsigned int fork_gen = 1;
static pthread_once_t fork_gen_once = PTHREAD_ONCE_INIT;

static void
fork_gen_child(void)
{
    if (!++fork_gen) {
        fork_gen = 1;
    }
}

static void
fork_gen_register(void)
{
    pthread_atfork(NULL, NULL, fork_gen_child);
}

static uint64_t
rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t
uuid_prng_next(struct uuid_prng *p)
{
    uint64_t *s = p->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* Fills 'buf' with 'n' bytes from the kernel's entropy pool, or dies: a
 * process that cannot get entropy would risk handing out duplicate row
 * UUIDs, which is worse than not running. */
static void
read_entropy(void *buf_, size_t n)
{
    char *buf = buf_;
    while (n > 0) {
        ssize_t retval = getrandom(buf, n, 0);
        if (retval > 0) {
            buf += retval;
            n -= retval;
        } else if (retval < 0 && errno == EINTR) {
            continue;
        } else {
            break;
        }
    }
    if (!n) {
        return;
    }

    /* getrandom() may be missing (ENOSYS) under old kernels or seccomp
     * filters: fall back to the device. */
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ovs_fatal(errno, "cannot read entropy for UUIDs: /dev/urandom");
    }
    while (n > 0) {
        ssize_t retval = read(fd, buf, n);
        if (retval > 0) {
            buf += retval;
            n -= retval;
        } else if (retval < 0 && errno == EINTR) {
            continue;
        } else {
            ovs_fatal(retval ? errno : 0,
                      "cannot read entropy for UUIDs: /dev/urandom");
        }
    }
    close(fd);
}

static void
uuid_prng_seed(struct uuid_prng *p)
{
    read_entropy(p->s, sizeof p->s);
    if (!(p->s[0] | p->s[1] | p->s[2] | p->s[3])) {
        /* The one state the generator cannot leave. */
        p->s[0] = 1;
    }
    p->fork_gen = fork_gen;
}

void
uuid_generate(struct uuid *uuid)
{
    if (OVS_UNLIKELY(prng.fork_gen != fork_gen)) {
        pthread_once(&fork_gen_once, fork_gen_register);
        uuid_prng_seed(&prng);
    }

    uint64_t hi = uuid_prng_next(&prng);
    uint64_t lo = uuid_prng_next(&prng);
    uuid->parts[0] = hi >> 32;
    uuid->parts[1] = hi;
    uuid->parts[2] = lo >> 32;
    uuid->parts[3] = lo;

    /* Version 4 (random) in the 13th hex digit, RFC 4122 variant (binary
     * 10) in the top bits of the 17th. */
    uuid->parts[1] = (uuid->parts[1] & ~UINT32_C(0xf000)) | 0x4000;
    uuid->parts[2] = (uuid->parts[2] & UINT32_C(0x3fffffff)) | 0x80000000;
}

void
uuid_zero(struct uuid *uuid)
{
    memset(uuid, 0, sizeof *uuid);
}

bool
uuid_is_zero(const struct uuid *uuid)
{
    return !(uuid->parts[0] | uuid->parts[1] | uuid->parts[2]
             | uuid->parts[3]);
}

bool
uuid_equals(const struct uuid *a, const struct uuid *b)
{
    return (a->parts[0] == b->parts[0] && a->parts[1] == b->parts[1]
            && a->parts[2] == b->parts[2] && a->parts[3] == b->parts[3]);
}

int
uuid_compare_3way(const struct uuid *a, const struct uuid *b)
{
    for (int i = 0; i < 4; i++) {
        if (a->parts[i] != b->parts[i]) {
            return a->parts[i] < b->parts[i] ? -1 : 1;
        }
    }
    return 0;
}

uint32_t
uuid_hash(const struct uuid *uuid)
{
    return hash_words(uuid->parts, 4, 0);
}

/* One more than the value of each hexadecimal digit, 0 for every other
 * byte.  A table rather than comparisons: digits and letters come in
 * random order in UUIDs, so a chain of comparisons would be mispredicted
 * about half the time, and a server parses thousands of UUIDs a request. */
/* clang-format off */
static const unsigned char hex_values[256] = {
    ['0'] = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ['a'] = 11, 12, 13, 14, 15, 16,
    ['A'] = 11, 12, 13, 14, 15, 16,
};
/* clang-format on */

static int
hex_digit_value(char c)
{
    return hex_values[(unsigned char) c] - 1;
}

/* Returns true if position 'i' (0-based) of a UUID string holds a dash. */
static bool
is_dash_position(size_t i)
{
    return i == 8 || i == 13 || i == 18 || i == 23;
}

size_t
uuid_is_partial_string(const char *s)
{
    size_t i;
    for (i = 0; i < UUID_LEN && s[i]; i++) {
        if (is_dash_position(i) ? s[i] != '-' : hex_digit_value(s[i]) < 0) {
            break;
        }
    }
    return i;
}

size_t
uuid_from_string_prefix(struct uuid *uuid, const char *s)
{
    struct uuid u;
    size_t n_digits = 0;

    uuid_zero(&u);
    for (size_t i = 0; i < UUID_LEN; i++) {
        if (is_dash_position(i)) {
            if (s[i] != '-') {
                goto error;
            }
        } else {
            /* A null terminator is not a hex digit, so a short string is
             * rejected here before reading past its end. */
            int value = hex_digit_value(s[i]);
            if (value < 0) {
                goto error;
            }
            u.parts[n_digits / 8] = (u.parts[n_digits / 8] << 4) | value;
            n_digits++;
        }
    }
    *uuid = u;
    return UUID_LEN;

error:
    uuid_zero(uuid);
    return 0;
}

bool
uuid_from_string(struct uuid *uuid, const char *s)
{
    if (uuid_from_string_prefix(uuid, s) && s[UUID_LEN] == '\0') {
        return true;
    }
    uuid_zero(uuid);
    return false;
}

/* Writes the 'n' low hexadecimal digits of 'v' at 'p'. */
static inline void
put_hex(char *p, uint32_t v, int n)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = n - 1; i >= 0; i--) {
        p[i] = hex[v & 0xf];
        v >>= 4;
    }
}

char *
uuid_to_string(const struct uuid *uuid, char *buf)
{
    /* As UUID_FMT prints it, without the cost of printf: this runs for
     * every row of every log record and monitor update. */
    const uint32_t *parts = uuid->parts;
    put_hex(&buf[0], parts[0], 8);
    buf[8] = '-';
    put_hex(&buf[9], parts[1] >> 16, 4);
    buf[13] = '-';
    put_hex(&buf[14], parts[1] & 0xffff, 4);
    buf[18] = '-';
    put_hex(&buf[19], parts[2] >> 16, 4);
    buf[23] = '-';
    put_hex(&buf[24], parts[2] & 0xffff, 4);
    put_hex(&buf[28], parts[3], 8);
    buf[UUID_LEN] = '\0';
    return buf;
}

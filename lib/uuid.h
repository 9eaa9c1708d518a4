/* UUIDs (RFC 4122), as OVSDB uses them for row identities.
 *
 * A UUID is held as four 32-bit words in the order they are printed:
 * parts[0] is the first 8 hex digits, parts[1] the next 4-4, parts[2]
 * the next 4-4 and parts[3] the last 8, so comparing the words in order
 * sorts UUIDs like their strings.
 *
 * Print one with:
 *
 *     printf("row " UUID_FMT "\n", UUID_ARGS(&uuid));
 *
 * which gives the canonical lowercase 8-4-4-4-12 form. */
#ifndef LIB_UUID_H
#define LIB_UUID_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uuid {
    uint32_t parts[4];
};

/* Length of a UUID string, not counting a null terminator. */
#define UUID_LEN 36

#define UUID_FMT "%08x-%04x-%04x-%04x-%04x%08x"
#define UUID_ARGS(UUID)                                                       \
    ((unsigned int) (UUID)->parts[0]),                                        \
        ((unsigned int) (UUID)->parts[1] >> 16),                              \
        ((unsigned int) (UUID)->parts[1] & 0xffff),                           \
        ((unsigned int) (UUID)->parts[2] >> 16),                              \
        ((unsigned int) (UUID)->parts[2] & 0xffff),                           \
        ((unsigned int) (UUID)->parts[3])

/* Sets 'uuid' to a new random (version 4) UUID.
 *
 * The random bits come from a fast generator seeded from the kernel's
 * entropy (getrandom()) once per thread and again after fork(), so a
 * child never repeats its parent's UUIDs and generating one costs no
 * system call beyond getpid(). */
void uuid_generate(struct uuid *uuid);

/* Sets 'uuid' to all zeros, the UUID OVSDB uses for "none". */
void uuid_zero(struct uuid *uuid);
bool uuid_is_zero(const struct uuid *uuid);
bool uuid_equals(const struct uuid *a, const struct uuid *b);
/* Returns negative, zero or positive as 'a' sorts before, equal to or
 * after 'b'; the order is that of their strings. */
int uuid_compare_3way(const struct uuid *a, const struct uuid *b);
uint32_t uuid_hash(const struct uuid *uuid);

/* Parses 's', which must be exactly a UUID string (36 characters: hex
 * digits in either case, with dashes after the 8th, 12th, 16th and 20th)
 * into 'uuid'.  Returns true on success; on failure returns false and sets
 * 'uuid' to zero. */
bool uuid_from_string(struct uuid *uuid, const char *s);

/* Parses a UUID string at the start of 's' into 'uuid' and returns the
 * number of characters it took (UUID_LEN), leaving whatever follows to the
 * caller.  Returns 0 and sets 'uuid' to zero if 's' does not start with a
 * UUID. */
size_t uuid_from_string_prefix(struct uuid *uuid, const char *s);

/* Returns the number of leading characters of 's' that could begin a UUID
 * string (hex digits with dashes at the right places), at most UUID_LEN.
 * "0b4c" gives 4; "0b4cx" also gives 4; a full UUID gives UUID_LEN.  Used
 * to resolve abbreviated UUIDs typed by people. */
size_t uuid_is_partial_string(const char *s);

/* Writes the canonical form of 'uuid' and a null terminator to 'buf',
 * which must have room for UUID_LEN + 1 bytes, and returns 'buf'. */
char *uuid_to_string(const struct uuid *uuid, char *buf);

#endif /* lib/uuid.h */

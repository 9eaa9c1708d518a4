/* Foundation helpers used everywhere: allocation that aborts on
 * exhaustion, container_of, small string helpers, program name. */
#ifndef LIB_UTIL_H
#define LIB_UTIL_H 1

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof *(a))

/* Returns the struct of type TYPE that contains MEMBER at address PTR. */
#define CONTAINER_OF(PTR, TYPE, MEMBER)                                       \
    ((TYPE *) (void *) ((char *) (PTR) -offsetof(TYPE, MEMBER)))

/* Like CONTAINER_OF but the type is taken from OBJECT, so iteration macros
 * can be written without naming the type. */
#define OBJECT_CONTAINING(PTR, OBJECT, MEMBER)                                \
    ((__typeof__(OBJECT)) (void *) ((char *) (PTR) -offsetof(                 \
        __typeof__(*(OBJECT)), MEMBER)))

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define DIV_ROUND_UP(X, Y) (((X) + ((Y) -1)) / (Y))
#define ROUND_UP(X, Y) (DIV_ROUND_UP(X, Y) * (Y))
#define IS_POW2(X) ((X) && !((X) & ((X) -1)))

#define PRINTF_FORMAT(FMT, ARG1) __attribute__((__format__(printf, FMT, ARG1)))
#define OVS_UNUSED __attribute__((__unused__))
#define OVS_LIKELY(x) __builtin_expect(!!(x), 1)
#define OVS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define OVS_WARN_UNUSED_RESULT __attribute__((__warn_unused_result__))

/* Aborts with a message naming the failed condition.  Unlike assert() it
 * stays on in release builds: it guards invariants, not debugging. */
#define ovs_assert(COND)                                                      \
    (OVS_LIKELY(COND)                                                         \
         ? (void) 0                                                           \
         : util_assert_failure(__FILE__, __LINE__, __func__, #COND))
noreturn void util_assert_failure(const char *file, int line, const char *func,
                                  const char *cond);

/* Allocation wrappers: they never return NULL (they abort instead), so
 * callers need no error path for memory exhaustion. */
void *xmalloc(size_t size) __attribute__((__malloc__));
void *xcalloc(size_t count, size_t size) __attribute__((__malloc__));
void *xzalloc(size_t size) __attribute__((__malloc__));
void *xrealloc(void *p, size_t size);
void *xmemdup(const void *p, size_t size) __attribute__((__malloc__));
char *xmemdup0(const char *p, size_t len) __attribute__((__malloc__));
char *xstrdup(const char *s) __attribute__((__malloc__));
char *nullable_xstrdup(const char *s);
char *xasprintf(const char *format, ...) PRINTF_FORMAT(1, 2)
    __attribute__((__malloc__));
/* 'format' is declared nonnull so that UBSan builds do not instrument (and
 * GCC then warn about) a null-format path that cannot happen. */
char *xvasprintf(const char *format, va_list args) PRINTF_FORMAT(1, 0)
    __attribute__((__malloc__, __nonnull__(1)));

/* Grows '*array' (of '*n_allocated' elements of 'elem_size' bytes) so that
 * at least one more element fits, doubling its capacity. */
void *x2nrealloc(void *array, size_t *n_allocated, size_t elem_size);

/* Program name and version, set once at start-up by set_program_name(). */
extern const char *program_name;
void set_program_name(const char *argv0);
const char *get_program_version(void);
void print_program_version(void);

/* Fatal errors: print "program: message[: strerror]" to stderr and exit
 * with status 1 (ovs_fatal) or abort (ovs_abort). */
noreturn void ovs_fatal(int err_no, const char *format, ...)
    PRINTF_FORMAT(2, 3);
noreturn void ovs_fatal_valist(int err_no, const char *format, va_list)
    PRINTF_FORMAT(2, 0);
noreturn void ovs_abort(int err_no, const char *format, ...)
    PRINTF_FORMAT(2, 3);
void ovs_error(int err_no, const char *format, ...) PRINTF_FORMAT(2, 3);
void ovs_error_valist(int err_no, const char *format, va_list)
    PRINTF_FORMAT(2, 0);

/* Returns a string for 'error': strerror() for positive values, "End of
 * file" for EOF, "Success" for 0. */
const char *ovs_strerror(int error);
const char *ovs_retval_to_string(int retval);

bool str_to_int(const char *s, int base, int *i);
bool str_to_uint(const char *s, int base, unsigned int *u);
bool str_to_llong(const char *s, int base, long long *ll);
bool str_to_ullong(const char *s, int base, unsigned long long *ull);
bool str_to_double(const char *s, double *d);

/* qsort() comparison function for an array of "const char *": by
 * strcmp(). */
int str_compare_ptrs(const void *a, const void *b);

bool str_startswith(const char *s, const char *prefix);
bool str_endswith(const char *s, const char *suffix);

/* Copies at most 'size - 1' bytes of 'src' into 'dst' and null-terminates
 * it (if 'size' > 0). */
void ovs_strlcpy(char *dst, const char *src, size_t size);

/* Returns the directory and base names of 'path' as malloc'd strings,
 * following POSIX dirname()/basename() semantics without modifying
 * 'path'. */
char *dir_name(const char *path);
char *base_name(const char *path);

/* Returns 'name' if it is absolute, otherwise 'dir'/'name', or, when 'dir'
 * is null or empty, 'name' relative to the current working directory; the
 * result is malloc'd.  Only if the working directory is unknown (getcwd()
 * fails) does it return a copy of the relative 'name'. */
char *abs_file_name(const char *dir, const char *name);

/* Writes all 'n' bytes at 'data' to 'fd' at offset 'ofs', or at its
 * current position if 'ofs' is negative (a pipe cannot seek), going on
 * after short writes and EINTR.  Returns 0 or an errno value (ENOSPC if a
 * write writes nothing). */
int write_fully_at(int fd, const void *data, size_t n, off_t ofs);

/* fdatasync() on 'fd', again after EINTR.  Returns 0 or an errno
 * value. */
int fdatasync_retrying(int fd);

/* Syncs the directory that contains 'file_name', so that a file just
 * created or renamed there keeps its name after a crash.  Returns 0 or an
 * errno value. */
int fsync_dir_of(const char *file_name);

/* Returns true if 'error' is one of the values that mean "try again". */
static inline bool
util_is_transient_error(int error)
{
    return error == EAGAIN || error == EINTR;
}

/* Bit tricks used by hash tables and bitmaps. */
static inline int
util_ctz64(uint64_t x)
{
    return __builtin_ctzll(x);
}

static inline int
util_popcount64(uint64_t x)
{
    return __builtin_popcountll(x);
}

static inline uint64_t
util_round_up_pow2(uint64_t x)
{
    return x <= 1 ? 1 : UINT64_C(1) << (64 - __builtin_clzll(x - 1));
}

#endif /* lib/util.h */

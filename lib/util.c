#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *program_name = "turnout";

void
util_assert_failure(const char *file, int line, const char *func,
                    const char *cond)
{
    fprintf(stderr, "%s: %s:%d: assertion %s failed in %s()\n", program_name,
            file, line, cond, func);
    abort();
}

static noreturn void
out_of_memory(void)
{
    fprintf(stderr, "%s: virtual memory exhausted\n", program_name);
    abort();
}

void *
xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

void *
xcalloc(size_t count, size_t size)
{
    void *p = count && size ? calloc(count, size) : malloc(1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

void *
xzalloc(size_t size)
{
    return xcalloc(1, size);
}

void *
xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

void *
xmemdup(const void *p, size_t size)
{
    void *copy = xmalloc(size);
    if (size) {
        memcpy(copy, p, size);
    }
    return copy;
}

char *
xmemdup0(const char *p, size_t len)
{
    char *copy = xmalloc(len + 1);
    if (len) {
        memcpy(copy, p, len);
    }
    copy[len] = '\0';
    return copy;
}

char *
xstrdup(const char *s)
{
    return xmemdup0(s, strlen(s));
}

char *
nullable_xstrdup(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

char *
xvasprintf(const char *format, va_list args)
{
    va_list args2;
    va_copy(args2, args);
    int needed = vsnprintf(NULL, 0, format, args);
    char *s = xmalloc(needed + 1);
    vsnprintf(s, needed + 1, format, args2);
    va_end(args2);
    return s;
}

char *
xasprintf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *s = xvasprintf(format, args);
    va_end(args);
    return s;
}

void *
x2nrealloc(void *array, size_t *n_allocated, size_t elem_size)
{
    size_t n = *n_allocated;
    if (n == 0) {
        n = MAX(64 / elem_size, 1);
    } else if (n <= SIZE_MAX / 2 / elem_size) {
        n *= 2;
    } else {
        out_of_memory();
    }
    *n_allocated = n;
    return xrealloc(array, n * elem_size);
}

void
set_program_name(const char *argv0)
{
    const char *slash = strrchr(argv0, '/');
    const char *name = slash ? slash + 1 : argv0;
    /* libtool-style "lt-" prefixes never apply here, but a leading "lt-"
     * would confuse pidfile lookup, so it is not stripped either. */
    program_name = name;
}

const char *
get_program_version(void)
{
    return TURNOUT_VERSION;
}

/* OVS prints "<program> (Open vSwitch) <version>"; scripts parse that
 * line, so Turnout keeps its shape and names itself after it. */
void
print_program_version(void)
{
    printf("%s (Open vSwitch) %s\n", program_name, OVS_COMPAT_VERSION);
    printf("Turnout %s\n", TURNOUT_VERSION);
}

void
ovs_error_valist(int err_no, const char *format, va_list args)
{
    int save_errno = errno;
    fprintf(stderr, "%s: ", program_name);
    vfprintf(stderr, format, args);
    if (err_no != 0) {
        fprintf(stderr, " (%s)", ovs_retval_to_string(err_no));
    }
    putc('\n', stderr);
    errno = save_errno;
}

void
ovs_error(int err_no, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    ovs_error_valist(err_no, format, args);
    va_end(args);
}

void
ovs_fatal_valist(int err_no, const char *format, va_list args)
{
    ovs_error_valist(err_no, format, args);
    exit(EXIT_FAILURE);
}

void
ovs_fatal(int err_no, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    ovs_fatal_valist(err_no, format, args);
}

void
ovs_abort(int err_no, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    ovs_error_valist(err_no, format, args);
    va_end(args);
    abort();
}

const char *
ovs_strerror(int error)
{
    if (error == EOF) {
        return "End of file";
    }
    return strerror(error);
}

const char *
ovs_retval_to_string(int retval)
{
    return (!retval         ? ""
            : retval == EOF ? "End of file"
                            : ovs_strerror(retval));
}

static bool
str_to_llong_with_tail(const char *s, int base, long long *x)
{
    char *tail;
    int save_errno = errno;
    errno = 0;
    *x = strtoll(s, &tail, base);
    bool ok = errno != ERANGE && tail != s && *tail == '\0';
    errno = save_errno;
    if (!ok) {
        *x = 0;
    }
    return ok;
}

bool
str_to_llong(const char *s, int base, long long *ll)
{
    return str_to_llong_with_tail(s, base, ll);
}

bool
str_to_int(const char *s, int base, int *i)
{
    long long ll;
    bool ok = str_to_llong(s, base, &ll) && ll >= INT_MIN && ll <= INT_MAX;
    *i = ok ? ll : 0;
    return ok;
}

bool
str_to_ullong(const char *s, int base, unsigned long long *ull)
{
    char *tail;
    int save_errno = errno;
    errno = 0;
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    bool ok = *s != '-';
    if (ok) {
        *ull = strtoull(s, &tail, base);
        ok = errno != ERANGE && tail != s && *tail == '\0';
    }
    errno = save_errno;
    if (!ok) {
        *ull = 0;
    }
    return ok;
}

bool
str_to_uint(const char *s, int base, unsigned int *u)
{
    unsigned long long ull;
    bool ok = str_to_ullong(s, base, &ull) && ull <= UINT_MAX;
    *u = ok ? ull : 0;
    return ok;
}

bool
str_to_double(const char *s, double *d)
{
    char *tail;
    int save_errno = errno;
    errno = 0;
    *d = strtod(s, &tail);
    bool ok = errno != ERANGE && tail != s && *tail == '\0' && isfinite(*d);
    errno = save_errno;
    if (!ok) {
        *d = 0;
    }
    return ok;
}

int
str_compare_ptrs(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;
    return strcmp(*a, *b);
}

bool
str_startswith(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

bool
str_endswith(const char *s, const char *suffix)
{
    size_t s_len = strlen(s);
    size_t suffix_len = strlen(suffix);
    return suffix_len <= s_len && !strcmp(s + s_len - suffix_len, suffix);
}

void
ovs_strlcpy(char *dst, const char *src, size_t size)
{
    if (size > 0) {
        size_t len = strnlen(src, size - 1);
        memcpy(dst, src, len);
        dst[len] = '\0';
    }
}

/* Length of 'path' without trailing slashes, keeping at least one. */
static size_t
strip_trailing_slashes(const char *path, size_t len)
{
    while (len > 1 && path[len - 1] == '/') {
        len--;
    }
    return len;
}

char *
dir_name(const char *path)
{
    size_t len = strip_trailing_slashes(path, strlen(path));
    while (len > 0 && path[len - 1] != '/') {
        len--;
    }
    len = strip_trailing_slashes(path, len);
    return (len == 0 ? xstrdup(".") : xmemdup0(path, len));
}

int
write_fully_at(int fd, const void *data_, size_t n, off_t ofs)
{
    const char *data = data_;
    while (n > 0) {
        ssize_t retval =
            (ofs < 0 ? write(fd, data, n) : pwrite(fd, data, n, ofs));
        if (retval < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        } else if (retval == 0) {
            return ENOSPC;
        }
        data += retval;
        n -= retval;
        if (ofs >= 0) {
            ofs += retval;
        }
    }
    return 0;
}

int
fdatasync_retrying(int fd)
{
    while (fdatasync(fd)) {
        if (errno != EINTR) {
            return errno;
        }
    }
    return 0;
}

int
fsync_dir_of(const char *file_name)
{
    char *dir = dir_name(file_name);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int error = fd < 0 || fsync(fd) ? errno : 0;
    if (fd >= 0) {
        close(fd);
    }
    free(dir);
    return error;
}

char *
base_name(const char *path)
{
    size_t end = strip_trailing_slashes(path, strlen(path));
    if (end == 0) {
        return xstrdup(".");
    }
    if (end == 1 && path[0] == '/') {
        return xstrdup("/");
    }
    size_t start = end;
    while (start > 0 && path[start - 1] != '/') {
        start--;
    }
    return xmemdup0(path + start, end - start);
}

char *
abs_file_name(const char *dir, const char *name)
{
    if (name[0] == '/') {
        return xstrdup(name);
    }
    if (dir && dir[0]) {
        const char *sep = str_endswith(dir, "/") ? "" : "/";
        return xasprintf("%s%s%s", dir, sep, name);
    }

    char *cwd = getcwd(NULL, 0);
    if (!cwd) {
        return xstrdup(name);
    }
    char *file_name = abs_file_name(cwd, name);
    free(cwd);
    return file_name;
}

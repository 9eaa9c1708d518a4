#include "lib/ds.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void
ds_init(struct ds *ds)
{
    ds->string = NULL;
    ds->length = 0;
    ds->allocated = 0;
}

void
ds_clear(struct ds *ds)
{
    ds->length = 0;
}

void
ds_truncate(struct ds *ds, size_t new_length)
{
    if (ds->length > new_length) {
        ds->length = new_length;
        ds->string[new_length] = '\0';
    }
}

void
ds_reserve(struct ds *ds, size_t min_length)
{
    if (min_length > ds->allocated || !ds->string) {
        ds->allocated += MAX(min_length, ds->allocated);
        ds->allocated = MAX(8, ds->allocated);
        ds->string = xrealloc(ds->string, ds->allocated + 1);
    }
}

char *
ds_put_uninit(struct ds *ds, size_t n)
{
    ds_reserve(ds, ds->length + n);
    ds->length += n;
    ds->string[ds->length] = '\0';
    return &ds->string[ds->length - n];
}

void
ds_put_char__(struct ds *ds, char c)
{
    *ds_put_uninit(ds, 1) = c;
}

void
ds_put_char_multiple(struct ds *ds, char c, size_t n)
{
    memset(ds_put_uninit(ds, n), c, n);
}

void
ds_put_buffer(struct ds *ds, const char *s, size_t n)
{
    if (n) {
        memcpy(ds_put_uninit(ds, n), s, n);
    } else {
        ds_reserve(ds, ds->length);
        ds->string[ds->length] = '\0';
    }
}

void
ds_put_cstr(struct ds *ds, const char *s)
{
    ds_put_buffer(ds, s, strlen(s));
}

void
ds_put_and_free_cstr(struct ds *ds, char *s)
{
    ds_put_cstr(ds, s);
    free(s);
}

void
ds_put_format(struct ds *ds, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    ds_put_format_valist(ds, format, args);
    va_end(args);
}

void
ds_put_format_valist(struct ds *ds, const char *format, va_list args_)
{
    va_list args;
    size_t available = ds->string ? ds->allocated - ds->length + 1 : 0;

    va_copy(args, args_);
    int needed = vsnprintf(ds->string ? &ds->string[ds->length] : NULL,
                           available, format, args);
    va_end(args);

    if (needed < 0) {
        return;
    }
    if ((size_t) needed < available) {
        ds->length += needed;
    } else {
        ds_reserve(ds, ds->length + needed);
        va_copy(args, args_);
        vsnprintf(&ds->string[ds->length], needed + 1, format, args);
        va_end(args);
        ds->length += needed;
    }
}

void
ds_put_strftime(struct ds *ds, const char *format, long long when, bool utc)
{
    time_t t = when;
    struct tm tm;

    if (!format[0]) {
        /* strftime() returns 0 for empty output, which the loop below
         * would take for "buffer too small". */
        return;
    }
    if (utc) {
        gmtime_r(&t, &tm);
    } else {
        localtime_r(&t, &tm);
    }

    for (size_t size = 64; size <= 16384; size *= 2) {
        ds_reserve(ds, ds->length + size);
        size_t used = strftime(&ds->string[ds->length], size, format, &tm);
        if (used) {
            ds->length += used;
            return;
        }
    }
}

void
ds_put_hex(struct ds *ds, const void *buf_, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *buf = buf_;
    char *p = ds_put_uninit(ds, n * 2);
    for (size_t i = 0; i < n; i++) {
        *p++ = hex[buf[i] >> 4];
        *p++ = hex[buf[i] & 15];
    }
}

void
ds_put_hex_dump(struct ds *ds, const void *buf_, size_t size, size_t ofs,
                bool ascii)
{
    enum { PER_LINE = 16 };
    const unsigned char *buf = buf_;

    while (size > 0) {
        /* This line shows slots [start, end) of the 16 at 'line_ofs'. */
        size_t line_ofs = ofs - ofs % PER_LINE;
        size_t start = ofs % PER_LINE;
        size_t end = MIN(PER_LINE, start + size);

        ds_put_format(ds, "%08zx  ", line_ofs);
        for (size_t i = 0; i < PER_LINE; i++) {
            if (i >= start && i < end) {
                ds_put_format(ds, "%02x ", buf[i - start]);
            } else {
                ds_put_cstr(ds, "   ");
            }
            if (i == PER_LINE / 2 - 1) {
                ds_put_char(ds, ' ');
            }
        }

        if (ascii) {
            ds_put_cstr(ds, " |");
            ds_put_char_multiple(ds, ' ', start);
            for (size_t i = start; i < end; i++) {
                int c = buf[i - start];
                ds_put_char(ds, c >= 0x20 && c < 0x7f ? c : '.');
            }
            ds_put_char(ds, '|');
        } else {
            while (ds_chomp(ds, ' ')) {
                continue;
            }
        }
        ds_put_char(ds, '\n');

        size_t n = end - start;
        ofs += n;
        buf += n;
        size -= n;
    }
}

int
ds_get_line(struct ds *ds, FILE *file)
{
    ds_clear(ds);
    for (;;) {
        int c = getc(file);
        if (c == EOF) {
            return ferror(file) ? errno : (ds->length ? 0 : EOF);
        }
        if (c == '\n') {
            ds_put_buffer(ds, "", 0);
            return 0;
        }
        ds_put_char(ds, c);
    }
}

const char *
ds_cstr_ro(const struct ds *ds)
{
    return ds_cstr((struct ds *) ds);
}

char *
ds_cstr(struct ds *ds)
{
    if (!ds->string) {
        ds_reserve(ds, 0);
    }
    ds->string[ds->length] = '\0';
    return ds->string;
}

char *
ds_steal_cstr(struct ds *ds)
{
    char *s = ds_cstr(ds);
    ds_init(ds);
    return s;
}

void
ds_destroy(struct ds *ds)
{
    if (ds) {
        free(ds->string);
    }
}

void
ds_swap(struct ds *a, struct ds *b)
{
    struct ds tmp = *a;
    *a = *b;
    *b = tmp;
}

void
ds_clone(struct ds *dst, const struct ds *src)
{
    dst->length = src->length;
    dst->allocated = src->length;
    dst->string = src->string ? xmemdup0(src->string, src->length) : NULL;
}

int
ds_last(const struct ds *ds)
{
    return ds->length > 0 ? (unsigned char) ds->string[ds->length - 1] : EOF;
}

bool
ds_chomp(struct ds *ds, int c)
{
    if (ds->length > 0 && ds->string[ds->length - 1] == (char) c) {
        ds->string[--ds->length] = '\0';
        return true;
    }
    return false;
}

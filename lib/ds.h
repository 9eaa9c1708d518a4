/* Dynamic string: a growable, always null-terminated byte string. */
#ifndef LIB_DS_H
#define LIB_DS_H 1

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/util.h"

struct ds {
    char *string;     /* NULL until the first byte is added. */
    size_t length;    /* Bytes in use, not counting the terminator. */
    size_t allocated; /* Bytes allocated, not counting the terminator. */
};

#define DS_EMPTY_INITIALIZER                                                  \
    {                                                                         \
        NULL, 0, 0                                                            \
    }

void ds_init(struct ds *);
void ds_clear(struct ds *);
void ds_truncate(struct ds *, size_t new_length);
void ds_reserve(struct ds *, size_t min_length);
/* Makes room for 'n' more bytes and returns where they go; the caller
 * writes them (length grows by 'n' immediately). */
char *ds_put_uninit(struct ds *, size_t n);
void ds_put_char__(struct ds *, char c);

/* Appends 'c'.  Inline because serialisers call it for nearly every
 * byte: the common case, room left, is a store. */
static inline void
ds_put_char(struct ds *ds, char c)
{
    if (ds->length < ds->allocated) {
        ds->string[ds->length++] = c;
        ds->string[ds->length] = '\0';
    } else {
        ds_put_char__(ds, c);
    }
}
void ds_put_char_multiple(struct ds *, char c, size_t n);
void ds_put_buffer(struct ds *, const char *, size_t n);
void ds_put_cstr(struct ds *, const char *);
void ds_put_and_free_cstr(struct ds *, char *);
void ds_put_format(struct ds *, const char *, ...) PRINTF_FORMAT(2, 3);
void ds_put_format_valist(struct ds *, const char *, va_list)
    PRINTF_FORMAT(2, 0);
/* Appends the time 'when' (seconds since the epoch) formatted with
 * strftime() 'format'; 'utc' selects UTC instead of local time. */
void ds_put_strftime(struct ds *, const char *format, long long when,
                     bool utc);
/* Appends 'n' bytes at 'buf' as a hex dump in the layout of "hexdump -C",
 * 16 bytes per line:
 *
 *   00000000  61 62 63 64 65 66 67 68  69 6a 6b 6c 6d 6e 6f 70  |abcdefgh|
 *   00000010  71 72 73                                          |qrs|
 *
 * (the first line's ASCII column shortened here to fit).  'ofs' is the
 * offset shown for buf[0]; each line starts at a multiple of 16, so if
 * 'ofs' is not one, the first line leaves blank slots (hex and ASCII) for
 * the bytes before buf[0].  The offset is at least 8 lowercase hex digits,
 * then two spaces; each byte is two hex digits and a space, with one more
 * space after the 8th.  With 'ascii', a space and the bytes between '|'s
 * follow, printable ASCII as itself and other bytes as '.', the column
 * ending after the line's last byte; without it, the line ends after the
 * last byte's hex digits.  Every line ends with a new-line. */
void ds_put_hex_dump(struct ds *, const void *buf, size_t n, size_t ofs,
                     bool ascii);
/* Appends 'n' bytes as lowercase hex with no separators. */
void ds_put_hex(struct ds *, const void *buf, size_t n);

/* Reads one line from 'file' (without its newline) into 'ds', replacing
 * its contents.  Returns 0, EOF at end of file, or an errno value. */
int ds_get_line(struct ds *, FILE *);

const char *ds_cstr_ro(const struct ds *);
char *ds_cstr(struct ds *);
/* Returns the string and leaves 'ds' empty; the caller frees it. */
char *ds_steal_cstr(struct ds *);
void ds_destroy(struct ds *);
void ds_swap(struct ds *, struct ds *);
void ds_clone(struct ds *dst, const struct ds *src);

int ds_last(const struct ds *);
bool ds_chomp(struct ds *, int c);

#endif /* lib/ds.h */

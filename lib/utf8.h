/* UTF-8: encoding, and validation with OVS's error text. */
#ifndef LIB_UTF8_H
#define LIB_UTF8_H 1

#include "lib/util.h"

struct ds;

/* Appends the UTF-8 encoding of code point 'cp' (at most 0x10ffff) to
 * 'out'.  Surrogates are encoded like other code points. */
void utf8_put(struct ds *out, unsigned int cp);

/* Returns NULL if the NUL-terminated string 's' is well-formed UTF-8
 * (Unicode's table of well-formed byte sequences: no overlong forms, no
 * surrogates, nothing above U+10FFFF).  Otherwise returns a malloc'd
 * message as OVS words it, naming the bytes from the start of the first
 * bad sequence through the first byte that makes it bad (the terminating
 * NUL, as 0x00, if the string ends inside it): "invalid UTF-8 sequence
 * 0xe2 0x82 0x00". */
char *utf8_check(const char *s) OVS_WARN_UNUSED_RESULT;

#endif /* lib/utf8.h */

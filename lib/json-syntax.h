/* JSON text read by OVS's rules.
 *
 * jansson parses most JSON text the way OVS does, but not all of it, and
 * it words its errors differently.  This module parses JSON text exactly
 * as OVS 3.1 accepts it and reports a rejected text with OVS's message and
 * position, "line L, column C, byte B: MESSAGE" (lines and columns count
 * from 0, columns in bytes).  Where OVS and jansson disagree on what is
 * valid, OVS wins:
 *
 *   - only an object or an array may be the whole text;
 *   - nesting deeper than JSON_SYNTAX_MAX_DEPTH is an error;
 *   - integers beyond the 64-bit range are read as reals, not refused;
 *   - bytes that are not valid UTF-8 may appear in strings, and so may an
 *     escaped lone trailing surrogate ("\udc00", stored as 3 bytes); both
 *     are left for the database layer to judge.
 *
 * Values are jansson's json_t, built with jansson's constructors, so they
 * mix freely with values built elsewhere.  lib/json.c reads all JSON text
 * through this module. */
#ifndef LIB_JSON_SYNTAX_H
#define LIB_JSON_SYNTAX_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/util.h"

/* Objects and arrays may nest this deep, and no deeper. */
#define JSON_SYNTAX_MAX_DEPTH 1000

/* Flags for json_syntax_parse(). */
enum {
    /* Accept any value, not only an object or an array, as the whole text
     * (OVS's readers never do; test fixtures need it). */
    JSON_SYNTAX_ANY_VALUE = 1 << 0,
};

/* Parses the 'n' bytes at 'buf' as one JSON object or array (or, with
 * JSON_SYNTAX_ANY_VALUE in 'flags', any value), optionally surrounded by
 * whitespace.  On success stores the value in '*jsonp' and
 * returns NULL; otherwise stores NULL and returns a malloc'd message in
 * OVS's words, e.g. "line 0, column 3, byte 3: unexpected end of input". */
char *json_syntax_parse(const void *buf, size_t n, int flags,
                        json_t **jsonp) OVS_WARN_UNUSED_RESULT;

/* Checks whether the 'n' bytes at 'buf' can begin a text that
 * json_syntax_parse() accepts (a message arriving on a stream): returns
 * NULL if they can, or else the malloc'd error that OVS reports as soon as
 * it has read these bytes. */
char *json_syntax_check_prefix(const void *buf,
                               size_t n) OVS_WARN_UNUSED_RESULT;

/* Returns how many of the 'n' bytes at 's' can stand in a JSON string as
 * they are: up to the first quote, backslash or control character.
 * (Inline: the lexer and the writer call it for every string.) */
static inline size_t
json_syntax_plain_len(const void *s_, size_t n)
{
    /* Eight bytes at a time: a word has a byte that needs attention if
     * one of its bytes is zero after XOR with '"' or with '\\', or is
     * below 0x20.  (These tests may flag bytes after the first one that
     * matches, never miss one; the bytes are then looked at one by one.) */
    const unsigned char *s = s_;
    const uint64_t ones = UINT64_C(0x0101010101010101);
    const uint64_t highs = UINT64_C(0x8080808080808080);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, &s[i], 8);
        uint64_t quote = v ^ (ones * '"');
        uint64_t backslash = v ^ (ones * '\\');
        uint64_t flagged = ((quote - ones) & ~quote)
                           | ((backslash - ones) & ~backslash)
                           | ((v - ones * 0x20) & ~v);
        if (flagged & highs) {
            break;
        }
    }
    while (i < n && s[i] >= 0x20 && s[i] != '"' && s[i] != '\\') {
        i++;
    }
    return i;
}

#endif /* lib/json-syntax.h */

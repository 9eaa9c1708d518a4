/* A fast parser for the common shape of JSON; see json-parse.h. */
#include "lib/json-parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The nesting jansson accepts (JSON_PARSER_MAX_DEPTH); deeper input is
 * left to jansson, which rejects it. */
#define MAX_DEPTH 2048

struct parser {
    const char *p;   /* Next byte. */
    const char *end; /* One past the last byte. */
    int depth;
    char *tmp; /* Buffer for strings with escapes. */
    size_t tmp_size;
};

static json_t *parse_value(struct parser *);

static void
skip_space(struct parser *ps)
{
    while (ps->p < ps->end
           && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\t'
               || *ps->p == '\r')) {
        ps->p++;
    }
}

/* Parses the string that starts at the opening quote at 'ps->p'.  On
 * success stores its bytes in '*s' (into the input, or 'ps->tmp' if it
 * had escapes; valid until the next string) and its length in '*len'.
 * Gives up on anything but printable ASCII and the simple escapes:
 * UTF-8 and \u escapes need validation that jansson does. */
static bool
parse_string(struct parser *ps, const char **s, size_t *len)
{
    const char *start = ++ps->p;
    const char *q = start;
    while (q < ps->end) {
        unsigned char c = *q;
        if (c == '"') {
            *s = start;
            *len = q - start;
            ps->p = q + 1;
            return true;
        } else if (c == '\\') {
            break;
        } else if (c < 0x20 || c >= 0x80) {
            return false;
        }
        q++;
    }
    if (q >= ps->end) {
        return false;
    }

    /* Escapes: decode into 'ps->tmp', which the output never outgrows. */
    size_t max = ps->end - start;
    if (ps->tmp_size < max) {
        free(ps->tmp);
        ps->tmp_size = MAX(max, 64);
        ps->tmp = xmalloc(ps->tmp_size);
    }
    size_t n = q - start;
    memcpy(ps->tmp, start, n);
    while (q < ps->end) {
        unsigned char c = *q++;
        if (c == '"') {
            *s = ps->tmp;
            *len = n;
            ps->p = q;
            return true;
        } else if (c < 0x20 || c >= 0x80) {
            return false;
        } else if (c != '\\') {
            ps->tmp[n++] = c;
            continue;
        }
        if (q >= ps->end) {
            return false;
        }
        switch (*q++) {
        case '"':
            ps->tmp[n++] = '"';
            break;
        case '\\':
            ps->tmp[n++] = '\\';
            break;
        case '/':
            ps->tmp[n++] = '/';
            break;
        case 'b':
            ps->tmp[n++] = '\b';
            break;
        case 'f':
            ps->tmp[n++] = '\f';
            break;
        case 'n':
            ps->tmp[n++] = '\n';
            break;
        case 'r':
            ps->tmp[n++] = '\r';
            break;
        case 't':
            ps->tmp[n++] = '\t';
            break;
        default: /* \u, or invalid. */
            return false;
        }
    }
    return false;
}

/* Parses an integer.  Gives up on reals (jansson's conversion decides
 * their exact value), leading zeros and overflow. */
static json_t *
parse_integer(struct parser *ps)
{
    const char *q = ps->p;
    bool negative = false;
    if (*q == '-') {
        negative = true;
        q++;
    }
    if (q >= ps->end || *q < '0' || *q > '9') {
        return NULL;
    }
    if (*q == '0' && q + 1 < ps->end && q[1] >= '0' && q[1] <= '9') {
        return NULL;
    }

    uint64_t limit = negative ? (uint64_t) INT64_MAX + 1 : INT64_MAX;
    uint64_t u = 0;
    for (; q < ps->end && *q >= '0' && *q <= '9'; q++) {
        unsigned int digit = *q - '0';
        if (u > (limit - digit) / 10) {
            return NULL;
        }
        u = u * 10 + digit;
    }
    if (q < ps->end && (*q == '.' || *q == 'e' || *q == 'E')) {
        return NULL;
    }
    ps->p = q;
    return json_integer(negative ? (json_int_t) (0 - u) : (json_int_t) u);
}

static bool
parse_literal(struct parser *ps, const char *word, size_t n)
{
    if ((size_t) (ps->end - ps->p) >= n && !memcmp(ps->p, word, n)) {
        ps->p += n;
        return true;
    }
    return false;
}

static json_t *
parse_object(struct parser *ps)
{
    json_t *object = json_object();
    ps->p++;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return object;
    }
    for (;;) {
        const char *key;
        size_t key_len;
        if (ps->p >= ps->end || *ps->p != '"'
            || !parse_string(ps, &key, &key_len)) {
            break;
        }
        /* The key may live in 'ps->tmp', which parsing the value reuses:
         * keys are short, so keep a copy on the stack. */
        char key_buf[64];
        char *key_copy = NULL;
        if (key == ps->tmp) {
            if (key_len <= sizeof key_buf) {
                key = memcpy(key_buf, key, key_len);
            } else {
                key = key_copy = xmemdup(key, key_len);
            }
        }
        skip_space(ps);
        if (ps->p >= ps->end || *ps->p != ':') {
            free(key_copy);
            break;
        }
        ps->p++;
        json_t *value = parse_value(ps);
        if (!value) {
            free(key_copy);
            break;
        }
        json_object_setn_new_nocheck(object, key, key_len, value);
        free(key_copy);

        skip_space(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            skip_space(ps);
        } else if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            return object;
        } else {
            break;
        }
    }
    json_decref(object);
    return NULL;
}

static json_t *
parse_array(struct parser *ps)
{
    json_t *array = json_array();
    ps->p++;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return array;
    }
    for (;;) {
        json_t *value = parse_value(ps);
        if (!value) {
            break;
        }
        json_array_append_new(array, value);

        skip_space(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
        } else if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            return array;
        } else {
            break;
        }
    }
    json_decref(array);
    return NULL;
}

static json_t *
parse_value(struct parser *ps)
{
    skip_space(ps);
    if (ps->p >= ps->end) {
        return NULL;
    }

    json_t *value = NULL;
    const char *s;
    size_t len;
    switch (*ps->p) {
    case '{':
    case '[':
        if (ps->depth >= MAX_DEPTH) {
            return NULL;
        }
        ps->depth++;
        value = *ps->p == '{' ? parse_object(ps) : parse_array(ps);
        ps->depth--;
        return value;
    case '"':
        return parse_string(ps, &s, &len) ? json_stringn_nocheck(s, len)
                                          : NULL;
    case 't':
        return parse_literal(ps, "true", 4) ? json_true() : NULL;
    case 'f':
        return parse_literal(ps, "false", 5) ? json_false() : NULL;
    case 'n':
        return parse_literal(ps, "null", 4) ? json_null() : NULL;
    default:
        return parse_integer(ps);
    }
}

json_t *
json_parse_fast(const char *s, size_t n, bool any)
{
    struct parser ps = {.p = s, .end = s + n};
    skip_space(&ps);
    if (!any && (ps.p >= ps.end || (*ps.p != '{' && *ps.p != '['))) {
        return NULL;
    }
    json_t *json = parse_value(&ps);
    free(ps.tmp);
    if (json) {
        skip_space(&ps);
        if (ps.p != ps.end) {
            json_decref(json);
            json = NULL;
        }
    }
    return json;
}

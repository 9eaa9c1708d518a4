/* JSON text read by OVS's rules; see json-syntax.h.
 *
 * A lexer turns the text into tokens and a recursive-descent parser builds
 * the value.  Each token has the offset at which OVS reports an error
 * about it: a punctuation mark or a string at its last byte, a number or
 * a keyword at the byte after it (OVS only knows such a token has ended
 * when it sees the next byte).  Errors inside a string (bad escapes) are
 * reported at its closing quote; an unescaped control character at
 * itself. */
#include "lib/json-syntax.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/utf8.h"

enum token_type {
    TOKEN_EOF,
    TOKEN_PUNCT,  /* One of {}[]:, in 'punct'. */
    TOKEN_SCALAR, /* A string, number or keyword in 'value'. */
};

struct token {
    enum token_type type;
    char punct;
    json_t *value; /* Owned by the token. */
    size_t ofs;    /* Where OVS reports an error about this token. */
    /* A string without escapes is not made into a value until it is
     * needed, so that object member names, the most common strings, are
     * never allocated twice: 'value' is NULL and the string's bytes are
     * the 'raw_len' at 'raw' in the text. */
    const char *raw;
    size_t raw_len;
};

/* Short strings recur throughout a message ("uuid", "==", "op", table
 * and column names: tens of thousands of times in a transaction of
 * ovs-vsctl on a large bridge).  The parser makes each such string once
 * per message, as far as a small cache remembers it, and shares it:
 * jansson's values are reference counted, and nothing changes a string
 * once made. */
#define N_SHARED_STRINGS 64
#define MAX_SHARED_LEN 16

struct parser {
    json_t *shared[N_SHARED_STRINGS]; /* Owns a reference to each. */
    const unsigned char *text;
    size_t n;
    size_t pos;         /* Next byte to lex. */
    bool any_value;     /* JSON_SYNTAX_ANY_VALUE. */
    bool partial;       /* The text may continue after 'n' bytes. */
    bool incomplete;    /* 'partial' and the text ran out. */
    bool number_at_end; /* The last token was a number or keyword that
                         * the end of the text terminated. */
    char *error;        /* First error, or NULL. */
};

static void PRINTF_FORMAT(3, 4)
    parser_error(struct parser *p, size_t ofs, const char *format, ...)
{
    if (p->error) {
        return;
    }

    size_t line = 0, line_start = 0;
    for (size_t i = 0; i < ofs && i < p->n; i++) {
        if (p->text[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    }

    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_format(&ds, "line %zu, column %zu, byte %zu: ", line,
                  ofs - line_start, ofs);
    va_list args;
    va_start(args, format);
    ds_put_format_valist(&ds, format, args);
    va_end(args);
    p->error = ds_steal_cstr(&ds);
}

/* Reports that the text ended where more was needed, as "message" unless
 * the text may still continue. */
static void
parser_eof(struct parser *p, size_t ofs, const char *message)
{
    if (p->partial) {
        p->incomplete = true;
    } else {
        parser_error(p, ofs, "%s", message);
    }
}

static void
token_destroy(struct token *token)
{
    json_decref(token->value);
    token->value = NULL;
}

/* Strings. */

static int
hex_value(unsigned char c)
{
    return (c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1);
}

/* Reads the four hex digits after the "\u" at 's[i]' of a string body
 * that ends at 's[end]'.  Returns the code unit or -1 after reporting
 * an error at the closing quote 'end'. */
static long
read_u_escape(struct parser *p, const unsigned char *s, size_t i, size_t end)
{
    if (end - i < 6) {
        parser_error(p, end, "quoted string ends within \\u escape");
        return -1;
    }
    long cu = 0;
    for (size_t j = i + 2; j < i + 6; j++) {
        int digit = hex_value(s[j]);
        if (digit < 0) {
            parser_error(p, end, "malformed \\u escape");
            return -1;
        }
        cu = cu * 16 + digit;
    }
    return cu;
}

/* Decodes the "\u" escape at 's[*ip]' (with its trailing surrogate, if it
 * starts a pair) into 'out' and advances '*ip' past it. */
static bool
decode_u_escape(struct parser *p, const unsigned char *s, size_t *ip,
                size_t end, struct ds *out)
{
    size_t i = *ip;
    long cp = read_u_escape(p, s, i, end);
    if (cp < 0) {
        return false;
    } else if (!cp) {
        parser_error(p, end, "null bytes not supported in quoted strings");
        return false;
    }
    i += 6;

    if (cp >= 0xd800 && cp <= 0xdbff) {
        if (end - i < 2 || s[i] != '\\' || s[i + 1] != 'u') {
            parser_error(p, end, "malformed escaped surrogate pair");
            return false;
        }
        long low = read_u_escape(p, s, i, end);
        if (low < 0) {
            return false;
        } else if (low < 0xdc00 || low > 0xdfff) {
            parser_error(p, end,
                         "second half of escaped surrogate pair is not "
                         "trailing surrogate");
            return false;
        }
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i += 6;
    }
    utf8_put(out, cp);
    *ip = i;
    return true;
}

/* Returns the byte that the escape "\\c" stands for, or -1 if 'c' is not
 * a one-character escape. */
static int
simple_escape(unsigned char c)
{
    switch (c) {
    case '"':
    case '\\':
    case '/':
        return c;
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return -1;
    }
}

/* Decodes the body of a string, 's[start]' up to the closing quote at
 * 's[end]', into a new JSON string.  Bytes other than escapes are copied
 * as they are, valid UTF-8 or not, as OVS does. */
static json_t *
decode_string(struct parser *p, size_t start, size_t end)
{
    const unsigned char *s = p->text;
    struct ds out = DS_EMPTY_INITIALIZER;
    size_t i = start;

    while (i < end) {
        size_t run = i;
        while (run < end && s[run] != '\\') {
            run++;
        }
        ds_put_buffer(&out, (const char *) &s[i], run - i);
        i = run;
        if (i >= end) {
            break;
        }

        /* A backslash is always followed by a byte before 'end'. */
        int c = simple_escape(s[i + 1]);
        if (s[i + 1] == 'u') {
            if (!decode_u_escape(p, s, &i, end, &out)) {
                ds_destroy(&out);
                return NULL;
            }
        } else if (c >= 0) {
            ds_put_char(&out, c);
            i += 2;
        } else {
            parser_error(p, end, "bad escape \\%c", s[i + 1]);
            ds_destroy(&out);
            return NULL;
        }
    }

    json_t *json =
        json_stringn_nocheck(out.string ? out.string : "", out.length);
    ds_destroy(&out);
    return json;
}

static bool
lex_string(struct parser *p, struct token *token)
{
    const unsigned char *s = p->text;
    size_t start = p->pos + 1;
    size_t i = start;
    bool escaped = false;

    for (;;) {
        /* The bytes that end a run of plain ones: a quote, a backslash, a
         * control character.  (An escape may end past the text.) */
        if (i < p->n) {
            i += json_syntax_plain_len(&s[i], p->n - i);
        }
        if (i >= p->n) {
            parser_eof(p, p->n, "unexpected end of input in quoted string");
            return false;
        } else if (s[i] == '"') {
            break;
        } else if (s[i] == '\\') {
            escaped = true;
            i += 2;
        } else {
            parser_error(p, i, "U+%04X must be escaped in quoted string",
                         s[i]);
            return false;
        }
    }

    token->type = TOKEN_SCALAR;
    token->ofs = i;
    p->pos = i + 1;
    if (!escaped) {
        token->raw = (const char *) &s[start];
        token->raw_len = i - start;
        return true;
    }
    token->value = decode_string(p, start, i);
    return token->value != NULL;
}

/* Numbers and keywords. */

static bool
is_number_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E'
           || c == '+' || c == '-';
}

static bool
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool
is_letter(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Checks the number 's[0..n)' against JSON's grammar and OVS's range for
 * the written exponent.  Returns NULL or a static error message. */
static const char *
check_number(const unsigned char *s, size_t n, bool *is_integer)
{
    size_t i = 0;

    if (s[i] == '-') {
        i++;
        if (i >= n || !is_digit(s[i])) {
            return "'-' must be followed by digit";
        }
    }
    if (s[i] == '0' && i + 1 < n && is_digit(s[i + 1])) {
        return "leading zeros not allowed";
    }
    while (i < n && is_digit(s[i])) {
        i++;
    }

    *is_integer = true;
    if (i < n && s[i] == '.') {
        *is_integer = false;
        i++;
        if (i >= n || !is_digit(s[i])) {
            return "decimal point must be followed by digit";
        }
        while (i < n && is_digit(s[i])) {
            i++;
        }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        *is_integer = false;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        if (i >= n || !is_digit(s[i])) {
            return "exponent must contain at least one digit";
        }
        /* OVS keeps the written exponent in an int and refuses one that
         * would come near its limit. */
        int exponent = 0;
        while (i < n && is_digit(s[i])) {
            if (exponent >= INT32_MAX / 10) {
                return "exponent outside valid range";
            }
            exponent = exponent * 10 + (s[i] - '0');
            i++;
        }
    }
    return i < n ? "syntax error in number" : NULL;
}

/* Converts the checked number 's[0..n)' to a value: an integer if it is
 * written as one and fits in 64 bits, as jansson would read it, otherwise
 * a real. */
static json_t *
number_value(const unsigned char *s, size_t n, bool is_integer)
{
    char buf[64];
    char *copy = n < sizeof buf ? buf : xmalloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';

    json_t *json = NULL;
    if (is_integer) {
        errno = 0;
        long long value = strtoll(copy, NULL, 10);
        if (errno != ERANGE) {
            json = json_integer(value);
        }
    }
    if (!json) {
        double d = strtod(copy, NULL);
        json = isinf(d) ? NULL : json_real(d);
    }

    if (copy != buf) {
        free(copy);
    }
    return json;
}

/* Ends the number or keyword that runs from 'p->pos' up to 'end', which is
 * where OVS reports it.  Returns false if the text may continue it. */
static bool
end_bare_token(struct parser *p, struct token *token, size_t end)
{
    if (end >= p->n) {
        if (p->partial) {
            p->incomplete = true;
            return false;
        }
        p->number_at_end = true;
    }
    token->type = TOKEN_SCALAR;
    token->ofs = end;
    return true;
}

static bool
lex_number(struct parser *p, struct token *token)
{
    const unsigned char *s = &p->text[p->pos];
    size_t end = p->pos;
    while (end < p->n && is_number_byte(p->text[end])) {
        end++;
    }
    if (!end_bare_token(p, token, end)) {
        return false;
    }

    bool is_integer = false;
    const char *error = check_number(s, end - p->pos, &is_integer);
    if (error) {
        parser_error(p, end, "%s", error);
        return false;
    }
    token->value = number_value(s, end - p->pos, is_integer);
    if (!token->value) {
        parser_error(p, end, "number outside valid range");
        return false;
    }
    p->pos = end;
    return true;
}

static bool
lex_keyword(struct parser *p, struct token *token)
{
    const char *s = (const char *) &p->text[p->pos];
    size_t end = p->pos;
    while (end < p->n && is_letter(p->text[end])) {
        end++;
    }
    if (!end_bare_token(p, token, end)) {
        return false;
    }

    size_t len = end - p->pos;
    if (len == 4 && !memcmp(s, "true", 4)) {
        token->value = json_true();
    } else if (len == 5 && !memcmp(s, "false", 5)) {
        token->value = json_false();
    } else if (len == 4 && !memcmp(s, "null", 4)) {
        token->value = json_null();
    } else {
        parser_error(p, end, "invalid keyword '%.*s'", (int) len, s);
        return false;
    }
    p->pos = end;
    return true;
}

/* Reads the next token into 'token'.  Returns false on an error or, if
 * 'p->partial', at the end of the text. */
static bool
next_token(struct parser *p, struct token *token)
{
    *token = (struct token){.type = TOKEN_EOF};

    while (p->pos < p->n
           && (p->text[p->pos] == ' ' || p->text[p->pos] == '\t'
               || p->text[p->pos] == '\n' || p->text[p->pos] == '\r')) {
        p->pos++;
    }
    if (p->pos >= p->n) {
        if (p->partial) {
            p->incomplete = true;
            return false;
        }
        /* OVS counts the end of the text as one more byte when it had to
         * end a number or keyword. */
        token->ofs = p->n + p->number_at_end;
        return true;
    }

    unsigned char c = p->text[p->pos];
    if (c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ',') {
        token->type = TOKEN_PUNCT;
        token->punct = c;
        token->ofs = p->pos++;
        return true;
    } else if (c == '"') {
        return lex_string(p, token);
    } else if (c == '-' || is_digit(c)) {
        return lex_number(p, token);
    } else if (c >= 'a' && c <= 'z') {
        return lex_keyword(p, token);
    } else if (c > ' ' && c < 0x7f) {
        parser_error(p, p->pos, "invalid character '%c'", c);
        return false;
    } else {
        parser_error(p, p->pos, "invalid character U+%04x", c);
        return false;
    }
}

/* Parser. */

static bool
token_is(const struct token *token, char punct)
{
    return token->type == TOKEN_PUNCT && token->punct == punct;
}

/* Reports 'token' as unexpected: the end of the text, or else 'what'. */
static void
unexpected(struct parser *p, const struct token *token, const char *what)
{
    if (token->type == TOKEN_EOF) {
        parser_eof(p, token->ofs, "unexpected end of input");
    } else {
        parser_error(p, token->ofs, "%s", what);
    }
}

/* Returns a new reference to a string value holding the 'n' bytes at
 * 's', which hold no escapes. */
static json_t *
make_string(struct parser *p, const char *s, size_t n)
{
    if (n > MAX_SHARED_LEN) {
        return json_stringn_nocheck(s, n);
    }

    uint32_t hash = n;
    for (size_t i = 0; i < n; i++) {
        hash = hash * 31 + (unsigned char) s[i];
    }
    json_t **slot = &p->shared[hash % N_SHARED_STRINGS];
    if (*slot && json_string_length(*slot) == n
        && !memcmp(json_string_value(*slot), s, n)) {
        return json_incref(*slot);
    }
    json_decref(*slot);
    *slot = json_stringn_nocheck(s, n);
    return json_incref(*slot);
}

static void
parser_destroy(struct parser *p)
{
    for (size_t i = 0; i < N_SHARED_STRINGS; i++) {
        json_decref(p->shared[i]);
    }
}

static json_t *parse_array(struct parser *, int depth);
static json_t *parse_object(struct parser *, int depth);

/* Parses the value that begins with 'token' (taken), in a container
 * nested 'depth' deep. */
static json_t *
parse_value(struct parser *p, struct token *token, int depth)
{
    if (token->type == TOKEN_SCALAR) {
        json_t *value = token->value;
        token->value = NULL;
        return value ? value : make_string(p, token->raw, token->raw_len);
    } else if (token_is(token, '[') || token_is(token, '{')) {
        if (depth >= JSON_SYNTAX_MAX_DEPTH) {
            parser_error(p, token->ofs,
                         "input exceeds maximum nesting depth %d",
                         JSON_SYNTAX_MAX_DEPTH);
            return NULL;
        }
        return (token->punct == '[' ? parse_array(p, depth + 1)
                                    : parse_object(p, depth + 1));
    } else {
        unexpected(p, token, "syntax error expecting value");
        return NULL;
    }
}

static json_t *
parse_array(struct parser *p, int depth)
{
    json_t *array = json_array();
    struct token token;

    if (!next_token(p, &token)) {
        goto error;
    } else if (token_is(&token, ']')) {
        return array;
    }
    for (;;) {
        json_t *value = parse_value(p, &token, depth);
        if (!value) {
            goto error;
        }
        json_array_append_new(array, value);

        if (!next_token(p, &token)) {
            goto error;
        } else if (token_is(&token, ']')) {
            return array;
        } else if (!token_is(&token, ',')) {
            unexpected(p, &token, "syntax error expecting ']' or ','");
            goto error;
        } else if (!next_token(p, &token)) {
            goto error;
        }
    }

error:
    token_destroy(&token);
    json_decref(array);
    return NULL;
}

static json_t *
parse_object(struct parser *p, int depth)
{
    json_t *object = json_object();
    struct token token, key = {.value = NULL};

    if (!next_token(p, &token)) {
        goto error;
    } else if (token_is(&token, '}')) {
        return object;
    }
    for (;;) {
        if (token.type != TOKEN_SCALAR
            || (token.value && !json_is_string(token.value))) {
            unexpected(p, &token,
                       "syntax error parsing object expecting string");
            goto error;
        }
        key = token;
        token.value = NULL;

        if (!next_token(p, &token)) {
            goto error;
        } else if (!token_is(&token, ':')) {
            unexpected(p, &token, "syntax error parsing object expecting ':'");
            goto error;
        } else if (!next_token(p, &token)) {
            goto error;
        }
        json_t *value = parse_value(p, &token, depth);
        if (!value) {
            goto error;
        }
        if (key.value) {
            json_object_set_new_nocheck(object, json_string_value(key.value),
                                        value);
        } else {
            /* Raw bytes hold no NUL (it would need an escape), so this
             * is the same as the line above. */
            json_object_setn_new_nocheck(object, key.raw, key.raw_len, value);
        }
        token_destroy(&key);

        if (!next_token(p, &token)) {
            goto error;
        } else if (token_is(&token, '}')) {
            return object;
        } else if (!token_is(&token, ',')) {
            unexpected(p, &token, "syntax error expecting '}' or ','");
            goto error;
        } else if (!next_token(p, &token)) {
            goto error;
        }
    }

error:
    token_destroy(&key);
    token_destroy(&token);
    json_decref(object);
    return NULL;
}

/* Parses a whole text: one object or array (or any value if
 * 'p->any_value'), then (unless 'p->partial')
 * nothing but whitespace. */
static json_t *
parse_text(struct parser *p)
{
    struct token token;
    json_t *json = NULL;

    if (!next_token(p, &token)) {
        goto exit;
    } else if (token.type == TOKEN_EOF) {
        parser_eof(p, token.ofs, "empty input stream");
        goto exit;
    } else if (!token_is(&token, '[') && !token_is(&token, '{')
               && !(p->any_value && token.type == TOKEN_SCALAR)) {
        parser_error(p, token.ofs, "syntax error at beginning of input");
        goto exit;
    }
    json = parse_value(p, &token, 0);
    if (!json || p->partial) {
        goto exit;
    }

    if (next_token(p, &token) && token.type != TOKEN_EOF) {
        parser_error(p, token.ofs, "trailing garbage at end of input");
    }
    if (p->error) {
        json_decref(json);
        json = NULL;
    }

exit:
    token_destroy(&token);
    return json;
}

char *
json_syntax_parse(const void *buf, size_t n, int flags, json_t **jsonp)
{
    struct parser p = {
        .text = buf,
        .n = n,
        .any_value = (flags & JSON_SYNTAX_ANY_VALUE) != 0,
    };
    *jsonp = parse_text(&p);
    parser_destroy(&p);
    return p.error;
}

char *
json_syntax_check_prefix(const void *buf, size_t n)
{
    struct parser p = {.text = buf, .n = n, .partial = true};
    json_decref(parse_text(&p));
    parser_destroy(&p);
    return p.error;
}

/* OVSDB atoms and datums; see ovsdb-data.h. */
#include "ovsdb/ovsdb-data.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "lib/json.h"
#include "lib/utf8.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-parser.h"

/* Atoms. */

void
ovsdb_atom_init_default(union ovsdb_atom *atom, enum ovsdb_atomic_type type)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        atom->integer = 0;
        break;
    case OVSDB_TYPE_REAL:
        atom->real = 0.0;
        break;
    case OVSDB_TYPE_BOOLEAN:
        atom->boolean = false;
        break;
    case OVSDB_TYPE_STRING:
        atom->string = xstrdup("");
        break;
    case OVSDB_TYPE_UUID:
        uuid_zero(&atom->uuid);
        break;
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        ovs_assert(false);
    }
}

bool
ovsdb_atom_is_default(const union ovsdb_atom *atom,
                      enum ovsdb_atomic_type type)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        return atom->integer == 0;
    case OVSDB_TYPE_REAL:
        return atom->real == 0.0;
    case OVSDB_TYPE_BOOLEAN:
        return !atom->boolean;
    case OVSDB_TYPE_STRING:
        return atom->string[0] == '\0';
    case OVSDB_TYPE_UUID:
        return uuid_is_zero(&atom->uuid);
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        ovs_assert(false);
    }
}

void
ovsdb_atom_clone(union ovsdb_atom *dst, const union ovsdb_atom *src,
                 enum ovsdb_atomic_type type)
{
    if (type == OVSDB_TYPE_STRING) {
        dst->string = xstrdup(src->string);
    } else {
        *dst = *src;
    }
}

void
ovsdb_atom_destroy(union ovsdb_atom *atom, enum ovsdb_atomic_type type)
{
    if (type == OVSDB_TYPE_STRING) {
        free(atom->string);
        atom->string = NULL;
    }
}

void
ovsdb_atom_swap(union ovsdb_atom *a, union ovsdb_atom *b)
{
    union ovsdb_atom tmp = *a;
    *a = *b;
    *b = tmp;
}

uint32_t
ovsdb_atom_hash(const union ovsdb_atom *atom, enum ovsdb_atomic_type type,
                uint32_t basis)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        return hash_uint64_basis(atom->integer, basis);
    case OVSDB_TYPE_REAL: {
        /* -0.0 equals 0.0, so both must hash alike. */
        double d = atom->real == 0.0 ? 0.0 : atom->real;
        return hash_bytes(&d, sizeof d, basis);
    }
    case OVSDB_TYPE_BOOLEAN:
        return hash_int(atom->boolean, basis);
    case OVSDB_TYPE_STRING:
        return hash_string(atom->string, basis);
    case OVSDB_TYPE_UUID:
        return hash_words(atom->uuid.parts, 4, basis);
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        ovs_assert(false);
    }
}

int
ovsdb_atom_compare_3way(const union ovsdb_atom *a, const union ovsdb_atom *b,
                        enum ovsdb_atomic_type type)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        return a->integer < b->integer ? -1 : a->integer > b->integer;
    case OVSDB_TYPE_REAL:
        return a->real < b->real ? -1 : a->real > b->real;
    case OVSDB_TYPE_BOOLEAN:
        return a->boolean - b->boolean;
    case OVSDB_TYPE_STRING:
        return strcmp(a->string, b->string);
    case OVSDB_TYPE_UUID:
        return uuid_compare_3way(&a->uuid, &b->uuid);
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        ovs_assert(false);
    }
}

size_t
ovsdb_data_utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((unsigned char) *s & 0xc0) != 0x80;
    }
    return n;
}

/* Parses the 2-element array 'json' of the form ["uuid", "<uuid>"] or,
 * with a 'symtab', ["named-uuid", "<id>"], into 'uuid'. */
static struct ovsdb_error *
uuid_from_json(struct uuid *uuid, const struct ovsdb_base_type *base,
               const json_t *json, struct ovsdb_symbol_table *symtab)
{
    if (json_is_array(json) && json_array_size(json) == 2
        && json_is_string(json_array_get(json, 0))
        && json_is_string(json_array_get(json, 1))) {
        const char *kind = json_string_value(json_array_get(json, 0));
        const char *s = json_string_value(json_array_get(json, 1));

        if (!strcmp(kind, "uuid")) {
            if (uuid_from_string(uuid, s)) {
                return NULL;
            }
            return ovsdb_syntax_error(json, NULL, "\"%s\" is not a valid UUID",
                                      s);
        } else if (!strcmp(kind, "named-uuid") && symtab) {
            if (!ovsdb_parser_is_id(s)) {
                return ovsdb_syntax_error(json, NULL,
                                          "named-uuid string "
                                          "is not a valid <id>");
            }
            struct ovsdb_symbol *symbol = ovsdb_symbol_table_insert(symtab, s);
            *uuid = symbol->uuid;
            if (ovsdb_base_type_is_strong_ref(base)) {
                symbol->strong_ref = true;
            } else if (ovsdb_base_type_is_weak_ref(base)) {
                symbol->weak_ref = true;
            }
            return NULL;
        }
    }
    return ovsdb_syntax_error(json, NULL, "expected [\"uuid\", <string>]");
}

struct ovsdb_error *
ovsdb_atom_from_json(union ovsdb_atom *atom,
                     const struct ovsdb_base_type *base, const json_t *json,
                     struct ovsdb_symbol_table *symtab)
{
    struct ovsdb_error *error = NULL;

    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        if (json_is_integer(json)) {
            atom->integer = json_integer_value(json);
        } else {
            error = ovsdb_syntax_error(json, NULL, "expected integer");
        }
        break;

    case OVSDB_TYPE_REAL:
        if (json_is_number(json)) {
            atom->real = json_number_value(json);
        } else {
            error = ovsdb_syntax_error(json, NULL, "expected real");
        }
        break;

    case OVSDB_TYPE_BOOLEAN:
        if (json_is_boolean(json)) {
            atom->boolean = json_is_true(json);
        } else {
            error = ovsdb_syntax_error(json, NULL, "expected boolean");
        }
        break;

    case OVSDB_TYPE_STRING:
        if (json_is_string(json)) {
            atom->string = xstrdup(json_string_value(json));
        } else {
            error = ovsdb_syntax_error(json, NULL, "expected string");
        }
        break;

    case OVSDB_TYPE_UUID:
        error = uuid_from_json(&atom->uuid, base, json, symtab);
        break;

    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        ovs_assert(false);
    }

    if (!error) {
        error = ovsdb_atom_check_constraints(atom, base);
        if (error) {
            ovsdb_atom_destroy(atom, base->type);
        }
    }
    return error;
}

json_t *
ovsdb_atom_real_to_json(double d)
{
    /* OVS prints reals with 15 significant digits, which shows integral
     * values below 1e15 without a fraction or exponent; a JSON integer
     * gives the same text. */
    if (d == trunc(d) && fabs(d) < 1e15) {
        return json_integer((json_int_t) d);
    }
    return json_real(d);
}

json_t *
ovsdb_uuid_to_json(const struct uuid *uuid)
{
    char buf[UUID_LEN + 1];
    json_t *json = json_array();
    json_array_append_new(json, json_stringn_nocheck("uuid", 4));
    json_array_append_new(
        json, json_stringn_nocheck(uuid_to_string(uuid, buf), UUID_LEN));
    return json;
}

json_t *
ovsdb_atom_to_json(const union ovsdb_atom *atom, enum ovsdb_atomic_type type)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        return json_integer(atom->integer);
    case OVSDB_TYPE_REAL:
        return ovsdb_atom_real_to_json(atom->real);
    case OVSDB_TYPE_BOOLEAN:
        return json_boolean(atom->boolean);
    case OVSDB_TYPE_STRING:
        /* Stored strings came from JSON, so they are valid UTF-8; if one
         * is not, its bytes are kept as they are (as json_string_take()
         * does). */
        return json_stringn_nocheck(atom->string, strlen(atom->string));
    case OVSDB_TYPE_UUID:
        return ovsdb_uuid_to_json(&atom->uuid);
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        ovs_assert(false);
    }
}

/* Returns true if 's' can be printed without quotes and read back as the
 * same string. */
static bool
string_needs_no_quotes(const char *s)
{
    if (!isalpha((unsigned char) *s) && *s != '_') {
        return false;
    }
    for (const char *p = s; *p; p++) {
        if (!isalnum((unsigned char) *p) && !strchr("_-.", *p)) {
            return false;
        }
    }
    return strcmp(s, "true") && strcmp(s, "false");
}

void
ovsdb_atom_to_string(const union ovsdb_atom *atom, enum ovsdb_atomic_type type,
                     struct ds *out)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        ds_put_format(out, "%" PRId64, atom->integer);
        break;
    case OVSDB_TYPE_REAL:
        ds_put_format(out, "%.*g", DBL_DIG, atom->real);
        break;
    case OVSDB_TYPE_BOOLEAN:
        ds_put_cstr(out, atom->boolean ? "true" : "false");
        break;
    case OVSDB_TYPE_STRING:
        if (string_needs_no_quotes(atom->string)) {
            ds_put_cstr(out, atom->string);
        } else {
            json_string_to_ds(atom->string, strlen(atom->string), out);
        }
        break;
    case OVSDB_TYPE_UUID:
        ds_put_format(out, UUID_FMT, UUID_ARGS(&atom->uuid));
        break;
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        ovs_assert(false);
    }
}

/* Returns the string form of 'atom' as a malloc'd string. */
static char *
atom_to_cstr(const union ovsdb_atom *atom, enum ovsdb_atomic_type type)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ovsdb_atom_to_string(atom, type, &s);
    return ds_steal_cstr(&s);
}

/* Returns the type of an enum: a set of 'base''s atomic type. */
static struct ovsdb_type
enum_type(const struct ovsdb_base_type *base)
{
    struct ovsdb_type type;
    ovsdb_type_init_scalar(&type, base->type);
    type.n_max = UINT_MAX;
    return type;
}

struct ovsdb_error *
ovsdb_atom_check_constraints(const union ovsdb_atom *atom,
                             const struct ovsdb_base_type *base)
{
    if (base->enum_) {
        if (ovsdb_datum_find_key(base->enum_, atom, base->type) != UINT_MAX) {
            return NULL;
        }
        struct ovsdb_type type = enum_type(base);
        struct ds allowed = DS_EMPTY_INITIALIZER;
        ovsdb_datum_to_string(base->enum_, &type, &allowed);
        char *value = atom_to_cstr(atom, base->type);
        struct ovsdb_error *error = ovsdb_error(
            "constraint violation", "%s is not one of the allowed values (%s)",
            value, ds_cstr(&allowed));
        free(value);
        ds_destroy(&allowed);
        return error;
    }

    switch (base->type) {
    case OVSDB_TYPE_INTEGER: {
        int64_t x = atom->integer;
        int64_t min = base->u.integer.min;
        int64_t max = base->u.integer.max;
        if (x >= min && x <= max) {
            return NULL;
        } else if (min != INT64_MIN && max != INT64_MAX) {
            return ovsdb_error("constraint violation",
                               "%" PRId64 " is not in the valid range "
                               "%" PRId64 " to %" PRId64 " (inclusive)",
                               x, min, max);
        } else if (min != INT64_MIN) {
            return ovsdb_error("constraint violation",
                               "%" PRId64 " is less than minimum allowed "
                               "value %" PRId64,
                               x, min);
        } else {
            return ovsdb_error("constraint violation",
                               "%" PRId64 " is greater than maximum "
                               "allowed value %" PRId64,
                               x, max);
        }
    }

    case OVSDB_TYPE_REAL: {
        double x = atom->real;
        double min = base->u.real.min;
        double max = base->u.real.max;
        if (x >= min && x <= max) {
            return NULL;
        } else if (min != -DBL_MAX && max != DBL_MAX) {
            return ovsdb_error("constraint violation",
                               "%.*g is not in the valid range %.*g to %.*g "
                               "(inclusive)",
                               DBL_DIG, x, DBL_DIG, min, DBL_DIG, max);
        } else if (min != -DBL_MAX) {
            return ovsdb_error("constraint violation",
                               "%.*g is less than minimum allowed value %.*g",
                               DBL_DIG, x, DBL_DIG, min);
        } else {
            return ovsdb_error("constraint violation",
                               "%.*g is greater than maximum allowed value "
                               "%.*g",
                               DBL_DIG, x, DBL_DIG, max);
        }
    }

    case OVSDB_TYPE_STRING: {
        char *utf8_error = utf8_check(atom->string);
        if (utf8_error) {
            struct ovsdb_error *error =
                ovsdb_error("constraint violation",
                            "not a valid UTF-8 string: %s", utf8_error);
            free(utf8_error);
            return error;
        }
        size_t length = ovsdb_data_utf8_length(atom->string);
        if (length < base->u.string.min_len) {
            return ovsdb_error("constraint violation",
                               "\"%s\" length %zu is less than minimum "
                               "allowed length %u",
                               atom->string, length, base->u.string.min_len);
        } else if (length > base->u.string.max_len) {
            return ovsdb_error("constraint violation",
                               "\"%s\" length %zu is greater than maximum "
                               "allowed length %u",
                               atom->string, length, base->u.string.max_len);
        }
        return NULL;
    }

    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_TYPE_UUID:
        return NULL;

    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        ovs_assert(false);
    }
}

/* Parses the integer 's' (decimal, optional sign, the whole string). */
static bool
parse_integer(const char *s, int64_t *x)
{
    long long ll;
    if (!*s || isspace((unsigned char) *s) || !str_to_llong(s, 10, &ll)) {
        return false;
    }
    *x = ll;
    return true;
}

/* Parses 's' as an integer or a range "A-B" into 'atom' and 'range_end'. */
static char *
integer_from_string(union ovsdb_atom *atom, union ovsdb_atom *range_end,
                    bool *is_range, const char *s)
{
    if (parse_integer(s, &atom->integer)) {
        return NULL;
    }

    /* A range: the '-' that separates the ends is not the first
     * character, which may be the minus sign of the start. */
    const char *dash = *s ? strchr(s + 1, '-') : NULL;
    if (dash) {
        char *start = xmemdup0(s, dash - s);
        int64_t a, b;
        bool ok = parse_integer(start, &a) && parse_integer(dash + 1, &b);
        free(start);
        if (ok) {
            if (b < a) {
                return xasprintf("\"%s\" is not a valid range. "
                                 "Range end cannot be before start.",
                                 s);
            } else if (!range_end) {
                return xasprintf("\"%s\": an integer range is not "
                                 "allowed here",
                                 s);
            }
            atom->integer = a;
            range_end->integer = b;
            *is_range = true;
            return NULL;
        }
    }
    return xasprintf("\"%s\" is not a valid integer or range", s);
}

/* Parses 4 hex digits at 'p' into '*c'. */
static bool
parse_hex4(const char *p, unsigned int *c)
{
    *c = 0;
    for (int i = 0; i < 4; i++) {
        int d = p[i];
        if (!isxdigit(d)) {
            return false;
        }
        *c = (*c << 4) | (isdigit(d) ? d - '0' : (tolower(d) - 'a' + 10));
    }
    return true;
}

/* Decodes the quoted string 's' (with its quotes, JSON escapes inside)
 * into '*result'. */
static char *
quoted_string_from_string(const char *s, char **result)
{
    size_t len = strlen(s);
    if (len < 2 || s[len - 1] != '"') {
        return xasprintf("%s: missing quote at end of quoted string", s);
    }

    struct ds out = DS_EMPTY_INITIALIZER;
    const char *end = s + len - 1;
    for (const char *p = s + 1; p < end; p++) {
        if (*p == '"') {
            ds_destroy(&out);
            return xasprintf("%s: quoted string may not include "
                             "unescaped \"",
                             s);
        } else if (*p != '\\') {
            ds_put_char(&out, *p);
            continue;
        }

        p++;
        unsigned int c;
        switch (p < end ? *p : '\0') {
        case '"':
        case '\\':
        case '/':
            ds_put_char(&out, *p);
            break;
        case 'b':
            ds_put_char(&out, '\b');
            break;
        case 'f':
            ds_put_char(&out, '\f');
            break;
        case 'n':
            ds_put_char(&out, '\n');
            break;
        case 'r':
            ds_put_char(&out, '\r');
            break;
        case 't':
            ds_put_char(&out, '\t');
            break;
        case 'u':
            if (end - p < 5 || !parse_hex4(p + 1, &c)) {
                ds_destroy(&out);
                return xasprintf("%s: malformed \\u escape", s);
            }
            p += 4;
            if (c >= 0xd800 && c <= 0xdbff) {
                unsigned int low;
                if (end - p < 7 || p[1] != '\\' || p[2] != 'u'
                    || !parse_hex4(p + 3, &low) || low < 0xdc00
                    || low > 0xdfff) {
                    ds_destroy(&out);
                    return xasprintf("%s: malformed escaped surrogate "
                                     "pair",
                                     s);
                }
                c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
                p += 6;
            } else if (c >= 0xdc00 && c <= 0xdfff) {
                ds_destroy(&out);
                return xasprintf("%s: malformed escaped surrogate pair", s);
            } else if (!c) {
                ds_destroy(&out);
                return xasprintf("%s: null bytes not supported in quoted "
                                 "strings",
                                 s);
            }
            utf8_put(&out, c);
            break;
        default:
            ds_destroy(&out);
            return xasprintf("%s: bad escape \\%c", s, p < end ? *p : '\\');
        }
    }
    *result = out.string ? ds_steal_cstr(&out) : xstrdup("");
    return NULL;
}

char *
ovsdb_atom_from_string(union ovsdb_atom *atom, union ovsdb_atom *range_end,
                       bool *is_range, const struct ovsdb_base_type *base,
                       const char *s, struct ovsdb_symbol_table *symtab)
{
    if (is_range) {
        *is_range = false;
    }

    char *msg = NULL;
    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        msg = integer_from_string(atom, range_end, is_range, s);
        break;

    case OVSDB_TYPE_REAL:
        if (!*s || isspace((unsigned char) *s)
            || !str_to_double(s, &atom->real)) {
            msg = xasprintf("\"%s\" is not a valid real number", s);
        }
        break;

    case OVSDB_TYPE_BOOLEAN:
        if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on")
            || !strcmp(s, "1")) {
            atom->boolean = true;
        } else if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off")
                   || !strcmp(s, "0")) {
            atom->boolean = false;
        } else {
            msg = xasprintf("\"%s\" is not a valid boolean "
                            "(use \"true\" or \"false\")",
                            s);
        }
        break;

    case OVSDB_TYPE_STRING:
        if (*s == '"') {
            msg = quoted_string_from_string(s, &atom->string);
        } else if (!*s) {
            msg = xstrdup("An empty string is not valid as input; use \"\" "
                          "to represent the empty string");
        } else {
            atom->string = xstrdup(s);
        }
        break;

    case OVSDB_TYPE_UUID:
        if (*s == '@' && symtab) {
            struct ovsdb_symbol *symbol = ovsdb_symbol_table_insert(symtab, s);
            atom->uuid = symbol->uuid;
            if (ovsdb_base_type_is_strong_ref(base)) {
                symbol->strong_ref = true;
            } else if (ovsdb_base_type_is_weak_ref(base)) {
                symbol->weak_ref = true;
            }
        } else if (!uuid_from_string(&atom->uuid, s)) {
            msg = xasprintf("\"%s\" is not a valid UUID", s);
        }
        break;

    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        ovs_assert(false);
    }
    if (msg) {
        return msg;
    }

    struct ovsdb_error *error = ovsdb_atom_check_constraints(atom, base);
    if (!error && is_range && *is_range) {
        error = ovsdb_atom_check_constraints(range_end, base);
    }
    if (error) {
        ovsdb_atom_destroy(atom, base->type);
        return ovsdb_error_to_string_free(error);
    }
    return NULL;
}

/* Datums. */

void
ovsdb_datum_init_empty(struct ovsdb_datum *datum)
{
    datum->n = 0;
    datum->keys = NULL;
    datum->values = NULL;
}

void
ovsdb_datum_init_default(struct ovsdb_datum *datum,
                         const struct ovsdb_type *type)
{
    ovsdb_datum_init_empty(datum);
    if (type->n_min) {
        datum->n = 1;
        datum->keys = xmalloc(sizeof *datum->keys);
        ovsdb_atom_init_default(&datum->keys[0], type->key.type);
        if (type->value.type != OVSDB_TYPE_VOID) {
            datum->values = xmalloc(sizeof *datum->values);
            ovsdb_atom_init_default(&datum->values[0], type->value.type);
        }
    }
}

bool
ovsdb_datum_is_default(const struct ovsdb_datum *datum,
                       const struct ovsdb_type *type)
{
    if (!type->n_min) {
        return datum->n == 0;
    }
    return (
        datum->n == 1 && ovsdb_atom_is_default(&datum->keys[0], type->key.type)
        && (type->value.type == OVSDB_TYPE_VOID
            || ovsdb_atom_is_default(&datum->values[0], type->value.type)));
}

const struct ovsdb_datum *
ovsdb_datum_default(const struct ovsdb_type *type)
{
    static const struct ovsdb_datum empty = OVSDB_DATUM_EMPTY_INITIALIZER;
    static union ovsdb_atom atoms[OVSDB_N_TYPES];
    static struct ovsdb_datum defaults[OVSDB_N_TYPES][OVSDB_N_TYPES];
    static bool inited;

    if (!type->n_min) {
        return &empty;
    }
    if (!inited) {
        /* Read-only defaults shared by everyone; the string default
         * points at a literal and must never be freed. */
        for (int i = OVSDB_TYPE_INTEGER; i < OVSDB_N_TYPES; i++) {
            if (i == OVSDB_TYPE_STRING) {
                atoms[i].string = (char *) "";
            } else {
                ovsdb_atom_init_default(&atoms[i], i);
            }
        }
        for (int k = 0; k < OVSDB_N_TYPES; k++) {
            for (int v = 0; v < OVSDB_N_TYPES; v++) {
                defaults[k][v].n = 1;
                defaults[k][v].keys = &atoms[k];
                defaults[k][v].values = v ? &atoms[v] : NULL;
            }
        }
        inited = true;
    }
    return &defaults[type->key.type][type->value.type];
}

static union ovsdb_atom *
clone_atoms(const union ovsdb_atom *src, unsigned int n,
            enum ovsdb_atomic_type type)
{
    if (type == OVSDB_TYPE_VOID || !src || !n) {
        return NULL;
    }
    union ovsdb_atom *dst = xmalloc(n * sizeof *dst);
    for (unsigned int i = 0; i < n; i++) {
        ovsdb_atom_clone(&dst[i], &src[i], type);
    }
    return dst;
}

void
ovsdb_datum_clone(struct ovsdb_datum *dst, const struct ovsdb_datum *src,
                  const struct ovsdb_type *type)
{
    unsigned int n = src->n;
    dst->keys = clone_atoms(src->keys, n, type->key.type);
    dst->values = clone_atoms(src->values, n, type->value.type);
    dst->n = n;
}

static void
free_atoms(union ovsdb_atom *atoms, unsigned int n,
           enum ovsdb_atomic_type type)
{
    if (atoms && type == OVSDB_TYPE_STRING) {
        for (unsigned int i = 0; i < n; i++) {
            free(atoms[i].string);
        }
    }
    free(atoms);
}

void
ovsdb_datum_destroy(struct ovsdb_datum *datum, const struct ovsdb_type *type)
{
    if (datum) {
        free_atoms(datum->keys, datum->n, type->key.type);
        free_atoms(datum->values, datum->n, type->value.type);
        ovsdb_datum_init_empty(datum);
    }
}

void
ovsdb_datum_swap(struct ovsdb_datum *a, struct ovsdb_datum *b)
{
    struct ovsdb_datum tmp = *a;
    *a = *b;
    *b = tmp;
}

/* Sorting. */

struct datum_pair {
    union ovsdb_atom key;
    union ovsdb_atom value;
};

static int
compare_pairs(const void *a_, const void *b_, void *type_)
{
    const struct datum_pair *a = a_;
    const struct datum_pair *b = b_;
    const enum ovsdb_atomic_type *types = type_;
    return ovsdb_atom_compare_3way(&a->key, &b->key, types[0]);
}

/* Sorts 'datum' by key; stable enough for our needs since equal keys are
 * either rejected or reduced to one by the callers. */
static void
datum_sort__(struct ovsdb_datum *datum, const struct ovsdb_type *type)
{
    if (datum->n < 2) {
        return;
    }

    enum ovsdb_atomic_type types[2] = {type->key.type, type->value.type};
    struct datum_pair *pairs = xmalloc(datum->n * sizeof *pairs);
    for (unsigned int i = 0; i < datum->n; i++) {
        pairs[i].key = datum->keys[i];
        if (datum->values) {
            pairs[i].value = datum->values[i];
        }
    }
    qsort_r(pairs, datum->n, sizeof *pairs, compare_pairs, types);
    for (unsigned int i = 0; i < datum->n; i++) {
        datum->keys[i] = pairs[i].key;
        if (datum->values) {
            datum->values[i] = pairs[i].value;
        }
    }
    free(pairs);
}

struct ovsdb_error *
ovsdb_datum_sort(struct ovsdb_datum *datum, const struct ovsdb_type *type)
{
    datum_sort__(datum, type);
    for (unsigned int i = 1; i < datum->n; i++) {
        if (ovsdb_atom_equals(&datum->keys[i - 1], &datum->keys[i],
                              type->key.type)) {
            return (
                ovsdb_type_is_map(type)
                    ? ovsdb_error("ovsdb error", "map contains duplicate key")
                    : ovsdb_error("ovsdb error", "set contains duplicate"));
        }
    }
    return NULL;
}

size_t
ovsdb_datum_sort_unique(struct ovsdb_datum *datum,
                        const struct ovsdb_type *type)
{
    if (datum->n < 2) {
        return 0;
    }

    /* qsort_r() is not stable, and "the first of equal keys" means the
     * first in the original order, so merge sort (which is stable). */
    size_t n = datum->n;
    struct datum_pair *pairs = xmalloc(n * sizeof *pairs);
    for (size_t i = 0; i < n; i++) {
        pairs[i].key = datum->keys[i];
        if (datum->values) {
            pairs[i].value = datum->values[i];
        }
    }
    /* Merge sort keeps equal keys in their original order. */
    struct datum_pair *tmp = xmalloc(n * sizeof *tmp);
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = MIN(lo + width, n), hi = MIN(lo + 2 * width, n);
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                if (ovsdb_atom_compare_3way(&pairs[j].key, &pairs[i].key,
                                            type->key.type)
                    < 0) {
                    tmp[k++] = pairs[j++];
                } else {
                    tmp[k++] = pairs[i++];
                }
            }
            while (i < mid) {
                tmp[k++] = pairs[i++];
            }
            while (j < hi) {
                tmp[k++] = pairs[j++];
            }
        }
        memcpy(pairs, tmp, n * sizeof *pairs);
    }
    free(tmp);

    size_t n_out = 0;
    for (size_t i = 0; i < n; i++) {
        if (n_out
            && ovsdb_atom_equals(&pairs[i].key, &datum->keys[n_out - 1],
                                 type->key.type)) {
            ovsdb_atom_destroy(&pairs[i].key, type->key.type);
            if (datum->values) {
                ovsdb_atom_destroy(&pairs[i].value, type->value.type);
            }
            continue;
        }
        datum->keys[n_out] = pairs[i].key;
        if (datum->values) {
            datum->values[n_out] = pairs[i].value;
        }
        n_out++;
    }
    free(pairs);

    size_t n_removed = n - n_out;
    datum->n = n_out;
    return n_removed;
}

/* Grows 'datum' to hold one more element and returns its index; the new
 * key (and value) are left for the caller to fill. */
static unsigned int
datum_grow(struct ovsdb_datum *datum, unsigned int *allocated,
           const struct ovsdb_type *type)
{
    if (datum->n >= *allocated) {
        *allocated = *allocated ? 2 * *allocated : 4;
        datum->keys = xrealloc(datum->keys, *allocated * sizeof *datum->keys);
        if (type->value.type != OVSDB_TYPE_VOID) {
            datum->values =
                xrealloc(datum->values, *allocated * sizeof *datum->values);
        }
    }
    return datum->n++;
}

struct ovsdb_error *
ovsdb_datum_from_json(struct ovsdb_datum *datum, const struct ovsdb_type *type,
                      const json_t *json, struct ovsdb_symbol_table *symtab)
{
    bool is_map = ovsdb_type_is_map(type);
    ovsdb_datum_init_empty(datum);

    const json_t *first =
        (json_is_array(json) && json_array_size(json) ? json_array_get(json, 0)
                                                      : NULL);
    bool is_set_syntax =
        (json_is_string(first) && !strcmp(json_string_value(first), "set"));
    if (!is_map && !is_set_syntax) {
        /* A bare atom: a scalar or a set of one element. */
        datum->keys = xmalloc(sizeof *datum->keys);
        struct ovsdb_error *error =
            ovsdb_atom_from_json(&datum->keys[0], &type->key, json, symtab);
        if (error) {
            free(datum->keys);
            datum->keys = NULL;
            return error;
        }
        datum->n = 1;
        return NULL;
    }

    const char *kind = is_map ? "map" : "set";
    const json_t *elems = json_array_get(json, 1);
    if (json_array_size(json) != 2 || !json_is_string(first)
        || strcmp(json_string_value(first), kind) || !json_is_array(elems)) {
        return ovsdb_syntax_error(json, NULL, "expected [\"%s\", <array>]",
                                  kind);
    }

    size_t n = json_array_size(elems);
    if (n < type->n_min || n > type->n_max) {
        if (type->n_min == 1 && type->n_max == 1) {
            return ovsdb_syntax_error(json, NULL,
                                      "%s must have exactly one "
                                      "member but %zu are present",
                                      kind, n);
        }
        return ovsdb_syntax_error(json, NULL,
                                  "%s must have %u to %u members "
                                  "but %zu are present",
                                  kind, type->n_min, type->n_max, n);
    }

    if (n) {
        datum->keys = xmalloc(n * sizeof *datum->keys);
        if (is_map) {
            datum->values = xmalloc(n * sizeof *datum->values);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *elem = json_array_get(elems, i);
        const json_t *key = elem;
        struct ovsdb_error *error;

        if (is_map) {
            if (!json_is_array(elem) || json_array_size(elem) != 2) {
                error =
                    ovsdb_syntax_error(elem, NULL, "expected 2-element array");
                goto error;
            }
            key = json_array_get(elem, 0);
        }
        error = ovsdb_atom_from_json(&datum->keys[i], &type->key, key, symtab);
        if (error) {
            goto error;
        }
        if (is_map) {
            error = ovsdb_atom_from_json(&datum->values[i], &type->value,
                                         json_array_get(elem, 1), symtab);
            if (error) {
                ovsdb_atom_destroy(&datum->keys[i], type->key.type);
                goto error;
            }
        }
        datum->n++;
        continue;

    error:
        ovsdb_datum_destroy(datum, type);
        return error;
    }

    struct ovsdb_error *error = ovsdb_datum_sort(datum, type);
    if (error) {
        ovsdb_datum_destroy(datum, type);
    }
    return error;
}

json_t *
ovsdb_datum_to_json(const struct ovsdb_datum *datum,
                    const struct ovsdb_type *type)
{
    if (ovsdb_type_is_map(type)) {
        json_t *pairs = json_array();
        for (unsigned int i = 0; i < datum->n; i++) {
            json_t *pair = json_array();
            json_array_append_new(
                pair, ovsdb_atom_to_json(&datum->keys[i], type->key.type));
            json_array_append_new(
                pair, ovsdb_atom_to_json(&datum->values[i], type->value.type));
            json_array_append_new(pairs, pair);
        }
        json_t *json = json_array();
        json_array_append_new(json, json_string("map"));
        json_array_append_new(json, pairs);
        return json;
    }

    if (datum->n == 1) {
        return ovsdb_atom_to_json(&datum->keys[0], type->key.type);
    }

    json_t *elems = json_array();
    for (unsigned int i = 0; i < datum->n; i++) {
        json_array_append_new(
            elems, ovsdb_atom_to_json(&datum->keys[i], type->key.type));
    }
    json_t *json = json_array();
    json_array_append_new(json, json_string("set"));
    json_array_append_new(json, elems);
    return json;
}

void
ovsdb_atom_to_json_ds(const union ovsdb_atom *atom,
                      enum ovsdb_atomic_type type, struct ds *out)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        json_integer_to_ds(atom->integer, out);
        break;
    case OVSDB_TYPE_REAL: {
        /* As ovsdb_atom_real_to_json() chooses and json_to_ds() prints. */
        double d = atom->real;
        if (d == trunc(d) && fabs(d) < 1e15) {
            json_integer_to_ds((json_int_t) d, out);
        } else if (isfinite(d)) {
            ds_put_format(out, "%.15g", d);
        } else {
            ds_put_cstr(out, "null");
        }
        break;
    }
    case OVSDB_TYPE_BOOLEAN:
        ds_put_cstr(out, atom->boolean ? "true" : "false");
        break;
    case OVSDB_TYPE_STRING:
        json_string_to_ds(atom->string, strlen(atom->string), out);
        break;
    case OVSDB_TYPE_UUID: {
        static const char prefix[] = "[\"uuid\",\"";
        char *p = ds_put_uninit(out, sizeof prefix - 1 + UUID_LEN + 2);
        memcpy(p, prefix, sizeof prefix - 1);
        p += sizeof prefix - 1;
        char buf[UUID_LEN + 1];
        memcpy(p, uuid_to_string(&atom->uuid, buf), UUID_LEN);
        memcpy(p + UUID_LEN, "\"]", 2);
        break;
    }
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        ovs_assert(false);
    }
}

void
ovsdb_datum_to_json_ds(const struct ovsdb_datum *datum,
                       const struct ovsdb_type *type, struct ds *out)
{
    if (ovsdb_type_is_map(type)) {
        ds_put_cstr(out, "[\"map\",[");
        for (unsigned int i = 0; i < datum->n; i++) {
            ds_put_cstr(out, i ? ",[" : "[");
            ovsdb_atom_to_json_ds(&datum->keys[i], type->key.type, out);
            ds_put_char(out, ',');
            ovsdb_atom_to_json_ds(&datum->values[i], type->value.type, out);
            ds_put_char(out, ']');
        }
        ds_put_cstr(out, "]]");
    } else if (datum->n == 1) {
        ovsdb_atom_to_json_ds(&datum->keys[0], type->key.type, out);
    } else {
        ds_put_cstr(out, "[\"set\",[");
        for (unsigned int i = 0; i < datum->n; i++) {
            if (i) {
                ds_put_char(out, ',');
            }
            ovsdb_atom_to_json_ds(&datum->keys[i], type->key.type, out);
        }
        ds_put_cstr(out, "]]");
    }
}

void
ovsdb_datum_to_string(const struct ovsdb_datum *datum,
                      const struct ovsdb_type *type, struct ds *out)
{
    bool is_map = ovsdb_type_is_map(type);
    if (!is_map && type->n_max == 1 && datum->n == 1) {
        ovsdb_atom_to_string(&datum->keys[0], type->key.type, out);
        return;
    }

    ds_put_char(out, is_map ? '{' : '[');
    for (unsigned int i = 0; i < datum->n; i++) {
        if (i) {
            ds_put_cstr(out, ", ");
        }
        ovsdb_atom_to_string(&datum->keys[i], type->key.type, out);
        if (is_map) {
            ds_put_char(out, '=');
            ovsdb_atom_to_string(&datum->values[i], type->value.type, out);
        }
    }
    ds_put_char(out, is_map ? '}' : ']');
}

/* Characters that end an unquoted token of the string syntax besides
 * white space; they are the punctuation of sets, maps and of ovs-vsctl's
 * conditions. */
static bool
is_delimiter(int c)
{
    return c && strchr(":=, []{}!<>", c);
}

static const char *
skip_spaces(const char *p)
{
    while (isspace((unsigned char) *p)) {
        p++;
    }
    return p;
}

/* Extracts the token at '*pp' into '*tokenp' (malloc'd) and advances
 * '*pp' past it.  Outside double quotes a backslash takes the next
 * character literally and white space or a delimiter ends the token;
 * inside them everything up to the closing quote is kept verbatim
 * (escapes included) for the atom parser to decode. */
static char *
parse_token(const char **pp, char **tokenp)
{
    const char *start = *pp;
    const char *p = start;
    struct ds token = DS_EMPTY_INITIALIZER;
    bool in_quotes = false;

    *tokenp = NULL;
    for (;;) {
        int c = *p;
        if (c == '\0') {
            if (in_quotes) {
                ds_destroy(&token);
                return xasprintf("%s: quoted string extends past end of "
                                 "argument",
                                 start);
            }
            break;
        }

        if (in_quotes) {
            ds_put_char(&token, c);
            p++;
            if (c == '\\' && *p) {
                ds_put_char(&token, *p);
                p++;
            } else if (c == '"') {
                in_quotes = false;
            }
        } else if (c == '\\') {
            if (!p[1]) {
                ds_destroy(&token);
                return xasprintf("%s: backslash at end of argument", start);
            }
            ds_put_char(&token, p[1]);
            p += 2;
        } else if (c == '"') {
            in_quotes = true;
            ds_put_char(&token, c);
            p++;
        } else if (isspace(c) || is_delimiter(c)) {
            break;
        } else {
            ds_put_char(&token, c);
            p++;
        }
    }

    *pp = p;
    *tokenp = token.string ? ds_steal_cstr(&token) : xstrdup("");
    return NULL;
}

char *
ovsdb_token_parse(const char **pp, char **tokenp)
{
    return parse_token(pp, tokenp);
}

/* Parses one atom of 'base' at '*pp', advancing it. */
static char *
parse_atom_token(const char **pp, union ovsdb_atom *atom,
                 union ovsdb_atom *range_end, bool *is_range,
                 const struct ovsdb_base_type *base,
                 struct ovsdb_symbol_table *symtab)
{
    char *token;
    char *msg = parse_token(pp, &token);
    if (!msg) {
        msg = ovsdb_atom_from_string(atom, range_end, is_range, base, token,
                                     symtab);
        free(token);
    }
    return msg;
}

char *
ovsdb_datum_from_string(struct ovsdb_datum *datum,
                        const struct ovsdb_type *type, const char *s,
                        struct ovsdb_symbol_table *symtab)
{
    bool is_map = ovsdb_type_is_map(type);
    unsigned int allocated = 0;
    char *msg = NULL;

    ovsdb_datum_init_empty(datum);

    const char *p = skip_spaces(s);
    if (!*p) {
        return xstrdup(is_map ? "use \"{}\" to specify the empty map"
                              : "use \"[]\" to specify the empty set");
    }

    char end = '\0';
    if (*p == (is_map ? '{' : '[')) {
        end = is_map ? '}' : ']';
        p++;
    }

    for (;;) {
        p = skip_spaces(p);
        if (!*p || *p == end) {
            break;
        }
        if (is_delimiter(*p)) {
            char *english = ovsdb_type_to_english(type);
            msg =
                xasprintf("%s: unexpected \"%c\" parsing %s", s, *p, english);
            free(english);
            goto error;
        }

        const char *key_start = p;
        union ovsdb_atom key, key_end, value;
        bool is_range;
        msg = parse_atom_token(&p, &key, &key_end, &is_range, &type->key,
                               symtab);
        if (msg) {
            goto error;
        }

        if (is_map) {
            p = skip_spaces(p);
            if (*p != '=') {
                /* OVS formats the offending character with %c, so the end
                 * of the input cuts the message short after the quote. */
                msg = (*p ? xasprintf("%s: syntax error at \"%c\" expecting "
                                      "\"=\"",
                                      key_start, *p)
                          : xasprintf("%s: syntax error at \"", key_start));
                ovsdb_atom_destroy(&key, type->key.type);
                goto error;
            }
            if (is_range) {
                msg = xasprintf("%s: an integer range is not allowed in a "
                                "map",
                                key_start);
                goto error;
            }
            p = skip_spaces(p + 1);
            msg =
                parse_atom_token(&p, &value, NULL, NULL, &type->value, symtab);
            if (msg) {
                ovsdb_atom_destroy(&key, type->key.type);
                goto error;
            }
            unsigned int i = datum_grow(datum, &allocated, type);
            datum->keys[i] = key;
            datum->values[i] = value;
        } else if (is_range) {
            /* Expand "A-B" unless it cannot fit anyway. */
            uint64_t count =
                ((uint64_t) key_end.integer - (uint64_t) key.integer + 1);
            if (count > type->n_max || datum->n + count > type->n_max) {
                msg = xasprintf("%s: %" PRIu64 " value(s) specified but the "
                                "maximum number is %u",
                                s, datum->n + count, type->n_max);
                goto error;
            }
            for (int64_t x = key.integer;; x++) {
                unsigned int i = datum_grow(datum, &allocated, type);
                datum->keys[i].integer = x;
                if (x == key_end.integer) {
                    break;
                }
            }
        } else {
            unsigned int i = datum_grow(datum, &allocated, type);
            datum->keys[i] = key;
        }

        p = skip_spaces(p);
        if (*p == ',') {
            p++;
        }
    }

    if (end) {
        if (*p != end) {
            msg = xasprintf("%s: missing \"%c\" at end of data", s, end);
            goto error;
        }
        p = skip_spaces(p + 1);
        if (*p) {
            msg = xasprintf("%s: trailing garbage after \"%c\"", s, end);
            goto error;
        }
    }

    if (datum->n < type->n_min) {
        msg = xasprintf("%s: %u value(s) specified but the minimum number "
                        "is %u",
                        s, datum->n, type->n_min);
        goto error;
    } else if (datum->n > type->n_max) {
        msg = xasprintf("%s: %u value(s) specified but the maximum number "
                        "is %u",
                        s, datum->n, type->n_max);
        goto error;
    }

    struct ovsdb_error *error = ovsdb_datum_sort(datum, type);
    if (error) {
        ovsdb_error_destroy(error);
        msg = xasprintf("%s: %s", s,
                        (is_map ? "map contains duplicate key"
                                : "set contains duplicate value"));
        goto error;
    }
    return NULL;

error:
    ovsdb_datum_destroy(datum, type);
    return msg;
}

struct ovsdb_error *
ovsdb_datum_check_constraints(const struct ovsdb_datum *datum,
                              const struct ovsdb_type *type)
{
    for (unsigned int i = 0; i < datum->n; i++) {
        struct ovsdb_error *error;
        error = ovsdb_atom_check_constraints(&datum->keys[i], &type->key);
        if (!error && type->value.type != OVSDB_TYPE_VOID) {
            error =
                ovsdb_atom_check_constraints(&datum->values[i], &type->value);
        }
        if (error) {
            return error;
        }
    }
    return NULL;
}

uint32_t
ovsdb_datum_hash(const struct ovsdb_datum *datum,
                 const struct ovsdb_type *type, uint32_t basis)
{
    uint32_t hash = hash_int(datum->n, basis);
    for (unsigned int i = 0; i < datum->n; i++) {
        hash = ovsdb_atom_hash(&datum->keys[i], type->key.type, hash);
        if (type->value.type != OVSDB_TYPE_VOID) {
            hash = ovsdb_atom_hash(&datum->values[i], type->value.type, hash);
        }
    }
    return hash;
}

int
ovsdb_datum_compare_3way(const struct ovsdb_datum *a,
                         const struct ovsdb_datum *b,
                         const struct ovsdb_type *type)
{
    if (a->n != b->n) {
        return a->n < b->n ? -1 : 1;
    }
    for (unsigned int i = 0; i < a->n; i++) {
        int cmp =
            ovsdb_atom_compare_3way(&a->keys[i], &b->keys[i], type->key.type);
        if (cmp) {
            return cmp;
        }
    }
    if (type->value.type != OVSDB_TYPE_VOID) {
        for (unsigned int i = 0; i < a->n; i++) {
            int cmp = ovsdb_atom_compare_3way(&a->values[i], &b->values[i],
                                              type->value.type);
            if (cmp) {
                return cmp;
            }
        }
    }
    return 0;
}

bool
ovsdb_datum_equals(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
                   const struct ovsdb_type *type)
{
    return !ovsdb_datum_compare_3way(a, b, type);
}

unsigned int
ovsdb_datum_find_key(const struct ovsdb_datum *datum,
                     const union ovsdb_atom *key,
                     enum ovsdb_atomic_type key_type)
{
    unsigned int low = 0;
    unsigned int high = datum->n;
    while (low < high) {
        unsigned int mid = low + (high - low) / 2;
        int cmp = ovsdb_atom_compare_3way(key, &datum->keys[mid], key_type);
        if (cmp < 0) {
            high = mid;
        } else if (cmp > 0) {
            low = mid + 1;
        } else {
            return mid;
        }
    }
    return UINT_MAX;
}

unsigned int
ovsdb_datum_find_key_value(const struct ovsdb_datum *datum,
                           const union ovsdb_atom *key,
                           enum ovsdb_atomic_type key_type,
                           const union ovsdb_atom *value,
                           enum ovsdb_atomic_type value_type)
{
    unsigned int idx = ovsdb_datum_find_key(datum, key, key_type);
    if (idx != UINT_MAX && value_type != OVSDB_TYPE_VOID
        && !ovsdb_atom_equals(&datum->values[idx], value, value_type)) {
        idx = UINT_MAX;
    }
    return idx;
}

/* Returns the index of element 'i' of 'a' in 'b', or UINT_MAX. */
static unsigned int
find_element(const struct ovsdb_datum *a, unsigned int i,
             const struct ovsdb_datum *b, const struct ovsdb_type *type)
{
    return ovsdb_datum_find_key_value(b, &a->keys[i], type->key.type,
                                      a->values ? &a->values[i] : NULL,
                                      type->value.type);
}

bool
ovsdb_datum_includes_all(const struct ovsdb_datum *a,
                         const struct ovsdb_datum *b,
                         const struct ovsdb_type *type)
{
    for (unsigned int i = 0; i < a->n; i++) {
        if (find_element(a, i, b, type) == UINT_MAX) {
            return false;
        }
    }
    return true;
}

bool
ovsdb_datum_excludes_all(const struct ovsdb_datum *a,
                         const struct ovsdb_datum *b,
                         const struct ovsdb_type *type)
{
    for (unsigned int i = 0; i < a->n; i++) {
        if (find_element(a, i, b, type) != UINT_MAX) {
            return false;
        }
    }
    return true;
}

void
ovsdb_datum_add_unsorted(struct ovsdb_datum *datum,
                         const union ovsdb_atom *key,
                         const union ovsdb_atom *value,
                         const struct ovsdb_type *type)
{
    unsigned int n = datum->n + 1;
    datum->keys = xrealloc(datum->keys, n * sizeof *datum->keys);
    ovsdb_atom_clone(&datum->keys[n - 1], key, type->key.type);
    if (type->value.type != OVSDB_TYPE_VOID) {
        datum->values = xrealloc(datum->values, n * sizeof *datum->values);
        ovsdb_atom_clone(&datum->values[n - 1], value, type->value.type);
    }
    datum->n = n;
}

void
ovsdb_datum_remove_at(struct ovsdb_datum *datum, unsigned int idx,
                      const struct ovsdb_type *type)
{
    ovs_assert(idx < datum->n);
    ovsdb_atom_destroy(&datum->keys[idx], type->key.type);
    memmove(&datum->keys[idx], &datum->keys[idx + 1],
            (datum->n - idx - 1) * sizeof *datum->keys);
    if (type->value.type != OVSDB_TYPE_VOID) {
        ovsdb_atom_destroy(&datum->values[idx], type->value.type);
        memmove(&datum->values[idx], &datum->values[idx + 1],
                (datum->n - idx - 1) * sizeof *datum->values);
    }
    datum->n--;
}

void
ovsdb_datum_union(struct ovsdb_datum *a, const struct ovsdb_datum *b,
                  const struct ovsdb_type *type)
{
    unsigned int n_old = a->n;
    for (unsigned int i = 0; i < b->n; i++) {
        struct ovsdb_datum old = {n_old, a->keys, a->values};
        if (ovsdb_datum_find_key(&old, &b->keys[i], type->key.type)
            == UINT_MAX) {
            ovsdb_datum_add_unsorted(a, &b->keys[i],
                                     b->values ? &b->values[i] : NULL, type);
        }
    }
    if (a->n != n_old) {
        datum_sort__(a, type);
    }
}

void
ovsdb_datum_subtract(struct ovsdb_datum *a, const struct ovsdb_type *a_type,
                     const struct ovsdb_datum *b,
                     const struct ovsdb_type *b_type)
{
    bool by_key = b_type->value.type == OVSDB_TYPE_VOID;
    unsigned int n_out = 0;

    for (unsigned int i = 0; i < a->n; i++) {
        unsigned int idx =
            (by_key ? ovsdb_datum_find_key(b, &a->keys[i], a_type->key.type)
                    : ovsdb_datum_find_key_value(
                        b, &a->keys[i], a_type->key.type, &a->values[i],
                        a_type->value.type));
        if (idx != UINT_MAX) {
            ovsdb_atom_destroy(&a->keys[i], a_type->key.type);
            if (a->values) {
                ovsdb_atom_destroy(&a->values[i], a_type->value.type);
            }
            continue;
        }
        a->keys[n_out] = a->keys[i];
        if (a->values) {
            a->values[n_out] = a->values[i];
        }
        n_out++;
    }
    a->n = n_out;
}

/* Appends a copy of element 'i' of 'src' to 'dst', which has
 * '*allocated' room. */
static void
append_copy(struct ovsdb_datum *dst, unsigned int *allocated,
            const struct ovsdb_datum *src, unsigned int i,
            const struct ovsdb_type *type)
{
    unsigned int j = datum_grow(dst, allocated, type);
    ovsdb_atom_clone(&dst->keys[j], &src->keys[i], type->key.type);
    if (type->value.type != OVSDB_TYPE_VOID) {
        ovsdb_atom_clone(&dst->values[j], &src->values[i], type->value.type);
    }
}

void
ovsdb_datum_diff(struct ovsdb_datum *diff, const struct ovsdb_datum *old,
                 const struct ovsdb_datum *new, const struct ovsdb_type *type)
{
    bool is_map = ovsdb_type_is_map(type);
    unsigned int allocated = 0;
    unsigned int i = 0, j = 0;

    ovsdb_datum_init_empty(diff);
    while (i < old->n || j < new->n) {
        int cmp = (i >= old->n ? 1
                   : j >= new->n
                       ? -1
                       : ovsdb_atom_compare_3way(&old->keys[i], &new->keys[j],
                                                 type->key.type));
        if (cmp < 0) {
            append_copy(diff, &allocated, old, i++, type);
        } else if (cmp > 0) {
            append_copy(diff, &allocated, new, j++, type);
        } else {
            if (is_map
                && !ovsdb_atom_equals(&old->values[i], &new->values[j],
                                      type->value.type)) {
                append_copy(diff, &allocated, new, j, type);
            }
            i++;
            j++;
        }
    }
}

struct ovsdb_error *
ovsdb_datum_apply_diff(struct ovsdb_datum *new, const struct ovsdb_datum *old,
                       const struct ovsdb_datum *diff,
                       const struct ovsdb_type *type)
{
    bool is_map = ovsdb_type_is_map(type);
    unsigned int allocated = 0;
    unsigned int i = 0, j = 0;

    ovsdb_datum_init_empty(new);
    while (i < old->n || j < diff->n) {
        int cmp = (i >= old->n ? 1
                   : j >= diff->n
                       ? -1
                       : ovsdb_atom_compare_3way(&old->keys[i], &diff->keys[j],
                                                 type->key.type));
        if (cmp < 0) {
            append_copy(new, &allocated, old, i++, type);
        } else if (cmp > 0) {
            append_copy(new, &allocated, diff, j++, type);
        } else {
            /* In both: a set element or an unchanged map pair goes away,
             * a map pair with another value replaces the old one. */
            if (is_map
                && !ovsdb_atom_equals(&old->values[i], &diff->values[j],
                                      type->value.type)) {
                append_copy(new, &allocated, diff, j, type);
            }
            i++;
            j++;
        }
    }

    if (new->n < type->n_min || new->n > type->n_max) {
        unsigned int n = new->n;
        ovsdb_datum_destroy(new, type);
        return ovsdb_error("constraint violation",
                           "applying the diff gives %u elements but the "
                           "type allows %u to %u",
                           n, type->n_min, type->n_max);
    }
    return NULL;
}

/* Symbol tables. */

struct symbol_node {
    struct hmap_node hmap_node; /* In ovsdb_symbol_table's 'symbols'. */
    char *name;
    struct ovsdb_symbol symbol;
};

struct ovsdb_symbol_table *
ovsdb_symbol_table_create(void)
{
    struct ovsdb_symbol_table *symtab = xmalloc(sizeof *symtab);
    hmap_init(&symtab->symbols);
    return symtab;
}

void
ovsdb_symbol_table_destroy(struct ovsdb_symbol_table *symtab)
{
    if (symtab) {
        struct symbol_node *node;
        HMAP_FOR_EACH_POP (node, hmap_node, &symtab->symbols) {
            free(node->name);
            free(node);
        }
        hmap_destroy(&symtab->symbols);
        free(symtab);
    }
}

size_t
ovsdb_symbol_table_count(const struct ovsdb_symbol_table *symtab)
{
    return hmap_count(&symtab->symbols);
}

struct ovsdb_symbol *
ovsdb_symbol_table_find(const struct ovsdb_symbol_table *symtab,
                        const char *name)
{
    struct symbol_node *node;
    HMAP_FOR_EACH_WITH_HASH (node, hmap_node, hash_string(name, 0),
                             &symtab->symbols) {
        if (!strcmp(node->name, name)) {
            return &node->symbol;
        }
    }
    return NULL;
}

struct ovsdb_symbol *
ovsdb_symbol_table_put(struct ovsdb_symbol_table *symtab, const char *name,
                       const struct uuid *uuid, bool created)
{
    ovs_assert(!ovsdb_symbol_table_find(symtab, name));
    struct symbol_node *node = xzalloc(sizeof *node);
    node->name = xstrdup(name);
    node->symbol.uuid = *uuid;
    node->symbol.created = created;
    hmap_insert(&symtab->symbols, &node->hmap_node, hash_string(name, 0));
    return &node->symbol;
}

struct ovsdb_symbol *
ovsdb_symbol_table_insert(struct ovsdb_symbol_table *symtab, const char *name)
{
    struct ovsdb_symbol *symbol = ovsdb_symbol_table_find(symtab, name);
    if (!symbol) {
        struct uuid uuid;
        uuid_generate(&uuid);
        symbol = ovsdb_symbol_table_put(symtab, name, &uuid, false);
    }
    return symbol;
}

const char *
ovsdb_symbol_table_find_uncreated(const struct ovsdb_symbol_table *symtab)
{
    const char *first = NULL;
    struct symbol_node *node;
    HMAP_FOR_EACH (node, hmap_node, &symtab->symbols) {
        if (!node->symbol.created
            && (!first || strcmp(node->name, first) < 0)) {
            first = node->name;
        }
    }
    return first;
}

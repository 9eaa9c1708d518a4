/* OVSDB column types; see ovsdb-types.h. */
#include "ovsdb/ovsdb-types.h"

#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-parser.h"

static const char *const atomic_type_names[OVSDB_N_TYPES] = {
    [OVSDB_TYPE_VOID] = "void",     [OVSDB_TYPE_INTEGER] = "integer",
    [OVSDB_TYPE_REAL] = "real",     [OVSDB_TYPE_BOOLEAN] = "boolean",
    [OVSDB_TYPE_STRING] = "string", [OVSDB_TYPE_UUID] = "uuid",
};

const char *
ovsdb_atomic_type_to_string(enum ovsdb_atomic_type type)
{
    return type < OVSDB_N_TYPES ? atomic_type_names[type] : "<invalid>";
}

bool
ovsdb_atomic_type_from_string(const char *s, enum ovsdb_atomic_type *type)
{
    for (int i = OVSDB_TYPE_VOID + 1; i < OVSDB_N_TYPES; i++) {
        if (!strcmp(s, atomic_type_names[i])) {
            *type = i;
            return true;
        }
    }
    return false;
}

struct ovsdb_error *
ovsdb_atomic_type_from_json(enum ovsdb_atomic_type *type, const json_t *json)
{
    if (json_is_string(json)) {
        const char *s = json_string_value(json);
        if (ovsdb_atomic_type_from_string(s, type)) {
            return NULL;
        }
        *type = OVSDB_TYPE_VOID;
        return ovsdb_syntax_error(json, NULL, "\"%s\" is not an atomic-type",
                                  s);
    }
    *type = OVSDB_TYPE_VOID;
    return ovsdb_syntax_error(json, NULL, "atomic-type expected");
}

json_t *
ovsdb_atomic_type_to_json(enum ovsdb_atomic_type type)
{
    return json_string(ovsdb_atomic_type_to_string(type));
}

/* Base types. */

static void
ovsdb_base_type_init_constraints(struct ovsdb_base_type *base)
{
    memset(&base->u, 0, sizeof base->u);
    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        base->u.integer.min = INT64_MIN;
        base->u.integer.max = INT64_MAX;
        break;
    case OVSDB_TYPE_REAL:
        base->u.real.min = -DBL_MAX;
        base->u.real.max = DBL_MAX;
        break;
    case OVSDB_TYPE_STRING:
        base->u.string.min_len = 0;
        base->u.string.max_len = UINT_MAX;
        break;
    case OVSDB_TYPE_UUID:
        base->u.uuid.ref_table_name = NULL;
        base->u.uuid.ref_table = NULL;
        base->u.uuid.ref_type = OVSDB_REF_STRONG;
        break;
    case OVSDB_TYPE_VOID:
    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_N_TYPES:
    default:
        break;
    }
}

void
ovsdb_base_type_init(struct ovsdb_base_type *base, enum ovsdb_atomic_type type)
{
    base->type = type;
    base->enum_ = NULL;
    ovsdb_base_type_init_constraints(base);
}

/* Returns the set type whose elements are 'base' without constraints: the
 * type of 'base''s enum.  The result needs no destruction. */
static struct ovsdb_type
ovsdb_base_type_enum_type(const struct ovsdb_base_type *base)
{
    struct ovsdb_type type;
    ovsdb_type_init_scalar(&type, base->type);
    type.n_max = UINT_MAX;
    return type;
}

void
ovsdb_base_type_clone(struct ovsdb_base_type *dst,
                      const struct ovsdb_base_type *src)
{
    *dst = *src;
    if (src->enum_) {
        struct ovsdb_type enum_type = ovsdb_base_type_enum_type(src);
        dst->enum_ = xmalloc(sizeof *dst->enum_);
        ovsdb_datum_clone(dst->enum_, src->enum_, &enum_type);
    }
    if (src->type == OVSDB_TYPE_UUID) {
        dst->u.uuid.ref_table_name =
            nullable_xstrdup(src->u.uuid.ref_table_name);
    }
}

void
ovsdb_base_type_clear_constraints(struct ovsdb_base_type *base)
{
    if (base->enum_) {
        struct ovsdb_type enum_type = ovsdb_base_type_enum_type(base);
        ovsdb_datum_destroy(base->enum_, &enum_type);
        free(base->enum_);
        base->enum_ = NULL;
    }
    if (base->type == OVSDB_TYPE_UUID) {
        free(base->u.uuid.ref_table_name);
    }
    ovsdb_base_type_init_constraints(base);
}

void
ovsdb_base_type_destroy(struct ovsdb_base_type *base)
{
    if (base) {
        ovsdb_base_type_clear_constraints(base);
    }
}

bool
ovsdb_base_type_has_constraints(const struct ovsdb_base_type *base)
{
    if (base->enum_) {
        return true;
    }
    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        return (base->u.integer.min != INT64_MIN
                || base->u.integer.max != INT64_MAX);
    case OVSDB_TYPE_REAL:
        return (base->u.real.min != -DBL_MAX || base->u.real.max != DBL_MAX);
    case OVSDB_TYPE_STRING:
        return (base->u.string.min_len != 0
                || base->u.string.max_len != UINT_MAX);
    case OVSDB_TYPE_UUID:
        return base->u.uuid.ref_table_name != NULL;
    case OVSDB_TYPE_VOID:
    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_N_TYPES:
    default:
        return false;
    }
}

bool
ovsdb_base_type_equals(const struct ovsdb_base_type *a,
                       const struct ovsdb_base_type *b)
{
    if (a->type != b->type || !a->enum_ != !b->enum_) {
        return false;
    }
    if (a->enum_) {
        struct ovsdb_type enum_type = ovsdb_base_type_enum_type(a);
        return ovsdb_datum_equals(a->enum_, b->enum_, &enum_type);
    }
    switch (a->type) {
    case OVSDB_TYPE_INTEGER:
        return (a->u.integer.min == b->u.integer.min
                && a->u.integer.max == b->u.integer.max);
    case OVSDB_TYPE_REAL:
        return (a->u.real.min == b->u.real.min
                && a->u.real.max == b->u.real.max);
    case OVSDB_TYPE_STRING:
        return (a->u.string.min_len == b->u.string.min_len
                && a->u.string.max_len == b->u.string.max_len);
    case OVSDB_TYPE_UUID:
        if (!a->u.uuid.ref_table_name || !b->u.uuid.ref_table_name) {
            return !a->u.uuid.ref_table_name == !b->u.uuid.ref_table_name;
        }
        return (!strcmp(a->u.uuid.ref_table_name, b->u.uuid.ref_table_name)
                && a->u.uuid.ref_type == b->u.uuid.ref_type);
    case OVSDB_TYPE_VOID:
    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_N_TYPES:
    default:
        return true;
    }
}

bool
ovsdb_base_type_is_valid(const struct ovsdb_base_type *base)
{
    switch (base->type) {
    case OVSDB_TYPE_VOID:
    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_TYPE_UUID:
        return true;
    case OVSDB_TYPE_INTEGER:
        return base->u.integer.min <= base->u.integer.max;
    case OVSDB_TYPE_REAL:
        return base->u.real.min <= base->u.real.max;
    case OVSDB_TYPE_STRING:
        return base->u.string.min_len <= base->u.string.max_len;
    case OVSDB_N_TYPES:
    default:
        return false;
    }
}

/* Reads string length constraint 'name' into '*length' if present. */
static struct ovsdb_error *
parse_length(struct ovsdb_parser *parser, const char *name,
             unsigned int *length)
{
    const json_t *json =
        ovsdb_parser_member(parser, name, OP_INTEGER | OP_OPTIONAL);
    if (json) {
        json_int_t n = json_integer_value(json);
        if (n < 0 || n > UINT_MAX) {
            return ovsdb_syntax_error(
                json, NULL, "%s out of valid range 0 to %u", name, UINT_MAX);
        }
        *length = n;
    }
    return NULL;
}

/* Parses the constraints in object 'json' for 'base', whose type is
 * already set, through 'parser'. */
static struct ovsdb_error *
parse_constraints(struct ovsdb_base_type *base, struct ovsdb_parser *parser,
                  const json_t *json)
{
    const json_t *enum_json =
        ovsdb_parser_member(parser, "enum", OP_ANY | OP_OPTIONAL);
    if (enum_json) {
        struct ovsdb_type enum_type = ovsdb_base_type_enum_type(base);
        base->enum_ = xmalloc(sizeof *base->enum_);
        struct ovsdb_error *error =
            ovsdb_datum_from_json(base->enum_, &enum_type, enum_json, NULL);
        if (error) {
            free(base->enum_);
            base->enum_ = NULL;
        }
        return error;
    }

    switch (base->type) {
    case OVSDB_TYPE_INTEGER: {
        const json_t *min = ovsdb_parser_member(parser, "minInteger",
                                                OP_INTEGER | OP_OPTIONAL);
        const json_t *max = ovsdb_parser_member(parser, "maxInteger",
                                                OP_INTEGER | OP_OPTIONAL);
        if (min) {
            base->u.integer.min = json_integer_value(min);
        }
        if (max) {
            base->u.integer.max = json_integer_value(max);
        }
        if (base->u.integer.min > base->u.integer.max) {
            return ovsdb_syntax_error(json, NULL,
                                      "minInteger exceeds maxInteger");
        }
        break;
    }

    case OVSDB_TYPE_REAL: {
        const json_t *min =
            ovsdb_parser_member(parser, "minReal", OP_NUMBER | OP_OPTIONAL);
        const json_t *max =
            ovsdb_parser_member(parser, "maxReal", OP_NUMBER | OP_OPTIONAL);
        if (min) {
            base->u.real.min = json_number_value(min);
        }
        if (max) {
            base->u.real.max = json_number_value(max);
        }
        if (base->u.real.min > base->u.real.max) {
            return ovsdb_syntax_error(json, NULL, "minReal exceeds maxReal");
        }
        break;
    }

    case OVSDB_TYPE_STRING: {
        struct ovsdb_error *error;
        error = parse_length(parser, "minLength", &base->u.string.min_len);
        if (!error) {
            error = parse_length(parser, "maxLength", &base->u.string.max_len);
        }
        if (error) {
            return error;
        }
        if (base->u.string.min_len > base->u.string.max_len) {
            return ovsdb_syntax_error(json, NULL,
                                      "minLength exceeds maxLength");
        }
        break;
    }

    case OVSDB_TYPE_UUID: {
        const json_t *ref_table =
            ovsdb_parser_member(parser, "refTable", OP_ID | OP_OPTIONAL);
        if (ref_table) {
            base->u.uuid.ref_table_name =
                xstrdup(json_string_value(ref_table));
            const json_t *ref_type = ovsdb_parser_member(
                parser, "refType", OP_STRING | OP_OPTIONAL);
            if (ref_type) {
                const char *s = json_string_value(ref_type);
                if (!strcmp(s, "strong")) {
                    base->u.uuid.ref_type = OVSDB_REF_STRONG;
                } else if (!strcmp(s, "weak")) {
                    base->u.uuid.ref_type = OVSDB_REF_WEAK;
                } else {
                    return ovsdb_syntax_error(
                        json, NULL,
                        "refType must be \"strong\" or \"weak\" "
                        "(not \"%s\")",
                        s);
                }
            }
        }
        break;
    }

    case OVSDB_TYPE_VOID:
    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_N_TYPES:
    default:
        break;
    }
    return NULL;
}

struct ovsdb_error *
ovsdb_base_type_from_json(struct ovsdb_base_type *base, const json_t *json)
{
    ovsdb_base_type_init(base, OVSDB_TYPE_VOID);

    if (json_is_string(json)) {
        enum ovsdb_atomic_type type;
        struct ovsdb_error *error = ovsdb_atomic_type_from_json(&type, json);
        if (!error) {
            ovsdb_base_type_init(base, type);
        }
        return error;
    } else if (!json_is_object(json)) {
        return ovsdb_syntax_error(json, NULL,
                                  "base type specification must be a "
                                  "string or an object");
    }

    struct ovsdb_parser parser;
    ovsdb_parser_init(&parser, json, "ovsdb type");
    const json_t *type_json = ovsdb_parser_member(&parser, "type", OP_STRING);
    if (ovsdb_parser_has_error(&parser)) {
        return ovsdb_parser_finish(&parser);
    }

    enum ovsdb_atomic_type type;
    struct ovsdb_error *error = ovsdb_atomic_type_from_json(&type, type_json);
    if (error) {
        ovsdb_parser_destroy(&parser);
        return error;
    }
    ovsdb_base_type_init(base, type);

    error = parse_constraints(base, &parser, json);
    struct ovsdb_error *parse_error = ovsdb_parser_finish(&parser);
    if (parse_error) {
        /* A member of the wrong type or an unknown member is the root
         * cause of anything else that went wrong. */
        ovsdb_error_destroy(error);
        error = parse_error;
    }
    if (error) {
        ovsdb_base_type_destroy(base);
        ovsdb_base_type_init(base, OVSDB_TYPE_VOID);
    }
    return error;
}

json_t *
ovsdb_base_type_to_json(const struct ovsdb_base_type *base)
{
    if (!ovsdb_base_type_has_constraints(base)) {
        return ovsdb_atomic_type_to_json(base->type);
    }

    json_t *json = json_object();
    json_object_set_new(json, "type", ovsdb_atomic_type_to_json(base->type));
    if (base->enum_) {
        struct ovsdb_type enum_type = ovsdb_base_type_enum_type(base);
        json_object_set_new(json, "enum",
                            ovsdb_datum_to_json(base->enum_, &enum_type));
        return json;
    }

    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        if (base->u.integer.min != INT64_MIN) {
            json_object_set_new(json, "minInteger",
                                json_integer(base->u.integer.min));
        }
        if (base->u.integer.max != INT64_MAX) {
            json_object_set_new(json, "maxInteger",
                                json_integer(base->u.integer.max));
        }
        break;

    case OVSDB_TYPE_REAL:
        if (base->u.real.min != -DBL_MAX) {
            json_object_set_new(json, "minReal",
                                ovsdb_atom_real_to_json(base->u.real.min));
        }
        if (base->u.real.max != DBL_MAX) {
            json_object_set_new(json, "maxReal",
                                ovsdb_atom_real_to_json(base->u.real.max));
        }
        break;

    case OVSDB_TYPE_STRING:
        if (base->u.string.min_len != 0) {
            json_object_set_new(json, "minLength",
                                json_integer(base->u.string.min_len));
        }
        if (base->u.string.max_len != UINT_MAX) {
            json_object_set_new(json, "maxLength",
                                json_integer(base->u.string.max_len));
        }
        break;

    case OVSDB_TYPE_UUID:
        if (base->u.uuid.ref_table_name) {
            json_object_set_new(json, "refTable",
                                json_string(base->u.uuid.ref_table_name));
            if (base->u.uuid.ref_type == OVSDB_REF_WEAK) {
                json_object_set_new(json, "refType", json_string("weak"));
            }
        }
        break;

    case OVSDB_TYPE_VOID:
    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_N_TYPES:
    default:
        break;
    }
    return json;
}

/* Full types. */

void
ovsdb_type_init_scalar(struct ovsdb_type *type, enum ovsdb_atomic_type key)
{
    ovsdb_base_type_init(&type->key, key);
    ovsdb_base_type_init(&type->value, OVSDB_TYPE_VOID);
    type->n_min = 1;
    type->n_max = 1;
}

void
ovsdb_type_clone(struct ovsdb_type *dst, const struct ovsdb_type *src)
{
    ovsdb_base_type_clone(&dst->key, &src->key);
    ovsdb_base_type_clone(&dst->value, &src->value);
    dst->n_min = src->n_min;
    dst->n_max = src->n_max;
}

void
ovsdb_type_destroy(struct ovsdb_type *type)
{
    if (type) {
        ovsdb_base_type_destroy(&type->key);
        ovsdb_base_type_destroy(&type->value);
    }
}

bool
ovsdb_type_equals(const struct ovsdb_type *a, const struct ovsdb_type *b)
{
    return (ovsdb_base_type_equals(&a->key, &b->key)
            && ovsdb_base_type_equals(&a->value, &b->value)
            && a->n_min == b->n_min && a->n_max == b->n_max);
}

bool
ovsdb_type_is_valid(const struct ovsdb_type *type)
{
    return (type->key.type != OVSDB_TYPE_VOID
            && ovsdb_base_type_is_valid(&type->key)
            && ovsdb_base_type_is_valid(&type->value) && type->n_min <= 1
            && type->n_max >= 1 && type->n_min <= type->n_max);
}

/* Parses the "min" or "max" member 'json' into '*n'. */
static struct ovsdb_error *
n_from_json(const json_t *json, unsigned int *n)
{
    if (!json) {
        return NULL;
    }
    if (json_is_integer(json)) {
        json_int_t value = json_integer_value(json);
        if (value >= 0 && value < UINT_MAX) {
            *n = value;
            return NULL;
        }
    } else if (json_is_string(json)
               && !strcmp(json_string_value(json), "unlimited")) {
        *n = UINT_MAX;
        return NULL;
    }
    return ovsdb_syntax_error(json, NULL, "bad min or max value");
}

struct ovsdb_error *
ovsdb_type_from_json(struct ovsdb_type *type, const json_t *json)
{
    ovsdb_type_init_scalar(type, OVSDB_TYPE_VOID);

    if (json_is_string(json)) {
        return ovsdb_base_type_from_json(&type->key, json);
    } else if (!json_is_object(json)) {
        return ovsdb_syntax_error(json, NULL, "ovsdb type expected");
    }

    struct ovsdb_parser parser;
    ovsdb_parser_init(&parser, json, "ovsdb type");
    const json_t *key =
        ovsdb_parser_member(&parser, "key", OP_STRING | OP_OBJECT);
    const json_t *value = ovsdb_parser_member(
        &parser, "value", OP_STRING | OP_OBJECT | OP_OPTIONAL);
    const json_t *min =
        ovsdb_parser_member(&parser, "min", OP_INTEGER | OP_OPTIONAL);
    const json_t *max = ovsdb_parser_member(
        &parser, "max", OP_INTEGER | OP_STRING | OP_OPTIONAL);
    struct ovsdb_error *error = ovsdb_parser_finish(&parser);
    if (!error) {
        error = ovsdb_base_type_from_json(&type->key, key);
    }
    if (!error && value) {
        error = ovsdb_base_type_from_json(&type->value, value);
    }
    if (!error) {
        error = n_from_json(min, &type->n_min);
    }
    if (!error) {
        error = n_from_json(max, &type->n_max);
    }
    if (!error && !ovsdb_type_is_valid(type)) {
        error = ovsdb_syntax_error(json, NULL,
                                   "ovsdb type fails constraint checks");
    }
    if (error) {
        ovsdb_type_destroy(type);
        ovsdb_type_init_scalar(type, OVSDB_TYPE_VOID);
    }
    return error;
}

json_t *
ovsdb_type_to_json(const struct ovsdb_type *type)
{
    /* The short form "integer" is only for scalars without constraints;
     * a constrained scalar keeps the {"key": ...} wrapper. */
    if (ovsdb_type_is_scalar(type)
        && !ovsdb_base_type_has_constraints(&type->key)) {
        return ovsdb_atomic_type_to_json(type->key.type);
    }

    json_t *json = json_object();
    json_object_set_new(json, "key", ovsdb_base_type_to_json(&type->key));
    if (type->value.type != OVSDB_TYPE_VOID) {
        json_object_set_new(json, "value",
                            ovsdb_base_type_to_json(&type->value));
    }
    if (type->n_min != 1) {
        json_object_set_new(json, "min", json_integer(type->n_min));
    }
    if (type->n_max == UINT_MAX) {
        json_object_set_new(json, "max", json_string("unlimited"));
    } else if (type->n_max != 1) {
        json_object_set_new(json, "max", json_integer(type->n_max));
    }
    return json;
}

char *
ovsdb_type_to_english(const struct ovsdb_type *type)
{
    const char *key = ovsdb_atomic_type_to_string(type->key.type);
    if (ovsdb_type_is_scalar(type)) {
        return xstrdup(key);
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&s, ovsdb_type_is_map(type) ? "map of " : "set of ");
    if (type->n_max == UINT_MAX) {
        if (type->n_min) {
            ds_put_format(&s, "%u or more ", type->n_min);
        }
    } else if (type->n_min) {
        ds_put_format(&s, "%u to %u ", type->n_min, type->n_max);
    } else {
        ds_put_format(&s, "up to %u ", type->n_max);
    }
    if (ovsdb_type_is_map(type)) {
        ds_put_format(&s, "(%s, %s) pairs", key,
                      ovsdb_atomic_type_to_string(type->value.type));
    } else {
        ds_put_format(&s, "%ss", key);
    }
    return ds_steal_cstr(&s);
}

/* JSON object member reader; see ovsdb-parser.h. */
#include "ovsdb/ovsdb-parser.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/ovsdb-error.h"

void
ovsdb_parser_init(struct ovsdb_parser *parser, const json_t *json,
                  const char *name, ...)
{
    va_list args;
    va_start(args, name);
    int n = vsnprintf(parser->name_buf, sizeof parser->name_buf, name, args);
    va_end(args);
    if (n < (int) sizeof parser->name_buf) {
        parser->name = parser->name_buf;
    } else {
        va_start(args, name);
        parser->name = xvasprintf(name, args);
        va_end(args);
    }

    parser->used = parser->used_buf;
    parser->n_used = 0;
    parser->allocated_used = ARRAY_SIZE(parser->used_buf);
    parser->error = NULL;
    parser->object = json_is_object(json) ? json : NULL;
    if (!parser->object) {
        parser->error = ovsdb_syntax_error(NULL, NULL,
                                           "Parsing %s failed: "
                                           "Object expected.",
                                           parser->name);
    }
}

bool
ovsdb_parser_is_id(const char *s)
{
    if (!isalpha((unsigned char) *s) && *s != '_') {
        return false;
    }
    for (s++; *s; s++) {
        if (!isalnum((unsigned char) *s) && *s != '_') {
            return false;
        }
    }
    return true;
}

static bool
ovsdb_parser_type_matches(const json_t *value, enum ovsdb_parser_types types)
{
    switch (json_typeof(value)) {
    case JSON_NULL:
        return types & OP_NULL;
    case JSON_FALSE:
        return types & OP_FALSE;
    case JSON_TRUE:
        return types & OP_TRUE;
    case JSON_INTEGER:
        return types & OP_INTEGER;
    case JSON_REAL:
        return types & OP_NONINTEGER;
    case JSON_STRING:
        return ((types & OP_STRING)
                || ((types & OP_ID)
                    && ovsdb_parser_is_id(json_string_value(value))));
    case JSON_ARRAY:
        return types & OP_ARRAY;
    case JSON_OBJECT:
        return types & OP_OBJECT;
    }
    return false;
}

static bool
parser_is_used(const struct ovsdb_parser *parser, const char *key)
{
    for (size_t i = 0; i < parser->n_used; i++) {
        if (parser->used[i] == key) {
            return true;
        }
    }
    return false;
}

static void
parser_mark_used(struct ovsdb_parser *parser, const char *key)
{
    if (parser_is_used(parser, key)) {
        return;
    }
    if (parser->n_used >= parser->allocated_used) {
        size_t n = parser->allocated_used * 2;
        const char **used = xmalloc(n * sizeof *used);
        memcpy(used, parser->used, parser->n_used * sizeof *used);
        if (parser->used != parser->used_buf) {
            free(parser->used);
        }
        parser->used = used;
        parser->allocated_used = n;
    }
    parser->used[parser->n_used++] = key;
}

const json_t *
ovsdb_parser_member(struct ovsdb_parser *parser, const char *name,
                    enum ovsdb_parser_types types)
{
    if (parser->error) {
        return NULL;
    }

    void *iter = json_object_iter_at((json_t *) parser->object, name);
    const json_t *value = iter ? json_object_iter_value(iter) : NULL;
    if (!value) {
        if (!(types & OP_OPTIONAL)) {
            parser->error = ovsdb_syntax_error(
                parser->object, NULL,
                "Parsing %s failed: Required '%s' member is missing.",
                parser->name, name);
        }
        return NULL;
    }

    parser_mark_used(parser, json_object_iter_key(iter));
    if (!ovsdb_parser_type_matches(value, types)) {
        parser->error = ovsdb_syntax_error(
            parser->object, NULL,
            "Parsing %s failed: Type mismatch for member '%s'.", parser->name,
            name);
        return NULL;
    }
    return value;
}

bool
ovsdb_parser_has_error(const struct ovsdb_parser *parser)
{
    return parser->error != NULL;
}

void
ovsdb_parser_put_error(struct ovsdb_parser *parser, struct ovsdb_error *error)
{
    if (parser->error) {
        ovsdb_error_destroy(error);
    } else {
        parser->error = error;
    }
}

struct ovsdb_error *
ovsdb_parser_finish(struct ovsdb_parser *parser)
{
    if (!parser->error && parser->object
        && parser->n_used < json_object_size(parser->object)) {
        /* Report the first unexpected member in name order, so that the
         * message does not depend on the input's member order. */
        const char *unexpected = NULL;
        const char *key;
        json_t *value;
        json_object_foreach ((json_t *) parser->object, key, value) {
            if (!parser_is_used(parser, key)
                && (!unexpected || strcmp(key, unexpected) < 0)) {
                unexpected = key;
            }
        }
        if (unexpected) {
            parser->error = ovsdb_syntax_error(
                parser->object, NULL,
                "Parsing %s failed: Member '%s' is present but not "
                "allowed here.",
                parser->name, unexpected);
        }
    }

    struct ovsdb_error *error = parser->error;
    parser->error = NULL;
    ovsdb_parser_destroy(parser);
    return error;
}

void
ovsdb_parser_destroy(struct ovsdb_parser *parser)
{
    if (parser->name != parser->name_buf) {
        free(parser->name);
    }
    parser->name = NULL;
    if (parser->used != parser->used_buf) {
        free(parser->used);
    }
    parser->used = parser->used_buf;
    parser->n_used = 0;
    parser->allocated_used = ARRAY_SIZE(parser->used_buf);
    ovsdb_error_destroy(parser->error);
    parser->error = NULL;
}

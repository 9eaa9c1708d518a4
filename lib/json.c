/* Helpers around jansson; see json.h. */
#include "lib/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sset.h"

const char *
json_type_name(const json_t *json)
{
    switch (json ? json_typeof(json) : JSON_NULL) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "real";
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
    default:
        return "null";
    }
}

json_t *
json_array_of_strings(const char *const *strings, size_t n)
{
    json_t *array = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(array, json_string(strings[i]));
    }
    return array;
}

json_t *
json_array_of_sset(const struct sset *sset)
{
    const char **names = sset_sort(sset);
    json_t *array = json_array_of_strings(names, sset_count(sset));
    free(names);
    return array;
}

bool
json_is_array_of_strings(const json_t *json)
{
    if (!json_is_array(json)) {
        return false;
    }
    for (size_t i = 0; i < json_array_size(json); i++) {
        if (!json_is_string(json_array_get(json, i))) {
            return false;
        }
    }
    return true;
}

json_t *
json_string_take(char *s)
{
    json_t *json = json_string(s);
    if (!json) {
        /* jansson refuses invalid UTF-8; keep the bytes visible rather
         * than losing the value. */
        json = json_stringn_nocheck(s, strlen(s));
    }
    free(s);
    return json;
}

static json_t *
json_get_typed(const json_t *object, const char *key, json_type type)
{
    if (!json_is_object(object)) {
        return NULL;
    }
    json_t *value = json_object_get(object, key);
    return value && json_typeof(value) == type ? value : NULL;
}

const char *
json_get_string(const json_t *object, const char *key)
{
    return json_string_value(json_get_typed(object, key, JSON_STRING));
}

json_t *
json_get_array(const json_t *object, const char *key)
{
    return json_get_typed(object, key, JSON_ARRAY);
}

json_t *
json_get_object(const json_t *object, const char *key)
{
    return json_get_typed(object, key, JSON_OBJECT);
}

bool
json_get_integer(const json_t *object, const char *key, long long *value)
{
    const json_t *json = json_get_typed(object, key, JSON_INTEGER);
    if (json) {
        *value = json_integer_value(json);
    }
    return json != NULL;
}

bool
json_get_boolean(const json_t *object, const char *key, bool *value)
{
    if (!json_is_object(object)) {
        return false;
    }
    const json_t *json = json_object_get(object, key);
    if (!json_is_boolean(json)) {
        return false;
    }
    *value = json_is_true(json);
    return true;
}

static size_t
json_dump_flags(bool sort_keys, bool pretty)
{
    /* JSON_ENCODE_ANY: scalars are values too.  Slashes are left alone
     * and non-ASCII is written as UTF-8, as OVS does. */
    return (JSON_ENCODE_ANY | JSON_REAL_PRECISION(17)
            | (sort_keys ? JSON_SORT_KEYS : 0)
            | (pretty ? JSON_INDENT(2) : JSON_COMPACT));
}

static int
json_dump_to_ds(const char *buffer, size_t size, void *ds_)
{
    struct ds *ds = ds_;
    ds_put_buffer(ds, buffer, size);
    return 0;
}

void
json_to_ds(const json_t *json, bool sort_keys, bool pretty, struct ds *out)
{
    if (!json) {
        ds_put_cstr(out, "null");
        return;
    }
    if (json_dump_callback(json, json_dump_to_ds, out,
                           json_dump_flags(sort_keys, pretty))) {
        /* jansson fails only for values JSON cannot express (NaN or
         * infinite reals) or on memory exhaustion. */
        ds_put_cstr(out, "null");
    }
}

static char *
json_to_string__(const json_t *json, bool sort_keys, bool pretty)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    json_to_ds(json, sort_keys, pretty, &ds);
    return ds_steal_cstr(&ds);
}

char *
json_to_string_compact(const json_t *json, bool sort_keys)
{
    return json_to_string__(json, sort_keys, false);
}

char *
json_to_string_pretty(const json_t *json, bool sort_keys)
{
    return json_to_string__(json, sort_keys, true);
}

static char *
json_format_error(const json_error_t *error)
{
    return xasprintf("line %d, column %d: %s", error->line, error->column,
                     error->text);
}

char *
json_from_buffer(const void *buf, size_t n, json_t **jsonp)
{
    json_error_t error;
    *jsonp = json_loadb(buf, n, JSON_DECODE_ANY, &error);
    return *jsonp ? NULL : json_format_error(&error);
}

char *
json_from_string(const char *s, json_t **jsonp)
{
    return json_from_buffer(s, strlen(s), jsonp);
}

char *
json_from_file(const char *file_name, json_t **jsonp)
{
    *jsonp = NULL;

    FILE *file = fopen(file_name, "r");
    if (!file) {
        return xasprintf("%s: open failed (%s)", file_name,
                         ovs_strerror(errno));
    }

    struct ds ds = DS_EMPTY_INITIALIZER;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, file)) > 0) {
        ds_put_buffer(&ds, buf, n);
    }
    int read_error = ferror(file) ? errno : 0;
    fclose(file);
    if (read_error) {
        ds_destroy(&ds);
        return xasprintf("%s: read failed (%s)", file_name,
                         ovs_strerror(read_error));
    }

    char *error =
        json_from_buffer(ds.string ? ds.string : "", ds.length, jsonp);
    ds_destroy(&ds);
    if (error) {
        char *msg = xasprintf("%s: %s", file_name, error);
        free(error);
        return msg;
    }
    return NULL;
}

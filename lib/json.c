/* Helpers around jansson; see json.h. */
#include "lib/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "lib/hash-order.h"
#include "lib/json-syntax.h"
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

/* Serialisation is written here rather than left to jansson because
 * scripts compare OVS's output byte for byte, and jansson differs in the
 * details: OVS prints reals with 15 significant digits in %g style
 * ("0.1", "10", "1e+20"), escapes control characters as lowercase \u00xx,
 * and pretty-prints with each element on its own line and the closing
 * brackets on the line of the last element. */
struct json_writer {
    struct ds *out;
    bool sort_keys;
    bool pretty;
    bool as_ovs_parsed; /* See json_to_ds_as_ovs_parsed(). */
};

static void json_write(struct json_writer *, const json_t *, int level);

static void
json_write_newline(struct json_writer *w, int level)
{
    if (w->pretty) {
        ds_put_char(w->out, '\n');
        ds_put_char_multiple(w->out, ' ', level * 2);
    }
}

void
json_string_to_ds(const char *s, size_t len, struct ds *out)
{
    /* Most strings (names, UUIDs, values) need no escape: copied whole. */
    size_t plain = json_syntax_plain_len(s, len);
    char *p = ds_put_uninit(out, plain + 1 + (plain == len));
    *p = '"';
    memcpy(p + 1, s, plain);
    if (plain == len) {
        p[len + 1] = '"';
        return;
    }

    for (size_t i = plain; i < len; i++) {
        /* Characters that need no escape are copied a run at a time. */
        size_t run = 0;
        while (i + run < len && (unsigned char) s[i + run] >= 0x20
               && s[i + run] != '"' && s[i + run] != '\\') {
            run++;
        }
        if (run) {
            ds_put_buffer(out, &s[i], run);
            i += run;
            if (i >= len) {
                break;
            }
        }
        unsigned char c = s[i];
        switch (c) {
        case '"':
            ds_put_cstr(out, "\\\"");
            break;
        case '\\':
            ds_put_cstr(out, "\\\\");
            break;
        case '\b':
            ds_put_cstr(out, "\\b");
            break;
        case '\f':
            ds_put_cstr(out, "\\f");
            break;
        case '\n':
            ds_put_cstr(out, "\\n");
            break;
        case '\r':
            ds_put_cstr(out, "\\r");
            break;
        case '\t':
            ds_put_cstr(out, "\\t");
            break;
        default:
            if (c < 0x20) {
                ds_put_format(out, "\\u%04x", c);
            } else {
                ds_put_char(out, c);
            }
            break;
        }
    }
    ds_put_char(out, '"');
}

/* As "%" JSON_INTEGER_FORMAT would, without the cost of printf. */
void
json_integer_to_ds(json_int_t v, struct ds *out)
{
    char buf[24];
    char *p = &buf[sizeof buf];
    unsigned long long u = (unsigned long long) v;
    if (v < 0) {
        u = -u;
    }
    do {
        *--p = '0' + u % 10;
        u /= 10;
    } while (u);
    if (v < 0) {
        *--p = '-';
    }
    ds_put_buffer(out, p, &buf[sizeof buf] - p);
}

/* Appends 'd' as OVS does: "%.15g", which never needs a decimal point, so
 * 10.0 prints as "10".  Non-finite values cannot be expressed in JSON;
 * they print as null. */
static void
json_write_real(struct json_writer *w, double d)
{
    struct ds *out = w->out;

    if (w->as_ovs_parsed && d == trunc(d) && d >= -0x1p63 && d < 0x1p63) {
        /* OVS's parser reads any integral number that fits as an integer,
         * even "2.0" or "1.5e3". */
        ds_put_format(out, "%lld", (long long) d);
    } else if (isfinite(d)) {
        ds_put_format(out, "%.15g", d);
    } else {
        ds_put_cstr(out, "null");
    }
}

static void
json_write_member(struct json_writer *w, size_t i, const char *key,
                  size_t key_len, const json_t *value, int level)
{
    if (i) {
        ds_put_char(w->out, ',');
        json_write_newline(w, level + 1);
    }
    json_string_to_ds(key, key_len, w->out);
    ds_put_cstr(w->out, w->pretty ? ": " : ":");
    json_write(w, value, level + 1);
}

static void
json_write_object(struct json_writer *w, const json_t *json, int level)
{
    const char *key;
    json_t *value;
    size_t i = 0;

    ds_put_char(w->out, '{');
    json_write_newline(w, level + 1);
    if (!w->sort_keys && !w->as_ovs_parsed) {
        /* Members in their own order, straight from the object. */
        json_t *object = (json_t *) json;
        for (void *iter = json_object_iter(object); iter;
             iter = json_object_iter_next(object, iter)) {
            json_write_member(w, i++, json_object_iter_key(iter),
                              json_object_iter_key_len(iter),
                              json_object_iter_value(iter), level);
        }
    } else {
        size_t n = json_object_size(json);
        const char **keys = xmalloc(MAX(n, 1) * sizeof *keys);
        json_object_foreach ((json_t *) json, key, value) {
            keys[i++] = key;
        }
        if (w->sort_keys) {
            qsort(keys, n, sizeof *keys, str_compare_ptrs);
        } else {
            hash_order_strings(keys, n);
        }
        for (i = 0; i < n; i++) {
            json_write_member(w, i, keys[i], strlen(keys[i]),
                              json_object_get(json, keys[i]), level);
        }
        free(keys);
    }
    ds_put_char(w->out, '}');
}

void
json_object_reorder_as_ovs(json_t *object)
{
    size_t n = json_object_size(object);
    if (n < 2) {
        return;
    }

    const char **keys = xmalloc(n * sizeof *keys);
    const char *key;
    json_t *value;
    size_t i = 0;
    json_object_foreach (object, key, value) {
        keys[i++] = key;
    }
    hash_order_strings(keys, n);

    /* jansson keeps members in insertion order: rebuild. */
    json_t *ordered = json_object();
    for (i = 0; i < n; i++) {
        json_object_set(ordered, keys[i], json_object_get(object, keys[i]));
    }
    free(keys);
    json_object_clear(object);
    json_object_update(object, ordered);
    json_decref(ordered);
}

void
json_reorder_as_ovs(json_t *json)
{
    if (json_is_array(json)) {
        for (size_t i = 0; i < json_array_size(json); i++) {
            json_reorder_as_ovs(json_array_get(json, i));
        }
    } else if (json_is_object(json)) {
        const char *key;
        json_t *value;
        json_object_foreach (json, key, value) {
            json_reorder_as_ovs(value);
        }
        json_object_reorder_as_ovs(json);
    }
}

static void
json_write_array(struct json_writer *w, const json_t *json, int level)
{
    size_t n = json_array_size(json);
    if (!n) {
        ds_put_cstr(w->out, "[]");
        return;
    }
    ds_put_char(w->out, '[');
    json_write_newline(w, level + 1);
    for (size_t i = 0; i < n; i++) {
        if (i) {
            ds_put_char(w->out, ',');
            json_write_newline(w, level + 1);
        }
        json_write(w, json_array_get(json, i), level + 1);
    }
    ds_put_char(w->out, ']');
}

static void
json_write(struct json_writer *w, const json_t *json, int level)
{
    switch (json ? json_typeof(json) : JSON_NULL) {
    case JSON_OBJECT:
        json_write_object(w, json, level);
        break;
    case JSON_ARRAY:
        json_write_array(w, json, level);
        break;
    case JSON_STRING:
        json_string_to_ds(json_string_value(json), json_string_length(json),
                          w->out);
        break;
    case JSON_INTEGER:
        json_integer_to_ds(json_integer_value(json), w->out);
        break;
    case JSON_REAL:
        json_write_real(w, json_real_value(json));
        break;
    case JSON_TRUE:
        ds_put_cstr(w->out, "true");
        break;
    case JSON_FALSE:
        ds_put_cstr(w->out, "false");
        break;
    case JSON_NULL:
    default:
        ds_put_cstr(w->out, "null");
        break;
    }
}

void
json_to_ds(const json_t *json, bool sort_keys, bool pretty, struct ds *out)
{
    struct json_writer w = {out, sort_keys, pretty, false};
    json_write(&w, json, 0);
}

void
json_to_ds_as_ovs_parsed(const json_t *json, bool sort_keys, bool pretty,
                         struct ds *out)
{
    struct json_writer w = {out, sort_keys, pretty, true};
    json_write(&w, json, 0);
}

char *
json_to_string_as_ovs_parsed(const json_t *json, bool sort_keys, bool pretty)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    json_to_ds_as_ovs_parsed(json, sort_keys, pretty, &ds);
    return ds_steal_cstr(&ds);
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

/* Text is read by json-syntax.c rather than by jansson, because OVS's
 * rules for what is valid differ from jansson's and scripts see OVS's error
 * messages; it is also faster than jansson's reader. */
static char *
json_parse(const void *buf, size_t n, bool any_value, json_t **jsonp)
{
    return json_syntax_parse(buf, n, any_value ? JSON_SYNTAX_ANY_VALUE : 0,
                             jsonp);
}

char *
json_from_buffer(const void *buf, size_t n, json_t **jsonp)
{
    return json_parse(buf, n, false, jsonp);
}

char *
json_from_string(const char *s, json_t **jsonp)
{
    return json_parse(s, strlen(s), false, jsonp);
}

char *
json_from_string_any(const char *s, json_t **jsonp)
{
    return json_parse(s, strlen(s), true, jsonp);
}

char *
json_from_file(const char *file_name, json_t **jsonp)
{
    *jsonp = NULL;

    FILE *file = fopen(file_name, "r");
    if (!file) {
        return xasprintf("error opening \"%s\": %s", file_name,
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
        return xasprintf("error reading JSON stream: %s",
                         ovs_strerror(read_error));
    }

    char *error =
        json_from_buffer(ds.string ? ds.string : "", ds.length, jsonp);
    ds_destroy(&ds);
    return error;
}

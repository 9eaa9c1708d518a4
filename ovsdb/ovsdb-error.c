/* OVSDB errors; see ovsdb-error.h. */
#include "ovsdb/ovsdb-error.h"

#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/json.h"

struct ovsdb_error {
    char *tag;       /* Short error class, e.g. "syntax error". */
    char *details;   /* Explanation, or NULL. */
    char *syntax;    /* Compact JSON text complained about, or NULL. */
    int errno_value; /* For I/O errors, otherwise 0. */
};

static struct ovsdb_error *
ovsdb_error_create__(const char *tag, const char *details, va_list args)
    PRINTF_FORMAT(2, 0);

static struct ovsdb_error *
ovsdb_error_create__(const char *tag, const char *details, va_list args)
{
    struct ovsdb_error *error = xzalloc(sizeof *error);
    error->tag = xstrdup(tag ? tag : "ovsdb error");
    error->details = details ? xvasprintf(details, args) : NULL;
    return error;
}

struct ovsdb_error *
ovsdb_error_valist(const char *tag, const char *details, va_list args)
{
    return ovsdb_error_create__(tag, details, args);
}

struct ovsdb_error *
ovsdb_error(const char *tag, const char *details, ...)
{
    va_list args;
    va_start(args, details);
    struct ovsdb_error *error = ovsdb_error_create__(tag, details, args);
    va_end(args);
    return error;
}

struct ovsdb_error *
ovsdb_io_error(int errno_value, const char *details, ...)
{
    va_list args;
    va_start(args, details);
    struct ovsdb_error *error =
        ovsdb_error_create__("I/O error", details, args);
    va_end(args);
    error->errno_value = errno_value;
    return error;
}

struct ovsdb_error *
ovsdb_syntax_error(const json_t *json, const char *tag, const char *details,
                   ...)
{
    va_list args;
    va_start(args, details);
    struct ovsdb_error *error =
        ovsdb_error_create__(tag ? tag : "syntax error", details, args);
    va_end(args);
    if (json) {
        error->syntax = json_to_string_compact(json, true);
    }
    return error;
}

struct ovsdb_error *
ovsdb_internal_error(const char *details, ...)
{
    va_list args;
    va_start(args, details);
    struct ovsdb_error *error =
        ovsdb_error_create__("internal error", details, args);
    va_end(args);
    return error;
}

struct ovsdb_error *
ovsdb_wrap_error(struct ovsdb_error *error, const char *details, ...)
{
    if (!error) {
        return NULL;
    }

    va_list args;
    va_start(args, details);
    char *context = xvasprintf(details, args);
    va_end(args);

    char *new_details =
        (error->details ? xasprintf("%s: %s", context, error->details)
                        : xstrdup(context));
    free(context);
    free(error->details);
    error->details = new_details;
    return error;
}

struct ovsdb_error *
ovsdb_error_clone(const struct ovsdb_error *old)
{
    if (!old) {
        return NULL;
    }
    struct ovsdb_error *new = xzalloc(sizeof *new);
    new->tag = xstrdup(old->tag);
    new->details = nullable_xstrdup(old->details);
    new->syntax = nullable_xstrdup(old->syntax);
    new->errno_value = old->errno_value;
    return new;
}

void
ovsdb_error_destroy(struct ovsdb_error *error)
{
    if (error) {
        free(error->tag);
        free(error->details);
        free(error->syntax);
        free(error);
    }
}

const char *
ovsdb_error_get_tag(const struct ovsdb_error *error)
{
    return error->tag;
}

const char *
ovsdb_error_get_details(const struct ovsdb_error *error)
{
    return error->details;
}

const char *
ovsdb_error_get_syntax(const struct ovsdb_error *error)
{
    return error->syntax;
}

int
ovsdb_error_get_errno(const struct ovsdb_error *error)
{
    return error->errno_value;
}

json_t *
ovsdb_error_to_json(const struct ovsdb_error *error)
{
    json_t *json = json_object();
    json_object_set_new(json, "error", json_string(error->tag));
    if (error->details) {
        json_object_set_new(json, "details",
                            json_string_take(xstrdup(error->details)));
    }
    if (error->syntax) {
        json_object_set_new(json, "syntax",
                            json_string_take(xstrdup(error->syntax)));
    }
    if (error->errno_value) {
        json_object_set_new(
            json, "io-error",
            json_string(ovs_retval_to_string(error->errno_value)));
    }
    /* As OVS sends it (see json_reorder_as_ovs()). */
    json_object_reorder_as_ovs(json);
    return json;
}

json_t *
ovsdb_error_to_json_free(struct ovsdb_error *error)
{
    json_t *json = ovsdb_error_to_json(error);
    ovsdb_error_destroy(error);
    return json;
}

char *
ovsdb_error_to_string(const struct ovsdb_error *error)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    if (error->syntax) {
        ds_put_format(&s, "syntax \"%s\": ", error->syntax);
    }
    ds_put_cstr(&s, error->tag);
    if (error->details) {
        ds_put_format(&s, ": %s", error->details);
    }
    if (error->errno_value) {
        ds_put_format(&s, " (%s)", ovs_retval_to_string(error->errno_value));
    }
    return ds_steal_cstr(&s);
}

char *
ovsdb_error_to_string_free(struct ovsdb_error *error)
{
    char *s = ovsdb_error_to_string(error);
    ovsdb_error_destroy(error);
    return s;
}

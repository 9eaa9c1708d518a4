/* Errors of the OVSDB engine, in the shape RFC 7047 gives them on the
 * wire: a short tag ("syntax error", "constraint violation",
 * "referential integrity violation", ...) and optional details.  A
 * syntax error may also carry the JSON text it complains about, and an
 * I/O error the errno value that caused it.
 *
 * Functions of the engine that can fail return a 'struct ovsdb_error *'
 * that is NULL on success; the caller owns a non-null result and either
 * passes it on or frees it with ovsdb_error_destroy(). */
#ifndef OVSDB_OVSDB_ERROR_H
#define OVSDB_OVSDB_ERROR_H 1

#include <jansson.h>
#include <stdarg.h>

#include "lib/util.h"

struct ovsdb_error;

/* Returns a new error with 'tag' (NULL for "ovsdb error", as OVS says)
 * and details formatted from 'details' (which may be NULL for an error
 * without details). */
struct ovsdb_error *ovsdb_error(const char *tag, const char *details, ...)
    PRINTF_FORMAT(2, 3) OVS_WARN_UNUSED_RESULT;
struct ovsdb_error *ovsdb_error_valist(const char *tag, const char *details,
                                       va_list)
    PRINTF_FORMAT(2, 0) OVS_WARN_UNUSED_RESULT;

/* Returns a new error with tag "I/O error" that records 'errno_value'
 * (a positive errno value, or EOF). */
struct ovsdb_error *ovsdb_io_error(int errno_value, const char *details, ...)
    PRINTF_FORMAT(2, 3) OVS_WARN_UNUSED_RESULT;

/* Returns a new error about the JSON value 'json' (may be NULL), which is
 * recorded as its compact text with sorted members.  'tag' NULL means
 * "syntax error". */
struct ovsdb_error *ovsdb_syntax_error(const json_t *json, const char *tag,
                                       const char *details, ...)
    PRINTF_FORMAT(3, 4) OVS_WARN_UNUSED_RESULT;

/* Returns an error with tag "internal error" for conditions that mean a
 * bug rather than bad input. */
struct ovsdb_error *ovsdb_internal_error(const char *details, ...)
    PRINTF_FORMAT(1, 2) OVS_WARN_UNUSED_RESULT;

/* Prefixes the details of 'error' with the formatted context and ": ",
 * e.g. "failed to parse "x.ovsschema" as ovsdb schema: ...", and returns
 * 'error'.  A NULL 'error' is returned as NULL. */
struct ovsdb_error *ovsdb_wrap_error(struct ovsdb_error *error,
                                     const char *details, ...)
    PRINTF_FORMAT(2, 3);

struct ovsdb_error *ovsdb_error_clone(const struct ovsdb_error *);
void ovsdb_error_destroy(struct ovsdb_error *);

const char *ovsdb_error_get_tag(const struct ovsdb_error *);
/* Returns the details, or NULL if there are none. */
const char *ovsdb_error_get_details(const struct ovsdb_error *);
/* Returns the text of the JSON the error is about, or NULL. */
const char *ovsdb_error_get_syntax(const struct ovsdb_error *);
/* Returns the errno value of an I/O error, otherwise 0. */
int ovsdb_error_get_errno(const struct ovsdb_error *);

/* Returns the RFC 7047 error object as ovsdb-server sends it:
 * {"error": tag, "details": ..., "syntax": ..., "io-error": ...}, each
 * member after "error" present only if the error has it. */
json_t *ovsdb_error_to_json(const struct ovsdb_error *);
json_t *ovsdb_error_to_json_free(struct ovsdb_error *);

/* Returns the error as OVS's tools print it, as a malloc'd string:
 *
 *     [syntax "<json>": ]<tag>[: <details>][ (<strerror>)] */
char *ovsdb_error_to_string(const struct ovsdb_error *);
char *ovsdb_error_to_string_free(struct ovsdb_error *);

#endif /* ovsdb/ovsdb-error.h */

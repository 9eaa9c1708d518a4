/* Reading the members of a JSON object that describes one OVSDB thing (a
 * schema, a table, a column, a type), with the error texts OVS gives:
 *
 *     Parsing <name> failed: Required 'x' member is missing.
 *     Parsing <name> failed: Type mismatch for member 'x'.
 *     Parsing <name> failed: Member 'x' is present but not allowed here.
 *     Parsing <name> failed: Object expected.
 *
 * Only the first error is kept; once there is one, every further lookup
 * returns NULL, so callers may read all members and check once at the
 * end with ovsdb_parser_finish(). */
#ifndef OVSDB_OVSDB_PARSER_H
#define OVSDB_OVSDB_PARSER_H 1

#include <jansson.h>
#include <stdbool.h>

#include "lib/util.h"

struct ovsdb_error;

/* What a member may be; OR them together. */
enum ovsdb_parser_types {
    OP_NULL = 1 << 0,
    OP_FALSE = 1 << 1,
    OP_TRUE = 1 << 2,
    OP_BOOLEAN = OP_FALSE | OP_TRUE,
    OP_INTEGER = 1 << 3,
    OP_NONINTEGER = 1 << 4, /* A JSON real. */
    OP_NUMBER = OP_INTEGER | OP_NONINTEGER,
    OP_STRING = 1 << 5,
    OP_ARRAY = 1 << 6,
    OP_OBJECT = 1 << 7,
    OP_ID = 1 << 8,       /* A string that is a valid <id>. */
    OP_OPTIONAL = 1 << 9, /* The member may be absent. */
    OP_ANY =
        (OP_NULL | OP_BOOLEAN | OP_NUMBER | OP_STRING | OP_ARRAY | OP_OBJECT),
};

struct ovsdb_parser {
    char *name;                /* For messages: "ovsdb type". */
    const json_t *object;      /* NULL if the JSON is no object. */
    struct ovsdb_error *error; /* First error, or NULL. */

    /* The keys of the members looked up so far, as the object stores them
     * (so that a pointer comparison finds them), without duplicates. */
    const char **used;
    size_t n_used, allocated_used;

    /* Storage that spares most parsers an allocation. */
    char name_buf[64];
    const char *used_buf[8];
};

/* Starts parsing 'json' (borrowed; it must outlive the parser), which
 * must be an object; 'name' is formatted into the messages. */
void ovsdb_parser_init(struct ovsdb_parser *, const json_t *json,
                       const char *name, ...) PRINTF_FORMAT(3, 4);

/* Returns member 'name' if it has one of 'types' (borrowed), otherwise
 * NULL, recording an error unless the member is absent and OP_OPTIONAL. */
const json_t *ovsdb_parser_member(struct ovsdb_parser *, const char *name,
                                  enum ovsdb_parser_types types);

bool ovsdb_parser_has_error(const struct ovsdb_parser *);

/* Records 'error' as the parser's error unless it already has one (then
 * 'error' is freed). */
void ovsdb_parser_put_error(struct ovsdb_parser *, struct ovsdb_error *);

/* Checks that every member of the object was looked up, frees the
 * parser, and returns the first error (the caller owns it) or NULL. */
struct ovsdb_error *
ovsdb_parser_finish(struct ovsdb_parser *) OVS_WARN_UNUSED_RESULT;

/* Frees the parser and any error it holds. */
void ovsdb_parser_destroy(struct ovsdb_parser *);

/* Returns true if 's' is an <id> of RFC 7047: a letter or '_' followed by
 * letters, digits and '_'. */
bool ovsdb_parser_is_id(const char *s);

#endif /* ovsdb/ovsdb-parser.h */

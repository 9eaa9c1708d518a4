/* OVSDB mutations (RFC 7047 section 5.1 <mutation>), what the "mutate"
 * operation applies to each row it selects: [column, mutator, value].
 *
 *     ["n", "+=", 1]                 arithmetic on integers and reals,
 *     ["ports", "insert", [...]]     also element-wise on their sets;
 *     ["other_config", "delete",     insert and delete on sets and maps
 *      ["set", ["k1", "k2"]]]        (a map deletes by keys or by pairs).
 */
#ifndef OVSDB_OVSDB_MUTATION_H
#define OVSDB_OVSDB_MUTATION_H 1

#include <jansson.h>
#include <stddef.h>

#include "lib/util.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-types.h"

struct ovsdb_column;
struct ovsdb_error;
struct ovsdb_row;
struct ovsdb_table_schema;

enum ovsdb_mutator {
    OVSDB_M_ADD,    /* "+=" */
    OVSDB_M_SUB,    /* "-=" */
    OVSDB_M_MUL,    /* "*=" */
    OVSDB_M_DIV,    /* "/=" */
    OVSDB_M_MOD,    /* "%=" */
    OVSDB_M_INSERT, /* "insert" */
    OVSDB_M_DELETE, /* "delete" */
};

bool ovsdb_mutator_from_string(const char *, enum ovsdb_mutator *);
const char *ovsdb_mutator_to_string(enum ovsdb_mutator);

struct ovsdb_mutation {
    enum ovsdb_mutator mutator;
    const struct ovsdb_column *column;
    struct ovsdb_datum arg;
    struct ovsdb_type type; /* Type of 'arg'. */
};

struct ovsdb_mutation_set {
    struct ovsdb_mutation *mutations;
    size_t n_mutations;
};

/* Parses the array of <mutation>s 'json' for a table with schema 'ts'.
 * Named UUIDs resolve through 'symtab' if it is nonnull.  On error 'set'
 * is empty. */
struct ovsdb_error *ovsdb_mutation_set_from_json(
    const struct ovsdb_table_schema *ts, const json_t *json,
    struct ovsdb_symbol_table *symtab,
    struct ovsdb_mutation_set *set) OVS_WARN_UNUSED_RESULT;
json_t *ovsdb_mutation_set_to_json(const struct ovsdb_mutation_set *);
void ovsdb_mutation_set_destroy(struct ovsdb_mutation_set *);

/* Applies every mutation of 'set' to 'row', in order, and checks the
 * results against the columns' constraints: "domain error" for division
 * by zero, "range error" for integer overflow or a real that is no longer
 * finite, "constraint violation" otherwise.  On error 'row' may hold
 * partial results; the caller discards it. */
struct ovsdb_error *ovsdb_mutation_set_execute(
    struct ovsdb_row *,
    const struct ovsdb_mutation_set *) OVS_WARN_UNUSED_RESULT;

#endif /* ovsdb/ovsdb-mutation.h */

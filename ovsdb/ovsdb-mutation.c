/* OVSDB mutations; see ovsdb-mutation.h. */
#include "ovsdb/ovsdb-mutation.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/ovsdb-column.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-row.h"
#include "ovsdb/ovsdb-table-schema.h"

static const char *const mutator_names[] = {
    [OVSDB_M_ADD] = "+=",        [OVSDB_M_SUB] = "-=",
    [OVSDB_M_MUL] = "*=",        [OVSDB_M_DIV] = "/=",
    [OVSDB_M_MOD] = "%=",        [OVSDB_M_INSERT] = "insert",
    [OVSDB_M_DELETE] = "delete",
};

bool
ovsdb_mutator_from_string(const char *name, enum ovsdb_mutator *mutator)
{
    for (size_t i = 0; i < ARRAY_SIZE(mutator_names); i++) {
        if (!strcmp(name, mutator_names[i])) {
            *mutator = i;
            return true;
        }
    }
    return false;
}

const char *
ovsdb_mutator_to_string(enum ovsdb_mutator mutator)
{
    return mutator_names[mutator];
}

/* Parses the value of an "insert" or "delete" on 'column'.  The value is
 * a set or map of the column's type that may be smaller than the
 * column's minimum; a map's "delete" also takes a set of keys. */
static struct ovsdb_error *
parse_set_arg(struct ovsdb_mutation *m, const json_t *value,
              struct ovsdb_symbol_table *symtab)
{
    const struct ovsdb_type *column_type = &m->column->type;

    /* "delete" may name more elements than the column can hold. */
    unsigned int n_max = (m->mutator == OVSDB_M_DELETE ? OVSDB_TYPE_UNLIMITED
                                                       : column_type->n_max);
    ovsdb_type_clone(&m->type, column_type);
    m->type.n_min = 0;
    m->type.n_max = n_max;
    struct ovsdb_error *error =
        ovsdb_datum_from_json(&m->arg, &m->type, value, symtab);
    if (error && m->mutator == OVSDB_M_DELETE
        && ovsdb_type_is_map(column_type)) {
        /* Not a map: try a set of keys, and report that failure. */
        ovsdb_error_destroy(error);
        ovsdb_type_destroy(&m->type);
        ovsdb_base_type_clone(&m->type.key, &column_type->key);
        ovsdb_base_type_init(&m->type.value, OVSDB_TYPE_VOID);
        m->type.n_min = 0;
        m->type.n_max = n_max;
        error = ovsdb_datum_from_json(&m->arg, &m->type, value, symtab);
    }
    return error;
}

static struct ovsdb_error *
mutation_from_json(const struct ovsdb_table_schema *ts, const json_t *json,
                   struct ovsdb_symbol_table *symtab, struct ovsdb_mutation *m)
{
    const struct ovsdb_column *column;
    const char *mutator_name;
    const json_t *value;
    struct ovsdb_error *error = ovsdb_column_op_from_json(
        json, ts, "mutation", &column, &mutator_name, &value);
    if (error) {
        return error;
    }
    if (!column->mutable) {
        return ovsdb_syntax_error(json, "constraint violation",
                                  "Cannot mutate immutable column %s in "
                                  "table %s.",
                                  column->name, ts->name);
    }

    if (!ovsdb_mutator_from_string(mutator_name, &m->mutator)) {
        return ovsdb_error("unknown mutator", "No mutator named %s.",
                           mutator_name);
    }
    m->column = column;

    const struct ovsdb_type *type = &column->type;
    switch (m->mutator) {
    case OVSDB_M_ADD:
    case OVSDB_M_SUB:
    case OVSDB_M_MUL:
    case OVSDB_M_DIV:
    case OVSDB_M_MOD:
        if (ovsdb_type_is_map(type)
            || (type->key.type != OVSDB_TYPE_INTEGER
                && (type->key.type != OVSDB_TYPE_REAL
                    || m->mutator == OVSDB_M_MOD))) {
            return ovsdb_column_op_mismatch(json, column, mutator_name);
        }
        /* The operand is a plain number: the column's constraints apply
         * to the results, not to it. */
        ovsdb_type_init_scalar(&m->type, type->key.type);
        error = ovsdb_datum_from_json(&m->arg, &m->type, value, symtab);
        break;

    case OVSDB_M_INSERT:
    case OVSDB_M_DELETE:
        if (ovsdb_type_is_scalar(type)) {
            return ovsdb_column_op_mismatch(json, column, mutator_name);
        }
        error = parse_set_arg(m, value, symtab);
        break;

    default:
        ovs_assert(false);
    }

    if (error) {
        ovsdb_type_destroy(&m->type);
    }
    return error;
}

struct ovsdb_error *
ovsdb_mutation_set_from_json(const struct ovsdb_table_schema *ts,
                             const json_t *json,
                             struct ovsdb_symbol_table *symtab,
                             struct ovsdb_mutation_set *set)
{
    set->mutations = NULL;
    set->n_mutations = 0;
    if (!json_is_array(json)) {
        return ovsdb_syntax_error(json, NULL, "Parse error in mutation.");
    }

    size_t n = json_array_size(json);
    set->mutations = n ? xmalloc(n * sizeof *set->mutations) : NULL;
    for (size_t i = 0; i < n; i++) {
        struct ovsdb_error *error = mutation_from_json(
            ts, json_array_get(json, i), symtab, &set->mutations[i]);
        if (error) {
            ovsdb_mutation_set_destroy(set);
            return error;
        }
        set->n_mutations++;
    }
    return NULL;
}

json_t *
ovsdb_mutation_set_to_json(const struct ovsdb_mutation_set *set)
{
    json_t *json = json_array();
    for (size_t i = 0; i < set->n_mutations; i++) {
        const struct ovsdb_mutation *m = &set->mutations[i];
        json_t *mj = json_array();
        json_array_append_new(mj, json_string(m->column->name));
        json_array_append_new(mj, json_string(mutator_names[m->mutator]));
        json_array_append_new(mj, ovsdb_datum_to_json(&m->arg, &m->type));
        json_array_append_new(json, mj);
    }
    return json;
}

void
ovsdb_mutation_set_destroy(struct ovsdb_mutation_set *set)
{
    for (size_t i = 0; i < set->n_mutations; i++) {
        struct ovsdb_mutation *m = &set->mutations[i];
        ovsdb_datum_destroy(&m->arg, &m->type);
        ovsdb_type_destroy(&m->type);
    }
    free(set->mutations);
    set->mutations = NULL;
    set->n_mutations = 0;
}

static struct ovsdb_error *
range_error(enum ovsdb_mutator mutator)
{
    return ovsdb_error("range error",
                       "Result of \"%s\" operation is out of range.",
                       mutator_names[mutator]);
}

static struct ovsdb_error *
integer_op(enum ovsdb_mutator mutator, int64_t *x, int64_t y)
{
    int64_t result;
    bool overflow;

    switch (mutator) {
    case OVSDB_M_ADD:
        overflow = __builtin_add_overflow(*x, y, &result);
        break;
    case OVSDB_M_SUB:
        overflow = __builtin_sub_overflow(*x, y, &result);
        break;
    case OVSDB_M_MUL:
        overflow = __builtin_mul_overflow(*x, y, &result);
        break;
    case OVSDB_M_DIV:
    case OVSDB_M_MOD:
        if (!y) {
            return ovsdb_error("domain error", "Division by zero.");
        }
        /* INT64_MIN / -1 does not fit; OVS counts the remainder of that
         * division as out of range too. */
        overflow = *x == INT64_MIN && y == -1;
        result = (overflow ? 0 : mutator == OVSDB_M_DIV ? *x / y : *x % y);
        break;
    default:
        ovs_assert(false);
    }
    if (overflow) {
        return range_error(mutator);
    }
    *x = result;
    return NULL;
}

static struct ovsdb_error *
real_op(enum ovsdb_mutator mutator, double *x, double y)
{
    double result;
    switch (mutator) {
    case OVSDB_M_ADD:
        result = *x + y;
        break;
    case OVSDB_M_SUB:
        result = *x - y;
        break;
    case OVSDB_M_MUL:
        result = *x * y;
        break;
    case OVSDB_M_DIV:
        if (y == 0.0) {
            return ovsdb_error("domain error", "Division by zero.");
        }
        result = *x / y;
        break;
    default:
        ovs_assert(false);
    }
    if (!isfinite(result)) {
        return range_error(mutator);
    }
    *x = result;
    return NULL;
}

static struct ovsdb_error *
execute_arithmetic(struct ovsdb_datum *datum, const struct ovsdb_type *type,
                   const struct ovsdb_mutation *m)
{
    const union ovsdb_atom *arg = &m->arg.keys[0];
    for (unsigned int i = 0; i < datum->n; i++) {
        union ovsdb_atom *atom = &datum->keys[i];
        struct ovsdb_error *error =
            (type->key.type == OVSDB_TYPE_INTEGER
                 ? integer_op(m->mutator, &atom->integer, arg->integer)
                 : real_op(m->mutator, &atom->real, arg->real));
        if (!error) {
            error = ovsdb_atom_check_constraints(atom, &type->key);
        }
        if (error) {
            return error;
        }
    }

    /* Distinct elements of a set may have become equal ("*= 0"). */
    if (datum->n > 1) {
        struct ovsdb_error *error = ovsdb_datum_sort(datum, type);
        if (error) {
            ovsdb_error_destroy(error);
            return ovsdb_error("constraint violation",
                               "Result of \"%s\" operation contains "
                               "duplicates.",
                               mutator_names[m->mutator]);
        }
    }
    return NULL;
}

static struct ovsdb_error *
check_n_elements(const struct ovsdb_datum *datum,
                 const struct ovsdb_type *type)
{
    if (datum->n < type->n_min || datum->n > type->n_max) {
        char *english = ovsdb_type_to_english(type);
        struct ovsdb_error *error = ovsdb_error(
            "constraint violation", "Attempted to store %u elements in %s.",
            datum->n, english);
        free(english);
        return error;
    }
    return NULL;
}

struct ovsdb_error *
ovsdb_mutation_set_execute(struct ovsdb_row *row,
                           const struct ovsdb_mutation_set *set)
{
    for (size_t i = 0; i < set->n_mutations; i++) {
        const struct ovsdb_mutation *m = &set->mutations[i];
        const struct ovsdb_type *type = &m->column->type;
        struct ovsdb_datum *datum = &row->fields[m->column->index];
        struct ovsdb_error *error;

        switch (m->mutator) {
        case OVSDB_M_ADD:
        case OVSDB_M_SUB:
        case OVSDB_M_MUL:
        case OVSDB_M_DIV:
        case OVSDB_M_MOD:
            error = execute_arithmetic(datum, type, m);
            break;
        case OVSDB_M_INSERT:
            ovsdb_datum_union(datum, &m->arg, type);
            error = check_n_elements(datum, type);
            break;
        case OVSDB_M_DELETE:
            ovsdb_datum_subtract(datum, type, &m->arg, &m->type);
            error = check_n_elements(datum, type);
            break;
        default:
            ovs_assert(false);
        }
        if (error) {
            return error;
        }
    }
    return NULL;
}

/* OVSDB conditions; see ovsdb-condition.h. */
#include "ovsdb/ovsdb-condition.h"

#include <stdlib.h>
#include <string.h>

#include "ovsdb/ovsdb-column.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-row.h"
#include "ovsdb/ovsdb-table-schema.h"

static const char *const function_names[] = {
    [OVSDB_F_FALSE] = "false",
    [OVSDB_F_TRUE] = "true",
    [OVSDB_F_LT] = "<",
    [OVSDB_F_LE] = "<=",
    [OVSDB_F_EQ] = "==",
    [OVSDB_F_NE] = "!=",
    [OVSDB_F_GE] = ">=",
    [OVSDB_F_GT] = ">",
    [OVSDB_F_INCLUDES] = "includes",
    [OVSDB_F_EXCLUDES] = "excludes",
};

bool
ovsdb_function_from_string(const char *name, enum ovsdb_function *function)
{
    for (int f = OVSDB_F_LT; f <= OVSDB_F_EXCLUDES; f++) {
        if (!strcmp(name, function_names[f])) {
            *function = f;
            return true;
        }
    }
    return false;
}

const char *
ovsdb_function_to_string(enum ovsdb_function function)
{
    return function_names[function];
}

void
ovsdb_condition_init(struct ovsdb_condition *cond)
{
    cond->clauses = NULL;
    cond->n_clauses = 0;
}

static void
clause_destroy(struct ovsdb_clause *clause)
{
    if (clause->column) {
        ovsdb_datum_destroy(&clause->arg, &clause->column->type);
    }
}

void
ovsdb_condition_destroy(struct ovsdb_condition *cond)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        clause_destroy(&cond->clauses[i]);
    }
    free(cond->clauses);
    ovsdb_condition_init(cond);
}

void
ovsdb_condition_clone(struct ovsdb_condition *dst,
                      const struct ovsdb_condition *src)
{
    dst->n_clauses = src->n_clauses;
    dst->clauses =
        (src->n_clauses ? xmalloc(src->n_clauses * sizeof *dst->clauses)
                        : NULL);
    for (size_t i = 0; i < src->n_clauses; i++) {
        const struct ovsdb_clause *s = &src->clauses[i];
        struct ovsdb_clause *d = &dst->clauses[i];
        d->function = s->function;
        d->column = s->column;
        if (s->column) {
            ovsdb_datum_clone(&d->arg, &s->arg, &s->column->type);
        } else {
            ovsdb_datum_init_empty(&d->arg);
        }
    }
}

/* Returns true if a clause with an ordering function ("<", ...) may
 * apply to a column of 'type': an integer or real that is a scalar or an
 * optional scalar. */
static bool
type_is_ordered(const struct ovsdb_type *type)
{
    return (type->value.type == OVSDB_TYPE_VOID && type->n_max == 1
            && (type->key.type == OVSDB_TYPE_INTEGER
                || type->key.type == OVSDB_TYPE_REAL));
}

static struct ovsdb_error *
clause_from_json(const struct ovsdb_table_schema *ts, const json_t *json,
                 struct ovsdb_symbol_table *symtab,
                 struct ovsdb_clause *clause)
{
    ovsdb_datum_init_empty(&clause->arg);
    clause->column = NULL;

    if (json_is_boolean(json)) {
        clause->function = json_is_true(json) ? OVSDB_F_TRUE : OVSDB_F_FALSE;
        return NULL;
    }

    const struct ovsdb_column *column;
    const char *function_name;
    const json_t *value;
    struct ovsdb_error *error = ovsdb_column_op_from_json(
        json, ts, "condition", &column, &function_name, &value);
    if (error) {
        return error;
    }

    enum ovsdb_function function;
    if (!ovsdb_function_from_string(function_name, &function)) {
        return ovsdb_error("unknown function", "No function named %s.",
                           function_name);
    }

    /* The value has the column's type, except that "includes" and
     * "excludes" on a set or map also accept fewer elements than the
     * column's minimum (down to none). */
    struct ovsdb_type type;
    ovsdb_type_clone(&type, &column->type);
    if (function == OVSDB_F_INCLUDES || function == OVSDB_F_EXCLUDES) {
        if (ovsdb_type_is_composite(&type)) {
            type.n_min = 0;
        }
    } else if (function != OVSDB_F_EQ && function != OVSDB_F_NE
               && !type_is_ordered(&type)) {
        error = ovsdb_column_op_mismatch(json, column, function_name);
        ovsdb_type_destroy(&type);
        return error;
    } else if (function != OVSDB_F_EQ && function != OVSDB_F_NE) {
        /* An ordering needs one value to compare with. */
        type.n_min = 1;
    }

    error = ovsdb_datum_from_json(&clause->arg, &type, value, symtab);
    ovsdb_type_destroy(&type);
    if (error) {
        return error;
    }
    clause->function = function;
    clause->column = column;
    return NULL;
}

struct ovsdb_error *
ovsdb_condition_from_json(const struct ovsdb_table_schema *ts,
                          const json_t *json,
                          struct ovsdb_symbol_table *symtab,
                          struct ovsdb_condition *cond)
{
    ovsdb_condition_init(cond);
    if (!json_is_array(json)) {
        return ovsdb_syntax_error(json, NULL, "Parse error in condition.");
    }

    size_t n = json_array_size(json);
    cond->clauses = n ? xmalloc(n * sizeof *cond->clauses) : NULL;
    for (size_t i = 0; i < n; i++) {
        struct ovsdb_error *error = clause_from_json(
            ts, json_array_get(json, i), symtab, &cond->clauses[i]);
        if (error) {
            ovsdb_condition_destroy(cond);
            return error;
        }
        cond->n_clauses++;
    }
    return NULL;
}

json_t *
ovsdb_condition_to_json(const struct ovsdb_condition *cond)
{
    json_t *json = json_array();
    for (size_t i = 0; i < cond->n_clauses; i++) {
        const struct ovsdb_clause *clause = &cond->clauses[i];
        if (!clause->column) {
            json_array_append_new(
                json, json_boolean(clause->function == OVSDB_F_TRUE));
            continue;
        }
        json_t *c = json_array();
        json_array_append_new(c, json_string(clause->column->name));
        json_array_append_new(c,
                              json_string(function_names[clause->function]));
        json_array_append_new(
            c, ovsdb_datum_to_json(&clause->arg, &clause->column->type));
        json_array_append_new(json, c);
    }
    return json;
}

bool
ovsdb_clause_evaluate(const struct ovsdb_clause *clause,
                      const struct ovsdb_row *row)
{
    if (!clause->column) {
        return clause->function == OVSDB_F_TRUE;
    }

    const struct ovsdb_type *type = &clause->column->type;
    const struct ovsdb_datum *field = &row->fields[clause->column->index];
    const struct ovsdb_datum *arg = &clause->arg;

    switch (clause->function) {
    case OVSDB_F_LT:
    case OVSDB_F_LE:
    case OVSDB_F_GE:
    case OVSDB_F_GT: {
        /* An empty optional value is not ordered against anything. */
        if (!field->n) {
            return false;
        }
        int cmp = ovsdb_atom_compare_3way(&field->keys[0], &arg->keys[0],
                                          type->key.type);
        return (clause->function == OVSDB_F_LT   ? cmp < 0
                : clause->function == OVSDB_F_LE ? cmp <= 0
                : clause->function == OVSDB_F_GE ? cmp >= 0
                                                 : cmp > 0);
    }
    case OVSDB_F_EQ:
        return ovsdb_datum_equals(field, arg, type);
    case OVSDB_F_NE:
        return !ovsdb_datum_equals(field, arg, type);
    case OVSDB_F_INCLUDES:
        return ovsdb_datum_includes_all(arg, field, type);
    case OVSDB_F_EXCLUDES:
        return ovsdb_datum_excludes_all(arg, field, type);
    case OVSDB_F_FALSE:
    case OVSDB_F_TRUE:
    default:
        ovs_assert(false);
    }
}

bool
ovsdb_condition_evaluate(const struct ovsdb_condition *cond,
                         const struct ovsdb_row *row)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        if (!ovsdb_clause_evaluate(&cond->clauses[i], row)) {
            return false;
        }
    }
    return true;
}

bool
ovsdb_condition_is_true(const struct ovsdb_condition *cond)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        if (cond->clauses[i].function != OVSDB_F_TRUE) {
            return false;
        }
    }
    return true;
}

bool
ovsdb_condition_is_false(const struct ovsdb_condition *cond)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        if (cond->clauses[i].function == OVSDB_F_FALSE) {
            return true;
        }
    }
    return false;
}

const struct uuid *
ovsdb_condition_get_row_uuid(const struct ovsdb_condition *cond)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        const struct ovsdb_clause *clause = &cond->clauses[i];
        if (clause->function == OVSDB_F_EQ
            && clause->column->index == OVSDB_COL_UUID && clause->arg.n == 1) {
            return &clause->arg.keys[0].uuid;
        }
    }
    return NULL;
}

bool
ovsdb_condition_equal(const struct ovsdb_condition *a,
                      const struct ovsdb_condition *b)
{
    if (a->n_clauses != b->n_clauses) {
        return false;
    }
    for (size_t i = 0; i < a->n_clauses; i++) {
        const struct ovsdb_clause *x = &a->clauses[i];
        const struct ovsdb_clause *y = &b->clauses[i];
        if (x->function != y->function || x->column != y->column
            || (x->column
                && !ovsdb_datum_equals(&x->arg, &y->arg, &x->column->type))) {
            return false;
        }
    }
    return true;
}

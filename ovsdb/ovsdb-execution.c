/* Execution of "transact" requests; see ovsdb-execution.h. */
#include "ovsdb/ovsdb-execution.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/ovsdb-column.h"
#include "ovsdb/ovsdb-condition.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-mutation.h"
#include "ovsdb/ovsdb-parser.h"
#include "ovsdb/ovsdb-row.h"
#include "ovsdb/ovsdb-table.h"
#include "ovsdb/ovsdb-txn.h"
#include "ovsdb/ovsdb.h"

/* The state of one request while its operations run. */
struct exec {
    struct ovsdb *db;
    const struct ovsdb_execution_options *options;
    struct ovsdb_txn *txn;
    struct ovsdb_symbol_table *symtab;
    bool durable;

    /* Set by a "wait" that is not satisfied yet and has not timed out. */
    bool blocked;
    long long timeout_msec;
};

typedef struct ovsdb_error *op_executor(struct exec *, struct ovsdb_parser *,
                                        json_t **result);

/* Records in 'parser' an error about its operation, worded like the
 * parser's own ("Parsing ovsdb operation 1 of 2 failed: ..."). */
static void raise_op_error(struct ovsdb_parser *parser, const char *format,
                           ...) PRINTF_FORMAT(2, 3);

static void
raise_op_error(struct ovsdb_parser *parser, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *msg = xvasprintf(format, args);
    va_end(args);

    ovsdb_parser_put_error(parser, ovsdb_syntax_error(parser->object, NULL,
                                                      "Parsing %s failed: %s",
                                                      parser->name, msg));
    free(msg);
}

static struct ovsdb_table *
parse_table(struct exec *x, struct ovsdb_parser *parser)
{
    const json_t *json = ovsdb_parser_member(parser, "table", OP_ID);
    if (!json) {
        return NULL;
    }
    const char *name = json_string_value(json);
    struct ovsdb_table *table = ovsdb_get_table(x->db, name);
    if (!table) {
        raise_op_error(parser, "No table named %s.", name);
    }
    return table;
}

/* The rows of a table that meet a condition, as the transaction sees
 * them. */
struct row_list {
    const struct ovsdb_row **rows;
    size_t n, allocated;
    const struct ovsdb_condition *cond;
};

static bool
collect_row(const struct ovsdb_row *row, void *list_)
{
    struct row_list *list = list_;
    if (ovsdb_condition_evaluate(list->cond, row)) {
        if (list->n >= list->allocated) {
            list->rows =
                x2nrealloc(list->rows, &list->allocated, sizeof *list->rows);
        }
        list->rows[list->n++] = row;
    }
    return true;
}

/* If 'cond' requires a column that alone makes an index of 'table' to
 * have one value, fills 'list' from the committed row with that value
 * and the rows the transaction changed, instead of searching the whole
 * table, and returns true. */
static bool
query_by_index(struct exec *x, const struct ovsdb_table *table,
               const struct ovsdb_condition *cond, struct row_list *list)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        const struct ovsdb_clause *clause = &cond->clauses[i];
        if (clause->function != OVSDB_F_EQ || clause->arg.n != 1) {
            continue;
        }
        bool indexed;
        const struct ovsdb_row *row = ovsdb_table_index_lookup(
            table, clause->column, &clause->arg, &indexed);
        if (indexed) {
            ovsdb_txn_for_each_changed_row(x->txn, table, row, collect_row,
                                           list);
            return true;
        }
    }
    return false;
}

/* Fills 'list' with the rows of 'table' that meet 'cond'; the caller
 * frees 'list->rows'. */
static void
query(struct exec *x, const struct ovsdb_table *table,
      const struct ovsdb_condition *cond, struct row_list *list)
{
    memset(list, 0, sizeof *list);
    list->cond = cond;
    if (ovsdb_condition_is_false(cond)) {
        return;
    }

    const struct uuid *uuid = ovsdb_condition_get_row_uuid(cond);
    if (uuid) {
        const struct ovsdb_row *row = ovsdb_txn_get_row(x->txn, table, uuid);
        if (row) {
            collect_row(row, list);
        }
    } else if (!query_by_index(x, table, cond, list)) {
        ovsdb_txn_for_each_row(x->txn, table, collect_row, list);
    }
}

/* Checks the default values of the columns of a new row that the request
 * did not set, which may violate constraints ("minLength": 1, ...). */
static struct ovsdb_error *
check_default_values(const struct ovsdb_row *row,
                     const struct ovsdb_column_set *included)
{
    const struct ovsdb_table_schema *ts = row->table->schema;
    for (size_t i = OVSDB_N_STD_COLUMNS; i < ts->n_columns; i++) {
        if (!ovsdb_column_set_contains(included, i)) {
            struct ovsdb_error *error = ovsdb_datum_check_constraints(
                &row->fields[i], &ts->columns[i]->type);
            if (error) {
                return error;
            }
        }
    }
    return NULL;
}

static struct ovsdb_error *
execute_insert(struct exec *x, struct ovsdb_parser *parser, json_t **result)
{
    struct ovsdb_table *table = parse_table(x, parser);
    const json_t *uuid_name =
        ovsdb_parser_member(parser, "uuid-name", OP_ID | OP_OPTIONAL);
    const json_t *row_json = ovsdb_parser_member(parser, "row", OP_OBJECT);
    const json_t *uuid_json =
        ovsdb_parser_member(parser, "uuid", OP_STRING | OP_OPTIONAL);
    if (ovsdb_parser_has_error(parser)) {
        return NULL;
    }

    struct uuid uuid;
    if (uuid_json) {
        if (!uuid_from_string(&uuid, json_string_value(uuid_json))) {
            return ovsdb_syntax_error(uuid_json, NULL, "bad uuid");
        }
        if (ovsdb_txn_uuid_is_taken(x->txn, table, &uuid)) {
            return ovsdb_syntax_error(
                uuid_json, "duplicate uuid",
                "This UUID would duplicate a UUID already present within "
                "the table or deleted within the same transaction.");
        }
    }

    if (uuid_name) {
        const char *name = json_string_value(uuid_name);
        struct ovsdb_symbol *symbol = ovsdb_symbol_table_find(x->symtab, name);
        if (symbol && symbol->created) {
            return ovsdb_syntax_error(uuid_name, "duplicate uuid-name",
                                      "This \"uuid-name\" appeared on an "
                                      "earlier \"insert\" operation.");
        }
        if (!symbol) {
            if (!uuid_json) {
                uuid_generate(&uuid);
            }
            symbol = ovsdb_symbol_table_put(x->symtab, name, &uuid, true);
        } else if (!uuid_json) {
            uuid = symbol->uuid;
        }
        symbol->created = true;
    } else if (!uuid_json) {
        uuid_generate(&uuid);
    }

    struct ovsdb_row *row = ovsdb_row_create(table);
    struct ovsdb_column_set included = OVSDB_COLUMN_SET_INITIALIZER;
    struct ovsdb_error *error =
        ovsdb_row_from_json(row, row_json, x->symtab, &included);
    if (!error) {
        error = check_default_values(row, &included);
    }
    ovsdb_column_set_destroy(&included);
    if (error) {
        ovsdb_row_destroy(row);
        return error;
    }

    /* "_uuid" and "_version" in 'row_json' do not count. */
    *ovsdb_row_get_uuid_rw(row) = uuid;
    ovsdb_txn_row_insert(x->txn, row);

    *result = json_object();
    json_object_set_new_nocheck(*result, "uuid", ovsdb_uuid_to_json(&uuid));
    return NULL;
}

/* Parses the optional "columns" member 'json' of an operation on 'table'
 * into 'columns': without one, every column of the table. */
static struct ovsdb_error *
parse_columns(const struct ovsdb_table *table, const json_t *json,
              struct ovsdb_column_set *columns)
{
    if (json) {
        return ovsdb_column_set_from_json(json, table->schema, columns);
    }
    for (size_t i = 0; i < table->schema->n_columns; i++) {
        ovsdb_column_set_add(columns, table->schema->columns[i]);
    }
    return NULL;
}

static struct ovsdb_error *
execute_select(struct exec *x, struct ovsdb_parser *parser, json_t **result)
{
    const struct ovsdb_table *table = parse_table(x, parser);
    const json_t *where = ovsdb_parser_member(parser, "where", OP_ARRAY);
    const json_t *columns_json =
        ovsdb_parser_member(parser, "columns", OP_ARRAY | OP_OPTIONAL);
    if (ovsdb_parser_has_error(parser)) {
        return NULL;
    }

    struct ovsdb_condition cond;
    struct ovsdb_error *error =
        ovsdb_condition_from_json(table->schema, where, x->symtab, &cond);
    if (error) {
        return error;
    }

    struct ovsdb_column_set columns = OVSDB_COLUMN_SET_INITIALIZER;
    error = parse_columns(table, columns_json, &columns);
    if (error) {
        ovsdb_condition_destroy(&cond);
        return error;
    }

    struct row_list list;
    query(x, table, &cond, &list);

    /* Rows that agree on every selected column appear once. */
    struct ovsdb_row_hash distinct;
    ovsdb_row_hash_init(&distinct, &columns);
    json_t *rows = json_array();
    for (size_t i = 0; i < list.n; i++) {
        if (ovsdb_row_hash_insert(&distinct, list.rows[i])) {
            json_array_append_new(rows,
                                  ovsdb_row_to_json(list.rows[i], &columns));
        }
    }
    ovsdb_row_hash_destroy(&distinct);
    free(list.rows);
    ovsdb_column_set_destroy(&columns);
    ovsdb_condition_destroy(&cond);

    *result = json_object();
    json_object_set_new(*result, "rows", rows);
    return NULL;
}

static json_t *
count_result(size_t count)
{
    json_t *result = json_object();
    json_object_set_new(result, "count", json_integer(count));
    return result;
}

static struct ovsdb_error *
execute_update(struct exec *x, struct ovsdb_parser *parser, json_t **result)
{
    const struct ovsdb_table *table = parse_table(x, parser);
    const json_t *where = ovsdb_parser_member(parser, "where", OP_ARRAY);
    const json_t *row_json = ovsdb_parser_member(parser, "row", OP_OBJECT);
    if (ovsdb_parser_has_error(parser)) {
        return NULL;
    }

    struct ovsdb_row *values = ovsdb_row_create(table);
    struct ovsdb_column_set columns = OVSDB_COLUMN_SET_INITIALIZER;
    struct ovsdb_condition cond = OVSDB_CONDITION_INITIALIZER;
    struct ovsdb_error *error =
        ovsdb_row_from_json(values, row_json, x->symtab, &columns);
    for (size_t i = 0; !error && i < columns.n_columns; i++) {
        const struct ovsdb_column *column = columns.columns[i];
        if (!column->mutable || column->index < OVSDB_N_STD_COLUMNS) {
            error = ovsdb_syntax_error(parser->object, "constraint violation",
                                       "Cannot update immutable column %s "
                                       "in table %s.",
                                       column->name, table->schema->name);
        }
    }
    if (!error) {
        error =
            ovsdb_condition_from_json(table->schema, where, x->symtab, &cond);
    }
    if (!error) {
        struct row_list list;
        query(x, table, &cond, &list);
        for (size_t i = 0; i < list.n; i++) {
            struct ovsdb_row *row = ovsdb_txn_row_modify(x->txn, list.rows[i]);
            ovsdb_row_update_columns(row, values, &columns);
        }
        *result = count_result(list.n);
        free(list.rows);
    }

    ovsdb_condition_destroy(&cond);
    ovsdb_column_set_destroy(&columns);
    ovsdb_row_destroy(values);
    return error;
}

static struct ovsdb_error *
execute_mutate(struct exec *x, struct ovsdb_parser *parser, json_t **result)
{
    const struct ovsdb_table *table = parse_table(x, parser);
    const json_t *where = ovsdb_parser_member(parser, "where", OP_ARRAY);
    const json_t *mutations_json =
        ovsdb_parser_member(parser, "mutations", OP_ARRAY);
    if (ovsdb_parser_has_error(parser)) {
        return NULL;
    }

    struct ovsdb_mutation_set mutations;
    struct ovsdb_condition cond = OVSDB_CONDITION_INITIALIZER;
    struct ovsdb_error *error = ovsdb_mutation_set_from_json(
        table->schema, mutations_json, x->symtab, &mutations);
    if (!error) {
        error =
            ovsdb_condition_from_json(table->schema, where, x->symtab, &cond);
    }
    if (!error) {
        struct row_list list;
        query(x, table, &cond, &list);
        for (size_t i = 0; !error && i < list.n; i++) {
            struct ovsdb_row *row = ovsdb_txn_row_modify(x->txn, list.rows[i]);
            error = ovsdb_mutation_set_execute(row, &mutations);
        }
        if (!error) {
            *result = count_result(list.n);
        }
        free(list.rows);
    }

    ovsdb_condition_destroy(&cond);
    ovsdb_mutation_set_destroy(&mutations);
    return error;
}

static struct ovsdb_error *
execute_delete(struct exec *x, struct ovsdb_parser *parser, json_t **result)
{
    const struct ovsdb_table *table = parse_table(x, parser);
    const json_t *where = ovsdb_parser_member(parser, "where", OP_ARRAY);
    if (ovsdb_parser_has_error(parser)) {
        return NULL;
    }

    struct ovsdb_condition cond;
    struct ovsdb_error *error =
        ovsdb_condition_from_json(table->schema, where, x->symtab, &cond);
    if (error) {
        return error;
    }

    struct row_list list;
    query(x, table, &cond, &list);
    for (size_t i = 0; i < list.n; i++) {
        ovsdb_txn_row_delete(x->txn, list.rows[i]);
    }
    *result = count_result(list.n);
    free(list.rows);
    ovsdb_condition_destroy(&cond);
    return NULL;
}

/* Parses the expected rows of a "wait" into 'expected', keeping the rows
 * in 'rows' for the caller to free. */
static struct ovsdb_error *
parse_wait_rows(struct exec *x, const struct ovsdb_table *table,
                const json_t *rows_json, struct ovsdb_row_hash *expected,
                struct ovsdb_row ***rowsp, size_t *n_rowsp)
{
    size_t n = json_array_size(rows_json);
    struct ovsdb_row **rows = xcalloc(n ? n : 1, sizeof *rows);
    *rowsp = rows;
    *n_rowsp = 0;
    for (size_t i = 0; i < n; i++) {
        rows[i] = ovsdb_row_create(table);
        *n_rowsp = i + 1;
        struct ovsdb_error *error = ovsdb_row_from_json(
            rows[i], json_array_get(rows_json, i), x->symtab, NULL);
        if (error) {
            return error;
        }
        ovsdb_row_hash_insert(expected, rows[i]);
    }
    return NULL;
}

static struct ovsdb_error *
execute_wait(struct exec *x, struct ovsdb_parser *parser, json_t **result)
{
    const struct ovsdb_table *table = parse_table(x, parser);
    const json_t *where = ovsdb_parser_member(parser, "where", OP_ARRAY);
    const json_t *columns_json =
        ovsdb_parser_member(parser, "columns", OP_ARRAY | OP_OPTIONAL);
    const json_t *timeout_json =
        ovsdb_parser_member(parser, "timeout", OP_INTEGER | OP_OPTIONAL);
    const json_t *until_json = ovsdb_parser_member(parser, "until", OP_STRING);
    const json_t *rows_json = ovsdb_parser_member(parser, "rows", OP_ARRAY);
    if (ovsdb_parser_has_error(parser)) {
        return NULL;
    }

    struct ovsdb_condition cond = OVSDB_CONDITION_INITIALIZER;
    struct ovsdb_column_set columns = OVSDB_COLUMN_SET_INITIALIZER;
    struct ovsdb_row **rows = NULL;
    size_t n_rows = 0;
    struct ovsdb_row_hash expected, actual;
    bool hashes_ready = false;
    long long timeout = LLONG_MAX;

    struct ovsdb_error *error =
        ovsdb_condition_from_json(table->schema, where, x->symtab, &cond);
    if (!error) {
        error = parse_columns(table, columns_json, &columns);
    }
    if (!error && timeout_json) {
        timeout = json_integer_value(timeout_json);
        if (timeout < 0) {
            error = ovsdb_syntax_error(timeout_json, NULL,
                                       "timeout must be nonnegative");
        }
    }
    const char *until = json_string_value(until_json);
    if (!error && strcmp(until, "==") && strcmp(until, "!=")) {
        error = ovsdb_syntax_error(until_json, NULL,
                                   "\"until\" must be \"==\" or \"!=\"");
    }
    if (!error) {
        ovsdb_row_hash_init(&expected, &columns);
        ovsdb_row_hash_init(&actual, &columns);
        hashes_ready = true;
        error =
            parse_wait_rows(x, table, rows_json, &expected, &rows, &n_rows);
    }
    if (!error) {
        struct row_list list;
        query(x, table, &cond, &list);
        for (size_t i = 0; i < list.n; i++) {
            ovsdb_row_hash_insert(&actual, list.rows[i]);
        }
        free(list.rows);

        bool equal = ovsdb_row_hash_equal(&expected, &actual);
        if (equal == !strcmp(until, "==")) {
            *result = json_object();
        } else if (timeout <= x->options->elapsed_msec) {
            error = ovsdb_error("timed out", "\"where\" clause test failed");
        } else {
            /* Not yet: the caller runs the request again later. */
            long long remaining =
                (timeout == LLONG_MAX ? LLONG_MAX
                                      : timeout - x->options->elapsed_msec);
            x->blocked = true;
            x->timeout_msec = MIN(x->timeout_msec, remaining);
        }
    }

    if (hashes_ready) {
        ovsdb_row_hash_destroy(&expected);
        ovsdb_row_hash_destroy(&actual);
    }
    for (size_t i = 0; i < n_rows; i++) {
        ovsdb_row_destroy(rows[i]);
    }
    free(rows);
    ovsdb_column_set_destroy(&columns);
    ovsdb_condition_destroy(&cond);
    return error;
}

static struct ovsdb_error *
execute_commit(struct exec *x, struct ovsdb_parser *parser, json_t **result)
{
    const json_t *durable = ovsdb_parser_member(parser, "durable", OP_BOOLEAN);
    if (ovsdb_parser_has_error(parser)) {
        return NULL;
    }
    if (json_is_true(durable)) {
        x->durable = true;
    }
    *result = json_object();
    return NULL;
}

static struct ovsdb_error *
execute_abort(struct exec *x OVS_UNUSED, struct ovsdb_parser *parser,
              json_t **result OVS_UNUSED)
{
    if (ovsdb_parser_has_error(parser)) {
        return NULL;
    }
    return ovsdb_error("aborted", "aborted by request");
}

static struct ovsdb_error *
execute_comment(struct exec *x, struct ovsdb_parser *parser, json_t **result)
{
    const json_t *comment = ovsdb_parser_member(parser, "comment", OP_STRING);
    if (ovsdb_parser_has_error(parser)) {
        return NULL;
    }
    ovsdb_txn_add_comment(x->txn, json_string_value(comment));
    *result = json_object();
    return NULL;
}

static struct ovsdb_error *
execute_assert(struct exec *x, struct ovsdb_parser *parser, json_t **result)
{
    const json_t *lock = ovsdb_parser_member(parser, "lock", OP_ID);
    if (ovsdb_parser_has_error(parser)) {
        return NULL;
    }
    const char *name = json_string_value(lock);
    const struct ovsdb_execution_options *options = x->options;
    if (!options->lock_held || !options->lock_held(name, options->aux)) {
        return ovsdb_error("not owner", "Asserted lock %s not held.", name);
    }
    *result = json_object();
    return NULL;
}

struct op_type {
    const char *name;
    op_executor *execute;
    bool writes; /* Refused in read-only sessions. */
};

static const struct op_type op_types[] = {
    {"insert", execute_insert, true},    {"select", execute_select, false},
    {"update", execute_update, true},    {"mutate", execute_mutate, true},
    {"delete", execute_delete, true},    {"wait", execute_wait, false},
    {"commit", execute_commit, true},    {"abort", execute_abort, false},
    {"comment", execute_comment, false}, {"assert", execute_assert, false},
};

static const struct op_type *
find_op_type(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(op_types); i++) {
        if (!strcmp(op_types[i].name, name)) {
            return &op_types[i];
        }
    }
    return NULL;
}

/* Runs operation 'op_json' (number 'i' of 'n', counting from 1).
 * Returns its result, or stores its error in '*errorp' and returns
 * NULL. */
static json_t *
execute_op(struct exec *x, const json_t *op_json, size_t i, size_t n,
           struct ovsdb_error **errorp)
{
    struct ovsdb_parser parser;
    ovsdb_parser_init(&parser, op_json, "ovsdb operation %zu of %zu", i, n);

    struct ovsdb_error *error = NULL;
    json_t *result = NULL;
    const json_t *op = ovsdb_parser_member(&parser, "op", OP_STRING);
    if (op) {
        const char *name = json_string_value(op);
        const struct op_type *type = find_op_type(name);
        if (!type) {
            raise_op_error(&parser, "No operation \"%s\"", name);
        } else if (type->writes && x->options->reserved_db
                   && strcmp(name, "commit")) {
            ovsdb_parser_destroy(&parser);
            *errorp = ovsdb_error("not allowed",
                                  "%s operation not allowed "
                                  "on table in reserved database %s",
                                  name, x->options->reserved_db);
            return NULL;
        } else if (type->writes && x->options->read_only) {
            /* Refused before the members are looked at. */
            ovsdb_parser_destroy(&parser);
            *errorp = ovsdb_error("not allowed",
                                  "%s operation not allowed "
                                  "when database server is in read only "
                                  "mode",
                                  name);
            return NULL;
        } else {
            error = type->execute(x, &parser, &result);
        }
    }

    /* A malformed operation is reported as such even if executing what
     * could be parsed of it failed too. */
    struct ovsdb_error *parse_error = ovsdb_parser_finish(&parser);
    if (parse_error) {
        ovsdb_error_destroy(error);
        error = parse_error;
    }
    if (error) {
        json_decref(result);
        *errorp = error;
        return NULL;
    }
    return result;
}

void
ovsdb_execution_compose(struct ovsdb *db, const json_t *params,
                        const struct ovsdb_execution_options *options,
                        struct ovsdb_execution *outcome)
{
    struct exec x = {
        .db = db,
        .options = options,
        .txn = ovsdb_txn_create(db),
        .symtab = ovsdb_symbol_table_create(),
        .timeout_msec = LLONG_MAX,
    };

    size_t n_ops = json_array_size(params) ? json_array_size(params) - 1 : 0;
    json_t *results = json_array();
    bool failed = false;
    for (size_t i = 0; i < n_ops; i++) {
        struct ovsdb_error *error = NULL;
        json_t *result = execute_op(&x, json_array_get(params, i + 1), i + 1,
                                    n_ops, &error);
        if (x.blocked) {
            json_decref(result);
            ovsdb_error_destroy(error);
            break;
        }
        if (error) {
            failed = true;
            json_array_append_new(results, ovsdb_error_to_json_free(error));
            for (size_t j = i + 1; j < n_ops; j++) {
                json_array_append_new(results, json_null());
            }
            break;
        }
        json_array_append_new(results, result);
    }
    ovsdb_symbol_table_destroy(x.symtab);

    memset(outcome, 0, sizeof *outcome);
    outcome->timeout_msec = LLONG_MAX;
    if (x.blocked) {
        ovsdb_txn_abort(x.txn);
        json_decref(results);
        outcome->timeout_msec = x.timeout_msec;
    } else if (failed) {
        ovsdb_txn_abort(x.txn);
        outcome->results = results;
    } else {
        outcome->results = results;
        outcome->txn = x.txn;
        outcome->durable = x.durable;
    }
}

json_t *
ovsdb_execution_run(struct ovsdb *db, const json_t *params,
                    const struct ovsdb_execution_options *options,
                    long long *timeout_msec)
{
    struct ovsdb_execution outcome;
    ovsdb_execution_compose(db, params, options, &outcome);
    *timeout_msec = outcome.timeout_msec;
    if (outcome.txn) {
        struct ovsdb_error *error = ovsdb_txn_commit(outcome.txn);
        if (error) {
            ovsdb_txn_abort(outcome.txn);
            json_array_append_new(outcome.results,
                                  ovsdb_error_to_json_free(error));
        } else {
            ovsdb_txn_destroy(outcome.txn);
        }
    }
    return outcome.results;
}

/* db-ctl: the generic database commands (list, find, get, set, add,
 * remove, clear, create, destroy, wait-until, comment). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/table.h"
#include "lib/uuid.h"
#include "lib/vlog.h"
#include "ovsdb/idl-txn.h"
#include "ovsdb/idl.h"
#include "ovsdb/ovsdb-cell.h"
#include "ovsdb/ovsdb-data.h"
#include "utilities/db-ctl.h"

/* OVS logs the warnings of these commands under db-ctl's module name. */
extern struct vlog_module VLM_db_ctl_base;
static struct vlog_module *const THIS_MODULE = &VLM_db_ctl_base;

extern const struct idl_column *const ctl_uuid_column;

/* Returns the value of 'column' in 'row' in '*tmp' or the replica; the
 * "_uuid" pseudo-column reads the row's UUID.  Destroy '*tmp' after. */
static const struct ovsdb_datum *
read_column(const struct idl_row *row, const struct idl_column *column,
            struct ovsdb_datum *tmp)
{
    ovsdb_datum_init_empty(tmp);
    if (column == ctl_uuid_column) {
        tmp->n = 1;
        tmp->keys = xmalloc(sizeof *tmp->keys);
        tmp->keys[0].uuid = row->uuid;
        return tmp;
    }
    return idl_read(row, column);
}

/* Operators of conditions, longest first where one is a prefix of
 * another. */
enum cond_op {
    OP_EQ,
    OP_NE,
    OP_LT,
    OP_GT,
    OP_LE,
    OP_GE,
    OP_SET_EQ,
    OP_SET_NE,
    OP_SET_LT,
    OP_SET_GT,
    OP_SET_LE,
    OP_SET_GE,
    OP_IN,
    OP_NOT_IN,
};
static const char *const op_names[] = {
    "=",    "!=",  "<",   ">",    "<=",   ">=",   "{=}",
    "{!=}", "{<}", "{>}", "{<=}", "{>=}", "{in}", "{not-in}",
};
#define N_OPS (sizeof op_names / sizeof *op_names)

/* Parses "COLUMN[:KEY][OP VALUE]" in 'arg' for 'table'.  With 'ops'
 * (bitmask of allowed operators) an operator and value must follow; the
 * message on failure lists them.  '*keyp' and '*valuep' are malloc'd or
 * NULL. */
static void
parse_column_key_value(const char *arg, const struct idl_table_class *table,
                       const struct idl_column **columnp, char **keyp,
                       int *opp, char **valuep, unsigned int ops,
                       bool need_value)
{
    const char *p = arg;
    char *column_name;
    char *error = ovsdb_token_parse(&p, &column_name);
    if (error) {
        ctl_fatal("%s", error);
    }
    if (!column_name[0]) {
        ctl_fatal("%s: missing column name", arg);
    }
    *columnp = ctl_get_column(table, column_name);
    free(column_name);

    *keyp = NULL;
    if (*p == ':') {
        p++;
        error = ovsdb_token_parse(&p, keyp);
        if (error) {
            ctl_fatal("%s", error);
        }
    }

    *valuep = NULL;
    *opp = -1;
    if (ops) {
        int best = -1;
        size_t best_len = 0;
        for (size_t i = 0; i < N_OPS; i++) {
            size_t len = strlen(op_names[i]);
            if ((ops & (1u << i)) && len > best_len
                && !strncmp(p, op_names[i], len)) {
                best = i;
                best_len = len;
            }
        }
        if (best >= 0 && (p[best_len] || !need_value)) {
            *opp = best;
            *valuep = xstrdup(p + best_len);
            return;
        }
        struct ds s = DS_EMPTY_INITIALIZER;
        size_t n = 0, k = 0;
        for (size_t i = 0; i < N_OPS; i++) {
            n += (ops >> i) & 1;
        }
        for (size_t i = 0; i < N_OPS; i++) {
            if (!(ops & (1u << i))) {
                continue;
            }
            k++;
            if (k > 1) {
                ds_put_cstr(&s, n > 2 ? ", " : " ");
            }
            if (k == n && n > 1) {
                ds_put_cstr(&s, "or ");
            }
            ds_put_format(&s, "\"%s\"", op_names[i]);
        }
        ctl_fatal("%s: argument does not end in %s followed by a value.", arg,
                  ds_cstr(&s));
    } else if (*p) {
        ctl_fatal("%s: trailing garbage \"%s\" in argument", arg, p);
    }
}

/* Immutable columns can still be set on a row that this transaction
 * inserts ("create Port name=x"), as OVS allows. */
static void
check_mutable(const struct idl_table_class *table, const struct idl_row *row,
              const struct idl_column *column)
{
    if (column == ctl_uuid_column || (!column->is_mutable && !row->txn_new)) {
        ctl_fatal("cannot modify read-only column %s in table %s",
                  column->name, table->name);
    }
}

static void
must_parse_atom(union ovsdb_atom *atom, const struct ovsdb_base_type *base,
                const char *s, struct ovsdb_symbol_table *symtab)
{
    char *error = ovsdb_atom_from_string(atom, NULL, NULL, base, s, symtab);
    if (error) {
        ctl_fatal("%s", error);
    }
}

static void
must_parse_datum(struct ovsdb_datum *datum, const struct ovsdb_type *type,
                 const char *s, struct ovsdb_symbol_table *symtab)
{
    char *error = ovsdb_datum_from_string(datum, type, s, symtab);
    if (error) {
        ctl_fatal("%s", error);
    }
}

/* Parses "--columns=a,b" (or every column, with _uuid first). */
static size_t
parse_column_list(const struct idl_table_class *table, const char *spec,
                  const struct idl_column ***columnsp)
{
    const struct idl_column **columns;
    size_t n = 0;

    if (!spec) {
        columns = xmalloc((table->n_columns + 1) * sizeof *columns);
        columns[n++] = ctl_uuid_column;
        for (size_t i = 0; i < table->n_columns; i++) {
            columns[n++] = &table->columns[i];
        }
    } else {
        char *copy = xstrdup(spec);
        char *save = NULL;
        size_t allocated = 0;
        columns = NULL;
        for (char *tok = strtok_r(copy, ", ", &save); tok;
             tok = strtok_r(NULL, ", ", &save)) {
            if (n >= allocated) {
                columns = x2nrealloc(columns, &allocated, sizeof *columns);
            }
            columns[n++] = ctl_get_column(table, tok);
        }
        free(copy);
        if (!n) {
            ctl_fatal("must specify at least one column name");
        }
    }
    *columnsp = columns;
    return n;
}

static void
add_columns_prereqs(struct ctl_context *ctx,
                    const struct idl_table_class *table,
                    const struct idl_column **columns, size_t n)
{
    ctl_add_table_prereqs(ctx->idl, table);
    for (size_t i = 0; i < n; i++) {
        if (columns[i] != ctl_uuid_column) {
            idl_add_column(ctx->idl, columns[i]);
        }
    }
}

/* list and find. */

static struct table *
list_table_create(const struct idl_column **columns, size_t n)
{
    struct table *t = xmalloc(sizeof *t);
    table_init(t);
    for (size_t i = 0; i < n; i++) {
        table_add_column(t, "%s", columns[i]->name);
    }
    return t;
}

static void
list_add_row(struct table *t, const struct idl_row *row,
             const struct idl_column **columns, size_t n)
{
    table_add_row(t);
    for (size_t i = 0; i < n; i++) {
        struct ovsdb_datum tmp;
        const struct ovsdb_datum *d = read_column(row, columns[i], &tmp);
        ovsdb_cell_set_datum(table_add_cell(t, i), d, &columns[i]->type,
                             &ctl_table_style);
        ovsdb_datum_destroy(&tmp, &columns[i]->type);
    }
}

static void
pre_list(struct ctl_context *ctx)
{
    const struct idl_table_class *table = ctl_get_table(ctx->argv[1]);
    const struct idl_column **columns;
    size_t n =
        parse_column_list(table, ctl_get_option(ctx, "--columns"), &columns);
    add_columns_prereqs(ctx, table, columns, n);
    free(columns);
}

static void
cmd_list(struct ctl_context *ctx)
{
    const struct idl_table_class *table = ctl_get_table(ctx->argv[1]);
    const struct idl_column **columns;
    size_t n =
        parse_column_list(table, ctl_get_option(ctx, "--columns"), &columns);
    bool must_exist = !ctl_has_option(ctx, "--if-exists");
    struct table *t = list_table_create(columns, n);

    if (ctx->argc > 2) {
        for (int i = 2; i < ctx->argc; i++) {
            const struct idl_row *row =
                ctl_get_row(ctx, table, ctx->argv[i], must_exist);
            if (row) {
                list_add_row(t, row, columns, n);
            }
        }
    } else {
        for (const struct idl_row *row = idl_first_row(ctx->idl, table); row;
             row = idl_next_row(row)) {
            list_add_row(t, row, columns, n);
        }
    }
    ctx->table = t;
    free(columns);
}

/* Parses the argument of a condition for 'column' (with 'key', the value
 * at that key) into 'datum' of '*type' (set by this function). */
static void
parse_condition_value(struct ctl_context *ctx, const struct idl_column *column,
                      const char *key, int op, const char *value,
                      struct ovsdb_type *type, struct ovsdb_datum *datum)
{
    if (key) {
        type->key = column->type.value;
        type->value.type = OVSDB_TYPE_VOID;
        type->n_min = 0;
        type->n_max = 1;
        if (op >= OP_SET_EQ) {
            type->n_max = UINT_MAX;
        }
    } else {
        /* The value may have fewer elements than the column, for the set
         * operators, but not more, as with OVS. */
        *type = column->type;
        if (op >= OP_SET_EQ) {
            type->n_min = 0;
        }
    }
    must_parse_datum(datum, type, value, ctx->symtab);
}

static bool
condition_holds(struct ctl_context *ctx, const struct idl_row *row,
                const struct idl_table_class *table, const char *arg,
                unsigned int ops)
{
    const struct idl_column *column;
    char *key, *value;
    int op;
    struct ovsdb_type type;
    struct ovsdb_datum want, have, tmp;

    parse_column_key_value(arg, table, &column, &key, &op, &value, ops, true);
    if (key && column->type.value.type == OVSDB_TYPE_VOID) {
        ctl_fatal("cannot specify key to check for non-map column %s",
                  column->name);
    }
    parse_condition_value(ctx, column, key, op, value, &type, &want);

    const struct ovsdb_datum *d = read_column(row, column, &tmp);
    ovsdb_datum_init_empty(&have);
    if (key) {
        union ovsdb_atom k;
        must_parse_atom(&k, &column->type.key, key, ctx->symtab);
        unsigned int idx = ovsdb_datum_find_key(d, &k, column->type.key.type);
        if (idx != UINT_MAX) {
            ovsdb_datum_add_unsorted(&have, &d->values[idx], NULL, &type);
        }
        ovsdb_atom_destroy(&k, column->type.key.type);
    } else {
        ovsdb_datum_clone(&have, d, &column->type);
    }
    ovsdb_datum_destroy(&tmp, &column->type);

    bool result;
    int cmp = ovsdb_datum_compare_3way(&have, &want, &type);
    switch (op) {
    case OP_EQ:
    case OP_SET_EQ:
        result = !cmp;
        break;
    case OP_NE:
    case OP_SET_NE:
        result = cmp != 0;
        break;
    case OP_LT:
        result = cmp < 0;
        break;
    case OP_GT:
        result = cmp > 0;
        break;
    case OP_LE:
        result = cmp <= 0;
        break;
    case OP_GE:
        result = cmp >= 0;
        break;
    case OP_SET_LT:
        result = cmp && ovsdb_datum_includes_all(&have, &want, &type);
        break;
    case OP_SET_GT:
        result = cmp && ovsdb_datum_includes_all(&want, &have, &type);
        break;
    case OP_SET_LE:
    case OP_IN:
        result = ovsdb_datum_includes_all(&have, &want, &type);
        break;
    case OP_SET_GE:
        result = ovsdb_datum_includes_all(&want, &have, &type);
        break;
    case OP_NOT_IN:
        result = ovsdb_datum_excludes_all(&have, &want, &type);
        break;
    default:
        result = false;
    }
    if (key && !have.n && op < OP_SET_EQ) {
        /* As with OVS, a row without the key fails every condition on it
         * but the set operators (which compare with the empty set). */
        result = false;
    }
    ovsdb_datum_destroy(&have, &type);
    ovsdb_datum_destroy(&want, &type);
    free(key);
    free(value);
    return result;
}

#define ALL_OPS ((1u << N_OPS) - 1)

/* Registers the columns named by the conditions argv[first..] of 'ctx'
 * (as "find" and "wait-until" take them), so the replica has them. */
static void
add_condition_prereqs(struct ctl_context *ctx,
                      const struct idl_table_class *table, int first)
{
    for (int i = first; i < ctx->argc; i++) {
        const struct idl_column *column;
        char *key, *value;
        int op;
        parse_column_key_value(ctx->argv[i], table, &column, &key, &op, &value,
                               ALL_OPS, true);
        if (column != ctl_uuid_column) {
            idl_add_column(ctx->idl, column);
        }
        free(key);
        free(value);
    }
}

static void
pre_find(struct ctl_context *ctx)
{
    const struct idl_table_class *table = ctl_get_table(ctx->argv[1]);
    const struct idl_column **columns;
    size_t n =
        parse_column_list(table, ctl_get_option(ctx, "--columns"), &columns);
    add_columns_prereqs(ctx, table, columns, n);
    free(columns);
    add_condition_prereqs(ctx, table, 2);
}

static void
cmd_find(struct ctl_context *ctx)
{
    const struct idl_table_class *table = ctl_get_table(ctx->argv[1]);
    const struct idl_column **columns;
    size_t n =
        parse_column_list(table, ctl_get_option(ctx, "--columns"), &columns);
    struct table *t = list_table_create(columns, n);

    for (const struct idl_row *row = idl_first_row(ctx->idl, table); row;
         row = idl_next_row(row)) {
        bool ok = true;
        for (int i = 2; i < ctx->argc && ok; i++) {
            ok = condition_holds(ctx, row, table, ctx->argv[i], ALL_OPS);
        }
        if (ok) {
            list_add_row(t, row, columns, n);
        }
    }
    ctx->table = t;
    free(columns);
}

/* get. */

static void
pre_get(struct ctl_context *ctx)
{
    const struct idl_table_class *table = ctl_get_table(ctx->argv[1]);
    ctl_add_table_prereqs(ctx->idl, table);
    for (int i = 3; i < ctx->argc; i++) {
        const struct idl_column *column;
        char *key, *value;
        int op;
        if (!strcasecmp(ctx->argv[i], "_uuid")
            || !strcasecmp(ctx->argv[i], "-uuid")) {
            continue;
        }
        parse_column_key_value(ctx->argv[i], table, &column, &key, &op, &value,
                               0, false);
        if (column != ctl_uuid_column) {
            idl_add_column(ctx->idl, column);
        }
        free(key);
    }
}

static struct ovsdb_symbol *
create_symbol(struct ovsdb_symbol_table *symtab, const char *id, bool *newp)
{
    if (id[0] != '@') {
        ctl_fatal("row id \"%s\" does not begin with \"@\"", id);
    }
    if (newp) {
        *newp = ovsdb_symbol_table_find(symtab, id) == NULL;
    }
    struct ovsdb_symbol *symbol = ovsdb_symbol_table_insert(symtab, id);
    if (symbol->created) {
        ctl_fatal("row id \"%s\" may only be specified on one --id option",
                  id);
    }
    symbol->created = true;
    return symbol;
}

/* Resolves "TABLE RECORD" in argv[1..2] of 'ctx', storing the table in
 * '*tablep'.  Returns the row, or NULL if it does not exist and the
 * command has --if-exists (otherwise a missing row is fatal). */
static const struct idl_row *
get_record(struct ctl_context *ctx, const struct idl_table_class **tablep)
{
    bool must_exist = !ctl_has_option(ctx, "--if-exists");
    *tablep = ctl_get_table(ctx->argv[1]);
    return ctl_get_row(ctx, *tablep, ctx->argv[2], must_exist);
}

static void
cmd_get(struct ctl_context *ctx)
{
    const char *id = ctl_get_option(ctx, "--id");
    const struct idl_table_class *table;
    const struct idl_row *row = get_record(ctx, &table);
    if (!row) {
        return;
    }

    if (id) {
        bool is_new;
        struct ovsdb_symbol *symbol = create_symbol(ctx->symtab, id, &is_new);
        if (!is_new) {
            ctl_fatal("row id \"%s\" specified on \"get\" command was used "
                      "before it was defined",
                      id);
        }
        symbol->uuid = row->uuid;
        /* A "get" does not create the row, but it stays referable. */
        symbol->strong_ref = true;
    }

    for (int i = 3; i < ctx->argc; i++) {
        const struct idl_column *column;
        char *key, *value;
        int op;
        parse_column_key_value(ctx->argv[i], table, &column, &key, &op, &value,
                               0, false);
        struct ovsdb_datum tmp;
        const struct ovsdb_datum *d = read_column(row, column, &tmp);
        if (key) {
            if (column->type.value.type == OVSDB_TYPE_VOID) {
                ctl_fatal("cannot specify key to get for non-map column %s",
                          column->name);
            }
            union ovsdb_atom k;
            must_parse_atom(&k, &column->type.key, key, ctx->symtab);
            unsigned int idx =
                ovsdb_datum_find_key(d, &k, column->type.key.type);
            if (idx == UINT_MAX) {
                if (!ctl_has_option(ctx, "--if-exists")) {
                    ctl_fatal("no key \"%s\" in %s record \"%s\" column %s",
                              key, table->name, ctx->argv[2], column->name);
                }
            } else {
                ovsdb_atom_to_string(&d->values[idx], column->type.value.type,
                                     &ctx->output);
            }
            ovsdb_atom_destroy(&k, column->type.key.type);
        } else {
            ovsdb_datum_to_string(d, &column->type, &ctx->output);
        }
        ds_put_char(&ctx->output, '\n');
        ovsdb_datum_destroy(&tmp, &column->type);
        free(key);
    }
}

/* set, add, remove, clear. */

static void
pre_modify(struct ctl_context *ctx, int first, bool need_value)
{
    const struct idl_table_class *table = ctl_get_table(ctx->argv[1]);
    ctl_add_table_prereqs(ctx->idl, table);
    for (int i = first; i < ctx->argc; i++) {
        const struct idl_column *column;
        char *key, *value;
        int op;
        parse_column_key_value(ctx->argv[i], table, &column, &key, &op, &value,
                               need_value ? 1u << OP_EQ : 0, need_value);
        if (column != ctl_uuid_column) {
            idl_add_column(ctx->idl, column);
        }
        free(key);
        free(value);
    }
}

/* Applies one "COLUMN[:KEY]=VALUE" of set or create to 'row'. */
static void
set_column(struct ctl_context *ctx, const struct idl_table_class *table,
           const struct idl_row *row, const char *arg)
{
    const struct idl_column *column;
    char *key, *value;
    int op;

    parse_column_key_value(arg, table, &column, &key, &op, &value, 1u << OP_EQ,
                           true);
    check_mutable(table, row, column);
    if (key) {
        if (column->type.value.type == OVSDB_TYPE_VOID) {
            ctl_fatal("cannot specify key to set for non-map column %s",
                      column->name);
        }
        union ovsdb_atom k, v;
        must_parse_atom(&k, &column->type.key, key, ctx->symtab);
        must_parse_atom(&v, &column->type.value, value, ctx->symtab);
        struct ovsdb_datum *pair = xmalloc(sizeof *pair);
        ovsdb_datum_init_empty(pair);
        ovsdb_datum_add_unsorted(pair, &k, &v, &column->type);
        ovsdb_atom_destroy(&k, column->type.key.type);
        ovsdb_atom_destroy(&v, column->type.value.type);
        idl_txn_map_set(row, column, pair);
        free(pair);
    } else {
        struct ovsdb_datum d;
        must_parse_datum(&d, &column->type, value, ctx->symtab);
        idl_txn_write(row, column, &d);
    }
    free(key);
    free(value);
}

static void
pre_set(struct ctl_context *ctx)
{
    pre_modify(ctx, 3, true);
}

static void
cmd_set(struct ctl_context *ctx)
{
    const struct idl_table_class *table;
    const struct idl_row *row = get_record(ctx, &table);
    if (!row) {
        return;
    }
    for (int i = 3; i < ctx->argc; i++) {
        set_column(ctx, table, row, ctx->argv[i]);
    }
    ctl_context_invalidate_cache(ctx);
}

static void
pre_add_remove(struct ctl_context *ctx)
{
    const struct idl_table_class *table = ctl_get_table(ctx->argv[1]);
    ctl_add_table_prereqs(ctx->idl, table);
    const struct idl_column *column = ctl_get_column(table, ctx->argv[3]);
    if (column != ctl_uuid_column) {
        idl_add_column(ctx->idl, column);
    }
}

static const char *
element_name(const struct ovsdb_type *type)
{
    return type->value.type != OVSDB_TYPE_VOID ? "key-value pairs" : "values";
}

/* Resolves "TABLE RECORD COLUMN" in argv[1..3] of an "add" or "remove"
 * command and checks that the column may be changed.  Stores in '*type'
 * the column's type without count limits, for parsing the elements.
 * Returns false if the record does not exist and --if-exists allows
 * that. */
static bool
get_element_target(struct ctl_context *ctx,
                   const struct idl_table_class **tablep,
                   const struct idl_column **columnp,
                   const struct idl_row **rowp, struct ovsdb_type *type)
{
    bool must_exist = !ctl_has_option(ctx, "--if-exists");
    const struct idl_table_class *table = ctl_get_table(ctx->argv[1]);
    /* The column is resolved before the row, so that a bad column name is
     * reported even for a missing record, as OVS does. */
    const struct idl_column *column = ctl_get_column(table, ctx->argv[3]);
    const struct idl_row *row =
        ctl_get_row(ctx, table, ctx->argv[2], must_exist);
    if (!row) {
        return false;
    }
    check_mutable(table, row, column);

    *tablep = table;
    *columnp = column;
    *rowp = row;
    *type = column->type;
    type->n_min = 0;
    type->n_max = UINT_MAX;
    return true;
}

static void
cmd_add(struct ctl_context *ctx)
{
    const struct idl_table_class *table;
    const struct idl_column *column;
    const struct idl_row *row;
    struct ovsdb_type type;
    if (!get_element_target(ctx, &table, &column, &row, &type)) {
        return;
    }

    /* As OVS's, "add" always goes as a mutation, which the server checks
     * (and for a scalar column refuses): map keys get the new values. */
    struct ovsdb_datum *adds = xmalloc(sizeof *adds);
    ovsdb_datum_init_empty(adds);
    for (int i = 4; i < ctx->argc; i++) {
        struct ovsdb_datum d;
        must_parse_datum(&d, &type, ctx->argv[i], ctx->symtab);
        ovsdb_datum_union(adds, &d, &type);
        ovsdb_datum_destroy(&d, &type);
    }
    if (type.value.type != OVSDB_TYPE_VOID) {
        idl_txn_map_set(row, column, adds);
    } else {
        idl_txn_set_add(row, column, adds);
    }
    free(adds);
    ctl_context_invalidate_cache(ctx);
}

static void
cmd_remove(struct ctl_context *ctx)
{
    const struct idl_table_class *table;
    const struct idl_column *column;
    const struct idl_row *row;
    struct ovsdb_type type;
    if (!get_element_target(ctx, &table, &column, &row, &type)) {
        return;
    }
    const struct ovsdb_datum *old = idl_read(row, column);
    struct ovsdb_datum result;
    ovsdb_datum_clone(&result, old, &column->type);

    for (int i = 4; i < ctx->argc; i++) {
        struct ovsdb_datum d;
        char *error =
            ovsdb_datum_from_string(&d, &type, ctx->argv[i], ctx->symtab);
        if (!error) {
            ovsdb_datum_subtract(&result, &column->type, &d, &type);
            ovsdb_datum_destroy(&d, &type);
        } else if (type.value.type != OVSDB_TYPE_VOID) {
            /* For a map, a bare key removes the key whatever its value. */
            struct ovsdb_type key_type = type;
            key_type.value.type = OVSDB_TYPE_VOID;
            char *error2 = ovsdb_datum_from_string(&d, &key_type, ctx->argv[i],
                                                   ctx->symtab);
            if (error2) {
                free(error2);
                ctl_fatal("%s", error);
            }
            ovsdb_datum_subtract(&result, &column->type, &d, &key_type);
            ovsdb_datum_destroy(&d, &key_type);
            free(error);
        } else {
            ctl_fatal("%s", error);
        }
    }
    if (result.n < column->type.n_min) {
        ctl_fatal("\"remove\" operation would put %u %s in column %s of "
                  "table %s but the minimum number is %u",
                  result.n, element_name(&column->type), column->name,
                  table->name, column->type.n_min);
    }

    if (column->type.n_max == 1) {
        idl_txn_write(row, column, &result);
        return;
    }
    /* Send only what goes away: the keys (or elements) no longer there. */
    struct ovsdb_type key_type = column->type;
    key_type.value.type = OVSDB_TYPE_VOID;
    struct ovsdb_datum *gone = xmalloc(sizeof *gone);
    ovsdb_datum_init_empty(gone);
    for (unsigned int i = 0; i < old->n; i++) {
        if (ovsdb_datum_find_key(&result, &old->keys[i], type.key.type)
            == UINT_MAX) {
            ovsdb_datum_add_unsorted(gone, &old->keys[i], NULL, &key_type);
        }
    }
    ovsdb_datum_destroy(&result, &column->type);
    if (gone->n) {
        if (type.value.type != OVSDB_TYPE_VOID) {
            idl_txn_map_delete(row, column, gone);
        } else {
            idl_txn_set_remove(row, column, gone);
        }
    } else {
        ovsdb_datum_destroy(gone, &key_type);
    }
    free(gone);
    ctl_context_invalidate_cache(ctx);
}

static void
pre_clear(struct ctl_context *ctx)
{
    pre_modify(ctx, 3, false);
}

static void
cmd_clear(struct ctl_context *ctx)
{
    const struct idl_table_class *table;
    const struct idl_row *row = get_record(ctx, &table);
    if (!row) {
        return;
    }
    for (int i = 3; i < ctx->argc; i++) {
        const struct idl_column *column = ctl_get_column(table, ctx->argv[i]);
        check_mutable(table, row, column);
        if (column->type.n_min > 0) {
            ctl_fatal("\"clear\" operation cannot be applied to column %s "
                      "of table %s, which is not allowed to be empty",
                      column->name, table->name);
        }
        struct ovsdb_datum empty;
        ovsdb_datum_init_empty(&empty);
        idl_txn_write(row, column, &empty);
    }
    ctl_context_invalidate_cache(ctx);
}

/* create. */

static void
pre_create(struct ctl_context *ctx)
{
    const char *id = ctl_get_option(ctx, "--id");
    const struct idl_table_class *table = ctl_get_table(ctx->argv[1]);
    ctl_add_table_prereqs(ctx->idl, table);
    if (!id && !table->is_root) {
        VLOG_WARN("applying \"create\" command to table %s without --id "
                  "option will have no effect",
                  table->name);
    }
    for (int i = 2; i < ctx->argc; i++) {
        const struct idl_column *column;
        char *key, *value;
        int op;
        parse_column_key_value(ctx->argv[i], table, &column, &key, &op, &value,
                               1u << OP_EQ, true);
        if (column != ctl_uuid_column) {
            idl_add_column(ctx->idl, column);
        }
        free(key);
        free(value);
    }
}

static void
cmd_create(struct ctl_context *ctx)
{
    const char *id = ctl_get_option(ctx, "--id");
    const struct idl_table_class *table = ctl_get_table(ctx->argv[1]);
    const struct idl_row *row;

    if (id) {
        struct ovsdb_symbol *symbol = create_symbol(ctx->symtab, id, NULL);
        if (table->is_root) {
            /* A root row must be referenced to survive only if it is not
             * a root; roots always survive. */
            symbol->strong_ref = true;
        }
        row = idl_txn_insert_temp_uuid(ctx->txn, table, &symbol->uuid);
    } else {
        row = idl_txn_insert(ctx->txn, table, NULL);
    }
    for (int i = 2; i < ctx->argc; i++) {
        set_column(ctx, table, row, ctx->argv[i]);
    }
    ds_put_format(&ctx->output, UUID_FMT, UUID_ARGS(&row->uuid));
    ctl_context_invalidate_cache(ctx);
}

/* Replaces the temporary UUID printed by "create" with the one the
 * server assigned. */
static void
post_create(struct ctl_context *ctx)
{
    struct uuid dummy;
    if (!uuid_from_string(&dummy, ds_cstr(&ctx->output))) {
        return;
    }
    const struct uuid *real = idl_txn_get_insert_uuid(ctx->txn, &dummy);
    if (real) {
        ds_clear(&ctx->output);
        ds_put_format(&ctx->output, UUID_FMT, UUID_ARGS(real));
    }
    ds_put_char(&ctx->output, '\n');
}

/* destroy. */

static void
pre_destroy(struct ctl_context *ctx)
{
    ctl_add_table_prereqs(ctx->idl, ctl_get_table(ctx->argv[1]));
}

static void
cmd_destroy(struct ctl_context *ctx)
{
    bool must_exist = !ctl_has_option(ctx, "--if-exists");
    bool all = ctl_has_option(ctx, "--all");
    const struct idl_table_class *table = ctl_get_table(ctx->argv[1]);

    if (all && ctx->argc > 2) {
        ctl_fatal("--all and records argument should not be specified "
                  "together");
    }
    if (!all && ctx->argc < 3) {
        VLOG_WARN("either --all or records argument should be specified");
        return;
    }

    /* For rows of non-root tables the IDL sends no "delete": the server
     * collects them once nothing refers to them. */
    if (all) {
        const struct idl_row *row, *next;
        for (row = idl_first_row(ctx->idl, table); row; row = next) {
            next = idl_next_row(row);
            idl_txn_delete(row);
        }
    } else {
        for (int i = 2; i < ctx->argc; i++) {
            const struct idl_row *row =
                ctl_get_row(ctx, table, ctx->argv[i], must_exist);
            if (row) {
                idl_txn_delete(row);
            }
        }
    }
    ctl_context_invalidate_cache(ctx);
}

/* wait-until. */

static void
pre_wait_until(struct ctl_context *ctx)
{
    const struct idl_table_class *table = ctl_get_table(ctx->argv[1]);
    ctl_add_table_prereqs(ctx->idl, table);
    add_condition_prereqs(ctx, table, 3);
}

static void
cmd_wait_until(struct ctl_context *ctx)
{
    const struct idl_table_class *table = ctl_get_table(ctx->argv[1]);
    const struct idl_row *row = ctl_get_row(ctx, table, ctx->argv[2], false);
    if (!row) {
        ctx->try_again = true;
        return;
    }
    for (int i = 3; i < ctx->argc; i++) {
        if (!condition_holds(ctx, row, table, ctx->argv[i], ALL_OPS)) {
            ctx->try_again = true;
            return;
        }
    }
}

/* comment. */

static void
cmd_comment(struct ctl_context *ctx)
{
    (void) ctx;
}

/* clang-format off */
const struct ctl_command_syntax ctl_db_commands[] = {
    {"comment", 0, INT_MAX, "*ARG", NULL, cmd_comment, NULL, "", CTL_RO},
    {"get", 2, INT_MAX, "!TABLE !RECORD *COLUMN?:KEY", pre_get, cmd_get,
     NULL, "--if-exists,--id=", CTL_RO},
    {"list", 1, INT_MAX, "!TABLE *RECORD", pre_list, cmd_list, NULL,
     "--if-exists,--columns=", CTL_RO},
    {"find", 1, INT_MAX, "!TABLE *COLUMN?:KEY=VALUE", pre_find, cmd_find,
     NULL, "--columns=", CTL_RO},
    {"set", 3, INT_MAX, "!TABLE !RECORD +COLUMN?:KEY=VALUE", pre_set,
     cmd_set, NULL, "--if-exists", CTL_RW},
    {"add", 4, INT_MAX, "!TABLE !RECORD !COLUMN +?KEY=VALUE", pre_add_remove,
     cmd_add, NULL, "--if-exists", CTL_RW},
    {"remove", 4, INT_MAX, "!TABLE !RECORD !COLUMN +KEY|VALUE|KEY=VALUE",
     pre_add_remove, cmd_remove, NULL, "--if-exists", CTL_RW},
    {"clear", 3, INT_MAX, "!TABLE !RECORD +COLUMN", pre_clear, cmd_clear,
     NULL, "--if-exists", CTL_RW},
    {"create", 2, INT_MAX, "!TABLE +COLUMN?:KEY=VALUE", pre_create,
     cmd_create, post_create, "--id=", CTL_RW},
    {"destroy", 1, INT_MAX, "!TABLE *RECORD", pre_destroy, cmd_destroy, NULL,
     "--if-exists,--all", CTL_RW},
    {"wait-until", 2, INT_MAX, "!TABLE !RECORD *COLUMN?:KEY=VALUE",
     pre_wait_until, cmd_wait_until, NULL, "", CTL_RO},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, CTL_RO},
};
/* clang-format on */

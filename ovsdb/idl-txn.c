/* IDL transactions (see ovsdb/idl-txn.h). */
#include "ovsdb/idl-txn.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bitmap.h"
#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/jsonrpc-session.h"
#include "lib/jsonrpc.h"
#include "lib/poll-loop.h"
#include "lib/vlog.h"
#include "ovsdb/idl.h"

VLOG_DEFINE_THIS_MODULE(idl_txn);

struct idl_txn {
    struct hmap_node hmap_node; /* In idl->outstanding_txns. */
    json_t *request_id;
    struct idl *idl;
    struct hmap rows; /* Rows changed, by txn_node. */
    enum idl_txn_status status;
    char *error;
    bool dry_run;
    struct ds comment;

    /* Rows inserted, by their temporary UUIDs. */
    struct hmap inserted;

    /* Increment. */
    const struct idl_column *inc_column;
    struct uuid inc_row;
    size_t inc_index; /* Index of the "select" result. */
    int64_t inc_new_value;
};

struct idl_txn_insert {
    struct hmap_node hmap_node; /* In txn->inserted. */
    struct uuid dummy;          /* UUID in the replica. */
    size_t op_index;            /* Index of the "insert" result, or
                                 * SIZE_MAX if the row was deleted again
                                 * (and not sent). */
    struct uuid real;           /* UUID the server gave. */
};

const char *
idl_txn_status_to_string(enum idl_txn_status status)
{
    switch (status) {
    case IDL_TXN_UNCOMMITTED:
        return "uncommitted";
    case IDL_TXN_UNCHANGED:
        return "unchanged";
    case IDL_TXN_INCOMPLETE:
        return "incomplete";
    case IDL_TXN_ABORTED:
        return "aborted";
    case IDL_TXN_SUCCESS:
        return "success";
    case IDL_TXN_TRY_AGAIN:
        return "try again";
    case IDL_TXN_NOT_LOCKED:
        return "not locked";
    case IDL_TXN_ERROR:
        return "error";
    default:
        return "<unknown>";
    }
}

struct idl_txn *
idl_txn_create(struct idl *idl)
{
    ovs_assert(!idl->txn);

    struct idl_txn *txn = xzalloc(sizeof *txn);
    txn->idl = idl;
    hmap_init(&txn->rows);
    hmap_init(&txn->inserted);
    ds_init(&txn->comment);
    txn->status = IDL_TXN_UNCOMMITTED;
    idl->txn = txn;
    return txn;
}

struct idl *
idl_txn_get_idl(const struct idl_txn *txn)
{
    return txn->idl;
}

void
idl_txn_add_comment(struct idl_txn *txn, const char *format, ...)
{
    va_list args;

    if (txn->comment.length) {
        ds_put_char(&txn->comment, '\n');
    }
    va_start(args, format);
    ds_put_format_valist(&txn->comment, format, args);
    va_end(args);
}

void
idl_txn_set_dry_run(struct idl_txn *txn)
{
    txn->dry_run = true;
}

void
idl_txn_increment(struct idl_txn *txn, const struct idl_row *row,
                  const struct idl_column *column)
{
    ovs_assert(!txn->inc_column);
    ovs_assert(column->type.key.type == OVSDB_TYPE_INTEGER
               && ovsdb_type_is_scalar(&column->type));
    txn->inc_column = column;
    txn->inc_row = row->uuid;
}

bool
idl_txn_has_changes(struct idl_txn *txn)
{
    const struct idl_column *inc_column = txn->inc_column;
    txn->inc_column = NULL;
    json_t *ops = idl_txn_build_ops(txn);
    txn->inc_column = inc_column;
    json_decref(ops);
    return ops != NULL;
}

/* Row changes. */

static struct idl_txn *
row_txn(const struct idl_row *row)
{
    struct idl_txn *txn = row->table->db->idl->txn;
    ovs_assert(txn);
    return txn;
}

/* Puts 'row' in its IDL's open transaction. */
static struct idl_row *
txn_touch(const struct idl_row *row_)
{
    struct idl_row *row = (struct idl_row *) row_;
    struct idl_txn *txn = row_txn(row);

    if (!row->in_txn) {
        row->in_txn = true;
        hmap_insert(&txn->rows, &row->txn_node, uuid_hash(&row->uuid));
    }
    return row;
}

static void
ensure_new_datum(struct idl_row *row)
{
    size_t n = row->table_class->n_columns;
    if (!row->new_datum) {
        row->new_datum = xcalloc(n ? n : 1, sizeof *row->new_datum);
        row->written = bitmap_allocate(n ? n : 1);
    }
}

const struct idl_row *
idl_txn_insert(struct idl_txn *txn, const struct idl_table_class *tc,
               const struct uuid *uuid)
{
    struct idl_table *t = idl_get_table(txn->idl, tc);
    struct uuid u;

    if (uuid) {
        u = *uuid;
    } else {
        uuid_generate(&u);
    }
    struct idl_row *row = idl_row_create(t, &u);
    row->txn_new = true;
    row->persist_uuid = uuid != NULL;
    ensure_new_datum(row);
    for (size_t i = 0; i < tc->n_columns; i++) {
        ovsdb_datum_init_default(&row->new_datum[i], &tc->columns[i].type);
    }
    hmap_insert(&t->rows, &row->hmap_node, uuid_hash(&u));
    txn_touch(row);

    struct idl_txn_insert *ins = xzalloc(sizeof *ins);
    ins->dummy = u;
    hmap_insert(&txn->inserted, &ins->hmap_node, uuid_hash(&u));

    idl_row_parse(row);
    return row;
}

const struct idl_row *
idl_txn_insert_temp_uuid(struct idl_txn *txn, const struct idl_table_class *tc,
                         const struct uuid *uuid)
{
    const struct idl_row *row = idl_txn_insert(txn, tc, uuid);
    struct idl_row *r =
        idl_table_find_row(idl_get_table(txn->idl, tc), &row->uuid);
    r->persist_uuid = false;
    return row;
}

void
idl_txn_delete(const struct idl_row *row_)
{
    struct idl_row *row = txn_touch(row_);
    row->txn_deleted = true;
}

void
idl_txn_write(const struct idl_row *row_, const struct idl_column *column,
              struct ovsdb_datum *datum)
{
    struct idl_row *row = txn_touch(row_);
    size_t i = column->index;

    ovs_assert(row->txn_new || column->is_mutable);
    ensure_new_datum(row);
    if (row->txn_new || bitmap_is_set(row->written, i)
        || idl_row_has_partial(row, column)) {
        ovsdb_datum_destroy(&row->new_datum[i], &column->type);
    }
    row->new_datum[i] = *datum;
    ovsdb_datum_init_empty(datum);
    bitmap_set1(row->written, i);

    /* A whole new value replaces earlier partial updates. */
    struct idl_partial *p, *next;
    LIST_FOR_EACH_SAFE (p, next, node, &row->partials) {
        if (p->column == column) {
            list_remove(&p->node);
            ovsdb_datum_destroy(&p->to_delete, &column->type);
            ovsdb_datum_destroy(&p->to_insert, &column->type);
            free(p);
        }
    }
    idl_row_reparse(row);
}

void
idl_txn_write_clone(const struct idl_row *row, const struct idl_column *column,
                    const struct ovsdb_datum *datum)
{
    struct ovsdb_datum copy;
    ovsdb_datum_clone(&copy, datum, &column->type);
    idl_txn_write(row, column, &copy);
}

void
idl_txn_verify(const struct idl_row *row_, const struct idl_column *column)
{
    if (row_->txn_new || !row_->old_datum) {
        return;
    }
    struct idl_row *row = txn_touch(row_);
    if (!row->verified) {
        row->verified = bitmap_allocate(row->table_class->n_columns);
    }
    bitmap_set1(row->verified, column->index);
}

/* Partial updates. */

/* The type of a set of 'column''s keys of any size. */
static struct ovsdb_type
key_set_type(const struct idl_column *column)
{
    struct ovsdb_type t = column->type;
    t.value.type = OVSDB_TYPE_VOID;
    t.n_min = 0;
    t.n_max = OVSDB_TYPE_UNLIMITED;
    return t;
}

/* 'column''s type with any number of elements. */
static struct ovsdb_type
any_size_type(const struct idl_column *column)
{
    struct ovsdb_type t = column->type;
    t.n_min = 0;
    t.n_max = OVSDB_TYPE_UNLIMITED;
    return t;
}

/* Removes from 'datum' every element whose key is a key of 'keys'. */
static void
remove_keys(struct ovsdb_datum *datum, const struct ovsdb_datum *keys,
            const struct idl_column *column)
{
    struct ovsdb_type t = any_size_type(column);
    for (size_t i = 0; i < keys->n; i++) {
        unsigned int idx =
            ovsdb_datum_find_key(datum, &keys->keys[i], t.key.type);
        if (idx != UINT_MAX) {
            ovsdb_datum_remove_at(datum, idx, &t);
        }
    }
}

/* Adds 'elems' to 'datum', replacing the values of keys it has. */
static void
add_elems(struct ovsdb_datum *datum, const struct ovsdb_datum *elems,
          const struct idl_column *column)
{
    struct ovsdb_type t = any_size_type(column);
    remove_keys(datum, elems, column);
    for (size_t i = 0; i < elems->n; i++) {
        ovsdb_datum_add_unsorted(datum, &elems->keys[i],
                                 elems->values ? &elems->values[i] : NULL, &t);
    }
    ovsdb_datum_sort_unique(datum, &t);
}

static struct idl_partial *
get_partial(struct idl_row *row, const struct idl_column *column)
{
    struct idl_partial *p;
    LIST_FOR_EACH (p, node, &row->partials) {
        if (p->column == column) {
            return p;
        }
    }
    p = xmalloc(sizeof *p);
    p->column = column;
    ovsdb_datum_init_empty(&p->to_delete);
    ovsdb_datum_init_empty(&p->to_insert);
    list_push_back(&row->partials, &p->node);
    return p;
}

/* Applies a partial update directly to the value the transaction writes,
 * when it writes one, and returns true; returns false if the update must
 * go as a mutation.  A row the transaction inserts has nothing on the
 * server to mutate yet, so its partial updates always land in the value
 * that its "insert" carries. */
static bool
partial_to_new_datum(struct idl_row *row, const struct idl_column *column,
                     const struct ovsdb_datum *elems, bool add)
{
    size_t i = column->index;

    if (!row->txn_new && !(row->written && bitmap_is_set(row->written, i))) {
        return false;
    }
    if (add) {
        add_elems(&row->new_datum[i], elems, column);
    } else {
        remove_keys(&row->new_datum[i], elems, column);
    }
    bitmap_set1(row->written, i);
    idl_row_reparse(row);
    return true;
}

static void
partial_update(const struct idl_row *row_, const struct idl_column *column,
               struct ovsdb_datum *elems, bool add)
{
    struct idl_row *row = txn_touch(row_);
    struct ovsdb_type elems_type =
        add ? any_size_type(column) : key_set_type(column);

    if (!partial_to_new_datum(row, column, elems, add)) {
        bool had_view = idl_row_has_partial(row, column);
        struct idl_partial *p = get_partial(row, column);
        struct ovsdb_datum keys;
        struct ovsdb_type kt = key_set_type(column);

        /* Key sets in both lists: a later operation on a key overrides
         * earlier ones. */
        ovsdb_datum_clone(&keys, elems, &elems_type);
        if (keys.values) {
            struct ovsdb_type at = any_size_type(column);
            for (size_t i = 0; i < keys.n; i++) {
                ovsdb_atom_destroy(&keys.values[i], at.value.type);
            }
            free(keys.values);
            keys.values = NULL;
        }
        remove_keys(&p->to_insert, &keys, column);
        if (add) {
            add_elems(&p->to_insert, elems, column);
        }
        if (!add || ovsdb_type_is_map(&column->type)) {
            /* A map's "insert" does not replace a key's value, so setting
             * a key deletes it first. */
            struct ovsdb_datum tmp = p->to_delete;
            ovsdb_datum_union(&tmp, &keys, &kt);
            p->to_delete = tmp;
        } else {
            remove_keys(&p->to_delete, &keys, column);
        }
        ovsdb_datum_destroy(&keys, &kt);

        /* What the row shows until the commit: the replica's value with
         * the pending partial updates applied. */
        size_t i = column->index;
        ensure_new_datum(row);
        if (had_view) {
            ovsdb_datum_destroy(&row->new_datum[i], &column->type);
        }
        const struct ovsdb_datum *base =
            row->old_datum ? &row->old_datum[i]
                           : ovsdb_datum_default(&column->type);
        struct ovsdb_type at = any_size_type(column);
        ovsdb_datum_clone(&row->new_datum[i], base, &at);
        remove_keys(&row->new_datum[i], &p->to_delete, column);
        add_elems(&row->new_datum[i], &p->to_insert, column);
        idl_row_reparse(row);
    }
    ovsdb_datum_destroy(elems, &elems_type);
}

void
idl_txn_read_pending(const struct idl_row *row,
                     const struct idl_column *column, struct ovsdb_datum *out)
{
    struct ovsdb_type t = any_size_type(column);
    ovsdb_datum_clone(out, idl_row_read(row, column), &t);
}

void
idl_txn_set_add(const struct idl_row *row, const struct idl_column *column,
                struct ovsdb_datum *datum)
{
    partial_update(row, column, datum, true);
}

void
idl_txn_set_remove(const struct idl_row *row, const struct idl_column *column,
                   struct ovsdb_datum *datum)
{
    partial_update(row, column, datum, false);
}

void
idl_txn_map_set(const struct idl_row *row, const struct idl_column *column,
                struct ovsdb_datum *datum)
{
    partial_update(row, column, datum, true);
}

void
idl_txn_map_delete(const struct idl_row *row, const struct idl_column *column,
                   struct ovsdb_datum *datum)
{
    partial_update(row, column, datum, false);
}

/* Partial updates of one element given as C values (for generated
 * code): 'key' and 'value' point to members' C types. */
void
idl_txn_set_add_c(const struct idl_row *row, const struct idl_column *column,
                  const void *key)
{
    struct ovsdb_datum d;
    idl_datum_from_c(&d, column, key, NULL, 1);
    idl_txn_set_add(row, column, &d);
}

void
idl_txn_set_remove_c(const struct idl_row *row,
                     const struct idl_column *column, const void *key)
{
    struct ovsdb_datum d;
    idl_datum_from_c(&d, column, key, NULL, 1);
    idl_txn_set_remove(row, column, &d);
}

void
idl_txn_map_set_c(const struct idl_row *row, const struct idl_column *column,
                  const void *key, const void *value)
{
    struct ovsdb_datum d;
    idl_datum_from_c(&d, column, key, value, 1);
    idl_txn_map_set(row, column, &d);
}

void
idl_txn_map_delete_c(const struct idl_row *row,
                     const struct idl_column *column, const void *key)
{
    struct ovsdb_datum d;
    idl_datum_from_c(&d, column, key, NULL, 1);
    idl_txn_map_delete(row, column, &d);
}

void
idl_txn_write_c(const struct idl_row *row, const struct idl_column *column,
                const void *keys, const void *values, size_t n)
{
    struct ovsdb_datum d;
    idl_datum_from_c(&d, column, keys, values, n);
    idl_txn_write(row, column, &d);
}

void
idl_txn_write_smap(const struct idl_row *row, const struct idl_column *column,
                   const struct smap *smap)
{
    struct ovsdb_datum d;
    idl_datum_from_smap(&d, column, smap);
    idl_txn_write(row, column, &d);
}

/* Building the operations. */

static json_t *
where_uuid(const struct uuid *uuid)
{
    char buf[UUID_LEN + 1];
    return json_pack("[[s,s,[s,s]]]", "_uuid", "==", "uuid",
                     uuid_to_string(uuid, buf));
}

static char *
uuid_name(const struct uuid *uuid)
{
    char *name = xasprintf("row" UUID_FMT, UUID_ARGS(uuid));
    for (char *p = name; *p; p++) {
        if (*p == '-') {
            *p = '_';
        }
    }
    return name;
}

static struct idl_txn_insert *
find_insert(const struct idl_txn *txn, const struct uuid *uuid)
{
    struct idl_txn_insert *ins;
    HMAP_FOR_EACH_WITH_HASH (ins, hmap_node, uuid_hash(uuid), &txn->inserted) {
        if (uuid_equals(&ins->dummy, uuid)) {
            return ins;
        }
    }
    return NULL;
}

/* Replaces, in 'json', references to rows the transaction inserts by
 * their named UUIDs. */
static void
substitute_named_uuids(const struct idl_txn *txn, json_t *json)
{
    size_t i;
    json_t *elem;

    if (!json_is_array(json)) {
        return;
    }
    if (json_array_size(json) == 2 && json_is_string(json_array_get(json, 0))
        && !strcmp(json_string_value(json_array_get(json, 0)), "uuid")
        && json_is_string(json_array_get(json, 1))) {
        struct uuid uuid;
        if (uuid_from_string(&uuid, json_string_value(json_array_get(json, 1)))
            && find_insert(txn, &uuid)) {
            json_array_set_new(json, 0, json_string("named-uuid"));
            json_array_set_new(json, 1, json_string_take(uuid_name(&uuid)));
        }
        return;
    }
    json_array_foreach (json, i, elem) {
        substitute_named_uuids(txn, elem);
    }
}

static json_t *
datum_json(const struct idl_txn *txn, const struct ovsdb_datum *datum,
           const struct ovsdb_type *type)
{
    json_t *json = ovsdb_datum_to_json(datum, type);
    substitute_named_uuids(txn, json);
    return json;
}

/* Rows in a stable order (by UUID), so that the same changes always give
 * the same operations. */
static int
compare_rows(const void *a_, const void *b_)
{
    const struct idl_row *const *a = a_;
    const struct idl_row *const *b = b_;
    return uuid_compare_3way(&(*a)->uuid, &(*b)->uuid);
}

static struct idl_row **
sorted_txn_rows(const struct idl_txn *txn)
{
    struct idl_row **rows =
        xmalloc((hmap_count(&txn->rows) + 1) * sizeof *rows);
    struct idl_row *row;
    size_t n = 0;
    HMAP_FOR_EACH (row, txn_node, &txn->rows) {
        rows[n++] = row;
    }
    qsort(rows, n, sizeof *rows, compare_rows);
    return rows;
}

static json_t *
build_wait(const struct idl_txn *txn, const struct idl_row *row)
{
    const struct idl_table_class *tc = row->table_class;
    json_t *columns = json_array();
    json_t *values = json_object();

    for (size_t i = 0; i < tc->n_columns; i++) {
        if (bitmap_is_set(row->verified, i)) {
            const struct idl_column *c = &tc->columns[i];
            json_array_append_new(columns, json_string(c->name));
            json_object_set_new(values, c->name,
                                datum_json(txn, &row->old_datum[i], &c->type));
        }
    }
    return json_pack("{s:s,s:s,s:i,s:o,s:s,s:o,s:[o]}", "op", "wait", "table",
                     tc->name, "timeout", 0, "where", where_uuid(&row->uuid),
                     "until", "==", "columns", columns, "rows", values);
}

/* The argument of a set or map mutation: a set always in its ["set", ...]
 * form, even with one element, as OVS's IDL sends it (the server quotes
 * it back in errors). */
static json_t *
mutation_json(const struct idl_txn *txn, const struct ovsdb_datum *datum,
              const struct ovsdb_type *type)
{
    json_t *json = datum_json(txn, datum, type);
    if (!ovsdb_type_is_map(type) && datum->n == 1) {
        json = json_pack("[s,[o]]", "set", json);
    }
    return json;
}

static json_t *
build_mutate(const struct idl_txn *txn, const struct idl_row *row)
{
    json_t *mutations = json_array();
    struct idl_partial *p;

    LIST_FOR_EACH (p, node, &row->partials) {
        const struct idl_column *c = p->column;
        struct ovsdb_type kt = key_set_type(c);
        struct ovsdb_type at = any_size_type(c);
        /* A row that this transaction inserts is in no set on the server
         * yet: removing it (after adding it) sends nothing. */
        struct ovsdb_datum to_delete;
        ovsdb_datum_clone(&to_delete, &p->to_delete, &kt);
        if (kt.key.type == OVSDB_TYPE_UUID && !ovsdb_type_is_map(&c->type)) {
            for (size_t i = to_delete.n; i-- > 0;) {
                if (find_insert(txn, &to_delete.keys[i].uuid)) {
                    ovsdb_datum_remove_at(&to_delete, i, &kt);
                }
            }
        }
        if (to_delete.n) {
            json_array_append_new(
                mutations, json_pack("[s,s,o]", c->name, "delete",
                                     mutation_json(txn, &to_delete, &kt)));
        }
        ovsdb_datum_destroy(&to_delete, &kt);
        if (p->to_insert.n) {
            json_array_append_new(
                mutations, json_pack("[s,s,o]", c->name, "insert",
                                     mutation_json(txn, &p->to_insert, &at)));
        }
    }
    if (!json_array_size(mutations)) {
        json_decref(mutations);
        return NULL;
    }
    return json_pack("{s:s,s:s,s:o,s:o}", "op", "mutate", "table",
                     row->table_class->name, "where", where_uuid(&row->uuid),
                     "mutations", mutations);
}

static json_t *
build_row_columns(const struct idl_txn *txn, const struct idl_row *row)
{
    const struct idl_table_class *tc = row->table_class;
    json_t *columns = json_object();

    for (size_t i = 0; i < tc->n_columns; i++) {
        if (!bitmap_is_set(row->written, i)) {
            continue;
        }
        const struct idl_column *c = &tc->columns[i];
        if (!row->txn_new && row->old_datum
            && ovsdb_datum_equals(&row->old_datum[i], &row->new_datum[i],
                                  &c->type)) {
            continue;
        }
        json_object_set_new(columns, c->name,
                            datum_json(txn, &row->new_datum[i], &c->type));
    }
    return columns;
}

json_t *
idl_txn_build_ops(struct idl_txn *txn)
{
    struct idl *idl = txn->idl;
    json_t *ops = json_array();
    bool any_change = false;
    size_t n_rows = hmap_count(&txn->rows);
    struct idl_row **rows = sorted_txn_rows(txn);

    json_array_append_new(ops, json_string(idl->data.class->database));
    if (idl->lock_name) {
        json_array_append_new(ops, json_pack("{s:s,s:s}", "op", "assert",
                                             "lock", idl->lock_name));
    }

    /* What the changes rely on comes first. */
    for (size_t i = 0; i < n_rows; i++) {
        const struct idl_row *row = rows[i];
        if (row->verified && row->old_datum && !row->txn_new) {
            json_array_append_new(ops, build_wait(txn, row));
        }
    }

    for (size_t i = 0; i < n_rows; i++) {
        struct idl_row *row = rows[i];
        const char *table = row->table_class->name;
        if (row->txn_deleted) {
            if (row->txn_new) {
                find_insert(txn, &row->uuid)->op_index = SIZE_MAX;
                continue;
            }
            /* Rows of non-root tables are left to the server's garbage
             * collection, which removes them once nothing refers to them:
             * deleting one that something still refers to would fail the
             * whole transaction. */
            if (!row->txn_new && row->old_datum && row->table_class->is_root) {
                json_array_append_new(
                    ops, json_pack("{s:s,s:s,s:o}", "op", "delete", "table",
                                   table, "where", where_uuid(&row->uuid)));
                any_change = true;
            }
            continue;
        }
        if (row->txn_new) {
            json_t *op =
                json_pack("{s:s,s:s,s:o,s:o}", "op", "insert", "table", table,
                          "uuid-name", json_string_take(uuid_name(&row->uuid)),
                          "row", build_row_columns(txn, row));
            if (row->persist_uuid) {
                char buf[UUID_LEN + 1];
                json_object_set_new(
                    op, "uuid", json_string(uuid_to_string(&row->uuid, buf)));
            }
            struct idl_txn_insert *ins = find_insert(txn, &row->uuid);
            ins->op_index = json_array_size(ops) - 1;
            json_array_append_new(ops, op);
            any_change = true;
        } else if (row->written) {
            json_t *columns = build_row_columns(txn, row);
            if (json_object_size(columns)) {
                json_array_append_new(
                    ops, json_pack("{s:s,s:s,s:o,s:o}", "op", "update",
                                   "table", table, "where",
                                   where_uuid(&row->uuid), "row", columns));
                any_change = true;
            } else {
                json_decref(columns);
            }
        }
        json_t *mutate = build_mutate(txn, row);
        if (mutate) {
            json_array_append_new(ops, mutate);
            any_change = true;
        }
    }
    free(rows);

    if (txn->inc_column) {
        const struct idl_column *c = txn->inc_column;
        const char *table = idl->data.class->tables[c->table_index].name;
        /* A row that this transaction inserts is named by its named
         * UUID. */
        json_t *where = where_uuid(&txn->inc_row);
        substitute_named_uuids(txn, where);
        txn->inc_index = json_array_size(ops) - 1;
        json_array_append_new(ops,
                              json_pack("{s:s,s:s,s:O,s:[[s,s,i]]}", "op",
                                        "mutate", "table", table, "where",
                                        where, "mutations", c->name, "+=", 1));
        json_array_append_new(ops, json_pack("{s:s,s:s,s:o,s:[s]}", "op",
                                             "select", "table", table, "where",
                                             where, "columns", c->name));
        any_change = true;
    }
    if (txn->comment.length) {
        json_array_append_new(ops,
                              json_pack("{s:s,s:s}", "op", "comment",
                                        "comment", ds_cstr(&txn->comment)));
    }
    if (txn->dry_run) {
        json_array_append_new(ops, json_pack("{s:s}", "op", "abort"));
    }

    if (!any_change) {
        json_decref(ops);
        return NULL;
    }
    return ops;
}

/* Ends the transaction's hold on the replica: rows get back the values
 * the replica has, and the rows it inserted go away. */
static void
txn_disassemble(struct idl_txn *txn)
{
    struct idl_row **rows = sorted_txn_rows(txn);
    size_t n_rows = hmap_count(&txn->rows);

    for (size_t i = 0; i < n_rows; i++) {
        struct idl_row *row = rows[i];
        const struct idl_table_class *tc = row->table_class;

        idl_row_unparse(row);
        if (row->new_datum) {
            for (size_t j = 0; j < tc->n_columns; j++) {
                if (row->txn_new || bitmap_is_set(row->written, j)
                    || idl_row_has_partial(row, &tc->columns[j])) {
                    ovsdb_datum_destroy(&row->new_datum[j],
                                        &tc->columns[j].type);
                }
            }
            free(row->new_datum);
            row->new_datum = NULL;
        }
        bitmap_free(row->written);
        row->written = NULL;
        bitmap_free(row->verified);
        row->verified = NULL;
        struct idl_partial *p;
        LIST_FOR_EACH_POP (p, node, &row->partials) {
            struct ovsdb_type kt = key_set_type(p->column);
            struct ovsdb_type at = any_size_type(p->column);
            ovsdb_datum_destroy(&p->to_delete, &kt);
            ovsdb_datum_destroy(&p->to_insert, &at);
            free(p);
        }
        row->txn_deleted = false;
        row->in_txn = false;
    }
    hmap_clear(&txn->rows);

    for (size_t i = 0; i < n_rows; i++) {
        struct idl_row *row = rows[i];
        if (row->txn_new) {
            row->txn_new = false;
            if (list_is_empty(&row->dst_arcs)) {
                hmap_remove(&row->table->rows, &row->hmap_node);
                idl_row_free(row);
                rows[i] = NULL;
            }
        }
    }
    for (size_t i = 0; i < n_rows; i++) {
        struct idl_row *row = rows[i];
        if (row && idl_row_exists(row)) {
            idl_row_parse(row);
        } else if (row) {
            idl_row_gc_orphan(row);
        }
    }
    free(rows);
    if (txn->idl->txn == txn) {
        txn->idl->txn = NULL;
    }
}

static void
txn_set_error(struct idl_txn *txn, char *error)
{
    free(txn->error);
    txn->error = error;
}

enum idl_txn_status
idl_txn_commit(struct idl_txn *txn)
{
    struct idl *idl = txn->idl;

    if (txn->status != IDL_TXN_UNCOMMITTED) {
        return txn->status;
    }

    if (idl->lock_name && !idl->has_lock) {
        txn->status = IDL_TXN_NOT_LOCKED;
    } else {
        json_t *ops = idl_txn_build_ops(txn);
        if (!ops) {
            txn->status = IDL_TXN_UNCHANGED;
        } else if (!idl->session || !jsonrpc_session_is_connected(idl->session)
                   || !idl->data.monitoring) {
            json_decref(ops);
            txn->status = IDL_TXN_TRY_AGAIN;
        } else {
            struct jsonrpc_msg *msg =
                jsonrpc_create_request("transact", ops, &txn->request_id);
            if (jsonrpc_session_send(idl->session, msg)) {
                txn->status = IDL_TXN_TRY_AGAIN;
            } else {
                uint32_t hash =
                    json_is_integer(txn->request_id)
                        ? hash_uint64(json_integer_value(txn->request_id))
                        : 0;
                hmap_insert(&idl->outstanding_txns, &txn->hmap_node, hash);
                txn->status = IDL_TXN_INCOMPLETE;
            }
        }
    }
    txn_disassemble(txn);
    return txn->status;
}

enum idl_txn_status
idl_txn_commit_block(struct idl_txn *txn)
{
    enum idl_txn_status status;

    while ((status = idl_txn_commit(txn)) == IDL_TXN_INCOMPLETE) {
        idl_run(txn->idl);
        if (txn->status != IDL_TXN_INCOMPLETE) {
            continue;
        }
        idl_wait(txn->idl);
        idl_txn_wait(txn);
        poll_block();
    }
    return status;
}

void
idl_txn_abort(struct idl_txn *txn)
{
    if (txn->status == IDL_TXN_UNCOMMITTED) {
        txn_disassemble(txn);
        txn->status = IDL_TXN_ABORTED;
    }
}

enum idl_txn_status
idl_txn_get_status(const struct idl_txn *txn)
{
    return txn->status;
}

void
idl_txn_wait(const struct idl_txn *txn)
{
    if (txn->status != IDL_TXN_UNCOMMITTED
        && txn->status != IDL_TXN_INCOMPLETE) {
        poll_immediate_wake();
    }
}

const char *
idl_txn_get_error(const struct idl_txn *txn)
{
    return txn->error ? txn->error : idl_txn_status_to_string(txn->status);
}

int64_t
idl_txn_get_increment_new_value(const struct idl_txn *txn)
{
    return txn->inc_new_value;
}

const struct uuid *
idl_txn_get_insert_uuid(const struct idl_txn *txn, const struct uuid *uuid)
{
    const struct idl_txn_insert *ins = find_insert(txn, uuid);
    return (ins && ins->op_index != SIZE_MAX && txn->status == IDL_TXN_SUCCESS
                ? &ins->real
                : NULL);
}

void
idl_txn_destroy(struct idl_txn *txn)
{
    if (!txn) {
        return;
    }
    if (txn->status == IDL_TXN_UNCOMMITTED) {
        idl_txn_abort(txn);
    } else if (txn->idl->txn == txn) {
        txn_disassemble(txn);
    }
    if (txn->status == IDL_TXN_INCOMPLETE) {
        hmap_remove(&txn->idl->outstanding_txns, &txn->hmap_node);
    }
    struct idl_txn_insert *ins;
    HMAP_FOR_EACH_POP (ins, hmap_node, &txn->inserted) {
        free(ins);
    }
    hmap_destroy(&txn->inserted);
    hmap_destroy(&txn->rows);
    json_decref(txn->request_id);
    ds_destroy(&txn->comment);
    free(txn->error);
    free(txn);
}

/* Replies. */

void
idl_txn_process_reply(struct idl_txn *txn, const json_t *result,
                      const json_t *error)
{
    if (!result) {
        txn->status = IDL_TXN_ERROR;
        txn_set_error(txn, json_to_string_compact(error, true));
        return;
    }
    if (!json_is_array(result)) {
        txn->status = IDL_TXN_ERROR;
        txn_set_error(txn, xstrdup("reply to \"transact\" is not a JSON "
                                   "array"));
        return;
    }

    size_t i;
    json_t *op;
    json_array_foreach (result, i, op) {
        const char *err = json_get_string(op, "error");
        if (!err) {
            continue;
        }
        if (!strcmp(err, "timed out")) {
            txn->status = IDL_TXN_TRY_AGAIN;
        } else if (!strcmp(err, "not owner")) {
            txn->status = IDL_TXN_NOT_LOCKED;
        } else if (!strcmp(err, "aborted") && txn->dry_run) {
            txn->status = IDL_TXN_UNCHANGED;
        } else {
            txn->status = IDL_TXN_ERROR;
            txn_set_error(txn, json_to_string_compact(op, true));
        }
        return;
    }

    /* Success: collect what the server made. */
    struct idl_txn_insert *ins;
    HMAP_FOR_EACH (ins, hmap_node, &txn->inserted) {
        if (ins->op_index == SIZE_MAX) {
            continue;
        }
        json_t *uuid = json_array_get(
            json_object_get(json_array_get(result, ins->op_index), "uuid"), 1);
        if (!json_is_string(uuid)
            || !uuid_from_string(&ins->real, json_string_value(uuid))) {
            txn->status = IDL_TXN_ERROR;
            txn_set_error(txn, xstrdup("insert reply lacks a UUID"));
            return;
        }
    }
    if (txn->inc_column) {
        json_t *rows = json_object_get(
            json_array_get(result, txn->inc_index + 1), "rows");
        json_t *value =
            json_object_get(json_array_get(rows, 0), txn->inc_column->name);
        if (!json_is_integer(value)) {
            txn->status = IDL_TXN_ERROR;
            txn_set_error(txn, xstrdup("increment reply lacks the new "
                                       "value (row deleted?)"));
            return;
        }
        txn->inc_new_value = json_integer_value(value);
    }
    txn->status = IDL_TXN_SUCCESS;
}

bool
idl_txn_process_msg__(struct idl *idl, const struct jsonrpc_msg *msg)
{
    uint32_t hash = json_is_integer(msg->id)
                        ? hash_uint64(json_integer_value(msg->id))
                        : 0;
    struct idl_txn *txn;

    HMAP_FOR_EACH_WITH_HASH (txn, hmap_node, hash, &idl->outstanding_txns) {
        if (json_equal(txn->request_id, msg->id)) {
            hmap_remove(&idl->outstanding_txns, &txn->hmap_node);
            idl_txn_process_reply(txn, msg->result,
                                  msg->type == JSONRPC_ERROR ? msg->error
                                                             : NULL);
            if (txn->status == IDL_TXN_INCOMPLETE) {
                txn->status = IDL_TXN_ERROR;
            }
            VLOG_DBG("transaction %s", idl_txn_status_to_string(txn->status));
            return true;
        }
    }
    return false;
}

void
idl_txn_fail_outstanding__(struct idl *idl)
{
    struct idl_txn *txn;
    HMAP_FOR_EACH_POP (txn, hmap_node, &idl->outstanding_txns) {
        txn->status = IDL_TXN_TRY_AGAIN;
    }
}

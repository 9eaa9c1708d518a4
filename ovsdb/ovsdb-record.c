/* Database file records; see ovsdb-record.h. */
#include "ovsdb/ovsdb-record.h"

#include <stdlib.h>
#include <string.h>

#include "lib/bitmap.h"
#include "lib/hash-order.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "ovsdb/ovsdb-column.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-row.h"
#include "ovsdb/ovsdb-table.h"
#include "ovsdb/ovsdb-txn.h"
#include "ovsdb/ovsdb.h"

/* Returns the object of 'row''s persistent columns that differ from
 * their defaults. */
static json_t *
row_to_json_full(const struct ovsdb_row *row)
{
    const struct ovsdb_table_schema *ts = row->table->schema;
    json_t *json = json_object();
    for (size_t i = 0; i < ts->n_columns; i++) {
        size_t c = ts->ovs_order[i];
        const struct ovsdb_column *column = ts->columns[c];
        if (c >= OVSDB_N_STD_COLUMNS && column->persistent
            && !ovsdb_datum_is_default(&row->fields[c], &column->type)) {
            json_object_set_new(
                json, column->name,
                ovsdb_datum_to_json(&row->fields[c], &column->type));
        }
    }
    return json;
}

/* A record is written as text straight from the transaction, in the
 * order in which OVS writes it: OVS builds it as JSON objects, whose
 * members its writer lists in the iteration order of their hash tables
 * (see lib/hash-order.h).  The members go in in this order: the tables in
 * the order the transaction first changed them, then "_comment",
 * "_is_diff" and "_date"; in a table, the rows in the order of OVS's hash
 * table of the transaction's rows of the table (by the first 32 bits of
 * the UUID, in the order the transaction first changed them); in a row,
 * the columns in the order of the table's hash table of columns. */

/* A row the record lists. */
struct record_row {
    uint32_t hash; /* The first 32 bits of its UUID. */
    const struct ovsdb_row *old, *new;
    const unsigned long *changed;
};

/* A table the record lists: 'n_rows' rows from 'first_row' on. */
struct record_table {
    const struct ovsdb_table *table;
    size_t first_row, n_rows;
};

/* The members of one JSON object being ordered as OVS writes them: what
 * each is ('items', up to the caller), its key's hash, and the order.
 * The arrays are the inline ones unless an object has more members. */
#define RECORD_INLINE_MEMBERS 16
struct record_members {
    size_t *items;
    uint32_t *hashes;
    size_t *order;
    size_t n, allocated;
    size_t inline_items[RECORD_INLINE_MEMBERS];
    uint32_t inline_hashes[RECORD_INLINE_MEMBERS];
    size_t inline_order[RECORD_INLINE_MEMBERS];
};

/* The objects of a record: the record itself, a table, a row.  Their
 * members are ordered in arrays reused from one object to the next. */
enum { RECORD_LEVEL, TABLE_LEVEL, ROW_LEVEL, N_LEVELS };

struct record_builder {
    struct record_row *rows;
    size_t n_rows, allocated_rows;
    struct record_table *tables;
    size_t n_tables, allocated_tables;
    struct record_members members[N_LEVELS];
};

/* Returns true if column 'c' of 'ts' goes into a record, as a change or
 * (if 'changed' is NULL) as the value of a new row. */
static bool
record_has_column(const struct ovsdb_table_schema *ts, size_t c,
                  const struct ovsdb_row *new, const unsigned long *changed)
{
    const struct ovsdb_column *column = ts->columns[c];
    return (c >= OVSDB_N_STD_COLUMNS && column->persistent
            && (changed ? bitmap_is_set(changed, c)
                        : !ovsdb_datum_is_default(&new->fields[c],
                                                  &column->type)));
}

static bool
add_change(const struct ovsdb_table *table, const struct ovsdb_row *old,
           const struct ovsdb_row *new, const unsigned long *changed, void *b_)
{
    struct record_builder *b = b_;
    if (!old || !new) {
        changed = NULL; /* An inserted or deleted row: all of it, or none. */
    } else {
        /* Only the columns that a record holds. */
        const struct ovsdb_table_schema *ts = table->schema;
        size_t c = OVSDB_N_STD_COLUMNS;
        while (c < ts->n_columns && !record_has_column(ts, c, new, changed)) {
            c++;
        }
        if (c >= ts->n_columns) {
            return true;
        }
    }

    /* ovsdb_txn_for_each_change() hands out a table's rows together. */
    if (!b->n_tables || b->tables[b->n_tables - 1].table != table) {
        if (b->n_tables >= b->allocated_tables) {
            b->tables =
                x2nrealloc(b->tables, &b->allocated_tables, sizeof *b->tables);
        }
        b->tables[b->n_tables++] = (struct record_table){
            .table = table,
            .first_row = b->n_rows,
        };
    }
    b->tables[b->n_tables - 1].n_rows++;

    if (b->n_rows >= b->allocated_rows) {
        b->rows = x2nrealloc(b->rows, &b->allocated_rows, sizeof *b->rows);
    }
    b->rows[b->n_rows++] = (struct record_row){
        .hash = ovsdb_row_get_uuid(new ? new : old)->parts[0],
        .old = old,
        .new = new,
        .changed = changed,
    };
    return true;
}

static void
members_destroy(struct record_members *m)
{
    if (m->items != m->inline_items) {
        free(m->items);
        free(m->hashes);
        free(m->order);
    }
}

/* Starts ordering the members of an object of at most 'n' members. */
static struct record_members *
members_start(struct record_builder *b, int level, size_t n)
{
    struct record_members *m = &b->members[level];
    if (!m->allocated) {
        m->items = m->inline_items;
        m->hashes = m->inline_hashes;
        m->order = m->inline_order;
        m->allocated = RECORD_INLINE_MEMBERS;
    }
    if (n > m->allocated) {
        members_destroy(m);
        m->allocated = MAX(n, 2 * m->allocated);
        m->items = xmalloc(m->allocated * sizeof *m->items);
        m->hashes = xmalloc(m->allocated * sizeof *m->hashes);
        m->order = xmalloc(m->allocated * sizeof *m->order);
    }
    m->n = 0;
    return m;
}

/* Adds 'item', whose key has 'hash', as the object's next member. */
static void
members_add(struct record_members *m, size_t item, uint32_t hash)
{
    m->items[m->n] = item;
    m->hashes[m->n++] = hash;
}

/* Returns the 'i'th member's item in the order in which OVS writes the
 * object's members, once hash_order_hashes() has set 'order'. */
static size_t
members_get(const struct record_members *m, size_t i)
{
    return m->items[m->order[i]];
}

/* Appends 'row''s member of a record: its persistent columns that differ
 * from their defaults for a new row, the changed ones of a modified row
 * (the difference for a set or map), null for a deleted one. */
static void
put_row(struct record_builder *b, const struct record_row *row,
        const char *uuid, struct ds *out)
{
    json_string_to_ds(uuid, UUID_LEN, out);
    ds_put_char(out, ':');
    const struct ovsdb_row *new = row->new;
    if (!new) {
        ds_put_cstr(out, "null");
        return;
    }

    /* In OVS, the columns go into the row's object in the order of the
     * table's hash table of columns. */
    const struct ovsdb_table_schema *ts = new->table->schema;
    struct record_members *m = members_start(b, ROW_LEVEL, ts->n_columns);
    for (size_t i = 0; i < ts->n_columns; i++) {
        size_t c = ts->ovs_order[i];
        if (record_has_column(ts, c, new, row->changed)) {
            members_add(m, c, ts->columns[c]->hmap_node.hash);
        }
    }
    hash_order_hashes(m->hashes, m->n, m->order);

    ds_put_char(out, '{');
    for (size_t i = 0; i < m->n; i++) {
        size_t c = members_get(m, i);
        const struct ovsdb_column *column = ts->columns[c];
        if (i) {
            ds_put_char(out, ',');
        }
        json_string_to_ds(column->name, strlen(column->name), out);
        ds_put_char(out, ':');
        if (row->changed && ovsdb_type_is_composite(&column->type)) {
            struct ovsdb_datum diff;
            ovsdb_datum_diff(&diff, &row->old->fields[c], &new->fields[c],
                             &column->type);
            ovsdb_datum_to_json_ds(&diff, &column->type, out);
            ovsdb_datum_destroy(&diff, &column->type);
        } else {
            ovsdb_datum_to_json_ds(&new->fields[c], &column->type, out);
        }
    }
    ds_put_char(out, '}');
}

/* Appends the member of 'rt''s table. */
static void
put_table(struct record_builder *b, const struct record_table *rt,
          struct ds *out)
{
    const struct ovsdb_table_schema *ts = rt->table->schema;
    json_string_to_ds(ts->name, strlen(ts->name), out);
    ds_put_cstr(out, ":{");

    /* In OVS, the rows go into the table's object in the order of the
     * transaction's hash table of the table's rows... */
    const struct record_row *rows = &b->rows[rt->first_row];
    struct record_members *m = members_start(b, TABLE_LEVEL, rt->n_rows);
    for (size_t i = 0; i < rt->n_rows; i++) {
        members_add(m, i, rows[i].hash);
    }
    hash_order_hashes(m->hashes, m->n, m->order);

    /* ...and the object lists them by the hashes of their names. */
    char *uuids = xmalloc(rt->n_rows * (UUID_LEN + 1));
    for (size_t i = 0; i < m->n; i++) {
        m->order[i] = members_get(m, i);
    }
    for (size_t i = 0; i < m->n; i++) {
        size_t r = m->order[i];
        const struct ovsdb_row *row = rows[r].new ? rows[r].new : rows[r].old;
        char *uuid = &uuids[r * (UUID_LEN + 1)];
        uuid_to_string(ovsdb_row_get_uuid(row), uuid);
        m->items[i] = r;
        m->hashes[i] = hash_bytes(uuid, UUID_LEN, 0);
    }
    hash_order_hashes(m->hashes, m->n, m->order);

    for (size_t i = 0; i < m->n; i++) {
        size_t r = members_get(m, i);
        if (i) {
            ds_put_char(out, ',');
        }
        put_row(b, &rows[r], &uuids[r * (UUID_LEN + 1)], out);
    }
    ds_put_char(out, '}');
    free(uuids);
}

bool
ovsdb_record_text_from_txn(const struct ovsdb_txn *txn, long long date_msec,
                           struct ds *out)
{
    struct record_builder b = {0};
    ovsdb_txn_for_each_change(txn, add_change, &b);
    if (!b.n_tables) {
        free(b.rows);
        free(b.tables);
        return false;
    }

    /* The members of the record: the tables, then these. */
    enum { COMMENT, IS_DIFF, DATE, N_EXTRAS };
    static const char *extra_names[N_EXTRAS] = {"_comment", "_is_diff",
                                                "_date"};
    const char *comment = ovsdb_txn_get_comment(txn);
    struct record_members *m =
        members_start(&b, RECORD_LEVEL, b.n_tables + N_EXTRAS);
    for (size_t i = 0; i < b.n_tables; i++) {
        members_add(m, N_EXTRAS + i,
                    b.tables[i].table->schema->hmap_node.hash);
    }
    for (size_t e = comment ? COMMENT : IS_DIFF; e < N_EXTRAS; e++) {
        members_add(m, e, hash_string(extra_names[e], 0));
    }
    hash_order_hashes(m->hashes, m->n, m->order);

    ds_put_char(out, '{');
    for (size_t i = 0; i < m->n; i++) {
        size_t item = members_get(m, i);
        if (i) {
            ds_put_char(out, ',');
        }
        if (item >= N_EXTRAS) {
            put_table(&b, &b.tables[item - N_EXTRAS], out);
            continue;
        }
        json_string_to_ds(extra_names[item], strlen(extra_names[item]), out);
        ds_put_char(out, ':');
        if (item == COMMENT) {
            json_string_to_ds(comment, strlen(comment), out);
        } else if (item == IS_DIFF) {
            ds_put_cstr(out, "true");
        } else {
            json_integer_to_ds(date_msec, out);
        }
    }
    ds_put_char(out, '}');

    for (int level = 0; level < N_LEVELS; level++) {
        members_destroy(&b.members[level]);
    }
    free(b.rows);
    free(b.tables);
    return true;
}

static json_t *
table_member(json_t *record, const struct ovsdb_table *table)
{
    json_t *rows = json_object_get(record, table->schema->name);
    if (!rows) {
        rows = json_object();
        json_object_set_new(record, table->schema->name, rows);
    }
    return rows;
}

json_t *
ovsdb_record_snapshot(const struct ovsdb *db, const char *comment,
                      long long date_msec)
{
    json_t *record = json_object();
    const struct ovsdb_table *table;
    HMAP_FOR_EACH (table, hmap_node, &db->tables) {
        if (!ovsdb_table_n_rows(table)) {
            continue;
        }
        json_t *rows = table_member(record, table);
        const struct ovsdb_row *row;
        HMAP_FOR_EACH (row, hmap_node, &table->rows) {
            char buf[UUID_LEN + 1];
            json_object_set_new(rows,
                                uuid_to_string(ovsdb_row_get_uuid(row), buf),
                                row_to_json_full(row));
        }
    }
    json_object_set_new(record, "_date", json_integer(date_msec));
    if (comment) {
        json_object_set_new(record, "_comment", json_string(comment));
    }
    return record;
}

/* Sets the columns named in 'json' of 'row'.  With 'is_diff', the values
 * of columns that hold more than one element are differences to apply
 * to the current values. */
static struct ovsdb_error *
apply_columns(struct ovsdb_row *row, const json_t *json, bool is_diff)
{
    const struct ovsdb_table_schema *ts = row->table->schema;
    const char *name;
    json_t *value;
    json_object_foreach ((json_t *) json, name, value) {
        const struct ovsdb_column *column =
            ovsdb_table_schema_get_column(ts, name);
        if (!column || column->index < OVSDB_N_STD_COLUMNS) {
            return ovsdb_syntax_error(json, "unknown column",
                                      "No column %s in table %s.", name,
                                      ts->name);
        }

        struct ovsdb_datum *field = &row->fields[column->index];
        struct ovsdb_datum datum;
        struct ovsdb_error *error;
        if (is_diff && ovsdb_type_is_composite(&column->type)) {
            struct ovsdb_type diff_type;
            ovsdb_type_clone(&diff_type, &column->type);
            diff_type.n_min = 0;
            diff_type.n_max = OVSDB_TYPE_UNLIMITED;
            struct ovsdb_datum diff;
            error = ovsdb_datum_from_json(&diff, &diff_type, value, NULL);
            if (!error) {
                error = ovsdb_datum_apply_diff(&datum, field, &diff,
                                               &column->type);
                ovsdb_datum_destroy(&diff, &column->type);
            }
            ovsdb_type_destroy(&diff_type);
        } else {
            error = ovsdb_datum_from_json(&datum, &column->type, value, NULL);
        }
        if (error) {
            /* OVS reports the value's error as it is, without context. */
            return error;
        }
        ovsdb_datum_swap(field, &datum);
        ovsdb_datum_destroy(&datum, &column->type);
    }
    return NULL;
}

static struct ovsdb_error *
apply_table(struct ovsdb_txn *txn, struct ovsdb_table *table,
            const json_t *rows, bool is_diff)
{
    if (!json_is_object(rows)) {
        return ovsdb_syntax_error(rows, NULL, "object expected");
    }

    const char *uuid_string;
    json_t *change;
    json_object_foreach ((json_t *) rows, uuid_string, change) {
        struct uuid uuid;
        if (!uuid_from_string(&uuid, uuid_string)) {
            return ovsdb_syntax_error(rows, NULL,
                                      "\"%s\" is not a valid "
                                      "UUID",
                                      uuid_string);
        }

        const struct ovsdb_row *row = ovsdb_txn_get_row(txn, table, &uuid);
        if (json_is_null(change)) {
            if (!row) {
                return ovsdb_error("syntax error",
                                   "transaction deletes row " UUID_FMT
                                   " that does not exist",
                                   UUID_ARGS(&uuid));
            }
            ovsdb_txn_row_delete(txn, row);
        } else if (!json_is_object(change)) {
            return ovsdb_syntax_error(change, NULL,
                                      "object or null "
                                      "expected");
        } else if (row) {
            struct ovsdb_error *error =
                apply_columns(ovsdb_txn_row_modify(txn, row), change, is_diff);
            if (error) {
                return error;
            }
        } else {
            struct ovsdb_row *new = ovsdb_row_create(table);
            *ovsdb_row_get_uuid_rw(new) = uuid;
            struct ovsdb_error *error = apply_columns(new, change, false);
            if (error) {
                ovsdb_row_destroy(new);
                return error;
            }
            ovsdb_txn_row_insert(txn, new);
        }
    }
    return NULL;
}

struct ovsdb_error *
ovsdb_record_apply(struct ovsdb *db, const json_t *record)
{
    if (!json_is_object(record)) {
        return ovsdb_syntax_error(record, NULL, "object expected");
    }

    bool is_diff = json_is_true(json_object_get(record, "_is_diff"));
    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    struct ovsdb_error *error = NULL;

    const char *name;
    json_t *rows;
    json_object_foreach ((json_t *) record, name, rows) {
        if (name[0] == '_') {
            continue; /* "_date", "_comment", "_is_diff". */
        }
        struct ovsdb_table *table = ovsdb_get_table(db, name);
        if (!table) {
            error = ovsdb_syntax_error(record, "unknown table",
                                       "No table named %s.", name);
            break;
        }
        error = apply_table(txn, table, rows, is_diff);
        if (error) {
            break;
        }
    }

    if (!error) {
        const char *comment =
            json_string_value(json_object_get(record, "_comment"));
        if (comment) {
            ovsdb_txn_add_comment(txn, comment);
        }
        error = ovsdb_txn_commit(txn);
    }
    if (error) {
        ovsdb_txn_abort(txn);
    } else {
        ovsdb_txn_destroy(txn);
    }
    return error;
}

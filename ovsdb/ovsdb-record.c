/* Database file records; see ovsdb-record.h. */
#include "ovsdb/ovsdb-record.h"

#include <stdlib.h>
#include <string.h>

#include "lib/bitmap.h"
#include "lib/hash-order.h"
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

/* Returns the object of the changed persistent columns of a modified row,
 * or NULL if there are none. */
static json_t *
row_to_json_diff(const struct ovsdb_row *old, const struct ovsdb_row *new,
                 const unsigned long *changed)
{
    const struct ovsdb_table_schema *ts = new->table->schema;
    json_t *json = NULL;
    for (size_t i = 0; i < ts->n_columns; i++) {
        size_t c = ts->ovs_order[i];
        const struct ovsdb_column *column = ts->columns[c];
        if (c < OVSDB_N_STD_COLUMNS || !column->persistent
            || !bitmap_is_set(changed, c)) {
            continue;
        }

        json_t *value;
        if (ovsdb_type_is_composite(&column->type)) {
            struct ovsdb_datum diff;
            ovsdb_datum_diff(&diff, &old->fields[c], &new->fields[c],
                             &column->type);
            value = ovsdb_datum_to_json(&diff, &column->type);
            ovsdb_datum_destroy(&diff, &column->type);
        } else {
            value = ovsdb_datum_to_json(&new->fields[c], &column->type);
        }
        if (!json) {
            json = json_object();
        }
        json_object_set_new(json, column->name, value);
    }
    return json;
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

/* A transaction record under construction.  Members are added in the
 * order in which OVS adds them, so that json_to_ds_in_ovs_order() writes
 * them in the order in which OVS writes them: the tables in the order the
 * transaction first changed them, then "_comment", "_is_diff" and
 * "_date"; in a table, the rows in the order of OVS's hash table of the
 * transaction's rows of the table (by the first 32 bits of the UUID, in
 * the order the transaction first changed them); in a row, the columns in
 * the order of the table's hash table of columns. */
struct record_builder {
    json_t *record;
    size_t n_tables;

    /* The changed rows of 'table' not yet added to 'record'. */
    const struct ovsdb_table *table;
    struct record_row {
        uint32_t hash;
        char uuid[UUID_LEN + 1];
        json_t *value;
    } * rows;
    size_t n_rows, allocated_rows;
};

static void
record_builder_flush(struct record_builder *b)
{
    if (!b->n_rows) {
        return;
    }

    uint32_t *hashes = xmalloc(b->n_rows * sizeof *hashes);
    size_t *order = xmalloc(b->n_rows * sizeof *order);
    for (size_t i = 0; i < b->n_rows; i++) {
        hashes[i] = b->rows[i].hash;
    }
    hash_order_hashes(hashes, b->n_rows, order);

    json_t *rows = json_object();
    for (size_t i = 0; i < b->n_rows; i++) {
        struct record_row *row = &b->rows[order[i]];
        json_object_set_new(rows, row->uuid, row->value);
    }
    json_object_set_new(b->record, b->table->schema->name, rows);
    b->n_tables++;
    b->n_rows = 0;
    free(order);
    free(hashes);
}

static bool
add_change(const struct ovsdb_table *table, const struct ovsdb_row *old,
           const struct ovsdb_row *new, const unsigned long *changed, void *b_)
{
    struct record_builder *b = b_;
    json_t *value;
    if (!new) {
        value = json_null();
    } else if (!old) {
        value = row_to_json_full(new);
    } else {
        value = row_to_json_diff(old, new, changed);
        if (!value) {
            return true; /* Only ephemeral columns changed. */
        }
    }

    if (table != b->table) {
        record_builder_flush(b);
        b->table = table;
    }
    if (b->n_rows >= b->allocated_rows) {
        b->rows = x2nrealloc(b->rows, &b->allocated_rows, sizeof *b->rows);
    }
    struct record_row *row = &b->rows[b->n_rows++];
    const struct uuid *uuid = ovsdb_row_get_uuid(new ? new : old);
    row->hash = uuid->parts[0];
    uuid_to_string(uuid, row->uuid);
    row->value = value;
    return true;
}

json_t *
ovsdb_record_from_txn(const struct ovsdb_txn *txn, long long date_msec)
{
    struct record_builder b = {.record = json_object()};
    ovsdb_txn_for_each_change(txn, add_change, &b);
    record_builder_flush(&b);
    free(b.rows);
    if (!b.n_tables) {
        json_decref(b.record);
        return NULL;
    }

    const char *comment = ovsdb_txn_get_comment(txn);
    if (comment) {
        json_object_set_new(b.record, "_comment", json_string(comment));
    }
    json_object_set_new(b.record, "_is_diff", json_true());
    json_object_set_new(b.record, "_date", json_integer(date_msec));
    return b.record;
}

bool
ovsdb_record_text_from_txn(const struct ovsdb_txn *txn, long long date_msec,
                           struct ds *out)
{
    json_t *record = ovsdb_record_from_txn(txn, date_msec);
    if (!record) {
        return false;
    }
    json_to_ds_in_ovs_order(record, out);
    json_decref(record);
    return true;
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

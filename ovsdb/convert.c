#include "ovsdb/convert.h"

#include "lib/json.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-record.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb-table-schema.h"
#include "ovsdb/ovsdb.h"

/* Returns a copy of the rows object 'rows' of one table, each row keeping
 * only the columns of 'table'. */
static json_t *
filter_rows(json_t *rows, const struct ovsdb_table_schema *table)
{
    json_t *new_rows = json_object();
    const char *uuid;
    json_t *row;
    json_object_foreach (rows, uuid, row) {
        if (!json_is_object(row)) {
            json_object_set(new_rows, uuid, row);
            continue;
        }
        json_t *new_row = json_object();
        const char *column;
        json_t *value;
        json_object_foreach (row, column, value) {
            if (ovsdb_table_schema_get_column(table, column)) {
                json_object_set(new_row, column, value);
            }
        }
        json_object_set_new(new_rows, uuid, new_row);
    }
    return new_rows;
}

json_t *
ovsdb_convert_filter_record(const json_t *record,
                            const struct ovsdb_schema *schema)
{
    if (!json_is_object(record)) {
        return json_incref((json_t *) record);
    }

    json_t *copy = json_object();
    const char *table_name;
    json_t *rows;
    json_object_foreach ((json_t *) record, table_name, rows) {
        /* Bookkeeping members ("_date", "_comment", ...) stay. */
        const struct ovsdb_table_schema *table = NULL;
        if (table_name[0] != '_') {
            table = ovsdb_schema_get_table(schema, table_name);
            if (!table) {
                continue;
            }
        }
        if (!table || !json_is_object(rows)) {
            json_object_set(copy, table_name, rows);
        } else {
            json_object_set_new(copy, table_name, filter_rows(rows, table));
        }
    }
    return copy;
}

struct ovsdb_error *
ovsdb_convert(const struct ovsdb *src, const struct ovsdb_schema *new_schema,
              struct ovsdb **dstp)
{
    /* A snapshot holds every row in full, so reading it as written for
     * 'new_schema' is the same conversion that "ovsdb-tool convert"
     * makes of a compacted file. */
    json_t *snapshot = ovsdb_record_snapshot(src, NULL, 0);
    json_t *filtered = ovsdb_convert_filter_record(snapshot, new_schema);
    json_decref(snapshot);

    struct ovsdb *dst = ovsdb_create(ovsdb_schema_clone(new_schema));
    struct ovsdb_error *error = ovsdb_record_apply(dst, filtered);
    json_decref(filtered);
    if (error) {
        ovsdb_destroy(dst);
        dst = NULL;
    }
    *dstp = dst;
    return error;
}

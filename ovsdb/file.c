#include "ovsdb/file.h"

#include <string.h>

#include "lib/json.h"
#include "lib/timeval.h"
#include "ovsdb/convert.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-record.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"

/* Reads the first record of 'log' as a schema. */
static struct ovsdb_error *
read_schema(struct ovsdb_log *log, struct ovsdb_schema **schemap)
{
    *schemap = NULL;

    json_t *json;
    struct ovsdb_error *error = ovsdb_log_read(log, &json);
    if (error) {
        return error;
    } else if (!json) {
        return ovsdb_error("ovsdb error",
                           "%s: database file contains no "
                           "schema",
                           ovsdb_log_get_name(log));
    }
    error = ovsdb_schema_from_json(json, schemap);
    json_decref(json);
    return error;
}

struct ovsdb_error *
ovsdb_file_read_schema(const char *file_name, struct ovsdb_schema **schemap)
{
    *schemap = NULL;

    struct ovsdb_log *log;
    struct ovsdb_error *error =
        ovsdb_log_open(file_name, OVSDB_LOG_READ_ONLY, false, &log);
    if (!error) {
        error = read_schema(log, schemap);
        ovsdb_log_close(log);
    }
    return error;
}

struct ovsdb_error *
ovsdb_file_read(const char *file_name, const struct ovsdb_schema *alt_schema,
                enum ovsdb_log_open_mode mode, bool lock, struct ovsdb **dbp,
                struct ovsdb_log **logp)
{
    *dbp = NULL;
    if (logp) {
        *logp = NULL;
    }

    struct ovsdb_log *log;
    struct ovsdb_error *error = ovsdb_log_open(file_name, mode, lock, &log);
    if (error) {
        return error;
    }

    struct ovsdb_schema *schema;
    error = read_schema(log, &schema);
    if (error) {
        ovsdb_log_close(log);
        return error;
    }
    if (alt_schema) {
        ovsdb_schema_destroy(schema);
        schema = ovsdb_schema_clone(alt_schema);
    }

    struct ovsdb *db = ovsdb_create(schema);
    for (;;) {
        json_t *record;
        error = ovsdb_log_read(log, &record);
        if (error || !record) {
            break;
        }
        if (alt_schema) {
            json_t *filtered = ovsdb_convert_filter_record(record, alt_schema);
            json_decref(record);
            record = filtered;
        }
        error = ovsdb_record_apply(db, record);
        json_decref(record);
        if (error) {
            break;
        }
    }

    if (error) {
        ovsdb_destroy(db);
        ovsdb_log_close(log);
        return error;
    }

    *dbp = db;
    if (logp) {
        *logp = log;
    } else {
        ovsdb_log_close(log);
    }
    return NULL;
}

struct ovsdb_error *
ovsdb_file_write_txn(struct ovsdb_log *log, const struct ovsdb_txn *txn)
{
    struct ds text = DS_EMPTY_INITIALIZER;
    struct ovsdb_error *error = NULL;
    if (ovsdb_record_text_from_txn(txn, time_wall_msec(), &text)) {
        ds_put_char(&text, '\n');
        error = ovsdb_log_write_text(log, text.string, text.length);
    }
    ds_destroy(&text);
    return error;
}

/* Stores in 'records' the two records of a compacted file for 'db'. */
static void
snapshot_records(const struct ovsdb *db, const char *comment,
                 json_t *records[2])
{
    records[0] = ovsdb_schema_to_json(db->schema);
    records[1] = ovsdb_record_snapshot(db, comment, time_wall_msec());
}

struct ovsdb_error *
ovsdb_file_compact(struct ovsdb_log *log, const struct ovsdb *db,
                   const char *comment)
{
    json_t *records[2];
    snapshot_records(db, comment, records);
    struct ovsdb_error *error = ovsdb_log_replace(log, records, 2);
    json_decref(records[0]);
    json_decref(records[1]);
    return error;
}

struct ovsdb_error *
ovsdb_file_save(const char *file_name, const struct ovsdb *db,
                const char *comment, bool lock)
{
    struct ovsdb_log *log;
    struct ovsdb_error *error =
        ovsdb_log_open(file_name, OVSDB_LOG_CREATE, lock, &log);
    if (error) {
        return error;
    }

    json_t *records[2];
    snapshot_records(db, comment, records);
    for (size_t i = 0; i < 2 && !error; i++) {
        error = ovsdb_log_write(log, records[i]);
    }
    if (!error) {
        error = ovsdb_log_commit_block(log);
    }
    json_decref(records[0]);
    json_decref(records[1]);
    ovsdb_log_close(log);
    return error;
}

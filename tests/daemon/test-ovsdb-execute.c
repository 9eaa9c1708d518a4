/* test-ovsdb-execute: runs "transact" requests against an in-memory
 * database and prints each results array as one line of compact JSON
 * with sorted members, the way tests/test_ovsdb_execute.py compares them
 * with the reference ovsdb-server.
 *
 *   test-ovsdb-execute [--read-only] [--lock=NAME]... [--records]
 *                      [--replay=FILE] SCHEMA TXN...
 *
 * Each TXN is a JSON array of operations, with or without the database
 * name first.  A request blocked by a "wait" prints
 * {"blocked": TIMEOUT_MSEC} (-1 for no timeout) and changes nothing.
 *
 * --records prints after each results line the record that the database
 * file would get for the transaction, without "_date" (or "null" if
 * none).  --replay=FILE first loads the records of FILE, a standalone
 * database file ("OVSDB JSON <length> <hash>" lines, each followed by
 * one JSON record, the first the schema), and then prints a snapshot
 * line before running the transactions. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/sset.h"
#include "lib/util.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-execution.h"
#include "ovsdb/ovsdb-record.h"
#include "ovsdb/ovsdb-txn.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"

static bool
lock_held(const char *name, void *locks_)
{
    const struct sset *locks = locks_;
    return sset_contains(locks, name);
}

static void
print_json(json_t *json)
{
    char *s = json_to_string_compact(json, true);
    puts(s);
    free(s);
    json_decref(json);
}

/* Applies every record after the schema in the database file 'name'. */
static void
replay(struct ovsdb *db, const char *name)
{
    FILE *file = fopen(name, "r");
    if (!file) {
        ovs_fatal(errno, "%s", name);
    }
    char *line = NULL;
    size_t allocated = 0;
    int n_records = 0;
    while (getline(&line, &allocated, file) > 0) {
        if (!strncmp(line, "OVSDB JSON ", 11)) {
            continue;
        }
        if (n_records++ == 0) {
            continue; /* The schema. */
        }
        json_t *record;
        char *msg = json_from_string(line, &record);
        if (msg) {
            ovs_fatal(0, "%s: %s", name, msg);
        }
        struct ovsdb_error *error = ovsdb_record_apply(db, record);
        if (error) {
            ovs_fatal(0, "%s: %s", name, ovsdb_error_to_string_free(error));
        }
        json_decref(record);
    }
    free(line);
    fclose(file);

    json_t *snapshot = ovsdb_record_snapshot(db, NULL, 0);
    json_object_del(snapshot, "_date");
    print_json(snapshot);
}

static void
usage(void)
{
    fprintf(stderr, "usage: test-ovsdb-execute [--read-only] [--lock=NAME]"
                    "... SCHEMA TXN...\n");
    exit(2);
}

int
main(int argc, char *argv[])
{
    struct sset locks = SSET_INITIALIZER(&locks);
    struct ovsdb_execution_options options = {
        .lock_held = lock_held,
        .aux = &locks,
    };

    bool records = false;
    const char *replay_file = NULL;

    set_program_name(argv[0]);
    int i = 1;
    for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
        if (!strcmp(argv[i], "--read-only")) {
            options.read_only = true;
        } else if (!strcmp(argv[i], "--records")) {
            records = true;
        } else if (!strncmp(argv[i], "--replay=", 9)) {
            replay_file = argv[i] + 9;
        } else if (!strncmp(argv[i], "--lock=", 7)) {
            sset_add(&locks, argv[i] + 7);
        } else {
            usage();
        }
    }
    if (i >= argc) {
        usage();
    }

    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_file(argv[i++], &schema);
    if (error) {
        ovs_fatal(0, "%s", ovsdb_error_to_string_free(error));
    }
    struct ovsdb *db = ovsdb_create(schema);
    if (replay_file) {
        replay(db, replay_file);
    }

    for (; i < argc; i++) {
        json_t *txn;
        char *msg = json_from_string(argv[i], &txn);
        if (msg) {
            ovs_fatal(0, "%s: %s", argv[i], msg);
        }
        if (!json_is_array(txn)) {
            ovs_fatal(0, "%s: not a JSON array", argv[i]);
        }
        json_t *params = txn;
        if (!json_is_string(json_array_get(txn, 0))) {
            params = json_array();
            json_array_append_new(params, json_string(schema->name));
            json_array_extend(params, txn);
            json_decref(txn);
        }

        long long timeout;
        json_t *record = NULL;
        json_t *results;
        if (records) {
            struct ovsdb_execution outcome;
            options.elapsed_msec = 0;
            ovsdb_execution_compose(db, params, &options, &outcome);
            results = outcome.results;
            timeout = outcome.timeout_msec;
            if (outcome.txn) {
                struct ovsdb_error *commit_error =
                    ovsdb_txn_commit(outcome.txn);
                if (commit_error) {
                    ovsdb_txn_abort(outcome.txn);
                    json_array_append_new(
                        results, ovsdb_error_to_json_free(commit_error));
                } else {
                    struct ds text = DS_EMPTY_INITIALIZER;
                    if (ovsdb_record_text_from_txn(outcome.txn, 0, &text)) {
                        char *parse_error =
                            json_from_string(ds_cstr(&text), &record);
                        ovs_assert(!parse_error);
                    }
                    ds_destroy(&text);
                    ovsdb_txn_destroy(outcome.txn);
                }
            }
        } else {
            results = ovsdb_execution_run(db, params, &options, &timeout);
        }
        if (!results) {
            results = json_object();
            json_object_set_new(
                results, "blocked",
                json_integer(timeout == LLONG_MAX ? -1 : timeout));
        }
        print_json(results);
        if (records) {
            if (record) {
                json_object_del(record, "_date");
            }
            print_json(record ? record : json_null());
        }
        json_decref(params);
    }

    ovsdb_destroy(db);
    sset_destroy(&locks);
    return 0;
}

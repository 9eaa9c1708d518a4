/* Unit tests for ovsdb/file.c: reading a database file by replaying its
 * records (as it is, or converted to another schema), appending
 * transactions, compacting and saving.  Comparisons with the reference
 * ovsdb-tool are in tests/test_ovsdb_tool.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/util.h"
#include "ovsdb/file.h"
#include "ovsdb/log.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-execution.h"
#include "ovsdb/ovsdb-row.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb-table.h"
#include "ovsdb/ovsdb-txn.h"
#include "ovsdb/ovsdb.h"

static char tmpdir[] = "/tmp/test-ovsdb-file.XXXXXX";
static int file_counter;

static const char schema_text[] =
    "{\"name\": \"T\", \"version\": \"1.0.0\", \"tables\": {"
    "  \"A\": {\"columns\": {\"i\": {\"type\": \"integer\"},"
    "                       \"s\": {\"type\": \"string\"},"
    "                       \"e\": {\"type\": \"string\","
    "                              \"ephemeral\": true}},"
    "         \"isRoot\": true},"
    "  \"B\": {\"columns\": {\"n\": {\"type\": \"integer\"}},"
    "         \"isRoot\": true}}}";

static char *
new_file_name(void)
{
    return xasprintf("%s/f%d.db", tmpdir, file_counter++);
}

static json_t *
parse_json(const char *s)
{
    json_t *json;
    char *msg = json_from_string_any(s, &json);
    if (msg) {
        fail_msg("bad JSON in test: %s: %s", s, msg);
    }
    return json;
}

static struct ovsdb_schema *
parse_schema(const char *text)
{
    json_t *json = parse_json(text);
    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);
    json_decref(json);
    assert_null(error);
    return schema;
}

/* Writes a database file with the schema above and the records
 * 'records' (JSON texts, NULL-terminated). */
static char *
write_db(const char *const *records)
{
    char *name = new_file_name();
    struct ovsdb_log *log;
    assert_null(ovsdb_log_open(name, OVSDB_LOG_CREATE_EXCL, true, &log));

    json_t *json = parse_json(schema_text);
    assert_null(ovsdb_log_write(log, json));
    json_decref(json);
    for (; *records; records++) {
        json = parse_json(*records);
        assert_null(ovsdb_log_write(log, json));
        json_decref(json);
    }
    assert_null(ovsdb_log_commit_block(log));
    ovsdb_log_close(log);
    return name;
}

static size_t
count_records(const char *file_name)
{
    struct ovsdb_log *log;
    assert_null(ovsdb_log_open(file_name, OVSDB_LOG_READ_ONLY, false, &log));
    size_t n = 0;
    for (;;) {
        json_t *json;
        assert_null(ovsdb_log_read(log, &json));
        if (!json) {
            break;
        }
        json_decref(json);
        n++;
    }
    ovsdb_log_close(log);
    return n;
}

/* Returns the results of the transaction 'text' on 'db', as compact
 * JSON with sorted members, committed in memory only. */
static char *
run(struct ovsdb *db, const char *text)
{
    json_t *params = parse_json(text);
    struct ovsdb_execution_options options = {.read_only = false};
    long long timeout;
    json_t *results = ovsdb_execution_run(db, params, &options, &timeout);
    assert_non_null(results);
    char *s = json_to_string_compact(results, true);
    json_decref(results);
    json_decref(params);
    return s;
}

static void
assert_query(struct ovsdb *db, const char *text, const char *expected)
{
    char *s = run(db, text);
    assert_string_equal(s, expected);
    free(s);
}

static void
assert_error(struct ovsdb_error *error, const char *expected)
{
    assert_non_null(error);
    char *s = ovsdb_error_to_string_free(error);
    assert_string_equal(s, expected);
    free(s);
}

#define U1 "11111111-1111-4111-8111-111111111111"
#define U2 "22222222-2222-4222-8222-222222222222"

static void
test_read_replays_every_record(void **state OVS_UNUSED)
{
    const char *records[] = {
        "{\"A\": {\"" U1 "\": {\"i\": 1, \"s\": \"x\"}}, \"_date\": 1}",
        "{\"A\": {\"" U1 "\": {\"i\": 2}}, \"_is_diff\": true}",
        "{\"B\": {\"" U2 "\": {\"n\": 7}}}",
        "{\"B\": {\"" U2 "\": null}, \"_comment\": \"gone\"}",
        NULL,
    };
    char *name = write_db(records);

    struct ovsdb *db;
    struct ovsdb_log *log;
    assert_null(
        ovsdb_file_read(name, NULL, OVSDB_LOG_READ_ONLY, false, &db, &log));
    assert_non_null(log);
    assert_string_equal(db->schema->name, "T");
    assert_int_equal(ovsdb_n_rows(db), 1);
    assert_query(db,
                 "[\"T\", {\"op\": \"select\", \"table\": \"A\", "
                 "\"where\": [], \"columns\": [\"i\", \"s\"]}]",
                 "[{\"rows\":[{\"i\":2,\"s\":\"x\"}]}]");
    ovsdb_log_close(log);
    ovsdb_destroy(db);
    free(name);
}

static void
test_read_errors_have_ovs_texts(void **state OVS_UNUSED)
{
    struct ovsdb *db;
    const char *bad_value[] = {
        "{\"A\": {\"" U1 "\": {\"i\": \"one\"}}}",
        NULL,
    };
    char *name = write_db(bad_value);
    assert_error(
        ovsdb_file_read(name, NULL, OVSDB_LOG_READ_ONLY, false, &db, NULL),
        "syntax \"\"one\"\": syntax error: expected integer");
    assert_null(db);
    free(name);

    const char *bad_delete[] = {"{\"B\": {\"" U2 "\": null}}", NULL};
    name = write_db(bad_delete);
    assert_error(
        ovsdb_file_read(name, NULL, OVSDB_LOG_READ_ONLY, false, &db, NULL),
        "syntax error: transaction deletes row " U2 " that does not exist");
    free(name);

    name = new_file_name();
    char *expected = xasprintf("I/O error: %s: open failed (No such file "
                               "or directory)",
                               name);
    assert_error(
        ovsdb_file_read(name, NULL, OVSDB_LOG_READ_ONLY, false, &db, NULL),
        expected);
    struct ovsdb_schema *schema;
    assert_error(ovsdb_file_read_schema(name, &schema), expected);
    assert_null(schema);
    free(expected);
    free(name);
}

static void
test_read_as_other_schema_converts(void **state OVS_UNUSED)
{
    const char *records[] = {
        "{\"A\": {\"" U1 "\": {\"i\": 1, \"s\": \"x\"}}}",
        "{\"B\": {\"" U2 "\": {\"n\": 7}}}",
        NULL,
    };
    char *name = write_db(records);

    /* "s" and table B go away, "i" becomes a real, "new" appears. */
    struct ovsdb_schema *new_schema = parse_schema(
        "{\"name\": \"T\", \"version\": \"2.0.0\", \"tables\": {"
        "  \"A\": {\"columns\": {\"i\": {\"type\": \"real\"},"
        "                       \"new\": {\"type\": \"string\"}}}}}");
    struct ovsdb *db;
    assert_null(ovsdb_file_read(name, new_schema, OVSDB_LOG_READ_ONLY, false,
                                &db, NULL));
    assert_string_equal(db->schema->version, "2.0.0");
    assert_null(ovsdb_get_table(db, "B"));
    assert_query(db,
                 "[\"T\", {\"op\": \"select\", \"table\": \"A\", "
                 "\"where\": [], \"columns\": [\"i\", \"new\"]}]",
                 "[{\"rows\":[{\"i\":1,\"new\":\"\"}]}]");
    ovsdb_destroy(db);

    /* A value that does not fit the new type is an error. */
    struct ovsdb_schema *bad_schema = parse_schema(
        "{\"name\": \"T\", \"tables\": {"
        "  \"A\": {\"columns\": {\"s\": {\"type\": \"integer\"}}}}}");
    assert_error(ovsdb_file_read(name, bad_schema, OVSDB_LOG_READ_ONLY, false,
                                 &db, NULL),
                 "syntax \"\"x\"\": syntax error: expected integer");

    ovsdb_schema_destroy(new_schema);
    ovsdb_schema_destroy(bad_schema);
    free(name);
}

/* Commits 'text' on 'db' and appends its record to 'log'. */
static void
transact_and_write(struct ovsdb *db, struct ovsdb_log *log, const char *text)
{
    json_t *params = parse_json(text);
    struct ovsdb_execution_options options = {.read_only = false};
    struct ovsdb_execution outcome;
    ovsdb_execution_compose(db, params, &options, &outcome);
    assert_non_null(outcome.txn);
    assert_null(ovsdb_txn_precommit(outcome.txn));
    assert_null(ovsdb_file_write_txn(log, outcome.txn));
    ovsdb_txn_apply(outcome.txn);
    ovsdb_txn_destroy(outcome.txn);
    json_decref(outcome.results);
    json_decref(params);
}

static void
test_write_txn_appends_only_stored_changes(void **state OVS_UNUSED)
{
    const char *records[] = {NULL};
    char *name = write_db(records);

    struct ovsdb *db;
    struct ovsdb_log *log;
    assert_null(
        ovsdb_file_read(name, NULL, OVSDB_LOG_READ_WRITE, true, &db, &log));
    transact_and_write(db, log,
                       "[\"T\", {\"op\": \"insert\", \"table\": \"A\", "
                       "\"uuid\": \"" U1 "\", \"row\": {\"i\": 3}}]");
    /* Only an ephemeral column changes: nothing to store. */
    transact_and_write(db, log,
                       "[\"T\", {\"op\": \"update\", \"table\": \"A\", "
                       "\"where\": [], \"row\": {\"e\": \"x\"}}]");
    assert_null(ovsdb_log_commit_block(log));
    ovsdb_log_close(log);
    ovsdb_destroy(db);
    assert_int_equal(count_records(name), 2);

    assert_null(
        ovsdb_file_read(name, NULL, OVSDB_LOG_READ_ONLY, false, &db, NULL));
    assert_query(db,
                 "[\"T\", {\"op\": \"select\", \"table\": \"A\", "
                 "\"where\": [], \"columns\": [\"_uuid\", \"i\"]}]",
                 "[{\"rows\":[{\"_uuid\":[\"uuid\",\"" U1 "\"],\"i\":3}]}]");
    ovsdb_destroy(db);
    free(name);
}

static void
test_compact_and_save_keep_the_data(void **state OVS_UNUSED)
{
    const char *records[] = {
        "{\"A\": {\"" U1 "\": {\"i\": 1}}}",
        "{\"A\": {\"" U1 "\": {\"i\": 2}}}",
        "{\"B\": {\"" U2 "\": {\"n\": 7}}}",
        "{\"A\": {\"" U1 "\": {\"s\": \"last\"}}}",
        NULL,
    };
    char *name = write_db(records);
    const char *query = "[\"T\", {\"op\": \"select\", \"table\": \"A\", "
                        "\"where\": [], \"columns\": [\"i\", \"s\"]}, "
                        "{\"op\": \"select\", \"table\": \"B\", "
                        "\"where\": [], \"columns\": [\"n\"]}]";
    const char *expected = "[{\"rows\":[{\"i\":2,\"s\":\"last\"}]},"
                           "{\"rows\":[{\"n\":7}]}]";

    struct ovsdb *db;
    struct ovsdb_log *log;
    assert_null(
        ovsdb_file_read(name, NULL, OVSDB_LOG_READ_WRITE, true, &db, &log));
    assert_null(ovsdb_file_compact(log, db, "compacted"));
    ovsdb_log_close(log);
    assert_int_equal(count_records(name), 2);

    char *copy = new_file_name();
    assert_null(ovsdb_file_save(copy, db, NULL, true));
    assert_int_equal(count_records(copy), 2);
    ovsdb_destroy(db);

    const char *files[] = {name, copy};
    for (size_t i = 0; i < 2; i++) {
        assert_null(ovsdb_file_read(files[i], NULL, OVSDB_LOG_READ_ONLY, false,
                                    &db, NULL));
        assert_query(db, query, expected);
        ovsdb_destroy(db);
    }

    /* Saving over an existing file replaces it. */
    assert_null(
        ovsdb_file_read(name, NULL, OVSDB_LOG_READ_ONLY, false, &db, NULL));
    assert_null(ovsdb_file_save(copy, db, "again", false));
    ovsdb_destroy(db);
    assert_int_equal(count_records(copy), 2);

    free(copy);
    free(name);
}

static int
setup(void **state OVS_UNUSED)
{
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown(void **state OVS_UNUSED)
{
    char *cmd = xasprintf("rm -rf '%s'", tmpdir);
    int retval = system(cmd);
    free(cmd);
    return retval ? -1 : 0;
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_replays_every_record),
        cmocka_unit_test(test_read_errors_have_ovs_texts),
        cmocka_unit_test(test_read_as_other_schema_converts),
        cmocka_unit_test(test_write_txn_appends_only_stored_changes),
        cmocka_unit_test(test_compact_and_save_keep_the_data),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

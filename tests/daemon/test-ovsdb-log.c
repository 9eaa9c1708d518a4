/* test-ovsdb-log: drives ovsdb/log.c for tests/test_ovsdb_log.py.
 *
 *   test-ovsdb-log read FILE
 *       Opens FILE read-only (no lock) and prints each record as
 *       "record N: JSON" (compact, members in file order).
 *
 *   test-ovsdb-log read-write FILE
 *       Like "read" but opens FILE read-write and locked, so that a torn
 *       last record is truncated; then prints "truncated N bytes" if it
 *       was, and "offset N" (the end of the last record).
 *
 *   test-ovsdb-log create FILE JSON...
 *       Creates FILE (it must not exist) with one record per JSON object,
 *       and commits.
 *
 *   test-ovsdb-log append FILE JSON...
 *       Reads every record of FILE, appends the records and commits.
 *
 *   test-ovsdb-log txn FILE TABLES [COMMENT]
 *       Appends a transaction record made of TABLES (a JSON object of
 *       table changes), the current time, "_is_diff" and COMMENT, and
 *       commits.
 *
 *   test-ovsdb-log replace FILE JSON...
 *       Reads FILE and replaces its records by the given ones.
 *
 *   test-ovsdb-log probe FILE
 *       Prints "standalone", "clustered" or "unknown".
 *
 *   test-ovsdb-log hold FILE
 *       Opens FILE read-write and locked, prints "locked" and keeps it so
 *       until its standard input reaches end of file.
 *
 * Errors are printed as "test-ovsdb-log: ERROR" and exit with status 1. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/timeval.h"
#include "lib/util.h"
#include "lib/vlog.h"
#include "ovsdb/log.h"
#include "ovsdb/ovsdb-error.h"

static noreturn void
fail(struct ovsdb_error *error)
{
    char *s = ovsdb_error_to_string_free(error);
    ovs_fatal(0, "%s", s);
}

static void
check(struct ovsdb_error *error)
{
    if (error) {
        fail(error);
    }
}

static json_t *
parse_json(const char *s)
{
    json_t *json;
    char *error = json_from_string(s, &json);
    if (error) {
        ovs_fatal(0, "%s: %s", s, error);
    }
    return json;
}

static struct ovsdb_log *
open_log(const char *name, enum ovsdb_log_open_mode mode, bool lock)
{
    struct ovsdb_log *log;
    check(ovsdb_log_open(name, mode, lock, &log));
    return log;
}

/* Reads every record of 'log', printing them if 'print'. */
static void
read_all(struct ovsdb_log *log, bool print)
{
    for (uint64_t i = 0;; i++) {
        json_t *record;
        check(ovsdb_log_read(log, &record));
        if (!record) {
            break;
        }
        if (print) {
            char *s = json_to_string_compact(record, false);
            printf("record %" PRIu64 ": %s\n", i, s);
            fflush(stdout);
            free(s);
        }
        json_decref(record);
    }
}

static void
write_records(struct ovsdb_log *log, int argc, char *argv[])
{
    for (int i = 0; i < argc; i++) {
        json_t *record = parse_json(argv[i]);
        check(ovsdb_log_write(log, record));
        json_decref(record);
    }
    check(ovsdb_log_commit_block(log));
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    if (argc < 3) {
        ovs_fatal(0, "usage: %s COMMAND FILE [ARG...]", program_name);
    }
    const char *command = argv[1];
    const char *file = argv[2];
    int n_args = argc - 3;
    char **args = argv + 3;

    struct ovsdb_log *log;
    if (!strcmp(command, "read")) {
        log = open_log(file, OVSDB_LOG_READ_ONLY, false);
        read_all(log, true);
    } else if (!strcmp(command, "read-write")) {
        log = open_log(file, OVSDB_LOG_READ_WRITE, true);
        read_all(log, true);
        if (ovsdb_log_get_truncated(log)) {
            printf("truncated %lld bytes\n",
                   (long long) ovsdb_log_get_truncated(log));
        }
        printf("offset %lld\n", (long long) ovsdb_log_get_offset(log));
    } else if (!strcmp(command, "create")) {
        log = open_log(file, OVSDB_LOG_CREATE_EXCL, true);
        write_records(log, n_args, args);
    } else if (!strcmp(command, "append")) {
        log = open_log(file, OVSDB_LOG_READ_WRITE, true);
        read_all(log, false);
        write_records(log, n_args, args);
    } else if (!strcmp(command, "txn")) {
        if (n_args < 1 || n_args > 2) {
            ovs_fatal(0, "usage: %s txn FILE TABLES [COMMENT]", program_name);
        }
        log = open_log(file, OVSDB_LOG_READ_WRITE, true);
        read_all(log, false);
        json_t *record =
            ovsdb_log_txn_record(parse_json(args[0]), time_wall_msec(),
                                 n_args > 1 ? args[1] : NULL, true);
        check(ovsdb_log_write(log, record));
        json_decref(record);
        check(ovsdb_log_commit_block(log));
    } else if (!strcmp(command, "replace")) {
        log = open_log(file, OVSDB_LOG_READ_WRITE, true);
        read_all(log, false);
        json_t **records = xcalloc(n_args, sizeof *records);
        for (int i = 0; i < n_args; i++) {
            records[i] = parse_json(args[i]);
        }
        check(ovsdb_log_replace(log, records, n_args));
        for (int i = 0; i < n_args; i++) {
            json_decref(records[i]);
        }
        free(records);
    } else if (!strcmp(command, "probe")) {
        enum ovsdb_log_file_type type = ovsdb_log_probe(file);
        puts(type == OVSDB_LOG_STANDALONE  ? "standalone"
             : type == OVSDB_LOG_CLUSTERED ? "clustered"
                                           : "unknown");
        return 0;
    } else if (!strcmp(command, "hold")) {
        log = open_log(file, OVSDB_LOG_READ_WRITE, true);
        printf("locked\n");
        fflush(stdout);
        while (getchar() != EOF) {
            continue;
        }
    } else {
        ovs_fatal(0, "unknown command \"%s\"", command);
    }
    ovsdb_log_close(log);
    return 0;
}

/* ovsdb-tool: offline management of OVSDB database files, as described in
 * ovsdb-tool(1): it creates databases, reports their schema's name,
 * version and checksum, prints their logs, runs transactions on them, and
 * compacts and converts them, with OVS's output, messages and exit codes.
 *
 * Only standalone database files ("OVSDB JSON") are supported.  The
 * commands that exist only for clustered databases are recognised and
 * fail with an error that says so; the commands that merely inspect a
 * file's format (db-is-clustered, db-is-standalone) work on any file.
 *
 * Failures print "ovsdb-tool: <message>" and exit with status 1; the
 * commands that test something exit with status 2 for "no". */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/dirs.h"
#include "lib/ds.h"
#include "lib/hash-order.h"
#include "lib/json.h"
#include "lib/smap.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "lib/vlog.h"
#include "ovsdb/file.h"
#include "ovsdb/lockfile.h"
#include "ovsdb/log.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-execution.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb-txn.h"
#include "ovsdb/ovsdb.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_tool);

/* -m, --more: how much show-log prints about each record. */
static int show_log_verbosity;

/* --rbac-role: the role for query and transact; see check_rbac_role(). */
static const char *rbac_role;

struct tool_command {
    const char *name;
    const char *usage; /* Arguments, as "list-commands" shows. */
    int min_args;
    int max_args;
    void (*handler)(int argc, char *argv[]);
};

static const struct tool_command *tool_commands(void);
static void usage(void);

/* Command-line parsing. */

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_RBAC_ROLE = UCHAR_MAX + 1,
        OPT_ELECTION_TIMER,
        OPT_CID,
        VLOG_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"more", no_argument, NULL, 'm'},
        {"rbac-role", required_argument, NULL, OPT_RBAC_ROLE},
        {"election-timer", required_argument, NULL, OPT_ELECTION_TIMER},
        {"cid", required_argument, NULL, OPT_CID},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };

    for (;;) {
        int c = getopt_long(argc, argv, "mhVv::", long_options, NULL);
        if (c == -1) {
            break;
        }

        switch (c) {
        case 'm':
            show_log_verbosity++;
            break;
        case OPT_RBAC_ROLE:
            rbac_role = optarg;
            break;
        case OPT_ELECTION_TIMER: {
            /* Only create-cluster uses the timer, but OVS checks it
             * whatever the command. */
            unsigned long long msec;
            if (!str_to_ullong(optarg, 10, &msec) || msec < 100
                || msec > 600000) {
                ovs_fatal(0, "ovsdb error: election timer must be between "
                             "100 and 600000, in msec.");
            }
            break;
        }
        case OPT_CID: {
            struct uuid cid;
            if (!uuid_from_string(&cid, optarg) || uuid_is_zero(&cid)) {
                ovs_fatal(0, "%s: not a valid UUID", optarg);
            }
            break;
        }
        case 'h':
            usage();
            break;
        case 'V':
            print_program_version();
            exit(EXIT_SUCCESS);
        case '?':
            exit(EXIT_FAILURE);

            VLOG_OPTION_HANDLERS

        default:
            abort();
        }
    }
}

static const char *
default_db(void)
{
    static char *db;
    if (!db) {
        db = xasprintf("%s/conf.db", ovs_dbdir());
    }
    return db;
}

static const char *
default_schema(void)
{
    static char *schema;
    if (!schema) {
        schema = xasprintf("%s/vswitch.ovsschema", ovs_pkgdatadir());
    }
    return schema;
}

static void
usage(void)
{
    printf("%s: manage Open vSwitch database (OVSDB) files offline\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n"
           "  create [DB [SCHEMA]]    new database DB holding SCHEMA\n"
           "  [--election-timer=ms] create-cluster DB CONTENTS LOCAL\n"
           "    new clustered database (not supported)\n"
           "  [--cid=UUID] join-cluster DB NAME LOCAL REMOTE...\n"
           "    join a clustered database (not supported)\n"
           "  compact [DB [DST]]      rewrite DB minimally (into DST)\n"
           "  convert [DB [SCHEMA [DST]]]   change DB to SCHEMA (into DST)\n"
           "  db-name [DB]            name of the schema inside DB\n"
           "  db-version [DB]         version of the schema inside DB\n"
           "  db-cksum [DB]           checksum of the schema inside DB\n"
           "  db-cid DB               cluster ID (not supported)\n"
           "  db-sid DB               server ID (not supported)\n"
           "  db-local-address DB     cluster address (not supported)\n"
           "  db-is-clustered DB      exit 0 if DB is clustered, else 2\n"
           "  db-is-standalone DB     exit 0 if DB is standalone, else 2\n"
           "  schema-name [SCHEMA]    name of SCHEMA\n"
           "  schema-version [SCHEMA] version of SCHEMA\n"
           "  schema-cksum [SCHEMA]   checksum of SCHEMA\n"
           "  compare-versions A OP B  exit 0 if \"A OP B\" holds, else 2\n"
           "  query [DB] TRNS         run TRNS on DB, discarding changes\n"
           "  transact [DB] TRNS      run TRNS on DB and commit it\n"
           "  cluster-to-standalone DB DB    clustered to standalone "
           "(not supported)\n"
           "  [-m]... show-log [DB]   print the records of DB's log\n"
           "The default DB is %s.\n"
           "The default SCHEMA is %s.\n",
           program_name, program_name, default_db(), default_schema());
    vlog_usage();
    printf("\nOther options:\n"
           "  -m, --more                  increase show-log verbosity\n"
           "  --rbac-role=ROLE            RBAC role for transact and query "
           "commands\n"
           "  -h, --help                  display this help message\n"
           "  -V, --version               display version information\n");
    exit(EXIT_SUCCESS);
}

/* Helpers. */

/* Exits with the message of 'error' if it is nonnull. */
static void
check_ovsdb_error(struct ovsdb_error *error)
{
    if (error) {
        ovs_fatal(0, "%s", ovsdb_error_to_string_free(error));
    }
}

/* Exits with OVS's message for commands that only apply to standalone
 * databases if 'file_name' is a clustered database file. */
static void
check_not_clustered(const char *file_name)
{
    if (ovsdb_log_probe(file_name) == OVSDB_LOG_CLUSTERED) {
        ovs_fatal(0,
                  "ovsdb error: %s: cannot apply this operation to "
                  "clustered database file",
                  file_name);
    }
}

/* For the commands that work only on clustered databases. */
static void
clustered_not_supported(const char *command)
{
    ovs_fatal(0, "%s: clustered databases are not supported", command);
}

/* Opens the database file 'file_name' read-only, as OVS's read-only
 * commands do: without taking its lock. */
static struct ovsdb_log *
open_db_read_only(const char *file_name)
{
    struct ovsdb_log *log;
    check_ovsdb_error(
        ovsdb_log_open(file_name, OVSDB_LOG_READ_ONLY, false, &log));
    return log;
}

/* Reads the schema, the first record, of the database file 'file_name'. */
static struct ovsdb_schema *
read_db_schema(const char *file_name)
{
    struct ovsdb_schema *schema;
    check_ovsdb_error(ovsdb_file_read_schema(file_name, &schema));
    return schema;
}

static struct ovsdb_schema *
read_schema_file(const char *file_name)
{
    struct ovsdb_schema *schema;
    check_ovsdb_error(ovsdb_schema_from_file(file_name, &schema));
    return schema;
}

/* Creating databases. */

static void
do_create(int argc, char *argv[])
{
    const char *db_file = argc >= 2 ? argv[1] : default_db();
    const char *schema_file = argc >= 3 ? argv[2] : default_schema();

    struct ovsdb_schema *schema = read_schema_file(schema_file);
    json_t *json = ovsdb_schema_to_json(schema);
    ovsdb_schema_destroy(schema);

    struct ovsdb_log *log;
    check_ovsdb_error(
        ovsdb_log_open(db_file, OVSDB_LOG_CREATE_EXCL, true, &log));
    check_ovsdb_error(ovsdb_log_write(log, json));
    check_ovsdb_error(ovsdb_log_commit_block(log));
    ovsdb_log_close(log);
    json_decref(json);
}

static void
do_create_cluster(int argc OVS_UNUSED, char *argv[] OVS_UNUSED)
{
    clustered_not_supported("create-cluster");
}

static void
do_join_cluster(int argc OVS_UNUSED, char *argv[] OVS_UNUSED)
{
    clustered_not_supported("join-cluster");
}

static void
do_cluster_to_standalone(int argc OVS_UNUSED, char *argv[] OVS_UNUSED)
{
    clustered_not_supported("cluster-to-standalone");
}

/* Schema queries. */

static void
do_db_name(int argc, char *argv[])
{
    struct ovsdb_schema *schema =
        read_db_schema(argc >= 2 ? argv[1] : default_db());
    puts(schema->name);
    ovsdb_schema_destroy(schema);
}

static void
do_db_version(int argc, char *argv[])
{
    const char *db_file = argc >= 2 ? argv[1] : default_db();
    check_not_clustered(db_file);
    struct ovsdb_schema *schema = read_db_schema(db_file);
    puts(schema->version);
    ovsdb_schema_destroy(schema);
}

static void
do_db_cksum(int argc, char *argv[])
{
    const char *db_file = argc >= 2 ? argv[1] : default_db();
    check_not_clustered(db_file);
    struct ovsdb_schema *schema = read_db_schema(db_file);
    puts(schema->cksum);
    ovsdb_schema_destroy(schema);
}

static void
do_schema_name(int argc, char *argv[])
{
    struct ovsdb_schema *schema =
        read_schema_file(argc >= 2 ? argv[1] : default_schema());
    puts(schema->name);
    ovsdb_schema_destroy(schema);
}

static void
do_schema_version(int argc, char *argv[])
{
    struct ovsdb_schema *schema =
        read_schema_file(argc >= 2 ? argv[1] : default_schema());
    puts(schema->version);
    ovsdb_schema_destroy(schema);
}

static void
do_schema_cksum(int argc, char *argv[])
{
    struct ovsdb_schema *schema =
        read_schema_file(argc >= 2 ? argv[1] : default_schema());
    puts(schema->cksum);
    ovsdb_schema_destroy(schema);
}

static void
do_needs_conversion(int argc, char *argv[])
{
    const char *db_file = argc >= 2 ? argv[1] : default_db();
    const char *schema_file = argc >= 3 ? argv[2] : default_schema();

    check_not_clustered(db_file);
    struct ovsdb_schema *db_schema = read_db_schema(db_file);
    struct ovsdb_schema *schema = read_schema_file(schema_file);
    puts(ovsdb_schema_equal(db_schema, schema) ? "no" : "yes");
    ovsdb_schema_destroy(db_schema);
    ovsdb_schema_destroy(schema);
}

/* Parses the schema version 'version' as OVS does, into '*x', '*y',
 * '*z'. */
static bool
parse_version(const char *version, unsigned int *x, unsigned int *y,
              unsigned int *z)
{
    int n = -1;
    return (sscanf(version, "%u.%u.%u%n", x, y, z, &n) == 3 && n >= 0
            && version[n] == '\0');
}

static void
do_compare_versions(int argc OVS_UNUSED, char *argv[])
{
    unsigned int a[3], b[3];
    if (!parse_version(argv[1], &a[0], &a[1], &a[2])) {
        ovs_fatal(0, "%s: not an OVSDB version number in format x.y.z",
                  argv[1]);
    }
    if (!parse_version(argv[3], &b[0], &b[1], &b[2])) {
        ovs_fatal(0, "%s: not an OVSDB version number in format x.y.z",
                  argv[3]);
    }

    int cmp = 0;
    for (int i = 0; i < 3 && !cmp; i++) {
        cmp = a[i] < b[i] ? -1 : a[i] > b[i];
    }

    const char *op = argv[2];
    bool result;
    if (!strcmp(op, "<")) {
        result = cmp < 0;
    } else if (!strcmp(op, "<=")) {
        result = cmp <= 0;
    } else if (!strcmp(op, "==")) {
        result = cmp == 0;
    } else if (!strcmp(op, ">=")) {
        result = cmp >= 0;
    } else if (!strcmp(op, ">")) {
        result = cmp > 0;
    } else if (!strcmp(op, "!=")) {
        result = cmp != 0;
    } else {
        ovs_fatal(0, "%s: not a relational operator", op);
    }
    exit(result ? EXIT_SUCCESS : 2);
}

/* File format queries. */

/* Returns true if 'file_name' is a clustered database file, false if it
 * is a standalone one; exits with the error if it is neither. */
static bool
db_is_clustered(const char *file_name)
{
    if (ovsdb_log_probe(file_name) == OVSDB_LOG_CLUSTERED) {
        return true;
    }
    /* Opening the file gives the precise error for everything that is not
     * a standalone database either. */
    ovsdb_log_close(open_db_read_only(file_name));
    return false;
}

static void
do_db_is_clustered(int argc OVS_UNUSED, char *argv[])
{
    exit(db_is_clustered(argv[1]) ? EXIT_SUCCESS : 2);
}

static void
do_db_is_standalone(int argc OVS_UNUSED, char *argv[])
{
    exit(db_is_clustered(argv[1]) ? 2 : EXIT_SUCCESS);
}

/* db-cid, db-sid, db-local-address: OVS's answer for a standalone file,
 * and ours for a clustered one. */
static void
cluster_query(const char *command, const char *file_name)
{
    if (!db_is_clustered(file_name)) {
        ovs_fatal(0, "%s: not a clustered database", file_name);
    }
    clustered_not_supported(command);
}

static void
do_db_cid(int argc OVS_UNUSED, char *argv[])
{
    cluster_query("db-cid", argv[1]);
}

static void
do_db_sid(int argc OVS_UNUSED, char *argv[])
{
    cluster_query("db-sid", argv[1]);
}

static void
do_db_local_address(int argc OVS_UNUSED, char *argv[])
{
    cluster_query("db-local-address", argv[1]);
}

static void
do_check_cluster(int argc, char *argv[])
{
    for (int i = 1; i < argc; i++) {
        /* OVS looks only for clustered files here: an empty file is one
         * without the header record of a cluster, and a standalone file
         * one of unknown type. */
        struct stat st;
        if (!stat(argv[i], &st) && S_ISREG(st.st_mode) && !st.st_size) {
            ovs_fatal(0, "syntax error: Parsing raft header failed: Object "
                         "expected.");
        }
        if (!db_is_clustered(argv[i])) {
            ovs_fatal(0, "ovsdb error: %s: cannot identify file type",
                      argv[i]);
        }
    }
    clustered_not_supported("check-cluster");
}

/* show-log. */

/* Returns true and stores the value of 'json' in '*value' if it is a
 * number that OVS's JSON parser reads as an integer: any integral value
 * that fits in 64 bits, whether written "5", "5.0" or "5e0". */
static bool
json_as_ovs_integer(const json_t *json, long long *value)
{
    if (json_is_integer(json)) {
        *value = json_integer_value(json);
        return true;
    } else if (json_is_real(json)) {
        double d = json_real_value(json);
        if (d == (double) (long long) d && d >= -0x1p63 && d < 0x1p63) {
            *value = d;
            return true;
        }
    }
    return false;
}

/* Prints the " DATE" of a transaction record's "_date": milliseconds
 * since the epoch, or, for values below 2**31 - 1 (written by versions of
 * OVS that kept seconds), seconds.  In UTC, as OVS prints it. */
static void
print_record_date(const json_t *date)
{
    long long t;
    if (!json_as_ovs_integer(date, &t)) {
        return;
    }
    if (t < INT32_MAX) {
        /* OVS multiplies with 64-bit wraparound; do the same, without
         * undefined behaviour. */
        t = (long long) ((unsigned long long) t * 1000);
    }

    long long secs = t / 1000;
    int msec = t % 1000;
    if (msec < 0) {
        secs--;
        msec += 1000;
    }

    time_t when = secs;
    struct tm tm;
    char buf[128];
    if (gmtime_r(&when, &tm)
        && strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm)) {
        printf(" %s.%03d", buf, msec);
    }
}

/* Returns the members of object 'object' in the order in which OVS, having
 * parsed it, would list them, as an array of borrowed names that the
 * caller frees. */
static const char **
ovs_member_order(const json_t *object, size_t *np)
{
    size_t n = json_object_size(object);
    const char **names = xmalloc((n ? n : 1) * sizeof *names);
    size_t i = 0;
    const char *name;
    json_t *value;
    json_object_foreach ((json_t *) object, name, value) {
        names[i++] = name;
    }
    hash_order_strings(names, n);
    *np = n;
    return names;
}

/* Appends to 'out' how show-log prints 'value' of column 'column_name' in
 * a row of 'table' (NULL if the schema has no such table): the value's
 * string form if it is valid for the column, otherwise its JSON. */
static void
format_log_value(const struct ovsdb_table_schema *table,
                 const char *column_name, const json_t *value, struct ds *out)
{
    const struct ovsdb_column *column =
        table ? ovsdb_table_schema_get_column(table, column_name) : NULL;
    if (column) {
        struct ovsdb_datum datum;
        struct ovsdb_error *error =
            ovsdb_datum_from_json(&datum, &column->type, value, NULL);
        if (!error) {
            ovsdb_datum_to_string(&datum, &column->type, out);
            ovsdb_datum_destroy(&datum, &column->type);
            return;
        }
        ovsdb_error_destroy(error);
    }
    json_to_ds_as_ovs_parsed(value, false, false, out);
}

/* Prints the row changes in transaction record 'record' for show-log -m
 * and more.  'names' maps the UUIDs of rows seen so far to the names by
 * which the output calls them. */
static void
print_db_changes(const json_t *record, struct smap *names,
                 const struct ovsdb_schema *schema)
{
    bool is_diff = json_is_true(json_object_get(record, "_is_diff"));
    bool printed = false;

    size_t n_tables;
    const char **tables = ovs_member_order(record, &n_tables);
    for (size_t i = 0; i < n_tables; i++) {
        const char *table_name = tables[i];
        const json_t *rows = json_object_get(record, table_name);
        if (ovsdb_log_txn_is_meta(table_name) || !json_is_object(rows)) {
            continue;
        }
        const struct ovsdb_table_schema *table =
            schema ? ovsdb_schema_get_table(schema, table_name) : NULL;

        size_t n_rows;
        const char **row_names = ovs_member_order(rows, &n_rows);
        for (size_t j = 0; j < n_rows; j++) {
            const char *row_uuid = row_names[j];
            const json_t *row = json_object_get(rows, row_uuid);
            const char *old_name = smap_get(names, row_uuid);

            /* A row that has a "name" member is called by its JSON. */
            const json_t *name_json =
                json_is_object(row) ? json_object_get(row, "name") : NULL;
            char *new_name =
                (name_json
                     ? json_to_string_as_ovs_parsed(name_json, false, false)
                     : NULL);

            printf("\n  table %s", table_name);
            if (old_name) {
                printf(" row %s (%.8s)%s:", old_name, row_uuid,
                       is_diff ? " diff" : "");
            } else if (new_name) {
                printf(" insert row %s (%.8s):", new_name, row_uuid);
            } else {
                printf(" insert row %.8s:", row_uuid);
            }
            printed = true;

            if (json_is_object(row)) {
                if (show_log_verbosity > 1) {
                    size_t n_columns;
                    const char **columns = ovs_member_order(row, &n_columns);
                    struct ds s = DS_EMPTY_INITIALIZER;
                    for (size_t k = 0; k < n_columns; k++) {
                        ds_clear(&s);
                        format_log_value(table, columns[k],
                                         json_object_get(row, columns[k]), &s);
                        printf("\n    %s=%s", columns[k], ds_cstr(&s));
                    }
                    ds_destroy(&s);
                    free(columns);
                }
                if (new_name) {
                    smap_replace(names, row_uuid, new_name);
                } else if (!old_name) {
                    smap_add_nocopy(names, xstrdup(row_uuid),
                                    xmemdup0(row_uuid, strnlen(row_uuid, 8)));
                }
            } else if (json_is_null(row)) {
                printf("\n    delete row");
                smap_remove(names, row_uuid);
            }
            free(new_name);
        }
        free(row_names);
    }
    free(tables);

    if (printed) {
        putchar('\n');
    }
}

static void
do_show_log(int argc, char *argv[])
{
    const char *db_file = argc >= 2 ? argv[1] : default_db();
    struct ovsdb_log *log = open_db_read_only(db_file);
    struct ovsdb_schema *schema = NULL;
    struct smap names = SMAP_INITIALIZER(&names);

    for (unsigned int i = 0;; i++) {
        json_t *record;
        check_ovsdb_error(ovsdb_log_read(log, &record));
        if (!record) {
            break;
        }

        printf("record %u:", i);
        if (i == 0) {
            check_ovsdb_error(ovsdb_schema_from_json(record, &schema));
            printf(" \"%s\" schema, version=\"%s\", cksum=\"%s\"\n",
                   schema->name, schema->version, schema->cksum);
        } else {
            print_record_date(json_object_get(record, "_date"));

            const json_t *comment = json_object_get(record, "_comment");
            if (json_is_string(comment)) {
                printf(" \"%s\"", json_string_value(comment));
            }

            if (show_log_verbosity > 0) {
                print_db_changes(record, &names, schema);
            }
        }
        putchar('\n');
        json_decref(record);
    }

    smap_destroy(&names);
    ovsdb_schema_destroy(schema);
    ovsdb_log_close(log);
}

/* Transactions. */

/* Parses the TRANSACTION argument 'text' (an object or an array, as
 * json_from_string() requires). */
static json_t *
parse_transaction(const char *text)
{
    json_t *json;
    char *msg = json_from_string(text, &json);
    if (msg) {
        ovs_fatal(0, "\"%s\": %s", text, msg);
    }
    return json;
}

/* Returns the error object for 'params' if its database name is not the
 * one of 'db', as OVS's tool reports it, or NULL. */
static json_t *
check_db_name(const struct ovsdb *db, const json_t *params)
{
    struct ovsdb_error *error = NULL;
    if (!json_is_array(params)) {
        error = ovsdb_syntax_error(params, NULL, "array expected");
    } else {
        const char *name = json_string_value(json_array_get(params, 0));
        if (!name || strcmp(name, db->schema->name)) {
            error = ovsdb_syntax_error(params, NULL,
                                       "database name "
                                       "expected as first parameter");
        }
    }
    return error ? ovsdb_error_to_json_free(error) : NULL;
}

/* Executes 'params' on 'db'.  With a nonnull 'log', commits the changes,
 * durably, to 'db' and the log; otherwise (query) checks that they would
 * commit and discards them.  Returns the results array, or the error
 * object for a bad database name.  Sets '*failedp' if writing the log
 * failed (the error is then the last result). */
static json_t *
run_transaction(struct ovsdb *db, const json_t *params, struct ovsdb_log *log,
                bool *failedp)
{
    *failedp = false;
    json_t *error_json = check_db_name(db, params);
    if (error_json) {
        return error_json;
    }

    struct ovsdb_execution_options options = {.read_only = false};
    struct ovsdb_execution outcome;
    ovsdb_execution_compose(db, params, &options, &outcome);
    if (!outcome.results) {
        /* A "wait" would block.  There is nothing to wait for in a file
         * that only this process has open, so OVS's tool refuses such
         * waits.  Running the request as if every wait had already timed
         * out gives the results up to the blocking wait, whose slot then
         * gets OVS's error. */
        options.elapsed_msec = LLONG_MAX;
        ovsdb_execution_compose(db, params, &options, &outcome);
        if (outcome.txn) {
            ovsdb_txn_abort(outcome.txn);
            outcome.txn = NULL;
        }
        size_t i;
        json_t *result;
        json_array_foreach (outcome.results, i, result) {
            if (json_is_object(result)) {
                const char *tag = json_get_string(result, "error");
                if (tag && !strcmp(tag, "timed out")) {
                    json_array_set_new(
                        outcome.results, i,
                        ovsdb_error_to_json_free(ovsdb_error(
                            "not supported", "triggers not supported")));
                    break;
                }
            }
        }
        return outcome.results;
    }

    struct ovsdb_txn *txn = outcome.txn;
    if (txn) {
        struct ovsdb_error *error = ovsdb_txn_precommit(txn);
        if (!error && log) {
            error = ovsdb_file_write_txn(log, txn);
            if (!error) {
                error = ovsdb_log_commit_block(log);
            }
            *failedp = error != NULL;
        }
        if (error || !log) {
            ovsdb_txn_abort(txn);
        } else {
            ovsdb_txn_apply(txn);
            ovsdb_txn_destroy(txn);
        }
        if (error) {
            json_array_append_new(outcome.results,
                                  ovsdb_error_to_json_free(error));
        }
    }
    return outcome.results;
}

/* RBAC roles need RBAC_Role and RBAC_Permission tables, which Turnout's
 * engine does not enforce; without such tables every role may do
 * everything, as in OVS. */
static void
check_rbac_role(const struct ovsdb *db)
{
    if (rbac_role && rbac_role[0]
        && ovsdb_schema_get_table(db->schema, "RBAC_Role")) {
        ovs_fatal(0,
                  "--rbac-role: RBAC roles are not supported (database "
                  "%s has an RBAC_Role table)",
                  db->schema->name);
    }
}

static void
transact(int argc, char *argv[], bool read_only)
{
    const char *db_file = argc >= 3 ? argv[1] : default_db();
    const char *text = argv[argc - 1];

    check_not_clustered(db_file);
    struct ovsdb *db;
    struct ovsdb_log *log = NULL;
    if (read_only) {
        check_ovsdb_error(ovsdb_file_read(db_file, NULL, OVSDB_LOG_READ_ONLY,
                                          false, &db, NULL));
    } else {
        check_ovsdb_error(ovsdb_file_read(db_file, NULL, OVSDB_LOG_READ_WRITE,
                                          true, &db, &log));
    }
    json_t *params = parse_transaction(text);
    check_rbac_role(db);

    bool failed;
    json_t *results = run_transaction(db, params, log, &failed);
    char *s = json_to_string_compact(results, true);
    puts(s);
    free(s);

    json_decref(results);
    json_decref(params);
    ovsdb_log_close(log);
    ovsdb_destroy(db);
    if (failed) {
        exit(EXIT_FAILURE);
    }
}

static void
do_query(int argc, char *argv[])
{
    transact(argc, argv, true);
}

static void
do_transact(int argc, char *argv[])
{
    transact(argc, argv, false);
}

/* Compaction and conversion. */

/* Takes the lock of 'file_name' or exits with OVS's message. */
static struct lockfile *
lock_or_die(const char *file_name)
{
    struct lockfile *lock;
    int retval = lockfile_lock(file_name, &lock);
    if (retval) {
        ovs_fatal(retval, "%s: failed to lock lockfile", file_name);
    }
    return lock;
}

/* Reads 'src' (as if it had 'new_schema', if that is nonnull) and writes
 * the result, compacted, over 'src' or, if 'dst' is nonnull, into 'dst'.
 * Either way the new file is durable before this returns. */
static void
compact_or_convert(const char *src, const char *dst,
                   const struct ovsdb_schema *new_schema, const char *comment)
{
    struct ovsdb *db;
    if (!dst) {
        struct lockfile *lock = lock_or_die(src);
        struct ovsdb_log *log;
        check_ovsdb_error(ovsdb_file_read(
            src, new_schema, OVSDB_LOG_READ_WRITE, false, &db, &log));
        check_ovsdb_error(ovsdb_file_compact(log, db, comment));
        ovsdb_log_close(log);
        lockfile_unlock(lock);
    } else {
        /* OVS takes the target's lock before reading the source. */
        struct lockfile *lock = lock_or_die(dst);
        check_ovsdb_error(ovsdb_file_read(src, new_schema, OVSDB_LOG_READ_ONLY,
                                          false, &db, NULL));
        check_ovsdb_error(ovsdb_file_save(dst, db, comment, false));
        lockfile_unlock(lock);
    }
    VLOG_DBG("%s: wrote %zu rows (%s)", dst ? dst : src, ovsdb_n_rows(db),
             comment);
    ovsdb_destroy(db);
}

static void
do_compact(int argc, char *argv[])
{
    const char *db_file = argc >= 2 ? argv[1] : default_db();
    const char *target = argc >= 3 ? argv[2] : NULL;

    check_not_clustered(db_file);
    compact_or_convert(db_file, target, NULL,
                       "compacted by ovsdb-tool " OVS_COMPAT_VERSION);
}

static void
do_convert(int argc, char *argv[])
{
    const char *db_file = argc >= 2 ? argv[1] : default_db();
    const char *schema_file = argc >= 3 ? argv[2] : default_schema();
    const char *target = argc >= 4 ? argv[3] : NULL;

    struct ovsdb_schema *new_schema = read_schema_file(schema_file);
    check_not_clustered(db_file);
    compact_or_convert(db_file, target, new_schema,
                       "converted by ovsdb-tool " OVS_COMPAT_VERSION);
    ovsdb_schema_destroy(new_schema);
}

/* Help. */

static void
do_help(int argc OVS_UNUSED, char *argv[] OVS_UNUSED)
{
    usage();
}

static void
do_list_commands(int argc OVS_UNUSED, char *argv[] OVS_UNUSED)
{
    printf("The available commands are:\n");
    for (const struct tool_command *c = tool_commands(); c->name; c++) {
        printf("  %-23s %s\n", c->name, c->usage);
    }
}

/* The commands in the order "list-commands" shows them. */
static const struct tool_command all_commands[] = {
    {"create", "[db [schema]]", 0, 2, do_create},
    {"create-cluster", "db contents local", 3, 3, do_create_cluster},
    {"join-cluster", "db name local remote...", 4, INT_MAX, do_join_cluster},
    {"compact", "[db [dst]]", 0, 2, do_compact},
    {"convert", "[db [schema [dst]]]", 0, 3, do_convert},
    {"needs-conversion", "", 0, 2, do_needs_conversion},
    {"db-name", "[db]", 0, 1, do_db_name},
    {"db-version", "[db]", 0, 1, do_db_version},
    {"db-cksum", "[db]", 0, 1, do_db_cksum},
    {"db-cid", "db", 1, 1, do_db_cid},
    {"db-sid", "db", 1, 1, do_db_sid},
    {"db-local-address", "db", 1, 1, do_db_local_address},
    {"db-is-clustered", "db", 1, 1, do_db_is_clustered},
    {"db-is-standalone", "db", 1, 1, do_db_is_standalone},
    {"schema-name", "[schema]", 0, 1, do_schema_name},
    {"schema-version", "[schema]", 0, 1, do_schema_version},
    {"schema-cksum", "[schema]", 0, 1, do_schema_cksum},
    {"query", "[db] trns", 1, 2, do_query},
    {"transact", "[db] trns", 1, 2, do_transact},
    {"show-log", "[db]", 0, 1, do_show_log},
    {"check-cluster", "db...", 1, INT_MAX, do_check_cluster},
    {"compare-versions", "a op b", 3, 3, do_compare_versions},
    {"help", "", 0, INT_MAX, do_help},
    {"list-commands", "", 0, INT_MAX, do_list_commands},
    {"cluster-to-standalone", "db clusterdb", 2, 2, do_cluster_to_standalone},
    {NULL, NULL, 0, 0, NULL},
};

static const struct tool_command *
tool_commands(void)
{
    return all_commands;
}

static const struct tool_command *
tool_find_command(const char *name)
{
    for (const struct tool_command *c = all_commands; c->name; c++) {
        if (!strcmp(c->name, name)) {
            return c;
        }
    }
    return NULL;
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    parse_options(argc, argv);

    int n_args = argc - optind;
    char **args = argv + optind;
    if (n_args < 1) {
        ovs_fatal(0, "missing command name; use --help for help");
    }

    const struct tool_command *command = tool_find_command(args[0]);
    if (!command) {
        ovs_fatal(0, "unknown command '%s'; use --help for help", args[0]);
    }
    if (n_args - 1 < command->min_args) {
        ovs_fatal(0, "'%s' command requires at least %d arguments",
                  command->name, command->min_args);
    }
    if (n_args - 1 > command->max_args) {
        ovs_fatal(0, "'%s' command takes at most %d arguments", command->name,
                  command->max_args);
    }

    command->handler(n_args, args);
    return EXIT_SUCCESS;
}

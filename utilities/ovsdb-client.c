/* ovsdb-client: the command-line client of ovsdb-server, as described in
 * ovsdb-client(1): it lists databases and schemas, runs transactions,
 * dumps and monitors tables, and takes locks, with OVS's output formats,
 * messages and exit codes.
 *
 * Every command connects to SERVER (default unix:$OVS_RUNDIR/db.sock),
 * which may be an active name ("unix:", "tcp:", "ssl:") or a passive one
 * ("punix:", "ptcp:", "pssl:"), in which case the client waits for the
 * server to connect to it.  Failures print "ovsdb-client: <message>" and
 * exit with status 1. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/daemon.h"
#include "lib/dirs.h"
#include "lib/ds.h"
#include "lib/fatal-signal.h"
#include "lib/hash-order.h"
#include "lib/json.h"
#include "lib/jsonrpc-session.h"
#include "lib/jsonrpc.h"
#include "lib/poll-loop.h"
#include "lib/sset.h"
#include "lib/stream-ssl.h"
#include "lib/stream.h"
#include "lib/table.h"
#include "lib/unixctl.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "lib/vlog.h"
#include "ovsdb/ovsdb-cell.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_client);

/* Formatting options. */
static struct table_style table_style = TABLE_STYLE_DEFAULT_INITIALIZER;

/* --timestamp: time each table that monitor prints. */
static bool timestamp;

/* --force: restore even if the schemas differ. */
static bool force;

/* The database commands act on when none is named. */
static const char *const default_db = "Open_vSwitch";

struct ovsdb_client_command {
    const char *name;
    int min_args; /* Counting SERVER and DATABASE, if any. */
    int max_args;
    void (*handler)(int argc, char *argv[]);
};

static const struct ovsdb_client_command *
ovsdb_client_find_command(const char *name);
static void usage(void);

/* Command-line parsing. */

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_BOOTSTRAP_CA_CERT_UNUSED = UCHAR_MAX + 1,
        OPT_TIMESTAMP,
        OPT_FORCE,
        OPT_DB_CHANGE_AWARE,
        OPT_NO_DB_CHANGE_AWARE,
        OPT_NO_LEADER_ONLY,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
        TABLE_OPTION_ENUMS,
        STREAM_SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"timeout", required_argument, NULL, 't'},
        {"timestamp", no_argument, NULL, OPT_TIMESTAMP},
        {"force", no_argument, NULL, OPT_FORCE},
        {"db-change-aware", no_argument, NULL, OPT_DB_CHANGE_AWARE},
        {"no-db-change-aware", no_argument, NULL, OPT_NO_DB_CHANGE_AWARE},
        {"no-leader-only", no_argument, NULL, OPT_NO_LEADER_ONLY},
        VLOG_LONG_OPTIONS,
        DAEMON_LONG_OPTIONS,
        TABLE_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };

    for (;;) {
        int c =
            getopt_long(argc, argv, "hVt:f:d:v::p:c:C:", long_options, NULL);
        if (c == -1) {
            break;
        }

        switch (c) {
        case 'h':
            usage();
            break;
        case 'V':
            print_program_version();
            exit(EXIT_SUCCESS);
        case 't': {
            int secs;
            if (!str_to_int(optarg, 10, &secs) || secs <= 0) {
                ovs_fatal(0, "value %s on -t or --timeout is invalid", optarg);
            }
            signal(SIGALRM, SIG_DFL);
            alarm(secs);
            break;
        }
        case OPT_TIMESTAMP:
            timestamp = true;
            break;
        case OPT_FORCE:
            force = true;
            break;
        case OPT_DB_CHANGE_AWARE:
        case OPT_NO_DB_CHANGE_AWARE:
        case OPT_NO_LEADER_ONLY:
            /* A standalone server's databases never change schema under
             * a one-shot command, and there is no cluster to prefer a
             * leader in: accepted for compatibility. */
            break;
        case '?':
            exit(EXIT_FAILURE);

            VLOG_OPTION_HANDLERS
            DAEMON_OPTION_HANDLERS
            TABLE_OPTION_HANDLERS(&table_style)
            STREAM_SSL_OPTION_HANDLERS

        default:
            abort();
        }
    }
}

static void
usage(void)
{
    printf("%s: Open vSwitch database JSON-RPC client\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n"
           "\nCommands:\n"
           "  list-dbs [SERVER]                       databases on SERVER\n"
           "  get-schema [SERVER] [DATABASE]          DATABASE's schema\n"
           "  get-schema-version [SERVER] [DATABASE]  its version\n"
           "  get-schema-cksum [SERVER] [DATABASE]    its checksum\n"
           "  list-tables [SERVER] [DATABASE]         its tables\n"
           "  list-columns [SERVER] [DATABASE] [TABLE]\n"
           "                                          its columns\n"
           "  transact [SERVER] TRANSACTION           run TRANSACTION\n"
           "  query [SERVER] TRANSACTION              run it read-only\n"
           "  dump [SERVER] [DATABASE] [TABLE [COLUMN...]]\n"
           "                                          print the contents\n"
           "  monitor [SERVER] [DATABASE] TABLE [COLUMN,...]...\n"
           "  monitor [SERVER] [DATABASE] ALL\n"
           "  monitor-cond [SERVER] [DATABASE] CONDITION TABLE "
           "[COLUMN,...]...\n"
           "  monitor-cond-since [SERVER] [DATABASE] [LASTID] CONDITION "
           "TABLE\n"
           "                     [COLUMN,...]...\n"
           "                                          print changes as "
           "they happen;\n"
           "                                          COLUMNs may include "
           "!initial,\n"
           "                                          !insert, !delete, "
           "!modify\n"
           "  convert [SERVER] SCHEMA                 convert the "
           "database to SCHEMA\n"
           "  needs-conversion [SERVER] SCHEMA        does it need it?\n"
           "  wait [SERVER] DATABASE STATE            wait for \"added\", "
           "\"connected\"\n"
           "                                          or \"removed\"\n"
           "  backup [SERVER] [DATABASE] > SNAPSHOT   save a database "
           "file\n"
           "  [--force] restore [SERVER] [DATABASE] < SNAPSHOT\n"
           "                                          load one\n"
           "  lock [SERVER] LOCK                      take or wait for "
           "LOCK\n"
           "  steal [SERVER] LOCK                     take LOCK from its "
           "owner\n"
           "  unlock [SERVER] LOCK                    release LOCK\n"
           "\nThe default SERVER is unix:%s/db.sock.\n"
           "The default DATABASE is %s.\n",
           program_name, program_name, ovs_rundir(), default_db);
    stream_usage("SERVER", true, true);
    table_usage();
    printf("  --timestamp                 timestamp \"monitor\" output\n");
    daemon_usage();
    printf("\nOther options:\n"
           "  -t, --timeout=SECS          give up after SECS seconds\n"
           "  -h, --help                  display this help message\n"
           "  -V, --version               display version information\n");
    exit(EXIT_SUCCESS);
}

/* Connections. */

static char *
default_server(void)
{
    return xasprintf("unix:%s/db.sock", ovs_rundir());
}

/* OVS takes the first argument as SERVER if the command has more
 * arguments than its minimum and the argument looks like a connection
 * name (it has a colon); otherwise SERVER is the default. */
static char *
take_server(int *argc, char ***argv, int min_args)
{
    if (*argc > min_args && strchr((*argv)[0], ':')) {
        char *server = xstrdup((*argv)[0]);
        (*argc)--;
        (*argv)++;
        return server;
    }
    return default_server();
}

static struct jsonrpc *
open_rpc(const char *server)
{
    struct stream *stream;
    int error;

    if (!stream_verify_name(server)) {
        error = stream_open_block(
            stream_open_with_default_port(server, OVSDB_PORT, &stream, 0), -1,
            &stream);
        if (error) {
            ovs_fatal(error, "failed to connect to \"%s\"", server);
        }
    } else if (!pstream_verify_name(server)) {
        struct pstream *pstream;

        error =
            pstream_open_with_default_port(server, OVSDB_PORT, &pstream, 0);
        if (error) {
            ovs_fatal(error, "failed to connect or listen to \"%s\"", server);
        }
        VLOG_INFO("%s: waiting for connection...", server);
        error = pstream_accept_block(pstream, &stream);
        pstream_close(pstream);
        if (error) {
            ovs_fatal(error, "failed to accept connection on \"%s\"", server);
        }
    } else {
        ovs_fatal(EAFNOSUPPORT, "failed to connect or listen to \"%s\"",
                  server);
    }
    return jsonrpc_open(stream);
}

/* Sends 'request' and returns the reply's result (owned by the caller),
 * exiting with OVS's messages if the transaction fails or the server
 * answers with an error. */
static json_t *
transact(struct jsonrpc *rpc, struct jsonrpc_msg *request)
{
    struct jsonrpc_msg *reply;
    int error = jsonrpc_transact_block(rpc, request, &reply);

    if (error) {
        ovs_fatal(error, "transaction failed");
    }
    if (reply->error) {
        ovs_fatal(0, "transaction returned error: %s",
                  json_to_string_as_ovs_parsed(reply->error, true, false));
    }
    json_t *result = json_incref(reply->result);
    jsonrpc_msg_destroy(reply);
    return result;
}

static json_t *
transact_method(struct jsonrpc *rpc, const char *method, json_t *params)
{
    return transact(rpc, jsonrpc_create_request(method, params, NULL));
}

/* Like transact_method() for monitor requests, whose errors OVS prints
 * as the database error the server describes:
 * [syntax "<json>": ]<error>[: <details>]. */
static json_t *
transact_monitor(struct jsonrpc *rpc, const char *method, json_t *params)
{
    struct jsonrpc_msg *reply;
    int error = jsonrpc_transact_block(
        rpc, jsonrpc_create_request(method, params, NULL), &reply);

    if (error) {
        ovs_fatal(error, "transaction failed");
    }
    if (reply->error) {
        const char *tag = json_get_string(reply->error, "error");
        const char *details = json_get_string(reply->error, "details");
        const char *syntax = json_get_string(reply->error, "syntax");
        struct ds s = DS_EMPTY_INITIALIZER;

        if (!tag) {
            ovs_fatal(0, "transaction returned error: %s",
                      json_to_string_as_ovs_parsed(reply->error, true, false));
        }
        if (syntax) {
            ds_put_format(&s, "syntax \"%s\": ", syntax);
        }
        ds_put_cstr(&s, tag);
        if (details) {
            ds_put_format(&s, ": %s", details);
        }
        ovs_fatal(0, "%s", ds_cstr(&s));
    }
    json_t *result = json_incref(reply->result);
    jsonrpc_msg_destroy(reply);
    return result;
}

static void
fetch_dbs(struct jsonrpc *rpc, struct sset *dbs)
{
    json_t *result = transact_method(rpc, "list_dbs", json_array());

    if (!json_is_array_of_strings(result)) {
        ovs_fatal(0, "list_dbs response is not array of strings");
    }
    for (size_t i = 0; i < json_array_size(result); i++) {
        sset_add(dbs, json_string_value(json_array_get(result, i)));
    }
    json_decref(result);
}

/* Takes the next argument as DATABASE if the command has more arguments
 * than its minimum and the server has a database of that name;
 * otherwise DATABASE is the default. */
static char *
take_database(struct jsonrpc *rpc, int *argc, char ***argv, int min_args)
{
    if (*argc > min_args) {
        struct sset dbs = SSET_INITIALIZER(&dbs);
        bool found;

        fetch_dbs(rpc, &dbs);
        found = sset_contains(&dbs, (*argv)[0]);
        sset_destroy(&dbs);
        if (found) {
            char *db = xstrdup((*argv)[0]);
            (*argc)--;
            (*argv)++;
            return db;
        }
    }
    return xstrdup(default_db);
}

static noreturn void
invalid_syntax(const char *command)
{
    ovs_fatal(0, "invalid syntax for '%s' (use --help for help)", command);
}

/* A database's schema as ovsdb-client uses it: parsed, and in the JSON
 * the server sent, whose member order decides the order in which OVS
 * lists tables and columns. */
struct client_schema {
    struct ovsdb_schema *schema;
    json_t *json;
};

static void
fetch_schema(struct jsonrpc *rpc, const char *db, struct client_schema *cs)
{
    json_t *params = json_array();
    struct ovsdb_error *error;

    json_array_append_new(params, json_string(db));
    cs->json = transact_method(rpc, "get_schema", params);
    error = ovsdb_schema_from_json(cs->json, &cs->schema);
    if (error) {
        ovs_fatal(0, "%s", ovsdb_error_to_string_free(error));
    }
}

static void
client_schema_destroy(struct client_schema *cs)
{
    ovsdb_schema_destroy(cs->schema);
    json_decref(cs->json);
}

/* Returns the names of the members of JSON object 'object' in the order
 * in which OVS iterates the hash table it builds from a schema: its JSON
 * parser inserts them in text order, and the schema parser inserts them,
 * in that iteration order, after 'first' (NULL-terminated), into a second
 * table.  Returns an array of '*n' borrowed names; the caller frees it. */
static const char **
schema_order(const json_t *object, const char *const *first, size_t *n)
{
    size_t n_first = 0;
    while (first && first[n_first]) {
        n_first++;
    }

    size_t n_members = json_object_size(object);
    const char **names = xmalloc((n_first + n_members + 1) * sizeof *names);
    const char *name;
    json_t *value;
    size_t i = n_first;

    json_object_foreach ((json_t *) object, name, value) {
        names[i++] = name;
    }
    hash_order_strings(&names[n_first], n_members);
    for (i = 0; i < n_first; i++) {
        names[i] = first[i];
    }
    hash_order_strings(names, n_first + n_members);
    *n = n_first + n_members;
    return names;
}

static const json_t *
schema_tables_json(const struct client_schema *cs)
{
    return json_object_get(cs->json, "tables");
}

static const char **
schema_table_order(const struct client_schema *cs, size_t *n)
{
    return schema_order(schema_tables_json(cs), NULL, n);
}

static const char **
schema_column_order(const struct client_schema *cs, const char *table,
                    size_t *n)
{
    static const char *const std_columns[] = {"_uuid", "_version", NULL};
    const json_t *columns = json_object_get(
        json_object_get(schema_tables_json(cs), table), "columns");
    return schema_order(columns, std_columns, n);
}

static const struct ovsdb_table_schema *
find_table(const struct client_schema *cs, const char *name)
{
    return ovsdb_schema_get_table(cs->schema, name);
}

/* Server-level and schema commands. */

static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;
    return strcmp(*a, *b);
}

static void
do_list_dbs(int argc, char *argv[])
{
    char *server = take_server(&argc, &argv, 0);
    struct jsonrpc *rpc = open_rpc(server);
    json_t *result = transact_method(rpc, "list_dbs", json_array());

    if (argc) {
        invalid_syntax("list-dbs");
    }

    if (!json_is_array_of_strings(result)) {
        ovs_fatal(0, "list_dbs response is not array of strings");
    }

    size_t n = json_array_size(result);
    const char **names = xmalloc(MAX(n, 1) * sizeof *names);
    for (size_t i = 0; i < n; i++) {
        names[i] = json_string_value(json_array_get(result, i));
    }
    qsort(names, n, sizeof *names, compare_strings);
    for (size_t i = 0; i < n; i++) {
        printf("%s\n", names[i]);
    }
    free(names);
    json_decref(result);
    jsonrpc_close(rpc);
    free(server);
}

/* Connects and fetches the schema for commands of the form
 * "CMD [SERVER] [DATABASE] ARGS", leaving ARGS in 'argc' and 'argv'. */
static struct jsonrpc *
open_schema(int *argc, char ***argv, int min_args, char **serverp, char **dbp,
            struct client_schema *cs)
{
    *serverp = take_server(argc, argv, min_args);
    struct jsonrpc *rpc = open_rpc(*serverp);
    *dbp = take_database(rpc, argc, argv, min_args);
    fetch_schema(rpc, *dbp, cs);
    return rpc;
}

static void
do_get_schema__(int argc, char *argv[], const char *command,
                void (*print)(const struct client_schema *))
{
    struct client_schema cs;
    char *server, *db;
    struct jsonrpc *rpc = open_schema(&argc, &argv, 0, &server, &db, &cs);

    if (argc) {
        invalid_syntax(command);
    }
    print(&cs);
    client_schema_destroy(&cs);
    jsonrpc_close(rpc);
    free(server);
    free(db);
}

static void
print_schema(const struct client_schema *cs)
{
    json_t *json = ovsdb_schema_to_json(cs->schema);
    struct ds s = DS_EMPTY_INITIALIZER;

    json_to_ds(json, true, table_style.json_pretty, &s);
    puts(ds_cstr(&s));
    ds_destroy(&s);
    json_decref(json);
}

static void
print_schema_version(const struct client_schema *cs)
{
    printf("%s\n", cs->schema->version);
}

static void
print_schema_cksum(const struct client_schema *cs)
{
    printf("%s\n", cs->schema->cksum);
}

static void
print_tables(const struct client_schema *cs)
{
    struct table t;
    size_t n;
    const char **names = schema_table_order(cs, &n);

    table_init(&t);
    table_add_column(&t, "Table");
    for (size_t i = 0; i < n; i++) {
        table_add_row(&t);
        table_cell_set_text(table_add_cell(&t, 0), xstrdup(names[i]));
    }
    table_print(&t, &table_style);
    table_destroy(&t);
    free(names);
}

static void
do_get_schema(int argc, char *argv[])
{
    do_get_schema__(argc, argv, "get-schema", print_schema);
}

static void
do_get_schema_version(int argc, char *argv[])
{
    do_get_schema__(argc, argv, "get-schema-version", print_schema_version);
}

static void
do_get_schema_cksum(int argc, char *argv[])
{
    do_get_schema__(argc, argv, "get-schema-cksum", print_schema_cksum);
}

static void
do_list_tables(int argc, char *argv[])
{
    do_get_schema__(argc, argv, "list-tables", print_tables);
}

static void
add_column_rows(struct table *t, const struct client_schema *cs,
                const char *table_name, bool with_table)
{
    const struct ovsdb_table_schema *ts = find_table(cs, table_name);
    size_t n;
    const char **names = schema_column_order(cs, table_name, &n);

    for (size_t i = 0; i < n; i++) {
        const struct ovsdb_column *column =
            ovsdb_table_schema_get_column(ts, names[i]);
        size_t c = 0;

        table_add_row(t);
        if (with_table) {
            table_cell_set_text(table_add_cell(t, c++), xstrdup(table_name));
        }
        table_cell_set_text(table_add_cell(t, c++), xstrdup(names[i]));
        table_cell_set_json(table_add_cell(t, c),
                            ovsdb_type_to_json(&column->type));
    }
    free(names);
}

static void
do_list_columns(int argc, char *argv[])
{
    struct client_schema cs;
    char *server, *db;
    struct jsonrpc *rpc = open_schema(&argc, &argv, 0, &server, &db, &cs);
    const char *table_name = argc ? argv[0] : NULL;
    struct table t;

    if (argc > 1) {
        invalid_syntax("list-columns");
    }

    table_init(&t);
    if (!table_name) {
        table_add_column(&t, "Table");
    }
    table_add_column(&t, "Column");
    table_add_column(&t, "Type");
    if (table_name) {
        if (find_table(&cs, table_name)) {
            add_column_rows(&t, &cs, table_name, false);
        }
    } else {
        size_t n;
        const char **names = schema_table_order(&cs, &n);
        for (size_t i = 0; i < n; i++) {
            add_column_rows(&t, &cs, names[i], true);
        }
        free(names);
    }
    table_print(&t, &table_style);
    table_destroy(&t);

    client_schema_destroy(&cs);
    jsonrpc_close(rpc);
    free(server);
    free(db);
}

/* transact and query. */

static json_t *
parse_json_arg(const char *arg)
{
    json_t *json;
    char *error = json_from_string(arg, &json);

    if (error) {
        ovs_fatal(0, "\"%s\": %s", arg, error);
    }
    return json;
}

static json_t *
parse_transaction(const char *arg)
{
    json_t *txn = parse_json_arg(arg);

    if (!json_is_array(txn) || !json_array_size(txn)
        || !json_is_string(json_array_get(txn, 0))) {
        ovs_fatal(0, "not a valid OVSDB query");
    }
    return txn;
}

static void
print_json(const json_t *json)
{
    char *s =
        json_to_string_as_ovs_parsed(json, true, table_style.json_pretty);
    puts(s);
    free(s);
}

static void
do_transact__(int argc, char *argv[], bool read_only)
{
    char *server = take_server(&argc, &argv, 1);
    json_t *txn = parse_transaction(argv[0]);
    size_t n_ops = json_array_size(txn);
    struct jsonrpc *rpc;
    json_t *result;

    if (read_only) {
        json_array_append_new(txn, json_pack("{s:s}", "op", "abort"));
    }
    rpc = open_rpc(server);
    result = transact_method(rpc, "transact", txn);
    if (read_only && json_is_array(result)
        && json_array_size(result) == n_ops) {
        /* Drop the abort operation's result, which is there only if
         * every other operation succeeded. */
        const char *error =
            json_get_string(json_array_get(result, n_ops - 1), "error");
        if (error && !strcmp(error, "aborted")) {
            json_array_remove(result, n_ops - 1);
        }
    }
    print_json(result);
    json_decref(result);
    jsonrpc_close(rpc);
    free(server);
}

static void
do_transact(int argc, char *argv[])
{
    do_transact__(argc, argv, false);
}

static void
do_query(int argc, char *argv[])
{
    do_transact__(argc, argv, true);
}

/* dump. */

struct dump_row {
    struct ovsdb_datum *values; /* One per dumped column. */
};

struct dump_sort_aux {
    const struct ovsdb_column **columns;
    size_t n_columns;
};

static const struct dump_sort_aux *dump_sort_aux;

/* OVS prints rows ordered by their values, column by column in the order
 * printed, first the columns of other types and then those of UUIDs (the
 * row's own "_uuid" and references), which only break ties. */
static int
dump_compare_rows(const void *a_, const void *b_)
{
    const struct dump_row *a = a_;
    const struct dump_row *b = b_;
    const struct dump_sort_aux *aux = dump_sort_aux;

    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < aux->n_columns; i++) {
            const struct ovsdb_column *column = aux->columns[i];
            bool is_uuid = column->type.key.type == OVSDB_TYPE_UUID;
            if (is_uuid != (pass == 1)) {
                continue;
            }
            int cmp = ovsdb_datum_compare_3way(&a->values[i], &b->values[i],
                                               &column->type);
            if (cmp) {
                return cmp;
            }
        }
    }
    return 0;
}

static int
compare_column_names(const void *a_, const void *b_)
{
    const struct ovsdb_column *const *a = a_;
    const struct ovsdb_column *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static int
compare_table_names(const void *a_, const void *b_)
{
    const struct ovsdb_table_schema *const *a = a_;
    const struct ovsdb_table_schema *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

/* Returns the columns of 'ts' that dump prints: 'names' (all of them if
 * 'n_names' is 0), never "_version", sorted by name. */
static const struct ovsdb_column **
dump_columns(const struct ovsdb_table_schema *ts, char **names, size_t n_names,
             size_t *n_columnsp)
{
    const struct ovsdb_column **columns;
    size_t n = 0;

    if (n_names) {
        columns = xmalloc(n_names * sizeof *columns);
        for (size_t i = 0; i < n_names; i++) {
            const struct ovsdb_column *column =
                ovsdb_table_schema_get_column(ts, names[i]);
            if (!column) {
                ovs_fatal(0, "Table \"%s\" has no column %s.", ts->name,
                          names[i]);
            }
            if (column->index != OVSDB_COL_VERSION) {
                columns[n++] = column;
            }
        }
    } else {
        columns = xmalloc(ts->n_columns * sizeof *columns);
        for (size_t i = 0; i < ts->n_columns; i++) {
            if (ts->columns[i]->index != OVSDB_COL_VERSION) {
                columns[n++] = ts->columns[i];
            }
        }
    }
    qsort(columns, n, sizeof *columns, compare_column_names);
    *n_columnsp = n;
    return columns;
}

static void
dump_table(const char *table_name, const struct ovsdb_column **columns,
           size_t n_columns, const json_t *result)
{
    const json_t *rows = json_object_get(result, "rows");

    if (!json_is_object(result) || !json_is_array(rows)) {
        ovs_fatal(0,
                  "%s table reply is not an object with a \"rows\" "
                  "member array: %s",
                  table_name,
                  json_to_string_as_ovs_parsed(result, false, false));
    }

    size_t n_rows = json_array_size(rows);
    struct dump_row *data = xmalloc(MAX(n_rows, 1) * sizeof *data);
    for (size_t r = 0; r < n_rows; r++) {
        const json_t *row = json_array_get(rows, r);
        if (!json_is_object(row)) {
            ovs_fatal(0, "%s table reply row is not an object: %s", table_name,
                      json_to_string_as_ovs_parsed(row, false, false));
        }
        data[r].values = xmalloc(MAX(n_columns, 1) * sizeof *data[r].values);
        for (size_t c = 0; c < n_columns; c++) {
            const struct ovsdb_column *column = columns[c];
            const json_t *value = json_object_get(row, column->name);
            struct ovsdb_error *error;

            if (!value) {
                ovs_fatal(0, "%s table reply row lacks %s column", table_name,
                          column->name);
            }
            error = ovsdb_datum_from_json(&data[r].values[c], &column->type,
                                          value, NULL);
            if (error) {
                ovs_fatal(0, "%s", ovsdb_error_to_string_free(error));
            }
        }
    }

    struct dump_sort_aux aux = {columns, n_columns};
    dump_sort_aux = &aux;
    qsort(data, n_rows, sizeof *data, dump_compare_rows);
    dump_sort_aux = NULL;

    struct table t;
    table_init(&t);
    table_set_caption(&t, xasprintf("%s table", table_name));
    for (size_t c = 0; c < n_columns; c++) {
        table_add_column(&t, "%s", columns[c]->name);
    }
    for (size_t r = 0; r < n_rows; r++) {
        table_add_row(&t);
        for (size_t c = 0; c < n_columns; c++) {
            ovsdb_cell_set_datum(table_add_cell(&t, c), &data[r].values[c],
                                 &columns[c]->type, &table_style);
            ovsdb_datum_destroy(&data[r].values[c], &columns[c]->type);
        }
        free(data[r].values);
    }
    table_print(&t, &table_style);
    table_destroy(&t);
    free(data);
}

static void
do_dump(int argc, char *argv[])
{
    struct client_schema cs;
    char *server, *db;
    struct jsonrpc *rpc = open_schema(&argc, &argv, 0, &server, &db, &cs);
    const struct ovsdb_table_schema **tables;
    size_t n_tables;

    if (argc) {
        const struct ovsdb_table_schema *ts = find_table(&cs, argv[0]);
        if (!ts) {
            ovs_fatal(0, "No table \"%s\" found.", argv[0]);
        }
        tables = xmalloc(sizeof *tables);
        tables[0] = ts;
        n_tables = 1;
    } else {
        tables = ovsdb_schema_sorted_tables(cs.schema);
        n_tables = ovsdb_schema_n_tables(cs.schema);
        qsort(tables, n_tables, sizeof *tables, compare_table_names);
    }

    /* One transaction selects every table, so that the dump is a
     * consistent snapshot. */
    const struct ovsdb_column ***columns =
        xmalloc(MAX(n_tables, 1) * sizeof *columns);
    size_t *n_columns = xmalloc(MAX(n_tables, 1) * sizeof *n_columns);
    json_t *txn = json_array();
    json_array_append_new(txn, json_string(db));
    for (size_t i = 0; i < n_tables; i++) {
        columns[i] = dump_columns(tables[i], argc ? argv + 1 : NULL,
                                  argc ? argc - 1 : 0, &n_columns[i]);

        json_t *names = json_array();
        for (size_t c = 0; c < n_columns[i]; c++) {
            json_array_append_new(names, json_string(columns[i][c]->name));
        }
        json_array_append_new(
            txn, json_pack("{s:s, s:s, s:[], s:o}", "op", "select", "table",
                           tables[i]->name, "where", "columns", names));
    }

    json_t *result = transact_method(rpc, "transact", txn);
    if (!json_is_array(result) || json_array_size(result) != n_tables) {
        ovs_fatal(0, "reply is not an array of %zu elements: %s", n_tables,
                  json_to_string_as_ovs_parsed(result, false, false));
    }
    for (size_t i = 0; i < n_tables; i++) {
        dump_table(tables[i]->name, columns[i], n_columns[i],
                   json_array_get(result, i));
        free(columns[i]);
    }

    json_decref(result);
    free(columns);
    free(n_columns);
    free(tables);
    client_schema_destroy(&cs);
    jsonrpc_close(rpc);
    free(server);
    free(db);
}

/* monitor, monitor-cond, monitor-cond-since. */

enum monitor_method {
    MONITOR_V1,         /* "monitor", "update" notifications. */
    MONITOR_COND,       /* "monitor_cond", "update2". */
    MONITOR_COND_SINCE, /* "monitor_cond_since", "update3". */
};

/* One monitored table and the columns printed for it. */
struct monitored_table {
    const struct ovsdb_table_schema *ts;
    const struct ovsdb_column **columns;
    size_t n_columns;
};

struct monitor {
    const char *server;
    enum monitor_method method;
    struct monitored_table *tables;
    size_t n_tables;
    bool all;   /* "ALL": captions name the tables. */
    json_t *id; /* The monitor's id in notifications. */
};

static bool monitor_exiting;

static void
monitor_unixctl_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
                     const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    monitor_exiting = true;
    unixctl_command_reply(conn, NULL);
}

/* The columns that monitoring a table without naming columns prints:
 * every column but the standard ones, by name, then "_version". */
static const struct ovsdb_column **
monitor_default_columns(const struct ovsdb_table_schema *ts, size_t *np)
{
    const struct ovsdb_column **columns =
        xmalloc(ts->n_columns * sizeof *columns);
    size_t n = 0;

    for (size_t i = OVSDB_N_STD_COLUMNS; i < ts->n_columns; i++) {
        columns[n++] = ts->columns[i];
    }
    qsort(columns, n, sizeof *columns, compare_column_names);
    columns[n++] = ts->columns[OVSDB_COL_VERSION];
    *np = n;
    return columns;
}

static json_t *
monitor_select(bool initial, bool insert, bool delete, bool modify)
{
    return json_pack("{s:b, s:b, s:b, s:b}", "initial", initial, "insert",
                     insert, "delete", delete, "modify", modify);
}

static json_t *
monitor_columns_json(const struct ovsdb_column **columns, size_t n)
{
    json_t *names = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(names, json_string(columns[i]->name));
    }
    return names;
}

/* Adds to 'requests' the monitor requests for table 'ts' with the column
 * groups in 'groups' ("a,b,!initial"), filling in 'mt'. */
static void
monitor_add_table(const struct monitor *m, const char *db,
                  const struct ovsdb_table_schema *ts, char **groups,
                  size_t n_groups, const json_t *where,
                  struct monitored_table *mt, json_t *requests)
{
    json_t *table_requests = json_array();

    mt->ts = ts;
    if (!n_groups) {
        mt->columns = monitor_default_columns(ts, &mt->n_columns);
        json_t *request =
            json_pack("{s:o, s:o}", "columns",
                      monitor_columns_json(mt->columns, mt->n_columns),
                      "select", monitor_select(true, true, true, true));
        if (where) {
            json_object_set(request, "where", (json_t *) where);
        }
        json_array_append_new(table_requests, request);
    } else {
        struct sset seen = SSET_INITIALIZER(&seen);

        mt->columns = xmalloc(ts->n_columns * sizeof *mt->columns);
        mt->n_columns = 0;
        for (size_t g = 0; g < n_groups; g++) {
            bool initial = true, insert = true, delete = true, modify = true;
            size_t first = mt->n_columns;
            char *save_ptr = NULL;
            char *copy = xstrdup(groups[g]);

            for (char *name = strtok_r(copy, ",", &save_ptr); name;
                 name = strtok_r(NULL, ",", &save_ptr)) {
                if (!strcmp(name, "!initial")) {
                    initial = false;
                } else if (!strcmp(name, "!insert")) {
                    insert = false;
                } else if (!strcmp(name, "!delete")) {
                    delete = false;
                } else if (!strcmp(name, "!modify")) {
                    modify = false;
                } else {
                    const struct ovsdb_column *column =
                        ovsdb_table_schema_get_column(ts, name);
                    if (!column) {
                        ovs_fatal(0,
                                  "%s: table \"%s\" in %s does not have a "
                                  "column named \"%s\"",
                                  m->server, ts->name, db, name);
                    }
                    if (!sset_add(&seen, name)) {
                        ovs_fatal(0,
                                  "%s: column \"%s\" mentioned multiple "
                                  "times",
                                  m->server, name);
                    }
                    mt->columns[mt->n_columns++] = column;
                }
            }
            free(copy);

            json_t *request = json_pack(
                "{s:o, s:o}", "columns",
                monitor_columns_json(&mt->columns[first],
                                     mt->n_columns - first),
                "select", monitor_select(initial, insert, delete, modify));
            if (where) {
                json_object_set(request, "where", (json_t *) where);
            }
            json_array_append_new(table_requests, request);
        }
        sset_destroy(&seen);
    }
    json_object_set_new(requests, ts->name, table_requests);
}

/* Parses a datum that a monitor update carries for 'column'.  The diffs
 * of "modify" in update2 may hold more or fewer elements than the column
 * allows, so composite columns are read as unlimited sets or maps. */
static void
monitor_parse_datum(const struct ovsdb_column *column, const json_t *json,
                    bool is_diff, struct ovsdb_datum *datum,
                    struct ovsdb_type *type)
{
    struct ovsdb_error *error;

    ovsdb_type_clone(type, &column->type);
    if (is_diff && !ovsdb_type_is_scalar(type)) {
        type->n_min = 0;
        type->n_max = OVSDB_TYPE_UNLIMITED;
    }
    error = ovsdb_datum_from_json(datum, type, json, NULL);
    if (error) {
        ovs_fatal(0, "%s", ovsdb_error_to_string_free(error));
    }
}

/* Adds a row to 't' for the row 'uuid' with 'action', with the values in
 * the JSON object 'row' (NULL for none) of the monitored columns. */
static void
monitor_add_row(struct table *t, const struct monitored_table *mt,
                const char *uuid, const char *action, const json_t *row,
                bool is_diff)
{
    table_add_row(t);
    table_cell_set_text(table_add_cell(t, 0), xstrdup(uuid));
    table_cell_set_text(table_add_cell(t, 1), xstrdup(action));
    for (size_t c = 0; c < mt->n_columns; c++) {
        const json_t *value =
            row ? json_object_get(row, mt->columns[c]->name) : NULL;
        if (value) {
            struct ovsdb_datum datum;
            struct ovsdb_type type;

            monitor_parse_datum(mt->columns[c], value, is_diff, &datum, &type);
            ovsdb_cell_set_datum(table_add_cell(t, c + 2), &datum, &type,
                                 &table_style);
            ovsdb_datum_destroy(&datum, &type);
            ovsdb_type_destroy(&type);
        }
    }
}

static void
monitor_print_table(const struct monitor *m, const struct monitored_table *mt,
                    const json_t *table_update, bool initial)
{
    if (!json_is_object(table_update)) {
        ovs_fatal(0, "<table-update> for table %s is not object",
                  mt->ts->name);
    }

    struct table t;
    table_init(&t);
    table_set_timestamp(&t, timestamp);
    if (m->all) {
        table_set_caption(&t, xstrdup(mt->ts->name));
    }
    table_add_column(&t, "row");
    table_add_column(&t, "action");
    for (size_t c = 0; c < mt->n_columns; c++) {
        table_add_column(&t, "%s", mt->columns[c]->name);
    }

    /* Rows come in the order OVS's parser would list the object's
     * members. */
    size_t n = json_object_size(table_update);
    const char **uuids = xmalloc(MAX(n, 1) * sizeof *uuids);
    const char *uuid;
    json_t *row_update;
    size_t i = 0;
    json_object_foreach ((json_t *) table_update, uuid, row_update) {
        uuids[i++] = uuid;
    }
    hash_order_strings(uuids, n);

    for (i = 0; i < n; i++) {
        row_update = json_object_get(table_update, uuids[i]);
        if (!json_is_object(row_update)) {
            ovs_fatal(0, "<row-update> is not object");
        }
        if (m->method == MONITOR_V1) {
            const json_t *old = json_object_get(row_update, "old");
            const json_t *new = json_object_get(row_update, "new");
            if (initial) {
                monitor_add_row(&t, mt, uuids[i], "initial", new, false);
            } else if (!old) {
                monitor_add_row(&t, mt, uuids[i], "insert", new, false);
            } else if (!new) {
                monitor_add_row(&t, mt, uuids[i], "delete", old, false);
            } else {
                monitor_add_row(&t, mt, uuids[i], "old", old, false);
                monitor_add_row(&t, mt, "", "new", new, false);
            }
        } else {
            static const char *const actions[] = {"initial", "insert",
                                                  "delete", "modify"};
            for (size_t a = 0; a < ARRAY_SIZE(actions); a++) {
                const json_t *row = json_object_get(row_update, actions[a]);
                if (row) {
                    monitor_add_row(&t, mt, uuids[i], actions[a],
                                    json_is_object(row) ? row : NULL, a == 3);
                }
            }
        }
    }
    free(uuids);

    if (t.n_rows) {
        table_print(&t, &table_style);
    }
    table_destroy(&t);
}

static void
monitor_print(const struct monitor *m, const json_t *table_updates,
              bool initial)
{
    if (!json_is_object(table_updates)) {
        ovs_fatal(0, "<table-updates> is not object");
    }
    for (size_t i = 0; i < m->n_tables; i++) {
        const json_t *table_update =
            json_object_get(table_updates, m->tables[i].ts->name);
        if (table_update) {
            monitor_print_table(m, &m->tables[i], table_update, initial);
        }
    }
}

static void
do_monitor__(int argc, char *argv[], enum monitor_method method,
             const char *command)
{
    int min_args = method == MONITOR_V1 ? 1 : 2;
    struct monitor m = {.method = method};
    struct client_schema cs;
    char *server, *db;

    server = take_server(&argc, &argv, min_args);
    m.server = server;

    daemon_start();

    struct jsonrpc *rpc = open_rpc(server);
    db = take_database(rpc, &argc, &argv, min_args);

    json_t *last_id = NULL;
    if (method == MONITOR_COND_SINCE && argc > 2) {
        struct uuid uuid;
        if (uuid_from_string(&uuid, argv[0])) {
            last_id = json_string(argv[0]);
            argc--;
            argv++;
        }
    }
    if (argc < min_args) {
        invalid_syntax(command);
    }

    /* OVS looks up the table before it parses the condition. */
    const char *condition = NULL;
    if (method != MONITOR_V1) {
        condition = argv[0];
        argc--;
        argv++;
    }

    fetch_schema(rpc, db, &cs);

    const struct ovsdb_table_schema *ts = NULL;
    bool all = method == MONITOR_V1 && !strcmp(argv[0], "ALL");
    if (!all) {
        ts = find_table(&cs, argv[0]);
        if (!ts) {
            /* Only "monitor" names the server in this message. */
            ovs_fatal(0, "%s%s%s does not have a table named \"%s\"",
                      method == MONITOR_V1 ? server : "",
                      method == MONITOR_V1 ? ": " : "", db, argv[0]);
        }
    }

    json_t *where = NULL;
    if (condition) {
        where = parse_json_arg(condition);
        if (!json_is_array(where)) {
            ovs_fatal(0, "CONDITION must be an array");
        }
    }

    json_t *requests = json_object();
    if (all) {
        const struct ovsdb_table_schema **tables =
            ovsdb_schema_sorted_tables(cs.schema);
        m.n_tables = ovsdb_schema_n_tables(cs.schema);
        qsort(tables, m.n_tables, sizeof *tables, compare_table_names);
        m.tables = xcalloc(MAX(m.n_tables, 1), sizeof *m.tables);
        m.all = true;
        for (size_t i = 0; i < m.n_tables; i++) {
            monitor_add_table(&m, db, tables[i], argv + 1, argc - 1, NULL,
                              &m.tables[i], requests);
        }
        free(tables);
    } else {
        m.tables = xcalloc(1, sizeof *m.tables);
        m.n_tables = 1;
        monitor_add_table(&m, db, ts, argv + 1, argc - 1, where, &m.tables[0],
                          requests);
    }

    static const char *const methods[] = {"monitor", "monitor_cond",
                                          "monitor_cond_since"};
    m.id = json_string(db);
    json_t *params = json_pack("[s, O, o]", db, m.id, requests);
    if (method == MONITOR_COND_SINCE) {
        char zero[UUID_LEN + 1];
        struct uuid uuid;
        uuid_zero(&uuid);
        json_array_append_new(
            params,
            last_id ? last_id : json_string(uuid_to_string(&uuid, zero)));
    }

    struct unixctl_server *unixctl;
    if (unixctl_server_create(NULL, &unixctl)) {
        exit(EXIT_FAILURE);
    }
    unixctl_command_register("exit", "", 0, 0, monitor_unixctl_exit, NULL);

    json_t *result = transact_monitor(rpc, methods[method], params);
    const json_t *updates = result;
    if (method == MONITOR_COND_SINCE) {
        if (!json_is_array(result) || json_array_size(result) != 3) {
            ovs_fatal(0, "monitor_cond_since reply is not an array of 3 "
                         "elements");
        }
        updates = json_array_get(result, 2);
    }
    monitor_print(&m, updates, true);
    json_decref(result);
    daemon_complete();

    while (!monitor_exiting) {
        struct jsonrpc_msg *msg;
        int error;

        unixctl_server_run(unixctl);
        error = jsonrpc_recv(rpc, &msg);
        if (error == EAGAIN) {
            jsonrpc_run(rpc);
            jsonrpc_wait(rpc);
            jsonrpc_recv_wait(rpc);
            unixctl_server_wait(unixctl);
            poll_block();
            continue;
        } else if (error) {
            ovs_fatal(error, "%s: receive failed", server);
        }

        if (msg->type == JSONRPC_REQUEST && !strcmp(msg->method, "echo")) {
            jsonrpc_send(
                rpc, jsonrpc_create_reply(json_incref(msg->params), msg->id));
        } else if (msg->type == JSONRPC_NOTIFY && msg->params
                   && json_array_size(msg->params) >= 2
                   && json_equal(json_array_get(msg->params, 0), m.id)) {
            const char *expected = method == MONITOR_V1     ? "update"
                                   : method == MONITOR_COND ? "update2"
                                                            : "update3";
            if (!strcmp(msg->method, expected)) {
                size_t pos = method == MONITOR_COND_SINCE ? 2 : 1;
                monitor_print(&m, json_array_get(msg->params, pos), false);
            }
        }
        jsonrpc_msg_destroy(msg);
    }

    unixctl_server_destroy(unixctl);
    json_decref(where);
    json_decref(m.id);
    for (size_t i = 0; i < m.n_tables; i++) {
        free(m.tables[i].columns);
    }
    free(m.tables);
    client_schema_destroy(&cs);
    jsonrpc_close(rpc);
    free(server);
    free(db);
}

static void
do_monitor(int argc, char *argv[])
{
    do_monitor__(argc, argv, MONITOR_V1, "monitor");
}

static void
do_monitor_cond(int argc, char *argv[])
{
    do_monitor__(argc, argv, MONITOR_COND, "monitor-cond");
}

static void
do_monitor_cond_since(int argc, char *argv[])
{
    do_monitor__(argc, argv, MONITOR_COND_SINCE, "monitor-cond-since");
}

/* Schema conversion. */

static struct ovsdb_schema *
read_schema_file(const char *file_name)
{
    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_file(file_name, &schema);

    if (error) {
        ovs_fatal(0, "%s", ovsdb_error_to_string_free(error));
    }
    return schema;
}

static void
do_convert(int argc, char *argv[])
{
    char *server = take_server(&argc, &argv, 1);
    struct ovsdb_schema *schema = read_schema_file(argv[0]);
    struct jsonrpc *rpc = open_rpc(server);
    json_t *params =
        json_pack("[s, o]", schema->name, ovsdb_schema_to_json(schema));

    json_decref(transact_method(rpc, "convert", params));
    ovsdb_schema_destroy(schema);
    jsonrpc_close(rpc);
    free(server);
}

static void
do_needs_conversion(int argc, char *argv[])
{
    char *server = take_server(&argc, &argv, 1);
    struct ovsdb_schema *schema = read_schema_file(argv[0]);
    struct jsonrpc *rpc = open_rpc(server);
    struct client_schema cs;

    fetch_schema(rpc, schema->name, &cs);
    puts(ovsdb_schema_equal(schema, cs.schema) ? "no" : "yes");
    client_schema_destroy(&cs);
    ovsdb_schema_destroy(schema);
    jsonrpc_close(rpc);
    free(server);
}

/* backup and restore write and read database files, which is the log
 * file layer's business (ovsdb/log.h); until it exists they say so. */
static void
do_backup_restore(int argc, char *argv[], const char *command)
{
    char *server = take_server(&argc, &argv, 0);
    struct jsonrpc *rpc = open_rpc(server);
    char *db = take_database(rpc, &argc, &argv, 0);

    if (argc) {
        invalid_syntax(command);
    }
    free(db);
    jsonrpc_close(rpc);
    free(server);
    ovs_fatal(0, "%s is not yet supported by this ovsdb-client", command);
}

static void
do_backup(int argc, char *argv[])
{
    do_backup_restore(argc, argv, "backup");
}

static void
do_restore(int argc, char *argv[])
{
    do_backup_restore(argc, argv, "restore");
}

/* wait. */

enum wait_state { WAIT_ADDED, WAIT_CONNECTED, WAIT_REMOVED };

/* Returns true once the _Server Database rows in 'rows' (an object from
 * UUIDs to rows, as the monitor keeps them) show 'state' for 'db'. */
static bool
wait_state_reached(const json_t *rows, const char *db, enum wait_state state)
{
    const char *uuid;
    json_t *row;

    json_object_foreach ((json_t *) rows, uuid, row) {
        const char *name = json_string_value(json_object_get(row, "name"));
        if (name && !strcmp(name, db)) {
            if (state == WAIT_ADDED) {
                return true;
            } else if (state == WAIT_CONNECTED) {
                return json_is_true(json_object_get(row, "connected"));
            }
            return false;
        }
    }
    return state == WAIT_REMOVED;
}

/* Applies a monitor_cond update of the _Server Database table to
 * 'rows'. */
static void
wait_apply_update(json_t *rows, const json_t *table_updates)
{
    const json_t *table_update = json_object_get(table_updates, "Database");
    const char *uuid;
    json_t *row_update;

    json_object_foreach ((json_t *) table_update, uuid, row_update) {
        json_t *row;

        if (json_object_get(row_update, "delete")) {
            json_object_del(rows, uuid);
        } else if ((row = json_object_get(row_update, "initial"))
                   || (row = json_object_get(row_update, "insert"))) {
            json_object_set(rows, uuid, row);
        } else if ((row = json_object_get(row_update, "modify"))) {
            json_t *old = json_object_get(rows, uuid);
            if (old) {
                /* Only scalar columns matter here; their diffs are their
                 * new values. */
                json_object_update(old, row);
            }
        }
    }
}

static void
do_wait(int argc, char *argv[])
{
    char *server = take_server(&argc, &argv, 2);
    const char *db = argv[0];
    const char *state_name = argv[1];
    enum wait_state state;

    if (argc != 2) {
        invalid_syntax("wait");
    }
    if (!strcmp(state_name, "added")) {
        state = WAIT_ADDED;
    } else if (!strcmp(state_name, "connected")) {
        state = WAIT_CONNECTED;
    } else if (!strcmp(state_name, "removed")) {
        state = WAIT_REMOVED;
    } else {
        ovs_fatal(0, "%s: unknown state", state_name);
    }

    struct jsonrpc_session *session = jsonrpc_session_open(server, true);
    unsigned int seqno = 0;
    json_t *request_id = NULL;
    json_t *rows = json_object();

    for (;;) {
        jsonrpc_session_run(session);
        if (!jsonrpc_session_is_alive(session)) {
            ovs_fatal(0, "%s: connection failed", server);
        }
        if (seqno != jsonrpc_session_get_seqno(session)
            && jsonrpc_session_is_connected(session)) {
            seqno = jsonrpc_session_get_seqno(session);
            json_object_clear(rows);
            json_t *requests =
                json_pack("{s:[{s:[s, s, s]}]}", "Database", "columns", "name",
                          "connected", "model");
            json_t *params =
                json_pack("[s, s, o]", "_Server", "wait", requests);
            json_decref(request_id);
            jsonrpc_session_send(
                session,
                jsonrpc_create_request("monitor_cond", params, &request_id));
        }

        struct jsonrpc_msg *msg;
        while ((msg = jsonrpc_session_recv(session)) != NULL) {
            bool changed = false;

            if (msg->type == JSONRPC_REPLY && request_id
                && json_equal(msg->id, request_id)) {
                wait_apply_update(rows, msg->result);
                changed = true;
            } else if (msg->type == JSONRPC_ERROR && request_id
                       && json_equal(msg->id, request_id)) {
                ovs_fatal(
                    0, "%s: monitor_cond failed: %s", server,
                    json_to_string_as_ovs_parsed(msg->error, true, false));
            } else if (msg->type == JSONRPC_NOTIFY
                       && !strcmp(msg->method, "update2")
                       && json_array_size(msg->params) == 2) {
                wait_apply_update(rows, json_array_get(msg->params, 1));
                changed = true;
            }
            jsonrpc_msg_destroy(msg);

            if (changed && wait_state_reached(rows, db, state)) {
                json_decref(rows);
                json_decref(request_id);
                jsonrpc_session_close(session);
                free(server);
                return;
            }
        }

        jsonrpc_session_wait(session);
        jsonrpc_session_recv_wait(session);
        poll_block();
    }
}

/* lock, steal, unlock. */

struct lock_state {
    struct jsonrpc *rpc;
    /* Requests sent on behalf of unixctl commands, answered when their
     * replies arrive: parallel arrays of request ids and connections. */
    json_t *pending_ids;
    struct unixctl_conn **pending_conns;
    size_t n_pending, allocated_pending;
    bool exiting;
};

static json_t *
lock_send(struct lock_state *ls, const char *method, const char *lock)
{
    json_t *id;
    int error = jsonrpc_send(
        ls->rpc, jsonrpc_create_request(method, json_pack("[s]", lock), &id));
    if (error) {
        ovs_fatal(error, "%s: send failed", method);
    }
    return id;
}

static void
lock_unixctl_request(struct unixctl_conn *conn, int argc OVS_UNUSED,
                     const char *argv[], void *ls_)
{
    struct lock_state *ls = ls_;
    json_t *id = lock_send(ls, argv[0], argv[1]);

    if (ls->n_pending >= ls->allocated_pending) {
        ls->pending_conns =
            x2nrealloc(ls->pending_conns, &ls->allocated_pending,
                       sizeof *ls->pending_conns);
    }
    ls->pending_conns[ls->n_pending++] = conn;
    json_array_append_new(ls->pending_ids, id);
}

static void
lock_unixctl_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
                  const char *argv[] OVS_UNUSED, void *ls_)
{
    struct lock_state *ls = ls_;
    ls->exiting = true;
    unixctl_command_reply(conn, NULL);
}

/* Answers the unixctl command waiting for the reply 'msg', if any;
 * returns true if there was one. */
static bool
lock_answer_unixctl(struct lock_state *ls, const struct jsonrpc_msg *msg)
{
    for (size_t i = 0; i < ls->n_pending; i++) {
        if (json_equal(json_array_get(ls->pending_ids, i), msg->id)) {
            char *s = json_to_string_as_ovs_parsed(
                msg->type == JSONRPC_REPLY ? msg->result : msg->error, true,
                false);
            if (msg->type == JSONRPC_REPLY) {
                unixctl_command_reply(ls->pending_conns[i], s);
            } else {
                unixctl_command_reply_error(ls->pending_conns[i], s);
            }
            free(s);
            json_array_remove(ls->pending_ids, i);
            memmove(&ls->pending_conns[i], &ls->pending_conns[i + 1],
                    (ls->n_pending - i - 1) * sizeof *ls->pending_conns);
            ls->n_pending--;
            return true;
        }
    }
    return false;
}

static void
do_lock__(int argc, char *argv[], const char *method)
{
    char *server = take_server(&argc, &argv, 1);
    struct lock_state ls = {.pending_ids = json_array()};
    struct unixctl_server *unixctl;
    bool answered = false;

    if (argc != 1) {
        invalid_syntax(method);
    }

    daemon_start();
    ls.rpc = open_rpc(server);
    if (unixctl_server_create(NULL, &unixctl)) {
        exit(EXIT_FAILURE);
    }
    unixctl_command_register("lock", "LOCK", 1, 1, lock_unixctl_request, &ls);
    unixctl_command_register("steal", "LOCK", 1, 1, lock_unixctl_request, &ls);
    unixctl_command_register("unlock", "LOCK", 1, 1, lock_unixctl_request,
                             &ls);
    unixctl_command_register("exit", "", 0, 0, lock_unixctl_exit, &ls);

    json_t *id = lock_send(&ls, method, argv[0]);
    while (!ls.exiting) {
        struct jsonrpc_msg *msg;
        int error;

        unixctl_server_run(unixctl);
        error = jsonrpc_recv(ls.rpc, &msg);
        if (error == EAGAIN) {
            jsonrpc_run(ls.rpc);
            jsonrpc_wait(ls.rpc);
            jsonrpc_recv_wait(ls.rpc);
            unixctl_server_wait(unixctl);
            poll_block();
            continue;
        } else if (error) {
            ovs_fatal(error, "%s: receive failed", server);
        }

        if (msg->type == JSONRPC_REQUEST && !strcmp(msg->method, "echo")) {
            jsonrpc_send(ls.rpc, jsonrpc_create_reply(json_incref(msg->params),
                                                      msg->id));
        } else if ((msg->type == JSONRPC_REPLY || msg->type == JSONRPC_ERROR)
                   && !answered && json_equal(msg->id, id)) {
            answered = true;
            /* OVS shows the result of "lock" and "steal" only: the reply
             * to "unlock" is empty, and an error reply shows nothing. */
            if (msg->type == JSONRPC_REPLY && strcmp(method, "unlock")) {
                print_json(msg->result);
                fflush(stdout);
            }
            daemon_complete();
        } else if (msg->type == JSONRPC_REPLY || msg->type == JSONRPC_ERROR) {
            lock_answer_unixctl(&ls, msg);
        } else if (msg->type == JSONRPC_NOTIFY) {
            printf("%s\n", msg->method);
            print_json(msg->params);
            fflush(stdout);
        }
        jsonrpc_msg_destroy(msg);
    }

    json_decref(id);
    json_decref(ls.pending_ids);
    free(ls.pending_conns);
    unixctl_server_destroy(unixctl);
    jsonrpc_close(ls.rpc);
    free(server);
}

static void
do_lock(int argc, char *argv[])
{
    do_lock__(argc, argv, "lock");
}

static void
do_steal(int argc, char *argv[])
{
    do_lock__(argc, argv, "steal");
}

static void
do_unlock(int argc, char *argv[])
{
    do_lock__(argc, argv, "unlock");
}

static void
do_help(int argc OVS_UNUSED, char *argv[] OVS_UNUSED)
{
    usage();
}

/* The commands, with the number of arguments each accepts, SERVER and
 * DATABASE included. */
static const struct ovsdb_client_command commands[] = {
    {"list-dbs", 0, 1, do_list_dbs},
    {"get-schema", 0, 2, do_get_schema},
    {"get-schema-version", 0, 2, do_get_schema_version},
    {"get-schema-cksum", 0, 2, do_get_schema_cksum},
    {"list-tables", 0, 2, do_list_tables},
    {"list-columns", 0, 3, do_list_columns},
    {"transact", 1, 2, do_transact},
    {"query", 1, 2, do_query},
    {"dump", 0, INT_MAX, do_dump},
    {"monitor", 1, INT_MAX, do_monitor},
    {"monitor-cond", 2, INT_MAX, do_monitor_cond},
    {"monitor-cond-since", 2, INT_MAX, do_monitor_cond_since},
    {"convert", 1, 2, do_convert},
    {"needs-conversion", 1, 2, do_needs_conversion},
    {"backup", 0, 2, do_backup},
    {"restore", 0, 2, do_restore},
    {"wait", 2, 3, do_wait},
    {"lock", 1, 2, do_lock},
    {"steal", 1, 2, do_steal},
    {"unlock", 1, 2, do_unlock},
    {"help", 0, INT_MAX, do_help},
};

static const struct ovsdb_client_command *
ovsdb_client_find_command(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        if (!strcmp(commands[i].name, name)) {
            return &commands[i];
        }
    }
    return NULL;
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    fatal_signal_init();
    parse_options(argc, argv);

    argc -= optind;
    argv += optind;
    if (argc < 1) {
        ovs_fatal(0, "missing command name; use --help for help");
    }

    const struct ovsdb_client_command *command =
        ovsdb_client_find_command(argv[0]);
    if (!command) {
        ovs_fatal(0, "unknown command '%s'; use --help for help", argv[0]);
    }
    int n_args = argc - 1;
    if (n_args < command->min_args || n_args > command->max_args) {
        invalid_syntax(command->name);
    }
    command->handler(n_args, argv + 1);
    return 0;
}

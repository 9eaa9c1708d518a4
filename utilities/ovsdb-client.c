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
#include "utilities/ovsdb-client.h"
#include "ovsdb/ovsdb-cell.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_client);

struct table_style ovsdb_client_table_style = TABLE_STYLE_DEFAULT_INITIALIZER;
bool ovsdb_client_timestamp;
bool ovsdb_client_force;

/* The database commands act on when none is named. */

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
            ovsdb_client_timestamp = true;
            break;
        case OPT_FORCE:
            ovsdb_client_force = true;
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
            TABLE_OPTION_HANDLERS(&ovsdb_client_table_style)
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
           program_name, program_name, ovs_rundir(), OVSDB_CLIENT_DEFAULT_DB);
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
char *
ovsdb_client_take_server(int *argc, char ***argv, int min_args)
{
    if (*argc > min_args && strchr((*argv)[0], ':')) {
        char *server = xstrdup((*argv)[0]);
        (*argc)--;
        (*argv)++;
        return server;
    }
    return default_server();
}

struct jsonrpc *
ovsdb_client_open_rpc(const char *server)
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
json_t *
ovsdb_client_transact(struct jsonrpc *rpc, struct jsonrpc_msg *request)
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

json_t *
ovsdb_client_transact_method(struct jsonrpc *rpc, const char *method,
                             json_t *params)
{
    return ovsdb_client_transact(rpc,
                                 jsonrpc_create_request(method, params, NULL));
}

static void
fetch_dbs(struct jsonrpc *rpc, struct sset *dbs)
{
    json_t *result =
        ovsdb_client_transact_method(rpc, "list_dbs", json_array());

    if (!json_is_array_of_strings(result)) {
        ovs_fatal(0, "list_dbs response is not array of strings");
    }
    for (size_t i = 0; i < json_array_size(result); i++) {
        sset_add(dbs, json_string_value(json_array_get(result, i)));
    }
    json_decref(result);
}

/* Takes the next argument as DATABASE if the command has more arguments
 * than its minimum and the server has a database of that name.
 * Otherwise, like OVS, chooses Open_vSwitch if the server has it, or
 * else the server's only database besides _Server. */
char *
ovsdb_client_take_database(struct jsonrpc *rpc, int *argc, char ***argv,
                           int min_args)
{
    struct sset dbs = SSET_INITIALIZER(&dbs);
    char *db = NULL;

    fetch_dbs(rpc, &dbs);
    if (*argc > min_args && sset_contains(&dbs, (*argv)[0])) {
        db = xstrdup((*argv)[0]);
        (*argc)--;
        (*argv)++;
    } else if (sset_contains(&dbs, OVSDB_CLIENT_DEFAULT_DB)) {
        db = xstrdup(OVSDB_CLIENT_DEFAULT_DB);
    } else {
        sset_find_and_delete(&dbs, "_Server");
        if (sset_count(&dbs) != 1) {
            ovs_fatal(0, "could not find a default database, please "
                         "specify a database name");
        }
        db = sset_pop(&dbs);
    }
    sset_destroy(&dbs);
    return db;
}

void
ovsdb_client_invalid_syntax(const char *command)
{
    ovs_fatal(0, "invalid syntax for '%s' (use --help for help)", command);
}

void
ovsdb_client_fetch_schema(struct jsonrpc *rpc, const char *db,
                          struct ovsdb_client_schema *cs)
{
    json_t *params = json_array();
    struct ovsdb_error *error;

    json_array_append_new(params, json_string(db));
    cs->json = ovsdb_client_transact_method(rpc, "get_schema", params);
    error = ovsdb_schema_from_json(cs->json, &cs->schema);
    if (error) {
        ovs_fatal(0, "%s", ovsdb_error_to_string_free(error));
    }
}

void
ovsdb_client_schema_destroy(struct ovsdb_client_schema *cs)
{
    ovsdb_schema_destroy(cs->schema);
    json_decref(cs->json);
}

/* Returns the names of the members of JSON object 'object' in the order
 * in which OVS iterates the hash table it builds from a schema: its JSON
 * parser inserts them in text order, and the schema parser inserts them,
 * in that iteration order, after 'first' (NULL-terminated), into a second
 * table.  Returns an array of '*n' borrowed names; the caller frees it. */
const char **
ovsdb_client_schema_order(const json_t *object, const char *const *first,
                          size_t *n)
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
schema_tables_json(const struct ovsdb_client_schema *cs)
{
    return json_object_get(cs->json, "tables");
}

static const char **
schema_table_order(const struct ovsdb_client_schema *cs, size_t *n)
{
    return ovsdb_client_schema_order(schema_tables_json(cs), NULL, n);
}

static const char **
schema_column_order(const struct ovsdb_client_schema *cs, const char *table,
                    size_t *n)
{
    static const char *const std_columns[] = {"_uuid", "_version", NULL};
    const json_t *columns = json_object_get(
        json_object_get(schema_tables_json(cs), table), "columns");
    return ovsdb_client_schema_order(columns, std_columns, n);
}

const struct ovsdb_table_schema *
ovsdb_client_find_table(const struct ovsdb_client_schema *cs, const char *name)
{
    return ovsdb_schema_get_table(cs->schema, name);
}

/* Server-level and schema commands. */

static void
do_list_dbs(int argc, char *argv[])
{
    char *server = ovsdb_client_take_server(&argc, &argv, 0);
    struct jsonrpc *rpc = ovsdb_client_open_rpc(server);
    json_t *result =
        ovsdb_client_transact_method(rpc, "list_dbs", json_array());

    if (argc) {
        ovsdb_client_invalid_syntax("list-dbs");
    }

    if (!json_is_array_of_strings(result)) {
        ovs_fatal(0, "list_dbs response is not array of strings");
    }

    size_t n = json_array_size(result);
    const char **names = xmalloc(MAX(n, 1) * sizeof *names);
    for (size_t i = 0; i < n; i++) {
        names[i] = json_string_value(json_array_get(result, i));
    }
    qsort(names, n, sizeof *names, str_compare_ptrs);
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
            struct ovsdb_client_schema *cs)
{
    *serverp = ovsdb_client_take_server(argc, argv, min_args);
    struct jsonrpc *rpc = ovsdb_client_open_rpc(*serverp);
    *dbp = ovsdb_client_take_database(rpc, argc, argv, min_args);
    ovsdb_client_fetch_schema(rpc, *dbp, cs);
    return rpc;
}

/* Frees what open_schema() returned. */
static void
close_schema(struct jsonrpc *rpc, char *server, char *db,
             struct ovsdb_client_schema *cs)
{
    ovsdb_client_schema_destroy(cs);
    jsonrpc_close(rpc);
    free(server);
    free(db);
}

static void
do_get_schema__(int argc, char *argv[], const char *command,
                void (*print)(const struct ovsdb_client_schema *))
{
    struct ovsdb_client_schema cs;
    char *server, *db;
    struct jsonrpc *rpc = open_schema(&argc, &argv, 0, &server, &db, &cs);

    if (argc) {
        ovsdb_client_invalid_syntax(command);
    }
    print(&cs);
    close_schema(rpc, server, db, &cs);
}

static void
print_schema(const struct ovsdb_client_schema *cs)
{
    json_t *json = ovsdb_schema_to_json(cs->schema);
    struct ds s = DS_EMPTY_INITIALIZER;

    json_to_ds(json, true, ovsdb_client_table_style.json_pretty, &s);
    puts(ds_cstr(&s));
    ds_destroy(&s);
    json_decref(json);
}

static void
print_schema_version(const struct ovsdb_client_schema *cs)
{
    printf("%s\n", cs->schema->version);
}

static void
print_schema_cksum(const struct ovsdb_client_schema *cs)
{
    printf("%s\n", cs->schema->cksum);
}

static void
print_tables(const struct ovsdb_client_schema *cs)
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
    table_print(&t, &ovsdb_client_table_style);
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
add_column_rows(struct table *t, const struct ovsdb_client_schema *cs,
                const char *table_name, bool with_table)
{
    const struct ovsdb_table_schema *ts =
        ovsdb_client_find_table(cs, table_name);
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
    struct ovsdb_client_schema cs;
    char *server, *db;
    struct jsonrpc *rpc = open_schema(&argc, &argv, 0, &server, &db, &cs);
    const char *table_name = argc ? argv[0] : NULL;
    struct table t;

    if (argc > 1) {
        ovsdb_client_invalid_syntax("list-columns");
    }

    table_init(&t);
    if (!table_name) {
        table_add_column(&t, "Table");
    }
    table_add_column(&t, "Column");
    table_add_column(&t, "Type");
    if (table_name) {
        if (ovsdb_client_find_table(&cs, table_name)) {
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
    table_print(&t, &ovsdb_client_table_style);
    table_destroy(&t);

    close_schema(rpc, server, db, &cs);
}

/* transact and query. */

json_t *
ovsdb_client_parse_json(const char *arg)
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
    json_t *txn = ovsdb_client_parse_json(arg);

    if (!json_is_array(txn) || !json_array_size(txn)
        || !json_is_string(json_array_get(txn, 0))) {
        ovs_fatal(0, "not a valid OVSDB query");
    }
    return txn;
}

static void
print_json(const json_t *json)
{
    char *s = json_to_string_as_ovs_parsed(
        json, true, ovsdb_client_table_style.json_pretty);
    puts(s);
    free(s);
}

static void
do_transact__(int argc, char *argv[], bool read_only)
{
    char *server = ovsdb_client_take_server(&argc, &argv, 1);
    json_t *txn = parse_transaction(argv[0]);
    size_t n_ops = json_array_size(txn);
    struct jsonrpc *rpc;
    json_t *result;

    if (read_only) {
        json_array_append_new(txn, json_pack("{s:s}", "op", "abort"));
    }
    rpc = ovsdb_client_open_rpc(server);
    result = ovsdb_client_transact_method(rpc, "transact", txn);
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

int
ovsdb_client_compare_column_names(const void *a_, const void *b_)
{
    const struct ovsdb_column *const *a = a_;
    const struct ovsdb_column *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

int
ovsdb_client_compare_table_names(const void *a_, const void *b_)
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
    qsort(columns, n, sizeof *columns, ovsdb_client_compare_column_names);
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
                                 &columns[c]->type, &ovsdb_client_table_style);
            ovsdb_datum_destroy(&data[r].values[c], &columns[c]->type);
        }
        free(data[r].values);
    }
    table_print(&t, &ovsdb_client_table_style);
    table_destroy(&t);
    free(data);
}

static void
do_dump(int argc, char *argv[])
{
    struct ovsdb_client_schema cs;
    char *server, *db;
    struct jsonrpc *rpc = open_schema(&argc, &argv, 0, &server, &db, &cs);
    const struct ovsdb_table_schema **tables;
    size_t n_tables;

    if (argc) {
        const struct ovsdb_table_schema *ts =
            ovsdb_client_find_table(&cs, argv[0]);
        if (!ts) {
            ovs_fatal(0, "No table \"%s\" found.", argv[0]);
        }
        tables = xmalloc(sizeof *tables);
        tables[0] = ts;
        n_tables = 1;
    } else {
        tables = ovsdb_schema_sorted_tables(cs.schema);
        n_tables = ovsdb_schema_n_tables(cs.schema);
        qsort(tables, n_tables, sizeof *tables,
              ovsdb_client_compare_table_names);
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

    json_t *result = ovsdb_client_transact_method(rpc, "transact", txn);
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
    close_schema(rpc, server, db, &cs);
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
    char *server = ovsdb_client_take_server(&argc, &argv, 1);
    struct ovsdb_schema *schema = read_schema_file(argv[0]);
    struct jsonrpc *rpc = ovsdb_client_open_rpc(server);
    json_t *params =
        json_pack("[s, o]", schema->name, ovsdb_schema_to_json(schema));

    json_decref(ovsdb_client_transact_method(rpc, "convert", params));
    ovsdb_schema_destroy(schema);
    jsonrpc_close(rpc);
    free(server);
}

static void
do_needs_conversion(int argc, char *argv[])
{
    char *server = ovsdb_client_take_server(&argc, &argv, 1);
    struct ovsdb_schema *schema = read_schema_file(argv[0]);
    struct jsonrpc *rpc = ovsdb_client_open_rpc(server);
    struct ovsdb_client_schema cs;

    ovsdb_client_fetch_schema(rpc, schema->name, &cs);
    puts(ovsdb_schema_equal(schema, cs.schema) ? "no" : "yes");
    ovsdb_client_schema_destroy(&cs);
    ovsdb_schema_destroy(schema);
    jsonrpc_close(rpc);
    free(server);
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
    char *server = ovsdb_client_take_server(&argc, &argv, 2);
    const char *db = argv[0];
    const char *state_name = argv[1];
    enum wait_state state;

    if (argc != 2) {
        ovsdb_client_invalid_syntax("wait");
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
    char *server = ovsdb_client_take_server(&argc, &argv, 1);
    struct lock_state ls = {.pending_ids = json_array()};
    struct unixctl_server *unixctl;
    bool answered = false;

    if (argc != 1) {
        ovsdb_client_invalid_syntax(method);
    }

    daemon_start();
    ls.rpc = ovsdb_client_open_rpc(server);
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
    {"monitor", 1, INT_MAX, ovsdb_client_monitor},
    {"monitor-cond", 2, INT_MAX, ovsdb_client_monitor_cond},
    {"monitor-cond-since", 2, INT_MAX, ovsdb_client_monitor_cond_since},
    {"convert", 1, 2, do_convert},
    {"needs-conversion", 1, 2, do_needs_conversion},
    {"backup", 0, 2, ovsdb_client_backup},
    {"restore", 0, 2, ovsdb_client_backup_restore},
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
        ovsdb_client_invalid_syntax(command->name);
    }
    command->handler(n_args, argv + 1);
    return 0;
}

/* ovsdb-client's modules: the common parts in ovsdb-client.c (options,
 * connecting, choosing the database, fetching the schema) and the
 * commands that live in their own files.
 *
 * Every function here that fails prints "ovsdb-client: <message>" and
 * exits with status 1, as OVS's ovsdb-client does, so callers need not
 * check for errors. */
#ifndef UTILITIES_OVSDB_CLIENT_H
#define UTILITIES_OVSDB_CLIENT_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>

#include "lib/table.h"

struct jsonrpc;
struct jsonrpc_msg;
struct ovsdb_schema;
struct ovsdb_table_schema;

/* Options (ovsdb-client.c). */
extern struct table_style ovsdb_client_table_style; /* --format etc. */
extern bool ovsdb_client_timestamp; /* --timestamp for monitors. */
extern bool ovsdb_client_force;     /* --force for restore. */

/* The database commands act on when none is named and the server has
 * it. */
#define OVSDB_CLIENT_DEFAULT_DB "Open_vSwitch"

/* Connecting (ovsdb-client.c). */

/* Takes the first argument as SERVER if the command has more than
 * 'min_args' arguments and it looks like a connection name; otherwise
 * returns the default server.  The caller frees the result. */
char *ovsdb_client_take_server(int *argc, char ***argv, int min_args);

/* Connects to (or, for a passive name, waits for a connection from)
 * 'server'. */
struct jsonrpc *ovsdb_client_open_rpc(const char *server);

/* Sends 'request' (taken) and returns the result of the reply, which the
 * caller owns. */
json_t *ovsdb_client_transact(struct jsonrpc *, struct jsonrpc_msg *request);
json_t *ovsdb_client_transact_method(struct jsonrpc *, const char *method,
                                     json_t *params);

/* Takes the next argument as DATABASE if the command has more than
 * 'min_args' arguments and the server has a database of that name;
 * otherwise chooses the default database as OVS does.  The caller frees
 * the result. */
char *ovsdb_client_take_database(struct jsonrpc *, int *argc, char ***argv,
                                 int min_args);

noreturn void ovsdb_client_invalid_syntax(const char *command);

/* Parses the command-line argument 'arg' as JSON. */
json_t *ovsdb_client_parse_json(const char *arg);

/* Schemas (ovsdb-client.c). */

/* A database's schema as ovsdb-client uses it: parsed, and in the JSON
 * the server sent, whose member order decides the order in which OVS
 * lists tables and columns. */
struct ovsdb_client_schema {
    struct ovsdb_schema *schema;
    json_t *json;
};

void ovsdb_client_fetch_schema(struct jsonrpc *, const char *db,
                               struct ovsdb_client_schema *);
void ovsdb_client_schema_destroy(struct ovsdb_client_schema *);
const struct ovsdb_table_schema *
ovsdb_client_find_table(const struct ovsdb_client_schema *, const char *name);

/* Returns the member names of JSON object 'object' in the order OVS's
 * hash table lists them, after inserting 'first' (NULL-terminated, may
 * be NULL) and then the members.  Returns an array of '*n' borrowed
 * names that the caller frees. */
const char **ovsdb_client_schema_order(const json_t *object,
                                       const char *const *first, size_t *n);

/* qsort() comparators for arrays of column and of table schema
 * pointers, by name. */
int ovsdb_client_compare_column_names(const void *, const void *);
int ovsdb_client_compare_table_names(const void *, const void *);

/* monitor, monitor-cond, monitor-cond-since (ovsdb-client-monitor.c). */
void ovsdb_client_monitor(int argc, char *argv[]);
void ovsdb_client_monitor_cond(int argc, char *argv[]);
void ovsdb_client_monitor_cond_since(int argc, char *argv[]);

/* backup and restore (ovsdb-client-backup.c). */
void ovsdb_client_backup(int argc, char *argv[]);
void ovsdb_client_backup_restore(int argc, char *argv[]);

#endif /* utilities/ovsdb-client.h */

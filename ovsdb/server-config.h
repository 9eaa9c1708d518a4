/* The parts of ovsdb-server's configuration that may live in the databases
 * it serves, named on the command line as "db:DB,TABLE,COLUMN"
 * (ovsdb-server(1)):
 *
 *   - remotes: "--remote=db:Open_vSwitch,Open_vSwitch,manager_options"
 *     takes connection methods from a column of strings, or from the rows
 *     that a column of references points to (their "target",
 *     "max_backoff", "inactivity_probe", "read_only" and
 *     other_config:dscp), and writes each such row's "is_connected" and
 *     "status" back;
 *
 *   - SSL files: "--private-key=db:Open_vSwitch,SSL,private_key" takes
 *     the first nonempty string of a column of strings.
 *
 * The functions here only read and change the in-memory databases; the
 * server decides when to call them and commits what they change. */
#ifndef OVSDB_SERVER_CONFIG_H
#define OVSDB_SERVER_CONFIG_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/sset.h"
#include "ovsdb/jsonrpc-server.h"

struct ds;
struct ovsdb;
struct ovsdb_txn;

/* Returns the database called 'name' that the server serves, or NULL. */
typedef struct ovsdb *server_config_find_db_func(const char *name, void *aux);

/* Returns true if 'value' is a "db:" reference rather than a literal. */
bool server_config_is_ref(const char *value);

/* Checks the reference "db:DB,TABLE,COLUMN" in 'ref' against the served
 * databases.  With 'strings_only', the column must hold a string or a
 * set of strings.  Returns NULL if it is valid, otherwise a malloc'd
 * message in OVS's words, e.g. "\"db:x\": invalid syntax" or
 * "\"db:A,B,c\": table \"B\" has no column \"c\"". */
char *server_config_check_ref(const char *ref, bool strings_only,
                              server_config_find_db_func *, void *aux);

/* A list of remotes to configure, without duplicates (the first of two
 * remotes with the same name wins).  Names are copied. */
struct server_config_remotes {
    struct ovsdb_jsonrpc_remote_config *configs;
    size_t n;
    size_t allocated;
    struct sset names; /* Owns the names that 'configs' point to. */
};

void server_config_remotes_init(struct server_config_remotes *);
void server_config_remotes_destroy(struct server_config_remotes *);

/* Adds remote 'name' with 'options', or with the defaults for it if
 * 'options' is NULL. */
void server_config_remotes_add(struct server_config_remotes *,
                               const char *name,
                               const struct ovsdb_jsonrpc_options *options);

/* Adds the remotes that the reference 'ref' currently names.  A reference
 * to a database, table or column that does not exist (e.g. a database
 * removed since) or to a column of another type yields nothing. */
void server_config_remotes_query(struct server_config_remotes *,
                                 const char *ref, server_config_find_db_func *,
                                 void *aux);

/* Resolves 'value' of an SSL option: a file name as it is, or for a "db:"
 * reference the first nonempty string found in the column.  Returns NULL
 * if a reference finds nothing or does not resolve (then, if 'errors' is
 * nonnull, a message is appended to it). */
const char *server_config_query_string(const char *value,
                                       server_config_find_db_func *, void *aux,
                                       struct ds *errors);

/* Status reporting. */

/* Stores in '*db_namep' the name of the database that reference 'ref'
 * names (malloc'd) and returns true, or returns false if 'ref' is not a
 * well-formed "db:DB,TABLE,COLUMN". */
bool server_config_ref_db_name(const char *ref, char **db_namep);

/* If 'ref' names a column of references, adds to 'txn' (open, on the
 * database that 'ref' names) the "is_connected" and "status" of each
 * referenced row whose remote exists in 'server', as OVS reports them
 * (status keys "state", "sec_since_connect", "sec_since_disconnect",
 * "last_error", "locks_held", "locks_waiting", "locks_lost",
 * "n_connections", "bound_port").  Rows whose values would not change
 * are left alone, so that an idle server writes nothing. */
void server_config_update_status(const char *ref, struct ovsdb_txn *txn,
                                 const struct ovsdb_jsonrpc_server *server);

#endif /* ovsdb/server-config.h */

/* unixctl: the control channel of every daemon, which ovs-appctl talks to.
 *
 * A daemon listens on a Unix socket ($OVS_RUNDIR/<program>.<pid>.ctl by
 * default) for JSON-RPC requests whose method is a command name and whose
 * params are the command's arguments, all strings; the reply's result is
 * the command's output text, or its error is an error text.  The protocol
 * is OVS's, so OVS's ovs-appctl drives Turnout daemons and the other way
 * round.
 *
 * Commands are process-wide: any module registers its own with
 * unixctl_command_register(), before or after the server exists. */
#ifndef LIB_UNIXCTL_H
#define LIB_UNIXCTL_H 1

#include <stdbool.h>

struct jsonrpc;
struct unixctl_conn;
struct unixctl_server;

/* A command's handler.  argv[0] is the command's name and argv[1...]
 * its 'argc - 1' arguments, whose number unixctl has already checked
 * against the registered bounds.  The handler must eventually call
 * unixctl_command_reply() or unixctl_command_reply_error() on 'conn',
 * exactly once, either before it returns or later (a deferred reply);
 * the strings in 'argv' last only until it returns. */
typedef void unixctl_cb_func(struct unixctl_conn *conn, int argc,
                             const char *argv[], void *aux);

/* Registers command 'name' taking between 'min_args' and 'max_args'
 * arguments (use INT_MAX for "no limit"), with 'usage' shown by
 * "list-commands" (for example "[module]..." or ""; NULL hides the
 * command from the list).  Registering a name again replaces the old
 * command. */
void unixctl_command_register(const char *name, const char *usage,
                              int min_args, int max_args, unixctl_cb_func *cb,
                              void *aux);

/* Replies to the request on 'conn' with output 'body' (NULL means empty)
 * or with error text 'error'.  A nonempty text without a final new-line
 * gets one, as in OVS. */
void unixctl_command_reply(struct unixctl_conn *conn, const char *body);
void unixctl_command_reply_error(struct unixctl_conn *conn, const char *error);

/* Server. */

/* Creates a server listening on 'path': NULL means the default,
 * $OVS_RUNDIR/<program>.<pid>.ctl; "none" means no server (stores NULL
 * and returns 0); a relative name is taken relative to $OVS_RUNDIR.
 * Also registers the built-in commands "list-commands" and "version",
 * and those of vlog, coverage and memory.  Returns 0 or an errno value
 * (having logged why). */
int unixctl_server_create(const char *path, struct unixctl_server **);

/* Accepts connections and runs the commands they request. */
void unixctl_server_run(struct unixctl_server *);
void unixctl_server_wait(struct unixctl_server *);

/* Closes the server, its connections (replies still pending are lost)
 * and its socket file.  NULL is a no-op. */
void unixctl_server_destroy(struct unixctl_server *);

/* Returns the socket file name the server listens on. */
const char *unixctl_server_get_path(const struct unixctl_server *);

/* Client. */

/* Connects to the server listening on 'path'.  Returns 0 and stores the
 * connection in '*client', or an errno value (logging a warning) and
 * stores NULL. */
int unixctl_client_create(const char *path, struct jsonrpc **client);

/* Runs 'command' with the 'argc' arguments in 'argv' on 'client' and
 * waits for the answer.  Returns 0 if the server answered: then exactly
 * one of '*result' (success) and '*err' (the command failed) is a
 * malloc'd string and the other NULL.  Returns an errno value if the
 * transaction itself failed (connection lost, malformed reply), having
 * logged why. */
int unixctl_client_transact(struct jsonrpc *client, const char *command,
                            int argc, char *argv[], char **result, char **err);

#endif /* lib/unixctl.h */

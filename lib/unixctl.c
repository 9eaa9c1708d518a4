#include "lib/unixctl.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/coverage.h"
#include "lib/dirs.h"
#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/hmap.h"
#include "lib/json.h"
#include "lib/jsonrpc.h"
#include "lib/list.h"
#include "lib/memory.h"
#include "lib/stream.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(unixctl);

COVERAGE_DEFINE(unixctl_received);
COVERAGE_DEFINE(unixctl_replied);

struct unixctl_command {
    struct hmap_node hmap_node; /* In 'commands', by hash of 'name'. */
    char *name;
    char *usage; /* NULL: not listed. */
    int min_args, max_args;
    unixctl_cb_func *cb;
    void *aux;
};

/* A client connection.  While a request is being handled (possibly with a
 * deferred reply), 'request_id' holds its id and no further request is
 * read from the connection, so replies go out in order. */
struct unixctl_conn {
    struct list node; /* In struct unixctl_server's 'conns'. */
    struct jsonrpc *rpc;
    json_t *request_id; /* Request awaiting a reply, or NULL. */
    bool dead;          /* Failed; destroy once replied. */
};

struct unixctl_server {
    struct pstream *listener;
    struct list conns;
    char *path; /* Absolute socket file name. */
};

static struct hmap commands = HMAP_INITIALIZER(&commands);

static struct unixctl_command *
find_command(const char *name)
{
    struct unixctl_command *command;
    HMAP_FOR_EACH_WITH_HASH (command, hmap_node, hash_string(name, 0),
                             &commands) {
        if (!strcmp(command->name, name)) {
            return command;
        }
    }
    return NULL;
}

void
unixctl_command_register(const char *name, const char *usage, int min_args,
                         int max_args, unixctl_cb_func *cb, void *aux)
{
    ovs_assert(min_args >= 0 && max_args >= min_args);

    struct unixctl_command *command = find_command(name);
    if (!command) {
        command = xzalloc(sizeof *command);
        command->name = xstrdup(name);
        hmap_insert(&commands, &command->hmap_node, hash_string(name, 0));
    }
    free(command->usage);
    command->usage = nullable_xstrdup(usage);
    command->min_args = min_args;
    command->max_args = max_args;
    command->cb = cb;
    command->aux = aux;
}

static int
compare_commands(const void *a_, const void *b_)
{
    const struct unixctl_command *const *a = a_;
    const struct unixctl_command *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static void
unixctl_list_commands(struct unixctl_conn *conn, int argc OVS_UNUSED,
                      const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    size_t n = 0;
    struct unixctl_command **list =
        xmalloc(hmap_count(&commands) * sizeof *list);
    struct unixctl_command *command;
    HMAP_FOR_EACH (command, hmap_node, &commands) {
        if (command->usage) {
            list[n++] = command;
        }
    }
    if (n) {
        qsort(list, n, sizeof *list, compare_commands);
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&s, "The available commands are:\n");
    for (size_t i = 0; i < n; i++) {
        ds_put_format(&s, "  %-23s %s\n", list[i]->name, list[i]->usage);
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
    free(list);
}

static void
unixctl_version(struct unixctl_conn *conn, int argc OVS_UNUSED,
                const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    /* The same text as print_program_version(), whose first line scripts
     * parse. */
    char *version =
        xasprintf("%s (Open vSwitch) %s\nTurnout %s\n", program_name,
                  OVS_COMPAT_VERSION, TURNOUT_VERSION);
    unixctl_command_reply(conn, version);
    free(version);
}

/* Replies. */

static void
send_reply(struct unixctl_conn *conn, bool success, const char *text)
{
    if (!conn->request_id) {
        VLOG_WARN("reply to a connection with no request pending");
        return;
    }
    COVERAGE_INC(unixctl_replied);

    struct ds body = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&body, text ? text : "");
    if (body.length && body.string[body.length - 1] != '\n') {
        ds_put_char(&body, '\n');
    }

    if (VLOG_IS_DBG_ENABLED()) {
        char *id = json_to_string_compact(conn->request_id, false);
        json_t *quoted = json_string(ds_cstr(&body));
        char *quoted_s = json_to_string_compact(quoted, false);
        VLOG_DBG("replying with %s, id=%s: %s", success ? "success" : "error",
                 id, quoted_s);
        free(quoted_s);
        json_decref(quoted);
        free(id);
    }

    json_t *text_json = json_string(ds_cstr(&body));
    struct jsonrpc_msg *reply =
        (success ? jsonrpc_create_reply(text_json, conn->request_id)
                 : jsonrpc_create_error(text_json, conn->request_id));
    json_decref(conn->request_id);
    conn->request_id = NULL;
    ds_destroy(&body);

    if (conn->dead) {
        jsonrpc_msg_destroy(reply);
    } else {
        jsonrpc_send(conn->rpc, reply);
    }
}

void
unixctl_command_reply(struct unixctl_conn *conn, const char *body)
{
    send_reply(conn, true, body);
}

void
unixctl_command_reply_error(struct unixctl_conn *conn, const char *error)
{
    send_reply(conn, false, error);
}

/* Server. */

static void
process_request(struct unixctl_conn *conn, struct jsonrpc_msg *request)
{
    COVERAGE_INC(unixctl_received);
    conn->request_id = json_incref(request->id);

    if (VLOG_IS_DBG_ENABLED()) {
        char *params = json_to_string_compact(request->params, false);
        char *id = json_to_string_compact(request->id, false);
        VLOG_DBG("received request %s%s, id=%s", request->method, params, id);
        free(id);
        free(params);
    }

    size_t n_args = json_array_size(request->params);
    struct unixctl_command *command = find_command(request->method);
    char *error = NULL;
    if (!command) {
        error = xasprintf("\"%s\" is not a valid command (use "
                          "\"list-commands\" to see a list of valid "
                          "commands)",
                          request->method);
    } else if (n_args < (size_t) command->min_args) {
        error = xasprintf("\"%s\" command requires at least %d arguments",
                          request->method, command->min_args);
    } else if (n_args > (size_t) command->max_args) {
        error = xasprintf("\"%s\" command takes at most %d arguments",
                          request->method, command->max_args);
    } else if (!json_is_array_of_strings(request->params)) {
        error = xasprintf("\"%s\" command has non-string argument",
                          request->method);
    }
    if (error) {
        unixctl_command_reply_error(conn, error);
        free(error);
        return;
    }

    const char **argv = xmalloc((n_args + 2) * sizeof *argv);
    argv[0] = request->method;
    for (size_t i = 0; i < n_args; i++) {
        argv[i + 1] = json_string_value(json_array_get(request->params, i));
    }
    argv[n_args + 1] = NULL;
    command->cb(conn, n_args + 1, argv, command->aux);
    free(argv);
}

static void
conn_destroy(struct unixctl_conn *conn)
{
    list_remove(&conn->node);
    jsonrpc_close(conn->rpc);
    json_decref(conn->request_id);
    free(conn);
}

/* Runs 'conn'; returns 0 or an error that means it must go. */
static int
run_connection(struct unixctl_conn *conn)
{
    jsonrpc_run(conn->rpc);
    int error = jsonrpc_get_status(conn->rpc);
    if (error || jsonrpc_get_backlog(conn->rpc)) {
        return error;
    }

    /* A few requests per call, so one busy client cannot starve the
     * daemon's other work. */
    for (int i = 0; i < 10 && !conn->request_id; i++) {
        struct jsonrpc_msg *msg;
        error = jsonrpc_recv(conn->rpc, &msg);
        if (error) {
            return error == EAGAIN ? 0 : error;
        }
        if (msg->type == JSONRPC_REQUEST) {
            process_request(conn, msg);
        } else {
            VLOG_WARN("%s: received unexpected %s message",
                      jsonrpc_get_name(conn->rpc),
                      jsonrpc_msg_type_to_string(msg->type));
            error = EINVAL;
        }
        jsonrpc_msg_destroy(msg);
        if (error) {
            return error;
        }
        jsonrpc_run(conn->rpc);
        error = jsonrpc_get_status(conn->rpc);
        if (error) {
            return error;
        }
    }
    return 0;
}

int
unixctl_server_create(const char *path, struct unixctl_server **serverp)
{
    *serverp = NULL;
    if (path && !strcmp(path, "none")) {
        return 0;
    }

    vlog_init();
    coverage_init();
    memory_init();
    unixctl_command_register("list-commands", "", 0, 0, unixctl_list_commands,
                             NULL);
    unixctl_command_register("version", "", 0, 0, unixctl_version, NULL);

    char *abs_path = (path ? abs_file_name(ovs_rundir(), path)
                           : xasprintf("%s/%s.%ld.ctl", ovs_rundir(),
                                       program_name, (long) getpid()));
    char *name = xasprintf("punix:%s", abs_path);
    struct pstream *listener;
    int error = pstream_open(name, &listener, 0);
    free(name);
    if (error) {
        ovs_error(error, "%s: could not initialize control socket", abs_path);
        free(abs_path);
        return error;
    }

    struct unixctl_server *server = xmalloc(sizeof *server);
    server->listener = listener;
    list_init(&server->conns);
    server->path = abs_path;
    *serverp = server;
    return 0;
}

void
unixctl_server_run(struct unixctl_server *server)
{
    if (!server) {
        return;
    }

    for (int i = 0; i < 10 && !pstream_accept_is_idle(server->listener); i++) {
        struct stream *stream;
        int error = pstream_accept(server->listener, &stream);
        if (error == EAGAIN) {
            break;
        } else if (error) {
            VLOG_WARN("%s: accept failed: %s",
                      pstream_get_name(server->listener), ovs_strerror(error));
            break;
        }
        struct unixctl_conn *conn = xzalloc(sizeof *conn);
        conn->rpc = jsonrpc_open(stream);
        list_push_back(&server->conns, &conn->node);
    }

    struct unixctl_conn *conn, *next;
    LIST_FOR_EACH_SAFE (conn, next, node, &server->conns) {
        if (conn->dead) {
            continue;
        }
        if (run_connection(conn)) {
            if (conn->request_id) {
                /* A handler will still reply; free 'conn' then. */
                conn->dead = true;
            } else {
                conn_destroy(conn);
            }
        }
    }

    /* Reap connections whose deferred reply arrived after they died. */
    LIST_FOR_EACH_SAFE (conn, next, node, &server->conns) {
        if (conn->dead && !conn->request_id) {
            conn_destroy(conn);
        }
    }
}

void
unixctl_server_wait(struct unixctl_server *server)
{
    if (!server) {
        return;
    }

    pstream_wait(server->listener);
    struct unixctl_conn *conn;
    LIST_FOR_EACH (conn, node, &server->conns) {
        if (conn->dead) {
            continue;
        }
        jsonrpc_wait(conn->rpc);
        if (!conn->request_id && !jsonrpc_get_backlog(conn->rpc)) {
            jsonrpc_recv_wait(conn->rpc);
        }
    }
}

void
unixctl_server_destroy(struct unixctl_server *server)
{
    if (!server) {
        return;
    }

    struct unixctl_conn *conn, *next;
    LIST_FOR_EACH_SAFE (conn, next, node, &server->conns) {
        conn_destroy(conn);
    }
    pstream_close(server->listener);
    free(server->path);
    free(server);
}

const char *
unixctl_server_get_path(const struct unixctl_server *server)
{
    return server ? server->path : NULL;
}

/* Client. */

int
unixctl_client_create(const char *path, struct jsonrpc **client)
{
    char *name = xasprintf("unix:%s", path);
    struct stream *stream;
    int error = stream_open_block(stream_open(name, &stream, DSCP_DEFAULT), -1,
                                  &stream);
    free(name);
    if (error) {
        VLOG_WARN("failed to connect to %s", path);
        *client = NULL;
        return error;
    }
    *client = jsonrpc_open(stream);
    return 0;
}

/* OVS calls both kinds of JSON number "number" in these messages. */
static const char *
reply_type_name(const json_t *json)
{
    return json_is_number(json) ? "number" : json_type_name(json);
}

int
unixctl_client_transact(struct jsonrpc *client, const char *command, int argc,
                        char *argv[], char **result, char **err)
{
    *result = NULL;
    *err = NULL;

    json_t *params = json_array();
    for (int i = 0; i < argc; i++) {
        json_array_append_new(params, json_string(argv[i]));
    }
    struct jsonrpc_msg *request =
        jsonrpc_create_request(command, params, NULL);
    struct jsonrpc_msg *reply;
    int error = jsonrpc_transact_block(client, request, &reply);
    if (error) {
        VLOG_WARN("error communicating with %s: %s", jsonrpc_get_name(client),
                  ovs_retval_to_string(error));
        return error;
    }

    if (reply->error) {
        if (json_is_string(reply->error)) {
            *err = xstrdup(json_string_value(reply->error));
        } else {
            VLOG_WARN("%s: unexpected error type in JSON RPC reply: %s",
                      jsonrpc_get_name(client), reply_type_name(reply->error));
            error = EINVAL;
        }
    } else if (reply->result) {
        if (json_is_string(reply->result)) {
            *result = xstrdup(json_string_value(reply->result));
        } else {
            VLOG_WARN("%s: unexpected result type in JSON rpc reply: %s",
                      jsonrpc_get_name(client),
                      reply_type_name(reply->result));
            error = EINVAL;
        }
    }
    jsonrpc_msg_destroy(reply);
    return error;
}

/* test-session: reconnecting JSON-RPC sessions (lib/jsonrpc-session) and
 * SSL streams, for tests/test_reconnect.py and tests/test_ssl.py.
 *
 *   test-session [OPTIONS] client REMOTE [METHOD PARAMS]
 *       Keeps a session open to REMOTE.  Prints "connected peer=ID" (ID is
 *       the peer's certificate name, or "-") each time a connection is
 *       established and "disconnected" each time it is lost; after each
 *       connection sends request METHOD with PARAMS (a JSON array) and
 *       prints "reply: JSON" or "error: JSON".  Other messages received
 *       are printed as "received: MESSAGE".  Connection state changes are
 *       logged by the reconnect module (use --log-file).
 *
 *   test-session [OPTIONS] server PASSIVE
 *       Listens on PASSIVE, prints "listening on NAME", and serves every
 *       connection with its own session: a request is answered with its
 *       params as the result, except "peer-id", answered with
 *       [ID] (the peer's certificate name, or null), and "shutdown",
 *       answered with [] before exiting.  Prints "accepted NAME" and
 *       "closed NAME (STATUS)" as connections come and go.
 *
 * Options: --probe-interval=MS (client default 5000 for tcp/ssl; server
 * default 0), --max-backoff=MS, --once (client: exit 0 after the first
 * reply), --no-retry (client: a single connection attempt; exits 1 with
 * "connection failed (ERROR)" when the session dies), --port-file=FILE
 * (server: bound port), --pause-file=FILE (server: while FILE exists,
 * read nothing from clients, so their probes go unanswered), the SSL
 * options and the logging options. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/jsonrpc-session.h"
#include "lib/jsonrpc.h"
#include "lib/poll-loop.h"
#include "lib/stream-ssl.h"
#include "lib/stream.h"
#include "lib/util.h"
#include "lib/vlog.h"
#include "tests/daemon/test-peer.h"

VLOG_DEFINE_THIS_MODULE(test_session);

static int probe_interval = -1; /* -1: the session's default. */
static int max_backoff = -1;    /* -1: the session's default. */
static bool once;
static bool retry = true;
static const char *port_file;
static const char *pause_file;

static noreturn void
usage(void)
{
    printf("%s: JSON-RPC session test utility\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n"
           "  client REMOTE [METHOD PARAMS]  keep a session to REMOTE\n"
           "  server PASSIVE                 serve sessions on PASSIVE\n",
           program_name, program_name);
    stream_usage("JSON-RPC", true, true);
    stream_ssl_usage();
    printf("\nOther options:\n"
           "  --probe-interval=MS     inactivity probe interval\n"
           "  --max-backoff=MS        maximum reconnect backoff\n"
           "  --once                  exit after the first reply\n"
           "  --no-retry              make one connection attempt only\n"
           "  --port-file=FILE        write the bound TCP port to FILE\n"
           "  --pause-file=FILE       stop reading while FILE exists\n"
           "  -h, --help              display this help message\n");
    exit(EXIT_SUCCESS);
}

static int
parse_msec(const char *option, const char *arg)
{
    int value;
    if (!str_to_int(arg, 10, &value) || value < 0) {
        ovs_fatal(0, "--%s: \"%s\" is not a non-negative integer", option,
                  arg);
    }
    return value;
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_PROBE_INTERVAL = UCHAR_MAX + 1,
        OPT_MAX_BACKOFF,
        OPT_ONCE,
        OPT_NO_RETRY,
        OPT_PORT_FILE,
        OPT_PAUSE_FILE,
        VLOG_OPTION_ENUMS,
        STREAM_SSL_OPTION_ENUMS
    };
    static const struct option long_options[] = {
        {"probe-interval", required_argument, NULL, OPT_PROBE_INTERVAL},
        {"max-backoff", required_argument, NULL, OPT_MAX_BACKOFF},
        {"once", no_argument, NULL, OPT_ONCE},
        {"no-retry", no_argument, NULL, OPT_NO_RETRY},
        {"port-file", required_argument, NULL, OPT_PORT_FILE},
        {"pause-file", required_argument, NULL, OPT_PAUSE_FILE},
        {"help", no_argument, NULL, 'h'},
        VLOG_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };

    for (;;) {
        int c = getopt_long(argc, argv, "+hv::p:c:C:", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_PROBE_INTERVAL:
            probe_interval = parse_msec("probe-interval", optarg);
            break;

        case OPT_MAX_BACKOFF:
            max_backoff = parse_msec("max-backoff", optarg);
            break;

        case OPT_ONCE:
            once = true;
            break;

        case OPT_NO_RETRY:
            retry = false;
            break;

        case OPT_PORT_FILE:
            port_file = optarg;
            break;

        case OPT_PAUSE_FILE:
            pause_file = optarg;
            break;

        case 'h':
            usage();

            VLOG_OPTION_HANDLERS
            STREAM_SSL_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);

        default:
            abort();
        }
    }
}

static void
print_json(const char *prefix, const json_t *json)
{
    char *s = json_to_string_compact(json, true);
    test_peer_print("%s%s", prefix, s);
    free(s);
}

static void
do_client(int argc, char *argv[])
{
    if (argc == 3) {
        ovs_fatal(0, "\"client\" needs REMOTE or REMOTE METHOD PARAMS");
    }
    const char *method = argc == 4 ? argv[2] : NULL;
    json_t *params = argc == 4 ? test_peer_parse_params(argv[3]) : NULL;

    struct jsonrpc_session *s = jsonrpc_session_open(argv[1], retry);
    if (probe_interval >= 0) {
        jsonrpc_session_set_probe_interval(s, probe_interval);
    }
    if (max_backoff >= 0) {
        jsonrpc_session_set_max_backoff(s, max_backoff);
    }

    unsigned int seqno = 0;
    json_t *request_id = NULL;
    for (;;) {
        jsonrpc_session_run(s);

        if (jsonrpc_session_get_seqno(s) != seqno) {
            seqno = jsonrpc_session_get_seqno(s);
            json_decref(request_id);
            request_id = NULL;
            if (jsonrpc_session_is_connected(s)) {
                const char *id = jsonrpc_session_get_id(s);
                test_peer_print("connected peer=%s", id ? id : "-");
                if (method) {
                    struct jsonrpc_msg *request = jsonrpc_create_request(
                        method, json_incref(params), &request_id);
                    jsonrpc_session_send(s, request);
                }
            } else {
                test_peer_print("disconnected");
            }
        }

        struct jsonrpc_msg *msg;
        while ((msg = jsonrpc_session_recv(s)) != NULL) {
            bool is_reply =
                ((msg->type == JSONRPC_REPLY || msg->type == JSONRPC_ERROR)
                 && request_id && json_equal(msg->id, request_id));
            if (is_reply) {
                if (msg->type == JSONRPC_REPLY) {
                    print_json("reply: ", msg->result);
                } else {
                    print_json("error: ", msg->error);
                }
                if (once) {
                    jsonrpc_msg_destroy(msg);
                    jsonrpc_session_close(s);
                    exit(EXIT_SUCCESS);
                }
            } else {
                test_peer_print_msg("received: ", msg);
            }
            jsonrpc_msg_destroy(msg);
        }

        if (!jsonrpc_session_is_alive(s)) {
            int error = jsonrpc_session_get_last_error(s);
            test_peer_print("connection failed (%s)",
                            ovs_retval_to_string(error));
            jsonrpc_session_close(s);
            exit(EXIT_FAILURE);
        }

        jsonrpc_session_wait(s);
        jsonrpc_session_recv_wait(s);
        poll_block();
    }
}

/* Serves one request; returns true if the server should exit. */
static bool
serve_request(struct jsonrpc_session *s, struct jsonrpc_msg *msg)
{
    json_t *result;
    bool shutdown = false;

    if (!strcmp(msg->method, "peer-id")) {
        const char *id = jsonrpc_session_get_id(s);
        result = json_pack("[o]", id ? json_string(id) : json_null());
    } else if (!strcmp(msg->method, "shutdown")) {
        result = json_array();
        shutdown = true;
    } else {
        result = json_incref(msg->params);
    }
    jsonrpc_session_send(s, jsonrpc_create_reply(result, msg->id));
    return shutdown;
}

static void
do_server(int argc OVS_UNUSED, char *argv[])
{
    struct pstream *pstream = test_peer_listen(argv[1], port_file);

    struct jsonrpc_session **sessions = NULL;
    size_t n_sessions = 0, allocated = 0;
    bool done = false;
    while (!done) {
        struct stream *stream;
        int error = pstream_accept(pstream, &stream);
        if (!error) {
            struct jsonrpc_session *s = jsonrpc_session_open_unreliably(
                jsonrpc_open(stream), DSCP_DEFAULT);
            jsonrpc_session_set_probe_interval(
                s, probe_interval >= 0 ? probe_interval : 0);
            if (n_sessions >= allocated) {
                sessions = x2nrealloc(sessions, &allocated, sizeof *sessions);
            }
            sessions[n_sessions++] = s;
            test_peer_print("accepted %s", jsonrpc_session_get_name(s));
        } else if (error != EAGAIN) {
            VLOG_WARN("%s: accept failed: %s", pstream_get_name(pstream),
                      ovs_strerror(error));
        }

        bool paused = pause_file && !access(pause_file, F_OK);
        for (size_t i = 0; i < n_sessions;) {
            struct jsonrpc_session *s = sessions[i];
            jsonrpc_session_run(s);

            struct jsonrpc_msg *msg;
            while (!paused && !done
                   && (msg = jsonrpc_session_recv(s)) != NULL) {
                if (msg->type == JSONRPC_REQUEST) {
                    done = serve_request(s, msg);
                } else {
                    test_peer_print_msg("received: ", msg);
                }
                jsonrpc_msg_destroy(msg);
            }

            if (!jsonrpc_session_is_alive(s)) {
                test_peer_print(
                    "closed %s (%s)", jsonrpc_session_get_name(s),
                    ovs_retval_to_string(jsonrpc_session_get_last_error(s)));
                jsonrpc_session_close(s);
                sessions[i] = sessions[--n_sessions];
            } else {
                i++;
            }
        }

        pstream_wait(pstream);
        for (size_t i = 0; i < n_sessions; i++) {
            jsonrpc_session_wait(sessions[i]);
            if (!paused) {
                jsonrpc_session_recv_wait(sessions[i]);
            }
        }
        if (pause_file) {
            /* Notice the pause file coming and going. */
            poll_timer_wait(50);
        }
        if (done) {
            poll_immediate_wake();
        }
        poll_block();
    }

    /* Let the reply to "shutdown" go out. */
    for (size_t i = 0; i < n_sessions; i++) {
        jsonrpc_session_run(sessions[i]);
        struct jsonrpc *rpc = jsonrpc_session_steal(sessions[i]);
        while (rpc && jsonrpc_get_backlog(rpc) && !jsonrpc_get_status(rpc)) {
            jsonrpc_run(rpc);
            jsonrpc_wait(rpc);
            poll_block();
        }
        jsonrpc_close(rpc);
    }
    free(sessions);
    pstream_close(pstream);
}

int
main(int argc, char *argv[])
{
    static const struct test_peer_command commands[] = {
        {"client", 1, 3, do_client},
        {"server", 1, 1, do_server},
    };

    return test_peer_main(argc, argv, parse_options, commands,
                          ARRAY_SIZE(commands));
}

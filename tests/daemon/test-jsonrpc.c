/* test-jsonrpc: a JSON-RPC peer for the integration tests.
 *
 *   test-jsonrpc [OPTIONS] listen PASSIVE
 *       Serves JSON-RPC on PASSIVE (punix:FILE, ptcp:PORT[:HOST]) and
 *       prints "listening on NAME" (NAME carries the bound port for
 *       ptcp:0).  Answers "echo" requests with their params, answers
 *       "shutdown" with an empty result and exits, prints each
 *       notification it receives (as compact JSON, one per line), and
 *       answers any other request with the error
 *           {"error":"unknown method","details":"METHOD"}
 *       Protocol errors are logged and close only the connection that
 *       made them.
 *
 *   test-jsonrpc [OPTIONS] request REMOTE METHOD PARAMS
 *       Sends a request with PARAMS (a JSON array) and prints the reply
 *       or error message as compact JSON.
 *
 *   test-jsonrpc [OPTIONS] notify REMOTE METHOD PARAMS
 *       Sends a notification and exits. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/jsonrpc.h"
#include "lib/poll-loop.h"
#include "lib/stream.h"
#include "lib/util.h"
#include "lib/vlog.h"
#include "tests/daemon/test-peer.h"

VLOG_DEFINE_THIS_MODULE(test_jsonrpc);

/* --port-file: where "listen" writes its bound TCP port. */
static const char *port_file;

/* --max-msg-size: limit on received messages ("listen"). */
static size_t max_msg_size = JSONRPC_MAX_MSG_SIZE;

static noreturn void
usage(void)
{
    printf("%s: JSON-RPC test utility\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n"
           "  listen LOCAL             listen for connections on LOCAL\n"
           "  request REMOTE METHOD PARAMS   send request, print reply\n"
           "  notify REMOTE METHOD PARAMS    send notification and exit\n",
           program_name, program_name);
    stream_usage("JSON-RPC", true, true);
    printf("\nOther options:\n"
           "  --port-file=FILE        write the bound TCP port to FILE\n"
           "  --max-msg-size=BYTES    limit received messages (listen)\n"
           "  -h, --help              display this help message\n");
    exit(EXIT_SUCCESS);
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_PORT_FILE = UCHAR_MAX + 1,
        OPT_MAX_MSG_SIZE,
        VLOG_OPTION_ENUMS
    };
    static const struct option long_options[] = {
        {"port-file", required_argument, NULL, OPT_PORT_FILE},
        {"max-msg-size", required_argument, NULL, OPT_MAX_MSG_SIZE},
        {"help", no_argument, NULL, 'h'},
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };

    for (;;) {
        int c = getopt_long(argc, argv, "+hv::", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_PORT_FILE:
            port_file = optarg;
            break;

        case OPT_MAX_MSG_SIZE: {
            unsigned long long size;
            if (!str_to_ullong(optarg, 10, &size) || !size) {
                ovs_fatal(0,
                          "--max-msg-size: \"%s\" is not a positive "
                          "integer",
                          optarg);
            }
            max_msg_size = size;
            break;
        }

        case 'h':
            usage();

            VLOG_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);

        default:
            abort();
        }
    }
}

/* Handles one received message on 'rpc'.  Returns true if the server
 * should exit. */
static bool
handle_msg(struct jsonrpc *rpc, struct jsonrpc_msg *msg)
{
    switch (msg->type) {
    case JSONRPC_REQUEST:
        if (!strcmp(msg->method, "echo")) {
            jsonrpc_send(
                rpc, jsonrpc_create_reply(json_incref(msg->params), msg->id));
        } else if (!strcmp(msg->method, "shutdown")) {
            jsonrpc_send_block(rpc,
                               jsonrpc_create_reply(json_object(), msg->id));
            return true;
        } else {
            json_t *error = json_pack("{s:s,s:s}", "error", "unknown method",
                                      "details", msg->method);
            jsonrpc_send(rpc, jsonrpc_create_error(error, msg->id));
        }
        break;

    case JSONRPC_NOTIFY:
        test_peer_print_msg("", msg);
        break;

    case JSONRPC_REPLY:
    case JSONRPC_ERROR:
        VLOG_WARN("%s: unexpected %s", jsonrpc_get_name(rpc),
                  jsonrpc_msg_type_to_string(msg->type));
        break;
    }
    return false;
}

static void
do_listen(int argc OVS_UNUSED, char *argv[])
{
    struct pstream *pstream = test_peer_listen(argv[1], port_file);
    struct jsonrpc **rpcs = NULL;
    size_t n_rpcs = 0, allocated_rpcs = 0;
    bool done = false;
    while (!done) {
        struct stream *stream;
        int error = pstream_accept(pstream, &stream);
        if (!error) {
            if (n_rpcs >= allocated_rpcs) {
                rpcs = x2nrealloc(rpcs, &allocated_rpcs, sizeof *rpcs);
            }
            struct jsonrpc *rpc = jsonrpc_open(stream);
            jsonrpc_set_max_msg_size(rpc, max_msg_size);
            rpcs[n_rpcs++] = rpc;
        } else if (error != EAGAIN) {
            ovs_fatal(error, "pstream_accept failed");
        }

        for (size_t i = 0; i < n_rpcs && !done;) {
            struct jsonrpc *rpc = rpcs[i];
            struct jsonrpc_msg *msg;

            jsonrpc_run(rpc);
            error = jsonrpc_recv(rpc, &msg);
            if (!error) {
                done = handle_msg(rpc, msg);
                jsonrpc_msg_destroy(msg);
            }
            error = jsonrpc_get_status(rpc);
            if (error) {
                VLOG_INFO("%s: connection closed (%s)", jsonrpc_get_name(rpc),
                          ovs_retval_to_string(error));
                jsonrpc_close(rpc);
                rpcs[i] = rpcs[--n_rpcs];
            } else {
                i++;
            }
        }

        pstream_wait(pstream);
        for (size_t i = 0; i < n_rpcs; i++) {
            jsonrpc_wait(rpcs[i]);
            jsonrpc_recv_wait(rpcs[i]);
        }
        if (!done) {
            poll_block();
        }
    }

    for (size_t i = 0; i < n_rpcs; i++) {
        jsonrpc_close(rpcs[i]);
    }
    free(rpcs);
    pstream_close(pstream);
}

static struct jsonrpc *
open_remote(const char *remote)
{
    struct stream *stream;
    int error = stream_open_block(stream_open(remote, &stream, DSCP_DEFAULT),
                                  -1, &stream);
    if (error) {
        ovs_fatal(error, "could not open \"%s\"", remote);
    }
    return jsonrpc_open(stream);
}

static void
do_request(int argc OVS_UNUSED, char *argv[])
{
    json_t *params = test_peer_parse_params(argv[3]);
    struct jsonrpc_msg *request =
        jsonrpc_create_request(argv[2], params, NULL);
    struct jsonrpc *rpc = open_remote(argv[1]);
    struct jsonrpc_msg *reply;
    int error = jsonrpc_transact_block(rpc, request, &reply);
    if (error) {
        ovs_fatal(error, "transaction failed");
    }
    test_peer_print_msg("", reply);
    jsonrpc_msg_destroy(reply);
    jsonrpc_close(rpc);
}

static void
do_notify(int argc OVS_UNUSED, char *argv[])
{
    json_t *params = test_peer_parse_params(argv[3]);
    struct jsonrpc_msg *msg = jsonrpc_create_notify(argv[2], params);
    struct jsonrpc *rpc = open_remote(argv[1]);
    int error = jsonrpc_send_block(rpc, msg);
    if (error) {
        ovs_fatal(error, "could not send notification");
    }
    jsonrpc_close(rpc);
}

int
main(int argc, char *argv[])
{
    static const struct test_peer_command commands[] = {
        {"listen", 1, 1, do_listen},
        {"request", 3, 3, do_request},
        {"notify", 3, 3, do_notify},
    };

    return test_peer_main(argc, argv, parse_options, commands,
                          ARRAY_SIZE(commands));
}

/* Pieces shared by the JSON-RPC peer programs; see test-peer.h. */
#include "tests/daemon/test-peer.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fatal-signal.h"
#include "lib/jsonrpc.h"
#include "lib/stream.h"

void
test_peer_print(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    putchar('\n');
    fflush(stdout);
}

void
test_peer_print_msg(const char *prefix, const struct jsonrpc_msg *msg)
{
    char *s = jsonrpc_msg_to_string(msg);
    test_peer_print("%s%s", prefix, s);
    free(s);
}

json_t *
test_peer_parse_params(const char *text)
{
    json_t *params;
    char *error = json_from_string(text, &params);
    if (error) {
        ovs_fatal(0, "\"%s\": %s", text, error);
    }
    if (!json_is_array(params)) {
        ovs_fatal(0, "\"%s\": params must be a JSON array", text);
    }
    return params;
}

static void
write_port_file(const char *port_file, uint16_t port)
{
    char *tmp = xasprintf("%s.tmp", port_file);
    FILE *file = fopen(tmp, "w");
    if (!file || fprintf(file, "%u\n", port) < 0 || fclose(file)) {
        ovs_fatal(errno, "%s: write failed", tmp);
    }
    /* Rename so that a reader never sees a partial file. */
    if (rename(tmp, port_file)) {
        ovs_fatal(errno, "%s: rename failed", port_file);
    }
    free(tmp);
}

struct pstream *
test_peer_listen(const char *name, const char *port_file)
{
    struct pstream *pstream;
    int error = pstream_open(name, &pstream, DSCP_DEFAULT);
    if (error) {
        ovs_fatal(error, "could not listen on \"%s\"", name);
    }
    test_peer_print("listening on %s", pstream_get_name(pstream));
    if (port_file) {
        write_port_file(port_file, pstream_get_bound_port(pstream));
    }
    return pstream;
}

int
test_peer_main(int argc, char *argv[],
               void (*parse_options)(int argc, char *argv[]),
               const struct test_peer_command *commands, size_t n_commands)
{
    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    parse_options(argc, argv);
    argc -= optind;
    argv += optind;

    if (argc < 1) {
        ovs_fatal(0, "missing command name; use --help for help");
    }
    for (size_t i = 0; i < n_commands; i++) {
        const struct test_peer_command *c = &commands[i];
        if (!strcmp(argv[0], c->name)) {
            int n_args = argc - 1;
            if (n_args < c->min_args || n_args > c->max_args) {
                if (c->min_args == c->max_args) {
                    ovs_fatal(0, "'%s' command takes %d arguments, not %d",
                              c->name, c->min_args, n_args);
                }
                ovs_fatal(0, "'%s' command takes %d to %d arguments, not %d",
                          c->name, c->min_args, c->max_args, n_args);
            }
            c->handler(argc, argv);
            return EXIT_SUCCESS;
        }
    }
    ovs_fatal(0, "unknown command '%s'; use --help for help", argv[0]);
}

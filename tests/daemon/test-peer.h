/* Pieces shared by the JSON-RPC peer programs that the pytest suite
 * drives (test-jsonrpc and test-session): printing lines the tests read,
 * parsing request parameters, listening with a port file, and main(). */
#ifndef TESTS_DAEMON_TEST_PEER_H
#define TESTS_DAEMON_TEST_PEER_H 1

#include <stddef.h>

#include "lib/json.h"
#include "lib/util.h"

struct jsonrpc_msg;
struct pstream;

/* Prints a line (the newline is added) and flushes it at once, so that a
 * test polling the output file sees it while the program keeps running. */
void test_peer_print(const char *format, ...) PRINTF_FORMAT(1, 2);

/* Prints 'prefix' followed by 'msg' as compact JSON, as one line. */
void test_peer_print_msg(const char *prefix, const struct jsonrpc_msg *msg);

/* Parses 'text' as the params of a message, a JSON array; exits with an
 * error message if it is not one. */
json_t *test_peer_parse_params(const char *text);

/* Listens on 'name', prints "listening on NAME" (NAME carries the bound
 * port for "ptcp:0") and, if 'port_file' is nonnull, writes the bound TCP
 * port there.  Exits with an error message on failure. */
struct pstream *test_peer_listen(const char *name, const char *port_file);

/* A command of a test program: "NAME ARG...", with 'min_args' to
 * 'max_args' arguments.  The handler gets the command name in argv[0]. */
struct test_peer_command {
    const char *name;
    int min_args;
    int max_args;
    void (*handler)(int argc, char *argv[]);
};

/* The main() of a test program: sets the program name, makes a peer that
 * went away give EPIPE instead of SIGPIPE, parses the options with
 * 'parse_options' (which leaves 'optind' at the first argument that is
 * not an option) and runs the command among the 'n_commands' in
 * 'commands' that the first such argument names, with the arguments that
 * follow it.  Exits with an error message if there is no such command or
 * its arguments do not fit it; otherwise returns the exit status. */
int test_peer_main(int argc, char *argv[],
                   void (*parse_options)(int argc, char *argv[]),
                   const struct test_peer_command *commands,
                   size_t n_commands);

#endif /* tests/daemon/test-peer.h */

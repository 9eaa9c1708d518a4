#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/ds.h"
#include "lib/fatal-signal.h"
#include "lib/jsonrpc.h"
#include "lib/poll-loop.h"
#include "lib/unixctl.h"
#include "lib/util.h"
#include "lib/vlog.h"

static char tmpdir[] = "/tmp/test-unixctl.XXXXXX";
static struct unixctl_server *server;

/* test/defer's connection, answered by the server loop. */
static struct unixctl_conn *deferred_conn;

struct client_call {
    const char *command;
    int argc;
    char **argv;
    int error;
    char *result;
    char *err;
    atomic_bool done;
};

static void *
client_thread(void *call_)
{
    struct client_call *call = call_;
    struct jsonrpc *client;
    call->error =
        unixctl_client_create(unixctl_server_get_path(server), &client);
    if (!call->error) {
        call->error =
            unixctl_client_transact(client, call->command, call->argc,
                                    call->argv, &call->result, &call->err);
        jsonrpc_close(client);
    }
    atomic_store(&call->done, true);
    return NULL;
}

/* Runs 'command' from a client thread while this thread serves it. */
static void
transact(struct client_call *call, const char *command, int argc, char **argv)
{
    memset(call, 0, sizeof *call);
    call->command = command;
    call->argc = argc;
    call->argv = argv;

    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, client_thread, call), 0);
    while (!atomic_load(&call->done)) {
        unixctl_server_run(server);
        if (deferred_conn) {
            unixctl_command_reply(deferred_conn, "deferred answer");
            deferred_conn = NULL;
        }
        unixctl_server_wait(server);
        poll_timer_wait(10);
        poll_block();
    }
    pthread_join(thread, NULL);
    assert_int_equal(call->error, 0);
}

static void
free_call(struct client_call *call)
{
    free(call->result);
    free(call->err);
}

static void
assert_result(const char *command, int argc, char **argv, const char *expected)
{
    struct client_call call;
    transact(&call, command, argc, argv);
    assert_null(call.err);
    assert_non_null(call.result);
    assert_string_equal(call.result, expected);
    free_call(&call);
}

static void
assert_error(const char *command, int argc, char **argv, const char *expected)
{
    struct client_call call;
    transact(&call, command, argc, argv);
    assert_null(call.result);
    assert_non_null(call.err);
    assert_string_equal(call.err, expected);
    free_call(&call);
}

static void
cmd_echo(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
    assert_string_equal(aux, "aux");
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&s, argv[0]);
    for (int i = 1; i < argc; i++) {
        ds_put_format(&s, " %s", argv[i]);
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
cmd_empty(struct unixctl_conn *conn, int argc OVS_UNUSED,
          const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    unixctl_command_reply(conn, NULL);
}

static void
cmd_fail(struct unixctl_conn *conn, int argc OVS_UNUSED,
         const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    unixctl_command_reply_error(conn, "it failed");
}

static void
cmd_defer(struct unixctl_conn *conn, int argc OVS_UNUSED,
          const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    deferred_conn = conn;
}

static void
test_reply_gets_final_newline(void **state OVS_UNUSED)
{
    char *args[] = {"a", "b c"};
    assert_result("t/echo", 2, args, "t/echo a b c\n");
    assert_result("t/empty", 0, NULL, "");
}

static void
test_error_reply_gets_final_newline(void **state OVS_UNUSED)
{
    assert_error("t/fail", 0, NULL, "it failed\n");
}

static void
test_unknown_command_error_matches_ovs(void **state OVS_UNUSED)
{
    assert_error("nope", 0, NULL,
                 "\"nope\" is not a valid command (use \"list-commands\" "
                 "to see a list of valid commands)\n");
}

static void
test_argument_count_errors_match_ovs(void **state OVS_UNUSED)
{
    char *args[] = {"1", "2", "3"};
    assert_error("t/echo", 0, NULL,
                 "\"t/echo\" command requires at least 1 arguments\n");
    assert_error("t/echo", 3, args,
                 "\"t/echo\" command takes at most 2 arguments\n");
    assert_error("t/empty", 1, args,
                 "\"t/empty\" command takes at most 0 arguments\n");
}

static void
test_list_commands_sorted_with_usage(void **state OVS_UNUSED)
{
    struct client_call call;
    transact(&call, "list-commands", 0, NULL);
    assert_non_null(call.result);
    assert_true(str_startswith(call.result, "The available commands are:\n"));
    const char *echo =
        strstr(call.result, "\n  t/echo                  ARG...\n");
    const char *empty = strstr(call.result, "\n  t/empty                 \n");
    assert_non_null(echo);
    assert_non_null(empty);
    assert_true(echo < empty);
    assert_non_null(strstr(call.result,
                           "\n  vlog/set                "
                           "{spec | PATTERN:destination:pattern}\n"));
    assert_null(strstr(call.result, "t/hidden"));
    free_call(&call);

    /* Hidden commands still run. */
    assert_result("t/hidden", 0, NULL, "");
}

static void
test_version_names_program(void **state OVS_UNUSED)
{
    struct client_call call;
    transact(&call, "version", 0, NULL);
    assert_non_null(call.result);
    assert_true(
        str_startswith(call.result, "test-unixctl (Open vSwitch) 3.1.0\n"));
    free_call(&call);
}

static void
test_deferred_reply_arrives(void **state OVS_UNUSED)
{
    assert_result("t/defer", 0, NULL, "deferred answer\n");
}

static void
test_client_to_missing_socket_fails(void **state OVS_UNUSED)
{
    struct jsonrpc *client;
    char *name = xasprintf("%s/nothing.ctl", tmpdir);
    assert_int_equal(unixctl_client_create(name, &client), ENOENT);
    assert_null(client);
    free(name);
}

int
main(void)
{
    set_program_name("test-unixctl");
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    fatal_ignore_sigpipe();
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    char *path = xasprintf("%s/test.ctl", tmpdir);
    if (unixctl_server_create(path, &server)) {
        return 1;
    }
    free(path);
    unixctl_command_register("t/echo", "ARG...", 1, 2, cmd_echo, "aux");
    unixctl_command_register("t/empty", "", 0, 0, cmd_empty, NULL);
    unixctl_command_register("t/fail", "", 0, 0, cmd_fail, NULL);
    unixctl_command_register("t/defer", "", 0, 0, cmd_defer, NULL);
    unixctl_command_register("t/hidden", NULL, 0, 0, cmd_empty, NULL);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reply_gets_final_newline),
        cmocka_unit_test(test_error_reply_gets_final_newline),
        cmocka_unit_test(test_unknown_command_error_matches_ovs),
        cmocka_unit_test(test_argument_count_errors_match_ovs),
        cmocka_unit_test(test_list_commands_sorted_with_usage),
        cmocka_unit_test(test_version_names_program),
        cmocka_unit_test(test_deferred_reply_arrives),
        cmocka_unit_test(test_client_to_missing_socket_fails),
    };
    int failures = cmocka_run_group_tests(tests, NULL, NULL);

    unixctl_server_destroy(server);
    char *cmd = xasprintf("rm -rf %s", tmpdir);
    if (system(cmd)) {
        /* Leftovers in /tmp do no harm. */
    }
    free(cmd);
    return failures;
}

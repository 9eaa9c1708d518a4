/* Drives a passive and an active JSON-RPC session against each other over
 * a Unix socket in one process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/jsonrpc-session.h"
#include "lib/jsonrpc.h"
#include "lib/poll-loop.h"
#include "lib/reconnect.h"
#include "lib/timeval.h"
#include "lib/util.h"

static char *dir;
static char *sock_path;

static int
setup(void **state)
{
    char template[] = "/tmp/test-jsonrpc-session.XXXXXX";
    dir = xstrdup(mkdtemp(template));
    sock_path = xasprintf("%s/sock", dir);
    return 0;
}

static int
teardown(void **state)
{
    unlink(sock_path);
    rmdir(dir);
    free(sock_path);
    free(dir);
    return 0;
}

/* Runs 'a' and 'b' (either may be NULL) until 'done(aux)' or until
 * 'timeout_ms' passes; returns whether 'done' became true.  Messages
 * received meanwhile are stored in '*a_msg' and '*b_msg' (the first one
 * only; later ones are dropped). */
static bool
run_until(struct jsonrpc_session *a, struct jsonrpc_session *b,
          bool (*done)(void *aux), void *aux, long long timeout_ms,
          struct jsonrpc_msg **a_msg, struct jsonrpc_msg **b_msg)
{
    long long deadline = time_msec() + timeout_ms;
    for (;;) {
        struct jsonrpc_session *sessions[2] = {a, b};
        struct jsonrpc_msg **msgs[2] = {a_msg, b_msg};
        for (int i = 0; i < 2; i++) {
            if (!sessions[i]) {
                continue;
            }
            jsonrpc_session_run(sessions[i]);
            struct jsonrpc_msg *msg;
            while ((msg = jsonrpc_session_recv(sessions[i])) != NULL) {
                if (msgs[i] && !*msgs[i]) {
                    *msgs[i] = msg;
                } else {
                    jsonrpc_msg_destroy(msg);
                }
            }
        }
        if (done(aux)) {
            return true;
        }
        if (time_msec() >= deadline) {
            return false;
        }
        for (int i = 0; i < 2; i++) {
            if (sessions[i]) {
                jsonrpc_session_wait(sessions[i]);
                jsonrpc_session_recv_wait(sessions[i]);
            }
        }
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

struct pair {
    struct jsonrpc_session *server;
    struct jsonrpc_session *client;
    struct jsonrpc_msg **msgp;
};

static bool
both_connected(void *pair_)
{
    struct pair *pair = pair_;
    return (jsonrpc_session_is_connected(pair->server)
            && jsonrpc_session_is_connected(pair->client));
}

static bool
msg_arrived(void *pair_)
{
    struct pair *pair = pair_;
    return *pair->msgp != NULL;
}

static bool
client_disconnected(void *pair_)
{
    struct pair *pair = pair_;
    return !jsonrpc_session_is_connected(pair->client);
}

static bool
client_connected(void *pair_)
{
    struct pair *pair = pair_;
    return jsonrpc_session_is_connected(pair->client);
}

static void
test_sessions_connect_exchange_and_notice_loss(void **state)
{
    char *passive = xasprintf("punix:%s", sock_path);
    char *active = xasprintf("unix:%s", sock_path);
    struct pair pair;

    pair.server = jsonrpc_session_open(passive, true);
    pair.client = jsonrpc_session_open(active, true);
    assert_string_equal(jsonrpc_session_get_name(pair.client), active);
    assert_int_equal(jsonrpc_session_get_n_remotes(pair.client), 1);
    assert_true(jsonrpc_session_is_alive(pair.client));

    unsigned int client_seqno = jsonrpc_session_get_seqno(pair.client);
    unsigned int server_seqno = jsonrpc_session_get_seqno(pair.server);
    assert_true(run_until(pair.server, pair.client, both_connected, &pair,
                          5000, NULL, NULL));
    assert_int_not_equal(jsonrpc_session_get_seqno(pair.client), client_seqno);
    assert_int_not_equal(jsonrpc_session_get_seqno(pair.server), server_seqno);

    /* Unix sockets need no inactivity probes. */
    struct reconnect_stats stats;
    jsonrpc_session_get_reconnect_stats(pair.client, &stats);
    assert_string_equal(stats.state, "ACTIVE");
    assert_int_equal(stats.n_successful_connections, 1);

    /* A request reaches the server's owner. */
    json_t *id;
    assert_int_equal(jsonrpc_session_send(
                         pair.client, jsonrpc_create_request(
                                          "frob", json_pack("[i]", 7), &id)),
                     0);
    struct jsonrpc_msg *request = NULL;
    pair.msgp = &request;
    assert_true(run_until(pair.server, pair.client, msg_arrived, &pair, 5000,
                          &request, NULL));
    assert_int_equal(request->type, JSONRPC_REQUEST);
    assert_string_equal(request->method, "frob");
    assert_true(json_equal(request->id, id));

    /* Its reply reaches the client's owner. */
    jsonrpc_session_send(
        pair.server,
        jsonrpc_create_reply(json_pack("[s]", "ok"), request->id));
    jsonrpc_msg_destroy(request);
    struct jsonrpc_msg *reply = NULL;
    pair.msgp = &reply;
    assert_true(run_until(pair.server, pair.client, msg_arrived, &pair, 5000,
                          NULL, &reply));
    assert_int_equal(reply->type, JSONRPC_REPLY);
    assert_true(json_equal(reply->id, id));
    jsonrpc_msg_destroy(reply);
    json_decref(id);

    /* An "echo" request is answered by the server session itself: only
     * the reply shows up, at the client. */
    json_t *echo_id;
    jsonrpc_session_send(
        pair.client,
        jsonrpc_create_request("echo", json_pack("[s]", "x"), &echo_id));
    struct jsonrpc_msg *server_msg = NULL;
    reply = NULL;
    pair.msgp = &reply;
    assert_true(run_until(pair.server, pair.client, msg_arrived, &pair, 5000,
                          &server_msg, &reply));
    assert_null(server_msg);
    assert_int_equal(reply->type, JSONRPC_REPLY);
    assert_true(json_equal(reply->id, echo_id));
    json_t *expected = json_pack("[s]", "x");
    assert_true(json_equal(reply->result, expected));
    json_decref(expected);
    jsonrpc_msg_destroy(reply);
    json_decref(echo_id);

    /* The server goes away: the client notices, stays alive and has a
     * new sequence number. */
    client_seqno = jsonrpc_session_get_seqno(pair.client);
    jsonrpc_session_close(pair.server);
    pair.server = NULL;
    assert_true(run_until(NULL, pair.client, client_disconnected, &pair, 5000,
                          NULL, NULL));
    assert_int_not_equal(jsonrpc_session_get_seqno(pair.client), client_seqno);
    assert_true(jsonrpc_session_is_alive(pair.client));
    assert_int_equal(
        jsonrpc_session_send(pair.client,
                             jsonrpc_create_notify("lost", json_array())),
        ENOTCONN);
    assert_int_equal(jsonrpc_session_get_last_error(pair.client), EOF);

    jsonrpc_session_close(pair.client);
    free(passive);
    free(active);
}

static void
test_multiple_remotes_move_on_without_backoff(void **state)
{
    char *passive = xasprintf("punix:%s", sock_path);
    char *missing = xasprintf("unix:%s/missing", dir);
    char *active = xasprintf("unix:%s", sock_path);
    const char *remotes[] = {missing, active};
    struct pair pair;

    pair.server = jsonrpc_session_open(passive, true);
    pair.client = jsonrpc_session_open_multiple(remotes, 2, true);
    assert_int_equal(jsonrpc_session_get_n_remotes(pair.client), 2);

    /* The first remote fails; the second is tried at once, not after a
     * second of backoff. */
    long long start = time_msec();
    assert_true(run_until(pair.server, pair.client, client_connected, &pair,
                          5000, NULL, NULL));
    assert_true(time_msec() - start < 900);
    assert_string_equal(jsonrpc_session_get_name(pair.client), active);

    jsonrpc_session_close(pair.client);
    jsonrpc_session_close(pair.server);
    free(passive);
    free(missing);
    free(active);
}

static void
test_no_retry_session_dies_after_failed_attempt(void **state)
{
    char *active = xasprintf("unix:%s/missing", dir);
    struct jsonrpc_session *s = jsonrpc_session_open(active, false);
    long long deadline = time_msec() + 5000;
    while (jsonrpc_session_is_alive(s) && time_msec() < deadline) {
        jsonrpc_session_run(s);
        jsonrpc_session_wait(s);
        poll_timer_wait_until(deadline);
        poll_block();
    }
    assert_false(jsonrpc_session_is_alive(s));
    assert_int_equal(jsonrpc_session_get_last_error(s), ENOENT);
    jsonrpc_session_close(s);
    free(active);
}

int
main(void)
{
#define T(NAME) cmocka_unit_test_setup_teardown(NAME, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_sessions_connect_exchange_and_notice_loss),
        T(test_multiple_remotes_move_on_without_backoff),
        T(test_no_retry_session_dies_after_failed_attempt),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}

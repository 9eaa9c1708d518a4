#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/ds.h"
#include "lib/json.h"
#include "lib/jsonrpc.h"
#include "lib/poll-loop.h"
#include "lib/stream-fd.h"
#include "lib/stream.h"

/* Parses 's' as one message and returns it; fails the test on error. */
static struct jsonrpc_msg *
parse_ok(const char *s)
{
    struct jsonrpc_msg *msg;
    char *error = jsonrpc_msg_from_string(s, &msg);
    if (error) {
        fail_msg("%s: unexpected error: %s", s, error);
    }
    return msg;
}

/* Checks that parsing 's' fails with exactly 'expected'. */
static void
parse_fails(const char *s, const char *expected)
{
    struct jsonrpc_msg *msg = (struct jsonrpc_msg *) 1;
    char *error = jsonrpc_msg_from_string(s, &msg);
    assert_null(msg);
    if (!error) {
        fail_msg("%s: parsed but should fail with: %s", s, expected);
    }
    assert_string_equal(error, expected);
    free(error);
}

static void
test_message_types_are_recognised(void **state)
{
    struct jsonrpc_msg *m;

    m = parse_ok("{\"method\":\"echo\",\"params\":[1],\"id\":\"x\"}");
    assert_int_equal(m->type, JSONRPC_REQUEST);
    assert_string_equal(m->method, "echo");
    assert_string_equal(json_string_value(m->id), "x");
    jsonrpc_msg_destroy(m);

    m = parse_ok("{\"method\":\"update\",\"params\":[],\"id\":null}");
    assert_int_equal(m->type, JSONRPC_NOTIFY);
    assert_null(m->id);
    jsonrpc_msg_destroy(m);

    m = parse_ok("{\"method\":\"update\",\"params\":[]}");
    assert_int_equal(m->type, JSONRPC_NOTIFY);
    jsonrpc_msg_destroy(m);

    m = parse_ok("{\"result\":{\"a\":1},\"error\":null,\"id\":3}");
    assert_int_equal(m->type, JSONRPC_REPLY);
    assert_null(m->error);
    assert_int_equal(json_integer_value(m->id), 3);
    jsonrpc_msg_destroy(m);

    m = parse_ok("{\"result\":null,\"id\":3}");
    assert_int_equal(m->type, JSONRPC_REPLY);
    assert_true(json_is_null(m->result));
    jsonrpc_msg_destroy(m);

    m = parse_ok("{\"result\":null,\"error\":\"bad\",\"id\":4}");
    assert_int_equal(m->type, JSONRPC_ERROR);
    assert_null(m->result);
    assert_string_equal(json_string_value(m->error), "bad");
    jsonrpc_msg_destroy(m);

    m = parse_ok("{\"error\":{\"e\":1},\"id\":null}");
    assert_int_equal(m->type, JSONRPC_ERROR);
    jsonrpc_msg_destroy(m);
}

static void
test_invalid_message_shapes_get_precise_errors(void **state)
{
    parse_fails("[]", "message is not a JSON object");
    parse_fails("\"s\"", "line 0, column 2, byte 2: syntax error at "
                         "beginning of input");
    parse_fails("{\"method\":\"m\",\"params\":[],\"id\":1,\"x\":2}",
                "message has unexpected member \"x\"");
    parse_fails("{\"method\":1,\"params\":[],\"id\":1}",
                "\"method\" must be JSON string");
    parse_fails("{\"method\":\"m\",\"params\":{},\"id\":1}",
                "\"params\" must be JSON array");
    parse_fails("{\"method\":\"m\",\"params\":\"p\"}",
                "\"params\" must be JSON array");
    parse_fails("{\"method\":\"m\",\"id\":1}", "request must have \"params\"");
    parse_fails("{\"method\":\"m\"}", "notification must have \"params\"");
    parse_fails("{\"method\":\"m\",\"params\":[],\"id\":1,\"result\":1}",
                "request must not have \"result\"");
    parse_fails("{\"method\":\"m\",\"params\":[],\"error\":1}",
                "notification must not have \"error\"");
    parse_fails("{\"result\":1}", "reply must have \"id\"");
    parse_fails("{\"result\":1,\"params\":[],\"id\":1}",
                "reply must not have \"params\"");
    parse_fails("{\"error\":1}", "error must have \"id\"");
    parse_fails("{\"error\":1,\"result\":2,\"id\":1}",
                "error must not have \"result\"");
    parse_fails("{\"id\":1}",
                "message is not a request, notification, reply, or error: "
                "it has none of \"method\", \"result\" and \"error\"");
    parse_fails("{}",
                "message is not a request, notification, reply, or error: "
                "it has none of \"method\", \"result\" and \"error\"");
}

/* Checks that 'msg' is written as the text that 'format' makes. */
static void assert_msg_text(const struct jsonrpc_msg *msg, const char *format,
                            ...) PRINTF_FORMAT(2, 3);

static void
assert_msg_text(const struct jsonrpc_msg *msg, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *expected = xvasprintf(format, args);
    va_end(args);

    char *s = jsonrpc_msg_to_string(msg);
    assert_string_equal(s, expected);
    free(s);
    free(expected);
}

static void
test_requests_get_distinct_ids_and_round_trip(void **state)
{
    json_t *id1, *id2;
    struct jsonrpc_msg *r1 =
        jsonrpc_create_request("echo", json_array(), &id1);
    struct jsonrpc_msg *r2 =
        jsonrpc_create_request("echo", json_array(), &id2);
    assert_true(json_is_integer(id1));
    assert_false(json_equal(id1, id2));

    char *s = jsonrpc_msg_to_string(r1);
    char *expected = xasprintf("{\"id\":%lld,\"method\":\"echo\","
                               "\"params\":[]}",
                               json_integer_value(id1));
    assert_true(strncmp(s, expected, strlen(expected)) == 0);
    free(expected);

    struct jsonrpc_msg *back = parse_ok(s);
    assert_int_equal(back->type, JSONRPC_REQUEST);
    assert_true(json_equal(back->id, id1));
    free(s);

    struct jsonrpc_msg *reply =
        jsonrpc_create_reply(json_string("ok"), back->id);
    assert_msg_text(reply, "{\"id\":%lld,\"result\":\"ok\",\"error\":null}",
                    json_integer_value(id1));

    struct jsonrpc_msg *error =
        jsonrpc_create_error(json_string("no"), back->id);
    assert_msg_text(error, "{\"id\":%lld,\"error\":\"no\"}",
                    json_integer_value(id1));

    struct jsonrpc_msg *notify = jsonrpc_create_notify("n", json_array());
    assert_msg_text(notify, "{\"id\":null,\"method\":\"n\",\"params\":[]}");

    struct ds ds = DS_EMPTY_INITIALIZER;
    jsonrpc_msg_format(error, &ds);
    expected =
        xasprintf("error, error=\"no\", id=%lld", json_integer_value(id1));
    assert_string_equal(ds_cstr(&ds), expected);
    free(expected);
    ds_destroy(&ds);

    struct jsonrpc_msg *clone = jsonrpc_msg_clone(reply);
    assert_true(json_equal(clone->result, reply->result));
    jsonrpc_msg_destroy(clone);

    jsonrpc_msg_destroy(notify);
    jsonrpc_msg_destroy(error);
    jsonrpc_msg_destroy(reply);
    jsonrpc_msg_destroy(back);
    jsonrpc_msg_destroy(r1);
    jsonrpc_msg_destroy(r2);
    json_decref(id1);
    json_decref(id2);
}

/* Feeds 'n' bytes at 'data' to 'r' and appends each message (as compact
 * JSON text) or error ("ERROR: ...") to 'out', one per line. */
static void
feed_all(struct jsonrpc_reader *r, const char *data, size_t n, struct ds *out)
{
    while (n > 0) {
        size_t used = jsonrpc_reader_feed(r, data, n);
        data += used;
        n -= used;
        if (jsonrpc_reader_is_ready(r)) {
            struct jsonrpc_msg *msg;
            char *error = jsonrpc_reader_take(r, &msg);
            if (error) {
                ds_put_format(out, "ERROR: %s\n", error);
                free(error);
                return;
            }
            char *s = jsonrpc_msg_to_string(msg);
            ds_put_format(out, "%s\n", s);
            free(s);
            jsonrpc_msg_destroy(msg);
        }
    }
}

static const char stream_text[] =
    "{\"method\":\"a\",\"params\":[\"}]{[\\\"\\\\\",{\"x\":[]}],\"id\":1}"
    " \r\n\t"
    "{\"result\":\"\\u00e9\\\"}\",\"error\":null,\"id\":1}"
    "{\"method\":\"n\",\"params\":[[[[]]]],\"id\":null}\n";

static const char stream_expected[] =
    "{\"id\":1,\"method\":\"a\",\"params\":[\"}]{[\\\"\\\\\",{\"x\":[]}]}\n"
    "{\"id\":1,\"result\":\"\xc3\xa9\\\"}\",\"error\":null}\n"
    "{\"id\":null,\"method\":\"n\",\"params\":[[[[]]]]}\n";

/* Brackets and quotes inside strings and escapes must not confuse the
 * framing, wherever the reads happen to split the stream. */
static void
test_framing_is_independent_of_split_points(void **state)
{
    size_t len = strlen(stream_text);

    for (size_t split1 = 0; split1 <= len; split1++) {
        for (size_t split2 = split1; split2 <= len; split2 += 7) {
            struct jsonrpc_reader *r = jsonrpc_reader_create(1024);
            struct ds out = DS_EMPTY_INITIALIZER;
            feed_all(r, stream_text, split1, &out);
            feed_all(r, stream_text + split1, split2 - split1, &out);
            feed_all(r, stream_text + split2, len - split2, &out);
            assert_string_equal(ds_cstr(&out), stream_expected);
            assert_false(jsonrpc_reader_is_mid_message(r));
            ds_destroy(&out);
            jsonrpc_reader_destroy(r);
        }
    }

    /* One byte at a time. */
    struct jsonrpc_reader *r = jsonrpc_reader_create(1024);
    struct ds out = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < len; i++) {
        feed_all(r, stream_text + i, 1, &out);
    }
    assert_string_equal(ds_cstr(&out), stream_expected);
    ds_destroy(&out);
    jsonrpc_reader_destroy(r);
}

static void
test_reader_reports_partial_message(void **state)
{
    struct jsonrpc_reader *r = jsonrpc_reader_create(1024);
    assert_false(jsonrpc_reader_is_mid_message(r));
    assert_int_equal(jsonrpc_reader_feed(r, "  \n", 3), 3);
    assert_false(jsonrpc_reader_is_mid_message(r));
    assert_int_equal(jsonrpc_reader_feed(r, "{\"res", 5), 5);
    assert_true(jsonrpc_reader_is_mid_message(r));
    assert_false(jsonrpc_reader_is_ready(r));

    struct jsonrpc_msg *msg = (struct jsonrpc_msg *) 1;
    assert_null(jsonrpc_reader_take(r, &msg));
    assert_null(msg);

    /* The reader stops after a complete message and leaves the rest. */
    assert_int_equal(jsonrpc_reader_feed(r, "ult\":1,\"id\":2}{\"x\"", 18),
                     14);
    assert_true(jsonrpc_reader_is_ready(r));
    assert_int_equal(jsonrpc_reader_feed(r, "{", 1), 0);
    assert_null(jsonrpc_reader_take(r, &msg));
    assert_int_equal(msg->type, JSONRPC_REPLY);
    jsonrpc_msg_destroy(msg);
    jsonrpc_reader_destroy(r);
}

/* Checks that feeding 's' to a reader with limit 'max' produces the
 * error 'expected', and that the reader stays failed. */
static void
reader_fails(const char *s, size_t max, const char *expected)
{
    struct jsonrpc_reader *r = jsonrpc_reader_create(max);
    struct ds out = DS_EMPTY_INITIALIZER;
    feed_all(r, s, strlen(s), &out);
    /* Messages before the bad one are delivered; the error comes last. */
    char *want = xasprintf("ERROR: %s\n", expected);
    if (!str_endswith(ds_cstr(&out), want)) {
        fail_msg("got \"%s\", expected it to end with \"%s\"", ds_cstr(&out),
                 want);
    }
    free(want);

    /* Sticky: more input is swallowed, the error repeats. */
    assert_int_equal(jsonrpc_reader_feed(r, "{}", 2), 2);
    assert_true(jsonrpc_reader_is_ready(r));
    struct jsonrpc_msg *msg;
    char *error = jsonrpc_reader_take(r, &msg);
    assert_string_equal(error, expected);
    assert_null(msg);
    free(error);
    ds_destroy(&out);
    jsonrpc_reader_destroy(r);
}

static void
test_malformed_input_is_a_sticky_error(void **state)
{
    reader_fails("hello\n", 100,
                 "error parsing stream: line 0, column 5, byte 5: invalid "
                 "keyword 'hello'");
    reader_fails("  \x01", 100,
                 "error parsing stream: line 0, column 2, byte 2: invalid "
                 "character U+0001");
    reader_fails("{\"result\":1,\"id\":1} 12 ", 100,
                 "error parsing stream: line 0, column 3, byte 3: syntax "
                 "error at beginning of input");
    reader_fails("{\"a\":}", 100,
                 "error parsing stream: line 0, column 5, byte 5: syntax "
                 "error expecting value");
    reader_fails("{\"a\" 1}", 100,
                 "error parsing stream: line 0, column 6, byte 6: syntax "
                 "error parsing object expecting ':'");
    reader_fails("{\"a\":[}]", 100,
                 "error parsing stream: line 0, column 6, byte 6: syntax "
                 "error expecting value");
    reader_fails("{\"a\":\"\\q\"}", 100,
                 "error parsing stream: line 0, column 8, byte 8: bad "
                 "escape \\q");
    reader_fails("[1,2]", 100,
                 "received bad JSON-RPC message: message is not a JSON "
                 "object");
    reader_fails("{\"method\":\"m\",\"params\":[],\"id\":1,\"bad\":0}", 100,
                 "received bad JSON-RPC message: message has unexpected "
                 "member \"bad\"");
}

/* As in OVS, a broken message fails as soon as the broken part arrives,
 * before its brackets balance. */
static void
test_syntax_error_is_found_before_the_message_ends(void **state)
{
    struct jsonrpc_reader *r = jsonrpc_reader_create(1024);
    assert_int_equal(jsonrpc_reader_feed(r, "[1 2", 4), 4);
    assert_false(jsonrpc_reader_is_ready(r));
    assert_int_equal(jsonrpc_reader_feed(r, " ", 1), 1);
    assert_true(jsonrpc_reader_is_ready(r));
    struct jsonrpc_msg *msg;
    char *error = jsonrpc_reader_take(r, &msg);
    assert_string_equal(error, "error parsing stream: line 0, column 4, "
                               "byte 4: syntax error expecting ']' or ','");
    free(error);
    jsonrpc_reader_destroy(r);
}

static void
test_max_message_size_is_enforced(void **state)
{
    const char *msg = "{\"result\":\"0123456789\",\"id\":1}";
    const char *expected =
        "{\"id\":1,\"result\":\"0123456789\",\"error\":null}\n";
    size_t len = strlen(msg);

    /* Exactly at the limit works, one byte over fails, even before the
     * whole message arrives. */
    struct jsonrpc_reader *r = jsonrpc_reader_create(len);
    struct ds out = DS_EMPTY_INITIALIZER;
    feed_all(r, msg, len, &out);
    assert_string_equal(ds_cstr(&out), expected);
    ds_destroy(&out);
    jsonrpc_reader_destroy(r);

    char *error = xasprintf("received bad JSON-RPC message: message exceeds "
                            "maximum size of %zu bytes",
                            len - 1);
    reader_fails(msg, len - 1, error);
    free(error);

    /* Never buffers more than the limit, however long the input. */
    r = jsonrpc_reader_create(64);
    char big[4096];
    memset(big, ' ', sizeof big);
    big[0] = '[';
    big[1] = '"';
    size_t used = jsonrpc_reader_feed(r, big, sizeof big);
    assert_true(used <= sizeof big);
    assert_true(jsonrpc_reader_is_ready(r));
    struct jsonrpc_msg *m;
    error = jsonrpc_reader_take(r, &m);
    assert_string_equal(error, "received bad JSON-RPC message: message "
                               "exceeds maximum size of 64 bytes");
    free(error);
    jsonrpc_reader_destroy(r);

    /* Whitespace between messages does not count. */
    r = jsonrpc_reader_create(len);
    out = (struct ds) DS_EMPTY_INITIALIZER;
    feed_all(r, big + 2, sizeof big - 2, &out);
    feed_all(r, msg, len, &out);
    assert_string_equal(ds_cstr(&out), expected);
    ds_destroy(&out);
    jsonrpc_reader_destroy(r);
}

/* Connections, over a socketpair: one end is a jsonrpc, the other a raw
 * socket the test writes and reads. */
struct pair {
    struct jsonrpc *rpc;
    int peer;
};

static void
pair_open(struct pair *p)
{
    int fds[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds),
                     0);
    struct stream *stream;
    assert_int_equal(
        new_fd_stream(xstrdup("unix:pair"), fds[0], 0, AF_UNIX, &stream), 0);
    p->rpc = jsonrpc_open(stream);
    p->peer = fds[1];
}

static void
pair_close(struct pair *p)
{
    jsonrpc_close(p->rpc);
    if (p->peer >= 0) {
        close(p->peer);
    }
}

static void
peer_write(struct pair *p, const char *s)
{
    assert_int_equal(write(p->peer, s, strlen(s)), (ssize_t) strlen(s));
}

static void
test_connection_sends_and_receives(void **state)
{
    struct pair p;
    pair_open(&p);

    struct jsonrpc_msg *msg;
    assert_int_equal(jsonrpc_recv(p.rpc, &msg), EAGAIN);
    assert_null(msg);

    static const char input[] =
        "{\"method\":\"echo\",\"params\":[1],\"id\":\"i\"}\n"
        "{\"method\":\"note\",\"params\":[]}";
    peer_write(&p, input);
    assert_int_equal(jsonrpc_recv(p.rpc, &msg), 0);
    assert_int_equal(msg->type, JSONRPC_REQUEST);
    assert_int_equal(
        jsonrpc_send(p.rpc,
                     jsonrpc_create_reply(json_incref(msg->params), msg->id)),
        0);
    jsonrpc_msg_destroy(msg);
    assert_int_equal(jsonrpc_recv(p.rpc, &msg), 0);
    assert_int_equal(msg->type, JSONRPC_NOTIFY);
    jsonrpc_msg_destroy(msg);
    assert_int_equal(jsonrpc_recv(p.rpc, &msg), EAGAIN);
    assert_int_equal(jsonrpc_get_received_bytes(p.rpc), strlen(input));

    assert_int_equal(jsonrpc_get_backlog(p.rpc), 0);
    char buf[256];
    ssize_t n = read(p.peer, buf, sizeof buf - 1);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, "{\"id\":\"i\",\"result\":[1],\"error\":null}");
    assert_string_equal(jsonrpc_get_name(p.rpc), "unix:pair");

    /* Clean close between messages is EOF, and sticks. */
    close(p.peer);
    p.peer = -1;
    assert_int_equal(jsonrpc_recv(p.rpc, &msg), EOF);
    assert_int_equal(jsonrpc_get_status(p.rpc), EOF);
    assert_int_equal(
        jsonrpc_send(p.rpc, jsonrpc_create_notify("x", json_array())), EOF);
    assert_null(jsonrpc_get_error_string(p.rpc));
    pair_close(&p);
}

/* jsonrpc_recv_text() hands out each message's bytes as they came (less
 * the whitespace before it), parses nothing, and fails the connection on
 * broken framing just as jsonrpc_recv() would. */
static void
test_connection_receives_text_unparsed(void **state)
{
    struct pair p;
    pair_open(&p);
    struct ds text = DS_EMPTY_INITIALIZER;
    assert_int_equal(jsonrpc_recv_text(p.rpc, &text), EAGAIN);

    /* Not a valid JSON-RPC message (no "id" in a reply), and yet text. */
    peer_write(&p, "\n {\"result\" : [1, \"a b\"]}\t[2]{\"a\":");
    assert_int_equal(jsonrpc_recv_text(p.rpc, &text), 0);
    assert_string_equal(ds_cstr(&text), "{\"result\" : [1, \"a b\"]}");
    assert_int_equal(jsonrpc_recv_text(p.rpc, &text), 0);
    assert_string_equal(ds_cstr(&text), "[2]");
    assert_int_equal(jsonrpc_recv_text(p.rpc, &text), EAGAIN);

    struct jsonrpc_msg *msg;
    char *error = jsonrpc_msg_from_text("[2]", 3, &msg);
    assert_string_equal(error, "received bad JSON-RPC message: message is "
                               "not a JSON object");
    assert_null(msg);
    free(error);
    assert_null(jsonrpc_msg_from_text("{\"result\":1,\"id\":7}", 19, &msg));
    assert_int_equal(msg->type, JSONRPC_REPLY);
    jsonrpc_msg_destroy(msg);

    /* The rest of the third message, then broken framing. */
    peer_write(&p, "1}x ");
    assert_int_equal(jsonrpc_recv_text(p.rpc, &text), 0);
    assert_string_equal(ds_cstr(&text), "{\"a\":1}");
    assert_int_equal(jsonrpc_recv_text(p.rpc, &text), EPROTO);
    assert_int_equal(jsonrpc_get_status(p.rpc), EPROTO);
    assert_non_null(
        strstr(jsonrpc_get_error_string(p.rpc), "invalid keyword 'x'"));
    ds_destroy(&text);
    pair_close(&p);
}

static void
test_connection_queues_output_when_peer_is_slow(void **state)
{
    struct pair p;
    pair_open(&p);

    /* Fill the socket buffer so that sends have to queue. */
    json_t *params = json_array();
    json_array_append_new(
        params,
        json_string_take(xmemdup0(
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            64)));
    size_t sent = 0;
    while (jsonrpc_get_backlog(p.rpc) == 0) {
        struct jsonrpc_msg *m =
            jsonrpc_create_notify("n", json_incref(params));
        char *s = jsonrpc_msg_to_string(m);
        sent += strlen(s);
        free(s);
        assert_int_equal(jsonrpc_send(p.rpc, m), 0);
    }
    json_decref(params);
    size_t backlog = jsonrpc_get_backlog(p.rpc);
    assert_true(backlog > 0);

    /* Drain the peer side while running the connection: every byte
     * arrives, in order, and the backlog empties. */
    struct jsonrpc_reader *r = jsonrpc_reader_create(1024);
    size_t received = 0, n_msgs = 0;
    while (received < sent) {
        char buf[8192];
        ssize_t n = read(p.peer, buf, sizeof buf);
        if (n > 0) {
            received += n;
            struct ds out = DS_EMPTY_INITIALIZER;
            feed_all(r, buf, n, &out);
            for (const char *c = ds_cstr(&out); *c; c++) {
                n_msgs += *c == '\n';
            }
            assert_null(strstr(ds_cstr(&out), "ERROR"));
            ds_destroy(&out);
        }
        jsonrpc_run(p.rpc);
    }
    assert_int_equal(received, sent);
    assert_int_equal(jsonrpc_get_backlog(p.rpc), 0);
    assert_true(n_msgs > 1);
    jsonrpc_reader_destroy(r);
    pair_close(&p);
}

static void
test_connection_protocol_errors_close_it(void **state)
{
    struct jsonrpc_msg *msg;
    struct pair p;

    /* Truncated frame: as in OVS, the peer closing mid-message is just the
     * end of the stream. */
    pair_open(&p);
    peer_write(&p, "{\"method\":\"echo\",\"par");
    close(p.peer);
    p.peer = -1;
    assert_int_equal(jsonrpc_recv(p.rpc, &msg), EOF);
    assert_null(jsonrpc_get_error_string(p.rpc));
    pair_close(&p);

    /* Malformed JSON after a good message: the good one still arrives. */
    pair_open(&p);
    peer_write(&p, "{\"result\":1,\"id\":1}{\"a\":nul}");
    assert_int_equal(jsonrpc_recv(p.rpc, &msg), 0);
    jsonrpc_msg_destroy(msg);
    assert_int_equal(jsonrpc_recv(p.rpc, &msg), EPROTO);
    assert_int_equal(jsonrpc_get_status(p.rpc), EPROTO);
    assert_string_equal(jsonrpc_get_error_string(p.rpc),
                        "unix:pair: error parsing stream: line 0, column 8, "
                        "byte 8: invalid keyword 'nul'");
    pair_close(&p);

    /* Oversized message. */
    pair_open(&p);
    jsonrpc_set_max_msg_size(p.rpc, 10);
    peer_write(&p, "{\"result\":12345,\"id\":1}");
    assert_int_equal(jsonrpc_recv(p.rpc, &msg), EPROTO);
    assert_string_equal(jsonrpc_get_error_string(p.rpc),
                        "unix:pair: received bad JSON-RPC message: message "
                        "exceeds maximum size of 10 bytes");
    pair_close(&p);
}

/* By default, each jsonrpc_recv() looks for new input.  A program that
 * declares a strict main loop reads a socket that a read emptied only in
 * the next iteration, where poll_block() has reported it: asking the
 * kernel again at once would almost always be a wasted system call, one
 * per message on a busy server.  (Runs last: the declaration is for the
 * whole process.) */
static void
test_drained_socket_is_read_again_next_iteration(void **state)
{
    struct pair p;
    pair_open(&p);

    struct jsonrpc_msg *msg;
    peer_write(&p, "{\"method\":\"a\",\"params\":[]}");
    assert_int_equal(jsonrpc_recv(p.rpc, &msg), 0);
    jsonrpc_msg_destroy(msg);
    peer_write(&p, "{\"method\":\"b\",\"params\":[]}");
    assert_int_equal(jsonrpc_recv(p.rpc, &msg), 0);
    assert_string_equal(msg->method, "b");
    jsonrpc_msg_destroy(msg);

    jsonrpc_skip_drained_reads();
    poll_immediate_wake(); /* A new iteration of the main loop. */
    poll_block();
    peer_write(&p, "{\"method\":\"a\",\"params\":[]}");
    assert_int_equal(jsonrpc_recv(p.rpc, &msg), 0);
    assert_string_equal(msg->method, "a");
    jsonrpc_msg_destroy(msg);

    peer_write(&p, "{\"method\":\"b\",\"params\":[]}");
    assert_int_equal(jsonrpc_recv(p.rpc, &msg), EAGAIN);
    assert_null(msg);

    jsonrpc_recv_wait(p.rpc);
    poll_block();
    assert_int_equal(jsonrpc_recv(p.rpc, &msg), 0);
    assert_string_equal(msg->method, "b");
    jsonrpc_msg_destroy(msg);
    assert_int_equal(jsonrpc_get_received_bytes(p.rpc), 4 * 26);
    pair_close(&p);
}

static void
test_send_block_and_recv_block(void **state)
{
    struct pair p;
    pair_open(&p);

    assert_int_equal(
        jsonrpc_send_block(p.rpc, jsonrpc_create_notify("hi", json_array())),
        0);
    char buf[256];
    ssize_t n = read(p.peer, buf, sizeof buf - 1);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, "{\"id\":null,\"method\":\"hi\",\"params\":[]}");

    peer_write(&p, "{\"result\":true,\"id\":7}");
    struct jsonrpc_msg *msg;
    assert_int_equal(jsonrpc_recv_block(p.rpc, &msg), 0);
    assert_int_equal(msg->type, JSONRPC_REPLY);
    jsonrpc_msg_destroy(msg);
    pair_close(&p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_message_types_are_recognised),
        cmocka_unit_test(test_invalid_message_shapes_get_precise_errors),
        cmocka_unit_test(test_requests_get_distinct_ids_and_round_trip),
        cmocka_unit_test(test_framing_is_independent_of_split_points),
        cmocka_unit_test(test_reader_reports_partial_message),
        cmocka_unit_test(test_malformed_input_is_a_sticky_error),
        cmocka_unit_test(test_syntax_error_is_found_before_the_message_ends),
        cmocka_unit_test(test_max_message_size_is_enforced),
        cmocka_unit_test(test_connection_sends_and_receives),
        cmocka_unit_test(test_connection_receives_text_unparsed),
        cmocka_unit_test(test_connection_queues_output_when_peer_is_slow),
        cmocka_unit_test(test_connection_protocol_errors_close_it),
        cmocka_unit_test(test_send_block_and_recv_block),
        cmocka_unit_test(test_drained_socket_is_read_again_next_iteration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

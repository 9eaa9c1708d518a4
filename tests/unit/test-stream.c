#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/ds.h"
#include "lib/poll-loop.h"
#include "lib/socket-util.h"
#include "lib/stream.h"
#include "lib/util.h"

/* Parses 'target' with 'passive' syntax and returns "ADDR PORT", or
 * "ERROR: ..." (malloc'd). */
static char *
parse(const char *target, bool passive, int default_port)
{
    struct sockaddr_storage ss;
    char *error =
        (passive ? socket_parse_inet_passive(target, default_port, &ss)
                 : socket_parse_inet_active(target, default_port, &ss));
    if (error) {
        char *s = xasprintf("ERROR: %s", error);
        free(error);
        return s;
    }
    struct ds ds = DS_EMPTY_INITIALIZER;
    socket_ss_format_address(&ss, true, &ds);
    ds_put_format(&ds, " %u", socket_ss_get_port(&ss));
    return ds_steal_cstr(&ds);
}

static void
check_parse(const char *target, bool passive, int default_port,
            const char *expected)
{
    char *s = parse(target, passive, default_port);
    if (strcmp(s, expected)) {
        fail_msg("%s \"%s\" (default %d): got \"%s\", expected \"%s\"",
                 passive ? "passive" : "active", target, default_port, s,
                 expected);
    }
    free(s);
}

static void
test_active_names_parse_like_ovs(void **state)
{
    check_parse("127.0.0.1:6641", false, -1, "127.0.0.1 6641");
    check_parse("127.0.0.1", false, 6640, "127.0.0.1 6640");
    check_parse("127.0.0.1:", false, 6640, "127.0.0.1 6640");
    check_parse("[::1]:6653", false, -1, "[::1] 6653");
    check_parse("[::1]", false, 6640, "[::1] 6640");
    check_parse("::1", false, 6640, "[::1] 6640");
    check_parse("[fe80::1:2]:1", false, -1, "[fe80::1:2] 1");
    check_parse("localhost:99", false, -1, "127.0.0.1 99");
    check_parse("127.0.0.1", false, -1,
                "ERROR: 127.0.0.1: port must be specified");
    check_parse("127.0.0.1:65536", false, -1,
                "ERROR: 127.0.0.1:65536: bad port number \"65536\"");
    check_parse("127.0.0.1:12x", false, -1,
                "ERROR: 127.0.0.1:12x: bad port number \"12x\"");
    check_parse("127.0.0.1:-1", false, -1,
                "ERROR: 127.0.0.1:-1: bad port number \"-1\"");
    check_parse("[::1", false, 1,
                "ERROR: [::1: missing ']' after IPv6 address");
    check_parse("[::1]x", false, 1,
                "ERROR: [::1]x: unexpected \"x\" after IPv6 address");
    check_parse("[1.2.3.4]:5", false, 1,
                "ERROR: [1.2.3.4]:5: bad IPv6 address \"1.2.3.4\"");
    check_parse("[]:5", false, 1, "ERROR: []:5: bad IPv6 address \"\"");
    check_parse(":5", false, 1, "ERROR: :5: missing host name or address");
}

static void
test_passive_names_parse_like_ovs(void **state)
{
    check_parse("6640", true, -1, "0.0.0.0 6640");
    check_parse("0", true, -1, "0.0.0.0 0");
    check_parse("6640:127.0.0.1", true, -1, "127.0.0.1 6640");
    check_parse("0:[::1]", true, -1, "[::1] 0");
    check_parse("0:::1", true, -1, "[::1] 0");
    check_parse(":127.0.0.1", true, 6640, "127.0.0.1 6640");
    check_parse("", true, 6653, "0.0.0.0 6653");
    check_parse("", true, -1, "ERROR: : port must be specified");
    check_parse(":127.0.0.1", true, -1,
                "ERROR: :127.0.0.1: port must be specified");
    check_parse("x:127.0.0.1", true, -1,
                "ERROR: x:127.0.0.1: bad port number \"x\"");
    check_parse("1:[::1]:2", true, -1,
                "ERROR: 1:[::1]:2: unexpected \":2\" after host");
}

static void
test_method_names(void **state)
{
    assert_int_equal(stream_verify_name("tcp:1.2.3.4:5"), 0);
    assert_int_equal(stream_verify_name("unix:/x"), 0);
    assert_int_equal(stream_verify_name("ptcp:5"), EAFNOSUPPORT);
    assert_int_equal(stream_verify_name("foo:bar"), EAFNOSUPPORT);
    assert_int_equal(stream_verify_name("tcp"), EAFNOSUPPORT);
    assert_int_equal(stream_verify_name("tcpx:1"), EAFNOSUPPORT);
    assert_int_equal(pstream_verify_name("ptcp:5"), 0);
    assert_int_equal(pstream_verify_name("punix:/x"), 0);
    assert_int_equal(pstream_verify_name("tcp:1.2.3.4:5"), EAFNOSUPPORT);

    assert_int_equal(stream_or_pstream_needs_probes("tcp:1.2.3.4:5"), 1);
    assert_int_equal(stream_or_pstream_needs_probes("ptcp:5"), 1);
    assert_int_equal(stream_or_pstream_needs_probes("unix:/x"), 0);
    assert_int_equal(stream_or_pstream_needs_probes("punix:/x"), 0);
    assert_int_equal(stream_or_pstream_needs_probes("zz:top"), -1);

    struct stream *stream = (struct stream *) 1;
    assert_int_equal(stream_open("nope:x", &stream, DSCP_DEFAULT),
                     EAFNOSUPPORT);
    assert_null(stream);
    struct pstream *pstream = (struct pstream *) 1;
    assert_int_equal(pstream_open("nope:x", &pstream, DSCP_DEFAULT),
                     EAFNOSUPPORT);
    assert_null(pstream);
    assert_int_equal(pstream_open("ptcp:", &pstream, DSCP_DEFAULT), EINVAL);
    assert_int_equal(stream_open("tcp:127.0.0.1", &stream, DSCP_DEFAULT),
                     EINVAL);

    struct sockaddr_storage ss;
    assert_true(
        stream_parse_target_with_default_port("tcp:10.0.0.1", 6640, &ss));
    assert_int_equal(socket_ss_get_port(&ss), 6640);
    assert_true(
        stream_parse_target_with_default_port("ssl:[::2]:9", 6640, &ss));
    assert_int_equal(socket_ss_get_port(&ss), 9);
    assert_false(stream_parse_target_with_default_port("unix:x", 6640, &ss));
}

/* Accepts one connection on 'pstream', waiting for it. */
static struct stream *
accept_one(struct pstream *pstream)
{
    struct stream *stream;
    assert_int_equal(pstream_accept_block(pstream, &stream), 0);
    return stream;
}

/* Sends 'n' bytes over 'a' and checks they arrive at 'b', polling both
 * ends. */
static void
transfer(struct stream *a, struct stream *b, size_t n)
{
    char *out = xmalloc(n);
    char *in = xmalloc(n);
    for (size_t i = 0; i < n; i++) {
        out[i] = (char) (i * 7 + 3);
    }

    size_t sent = 0, received = 0;
    while (received < n) {
        if (sent < n) {
            ssize_t retval = stream_send(a, out + sent, n - sent);
            if (retval > 0) {
                sent += retval;
            } else {
                assert_int_equal(retval, -EAGAIN);
            }
        }
        ssize_t retval = stream_recv(b, in + received, n - received);
        if (retval > 0) {
            received += retval;
        } else {
            assert_int_equal(retval, -EAGAIN);
            if (sent < n) {
                stream_send_wait(a);
            }
            stream_recv_wait(b);
            poll_block();
        }
    }
    assert_memory_equal(in, out, n);
    free(in);
    free(out);
}

/* Connects to 'name' through 'pstream', checks traffic in both
 * directions and end of stream. */
static void
check_loopback(struct pstream *pstream, const char *name, int default_port)
{
    struct stream *client;
    int error = (default_port >= 0 ? stream_open_with_default_port(
                     name, default_port, &client, DSCP_DEFAULT)
                                   : stream_open(name, &client, DSCP_DEFAULT));
    assert_int_equal(stream_open_block(error, 10000, &client), 0);
    struct stream *server = accept_one(pstream);

    transfer(client, server, 1);
    transfer(server, client, 300000);
    transfer(client, server, 100000);

    stream_close(client);
    char c;
    ssize_t retval;
    while ((retval = stream_recv(server, &c, 1)) == -EAGAIN) {
        stream_recv_wait(server);
        poll_block();
    }
    assert_int_equal(retval, 0);
    stream_close(server);
}

static void
test_tcp_loopback_ipv4_and_ipv6(void **state)
{
    struct pstream *pstream;
    assert_int_equal(pstream_open("ptcp:0:127.0.0.1", &pstream, DSCP_DEFAULT),
                     0);
    uint16_t port = pstream_get_bound_port(pstream);
    assert_true(port > 0);
    char *expected = xasprintf("ptcp:%u:127.0.0.1", port);
    assert_string_equal(pstream_get_name(pstream), expected);
    free(expected);

    char *name = xasprintf("tcp:127.0.0.1:%u", port);
    check_loopback(pstream, name, -1);
    free(name);
    check_loopback(pstream, "tcp:127.0.0.1", port);

    /* Accepted streams are named after the peer. */
    struct stream *client, *server;
    name = xasprintf("tcp:127.0.0.1:%u", port);
    assert_int_equal(
        stream_open_block(stream_open(name, &client, 0), -1, &client), 0);
    free(name);
    server = accept_one(pstream);
    assert_true(str_startswith(stream_get_name(server), "tcp:127.0.0.1:"));
    stream_close(server);
    stream_close(client);
    pstream_close(pstream);

    int error = pstream_open("ptcp:0:[::1]", &pstream, DSCP_DEFAULT);
    if (error == EADDRNOTAVAIL || error == EAFNOSUPPORT) {
        return; /* No IPv6 loopback here. */
    }
    assert_int_equal(error, 0);
    port = pstream_get_bound_port(pstream);
    expected = xasprintf("ptcp:%u:[::1]", port);
    assert_string_equal(pstream_get_name(pstream), expected);
    free(expected);
    name = xasprintf("tcp:[::1]:%u", port);
    check_loopback(pstream, name, -1);
    free(name);
    check_loopback(pstream, "tcp:[::1]", port);
    pstream_close(pstream);
}

static void
test_tcp_connection_refused(void **state)
{
    /* Find a port nobody listens on: bind one, note it, close it. */
    struct pstream *pstream;
    assert_int_equal(pstream_open("ptcp:0:127.0.0.1", &pstream, 0), 0);
    char *name =
        xasprintf("tcp:127.0.0.1:%u", pstream_get_bound_port(pstream));
    pstream_close(pstream);

    struct stream *stream;
    int error = stream_open(name, &stream, DSCP_DEFAULT);
    assert_int_equal(stream_open_block(error, 10000, &stream), ECONNREFUSED);
    assert_null(stream);
    free(name);
}

static char *
make_temp_dir(void)
{
    char tmpl[] = "/tmp/test-stream-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    return xstrdup(tmpl);
}

static void
test_unix_loopback_and_cleanup(void **state)
{
    char *dir = make_temp_dir();
    char *path = xasprintf("%s/sock", dir);
    char *pname = xasprintf("punix:%s", path);
    char *name = xasprintf("unix:%s", path);

    /* A stale file in the way is replaced. */
    FILE *stale = fopen(path, "w");
    fclose(stale);

    struct pstream *pstream;
    assert_int_equal(pstream_open(pname, &pstream, DSCP_DEFAULT), 0);
    assert_int_equal(pstream_get_bound_port(pstream), 0);
    assert_string_equal(pstream_get_name(pstream), pname);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));

    check_loopback(pstream, name, -1);

    struct stream *client;
    assert_int_equal(
        stream_open_block(stream_open(name, &client, 0), -1, &client), 0);
    struct stream *server = accept_one(pstream);
    assert_true(str_startswith(stream_get_name(server), "unix#"));
    stream_close(server);
    stream_close(client);

    /* Closing removes the socket file; connecting then fails. */
    pstream_close(pstream);
    assert_int_equal(stat(path, &st), -1);
    assert_int_equal(stream_open(name, &client, 0), ENOENT);
    assert_null(client);

    rmdir(dir);
    free(name);
    free(pname);
    free(path);
    free(dir);
}

static void
test_unix_relative_path_is_relative_to_cwd(void **state)
{
    char *dir = make_temp_dir();
    char *old = getcwd(NULL, 0);
    assert_int_equal(chdir(dir), 0);

    struct pstream *pstream;
    assert_int_equal(pstream_open("punix:rel.sock", &pstream, 0), 0);
    check_loopback(pstream, "unix:rel.sock", -1);

    /* The file is removed on close even after a change of directory. */
    assert_int_equal(chdir("/"), 0);
    pstream_close(pstream);
    char *path = xasprintf("%s/rel.sock", dir);
    assert_int_equal(access(path, F_OK), -1);

    assert_int_equal(chdir(old), 0);
    rmdir(dir);
    free(path);
    free(old);
    free(dir);
}

static void
test_unix_paths_longer_than_sun_path_work(void **state)
{
    char *dir = make_temp_dir();
    struct ds path = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&path, dir);
    /* Nest directories until the path is well past sun_path's 108
     * bytes. */
    while (path.length < 200) {
        ds_put_cstr(&path, "/a-fairly-long-directory-name");
        assert_int_equal(mkdir(ds_cstr(&path), 0700), 0);
    }
    char *sock = xasprintf("%s/long-socket-name.ctl", ds_cstr(&path));
    assert_true(strlen(sock) > 108);
    char *pname = xasprintf("punix:%s", sock);
    char *name = xasprintf("unix:%s", sock);

    struct pstream *pstream;
    assert_int_equal(pstream_open(pname, &pstream, 0), 0);
    assert_int_equal(access(sock, F_OK), 0);
    check_loopback(pstream, name, -1);
    pstream_close(pstream);
    assert_int_equal(access(sock, F_OK), -1);

    /* Remove the directories again. */
    while (path.length > strlen(dir)) {
        assert_int_equal(rmdir(ds_cstr(&path)), 0);
        char *slash = strrchr(ds_cstr(&path), '/');
        ds_truncate(&path, slash - path.string);
    }
    rmdir(dir);
    free(name);
    free(pname);
    free(sock);
    ds_destroy(&path);
    free(dir);
}

static void
test_pstream_default_ports(void **state)
{
    /* "ptcp:" and "ptcp::HOST" take the default port; pick a free one by
     * asking the kernel first. */
    struct pstream *probe;
    assert_int_equal(pstream_open("ptcp:0:127.0.0.1", &probe, 0), 0);
    uint16_t port = pstream_get_bound_port(probe);
    pstream_close(probe);

    struct pstream *pstream;
    assert_int_equal(
        pstream_open_with_default_port("ptcp::127.0.0.1", port, &pstream, 0),
        0);
    assert_int_equal(pstream_get_bound_port(pstream), port);
    pstream_close(pstream);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_active_names_parse_like_ovs),
        cmocka_unit_test(test_passive_names_parse_like_ovs),
        cmocka_unit_test(test_method_names),
        cmocka_unit_test(test_tcp_loopback_ipv4_and_ipv6),
        cmocka_unit_test(test_tcp_connection_refused),
        cmocka_unit_test(test_unix_loopback_and_cleanup),
        cmocka_unit_test(test_unix_relative_path_is_relative_to_cwd),
        cmocka_unit_test(test_unix_paths_longer_than_sun_path_work),
        cmocka_unit_test(test_pstream_default_ports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

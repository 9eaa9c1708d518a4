"""JSON-RPC over unix and tcp streams, driven through test-jsonrpc: the
message exchange itself, and what bad peers get (malformed JSON,
oversized and truncated messages, invalid message shapes, unknown
methods).  A bad peer loses only its own connection; the server keeps
serving everybody else.

test-jsonrpc's server answers a request for an unknown METHOD with the
error reply {"error":"unknown method","details":"METHOD"}."""

import json
import os
import re
import socket
import subprocess

import pytest

import paths
from wait import wait_for


def _ipv6_loopback_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


class Server:
    """A 'test-jsonrpc listen' process with its stdout and stderr in
    files under 'tmp'."""

    def __init__(self, tmp, passive, extra_args=()):
        self.tmp = str(tmp)
        self.out_path = os.path.join(self.tmp, "server.out")
        self.err_path = os.path.join(self.tmp, "server.err")
        self.port_file = os.path.join(self.tmp, "server.port")
        with open(self.out_path, "w") as out, \
                open(self.err_path, "w") as err:
            self.proc = subprocess.Popen(
                [paths.program("test-jsonrpc"),
                 "--port-file=" + self.port_file] + list(extra_args)
                + ["listen", passive],
                cwd=self.tmp, stdout=out, stderr=err)
        first = wait_for(lambda: self._first_line(), timeout=10,
                         what="test-jsonrpc to listen")
        m = re.fullmatch(r"listening on (\S+)", first)
        assert m, first
        self.name = m.group(1)
        self.port = int(wait_for(lambda: self._read(self.port_file),
                                 what="port file"))

    @staticmethod
    def _read(path):
        try:
            with open(path) as f:
                return f.read()
        except OSError:
            return ""

    def _first_line(self):
        text = self._read(self.out_path)
        return text.split("\n")[0] if "\n" in text else None

    def stdout_lines(self):
        return self._read(self.out_path).splitlines()[1:]

    def log(self):
        return self._read(self.err_path)

    def wait_log(self, text):
        """Waits until the server's log holds 'text'; returns the log."""
        return wait_for(lambda: text in self.log() and self.log(),
                        what="server log to contain %r" % text)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def server_factory(tmp_path):
    servers = []

    def make(passive, extra_args=()):
        d = tmp_path / ("server%d" % len(servers))
        d.mkdir()
        s = Server(d, passive, extra_args)
        servers.append(s)
        return s

    yield make
    for s in servers:
        s.close()


def _client(tmp_path, *args, check=True):
    result = subprocess.run([paths.program("test-jsonrpc")] + list(args),
                            cwd=str(tmp_path), capture_output=True,
                            text=True, timeout=30)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def _echo(tmp_path, remote, params='[1,"a",{"b":null}]'):
    return _client(tmp_path, "request", remote, "echo", params).stdout


def _unix_server(server_factory, tmp_path, extra_args=()):
    path = str(tmp_path / "rpc.sock")
    server = server_factory("punix:" + path, extra_args)
    return server, "unix:" + path, path


# The reply to the first request of a client process has id 0.
ECHO_REPLY = '{"id":0,"result":[1,"a",{"b":null}],"error":null}\n'


def test_echo_request_over_unix_gets_params_back(server_factory, tmp_path):
    server, remote, path = _unix_server(server_factory, tmp_path)
    assert server.name == "punix:" + path
    assert _echo(tmp_path, remote) == ECHO_REPLY


def test_unix_relative_name_is_relative_to_current_directory(
        server_factory, tmp_path):
    # The server runs in its own directory; the client from tmp_path.
    server = server_factory("punix:rel.sock")
    rel = os.path.relpath(os.path.join(server.tmp, "rel.sock"),
                          str(tmp_path))
    assert _echo(tmp_path, "unix:" + rel) == ECHO_REPLY


def test_echo_request_over_tcp_ipv4(server_factory, tmp_path):
    server = server_factory("ptcp:0:127.0.0.1")
    assert server.name == "ptcp:%d:127.0.0.1" % server.port
    assert server.port > 0
    assert _echo(tmp_path, "tcp:127.0.0.1:%d" % server.port) == ECHO_REPLY


@pytest.mark.skipif(not _ipv6_loopback_available(),
                    reason="no IPv6 loopback")
def test_echo_request_over_tcp_ipv6(server_factory, tmp_path):
    server = server_factory("ptcp:0:[::1]")
    assert server.name == "ptcp:%d:[::1]" % server.port
    assert _echo(tmp_path, "tcp:[::1]:%d" % server.port) == ECHO_REPLY


def test_unknown_method_gets_error_reply(server_factory, tmp_path):
    server, remote, _ = _unix_server(server_factory, tmp_path)
    out = _client(tmp_path, "request", remote, "frobnicate", "[1]").stdout
    assert out == ('{"id":0,"error":{"error":"unknown method",'
                   '"details":"frobnicate"}}\n')
    # The connection stayed usable for other clients.
    assert _echo(tmp_path, remote) == ECHO_REPLY


def test_notification_reaches_server(server_factory, tmp_path):
    server, remote, _ = _unix_server(server_factory, tmp_path)
    result = _client(tmp_path, "notify", remote, "hello", '[1,"two"]')
    assert result.stdout == ""
    wait_for(lambda: server.stdout_lines(), what="notification")
    assert server.stdout_lines() == [
        '{"id":null,"method":"hello","params":[1,"two"]}']


def test_shutdown_request_stops_server_and_removes_socket(server_factory,
                                                          tmp_path):
    server, remote, path = _unix_server(server_factory, tmp_path)
    assert os.path.exists(path)
    out = _client(tmp_path, "request", remote, "shutdown", "[]").stdout
    assert out == '{"id":0,"result":{},"error":null}\n'
    assert server.proc.wait(timeout=10) == 0
    assert not os.path.exists(path)


def test_client_reports_connection_failure(tmp_path):
    result = _client(tmp_path, "request", "unix:" + str(tmp_path / "none"),
                     "echo", "[]", check=False)
    assert result.returncode == 1
    assert result.stderr == ('test-jsonrpc: could not open "unix:%s" '
                             '(No such file or directory)\n'
                             % (tmp_path / "none"))


def test_client_rejects_unknown_connection_method(tmp_path):
    result = _client(tmp_path, "request", "bogus:x", "echo", "[]",
                     check=False)
    assert result.returncode == 1
    assert result.stderr == ('test-jsonrpc: could not open "bogus:x" '
                             '(Address family not supported by protocol)\n')


def test_python_ovs_client_interoperates(server_factory, tmp_path):
    ovs_jsonrpc = pytest.importorskip("ovs.jsonrpc")
    ovs_stream = pytest.importorskip("ovs.stream")
    server, remote, _ = _unix_server(server_factory, tmp_path)
    error, stream = ovs_stream.Stream.open_block(
        ovs_stream.Stream.open(remote))
    assert error == 0
    rpc = ovs_jsonrpc.Connection(stream)
    try:
        error, reply = rpc.transact_block(
            ovs_jsonrpc.Message.create_request("echo", [1, "x", None]))
        assert error == 0
        assert reply.type == ovs_jsonrpc.Message.T_REPLY
        assert reply.result == [1, "x", None]
        error, reply = rpc.transact_block(
            ovs_jsonrpc.Message.create_request("nope", []))
        assert reply.type == ovs_jsonrpc.Message.T_ERROR
        assert reply.error == {"error": "unknown method", "details": "nope"}
    finally:
        rpc.close()


# Raw peers.

def _raw_connect(remote):
    if remote.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(remote[5:])
    else:
        host, port = remote[4:].rsplit(":", 1)
        host = host.strip("[]")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        s = socket.socket(family, socket.SOCK_STREAM)
        s.connect((host, int(port)))
    s.settimeout(10)
    return s


def _read_until_closed(s):
    """Reads until the server closes the connection; returns the bytes.
    A reset (the server closed with our data unread) counts as closed."""
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def _read_messages(s, n):
    """Reads exactly 'n' JSON values from 's'."""
    decoder = json.JSONDecoder()
    buf = ""
    msgs = []
    while len(msgs) < n:
        chunk = s.recv(65536)
        assert chunk, "connection closed after %d messages" % len(msgs)
        buf += chunk.decode()
        while True:
            stripped = buf.lstrip()
            if not stripped:
                buf = ""
                break
            try:
                value, end = decoder.raw_decode(stripped)
            except ValueError:
                break
            msgs.append(value)
            buf = stripped[end:]
    return msgs


def test_pipelined_requests_with_whitespace_and_odd_splits(server_factory,
                                                           tmp_path):
    server, remote, _ = _unix_server(server_factory, tmp_path)
    s = _raw_connect(remote)
    payload = (b' \n{"method":"echo","params":["}{\\"]"],"id":1}\r\n\t'
               b'{"method":"echo","params":[{"a":[[]]}],"id":"two"}'
               b'{"method":"echo","params":[],"id":[3]}  ')
    # Three writes that split inside a string and between two brackets.
    for piece in (payload[:20], payload[20:58], payload[58:]):
        s.sendall(piece)
        if piece is payload[:20]:
            # Nothing complete yet: no reply may arrive.
            s.settimeout(0.2)
            with pytest.raises(socket.timeout):
                s.recv(1)
            s.settimeout(10)
    assert _read_messages(s, 3) == [
        {"result": ["}{\"]"], "error": None, "id": 1},
        {"result": [{"a": [[]]}], "error": None, "id": "two"},
        {"result": [], "error": None, "id": [3]},
    ]
    s.close()


BAD_INPUTS = [
    ("malformed_json", b'{"method":"echo","params":[1,],"id":1}',
     "error parsing stream: line 0, column 29, byte 29: syntax error "
     "expecting value"),
    ("not_json_at_all", b"hello\n",
     "error parsing stream: line 0, column 5, byte 5: invalid keyword "
     "'hello'"),
    ("not_an_object", b"[1,2,3]",
     "received bad JSON-RPC message: message is not a JSON object"),
    ("params_not_array", b'{"method":"echo","params":{},"id":1}',
     'received bad JSON-RPC message: "params" must be JSON array'),
    ("unexpected_member", b'{"method":"echo","params":[],"id":1,"x":0}',
     'received bad JSON-RPC message: message has unexpected member "x"'),
    ("method_not_string", b'{"method":5,"params":[],"id":1}',
     'received bad JSON-RPC message: "method" must be JSON string'),
    ("request_without_params", b'{"method":"echo","id":1}',
     'received bad JSON-RPC message: request must have "params"'),
    ("reply_without_id", b'{"result":1}',
     'received bad JSON-RPC message: reply must have "id"'),
]


@pytest.mark.parametrize("what,data,error", BAD_INPUTS,
                         ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_closes_only_that_connection(server_factory, tmp_path,
                                               what, data, error):
    server = server_factory("ptcp:0:127.0.0.1")
    remote = "tcp:127.0.0.1:%d" % server.port

    # A well-behaved client connected before the bad one keeps working.
    good = _raw_connect(remote)
    good.sendall(b'{"method":"echo","params":["before"],"id":1}')
    assert _read_messages(good, 1) == [
        {"result": ["before"], "error": None, "id": 1}]

    bad = _raw_connect(remote)
    name = "tcp:127.0.0.1:%d" % bad.getsockname()[1]
    bad.sendall(data)
    assert _read_until_closed(bad) == b""
    bad.close()
    server.wait_log("|jsonrpc|WARN|%s: %s\n" % (name, error))
    server.wait_log("%s: connection closed (Protocol error)\n" % name)

    good.sendall(b'{"method":"echo","params":["after"],"id":2}')
    assert _read_messages(good, 1) == [
        {"result": ["after"], "error": None, "id": 2}]
    good.close()
    assert _echo(tmp_path, remote) == ECHO_REPLY
    assert server.proc.poll() is None


_ECHO_HEAD = b'{"method":"echo","params":["'
_ECHO_TAIL = b'"],"id":1}'
_ECHO_OVERHEAD = len(_ECHO_HEAD) + len(_ECHO_TAIL)


def _echo_request_of_size(size):
    """Returns an echo request exactly 'size' bytes long whose one
    parameter is a string of 'size - _ECHO_OVERHEAD' x's."""
    return _ECHO_HEAD + b"x" * (size - _ECHO_OVERHEAD) + _ECHO_TAIL


def test_message_at_max_size_is_accepted(server_factory, tmp_path):
    server, remote, _ = _unix_server(server_factory, tmp_path,
                                     ["--max-msg-size=1000"])
    s = _raw_connect(remote)
    s.sendall(_echo_request_of_size(1000))
    reply = _read_messages(s, 1)[0]
    assert reply["result"] == ["x" * (1000 - _ECHO_OVERHEAD)]
    s.close()


def test_oversized_message_is_rejected_without_buffering_it(server_factory,
                                                            tmp_path):
    server, remote, _ = _unix_server(server_factory, tmp_path,
                                     ["--max-msg-size=1000"])
    s = _raw_connect(remote)
    # Far more than the limit: the server must give up early rather than
    # read it all.
    big = _echo_request_of_size(8 * 1024 * 1024)
    try:
        s.sendall(big)
    except (BrokenPipeError, ConnectionResetError):
        pass
    _read_until_closed(s)
    s.close()
    server.wait_log("received bad JSON-RPC message: message exceeds "
                    "maximum size of 1000 bytes\n")
    assert _echo(tmp_path, remote) == ECHO_REPLY


def test_megabyte_message_passes_default_limit(server_factory, tmp_path):
    # The default limit (JSONRPC_MAX_MSG_SIZE) is 64 MiB.
    server, remote, _ = _unix_server(server_factory, tmp_path)
    s = _raw_connect(remote)
    s.sendall(_echo_request_of_size(1024 * 1024))
    reply = _read_messages(s, 1)[0]
    assert reply["result"] == ["x" * (1024 * 1024 - _ECHO_OVERHEAD)]
    s.close()


def test_long_unix_socket_path(server_factory, tmp_path):
    d = tmp_path
    while len(str(d)) < 150:
        d = d / "a-long-directory-name-for-sockets"
    d.mkdir(parents=True)
    path = str(d / "rpc.sock")
    assert len(path) > 108
    server = server_factory("punix:" + path)
    assert _echo(tmp_path, "unix:" + path) == ECHO_REPLY


def test_sigterm_removes_unix_socket_file(server_factory, tmp_path):
    server, remote, path = _unix_server(server_factory, tmp_path)
    assert os.path.exists(path)
    server.proc.terminate()
    server.proc.wait(timeout=10)
    assert not os.path.exists(path)


def test_client_interoperates_with_python_ovs_server(tmp_path):
    ovs_jsonrpc = pytest.importorskip("ovs.jsonrpc")
    ovs_stream = pytest.importorskip("ovs.stream")
    ovs_poller = pytest.importorskip("ovs.poller")
    import threading

    path = str(tmp_path / "py.sock")
    error, pstream = ovs_stream.PassiveStream.open("punix:" + path)
    assert error == 0
    stop = threading.Event()
    received = []

    def serve():
        conns = []
        while not stop.is_set():
            error, stream = pstream.accept()
            if not error:
                conns.append(ovs_jsonrpc.Connection(stream))
            for conn in list(conns):
                conn.run()
                error, msg = conn.recv()
                if msg:
                    received.append(msg.to_json())
                    if msg.type == ovs_jsonrpc.Message.T_REQUEST:
                        conn.send(ovs_jsonrpc.Message.create_reply(
                            {"echoed": msg.params}, msg.id))
                if conn.get_status():
                    conns.remove(conn)
                    conn.close()
            poller = ovs_poller.Poller()
            pstream.wait(poller)
            for conn in conns:
                conn.wait(poller)
                conn.recv_wait(poller)
            poller.timer_wait(100)
            poller.block()
        for conn in conns:
            conn.close()
        pstream.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        out = _client(tmp_path, "request", "unix:" + path, "echo",
                      '["x",[2]]').stdout
        assert out == ('{"id":0,"result":{"echoed":["x",[2]]},'
                       '"error":null}\n')
        _client(tmp_path, "notify", "unix:" + path, "note", "[true]")
        wait_for(lambda: len(received) == 2, what="notification")
        assert received[1] == {"method": "note", "params": [True],
                               "id": None}
    finally:
        stop.set()
        thread.join(timeout=10)

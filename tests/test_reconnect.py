"""Reconnecting JSON-RPC sessions (lib/jsonrpc-session, lib/reconnect)
over real sockets: reconnection with exponential backoff, inactivity
probes, transparent echo handling and passive sessions."""

import json
import os
import socket
import time

from wait import wait_for

ECHO_PROBE = {"id": "echo", "method": "echo", "params": []}


class JsonPeer:
    """One accepted connection, read as a stream of JSON-RPC messages
    with their arrival times."""

    def __init__(self, conn):
        self.conn = conn
        self.conn.settimeout(0.05)
        self.buf = b""
        self.decoder = json.JSONDecoder()
        self.eof_at = None

    def poll(self):
        """Returns the messages that arrived since the last call, as a
        list of (time, message)."""
        msgs = []
        try:
            data = self.conn.recv(65536)
            if not data:
                if self.eof_at is None:
                    self.eof_at = time.monotonic()
            self.buf += data
        except socket.timeout:
            pass
        except ConnectionResetError:
            if self.eof_at is None:
                self.eof_at = time.monotonic()
        text = self.buf.decode()
        while text.strip():
            text = text.lstrip()
            try:
                msg, end = self.decoder.raw_decode(text)
            except ValueError:
                break
            msgs.append((time.monotonic(), msg))
            text = text[end:]
        self.buf = text.encode()
        return msgs

    def send(self, msg):
        self.conn.sendall(json.dumps(msg).encode())


def listen_tcp():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(4)
    s.settimeout(10)
    return s, s.getsockname()[1]


def test_client_reconnects_with_doubling_backoff_after_server_restart(
        sessions):
    server, port = sessions.server("ptcp:0:127.0.0.1")
    remote = "tcp:127.0.0.1:%d" % port
    client = sessions.start("client", "client", remote, "hello", "[1]")
    client.wait_line(r"^reply: \[1\]$")

    server.stop()
    client.wait_log("waiting 4 seconds before reconnect", timeout=10)
    server2, port2 = sessions.server("ptcp:%d:127.0.0.1" % port)
    assert port2 == port
    client.wait_line(r"^reply: \[1\]$", count=2, timeout=10)
    assert client.lines() == ["connected peer=-", "reply: [1]",
                              "disconnected",
                              "connected peer=-", "reply: [1]"]

    log = [l for l in client.log() if l.module == "reconnect"]
    messages = [l.message for l in log]
    prefix = remote + ": "
    assert messages == [prefix + m for m in [
        "connecting...",
        "connected",
        "connection closed by peer",
        "connecting...",
        "connection attempt failed (Connection refused)",
        "waiting 2 seconds before reconnect",
        "connecting...",
        "connection attempt failed (Connection refused)",
        "waiting 4 seconds before reconnect",
        "connecting...",
        "connected",
    ]]

    # The attempts after the drop are 1, 2 and 4 seconds apart.
    attempts = [l.when for l in log if l.message.endswith("connecting...")]
    closed = [l.when for l in log if l.message.endswith("closed by peer")]
    gaps = [(b - a).total_seconds()
            for a, b in zip(closed + attempts[1:], attempts[1:])]
    assert len(gaps) == 3, gaps
    for gap, expected in zip(gaps, [1, 2, 4]):
        assert expected - 0.05 <= gap <= expected + 0.9, gaps


def test_silent_peer_gets_echo_probe_then_is_disconnected(sessions):
    listener, port = listen_tcp()
    remote = "tcp:127.0.0.1:%d" % port
    client = sessions.start("client", "--probe-interval=1000", "client",
                            remote)
    conn, _ = listener.accept()
    accepted = time.monotonic()
    peer = JsonPeer(conn)

    received = []
    wait_for(lambda: received.extend(peer.poll()) or peer.eof_at,
             timeout=6, what="client to give up on the silent peer")
    assert [m for _, m in received] == [ECHO_PROBE]
    probe_delay = received[0][0] - accepted
    close_delay = peer.eof_at - received[0][0]
    assert 0.9 <= probe_delay <= 1.6, probe_delay
    assert 0.9 <= close_delay <= 1.6, close_delay

    client.wait_log("disconnecting")
    messages = client.log_messages("reconnect")
    assert (remote + ": no response to inactivity probe after 1 seconds, "
            "disconnecting") in messages
    assert messages[messages.index(
        remote + ": no response to inactivity probe after 1 seconds, "
        "disconnecting") + 1] == remote + ": connection dropped"
    errors = [l for l in client.log() if l.level == "ERR"]
    assert [l.message for l in errors] == [
        remote + ": no response to inactivity probe after 1 seconds, "
        "disconnecting"]
    listener.close()


def test_peer_that_answers_probes_stays_connected(sessions):
    listener, port = listen_tcp()
    client = sessions.start("client", "--probe-interval=1000", "client",
                            "tcp:127.0.0.1:%d" % port)
    conn, _ = listener.accept()
    peer = JsonPeer(conn)

    probes = []
    deadline = time.monotonic() + 3.6
    while time.monotonic() < deadline:
        for when, msg in peer.poll():
            assert msg == ECHO_PROBE
            probes.append(when)
            peer.send({"id": msg["id"], "result": [], "error": None})
        assert peer.eof_at is None, "client dropped a responsive peer"
    assert len(probes) >= 3, probes
    assert client.lines() == ["connected peer=-"]
    assert not [m for m in client.log_messages() if "disconnecting" in m]
    listener.close()


def test_client_answers_echo_requests_without_showing_them(sessions):
    listener, port = listen_tcp()
    client = sessions.start("client", "--probe-interval=0", "client",
                            "tcp:127.0.0.1:%d" % port)
    conn, _ = listener.accept()
    peer = JsonPeer(conn)
    peer.send({"id": "x1", "method": "echo", "params": ["hi", 2]})
    peer.send({"id": None, "method": "note", "params": [3]})

    received = []
    wait_for(lambda: received.extend(m for _, m in peer.poll()) or received,
             timeout=5, what="echo reply")
    assert received == [{"id": "x1", "result": ["hi", 2], "error": None}]
    client.wait_line(r"^received: ")
    lines = client.lines()
    assert lines[0] == "connected peer=-"
    assert len(lines) == 2
    assert lines[1].startswith("received: ")
    assert json.loads(lines[1][len("received: "):]) == {
        "id": None, "method": "note", "params": [3]}
    listener.close()


def test_paused_server_makes_client_drop_and_reconnect(sessions, tmp_path):
    pause = tmp_path / "pause"
    server, port = sessions.server("ptcp:0:127.0.0.1",
                                   "--pause-file=%s" % pause)
    remote = "tcp:127.0.0.1:%d" % port
    client = sessions.start("client", "--probe-interval=1000", "client",
                            remote, "ping", '["a"]')
    client.wait_line(r'^reply: \["a"\]$')

    pause.write_text("")
    paused_at = time.monotonic()
    client.wait_log("no response to inactivity probe after 1 seconds, "
                    "disconnecting", timeout=6)
    assert time.monotonic() - paused_at >= 1.9
    client.wait_line("^disconnected$")

    os.unlink(pause)
    client.wait_line(r'^reply: \["a"\]$', count=2, timeout=10)
    assert client.lines()[-2:] == ["connected peer=-", 'reply: ["a"]']


def test_passive_session_serves_one_peer_at_a_time(sessions):
    # The session listens on a port chosen here: it does not report the
    # port it is bound to.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()

    passive = "ptcp:%d:127.0.0.1" % port
    client = sessions.start("client", "--probe-interval=0", "client",
                            passive, "hello", '["p"]')
    client.wait_log("listening...")

    first = JsonPeer(socket.create_connection(("127.0.0.1", port)))
    received = []
    wait_for(lambda: received.extend(m for _, m in first.poll()) or received,
             timeout=5, what="request from passive session")
    assert received[0]["method"] == "hello"
    assert received[0]["params"] == ["p"]
    first.send({"id": received[0]["id"], "result": ["ok"], "error": None})
    client.wait_line(r'^reply: \["ok"\]$')

    # A second peer replaces the first, which is disconnected.
    second = JsonPeer(socket.create_connection(("127.0.0.1", port)))
    wait_for(lambda: first.poll() is not None and first.eof_at,
             timeout=5, what="first peer to be dropped")
    client.wait_log("new connection replacing active connection")
    received = []
    wait_for(lambda: received.extend(m for _, m in second.poll())
             or received, timeout=5, what="request to second peer")
    assert received[0]["method"] == "hello"
    # The session's sequence number changed, so the client noticed a new
    # connection and sent its request again.
    assert client.lines()[:3] == ["connected peer=-", 'reply: ["ok"]',
                                  "connected peer=-"]


def test_no_retry_session_gives_up_after_one_attempt(sessions):
    listener, port = listen_tcp()
    listener.close()
    client = sessions.start("client", "--no-retry", "client",
                            "tcp:127.0.0.1:%d" % port)
    assert client.wait_exit() == 1
    assert client.lines() == ["connection failed (Connection refused)"]

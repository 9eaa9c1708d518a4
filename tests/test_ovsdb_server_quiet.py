"""ovsdb-server with many idle clients: connections with nothing to do are
left alone ("quiet") until their input arrives, something is sent to them
or one of their timers is due.  Whatever state a connection is in, it
answers its requests (whole, partial or many in one write) promptly, gets
its monitor updates and lock notifications, is probed for inactivity (also
once probes are turned on later), is dropped by ovsdb-server/reconnect and
remove-remote and forgotten when it hangs up, and a client being
disconnected because its database went away does not make the server
spin, however much it sends.  Each test runs against the reference
ovsdb-server too, where the behaviour is the same."""

import json
import os
import random
import socket
import threading
import time

import pytest

import paths
from wait import wait_for

from test_ovsdb_server import Client, _start_server
from test_ovsdb_server_remotes import (_add_conn, _create_other_db,
                                       _listening_ports, _connect)

SCHEMA = {
    "name": "Q", "version": "1.0.0",
    "tables": {"R": {"columns": {"n": {"type": "integer"},
                                 "v": {"type": "string"}},
                     "isRoot": True}}}
MONITOR_R = {"R": [{"columns": ["n", "v"]}]}

# Each test runs against Turnout's server and the reference.
BOTH_SERVERS = pytest.mark.parametrize("server", [
    "turnout", pytest.param("reference", marks=pytest.mark.reference)])


def _start(sandbox, server="turnout", extra=()):
    """Starts a server (ours or the reference) on a new database "Q" and
    returns (daemon, unix socket path, control socket path)."""
    db = sandbox.path(server + ".db")
    schema = sandbox.path("q.ovsschema")
    with open(schema, "w") as f:
        json.dump(SCHEMA, f)
    sandbox.run(["ovsdb-tool", "create", db, schema], check=True)
    if server == "turnout":
        d, sock = _start_server(sandbox, db, extra=extra)
        return d, sock, sandbox.ctl_socket(d)
    # The reference names its control socket after its program.
    ctl = sandbox.path("ref.ctl")
    d, sock = _start_server(sandbox, db, program=paths.reference(
        "ovsdb-server"), name="ref", extra=["--unixctl=" + ctl] + list(extra))
    wait_for(lambda: os.path.exists(ctl), what=ctl)
    return d, sock, ctl


def _clients(sock, n, monitoring):
    """Returns 'n' new clients of 'sock': client i monitors table R if
    monitoring(i), and otherwise has echoed once."""
    clients = [Client(sock) for _ in range(n)]
    for i, c in enumerate(clients):
        if monitoring(i):
            r = c.request("monitor_cond", ["Q", i, MONITOR_R])
            assert r["error"] is None, r
        else:
            assert c.request("echo", [i])["result"] == [i]
    return clients


def _quiet_others(sock):
    """Makes the server run a few iterations for a client of its own, in
    which the connections that have nothing to do become quiet (a server
    that does not iterate does not look at them at all)."""
    c = Client(sock)
    assert c.request("echo", ["nudge"])["result"] == ["nudge"]
    c.close()


def _appctl(sandbox, ctl, *args):
    return sandbox.run(["ovs-appctl", "-t", ctl] + list(args), check=True)


def _cpu_seconds(pid):
    """User plus system CPU time that process 'pid' has used."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15; fields[0] is field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _recv_or_eof(client, timeout):
    """Returns the next message, "EOF" if the server closed the
    connection, or None if nothing came within 'timeout' seconds."""
    client.sock.settimeout(timeout)
    deadline = time.monotonic() + timeout
    while True:
        text = client.buf.lstrip()
        if text:
            try:
                obj, end = client.decoder.raw_decode(text)
                client.buf = text[end:]
                return obj
            except ValueError:
                pass
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        client.sock.settimeout(left)
        try:
            data = client.sock.recv(1 << 16)
        except socket.timeout:
            return None
        except ConnectionResetError:
            return "EOF"
        if not data:
            return "EOF"
        client.buf += data.decode()


def _timed_request(client, method, params):
    """Sends a request and returns (reply, seconds it took), keeping the
    notifications that came before the reply in client.notes."""
    start = time.monotonic()
    reply = client.request(method, params)
    return reply, time.monotonic() - start


def _insert(n, v=""):
    return {"op": "insert", "table": "R", "row": {"n": n, "v": v}}


def _rows_inserted(msg):
    """The 'n' of the rows that an update2 notification inserts."""
    assert msg["method"] == "update2", msg
    return sorted(row["insert"].get("n", 0)
                  for row in msg["params"][1].get("R", {}).values())


@BOTH_SERVERS
def test_many_idle_clients_answer_promptly_in_random_order(sandbox, server):
    _, sock, _ = _start(sandbox, server)
    n_clients = 200
    clients = [Client(sock) for _ in range(n_clients)]
    for i, c in enumerate(clients):
        r = c.request("monitor_cond", ["Q", i, MONITOR_R])
        assert r == {"id": c.next_id, "result": {}, "error": None}

    # All silent, then each in turn, in random order, asks something: an
    # echo, or a transaction, which must be answered promptly (a quiet
    # connection not woken by its input would wait forever).
    rng = random.Random(20261122)
    for round_ in range(2):
        _quiet_others(sock)
        order = list(range(n_clients))
        rng.shuffle(order)
        slowest = 0.0
        for i in order:
            c = clients[i]
            if rng.random() < 0.5:
                reply, took = _timed_request(c, "echo", ["x", i, round_])
                assert reply == {"id": c.next_id, "result": ["x", i, round_],
                                 "error": None}
            else:
                reply, took = _timed_request(c, "transact", [
                    "Q", {"op": "select", "table": "R", "where": [],
                          "columns": ["n"]}])
                assert reply["error"] is None, reply
                assert reply["result"] == [{"rows": [
                    {"n": k} for k in range(round_)]}]
            assert c.notes == []
            slowest = max(slowest, took)
        assert slowest < 2.0, "slowest reply took %.3f s" % slowest

        # One client's commit reaches every monitor, all of them quiet.
        _quiet_others(sock)
        writer = clients[rng.randrange(n_clients)]
        reply = writer.request("transact", ["Q", _insert(round_)])
        assert reply["error"] is None and "error" not in reply["result"][0]
        for i, c in enumerate(clients):
            if c is writer:
                assert len(c.notes) == 1, c.notes
                msg = c.notes[0]
            else:
                msg = c.recv(timeout=5)
                assert msg is not None, "monitor %d got no update" % i
            assert msg["params"][0] == i
            assert _rows_inserted(msg) == [round_], msg
    # Nothing else was sent to anyone.
    for c in clients:
        assert c.recv(timeout=0.01) is None


@BOTH_SERVERS
def test_update_bigger_than_socket_reaches_quiet_monitors(sandbox, server):
    """An update that does not fit in the socket leaves the server with a
    backlog for each monitor, which it must go on sending although the
    monitors stay silent."""
    _, sock, _ = _start(sandbox, server)
    monitors = [Client(sock) for _ in range(10)]
    for i, c in enumerate(monitors):
        assert c.request("monitor_cond", ["Q", i, MONITOR_R])["error"] is None
    _quiet_others(sock)
    big = "y" * (2 << 20)
    writer = Client(sock)
    reply = writer.request("transact", ["Q", _insert(1, big)])
    assert reply["error"] is None and "error" not in reply["result"][0]
    for i, c in enumerate(monitors):
        msg = c.recv(timeout=5)
        assert msg is not None, "monitor %d got no update" % i
        (row,) = msg["params"][1]["R"].values()
        assert msg["params"][0] == i and row["insert"] == {"n": 1, "v": big}


@BOTH_SERVERS
def test_quiet_client_waiting_for_lock_is_told_when_it_gets_it(sandbox, server):
    _, sock, _ = _start(sandbox, server)
    holder, waiter = Client(sock), Client(sock)
    assert holder.request("lock", ["L"])["result"] == {"locked": True}
    assert waiter.request("lock", ["L"])["result"] == {"locked": False}
    _quiet_others(sock)
    holder.close()
    assert waiter.recv(timeout=5) == {"id": None, "method": "locked",
                                      "params": ["L"]}


def _other_server_with_probe(sandbox, server, probe_ms):
    """A server whose database "Other" configures a ptcp listener with an
    inactivity probe of 'probe_ms'; returns (daemon, port, unix socket)."""
    db = _create_other_db(sandbox)
    extra = ["--remote=db:Other,Config,conns"]
    if server == "turnout":
        d, sock = _start_server(sandbox, db, extra=extra)
    else:
        d, sock = _start_server(sandbox, db, name="ref", extra=extra,
                                program=paths.reference("ovsdb-server"))
    c = Client(sock)
    target = "ptcp:0:127.0.0.1"
    r = _add_conn(c, {"target": target, "inactivity_probe": probe_ms})
    assert r["error"] is None and "error" not in r["result"][1], r
    c.close()
    port = wait_for(lambda: _listening_ports(d, target), what="listener")[0]
    return d, port, sock


def _late(server):
    """How late, in seconds, a 1-s inactivity probe may come.  The
    reference looks at its timers only when something else wakes it
    (every 2.5 s at least): its probes come later than ours."""
    return 2.5 if server == "turnout" else 5.0


def _tcp(port):
    c = Client.__new__(Client)
    c.sock = wait_for(lambda: _connect(port), what="connection")
    c.buf, c.decoder, c.next_id = "", json.JSONDecoder(), 0
    return c


@BOTH_SERVERS
def test_silent_tcp_client_is_probed_then_disconnected(sandbox, server):
    _, port, _ = _other_server_with_probe(sandbox, server, 1000)
    late = _late(server)

    # Alone on the server, so that nothing but its own timer wakes the
    # server for it.
    silent = _tcp(port)
    start = time.monotonic()
    msg = _recv_or_eof(silent, 5)
    probe_at = time.monotonic() - start
    assert msg == {"method": "echo", "params": [], "id": "echo"}
    assert 0.9 <= probe_at <= late, probe_at
    assert _recv_or_eof(silent, 5) == "EOF"
    gone_at = time.monotonic() - start
    assert probe_at + 0.9 <= gone_at <= probe_at + late, (probe_at,
                                                          gone_at)


@BOTH_SERVERS
def test_tcp_client_that_answers_probes_stays_connected(sandbox, server):
    _, port, _ = _other_server_with_probe(sandbox, server, 1000)
    client = _tcp(port)
    start = time.monotonic()
    probes = []
    while time.monotonic() - start < 4.5:
        msg = _recv_or_eof(client, 0.5)
        assert msg != "EOF", "disconnected after %.1f s" % (
            time.monotonic() - start)
        if msg is not None:
            assert msg == {"method": "echo", "params": [], "id": "echo"}
            probes.append(time.monotonic() - start)
            client.send({"id": "echo", "result": [], "error": None})
    assert len(probes) >= 2, probes
    assert 0.9 <= probes[0] <= _late(server), probes
    # Still served.
    r = client.request("list_dbs", [])
    assert r == {"id": 1, "result": ["Other", "_Server"], "error": None}


@BOTH_SERVERS
def test_probe_enabled_later_applies_to_quiet_client(sandbox, server):
    _, port, sock = _other_server_with_probe(sandbox, server, 0)
    client = _tcp(port)
    assert client.request("echo", [])["result"] == []
    _quiet_others(sock)
    # Probes off: nothing comes.
    assert _recv_or_eof(client, 1.5) is None

    admin = Client(sock)
    r = admin.request("transact", ["Other", {
        "op": "update", "table": "Conn", "where": [],
        "row": {"inactivity_probe": 1000}}])
    assert r["error"] is None and r["result"] == [{"count": 1}], r
    start = time.monotonic()
    msg = _recv_or_eof(client, 5)
    assert msg == {"method": "echo", "params": [], "id": "echo"}
    assert time.monotonic() - start <= _late(server)


@BOTH_SERVERS
def test_reconnect_command_drops_idle_clients(sandbox, server):
    _, sock, ctl = _start(sandbox, server)
    clients = _clients(sock, 30, monitoring=lambda i: i % 2)
    _quiet_others(sock)

    r = _appctl(sandbox, ctl, "ovsdb-server/reconnect")
    assert r.stdout == ""
    for i, c in enumerate(clients):
        assert _recv_or_eof(c, 5) == "EOF", "client %d not dropped" % i
    # New clients are served as before.
    c = Client(sock)
    assert c.request("echo", ["again"])["result"] == ["again"]


def _memory_sessions(sandbox, ctl):
    """The number of sessions that memory/show reports."""
    out = _appctl(sandbox, ctl, "memory/show").stdout
    fields = dict(f.split(":", 1) for f in out.split())
    return int(fields["sessions"])


@BOTH_SERVERS
def test_quiet_clients_that_hang_up_are_forgotten(sandbox, server):
    d, sock, ctl = _start(sandbox, server)
    clients = _clients(sock, 40, monitoring=lambda i: True)
    _quiet_others(sock)
    wait_for(lambda: _memory_sessions(sandbox, ctl) == 40, what="40 sessions")
    for c in clients[:30]:
        c.close()
    wait_for(lambda: _memory_sessions(sandbox, ctl) == 10, what="10 sessions")

    # The hang-ups do not keep waking the server, and the rest still get
    # their updates.
    before = _cpu_seconds(d.pid())
    time.sleep(1.0)
    used = _cpu_seconds(d.pid()) - before
    assert used < 0.2, "server used %.2f s of CPU in 1 s" % used
    writer = Client(sock)
    assert "error" not in writer.request(
        "transact", ["Q", _insert(5)])["result"][0]
    for c in clients[30:]:
        msg = c.recv(timeout=5)
        assert msg is not None and _rows_inserted(msg) == [5]


@BOTH_SERVERS
def test_remove_remote_drops_its_quiet_clients(sandbox, server):
    d, sock, ctl = _start(sandbox, server)
    other = sandbox.path("other.sock")
    _appctl(sandbox, ctl, "ovsdb-server/add-remote", "punix:" + other)
    def connect():
        try:
            return Client(other)
        except (FileNotFoundError, ConnectionRefusedError):
            return None
    leaving = [wait_for(connect, what=other) for _ in range(10)]
    staying = [Client(sock) for _ in range(10)]
    for c in leaving + staying:
        assert c.request("echo", [])["result"] == []
    _quiet_others(sock)

    _appctl(sandbox, ctl, "ovsdb-server/remove-remote", "punix:" + other)
    for i, c in enumerate(leaving):
        assert _recv_or_eof(c, 5) == "EOF", "client %d not dropped" % i
    # New connections may reuse the numbers of the closed ones.
    newcomers = [Client(sock) for _ in range(10)]
    _quiet_others(sock)
    for c in staying + newcomers:
        assert c.request("echo", ["x"])["result"] == ["x"]


def _fill_backlog(client, chunk=1 << 16, n=64):
    """Sends up to 'n' echo requests of about 'chunk' bytes without reading
    the replies, so that the server holds replies for this client that do
    not fit in the socket.  Stops early when the server stops reading (as
    the reference does while it has a backlog for the client)."""
    payload = "b" * chunk
    client.sock.settimeout(1)
    try:
        for i in range(n):
            client.send({"method": "echo", "params": [payload],
                         "id": "f%d" % i})
    except socket.timeout:
        pass


class _Flooder(threading.Thread):
    """Sends bytes on 'sock' as fast as the server takes them, without
    reading anything, until stopped."""

    def __init__(self, sock):
        super().__init__(daemon=True)
        self.sock = sock
        self.stop = threading.Event()
        self.sent = 0

    def run(self):
        self.sock.setblocking(False)
        data = b'{"method":"echo","params":["' + b"z" * 4000 + b'"],"id":0}'
        while not self.stop.is_set():
            try:
                self.sent += self.sock.send(data)
            except BlockingIOError:
                self.stop.wait(0.001)
            except OSError:
                return


@BOTH_SERVERS
def test_remove_db_with_unaware_clients_does_not_spin(sandbox, server):
    d, sock, ctl = _start(sandbox, server)
    pid = d.pid()

    # An idle client that is not change-aware, one that is, and a
    # non-aware one with a backlog, which keeps sending and never reads.
    idle = Client(sock)
    assert idle.request("monitor_cond", ["Q", "i", MONITOR_R])["error"] \
        is None
    aware = Client(sock)
    assert aware.request("set_db_change_aware", [True])["error"] is None
    assert aware.request("monitor_cond", ["Q", "a", MONITOR_R])["error"] \
        is None
    flooder = Client(sock)
    assert flooder.request("echo", [])["error"] is None
    _fill_backlog(flooder)
    _quiet_others(sock)

    _appctl(sandbox, ctl, "ovsdb-server/remove-db", "Q")
    flood = _Flooder(flooder.sock)
    flood.start()
    try:
        # The idle non-aware client is disconnected, the aware one told.
        assert _recv_or_eof(idle, 5) == "EOF"
        assert aware.recv() == {"id": None, "method": "monitor_canceled",
                                "params": ["a"]}

        # However much the flooder sends, the server does not spin: what
        # it does not read any more must not wake it.
        wait_for(lambda: flood.sent > 0 or not flood.is_alive(),
                 what="the flooder to send")
        before = _cpu_seconds(pid)
        time.sleep(1.5)
        used = _cpu_seconds(pid) - before
        assert used < 0.3, "server used %.2f s of CPU in 1.5 s" % used
        if server == "turnout":
            # Still connected (ours sends what it has for a client before
            # disconnecting it; the reference drops it at once), with
            # input that the server does not read.
            assert flood.is_alive() and flood.sent > 0

        # The aware client is served meanwhile.
        r, took = _timed_request(aware, "echo", ["still"])
        assert r["result"] == ["still"] and took < 1.0, (r, took)
    finally:
        flood.stop.set()
        flood.join()

    # Once the flooder reads what the server had for it, it is
    # disconnected.
    flooder.sock.setblocking(True)
    flooder.sock.settimeout(10)
    received = 0
    while True:
        try:
            data = flooder.sock.recv(1 << 20)
        except ConnectionResetError:
            break
        if not data:
            break
        received += len(data)
    if server == "turnout":
        # What it had queued (flow control keeps that to about what the
        # socket holds, as in the reference).
        assert received > 0
    assert _recv_or_eof(aware, 0.1) is None
    assert aware.request("list_dbs", [])["result"] == ["_Server"]


@BOTH_SERVERS
def test_partial_message_of_quiet_client_is_completed_later(sandbox, server):
    _, sock, _ = _start(sandbox, server)
    c = Client(sock)
    assert c.request("echo", [0])["result"] == [0]
    _quiet_others(sock)

    first = json.dumps({"method": "echo", "params": ["one"], "id": 1})
    second = json.dumps({"method": "transact", "id": 2, "params": [
        "Q", _insert(7, "seven")]})
    cut = len(second) // 2

    # A complete request and the start of another: the first is answered,
    # the second waits for the rest, which comes 200 ms later.
    c.sock.sendall((first + second[:cut]).encode())
    assert c.recv(timeout=2) == {"id": 1, "result": ["one"], "error": None}
    assert c.recv(timeout=0.2) is None
    c.sock.sendall(second[cut:].encode())
    start = time.monotonic()
    r = c.recv(timeout=5)
    assert r is not None and time.monotonic() - start < 1.0
    assert r["id"] == 2 and r["error"] is None
    assert list(r["result"][0]) == ["uuid"]

    # The same after being quiet with half a message read, split inside
    # a string.
    _quiet_others(sock)
    third = json.dumps({"method": "echo", "params": ["a long string"],
                        "id": 3})
    c.sock.sendall(third[:third.index("long")].encode())
    time.sleep(0.2)
    _quiet_others(sock)
    c.sock.sendall(third[third.index("long"):].encode())
    assert c.recv(timeout=2) == {"id": 3, "result": ["a long string"],
                                 "error": None}


@BOTH_SERVERS
def test_burst_of_requests_in_one_write_is_answered_entirely(sandbox, server):
    """More requests than the server handles for one client per iteration,
    in one write, then silence: the rest, already read from the socket,
    must not wait for more input."""
    _, sock, _ = _start(sandbox, server)
    c = Client(sock)
    assert c.request("echo", [])["result"] == []
    _quiet_others(sock)
    n = 500
    c.sock.sendall("".join(
        json.dumps({"method": "echo", "params": [i], "id": i})
        for i in range(n)).encode())
    for i in range(n):
        msg = c.recv(timeout=2)
        assert msg == {"id": i, "result": [i], "error": None}, (i, msg)


@BOTH_SERVERS
def test_client_that_does_not_read_is_not_read_either(sandbox, server):
    """Flow control: while replies to a client wait to be sent, the server
    reads nothing more from it, so a client that sends without reading
    soon finds its writes blocked instead of making the server queue 20 MB
    of replies.  Once it reads, every reply arrives, in order."""
    _, sock, _ = _start(sandbox, server)
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    payload = "x" * 4000
    n = 5000
    data = "".join(json.dumps({"method": "echo", "params": [payload],
                               "id": i}) for i in range(n)).encode()

    s.setblocking(False)
    sent = 0
    last_progress = time.monotonic()
    while sent < len(data) and time.monotonic() - last_progress < 1.0:
        try:
            sent += s.send(data[sent:sent + 65536])
            last_progress = time.monotonic()
        except BlockingIOError:
            time.sleep(0.01)
    # Socket buffers hold a few hundred kB each way; the server may hold
    # what it read from one more read.
    assert sent < 5 * 1024 * 1024, f"server read {sent} bytes unanswered"

    received = []

    def reader():
        buf = b""
        dec = json.JSONDecoder()
        s.setblocking(True)
        s.settimeout(20)
        while len(received) < n:
            chunk = s.recv(1 << 20)
            if not chunk:
                return
            buf += chunk
            text = buf.decode()
            pos = 0
            while True:
                while pos < len(text) and text[pos].isspace():
                    pos += 1
                try:
                    msg, pos = dec.raw_decode(text, pos)
                except ValueError:
                    break
                received.append(msg["id"])
            buf = text[pos:].encode()

    t = threading.Thread(target=reader)
    t.start()
    rest = memoryview(data)[sent:]
    while rest:
        try:
            k = s.send(rest)
            rest = rest[k:]
        except BlockingIOError:
            time.sleep(0.001)
    t.join(30)
    s.close()
    assert received == list(range(n))

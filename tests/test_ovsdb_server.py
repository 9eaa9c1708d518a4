"""ovsdb-server: JSON-RPC methods, locks, monitors, unixctl commands and
storage, driven by raw JSON-RPC clients and by Debian's OVS clients, and
compared with the reference ovsdb-server where both can run."""

import json
import os
import socket
import subprocess

import pytest

import paths
from wait import wait_for

SCHEMA = os.path.join(paths.TOP, "schemas", "vswitch.ovsschema")
ZERO_UUID = "00000000-0000-0000-0000-000000000000"


class Client:
    """A minimal JSON-RPC client over a unix socket."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.buf = ""
        self.decoder = json.JSONDecoder()
        self.next_id = 0

    def send(self, msg):
        self.sock.sendall(json.dumps(msg).encode())

    def recv(self, timeout=5.0):
        """Returns the next message, or None on timeout or EOF."""
        self.sock.settimeout(timeout)
        while True:
            text = self.buf.lstrip()
            if text:
                try:
                    obj, end = self.decoder.raw_decode(text)
                    self.buf = text[end:]
                    self.last_text = text[:end]
                    return obj
                except ValueError:
                    pass
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not data:
                return None
            self.buf += data.decode()

    def request(self, method, params):
        """Sends a request; returns its reply (whose text, as received, is
        then in self.last_text), keeping notifications that arrived before
        it in self.notes."""
        self.next_id += 1
        rid = self.next_id
        self.send({"method": method, "params": params, "id": rid})
        self.notes = []
        while True:
            msg = self.recv()
            assert msg is not None, "no reply to %s" % method
            if msg.get("id") == rid:
                return msg
            self.notes.append(msg)

    def close(self):
        self.sock.close()


def _create_db(sb, name="conf.db"):
    path = sb.path(name)
    sb.run(["ovsdb-tool", "create", path, SCHEMA], check=True)
    return path


def _start_server(sb, db, program="ovsdb-server", name=None, extra=()):
    sock = sb.path((name or "db") + ".sock")
    argv = [program, "--remote=punix:" + sock, "--no-chdir"] + list(extra)
    argv.append(db)
    # The reference names its control socket after its program, not
    # after 'name', so readiness is the database socket appearing.
    d = sb.start_daemon(argv, name=name or "ovsdb-server",
                        wait_ctl=name is None)
    wait_for(lambda: os.path.exists(sock), what=sock)
    return d, sock


def _appctl(sb, daemon, *args):
    return sb.run(["ovs-appctl", "-t", sb.ctl_socket(daemon)] + list(args))


def _normalize(reply):
    """Drops what differs legitimately between servers: nothing but the
    'result' member that OVS leaves out of error replies."""
    reply = dict(reply)
    if reply.get("error") is not None:
        reply.pop("result", None)
    return reply


BASIC_REQUESTS = [
    ("list_dbs", []),
    ("get_schema", ["nope"]),
    ("get_schema", []),
    ("get_schema", ["_Server"]),
    ("get_schema", ["Open_vSwitch"]),
    ("echo", [1, "a"]),
    ("frobnicate", []),
    ("transact", ["nope"]),
    ("transact", []),
    ("lock", []),
    ("lock", ["bad name"]),
    ("lock", ["x"]),
    ("lock", ["x"]),
    ("steal", ["x"]),
    ("unlock", ["y"]),
    ("unlock", ["x"]),
    ("set_db_change_aware", [1]),
    ("set_db_change_aware", [True]),
    ("monitor_cancel", ["zz"]),
    ("monitor_cancel", []),
    ("monitor", ["nope", None, {}]),
    ("monitor", ["Open_vSwitch", 1, {"Brid": {}}]),
    ("monitor", ["Open_vSwitch", 2, {"Bridge": {"columns": ["foo"]}}]),
    ("monitor", ["Open_vSwitch", 3,
                 {"Bridge": {"columns": ["name", "name"]}}]),
    ("monitor", ["Open_vSwitch", 4, {"Bridge": {"select": {"foo": True}}}]),
    ("monitor_cond_since", ["Open_vSwitch", 5, {"Bridge": [{}]}, "zz"]),
    ("monitor_cond_since", ["Open_vSwitch", 6, {"Bridge": [{}]}]),
    ("monitor_cond_change", ["x", "y", {}]),
    ("transact", ["_Server", {"op": "insert", "table": "Database",
                              "row": {"name": "x", "model": "standalone"}}]),
    ("transact", ["Open_vSwitch", {"op": "select", "table": "Bridge",
                                   "where": []}]),
]


@pytest.mark.reference
def test_basic_methods_reply_like_reference(sandbox):
    ref = paths.reference("ovsdb-server")
    db1 = _create_db(sandbox, "turnout.db")
    db2 = _create_db(sandbox, "ref.db")
    _, sock1 = _start_server(sandbox, db1)
    _, sock2 = _start_server(sandbox, db2, program=ref, name="ref")
    replies = []
    for sock in (sock1, sock2):
        c = Client(sock)
        replies.append([_normalize(c.request(m, p))
                        for m, p in BASIC_REQUESTS])
        c.close()
    for (m, p), ours, theirs in zip(BASIC_REQUESTS, *replies):
        assert ours == theirs, "%s %s" % (m, p)


def test_help_matches_reference(sandbox):
    ref = paths.reference("ovsdb-server")
    ours = sandbox.run(["ovsdb-server", "--help"])
    theirs = sandbox.run([ref, "--help"])
    assert ours.returncode == 0
    assert ours.stdout == theirs.stdout


def test_missing_database_file_fails_with_ovs_message(sandbox):
    r = sandbox.run(["ovsdb-server", "--unixctl=none", "nonexist.db"])
    assert r.returncode == 1
    assert r.stderr == ("ovsdb-server: I/O error: nonexist.db: open failed "
                        "(No such file or directory)\n")


def test_locks_hand_over_with_locked_and_stolen_notifications(sandbox):
    _, sock = _start_server(sandbox, _create_db(sandbox))
    a, b, c = Client(sock), Client(sock), Client(sock)
    assert a.request("lock", ["L"])["result"] == {"locked": True}
    assert b.request("lock", ["L"])["result"] == {"locked": False}
    assert c.request("steal", ["L"])["result"] == {"locked": True}
    assert a.recv() == {"id": None, "method": "stolen", "params": ["L"]}
    # The victim stays queued second: it gets the lock back first.
    c.request("unlock", ["L"])
    assert a.recv() == {"id": None, "method": "locked", "params": ["L"]}
    assert b.recv(timeout=0.3) is None
    a.close()
    assert b.recv() == {"id": None, "method": "locked", "params": ["L"]}
    r = b.request("transact", ["Open_vSwitch",
                               {"op": "assert", "lock": "L"},
                               {"op": "assert", "lock": "Q"}])
    assert r["result"] == [{}, {"error": "not owner",
                                "details": "Asserted lock Q not held."}]


def test_bad_json_drops_only_that_client(sandbox):
    _, sock = _start_server(sandbox, _create_db(sandbox))
    good = Client(sock)
    bad = Client(sock)
    bad.sock.sendall(b'{"method":"echo","params":{},"id":1}')
    assert bad.recv() is None
    garbage = Client(sock)
    garbage.sock.sendall(b"]]]")
    assert garbage.recv() is None
    assert good.request("echo", ["still here"])["result"] == ["still here"]


def test_ovs_vsctl_works_and_data_survives_restart(sandbox):
    vsctl = paths.reference("ovs-vsctl")
    db = _create_db(sandbox)
    d, sock = _start_server(sandbox, db)

    def v(*args):
        return sandbox.run([vsctl, "--no-wait", "--db=unix:" + sock,
                            "--timeout=10"] + list(args), check=True).stdout

    v("init")
    v("add-br", "br0")
    v("add-port", "br0", "p1")
    v("set", "Bridge", "br0", "other_config:k=v")
    assert "Port p1" in v("show")
    assert v("get", "Bridge", "br0", "other_config:k").strip() == "v"
    assert v("find", "Port", "name=p1").startswith("_uuid")
    v("add-br", "br1")
    v("del-br", "br0")

    sandbox.stop_daemon(d)
    d, sock = _start_server(sandbox, db)
    assert v("list-br").split() == ["br1"]
    assert "p1" not in v("show")

    # Compaction keeps the contents and shrinks the file.
    before = os.path.getsize(db)
    assert _appctl(sandbox, d, "ovsdb-server/compact").returncode == 0
    assert os.path.getsize(db) < before
    assert v("list-br").split() == ["br1"]


def test_show_log_of_reference_tool_reads_our_records(sandbox):
    tool = paths.reference("ovsdb-tool")
    db = _create_db(sandbox)
    _, sock = _start_server(sandbox, db)
    c = Client(sock)
    r = c.request("transact", ["Open_vSwitch",
                               {"op": "insert", "table": "Open_vSwitch",
                                "row": {}},
                               {"op": "comment", "comment": "hello"}])
    assert "error" not in r["result"][0]
    out = sandbox.run([tool, "show-log", "-m", db], check=True).stdout
    assert '"hello"' in out
    assert "table Open_vSwitch insert row" in out


def _insert_qos(c, name):
    r = c.request("transact", ["Open_vSwitch",
                               {"op": "insert", "table": "QoS",
                                "row": {"type": name}}])
    return r["result"][0]["uuid"][1]


def test_monitor_cond_since_resumes_with_missed_changes_only(sandbox):
    _, sock = _start_server(sandbox, _create_db(sandbox))
    req = {"QoS": [{"columns": ["type"]}]}
    a = Client(sock)
    r = a.request("monitor_cond_since", ["Open_vSwitch", "m", req, ZERO_UUID])
    found, first_id, initial = r["result"]
    assert found is False and initial == {}

    writer = Client(sock)
    u1 = _insert_qos(writer, "br1")
    note = a.recv()
    assert note["method"] == "update3"
    mon_id, id1, updates = note["params"]
    assert mon_id == "m"
    assert updates == {"QoS": {u1: {"insert": {"type": "br1"}}}}
    u2 = _insert_qos(writer, "br2")
    id2 = a.recv()["params"][1]
    assert id2 != id1

    # A client that saw id1 gets only br2; one that saw id2 gets nothing.
    b = Client(sock)
    r = b.request("monitor_cond_since", ["Open_vSwitch", "m", req, id1])
    assert r["result"] == [True, id2,
                           {"QoS": {u2: {"insert": {"type": "br2"}}}}]
    r = b.request("monitor_cond_since", ["Open_vSwitch", "n", req, id2])
    assert r["result"] == [True, id2, {}]
    # An unknown id means a full resynchronisation.
    r = b.request("monitor_cond_since", ["Open_vSwitch", "o", req, ZERO_UUID])
    assert r["result"][0] is False
    assert set(r["result"][2]["QoS"]) == {u1, u2}


def test_identical_monitors_get_identical_updates_before_reply(sandbox):
    _, sock = _start_server(sandbox, _create_db(sandbox))
    clients = [Client(sock) for _ in range(3)]
    for i, c in enumerate(clients):
        r = c.request("monitor_cond", ["Open_vSwitch", i,
                                       {"QoS": [{"columns": ["type"],
                                                    "where": [["type", "==",
                                                               "x"]]}]}])
        assert r["result"] == {}
    # The writer monitors too: its update must arrive before its reply.
    writer = clients[0]
    uuid = _insert_qos(writer, "x")
    assert [n["method"] for n in writer.notes] == ["update2"]
    expected = {"QoS": {uuid: {"insert": {"type": "x"}}}}
    assert writer.notes[0]["params"] == [0, expected]
    for i, c in enumerate(clients[1:], 1):
        assert c.recv() == {"id": None, "method": "update2",
                            "params": [i, expected]}
    # A row outside every condition produces no update at all.
    _insert_qos(writer, "y")
    assert writer.notes == []


def test_monitor_cond_change_sends_rows_entering_and_leaving(sandbox):
    _, sock = _start_server(sandbox, _create_db(sandbox))
    c = Client(sock)
    u0 = _insert_qos(c, "br0")
    u1 = _insert_qos(c, "br1")
    r = c.request("monitor_cond", ["Open_vSwitch", "A",
                                   {"QoS": [{"columns": ["type"],
                                                "where": [["type", "==",
                                                           "br1"]]}]}])
    assert r["result"] == {"QoS": {u1: {"initial": {"type": "br1"}}}}
    r = c.request("monitor_cond_change",
                  ["A", "B", {"QoS": [{"where": [["type", "==",
                                                      "br0"]]}]}])
    assert r["result"] == {}
    assert c.notes == [{"id": None, "method": "update2", "params": [
        "B", {"QoS": {u0: {"insert": {"type": "br0"}},
                         u1: {"delete": None}}}]}]


# Two requests for one table, the second only for inserts; the last
# monitor swaps which columns get which select, so that it must not share
# the others' monitor.
_SPLIT_SELECT = {"QoS": [
    {"columns": ["type"]},
    {"columns": ["other_config", "external_ids"],
     "select": {"initial": False, "delete": False, "modify": False}}]}
_SWAPPED_SELECT = {"QoS": [
    {"columns": ["type"],
     "select": {"initial": False, "delete": False, "modify": False}},
    {"columns": ["other_config", "external_ids"]}]}
_QOS_UUIDS = ["91000000-0000-4000-8000-00000000000%d" % i for i in (1, 2)]
_SPLIT_SELECT_CHANGES = [
    {"op": "update", "table": "QoS", "where": [],
     "row": {"other_config": ["map", [["a", "2"]]]}},
    {"op": "update", "table": "QoS", "where": [], "row": {"type": "t2"}},
    {"op": "update", "table": "QoS", "where": [],
     "row": {"type": "t3", "external_ids": ["map", [["k", "v"]]]}},
    {"op": "insert", "table": "QoS", "uuid": _QOS_UUIDS[1],
     "row": {"type": "t4", "other_config": ["map", [["b", "1"]]]}},
    {"op": "delete", "table": "QoS", "where": []},
]


def _split_select_updates(sock):
    writer = Client(sock)
    writer.request("transact", ["Open_vSwitch", {
        "op": "insert", "table": "QoS", "uuid": _QOS_UUIDS[0],
        "row": {"type": "t1", "other_config": ["map", [["a", "1"]]]}}])
    monitors = [("monitor", [_SPLIT_SELECT]),
                ("monitor_cond", [_SPLIT_SELECT]),
                ("monitor_cond_since", [_SPLIT_SELECT, ZERO_UUID]),
                ("monitor_cond", [_SWAPPED_SELECT])]
    clients, seen = [], []
    for i, (method, params) in enumerate(monitors):
        c = Client(sock)
        reply = c.request(method, ["Open_vSwitch", i] + params)
        if method == "monitor_cond_since":
            # OVS's standalone server has no transaction ids.
            reply["result"][1] = "ID"
        seen.append(reply)
        clients.append(c)
    for op in _SPLIT_SELECT_CHANGES:
        writer.request("transact", ["Open_vSwitch", op])
        for c in clients:
            note = c.recv()
            if note and note["method"] == "update3":
                note["params"][1] = "ID"
            seen.append(note)
    for c in clients:
        assert c.recv(timeout=0.2) is None
    return seen


@pytest.mark.reference
def test_monitor_columns_get_only_updates_their_request_selected(sandbox):
    """With several requests for one table, each column appears only in
    the kinds of updates its own request selected, and a change to
    columns selected for no modification is an empty modification, in
    update, update2 and update3 as with the reference server."""
    ref = paths.reference("ovsdb-server")
    _, sock1 = _start_server(sandbox, _create_db(sandbox, "turnout.db"))
    _, sock2 = _start_server(sandbox, _create_db(sandbox, "ref.db"),
                             program=ref, name="ref")
    ours = _split_select_updates(sock1)
    assert ours == _split_select_updates(sock2)
    # The first change, to "other_config" only, as each protocol sends it.
    assert ours[4:8] == [
        {"id": None, "method": "update", "params": [0, {"QoS": {
            _QOS_UUIDS[0]: {"old": {}, "new": {"type": "t1"}}}}]},
        {"id": None, "method": "update2", "params": [1, {"QoS": {
            _QOS_UUIDS[0]: {"modify": {}}}}]},
        {"id": None, "method": "update3", "params": [2, "ID", {"QoS": {
            _QOS_UUIDS[0]: {"modify": {}}}}]},
        {"id": None, "method": "update2", "params": [3, {"QoS": {
            _QOS_UUIDS[0]: {"modify": {
                "other_config": ["map", [["a", "2"]]]}}}}]},
    ]


def test_unixctl_remotes_and_databases(sandbox):
    d, sock = _start_server(sandbox, _create_db(sandbox))
    r = _appctl(sandbox, d, "ovsdb-server/add-remote", "ptcp:0:127.0.0.1")
    assert r.returncode == 0
    assert _appctl(sandbox, d, "ovsdb-server/list-remotes").stdout == (
        "ptcp:0:127.0.0.1\npunix:%s\n" % sock)
    log = open(d.log_file).read
    line = wait_for(lambda: [x for x in log().splitlines()
                             if "listening on port" in x])[0]
    port = int(line.rsplit(" ", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b'{"method":"list_dbs","params":[],"id":0}')
        assert json.loads(s.recv(4096))["result"] == ["Open_vSwitch",
                                                      "_Server"]

    r = _appctl(sandbox, d, "ovsdb-server/remove-remote", "nope")
    assert (r.returncode, r.stdout) == (2, "no such remote\n") or \
        r.stderr.startswith("no such remote")
    r = _appctl(sandbox, d, "ovsdb-server/add-remote", "db:x")
    assert r.returncode == 2 and r.stderr.startswith(
        '"db:x": invalid syntax\n')
    r = _appctl(sandbox, d, "ovsdb-server/add-remote",
                "db:Open_vSwitch,Open_vSwitch,bar")
    assert r.stderr.startswith(
        '"db:Open_vSwitch,Open_vSwitch,bar": table "Open_vSwitch" has no '
        'column "bar"\n')

    other = sandbox.path("other.db")
    with open(sandbox.path("other.schema"), "w") as f:
        json.dump({"name": "Other", "tables": {
            "T": {"columns": {"a": {"type": "integer"}}}}}, f)
    sandbox.run(["ovsdb-tool", "create", other, sandbox.path("other.schema")],
                check=True)
    assert _appctl(sandbox, d, "ovsdb-server/add-db", other).returncode == 0
    assert _appctl(sandbox, d, "ovsdb-server/list-dbs").stdout == (
        "Open_vSwitch\nOther\n_Server\n")
    c = Client(sock)
    rows = c.request("transact", ["_Server", {"op": "select",
                                              "table": "Database",
                                              "where": [],
                                              "columns": ["name"]}])
    assert sorted(r["name"] for r in rows["result"][0]["rows"]) == [
        "Open_vSwitch", "Other", "_Server"]
    r = _appctl(sandbox, d, "ovsdb-server/remove-db", "_Server")
    assert r.stderr.startswith("Cannot remove reserved database.\n")
    r = _appctl(sandbox, d, "ovsdb-server/remove-db", "Nope")
    assert r.stderr.startswith("Failed to find the database.\n")
    assert _appctl(sandbox, d, "ovsdb-server/remove-db", "Other").returncode \
        == 0
    # A client that is not change-aware is disconnected.
    assert c.recv() is None
    r = _appctl(sandbox, d, "ovsdb-server/compact", "_Server")
    assert r.stderr.startswith("cannot compact built-in databases\n")
    assert "sessions:" in _appctl(sandbox, d, "memory/show").stdout
    assert _appctl(sandbox, d, "exit").returncode == 0
    wait_for(lambda: sandbox.ctl_socket(d) is None)


def test_wait_operation_completes_when_database_changes(sandbox):
    _, sock = _start_server(sandbox, _create_db(sandbox))
    waiter = Client(sock)
    waiter.send({"method": "transact", "id": "w", "params": [
        "Open_vSwitch", {"op": "wait", "table": "QoS", "timeout": 10000,
                         "where": [["type", "==", "br9"]],
                         "columns": ["type"], "until": "==",
                         "rows": [{"type": "br9"}]}]})
    assert waiter.recv(timeout=0.3) is None
    _insert_qos(Client(sock), "br9")
    assert waiter.recv() == {"id": "w", "result": [{}], "error": None}

    # A waiting transaction can be cancelled.
    waiter.send({"method": "transact", "id": "c", "params": [
        "Open_vSwitch", {"op": "wait", "table": "QoS", "timeout": 10000,
                         "where": [], "columns": ["type"], "until": "==",
                         "rows": []}]})
    waiter.send({"method": "cancel", "params": ["c"], "id": None})
    assert waiter.recv() == {"id": "c", "error": "canceled"}


def test_detach_returns_only_once_remotes_listen(sandbox):
    """A client started right after "ovsdb-server --detach" returns can
    connect: the listeners open before the parent exits."""
    db = _create_db(sandbox)
    sock = sandbox.path("db.sock")
    for _ in range(5):
        d = sandbox.start_daemon(["ovsdb-server", "--remote=punix:" + sock,
                                  "--no-chdir", db], wait_ctl=False)
        r = sandbox.run(["ovsdb-client", "list-dbs", "unix:" + sock])
        assert r.returncode == 0, r.stderr
        assert r.stdout == "Open_vSwitch\n_Server\n"
        sandbox.stop_daemon(d)

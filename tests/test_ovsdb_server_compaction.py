"""ovsdb-server online compaction: the snapshot is written and synced in
the background while clients keep transacting, no acknowledged
transaction is lost, and the file stays a valid database."""

import json
import os
import signal
import socket
import sys
import threading
import time

from test_ovsdb_server import (SCHEMA, Client, _appctl, _create_db,
                               _start_server)
import paths
from wait import wait_for

sys.path.insert(0, os.path.join(paths.TOP, "bench"))
import compaction_stall  # noqa: E402

ROWS_PER_TXN = 1000
N_BULK_TXNS = 40


def _fill(c):
    """Makes the database big enough that compacting it takes a while."""
    blob = "x" * 200
    for i in range(N_BULK_TXNS):
        ops = [{"op": "insert", "table": "QoS",
                "row": {"type": "bulk",
                        "other_config": ["map", [["k%d" % j, blob]
                                                 for j in range(3)]],
                        "external_ids": ["map", [["n", "%d.%d" % (i, k)]]]}}
               for k in range(ROWS_PER_TXN)]
        r = c.request("transact", ["Open_vSwitch"] + ops)
        assert all("uuid" in x for x in r["result"])


def _read_records(path):
    """Returns the JSON records of the database file 'path'."""
    records = []
    with open(path, "rb") as f:
        data = f.read()
    ofs = 0
    while ofs < len(data):
        eol = data.index(b"\n", ofs)
        magic, length, _ = data[ofs:eol].rsplit(b" ", 2)
        assert magic == b"OVSDB JSON"
        body = data[eol + 1:eol + 1 + int(length)]
        records.append(json.loads(body))
        ofs = eol + 1 + int(length)
    return records


def _count(c, type_):
    r = c.request("transact", ["Open_vSwitch",
                               {"op": "select", "table": "QoS",
                                "where": [["type", "==", type_]],
                                "columns": ["_uuid"]}])
    return {row["_uuid"][1] for row in r["result"][0]["rows"]}


def test_compaction_does_not_stall_transactions_or_lose_them(sandbox):
    db = _create_db(sandbox)
    d, sock = _start_server(sandbox, db)
    _fill(Client(sock))

    acked = []
    latencies = []
    stop = threading.Event()

    def writer():
        c = Client(sock)
        while not stop.is_set():
            start = time.monotonic()
            r = c.request("transact", ["Open_vSwitch",
                                       {"op": "insert", "table": "QoS",
                                        "row": {"type": "live"}}])
            latencies.append((start, time.monotonic() - start))
            acked.append(r["result"][0]["uuid"][1])

    t = threading.Thread(target=writer)
    t.start()
    try:
        time.sleep(0.3)
        begin = time.monotonic()
        r = _appctl(sandbox, d, "ovsdb-server/compact")
        end = time.monotonic()
        time.sleep(0.3)
    finally:
        stop.set()
        t.join()
    assert r.returncode == 0, r.stderr
    compaction = end - begin

    # Transactions kept completing while the compaction ran, none waiting
    # for more than a fraction of it.
    during = [lat for start, lat in latencies if begin <= start < end]
    assert len(during) >= 5, (compaction, len(during))
    assert max(during) < max(compaction / 2, 0.05), (compaction,
                                                      max(during))

    # Everything acknowledged is there after a restart, from a file that
    # holds the schema, one snapshot and what followed it.
    sandbox.stop_daemon(d)
    records = _read_records(db)
    assert records[0]["name"] == "Open_vSwitch"
    snapshot = records[1]
    assert "_is_diff" not in snapshot
    assert len(snapshot["QoS"]) >= ROWS_PER_TXN * N_BULK_TXNS
    assert all("_is_diff" in rec for rec in records[2:])
    assert sandbox.run(["ovsdb-tool", "show-log", db]).returncode == 0
    d, sock = _start_server(sandbox, db)
    c = Client(sock)
    assert _count(c, "live") == set(acked)
    assert len(_count(c, "bulk")) == ROWS_PER_TXN * N_BULK_TXNS


# The main loop during compaction.  Before compaction was forked, the
# snapshot of all rows was built in the main loop: every client waited
# 24-29 ms at 10,000 rows, 131-145 ms at 40,000 and 343-425 ms at 100,000
# (the longest gap between echo replies, measured on the 2-core test
# machine; bench/compaction_stall.py).  Now the main loop only forks
# (about 3 ms at 100,000 rows) and then does bounded steps: the longest
# gap is 2-9 ms on a quiet machine, and other processes on a busy one
# add hiccups, seen up to 130 ms in the worst of three compactions.  The
# bound, met by the best of three, is far above that noise and far below
# the old stall.
MAX_ECHO_GAP_S = 0.150
N_TRIES = 3


def _server_with_rows(sb, n_rows):
    """Starts a server on a new database of 'n_rows' small QoS rows
    (type "bulk"); returns the file, the daemon, its socket and a
    client."""
    db = sb.path("conf.db")
    compaction_stall.write_db(db, n_rows)
    d, sock = _start_server(sb, db)
    return db, d, sock, Client(sock)


def _compact_ok(sb, d, db):
    r = _appctl(sb, d, "ovsdb-server/compact")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    assert not os.path.exists(db + ".tmp")


def _echo_gaps_during(sock, action):
    """Runs action() while a client sends echo requests back to back;
    returns (what action() returned, the longest time between two echo
    replies that overlaps it)."""
    stamps = []
    stop = threading.Event()

    def probe():
        c = Client(sock)
        while not stop.is_set():
            c.request("echo", [])
            stamps.append(time.monotonic())

    t = threading.Thread(target=probe)
    t.start()
    try:
        wait_for(lambda: len(stamps) > 100, what="echo replies")
        begin = time.monotonic()
        result = action()
        end = time.monotonic()
        n = len(stamps)
        wait_for(lambda: len(stamps) > n + 10, what="echo replies after")
    finally:
        stop.set()
        t.join()
    gaps = [b - a for a, b in zip(stamps, stamps[1:])
            if b >= begin and a <= end]
    return result, max(gaps)


def test_compacting_100k_rows_never_stalls_clients(sandbox):
    db, d, sock, _ = _server_with_rows(sandbox, 100000)

    gaps = []
    for _ in range(N_TRIES):
        r, gap = _echo_gaps_during(
            sock, lambda: _appctl(sandbox, d, "ovsdb-server/compact"))
        assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
        gaps.append(gap)
        records = _read_records(db)
        assert len(records) == 2 and len(records[1]["QoS"]) == 100000
    # One compaction free of unrelated scheduling hiccups is enough to
    # show that the main loop does not build the snapshot.
    assert min(gaps) < MAX_ECHO_GAP_S, gaps


def _children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[1][0] not in "ZX"
    except OSError:
        return False


def _start_compaction(sandbox, d):
    """Sends "ovsdb-server/compact" without waiting; returns the control
    connection (to read the reply from) and the pid of the compaction
    process once it runs."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(sandbox.ctl_socket(d))
    s.sendall(json.dumps({"method": "ovsdb-server/compact",
                          "params": [], "id": 0}).encode())
    child = wait_for(lambda: _children(d.pid()), what="compaction process")
    return s, child[0]


def _unixctl_reply(s):
    s.settimeout(30)
    data = b""
    while True:
        try:
            return json.loads(data)
        except ValueError:
            chunk = s.recv(65536)
            assert chunk, data
            data += chunk


def test_kill_during_compaction_loses_nothing_and_ends_the_child(sandbox):
    db, d, sock, c = _server_with_rows(sandbox, 40000)

    acked = []
    for i in range(20):
        r = c.request("transact", ["Open_vSwitch",
                                   {"op": "insert", "table": "QoS",
                                    "row": {"type": "live"}}])
        acked.append(r["result"][0]["uuid"][1])
    ctl, child = _start_compaction(sandbox, d)
    for i in range(20):
        r = c.request("transact", ["Open_vSwitch",
                                   {"op": "insert", "table": "QoS",
                                    "row": {"type": "live"}}])
        acked.append(r["result"][0]["uuid"][1])
    assert _alive(child)
    sandbox.stop_daemon(d, sig=signal.SIGKILL)
    ctl.close()

    # The compaction process dies with the server.
    wait_for(lambda: not _alive(child), timeout=5, what="child to exit")
    d, sock = _start_server(sandbox, db)
    c = Client(sock)
    assert _count(c, "live") == set(acked)
    assert len(_count(c, "bulk")) == 40000
    _compact_ok(sandbox, d, db)


def test_compact_request_during_compaction_gets_a_fresh_snapshot(sandbox):
    db, d, sock, c = _server_with_rows(sandbox, 40000)

    ctl, child = _start_compaction(sandbox, d)
    r = c.request("transact", ["Open_vSwitch",
                               {"op": "insert", "table": "QoS",
                                "row": {"type": "after"}}])
    after = r["result"][0]["uuid"][1]
    assert _alive(child)
    # Answered only once a compaction that started after it is done.
    r = _appctl(sandbox, d, "ovsdb-server/compact")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    assert _unixctl_reply(ctl) == {"id": 0, "result": "", "error": None}

    records = _read_records(db)
    assert len(records) == 2
    assert after in records[1]["QoS"]
    log = open(d.log_file).read()
    assert log.count("compacting Open_vSwitch database by user request") == 2


def test_compaction_failure_keeps_the_old_file_and_logs_it(sandbox):
    db, d, sock, c = _server_with_rows(sandbox, 40000)
    _insert_live(c)
    before = open(db, "rb").read()

    # The new file cannot be created.
    os.mkdir(db + ".tmp")
    r = _appctl(sandbox, d, "ovsdb-server/compact")
    msg = "I/O error: %s.tmp: create failed (Is a directory)" % db
    assert (r.returncode, r.stdout, r.stderr) == (
        2, "", msg + "\novs-appctl: %s: server returned an error\n"
        % sandbox.ctl_socket(d))
    assert "|WARN|Open_vSwitch: compacting failed: " + msg in \
        open(d.log_file).read()
    assert open(db, "rb").read() == before
    os.rmdir(db + ".tmp")

    # The compaction process dies before it is done.
    ctl, child = _start_compaction(sandbox, d)
    os.kill(child, signal.SIGKILL)
    reply = _unixctl_reply(ctl)
    msg = ("ovsdb error: %s: compaction process killed by signal 9 (Killed)"
           % db)
    assert reply == {"id": 0, "error": msg + "\n"}
    assert "|WARN|Open_vSwitch: compacting failed: " + msg in \
        open(d.log_file).read()
    assert open(db, "rb").read() == before
    assert not os.path.exists(db + ".tmp")

    # The server goes on, and compacts next time.
    uuid = _insert_live(c)
    r = _appctl(sandbox, d, "ovsdb-server/compact")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    assert uuid in _read_records(db)[1]["QoS"]


def _insert_live(c):
    r = c.request("transact", ["Open_vSwitch",
                               {"op": "insert", "table": "QoS",
                                "row": {"type": "live"}}])
    return r["result"][0]["uuid"][1]


COMPACT_COMMANDS = [
    ["ovsdb-server/compact"],
    ["ovsdb-server/compact", "Open_vSwitch"],
    ["ovsdb-server/compact", "nope"],
    ["ovsdb-server/compact", "_Server"],
    ["ovsdb-server/compact", "Open_vSwitch", "Open_vSwitch"],
    ["ovsdb-server/memory-trim-on-compaction", "on"],
    ["ovsdb-server/compact"],
    ["ovsdb-server/memory-trim-on-compaction", "off"],
    ["ovsdb-server/memory-trim-on-compaction", "bad"],
    ["ovsdb-server/memory-trim-on-compaction"],
]


def test_compact_commands_answer_and_log_like_reference(sandbox):
    ref = paths.reference("ovsdb-server")
    results = []
    for name, program in (("turnout", "ovsdb-server"), ("ref", ref)):
        db = _create_db(sandbox, name + ".db")
        ctl = sandbox.path(name + ".ctl")
        d, sock = _start_server(sandbox, db, program=program, name=name,
                                extra=["--unixctl=" + ctl])
        _insert_live(Client(sock))
        out = []
        for args in COMPACT_COMMANDS:
            r = sandbox.run(["ovs-appctl", "-t", ctl] + args)
            out.append((args, r.returncode, r.stdout,
                        r.stderr.replace(ctl, "CTL")))
        sandbox.stop_daemon(d)
        log = [line.split("|", 2)[2] for line in open(d.log_file)
               if "|ovsdb_server|" in line]
        results.append((out, log[1:], len(_read_records(db))))
    assert results[0] == results[1]


def test_convert_during_compaction_answers_both(sandbox):
    db, d, sock, c = _server_with_rows(sandbox, 10000)
    with open(SCHEMA) as f:
        schema = json.load(f)
    schema["version"] = "99.0.0"
    schema.pop("cksum", None)

    ctl, child = _start_compaction(sandbox, d)
    c.send({"method": "convert", "params": ["Open_vSwitch", schema],
            "id": "convert"})
    # Converting is slow on a loaded machine.
    assert c.recv(timeout=60) == {"id": "convert", "result": {},
                                  "error": None}
    # The conversion wrote the file anew: the compaction is over too.
    assert _unixctl_reply(ctl) == {"id": 0, "result": "", "error": None}
    wait_for(lambda: not _alive(child), timeout=5, what="child to exit")

    records = _read_records(db)
    assert [rec.get("version") for rec in records[:1]] == ["99.0.0"]
    assert len(records) == 2 and len(records[1]["QoS"]) == 10000
    _compact_ok(sandbox, d, db)


def test_exit_during_compaction_ends_the_child_and_keeps_the_file(sandbox):
    db, d, sock, c = _server_with_rows(sandbox, 40000)
    uuid_ = _insert_live(c)
    before = open(db, "rb").read()

    ctl, child = _start_compaction(sandbox, d)
    r = _appctl(sandbox, d, "exit")
    assert r.returncode == 0, r.stderr
    wait_for(lambda: not _alive(d.pid()), timeout=10, what="server exit")
    assert not _alive(child)
    assert open(db, "rb").read() == before
    assert not os.path.exists(db + ".tmp")
    d, sock = _start_server(sandbox, db)
    assert uuid_ in _count(Client(sock), "live")

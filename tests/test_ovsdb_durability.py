"""Durable acknowledgements of Turnout's ovsdb-server: a storm of write
transactions from several clients, the server killed with SIGKILL at a
random moment, restarted on the same file, and every transaction whose
successful reply reached its client must still be there, whole.

One database serves all rounds, so what was acknowledged in round 1 is
checked again in round 100, after 99 crashes and restarts.  Each
transaction inserts one Value row with a value never used before and
increments the single Counter row, so after every restart:

- every acknowledged value is present (no loss);
- every value present was sent by some client (nothing invented);
- the counter equals the number of Value rows (no transaction is half
  there after a torn write);
- the file is a sequence of whole records, and the reference ovsdb-tool
  (when installed) reads all of it.

Some rounds also ask for an online compaction in the middle of the
storm, so that the kill lands before, during or after the log file is
replaced.  The random seed is printed, and TURNOUT_DURABILITY_SEED
replays a run.

A SIGKILL loses nothing that the kernel had: the file keeps every byte
written to it.  A crash of the machine can also lose what was written
to the file but not synced, and the server does not sync the file on
every commit: it writes each group of records into its journal (see
ovsdb/log-journal.h).  So after each kill the test also plays a crash of
the machine: it cuts the file at a random point of the part that only
the journal holds durably (found by reading the journal's entries), and
appends zeros, a torn header or random bytes, as the blocks of a file
extended just before a crash may hold."""

import errno
import hashlib
import json
import os
import random
import selectors
import signal
import socket
import struct
import time

import pytest

import paths
from wait import wait_for

SCHEMA = {
    "name": "Storm",
    "version": "1.0.0",
    "tables": {
        "Value": {"columns": {"v": {"type": "integer"}},
                  "indexes": [["v"]], "isRoot": True},
        "Counter": {"columns": {"n": {"type": "integer"}},
                    "isRoot": True},
    },
}

ROUNDS = 100
N_CLIENTS = 4
WINDOW = 6                  # Transactions in flight per client, at most.
RATE = 2500                 # Transactions per second, all clients together:
                            # enough for a storm, few enough that checking
                            # every value ever acknowledged stays cheap.
KILL_AFTER_S = (0.020, 0.200)
COMPACT_EVERY = 5           # Rounds; the compaction request is sent at a
                            # random moment before the kill.


# A journal entry's header (ovsdb/log-journal.c), in the machine's byte
# order: magic, offset in the file, inode, length, SHA-1 of the record
# before, payload hash, header hash, padding.  Entries start at multiples
# of 512 bytes.
JOURNAL_HEADER = struct.Struct("=8sQQQ20sII4x")
JOURNAL_MAGIC = b"TRNJRNL1"


def journal_span(db):
    """Returns (start, end): the bytes of 'db' that the entries of its
    journal hold too, as the run of contiguous entries that ends last; or
    None if no entry matches the file."""
    path = os.path.join(os.path.dirname(db),
                        "." + os.path.basename(db) + ".~journal~")
    try:
        with open(path, "rb") as f:
            journal = f.read()
    except FileNotFoundError:
        return None
    with open(db, "rb") as f:
        main = f.read()
    ino = os.stat(db).st_ino
    start_of = {}               # End offset -> start offset.
    for pos in range(0, len(journal) - JOURNAL_HEADER.size + 1, 512):
        magic, ofs, e_ino, length, _, _, _ = \
            JOURNAL_HEADER.unpack_from(journal, pos)
        payload = journal[pos + JOURNAL_HEADER.size:
                          pos + JOURNAL_HEADER.size + length]
        if magic == JOURNAL_MAGIC and e_ino == ino and length \
                and len(payload) == length \
                and main[ofs:ofs + length] == payload:
            start_of[ofs + length] = ofs
    if not start_of:
        return None
    end = max(start_of)
    start = start_of[end]
    while start in start_of:
        start = start_of[start]
    return start, end


def lose_unsynced_tail(db, rng):
    """Plays a crash of the machine: cuts 'db' inside what only the
    journal holds and appends what a crash may leave there.  Returns True
    if bytes were cut."""
    span = journal_span(db)
    if not span:
        return False
    cut = rng.randint(*span)
    junk = rng.choice([b"", b"\0" * rng.randint(1, 9000),
                       b"OVSDB JSON 1234 0123456789abcdef"])
    if cut < span[1] and rng.random() < 0.3:
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 600)))
    with open(db, "r+b") as f:
        f.truncate(cut)
        f.seek(cut)
        f.write(junk)
    return cut < span[1]


def write_record(f, obj):
    body = (json.dumps(obj, separators=(",", ":")) + "\n").encode()
    f.write(b"OVSDB JSON %d %s\n"
            % (len(body), hashlib.sha1(body).hexdigest().encode()))
    f.write(body)


def create_db(path):
    """A standalone database file written by hand (no tool needed): the
    schema and one transaction that inserts the Counter row."""
    with open(path, "wb") as f:
        write_record(f, SCHEMA)
        write_record(f, {"Counter": {"7c6f7a21-7d0b-4d25-9a3b-0d5f1c0e2b11":
                                     {"n": 0}}, "_date": 0})


def parse_file(path):
    """Splits the database file into records, checking every header,
    length and SHA-1.  Returns (number of whole records, bytes after the
    last whole record)."""
    with open(path, "rb") as f:
        data = f.read()
    n = ofs = 0
    while ofs < len(data):
        nl = data.find(b"\n", ofs)
        if nl < 0:
            break
        try:
            magic, kind, length, sha1 = data[ofs:nl].decode().split(" ")
            length = int(length)
        except ValueError:
            raise AssertionError("bad header at offset %d of %s: %r"
                                 % (ofs, path, data[ofs:nl][:80]))
        assert (magic, kind) == ("OVSDB", "JSON"), ofs
        body = data[nl + 1:nl + 1 + length]
        if len(body) < length:
            break
        assert hashlib.sha1(body).hexdigest() == sha1, \
            "bad SHA-1 of the record at offset %d" % ofs
        json.loads(body)
        n += 1
        ofs = nl + 1 + length
    return n, len(data) - ofs


class Storm:
    """Clients that keep WINDOW insert transactions each in flight over
    raw JSON-RPC, all driven by one selector loop."""

    def __init__(self, sock_path, next_value):
        self.next_value = next_value
        self.start = time.monotonic()
        self.n_sent = 0
        self.sent = set()
        self.acked = set()
        self.failed = []
        self.sel = selectors.DefaultSelector()
        self.conns = []
        for _ in range(N_CLIENTS):
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock_path)
            s.setblocking(False)
            conn = {"sock": s, "buf": b"", "inflight": 0, "open": True}
            self.conns.append(conn)
            self.sel.register(s, selectors.EVENT_READ, conn)

    def inflight(self):
        return sum(c["inflight"] for c in self.conns)

    def _send(self, conn):
        allowed = (time.monotonic() - self.start) * RATE + N_CLIENTS * WINDOW
        while conn["open"] and conn["inflight"] < WINDOW \
                and self.n_sent < allowed:
            v = self.next_value
            self.next_value += 1
            msg = {"method": "transact", "id": v, "params": [
                "Storm",
                {"op": "insert", "table": "Value", "row": {"v": v}},
                {"op": "mutate", "table": "Counter", "where": [],
                 "mutations": [["n", "+=", 1]]}]}
            data = json.dumps(msg).encode()
            try:
                # Tiny messages: the socket buffer always has room while
                # the server lives.
                n = conn["sock"].send(data)
            except OSError:
                conn["open"] = False
                return
            if n != len(data):
                # A partial message would make the server close us; stop
                # sending on this connection (what was sent may commit).
                self.sent.add(v)
                conn["open"] = False
                return
            self.sent.add(v)
            self.n_sent += 1
            conn["inflight"] += 1

    def _receive(self, conn):
        """Reads what is there; returns False at EOF."""
        try:
            data = conn["sock"].recv(1 << 16)
        except BlockingIOError:
            return True
        except OSError as e:
            if e.errno not in (errno.ECONNRESET, errno.EPIPE):
                raise
            data = b""
        if not data:
            return False
        conn["buf"] += data
        decoder = json.JSONDecoder()
        text = conn["buf"].decode()
        pos = 0
        while True:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            try:
                msg, pos = decoder.raw_decode(text, pos)
            except ValueError:
                break
            self._reply(conn, msg)
        conn["buf"] = text[pos:].encode()
        return True

    def _reply(self, conn, msg):
        if msg.get("method") == "echo":
            return
        conn["inflight"] -= 1
        result = msg.get("result")
        if msg.get("error") is None and isinstance(result, list) \
                and len(result) == 2 \
                and not any("error" in r for r in result if r):
            self.acked.add(msg["id"])
        else:
            self.failed.append(msg)

    def run(self, until, on_tick=None):
        """Runs the storm until until() is true (checked every few ms),
        then reads every reply the server managed to send until each
        connection sees EOF.  on_tick() is called on each pass."""
        for conn in self.conns:
            self._send(conn)
        live = len(self.conns)
        stopping = False
        deadline = None
        while live:
            if not stopping and until():
                stopping = True
                deadline = time.monotonic() + 10
            if on_tick:
                on_tick()
            for key, _ in self.sel.select(timeout=0.001):
                conn = key.data
                if not self._receive(conn):
                    self.sel.unregister(conn["sock"])
                    conn["sock"].close()
                    conn["open"] = False
                    live -= 1
            if not stopping:
                for conn in self.conns:
                    self._send(conn)
            assert deadline is None or time.monotonic() < deadline, \
                "connections stayed open after the server was killed"
        self.sel.close()


def transact(sock_path, *ops):
    """Sends one "transact" of 'ops' on "Storm" over a fresh connection
    and returns the reply."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock_path)
    s.settimeout(30)
    req = {"method": "transact", "id": 0, "params": ["Storm", *ops]}
    s.sendall(json.dumps(req).encode())
    buf = b""
    decoder = json.JSONDecoder()
    while True:
        data = s.recv(1 << 20)
        assert data, "server closed the connection before replying"
        buf += data
        try:
            msg, _ = decoder.raw_decode(buf.decode())
            break
        except ValueError:
            continue
    s.close()
    return msg


def select_all(sock_path):
    """Returns (values of all Value rows, the counter) from a fresh
    connection."""
    msg = transact(
        sock_path,
        {"op": "select", "table": "Value", "where": [], "columns": ["v"]},
        {"op": "select", "table": "Counter", "where": [], "columns": ["n"]})
    assert msg["error"] is None, msg
    values, counters = msg["result"]
    assert len(counters["rows"]) == 1, counters
    return [r["v"] for r in values["rows"]], counters["rows"][0]["n"]


def _accepts(sock_path):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(sock_path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def start_server(sandbox, db, sock):
    """Starts the server and waits until it accepts connections: the
    killed one left its pidfile and control socket behind, and the
    detached server's parent may return before it listens."""
    if os.path.exists(sock):
        os.unlink(sock)
    d = sandbox.start_daemon(["ovsdb-server", "--remote=punix:" + sock,
                              "--no-chdir", db], wait_ctl=False)
    wait_for(lambda: _accepts(sock), timeout=20, what=sock)
    return d


def unixctl_compact(sandbox, daemon):
    """Asks for an online compaction without waiting for the answer."""
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(sandbox.ctl_socket(daemon))
        s.sendall(json.dumps({"method": "ovsdb-server/compact",
                              "params": [], "id": 0}).encode())
    except (OSError, TypeError):
        pass                # Already dead.
    return s


def test_sigkill_during_write_storm_loses_no_acknowledged_transaction(
        sandbox):
    seed = int(os.environ.get("TURNOUT_DURABILITY_SEED",
                              random.SystemRandom().randrange(1 << 32)))
    print("TURNOUT_DURABILITY_SEED=%d" % seed)
    rng = random.Random(seed)
    try:
        show_log = paths.reference("ovsdb-tool")
    except pytest.skip.Exception:
        show_log = None

    db = sandbox.path("storm.db")
    sock = sandbox.path("storm.sock")
    create_db(db)
    sent, acked = set(), set()
    next_value = 1
    stats = {"acked": 0, "torn": 0, "compactions": 0, "unacked_present": 0,
             "inflight_at_kill": 0, "cut": 0, "restored": 0}
    times = {"storm": 0.0, "restart": 0.0, "check": 0.0, "show-log": 0.0}
    d = start_server(sandbox, db, sock)
    for rnd in range(ROUNDS):
        storm = Storm(sock, next_value)
        pid = d.pid()
        start = time.monotonic()
        kill_at = start + rng.uniform(*KILL_AFTER_S)
        compact_at = None
        if rnd % COMPACT_EVERY == COMPACT_EVERY - 1:
            compact_at = rng.uniform(start, kill_at)
            stats["compactions"] += 1
        ctl = []

        def tick():
            if compact_at is not None and not ctl \
                    and time.monotonic() >= compact_at:
                ctl.append(unixctl_compact(sandbox, d))

        def killed():
            if time.monotonic() < kill_at:
                return False
            os.kill(pid, signal.SIGKILL)
            stats["inflight_at_kill"] += storm.inflight()
            return True

        storm.run(killed, tick)
        assert time.monotonic() >= kill_at, (
            "round %d: the server closed every connection before it was "
            "killed" % rnd)
        for s in ctl:
            s.close()
        sandbox.stop_daemon(d)
        next_value = storm.next_value
        assert not storm.failed, "round %d: failed replies: %r" % (
            rnd, storm.failed[:3])
        sent |= storm.sent
        acked |= storm.acked
        stats["acked"] += len(storm.acked)

        # Only the end of the file may be damaged: a torn last record.
        _, tail = parse_file(db)
        stats["torn"] += tail > 0
        stats["cut"] += lose_unsynced_tail(db, rng)

        t0 = time.monotonic()
        times["storm"] += t0 - start
        d = start_server(sandbox, db, sock)
        with open(d.log_file) as f:
            stats["restored"] = f.read().count(
                "bytes of committed transactions from")
        t1 = time.monotonic()
        times["restart"] += t1 - t0
        values, counter = select_all(sock)
        present = set(values)
        assert len(present) == len(values), "round %d: duplicate values" % rnd
        lost = acked - present
        assert not lost, ("round %d: %d acknowledged transactions lost, "
                          "e.g. %r" % (rnd, len(lost), sorted(lost)[:10]))
        invented = present - sent
        assert not invented, "round %d: values never sent: %r" % (
            rnd, sorted(invented)[:10])
        assert counter == len(values), (
            "round %d: counter %d but %d Value rows: a transaction is "
            "half there" % (rnd, counter, len(values)))
        stats["unacked_present"] = len(present - acked)

        _, tail = parse_file(db)
        assert tail == 0, "round %d: %d bytes of garbage after restart" % (
            rnd, tail)
        t2 = time.monotonic()
        times["check"] += t2 - t1
        if show_log:
            r = sandbox.run([show_log, "show-log", db])
            assert r.returncode == 0 and r.stderr == "", (
                "round %d: reference show-log failed: %s" % (rnd, r.stderr))
        times["show-log"] += time.monotonic() - t2
    print("durability: %r, seconds: %r" % (stats, times))
    assert stats["acked"] > ROUNDS, "the storms acknowledged almost nothing"
    assert stats["restored"] >= stats["cut"] > ROUNDS / 4, stats


@pytest.mark.parametrize("stop", ["SIGTERM", "exit"])
def test_journal_is_beside_the_file_while_serving_only(sandbox, stop):
    """The commit journal exists while the server runs; stopping it, by
    signal or by "exit", syncs the file and deletes the journal, so that
    the file alone holds every transaction for any tool."""
    db = sandbox.path("j.db")
    sock = sandbox.path("j.sock")
    journal = sandbox.path(".j.db.~journal~")
    create_db(db)
    d = start_server(sandbox, db, sock)
    reply = transact(sock, {"op": "insert", "table": "Value",
                            "row": {"v": 42}})
    assert reply["error"] is None and "uuid" in reply["result"][0], reply
    assert os.path.getsize(journal) >= 256 * 1024
    if stop == "exit":
        wait_for(lambda: sandbox.ctl_socket(d), timeout=20, what="ctl")
        sandbox.run(["ovs-appctl", "-t", sandbox.ctl_socket(d), "exit"],
                    check=True)
    sandbox.stop_daemon(d)
    assert not os.path.exists(journal)
    n, tail = parse_file(db)
    assert (n, tail) == (3, 0)


def test_tools_restore_or_report_what_only_the_journal_holds(sandbox):
    """After a crash of the machine that took committed transactions from
    the file, Turnout's read-only tools change nothing and say what is
    missing; a writer (here the server) restores it."""
    db = sandbox.path("c.db")
    sock = sandbox.path("c.sock")
    create_db(db)
    d = start_server(sandbox, db, sock)
    for v in range(1, 6):
        reply = transact(sock, {"op": "insert", "table": "Value",
                                "row": {"v": v}})
        assert reply["error"] is None, reply
    sandbox.stop_daemon(d, sig=signal.SIGKILL)
    start, end = journal_span(db)
    assert end == os.path.getsize(db) and start < end
    with open(db, "r+b") as f:
        f.truncate(start)

    tool = paths.program("ovsdb-tool")
    r = sandbox.run([tool, "show-log", db])
    assert r.returncode == 0, r.stderr
    assert "holds committed transactions after offset %d that the file " \
        "lacks after a crash" % start in r.stderr
    assert os.path.getsize(db) == start

    d = start_server(sandbox, db, sock)
    values, _ = select_all(sock)
    assert sorted(values) == [1, 2, 3, 4, 5]
    sandbox.stop_daemon(d)
    assert os.path.getsize(db) == end

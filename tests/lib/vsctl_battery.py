"""Machinery of the ovs-vsctl compatibility battery
(tests/test_ovs_vsctl_battery.py): a prepared starting database with
fixed UUIDs, one run of an ovs-vsctl command line against a private
ovsdb-server serving a copy of it, and the normalised views of what the
run printed and left in the database that two runs are compared by."""

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time

import paths
from fake_vswitchd import FakeVswitchd
from ovsdb_rpc import Rpc

SCHEMA = os.path.join(paths.TOP, "schemas", "vswitch.ovsschema")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                     r"[0-9a-f]{12}")
# "2026-01-02T03:04:05.678Z|00012|" at the start of a log line.
LOG_PREFIX_RE = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z\|\d+\|", re.M)
# UUID(Table,name) or UUID(Table,name,N): a row of the starting database
# (its full UUID, or the first N characters) in a command line.
PLACEHOLDER_RE = re.compile(r"UUID\(([A-Za-z_]+),([^,)]+)(?:,(\d+))?\)")


def _tables():
    with open(SCHEMA) as f:
        return sorted(json.load(f)["tables"])


TABLES = _tables()


class Servers:
    """Every ovsdb-server the battery starts, so that a module fixture
    can stop whatever a failing run left behind."""

    def __init__(self):
        self.procs = []

    def start(self, program, db, rundir):
        sock = os.path.join(rundir, "db.sock")
        proc = subprocess.Popen(
            [program, "--no-chdir", "--remote=punix:" + sock,
             "--unixctl=" + os.path.join(rundir, "ovsdb-server.ctl"),
             "--log-file=" + os.path.join(rundir, "ovsdb-server.log"), db],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env=dict(os.environ, OVS_RUNDIR=rundir, OVS_LOGDIR=rundir,
                     OVS_DBDIR=rundir))
        self.procs.append(proc)

        def ready():
            if proc.poll() is not None:
                raise AssertionError("%s exited %d: %s" % (
                    program, proc.returncode, proc.stderr.read()))
            # The socket file appears at bind(), before listen(): ready
            # once a connection is accepted.
            with socket.socket(socket.AF_UNIX) as s:
                try:
                    s.connect(sock)
                except OSError:
                    return False
            return True
        deadline = time.monotonic() + 10
        while not ready():
            if time.monotonic() > deadline:
                raise AssertionError("%s: %s not ready" % (program, sock))
            # Servers are ready within milliseconds: poll often.
            time.sleep(0.001)
        return proc

    def stop(self, proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        proc.stderr.close()
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self):
        for proc in list(self.procs):
            self.stop(proc)


def reference_vsctl(env, args):
    p = subprocess.run([paths.reference("ovs-vsctl"), "--no-wait"] + args,
                       env=env, capture_output=True, text=True, timeout=20)
    if p.returncode != 0:
        raise AssertionError("setup: ovs-vsctl %s: %s" % (" ".join(args),
                                                          p.stderr))


def _read_records(path):
    """The records of an OVSDB standalone file: each one's text (JSON and
    the newline after it, which the header's length and digest cover)."""
    with open(path, "rb") as f:
        data = f.read()
    records, pos = [], 0
    while pos < len(data):
        nl = data.index(b"\n", pos)
        length = int(data[pos:nl].split()[2])
        records.append(data[nl + 1:nl + 1 + length].decode())
        pos = nl + 1 + length
    return records


def _write_records(path, records):
    with open(path, "wb") as f:
        for body in records:
            body = body.encode()
            f.write(b"OVSDB JSON %d %s\n%s" % (
                len(body), hashlib.sha1(body).hexdigest().encode(), body))


def _row_name(row):
    for column in ("name", "target"):
        if isinstance(row.get(column), str):
            return row[column]
    return None


def renumber_uuids(path):
    """Gives every row of the compacted database file 'path' a fixed UUID,
    "TTTTRRRR-0000-4000-8000-000000000000" with TTTT the table's and RRRR
    the row's ordinal (rows ordered by name, else by content), so that
    the starting database, and output that shows its UUIDs, are the same
    in every test session; four characters are an ambiguous UUID prefix
    in a table of several rows, eight an unambiguous one.  Returns
    {(table, name or '#ordinal'): uuid}."""
    schema, snapshot = _read_records(path)
    data = json.loads(snapshot)
    mapping, ids = {}, {}
    for table, rows in data.items():
        if table.startswith("_"):
            continue
        t = TABLES.index(table) + 1

        def key(item):
            uuid, row = item
            masked = UUID_RE.sub("", json.dumps(row, sort_keys=True))
            return (_row_name(row) or "", masked, uuid)
        for r, (uuid, row) in enumerate(sorted(rows.items(), key=key)):
            new = "%04d%04d-0000-4000-8000-000000000000" % (t, r + 1)
            mapping[uuid] = new
            ids[(table, "#%d" % r)] = new
            if _row_name(row) is not None:
                ids[(table, _row_name(row))] = new
    snapshot = UUID_RE.sub(lambda m: mapping.get(m.group(0), m.group(0)),
                           snapshot)
    _write_records(path, [schema, snapshot])
    return ids


def build_start_db(directory, servers, setup):
    """Creates the starting database in 'directory' with the reference
    tools: the command lines 'setup' run by Debian's ovs-vsctl, then
    compacted and renumbered.  Returns (path, ids)."""
    os.makedirs(directory, exist_ok=True)
    db = os.path.join(directory, "start.db")
    subprocess.run([paths.reference("ovsdb-tool"), "create", db, SCHEMA],
                   check=True)
    proc = servers.start(paths.reference("ovsdb-server"), db, directory)
    try:
        env = dict(os.environ, OVS_RUNDIR=directory)
        for args in setup:
            reference_vsctl(env, args)
    finally:
        servers.stop(proc)
    subprocess.run([paths.reference("ovsdb-tool"), "compact", db],
                   check=True)
    return db, renumber_uuids(db)


def expand(args, ids, directory):
    """The command line with UUID(...) placeholders and $DIR replaced."""
    def sub(m):
        uuid = ids[(m.group(1), m.group(2))]
        return uuid[:int(m.group(3))] if m.group(3) else uuid
    return [PLACEHOLDER_RE.sub(sub, a).replace("$DIR", directory)
            for a in args]


class Run:
    """One run of an ovs-vsctl command line on a fresh copy of the
    starting database: exit status, stdout, stderr, and the database
    afterwards as {uuid: (table, row)} (rows as the server returns them,
    _version dropped)."""

    def __init__(self, vsctl, server, start_db, ids, directory, args,
                 servers, timeout=20, vswitchd=False):
        self.dir = directory
        os.makedirs(directory)
        db = os.path.join(directory, "conf.db")
        shutil.copyfile(start_db, db)
        env = dict(os.environ, OVS_RUNDIR=directory, OVS_LOGDIR=directory,
                   OVS_DBDIR=directory, OVS_SYSCONFDIR=directory)
        proc = servers.start(server, db, directory)
        try:
            fake = None
            if vswitchd:
                fake = FakeVswitchd(os.path.join(directory, "db.sock"))
                fake.start()
            try:
                self.argv = [vsctl] + expand(args, ids, directory)
                p = subprocess.run(self.argv, env=env, capture_output=True,
                                   text=True, timeout=timeout, cwd=directory)
                self.status, self.stdout, self.stderr = (
                    p.returncode, p.stdout, p.stderr)
            finally:
                if fake:
                    fake.stop()
            self.rows = self._select_all()
        finally:
            servers.stop(proc)

    def _select_all(self):
        """Every row of every table, read over the server's socket."""
        ops = [{"op": "select", "table": t, "where": []} for t in TABLES]
        with Rpc(os.path.join(self.dir, "db.sock")) as rpc:
            reply = rpc.transact(ops)
        rows = {}
        for table, result in zip(TABLES, reply):
            for row in result["rows"]:
                uuid = row.pop("_uuid")[1]
                row.pop("_version", None)
                rows[uuid] = (table, row)
        return rows


class Labels:
    """Names for the UUIDs of one run: rows of the starting database keep
    their (fixed) UUIDs; rows the run created are named <Table#N>, N their
    rank by content (references to other new rows followed), so that the
    same database gets the same names whatever UUIDs the server chose;
    any other UUID (a dry run's, a deleted row's) is named <uuid#N> by
    first appearance."""

    def __init__(self, rows, old):
        self.rows = rows
        self.old = old
        self.names = {}
        new = [u for u in rows if u not in old]
        keys = {u: self._key(u, ()) for u in new}
        count = {}
        for u in sorted(new, key=lambda u: (rows[u][0], keys[u])):
            table = rows[u][0]
            count[table] = count.get(table, 0) + 1
            self.names[u] = "<%s#%d>" % (table, count[table])

    def _key(self, uuid, path):
        if uuid in self.old or uuid not in self.rows or uuid in path:
            return uuid if uuid in self.old else "?"
        table, row = self.rows[uuid]
        return "%s(%s)" % (table, render_row(
            row, lambda u: self._key(u, path + (uuid,))))

    def name(self, uuid):
        if uuid in self.old:
            return uuid
        if uuid not in self.names:
            self.names[uuid] = "<uuid#%d>" % (len(self.names) + 1)
        return self.names[uuid]

    def text(self, text):
        return UUID_RE.sub(lambda m: self.name(m.group(0)), text)


def render_value(value, name):
    """An OVSDB JSON datum as text, set elements and map pairs sorted
    after the UUIDs in them are named by 'name'."""
    if isinstance(value, list) and len(value) == 2:
        kind, inner = value
        if kind == "uuid":
            return name(inner)
        if kind == "set":
            return "[%s]" % ", ".join(sorted(render_value(v, name)
                                             for v in inner))
        if kind == "map":
            return "{%s}" % ", ".join(sorted(
                "%s=%s" % (render_value(k, name), render_value(v, name))
                for k, v in inner))
    return json.dumps(value)


def render_row(row, name):
    return " ".join("%s=%s" % (c, render_value(v, name))
                    for c, v in sorted(row.items()))


def dump(run, labels):
    """The database after 'run', one line per row, rows sorted."""
    return sorted("%s %s %s" % (table, labels.name(uuid),
                                render_row(row, labels.name))
                  for uuid, (table, row) in run.rows.items())


def _json_docs(text):
    decoder, docs, pos = json.JSONDecoder(), [], 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        doc, pos = decoder.raw_decode(text, pos)
        docs.append(doc)
    return docs


def unordered(text, json_format):
    """'text' (list or find output) in a form that ignores the order in
    which rows were printed: JSON documents with their data rows sorted,
    records of the list format (blocks separated by blank lines) sorted,
    and for the line-per-row formats (table, csv, html) the lines
    sorted."""
    if json_format:
        try:
            docs = _json_docs(text)
        except ValueError:
            return text
        for doc in docs:
            if isinstance(doc, dict) and isinstance(doc.get("data"), list):
                doc["data"].sort(key=lambda r: json.dumps(r, sort_keys=True))
        return docs
    # The number of newlines keeps the separators and the final newline
    # significant.
    if "\n\n" in text:
        return sorted(b.strip("\n") for b in text.split("\n\n")), \
            text.count("\n")
    return sorted(text.split("\n")), text.count("\n")


def normalise_stream(text, run, vsctl):
    """stderr or stdout with log timestamps, the run's directory and the
    program's path made run-independent."""
    text = LOG_PREFIX_RE.sub("", text)
    text = text.replace(run.dir, "$DIR").replace(vsctl, "ovs-vsctl")
    return text

"""The database log file (ovsdb/log.c) against the reference Open vSwitch:
Turnout reads files that OVS's ovsdb-tool writes, OVS's ovsdb-tool reads
files that Turnout writes, both report damage to a file with the same
words, and each respects the other's lock.

Turnout's side is tests/daemon/test-ovsdb-log (see its header comment for
the commands)."""

import hashlib
import json
import os
import re
import subprocess

import pytest

import paths
from wait import wait_for

SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
ROW_UUID = "5d919c27-d2fc-4854-80c5-f9223d88d983"


def ours(*args, check=True, input=None):
    return subprocess.run([paths.program("test-ovsdb-log")] + list(args),
                          capture_output=True, text=True, check=check,
                          input=input, timeout=30)


def ovsdb_tool(*args, check=True):
    return subprocess.run([paths.reference("ovsdb-tool")] + list(args),
                          capture_output=True, text=True, check=check,
                          timeout=30, env=dict(os.environ, TZ="UTC"))


def schema_text():
    if not os.path.exists(SCHEMA):
        pytest.skip("reference schema %s is not installed" % SCHEMA)
    with open(SCHEMA) as f:
        return f.read()


def parse_log(path):
    """Splits a log file into its records independently of both
    implementations: a list of (offset, header, body bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    records = []
    ofs = 0
    while ofs < len(data):
        nl = data.index(b"\n", ofs)
        header = data[ofs:nl].decode()
        magic1, magic2, length, sha1 = header.split(" ")
        assert (magic1, magic2) == ("OVSDB", "JSON")
        body = data[nl + 1:nl + 1 + int(length)]
        assert len(body) == int(length)
        assert hashlib.sha1(body).hexdigest() == sha1
        records.append((ofs, header, body))
        ofs = nl + 1 + int(length)
    return records


def our_records(path, command="read"):
    """Returns the records as test-ovsdb-log prints them, parsed."""
    out = ours(command, path).stdout
    records = []
    for line in out.splitlines():
        m = re.match(r"record (\d+): (.*)$", line)
        if m:
            assert int(m.group(1)) == len(records)
            records.append(json.loads(m.group(2)))
    return records


def reference_db(tmp_path):
    """A database made by the reference tools: the schema and three
    transactions (insert with a comment, update, delete)."""
    db = str(tmp_path / "ref.db")
    schema_text()           # Skips if the schema is not installed.
    ovsdb_tool("create", db, SCHEMA)
    ovsdb_tool("transact", db, json.dumps(
        ["Open_vSwitch",
         {"op": "insert", "table": "Open_vSwitch",
          "row": {"ovs_version": "3.1",
                  "external_ids": ["map", [["k", "v"]]]}},
         {"op": "comment", "comment": "hello world"}]))
    ovsdb_tool("transact", db, json.dumps(
        ["Open_vSwitch",
         {"op": "update", "table": "Open_vSwitch", "where": [],
          "row": {"next_cfg": 5}}]))
    ovsdb_tool("transact", db, json.dumps(
        ["Open_vSwitch",
         {"op": "delete", "table": "Open_vSwitch", "where": []}]))
    return db


def test_we_read_every_record_of_a_reference_database(tmp_path):
    db = reference_db(tmp_path)
    records = our_records(db)
    expected = [json.loads(body) for _, _, body in parse_log(db)]
    assert records == expected
    assert len(records) == 4

    assert records[0]["name"] == "Open_vSwitch"
    with open(SCHEMA) as f:
        assert records[0]["version"] == json.load(f)["version"]

    insert, update, delete = records[1:]
    assert insert["_comment"] == "hello world"
    assert insert["_is_diff"] is True
    assert isinstance(insert["_date"], int)
    (uuid, row), = insert["Open_vSwitch"].items()
    assert row == {"ovs_version": "3.1",
                   "external_ids": ["map", [["k", "v"]]]}
    assert update["Open_vSwitch"] == {uuid: {"next_cfg": 5}}
    assert delete["Open_vSwitch"] == {uuid: None}
    assert "_comment" not in update


def test_reference_snapshot_has_whole_rows_and_no_diff_marker(tmp_path):
    # What the database layer must accept: after compaction, OVS writes
    # the rows whole, without "_is_diff", as the second record.
    db = reference_db(tmp_path)
    ovsdb_tool("transact", db, json.dumps(
        ["Open_vSwitch",
         {"op": "insert", "table": "Open_vSwitch",
          "row": {"ovs_version": "3.1", "next_cfg": 7}}]))
    ovsdb_tool("compact", db)
    records = our_records(db)
    assert len(records) == 2
    snapshot = records[1]
    assert "_is_diff" not in snapshot
    assert snapshot["_comment"].startswith("compacted by ovsdb-tool ")
    (uuid, row), = snapshot["Open_vSwitch"].items()
    assert row == {"ovs_version": "3.1", "next_cfg": 7}


def write_our_db(tmp_path):
    """A database written by Turnout: the reference schema and one
    transaction record with a comment."""
    db = str(tmp_path / "ours.db")
    ours("create", db, schema_text())
    ours("txn", db,
         json.dumps({"Open_vSwitch": {ROW_UUID: {"ovs_version": "3.1",
                                                  "next_cfg": 3}}}),
         "written by turnout")
    return db


def test_reference_show_log_reads_our_file(tmp_path):
    db = write_our_db(tmp_path)
    out = ovsdb_tool("show-log", "-mmm", db).stdout
    out = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}", "DATE", out)
    assert out == (
        'record 0: "Open_vSwitch" schema, version="8.3.1", '
        'cksum="3012963480 26720"\n'
        '\n'
        'record 1: DATE "written by turnout"\n'
        '  table Open_vSwitch insert row 5d919c27:\n'
        '    ovs_version="3.1"\n'
        '    next_cfg=3\n'
        '\n')
    assert ovsdb_tool("db-name", db).stdout == "Open_vSwitch\n"
    assert ovsdb_tool("db-version", db).stdout == "8.3.1\n"

    reply = json.loads(ovsdb_tool("query", db, json.dumps(
        ["Open_vSwitch",
         {"op": "select", "table": "Open_vSwitch", "where": [],
          "columns": ["_uuid", "ovs_version", "next_cfg"]}])).stdout)
    assert reply == [{"rows": [{"_uuid": ["uuid", ROW_UUID],
                                "ovs_version": "3.1", "next_cfg": 3}]}]


def test_our_records_have_reference_framing(tmp_path):
    db = write_our_db(tmp_path)
    (_, h0, b0), (_, h1, b1) = parse_log(db)
    for header, body in ((h0, b0), (h1, b1)):
        assert re.fullmatch(r"OVSDB JSON \d+ [0-9a-f]{40}", header)
        assert body.endswith(b"}\n") and body.count(b"\n") == 1
    assert json.loads(b0) == json.loads(schema_text())
    txn = json.loads(b1)
    assert list(txn) == ["_date", "Open_vSwitch", "_is_diff", "_comment"]


def test_reference_appends_to_our_file_and_we_read_it(tmp_path):
    db = write_our_db(tmp_path)
    ovsdb_tool("transact", db, json.dumps(
        ["Open_vSwitch",
         {"op": "update", "table": "Open_vSwitch", "where": [],
          "row": {"next_cfg": 4}}]))
    records = our_records(db)
    assert len(records) == 3
    assert records[2]["Open_vSwitch"] == {ROW_UUID: {"next_cfg": 4}}

    # And we append after the reference's record.
    ours("append", db, '{"_date":1795322209657,"_comment":"again"}')
    out = ovsdb_tool("show-log", db).stdout
    assert out.rstrip("\n").splitlines()[-1] == \
        'record 3: 2026-11-22 04:36:49.657 "again"'


def test_replaced_file_is_read_by_reference(tmp_path):
    db = write_our_db(tmp_path)
    snapshot = json.dumps({"_date": 2, "Open_vSwitch": {
        ROW_UUID: {"ovs_version": "9.9"}}})
    ours("replace", db, schema_text(), snapshot)
    assert not os.path.exists(db + ".tmp")
    reply = json.loads(ovsdb_tool("query", db, json.dumps(
        ["Open_vSwitch",
         {"op": "select", "table": "Open_vSwitch", "where": [],
          "columns": ["ovs_version"]}])).stdout)
    assert reply == [{"rows": [{"ovs_version": "9.9"}]}]


def _message(proc, program):
    prefix = program + ": "
    lines = [line for line in proc.stderr.splitlines()
             if line.startswith(prefix)]
    assert len(lines) == 1, proc.stderr
    return lines[0][len(prefix):]


def _damage(db, kind, where, data=b""):
    """Damages 'db': truncates it ("truncate") or overwrites bytes with
    'data' ("write") at 'where', an offset from the start of record 1 or,
    if negative, from the end of the file."""
    rec1 = parse_log(db)[1][0]
    pos = rec1 + where if where >= 0 else os.path.getsize(db) + where
    with open(db, "r+b") as f:
        if kind == "truncate":
            f.truncate(pos)
        else:
            f.seek(pos)
            f.write(data)


DAMAGE = [
    # name, kind, where, data
    ("empty file", "truncate", -10**6, b""),
    ("bad lead of first header", "write", -10**6, b"X"),
    ("torn first header", "truncate", 30 - 10**6, b""),
    ("torn header", "truncate", 13, b""),
    ("torn header after lead", "truncate", 2, b""),
    ("short body", "truncate", 60, b""),
    ("short last body", "truncate", -3, b""),
    ("bad magic", "write", 6, b"X"),
    ("bad lead", "write", 0, b"X"),
    ("bad length", "write", 11, b"X"),
    ("bad hash digit", "write", 20, b"Z"),
    ("bad body", "write", 70, b"Z"),
    ("bad last body", "write", -5, b"Z"),
]


@pytest.mark.parametrize("kind,where,data", [d[1:] for d in DAMAGE],
                         ids=[d[0] for d in DAMAGE])
def test_damage_is_reported_with_reference_words(tmp_path, kind, where,
                                                 data):
    db = reference_db(tmp_path)
    if where <= -10**6 + 1000:
        # Relative to the start of the file.
        with open(db, "r+b") as f:
            if kind == "truncate":
                f.truncate(where + 10**6)
            else:
                f.write(data)
    else:
        _damage(db, kind, where, data)

    ref = ovsdb_tool("show-log", db, check=False)
    mine = ours("read", db, check=False)
    assert ref.returncode == 1 and mine.returncode == 1
    assert _message(mine, "test-ovsdb-log") == _message(ref, "ovsdb-tool")


def test_torn_tail_of_reference_file_is_cut_on_read_write_open(tmp_path):
    db = reference_db(tmp_path)
    last_ofs = parse_log(db)[-1][0]
    size = os.path.getsize(db)
    with open(db, "r+b") as f:
        f.truncate(size - 7)

    # The reference refuses the file; we cut the torn record off.
    assert ovsdb_tool("show-log", db, check=False).returncode == 1
    proc = ours("read-write", db)
    assert proc.stdout.splitlines()[-2:] == [
        "truncated %d bytes" % (size - 7 - last_ofs),
        "offset %d" % last_ofs]
    assert "ovsdb_log|WARN|%s: truncating %d bytes of torn record at end " \
        "of file, at offset %d (I/O error: %s: error reading" % (
            db, size - 7 - last_ofs, last_ofs, db) in proc.stderr
    assert os.path.getsize(db) == last_ofs

    # What remains is whole, for the reference too.
    out = ovsdb_tool("show-log", db).stdout
    assert [line.split(":")[0] for line in out.splitlines()
            if line.startswith("record ")] == ["record 0", "record 1",
                                               "record 2"]


def test_damage_in_the_middle_is_not_cut(tmp_path):
    db = reference_db(tmp_path)
    rec1, header1, body1 = parse_log(db)[1]
    size = os.path.getsize(db)
    _damage(db, "write", 70, b"Z")
    proc = ours("read-write", db, check=False)
    assert proc.returncode == 1
    assert "test-ovsdb-log: syntax error: %s: %d bytes starting at offset " \
        "%d have SHA-1 hash" % (db, len(body1), rec1 + len(header1) + 1) \
        in proc.stderr
    assert os.path.getsize(db) == size


class Holder:
    """A process holding 'db' open read-write (and so locked) until
    closed."""

    def __init__(self, argv, ready):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        ready(self.proc)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def test_our_lock_excludes_the_reference_tool(tmp_path):
    db = reference_db(tmp_path)
    holder = Holder([paths.program("test-ovsdb-log"), "hold", db],
                    lambda p: p.stdout.readline() == "locked\n" or
                    pytest.fail("hold did not start"))
    try:
        proc = ovsdb_tool("transact", db, '["Open_vSwitch"]', check=False)
        assert proc.returncode == 1
        assert "ovsdb-tool: I/O error: %s: failed to lock lockfile " \
            "(Resource temporarily unavailable)" % db in proc.stderr
        assert "lockfile|WARN|%s: cannot lock file because it is already " \
            "locked by pid %d" % (str(tmp_path / ".ref.db.~lock~"),
                                  holder.proc.pid) in proc.stderr
    finally:
        holder.close()
    ovsdb_tool("transact", db, '["Open_vSwitch"]')


def test_lock_of_a_killed_process_does_not_linger(tmp_path):
    db = reference_db(tmp_path)
    holder = Holder([paths.program("test-ovsdb-log"), "hold", db],
                    lambda p: p.stdout.readline() == "locked\n" or
                    pytest.fail("hold did not start"))
    holder.proc.kill()
    holder.proc.wait(timeout=10)
    assert os.path.exists(str(tmp_path / ".ref.db.~lock~"))
    ours("append", db, '{"_date":1795322209657}')
    ovsdb_tool("transact", db, '["Open_vSwitch"]')


def test_reference_lock_excludes_us(tmp_path):
    db = reference_db(tmp_path)
    ctl = str(tmp_path / "ctl")
    server = subprocess.Popen(
        [paths.reference("ovsdb-server"), "--unixctl=" + ctl,
         "--remote=punix:" + str(tmp_path / "db.sock"),
         "--no-chdir", "-vconsole:off", db],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: os.path.exists(ctl), what="ovsdb-server started")
        proc = ours("append", db, '{"x":1}', check=False)
        assert proc.returncode == 1
        assert proc.stderr.endswith(
            "test-ovsdb-log: I/O error: %s: failed to lock lockfile "
            "(Resource temporarily unavailable)\n" % db)
        assert "lockfile|WARN|%s: cannot lock file because it is already " \
            "locked by pid %d" % (str(tmp_path / ".ref.db.~lock~"),
                                  server.pid) in proc.stderr
    finally:
        server.terminate()
        server.wait(timeout=10)
    ours("append", db, '{"x":1}')

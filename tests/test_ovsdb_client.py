"""ovsdb-client, compared with the reference Open vSwitch ovsdb-client:
both run the same command against the same ovsdb-server and database
state, and must print the same bytes on stdout and stderr and exit with
the same status.

The server is the reference ovsdb-server for now; once Turnout has its
own, the same tests run against it.  Besides Open_vSwitch (filled with
ovs-vsctl), the server holds a small database "T" whose rows exercise
every output format: strings that need quoting and escaping, reals,
sets, maps, references, and rows that differ only in some columns, so
that the order in which rows are printed is tested too."""

import hashlib
import json
import os
import re
import subprocess
import time

import pytest

import paths
from wait import wait_for

pytestmark = pytest.mark.reference

VSWITCH_SCHEMA = os.path.join(paths.TOP, "schemas", "vswitch.ovsschema")

T_SCHEMA = {
    "name": "T",
    "version": "1.2.3",
    "tables": {
        "A": {
            "columns": {
                "s": {"type": "string"},
                "i": {"type": "integer"},
                "r": {"type": "real"},
                "b": {"type": "boolean"},
                "ss": {"type": {"key": "string", "min": 0,
                                "max": "unlimited"}},
                "m": {"type": {"key": "string", "value": "integer",
                               "min": 0, "max": "unlimited"}},
                "o": {"type": {"key": "integer", "min": 0, "max": 1}},
                "ref": {"type": {"key": {"type": "uuid", "refTable": "B"},
                                 "min": 0, "max": "unlimited"}},
            },
            "isRoot": True,
        },
        "B": {
            "columns": {"n": {"type": "integer"},
                        "Zed": {"type": "string"}},
            "isRoot": True,
        },
    },
}

T_ROWS = [
    "T",
    {"op": "insert", "table": "B", "row": {"n": 2, "Zed": "z"},
     "uuid-name": "b1"},
    {"op": "insert", "table": "B", "row": {"n": 1, "Zed": "a,b"},
     "uuid-name": "b2"},
    {"op": "insert", "table": "B", "row": {"n": 5, "Zed": "same"}},
    {"op": "insert", "table": "B", "row": {"n": 5, "Zed": "same"}},
    {"op": "insert", "table": "B", "row": {"n": 4, "Zed": "q"}},
    {"op": "insert", "table": "B", "row": {"n": 3, "Zed": "q"}},
    {"op": "insert", "table": "A",
     "row": {"s": "a&b<c>\"d'e\nf g", "i": -5, "r": 2.5, "b": True,
             "ss": ["set", ["x", "y z", ""]],
             "m": ["map", [["k", 1], ["a b", 2]]], "o": 7,
             "ref": ["set", [["named-uuid", "b1"], ["named-uuid", "b2"]]]}},
    {"op": "insert", "table": "A",
     "row": {"s": "plain", "i": 10, "r": 1e100, "b": False}},
    {"op": "insert", "table": "A",
     "row": {"s": "plain", "i": 3, "r": 0.1, "b": False}},
    {"op": "insert", "table": "A",
     "row": {"s": "\u00fcn\u00ef", "i": 3, "r": 0.3333333333333333,
             "ss": "tab\there"}},
    {"op": "insert", "table": "A",
     "row": {"s": "ref", "ref": ["named-uuid", "b2"]}},
    {"op": "insert", "table": "A", "row": {"s": "big", "r": 1.5e17}},
]


def reference_client():
    return paths.reference("ovsdb-client")


class Server:
    """The reference ovsdb-server in a sandbox with the Open_vSwitch and
    T databases."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        tool = paths.reference("ovsdb-tool")
        server = paths.reference("ovsdb-server")
        vsctl = paths.reference("ovs-vsctl")
        db = sandbox.path("db", "conf.db")
        sandbox.run([tool, "create", db, VSWITCH_SCHEMA], check=True)
        t_schema = sandbox.path("t.ovsschema")
        with open(t_schema, "w") as f:
            json.dump(T_SCHEMA, f)
        self.t_schema = t_schema
        t_db = sandbox.path("db", "t.db")
        sandbox.run([tool, "create", t_db, t_schema], check=True)
        self.sock = sandbox.path("run", "db.sock")
        self.remote = "unix:" + self.sock
        self.daemon = sandbox.start_daemon(
            [server, db, t_db, "--remote=punix:" + self.sock],
            name="ovsdb-server")
        sandbox.run([vsctl, "--db=" + self.remote, "--no-wait", "init",
                     "--", "add-br", "br0", "--", "add-port", "br0", "p1",
                     "--", "set", "Interface", "p1", "type=internal",
                     "--", "set", "Bridge", "br0",
                     'external_ids:a="x y"'], check=True)
        self.transact(T_ROWS)

    def transact(self, ops):
        result = self.sandbox.run([reference_client(), "transact",
                                   self.remote, json.dumps(ops)],
                                  check=True)
        assert "error" not in result.stdout, result.stdout
        return result.stdout


@pytest.fixture
def server(sandbox):
    reference_client()
    return Server(sandbox)


def normalize(text):
    """The only difference allowed between the two programs' stderr: the
    path by which each was invoked."""
    return re.sub(r"^\S*ovsdb-client: ", "ovsdb-client: ", text,
                  flags=re.M)


def run_both(sandbox, args, input=None):
    ref = sandbox.run([reference_client()] + args, input=input)
    ours = sandbox.run(["ovsdb-client"] + args, input=input)
    return ref, ours


def assert_same(sandbox, args):
    ref, ours = run_both(sandbox, args)
    assert ours.stdout == ref.stdout
    assert normalize(ours.stderr) == normalize(ref.stderr)
    assert ours.returncode == ref.returncode
    return ours


# Commands whose whole output must match; "S" stands for the server.
OUTPUT_CASES = [
    ["list-dbs", "S"],
    ["list-dbs"],
    ["get-schema", "S"],
    ["get-schema", "S", "T"],
    ["--pretty", "get-schema", "S", "T"],
    ["get-schema-version", "S"],
    ["get-schema-version", "S", "T"],
    ["get-schema-cksum", "S"],
    ["list-tables", "S"],
    ["list-tables", "S", "T"],
    ["list-columns", "S"],
    ["list-columns", "S", "T"],
    ["list-columns", "S", "T", "A"],
    ["list-columns", "S", "Bridge"],
    ["list-columns", "S", "T", "Nope"],
    ["--format=csv", "list-columns", "S", "T", "B"],
    ["dump", "S"],
    ["dump", "S", "T"],
    ["dump", "S", "T", "A", "s", "r"],
    ["dump", "S", "T", "B", "Zed"],
    ["dump", "S", "T", "A", "_version"],
    ["dump", "S", "Open_vSwitch", "Port", "interfaces", "name"],
    ["--format=list", "dump", "S"],
    ["--format=list", "dump", "S", "T"],
    ["--format=csv", "dump", "S", "T"],
    ["--format=html", "dump", "S", "T"],
    ["--format=json", "dump", "S", "T"],
    ["--format=json", "--pretty", "dump", "S", "T"],
    ["--data=bare", "dump", "S", "T"],
    ["--data=json", "dump", "S", "T"],
    ["--format=html", "--data=json", "dump", "S", "T"],
    ["--format=csv", "--data=bare", "dump", "S", "T"],
    ["--no-headings", "dump", "S", "T"],
    ["--format=csv", "--no-headings", "dump", "S", "T"],
    ["--bare", "dump", "S", "T"],
    ["-f", "list", "-d", "bare", "dump", "S", "T", "B"],
    ["--max-column-width=4", "dump", "S", "T"],
    ["transact", "S",
     '["T",{"op":"select","table":"B","where":[],"columns":["Zed","n"]}]'],
    ["--pretty", "transact", "S",
     '["T",{"op":"select","table":"A","where":[["s","==","big"]]}]'],
    ["--pretty", "transact", "S", '["T",{"op":"comment","comment":"x"}]'],
    ["transact", "S", '["T",{"op":"insert","table":"B","row":{"n":"x"}}]'],
    ["query", "S", '["T",{"op":"select","table":"B","where":[]}]'],
    ["query", "S", '["T",{"op":"insert","table":"B","row":{"n":"x"}}]'],
    ["query", "S",
     '["T",{"op":"insert","table":"B","row":{"Zed":[2.0,1e300,25e-1]}}]'],
    ["needs-conversion", "S", "T_SCHEMA"],
    ["needs-conversion", "S", "VSWITCH_SCHEMA"],
    ["wait", "S", "T", "added"],
    ["wait", "S", "Open_vSwitch", "connected"],
]

# Commands that fail: the message and the exit status must match.
ERROR_CASES = [
    [],
    ["frob"],
    ["--bogus", "list-dbs"],
    ["--timeout=abc", "list-dbs"],
    ["--timeout=0", "list-dbs"],
    ["--format=xml", "dump", "S"],
    ["--data=xml", "dump", "S"],
    ["list-dbs", "x:y"],
    ["list-dbs", "unix:nonexistent.sock"],
    ["list-dbs", "S", "extra"],
    ["list-tables", "S", "Nope"],
    ["list-tables", "S", "T", "extra"],
    ["get-schema", "S", "Nope"],
    ["dump", "S", "Nope"],
    ["dump", "S", "T", "C"],
    ["dump", "S", "T", "A", "xyz"],
    ["dump", "S", "T", "A", "s", "s"],
    ["transact", "S", "[]"],
    ["transact", "S", "{}"],
    ["transact", "[]"],
    ["transact", "S", '["Nope",{"op":"select","table":"B","where":[]}]'],
    ["needs-conversion", "S", "/nonexistent.ovsschema"],
    ["monitor", "S", "Nope"],
    ["monitor", "S", "T"],
    ["monitor", "S", "T", "B", "nope"],
    ["monitor", "S", "T", "B", "Zed", "Zed"],
    ["monitor", "S", "T", "B", "n,!bogus"],
    ["monitor", "S", "T", "ALL", "x"],
    ["monitor-cond", "S", "T", "B"],
    ["monitor-cond", "S", "T", "[]", "ALL"],
    ["monitor-cond", "S", "T", '[["n","<",3]]', "Nope"],
    ["monitor-cond", "S", "T", '[["x","<",3]]', "B"],
    ["wait", "Nope"],
    ["wait", "S", "T", "bogus"],
    ["wait", "S", "T", "added", "extra"],
    ["backup", "S", "Nope"],
    ["backup", "S", "T", "extra"],
    ["restore", "S", "T", "extra"],
]


def expand(server, args):
    subst = {"S": server.remote, "T_SCHEMA": server.t_schema,
             "VSWITCH_SCHEMA": VSWITCH_SCHEMA}
    return [subst.get(a, a) for a in args]


@pytest.mark.parametrize("args", OUTPUT_CASES,
                         ids=[" ".join(a) for a in OUTPUT_CASES])
def test_command_output_is_byte_identical_to_reference(sandbox, server,
                                                       args):
    result = assert_same(sandbox, expand(server, args))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("args", ERROR_CASES,
                         ids=[" ".join(a) or "no-args" for a in ERROR_CASES])
def test_error_message_and_status_match_reference(sandbox, server, args):
    result = assert_same(sandbox, expand(server, args))
    assert result.returncode != 0
    assert result.stderr


def test_argument_that_is_no_server_name_is_left_for_the_command(
        sandbox, server):
    """"foo" has no colon, so it is not taken for SERVER."""
    assert_same(sandbox, ["list-dbs", "foo"])


def test_default_server_is_db_sock_in_rundir(sandbox, server):
    """Without SERVER, both connect to unix:$OVS_RUNDIR/db.sock, which is
    where the fixture's server listens."""
    result = assert_same(sandbox, ["dump", "T", "B"])
    assert "B table" in result.stdout


# Monitors: both clients watch the same server while another client
# changes it; what they print must be the same.

CHANGES = [
    ["T", {"op": "insert", "table": "B", "row": {"n": 9, "Zed": "new"}}],
    ["T", {"op": "update", "table": "B", "where": [["Zed", "==", "new"]],
           "row": {"n": 10}}],
    ["T", {"op": "delete", "table": "B", "where": [["Zed", "==", "new"]]}],
    ["T", {"op": "insert", "table": "B", "row": {"n": 1, "Zed": "x1"},
           "uuid-name": "x"},
     {"op": "insert", "table": "A",
      "row": {"s": "new", "ref": ["named-uuid", "x"]}},
     {"op": "insert", "table": "B", "row": {"n": 2, "Zed": "x2"}}],
    ["T", {"op": "update", "table": "B", "where": [["n", "<", 3]],
           "row": {"n": 2}}],
    ["T", {"op": "delete", "table": "A", "where": [["s", "==", "new"]]},
     {"op": "delete", "table": "B", "where": [["Zed", "==", "x2"]]}],
]


class Monitor:
    def __init__(self, sandbox, program, args, name):
        self.out_path = sandbox.path(name + ".out")
        self.err_path = sandbox.path(name + ".err")
        self.out = open(self.out_path, "w")
        self.err = open(self.err_path, "w")
        if "/" not in program:
            program = paths.program(program)
        self.proc = subprocess.Popen([program] + args, cwd=sandbox.root,
                                     env=sandbox.env, stdout=self.out,
                                     stderr=self.err)

    def output(self):
        with open(self.out_path) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.out.close()
        self.err.close()
        with open(self.err_path) as f:
            # Both log the signal that stopped them, with a timestamp.
            return "".join(line for line in f
                           if "fatal_signal" not in line)


TIMESTAMP_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$", re.M)


def count_tables(text):
    """Each table printed in the table format has one line of dashes."""
    return len(re.findall(r"^-+( -+)*$", text, flags=re.M))


def compare_monitors(sandbox, server, args, n_updates, count=count_tables):
    args = expand(server, args)
    ref = Monitor(sandbox, reference_client(), args, "ref")
    ours = Monitor(sandbox, "ovsdb-client", args, "ours")
    try:
        # Changes made before both monitors exist would be missed; each
        # prints the initial contents once it has its monitor.
        for m in (ref, ours):
            wait_for(lambda: count(m.output()) >= 1 or m.proc.poll()
                     is not None, what="initial contents")
        for change in CHANGES:
            server.transact(change)
        for m in (ref, ours):
            wait_for(lambda: count(m.output()) >= n_updates,
                     what="%d updates" % n_updates)
    finally:
        ref_err = ref.stop()
        ours_err = ours.stop()
    ref_out = TIMESTAMP_RE.sub("TIME", ref.output())
    ours_out = TIMESTAMP_RE.sub("TIME", ours.output())
    assert ours_out == ref_out
    assert normalize(ours_err) == normalize(ref_err)
    return ours_out


def test_monitor_prints_initial_rows_then_each_change(sandbox, server):
    out = compare_monitors(sandbox, server, ["monitor", "S", "T", "B"],
                           n_updates=1 + 6)
    assert " initial " in out and " insert " in out
    assert " old " in out and " new " in out and " delete " in out


def test_monitor_of_chosen_columns_and_selectors(sandbox, server):
    out = compare_monitors(sandbox, server,
                           ["monitor", "S", "T", "B", "n",
                            "!initial,!delete,Zed"],
                           n_updates=1 + 6)
    assert out.count(" initial ") == 6


def test_monitor_all_names_each_table(sandbox, server):
    out = compare_monitors(sandbox, server, ["monitor", "S", "T", "ALL"],
                           n_updates=2 + 8)
    assert out.startswith("A\n")


def test_monitor_cond_prints_update2_actions(sandbox, server):
    out = compare_monitors(
        sandbox, server,
        ["monitor-cond", "S", "T", '[["n","<",3]]', "B", "Zed,n"],
        n_updates=1 + 3)
    assert " modify " in out


def test_monitor_json_format_with_timestamp_free_output(sandbox, server):
    compare_monitors(sandbox, server,
                     ["--format=json", "monitor", "S", "T", "B"],
                     n_updates=1 + 6,
                     count=lambda text: text.count('"headings"'))


def test_monitor_timestamp_line_precedes_each_update(sandbox, server):
    out = compare_monitors(sandbox, server,
                           ["--timestamp", "monitor", "S", "T", "B", "n"],
                           n_updates=1 + 6)
    assert out.startswith("TIME\nrow ")


def test_monitor_detach_returns_after_initial_contents(sandbox, server):
    ours = sandbox.run(["ovsdb-client", "--detach", "--no-chdir",
                        "--pidfile", "monitor", server.remote, "T", "B"])
    assert ours.returncode == 0, ours.stderr
    pidfile = sandbox.path("run", "ovsdb-client.pid")
    with open(pidfile) as f:
        pid = int(f.read())
    try:
        os.kill(pid, 0)
    finally:
        os.kill(pid, 15)
    wait_for(lambda: not os.path.exists(pidfile), what="pidfile removal")


def test_lock_steal_and_notifications_match_reference(sandbox, server):
    outputs = []
    # Each program gets a lock of its own: the server may not yet have
    # seen the first holder go when the second one asks.
    for program, lock in ((reference_client(), "L"), ("ovsdb-client", "M")):
        holder = Monitor(sandbox, program, ["lock", server.remote, lock],
                         "holder")
        wait_for(lambda: holder.output(), what="lock reply")
        stealer = sandbox.run([program, "--timeout=1", "steal",
                               server.remote, lock])
        # Once the stealer is gone, the lock comes back.
        wait_for(lambda: holder.output().endswith('locked\n["%s"]\n' % lock),
                 what="stolen, then locked again")
        holder.stop()
        outputs.append((holder.output().replace('"%s"' % lock, '"L"'),
                        stealer.stdout))
    assert outputs[1] == outputs[0]
    assert outputs[0] == ('{"locked":true}\nstolen\n["L"]\nlocked\n["L"]\n',
                          '{"locked":true}\n')


# backup and restore.  A backup is a standalone database file: the schema
# record, then one record of all rows.  Both programs' backups of the
# same server must hold the same records (apart from "_date"), each
# program must restore the other's, and OVS's tools must read ours.

def run_with_files(sandbox, program, args, stdin=None, stdout=None):
    """Runs program with stdin and stdout redirected from and to files,
    as "backup > FILE" and "restore < FILE" are used: restore reads its
    input by offsets, so it must be a file, not a pipe."""
    if "/" not in program:
        program = paths.program(program)
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    fout = open(stdout, "wb") if stdout else subprocess.PIPE
    try:
        result = subprocess.run([program] + args, cwd=sandbox.root,
                                env=sandbox.env, stdin=fin, stdout=fout,
                                stderr=subprocess.PIPE, timeout=30)
    finally:
        for f in (fin, fout):
            if hasattr(f, "close"):
                f.close()
    result.stderr = result.stderr.decode()
    return result


def read_records(path):
    """Parses a standalone database file into its JSON records, checking
    each header's length and SHA-1."""
    with open(path, "rb") as f:
        data = f.read()
    records = []
    while data:
        header, data = data.split(b"\n", 1)
        magic1, magic2, length, sha1 = header.split(b" ")
        assert magic1 + b" " + magic2 == b"OVSDB JSON"
        body, data = data[:int(length)], data[int(length):]
        assert hashlib.sha1(body).hexdigest() == sha1.decode()
        records.append(json.loads(body))
    return records


def write_records(path, records):
    with open(path, "wb") as f:
        for record in records:
            body = (json.dumps(record, separators=(",", ":")) + "\n").encode()
            f.write(b"OVSDB JSON %d %s\n"
                    % (len(body), hashlib.sha1(body).hexdigest().encode()))
            f.write(body)


def backup(sandbox, server, program, db, name):
    path = sandbox.path(name)
    result = run_with_files(sandbox, program, ["backup", server.remote, db],
                            stdout=path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return path


def snapshot(server, db):
    """The contents of 'db' without UUIDs: each table's rows as a sorted
    list, with every reference replaced by the contents of the row it
    points to, so that two databases compare equal when they differ only
    in their rows' UUIDs."""
    out = server.sandbox.run([reference_client(), "dump", "--format=json",
                              "--data=json", server.remote, db], check=True)
    tables = {}
    for t in json.loads("[" + out.stdout.strip().replace("}\n{", "},{")
                        + "]"):
        name = t["caption"][:-len(" table")]
        tables[name] = [dict(zip(t["headings"], row)) for row in t["data"]]
    by_uuid = {row["_uuid"][1]: row for rows in tables.values()
               for row in rows}

    def canon(value, depth=0):
        if isinstance(value, list) and value[:1] == ["uuid"]:
            target = by_uuid.get(value[1])
            if target is None or depth > 5:
                return "dangling"
            return canon_row(target, depth + 1)
        if isinstance(value, list):
            return json.dumps(sorted((canon(v, depth) for v in value),
                                     key=json.dumps))
        return value

    def canon_row(row, depth=0):
        return json.dumps({k: canon(v, depth) for k, v in row.items()
                           if k not in ("_uuid", "_version")},
                          sort_keys=True)

    return {name: sorted(canon_row(r) for r in rows)
            for name, rows in tables.items()}


@pytest.mark.parametrize("db", ["T", "Open_vSwitch"])
def test_backup_records_match_reference(sandbox, server, db):
    ours = read_records(backup(sandbox, server, "ovsdb-client", db,
                               "ours.db"))
    ref = read_records(backup(sandbox, server, reference_client(), db,
                              "ref.db"))
    assert len(ours) == len(ref) == 2
    assert ours[0] == ref[0]
    for record in (ours[1], ref[1]):
        assert isinstance(record.pop("_date"), int)
    assert ours[1] == ref[1]
    assert ours[1]["_comment"] == 'produced by "ovsdb-client backup"'


def test_reference_tools_read_our_backup(sandbox, server):
    ours = backup(sandbox, server, "ovsdb-client", "T", "ours.db")
    ref = backup(sandbox, server, reference_client(), "T", "ref.db")
    tool = paths.reference("ovsdb-tool")
    query = '["T",{"op":"select","table":"A","where":[],"columns":["s","r"]}]'
    outputs = []
    for path in (ours, ref):
        show = sandbox.run([tool, "show-log", "-m", path], check=True)
        assert 'produced by "ovsdb-client backup"' in show.stdout
        rows = json.loads(sandbox.run([tool, "query", path, query],
                                      check=True).stdout)[0]["rows"]
        # Rows come in the order of their UUIDs' hashes, whichever file.
        outputs.append(sorted(rows, key=json.dumps))
    assert outputs[0] == outputs[1]
    assert {"r": 1.5e17, "s": "big"} in outputs[0]


def test_backup_to_a_pipe_is_a_database_file(sandbox, server):
    """Like OVS's, backup streams to a pipe, not only to a file."""
    result = subprocess.run([paths.program("ovsdb-client"), "backup",
                             server.remote, "T"], cwd=sandbox.root,
                            env=sandbox.env, capture_output=True,
                            timeout=30)
    assert result.returncode == 0, result.stderr
    path = sandbox.path("piped.db")
    with open(path, "wb") as f:
        f.write(result.stdout)
    assert read_records(path)[0]["name"] == "T"


def empty_t(server):
    """Changes T completely, so that a restore has everything to do."""
    server.transact(["T", {"op": "delete", "table": "A", "where": []},
                     {"op": "delete", "table": "B", "where": []},
                     {"op": "insert", "table": "B", "row": {"n": 99}}])


@pytest.mark.parametrize("maker,restorer", [
    ("ovsdb-client", "ovsdb-client"),
    ("reference", "ovsdb-client"),
    ("ovsdb-client", "reference"),
], ids=["ours-ours", "reference-ours", "ours-reference"])
def test_restore_brings_back_the_backed_up_contents(sandbox, server, maker,
                                                    restorer):
    def prog(name):
        return reference_client() if name == "reference" else name

    before = snapshot(server, "T")
    path = backup(sandbox, server, prog(maker), "T", "t.db")
    empty_t(server)
    assert snapshot(server, "T") != before
    result = run_with_files(sandbox, prog(restorer),
                            ["restore", server.remote, "T"], stdin=path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert snapshot(server, "T") == before


def test_restore_of_open_vswitch_backup(sandbox, server):
    before = snapshot(server, "Open_vSwitch")
    path = backup(sandbox, server, "ovsdb-client", "Open_vSwitch", "o.db")
    sandbox.run([paths.reference("ovs-vsctl"), "--db=" + server.remote,
                 "--no-wait", "del-br", "br0"], check=True)
    result = run_with_files(sandbox, "ovsdb-client",
                            ["restore", server.remote], stdin=path)
    assert result.returncode == 0, result.stderr
    assert snapshot(server, "Open_vSwitch") == before


def test_restore_replays_every_record_of_a_database_file(sandbox, server):
    """restore reads any standalone database file: inserts, diffs and
    deletions in later records apply as the server would replay them."""
    t_db = sandbox.path("db", "t.db")
    records = read_records(t_db)
    uuid_b = "11111111-2222-3333-4444-555555555555"
    uuid_a = "66666666-7777-8888-9999-000000000000"
    records.append({"B": {uuid_b: {"n": 1, "Zed": "x"}},
                    "A": {uuid_a: {"s": "a", "ref": ["uuid", uuid_b],
                                   "m": ["map", [["k", 1], ["j", 2]]]}}})
    records.append({"A": {uuid_a: {"s": "b", "m": ["map", [["k", 1]]]}},
                    "_is_diff": True})
    records.append({"A": {uuid_a: None}, "B": {uuid_b: None}})
    path = sandbox.path("history.db")
    write_records(path, records)
    outputs = []
    for program in (reference_client(), "ovsdb-client"):
        empty_t(server)
        result = run_with_files(sandbox, program,
                                ["restore", server.remote, "T"], stdin=path)
        assert result.returncode == 0, result.stderr
        outputs.append(snapshot(server, "T"))
    assert outputs[0] == outputs[1]
    assert len(outputs[0]["A"]) == 6


LOG_TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z\|", re.M)


def compare_restore(sandbox, server, args, path):
    outputs = []
    for program in (reference_client(), "ovsdb-client"):
        result = run_with_files(sandbox, program, args, stdin=path)
        outputs.append((result.returncode, result.stdout,
                        normalize(LOG_TIME_RE.sub("TIME|", result.stderr))))
    assert outputs[1] == outputs[0]
    return outputs[0]


def test_restore_into_another_schema_fails_like_reference(sandbox, server):
    """A backup of T restored into Open_vSwitch: the versions differ."""
    path = backup(sandbox, server, "ovsdb-client", "T", "t.db")
    status, _, err = compare_restore(
        sandbox, server, ["restore", server.remote, "Open_vSwitch"], path)
    assert status == 1
    assert 'backup schema has version "1.2.3" but database schema has ' \
        'version' in err
    assert "use --force to override differences" in err


@pytest.mark.parametrize("change,message", [
    ({"version": "1.2.4"}, 'backup schema has version "1.2.4" but database '
     'schema has version "1.2.3"'),
    ({"cksum": "1 2"}, "backup schema and database schema are both version "
     "1.2.3 but still differ"),
])
def test_restore_with_other_schema_version_needs_force(sandbox, server,
                                                       change, message):
    records = read_records(backup(sandbox, server, "ovsdb-client", "T",
                                  "t.db"))
    records[0].update(change)
    path = sandbox.path("changed.db")
    write_records(path, records)
    before = snapshot(server, "T")

    status, _, err = compare_restore(sandbox, server,
                                     ["restore", server.remote, "T"], path)
    assert status == 1 and message + " (use --force" in err

    empty_t(server)
    status, _, err = compare_restore(
        sandbox, server, ["--force", "restore", server.remote, "T"], path)
    assert status == 0
    assert err == "TIME|00001|ovsdb_client|INFO|%s\n" % message
    assert snapshot(server, "T") == before


@pytest.mark.parametrize("content", [b"", b"OVSDB JSON 99 0\n{}",
                                     b"garbage\n"],
                         ids=["empty", "torn", "garbage"])
def test_restore_of_a_bad_file_fails_like_reference(sandbox, server,
                                                    content):
    path = sandbox.path("bad.db")
    with open(path, "wb") as f:
        f.write(content)
    status, _, err = compare_restore(sandbox, server,
                                     ["restore", server.remote, "T"], path)
    assert status == 1 and err


def test_restore_from_a_pipe_fails_like_reference(sandbox, server):
    path = backup(sandbox, server, "ovsdb-client", "T", "t.db")
    with open(path) as f:
        data = f.read()
    ref, ours = run_both(sandbox, ["restore", server.remote, "T"],
                         input=data)
    assert ours.returncode == ref.returncode == 1
    assert normalize(ours.stderr) == normalize(ref.stderr)
    assert "seek failed (Illegal seek)" in ours.stderr

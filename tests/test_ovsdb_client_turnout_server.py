"""Debian's ovsdb-client against Turnout's ovsdb-server: the same client
runs the same command against Turnout's server and against the
reference ovsdb-server, each serving a copy of the same database files
(so even the row UUIDs are the same), and must print the same thing and
exit with the same status.

"The same thing" allows one difference: the order of the rows of a
select result, which the reference client prints as the server sent
them.  The reference server's own order is not a function of the
database (two reference servers on copies of one file list the same
rows in different orders), so no server can match it.  Outputs are
therefore compared as sorted lines (JSON outputs as canonical JSON);
test_order_of_schema_same_as_reference_server compares the bytes of
outputs that list a schema's tables and columns, which Turnout's server
sends in OVS's order (tests/test_ovsdb_server_order.py).

The commands and databases are those of tests/test_ovsdb_client.py
(which compares the two clients against one server); here the server
is what differs.  Monitors watch both servers while the same changes,
with caller-chosen UUIDs, are made to each."""

import os
import re
import shutil
import json

import pytest

import paths
from wait import wait_for
from test_ovsdb_client import (ERROR_CASES, OUTPUT_CASES, T_ROWS, T_SCHEMA,
                               TIMESTAMP_RE, VSWITCH_SCHEMA, Monitor,
                               count_tables)

pytestmark = pytest.mark.reference


class Servers:
    """The reference ovsdb-server and Turnout's, each on its own copy of
    the Open_vSwitch and T databases filled by the reference tools."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.client = paths.reference("ovsdb-client")
        tool = paths.reference("ovsdb-tool")
        server = paths.reference("ovsdb-server")
        vsctl = paths.reference("ovs-vsctl")
        self.t_schema = sandbox.path("t.ovsschema")
        with open(self.t_schema, "w") as f:
            json.dump(T_SCHEMA, f)

        # Fill the files once, through a reference server.
        seed_dir = sandbox.path("seed")
        os.makedirs(seed_dir)
        files = [os.path.join(seed_dir, "conf.db"),
                 os.path.join(seed_dir, "t.db")]
        sandbox.run([tool, "create", files[0], VSWITCH_SCHEMA], check=True)
        sandbox.run([tool, "create", files[1], self.t_schema], check=True)
        sock = os.path.join(seed_dir, "seed.sock")
        seed = self._start(server, "seed", files, sock)
        sandbox.run([vsctl, "--db=unix:" + sock, "--no-wait", "init",
                     "--", "add-br", "br0", "--", "add-port", "br0", "p1",
                     "--", "set", "Interface", "p1", "type=internal",
                     "--", "set", "Bridge", "br0",
                     'external_ids:a="x y"'], check=True)
        self._transact("unix:" + sock, T_ROWS)
        sandbox.stop_daemon(seed)

        self.remotes = {}
        for name, program in (("ref", server), ("ours", "ovsdb-server")):
            d = sandbox.path(name)
            os.makedirs(d)
            copies = [shutil.copy(f, d) for f in files]
            sock = os.path.join(d, "db.sock")
            self._start(program, name, copies, sock)
            self.remotes[name] = "unix:" + sock

    def _start(self, program, name, files, sock):
        d = self.sandbox.start_daemon(
            [program, "--remote=punix:" + sock, "--no-chdir"] + files,
            name=name, wait_ctl=False)
        wait_for(lambda: os.path.exists(sock), what=sock)
        return d

    def _transact(self, remote, ops):
        r = self.sandbox.run([self.client, "transact", remote,
                              json.dumps(ops)], check=True)
        assert "error" not in r.stdout, r.stdout
        return r.stdout

    def transact_both(self, ops):
        outs = [self._transact(self.remotes[n], ops) for n in ("ref", "ours")]
        assert outs[0] == outs[1]

    def expand(self, name, args):
        subst = {"S": self.remotes[name], "T_SCHEMA": self.t_schema,
                 "VSWITCH_SCHEMA": VSWITCH_SCHEMA}
        return [subst.get(a, a) for a in args]

    def run_both(self, args, exact=False):
        """Runs the reference client against both servers; returns the
        two results with each server's remote replaced by 'SERVER', and
        their output in canonical() form unless 'exact'."""
        results = []
        for name in ("ref", "ours"):
            r = self.sandbox.run([self.client] + self.expand(name, args))
            remote = self.remotes[name]
            out = r.stdout.replace(remote, "SERVER")
            results.append((out if exact else canonical(out),
                            r.stderr.replace(remote, "SERVER"),
                            r.returncode))
        return results


VERSION_RE = re.compile(r'"_version": ?\[\s*"uuid",\s*"[-0-9a-f]{36}"\]')


def _sort_json(value):
    if isinstance(value, dict):
        return {k: _sort_json(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sort_json(v) for v in value]
        if items and (all(isinstance(v, dict) for v in items)
                      or all(isinstance(v, list) for v in items)):
            items.sort(key=lambda v: json.dumps(v, sort_keys=True))
        return items
    return value


def canonical(text):
    """'text' with what depends on the order in which a server sends
    things taken out: JSON as sorted-key JSON with lists of objects or
    of lists (rows) sorted, anything else as its sorted lines.  '_version' (not
    stored in the file, so different in any two servers) is blanked.
    Lines of JSON (monitor --format=json) are canonicalized one by
    one."""
    text = VERSION_RE.sub('"_version": "VERSION"', text)
    try:
        return json.dumps(_sort_json(json.loads(text)), sort_keys=True,
                          indent=1)
    except ValueError:
        pass
    lines = []
    for line in text.split("\n"):
        try:
            line = json.dumps(_sort_json(json.loads(line)), sort_keys=True)
        except ValueError:
            pass
        lines.append(line)
    return "\n".join(sorted(lines))


@pytest.fixture
def servers(sandbox):
    return Servers(sandbox)


def _server_cases(cases):
    """The cases that name the server ("S") and so can run against each;
    '_version' differs between any two servers (it is not stored in the
    file)."""
    return [c for c in cases if "S" in c and "_version" not in c]


@pytest.mark.parametrize("args", [
    ["list-tables", "S"],
    ["list-columns", "S", "Bridge"],
    ["list-columns", "S", "Interface"],
    ["list-tables", "S", "T"],
    ["list-columns", "S", "T"],
    ["get-schema", "S", "T"],
    ["--format=json", "list-columns", "S"],
])
def test_order_of_schema_same_as_reference_server(servers, args):
    ref, ours = servers.run_both(args, exact=True)
    assert ours == ref
    assert ours[2] == 0, ours[1]


@pytest.mark.parametrize("args", _server_cases(OUTPUT_CASES),
                         ids=[" ".join(a) for a in
                              _server_cases(OUTPUT_CASES)])
def test_reference_client_output_same_with_turnout_server(servers, args):
    ref, ours = servers.run_both(args)
    assert ours == ref
    assert ours[2] == 0, ours[1]


@pytest.mark.parametrize("args", _server_cases(ERROR_CASES),
                         ids=[" ".join(a) for a in
                              _server_cases(ERROR_CASES)])
def test_reference_client_errors_same_with_turnout_server(servers, args):
    ref, ours = servers.run_both(args)
    assert ours == ref
    assert ours[2] != 0


def test_reference_client_transact_results_same_with_turnout_server(
        servers):
    """Transactions that change the database, and their errors."""
    cases = [
        ["T", {"op": "insert", "table": "B", "row": {"n": 70, "Zed": "t"},
               "uuid": "70000000-0000-4000-8000-000000000001"},
         {"op": "select", "table": "B", "where": [["n", ">", 4]],
          "columns": ["n", "Zed"]}],
        ["T", {"op": "update", "table": "A", "where": [["s", "==", "plain"]],
               "row": {"o": 1, "m": ["map", [["z", 26]]]}},
         {"op": "mutate", "table": "A", "where": [["i", "<", 5]],
          "mutations": [["i", "*=", 3], ["ss", "insert", "w"],
                        ["m", "delete", ["set", ["k"]]]]},
         {"op": "select", "table": "A", "where": [],
          "columns": ["s", "i", "o", "ss", "m"]}],
        ["T", {"op": "mutate", "table": "A", "where": [],
               "mutations": [["i", "/=", 0]]}],
        ["T", {"op": "insert", "table": "A",
               "uuid": "70000000-0000-4000-8000-000000000002",
               "row": {"ref": ["uuid",
                               "70000000-0000-4000-8000-0000000000ff"]}}],
        ["T", {"op": "insert", "table": "B", "row": {"n": 1},
               "uuid-name": "x",
               "uuid": "70000000-0000-4000-8000-000000000003"},
         {"op": "insert", "table": "B", "row": {"n": 2}, "uuid-name": "x"}],
        ["T", {"op": "wait", "table": "B", "timeout": 0,
               "where": [["n", "==", 70]], "columns": ["Zed"],
               "until": "!=", "rows": [{"Zed": "t"}]}],
        ["T", {"op": "delete", "table": "B", "where": [["n", "==", 70]]},
         {"op": "comment", "comment": "bye"},
         {"op": "select", "table": "B", "where": [["n", ">=", 5]],
          "columns": ["n"]}],
        ["T", {"op": "update", "table": "B", "where": [],
               "row": {"n": "x"}}],
        ["T", {"op": "abort"}, {"op": "select", "table": "B", "where": []}],
    ]
    for ops in cases:
        ref, ours = servers.run_both(["--pretty", "transact", "S",
                                      json.dumps(ops)])
        assert ours == ref, json.dumps(ops)
    ref, ours = servers.run_both(["dump", "S", "T"])
    assert ours == ref


# Changes with caller-chosen UUIDs, so that both servers' monitors print
# the same rows.  They touch columns of every kind, optional ones ("o", at
# most one integer) included: update2 sends their new value, not a
# difference.
CHANGES = [
    ["T", {"op": "insert", "table": "B", "row": {"n": 9, "Zed": "new"},
           "uuid": "90000000-0000-4000-8000-000000000001"}],
    ["T", {"op": "update", "table": "B", "where": [["Zed", "==", "new"]],
           "row": {"n": 10}}],
    ["T", {"op": "update", "table": "A", "where": [["s", "==", "ref"]],
           "row": {"o": 1, "i": 2}}],
    ["T", {"op": "update", "table": "A", "where": [["s", "==", "ref"]],
           "row": {"o": 2, "ss": ["set", ["p", "q"]],
                   "m": ["map", [["a", 1]]]}}],
    ["T", {"op": "update", "table": "A", "where": [["s", "==", "ref"]],
           "row": {"o": ["set", []], "ss": ["set", ["q", "r"]],
                   "m": ["map", [["a", 2], ["b", 3]]]}}],
    ["T", {"op": "delete", "table": "B", "where": [["Zed", "==", "new"]]}],
    ["T", {"op": "insert", "table": "B", "row": {"n": 1, "Zed": "x1"},
           "uuid": "90000000-0000-4000-8000-000000000002"},
     {"op": "insert", "table": "A",
      "row": {"s": "new", "ref": ["uuid",
                                  "90000000-0000-4000-8000-000000000002"]},
      "uuid": "90000000-0000-4000-8000-000000000003"},
     {"op": "insert", "table": "B", "row": {"n": 2, "Zed": "x2"},
      "uuid": "90000000-0000-4000-8000-000000000004"}],
    ["T", {"op": "update", "table": "B", "where": [["n", "<", 3]],
           "row": {"n": 2}}],
    ["T", {"op": "delete", "table": "A", "where": [["s", "==", "new"]]},
     {"op": "delete", "table": "B", "where": [["Zed", "==", "x2"]]}],
]


def compare_monitors(servers, args, n_updates, count=count_tables):
    sandbox = servers.sandbox
    mons = {name: Monitor(sandbox, servers.client,
                          servers.expand(name, args), name + "-monitor")
            for name in ("ref", "ours")}
    try:
        for m in mons.values():
            wait_for(lambda: count(m.output()) >= 1 or m.proc.poll()
                     is not None, what="initial contents")
        for change in CHANGES:
            servers.transact_both(change)
        for m in mons.values():
            wait_for(lambda: count(m.output()) >= n_updates,
                     what="%d updates" % n_updates)
    finally:
        errs = {name: m.stop() for name, m in mons.items()}
    outs = {name: canonical(TIMESTAMP_RE.sub("TIME", m.output()))
            for name, m in mons.items()}
    assert outs["ours"] == outs["ref"]
    assert errs["ours"] == errs["ref"]
    return outs["ours"]


# Columns are always named: without, '_version' is printed too, and it
# differs between any two servers.
A_COLUMNS = "s,i,r,b,ss,m,o,ref"


@pytest.mark.parametrize("args,n_updates", [
    (["monitor", "S", "T", "B", "n,Zed"], 1 + 6),
    (["monitor", "S", "T", "A", "s,o,ss,m,ref"], 1 + 5),
    (["monitor", "S", "T", "B", "n", "!initial,!delete,Zed"], 1 + 6),
    (["--format=json", "monitor", "S", "T", "A", A_COLUMNS], 1 + 5),
], ids=["table", "optional-columns", "selectors", "json"])
def test_reference_monitor_output_same_with_turnout_server(
        servers, args, n_updates):
    count = count_tables
    if "--format=json" in args:
        def count(text):
            return text.count('"headings"')
    out = compare_monitors(servers, args, n_updates, count)
    assert "insert" in out or "initial" in out


@pytest.mark.parametrize("args,n_updates", [
    (["monitor-cond", "S", "T", '[["n","<",3]]', "B", "Zed,n"], 1 + 3),
    (["monitor-cond", "S", "T", '[["s","==","ref"]]', "A", "o,i,ss,m"],
     1 + 3),
    (["monitor-cond", "S", "T", "[true]", "A", A_COLUMNS], 1 + 5),
], ids=["B", "optional-columns", "all-A"])
def test_reference_monitor_cond_update2_same_with_turnout_server(
        servers, args, n_updates):
    out = compare_monitors(servers, args, n_updates)
    assert " modify " in out


def test_optional_column_modify_shows_new_value_with_turnout_server(
        servers):
    """update2 "modify" of a column with at most one value carries its
    new value (what the reference client prints as is), and an empty set
    when it is cleared."""
    args = ["--format=csv", "monitor-cond", "S", "T", '[["s","==","ref"]]',
            "A", "o"]
    mons = {name: Monitor(servers.sandbox, servers.client,
                          servers.expand(name, args), name + "-monitor")
            for name in ("ref", "ours")}

    def n_updates(m):
        return m.output().count("row,action,o\n")
    try:
        for m in mons.values():
            wait_for(lambda: n_updates(m) >= 1, what="initial contents")
        for change in CHANGES:
            servers.transact_both(change)
        for m in mons.values():
            wait_for(lambda: n_updates(m) >= 4, what="3 updates")
    finally:
        for m in mons.values():
            m.stop()
    for m in mons.values():
        lines = [line for line in m.output().splitlines()
                 if ",modify," in line]
        assert [line.rsplit(",", 1)[1] for line in lines] == \
            ["1", "2", "[]"], m.output()

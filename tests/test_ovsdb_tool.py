"""ovsdb-tool against the reference Open vSwitch ovsdb-tool: the same
commands on the same files give the same output, errors and exit codes,
and each tool reads, compacts and converts the files the other writes.

Commands that write are run on two copies of a file, one per tool; the
outputs that must differ (dates, random UUIDs) are compared after
normalising them."""

import hashlib
import json
import os
import re
import shutil

import pytest

import paths

SCHEMA = {
    "name": "T",
    "version": "1.2.3",
    "cksum": "123 45",
    "tables": {
        "A": {
            "columns": {
                "i": {"type": "integer"},
                "s": {"type": "string"},
                "r": {"type": {"key": "real", "min": 0, "max": 1}},
                "b": {"type": "boolean"},
                "m": {"type": {"key": "string", "value": "string",
                               "min": 0, "max": "unlimited"}},
                "refs": {"type": {"key": {"type": "uuid", "refTable": "B"},
                                  "min": 0, "max": "unlimited"}},
                "e": {"type": "string", "ephemeral": True},
                "lim": {"type": {"key": "integer", "min": 0, "max": 2}},
                "en": {"type": {"key": {"type": "string",
                                        "enum": ["set", ["a", "b"]]},
                                "min": 0, "max": 1}},
            },
            "isRoot": True,
        },
        "B": {
            "columns": {
                "name": {"type": "string"},
                "n": {"type": {"key": "integer", "min": 0,
                               "max": "unlimited"}},
            },
        },
    },
}

U1 = "18df84e8-3f5e-4357-97b4-5451db17f413"
U2 = "22222222-3f5e-4357-97b4-5451db17f413"
U3 = "33333333-3f5e-4357-97b4-5451db17f413"


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=2)
    return str(path)


def write_log(path, bodies):
    """Writes a standalone database log whose records have the JSON texts
    'bodies', exactly as given, independently of both implementations."""
    with open(path, "wb") as f:
        for body in bodies:
            b = body.encode() + b"\n"
            f.write(b"OVSDB JSON %d %s\n" % (len(b),
                                            hashlib.sha1(b).hexdigest()
                                            .encode()))
            f.write(b)
    return str(path)


def schema_body(schema=SCHEMA):
    return json.dumps(schema, separators=(",", ":"))


class Tools:
    """Runs Turnout's and the reference ovsdb-tool in one sandbox."""

    def __init__(self, sandbox):
        self.sb = sandbox
        self.ref = paths.reference("ovsdb-tool")
        self.ours = paths.program("ovsdb-tool")

    def run(self, which, *args, env=None):
        prog = self.ours if which == "ours" else self.ref
        e = {"TZ": "UTC"}
        e.update(env or {})
        return self.sb.run([prog] + [str(a) for a in args], env=e)

    def both(self, *args, env=None):
        return (self.run("ours", *args, env=env),
                self.run("ref", *args, env=env))

    def same(self, *args, env=None, norm=None):
        """Runs both on the same arguments and asserts identical stdout,
        stderr (after the program name) and exit code.  Returns ours."""
        o, r = self.both(*args, env=env)
        norm = norm or (lambda s: s)
        assert norm(o.stdout) == norm(r.stdout), args
        assert (strip_prog(norm(o.stderr), self.ours)
                == strip_prog(norm(r.stderr), self.ref)), args
        assert o.returncode == r.returncode, args
        return o


def strip_prog(text, prog):
    return text.replace(prog + ":", "ovsdb-tool:")


@pytest.fixture
def tools(sandbox):
    return Tools(sandbox)


@pytest.fixture
def schema_file(sandbox):
    return write_json(sandbox.path("t.ovsschema"), SCHEMA)


# Commands, options and arguments.

def test_list_commands_is_identical(tools):
    out = tools.same("list-commands")
    assert "  show-log                [db]\n" in out.stdout


@pytest.mark.parametrize("args", [
    [],
    ["frobnicate"],
    ["db-cid"],
    ["db-name", "a", "b"],
    ["create", "a", "b", "c"],
    ["convert", "a", "b", "c", "d"],
    ["compare-versions", "1.2.3", "<"],
    ["compare-versions", "1", "2", "3", "4"],
    ["query"],
    ["transact", "a", "b", "c"],
    ["check-cluster"],
    ["--more"],
    ["--election-timer=5", "db-name"],
    ["--election-timer=600001", "db-name"],
    ["--cid=abc", "db-name"],
    ["-vnosuchmodule", "db-name"],
])
def test_usage_errors_are_identical(tools, args):
    out = tools.same(*args)
    assert out.returncode == 1


def test_help_documents_defaults(tools, sandbox):
    out = tools.run("ours", "--help")
    assert out.returncode == 0
    assert ("The default DB is %s/conf.db.\n" % sandbox.dbdir) in out.stdout
    assert "show-log [DB]" in out.stdout
    assert "--rbac-role=ROLE" in out.stdout


@pytest.mark.parametrize("a", ["1.2.3", "01.2.3", " 1.2.3", "+1.2.3",
                               "1.10.0", "4294967296.0.0", "1.2", "1.2.3x",
                               "1..2", "1.2.3.4", "1.2.3 "])
@pytest.mark.parametrize("op", ["<", "<=", "==", ">=", ">", "!=", "=~"])
def test_compare_versions_is_identical(tools, a, op):
    tools.same("compare-versions", a, op, "1.9.3")


# Creating databases and reading their schemas.

def test_create_makes_a_file_the_reference_reads(tools, sandbox,
                                                 schema_file):
    assert tools.run("ours", "create", "ours.db", schema_file).returncode == 0
    assert tools.run("ref", "create", "ref.db", schema_file).returncode == 0
    for cmd in ("db-name", "db-version", "db-cksum", "show-log"):
        o = tools.run("ref", cmd, "ours.db")
        r = tools.run("ref", cmd, "ref.db")
        assert (o.returncode, o.stdout) == (0, r.stdout), cmd
    assert tools.run("ref", "needs-conversion", "ours.db",
                     schema_file).stdout == "no\n"
    # The new file holds the schema alone, and the lock file OVS uses.
    with open(sandbox.path("ours.db"), "rb") as f:
        assert f.read().count(b"OVSDB JSON ") == 1
    assert os.path.exists(sandbox.path(".ours.db.~lock~"))


def test_create_refuses_existing_file_and_bad_schema(tools, sandbox,
                                                     schema_file):
    tools.run("ref", "create", "x.db", schema_file)
    tools.same("create", "x.db", schema_file)
    write_json(sandbox.path("bad.ovsschema"),
               {"name": "x", "tables": {}, "version": "1.2"})
    tools.same("create", "y.db", "bad.ovsschema")
    tools.same("create", "y.db", "nonexistent.ovsschema")
    tools.same("create", "nodir/y.db", schema_file)
    assert not os.path.exists(sandbox.path("y.db"))


def test_create_uses_default_db_and_schema(tools, sandbox):
    assert tools.run("ours", "create").returncode == 0
    db = os.path.join(sandbox.dbdir, "conf.db")
    assert os.path.exists(db)
    assert tools.run("ref", "db-name", db).stdout == "Open_vSwitch\n"
    tools.same("db-version")
    tools.same("schema-version")
    tools.same("needs-conversion")
    tools.same("create")


@pytest.mark.parametrize("schema", [
    SCHEMA,
    {"name": "NoVersion", "tables": {}},
    {"name": "x", "tables": {}, "version": "1.2"},
    {"name": "x"},
    {"name": "x", "tables": {"A": {"columns": {"c": {"type": "frob"}}}}},
])
@pytest.mark.parametrize("cmd", ["name", "version", "cksum"])
def test_schema_and_db_queries_are_identical(tools, sandbox, schema, cmd):
    write_json(sandbox.path("s.ovsschema"), schema)
    write_log(sandbox.path("s.db"), [schema_body(schema)])
    tools.same("schema-" + cmd, "s.ovsschema")
    tools.same("db-" + cmd, "s.db")


@pytest.mark.parametrize("cmd", ["db-name", "db-version", "db-cksum",
                                 "show-log", "db-is-standalone",
                                 "db-is-clustered", "db-cid",
                                 "check-cluster", "needs-conversion"])
@pytest.mark.parametrize("content", ["missing", "", "garbage\n",
                                     "OVSDB JSON 5 0000\n", "standalone"])
def test_damaged_and_missing_files_give_identical_errors(tools, sandbox,
                                                         cmd, content):
    path = sandbox.path("f.db")
    if content == "standalone":
        write_log(path, [schema_body()])
    elif content != "missing":
        with open(path, "w") as f:
            f.write(content)
    write_json(sandbox.path("s.ovsschema"), SCHEMA)
    args = [cmd, path] + (["s.ovsschema"] if cmd == "needs-conversion"
                          else [])
    tools.same(*args)


@pytest.mark.parametrize("change", [
    lambda s: None,
    lambda s: s.update(cksum="1 2"),
    lambda s: s.update(version="1.2.4"),
    lambda s: s.pop("cksum"),
    lambda s: s["tables"].pop("B") and s["tables"]["A"]["columns"]
    .pop("refs"),
    lambda s: s["tables"]["A"]["columns"]["i"].update(type="real"),
    lambda s: s["tables"]["A"].update(isRoot=False),
])
def test_needs_conversion_is_identical(tools, sandbox, schema_file, change):
    tools.run("ref", "create", "x.db", schema_file)
    new = json.loads(json.dumps(SCHEMA))
    change(new)
    write_json(sandbox.path("new.ovsschema"), new)
    tools.same("needs-conversion", "x.db", "new.ovsschema")


def test_needs_conversion_formatting_does_not_matter(tools, sandbox,
                                                     schema_file):
    tools.run("ref", "create", "x.db", schema_file)
    with open(sandbox.path("compact.ovsschema"), "w") as f:
        json.dump(SCHEMA, f, separators=(",", ":"), sort_keys=True)
    out = tools.same("needs-conversion", "x.db", "compact.ovsschema")
    assert out.stdout == "no\n"


# Clustered databases: recognised, not supported.

@pytest.fixture
def clustered_db(tools, sandbox, schema_file):
    out = tools.run("ref", "create-cluster", "c.db", schema_file,
                    "tcp:127.0.0.1:6644")
    assert out.returncode == 0, out.stderr
    return "c.db"


def test_db_is_clustered_and_standalone(tools, sandbox, schema_file,
                                        clustered_db):
    tools.run("ref", "create", "s.db", schema_file)
    for cmd in ("db-is-clustered", "db-is-standalone"):
        for db in ("s.db", clustered_db):
            tools.same(cmd, db)
    assert tools.run("ours", "db-is-clustered", clustered_db).returncode == 0
    assert tools.run("ours", "db-is-standalone", "s.db").returncode == 0
    assert tools.run("ours", "db-is-clustered", "s.db").returncode == 2


@pytest.mark.parametrize("cmd", ["db-cid", "db-sid", "db-local-address"])
def test_cluster_queries_on_standalone_file_are_identical(tools,
                                                          schema_file, cmd):
    tools.run("ref", "create", "s.db", schema_file)
    out = tools.same(cmd, "s.db")
    assert out.stderr.endswith("s.db: not a clustered database\n")


@pytest.mark.parametrize("cmd", ["compact", "needs-conversion",
                                 "db-version", "db-cksum", "query",
                                 "transact", "convert"])
def test_standalone_only_commands_refuse_clustered_file(tools, clustered_db,
                                                        schema_file, cmd):
    args = {"query": ["[]"], "transact": ["[]"],
            "needs-conversion": [schema_file], "convert": [schema_file,
                                                           "out.db"]}
    tools.same(cmd, clustered_db, *args.get(cmd, []))


@pytest.mark.parametrize("args", [
    ["db-name", "c.db"], ["show-log", "c.db"], ["db-cid", "c.db"],
    ["db-sid", "c.db"], ["db-local-address", "c.db"],
    ["check-cluster", "c.db"],
    ["create-cluster", "n.db", "t.ovsschema", "tcp:127.0.0.1:6644"],
    ["join-cluster", "n.db", "T", "tcp:127.0.0.1:6644",
     "tcp:127.0.0.1:6645"],
    ["cluster-to-standalone", "n.db", "c.db"],
])
def test_clustered_databases_are_refused_by_name(tools, sandbox,
                                                 clustered_db, args):
    out = tools.run("ours", *args)
    assert out.returncode == 1
    assert out.stdout == ""
    assert "clustered database" in out.stderr
    assert "not supported" in out.stderr
    assert not os.path.exists(sandbox.path("n.db"))


def test_check_cluster_on_standalone_file_is_identical(tools, schema_file):
    tools.run("ref", "create", "s.db", schema_file)
    tools.same("check-cluster", "s.db")


# show-log.

def norm_dates(text):
    return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}", "DATE", text)


# Records that exercise every branch of show-log's output: names taken
# from "name" members (any JSON), rows first seen in a modification or a
# deletion, tables and columns the schema does not know, values that do
# not fit their column (printed as JSON), diffs, comments, odd dates.
ODD_RECORDS = [
    '{"_date":0,"A":{"%s":{"i":5,"s":"a b","name":"q","lim":["set",[1,2]],'
    '"en":"a"}},"Zed":{"11111111-3f5e-4357-97b4-5451db17f413":{"x":1}}}'
    % U1,
    '{"A":{"%s":{"i":"bad","zz":[1,2],"refs":["set",[]],"lim":'
    '["set",[1,2,3]],"en":"c","r":["set",[1.5,2.5]]}},'
    '"_comment":"c\\"q\\u00e9\\n"}' % U1,
    '{"_date":1795323674589.5,"_is_diff":false,"B":{"%s":{"name":"x y",'
    '"n":["set",[1]]},"%s":{"name":5}}}' % (U2, U3),
    '{"_date":-5,"B":{"%s":{"name":"new"},"%s":[1],"44444444":null,'
    '"55555555-3f5e-4357-97b4-5451db17f413":null},"_comment":5,"A":5,'
    '"_x":{"a":{}}}' % (U2, U3),
    '{"_date":1795323674589,"_is_diff":true,"B":{"%s":{"name":"new2",'
    '"n":["set",[1,7]]}}}' % U2,
    '{"_date":2147483646}', '{"_date":2147483647}', '{"_date":2.0}',
    '{"_date":1.5e3}', '{"_date":-9223372036854775808}',
    '{"_date":9223372036854775807}', '{"_date":"5"}',
    '{"_is_diff":true,"A":{"%s":{"m":["map",[["a","b"],["c","d"]]],'
    '"_version":["uuid","%s"],"refs":["uuid","%s"],"e":"eph","b":true,'
    '"_uuid":["uuid","%s"],"s":"x\\"y\\u0001\\u00e9","i":["set",[1,2]]}}}'
    % (U1, U2, U2, U2),
    '{"A":{"%s":{"m":["map",[["a","b"],["a","d"]]],"refs":["set",'
    '[["uuid","%s"],["named-uuid","x"]]],"s":"true","r":1e0}}}' % (U1, U2),
    '{}', '{"_comment":""}',
    '{"B":{"%s":null},"_is_diff":true}' % U2,
]


@pytest.mark.parametrize("more", ["", "-m", "-mm", "-mmm", "--more"])
def test_show_log_of_odd_records_is_identical(tools, sandbox, more):
    write_log(sandbox.path("odd.db"), [schema_body()] + ODD_RECORDS)
    out = tools.same(*([more] if more else []), "show-log", "odd.db")
    assert out.returncode == 0
    assert "record %d:" % len(ODD_RECORDS) in out.stdout


def test_show_log_of_reference_transactions_is_identical(tools, sandbox,
                                                         schema_file):
    tools.run("ref", "create", "x.db", schema_file)
    txns = [
        ["T", {"op": "insert", "table": "A", "uuid-name": "a",
               "row": {"i": 5, "s": "hello", "m": ["map", [["k", "v"]]],
                       "refs": ["named-uuid", "b1"], "e": "x"}},
         {"op": "insert", "table": "B", "uuid-name": "b1",
          "row": {"name": "bee", "n": ["set", [1, 2, 3]]}},
         {"op": "comment", "comment": "first txn"}],
        ["T", {"op": "update", "table": "A", "where": [],
               "row": {"i": 6, "r": 2.5, "lim": ["set", [4, 5]]}}],
        ["T", {"op": "mutate", "table": "B", "where": [],
               "mutations": [["n", "delete", 2], ["n", "insert", 9]]}],
        ["T", {"op": "delete", "table": "A", "where": []}],
    ]
    for t in txns:
        out = tools.run("ref", "transact", "x.db", json.dumps(t))
        assert out.returncode == 0 and "error" not in out.stdout, out
    for more in ([], ["-m"], ["-mm"], ["-mmm"]):
        out = tools.same(*more, "show-log", "x.db")
    assert 'table B row "bee"' in out.stdout


def test_show_log_schema_error_after_record_header(tools, sandbox):
    write_log(sandbox.path("x.db"), ['{"name":"x"}', '{"_date":5}'])
    out = tools.same("show-log", "x.db")
    assert out.stdout == "record 0:"


def test_show_log_stops_at_corrupt_record_with_identical_error(tools,
                                                               sandbox):
    path = write_log(sandbox.path("x.db"),
                     [schema_body(), '{"_date":1}', '{"_date":2}',
                      '{"_date":3}'])
    with open(path, "rb") as f:
        data = bytearray(f.read())
    # Damage the body of the second transaction record, not the last.
    i = data.index(b'{"_date":2}')
    data[i + 9] = ord("7")
    with open(path, "wb") as f:
        f.write(data)
    out = tools.same("-m", "show-log", "x.db")
    assert out.returncode == 1
    assert "record 1:" in out.stdout


# query and transact.

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                     r"[0-9a-f]{12}")
A1 = "a1a1a1a1-0000-4000-8000-000000000001"
A2 = "a2a2a2a2-0000-4000-8000-000000000002"
B1 = "b1b1b1b1-0000-4000-8000-000000000001"
B2 = "b2b2b2b2-0000-4000-8000-000000000002"

# Transactions with caller-chosen UUIDs, so that both tools write the
# same rows.
SETUP_TXNS = [
    ["T", {"op": "insert", "table": "A", "uuid": A1,
           "row": {"i": 5, "s": "hello", "m": ["map", [["k", "v"]]],
                   "refs": ["uuid", B1], "e": "eph",
                   "lim": ["set", [1, 2]], "en": "a"}},
     {"op": "insert", "table": "B", "uuid": B1,
      "row": {"name": "bee", "n": ["set", [1, 2, 3]]}},
     {"op": "comment", "comment": "first"},
     {"op": "comment", "comment": "second"}],
    ["T", {"op": "insert", "table": "A", "uuid": A2,
           "row": {"i": 9, "s": "two words", "r": 2.5, "b": True,
                   "refs": ["set", [["uuid", B1], ["uuid", B2]]]}},
     {"op": "insert", "table": "B", "uuid": B2,
      "row": {"name": "cee"}}],
    ["T", {"op": "update", "table": "A", "where": [["i", "==", 5]],
           "row": {"s": "changed", "r": ["set", [1.25]],
                   "lim": ["set", []]}}],
    ["T", {"op": "mutate", "table": "A", "where": [],
           "mutations": [["i", "+=", 10], ["m", "insert",
                                            ["map", [["x", "y"]]]],
                         ["m", "delete", ["set", ["k"]]]]}],
    ["T", {"op": "mutate", "table": "B", "where": [["name", "==", "bee"]],
           "mutations": [["n", "delete", ["set", [2]]],
                         ["n", "insert", ["set", [7, 8]]]]}],
    # Nothing stored changes: no record.
    ["T", {"op": "update", "table": "A", "where": [],
           "row": {"e": "only ephemeral"}}],
    ["T", {"op": "update", "table": "A", "where": [["i", "==", 19]],
           "row": {"refs": ["uuid", B2]}}],
    ["T", {"op": "delete", "table": "A", "where": [["i", "==", 15]]}],
]

# Requests whose results both tools must print identically (after
# replacing generated UUIDs).
QUERIES = [
    "[", '"x"', "{}", "[]", '["X"]', "[1]", '["T"]',
    ["T", {"op": "select", "table": "A", "where": [],
           "columns": ["i", "s", "r", "b", "m", "refs", "lim", "en", "e"]}],
    ["T", {"op": "select", "table": "A", "where": [["i", ">", 100]]}],
    ["T", {"op": "select", "table": "B", "where": [["name", "==", "cee"]],
           "columns": ["_uuid", "name", "n"]}],
    ["T", {"op": "select", "table": "Q", "where": []}],
    ["T", {"op": "select", "table": "A", "where": [], "columns": ["zz"]}],
    ["T", {"op": "insert", "table": "B", "row": {"name": 5}}],
    ["T", {"op": "insert", "table": "A", "row": {"en": "c"}}],
    ["T", {"op": "insert", "table": "A", "row": {"refs": ["uuid", A1]}}],
    ["T", {"op": "insert", "table": "A", "uuid": A2, "row": {}}],
    ["T", {"op": "insert", "table": "A", "row": {"i": 1}},
     {"op": "abort"}],
    ["T", {"op": "delete", "table": "B", "where": []}],
    ["T", {"op": "mutate", "table": "A", "where": [],
           "mutations": [["i", "/=", 0]]}],
    ["T", {"op": "commit", "durable": True}],
    ["T", {"op": "assert", "lock": "x"}],
    ["T", {"op": "wait", "timeout": 0, "table": "B", "where": [],
           "columns": ["name"], "until": "==", "rows": [{"name": "zz"}]}],
    ["T", {"op": "wait", "timeout": 0, "table": "B",
           "where": [["name", "==", "cee"]], "columns": ["name"],
           "until": "==", "rows": [{"name": "cee"}]}],
    ["T", {"op": "select", "table": "B", "where": [], "columns": ["name"]},
     {"op": "wait", "table": "B", "where": [], "columns": ["name"],
      "until": "==", "rows": []},
     {"op": "select", "table": "B", "where": []}],
    ["T", {"op": "wait", "timeout": 5000, "table": "B", "where": [],
           "columns": ["name"], "until": "!=", "rows": [{"name": "cee"}]}],
]


def normalise_results(text):
    """Replaces generated UUIDs and sorts "rows" arrays, whose order
    follows each engine's hash tables."""
    known = {A1, A2, B1, B2}
    text = UUID_RE.sub(lambda m: m.group(0) if m.group(0) in known
                       else "<uuid>", text)
    try:
        value = json.loads(text)
    except ValueError:
        return text

    def walk(v):
        if isinstance(v, dict):
            if isinstance(v.get("rows"), list):
                v["rows"].sort(key=lambda r: json.dumps(r, sort_keys=True))
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(value)
    return json.dumps(value, sort_keys=True)


def load(tools, which, db, txns, check_results=True):
    for t in txns:
        out = tools.run(which, "transact", db, json.dumps(t))
        assert out.returncode == 0, out.stderr
        if check_results:
            assert '"error"' not in out.stdout, (t, out.stdout)


@pytest.fixture
def ref_db(tools, schema_file):
    """A database that the reference tool created and filled."""
    assert tools.run("ref", "create", "ref.db", schema_file).returncode == 0
    load(tools, "ref", "ref.db", SETUP_TXNS)
    return "ref.db"


@pytest.mark.parametrize("request_", QUERIES,
                         ids=[str(i) for i in range(len(QUERIES))])
def test_query_results_are_identical(tools, sandbox, ref_db, request_):
    text = request_ if isinstance(request_, str) else json.dumps(request_)
    before = open(sandbox.path(ref_db), "rb").read()
    o, r = tools.both("query", ref_db, text)
    assert o.returncode == r.returncode
    if r.returncode == 0:
        assert normalise_results(o.stdout) == normalise_results(r.stdout)
        assert o.stderr == r.stderr == ""
    else:
        # Malformed JSON: both refuse it, quoting it (the parsers'
        # descriptions of the problem differ).
        assert o.stdout == r.stdout == ""
        assert o.stderr.startswith("ovsdb-tool: \"%s\": " % text)
    # query never writes.
    assert open(sandbox.path(ref_db), "rb").read() == before


def test_query_uses_default_db(tools, sandbox, ref_db):
    shutil.copy(sandbox.path(ref_db), os.path.join(sandbox.dbdir,
                                                   "conf.db"))
    q = json.dumps(["T", {"op": "select", "table": "B", "where": [],
                          "columns": ["name"]}])
    out = tools.same("query", q, norm=normalise_results)
    assert "cee" in out.stdout


def test_transact_writes_what_the_reference_writes(tools, sandbox,
                                                   schema_file):
    """The same transactions through each tool: identical results, and
    the reference's show-log, query and db-cksum see identical files."""
    for which in ("ours", "ref"):
        out = tools.run(which, "create", which + ".db", schema_file)
        assert out.returncode == 0
    for t in SETUP_TXNS + [q for q in QUERIES if not isinstance(q, str)]:
        o = tools.run("ours", "transact", "ours.db", json.dumps(t))
        r = tools.run("ref", "transact", "ref.db", json.dumps(t))
        assert o.returncode == r.returncode == 0, (t, o.stderr)
        assert normalise_results(o.stdout) == normalise_results(r.stdout), t

    for args in (["show-log"], ["-m", "show-log"], ["db-cksum"],
                 ["db-version"]):
        o = tools.run("ref", *args, "ours.db")
        r = tools.run("ref", *args, "ref.db")
        assert o.returncode == r.returncode == 0
        assert norm_dates(o.stdout) == norm_dates(r.stdout), args
    # Within a row, columns come in the order in which the writer put
    # them, which only OVS's own hash tables reproduce.
    assert (sorted_changes(tools.run("ref", "-mmm", "show-log", "ours.db"))
            == sorted_changes(tools.run("ref", "-mmm", "show-log",
                                        "ref.db")))
    q = json.dumps(["T", {"op": "select", "table": "A", "where": []},
                    {"op": "select", "table": "B", "where": []}])
    o = tools.run("ref", "query", "ours.db", q)
    r = tools.run("ref", "query", "ref.db", q)
    assert normalise_results(o.stdout) == normalise_results(r.stdout)
    # Ours reads both files the same way too.
    o = tools.run("ours", "query", "ref.db", q)
    assert normalise_results(o.stdout) == normalise_results(r.stdout)


def test_transact_with_nothing_stored_writes_no_record(tools, sandbox,
                                                       ref_db):
    before = open(sandbox.path(ref_db), "rb").read()
    for t in (["T"], ["T", {"op": "update", "table": "A", "where": [],
                            "row": {"e": "x"}}],
              ["T", {"op": "insert", "table": "A", "row": {}},
               {"op": "abort"}],
              ["T", {"op": "insert", "table": "B", "row": {}}]):
        out = tools.run("ours", "transact", ref_db, json.dumps(t))
        assert out.returncode == 0
    # The last one inserted an unreferenced row of a non-root table,
    # which is collected at once.
    assert open(sandbox.path(ref_db), "rb").read() == before


def test_transact_on_locked_file_is_refused_identically(tools, sandbox,
                                                        ref_db):
    import fcntl
    with open(sandbox.path("." + ref_db + ".~lock~"), "w") as f:
        fcntl.lockf(f, fcntl.LOCK_EX)
        for args in (["transact", ref_db, '["T"]'], ["compact", ref_db],
                     ["convert", ref_db, "t.ovsschema"],
                     ["compact", "t.ovsschema", ref_db]):
            out = tools.same(*args, norm=lambda s: re.sub(
                r"^\S+\|\d+\|", "", s, flags=re.M))
            assert out.returncode == 1
        tools.same("query", ref_db, '["T"]')


def test_rbac_role_without_rbac_tables_acts_as_superuser(tools, ref_db):
    t = json.dumps(["T", {"op": "select", "table": "B", "where": [],
                          "columns": ["name"]}])
    tools.same("--rbac-role=somebody", "query", ref_db, t,
               norm=normalise_results)


def test_rbac_role_with_rbac_tables_is_refused_by_name(tools, sandbox):
    schema = {"name": "R", "tables": {
        "RBAC_Role": {"columns": {"name": {"type": "string"}},
                      "isRoot": True},
        "X": {"columns": {"v": {"type": "integer"}}, "isRoot": True}}}
    write_json(sandbox.path("r.ovsschema"), schema)
    tools.run("ours", "create", "r.db", "r.ovsschema")
    t = json.dumps(["R", {"op": "insert", "table": "X", "row": {}}])
    out = tools.run("ours", "--rbac-role=somebody", "transact", "r.db", t)
    assert out.returncode == 1 and out.stdout == ""
    assert "--rbac-role" in out.stderr and "not supported" in out.stderr
    assert records_of(sandbox.path("r.db")) == 1
    # The empty role is the superuser, as in OVS.
    out = tools.run("ours", "--rbac-role=", "transact", "r.db", t)
    assert out.returncode == 0 and '"error"' not in out.stdout


def test_query_with_changes_reports_them_and_writes_nothing(tools, sandbox,
                                                            ref_db):
    """OVS 3.1 appends a spurious I/O error ("cannot truncate") to the
    results of a query that changes stored data; Turnout does what
    ovsdb-tool(1) documents: the changes are checked and discarded."""
    before = open(sandbox.path(ref_db), "rb").read()
    t = json.dumps(["T", {"op": "insert", "table": "A", "uuid": U1,
                          "row": {"i": 1}},
                    {"op": "update", "table": "B", "where": [],
                     "row": {"name": "renamed"}}])
    out = tools.run("ours", "query", ref_db, t)
    assert out.returncode == 0
    assert out.stdout == '[{"uuid":["uuid","%s"]},{"count":1}]\n' % U1
    assert open(sandbox.path(ref_db), "rb").read() == before


# compact.

def records_of(path):
    with open(path, "rb") as f:
        return f.read().count(b"OVSDB JSON ")


@pytest.mark.parametrize("in_place", [True, False])
def test_compact_of_reference_file_reads_back_identically(tools, sandbox,
                                                          ref_db, in_place):
    shutil.copy(sandbox.path(ref_db), sandbox.path("ours.db"))
    shutil.copy(sandbox.path(ref_db), sandbox.path("theirs.db"))
    if in_place:
        o = tools.run("ours", "compact", "ours.db")
        r = tools.run("ref", "compact", "theirs.db")
        out_o, out_r = "ours.db", "theirs.db"
    else:
        o = tools.run("ours", "compact", "ours.db", "ours-c.db")
        r = tools.run("ref", "compact", "theirs.db", "theirs-c.db")
        out_o, out_r = "ours-c.db", "theirs-c.db"
        # The source stays as it was.
        assert (open(sandbox.path("ours.db"), "rb").read()
                == open(sandbox.path(ref_db), "rb").read())
    assert (o.returncode, o.stdout, o.stderr) == (0, "", "")
    assert r.returncode == 0
    assert records_of(sandbox.path(out_o)) == 2
    assert not os.path.exists(sandbox.path(out_o + ".tmp"))

    for args in (["show-log"], ["db-cksum"], ["db-name"]):
        a = tools.run("ref", *args, out_o)
        b = tools.run("ref", *args, out_r)
        assert norm_dates(a.stdout) == norm_dates(b.stdout), args
    assert "compacted by ovsdb-tool 3.1.0" in tools.run(
        "ref", "show-log", out_o).stdout
    # Row by row, the snapshots hold the same values.
    assert (sorted_changes(tools.run("ref", "-mmm", "show-log", out_o))
            == sorted_changes(tools.run("ref", "-mmm", "show-log", out_r)))
    q = json.dumps(["T", {"op": "select", "table": "A", "where": []},
                    {"op": "select", "table": "B", "where": []}])
    full = tools.run("ref", "query", ref_db, q)
    for db in (out_o, out_r):
        for which in ("ours", "ref"):
            out = tools.run(which, "query", db, q)
            assert (normalise_results(out.stdout)
                    == normalise_results(full.stdout))


def sorted_changes(out):
    """The -mmm show-log output with each row's column lines sorted (the
    order follows the order in which each tool wrote the members)."""
    assert out.returncode == 0
    blocks = []
    for block in re.split(r"\n(?=  table )", norm_dates(out.stdout)):
        lines = block.split("\n")
        blocks.append(lines[0] + "\n" + "\n".join(sorted(lines[1:])))
    return sorted(blocks)


def test_reference_compacts_and_extends_our_file(tools, sandbox,
                                                  schema_file):
    tools.run("ours", "create", "ours.db", schema_file)
    load(tools, "ours", "ours.db", SETUP_TXNS)
    assert tools.run("ours", "compact", "ours.db").returncode == 0
    assert tools.run("ref", "compact", "ours.db").returncode == 0
    load(tools, "ref", "ours.db", [["T", {"op": "insert", "table": "B",
                                          "row": {"name": "late"}}]],
         check_results=True)
    q = json.dumps(["T", {"op": "select", "table": "B", "where": [],
                          "columns": ["name", "n"]}])
    o = tools.run("ours", "query", "ours.db", q)
    r = tools.run("ref", "query", "ours.db", q)
    assert normalise_results(o.stdout) == normalise_results(r.stdout)
    assert "late" not in o.stdout       # Unreferenced, so collected.


def test_compact_errors_are_identical(tools, sandbox, schema_file):
    tools.same("compact", "missing.db")
    tools.same("compact", "missing.db", "out.db")
    write_log(sandbox.path("bad.db"), [schema_body(),
                                       '{"Q":{"%s":{}}}' % U1])
    tools.same("compact", "bad.db")
    write_log(sandbox.path("bad2.db"), [schema_body(),
                                        '{"B":{"%s":null}}' % U1])
    tools.same("compact", "bad2.db", "out.db")
    assert records_of(sandbox.path("bad.db")) == 2


# convert.

def edit_schema(change):
    s = json.loads(json.dumps(SCHEMA))
    change(s)
    return s


def cols(s, table="A"):
    return s["tables"][table]["columns"]


CONVERSIONS = {
    "same": lambda s: None,
    "int-to-string": lambda s: cols(s)["i"].update(type="string"),
    "string-to-int": lambda s: cols(s)["s"].update(type="integer"),
    "int-to-real": lambda s: cols(s)["i"].update(type="real"),
    "max-integer": lambda s: cols(s)["i"].update(
        type={"key": {"type": "integer", "maxInteger": 3}}),
    "set-too-small": lambda s: cols(s, "B")["n"]["type"].update(max=2),
    "enum": lambda s: cols(s)["s"].update(
        type={"key": {"type": "string", "enum": ["set", ["x", "y"]]}}),
    "drop-column": lambda s: cols(s).pop("m"),
    "add-column": lambda s: cols(s).update(
        new={"type": {"key": "integer", "min": 1, "max": 1}}),
    "drop-table-still-referenced": lambda s: s["tables"].pop("B"),
    "drop-table": lambda s: (s["tables"].pop("B"),
                             cols(s)["refs"]["type"].update(key="uuid")),
    "weak-refs": lambda s: cols(s)["refs"]["type"]["key"].update(
        refType="weak"),
    "lose-ref-table": lambda s: cols(s)["refs"]["type"].update(key="uuid"),
    "scalar-to-optional": lambda s: cols(s)["i"].update(
        type={"key": "integer", "min": 0, "max": 1}),
    "optional-to-scalar": lambda s: cols(s)["r"].update(type="real"),
    "set-to-strings": lambda s: cols(s, "B")["n"].update(
        type={"key": "string", "min": 0, "max": "unlimited"}),
    "add-table-and-index": lambda s: (
        s["tables"].update(C={"columns": {"x": {"type": "integer"}},
                              "isRoot": True}),
        s["tables"]["A"].update(indexes=[["b"]]),
        s.update(version="2.0.0")),
    "ephemeral-to-persistent": lambda s: cols(s)["e"].pop("ephemeral"),
    "map-values-to-integers": lambda s: cols(s)["m"]["type"].update(
        value="integer"),
}


@pytest.mark.parametrize("name", sorted(CONVERSIONS))
def test_convert_of_reference_file_is_identical(tools, sandbox, ref_db,
                                                name):
    write_json(sandbox.path("new.ovsschema"),
               edit_schema(CONVERSIONS[name]))
    for which in ("ours", "theirs"):
        shutil.copy(sandbox.path(ref_db), sandbox.path(which + ".db"))
    o = tools.run("ours", "convert", "ours.db", "new.ovsschema")
    r = tools.run("ref", "convert", "theirs.db", "new.ovsschema")
    assert o.returncode == r.returncode, (o.stderr, r.stderr)
    assert o.stdout == r.stdout == ""
    assert (strip_prog(o.stderr, tools.ours)
            == strip_prog(r.stderr, tools.ref))
    if r.returncode:
        # Nothing changed.
        assert (open(sandbox.path("ours.db"), "rb").read()
                == open(sandbox.path(ref_db), "rb").read())
        return

    for args in (["db-version"], ["db-cksum"],
                 ["needs-conversion", "ours.db", "new.ovsschema"]):
        a = tools.run("ref", *args, *([] if len(args) > 1 else ["ours.db"]))
        b = tools.run("ref", *args,
                      *([] if len(args) > 1 else ["theirs.db"]))
        assert a.stdout == b.stdout, args
    assert (sorted_changes(tools.run("ref", "-mmm", "show-log", "ours.db"))
            == sorted_changes(tools.run("ref", "-mmm", "show-log",
                                        "theirs.db")))
    assert records_of(sandbox.path("ours.db")) == 2


def test_convert_to_target_leaves_source_alone(tools, sandbox, ref_db):
    new = edit_schema(CONVERSIONS["add-table-and-index"])
    write_json(sandbox.path("new.ovsschema"), new)
    before = open(sandbox.path(ref_db), "rb").read()
    out = tools.run("ours", "convert", ref_db, "new.ovsschema", "new.db")
    assert (out.returncode, out.stderr) == (0, "")
    assert open(sandbox.path(ref_db), "rb").read() == before
    assert tools.run("ref", "db-version", "new.db").stdout == "2.0.0\n"
    assert tools.run("ref", "needs-conversion", "new.db",
                     "new.ovsschema").stdout == "no\n"
    assert "converted by ovsdb-tool 3.1.0" in tools.run(
        "ref", "show-log", "new.db").stdout


def test_convert_uses_default_schema(tools, sandbox):
    # The default schema is $OVS_PKGDATADIR/vswitch.ovsschema.
    db = os.path.join(sandbox.dbdir, "conf.db")
    write_json(sandbox.path("old.ovsschema"),
               {"name": "Open_vSwitch", "version": "0.0.1", "tables": {
                   "Open_vSwitch": {"columns": {
                       "next_cfg": {"type": "integer"},
                       "gone": {"type": "string"}}}}})
    tools.run("ref", "create", db, "old.ovsschema")
    tools.run("ref", "transact", db, json.dumps(
        ["Open_vSwitch", {"op": "insert", "table": "Open_vSwitch",
                          "row": {"next_cfg": 7, "gone": "x"}}]))
    shutil.copy(db, sandbox.path("copy.db"))
    assert tools.run("ours", "convert").returncode == 0
    assert tools.run("ref", "needs-conversion").stdout == "no\n"
    q = json.dumps(["Open_vSwitch", {"op": "select", "table": "Open_vSwitch",
                                     "where": [], "columns": ["next_cfg"]}])
    assert tools.run("ref", "query", q).stdout == (
        '[{"rows":[{"next_cfg":7}]}]\n')


def test_convert_refuses_record_that_no_longer_commits(tools, sandbox,
                                                       ref_db):
    """OVS stops reading, silently, at the first transaction that does
    not commit under the new schema and writes what it read so far;
    Turnout refuses the conversion instead and changes nothing."""
    write_json(sandbox.path("new.ovsschema"),
               edit_schema(lambda s: s["tables"]["A"].update(maxRows=1)))
    before = open(sandbox.path(ref_db), "rb").read()
    out = tools.run("ours", "convert", ref_db, "new.ovsschema")
    assert out.returncode == 1
    assert "constraint violation" in out.stderr
    assert "greater than the schema-defined limit of 1 row(s)" in out.stderr
    assert open(sandbox.path(ref_db), "rb").read() == before

"""ovsdb-server online schema conversion (the "convert" method of
ovsdb-server(7), used by "ovsdb-client convert"): data is preserved, the
file holds the new schema durably, change-aware monitors are canceled,
other clients are disconnected after the requester's reply, and errors
are those of the reference server."""

import json
import signal

import pytest

import paths
from test_ovsdb_server import Client, _normalize, _start_server

OLD_SCHEMA = {
    "name": "T", "version": "1.0.0",
    "tables": {"A": {"columns": {"i": {"type": "integer"},
                                 "gone": {"type": "string"}},
                     "isRoot": True}}}

# "gone" is removed, "new" is added.
NEW_SCHEMA = {
    "name": "T", "version": "2.0.0",
    "tables": {"A": {"columns": {"i": {"type": "integer"},
                                 "new": {"type": "string"}},
                     "isRoot": True}}}


def _new_schema(change):
    s = json.loads(json.dumps(NEW_SCHEMA))
    change(s)
    return s


def _write_json(sb, name, obj):
    path = sb.path(name)
    with open(path, "w") as f:
        json.dump(obj, f)
    return path


def _make_db(sb, name):
    """Creates database file 'name' with OLD_SCHEMA and two rows."""
    path = sb.path(name)
    schema = _write_json(sb, "old.ovsschema", OLD_SCHEMA)
    sb.run(["ovsdb-tool", "create", path, schema], check=True)
    sb.run(["ovsdb-tool", "transact", path, json.dumps(
        ["T", {"op": "insert", "table": "A", "row": {"i": 5, "gone": "x"}},
         {"op": "insert", "table": "A", "row": {"i": 6, "gone": "y"}}])],
        check=True)
    return path


def _rows(c):
    r = c.request("transact", ["T", {"op": "select", "table": "A",
                                     "where": [], "columns": ["i", "new"]}])
    return sorted((row["i"], row["new"]) for row in r["result"][0]["rows"])


def _read_schema_record(path):
    with open(path, "rb") as f:
        header = f.readline().split()
        return json.loads(f.read(int(header[2])))


def _convert_with(sb, client_program, sock, schema):
    path = _write_json(sb, "new.ovsschema", schema)
    return sb.run([client_program, "convert", "unix:" + sock, path])


@pytest.mark.parametrize("client", ["turnout", "reference"])
def test_convert_online_preserves_data_and_survives_restart(sandbox, client):
    program = ("ovsdb-client" if client == "turnout"
               else paths.reference("ovsdb-client"))
    db = _make_db(sandbox, "conf.db")
    d, sock = _start_server(sandbox, db)

    r = _convert_with(sandbox, program, sock, NEW_SCHEMA)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")

    c = Client(sock)
    assert c.request("get_schema", ["T"])["result"]["version"] == "2.0.0"
    assert _rows(c) == [(5, ""), (6, "")]
    # _Server's Database row carries the new schema.
    r = c.request("transact", ["_Server", {
        "op": "select", "table": "Database",
        "where": [["name", "==", "T"]], "columns": ["schema"]}])
    schema = json.loads(r["result"][0]["rows"][0]["schema"])
    assert schema["version"] == "2.0.0"
    assert "new" in schema["tables"]["A"]["columns"]
    # Transactions go on with the new schema.
    r = c.request("transact", ["T", {"op": "insert", "table": "A",
                                     "row": {"i": 7, "new": "z"}}])
    assert "uuid" in r["result"][0]
    r = c.request("transact", ["T", {"op": "insert", "table": "A",
                                     "row": {"gone": "x"}}])
    assert r["result"][0]["error"] == "unknown column"
    c.close()

    # The file is the new schema (durably: the reply came after it).
    assert _read_schema_record(db)["version"] == "2.0.0"
    sandbox.stop_daemon(d)
    d, sock = _start_server(sandbox, db)
    c = Client(sock)
    assert c.request("get_schema", ["T"])["result"]["version"] == "2.0.0"
    assert _rows(c) == [(5, ""), (6, ""), (7, "z")]
    show = sandbox.run(["ovsdb-tool", "show-log", db], check=True).stdout
    assert '"converted by ovsdb-server"' in show


def test_convert_cancels_monitors_and_disconnects_unaware(sandbox):
    db = _make_db(sandbox, "conf.db")
    _, sock = _start_server(sandbox, db)

    aware = Client(sock)
    assert aware.request("set_db_change_aware", [True])["error"] is None
    assert "result" in aware.request("monitor", ["T", "m1", {"A": {}}])
    unaware = Client(sock)
    assert "result" in unaware.request("monitor", ["T", "m2", {"A": {}}])
    idle = Client(sock)
    assert idle.request("echo", [])["result"] == []

    requester = Client(sock)
    r = requester.request("convert", ["T", NEW_SCHEMA])
    assert r["result"] == {} and r["error"] is None

    note = aware.recv()
    assert note == {"id": None, "method": "monitor_canceled",
                    "params": ["m1"]}
    # Still connected, and it can monitor the new schema.
    r = aware.request("monitor", ["T", "m3", {"A": {"columns": ["new"]}}])
    assert len(r["result"]["A"]) == 2

    # Clients that do not follow _Server are disconnected, as OVS does,
    # the requester too, once its reply is out.
    for c in (unaware, idle, requester):
        assert c.recv(timeout=5) is None


def test_convert_error_leaves_database_alone(sandbox):
    db = _make_db(sandbox, "conf.db")
    _, sock = _start_server(sandbox, db)
    c = Client(sock)
    bad = _new_schema(lambda s: s["tables"]["A"]["columns"]["i"].update(
        type="string"))
    r = c.request("convert", ["T", bad])
    assert r["error"]["error"] == "syntax error"
    assert c.request("get_schema", ["T"])["result"]["version"] == "1.0.0"
    assert c.request("echo", ["still here"])["result"] == ["still here"]
    assert _read_schema_record(db)["version"] == "1.0.0"


BAD_CONVERSIONS = [
    ["X", NEW_SCHEMA],
    [],
    ["T"],
    ["T", NEW_SCHEMA, 1],
    ["T", {"name": "T"}],
    ["T", _new_schema(lambda s: s.update(name="U"))],
    ["_Server", NEW_SCHEMA],
    # "i" holds integers, not strings.
    ["T", _new_schema(lambda s: s["tables"]["A"]["columns"]["i"].update(
        type="string"))],
    # Two rows do not fit.
    ["T", _new_schema(lambda s: s["tables"]["A"].update(maxRows=1))],
    ["T", _new_schema(lambda s: s["tables"]["A"].update(maxRows=0))],
]


def _without_row_value(reply):
    """Drops the value that a conversion error quotes: which of the bad
    rows a server meets first depends on their random UUIDs.  (The
    reference server stopped answering after a conversion where only the
    second row it met was bad, so every row here is equally bad.)"""
    error = reply.get("error")
    if isinstance(error, dict) and error.get("syntax") in ("5", "6"):
        error = dict(error)
        error["syntax"] = "<row value>"
        reply = dict(reply, error=error)
    return reply


@pytest.mark.reference
def test_convert_errors_match_reference(sandbox):
    ref = paths.reference("ovsdb-server")
    replies = []
    for name, program in (("ours", "ovsdb-server"), ("ref", ref)):
        db = _make_db(sandbox, name + ".db")
        _, sock = _start_server(sandbox, db, program=program,
                                name=None if name == "ours" else "ref")
        c = Client(sock)
        replies.append([_without_row_value(
            _normalize(c.request("convert", p))) for p in BAD_CONVERSIONS])
        c.close()
    for p, ours, theirs in zip(BAD_CONVERSIONS, *replies):
        assert ours == theirs, p


@pytest.mark.reference
def test_reference_client_reports_convert_error_like_with_reference(sandbox):
    bad = _new_schema(lambda s: s["tables"]["A"].update(maxRows=1))
    client = paths.reference("ovsdb-client")
    results = []
    for name, program in (("ours", "ovsdb-server"),
                          ("ref", paths.reference("ovsdb-server"))):
        db = _make_db(sandbox, name + ".db")
        _, sock = _start_server(sandbox, db, program=program,
                                name=None if name == "ours" else "ref")
        for attempt in range(3):
            r = _convert_with(sandbox, client, sock, bad)
            # Debian's ovsdb-client itself sometimes dies of SIGSEGV
            # here, against either server (seen about once in 20 runs):
            # that says nothing about the server, so it runs again.
            if r.returncode != -signal.SIGSEGV:
                break
        results.append((r.returncode, r.stdout, r.stderr))
    assert results[0] == results[1]
    assert results[0][0] == 1

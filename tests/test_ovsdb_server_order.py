"""The order of what ovsdb-server sends and writes, compared byte for byte
with the reference ovsdb-server: each server opens its own copy of the
same database file (made by the reference ovsdb-tool), so even the row
UUIDs are the same.

OVS writes every JSON object in the iteration order of its hash tables,
so the bytes depend on the hash function, on the order in which members
were added, and on the tables' growth.  Turnout reproduces that for the
schema (get_schema replies, the schema record that ovsdb-tool create
writes) and for transaction records in the database file.

Not compared here: the order of the rows of a "select" result.  The
reference's own order is not a function of the database: two reference
servers on copies of one file, or one restarted, list the same rows in
different orders, so no other server can match it."""

import json
import os
import random
import re
import shutil
import uuid

import pytest

import paths
from test_ovsdb_client import T_ROWS, T_SCHEMA, VSWITCH_SCHEMA
from test_ovsdb_server import Client
from wait import wait_for

pytestmark = pytest.mark.reference


def _many_columns_schema():
    """70 columns in a shuffled order and 20 tables: enough names for
    OVS's hash tables to collide and grow."""
    rng = random.Random(1)
    cols = ["c%d" % i for i in range(70)]
    rng.shuffle(cols)
    tables = {}
    for t in range(20):
        names = cols if t == 0 else cols[:3]
        tables["T%d" % t] = {"columns": {c: {"type": "integer"}
                                         for c in names}}
    return {"name": "X", "tables": tables}


# Every member a schema, table, column and type can have.
FULL_SCHEMA = {
    "name": "Full", "version": "1.0.0", "cksum": "12345 67",
    "tables": {
        "P": {"columns": {
            "e": {"type": {"key": {"type": "string",
                                   "enum": ["set", ["a", "b"]]}},
                  "ephemeral": True},
            "m": {"type": "integer", "mutable": False},
            "em": {"type": "integer", "mutable": False, "ephemeral": True},
            "ir": {"type": {"key": {"type": "integer", "minInteger": 1,
                                    "maxInteger": 9},
                            "min": 0, "max": 3}},
            "rr": {"type": {"key": {"type": "real", "minReal": 0.5,
                                    "maxReal": 9.5}}},
            "sl": {"type": {"key": {"type": "string", "minLength": 1,
                                    "maxLength": 5},
                            "value": {"type": "uuid", "refTable": "Q",
                                      "refType": "weak"},
                            "min": 1, "max": "unlimited"}},
            "rs": {"type": {"key": {"type": "uuid", "refTable": "Q",
                                    "refType": "strong"}}},
            "all": {"type": {"key": {"type": "integer",
                                     "enum": ["set", [1, 2]]},
                             "value": {"type": "string",
                                       "enum": ["set", ["x"]]},
                             "min": 0, "max": 2},
                    "ephemeral": False, "mutable": True},
        }, "maxRows": 5, "isRoot": True, "indexes": [["m"], ["m", "ir"]]},
        "Q": {"columns": {"x": {"type": "integer"}}, "isRoot": False,
              "maxRows": 2},
        "R": {"columns": {"x": {"type": "integer"}}, "indexes": [["x"]]},
    },
}

SCHEMAS = {
    "Open_vSwitch": None,
    "T": T_SCHEMA,
    "X": _many_columns_schema(),
    "Full": FULL_SCHEMA,
}


def _schema_file(sandbox, name):
    if SCHEMAS[name] is None:
        return VSWITCH_SCHEMA
    path = sandbox.path(name + ".ovsschema")
    with open(path, "w") as f:
        json.dump(SCHEMAS[name], f)
    return path


class Pair:
    """The reference ovsdb-server and Turnout's, each on a copy of the
    same new database made by the reference ovsdb-tool."""

    def __init__(self, sandbox, name, seed_txn=None):
        self.sandbox = sandbox
        self.schema = _schema_file(sandbox, name)
        seed = sandbox.path("seed.db")
        sandbox.run([paths.reference("ovsdb-tool"), "create", seed,
                     self.schema], check=True)
        # Rows in the file itself, so that both servers have the same
        # UUIDs: 'seed_txn' is a list of transactions' operations.
        for ops in seed_txn or []:
            sandbox.run([paths.reference("ovsdb-tool"), "transact", seed,
                         json.dumps([name] + ops)], check=True)
        self.files = {}
        self.clients = {}
        for who, program in (("ref", paths.reference("ovsdb-server")),
                             ("ours", "ovsdb-server")):
            d = sandbox.path(who)
            os.makedirs(d)
            db = shutil.copy(seed, d)
            sock = os.path.join(d, "db.sock")
            sandbox.start_daemon([program, "--remote=punix:" + sock,
                                  "--no-chdir", db], name=who,
                                 wait_ctl=False)
            wait_for(lambda: os.path.exists(sock), what=sock)
            self.files[who] = db
            self.clients[who] = Client(sock)

    def both(self, method, params):
        """Sends the request to both servers; returns the texts of the two
        replies' "result" members (whole messages are compared in
        test_message_envelopes_same_bytes_as_reference_server())."""
        texts = []
        for who in ("ref", "ours"):
            reply = self.clients[who].request(method, params)
            assert reply.get("error") is None, reply
            text = self.clients[who].last_text
            start = text.index('"result":')
            texts.append(_member_text(text, start + len('"result":')))
        return texts

    def records(self, who):
        """The lines of the JSON records after the schema, with "_date"
        blanked."""
        with open(self.files[who]) as f:
            lines = f.read().split("\n")
        return [re.sub(r'"_date":\d+', '"_date":0', line)
                for line in lines[3::2] if line]


def _member_text(text, start):
    """The text of the JSON value that starts at 'start' in 'text'."""
    _, end = json.JSONDecoder().raw_decode(text, start)
    return text[start:end]


@pytest.mark.parametrize("name", ["Open_vSwitch", "T", "X", "Full"])
def test_get_schema_reply_same_bytes_as_reference_server(sandbox, name):
    pair = Pair(sandbox, name)
    ref, ours = pair.both("get_schema", [name])
    assert ours == ref
    ref, ours = pair.both("get_schema", ["_Server"])
    assert ours == ref


@pytest.mark.parametrize("name", ["Open_vSwitch", "T", "X", "Full"])
def test_tool_create_writes_schema_record_as_reference(sandbox, name):
    schema = _schema_file(sandbox, name)
    lines = {}
    for who, tool in (("ref", paths.reference("ovsdb-tool")),
                      ("ours", "ovsdb-tool")):
        db = sandbox.path(who + ".db")
        sandbox.run([tool, "create", db, schema], check=True)
        with open(db) as f:
            lines[who] = f.read().split("\n")[:2]
    assert lines["ours"] == lines["ref"]


def U(prefix, i):
    return "%s-0000-4000-8000-%012d" % (prefix, i)


def _transactions():
    """Inserts, updates, mutations and deletes over two tables, with
    comments, reference counting and rows whose UUIDs share their first
    32 bits (the hash of OVS's table of a transaction's rows) or not.
    Operations that change several rows select them by UUID: OVS changes
    the rows that a condition matches in the iteration order of its table,
    which Turnout does not reproduce (see the module's docstring)."""
    rows = [dict(op) for op in T_ROWS[1:]]
    for i, op in enumerate(rows):
        op["uuid"] = U("70000000", i + 1)
    txns = [["T"] + rows]
    rng = random.Random(7)
    uuids = []
    for n in range(12):
        ops = []
        for _ in range(rng.randint(1, 25)):
            prefix = "%08x" % rng.choice([0x70000000, rng.getrandbits(3),
                                          rng.getrandbits(32)])
            uuid = U(prefix, len(uuids) + 100)
            uuids.append(uuid)
            table = rng.choice("AB")
            row = ({"s": "r%d" % n, "i": n, "ss": ["set", ["x", str(n)]]}
                   if table == "A" else {"n": n, "Zed": str(n)})
            ops.append({"op": "insert", "table": table, "row": row,
                        "uuid": uuid})
        txns.append(["T"] + ops)
    for n in range(6):
        ops = []
        for uuid in rng.sample(uuids, 8):
            where = [["_uuid", "==", ["uuid", uuid]]]
            for table in "AB":
                kind = rng.choice(["update", "mutate", "delete"])
                if kind == "update":
                    row = ({"o": n, "m": ["map", [["k", n]]]}
                           if table == "A" else {"Zed": "u%d" % n})
                    ops.append({"op": "update", "table": table,
                                "where": where, "row": row})
                elif kind == "mutate":
                    mutations = ([["i", "+=", 1], ["ss", "insert", "w"]]
                                 if table == "A" else [["n", "-=", 1]])
                    ops.append({"op": "mutate", "table": table,
                                "where": where, "mutations": mutations})
                else:
                    ops.append({"op": "delete", "table": table,
                                "where": where})
            uuids.remove(uuid)
        if n % 2:
            ops.insert(3, {"op": "comment", "comment": "change %d" % n})
        txns.append(["T"] + ops)
    return txns


def test_transaction_records_same_bytes_as_reference_server(sandbox):
    pair = Pair(sandbox, "T")
    for txn in _transactions():
        ref, ours = pair.both("transact", txn)
        assert json.loads(ours) == json.loads(ref)
    ref, ours = pair.records("ref"), pair.records("ours")
    assert len(ref) == 19
    for ref_line, our_line in zip(ref, ours):
        assert our_line == ref_line
    assert len(ours) == len(ref)


def test_message_envelopes_same_bytes_as_reference_server(sandbox):
    """Whole messages, not just their results: replies, error replies and
    notifications (update, update2, locked, stolen) have their members in
    OVS's order ("id" first)."""
    pair = Pair(sandbox, "T")
    watchers = {who: Client(os.path.dirname(pair.files[who]) + "/db.sock")
                for who in ("ref", "ours")}
    requests = [
        ("echo", [1, "a", {"b": None}]),
        ("list_dbs", []),
        ("no_such_method", [1]),
        ("transact", ["T", {"op": "select", "table": "no_such_table",
                            "where": []}]),
        ("lock", ["L"]),
        ("get_schema", ["no_such_db"]),
        ("monitor", ["T", None, {"A": {"columns": ["i"]}}]),
        ("monitor_cond", ["T", "m2", {"A": [{"columns": ["i"]}]}]),
    ]
    texts = {}
    for who in ("ref", "ours"):
        c = pair.clients[who]
        out = []
        for method, params in requests:
            c.request(method, params)
            out.append(c.last_text)
        texts[who] = out
    assert texts["ours"] == texts["ref"]

    notes = {}
    for who in ("ref", "ours"):
        w = watchers[who]
        w.request("transact", ["T", {"op": "insert", "table": "A",
                                     "uuid": "1ce0e80c-0000-4000-8000-"
                                             "000000000001",
                                     "row": {"i": 7}}])
        w.request("steal", ["L"])
        c = pair.clients[who]
        got = []
        while len(got) < 3:
            msg = c.recv()
            assert msg is not None, (who, got)
            got.append(c.last_text)
        notes[who] = sorted(got)
    assert notes["ours"] == notes["ref"]


def _update_text(client):
    """The text of the params[1] (the <table-updates2>) of the next update2
    notification that 'client' receives."""
    while True:
        msg = client.recv()
        assert msg is not None, "no update2"
        if msg.get("method") == "update2":
            start = client.last_text.index('"params":') + len('"params":')
            params = _member_text(client.last_text, start)
            start = params.index(",") + 1
            return _member_text(params, start)


def test_monitor_cond_rows_in_reference_server_order(sandbox):
    """monitor_cond's initial contents and update2 list the rows of a
    table as the reference server does (in the order of their UUIDs'
    text), byte for byte, so that clients reading them into hash tables
    list them in the same order too."""
    seed = [{"op": "insert", "table": "B",
             "row": {"n": i, "Zed": "z%d" % (i % 7)}} for i in range(600)]
    seed.append({"op": "insert", "table": "A", "row": {"i": 1, "s": "x"}})
    pair = Pair(sandbox, "T", [seed])
    request = {"B": {"columns": ["n", "Zed"]}, "A": {"columns": ["i", "s"]}}
    ref, ours = pair.both("monitor_cond", ["T", "m", request])
    assert len(json.loads(ref)["B"]) == 600
    assert ours == ref

    # The transaction changes B first; the tables still come in name
    # order.
    mutate = ["T", {"op": "mutate", "table": "B", "where": [],
                    "mutations": [["n", "+=", 1]]},
              {"op": "mutate", "table": "A", "where": [],
               "mutations": [["i", "+=", 1]]}]
    texts = []
    for who in ("ref", "ours"):
        client = pair.clients[who]
        client.send({"method": "transact", "params": mutate, "id": "t"})
        texts.append(_update_text(client))
    ref, ours = texts
    assert len(json.loads(ref)["B"]) == 600
    assert ours == ref


def _seed_with_uuids(n_rows):
    """Rows of B with UUIDs from a fixed seed, in transactions of 250
    rows.  With this seed, no two of 400 rows share a bucket both in
    OVS's table of rows and in its table of UUID texts (most seeds give
    one or two such pairs, whose order depends on the history of OVS's
    table of rows and so may differ)."""
    rng = random.Random(3)
    ops = [{"op": "insert", "table": "B",
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "row": {"n": i}} for i in range(n_rows)]
    return [ops[i:i + 250] for i in range(0, n_rows, 250)]


def test_monitor_rows_in_reference_server_order(sandbox):
    """"monitor" (update) and monitor_cond with a condition write the rows
    of a table in the order of OVS's hash table of the UUIDs' text, which
    clients reading them into such tables keep for rows that share a
    bucket: as the reference server does, except for rows that share a
    bucket in OVS's table of rows too (none here), whose order depends on
    that table's history."""
    pair = Pair(sandbox, "T", _seed_with_uuids(400))
    request = {"B": {"columns": ["n"]}}
    ref, ours = pair.both("monitor", ["T", "m1", request])
    assert len(json.loads(ref)["B"]) == 400
    assert ours == ref

    request = {"B": {"columns": ["n"], "where": [["n", "<", 150]]}}
    ref, ours = pair.both("monitor_cond", ["T", "m2", request])
    assert len(json.loads(ref)["B"]) == 150
    assert ours == ref

"""ovsdb-server monitor fan-out: a commit is acknowledged once durable and
its updates reach the monitors afterwards, a few connections at a time; a
connection that lags (it does not read, or its turn has not come) gets the
changes of several commits merged into one update.  Whatever the timing,
each client's replica ends equal to the database, updates arrive in commit
order and never twice, update3 ids name the newest merged commit, and a
client that monitors and transacts sees its commit's update before the
reply, as with the reference server."""

import copy
import json

import pytest

import paths
from test_ovsdb_server import Client, _start_server

ZERO_UUID = "00000000-0000-0000-0000-000000000000"
SCHEMA = {
    "name": "F", "version": "1.0.0",
    "tables": {"R": {"columns": {
        "v": {"type": "string"},
        "n": {"type": "integer"},
        "m": {"type": {"key": "string", "value": "string",
                       "min": 0, "max": "unlimited"}}},
        "isRoot": True}}}
MONITOR_ALL = {"R": [{"columns": ["v", "n", "m"]}]}

# Big enough that a client which does not read fills its socket after a
# few updates, so that the server has to hold back and merge the rest.
BIG = "x" * 20000


def _start(sandbox, program="ovsdb-server", name=None):
    path = sandbox.path((name or "f") + ".db")
    schema = sandbox.path("f.ovsschema")
    with open(schema, "w") as f:
        json.dump(SCHEMA, f)
    sandbox.run(["ovsdb-tool", "create", path, schema], check=True)
    return _start_server(sandbox, path, program=program, name=name)[1]


def _transact(client, *ops):
    r = client.request("transact", ["F"] + list(ops))
    assert r["error"] is None, r
    for result in r["result"]:
        assert "error" not in result, r
    return r["result"]


def _insert(i, v="", m=None):
    return {"op": "insert", "table": "R",
            "row": {"v": v, "n": i, "m": ["map", m or [["k", str(i)]]]}}


def _normal(row):
    """A row as (v, n, sorted map pairs), with the defaults that update2
    leaves out filled in."""
    m = row.get("m", ["map", []])
    return (row.get("v", ""), row.get("n", 0), tuple(sorted(map(tuple,
                                                               m[1]))))


def _database(client):
    r = _transact(client, {"op": "select", "table": "R", "where": [],
                           "columns": ["_uuid", "v", "n", "m"]})
    return {row["_uuid"][1]: _normal(row) for row in r[0]["rows"]}


def _apply2(replica, table_updates):
    """Applies <table-updates2> to 'replica' (uuid -> row), checking that
    each row update makes sense in the state the replica is in."""
    for uuid, update in table_updates.get("R", {}).items():
        (kind, value), = update.items()
        if kind in ("insert", "initial"):
            assert uuid not in replica, "row %s inserted twice" % uuid
            replica[uuid] = dict(value)
        elif kind == "delete":
            assert uuid in replica, "unknown row %s deleted" % uuid
            del replica[uuid]
        else:
            assert kind == "modify" and uuid in replica, update
            row = replica[uuid]
            for column, diff in value.items():
                if column != "m":
                    row[column] = diff
                    continue
                pairs = dict(row.get("m", ["map", []])[1])
                for k, v in diff[1]:
                    if pairs.get(k) == v:
                        del pairs[k]
                    else:
                        pairs[k] = v
                row["m"] = ["map", sorted(map(list, pairs.items()))]


def _normal_replica(replica):
    return {uuid: _normal(row) for uuid, row in replica.items()}


def _churn(writer, n_txns, big=BIG):
    """Commits 'n_txns' transactions one after another: each inserts a
    row; some also modify an older row's value, number and map, and some
    delete one."""
    uuids = []
    for i in range(n_txns):
        ops = [_insert(i, big + str(i))]
        if i % 3 == 2:
            ops.append({"op": "update", "table": "R",
                        "where": [["_uuid", "==", ["uuid", uuids[i // 2]]]],
                        "row": {"n": 1000 + i, "v": "changed %d" % i,
                                "m": ["map", [["k", "new"], ["j", str(i)]]]}})
        if i % 5 == 4:
            ops.append({"op": "delete", "table": "R",
                        "where": [["_uuid", "==", ["uuid", uuids[i - 3]]]]})
        uuids.append(_transact(writer, *ops)[0]["uuid"][1])


def _read_all(client, timeout=1.0):
    """Returns the messages that arrive until 'client' stays quiet."""
    msgs = []
    while True:
        msg = client.recv(timeout=timeout)
        if msg is None:
            return msgs
        msgs.append(msg)


def test_monitor_that_does_not_read_gets_merged_correct_state(sandbox):
    sock = _start(sandbox)
    lagging = Client(sock)
    assert lagging.request("monitor_cond",
                           ["F", "L", MONITOR_ALL])["result"] == {}
    writer = Client(sock)
    n_txns = 60
    _churn(writer, n_txns)
    final = _database(writer)

    replica = {}
    msgs = _read_all(lagging)
    for msg in msgs:
        assert msg["method"] == "update2" and msg["params"][0] == "L"
        _apply2(replica, msg["params"][1])
    assert _normal_replica(replica) == final
    # The socket filled up: the server held back and merged the rest.
    assert len(msgs) < n_txns


def test_update3_ids_of_merged_updates_resume_exactly(sandbox):
    sock = _start(sandbox)
    lagging = Client(sock)
    r = lagging.request("monitor_cond_since",
                        ["F", "L", MONITOR_ALL, ZERO_UUID])
    assert r["result"][0] is False and r["result"][2] == {}
    writer = Client(sock)
    _churn(writer, 40)
    final = _database(writer)

    replica, seen = {}, []
    msgs = _read_all(lagging)
    assert len(msgs) < 40
    for msg in msgs:
        assert msg["method"] == "update3"
        mon_id, txn_id, updates = msg["params"]
        assert mon_id == "L"
        _apply2(replica, updates)
        seen.append((txn_id, copy.deepcopy(replica)))
    assert _normal_replica(replica) == final
    assert len({txn_id for txn_id, _ in seen}) == len(seen)

    # The last id is the database's newest commit, and resuming from any
    # id received brings that replica exactly to the final state: each
    # id named the newest commit its update contained.
    newcomer = Client(sock)
    r = newcomer.request("monitor_cond_since",
                         ["F", "X", MONITOR_ALL, ZERO_UUID])
    last_id = r["result"][1]
    assert seen[-1][0] == last_id
    for i, (txn_id, snapshot) in enumerate(seen):
        r = newcomer.request("monitor_cond_since",
                             ["F", i, MONITOR_ALL, txn_id])
        found, newest, updates = r["result"]
        assert found is True and newest == last_id
        _apply2(snapshot, updates)
        assert _normal_replica(snapshot) == final


@pytest.mark.parametrize("server", [
    "turnout", pytest.param("reference", marks=pytest.mark.reference)])
def test_monitoring_writer_gets_its_update_before_each_reply(sandbox,
                                                             server):
    if server == "turnout":
        sock = _start(sandbox)
    else:
        sock = _start(sandbox, paths.reference("ovsdb-server"), "ref")
    writer = Client(sock)
    assert writer.request("monitor_cond",
                          ["F", "W", MONITOR_ALL])["result"] == {}
    # A second monitor on another connection, which reads only at the end.
    other = Client(sock)
    assert other.request("monitor_cond",
                         ["F", "O", MONITOR_ALL])["result"] == {}

    # Pipelined: all sent before any reply is read.
    n_txns = 30
    for i in range(n_txns):
        writer.send({"method": "transact", "params": ["F", _insert(i)],
                     "id": i})
    replica, replied = {}, 0
    while replied < n_txns:
        msg = writer.recv()
        assert msg is not None, "only %d replies" % replied
        if msg.get("method") == "update2":
            _apply2(replica, msg["params"][1])
            continue
        assert msg["id"] == replied and msg["error"] is None
        seen = sorted(row.get("n", 0) for row in replica.values())
        assert seen == list(range(replied + 1))
        replied += 1

    other_replica = {}
    for msg in _read_all(other, timeout=0.5):
        _apply2(other_replica, msg["params"][1])
    assert _normal_replica(other_replica) == _normal_replica(replica)
    assert _normal_replica(replica) == _database(writer)


def test_many_monitors_get_every_commit_in_order(sandbox):
    sock = _start(sandbox)
    # More connections than the server serves in one iteration.
    monitors = [Client(sock) for _ in range(120)]
    for i, c in enumerate(monitors):
        assert c.request("monitor_cond",
                         ["F", i, {"R": [{"columns": ["n"]}]}])["result"] == {}
    writer = Client(sock)
    n_txns = 25
    for i in range(n_txns):
        _transact(writer, _insert(i))
    for i, c in enumerate(monitors):
        order = []
        while len(order) < n_txns:
            msg = c.recv()
            assert msg is not None, "monitor %d got only %s" % (i, order)
            assert msg["method"] == "update2" and msg["params"][0] == i
            rows = msg["params"][1]["R"].values()
            order += sorted(row["insert"].get("n", 0) for row in rows)
        assert order == list(range(n_txns)), "monitor %d" % i
    # Nothing more, by now: no update was sent twice.
    for c in monitors:
        assert c.recv(timeout=0.01) is None


def test_lagging_change_aware_monitor_gets_updates_before_cancel(sandbox):
    sock = _start(sandbox)
    aware = Client(sock)
    assert aware.request("set_db_change_aware", [True])["error"] is None
    assert aware.request("monitor_cond",
                         ["F", "A", MONITOR_ALL])["result"] == {}
    writer = Client(sock)
    _churn(writer, 30)
    final = _database(writer)

    new_schema = copy.deepcopy(SCHEMA)
    new_schema["version"] = "2.0.0"
    new_schema["tables"]["R"]["columns"]["extra"] = {"type": "string"}
    r = writer.request("convert", ["F", new_schema])
    assert r["error"] is None, r

    replica = {}
    msgs = _read_all(aware)
    assert msgs[-1] == {"id": None, "method": "monitor_canceled",
                        "params": ["A"]}
    for msg in msgs[:-1]:
        assert msg["method"] == "update2"
        _apply2(replica, msg["params"][1])
    assert _normal_replica(replica) == final


def test_condition_change_of_lagging_monitor_follows_its_updates(sandbox):
    sock = _start(sandbox)
    lagging = Client(sock)
    req = {"R": [{"columns": ["v", "n", "m"], "where": [["n", "<", 10]]}]}
    assert lagging.request("monitor_cond", ["F", "A", req])["result"] == {}
    writer = Client(sock)
    _churn(writer, 30)
    final = _database(writer)

    # The condition change is answered after every update the old
    # condition selected, followed by the rows it brings in.
    r = lagging.request("monitor_cond_change",
                        ["A", "B", {"R": [{"where": [["n", ">=", 10]]}]}])
    assert r["error"] is None, r
    replica = {}
    ids = [note["params"][0] for note in lagging.notes]
    assert ids[-1] == "B" and set(ids[:-1]) <= {"A"}
    for note in lagging.notes:
        _apply2(replica, note["params"][1])
    assert _normal_replica(replica) == {
        uuid: row for uuid, row in final.items() if row[1] >= 10}

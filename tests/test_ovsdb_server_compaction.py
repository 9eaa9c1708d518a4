"""ovsdb-server online compaction: the snapshot is written and synced in
the background while clients keep transacting, no acknowledged
transaction is lost, and the file stays a valid database."""

import json
import threading
import time

from test_ovsdb_server import Client, _appctl, _create_db, _start_server

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

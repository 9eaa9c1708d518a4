"""bench/ovsdb-load, the load generator of the OVSDB benchmark, measures
what it claims: every reply it counts in "transact" mode is a committed
row (it tells a successful insert by its bytes, so a reply it misreads
would be counted wrongly or not at all), a failing transaction stops it
with the server's error, and "fanout" sees every row at every monitor.
Against Turnout's server and the reference alike."""

import json
import os

import pytest

import paths

from test_ovsdb_server import Client, _start_server

BENCH_SCHEMA = os.path.join(paths.TOP, "bench", "bench.ovsschema")


def _load():
    return os.path.join(paths.build_dir(), "bench", "ovsdb-load")


def _start(sandbox, server):
    db = sandbox.path(server + ".db")
    sandbox.run(["ovsdb-tool", "create", db, BENCH_SCHEMA], check=True)
    if server == "turnout":
        return _start_server(sandbox, db)[1]
    return _start_server(sandbox, db, program=paths.reference("ovsdb-server"),
                         name="ref")[1]


def _rows(sock):
    reply = Client(sock).request(
        "transact", ["Bench", {"op": "select", "table": "Bench",
                               "where": [], "columns": ["name"]}])
    return [row["name"] for row in reply["result"][0]["rows"]]


@pytest.fixture(params=["turnout", "reference"])
def server(request):
    return request.param


def test_transact_counts_each_committed_row(sandbox, server):
    sock = _start(sandbox, server)
    out = sandbox.run([_load(), "transact", "3", "0.5", "unix:" + sock,
                       "Bench"], check=True)
    result = json.loads(out.stdout)
    rows = _rows(sock)
    # Every counted reply is a row; the replies still in flight at the
    # end (one per client at most) are collected but not counted.
    assert result["txns_total"] > 100
    assert result["txns_total"] <= len(rows) <= result["txns_total"] + 3
    assert len(set(rows)) == len(rows)
    assert {name.split("-")[0] for name in rows} == {"c0", "c1", "c2"}


def test_transact_stops_on_the_servers_error(sandbox, server):
    sock = _start(sandbox, server)
    out = sandbox.run([_load(), "transact", "1", "0.2", "unix:" + sock,
                       "NoSuchDb"])
    assert out.returncode == 1
    assert "transact failed" in out.stderr
    assert '"error":"unknown database"' in out.stderr
    # At the first transaction, not after counting failures as commits.
    assert '\\"name\\":\\"c0-0\\"' in out.stderr
    assert _rows(sock) == []


def test_fanout_sees_every_row_at_every_monitor(sandbox, server):
    sock = _start(sandbox, server)
    out = sandbox.run([_load(), "--rounds=3", "fanout", "5", "4",
                       "unix:" + sock, "Bench"], check=True)
    result = json.loads(out.stdout)
    assert result["monitors"] == 5 and result["rounds"] == 3
    assert len(result["round_total_ms"]) == 3
    assert result["first_monitor_ms"] <= result["total_ms"]
    assert len(_rows(sock)) == 3 * 4

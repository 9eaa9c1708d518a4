"""The C IDL follows the _Server database, as OVS's IDL does: when its
database is removed from the server it reports the database missing,
keeps its replica and resynchronises once the database is back; when
the database is converted to a new schema online it monitors again with
that schema, and its replica matches the converted contents.  Driven
through tests/daemon/test-idl against Turnout's ovsdb-server and the
reference one, with clients that are db-change-aware (told through
_Server, their monitors canceled) and clients that are not (the server
disconnects them)."""

import json
import os

import pytest

import paths
from test_idl import SCHEMA, Client, Server
from wait import wait_for

SERVERS = ["turnout", "reference"]


class AnyServer(Server):
    """test_idl's Server, running Turnout's ovsdb-server or the
    reference one (the clients, ovs-vsctl, ovsdb-client and
    ovs-appctl, are the reference ones for both)."""

    def __init__(self, sandbox, kind):
        self.kind = kind
        super().__init__(sandbox)

    def start(self):
        binary = (paths.program("ovsdb-server") if self.kind == "turnout"
                  else self.binary)
        self.daemon = self.sandbox.start_daemon(
            [binary, self.db, "--remote=punix:" + self.sock],
            name="ovsdb-server")

    def client(self, *args):
        return self.sandbox.run([paths.reference("ovsdb-client")]
                                + list(args), check=True).stdout


@pytest.fixture(params=SERVERS)
def server(request, sandbox):
    return AnyServer(sandbox, request.param)


@pytest.fixture
def client(sandbox, server):
    c = Client(sandbox, server.remote)
    yield c
    c.close()


def _edit_offline(sandbox, server, *vsctl_args):
    """Changes the database file while no server serves it, through a
    second (reference) server on another socket."""
    sock = sandbox.path("run", "offline.sock")
    d = sandbox.start_daemon(
        [server.binary, server.db, "--remote=punix:" + sock,
         "--unixctl=" + sandbox.path("run", "offline.ctl")],
        name="offline-server", wait_ctl=False)
    wait_for(lambda: os.path.exists(sock), what=sock)
    sandbox.run([server.vsctl_binary, "--db=unix:" + sock, "--no-wait"]
                + list(vsctl_args), check=True)
    sandbox.stop_daemon(d)


@pytest.mark.parametrize("aware", [True, False], ids=["aware", "unaware"])
def test_idl_waits_for_removed_database_and_resyncs_when_added_back(
        sandbox, server, client, aware):
    c = client
    if aware:
        assert c.cmd("aware") == "ok"
    assert c.cmd("synced") == "synced"
    assert c.cmd("missing") == "present"
    assert c.cmd("bridges") == "br0:br0,p1"
    c.cmd("tracked")

    server.appctl("ovsdb-server/remove-db", "Open_vSwitch")
    assert c.cmd("wait-missing") == "missing"
    assert ("server does not have Open_vSwitch database"
            in c.log_text())
    # As OVS's IDL, the replica stays as it was while the database is
    # gone (a switch keeps its configuration).
    assert c.cmd("bridges") == "br0:br0,p1"
    assert c.cmd("tracked") == ""

    # Changed while it was away, then served again.
    _edit_offline(sandbox, server, "add-br", "br9", "--", "del-port", "p1")
    server.appctl("ovsdb-server/add-db", server.db)
    assert c.cmd("wait-bridges br0:br0;br9:br9") == "br0:br0;br9:br9"
    assert c.cmd("missing") == "present"
    assert c.cmd("synced") == "synced"
    assert c.cmd("tracked") == ("Bridge br0 modified ports;"
                                "Bridge br9 inserted;Port br9 inserted;"
                                "Port p1 deleted")

    # Live again: changes flow both ways.
    server.vsctl("add-port", "br9", "q1")
    assert c.cmd("wait-bridges br0:br0;br9:br9,q1") == "br0:br0;br9:br9,q1"
    assert c.cmd("add-port br0 q2") == "success"
    assert server.vsctl("list-ports", "br0").split() == ["q2"]


def _converted_schema(sandbox):
    """vswitch.ovsschema with a new version, Bridge's external_ids
    removed and a column the IDL does not know added to Bridge."""
    with open(SCHEMA) as f:
        schema = json.load(f)
    schema["version"] = "99.0.0"
    schema.pop("cksum", None)
    bridge = schema["tables"]["Bridge"]["columns"]
    del bridge["external_ids"]
    bridge["turnout_test"] = {"type": {"key": "string", "min": 0,
                                       "max": 1}}
    path = sandbox.path("converted.ovsschema")
    with open(path, "w") as f:
        json.dump(schema, f)
    return path


@pytest.mark.parametrize("aware", [True, False], ids=["aware", "unaware"])
def test_idl_follows_online_schema_conversion(sandbox, server, client,
                                              aware):
    c = client
    if aware:
        assert c.cmd("aware") == "ok"
    server.vsctl("br-set-external-id", "br0", "k", "v")
    assert c.cmd("synced") == "synced"
    assert c.cmd("wait-ext br0 k=v") == "k=v"

    schema = _converted_schema(sandbox)
    server.client("convert", server.remote, schema)
    assert server.client("get-schema-version",
                         server.remote).strip() == "99.0.0"

    # The column is gone from the server's schema, so from the replica;
    # the rest is as the conversion left it.
    assert c.cmd("wait-ext br0 -") == "-"
    assert c.cmd("synced") == "synced"
    assert c.cmd("bridges") == "br0:br0,p1"
    assert c.cmd("missing") == "present"
    # OVS 3.1's server leaves the old schema in _Server after converting
    # a standalone database; the IDL then fetches the schema itself.
    fetched = "failed with the schema from _Server; fetching the schema"
    assert (fetched in c.log_text()) == (server.kind == "reference")

    # Monitoring continues with the new schema, and transactions of the
    # IDL use only what it has.
    server.client("transact", server.remote, json.dumps(
        ["Open_vSwitch", {"op": "update", "table": "Bridge",
                          "where": [["name", "==", "br0"]],
                          "row": {"turnout_test": "x"}}]))
    server.vsctl("add-port", "br0", "p2")
    assert c.cmd("wait-bridges br0:br0,p1,p2") == "br0:br0,p1,p2"
    assert c.cmd("add-port br0 p3") == "success"
    assert sorted(server.vsctl("list-ports", "br0").split()) == \
        ["p1", "p2", "p3"]

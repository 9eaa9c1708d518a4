"""ovsdb-server remotes read from the database ("--remote=db:DB,TABLE,
COLUMN"): Manager rows configure listeners and connections, which follow
the rows as they change, and the server writes each row's is_connected
and status back.  Driven by Debian's ovs-vsctl."""

import json
import os
import re
import shutil
import socket

import pytest

import paths
from wait import wait_for

from test_ovsdb_server import Client, _create_db, _start_server
from test_ssl import Pki

MANAGERS = "--remote=db:Open_vSwitch,Open_vSwitch,manager_options"


def _vsctl(sb, sock):
    vsctl = paths.reference("ovs-vsctl")

    def v(*args):
        return sb.run([vsctl, "--no-wait", "--db=unix:" + sock,
                       "--timeout=10"] + list(args), check=True).stdout
    return v


def _listening_ports(daemon, target):
    """Returns the ports that the log says 'target' listened on."""
    text = open(daemon.log_file).read()
    pattern = re.escape(target.split(":", 1)[1]) + r": listening on port (\d+)"
    return [int(p) for p in re.findall(pattern, text)]


def _connect(port):
    """A connection to 'port', or None if nothing listens there (refused,
    or reset by a listener that closed while the connection waited in its
    backlog)."""
    try:
        return socket.create_connection(("127.0.0.1", port), timeout=5)
    except (ConnectionRefusedError, ConnectionResetError):
        return None


def _manager_status(v, target):
    out = v("--format=json", "--columns=is_connected,status", "find",
            "Manager", "target=" + json.dumps(target))
    rows = json.loads(out)["data"]
    assert len(rows) == 1
    is_connected, status = rows[0]
    return is_connected, dict(status[1])


def test_manager_row_opens_listener_until_removed(sandbox):
    d, sock = _start_server(sandbox, _create_db(sandbox), extra=[MANAGERS])
    v = _vsctl(sandbox, sock)
    v("init")
    target = "ptcp:0:127.0.0.1"
    v("set-manager", target)
    port = wait_for(lambda: _listening_ports(d, target), what="listener")[0]
    s = _connect(port)
    assert s is not None
    s.sendall(b'{"method":"list_dbs","params":[],"id":0}')
    assert json.loads(s.recv(4096))["result"] == ["Open_vSwitch", "_Server"]

    # The server reports the listener and its connection in the row.
    wait_for(lambda: _manager_status(v, target) == (
        True, {"bound_port": str(port), "sec_since_connect": "0",
               "sec_since_disconnect": "0"}), timeout=10,
        what="Manager status with a connection")
    s.close()
    wait_for(lambda: _manager_status(v, target)[0] is False, timeout=10,
             what="is_connected false")

    # Removing the manager closes the listener; list-remotes still shows
    # only what was configured directly.
    v("del-manager")
    wait_for(lambda: _connect(port) is None, what="listener closed")
    r = sandbox.run(["ovs-appctl", "-t", sandbox.ctl_socket(d),
                     "ovsdb-server/list-remotes"], check=True)
    assert r.stdout == "db:Open_vSwitch,Open_vSwitch,manager_options\n" \
        "punix:%s\n" % sock


def test_manager_outgoing_status_follows_connection(sandbox):
    d, sock = _start_server(sandbox, _create_db(sandbox), extra=[MANAGERS])
    v = _vsctl(sandbox, sock)
    v("init")

    # An outgoing manager that connects reports its state and the locks
    # its peer holds; once the peer leaves, it is not connected.
    peer = socket.socket()
    peer.bind(("127.0.0.1", 0))
    peer.listen()
    active = "tcp:127.0.0.1:%d" % peer.getsockname()[1]
    v("set-manager", active)
    conn, _ = peer.accept()
    conn.sendall(b'{"method":"lock","params":["L1"],"id":1}')

    def status():
        connected, st = _manager_status(v, active)
        return connected and st.get("locks_held") == "L1" and \
            st.get("state") == "ACTIVE" and "sec_since_connect" in st
    wait_for(status, timeout=10, what="ACTIVE status with lock")
    conn.close()
    peer.close()
    wait_for(lambda: _manager_status(v, active)[0] is False, timeout=10,
             what="is_connected false after the peer left")


OTHER_SCHEMA = {"name": "Other", "tables": {
    "Config": {"isRoot": True, "columns": {
        "remotes": {"type": {"key": "string", "min": 0,
                             "max": "unlimited"}},
        "conns": {"type": {"key": {"type": "uuid", "refTable": "Conn"},
                           "min": 0, "max": "unlimited"}},
        "n": {"type": "integer"}}},
    "Conn": {"columns": {
        "target": {"type": "string"},
        "read_only": {"type": "boolean"},
        "inactivity_probe": {"type": {"key": "integer", "min": 0,
                                      "max": 1}},
        "is_connected": {"type": "boolean", "ephemeral": True},
        "status": {"type": {"key": "string", "value": "string", "min": 0,
                            "max": "unlimited"}, "ephemeral": True}}}}}


def _create_other_db(sb):
    db = sb.path("other.db")
    with open(sb.path("other.schema"), "w") as f:
        json.dump(OTHER_SCHEMA, f)
    sb.run(["ovsdb-tool", "create", db, sb.path("other.schema")],
           check=True)
    return db


def _tcp_client(port):
    c = Client.__new__(Client)
    c.sock = wait_for(lambda: _connect(port), what="connection")
    c.buf, c.decoder, c.next_id = "", json.JSONDecoder(), 0
    return c


def _add_conn(client, row):
    """Adds a Conn row with the columns 'row' to database "Other" and
    refers to it from a new Config row; returns the transact reply."""
    return client.request("transact", ["Other",
                                       {"op": "insert", "table": "Conn",
                                        "uuid-name": "c", "row": row},
                                       {"op": "insert", "table": "Config",
                                        "row": {"conns": ["named-uuid",
                                                          "c"]}}])


def test_read_only_connection_row_refuses_changes(sandbox):
    db = _create_other_db(sandbox)
    d, sock = _start_server(sandbox, db,
                            extra=["--remote=db:Other,Config,conns"])
    c = Client(sock)
    target = "ptcp:0:127.0.0.1"
    r = _add_conn(c, {"target": target, "read_only": True})
    assert "error" not in r["result"][1]
    port = wait_for(lambda: _listening_ports(d, target), what="listener")[0]
    t = _tcp_client(port)
    r = t.request("transact", ["Other", {"op": "insert", "table": "Config",
                                         "row": {}}])
    assert r["result"][0]["error"] == "not allowed"
    r = t.request("transact", ["Other", {"op": "select", "table": "Conn",
                                         "where": [],
                                         "columns": ["target"]}])
    assert r["result"] == [{"rows": [{"target": target}]}]
    # Its status row says it is connected.
    wait_for(lambda: c.request("transact", [
        "Other", {"op": "select", "table": "Conn", "where": [],
                  "columns": ["is_connected"]}])["result"][0]["rows"] ==
        [{"is_connected": True}], timeout=10, what="is_connected")

    # Turning read_only off applies to the same listener.
    c.request("transact", ["Other", {"op": "update", "table": "Conn",
                                     "where": [],
                                     "row": {"read_only": False}}])
    wait_for(lambda: "error" not in t.request("transact", [
        "Other", {"op": "insert", "table": "Config", "row": {}}])[
        "result"][0], what="writable")
    assert _listening_ports(d, target) == [port]


def test_db_remote_from_column_of_strings_and_bad_references(sandbox):
    db = _create_other_db(sandbox)
    # Startup fails on a reference to a column that does not exist.
    r = sandbox.run(["ovsdb-server", "--unixctl=none",
                     "--remote=db:Other,Config,nope", db])
    assert r.returncode == 1
    assert r.stderr == ('ovsdb-server: "db:Other,Config,nope": table '
                        '"Config" has no column "nope"\n')
    r = sandbox.run(["ovsdb-server", "--unixctl=none",
                     "--private-key=db:Other,Config,n", db])
    assert r.returncode == 1
    assert r.stderr == ('ovsdb-server: "db:Other,Config,n": table "Config" '
                        'column "n" is not string or set of strings\n')

    d, sock = _start_server(sandbox, db,
                            extra=["--remote=db:Other,Config,remotes",
                                   "--remote=db:Other,Config,n"])
    c = Client(sock)
    target = "ptcp:0:127.0.0.1"
    r = c.request("transact", ["Other", {"op": "insert", "table": "Config",
                                         "row": {"remotes": target}}])
    assert "error" not in r["result"][0]
    port = wait_for(lambda: _listening_ports(d, target), what="listener")[0]
    assert _connect(port) is not None
    c.request("transact", ["Other", {"op": "delete", "table": "Config",
                                     "where": []}])
    wait_for(lambda: _connect(port) is None, what="listener closed")


@pytest.mark.reference
def test_manager_status_matches_reference(sandbox):
    """The reference and Turnout report the same status keys for a
    listener without connections and for an unreachable manager."""
    ref = paths.reference("ovsdb-server")
    results = []
    for name, program in (("ours", "ovsdb-server"), ("ref", ref)):
        db = _create_db(sandbox, name + ".db")
        _, sock = _start_server(sandbox, db, program=program,
                                name=None if name == "ours" else name,
                                extra=[MANAGERS])
        v = _vsctl(sandbox, sock)
        v("init")
        v("set-manager", "ptcp:0:127.0.0.1", "tcp:127.0.0.1:1")

        def both():
            a = _manager_status(v, "ptcp:0:127.0.0.1")
            b = _manager_status(v, "tcp:127.0.0.1:1")
            return (a[1] and b[1]) and (a, b)
        (a_conn, a_st), (b_conn, b_st) = wait_for(both, timeout=10,
                                                  what="status")
        a_st.pop("bound_port")
        results.append((a_conn, a_st, b_conn, b_st))
    assert results[0] == results[1]


def test_ssl_files_and_listener_read_from_database(sandbox, tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("the openssl command is not installed")
    (tmp_path / "pki").mkdir()
    pki = Pki(tmp_path / "pki")
    d, sock = _start_server(sandbox, _create_db(sandbox), extra=[
        MANAGERS, "--private-key=db:Open_vSwitch,SSL,private_key",
        "--certificate=db:Open_vSwitch,SSL,certificate",
        "--ca-cert=db:Open_vSwitch,SSL,ca_cert"])
    v = _vsctl(sandbox, sock)
    v("init")
    # The manager comes first: the listener opens once the keys it needs
    # are in the database too.
    target = "pssl:0:127.0.0.1"
    v("set-manager", target)
    v("set-ssl", pki.path("server-privkey.pem"),
      pki.path("server-cert.pem"), pki.path("ca-cert.pem"))
    port = wait_for(lambda: _listening_ports(d, target), what="listener")[-1]

    remote = "ssl:127.0.0.1:%d" % port
    r = sandbox.run(["ovsdb-client"] + pki.opts("client") +
                    ["list-dbs", remote], timeout=20)
    assert (r.returncode, r.stdout) == (0, "Open_vSwitch\n_Server\n"), \
        r.stderr
    # A client whose certificate the database's CA did not sign is refused.
    r = sandbox.run(["ovsdb-client"] + pki.opts("evil", ca="ca") +
                    ["list-dbs", remote], timeout=20)
    assert r.returncode != 0

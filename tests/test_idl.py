"""The C IDL (ovsdb/idl*.c with the generated vswitch binding) against the
reference ovsdb-server, driven through tests/daemon/test-idl: replica and
transactions, changes made by other clients, partial updates on the wire,
verification conflicts, reconnection, conditional monitoring and locks.

The server is the reference ovsdb-server until Turnout has its own."""

import json
import os
import re
import subprocess

import pytest

import paths
from wait import wait_for

SCHEMA = os.path.join(paths.TOP, "schemas", "vswitch.ovsschema")


class Server:
    def __init__(self, sandbox, clustered=False):
        self.sandbox = sandbox
        self.tool = paths.reference("ovsdb-tool")
        self.binary = paths.reference("ovsdb-server")
        self.vsctl_binary = paths.reference("ovs-vsctl")
        self.db = sandbox.path("db", "conf.db")
        if clustered:
            sandbox.run([self.tool, "create-cluster", self.db, SCHEMA,
                         "unix:" + sandbox.path("run", "raft.sock")],
                        check=True)
        else:
            sandbox.run([self.tool, "create", self.db, SCHEMA], check=True)
        self.sock = sandbox.path("run", "db.sock")
        self.remote = "unix:" + self.sock
        self.start()
        self.vsctl("init", "--", "add-br", "br0", "--", "add-port", "br0",
                   "p1")

    def start(self):
        self.daemon = self.sandbox.start_daemon(
            [self.binary, self.db, "--remote=punix:" + self.sock],
            name="ovsdb-server")

    def stop(self):
        self.sandbox.stop_daemon(self.daemon)

    def vsctl(self, *args):
        return self.sandbox.run([self.vsctl_binary, "--db=" + self.remote,
                                 "--no-wait"] + list(args),
                                check=True).stdout

    def transact(self, ops):
        client = paths.reference("ovsdb-client")
        out = self.sandbox.run([client, "transact", self.remote,
                                json.dumps(["Open_vSwitch"] + ops)],
                               check=True).stdout
        assert "error" not in out, out
        return out

    def appctl(self, *args):
        appctl = paths.reference("ovs-appctl")
        return self.sandbox.run([appctl, "-t",
                                 self.sandbox.ctl_socket(self.daemon)]
                                + list(args), check=True).stdout


class Client:
    """A test-idl process; cmd() sends one command and returns the line
    it prints."""

    def __init__(self, sandbox, remote):
        self.log = sandbox.path("log", "test-idl.log")
        self.proc = subprocess.Popen(
            [paths.program("test-idl"), "--log-file=" + self.log,
             "-vjsonrpc:file:dbg", "-vidl:file:dbg", "-vconsole:off",
             remote],
            cwd=sandbox.root, env=sandbox.env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def cmd(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        out = self.proc.stdout.readline()
        if not out:
            self.proc.wait(timeout=10)
            raise AssertionError("test-idl died on %r: %s"
                                 % (line, self.proc.stderr.read()))
        return out.rstrip("\n")

    def log_text(self):
        with open(self.log) as f:
            return f.read()

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def server(sandbox):
    return Server(sandbox)


@pytest.fixture
def client_factory(sandbox):
    clients = []

    def make(remote):
        c = Client(sandbox, remote)
        clients.append(c)
        return c
    yield make
    for c in clients:
        c.close()


def test_idl_inserts_rows_and_reads_them_back(server, client_factory):
    c = client_factory(server.remote)
    assert c.cmd("synced") == "synced"
    assert c.cmd("bridges") == "br0:br0,p1"
    assert c.cmd("add-br brA") == "success"
    assert c.cmd("add-port brA pA") == "success"
    assert c.cmd("bridges") == "br0:br0,p1;brA:brA,pA"
    assert server.vsctl("list-ports", "brA").split() == ["pA"]
    assert server.vsctl("get", "Interface", "brA", "type").strip() \
        == "internal"


def test_idl_tracks_changes_made_by_another_client(server, client_factory):
    c = client_factory(server.remote)
    c.cmd("synced")
    assert c.cmd("tracked") == \
        "Bridge br0 inserted;Port br0 inserted;Port p1 inserted"
    seqno = c.cmd("seqno")

    server.vsctl("add-port", "br0", "p2")
    c.cmd("wait-bridges br0:br0,p1,p2")
    assert c.cmd("seqno") != seqno
    assert c.cmd("tracked") == "Bridge br0 modified ports;Port p2 inserted"

    server.vsctl("del-port", "br0", "p1")
    c.cmd("wait-bridges br0:br0,p2")
    assert c.cmd("tracked") == "Bridge br0 modified ports;Port p1 deleted"
    assert c.cmd("tracked") == ""


def test_adding_one_port_to_a_big_bridge_sends_one_element(
        server, client_factory):
    n = 300
    ops = []
    for i in range(n):
        ops.append({"op": "insert", "table": "Interface",
                    "uuid-name": "i%d" % i, "row": {"name": "q%d" % i}})
        ops.append({"op": "insert", "table": "Port", "uuid-name": "p%d" % i,
                    "row": {"name": "q%d" % i,
                            "interfaces": ["named-uuid", "i%d" % i]}})
    ops.append({"op": "insert", "table": "Bridge", "uuid-name": "big",
                "row": {"name": "big", "ports": [
                    "set", [["named-uuid", "p%d" % i] for i in range(n)]]}})
    ops.append({"op": "mutate", "table": "Open_vSwitch", "where": [],
                "mutations": [["bridges", "insert", ["named-uuid", "big"]]]})
    server.transact(ops)

    c = client_factory(server.remote)
    c.cmd("synced")
    assert c.cmd("add-port big newport") == "success"
    assert len(server.vsctl("list-ports", "big").split()) == n + 1

    sent = [line for line in c.log_text().splitlines()
            if 'send request, method="transact"' in line]
    assert len(sent) == 1
    params = json.loads(re.search(r"params=(\[.*\]), id=", sent[0]).group(1))
    bridge_ops = [op for op in params[1:] if op.get("table") == "Bridge"]
    assert [op["op"] for op in bridge_ops] == ["mutate"]
    assert bridge_ops[0]["mutations"][0][:2] == ["ports", "insert"]
    # One element, in the ["set", [...]] form that OVS's IDL sends.
    assert bridge_ops[0]["mutations"][0][2][0] == "set"
    assert [e[0] for e in bridge_ops[0]["mutations"][0][2][1]] == [
        "named-uuid"]
    assert len(bridge_ops[0]["mutations"]) == 1
    # Nothing of the 300 existing ports crosses the wire.
    assert len(sent[0]) < 1500


def test_verify_conflict_gives_try_again_and_retry_succeeds(
        server, client_factory):
    c = client_factory(server.remote)
    c.cmd("synced")
    assert c.cmd("race-add-port br0 px") == "try again"
    c.cmd("wait-bridges br0:br0,p1,px-other")
    assert c.cmd("add-port br0 px") == "success"
    assert sorted(server.vsctl("list-ports", "br0").split()) == \
        ["p1", "px", "px-other"]


def test_reconnect_resumes_from_last_transaction_id(sandbox, client_factory):
    server = Server(sandbox, clustered=True)
    # Enough data that the server keeps a history of recent transactions.
    server.transact([{"op": "insert", "table": "Interface",
                      "row": {"name": "x%d" % i,
                              "external_ids": ["map", [["k", "v" * 40]]]}}
                     for i in range(100)])
    c = client_factory(server.remote)
    c.cmd("synced")
    c.cmd("tracked")
    server.vsctl("add-port", "br0", "p2")
    c.cmd("wait-bridges br0:br0,p1,p2")
    assert c.cmd("last-txn-id") != "00000000-0000-0000-0000-000000000000"
    c.cmd("tracked")

    server.appctl("ovsdb-server/reconnect")
    wait_for(lambda: c.cmd("bridges") and
             c.log_text().count("monitor_cond_since found=") >= 2,
             timeout=20, what="the IDL to reconnect")
    server.vsctl("add-port", "br0", "p3")
    c.cmd("wait-bridges br0:br0,p1,p2,p3")
    resumes = re.findall(r"monitor_cond_since found=(\w+)", c.log_text())
    assert resumes[-1] == "true", resumes
    assert c.cmd("tracked") == "Bridge br0 modified ports;Port p3 inserted"


def test_server_restart_resyncs_without_spurious_changes(
        server, client_factory):
    c = client_factory(server.remote)
    c.cmd("synced")
    c.cmd("tracked")
    server.stop()
    server.start()
    server.vsctl("add-port", "br0", "r1")
    c.cmd("wait-bridges br0:br0,p1,r1")
    # The full copy after reconnecting changed only what changed.
    assert c.cmd("tracked") == "Bridge br0 modified ports;Port r1 inserted"
    assert "reconnect" in c.log_text()


def test_conditional_monitoring_receives_only_matching_rows(
        server, client_factory):
    server.vsctl("add-br", "br1")
    c = client_factory(server.remote)
    c.cmd("synced")
    assert c.cmd("bridges") == "br0:br0,p1;br1:br1"
    assert c.cmd("cond-bridge br1") == "ok"
    assert c.cmd("bridges") == "br1:br1"
    server.vsctl("add-br", "br2")
    server.vsctl("add-port", "br1", "z")
    # Updates arrive in order: br2 would have come before z.
    c.cmd("wait-bridges br1:br1,z")
    assert c.cmd("bridges") == "br1:br1,z"
    assert '"monitor_cond_change"' in c.log_text()


def test_lock_is_held_by_one_client_and_contended_by_another(
        server, client_factory):
    c = client_factory(server.remote)
    c.cmd("synced")
    assert c.cmd("lock mylock") == "locked"
    assert c.cmd("lock2 mylock") == "contended"

"""add-port and del-port on their fast path (utilities/vsctl-ports.c).

A lone add-port or del-port replicates only the rows it names and sends
one-element mutations of Bridge.ports.  These tests prove that outputs,
errors and database contents stay those of Debian's ovs-vsctl in every
case the fast path hands over to the general commands, and that on a
bridge with many ports the tool exchanges little data with the server."""

import json
import os
import socket
import subprocess

import pytest

import paths
from test_ovs_vsctl import NW, Server, pair, run_scenario  # noqa: F401
from test_ovs_vsctl_concurrency import InterposingProxy, vsctl

pytestmark = pytest.mark.reference


# Two real bridges, and a fake bridge on VLAN 9 of br0.
SETUP = [
    NW + ["init"],
    NW + ["add-br", "br0"],
    NW + ["add-br", "br1"],
    NW + ["add-br", "vlan9", "br0", "9"],
]


def test_add_port_cases_match_reference(pair):
    run_scenario(pair, SETUP + [
        NW + ["add-port", "br0", "p1"],
        NW + ["add-port", "br0", "p1"],
        NW + ["add-port", "br1", "p1"],
        NW + ["--may-exist", "add-port", "br0", "p1"],
        NW + ["--may-exist", "add-port", "br1", "p1"],
        NW + ["add-port", "br0", "br1"],
        NW + ["add-port", "br0", "vlan9"],
        NW + ["add-port", "nosuch", "p2"],
        NW + ["add-port", "nosuch", "p1"],
        NW + ["add-port", "vlan9", "p3"],
        NW + ["--may-exist", "add-port", "vlan9", "p3"],
        NW + ["--may-exist", "add-port", "br0", "p3"],
        NW + ["add-port", "br0", "p4", "tag=7", "other_config:a=b"],
        NW + ["add-port", "br0", "p5", "nosuchcolumn=1"],
        NW + ["add-bond", "br1", "bond0", "e1", "e2"],
        NW + ["add-port", "br0", "e1"],
        NW + ["--may-exist", "add-port", "br1", "bond0"],
        NW + ["--dry-run", "add-port", "br0", "p6"],
        # add-port followed by settings of its own rows, as libvirt and
        # OpenStack's agent run it.
        NW + ["--timeout=5", "--", "--may-exist", "add-port", "br0", "vif1",
              "--", "set", "Interface", "vif1", "external-ids:iface-id=abc",
              "external-ids:attached-mac=x"],
        NW + ["--timeout=5", "--", "--may-exist", "add-port", "br0", "vif1",
              "--", "set", "Interface", "vif1", "external-ids:iface-id=def"],
        NW + ["add-port", "br0", "vif2", "--", "set", "Port", "vif2",
              "tag=3", "--", "set", "interface", "vif2", "type=internal"],
        NW + ["add-port", "br0", "vif3", "--", "set", "Interface", "vif3",
              "nosuchcolumn=1"],
        NW + ["add-port", "br0", "vif4", "--", "set", "Interface", "vif1",
              "type=patch"],
        NW + ["add-port", "br1", "vif1", "--", "set", "Interface", "vif1",
              "type=patch"],
        NW + ["list-ports", "br0"],
        NW + ["list-ports", "vlan9"],
        NW + ["show"],
    ])


def test_del_port_cases_match_reference(pair):
    run_scenario(pair, SETUP + [
        NW + ["add-port", "br0", "p1"],
        NW + ["add-port", "br1", "p2"],
        NW + ["add-port", "vlan9", "p3"],
        NW + ["add-port", "br0", "p4", "tag=9"],
        NW + ["add-port", "br0", "p5", "tag=5"],
        NW + ["add-bond", "br1", "bond0", "e1", "e2"],
        NW + ["del-port", "br1", "p1"],
        NW + ["del-port", "nosuch", "p1"],
        NW + ["del-port", "br0", "p3"],
        NW + ["del-port", "br0", "p4"],
        NW + ["del-port", "br0", "br0"],
        NW + ["del-port", "br1", "br0"],
        NW + ["del-port", "vlan9", "br0"],
        NW + ["--if-exists", "del-port", "br0"],
        NW + ["--with-iface", "del-port", "br1"],
        NW + ["del-port", "vlan9"],
        NW + ["del-port", "nosuch"],
        NW + ["--if-exists", "del-port", "nosuch"],
        NW + ["--if-exists", "del-port", "nosuchbr", "nosuch"],
        NW + ["del-port", "e1"],
        NW + ["--with-iface", "del-port", "e1"],
        NW + ["del-port", "br0", "p1"],
        NW + ["del-port", "p2"],
        NW + ["del-port", "br0", "p5"],
        NW + ["del-port", "vlan9", "p3"],
        NW + ["del-port", "p4"],
        NW + ["del-port", "p1"],
        NW + ["show"],
    ])


class _Tap:
    """A socket's sendall() that also keeps what it sends."""

    def __init__(self, sock, log):
        self.sock = sock
        self.log = log

    def sendall(self, data):
        self.log.extend(data)
        self.sock.sendall(data)

    def shutdown(self, how):
        self.sock.shutdown(how)


class Recorder(InterposingProxy):
    """A proxy in front of a server that keeps the messages the client
    sends and every byte the server sends back."""

    def __init__(self, path, target):
        self.sent = []               # Client -> server messages.
        self.received = bytearray()  # Server -> client bytes.
        super().__init__(path, target, lambda: None)

    def _pipe(self, src, dst):
        InterposingProxy._pipe(src, _Tap(dst, self.received))

    def _forward(self, msg, server):
        self.sent.append(msg)
        super()._forward(msg, server)


def json_messages(data):
    decoder = json.JSONDecoder()
    text = data.decode()
    pos, out = 0, []
    while pos < len(text):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        msg, pos = decoder.raw_decode(text, pos)
        out.append(msg)
    return out


N_PORTS = 2000


def transact(sock, ops):
    """Sends one transact request (too big for a command line) and
    checks that every operation succeeded."""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(sock)
        s.sendall(json.dumps({"method": "transact", "params": ops,
                              "id": 1}).encode())
        buf = b""
        while True:
            chunk = s.recv(1 << 20)
            assert chunk, "server closed the connection"
            buf += chunk
            try:
                reply, = json_messages(buf)
                break
            except ValueError:
                continue
    assert reply["error"] is None
    assert not any(r and "error" in r for r in reply["result"])


@pytest.fixture
def big_bridge(tmp_path):
    """Turnout's ovsdb-server with bridge br0 holding N_PORTS ports."""
    d = tmp_path / "srv"
    os.makedirs(d)
    db = str(d / "db")
    sock = str(d / "sock")
    subprocess.run([paths.program("ovsdb-tool"), "create", db,
                    os.path.join(paths.TOP, "schemas",
                                 "vswitch.ovsschema")], check=True)
    proc = subprocess.Popen([paths.program("ovsdb-server"), db,
                             "--remote=punix:" + sock,
                             "--unixctl=" + str(d / "ctl"),
                             "--log-file=" + str(d / "log")],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        vsctl = [paths.program("ovs-vsctl"), "--db=unix:" + sock,
                 "--no-wait", "--timeout=20"]
        subprocess.run(vsctl + ["--retry", "init", "--", "add-br", "br0"],
                       check=True)
        ops = ["Open_vSwitch"]
        for i in range(N_PORTS):
            ops.append({"op": "insert", "table": "Interface",
                        "row": {"name": f"x{i}"}, "uuid-name": f"i{i}"})
            ops.append({"op": "insert", "table": "Port",
                        "row": {"name": f"x{i}",
                                "interfaces": ["named-uuid", f"i{i}"]},
                        "uuid-name": f"p{i}"})
        ops.append({"op": "mutate", "table": "Bridge",
                    "where": [["name", "==", "br0"]],
                    "mutations": [["ports", "insert", ["set", [
                        ["named-uuid", f"p{i}"] for i in range(N_PORTS)]]]]})
        transact(sock, ops)
        proxy = Recorder(str(d / "proxy"), sock)
        yield vsctl[1:], sock, str(d / "proxy"), proxy
        proxy.close()
    finally:
        proc.terminate()
        proc.wait(10)


def run_via(proxy_path, args):
    p = subprocess.run([paths.program("ovs-vsctl"),
                        "--db=unix:" + proxy_path, "--no-wait",
                        "--timeout=20"] + args,
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return p


def transact_ops(proxy):
    requests = [m for m in proxy.sent
                if m.get("method") == "transact"]
    assert len(requests) == 1
    return requests[0]["params"][1:]


def list_ports(sock):
    p = subprocess.run([paths.program("ovs-vsctl"), "--db=unix:" + sock,
                        "--no-wait", "list-ports", "br0"], capture_output=True,
                       text=True, check=True)
    return p.stdout.split()


def test_add_port_on_big_bridge_sends_one_element_and_reads_little(
        big_bridge):
    _, sock, proxy_path, proxy = big_bridge
    run_via(proxy_path, ["add-port", "br0", "new1"])

    ops = transact_ops(proxy)
    mutates = [op for op in ops if op["op"] == "mutate"
               and op["table"] == "Bridge"]
    assert len(mutates) == 1
    (column, mutator, value), = mutates[0]["mutations"]
    assert (column, mutator) == ("ports", "insert")
    # One element: a named-uuid, or a set holding one.
    assert value[0] == "named-uuid" or len(value[1]) == 1
    assert not any(op["op"] == "update" and op["table"] == "Bridge"
                   for op in ops)
    # The request carries nothing proportional to the bridge's size.
    assert len(json.dumps(ops)) < 3000
    # The server's answers (schema, a few rows) are small too, while the
    # 2,000 port UUIDs alone would take ~80 kB.
    assert len(proxy.received) < 30000
    monitor = [m for m in proxy.sent
               if str(m.get("method", "")).startswith("monitor")
               and m["params"][0] == "Open_vSwitch"]
    requests = monitor[0]["params"][2]
    assert "ports" not in requests["Bridge"][0]["columns"]
    assert requests["Port"][0]["where"] == [["name", "==", "new1"]]

    ports = list_ports(sock)
    assert len(ports) == N_PORTS + 1 and "new1" in ports


def test_del_port_on_big_bridge_sends_one_element(big_bridge):
    _, sock, proxy_path, proxy = big_bridge
    run_via(proxy_path, ["del-port", "x7"])

    ops = transact_ops(proxy)
    mutates = [op for op in ops if op["op"] == "mutate"
               and op["table"] == "Bridge"]
    assert len(mutates) == 1
    (column, mutator, value), = mutates[0]["mutations"]
    assert (column, mutator) == ("ports", "delete")
    assert value[0] == "uuid" or len(value[1]) == 1
    assert len(proxy.received) < 30000

    ports = list_ports(sock)
    assert len(ports) == N_PORTS - 1 and "x7" not in ports


def test_add_port_with_interface_settings_stays_small(big_bridge):
    """OpenStack's agent's form: the settings of the new interface ride
    along on the fast path."""
    _, sock, proxy_path, proxy = big_bridge
    run_via(proxy_path, ["--", "--may-exist", "add-port", "br0", "vif9",
                         "--", "set", "Interface", "vif9",
                         "external-ids:iface-id=abc"])
    ops = transact_ops(proxy)
    inserts = {op["table"]: op["row"] for op in ops if op["op"] == "insert"}
    assert inserts["Interface"]["external_ids"] == [
        "map", [["iface-id", "abc"]]]
    assert len(json.dumps(ops)) < 3000
    assert len(proxy.received) < 30000
    assert "vif9" in list_ports(sock)


def test_add_port_waits_for_the_name_to_be_free(big_bridge):
    """The transaction makes the server check that no port, interface or
    bridge took the new name meanwhile, so that a concurrent add of the
    same name makes this one run again instead of duplicating it."""
    _, _, proxy_path, proxy = big_bridge
    run_via(proxy_path, ["add-port", "br0", "new2"])
    waits = [(op["table"], op["where"], op["rows"])
             for op in transact_ops(proxy) if op["op"] == "wait"]
    for table in ("Port", "Interface", "Bridge"):
        assert (table, [["name", "==", "new2"]], []) in waits


@pytest.mark.parametrize("args, other", [
    # Another client adds the same port between read and commit: the
    # server's check of the name fails the commit, and the command, run
    # again, reports the port as OVS's does.
    (["add-port", "br0", "p2"], ["add-port", "br0", "p2"]),
    (["add-port", "br0", "p2"], ["add-br", "p2"]),
    # Another client deletes the port first.
    (["del-port", "p1"], ["del-port", "p1"]),
    (["del-port", "br0", "p1"], ["del-br", "br0"]),
])
def test_fast_path_races_end_as_with_reference(tmp_path, args, other):
    outcomes = []
    for program in (paths.program("ovs-vsctl"),
                    paths.reference("ovs-vsctl")):
        server = Server(str(tmp_path / str(len(outcomes))))
        try:
            direct = lambda a: vsctl(paths.reference("ovs-vsctl"),
                                     server.sock, a, server.env)
            assert direct(["add-br", "br0", "--", "add-port", "br0",
                           "p1"]).returncode == 0
            proxy = InterposingProxy(str(tmp_path / f"proxy{len(outcomes)}"),
                                     server.sock, lambda: direct(other))
            try:
                p = vsctl(program, proxy.path, args, server.env)
            finally:
                proxy.close()
            assert proxy.hooked
            names = [sorted(direct(["--bare", "--columns=name", "list",
                                    table]).stdout.split())
                     for table in ("Bridge", "Port", "Interface")]
            outcomes.append((p.returncode, p.stdout,
                             p.stderr.replace(program, "ovs-vsctl"), names))
        finally:
            server.stop()
    assert outcomes[0] == outcomes[1]

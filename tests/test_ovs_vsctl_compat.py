"""Debian's ovs-vsctl --no-wait against Turnout's ovsdb-server and the
reference ovsdb-server: the same sequence of commands (add-br, add-port,
bonds, set/clear/remove, list, find, get, show, --if-exists/--may-exist,
errors, del-port, del-br) must print the same thing and exit with the
same status on both.

Each server makes its own row UUIDs, so UUIDs are replaced by "UUID",
and where ovs-vsctl prints rows or set members in UUID order (list and
find of several rows, show) the lines are compared sorted.
(tests/test_ovsdb_server.py checks that the data survives a restart.)"""

import os
import re

import pytest

import paths
from wait import wait_for

pytestmark = pytest.mark.reference

SCHEMA = os.path.join(paths.TOP, "schemas", "vswitch.ovsschema")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                     r"[0-9a-f]{12}")

# (command, whether its output lines may come in UUID order)
COMMANDS = [
    (["init"], False),
    (["add-br", "br0"], False),
    (["add-br", "br0"], False),
    (["--may-exist", "add-br", "br0"], False),
    (["add-port", "br0", "p1"], False),
    (["add-port", "br0", "p2", "--", "set", "Interface", "p2",
      "type=internal"], False),
    (["add-port", "br0", "p1"], False),
    (["add-port", "nobr", "p9"], False),
    (["add-bond", "br0", "bond0", "e1", "e2"], False),
    (["add-br", "br1"], False),
    (["add-br", "vlan5", "br1", "5"], False),
    (["list-br"], False),
    (["list-ports", "br0"], False),
    (["list-ifaces", "br0"], False),
    (["port-to-br", "p1"], False),
    (["iface-to-br", "e2"], False),
    (["br-exists", "br1"], False),
    (["br-exists", "nope"], False),
    (["br-to-vlan", "vlan5"], False),
    (["br-to-parent", "vlan5"], False),
    (["set", "Bridge", "br0", "other_config:k=v",
      "external_ids:owner=test", "stp_enable=true",
      "datapath_id=0000000000000001"], False),
    (["set", "Port", "p1", "tag=7", "trunks=1,2,3"], False),
    (["set", "Port", "p1", "tag=9"], False),
    (["set", "Interface", "p2", "mtu_request=1400"], False),
    (["set", "Bridge", "br0", "fail_mode=bogus"], False),
    (["set", "Bridge", "nope", "stp_enable=true"], False),
    (["get", "Bridge", "br0", "other_config:k", "stp_enable",
      "datapath_id", "fail_mode"], False),
    (["get", "Port", "p1", "tag", "trunks"], False),
    (["get", "Bridge", "br0", "other_config:missing"], False),
    (["--if-exists", "get", "Bridge", "br0", "other_config:missing"], False),
    (["list", "Bridge", "br0"], True),
    (["--columns=name,tag,trunks", "list", "Port", "p1"], False),
    (["--bare", "--columns=name", "list", "Bridge"], True),
    (["--format=csv", "--columns=name,stp_enable", "list", "Bridge"],
     True),
    (["--format=json", "--columns=name,tag", "list", "Port", "p1"], False),
    (["find", "Port", "tag=9"], True),
    (["--columns=name", "find", "Interface", "type=internal"], True),
    (["--columns=name", "find", "Bridge", "stp_enable=false"], True),
    (["show"], True),
    (["remove", "Port", "p1", "trunks", "2"], False),
    (["clear", "Port", "p1", "tag"], False),
    (["remove", "Bridge", "br0", "other_config", "k"], False),
    (["get", "Port", "p1", "tag", "trunks"], False),
    (["get", "Bridge", "br0", "other_config"], False),
    (["clear", "Bridge", "br0", "datapath_id"], False),
    (["get", "Bridge", "br0", "datapath_id"], False),
    (["create", "QoS", "type=linux-htb", "other_config:max-rate=1000"],
     False),
    (["--columns=type,other_config", "list", "QoS"], True),
    (["--all", "destroy", "QoS"], False),
    (["list", "QoS"], True),
    (["del-port", "br0", "p1"], False),
    (["del-port", "br0", "p1"], False),
    (["--if-exists", "del-port", "br0", "p1"], False),
    (["del-br", "br0"], False),
    (["del-br", "br0"], False),
    (["--if-exists", "del-br", "br0"], False),
    (["list-br"], False),
    (["show"], True),
    (["--bare", "--columns=name", "list", "Port"], True),
    (["--bare", "--columns=name", "list", "Interface"], True),
    (["del-br", "br1"], False),
    (["--bare", "--columns=bridges", "list", "Open_vSwitch"], False),
]


def _start(sandbox, program, name):
    d = sandbox.path(name)
    os.makedirs(d)
    db = os.path.join(d, "conf.db")
    sandbox.run([paths.reference("ovsdb-tool"), "create", db, SCHEMA],
                check=True)
    sock = os.path.join(d, "db.sock")
    sandbox.start_daemon([program, "--remote=punix:" + sock, "--no-chdir",
                          db], name=name, wait_ctl=False)
    wait_for(lambda: os.path.exists(sock), what=sock)
    return "unix:" + sock


def _normalize(text, remote, unordered):
    text = UUID_RE.sub("UUID", text.replace(remote, "SERVER"))
    if unordered:
        text = "\n".join(sorted(text.split("\n")))
    return text


def test_ovs_vsctl_prints_the_same_with_turnout_server(sandbox):
    vsctl = paths.reference("ovs-vsctl")
    remotes = {"ref": _start(sandbox, paths.reference("ovsdb-server"),
                             "ref"),
               "ours": _start(sandbox, "ovsdb-server", "ours")}
    n_ok = 0
    for args, unordered in COMMANDS:
        results = {}
        for name, remote in remotes.items():
            r = sandbox.run([vsctl, "--no-wait", "--timeout=10",
                             "--db=" + remote] + args)
            results[name] = (_normalize(r.stdout, remote, unordered),
                             _normalize(r.stderr, remote, False),
                             r.returncode)
        assert results["ours"] == results["ref"], " ".join(args)
        n_ok += results["ours"][2] == 0
    # Most commands succeed: the sequence did build something.
    assert n_ok > len(COMMANDS) * 3 // 4

"""ovs-vsctl without --no-wait: it bumps next_cfg, waits until
ovs-vswitchd (here tests/lib/fake_vswitchd.py) reports cur_cfg, then
reports the interfaces it added that ovs-vswitchd could not set up,
exactly as Debian's ovs-vsctl does, on the reference ovsdb-server and on
Turnout's."""

import os
import subprocess

import pytest

import paths
from test_ovs_vsctl import SCHEMA, Server, canonical_dump

pytestmark = pytest.mark.reference

FAKE_VSWITCHD = os.path.join(paths.TOP, "tests", "lib", "fake_vswitchd.py")

LINES = [
    ["add-br", "br0"],
    ["add-port", "br0", "badz", "--", "add-port", "br0", "bada", "--",
     "add-port", "br0", "good1"],
    ["add-port", "br0", "noport1"],
    ["--no-wait", "add-port", "br0", "bad9"],
    ["add-br", "badbr"],
    ["add-bond", "br0", "b2", "x1", "x2", "--", "add-bond-iface", "b2",
     "bad7"],
    ["add-port", "br0", "bad10", "--", "del-port", "bad10"],
    ["set", "Interface", "x1", "mtu_request=1500"],
    ["list-ports", "br0"],
]


class TurnoutServer(Server):
    """Server, but Turnout's ovsdb-server."""

    def __init__(self, directory):
        super().__init__(directory, paths.program("ovsdb-server"))


def run_lines(server, program):
    vswitchd = subprocess.Popen(["/usr/bin/python3", FAKE_VSWITCHD,
                                 server.sock, SCHEMA])
    try:
        results = []
        for args in LINES:
            p = subprocess.run([program, "--db=unix:" + server.sock,
                                "--timeout=10"] + args, capture_output=True,
                               text=True, env=server.env, timeout=20)
            stderr = p.stderr.replace(program, "ovs-vsctl")
            results.append((p.returncode, p.stdout, stderr))
        return results, canonical_dump(server.dump())
    finally:
        vswitchd.terminate()
        vswitchd.wait()


@pytest.mark.parametrize("server_class", [Server, TurnoutServer])
def test_failed_interfaces_reported_after_reconfiguration(tmp_path,
                                                          server_class):
    ref = server_class(str(tmp_path / "ref"))
    tur = server_class(str(tmp_path / "tur"))
    try:
        expected = run_lines(ref, paths.reference("ovs-vsctl"))
        got = run_lines(tur, paths.program("ovs-vsctl"))
    finally:
        ref.stop()
        tur.stop()
    # The log directory differs between the two sandboxes.
    got_results = [(rc, out, err.replace(tur.dir, ref.dir))
                   for rc, out, err in got[0]]
    assert got_results == expected[0]
    assert got[1] == expected[1]
    # What is reported, for the record.
    assert expected[0][1][2] == (
        "ovs-vsctl: Error detected while setting up 'badz': could not open "
        "network device badz (No such device).  See ovs-vswitchd log for "
        "details.\n"
        "ovs-vsctl: Error detected while setting up 'bada': could not open "
        "network device bada (No such device).  See ovs-vswitchd log for "
        "details.\n"
        "ovs-vsctl: The default log directory is \"%s\".\n" % ref.dir)

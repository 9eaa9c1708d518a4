"""The test harness itself: the sandbox keeps everything private and
cleans up, and network-namespace hosts carry traffic between themselves
only and are removed afterwards."""

import os
import subprocess

import pytest

from netns import NetnsFactory
from sandbox import Sandbox
from wait import Timeout, wait_for


def _namespaces():
    out = subprocess.run(["ip", "netns", "list"], capture_output=True,
                         text=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def _links():
    out = subprocess.run(["ip", "-o", "link", "show"], capture_output=True,
                         text=True).stdout
    return {line.split(":")[1].strip().split("@")[0]
            for line in out.splitlines()}


def test_sandbox_points_ovs_directories_into_private_tree(sandbox):
    r = sandbox.run(["/bin/sh", "-c",
                     "echo $OVS_RUNDIR $OVS_LOGDIR $OVS_DBDIR"], check=True)
    rundir, logdir, dbdir = r.stdout.split()
    for d in (rundir, logdir, dbdir):
        assert d.startswith(sandbox.root)
        assert os.path.isdir(d)


def test_sandbox_close_stops_started_daemons(tmp_path):
    sb = Sandbox(tmp_path / "sb")
    d = sb.start_daemon(["/bin/sleep", "600"], name="sleeper",
                        daemon_options=False, wait_ctl=False)
    pid = d.proc.pid
    assert d.proc.poll() is None
    sb.close()
    assert d.proc.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_wait_for_returns_value_and_times_out_with_message():
    assert wait_for(lambda: 42, timeout=1) == 42
    with pytest.raises(Timeout, match="waiting for nothing"):
        wait_for(lambda: None, timeout=0.1, what="nothing")


@pytest.mark.root
def test_netns_hosts_reach_each_other_and_are_removed(netns):
    a = netns.add_host("a")
    b = netns.add_host("b")
    netns.connect(a, "eth0", b, "eth0", "10.250.0.1/24", "10.250.0.2/24")
    r = netns.exec(a, "ping", "-c", "1", "-W", "2", "10.250.0.2",
                   check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert {a, b} <= _namespaces()


@pytest.mark.root
def test_netns_close_removes_namespaces_and_links():
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    f = NetnsFactory()
    try:
        ns = f.add_host("h")
        peer = f.add_veth(ns, "eth0", "10.251.0.1/24")
        assert ns in _namespaces()
        assert peer in _links()
    finally:
        f.close()
    assert ns not in _namespaces()
    assert peer not in _links()

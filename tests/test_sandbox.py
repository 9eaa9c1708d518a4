"""make run / make stop: the sandbox starts Turnout's ovsdb-server on a
fresh Open_vSwitch database that Debian's ovs-vsctl can use, and stops
it."""

import os
import subprocess

import paths
from wait import wait_for

SCRIPT = os.path.join(paths.TOP, "scripts", "sandbox")


def _run(action, sb):
    env = dict(os.environ, TURNOUT_SANDBOX=str(sb),
               TURNOUT_BUILD=paths.build_dir())
    return subprocess.run([SCRIPT, action], env=env, capture_output=True,
                          text=True, timeout=60)


def test_sandbox_serves_database_to_ovs_vsctl_and_stops(tmp_path):
    vsctl = paths.reference("ovs-vsctl")
    sb = tmp_path / "sb"
    r = _run("start", sb)
    try:
        assert r.returncode == 0, r.stdout + r.stderr
        assert "Turnout sandbox running" in r.stdout
        pid = int((sb / "ovsdb-server.pid").read_text())
        db = "--db=unix:%s" % (sb / "db.sock")
        r = subprocess.run([vsctl, db, "--no-wait", "add-br", "br0"],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        r = subprocess.run([vsctl, db, "--no-wait", "list-br"],
                           capture_output=True, text=True, timeout=30)
        assert r.stdout == "br0\n"
    finally:
        r = _run("stop", sb)
    assert r.returncode == 0, r.stderr
    assert "stopped ovsdb-server" in r.stdout
    wait_for(lambda: not os.path.exists("/proc/%d" % pid), timeout=10,
             what="ovsdb-server to exit")


def test_sandbox_start_gives_a_fresh_database(tmp_path):
    vsctl = paths.reference("ovs-vsctl")
    sb = tmp_path / "sb"
    db = "--db=unix:%s" % (sb / "db.sock")
    try:
        assert _run("start", sb).returncode == 0
        subprocess.run([vsctl, db, "--no-wait", "add-br", "br0"], check=True,
                       capture_output=True, timeout=30)
        assert _run("start", sb).returncode == 0
        r = subprocess.run([vsctl, db, "--no-wait", "list-br"],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0 and r.stdout == ""
    finally:
        _run("stop", sb)

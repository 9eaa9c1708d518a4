"""Debian's python3 `ovs.db.idl` (python3-openvswitch) against Turnout's
ovsdb-server: a script inserts rows through the IDL, reads them back
from its replica, and sees a change made by another client."""

import os
import subprocess
import textwrap

import pytest

import paths
from wait import wait_for

pytestmark = pytest.mark.reference

SCHEMA = os.path.join(paths.TOP, "schemas", "vswitch.ovsschema")

# Runs in /usr/bin/python3, where Debian's package installs 'ovs'.
SCRIPT = textwrap.dedent("""
    import sys, time
    import ovs.db.idl, ovs.poller

    remote, schema_path = sys.argv[1], sys.argv[2]
    helper = ovs.db.idl.SchemaHelper(schema_path)
    helper.register_all()
    idl = ovs.db.idl.Idl(remote, helper)

    def run_until(cond, what):
        deadline = time.time() + 20
        while not cond():
            if time.time() > deadline:
                sys.exit("timed out waiting for " + what)
            idl.run()
            poller = ovs.poller.Poller()
            idl.wait(poller)
            poller.timer_wait(100)
            poller.block()

    seq = idl.change_seqno
    run_until(lambda: idl.change_seqno != seq and idl.has_ever_connected(),
              "initial contents")

    def commit(fill):
        txn = ovs.db.idl.Transaction(idl)
        fill(txn)
        while True:
            status = txn.commit()
            if status != ovs.db.idl.Transaction.INCOMPLETE:
                break
            idl.run()
            poller = ovs.poller.Poller()
            idl.wait(poller)
            txn.wait(poller)
            poller.block()
        if status not in (ovs.db.idl.Transaction.SUCCESS,
                          ovs.db.idl.Transaction.UNCHANGED):
            sys.exit("commit failed: %s %s" % (status, txn.get_error()))

    def fill(txn):
        ovs_row = txn.insert(idl.tables["Open_vSwitch"])
        bridges = []
        for name in ("br-a", "br-b"):
            br = txn.insert(idl.tables["Bridge"])
            br.name = name
            br.external_ids = {"made-by": "python-idl", "name": name}
            br.datapath_id = "000000000000000" + name[-1]
            br.flood_vlans = [10, 20]
            bridges.append(br)
        ovs_row.bridges = bridges
    commit(fill)

    def bridges():
        return sorted((b.name, dict(sorted(b.external_ids.items())),
                        list(b.datapath_id),
                       sorted(b.flood_vlans))
                      for b in idl.tables["Bridge"].rows.values())
    print("after insert:", bridges())
    sys.stdout.flush()

    # Another client now changes br-b; wait until the replica shows it.
    sys.stdin.readline()
    run_until(lambda: any(b.name == "br-b" and b.datapath_id == []
                          and b.external_ids.get("by") == "other"
                          for b in idl.tables["Bridge"].rows.values()),
              "the other client's change")
    print("after change:", bridges())

    # A partial update of a map and a set from this side.
    def fill2(txn):
        for b in idl.tables["Bridge"].rows.values():
            if b.name == "br-a":
                b.setkey("external_ids", "k", "v")
                b.addvalue("flood_vlans", 30)
    commit(fill2)
    print("after mutate:", bridges())
    idl.close()
""")


def test_python_idl_inserts_reads_back_and_sees_other_clients(sandbox):
    vsctl = paths.reference("ovs-vsctl")
    python = "/usr/bin/python3"
    check = subprocess.run([python, "-c", "import ovs.db.idl"],
                           capture_output=True)
    if check.returncode:
        pytest.skip("python3-openvswitch is not installed")
    db = sandbox.path("conf.db")
    sandbox.run(["ovsdb-tool", "create", db, SCHEMA], check=True)
    sock = sandbox.path("db.sock")
    sandbox.start_daemon(["ovsdb-server", "--remote=punix:" + sock,
                          "--no-chdir", db])
    wait_for(lambda: os.path.exists(sock), what=sock)

    proc = subprocess.Popen([python, "-c", SCRIPT, "unix:" + sock, SCHEMA],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line == ("after insert: [('br-a', {'made-by': 'python-idl', "
                        "'name': 'br-a'}, ['000000000000000a'], [10, 20]), "
                        "('br-b', {'made-by': 'python-idl', 'name': 'br-b'}, "
                        "['000000000000000b'], [10, 20])]\n"), \
            line + proc.stderr.read()

        # What the IDL wrote is in the server, as another client sees it.
        r = sandbox.run([vsctl, "--no-wait", "--db=unix:" + sock,
                         "list-br"], check=True)
        assert r.stdout == "br-a\nbr-b\n"
        sandbox.run([vsctl, "--no-wait", "--db=unix:" + sock,
                     "clear", "Bridge", "br-b", "datapath_id", "--",
                     "set", "Bridge", "br-b", "external_ids:by=other"],
                    check=True)
        proc.stdin.write("go\n")
        proc.stdin.flush()
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out == (
        "after change: [('br-a', {'made-by': 'python-idl', 'name': 'br-a'}, "
        "['000000000000000a'], [10, 20]), ('br-b', {'by': 'other', "
        "'made-by': 'python-idl', 'name': 'br-b'}, [], [10, 20])]\n"
        "after mutate: [('br-a', {'k': 'v', 'made-by': 'python-idl', "
        "'name': 'br-a'}, ['000000000000000a'], [10, 20, 30]), ('br-b', "
        "{'by': 'other', 'made-by': 'python-idl', 'name': 'br-b'}, [], "
        "[10, 20])]\n")
    r = sandbox.run([vsctl, "--no-wait", "--db=unix:" + sock, "get",
                     "Bridge", "br-a", "external_ids:k", "flood_vlans"],
                    check=True)
    assert r.stdout == 'v\n[10, 20, 30]\n'

"""ovs-vsctl's database commands where they meet the transaction: what
earlier commands of the same command line changed (partial updates,
deleted rows), "add" as a mutation the server checks, conditions on map
keys, warnings, and how an ambiguous UUID prefix is reported -- compared
with Debian's ovs-vsctl (stdout, stderr, exit status, database)."""

import json
import subprocess

import pytest

import paths
from test_ovs_vsctl import NW, pair, run_scenario  # noqa: F401

pytestmark = pytest.mark.reference


def test_commands_see_earlier_changes_of_the_transaction(pair):  # noqa: F811
    run_scenario(pair, [
        NW + ['add-br', 'br0', '--', 'add-port', 'br0', 'p1', '--', 'add-br', 'br1', '--', 'add-aa-mapping', 'br0', '100', '20', '--', 'add-br', 'vlan10', 'br1', '10'],
        NW + ['br-set-external-id', 'br0', 'k', 'v', '--', 'br-get-external-id', 'br0'],
        NW + ['br-set-external-id', 'vlan10', 'k', 'v', '--', 'br-get-external-id', 'vlan10', 'k'],
        NW + ['add-aa-mapping', 'br0', '200', '30', '--', 'get-aa-mapping', 'br0'],
        NW + ['set', 'Bridge', 'br0', 'other_config:k=v', '--', 'get', 'Bridge', 'br0', 'other_config:k'],
        NW + ['del-br', 'br0', '--', '--columns=name', 'list', 'Port'],
        NW + ['add-br', 'br0', '--', 'add-port', 'br0', 'p1'],
        NW + ['del-port', 'p1', '--', 'list', 'Port', 'p1'],
        NW + ['add-port', 'br0', 'p1', 'tag=10'],
        NW + ['add', 'Port', 'p1', 'tag', '11'],
        NW + ['add', 'Bridge', 'br0', 'stp_enable', 'true'],
        NW + ['--columns=name', 'find', 'Interface', 'external_ids:iface-id!=aaaa-1111'],
        NW + ['set', 'Interface', 'p1', 'external_ids:iface-id=aaaa-1111'],
        NW + ['--columns=name', 'find', 'Interface', 'external_ids:iface-id!=aaaa-1111'],
        NW + ['--columns=name', 'find', 'Interface', 'external_ids:iface-id=aaaa-1111'],
        NW + ['--columns=name', 'find', 'Interface', 'external_ids:iface-id!=bbbb'],
        NW + ['--if-exists', '--if-exists', 'del-br', 'x'],
        NW + ['destroy', 'Bridge'],
        NW + ['create', 'Bridge', 'name=brx'],
        NW + ['set', 'Bridge', 'br0', 'external_ids:"a:b"=c', '--', 'get', 'Bridge', 'br0', 'external_ids:"a:b"'],
        NW + ['get', 'Bridge', 'br0', 'external_ids:"a:b"'],
        NW + ['--columns=name', 'find', 'Port', 'tag{<=}10,11'],
        NW + ['--columns=name', 'find', 'Port', 'tag{<}[10,11]'],
    ])


def test_add_goes_as_a_mutation_the_server_checks(pair):  # noqa: F811
    run_scenario(pair, [
        NW + ['add-br', 'br0', '--', 'add-port', 'br0', 'p1', 'tag=10'],
        NW + ['add', 'Port', 'p1', 'tag', '11'],
        NW + ['add', 'Port', 'p1', 'tag', '10'],
        NW + ['add', 'Bridge', 'br0', 'stp_enable', 'true'],
        NW + ['add', 'Bridge', 'br0', 'stp_enable', 'false'],
        NW + ['remove', 'Bridge', 'br0', 'stp_enable', 'false'],
        NW + ['remove', 'Bridge', 'br0', 'stp_enable', 'true'],
        NW + ['remove', 'Port', 'p1', 'tag', '10'],
        NW + ['remove', 'Port', 'p1', 'tag', '10'],
        NW + ['add', 'Port', 'p1', 'tag', '1', '2'],
        NW + ['add', 'Port', 'p1', 'trunks', '1', '2', '3'],
        NW + ['add', 'Port', 'p1', 'trunks', '4,5'],
        NW + ['add', 'Bridge', 'br0', 'other_config', 'a=b', 'c=d'],
        NW + ['add', 'Bridge', 'br0', 'other_config', 'a=x'],
        NW + ['remove', 'Bridge', 'br0', 'other_config', 'a=b'],
        NW + ['remove', 'Bridge', 'br0', 'other_config', 'a=x'],
        NW + ['remove', 'Bridge', 'br0', 'other_config', 'c'],
        NW + ['add', 'Bridge', 'br0', 'datapath_type', 'netdev'],
        NW + ['add', 'Interface', 'p1', 'type', 'internal'],
        NW + ['add', 'Bridge', 'br0', 'fail_mode', 'secure'],
        NW + ['add', 'Bridge', 'br0', 'fail_mode', 'standalone'],
        NW + ['add', 'Interface', 'p1', 'ofport_request', '5'],
        NW + ['add', 'Interface', 'p1', 'ofport_request', '6'],
        NW + ['remove', 'Interface', 'p1', 'ofport_request', '5'],
    ])


def test_ambiguous_uuid_prefix_names_rows_in_ovs_order(pair):  # noqa: F811
    ids = ["00020002-0000-4000-8000-000000000000",
           "00020001-0000-4000-8000-000000000000",
           "00030001-0000-4000-8000-000000000000"]
    txn = ["Open_vSwitch",
           {"op": "insert", "table": "Open_vSwitch",
            "row": {"bridges": ["set", [["uuid", u] for u in ids]]}}]
    for i, u in enumerate(ids):
        txn.append({"op": "insert", "table": "Bridge", "uuid": u,
                    "row": {"name": "br%d" % i}})
    for server in pair:
        subprocess.run([paths.reference("ovsdb-client"), "transact",
                        "unix:" + server.sock, json.dumps(txn)],
                       check=True, capture_output=True, env=server.env)
    ref, tur = pair
    r = ref.vsctl(paths.reference("ovs-vsctl"), NW + ["list", "Bridge", "0002"])
    t = tur.vsctl(paths.program("ovs-vsctl"), NW + ["list", "Bridge", "0002"])
    assert r[2] == ("ovs-vsctl: Bridge contains 2 or more rows whose UUIDs "
                    "begin with 0002: at least %s and %s\n" % (ids[1], ids[0]))
    assert (t[0], t[1], t[2].replace(paths.program("ovs-vsctl"), "ovs-vsctl")) \
        == (r[0], r[1], r[2].replace(paths.reference("ovs-vsctl"), "ovs-vsctl"))

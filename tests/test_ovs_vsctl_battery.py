"""The ovs-vsctl compatibility battery (issue 4): every command, option
and output format, the error paths, and the command lines that libvirt,
mininet and OpenStack's OVS agent issue.

Each case is one command line.  It runs twice, each time on a fresh copy
of the same starting database (tests/lib/vsctl_battery.py builds it once
per module with the reference tools: bridges, a fake VLAN bridge, a bond,
patch ports, QoS with queues, a mirror, controller, manager, SSL, a
datapath with a zone timeout policy, an Auto-Attach mapping; its rows
have fixed UUIDs): once with Debian's ovs-vsctl and once with Turnout's.
The exit status, stderr, stdout and the resulting database must be the
same.  UUIDs of rows a run created are named by content (<Bridge#1>...),
other unknown UUIDs by first appearance; the rows that list and find
print may come in any order.  The whole battery runs against Debian's
ovsdb-server and against Turnout's, and once more with Debian's ovs-vsctl
on both servers, to tell the server's differences from the tool's.

Unless a case says wait=True, "--no-wait" is put in front of the command
line (no ovs-vswitchd runs); the wait=True cases check the paths that do
not wait or that time out.  In command lines, UUID(Table,name) stands for
the UUID of a row of the starting database (UUID(Table,#N) for the N-th
unnamed row, UUID(Table,name,8) for its first 8 characters) and $DIR for
the run's directory (OVS_RUNDIR, where db.sock is).  The cases "with
vswitchd" wait, and a stand-in for ovs-vswitchd (vb.FakeVswitchd)
answers: it copies next_cfg to cur_cfg and fails every interface whose
name starts with "bad"."""

import concurrent.futures
import shlex

import pytest

import paths
import vsctl_battery as vb

pytestmark = pytest.mark.reference

# The starting database: run in this order by Debian's ovs-vsctl --no-wait.
SETUP = [
    "init",
    "set Open_vSwitch . external_ids:system-id=host-1"
    " external_ids:hostname=host1 other_config:n-handler-threads=2",
    "add-br br0 -- set Bridge br0 fail_mode=secure"
    " protocols=OpenFlow10,OpenFlow13"
    " other_config:datapath-id=0000000000000001 external_ids:bridge-id=br0",
    "add-port br0 p1 tag=10 -- set Interface p1 ofport=1 ofport_request=1",
    "add-port br0 p2 trunks=1,2,3 vlan_mode=trunk -- set Interface p2"
    " ofport=2 type=internal mtu_request=1400",
    "add-port br0 vif1 -- set Interface vif1 ofport=3"
    " external_ids:iface-id=aaaa-1111"
    " external_ids:attached-mac=52:54:00:00:00:01"
    " external_ids:iface-status=active external_ids:vm-uuid=vm-1",
    "add-port br0 patch-br0 -- set Interface patch-br0 type=patch"
    " options:peer=patch-br1 ofport=4",
    "add-br br1 -- add-port br1 patch-br1 -- set Interface patch-br1"
    " type=patch options:peer=patch-br0",
    "add-bond br1 bond0 eth0 eth1 lacp=active bond_mode=balance-tcp",
    "add-br vlan10 br1 10",
    "add-port vlan10 vp1",
    "add-br br2 -- set Bridge br2 datapath_type=netdev",
    "add-port br2 bad0 -- set Interface bad0"
    " 'error=\"could not open network device bad0 (No such device)\"'",
    "set-controller br0 tcp:127.0.0.1:6633",
    "set-manager ptcp:6640",
    "set-ssl /etc/ssl/key.pem /etc/ssl/cert.pem /etc/ssl/ca.pem",
    "--id=@q0 create Queue other_config:max-rate=1000 --"
    " --id=@q1 create Queue other_config:min-rate=500 dscp=10 --"
    " --id=@qos create QoS type=linux-htb other_config:max-rate=100000"
    " queues=0=@q0,1=@q1 -- set Port p1 qos=@qos",
    "--id=@m create Mirror name=m0 select_all=true --"
    " add Bridge br0 mirrors @m -- --id=@p get Port vif1 --"
    " set Mirror m0 select_src_port=@p",
    "--id=@dp create Datapath datapath_version=0"
    " capabilities:ct_zero_snat=true capabilities:recirc=true --"
    " set Open_vSwitch . datapaths:system=@dp",
    "add-zone-tp system zone=5 icmp_first=30 udp_single=20",
    "add-aa-mapping br0 100 20",
    # Strings that need quoting or escaping in some output format.
    "set Bridge br2 'external_ids:\"a b\"=\"c d\"' 'external_ids:empty=\"\"'"
    " 'external_ids:num=\"123\"' 'external_ids:bool=\"true\"'"
    " 'external_ids:colon=\"x:y\"' 'external_ids:quote=\"say \\\"hi\\\"\"'"
    " external_ids:uni=\u00e9t\u00e9 'external_ids:comma=\"a,b\"'"
    " 'external_ids:brace=\"{x}\"' 'external_ids:backslash=\"a\\\\b\"'"
    " 'external_ids:newline=\"l1\\nl2\"' 'external_ids:html=\"<b>&amp;\"'"
    " 'external_ids:neg=\"-5\"'",
]


class Case:
    def __init__(self, line, wait=False, vswitchd=False):
        self.line = line
        # The name of the case in test ids and XFAIL.
        self.key = "with vswitchd: " + line if vswitchd else line
        self.vswitchd = vswitchd
        self.args = shlex.split(line)
        if not (wait or vswitchd):
            self.args = ["--no-wait"] + self.args
        # list and find print rows in an order that is not part of the
        # interface.
        self.unordered = "list" in self.args or "find" in self.args
        self.json = ("--format=json" in self.args or "-fjson" in self.args
                     or any(a == "-f" and b == "json"
                            for a, b in zip(self.args, self.args[1:])))


def cases(*lines, **kwargs):
    return [Case(line, **kwargs) for line in lines]


CASES = (
    # Open vSwitch commands.
    cases("init", "show", "emer-reset", "init -- list-br",
          "emer-reset -- list-br", "emer-reset x")
    # Bridges.
    + cases("add-br br9", "add-br br0", "--may-exist add-br br0",
            "add-br BR0", "add-br p1", "add-br eth0",
            "add-br vlan20 br1 20", "add-br vlan20 br0 0",
            "--may-exist add-br vlan10 br1 10",
            "--may-exist add-br vlan10 br1 11",
            "--may-exist add-br vlan10 br0 10",
            "--may-exist add-br br0 br1 10",
            "add-br vlan20 br1 4096", "add-br vlan20 br1 -1",
            "add-br vlan20 br1 abc", "add-br vlan20 vlan10 20",
            "add-br vlan20 nosuch 20", "add-br br9 br1", "add-br",
            "add-br a b c d",
            "del-br br2", "del-br vlan10", "del-br br1", "del-br nosuch",
            "--if-exists del-br nosuch", "del-br",
            "list-br", "--real list-br", "--fake list-br",
            "--real --fake list-br", "list-br x",
            "br-exists br0", "br-exists vlan10", "br-exists nosuch",
            "br-to-vlan vlan10", "br-to-vlan br0", "br-to-vlan nosuch",
            "br-to-parent vlan10", "br-to-parent br1",
            "br-to-parent nosuch",
            "br-set-external-id br0 bridge-id br0",
            "br-set-external-id br0 k v -- br-get-external-id br0",
            "br-set-external-id br0 bridge-id",
            "br-set-external-id vlan10 k v -- br-get-external-id vlan10 k",
            "br-get-external-id vlan10", "br-get-external-id br0",
            "br-get-external-id br0 bridge-id",
            "br-get-external-id br0 nosuch",
            "br-get-external-id nosuch")
    # Ports.
    + cases("list-ports br0", "list-ports br1", "list-ports vlan10",
            "list-ports nosuch",
            "add-port br0 p9", "add-port br0 p1", "add-port br1 p1",
            "--may-exist add-port br0 p1", "--may-exist add-port br1 p1",
            "--may-exist add-port br0 p1 tag=10",
            "add-port vlan10 vp2", "add-port br0 eth0", "add-port br0 br1",
            "add-port br0 p9 tag=5 other_config:x=y",
            "add-port br0 p9 nosuch=1", "add-port br0 p9 tag=abc",
            "add-port br0 p9 tag=5000", "add-port nosuch p9",
            "add-port br0",
            "add-bond br0 bond1 e1 e2", "add-bond br0 bond1 e1",
            "--fake-iface add-bond br0 bond1 e1 e2",
            "add-bond br0 bond1 e1 e2 bond_mode=active-backup lacp=off",
            "add-bond br0 bond1 e1 e2 nosuch=x",
            "add-bond br0 bond0 e1 e2", "add-bond br0 bond1 e1 eth0",
            "--may-exist add-bond br1 bond0 eth0 eth1",
            "--may-exist add-bond br1 bond0 eth1 eth0",
            "--may-exist add-bond br1 bond0 eth0 eth2",
            "add-bond vlan10 bond1 e1 e2",
            "add-bond-iface bond0 eth2",
            "--may-exist add-bond-iface bond0 eth0",
            "add-bond-iface bond0 eth0", "add-bond-iface bond0 p2",
            "add-bond-iface p1 p1b", "add-bond-iface nosuch e1",
            "del-bond-iface bond0 eth1", "del-bond-iface eth1",
            "del-bond-iface bond0 nosuch",
            "--if-exists del-bond-iface bond0 nosuch",
            "del-bond-iface p1 p1", "del-bond-iface p1 eth0",
            "del-port p1", "del-port br0 p1", "del-port br1 p1",
            "del-port nosuch", "--if-exists del-port nosuch",
            "--if-exists del-port br0 p1", "--if-exists del-port br1 p1",
            "del-port eth0", "--with-iface del-port eth0",
            "--with-iface del-port br1 eth1", "--with-iface del-port p1",
            "del-port vlan10 vp1", "del-port br1 vp1", "del-port br0 br0",
            "del-port br0", "del-port vlan10 bond0",
            "port-to-br p1", "port-to-br vp1", "port-to-br bond0",
            "port-to-br eth0", "port-to-br nosuch", "port-to-br br0")
    # Interfaces.
    + cases("list-ifaces br0", "list-ifaces br1", "list-ifaces vlan10",
            "list-ifaces nosuch", "iface-to-br eth1", "iface-to-br vp1",
            "iface-to-br p1", "iface-to-br bond0", "iface-to-br nosuch")
    # Conntrack zones and datapath capabilities.
    + cases("list-zone-tp system", "list-zone-tp netdev",
            "add-zone-tp system zone=6 tcp_established=100 udp_first=5",
            "add-zone-tp system zone=5 icmp_first=1",
            "--may-exist add-zone-tp system zone=5 icmp_first=1",
            "add-zone-tp netdev zone=1 icmp_first=1",
            "add-zone-tp system icmp_first=1",
            "add-zone-tp system zone=7 nosuch=1",
            "del-zone-tp system zone=5", "del-zone-tp system zone=9",
            "--if-exists del-zone-tp system zone=9",
            "list-dp-cap system", "list-dp-cap netdev", "list-dp-cap")
    # Auto-Attach.
    + cases("get-aa-mapping br0", "get-aa-mapping br1",
            "add-aa-mapping br0 200 30 -- get-aa-mapping br0",
            "add-aa-mapping br1 1 2", "add-aa-mapping nosuch 1 2",
            "del-aa-mapping br0 100 20", "del-aa-mapping br0 7 8",
            "del-aa-mapping br1 100 20")
    # Controllers and fail mode.
    + cases("get-controller br0", "get-controller vlan10",
            "get-controller nosuch",
            "set-controller br1 tcp:127.0.0.1:6633 ptcp:6634",
            "set-controller br0 tcp:10.0.0.1:6653",
            "set-controller vlan10 tcp:10.0.0.1:6653",
            "--inactivity-probe=30000 set-controller br1 tcp:1.1.1.1",
            "set-controller br1", "del-controller br0",
            "del-controller br2",
            "get-fail-mode br0", "get-fail-mode br1",
            "get-fail-mode vlan10", "set-fail-mode br1 standalone",
            "set-fail-mode br1 bogus", "set-fail-mode vlan10 secure",
            "del-fail-mode br0", "del-fail-mode nosuch")
    # Managers and SSL.
    + cases("get-manager", "set-manager ptcp:6640 tcp:10.0.0.1:6640",
            "--inactivity-probe=5000 set-manager ptcp:6641",
            "del-manager", "set-manager",
            "get-ssl", "del-ssl", "set-ssl /k /c /ca",
            "--bootstrap set-ssl /k /c /ca -- get-ssl", "set-ssl a b")
    # list: records, tables, identification.
    + cases("list Bridge br0", "list Bridge", "list Port", "list Interface",
            "list Open_vSwitch", "list Open_vSwitch .", "list Interface vif1",
            "list Port p1 p2", "list Bridge nosuch",
            "--if-exists list Bridge nosuch br1",
            "list Bridge UUID(Bridge,br0)", "list Bridge UUID(Bridge,br0,8)",
            "list Bridge UUID(Bridge,br0,4)", "list Bridge UUID(Bridge,br0,3)",
            "list Port UUID(Bridge,br0)", "list Controller br0",
            "list QoS p1", "list Queue", "list Manager ptcp:6640",
            "list Mirror m0", "list sFlow br0", "list nosuch", "list i",
            "list int vif1", "list BRIDGE br0", "list q", "list qos",
            "list flow", "list open", "list AutoAttach", "list Datapath",
            "list CT_Zone", "list CT_Timeout_Policy", "list SSL",
            "list NetFlow", "list Bridge vlan10", "list Port bond0")
    # Output formats.
    + cases("--format=table list Bridge br0",
            "-f table --columns=name,tag,trunks list Port",
            "--format=html list Bridge br0", "--format=csv list Bridge br0",
            "--format=json list Bridge br0",
            "--format=json --pretty list Port p1",
            "--data=bare list Bridge br0", "--data=json list Bridge br0",
            "--data=string list Interface vif1",
            "-f table -d json list Port p2",
            "-f csv -d bare --columns=name,trunks list Port p2",
            "-f html -d json list Interface vif1",
            "--no-headings -f table --columns=name,ofport list Interface",
            "--no-headings -f csv list Port p1",
            "--no-headings list Port p1", "--bare list Port p1",
            "--bare --columns=name list Port", "--pretty -f json list QoS",
            "--oneline list Port p1", "--oneline -f json list Port p1",
            "--oneline -f table list Interface vif1",
            "--max-column-width=10 -f table list Bridge br0",
            "-f table --columns=_uuid,name list Bridge br0",
            "--columns=_uuid list Bridge br0",
            "--columns=name,name list Bridge br0",
            "--columns=NAME,Tag list Port p1", "--columns=nosuch list Bridge",
            "--columns=external_ids:bridge-id list Bridge br0",
            "--columns= list Bridge br0", "--format=bogus list-br",
            "--data=bogus list-br", "-f json list-br",
            "-f json get Bridge br0 name", "-f table get Port p1 tag")
    # find and every condition operator.
    + cases("find Interface external_ids:iface-id=aaaa-1111",
            "--columns=name find Interface type=patch",
            "--columns=name find Interface ofport<3",
            "--columns=name find Interface ofport>2",
            "--columns=name find Interface ofport<=2",
            "--columns=name find Interface ofport>=2",
            "--columns=name find Interface ofport!=1",
            "--columns=name find Interface ofport=1",
            "--columns=name find Port tag=10",
            "--columns=name find Port tag!=10",
            "--columns=name find Port tag{=}[]",
            "--columns=name find Port tag{!=}[]",
            "--columns=name find Port tag>5 tag<20",
            "--columns=name find Port trunks{>=}1,2",
            "--columns=name find Port trunks{<=}1,2,3,4",
            "--columns=name find Port trunks{<}1,2,3,4",
            "--columns=name find Port trunks{>}1",
            "--columns=name find Port trunks{=}1,2,3",
            "--columns=name find Port trunks{!=}1,2,3",
            "--columns=name find Port trunks=[1,2,3]",
            "--columns=name find Bridge protocols{>=}OpenFlow13",
            "--columns=name find Interface"
            " external_ids{>=}{iface-status=active}",
            "--columns=name find Interface"
            " external_ids{<=}{iface-id=aaaa-1111}",
            "--columns=name find Interface external_ids:iface-id!=aaaa-1111",
            "--columns=name find Interface 'options:peer=\"patch-br1\"'",
            "--columns=name find Interface error!=[]",
            "--columns=name find Bridge fail_mode=[]",
            "--columns=name find Bridge datapath_type=netdev",
            "--columns=name find Interface",
            "find Bridge name~br0", "find Bridge nosuch=1", "find Bridge name",
            "find Interface ofport<x", "find nosuch name=x",
            "-f json --columns=name,ofport find Interface ofport>0")
    # get.
    + cases("get Interface vif1 ofport", "get Bridge br0 datapath_id",
            "get Bridge br0 other_config:datapath-id",
            "get Bridge br0 other_config",
            "get Bridge br0 other_config:nosuch",
            "--if-exists get Bridge br0 other_config:nosuch",
            "get Port p1 tag trunks", "get Port p2 trunks",
            "get Open_vSwitch . external_ids:system-id", "get o . bridges",
            "get Bridge br0 nosuch", "get Bridge br0 name:x",
            "get Interface p1 name ofport type", "get Controller br0 target",
            "get Controller br1 target", "get QoS p1 type queues",
            "get Bridge br0 _uuid",
            "get Interface vif1 'external_ids:\"iface-id\"'",
            "get Bridge br0", "get Bridge UUID(Bridge,br0) name",
            "get Bridge UUID(Bridge,br0,8) name", "get Bridge nosuch name",
            "--id=@x get Bridge br0 name",
            "--id=@b get Bridge br2 -- remove Open_vSwitch . bridges @b")
    # set.
    + cases("set Bridge br0 other_config:datapath-id=0000000000000002",
            "set Bridge br0 protocols=[OpenFlow13]",
            "set Bridge br0 'protocols=\"OpenFlow14\"'",
            "set Interface vif1 ofport_request=5",
            "set Interface p1 type=patch options:peer=p2",
            "set Port p1 tag=[]", "set Port p1 tag=4096", "set Port p1 tag=x",
            "set Port p1 trunks=[]", "set Port p1 trunks=",
            "set Bridge br0 fail_mode=bogus",
            "set Bridge br0 'external_ids:\"a b\"=\"c d\"'",
            "set Bridge br0 'external_ids={x=\"1\", y=2}'",
            "set Bridge br0 external_ids={}",
            "set Bridge br0 'other_config:k=\"\"'",
            "set Bridge br0 'external_ids:k=\"a\\\"b\\\\c\"'",
            "set Bridge br0 'external_ids:k=\"line\\nbreak\"'",
            "set Bridge br0 external_ids:k=\u00e9t\u00e9",
            "set Bridge br0 stp_enable=true -- get Bridge br0 stp_enable",
            "set Bridge br0 stp_enable=yes",
            "set Interface vif1 mtu_request=0",
            "set Bridge nosuch stp_enable=true",
            "--if-exists set Bridge nosuch stp_enable=true",
            "set Bridge br0 name=x", "set Bridge br0 nosuch=1",
            "set Bridge br0 flood_vlans=1,2,3",
            "set Bridge br0 flood_vlans=4096",
            "set Open_vSwitch . other_config:n-handler-threads=4",
            "set Port p1 qos=[]", "set Port p2 qos=UUID(QoS,#0)",
            "set Bridge br0 mirrors=[]", "set Bridge br0 controller=[]",
            "set Bridge br0 stp_enable", "set Bridge br0",
            "set Bridge br0 external_ids:k", "set Bridge br0 other_config:=x",
            "set Bridge br0 ports=[]")
    # add, remove, clear.
    + cases("add Bridge br0 protocols OpenFlow14", "add Port p2 trunks 4 5",
            "add Port p1 tag 11", "add Bridge br0 external_ids k=v",
            "add Bridge br0 external_ids bridge-id=other",
            "add Bridge br0 name x", "add Bridge br0 other_config x",
            "add Bridge nosuch external_ids k=v",
            "remove Port p2 trunks 2", "remove Port p2 trunks 2 3",
            "remove Bridge br0 protocols OpenFlow10",
            "remove Bridge br0 other_config datapath-id",
            "remove Bridge br0 external_ids bridge-id=br0",
            "remove Bridge br0 external_ids bridge-id=no",
            "remove Port p1 tag 10", "remove Bridge br0 fail_mode secure",
            "remove Bridge br0 name br0", "remove Port p2 trunks x",
            "--if-exists remove Bridge nosuch external_ids k",
            "clear Port p1 tag", "clear Bridge br0 protocols other_config",
            "clear Bridge br0 name", "clear Interface vif1 ofport_request",
            "--if-exists clear Bridge nosuch protocols",
            "clear Bridge br0 nosuch", "clear Bridge br0")
    # create, destroy.
    + cases("create QoS type=linux-htb",
            "create Bridge name=brx", "create Port name=px",
            "--id=@q create Queue other_config:max-rate=10 --"
            " set QoS p1 queues:2=@q",
            "--id=@qos create QoS type=linux-htb other_config:max-rate=1000"
            " queues=0=@q0 -- --id=@q0 create Queue other_config:min-rate=100"
            " -- set Port p2 qos=@qos",
            "--id=@m create Mirror name=m1 select_all=true"
            " output_port=UUID(Port,p2) -- add Bridge br0 mirrors @m",
            "create nosuch x=1", "create QoS nosuch=1",
            "--id=@q create QoS type=x -- --id=@q create QoS type=y",
            "--id=q create QoS type=x", "set Port p1 qos=@undefined",
            "destroy QoS UUID(QoS,#0)", "destroy QoS p1 -- clear Port p1 qos",
            "--all destroy Queue", "--all destroy Mirror",
            "--all destroy Mirror -- clear Bridge br0 mirrors",
            "destroy Bridge nosuch", "--if-exists destroy Bridge nosuch",
            "--all destroy Bridge br0", "destroy Bridge",
            "destroy Open_vSwitch .",
            "destroy Manager ptcp:6640 -- clear Open_vSwitch ."
            " manager_options")
    # wait-until.
    + cases("wait-until Bridge br0 fail_mode=secure", "wait-until Bridge br0",
            "wait-until Bridge br0 protocols{>=}OpenFlow13",
            "wait-until Bridge br0 nosuch=1",
            "--timeout=1 wait-until Bridge br0 fail_mode=standalone",
            "--timeout=1 wait-until Bridge nosuch")
    # Options, command-line syntax, transactions.
    + cases("", "--", "-- --", "foo", "--bogus", "--may-exist",
            "list-br --", "-- list-br -- -- list-br",
            "--may-exist get Bridge br0 name",
            "--if-exists --if-exists del-br x",
            "--dry-run add-br br9", "--dry-run --id=@q create QoS type=x",
            "--oneline list-br -- list-ports br0 -- get Bridge br0 name",
            "--oneline br-exists nosuch", "-t 0 list-br", "-t abc list-br",
            "--timeout=-1 list-br", "comment hello world -- list-br",
            "--db=unix:$DIR/nosuch.sock list-br", "--no-syslog list-br",
            "-vconsole:off list-br", "--log-file=$DIR/vsctl.log list-br",
            "--private-key=$DIR/k.pem --certificate=$DIR/c.pem"
            " --ca-cert=$DIR/ca.pem list-br",
            "--retry list-br", "--commands", "--options", "--version", "-V",
            "--bootstrap-ca-cert=$DIR/boot.pem list-br",
            "--peer-ca-cert=$DIR/peer.pem list-br", "-C none list-br",
            "-t 5 list-br", "--timeout 5 list-br",
            "add-br br9 -- add-br br9", "add-port br0 p9 -- del-port p9",
            "del-br br2 -- add-br br2",
            "add-br br9 -- set Bridge br9 nosuch=1",
            "add-br br9 -- list-br", "del-port p1 -- list-ports br0",
            "add-port br0 p9 -- port-to-br p9 -- list-ifaces br0")
    # Fake bridges and bonds inside transactions.
    + cases("add-port vlan10 vp2 tag=20", "del-br br1 -- list-br",
            "add-br vlan11 br1 11 -- add-port vlan11 vp11 -- list-ports vlan11"
            " -- port-to-br vp11 -- br-to-vlan vlan11 -- br-to-parent vlan11",
            "--may-exist add-port vlan10 vp1",
            "--may-exist add-port br1 vp1",
            "add-bond vlan10 bond9 x1 x2 -- list-ports vlan10",
            "del-bond-iface bond0 eth0 -- del-bond-iface bond0 eth1",
            "add-bond-iface bond0 eth2 -- list-ifaces br1",
            "set Port vp1 tag=11 -- list-ports vlan10 -- list-ports br1",
            "--fake-iface add-bond br0 bond9 x1 x2 -- list-ifaces br0",
            "iface-to-br eth0 -- del-port bond0 -- iface-to-br eth0",
            "emer-reset -- show", "list-br --real",
            "br-set-external-id vlan10 fake-bridge-x y --"
            " br-get-external-id vlan10 -- br-get-external-id br1")
    # References, repeated records and columns, whole-table commands.
    + cases("list Bridge br0 br0", "get Bridge br0 name name",
            "--columns=name,name,_uuid -f table list Bridge br0",
            "--columns=name find Bridge",
            "-- --columns=name list Bridge -- --columns=_uuid list Port p1",
            "clear Open_vSwitch . bridges",
            "set Open_vSwitch . bridges=[] -- list-br",
            "add Open_vSwitch . bridges UUID(Bridge,br0)",
            "remove Open_vSwitch . bridges UUID(Bridge,br2)",
            "set Bridge br0 ports=UUID(Port,p1) -- list-ports br0",
            "wait-until Open_vSwitch . bridges{>=}UUID(Bridge,br0)",
            "--columns=name find Port interfaces{>=}UUID(Interface,eth0)",
            "get Port bond0 interfaces", "get Bridge br0 ports mirrors",
            "list Port UUID(Port,p1) p2 UUID(Port,vif1,8)")
    # show of everything it prints.
    + cases("set Open_vSwitch . ovs_version=3.1.0 -- show",
            "set Interface vif1 type=vxlan options:remote_ip=1.2.3.4"
            " options:key=5 -- show",
            "set Port p1 tag=[] trunks=[5,6] vlan_mode=trunk -- show",
            "set Interface p1 bfd:enable=true mac_in_use=00:00:00:00:00:01"
            " -- show",
            "set Controller br0 role=master is_connected=true -- show",
            "set Manager ptcp:6640 is_connected=true -- show",
            "set Bridge br0 datapath_type=netdev -- show",
            "set Interface vif1 link_state=up admin_state=up -- show",
            "set Port bond0 bond_mode=active-backup lacp=off -- show",
            "set Interface eth0 'error=\"bond member down\"' -- show")
    # Strings that need quoting or escaping, in every format.
    + cases("list Bridge br2", "--format=table list Bridge br2",
            "--format=csv list Bridge br2", "--format=html list Bridge br2",
            "--format=json list Bridge br2", "--data=bare list Bridge br2",
            "--data=json --format=table list Bridge br2",
            "--format=csv --data=bare list Bridge br2",
            "--format=html --data=bare list Bridge br2",
            "--format=html --data=json list Bridge br2",
            "--format=json --data=string --pretty list Bridge br2",
            "get Bridge br2 external_ids",
            "get Bridge br2 external_ids:quote external_ids:empty"
            " external_ids:num external_ids:newline external_ids:uni",
            "--columns=name find Bridge external_ids:num=123",
            "--columns=name find Bridge 'external_ids:num=\"123\"'",
            "--columns=name find Bridge 'external_ids:empty=\"\"'",
            "--columns=name find Bridge 'external_ids:quote=\"say"
            " \\\"hi\\\"\"'",
            "br-get-external-id br2", "br-get-external-id br2 quote",
            "--max-column-width=8 -f table --columns=name,external_ids"
            " list Bridge br2",
            "--oneline get Bridge br2 external_ids:newline",
            "--oneline list Bridge br2", "--bare --columns=external_ids list"
            " Bridge br2")
    # Waiting for ovs-vswitchd, which answers, and reports errors.
    + cases("add-br br9", "add-port br0 p9", "add-port br0 bad9",
            "add-bond br0 bond9 bad8 bad9",
            "add-port br0 bad9 -- add-port br0 bad8 -- add-port br0 p9",
            "add-port br2 bad9 -- set Interface bad9 type=internal",
            "--may-exist add-port br2 bad0",
            "set Interface bad0 mtu_request=9000",
            "set Interface vif1 ofport_request=5", "del-port p1",
            "--timeout=5 add-port br0 p9", "list-br", "wait-until Bridge br0",
            "--timeout=5 -- --if-exists del-port vnet0 -- add-port br0 vnet0"
            " tag=42 -- set Interface vnet0"
            " 'external-ids:attached-mac=\"52:54:00:12:34:56\"' --"
            " set Interface vnet0 external-ids:iface-status=active",
            "--timeout=10 -- --may-exist add-port br0 badtap1 -- set Interface"
            " badtap1 type=internal external_ids:iface-id=bbbb-2222",
            "-- --if-exists del-br s1 -- add-br s1 -- set Bridge s1"
            " other_config:datapath-id=0000000000000001 -- set-controller s1"
            " tcp:127.0.0.1:6653", vswitchd=True)
    # Paths that would wait for ovs-vswitchd, which does not run.
    + cases("--timeout=1 add-br br9", "--timeout=1 --may-exist add-br br0",
            "--timeout=1 list-br", "--timeout=1 --dry-run add-br br9",
            "--timeout=1 set Bridge br0 fail_mode=secure", wait=True)
    # libvirt.
    + cases("--timeout=5 -- --if-exists del-port vnet0 -- add-port br0 vnet0"
            " tag=42 -- set Interface vnet0"
            " 'external-ids:attached-mac=\"52:54:00:12:34:56\"' --"
            " set Interface vnet0"
            " 'external-ids:iface-id=\"e1a3c2b4-0000-4000-8000-0000000000aa\"'"
            " -- set Interface vnet0"
            " 'external-ids:vm-id=\"f00dbabe-0000-4000-8000-0000000000bb\"'"
            " -- set Interface vnet0 external-ids:iface-status=active",
            "--timeout=5 get Interface vif1 name",
            "--timeout=5 --if-exists get Interface vif1 external_ids:PortData",
            "--timeout=5 -- set Interface vif1 external_ids:PortData=abc",
            "--timeout=5 -- set Port p1 tag=42 vlan_mode=native-untagged"
            " trunks=42,43",
            "--timeout=5 -- --if-exists clear Port p1 tag -- --if-exists"
            " clear Port p1 trunks -- --if-exists clear Port p1 vlan_mode",
            "--timeout=5 port-to-br vif1",
            "--timeout=5 --no-heading --columns=statistics list Interface"
            " vif1",
            "--timeout=5 --no-headings --columns=name find Interface"
            " options:vhost-server-path=/var/run/vhu0",
            "--timeout=5 -- --if-exists del-port vif1",
            "--timeout=5 -- set Interface vif1 mtu_request=9000",
            "--timeout=5 --if-exists get Interface vif1 mtu")
    # OpenStack's OVS agent (neutron ovs_lib).
    + cases("--timeout=10 --oneline --format=json -- --columns=name,"
            "external_ids,ofport list Interface",
            "--timeout=10 --oneline --format=json -- --may-exist add-br br-int"
            " -- set Bridge br-int datapath_type=system",
            "--timeout=10 --oneline --format=json -- set Bridge br0"
            " fail_mode=secure",
            "--timeout=10 --oneline --format=json -- --if-exists del-port br0"
            " vif1",
            "--timeout=10 --oneline --format=json -- get Interface vif1"
            " ofport",
            "--timeout=10 --oneline --format=json -- --columns=name,ofport,"
            "external_ids find Interface external_ids:iface-id=aaaa-1111",
            "--timeout=10 --oneline --format=json -- list-ports br0",
            "--timeout=10 -- --may-exist add-port br0 tap1 -- set Interface"
            " tap1 type=internal external_ids:iface-id=bbbb-2222"
            " external_ids:iface-status=active"
            " external_ids:attached-mac=fa:16:3e:00:00:01",
            "--timeout=10 -- --may-exist add-port br0 patch-tun -- set"
            " Interface patch-tun type=patch options:peer=patch-int",
            "--timeout=10 -- br-set-external-id br0 bridge-id br0",
            "--timeout=10 --oneline --format=json -- --columns=name,"
            "other_config,tag list Port",
            "--timeout=10 -- set Port vif1 other_config:net_uuid=n1"
            " other_config:network_type=vxlan"
            " other_config:segmentation_id=100",
            "--timeout=10 -- --may-exist add-port br0 vxlan-0a000001 -- set"
            " Interface vxlan-0a000001 type=vxlan options:df_default=true"
            " options:in_key=flow options:local_ip=10.0.0.1"
            " options:out_key=flow options:remote_ip=10.0.0.2",
            "--timeout=10 -- --id=@qos create QoS type=linux-htb"
            " other_config:max-rate=1000 -- set Port vif1 qos=@qos",
            "--timeout=10 --oneline --format=json -- get Bridge br0"
            " datapath_id",
            "--timeout=10 --oneline --format=json -- get Interface vif1"
            " external_ids",
            "--timeout=10 -- set Interface vif1 ofport_request=5",
            "--timeout=10 --format=json -- --if-exists --columns=name,"
            "external_ids,ofport list Interface vif1 nosuch")
    # mininet.
    + cases("-- --if-exists del-br s1 -- add-br s1 -- set Bridge s1"
            " other_config:datapath-id=0000000000000001 -- set Bridge s1"
            " fail_mode=secure -- set Bridge s1 other-config:disable-in-band"
            "=true -- set bridge s1 protocols=OpenFlow13 -- set-controller s1"
            " tcp:127.0.0.1:6653",
            "add-port br0 s1-eth1 -- set Interface s1-eth1 ofport_request=1",
            "set-controller br0 tcp:127.0.0.1:6633",
            "set Bridge br0 protocols=OpenFlow10,OpenFlow13",
            "-- --id=@s1c0 create Controller target=\\\"tcp:127.0.0.1:6653\\\""
            " max_backoff=1000 -- --id=@s1-listen create Controller"
            " target=\\\"ptcp:6654\\\" max_backoff=1000 -- set bridge br1"
            " controller=[@s1c0,@s1-listen]",
            "get Controller br0 is_connected", "set bridge br2"
            " datapath_type=netdev", "--if-exists del-br s1",
            "-- set Bridge br0 stp_enable=true",
            "-- --if-exists del-port s1-eth1")
    # More datum syntax, identification and transactions.
    + cases("set Bridge br0 'flood_vlans=[1, 2]'",
            "set Bridge br0 flood_vlans=10-12",
            "set Bridge br0 'external_ids={a=\"x y\"}'",
            "set Bridge br0 'external_ids:\"a:b\"=c' -- get Bridge br0"
            " 'external_ids:\"a:b\"'",
            "set Bridge br0 'external_ids:\"\"=x'",
            "set Interface vif1 ofport_request=0x10",
            "set Interface vif1 mtu_request=+5",
            "set Queue UUID(Queue,#0) dscp=63",
            "set Queue UUID(Queue,#0) dscp=64",
            "set QoS p1 other_config:max-rate=1e6",
            "set Bridge br0 mcast_snooping_enable=false",
            "set Port p2 qos=00000000-0000-0000-0000-000000000000",
            "set Mirror m0 select_src_port=[] -- list Mirror m0",
            "set Bridge br0 other_config:k=v -- get Bridge br0 other_config:k",
            "--all destroy QoS -- clear Port p1 qos",
            "set QoS p1 queues={}", "list Bridge .", "get Bridge br0 nam",
            "--id=@q create QoS type=x -- list QoS @q",
            "--id=@q create QoS type=x -- set QoS @q type=y",
            "--id=@p get Port p1 -- add Bridge br2 ports @p",
            "--columns=name find Bridge 'external_ids={bridge-id=br0}'",
            "--columns=name find Bridge 'protocols=[OpenFlow10,OpenFlow13]'",
            "--columns=name find Port tag{<=}10,11",
            "--columns=name find Port 'tag{<}[10,11]'",
            "-f json list Bridge br0 -- list Port p1",
            "-d json get Bridge br0 protocols", "--bare list Bridge br0",
            "-f html --no-headings list Port p1",
            "--pretty -f json -d json list Port p2",
            "--oneline list Port p1 -- get Bridge br0 other_config",
            "--dry-run --id=@q create QoS type=x -- set Port p1 qos=@q",
            "wait-until Interface vif1 external_ids:iface-status=active",
            "set-manager ptcp:1 ptcp:1",
            "get-controller br0 -- del-controller br0 -- get-controller br0",
            "list-ports br0 -- add-port br0 p9 -- list-ports br0",
            "del-br br1 -- br-exists vlan10",
            "add-br br9 -- add-port br9 p9 -- port-to-br p9",
            "--with-iface --if-exists del-port nosuch",
            "add-port br0 p9 -- set Interface p9 type=internal --"
            " --columns=name,type list Interface p9",
            "add-bond br0 bond1 e1 e2 -- set Port bond1"
            " other_config:bond-detect-mode=miimon",
            "del-br br0 -- --columns=name list Port", "--help",
            "del-port p1 -- list Port p1", "add-port br0 p9 -- list Port p9",
            "--id=@q create QoS type=x -- get QoS @q type",
            "--id=@b get Bridge br0 -- set Bridge @b stp_enable=true",
            "del-port p1 -- show",
            "set Bridge br0 fail_mode=standalone -- show",
            "set Port p1 tag=[] -- set Controller br0 is_connected=true"
            " -- show",
            "-d json list QoS p1", "--format=list --columns=name list Port p1",
            "list-br --no-wait", "--no-wait --no-wait list-br",
            "set Interface vif1 'options:remote_ip=\"10.0.0.1\"'"
            " options:key=flow -- get Interface vif1 options",
            "--columns=name,external_ids -f csv -d json find Interface"
            " external_ids:iface-status=active")
    # More OpenStack (neutron) and libvirt command lines.
    + cases("--timeout=10 --oneline --format=json -- --id=@manager create"
            " Manager 'target=\"ptcp:6640:127.0.0.1\"' -- add Open_vSwitch ."
            " manager_options @manager",
            "--timeout=10 -- --may-exist add-br br-int -- set Bridge br-int"
            " protocols=OpenFlow10,OpenFlow13"
            " other_config:mac-table-size=50000",
            "--timeout=10 -- set Bridge br0 datapath_type=system --"
            " br-set-external-id br0 bridge-id br0",
            "--timeout=10 -- --if-exists del-br br-int",
            "--timeout=10 --oneline --format=json -- --columns=name,"
            "external_ids list Bridge",
            "--timeout=10 --oneline --format=json -- get Open_vSwitch ."
            " datapath_types",
            "--timeout=10 --oneline --format=json -- --columns=other_config"
            " list Open_vSwitch",
            "--timeout=10 -- --if-exists remove Port p1 other_config net_uuid",
            "--timeout=5 -- set Interface vif1 ingress_policing_rate=1000"
            " ingress_policing_burst=100",
            "--timeout=5 --no-heading --columns=_uuid find qos"
            " 'external-ids:vm-id=\"vm-1\"'",
            "--timeout=5 -- --if-exists destroy Queue UUID(Queue,#1)")
)


def _case_id(case):
    return (case.key or "(no command)").replace("::", ":_:")


SERVERS = [("debian-server", lambda: paths.reference("ovsdb-server")),
           ("turnout-server", lambda: paths.program("ovsdb-server"))]


def _params(xfail, servers):
    seen = set()
    params = []
    for server_name, server in servers:
        for case in CASES:
            case_id = "%s:%s" % (server_name, _case_id(case))
            assert case_id not in seen, "duplicate case " + case.key
            seen.add(case_id)
            reason = (xfail.get(case.key)
                      or xfail.get((server_name, case.key)))
            marks = ([pytest.mark.xfail(strict=True, reason=reason)]
                     if reason else [])
            params.append(pytest.param(server, case, id=case_id,
                                       marks=marks))
    return params


# Cases where Turnout's ovs-vsctl still differs from Debian's: the exact
# difference, keyed by command line, or by (server, command line) when it
# differs against one server only.  Strict: a fix makes the case fail
# until its entry is removed here.
XFAIL = {
    "--help":
        "the -f/-d/--no-headings/--pretty/--bare lines are worded"
        " differently and Turnout's adds --max-column-width",
}

# Cases where Debian's ovs-vsctl gets a different answer from Turnout's
# ovsdb-server than from Debian's: the exact difference.
XFAIL_SERVER = {}


@pytest.fixture(scope="module")
def servers():
    s = vb.Servers()
    yield s
    s.stop_all()


@pytest.fixture(scope="module")
def start_db(tmp_path_factory, servers):
    directory = str(tmp_path_factory.mktemp("battery-start"))
    return vb.build_start_db(directory, servers,
                             [shlex.split(line) for line in SETUP])


def view(vsctl, server, case, start_db, servers, directory):
    """Runs the case with 'vsctl' against 'server' on a copy of the
    starting database; returns what the comparison looks at."""
    db, ids = start_db
    run = vb.Run(vsctl, server, db, ids, directory, case.args, servers,
                 vswitchd=case.vswitchd)
    labels = vb.Labels(run.rows, set(ids.values()))
    stdout = labels.text(vb.normalise_stream(run.stdout, run, vsctl))
    stderr = labels.text(vb.normalise_stream(run.stderr, run, vsctl))
    if "--version" in case.args or "-V" in case.args:
        # Turnout's programs add a line naming Turnout.
        stdout = "".join(line for line in stdout.splitlines(True)
                         if not line.startswith("Turnout "))
    return dict(status=run.status, stdout=stdout, stderr=stderr,
                db=vb.dump(run, labels))


def two_views(a, b, case, start_db, servers, tmp_path):
    """view() for two (name, ovs-vsctl, ovsdb-server) at once: the runs
    are independent, and running them side by side halves the cases that
    wait for a timeout."""
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(view, vsctl, server, case, start_db, servers,
                               str(tmp_path / name))
                   for name, vsctl, server in (a, b)]
        return [f.result() for f in futures]


def assert_same(got, expected, case):
    assert got["status"] == expected["status"], "exit status"
    assert got["stderr"] == expected["stderr"], "stderr"
    if case.unordered and got["stdout"] != expected["stdout"]:
        assert (vb.unordered(got["stdout"], case.json)
                == vb.unordered(expected["stdout"], case.json)), "stdout"
    else:
        assert got["stdout"] == expected["stdout"], "stdout"
    assert got["db"] == expected["db"], "database"


@pytest.mark.parametrize("server,case", _params(XFAIL, SERVERS))
def test_vsctl_matches_reference(server, case, start_db, servers, tmp_path):
    ref, tur = two_views(
        ("reference", paths.reference("ovs-vsctl"), server()),
        ("turnout", paths.program("ovs-vsctl"), server()),
        case, start_db, servers, tmp_path)
    assert_same(tur, ref, case)


@pytest.mark.parametrize("server,case", _params(XFAIL_SERVER, SERVERS[1:]))
def test_reference_vsctl_same_on_turnout_server(server, case, start_db,
                                                servers, tmp_path):
    """Debian's ovs-vsctl gets the same answers from Turnout's
    ovsdb-server as from Debian's (so that a difference the battery finds
    is the tool's, and the server's differences show here)."""
    vsctl = paths.reference("ovs-vsctl")
    ref, tur = two_views(
        ("debian-server", vsctl, paths.reference("ovsdb-server")),
        ("turnout-server", vsctl, server()), case, start_db, servers,
        tmp_path)
    assert_same(tur, ref, case)


def test_battery_comparison_tells_databases_apart():
    """The normalisation keeps what matters: created rows are named by
    content whatever their UUIDs, and a different value, a missing row or
    a reference to a different row changes the dump."""
    old = {"00020001-0000-4000-8000-000000000000"}
    br0 = "00020001-0000-4000-8000-000000000000"

    class FakeRun:
        def __init__(self, rows):
            self.rows = rows

    def view(rows):
        run = FakeRun(rows)
        return vb.dump(run, vb.Labels(run.rows, old))

    def rows(port_uuid, iface_uuid, tag=10, iface_name="p9"):
        return {
            br0: ("Bridge", {"name": "br0",
                             "ports": ["set", [["uuid", port_uuid]]]}),
            port_uuid: ("Port", {"name": "p9", "tag": tag,
                                 "interfaces": ["uuid", iface_uuid]}),
            iface_uuid: ("Interface", {"name": iface_name}),
        }
    a = view(rows("11111111-0000-4000-8000-000000000000",
                  "22222222-0000-4000-8000-000000000000"))
    b = view(rows("33333333-0000-4000-8000-000000000000",
                  "44444444-0000-4000-8000-000000000000"))
    assert a == b
    assert "Port <Port#1> interfaces=<Interface#1> name=\"p9\" tag=10" in a
    assert view(rows("3" * 8 + "-0000-4000-8000-000000000000",
                     "4" * 8 + "-0000-4000-8000-000000000000", tag=11)) != a
    assert view(rows("3" * 8 + "-0000-4000-8000-000000000000",
                     "4" * 8 + "-0000-4000-8000-000000000000",
                     iface_name="x")) != a
    fewer = rows("11111111-0000-4000-8000-000000000000",
                 "22222222-0000-4000-8000-000000000000")
    del fewer["22222222-0000-4000-8000-000000000000"]
    assert view(fewer) != a
    # Row order is ignored only where the battery allows it.
    assert vb.unordered("a\n\nb\n", False) == vb.unordered("b\n\na\n", False)
    assert vb.unordered("a\n\nb\n", False) != vb.unordered("b\n\na", False)
    assert (vb.unordered('{"data":[[1],[2]],"headings":["x"]}\n', True)
            == vb.unordered('{"data":[[2],[1]],"headings":["x"]}\n', True))
    assert (vb.unordered('{"data":[[1],[2]],"headings":["x"]}\n', True)
            != vb.unordered('{"data":[[2],[3]],"headings":["x"]}\n', True))


def test_battery_xfail_entries_name_cases():
    lines = {case.key for case in CASES}
    for table in (XFAIL, XFAIL_SERVER):
        for key in table:
            assert (key if isinstance(key, str) else key[1]) in lines, key

"""ovs-vsctl, compared with Debian's ovs-vsctl.

Each scenario starts two reference ovsdb-servers on identical fresh
Open_vSwitch databases, runs the same command lines with Debian's
ovs-vsctl against one and Turnout's against the other, and requires the
same stdout, stderr (log timestamps aside), exit status and resulting
database (ovsdb-client dump, UUIDs numbered by order of appearance)."""

import os
import re
import subprocess

import pytest

import paths

pytestmark = pytest.mark.reference

TOP = paths.TOP
SCHEMA = os.path.join(TOP, "schemas", "vswitch.ovsschema")


class Server:
    """A reference ovsdb-server (or 'server_program') on a fresh database
    in 'directory'."""

    def __init__(self, directory, server_program=None):
        self.dir = directory
        os.makedirs(directory)
        self.env = dict(os.environ, OVS_RUNDIR=directory,
                        OVS_LOGDIR=directory, OVS_DBDIR=directory)
        db = os.path.join(directory, "db")
        subprocess.run([paths.reference("ovsdb-tool"), "create", db, SCHEMA],
                       check=True, env=self.env)
        self.sock = os.path.join(directory, "sock")
        self.pidfile = os.path.join(directory, "pid")
        subprocess.run([server_program or paths.reference("ovsdb-server"),
                        db, "--detach",
                        "--no-chdir", "--pidfile=" + self.pidfile,
                        "--remote=punix:" + self.sock,
                        "--log-file=" + os.path.join(directory, "log")],
                       check=True, env=self.env)

    def vsctl(self, program, args):
        cmd = [program, "--db=unix:" + self.sock] + args
        p = subprocess.run(cmd, capture_output=True, text=True,
                           env=self.env, timeout=20)
        return p.returncode, p.stdout, p.stderr

    def dump(self):
        p = subprocess.run([paths.reference("ovsdb-client"), "dump",
                            "unix:" + self.sock], capture_output=True,
                           text=True, check=True, env=self.env)
        return p.stdout

    def stop(self):
        try:
            with open(self.pidfile) as f:
                os.kill(int(f.read()), 15)
        except (OSError, ValueError):
            pass


UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                     r"[0-9a-f]{12}")


class Normalizer:
    """Numbers UUIDs by order of first appearance."""

    def __init__(self):
        self.map = {}

    def __call__(self, text):
        def sub(m):
            return "<%d>" % self.map.setdefault(m.group(0), len(self.map))
        text = UUID_RE.sub(sub, text)
        text = text.replace(paths.program("ovs-vsctl"), "ovs-vsctl")
        text = text.replace(paths.reference("ovs-vsctl"), "ovs-vsctl")
        # Turnout's --version adds its own line, as all its programs do.
        text = re.sub(r"^Turnout .*\n", "", text, flags=re.M)
        # Log lines carry timestamps and their own sequence numbers.
        return re.sub(r"^\S+Z\|\d+\|", "", text, flags=re.M)


def canonical_dump(text):
    """The dump with every UUID blanked and each table's rows sorted: set
    elements and rows are ordered by UUID, which differ between runs."""
    text = UUID_RE.sub("<u>", text)
    text = re.sub(r"\[(<u>(, <u>)*)\]", "[<u>...]", text)
    return sorted(text.splitlines())


def sorted_list_output(text):
    """Rows of list/find output, in an order-independent form."""
    return sorted(block.strip("\n") for block in text.split("\n\n"))


@pytest.fixture
def pair(tmp_path):
    ref = Server(str(tmp_path / "ref"))
    tur = Server(str(tmp_path / "turnout"))
    yield ref, tur
    ref.stop()
    tur.stop()


def run_scenario(pair, lines, unordered=()):
    ref, tur = pair
    ref_prog = paths.reference("ovs-vsctl")
    tur_prog = paths.program("ovs-vsctl")
    nref, ntur = Normalizer(), Normalizer()
    for i, args in enumerate(lines):
        r = ref.vsctl(ref_prog, args)
        t = tur.vsctl(tur_prog, args)
        what = "command line %d: %s" % (i, " ".join(args))
        assert t[0] == r[0], what
        ro, to = nref(r[1]), ntur(t[1])
        if args[-1] == "show":
            # Bridges and ports print in UUID order, which differs.
            assert sorted(to.splitlines()) == sorted(ro.splitlines()), what
        elif i in unordered or "list" in args or "find" in args:
            assert sorted_list_output(to) == sorted_list_output(ro), what
        else:
            assert to == ro, what
        assert ntur(t[2]) == nref(r[2]), what
        assert canonical_dump(tur.dump()) == canonical_dump(ref.dump()), what


NW = ["--no-wait"]


def test_bridge_and_port_commands_match_reference(pair):
    run_scenario(pair, [
        NW + ["init"],
        NW + ["add-br", "br0"],
        NW + ["add-br", "br0"],
        NW + ["--may-exist", "add-br", "br0"],
        NW + ["add-br", "br1"],
        NW + ["list-br"],
        NW + ["br-exists", "br0"],
        NW + ["br-exists", "nosuch"],
        NW + ["br-to-vlan", "br0"],
        NW + ["br-to-parent", "br0"],
        NW + ["br-to-vlan", "nosuch"],
        NW + ["add-port", "br0", "p1"],
        NW + ["add-port", "br0", "p1"],
        NW + ["add-port", "br1", "p1"],
        NW + ["--may-exist", "add-port", "br0", "p1"],
        NW + ["--may-exist", "add-port", "br1", "p1"],
        NW + ["add-port", "br0", "p2", "tag=5"],
        NW + ["add-port", "nosuch", "p3"],
        NW + ["list-ports", "br0"],
        NW + ["list-ifaces", "br0"],
        NW + ["port-to-br", "p1"],
        NW + ["port-to-br", "nosuch"],
        NW + ["iface-to-br", "p2"],
        NW + ["iface-to-br", "nosuch"],
        NW + ["show"],
        NW + ["br-set-external-id", "br0", "k", "v"],
        NW + ["br-get-external-id", "br0", "k"],
        NW + ["br-get-external-id", "br0"],
        NW + ["br-set-external-id", "br0", "k"],
        NW + ["br-get-external-id", "br0"],
        NW + ["del-port", "p1"],
        NW + ["del-port", "p1"],
        NW + ["--if-exists", "del-port", "p1"],
        NW + ["del-port", "br1", "p2"],
        NW + ["del-port", "br0", "p2"],
        NW + ["del-br", "br1"],
        NW + ["del-br", "br1"],
        NW + ["--if-exists", "del-br", "br1"],
        NW + ["show"],
        # What libvirt and OpenStack agents run.
        NW + ["--timeout=5", "--", "--may-exist", "add-port", "br0", "vif1",
              "--", "set", "Interface", "vif1",
              "external-ids:iface-id=abc", "external-ids:attached-mac=x"],
        NW + ["set", "Interface", "vif1", "type=patch", "options:peer=p9"],
        NW + ["set", "Interface", "vif1", "ofport_request=5"],
        NW + ["set", "Bridge", "br0", "protocols=OpenFlow10,OpenFlow13"],
        NW + ["set", "Bridge", "br0",
              "other_config:datapath-id=0000000000000001"],
        NW + ["show"],
    ])


def test_database_commands_match_reference(pair):
    run_scenario(pair, [
        NW + ["add-br", "br0", "--", "add-port", "br0", "p1", "--", "set",
              "interface", "p1", "type=internal"],
        NW + ["get", "bridge", "br0", "name"],
        NW + ["get", "bridge", "br0", "foo"],
        NW + ["get", "br", "br0", "NAME"],
        NW + ["get", "bridge", "br0", "s"],
        NW + ["get", "i", "br0", "name"],
        NW + ["get", "nosuch", "br0", "name"],
        NW + ["get", "bridge", "br0", "other_config:x"],
        NW + ["--if-exists", "get", "bridge", "br0", "other_config:x"],
        NW + ["get", "bridge", "br0", "name:x"],
        NW + ["get", "bridge", "br0", "external_ids:k:x"],
        NW + ["get", "bridge", "nosuch", "name"],
        NW + ["get", "open_vswitch", ".", "cur_cfg", "next_cfg"],
        NW + ["get", "bridge", "br0", "_uuid"],
        NW + ["set", "bridge", "br0", "name"],
        NW + ["set", "bridge", "br0", "name="],
        NW + ["set", "bridge", "br0", "name=x"],
        NW + ["set", "bridge", "br0", "stp_enable=maybe"],
        NW + ["set", "bridge", "br0", "fail_mode=bogus"],
        NW + ["set", "bridge", "br0", "flood_vlans=5000"],
        NW + ["set", "bridge", "br0", "external_ids:a=b",
              "other_config:c=d", "fail_mode=secure"],
        NW + ["set", "bridge", "br0", 'external_ids:"a b"="c d"'],
        NW + ["get", "bridge", "br0", "external_ids", "fail_mode"],
        NW + ["get", "bridge", "br0", 'external_ids:"a b"'],
        NW + ["set", "bridge", "br0", "flood_vlans=1-3"],
        NW + ["add", "bridge", "br0", "flood_vlans", "7", "8"],
        NW + ["remove", "bridge", "br0", "flood_vlans", "2"],
        NW + ["get", "bridge", "br0", "flood_vlans"],
        NW + ["add", "bridge", "br0", "external_ids", "a=z", "n=m"],
        NW + ["remove", "bridge", "br0", "external_ids", "n"],
        NW + ["remove", "bridge", "br0", "external_ids", "a=nomatch"],
        NW + ["remove", "bridge", "br0", "external_ids", "a=b"],
        NW + ["get", "bridge", "br0", "external_ids"],
        NW + ["clear", "bridge", "br0", "name"],
        NW + ["clear", "bridge", "br0", "flood_vlans", "external_ids"],
        NW + ["add", "bridge", "br0", "name", "x"],
        NW + ["list", "bridge", "br0"],
        NW + ["list", "bridge", "br9"],
        NW + ["--if-exists", "list", "bridge", "br9"],
        NW + ["--columns=name,type", "list", "interface", "p1"],
        NW + ["--columns=", "list", "bridge"],
        NW + ["--columns=foo", "list", "bridge"],
        NW + ["-f", "csv", "--columns=name,ports", "list", "bridge"],
        NW + ["-f", "json", "--columns=name,ports", "list", "bridge"],
        NW + ["--format=table", "--columns=name", "list", "bridge"],
        NW + ["--format=html", "--columns=name", "list", "bridge"],
        NW + ["--data=bare", "--columns=name,flood_vlans", "list", "bridge"],
        NW + ["--bare", "--columns=name", "list", "bridge"],
        NW + ["-d", "json", "--columns=name", "list", "bridge"],
        NW + ["--format=xml", "list-br"],
        NW + ["--columns=name", "find", "interface", "type=internal"],
        NW + ["--columns=name", "find", "interface", "type!=internal"],
        NW + ["--columns=name", "find", "bridge", "other_config:c=d"],
        NW + ["--columns=name", "find", "bridge", "other_config:c!=d"],
        NW + ["--columns=name", "find", "bridge",
              "other_config{>=}{c=d}"],
        NW + ["--columns=name", "find", "bridge", "name<br1"],
        NW + ["--columns=name", "find", "bridge", "name>br1"],
        NW + ["find", "bridge", "name"],
        NW + ["find", "bridge", "name~x"],
        NW + ["--id=@q", "create", "qos", "type=linux-htb", "--", "set",
              "port", "p1", "qos=@q"],
        NW + ["--columns=type", "list", "qos"],
        NW + ["--id=q", "create", "qos", "type=linux-htb"],
        NW + ["create", "bridge"],
        NW + ["set", "port", "p1", "qos=@nope"],
        NW + ["--all", "destroy", "bridge", "br0"],
        NW + ["destroy", "bridge", "br7"],
        NW + ["--if-exists", "destroy", "bridge", "br7"],
        NW + ["clear", "port", "p1", "qos"],
        NW + ["--all", "destroy", "qos"],
        NW + ["list", "qos"],
        NW + ["wait-until", "bridge", "br0", "name=br0"],
    ])


def test_command_line_errors_match_reference(pair):
    run_scenario(pair, [
        NW + [],
        NW + ["--"],
        NW + ["--", "--"],
        NW + ["foo"],
        NW + ["add-br"],
        NW + ["--bogus"],
        NW + ["--may-exist"],
        NW + ["--", "--if-exists", "--if-exists", "list-br"],
        NW + ["--", "--may-exist", "get", "bridge", "br0", "name"],
        NW + ["list-br", "--", "--", "list-br"],
        NW + ["-t", "0", "list-br"],
        NW + ["-t", "abc", "list-br"],
        NW + ["--", "--id=@q", "create", "qos", "type=x", "--", "get", "qos",
              "@q", "type"],
        NW + ["--timeout=3", "list-br"],
        NW + ["--dry-run", "add-br", "brx"],
        NW + ["--oneline", "list-br", "--", "br-exists", "brx"],
        ["--version"],
    ])


def test_create_sets_immutable_columns_on_new_rows(pair):
    run_scenario(pair, [
        NW + ["add-br", "br0"],
        NW + ["--id=@i", "create", "Interface", "name=i1", "--",
              "--id=@p", "create", "Port", "name=p1", "interfaces=@i", "--",
              "add", "Bridge", "br0", "ports", "@p"],
        NW + ["list-ports", "br0"],
        NW + ["set", "Port", "p1", "name=x"],
        NW + ["set", "Interface", "i1", "name=x"],
        NW + ["clear", "Port", "p1", "name"],
        NW + ["--id=@i", "create", "Interface", "name=i2", "--",
              "--id=@p", "create", "Port", "name=p2", "interfaces=@i", "--",
              "add", "Bridge", "br0", "ports", "@p"],
        NW + ["list-ports", "br0"],
        NW + ["show"],
    ])


def test_controller_and_fail_mode_commands_match_reference(pair):
    run_scenario(pair, [
        NW + ["add-br", "br0", "--", "add-br", "br1"],
        NW + ["get-controller", "br0"],
        NW + ["set-controller", "br0", "tcp:1.2.3.4:6653", "ptcp:6633"],
        NW + ["get-controller", "br0"],
        NW + ["show"],
        NW + ["set-controller", "br0", "unix:/x", "ssl:1.2.3.4",
              "punix:/y", "pssl:", "tcp:[::1]:6653"],
        NW + ["get-controller", "br0"],
        # Unknown connection methods only draw a warning.
        NW + ["set-controller", "br1", "bogus", "tcp", "foo:bar", "a"],
        NW + ["get-controller", "br1"],
        NW + ["set-controller", "br1", "a", "b", "a"],
        NW + ["get-controller", "br1"],
        NW + ["set-controller", "br1"],
        NW + ["get-controller", "br1"],
        NW + ["--inactivity-probe=7000", "set-controller", "br1",
              "tcp:1.1.1.1"],
        NW + ["--columns=target,inactivity_probe", "list", "controller"],
        NW + ["--inactivity-probe=12abc", "set-controller", "br1",
              "tcp:1.1.1.1", "--", "get-controller", "br1"],
        NW + ["--columns=target,inactivity_probe", "list", "controller"],
        NW + ["set", "controller", "br1", "is_connected=true"],
        NW + ["show"],
        NW + ["set-controller", "nosuch", "tcp:1.1.1.1"],
        NW + ["get-controller", "nosuch"],
        NW + ["del-controller", "nosuch"],
        NW + ["get-controller"],
        NW + ["del-controller"],
        NW + ["get-controller", "br0", "br1"],
        NW + ["--inactivity-probe=5", "get-controller", "br0"],
        NW + ["del-controller", "br0"],
        NW + ["get-controller", "br0"],
        NW + ["list", "controller"],
        NW + ["get-fail-mode", "br0"],
        NW + ["set-fail-mode", "br0", "secure"],
        NW + ["get-fail-mode", "br0"],
        NW + ["set-fail-mode", "br0", "standalone", "--",
              "get-fail-mode", "br0"],
        NW + ["set-fail-mode", "br0", "bogus"],
        NW + ["set-fail-mode", "br0", "Secure"],
        NW + ["set-fail-mode", "nosuch", "secure"],
        NW + ["set-fail-mode", "nosuch", "bogus"],
        NW + ["get-fail-mode", "nosuch"],
        NW + ["del-fail-mode", "nosuch"],
        NW + ["set-fail-mode", "br0"],
        NW + ["set-fail-mode", "br0", "secure", "x"],
        NW + ["show"],
        NW + ["del-fail-mode", "br0"],
        NW + ["del-fail-mode", "br0"],
        NW + ["get-fail-mode", "br0"],
        NW + ["show"],
    ])


def test_manager_and_ssl_commands_match_reference(pair):
    run_scenario(pair, [
        NW + ["get-manager"],
        NW + ["get-ssl"],
        NW + ["del-manager"],
        NW + ["del-ssl"],
        NW + ["set-manager", "ptcp:6640", "tcp:1.2.3.4:6640", "bogus"],
        NW + ["get-manager"],
        NW + ["--columns=target", "list", "manager"],
        NW + ["set-manager", "ptcp:6640"],
        NW + ["--columns=target", "list", "manager"],
        NW + ["set", "manager", "ptcp:6640", "is_connected=true"],
        NW + ["show"],
        NW + ["--inactivity-probe=5000", "set-manager", "ptcp:1",
              "punix:/x"],
        NW + ["--columns=target,inactivity_probe", "list", "manager"],
        NW + ["--inactivity-probe=abc", "set-manager", "ptcp:1"],
        NW + ["--columns=target,inactivity_probe", "list", "manager"],
        NW + ["get-manager", "x"],
        NW + ["set-manager"],
        NW + ["--inactivity-probe", "set-manager", "ptcp:1"],
        NW + ["del-manager"],
        NW + ["get-manager"],
        NW + ["list", "manager"],
        NW + ["set-ssl", "a", "b", "c"],
        NW + ["get-ssl"],
        NW + ["--columns=private_key,certificate,ca_cert,bootstrap_ca_cert",
              "list", "ssl"],
        NW + ["--bootstrap", "set-ssl", "/k", "/c", "/ca"],
        NW + ["get-ssl"],
        NW + ["--columns=private_key,certificate,ca_cert,bootstrap_ca_cert",
              "list", "ssl"],
        NW + ["--", "--bootstrap", "set-ssl", "d", "e", "f", "--",
              "get-ssl"],
        NW + ["--bootstrap", "get-ssl"],
        NW + ["set-ssl", "a", "b"],
        NW + ["set-ssl", "a", "b", "c", "d"],
        NW + ["get-ssl", "x"],
        NW + ["del-ssl"],
        NW + ["get-ssl"],
        NW + ["list", "ssl"],
        NW + ["del-ssl"],
    ])


def test_emer_reset_matches_reference(pair):
    run_scenario(pair, [
        NW + ["emer-reset"],
        NW + ["add-br", "br0", "--", "add-br", "br1", "--",
              "add-port", "br0", "p1", "other_config:a=b",
              "external_ids:x=y", "--",
              "set", "Interface", "p1", "other_config:c=d",
              "options:peer=z"],
        NW + ["set", "Bridge", "br0",
              "other_config:hwaddr=00:11:22:33:44:55", "other_config:k=v",
              "flood_vlans=5", "external_ids:q=r", "protocols=OpenFlow13",
              "stp_enable=true", "--",
              "set", "Bridge", "br1", "other_config:k=v", "--",
              "set", "Open_vSwitch", ".", "other_config:z=1",
              "external_ids:w=2"],
        NW + ["set-ssl", "a", "b", "c", "--", "set-manager", "ptcp:1", "--",
              "set-controller", "br0", "tcp:1.1.1.1", "--",
              "set-fail-mode", "br0", "secure", "--",
              "set-controller", "br1", "tcp:1.1.1.2"],
        NW + ["--id=@m", "create", "Mirror", "name=m1", "--",
              "add", "Bridge", "br0", "mirrors", "@m", "--",
              "--id=@n", "create", "NetFlow", 'targets="1.2.3.4:5"', "--",
              "set", "Bridge", "br0", "netflow=@n", "--",
              "--id=@s", "create", "sFlow", 'targets="1.2.3.4:5"', "--",
              "set", "Bridge", "br0", "sflow=@s", "--",
              "--id=@x", "create", "IPFIX", 'targets="1.2.3.4:5"', "--",
              "set", "Bridge", "br0", "ipfix=@x", "--",
              "--id=@q", "create", "QoS", "type=linux-htb",
              "other_config:x=1", "--", "set", "Port", "p1", "qos=@q"],
        NW + ["--", "--id=@x", "create", "IPFIX", 'targets="1.2.3.4:6"',
              "--", "set", "Bridge", "br1", "ipfix=@x", "--",
              "--id=@br", "get", "Bridge", "br1", "--",
              "create", "Flow_Sample_Collector_Set", "id=2", "bridge=@br",
              "ipfix=@x"],
        NW + ["show"],
        NW + ["emer-reset"],
        NW + ["show"],
        NW + ["get-manager", "--", "get-ssl", "--", "get-controller", "br0",
              "--", "get-fail-mode", "br0"],
        NW + ["emer-reset", "x"],
    ])

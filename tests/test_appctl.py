"""ovs-appctl and the unixctl protocol, compared with the reference Open
vSwitch: Turnout's ovs-appctl and Debian's drive Turnout's test-daemon
and the reference ovsdb-server with the same output, error text and exit
status, and the two daemons answer the common commands alike."""

import json
import os
import re
import signal
import socket
import subprocess
import threading

import pytest

import paths
from wait import wait_for

SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"

# "2026-11-22T04:19:31Z|00001|" at the start of console log lines.
TIMESTAMP_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\|\d{5}\|", re.M)


def strip_timestamps(text):
    return TIMESTAMP_RE.sub("", text)


def appctl_path(which):
    if which == "turnout":
        return paths.program("ovs-appctl")
    return paths.reference("ovs-appctl")


def appctl(sandbox, which, *args, timeout=30):
    """Runs one ovs-appctl ('turnout' or 'reference') in the sandbox;
    returns (stdout, stderr without log timestamps, exit status)."""
    r = sandbox.run([appctl_path(which)] + list(args), timeout=timeout)
    return r.stdout, strip_timestamps(r.stderr), r.returncode


def both_appctls(sandbox, *args):
    """Runs both ovs-appctls with 'args', asserts they behave identically
    and returns what they did."""
    mine = appctl(sandbox, "turnout", *args)
    ref = appctl(sandbox, "reference", *args)
    assert mine == ref, "turnout %r != reference %r" % (mine, ref)
    return mine


def start_test_daemon(sandbox, *args):
    return sandbox.start_daemon(["test-daemon"] + list(args))


def start_ref_ovsdb(sandbox):
    server = paths.reference("ovsdb-server")
    tool = paths.reference("ovsdb-tool")
    if not os.path.exists(SCHEMA):
        pytest.skip("reference vswitch schema is not installed")
    db = sandbox.path("db", "conf.db")
    sandbox.run([tool, "create", db, SCHEMA], check=True)
    sock = sandbox.path("run", "db.sock")
    return sandbox.start_daemon([server, db, "--remote=punix:" + sock],
                                name="ovsdb-server")


@pytest.fixture(params=["test-daemon", "ovsdb-server"])
def any_daemon(request, sandbox):
    """Each test runs once against Turnout's test-daemon and once against
    the reference ovsdb-server; yields the target name."""
    if request.param == "test-daemon":
        start_test_daemon(sandbox)
    else:
        start_ref_ovsdb(sandbox)
    return request.param


@pytest.fixture
def both_daemons(sandbox):
    paths.reference("ovs-appctl")
    start_test_daemon(sandbox)
    start_ref_ovsdb(sandbox)
    return sandbox


COMMANDS = [
    ["list-commands"],
    ["version"],
    ["vlog/list"],
    ["vlog/list-pattern"],
    ["memory/show"],
    ["vlog/set", "foo"],
    ["vlog/set", "PATTERN:nowhere:%m"],
    ["vlog/set", "FACILITY:bad"],
    ["vlog/set", "syslog:console"],
    ["vlog/disable-rate-limit", "nosuchmodule"],
    ["coverage/read-counter", "nosuchcounter"],
    ["no/such/command", "x"],
    ["exit", "extra"],
    ["vlog/list", "extra"],
]


@pytest.mark.reference
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_both_appctls_print_the_same(sandbox, any_daemon, command):
    both_appctls(sandbox, "-t", any_daemon, *command)


@pytest.mark.reference
def test_both_appctls_accept_socket_path_and_execute_flag(sandbox,
                                                          any_daemon):
    pid = int(open(sandbox.path("run", any_daemon + ".pid")).read())
    ctl = sandbox.path("run", "%s.%d.ctl" % (any_daemon, pid))
    out, err, status = both_appctls(sandbox, "-e", "--target=" + ctl,
                                    "--timeout=5", "version")
    assert out.startswith(any_daemon + " (Open vSwitch) 3.1.0\n")
    assert (err, status) == ("", 0)


def reply(sandbox, target, *command):
    out, err, status = appctl(sandbox, "turnout", "-t", target, *command)
    return out, err.replace(target, "DAEMON"), status


# Errors whose text does not depend on the daemon.
COMMON_ERRORS = [
    ["vlog/set", "foo"],
    ["vlog/set", "console:foo"],
    ["vlog/set", "ANY:console:dbg:x"],
    ["vlog/set", "PATTERN"],
    ["vlog/set", "PATTERN:"],
    ["vlog/set", "PATTERN:foo:x"],
    ["vlog/set", "FACILITY"],
    ["vlog/set", "FACILITY:foo"],
    ["vlog/set", "syslog:console"],
    ["vlog/set", "dbg:info"],
    ["vlog/set", "vlog:unixctl"],
    ["vlog/set", "vlog:console:info", "nosuch", "vlog:syslog:err"],
    ["vlog/disable-rate-limit", "nosuch"],
    ["vlog/enable-rate-limit", "vlog", "nosuch"],
    ["coverage/read-counter"],
    ["coverage/read-counter", "nosuch"],
    ["coverage/read-counter", "a", "b"],
    ["exit", "x"],
    ["version", "x"],
    ["list-commands", "x"],
    ["vlog/reopen", "x"],
    ["no-such-command"],
]


@pytest.mark.reference
@pytest.mark.parametrize("command", COMMON_ERRORS, ids=" ".join)
def test_errors_match_reference_daemon(both_daemons, command):
    mine = reply(both_daemons, "test-daemon", *command)
    ref = reply(both_daemons, "ovsdb-server", *command)
    assert mine == ref
    assert mine[2] == 2
    assert mine[1].endswith("ovs-appctl: DAEMON: server returned an error\n")


# Commands that succeed alike on both daemons.
COMMON_SUCCESSES = [
    ["vlog/set"],
    ["vlog/set", "vlog:console:warn", "unixctl,file,dbg"],
    ["vlog/set", "PATTERN:any:%m"],
    ["vlog/set", "pattern:console"],
    ["vlog/set", "FACILITY:LOCAL2"],
    ["vlog/set", "any"],
    ["vlog/disable-rate-limit"],
    ["vlog/enable-rate-limit", "vlog", "unixctl"],
    ["vlog/close"],
    ["vlog/reopen"],
]


@pytest.mark.reference
@pytest.mark.parametrize("command", COMMON_SUCCESSES, ids=" ".join)
def test_successes_match_reference_daemon(both_daemons, command):
    mine = reply(both_daemons, "test-daemon", *command)
    ref = reply(both_daemons, "ovsdb-server", *command)
    assert mine == ref == ("", "", 0)


@pytest.mark.reference
def test_vlog_list_matches_reference_layout(both_daemons):
    mine = reply(both_daemons, "test-daemon", "vlog/list")[0]
    ref = reply(both_daemons, "ovsdb-server", "vlog/list")[0]
    mine_lines = mine.splitlines(True)
    ref_lines = ref.splitlines(True)
    assert mine_lines[:2] == ref_lines[:2]

    # Modules that exist in both print identically (detached: console
    # off, syslog and file at info).
    ref_by_module = {line.split()[0]: line for line in ref_lines[2:]}
    common = [line for line in mine_lines[2:]
              if line.split()[0] in ref_by_module]
    assert len(common) >= 5
    for line in common:
        assert line == ref_by_module[line.split()[0]]
    names = [line.split()[0] for line in mine_lines[2:]]
    assert names == sorted(names)

    # After the same change, the same lines again.
    for target in ("test-daemon", "ovsdb-server"):
        reply(both_daemons, target, "vlog/set", "unixctl:syslog:dbg")
        reply(both_daemons, target, "vlog/set", "vlog:file:off")
    mine = reply(both_daemons, "test-daemon", "vlog/list")[0]
    ref = reply(both_daemons, "ovsdb-server", "vlog/list")[0]
    for module in ("unixctl", "vlog"):
        pick = re.compile(r"^%s .*\n" % module, re.M)
        assert pick.search(mine).group(0) == pick.search(ref).group(0)
    assert "\nunixctl            OFF        DBG       INFO\n" in mine
    assert "\nvlog               OFF       INFO        OFF\n" in mine


@pytest.mark.reference
def test_vlog_list_pattern_matches_reference_bytes(both_daemons):
    for command in (["vlog/list-pattern"],
                    ["vlog/set", "PATTERN:file:%m:%p"],
                    ["vlog/list-pattern"],
                    ["vlog/set", "pattern:console"],
                    ["vlog/list-pattern"]):
        assert (reply(both_daemons, "test-daemon", *command)
                == reply(both_daemons, "ovsdb-server", *command))


@pytest.mark.reference
def test_list_commands_common_lines_match_reference(both_daemons):
    mine = reply(both_daemons, "test-daemon", "list-commands")[0]
    ref = reply(both_daemons, "ovsdb-server", "list-commands")[0]
    assert mine.startswith("The available commands are:\n")
    mine_lines = mine.splitlines(True)[1:]
    ref_lines = ref.splitlines(True)[1:]
    assert mine_lines == sorted(mine_lines)
    common = [line for line in ref_lines
              if not line.startswith("  ovsdb-server/")]
    assert common == [line for line in mine_lines
                      if not line.startswith("  test/")]


@pytest.mark.reference
def test_version_first_line_matches_reference(both_daemons):
    mine = reply(both_daemons, "test-daemon", "version")[0]
    ref = reply(both_daemons, "ovsdb-server", "version")[0]
    assert mine.splitlines()[0].replace("test-daemon", "X") \
        == ref.splitlines()[0].replace("ovsdb-server", "X")
    version = subprocess.run([paths.program("test-daemon"), "--version"],
                             capture_output=True, text=True).stdout
    assert version.splitlines()[0] == mine.splitlines()[0]


def test_command_output_goes_to_stdout(sandbox):
    start_test_daemon(sandbox)
    assert appctl(sandbox, "turnout", "-t", "test-daemon", "test/echo",
                  "a", "b c") == ("a b c\n", "", 0)


def test_command_error_goes_to_stderr_with_status_2(sandbox):
    start_test_daemon(sandbox)
    assert appctl(sandbox, "turnout", "-t", "test-daemon", "test/error",
                  "it", "broke") == (
        "", "it broke\novs-appctl: test-daemon: server returned an error\n",
        2)


def test_deferred_reply_reaches_client(sandbox):
    start_test_daemon(sandbox)
    assert appctl(sandbox, "turnout", "-t", "test-daemon", "test/defer",
                  "later") == ("later\n", "", 0)
    # The connection that deferred still serves the next client.
    assert appctl(sandbox, "turnout", "-t", "test-daemon", "test/echo",
                  "x")[0] == "x\n"


@pytest.mark.reference
def test_reference_appctl_drives_test_daemon(sandbox):
    start_test_daemon(sandbox)
    assert appctl(sandbox, "reference", "-t", "test-daemon", "test/echo",
                  "hello") == ("hello\n", "", 0)
    assert appctl(sandbox, "reference", "-t", "test-daemon", "test/error",
                  "bad")[2] == 2


# Target and command-line errors.

@pytest.mark.reference
def test_missing_pidfile_reported_like_reference(sandbox):
    out, err, status = both_appctls(sandbox, "-t", "nothere", "version")
    pidfile = sandbox.path("run", "nothere.pid")
    assert status == 1
    assert err == ("daemon_unix|WARN|%s: open: No such file or directory\n"
                   "ovs-appctl: cannot read pidfile \"%s\" (No such file or "
                   "directory)\n" % (pidfile, pidfile))


@pytest.mark.reference
def test_default_target_is_ovs_vswitchd(sandbox):
    out, err, status = both_appctls(sandbox, "version")
    assert status == 1
    assert sandbox.path("run", "ovs-vswitchd.pid") in err


@pytest.mark.reference
def test_stale_pidfile_reported_like_reference(sandbox):
    with open(sandbox.path("run", "stale.pid"), "w") as f:
        f.write("%d\n" % os.getpid())
    out, err, status = both_appctls(sandbox, "-t", "stale", "version")
    assert status == 1
    assert err == ("ovs-appctl: cannot read pidfile \"%s\" (No such "
                   "process)\n" % sandbox.path("run", "stale.pid"))


@pytest.mark.reference
def test_missing_socket_reported_like_reference(sandbox):
    sock = sandbox.path("run", "gone.ctl")
    out, err, status = both_appctls(sandbox, "-t", sock, "version")
    assert status == 1
    assert err == ("unixctl|WARN|failed to connect to %s\n"
                   "ovs-appctl: cannot connect to \"%s\" (No such file or "
                   "directory)\n" % (sock, sock))


@pytest.mark.reference
def test_daemon_gone_after_exit_reported_like_reference(sandbox):
    d = start_test_daemon(sandbox)
    pid = d.pid()
    assert appctl(sandbox, "turnout", "-t", "test-daemon", "exit") \
        == ("", "", 0)
    sock = sandbox.path("run", "test-daemon.%d.ctl" % pid)
    wait_for(lambda: not os.path.exists(sock), what="socket removal")
    out, err, status = both_appctls(sandbox, "-t", sock, "version")
    assert status == 1 and "cannot connect to" in err


@pytest.mark.reference
@pytest.mark.parametrize("args", [
    [],
    ["-t", "x"],
    ["-T", "0", "version"],
    ["-T", "abc", "version"],
    ["-T", "-1", "version"],
    ["--timeout=99999999999", "version"],
    ["-t", "a", "-t", "b", "version"],
    ["--help"],
    ["-h"],
    ["--option"],
], ids=lambda a: " ".join(a) or "no-args")
def test_command_line_handling_matches_reference(sandbox, args):
    both_appctls(sandbox, *args)


@pytest.mark.reference
@pytest.mark.parametrize("args", [["-x"], ["--bogus"], ["-t"]])
def test_option_errors_match_reference(sandbox, args):
    mine = appctl(sandbox, "turnout", *args)
    ref = appctl(sandbox, "reference", *args)
    prog = re.compile(r"^\S*ovs-appctl: ", re.M)
    assert (mine[0], prog.sub("", mine[1]), mine[2]) \
        == (ref[0], prog.sub("", ref[1]), ref[2])
    assert mine[2] == 1


def test_version_option(sandbox):
    out, err, status = appctl(sandbox, "turnout", "--version")
    assert out.splitlines()[0] == "ovs-appctl (Open vSwitch) 3.1.0"
    assert status == 0


# Misbehaving servers, played by a Python socket.

class FakeServer:
    """Listens on a unix socket; for each connection reads one request,
    records it and then sends 'reply' (bytes) and closes, or, if 'reply'
    is None, keeps the connection open without answering."""

    def __init__(self, path, reply):
        self.path = path
        self.reply = reply
        self.requests = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(4)
        self.held = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            data = b""
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
                try:
                    self.requests.append(json.loads(data))
                    break
                except ValueError:
                    continue
            if self.reply is None:
                self.held.append(conn)
            else:
                conn.sendall(self.reply)
                conn.close()

    def close(self):
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def fake_server(sandbox):
    servers = []

    def make(reply):
        path = sandbox.path("run", "fake%d.ctl" % len(servers))
        servers.append(FakeServer(path, reply))
        return servers[-1]
    yield make
    for s in servers:
        s.close()


def test_request_is_ovs_wire_format(sandbox, fake_server):
    server = fake_server(b'{"id":0,"result":"ok\\n","error":null}')
    assert appctl(sandbox, "turnout", "-t", server.path, "foo/bar", "a",
                  "b c") == ("ok\n", "", 0)
    assert server.requests == [{"id": 0, "method": "foo/bar",
                                "params": ["a", "b c"]}]


@pytest.mark.reference
@pytest.mark.parametrize("reply", [
    b'{"id":0,"result":"x","error":null}',
    b'{"id":0,"result":"x"}',
    b'{"id":0,"error":"bad"}',
    b'{"id":0,"result":5,"error":null}',
    b'{"id":0,"error":{"a":1}}',
    b'{"id":1,"result":"x","error":null}',
    b'',
], ids=lambda r: r.decode() or "close")
def test_replies_handled_like_reference(sandbox, fake_server, reply):
    server = fake_server(reply)
    mine = appctl(sandbox, "turnout", "-t", server.path, "foo")
    ref = appctl(sandbox, "reference", "-t", server.path, "foo")
    assert mine == ref


@pytest.mark.reference
def test_timeout_kills_with_sigalrm_like_reference(sandbox, fake_server):
    server = fake_server(None)
    for which in ("turnout", "reference"):
        out, err, status = appctl(sandbox, which, "-T", "1", "-t",
                                  server.path, "foo")
        assert status == -signal.SIGALRM, which
        assert err == ("fatal_signal|WARN|terminating with signal 14 "
                       "(Alarm clock)\n"), which


# The raw protocol, as other clients (scripts, OVS's Python library) use
# it.

def raw_exchange(path, *messages):
    """Sends each message (a dict or raw bytes) on one connection and
    returns the parsed replies, with None for a closed connection."""
    replies = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(path)
        for m in messages:
            s.sendall(m if isinstance(m, bytes) else json.dumps(m).encode())
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    replies.append(None)
                    return replies
                data += chunk
                try:
                    replies.append(json.loads(data))
                    break
                except ValueError:
                    continue
    return replies


def test_raw_requests_get_ovs_replies(sandbox):
    d = start_test_daemon(sandbox)
    path = sandbox.ctl_socket(d)
    replies = raw_exchange(
        path,
        {"id": "x", "method": "test/echo", "params": ["a"]},
        {"id": [1], "method": "vlog/set", "params": [1]},
        {"id": 3, "method": "test/echo", "params": []})
    assert replies[0]["id"] == "x" and replies[0]["result"] == "a\n"
    assert replies[0]["error"] is None
    assert replies[1]["id"] == [1]
    assert replies[1]["error"] == \
        "\"vlog/set\" command has non-string argument\n"
    assert replies[2] == {"id": 3, "result": "", "error": None}


@pytest.mark.parametrize("message", [
    {"id": None, "method": "test/echo", "params": []},
    {"id": 6, "result": "x", "error": None},
    {"id": 7, "method": "test/echo", "params": {}},
    b"]]]",
], ids=["notification", "reply", "object-params", "garbage"])
def test_bad_messages_close_only_their_connection(sandbox, message):
    d = start_test_daemon(sandbox)
    path = sandbox.ctl_socket(d)
    assert raw_exchange(path, message) == [None]
    assert appctl(sandbox, "turnout", "-t", "test-daemon", "test/echo",
                  "still", "here") == ("still here\n", "", 0)


def test_rundir_defaults_to_build_configuration(sandbox):
    env = dict(sandbox.env)
    env.pop("OVS_RUNDIR")
    r = subprocess.run([paths.program("ovs-appctl"), "-t", "nothere",
                        "version"], env=env, cwd=sandbox.root,
                       capture_output=True, text=True)
    assert r.returncode == 1
    pidfile = re.search(r'cannot read pidfile "(.*)"', r.stderr).group(1)
    assert pidfile.endswith("/run/openvswitch/nothere.pid")
    assert not pidfile.startswith(sandbox.root)

    # An empty variable counts as unset, as in OVS.
    env["OVS_RUNDIR"] = ""
    r2 = subprocess.run([paths.program("ovs-appctl"), "-t", "nothere",
                         "version"], env=env, cwd=sandbox.root,
                        capture_output=True, text=True)
    assert strip_timestamps(r2.stderr) == strip_timestamps(r.stderr)

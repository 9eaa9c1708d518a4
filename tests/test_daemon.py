"""Daemon options (--pidfile, --overwrite-pidfile, --detach, --no-chdir,
--monitor, --user), clean-up on exit and on signals, and logging (log
file, patterns, levels, rotation, rate limiting, syslog), driven through
test-daemon and ovs-appctl, with the reference ovsdb-server as the
yardstick where the text must match."""

import fcntl
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile

import pytest

import paths
from wait import wait_for

SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"

FILE_LINE_RE = (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\|\d{5}\|"
                r"%s\|%s\|%s")


def appctl(sandbox, *args):
    r = sandbox.run(["ovs-appctl", "-t", "test-daemon"] + list(args))
    return r.stdout, r.stderr, r.returncode


def ok(sandbox, *args):
    out, err, status = appctl(sandbox, *args)
    assert (err, status) == ("", 0), (args, err, status)
    return out


def read(path):
    with open(path) as f:
        return f.read()


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


class Adopted:
    """A daemon started outside Sandbox.start_daemon(), known by pid, that
    the sandbox stops at the end of the test like its own."""

    def __init__(self, pid):
        self.name = "test-daemon"
        self.proc = None
        self._pid = pid

    def pid(self):
        return self._pid


def run_daemon(sandbox, *args, timeout=30):
    """Runs test-daemon to completion (a --detach parent or a failing
    start) and returns the CompletedProcess.  A daemon it leaves running
    (--detach with a pidfile) is stopped when the test ends."""
    r = sandbox.run(["test-daemon"] + list(args), timeout=timeout)
    if r.returncode == 0 and "--detach" in args:
        pidfile = None
        for a in args:
            if a == "--pidfile":
                pidfile = "test-daemon.pid"
            elif a.startswith("--pidfile="):
                pidfile = a[len("--pidfile="):]
        if pidfile:
            pid = int(read(os.path.join(sandbox.rundir, pidfile)))
            sandbox.daemons.append(Adopted(pid))
    return r


def log_lines(daemon, pattern):
    try:
        text = read(daemon.log_file)
    except OSError:
        return []
    return re.findall(pattern, text, re.M)


# Pidfiles.

def test_pidfile_holds_pid_and_is_locked(sandbox):
    d = sandbox.start_daemon(["test-daemon"])
    pid = d.pid()
    assert read(d.pidfile) == "%d\n" % pid
    assert alive(pid)
    with open(d.pidfile, "r+") as f:
        with pytest.raises(OSError):
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_default_pidfile_is_in_rundir(sandbox):
    r = run_daemon(sandbox, "--detach", "--pidfile")
    assert r.returncode == 0, r.stderr
    pidfile = sandbox.path("run", "test-daemon.pid")
    pid = int(read(pidfile))
    try:
        assert os.path.exists(sandbox.path("run",
                                           "test-daemon.%d.ctl" % pid))
    finally:
        os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not alive(pid), what="daemon exit")


def test_relative_pidfile_is_relative_to_rundir(sandbox):
    r = run_daemon(sandbox, "--detach", "--pidfile=rel.pid", "--no-chdir")
    assert r.returncode == 0, r.stderr
    pid = int(read(sandbox.path("run", "rel.pid")))
    os.kill(pid, signal.SIGTERM)
    wait_for(lambda: not alive(pid), what="daemon exit")
    assert not os.path.exists(sandbox.path("run", "rel.pid"))


def test_second_instance_is_refused(sandbox):
    d = sandbox.start_daemon(["test-daemon"])
    pid = d.pid()
    for detach in ([], ["--detach"]):
        r = run_daemon(sandbox, "--pidfile=" + d.pidfile,
                       "--unixctl=second.ctl", *detach)
        assert r.returncode == 1
        assert r.stderr == ("test-daemon: %s: already running as pid %d, "
                            "aborting\n" % (d.pidfile, pid))
    assert read(d.pidfile) == "%d\n" % pid
    assert not os.path.exists(sandbox.path("run", "second.ctl"))


@pytest.mark.reference
def test_second_instance_refused_like_reference(sandbox):
    server = paths.reference("ovsdb-server")
    tool = paths.reference("ovsdb-tool")
    if not os.path.exists(SCHEMA):
        pytest.skip("reference vswitch schema is not installed")
    for name in ("a.db", "b.db"):
        sandbox.run([tool, "create", sandbox.path("db", name), SCHEMA],
                    check=True)
    d = sandbox.start_daemon([server, sandbox.path("db", "a.db"),
                              "--remote=punix:" + sandbox.path("run", "a")],
                             name="ovsdb-server")
    ref = sandbox.run([server, sandbox.path("db", "b.db"),
                       "--pidfile=" + d.pidfile, "--unixctl=b.ctl",
                       "--remote=punix:" + sandbox.path("run", "b")])
    mine = run_daemon(sandbox, "--pidfile=" + d.pidfile, "--unixctl=c.ctl")
    assert ref.returncode == mine.returncode == 1
    assert ref.stderr.replace("ovsdb-server:", "PROGRAM:") \
        == mine.stderr.replace("test-daemon:", "PROGRAM:")


def test_stale_pidfile_is_replaced(sandbox):
    pidfile = sandbox.path("run", "test-daemon.pid")
    with open(pidfile, "w") as f:
        f.write("%d\n" % os.getpid())
    d = sandbox.start_daemon(["test-daemon"])
    assert d.pid() != os.getpid()
    assert read(pidfile) == "%d\n" % d.pid()


def test_overwrite_pidfile_starts_second_instance(sandbox):
    d = sandbox.start_daemon(["test-daemon"])
    first = d.pid()
    r = run_daemon(sandbox, "--detach", "--pidfile=" + d.pidfile,
                   "--overwrite-pidfile", "--unixctl=second.ctl")
    assert r.returncode == 0, r.stderr
    second = int(read(d.pidfile))
    assert second != first and alive(first) and alive(second)

    try:
        # The second instance's exit removes the pidfile, which is its own
        # now; the first instance keeps running.
        out = sandbox.run(["ovs-appctl", "-t",
                           sandbox.path("run", "second.ctl"), "exit"])
        assert out.returncode == 0
        wait_for(lambda: not alive(second), what="second instance exit")
        assert not os.path.exists(d.pidfile)
        assert alive(first)
    finally:
        # Without its pidfile, the sandbox cannot find the first instance.
        for pid in (first, second):
            if alive(pid):
                os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not alive(first) and not alive(second),
                 what="both instances to exit")


def test_pidfile_create_failure_is_reported(sandbox):
    r = run_daemon(sandbox, "--pidfile=/nonexistent/dir/x.pid")
    assert r.returncode == 1
    assert r.stderr == ("test-daemon: /nonexistent/dir/x.pid.tmp: create "
                        "failed (No such file or directory)\n")


# Detaching.

def test_detach_returns_once_started(sandbox):
    r = run_daemon(sandbox, "--detach", "--pidfile", "--no-chdir")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    pid = int(read(sandbox.path("run", "test-daemon.pid")))
    try:
        # Ready at once: no waiting for the socket.
        assert os.path.exists(sandbox.path("run",
                                           "test-daemon.%d.ctl" % pid))
        assert ok(sandbox, "test/echo", "ready") == "ready\n"
        # Detached: its own session, console logging off.
        assert os.getsid(pid) == pid
        assert "\ntest_daemon        OFF       INFO       INFO\n" \
            in ok(sandbox, "vlog/list")
    finally:
        os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not alive(pid), what="daemon exit")


def test_detach_reports_startup_failure(sandbox):
    r = run_daemon(sandbox, "--detach", "--pidfile",
                   "--unixctl=/nonexistent/dir/x.ctl")
    assert r.returncode == 1
    assert r.stderr.endswith("test-daemon: /nonexistent/dir/x.ctl: could "
                             "not initialize control socket (No such file "
                             "or directory)\n")
    assert not os.path.exists(sandbox.path("run", "test-daemon.pid"))


def test_detach_changes_to_root(sandbox):
    d = sandbox.start_daemon(["test-daemon"])
    assert os.readlink("/proc/%d/cwd" % d.pid()) == "/"


def test_no_chdir_keeps_directory(sandbox):
    d = sandbox.start_daemon(["test-daemon", "--no-chdir"])
    assert os.readlink("/proc/%d/cwd" % d.pid()) == sandbox.root


def test_foreground_logs_to_console(sandbox):
    proc = subprocess.Popen([paths.program("test-daemon"),
                             "--unixctl=fg.ctl"], cwd=sandbox.root,
                            env=sandbox.env, stderr=subprocess.PIPE,
                            text=True)
    try:
        ctl = sandbox.path("run", "fg.ctl")
        wait_for(lambda: os.path.exists(ctl), what="control socket")
        sandbox.run(["ovs-appctl", "-t", ctl, "test/log", "warn", "hello"],
                    check=True)
        sandbox.run(["ovs-appctl", "-t", ctl, "exit"], check=True)
        assert proc.wait(timeout=10) == 0
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\|\d{5}\|test_daemon"
                     r"\|WARN\|hello$", err, re.M), err
    assert not os.path.exists(sandbox.path("run", "fg.ctl"))


# Clean-up.

def test_exit_removes_pidfile_and_socket(sandbox):
    d = sandbox.start_daemon(["test-daemon"])
    pid, ctl = d.pid(), sandbox.ctl_socket(d)
    assert ok(sandbox, "exit") == ""
    wait_for(lambda: not alive(pid), what="daemon exit")
    assert not os.path.exists(d.pidfile)
    assert not os.path.exists(ctl)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT,
                                 signal.SIGHUP])
def test_fatal_signal_removes_pidfile_and_socket(sandbox, sig):
    d = sandbox.start_daemon(["test-daemon"])
    pid, ctl = d.pid(), sandbox.ctl_socket(d)
    os.kill(pid, sig)
    wait_for(lambda: not alive(pid), what="daemon exit")
    assert not os.path.exists(d.pidfile)
    assert not os.path.exists(ctl)
    assert log_lines(d, r"\|fatal_signal\|WARN\|terminating with signal "
                     r"%d \(%s\)$" % (sig, re.escape(signal.strsignal(sig))))


# --monitor.

def test_monitor_restarts_daemon_after_crash(sandbox):
    d = sandbox.start_daemon(["test-daemon", "--monitor"])
    first = d.pid()
    monitor = int(read("/proc/%d/stat" % first).split(")")[1].split()[1])
    assert monitor != first and alive(monitor)

    out, err, status = appctl(sandbox, "test/crash")
    assert status == 1 and "transaction error" in err
    wait_for(lambda: d.pid() != first and sandbox.ctl_socket(d),
             what="restarted daemon")
    second = d.pid()
    assert not alive(first) and alive(second)
    assert ok(sandbox, "test/echo", "back") == "back\n"
    assert log_lines(d, FILE_LINE_RE % (r"daemon_unix\(monitor\)", "ERR",
                                        "1 crashes: pid %d died, killed "
                                        r"\(Aborted\), restarting$" % first))

    # A clean exit ends the monitor too.
    assert ok(sandbox, "exit") == ""
    wait_for(lambda: not alive(monitor), what="monitor exit")
    assert log_lines(d, FILE_LINE_RE % (r"daemon_unix\(monitor\)", "INFO",
                                        "pid %d died, exit status 0, "
                                        "exiting$" % second))


def test_monitor_does_not_restart_after_sigterm(sandbox):
    d = sandbox.start_daemon(["test-daemon", "--monitor"])
    pid = d.pid()
    monitor = int(read("/proc/%d/stat" % pid).split(")")[1].split()[1])
    os.kill(pid, signal.SIGTERM)
    wait_for(lambda: not alive(monitor), what="monitor exit")
    assert not os.path.exists(d.pidfile)
    assert log_lines(d, r"\|daemon_unix\(monitor\)\|INFO\|pid %d died, "
                     r"killed \(Terminated\), exiting$" % pid)


# --user.

def test_unknown_user_is_refused(sandbox):
    r = run_daemon(sandbox, "--user=no-such-user-here")
    assert (r.returncode, r.stderr) == (
        1, "test-daemon: user no-such-user-here not found, aborting.\n")
    r = run_daemon(sandbox, "--user=root:no-such-group-here")
    assert (r.returncode, r.stderr) == (
        1, "test-daemon: group no-such-group-here not found, aborting.\n")


def test_user_option_drops_privileges(sandbox):
    if os.geteuid() != 0:
        pytest.skip("switching user needs root")
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user 'nobody'")
    # The control socket is created after the switch, in a directory that
    # 'nobody' can reach (pytest's own directories are private).
    ctl_dir = tempfile.mkdtemp(prefix="turnout-user-")
    try:
        os.chmod(ctl_dir, 0o777)
        ctl = os.path.join(ctl_dir, "ctl")
        d = sandbox.start_daemon(["test-daemon", "--user=nobody",
                                  "--unixctl=" + ctl], wait_ctl=False)
        wait_for(lambda: os.path.exists(ctl), what="control socket")
        status = read("/proc/%d/status" % d.pid())
        uid = re.search(r"^Uid:\s+(\d+)\s+(\d+)", status, re.M)
        assert int(uid.group(1)) == int(uid.group(2)) == nobody.pw_uid
        assert os.stat(d.pidfile).st_uid == nobody.pw_uid
        r = sandbox.run(["ovs-appctl", "-t", ctl, "test/echo", "nobody"])
        assert (r.stdout, r.returncode) == ("nobody\n", 0)
        sandbox.stop_daemon(d)
    finally:
        shutil.rmtree(ctl_dir, ignore_errors=True)


# Logging.

def test_log_file_uses_file_pattern(sandbox):
    d = sandbox.start_daemon(["test-daemon"])
    ok(sandbox, "test/log", "warn", "a warning")
    lines = read(d.log_file).splitlines()
    assert re.fullmatch(FILE_LINE_RE % ("vlog", "INFO", "opened log file "
                                        + re.escape(d.log_file)), lines[0])
    assert re.fullmatch(FILE_LINE_RE % ("test_daemon", "INFO",
                                        re.escape("test-daemon (Open "
                                                  "vSwitch) 3.1.0")),
                        lines[1])
    assert re.fullmatch(FILE_LINE_RE % ("test_daemon", "WARN", "a warning"),
                        lines[-1])
    serials = [int(line.split("|")[1]) for line in lines]
    assert serials == list(range(1, len(lines) + 1))


def test_default_log_file_is_in_logdir(sandbox):
    r = run_daemon(sandbox, "--detach", "--pidfile", "--log-file")
    assert r.returncode == 0, r.stderr
    log = sandbox.path("log", "test-daemon.log")
    assert re.search(r"\|vlog\|INFO\|opened log file %s$" % re.escape(log),
                     r.stderr, re.M)
    pid = int(read(sandbox.path("run", "test-daemon.pid")))
    os.kill(pid, signal.SIGTERM)
    wait_for(lambda: not alive(pid), what="daemon exit")
    assert "|vlog|INFO|opened log file %s\n" % log in read(log)


def test_log_file_failure_is_fatal(sandbox):
    r = run_daemon(sandbox, "--log-file=/nonexistent/dir/x.log")
    assert r.returncode == 1
    assert re.fullmatch(r"\S+\|00001\|vlog\|WARN\|failed to open "
                        r"/nonexistent/dir/x\.log for logging: No such file "
                        r"or directory\n", r.stderr)


def test_vlog_set_changes_what_is_logged(sandbox):
    d = sandbox.start_daemon(["test-daemon"])
    ok(sandbox, "test/log", "dbg", "hidden debug")
    ok(sandbox, "vlog/set", "test_daemon:file:dbg")
    ok(sandbox, "test/log", "dbg", "shown debug")
    ok(sandbox, "vlog/set", "file:err")
    ok(sandbox, "test/log", "warn", "hidden warning")
    ok(sandbox, "test/log", "err", "shown error")
    text = read(d.log_file)
    assert "hidden" not in text
    assert re.search(r"\|test_daemon\|DBG\|shown debug$", text, re.M)
    assert re.search(r"\|test_daemon\|ERR\|shown error$", text, re.M)


def test_vlog_set_pattern_changes_file_lines(sandbox):
    d = sandbox.start_daemon(["test-daemon"])
    ok(sandbox, "vlog/set", "PATTERN:file:[%-12c|%5p|%05N] %m")
    ok(sandbox, "test/log", "info", "patterned")
    last = read(d.log_file).splitlines()[-1]
    assert re.fullmatch(r"\[test_daemon \| INFO\|\d{5}\] patterned", last)


def test_verbose_option_sets_levels(sandbox):
    sandbox.start_daemon(["test-daemon", "-vtest_daemon:file:dbg",
                          "--verbose=unixctl:syslog:warn"])
    levels = ok(sandbox, "vlog/list")
    assert "\ntest_daemon        OFF       INFO        DBG\n" in levels
    assert "\nunixctl            OFF       WARN       INFO\n" in levels


@pytest.mark.reference
@pytest.mark.parametrize("spec", ["-vfoo", "-vconsole:foo",
                                  "-vPATTERN:nowhere:%m", "-vFACILITY:x",
                                  "--syslog-method=bogus"])
def test_bad_logging_options_rejected_like_reference(sandbox, spec):
    ref = sandbox.run([paths.reference("ovsdb-server"), spec,
                       "--unixctl=ref.ctl"])
    mine = run_daemon(sandbox, spec, "--unixctl=mine.ctl")
    assert ref.returncode == mine.returncode == 1
    assert ref.stderr.replace("ovsdb-server:", "PROGRAM:") \
        == mine.stderr.replace("test-daemon:", "PROGRAM:")


def test_vlog_reopen_follows_rotation(sandbox):
    d = sandbox.start_daemon(["test-daemon"])
    ok(sandbox, "test/log", "info", "before rotation")
    os.rename(d.log_file, d.log_file + ".1")
    ok(sandbox, "test/log", "info", "into the renamed file")
    ok(sandbox, "vlog/reopen")
    ok(sandbox, "test/log", "info", "after rotation")
    old, new = read(d.log_file + ".1"), read(d.log_file)
    assert "before rotation" in old and "into the renamed file" in old
    assert re.search(r"\|vlog\|INFO\|closing log file$", old, re.M)
    assert "after rotation" not in old
    assert re.match(FILE_LINE_RE % ("vlog", "INFO", "opened log file "
                                    + re.escape(d.log_file)), new)
    assert "after rotation" in new


def test_vlog_close_stops_file_logging_until_reopen(sandbox):
    d = sandbox.start_daemon(["test-daemon"])
    ok(sandbox, "vlog/close")
    ok(sandbox, "test/log", "warn", "while closed")
    ok(sandbox, "vlog/reopen")
    ok(sandbox, "test/log", "warn", "reopened")
    text = read(d.log_file)
    assert "while closed" not in text and "reopened" in text


@pytest.mark.reference
def test_reopen_without_log_file_errors_like_reference(sandbox):
    r = run_daemon(sandbox, "--detach", "--pidfile")
    assert r.returncode == 0
    out, err, status = appctl(sandbox, "vlog/reopen")
    assert (out, err, status) == (
        "", "Logging to file not configured\n"
        "ovs-appctl: test-daemon: server returned an error\n", 2)
    assert appctl(sandbox, "vlog/close") == ("", "", 0)
    pid = int(read(sandbox.path("run", "test-daemon.pid")))
    os.kill(pid, signal.SIGTERM)
    wait_for(lambda: not alive(pid), what="daemon exit")


def test_rate_limit_drops_and_reports(sandbox):
    d = sandbox.start_daemon(["test-daemon"])
    ok(sandbox, "test/log-rl", "20", "flood")
    logged = len(log_lines(d, r"\|test_daemon\|WARN\|flood$"))
    assert 5 <= logged < 20

    # The bucket refills at 10 messages per second; the next admitted
    # message is preceded by the summary of everything dropped, including
    # the trickle messages that found the bucket still empty.
    n_trickles = [0]

    def summary():
        n_trickles[0] += 1
        ok(sandbox, "test/log-rl", "1", "trickle")
        return log_lines(d, r"\|test_daemon\|WARN\|Dropped (\d+) log "
                         r"messages in last \d+ seconds \(most recently, "
                         r"\d+ seconds ago\) due to excessive rate$")
    dropped = wait_for(summary, what="dropped-messages summary")
    trickled = len(log_lines(d, r"\|test_daemon\|WARN\|trickle$"))
    assert trickled == 1
    assert int(dropped[0]) + logged + trickled == 20 + n_trickles[0]

    ok(sandbox, "vlog/disable-rate-limit", "test_daemon")
    ok(sandbox, "test/log-rl", "20", "unlimited")
    assert len(log_lines(d, r"\|test_daemon\|WARN\|unlimited$")) == 20
    ok(sandbox, "vlog/enable-rate-limit")
    ok(sandbox, "test/log-rl", "20", "limited again")
    assert len(log_lines(d, r"\|WARN\|limited again$")) < 20


def udp_listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(10)
    return s


def test_syslog_method_udp_sends_pri_and_syslog_pattern(sandbox):
    with udp_listener() as s:
        port = s.getsockname()[1]
        sandbox.start_daemon(["test-daemon",
                              "--syslog-method=udp:127.0.0.1:%d" % port])
        ok(sandbox, "test/log", "warn", "to syslog")
        seen = []
        while not any(b"to syslog" in m for m in seen):
            seen.append(s.recv(65536))
    assert re.fullmatch(rb"<29>ovs\|\d{5}\|test_daemon\|INFO\|test-daemon "
                        rb"\(Open vSwitch\) 3\.1\.0",
                        [m for m in seen if b"3.1.0" in m][0])
    assert re.fullmatch(rb"<28>ovs\|\d{5}\|test_daemon\|WARN\|to syslog",
                        seen[-1])


def test_syslog_method_unix_honours_facility(sandbox):
    path = sandbox.path("run", "log.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.bind(path)
        s.settimeout(10)
        sandbox.start_daemon(["test-daemon", "--syslog-method=unix:" + path,
                              "-vFACILITY:local3"])
        ok(sandbox, "test/log", "info", "local message")
        seen = []
        while not any(b"local message" in m for m in seen):
            seen.append(s.recv(65536))
    assert re.fullmatch(rb"<157>ovs\|\d{5}\|test_daemon\|INFO\|local "
                        rb"message", seen[-1])


def test_syslog_target_sends_rfc5424(sandbox):
    with udp_listener() as s:
        port = s.getsockname()[1]
        d = sandbox.start_daemon(["test-daemon",
                                  "--syslog-target=127.0.0.1:%d" % port])
        ok(sandbox, "test/log", "warn", "rfc message")
        seen = []
        while not any(b"rfc message" in m for m in seen):
            seen.append(s.recv(65536))
    host = socket.gethostname().encode()
    assert re.fullmatch(rb"<132>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "
                        + re.escape(host) + rb" test-daemon %d test_daemon "
                        rb"- \xef\xbb\xbfrfc message" % d.pid(), seen[-1])
    assert log_lines(d, r"\|vlog\|WARN\|--syslog-target flag is deprecated, "
                     r"use --syslog-method instead$")


# Coverage and memory.

def test_memory_show_reports_registered_counts(sandbox):
    sandbox.start_daemon(["test-daemon"])
    for i in range(3):
        ok(sandbox, "test/echo")
    assert ok(sandbox, "memory/show") == "echoes:3\n"


def test_coverage_counts_and_rates(sandbox):
    sandbox.start_daemon(["test-daemon"])
    for i in range(10):
        ok(sandbox, "test/echo")
    assert ok(sandbox, "coverage/read-counter", "test_daemon_echo") == "10\n"

    # Rates appear once the 5-second samples that saw the events are
    # taken: 10 events over the last minute and the last hour.
    line = (r"^test_daemon_echo {9}[ \d]{2}\d\.\d/sec {5}0\.167/sec {8}"
            r"0\.0028/sec   total: 10$")
    assert wait_for(lambda: re.search(line, ok(sandbox, "coverage/show"),
                                      re.M), timeout=15, what="a sample")
    show = ok(sandbox, "coverage/show")
    assert re.match(r"Event coverage, avg rate over last: 5 seconds, last "
                    r"minute, last hour,  hash=[0-9a-f]{8}:\n", show)
    assert re.search(r"^\d+ events never hit\n\Z", show, re.M)


def test_relative_names_follow_ovs_rules(sandbox):
    # Pidfile and control socket are relative to the rundir, the log file
    # to the current directory; the log names the file as given.
    r = run_daemon(sandbox, "--detach", "--no-chdir", "--pidfile=rel.pid",
                   "--unixctl=rel.ctl", "--log-file=rel.log")
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(r"\S+\|00001\|vlog\|INFO\|opened log file "
                        r"rel\.log\n", r.stderr)
    ctl = sandbox.path("run", "rel.ctl")
    assert os.path.exists(sandbox.path("run", "rel.pid"))
    assert os.path.exists(ctl)
    assert "opened log file rel.log" in read(sandbox.path("rel.log"))
    assert sandbox.run(["ovs-appctl", "-t", ctl, "exit"]).returncode == 0
    wait_for(lambda: not os.path.exists(ctl), what="socket removal")

"""Runs tests/daemon/test-session (a JSON-RPC session client or server)
in the background, with its stdout and log file in the test's directory,
and reads what it printed and logged."""

import datetime
import os
import re
import signal
import subprocess

import paths
from wait import wait_for

# "2026-01-02T03:04:05.678Z|00012|reconnect|INFO|message"
_LOG_RE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)Z\|"
                     r"\d+\|([^|]+)\|([A-Z]+)\|(.*)$")


class LogLine:
    def __init__(self, when, module, level, message):
        self.when = when            # datetime (UTC, naive)
        self.module = module
        self.level = level
        self.message = message

    def __repr__(self):
        return "%s|%s|%s|%s" % (self.when.isoformat(), self.module,
                                self.level, self.message)


class SessionProc:
    def __init__(self, directory, name, args):
        self.name = name
        self.dir = str(directory)
        self.out_path = os.path.join(self.dir, name + ".out")
        self.err_path = os.path.join(self.dir, name + ".err")
        self.log_path = os.path.join(self.dir, name + ".log")
        argv = [paths.program("test-session"),
                "--log-file=" + self.log_path] + [str(a) for a in args]
        self.argv = argv
        with open(self.out_path, "w") as out, open(self.err_path, "w") as err:
            self.proc = subprocess.Popen(argv, cwd=self.dir, stdout=out,
                                         stderr=err,
                                         stdin=subprocess.DEVNULL)

    def lines(self):
        """What the program printed so far, as a list of lines."""
        with open(self.out_path) as f:
            return f.read().splitlines()

    def log(self):
        """The program's log file, parsed into LogLines."""
        result = []
        try:
            with open(self.log_path, errors="replace") as f:
                for line in f:
                    m = _LOG_RE.match(line.rstrip("\n"))
                    if m:
                        when = datetime.datetime.strptime(
                            m.group(1), "%Y-%m-%dT%H:%M:%S.%f"
                            if "." in m.group(1) else "%Y-%m-%dT%H:%M:%S")
                        result.append(LogLine(when, m.group(2), m.group(3),
                                              m.group(4)))
        except FileNotFoundError:
            pass
        return result

    def log_messages(self, module=None):
        return [l.message for l in self.log()
                if module is None or l.module == module]

    def wait_line(self, pattern, count=1, timeout=10):
        """Waits until 'count' printed lines match regex 'pattern' and
        returns the matching lines."""
        regex = re.compile(pattern)

        def found():
            hits = [l for l in self.lines() if regex.search(l)]
            return hits if len(hits) >= count else None
        return wait_for(found, timeout=timeout,
                        what="%s to print %r (x%d); printed %r"
                        % (self.name, pattern, count, self.lines()))

    def wait_log(self, text, count=1, timeout=10):
        """Waits until 'count' log messages contain 'text'; returns the
        matching LogLines."""
        def found():
            hits = [l for l in self.log() if text in l.message]
            return hits if len(hits) >= count else None
        return wait_for(found, timeout=timeout,
                        what="%s to log %r" % (self.name, text))

    def wait_exit(self, timeout=10):
        return self.proc.wait(timeout=timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def dump(self):
        """Everything the program printed and logged, for failed tests."""
        parts = ["---- %s: %s" % (self.name, " ".join(self.argv))]
        for path in (self.out_path, self.err_path, self.log_path):
            try:
                with open(path, errors="replace") as f:
                    parts.append("-- %s\n%s" % (path, f.read()))
            except FileNotFoundError:
                pass
        return "\n".join(parts)


class SessionFactory:
    """Starts test-session processes and stops all of them at the end."""

    def __init__(self, directory):
        self.dir = directory
        self.procs = []
        self.n = 0

    def start(self, name, *args):
        self.n += 1
        p = SessionProc(self.dir, "%s%d" % (name, self.n), args)
        self.procs.append(p)
        return p

    def server(self, passive, *args, name="server"):
        """Starts a server on 'passive' and returns (proc, port)."""
        port_file = os.path.join(str(self.dir), "%s%d.port"
                                 % (name, self.n + 1))
        p = self.start(name, "--port-file=" + port_file, *args, "server",
                       passive)
        def port():
            try:
                with open(port_file) as f:
                    return int(f.read().strip())
            except (OSError, ValueError):
                if p.proc.poll() is not None:
                    raise AssertionError("server exited:\n" + p.dump())
                return None
        return p, wait_for(port, timeout=10, what="server port file")

    def close(self):
        for p in self.procs:
            p.stop()

    def dump(self):
        return "\n".join(p.dump() for p in self.procs)

"""A private directory tree for one test, with the OVS_* variables that
Turnout's (and OVS's) programs honour pointing into it, and bookkeeping
for the daemons started there."""

import os
import signal
import subprocess
import sys

import paths
from wait import wait_for


class Daemon:
    def __init__(self, name, proc, pidfile, log_file):
        self.name = name
        self.proc = proc            # Popen of the started process.
        self.pidfile = pidfile
        self.log_file = log_file

    def pid(self):
        """The pid in the pidfile (the detached daemon), else the pid of
        the started process."""
        try:
            with open(self.pidfile) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return self.proc.pid if self.proc else None


class Sandbox:
    def __init__(self, root):
        self.root = str(root)
        self.rundir = os.path.join(self.root, "run")
        self.logdir = os.path.join(self.root, "log")
        self.dbdir = os.path.join(self.root, "db")
        self.etcdir = os.path.join(self.root, "etc")
        for d in (self.rundir, self.logdir, self.dbdir, self.etcdir):
            os.makedirs(d, exist_ok=True)
        self.env = dict(os.environ)
        self.env.update({
            "OVS_RUNDIR": self.rundir,
            "OVS_LOGDIR": self.logdir,
            "OVS_DBDIR": self.dbdir,
            "OVS_SYSCONFDIR": self.etcdir,
            "OVS_PKGDATADIR": os.path.join(paths.TOP, "schemas"),
        })
        self.daemons = []

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def run(self, argv, check=False, input=None, timeout=30, env=None):
        """Runs argv (argv[0] a program name: Turnout's build/bin one
        unless it is a path) in the sandbox and returns the
        CompletedProcess with text stdout/stderr."""
        argv = [str(a) for a in argv]
        if "/" not in argv[0]:
            argv[0] = paths.program(argv[0])
        e = dict(self.env)
        if env:
            e.update(env)
        result = subprocess.run(argv, cwd=self.root, env=e, input=input,
                                capture_output=True, text=True,
                                timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError("%s exited %d\nstdout:\n%s\nstderr:\n%s"
                                 % (" ".join(argv), result.returncode,
                                    result.stdout, result.stderr))
        return result

    def start_daemon(self, argv, name=None, detach=True, wait_ctl=True,
                     env=None, daemon_options=True):
        """Starts a daemon in the sandbox with --pidfile and --log-file
        (and --detach unless detach=False; none of them with
        daemon_options=False, for programs that are not ours), and waits until its control
        socket exists.  Returns a Daemon; it is stopped by close()."""
        argv = [str(a) for a in argv]
        if "/" not in argv[0]:
            argv[0] = paths.program(argv[0])
        name = name or os.path.basename(argv[0])
        pidfile = os.path.join(self.rundir, name + ".pid")
        log_file = os.path.join(self.logdir, name + ".log")
        extra = ["--pidfile=" + pidfile, "--log-file=" + log_file]
        if not daemon_options:
            extra = []
            detach = False
        elif detach:
            extra.append("--detach")
        e = dict(self.env)
        if env:
            e.update(env)
        proc = subprocess.Popen(argv[:1] + extra + argv[1:], cwd=self.root,
                                env=e, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        d = Daemon(name, proc, pidfile, log_file)
        self.daemons.append(d)
        if detach:
            out, err = proc.communicate(timeout=30)
            if proc.returncode != 0:
                raise AssertionError("%s failed to start (exit %d): %s%s"
                                     % (name, proc.returncode, out, err))
        if wait_ctl:
            wait_for(lambda: self.ctl_socket(d), timeout=20,
                     what="control socket of " + name)
        return d

    def ctl_socket(self, daemon):
        pid = daemon.pid()
        if pid is None:
            return None
        path = os.path.join(self.rundir, "%s.%d.ctl" % (daemon.name, pid))
        return path if os.path.exists(path) else None

    def stop_daemon(self, daemon, sig=signal.SIGTERM, timeout=10):
        pid = daemon.pid()
        if pid is not None:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
            try:
                wait_for(lambda: not _alive(pid), timeout=timeout,
                         what="pid %d to exit" % pid)
            except AssertionError:
                os.kill(pid, signal.SIGKILL)
        if daemon.proc and daemon.proc.poll() is None:
            try:
                daemon.proc.kill()
            except ProcessLookupError:
                pass
            daemon.proc.wait(timeout=5)
        if daemon in self.daemons:
            self.daemons.remove(daemon)

    def close(self, print_logs=False):
        for d in list(self.daemons):
            self.stop_daemon(d)
        if print_logs:
            for name in sorted(os.listdir(self.logdir)):
                path = os.path.join(self.logdir, name)
                with open(path, errors="replace") as f:
                    sys.stdout.write("---- %s ----\n%s\n" % (path, f.read()))


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie child of ours counts as gone.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False

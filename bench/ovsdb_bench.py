#!/usr/bin/python3
"""Side-by-side benchmark of Turnout's ovsdb-server and the reference one.

    /usr/bin/python3 bench/ovsdb_bench.py [--turnout BUILD/bin/ovsdb-server]
                                          [--quick] [--reps N] [--json FILE]

Runs the same scenarios against both servers, each started fresh in a
private temporary directory for every measurement, and prints a table of
medians with ratios and the targets of issue 3.  See bench/README.md for
what each number means.  This is a benchmark, not a test: it never fails
on a missed target, only when a server or the harness breaks.
"""

import argparse
import ctypes
import json
import mmap
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)

REFERENCE_SERVER = "/usr/sbin/ovsdb-server"
REFERENCE_TOOL = "/usr/bin/ovsdb-tool"
VSCTL = "/usr/bin/ovs-vsctl"
BENCH_SCHEMA = os.path.join(HERE, "bench.ovsschema")
VSWITCH_SCHEMA = os.path.join(TOP, "schemas", "vswitch.ovsschema")


class BenchError(Exception):
    """A server or the load generator failed; the message says how."""


def _die_with_parent():
    # A server must not outlive the harness, even if the harness is
    # killed with SIGKILL and its cleanup never runs.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Cpus:
    """Which CPUs the servers and the clients (the load generator and
    ovs-vsctl) run on: the last one for the clients, the others for the
    servers, as if the clients ran on a machine of their own.  Otherwise
    the kernel tends to put a client that a server's write wakes up on
    the server's CPU, where it waits for the server to yield, while the
    other CPU idles (seen in fan-out: 300 updates sent, then all read).
    With one CPU, or --no-pin, nothing is pinned."""

    def __init__(self, pin):
        cpus = sorted(os.sched_getaffinity(0))
        if pin and len(cpus) >= 2:
            self.server, self.client = set(cpus[:-1]), {cpus[-1]}
        else:
            self.server = self.client = None

    def describe(self):
        if self.server is None:
            return "not pinned"
        return (f"servers on CPU {','.join(map(str, sorted(self.server)))}, "
                f"clients on CPU {','.join(map(str, sorted(self.client)))}")

    def server_preexec(self):
        _die_with_parent()
        if self.server is not None:
            os.sched_setaffinity(0, self.server)

    def client_preexec(self):
        if self.client is not None:
            os.sched_setaffinity(0, self.client)


def _tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


class Server:
    """One ovsdb-server process serving one fresh database file."""

    def __init__(self, label, binary, topdir, schema, cpus=None):
        cpus = cpus or Cpus(pin=False)
        self.label = label
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix=label + "-", dir=topdir)
        self.sock = os.path.join(self.dir, "db.sock")
        self.remote = "unix:" + self.sock
        self.log = os.path.join(self.dir, "ovsdb-server.log")
        self.out = os.path.join(self.dir, "ovsdb-server.out")
        self.proc = None
        db = os.path.join(self.dir, "conf.db")
        # Debian's ovsdb-tool makes the file for both servers: the format
        # is the same, and Turnout's tool is not what is measured here.
        subprocess.run([REFERENCE_TOOL, "create", db, schema], check=True,
                       capture_output=True)
        with open(self.out, "wb") as out:
            self.proc = subprocess.Popen(
                [binary, "--remote=punix:" + self.sock,
                 "--pidfile=" + os.path.join(self.dir, "ovsdb-server.pid"),
                 "--log-file=" + self.log,
                 "--unixctl=" + os.path.join(self.dir, "ovsdb-server.ctl"),
                 db],
                cwd=self.dir, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, preexec_fn=cpus.server_preexec)
        self._wait_ready()

    def _wait_ready(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(self.sock)
                return
            except OSError:
                time.sleep(0.01)
        raise BenchError(f"{self.label}: server did not listen on "
                         f"{self.sock} within 10 s" + self.diagnostics())

    def check_alive(self):
        if self.proc.poll() is not None:
            raise BenchError(f"{self.label}: server exited with status "
                             f"{self.proc.returncode}" + self.diagnostics())

    def diagnostics(self):
        text = _tail(self.out) + _tail(self.log)
        return "\n  " + text.strip().replace("\n", "\n  ") if text else ""

    def rss_kb(self, field="VmRSS"):
        self.check_alive()
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise BenchError(f"{self.label}: no {field} in /proc status")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Bench:
    def __init__(self, args, load, topdir, cpus):
        self.args = args
        self.load = load
        self.topdir = topdir
        self.cpus = cpus
        self.servers = []

    def start(self, label, binary, schema):
        server = Server(label, binary, self.topdir, schema, self.cpus)
        self.servers.append(server)
        return server

    def stop_all(self):
        while self.servers:
            self.servers.pop().stop()
        # The reference leaves its writes to the kernel: tens of MB after
        # a tps run, which the kernel would otherwise write back during
        # the next measurement, behind which every fsync of Turnout's
        # would wait.  Each measurement starts with the disk idle.
        os.sync()

    def run_load(self, server, *argv, timeout):
        cmd = [self.load] + [str(a) for a in argv]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True,
                               timeout=timeout,
                               preexec_fn=self.cpus.client_preexec)
        except subprocess.TimeoutExpired:
            raise BenchError(f"{server.label}: '{' '.join(cmd)}' took more "
                             f"than {timeout} s" + server.diagnostics())
        if p.returncode:
            raise BenchError(f"{server.label}: ovsdb-load failed: "
                             f"{p.stderr.strip()}" + server.diagnostics())
        server.check_alive()
        return json.loads(p.stdout)

    # Each scenario starts its own server, so that the rows one leaves
    # behind do not slow down (or bloat) the next.

    def tps(self, label, binary, n_clients):
        server = self.start(label, binary, BENCH_SCHEMA)
        try:
            return self.run_load(server, "transact", n_clients,
                                 self.args.duration, server.remote, "Bench",
                                 timeout=self.args.duration + 60)
        finally:
            self.stop_all()

    def fanout(self, label, binary, n_monitors):
        server = self.start(label, binary, BENCH_SCHEMA)
        try:
            return self.run_load(server,
                                 f"--rounds={self.args.fanout_rounds}",
                                 "fanout", n_monitors,
                                 self.args.fanout_txns, server.remote,
                                 "Bench", timeout=180)
        finally:
            self.stop_all()

    def vsctl(self, label, binary, n_ports):
        server = self.start(label, binary, VSWITCH_SCHEMA)
        env = dict(os.environ, OVS_RUNDIR=server.dir, OVS_LOGDIR=server.dir,
                   OVS_DBDIR=server.dir)
        base = [VSCTL, "--db=" + server.remote, "--no-wait", "--timeout=30"]

        def vsctl(*argv):
            p = subprocess.run(base + list(argv), env=env,
                               capture_output=True, text=True,
                               preexec_fn=self.cpus.client_preexec)
            if p.returncode:
                raise BenchError(f"{label}: ovs-vsctl {' '.join(argv)} "
                                 f"failed: {p.stderr.strip()}"
                                 + server.diagnostics())

        try:
            vsctl("init", "--", "add-br", "br0")
            start = time.monotonic()
            for i in range(n_ports):
                vsctl("add-port", "br0", f"p{i}")
            elapsed = time.monotonic() - start
            server.check_alive()
            return {"total_s": elapsed,
                    "per_call_ms": elapsed * 1000 / n_ports}
        finally:
            self.stop_all()

    def rss(self, label, binary, n_rows):
        server = self.start(label, binary, BENCH_SCHEMA)
        try:
            empty = server.rss_kb()
            result = self.run_load(server, "rows", n_rows, server.remote,
                                   "Bench", timeout=300)
            result["rss_empty_kb"] = empty
            result["rss_kb"] = server.rss_kb()
            result["hwm_kb"] = server.rss_kb("VmHWM")
            return result
        finally:
            self.stop_all()


# What the table shows: (key, label, unit, how a value is made from the
# median result, and whether higher is better).
def fsync_latency_us(topdir, n=200):
    """Median time of an fdatasync() after a small append in 'topdir': what
    a durable commit would cost by syncing the database file, as Turnout's
    tools do (and its server where the file system cannot do direct
    I/O)."""
    path = os.path.join(topdir, "fsync-probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        times = []
        for _ in range(n):
            os.write(fd, b"x" * 300)
            start = time.perf_counter()
            os.fdatasync(fd)
            times.append(time.perf_counter() - start)
    finally:
        os.close(fd)
        os.unlink(path)
    return statistics.median(times) * 1e6


def journal_write_latency_us(topdir, n=200):
    """Median time of a 4 KiB write with O_DIRECT and O_DSYNC over blocks
    that a file in 'topdir' has already: the cost that Turnout's server
    pays per group of transactions (its commit journal, see
    ovsdb/log-journal.h) and the reference does not.  None if the file
    system cannot do direct I/O."""
    path = os.path.join(topdir, "journal-probe")
    size = 1 << 20
    with open(path, "wb") as f:
        f.write(bytes(size))
        f.flush()
        os.fsync(f.fileno())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_DIRECT | os.O_DSYNC)
    except OSError:
        os.unlink(path)
        return None
    buf = mmap.mmap(-1, 4096)       # Page-aligned, as O_DIRECT needs.
    buf.write(b"x" * 4096)
    try:
        times = []
        for i in range(n):
            start = time.perf_counter()
            os.pwrite(fd, buf, (i * 4096) % size)
            times.append(time.perf_counter() - start)
    finally:
        os.close(fd)
        os.unlink(path)
        buf.close()
    return statistics.median(times) * 1e6


def fmt_us(us):
    return "n/a" if us is None else f"{us:.0f} us"


def scenarios(args):
    if args.only:
        keys = tuple(k.strip() for k in args.only.split(",") if k.strip())
        return [s for s in all_scenarios(args) if s[0].startswith(keys)]
    return all_scenarios(args)


def all_scenarios(args):
    out = []
    for n in (1, 8, 64):
        out.append((f"tps{n}", f"insert txn/s, {n} client{'s' * (n > 1)}",
                    lambda b, l, x, n=n: b.tps(l, x, n), "tps", True))
    for n in (1, 100, 300):
        out.append((f"fanout{n}",
                    f"fan-out {args.fanout_txns} txns to {n} monitor"
                    f"{'s' * (n > 1)} (ms)",
                    lambda b, l, x, n=n: b.fanout(l, x, n), "total_ms",
                    False))
    out.append(("vsctl", f"{args.ports} ovs-vsctl add-port (s)",
                lambda b, l, x: b.vsctl(l, x, args.ports), "total_s", False))
    out.append(("rss", f"RSS after {args.rows:,} rows (MB)",
                lambda b, l, x: b.rss(l, x, args.rows), "rss_kb", False))
    return out


def fmt(value, key):
    if value is None:
        return "-"
    if key == "rss_kb":
        return f"{value / 1024:.1f}"
    if key == "tps":
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.3g}" if value < 10 else f"{value:.1f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turnout",
                        default=os.path.join(TOP, "build", "bin",
                                             "ovsdb-server"),
                        help="Turnout's ovsdb-server (default: %(default)s)")
    parser.add_argument("--reference", default=REFERENCE_SERVER,
                        help="reference ovsdb-server (default: %(default)s)")
    parser.add_argument("--load",
                        help="ovsdb-load (default: bench/ovsdb-load in the "
                        "build directory of --turnout, else build/)")
    parser.add_argument("--quick", action="store_true",
                        help="one repetition, 1 s runs, 100 ovs-vsctl calls")
    parser.add_argument("--reps", type=int,
                        help="repetitions of tps and fan-out (default 5, "
                        "1 with --quick); the table shows medians")
    parser.add_argument("--no-pin", action="store_true",
                        help="let the kernel place servers and clients "
                        "(by default the clients get the last CPU and the "
                        "servers the others)")
    parser.add_argument("--json", metavar="FILE",
                        help="also write every raw result to FILE")
    parser.add_argument("--only", metavar="KEYS",
                        help="run only the scenarios whose key starts with "
                        "one of the comma-separated KEYS (tps1, tps8, tps64, "
                        "fanout1, fanout100, fanout300, vsctl, rss; 'tps' "
                        "means all three tps rows)")
    args = parser.parse_args()
    if args.reps is None:
        args.reps = 1 if args.quick else 5
    args.duration = 1.0 if args.quick else 3.0
    args.ports = 100 if args.quick else 1000
    args.rows = 100000
    args.fanout_txns = 20
    # Each run measures the fan-out this many times with the same
    # monitors and reports the median, so that one stall of a busy machine
    # does not decide a run.
    args.fanout_rounds = 11

    for path in (REFERENCE_TOOL, VSCTL):
        if not os.access(path, os.X_OK):
            sys.exit(f"{path} is missing: install Debian's openvswitch-common"
                     " and openvswitch-switch")
    load = args.load
    if not load:
        candidates = [os.path.join(os.path.dirname(os.path.dirname(
            os.path.abspath(args.turnout))), "bench", "ovsdb-load"),
            os.path.join(TOP, "build", "bench", "ovsdb-load")]
        load = next((c for c in candidates if os.access(c, os.X_OK)),
                    candidates[-1])
    if not os.access(load, os.X_OK):
        sys.exit(f"{load} is missing: build it first (make bench)")

    servers = []
    if os.access(args.reference, os.X_OK):
        servers.append(("reference", args.reference))
    else:
        print(f"reference ovsdb-server {args.reference} is missing: "
              "install Debian's openvswitch-switch", file=sys.stderr)
    turnout_note = None
    if os.access(args.turnout, os.X_OK):
        servers.append(("turnout", os.path.abspath(args.turnout)))
    else:
        turnout_note = (f"Turnout's ovsdb-server is MISSING "
                        f"({args.turnout}): measuring the reference alone")
        print(turnout_note, file=sys.stderr)
    if not servers:
        sys.exit("no server to measure")

    # SIGTERM unwinds like Ctrl-C, so that the servers are stopped; and
    # Ctrl-C works even when started from a shell that ignores SIGINT
    # for background jobs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)

    results = {label: {} for label, _ in servers}
    failures = {label: {} for label, _ in servers}
    topdir = tempfile.mkdtemp(prefix="ovsdb-bench-")
    cpus = Cpus(not args.no_pin)
    bench = Bench(args, load, topdir, cpus)
    fsync_before = fsync_latency_us(topdir)
    journal_before = journal_write_latency_us(topdir)
    started = time.monotonic()
    try:
        for key, title, run, field, _ in scenarios(args):
            reps = args.reps if key.startswith(("tps", "fanout")) else 1
            print(f"{title}:", end="", flush=True, file=sys.stderr)
            for rep in range(reps):
                # Alternate the servers within each repetition, and which
                # goes first, so that noise from the shared machine falls
                # on both alike.
                for label, binary in (servers if rep % 2 == 0
                                      else servers[::-1]):
                    if key in failures[label]:
                        continue
                    try:
                        # The disk right before a tps run: what Turnout's
                        # result depends on (see bench/README.md).
                        commit_us = (journal_write_latency_us(topdir, 100)
                                     if key.startswith("tps") else None)
                        r = run(bench, label, binary)
                        r["commit_before_us"] = commit_us
                        results[label].setdefault(key, []).append(r)
                        print(f" {label}={fmt(r[field], field)}", end="",
                              flush=True, file=sys.stderr)
                    except BenchError as e:
                        failures[label][key] = str(e)
                        print(f" {label}=FAILED", end="", flush=True,
                              file=sys.stderr)
            print(file=sys.stderr)
        fsync_after = fsync_latency_us(topdir)
        journal_after = journal_write_latency_us(topdir)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        bench.stop_all()
        shutil.rmtree(topdir, ignore_errors=True)
    elapsed = time.monotonic() - started

    def median(label, key, field):
        runs = results.get(label, {}).get(key)
        if not runs:
            return None
        return statistics.median(r[field] for r in runs)

    have_turnout = any(label == "turnout" for label, _ in servers)
    rows = []
    for key, title, _, field, higher_better in scenarios(args):
        ref = median("reference", key, field)
        tur = median("turnout", key, field)
        ratio = None
        if ref and tur:
            ratio = tur / ref if higher_better else ref / tur
        if not have_turnout:
            tur_text = "missing"
        elif key in failures["turnout"]:
            tur_text = "FAILED"
        else:
            tur_text = fmt(tur, field)
        ref_text = ("FAILED" if key in failures.get("reference", {})
                    else fmt(ref, field))
        rows.append((title, ref_text, tur_text,
                     f"{ratio:.2f}" if ratio else "-"))

    print()
    print(f"OVSDB benchmark: medians of {args.reps} run(s) for tps and "
          f"fan-out, 1 run for ovs-vsctl and RSS; {os.cpu_count()} CPUs; "
          f"{elapsed:.0f} s; {cpus.describe()}")
    print(f"reference: {args.reference}")
    print(f"Turnout:   {args.turnout}"
          + ("" if have_turnout else "  (MISSING)"))
    print("ratio: > 1 means Turnout is better (Turnout/reference for "
          "rates, reference/Turnout for times and memory)")
    print("Turnout's commit, a 4 KiB O_DIRECT|O_DSYNC write into its "
          f"journal, median: {fmt_us(journal_before)} before, "
          f"{fmt_us(journal_after)} after (one per group of transactions; "
          "a busy disk makes it slow)")
    print(f"fdatasync() after a small append, median: {fsync_before:.0f} us "
          f"before, {fsync_after:.0f} us after (for comparison: what a "
          "commit would cost without the journal)")
    print()
    header = ("metric", "reference", "Turnout", "ratio")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(4)]
    line = "  ".join("{:<%d}" % widths[0] if i == 0 else "{:>%d}" % widths[i]
                     for i in range(4))
    print(line.format(*header))
    print(line.format(*("-" * w for w in widths)))
    for r in rows:
        print(line.format(*r))

    # Details that explain the medians.
    print()
    for label, _ in servers:
        for n in (1, 8, 64):
            runs = results[label].get(f"tps{n}")
            if runs:
                mid = sorted(runs, key=lambda r: r["tps"])[len(runs) // 2]
                print(f"{label:9} tps {n:2} clients: latency p50 "
                      f"{mid['p50_ms']:.3f} ms, p99 {mid['p99_ms']:.3f} ms, "
                      f"max {mid['max_ms']:.1f} ms; longest stall "
                      f"{max(r['max_stall_ms'] for r in runs):.1f} ms")
        runs = results[label].get("tps8")
        if label == "turnout" and runs:
            for n in (1, 8, 64):
                pairs = list(zip(results["turnout"].get(f"tps{n}", []),
                                 results.get("reference", {})
                                 .get(f"tps{n}", [])))
                if len(pairs) > 1:
                    ratios = [t["tps"] / r["tps"] for t, r in pairs]
                    print(f"{label:9} tps {n:2} clients, ratio in each "
                          "repetition (servers back to back): "
                          + ", ".join(f"{x:.2f}" for x in ratios)
                          + f"; median {statistics.median(ratios):.2f}")
            print(f"{label:9} tps  8 clients by run, with the median "
                  "journal write just before: " + ", ".join(
                      f"{r['tps'] / 1000:.0f}k "
                      f"({fmt_us(r['commit_before_us'])})" for r in runs))
        f1 = median(label, "fanout1", "total_ms")
        f300 = median(label, "fanout300", "total_ms")
        if f1 and f300:
            # The difference per transaction is the cost of the 299 extra
            # monitors alone, whatever each commit costs (Turnout's
            # fsyncs make fan-out to 1 slow and so the ratio lenient).
            print(f"{label:9} fan-out: 300 monitors take {f300 / f1:.1f}x "
                  f"the time of 1; {(f300 - f1) / args.fanout_txns:.2f} ms "
                  f"more per transaction")
        runs = results[label].get("rss")
        if runs:
            r = runs[0]
            print(f"{label:9} RSS: empty {r['rss_empty_kb'] / 1024:.1f} MB, "
                  f"peak {r['hwm_kb'] / 1024:.1f} MB; inserting "
                  f"{r['rows']:,} rows took {r['elapsed_s']:.2f} s")

    print()
    print("targets (issue 3):")

    def target(text, ok):
        if not have_turnout:
            verdict = "n/a (Turnout missing)"
        elif ok is None:
            verdict = "n/a (not run, or a run FAILED)"
        else:
            verdict = "PASS" if ok else "FAIL"
        print(f"  {verdict:5}  {text}")

    def cmp(a, b, op):
        return None if a is None or b is None else op(a, b)

    for n in (8, 64):
        target(f"Turnout tps >= reference at {n} clients",
               cmp(median("turnout", f"tps{n}", "tps"),
                   median("reference", f"tps{n}", "tps"),
                   lambda t, r: t >= r))
    target("Turnout fan-out to 300 monitors <= 2x its fan-out to 1",
           cmp(median("turnout", "fanout300", "total_ms"),
               median("turnout", "fanout1", "total_ms"),
               lambda a, b: a <= 2 * b))
    target(f"Turnout RSS after {args.rows:,} rows <= reference",
           cmp(median("turnout", "rss", "rss_kb"),
               median("reference", "rss", "rss_kb"), lambda t, r: t <= r))

    failed = [(label, key, msg) for label in failures
              for key, msg in failures[label].items()]
    if turnout_note:
        print()
        print(turnout_note)
    if failed:
        print()
        for label, key, msg in failed:
            print(f"FAILED {label} {key}: {msg}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results, "failures": failures,
                       "args": vars(args)}, f, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

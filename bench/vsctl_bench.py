#!/usr/bin/python3
"""ovs-vsctl add-port at scale: Turnout's ovs-vsctl against OVS's.

    /usr/bin/python3 bench/vsctl_bench.py [--build BUILD] [--ports N]
                                          [--window N] [--quick]
                                          [--bulk-middle] [--servers WHICH]
                                          [--tools WHICH]
                                          [--json FILE]

For each server (Turnout's ovsdb-server, and the reference one unless
--servers says otherwise) and each tool (Turnout's ovs-vsctl, Debian's),
starts the server on a fresh Open_vSwitch database with bridge br0 and
runs N `ovs-vsctl --no-wait add-port br0 pI` processes one after the
other, timing the first and the last WINDOW calls.  See bench/README.md.
This is a benchmark, not a test: a missed target prints FAIL but does
not change the exit status; a crashed server or a failing call does.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import ovsdb_bench
from ovsdb_bench import BenchError

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)

REFERENCE_SERVER = ovsdb_bench.REFERENCE_SERVER
REFERENCE_TOOL = ovsdb_bench.REFERENCE_TOOL
REFERENCE_VSCTL = ovsdb_bench.VSCTL
VSWITCH_SCHEMA = ovsdb_bench.VSWITCH_SCHEMA


class Server(ovsdb_bench.Server):
    """ovsdb_bench's server on a fresh Open_vSwitch database, which can
    also report its CPU time and run one transaction."""

    def __init__(self, label, binary, topdir):
        super().__init__(label, binary, topdir, VSWITCH_SCHEMA)

    def cpu_s(self):
        """User + system CPU time the server has used so far."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def transact(self, ops):
        """One JSON-RPC transact on a fresh connection; returns the
        result."""
        request = json.dumps({"method": "transact",
                              "params": ["Open_vSwitch"] + ops, "id": 0})
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(self.sock)
            s.sendall(request.encode())
            decoder = json.JSONDecoder()
            buf = ""
            while True:
                chunk = s.recv(1 << 20)
                if not chunk:
                    raise BenchError(f"{self.label}: connection closed"
                                     + self.diagnostics())
                buf += chunk.decode()
                try:
                    reply, _ = decoder.raw_decode(buf)
                    break
                except ValueError:
                    continue
        errors = [r for r in reply.get("result") or [] if r and "error" in r]
        if reply.get("error") or errors:
            raise BenchError(f"{self.label}: bulk insert failed: "
                             f"{reply.get('error') or errors[0]}")
        return reply["result"]


def bulk_add_ports(server, first, last):
    """Adds ports p<first>..p<last - 1> to br0 in one transaction, each
    with its interface, as add-port would."""
    ops = []
    for i in range(first, last):
        ops.append({"op": "insert", "table": "Interface",
                    "row": {"name": f"p{i}"}, "uuid-name": f"i{i}"})
        ops.append({"op": "insert", "table": "Port",
                    "row": {"name": f"p{i}",
                            "interfaces": ["named-uuid", f"i{i}"]},
                    "uuid-name": f"p{i}"})
    ops.append({"op": "mutate", "table": "Bridge",
                "where": [["name", "==", "br0"]],
                "mutations": [["ports", "insert",
                               ["set", [["named-uuid", f"p{i}"]
                                        for i in range(first, last)]]]]})
    server.transact(ops)


def run_one(args, topdir, server_label, server_binary, tool_label, tool):
    """Times N add-port calls of 'tool' against a fresh server."""
    server = Server(f"{server_label}-{tool_label}", server_binary, topdir)
    env = dict(os.environ, OVS_RUNDIR=server.dir, OVS_LOGDIR=server.dir,
               OVS_DBDIR=server.dir)
    base = [tool, "--db=" + server.remote, "--no-wait", "--timeout=60"]

    def vsctl(*argv):
        p = subprocess.run(base + list(argv), env=env, capture_output=True,
                           text=True)
        if p.returncode:
            raise BenchError(f"{tool_label} on {server_label}: ovs-vsctl "
                             f"{' '.join(argv)} failed: {p.stderr.strip()}"
                             + server.diagnostics())

    def window(first, last):
        cpu = server.cpu_s()
        start = time.monotonic()
        for i in range(first, last):
            vsctl("add-port", "br0", f"p{i}")
        elapsed = time.monotonic() - start
        return elapsed, server.cpu_s() - cpu

    try:
        vsctl("init", "--", "add-br", "br0")
        n, w = args.ports, args.window
        first_s, first_cpu = window(0, w)
        if args.bulk_middle:
            bulk_add_ports(server, w, n - w)
        else:
            for i in range(w, n - w):
                vsctl("add-port", "br0", f"p{i}")
        last_s, last_cpu = window(n - w, n)
        server.check_alive()
        return {"first_s": first_s, "last_s": last_s,
                "first_server_cpu_s": first_cpu,
                "last_server_cpu_s": last_cpu}
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(TOP, "build"),
                        help="Turnout's build directory (default: "
                        "%(default)s)")
    parser.add_argument("--ports", type=int,
                        help="add-port calls per run (default 10000, "
                        "2000 with --quick)")
    parser.add_argument("--window", type=int, default=1000,
                        help="calls timed at the start and at the end "
                        "(default %(default)s)")
    parser.add_argument("--quick", action="store_true",
                        help="2,000 ports, Turnout's server only")
    parser.add_argument("--bulk-middle", action="store_true",
                        help="add the untimed middle ports in one "
                        "transaction instead of one process each")
    parser.add_argument("--servers", choices=("turnout", "reference", "both"),
                        help="servers to run against (default both, "
                        "turnout with --quick)")
    parser.add_argument("--tools", choices=("turnout", "reference", "both"),
                        default="both",
                        help="ovs-vsctl programs to run (default "
                        "%(default)s)")
    parser.add_argument("--json", metavar="FILE",
                        help="also write the raw results to FILE")
    args = parser.parse_args()
    if args.ports is None:
        args.ports = 2000 if args.quick else 10000
    if args.servers is None:
        args.servers = "turnout" if args.quick else "both"
    if args.ports < 2 * args.window:
        sys.exit("--ports must be at least twice --window")

    build = os.path.abspath(args.build)  # Servers run in their own dirs.
    turnout_server = os.path.join(build, "bin", "ovsdb-server")
    turnout_vsctl = os.path.join(build, "bin", "ovs-vsctl")
    for path in (REFERENCE_TOOL, REFERENCE_VSCTL, turnout_vsctl):
        if not os.access(path, os.X_OK):
            sys.exit(f"{path} is missing (Turnout: make; reference: "
                     "Debian's openvswitch-common and openvswitch-switch)")
    servers = []
    if args.servers in ("turnout", "both"):
        if not os.access(turnout_server, os.X_OK):
            sys.exit(f"{turnout_server} is missing: make")
        servers.append(("turnout-server", turnout_server))
    if args.servers in ("reference", "both"):
        if not os.access(REFERENCE_SERVER, os.X_OK):
            sys.exit(f"{REFERENCE_SERVER} is missing: install Debian's "
                     "openvswitch-switch")
        servers.append(("reference-server", REFERENCE_SERVER))
    tools = [("turnout", turnout_vsctl), ("reference", REFERENCE_VSCTL)]
    tools = [t for t in tools if args.tools in (t[0], "both")]

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)

    results = {}
    failures = {}
    topdir = tempfile.mkdtemp(prefix="vsctl-bench-")
    started = time.monotonic()
    try:
        for server_label, server_binary in servers:
            for tool_label, tool in tools:
                key = f"{tool_label} ovs-vsctl, {server_label}"
                print(f"{key}: ", end="", flush=True, file=sys.stderr)
                try:
                    r = run_one(args, topdir, server_label, server_binary,
                                tool_label, tool)
                    results[key] = r
                    print(f"first {r['first_s']:.2f} s, last "
                          f"{r['last_s']:.2f} s", file=sys.stderr)
                except BenchError as e:
                    failures[key] = str(e)
                    print("FAILED", file=sys.stderr)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(topdir, ignore_errors=True)
    elapsed = time.monotonic() - started

    w, n = args.window, args.ports
    print()
    print(f"ovs-vsctl add-port benchmark: {n:,} `ovs-vsctl --no-wait "
          f"add-port br0 pN` calls, one process each"
          + (" (the untimed middle added in one transaction)"
             if args.bulk_middle else "")
          + f"; times of the first and the last {w:,}; "
          f"{os.cpu_count()} CPUs; {elapsed:.0f} s")
    print("ratio: > 1 means Turnout is better")
    print()
    header = ("server", "tool", f"first {w:,} (s)", f"last {w:,} (s)",
              "last/first", "server CPU last (s)")
    rows = []
    for server_label, _ in servers:
        for tool_label, _ in tools:
            r = results.get(f"{tool_label} ovs-vsctl, {server_label}")
            if r:
                rows.append((server_label, tool_label, f"{r['first_s']:.2f}",
                             f"{r['last_s']:.2f}",
                             f"{r['last_s'] / r['first_s']:.2f}",
                             f"{r['last_server_cpu_s']:.2f}"))
            else:
                rows.append((server_label, tool_label, "FAILED", "FAILED",
                             "-", "-"))
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(6)]
    line = "  ".join("{:<%d}" % widths[i] if i < 2 else "{:>%d}" % widths[i]
                     for i in range(6))
    print(line.format(*header))
    print(line.format(*("-" * x for x in widths)))
    for r in rows:
        print(line.format(*r))

    print()
    print("targets (issue 4):")
    for server_label, _ in servers:
        tur = results.get(f"turnout ovs-vsctl, {server_label}")
        ref = results.get(f"reference ovs-vsctl, {server_label}")
        if tur:
            ratio = tur["last_s"] / tur["first_s"]
            print(f"  {'PASS' if ratio <= 1.5 else 'FAIL':5}  "
                  f"{server_label}: Turnout's last {w:,} within 1.5x its "
                  f"first {w:,} ({ratio:.2f}x)")
        else:
            print(f"  n/a    {server_label}: Turnout's run FAILED")
        if tur and ref:
            speedup = ref["last_s"] / tur["last_s"]
            print(f"  {'PASS' if speedup >= 3 else 'FAIL':5}  "
                  f"{server_label}: Turnout's last {w:,} >= 3x faster than "
                  f"OVS's ({speedup:.2f}x)")
        elif args.tools == "both":
            print(f"  n/a    {server_label}: a run FAILED")

    if failures:
        print()
        for key, msg in failures.items():
            print(f"FAILED {key}: {msg}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results, "failures": failures,
                       "args": vars(args)}, f, indent=2)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""How long ovsdb-server stops serving clients while it compacts.

For each database size, starts a server on a fresh Open_vSwitch database
of small QoS rows, then asks for "ovsdb-server/compact" three
times while one client sends echo requests back to back and another
commits single-row inserts back to back.  Prints the compaction time and
the longest gap between two echo replies and between two transaction
replies that overlaps a compaction (the worst of the three), next to the
longest gaps in the second before any compaction (the machine's noise).
Echo replies depend only on the main loop; transaction replies also wait
for fsync, so they share the disk with the compaction's writing.

    /usr/bin/python3 bench/compaction_stall.py \\
        [--server build/bin/ovsdb-server] [--rows 10000,40000,100000]

Works with the reference server too (--server /usr/sbin/ovsdb-server).
Not a test: nothing fails because a number is high."""

import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(TOP, "schemas", "vswitch.ovsschema")


class Client:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.buf = b""
        self.decoder = json.JSONDecoder()
        self.next_id = 0

    def request(self, method, params):
        self.next_id += 1
        self.sock.sendall(json.dumps({"method": method, "params": params,
                                      "id": self.next_id}).encode())
        while True:
            text = self.buf.decode().lstrip()
            if text:
                try:
                    obj, end = self.decoder.raw_decode(text)
                    self.buf = text[end:].encode()
                    if obj.get("id") == self.next_id:
                        return obj
                    continue
                except ValueError:
                    pass
            data = self.sock.recv(1 << 20)
            if not data:
                raise EOFError("server closed the connection")
            self.buf += data


def write_db(path, n_rows):
    """Writes the standalone database file 'path' of the Open_vSwitch
    schema with 'n_rows' small QoS rows, all in one record: much faster
    than committing them through a server."""
    with open(SCHEMA) as f:
        schema = json.load(f)
    blob = "x" * 50
    rows = {str(uuid.UUID(int=i + 1)): {
        "type": "bulk",
        "other_config": ["map", [["k%d" % j, blob] for j in range(3)]],
        "external_ids": ["map", [["n", str(i)]]]} for i in range(n_rows)}
    with open(path, "wb") as f:
        for record in (schema, {"_date": 0, "QoS": rows}):
            body = (json.dumps(record, separators=(",", ":")) + "\n").encode()
            f.write(b"OVSDB JSON %d %s\n"
                    % (len(body), hashlib.sha1(body).hexdigest().encode()))
            f.write(body)


def max_gap(stamps, begin, end):
    gaps = [b - a for a, b in zip(stamps, stamps[1:])
            if b >= begin and a <= end]
    return max(gaps) if gaps else float("nan")


def measure(server, n_rows):
    tmp = tempfile.mkdtemp(prefix="compaction-stall-")
    proc = None
    try:
        db = os.path.join(tmp, "conf.db")
        sock = os.path.join(tmp, "db.sock")
        ctl = os.path.join(tmp, "ctl")
        write_db(db, n_rows)
        proc = subprocess.Popen([server, "--remote=punix:" + sock,
                                 "--unixctl=" + ctl, "--no-chdir",
                                 "-vconsole:off", db])
        deadline = time.monotonic() + 10
        while not (os.path.exists(sock) and os.path.exists(ctl)):
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.02)

        echoes, txns = [], []
        stop = threading.Event()

        def echo():
            c = Client(sock)
            while not stop.is_set():
                c.request("echo", [])
                echoes.append(time.monotonic())

        def transact():
            c = Client(sock)
            while not stop.is_set():
                c.request("transact", ["Open_vSwitch", {
                    "op": "insert", "table": "QoS",
                    "row": {"type": "live"}}])
                txns.append(time.monotonic())

        threads = [threading.Thread(target=f) for f in (echo, transact)]
        for t in threads:
            t.start()
        results = []
        try:
            time.sleep(1.0)
            now = time.monotonic()
            noise = (max_gap(echoes, 0, now), max_gap(txns, 0, now))
            for _ in range(3):
                begin = time.monotonic()
                subprocess.run(["/usr/bin/ovs-appctl", "-t", ctl,
                                "ovsdb-server/compact"], check=True)
                end = time.monotonic()
                time.sleep(0.3)
                results.append((end - begin, max_gap(echoes, begin, end),
                                max_gap(txns, begin, end)))
        finally:
            stop.set()
            for t in threads:
                t.join()
        return noise, results
    finally:
        if proc:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--server",
                   default=os.path.join(TOP, "build", "bin", "ovsdb-server"))
    p.add_argument("--rows", default="10000,40000,100000")
    args = p.parse_args()
    print("%-8s %14s %14s %14s %20s" % ("rows", "compaction ms",
                                         "max echo gap", "max txn gap",
                                         "noise (echo, txn)"))
    for n in [int(x) for x in args.rows.split(",")]:
        noise, results = measure(args.server, n)
        print("%-8d %14.0f %14.1f %14.1f %9.1f %10.1f"
              % (n, max(r[0] for r in results) * 1000,
                 max(r[1] for r in results) * 1000,
                 max(r[2] for r in results) * 1000, noise[0] * 1000,
                 noise[1] * 1000))
        sys.stdout.flush()


if __name__ == "__main__":
    main()

"""ovs-vsctl against a concurrent writer: another client changes what a
command read between the moment ovs-vsctl read it and its commit.  The
bridge commands verify what they read, so the transaction fails with "try
again" on the server, ovs-vsctl runs the commands again on the new
contents, and the result is what running them after the other change
gives.  Debian's ovs-vsctl, through the same proxy, shows the same.

A proxy between ovs-vsctl and ovsdb-server runs the other client's
change when ovs-vsctl's first "transact" comes by, then passes it on."""

import json
import socket
import subprocess
import threading

import pytest

import paths
from test_ovs_vsctl import Server

pytestmark = pytest.mark.reference


class InterposingProxy:
    """Relays a unix socket to ovsdb-server; runs 'hook' once, before
    forwarding the first transact that changes something."""

    def __init__(self, path, server_sock, hook):
        self.path = path
        self.server_sock = server_sock
        self.hook = hook
        self.hooked = False
        self.transacts = 0
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(4)
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.connect(self.server_sock)
            threading.Thread(target=self._pipe, args=(server, client),
                             daemon=True).start()
            threading.Thread(target=self._client_to_server,
                             args=(client, server), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _client_to_server(self, client, server):
        decoder = json.JSONDecoder()
        buf = ""
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    break
                buf += data.decode()
                while True:
                    buf = buf.lstrip()
                    try:
                        msg, end = decoder.raw_decode(buf)
                    except ValueError:
                        break
                    buf = buf[end:]
                    self._forward(msg, server)
        except OSError:
            pass
        finally:
            try:
                server.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _forward(self, msg, server):
        if msg.get("method") == "transact":
            ops = msg["params"][1:]
            if any(op.get("op") not in ("select", "comment")
                   for op in ops if isinstance(op, dict)):
                self.transacts += 1
                if not self.hooked:
                    self.hooked = True
                    self.hook()
        server.sendall(json.dumps(msg).encode())

    def close(self):
        self.listener.close()


@pytest.fixture
def server(tmp_path):
    s = Server(str(tmp_path / "db"))
    yield s
    s.stop()


def vsctl(program, sock, args, env):
    return subprocess.run([program, "--db=unix:" + sock, "--no-wait"] + args,
                          capture_output=True, text=True, env=env,
                          timeout=20)


@pytest.mark.parametrize("program", ["turnout", "reference"])
def test_add_port_retries_when_another_client_adds_it_first(server,
                                                            tmp_path,
                                                            program):
    prog = (paths.program("ovs-vsctl") if program == "turnout"
            else paths.reference("ovs-vsctl"))
    direct = lambda args: vsctl(paths.reference("ovs-vsctl"), server.sock,
                                args, server.env)
    assert direct(["add-br", "br0", "--", "add-port", "br0", "p1"]) \
        .returncode == 0

    # Between ovs-vsctl's read (no p2 yet) and its commit, another client
    # adds p2 to br0.
    proxy = InterposingProxy(str(tmp_path / "proxy"), server.sock,
                             lambda: direct(["add-port", "br0", "p2"]))
    try:
        p = vsctl(prog, proxy.path, ["--may-exist", "add-port", "br0", "p2"],
                  server.env)
    finally:
        proxy.close()

    # The commit failed on its verification, and the commands, run again,
    # found the port there (so there was nothing left to commit).
    assert proxy.hooked
    assert (p.returncode, p.stdout, p.stderr) == (0, "", "")
    ports = direct(["list-ports", "br0"]).stdout
    assert ports == "p1\np2\n"
    names = direct(["--bare", "--columns=name", "list", "Interface"]).stdout
    assert sorted(names.split()) == ["br0", "p1", "p2"]


@pytest.mark.parametrize("program", ["turnout", "reference"])
def test_add_port_retries_when_another_client_adds_a_fake_bridge(server,
                                                               tmp_path,
                                                               program):
    """add-port to a bridge that another client turns into the parent of
    a fake bridge on the port's VLAN: after the retry the port is seen
    on the fake bridge."""
    prog = (paths.program("ovs-vsctl") if program == "turnout"
            else paths.reference("ovs-vsctl"))
    direct = lambda args: vsctl(paths.reference("ovs-vsctl"), server.sock,
                                args, server.env)
    assert direct(["add-br", "br0"]).returncode == 0

    proxy = InterposingProxy(str(tmp_path / "proxy"), server.sock,
                             lambda: direct(["add-br", "v7", "br0", "7"]))
    try:
        p = vsctl(prog, proxy.path,
                  ["add-port", "br0", "p1", "tag=7", "--", "port-to-br",
                   "p1"], server.env)
    finally:
        proxy.close()

    # Two commits: the first failed on its verification.
    assert proxy.transacts == 2
    assert (p.returncode, p.stdout, p.stderr) == (0, "v7\n", "")
    assert direct(["list-ports", "v7"]).stdout == "p1\n"

"""Hosts in network namespaces joined by veth pairs.  Names carry a
per-test random prefix, so parallel tests never collide, and close()
removes everything that was created.  Traffic stays inside them."""

import os
import secrets
import subprocess


def _ip(*args, check=True):
    return subprocess.run(["ip"] + list(args), check=check,
                          capture_output=True, text=True)


class NetnsFactory:
    def __init__(self):
        self.tag = "t" + secrets.token_hex(3)
        self.namespaces = []
        self.links = []             # Root-namespace ends of veth pairs.

    def add_host(self, name):
        """Creates namespace '<tag>-<name>' with loopback up; returns its
        full name."""
        ns = "%s-%s" % (self.tag, name)
        _ip("netns", "add", ns)
        self.namespaces.append(ns)
        self.exec(ns, "ip", "link", "set", "lo", "up")
        return ns

    def add_veth(self, ns, ifname, addr=None, peer=None):
        """Creates a veth pair with one end 'ifname' inside 'ns' (with
        optional 'addr', e.g. "10.0.0.1/24") and the other end in the root
        namespace, named 'peer' or '<tag><n>'.  Returns the peer name."""
        peer = peer or "%s%d" % (self.tag, len(self.links))
        tmp = peer + "x"
        _ip("link", "add", peer, "type", "veth", "peer", "name", tmp)
        self.links.append(peer)
        _ip("link", "set", tmp, "netns", ns)
        self.exec(ns, "ip", "link", "set", tmp, "name", ifname)
        if addr:
            self.exec(ns, "ip", "addr", "add", addr, "dev", ifname)
        self.exec(ns, "ip", "link", "set", ifname, "up")
        _ip("link", "set", peer, "up")
        return peer

    def connect(self, ns_a, if_a, ns_b, if_b, addr_a=None, addr_b=None):
        """Joins two hosts directly with a veth pair (no switch between
        them): 'if_a' in 'ns_a', 'if_b' in 'ns_b'."""
        tmp_a = "%s%da" % (self.tag, len(self.links))
        tmp_b = "%s%db" % (self.tag, len(self.links))
        _ip("link", "add", tmp_a, "type", "veth", "peer", "name", tmp_b)
        # Deleting either end removes the pair; remember one in case the
        # namespaces are gone before close() runs.
        self.links.append(tmp_a)
        for tmp, ns, ifname, addr in ((tmp_a, ns_a, if_a, addr_a),
                                      (tmp_b, ns_b, if_b, addr_b)):
            _ip("link", "set", tmp, "netns", ns)
            self.exec(ns, "ip", "link", "set", tmp, "name", ifname)
            if addr:
                self.exec(ns, "ip", "addr", "add", addr, "dev", ifname)
            self.exec(ns, "ip", "link", "set", ifname, "up")

    def exec(self, ns, *argv, check=True, timeout=30):
        return subprocess.run(["ip", "netns", "exec", ns] + list(argv),
                              check=check, capture_output=True, text=True,
                              timeout=timeout)

    def close(self):
        for link in self.links:
            _ip("link", "del", link, check=False)
        for ns in self.namespaces:
            _ip("netns", "del", ns, check=False)
        self.links = []
        self.namespaces = []

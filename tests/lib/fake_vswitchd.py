"""A stand-in for ovs-vswitchd, for testing ovs-vsctl's wait for it:
whenever Open_vSwitch:next_cfg moves, it "applies" the configuration and
reports it in cur_cfg.  Interfaces that have no OpenFlow port yet are set
up then: those named "bad*" fail with an error and OpenFlow port -1,
"noport*" fail without an error, the others get port 1.

In a test: FakeVswitchd(socket_path).start() ... .stop() (a thread).
As a program:

    /usr/bin/python3 fake_vswitchd.py SOCKET [SCHEMA]
"""

import socket
import sys
import threading

from ovsdb_rpc import Rpc


class FakeVswitchd(threading.Thread):
    def __init__(self, sock):
        super().__init__(daemon=True)
        self.rpc = Rpc(sock, timeout=None)
        self.rpc.request("monitor", ["Open_vSwitch", None, {
            "Open_vSwitch": {"columns": ["next_cfg", "cur_cfg"]}}])
        self.failure = None

    def run(self):
        try:
            self.configure()
            while True:
                message = self.rpc.receive()
                if message.get("method") == "update":
                    self.configure()
        except (EOFError, OSError):
            pass
        except Exception as e:      # Raised again by stop().
            self.failure = e

    def configure(self):
        ovs, ifaces = self.rpc.transact([
            {"op": "select", "table": "Open_vSwitch", "where": [],
             "columns": ["_uuid", "next_cfg", "cur_cfg"]},
            {"op": "select", "table": "Interface", "where": [],
             "columns": ["_uuid", "name", "ofport"]}])
        rows = ovs["rows"]
        if not rows or rows[0]["next_cfg"] == rows[0]["cur_cfg"]:
            return
        ops = []
        for iface in ifaces["rows"]:
            if isinstance(iface["ofport"], int):
                continue
            row = {"ofport": 1}
            if iface["name"].startswith("bad"):
                row = {"ofport": -1,
                       "error": "could not open network device %s (No such"
                                " device)" % iface["name"]}
            elif iface["name"].startswith("noport"):
                row = {"ofport": -1}
            ops.append({"op": "update", "table": "Interface",
                        "where": [["_uuid", "==", iface["_uuid"]]],
                        "row": row})
        ops.append({"op": "update", "table": "Open_vSwitch",
                    "where": [["_uuid", "==", rows[0]["_uuid"]]],
                    "row": {"cur_cfg": rows[0]["next_cfg"]}})
        self.rpc.transact(ops)

    def stop(self):
        try:
            self.rpc.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.join(timeout=10)
        self.rpc.sock.close()
        if self.failure is not None:
            raise self.failure


def main():
    fake = FakeVswitchd(sys.argv[1])
    fake.run()
    if fake.failure is not None:
        raise fake.failure


if __name__ == "__main__":
    main()

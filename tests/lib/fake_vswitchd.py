"""A stand-in for ovs-vswitchd, for testing ovs-vsctl's wait for it:
whenever Open_vSwitch:next_cfg moves, it "applies" the configuration and
reports it in cur_cfg.  Interfaces named "bad*" fail with an error and
OpenFlow port -1, "noport*" fail without an error, the others get port 1.

    /usr/bin/python3 fake_vswitchd.py SOCKET SCHEMA
"""

import sys

import ovs.db.idl
import ovs.poller


def main():
    sock, schema = sys.argv[1], sys.argv[2]
    helper = ovs.db.idl.SchemaHelper(location=schema)
    helper.register_all()
    idl = ovs.db.idl.Idl("unix:" + sock, helper)
    while True:
        idl.run()
        rows = list(idl.tables["Open_vSwitch"].rows.values())
        if rows and rows[0].next_cfg != rows[0].cur_cfg:
            txn = ovs.db.idl.Transaction(idl)
            for iface in idl.tables["Interface"].rows.values():
                if iface.ofport:
                    continue
                if iface.name.startswith("bad"):
                    iface.error = ["could not open network device %s "
                                   "(No such device)" % iface.name]
                    iface.ofport = [-1]
                elif iface.name.startswith("noport"):
                    iface.ofport = [-1]
                else:
                    iface.ofport = [1]
            rows[0].cur_cfg = rows[0].next_cfg
            txn.commit_block()
            continue
        poller = ovs.poller.Poller()
        idl.wait(poller)
        poller.block()


if __name__ == "__main__":
    main()

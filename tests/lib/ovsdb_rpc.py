"""A minimal JSON-RPC client of ovsdb-server over its unix socket, for
tests that read or change a database without starting a program."""

import json
import socket


class Rpc:
    """A JSON-RPC connection to an ovsdb-server's unix socket."""

    def __init__(self, path, timeout=20):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buffer = ""
        self.decoder = json.JSONDecoder()
        self.next_id = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()

    def send(self, message):
        self.sock.sendall(json.dumps(message).encode())

    def receive(self):
        """The next message; echo requests are answered on the way."""
        while True:
            text = self.buffer.lstrip()
            if text:
                try:
                    message, end = self.decoder.raw_decode(text)
                except ValueError:
                    message = None
                if message is not None:
                    self.buffer = text[end:]
                    if message.get("method") == "echo":
                        self.send({"result": message["params"],
                                   "id": message["id"], "error": None})
                        continue
                    return message
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise EOFError("server closed the connection")
            self.buffer += chunk.decode()

    def request(self, method, params):
        self.next_id += 1
        self.send({"method": method, "params": params, "id": self.next_id})
        while True:
            message = self.receive()
            if message.get("id") == self.next_id and "method" not in message:
                assert message.get("error") is None, message
                return message["result"]

    def transact(self, ops):
        result = self.request("transact", ["Open_vSwitch"] + ops)
        for r in result:
            assert r is None or "error" not in r, result
        return result

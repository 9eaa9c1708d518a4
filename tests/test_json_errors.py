"""JSON that is not valid, fed to Turnout and to the reference Open vSwitch
3.1 in every place where either reads JSON text: command-line arguments
(ovsdb-client transact, ovsdb-tool query), schema files (ovsdb-tool
create), database records (ovsdb-tool show-log) and JSON-RPC streams
(ovsdb-server).  Both must accept the same texts and word every error
identically, with the same line, column and byte."""

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess

import pytest

import paths
from wait import wait_for

# Texts: each is fed to every reader below.  Valid ones are included where
# OVS and jansson disagree about validity (big integers, lone trailing
# surrogates, bytes that are not UTF-8, tiny reals).
TEXTS = [
    # Empty input and stray tokens at the start.
    b"", b" ", b"\n\t\r ", b"]", b"}", b":", b",", b"1", b"\"s\"", b"x",
    b"true", b"-", b"\x00",
    # Truncated arrays, objects and strings.
    b"[", b"[1", b"[1,", b"[1, ", b"{", b"{\"a\"", b"{\"a\":", b"{\"a\":1",
    b"{\"a\":1,", b"[\"a", b"\"abc", b"[\"\\", b"[true", b"[nul",
    # Grammar.
    b"{1:2}", b"{\"a\" 1}", b"[1 2]", b"[1,]", b"{\"a\":1,}", b"[,]",
    b"{\"a\":}", b"{\"a\":,", b"{\"a\":1 2", b"{\"a\",", b"{,", b"{]",
    b"[1,\"a\":2]", b"{\"a\":1:2}", b"{\"a\":[}]", b"[1\"a\"]", b"[\"a\"1]",
    b"[true1]", b"[1true]",
    # Trailing garbage.
    b"[1]x", b"[1] [2]", b"[1]]", b"{\"a\":1}{", b"[] 1", b"[] \"a\"",
    b"[] \"a", b"[] -", b"[1]  \n\t x", b"[1]\n",
    # Keywords and characters that start no token.
    b"tru", b"[tru]", b"[truex]", b"[TRUE]", b"[tRue]", b"[aB]", b"[a1]",
    b"[a_b]", b"[_a]", b"[NaN]", b"[Infinity]", b"[+1]", b"[.5]",
    b"[1,\x0c2]", b"[1,\x0b2]", b"[\x7f]", b"[ \x1f]", b"[1,\x002]",
    b"\xef\xbb\xbf[1]", b"[\xc3\xa9]",
    # Numbers.
    b"[01]", b"[00]", b"[-01]", b"[1.]", b"[1.x]", b"[1.e5]", b"[1..5]",
    b"[-]", b"[-x]", b"[--1]", b"[-.5]", b"[1e]", b"[1e+]", b"[1ex]",
    b"[0.5e+-1]", b"[1-2]", b"[1+2]", b"[1e5e5]", b"[1.2.3]", b"[1.5.]",
    b"[0x1]", b"[1x]", b"[1.5x]", b"[1e5x]", b"[1e5", b"[-5", b"[1.5e",
    b"[1.5e-3", b"[1e999]", b"[1.5e400]", b"[-1e999]",
    b"[1e2147483639]", b"[1e2147483640]", b"[1e-2147483640]",
    b"[0e2147483647]", b"[1e99999999999999999999]",
    b"[9223372036854775807, -9223372036854775808]",
    b"[9223372036854775808]", b"[-9223372036854775809]",
    b"[123456789012345678901234567890]", b"[1e-999]", b"[-0]", b"[1E+5]",
    b"[0.0]",
    # Strings: escapes, surrogates, control characters, raw bytes.
    b"[\"\\q\"]", b"[\"\\\t\"]", b"[\"\\\x01\"]", b"[\"\\u\"]",
    b"[\"\\u12\"]", b"[\"\\u12", b"[\"\\uzzzz\"]", b"[\"\\u00E9\\u12G4\"]",
    b"[\"\\u0000\"]", b"[\"\\ud800\"]", b"[\"\\ud800 \"]",
    b"[\"\\ud800\\\\\"]", b"[\"\\ud800\\x\"]", b"[\"\\ud800\\u\"]",
    b"[\"\\ud800\\u12\"]", b"[\"\\ud800\\uzzzz\"]", b"[\"\\ud800\\u0041\"]",
    b"[\"\\uD800\\uDBFF\"]", b"[\"\\ud800\\\"]", b"[\"\\ud800\\udc0",
    b"[\"\\udc00\"]", b"[\"\\ud800\\udc00\" x]", b"[\"\\uDBFF\\uDFFF\", x]",
    b"[\"\\/\\b\\f\\n\\r\\t\\\"\\\\\" x]", b"[\"a\tb\"]", b"[\"a\x01b\"]",
    b"[\"\x1f\"]", b"[\"\x00\"]", b"[\"\\q\t\"]", b"[\"\x7f\"]",
    b"[\"\xff\"]", b"[\"\xc3\"]", b"[\"\xed\xa0\x80\"]",
    # Positions: lines, columns and bytes over multi-line, multi-byte text.
    b"[1,\n2,\nx]", b"[1,\n\n  ]", b"[1,\r\n2 x]", b"[1,\r2 x]",
    b"[\"\xc3\xa9\", x]", b"[\"\xc3\xa9\xc3\xa9\",\n \"\xc3\xa9\" x]",
    b"[1]\n\n\nx", b"\n\n[\n1\n,",
    # Nesting depth.
    b"[" * 1000 + b"]" * 1000, b"[" * 1001 + b"]" * 1001,
    b"{\"a\":" * 999 + b"[1]" + b"}" * 999,
    b"{\"a\":" * 1000 + b"[1]" + b"}" * 1000,
    # Duplicate keys (the last one wins in both).
    b"{\"a\":1,\"a\":2}",
]


def _id(text):
    shown = text if len(text) < 40 else text[:20] + b"..." + text[-10:]
    return repr(shown)[2:-1]


def _run(argv):
    result = subprocess.run(argv, capture_output=True, timeout=30)
    return result.returncode, result.stdout, result.stderr


def _same(ours, ref, argv_tail, subst=(), norm=lambda text: text):
    """Runs Turnout's program 'ours' and the reference 'ref' with the same
    arguments (except for the 'subst' pairs of (ours, ref) strings) and
    asserts identical exit codes, output and errors."""
    def argv(prog, side):
        out = [prog]
        for a in argv_tail:
            for pair in subst:
                if isinstance(a, str):
                    a = a.replace(pair[0], pair[side])
            out.append(a)
        return out

    o = _run(argv(ours, 0))
    r = _run(argv(ref, 1))

    def clean(text, prog, side):
        text = text.replace(prog.encode() + b":", b"PROG:")
        for pair in subst:
            text = text.replace(pair[side].encode(), b"PATH")
        return norm(text)

    assert (o[0], clean(o[1], ours, 0), clean(o[2], ours, 0)) == \
        (r[0], clean(r[1], ref, 1), clean(r[2], ref, 1))
    return o


# A database with a table of each scalar type, for transactions that parse.
SCHEMA = {"name": "t", "tables": {"T": {"columns": {
    "s": {"type": "string"}, "r": {"type": "real"},
    "i": {"type": "integer"}}}}}


@pytest.fixture(scope="module")
def dbs(tmp_path_factory):
    """Two copies of one database file, one per tool."""
    d = tmp_path_factory.mktemp("json-errors")
    schema = d / "t.ovsschema"
    schema.write_text(json.dumps(SCHEMA))
    ref = str(d / "ref.db")
    subprocess.run([paths.reference("ovsdb-tool"), "create", ref,
                    str(schema)], check=True)
    ours = str(d / "ours.db")
    shutil.copy(ref, ours)
    return d, ours, ref


def _argv_safe(text):
    return b"\x00" not in text


@pytest.mark.parametrize("text", [t for t in TEXTS if _argv_safe(t)],
                         ids=_id)
def test_ovsdb_client_argument_errors_match_reference(text, tmp_path):
    _same(paths.program("ovsdb-client"), paths.reference("ovsdb-client"),
          ["transact", "unix:%s/none" % tmp_path, text])


@pytest.mark.parametrize("text", [t for t in TEXTS if _argv_safe(t)],
                         ids=_id)
def test_ovsdb_tool_query_argument_errors_match_reference(text, dbs):
    d, ours, ref = dbs
    _same(paths.program("ovsdb-tool"), paths.reference("ovsdb-tool"),
          ["query", ours, text], subst=[(ours, ref)])


# Values that jansson refuses but OVS reads: stored and read back, they
# must come out the same (or be refused by the database the same way).
VALUES = [
    (b"r", b"9223372036854775808"), (b"r", b"-9223372036854775809"),
    (b"r", b"123456789012345678901234567890"), (b"r", b"1e-999"),
    (b"r", b"1E+5"), (b"r", b"-0"), (b"i", b"9223372036854775808"),
    (b"i", b"-9223372036854775808"), (b"s", b'"\\udc00"'),
    (b"s", b'"\xff"'), (b"s", b'"\\ud800\\udc00\\u00e9"'),
]


@pytest.mark.parametrize("column,value", VALUES, ids=_id)
def test_values_read_as_ovs_reads_them(column, value, dbs, tmp_path):
    d, ours, ref = dbs
    ours_copy, ref_copy = str(tmp_path / "ours.db"), str(tmp_path / "ref.db")
    shutil.copy(ours, ours_copy)
    shutil.copy(ref, ref_copy)
    txn = (b'["t",{"op":"insert","table":"T","row":{"%s":%s}},'
           b'{"op":"select","table":"T","where":[],"columns":["%s"]}]'
           % (column, value, column))
    _same(paths.program("ovsdb-tool"), paths.reference("ovsdb-tool"),
          ["transact", ours_copy, txn], subst=[(ours_copy, ref_copy)],
          norm=lambda text: re.sub(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
                                   rb"[0-9a-f]{4}-[0-9a-f]{12}", b"UUID",
                                   text))


@pytest.mark.parametrize("text", TEXTS, ids=_id)
def test_schema_file_errors_match_reference(text, tmp_path):
    schema = tmp_path / "bad.ovsschema"
    schema.write_bytes(text)
    ours, ref = str(tmp_path / "ours.db"), str(tmp_path / "ref.db")
    _same(paths.program("ovsdb-tool"), paths.reference("ovsdb-tool"),
          ["create", ours, str(schema)], subst=[(ours, ref)])


def test_unreadable_schema_file_error_matches_reference(tmp_path):
    ours, ref = str(tmp_path / "ours.db"), str(tmp_path / "ref.db")
    _same(paths.program("ovsdb-tool"), paths.reference("ovsdb-tool"),
          ["create", ours, str(tmp_path)], subst=[(ours, ref)])


def _append_record(path, body):
    with open(path, "ab") as f:
        f.write(b"OVSDB JSON %d %s\n" % (len(body),
                                        hashlib.sha1(body).hexdigest()
                                        .encode()))
        f.write(body + b"\n")


@pytest.mark.parametrize("text", TEXTS, ids=_id)
def test_database_record_errors_match_reference(text, dbs, tmp_path):
    d, ours, ref = dbs
    db = str(tmp_path / "db")
    shutil.copy(ref, db)
    _append_record(db, text)
    _same(paths.program("ovsdb-tool"), paths.reference("ovsdb-tool"),
          ["show-log", db])


# JSON-RPC streams: each payload on its own connection, which the client
# then half-closes.  A stream parser starts afresh after each message, so
# the position of an error counts from the end of the previous message.
ECHO = b'{"method":"echo","params":[1],"id":1}'
STREAM_PAYLOADS = [
    p for p in TEXTS if len(p) < 3000
] + [
    ECHO + b" x ", ECHO + b"\n {\"a\":tru}", ECHO + b"]", ECHO + b" 1 ",
    b"  \n " + ECHO, ECHO + b"{\"a\":1e999}",
    b'{"method":"echo","params":["\\udc00","\xff",1.5e3,'
    b'123456789012345678901234],"id":2}',
    b'{"method":"echo","params":[1,],"id":1}', b"hello\n", b"[1 2 ",
]


class _Server:
    def __init__(self, prog, db, directory):
        self.sock = os.path.join(directory, "db.sock")
        self.log = os.path.join(directory, "log")
        self.proc = subprocess.Popen(
            [prog, db, "--remote=punix:" + self.sock, "--log-file=" + self.log,
             "--no-chdir", "--unixctl=" + os.path.join(directory, "ctl"),
             "-vjsonrpc:file:warn"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: os.path.exists(self.sock), what=self.sock)

    def exchange(self, payload):
        """Sends 'payload' on a new connection, half-closes it, and returns
        the replies, parsed, up to the server's closing the connection."""
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        s.connect(self.sock)
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        replies = []
        decoder = json.JSONDecoder()
        text = data.decode("utf-8", errors="surrogateescape")
        while text:
            value, end = decoder.raw_decode(text)
            replies.append(value)
            text = text[end:]
        return replies

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def warnings(self):
        with open(self.log, "rb") as f:
            lines = f.read().splitlines()
        return [re.sub(rb"unix#\d+", b"unix#N", line.split(b"|", 2)[2])
                for line in lines if b"|WARN|" in line]


def test_jsonrpc_stream_errors_match_reference(dbs, tmp_path):
    d, ours, ref = dbs
    servers = []
    try:
        for name, prog, db in (("ours", paths.program("ovsdb-server"), ours),
                               ("ref", paths.reference("ovsdb-server"),
                                ref)):
            os.mkdir(tmp_path / name)
            servers.append(_Server(prog, db, str(tmp_path / name)))
        for payload in STREAM_PAYLOADS:
            replies = [s.exchange(payload) for s in servers]
            assert replies[0] == replies[1], payload
    finally:
        for s in servers:
            s.stop()
    assert servers[0].warnings() == servers[1].warnings()

"""JSON-RPC over TLS ("ssl:" and "pssl:", lib/stream-ssl): peer
verification against the CA in both directions, CA bootstrap, protocol
selection, certificate reload, configuration errors, and interoperation
with the reference ovsdb-server.  Certificates are made for each test
module with the openssl command."""

import os
import shutil
import socket
import subprocess
import time

import pytest

import paths
from wait import wait_for


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   capture_output=True, timeout=60)


def make_ca(d, name):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", name + "-key.pem", "-out", name + "-cert.pem",
            "-days", "2", "-subj", "/CN=" + name, cwd=d)


def make_cert(d, name, ca):
    openssl("req", "-newkey", "rsa:2048", "-nodes",
            "-keyout", name + "-privkey.pem", "-out", name + "-req.pem",
            "-subj", "/CN=" + name, cwd=d)
    openssl("x509", "-req", "-in", name + "-req.pem",
            "-CA", ca + "-cert.pem", "-CAkey", ca + "-key.pem",
            "-CAcreateserial", "-out", name + "-cert.pem", "-days", "2",
            cwd=d)


class Pki:
    def __init__(self, d):
        self.dir = str(d)
        make_ca(self.dir, "ca")
        make_ca(self.dir, "rogue")
        make_cert(self.dir, "server", "ca")
        make_cert(self.dir, "server2", "ca")
        make_cert(self.dir, "client", "ca")
        make_cert(self.dir, "evil", "rogue")

    def path(self, name):
        return os.path.join(self.dir, name)

    def opts(self, who, ca="ca"):
        """SSL options for an entity 'who' trusting CA 'ca'."""
        return ["--private-key=" + self.path(who + "-privkey.pem"),
                "--certificate=" + self.path(who + "-cert.pem"),
                "--ca-cert=" + self.path(ca + "-cert.pem")]


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("the openssl command is not installed")
    return Pki(tmp_path_factory.mktemp("pki"))


def start_server(sessions, pki, host="127.0.0.1", extra=()):
    passive = "pssl:0:" + ("[%s]" % host if ":" in host else host)
    server, port = sessions.server(passive, *pki.opts("server"), *extra)
    remote = "ssl:%s:%d" % ("[%s]" % host if ":" in host else host, port)
    return server, remote


def run_client(sessions, remote, opts, method="peer-id", params="[]",
               retry=False):
    args = list(opts) + ["--once"] + ([] if retry else ["--no-retry"])
    client = sessions.start("client", *args, "client", remote, method,
                            params)
    status = client.wait_exit(timeout=15)
    return client, status


def ipv6_loopback_works():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_request_reply_over_ssl_with_mutual_verification(sessions, pki,
                                                          host):
    if host == "::1" and not ipv6_loopback_works():
        pytest.skip("no IPv6 loopback")
    server, remote = start_server(sessions, pki, host)
    assert server.lines()[0].startswith("listening on pssl:")

    client, status = run_client(sessions, remote, pki.opts("client"),
                                "ping", '[1,"two",{"three":3}]')
    assert status == 0
    # Each side learned the other's certificate name.
    assert client.lines() == ["connected peer=server",
                              'reply: [1,"two",{"three":3}]']

    client, status = run_client(sessions, remote, pki.opts("client"))
    assert status == 0
    assert client.lines()[-1] == 'reply: ["client"]'
    accepted = [l for l in server.lines() if l.startswith("accepted ")]
    assert accepted and all(l.startswith("accepted ssl:") for l in accepted)


def test_client_certificate_from_rogue_ca_is_refused(sessions, pki):
    server, remote = start_server(sessions, pki)

    evil, status = run_client(sessions, remote,
                              pki.opts("evil", ca="ca"))
    assert status == 1
    assert not [l for l in evil.lines() if l.startswith("reply:")]
    assert evil.lines()[-1].startswith("connection failed (")

    hits = server.wait_log("SSL_accept: ")
    assert "certificate verify failed" in hits[0].message
    rejected = server.wait_log("peer certificate rejected: ")
    assert rejected[0].message.endswith(
        "peer certificate rejected: unable to get local issuer certificate")

    # The server goes on serving well-behaved clients.
    good, status = run_client(sessions, remote, pki.opts("client"))
    assert status == 0
    assert good.lines()[-1] == 'reply: ["client"]'


def test_client_refuses_server_not_signed_by_its_ca(sessions, pki):
    server, remote = start_server(sessions, pki)
    client, status = run_client(sessions, remote,
                                pki.opts("client", ca="rogue"))
    assert status == 1
    assert client.lines() == ["connection failed (Protocol error)"]
    messages = client.log_messages("stream_ssl")
    assert any(m.startswith("SSL_connect: ")
               and m.endswith("certificate verify failed") for m in messages)
    assert any("peer certificate rejected" in m for m in messages)


def test_bootstrap_ca_cert_saves_peer_ca_and_trusts_it(sessions, pki,
                                                       tmp_path):
    server, remote = start_server(sessions, pki)
    ca_file = tmp_path / "bootstrapped-ca.pem"
    opts = ["--private-key=" + pki.path("client-privkey.pem"),
            "--certificate=" + pki.path("client-cert.pem"),
            "--bootstrap-ca-cert=%s" % ca_file]

    # The first connection fetches the CA and is dropped; the session
    # reconnects and is then verified against the saved CA.
    client, status = run_client(sessions, remote, opts, retry=True)
    assert status == 0
    assert client.lines()[-1] == 'reply: ["client"]'

    with open(pki.path("ca-cert.pem")) as f:
        assert ca_file.read_text().split() == f.read().split()
    assert (os.stat(ca_file).st_mode & 0o777) == 0o444
    messages = client.log_messages("stream_ssl")
    assert "successfully bootstrapped CA cert to %s" % ca_file in messages
    assert "killing successful connection to retry using CA cert" \
        in messages
    assert any(m.startswith("Trusting CA cert from %s (/CN=ca) "
                            "(fingerprint " % ca_file) for m in messages)

    # From then on the file is an ordinary CA certificate: a server
    # signed by another CA is refused.
    rogue_server, port = sessions.server(
        "pssl:0:127.0.0.1",
        "--private-key=" + pki.path("evil-privkey.pem"),
        "--certificate=" + pki.path("evil-cert.pem"),
        "--ca-cert=" + pki.path("ca-cert.pem"), name="rogue")
    client, status = run_client(sessions, "ssl:127.0.0.1:%d" % port, opts)
    assert status == 1
    assert client.lines() == ["connection failed (Protocol error)"]


def test_ssl_without_configuration_fails_with_clear_errors(sessions, pki):
    server, remote = start_server(sessions, pki)
    client, status = run_client(sessions, remote, [])
    assert status == 1
    assert client.lines() == ["connection failed (Protocol not available)"]
    errors = [l.message for l in client.log() if l.level == "ERR"]
    assert errors[:3] == ["Private key must be configured to use SSL",
                          "Certificate must be configured to use SSL",
                          "CA certificate must be configured to use SSL"]


def test_mismatched_key_and_certificate_are_reported(sessions, pki):
    server, remote = start_server(sessions, pki)
    opts = ["--private-key=" + pki.path("client-privkey.pem"),
            "--certificate=" + pki.path("server-cert.pem"),
            "--ca-cert=" + pki.path("ca-cert.pem")]
    client, status = run_client(sessions, remote, opts)
    assert status == 1
    assert client.lines() == ["connection failed (Protocol not available)"]
    assert any(m.startswith("Private key does not match certificate public "
                            "key: ") for m in client.log_messages())


def test_missing_key_file_is_reported(sessions, pki, tmp_path):
    opts = ["--private-key=%s" % (tmp_path / "nonexistent.pem"),
            "--certificate=" + pki.path("client-cert.pem"),
            "--ca-cert=" + pki.path("ca-cert.pem")]
    client, status = run_client(sessions, "ssl:127.0.0.1:1", opts)
    assert status == 1
    assert any(m.startswith("SSL_use_PrivateKey_file: ")
               for m in client.log_messages("stream_ssl"))


def test_ssl_protocols_limit_negotiation(sessions, pki):
    server, remote = start_server(sessions, pki,
                                  extra=["--ssl-protocols=TLSv1.2"])
    only13 = pki.opts("client") + ["--ssl-protocols=TLSv1.3"]
    client, status = run_client(sessions, remote, only13)
    assert status == 1

    both = pki.opts("client") + ["--ssl-protocols=TLSv1.2,TLSv1.3"]
    client, status = run_client(sessions, remote, both)
    assert status == 0
    assert client.lines()[-1] == 'reply: ["client"]'


def test_invalid_ssl_protocols_and_ciphers_are_logged_and_ignored(sessions,
                                                                  pki):
    server, remote = start_server(sessions, pki)
    opts = pki.opts("client") + ["--ssl-protocols=TLSv9",
                                 "--ssl-ciphers=NO-SUCH-CIPHER"]
    client, status = run_client(sessions, remote, opts)
    assert status == 0
    errors = [l.message for l in client.log() if l.level == "ERR"]
    assert "TLSv9: SSL protocol not recognized" in errors
    assert any(m.startswith("SSL_CTX_set_cipher_list: ") for m in errors)

    opts = pki.opts("client") + ["--ssl-protocols="]
    client, status = run_client(sessions, remote, opts)
    assert status == 0
    assert "SSL protocol settings invalid" in [
        l.message for l in client.log() if l.level == "ERR"]


def test_server_reloads_certificate_when_files_change(sessions, pki,
                                                      tmp_path):
    key = tmp_path / "key.pem"
    cert = tmp_path / "cert.pem"
    shutil.copy(pki.path("server-privkey.pem"), key)
    shutil.copy(pki.path("server-cert.pem"), cert)
    server, port = sessions.server(
        "pssl:0:127.0.0.1", "--private-key=%s" % key,
        "--certificate=%s" % cert,
        "--ca-cert=" + pki.path("ca-cert.pem"))
    remote = "ssl:127.0.0.1:%d" % port

    client, status = run_client(sessions, remote, pki.opts("client"))
    assert status == 0
    assert client.lines()[0] == "connected peer=server"

    # Renew the server's key and certificate in place; make sure the
    # modification times differ even on coarse-grained file systems.
    shutil.copy(pki.path("server2-privkey.pem"), key)
    shutil.copy(pki.path("server2-cert.pem"), cert)
    future = time.time() + 5
    os.utime(key, (future, future))
    os.utime(cert, (future, future))

    client, status = run_client(sessions, remote, pki.opts("client"))
    assert status == 0
    assert client.lines()[0] == "connected peer=server2"


@pytest.mark.reference
def test_ssl_client_talks_to_reference_ovsdb_server(sessions, pki,
                                                    tmp_path):
    ovsdb_server = paths.reference("ovsdb-server")
    ovsdb_tool = paths.reference("ovsdb-tool")
    schema = "/usr/share/openvswitch/vswitch.ovsschema"
    if not os.path.exists(schema):
        pytest.skip("reference vswitch.ovsschema is not installed")
    db = tmp_path / "conf.db"
    subprocess.run([ovsdb_tool, "create", str(db), schema], check=True,
                   capture_output=True)

    log = tmp_path / "ovsdb-server.log"
    proc = subprocess.Popen(
        [ovsdb_server, str(db), "--remote=pssl:0:127.0.0.1",
         *pki.opts("server"), "--no-chdir",
         "--unixctl=%s" % (tmp_path / "ovsdb-server.ctl"),
         "--log-file=%s" % log],
        cwd=str(tmp_path), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        def bound_port():
            try:
                text = log.read_text()
            except FileNotFoundError:
                return None
            for line in text.splitlines():
                if "listening on port" in line:
                    return int(line.rsplit(" ", 1)[1])
            return None
        port = wait_for(bound_port, timeout=10,
                        what="reference ovsdb-server to listen")

        client, status = run_client(sessions, "ssl:127.0.0.1:%d" % port,
                                    pki.opts("client"), "list_dbs", "[]")
        assert status == 0
        assert client.lines()[0] == "connected peer=server"
        assert client.lines()[1].startswith('reply: ["Open_vSwitch"')

        # And the reference server, too, refuses a rogue certificate.
        client, status = run_client(sessions, "ssl:127.0.0.1:%d" % port,
                                    pki.opts("evil"), "list_dbs", "[]")
        assert status == 1
    finally:
        proc.terminate()
        proc.wait(timeout=10)

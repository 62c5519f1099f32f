"""TLS through a pinned connection: SNI and certificate checks use the URL's host name.

The server is a real TLS server on loopback with a self-signed certificate for
`api.example.test`; the FAKE resolver (no real DNS can be steered) maps names to 127.0.0.1.
"""

from __future__ import annotations

import datetime
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from connector.outbound import (
    OutboundClient,
    OutboundConnectError,
    OutboundPolicy,
    OutboundTimeoutError,
)
from tests.outbound.servers import LoopbackServer, drip, echo

HOST = "api.example.test"


def _certificate(folder):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    cert, key = _certificate(tmp_path_factory.mktemp("tls"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    seen: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: seen.append(name)
    server = LoopbackServer({"/echo": echo, "/drip-body": drip("body")}, tls=context)
    server.sni = seen
    server.cert = cert
    yield server
    server.close()


def fake_resolver(host, port):
    """A FAKE resolver: every name is 127.0.0.1, where the test's TLS server listens."""
    return ["127.0.0.1"]


def test_tls_sends_sni_and_verifies_the_certificate_for_the_host_name(tls_server):
    client = OutboundClient(
        OutboundPolicy(allow_private=True), resolver=fake_resolver, ca_bundle=tls_server.cert
    )
    for _ in range(3):
        answer = client.request("GET", f"https://{HOST}:{tls_server.port}/echo")
        assert answer.status == 200
    assert tls_server.sni == [HOST]  # one handshake, then the connection was kept alive
    assert tls_server.requests[-1][1]["Host"] == f"{HOST}:{tls_server.port}"


def test_a_certificate_for_another_name_fails_before_anything_is_sent(tls_server):
    client = OutboundClient(
        OutboundPolicy(allow_private=True), resolver=fake_resolver, ca_bundle=tls_server.cert
    )
    seen = len(tls_server.requests)
    with pytest.raises(OutboundConnectError) as caught:
        client.request("GET", f"https://wrong.example.test:{tls_server.port}/echo")
    assert caught.value.request_sent is False
    assert "wrong" not in str(caught.value)
    assert len(tls_server.requests) == seen


def test_an_untrusted_certificate_fails(tls_server):
    client = OutboundClient(OutboundPolicy(allow_private=True), resolver=fake_resolver)
    with pytest.raises(OutboundConnectError):
        client.request("GET", f"https://{HOST}:{tls_server.port}/echo")


def test_a_slow_drip_over_tls_ends_at_the_deadline(tls_server):
    client = OutboundClient(
        OutboundPolicy(allow_private=True), resolver=fake_resolver, ca_bundle=tls_server.cert
    )
    with pytest.raises(OutboundTimeoutError):
        client.request("GET", f"https://{HOST}:{tls_server.port}/drip-body", deadline_seconds=0.4)
    assert tls_server.wait_for_note("drip-body") < 200

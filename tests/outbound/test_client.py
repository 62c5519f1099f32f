"""connector/outbound/client.py over real HTTP on loopback: pinning, redirects, deadlines,
size caps and keep-alive.

The policies here set `allow_private` (or name the loopback address exactly), because
loopback is the only place a test may send traffic. Names like `a.example` resolve through a
FAKE resolver, named as such: real DNS cannot be controlled from a test.
"""

from __future__ import annotations

import threading

import pytest

from connector.outbound import (
    AUTOTASK_SENSITIVE_HEADERS,
    OutboundClient,
    OutboundConnectError,
    OutboundPolicy,
    OutboundRefusedError,
    OutboundTimeoutError,
    OutboundTooLargeError,
)
from tests.outbound.servers import LoopbackServer, big, drip, echo, gzip_bomb, redirect

LOCAL = OutboundPolicy.from_settings("http://*", "true")  # any host, http too, loopback open


def fake_resolver(table, calls=None):
    """A FAKE resolver (a name -> list of answers, the last one repeating), counting calls."""

    def resolve(host, port):
        if calls is not None:
            calls.append(host)
        answers = table[host]
        return answers.pop(0) if len(answers) > 1 else answers[0]

    return resolve


@pytest.fixture(scope="module")
def server():
    routes = {
        "/echo": echo,
        "/hop": redirect,
        "/drip-body": drip("body"),
        "/drip-headers": drip("headers"),
        "/big-declared": big(4 << 20, declare=True),
        "/big-streamed": big(4 << 20, declare=False),
        "/bomb": gzip_bomb(8 << 20),
    }
    running = LoopbackServer(routes)
    yield running
    running.close()


@pytest.fixture(scope="module")
def other():
    running = LoopbackServer({"/echo": echo})
    yield running
    running.close()


def test_an_answer_has_status_headers_body_json_and_elapsed(server):
    client = OutboundClient(LOCAL)
    answer = client.request("POST", f"http://127.0.0.1:{server.port}/echo", json={"a": [1, "é"]})
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {"a": [1, "é"]}
    assert answer.elapsed > 0 and answer.url == f"http://127.0.0.1:{server.port}/echo"
    path, headers, _ = server.requests[-1]
    assert headers["Content-Type"] == "application/json"
    assert headers["Host"] == f"127.0.0.1:{server.port}"


def test_keep_alive_reuses_one_connection_per_thread(server):
    client = OutboundClient(LOCAL)
    before = server.connections
    for i in range(20):
        answer = client.request("GET", f"http://127.0.0.1:{server.port}/echo", params={"i": i})
        assert answer.status == 200
    assert server.connections - before == 1

    before = server.connections
    failures: list[BaseException] = []

    def work():
        try:
            for _ in range(10):
                client.request("POST", f"http://127.0.0.1:{server.port}/echo", body=b"{}")
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not failures
    assert server.connections - before <= 4  # 40 calls, at most one new connection a thread


def test_the_connection_goes_to_the_checked_address_never_a_later_answer(server):
    """DNS rebinding: the FAKE resolver answers loopback first and another address after. The
    name exists in no real DNS, so the call reaching the server proves the client connected to
    the address it checked; the "internal" server on 127.0.0.2 must see nothing."""
    internal = LoopbackServer({"/echo": echo}, host="127.0.0.2", port=server.port)
    try:
        calls: list[str] = []
        table = {"rebind.example": [["127.0.0.1"], ["0.0.0.0"]]}  # noqa: S104 - the rebinding answer
        client = OutboundClient(LOCAL, resolver=fake_resolver(table, calls), dns_cache_seconds=0)
        answer = client.request("GET", f"http://rebind.example:{server.port}/echo")
        assert answer.status == 200 and calls == ["rebind.example"]
        assert server.requests[-1][1]["Host"] == f"rebind.example:{server.port}"
        assert internal.requests == [] and internal.connections == 0
        # The next call resolves again, and the new answer is checked like the first.
        with pytest.raises(OutboundRefusedError) as caught:
            client.request("GET", f"http://rebind.example:{server.port}/echo")
        assert caught.value.rule == "address" and len(calls) == 2
        assert internal.requests == []
    finally:
        internal.close()


def test_a_redirect_to_another_port_is_refused_and_never_reached(server, other):
    policy = OutboundPolicy.from_settings(f"http://127.0.0.1:{server.port}")  # no allow_private
    client = OutboundClient(policy)
    hop = f"http://127.0.0.1:{server.port}/hop?to=http://127.0.0.1:{other.port}/echo"
    seen = len(other.requests)
    with pytest.raises(OutboundRefusedError) as caught:
        client.request("GET", hop, follow_redirects=3)
    assert caught.value.rule == "host" and len(other.requests) == seen
    # Not following is the default: the redirect itself is the answer.
    assert client.request("GET", hop).status == 302


def test_a_redirect_to_a_name_resolving_to_loopback_is_refused(server, other):
    policy = OutboundPolicy.from_settings(
        f"http://127.0.0.1:{server.port}, http://inside.example:{other.port}"
    )
    resolver = fake_resolver({"inside.example": [["127.0.0.1"]]})
    client = OutboundClient(policy, resolver=resolver)
    seen = len(other.requests)
    with pytest.raises(OutboundRefusedError) as caught:
        client.request(
            "GET",
            f"http://127.0.0.1:{server.port}/hop?to=http://inside.example:{other.port}/echo",
            follow_redirects=1,
        )
    assert caught.value.rule == "address" and len(other.requests) == seen


def test_sensitive_headers_never_reach_another_host_on_a_redirect(server, other):
    table = {"a.example": [["127.0.0.1"]], "b.example": [["127.0.0.1"]]}
    client = OutboundClient(LOCAL, resolver=fake_resolver(table))
    secret = {"Secret": "s3cr3t", "UserName": "api@x", "ApiIntegrationCode": "CODE"}
    headers = {**secret, "Authorization": "Bearer t", "X-Trace": "trace-1"}
    to = f"http://b.example:{other.port}/echo"
    answer = client.request(
        "POST",
        f"http://a.example:{server.port}/hop?code=307&to={to}",
        headers=headers,
        body=b'{"n":1}',
        follow_redirects=2,
        sensitive_headers=AUTOTASK_SENSITIVE_HEADERS,
    )
    assert answer.status == 200 and answer.redirects == 1 and answer.url == to
    first = server.requests[-1][1]
    assert first["Secret"] == "s3cr3t" and first["Authorization"] == "Bearer t"
    path, landed, body = other.requests[-1]
    assert body == b'{"n":1}' and landed["X-Trace"] == "trace-1"  # 307 keeps method and body
    for name in [*secret, "Authorization"]:
        assert name not in landed
    # A redirect within the same origin keeps them.
    same = f"http://a.example:{server.port}/echo"
    client.request(
        "GET",
        f"http://a.example:{server.port}/hop?to={same}",
        headers=headers,
        follow_redirects=1,
        sensitive_headers=AUTOTASK_SENSITIVE_HEADERS,
    )
    assert server.requests[-1][1]["Secret"] == "s3cr3t"


@pytest.mark.parametrize(
    "what",
    [
        pytest.param("body", id="a body dripped one byte at a time is cut at the deadline"),
        pytest.param("headers", id="headers dripped one byte at a time are cut too"),
    ],
)
def test_a_slow_drip_ends_at_the_total_deadline(server, what):
    client = OutboundClient(LOCAL)
    with pytest.raises(OutboundTimeoutError) as caught:
        client.request("GET", f"http://127.0.0.1:{server.port}/drip-{what}", deadline_seconds=0.5)
    assert caught.value.request_sent is True and caught.value.status == 504
    written = server.wait_for_note(f"drip-{what}")
    assert written < 200  # the client hung up long before the drip was done


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/big-declared", id="a declared length over the cap is refused unread"),
        pytest.param("/big-streamed", id="a close-delimited body is cut at the cap"),
        pytest.param("/bomb", id="a gzip bomb is cut at the cap after decoding"),
    ],
)
def test_the_body_is_capped(server, path):
    client = OutboundClient(LOCAL)
    with pytest.raises(OutboundTooLargeError):
        client.request("GET", f"http://127.0.0.1:{server.port}{path}", max_response_bytes=1 << 20)
    # The pool is still good after the cut.
    assert client.request("GET", f"http://127.0.0.1:{server.port}/echo").status == 200


def test_a_head_answer_declaring_a_large_body_is_not_too_large(server):
    client = OutboundClient(LOCAL)
    url = f"http://127.0.0.1:{server.port}/big-declared"
    answer = client.request("HEAD", url, max_response_bytes=1024)
    assert answer.status == 200 and answer.body == b""
    assert answer.headers["Content-Length"] == str(4 << 20)


def test_a_closed_port_is_a_generic_connect_error_with_nothing_sent():
    holder = LoopbackServer({})
    port = holder.port
    holder.close()
    client = OutboundClient(LOCAL)
    with pytest.raises(OutboundConnectError) as caught:
        client.request("GET", f"http://127.0.0.1:{port}/")
    assert caught.value.request_sent is False
    assert str(port) not in str(caught.value) and "refused" not in str(caught.value).lower()


def test_header_injection_is_refused_before_anything_is_sent(server):
    client = OutboundClient(LOCAL)
    seen = len(server.requests)
    for headers in ({"X-A": "1\r\nInjected: 1"}, {"Host": "evil.example"}, {"Bad Name": "1"}):
        with pytest.raises(OutboundRefusedError) as caught:
            client.request("GET", f"http://127.0.0.1:{server.port}/echo", headers=headers)
        assert caught.value.rule == "header"
    assert len(server.requests) == seen


def test_ipv6_loopback_literal_and_name_both_reach_the_server():
    server6 = LoopbackServer({"/echo": echo}, host="::1")
    try:
        client = OutboundClient(LOCAL, resolver=fake_resolver({"six.example": [["::1"]]}))
        assert client.request("GET", f"http://[::1]:{server6.port}/echo").status == 200
        assert server6.requests[-1][1]["Host"] == f"[::1]:{server6.port}"
        assert client.request("GET", f"http://six.example:{server6.port}/echo").status == 200
        assert server6.requests[-1][1]["Host"] == f"six.example:{server6.port}"
    finally:
        server6.close()


def test_an_address_that_refuses_the_connection_falls_back_to_the_next_checked_one(server):
    table = {"two.example": [["127.0.0.3", "127.0.0.1"]]}  # nothing listens on 127.0.0.3
    client = OutboundClient(LOCAL, resolver=fake_resolver(table))
    answer = client.request("POST", f"http://two.example:{server.port}/echo", body=b"{}")
    assert answer.status == 200 and server.requests[-1][2] == b"{}"


def test_bad_call_arguments_are_programming_errors(server):
    client = OutboundClient(LOCAL)
    url = f"http://127.0.0.1:{server.port}/echo"
    for kwargs in ({"deadline_seconds": 0}, {"follow_redirects": 11}, {"body": b"", "json": {}}):
        with pytest.raises(ValueError):
            client.request("POST", url, **kwargs)

"""What a hostile body cannot do: be read whole when oversize, nest until the parser breaks,
come back as a huge error, or put a number out of its range into an instance."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests
from cryptography.fernet import Fernet

from connector.errors import MAX_MESSAGE_CHARS
from connector.storage.embedded_redis import free_port
from connector.storage.keys import Keys
from connector.storage.redis_conn import connect
from connector.tenancy.accounts import AccountStore
from tests.fixtures.hub import BASE, instance_body

MB = 1024 * 1024


def _nested(levels: int) -> dict:
    body: dict = {"leaf": 1}
    for _ in range(levels - 1):
        body = {"a": body}
    return body


def _deep_text(levels: int) -> str:
    return '{"a":' * (levels - 1) + '{"leaf":1}' + "}" * (levels - 1)


class GunicornWorker:
    """The app under gunicorn, one worker: its memory is what production would spend."""

    def __init__(self, redis_url: str, key_prefix: str) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "CONNECTOR_KEY_PREFIX": key_prefix,
            "CONNECTOR_SECRET_KEY": Fernet.generate_key().decode(),
        }
        env.pop("MAX_CONTENT_LENGTH", None)  # the documented default
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "1", "-k", "gthread", "--threads", "2"]
            + ["-b", f"127.0.0.1:{self.port}", "connector.app:create_app()"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}{BASE}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(self.url + "/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or a first answer still slow
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()  # never left running behind a failed test
                raise AssertionError("gunicorn exited or did not answer within 60 s")
            time.sleep(0.1)
        children = open(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read()
        self.worker_pid = int(children.split()[0])

    def reset_peak(self) -> None:
        with open(f"/proc/{self.worker_pid}/clear_refs", "w") as handle:
            handle.write("5")  # VmHWM := current RSS (Linux)

    def peak_kb(self) -> int:
        with open(f"/proc/{self.worker_pid}/status") as handle:
            return next(int(line.split()[1]) for line in handle if line.startswith("VmHWM"))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def _send_oversize(port: int, path: str, headers: dict[str, str], size: int) -> bytes:
    """Announce `size` bytes and keep sending them while reading the answer, as an attacker
    would; what the server answered, as raw HTTP."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {size}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())

    def pour() -> None:
        chunk = b" " * MB
        try:
            for _ in range(size // MB):
                sock.sendall(chunk)
        except OSError:
            pass  # the server stopped listening: what we want

    sender = threading.Thread(target=pour, daemon=True)
    sender.start()
    answer = b""
    try:
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    finally:
        sock.close()
        sender.join(30)
    return answer


def test_an_85_mb_body_is_a_413_and_the_worker_does_not_read_it(redis_url, key_prefix):
    account = AccountStore(connect(redis_url), Keys(key_prefix)).create()
    headers = {
        "Authorization": f"User {account.user_secret}, Organization {account.organization_secret}",
        "Content-Type": "application/json",
    }
    server = GunicornWorker(redis_url, key_prefix)
    try:
        warm = requests.post(server.url + "/instances", json={}, headers=headers, timeout=30)
        assert warm.status_code == 400  # every module a create needs is loaded
        server.reset_peak()
        before = server.peak_kb()
        answer = _send_oversize(server.port, BASE + "/instances", headers, 85 * MB)
        grew = server.peak_kb() - before
        print(f"worker peak RSS {before / 1024:.1f} MB, +{grew / 1024:.1f} MB for an 85 MB body")
        status_line, _, rest = answer.partition(b"\r\n")
        assert b" 413 " in status_line, answer[:300]
        body = json.loads(rest.partition(b"\r\n\r\n")[2])
        assert body["message"] == "The request body is too large" and body["requestId"]
        assert grew < 16 * 1024, f"the worker grew {grew} KB"  # it read 85 MB before: +175 MB
        listed = requests.get(server.url + "/instances", headers=headers, timeout=30)
        assert listed.json() == []  # nothing stored
    finally:
        server.stop()


def test_an_error_about_many_unknown_keys_stays_small(hub):
    body = {f"colour{i:06d}": "red" for i in range(60_000)}  # about 1.3 MB, under the limit
    body.update(firstName="Ada", lastName="Lovelace")
    refused = hub.call("POST", "contacts", json=body)
    assert refused.status_code == 400, refused.text[:300]
    message = refused.json()["message"]
    assert message.count("field '") == 20  # 20 named of 60,001: 60,000 unknown, accountId
    assert message.endswith("and 59,981 more")
    assert len(refused.content) < MAX_MESSAGE_CHARS + 500


@pytest.mark.parametrize(
    "levels",
    [
        pytest.param(1000, id="1,000 deep, which broke the parser itself (a 500)"),
        pytest.param(65, id="one level past the limit"),
    ],
)
def test_a_body_nested_too_deep_is_a_400_that_says_so(hub, api_base, levels):
    platform = {"Authorization": hub.headers["Authorization"].rsplit(", Element ", 1)[0]}
    for url, headers in (
        (api_base + "/instances", platform),
        (hub.url + "/hubs/crm/contacts", hub.headers),
    ):
        refused = requests.post(
            url,
            data=_deep_text(levels),
            headers={**headers, "Content-Type": "application/json"},
            timeout=30,
        )
        assert refused.status_code == 400, refused.text[:300]
        assert "nest deeper than 64 levels" in refused.json()["message"]


def test_a_body_at_the_depth_limit_is_parsed(hub):
    answer = hub.call("POST", "contacts", json={"firstName": "Ada", "x": _nested(63)})  # 64 deep
    assert answer.status_code == 400
    assert "field 'x': Unknown field." in answer.json()["message"]  # parsed, checked as usual


@pytest.fixture
def api_base(live_server) -> str:
    return live_server.url + BASE


@pytest.mark.parametrize(
    ("key", "value"),
    [
        pytest.param("crm.autotask.cache.ttl", "²", id="a superscript two, which isdigit() takes"),
        pytest.param("crm.autotask.cache.ttl", "٣", id="an Arabic-Indic digit"),
        pytest.param("crm.autotask.cache.ttl", "604801", id="a TTL past cacheTimeToLive's 7 days"),
        pytest.param("crm.autotask.cache.ttl", "9" * 5000, id="5,000 digits (int() refuses them)"),
        pytest.param("crm.autotask.cache.ttl", "-1", id="a negative number"),
        pytest.param("crm.autotask.cache.max.size", "1000001", id="past maxCacheSize's range"),
        pytest.param("crm.autotask.default.owner.id", "2147483648", id="past a 32-bit id"),
    ],
)
def test_a_configuration_number_out_of_its_rules_is_a_400_naming_it(
    live_server, make_tenant, sandbox, key, value
):
    tenant = make_tenant()
    url = live_server.url + BASE + "/instances"
    body = instance_body(sandbox, configuration={key: value})
    refused = requests.post(url, json=body, headers=tenant.headers(), timeout=30)
    assert refused.status_code == 400, refused.text[:300]
    message = refused.json()["message"]
    assert key in message and "whole number from 0 to" in message
    assert requests.get(url, headers=tenant.headers(), timeout=30).json() == []  # none made


def test_configuration_numbers_in_range_are_kept_and_patching_checks_them_too(
    live_server, make_tenant, sandbox
):
    tenant = make_tenant()
    url = live_server.url + BASE + "/instances"
    body = instance_body(sandbox, configuration={"crm.autotask.cache.ttl": "604800"})
    created = requests.post(url, json=body, headers=tenant.headers(), timeout=30)
    assert created.status_code == 200, created.text
    assert created.json()["cacheTimeToLive"] == 604800
    rows = requests.get(
        f"{url}/{created.json()['id']}/configuration", headers=tenant.headers(), timeout=30
    ).json()
    ttl = next(r for r in rows if r["key"] == "crm.autotask.cache.ttl")
    patched = requests.patch(
        f"{url}/{created.json()['id']}/configuration/{ttl['id']}",
        json={"propertyValue": "²"},
        headers=tenant.headers(),
        timeout=30,
    )
    assert patched.status_code == 400 and "crm.autotask.cache.ttl" in patched.json()["message"]
    kept = requests.get(f"{url}/{created.json()['id']}", headers=tenant.headers(), timeout=30)
    assert kept.json()["cacheTimeToLive"] == 604800

from __future__ import annotations

import multiprocessing

import pytest

from connector.autotask import Credentials, guard
from connector.autotask import session as http
from connector.config import Settings
from connector.errors import ProviderNotFoundError


def test_auth_headers():
    headers = http.auth_headers(Credentials("u@example.com", "s", "CODE"))
    assert headers["UserName"] == "u@example.com"
    assert headers["Secret"] == "s"
    assert headers["ApiIntegrationCode"] == "CODE"
    assert headers["Content-Type"] == "application/json"
    assert "ImpersonationResourceId" not in headers
    impersonating = http.auth_headers(Credentials("u", "s", "C", impersonation_resource_id=29))
    assert impersonating["ImpersonationResourceId"] == "29"


def test_one_guarded_client_per_setting():
    settings = Settings()
    assert guard.outbound_for(settings) is guard.outbound_for(Settings())
    assert guard.outbound_for(settings) is not guard.outbound_for(
        Settings(autotask_allowed_hosts="proxy.example.com")
    )
    assert guard.outbound_for(settings).policy.allowed_hosts is not None  # Autotask's hosts


def _child_manager(queue) -> None:
    queue.put(id(guard.outbound_for(Settings())._manager))


def test_a_forked_worker_gets_its_own_connection_pools():
    parent = guard.outbound_for(Settings())._manager
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child_manager, args=(queue,))
    child.start()
    child.join(10)
    assert child.exitcode == 0
    assert queue.get(timeout=5) != id(parent)  # fresh pools, never the parent's sockets
    assert guard.outbound_for(Settings())._manager is parent


def _creds(sandbox) -> Credentials:
    c = sandbox.credentials
    return Credentials(c.username, c.secret, c.integration_code)


def test_send_returns_the_decoded_answer(sandbox):
    answer = http.send(
        guard.outbound_for(Settings()),
        "GET",
        f"{sandbox.rest_url}/Companies/0",
        headers=http.auth_headers(_creds(sandbox)),
        timeout=5,
        operation="get Companies",
    )
    assert answer["item"]["id"] == 0


def test_send_maps_an_unknown_route(sandbox):
    with pytest.raises(ProviderNotFoundError) as caught:
        http.send(
            guard.outbound_for(Settings()),
            "GET",
            f"{sandbox.rest_url}/NoSuchEntity/1",
            headers=http.auth_headers(_creds(sandbox)),
            timeout=5,
            operation="get NoSuchEntity",
        )
    assert "No HTTP resource" in caught.value.provider_message


def test_a_port_outside_the_list_is_refused_before_any_call(sandbox):
    port = sandbox.url.rsplit(":", 1)[1]
    with pytest.raises(guard.AutotaskHostError) as caught:
        http.send(
            guard.outbound_for(Settings()),
            "GET",
            f"{sandbox.rest_url.replace(port, str(int(port) ^ 1))}/Companies/0",
            headers=http.auth_headers(_creds(sandbox)),
            timeout=5,
            operation="get Companies",
        )
    assert caught.value.rule == "host"  # the sandbox's host is allowed at its own port only
    assert str(int(port) ^ 1) not in caught.value.message

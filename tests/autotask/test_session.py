from __future__ import annotations

import multiprocessing

import pytest

from connector.autotask import Credentials
from connector.autotask import session as http
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


def test_one_session_per_process():
    assert http.shared_session() is http.shared_session()
    adapter = http.shared_session().get_adapter("https://webservices2.autotask.net/")
    assert adapter.max_retries.total == 0


def _report_session(queue) -> None:
    inherited = http._session  # the parent's object, copied by fork
    queue.put((inherited is not None, http.shared_session() is not inherited))


def test_a_forked_worker_builds_its_own_session():
    parent = http.shared_session()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_report_session, args=(queue,))
    child.start()
    child.join(10)
    assert child.exitcode == 0
    assert queue.get(timeout=5) == (True, True)  # it had the parent's, and made its own
    assert http.shared_session() is parent


def test_send_returns_the_decoded_answer(sandbox):
    creds = Credentials(
        sandbox.credentials.username,
        sandbox.credentials.secret,
        sandbox.credentials.integration_code,
    )
    answer = http.send(
        http.shared_session(),
        "GET",
        f"{sandbox.rest_url}/Companies/0",
        headers=http.auth_headers(creds),
        timeout=5,
        operation="get Companies",
    )
    assert answer["item"]["id"] == 0


def test_send_maps_an_unknown_route(sandbox):
    creds = Credentials(
        sandbox.credentials.username,
        sandbox.credentials.secret,
        sandbox.credentials.integration_code,
    )
    with pytest.raises(ProviderNotFoundError) as caught:
        http.send(
            http.shared_session(),
            "GET",
            f"{sandbox.rest_url}/NoSuchEntity/1",
            headers=http.auth_headers(creds),
            timeout=5,
            operation="get NoSuchEntity",
        )
    assert "No HTTP resource" in caught.value.provider_message

from __future__ import annotations

import socket
import threading

import pytest

from connector.autotask.errors import (
    ThresholdExceededError,
    UnknownUsernameError,
    UpstreamConnectionError,
    error_for,
    error_for_outbound,
    provider_texts,
    retry_after_seconds,
)
from connector.errors import (
    ProviderAuthError,
    ProviderFatalError,
    ProviderForbiddenError,
    ProviderMethodNotAllowedError,
    ProviderNotFoundError,
    ProviderRateLimitedError,
    ProviderUnavailableError,
    ProviderValidationError,
)
from connector.outbound import OutboundClient, OutboundError, OutboundPolicy

RULE = "When assigning a Resource, you must assign both a assignedResourceID and ..."


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        pytest.param(
            500,
            {"errors": ["Zone information could not be determined"]},
            UnknownUsernameError,
            id="an unknown username",
        ),
        pytest.param(
            500,
            {"errors": ["IntegrationCode is invalid."]},
            ProviderAuthError,
            id="a bad integration code is an auth failure despite the 500",
        ),
        pytest.param(
            401,
            {"Message": "Authorization has been denied for this request."},
            ProviderAuthError,
            id="a wrong secret",
        ),
        pytest.param(401, None, ProviderAuthError, id="a 401 without a body"),
        pytest.param(
            500,
            {
                "errors": [
                    "The logged in Resource does not have the adequate "
                    "permissions to create this entity type."
                ]
            },
            ProviderForbiddenError,
            id="missing permissions sent as a 500",
        ),
        pytest.param(403, None, ProviderForbiddenError, id="missing permissions as a 403"),
        pytest.param(
            404,
            {"Message": "No HTTP resource was found that matches the request URI"},
            ProviderNotFoundError,
            id="an unknown route",
        ),
        pytest.param(
            405,
            {"Message": "The requested resource does not support http method 'PATCH'."},
            ProviderMethodNotAllowedError,
            id="a method the route refuses",
        ),
        pytest.param(
            429,
            {"errors": ["Request threshold exceeded"]},
            ProviderRateLimitedError,
            id="the hourly limit",
        ),
        pytest.param(
            500,
            {"errors": ["The Autotask API thread threshold of 3 threads has been exceeded."]},
            ProviderRateLimitedError,
            id="the thread limit even when it comes as a 500",
        ),
        pytest.param(500, {"errors": [RULE]}, ProviderValidationError, id="a business rule"),
        pytest.param(
            500,
            {
                "errors": [
                    "Reference value on field: contactID of type: Contact "
                    "does not exist or is invalid."
                ]
            },
            ProviderValidationError,
            id="a bad reference",
        ),
        pytest.param(
            500,
            {"errors": ["No matching records found"]},
            ProviderNotFoundError,
            id="a delete of a missing record",
        ),
        pytest.param(500, None, ProviderUnavailableError, id="a 500 with an HTML page"),
        pytest.param(
            500,
            {"Message": "An error has occurred."},
            ProviderUnavailableError,
            id="ASP.NET's bare 500 is a server failure, not a business rule",
        ),
        pytest.param(503, None, ProviderUnavailableError, id="a 503"),
        pytest.param(504, None, ProviderUnavailableError, id="a gateway timeout"),
        pytest.param(400, {"errors": ["bad"]}, ProviderValidationError, id="a 400"),
        pytest.param(418, None, ProviderFatalError, id="a status nobody expects"),
    ],
)
def test_error_for_maps_status_and_text(status, body, expected):
    error = error_for(status, body, operation="query Companies")
    assert type(error) is expected
    assert error.provider_status == status
    assert "query Companies" in error.message


def test_error_keeps_autotask_text_joined():
    error = error_for(500, {"errors": ["first problem", "second problem"]})
    assert error.provider_message == "first problem; second problem"
    assert error.status == 400


def test_the_hourly_threshold_is_a_rate_limit_that_suggests_a_minute():
    text = "The request threshold of 10000 requests per 60 minutes has been exceeded."
    error = error_for(429, {"errors": [text]})
    assert isinstance(error, ThresholdExceededError)
    assert error.retry_after == 60
    assert error.provider_message == text


def test_rate_limited_error_reads_retry_after():
    error = error_for(429, {"errors": ["slow down"]}, retry_after="7")
    assert error.retry_after == 7
    assert error.headers["Retry-After"] == "7"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("12", 12.0, id="seconds"),
        pytest.param(None, None, id="absent"),
        pytest.param("soon", None, id="unreadable"),
        pytest.param("Wed, 21 Oct 2015 07:28:00 GMT", 0.0, id="a date in the past"),
    ],
)
def test_retry_after_seconds(value, expected):
    assert retry_after_seconds(value) == expected


def test_provider_texts_accepts_error_objects_and_message():
    assert provider_texts({"errors": [{"message": "x"}, "y"]}) == ["x", "y"]
    assert provider_texts({"Message": "m"}) == ["m"]
    assert provider_texts("not a dict") == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _call(url: str, seconds: float = 2.0) -> None:
    """One POST through the outbound guard, the way the Autotask client sends."""
    policy = OutboundPolicy.from_settings(url.rsplit("/", 1)[0])
    OutboundClient(policy).request("POST", url, json={}, deadline_seconds=seconds)


def test_a_refused_connection_is_known_not_sent():
    with pytest.raises(OutboundError) as caught:
        _call(f"http://127.0.0.1:{_closed_port()}/")
    error = error_for_outbound(caught.value, "create Contacts")
    assert isinstance(error, UpstreamConnectionError)
    assert error.request_sent is False
    assert "127.0.0.1" not in error.message


def test_a_timeout_may_have_been_processed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(server.accept()[0]), daemon=True)
    thread.start()
    try:
        with pytest.raises(OutboundError) as caught:
            _call(f"http://127.0.0.1:{server.getsockname()[1]}/", 0.3)
        error = error_for_outbound(caught.value, "create Contacts")
        assert isinstance(error, UpstreamConnectionError)
        assert error.request_sent is True
        assert "did not answer in time" in error.message
    finally:
        thread.join(2)
        for sock in accepted:
            sock.close()
        server.close()


def test_a_reset_mid_request_may_have_been_processed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def reset_after_reading() -> None:
        conn, _ = server.accept()
        conn.recv(65536)
        conn.close()

    thread = threading.Thread(target=reset_after_reading, daemon=True)
    thread.start()
    try:
        with pytest.raises(OutboundError) as caught:
            _call(f"http://127.0.0.1:{server.getsockname()[1]}/")
        error = error_for_outbound(caught.value, "create Contacts")
        assert isinstance(error, UpstreamConnectionError)
        assert error.request_sent is True
    finally:
        thread.join(2)
        server.close()


def test_a_refused_url_names_the_rule_and_nothing_of_the_target():
    with pytest.raises(OutboundError) as caught:
        OutboundClient(OutboundPolicy.from_settings("webservices*.autotask.net")).request(
            "GET", "http://10.1.2.3:6379/"
        )
    error = error_for_outbound(caught.value, "get Companies")
    assert error.status == 400
    assert "rule: host" in error.message
    assert "10.1.2.3" not in error.message and "6379" not in error.message

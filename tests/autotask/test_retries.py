from __future__ import annotations

import pytest

from connector.autotask.errors import LimitWaitError, UpstreamConnectionError
from connector.autotask.retries import RetryPolicy, Safety, may_have_run
from connector.errors import (
    ProviderAuthError,
    ProviderRateLimitedError,
    ProviderUnavailableError,
    ProviderValidationError,
)

POLICY = RetryPolicy(retries=3, backoff=0.5, max_wait=30)
NOT_SENT = UpstreamConnectionError("refused", request_sent=False)
MAYBE_SENT = UpstreamConnectionError("reset", request_sent=True)


@pytest.mark.parametrize(
    ("safety", "error", "retry"),
    [
        pytest.param(Safety.READ, ProviderRateLimitedError("429"), True, id="a read after a 429"),
        pytest.param(Safety.READ, ProviderUnavailableError("503"), True, id="a read after a 503"),
        pytest.param(Safety.READ, MAYBE_SENT, True, id="a read after a reset"),
        pytest.param(
            Safety.READ, ProviderValidationError("rule"), False, id="never after a business rule"
        ),
        pytest.param(Safety.READ, ProviderAuthError("401"), False, id="never after an auth error"),
        pytest.param(Safety.IDEMPOTENT, MAYBE_SENT, True, id="a PATCH after a timeout"),
        pytest.param(
            Safety.CREATE,
            ProviderRateLimitedError("429"),
            True,
            id="a create refused with 429 was not processed",
        ),
        pytest.param(Safety.CREATE, NOT_SENT, True, id="a create whose connection was refused"),
        pytest.param(
            Safety.CREATE, MAYBE_SENT, False, id="never a create after a timeout or reset"
        ),
        pytest.param(
            Safety.CREATE, ProviderUnavailableError("503"), False, id="never a create after a 503"
        ),
        pytest.param(
            Safety.READ,
            LimitWaitError("slots busy", retry_after=1),
            False,
            id="not when the connector's own limits already kept the call waiting",
        ),
        pytest.param(
            Safety.READ,
            ProviderRateLimitedError("429", retry_after=600),
            False,
            id="not when Retry-After asks for longer than the wait allowed",
        ),
    ],
)
def test_should_retry(safety, error, retry):
    assert POLICY.should_retry(safety, error, attempt=1) is retry


def test_retries_run_out():
    error = ProviderUnavailableError("503")
    assert POLICY.should_retry(Safety.READ, error, attempt=3)
    assert not POLICY.should_retry(Safety.READ, error, attempt=4)


def test_delay_honours_retry_after_else_backs_off():
    assert POLICY.delay(ProviderRateLimitedError("429", retry_after=4), 1) == 4
    first = POLICY.delay(ProviderUnavailableError("503"), 1)
    third = POLICY.delay(ProviderUnavailableError("503"), 3)
    assert 0.25 <= first <= 0.5
    assert 1.0 <= third <= 2.0


@pytest.mark.parametrize(
    ("error", "ran"),
    [
        pytest.param(ProviderUnavailableError("503"), True, id="a 5xx may have done the work"),
        pytest.param(MAYBE_SENT, True, id="a timeout or reset after sending may have"),
        pytest.param(NOT_SENT, False, id="a refused connection cannot have"),
        pytest.param(ProviderRateLimitedError("429"), False, id="a 429 is a refusal"),
        pytest.param(LimitWaitError("paced"), False, id="our own limits sent nothing"),
        pytest.param(ProviderAuthError("401"), False, id="an auth refusal did nothing"),
    ],
)
def test_may_have_run(error, ran):
    assert may_have_run(error) is ran

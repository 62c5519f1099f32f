"""Autotask's answers mapped to the connector's error tree, in one table.

Autotask reports most failures as HTTP 500 with `{"errors": ["..."]}`, so the status alone does
not say what happened: the table below matches the status and, where needed, the text. The first
row that matches wins. `provider_message` carries Autotask's own words, joined and bounded:
control characters become spaces, each text is cut at `PROVIDER_TEXT_MAX` characters and the
whole at `PROVIDER_MESSAGE_MAX`; `provider_listed` says they came from Autotask's documented
`errors` list (the only texts echoed from a host whose proof failed, see tenancy.provisioning).
"""

from __future__ import annotations

import json
import re
from typing import Any

from urllib3.util.retry import Retry

from connector.errors import (
    ConnectorError,
    ProviderAuthError,
    ProviderError,
    ProviderFatalError,
    ProviderForbiddenError,
    ProviderMethodNotAllowedError,
    ProviderNotFoundError,
    ProviderRateLimitedError,
    ProviderUnavailableError,
    ProviderValidationError,
)
from connector.outbound import (
    OutboundError,
    OutboundRefusedError,
    OutboundTimeoutError,
    OutboundTooLargeError,
)


class UnknownUsernameError(ProviderAuthError):
    """Zone discovery does not know the username (Autotask: "Zone information could not be
    determined"). It only says the name is unknown: zone discovery never checks a secret."""

    code = "provider_unknown_user"


class UpstreamConnectionError(ProviderUnavailableError):
    """No HTTP answer. `request_sent` is False only when the request surely never left
    (refused connection, failed name resolution, connect timeout): only then may a create be
    retried without risking a second record."""

    def __init__(self, message: str, *, request_sent: bool) -> None:
        super().__init__(message)
        self.request_sent = request_sent


class ThresholdExceededError(ProviderRateLimitedError):
    """Autotask's hourly request threshold for the database is spent; calls are refused until
    the rolling hour clears, so there is no point retrying within seconds."""

    code = "provider_threshold_exceeded"
    default_retry_after = 60.0


class LimitWaitError(ProviderRateLimitedError):
    """The connector's own limits (pacing, the concurrency slots) kept a call waiting longer
    than allowed; nothing was sent. Already waited for: not retried."""

    code = "provider_limit_wait"


class PagingLoopError(ProviderFatalError):
    """Autotask handed back a page token or rows already seen; following it would never end."""

    code = "provider_paging_loop"


# (status or None for any, text pattern or None for any, error class, message for our users).
# ERRORS_LISTED matches when the body carries Autotask's `errors` list: a 500 with one is a
# business rule; a 500 without one (an HTML page, ASP.NET's bare "Message") is a server failure.
ERRORS_LISTED = "<errors listed>"
# fmt: off
ERROR_TABLE: tuple[tuple[int | None, str | None, type[ProviderError], str], ...] = (
    (None, r"zone information could not be determined", UnknownUsernameError,
     "Autotask does not know this API username"),
    (None, r"integration ?code is invalid|invalid integration ?code", ProviderAuthError,
     "Autotask refused the API integration code"),
    (None, r"thread threshold|threads? (limit|threshold)", ProviderRateLimitedError,
     "Autotask refused the call: too many concurrent requests on this endpoint"),
    (None, r"request threshold of|threshold .*requests.* exceeded", ThresholdExceededError,
     "Autotask's hourly request threshold for this database is spent; try later"),
    (None, r"does not have the adequate permissions", ProviderForbiddenError,
     "The Autotask API user lacks the permission for this operation"),
    (401, None, ProviderAuthError, "Autotask refused the credentials"),
    (403, None, ProviderForbiddenError,
     "The Autotask API user lacks the permission for this operation"),
    (404, None, ProviderNotFoundError, "Autotask has no such resource"),
    (405, None, ProviderMethodNotAllowedError, "Autotask does not allow this operation here"),
    (429, None, ProviderRateLimitedError, "Autotask's request limit is reached; try later"),
    (500, r"no matching records found", ProviderNotFoundError, "Autotask has no such record"),
    (500, r"^(an unexpected error has occurred|internal server error)\.?$",
     ProviderUnavailableError, "Autotask failed without saying why"),
    (500, r"could not be found|does not exist or is invalid|does not reference an existing",
     ProviderValidationError, "Autotask refused a reference to a record that does not exist"),
    # Autotask's own text for a failure on its side, not a rule the request broke (inferred:
    # ASP.NET's generic wording); treated as an outage so reads are retried and users get 503.
    (500, r"unexpected error has occurred|internal server error|timeout expired",
     ProviderUnavailableError, "Autotask failed on its side"),
    (500, ERRORS_LISTED, ProviderValidationError, "Autotask refused the request"),
    (400, None, ProviderValidationError, "Autotask refused the request"),
    (409, None, ProviderValidationError, "Autotask refused the request"),
    (413, None, ProviderValidationError, "Autotask refused the request as too large"),
    (500, None, ProviderUnavailableError, "Autotask failed without saying why"),
    (502, None, ProviderUnavailableError, "Autotask is unavailable"),
    (503, None, ProviderUnavailableError, "Autotask is unavailable"),
    (504, None, ProviderUnavailableError, "Autotask did not answer in time"),
)
# fmt: on
_COMPILED = tuple(
    (status, re.compile(text, re.IGNORECASE) if text and text != ERRORS_LISTED else text, cls, msg)
    for status, text, cls, msg in ERROR_TABLE
)
_RETRY_AFTER = Retry(total=0, retry_after_max=3600)
PROVIDER_TEXT_MAX = 300
PROVIDER_MESSAGE_MAX = 1000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def bounded_text(texts: list[str]) -> str:
    """Texts joined with "; ", control characters as spaces, each and the whole cut short."""
    parts = []
    for text in texts:
        clean = _CONTROL.sub(" ", text).strip()
        if len(clean) > PROVIDER_TEXT_MAX:
            clean = clean[: PROVIDER_TEXT_MAX - 3] + "..."
        parts.append(clean)
    joined = "; ".join(p for p in parts if p)
    if len(joined) > PROVIDER_MESSAGE_MAX:
        joined = joined[: PROVIDER_MESSAGE_MAX - 3] + "..."
    return joined


def provider_texts(body: Any) -> list[str]:
    """Autotask's own words from an error body: `errors` (strings or objects), else `Message`."""
    return _texts(body)[0]


def _texts(body: Any) -> tuple[list[str], bool]:
    """The texts, and whether they came from an `errors` list."""
    if not isinstance(body, dict):
        return [], False
    lowered = {str(k).lower(): v for k, v in body.items()}
    errors = lowered.get("errors")
    texts: list[str] = []
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict):
                item = item.get("message") or item.get("Message") or json.dumps(item)
            if item not in (None, ""):
                texts.append(str(item))
    elif isinstance(errors, str) and errors:
        texts.append(errors)
    listed = bool(texts)
    for key in ("message", "exceptionmessage"):
        if not texts and isinstance(lowered.get(key), str) and lowered[key]:
            texts.append(lowered[key])
    return texts, listed


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds (a number or an HTTP date), None when absent or unreadable."""
    if not value:
        return None
    try:
        return float(_RETRY_AFTER.parse_retry_after(value))
    except Exception:  # noqa: BLE001 - an unreadable header is the same as none
        return None


def error_for(
    status: int, body: Any, *, retry_after: str | None = None, operation: str = ""
) -> ProviderError:
    """The typed error for a failed answer (`body` already decoded, or None)."""
    texts, listed = _texts(body)
    joined = "; ".join(texts)  # matched whole; what users see is bounded_text
    cls, message = ProviderFatalError, f"Autotask answered HTTP {status}"
    for row_status, pattern, row_cls, row_message in _COMPILED:
        if row_status is not None and row_status != status:
            continue
        if pattern == ERRORS_LISTED:
            if not listed:
                continue
        elif pattern is not None and not pattern.search(joined):
            continue
        cls, message = row_cls, row_message
        break
    if operation:
        message = f"{message} ({operation})"
    wait = None
    if issubclass(cls, ProviderRateLimitedError):
        wait = retry_after_seconds(retry_after)
        if wait is None:
            wait = getattr(cls, "default_retry_after", None)
    error = cls(
        message,
        provider_message=bounded_text(texts) or None,
        provider_status=status,
        retry_after=wait,
    )
    error.provider_listed = listed  # type: ignore[attr-defined]
    return error


def error_for_outbound(exc: OutboundError, operation: str) -> ConnectorError:
    """The typed error for a call that got no usable answer; the message names no URL, host,
    address or socket error (the outbound guard's texts are fixed for the same reason)."""
    if isinstance(exc, OutboundRefusedError):
        from connector.autotask.guard import AutotaskHostError

        return AutotaskHostError("the Autotask URL", exc.rule)
    if isinstance(exc, OutboundTooLargeError):
        return ProviderFatalError(f"Autotask's answer is larger than allowed ({operation})")
    sent = bool(getattr(exc, "request_sent", True))
    if isinstance(exc, OutboundTimeoutError):
        text = "did not answer in time" if sent else "did not accept the connection in time"
        return UpstreamConnectionError(f"Autotask {text} ({operation})", request_sent=sent)
    if not sent:
        return UpstreamConnectionError(
            f"Autotask could not be reached ({operation})", request_sent=False
        )
    return UpstreamConnectionError(
        f"The connection to Autotask broke during the call ({operation})", request_sent=True
    )

"""One error tree, grouped by what the caller should do.

Every error knows its HTTP status and a stable code; `connector.api.errors` renders any of them
as `{"message", "requestId", "providerMessage"}`. Messages never carry secrets: provider text is
kept apart in `provider_message`, and callers must not format credentials into either.
`load` validates a body with a marshmallow schema and turns its errors into one 400.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from marshmallow import Schema
from marshmallow import ValidationError as MarshmallowError


class ConnectorError(Exception):
    """Base of every error the service raises on purpose."""

    status = 500
    code = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        provider_message: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider_message = provider_message
        self.headers = headers or {}
        self.errors = errors  # every problem found, [{"field", "message"}], for validation 400s
        if status is not None:
            self.status = status


# -- the client's mistakes: fix the request ------------------------------------------------
class BadRequestError(ConnectorError):
    status = 400
    code = "bad_request"


class ValidationError(BadRequestError):
    code = "validation_failed"


class QuerySyntaxError(BadRequestError):
    """A CEQL `where` that does not parse; the message gives the position and what was expected."""

    code = "query_syntax"

    def __init__(self, message: str, *, position: int | None = None, expected: str | None = None):
        super().__init__(message)
        self.position = position
        self.expected = expected


class AuthenticationError(ConnectorError):
    status = 401
    code = "unauthorized"


class ForbiddenError(ConnectorError):
    status = 403
    code = "forbidden"


class NotFoundError(ConnectorError):
    status = 404
    code = "not_found"


class MethodNotAllowedError(ConnectorError):
    status = 405
    code = "method_not_allowed"


class ConflictError(ConnectorError):
    status = 409
    code = "conflict"


# -- the operator's mistakes: fix the deployment ------------------------------------------
class ConfigurationError(ConnectorError):
    status = 500
    code = "configuration"


class MappingError(ConfigurationError):
    """A transformation map that does not load or does not apply; names the file and field."""

    code = "mapping"


STORAGE_RETRY_AFTER = 5  # seconds: about what a supervised Redis needs to come back


class StorageUnavailableError(ConnectorError):
    """Redis does not answer: a 503 with Retry-After; the service recovers by itself."""

    status = 503
    code = "storage_unavailable"

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.headers.setdefault("Retry-After", str(STORAGE_RETRY_AFTER))


# -- Autotask's answers --------------------------------------------------------------------
class ProviderError(ConnectorError):
    """Autotask refused or failed a call; `provider_message` holds Autotask's own text."""

    status = 502
    code = "provider_error"

    def __init__(
        self,
        message: str,
        *,
        provider_message: str | None = None,
        provider_status: int | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, provider_message=provider_message, status=status)
        self.provider_status = provider_status
        self.retry_after = retry_after
        if retry_after is not None:
            self.headers["Retry-After"] = str(max(1, int(round(retry_after))))


class ProviderAuthError(ProviderError):
    status = 401
    code = "provider_unauthorized"


class ProviderForbiddenError(ProviderError):
    status = 403
    code = "provider_forbidden"


class ProviderNotFoundError(ProviderError):
    status = 404
    code = "provider_not_found"


class ProviderValidationError(ProviderError):
    status = 400
    code = "provider_validation"


class ProviderMethodNotAllowedError(ProviderError):
    status = 405
    code = "provider_method_not_allowed"


class ProviderRateLimitedError(ProviderError):
    status = 429
    code = "provider_rate_limited"


class ProviderUnavailableError(ProviderError):
    status = 503
    code = "provider_unavailable"


class ProviderFatalError(ProviderError):
    status = 502
    code = "provider_failed"


# -- bounded messages: a hostile body must not come back as a huge error ------------------------
MAX_LISTED = 20  # names or lines one message lists; the rest are counted
MAX_MESSAGE_CHARS = 4000  # any message or provider message beyond it is cut (connector.api.errors)


def listed(items: Iterable[str], sep: str = ", ", limit: int = MAX_LISTED) -> str:
    """The first `limit` items, then how many more: `a, b, c and 99,997 more`."""
    items = list(items)
    shown = sep.join(items[:limit])
    rest = len(items) - limit
    return f"{shown} and {rest:,} more" if rest > 0 else shown


def listed_errors(errors: list[dict[str, str]], limit: int = MAX_LISTED) -> list[dict[str, str]]:
    """The first `limit` items of a validation 400's `errors` (the message counts the rest)."""
    return errors[:limit]


def clipped(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters)"


# -- request bodies: marshmallow's errors as one ValidationError (400) ------------------------
def flatten_messages(messages: Any, prefix: str = "") -> list[str]:
    """marshmallow's nested error dict as `path: message` lines."""
    if isinstance(messages, dict):
        lines = []
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix and key != "_schema" else (prefix or str(key))
            if key == "_schema":
                path = prefix or "body"
            lines.extend(flatten_messages(value, path))
        return lines
    if isinstance(messages, list):
        return [
            f"{prefix}: {m}" if prefix else str(m)
            for m in messages
            if not isinstance(m, (dict, list))
        ] + [
            line
            for m in messages
            if isinstance(m, (dict, list))
            for line in flatten_messages(m, prefix)
        ]
    return [f"{prefix}: {messages}" if prefix else str(messages)]


def load(schema: Schema, data: Any, *, what: str, partial: bool = False) -> Any:
    """Validate with `schema`; a ValidationError (400) whose message names every bad field."""
    if data is None:
        raise ValidationError(f"Invalid {what}: send a JSON object body")
    try:
        return schema.load(data, partial=partial)
    except MarshmallowError as exc:
        lines = flatten_messages(exc.messages)
        raise ValidationError(f"Invalid {what}: " + listed(lines, sep="; ")) from None


# -- the nearest valid name, for 400s that say what was meant ----------------------------------
def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """A name differing only by case wins outright (`Where` -> `where`); otherwise the closest
    by difflib's ratio, compared without regard to case, when close enough to be a typo."""
    folded = {candidate.casefold(): candidate for candidate in dict.fromkeys(candidates)}
    if name.casefold() in folded:
        return folded[name.casefold()]
    found = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[found[0]] if found else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`"; did you mean 'where'?"`, or "" when nothing is close."""
    found = nearest(name, candidates)
    return f"; did you mean '{found}'?" if found else ""

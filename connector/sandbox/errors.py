"""Autotask's error answers, in the shapes real clients parse (reference sections 2, 3, 5, 8).

Business and query failures are HTTP 500 with `{"errors": [...]}`; ASP.NET's own failures
(401, 404, 405) carry `{"Message": "..."}` instead.
"""

from __future__ import annotations

from typing import Any


class SandboxError(Exception):
    """An answer the sandbox gives instead of a result."""

    def __init__(
        self,
        status: int,
        *,
        errors: list[str] | None = None,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or "; ".join(errors or []))
        self.status = status
        self.errors = errors
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        if self.errors is not None:
            return {"errors": self.errors}
        return {"Message": self.message}


def autotask_error(*texts: str, status: int = 500) -> SandboxError:
    """Autotask's usual failure: HTTP 500 and the texts in an `errors` array."""
    return SandboxError(status, errors=list(texts))


def method_not_allowed(method: str) -> SandboxError:
    return SandboxError(
        405, message=f"The requested resource does not support http method '{method}'."
    )


def route_not_found(url: str) -> SandboxError:
    return SandboxError(
        404, message=f"No HTTP resource was found that matches the request URI '{url}'."
    )


def unauthorized() -> SandboxError:
    return SandboxError(401, message="Authorization has been denied for this request.")


ZONE_UNKNOWN = "Zone information could not be determined"
INTEGRATION_CODE_INVALID = "IntegrationCode is invalid."
FILTER_MISSING = "Value cannot be null.\r\nParameter name: filters"
MAX_RECORDS_RANGE = "maxCountOfRecordsToReturn must be between 1 and 500"
ONE_UDF_ONLY = "You can only query by one user-defined field at a time."
THREAD_LIMIT = "The Autotask API thread threshold of {limit} threads has been exceeded."
THRESHOLD_EXCEEDED = (
    "The request threshold of {threshold} requests per {minutes} minutes has been exceeded."
)
NO_MATCHING_RECORDS = "No matching records found"
UNEXPECTED = "An unexpected error has occurred."


def no_permission(action: str) -> SandboxError:
    """A security level without the permission: Autotask's 500 (reference section 2)."""
    return autotask_error(
        f"The logged in Resource does not have the adequate permissions to {action} this "
        "entity type."
    )


def unknown_field(field: str, singular: str) -> SandboxError:
    return autotask_error(f"Unable to find {field} in the {singular} Entity")


def required_missing(field: str) -> SandboxError:
    return autotask_error(f"Value does not exist for the required field {field}.")


def too_long(field: str) -> SandboxError:
    return autotask_error(f"String value exceeds maximum length (field:{field}).")


def bad_reference(field: str, singular: str) -> SandboxError:
    return autotask_error(
        f"Reference value on field: {field} of type: {singular} does not exist or is invalid."
    )

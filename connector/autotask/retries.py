"""When a failed call may be sent again, and after how long.

Reads and idempotent writes (PATCH updates, deletes) are retried on a rate limit, an
unavailable Autotask and a broken connection. A create is retried only when Autotask surely
did not process it: a rate-limit refusal, or a connection that never carried the request. A
business-rule refusal (Autotask's 500 with `errors`) is never retried. Retry-After is honoured
up to `max_wait`; past it the error goes back to the caller, who can pass it on as a 429.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum

from connector.autotask.errors import LimitWaitError, UpstreamConnectionError
from connector.errors import ProviderError, ProviderRateLimitedError, ProviderUnavailableError


class Safety(Enum):
    """How safe it is to send an operation twice."""

    READ = "read"  # GET, POST .../query, .../query/count
    IDEMPOTENT = "idempotent"  # PATCH with the id in the body, DELETE
    CREATE = "create"  # POST to a collection: a repeat may make a second record


def may_have_run(error: ProviderError) -> bool:
    """Whether Autotask may have carried out a request that ended in `error`: a 5xx or a lost
    answer, yes; a refusal (429, auth, validation) or a request that never left, no."""
    if isinstance(error, UpstreamConnectionError):
        return error.request_sent
    return isinstance(error, ProviderUnavailableError)


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 3
    backoff: float = 0.5  # seconds before the first retry, doubled each time, with jitter
    backoff_max: float = 10.0
    max_wait: float = 30.0

    def should_retry(self, safety: Safety, error: ProviderError, attempt: int) -> bool:
        """Whether attempt number `attempt` (1-based) may be followed by another."""
        if attempt > self.retries or isinstance(error, LimitWaitError):
            return False
        if error.retry_after is not None and error.retry_after > self.max_wait:
            return False
        if isinstance(error, ProviderRateLimitedError):
            return True  # a refusal: nothing was done, whatever the operation
        if isinstance(error, ProviderUnavailableError):
            return safety is not Safety.CREATE or not may_have_run(error)
        return False

    def delay(self, error: ProviderError, attempt: int) -> float:
        """Seconds to wait before retry number `attempt`: Retry-After when given, else backoff."""
        if error.retry_after is not None:
            return min(error.retry_after, self.max_wait)
        base = min(self.backoff_max, self.backoff * 2 ** (attempt - 1))
        return base * random.uniform(0.5, 1.0)

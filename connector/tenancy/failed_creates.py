"""A limit on failed instance creates (and credential changes): guessing zones and secrets
costs a tenant its turn, not Autotask's budget.

Each failed proof (a 400 from `provisioning.connect`: a refused URL, an unknown username,
refused credentials) counts under the organization, in windows of `WINDOW_SECONDS`. Past
CONNECTOR_CREATE_FAILURES in a window, the organization's next try is a 429 with Retry-After
(the window's rest) before anything is sent anywhere. A success counts nothing; outages (5xx)
count nothing either: they are not the tenant's doing.

The limit is per organization only, not per client address: behind a proxy or a platform
router every tenant shares one address, and one tenant's failures must not lock the others
out (organizations are the operator's accounts; a tenant cannot make more of them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis

from connector.errors import BadRequestError, ConnectorError
from connector.storage.keys import Keys

WINDOW_SECONDS = 600


class TooManyFailedCreatesError(ConnectorError):
    status = 429
    code = "too_many_failed_creates"


class FailedCreates:
    def __init__(
        self, client: redis.Redis, keys: Keys, *, limit: int, window: int = WINDOW_SECONDS
    ) -> None:
        self.redis = client
        self.keys = keys
        self.limit = limit
        self.window = window

    @contextmanager
    def attempt(self, organization_id: object) -> Iterator[None]:
        """Refuse at once when the limit is reached; count the attempt if it fails with a 400."""
        key = self.keys.throttle("failed-creates", str(organization_id))
        with self.redis.pipeline(transaction=False) as pipe:
            count, ttl = pipe.get(key).ttl(key).execute()
        if count is not None and int(count) >= self.limit:
            wait = ttl if isinstance(ttl, int) and ttl > 0 else self.window
            raise TooManyFailedCreatesError(
                "Too many failed attempts to connect an instance; wait before trying again",
                headers={"Retry-After": str(wait)},
            )
        try:
            yield
        except BadRequestError:
            with self.redis.pipeline(transaction=False) as pipe:
                pipe.set(key, 0, nx=True, ex=self.window)  # the window starts here
                pipe.incr(key)
                pipe.execute()
            raise

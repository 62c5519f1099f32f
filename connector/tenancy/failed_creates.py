"""A limit on failed instance creates (and credential changes): guessing zones and secrets
costs a tenant its turn, not Autotask's budget.

Each failed proof (a 400 from `provisioning.connect`: a refused URL, an unknown username,
refused credentials) counts under the organization and under the client's address, in
windows of `WINDOW_SECONDS`. Past CONNECTOR_CREATE_FAILURES for the organization (3 times
as many for the address) in a window,
the next try is a 429 with Retry-After (the window's rest) before anything is sent anywhere.
A success counts nothing; outages (5xx) count nothing either: they are not the tenant's doing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis

from connector.errors import BadRequestError, ConnectorError
from connector.storage.keys import Keys

WINDOW_SECONDS = 600
ADDRESS_FACTOR = 3  # several organizations may share an address (a NAT, an integration host)


class TooManyFailedCreatesError(ConnectorError):
    status = 429
    code = "too_many_failed_creates"


class FailedCreates:
    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        *,
        per_organization: int,
        window: int = WINDOW_SECONDS,
    ) -> None:
        self.redis = client
        self.keys = keys
        self.limits = {"org": per_organization, "ip": per_organization * ADDRESS_FACTOR}
        self.window = window

    def _keys(self, organization_id: object, address: str | None) -> dict[str, str]:
        found = {"org": self.keys.throttle("failed-creates-org", str(organization_id))}
        if address:
            found["ip"] = self.keys.throttle("failed-creates-ip", address)
        return found

    @contextmanager
    def attempt(self, organization_id: object, address: str | None) -> Iterator[None]:
        """Refuse at once when a limit is reached; count the attempt if it fails with a 400."""
        keys = self._keys(organization_id, address)
        with self.redis.pipeline(transaction=False) as pipe:
            for key in keys.values():
                pipe.get(key)
                pipe.ttl(key)
            answers = pipe.execute()
        for index, scope in enumerate(keys):
            count, ttl = answers[2 * index], answers[2 * index + 1]
            if count is not None and int(count) >= self.limits[scope]:
                wait = ttl if isinstance(ttl, int) and ttl > 0 else self.window
                raise TooManyFailedCreatesError(
                    "Too many failed attempts to connect an instance; wait before trying again",
                    headers={"Retry-After": str(wait)},
                )
        try:
            yield
        except BadRequestError:
            with self.redis.pipeline(transaction=False) as pipe:
                for key in keys.values():
                    pipe.set(key, 0, nx=True, ex=self.window)  # the window starts here
                    pipe.incr(key)
                pipe.execute()
            raise

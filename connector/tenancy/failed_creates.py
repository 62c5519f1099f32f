"""A limit on failed instance creates (and credential changes): guessing zones and secrets
costs a tenant its turn, not Autotask's budget.

Each failed proof (a 400 from `provisioning.connect`: a refused URL, an unknown username,
refused credentials) counts under the organization, in windows of `WINDOW_SECONDS`. Past
CONNECTOR_CREATE_FAILURES in a window, the organization's next try is a 429 with Retry-After
(the window's rest) before anything is sent anywhere. A success counts nothing; outages (5xx)
count nothing either: they are not the tenant's doing.

A try reserves its turn before it is sent (one Lua call: count up, refuse past the limit), so
guesses sent all at once get no more turns than guesses sent in turn; a failure keeps its turn
counted, anything else gives it back. While tries run, they hold turns: a burst of more
concurrent creates than the limit is refused past it even if they would all succeed.

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
from connector.storage.scripts import script

WINDOW_SECONDS = 600


class TooManyFailedCreatesError(ConnectorError):
    status = 429
    code = "too_many_failed_creates"


# KEYS[1] the organization's count; ARGV[1] the window (s), ARGV[2] the limit.
# Returns {1 when the turn is taken else 0, the window's seconds left}.
_RESERVE = """
local count = redis.call("INCR", KEYS[1])
local left = redis.call("TTL", KEYS[1])
if left < 0 then
  redis.call("EXPIRE", KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
if count > tonumber(ARGV[2]) then
  redis.call("DECR", KEYS[1])
  return {0, left}
end
return {1, left}
"""

# KEYS[1] the organization's count. Gives a turn back; never creates the key (after the
# window ran out there is nothing to give back, and a key without TTL would never expire).
_RELEASE = """
local count = tonumber(redis.call("GET", KEYS[1]) or "0")
if count > 0 then redis.call("DECR", KEYS[1]) end
"""


class FailedCreates:
    def __init__(
        self, client: redis.Redis, keys: Keys, *, limit: int, window: int = WINDOW_SECONDS
    ) -> None:
        self.redis = client
        self.keys = keys
        self.limit = limit
        self.window = window
        self._reserve = script(client, _RESERVE)
        self._release = script(client, _RELEASE)

    @contextmanager
    def attempt(self, organization_id: object) -> Iterator[None]:
        """Take a turn or refuse at once; the turn stays counted if the try fails with a 400."""
        key = self.keys.throttle("failed-creates", str(organization_id))
        taken, left = self._reserve(keys=[key], args=[self.window, self.limit])
        if not taken:
            raise TooManyFailedCreatesError(
                "Too many failed attempts to connect an instance; wait before trying again",
                headers={"Retry-After": str(left if left > 0 else self.window)},
            )
        try:
            yield
        except BadRequestError:
            raise  # the turn stays counted
        except BaseException:
            self._release(keys=[key])
            raise
        self._release(keys=[key])

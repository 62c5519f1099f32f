"""How many of one kind of thing an owner (an organization, a template) may hold, checked
atomically however many creates run at once.

What is held is the index the owner's store already keeps (a set or a sorted set of ids). A
create first claims a place: one Lua call counts the index and the claims in flight, and
refuses at the limit, or adds a claim. The create then does its work (proving credentials,
validating) and saves; the claim is given back when it ends, saved or not. A claim is a
member of a sorted set scored by when it lapses, so a process that died between claim and
release holds its place at most CLAIM_SECONDS. A create slower than that (an upstream that
answers slowly) would have lost its place to another create meanwhile, so a create confirms
its place just before it saves: a claim still held is renewed, a lapsed one is claimed anew
(refused when full). While a create is being saved it counts twice for an instant (its id in
the index and its claim): the bound may refuse early in that instant, never let one more in.

Usage:

    cap = CountCap(redis, keys, "instances", limit=100, what="instances")
    with cap.place(org_id, keys.org_instances(org_id)) as place:
        ...  # create (a CountCapError (409) was raised instead when full)
        place.confirm()  # right before the save, when the create may have taken long
        ...  # save
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from connector.errors import ConflictError
from connector.storage.keys import Keys
from connector.storage.scripts import script

CLAIM_SECONDS = 300  # longer than a create's slowest proof (AUTOTASK_TIMEOUT, retries)


class CountCapError(ConflictError):
    """The owner holds as many as it may: a 409 (the state of the owner's things conflicts
    with one more; deleting one makes room, waiting does not)."""

    code = "count_cap_reached"


# KEYS[1] the owner's index (a set or a sorted set), KEYS[2] its claims (a sorted set).
# ARGV[1] how long a claim lasts (ms), ARGV[2] the limit, ARGV[3] the claim's id.
# Returns -1 when the claim is taken (or, held already, renewed), else how many are held
# (index + claims). The claim is added first and taken back when there is no room: Redis
# checks maxmemory in a script only at its first write, and dropping lapsed claims first (a
# write that never grows memory) let the claim through a full Redis.
_CLAIM = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local had = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[3]) or '0')
redis.call('ZADD', KEYS[2], ms + tonumber(ARGV[1]), ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ms)
if had > ms then return -1 end
local kind = redis.call('TYPE', KEYS[1])['ok']
local held = 0
if kind == 'set' then
  held = redis.call('SCARD', KEYS[1])
elseif kind == 'zset' then
  held = redis.call('ZCARD', KEYS[1])
end
held = held + redis.call('ZCARD', KEYS[2]) - 1
if held >= tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[2], ARGV[3])
  return held
end
return -1
"""


class CountCap:
    def __init__(
        self, client: redis.Redis, keys: Keys, kind: str, *, limit: int, what: str
    ) -> None:
        self.redis = client
        self.keys = keys
        self.kind = kind
        self.limit = limit
        self.what = what  # how the refusal names the things: "instances", "formulas"...
        self._claim = script(client, _CLAIM)

    @contextmanager
    def place(
        self, owner: object, index_key: str, *, whose: str = "Your organization"
    ) -> Iterator[Place]:
        """Hold a place while the block creates one; CountCapError at the limit."""
        place = Place(self, index_key, self.keys.count_claims(self.kind, str(owner)), whose)
        place.confirm()
        try:
            yield place
        finally:
            self.redis.zrem(place.claims, place.claim)


class Place:
    """One create's place under a cap (CountCap.place)."""

    def __init__(self, cap: CountCap, index_key: str, claims: str, whose: str) -> None:
        self.cap, self.index_key, self.claims, self.whose = cap, index_key, claims, whose
        self.claim = secrets.token_hex(8)

    def confirm(self) -> None:
        """Take the place, or renew it; taken anew when it lapsed; CountCapError when full."""
        cap = self.cap
        held = int(
            cap._claim(
                keys=[self.index_key, self.claims],
                args=[CLAIM_SECONDS * 1000, cap.limit, self.claim],
            )
        )
        if held >= 0:
            raise CountCapError(
                f"{self.whose} holds {cap.limit} {cap.what}, the most it may "
                f"(limit {cap.limit}); delete one to make room"
            )

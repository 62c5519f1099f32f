"""Accepting one callout: the hook id names the instance, the signature proves Autotask sent
it, the (GUID, SequenceNumber) pair drops a repeat, and the callout is appended to a Redis
stream before the answer (Autotask gives up after 10 s, so nothing slow happens here: the
drain job turns the stream into changes)."""

from __future__ import annotations

import time

from connector.errors import AuthenticationError, BadRequestError, ConnectorError, NotFoundError
from connector.events.webhooks import callouts, signature
from connector.events.webhooks.env import WebhookEnv
from connector.events.webhooks.store import HookStore, utc_now
from connector.storage.scripts import script

MAX_BODY_BYTES = 256 * 1024  # a callout carries some fields of one record
# Autotask retries a callout within about 2 minutes; a repeat after a day still becomes the
# same eventIds (the version is GUID:SequenceNumber), which the event log keeps once. (A week
# of seen-keys was a week of Redis per callout, every tenant's memory.)
SEEN_SECONDS = 24 * 3600
# Callouts one instance's hook may append a minute. Autotask sends far fewer (its delivery
# slows above about 1,500 an hour per entity); an Autotask user can read its webhooks' secret
# keys, so a tenant can sign callouts of its own, and without a bound it could fill the one
# callout stream every tenant's callouts wait in (and Redis) as fast as it can POST.
MAX_CALLOUTS_PER_MINUTE = 3000
STORED, DUPLICATE = "stored", "duplicate"

# KEYS[1] the (instance, GUID, SequenceNumber) seen-key, KEYS[2] the callout stream,
# KEYS[3] the instance's count of this minute
# ARGV[1] seconds the seen-key lives, ARGV[2] instance id, ARGV[3] body, ARGV[4] received,
# ARGV[5] the minute's limit
# Answers 1 when appended, 0 for a repeat, -1 over the limit (nothing kept, nothing marked):
# marking and appending are one step, so a callout is never marked seen without being kept,
# nor kept twice.
_APPEND = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local count = redis.call('INCR', KEYS[3])
if count == 1 then redis.call('EXPIRE', KEYS[3], 120) end
if count > tonumber(ARGV[5]) then return -1 end
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
redis.call('XADD', KEYS[2], '*', 'instance', ARGV[2], 'body', ARGV[3], 'received', ARGV[4])
return 1
"""


class TooManyCalloutsError(ConnectorError):
    status = 429
    code = "too_many_callouts"


class CalloutIntake:
    def __init__(self, env: WebhookEnv) -> None:
        self.env = env
        self.store = HookStore(env)
        self._append = script(env.redis, _APPEND)

    def accept(self, hook_id: str, body: bytes, header: str | None) -> str:
        """STORED or DUPLICATE; NotFound (unknown hook), Authentication (bad signature) or
        BadRequest (not a callout) otherwise, with nothing stored."""
        found = self.store.lookup(hook_id) if 0 < len(hook_id) <= 128 else None
        if found is None:
            raise NotFoundError("No such webhook hook: it was never issued or was removed")
        instance_id, secret = found
        if len(body) > MAX_BODY_BYTES:
            raise BadRequestError(f"the callout body is over {MAX_BODY_BYTES} bytes")
        if not signature.verify(secret, body, header):
            raise AuthenticationError(
                f"{signature.HEADER} is missing or is not the body's signature"
            )
        callout = callouts.parse(body)
        keys = self.env.keys
        minute = int(time.time() // 60)
        appended = self._append(
            keys=[
                # per instance: another tenant's callouts (signed with its own key) naming
                # this webhook's GUID must not mark this one's sequence numbers seen
                keys.webhook_seen(f"{instance_id}\0{callout.guid}", callout.sequence),
                keys.webhook_callouts(),
                f"{keys.webhook_instance(instance_id)}:callouts:{minute}",
            ],
            args=[
                SEEN_SECONDS,
                instance_id,
                body.decode("utf-8"),
                utc_now(),
                MAX_CALLOUTS_PER_MINUTE,
            ],
        )
        if appended == -1:
            raise TooManyCalloutsError(
                f"more than {MAX_CALLOUTS_PER_MINUTE} callouts a minute for this webhook",
                headers={"Retry-After": str(60 - int(time.time()) % 60)},
            )
        return STORED if appended else DUPLICATE

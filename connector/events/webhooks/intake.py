"""Accepting one callout: the hook id names the instance, the signature proves Autotask sent
it, the (GUID, SequenceNumber) pair drops a repeat, and the callout is appended to a Redis
stream before the answer (Autotask gives up after 10 s, so nothing slow happens here: the
drain job turns the stream into changes)."""

from __future__ import annotations

from connector.errors import AuthenticationError, BadRequestError, NotFoundError
from connector.events.webhooks import callouts, signature
from connector.events.webhooks.env import WebhookEnv
from connector.events.webhooks.store import HookStore, utc_now

MAX_BODY_BYTES = 256 * 1024  # a callout carries some fields of one record
SEEN_SECONDS = 7 * 24 * 3600  # Autotask retries within minutes; a week is ample
STORED, DUPLICATE = "stored", "duplicate"

# KEYS[1] the (GUID, SequenceNumber) seen-key, KEYS[2] the callout stream
# ARGV[1] seconds the seen-key lives, ARGV[2] instance id, ARGV[3] body, ARGV[4] received
# Answers 1 when appended, 0 for a repeat: marking and appending are one step, so a callout
# is never marked seen without being kept, nor kept twice.
_APPEND = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  redis.call('XADD', KEYS[2], '*', 'instance', ARGV[2], 'body', ARGV[3], 'received', ARGV[4])
  return 1
end
return 0
"""


class CalloutIntake:
    def __init__(self, env: WebhookEnv) -> None:
        self.env = env
        self.store = HookStore(env)
        self._append = env.redis.register_script(_APPEND)

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
        appended = self._append(
            keys=[
                self.env.keys.webhook_seen(callout.guid, callout.sequence),
                self.env.keys.webhook_callouts(),
            ],
            args=[SEEN_SECONDS, instance_id, body.decode("utf-8"), utc_now()],
        )
        return STORED if appended else DUPLICATE

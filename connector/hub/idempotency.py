"""Creates that are never made twice: `Idempotency-Key` on hub POSTs, and lost answers.

A create whose answer never came (a timeout after the request left, a broken connection, a
5xx) may have been stored by Autotask: it answers 504 saying so (`CreateMayExistError`),
never 503, which would invite a blind retry.

With an `Idempotency-Key` header (1 to 255 printable ASCII characters) the first outcome is
kept in Redis for 24 hours under the instance and a hash of the key:
- the same key and the same body answer the kept result, with no second create;
- the same key with another body is a 422;
- while the first request still runs (its lease), a repeat is a 409 with Retry-After;
- after a lost answer the key stays `pending`: a repeat first looks for the record the lost
  create would have made (one query on the fields it sent, as bulk uploads do) and answers
  it; only when none is found is the create sent again;
- a create Autotask surely refused (4xx, or nothing sent) releases the key.

Record (JSON, TTL 24 h): {"body": sha256 of the request body, "state": "pending"|"done",
"until": the pending lease's end (epoch s), "status", "answer", "headers"}.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

import redis

from connector.autotask.retries import may_have_run
from connector.errors import ConflictError, ConnectorError, ProviderError, ValidationError
from connector.storage.keys import Keys

HEADER = "Idempotency-Key"
TTL_SECONDS = 24 * 3600
MAX_KEY_LENGTH = 255
REPLAYED = "Idempotent-Replayed"


class CreateMayExistError(ConnectorError):
    """Autotask got the create but its answer was lost: the record may exist."""

    status = 504
    code = "create_outcome_unknown"


class IdempotencyMismatchError(ConnectorError):
    status = 422
    code = "idempotency_key_reused"


def lost_answer(exc: ProviderError, keyed: bool) -> CreateMayExistError:
    hint = (
        "send the same request with the same Idempotency-Key: it looks the record up "
        "before creating it again"
        if keyed
        else "look it up before creating it again, or send creates with an Idempotency-Key"
    )
    return CreateMayExistError(
        f"Autotask did not answer the create, so the record may exist; {hint}",
        provider_message=exc.provider_message,
    )


def created_before(exc: ProviderError) -> bool:
    """Whether Autotask may have stored a create that ended in `exc`."""
    return may_have_run(exc) or bool(getattr(exc, "earlier_attempt_may_have_run", False))


def check_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not (0 < len(raw) <= MAX_KEY_LENGTH) or not raw.isascii() or not raw.isprintable():
        raise ValidationError(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters")
    return raw


class IdempotencyStore:
    def __init__(self, client: redis.Redis, keys: Keys, instance_id: int) -> None:
        self.redis = client
        self.keys = keys
        self.instance_id = instance_id

    def _key(self, key: str) -> str:
        digest = hashlib.sha256(key.encode()).hexdigest()
        return self.keys.idempotency(self.instance_id, digest)

    def run(
        self,
        key: str,
        body: bytes,
        create: Callable[[], tuple[int, str, dict[str, str]]],
        find_lost: Callable[[], tuple[int, str, dict[str, str]] | None],
        lease_seconds: float,
    ) -> tuple[int, str, dict[str, str]]:
        """(status, body, headers) of the one create this key stands for."""
        name = self._key(key)
        digest = hashlib.sha256(body).hexdigest()
        pending = {"body": digest, "state": "pending", "until": time.time() + lease_seconds}
        resumed = False
        if not self.redis.set(name, json.dumps(pending), nx=True, ex=TTL_SECONDS):
            stored = self._read(name)
            if stored is not None:
                if stored.get("body") != digest:
                    raise IdempotencyMismatchError(
                        f"This {HEADER} was used with another request body; use a new key "
                        "for another create"
                    )
                if stored.get("state") == "done":
                    headers = {**stored.get("headers", {}), REPLAYED: "true"}
                    return int(stored["status"]), stored["answer"], headers
                if float(stored.get("until", 0)) > time.time():
                    raise ConflictError(
                        f"A request with this {HEADER} is still running; retry shortly",
                        headers={"Retry-After": "1"},
                    )
                resumed = True  # an earlier attempt's answer was lost
            self.redis.set(name, json.dumps(pending), ex=TTL_SECONDS)
        try:
            outcome = find_lost() if resumed else None
            if outcome is None:
                outcome = create()
        except ProviderError as exc:
            if created_before(exc):
                self._expire_lease(name, digest)
                raise lost_answer(exc, keyed=True) from None
            self.redis.delete(name)
            raise
        except CreateMayExistError:
            self._expire_lease(name, digest)
            raise
        except Exception:
            self.redis.delete(name)
            raise
        status, answer, headers = outcome
        done = {"body": digest, "state": "done", "status": status, "answer": answer}
        self.redis.set(name, json.dumps({**done, "headers": headers}), ex=TTL_SECONDS)
        return outcome

    def _expire_lease(self, name: str, digest: str) -> None:
        """Keep the key pending with its lease over: the next repeat looks the record up."""
        record = {"body": digest, "state": "pending", "until": 0}
        self.redis.set(name, json.dumps(record), ex=TTL_SECONDS)

    def _read(self, name: str) -> dict[str, Any] | None:
        raw = self.redis.get(name)
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

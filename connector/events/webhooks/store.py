"""The webhooks' state in Redis: hook ids, their instance and secret, each instance's webhooks
in Autotask, and per watched resource whether a webhook serves it or why not.

    hook:{digest(hookId)}            JSON {instanceId, secret (sealed)}
    instance:{id}:webhooks (hash)    _hook       -> the hook id (sealed)
                                     entity:{E}  -> JSON {webhook, webhookId, guid, resources}
                                     resource:{r} -> JSON {mode, reason, entity, since}
Secrets are sealed with the instance secrets box; the hook id is a secret too (it routes a
callout), so its key name carries only a digest of it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from connector.events.webhooks.env import WebhookEnv
from connector.tenancy.secrets_box import new_secret

HOOK_FIELD = "_hook"
WEBHOOK = "webhook"
POLLING = "polling"


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class HookStore:
    def __init__(self, env: WebhookEnv) -> None:
        self.redis, self.keys, self.box = env.redis, env.keys, env.box

    # -- the hook id and its secret ----------------------------------------------------------
    def hook_of(self, instance_id: int) -> tuple[str, str] | None:
        """The instance's (hook id, secret key), or None before its first registration."""
        sealed = self.redis.hget(self.keys.webhook_instance(instance_id), HOOK_FIELD)
        if sealed is None:
            return None
        hook_id = self.box.decrypt(sealed)
        found = self.lookup(hook_id)
        return (hook_id, found[1]) if found else None

    def ensure_hook(self, instance_id: int) -> tuple[str, str]:
        """The instance's hook id and secret, made (random, 32 bytes each) on first use."""
        existing = self.hook_of(instance_id)
        if existing is not None:
            return existing
        hook_id, secret = new_secret(32), new_secret(32)  # 43 characters: Autotask allows 64
        record = {"instanceId": instance_id, "secret": self.box.encrypt(secret)}
        with self.redis.pipeline() as pipe:
            pipe.set(self.keys.webhook_hook(hook_id), json.dumps(record))
            pipe.hset(
                self.keys.webhook_instance(instance_id), HOOK_FIELD, self.box.encrypt(hook_id)
            )
            pipe.execute()
        return hook_id, secret

    def lookup(self, hook_id: str) -> tuple[int, str] | None:
        """(instance id, secret key) of a hook id, or None when no instance has it."""
        raw = self.redis.get(self.keys.webhook_hook(hook_id))
        if raw is None:
            return None
        record = json.loads(raw)
        return int(record["instanceId"]), self.box.decrypt(record["secret"])

    # -- the webhooks in Autotask, and the resources' modes ----------------------------------
    def webhooks(self, instance_id: int) -> dict[str, dict[str, Any]]:
        """Entity -> its webhook record (webhook, webhookId, guid, resources)."""
        return self._section(instance_id, "entity:")

    def modes(self, instance_id: int) -> dict[str, dict[str, Any]]:
        """Resource -> {mode: webhook|polling, reason, entity, since}."""
        return self._section(instance_id, "resource:")

    def _section(self, instance_id: int, prefix: str) -> dict[str, dict[str, Any]]:
        raw = self.redis.hgetall(self.keys.webhook_instance(instance_id))
        return {
            name[len(prefix) :]: json.loads(value)
            for name, value in raw.items()
            if name.startswith(prefix)
        }

    def put_webhook(self, instance_id: int, entity: str, record: dict[str, Any]) -> None:
        self.redis.hset(
            self.keys.webhook_instance(instance_id), f"entity:{entity}", json.dumps(record)
        )

    def drop_webhook(self, instance_id: int, entity: str) -> None:
        self.redis.hdel(self.keys.webhook_instance(instance_id), f"entity:{entity}")

    def set_mode(
        self, instance_id: int, resource: str, mode: str, reason: str, entity: str | None
    ) -> None:
        key = self.keys.webhook_instance(instance_id)
        before = self.redis.hget(key, f"resource:{resource}")
        since = utc_now()
        if before is not None:
            old = json.loads(before)
            if (old["mode"], old["reason"]) == (mode, reason):
                since = old["since"]  # unchanged: it holds since then
        record = {"mode": mode, "reason": reason, "entity": entity, "since": since}
        self.redis.hset(
            self.keys.webhook_instance(instance_id), f"resource:{resource}", json.dumps(record)
        )

    def clear_modes(self, instance_id: int, keep: set[str]) -> None:
        """Forget the modes of resources no longer watched."""
        stale = [f"resource:{r}" for r in self.modes(instance_id) if r not in keep]
        if stale:
            self.redis.hdel(self.keys.webhook_instance(instance_id), *stale)

    def drop_instance(self, instance_id: int) -> None:
        """Forget the instance's hook (its callouts answer 404 from now on) and webhooks."""
        found = self.hook_of(instance_id)
        with self.redis.pipeline() as pipe:
            if found is not None:
                pipe.delete(self.keys.webhook_hook(found[0]))
            pipe.delete(self.keys.webhook_instance(instance_id))
            pipe.execute()

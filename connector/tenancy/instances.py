"""The instance store in Redis: encrypted credentials, tokens kept as hashes (and, when the
operator allows readable tokens, also encrypted).

An instance is one connection to one Autotask database, owned by an organization. Secret
configuration values (the API user's secret, the integration code) are encrypted with the
service's Fernet key before they reach Redis; the instance token is random, shown once, and
stored as its SHA-256 hash, which is also the look-up key for hub calls.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis

from connector.errors import NotFoundError
from connector.storage.keys import Keys
from connector.storage.local_cache import LocalCache, forget, group
from connector.tenancy import element
from connector.tenancy.secrets_box import SecretBox, hash_secret, new_secret


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Instance:
    id: int
    organizationId: int
    userId: int
    name: str
    tags: list[str]
    configuration: dict[str, str]  # non-secret values, in clear
    secrets: dict[str, str]  # secret values, Fernet ciphertext
    zone: dict[str, Any]  # name, url, webUrl, ci: where this database lives
    tokenHash: str
    createdDate: str = field(default_factory=utc_now)
    updatedDate: str = field(default_factory=utc_now)
    disabled: bool = False
    valid: bool = True
    cachingEnabled: bool = False
    cacheTimeToLive: int = 0
    maxCacheSize: int = 0
    eventsEnabled: bool = False
    traceLoggingEnabled: bool = False
    # the token, Fernet-encrypted, only when the operator allows readable tokens
    tokenCipher: str | None = None

    def config_value(self, key: str, box: SecretBox) -> str | None:
        """A configuration value in clear (decrypting secrets); None when unset."""
        if key in self.secrets:
            return box.decrypt(self.secrets[key])
        return self.configuration.get(key)

    def set_config(self, key: str, value: str | None, box: SecretBox) -> None:
        spec = element.config_key(key)
        self.configuration.pop(key, None)
        self.secrets.pop(key, None)
        if value is None:
            return
        # a key this element ignores is kept encrypted: it may be another element's secret
        if spec is None or spec.secret:
            self.secrets[key] = box.encrypt(value)
        else:
            self.configuration[key] = value

    def option(self, key: str) -> str | None:
        """A non-secret configuration value, or its documented default."""
        value = self.configuration.get(key)
        if value is None:
            spec = element.config_key(key)
            value = spec.default if spec else None
        return value


class InstanceStore:
    def __init__(self, client: redis.Redis, keys: Keys, local: LocalCache | None = None) -> None:
        self.redis = client
        self.keys = keys
        self.local = local

    def _changed(self, instance: Instance) -> None:
        """Every process forgets its copies of this instance (see connector.storage.local_cache)."""
        forget(self.local, self.redis, self.keys, [group("instance", instance.id)])

    def next_id(self) -> int:
        return int(self.redis.incr(self.keys.sequence("instance")))

    @staticmethod
    def new_token() -> tuple[str, str]:
        """A fresh token and its hash."""
        token = new_secret(32)
        return token, hash_secret(token)

    def save(self, instance: Instance, *, is_new: bool = False) -> None:
        """Store the instance. A change never brings back a deleted instance, and never
        writes back a token hash: the token belongs to `rotate_token` alone."""
        instance.updatedDate = utc_now()
        if is_new:
            with self.redis.pipeline() as pipe:
                pipe.set(self.keys.instance(instance.id), json.dumps(asdict(instance)))
                pipe.sadd(self.keys.org_instances(str(instance.organizationId)), instance.id)
                pipe.set(self.keys.instance_by_token(instance.tokenHash), instance.id)
                pipe.execute()
            return

        def write(pipe: Any, current: dict[str, Any]) -> None:
            instance.tokenHash = current["tokenHash"]
            instance.tokenCipher = current.get("tokenCipher")
            pipe.set(self.keys.instance(instance.id), json.dumps(asdict(instance)))

        self._change(instance.id, write)
        self._changed(instance)

    def pin_zone(self, instance_id: int, zone: dict[str, Any]) -> None:
        """Keep a zone proved with the instance's credentials (after a database moved)."""

        def write(pipe: Any, current: dict[str, Any]) -> None:
            current["zone"] = {**current.get("zone", {}), **zone}
            pipe.set(self.keys.instance(instance_id), json.dumps(current))

        self._change(instance_id, write)
        forget(self.local, self.redis, self.keys, [group("instance", instance_id)])

    def _change(self, instance_id: int, write: Callable[[Any, dict[str, Any]], None]) -> None:
        """Run `write(pipe, stored record)` in MULTI under WATCH of the record: a concurrent
        change makes it read again; a record deleted meanwhile is a 404."""
        key = self.keys.instance(instance_id)
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    if raw is None:
                        raise NotFoundError(f"No instance {instance_id}: it was deleted")
                    current = json.loads(raw)
                    pipe.multi()
                    write(pipe, current)
                    pipe.execute()
                    return
                except redis.WatchError:
                    continue

    def get(self, instance_id: int | str) -> Instance | None:
        raw = self.redis.get(self.keys.instance(instance_id))
        return Instance(**json.loads(raw)) if raw else None

    def get_for_org(self, instance_id: int | str, org_id: int) -> Instance | None:
        """The instance when the organization owns it; None otherwise (answered as 404)."""
        try:
            instance = self.get(int(instance_id))
        except ValueError:
            return None
        if instance is None or instance.organizationId != org_id:
            return None
        return instance

    def list_for_org(self, org_id: int, tags: list[str] | None = None) -> list[Instance]:
        ids = sorted(int(i) for i in self.redis.smembers(self.keys.org_instances(str(org_id))))
        if not ids:
            return []
        raws = self.redis.mget([self.keys.instance(i) for i in ids])
        found = [Instance(**json.loads(raw)) for raw in raws if raw]
        if tags:
            wanted = set(tags)
            found = [i for i in found if wanted & set(i.tags)]
        return found

    def list_all(self, batch: int = 500) -> list[Instance]:
        """Every instance of every organization, by id (for operators' commands)."""
        last = int(self.redis.get(self.keys.sequence("instance")) or 0)
        found: list[Instance] = []
        for start in range(1, last + 1, batch):
            ids = range(start, min(start + batch, last + 1))
            raws = self.redis.mget([self.keys.instance(i) for i in ids])
            found += [Instance(**json.loads(raw)) for raw in raws if raw]
        return found

    def by_token(self, token: str) -> Instance | None:
        instance_id = self.redis.get(self.keys.instance_by_token(hash_secret(token)))
        return self.get(instance_id) if instance_id else None

    def rotate_token(self, instance: Instance, seal: Callable[[str], str] | None = None) -> str:
        """A new token; the old one is refused from this moment. `seal` encrypts it for
        readable tokens (None: only its hash is kept)."""
        token, token_hash = self.new_token()
        cipher = seal(token) if seal else None

        def write(pipe: Any, current: dict[str, Any]) -> None:
            # MULTI/EXEC: the stored old token and the new one are never valid together
            instance.tokenHash, instance.tokenCipher = token_hash, cipher
            instance.updatedDate = utc_now()
            pipe.delete(self.keys.instance_by_token(current["tokenHash"]))
            pipe.set(self.keys.instance_by_token(token_hash), instance.id)
            pipe.set(
                self.keys.instance(instance.id),
                json.dumps(
                    {
                        **current,
                        "tokenHash": token_hash,
                        "tokenCipher": cipher,
                        "updatedDate": instance.updatedDate,
                    }
                ),
            )

        self._change(instance.id, write)
        self._changed(instance)
        return token

    def delete(self, instance: Instance) -> None:
        def write(pipe: Any, current: dict[str, Any]) -> None:
            pipe.delete(self.keys.instance_by_token(current["tokenHash"]))
            pipe.srem(self.keys.org_instances(str(instance.organizationId)), instance.id)
            pipe.delete(self.keys.instance(instance.id))

        self._change(instance.id, write)
        self._changed(instance)

"""Definitions and transformations in Redis, shared by every worker.

One hash per owner and kind, field = the virtual resource's name, value = the JSON document in
Cloud Elements' shape:
- `keys.definitions("org", <org id>)`, `keys.definitions("instance", <instance id>)`
- `keys.transformations("org", <org id>, "autotaskcrm")`, and the same for an instance.
Reading what one instance sees of a name costs one round trip (four HGETs in a pipeline).
Changes that must check other documents first (a definition still in use) run in a WATCH/MULTI
transaction over every hash they read, so a concurrent change makes them retry, not race.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import redis

from connector.storage.keys import Keys
from connector.storage.local_cache import LocalCache, forget, group
from connector.tenancy.element import ELEMENT_KEY
from connector.virtual.inherit import INSTANCE, ORG, Stored

T = TypeVar("T")
Reader = Any  # a redis.Redis, or a pipeline in immediate mode after WATCH


@dataclass(frozen=True)
class Scope:
    """Who owns a document: an organization (templates) or one instance."""

    level: str  # "organization" | "instance"
    owner: int

    @property
    def key_scope(self) -> str:
        return "org" if self.level == ORG else "instance"


def org_scope(org_id: int) -> Scope:
    return Scope(ORG, org_id)


def instance_scope(instance_id: int) -> Scope:
    return Scope(INSTANCE, instance_id)


class VdrStore:
    def __init__(self, client: redis.Redis, keys: Keys, local: LocalCache | None = None) -> None:
        self.redis = client
        self.keys = keys
        # Every hub call asks `stored` for its resource name: a local copy spares the round
        # trip; a write of a name (at any level) makes every process forget it.
        self.local = local
        self._touched = threading.local()

    # -- key names ------------------------------------------------------------------------
    def definitions_key(self, scope: Scope) -> str:
        return self.keys.definitions(scope.key_scope, scope.owner)

    def transformations_key(self, scope: Scope) -> str:
        return self.keys.transformations(scope.key_scope, scope.owner, ELEMENT_KEY)

    def keys_of(self, scopes: Iterable[Scope]) -> list[str]:
        found = []
        for scope in scopes:
            found += [self.definitions_key(scope), self.transformations_key(scope)]
        return found

    def drop_instance(self, instance_id: int) -> None:
        """An instance is gone: its own definitions and transformations go with it."""
        scope = instance_scope(instance_id)
        names = set(self.definitions(scope)) | set(self.transformations(scope))
        self.redis.delete(*self.keys_of([scope]))
        self.forget(names)

    # -- reads ------------------------------------------------------------------------------
    def definition(self, scope: Scope, name: str, reader: Reader = None) -> dict[str, Any] | None:
        return _loads((reader or self.redis).hget(self.definitions_key(scope), name))

    def definitions(self, scope: Scope, reader: Reader = None) -> dict[str, dict[str, Any]]:
        raw = (reader or self.redis).hgetall(self.definitions_key(scope))
        return {name: json.loads(value) for name, value in sorted(raw.items())}

    def transformation(
        self, scope: Scope, name: str, reader: Reader = None
    ) -> dict[str, Any] | None:
        return _loads((reader or self.redis).hget(self.transformations_key(scope), name))

    def transformations(self, scope: Scope, reader: Reader = None) -> dict[str, dict[str, Any]]:
        raw = (reader or self.redis).hgetall(self.transformations_key(scope))
        return {name: json.loads(value) for name, value in sorted(raw.items())}

    def bytes_held(self, scopes: Iterable[Scope]) -> int:
        """What these scopes' documents take in Redis (names and JSON), in one round trip."""
        with self.redis.pipeline(transaction=False) as pipe:
            for key in self.keys_of(scopes):
                pipe.hgetall(key)
            found = pipe.execute()
        return sum(len(name) + len(doc) for held in found for name, doc in held.items())

    def stored(self, org_id: int, instance_id: int | None, name: str) -> Stored:
        """What the instance (or, with None, the organization alone) holds for `name`."""
        if self.local is None:
            return self._stored(org_id, instance_id, name)
        field = f"vdr:{org_id}:{instance_id}:{name}"
        copied = self.local.get(field)
        if copied is not None:
            return copied
        since = self.local.generation()
        found = self._stored(org_id, instance_id, name)
        self.local.put(field, found, [group("vdr-name", name)], since=since)
        return found

    def _stored(self, org_id: int, instance_id: int | None, name: str) -> Stored:
        org = org_scope(org_id)
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.hget(self.definitions_key(org), name)
            pipe.hget(self.transformations_key(org), name)
            if instance_id is not None:
                own = instance_scope(instance_id)
                pipe.hget(self.definitions_key(own), name)
                pipe.hget(self.transformations_key(own), name)
            values = [_loads(v) for v in pipe.execute()]
        values += [None, None]
        return Stored(name, values[0], values[2], values[1], values[3])

    def stored_all(self, org_id: int, instance_id: int | None) -> dict[str, Stored]:
        """Every name with a document at the organization or the instance level."""
        scopes = [org_scope(org_id)] + ([instance_scope(instance_id)] if instance_id else [])
        with self.redis.pipeline(transaction=False) as pipe:
            for key in self.keys_of(scopes):
                pipe.hgetall(key)
            raw = pipe.execute()
        docs = [{n: json.loads(v) for n, v in part.items()} for part in raw] + [{}, {}]
        org_defs, org_xfs, inst_defs, inst_xfs = docs[:4]
        names = sorted(set(org_defs) | set(org_xfs) | set(inst_defs) | set(inst_xfs))
        return {
            n: Stored(n, org_defs.get(n), inst_defs.get(n), org_xfs.get(n), inst_xfs.get(n))
            for n in names
        }

    def instances_holding(self, org_instances: Iterable[int], reader: Reader = None) -> list[int]:
        """The instances (of those given) that hold a document of their own."""
        ids = list(org_instances)
        if not ids:
            return []
        with self.redis.pipeline(transaction=False) as pipe:
            for instance_id in ids:
                for key in self.keys_of([instance_scope(instance_id)]):
                    pipe.exists(key)
            flags = pipe.execute()
        return [i for n, i in enumerate(ids) if flags[2 * n] or flags[2 * n + 1]]

    # -- writes -----------------------------------------------------------------------------
    def transaction(
        self,
        watched: Callable[[Reader], list[str]],
        work: Callable[[Reader], Callable[[Any], None]],
    ) -> None:
        """Run `work(reader)` under WATCH of the keys `watched(reader)` names (it may WATCH
        some itself before it looks up the rest); `work` checks what it reads and returns the
        writes to queue (a function of the MULTI pipeline). When a watched key changes
        meanwhile, everything runs again, `watched` included."""
        while True:
            with self.redis.pipeline() as pipe:
                try:
                    pipe.watch(*watched(pipe))
                    writes = work(pipe)
                    pipe.multi()
                    self._touched.names = set()
                    writes(pipe)
                    pipe.execute()
                    self.forget(self._touched.names)
                    return
                except redis.WatchError:
                    continue

    def version_key(self, org_id: int) -> str:
        """Bumped by every transformation change in the organization, at any level: a
        definition change watches it, so a transformation saved meanwhile at an instance it
        did not know of makes it look again."""
        return self.keys.vdr_version(org_id)

    def bump(self, pipe: Any, org_id: int) -> None:
        pipe.incr(self.version_key(org_id))

    def put(self, pipe: Any, kind: str, scope: Scope, name: str, doc: dict[str, Any]) -> None:
        key = (
            self.definitions_key(scope) if kind == "definition" else self.transformations_key(scope)
        )
        pipe.hset(key, name, json.dumps(doc, separators=(",", ":")))
        self._touch([name])

    def remove(self, pipe: Any, kind: str, scope: Scope, names: Iterable[str]) -> None:
        names = list(names)
        if names:
            key = (
                self.definitions_key(scope)
                if kind == "definition"
                else self.transformations_key(scope)
            )
            pipe.hdel(key, *names)
            self._touch(names)

    def _touch(self, names: Iterable[str]) -> None:
        touched = getattr(self._touched, "names", None)
        if touched is not None:
            touched.update(names)

    def forget(self, names: Iterable[str]) -> None:
        """After the writes landed: every process drops its copies of these names."""
        forget(self.local, self.redis, self.keys, [group("vdr-name", name) for name in names])


def _loads(raw: str | None) -> dict[str, Any] | None:
    return json.loads(raw) if raw else None

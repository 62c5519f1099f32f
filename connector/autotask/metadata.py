"""Entity metadata: entityInformation, its fields and user-defined fields, and picklists.

Answers are cached in Redis per database (the zone's host and `ci`) for `ttl` seconds, so all
workers share one fetch; each process also keeps what its clients read for a short while (one
copy for all of them: a hub call builds its own client), since a listing may translate
thousands of picklist values and every record read needs the fields. Picklist labels come
from the tenant, in its language: nothing here knows a label in advance.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import redis as redis_lib

from connector.autotask.calls import Caller
from connector.autotask.picklists import Picklist
from connector.errors import MappingError, ProviderFatalError
from connector.storage.keys import Keys

LOCAL_SECONDS = 60.0  # how long this process reuses what it read, before asking Redis again
LOCAL_ENTRIES = 512  # entities x kinds x databases one process keeps; the oldest go first

# What the process's clients read, shared by all of them: each hub call builds its own client,
# and a copy per client would cost every call its Redis round trips again. Keyed by the Redis
# prefix and database, so deployments and tenants on one process never share an entry.
_SHARED: dict[tuple[Any, ...], tuple[float, Any]] = {}
_SHARED_LOCK = threading.Lock()

# kind -> (path under the entity, key of the answer)
_SOURCES = {
    "info": ("entityInformation", "info"),
    "fields": ("entityInformation/fields", "fields"),
    "udfs": ("entityInformation/userDefinedFields", "fields"),
}


class UnknownFieldError(MappingError):
    """A field or picklist the database's metadata does not have."""

    code = "unknown_field"


class Metadata:
    def __init__(self, caller: Caller, redis: redis_lib.Redis, keys: Keys, *, ttl: int) -> None:
        self.caller = caller
        self.redis = redis
        self.keys = keys
        self.ttl = ttl
        self._local = _SHARED
        self._lock = _SHARED_LOCK

    def entity_info(self, entity: str) -> dict[str, Any]:
        """entityInformation's `info`: canCreate, canDelete, hasUserDefinedFields, ..."""
        return self._load(entity, "info") or {}

    def fields(self, entity: str) -> list[dict[str, Any]]:
        return self._load(entity, "fields") or []

    def udfs(self, entity: str) -> list[dict[str, Any]]:
        return self._load(entity, "udfs") or []

    def field(self, entity: str, name: str) -> dict[str, Any] | None:
        """One field's metadata, by name in any case."""
        return _by_name(self.fields(entity), name)

    def udf(self, entity: str, name: str) -> dict[str, Any] | None:
        return _by_name(self.udfs(entity), name)

    def picklist(self, entity: str, field: str) -> Picklist:
        """The picklist of a standard field; labels and values both ways."""
        return self._picklist(entity, field, "fields")

    def udf_picklist(self, entity: str, name: str) -> Picklist:
        return self._picklist(entity, name, "udfs")

    def invalidate(self, entity: str) -> None:
        """Forget an entity's metadata here and in Redis (after an admin changed picklists)."""
        ci = self.caller.database
        self.redis.delete(*(self.keys.metadata(ci, entity, kind) for kind in _SOURCES))
        with self._lock:
            for key in [k for k in self._local if k[:3] == (self.keys.prefix, ci, entity.lower())]:
                del self._local[key]

    # -- loading ---------------------------------------------------------------------------
    def _picklist(self, entity: str, name: str, kind: str) -> Picklist:
        memo_key = (
            self.keys.prefix,
            self.caller.database,
            entity.lower(),
            "picklist",
            kind,
            name.lower(),
        )
        found = self._memo(memo_key)
        if found is not None:
            return found
        meta = _by_name(self.fields(entity) if kind == "fields" else self.udfs(entity), name)
        if meta is None:
            label = "user-defined field" if kind == "udfs" else "field"
            raise UnknownFieldError(f"{entity} has no {label} named {name}")
        lowered = {str(k).lower(): v for k, v in meta.items()}
        if not lowered.get("ispicklist"):
            raise UnknownFieldError(f"{entity}.{name} is not a picklist")
        picklist = Picklist.from_metadata(
            str(lowered.get("name") or name), lowered.get("picklistvalues")
        )
        self._remember(memo_key, picklist)
        return picklist

    def _load(self, entity: str, kind: str) -> Any:
        ci = self.caller.database
        memo_key = (self.keys.prefix, ci, entity.lower(), kind)
        found = self._memo(memo_key)
        if found is not None:
            return found
        redis_key = self.keys.metadata(ci, entity, kind)
        raw = self.redis.get(redis_key)
        if raw is not None:
            value = json.loads(raw)
        else:
            path, answer_key = _SOURCES[kind]
            answer = self.caller.call("metadata", "GET", f"{entity}/{path}", endpoint=entity)
            value = {str(k).lower(): v for k, v in (answer or {}).items()}.get(answer_key)
            if value is None:
                raise ProviderFatalError(f"Autotask's {entity} {path} answer has no {answer_key}")
            self.redis.set(redis_key, json.dumps(value), ex=self.ttl)
        self._remember(memo_key, value)
        return value

    def _memo(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            entry = self._local.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def _remember(self, key: tuple[Any, ...], value: Any) -> None:
        with self._lock:
            if len(self._local) >= LOCAL_ENTRIES and key not in self._local:
                del self._local[next(iter(self._local))]  # the oldest entry
            self._local[key] = (time.monotonic() + min(LOCAL_SECONDS, self.ttl), value)


def _by_name(fields: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    wanted = name.lower()
    for meta in fields:
        if str(meta.get("name", meta.get("Name", ""))).lower() == wanted:
            return meta
    return None

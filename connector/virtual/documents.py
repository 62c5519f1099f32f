"""What definitions and transformations share: the store, the documents one name has at
both levels, and clearing the hub caches a change affects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from connector.errors import ValidationError
from connector.hub.cache import HubCache
from connector.tenancy.instances import InstanceStore
from connector.virtual.inherit import INSTANCE, ORG, Stored, effective_definition
from connector.virtual.model import VirtualMap
from connector.virtual.store import Reader, Scope, VdrStore, org_scope

DEFINITION, TRANSFORMATION = "definition", "transformation"
Check = Callable[[VirtualMap], None]


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Documents:
    def __init__(self, store: VdrStore, instances: InstanceStore) -> None:
        self.store = store
        self.instances = instances

    def _stored(self, scope: Scope, org_id: int, name: str, reader: Reader = None) -> Stored:
        if reader is None:
            return self.store.stored(org_id, scope.owner if scope.level == INSTANCE else None, name)
        org = org_scope(org_id)
        own = scope if scope.level == INSTANCE else None
        return Stored(
            name,
            self.store.definition(org, name, reader),
            self.store.definition(own, name, reader) if own else None,
            self.store.transformation(org, name, reader),
            self.store.transformation(own, name, reader) if own else None,
        )

    def _changed(self, scope: Scope, org_id: int) -> None:
        """Cached hub answers may hold the old shape: clear the caches that are on."""
        if scope.level == INSTANCE:
            found = self.instances.get(scope.owner)
            affected = [found] if found else []
        else:
            affected = self.instances.list_for_org(org_id)
        for instance in affected:
            if instance.cachingEnabled:
                HubCache(self.store.redis, self.store.keys, instance.id, enabled=True).clear()


def unmapped_paths(stored: Stored, *, instance_level: bool) -> set[str] | None:
    """Paths the applicable transformation maps that its definition lacks; None when no
    transformation applies at that level."""
    if instance_level:
        xf = stored.instance_transformation
        if xf is None:
            return None
        mapped = {f["path"] for f in xf["fields"]}
        if stored.uses_org and stored.org_transformation:
            mapped |= {f["path"] for f in stored.org_transformation["fields"]}
        view = stored
    else:
        if stored.org_transformation is None:
            return None
        mapped = {f["path"] for f in stored.org_transformation["fields"]}
        view = _org_only(stored)
    return mapped - {f.path for f in effective_definition(view)}


def _org_only(stored: Stored) -> Stored:
    return Stored(stored.name, stored.org_definition, None, stored.org_transformation, None)


def with_doc(stored: Stored, level: str, kind: str, doc: dict[str, Any] | None) -> Stored:
    attr = ("org_" if level == ORG else "instance_") + kind
    values = {
        "org_definition": stored.org_definition,
        "instance_definition": stored.instance_definition,
        "org_transformation": stored.org_transformation,
        "instance_transformation": stored.instance_transformation,
    }
    values[attr] = doc
    return Stored(stored.name, **values)


def level_name(scope: Scope) -> str:
    return "organization" if scope.level == ORG else f"instance {scope.owner}"


def check_level(body: dict[str, Any], scope: Scope, what: str) -> None:
    given = body.get("level")
    if given is not None and given != scope.level:
        raise ValidationError(
            f"Invalid {what}: level '{given}' does not fit this path (it is '{scope.level}' level)"
        )

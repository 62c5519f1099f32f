"""Which URL each entity's create, update and delete use, read from routes.yaml.

Reads always go to the flat entity name; writes of child entities (Contacts, CompanyNotes,
CompanyToDos, TicketNotes, webhook fields...) go under their parent, and some entities refuse
an operation altogether. The table is data; this module only validates and applies it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from connector.errors import ConfigurationError, ValidationError

ROUTES_FILE = Path(__file__).with_name("routes.yaml")
OPERATIONS = ("create", "update", "delete")
ROOT, CHILD, NONE = "root", "child", "none"


@dataclass(frozen=True)
class Parent:
    entity: str  # e.g. "Companies"
    field: str  # the foreign key in a child's body, e.g. "companyID"
    path: str  # the child's segment under the parent, e.g. "Notes"


@dataclass(frozen=True)
class Route:
    """The write URLs of one entity."""

    entity: str
    create: str = ROOT
    update: str = ROOT
    delete: str = ROOT
    parent: Parent | None = None

    def allows(self, operation: str) -> bool:
        return getattr(self, operation) != NONE

    def needs_parent(self, operation: str) -> bool:
        return getattr(self, operation) == CHILD

    def collection(self, operation: str, parent_id: int | None = None) -> str:
        """The path (under V1.0/) that a create or update is sent to."""
        if self.needs_parent(operation):
            if self.parent is None:
                raise ConfigurationError(f"The route of {self.entity} names no parent entity")
            if parent_id is None:
                raise ValidationError(f"{self.entity} is written under its parent: name it")
            return f"{self.parent.entity}/{int(parent_id)}/{self.parent.path}"
        return self.entity

    def item(self, operation: str, record_id: int, parent_id: int | None = None) -> str:
        """The path (under V1.0/) of one record, for a delete."""
        return f"{self.collection(operation, parent_id)}/{int(record_id)}"

    def parent_id_in(self, body: Mapping[str, Any]) -> int | None:
        """The parent id carried by a body's foreign key (any key case), if any."""
        if self.parent is None:
            return None
        wanted = self.parent.field.lower()
        for key, value in body.items():
            if str(key).lower() == wanted and value not in (None, ""):
                return int(value)
        return None


class Routes:
    """All routes, looked up by entity name in any case; unknown entities write at the root."""

    def __init__(self, routes: Mapping[str, Route]) -> None:
        self._by_name = {name.lower(): route for name, route in routes.items()}

    def __getitem__(self, entity: str) -> Route:
        return self._by_name.get(entity.lower()) or Route(entity)

    def __contains__(self, entity: object) -> bool:
        return isinstance(entity, str) and entity.lower() in self._by_name

    @classmethod
    def from_mapping(cls, raw: Any, source: str = "routes") -> Routes:
        if not isinstance(raw, dict):
            raise ConfigurationError(f"{source}: expected a mapping of entity names")
        return cls({name: _route(name, spec or {}, source) for name, spec in raw.items()})


@cache
def default_routes() -> Routes:
    """The shipped table (loaded once per process)."""
    with ROUTES_FILE.open(encoding="utf-8") as handle:
        return Routes.from_mapping(yaml.safe_load(handle), ROUTES_FILE.name)


def _route(name: str, spec: Any, source: str) -> Route:
    where = f"{source}: {name}"
    if not isinstance(spec, dict):
        raise ConfigurationError(f"{where}: expected a mapping")
    unknown = set(spec) - {*OPERATIONS, "parent"}
    if unknown:
        raise ConfigurationError(f"{where}: unknown keys {sorted(unknown)}")
    kinds = {op: spec.get(op, ROOT) for op in OPERATIONS}
    for op, kind in kinds.items():
        if kind not in (ROOT, CHILD, NONE):
            raise ConfigurationError(f"{where}.{op}: expected root, child or none, not {kind!r}")
    parent = None
    if "parent" in spec:
        raw = spec["parent"]
        if not isinstance(raw, dict) or {"entity", "field", "path"} - set(raw):
            raise ConfigurationError(f"{where}.parent: needs entity, field and path")
        parent = Parent(str(raw["entity"]), str(raw["field"]), str(raw["path"]))
    if CHILD in kinds.values() and parent is None:
        raise ConfigurationError(f"{where}: a child operation needs a parent")
    return Route(name, parent=parent, **kinds)

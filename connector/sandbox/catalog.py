"""The sandbox's entity model: the definitions `catalog_loader` builds from `data/*.yaml`.

Frozen definitions of entities, fields, picklists and user-defined fields, and the `Catalog`
that answers lookups on them (names match case-insensitively, as Autotask's do).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"

DATA_TYPES = {"integer", "long", "short", "string", "boolean", "datetime", "decimal", "double"}
INTEGER_TYPES = {"integer", "long", "short"}
WRITE_MODES = {"root", "child", "none"}
ERROR_LOGS = "WebhookEventErrorLogs"  # where callouts that failed every attempt are kept
DELETED_TICKETS = "DeletedTicketLogs"  # where a ticket deleted in the UI leaves its trace
# Security-level permissions an API user may lack (`api_users[].<name>: false`); an entity's
# `permissions` maps an operation (query covers every read) to the one it needs.
PERMISSIONS = {"serviceDeskAdmin", "canCreateWebhooks"}
PERMISSION_ACTIONS = {"query", "create", "update", "delete"}
SYSTEM_ROLES = {
    "created",
    "creator",
    "activity",
    "modified",
    "tracked",
    "impersonatorCreator",
    "impersonatorUpdater",
}


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    """A data file, parsed safely (with libyaml when present: the catalog loads per worker)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader


class CatalogError(ValueError):
    """A data file that does not describe a valid entity, picklist or UDF."""


@dataclass(frozen=True)
class PicklistValue:
    value: int | str
    label: str
    is_active: bool = True
    is_system: bool = False
    is_default: bool = False
    sort_order: int = 0
    parent_value: int | str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "value": str(self.value),
            "label": self.label,
            "isDefaultValue": self.is_default,
            "sortOrder": self.sort_order,
            "parentValue": "" if self.parent_value is None else str(self.parent_value),
            "isActive": self.is_active,
            "isSystem": self.is_system,
        }


@dataclass(frozen=True)
class FieldDef:
    name: str
    data_type: str
    length: int = 0
    required: bool = False
    read_only: bool = False
    queryable: bool = True
    reference: str | None = None
    picklist: str | None = None
    picklist_parent: str | None = None
    default: Any = None
    index: bool = False
    webhook_field_id: int = 0
    minimum: float | None = None
    maximum: float | None = None
    allowed: tuple[Any, ...] | None = None
    picklist_of: str | None = None  # "fields:Companies" / "udfs:Companies" (webhook children)
    write_only: bool = False  # taken on writes, never answered (a portal user's password)

    @property
    def is_picklist(self) -> bool:
        return bool(self.picklist or self.picklist_of)

    @property
    def is_string(self) -> bool:
        return self.data_type == "string"


@dataclass(frozen=True)
class UdfDef:
    id: int
    name: str
    label: str
    length: int
    description: str = ""
    required: bool = False
    picklist: tuple[PicklistValue, ...] | None = None
    default: str | None = None

    def picklist_value(self, value: str) -> PicklistValue | None:
        for item in self.picklist or ():
            if str(item.value) == value:
                return item
        return None


@dataclass(frozen=True)
class Touch:
    """A write to this entity counts as activity on the record its `field` points to."""

    field: str
    entity: str
    set: str


@dataclass(frozen=True)
class EntityDef:
    name: str
    singular: str
    id_start: int
    info: dict[str, Any]
    fields: tuple[FieldDef, ...]
    create: str = "root"
    update: str = "root"
    delete: str = "none"
    parent_entity: str | None = None
    parent_field: str | None = None
    children: dict[str, str] = dc_field(default_factory=dict)  # URL alias -> child entity name
    system: dict[str, Any] = dc_field(default_factory=dict)
    touches: tuple[Touch, ...] = ()
    rules: str | None = None
    webhook_entity_type: str | None = None
    webhook_for: str | None = None  # a webhook entity: the entity whose changes it reports
    error_log_field: str | None = None  # a webhook entity: its id column in the error log
    retention_days: int | None = None  # rows older than this (by `system.created`) are pruned
    permissions: dict[str, str] = dc_field(default_factory=dict)  # operation -> permission
    ui_delete: bool = True  # the Autotask UI can delete its records (`DELETE /_sandbox/records`)
    udfs: tuple[UdfDef, ...] = ()
    by_lower: dict[str, FieldDef] = dc_field(default_factory=dict)

    def field(self, name: str) -> FieldDef | None:
        return self.by_lower.get(name.lower())

    def udf(self, name: str) -> UdfDef | None:
        lowered = name.lower()
        for udf in self.udfs:
            if udf.name.lower() == lowered:
                return udf
        return None

    def system_fields(self, role: str) -> list[str]:
        value = self.system.get(role)
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]

    @property
    def table(self) -> str:
        return self.name


@dataclass(frozen=True)
class TicketCategory:
    """A ticket category's settings the Tickets rules read (seed 002)."""

    queue_required: str  # Always | Never | RequiredWhenPrimaryResourceIdBlank
    due_days: int | None = None  # the Due Date default: days after creation
    due_time: str | None = None  # the Due Time default: "HH:MM" UTC
    rma_status: int | None = None  # the rmaStatus default of an RMA ticket

    @property
    def has_due_date_and_time(self) -> bool:
        return self.due_days is not None and self.due_time is not None


QUEUE_REQUIRED = {"Always", "Never", "RequiredWhenPrimaryResourceIdBlank"}


@dataclass(frozen=True)
class Catalog:
    entities: dict[str, EntityDef]  # lower-case name -> definition
    picklists: dict[str, tuple[PicklistValue, ...]]
    lookups: dict[str, tuple[dict[str, Any], ...]]  # references to entities not served
    ticket_categories: dict[int, TicketCategory] = dc_field(default_factory=dict)

    def entity(self, name: str) -> EntityDef | None:
        return self.entities.get(name.lower())

    def child(self, parent: EntityDef, alias: str) -> EntityDef | None:
        for key, child_name in parent.children.items():
            if key.lower() == alias.lower():
                return self.entities[child_name.lower()]
        return None

    def alias_of(self, parent: EntityDef, child: EntityDef) -> str | None:
        for key, child_name in parent.children.items():
            if child_name == child.name:
                return key
        return None

    def picklist(self, name: str) -> tuple[PicklistValue, ...]:
        return self.picklists[name]

    def picklist_for(self, item: FieldDef) -> tuple[PicklistValue, ...]:
        """A field's picklist: a named tenant list, or the fields/UDFs of another entity."""
        if item.picklist:
            return self.picklists[item.picklist]
        kind, _, entity_name = (item.picklist_of or "").partition(":")
        entity = self.entities[entity_name.lower()]
        if kind == "udfs":
            return tuple(
                PicklistValue(u.id, u.name, sort_order=n) for n, u in enumerate(entity.udfs)
            )
        return tuple(
            PicklistValue(f.webhook_field_id, f.name, sort_order=n)
            for n, f in enumerate(entity.fields)
        )

    def webhook_entities_for(self, entity: EntityDef) -> list[EntityDef]:
        return [e for e in self.entities.values() if e.webhook_for == entity.name]


@functools.cache
def default_catalog() -> Catalog:
    """The shipped data files, loaded once per process."""
    from connector.sandbox.catalog_loader import load_catalog

    return load_catalog()

"""Build the catalog from the YAML files in `data/`, checking every one first.

Runtime code never touches raw YAML: each file is checked and turned into frozen
`EntityDef`/`FieldDef`/`UdfDef` objects; a bad file fails at start with its name and field.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from connector.sandbox.catalog import (
    DATA_DIR,
    DATA_TYPES,
    ERROR_LOGS,
    PERMISSION_ACTIONS,
    PERMISSIONS,
    QUEUE_REQUIRED,
    SYSTEM_ROLES,
    WRITE_MODES,
    Catalog,
    CatalogError,
    EntityDef,
    FieldDef,
    PicklistValue,
    TicketCategory,
    Touch,
    UdfDef,
    load_yaml,
)

_FIELD_KEYS = {
    "name",
    "type",
    "length",
    "required",
    "readOnly",
    "queryable",
    "reference",
    "picklist",
    "picklistParent",
    "default",
    "index",
    "webhookFieldID",
    "min",
    "max",
    "allowed",
    "picklistOf",
    "writeOnly",
}


def _picklist(raw: list[dict[str, Any]], where: str) -> tuple[PicklistValue, ...]:
    values = []
    for position, item in enumerate(raw):
        unknown = set(item) - {
            "value",
            "label",
            "isActive",
            "isSystem",
            "isDefaultValue",
            "sortOrder",
            "parentValue",
        }
        if unknown or "value" not in item or "label" not in item:
            raise CatalogError(f"{where}: picklist item {item!r} is malformed")
        values.append(
            PicklistValue(
                value=item["value"],
                label=str(item["label"]),
                is_active=bool(item.get("isActive", True)),
                is_system=bool(item.get("isSystem", False)),
                is_default=bool(item.get("isDefaultValue", False)),
                sort_order=int(item.get("sortOrder", position)),
                parent_value=item.get("parentValue"),
            )
        )
    return tuple(values)


def _field(raw: dict[str, Any], where: str) -> FieldDef:
    unknown = set(raw) - _FIELD_KEYS
    if unknown:
        raise CatalogError(f"{where}: unknown keys {sorted(unknown)}")
    if raw.get("type") not in DATA_TYPES:
        raise CatalogError(f"{where}: type must be one of {sorted(DATA_TYPES)}")
    allowed = raw.get("allowed")
    return FieldDef(
        name=raw["name"],
        data_type=raw["type"],
        length=int(raw.get("length", 0)),
        required=bool(raw.get("required", False)),
        read_only=bool(raw.get("readOnly", False)),
        queryable=bool(raw.get("queryable", True)),
        reference=raw.get("reference"),
        picklist=raw.get("picklist"),
        picklist_parent=raw.get("picklistParent"),
        default=raw.get("default"),
        index=bool(raw.get("index", False)),
        webhook_field_id=int(raw.get("webhookFieldID", 0)),
        minimum=raw.get("min"),
        maximum=raw.get("max"),
        allowed=tuple(allowed) if allowed is not None else None,
        picklist_of=raw.get("picklistOf"),
        write_only=bool(raw.get("writeOnly", False)),
    )


def _entity(raw: dict[str, Any], path: Path, udfs: tuple[UdfDef, ...]) -> EntityDef:
    where = path.name
    fields: list[FieldDef] = []
    for position, item in enumerate(raw.get("fields") or []):
        fields.append(_field(item, f"{where} field {item.get('name', position)!r}"))
    # Fields without an explicit webhook field id get stable ids clear of the explicit ones.
    numbered = []
    taken = {f.webhook_field_id for f in fields if f.webhook_field_id}
    for position, item in enumerate(fields):
        if not item.webhook_field_id:
            number = 100 + position
            while number in taken:
                number += 1
            taken.add(number)
            item = replace(item, webhook_field_id=number)
        numbered.append(item)
    by_lower = {f.name.lower(): f for f in numbered}
    if "id" not in by_lower:
        raise CatalogError(f"{where}: every entity needs an id field")
    writes = raw.get("writes") or {}
    for verb in ("create", "update", "delete"):
        if writes.get(verb, "none") not in WRITE_MODES:
            raise CatalogError(f"{where}: writes.{verb} must be one of {sorted(WRITE_MODES)}")
    system = raw.get("system") or {}
    if set(system) - SYSTEM_ROLES:
        raise CatalogError(f"{where}: unknown system roles {sorted(set(system) - SYSTEM_ROLES)}")
    for role, names in system.items():
        for name in names if isinstance(names, list) else [names]:
            if name.lower() not in by_lower:
                raise CatalogError(f"{where}: system.{role} names unknown field {name!r}")
    if raw.get("retentionDays") and not system.get("created"):
        raise CatalogError(f"{where}: retentionDays needs a system.created field to age rows by")
    permissions = dict(raw.get("permissions") or {})
    if set(permissions) - PERMISSION_ACTIONS or set(permissions.values()) - PERMISSIONS:
        raise CatalogError(
            f"{where}: permissions maps {sorted(PERMISSION_ACTIONS)} to {sorted(PERMISSIONS)}"
        )
    parent = raw.get("parent") or {}
    touches = tuple(Touch(**item) for item in raw.get("touches") or [])
    return EntityDef(
        name=raw["name"],
        singular=raw.get("singular", raw["name"]),
        id_start=int(raw.get("idStart", 1)),
        info=dict(raw.get("info") or {}),
        fields=tuple(numbered),
        create=writes.get("create", "none"),
        update=writes.get("update", "none"),
        delete=writes.get("delete", "none"),
        parent_entity=parent.get("entity"),
        parent_field=parent.get("field"),
        children=dict(raw.get("children") or {}),
        system=dict(system),
        touches=touches,
        rules=raw.get("rules"),
        webhook_entity_type=raw.get("webhookEntityType"),
        webhook_for=raw.get("webhookFor"),
        error_log_field=raw.get("errorLogField"),
        retention_days=int(raw["retentionDays"]) if raw.get("retentionDays") else None,
        permissions=permissions,
        ui_delete=bool(raw.get("uiDelete", True)),
        udfs=udfs,
        by_lower=by_lower,
    )


def _udfs(raw: list[dict[str, Any]], where: str) -> tuple[UdfDef, ...]:
    result = []
    for item in raw:
        picklist = item.get("picklist")
        result.append(
            UdfDef(
                id=int(item["id"]),
                name=item["name"],
                label=item.get("label", item["name"]),
                length=int(item.get("length", 8000)),
                description=item.get("description", ""),
                required=bool(item.get("required", False)),
                picklist=_picklist(picklist, f"{where} {item['name']}") if picklist else None,
                default=item.get("default"),
            )
        )
    return tuple(result)


def _check(catalog: Catalog) -> None:
    for entity in catalog.entities.values():
        for item in entity.fields:
            where = f"{entity.name}.{item.name}"
            if item.picklist and item.picklist not in catalog.picklists:
                raise CatalogError(f"{where}: unknown picklist {item.picklist!r}")
            if item.reference and not (
                catalog.entity(item.reference) or item.reference in catalog.lookups
            ):
                raise CatalogError(f"{where}: unknown reference {item.reference!r}")
            if item.picklist_of:
                kind, _, target = item.picklist_of.partition(":")
                if kind not in ("fields", "udfs") or not catalog.entity(target):
                    raise CatalogError(
                        f"{where}: picklistOf must be fields:<Entity> or udfs:<Entity>"
                    )
            if item.picklist_parent and not entity.field(item.picklist_parent):
                raise CatalogError(f"{where}: unknown picklistParent {item.picklist_parent!r}")
        for child in entity.children.values():
            if not catalog.entity(child):
                raise CatalogError(f"{entity.name}: unknown child entity {child!r}")
        if entity.webhook_for and not catalog.entity(entity.webhook_for):
            raise CatalogError(f"{entity.name}: unknown webhookFor {entity.webhook_for!r}")
        logs = catalog.entity(ERROR_LOGS)
        if entity.error_log_field and not (logs and logs.field(entity.error_log_field)):
            raise CatalogError(
                f"{entity.name}: errorLogField {entity.error_log_field!r} is not a field of "
                f"{ERROR_LOGS}"
            )
        if entity.parent_entity and not catalog.entity(entity.parent_entity):
            raise CatalogError(f"{entity.name}: unknown parent {entity.parent_entity!r}")


def load_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    """Read and check every data file; raises CatalogError naming the file and field."""
    raw_picklists = load_yaml(data_dir / "picklists.yaml") or {}
    lookups = raw_picklists.pop("_references", {}) or {}
    picklists = {
        name: _picklist(items, f"picklists.yaml {name}") for name, items in raw_picklists.items()
    }
    raw_udfs = load_yaml(data_dir / "udfs.yaml") or {}
    entities: dict[str, EntityDef] = {}
    for path in sorted((data_dir / "entities").glob("*.yaml")):
        raw = load_yaml(path)
        udfs = _udfs(raw_udfs.get(raw["name"], []), f"udfs.yaml {raw['name']}")
        entity = _entity(raw, path, udfs)
        entities[entity.name.lower()] = entity
    tenant = load_yaml(data_dir / "tenant.yaml") or {}
    categories = {}
    for value, item in (tenant.get("ticketCategories") or {}).items():
        if item.get("queueRequired") not in QUEUE_REQUIRED:
            raise CatalogError(
                f"tenant.yaml category {value}: queueRequired must be one of "
                f"{sorted(QUEUE_REQUIRED)}"
            )
        due_time = item.get("dueTime")
        if due_time is not None and not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", due_time):
            raise CatalogError(f"tenant.yaml category {value}: dueTime must be HH:MM")
        categories[int(value)] = TicketCategory(
            item["queueRequired"],
            due_days=int(item["dueDays"]) if item.get("dueDays") is not None else None,
            due_time=due_time,
            rma_status=item.get("rmaStatus"),
        )
    catalog = Catalog(
        entities=entities,
        picklists=picklists,
        lookups={name: tuple(items) for name, items in lookups.items()},
        ticket_categories=categories,
    )
    _check(catalog)
    return catalog

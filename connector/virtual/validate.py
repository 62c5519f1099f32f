"""Does a transformation fit its base? Every vendorPath must name something the base has, and
every type must convert (see `connector.virtual.convert`). Problems are collected, so one 400 names
them all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connector.errors import NotFoundError, ProviderNotFoundError, ValidationError, listed
from connector.virtual import convert
from connector.virtual.bases import BaseShape, shape_of
from connector.virtual.model import VirtualMap

ID = "id"


def checker(registry: Any, ctx: Any | None) -> Callable[[VirtualMap], None]:
    """The check of a transformation being saved: at an instance (`ctx` reaches its Autotask
    database) every name is checked; at organization level an Autotask entity must be one the
    hub lists, and its field names wait for each instance's first call."""

    def check(vmap: VirtualMap) -> None:
        try:
            base = registry.base(vmap.vendor_name, getattr(ctx, "instance", None))
        except NotFoundError:
            base = None
        known = sorted(registry.normalized)
        if base is None or (
            base.kind == "native" and ctx is None and base.entity not in registry.names()
        ):
            raise ValidationError(
                f"Invalid transformation: vendorName '{vmap.vendor_name}' is neither a "
                f"normalized resource ({', '.join(known)}) nor an Autotask entity the hub "
                "lists (GET /hubs/crm/objects); other entities can be mapped per instance"
            )
        if base.kind == "native" and ctx is not None:
            try:
                ctx.entity_info(base.entity)
            except ProviderNotFoundError:
                raise ValidationError(
                    f"Invalid transformation: Autotask has no entity '{base.entity}'"
                ) from None
        found = problems(vmap, shape_of(base, ctx))
        if found:
            raise ValidationError(
                f"Invalid transformation of '{vmap.name}' onto {base.name}: " + "; ".join(found)
            )

    return check


def problems(vmap: VirtualMap, shape: BaseShape) -> list[str]:
    found: list[str] = []
    unknown: list[str] = []
    for field in vmap.fields:
        if field.path == ID:
            if field.vendor_path.lower() != ID:
                found.append("id is the record's id: map it to the base's id or leave it out")
            if not field.read:
                found.append("id cannot be removed from records (fromVendor)")
        base = shape.lookup_vendor_path(field.vendor_path)
        if base is None:
            unknown.append(field.vendor_path)
            continue
        if _contradicts(field.vendor_type, base.type):
            found.append(
                f"{field.path}: vendorType {field.vendor_type} does not match "
                f"{field.vendor_path}, a {base.type}"
            )
            continue
        base_type = base.type or field.vendor_type
        if not convert.converts(field.type, base_type):
            found.append(
                f"{field.path}: a {field.type} does not convert from {field.vendor_path}, "
                f"a {base_type}"
            )
    if unknown:
        found.insert(0, f"{shape.entity} has no field(s) {listed(unknown)}")
    return found


def _contradicts(vendor_type: str | None, base_type: str | None) -> bool:
    """vendorType is a hint, as in Cloud Elements: `string` fits any field (every value reads
    as text, and Cloud Elements' own mappings call dates strings); another type must match."""
    if not vendor_type or not base_type or vendor_type == "string":
        return False
    return vendor_type != base_type


def describe(vmap: VirtualMap, shape: BaseShape, base_fields: list[dict]) -> list[dict]:
    """Field metadata in Cloud Elements' shape (`GET /hubs/crm/objects/{name}/metadata`)."""
    by_path = {str(f.get("path", "")).lower(): f for f in base_fields}
    described = []
    for defined in vmap.definition:
        mapped = vmap.field(defined.path)
        base = by_path.get(mapped.vendor_path.lower()) if mapped else None
        described.append(
            {
                "path": defined.path,
                "type": defined.type,
                "vendorPath": mapped.vendor_path if mapped else None,
                "vendorDisplayName": (base or {}).get("vendorDisplayName") or defined.path,
                "vendorNativeType": (base or {}).get("vendorNativeType")
                or (shape.type_of(mapped.vendor_path) if mapped else None),
                "vendorRequired": bool((base or {}).get("vendorRequired")),
                "vendorReadOnly": bool((base or {}).get("vendorReadOnly"))
                or not (mapped and mapped.write),
                "hidden": bool(mapped and not mapped.read),
                "custom": False,
                "associatedLevel": defined.level,
                "filterable": ((base or {}).get("filterable") or []) if mapped else [],
                "picklistValues": (base or {}).get("picklistValues"),
            }
        )
    return described

"""Levels: what one instance sees of a virtual resource, from the organization's and its own.

For a name, Redis holds up to four documents: the organization's definition and transformation
(templates for every instance) and the instance's own. The rules:
- No transformation at either level: the name is not virtual for this instance.
- An instance transformation without `inherit` stands alone: its fields, its vendorName, and the
  instance's definition (or the organization's when the instance has none).
- An instance transformation with `inherit` starts from the organization's fields and
  definition and overrides them path by path (instance fields win). The organization's fields
  are inherited only while both name the same vendorName; saving an inheriting transformation
  with another vendorName is refused.
- Only an organization transformation: its fields over the organization's definition, plus the
  instance's own definition fields (unmapped until the instance maps them).
Object passThrough comes from the instance transformation when it says, else the organization's
(when used), else on in both directions (Cloud Elements' default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connector.virtual.model import (
    FieldDef,
    FieldMap,
    VirtualMap,
    definition_fields,
    field_map,
    inherits,
    pass_through,
)

ORG, INSTANCE = "organization", "instance"


@dataclass(frozen=True)
class Stored:
    """What Redis holds for one name, seen from one instance (None where nothing is stored)."""

    name: str
    org_definition: dict[str, Any] | None = None
    instance_definition: dict[str, Any] | None = None
    org_transformation: dict[str, Any] | None = None
    instance_transformation: dict[str, Any] | None = None

    @property
    def inherits(self) -> bool:
        return inherits(self.instance_transformation)

    @property
    def uses_org(self) -> bool:
        """The organization's documents take part in what the instance sees."""
        return self.instance_transformation is None or (
            self.inherits
            and self.org_transformation is not None
            and same_vendor(self.org_transformation, self.instance_transformation)
        )


def same_vendor(one: dict[str, Any] | None, other: dict[str, Any] | None) -> bool:
    if not one or not other:
        return True
    return str(one["vendorName"]).lower() == str(other["vendorName"]).lower()


def effective_definition(stored: Stored) -> list[FieldDef]:
    """The definition fields the instance sees (empty when there is no definition)."""
    own = definition_fields(stored.instance_definition, INSTANCE)
    if stored.instance_transformation is not None and not stored.inherits:
        return own or definition_fields(stored.org_definition, ORG)
    merged = {f.path: f for f in definition_fields(stored.org_definition, ORG)}
    merged.update({f.path: f for f in own})
    return list(merged.values())


def effective_fields(stored: Stored, definition: list[FieldDef]) -> list[FieldMap]:
    types = {f.path: f.type for f in definition}
    org_xf, inst_xf = stored.org_transformation, stored.instance_transformation
    merged: dict[str, FieldMap] = {}
    if org_xf is not None and stored.uses_org:
        for raw in org_xf["fields"]:
            merged[raw["path"]] = field_map(raw, ORG, types.get(raw["path"]))
    if inst_xf is not None:
        for raw in inst_xf["fields"]:
            merged[raw["path"]] = field_map(raw, INSTANCE, types.get(raw["path"]))
    # a mapped path the definition no longer has is dropped (deleting it is refused with 409)
    return [f for path, f in merged.items() if path in types]


def resolve(stored: Stored) -> VirtualMap | None:
    """The virtual resource the instance sees, or None when the name is not virtual for it."""
    org_xf, inst_xf = stored.org_transformation, stored.instance_transformation
    main = inst_xf if inst_xf is not None else org_xf
    if main is None:
        return None
    definition = effective_definition(stored)
    options = pass_through(inst_xf.get("configuration")) if inst_xf else None
    if options is None and org_xf is not None and stored.uses_org:
        options = pass_through(org_xf.get("configuration"))
    from_vendor, to_vendor = options if options is not None else (True, True)
    return VirtualMap(
        name=stored.name,
        vendor_name=main["vendorName"],
        definition=tuple(definition),
        fields=tuple(effective_fields(stored, definition)),
        pass_from_vendor=from_vendor,
        pass_to_vendor=to_vendor,
    )


def transformation_view(stored: Stored, level: str) -> dict[str, Any] | None:
    """A transformation as GET answers it; at instance level, with what it inherits."""
    own = stored.org_transformation if level == ORG else stored.instance_transformation
    if own is None:
        return None
    view = {k: v for k, v in own.items() if k != "fields"}
    fields: dict[str, dict[str, Any]] = {}
    if level == INSTANCE and stored.inherits and stored.uses_org and stored.org_transformation:
        for raw in stored.org_transformation["fields"]:
            fields[raw["path"]] = {**raw, "level": ORG}
    for raw in own["fields"]:
        fields[raw["path"]] = {**raw, "level": level}
    view["fields"] = list(fields.values())
    return view

"""What a base resource's records hold: the paths a vendorPath may name, and their types.

- A normalized resource: the paths its map describes (nested paths make their parents objects),
  and any `customFields.<name>` (user-defined fields differ per Autotask database). The map
  is described with `NullContext`, so this costs no Autotask call.
- An Autotask entity, for an instance: the entity's fields and user-defined fields from the
  client's metadata (cached in Redis per database); names match in any case, and a UDF name is
  written through `userDefinedFields[name=...].value`.
- An Autotask entity at organization level, where no Autotask database is known: the names
  cannot be checked (`known` is None). Each instance checks them on its first call instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connector.mapping import paths
from connector.picklists import Picklist
from connector.vdr import convert

CUSTOM_FIELDS = "customFields"
UDF_LIST = "userDefinedFields"


@dataclass(frozen=True)
class BaseField:
    path: str
    type: str | None
    udf: bool = False


@dataclass
class BaseShape:
    kind: str  # "normalized" | "native"
    entity: str
    known: dict[str, BaseField] | None  # None: nothing can be known here
    case_insensitive: bool = False
    udf_names: dict[str, str] = field(default_factory=dict)  # lower -> name

    def lookup(self, path: str) -> BaseField | None:
        """The base field a plain path names, or None when the base has no such path."""
        if self.known is None:
            return BaseField(path, None)
        key = path.lower() if self.case_insensitive else path
        found = self.known.get(key)
        if found is None and self.kind == "normalized" and path.startswith(CUSTOM_FIELDS + "."):
            found = BaseField(path, None)
        return found

    def lookup_vendor_path(self, vendor_path: str) -> BaseField | None:
        """A plain path as is; a path with selectors by its names (`emails[0].address` ->
        `emails.address`, else its head): the type is known only when that path is."""
        steps = paths.parse(vendor_path)
        if all(isinstance(s, paths.Key) for s in steps):
            return self.lookup(vendor_path)
        names = ".".join(s.name for s in steps if isinstance(s, paths.Key))
        head = steps[0].name if isinstance(steps[0], paths.Key) else ""
        if self.lookup(head) is None:
            return None
        return self.lookup(names) or BaseField(vendor_path, None)

    def type_of(self, vendor_path: str) -> str | None:
        found = self.lookup_vendor_path(vendor_path)
        return found.type if found else None

    def write_path(self, vendor_path: str) -> str:
        """Where a value for `vendor_path` goes in a base body."""
        udf = self.udf_names.get(vendor_path.lower())
        if self.kind == "native" and udf is not None:
            return f"{UDF_LIST}[name='{udf}'].value"
        return vendor_path

    def is_udf(self, vendor_path: str) -> bool:
        return self.kind == "native" and vendor_path.lower() in self.udf_names


def normalized_shape(resource: Any) -> BaseShape:
    known: dict[str, BaseField] = {}
    for described in resource.describe(NullContext()):
        path = described.get("path")
        if not path:
            continue
        known[path] = BaseField(path, _described_type(described.get("type")))
        parts = path.split(".")
        for depth in range(1, len(parts)):
            known.setdefault(".".join(parts[:depth]), BaseField(".".join(parts[:depth]), "object"))
    return BaseShape("normalized", resource.entity, known)


def native_shape(entity: str, ctx: Any) -> BaseShape:
    known: dict[str, BaseField] = {}
    for meta in ctx.fields(entity):
        name = str(meta["name"])
        kind = convert.base_type_of(meta.get("dataType"), picklist=bool(meta.get("isPickList")))
        known[name.lower()] = BaseField(name, kind)
    udfs: dict[str, str] = {}
    for meta in ctx.udfs(entity):
        name = str(meta["name"])
        data_type = meta.get("type") or meta.get("dataType") or "string"
        kind = convert.base_type_of(str(data_type), picklist=bool(meta.get("isPickList")))
        known.setdefault(name.lower(), BaseField(name, kind, udf=True))
        udfs[name.lower()] = name
    known.setdefault(UDF_LIST.lower(), BaseField(UDF_LIST, "array"))
    return BaseShape("native", entity, known, case_insensitive=True, udf_names=udfs)


def unknown_shape(entity: str) -> BaseShape:
    return BaseShape("native", entity, None, case_insensitive=True)


def _described_type(raw: Any) -> str | None:
    kind = str(raw or "").lower()
    if kind in convert.TYPES or kind in convert.STRUCTURES:
        return kind
    if kind in ("integer", "decimal", "double", "long"):
        return "number"
    if kind in ("datetime",):
        return "date"
    if kind in ("list",):
        return "array"
    return None


class NullContext:
    """A mapping context with no Autotask behind it: empty picklists, no UDFs, no links.
    Enough to describe a normalized map's paths and types."""

    instance = None

    def picklist(self, entity: str, field: str) -> Picklist:
        return Picklist(field, [])

    def udf_picklist(self, entity: str, name: str) -> Picklist | None:
        return None

    def udf_names(self, entity: str) -> list[str]:
        return []

    def udfs(self, entity: str) -> list[dict[str, Any]]:
        return []

    def fields(self, entity: str) -> list[dict[str, Any]]:
        return []

    def entity_info(self, entity: str) -> dict[str, Any]:
        return {}

    def link(self, command: str, **params: Any) -> str:
        return ""

    def option(self, name: str) -> Any:
        return None

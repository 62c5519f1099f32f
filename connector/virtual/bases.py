"""What a base resource's records hold: the paths a vendorPath may name, and their types.

- A normalized resource: the paths of its map's JSON schema (inside lists too: `emails.address`),
  and any `customFields.<name>` (user-defined fields differ per Autotask database). No Autotask
  call is needed.
- An Autotask entity, for an instance: the entity's fields and user-defined fields from the
  client's metadata (cached in Redis per database); names match in any case, and a UDF name is
  written through `userDefinedFields[name=...].value`.
- An Autotask entity at organization level, where no Autotask database is known: the names
  cannot be checked (`known` is None). Each instance checks them on its first call instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from connector.mapping import paths
from connector.virtual import convert

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
    entity: str  # what messages call the base: the resource's name or the entity's
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


def shape_of(base: Any, ctx: Any | None) -> BaseShape:
    """The shape of a hub `Resource`; `ctx` None at organization level (no database known)."""
    if base.kind == "normalized":
        return normalized_shape(base.map)
    if ctx is None:
        return BaseShape("native", base.entity, None, case_insensitive=True)
    return native_shape(base.entity, ctx)


@lru_cache(maxsize=64)
def normalized_shape(resource_map: Any) -> BaseShape:
    """From the map's JSON schema, the same for every tenant (no Autotask call)."""
    known: dict[str, BaseField] = {}
    _walk(resource_map.json_schema(), "", known)
    return BaseShape("normalized", resource_map.name, known)


def _walk(schema: dict[str, Any], prefix: str, known: dict[str, BaseField]) -> None:
    for name, sub in (schema.get("properties") or {}).items():
        path = prefix + name
        known[path] = BaseField(path, _schema_type(sub))
        if "properties" in sub:
            _walk(sub, path + ".", known)
        elif isinstance(sub.get("items"), dict):
            _walk(sub["items"], path + ".", known)  # `emails.address`: each item's address


def _schema_type(schema: dict[str, Any]) -> str | None:
    kinds = schema.get("type")
    kinds = [k for k in (kinds if isinstance(kinds, list) else [kinds]) if k != "null"]
    if len(kinds) != 1:
        return None  # e.g. a country as label or id
    kind = kinds[0]
    if kind == "string" and schema.get("format") in ("date-time", "date"):
        return "date"
    return "number" if kind == "integer" else kind


def native_shape(entity: str, ctx: Any) -> BaseShape:
    known: dict[str, BaseField] = {}
    for meta in ctx.fields(entity):
        name = str(meta["name"])
        kind = convert.base_type_of(meta.get("dataType"), picklist=bool(meta.get("isPickList")))
        known[name.lower()] = BaseField(name, kind)
    udfs: dict[str, str] = {}
    for meta in ctx.udfs(entity):
        name = str(meta["name"])
        # UDF values travel as text (picklist UDFs too: "3"), whatever their type
        data_type = meta.get("type") or meta.get("dataType") or "string"
        kind = convert.base_type_of(str(data_type))
        known.setdefault(name.lower(), BaseField(name, kind, udf=True))
        udfs[name.lower()] = name
    known.setdefault(UDF_LIST.lower(), BaseField(UDF_LIST, "array"))
    return BaseShape("native", entity, known, case_insensitive=True, udf_names=udfs)

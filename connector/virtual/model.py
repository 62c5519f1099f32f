"""The runtime form of definitions and transformations, built from their stored JSON.

Stored documents keep Cloud Elements' shape (what a GET answers); these frozen objects are what
the engine and the resource use. `VirtualMap` is one virtual resource as an instance sees it,
after inheritance (see `connector.virtual.inherit`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from connector.mapping import paths


@dataclass(frozen=True)
class FieldDef:
    """A field of a definition: a path in the virtual record and its type."""

    path: str
    type: str
    level: str = "organization"


@dataclass(frozen=True)
class FieldMap:
    """One mapped field: virtual `path` <- base `vendor_path`, per direction."""

    path: str
    type: str
    vendor_path: str
    vendor_type: str | None = None
    level: str = "organization"
    read: bool = True  # kept from the base record into the virtual one (fromVendor)
    write: bool = True  # kept from a request body into the base body (toVendor)
    pattern: str | None = None  # the virtual side's date pattern (transformDate)
    vendor_pattern: str | None = None  # the base side's date pattern

    @property
    def plain(self) -> bool:
        """The vendor path is names joined by dots: a filter on it can go to Autotask."""
        return all(isinstance(step, paths.Key) for step in paths.parse(self.vendor_path))

    @property
    def head(self) -> str:
        """The top-level key of the base record this field reads."""
        first = paths.parse(self.vendor_path)[0]
        return first.name if isinstance(first, paths.Key) else self.vendor_path

    @property
    def dated(self) -> bool:
        return self.pattern is not None or self.vendor_pattern is not None


@dataclass(frozen=True)
class VirtualMap:
    """A virtual resource as one instance sees it: its fields and how each maps to the base."""

    name: str
    vendor_name: str
    definition: tuple[FieldDef, ...]
    fields: tuple[FieldMap, ...]
    pass_from_vendor: bool = True
    pass_to_vendor: bool = True

    def field(self, path: str) -> FieldMap | None:
        """The mapping of a virtual path (exact, else ignoring case, as records are read)."""
        return _find(self.fields, path)

    def defined(self, path: str) -> FieldDef | None:
        return _find(self.definition, path)

    def virtual_heads(self) -> set[str]:
        return {f.path.split(".")[0] for f in self.definition}

    def consumed_heads(self) -> set[str]:
        """Top-level base keys some mapping reads (they do not pass through as themselves)."""
        return {f.head for f in self.fields}


def _find(items: Iterable[Any], path: str) -> Any:
    items = list(items)
    found = next((item for item in items if item.path == path), None)
    if found is None:
        lowered = path.lower()
        found = next((item for item in items if item.path.lower() == lowered), None)
    return found


# -- from stored JSON -----------------------------------------------------------------------
def definition_fields(stored: dict[str, Any] | None, level: str) -> list[FieldDef]:
    if not stored:
        return []
    return [FieldDef(f["path"], f["type"], level) for f in stored["fields"]]


def _direction(config: Iterable[dict[str, Any]], kind: str, default: bool) -> tuple[bool, bool]:
    """(fromVendor, toVendor) of a `remove` or `passThrough` entry, as "kept" flags."""
    for entry in config:
        if entry["type"] != kind:
            continue
        props = entry.get("properties")
        if kind == "remove":
            if not props:
                return False, False  # a bare `remove` removes both ways
            return not props.get("fromVendor", False), not props.get("toVendor", False)
        props = props or {}
        return bool(props.get("fromVendor", True)), bool(props.get("toVendor", True))
    return default, default


def field_map(raw: dict[str, Any], level: str, virtual_type: str | None = None) -> FieldMap:
    config = raw.get("configuration") or []
    removed_read, removed_write = _direction(config, "remove", True)
    passed_read, passed_write = _direction(config, "passThrough", True)
    dates = next((c.get("properties") or {} for c in config if c["type"] == "transformDate"), {})
    return FieldMap(
        path=raw["path"],
        type=raw.get("type") or virtual_type or "string",
        vendor_path=raw["vendorPath"],
        vendor_type=raw.get("vendorType"),
        level=level,
        read=removed_read and passed_read,
        write=removed_write and passed_write,
        pattern=dates.get("pattern"),
        vendor_pattern=dates.get("vendorPattern"),
    )


def pass_through(config: Iterable[dict[str, Any]] | None) -> tuple[bool, bool] | None:
    """Object-level passThrough as (fromVendor, toVendor); None when the entry is absent."""
    entries = list(config or [])
    if not any(e["type"] == "passThrough" for e in entries):
        return None
    return _direction(entries, "passThrough", True)


def inherits(stored: dict[str, Any] | None) -> bool:
    return bool(stored) and any(e["type"] == "inherit" for e in stored.get("configuration") or [])

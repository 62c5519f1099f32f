"""The transformation engine: base record -> virtual record, request body -> base body, and a
virtual field -> the base path a filter on it becomes. Pure functions of a `VirtualMap`; the
base (a normalized resource or an Autotask entity) is reached only through the callables given.

Reading (fromVendor): each mapped field reads its vendorPath in the base record (`get` for a
plain path, so Autotask UDFs and normalized paths resolve as their resource reads them; the
path syntax of `connector.mapping.paths` for lists and filters), converts to the virtual type,
and lands at its path. Unmapped definition fields read null; removed ones are left out. With
object passThrough on, base keys no mapping reads pass through under their own names. A
virtual record always carries the base record's `id`.

Writing (toVendor): each mapped, writable field found in the body is type-checked, converted
and written at its vendorPath; body keys outside the definition pass through when object
passThrough toVendor is on, and are dropped otherwise. `id` is never written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from connector.autotask import filters
from connector.ceql.values import parse_datetime, utc_iso
from connector.errors import ValidationError
from connector.mapping import paths
from connector.virtual import convert, datefmt
from connector.virtual.model import FieldMap, VirtualMap

Getter = Callable[[dict[str, Any], str], Any]
BaseTranslate = Callable[[str, str, Any], dict]

ID = "id"


class Transformer:
    def __init__(
        self,
        vmap: VirtualMap,
        *,
        get: Getter | None = None,
        write_path: Callable[[str], str] | None = None,
        base_types: dict[str, str | None] | None = None,
    ) -> None:
        self.map = vmap
        self._get = get or (lambda record, path: paths.get(record, path))
        self._write_path = write_path or (lambda path: path)
        self._base_types = base_types or {}
        self._virtual_heads = vmap.virtual_heads()
        self._consumed = vmap.consumed_heads()

    def base_type(self, field: FieldMap) -> str | None:
        return field.vendor_type or self._base_types.get(field.vendor_path)

    # -- fromVendor ----------------------------------------------------------------------
    def to_virtual(self, base: dict[str, Any]) -> dict[str, Any]:
        record: dict[str, Any] = {}
        if self.map.defined(ID) is None or self.map.field(ID) is None:
            record[ID] = base.get(ID)
        for defined in self.map.definition:
            mapped = self.map.field(defined.path)
            if mapped is None:
                if defined.path != ID:
                    paths.set_in(record, defined.path, None)
            elif mapped.read:
                paths.set_in(record, defined.path, self.read(base, mapped))
        if self.map.pass_from_vendor:
            for key, value in base.items():
                if self.passes_through(key) and key not in record:
                    record[key] = value
        return record

    def read(self, base: dict[str, Any], field: FieldMap) -> Any:
        raw = (
            self._get(base, field.vendor_path)
            if field.plain
            else paths.get(base, field.vendor_path)
        )
        if field.dated:
            return _reformat(raw, field.vendor_pattern, field.pattern)
        return convert.to_virtual(raw, field.type)

    def passes_through(self, key: str) -> bool:
        """A top-level base key that shows in virtual records under its own name."""
        head = key.split(".")[0]
        return head not in self._consumed and head not in self._virtual_heads

    # -- toVendor ------------------------------------------------------------------------
    def to_base(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ValidationError(f"Invalid {self.map.name} record: send a JSON object")
        out: dict[str, Any] = {}
        problems: list[str] = []
        for defined in self.map.definition:
            mapped = self.map.field(defined.path)
            if defined.path == ID or mapped is None or not mapped.write:
                continue
            if not paths.exists(body, defined.path):
                continue
            try:
                value = self.write(paths.get(body, defined.path), mapped)
                paths.set_in(out, self._write_path(mapped.vendor_path), value)
            except (convert.ConversionError, paths.PathError) as error:
                problems.append(str(error))
        if self.map.pass_to_vendor:
            for key, value in body.items():
                if key == ID or not self.passes_through(key):
                    continue
                if key in out:
                    problems.append(f"{key}: a mapped field already writes it")
                else:
                    out[key] = value
        if problems:
            raise ValidationError(f"Invalid {self.map.name} record: " + "; ".join(problems))
        return out

    def write(self, value: Any, field: FieldMap) -> Any:
        if field.dated and value is not None:
            try:
                moment = _parse(value, field.pattern)
            except ValueError as error:
                raise convert.ConversionError(f"{field.path}: {error}") from None
            return _render(moment, field.vendor_pattern)
        convert.check_written(value, field.type, field.path)
        return convert.to_base(value, self.base_type(field), field.path)

    # -- pushdown ------------------------------------------------------------------------
    def translate(self, field: str, op: str, value: Any, base_translate: BaseTranslate) -> dict:
        """A filter item on the base for a predicate on a virtual field; NotPushable when the
        predicate must be evaluated on virtual records (the listing then does it)."""
        mapped = self.map.field(field)
        if mapped is not None:
            if not self.pushable(mapped):
                raise filters.NotPushable(field)
            return base_translate(mapped.vendor_path, op, value)
        if field == ID:
            return base_translate(ID, op, value)
        head = field.split(".")[0]
        if self.map.defined(field) is not None or head in self._virtual_heads:
            raise filters.NotPushable(field)  # unmapped or removed: null on every record
        if self.map.pass_from_vendor and head not in self._consumed:
            return base_translate(field, op, value)
        raise ValidationError(
            f"Unknown field '{field}' for {self.map.name}; its fields: "
            + ", ".join(f.path for f in self.map.definition)
        )

    def pushable(self, field: FieldMap) -> bool:
        """Same value on both sides, reached by a plain path: a base filter is exact."""
        return (
            field.read
            and field.plain
            and not field.dated
            and convert.identical(field.type, self.base_type(field))
        )

    def base_paths(self, requested: Iterable[str]) -> list[str]:
        """The base paths a selection of virtual fields reads (for `fields=`)."""
        wanted = {ID}
        for path in requested:
            under = [
                f
                for f in self.map.fields
                if f.path == path or f.path.startswith(path + ".") or path.startswith(f.path + ".")
            ]
            for field in under:
                wanted.add(field.vendor_path if field.plain else field.head)
            if not under and self.map.pass_from_vendor and self.passes_through(path):
                wanted.add(path)
        return sorted(wanted)


def _parse(value: Any, pattern: str | None) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date text")
    if pattern:
        return datefmt.parse_date(value, pattern)
    moment = parse_datetime(value)
    if moment is None:
        raise ValueError(f"{value!r} is not an ISO 8601 date")
    return moment


def _render(moment: datetime, pattern: str | None) -> str:
    return datefmt.format_date(moment, pattern) if pattern else str(utc_iso(moment))


def _reformat(raw: Any, from_pattern: str | None, to_pattern: str | None) -> Any:
    if isinstance(raw, list):
        return [_reformat(item, from_pattern, to_pattern) for item in raw]
    if raw is None:
        return None
    try:
        return _render(_parse(raw, from_pattern), to_pattern)
    except ValueError:
        return None

"""`VirtualResource`: a virtual resource served by the hub like any other `Resource`.

It wraps its base (a normalized resource or an Autotask entity, both `Resource`s) and passes
every record through the transformation engine: the hub lists, reads, caches, pages and writes
exactly as for the base, and CEQL on virtual fields is handed to the base's own `translate`
(so a normalized base still turns labels into picklist values) or, when it cannot be pushed,
evaluated on virtual records.

On its first call for a request (`check`, which the hub always calls first) it learns the base's
fields: for an Autotask entity from the instance's metadata, which is where an organization-level
transformation of an entity is checked against a real database (400 naming what is missing).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from connector import ceql
from connector.errors import ValidationError, did_you_mean
from connector.virtual import validate
from connector.virtual.bases import UDF_LIST, BaseShape, shape_of
from connector.virtual.engine import Transformer
from connector.virtual.model import VirtualMap

if TYPE_CHECKING:
    from connector.hub.resources import Resource


class VirtualResource:
    kind = "virtual"

    def __init__(self, vmap: VirtualMap, base: Resource) -> None:
        self.map = vmap
        self.base = base
        self.name = vmap.name
        self.entity = base.entity
        self.fixed_filter = list(base.fixed_filter)
        self._paths_only = Transformer(vmap)
        self._prepared: tuple[Transformer, BaseShape] | None = None

    @property
    def _shape(self) -> BaseShape | None:
        return self._prepared[1] if self._prepared is not None else None

    def _ready(self, ctx: Any) -> Transformer:
        return self._prepare(ctx)[0]

    def _prepare(self, ctx: Any) -> tuple[Transformer, BaseShape]:
        """The engine and the base's shape, checked against each other once."""
        if self._prepared is None:
            shape = shape_of(self.base, ctx)
            found = validate.problems(self.map, shape)
            if found:
                raise ValidationError(
                    f"The transformation of '{self.name}' does not fit {self.base.name} here: "
                    + "; ".join(found)
                    + f"; fix it with PUT .../transformations/{self.name}"
                )
            types = {f.vendor_path: shape.type_of(f.vendor_path) for f in self.map.fields}
            engine = Transformer(
                self.map, get=self.base.get, write_path=shape.write_path, base_types=types
            )
            self._prepared = (engine, shape)
        return self._prepared

    # -- the Resource protocol ---------------------------------------------------------------
    def check(self, operation: str, ctx: Any) -> None:
        self.base.check(operation, ctx)
        self._ready(ctx)

    def parent_field(self) -> str | None:
        return self.base.parent_field()

    def child(self, name: str) -> tuple[str, str] | None:
        return None  # virtual resources have no child resources of their own

    def admits(self, vendor: dict[str, Any]) -> bool:
        return self.base.admits(vendor)

    def to_record(self, vendor: dict[str, Any], ctx: Any) -> dict[str, Any]:
        return self._ready(ctx).to_virtual(self.base.to_record(vendor, ctx))

    def to_vendor(self, body: Any, ctx: Any, *, partial: bool) -> dict[str, Any]:
        base_body = self._ready(ctx).to_base(body)
        try:
            vendor = self.base.to_vendor(base_body, ctx, partial=partial)
        except ValidationError as error:
            raise ValidationError(
                f"{self.name} (written as {self.base.name}): {error.message}",
                provider_message=error.provider_message,
                errors=error.errors,
            ) from None
        if partial and not _has_null(body):
            # A virtual field writing into a list (`emails[?(@.type=='primary')].address`)
            # hands the base a list with one item, which a normalized map writes as the whole
            # list, clearing the other slots. An update that sends no null clears nothing.
            vendor = {key: value for key, value in vendor.items() if value is not None}
        return vendor

    def translate(self, field: str, op: str, value: Any, ctx: Any) -> dict:
        return self._ready(ctx).translate(
            field, op, value, lambda path, o, v: self.base.translate(path, o, v, ctx)
        )

    def get(self, record: dict[str, Any], path: str) -> Any:
        return ceql.get_path(record, path)

    def vendor_fields(self, paths: Iterable[str] | None) -> list[str] | None:
        if paths is None:
            return self.base.vendor_fields(None)
        wanted = self._paths_only.base_paths(paths)
        if self.base.kind == "native" and any(self._needs_all(p) for p in wanted):
            return None  # UDFs are not named in IncludeFields: read whole records
        return self.base.vendor_fields(wanted)

    def check_field(self, path: str, ctx: Any) -> None:
        engine = self._ready(ctx)
        if path == "id" or self.map.field(path) or self.map.defined(path):
            return
        if path.split(".")[0] in self.map.virtual_heads():
            return
        if self.map.pass_from_vendor and engine.passes_through(path):
            self.base.check_field(path, ctx)  # a base field shown under its own name
            return
        names = [f.path for f in self.map.definition]
        raise ValidationError(
            f"Unknown field '{path}' for {self.name}{did_you_mean(path, names)}; its fields: "
            + ", ".join(names)
        )

    def _needs_all(self, base_path: str) -> bool:
        if base_path.lower() == UDF_LIST.lower():
            return True
        return self._shape is None or self._shape.is_udf(base_path)

    def describe(self, ctx: Any) -> list[dict[str, Any]]:
        shape = self._prepare(ctx)[1]
        return validate.describe(self.map, shape, self.base.describe(ctx))


def _has_null(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_null(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_null(v) for v in value)
    return value is None

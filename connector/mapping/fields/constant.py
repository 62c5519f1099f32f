"""`ConstantField`: a value fixed by the map, not taken from the other side.

With `vendor`, the value is written to Autotask on every create (`when: create`, the default) or
on every write (`when: always`), and a body cannot change it. With `path`, normalized records show
the value (read-only). YAML:

    - {vendor: useQuoteTotals, type: constant, value: false}
    - {path: links.autotask, type: constant, value: null, direction: read}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import fields, validate

from connector.mapping.context import MappingContext
from connector.mapping.fields.base import FieldMapper, SpecError
from connector.mapping.spec import FieldSpec, VendorPath

_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"))


class ConstantField(FieldMapper):
    needs_path = False

    class Spec(FieldSpec):
        vendor = VendorPath()
        value = fields.Raw(required=True, allow_none=True)
        when = fields.String(load_default="create", validate=validate.OneOf(["create", "always"]))

    def __init__(self, spec: Mapping[str, Any], entity: str) -> None:
        self.vendor: str | None = spec.get("vendor")
        self.value = spec["value"]
        self.when: str = spec["when"]
        super().__init__(spec, entity)

    @property
    def writable(self) -> bool:
        return False  # a body never carries a constant

    def check(self) -> None:
        super().check()
        if self.path is None and self.vendor is None:
            raise SpecError("a constant needs a path, a vendor field, or both")

    def read(self, vendor: Mapping[str, Any], ctx: MappingContext) -> Any:
        return self.value

    def fixed_writes(self, create: bool) -> dict[str, Any]:
        if self.vendor is None or self.direction == "read" or not (create or self.when == "always"):
            return {}
        return {self.vendor: self.value}

    def written_fields(self) -> list[str]:
        return [self.vendor] if self.vendor and self.direction != "read" else []

    def describe(self, ctx: MappingContext) -> list[dict[str, Any]]:
        if not self.readable:
            return []
        return [self.entry(type=self._json_type(), vendorPath=self.vendor, constant=self.value)]

    def json_schema(self) -> dict[str, Any]:
        return self.annotate({"type": self._json_type(), "const": self.value})

    def _json_type(self) -> str:
        return next((name for kind, name in _JSON_TYPES if isinstance(self.value, kind)), "null")

"""`ScalarField`: one vendor field renamed, its value converted by a value type.

Types: string, integer, number, boolean, intBoolean (Autotask's 0/1 integers), datetime (UTC ISO
8601 with `Z`) and date (YYYY-MM-DD). YAML:

    - {path: name, type: string, vendor: companyName, required: true, maxLength: 100}
    - {path: active, type: intBoolean, vendor: isActive, default: true}
    - {path: createdDate, type: datetime, vendor: createDate, direction: read}
    - {path: amount, type: number, vendor: amount, lenient: true}

`lenient: true` takes what Cloud Elements' SOAP-era element took: numbers and booleans as text
(`"1234.56"`, `"true"`), booleans as 0/1, text as numbers, and US dates (`8/9/2020`, `8/8/16`)
in bodies and where clauses. The normalized maps never set it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import fields, validate

from connector.autotask import filters as f
from connector.mapping import paths
from connector.mapping.bodyfields import StrictBoolean
from connector.mapping.context import MappingContext
from connector.mapping.fields.base import FieldError, FieldMapper, nullable
from connector.mapping.spec import FieldSpec, VendorPath
from connector.mapping.values import VALUE_TYPES


class ScalarField(FieldMapper):
    class Spec(FieldSpec):
        vendor = VendorPath(required=True)
        maxLength = fields.Integer(strict=True, validate=validate.Range(min=1))  # noqa: N815
        lenient = StrictBoolean(load_default=False)

    def __init__(self, spec: Mapping[str, Any], entity: str) -> None:
        self.kind = VALUE_TYPES[spec["type"]]
        self.vendor: str = spec["vendor"]
        self.max_length: int | None = spec.get("maxLength")
        self.lenient: bool = spec["lenient"]
        super().__init__(spec, entity)

    def read(self, vendor: Mapping[str, Any], ctx: MappingContext) -> Any:
        return self.kind.read(paths.get(vendor, self.vendor))

    def read_fields(self) -> list[str]:
        return [self.vendor]

    def body_field(self, required: bool) -> fields.Field:
        checks = [validate.Length(max=self.max_length)] if self.max_length else []
        build = self.kind.lenient_body_field if self.lenient else self.kind.body_field
        return build(required=required, allow_none=not required, validate=checks)

    def write(self, value: Any, ctx: MappingContext) -> dict[str, Any]:
        return {self.vendor: self.kind.write(value)}

    def from_setting(self, value: Any) -> Any:
        try:
            return self.kind.literal(value)
        except (TypeError, ValueError):
            raise FieldError(
                self.full_path(), f"{value!r} is not a valid {self.kind.name}"
            ) from None

    def written_fields(self) -> list[str]:
        return [self.vendor] if self.writable else []

    def translate(
        self, rest: tuple[str, ...], op: str, value: Any, ctx: MappingContext
    ) -> dict[str, Any]:
        if op not in self.kind.operators:
            raise f.NotPushable(self.full_path(rest))
        literal = self.kind.lenient_literal if self.lenient else self.kind.literal
        return self.condition(rest, op, self.vendor, value, literal)

    def describe(self, ctx: MappingContext) -> list[dict[str, Any]]:
        return [
            self.entry(
                type=self.kind.json["type"],
                vendorPath=self.vendor,
                vendorNativeType=self.kind.native,
                filterable=sorted(self.kind.operators) if self.filterable else [],
            )
        ]

    def json_schema(self) -> dict[str, Any]:
        schema = dict(self.kind.json)
        if self.max_length:
            schema["maxLength"] = self.max_length
        return self.annotate(schema if self.path == "id" else nullable(schema))

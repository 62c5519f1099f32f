"""`PicklistField`: a picklist id in Autotask, its label in the normalized record.

Labels come from the tenant's metadata through the context; they change with the tenant's
language, so defaults and fixed filters should name values, which do not. A body may send a label
(any case, accents ignored) or the value itself; an unknown label is refused with the list of
active labels. A value missing from the metadata reads as its text. YAML:

    - {path: type, type: picklist, vendor: companyType, required: true, default: 1}
    - {path: type, type: picklist, vendor: resourceType, valueType: string, direction: read}
    - {path: accountType, type: picklist, vendor: companyType, readAs: value}

`readAs: value` reads the picklist's value (`1`) instead of its label, as Cloud Elements'
SOAP-era element answered; bodies and filters still take a value or a label.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import fields, validate

from connector.autotask import filters as f
from connector.autotask.picklists import Picklist
from connector.errors import ValidationError
from connector.mapping import paths
from connector.mapping.bodyfields import LabelOrValue
from connector.mapping.context import MappingContext
from connector.mapping.fields.base import FieldError, FieldMapper, nullable
from connector.mapping.spec import FieldSpec, VendorPath

OPERATORS = frozenset({f.EQ, f.NOTEQ}) | f.SET_MATCHES | f.NULL_CHECKS


def unknown_label(label: Any, picklist: Picklist) -> str:
    return (
        f"unknown value {label!r}; valid values: {', '.join(picklist.active_labels()) or '(none)'}"
    )


def typed(value: str, value_type: str) -> int | str:
    return int(value) if value_type == "integer" else value


class PicklistField(FieldMapper):
    class Spec(FieldSpec):
        vendor = VendorPath(required=True)
        valueType = fields.String(  # noqa: N815 - the YAML key
            load_default="integer", validate=validate.OneOf(["integer", "string"])
        )
        readAs = fields.String(  # noqa: N815 - the YAML key
            load_default="label", validate=validate.OneOf(["label", "value"])
        )

    def __init__(self, spec: Mapping[str, Any], entity: str) -> None:
        self.vendor: str = spec["vendor"]
        self.value_type: str = spec["valueType"]
        self.read_as: str = spec["readAs"]
        super().__init__(spec, entity)

    def picklist(self, ctx: MappingContext) -> Picklist:
        return ctx.picklist(self.entity, self.vendor)

    def read(self, vendor: Mapping[str, Any], ctx: MappingContext) -> Any:
        raw = paths.get(vendor, self.vendor)
        if raw is None:
            return None
        if self.read_as == "value":
            return typed(str(raw), self.value_type)
        label = self.picklist(ctx).label_for(raw)
        return label if label is not None else str(raw)

    def read_fields(self) -> list[str]:
        return [self.vendor]

    def body_field(self, required: bool) -> fields.Field:
        return LabelOrValue(required=required, allow_none=not required)

    def write(self, value: Any, ctx: MappingContext) -> dict[str, Any]:
        if value is None:
            return {self.vendor: None}
        picklist = self.picklist(ctx)
        found = picklist.value_for(value)
        if found is None:
            raise FieldError(self.full_path(), unknown_label(value, picklist))
        return {self.vendor: typed(found, self.value_type)}

    def written_fields(self) -> list[str]:
        return [self.vendor] if self.writable else []

    def translate(
        self, rest: tuple[str, ...], op: str, value: Any, ctx: MappingContext
    ) -> dict[str, Any]:
        if op not in OPERATORS:
            raise f.NotPushable(self.full_path(rest))
        picklist = self.picklist(ctx)

        def to_value(label: Any) -> int | str:
            # a filter may name an inactive value: old records still hold it
            found = picklist.value_for(label, active_only=False)
            if found is None:
                raise ValidationError(
                    f"field '{self.full_path(rest)}': {unknown_label(label, picklist)}"
                )
            return typed(found, self.value_type)

        return self.condition(rest, op, self.vendor, value, to_value)

    def describe(self, ctx: MappingContext) -> list[dict[str, Any]]:
        return [
            self.entry(
                vendorPath=self.vendor,
                vendorNativeType="picklist",
                filterable=sorted(OPERATORS) if self.filterable else [],
                picklistValues=self._choices(ctx),
            )
        ]

    def _choices(self, ctx: MappingContext) -> list[Any]:
        picklist = self.picklist(ctx)
        if self.read_as == "label":
            return picklist.active_labels()
        return [{"value": v.value, "label": v.label} for v in picklist.values if v.is_active]

    def json_schema(self) -> dict[str, Any]:
        if self.read_as == "value":
            kind = "integer" if self.value_type == "integer" else "string"
            return self.annotate(
                nullable(
                    {
                        "type": kind,
                        "x-picklist": self.vendor,
                        "description": f"A value of Autotask's {self.entity}.{self.vendor} "
                        "picklist.",
                    }
                )
            )
        return self.annotate(
            nullable(
                {
                    "type": "string",
                    "x-picklist": self.vendor,
                    "description": f"A label of Autotask's {self.entity}.{self.vendor} picklist.",
                }
            )
        )

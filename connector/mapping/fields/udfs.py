"""`UdfField`: Autotask's user-defined fields as the record's `customFields` object.

Autotask sends `userDefinedFields: [{"name": "Tier", "value": "2"}]`; the record gets
`customFields: {"Tier": "Gold"}`, a picklist UDF's value shown as its label when the value is a
known one. Writes take only UDFs that exist on the entity (names matched without regard to case)
and send only the ones the body names; values go as text (numbers as their digits), picklist
labels as their values. Filters go out as `{"udf": true}` conditions. YAML:

    - {path: customFields, type: udfs}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import fields

from connector.autotask import filters as f
from connector.errors import ValidationError
from connector.mapping.bodyfields import ScalarValue
from connector.mapping.context import MappingContext
from connector.mapping.fields.base import FieldError, FieldMapper
from connector.mapping.fields.picklist import unknown_label
from connector.mapping.spec import FieldSpec

VENDOR = "userDefinedFields"


class UdfField(FieldMapper):
    class Spec(FieldSpec):
        path = fields.String(load_default="customFields")

    def read(self, vendor: Mapping[str, Any], ctx: MappingContext) -> dict[str, Any]:
        custom = {}
        for item in vendor.get(VENDOR) or ():
            name, value = item.get("name"), item.get("value")
            picklist = ctx.udf_picklist(self.entity, name) if value is not None else None
            label = picklist.label_for(value) if picklist else None
            custom[name] = label if label is not None else value
        return custom

    def body_field(self, required: bool) -> fields.Field:
        return fields.Dict(
            keys=fields.String(),
            values=ScalarValue(allow_none=True),
            required=required,
            allow_none=not required,
        )

    def write(self, value: Any, ctx: MappingContext) -> dict[str, Any]:
        items, problems = [], []
        for name, given in (value or {}).items():
            try:
                items.append(
                    {"name": self._name(name, ctx), "value": self._value(name, given, ctx)}
                )
            except FieldError as error:
                problems.extend(error.problems)
        if problems:
            raise FieldError.many(problems)
        return {VENDOR: items}

    def written_fields(self) -> list[str]:
        return [VENDOR] if self.writable else []

    def _name(self, name: str, ctx: MappingContext) -> str:
        names = ctx.udf_names(self.entity)
        found = next((known for known in names if known.casefold() == name.casefold()), None)
        if found is None:
            valid = ", ".join(names) or "(none)"
            raise FieldError(self.full_path([name]), f"unknown custom field; valid ones: {valid}")
        return found

    def _value(self, name: str, given: Any, ctx: MappingContext) -> str | None:
        if given is None:
            return None
        picklist = ctx.udf_picklist(self.entity, self._name(name, ctx))
        if picklist:
            found = picklist.value_for(given)
            if found is None:
                raise FieldError(self.full_path([name]), unknown_label(given, picklist))
            return found
        if isinstance(given, bool):
            return "true" if given else "false"
        return str(given)

    def knows(self, rest: tuple[str, ...]) -> bool:
        return len(rest) <= 1

    def vendor_fields(self, rest: tuple[str, ...]) -> list[str]:
        # Asked for by name: the reference does not settle whether Autotask sends UDF values
        # unasked when IncludeFields is given, so the connector asks, and reads them the same
        # way when they come regardless.
        return [VENDOR]

    def translate(
        self, rest: tuple[str, ...], op: str, value: Any, ctx: MappingContext
    ) -> dict[str, Any]:
        if not rest:
            raise f.NotPushable(self.full_path())
        try:
            name = self._name(rest[0], ctx)
        except FieldError as error:
            raise ValidationError(str(error)) from None
        picklist = ctx.udf_picklist(self.entity, name)

        def to_value(given: Any) -> Any:
            if picklist:
                found = picklist.value_for(given, active_only=False)
                if found is None:
                    raise ValidationError(
                        f"field '{self.full_path(rest)}': {unknown_label(given, picklist)}"
                    )
                return found
            return given

        return self.condition(rest, op, name, value, to_value, udf=True)

    def describe(self, ctx: MappingContext) -> list[dict[str, Any]]:
        rows = []
        for name in ctx.udf_names(self.entity):
            picklist = ctx.udf_picklist(self.entity, name)
            row = self.entry(
                path=self.full_path([name]),
                vendorPath=f"{VENDOR}[name={name}].value",
                vendorNativeType="picklist" if picklist else "string",
                required=False,
                filterable=sorted(f.CONDITION_OPS) if self.filterable else [],
                custom=True,
            )
            if picklist:
                row["picklistValues"] = picklist.active_labels()
            rows.append(row)
        return rows

    def json_schema(self) -> dict[str, Any]:
        return self.annotate(
            {
                "type": "object",
                "description": "Autotask's user-defined fields, by name (picklists as labels).",
                "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
            }
        )

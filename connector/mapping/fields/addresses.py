"""`AddressListField`: `addresses: [{type, street1, street2, city, state, postalCode, country}]`
over Autotask's flat address fields.

Each slot is one address Autotask keeps (a company's own address, its bill-to address) and names
the vendor field of each part it stores. `country` is Autotask's country reference (`countryID`),
shown as the label of the field's picklist; a label or the id may be written. When the tenant's
metadata gives that field no picklist, the id itself is read and written. Writing replaces the
list as `SlotListField` does; a filter on `addresses.<part>` is an OR over the slots. YAML:

    - path: addresses
      type: addresses
      slots:
        - {type: primary, street1: address1, street2: address2, city: city, state: state,
           postalCode: postalCode, country: countryID}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, validate

from connector.autotask import filters as f
from connector.errors import ValidationError
from connector.mapping import paths
from connector.mapping.bodyfields import LabelOrValue
from connector.mapping.context import MappingContext
from connector.mapping.fields.base import FieldError, FieldMapper, SpecError
from connector.mapping.fields.picklist import unknown_label
from connector.mapping.fields.slotlist import ANY_ITEM_OPS, assign_slots
from connector.mapping.spec import FieldSpec, VendorPath, _Strict

TEXT_PARTS = ("street1", "street2", "city", "state", "postalCode")
PARTS = (*TEXT_PARTS, "country")
COUNTRY_OPS = frozenset({f.EQ, f.IN, f.EXIST, f.NOT_EXIST})


class AddressSlotSpec(_Strict):
    type = fields.String(required=True, validate=validate.Length(min=1))
    street1, street2, city = VendorPath(), VendorPath(), VendorPath()
    state, postalCode, country = VendorPath(), VendorPath(), VendorPath()  # noqa: N815


class AddressListField(FieldMapper):
    class Spec(FieldSpec):
        slots = fields.List(
            fields.Nested(AddressSlotSpec), required=True, validate=validate.Length(min=1)
        )

    def __init__(self, spec: Mapping[str, Any], entity: str) -> None:
        self.slots: list[dict[str, str]] = spec["slots"]
        self.types = [slot["type"] for slot in self.slots]
        super().__init__(spec, entity)

    def check(self) -> None:
        super().check()
        if len({kind.casefold() for kind in self.types}) < len(self.types):
            raise SpecError("key 'slots': two slots share a type")
        for slot in self.slots:
            if not any(part in slot for part in PARTS):
                raise SpecError(f"key 'slots': the slot {slot['type']!r} names no vendor field")

    def read(self, vendor: Mapping[str, Any], ctx: MappingContext) -> list[dict[str, Any]]:
        found = []
        for slot in self.slots:
            item = {part: paths.get(vendor, slot[part]) if part in slot else None for part in PARTS}
            if any(value not in (None, "") for value in item.values()):
                item["country"] = self._country_label(slot, item["country"], ctx)
                found.append({"type": slot["type"], **item})
        return found

    def read_fields(self) -> list[str]:
        return [slot[part] for slot in self.slots for part in PARTS if part in slot]

    def body_field(self, required: bool) -> fields.Field:
        parts: dict[str, fields.Field] = {
            part: fields.String(allow_none=True) for part in TEXT_PARTS
        }
        item = Schema.from_dict(
            {
                **parts,
                "country": LabelOrValue(allow_none=True),
                "type": fields.String(allow_none=True),
            }
        )
        return fields.List(fields.Nested(item), required=required, allow_none=not required)

    def write(self, value: Any, ctx: MappingContext) -> dict[str, Any]:
        taken = assign_slots(value or [], self.types, self.full_path())
        written, problems = {}, []
        for index, slot in enumerate(self.slots):
            item = taken.get(index, {})
            for part in PARTS:
                if part not in slot:
                    if item.get(part) not in (None, ""):
                        problems.append(
                            (
                                f"{self.full_path()}[type={slot['type']}].{part}",
                                "Autotask keeps no such part for this address type",
                            )
                        )
                    continue
                try:
                    written[slot[part]] = self._vendor_part(slot, part, item.get(part), ctx)
                except FieldError as error:
                    problems.extend(error.problems)
        if problems:
            raise FieldError.many(problems)
        return written

    def written_fields(self) -> list[str]:
        return self.read_fields() if self.writable else []

    def _country_label(self, slot: dict[str, str], raw: Any, ctx: MappingContext) -> Any:
        if raw is None or "country" not in slot:
            return None
        label = ctx.picklist(self.entity, slot["country"]).label_for(raw)
        return label if label is not None else str(raw)

    def _vendor_part(self, slot: dict[str, str], part: str, given: Any, ctx: MappingContext) -> Any:
        if part != "country" or given is None:
            return given
        picklist = ctx.picklist(self.entity, slot["country"])
        if not len(picklist) and str(given).strip().isdigit():
            return int(given)  # the tenant gives no picklist: take the id as it is
        found = picklist.value_for(given)
        if found is None:
            raise FieldError(
                f"{self.full_path()}[type={slot['type']}].country", unknown_label(given, picklist)
            )
        return int(found) if found.isdigit() else found

    def knows(self, rest: tuple[str, ...]) -> bool:
        return rest == () or (len(rest) == 1 and rest[0] in (*PARTS, "type"))

    def vendor_fields(self, rest: tuple[str, ...]) -> list[str]:
        if len(rest) == 1 and rest[0] in PARTS:
            return [slot[rest[0]] for slot in self.slots if rest[0] in slot]
        return self.read_fields()

    def translate(
        self, rest: tuple[str, ...], op: str, value: Any, ctx: MappingContext
    ) -> dict[str, Any]:
        part = rest[0] if len(rest) == 1 else None
        allowed = COUNTRY_OPS if part == "country" else ANY_ITEM_OPS | {f.NOT_EXIST}
        slots = [slot for slot in self.slots if part in slot]
        if part not in PARTS or op not in allowed or not slots:
            raise f.NotPushable(self.full_path(rest))
        items = [
            self.condition(rest, op, slot[part], value, self._literal(slot, part, ctx))
            for slot in slots
        ]
        return items[0] if len(items) == 1 else f.group(f.AND if op == f.NOT_EXIST else f.OR, items)

    def _literal(self, slot: dict[str, str], part: str, ctx: MappingContext) -> Any:
        if part != "country":
            return str

        def country_value(given: Any) -> Any:
            try:
                return self._vendor_part(slot, part, given, ctx)
            except FieldError as error:
                raise ValidationError(str(error)) from None

        return country_value

    def describe(self, ctx: MappingContext) -> list[dict[str, Any]]:
        rows = [self.entry(path=self.full_path(["type"]), picklistValues=self.types)]
        for part in PARTS:
            fields_ = self.vendor_fields((part,))
            if not fields_:
                continue
            ops = COUNTRY_OPS if part == "country" else ANY_ITEM_OPS | {f.NOT_EXIST}
            row = self.entry(
                path=self.full_path([part]),
                vendorPath=", ".join(fields_),
                vendorNativeType="picklist" if part == "country" else "string",
                filterable=sorted(ops) if self.filterable else [],
            )
            if part == "country":
                row["picklistValues"] = ctx.picklist(self.entity, fields_[0]).active_labels()
            rows.append(row)
        return rows

    def json_schema(self) -> dict[str, Any]:
        text = {"type": ["string", "null"]}
        properties = {part: dict(text) for part in PARTS}
        properties["type"] = {"type": "string", "enum": self.types}
        properties["country"] = {
            "type": ["string", "integer", "null"],
            "description": "The label of Autotask's country (or its id).",
        }
        return self.annotate(
            {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": properties,
                },
            }
        )

"""`SlotListField`: a normalized list spread over a fixed set of flat Autotask fields.

Autotask has no lists of emails or phones: a contact has `emailAddress`, `emailAddress2`,
`emailAddress3`. The map names those fields as slots, each with the `type` its item carries.
Reading lists the filled slots in map order. Writing replaces the whole list: each item goes to
the slot of its `type`, items without one fill the free slots in order, and the slots left over
are cleared. A filter on `path.<item key>` is an OR over the slots ("any item matches"); `notExist`
is an AND ("no item has one"); other operators are evaluated locally.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from marshmallow import Schema, fields, validate

from connector.autotask import filters as f
from connector.mapping import paths
from connector.mapping.context import MappingContext
from connector.mapping.fields.base import FieldError, FieldMapper, SpecError
from connector.mapping.spec import FieldSpec, VendorPath, _Strict

ANY_ITEM_OPS = frozenset({f.EQ, f.EXIST}) | f.STRING_MATCHES | frozenset({f.IN})


def assign_slots(
    items: Sequence[Mapping[str, Any]], types: Sequence[str], path: str
) -> dict[int, Mapping[str, Any]]:
    """Slot index -> item, by `type` first, then in order; FieldError when they don't fit."""
    if len(items) > len(types):
        raise FieldError(path, f"at most {len(types)} items ({', '.join(types)})")
    lowered = [kind.casefold() for kind in types]
    taken: dict[int, Mapping[str, Any]] = {}
    untyped, problems = [], []
    for index, item in enumerate(items):
        kind = item.get("type")
        if kind is None:
            untyped.append(item)
        elif kind.casefold() not in lowered:
            problems.append(
                (f"{path}[{index}].type", f"unknown type {kind!r}; valid types: {', '.join(types)}")
            )
        elif lowered.index(kind.casefold()) in taken:
            problems.append((f"{path}[{index}].type", f"type {kind!r} given twice"))
        else:
            taken[lowered.index(kind.casefold())] = item
    if problems:
        raise FieldError.many(problems)
    free = [slot for slot in range(len(types)) if slot not in taken]
    taken.update(zip(free, untyped, strict=False))
    return taken


class SlotSpec(_Strict):
    vendor = VendorPath(required=True)
    type = fields.String(required=True, validate=validate.Length(min=1))


class SlotListField(FieldMapper):
    item_key: ClassVar[str] = "value"
    item_format: ClassVar[str | None] = None

    class Spec(FieldSpec):
        slots = fields.List(fields.Nested(SlotSpec), required=True, validate=validate.Length(min=1))

    def __init__(self, spec: Mapping[str, Any], entity: str) -> None:
        self.slots: list[dict[str, str]] = spec["slots"]
        self.types = [slot["type"] for slot in self.slots]
        super().__init__(spec, entity)

    def check(self) -> None:
        super().check()
        if len({kind.casefold() for kind in self.types}) < len(self.types):
            raise SpecError("key 'slots': two slots share a type")

    def item_field(self) -> fields.Field:
        return fields.String(required=True)

    def read(self, vendor: Mapping[str, Any], ctx: MappingContext) -> list[dict[str, Any]]:
        found = ((paths.get(vendor, slot["vendor"]), slot["type"]) for slot in self.slots)
        return [
            {self.item_key: value, "type": kind} for value, kind in found if value not in (None, "")
        ]

    def read_fields(self) -> list[str]:
        return [slot["vendor"] for slot in self.slots]

    def body_field(self, required: bool) -> fields.Field:
        item = Schema.from_dict(
            {self.item_key: self.item_field(), "type": fields.String(allow_none=True)}
        )
        return fields.List(fields.Nested(item), required=required, allow_none=not required)

    def write(self, value: Any, ctx: MappingContext) -> dict[str, Any]:
        taken = assign_slots(value or [], self.types, self.full_path())
        return {
            slot["vendor"]: taken[index][self.item_key] if index in taken else None
            for index, slot in enumerate(self.slots)
        }

    def written_fields(self) -> list[str]:
        return self.read_fields() if self.writable else []

    def knows(self, rest: tuple[str, ...]) -> bool:
        return rest in ((), (self.item_key,), ("type",))

    def translate(
        self, rest: tuple[str, ...], op: str, value: Any, ctx: MappingContext
    ) -> dict[str, Any]:
        if rest != (self.item_key,) or op not in ANY_ITEM_OPS | {f.NOT_EXIST}:
            raise f.NotPushable(self.full_path(rest))
        items = [self.condition(rest, op, field, value, str) for field in self.read_fields()]
        if len(items) == 1:
            return items[0]
        return f.group(f.AND if op == f.NOT_EXIST else f.OR, items)

    def describe(self, ctx: MappingContext) -> list[dict[str, Any]]:
        return [
            self.entry(
                path=self.full_path([self.item_key]),
                vendorPath=", ".join(self.read_fields()),
                filterable=sorted(ANY_ITEM_OPS | {f.NOT_EXIST}) if self.filterable else [],
            ),
            self.entry(path=self.full_path(["type"]), vendorPath=None, picklistValues=self.types),
        ]

    def json_schema(self) -> dict[str, Any]:
        item_schema: dict[str, Any] = {"type": "string"}
        if self.item_format:
            item_schema["format"] = self.item_format
        return self.annotate(
            {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [self.item_key],
                    "additionalProperties": False,
                    "properties": {
                        self.item_key: item_schema,
                        "type": {"type": "string", "enum": self.types},
                    },
                },
            }
        )

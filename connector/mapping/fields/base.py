"""`FieldMapper`: one field of a map, applied in both directions.

Every field type is a subclass with its own marshmallow `Spec` (the YAML keys it takes) and
registers under its `type` name in `connector.mapping.fields.FIELD_TYPES`. Mappers never mutate
what they are given: `read` returns a normalized value, `write` a new dict of vendor paths to
values, `translate` a new Autotask filter item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from marshmallow import ValidationError as SchemaError
from marshmallow import fields

from connector.autotask import filters as f
from connector.errors import ValidationError
from connector.mapping import defaults
from connector.mapping.bodyfields import flatten_errors
from connector.mapping.context import MappingContext
from connector.mapping.spec import FieldSpec


class SpecError(Exception):
    """A field entry that is well formed but inconsistent; the loader names the file and field."""


class FieldError(Exception):
    """Body values a mapper refuses, as (normalized path, message) pairs."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"field '{path}': {message}")
        self.problems = [(path, message)]

    @classmethod
    def many(cls, problems: list[tuple[str, str]]) -> FieldError:
        error = cls(*problems[0])
        error.problems = list(problems)
        return error


class FieldMapper:
    """Base of every field type. YAML keys common to all types (see `FieldSpec`):

    - {path: name, type: string, vendor: companyName, direction: both, required: true,
       default: ..., description: ..., filterable: true}
    """

    Spec: ClassVar[type[FieldSpec]] = FieldSpec
    needs_path: ClassVar[bool] = True

    def __init__(self, spec: Mapping[str, Any], entity: str) -> None:
        self.spec = dict(spec)
        self.entity = entity
        self.type: str = spec["type"]
        self.path: str | None = spec.get("path")
        self.direction: str = spec["direction"]
        self.required: bool = spec["required"]
        self.description: str = spec["description"]
        self.filterable: bool = spec["filterable"]
        self.default = defaults.make_default(spec["default"]) if "default" in spec else None
        self.check()

    # -- what the field is -------------------------------------------------------------------
    @property
    def readable(self) -> bool:
        """It appears in normalized records."""
        return self.path is not None and self.direction != "write"

    @property
    def writable(self) -> bool:
        """A request body may carry it."""
        return self.path is not None and self.direction != "read"

    def check(self) -> None:
        """Raise SpecError when the entry contradicts itself; subclasses add their own rules."""
        if self.needs_path and self.path is None:
            raise SpecError("key 'path': Missing data for required field.")
        if (self.required or self.default is not None) and not self.writable:
            raise SpecError("a read-only field can be neither required nor defaulted")
        if isinstance(self.default, defaults.LiteralDefault):
            try:
                self.body_field(required=False).deserialize(self.default.value)
            except SchemaError as error:
                problems = "; ".join(message for _, message in flatten_errors(error.messages))
                raise SpecError(f"key 'default': {problems}") from None

    # -- vendor record -> normalized ---------------------------------------------------------
    def read(self, vendor: Mapping[str, Any], ctx: MappingContext) -> Any:
        raise NotImplementedError

    def read_fields(self) -> list[str]:
        """The vendor fields `read` looks at (the IncludeFields it needs)."""
        return []

    # -- normalized body -> vendor -----------------------------------------------------------
    def body_field(self, required: bool) -> fields.Field:
        """The marshmallow field that validates this field's value in a request body."""
        raise NotImplementedError

    def write(self, value: Any, ctx: MappingContext) -> dict[str, Any]:
        """Vendor paths and values for a validated body value; FieldError when refused."""
        raise NotImplementedError

    def written_fields(self) -> list[str]:
        """The vendor fields this mapper may write."""
        return []

    def from_setting(self, value: Any) -> Any:
        """An instance setting used as a default, as a body would give it (settings are often
        text: `"4"` for an id); FieldError when it cannot be one."""
        return value

    def fixed_writes(self, create: bool) -> dict[str, Any]:
        """Vendor values written whatever the body holds (constants)."""
        return {}

    # -- queries ------------------------------------------------------------------------------
    def knows(self, rest: tuple[str, ...]) -> bool:
        """Whether `path.rest` names something inside this field (`()` is the field itself)."""
        return rest == ()

    def vendor_fields(self, rest: tuple[str, ...]) -> list[str]:
        return self.read_fields()

    def translate(
        self, rest: tuple[str, ...], op: str, value: Any, ctx: MappingContext
    ) -> dict[str, Any]:
        """An Autotask filter item for `path.rest op value`; NotPushable when there is none."""
        raise f.NotPushable(self.full_path(rest))

    # -- description --------------------------------------------------------------------------
    def describe(self, ctx: MappingContext) -> list[dict[str, Any]]:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    # -- helpers for subclasses ---------------------------------------------------------------
    def full_path(self, rest: Iterable[str] = ()) -> str:
        return ".".join([self.path or "", *rest]).strip(".")

    def entry(self, **details: Any) -> dict[str, Any]:
        """One `describe` row, with the defaults of this field filled in."""
        row = {
            "path": self.path,
            "type": "string",
            "vendorPath": None,
            "vendorNativeType": "string",
            "required": self.required,
            "readOnly": not self.writable,
            "filterable": [],
            "description": self.description,
        }
        row.update(details)
        return row

    def annotate(self, schema: dict[str, Any]) -> dict[str, Any]:
        """A property schema with readOnly/writeOnly and the description added."""
        schema = dict(schema)
        if not self.writable:
            schema["readOnly"] = True
        if not self.readable:
            schema["writeOnly"] = True
        if self.description:
            schema["description"] = self.description
        return schema

    def condition(
        self,
        rest: tuple[str, ...],
        op: str,
        field: str,
        value: Any,
        convert: Callable[[Any], Any],
        *,
        udf: bool = False,
    ) -> dict[str, Any]:
        """A filter condition on one vendor field, the value converted by `convert`."""
        if op in f.NULL_CHECKS:
            return f.condition(op, field, udf=udf)
        try:
            if op in f.SET_MATCHES:
                items = value if isinstance(value, list | tuple | set) else [value]
                return f.condition(op, field, [convert(item) for item in items], udf=udf)
            return f.condition(op, field, convert(value), udf=udf)
        except (TypeError, ValueError) as error:
            raise ValidationError(
                f"field '{self.full_path(rest)}': cannot compare with {value!r} ({error})"
            ) from None


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema that also admits null (OpenAPI 3.1 style: a type list)."""
    schema = dict(schema)
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
    return schema

"""What the hub serves at /hubs/crm/{object}: one `Resource` interface, three kinds.

- `MappedResource`: a normalized resource from transformations/ (accounts, contacts, ...).
- `NativeResource`: an Autotask entity by its own name (Companies, ...), records as Autotask
  sends them; field names are checked against the entity's metadata.
- virtual resources (connector.virtual) wrap either of these.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from connector.autotask import filters
from connector.errors import (
    MethodNotAllowedError,
    ValidationError,
    did_you_mean,
    listed,
    listed_errors,
)
from connector.mapping import MappingContext, ResourceMap

UDF_LIST = "userDefinedFields"
OPERATIONS = ("list", "get", "create", "update", "delete")


class Resource(Protocol):
    name: str
    entity: str
    kind: str  # "normalized" | "native" | "virtual"
    fixed_filter: list[dict[str, Any]]

    def check(self, operation: str, ctx: MappingContext) -> None: ...
    def parent_field(self) -> str | None: ...
    def child(self, name: str) -> tuple[str, str] | None: ...
    def admits(self, vendor: dict[str, Any]) -> bool: ...
    def to_record(self, vendor: dict[str, Any], ctx: MappingContext) -> dict[str, Any]: ...
    def to_vendor(self, body: Any, ctx: MappingContext, *, partial: bool) -> dict[str, Any]: ...
    def translate(self, field: str, op: str, value: Any, ctx: MappingContext) -> dict: ...
    def get(self, record: dict[str, Any], path: str) -> Any: ...
    def vendor_fields(self, paths: Iterable[str] | None) -> list[str] | None: ...
    def check_field(self, path: str, ctx: MappingContext) -> None: ...
    def describe(self, ctx: MappingContext) -> list[dict[str, Any]]: ...


class MappedResource:
    """A normalized resource: the transformation map does the work."""

    kind = "normalized"

    def __init__(self, resource_map: ResourceMap) -> None:
        self.map = resource_map
        self.name = resource_map.name
        self.entity = resource_map.entity
        self.fixed_filter = list(resource_map.fixed_filter or [])

    def check(self, operation: str, ctx: MappingContext) -> None:
        if operation not in self.map.operations:
            raise MethodNotAllowedError(self.map.refusal(operation))

    def parent_field(self) -> str | None:
        parent = self.map.parent
        return parent.field if parent else None

    def child(self, name: str) -> tuple[str, str] | None:
        link = self.map.children.get(name)
        return (link.resource, link.field) if link else None

    def admits(self, vendor: dict[str, Any]) -> bool:
        return self.map.admits(vendor)

    def to_record(self, vendor: dict[str, Any], ctx: MappingContext) -> dict[str, Any]:
        return self.map.to_normalized(vendor, ctx)

    def to_vendor(self, body: Any, ctx: MappingContext, *, partial: bool) -> dict[str, Any]:
        return self.map.to_vendor(body, ctx, partial=partial)

    def translate(self, field: str, op: str, value: Any, ctx: MappingContext) -> dict:
        return self.map.translate(field, op, value, ctx)

    def get(self, record: dict[str, Any], path: str) -> Any:
        return self.map.get(record, path)

    def vendor_fields(self, paths: Iterable[str] | None) -> list[str] | None:
        return self.map.vendor_fields(list(paths) if paths is not None else None)

    def check_field(self, path: str, ctx: MappingContext) -> None:
        self.map.check_path(path)

    def describe(self, ctx: MappingContext) -> list[dict[str, Any]]:
        return self.map.describe(ctx)


class NativeResource:
    """An Autotask entity served as is; the entity's metadata says what it allows."""

    kind = "native"
    parent_fields = {
        "Contacts": "companyID",
        "CompanyNotes": "companyID",
        "CompanyToDos": "companyID",
        "TicketNotes": "ticketID",
    }

    def __init__(self, entity: str) -> None:
        self.name = entity
        self.entity = entity
        self.fixed_filter: list[dict[str, Any]] = []

    def check(self, operation: str, ctx: MappingContext) -> None:
        info = ctx.entity_info(self.entity)
        flag = {
            "list": "canQuery",
            "get": "canQuery",
            "create": "canCreate",
            "update": "canUpdate",
            "delete": "canDelete",
        }[operation]
        if not info.get(flag, False):
            raise MethodNotAllowedError(
                f"Autotask does not allow {operation} on {self.entity} ({flag} is false)"
            )

    def parent_field(self) -> str | None:
        return self.parent_fields.get(self.entity)

    def child(self, name: str) -> tuple[str, str] | None:
        return None

    def admits(self, vendor: dict[str, Any]) -> bool:
        return True

    def _fields(self, ctx: MappingContext) -> dict[str, dict[str, Any]]:
        return {f["name"].lower(): f for f in ctx.fields(self.entity)}

    def to_record(self, vendor: dict[str, Any], ctx: MappingContext) -> dict[str, Any]:
        return dict(vendor)

    def to_vendor(self, body: Any, ctx: MappingContext, *, partial: bool) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ValidationError(f"Invalid {self.entity} record: send a JSON object")
        known = self._fields(ctx)
        problems = sorted(
            [(k, "unknown field") for k in body if k.lower() not in known and k != UDF_LIST]
            + [
                (k, "read-only field")
                for k in body
                if k.lower() != "id" and known.get(k.lower(), {}).get("isReadOnly")
            ]
        )
        if problems:  # every one in one 400
            raise ValidationError(
                f"Invalid {self.entity} record: "
                + listed((f"{kind} {name}" for name, kind in problems), sep="; "),
                errors=listed_errors([{"field": name, "message": kind} for name, kind in problems]),
            )
        return {known[k.lower()]["name"] if k.lower() in known else k: v for k, v in body.items()}

    def translate(self, field: str, op: str, value: Any, ctx: MappingContext) -> dict:
        known = self._fields(ctx).get(field.lower())
        if known is not None:
            return filters.condition(op, known["name"], value)
        udfs = {name.lower(): name for name in ctx.udf_names(self.entity)}
        if field.lower() in udfs:
            return filters.condition(op, udfs[field.lower()], value, udf=True)
        raise self._unknown(field, ctx)

    def _unknown(self, path: str, ctx: MappingContext) -> ValidationError:
        names = [f["name"] for f in ctx.fields(self.entity)] + list(ctx.udf_names(self.entity))
        return ValidationError(
            f"Unknown field '{path}' for {self.entity}{did_you_mean(path, names)}"
        )

    def check_field(self, path: str, ctx: MappingContext) -> None:
        head = path.split(".")[0].lower()
        if head == UDF_LIST.lower() or head in self._fields(ctx):
            return
        if head not in {name.lower() for name in ctx.udf_names(self.entity)}:
            raise self._unknown(path, ctx)

    def get(self, record: dict[str, Any], path: str) -> Any:
        lowered = {k.lower(): v for k, v in record.items()}
        if path.lower() in lowered:
            return lowered[path.lower()]
        for udf in record.get("userDefinedFields") or []:
            if str(udf.get("name", "")).lower() == path.lower():
                return udf.get("value")
        return None

    def vendor_fields(self, paths: Iterable[str] | None) -> list[str] | None:
        return None if paths is None else sorted({"id", *paths})

    def describe(self, ctx: MappingContext) -> list[dict[str, Any]]:
        from connector.hub.metadata import native_fields

        return native_fields(self.entity, ctx)

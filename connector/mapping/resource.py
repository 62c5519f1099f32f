"""`ResourceMap`: one normalized resource, applied in both directions.

Built by `connector.mapping.loader` from a validated map file; it holds small field mappers and
knows nothing of HTTP or of how Autotask is called. Everything that varies with the tenant
(picklist labels, user-defined fields, link hosts, instance settings) comes from the context.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError as SchemaError

from connector.autotask import filters as f
from connector.errors import MappingError, ValidationError, did_you_mean, listed, listed_errors
from connector.mapping import paths
from connector.mapping.body import body_schema, record_schema
from connector.mapping.bodyfields import flatten_errors
from connector.mapping.context import MappingContext
from connector.mapping.fields import FieldError, FieldMapper
from connector.mapping.filtering import admits
from connector.mapping.spec import OPERATIONS

_VENDOR_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,63}$")


@dataclass(frozen=True)
class ParentLink:
    """Where a child entity is written: under its parent's URL, named by the body's FK field."""

    entity: str  # e.g. Companies
    field: str  # the vendor FK in the body, e.g. companyID
    url: str  # e.g. Companies/{parentId}/Contacts

    def collection_url(self, parent_id: Any) -> str:
        return self.url.replace("{parentId}", str(parent_id))

    def parent_id(self, vendor_body: Mapping[str, Any]) -> Any:
        return paths.get(vendor_body, self.field)


@dataclass(frozen=True)
class ChildLink:
    """`GET /{resource}/{id}/{name}`: the `resource` records whose vendor `field` is the id."""

    name: str
    resource: str
    field: str

    def condition(self, parent_id: Any) -> dict[str, Any]:
        return f.condition(f.EQ, self.field, parent_id)


def invalid(problems: list[tuple[str, str]]) -> ValidationError:
    """One error for every problem: the message lists them all, `errors` holds them one by one."""
    error = ValidationError(
        listed((f"field '{path}': {message}" for path, message in problems), sep="; "),
        errors=listed_errors([{"field": path, "message": message} for path, message in problems]),
    )
    error.fields = dict(problems)  # type: ignore[attr-defined]
    return error


def _within(problem_path: str, field_path: str | None) -> bool:
    """Whether a problem's path (`emails[0].address`) lies in the field at `field_path`."""
    if not field_path:
        return False
    return problem_path == field_path or problem_path.startswith(
        (f"{field_path}.", f"{field_path}[")
    )


class ResourceMap:
    def __init__(
        self,
        *,
        name: str,
        entity: str,
        description: str,
        hubs: list[str],
        operations: dict[str, Any],
        parent: ParentLink | None,
        fixed_filter: list[dict],
        children: dict[str, ChildLink],
        fields: list[FieldMapper],
        source: str,
        pass_through: bool = False,
        change_tracking: dict[str, str] | None = None,
    ) -> None:
        self.name, self.entity, self.description = name, entity, description
        self.hubs = tuple(hubs)
        self.operations = frozenset(op for op in OPERATIONS if operations[op] is True)
        self.refusals = {op: reason for op, reason in operations.items() if reason is not True}
        self.parent, self.fixed_filter, self.children = parent, fixed_filter, children
        self.fields = tuple(fields)
        self.source = source
        self.pass_through = pass_through
        # {"changed": vendor field, "created": vendor field}, or None (no change date)
        self.change_tracking = dict(change_tracking) if change_tracking else None
        self._readable = [mapper for mapper in self.fields if mapper.readable]
        self._writable = [mapper for mapper in self.fields if mapper.writable]
        self._body = body_schema(self.fields, name)
        self._partial = tuple(mapper.path for mapper in self._writable if mapper.required)
        self._schema = record_schema(self.fields, name, description)

    def __repr__(self) -> str:
        return f"ResourceMap({self.name!r} -> {self.entity})"

    def refusal(self, op: str) -> str | None:
        """Why `op` is refused (the text for a 405), or None when it is allowed."""
        return self.refusals.get(op)

    def admits(self, vendor: Mapping[str, Any]) -> bool:
        """Whether a vendor record passes the fixed filter (a lead is a lead)."""
        return all(admits(item, vendor) for item in self.fixed_filter)

    # -- fields by normalized path -----------------------------------------------------------
    def field(self, path: str) -> tuple[FieldMapper, tuple[str, ...]]:
        """The mapper that owns `path`, and the rest of the path inside it."""
        try:
            names = tuple(step.name for step in paths.parse(path))  # type: ignore[union-attr]
        except (paths.PathError, AttributeError):
            raise ValidationError(f"field '{path}': not a field path") from None
        for mapper in self.fields:
            own = tuple(step.name for step in paths.parse(mapper.path)) if mapper.path else None
            if own and names[: len(own)] == own and mapper.knows(names[len(own) :]):
                if mapper.readable or mapper.writable:
                    return mapper, names[len(own) :]
        raise ValidationError(
            f"field '{path}': unknown field of {self.name}{did_you_mean(path, self.paths())}"
        )

    def paths(self) -> list[str]:
        """The readable fields' paths (what a mistyped name is compared with)."""
        return [mapper.path for mapper in self._readable if mapper.path]

    def check_path(self, path: str) -> None:
        """Raises `ValidationError` (with the nearest valid name) unless `path` can be read."""
        self._under(path)

    def _under(self, path: str) -> list[tuple[FieldMapper, tuple[str, ...]]]:
        """The mappers at or below `path` (`links` names every `links.*` field)."""
        prefix = path + "."
        found = [(m, ()) for m in self._readable if m.path and m.path.startswith(prefix)]
        return found or [self.field(path)]

    # -- vendor -> normalized ------------------------------------------------------------------
    def to_normalized(self, vendor: Mapping[str, Any], ctx: MappingContext) -> dict[str, Any]:
        """A new normalized record; nulls are kept as None."""
        record: dict[str, Any] = {}
        for mapper in self._readable:
            try:
                value = mapper.read(vendor, ctx)
            except (TypeError, ValueError) as error:
                raise MappingError(
                    f"{self.source}: field '{mapper.path}': cannot read "
                    f"{self.entity} {vendor.get('id')}: {error}"
                ) from error
            paths.set_in(record, mapper.path, value)  # type: ignore[arg-type]
        return record

    def get(self, record: Mapping[str, Any], path: str) -> Any:
        """The value at a normalized path (a list when the path walks through a list)."""
        return paths.get(record, path)

    # -- normalized -> vendor -------------------------------------------------------------------
    def writable_part(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """A new dict with the fields of a normalized record that a body may send back."""
        body: dict[str, Any] = {}
        for mapper in self._writable:
            value = paths.get(record, mapper.path, paths.MISSING)
            if value is not paths.MISSING:
                paths.set_in(body, mapper.path, copy.deepcopy(value))  # type: ignore[arg-type]
        return body

    def to_vendor(self, body: Any, ctx: MappingContext, *, partial: bool) -> dict[str, Any]:
        """The Autotask body for a create (`partial=False`) or an update (`partial=True`).

        Validates first (unknown, read-only, mistyped and missing fields, unknown labels) and
        raises `connector.errors.ValidationError` naming every refused field. On create, applies
        the defaults and constants and leaves nulls out.
        """
        if not isinstance(body, dict):
            raise ValidationError("the body must be a JSON object")
        unmapped = self._unmapped(body)
        if unmapped:
            body = {key: value for key, value in body.items() if key not in unmapped}
        problems: list[tuple[str, str]] = []
        try:
            data = self._body.load(body, partial=self._partial if partial else False)
        except SchemaError as error:
            # the fields that did load are still written below, so their problems (an unknown
            # label, say) are reported in the same 400
            problems.extend(flatten_errors(error.messages))
            data = error.valid_data if isinstance(error.valid_data, dict) else {}
        refused = {path for path, _ in problems}
        vendor: dict[str, Any] = {}
        for mapper in self._writable:
            if any(_within(problem, mapper.path) for problem in refused):
                continue
            value = paths.get(data, mapper.path, paths.MISSING)
            default = mapper.default if value is paths.MISSING and not partial else None
            if default is not None:
                value = default.resolve(ctx)
                if value is None and mapper.required:
                    problems.append(
                        (
                            mapper.path,
                            f"Missing data for required field ({default.origin} is unset).",
                        )
                    )
            if value is paths.MISSING or (value is None and default is not None):
                continue
            setting = default is not None and default.is_setting
            try:
                written = mapper.write(mapper.from_setting(value) if setting else value, ctx)
            except FieldError as error:
                prefix = f"{default.origin}: " if setting else ""  # type: ignore[union-attr]
                problems.extend((path, prefix + message) for path, message in error.problems)
                continue
            for vendor_path, vendor_value in written.items():
                paths.set_in(vendor, vendor_path, vendor_value)
        if problems:
            raise invalid(problems)
        for mapper in self.fields:
            for vendor_path, vendor_value in mapper.fixed_writes(create=not partial).items():
                paths.set_in(vendor, vendor_path, vendor_value)
        for key, value in unmapped.items():
            vendor.setdefault(key, copy.deepcopy(value))  # a mapped field wins
        if not partial:
            vendor = {key: value for key, value in vendor.items() if value is not None}
        return vendor

    def _unmapped(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """With `passThrough`, the body keys no field knows, to go to Autotask as they are
        (Autotask then refuses what it does not know); never one a field writes, nor `id`."""
        if not self.pass_through:
            return {}
        known = set(self._body.fields)
        taken = {v.casefold() for m in self.fields for v in m.written_fields()} | {"id"}
        return {
            key: value
            for key, value in body.items()
            if key not in known and _VENDOR_NAME.match(key) and key.casefold() not in taken
        }

    # -- queries -----------------------------------------------------------------------------
    def vendor_fields(self, paths_: list[str] | None) -> list[str] | None:
        """Autotask's IncludeFields for a `fields=` selection (None: every field)."""
        if paths_ is None:
            return None
        wanted = ["id"]
        for path in paths_:
            for mapper, rest in self._under(path):
                wanted.extend(mapper.vendor_fields(rest))
        return list(dict.fromkeys(wanted))

    def translate(self, field: str, op: str, value: Any, ctx: MappingContext) -> dict[str, Any]:
        """An Autotask filter item for a predicate on a normalized field.

        Raises `ValidationError` for an unknown field or label and `NotPushable` when Autotask
        cannot evaluate the predicate (the caller then filters locally).
        """
        if op not in f.CONDITION_OPS:
            raise ValidationError(f"field '{field}': unknown filter operator {op!r}")
        mapper, rest = self.field(field)
        if not mapper.readable:
            raise ValidationError(f"field '{field}': write-only, it cannot be queried")
        if not mapper.filterable:
            raise f.NotPushable(field)
        return mapper.translate(rest, op, value, ctx)

    # -- description -----------------------------------------------------------------------------
    def describe(self, ctx: MappingContext) -> list[dict[str, Any]]:
        """One row per field: path, types, vendor path, required, read-only, operators, labels."""
        return [row for mapper in self.fields for row in mapper.describe(ctx)]

    def json_schema(self) -> dict[str, Any]:
        """The OpenAPI 3.1 schema of a normalized record (the same for every tenant)."""
        return copy.deepcopy(self._schema)

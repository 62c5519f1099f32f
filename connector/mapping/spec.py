"""marshmallow schemas of a transformation map file, checked before anything is built.

A map file's top-level keys are validated by `MapSpec`; each entry of `fields` by the `Spec` of
its field type (every type's schema extends `FieldSpec`). Unknown keys are errors everywhere.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

from connector.autotask import filters as f
from connector.mapping import defaults, paths
from connector.mapping.bodyfields import StrictBoolean

DIRECTIONS = ("read", "write", "both")
OPERATIONS = ("list", "get", "create", "update", "delete")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class FieldSpec(_Strict):
    """Keys every field entry may carry."""

    path = fields.String()
    type = fields.String(required=True)
    direction = fields.String(load_default="both", validate=validate.OneOf(DIRECTIONS))
    required = StrictBoolean(load_default=False)
    default = fields.Raw(allow_none=True)
    description = fields.String(load_default="")
    filterable = StrictBoolean(load_default=True)

    @validates("path")
    def _plain_path(self, value: str, **_: Any) -> None:
        check_plain_path(value)

    @validates("default")
    def _default_shape(self, value: Any, **_: Any) -> None:
        problem = defaults.check(value)
        if problem:
            raise ValidationError(problem)


def check_plain_path(value: str) -> None:
    """A normalized path: names joined by dots, no list selectors."""
    try:
        steps = paths.parse(value)
    except paths.PathError as error:
        raise ValidationError(str(error)) from None
    if not all(isinstance(step, paths.Key) for step in steps):
        raise ValidationError("a normalized path is names joined by dots, without [...]")


def check_vendor_path(value: str) -> None:
    try:
        paths.parse(value)
    except paths.PathError as error:
        raise ValidationError(str(error)) from None


class VendorPath(fields.String):
    """An Autotask field name, or a path into the vendor record (`Products[id=4].name`)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        check_vendor_path(text)
        return text


class FilterItem(fields.Field):
    """An Autotask filter item: `{op, field, value[, udf]}` or `{op: and|or, items: [...]}`."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict:
        check_filter_item(value)
        return value


def check_filter_item(item: Any) -> None:
    if not isinstance(item, dict):
        raise ValidationError("a filter item is an object")
    op = item.get("op")
    if op in (f.AND, f.OR):
        if set(item) != {"op", "items"} or not isinstance(item["items"], list) or not item["items"]:
            raise ValidationError(f"a group '{op}' holds exactly op and a non-empty items list")
        for inner in item["items"]:
            check_filter_item(inner)
        return
    if op not in f.CONDITION_OPS:
        raise ValidationError(
            f"unknown filter op {op!r}; known: {', '.join(sorted(f.CONDITION_OPS))}"
        )
    allowed = {"op", "field", "udf"} | (set() if op in f.NULL_CHECKS else {"value"})
    if not isinstance(item.get("field"), str) or not set(item) <= allowed:
        raise ValidationError(f"a condition holds {', '.join(sorted(allowed))} (field is text)")
    if op in f.SET_MATCHES and not isinstance(item.get("value"), list):
        raise ValidationError(f"'{op}' takes a list value")


class Operations(fields.Field):
    """Each of list/get/create/update/delete: `true`, or the reason it is refused (text)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict:
        if not isinstance(value, dict):
            raise ValidationError(f"an object with the keys {', '.join(OPERATIONS)}")
        unknown = sorted(set(map(str, value)) - set(OPERATIONS))
        missing = [name for name in OPERATIONS if name not in value]
        if unknown or missing:
            raise ValidationError(
                f"unknown {unknown}, missing {missing}; give each of "
                f"{', '.join(OPERATIONS)} true or the reason it is refused"
            )
        for name, allowed in value.items():
            if allowed is not True and not (isinstance(allowed, str) and allowed.strip()):
                raise ValidationError(f"{name}: true, or the reason it is refused")
        return value


class ParentSpec(_Strict):
    entity = fields.String(required=True)
    field = VendorPath(required=True)
    url = fields.String(
        required=True,
        validate=validate.Regexp(
            r".*\{parentId\}.*",
            error="must hold {{parentId}}, e.g. Companies/{{parentId}}/Contacts",
        ),
    )  # str.format


class ChildSpec(_Strict):
    resource = fields.String(required=True)
    field = VendorPath(required=True)


class ChangeTrackingSpec(_Strict):
    """The Autotask fields that date a record's last change and its creation (events poll on
    `changed`); an entity Autotask dates no change of (Resources) has none."""

    changed = VendorPath(required=True)
    created = VendorPath(required=True)


class MapSpec(_Strict):
    entity = fields.String(required=True, validate=validate.Length(min=1))
    description = fields.String(required=True, validate=validate.Length(min=1))
    hubs = fields.List(
        fields.String(validate=validate.Length(min=1)),
        load_default=["crm"],
        validate=validate.Length(min=1),
    )
    operations = Operations(required=True)
    parent = fields.Nested(ParentSpec)
    fixedFilter = fields.List(FilterItem(), load_default=list)  # noqa: N815 - the YAML key
    children = fields.Dict(keys=fields.String(), values=fields.Nested(ChildSpec), load_default=dict)
    # body keys no field maps go to Autotask as they are (Cloud Elements' passThrough)
    passThrough = StrictBoolean(load_default=False)  # noqa: N815 - the YAML key
    changeTracking = fields.Nested(ChangeTrackingSpec, load_default=None)  # noqa: N815
    # `fields` would shadow Schema.fields
    field_entries = fields.List(
        fields.Dict(), required=True, data_key="fields", validate=validate.Length(min=1)
    )

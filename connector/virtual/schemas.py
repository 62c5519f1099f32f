"""marshmallow schemas of Cloud Elements' definition and transformation bodies.

A definition (`POST /organizations/objects/{name}/definitions`):

    {"fields": [{"path": "fullName", "type": "string"}, {"path": "email", "type": "string"}]}

A transformation (`POST /organizations/elements/autotaskcrm/transformations/{name}`):

    {"vendorName": "contacts",
     "fields": [{"path": "email", "type": "string",
                 "vendorPath": "emails[?(@.type=='work')].address",
                 "configuration": [{"type": "remove",
                                    "properties": {"fromVendor": false, "toVendor": true}}]}],
     "configuration": [{"type": "passThrough",
                        "properties": {"fromVendor": false, "toVendor": false}},
                       {"type": "inherit"}]}

Keys a GET answers (`level`, `objectName`, `startDate`, ...) are accepted back and ignored, so
a body read can be sent again. Anything else unknown is an error. A `script` is refused:
this connector never runs user code.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    post_load,
    validate,
    validates,
    validates_schema,
)
from marshmallow import fields as ma

from connector.mapping import paths
from connector.virtual import datefmt
from connector.virtual.convert import TYPES

LEVELS = ("organization", "account", "instance")
FIELD_CONFIG_TYPES = ("remove", "passThrough", "transformDate")
# addToDocumentation is accepted as Cloud Elements' clients send it; every virtual resource is
# in GET /instances/{id}/docs already, so it changes nothing
OBJECT_CONFIG_TYPES = ("passThrough", "inherit", "addToDocumentation")
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
# Names the hub routes itself (/hubs/crm/objects, /hubs/crm/ping, /hubs/crm/bulk/...).
RESERVED_NAMES = frozenset({"objects", "ping", "bulk"})
# Bounds on what a tenant stores and every reader of it renders (records on the hub, the
# instance's OpenAPI and Swagger 2.0 documents, /common-resources): a path of 5,000 names
# nested records and schemas deeper than any JSON encoder recurses (a 500), and tens of
# thousands of fields cost seconds of CPU per save. A record must also stay a body the hub
# takes back (JSON nests at most 64 deep there, connector.api.json_body); shipped maps use 2.
MAX_PATH_STEPS = 32
MAX_FIELDS = 1000


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class StrictBoolean(ma.Field):
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Not a valid boolean.")
        return value


def check_name(name: str) -> str | None:
    """What is wrong with a virtual resource's name, or None."""
    if not NAME.match(name):
        return "a name starts with a letter and holds letters, digits, '-' or '_' (64 at most)"
    if name in RESERVED_NAMES:
        return f"'{name}' is a hub path of its own; choose another name"
    return None


def _plain_path(value: str) -> None:
    try:
        steps = paths.parse(value)
    except paths.PathError as error:
        raise ValidationError(str(error)) from None
    if not all(isinstance(step, paths.Key) for step in steps):
        raise ValidationError("a field path is names joined by dots, without [...]")
    _not_too_deep(steps)


def _not_too_deep(steps: list[Any]) -> None:
    if len(steps) > MAX_PATH_STEPS:
        raise ValidationError(f"a field path holds at most {MAX_PATH_STEPS} names")


class DefinitionFieldSchema(_Strict):
    path = ma.String(required=True, validate=_plain_path)
    type = ma.String(required=True, validate=validate.OneOf(TYPES))
    # echoed by GET answers
    level = ma.String(load_only=True)
    associatedLevel = ma.String(load_only=True)  # noqa: N815 - Cloud Elements' key
    displayName = ma.String()  # noqa: N815

    @post_load
    def _without_echoes(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k not in ("level", "associatedLevel")}


class DefinitionSchema(_Strict):
    # `fields` would shadow Schema.fields
    entries = ma.List(
        ma.Nested(DefinitionFieldSchema),
        required=True,
        validate=[validate.Length(min=1), validate.Length(max=MAX_FIELDS)],
        data_key="fields",
    )
    level = ma.String(validate=validate.OneOf(LEVELS))
    objectName = ma.String(load_only=True)  # noqa: N815
    updatedDate = ma.String(load_only=True)  # noqa: N815

    @validates("entries")
    def _distinct(self, value: list[dict[str, Any]], **_: Any) -> None:
        problem = overlapping([f["path"] for f in value if "path" in f])
        if problem:
            raise ValidationError(problem)

    @post_load
    def _named(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["fields"] = data.pop("entries")
        return data


def overlapping(field_paths: list[str]) -> str | None:
    """Two fields at one path, or one nested under another (`a` and `a.b`), cannot both be.
    Each path's own prefixes are looked up (linear in the paths), not every pair compared."""
    seen: set[str] = set()
    for path in field_paths:
        if path in seen:
            return f"the path '{path}' appears twice"
        seen.add(path)
    for other in field_paths:
        prefix = other.rpartition(".")[0]
        while prefix:
            if prefix in seen:
                return f"'{other}' is inside '{prefix}': a field is a value or an object, not both"
            prefix = prefix.rpartition(".")[0]
    return None


class DirectionProperties(_Strict):
    fromVendor = StrictBoolean()  # noqa: N815
    toVendor = StrictBoolean()  # noqa: N815


class DateProperties(_Strict):
    pattern = ma.String()
    vendorPattern = ma.String()  # noqa: N815

    @validates_schema
    def _patterns(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("transformDate needs pattern, vendorPattern or both")
        for key in ("pattern", "vendorPattern"):
            problem = datefmt.check(data[key]) if key in data else None
            if problem:
                raise ValidationError({key: [problem]})


class FieldConfigSchema(_Strict):
    type = ma.String(required=True, validate=validate.OneOf(FIELD_CONFIG_TYPES))
    properties = ma.Dict(load_default=None, allow_none=True)

    @validates_schema
    def _properties(self, data: dict[str, Any], **_: Any) -> None:
        props = data.get("properties") or {}
        schema = DateProperties() if data["type"] == "transformDate" else DirectionProperties()
        errors = schema.validate(props)
        if errors or (data["type"] == "transformDate" and not props):
            raise ValidationError(
                {"properties": errors or ["transformDate needs pattern and/or vendorPattern"]}
            )


class TransformationFieldSchema(_Strict):
    path = ma.String(required=True, validate=_plain_path)
    type = ma.String(validate=validate.OneOf(TYPES))
    vendorPath = ma.String(required=True)  # noqa: N815
    vendorType = ma.String(validate=validate.OneOf(TYPES))  # noqa: N815
    configuration = ma.List(ma.Nested(FieldConfigSchema), load_default=list)
    level = ma.String(load_only=True)
    vendorDisplayName = ma.String(load_only=True)  # noqa: N815

    @validates("vendorPath")
    def _vendor_path(self, value: str, **_: Any) -> None:
        try:
            steps = paths.parse(value)
        except paths.PathError as error:
            raise ValidationError(str(error)) from None
        _not_too_deep(steps)

    @validates_schema
    def _date_only(self, data: dict[str, Any], **_: Any) -> None:
        kinds = [c["type"] for c in data.get("configuration") or []]
        if "transformDate" in kinds and data.get("type", "date") != "date":
            raise ValidationError({"configuration": ["transformDate applies to date fields"]})
        repeated = sorted({k for k in kinds if kinds.count(k) > 1})
        if repeated:
            raise ValidationError({"configuration": [f"{', '.join(repeated)} given twice"]})


class ObjectConfigSchema(_Strict):
    type = ma.String(required=True, validate=validate.OneOf(OBJECT_CONFIG_TYPES))
    properties = ma.Dict(load_default=None, allow_none=True)

    @validates_schema
    def _properties(self, data: dict[str, Any], **_: Any) -> None:
        if data["type"] == "passThrough":
            errors = DirectionProperties().validate(data.get("properties") or {})
            if errors:
                raise ValidationError({"properties": errors})


class TransformationSchema(_Strict):
    vendorName = ma.String(required=True, validate=validate.Length(min=1))  # noqa: N815
    entries = ma.List(
        ma.Nested(TransformationFieldSchema),
        load_default=list,
        validate=validate.Length(max=MAX_FIELDS),
        data_key="fields",
    )
    configuration = ma.List(ma.Nested(ObjectConfigSchema), load_default=list, allow_none=True)
    isLegacy = StrictBoolean(load_default=False)  # noqa: N815
    script = ma.Raw(allow_none=True, load_only=True)
    level = ma.String(validate=validate.OneOf(LEVELS))
    objectName = ma.String(load_only=True)  # noqa: N815
    startDate = ma.String(load_only=True)  # noqa: N815

    @validates("script")
    def _no_script(self, value: Any, **_: Any) -> None:
        body = value.get("body") if isinstance(value, dict) else value
        if body not in (None, "", {}):
            raise ValidationError(
                "scripts are not run by this connector; map fields with vendorPath, "
                "remove, passThrough and transformDate instead, and leave script out"
            )

    @validates("entries")
    def _distinct(self, value: list[dict[str, Any]], **_: Any) -> None:
        problem = overlapping([f["path"] for f in value if "path" in f])
        if problem:
            raise ValidationError(problem)

    @post_load
    def _named(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["fields"] = data.pop("entries")
        return data

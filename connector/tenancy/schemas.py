"""The instance bodies of Cloud Elements' POST/PUT/PATCH /instances."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from connector.tenancy import element

_HTML_TAG = re.compile(r"<[^>]*>")
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() also takes "²" and "١"
AUTOTASK_ID_MAX = 2**31 - 1  # Autotask ids are 32-bit integers
OWN_PREFIXES = ("crm.autotask.", "helpdesk.autotask.")
MAX_IGNORED, MAX_IGNORED_LENGTH = 50, 4096


def ignored_keys(configuration: Any) -> list[str]:
    """Configuration keys kept but ignored, as Cloud Elements does: keys of other elements and
    platform features. A key in this element's own namespace (`crm.autotask.*`) must be known,
    since a misspelt one would silently change nothing."""
    if not isinstance(configuration, dict):
        return []
    return sorted(
        str(key)
        for key in configuration
        if element.config_key(str(key)) is None and not str(key).startswith(OWN_PREFIXES)
    )


def strip_html(text: str) -> str:
    return _HTML_TAG.sub("", text).strip()


class TagField(fields.Field):
    """A tag as a string, or Cloud Elements' older `{"name": ...}` object; HTML removed."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, dict) and isinstance(value.get("name"), str):
            value = value["name"]
        if not isinstance(value, str):
            raise ValidationError("a tag is a string")
        tag = strip_html(value)
        if not tag or len(tag) > 128:
            raise ValidationError("a tag has 1 to 128 characters")
        return tag


class ConfigValue(fields.Field):
    """Configuration values are strings; booleans and numbers are accepted and kept as text."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float, str)):
            return str(value).strip()
        raise ValidationError("a configuration value is a string")


class ElementRef(Schema):
    class Meta:
        unknown = EXCLUDE  # Cloud Elements clients may echo the whole element object

    key = fields.String()
    id = fields.Integer()

    @validates_schema
    def _is_ours(self, data: dict[str, Any], **kwargs: Any) -> None:
        key, element_id = data.get("key"), data.get("id")
        if key is None and element_id is None:
            raise ValidationError(f'name the element: {{"key": "{element.ELEMENT_KEY}"}}')
        if key is not None and key != element.ELEMENT_KEY:
            raise ValidationError(
                f"unknown element key '{key}': this connector serves '{element.ELEMENT_KEY}'", "key"
            )
        if element_id is not None and element_id != element.element_id():
            raise ValidationError(
                f"unknown element id {element_id}: '{element.ELEMENT_KEY}' is element "
                f"{element.element_id()}",
                "id",
            )


class InstanceSchema(Schema):
    """POST and PUT body. PATCH loads it with partial=True."""

    class Meta:
        unknown = RAISE

    element = fields.Nested(ElementRef, required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    configuration = fields.Dict(
        keys=fields.String(), values=ConfigValue(allow_none=True), required=True
    )
    tags = fields.List(TagField(), load_default=list)
    cachingEnabled = fields.Boolean()
    cacheTimeToLive = fields.Integer(validate=validate.Range(min=0, max=7 * 86400))
    maxCacheSize = fields.Integer(validate=validate.Range(min=0, max=50_000))  # hub.cache
    eventsEnabled = fields.Boolean()
    traceLoggingEnabled = fields.Boolean()
    externalAuthentication = fields.String(validate=validate.OneOf(["none"]))
    # tolerated for Cloud Elements clients that send back what they read
    id = fields.Integer()
    disabled = fields.Boolean()
    valid = fields.Boolean()
    createdDate = fields.String()
    providerData = fields.Dict()

    @pre_load
    def _strip_read_only(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict):
            data = {
                k: v
                for k, v in data.items()
                if k not in {"token", "user", "elementId", "updatedDate", "provisionInteractions"}
            }
        return data

    @validates("name")
    def _name_has_text(self, value: str, **kwargs: Any) -> None:
        if not strip_html(value):
            raise ValidationError("the name must have text outside HTML tags")

    @validates("configuration")
    def _known_keys(self, value: dict[str, Any], **kwargs: Any) -> None:
        errors = {}
        ignored = ignored_keys(value)
        if len(ignored) > MAX_IGNORED:
            errors["configuration"] = [f"at most {MAX_IGNORED} keys this element does not use"]
        for key, item in value.items():
            spec = element.config_key(key)
            if key in ignored:
                if len(key) > 255 or (item is not None and len(item) > MAX_IGNORED_LENGTH):
                    errors[key] = ["an ignored key has at most 255 characters, its value 4096"]
            elif spec is None:
                known = ", ".join(c.key for c in element.config_keys())
                errors[key] = [f"unknown configuration key; known keys: {known}"]
            elif spec.choices and item is not None and item not in spec.choices:
                errors[key] = [f"must be one of {', '.join(spec.choices)}"]
            elif spec.type == "BOOLEAN" and item is not None and item not in ("true", "false"):
                errors[key] = ["must be true or false"]
            elif spec.type == "NUMBER" and item is not None:
                problem = number_problem(spec, item)
                if problem:
                    errors[key] = [problem]
        if value.get(element.SERVER_URL):
            problem = server_url_problem(value[element.SERVER_URL])
            if problem:
                errors[element.SERVER_URL] = [problem]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _clean(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if "name" in data:
            data["name"] = strip_html(data["name"])
        for ignored in ("id", "valid", "createdDate", "providerData", "externalAuthentication"):
            data.pop(ignored, None)
        return data


def number_range(spec: element.ConfigKey) -> tuple[int, int]:
    """A numeric key's bounds: its top-level twin's (cache.ttl is cacheTimeToLive's 7 days)."""
    if spec.field:
        for check in InstanceSchema._declared_fields[spec.field].validators:
            if isinstance(check, validate.Range):
                return int(check.min), int(check.max)
    return 0, AUTOTASK_ID_MAX


def number_problem(spec: element.ConfigKey, value: str) -> str | None:
    low, high = number_range(spec)
    digits = value.lstrip("0") or "0"  # int() of a 5,000-digit string raises, so compare first
    if (
        not _DIGITS.fullmatch(value)
        or len(digits) > len(str(high))
        or not low <= int(digits) <= high
    ):
        return f"must be a whole number from {low} to {high} (digits 0-9 only)"
    return None


def server_url_problem(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http(s) URL such as https://ww2.autotask.net"
    if parts.username or parts.password:
        return "must not carry credentials"
    return None


class ConfigurationRowSchema(Schema):
    """PATCH /instances/{id}/configuration/{configId}: a new string value."""

    class Meta:
        unknown = EXCLUDE

    propertyValue = ConfigValue(required=True, allow_none=True)

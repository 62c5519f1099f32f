"""Cloud Elements' `event.poller.configuration`: per resource the poll's `url`, `idField` and
`datesConfiguration`, checked, and its defaults from the map's `changeTracking` (the Autotask
fields that date a change and a creation; data in transformations/, never spelled here). A
`url` names the change date polled, as `updatedDateField` does (see poller_url); one that asks
for more than a poll does is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import RAISE, Schema, fields, validate
from marshmallow import ValidationError as SchemaError

from connector.events.poller_url import PLACEHOLDER, PollerUrlError, polled_field

MAX_POLLER_CONFIGURATION = 20_000  # characters of the JSON
DATE_FORMAT = "yyyy-MM-dd'T'HH:mm:ssXXX"
# a change or creation date must be one: a poll filters on it and reads its values as instants
DATE_TYPES = frozenset({"datetime", "date"})
_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,99}")


def _has_placeholder(url: str) -> None:
    if not PLACEHOLDER.search(url):
        raise SchemaError("must hold a ${date:<pattern>} or ${gmtDate:<pattern>}")


@dataclass(frozen=True)
class PollerSpec:
    """Cloud Elements' poller entry of one resource, with the Autotask fields behind it."""

    resource: str
    entity: str
    url: str
    id_field: str
    updated_field: str  # normalized path (Cloud Elements' datesConfiguration.updatedDateField)
    updated_format: str
    created_field: str
    created_format: str
    changed_vendor_field: str  # the Autotask field a poll filters on
    created_vendor_field: str

    def view(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "idField": self.id_field,
            "datesConfiguration": {
                "updatedDateField": self.updated_field,
                "updatedDateFormat": self.updated_format,
                "createdDateField": self.created_field,
                "createdDateFormat": self.created_format,
            },
        }


class DatesSchema(Schema):
    class Meta:
        unknown = RAISE

    updatedDateField = fields.String(validate=validate.Regexp(_PATH))  # noqa: N815
    updatedDateFormat = fields.String(validate=validate.Length(1, 64))  # noqa: N815
    createdDateField = fields.String(validate=validate.Regexp(_PATH))  # noqa: N815
    createdDateFormat = fields.String(validate=validate.Length(1, 64))  # noqa: N815


class PollerEntrySchema(Schema):
    class Meta:
        unknown = RAISE

    url = fields.String(validate=[validate.Length(1, 2000), _has_placeholder])
    idField = fields.String(validate=validate.Regexp(_PATH))  # noqa: N815
    datesConfiguration = fields.Nested(DatesSchema)  # noqa: N815


def poller_spec(name: str, resource: Any, given: Mapping[str, Any]) -> PollerSpec:
    """A resource's poller entry: what the tenant gave over the map's defaults."""
    tracking = resource.change_tracking or {}
    changed_path = _path_of(resource, tracking["changed"])
    created_path = _path_of(resource, tracking["created"])
    dates = dict(given.get("datesConfiguration") or {})
    updated_field = dates.get("updatedDateField") or _url_field(name, given) or changed_path
    created_field = dates.get("createdDateField") or created_path
    return PollerSpec(
        resource=name,
        entity=resource.entity,
        url=given.get("url")
        or f"/hubs/crm/{name}?where={updated_field} >= '${{gmtDate:{DATE_FORMAT}}}'",
        id_field=given.get("idField") or "id",
        updated_field=updated_field,
        updated_format=dates.get("updatedDateFormat") or DATE_FORMAT,
        created_field=created_field,
        created_format=dates.get("createdDateFormat") or DATE_FORMAT,
        changed_vendor_field=_date_of(resource, updated_field) or tracking["changed"],
        created_vendor_field=_date_of(resource, created_field) or tracking["created"],
    )


def parse(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def problem(text: str, objects: tuple[str, ...], maps: Mapping[str, Any]) -> str | None:
    if len(text) > MAX_POLLER_CONFIGURATION:
        return f"at most {MAX_POLLER_CONFIGURATION} characters"
    try:
        value = json.loads(text)
    except ValueError:
        return 'must be a JSON object: {"<resource>": {"url": ..., "idField": ..., ...}}'
    if not isinstance(value, dict):
        return 'must be a JSON object: {"<resource>": {"url": ..., "idField": ..., ...}}'
    for name, entry in value.items():
        if name not in objects or name not in maps:
            return f"'{str(name)[:100]}' is not watched (event.objects: {', '.join(objects)})"
        try:
            PollerEntrySchema().load(entry if isinstance(entry, dict) else {"": entry})
        except SchemaError as exc:
            first = next(iter(_flat(exc.messages)), "invalid")
            return f"{name}.{first}"
        dates = entry.get("datesConfiguration") or {}
        for key in ("updatedDateField", "createdDateField"):
            path = dates.get(key)
            found = _date_problem(maps[name], name, path) if path else None
            if found:
                return f"{name}.datesConfiguration.{key}: {found}"
        found = _url_problem(name, entry, maps[name])
        if found:
            return f"{name}.url: {found}"
    return None


def _url_problem(name: str, entry: Mapping[str, Any], resource: Any) -> str | None:
    if not entry.get("url"):
        return None
    try:
        path = polled_field(name, entry["url"])
    except PollerUrlError as error:
        return str(error)
    found = _date_problem(resource, name, path)
    if found:
        return found
    updated = (entry.get("datesConfiguration") or {}).get("updatedDateField")
    if updated and updated != path:
        return f"polls '{path}' but datesConfiguration.updatedDateField is '{updated}'"
    return None


def _url_field(name: str, given: Mapping[str, Any]) -> str | None:
    """The change date the tenant's url names (checked when it was stored)."""
    try:
        return polled_field(name, given["url"]) if given.get("url") else None
    except PollerUrlError:
        return None


def _flat(messages: Any, prefix: str = "") -> list[str]:
    if isinstance(messages, dict):
        found: list[str] = []
        for key, inner in messages.items():
            found += _flat(inner, f"{prefix}{key}." if key != "" else prefix)
        return found
    if isinstance(messages, list):
        return [f"{prefix.rstrip('.')}: {m}" if prefix else str(m) for m in messages]
    return [f"{prefix.rstrip('.')}: {messages}"]


def _path_of(resource: Any, vendor_field: str) -> str:
    """The normalized path that reads `vendor_field` (the vendor name when none does)."""
    for mapper in getattr(resource, "fields", ()):
        if getattr(mapper, "vendor", None) == vendor_field and getattr(mapper, "path", None):
            return mapper.path
    return vendor_field


def _date_problem(resource: Any, name: str, path: str) -> str | None:
    if _vendor_of(resource, path) is None:
        return f"{name} has no field '{path}'"
    if _date_of(resource, path) is None:
        return f"'{path}' is not a date field of {name} (a poll reads its values as instants)"
    return None


def _date_of(resource: Any, path: str) -> str | None:
    """The vendor field of a date field at `path` (None when `path` is no date field)."""
    for mapper in getattr(resource, "fields", ()):
        if getattr(mapper, "path", None) == path and getattr(mapper, "type", None) in DATE_TYPES:
            return _vendor_of(resource, path)
    return None


def _vendor_of(resource: Any, path: str) -> str | None:
    for mapper in getattr(resource, "fields", ()):
        vendor = getattr(mapper, "vendor", None)
        if getattr(mapper, "path", None) == path and isinstance(vendor, str):
            return vendor
    return None

"""An instance's event configuration: Cloud Elements' `event.*` keys, checked and parsed.

    settings = config.read(instance, box, maps, operator_settings)   # EventSettings
    settings.enabled, settings.objects, settings.interval_seconds, settings.poller["accounts"]

`check` validates the keys an instance is about to store (every problem names its key) and is
what the instance hook runs before a change is saved; `read` parses what is stored (already
checked), for the sources and the pipeline. Defaults of `event.poller.configuration` come from
each map's `changeTracking` (data in transformations/, never spelled here).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import RAISE, Schema, fields, validate
from marshmallow import ValidationError as SchemaError

from connector.outbound import OutboundError, OutboundPolicy, check_url

ENABLED = "event.notification.enabled"
CALLBACK_URL = "event.notification.callback.url"
SIGNATURE_KEY = "event.notification.signature.key"
VENDOR_TYPE = "event.vendor.type"
OBJECTS = "event.objects"
REFRESH_INTERVAL = "event.poller.refresh_interval"
POLLER_CONFIGURATION = "event.poller.configuration"
RECONCILE_INTERVAL = "event.poller.reconcile_interval"
RAW = "event.notification.raw"
KEYS = (
    ENABLED,
    CALLBACK_URL,
    SIGNATURE_KEY,
    VENDOR_TYPE,
    OBJECTS,
    REFRESH_INTERVAL,
    POLLER_CONFIGURATION,
    RECONCILE_INTERVAL,
    RAW,
)

VENDOR_TYPES = ("webhook", "polling")
DEFAULT_OBJECTS = ("accounts", "contacts", "opportunities", "incidents")
DEFAULT_REFRESH_MINUTES = 5.0
DEFAULT_RECONCILE_MINUTES = 24 * 60.0
MAX_MINUTES = 7 * 24 * 60.0  # a week: longer intervals are no change feed
MAX_OBJECTS = 20
MAX_POLLER_CONFIGURATION = 20_000  # characters of the JSON
MIN_SIGNATURE_KEY, MAX_SIGNATURE_KEY = 16, 256
RESOLVE_SECONDS = 2.0
DATE_FORMAT = "yyyy-MM-dd'T'HH:mm:ssXXX"
_MINUTES = re.compile(r"[0-9]{1,6}(\.[0-9]{1,3})?")
_PLACEHOLDER = re.compile(r"\$\{(date|gmtDate):[^}]{1,64}\}")
_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,99}")


def callback_policy(allow_private: bool) -> OutboundPolicy:
    """Callback URLs (events, bulk): http(s) to any host; private addresses only when the
    operator sets EVENTS_ALLOW_PRIVATE_CALLBACKS."""
    return OutboundPolicy.from_settings("http://*", allow_private)


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


@dataclass(frozen=True)
class EventSettings:
    enabled: bool
    callback_url: str | None
    vendor_type: str
    objects: tuple[str, ...]
    interval_seconds: float
    reconcile_seconds: float  # 0: no reconcile sweep
    raw: bool
    poller: dict[str, PollerSpec] = field(default_factory=dict)


class _Dates(Schema):
    class Meta:
        unknown = RAISE

    updatedDateField = fields.String(validate=validate.Regexp(_PATH))  # noqa: N815
    updatedDateFormat = fields.String(validate=validate.Length(1, 64))  # noqa: N815
    createdDateField = fields.String(validate=validate.Regexp(_PATH))  # noqa: N815
    createdDateFormat = fields.String(validate=validate.Length(1, 64))  # noqa: N815


class _PollerEntry(Schema):
    class Meta:
        unknown = RAISE

    url = fields.String(validate=[validate.Length(1, 2000), lambda url: _has_placeholder(url)])
    idField = fields.String(validate=validate.Regexp(_PATH))  # noqa: N815
    datesConfiguration = fields.Nested(_Dates)  # noqa: N815


def _has_placeholder(url: str) -> None:
    if not _PLACEHOLDER.search(url):
        raise SchemaError("must hold a ${date:<pattern>} or ${gmtDate:<pattern>}")


def check(
    values: Mapping[str, str | None],
    *,
    enabled: bool,
    maps: Mapping[str, Any],
    settings: Any,
    recheck_url: bool = True,
) -> dict[str, str]:
    """Problems of an instance's event keys (merged: stored values and the change), by key."""
    problems: dict[str, str] = {}
    url = values.get(CALLBACK_URL)
    if url and not recheck_url:
        pass
    elif url:
        problem = callback_problem(url, settings)
        if problem:
            problems[CALLBACK_URL] = problem
    elif enabled:
        problems[CALLBACK_URL] = "is required when events are on (an http(s) URL)"
    key = values.get(SIGNATURE_KEY)
    if key is not None and not MIN_SIGNATURE_KEY <= len(key) <= MAX_SIGNATURE_KEY:
        problems[SIGNATURE_KEY] = (
            f"must have {MIN_SIGNATURE_KEY} to {MAX_SIGNATURE_KEY} characters "
            "(leave it out and one is made for you)"
        )
    vendor = values.get(VENDOR_TYPE)
    if vendor is not None and vendor not in VENDOR_TYPES:
        problems[VENDOR_TYPE] = f"must be one of {', '.join(VENDOR_TYPES)}"
    objects, problem = _objects(values.get(OBJECTS), maps)
    if problem:
        problems[OBJECTS] = problem
    for name, default in ((REFRESH_INTERVAL, 1.0), (RECONCILE_INTERVAL, 0.0)):
        raw = values.get(name)
        if raw is not None and _minutes(raw, low=default) is None:
            low = "more than 0" if default else "0 (off) or more"
            problems[name] = f"must be minutes, {low} and at most {MAX_MINUTES:g} (e.g. 5 or 0.5)"
    raw_flag = values.get(RAW)
    if raw_flag is not None and raw_flag not in ("true", "false"):
        problems[RAW] = "must be true or false"
    text = values.get(POLLER_CONFIGURATION)
    if text:
        problem = _poller_problem(text, objects or DEFAULT_OBJECTS, maps)
        if problem:
            problems[POLLER_CONFIGURATION] = problem
    return problems


def callback_problem(url: str, settings: Any) -> str | None:
    try:
        check_url(
            url,
            callback_policy(bool(settings.events_allow_private_callbacks)),
            timeout=RESOLVE_SECONDS,
        )
    except OutboundError as exc:
        return f"cannot be called: {exc} (an http(s) URL of a public address)"
    return None


def read(
    values: Mapping[str, str | None], *, enabled: bool, maps: Mapping[str, Any], settings: Any
) -> EventSettings:
    """The stored keys parsed (they were checked when stored; a value that no longer parses,
    after a map changed, falls back to its default)."""
    objects, problem = _objects(values.get(OBJECTS), maps)
    if problem or not objects:
        objects = tuple(name for name in DEFAULT_OBJECTS if _watchable(maps.get(name)))
    floor = float(settings.events_min_poll_seconds)
    minutes = _minutes(values.get(REFRESH_INTERVAL) or "", low=1.0) or DEFAULT_REFRESH_MINUTES
    reconcile = _minutes(values.get(RECONCILE_INTERVAL) or "", low=0.0)
    reconcile = DEFAULT_RECONCILE_MINUTES if reconcile is None else reconcile
    given = _poller_json(values.get(POLLER_CONFIGURATION))
    return EventSettings(
        enabled=enabled,
        callback_url=values.get(CALLBACK_URL) or None,
        vendor_type=values.get(VENDOR_TYPE) or "webhook",
        objects=objects,
        interval_seconds=max(floor, minutes * 60.0),
        reconcile_seconds=max(floor, reconcile * 60.0) if reconcile else 0.0,
        raw=(values.get(RAW) or "true") != "false",
        poller={name: poller_spec(name, maps[name], given.get(name) or {}) for name in objects},
    )


def poller_spec(name: str, resource: Any, given: Mapping[str, Any]) -> PollerSpec:
    """A resource's poller entry: what the tenant gave over the map's defaults."""
    tracking = resource.change_tracking or {}
    changed_path = _path_of(resource, tracking["changed"])
    created_path = _path_of(resource, tracking["created"])
    dates = dict(given.get("datesConfiguration") or {})
    updated_field = dates.get("updatedDateField") or changed_path
    created_field = dates.get("createdDateField") or created_path
    return PollerSpec(
        resource=name,
        entity=resource.entity,
        url=given.get("url")
        or f"/hubs/crm/{name}?where={changed_path} >= '${{gmtDate:{DATE_FORMAT}}}'",
        id_field=given.get("idField") or "id",
        updated_field=updated_field,
        updated_format=dates.get("updatedDateFormat") or DATE_FORMAT,
        created_field=created_field,
        created_format=dates.get("createdDateFormat") or DATE_FORMAT,
        changed_vendor_field=_vendor_of(resource, updated_field) or tracking["changed"],
        created_vendor_field=_vendor_of(resource, created_field) or tracking["created"],
    )


# -- helpers ------------------------------------------------------------------------------
def _watchable(resource: Any) -> bool:
    return resource is not None and getattr(resource, "change_tracking", None) is not None


def _objects(text: str | None, maps: Mapping[str, Any]) -> tuple[tuple[str, ...], str | None]:
    if text is None:
        return (), None
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    if not names:
        return (), "name one or more resources, comma-separated (e.g. accounts,contacts)"
    if len(names) > MAX_OBJECTS:
        return (), f"at most {MAX_OBJECTS} resources"
    unknown = [n for n in names if not _watchable(maps.get(n))]
    if unknown:
        known = ", ".join(sorted(n for n, r in maps.items() if _watchable(r)))
        return (), f"cannot watch {', '.join(unknown[:5])[:200]}; resources with events: {known}"
    return names, None


def _minutes(text: str, *, low: float) -> float | None:
    """Minutes as the tenant wrote them, or None when not a number in range. `low` 1.0: more
    than 0 (a refresh); 0.0: 0 (off) or more."""
    if not _MINUTES.fullmatch(text.strip()):
        return None
    value = float(text)
    if value > MAX_MINUTES or (low and value <= 0):
        return None
    return value


def _poller_json(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _poller_problem(text: str, objects: tuple[str, ...], maps: Mapping[str, Any]) -> str | None:
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
            _PollerEntry().load(entry if isinstance(entry, dict) else {"": entry})
        except SchemaError as exc:
            first = next(iter(_flat(exc.messages)), "invalid")
            return f"{name}.{first}"
        dates = entry.get("datesConfiguration") or {}
        for key in ("updatedDateField", "createdDateField"):
            path = dates.get(key)
            if path and _vendor_of(maps[name], path) is None:
                return f"{name}.datesConfiguration.{key}: {name} has no field '{path}'"
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


def _vendor_of(resource: Any, path: str) -> str | None:
    for mapper in getattr(resource, "fields", ()):
        vendor = getattr(mapper, "vendor", None)
        if getattr(mapper, "path", None) == path and isinstance(vendor, str):
            return vendor
    return None

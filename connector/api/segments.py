"""The hub resource routes without a hub segment (`/elements/api-v2/contacts`), as Cloud
Elements served them, beside `/hubs/{any hub}/contacts`.

`<resource:name>` matches a first path segment that no platform route starts with: a path
such as `PATCH /formulas/7` (a method the formulas route does not take) stays a 405 of the
formulas route instead of becoming a hub call on a resource named `formulas`. The platform's
first segments are read from the URL map itself (every static first segment of a rule outside
the hubs blueprint), so a platform route added later is reserved without a list to update.
Static segments already outrank converters in Werkzeug's matcher; this converter covers the
rest (a platform path whose method or later segments match no platform rule).
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import BaseConverter, Map, ValidationError

from connector.api import BASE_PATH

HUBS_BLUEPRINT = "hubs."
ALWAYS_RESERVED = frozenset({"hubs", "bulk"})  # the hub paths' own prefixes, never resources


def platform_segments(url_map: Map) -> frozenset[str]:
    """The first segments (after the base path) of every platform rule, plus `hubs`."""
    found = set(ALWAYS_RESERVED)
    for rule in url_map.iter_rules():
        if rule.endpoint.startswith(HUBS_BLUEPRINT) or not rule.rule.startswith(BASE_PATH + "/"):
            continue
        first = rule.rule[len(BASE_PATH) + 1 :].split("/", 1)[0]
        if first and "<" not in first:
            found.add(first)
    return frozenset(found)


class ResourceConverter(BaseConverter):
    """One path segment that is not a platform path's first segment."""

    def to_python(self, value: str) -> str:
        reserved = getattr(self.map, "_platform_segments", None)
        if reserved is None:  # the map is complete by the first request; read it once
            reserved = platform_segments(self.map)
            self.map._platform_segments = reserved  # type: ignore[attr-defined]
        if value in reserved:
            raise ValidationError()  # no match: the platform route's 404 or 405 stands
        return value


def init_app(app: Flask) -> None:
    """Before any blueprint: rules name the converter when they are added."""
    app.url_map.converters["resource"] = ResourceConverter

"""An instance's event configuration: Cloud Elements' `event.*` keys, checked and parsed.

    settings = env.settings_of(instance)      # config.read of its keys: EventSettings
    settings.enabled, settings.objects, settings.interval_seconds, settings.poller["accounts"]

`check` validates the keys an instance is about to store (every problem names its key) and is
what the instance hook runs before a change is saved; `read` parses what is stored (already
checked), for the sources and the pipeline. `event.poller.configuration` is poller_config's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connector.events import poller_config
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
MAX_MINUTES = 7 * 24 * 60.0  # a week: longer refresh intervals are no change feed
# the reconcile sweep reads every id of a resource: at most hourly, at least monthly (0: off)
MIN_RECONCILE_MINUTES, MAX_RECONCILE_MINUTES = 60.0, 30 * 24 * 60.0
MAX_OBJECTS = 20
MIN_SIGNATURE_KEY, MAX_SIGNATURE_KEY = 16, 256
RESOLVE_SECONDS = 2.0
_MINUTES = re.compile(r"[0-9]{1,6}(\.[0-9]{1,3})?")


def callback_policy(allow_private: bool) -> OutboundPolicy:
    """Callback URLs (events, bulk): http(s) to any host; private addresses only when the
    operator sets EVENTS_ALLOW_PRIVATE_CALLBACKS."""
    return OutboundPolicy.from_settings("http://*", allow_private)


@dataclass(frozen=True)
class EventSettings:
    enabled: bool
    callback_url: str | None
    vendor_type: str
    objects: tuple[str, ...]
    interval_seconds: float
    reconcile_seconds: float  # 0: no reconcile sweep
    raw: bool
    poller: dict[str, poller_config.PollerSpec] = field(default_factory=dict)


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
    raw = values.get(REFRESH_INTERVAL)
    if raw is not None and _minutes(raw, low=1.0) is None:
        problems[REFRESH_INTERVAL] = (
            f"must be minutes, more than 0 and at most {MAX_MINUTES:g} (e.g. 5 or 0.5)"
        )
    problem = reconcile_problem(values.get(RECONCILE_INTERVAL))
    if problem:
        problems[RECONCILE_INTERVAL] = problem
    raw_flag = values.get(RAW)
    if raw_flag is not None and raw_flag not in ("true", "false"):
        problems[RAW] = "must be true or false"
    text = values.get(POLLER_CONFIGURATION)
    if text:
        problem = poller_config.problem(text, objects or DEFAULT_OBJECTS, maps)
        if problem:
            problems[POLLER_CONFIGURATION] = problem
    return problems


def reconcile_problem(value: str | None) -> str | None:
    """Why a value of `event.poller.reconcile_interval` is refused, or None (the one place
    its range is decided: the checks and the deletion sources read it here)."""
    if value is None:
        return None
    minutes = _minutes(value, low=0.0, high=MAX_RECONCILE_MINUTES)
    if minutes is None or 0 < minutes < MIN_RECONCILE_MINUTES:
        return (
            f"must be 0 (off) or minutes from {MIN_RECONCILE_MINUTES:g} to "
            f"{MAX_RECONCILE_MINUTES:g}"
        )
    return None


def reconcile_minutes(value: str | None) -> float:
    """The sweep's interval in minutes (0: off); absent or no longer valid: the default."""
    if value is None or reconcile_problem(value):
        return DEFAULT_RECONCILE_MINUTES
    return float(value)


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
    reconcile = reconcile_minutes(values.get(RECONCILE_INTERVAL))
    given = poller_config.parse(values.get(POLLER_CONFIGURATION))
    return EventSettings(
        enabled=enabled,
        callback_url=values.get(CALLBACK_URL) or None,
        vendor_type=values.get(VENDOR_TYPE) or "webhook",
        objects=objects,
        interval_seconds=max(floor, minutes * 60.0),
        reconcile_seconds=max(floor, reconcile * 60.0) if reconcile else 0.0,
        raw=(values.get(RAW) or "true") != "false",
        poller={
            name: poller_config.poller_spec(name, maps[name], given.get(name) or {})
            for name in objects
        },
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


def _minutes(text: str, *, low: float, high: float = MAX_MINUTES) -> float | None:
    """Minutes as the tenant wrote them, or None when not a number in range. `low` 1.0: more
    than 0 (a refresh); 0.0: 0 (off) or more."""
    if not _MINUTES.fullmatch(text.strip()):
        return None
    value = float(text)
    if value > high or (low and value <= 0):
        return None
    return value

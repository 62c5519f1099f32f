"""`raw=true`: each record also carries `raw`, the Autotask record it was made from.

The vendor record is already in hand wherever a normalized record is made, so keeping it costs
no Autotask call: `WithRaw` wraps a resource and its records (`RawRecord`, a plain dict that
remembers its vendor record) carry it through the residual filter and the in-memory sort to the
renderer, which adds it untouched (nulls kept, user-defined fields included). A virtual record
carries its base's Autotask record.

    resource = WithRaw(resource)                      # for the listing or the read
    rendered = with_raw(renderer.record(r), r)        # {"id": 1, ..., "raw": {...}}
"""

from __future__ import annotations

from typing import Any

RAW = "raw"


class RawRecord(dict):
    """A normalized record that remembers the Autotask record it was made from."""

    __slots__ = ("vendor",)

    def __init__(self, record: dict[str, Any], vendor: dict[str, Any]) -> None:
        super().__init__(record)
        self.vendor = vendor


class WithRaw:
    """A `Resource` whose records remember their Autotask record; all else is the wrapped one."""

    def __init__(self, resource: Any) -> None:
        self.resource = resource

    def __getattr__(self, name: str) -> Any:
        return getattr(self.resource, name)

    def to_record(self, vendor: dict[str, Any], ctx: Any) -> dict[str, Any]:
        return RawRecord(self.resource.to_record(vendor, ctx), vendor)


def with_raw(rendered: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """The rendered record with `raw` added, when `record` remembers its vendor record."""
    vendor = getattr(record, "vendor", None)
    return {**rendered, RAW: vendor} if vendor is not None else rendered

"""What a hub call answers: a finished JSON body with its headers, and the names of the
headers and cache shapes the hub, its fast path and the event renderer share."""

from __future__ import annotations

from dataclasses import dataclass, field

from connector.hub.resources import Resource
from connector.tenancy.instances import Instance

NEXT_PAGE = "Elements-Next-Page-Token"
RETURNED = "Elements-Returned-Count"
TOTAL = "Elements-Total-Count"
CACHE = "Elements-Cache"


def strips_nulls(instance: Instance) -> bool:
    """Cloud Elements' `filter.response.nulls`: true unless the instance says false."""
    return (instance.option("filter.response.nulls") or "true") != "false"


def record_shape(
    resource: Resource, fields: list[str] | None, strip_nulls: bool, raw: bool = False
) -> str:
    """Which view of a record a cached body is: resource, field selection, null filtering,
    and whether it carries the Autotask record (`raw`)."""
    shape = f"{resource.kind}:{resource.name}|{','.join(fields or [])}|{int(strip_nulls)}"
    return shape + "|raw" if raw else shape


@dataclass
class Answer:
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200

    def text(self) -> str:
        """The body as sent: every JSON answer ends with a newline."""
        return self.body if self.body.endswith("\n") else self.body + "\n"

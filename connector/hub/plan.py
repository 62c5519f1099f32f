"""A hub query made ready: what is pushed down to Autotask, what is filtered locally.

`plan` turns a `ListQuery` into the Autotask filter (every CEQL predicate the resource can
translate), the residual (what Autotask cannot evaluate, applied to the rows that come back by
`Residual`), the vendor fields to ask for, and the sort order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connector import ceql
from connector.autotask import filters
from connector.errors import BadRequestError
from connector.hub.resources import Resource

DEFAULT_PAGE_SIZE = 200
MAX_PAGE_SIZE = 500
ALL_ROWS = filters.condition(filters.GTE, "id", 0)


@dataclass(frozen=True)
class ListQuery:
    where: str | None = None
    order_by: str | None = None
    fields: list[str] | None = None
    page_size: int = DEFAULT_PAGE_SIZE
    next_page: str | None = None
    include_total: bool = False
    raw: bool = False  # each record also carries its Autotask record (connector.hub.raw)
    explain: bool = False  # answer how the page was served instead (connector.hub.explain)
    extra_filter: tuple[dict[str, Any], ...] = ()  # e.g. the parent of a child listing
    page: int | None = None  # Cloud Elements' page number, when sent (nextPage wins)


@dataclass
class ListResult:
    records: list[dict[str, Any]]
    next_token: str | None
    total: int | None = None


@dataclass(frozen=True)
class Plan:
    """A query made ready: the pushed filter, the local residual, what to fetch."""

    filter: list[dict[str, Any]]
    residual: ceql.Expr | None
    include_fields: list[str] | None
    order: list[tuple[str, bool]]

    @property
    def upstream_filter(self) -> list[dict[str, Any]]:
        """The filter to send: Autotask wants at least one condition."""
        return self.filter or [ALL_ROWS]


def plan(resource: Resource, query: ListQuery, ctx: Any) -> Plan:
    """The plan; every name in `fields` and `orderBy` is checked first (a 400 naming an unknown
    one and the nearest valid name, before anything is read); `where` names are checked as
    they are translated."""
    order = ceql.parse_order_by(query.order_by) if query.order_by else []
    for name in [*(query.fields or []), *(name for name, _ in order)]:
        resource.check_field(name, ctx)
    expr = ceql.parse(query.where)
    pushed = ceql.pushdown(expr, lambda field, op, value: resource.translate(field, op, value, ctx))
    include = None
    if query.fields is not None and not query.raw:  # raw: the whole record, as Autotask sends it
        needed = set(query.fields) | {"id"} | {name for name, _ in order}
        if pushed.residual is not None:
            needed |= set(ceql.referenced_fields(pushed.residual))
        include = resource.vendor_fields(sorted(needed))
    upstream = [*resource.fixed_filter, *query.extra_filter, *pushed.filter]
    return Plan(upstream, pushed.residual, include, order)


class Residual:
    """The part of a `where` Autotask could not evaluate, applied to normalized records."""

    def __init__(self, the_plan: Plan, resource: Resource) -> None:
        self.expr = the_plan.residual
        self.resource = resource

    @property
    def empty(self) -> bool:
        return self.expr is None

    def keeps(self, record: dict[str, Any]) -> bool:
        if self.expr is None:
            return True
        return ceql.evaluate(self.expr, record, self.resource.get)


def page_size_of(raw: str | None) -> int:
    if raw in (None, ""):
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise BadRequestError(
            f"pageSize must be a whole number from 1 to {MAX_PAGE_SIZE}"
        ) from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadRequestError(f"pageSize must be from 1 to {MAX_PAGE_SIZE}")
    return size

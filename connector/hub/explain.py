"""How a list query was run: the `Elements-Query-Plan` header and the `explain=true` document.

Both are made from what the hub already knows (the parsed `where`, the plan, the page it
served, the calls its client made), never from another Autotask call. The header is short and
machine-readable; field names outside `[A-Za-z0-9_.]` are percent-encoded so `,` `;` `=` and
spaces never split it:

    Elements-Query-Plan: pushed=lastName,accountId; local=customFields.Tier; order=memory;
                         calls=3; cache=miss

- `pushed`: fields of the conditions Autotask evaluated exactly;
- `local`: fields of the conditions checked here, on the rows Autotask sent (the residual);
- `order`: `id` (Autotask's own order, id-cursor pages) or `memory` (sorted here);
- `calls`: the Autotask calls this request made; `cache`: hit, miss or off.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from connector import ceql
from connector.ceql.reasons import not_pushed, residual_parts
from connector.hub.id_pages import MAX_UPSTREAM_PAGES_PER_PAGE, with_cursor
from connector.hub.plan import ListQuery, Plan
from connector.hub.resources import Resource
from connector.hub.tokens import PagePosition

QUERY_PLAN = "Elements-Query-Plan"
_PLAIN = re.compile(r"^[A-Za-z0-9_.]+$")


def plan_header(query: ListQuery, the_plan: Plan) -> str:
    """The header without its per-request parts (calls, cache): what a cached page keeps."""
    local_parts = residual_parts(the_plan.residual)
    expr = ceql.parse(query.where)
    exact = [c for c in (ceql.conjuncts(expr) if expr else []) if c not in local_parts]
    pushed = _names(f for c in exact for f in ceql.referenced_fields(c))
    local = _names(f for c in local_parts for f in ceql.referenced_fields(c))
    order = "id" if ceql.is_native_order(the_plan.order) else "memory"
    return f"pushed={pushed}; local={local}; order={order}"


def with_request(header: str, calls: int, cache: str) -> str:
    return f"{header}; calls={calls}; cache={cache}"


def _names(fields: Any) -> str:
    unique = dict.fromkeys(fields)
    return ",".join(f if _PLAIN.match(f) else quote(f, safe="") for f in unique)


def document(
    resource: Resource,
    query: ListQuery,
    the_plan: Plan,
    translate: ceql.Translate,
    *,
    position: PagePosition | None,
    returned: int,
    next_page: str | None,
    calls: int,
    cache: str,
) -> dict[str, Any]:
    """The `explain=true` answer: what was asked, what was sent, what was done here, and why."""
    expr = ceql.parse(query.where)
    local_parts = residual_parts(the_plan.residual)
    native = ceql.is_native_order(the_plan.order)
    return {
        "resource": resource.name,
        "kind": resource.kind,
        "entity": resource.entity,
        "where": query.where,
        "parsed": ceql.to_ceql(expr) if expr is not None else None,
        "autotaskFilter": _sent_filter(the_plan, position, native),
        "includeFields": the_plan.include_fields,
        "pushed": [
            ceql.to_ceql(c) for c in (ceql.conjuncts(expr) if expr else []) if c not in local_parts
        ],
        "local": [
            {"condition": ceql.to_ceql(c), "reasons": not_pushed(c, translate)} for c in local_parts
        ],
        "residual": ceql.to_ceql(the_plan.residual) if the_plan.residual is not None else None,
        "order": _order(the_plan, native),
        "page": {
            "size": query.page_size,
            "returned": returned,
            "cursor": _cursor(position),
            "nextPage": next_page,
        },
        "calls": calls,
        "cache": cache,
    }


def _sent_filter(
    the_plan: Plan, position: PagePosition | None, native: bool
) -> list[dict[str, Any]] | str:
    if native:
        return with_cursor(the_plan, position.after_id if position else None)
    if position is not None:
        return "id in (the ids of this page, kept in Redis when the first page was sorted)"
    return the_plan.upstream_filter


def _order(the_plan: Plan, native: bool) -> dict[str, Any]:
    order_by = [{"field": name, "descending": desc} for name, desc in the_plan.order]
    if native:
        how = (
            "id-cursor: Autotask answers in ascending id order; each page asks for ids after "
            "the last one read"
        )
        if the_plan.residual is not None:
            how += (
                f", reading up to {MAX_UPSTREAM_PAGES_PER_PAGE} Autotask pages of 500 to fill "
                "a page past the local filter"
            )
        return {"orderBy": order_by, "strategy": "id", "how": how}
    return {
        "orderBy": order_by,
        "strategy": "memory",
        "how": (
            "Autotask orders by id only: the first page reads every matching row (up to "
            f"{ceql.MAX_LOCAL_SORT_ROWS}) and sorts them here; later pages read their ids with "
            "one query each"
        ),
    }


def _cursor(position: PagePosition | None) -> dict[str, Any] | None:
    if position is None:
        return None
    if position.after_id is not None:
        return {"afterId": position.after_id}
    return {"offset": position.offset}

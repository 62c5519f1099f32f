"""One function per Autotask operation; each takes the request context and answers
`(status, json_body)` (or a ready response for the ExecuteCommand pages)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from connector.sandbox import limits, metadata, query, writes
from connector.sandbox.auth import Caller, find_user
from connector.sandbox.catalog import EntityDef
from connector.sandbox.errors import ZONE_UNKNOWN, autotask_error, no_permission
from connector.sandbox.records import fetch_one
from connector.sandbox.retention import prune_expired


@dataclass
class RequestContext:
    runtime: Any  # connector.sandbox.app.SandboxRuntime
    settings: dict[str, Any]
    base_url: str
    method: str
    args: Any  # the query-string MultiDict, keys as sent
    body: Any  # the parsed JSON body, or None
    caller: Caller | None = None
    request_count: int = 0

    def arg(self, name: str) -> str | None:
        """A query-string argument, its name matched case-insensitively."""
        for key in self.args:
            if key.lower() == name.lower():
                return self.args.get(key)
        return None


Answer = tuple[int, Any]


# -- discovery -------------------------------------------------------------------------------
def version_information(ctx: RequestContext) -> Answer:
    return 200, {"apiVersions": ["V1.0"]}


def zone_information(ctx: RequestContext) -> Answer:
    if find_user(ctx.settings, ctx.arg("user")) is None:
        raise autotask_error(ZONE_UNKNOWN)
    return 200, {
        "zoneName": ctx.settings.get("zone_name", "Sandbox"),
        "url": f"{ctx.base_url}/ATServicesRest/",
        "webUrl": f"{ctx.base_url}/",
        "ci": int(ctx.settings.get("ci", 0)),
    }


def threshold_information(ctx: RequestContext) -> Answer:
    return 200, limits.threshold_information(ctx.request_count, ctx.settings)


# -- metadata --------------------------------------------------------------------------------
def entity_information(ctx: RequestContext, entity: EntityDef, kind: str) -> Answer:
    catalog = ctx.runtime.catalog
    if kind == "fields":
        return 200, {"fields": metadata.fields(catalog, entity)}
    if kind == "userdefinedfields":
        return 200, {"fields": metadata.user_defined_fields(entity)}
    return 200, {"info": metadata.info(entity)}


# -- reads -----------------------------------------------------------------------------------
def _permit(ctx: RequestContext, entity: EntityDef, action: str) -> None:
    """Refuse an operation whose permission (the entity's `permissions`) the caller lacks."""
    needed = entity.permissions.get(action)
    if needed and ctx.caller is not None and needed in ctx.caller.denied:
        raise no_permission(action)


def _prune(ctx: RequestContext, entity: EntityDef) -> None:
    """Check the read permission, then drop rows past the entity's retention."""
    _permit(ctx, entity, "query")
    if entity.retention_days:
        with ctx.runtime.store.write() as conn:
            prune_expired(conn, entity)


def _search_body(ctx: RequestContext) -> tuple[Any, str]:
    """The QueryModel of this request (POST body, else `search`) and its text for links."""
    if ctx.method == "POST" and ctx.body is not None:
        return ctx.body, json.dumps(ctx.body, separators=(",", ":"))
    text = ctx.arg("search")
    return query.parse_search(text), text or ""


def _page(
    ctx: RequestContext, entity: EntityDef, spec: Any, search_text: str, **cursor: Any
) -> Answer:
    """One page of a query, with its next/prev links."""
    with ctx.runtime.store.read() as conn:
        answer = query.page_answer(
            conn,
            entity,
            spec,
            base_url=ctx.base_url,
            secret=ctx.runtime.token_secret,
            search_text=search_text,
            **cursor,
        )
    return 200, answer


def query_records(ctx: RequestContext, entity: EntityDef) -> Answer:
    _prune(ctx, entity)
    body, search_text = _search_body(ctx)
    return _page(ctx, entity, query.parse_spec(entity, body), search_text)


def count(ctx: RequestContext, entity: EntityDef) -> Answer:
    _prune(ctx, entity)
    body, _ = _search_body(ctx)
    spec = query.parse_spec(entity, body)
    with ctx.runtime.store.read() as conn:
        return 200, {"queryCount": query.count(conn, entity, spec)}


def follow_page(ctx: RequestContext, entity: EntityDef, direction: str) -> Answer:
    _prune(ctx, entity)
    token = ctx.arg("paging")
    if not token:
        raise autotask_error("The paging parameter is required.")
    spec, payload = query.spec_from_token(entity, token, ctx.runtime.token_secret)
    search_text = ctx.arg("search") or json.dumps({"filter": spec.filter}, separators=(",", ":"))
    return _page(ctx, entity, spec, search_text, after=payload.get("a"), before=payload.get("b"))


def get_record(
    ctx: RequestContext, entity: EntityDef, record_id: int, parent_id: int | None = None
) -> Answer:
    _prune(ctx, entity)
    with ctx.runtime.store.read() as conn:
        item = fetch_one(conn, entity, record_id)
    if item is not None and parent_id is not None and entity.parent_field:
        if item.get(entity.parent_field) != parent_id:
            item = None
    return 200, {"item": item}


def list_children(ctx: RequestContext, entity: EntityDef, parent_id: int) -> Answer:
    _prune(ctx, entity)
    spec = query.QuerySpec(
        [{"op": "eq", "field": entity.parent_field, "value": parent_id}], None, query.MAX_PAGE
    )
    return _page(ctx, entity, spec, json.dumps({"filter": spec.filter}, separators=(",", ":")))


# -- writes ----------------------------------------------------------------------------------
def _write(ctx: RequestContext, entity: EntityDef, operation, *args: Any, **kwargs: Any) -> int:
    _permit(ctx, entity, operation.__name__)  # create | update | delete
    caller = ctx.caller
    with ctx.runtime.store.write() as conn:
        w = writes.WriteContext(
            conn=conn,
            catalog=ctx.runtime.catalog,
            entity=entity,
            actor_id=caller.resource_id if caller else None,
            impersonator_id=caller.impersonator_id if caller else None,
            settings=ctx.settings,
        )
        record_id = operation(w, *args, **kwargs)
        ctx.runtime.on_changes(conn, w)
    return record_id


def create(ctx: RequestContext, entity: EntityDef, parent_id: int | None = None) -> Answer:
    return 200, {"itemId": _write(ctx, entity, writes.create, ctx.body, parent_id=parent_id)}


def update(
    ctx: RequestContext, entity: EntityDef, replace: bool, parent_id: int | None = None
) -> Answer:
    record_id = _write(ctx, entity, writes.update, ctx.body, replace=replace, parent_id=parent_id)
    return 200, {"itemId": record_id}


def delete(
    ctx: RequestContext, entity: EntityDef, record_id: int, parent_id: int | None = None
) -> Answer:
    return 200, {"itemId": _write(ctx, entity, writes.delete, record_id, parent_id=parent_id)}


# -- deep links ------------------------------------------------------------------------------
def execute_command(ctx: RequestContext):
    from connector.sandbox.execute_command import render

    return render(ctx)

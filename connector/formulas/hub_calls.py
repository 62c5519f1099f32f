"""An `elementRequest` as a call of the hub's service layer (`connector.hub.service.Hub`).

The same resources, maps, cache and Autotask request budget as `/hubs/crm/...`, without an
HTTP round trip to ourselves:

    GET    /{resource}              list (query: where, orderBy, fields, pageSize, nextPage,
                                    includeTotalCount)
    POST   /{resource}              create
    GET    /{resource}/{id}         read (query: fields)
    PATCH  /{resource}/{id}         update
    DELETE /{resource}/{id}         delete
    GET    /{resource}/{id}/{child} list an account's children
    POST   /bulk/query, GET /bulk/{id}/status    bulk downloads (see bulk_calls)
"""

from __future__ import annotations

import json
from typing import Any

from connector.ceql import parse_fields
from connector.errors import BadRequestError, ConnectorError, MethodNotAllowedError, listed
from connector.formulas.bulk_calls import call_bulk
from connector.hub.answers import Answer
from connector.hub.listing import ListQuery, page_size_of
from connector.hub.service import Hub

_LIST_QUERY = {"where", "orderBy", "fields", "pageSize", "nextPage", "includeTotalCount"}
_MAX_ID = 9223372036854775807


def call_hub(
    hub: Hub, method: str, path: str, query: dict[str, str], body: Any, bulk: Any = None
) -> dict:
    """{status, body, headers} of the hub's answer; a refused call is an answer too. `bulk`:
    the bulk runtime, for `/bulk/...` paths."""
    try:
        parts = [p for p in path.strip("/").split("/") if p]
        if parts[:1] == ["bulk"]:
            answer = call_bulk(bulk, hub, method.upper(), parts, query, body)
        else:
            answer = _dispatch(hub, method.upper(), path, query, body)
    except ConnectorError as exc:
        payload = {"message": exc.message}
        if exc.provider_message:
            payload["providerMessage"] = exc.provider_message
        return {"status": exc.status, "body": payload, "headers": {}}
    try:
        parsed = json.loads(answer.body) if answer.body else None
    except ValueError:
        parsed = answer.body
    return {"status": answer.status, "body": parsed, "headers": dict(answer.headers)}


def _dispatch(hub: Hub, method: str, path: str, query: dict[str, str], body: Any) -> Answer:
    parts = [p for p in path.strip("/").split("/") if p]
    if not parts or len(parts) > 3:
        raise BadRequestError(f"not a hub path: {path}")
    name = parts[0]
    record_id = _id(parts[1]) if len(parts) > 1 else None
    fields = parse_fields(query["fields"]) if query.get("fields") else None
    if len(parts) == 1:
        if method == "GET":
            return hub.list(name, _list_query(query))
        if method == "POST":
            return hub.create(name, body)
    elif len(parts) == 2:
        if method == "GET":
            return hub.get(name, record_id, fields)
        if method == "PATCH":
            return hub.update(name, record_id, body)
        if method == "DELETE":
            return hub.delete(name, record_id)
    elif method == "GET":
        return hub.list(name, _list_query(query), parent=(parts[2], record_id))
    raise MethodNotAllowedError(f"{method} {path} is not a hub call")


def _id(text: str) -> int:
    if not text.isdigit() or int(text) > _MAX_ID:
        raise BadRequestError(f"'{text}' is not a record id")
    return int(text)


def _list_query(query: dict[str, str]) -> ListQuery:
    unknown = sorted(set(query) - _LIST_QUERY)
    if unknown:
        raise BadRequestError(f"unknown list parameters: {listed(unknown)}")
    return ListQuery(
        where=query.get("where") or None,
        order_by=query.get("orderBy") or None,
        fields=parse_fields(query["fields"]) if query.get("fields") else None,
        page_size=page_size_of(query.get("pageSize")),
        next_page=query.get("nextPage") or None,
        include_total=str(query.get("includeTotalCount", "")).lower() == "true",
    )

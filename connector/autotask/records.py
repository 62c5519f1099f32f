"""Single records: get, create, update, delete, on the URLs routes.yaml names.

Create and update answer only `{"itemId": n}`, and Autotask advises trusting nothing else in
the answer, so both read the record back before returning it. A write Autotask confirmed is
never reported as failed: when the read-back fails or finds nothing (a restricted API user may
not see the record), the answer is `{"id": n}` and a warning is logged. Writes of child entities go
under their parent; its id comes from `parent_id`, else from the body's foreign key, else (for
an update or delete) from the record itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from connector.autotask.calls import Caller
from connector.autotask.retries import Safety
from connector.autotask.routes import Route, Routes
from connector.errors import (
    ConfigurationError,
    ConnectorError,
    ProviderFatalError,
    ProviderMethodNotAllowedError,
    ProviderNotFoundError,
    ValidationError,
)

log = logging.getLogger("connector.autotask")


def get(caller: Caller, entity: str, record_id: int) -> dict[str, Any] | None:
    """The record, or None when Autotask has none with this id (a null item or a 404)."""
    try:
        answer = caller.call("get", "GET", f"{entity}/{int(record_id)}", endpoint=entity)
    except ProviderNotFoundError:
        return None
    item = _field(answer, "item")
    return item if isinstance(item, dict) else None


def create(
    caller: Caller,
    routes: Routes,
    entity: str,
    body: Mapping[str, Any],
    parent_id: int | None = None,
    *,
    read_back: bool = True,
) -> dict[str, Any]:
    route = _allowed(routes, entity, "create")
    return _write(
        caller, route, "create", "POST", dict(body), parent_id, None, Safety.CREATE, read_back
    )


def update(
    caller: Caller,
    routes: Routes,
    entity: str,
    body: Mapping[str, Any],
    parent_id: int | None = None,
    *,
    read_back: bool = True,
) -> dict[str, Any]:
    """PATCH to the collection with the id in the body (PATCH /{id} is a 405 in Autotask)."""
    route = _allowed(routes, entity, "update")
    payload = dict(body)
    record_id = _field(payload, "id")
    if record_id is None or record_id == "":
        raise ValidationError(f"An update of {route.entity} needs the record's id in the body")
    return _write(
        caller,
        route,
        "update",
        "PATCH",
        payload,
        parent_id,
        int(record_id),
        Safety.IDEMPOTENT,
        read_back,
    )


def _write(
    caller: Caller,
    route: Route,
    operation: str,
    method: str,
    payload: dict[str, Any],
    parent_id: int | None,
    record_id: int | None,
    safety: Safety,
    read_back: bool = True,
) -> dict[str, Any]:
    """Send a create or update to its collection URL, then read the record back (or, with
    `read_back=False`, answer `{"id": n}` at the cost of the one call)."""
    parent = _parent_for(caller, route, operation, payload, parent_id, record_id=record_id)
    answer = caller.call(
        operation,
        method,
        route.collection(operation, parent),
        endpoint=route.entity,
        body=payload,
        safety=safety,
    )
    if not read_back:
        item_id = _field(answer, "itemId")
        if item_id is None:
            raise ProviderFatalError(
                f"Autotask's {operation} answer has no itemId ({route.entity})"
            )
        return {"id": int(item_id)}
    return _read_back(caller, route, answer, operation)


def delete(
    caller: Caller, routes: Routes, entity: str, record_id: int, parent_id: int | None = None
) -> None:
    route = _allowed(routes, entity, "delete")
    parent = _parent_for(caller, route, "delete", {}, parent_id, record_id=int(record_id))
    try:
        caller.call(
            "delete",
            "DELETE",
            route.item("delete", record_id, parent),
            endpoint=route.entity,
            safety=Safety.IDEMPOTENT,
        )
    except ProviderNotFoundError as exc:
        if getattr(exc, "earlier_attempt_may_have_run", False):
            return  # an earlier attempt whose answer was lost did the deletion
        raise


def _allowed(routes: Routes, entity: str, operation: str) -> Route:
    route = routes[entity]
    if not route.allows(operation):
        raise ProviderMethodNotAllowedError(
            f"Autotask does not allow {operation} on {route.entity}"
        )
    return route


def _parent_for(
    caller: Caller,
    route: Route,
    operation: str,
    payload: dict[str, Any],
    parent_id: int | None,
    *,
    record_id: int | None,
) -> int | None:
    """The parent id a child write needs; the foreign key is added to a body that lacks it."""
    if not route.needs_parent(operation):
        return None
    if route.parent is None:
        raise ConfigurationError(f"The route of {route.entity} names no parent entity")
    in_body = route.parent_id_in(payload)
    if parent_id is not None and in_body is not None and int(parent_id) != in_body:
        raise ValidationError(
            f"{route.parent.field} in the body ({in_body}) differs from the parent id ({parent_id})"
        )
    found = parent_id if parent_id is not None else in_body
    if found is None and record_id is not None:
        current = get(caller, route.entity, record_id)
        if current is None:
            raise ProviderNotFoundError(f"Autotask has no {route.entity} with id {record_id}")
        found = route.parent_id_in(current)
    if found is None:
        raise ValidationError(f"{route.entity} needs {route.parent.field} to name its parent")
    if operation != "delete" and in_body is None:
        payload[route.parent.field] = int(found)
    return int(found)


def _read_back(caller: Caller, route: Route, answer: Any, operation: str) -> dict[str, Any]:
    item_id = _field(answer, "itemId")
    if item_id is None:
        raise ProviderFatalError(f"Autotask's {operation} answer has no itemId ({route.entity})")
    try:
        record = get(caller, route.entity, int(item_id))
        failure = "found nothing" if record is None else ""
    except ConnectorError as exc:
        record, failure = None, f"failed ({type(exc).__name__})"
    if record is None:
        # the write is done: reporting a failure would invite the caller to repeat it
        log.warning(
            "autotask %s of %s %s done, but its read-back %s; answering the id only",
            operation,
            route.entity,
            item_id,
            failure,
        )
        return {"id": int(item_id)}
    return record


def _field(data: Any, name: str) -> Any:
    if not isinstance(data, Mapping):
        return None
    wanted = name.lower()
    for key, value in data.items():
        if str(key).lower() == wanted:
            return value
    return None

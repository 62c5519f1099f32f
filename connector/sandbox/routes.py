"""URL -> handler, matching Autotask's paths case-insensitively (reference sections 1-6).

Under `/atservicesrest/v1.0/{Entity}`: `query`, `query/count`, `query/next|prev`,
`entityInformation[/fields|/userDefinedFields]`, `/{id}`, and the parent-child forms
`/{Parent}/{parentId}/{Child}[/{id}]`. Which verbs each URL takes follows the entity's write
modes (root, child or none); a known URL with another verb is a 405, anything else a 404.
An id segment is ASCII digits within Int64 (Web API binds a long); anything else is no route.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connector.sandbox import handlers
from connector.sandbox.catalog import Catalog, EntityDef
from connector.sandbox.errors import method_not_allowed, route_not_found
from connector.sandbox.values import ascii_id

WRITE_VERBS = ("PATCH", "PUT")


@dataclass(frozen=True)
class Route:
    handler: Any
    args: dict[str, Any] = field(default_factory=dict)
    endpoint: str | None = None  # the thread-limit endpoint; None: exempt (zone, version)
    auth: bool = True


def _allow(method: str, allowed: dict[str, Route]) -> Route:
    route = allowed.get(method)
    if route is None:
        raise method_not_allowed(method)
    return route


def resolve(catalog: Catalog, method: str, path: str, url: str) -> Route:
    segments = [s for s in path.split("/") if s]
    low = [s.lower() for s in segments]
    if low == ["autotask", "autotaskextend", "executecommand.aspx"]:
        return _allow(method, {"GET": Route(handlers.execute_command, auth=False)})
    if low[:1] != ["atservicesrest"]:
        raise route_not_found(url)
    if low[1:] == ["versioninformation"]:
        return _allow(method, {"GET": Route(handlers.version_information, auth=False)})
    if len(low) < 3 or low[1] != "v1.0":
        raise route_not_found(url)
    rest, lrest = segments[2:], low[2:]
    if lrest == ["zoneinformation"]:
        return _allow(method, {"GET": Route(handlers.zone_information, auth=False)})
    if lrest == ["thresholdinformation"]:
        return _allow(
            method, {"GET": Route(handlers.threshold_information, endpoint="thresholdinformation")}
        )
    entity = catalog.entity(lrest[0])
    if entity is None:
        raise route_not_found(url)
    return _entity_route(catalog, entity, method, rest[1:], lrest[1:], url)


def _information(entity: EntityDef, method: str, rest: list[str], url: str) -> Route:
    """entityInformation[/fields|/userDefinedFields], also under a parent's URL."""
    if len(rest) > 1 or (rest and rest[0] not in ("fields", "userdefinedfields")):
        raise route_not_found(url)
    kind = rest[0] if rest else "info"
    route = Route(
        handlers.entity_information, {"entity": entity, "kind": kind}, entity.name.lower()
    )
    return _allow(method, {"GET": route})


def _entity_route(
    catalog: Catalog,
    entity: EntityDef,
    method: str,
    tail: list[str],
    ltail: list[str],
    url: str,
) -> Route:
    endpoint = entity.name.lower()

    def route(handler: Any, **args: Any) -> Route:
        return Route(handler, {"entity": entity, **args}, endpoint)

    if not ltail:
        allowed = {}
        if entity.create == "root":
            allowed["POST"] = route(handlers.create)
        if entity.update == "root":
            allowed["PATCH"] = route(handlers.update, replace=False)
            allowed["PUT"] = route(handlers.update, replace=True)
        return _allow(method, allowed)
    if ltail == ["query"]:
        return _allow(
            method, {"GET": route(handlers.query_records), "POST": route(handlers.query_records)}
        )
    if ltail == ["query", "count"]:
        return _allow(method, {"GET": route(handlers.count), "POST": route(handlers.count)})
    if len(ltail) == 2 and ltail[0] == "query" and ltail[1] in ("next", "prev"):
        page = route(handlers.follow_page, direction=ltail[1])
        return _allow(method, {"GET": page, "POST": page})
    if ltail[0] == "entityinformation":
        return _information(entity, method, ltail[1:], url)
    record_or_parent = ascii_id(ltail[0])
    if record_or_parent is None:  # not an id: a child's metadata, else no such route
        child = catalog.child(entity, tail[0])  # /{Parent}/{Child}/entityInformation
        if child is not None and ltail[1:2] == ["entityinformation"]:
            return _information(child, method, ltail[2:], url)
        raise route_not_found(url)
    if len(ltail) == 1:
        allowed = {"GET": route(handlers.get_record, record_id=record_or_parent)}
        if entity.delete == "root":
            allowed["DELETE"] = route(handlers.delete, record_id=record_or_parent)
        return _allow(method, allowed)
    child = catalog.child(entity, tail[1])
    if child is not None and ltail[2:3] == ["entityinformation"]:
        return _information(child, method, ltail[3:], url)
    if child is None or len(ltail) > 3:
        raise route_not_found(url)
    endpoint = child.name.lower()

    def child_route(handler: Any, **args: Any) -> Route:
        return Route(handler, {"entity": child, "parent_id": record_or_parent, **args}, endpoint)

    if len(ltail) == 2:
        allowed = {"GET": child_route(handlers.list_children)}
        if child.create == "child":
            allowed["POST"] = child_route(handlers.create)
        if child.update == "child":
            allowed["PATCH"] = child_route(handlers.update, replace=False)
            allowed["PUT"] = child_route(handlers.update, replace=True)
        return _allow(method, allowed)
    record_id = ascii_id(ltail[2])
    if record_id is None:
        raise route_not_found(url)
    allowed = {"GET": child_route(handlers.get_record, record_id=record_id)}
    if child.delete == "child":
        allowed["DELETE"] = child_route(handlers.delete, record_id=record_id)
    return _allow(method, allowed)

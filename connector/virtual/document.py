"""`GET /instances/{id}/docs`: an OpenAPI 3.1 document of one instance's hub.

Built from the shipped openapi.yaml, so the instance's document says what the service's own
says (paging, count and cache headers, `where`, `orderBy`, `fields`, `includeTotalCount`, the
errors): its generic hub operations become one set per resource the instance serves (the
normalized maps, its virtual resources, which hide a normalized one of the same name), with
that resource's schema, its children, and `ping`, `objects` and metadata.
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path
from typing import Any

import yaml

from connector.config import PACKAGE_ROOT

# connector/openapi.yaml links to the root file, so a wheel carries it as package data.
SPEC_FILE = PACKAGE_ROOT / "openapi.yaml"
RECORD_REF = "#/components/schemas/Record"
_ALL = frozenset({"list", "get", "create", "update", "delete"})
# operation -> (generic path in openapi.yaml, method)
_GENERIC = {
    "list": ("/hubs/{hub}/{object}", "get"),
    "create": ("/hubs/{hub}/{object}", "post"),
    "get": ("/hubs/{hub}/{object}/{id}", "get"),
    "update": ("/hubs/{hub}/{object}/{id}", "patch"),
    "delete": ("/hubs/{hub}/{object}/{id}", "delete"),
}
_SUMMARIES = {
    "list": "List {name}, filtered with CEQL, one page at a time",
    "create": "Create one of {name}; the answer is the record as Autotask stored it",
    "get": "Read one of {name}",
    "update": "Change some fields of one of {name}",
    "delete": "Delete one of {name}",
}
_INSTANCE_PATHS = ("/hubs/{hub}/ping", "/hubs/{hub}/objects", "/hubs/{hub}/objects/{name}/metadata")
_lock = threading.Lock()
_loaded: dict[str, Any] = {}


def shipped_document() -> dict[str, Any]:
    """openapi.yaml, parsed once per process (callers copy what they change)."""
    with _lock:
        if "spec" not in _loaded:
            _loaded["spec"] = yaml.safe_load(Path(SPEC_FILE).read_text())
        return _loaded["spec"]


def instance_document(
    instance: Any,
    *,
    server_url: str,
    normalized: dict[str, Any],
    virtual: dict[str, tuple[Any, Any]],
    virtual_schema: Any,
    shipped: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`normalized`: name -> ResourceMap; `virtual`: name -> (VirtualMap, base Resource or
    None); `virtual_schema(vmap)`: a virtual record's JSON schema."""
    spec = shipped if shipped is not None else shipped_document()
    components = copy.deepcopy(spec["components"])
    schemas = components["schemas"]
    paths: dict[str, Any] = {}
    for generic in _INSTANCE_PATHS:
        paths[generic.replace("{hub}", "crm")] = _concrete(spec["paths"][generic], ("hub",))
    for name, resource_map in sorted(normalized.items()):
        if name in virtual:
            continue
        ref = _schema_name(name, spec)
        schemas[ref] = resource_map.json_schema()
        about = f"{resource_map.description} (Autotask {resource_map.entity})."
        refusals = getattr(resource_map, "refusals", {})
        if refusals:
            about += " Not served: " + "; ".join(f"{op} ({why})" for op, why in refusals.items())
        paths.update(_resource_paths(spec, name, ref, set(resource_map.operations), about))
        for child, link in sorted(resource_map.children.items()):
            paths.update(_child_path(spec, name, child, _schema_name(link.resource, spec)))
    for name, (vmap, base) in sorted(virtual.items()):
        ref = _schema_name(name, spec)
        schemas[ref] = virtual_schema(vmap)
        operations = set(getattr(getattr(base, "map", None), "operations", None) or _ALL)
        about = f"Your virtual resource '{name}', mapped onto {vmap.vendor_name}."
        paths.update(_resource_paths(spec, name, ref, operations, about))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{instance.name}: Autotask CRM hub of instance {instance.id}",
            "version": str(spec["info"].get("version", "1")),
            "description": _DESCRIPTION,
        },
        "servers": [{"url": server_url}],
        "security": [{"hub": []}],
        "paths": paths,
        "components": components,
    }


_DESCRIPTION = (
    "The resources this instance serves under /hubs/crm (also /hubs/helpdesk): the normalized "
    "ones, your virtual resources, and any Autotask entity by its own name (/hubs/crm/Companies; "
    "its fields at GET /hubs/crm/objects/{name}/metadata).\n\n"
    "Authorization: `User <user secret>, Organization <organization secret>, Element <instance "
    "token>`.\n\n"
    "Lists page by id: follow `Elements-Next-Page-Token` with `nextPage` (absent on the last "
    "page); `Elements-Returned-Count` counts the page, `Elements-Total-Count` answers "
    "`includeTotalCount=true` (one Autotask count), `Elements-Cache` says hit, miss or off. "
    "`where` is CEQL in the normalized names and labels, pushed down to Autotask where it can "
    "be; `orderBy` other than id sorts up to 5000 matching rows; `fields` picks paths, names "
    "with spaces in backticks (`` `customFields.Support Tier` ``). Errors are always "
    "`{message, requestId, providerMessage}`."
)


def _schema_name(name: str, spec: dict[str, Any]) -> str:
    """The resource's own name, unless the shipped document uses it already."""
    return name if name not in spec["components"]["schemas"] else f"resource.{name}"


def _concrete(item: dict[str, Any], fixed: tuple[str, ...]) -> dict[str, Any]:
    """A copy of a path item without the path parameters that are now fixed in the path."""
    found = copy.deepcopy(item)
    params = [p for p in found.get("parameters", []) if p.get("name") not in fixed]
    if params:
        found["parameters"] = params
    else:
        found.pop("parameters", None)
    return found


def _operation(spec: dict[str, Any], op: str, name: str, ref: str, about: str) -> dict[str, Any]:
    path, method = _GENERIC[op]
    found = _retarget(copy.deepcopy(spec["paths"][path][method]), f"#/components/schemas/{ref}")
    found["operationId"] = f"{found['operationId']}_{name}"
    found["summary"] = _SUMMARIES[op].format(name=name)
    generic = found.get("description")
    found["description"] = about + (f"\n\n{generic}" if generic else "")
    found["tags"] = [name]
    return found


def _resource_paths(
    spec: dict[str, Any], name: str, ref: str, operations: set[str], about: str
) -> dict[str, Any]:
    collection = _concrete(spec["paths"]["/hubs/{hub}/{object}"], ("hub", "object"))
    item = _concrete(spec["paths"]["/hubs/{hub}/{object}/{id}"], ("hub", "object"))
    for part in (collection, item):
        for method in ("get", "post", "patch", "delete", "put"):
            part.pop(method, None)
    for op in sorted(operations & _ALL):
        path, method = _GENERIC[op]
        target = collection if path == "/hubs/{hub}/{object}" else item
        target[method] = _operation(spec, op, name, ref, about)
    found = {}
    if any(m in collection for m in ("get", "post")):
        found[f"/hubs/crm/{name}"] = collection
    if any(m in item for m in ("get", "patch", "delete")):
        found[f"/hubs/crm/{name}/{{id}}"] = item
    return found


def _child_path(spec: dict[str, Any], name: str, child: str, ref: str) -> dict[str, Any]:
    generic = "/hubs/{hub}/{object}/{id}/{child}"
    item = _concrete(spec["paths"][generic], ("hub", "object", "child"))
    operation = _retarget(item["get"], f"#/components/schemas/{ref}")
    operation["operationId"] = f"{operation['operationId']}_{name}_{child}"
    operation["summary"] = f"The {child} of one of {name}"
    operation["tags"] = [name]
    item["get"] = operation
    return {f"/hubs/crm/{name}/{{id}}/{child}": item}


def _retarget(node: Any, ref: str) -> Any:
    """Every reference to the generic Record schema, pointed at the resource's schema."""
    if isinstance(node, dict):
        if node.get("$ref") == RECORD_REF:
            return {"$ref": ref}
        return {k: _retarget(v, ref) for k, v in node.items()}
    if isinstance(node, list):
        return [_retarget(v, ref) for v in node]
    return node

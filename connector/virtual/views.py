"""Read-only answers built from the stored documents and the shipped maps:
- `templates`: the maps in transformations/ as definitions (`?systemOnly=true`);
- `common_resources`: `GET /common-resources`, every virtual resource of an organization with
  each field's `associatedLevel`, who maps it, and the instances it applies to;
- `instance_document`: `GET /instances/{id}/docs`, an OpenAPI 3.1 document of the instance's
  hub: its normalized and virtual resources with their record schemas.
"""

from __future__ import annotations

from typing import Any

from connector.tenancy.element import ELEMENT_KEY
from connector.virtual.inherit import INSTANCE, ORG, Stored, resolve
from connector.virtual.model import VirtualMap

_JSON_TYPES = {
    "string": {"type": ["string", "null"]},
    "number": {"type": ["number", "null"]},
    "boolean": {"type": ["boolean", "null"]},
    "date": {"type": ["string", "null"], "format": "date-time"},
}


# -- templates --------------------------------------------------------------------------------
def templates(maps: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each shipped map as a definition: its scalar fields (lists and open objects left out,
    a definition's four types cannot hold them)."""
    found = {}
    for name, resource_map in sorted(maps.items()):
        fields: list[dict[str, Any]] = []
        _scalars(resource_map.json_schema(), "", fields)
        found[name] = {"objectName": name, "fields": fields, "level": "system", "systemOnly": True}
    return found


def _scalars(schema: dict[str, Any], prefix: str, out: list[dict[str, Any]]) -> None:
    for key, sub in (schema.get("properties") or {}).items():
        kinds = sub.get("type")
        kinds = [k for k in (kinds if isinstance(kinds, list) else [kinds]) if k != "null"]
        if "properties" in sub:
            _scalars(sub, f"{prefix}{key}.", out)
        elif len(kinds) == 1 and kinds[0] in ("string", "integer", "number", "boolean"):
            kind = {"integer": "number"}.get(kinds[0], kinds[0])
            if kind == "string" and sub.get("format") in ("date-time", "date"):
                kind = "date"
            out.append({"path": prefix + key, "type": kind})


# -- common resources ----------------------------------------------------------------------------
def common_resources(
    org_view: dict[str, Stored],
    instance_views: dict[int, dict[str, Stored]],
    all_instances: list[int],
) -> list[dict[str, Any]]:
    """`org_view`: the organization's documents by name; `instance_views`: per instance that
    holds documents of its own, what it sees by name."""
    names = set(org_view) | {n for view in instance_views.values() for n in view}
    answer = []
    for name in sorted(names):
        org = org_view.get(name) or Stored(name)
        fields = [
            {**f, "associatedLevel": ORG} for f in (org.org_definition or {}).get("fields", [])
        ]
        transformations = []
        if org.org_transformation:
            transformations.append(
                {
                    "level": ORG,
                    "elementKey": ELEMENT_KEY,
                    "vendorName": org.org_transformation["vendorName"],
                }
            )
        mapped = set(all_instances) if org.org_transformation else set()
        for instance_id, view in sorted(instance_views.items()):
            seen = view.get(name)
            if seen is None:
                continue
            for field in (seen.instance_definition or {}).get("fields", []):
                fields.append({**field, "associatedLevel": INSTANCE, "instanceId": instance_id})
            if seen.instance_transformation:
                transformations.append(
                    {
                        "level": INSTANCE,
                        "instanceId": instance_id,
                        "vendorName": seen.instance_transformation["vendorName"],
                    }
                )
            if resolve(seen) is not None:
                mapped.add(instance_id)
        answer.append(
            {
                "name": name,
                "fields": fields,
                "transformations": transformations,
                "elementInstanceIds": sorted(mapped),
            }
        )
    return answer


# -- the instance's OpenAPI document ---------------------------------------------------------------
def instance_document(
    instance: Any,
    *,
    server_url: str,
    normalized: dict[str, Any],
    virtual: dict[str, tuple[VirtualMap, Any]],
) -> dict[str, Any]:
    """`normalized`: name -> ResourceMap; `virtual`: name -> (VirtualMap, base Resource). A
    virtual name hides the normalized resource of the same name, as on the hub."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": _ERROR}
    for name, resource_map in sorted(normalized.items()):
        if name in virtual:
            continue
        schemas[name] = resource_map.json_schema()
        paths.update(_resource_paths(name, set(resource_map.operations), resource_map.description))
    for name, (vmap, base) in sorted(virtual.items()):
        schemas[name] = virtual_schema(vmap)
        operations = set(getattr(getattr(base, "map", None), "operations", None) or _ALL)
        summary = f"Virtual resource '{name}', mapped onto {vmap.vendor_name}"
        paths.update(_resource_paths(name, operations, summary))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{instance.name}: Autotask CRM hub of instance {instance.id}",
            "version": "1",
            "description": "Normalized and virtual resources of this instance, under "
            "/hubs/crm. Autotask entities also answer by their own names (e.g. /hubs/crm/"
            "Companies); see GET /hubs/crm/objects/{name}/metadata for their fields.",
        },
        "servers": [{"url": server_url}],
        "security": [{"elements": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "elements": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "User <secret>, Organization <secret>, Element <token>",
                }
            },
        },
    }


def virtual_schema(vmap: VirtualMap) -> dict[str, Any]:
    """The JSON schema of a virtual record: definition paths nested into objects."""
    root: dict[str, Any] = {"type": "object", "properties": {"id": {"type": "integer"}}}
    for defined in vmap.definition:
        node = root
        parts = defined.path.split(".")
        for part in parts[:-1]:
            node = node["properties"].setdefault(part, {"type": "object", "properties": {}})
        mapped = vmap.field(defined.path)
        schema = dict(_JSON_TYPES[defined.type])
        if mapped is not None:
            schema["description"] = f"{vmap.vendor_name}: {mapped.vendor_path}"
            if mapped.pattern:
                schema.pop("format", None)
                schema["description"] += f" (written as {mapped.pattern})"
            if not mapped.write:
                schema["readOnly"] = True
            if not mapped.read:
                schema["writeOnly"] = True
        node["properties"][parts[-1]] = schema
    root["additionalProperties"] = vmap.pass_from_vendor or vmap.pass_to_vendor
    root["title"] = vmap.name
    return root


_ALL = {"list", "get", "create", "update", "delete"}
_ERROR = {
    "type": "object",
    "required": ["message", "requestId", "providerMessage"],
    "properties": {
        "message": {"type": "string"},
        "requestId": {"type": ["string", "null"]},
        "providerMessage": {"type": ["string", "null"]},
    },
}
_LIST_PARAMS = [
    {"name": "where", "in": "query", "schema": {"type": "string"}, "description": "CEQL"},
    {"name": "orderBy", "in": "query", "schema": {"type": "string"}},
    {"name": "fields", "in": "query", "schema": {"type": "string"}},
    {"name": "pageSize", "in": "query", "schema": {"type": "integer", "maximum": 500}},
    {"name": "nextPage", "in": "query", "schema": {"type": "string"}},
]


def _resource_paths(name: str, operations: set[str], summary: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{name}"}
    one = {"200": {"description": "The record", "content": {"application/json": {"schema": ref}}}}
    errors = {
        "default": {
            "description": "An error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    }
    body = {"required": True, "content": {"application/json": {"schema": ref}}}
    collection: dict[str, Any] = {}
    item: dict[str, Any] = {}
    if "list" in operations:
        collection["get"] = {
            "summary": f"List {name}: {summary}",
            "parameters": _LIST_PARAMS,
            "responses": {
                "200": {
                    "description": "One page; Elements-Next-Page-Token when more follow",
                    "content": {"application/json": {"schema": {"type": "array", "items": ref}}},
                },
                **errors,
            },
        }
    if "create" in operations:
        collection["post"] = {
            "summary": f"Create a {name} record",
            "requestBody": body,
            "responses": {**one, **errors},
        }
    id_param = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]
    if "get" in operations:
        item["get"] = {"summary": f"Read a {name} record", "responses": {**one, **errors}}
    if "update" in operations:
        item["patch"] = {
            "summary": f"Update a {name} record",
            "requestBody": body,
            "responses": {**one, **errors},
        }
    if "delete" in operations:
        item["delete"] = {
            "summary": f"Delete a {name} record",
            "responses": {"200": {"description": "Deleted"}, **errors},
        }
    found = {}
    if collection:
        found[f"/hubs/crm/{name}"] = collection
    if item:
        found[f"/hubs/crm/{name}/{{id}}"] = {"parameters": id_param, **item}
    return found

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
    from connector.virtual import document

    return document.instance_document(
        instance,
        server_url=server_url,
        normalized=normalized,
        virtual=virtual,
        virtual_schema=virtual_schema,
    )


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

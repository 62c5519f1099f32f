"""The normalized resources' schemas in openapi.yaml, made from the transformation maps.

    python -m connector.mapping.openapi_schemas   # rewrite them after changing a map

tests/test_openapi.py fails when openapi.yaml and the maps disagree, naming this command.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from connector.config import Settings
from connector.mapping import ResourceMap, load_maps

SPEC = Path(__file__).resolve().parents[2] / "openapi.yaml"

# Schema names as a Merge or Apideck user would read them.
NAMES = {
    "accounts": "Account",
    "contacts": "Contact",
    "opportunities": "Opportunity",
    "leads": "Lead",
    "tasks": "Task",
    "notes": "Note",
    "users": "User",
    "incidents": "Incident",
}


def schema_name(resource: str) -> str:
    return NAMES.get(resource, resource[:1].upper() + resource[1:])


def resource_schemas(maps: dict[str, ResourceMap]) -> dict[str, dict[str, Any]]:
    schemas = {}
    for name, resource_map in sorted(maps.items()):
        schema = resource_map.json_schema()
        schema["description"] = (
            f"`{name}`: {resource_map.description} (Autotask {resource_map.entity})."
        )
        schemas[schema_name(name)] = schema
    return schemas


def record_schema(maps: dict[str, ResourceMap]) -> dict[str, Any]:
    return {
        "description": "A record of the resource named in the path: one of the normalized "
        "schemas, a virtual resource's own fields, or an Autotask entity's.",
        "anyOf": [{"$ref": f"#/components/schemas/{schema_name(n)}"} for n in sorted(maps)]
        + [{"type": "object", "additionalProperties": True}],
    }


def main() -> int:
    maps = load_maps(Settings().transformations_dir)
    spec = yaml.safe_load(SPEC.read_text())
    spec["components"]["schemas"].update(resource_schemas(maps))
    spec["components"]["schemas"]["Record"] = record_schema(maps)
    SPEC.write_text(yaml.safe_dump(spec, sort_keys=False, width=100, allow_unicode=True))
    print(f"wrote the schemas of {len(maps)} resources into {SPEC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

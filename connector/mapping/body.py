"""Schemas built from a map's fields: the marshmallow schema of request bodies and the JSON
schema of normalized records. Both nest dotted paths (`links.autotask`) into objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from marshmallow import Schema, fields

from connector.mapping import paths
from connector.mapping.bodyfields import ReadOnly
from connector.mapping.fields import FieldMapper


class _Leaf:
    def __init__(self, value: Any) -> None:
        self.value = value


def _tree(leaves: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Nested dicts by path segment, with the values wrapped in `_Leaf`."""
    tree: dict[str, Any] = {}
    for path, leaf in leaves:
        names = [step.name for step in paths.parse(path)]  # type: ignore[union-attr]
        node = tree
        for name in names[:-1]:
            node = node.setdefault(name, {})
        node[names[-1]] = _Leaf(leaf)
    return tree


def body_schema(mappers: Iterable[FieldMapper], name: str) -> Schema:
    """Writable fields validate their values; read-only ones refuse to be sent at all."""
    leaves = []
    for mapper in mappers:
        if mapper.writable:
            required = mapper.required and mapper.default is None
            leaves.append((mapper.path, mapper.body_field(required=required)))
        elif mapper.readable:
            leaves.append((mapper.path, ReadOnly()))
    return _schema_class(_tree(leaves), name)()


def _schema_class(tree: dict[str, Any], name: str) -> type[Schema]:
    declared: dict[str, fields.Field] = {}
    for key, node in tree.items():
        if isinstance(node, _Leaf):
            declared[key] = node.value
        elif all(isinstance(leaf, ReadOnly) for leaf in _leaves(node)):
            declared[key] = ReadOnly()  # `links: {...}` is refused as a whole
        else:
            declared[key] = fields.Nested(_schema_class(node, f"{name}.{key}"), allow_none=True)
    return Schema.from_dict(declared, name=f"{name}Body")


def _leaves(tree: dict[str, Any]) -> list[Any]:
    found = []
    for node in tree.values():
        found.extend([node.value] if isinstance(node, _Leaf) else _leaves(node))
    return found


def record_schema(mappers: Iterable[FieldMapper], title: str, description: str) -> dict[str, Any]:
    """The OpenAPI 3.1 schema of a normalized record; `required` lists what a create needs."""
    mappers = [mapper for mapper in mappers if mapper.readable or mapper.writable]
    schema = _json_object(_tree((mapper.path, mapper.json_schema()) for mapper in mappers))
    schema.update(title=title, description=description)
    needed = [
        mapper.path
        for mapper in mappers
        if mapper.required and mapper.default is None and "." not in (mapper.path or "")
    ]
    if needed:
        schema["required"] = needed
    return schema


def _json_object(tree: dict[str, Any]) -> dict[str, Any]:
    properties = {}
    for key, node in tree.items():
        properties[key] = node.value if isinstance(node, _Leaf) else _json_object(node)
    return {"type": "object", "additionalProperties": False, "properties": properties}

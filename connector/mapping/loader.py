"""Load every transformation map, validate it, and build the resource maps.

Runs once at start: a map that does not validate raises `MappingError` naming the file and the
field (`transformations/leads.yaml: field 'type': key 'direction': Must be one of: ...`), and the
service does not start. Runtime code only sees the built `ResourceMap`s, never raw YAML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from marshmallow import ValidationError as SchemaError

from connector.errors import MappingError
from connector.mapping.bodyfields import flatten_errors
from connector.mapping.fields import FIELD_TYPES, FieldMapper, SpecError
from connector.mapping.resource import ChildLink, ParentLink, ResourceMap
from connector.mapping.spec import MapSpec

# Built maps by their files' (name, mtime, size): a process building several apps (tests, a
# worker's runtime beside the service's) parses and validates each directory once, and a
# changed file is read again. ResourceMaps are immutable once built, so apps may share them.
_BUILT: dict[tuple, dict[str, ResourceMap]] = {}
_BUILT_MAX = 32
# libyaml's loader when PyYAML has it (the same documents, ten times faster), else PyYAML's
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_maps(directory: str | Path) -> dict[str, ResourceMap]:
    """Every `*.yaml` map of a directory, by resource name (the file's stem)."""
    root = Path(directory)
    files = sorted(root.glob("*.yaml"))
    if not files:
        raise MappingError(f"{root}: no transformation maps (*.yaml) found")
    stamp = (str(root.resolve()), tuple(_stamp(file) for file in files))
    built = _BUILT.get(stamp)
    if built is None:
        built = {}
        for file in files:
            resource = load_map(file)
            built[resource.name] = resource
        check_relations(built)
        if len(_BUILT) >= _BUILT_MAX:
            _BUILT.clear()
        _BUILT[stamp] = built
    return dict(built)


def _stamp(file: Path) -> tuple[str, int, int]:
    status = file.stat()
    return file.name, status.st_mtime_ns, status.st_size


def load_map(file: Path) -> ResourceMap:
    label = f"{file.parent.name}/{file.name}"
    try:
        raw = yaml.load(file.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - safe
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise MappingError(f"{label}: cannot be read as YAML: {error}") from None
    return build_map(file.stem, raw, label)


def build_map(name: str, raw: Any, label: str) -> ResourceMap:
    """A `ResourceMap` from a map's parsed YAML; `label` names the file in messages."""
    if not isinstance(raw, dict):
        raise MappingError(f"{label}: a map is a mapping of keys (entity, fields, ...)")
    try:
        top = MapSpec().load(raw)
    except SchemaError as error:
        problems = [f"key '{p}': {m}" for p, m in flatten_errors(error.messages)]
        raise _error(label, problems) from None
    mappers, problems = [], []
    for index, entry in enumerate(top["field_entries"]):
        try:
            mappers.append(build_field(entry, top["entity"]))
        except SpecError as error:
            problems.append(f"field '{_field_name(entry, index)}': {error}")
    if problems:
        raise _error(label, problems)
    problems = check_fields(mappers) + check_parent(top.get("parent"), mappers)
    if problems:
        raise _error(label, problems)
    parent = ParentLink(**top["parent"]) if top.get("parent") else None
    children = {
        child: ChildLink(child, spec["resource"], spec["field"])
        for child, spec in top["children"].items()
    }
    return ResourceMap(
        name=name,
        entity=top["entity"],
        description=top["description"],
        hubs=top["hubs"],
        operations=top["operations"],
        parent=parent,
        fixed_filter=top["fixedFilter"],
        children=children,
        fields=mappers,
        source=label,
        pass_through=top["passThrough"],
        change_tracking=top["changeTracking"],
    )


def build_field(entry: dict[str, Any], entity: str) -> FieldMapper:
    kind = entry.get("type")
    mapper_class = FIELD_TYPES.get(kind) if isinstance(kind, str) else None
    if mapper_class is None:
        raise SpecError(f"key 'type': unknown type {kind!r}; known types: {', '.join(FIELD_TYPES)}")
    try:
        spec = mapper_class.Spec().load(entry)
    except SchemaError as error:
        problems = [f"key '{p}': {m}" for p, m in flatten_errors(error.messages)]
        raise SpecError("; ".join(problems)) from None
    return mapper_class(spec, entity)


def check_fields(mappers: list[FieldMapper]) -> list[str]:
    """Paths and written vendor fields are unique, no path holds another, and `id` is there."""
    problems = []
    seen_paths: dict[str, FieldMapper] = {}
    written: dict[str, str] = {}
    for mapper in mappers:
        path = mapper.path
        if path is not None:
            if path in seen_paths:
                problems.append(f"field '{path}': the path is mapped twice")
            clash = next(
                (p for p in seen_paths if p.startswith(path + ".") or path.startswith(p + ".")),
                None,
            )
            if clash:
                problems.append(f"field '{path}': the path overlaps field '{clash}'")
            seen_paths[path] = mapper
        for vendor in mapper.written_fields():
            if vendor.casefold() in written:
                problems.append(
                    f"field '{path or vendor}': vendor field '{vendor}' is also "
                    f"written by field '{written[vendor.casefold()]}'"
                )
            written[vendor.casefold()] = path or vendor
    if "id" not in seen_paths or not seen_paths["id"].readable:
        problems.append("field 'id': every map reads the record's id at path 'id'")
    return problems


def check_parent(parent: dict[str, Any] | None, mappers: list[FieldMapper]) -> list[str]:
    if parent is None:
        return []
    written = {vendor.casefold() for mapper in mappers for vendor in mapper.written_fields()}
    if parent["field"].casefold() not in written:
        return [f"key 'parent.field': no field writes {parent['field']!r}"]
    return []


def check_relations(maps: dict[str, ResourceMap]) -> None:
    """Children name loaded resources, and those resources read the linking field."""
    for resource in maps.values():
        for link in resource.children.values():
            child = maps.get(link.resource)
            if child is None:
                raise MappingError(
                    f"{resource.source}: key 'children.{link.name}': no map named "
                    f"{link.resource!r}; maps: {', '.join(sorted(maps))}"
                )
            read = {v.casefold() for m in child.fields if m.readable for v in m.read_fields()}
            if link.field.casefold() not in read:
                raise MappingError(
                    f"{resource.source}: key 'children.{link.name}': "
                    f"{link.resource} maps no field on {link.field!r}"
                )


def _field_name(entry: Any, index: int) -> str:
    if isinstance(entry, dict):
        for key in ("path", "vendor"):
            if isinstance(entry.get(key), str):
                return entry[key]
    return f"#{index + 1}"


def _error(label: str, problems: list[str]) -> MappingError:
    return MappingError(f"{label}: " + "; ".join(problems))

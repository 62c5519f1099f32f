"""Which resource a name means: a virtual definition of the instance, a normalized map, or an
Autotask entity by its own name."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import yaml

from connector.errors import NotFoundError
from connector.hub.resources import MappedResource, NativeResource, Resource
from connector.mapping import ResourceMap
from connector.tenancy.instances import Instance

_ENTITY_NAME = re.compile(r"^[A-Z][A-Za-z]{2,63}$")

# A hook for virtual resources: (instance, name) -> Resource or None.
VirtualResolver = Callable[[Instance, str, "Registry"], Resource | None]


@cache
def native_entities() -> tuple[str, ...]:
    raw = yaml.safe_load((Path(__file__).parent / "native_entities.yaml").read_text())
    return tuple(raw["entities"])


class Registry:
    def __init__(self, maps: dict[str, ResourceMap]) -> None:
        self.normalized = {name: MappedResource(m) for name, m in maps.items()}
        self._native = {name.lower(): name for name in native_entities()}
        self.virtual: VirtualResolver | None = None
        # the instance's virtual resource names, for /objects (set with `virtual`)
        self.virtual_names: Callable[[Instance], list[str]] | None = None

    def resolve(self, name: str, instance: Instance | None = None) -> Resource:
        if self.virtual is not None and instance is not None:
            found = self.virtual(instance, name, self)
            if found is not None:
                return found
        return self.base(name)

    def base(self, name: str) -> Resource:
        """A normalized or native resource, ignoring virtual definitions."""
        if name in self.normalized:
            return self.normalized[name]
        if name.lower() in self._native:
            return NativeResource(self._native[name.lower()])
        if _ENTITY_NAME.match(name):
            return NativeResource(name)
        raise NotFoundError(
            f"No resource '{name}'; normalized resources: {', '.join(sorted(self.normalized))}; "
            "Autotask entities answer by their own name (e.g. Companies)"
        )

    def names(self, instance: Instance | None = None) -> list[str]:
        found = sorted(self.normalized) + list(native_entities())
        if self.virtual_names is not None and instance is not None:
            found += [n for n in self.virtual_names(instance) if n not in found]
        return found

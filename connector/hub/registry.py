"""Which resource a name means: what a resolver finds for the instance (its virtual
resources), else a normalized map, else an Autotask entity by its own name.

The resolvers are given at construction, in the order they are asked (the composition root,
connector.api.deps, builds the registry); nothing is hooked in afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

import yaml

from connector.errors import NotFoundError
from connector.hub.resources import MappedResource, NativeResource, Resource
from connector.mapping import ResourceMap
from connector.tenancy.instances import Instance

_ENTITY_NAME = re.compile(r"^[A-Z][A-Za-z]{2,63}$")


class Resolver(Protocol):
    """Resources an instance defines for itself (virtual resources), asked before the base."""

    def __call__(self, instance: Instance, name: str, registry: Registry) -> Resource | None: ...

    def names(self, instance: Instance) -> list[str]: ...


@cache
def native_entities() -> tuple[str, ...]:
    raw = yaml.safe_load((Path(__file__).parent / "native_entities.yaml").read_text())
    return tuple(raw["entities"])


class Registry:
    def __init__(self, maps: dict[str, ResourceMap], resolvers: Sequence[Resolver] = ()) -> None:
        self.normalized = {name: MappedResource(m) for name, m in maps.items()}
        self._native = {name.lower(): name for name in native_entities()}
        self.resolvers = tuple(resolvers)

    def resolve(self, name: str, instance: Instance | None = None) -> Resource:
        if instance is not None:
            for resolver in self.resolvers:
                found = resolver(instance, name, self)
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
        if instance is not None:
            for resolver in self.resolvers:
                found += [n for n in resolver.names(instance) if n not in found]
        return found

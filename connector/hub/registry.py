"""Which resource a name means: what a resolver finds for the instance (its virtual
resources), else a map of the instance's model, else an Autotask entity by its own name (or by
its SOAP name: Account is Companies).

Two models of maps: `normalized` (transformations/) and `cloudElements` (the old Cloud Elements
element's names, transformations/cloud-elements/). An instance picks one with its
`crm.autotask.model` key; the operator's CONNECTOR_DEFAULT_MODEL decides when it does not.

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
from connector.tenancy import element
from connector.tenancy.instances import Instance

NORMALIZED = "normalized"

_ENTITY_NAME = re.compile(r"^[A-Z][A-Za-z]{2,63}$")


class Resolver(Protocol):
    """Resources an instance defines for itself (virtual resources), asked before the base."""

    def __call__(self, instance: Instance, name: str, registry: Registry) -> Resource | None: ...

    def names(self, instance: Instance) -> list[str]: ...


@cache
def _native_data() -> dict:
    return yaml.safe_load((Path(__file__).parent / "native_entities.yaml").read_text())


def native_entities() -> tuple[str, ...]:
    return tuple(_native_data()["entities"])


def native_aliases() -> dict[str, str]:
    """SOAP entity names (lower case) to the REST entities they are."""
    return {alias.lower(): entity for alias, entity in _native_data()["aliases"].items()}


class Registry:
    def __init__(
        self,
        maps: dict[str, ResourceMap],
        resolvers: Sequence[Resolver] = (),
        *,
        models: dict[str, dict[str, ResourceMap]] | None = None,
        default_model: str = NORMALIZED,
    ) -> None:
        self.normalized = {name: MappedResource(m) for name, m in maps.items()}
        self.models = {NORMALIZED: self.normalized}
        for model, model_maps in (models or {}).items():
            self.models[model] = {name: MappedResource(m) for name, m in model_maps.items()}
        self.default_model = default_model if default_model in self.models else NORMALIZED
        self._native = {name.lower(): name for name in native_entities()}
        self._native.update(native_aliases())
        self.resolvers = tuple(resolvers)

    def model_of(self, instance: Instance | None) -> str:
        """The model an instance's hub calls use: its own key, else the operator's default."""
        chosen = instance.configuration.get(element.MODEL) if instance is not None else None
        return chosen if chosen in self.models else self.default_model

    def maps_for(self, instance: Instance | None = None) -> dict[str, MappedResource]:
        """The mapped resources of the instance's model (the normalized ones without one)."""
        return self.models[self.model_of(instance)] if instance is not None else self.normalized

    def resolve(self, name: str, instance: Instance | None = None) -> Resource:
        if instance is not None:
            for resolver in self.resolvers:
                found = resolver(instance, name, self)
                if found is not None:
                    return found
        return self.base(name, instance)

    def base(self, name: str, instance: Instance | None = None) -> Resource:
        """A mapped resource of the instance's model or a native one, ignoring virtual
        definitions; with no instance, the normalized model."""
        maps = self.maps_for(instance)
        if name in maps:
            return maps[name]
        if name.lower() in self._native:
            return NativeResource(self._native[name.lower()])
        if _ENTITY_NAME.match(name):
            return NativeResource(name)
        raise NotFoundError(
            f"No resource '{name}'; resources: {', '.join(sorted(maps))}; "
            "Autotask entities answer by their own name (e.g. Companies)"
        )

    def names(self, instance: Instance | None = None) -> list[str]:
        found = sorted(self.maps_for(instance)) + list(native_entities())
        if instance is not None:
            for resolver in self.resolvers:
                found += [n for n in resolver.names(instance) if n not in found]
        return found

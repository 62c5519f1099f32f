"""The hub registry's resolver of virtual resources: `Registry(maps, [VirtualResolver(store)])`.

The registry asks it first for every name a hub call uses, so a definition may take a
normalized name (`contacts`) and change what that name answers for the instances it applies to.
One Redis round trip per call; a name with no transformation for the instance answers None and
the registry goes on to the normalized and native resources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connector.errors import NotFoundError, ValidationError
from connector.tenancy.instances import Instance
from connector.virtual.inherit import resolve
from connector.virtual.resource import VirtualResource
from connector.virtual.store import VdrStore

if TYPE_CHECKING:
    from connector.hub.registry import Registry


class VirtualResolver:
    def __init__(self, store: VdrStore) -> None:
        self.store = store

    def __call__(self, instance: Instance, name: str, registry: Registry) -> VirtualResource | None:
        vmap = resolve(self.store.stored(instance.organizationId, instance.id, name))
        if vmap is None:
            return None
        try:
            base = registry.base(vmap.vendor_name, instance)
        except NotFoundError:
            raise ValidationError(
                f"'{name}' maps to {vmap.vendor_name}, which this service does not serve; "
                f"fix its transformation's vendorName"
            ) from None
        return VirtualResource(vmap, base)

    def names(self, instance: Instance) -> list[str]:
        """The virtual resources the instance has (a transformation at either level)."""
        found = self.store.stored_all(instance.organizationId, instance.id)
        return [name for name, stored in found.items() if resolve(stored) is not None]

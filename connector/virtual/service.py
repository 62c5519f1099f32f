"""The virtual resources of an organization and its instances: definitions, transformations.

`VdrService` is the one door the blueprint uses; the rules live in `definitions` and
`transformations`, what both share in `documents`. Every change clears the hub cache of the
instances it affects (those with caching on).
"""

from __future__ import annotations

from typing import Any

from connector.virtual import views
from connector.virtual.definitions import Definitions
from connector.virtual.inherit import resolve
from connector.virtual.model import VirtualMap
from connector.virtual.transformations import Transformations


class VdrService(Definitions, Transformations):
    # -- views across levels --------------------------------------------------------------
    def common_resources(self, org_id: int, instance_ids: list[int]) -> dict[str, Any]:
        """The organization's names and each instance's own, for GET /common-resources."""
        holding = self.store.instances_holding(instance_ids)
        org_view = self.store.stored_all(org_id, None)
        instance_views = {i: self.store.stored_all(org_id, i) for i in holding}
        return views.common_resources(org_view, instance_views, instance_ids)

    def virtual_maps(self, org_id: int, instance_id: int) -> dict[str, VirtualMap]:
        """The virtual resources one instance serves (both levels merged)."""
        found = {}
        for name, stored in self.store.stored_all(org_id, instance_id).items():
            vmap = resolve(stored)
            if vmap is not None:
                found[name] = vmap
        return found

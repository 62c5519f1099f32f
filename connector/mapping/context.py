"""What a map needs to know about one Autotask tenant while it is applied.

The hub implements `MappingContext` from the Autotask client's metadata (picklists, user-defined
fields, the zone's web URL) and the instance's settings; tests use a plain object built from
literal data. The mapping engine calls nothing else, so it never touches HTTP or Redis.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from connector.autotask.picklists import Picklist


@runtime_checkable
class MappingContext(Protocol):
    def picklist(self, entity: str, field: str) -> Picklist:
        """The picklist of an entity's field (empty when the field has no picklist values)."""
        ...

    def udf_picklist(self, entity: str, name: str) -> Picklist | None:
        """The picklist of a user-defined field, or None when that UDF is not a picklist."""
        ...

    def udf_names(self, entity: str) -> list[str]:
        """The user-defined fields that exist on the entity."""
        ...

    def link(self, command: str, **params: Any) -> str:
        """The ExecuteCommand URL that opens a record in Autotask's web UI."""
        ...

    def option(self, name: str) -> Any:
        """A per-instance setting (e.g. "ticketSource", "defaultOwnerId"); None when unset."""
        ...

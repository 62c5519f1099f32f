"""The mapping context of one hub call: picklists, UDFs, links and options of one instance.

It reads the Autotask client's metadata (cached in Redis per database) lazily, so a call that
needs no picklist (a cache hit) costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connector.autotask import AutotaskClient
from connector.autotask.picklists import Picklist
from connector.tenancy import element
from connector.tenancy.instances import Instance

# Map option names (what transformation maps ask for) to instance configuration keys.
_OPTIONS = {"ticketSource": element.TICKET_SOURCE, "defaultOwnerId": element.DEFAULT_OWNER}


class HubContext:
    def __init__(self, client: Callable[[], AutotaskClient], instance: Instance) -> None:
        self._client_factory = client
        self._client: AutotaskClient | None = None
        self.instance = instance

    @property
    def client(self) -> AutotaskClient:
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    @property
    def built_client(self) -> AutotaskClient | None:
        """The client, if this call needed one (None: Autotask was not reached)."""
        return self._client

    @property
    def calls_made(self) -> int:
        """Autotask calls this call's client made so far (0 when none was needed)."""
        return self._client.stats.calls if self._client is not None else 0

    def picklist(self, entity: str, field: str) -> Picklist:
        return self.client.metadata.picklist(entity, field)

    def udf_picklist(self, entity: str, name: str) -> Picklist | None:
        """The picklist of a picklist UDF; None for a text UDF or one the tenant lacks."""
        udf = self.client.metadata.udf(entity, name)
        if udf is None or not any(str(k).lower() == "ispicklist" and v for k, v in udf.items()):
            return None
        return self.client.metadata.udf_picklist(entity, name)

    def udf_names(self, entity: str) -> list[str]:
        return [str(u["name"]) for u in self.client.metadata.udfs(entity)]

    def udfs(self, entity: str) -> list[dict[str, Any]]:
        return list(self.client.metadata.udfs(entity))

    def fields(self, entity: str) -> list[dict[str, Any]]:
        return list(self.client.metadata.fields(entity))

    def entity_info(self, entity: str) -> dict[str, Any]:
        return dict(self.client.metadata.entity_info(entity))

    def link(self, command: str, **params: Any) -> str:
        return self.client.link(command, **params)

    def option(self, name: str) -> Any:
        key = _OPTIONS.get(name, name)
        return self.instance.option(key)

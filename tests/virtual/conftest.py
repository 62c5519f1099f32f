"""A tenant from literal data for the virtual-resource tests: the mapping tests' picklists and
UDFs, plus Autotask field metadata for the entities used here (plain data, as the hub's
context reads it from Autotask's entityInformation)."""

from __future__ import annotations

from typing import Any

import pytest

from connector.autotask.picklists import Picklist
from tests.mapping.conftest import ROOT, load_tenant

FIELDS = {
    "Contacts": [
        {"name": "id", "dataType": "long"},
        {"name": "firstName", "dataType": "string"},
        {"name": "lastName", "dataType": "string"},
        {"name": "companyID", "dataType": "integer"},
        {"name": "emailAddress", "dataType": "string"},
        {"name": "isActive", "dataType": "integer"},
        {"name": "lastModifiedDate", "dataType": "datetime", "isReadOnly": True},
        {"name": "countryID", "dataType": "integer", "isPickList": True},
    ]
}


class EntityContext:
    """The mapping tests' literal tenant, with each entity's fields and user-defined fields."""

    def __init__(self) -> None:
        self.tenant = load_tenant()

    def picklist(self, entity: str, field: str) -> Picklist:
        return self.tenant.picklist(entity, field)

    def udf_picklist(self, entity: str, name: str) -> Picklist | None:
        return self.tenant.udf_picklist(entity, name)

    def udf_names(self, entity: str) -> list[str]:
        return self.tenant.udf_names(entity)

    def link(self, command: str, **params: Any) -> str:
        return self.tenant.link(command, **params)

    def option(self, name: str) -> Any:
        return self.tenant.option(name)

    def fields(self, entity: str) -> list[dict[str, Any]]:
        return FIELDS.get(entity, [])

    def udfs(self, entity: str) -> list[dict[str, Any]]:
        return [
            {"name": name, "type": "string", "isPickList": bool(values)}
            for name, values in self.tenant.udfs.get(entity, {}).items()
        ]

    def entity_info(self, entity: str) -> dict[str, Any]:
        return {"canQuery": True, "canCreate": True, "canUpdate": True, "canDelete": True}


@pytest.fixture
def tenant_ctx() -> EntityContext:
    return EntityContext()


@pytest.fixture(scope="session")
def registry():
    from connector.hub.registry import Registry
    from connector.mapping import load_maps

    return Registry(load_maps(ROOT / "transformations"))

from __future__ import annotations

import json

import pytest

from connector.autotask import UnknownFieldError
from tests.autotask.conftest import upstream


def test_entity_info(sandbox, autotask):
    info = autotask.metadata.entity_info("Companies")
    assert info["canDelete"] is False
    assert info["canCreate"] is True


def test_fields_and_udfs(sandbox, autotask):
    names = {f["name"] for f in autotask.metadata.fields("Contacts")}
    assert {"id", "firstName", "companyID", "namePrefix"} <= names
    udfs = {u["name"] for u in autotask.metadata.udfs("Companies")}
    assert "CustomerRanking" in udfs
    assert autotask.metadata.field("contacts", "FIRSTNAME")["name"] == "firstName"


def test_metadata_is_fetched_once_and_shared_through_redis(
    sandbox, autotask, make_client, redis_client, keys
):
    autotask.metadata.fields("Companies")
    autotask.metadata.picklist("Companies", "companyType")
    autotask.metadata.picklist("Companies", "classification")
    another_worker = make_client(sandbox)
    another_worker.metadata.fields("Companies")
    assert len(upstream(sandbox, "Companies/entityInformation/fields")) == 1
    assert another_worker.stats["metadata"] == 0
    ttl = redis_client.ttl(keys.metadata(autotask.caller.database, "Companies", "fields"))
    assert 0 < ttl <= 3600


def test_metadata_ttl_follows_the_settings(sandbox, make_client, redis_client, keys):
    client = make_client(sandbox, metadata_ttl=120)
    client.metadata.entity_info("Tickets")
    assert 0 < redis_client.ttl(keys.metadata(client.caller.database, "Tickets", "info")) <= 120


def test_picklist_both_ways(sandbox, autotask):
    company_type = autotask.metadata.picklist("Companies", "companyType")
    assert company_type.label_for(1) == "Customer"
    assert company_type.value_for("customer") == "1"
    assert company_type.value_for("PARTNER") == "8"


def test_inactive_values_translate_out_but_not_in(sandbox, autotask):
    classification = autotask.metadata.picklist("Companies", "classification")
    assert classification.label_for(5) == "Legacy"
    assert classification.value_for("Legacy") is None
    assert "Legacy" not in classification.active_labels()


def test_udf_picklist(sandbox, autotask):
    tier = autotask.metadata.udf_picklist("Companies", "support tier")
    assert tier.value_for("Silver") == "2"
    assert tier.label_for("4") == "Copper"
    assert tier.value_for("Copper") is None


@pytest.mark.parametrize(
    ("entity", "field"),
    [
        pytest.param("Companies", "shoeSize", id="a field the entity lacks"),
        pytest.param("Companies", "companyName", id="a field that is no picklist"),
    ],
)
def test_unknown_picklists_are_named(sandbox, autotask, entity, field):
    with pytest.raises(UnknownFieldError) as caught:
        autotask.metadata.picklist(entity, field)
    assert field in caught.value.message


def test_invalidate_fetches_again(sandbox, autotask):
    autotask.metadata.fields("Companies")
    autotask.metadata.invalidate("Companies")
    autotask.metadata.fields("Companies")
    assert len(upstream(sandbox, "Companies/entityInformation/fields")) == 2


def test_labels_in_the_tenant_language_translate_both_ways(sandbox, autotask, redis_client, keys):
    # a French-language database: the same values, other labels (written to the shared cache
    # as a French tenant's entityInformation/fields answer would be)
    french = [
        {
            "name": "companyType",
            "dataType": "short",
            "isPickList": True,
            "picklistValues": [
                {"value": "1", "label": "Client", "isActive": True},
                {"value": "3", "label": "Prospect", "isActive": True},
                {"value": "9", "label": "Société partenaire", "isActive": True},
                {"value": "4", "label": "Décédé", "isActive": False},
            ],
        }
    ]
    key = keys.metadata(autotask.caller.database, "Companies", "fields")
    redis_client.set(key, json.dumps(french), ex=60)
    company_type = autotask.metadata.picklist("Companies", "companyType")
    assert company_type.label_for(1) == "Client"
    assert company_type.value_for("societe PARTENAIRE") == "9"
    assert company_type.label_for("4") == "Décédé"
    assert company_type.value_for("décédé") is None  # inactive: read, never written
    assert company_type.value_for("Customer") is None  # no English label is assumed
    assert upstream(sandbox, "entityInformation") == []

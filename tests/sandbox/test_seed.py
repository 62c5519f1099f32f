"""The seed generator: deterministic, scaled by records, and every record it writes passes the
same checks a write through the API would."""

from __future__ import annotations

import pytest

from connector.sandbox.app import prepare_store
from connector.sandbox.records import fetch_raw
from connector.sandbox.rules import rules_for
from connector.sandbox.seed import planned_counts
from connector.sandbox.settings import SandboxConfig
from connector.sandbox.store import quote
from connector.sandbox.validation import check_fields, check_udfs


@pytest.fixture(scope="module")
def store():
    store = prepare_store(SandboxConfig(records=30, deliver_webhooks=False))
    yield store
    store.close()


def test_records_scale_the_data_set():
    assert planned_counts(500) == {
        "Companies": 500,
        "Contacts": 2000,
        "Opportunities": 500,
        "Tickets": 500,
        "TicketNotes": 1000,
        "CompanyNotes": 500,
        "CompanyToDos": 250,
        "Projects": 50,
        "Tasks": 150,
        "ClientPortalUsers": 100,
    }


def test_seed_counts_override_and_refuse_unknown_entities():
    assert planned_counts(10, {"Contacts": 7})["Contacts"] == 7
    with pytest.raises(ValueError):
        planned_counts(10, {"Resources": 3})


@pytest.mark.parametrize(
    "name",
    [
        "Resources",
        "Companies",
        "Contacts",
        "Opportunities",
        "Tickets",
        "TicketNotes",
        "CompanyNotes",
        "CompanyToDos",
        "Projects",
        "Tasks",
        "ClientPortalUsers",
    ],
)
def test_every_seeded_record_passes_the_write_checks(store, name):
    entity = store.catalog.entity(name)
    rules = rules_for(entity)
    with store.read() as conn:
        ids = [row[0] for row in conn.execute(f"SELECT id FROM {quote(entity.table)}")]  # noqa: S608
        assert ids
        for record_id in ids:
            record = fetch_raw(conn, entity, record_id)
            udfs = record.pop("_udf")
            check_fields(
                conn,
                store.catalog,
                entity,
                record,
                None,
                parent_company_allowed=rules.parent_company_allowed,
            )
            check_udfs(entity, udfs, None)


def test_the_tenant_company_and_about_twenty_resources_exist(store):
    assert store.count(store.catalog.entity("Resources")) == 20
    with store.read() as conn:
        assert conn.execute('SELECT companyName FROM "Companies" WHERE id = 0').fetchone()

"""The shipped data files load, and a bad one fails at start naming its file and field."""

from __future__ import annotations

import shutil

import pytest

from connector.sandbox.catalog import DATA_DIR, CatalogError
from connector.sandbox.catalog_loader import load_catalog


def test_the_shipped_catalog_loads_every_entity_of_the_issue():
    names = {e.name for e in load_catalog().entities.values()}
    assert {
        "Companies",
        "Contacts",
        "Opportunities",
        "Tickets",
        "TicketNotes",
        "CompanyNotes",
        "CompanyToDos",
        "Resources",
        "CompanyWebhooks",
        "ContactWebhooks",
        "TicketWebhooks",
        "TicketNoteWebhooks",
        "WebhookEventErrorLogs",
        "DeletedTicketLogs",
        "Projects",
        "Tasks",
        "ClientPortalUsers",
    } <= names


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            "type: string, length: 100, required: true",
            "type: text, length: 100, required: true",
            "Companies.yaml field 'companyName': type must be one of",
            id="an unknown data type",
        ),
        pytest.param(
            "picklist: companyType",
            "picklist: nope",
            "Companies.companyType: unknown picklist 'nope'",
            id="an unknown picklist",
        ),
        pytest.param(
            "reference: Resources, index: true",
            "reference: Nobody, index: true",
            "Companies.ownerResourceID: unknown reference 'Nobody'",
            id="an unknown reference",
        ),
    ],
)
def test_a_bad_entity_file_names_itself(tmp_path, old, new, message):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "entities" / "Companies.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(CatalogError, match=message):
        load_catalog(data)


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        pytest.param(
            "tenant.yaml",
            'dueTime: "17:00"',
            'dueTime: "5 pm"',
            "tenant.yaml category 1: dueTime must be HH:MM",
            id="a due time that is not HH:MM",
        ),
        pytest.param(
            "entities/TicketNoteWebhooks.yaml",
            "errorLogField: ticketNoteWebhookID",
            "errorLogField: nope",
            "TicketNoteWebhooks: errorLogField 'nope' is not a field of WebhookEventErrorLogs",
            id="a webhook's error-log column that the error log lacks",
        ),
        pytest.param(
            "entities/WebhookEventErrorLogs.yaml",
            "system: {created: createDateTime}\n",
            "",
            "retentionDays needs a system.created field",
            id="a retention with no creation date to age rows by",
        ),
        pytest.param(
            "entities/DeletedTicketLogs.yaml",
            "permissions: {query: serviceDeskAdmin}",
            "permissions: {query: superUser}",
            "DeletedTicketLogs.yaml: permissions maps",
            id="a permission the API users cannot lack",
        ),
    ],
)
def test_a_bad_tenant_or_webhook_setting_names_itself(tmp_path, file, old, new, message):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(CatalogError, match=message):
        load_catalog(data)

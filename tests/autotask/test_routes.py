from __future__ import annotations

import pytest

from connector.autotask.routes import Routes, default_routes
from connector.errors import ConfigurationError


@pytest.mark.parametrize(
    ("entity", "operation", "parent_id", "path"),
    [
        pytest.param("Companies", "create", None, "Companies", id="a company at the root"),
        pytest.param("Companies", "update", None, "Companies", id="a company update at the root"),
        pytest.param(
            "Contacts", "create", 5, "Companies/5/Contacts", id="a contact under its company"
        ),
        pytest.param(
            "contacts", "update", 5, "Companies/5/Contacts", id="an entity named in another case"
        ),
        pytest.param(
            "CompanyNotes", "create", 5, "Companies/5/Notes", id="a company note under Notes"
        ),
        pytest.param(
            "CompanyToDos", "update", 5, "Companies/5/ToDos", id="a company to-do under ToDos"
        ),
        pytest.param("TicketNotes", "create", 9, "Tickets/9/Notes", id="a ticket note"),
        pytest.param("Opportunities", "create", None, "Opportunities", id="at the root"),
        pytest.param(
            "SomethingNew",
            "create",
            None,
            "SomethingNew",
            id="an entity the table does not list writes at the root",
        ),
    ],
)
def test_collection(entity, operation, parent_id, path):
    assert default_routes()[entity].collection(operation, parent_id) == path


@pytest.mark.parametrize(
    ("entity", "parent_id", "path"),
    [
        pytest.param("Contacts", 5, "Companies/5/Contacts/77", id="a contact under its company"),
        pytest.param("CompanyToDos", 5, "Companies/5/ToDos/77", id="a to-do under its company"),
        pytest.param("CompanyWebhooks", None, "CompanyWebhooks/77", id="a webhook at the root"),
        pytest.param(
            "CompanyWebhookFields",
            3,
            "CompanyWebhooks/3/Fields/77",
            id="a webhook field under its webhook",
        ),
    ],
)
def test_delete_paths(entity, parent_id, path):
    assert default_routes()[entity].item("delete", 77, parent_id) == path


@pytest.mark.parametrize(
    ("entity", "operation"),
    [
        pytest.param("Companies", "delete", id="companies cannot be deleted"),
        pytest.param("Opportunities", "delete", id="opportunities cannot be deleted"),
        pytest.param("Tickets", "delete", id="tickets cannot be deleted"),
        pytest.param("Resources", "create", id="resources cannot be created"),
        pytest.param("CompanyNotes", "delete", id="company notes cannot be deleted"),
    ],
)
def test_refused_operations(entity, operation):
    assert not default_routes()[entity].allows(operation)


def test_parent_id_from_the_foreign_key_in_any_case():
    route = default_routes()["Contacts"]
    assert route.parent_id_in({"CompanyID": "12", "firstName": "A"}) == 12
    assert route.parent_id_in({"companyId": 4}) == 4
    assert route.parent_id_in({"firstName": "A"}) is None


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        pytest.param({"X": {"create": "sideways"}}, "X.create", id="an unknown kind"),
        pytest.param({"X": {"create": "child"}}, "needs a parent", id="a child without parent"),
        pytest.param({"X": {"parent": {"entity": "P"}}}, "X.parent", id="an incomplete parent"),
        pytest.param({"X": {"remove": "none"}}, "unknown keys", id="an unknown operation"),
        pytest.param(["X"], "mapping", id="not a mapping"),
    ],
)
def test_bad_tables_fail_naming_the_place(raw, fragment):
    with pytest.raises(ConfigurationError) as caught:
        Routes.from_mapping(raw, "routes.yaml")
    assert fragment in caught.value.message

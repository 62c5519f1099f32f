"""Templates, /common-resources and the instance document, from stored documents."""

from __future__ import annotations

from types import SimpleNamespace

from openapi_spec_validator import validate

from connector.virtual import views
from connector.virtual.inherit import Stored, resolve
from connector.virtual.schemas import DefinitionSchema

DEFINITION = {"fields": [{"path": "name", "type": "string"}, {"path": "due.at", "type": "date"}]}
MAP = {"vendorName": "Tickets", "fields": [{"path": "name", "vendorPath": "title"}]}


def test_templates_are_valid_definitions(registry):
    maps = {n: r.map for n, r in registry.normalized.items()}
    for name, template in views.templates(maps).items():
        loaded = DefinitionSchema().load({"fields": template["fields"]})
        assert loaded["fields"], name


def test_common_resources_join_the_levels():
    org = {"t": Stored("t", DEFINITION, None, MAP, None)}
    own = {
        9: {"t": Stored("t", DEFINITION, {"fields": [{"path": "x", "type": "number"}]}, MAP, None)}
    }
    (found,) = views.common_resources(org, own, [8, 9])
    assert [(f["path"], f["associatedLevel"]) for f in found["fields"]] == [
        ("name", "organization"),
        ("due.at", "organization"),
        ("x", "instance"),
    ]
    assert found["elementInstanceIds"] == [8, 9]


def test_the_instance_document_is_valid_openapi(registry):
    vmap = resolve(Stored("t", DEFINITION, None, MAP, None))
    maps = {n: r.map for n, r in registry.normalized.items()}
    document = views.instance_document(
        SimpleNamespace(id=3, name="Docs"),
        server_url="http://127.0.0.1/elements/api-v2",
        normalized=maps,
        virtual={
            "t": (vmap, registry.base("Tickets")),
            "contacts": (vmap, registry.base("Tickets")),
        },
    )
    validate(document)
    assert document["components"]["schemas"]["t"]["properties"]["due"]["properties"]["at"] == {
        "type": ["string", "null"],
        "format": "date-time",
    }
    assert document["components"]["schemas"]["contacts"]["title"] == "t"  # the virtual one wins

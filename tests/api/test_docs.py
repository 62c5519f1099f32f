"""The API's documents and their explorer, served by the service itself and offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
import yaml

BASE = "/elements/api-v2"
SHIPPED = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text())


def test_the_document_is_served_as_yaml_and_json_pointed_at_this_service(client):
    as_json = client.get(f"{BASE}/openapi.json")
    as_yaml = client.get(f"{BASE}/openapi.yaml")
    assert as_json.status_code == as_yaml.status_code == 200
    assert as_yaml.mimetype == "application/yaml"
    served = as_json.get_json()
    assert yaml.safe_load(as_yaml.get_data(as_text=True)) == served
    assert served["servers"] == [{"url": BASE, "description": "this service"}]
    # /metrics is at the root: its own server is this service's root, not the base path
    assert served["paths"]["/metrics"]["servers"] == [
        {"url": "/", "description": "this service's root"}
    ]
    served_metrics = {k: v for k, v in served["paths"]["/metrics"].items() if k != "servers"}
    shipped_metrics = {k: v for k, v in SHIPPED["paths"]["/metrics"].items() if k != "servers"}
    assert served_metrics == shipped_metrics
    assert {p: v for p, v in served["paths"].items() if p != "/metrics"} == {
        p: v for p, v in SHIPPED["paths"].items() if p != "/metrics"
    }
    assert {k: v for k, v in served.items() if k not in ("servers", "paths")} == {
        k: v for k, v in SHIPPED.items() if k not in ("servers", "paths")
    }


def test_the_explorer_page_loads_only_its_own_assets(client):
    page = client.get(f"{BASE}/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert f"{BASE}/openapi.json" in html
    assert "User &lt;user secret&gt;, Organization &lt;organization secret&gt;, Element" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith(BASE) for s in sources), sources
    for source in sources:
        answer = client.get(source)
        assert answer.status_code == 200, source
    bundle = client.get(f"{BASE}/docs/assets/swagger-ui-bundle.js")
    assert b"SwaggerUIBundle" in bundle.data
    assert client.get(f"{BASE}/docs/assets/../../app.py").status_code == 404


def test_the_instance_explorer_is_a_shell_that_asks_for_the_secrets(client):
    page = client.get(f"{BASE}/instances/42/docs/ui")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"{BASE}/instances/42/docs" in html and 'id="auth"' in html


def test_a_404_names_the_docs_page(client):
    answer = client.get(f"{BASE}/no/such/route")
    assert answer.status_code == 404
    assert f"{BASE}/docs" in answer.get_json()["message"]


def test_the_instance_document_is_complete_and_opens_in_the_explorer(hub):
    from openapi_spec_validator import validate

    platform = {"Authorization": hub.headers["Authorization"].rsplit(", Element", 1)[0]}
    url = f"{hub.url}/instances/{hub.instance['id']}/docs"
    document = requests.get(url, headers=platform, timeout=10).json()
    validate(document)
    paths = document["paths"]
    assert {"/hubs/crm/ping", "/hubs/crm/objects", "/hubs/crm/objects/{name}/metadata"} <= set(
        paths
    )
    listing = paths["/hubs/crm/contacts"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "where",
        "orderBy",
        "fields",
        "pageSize",
        "nextPage",
        "includeTotalCount",
    }
    fields = next(p for p in listing["parameters"] if p["name"] == "fields")
    assert "backticks" in fields["description"]
    headers = listing["responses"]["200"]["headers"]
    assert {"Elements-Next-Page-Token", "Elements-Total-Count", "Elements-Cache"} <= set(headers)
    rows, explained = listing["responses"]["200"]["content"]["application/json"]["schema"]["oneOf"]
    assert rows["items"] == {"$ref": "#/components/schemas/contacts"}
    assert explained == {"$ref": "#/components/schemas/QueryExplanation"}  # explain=true
    assert "Create a contacts record" not in str(document)
    assert "Autotask Contacts" in paths["/hubs/crm/contacts"]["post"]["description"]
    assert "delete" not in paths["/hubs/crm/accounts/{id}"]  # Autotask deletes no company
    assert "Not served: delete" in paths["/hubs/crm/accounts"]["get"]["description"]
    assert "get" in paths["/hubs/crm/accounts/{id}/contacts"]
    page = requests.get(url, params={"format": "html"}, timeout=10)  # no secret needed
    assert page.status_code == 200 and 'id="auth"' in page.text


# -- Swagger 2.0 (issue #18): our converter, on the shipped document and on schema shapes -------
def test_the_shipped_document_converts_to_swagger_2_that_validates():
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.validators import OpenAPIV2SpecValidator

    from connector.api.swagger2 import swagger2

    converted = swagger2(SHIPPED)
    validate(converted, cls=OpenAPIV2SpecValidator)
    assert converted["host"] == "127.0.0.1:8000" and converted["basePath"] == BASE
    assert set(converted["paths"]) == set(SHIPPED["paths"])
    assert set(converted["definitions"]) == set(SHIPPED["components"]["schemas"])
    upload = converted["paths"]["/hubs/{hub}/bulk/{object}"]["post"]
    assert any(p["in"] == "formData" and p["type"] == "file" for p in upload["parameters"])
    create = converted["paths"]["/instances"]["post"]
    [body] = [p for p in create["parameters"] if p["in"] == "body"]
    assert body["schema"] == {"$ref": "#/definitions/InstanceRequest"}


@pytest.mark.parametrize(
    ("openapi3", "swagger"),
    [
        pytest.param(
            {"type": ["string", "null"]},
            {"type": "string", "x-nullable": True},
            id="a nullable type",
        ),
        pytest.param({"const": "2.0"}, {"enum": ["2.0"]}, id="const as a one-value enum"),
        pytest.param(
            {"type": "integer", "exclusiveMinimum": 0},
            {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
            id="a numeric exclusiveMinimum",
        ),
        pytest.param(
            {"oneOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]},
            {"x-nullable": True, "allOf": [{"$ref": "#/definitions/A"}]},
            id="a nullable reference",
        ),
        pytest.param(
            {"type": "object", "required": [], "propertyNames": {"pattern": "^a"}},
            {"type": "object", "x-propertyNames": {"pattern": "^a"}},
            id="empty required dropped, an unknown keyword kept as x-",
        ),
        pytest.param(
            {"type": "array", "examples": [[1]]},
            {"type": "array", "example": [1], "items": {}},
            id="examples as example, items given",
        ),
    ],
)
def test_schemas_become_swagger_2_schemas(openapi3, swagger):
    from connector.api.swagger2 import schema

    assert schema(openapi3) == swagger


def test_the_token_document_refuses_the_explorer_page(hub):
    url = f"{hub.url}/instances/docs"
    answer = requests.get(url, headers=hub.headers, params={"format": "html"}, timeout=10)
    assert answer.status_code == 400 and "/instances/{id}/docs?format=html" in answer.text

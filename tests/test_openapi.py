"""openapi.yaml is a valid OpenAPI 3.1 document and describes exactly the routes the app serves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from connector.api import BASE_PATH

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi.yaml"
_CONVERTER = re.compile(r"<(?:[^:<>]+:)?(\w+)>")
_PARAM = re.compile(r"\{[^}]+\}")
_IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture(scope="module")
def spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text())


def _shape(path: str) -> str:
    """A path with every parameter name replaced, so `{id}` and `<int:id>` compare equal."""
    return _PARAM.sub("{}", path)


def _app_operations(app) -> set[tuple[str, str]]:
    """(method, path shape); a path outside the base path (`/metrics`) keeps a `root:` mark."""
    operations = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        if rule.rule.startswith(BASE_PATH):
            path = rule.rule[len(BASE_PATH) :]
        else:
            path = "root:" + rule.rule
        path = _CONVERTER.sub(r"{\1}", path)
        for method in rule.methods - _IGNORED_METHODS:
            operations.add((method, _shape(path)))
    return operations


def _is_root_path(spec: dict, item: dict) -> bool:
    """A path item whose own servers are the service's root, not the base path."""
    base_servers = {server["url"] for server in spec["servers"]}
    own = {server["url"] for server in item.get("servers", [])}
    return bool(own) and all(f"{url}{BASE_PATH}" in base_servers for url in own)


def _spec_operations(spec: dict) -> set[tuple[str, str]]:
    operations = set()
    for path, item in spec["paths"].items():
        mark = "root:" if _is_root_path(spec, item) else ""
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                operations.add((method.upper(), _shape(mark + path)))
    return operations


def test_spec_is_valid_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_documented_operation_is_served(spec, app):
    missing = _spec_operations(spec) - _app_operations(app)
    assert not missing, f"documented but not served: {sorted(missing)}"


def test_every_served_operation_is_documented(spec, app):
    undocumented = _app_operations(app) - _spec_operations(spec)
    assert not undocumented, f"served but not in openapi.yaml: {sorted(undocumented)}"


def test_normalized_schemas_are_the_maps_schemas(spec, app):
    from connector.mapping import load_maps
    from connector.mapping.openapi_schemas import record_schema, resource_schemas

    maps = load_maps(app.config["SETTINGS"].transformations_dir)
    schemas = spec["components"]["schemas"]
    hint = "run `python -m connector.mapping.openapi_schemas` after changing a map"
    for name, schema in resource_schemas(maps).items():
        assert schemas.get(name) == schema, f"{name} differs from its map: {hint}"
    assert schemas["Record"] == record_schema(maps), hint


def test_the_app_serves_what_the_spec_describes_for_a_record(spec):
    contact = spec["components"]["schemas"]["Contact"]
    assert {
        "id",
        "firstName",
        "lastName",
        "accountId",
        "emails",
        "phones",
        "customFields",
        "links",
    } <= set(contact["properties"])


# -- the answers any request can get, whatever the operation (the schemathesis run relies on
# them being documented: tests/test_openapi_conformance.py) ------------------------------------
_PUBLIC_WITHOUT_REDIS = {
    "/openapi.yaml",
    "/openapi.json",
    "/docs",
    "/docs/assets/{name}",
    "/instances/{id}/docs/ui",
    "/metrics",  # answers through a Redis outage (a queue depth it cannot read is left out)
}


def required_statuses(spec: dict, path: str, method: str, operation: dict) -> list[str]:
    """503 wherever Redis is used; 400, 413 and 415 with a JSON body (400 and 413 with a
    multipart one); 400 with query parameters; 404 with path parameters."""
    parameters = [*spec["paths"][path].get("parameters", []), *operation.get("parameters", [])]
    places = {_resolved(spec, p).get("in") for p in parameters}
    body = _resolved(spec, operation.get("requestBody") or {}).get("content", {})
    needed = []
    if body or "query" in places:
        needed.append("400")
    if "path" in places:
        needed.append("404")
    if body:
        needed.append("413")
    if "application/json" in body:
        needed.append("415")
    if path not in _PUBLIC_WITHOUT_REDIS:
        needed.append("503")
    return needed


def _resolved(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        target: object = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]  # type: ignore[index]
        node = target  # type: ignore[assignment]
    return node


def test_every_operation_documents_the_answers_any_request_can_get(spec):
    missing = [
        f"{method.upper()} {path}: {code}"
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
        for code in required_statuses(spec, path, method, operation)
        if code not in {str(c) for c in operation.get("responses", {})}
    ]
    assert not missing, (
        "document these statuses (#/components/responses: BadRequest 400, NotFound 404, "
        f"TooLarge 413, UnsupportedMediaType 415, StorageUnavailable 503): {missing}"
    )

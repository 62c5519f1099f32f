"""Records and instances as served validate against the schemas openapi.yaml publishes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openapi_schema_validator import OAS31Validator

from connector.mapping.openapi_schemas import schema_name

SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text())


def _validator(name: str) -> OAS31Validator:
    schema = {**SPEC["components"]["schemas"][name], "components": SPEC["components"]}
    return OAS31Validator(schema)


@pytest.mark.parametrize(
    "resource",
    ["accounts", "contacts", "opportunities", "leads", "tasks", "notes", "users", "incidents"],
)
def test_listed_records_match_their_published_schema(hub, resource):
    records = hub.ok("GET", resource, params={"pageSize": 5})
    assert records
    validator = _validator(schema_name(resource))
    for record in records:
        errors = [e.message for e in validator.iter_errors(record)]
        assert not errors, f"{resource} {record.get('id')}: {errors}"


def test_the_instance_object_matches_its_schema(hub):
    errors = [e.message for e in _validator("Instance").iter_errors(hub.instance)]
    assert not errors

"""The map options the Cloud Elements model uses: `lenient`, `readAs: value`, `passThrough`."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.errors import MappingError, ValidationError
from connector.mapping import build_map, load_maps

ROOT = Path(__file__).resolve().parents[3]
OPERATIONS = {op: True for op in ("list", "get", "create", "update", "delete")}


def things(*extra: dict, **top):
    raw = {
        "entity": "Opportunities",
        "description": "d",
        "operations": OPERATIONS,
        "fields": [
            {"path": "id", "type": "integer", "vendor": "id", "direction": "read"},
            {"path": "title", "type": "string", "vendor": "title"},
            *extra,
        ],
        **top,
    }
    return build_map("things", raw, "transformations/things.yaml")


@pytest.mark.parametrize(
    ("kind", "given", "written"),
    [
        pytest.param("number", "1234.56", 1234.56, id="a number as text"),
        pytest.param("integer", "50", 50, id="an integer as text"),
        pytest.param("boolean", 1, True, id="a boolean as 1"),
        pytest.param("boolean", "false", False, id="a boolean as text"),
        pytest.param("datetime", "8/9/2020", "2020-08-09T00:00:00Z", id="a US date"),
        pytest.param("datetime", "8/8/16", "2016-08-08T00:00:00Z", id="a US date, two digits"),
        pytest.param("string", 12345, "12345", id="text as a number"),
    ],
)
def test_a_lenient_field_takes_cloud_elements_inputs(ctx, kind, given, written):
    lenient = things({"path": "v", "type": kind, "vendor": "amount", "lenient": True})
    assert lenient.to_vendor({"v": given}, ctx, partial=True) == {"amount": written}
    strict = things({"path": "v", "type": kind, "vendor": "amount"})
    with pytest.raises(ValidationError, match="field 'v'"):
        strict.to_vendor({"v": given}, ctx, partial=True)


def test_a_lenient_date_filters_on_a_us_date(ctx):
    lenient = things({"path": "v", "type": "datetime", "vendor": "closedDate", "lenient": True})
    item = lenient.translate("v", "gt", "8/9/2020", ctx)
    assert item == {"op": "gt", "field": "closedDate", "value": "2020-08-09T00:00:00Z"}


def test_lenient_must_be_a_boolean():
    with pytest.raises(MappingError, match="lenient"):
        things({"path": "v", "type": "number", "vendor": "amount", "lenient": "yes"})


def test_read_as_value_reads_the_picklist_value_and_takes_either(ctx):
    field = {"path": "status", "type": "picklist", "vendor": "status", "readAs": "value"}
    resource = things(field)
    assert resource.to_normalized({"id": 1, "status": 2}, ctx)["status"] == 2
    by_label = things({"path": "status", "type": "picklist", "vendor": "status"})
    assert isinstance(by_label.to_normalized({"id": 1, "status": 2}, ctx)["status"], str)
    assert resource.to_vendor({"status": "2"}, ctx, partial=True) == {"status": 2}
    with pytest.raises(MappingError, match="readAs"):
        things({**field, "readAs": "number"})


def test_pass_through_sends_unmapped_keys_as_they_are(ctx):
    open_map = things(passThrough=True)
    assert open_map.to_vendor({"title": "x", "nextStep": "call"}, ctx, partial=True) == {
        "title": "x",
        "nextStep": "call",
    }
    with pytest.raises(ValidationError, match="nextStep"):
        things().to_vendor({"title": "x", "nextStep": "call"}, ctx, partial=True)
    with pytest.raises(ValidationError):  # a mapped vendor name is not a second way in
        open_map.to_vendor({"title": "x", "id": 4}, ctx, partial=True)


def test_the_cloud_elements_model_loads_beside_the_normalized_one():
    model = load_maps(ROOT / "transformations" / "cloud-elements")
    assert {"accounts", "contacts", "opportunities", "tasks", "users", "customers"} <= set(model)
    assert model["tasks"].entity == "Tasks" and model["users"].entity == "ClientPortalUsers"
    assert (
        model["accounts"].pass_through
        and not load_maps(ROOT / "transformations")["accounts"].pass_through
    )

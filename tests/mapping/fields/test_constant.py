from __future__ import annotations

import pytest

from connector.errors import ValidationError
from connector.mapping import build_map

OPERATIONS = {op: True for op in ("list", "get", "create", "update", "delete")}


def things(*extra: dict):
    raw = {
        "entity": "Opportunities",
        "description": "d",
        "operations": OPERATIONS,
        "fields": [
            {"path": "id", "type": "integer", "vendor": "id", "direction": "read"},
            {"path": "name", "type": "string", "vendor": "title"},
            *extra,
        ],
    }
    return build_map("things", raw, "transformations/things.yaml")


def test_a_vendor_constant_is_written_on_create_only(ctx):
    resource = things({"vendor": "useQuoteTotals", "type": "constant", "value": False})
    assert resource.to_vendor({"name": "x"}, ctx, partial=False) == {
        "title": "x",
        "useQuoteTotals": False,
    }
    assert resource.to_vendor({"name": "x"}, ctx, partial=True) == {"title": "x"}
    assert "useQuoteTotals" not in resource.to_normalized({"id": 1, "useQuoteTotals": True}, ctx)


def test_a_constant_written_always_goes_with_updates_too(ctx):
    resource = things({"vendor": "probability", "type": "constant", "value": 50, "when": "always"})
    assert resource.to_vendor({}, ctx, partial=True) == {"probability": 50}


def test_a_normalized_constant_is_shown_and_cannot_be_sent(ctx):
    resource = things({"path": "kind", "type": "constant", "value": "deal", "direction": "read"})
    assert resource.to_normalized({"id": 1}, ctx)["kind"] == "deal"
    assert resource.json_schema()["properties"]["kind"] == {
        "type": "string",
        "const": "deal",
        "readOnly": True,
    }
    with pytest.raises(ValidationError) as caught:
        resource.to_vendor({"kind": "other"}, ctx, partial=True)
    assert caught.value.fields == {"kind": "read-only field"}

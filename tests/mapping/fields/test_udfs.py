from __future__ import annotations


def test_custom_field_values_go_as_text(maps, ctx):
    body = {"customFields": {"CustomerRanking": True, "support TIER": 2}}
    assert maps["accounts"].to_vendor(body, ctx, partial=True) == {
        "userDefinedFields": [
            {"name": "CustomerRanking", "value": "true"},
            {"name": "Support Tier", "value": "2"},
        ]
    }


def test_a_custom_field_can_be_cleared(maps, ctx):
    body = {"customFields": {"Support Tier": None}}
    assert maps["accounts"].to_vendor(body, ctx, partial=True) == {
        "userDefinedFields": [{"name": "Support Tier", "value": None}]
    }


def test_an_entity_without_udfs_reads_an_empty_object(maps, ctx, records):
    assert maps["tasks"].to_normalized(records["tasks"], ctx)["customFields"] == {}

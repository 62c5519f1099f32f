from __future__ import annotations

import pytest

from connector.errors import ValidationError
from tests.mapping.conftest import LiteralContext


@pytest.fixture
def bare_ctx() -> LiteralContext:
    """A tenant whose metadata gives countryID no picklist."""
    return LiteralContext(picklists={}, udfs={}, options={"defaultOwnerId": 4})


def test_without_a_country_picklist_the_id_is_read_and_written(maps, bare_ctx, records):
    accounts = maps["accounts"]
    record = accounts.to_normalized(records["accounts"], bare_ctx)
    assert record["addresses"][0]["country"] == "237"
    body = {"addresses": [{"country": "39"}, {"type": "billing", "country": 83}]}
    vendor = accounts.to_vendor(body, bare_ctx, partial=True)
    assert (vendor["countryID"], vendor["billToCountryID"]) == (39, 83)
    assert accounts.translate("addresses.country", "eq", "39", bare_ctx) == {
        "op": "or",
        "items": [
            {"op": "eq", "field": "countryID", "value": 39},
            {"op": "eq", "field": "billToCountryID", "value": 39},
        ],
    }


def test_a_country_name_needs_a_picklist(maps, bare_ctx):
    with pytest.raises(
        ValidationError,
        match=r"country': unknown value 'Canada'; valid values: "
        r"\(none\)",
    ):
        maps["accounts"].to_vendor({"addresses": [{"country": "Canada"}]}, bare_ctx, partial=True)


def test_an_empty_address_slot_is_left_out(maps, ctx, records):
    vendor = {
        **records["accounts"],
        **{
            f: None
            for f in (
                "billingAddress1",
                "billingAddress2",
                "billToCity",
                "billToState",
                "billToZipCode",
                "billToCountryID",
            )
        },
    }
    addresses = maps["accounts"].to_normalized(vendor, ctx)["addresses"]
    assert [address["type"] for address in addresses] == ["primary"]

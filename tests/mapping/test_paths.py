from __future__ import annotations

import pytest

from connector.mapping import paths

ORDER = {
    "id": 9,
    "address": {"city": "Denver", "zip": None},
    "Products": [{"id": 2, "name": "Towel", "sku": "T-1"}, {"id": 4, "name": "Fish", "sku": "F-1"}],
    "emails": [{"address": "a@x.io"}, {"address": "b@x.io"}],
    "customFields": {"Tier.Level": "Gold", "Support Tier": "Silver"},
    "contact": {"phones": [{"number": "1"}, {"number": "2"}], "fax": None},
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param("id", 9, id="a top-level key"),
        pytest.param("address.city", "Denver", id="dots walk into objects"),
        pytest.param("address.zip", None, id="a null value is returned as None"),
        pytest.param("Products[0].id", 2, id="an index selects an item"),
        pytest.param("Products[-1].name", "Fish", id="a negative index counts from the end"),
        pytest.param("Products[?(@.id==2)].name", "Towel", id="a JSONPath filter on a number"),
        pytest.param(
            "Products[?(@.sku=='F-1')].name", "Fish", id="a JSONPath filter on quoted text"
        ),
        pytest.param("Products[id=4].name", "Fish", id="the short filter form"),
        pytest.param("Products[*].id", [2, 4], id="a wildcard gives every item's value"),
        pytest.param("emails.address", ["a@x.io", "b@x.io"], id="a key on a list maps over it"),
        pytest.param("customFields.`Tier.Level`", "Gold", id="backticks keep dots in a name"),
        pytest.param("customFields.Support Tier", "Silver", id="a name may hold spaces"),
        pytest.param(
            "contact.phones.number", ["1", "2"], id="a list met below objects is mapped over"
        ),
        pytest.param("contact.phones[1].number", "2", id="an index below objects"),
    ],
)
def test_get(path, expected):
    assert paths.get(ORDER, path) == expected


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("nothing", id="a missing key"),
        pytest.param("address.city.name", id="a key below a text value"),
        pytest.param("Products[5].id", id="an index past the end"),
        pytest.param("Products[id=7].name", id="a filter that matches nothing"),
        pytest.param("address[0]", id="an index on an object"),
        pytest.param("contact.fax.number", id="a key below a null value"),
        pytest.param("id.value", id="a key below a number"),
    ],
)
def test_get_gives_the_default_when_nothing_is_there(path):
    assert paths.get(ORDER, path, "fallback") == "fallback"
    assert not paths.exists(ORDER, path)


def test_exists_tells_a_null_value_from_a_missing_key():
    assert paths.exists(ORDER, "address.zip")
    assert not paths.exists(ORDER, "address.street")


@pytest.mark.parametrize(
    ("start", "path", "value", "expected"),
    [
        pytest.param({}, "a.b.c", 1, {"a": {"b": {"c": 1}}}, id="objects are created on the way"),
        pytest.param({"a": {"x": 0}}, "a.b", 1, {"a": {"x": 0, "b": 1}}, id="siblings are kept"),
        pytest.param(
            {},
            "Products[2].id",
            5,
            {"Products": [None, None, {"id": 5}]},
            id="an index past the end pads the list",
        ),
        pytest.param(
            {"Products": [{"id": 4, "name": "old"}]},
            "Products[id=4].name",
            "new",
            {"Products": [{"id": 4, "name": "new"}]},
            id="a filter writes into its match",
        ),
        pytest.param(
            {"Products": []},
            "Products[?(@.id==4)].name",
            "Fish",
            {"Products": [{"id": 4, "name": "Fish"}]},
            id="a filter without a match appends an item holding the filter field",
        ),
        pytest.param({"a": 1}, "a.b", 2, {"a": {"b": 2}}, id="a scalar on the way is replaced"),
    ],
)
def test_set_in(start, path, value, expected):
    paths.set_in(start, path, value)
    assert start == expected


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("Products[*].id", id="a wildcard cannot be written"),
        pytest.param("emails.address", id="a key cannot be written into a list"),
    ],
)
def test_set_in_refuses_what_a_path_cannot_express(path):
    with pytest.raises(paths.PathError):
        paths.set_in({"Products": [{"id": 1}], "emails": [{"address": "a"}]}, path, 1)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("", id="an empty path"),
        pytest.param("a..b", id="an empty name between dots"),
        pytest.param("a.", id="a trailing dot"),
        pytest.param("Products[0", id="an unclosed bracket"),
        pytest.param("Products[x y]", id="a selector that is neither index nor filter"),
        pytest.param("[0].id", id="a selector with nothing to select from"),
        pytest.param("a.`b", id="an unclosed backtick"),
    ],
)
def test_parse_errors_name_the_path(path):
    with pytest.raises(paths.PathError, match="path"):
        paths.parse(path)

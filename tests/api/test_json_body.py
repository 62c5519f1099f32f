"""The depth check and the bounded error messages, as plain functions."""

from __future__ import annotations

import pytest
from flask import Flask

from connector.api.json_body import (
    MAX_JSON_DEPTH,
    BodyTooDeepError,
    BoundedJSONProvider,
    depth_over,
)
from connector.errors import clipped, listed


@pytest.mark.parametrize(
    ("value", "limit", "over"),
    [
        pytest.param({"a": [1, {"b": 2}]}, 3, False, id="three levels within three"),
        pytest.param({"a": [1, {"b": []}]}, 3, True, id="an empty list is a fourth level"),
        pytest.param([[[[]]]], 4, False, id="nested lists at the limit"),
        pytest.param({"a": "{[[[[["}, 1, False, id="brackets inside strings do not count"),
    ],
)
def test_depth_over(value, limit, over):
    assert depth_over(value, limit) is over


def test_the_provider_turns_the_parsers_recursion_into_a_400():
    provider = BoundedJSONProvider(Flask(__name__))
    with pytest.raises(BodyTooDeepError) as refused:
        provider.loads("[" * 100_000 + "]" * 100_000)
    assert refused.value.status == 400 and str(MAX_JSON_DEPTH) in refused.value.message
    assert provider.loads('{"a": [1, 2]}') == {"a": [1, 2]}


def test_listed_names_the_first_twenty_and_counts_the_rest():
    assert listed(["a", "b"]) == "a, b"
    assert listed([str(i) for i in range(25)], limit=3) == "0, 1, 2 and 22 more"


def test_clipped_cuts_and_says_how_much():
    assert clipped("abc", 5) == "abc"
    assert clipped("x" * 12_345, 10) == "x" * 10 + "... (12,335 more characters)"

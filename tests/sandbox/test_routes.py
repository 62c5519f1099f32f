"""Id segments of entity URLs: ASCII digits within Int64, as Web API binds a long; anything
else is no route (reference section 8: 404 with ASP.NET's Message), never a crash."""

from __future__ import annotations

import pytest

BEYOND_INT64 = "9223372036854775808"


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("Companies/%C2%B2", id="a superscript two is not an id"),
        pytest.param("Companies/%EF%BC%91", id="a full-width one is not the id 1"),
        pytest.param(f"Companies/{BEYOND_INT64}", id="an id just beyond Int64"),
        pytest.param("Companies/99999999999999999999999", id="an id far beyond Int64"),
        pytest.param("Companies/0/Contacts/%EF%BC%91", id="a child id in full-width digits"),
        pytest.param(f"Companies/0/Contacts/{BEYOND_INT64}", id="a child id beyond Int64"),
        pytest.param(f"Companies/{BEYOND_INT64}/Contacts", id="a parent id beyond Int64"),
    ],
)
def test_an_id_segment_that_is_not_an_int64_is_no_route(sandbox, path):
    answer = sandbox.call("GET", path)
    assert answer.status_code == 404, answer.text
    assert answer.json()["Message"].startswith("No HTTP resource was found")


def test_a_delete_of_an_id_beyond_int64_is_no_route(sandbox):
    answer = sandbox.call("DELETE", f"CompanyWebhooks/{BEYOND_INT64}")
    assert answer.status_code == 404
    assert answer.json()["Message"].startswith("No HTTP resource was found")


def test_the_largest_int64_id_is_still_an_id(sandbox):
    answer = sandbox.call("GET", "Companies/9223372036854775807")
    assert (answer.status_code, answer.json()) == (200, {"item": None})

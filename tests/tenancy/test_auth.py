from __future__ import annotations

import pytest

from connector.errors import AuthenticationError
from connector.tenancy.auth import Authorization, parse_authorization


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param("User u1, Organization o1", Authorization("u1", "o1"), id="platform form"),
        pytest.param(
            "User u1, Organization o1, Element t/+=",
            Authorization("u1", "o1", "t/+="),
            id="hub form keeps base64 characters",
        ),
        pytest.param(
            "user u1 ,  ELEMENT t1",
            Authorization("u1", None, "t1"),
            id="older User+Element form, any case and spacing",
        ),
        pytest.param("Element t1, User u1", Authorization("u1", None, "t1"), id="any order"),
    ],
)
def test_parses_cloud_elements_authorization(header, expected):
    assert parse_authorization(header) == expected


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        pytest.param(None, "Missing Authorization", id="no header"),
        pytest.param("  ", "Missing Authorization", id="blank header"),
        pytest.param("Bearer abc", "Malformed", id="another scheme"),
        pytest.param("User", "Malformed", id="a word without its secret"),
        pytest.param("User a, User b", "twice", id="a word repeated"),
    ],
)
def test_refuses_malformed_headers_with_401(header, fragment):
    with pytest.raises(AuthenticationError) as caught:
        parse_authorization(header)
    assert caught.value.status == 401
    assert fragment in caught.value.message


def test_repr_hides_secrets():
    assert "s3cret" not in repr(parse_authorization("User s3cret, Organization s3cret"))

"""The callout body's .NET-style JSON and its signature (pure functions)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from connector.sandbox.webhooks.callouts import body_bytes, dotnet_json, signature


@pytest.mark.parametrize(
    ("text", "written"),
    [
        pytest.param("a&b", '"a\\u0026b"', id="ampersand"),
        pytest.param("<>", '"\\u003C\\u003E"', id="angle brackets, upper-case hex"),
        pytest.param("it's", '"it\\u0027s"', id="apostrophe"),
        pytest.param('say "hi"', '"say \\u0022hi\\u0022"', id="an inner double quote"),
        pytest.param("a+b`c", '"a\\u002Bb\\u0060c"', id="plus and backtick"),
        pytest.param("Zoë", '"Zo\\u00EB"', id="non-ASCII"),
        pytest.param("😀", '"\\uD83D\\uDE00"', id="astral characters as surrogate pairs"),
        pytest.param("a\\b\nc", '"a\\\\b\\nc"', id="backslash and newline as usual"),
    ],
)
def test_strings_are_escaped_like_autotask(text, written):
    assert dotnet_json(text) == written
    assert json.loads(written) == text


def test_objects_have_no_spaces_and_keep_key_order():
    assert dotnet_json({"B": 1, "A": [None, True, 2.5]}) == '{"B":1,"A":[null,true,2.5]}'


def test_the_signature_is_sha1_hmac_over_the_exact_bytes_in_base64():
    body = body_bytes({"Action": "Update", "Fields": {"Name": "A&B"}})
    expected = base64.b64encode(hmac.new(b"key", body, hashlib.sha1).digest()).decode()
    assert signature("key", body) == f"sha1={expected}"

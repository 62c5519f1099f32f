from __future__ import annotations

import base64
import json

import pytest
from cryptography.fernet import Fernet

from connector.errors import BadRequestError
from connector.hub.tokens import PagePosition, PageTokens, query_digest


@pytest.fixture
def tokens() -> PageTokens:
    return PageTokens(Fernet.generate_key().decode())


def test_round_trip_keeps_the_position(tokens):
    position = PagePosition(instance=7, query=query_digest("contacts", "x"), after_id=1234)
    assert tokens.decode(tokens.encode(position), instance=7, query=position.query) == position


def _tamper(token: str) -> str:
    body, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data["after_id"] = 1
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{forged}.{signature}"


@pytest.mark.parametrize(
    ("mutate", "instance", "query", "fragment"),
    [
        pytest.param(_tamper, 7, "q", "altered", id="a changed cursor breaks the signature"),
        pytest.param(lambda t: "garbage", 7, "q", "altered", id="garbage is refused"),
        pytest.param(lambda t: t, 8, "q", "another instance", id="another instance's token"),
        pytest.param(lambda t: t, 7, "other", "another query", id="another query's token"),
    ],
)
def test_refuses_foreign_or_altered_tokens(tokens, mutate, instance, query, fragment):
    token = tokens.encode(PagePosition(instance=7, query="q", after_id=500))
    with pytest.raises(BadRequestError) as caught:
        tokens.decode(mutate(token), instance=instance, query=query)
    assert fragment in caught.value.message


def test_a_token_signed_with_another_key_is_refused(tokens):
    other = PageTokens(Fernet.generate_key().decode())
    token = other.encode(PagePosition(instance=7, query="q", after_id=5))
    with pytest.raises(BadRequestError):
        tokens.decode(token, instance=7, query="q")


def test_a_token_with_non_ascii_characters_is_a_400_not_a_crash(tokens):
    with pytest.raises(BadRequestError):
        tokens.decode("abc.é", instance=7, query="q")


def test_tokens_survive_a_key_rotation():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = PageTokens(old).encode(PagePosition(instance=7, query="q", after_id=9))
    rotated = PageTokens(f"{new},{old}")
    assert rotated.decode(token, instance=7, query="q").after_id == 9

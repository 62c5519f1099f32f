"""Settings refuse what an operator could get dangerously wrong, naming the variable only."""

from __future__ import annotations

import pytest

from connector.config import MIN_SECRET_LENGTH, Settings


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        pytest.param("CONNECTOR_ORG_SECRET", "x", id="a one-character organization secret"),
        pytest.param("CONNECTOR_USER_SECRET", "fifteen-chars-x", id="a user secret one short"),
        pytest.param("METRICS_TOKEN", "   padded    ", id="a token that is mostly blanks"),
    ],
)
def test_an_operator_secret_shorter_than_the_minimum_is_refused(variable, value):
    with pytest.raises(ValueError) as refused:
        Settings.from_env({variable: value})
    message = str(refused.value)
    assert variable in message and str(MIN_SECRET_LENGTH) in message
    assert value.strip() not in message  # the value itself is never echoed


def test_secrets_of_the_minimum_length_and_the_body_limit_are_read():
    settings = Settings.from_env(
        {
            "CONNECTOR_ORG_SECRET": "o" * MIN_SECRET_LENGTH,
            "CONNECTOR_USER_SECRET": "u" * MIN_SECRET_LENGTH,
            "MAX_CONTENT_LENGTH": "65536",
        }
    )
    assert settings.org_secret == "o" * MIN_SECRET_LENGTH
    assert settings.max_content_length == 65536
    assert Settings().max_content_length == 2 * 1024 * 1024  # the README's default


@pytest.mark.parametrize(
    "value, accepted",
    [
        pytest.param("0", False, id="no instance at all is refused"),
        pytest.param("1", True, id="the range's low end is read"),
        pytest.param("10000", True, id="the range's high end is read"),
        pytest.param("10001", False, id="past the range is refused"),
    ],
)
def test_the_instance_cap_is_read_within_its_range(value, accepted):
    environ = {"CONNECTOR_MAX_INSTANCES": value}
    if accepted:
        assert Settings.from_env(environ).max_instances == int(value)
    else:
        with pytest.raises(ValueError, match="CONNECTOR_MAX_INSTANCES must be between 1 and"):
            Settings.from_env(environ)
    assert Settings.from_env({}).max_instances == 100

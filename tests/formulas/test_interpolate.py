"""`${...}` references: whole values keep their type, embedded ones become text."""

from __future__ import annotations

import pytest

from connector.formulas.interpolate import InterpolationError, parse_path, references, render

VARS = {"trigger": {"objectId": 7, "record": {"emails": [{"address": "a@b"}]}}, "steps": {}}


def test_a_whole_reference_keeps_its_type_and_an_embedded_one_is_text():
    assert render("${trigger.objectId}", VARS) == 7
    assert render("/incidents/${trigger.objectId}", VARS) == "/incidents/7"
    assert render({"to": ["${trigger.record.emails[0].address}"]}, VARS) == {"to": ["a@b"]}
    assert render("ids=${trigger.record.emails}", VARS) == 'ids=[{"address":"a@b"}]'


def test_a_missing_value_names_the_first_missing_part():
    with pytest.raises(InterpolationError, match=r"trigger\.record\.phone has no value"):
        render("${trigger.record.phone.number}", VARS)
    with pytest.raises(InterpolationError, match="steps.lookup has no value"):
        render("${steps.lookup.value}", VARS)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("env.HOME", id="an unknown root"),
        pytest.param("steps..x", id="an empty segment"),
        pytest.param("steps.a['x']", id="a quoted index"),
    ],
)
def test_a_reference_that_is_not_a_path_is_refused(text):
    with pytest.raises(InterpolationError):
        parse_path(text)


def test_references_are_found_anywhere_in_a_value():
    found = list(references({"a": ["x ${steps.one.id} ${config.url}"], "b": 3}))
    assert found == [["steps", "one", "id"], ["config", "url"]]

"""A template is validated in full at save: every problem named by step and field."""

from __future__ import annotations

import pytest

from connector.formulas.template import TemplateError, build_template
from tests.formulas.templates import minimal, with_step


def problems_of(body) -> str:
    with pytest.raises(TemplateError) as caught:
        build_template(body)
    return "; ".join(caught.value.problems)


def test_a_good_template_builds_with_its_steps_in_order():
    template = build_template(minimal())
    assert [s.name for s in template.steps] == ["double", "big", "route", "normal", "huge"]
    assert template.trigger(kind="manual").start == "double"
    assert template.following("double", succeeded=True) == "big"
    assert template.following("normal", succeeded=True) is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            with_step(1, type="loop"),
            "steps[1] 'big' type: unknown step type 'loop'",
            id="an unknown step type",
        ),
        pytest.param(
            with_step(1, colour="red"),
            "steps[1] 'big' colour: Unknown field",
            id="an unknown key in a step",
        ),
        pytest.param(minimal(owner="me"), "owner: Unknown field", id="an unknown top-level key"),
        pytest.param(
            with_step(1, properties={"condition": "steps.double.n >"}),
            "steps[1] 'big' properties.condition: expression does not parse",
            id="an expression that does not parse",
        ),
        pytest.param(
            with_step(1, properties={}),
            "steps[1] 'big' properties.condition: Missing data",
            id="a missing property",
        ),
        pytest.param(
            with_step(1, properties={"condition": "true", "when": 1}),
            "steps[1] 'big' properties.when: Unknown field",
            id="an unknown property",
        ),
        pytest.param(
            with_step(1, properties={"condition": "steps.nope.n > 1"}),
            "steps[1] 'big' properties.condition: step 'nope' does not exist",
            id="a reference to a step that does not exist",
        ),
        pytest.param(
            with_step(1, properties={"condition": "steps.route.case == 1"}),
            "steps[1] 'big' properties.condition: step 'route' does not run before",
            id="a reference to a later step",
        ),
        pytest.param(
            with_step(0, properties={"values": {"n": "config.missing"}}),
            "configuration 'missing' is not declared",
            id="undeclared configuration",
        ),
        pytest.param(
            with_step(3, onSuccess=["double"]),
            "steps[3] 'normal' onSuccess: step 'double' is not after this one",
            id="a jump backwards",
        ),
        pytest.param(
            with_step(2, properties={"cases": [{"condition": "true", "next": "gone"}]}),
            "steps[2] 'route' properties.cases[0].next: step 'gone' does not exist",
            id="a switch branch to a missing step",
        ),
        pytest.param(
            with_step(1, name="double"),
            "steps[1] 'double' name: another step",
            id="two steps with one name",
        ),
        pytest.param(
            minimal(triggers=[{"type": "schedule", "properties": {"cron": "often"}}]),
            "triggers[0] properties.cron",
            id="a cron that does not parse",
        ),
        pytest.param(
            minimal(
                triggers=[{"type": "event", "properties": {"elementInstance": "${config.url}"}}]
            ),
            "'url' is not a configuration entry of type elementInstance",
            id="an event trigger on a value entry",
        ),
        pytest.param(minimal(steps=[]), "steps: Length must be between 1 and 50", id="no steps"),
        pytest.param(
            with_step(3, type="retry", properties={"maxAttempts": 2, "delaySeconds": "soon"}),
            "steps[3] 'normal' properties.delaySeconds: a whole number of seconds",
            id="a retry delay that is neither seconds nor a reference",
        ),
        pytest.param(
            with_step(3, type="retry", properties={"maxAttempts": 2, "delaySeconds": 3601}),
            "steps[3] 'normal' properties.delaySeconds",
            id="a retry delay over an hour",
        ),
        pytest.param(
            with_step(
                3, type="retry", properties={"maxAttempts": 2, "delaySeconds": "${config.x}"}
            ),
            "configuration 'x' is not declared",
            id="a retry delay from undeclared configuration",
        ),
    ],
)
def test_an_invalid_template_is_refused_naming_the_step_and_field(body, expected):
    assert expected in problems_of(body)


def test_every_problem_is_listed_at_once():
    body = with_step(1, properties={"condition": "steps.nope > 1"})
    body["steps"][4]["properties"] = {"values": {"kind": "config.other"}}
    found = problems_of(body)
    assert "step 'nope' does not exist" in found
    assert "configuration 'other' is not declared" in found


def test_an_element_request_must_name_an_element_instance_entry():
    step = {
        "name": "call",
        "type": "elementRequest",
        "properties": {"elementInstance": "${config.url}", "path": "/contacts"},
    }
    body = minimal(steps=[step])
    assert "'url' is not a configuration entry of type elementInstance" in problems_of(body)
    step["properties"]["path"] = "/contacts/../instances?x=1"
    assert "properties.path" in problems_of(body)

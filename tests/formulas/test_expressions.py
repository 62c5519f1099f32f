"""CEL expressions: compile checks, names read, limits, values back as JSON."""

from __future__ import annotations

import pytest

from connector.formulas import limits
from connector.formulas.expressions import ExpressionError, compile_expression

VARS = {"trigger": {"record": {"status": "New", "tags": ["a", "b"]}}, "steps": {}, "config": {}}


def test_an_expression_reads_the_variables_and_answers_plain_python():
    expr = compile_expression("trigger.record.status in ['New', 'In Progress']")
    assert expr.evaluate(VARS) is True
    assert compile_expression("trigger.record.tags.map(t, t + '!')").evaluate(VARS) == ["a!", "b!"]
    assert compile_expression("{'n': size(trigger.record.tags)}").evaluate(VARS) == {"n": 2}


def test_the_names_an_expression_reads_are_listed_by_root_and_member():
    expr = compile_expression("steps.lookup.found && config.url != '' && [1].all(x, x > 0)")
    assert expr.references == {("steps", "lookup"), ("config", "url")}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param("1 +", "does not parse at column", id="a syntax error gives its column"),
        pytest.param("foo == 1", "unknown name 'foo'", id="an unknown variable is refused"),
        pytest.param("", "non-empty", id="an empty expression is refused"),
        pytest.param("x" * (limits.MAX_EXPRESSION_LENGTH + 1), "longer than", id="too long"),
        pytest.param("(" * 150 + "1" + ")" * 150, "nested too deeply", id="too deep"),
        pytest.param("[1].reduce(r, 0, r)", "reduce", id="the non-standard reduce() is refused"),
    ],
)
def test_a_bad_expression_does_not_compile(source, message):
    with pytest.raises(ExpressionError, match=message):
        compile_expression(source)


def test_a_runaway_expression_is_stopped_and_reported():
    items = "[" + ",".join(["1"] * 40) + "]"
    runaway = f"{items}.map(a, {items}.map(b, {items}.map(c, a + b + c)))"
    with pytest.raises(ExpressionError, match="expression stopped"):
        compile_expression(runaway).evaluate({})


def test_an_evaluation_is_stopped_once_it_spends_its_cpu_time(monkeypatch):
    # no CPU time at all: the clock is read every 16 nodes, so the 16th node stops it
    monkeypatch.setattr(limits, "MAX_EVALUATION_SECONDS", 0.0)
    items = "[" + ",".join(["1"] * 40) + "]"
    with pytest.raises(ExpressionError, match=r"used more than 0\.0 s of CPU"):
        compile_expression(f"{items}.map(a, a + 1).size()").evaluate({})
    # under the node budget with time to spare, the same expression answers
    monkeypatch.setattr(limits, "MAX_EVALUATION_SECONDS", 10.0)
    assert compile_expression(f"{items}.map(a, a + 1).size()").evaluate({}) == 40


def test_an_evaluation_error_names_the_problem_without_the_variables():
    secret = "s3cr3t-value"
    with pytest.raises(ExpressionError) as caught:
        compile_expression("trigger.missing == 1").evaluate(
            {"trigger": {}, "config": {"k": secret}}
        )
    assert "missing" in str(caught.value)
    assert secret not in str(caught.value)


def test_a_type_error_is_an_expression_error():
    with pytest.raises(ExpressionError, match="expression failed"):
        compile_expression("'a' * 3").evaluate({})


def test_values_an_expression_builds_are_weighed_and_what_it_reads_is_not():
    big = "y" * (limits.MAX_EVALUATION_BYTES - 1024)  # a large record field is read freely
    variables = {"trigger": {"big": big, "items": [1, 2, 3]}}
    assert compile_expression("size(trigger.big) > 0 && trigger.big != ''").evaluate(variables)
    assert compile_expression("trigger.items.map(i, i * 2)").evaluate(variables) == [2, 4, 6]
    with pytest.raises(ExpressionError, match="values it built are larger than"):
        compile_expression("size(trigger.big + trigger.big) > 0").evaluate(variables)
    doubled = "[trigger.items + trigger.items].map(a, [a + a + a + a].map(b, size(b + b + b)))"
    assert compile_expression(doubled).evaluate(variables) == [[72]]
    nested = "[[trigger.big, trigger.big]].map(a, [[a, a]].map(b, size(b)))"
    with pytest.raises(ExpressionError, match="values it built are larger than"):
        compile_expression(nested).evaluate(variables)  # shared items weigh where they appear

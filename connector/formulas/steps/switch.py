"""`switch`: jump to the step of the first case whose condition holds, else to `default`.

Jumps go forward only, so every execution ends. Without a matching case and without a
default, the execution ends STOPPED (there is nothing to do).

    - name: route
      type: switch
      properties:
        cases:
          - {condition: "steps.decide.action == 'create'", next: createAlert}
          - {condition: "steps.decide.action == 'resolve'", next: resolveAlert}
        default: nothing
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from marshmallow import Schema, fields, validate

from connector.formulas import limits
from connector.formulas.expressions import Expression
from connector.formulas.steps.base import Outcome, Step, StepRun


class CaseSchema(Schema):
    condition = fields.String(required=True)
    next = fields.String(required=True)


class SwitchProperties(Schema):
    cases = fields.List(
        fields.Nested(CaseSchema), required=True, validate=validate.Length(1, limits.MAX_CASES)
    )
    default = fields.String()


class SwitchStep(Step):
    type = "switch"
    schema = SwitchProperties

    def __init__(self, name: str, properties: dict[str, Any]) -> None:
        super().__init__(name, properties)
        self.cases = [
            (self.compile(f"cases[{i}].condition", case["condition"]), case["next"])
            for i, case in enumerate(properties["cases"])
        ]
        self.default: str | None = properties.get("default")

    def expressions(self) -> Iterator[tuple[str, Expression]]:
        for i, (condition, _) in enumerate(self.cases):
            yield f"cases[{i}].condition", condition

    def targets(self) -> Iterator[tuple[str, str]]:
        for i, (_, target) in enumerate(self.cases):
            yield f"cases[{i}].next", target
        if self.default is not None:
            yield "default", self.default

    def run(self, run: StepRun) -> Outcome:
        for i, (condition, target) in enumerate(self.cases):
            matched = run.evaluate(condition, f"cases[{i}].condition")
            if matched is True:
                return Outcome(output={"case": i, "next": target}, next=target)
        if self.default is not None:
            return Outcome(output={"case": "default", "next": self.default}, next=self.default)
        return Outcome(output={"case": None}, status="STOPPED", reason="no switch case matched")

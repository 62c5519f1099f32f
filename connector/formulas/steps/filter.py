"""`filter`: go on only when a condition holds; otherwise the execution ends STOPPED.

- name: onlyTickets
  type: filter
  properties: {condition: "trigger.objectType == 'incidents'"}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from marshmallow import Schema, fields

from connector.formulas.expressions import Expression
from connector.formulas.steps.base import Outcome, Step, StepRun


class FilterProperties(Schema):
    condition = fields.String(required=True)


class FilterStep(Step):
    type = "filter"
    schema = FilterProperties

    def __init__(self, name: str, properties: dict[str, Any]) -> None:
        super().__init__(name, properties)
        self.condition = self.compile("condition", properties["condition"])

    def expressions(self) -> Iterator[tuple[str, Expression]]:
        yield "condition", self.condition

    def run(self, run: StepRun) -> Outcome:
        passed = run.evaluate(self.condition, "condition")
        if not isinstance(passed, bool):
            return Outcome(
                output={"passed": False},
                status="FAILED",
                reason=f"condition gave {type(passed).__name__}, not a boolean",
            )
        if passed:
            return Outcome(output={"passed": True})
        return Outcome(output={"passed": False}, status="STOPPED", reason="filter condition false")

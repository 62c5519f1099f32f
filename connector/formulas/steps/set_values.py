"""`set`: compute named values with CEL; the output is the object of those values.

- name: decide
  type: set
  properties:
    values:
      priority: "trigger.record.priority == 'Low' ? 'LOW' : 'HIGH'"
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from marshmallow import Schema, fields, validate

from connector.formulas import limits
from connector.formulas.expressions import Expression
from connector.formulas.steps.base import Outcome, Step, StepRun

_NAME = validate.Regexp(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$", error="a value name is a CEL identifier")


class SetProperties(Schema):
    values = fields.Dict(
        keys=fields.String(validate=_NAME),
        values=fields.String(),
        required=True,
        validate=validate.Length(1, limits.MAX_SET_VALUES),
    )


class SetStep(Step):
    type = "set"
    schema = SetProperties

    def __init__(self, name: str, properties: dict[str, Any]) -> None:
        super().__init__(name, properties)
        self.values = {
            key: self.compile(f"values.{key}", source)
            for key, source in properties["values"].items()
        }

    def expressions(self) -> Iterator[tuple[str, Expression]]:
        for key, expression in self.values.items():
            yield f"values.{key}", expression

    def run(self, run: StepRun) -> Outcome:
        return Outcome(
            output={key: run.evaluate(expr, f"values.{key}") for key, expr in self.values.items()}
        )

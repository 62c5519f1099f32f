"""`state`: get, put or delete a value in the formula instance's own store (Redis).

Keys are per formula instance, so two instances (or tenants) never see each other's values.
`key` takes `${...}` references; `value` (for put) is a CEL expression; `ttl` is in seconds.

    - name: lookup
      type: state
      properties: {action: get, key: "ticket-${trigger.objectId}"}
    # output: {"found": true, "value": {...}}
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from connector.formulas import limits
from connector.formulas.expressions import Expression
from connector.formulas.steps.base import Outcome, Step, StepFailed, StepRun


class StateProperties(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["get", "put", "delete"]))
    key = fields.String(required=True, validate=validate.Length(1, 200))
    value = fields.String()
    ttl = fields.Integer(strict=True, validate=validate.Range(1, limits.MAX_STATE_TTL_SECONDS))

    @validates_schema
    def _value_for_put(self, data: dict[str, Any], **_: Any) -> None:
        if data["action"] == "put" and "value" not in data:
            raise ValidationError("a put needs a value (a CEL expression)", "value")
        if data["action"] != "put" and ("value" in data or "ttl" in data):
            raise ValidationError(f"a {data['action']} takes no value or ttl", "value")


class StateStep(Step):
    type = "state"
    schema = StateProperties

    def __init__(self, name: str, properties: dict[str, Any]) -> None:
        super().__init__(name, properties)
        self.action = properties["action"]
        self.key = properties["key"]
        self.ttl: int | None = properties.get("ttl")
        self.value = self.compile("value", properties["value"]) if "value" in properties else None

    def expressions(self) -> Iterator[tuple[str, Expression]]:
        if self.value is not None:
            yield "value", self.value

    def templated(self) -> Iterator[tuple[str, Any]]:
        yield "key", self.key

    def run(self, run: StepRun) -> Outcome:
        key = str(run.render(self.key, "key"))
        if not key or len(key) > 200:
            raise StepFailed("the state key must be 1 to 200 characters", field_name="key")
        if self.action == "get":
            found, value = run.ports.state_get(key)
            return Outcome(output={"key": key, "found": found, "value": value})
        if self.action == "delete":
            return Outcome(output={"key": key, "deleted": run.ports.state_delete(key)})
        if self.value is None:  # the schema refuses a put without a value
            raise StepFailed("a put needs a value", field_name="value")
        value = run.evaluate(self.value, "value")
        if len(json.dumps(value)) > limits.MAX_STATE_VALUE_BYTES:
            raise StepFailed(
                f"a state value is at most {limits.MAX_STATE_VALUE_BYTES} bytes", field_name="value"
            )
        run.ports.state_put(key, value, self.ttl)
        return Outcome(output={"key": key, "value": value})

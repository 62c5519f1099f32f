"""`retry`: run the whole execution again later, at most `maxAttempts` times in all.

Placed on a failure path (a step's onFailure), it turns a failure into a later attempt; once
the attempts are spent the execution fails, naming the step.

    - name: again
      type: retry
      properties: {maxAttempts: 3, delaySeconds: 60}   # or "${config.pollSeconds}"

A delay given as a reference is checked when the step runs: a whole number of seconds within
the same bounds, else the step fails naming `delaySeconds`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from connector.formulas import interpolate, limits
from connector.formulas.steps.base import Outcome, Step, StepFailed, StepRun

DELAYS = validate.Range(0, limits.MAX_RETRY_DELAY_SECONDS)


def _delay(value: Any) -> Any:
    """A whole number of seconds in range, or one `${...}` reference (checked at run time)."""
    if isinstance(value, str) and interpolate.is_reference(value):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("a whole number of seconds, or a ${...} reference")
    return DELAYS(value)


class RetryProperties(Schema):
    maxAttempts = fields.Integer(
        strict=True, required=True, validate=validate.Range(2, limits.MAX_RETRY_ATTEMPTS)
    )
    delaySeconds = fields.Raw(load_default=60, validate=_delay)


class RetryStep(Step):
    type = "retry"
    schema = RetryProperties

    def __init__(self, name: str, properties: dict[str, Any]) -> None:
        super().__init__(name, properties)
        self.max_attempts: int = properties["maxAttempts"]
        self.delay: int | str = properties["delaySeconds"]

    def templated(self) -> Iterator[tuple[str, Any]]:
        if isinstance(self.delay, str):
            yield "delaySeconds", self.delay

    def delay_seconds(self, run: StepRun) -> int:
        value: Any = self.delay
        if isinstance(value, str):
            value = run.render(value, "delaySeconds")
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not (0 <= value <= limits.MAX_RETRY_DELAY_SECONDS)
        ):
            raise StepFailed(
                f"not a whole number of seconds from 0 to {limits.MAX_RETRY_DELAY_SECONDS}",
                field_name="delaySeconds",
            )
        return value

    def run(self, run: StepRun) -> Outcome:
        if run.attempt >= self.max_attempts:
            return Outcome(
                output={"attempt": run.attempt, "maxAttempts": self.max_attempts},
                status="FAILED",
                reason=f"gave up after {run.attempt} attempts",
            )
        return Outcome(
            output={"attempt": run.attempt, "maxAttempts": self.max_attempts},
            status="RETRY",
            retry_in=float(self.delay_seconds(run)),
        )

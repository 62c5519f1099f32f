"""`retry`: run the whole execution again later, at most `maxAttempts` times in all.

Placed on a failure path (a step's onFailure), it turns a failure into a later attempt; once
the attempts are spent the execution fails, naming the step.

    - name: again
      type: retry
      properties: {maxAttempts: 3, delaySeconds: 60}
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from connector.formulas import limits
from connector.formulas.steps.base import Outcome, Step, StepRun


class RetryProperties(Schema):
    maxAttempts = fields.Integer(
        strict=True, required=True, validate=validate.Range(2, limits.MAX_RETRY_ATTEMPTS)
    )
    delaySeconds = fields.Integer(
        strict=True, load_default=60, validate=validate.Range(0, limits.MAX_RETRY_DELAY_SECONDS)
    )


class RetryStep(Step):
    type = "retry"
    schema = RetryProperties

    def __init__(self, name: str, properties: dict[str, Any]) -> None:
        super().__init__(name, properties)
        self.max_attempts: int = properties["maxAttempts"]
        self.delay: int = properties["delaySeconds"]

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
            retry_in=float(self.delay),
        )

"""What every step type shares: its schema, its compiled expressions, its run and outcome.

A step class is built once per template version from validated properties (expressions are
compiled in its constructor), then `run` is called once per execution with a `StepRun`.
Steps never talk to Redis or the network themselves: they call the run's `ports`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from marshmallow import Schema

from connector.formulas import interpolate
from connector.formulas.expressions import Expression, ExpressionError, compile_expression, to_cel

END = ""  # a `next` that ends the execution (an empty onSuccess list in the template)


class StepDefinitionError(Exception):
    """A property that does not make sense; `field` names it within the step's properties."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


class StepFailed(Exception):
    """A step that failed at run time. `transient` failures (5xx, timeouts) may be retried."""

    def __init__(
        self, message: str, *, output: Any = None, transient: bool = False, field_name: str = ""
    ):
        super().__init__(message)
        self.message = message
        self.output = output
        self.transient = transient
        self.field = field_name


class Ports(Protocol):
    """The I/O a running step may do; the engine supplies the real ones."""

    def element_request(
        self, instance_key: Any, method: str, path: str, query: dict[str, Any], body: Any
    ) -> dict[str, Any]: ...

    def http_request(
        self, method: str, url: str, headers: dict[str, str], body: Any, timeout: float
    ) -> dict[str, Any]: ...

    def state_get(self, key: str) -> tuple[bool, Any]: ...

    def state_put(self, key: str, value: Any, ttl: int | None) -> None: ...

    def state_delete(self, key: str) -> bool: ...


@dataclass
class StepRun:
    """One step's view of an execution: the variables so far and the ports."""

    variables: dict[str, Any]
    ports: Ports
    attempt: int = 1  # of the whole execution (the retry step counts them)
    _cel: dict[str, Any] | None = field(default=None, repr=False)

    def cel(self) -> dict[str, Any]:
        if self._cel is None:
            self._cel = to_cel(self.variables)
        return self._cel

    def evaluate(self, expression: Expression, field_name: str) -> Any:
        try:
            return expression.evaluate_cel(self.cel())
        except ExpressionError as exc:
            raise StepFailed(str(exc), field_name=field_name) from None

    def render(self, value: Any, field_name: str) -> Any:
        try:
            return interpolate.render(value, self.variables)
        except interpolate.InterpolationError as exc:
            raise StepFailed(str(exc), field_name=field_name) from None


@dataclass
class Outcome:
    """What a step did: its output, and where the execution goes next.

    `next` None follows the template (onSuccess, else the next step); END ends it.
    `status` "STOPPED" ends it as stopped (a filter); "RETRY" asks the engine to run the whole
    execution again after `retry_in` seconds.
    """

    output: Any = None
    next: str | None = None
    status: str = "SUCCESS"
    retry_in: float = 0.0
    reason: str = ""


class Step:
    """Base of the step types: `type`, a marshmallow schema of `properties`, and `run`."""

    type: ClassVar[str]
    schema: ClassVar[type[Schema]]

    def __init__(self, name: str, properties: dict[str, Any]) -> None:
        self.name = name
        self.properties = properties

    def run(self, run: StepRun) -> Outcome:
        raise NotImplementedError

    # -- what the template check asks of a step -------------------------------------------
    def expressions(self) -> Iterator[tuple[str, Expression]]:
        """(field, compiled expression) pairs, for the reference check."""
        return iter(())

    def templated(self) -> Iterator[tuple[str, Any]]:
        """(field, value) pairs whose strings may hold `${...}` references."""
        return iter(())

    def targets(self) -> Iterator[tuple[str, str]]:
        """(field, step name) pairs this step may jump to (a switch's branches)."""
        return iter(())

    @staticmethod
    def compile(field_name: str, source: Any) -> Expression:
        try:
            return compile_expression(source)
        except ExpressionError as exc:
            raise StepDefinitionError(field_name, str(exc)) from None

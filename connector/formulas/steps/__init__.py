"""The step types, keyed by the `type` a template gives them.

Adding a type touches its module (class and properties schema), this registry and one test.
"""

from __future__ import annotations

from connector.formulas.steps.base import Step
from connector.formulas.steps.element_request import ElementRequestStep
from connector.formulas.steps.filter import FilterStep
from connector.formulas.steps.http_request import HttpRequestStep
from connector.formulas.steps.retry import RetryStep
from connector.formulas.steps.set_values import SetStep
from connector.formulas.steps.state import StateStep
from connector.formulas.steps.switch import SwitchStep

REGISTRY: dict[str, type[Step]] = {
    cls.type: cls
    for cls in (
        ElementRequestStep,
        HttpRequestStep,
        FilterStep,
        SwitchStep,
        SetStep,
        StateStep,
        RetryStep,
    )
}

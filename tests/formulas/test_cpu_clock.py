"""An expression's CPU budget leaves out the garbage collections that run in its thread, up to
a backstop of four times the budget in all."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from connector.formulas import cpu_clock, limits
from connector.formulas.expressions import ExpressionError, compile_expression

SLOW_COLLECTIONS = 0.3  # seconds of CPU: single collections took up to 0.38 s in the suite
ITEMS = "[" + ",".join(["1"] * 40) + "]"


@contextmanager
def slow_collections() -> Iterator[list[float]]:
    """A stand-in for a big heap's collections (a fault no part produces on demand): with a
    threshold of 1 a collection runs at nearly every allocation, and each burns 0.1 ms of CPU
    inside the collection, as scanning a heap does, until SLOW_COLLECTIONS are spent."""
    burnt = [0.0]

    def burn(phase: str, info: dict) -> None:
        if phase == "start" and burnt[0] < SLOW_COLLECTIONS:
            started = time.thread_time()
            while time.thread_time() - started < 0.0001:
                pass
            burnt[0] += time.thread_time() - started

    thresholds = gc.get_threshold()
    gc.callbacks.append(burn)
    gc.set_threshold(1)
    try:
        yield burnt
    finally:
        gc.set_threshold(*thresholds)
        gc.callbacks.remove(burn)


def test_slow_collections_during_an_evaluation_do_not_spend_its_budget(monkeypatch):
    monkeypatch.setattr(limits, "MAX_EVALUATION_SECONDS", 0.25)
    expression = compile_expression(f"{ITEMS}.map(a, a + 1).size()")
    with slow_collections() as burnt:
        before, cpu_before = cpu_clock.now(), time.thread_time()
        assert expression.evaluate({}) == 40
        after, cpu_after = cpu_clock.now(), time.thread_time()
    assert burnt[0] >= SLOW_COLLECTIONS, "the collections did not run in the evaluation"
    assert cpu_after - cpu_before >= SLOW_COLLECTIONS  # the thread did spend it...
    assert after - before < cpu_after - cpu_before - SLOW_COLLECTIONS + 0.05  # ...not charged


def test_collections_past_four_times_the_budget_stop_the_evaluation(monkeypatch):
    monkeypatch.setattr(limits, "MAX_EVALUATION_SECONDS", 0.05)  # backstop: 0.2 s in all
    expression = compile_expression(f"{ITEMS}.map(a, a + 1).size()")
    with slow_collections(), pytest.raises(ExpressionError, match="used more than 0.05 s"):
        expression.evaluate({})

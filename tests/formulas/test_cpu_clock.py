"""An expression's CPU budget leaves out the garbage collections that run in its thread."""

from __future__ import annotations

import gc
import time

from connector.formulas import cpu_clock, limits
from connector.formulas.expressions import compile_expression

SLOW_COLLECTION = 0.3  # seconds of CPU: single collections took up to 0.38 s in the suite


def test_a_slow_collection_during_an_evaluation_does_not_spend_its_budget(monkeypatch):
    # A stand-in for a big heap's collections (a fault no part produces on demand): with a
    # threshold of 1 a collection runs at nearly every allocation, and each burns 0.1 ms of CPU
    # inside the collection, as scanning a heap does, until the evaluation has lost 0.3 s.
    burnt = [0.0]

    def burn(phase: str, info: dict) -> None:
        if phase == "start" and burnt[0] < SLOW_COLLECTION:
            started = time.thread_time()
            while time.thread_time() - started < 0.0001:
                pass
            burnt[0] += time.thread_time() - started

    monkeypatch.setattr(limits, "MAX_EVALUATION_SECONDS", 0.25)
    items = "[" + ",".join(["1"] * 40) + "]"
    expression = compile_expression(f"{items}.map(a, a + 1).size()")
    thresholds = gc.get_threshold()
    gc.callbacks.append(burn)
    gc.set_threshold(1)  # a collection at nearly every allocation
    try:
        before, cpu_before = cpu_clock.now(), time.thread_time()
        assert expression.evaluate({}) == 40
        after, cpu_after = cpu_clock.now(), time.thread_time()
    finally:
        gc.set_threshold(*thresholds)
        gc.callbacks.remove(burn)
    assert burnt[0] >= SLOW_COLLECTION, "the collections did not run in the evaluation"
    assert cpu_after - cpu_before >= SLOW_COLLECTION  # the thread did spend it...
    assert after - before < cpu_after - cpu_before - SLOW_COLLECTION + 0.05  # ...not charged

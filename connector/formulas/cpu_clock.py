"""The CPU time this thread spent on its own work: its CPU clock less its garbage collections.

An expression's time budget (see expressions.py) is CPU time so that a preempted worker fails
nothing; but a collection runs in whichever thread allocates when the threshold is crossed,
and scans the whole process heap: in the test suite's processes single collections took up
to 0.38 s of a thread's CPU, enough to stop a three-node expression at its 0.25 s. What the
heap costs is not the expression's doing (its own allocations are bounded by its node and
byte budgets), so the collections' time is taken out, thread by thread, through
`gc.callbacks` (which run in the collecting thread). Python offers no such clock, hence this.
The collections left out are capped all the same: a `Deadline` also passes once the thread's
whole CPU time reaches BACKSTOP times its budget, however it was spent.
"""

from __future__ import annotations

import gc
import threading
import time
from typing import Any


class _Collections(threading.local):
    started = 0.0
    spent = 0.0


_collections = _Collections()


def _on_collection(
    phase: str, info: dict[str, Any], _clock=time.thread_time, _state=_collections
) -> None:
    # its names bound at definition: the last collections run while the interpreter exits,
    # after module globals are cleared
    if phase == "start":
        _state.started = _clock()
    else:
        _state.spent += _clock() - _state.started


gc.callbacks.append(_on_collection)


BACKSTOP = 4


def now() -> float:
    """Seconds of this thread's CPU time outside garbage collection (differences only)."""
    return time.thread_time() - _collections.spent


class Deadline:
    """`seconds` of this thread's own CPU time from now (at most BACKSTOP times as much in all)."""

    __slots__ = ("own", "whole")

    def __init__(self, seconds: float) -> None:
        self.own = now() + seconds
        self.whole = time.thread_time() + BACKSTOP * seconds

    def passed(self) -> bool:
        return now() > self.own or time.thread_time() > self.whole

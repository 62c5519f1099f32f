"""Request ids: 24 hex characters, unique across workers and hosts, cheap to make.

They need to be unique, not secret, so a per-process generator seeded from the OS replaces a
system call per request; a forked worker reseeds, so workers never share a sequence.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# (pid, generator), replaced as one value: threads racing on a process's first requests
# never see the pid of a generator not yet made
_state: list[tuple[int, random.Random] | None] = [None]


def next_id() -> str:
    state = _state[0]
    if state is None or state[0] != os.getpid():
        state = (os.getpid(), random.Random(os.urandom(16)))  # noqa: S311 - ids, not secrets
        _state[0] = state
    return f"{state[1].getrandbits(96):024x}"


# the id of a request answered outside Flask's request context (api/fast_path.py)
_bound: ContextVar[str | None] = ContextVar("connector_request_id", default=None)


@contextmanager
def bound(request_id: str) -> Iterator[None]:
    """`current()` answers `request_id` in this thread (this context) within the block."""
    token = _bound.set(request_id)
    try:
        yield
    finally:
        _bound.reset(token)


def current() -> str:
    """The id of the request being answered in this thread, or "-" outside one."""
    from flask import g, has_request_context

    found = _bound.get()
    if found is not None:
        return found
    return getattr(g, "request_id", "-") if has_request_context() else "-"

"""Request ids: 24 hex characters, unique across workers and hosts, cheap to make.

They need to be unique, not secret, so a per-process generator seeded from the OS replaces a
system call per request; a forked worker reseeds, so workers never share a sequence.
"""

from __future__ import annotations

import os
import random

_state: dict[str, object] = {"pid": None, "random": None}


def next_id() -> str:
    if _state["pid"] != os.getpid():
        _state["pid"] = os.getpid()
        _state["random"] = random.Random(os.urandom(16))  # noqa: S311 - ids, not secrets
    return f"{_state['random'].getrandbits(96):024x}"  # type: ignore[union-attr]


def current() -> str:
    """The id of the request being answered in this thread, or "-" outside one."""
    from flask import g, has_request_context

    return getattr(g, "request_id", "-") if has_request_context() else "-"

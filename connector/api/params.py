"""Query-string parameters and response header names shared by the blueprints."""

from __future__ import annotations

from collections.abc import Iterable

from flask import request

from connector.errors import BadRequestError, did_you_mean

REQUEST_ID = "Elements-Request-Id"
INSTANCE_ID = "Elements-Element-Instance-Id"


def flag(name: str) -> bool:
    """A true/false query parameter (also 1/0); anything else is a 400 naming it."""
    raw = request.args.get(name, "false").strip().lower()
    if raw not in ("true", "false", "1", "0", ""):
        raise BadRequestError(f"{name} must be true or false")
    return raw in ("true", "1")


def check_known(known: Iterable[str]) -> None:
    """Every query parameter is one this call takes: else a 400 naming it and the nearest
    known name (`Where` -> `where`), so a typo never silently widens an answer."""
    allowed = tuple(known)
    for name in request.args:
        if name not in allowed:
            takes = ", ".join(allowed) if allowed else "no query parameters"
            raise BadRequestError(
                f"Unknown query parameter '{name}'{did_you_mean(name, allowed)} "
                f"(this call takes: {takes})"
            )

"""Query-string parameters and response header names shared by the blueprints."""

from __future__ import annotations

from flask import request

from connector.errors import BadRequestError

REQUEST_ID = "Elements-Request-Id"
INSTANCE_ID = "Elements-Element-Instance-Id"


def flag(name: str) -> bool:
    """A true/false query parameter (also 1/0); anything else is a 400 naming it."""
    raw = request.args.get(name, "false").strip().lower()
    if raw not in ("true", "false", "1", "0", ""):
        raise BadRequestError(f"{name} must be true or false")
    return raw in ("true", "1")

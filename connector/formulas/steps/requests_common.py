"""What elementRequest and httpRequest share: methods, query and body, and the answer kept."""

from __future__ import annotations

import json
from typing import Any

from marshmallow import fields, validate

from connector.formulas import limits

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
method_field = fields.String(load_default="GET", validate=validate.OneOf(METHODS))
query_field = fields.Dict(keys=fields.String(), values=fields.Raw())
body_field = fields.Raw(allow_none=True)


def kept(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer as step output: a body too large to keep is cut and marked."""
    body = answer.get("body")
    size = len(json.dumps(body, default=str))
    if size > limits.MAX_RESPONSE_BYTES:
        answer = {**answer, "body": None, "bodyTruncated": True, "bodyBytes": size}
    return answer


def query_values(query: dict[str, Any]) -> dict[str, str]:
    """Rendered query values as strings (lists and objects as JSON)."""
    out = {}
    for key, value in query.items():
        if isinstance(value, str):
            out[key] = value
        elif isinstance(value, bool) or value is None:
            out[key] = json.dumps(value)
        elif isinstance(value, int | float):
            out[key] = str(value)
        else:
            out[key] = json.dumps(value, separators=(",", ":"))
    return out

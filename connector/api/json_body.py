"""Request bodies parsed as JSON with a depth limit.

Python's parser recurses: a body nested about 1,000 deep raises RecursionError (a 500), and
shallower ones still reach recursive code downstream. Flask's request.get_json goes through
`app.json.loads`; this provider refuses, as a 400, anything deeper than MAX_JSON_DEPTH. The
size of a body is bounded before it is read, by MAX_CONTENT_LENGTH (see connector.app).

A body that is not JSON at all gets, instead of Flask's "The browser (or proxy) sent a request
that this server could not understand", the decoder's complaint with its line and column
(`JsonBodyRequest`); a body sent with another content type still gets Flask's 415.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Request
from flask.json.provider import DefaultJSONProvider

from connector.errors import BadRequestError

MAX_JSON_DEPTH = 64  # objects and arrays inside each other; Cloud Elements bodies use < 10


class BodyTooDeepError(BadRequestError):
    """Not a ValueError: Flask would answer that with its generic text, hiding the reason."""

    code = "body_too_deep"


def depth_over(value: Any, limit: int) -> bool:
    """Whether containers nest deeper than `limit`; iterative, so it cannot recurse itself."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if level > limit:
            return True
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return False


class BoundedJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        too_deep = BodyTooDeepError(
            f"The JSON body's objects and arrays nest deeper than {MAX_JSON_DEPTH} levels"
        )
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise too_deep from None
        if isinstance(value, dict | list) and depth_over(value, MAX_JSON_DEPTH):
            raise too_deep
        return value


class JsonBodyRequest(Request):
    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if isinstance(e, json.JSONDecodeError):
            if not e.doc.strip():
                raise BadRequestError("The request body is empty; send a JSON value") from None
            raise BadRequestError(
                f"The request body is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}"
            ) from None
        if isinstance(e, UnicodeDecodeError):
            raise BadRequestError("The request body is not UTF-8 text") from None
        return super().on_json_loading_failed(e)

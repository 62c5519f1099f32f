"""The completion callback: the job's status POSTed to `Elements-Async-Callback-Url`."""

from __future__ import annotations

from urllib.parse import urlsplit

from connector.errors import BadRequestError


def check_url(url: str) -> str:
    """A callback URL a client may give: http(s) with a host (where it resolves to is checked
    again when the callback is sent)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise BadRequestError("Elements-Async-Callback-Url must be an http(s) URL with a host")
    return url

"""CORS for browser clients (flask-cors): the origins in CONNECTOR_CORS_ORIGINS may call the API
under /elements/api-v2 and read the headers Cloud Elements exposed (the next page's token, the
counts, the request id). Off when the setting is empty; `*` opens it to any origin, which is
safe here because the API authenticates with the Authorization header, never with cookies.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from flask_cors import CORS

from connector.errors import ConfigurationError

# Cloud Elements' list (general/headers.js in its API tests), then this service's own headers
EXPOSED_HEADERS = (
    "Elements-Returned-Count",
    "Elements-Total-Count",
    "Elements-Request-Id",
    "Elements-Next-Page-Token",
    "Elements-Trace-Id",
    "Elements-Error",
    "Content-Disposition",
    "Elements-Element-Instance-Id",
    "Elements-Cache",
    "Elements-Warning",
    "Retry-After",
)
ALLOWED_HEADERS = ("Authorization", "Content-Type", "Accept", "Elements-Async-Callback-Url")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PREFLIGHT_MAX_AGE = 600


def origins_of(raw: str) -> list[str]:
    """`https://app.example.com, http://localhost:3000` or `*`; a malformed origin is refused
    at start, naming the setting."""
    origins = [o.strip().rstrip("/") for o in raw.split(",") if o.strip()]
    if origins == ["*"]:
        return origins
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
            raise ConfigurationError(
                f"CONNECTOR_CORS_ORIGINS: {origin!r} is not an origin; give scheme://host[:port] "
                "(no path), comma-separated, or * for any origin"
            )
    return origins


def init_app(app: Flask, base_path: str, raw_origins: str) -> None:
    origins = origins_of(raw_origins)
    if not origins:
        return
    CORS(
        app,
        resources={f"{base_path}/*": {}},
        origins=origins,
        methods=list(METHODS),
        allow_headers=list(ALLOWED_HEADERS),
        expose_headers=list(EXPOSED_HEADERS),
        max_age=PREFLIGHT_MAX_AGE,
        supports_credentials=False,
        vary_header=True,
    )

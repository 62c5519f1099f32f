"""GET /metrics (at the root, where Prometheus looks): the service's metrics in text format.

With METRICS_TOKEN set, the scraper must send `Authorization: Bearer <token>`. Without it the
page answers loopback clients only (a scraper on the same host, or behind a sidecar); any
other address gets a 403 that says to set the token, and so does a loopback request that
carries a proxy's forwarding header (`X-Forwarded-For`, `Forwarded`, `X-Real-IP`): a proxy on
the same host would otherwise make the page public.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, request

from connector.errors import AuthenticationError, ForbiddenError
from connector.observability import exposition
from connector.observability.access import is_loopback

bp = Blueprint("metrics", __name__)

FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


@bp.get("/metrics")
def metrics() -> Response:
    token = current_app.config["SETTINGS"].metrics_token
    if token:
        given = request.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            value.strip().encode(), token.encode()
        ):
            raise AuthenticationError(
                "Send the metrics token as `Authorization: Bearer <METRICS_TOKEN>`"
            )
    elif not is_loopback(request.remote_addr) or any(
        name in request.headers for name in FORWARDING_HEADERS
    ):
        raise ForbiddenError(
            "/metrics answers direct loopback clients only (no proxy's forwarding header); "
            "set METRICS_TOKEN to scrape it from elsewhere"
        )
    body, content_type = exposition.render()
    return Response(body, mimetype=None, content_type=content_type)

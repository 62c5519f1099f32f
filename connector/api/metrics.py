"""GET /metrics (at the root, where Prometheus looks): the service's metrics in text format.

With METRICS_TOKEN set, the scraper must send `Authorization: Bearer <token>`; without it the
page is open (bind the service to a private address, or set the token).
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, request

from connector.errors import AuthenticationError
from connector.observability import exposition

bp = Blueprint("metrics", __name__)


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
    body, content_type = exposition.render()
    return Response(body, mimetype=None, content_type=content_type)

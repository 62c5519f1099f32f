"""HTTP blueprints, all under /elements/api-v2. Handlers are thin: parse, call, render."""

from __future__ import annotations

from flask import Flask

BASE_PATH = "/elements/api-v2"


def register_blueprints(app: Flask) -> None:
    from connector.api import (
        bulk,
        deps,
        docs,
        event_callouts,
        events,
        formulas,
        health,
        hubs,
        instances,
        metrics,
        segments,
        usage,
        virtual,
    )

    deps.init_app(app)  # the composition root: every blueprint reads what it builds
    segments.init_app(app)  # `<resource:name>`, the hub routes without a hub segment
    blueprints = (
        health.bp,
        instances.bp,
        usage.bp,
        events.bp,
        hubs.bp,
        virtual.bp,
        bulk.bp,
        docs.bp,
        formulas.bp,
        event_callouts.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint, url_prefix=BASE_PATH)
    app.register_blueprint(metrics.bp)  # /metrics at the root, where Prometheus looks

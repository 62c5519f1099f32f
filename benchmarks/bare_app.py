"""The baseline for the hub benchmark: bare Flask answering a fixed body, nothing else."""

from __future__ import annotations

import os

from flask import Flask, Response


def create_app() -> Flask:
    body = open(os.environ["BARE_BODY_FILE"], "rb").read()  # noqa: SIM115 - read once at start
    app = Flask(__name__)

    @app.get("/")
    def root() -> Response:
        return Response(b"{}", mimetype="application/json")

    @app.get("/record")
    def record() -> Response:
        return Response(body, mimetype="application/json")

    return app

"""The API's own documents and an explorer for them, served offline.

- `GET /openapi.yaml`, `GET /openapi.json`: the shipped openapi.yaml, its `servers` pointed
  at this service (a relative URL, so "try it out" calls whatever host served the page);
- `GET /docs`: Swagger UI on that document; `GET /instances/{id}/docs/ui`: Swagger UI on
  the instance's own document (fetched with the secrets the visitor pastes);
- `GET /docs/assets/{name}`: Swagger UI's files, so nothing is fetched from the internet.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from flask import Blueprint, Response, request, send_from_directory

from connector.api import explorer
from connector.errors import NotFoundError
from connector.virtual.document import SPEC_FILE, shipped_document

bp = Blueprint("docs", __name__)


def _served_document() -> dict[str, Any]:
    if not SPEC_FILE.is_file():
        raise NotFoundError("openapi.yaml is not installed beside this service")
    shipped = shipped_document()
    servers = [{"url": explorer.base(), "description": "this service"}]
    paths = {path: _at_this_root(item) for path, item in shipped["paths"].items()}
    return {**shipped, "servers": servers, "paths": paths}


def _at_this_root(item: dict[str, Any]) -> dict[str, Any]:
    """A path outside the base path (`/metrics`) names its own server: point it here too."""
    if "servers" not in item:
        return item
    root = {"url": request.script_root or "/", "description": "this service's root"}
    return {**item, "servers": [root]}


@bp.get("/openapi.json")
def openapi_json() -> Response:
    text = json.dumps(_served_document(), separators=(",", ":")) + "\n"  # as every JSON answer
    return Response(text, mimetype="application/json")


@bp.get("/openapi.yaml")
def openapi_yaml() -> Response:
    # libyaml's dumper when present: the pure-Python one takes about a second for this document
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(_served_document(), Dumper=dumper, sort_keys=False, allow_unicode=True)
    return Response(text, mimetype="application/yaml")


@bp.get("/docs")
def explorer_page() -> str:
    return explorer.page(
        "Autotask connector API", f"{explorer.base()}/openapi.json", needs_auth=False
    )


@bp.get("/instances/<int:instance_id>/docs/ui")
def instance_explorer(instance_id: int) -> str:
    return explorer.instance_page(instance_id)


@bp.get("/docs/assets/<path:name>")
def asset(name: str) -> Response:
    return send_from_directory(explorer.ASSETS, name, max_age=86400)

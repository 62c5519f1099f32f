"""The API's own documents and an explorer for them, served offline.

- `GET /openapi.yaml`, `GET /openapi.json`: the shipped openapi.yaml, its `servers` pointed
  at this service (a relative URL, so "try it out" calls whatever host served the page);
- `GET /docs`: Swagger UI on that document; `GET /instances/{id}/docs/ui`: Swagger UI on
  the instance's own document (fetched with the secrets the visitor pastes);
- `GET /docs/assets/{name}`: Swagger UI's files, from the flask-swagger-ui package, so
  nothing is fetched from the internet.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import flask_swagger_ui
import yaml
from flask import Blueprint, Response, render_template_string, request, send_from_directory

from connector.config import PACKAGE_ROOT
from connector.errors import NotFoundError

bp = Blueprint("docs", __name__)
ASSETS = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
SPEC_FILE = PACKAGE_ROOT.parent / "openapi.yaml"
_PAGE = (Path(__file__).resolve().parent / "explorer.html").read_text()
_lock = threading.Lock()
_loaded: dict[str, Any] = {}


def shipped_document() -> dict[str, Any]:
    """openapi.yaml, parsed once per process."""
    with _lock:
        if "spec" not in _loaded:
            if not SPEC_FILE.is_file():
                raise NotFoundError("openapi.yaml is not installed beside this service")
            _loaded["spec"] = yaml.safe_load(SPEC_FILE.read_text())
        return _loaded["spec"]


def _base() -> str:
    from connector.api import BASE_PATH

    return request.script_root + BASE_PATH


def _served_document() -> dict[str, Any]:
    servers = [{"url": _base(), "description": "this service"}]
    return {**shipped_document(), "servers": servers}


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return Response(json.dumps(_served_document()), mimetype="application/json")


@bp.get("/openapi.yaml")
def openapi_yaml() -> Response:
    text = yaml.safe_dump(_served_document(), sort_keys=False, allow_unicode=True)
    return Response(text, mimetype="application/yaml")


@bp.get("/docs")
def explorer() -> str:
    return page("Autotask connector API", f"{_base()}/openapi.json", needs_auth=False)


@bp.get("/instances/<int:instance_id>/docs/ui")
def instance_explorer(instance_id: int) -> str:
    title = f"Instance {instance_id}: its hub"
    return page(title, f"{_base()}/instances/{instance_id}/docs", needs_auth=True)


def page(title: str, spec_url: str, *, needs_auth: bool) -> str:
    """The explorer on `spec_url`; `needs_auth`: the document needs the visitor's secrets."""
    settings = {
        "specUrl": spec_url,
        "needsAuth": needs_auth,
        "schemes": ["platform", "hub", "elements"],
    }
    return render_template_string(
        _PAGE,
        title=title,
        base=_base(),
        assets=f"{_base()}/docs/assets",
        settings=settings,
        needs_auth=needs_auth,
    )


@bp.get("/docs/assets/<path:name>")
def asset(name: str) -> Response:
    return send_from_directory(ASSETS, name, max_age=86400)

"""The API's own documents and an explorer for them, served offline.

- `GET /openapi.yaml`, `GET /openapi.json`: the shipped openapi.yaml, its `servers` pointed
  at this service (a relative URL, so "try it out" calls whatever host served the page);
- `GET /docs`: Swagger UI on that document; `GET /instances/{id}/docs/ui`: Swagger UI on
  the instance's own document (fetched with the secrets the visitor pastes);
- `GET /docs/assets/{name}`: Swagger UI's files, so nothing is fetched from the internet;
- `GET /instances/{id}/docs`, `GET /instances/docs` (the Element token's instance): the
  instance's own OpenAPI 3.1 document, or Swagger 2.0 with `?format=swagger2` or an `Accept`
  asking for it (`application/swagger+json`, `application/openapi+json;version=2.0`), as
  Cloud Elements' clients read it.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from flask import Blueprint, Response, jsonify, request, send_from_directory

from connector.api import BASE_PATH, explorer
from connector.api.context import owned_instance, token_instance
from connector.api.deps import registry, virtual
from connector.api.swagger2 import swagger2
from connector.errors import BadRequestError, NotFoundError
from connector.tenancy.instances import Instance
from connector.virtual import views
from connector.virtual.document import SPEC_FILE, shipped_document

bp = Blueprint("docs", __name__)
FORMATS = ("json", "html", "swagger2")
SWAGGER2_TYPES = ("application/swagger+json", "application/x-swagger+json")
OPENAPI_TYPES = ("application/openapi+json", "application/vnd.oai.openapi+json")


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


@bp.get("/instances/<int:instance_id>/docs")
def instance_docs(instance_id: int):
    shape = _format()
    if shape == "html":  # the explorer: it fetches the document with your secrets
        return explorer.instance_page(instance_id)
    return _instance_document(owned_instance(instance_id), shape)


@bp.get("/instances/docs")
def token_instance_docs():
    shape = _format()
    if shape == "html":
        raise BadRequestError(
            "format=html needs the instance's id: GET /instances/{id}/docs?format=html"
        )
    return _instance_document(token_instance(), shape)


def _format() -> str:
    shape = request.args.get("format")
    if shape is None:
        return "swagger2" if _accepts_swagger2(request.headers.get("Accept", "")) else "json"
    if shape not in FORMATS:
        raise BadRequestError(f"format must be one of {', '.join(FORMATS)}")
    return shape


def _accepts_swagger2(accept: str) -> bool:
    """An Accept that names Swagger 2.0: its own media type, or OpenAPI's with version 2.0."""
    for media_range in accept.lower().split(","):
        kind, *params = (part.strip() for part in media_range.split(";"))
        version = {p.partition("=")[0]: p.partition("=")[2].strip('"') for p in params}
        if kind in SWAGGER2_TYPES or (kind in OPENAPI_TYPES and version.get("version") == "2.0"):
            return True
    return False


def _instance_document(instance: Instance, shape: str) -> Response:
    found = registry()
    virtual_maps = {
        name: (vmap, _base_or_none(found, vmap.vendor_name))
        for name, vmap in virtual()["service"]
        .virtual_maps(instance.organizationId, instance.id)
        .items()
    }
    server = request.host_url.rstrip("/") + request.script_root + BASE_PATH
    normalized = {name: resource.map for name, resource in found.normalized.items()}
    document = views.instance_document(
        instance, server_url=server, normalized=normalized, virtual=virtual_maps
    )
    return jsonify(swagger2(document) if shape == "swagger2" else document)


def _base_or_none(found: Any, vendor_name: str) -> Any:
    try:
        return found.base(vendor_name)
    except NotFoundError:
        return None


@bp.get("/instances/<int:instance_id>/docs/ui")
def instance_explorer(instance_id: int) -> str:
    return explorer.instance_page(instance_id)


@bp.get("/docs/assets/<path:name>")
def asset(name: str) -> Response:
    return send_from_directory(explorer.ASSETS, name, max_age=86400)

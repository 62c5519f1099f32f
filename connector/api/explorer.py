"""The explorer page (Swagger UI, its files from the flask-swagger-ui package, served offline)
on one OpenAPI document; used by the docs blueprint and by `/instances/{id}/docs?format=html`."""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import render_template_string, request

ASSETS = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
_PAGE = (Path(__file__).resolve().parent / "explorer.html").read_text()


def base() -> str:
    from connector.api import BASE_PATH

    return request.script_root + BASE_PATH


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
        base=base(),
        assets=f"{base()}/docs/assets",
        settings=settings,
        needs_auth=needs_auth,
    )


def instance_page(instance_id: int) -> str:
    title = f"Instance {instance_id}: its hub"
    return page(title, f"{base()}/instances/{instance_id}/docs", needs_auth=True)

"""/instances: create (authenticate Autotask credentials), read, update, rotate, enable, delete.

Each instance route also answers Cloud Elements' other forms of it: token-scoped without an id
(`PATCH /instances` acts on the instance of the `Element` token) and element-scoped
(`/elements/{keyOrId}/instances[/{id}]`).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, jsonify, request

from connector.api.context import owned_instance, platform_caller, token_instance
from connector.api.deps import deps
from connector.errors import NotFoundError, ValidationError, load
from connector.events.config import VENDOR_TYPES
from connector.tenancy import element
from connector.tenancy.instance_editor import InstanceEditor
from connector.tenancy.instances import Instance
from connector.tenancy.schemas import ConfigurationRowSchema, InstanceSchema, ignored_keys
from connector.tenancy.views import (
    config_row,
    configuration_rows,
    element_configuration,
    element_metadata_view,
    instance_view,
)

bp = Blueprint("instances", __name__)
WARNING = "Elements-Warning"
DEFAULT_VENDOR_TYPE = "webhook"  # event.vendor.type when the configuration does not name one
ELEMENT = "/elements/<key_or_id>"
ELEMENT_ID = re.compile(r"[0-9]{1,18}")  # an element id: a number, not any Unicode digit


def _editor() -> InstanceEditor:
    d = deps()
    return InstanceEditor(
        store=d.instances,
        box=d.box,
        clients=d.clients,
        hooks=d.hooks,
        readable_tokens=d.settings.readable_tokens,
    )


def _body() -> Any:
    return request.get_json()  # malformed JSON -> 400, wrong content type -> 415 (JSON bodies)


def _target(instance_id: int | None, key_or_id: str | None = None) -> Instance:
    """The instance a route names: by id (owned by the caller), else by the Element token."""
    if key_or_id is not None:
        _element_ref(key_or_id, None, lookup=True)
    return token_instance() if instance_id is None else owned_instance(instance_id)


def _shown(
    instance: Instance, token: str | None = None, revealed: dict[str, str] | None = None
) -> dict[str, Any]:
    token = token or _editor().readable_token(instance)
    return instance_view(instance, deps().accounts.user(instance.userId), token, revealed)


def _view(
    instance: Instance,
    token: str | None = None,
    body: Any = None,
    editor: InstanceEditor | None = None,
) -> Response:
    response = jsonify(_shown(instance, token, editor.revealed if editor else None))
    ignored = ignored_keys(body.get("configuration")) if isinstance(body, dict) else []
    if ignored:
        response.headers[WARNING] = "Ignored configuration keys: " + ", ".join(ignored)
    return response


@bp.post("/instances")
@bp.post(f"{ELEMENT}/instances")
def create_instance(key_or_id: str | None = None):
    caller = platform_caller()
    body = _body()
    if key_or_id is not None and isinstance(body, dict):
        body = {**body, "element": _element_ref(key_or_id, body.get("element"))}
    data = load(InstanceSchema(), body, what="instance")
    editor = _editor()
    instance, token = editor.create(caller.organization.id, caller.user.id, data)
    return _view(instance, token, body, editor)


@bp.get("/instances")
@bp.get(f"{ELEMENT}/instances")
def list_instances(key_or_id: str | None = None):
    caller = platform_caller()
    if key_or_id is not None:
        _element_ref(key_or_id, None, lookup=True)
    tags = request.args.getlist("tags[]") + request.args.getlist("tags")
    found = deps().instances.list_for_org(caller.organization.id, tags or None)
    return jsonify([_shown(i) for i in found])


@bp.get("/instances/<int:instance_id>")
@bp.get(f"{ELEMENT}/instances/<int:instance_id>")
def get_instance(instance_id: int, key_or_id: str | None = None):
    return _view(_target(instance_id, key_or_id))


@bp.put("/instances")
@bp.put("/instances/<int:instance_id>")
@bp.put(f"{ELEMENT}/instances/<int:instance_id>")
def replace_instance(instance_id: int | None = None, key_or_id: str | None = None):
    instance = _target(instance_id, key_or_id)
    body = _body()
    data = load(InstanceSchema(), body, what="instance")
    editor = _editor()
    return _view(editor.replace(instance, data), body=body, editor=editor)


@bp.patch("/instances")
@bp.patch("/instances/<int:instance_id>")
def update_instance(instance_id: int | None = None):
    instance = _target(instance_id)
    body = _body()
    data = load(InstanceSchema(), body, what="instance", partial=True)
    editor = _editor()
    return _view(editor.update(instance, data), body=body, editor=editor)


@bp.delete("/instances/<int:instance_id>")
@bp.delete(f"{ELEMENT}/instances/<int:instance_id>")
def delete_instance(instance_id: int, key_or_id: str | None = None):
    instance = _target(instance_id, key_or_id)
    _editor().delete(instance)
    return jsonify({"id": instance.id, "deleted": True})


@bp.post("/instances/<int:instance_id>/token")
def rotate_token(instance_id: int):
    instance = owned_instance(instance_id)
    token = _editor().rotate_token(instance)
    return _view(instance, token)


@bp.put("/instances/enabled")
@bp.put("/instances/<int:instance_id>/enabled")
def enable_instance(instance_id: int | None = None):
    return _view(_editor().set_disabled(_target(instance_id), False))


@bp.delete("/instances/enabled")
@bp.delete("/instances/<int:instance_id>/enabled")
def disable_instance(instance_id: int | None = None):
    return _view(_editor().set_disabled(_target(instance_id), True))


@bp.get("/instances/configuration")
@bp.get("/instances/<int:instance_id>/configuration")
def list_configuration(instance_id: int | None = None):
    return jsonify(configuration_rows(_target(instance_id)))


@bp.get("/instances/configuration/<int:config_id>")
@bp.get("/instances/<int:instance_id>/configuration/<int:config_id>")
def get_configuration(config_id: int, instance_id: int | None = None):
    instance = _target(instance_id)
    return jsonify(config_row(instance, _config_spec(config_id).key))


@bp.patch("/instances/configuration/<int:config_id>")
@bp.patch("/instances/<int:instance_id>/configuration/<int:config_id>")
def update_configuration(config_id: int, instance_id: int | None = None):
    instance = _target(instance_id)
    spec = _config_spec(config_id)
    value = load(ConfigurationRowSchema(), _body(), what="configuration row")["propertyValue"]
    checked = load(
        InstanceSchema(),
        {"configuration": {spec.key: value}},
        what="configuration row",
        partial=True,
    )["configuration"]
    return jsonify(config_row(_editor().set_configuration(instance, checked), spec.key))


@bp.get(ELEMENT)
def get_element(key_or_id: str):
    platform_caller()
    _element_ref(key_or_id, None, lookup=True)
    return jsonify({**element.element(), "configuration": element_configuration()})


@bp.get(f"{ELEMENT}/metadata")
def element_metadata(key_or_id: str):
    platform_caller()
    _element_ref(key_or_id, None, lookup=True)
    # events are served since #13: webhooks and polling, as Cloud Elements' element metadata
    # lists its event methods (the tenancy view predates them)
    events = {"supported": True, "methods": list(VENDOR_TYPES), "default": DEFAULT_VENDOR_TYPE}
    return jsonify({**element_metadata_view(), "events": events})


def _element_ref(key_or_id: str, given: Any, *, lookup: bool = False) -> dict[str, Any]:
    # ASCII digits only, as an id can be: str.isdigit() also takes '²' (which int() refuses)
    # and 5,000 digits (past int()'s limit); both were a 500
    is_id = ELEMENT_ID.fullmatch(key_or_id) is not None
    ref = {"id": int(key_or_id)} if is_id else {"key": key_or_id}
    if lookup and ref not in ({"id": element.element_id()}, {"key": element.ELEMENT_KEY}):
        raise NotFoundError(f"No element '{key_or_id}': this connector serves autotaskcrm")
    if isinstance(given, dict) and any(given.get(k) not in (None, v) for k, v in ref.items()):
        raise ValidationError("Invalid instance: the body's element differs from the URL's")
    return ref


def _config_spec(config_id: int) -> element.ConfigKey:
    spec = element.config_key_by_id(config_id)
    if spec is None:
        raise NotFoundError(f"No configuration row {config_id}")
    return spec

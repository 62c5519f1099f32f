"""/instances: create (authenticate Autotask credentials), read, update, rotate, enable, delete."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from connector.api.context import element_caller, platform_caller
from connector.api.deps import deps
from connector.errors import AuthenticationError, NotFoundError, ValidationError, load
from connector.tenancy import element
from connector.tenancy.instance_editor import InstanceEditor
from connector.tenancy.instances import Instance
from connector.tenancy.schemas import ConfigurationRowSchema, InstanceSchema
from connector.tenancy.views import config_row, configuration_rows, instance_view

bp = Blueprint("instances", __name__)


def _editor() -> InstanceEditor:
    d = deps()
    return InstanceEditor(store=d.instances, box=d.box, clients=d.clients, hooks=d.hooks)


def _body() -> Any:
    return request.get_json()  # malformed JSON -> 400, wrong content type -> 415 (JSON bodies)


def _owned(instance_id: int) -> Instance:
    caller = platform_caller()
    instance = deps().instances.get_for_org(instance_id, caller.organization.id)
    if instance is None:
        raise NotFoundError(f"No instance {instance_id} in your organization")
    return instance


def _view(instance: Instance, token: str | None = None):
    return jsonify(instance_view(instance, deps().accounts.user(instance.userId), token))


@bp.post("/instances")
@bp.post("/elements/<key_or_id>/instances")
def create_instance(key_or_id: str | None = None):
    caller = platform_caller()
    body = _body()
    if key_or_id is not None and isinstance(body, dict):
        body = {**body, "element": _element_ref(key_or_id, body.get("element"))}
    data = load(InstanceSchema(), body, what="instance")
    instance, token = _editor().create(caller.organization.id, caller.user.id, data)
    return jsonify(instance_view(instance, caller.user, token))


@bp.get("/instances")
def list_instances():
    caller = platform_caller()
    tags = request.args.getlist("tags[]") + request.args.getlist("tags")
    found = deps().instances.list_for_org(caller.organization.id, tags or None)
    return jsonify([instance_view(i, deps().accounts.user(i.userId)) for i in found])


@bp.get("/instances/<int:instance_id>")
def get_instance(instance_id: int):
    return _view(_owned(instance_id))


@bp.put("/instances/<int:instance_id>")
def replace_instance(instance_id: int):
    instance = _owned(instance_id)
    data = load(InstanceSchema(), _body(), what="instance")
    return _view(_editor().replace(instance, data))


@bp.patch("/instances/<int:instance_id>")
def update_instance(instance_id: int):
    instance = _owned(instance_id)
    data = load(InstanceSchema(), _body(), what="instance", partial=True)
    return _view(_editor().update(instance, data))


@bp.delete("/instances/<int:instance_id>")
def delete_instance(instance_id: int):
    instance = _owned(instance_id)
    _editor().delete(instance)
    return jsonify({"id": instance.id, "deleted": True})


@bp.post("/instances/<int:instance_id>/token")
def rotate_token(instance_id: int):
    instance = _owned(instance_id)
    token = _editor().rotate_token(instance)
    return _view(instance, token)


@bp.put("/instances/enabled")
def enable_instance():
    return _set_disabled(False)


@bp.delete("/instances/enabled")
def disable_instance():
    return _set_disabled(True)


def _set_disabled(disabled: bool):
    caller = element_caller(allow_disabled=True)
    if caller.instance is None:  # element_caller refuses a token of no instance already
        raise AuthenticationError("Unknown or deleted instance token")
    # a fresh copy: the caller's record may be this worker's shared copy of it
    instance = deps().instances.get(caller.instance.id)
    if instance is None:
        raise NotFoundError("This instance was deleted")
    return _view(_editor().set_disabled(instance, disabled))


@bp.get("/instances/<int:instance_id>/configuration")
def list_configuration(instance_id: int):
    return jsonify(configuration_rows(_owned(instance_id)))


@bp.get("/instances/<int:instance_id>/configuration/<int:config_id>")
def get_configuration(instance_id: int, config_id: int):
    instance = _owned(instance_id)
    return jsonify(config_row(instance, _config_spec(config_id).key))


@bp.patch("/instances/<int:instance_id>/configuration/<int:config_id>")
def update_configuration(instance_id: int, config_id: int):
    instance = _owned(instance_id)
    spec = _config_spec(config_id)
    value = load(ConfigurationRowSchema(), _body(), what="configuration row")["propertyValue"]
    checked = load(
        InstanceSchema(),
        {"configuration": {spec.key: value}},
        what="configuration row",
        partial=True,
    )["configuration"]
    return jsonify(config_row(_editor().set_configuration(instance, checked), spec.key))


def _element_ref(key_or_id: str, given: Any) -> dict[str, Any]:
    ref = {"id": int(key_or_id)} if key_or_id.isdigit() else {"key": key_or_id}
    if isinstance(given, dict) and any(given.get(k) not in (None, v) for k, v in ref.items()):
        raise ValidationError("Invalid instance: the body's element differs from the URL's")
    return ref


def _config_spec(config_id: int) -> element.ConfigKey:
    spec = element.config_key_by_id(config_id)
    if spec is None:
        raise NotFoundError(f"No configuration row {config_id}")
    return spec

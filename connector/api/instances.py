"""/instances: create (authenticate Autotask credentials), read, update, rotate, enable, delete."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from connector import element, provisioning
from connector.api import vdr
from connector.api.context import element_caller, platform_caller
from connector.api.deps import deps
from connector.api.instance_view import MASK, config_row, configuration_rows, instance_view
from connector.cache import HubCache
from connector.errors import NotFoundError, ValidationError
from connector.instances import Instance
from connector.redis_conn import get_redis
from connector.schemas import load
from connector.schemas.instances import ConfigurationRowSchema, InstanceSchema

bp = Blueprint("instances", __name__)


def _body() -> Any:
    return request.get_json()  # malformed JSON -> 400, wrong content type -> 415 (JSON bodies)


def _owned(instance_id: int) -> Instance:
    caller = platform_caller()
    instance = deps().instances.get_for_org(instance_id, caller.organization.id)
    if instance is None:
        raise NotFoundError(f"No instance {instance_id} in your organization")
    return instance


def _user_of(instance: Instance):
    return deps().accounts.user(instance.userId)


@bp.post("/instances")
@bp.post("/elements/<key_or_id>/instances")
def create_instance(key_or_id: str | None = None):
    caller = platform_caller()
    body = _body()
    if key_or_id is not None and isinstance(body, dict):
        body = {**body, "element": _element_ref(key_or_id, body.get("element"))}
    data = load(InstanceSchema(), body, what="instance")
    config = _without_masks(data["configuration"], None)
    connection = provisioning.connect(config, deps().settings, get_redis(), deps().keys)
    store = deps().instances
    token, token_hash = store.new_token()
    instance = Instance(
        id=store.next_id(),
        organizationId=caller.organization.id,
        userId=caller.user.id,
        name=data["name"],
        tags=data["tags"],
        configuration={},
        secrets={},
        zone=_zone_record(connection),
        tokenHash=token_hash,
    )
    _apply(instance, data, config)
    store.save(instance, is_new=True)
    return jsonify(instance_view(instance, caller.user, token))


@bp.get("/instances")
def list_instances():
    caller = platform_caller()
    tags = request.args.getlist("tags[]") + request.args.getlist("tags")
    found = deps().instances.list_for_org(caller.organization.id, tags or None)
    return jsonify([instance_view(i, _user_of(i)) for i in found])


@bp.get("/instances/<int:instance_id>")
def get_instance(instance_id: int):
    instance = _owned(instance_id)
    return jsonify(instance_view(instance, _user_of(instance)))


@bp.put("/instances/<int:instance_id>")
def replace_instance(instance_id: int):
    instance = _owned(instance_id)
    data = load(InstanceSchema(), _body(), what="instance")
    config = _without_masks(data["configuration"], instance)
    connection = provisioning.connect(config, deps().settings, get_redis(), deps().keys)
    instance.configuration, instance.secrets = {}, {}
    instance.zone = _zone_record(connection)
    instance.name, instance.tags = data["name"], data["tags"]
    _apply(instance, data, config)
    deps().instances.save(instance)
    _clear_cache(instance)
    return jsonify(instance_view(instance, _user_of(instance)))


@bp.patch("/instances/<int:instance_id>")
def update_instance(instance_id: int):
    instance = _owned(instance_id)
    data = load(InstanceSchema(), _body(), what="instance", partial=True)
    changes = _without_masks(data.get("configuration") or {}, instance)
    _reconnect_if_credentials_change(instance, changes)
    if "name" in data:
        instance.name = data["name"]
    if "tags" in data:
        instance.tags = data["tags"]  # tags replace the whole list, as in Cloud Elements
    _apply(instance, data, changes)
    deps().instances.save(instance)
    _clear_cache(instance)
    return jsonify(instance_view(instance, _user_of(instance)))


@bp.delete("/instances/<int:instance_id>")
def delete_instance(instance_id: int):
    instance = _owned(instance_id)
    deps().instances.delete(instance)
    _clear_cache(instance)
    vdr.drop_instance(instance.id)
    return jsonify({"id": instance.id, "deleted": True})


@bp.post("/instances/<int:instance_id>/token")
def rotate_token(instance_id: int):
    instance = _owned(instance_id)
    token = deps().instances.rotate_token(instance)
    return jsonify(instance_view(instance, _user_of(instance), token))


@bp.put("/instances/enabled")
def enable_instance():
    return _set_disabled(False)


@bp.delete("/instances/enabled")
def disable_instance():
    return _set_disabled(True)


def _set_disabled(disabled: bool):
    caller = element_caller(allow_disabled=True)
    instance = caller.instance
    assert instance is not None
    instance.disabled = disabled
    deps().instances.save(instance)
    return jsonify(instance_view(instance, _user_of(instance)))


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
    changes = _without_masks(checked, instance)
    _reconnect_if_credentials_change(instance, changes)
    _apply(instance, {}, changes)
    deps().instances.save(instance)
    _clear_cache(instance)
    return jsonify(config_row(instance, spec.key))


# -- helpers -----------------------------------------------------------------------------
def _clear_cache(instance: Instance) -> None:
    """Settings or credentials changed, or the instance is gone: no cached answer survives."""
    HubCache(get_redis(), deps().keys, instance.id, enabled=True, local=deps().local).clear()


def _element_ref(key_or_id: str, given: Any) -> dict[str, Any]:
    ref = {"id": int(key_or_id)} if key_or_id.isdigit() else {"key": key_or_id}
    if (
        isinstance(given, dict)
        and given
        and any(given.get(k) not in (None, v) for k, v in ref.items())
    ):
        raise ValidationError("Invalid instance: the body's element differs from the URL's")
    return ref


def _config_spec(config_id: int):
    spec = element.config_key_by_id(config_id)
    if spec is None:
        raise NotFoundError(f"No configuration row {config_id}")
    return spec


def _reconnect_if_credentials_change(instance: Instance, changes: dict[str, str | None]) -> None:
    """New credentials are proved before they are stored, as at creation."""
    box = deps().box
    changed = [
        k
        for k in element.CREDENTIAL_KEYS & changes.keys()
        if changes[k] != instance.config_value(k, box)
    ]
    if not changed:
        return
    merged = {
        key: instance.config_value(key, box)
        for key in set(instance.configuration) | set(instance.secrets)
    }
    merged.update(changes)
    connection = provisioning.connect(merged, deps().settings, get_redis(), deps().keys)
    instance.zone = _zone_record(connection)


def _without_masks(config: dict[str, str | None], instance: Instance | None) -> dict:
    """A masked value sent back (`********`) means "keep what is stored"."""
    kept = {}
    for key, value in config.items():
        if value == MASK:
            if instance is None:
                raise ValidationError(
                    f"Invalid instance: configuration.{key}: send the value, not the mask"
                )
            value = instance.config_value(key, deps().box)
        kept[key] = value
    return kept


def _apply(instance: Instance, data: dict[str, Any], config: dict[str, str | None]) -> None:
    """Top-level settings, then configuration keys (a key wins over its top-level twin)."""
    for name in (
        "cachingEnabled",
        "cacheTimeToLive",
        "maxCacheSize",
        "traceLoggingEnabled",
        "eventsEnabled",
        "disabled",
    ):
        if name in data:
            setattr(instance, name, data[name])
    box = deps().box
    for key, value in config.items():
        spec = element.config_key(key)
        if spec is not None and spec.field is not None:
            if value is not None:
                converted = value == "true" if spec.type == "BOOLEAN" else int(value)
                setattr(instance, spec.field, converted)
            continue
        instance.set_config(key, value, box)


def _zone_record(connection: provisioning.Connection) -> dict[str, Any]:
    zone = connection.zone
    return {
        "name": zone.name,
        "url": zone.url,
        "webUrl": zone.web_url,
        "ci": zone.ci,
        "lookupUrl": connection.zone_url,
    }

"""The Cloud Elements instance object, as answered by /instances (secrets masked)."""

from __future__ import annotations

from typing import Any

from connector.errors import NotFoundError
from connector.tenancy import element
from connector.tenancy.accounts import User
from connector.tenancy.instance_editor import MASK
from connector.tenancy.instances import Instance


def configuration_view(instance: Instance) -> dict[str, str]:
    view = dict(instance.configuration)
    for key in instance.secrets:
        view[key] = MASK
    for spec in element.config_keys():
        if spec.field is not None:
            view[spec.key] = _text(getattr(instance, spec.field))
    return dict(sorted(view.items()))


def configuration_rows(instance: Instance) -> list[dict[str, Any]]:
    """GET /instances/{id}/configuration: one row per known key."""
    view = configuration_view(instance)
    return [config_row(instance, spec.key, view) for spec in element.config_keys()]


def config_row(instance: Instance, key: str, view: dict[str, str] | None = None) -> dict[str, Any]:
    spec = element.config_key(key)
    if spec is None:
        raise NotFoundError(f"No configuration key '{key}'")
    view = view if view is not None else configuration_view(instance)
    return {
        "id": spec.id,
        "key": spec.key,
        "name": spec.name,
        "description": spec.description,
        "type": spec.type,
        "required": spec.required,
        "hideFromConsole": False,
        "propertyValue": view.get(spec.key, spec.default),
    }


def instance_view(
    instance: Instance,
    user: User | None,
    token: str | None = None,
    revealed: dict[str, str] | None = None,
) -> dict:
    """The Cloud Elements instance; `revealed`: secret values made for the user, shown once."""
    body: dict[str, Any] = {
        "id": instance.id,
        "name": instance.name,
        "createdDate": instance.createdDate,
        "updatedDate": instance.updatedDate,
    }
    if token is not None:
        body["token"] = token  # shown at creation and rotation only; stored as a hash
    body.update(
        {
            "element": element.element(),
            "elementId": element.element_id(),
            "tags": list(instance.tags),
            "provisionInteractions": [],
            "valid": instance.valid,
            "disabled": instance.disabled,
            "maxCacheSize": instance.maxCacheSize,
            "cacheTimeToLive": instance.cacheTimeToLive,
            "configuration": {**configuration_view(instance), **(revealed or {})},
            "eventsEnabled": instance.eventsEnabled,
            "traceLoggingEnabled": instance.traceLoggingEnabled,
            "cachingEnabled": instance.cachingEnabled,
            "externalAuthentication": "none",
            "zone": {k: instance.zone.get(k) for k in ("name", "url", "webUrl")},
            "user": _user_view(user, instance),
        }
    )
    return body


def _user_view(user: User | None, instance: Instance) -> dict[str, Any]:
    if user is None:
        return {"id": instance.userId}
    return {
        "id": user.id,
        "emailAddress": user.emailAddress,
        "firstName": user.firstName,
        "lastName": user.lastName,
    }


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def element_configuration() -> list[dict[str, Any]]:
    """The element's configuration keys, as `GET /elements/{key}` lists them."""
    return [
        {
            "id": spec.id,
            "key": spec.key,
            "name": spec.name,
            "description": spec.description,
            "type": spec.type,
            "required": spec.required,
            "defaultValue": spec.default,
            "hideFromConsole": False,
        }
        for spec in element.config_keys()
    ]


def element_metadata_view() -> dict[str, Any]:
    """`GET /elements/{key}/metadata`: what the element supports. Events are not served yet,
    so no event method (polling, webhook) is listed."""
    info = element.element()
    return {
        "id": info["id"],
        "key": info["key"],
        "name": info["name"],
        "hub": info["hub"],
        "authentication": info["authentication"],
        "transformationsEnabled": info["transformationsEnabled"],
        "bulkDownloadEnabled": True,
        "bulkUploadEnabled": True,
        "events": {"supported": False, "methods": []},
        "models": ["normalized", "cloudElements"],
        "configuration": element_configuration(),
    }

"""Virtual resources: definitions, transformations, /common-resources and an instance's docs.

Cloud Elements' paths, organization and instance levels (the account level is not served):
    /organizations/objects/definitions                       GET (?systemOnly) POST DELETE
    /organizations/objects/{name}/definitions                GET POST PUT DELETE
    /instances/{id}/objects/definitions                      GET POST
    /instances/{id}/objects/{name}/definitions               GET POST PUT DELETE
    /organizations/elements/{keyOrId}/transformations        GET
    /organizations/elements/{keyOrId}/transformations/{name} GET POST PUT DELETE
    /instances/{id}/transformations                          GET DELETE
    /instances/{id}/transformations/{name}                   GET POST PUT DELETE
    /common-resources                                        GET
    /instances/{id}/docs                                     GET
Thin: parse with the schemas, call `VdrService`, answer JSON. `init_app` also hooks the
resolver into the hub's registry, so `/hubs/crm/{name}` serves what these define.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request

from connector.api import BASE_PATH, hubs
from connector.api.bodies import load
from connector.api.context import platform_caller
from connector.api.deps import deps
from connector.api.params import flag
from connector.errors import NotFoundError, ValidationError
from connector.hub.context import HubContext
from connector.storage.redis_conn import get_keys, get_redis
from connector.tenancy import element
from connector.tenancy.clients import autotask_for
from connector.tenancy.instances import Instance
from connector.virtual import validate, views
from connector.virtual.resolver import VirtualResolver
from connector.virtual.schemas import DefinitionSchema, TransformationSchema, check_name
from connector.virtual.service import VdrService
from connector.virtual.store import Scope, VdrStore, instance_scope, org_scope

bp = Blueprint("vdr", __name__)
EXTENSION = "connector.vdr"


def init_app(app: Flask) -> None:
    """After `hubs.init_app`: the registry now asks the resolver first for every name."""
    store = VdrStore(get_redis(app), get_keys(app), app.extensions["connector.deps"].local)
    resolver = VirtualResolver(store)
    registry = app.extensions[hubs.EXTENSION]["registry"]
    registry.virtual = resolver
    registry.virtual_names = resolver.names
    instances = app.extensions["connector.deps"].instances
    app.extensions[EXTENSION] = {
        "service": VdrService(store, instances),
        "resolver": resolver,
        "store": store,
    }


def drop_instance(instance_id: int) -> None:
    """Called when an instance is deleted: its instance-level documents are deleted too."""
    current_app.extensions[EXTENSION]["store"].drop_instance(instance_id)


def _service() -> VdrService:
    return current_app.extensions[EXTENSION]["service"]


def _org() -> int:
    return platform_caller().organization.id


def _instance(instance_id: int) -> tuple[int, Instance]:
    org_id = _org()
    instance = deps().instances.get_for_org(instance_id, org_id)
    if instance is None:
        raise NotFoundError(f"No instance {instance_id} in your organization")
    return org_id, instance


def _element(key_or_id: str) -> None:
    if key_or_id not in (element.ELEMENT_KEY, str(element.element_id())):
        raise NotFoundError(
            f"No element '{key_or_id}': this service serves {element.ELEMENT_KEY} "
            f"(id {element.element_id()})"
        )


def _named(name: str) -> str:
    problem = check_name(name)
    if problem:
        raise ValidationError(f"Invalid name '{name}': {problem}")
    return name


def _definition_body() -> dict[str, Any]:
    return load(DefinitionSchema(), request.get_json(), what="definition")


def _definitions_body() -> dict[str, dict[str, Any]]:
    body = request.get_json()
    if not isinstance(body, dict) or not body:
        raise ValidationError(
            'Invalid definitions: send {"<name>": {"fields": [...]}, ...} with one or more names'
        )
    return {
        _named(name): load(DefinitionSchema(), doc, what=f"definition '{name}'")
        for name, doc in body.items()
    }


def _definition_view(name: str, doc: dict[str, Any]) -> dict[str, Any]:
    fields = [{**f, "level": doc["level"]} for f in doc["fields"]]
    return {"objectName": name, "fields": fields, "level": doc["level"]}


# -- definitions, organization level ----------------------------------------------------------
@bp.get("/organizations/objects/definitions")
def list_org_definitions():
    org_id = _org()
    if flag("systemOnly"):
        return jsonify(views.templates(_maps()))
    found = _service().store.definitions(org_scope(org_id))
    return jsonify({name: _definition_view(name, doc) for name, doc in found.items()})


@bp.post("/organizations/objects/definitions")
def create_org_definitions():
    org_id = _org()
    created = _service().create_definitions(org_scope(org_id), org_id, _definitions_body())
    return jsonify({name: _definition_view(name, doc) for name, doc in created.items()})


@bp.delete("/organizations/objects/definitions")
def delete_org_definitions():
    org_id = _org()
    _service().delete_definitions(org_scope(org_id), org_id, None)
    return jsonify({"deleted": True})


@bp.get("/organizations/objects/<name>/definitions")
def get_org_definition(name: str):
    return _get_definition(org_scope(_org()), name)


@bp.post("/organizations/objects/<name>/definitions")
def create_org_definition(name: str):
    org_id = _org()
    return _create_definition(org_scope(org_id), org_id, name)


@bp.put("/organizations/objects/<name>/definitions")
def replace_org_definition(name: str):
    org_id = _org()
    return _replace_definition(org_scope(org_id), org_id, name)


@bp.delete("/organizations/objects/<name>/definitions")
def delete_org_definition(name: str):
    org_id = _org()
    return _delete_definition(org_scope(org_id), org_id, name)


# -- definitions, instance level ----------------------------------------------------------------
@bp.get("/instances/<int:instance_id>/objects/definitions")
def list_instance_definitions(instance_id: int):
    _instance(instance_id)
    found = _service().store.definitions(instance_scope(instance_id))
    return jsonify({name: _definition_view(name, doc) for name, doc in found.items()})


@bp.post("/instances/<int:instance_id>/objects/definitions")
def create_instance_definitions(instance_id: int):
    org_id, _ = _instance(instance_id)
    scope = instance_scope(instance_id)
    created = _service().create_definitions(scope, org_id, _definitions_body())
    return jsonify({name: _definition_view(name, doc) for name, doc in created.items()})


@bp.get("/instances/<int:instance_id>/objects/<name>/definitions")
def get_instance_definition(instance_id: int, name: str):
    _instance(instance_id)
    return _get_definition(instance_scope(instance_id), name)


@bp.post("/instances/<int:instance_id>/objects/<name>/definitions")
def create_instance_definition(instance_id: int, name: str):
    org_id, _ = _instance(instance_id)
    return _create_definition(instance_scope(instance_id), org_id, name)


@bp.put("/instances/<int:instance_id>/objects/<name>/definitions")
def replace_instance_definition(instance_id: int, name: str):
    org_id, _ = _instance(instance_id)
    return _replace_definition(instance_scope(instance_id), org_id, name)


@bp.delete("/instances/<int:instance_id>/objects/<name>/definitions")
def delete_instance_definition(instance_id: int, name: str):
    org_id, _ = _instance(instance_id)
    return _delete_definition(instance_scope(instance_id), org_id, name)


def _get_definition(scope: Scope, name: str):
    return jsonify(_definition_view(name, _service().definition(scope, name)))


def _create_definition(scope: Scope, org_id: int, name: str):
    docs = {_named(name): _definition_body()}
    created = _service().create_definitions(scope, org_id, docs)
    return jsonify(_definition_view(name, created[name]))


def _replace_definition(scope: Scope, org_id: int, name: str):
    doc = _service().replace_definition(scope, org_id, name, _definition_body())
    return jsonify(_definition_view(name, doc))


def _delete_definition(scope: Scope, org_id: int, name: str):
    _service().delete_definitions(scope, org_id, [name])
    return jsonify({"objectName": name, "deleted": True})


# -- transformations ------------------------------------------------------------------------------
@bp.get("/organizations/elements/<key_or_id>/transformations")
def list_org_transformations(key_or_id: str):
    _element(key_or_id)
    org_id = _org()
    return jsonify(_service().transformations(org_scope(org_id), org_id))


@bp.get("/organizations/elements/<key_or_id>/transformations/<name>")
def get_org_transformation(key_or_id: str, name: str):
    _element(key_or_id)
    org_id = _org()
    return jsonify(_service().transformation(org_scope(org_id), org_id, name))


@bp.post("/organizations/elements/<key_or_id>/transformations/<name>")
def create_org_transformation(key_or_id: str, name: str):
    _element(key_or_id)
    org_id = _org()
    return _save(org_scope(org_id), org_id, name, None, create=True)


@bp.put("/organizations/elements/<key_or_id>/transformations/<name>")
def replace_org_transformation(key_or_id: str, name: str):
    _element(key_or_id)
    org_id = _org()
    return _save(org_scope(org_id), org_id, name, None, create=False)


@bp.delete("/organizations/elements/<key_or_id>/transformations/<name>")
def delete_org_transformation(key_or_id: str, name: str):
    _element(key_or_id)
    org_id = _org()
    _service().delete_transformations(org_scope(org_id), org_id, [name])
    return jsonify({"objectName": name, "deleted": True})


@bp.get("/instances/<int:instance_id>/transformations")
def list_instance_transformations(instance_id: int):
    org_id, _ = _instance(instance_id)
    return jsonify(_service().transformations(instance_scope(instance_id), org_id))


@bp.delete("/instances/<int:instance_id>/transformations")
def delete_instance_transformations(instance_id: int):
    org_id, _ = _instance(instance_id)
    _service().delete_transformations(instance_scope(instance_id), org_id, None)
    return jsonify({"deleted": True})


@bp.get("/instances/<int:instance_id>/transformations/<name>")
def get_instance_transformation(instance_id: int, name: str):
    org_id, _ = _instance(instance_id)
    return jsonify(_service().transformation(instance_scope(instance_id), org_id, name))


@bp.post("/instances/<int:instance_id>/transformations/<name>")
def create_instance_transformation(instance_id: int, name: str):
    org_id, instance = _instance(instance_id)
    return _save(instance_scope(instance_id), org_id, name, instance, create=True)


@bp.put("/instances/<int:instance_id>/transformations/<name>")
def replace_instance_transformation(instance_id: int, name: str):
    org_id, instance = _instance(instance_id)
    return _save(instance_scope(instance_id), org_id, name, instance, create=False)


@bp.delete("/instances/<int:instance_id>/transformations/<name>")
def delete_instance_transformation(instance_id: int, name: str):
    org_id, _ = _instance(instance_id)
    _service().delete_transformations(instance_scope(instance_id), org_id, [name])
    return jsonify({"objectName": name, "deleted": True})


def _save(scope: Scope, org_id: int, name: str, instance: Instance | None, *, create: bool):
    body = load(TransformationSchema(), request.get_json(), what="transformation")
    ctx = _context(instance) if instance is not None else None
    check = validate.checker(hubs.registry(), ctx)
    view = _service().save_transformation(scope, org_id, name, body, create=create, check=check)
    return jsonify(view)


def _context(instance: Instance) -> HubContext:
    """The instance's Autotask metadata, for checking vendor fields against its database."""
    found = deps()

    def client():
        return autotask_for(
            instance, settings=found.settings, client=get_redis(), keys=found.keys, box=found.box
        )

    return HubContext(client, instance)


# -- common resources and docs --------------------------------------------------------------
@bp.get("/common-resources")
def list_common_resources():
    org_id = _org()
    all_ids = [i.id for i in deps().instances.list_for_org(org_id)]
    return jsonify(_service().common_resources(org_id, all_ids))


@bp.get("/instances/<int:instance_id>/docs")
def instance_docs(instance_id: int):
    org_id, instance = _instance(instance_id)
    registry = hubs.registry()
    virtual = {
        name: (vmap, _base_or_none(registry, vmap.vendor_name))
        for name, vmap in _service().virtual_maps(org_id, instance_id).items()
    }
    server = request.host_url.rstrip("/") + request.script_root + BASE_PATH
    document = views.instance_document(
        instance, server_url=server, normalized=_maps(), virtual=virtual
    )
    return jsonify(document)


def _maps() -> dict[str, Any]:
    return {name: resource.map for name, resource in hubs.registry().normalized.items()}


def _base_or_none(registry: Any, vendor_name: str) -> Any:
    try:
        return registry.base(vendor_name)
    except NotFoundError:
        return None

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
The instance level also answers without an id, on the Element token's instance, as Cloud
Elements did (`/instances/objects/{name}/definitions`, `/instances/transformations/{name}`).
Thin: parse with the schemas, call `VdrService`, answer JSON. Each handler serves both levels;
the ROUTES table registers it under each level's path prefix. The hub serves what these define
through the resolver the composition root (connector.api.deps) gives the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, jsonify, request

from connector.api.context import platform_caller, token_instance
from connector.api.deps import deps, registry, thread_share, virtual
from connector.api.params import flag
from connector.api.thread_share import enter_once, leave_request
from connector.api.virtual_room import check
from connector.errors import NotFoundError, ValidationError, load
from connector.hub.context import HubContext
from connector.tenancy import element
from connector.tenancy.instances import Instance
from connector.virtual import validate, views
from connector.virtual.documents import DEFINITION, TRANSFORMATION
from connector.virtual.inherit import INSTANCE, ORG
from connector.virtual.schemas import DefinitionSchema, TransformationSchema, check_name
from connector.virtual.service import VdrService
from connector.virtual.store import Scope, instance_scope, org_scope

bp = Blueprint("virtual", __name__)


@bp.teardown_request
def _leave_thread_share(_exc: BaseException | None) -> None:
    leave_request(thread_share())


@dataclass(frozen=True)
class Level:
    """Where a call is: the scope of its documents, its organization, and its instance."""

    scope: Scope
    org_id: int
    instance: Instance | None = None


def _service() -> VdrService:
    return virtual()["service"]


def _org() -> int:
    return platform_caller().organization.id


def _org_level(key_or_id: str | None = None) -> Level:
    if key_or_id is not None:  # transformations name the element in their path
        _element(key_or_id)
    org_id = _org()
    return Level(org_scope(org_id), org_id)


def _instance_level(instance_id: int) -> Level:
    org_id, instance = _instance(instance_id)
    return Level(instance_scope(instance_id), org_id, instance)


def _token_level() -> Level:
    instance = token_instance()
    return Level(instance_scope(instance.id), instance.organizationId, instance)


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


def _room_for(at: Level, kind: str, names: list[str]) -> None:
    """Before a save of `names` (DEFINITION or TRANSFORMATION): room for them and the body in
    what the organization's documents leave (connector.api.virtual_room)."""
    instances = deps().instances.list_for_org(at.org_id)
    scopes = [org_scope(at.org_id)] + [instance_scope(i.id) for i in instances]
    store = _service().store
    target = store.definitions_key if kind == DEFINITION else store.transformations_key
    check(store, scopes, target(at.scope), names, len(request.get_data()))  # chunked bodies too


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


def _deleted(name: str | None = None):
    return jsonify({"objectName": name, "deleted": True} if name else {"deleted": True})


# -- definitions --------------------------------------------------------------------------------
def list_definitions(at: Level):
    if at.scope.level == ORG and flag("systemOnly"):
        return jsonify(views.templates(_maps()))
    found = _service().store.definitions(at.scope)
    return jsonify({name: _definition_view(name, doc) for name, doc in found.items()})


def create_definitions(at: Level):
    body = request.get_json(silent=True)
    _room_for(at, DEFINITION, [str(n) for n in body] if isinstance(body, dict) else [])
    created = _service().create_definitions(at.scope, at.org_id, _definitions_body())
    return jsonify({name: _definition_view(name, doc) for name, doc in created.items()})


def delete_definitions(at: Level):
    _service().delete_definitions(at.scope, at.org_id, None)
    return _deleted()


def get_definition(at: Level, name: str):
    return jsonify(_definition_view(name, _service().definition(at.scope, name)))


def create_definition(at: Level, name: str):
    _room_for(at, DEFINITION, [name])
    docs = {_named(name): _definition_body()}
    created = _service().create_definitions(at.scope, at.org_id, docs)
    return jsonify(_definition_view(name, created[name]))


def replace_definition(at: Level, name: str):
    _room_for(at, DEFINITION, [name])
    doc = _service().replace_definition(at.scope, at.org_id, name, _definition_body())
    return jsonify(_definition_view(name, doc))


def delete_definition(at: Level, name: str):
    _service().delete_definitions(at.scope, at.org_id, [name])
    return _deleted(name)


# -- transformations ----------------------------------------------------------------------------
def list_transformations(at: Level):
    return jsonify(_service().transformations(at.scope, at.org_id))


def delete_transformations(at: Level):
    _service().delete_transformations(at.scope, at.org_id, None)
    return _deleted()


def get_transformation(at: Level, name: str):
    return jsonify(_service().transformation(at.scope, at.org_id, name))


def create_transformation(at: Level, name: str):
    return _save(at, name, create=True)


def replace_transformation(at: Level, name: str):
    return _save(at, name, create=False)


def delete_transformation(at: Level, name: str):
    _service().delete_transformations(at.scope, at.org_id, [name])
    return _deleted(name)


def _save(at: Level, name: str, *, create: bool):
    _room_for(at, TRANSFORMATION, [name])
    body = load(TransformationSchema(), request.get_json(), what="transformation")
    ctx = _context(at.instance) if at.instance is not None else None
    check = validate.checker(registry(), ctx)
    view = _service().save_transformation(
        at.scope, at.org_id, name, body, create=create, check=check
    )
    return jsonify(view)


def _context(instance: Instance) -> HubContext:
    """The instance's Autotask metadata, for checking vendor fields against its database."""
    enter_once(thread_share(), instance)  # the check may wait on Autotask
    clients = deps().clients
    return HubContext(lambda: clients(instance), instance)


# -- one table, both levels -----------------------------------------------------------------
IMPLIED = "implied"  # the instance level, its instance implied by the Element token
BOTH, ORG_ONLY, INSTANCE_ONLY = (ORG, INSTANCE, IMPLIED), (ORG,), (INSTANCE, IMPLIED)
PREFIXES = {  # (documents, level) -> the path prefix, and how it becomes a Level
    ("definitions", ORG): ("/organizations/objects", _org_level),
    ("definitions", INSTANCE): ("/instances/<int:instance_id>/objects", _instance_level),
    ("transformations", ORG): ("/organizations/elements/<key_or_id>", _org_level),
    ("transformations", INSTANCE): ("/instances/<int:instance_id>", _instance_level),
    ("definitions", IMPLIED): ("/instances/objects", _token_level),
    ("transformations", IMPLIED): ("/instances", _token_level),
}
ROUTES: list[tuple[str, str, str, Callable[..., Any], tuple[str, ...]]] = [
    ("definitions", "/definitions", "GET", list_definitions, BOTH),
    ("definitions", "/definitions", "POST", create_definitions, BOTH),
    ("definitions", "/definitions", "DELETE", delete_definitions, ORG_ONLY),
    ("definitions", "/<name>/definitions", "GET", get_definition, BOTH),
    ("definitions", "/<name>/definitions", "POST", create_definition, BOTH),
    ("definitions", "/<name>/definitions", "PUT", replace_definition, BOTH),
    ("definitions", "/<name>/definitions", "DELETE", delete_definition, BOTH),
    ("transformations", "/transformations", "GET", list_transformations, BOTH),
    ("transformations", "/transformations", "DELETE", delete_transformations, INSTANCE_ONLY),
    ("transformations", "/transformations/<name>", "GET", get_transformation, BOTH),
    ("transformations", "/transformations/<name>", "POST", create_transformation, BOTH),
    ("transformations", "/transformations/<name>", "PUT", replace_transformation, BOTH),
    ("transformations", "/transformations/<name>", "DELETE", delete_transformation, BOTH),
]


def _at_level(handler: Callable[..., Any], level: Callable[..., Level]) -> Callable[..., Any]:
    def view(**params: Any):
        name = params.pop("name", None)
        at = level(**params)  # instance_id or key_or_id: the rest of the path's parameters
        return handler(at) if name is None else handler(at, name)

    return view


for documents, path, method, handler, levels in ROUTES:
    for level_name in levels:
        prefix, level = PREFIXES[(documents, level_name)]
        bp.add_url_rule(
            prefix + path,
            endpoint=f"{level_name}_{handler.__name__}",
            view_func=_at_level(handler, level),
            methods=[method],
        )


# -- common resources and docs --------------------------------------------------------------
@bp.get("/common-resources")
def list_common_resources():
    org_id = _org()
    all_ids = [i.id for i in deps().instances.list_for_org(org_id)]
    return jsonify(_service().common_resources(org_id, all_ids))


def _maps() -> dict[str, Any]:
    return {name: resource.map for name, resource in registry().normalized.items()}

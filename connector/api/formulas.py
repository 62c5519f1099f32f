"""/formulas: templates, formula instances, executions (Cloud Elements' paths and shapes).

    /formulas                                        GET (?systemOnly=true) POST
    /formulas/{id}                                   GET PUT PATCH DELETE
    /formulas/{id}/instances                         GET POST
    /formulas/{id}/instances/{instanceId}            GET PUT DELETE
    /formulas/instances/{id}/executions              GET POST (manual trigger; ?sync=true)
    /formulas/instances/executions/{executionId}     GET
    /formulas/instances/executions/{id}/retries      PUT

Organization-scoped (`User <secret>, Organization <secret>`). Thin: parse, call the formula
service or engine, render with connector.formulas.views.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, jsonify, request

from connector.api.context import platform_caller
from connector.api.deps import formulas, thread_share
from connector.api.params import flag
from connector.api.thread_share import enter_once_as, leave_request
from connector.errors import BadRequestError, ConflictError, NotFoundError
from connector.formulas import limits, views
from connector.formulas.engine import Engine, blocked
from connector.formulas.environment import FormulaEnv
from connector.formulas.service import FormulaService
from connector.formulas.triggers import BadTriggerError

bp = Blueprint("formulas", __name__)
_CURSOR = re.compile(r"[0-9]{1,15}:[0-9]{1,18}")  # an executions page's cursor: creation ms:id
SYNC_WAIT_SECONDS = 30.0


def _env() -> FormulaEnv:
    return formulas()["env"]


def _service() -> FormulaService:
    return formulas()["service"]


def _body() -> Any:
    if request.content_length and request.content_length > limits.MAX_TEMPLATE_BYTES:
        raise BadRequestError(f"The body is larger than {limits.MAX_TEMPLATE_BYTES} bytes")
    return request.get_json()


# -- templates ---------------------------------------------------------------------------
@bp.post("/formulas")
def create_formula():
    org = platform_caller().organization.id
    return jsonify(views.template_view(_service().create_template(org, _body())))


@bp.get("/formulas")
def list_formulas():
    org = platform_caller().organization.id
    found = _service().templates(org, system_only=flag("systemOnly"))
    return jsonify([views.template_view(doc) for doc in found])


@bp.get("/formulas/<formula_id>")
def get_formula(formula_id: str):
    org = platform_caller().organization.id
    return jsonify(views.template_view(_service().template(org, formula_id)))


@bp.put("/formulas/<formula_id>")
def replace_formula(formula_id: str):
    org = platform_caller().organization.id
    return jsonify(views.template_view(_service().replace_template(org, formula_id, _body())))


@bp.patch("/formulas/<formula_id>")
def patch_formula(formula_id: str):
    org = platform_caller().organization.id
    return jsonify(views.template_view(_service().patch_template(org, formula_id, _body())))


@bp.delete("/formulas/<formula_id>")
def delete_formula(formula_id: str):
    org = platform_caller().organization.id
    _service().delete_template(org, formula_id)
    return jsonify({"id": formula_id, "deleted": True})


# -- formula instances -------------------------------------------------------------------
def _indexed(instance: dict[str, Any]) -> dict[str, Any]:
    from connector.formulas.schedule import index

    doc = _env().store.template_doc(instance["formulaId"])
    template = _env().store.compiled(doc)
    index(_env(), instance, any(t.type == "schedule" for t in template.triggers))
    return views.instance_view(instance, doc)


@bp.post("/formulas/<formula_id>/instances")
def create_instance(formula_id: str):
    caller = platform_caller()
    doc = _service().create_instance(caller.organization.id, caller.user.id, formula_id, _body())
    return jsonify(_indexed(doc))


@bp.get("/formulas/<formula_id>/instances")
def list_instances(formula_id: str):
    org = platform_caller().organization.id
    return jsonify([views.instance_view(d) for d in _service().instances_of(org, formula_id)])


@bp.get("/formulas/<formula_id>/instances/<int:instance_id>")
def get_instance(formula_id: str, instance_id: int):
    org = platform_caller().organization.id
    return jsonify(views.instance_view(_service().instance_of(org, formula_id, instance_id)))


@bp.put("/formulas/<formula_id>/instances/<int:instance_id>")
def replace_instance(formula_id: str, instance_id: int):
    caller = platform_caller()
    doc = _service().replace_instance(
        caller.organization.id, caller.user.id, formula_id, instance_id, _body()
    )
    return jsonify(_indexed(doc))


@bp.delete("/formulas/<formula_id>/instances/<int:instance_id>")
def delete_instance(formula_id: str, instance_id: int):
    org = platform_caller().organization.id
    _service().delete_instance(org, formula_id, instance_id)
    _env().redis.srem(_env().keys.formulas_scheduled(), instance_id)
    return jsonify({"id": instance_id, "deleted": True})


# -- executions --------------------------------------------------------------------------
def _execution(execution_id: int) -> dict[str, Any]:
    org = platform_caller().organization.id
    execution = _env().executions.get(execution_id)
    if execution is None or execution["organizationId"] != org:
        raise NotFoundError(f"No execution {execution_id} in your organization")
    return execution


@bp.get("/formulas/instances/<int:instance_id>/executions")
def list_executions(instance_id: int):
    org = platform_caller().organization.id
    _service().instance(org, instance_id)
    cursor = request.args.get("nextPage") or None
    if cursor is not None and not _CURSOR.fullmatch(cursor):
        raise BadRequestError("nextPage must be the Elements-Next-Page-Token of a page")
    found, following = _env().executions.page_for(instance_id, _page_size(), cursor)
    response = jsonify(found)
    response.headers["Elements-Returned-Count"] = str(len(found))
    if following:
        response.headers["Elements-Next-Page-Token"] = following
    return response


@bp.post("/formulas/instances/<int:instance_id>/executions")
def trigger_execution(instance_id: int):
    org = platform_caller().organization.id
    instance = _service().instance(org, instance_id)
    problem = blocked(instance)
    if problem:
        raise ConflictError(f"Formula instance {instance_id} cannot run: {problem}")
    if not instance["active"]:
        raise ConflictError(f"Formula instance {instance_id} is not active")
    body = _manual_body()
    template = _env().store.compiled(_env().store.template_doc(instance["formulaId"]))
    name = request.args.get("trigger") or None
    trigger = template.trigger(name=name, kind="manual")
    if trigger is None:
        raise BadRequestError(
            f"The formula has no manual trigger{f' named {name}' if name else ''}"
        )
    try:
        trigger.check_body(body, instance["configuration"])
    except BadTriggerError as exc:
        raise BadRequestError(f"Invalid trigger body: {exc}") from None
    sync = flag("sync")
    if sync:  # the wait holds a web thread for up to SYNC_WAIT_SECONDS: within the shares
        enter_once_as(thread_share(), -instance_id, org)
    engine = Engine(_env())
    execution = engine.start(instance, trigger.name, {"body": body})
    if sync:
        execution = engine.wait(execution["id"], SYNC_WAIT_SECONDS) or execution
        return jsonify(views.execution_view(execution))
    return jsonify(views.execution_summary(execution)), 202


@bp.teardown_request
def _leave_thread_share(_exc: BaseException | None) -> None:
    leave_request(thread_share())


@bp.get("/formulas/instances/executions/<int:execution_id>")
def get_execution(execution_id: int):
    return jsonify(views.execution_view(_execution(execution_id)))


@bp.put("/formulas/instances/executions/<int:execution_id>/retries")
def retry_execution(execution_id: int):
    execution = Engine(_env()).retry(_execution(execution_id))
    return jsonify(views.execution_summary(execution))


def _manual_body() -> Any:
    raw = request.get_data(cache=True)
    if len(raw) > limits.MAX_TRIGGER_BYTES:
        raise BadRequestError(f"Invalid trigger body: larger than {limits.MAX_TRIGGER_BYTES} bytes")
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise BadRequestError("Invalid trigger body: not JSON") from None


def _page_size() -> int:
    raw = request.args.get("pageSize", "100")
    if not raw.isdigit() or not 1 <= int(raw) <= 500:
        raise BadRequestError("pageSize must be from 1 to 500")
    return int(raw)

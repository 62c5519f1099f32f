"""The event log API (platform secrets; the instance must be the caller organization's):

    GET  /instances/{id}/events               newest first; ?after=<cursor> oldest first from there
    GET  /instances/{id}/events/status        per resource how changes are found; deliveries
    PUT  /instances/{id}/events/deliveries    resume parked deliveries
    GET  /instances/events/{eventId}          one event, its status and delivery attempts
    POST /instances/events/{eventId}/retries  deliver it again now
Thin: parse, call EventService, answer.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from connector.api.context import platform_caller
from connector.api.deps import deps, events
from connector.errors import NotFoundError, load
from connector.events.schemas import EventPageQuery
from connector.events.service import EventService
from connector.tenancy.instances import Instance

bp = Blueprint("events", __name__)
NEXT_PAGE = "Elements-Next-Page-Token"


def _service() -> EventService:
    return EventService(events())


def _owned(instance_id: int) -> Instance:
    caller = platform_caller()
    instance = deps().instances.get_for_org(instance_id, caller.organization.id)
    if instance is None:
        raise NotFoundError(f"No instance {instance_id} in your organization")
    return instance


@bp.get("/instances/<int:instance_id>/events")
def list_events(instance_id: int):
    instance = _owned(instance_id)
    query = load(EventPageQuery(), request.args.to_dict(), what="query")
    found, token = _service().page(instance, query)
    response = jsonify(found)
    response.headers["Elements-Returned-Count"] = str(len(found))
    if token:
        response.headers[NEXT_PAGE] = token
    return response


@bp.get("/instances/<int:instance_id>/events/status")
def events_status(instance_id: int):
    return jsonify(_service().status(_owned(instance_id)))


@bp.put("/instances/<int:instance_id>/events/deliveries")
def resume_deliveries(instance_id: int):
    return jsonify(_service().resume(_owned(instance_id)))


@bp.get("/instances/events/<event_id>")
def get_event(event_id: str):
    caller = platform_caller()
    _, event = _service().event(event_id, caller.organization.id)
    return jsonify(event)


@bp.post("/instances/events/<event_id>/retries")
def retry_event(event_id: str):
    caller = platform_caller()
    response = jsonify(_service().retry(event_id, caller.organization.id))
    response.status_code = 202
    return response

"""/hubs/{hub}/...: the instance named by the Element token, its resources and records.

Thin: parse the query string, call the hub, send its answer. The hub segment does not pick the
instance (the token does), as in Cloud Elements: any hub segment (`crm`, `helpdesk`,
`general`, ...) and none at all (`/contacts`, see connector.api.segments) serve every resource,
while the platform's own paths keep their routes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, g, jsonify, request

from connector import ceql
from connector.api.context import element_caller
from connector.api.deps import hub_of, registry, thread_share
from connector.api.fast_path import FAILED_READ
from connector.api.params import INSTANCE_ID, check_known, flag
from connector.api.thread_share import enter_once, leave_request
from connector.errors import AuthenticationError, BadRequestError
from connector.hub import budget, render
from connector.hub.answers import Answer
from connector.hub.idempotency import HEADER as IDEMPOTENCY_KEY
from connector.hub.listing import ListQuery, page_number_of, page_size_of
from connector.hub.metadata import cloud_elements_row
from connector.hub.service import Hub

bp = Blueprint("hubs", __name__)
HUB = "<hub>"  # any segment: ignored, as Cloud Elements ignored it
NO_HUB = "<resource:name>"  # a resource with no hub segment: not a platform path
RECORD_ID = "<int(max=9223372036854775807):record_id>"

LIST_PARAMETERS = (
    "where",
    "orderBy",
    "fields",
    "pageSize",
    "nextPage",
    "page",
    "includeTotalCount",
    "raw",
    "explain",
)
# The query parameters each hub call takes (openapi.yaml documents the same; a test holds
# them together); any other name is a 400 before anything is read. Calls not named take none.
PARAMETERS: dict[str, tuple[str, ...]] = {
    "list_records": LIST_PARAMETERS,
    "list_children": LIST_PARAMETERS,
    "get_record": ("fields", "raw"),
    "object_metadata": ("customFieldsOnly",),
}


@bp.before_request
def _known_parameters() -> None:
    check_known(PARAMETERS.get((request.endpoint or "").rpartition(".")[2], ()))


def _hub(*, allow_disabled: bool = False) -> Hub:
    caller = element_caller(allow_disabled=allow_disabled)
    if caller.instance is None:  # element_caller refuses a token of no instance already
        raise AuthenticationError("Unknown or deleted instance token")
    enter_once(thread_share(), caller.instance)  # a 429 at once past the instance's share
    the_hub = hub_of(current_app, caller.instance)
    g.hub = the_hub  # for the budget headers, on errors too
    return the_hub


@bp.after_request
def _budget_headers(response: Response) -> Response:
    the_hub = g.get("hub")
    if the_hub is not None:
        response.headers.update(budget.headers(the_hub.ctx))
    return response


@bp.teardown_request
def _leave_thread_share(_exc: BaseException | None) -> None:
    leave_request(thread_share())


def _send(answer: Answer, hub: Hub) -> Response:
    response = Response(answer.text(), status=answer.status, mimetype="application/json")
    for name, value in answer.headers.items():
        response.headers[name] = value
    response.headers[INSTANCE_ID] = str(hub.instance.id)
    return response


def _fields() -> list[str] | None:
    raw = request.args.get("fields")
    return ceql.parse_fields(raw) if raw and raw.strip() else None


def _list_query() -> ListQuery:
    return ListQuery(
        where=request.args.get("where"),
        order_by=request.args.get("orderBy"),
        fields=_fields(),
        page_size=page_size_of(request.args.get("pageSize")),
        next_page=request.args.get("nextPage") or None,
        include_total=flag("includeTotalCount"),
        raw=flag("raw"),
        explain=flag("explain"),
        page=page_number_of(request.args.get("page")),  # beside nextPage, the token wins
    )


@bp.get(f"/hubs/{HUB}/ping")
@bp.get("/ping")
def ping(hub: str | None = None):
    the_hub = _hub()
    the_hub.client.probe()
    return _send(
        Answer(
            render.dumps(
                {
                    "endpoint": "autotaskcrm",
                    "instanceId": the_hub.instance.id,
                    "dateTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "zone": the_hub.instance.zone.get("name"),
                }
            )
        ),
        the_hub,
    )


@bp.get(f"/hubs/{HUB}/objects")
@bp.get("/objects")
def objects(hub: str | None = None):
    caller = element_caller(allow_disabled=True)  # /objects answers on a disabled instance too
    return jsonify(registry().names(caller.instance))


@bp.get(f"/hubs/{HUB}/objects/<name>/metadata")
@bp.get("/objects/<name>/metadata")
def object_metadata(name: str, hub: str | None = None):
    the_hub = _hub(allow_disabled=True)
    fields = [cloud_elements_row(row) for row in the_hub.resource(name).describe(the_hub.ctx)]
    if flag("customFieldsOnly"):
        fields = [f for f in fields if f.get("custom")]
    return _send(Answer(render.dumps({"fields": fields})), the_hub)


@bp.get(f"/hubs/{HUB}/<name>")
@bp.get(f"/{NO_HUB}")
def list_records(name: str, hub: str | None = None):
    the_hub = _hub()
    return _send(the_hub.list(name, _list_query()), the_hub)


@bp.post(f"/hubs/{HUB}/<name>")
@bp.post(f"/{NO_HUB}")
def create_record(name: str, hub: str | None = None):
    the_hub = _hub()
    key = request.headers.get(IDEMPOTENCY_KEY)
    answer = the_hub.create(name, request.get_json(), idempotency_key=key, raw=request.get_data())
    return _send(answer, the_hub)


@bp.get(f"/hubs/{HUB}/<name>/{RECORD_ID}")
@bp.get(f"/{NO_HUB}/{RECORD_ID}")
def get_record(name: str, record_id: int, hub: str | None = None):
    failed = request.environ.pop(FAILED_READ, None)
    if failed is not None:  # the fast path read it and failed: render that failure, once
        element_caller()  # the caller it found (no look-up), for the log line
        g.hub, error = failed  # for the budget headers
        raise error
    the_hub = _hub()
    return _send(the_hub.get(name, record_id, _fields(), raw=flag("raw")), the_hub)


@bp.patch(f"/hubs/{HUB}/<name>/{RECORD_ID}")
@bp.patch(f"/{NO_HUB}/{RECORD_ID}")
def update_record(name: str, record_id: int, hub: str | None = None):
    the_hub = _hub()
    return _send(the_hub.update(name, record_id, request.get_json()), the_hub)


@bp.delete(f"/hubs/{HUB}/<name>/{RECORD_ID}")
@bp.delete(f"/{NO_HUB}/{RECORD_ID}")
def delete_record(name: str, record_id: int, hub: str | None = None):
    the_hub = _hub()
    return _send(the_hub.delete(name, record_id), the_hub)


@bp.get(f"/hubs/{HUB}/<name>/{RECORD_ID}/<child>")
@bp.get(f"/{NO_HUB}/{RECORD_ID}/<child>")
def list_children(name: str, record_id: int, child: str, hub: str | None = None):
    the_hub = _hub()
    return _send(the_hub.list(name, _list_query(), parent=(child, record_id)), the_hub)


@bp.route(f"/hubs/{HUB}/<name>/<record_id>", methods=["GET", "PATCH", "DELETE"])
@bp.route(f"/hubs/{HUB}/<name>/<record_id>/<child>", methods=["GET"])
def not_an_id(hub: str, name: str, record_id: str, child: str | None = None):
    """A record path whose id is no integer (`contacts/abc`): say so, rather than a 404.
    Without a hub segment such a path stays a 404: `/no/such/route` is no record path."""
    raise BadRequestError(
        f"The id in /hubs/{hub}/{name}/{record_id} must be a whole number from 0 to "
        "9223372036854775807"
    )

"""Admin endpoints under `/_sandbox` (JSON, no authentication; documented in the README).

GET/DELETE requests   the log of Autotask API requests received (`path_contains`, `method`,
                      `since_id` filter it)
GET/POST/DELETE faults  injected latency, 500s, 429 bursts, dropped connections
GET/POST config       tunables: threshold, latencies, thread limit, webhook timings, users
POST reseed           wipe and seed again (`records`, `seed_counts`, `seed`)
GET records/{Entity}/{id}, GET counts   direct reads for assertions
DELETE records/{Entity}/{id}   delete as a user of the Autotask UI would (tickets included)
GET webhooks/events   the webhook outbox (pending, delivered and failed callouts)
GET health
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from connector.sandbox import faults, requestlog, writes
from connector.sandbox.errors import SandboxError
from connector.sandbox.records import fetch_one
from connector.sandbox.seed import seed_store
from connector.sandbox.settings import DEFAULT_USERNAME, DEFAULTS, unknown_settings
from connector.sandbox.store import quote

blueprint = Blueprint("sandbox_admin", __name__, url_prefix="/_sandbox")


def _runtime():
    return current_app.extensions["sandbox"]


def _bad(message: str, status: int = 400):
    response = jsonify({"error": message})
    response.status_code = status
    return response


@blueprint.get("/health")
def health():
    return jsonify({"status": "ok"})


@blueprint.get("/requests")
def list_requests():
    with _runtime().store.read() as conn:
        entries = requestlog.entries(
            conn,
            path_contains=request.args.get("path_contains"),
            method=request.args.get("method"),
            since_id=int(request.args.get("since_id", 0)),
        )
    return jsonify({"requests": entries})


@blueprint.delete("/requests")
def clear_requests():
    with _runtime().store.write() as conn:
        requestlog.clear(conn)
    return jsonify({"cleared": True})


@blueprint.get("/faults")
def list_faults():
    with _runtime().store.read() as conn:
        return jsonify({"faults": faults.active(conn)})


@blueprint.post("/faults")
def add_faults():
    body = request.get_json(silent=True)
    specs = body.get("faults") if isinstance(body, dict) and "faults" in body else [body]
    try:
        checked = [faults.validate(spec) for spec in specs]
    except (ValueError, TypeError) as error:
        return _bad(str(error))
    with _runtime().store.write() as conn:
        ids = [faults.add(conn, spec) for spec in checked]
    return jsonify({"ids": ids})


@blueprint.delete("/faults")
def clear_faults():
    with _runtime().store.write() as conn:
        faults.clear(conn)
    return jsonify({"cleared": True})


def _visible(settings: dict[str, Any]) -> dict[str, Any]:
    users = [{**user, "secret": "****"} for user in settings.get("api_users") or []]
    return {**settings, "api_users": users}


@blueprint.get("/config")
def get_config():
    return jsonify(_visible(_runtime().store.config_values()))


@blueprint.route("/config", methods=["POST", "PATCH"])
def set_config():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _bad("the body must be a JSON object of settings")
    if body.get("reset"):
        body = {**DEFAULTS, **{k: v for k, v in body.items() if k != "reset"}}
    unknown = unknown_settings(body)
    if unknown:
        return _bad(f"unknown settings: {', '.join(unknown)}")
    store = _runtime().store
    store.set_config_values(body)
    return jsonify(_visible(store.config_values()))


@blueprint.post("/reseed")
def reseed():
    body = request.get_json(silent=True) or {}
    runtime = _runtime()
    started = time.perf_counter()
    runtime.store.wipe()
    counts = seed_store(
        runtime.store,
        records=int(body.get("records", runtime.config.records)),
        seed_counts=body.get("seed_counts") or {},
        seed=int(body.get("seed", runtime.config.seed)),
    )
    return jsonify({"counts": counts, "seconds": round(time.perf_counter() - started, 3)})


@blueprint.get("/records/<name>/<int:record_id>")
def read_record(name: str, record_id: int):
    runtime = _runtime()
    entity = runtime.catalog.entity(name)
    if entity is None:
        return _bad(f"unknown entity {name}", 404)
    with runtime.store.read() as conn:
        return jsonify({"item": fetch_one(conn, entity, record_id)})


def _ui_user(conn, wanted: str | None) -> int | None:
    """Who deletes in the UI: `resourceID` when it names an active resource, else the first
    active staff resource (not the API user, whom webhooks often exclude)."""
    if wanted is not None:
        row = conn.execute(
            'SELECT id FROM "Resources" WHERE id = ? AND "isActive" = 1',
            (int(wanted) if wanted.isascii() and wanted.isdigit() else None,),
        ).fetchone()
        return row[0] if row else None
    row = conn.execute(
        'SELECT id FROM "Resources" WHERE "isActive" = 1 AND "userName" != ? ORDER BY id LIMIT 1',
        (DEFAULT_USERNAME,),
    ).fetchone()
    return row[0] if row else None


@blueprint.delete("/records/<name>/<int:record_id>")
def delete_record(name: str, record_id: int):
    """Delete as the Autotask UI does: the entity's rules run (a ticket leaves a
    DeletedTicketLogs row), and subscribed webhooks get their Delete callouts."""
    runtime = _runtime()
    entity = runtime.catalog.entity(name)
    if entity is None:
        return _bad(f"unknown entity {name}", 404)
    if not entity.ui_delete:
        return _bad(f"{entity.name} cannot be deleted in Autotask (deactivate them instead)", 409)
    try:
        with runtime.store.write() as conn:  # an error rolls the whole delete back
            actor = _ui_user(conn, request.args.get("resourceID"))
            if actor is None:
                return _bad("resourceID must name an active resource")
            w = writes.WriteContext(
                conn=conn,
                catalog=runtime.catalog,
                entity=entity,
                actor_id=actor,
                settings=runtime.store.config_values(conn),
            )
            writes.delete(w, record_id)
            runtime.on_changes(conn, w)
    except SandboxError as error:
        return _bad(str(error), 404)
    return jsonify({"itemId": record_id, "deletedByResourceID": actor})


@blueprint.get("/counts")
def counts():
    runtime = _runtime()
    with runtime.store.read() as conn:
        result = {
            entity.name: conn.execute(f"SELECT COUNT(*) FROM {quote(entity.table)}").fetchone()[0]
            for entity in runtime.catalog.entities.values()
        }
    return jsonify(result)


@blueprint.get("/webhooks/events")
def webhook_events():
    with _runtime().store.read() as conn:
        rows = conn.execute(
            "SELECT id, webhook_entity, webhook_id, action, entity_id, attempts, status, "
            "last_error FROM _webhook_events ORDER BY id"
        )
        names = [d[0] for d in rows.description]
        return jsonify({"events": [dict(zip(names, row, strict=True)) for row in rows]})

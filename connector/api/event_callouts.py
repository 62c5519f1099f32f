"""POST /events/autotaskcrm/{hookId}: Autotask's webhook callouts, and its deactivation call.

No Authorization header: Autotask signs each callout (`X-Hook-Signature`) with the secret key
the connector gave the webhook, and the random hook id names the instance. Thin: read the
exact bytes, call the intake, answer at once (Autotask gives up after 10 s).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from connector.api.deps import webhooks
from connector.events.webhooks.intake import MAX_BODY_BYTES, CalloutIntake
from connector.events.webhooks.signature import HEADER

bp = Blueprint("event_callouts", __name__)
HOOK = "/events/autotaskcrm/<string(maxlength=128):hook_id>"


def _accept(hook_id: str):
    if (request.content_length or 0) > MAX_BODY_BYTES:
        body = b"x" * (MAX_BODY_BYTES + 1)  # refused by the intake, unread
    else:
        body = request.get_data(cache=False)
    outcome = CalloutIntake(webhooks()).accept(hook_id, body, request.headers.get(HEADER))
    return jsonify({"status": outcome})


@bp.post(HOOK)
def callout(hook_id: str):
    return _accept(hook_id)


@bp.post(HOOK + "/deactivation")
def deactivation(hook_id: str):
    """Autotask calls it when it switched the webhook off (25 failed callouts)."""
    return _accept(hook_id)

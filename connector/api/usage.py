"""GET /instances/{id}/usage: the instance's Autotask calls per hour over the last 24 hours.

Thin: the caller's organization must own the instance; the figures come from
connector.observability.usage (Redis only, never an Autotask call). A call's figures are sent
just after its answer (autotask/limits/releaser.py): this process's are waited for first;
another worker's show within that moment.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from connector.api.context import platform_caller
from connector.api.deps import deps
from connector.autotask.limits import releaser
from connector.errors import NotFoundError
from connector.observability import usage
from connector.storage.redis_conn import get_redis

bp = Blueprint("usage", __name__)


@bp.get("/instances/<int:instance_id>/usage")
def instance_usage(instance_id: int):
    caller = platform_caller()
    instance = deps().instances.get_for_org(instance_id, caller.organization.id)
    if instance is None:
        raise NotFoundError(f"No instance {instance_id} in your organization")
    releaser.flush()  # this process's last calls' figures are sent after their answers
    return jsonify(usage.usage(get_redis(), deps().keys, instance.id))

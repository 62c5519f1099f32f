"""How each watched resource's deletions are found, and why: the webhook's Delete callouts,
DeletedTicketLogs (incidents), the reconcile sweep, or nothing (Companies are never deleted).

`event.poller.reconcile_interval` is in minutes like `event.poller.refresh_interval`
(default 1440, one day; 0 turns the sweep off); its range is connector.events.config's.
"""

from __future__ import annotations

from dataclasses import dataclass

from connector.errors import ConnectorError
from connector.events import config
from connector.events.deletions.store import DeletionStore
from connector.events.webhooks.env import WebhookEnv
from connector.events.webhooks.sync import watched_resources, webhook_resources
from connector.tenancy.instances import Instance

RECONCILE_KEY = config.RECONCILE_INTERVAL
DELETED_TICKETS = "DeletedTicketLogs"
NEVER_DELETED = {
    "Companies": "Autotask never deletes companies: a deactivation is an UPDATED event"
}
WEBHOOK, LOG, RECONCILE, NONE = "webhook", DELETED_TICKETS, "reconcile", "none"


def reconcile_minutes(instance: Instance, env: WebhookEnv) -> float:
    """The instance's sweep interval in minutes (0: off); a stored value no longer valid
    counts as the default."""
    return config.reconcile_minutes(instance.config_value(RECONCILE_KEY, env.box))


@dataclass(frozen=True)
class DeletionSource:
    resource: str
    entity: str | None
    source: str  # webhook, DeletedTicketLogs, reconcile, none
    reason: str


def plan(env: WebhookEnv, instance: Instance) -> list[DeletionSource]:
    served = webhook_resources(env, instance.id)
    refused = DeletionStore(env.redis, env.keys).refusals(instance.id)
    minutes = reconcile_minutes(instance, env)
    found = []
    for resource in watched_resources(instance, env.box):
        try:
            entity = env.registry.resolve(resource, instance).entity
        except ConnectorError:
            continue  # not a resource of this instance: the events configuration says so
        if entity in NEVER_DELETED:
            found.append(DeletionSource(resource, entity, NONE, NEVER_DELETED[entity]))
        elif resource in served:
            found.append(DeletionSource(resource, entity, WEBHOOK, "the webhook's Delete callouts"))
        elif entity == "Tickets" and DELETED_TICKETS not in refused:
            reason = f"{DELETED_TICKETS}, polled with the resource"
            found.append(DeletionSource(resource, entity, LOG, reason))
        else:
            why = f"{refused[DELETED_TICKETS]}; " if entity == "Tickets" else ""
            if minutes:
                reason = f"{why}an id sweep every {minutes:g} minutes ({RECONCILE_KEY})"
                found.append(DeletionSource(resource, entity, RECONCILE, reason))
            else:
                reason = f"{why}{RECONCILE_KEY} is 0: deletions are not reported"
                found.append(DeletionSource(resource, entity, NONE, reason))
    return found


def status(env: WebhookEnv, instance_id: int) -> dict[str, dict[str, str]]:
    """Per watched resource, `deletions` (its source) and `deletionsReason`; for the event
    status route."""
    instance = env.instances.get(instance_id)
    if instance is None:
        return {}
    return {
        item.resource: {"deletions": item.source, "deletionsReason": item.reason}
        for item in plan(env, instance)
    }

"""The reconcile sweep: for a watched resource whose deletions neither a webhook nor
DeletedTicketLogs reports, read every id (ids only: ceil(N/500) calls) and report the ids the
previous sweep saw that are gone, as DELETED changes with source `reconcile`.

A deleted record is deleted once, so its change's version is constant and a sweep repeated
after a crash yields the same eventId. The first sweep only learns the ids.
"""

from __future__ import annotations

from collections.abc import Callable

from connector.events.changes import Change
from connector.events.deletions.plan import RECONCILE, plan
from connector.events.deletions.store import DeletionStore
from connector.events.webhooks.env import WebhookEnv
from connector.events.webhooks.store import utc_now
from connector.tenancy.instances import Instance

VERSION = "deleted"


class ReconcileSweep:
    def __init__(self, env: WebhookEnv) -> None:
        self.env = env
        self.store = DeletionStore(env.redis, env.keys)

    def sweep(self, instance: Instance, sink: Callable[[list[Change]], object]) -> dict[str, int]:
        """Sweep every resource the plan gives to the reconcile; answers, per resource, how
        many ids disappeared (-1 for a first sweep, which only learns them)."""
        found: dict[str, int] = {}
        client = None
        for item in plan(self.env, instance):
            if item.source != RECONCILE or item.entity is None:
                continue
            client = client or self.env.clients(instance)
            # the whole entity, not the resource's fixed filter: a lead that became a
            # customer left the filter but was not deleted
            ids = [int(row["id"]) for row in client.query(item.entity, None, ["id"])]
            gone = self.store.stage_ids(instance.id, item.resource, ids)
            if gone:
                now = utc_now()
                sink(
                    [
                        Change(
                            instance_id=instance.id,
                            resource=item.resource,
                            entity=item.entity,
                            object_id=object_id,
                            event_type="DELETED",
                            source="reconcile",
                            changed_at=now,
                            version=VERSION,
                        )
                        for object_id in gone
                    ]
                )
            self.store.commit_ids(instance.id, item.resource)
            found[item.resource] = -1 if gone is None else len(gone)
        return found

"""Fairness in the web tier: one instance never holds more than its share of a worker's
threads, and upstream work never takes a worker's last thread.

Every request that may wait on Autotask (the hub's, a bulk job's start, an instance-level
virtual-resource save that checks fields against the instance's metadata) or on a worker (a
formula's `?sync=true` execution, up to 30 s) enters
`ThreadShare` for its instance (`enter_once`) and leaves when its response is done
(`leave_request`, a blueprint's teardown). Past `per_instance` requests of one instance, past as
many of one organization's instances together (a tenant makes as many instances as it likes, so
a share per instance alone let one tenant's few instances hold every thread), or past
`total` hub requests in this process (threads - 1: one thread stays free for `/health`, the
platform routes and the other instances' short calls), it is refused at once with a 429 and
`Retry-After`, never queued. The counts are per process, as gunicorn's threads are.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from flask import g

from connector.errors import ConnectorError

if TYPE_CHECKING:
    from connector.tenancy.instances import Instance

RETRY_AFTER_SECONDS = 1


class InstanceBusyError(ConnectorError):
    status = 429
    code = "instance_busy"


class ThreadShare:
    def __init__(self, threads: int, share: float) -> None:
        self.threads = max(1, threads)
        self.per_instance = max(1, int(self.threads * share))
        self.per_organization = self.per_instance
        self.total = max(1, self.threads - 1)
        self._lock = threading.Lock()
        self._running: dict[int, int] = {}
        self._organizations: dict[int, int] = {}
        self._busy = 0

    def enter(self, instance_id: int, organization_id: int) -> None:
        """Take a thread for `instance_id` of `organization_id`; InstanceBusyError when the
        instance's share, its organization's share or all threads are taken."""
        with self._lock:
            mine = self._running.get(instance_id, 0)
            ours = self._organizations.get(organization_id, 0)
            if mine >= self.per_instance:
                which = "this instance's share of"
            elif ours >= self.per_organization:
                which = "this organization's share of"
            elif self._busy >= self.total:
                which = "all"
            else:
                self._running[instance_id] = mine + 1
                self._organizations[organization_id] = ours + 1
                self._busy += 1
                return
        raise InstanceBusyError(
            f"Too many requests at once: {which} the service's threads for Autotask work are "
            f"taken ({self.per_instance} per instance and per organization); retry shortly",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    def leave(self, instance_id: int, organization_id: int) -> None:
        with self._lock:
            _take_one(self._running, instance_id)
            _take_one(self._organizations, organization_id)
            self._busy = max(0, self._busy - 1)

    def running(self, instance_id: int) -> int:
        with self._lock:
            return self._running.get(instance_id, 0)

    def running_for_organization(self, organization_id: int) -> int:
        with self._lock:
            return self._organizations.get(organization_id, 0)


def _take_one(counts: dict[int, int], key: int) -> None:
    left = counts.get(key, 0) - 1
    if left > 0:
        counts[key] = left
    else:
        counts.pop(key, None)


def enter_once(share: ThreadShare, instance: Instance) -> None:
    """This request takes a thread for `instance` (once, however often it asks)."""
    enter_once_as(share, instance.id, instance.organizationId)


def enter_once_as(share: ThreadShare, key: int, organization_id: int) -> None:
    """As `enter_once`, for work counted under `key` instead of an element instance's id (a
    formula instance's synchronous execution counts as -its id: never as an element instance)."""
    if "thread_share" not in g:
        share.enter(key, organization_id)  # a 429 at once past a share
        g.thread_share = (key, organization_id)


def leave_request(share: ThreadShare) -> None:
    """At the request's teardown: give back what `enter_once` took, if anything."""
    taken = g.pop("thread_share", None)
    if taken is not None:
        share.leave(*taken)

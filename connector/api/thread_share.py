"""Fairness in the web tier: one instance never holds more than its share of a worker's
threads, and upstream work never takes a worker's last thread.

Every request that may wait on Autotask (the hub's, a bulk job's start, an instance-level
virtual-resource save that checks fields against the instance's metadata) enters
`ThreadShare` for its instance (`enter_once`) and leaves when its response is done
(`leave_request`, a blueprint's teardown). Past `per_instance` requests of one instance, or past
`total` hub requests in this process (threads - 1: one thread stays free for `/health`, the
platform routes and the other instances' short calls), it is refused at once with a 429 and
`Retry-After`, never queued. The counts are per process, as gunicorn's threads are.
"""

from __future__ import annotations

import threading

from flask import g

from connector.errors import ConnectorError

RETRY_AFTER_SECONDS = 1


class InstanceBusyError(ConnectorError):
    status = 429
    code = "instance_busy"


class ThreadShare:
    def __init__(self, threads: int, share: float) -> None:
        self.threads = max(1, threads)
        self.per_instance = max(1, int(self.threads * share))
        self.total = max(1, self.threads - 1)
        self._lock = threading.Lock()
        self._running: dict[int, int] = {}
        self._busy = 0

    def enter(self, instance_id: int) -> None:
        """Take a thread for `instance_id`; InstanceBusyError when its share is taken."""
        with self._lock:
            mine = self._running.get(instance_id, 0)
            if mine >= self.per_instance or self._busy >= self.total:
                which = "this instance's share of" if mine >= self.per_instance else "all"
                raise InstanceBusyError(
                    f"Too many requests at once: {which} the service's threads for Autotask "
                    f"work are taken ({self.per_instance} per instance); retry shortly",
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                )
            self._running[instance_id] = mine + 1
            self._busy += 1

    def leave(self, instance_id: int) -> None:
        with self._lock:
            left = self._running.get(instance_id, 0) - 1
            if left > 0:
                self._running[instance_id] = left
            else:
                self._running.pop(instance_id, None)
            self._busy = max(0, self._busy - 1)

    def running(self, instance_id: int) -> int:
        with self._lock:
            return self._running.get(instance_id, 0)


def enter_once(share: ThreadShare, instance_id: int) -> None:
    """This request takes a thread for `instance_id` (once, however often it asks)."""
    if "thread_share" not in g:
        share.enter(instance_id)  # a 429 at once past the instance's share
        g.thread_share = instance_id


def leave_request(share: ThreadShare) -> None:
    """At the request's teardown: give back what `enter_once` took, if anything."""
    instance_id = g.pop("thread_share", None)
    if instance_id is not None:
        share.leave(instance_id)

"""Turning the stream of accepted callouts into `Change`s for the pipeline.

Workers read the stream as one consumer group: each callout goes to one of them; it is
acknowledged and deleted only after the changes were handed on, and a callout a dead worker
held is claimed again after `CLAIM_IDLE_MS`. Handing the same callout on twice is harmless:
its changes carry the same versions, so the pipeline derives the same eventIds.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from typing import Any

import redis

from connector.errors import BadRequestError
from connector.events.changes import Change
from connector.events.webhooks import callouts
from connector.events.webhooks.entities import by_entity_type
from connector.events.webhooks.env import WebhookEnv
from connector.events.webhooks.registration import Registrar
from connector.events.webhooks.store import HookStore

log = logging.getLogger("connector.events")

GROUP = "drain"
BATCH = 500
CLAIM_IDLE_MS = 60_000

Sink = Callable[[list[Change]], object]


def consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class CalloutDrain:
    def __init__(self, env: WebhookEnv) -> None:
        self.env = env
        self.store = HookStore(env)
        self.stream = env.keys.webhook_callouts()
        self.deactivated: set[int] = set()  # instances whose webhooks' modes may have changed

    def _group(self) -> None:
        try:
            self.env.redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    def _take(self, count: int) -> list[tuple[str, dict[str, str]]]:
        """Callouts a dead consumer held for too long, then new ones."""
        me = consumer_name()
        claimed = self.env.redis.xautoclaim(
            self.stream, GROUP, me, min_idle_time=CLAIM_IDLE_MS, start_id="0-0", count=count
        )
        entries = [e for e in claimed[1] if e[1]]  # entries deleted meanwhile come back empty
        if len(entries) < count:
            fresh = self.env.redis.xreadgroup(
                GROUP, me, {self.stream: ">"}, count=count - len(entries)
            )
            for _stream, items in fresh or []:
                entries += items
        return entries

    def drain(self, sink: Sink, count: int = BATCH) -> int:
        """Hand the changes of up to `count` callouts to `sink`; answers how many callouts
        were taken (0: the stream is empty)."""
        self._group()
        entries = self._take(count)
        if not entries:
            return 0
        changes: list[Change] = []
        for _entry_id, fields in entries:
            changes += self._changes(int(fields["instance"]), fields)
        if changes:
            sink(changes)
        ids = [entry_id for entry_id, _ in entries]
        with self.env.redis.pipeline() as pipe:
            pipe.xack(self.stream, GROUP, *ids)
            pipe.xdel(self.stream, *ids)
            pipe.execute()
        return len(entries)

    def _changes(self, instance_id: int, fields: dict[str, str]) -> list[Change]:
        try:
            callout = callouts.parse(fields["body"].encode("utf-8"))
        except BadRequestError:  # checked at intake; a foreign entry is skipped, not retried
            return []
        instance = self.env.instances.get(instance_id)
        if instance is None:
            return []  # deleted since: nothing to report to
        if callout.action == callouts.DEACTIVATED:
            Registrar(self.env).reactivate(instance, callout.guid)
            self.deactivated.add(instance_id)
            return []
        webhooks = self.store.webhooks(instance_id)
        for entity, record in webhooks.items():
            if record.get("guid") == callout.guid:
                return callouts.to_changes(
                    callout, instance_id, entity, record["resources"], fields["received"]
                )
        target = by_entity_type(callout.entity_type)  # a webhook registered before a restart
        if target is not None and target.entity in webhooks:
            record = webhooks[target.entity]
            return callouts.to_changes(
                callout, instance_id, target.entity, record["resources"], fields["received"]
            )
        log.info("callout of an unknown webhook of instance %s dropped", instance_id)
        return []


MAX_BATCHES_PER_TICK = 20  # 10,000 callouts a tick; the rest wait for the next tick


def drain_into_pipeline(env: WebhookEnv, events: Any) -> int:
    """Hand accepted callouts to the events pipeline (`submit`: read-back in batches,
    rendering, the event log, delivery) until the stream is empty or the tick's share is
    done; answers how many callouts were taken."""
    from connector.events import pipeline

    drain = CalloutDrain(env)
    taken = 0
    for _ in range(MAX_BATCHES_PER_TICK):
        count = drain.drain(lambda changes: pipeline.submit(events, changes))
        taken += count
        if count < BATCH:
            break
    if drain.deactivated:  # a webhook Autotask would not turn back on: its resources are polled
        from connector.events import polling

        for instance_id in drain.deactivated:
            instance = events.instance(instance_id)
            settings = events.settings_of(instance) if instance is not None else None
            polling.on_change(events, instance_id, settings)
    return taken


def drain_job() -> int:
    """RQ job (every second, once per tick across the workers): the callouts to the pipeline."""
    from connector import jobs
    from connector.events.env import EventsEnv
    from connector.events.webhooks.env import EXTENSION

    app = jobs.current().app
    return drain_into_pipeline(app.extensions[EXTENSION], EventsEnv.of_app(app))

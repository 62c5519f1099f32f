"""Periodic jobs that run once per tick, however many workers on however many hosts.

A schedule is a row in a hash (its kind, function and interval) and its next due time in a
sorted set. Every worker looks at the sorted set about twice a second and takes only what is
due (ZRANGEBYSCORE), so thousands of schedules cost nothing between their ticks. The tick of
a schedule is `floor(now / every)`; whoever sets the tick's lock (SET NX, expiring after two
intervals) enqueues that tick's job and moves the due time to the next tick. Ticks missed
while no worker ran are not caught up: the next look runs the current one.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from typing import Any

import redis

from connector.jobs.queues import KINDS, Jobs, dotted

log = logging.getLogger("connector.jobs")

MIN_EVERY = 1.0
BATCH = 500  # due schedules taken per look; the rest wait for the next look


class Schedules:
    def __init__(self, jobs: Jobs, client: redis.Redis) -> None:
        self.jobs = jobs
        self.redis = client
        self.keys = jobs.keys

    def put(
        self, name: str, kind: str, func: Callable[..., Any] | str, *args: Any, every: float
    ) -> None:
        """Run `func(*args)` on `kind`'s queue every `every` seconds (args are plain JSON, e.g.
        an instance id and a resource); a put of a name replaces it."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind of job: {kind!r}")
        if not (isinstance(every, int | float) and math.isfinite(every) and every >= MIN_EVERY):
            raise ValueError(f"a schedule runs at most every {MIN_EVERY} s")
        definition = json.dumps(
            {"kind": kind, "func": dotted(func), "args": list(args), "every": float(every)}
        )
        with self.redis.pipeline() as pipe:
            pipe.hset(self.keys.jobs_schedules(), name, definition)
            pipe.zadd(self.keys.jobs_schedules_due(), {name: time.time()})
            pipe.execute()

    def remove(self, name: str) -> None:
        with self.redis.pipeline() as pipe:
            pipe.hdel(self.keys.jobs_schedules(), name)
            pipe.zrem(self.keys.jobs_schedules_due(), name)
            pipe.execute()

    def names(self) -> list[str]:
        return sorted(_text(n) for n in self.redis.hkeys(self.keys.jobs_schedules()))

    def run_due(self, now: float | None = None) -> list[str]:
        """Enqueue the job of every schedule due by `now` whose tick nobody took yet; answers
        the names this call enqueued."""
        now = time.time() if now is None else now
        due = self.redis.zrangebyscore(self.keys.jobs_schedules_due(), "-inf", now, 0, BATCH)
        started = []
        for raw_name in due:
            name = _text(raw_name)
            raw = self.redis.hget(self.keys.jobs_schedules(), name)
            if raw is None:  # removed meanwhile
                self.redis.zrem(self.keys.jobs_schedules_due(), name)
                continue
            schedule = json.loads(raw)
            every = float(schedule["every"])
            tick = int(now // every)
            lock = self.keys.jobs_tick(name, tick)
            if self.redis.set(lock, "1", nx=True, px=int(2 * every * 1000)):
                job_id = f"schedule-{name}-{tick}"
                self.jobs.enqueue(
                    schedule["kind"], schedule["func"], *schedule.get("args", []), job_id=job_id
                )
                started.append(name)
            # the next tick (xx: a schedule removed meanwhile stays removed)
            self.redis.zadd(self.keys.jobs_schedules_due(), {name: (tick + 1) * every}, xx=True)
        return started


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)

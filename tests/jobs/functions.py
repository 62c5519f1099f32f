"""The job functions the tests' real workers run: each records what it saw in Redis, under
the worker's own key prefix, through the app the worker built (connector.jobs.current)."""

from __future__ import annotations

import json
import os
import time

from rq import get_current_job

from connector import jobs


def _redis():
    return jobs.current().app.extensions["connector.redis"]["client"]


def _key(name: str) -> str:
    return f"{jobs.current().settings.key_prefix}test:{name}"


def record(name: str, *args):
    """Append this run (its arguments, time, job id, process and app) to list `name`."""
    run = {
        "args": list(args),
        "at": time.time(),
        "job": get_current_job().id,
        "pid": os.getpid(),
        "app": id(jobs.current().app),
    }
    _redis().rpush(_key(name), json.dumps(run))
    return args


def fail_first(name: str, failures: int) -> int:
    """Fail the first `failures` runs, then succeed; every run's time goes to list `name`."""
    client = _redis()
    client.rpush(_key(name), json.dumps({"at": time.time()}))
    runs = client.llen(_key(name))
    if runs <= failures:
        raise RuntimeError(f"planned failure {runs} of {failures}")
    return runs


def ticked() -> None:
    """A schedule's job: its RQ id (which names the schedule and the tick) goes to `ticks`."""
    _redis().rpush(_key("ticks"), json.dumps(get_current_job().id))


def full_once(key: str) -> str:
    """The first run meets a full Redis: its write is refused (a real OOM from Redis, whose
    ceiling is taken under what it holds), and room is made before the worker handles the
    failure; later runs write `key`."""
    client = get_current_job().connection
    if client.incr(f"{key}:runs") == 1:
        (limit,) = client.config_get("maxmemory").values()
        client.config_set("maxmemory", "1")
        try:
            client.set(key, "written")
        finally:
            client.config_set("maxmemory", limit)
    client.set(key, "written")
    return "written"

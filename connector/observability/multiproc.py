"""prometheus-client's multiprocess mode, for gunicorn's several workers.

The library picks its storage when it is first imported, from PROMETHEUS_MULTIPROC_DIR, so
`prepare` must run in the parent before anything imports it; workers inherit the variable
and write their samples to files there, which `/metrics` adds up. A worker that exits is
marked dead (`child_exit`) so its live gauges stop counting.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare(folder: str | os.PathLike[str] | None = None) -> str:
    """Use `folder` (else the variable's value, else a new temporary folder) for this run:
    made if missing, emptied of an earlier run's samples, exported in the environment."""
    if "prometheus_client.values" in sys.modules and not enabled():
        # its storage was chosen already: the workers would each count alone
        raise RuntimeError("prepare() must run before prometheus_client is imported")
    chosen = Path(folder or os.environ.get(ENV) or tempfile.mkdtemp(prefix="atc-metrics-"))
    chosen.mkdir(parents=True, exist_ok=True)
    for stale in chosen.glob("*.db"):
        stale.unlink(missing_ok=True)
    os.environ[ENV] = str(chosen)
    return str(chosen)


def enabled() -> bool:
    return bool(os.environ.get(ENV))


def child_exit(server: object, worker: object) -> None:
    """gunicorn's hook when a worker exits: its live gauges no longer count."""
    if enabled():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]

"""prometheus-client's multiprocess mode, for gunicorn's several workers.

The library picks its storage when it is first imported, from PROMETHEUS_MULTIPROC_DIR, so
`prepare` must run in the parent before anything imports it; workers inherit the variable
and write their samples to files there, which `/metrics` adds up. A worker that exits is
marked dead (`child_exit`) so its live gauges stop counting.

A job worker (`autotask-connector worker`) started with the same folder on the same host is
added up too: it `join`s the folder (made if missing, never emptied), and the web side's
`prepare` empties only the files of processes no longer running, so a job worker that started
first keeps its samples.

A folder made here (and its missing parents, such as the data folder) is private (0700), as
the data folder is: the samples hold no secret, but other local users have no business
reading or planting them. A folder the operator made is left as it is.
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
    _make_private(chosen)
    chosen = chosen.resolve()  # the same folder whatever a worker's working directory
    for stale in chosen.glob("*.db"):
        if not _running(stale):
            stale.unlink(missing_ok=True)
    os.environ[ENV] = str(chosen)
    return str(chosen)


def join() -> str | None:
    """In a process outside gunicorn (a job worker): write to the folder PROMETHEUS_MULTIPROC_DIR
    names (made if missing, nothing removed); None when it is unset (counts stay in-process)."""
    folder = os.environ.get(ENV)
    if not folder:
        return None
    path = Path(folder)
    _make_private(path)
    os.environ[ENV] = str(path.resolve())
    return os.environ[ENV]


def leave() -> None:
    """A joined process ends: its live gauges stop counting (its counters stay summed)."""
    if enabled():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())  # type: ignore[attr-defined]


def _make_private(folder: Path) -> None:
    """The folder and whichever of its parents are missing, made 0700 (Path.mkdir gives the
    parents the umask's mode); existing ones unchanged."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)


def _running(sample_file: Path) -> bool:
    """Whether the process a sample file is named after (`counter_<pid>.db`) still runs here."""
    pid = sample_file.stem.rsplit("_", 1)[-1]
    if not pid.isdigit() or int(pid) == os.getpid():
        return False  # this process starts anew: its earlier samples are an earlier run's
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: running
    try:  # an exited process not yet reaped (a zombie) still answers kill(0)
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def enabled() -> bool:
    return bool(os.environ.get(ENV))


def child_exit(server: object, worker: object) -> None:
    """gunicorn's hook when a worker exits: its live gauges no longer count."""
    if enabled():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]

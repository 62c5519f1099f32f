"""The Procfile's web and worker processes share one PROMETHEUS_MULTIPROC_DIR, so the job
worker's metrics are added up by the web side's /metrics: its lines name the same folder,
the worker joins it (made if missing), and the web side's start (`multiproc.prepare`, run by
gunicorn_conf) empties only the files of processes that no longer run."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from connector.config import Settings
from connector.jobs import Jobs
from connector.storage.keys import Keys
from tests.fixtures.jobs import wait_for
from tests.fixtures.redis import RUN_PREFIX
from tests.jobs import functions

ROOT = Path(__file__).resolve().parents[2]


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def _folder_of(line: str, env: dict[str, str]) -> str:
    """The PROMETHEUS_MULTIPROC_DIR a Procfile line gives its command, as the shell sees it."""
    assignment = line.split(" ", 1)[0]
    assert assignment.startswith("PROMETHEUS_MULTIPROC_DIR="), line
    return subprocess.run(
        ["bash", "-c", f'{assignment}; echo "$PROMETHEUS_MULTIPROC_DIR"'],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_web_and_worker_lines_name_the_same_folder():
    lines = _procfile()
    base = {"PATH": os.environ["PATH"]}
    for env in ({}, {"CONNECTOR_DATA_DIR": "/srv/atc"}, {"PROMETHEUS_MULTIPROC_DIR": "/m"}):
        web, worker = (
            _folder_of(lines["web"], {**base, **env}),
            _folder_of(lines["worker"], {**base, **env}),
        )
        assert web == worker and web
    assert _folder_of(lines["web"], base) == ".connector/metrics"


def _jobs_done(folder: Path) -> float:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(folder))
    return sum(
        sample.value
        for family in registry.collect()
        for sample in family.samples
        if sample.name == "autotask_connector_jobs_total"
        and sample.labels == {"queue": "events", "outcome": "done"}
    )


def _prepare(env: dict[str, str], cwd: Path) -> None:
    """What gunicorn_conf runs in the web master at its start."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from connector.observability import multiproc; multiproc.prepare()",
        ],
        env=env,
        cwd=cwd,
        check=True,
    )


def test_the_worker_lines_job_metrics_survive_the_web_start_and_add_up(redis_url, tmp_path):
    settings = Settings(
        redis_url=redis_url,
        key_prefix=f"{RUN_PREFIX}procfile-{secrets.token_hex(3)}:",
        secret_key=Fernet.generate_key().decode(),
    )
    env = {**os.environ, **settings.environment(), "LOG_LEVEL": "WARNING"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"  # autotask-connector
    env["PYTHONPATH"] = str(ROOT)  # the job function lives in the tests
    folder = tmp_path / ".connector" / "metrics"  # the Procfile's default, from the app's root
    Jobs(redis_url, Keys(settings.key_prefix)).enqueue("events", functions.record, "procfile", 1)

    worker = subprocess.Popen(  # noqa: S603 - the Procfile's own line, our own command
        ["sh", "-c", _procfile()["worker"] + " --queues events"],  # as foreman runs it
        env=env,
        cwd=tmp_path,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(
            lambda: _jobs_done(folder) >= 1 if folder.is_dir() else False, what="the job's count"
        )
        _prepare({**env, "PROMETHEUS_MULTIPROC_DIR": str(folder)}, tmp_path)  # a web start
        assert _jobs_done(folder) >= 1  # the running worker's samples were kept
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)

    def restarted_without_them() -> bool:
        """A stopped process's samples go at the next start (once its exit is reaped)."""
        _prepare({**env, "PROMETHEUS_MULTIPROC_DIR": str(folder)}, tmp_path)
        return _jobs_done(folder) == 0

    wait_for(restarted_without_them, timeout=10, what="the stopped worker's samples to go")


def test_a_metrics_folder_the_connector_makes_is_private_and_an_operators_is_left(
    tmp_path, monkeypatch
):
    from connector.observability import multiproc

    made = tmp_path / "data" / "metrics"  # the data folder missing too, as on a first start
    monkeypatch.setenv(multiproc.ENV, str(made))
    assert multiproc.join() == str(made.resolve())
    assert (made.stat().st_mode & 0o777, made.parent.stat().st_mode & 0o777) == (0o700, 0o700)

    theirs = tmp_path / "shared"
    theirs.mkdir(mode=0o750)
    theirs.chmod(0o750)
    assert multiproc.prepare(theirs) == str(theirs.resolve())
    assert theirs.stat().st_mode & 0o777 == 0o750

"""`autotask-connector serve` on its embedded defaults, as the README has a user run it: the
health check answers in time, the README's curl examples answer, Ctrl-C leaves no process
behind, and instances survive a restart of the service and of the embedded Redis."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from connector.tenancy.bootstrap import read_env_file
from tests.fixtures.ports import two_free_ports

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _block(marker: str) -> str:
    found = re.search(rf"<!-- {marker} -->\s*```sh\n(.*?)```\s*<!-- /{marker} -->", README, re.S)
    assert found, f"README has no {marker} block"
    return found.group(1)


class Served:
    def __init__(self, data_dir: Path, port: int) -> None:
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}  # the embedded Redis
        env.update(CONNECTOR_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT))
        self.env = env
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "connector.cli", "serve", "--port", str(port), "--workers", "2"],
            cwd=data_dir.parent,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.url = f"http://127.0.0.1:{port}/elements/api-v2"

    def wait_healthy(self, timeout: float = 30.0) -> float:
        while time.monotonic() - self.started < timeout:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {self.process.stdout.read()}")
            try:
                if requests.get(self.url + "/health", timeout=1).status_code == 200:
                    return time.monotonic() - self.started
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"no healthy answer within {timeout} s")

    def interrupt(self) -> str:
        self.process.send_signal(signal.SIGINT)
        output, _ = self.process.communicate(timeout=60)
        return output


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0]
    return state != "Z"


def _processes_using(folder: Path) -> list[int]:
    """Live processes whose command line names the folder (redis-server, the sandbox)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if str(folder) in cmdline and _alive(int(entry.name)):
                found.append(int(entry.name))
    return found


def _run_examples(data_dir: Path) -> str:
    examples = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", _block("examples")],
        cwd=data_dir.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert examples.returncode == 0, examples.stdout + examples.stderr
    return examples.stdout


def _run_bulk_download(data_dir: Path) -> str:
    """The README's bulk block after its examples: the download completes on serve's worker."""
    script = _block("examples") + _block("bulk-examples")
    bulk = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=data_dir.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bulk.returncode == 0, bulk.stdout + bulk.stderr
    return bulk.stdout


def _metrics_add_up_over_both_workers(url: str, data_dir: Path, tmp_path: Path) -> None:
    """gunicorn's two workers each count in their own file; /metrics adds them up."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector
    from prometheus_client.parser import text_string_to_metric_families

    def health(families) -> float:
        return sum(
            sample.value
            for family in families
            for sample in family.samples
            if sample.name == "autotask_connector_http_requests_total"
            and sample.labels.get("route") == "/elements/api-v2/health"
        )

    def served() -> float:
        root = url.rsplit("/elements/api-v2", 1)[0]
        text = requests.get(root + "/metrics", timeout=10).text
        return health(text_string_to_metric_families(text))

    def per_worker() -> dict[str, float]:
        """Each worker's own count, from its own file read alone."""
        found = {}
        for counter_file in sorted((data_dir / "metrics").glob("counter_*.db")):
            alone = tmp_path / f"alone-{counter_file.stem}-{len(list(tmp_path.iterdir()))}"
            alone.mkdir()
            shutil.copy(counter_file, alone)
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=str(alone))
            found[counter_file.stem] = health(registry.collect())
        return found

    before, workers_before = served(), per_worker()
    sent = 0
    while sent < 400:  # until both workers have answered some (bounded)
        for _ in range(10):
            with requests.Session() as fresh:  # a new connection each: either worker may answer
                assert fresh.get(url + "/health", timeout=10).status_code == 200
            sent += 1
        moved = {k: v - workers_before.get(k, 0.0) for k, v in per_worker().items()}
        if len([n for n in moved.values() if n > 0]) >= 2:
            break
    assert len([n for n in moved.values() if n > 0]) == 2, moved  # both workers answered
    total = served()
    assert total - before == sent  # /metrics adds both workers' files up
    assert sum(per_worker().values()) == total


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / ".connector"


@pytest.mark.timeout(240)
def test_readme_run_command_examples_ctrl_c_and_restart(data_dir, tmp_path):
    port = two_free_ports()
    served = Served(data_dir, port)
    try:
        seconds = served.wait_healthy()
        assert seconds < 30
        assert len(_processes_using(data_dir)) >= 2  # redis-server and the sandbox, at least
        first, second = _run_examples(data_dir), _run_examples(data_dir)
        for examples in (first, second):  # the second paste succeeds too, changing nothing twice
            assert '"firstName":"Ada"' in examples
            assert "Elements-Next-Page-Token" in examples or "Elements-Returned-Count" in examples
        assert second.count('"fullName":"Lovelace"') == 1  # the same contact, updated
        bulk = _run_bulk_download(data_dir)
        assert '"status":"COMPLETED"' in bulk and "id,firstName,emails.0.address" in bulk
        _metrics_add_up_over_both_workers(served.url, data_dir, tmp_path)
        listed = subprocess.run(  # an operator's command finds the running serve's Redis
            [sys.executable, "-m", "connector.cli", "instances", "list"],
            cwd=data_dir.parent,
            env=served.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert listed.returncode == 0, listed.stderr
        assert [r.split()[2:4] for r in listed.stdout.splitlines()[2:]] == [["Sandbox", "readme"]]
    finally:
        output = served.interrupt()
    redis_pid = (
        int((data_dir / "redis" / "redis.pid").read_text())
        if (data_dir / "redis" / "redis.pid").exists()
        else None
    )
    assert served.process.returncode == 0, output
    assert "Embedded Redis stopped." in output and "Autotask sandbox stopped." in output
    assert "Job worker stopped." in output
    worker_pid = int(re.search(r"Job worker: pid (\d+)", output).group(1))
    assert not _alive(worker_pid)
    assert redis_pid is None or not _alive(redis_pid)
    assert _processes_using(data_dir) == []
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port + 1}/_sandbox/health", timeout=2)

    credentials = read_env_file(data_dir / "credentials.env")
    restarted = Served(data_dir, port)
    try:
        restarted.wait_healthy()
        auth = {
            "Authorization": f"User {credentials['USER_SECRET']}, "
            f"Organization {credentials['ORG_SECRET']}"
        }
        listed = requests.get(restarted.url + "/instances", headers=auth, timeout=10)
        assert [i["name"] for i in listed.json()] == ["Sandbox"]
    finally:
        again = restarted.interrupt()
    assert _processes_using(data_dir) == []
    # the banner shows the secrets when it has just made them, then only where they are kept
    assert credentials["USER_SECRET"] in output and credentials["USER_SECRET"] not in again
    assert "source " in again and "credentials.env" in again

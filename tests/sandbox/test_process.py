"""The sandbox as its own server process: gunicorn workers sharing one SQLite file, data kept
across restarts, --reseed, and `autotask-connector serve` starting and stopping it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests

from connector.sandbox.process import SandboxProcess
from connector.storage.embedded_redis import free_port
from tests.fixtures.ports import two_free_ports
from tests.fixtures.sandbox import Credentials

HEADERS = Credentials().headers()


@pytest.fixture
def started():
    processes: list[SandboxProcess] = []

    def start(data_dir, **kwargs) -> SandboxProcess:
        process = SandboxProcess(
            "127.0.0.1",
            free_port(),
            data_dir=str(data_dir),
            records=kwargs.pop("records", 5),
            **kwargs,
        ).start()
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.stop()


def test_the_thread_limit_holds_across_gunicorn_workers(started, tmp_path):
    box = started(tmp_path, workers=2)
    requests.post(
        f"{box.url}/_sandbox/faults",
        timeout=10,
        json={"kind": "latency", "seconds": 0.6, "path_contains": "Companies"},
    )
    statuses: list[int] = []

    def call():
        answer = requests.get(
            f"{box.url}/atservicesrest/v1.0/Companies/0", headers=HEADERS, timeout=10
        )
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=call) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(statuses) == [200, 200, 200, 429, 429]


def test_data_persists_across_restarts_and_reseed_wipes_it(started, tmp_path):
    first = started(tmp_path, workers=1)
    created = requests.post(
        f"{first.url}/atservicesrest/v1.0/Companies",
        headers=HEADERS,
        timeout=10,
        json={"companyName": "Kept", "companyType": 1, "ownerResourceID": 29682881, "phone": "1"},
    )
    company_id = created.json()["itemId"]
    first.stop()
    again = started(tmp_path, workers=1)
    kept = requests.get(f"{again.url}/_sandbox/records/Companies/{company_id}", timeout=10)
    again.stop()
    reseeded = started(tmp_path, reseed=True, workers=1)
    gone = requests.get(f"{reseeded.url}/_sandbox/records/Companies/{company_id}", timeout=10)
    assert kept.json()["item"]["companyName"] == "Kept"
    assert gone.json()["item"] is None


def test_serve_starts_the_sandbox_on_the_next_port_and_stops_it(tmp_path, redis_url, key_prefix):
    port = two_free_ports()
    env = {
        **os.environ,
        "CONNECTOR_DATA_DIR": str(tmp_path),
        "REDIS_URL": redis_url,
        "CONNECTOR_KEY_PREFIX": key_prefix,  # a shared Redis keeps only the test's own keys
        "PYTHONPATH": os.getcwd(),
    }
    serve = subprocess.Popen(
        [sys.executable, "-m", "connector.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sandbox_url = f"http://127.0.0.1:{port + 1}"
    try:
        output = ""
        deadline = time.monotonic() + 120  # six suites on two cores have taken over 60 s
        while "Stop with Ctrl-C." not in output and time.monotonic() < deadline:
            line = serve.stdout.readline()
            if not line:  # the process ended
                break
            output += line
        assert "Stop with Ctrl-C." in output, output  # ready, else say what serve printed
        zone = requests.get(
            f"{sandbox_url}/atservicesrest/v1.0/zoneInformation",
            params={"user": "api-user@sandbox.local"},
            timeout=10,
        )
        assert zone.json()["url"] == f"{sandbox_url}/ATServicesRest/"
        assert f"Autotask sandbox: {sandbox_url}" in output and "sandbox-secret" in output
        assert (tmp_path / "sandbox" / "sandbox.sqlite3").exists()
    finally:
        serve.send_signal(signal.SIGINT)
        serve.wait(30)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{sandbox_url}/_sandbox/health", timeout=2)


def test_a_database_made_for_other_definitions_is_rebuilt_and_reseeded(tmp_path):
    from dataclasses import replace

    from connector.sandbox.app import prepare_store
    from connector.sandbox.catalog import default_catalog
    from connector.sandbox.settings import SandboxConfig

    config = SandboxConfig(database=str(tmp_path / "s.sqlite3"), records=3, deliver_webhooks=False)
    catalog = default_catalog()
    contacts = catalog.entity("Contacts")
    narrower = replace(
        contacts,
        fields=contacts.fields[:-1],
        by_lower={f.name.lower(): f for f in contacts.fields[:-1]},
    )
    old = replace(catalog, entities={**catalog.entities, "contacts": narrower})
    prepare_store(config, old).close()
    store = prepare_store(config, catalog)
    with store.read() as conn:
        columns = [row[1] for row in conn.execute('PRAGMA table_info("Contacts")')]
    assert contacts.fields[-1].name in columns
    assert store.count(contacts) == 12
    store.close()

"""One connector, one sandbox and real RQ worker processes per test module, over loopback.

    def test_x(bulk):                       # module-scoped: seed once, many jobs
        job = bulk.download("select * from contacts")
        bulk.wait(job["id"])

`bulk.worker()` starts an RQ worker process (its own session, so `kill()` takes its work
horse too); `bulk.sweep()` runs one tick of the sweep that resumes a dead worker's job.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from cryptography.fernet import Fernet

from connector.app import create_app
from connector.config import Settings
from connector.sandbox.settings import SandboxConfig
from connector.storage.redis_conn import get_keys, get_redis
from connector.tenancy.accounts import AccountStore
from tests.fixtures.app import LiveServer
from tests.fixtures.hub import BASE, HubApi, instance_body
from tests.fixtures.jobs import ProcessGroup
from tests.fixtures.redis import RUN_PREFIX
from tests.fixtures.sandbox import SandboxHandle

CONTACTS = 1234
TERMINAL = ("COMPLETED", "ERROR", "ABORTED", "CANCELLED")
# a live worker renews its lease every third of it: 3 s outlives the stalls of a loaded 2-core
# machine (at 1.5 s a starved renewal let the sweep hand a live job to a second worker)
LEASE_SECONDS = 3.0


class Worker(ProcessGroup):
    def __init__(self, env: dict[str, str], queue: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "connector.cli", "bulk", "worker"],
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


class BulkEnv:
    def __init__(self, redis_url: str, seed_counts: dict[str, int], **sandbox: Any) -> None:
        self.sandbox = SandboxHandle(
            SandboxConfig(records=10, seed_counts=seed_counts, settings=sandbox)
        )
        prefix = f"{RUN_PREFIX}bulk-{secrets.token_hex(3)}:"
        self.settings = Settings(
            redis_url=redis_url,
            key_prefix=prefix,
            data_dir="/tmp/atc-bulk-tests",  # noqa: S108 - nothing is written there by tests
            secret_key=Fernet.generate_key().decode(),
            bulk_lease_seconds=LEASE_SECONDS,
            events_allow_private_callbacks=True,  # the callback receiver is on loopback
        )
        self.app = create_app(self.settings)
        self.server = LiveServer(self.app).start()
        self.redis = get_redis(self.app)
        account = AccountStore(self.redis, get_keys(self.app)).create(
            organization_name="Bulk tests", email="bulk@x.test"
        )
        self.secrets = (account.user_secret, account.organization_secret)
        self.auth = f"User {account.user_secret}, Organization {account.organization_secret}"
        created = requests.post(
            self.server.url + BASE + "/instances",
            json=self.instance_body(),
            headers={"Authorization": self.auth},
            timeout=30,
        )
        assert created.status_code == 200, created.text
        self.instance = created.json()
        self.hub = HubApi(
            self.server.url,
            {"Authorization": f"{self.auth}, Element {self.instance['token']}"},
            self.instance,
        )
        self.env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "CONNECTOR_KEY_PREFIX": prefix,
            "CONNECTOR_SECRET_KEY": self.settings.secret_key or "",
            "CONNECTOR_DATA_DIR": self.settings.data_dir,
            "BULK_LEASE_SECONDS": str(LEASE_SECONDS),
            "EVENTS_ALLOW_PRIVATE_CALLBACKS": "true",
            # the worker processes reach the sandbox as the operator allowed it
            "AUTOTASK_ALLOWED_HOSTS": self.sandbox.allowed_hosts,
            "LOG_LEVEL": "WARNING",
        }
        self.workers: list[Worker] = []

    def sandbox_contacts(self) -> list[dict[str, Any]]:
        """Every Contacts row as the sandbox stores it, in id order."""
        from connector.sandbox.store import quote

        entity = self.sandbox.catalog.entity("Contacts")
        with self.sandbox.store.read() as conn:
            cursor = conn.execute(f"SELECT * FROM {quote(entity.table)} ORDER BY id")  # noqa: S608
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor]

    def instance_body(self) -> dict[str, Any]:
        return instance_body(self.sandbox)

    # -- workers ---------------------------------------------------------------------------
    def worker(self) -> Worker:
        worker = Worker(self.env, f"{self.settings.key_prefix}bulk")
        self.workers.append(worker)
        return worker

    def runtime(self):
        from connector.bulk.runtime import Runtime

        return Runtime.of_app(self.app)

    def sweep(self) -> list[int]:
        from connector.bulk import recovery

        return recovery.sweep(self.runtime())

    # -- the API -----------------------------------------------------------------------------
    def download(self, q: str, **headers: str) -> dict[str, Any]:
        response = self.hub.call("POST", "bulk/query", params={"q": q}, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "CREATED"
        return body

    def status(self, job_id: int) -> dict[str, Any]:
        return self.hub.ok("GET", f"bulk/{job_id}/status")

    def wait(self, job_id: int, *, until=TERMINAL, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            status = self.status(job_id)
            if status["status"] in until:
                return status
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} still {status} after {timeout} s")
            time.sleep(0.05)

    def wait_for(self, job_id: int, condition, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            status = self.status(job_id)
            if condition(status):
                return status
            if status["status"] in TERMINAL or time.monotonic() > deadline:
                raise AssertionError(f"job {job_id}: condition not met, {status}")
            time.sleep(0.02)

    def result(self, job_id: int, resource: str, accept: str = "application/json", **kw):
        headers = {"Accept": accept, **kw.pop("headers", {})}
        return self.hub.call("GET", f"bulk/{job_id}/{resource}", headers=headers, **kw)

    def ndjson(self, job_id: int, resource: str) -> list[dict[str, Any]]:
        import json

        response = self.result(job_id, resource)
        assert response.status_code == 200, response.text
        return [json.loads(line) for line in response.text.splitlines() if line]

    def upload(self, resource: str, content: bytes, filename: str, meta: dict | None = None):
        import json

        files = {"file": (filename, content)}
        data = {"metaData": json.dumps(meta)} if meta is not None else {}
        return self.hub.call("POST", f"bulk/{resource}", files=files, data=data)

    def stop(self) -> None:
        for worker in self.workers:  # told first, then waited for: the shutdowns overlap
            worker.terminate()
        for worker in self.workers:
            worker.wait_stopped()
        self.server.stop()
        self.app.extensions["connector.deps"].local.close()
        self.sandbox.stop()


@pytest.fixture(scope="package")
def bulk(redis_url: str) -> Iterator[BulkEnv]:
    env = BulkEnv(redis_url, {"Contacts": CONTACTS})
    env.worker()
    env.worker()  # a second one takes over when a test kills the first
    try:
        yield env
    finally:
        env.stop()

"""schemathesis against the app, the sandbox as its Autotask: over every operation in
openapi.yaml, no server error and no answer the document does not describe (status, content
type, headers, body schema, the Allow header). Bounded: a few examples per operation."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
import yaml
from cryptography.fernet import Fernet
from hypothesis import HealthCheck, settings

from connector.app import create_app
from connector.config import Settings
from connector.sandbox.settings import SandboxConfig
from connector.storage.keys import Keys
from connector.storage.redis_conn import connect
from connector.tenancy.accounts import AccountStore
from tests.fixtures.app import LiveServer
from tests.fixtures.hub import BASE, instance_body
from tests.fixtures.redis import RUN_PREFIX
from tests.fixtures.sandbox import DEFAULT_TEST_RECORDS, SandboxHandle

SPEC = Path(__file__).resolve().parent.parent / "openapi.yaml"
ROOT_PATHS = {  # paths whose own `servers` put them outside the base path
    path for path, item in yaml.safe_load(SPEC.read_text())["paths"].items() if "servers" in item
}
EXAMPLES = 2  # per operation in the fuzzing phase; the coverage phase adds ~17 cases each
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.allow_header_conformance,
    schemathesis.checks.unsupported_method,
]

# The coverage phase sends each operation's boundary cases and the methods it does not accept
# (the Allow check); positive ones only, which keeps the run near half a minute. The fuzzing
# phase still sends invalid data.
schema = schemathesis.openapi.from_path(
    SPEC,
    config=schemathesis.Config.from_dict(
        # no cache: it would write a .schemathesis/ folder into the checkout
        {"cache": {"enabled": False}, "phases": {"coverage": {"generation": {"mode": "positive"}}}}
    ),
)


class Served:
    """The app on loopback with one tenant and one instance on a sandbox."""

    def __init__(self, redis_url: str) -> None:
        self.sandbox = SandboxHandle(SandboxConfig(records=DEFAULT_TEST_RECORDS))
        prefix = f"{RUN_PREFIX}st-{secrets.token_hex(3)}:"
        self.app = create_app(
            Settings(
                redis_url=redis_url,
                key_prefix=prefix,
                secret_key=Fernet.generate_key().decode(),
                log_level="WARNING",
                instance_create_failures=100_000,  # generated cases fail creates by the dozen
            )
        )
        self.server = LiveServer(self.app).start()
        self.base_url = self.server.url + BASE
        client = connect(redis_url)
        account = AccountStore(client, Keys(prefix)).create()
        client.close()
        self.platform = f"User {account.user_secret}, Organization {account.organization_secret}"
        self.hub = ""
        self.revive()

    def revive(self) -> None:
        """A working Element token again, if a generated case deleted, disabled or rotated it
        (they are real calls): later operations then still reach the hub, not a 401."""
        if self.hub:
            ping = requests.get(
                self.base_url + "/hubs/crm/ping", headers={"Authorization": self.hub}, timeout=30
            )
            if ping.status_code == 200:
                return
        created = requests.post(
            self.base_url + "/instances",
            json=instance_body(self.sandbox),
            headers={"Authorization": self.platform},
            timeout=30,
        )
        assert created.status_code == 200, created.text
        self.hub = f"{self.platform}, Element {created.json()['token']}"

    def headers(self, case) -> dict[str, str]:
        security = case.operation.definition.raw.get("security") or []
        names = {name for requirement in security for name in requirement}
        if "hub" in names:
            return {"Authorization": self.hub}
        if "platform" in names:
            return {"Authorization": self.platform}
        return {}

    def stop(self) -> None:
        self.server.stop()
        self.app.extensions["connector.deps"].local.close()
        self.sandbox.stop()


@pytest.fixture(scope="module")
def served(redis_url: str) -> Iterator[Served]:
    running = Served(redis_url)
    yield running
    running.stop()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, served):
    # a path with servers of its own (`/metrics`) is at the service's root, not the base path
    base_url = served.server.url if case.operation.path in ROOT_PATHS else served.base_url
    try:
        case.call_and_validate(
            base_url=base_url, headers=served.headers(case), checks=CHECKS, timeout=30
        )
    finally:
        if case.method.upper() != "GET":
            served.revive()


def test_every_objects_metadata_matches_its_schema(served):
    """Generated names rarely hit a real object: ask for each one the instance lists."""
    served.revive()
    headers = {"Authorization": served.hub}
    names = requests.get(served.base_url + "/hubs/crm/objects", headers=headers, timeout=30)
    assert names.status_code == 200 and "contacts" in names.json()
    operation = schema["/hubs/{hub}/objects/{name}/metadata"]["GET"]
    for name in names.json():
        answer = requests.get(
            f"{served.base_url}/hubs/crm/objects/{name}/metadata", headers=headers, timeout=30
        )
        assert answer.status_code == 200, f"{name}: {answer.text[:200]}"
        operation.validate_response(answer)

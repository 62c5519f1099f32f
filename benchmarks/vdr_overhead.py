"""What a virtual resource costs on top of the resource it maps, on this machine.

    python benchmarks/vdr_overhead.py [records]

Prints: the resolver's look-up per hub call (every name asks it first), the engine's reading
of normalized records into virtual ones, and one 500-row hub page of `contacts` against the
same page of a virtual resource mapped onto it, over real HTTP against the sandbox. Runs an
embedded Redis and the sandbox in this process; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from pathlib import Path

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connector.app import create_app  # noqa: E402
from connector.config import Settings  # noqa: E402
from connector.sandbox.settings import SandboxConfig  # noqa: E402
from connector.storage.embedded_redis import EmbeddedRedis  # noqa: E402
from connector.storage.redis_conn import get_keys, get_redis  # noqa: E402
from connector.tenancy.accounts import AccountStore  # noqa: E402
from connector.tenancy.instances import Instance  # noqa: E402
from connector.virtual.engine import Transformer  # noqa: E402
from connector.virtual.inherit import Stored, resolve  # noqa: E402
from tests.fixtures.app import LiveServer  # noqa: E402
from tests.fixtures.hub import BASE, instance_body  # noqa: E402
from tests.fixtures.sandbox import SandboxHandle  # noqa: E402

DEFINITION = {
    "fields": [
        {"path": "fullName", "type": "string"},
        {"path": "company", "type": "number"},
        {"path": "email", "type": "string"},
    ]
}
MAP = {
    "vendorName": "contacts",
    "fields": [
        {"path": "fullName", "vendorPath": "lastName"},
        {"path": "company", "vendorPath": "accountId"},
        {"path": "email", "vendorPath": "emails[?(@.type=='primary')].address"},
    ],
    "configuration": [{"type": "passThrough", "properties": {"fromVendor": False}}],
}


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def main(records: int) -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    redis_server = EmbeddedRedis(None, persistent=False)
    url = redis_server.start()
    box = SandboxHandle(SandboxConfig(records=records, seed_counts={"Contacts": 600}, settings={}))
    try:
        settings = Settings(
            redis_url=url,
            key_prefix="bench-vdr:",
            data_dir=str(ROOT / ".connector" / "bench"),
            secret_key=Fernet.generate_key().decode(),
            log_level="WARNING",
        )
        app = create_app(settings)
        server = LiveServer(app).start()
        account = AccountStore(get_redis(app), get_keys(app)).create()
        secrets = f"User {account.user_secret}, Organization {account.organization_secret}"
        api = server.url + BASE
        created = requests.post(
            api + "/instances",
            json=instance_body(box),
            headers={"Authorization": secrets},
            timeout=30,
        ).json()
        headers = {"Authorization": f"{secrets}, Element {created['token']}"}
        for path, body in (
            ("/organizations/objects/myContacts/definitions", DEFINITION),
            ("/organizations/elements/autotaskcrm/transformations/myContacts", MAP),
        ):
            answer = requests.post(api + path, json=body, headers=headers, timeout=30)
            assert answer.status_code == 200, answer.text

        resolver = app.extensions["connector.virtual"]["resolver"]
        registry = app.extensions["connector.hub"]["registry"]
        instance = app.extensions["connector.deps"].instances.get(created["id"])
        assert isinstance(instance, Instance)
        look_up = timed(lambda: resolver(instance, "accounts", registry), 2000)
        print(
            "resolver look-up (a name that is not virtual): "
            f"median {statistics.median(look_up) * 1e6:.0f} us"
        )

        normalized = requests.get(
            api + "/hubs/crm/contacts", params={"pageSize": 500}, headers=headers, timeout=60
        ).json()
        engine = Transformer(resolve(Stored("myContacts", DEFINITION, None, MAP, None)))
        read = timed(lambda: [engine.to_virtual(r) for r in normalized], 20)
        per_record = statistics.median(read) / len(normalized) * 1e6
        print(
            f"engine, normalized -> virtual record: {per_record:.1f} us per record "
            f"({len(normalized)} records)"
        )

        for name in ("contacts", "myContacts"):
            pages = timed(
                lambda name=name: requests.get(
                    api + f"/hubs/crm/{name}", params={"pageSize": 500}, headers=headers, timeout=60
                ).raise_for_status(),
                15,
            )
            print(
                f"GET /hubs/crm/{name}?pageSize=500: "
                f"median {statistics.median(pages) * 1000:.1f} ms"
            )
        server.stop()
    finally:
        box.stop()
        redis_server.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)

"""What the room check before a definition or transformation save costs Redis: the time the
server spends in it (INFO commandstats, so not the client's parse) for an organization whose
8 MiB hold many tiny documents or ORG_DOCUMENTS larger ones. One embedded redis-server on
loopback, one client, sequential calls.

    .venv/bin/python benchmarks/vdr_room_bench.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import json
import statistics

import redis

from connector.api.virtual_room import ORG_DOCUMENT_BYTES, ORG_DOCUMENTS, check
from connector.errors import ValidationError
from connector.storage.embedded_redis import EmbeddedRedis
from connector.storage.keys import Keys
from connector.virtual.store import VdrStore, org_scope


def _fill(client: redis.Redis, key: str, names: int, doc: str) -> None:
    client.delete(key)
    for start in range(0, names, 5000):
        client.hset(key, mapping={f"n{n:06d}": doc for n in range(start, min(names, start + 5000))})


def _server_us(client: redis.Redis, rounds: int, call) -> float:
    """The median Redis time (µs) of one call, from INFO commandstats around each."""
    samples = []
    for _ in range(rounds):
        before = sum(v["usec"] for v in client.info("commandstats").values())
        call()
        after = sum(v["usec"] for v in client.info("commandstats").values())
        samples.append(after - before)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    with EmbeddedRedis(None, persistent=False) as server:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        store = VdrStore(client, Keys("bench:"))
        scopes = [org_scope(1)]
        target = store.definitions_key(scopes[0])
        tiny = json.dumps({"fields": [{"path": "a", "type": "string"}], "level": "organization"})
        large = json.dumps({"fields": [{"path": "a" * (ORG_DOCUMENT_BYTES // ORG_DOCUMENTS)}]})
        tiny_names = ORG_DOCUMENT_BYTES // (len(tiny) + 7)
        cases = [
            (f"{tiny_names} tiny documents, read back (before)", tiny_names, tiny, False),
            (f"{tiny_names} tiny documents, refused by count (after)", tiny_names, tiny, True),
            (f"{ORG_DOCUMENTS - 1} tiny documents, read back", ORG_DOCUMENTS - 1, tiny, True),
            (f"{ORG_DOCUMENTS - 1} documents of 4 KiB, read back", ORG_DOCUMENTS - 1, large, True),
        ]
        for label, names, doc, counted in cases:
            _fill(client, target, names, doc)

            def call(counted=counted) -> None:
                if not counted:
                    store.bytes_held(scopes)  # what every save did before the count
                    return
                try:
                    check(store, scopes, target, ["fresh"], 100)
                except ValidationError:
                    pass

            print(f"{label:55s} {_server_us(client, rounds, call) / 1000:8.2f} ms of Redis a save")
        client.delete(target)


if __name__ == "__main__":
    main()

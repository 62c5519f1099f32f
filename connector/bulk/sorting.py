"""A download ordered by something other than ascending id: staged, then sorted, then emitted.

The read keeps whole records (the order field may not be selected) as staged chunks. Here
they are read back one chunk at a time: each record goes into a Redis hash under its
position and only its sort key stays in memory, so a worker holds keys, not rows. The sorted
positions are then fetched 500 at a time, rendered and appended as result chunks; the count
emitted is the checkpoint. On resume the keys are rebuilt from the staged chunks (no
Autotask call), and the same stable sort gives the same order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from connector.bulk import codec
from connector.ceql.order import _sort_key  # the hub's ordering, nulls last
from connector.hub.render import Renderer

BATCH = 500


def _sorted_positions(run: Any, order: list[tuple[str, bool]], get: Callable) -> list[int]:
    store = run.store
    rows_key = store.keys.bulk_part(run.id, "rows")
    keyed: list[tuple[tuple, int]] = []
    position = 0
    for blob in store.blobs(run.id, "staged"):
        batch = {}
        for record in codec.records(blob):
            keyed.append((tuple(_directed(get(record, f), d) for f, d in order), position))
            batch[str(position)] = json.dumps(record, separators=(",", ":"))
            position += 1
        if batch:
            with store.redis.pipeline() as pipe:
                pipe.hset(rows_key, mapping=batch)
                pipe.expire(rows_key, store.ttl)
                pipe.execute()
    keyed.sort(key=lambda pair: pair[0])
    return [pos for _, pos in keyed]


class _Reverse:
    """Inverts the comparison of a key, for a descending field among ascending ones."""

    __slots__ = ("key",)

    def __init__(self, key: tuple) -> None:
        self.key = key

    def __lt__(self, other: _Reverse) -> bool:
        return other.key < self.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reverse) and other.key == self.key


def _directed(value: Any, descending: bool) -> Any:
    key = _sort_key(value, descending)
    # _sort_key puts nulls last when the list is reversed; here each field has its own way
    return _Reverse(key) if descending else key


def emit(run: Any, order: list[tuple[str, bool]], get: Callable, renderer: Renderer) -> None:
    store = run.store
    run.store.update(run.id, phase="emit")
    positions = _sorted_positions(run, order, get)
    rows_key = store.keys.bulk_part(run.id, "rows")
    done = int(run.job.get("emitted") or 0)
    columns: list[str] = list(run.job.get("columns") or [])
    while done < len(positions):
        batch = positions[done : done + BATCH]
        raw = store.redis.hmget(rows_key, [str(p) for p in batch])
        records = [renderer.record(json.loads(r)) for r in raw if r is not None]
        columns = codec.columns_of(records, columns)
        applied = run.checkpoint(
            position="emitted",
            expected=str(done) if done else "",
            new=str(done + len(batch)),
            blob=codec.pack(records),
            add={"recordsCount": len(records)},
            set_fields={"columns": columns},
        )
        if not applied:
            return
        done += len(batch)
    store.clear_part(run.id, "rows")
    store.clear_part(run.id, "staged")

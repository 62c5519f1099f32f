"""Fault injection for reliability tests: off until a test asks for it.

A fault is `{"kind": ..., "count": N | null, "share": 0-1, "path_contains": ..., "method": ...}`
plus its kind's parameters:
- `latency`: `seconds` added before the answer;
- `error`: an error answer, `status` (default 500) with an `errors` body;
- `rate_limit`: 429 with the thread-threshold body, and `retry_after` seconds when given;
- `drop`: the connection is closed with no answer.
`count` is how many requests the fault hits before it is spent (null: until cleared). `share`
picks that share of matching requests, deterministically (every 1/share-th one), so a test of
"30 % of calls fail" sees exactly 3 in 10.
"""

from __future__ import annotations

import json
import math
import sqlite3
from typing import Any

KINDS = {"latency", "error", "rate_limit", "drop"}
_KEYS = {
    "kind",
    "count",
    "share",
    "path_contains",
    "method",
    "seconds",
    "status",
    "message",
    "retry_after",
}


def validate(spec: Any) -> dict[str, Any]:
    """A checked fault spec; ValueError names what is wrong."""
    if not isinstance(spec, dict):
        raise ValueError("a fault is a JSON object")
    unknown = set(spec) - _KEYS
    if unknown:
        raise ValueError(f"unknown fault keys: {', '.join(sorted(unknown))}")
    if spec.get("kind") not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(sorted(KINDS))}")
    share = float(spec.get("share", 1.0))
    if not 0 < share <= 1:
        raise ValueError("share must be in (0, 1]")
    count = spec.get("count")
    if count is not None and (not isinstance(count, int) or count < 1):
        raise ValueError("count must be a positive integer or null")
    if spec["kind"] == "latency" and float(spec.get("seconds", 0)) <= 0:
        raise ValueError("a latency fault needs seconds > 0")
    return {**spec, "share": share}


def add(conn: sqlite3.Connection, spec: dict[str, Any]) -> int:
    cursor = conn.execute(
        "INSERT INTO _faults (spec, remaining) VALUES (?, ?)",
        (json.dumps(spec), spec.get("count")),
    )
    return cursor.lastrowid


def clear(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM _faults")


def active(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [
        {
            "id": row[0],
            **json.loads(row[1]),
            "remaining": row[2],
            "matched": row[3],
            "applied": row[4],
        }
        for row in conn.execute("SELECT id, spec, remaining, matched, applied FROM _faults")
    ]


def consume(conn: sqlite3.Connection, path: str, method: str) -> list[dict[str, Any]]:
    """The faults that hit this request (inside the caller's write transaction)."""
    hits = []
    rows = conn.execute("SELECT id, spec, remaining, matched FROM _faults ORDER BY id").fetchall()
    for fault_id, raw, remaining, matched in rows:
        spec = json.loads(raw)
        needle = spec.get("path_contains")
        if needle and needle.lower() not in path.lower():
            continue
        if spec.get("method") and spec["method"].upper() != method.upper():
            continue
        matched += 1
        share = spec.get("share", 1.0)
        applies = math.floor(matched * share + 1e-9) > math.floor((matched - 1) * share + 1e-9)
        if not applies:
            conn.execute("UPDATE _faults SET matched = ? WHERE id = ?", (matched, fault_id))
            continue
        hits.append(spec)
        if remaining is not None and remaining <= 1:
            conn.execute("DELETE FROM _faults WHERE id = ?", (fault_id,))
        else:
            conn.execute(
                "UPDATE _faults SET matched = ?, applied = applied + 1, "
                "remaining = CASE WHEN remaining IS NULL THEN NULL ELSE remaining - 1 END "
                "WHERE id = ?",
                (matched, fault_id),
            )
    return hits

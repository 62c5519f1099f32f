"""The log of Autotask API requests the sandbox received, for tests to assert on.

Each entry: method, path, query args, JSON body, status, integration code, username,
impersonated resource, endpoint, duration and the threshold latency the sandbox added
(`added_latency`, seconds), so tests assert the latency rule without timing. Never the
Secret header; a webhook's `secretKey` and a portal user's `password` in a body are masked.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

_MASKED_KEYS = {"secretkey", "secret", "password"}


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: ("****" if str(k).lower() in _MASKED_KEYS else _mask(v)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def record(conn: sqlite3.Connection, entry: dict[str, Any], limit: int) -> None:
    cursor = conn.execute(
        "INSERT INTO _requests (time, method, path, args, body, status, integration_code, "
        "username, impersonation, endpoint, duration_ms, added_latency) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            entry["time"],
            entry["method"],
            entry["path"],
            json.dumps(entry["args"]),
            json.dumps(_mask(entry["body"])),
            entry["status"],
            entry["integration_code"],
            entry["username"],
            entry["impersonation"],
            entry["endpoint"],
            entry["duration_ms"],
            entry.get("added_latency", 0.0),
        ),
    )
    if cursor.lastrowid % 100 == 0:
        conn.execute("DELETE FROM _requests WHERE id <= ?", (cursor.lastrowid - limit,))


def entries(
    conn: sqlite3.Connection,
    *,
    path_contains: str | None = None,
    method: str | None = None,
    since_id: int = 0,
) -> list[dict[str, Any]]:
    sql = "SELECT * FROM _requests WHERE id > ?"
    params: list[Any] = [since_id]
    if path_contains:
        sql += " AND instr(lower(path), lower(?)) > 0"
        params.append(path_contains)
    if method:
        sql += " AND method = ?"
        params.append(method.upper())
    rows = conn.execute(sql + " ORDER BY id", params)
    names = [d[0] for d in rows.description]
    result = []
    for row in rows:
        item = dict(zip(names, row, strict=True))
        item["args"] = json.loads(item["args"])
        item["body"] = json.loads(item["body"])
        result.append(item)
    return result


def clear(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM _requests")

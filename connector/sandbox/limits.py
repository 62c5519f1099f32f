"""Autotask's request limits (reference section 7), kept in SQLite for every worker to see.

- The hourly threshold: a rolling window of request times per database. Latency is added at
  50 % and 75 % of the threshold; past 100 % requests are refused (429) and not counted, so
  the window clears.
- The thread limit: at most N requests in flight per integration code and endpoint; one more
  is refused with 429. A slot older than the longest request Autotask allows is stale.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from connector.sandbox.errors import THREAD_LIMIT, THRESHOLD_EXCEEDED, autotask_error


@dataclass(frozen=True)
class Admission:
    slot_id: int
    latency: float
    count: int  # requests in the window, this one included


def _window(settings: dict[str, Any]) -> float:
    return float(settings.get("threshold_window_seconds") or 3600)


def window_count(conn: sqlite3.Connection, settings: dict[str, Any], now: float) -> int:
    return conn.execute(
        "SELECT COUNT(*) FROM _hits WHERE ts > ?", (now - _window(settings),)
    ).fetchone()[0]


def admit(
    conn: sqlite3.Connection, settings: dict[str, Any], key: str, now: float | None = None
) -> Admission:
    """Take a thread slot and count the request; raises the 429 Autotask would answer.

    Runs inside the caller's write transaction, so the check and the insert are atomic
    across processes.
    """
    now = time.time() if now is None else now
    limit = int(settings.get("thread_limit") or 3)
    conn.execute(
        "DELETE FROM _inflight WHERE started < ?",
        (now - float(settings.get("request_max_seconds") or 300),),
    )
    in_flight = conn.execute("SELECT COUNT(*) FROM _inflight WHERE key = ?", (key,)).fetchone()[0]
    if in_flight >= limit:
        raise autotask_error(THREAD_LIMIT.format(limit=limit), status=429)
    conn.execute("DELETE FROM _hits WHERE ts <= ?", (now - _window(settings),))
    threshold = int(settings.get("threshold") or 10000)
    count = window_count(conn, settings, now)
    if count >= threshold:
        minutes = max(1, round(_window(settings) / 60))
        raise autotask_error(
            THRESHOLD_EXCEEDED.format(threshold=threshold, minutes=minutes), status=429
        )
    share = count / threshold
    latency = 0.0
    if share >= 0.75:
        latency = float(settings.get("latency_at_75") or 0)
    elif share >= 0.5:
        latency = float(settings.get("latency_at_50") or 0)
    conn.execute("INSERT INTO _hits (ts) VALUES (?)", (now,))
    cursor = conn.execute("INSERT INTO _inflight (key, started) VALUES (?, ?)", (key, now))
    return Admission(cursor.lastrowid, latency, count + 1)


def release(conn: sqlite3.Connection, slot_id: int) -> None:
    conn.execute("DELETE FROM _inflight WHERE id = ?", (slot_id,))


def threshold_information(count: int, settings: dict[str, Any]) -> dict[str, int]:
    return {
        "externalRequestThreshold": int(settings.get("threshold") or 10000),
        "requestThresholdTimeframe": max(1, round(_window(settings) / 60)),
        "currentTimeframeRequestCount": count,
    }

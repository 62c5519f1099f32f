"""How events, their delivery state and the event status read in answers."""

from __future__ import annotations

from typing import Any


def event_view(event: dict[str, Any], state: dict[str, Any] | None = None) -> dict[str, Any]:
    """An event with its cursor, status and (when known) its delivery attempts."""
    shown = dict(event)
    if state is not None:
        shown["status"] = state["status"]
        shown["attempts"] = state["attempts"]
    return shown


def delivery_view(delivery: dict[str, str], pending: int, cap: int) -> dict[str, Any]:
    """`pending` (and `parkedCount`) stop at `cap`; `pendingMore` says there are more."""
    return {
        "cursor": delivery.get("cursor") or None,
        "parked": bool(delivery.get("parked")),
        "parkedCount": pending if delivery.get("parked") else 0,
        "pending": pending,
        "pendingMore": pending >= cap,
        "failures": int(delivery.get("failures") or 0),
        "failingSince": _time(delivery.get("failingSince")),
        "nextAttempt": _time(delivery.get("nextAt")),
    }


def _time(value: str | None) -> float | None:
    number = float(value or 0)
    return number or None

"""Refusal checks: a refused write answers Autotask's error and leaves every row as it was.

`refused(box, "POST", "Tickets", body)` snapshots the row counts (`/_sandbox/counts`), the
webhook outbox (`/_sandbox/webhooks/events`) and, with `record=(entity, id)`, that record
(`/_sandbox/records/...`), makes the call, checks the status and that nothing changed, and
returns the answer's JSON for the test to compare with Autotask's text.
"""

from __future__ import annotations

from typing import Any

import requests


def admin_get(box, path: str) -> Any:
    answer = requests.get(f"{box.url}/_sandbox/{path}", timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def written_state(box, record: tuple[str, int] | None = None) -> dict[str, Any]:
    """What a write would change: row counts, queued callouts, and one record."""
    state = {"counts": admin_get(box, "counts"), "outbox": admin_get(box, "webhooks/events")}
    if record is not None:
        state["record"] = admin_get(box, f"records/{record[0]}/{record[1]}")["item"]
    return state


def refused(
    box,
    method: str,
    path: str,
    body: Any = None,
    *,
    record: tuple[str, int] | None = None,
    status: int = 500,
    headers: dict[str, str] | None = None,
) -> Any:
    """The JSON of a refused call, after checking its status and that nothing was written."""
    before = written_state(box, record)
    answer = box.call(method, path, json=body, headers=headers or {})
    assert answer.status_code == status, answer.text
    assert written_state(box, record) == before, "a refused request changed the data"
    return answer.json()


def refusal_text(box, method: str, path: str, body: Any = None, **kwargs: Any) -> str:
    """The one error text of a refused write (Autotask's 500 `{"errors": [text]}`)."""
    errors = refused(box, method, path, body, **kwargs)["errors"]
    assert len(errors) == 1, errors
    return errors[0]

"""CompanyNotes, CompanyToDos, Projects and Tasks: each ends no earlier than it starts
(inferred)."""

from __future__ import annotations

from typing import Any

from connector.sandbox.errors import autotask_error
from connector.sandbox.rules import EntityRules


class ActivityRules(EntityRules):
    def validate(self, w, record: dict[str, Any], previous: dict[str, Any] | None) -> None:
        start, end = record.get("startDateTime"), record.get("endDateTime")
        if start is not None and end is not None and end < start:
            raise autotask_error("The endDateTime must be later than the startDateTime.")

"""Opportunities: closing and losing stamp their dates (closedDate, lostDate)."""

from __future__ import annotations

from typing import Any

from connector.sandbox.rules import EntityRules

STATUS_LOST = 2
STATUS_CLOSED = 3
STATUS_IMPLEMENTED = 4


class OpportunityRules(EntityRules):
    def prepare_create(self, w, record: dict[str, Any]) -> None:
        self._stamp_status(w, record, None)

    def prepare_update(self, w, record: dict[str, Any], previous: dict[str, Any]) -> None:
        self._stamp_status(w, record, previous)

    @staticmethod
    def _stamp_status(w, record: dict[str, Any], previous: dict[str, Any] | None) -> None:
        status = record.get("status")
        if previous is not None and status == previous.get("status"):
            return
        if status == STATUS_LOST and record.get("lostDate") is None:
            record["lostDate"] = w.now
        if status in (STATUS_CLOSED, STATUS_IMPLEMENTED) and record.get("closedDate") is None:
            record["closedDate"] = w.now

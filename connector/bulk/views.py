"""A bulk job as clients see it: Cloud Elements' status fields, and a few more."""

from __future__ import annotations

from typing import Any

_OPTIONAL = ("startDate", "endDate", "totalCount", "fileFormat")


def status(job: dict[str, Any]) -> dict[str, Any]:
    kind = job.get("kind")
    view: dict[str, Any] = {
        "id": int(job["id"]),
        "status": job["status"] if job["status"] != "STAGING" else "CREATED",
        "jobType": kind,
        "objectName": job.get("resource"),
        "recordsCount": int(job.get("recordsCount") or 0),
        "recordsFailedCount": int(job.get("recordsFailedCount") or 0),
        "upstreamCalls": int(job.get("upstreamCalls") or 0),
        "createdDate": job.get("createdDate"),
        "statusMessage": job.get("statusMessage") or "",
    }
    if kind == "download":
        view["query"] = _query_text(job.get("query") or {})
        staged = int(job.get("stagedCount") or 0)
        if staged > view["recordsCount"]:
            view["recordsRead"] = staged  # an ordered download sorts after reading
    else:
        view["identifierFieldName"] = (job.get("metaData") or {}).get("identifierFieldName")
        for name in ("createdCount", "updatedCount", "unchangedCount"):
            view[name.replace("Count", "") + "Count"] = int(job.get(name) or 0)
    for name in _OPTIONAL:
        if job.get(name) not in (None, ""):
            view[name] = job[name]
    return view


def _query_text(query: dict[str, Any]) -> str:
    from connector.bulk.query import BulkQuery

    return BulkQuery.from_json(query).text() if query else ""

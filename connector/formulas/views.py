"""What the API answers for templates, formula instances and executions (Cloud Elements'
field names where it has them)."""

from __future__ import annotations

from typing import Any

_SUMMARY = ("id", "status", "createdDate", "updatedDate", "attempt", "error", "reason")


def template_view(doc: dict[str, Any]) -> dict[str, Any]:
    template = doc["template"]
    return {
        "id": doc["id"],
        "name": template["name"],
        "description": template.get("description", ""),
        "active": template.get("active", True),
        "system": bool(doc.get("system")),
        "version": doc["version"],
        "createdDate": doc.get("createdDate"),
        "updatedDate": doc.get("updatedDate"),
        "configuration": template.get("configuration", []),
        "triggers": template["triggers"],
        "steps": template["steps"],
    }


def instance_view(doc: dict[str, Any], template: dict[str, Any] | None = None) -> dict[str, Any]:
    view = {
        "id": doc["id"],
        "name": doc["name"],
        "active": doc["active"],
        "formula": {"id": doc["formulaId"]},
        "configuration": doc["configuration"],
        "elementInstanceIds": doc["elementInstanceIds"],
        "createdDate": doc["createdDate"],
        "updatedDate": doc["updatedDate"],
    }
    if template is not None:
        view["formula"]["name"] = template["template"]["name"]
    if doc.get("deletedElementInstanceIds"):
        view["deletedElementInstanceIds"] = doc["deletedElementInstanceIds"]
    return view


def execution_summary(execution: dict[str, Any]) -> dict[str, Any]:
    view = {k: execution.get(k) for k in _SUMMARY if execution.get(k) is not None}
    view["formulaInstanceId"] = execution["formulaInstanceId"]
    view["trigger"] = {"name": execution["trigger"]["name"], "type": execution["trigger"]["type"]}
    return view


def execution_view(execution: dict[str, Any]) -> dict[str, Any]:
    """The whole execution: its trigger value and every step's input, output, status, timing."""
    view = execution_summary(execution)
    view["formulaId"] = execution["formulaId"]
    view["trigger"] = execution["trigger"]
    view["steps"] = [
        {
            k: step.get(k)
            for k in (
                "name",
                "type",
                "status",
                "attempt",
                "startedDate",
                "endedDate",
                "durationMs",
                "input",
                "output",
                "error",
                "reason",
            )
            if k in step
        }
        for step in execution["steps"]
    ]
    return view

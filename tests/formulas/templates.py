"""Small templates the formula tests build on (data, as a tenant would POST them)."""

from __future__ import annotations

import copy
from typing import Any

MINIMAL: dict[str, Any] = {
    "name": "minimal",
    "configuration": [
        {"key": "crm", "type": "elementInstance"},
        {"key": "url", "type": "value"},
    ],
    "triggers": [{"type": "manual", "properties": {"required": ["n"]}}],
    "steps": [
        {"name": "double", "type": "set", "properties": {"values": {"n": "trigger.body.n * 2"}}},
        {"name": "big", "type": "filter", "properties": {"condition": "steps.double.n > 10"}},
        {
            "name": "route",
            "type": "switch",
            "properties": {
                "cases": [{"condition": "steps.double.n > 100", "next": "huge"}],
                "default": "normal",
            },
        },
        {
            "name": "normal",
            "type": "set",
            "properties": {"values": {"kind": "'normal'"}},
            "onSuccess": [],
        },
        {"name": "huge", "type": "set", "properties": {"values": {"kind": "'huge'"}}},
    ],
}


def minimal(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(MINIMAL)
    body.update(changes)
    return body


def with_step(index: int, **step: Any) -> dict[str, Any]:
    body = minimal()
    body["steps"][index] = {**body["steps"][index], **step}
    return body

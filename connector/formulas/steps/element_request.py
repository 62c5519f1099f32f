"""`elementRequest`: a hub call through an element instance of the formula instance.

The call goes through the hub's service layer (the same maps, cache and request budget as
`/hubs/crm/...`), never over HTTP to ourselves. `elementInstance` names a configuration entry
of type elementInstance, as `${config.<key>}`.

    - name: closeTicket
      type: elementRequest
      properties:
        elementInstance: "${config.autotask}"
        method: PATCH
        path: "/incidents/${steps.findAlert.value.ticketId}"
        body: {status: Complete}
    # output: {"status": 200, "body": {...the ticket...}}
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from marshmallow import Schema, ValidationError, fields, validates

from connector.formulas.steps.base import Outcome, Step, StepFailed, StepRun
from connector.formulas.steps.requests_common import (
    body_field,
    kept,
    method_field,
    query_field,
    query_values,
)

_CONFIG_REF = re.compile(r"^\$\{config\.([A-Za-z_][A-Za-z0-9_-]*)\}$")
# a hub path after /hubs/crm: resource names, ids and references; no dots, no query
_PATH = re.compile(r"^/[A-Za-z0-9_${}.\[\]/-]*$")


class ElementRequestProperties(Schema):
    elementInstance = fields.String(required=True)
    method = method_field
    path = fields.String(required=True)
    query = query_field
    body = body_field

    @validates("elementInstance")
    def _config_ref(self, value: str, **_: Any) -> None:
        if not _CONFIG_REF.match(value):
            raise ValidationError("name a configuration entry, as ${config.<key>}")

    @validates("path")
    def _path(self, value: str, **_: Any) -> None:
        if not _PATH.match(value) or "/.." in value or "?" in value:
            raise ValidationError("a hub path such as /incidents/${trigger.objectId} (no query)")


class ElementRequestStep(Step):
    type = "elementRequest"
    schema = ElementRequestProperties

    def __init__(self, name: str, properties: dict[str, Any]) -> None:
        super().__init__(name, properties)
        match = _CONFIG_REF.match(properties["elementInstance"])
        self.config_key = match.group(1) if match else ""

    def templated(self) -> Iterator[tuple[str, Any]]:
        for key in ("elementInstance", "path", "query", "body"):
            if key in self.properties:
                yield key, self.properties[key]

    def run(self, run: StepRun) -> Outcome:
        instance = run.render(self.properties["elementInstance"], "elementInstance")
        path = str(run.render(self.properties["path"], "path"))
        if "/.." in path or "?" in path or "#" in path:
            raise StepFailed("the rendered path leaves the hub", field_name="path")
        query = query_values(run.render(self.properties.get("query") or {}, "query"))
        body = run.render(self.properties.get("body"), "body")
        method = self.properties["method"]
        answer = kept(run.ports.element_request(instance, method, path, query, body))
        status = int(answer.get("status", 0))
        if status >= 400:
            message = _message(answer.get("body")) or f"the hub answered {status}"
            raise StepFailed(
                f"{method} {path}: {status} {message}",
                output=answer,
                transient=status in (429, 502, 503, 504),
            )
        return Outcome(output=answer)


def _message(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"][:300]
    return ""

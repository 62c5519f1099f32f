"""`httpRequest`: an outbound HTTP call through the service's one outbound door.

The URL is checked as event callbacks are (http or https; no private, loopback or link-local
address unless the operator allows it), with a deadline. A 5xx answer or a timeout is retried
with backoff, up to `maxAttempts` in all; any other 4xx fails the step at once.

    - name: createAlert
      type: httpRequest
      properties:
        method: POST
        url: "${config.alertWebhookUrl}"
        body: {eventType: ALERT, alertKey: "${steps.decide.alertKey}"}
    # output: {"status": 202, "body": ..., "headers": {...}}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from marshmallow import Schema, ValidationError, fields, validate, validates

from connector.formulas import limits
from connector.formulas.steps.base import Outcome, Step, StepFailed, StepRun
from connector.formulas.steps.requests_common import body_field, kept, method_field, query_field

_REFUSED_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


class HttpRequestProperties(Schema):
    method = method_field
    url = fields.String(required=True, validate=validate.Length(1, 2000))
    headers = fields.Dict(
        keys=fields.String(validate=validate.Length(1, 100)), values=fields.String()
    )
    query = query_field
    body = body_field
    timeoutSeconds = fields.Float(
        load_default=10.0, validate=validate.Range(0.1, limits.MAX_HTTP_TIMEOUT_SECONDS)
    )
    maxAttempts = fields.Integer(
        strict=True, load_default=3, validate=validate.Range(1, limits.MAX_HTTP_ATTEMPTS)
    )

    @validates("url")
    def _url(self, value: str, **_: Any) -> None:
        if not value.startswith(("http://", "https://", "${")):
            raise ValidationError("an http:// or https:// URL, or a ${config...} reference")

    @validates("headers")
    def _headers(self, value: dict[str, str], **_: Any) -> None:
        refused = sorted(k for k in value if k.lower() in _REFUSED_HEADERS)
        if refused:
            raise ValidationError(f"these headers are set by the service: {', '.join(refused)}")


class HttpRequestStep(Step):
    type = "httpRequest"
    schema = HttpRequestProperties

    def __init__(self, name: str, properties: dict[str, Any]) -> None:
        super().__init__(name, properties)
        self.max_attempts: int = properties["maxAttempts"]

    def templated(self) -> Iterator[tuple[str, Any]]:
        for key in ("url", "headers", "query", "body"):
            if key in self.properties:
                yield key, self.properties[key]

    def run(self, run: StepRun) -> Outcome:
        url = run.render(self.properties["url"], "url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise StepFailed("the URL must be http:// or https://", field_name="url")
        headers = {
            k: str(v)
            for k, v in run.render(self.properties.get("headers") or {}, "headers").items()
        }
        body = run.render(self.properties.get("body"), "body")
        query = run.render(self.properties.get("query") or {}, "query")
        if query:
            url += ("&" if "?" in url else "?") + urlencode({k: str(v) for k, v in query.items()})
        method = self.properties["method"]
        answer = kept(
            run.ports.http_request(method, url, headers, body, self.properties["timeoutSeconds"])
        )
        status = int(answer.get("status", 0))
        if status >= 400:
            raise StepFailed(f"{method} answered {status}", output=answer, transient=status >= 500)
        return Outcome(output=answer)

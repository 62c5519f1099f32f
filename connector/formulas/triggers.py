"""The three triggers: `event` (instance events), `schedule` (cron) and `manual` (an API call).

    triggers:
      - {type: event, properties: {elementInstance: "${config.autotask}",
                                   objectType: [incidents], eventType: [CREATED, UPDATED]}}
      - {type: schedule, properties: {cron: "0 2 * * *"}}
      - {type: manual, name: alertChanged,
         properties: {required: [alertKey, status],
                      condition: "trigger.body.status in ['ACCEPTED', 'RESOLVED']"}}

An event trigger's variables are the event itself (`trigger.eventId`, `trigger.objectType`,
`trigger.eventType`, `trigger.objectId`, `trigger.record`, `trigger.raw`); a manual trigger's
are `trigger.body`; a schedule's `trigger.scheduledTime` (UTC, ISO 8601).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from croniter import croniter
from marshmallow import Schema, ValidationError, fields, validate, validates

from connector.formulas.expressions import Expression, ExpressionError, compile_expression

EVENT_TYPES = ["CREATED", "UPDATED", "DELETED", "UNKNOWN"]
CONFIG_REF = re.compile(r"^\$\{config\.([A-Za-z_][A-Za-z0-9_-]*)\}$")


class EventProperties(Schema):
    elementInstance = fields.String(required=True)
    objectType = fields.List(fields.String(validate=validate.Length(1, 100)), load_default=list)
    eventType = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)), load_default=list)

    @validates("elementInstance")
    def _ref(self, value: str, **_: Any) -> None:
        if not CONFIG_REF.match(value):
            raise ValidationError("name a configuration entry, as ${config.<key>}")


class ScheduleProperties(Schema):
    cron = fields.String(required=True)

    @validates("cron")
    def _cron(self, value: str, **_: Any) -> None:
        if len(value.split()) != 5 or not croniter.is_valid(value):
            raise ValidationError("a 5-field cron expression such as '0 2 * * *' (minute first)")


class ManualProperties(Schema):
    required = fields.List(fields.String(validate=validate.Length(1, 100)), load_default=list)
    condition = fields.String()


SCHEMAS: dict[str, type[Schema]] = {
    "event": EventProperties,
    "schedule": ScheduleProperties,
    "manual": ManualProperties,
}


class BadTriggerError(Exception):
    """A trigger value (a manual call's body) the template refuses; safe to show."""


class Trigger:
    """One validated trigger of a template, with its start step."""

    def __init__(self, index: int, spec: dict[str, Any], start: str) -> None:
        self.index = index
        self.type: str = spec["type"]
        self.name: str = spec.get("name") or f"{self.type}{index}"
        self.properties: dict[str, Any] = spec["properties"]
        self.start = start
        self.condition: Expression | None = None
        if self.type == "manual" and "condition" in self.properties:
            self.condition = compile_expression(self.properties["condition"])
        match = CONFIG_REF.match(self.properties.get("elementInstance", ""))
        self.config_key = match.group(1) if match else ""

    # -- events ----------------------------------------------------------------------------
    def matches_event(self, event: dict[str, Any]) -> bool:
        """Whether this event trigger takes the event (object and event types)."""
        if self.type != "event":
            return False
        wanted_objects = [o.lower() for o in self.properties["objectType"]]
        wanted_events = self.properties["eventType"]
        object_type = str(event.get("objectType", "")).lower()
        if wanted_objects and object_type not in wanted_objects:
            return False
        return not wanted_events or str(event.get("eventType", "")).upper() in wanted_events

    # -- schedules -------------------------------------------------------------------------
    def due_between(self, after: datetime, until: datetime) -> datetime | None:
        """The latest tick of the cron in (after, until], or None."""
        if self.type != "schedule":
            return None
        ticks = croniter(self.properties["cron"], after.astimezone(UTC))
        latest = None
        while True:
            tick = ticks.get_next(datetime)
            if tick > until:
                return latest
            latest = tick

    # -- manual calls ----------------------------------------------------------------------
    def check_body(self, body: Any, config: dict[str, Any]) -> None:
        """BadTriggerError unless `body` is an object with the required fields and condition."""
        if self.type != "manual":
            raise BadTriggerError(f"trigger '{self.name}' is not a manual trigger")
        if not isinstance(body, dict):
            raise BadTriggerError("the body of a manual execution must be a JSON object")
        missing = [f for f in self.properties["required"] if body.get(f) in (None, "")]
        if missing:
            raise BadTriggerError(f"the body misses required fields: {', '.join(missing)}")
        if self.condition is not None:
            try:
                ok = self.condition.evaluate({"trigger": {"body": body}, "config": config})
            except ExpressionError as exc:
                raise BadTriggerError(f"the body fails the trigger condition: {exc}") from None
            if ok is not True:
                raise BadTriggerError(
                    f"the body fails the trigger condition: {self.properties['condition']}"
                )

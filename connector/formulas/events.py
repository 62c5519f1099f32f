"""Event triggers: an instance event starts one execution per formula instance that takes it.

The events feature calls `on_event(env, instance_id, event)` for each event it appends to an
element instance's log. An event is the normalized one the log keeps: `eventId` (stable),
`objectType`, `objectId`, `eventType`, `eventDate`, `record`, and `raw` when kept. Executions
of one record run in the order their events came, one at a time; an event seen again (a
redelivery) starts nothing.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from connector.formulas import limits
from connector.formulas.engine import Engine, TooManyExecutionsError, blocked
from connector.formulas.environment import FormulaEnv
from connector.formulas.execution_budget import ExecutionStorageError

log = logging.getLogger("connector.formulas")


def on_event(env: FormulaEnv, element_id: int, event: dict[str, Any]) -> list[int]:
    """The ids of the executions started for `event` of element instance `element_id`."""
    if not event.get("eventId"):
        return []
    value = _trigger_value(int(element_id), event)
    engine = Engine(env)
    started = []
    for instance in env.store.instances_on(int(element_id)):
        if not instance["active"] or blocked(instance):
            continue
        doc = env.store.template_doc(instance["formulaId"])
        if doc is None:
            continue
        template = env.store.compiled(doc)
        for trigger in template.triggers:
            if trigger.type != "event" or not trigger.matches_event(event):
                continue
            if instance["configuration"].get(trigger.config_key) != int(element_id):
                continue
            record = f"{event.get('objectType')}:{event.get('objectId')}"
            try:
                execution = engine.start(
                    instance,
                    trigger.name,
                    value,
                    record=record,
                    dedup=str(event["eventId"]),
                    limit=limits.MAX_PENDING_EVENT_EXECUTIONS,
                )
            except (TooManyExecutionsError, ExecutionStorageError):
                log.warning(
                    "formulas: event %s not run by instance %s: too many executions",
                    event["eventId"],
                    instance["id"],
                )
                break
            if execution is not None:
                started.append(execution["id"])
            break  # one execution per event and formula instance
    return started


def _trigger_value(element_id: int, event: dict[str, Any]) -> dict[str, Any]:
    """The event as `trigger`; a raw vendor body too large to keep is left out."""
    value = {k: v for k, v in event.items() if k not in ("name", "type")}
    value["instanceId"] = element_id
    if len(json.dumps(value, default=str)) > 4 * limits.MAX_TRIGGER_BYTES:
        value.pop("raw", None)
    return value

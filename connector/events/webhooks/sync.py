"""What an instance's settings ask of webhooks, applied: register while events are on with
`event.vendor.type=webhook`, remove otherwise (off, polling only, disabled, deleted).

The keys are the events configuration's (issue #13); read here with their documented defaults
so that a change of them, on any host, leads to the same webhooks.
"""

from __future__ import annotations

import logging

from connector.errors import ConnectorError
from connector.events.webhooks.env import WebhookEnv
from connector.events.webhooks.registration import Registrar
from connector.events.webhooks.store import HookStore
from connector.tenancy.instances import Instance
from connector.tenancy.secrets_box import SecretBox

ENABLED, VENDOR_TYPE, OBJECTS = "event.notification.enabled", "event.vendor.type", "event.objects"
DEFAULT_OBJECTS = ("accounts", "contacts", "opportunities", "incidents")
MAX_OBJECTS = 50  # more names than there are resources is a mistake: the rest are ignored

log = logging.getLogger("connector.events")


def watched_resources(instance: Instance, box: SecretBox) -> list[str]:
    raw = instance.config_value(OBJECTS, box)
    if not raw:
        return list(DEFAULT_OBJECTS)
    names = (name.strip() for name in raw.split(",")[: MAX_OBJECTS * 2])
    return list(dict.fromkeys(name for name in names if name))[:MAX_OBJECTS]


def wants_webhooks(instance: Instance, box: SecretBox) -> bool:
    # the events core keeps `event.notification.enabled` as the instance's eventsEnabled
    configured = (instance.config_value(ENABLED, box) or "false").strip().lower() == "true"
    enabled = bool(getattr(instance, "eventsEnabled", False)) or configured
    vendor = (instance.config_value(VENDOR_TYPE, box) or "webhook").strip().lower()
    return enabled and vendor == "webhook" and not instance.disabled


def sync(env: WebhookEnv, instance_id: int) -> str | None:
    """Bring the instance's webhooks in line with its settings (safe to run again); answers
    why it could not (Autotask unreachable: the job retries), or None."""
    instance = env.instances.get(instance_id)
    if instance is None:
        HookStore(env).drop_instance(instance_id)
        return None
    registrar = Registrar(env)
    try:
        if wants_webhooks(instance, env.box):
            registrar.register(instance, watched_resources(instance, env.box))
        else:
            registrar.unregister(instance)
    except ConnectorError as error:
        log.warning("webhooks of instance %s not brought in line: %s", instance_id, error.message)
        return error.message
    return None


def status(env: WebhookEnv, instance_id: int) -> dict[str, dict[str, str | None]]:
    """Per watched resource: `mode` (webhook or polling), `reason`, `entity`, `since`; empty
    while webhooks were never asked for. For the event status route."""
    return HookStore(env).modes(instance_id)


def webhook_resources(env: WebhookEnv, instance_id: int) -> set[str]:
    """The resources a webhook serves: the pollers leave them alone."""
    return {r for r, mode in status(env, instance_id).items() if mode["mode"] == "webhook"}


def remove(env: WebhookEnv, instance: Instance) -> None:
    """Before the instance is deleted: its webhooks go from Autotask (best effort: a failure
    leaves webhooks whose callouts answer 404, which Autotask deactivates in time)."""
    try:
        Registrar(env).unregister(instance)
    except ConnectorError as error:
        log.warning("webhooks of instance %s not removed: %s", instance.id, error.message)
        HookStore(env).drop_instance(instance.id)

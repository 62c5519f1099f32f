"""The instance hook that checks an instance's `event.*` keys before it is stored.

A bad value is a 400 naming the key, and nothing is stored. When events are on and the
instance has no signature key, one is made, stored encrypted like every secret key, and shown
to the user in this one answer (as a token is).
"""

from __future__ import annotations

from collections.abc import Callable

from connector.errors import ValidationError
from connector.events import config
from connector.events.env import EventsEnv
from connector.tenancy.instances import Instance
from connector.tenancy.secrets_box import new_secret


def checker(env: EventsEnv) -> Callable[[Instance], dict[str, str]]:
    def check_events(instance: Instance) -> dict[str, str]:
        values = env.values(instance)
        enabled = bool(instance.eventsEnabled)
        if not enabled and all(values.get(key) is None for key in config.KEYS):
            return {}
        stored = env.instance(instance.id)
        before = env.values(stored) if stored is not None else {}
        problems = config.check(
            values,
            enabled=enabled,
            maps=env.maps(instance),
            settings=env.settings,
            # a URL checked when it was stored is not resolved again at every change
            recheck_url=values.get(config.CALLBACK_URL) != before.get(config.CALLBACK_URL),
        )
        if problems:
            raise ValidationError(
                "Invalid instance: "
                + "; ".join(f"configuration.{key}: {text}" for key, text in problems.items())
            )
        if enabled and not values.get(config.SIGNATURE_KEY):
            key = new_secret(32)
            instance.set_config(config.SIGNATURE_KEY, key, env.services.box)
            return {config.SIGNATURE_KEY: key}
        return {}

    return check_events

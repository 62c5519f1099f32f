"""What the events feature works with in one process, web or worker: `EventsEnv`.

    env = EventsEnv.of_app(app)          # built once by the composition root (connector.api.deps)
    env = EventsEnv.current()            # inside a job: the worker's app's
    instance = env.instance(7); env.settings_of(instance).objects; env.client(instance)
    env.on_change(listener)              # listener(env, instance_id, EventSettings | None)

Sources (webhook intake, polling, deletions) take from it the Redis connection, the key
builder, the operator's settings, an instance's parsed event configuration, its Autotask client
and maps, and hand changes to `connector.events.pipeline.submit(env, changes)`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis

from connector.config import Settings
from connector.events import config
from connector.storage.keys import Keys
from connector.tenancy.instances import Instance

log = logging.getLogger("connector.events")

EXTENSION = "connector.events"
# told after an instance's events may have changed (on/off, keys, disabled) or it was deleted
# (None): start or stop what runs for it
Listener = Callable[["EventsEnv", int, "config.EventSettings | None"], None]


@dataclass
class EventsEnv:
    settings: Settings
    redis: redis.Redis
    keys: Keys
    services: Any  # connector.tenancy.services.Services
    registry: Any  # connector.hub.registry.Registry
    jobs: Any  # connector.jobs.Jobs
    formulas: Any = None  # connector.formulas.environment.FormulaEnv (event triggers)
    listeners: list[Listener] = field(default_factory=list)

    @property
    def box(self) -> Any:
        """The instance secrets box (connector.tenancy.secrets_box.SecretBox)."""
        return self.services.box

    # -- instances ----------------------------------------------------------------------
    def instance(self, instance_id: int) -> Instance | None:
        return self.services.instances.get(int(instance_id))

    def maps(self, instance: Instance) -> dict[str, Any]:
        """The instance's transformation maps (its model's), by resource name."""
        return {name: r.map for name, r in self.registry.maps_for(instance).items()}

    def values(self, instance: Instance) -> dict[str, str | None]:
        """The instance's event keys in clear (the signature key decrypted)."""
        box = self.services.box
        keys = [key for key in config.KEYS if key != config.ENABLED]
        return {key: instance.config_value(key, box) for key in keys}

    def settings_of(self, instance: Instance) -> config.EventSettings:
        """The instance's event configuration, parsed."""
        return config.read(
            self.values(instance),
            enabled=bool(instance.eventsEnabled) and not instance.disabled,
            maps=self.maps(instance),
            settings=self.settings,
        )

    def signature_key(self, instance: Instance) -> str | None:
        return instance.config_value(config.SIGNATURE_KEY, self.services.box)

    def client(self, instance: Instance) -> Any:
        """The instance's Autotask client, for background work (interactive calls keep a
        slot)."""
        client = self.services.clients(instance)
        client.background = True
        return client

    # -- on/off -------------------------------------------------------------------------
    def on_change(self, listener: Listener) -> None:
        """Call `listener(env, instance_id, settings)` when an instance's events may have
        changed; settings None when it was deleted."""
        self.listeners.append(listener)

    def changed(self, instance_id: int) -> None:
        instance = self.instance(instance_id)
        settings = self.settings_of(instance) if instance is not None else None
        self._tell(instance_id, settings)

    def deleted(self, instance_id: int) -> None:
        self._tell(instance_id, None)

    def _tell(self, instance_id: int, settings: config.EventSettings | None) -> None:
        for listener in self.listeners:
            try:
                listener(self, int(instance_id), settings)
            except redis.RedisError:
                raise
            except Exception:  # one feature's failure must not stop the others' listeners
                log.exception("events listener %s failed", getattr(listener, "__name__", "?"))

    # -- processes ----------------------------------------------------------------------
    @staticmethod
    def of_app(app: Any) -> EventsEnv:
        return app.extensions[EXTENSION]

    @staticmethod
    def current() -> EventsEnv:
        """The worker process's env: the app connector.jobs built once per process."""
        from connector import jobs

        return EventsEnv.of_app(jobs.current().app)

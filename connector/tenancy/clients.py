"""The one factory of Autotask clients: for an instance (its credentials in clear, the zone
proved when it was created, pinned to it), or for credentials being proved before an
instance holds them.

An uncached hub read builds one client, and decrypting its two secrets was a tenth of what
the connector added to the Autotask call; so the factory keeps each instance's credential
values in clear, in this process, beside the exact ciphertexts and values they came from.
A copy is used only while the instance document in hand holds those same bytes: a PATCH that
changes a credential stores a new ciphertext (Fernet's IV is random), so the next request
decrypts afresh without asking Redis for any version. A change or deletion handled here also
drops the copy at once (`forget`), and a new key means a new app, hence a new factory.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Any

import redis

from connector.autotask import AutotaskClient, Credentials, Zone, discover_zone, guard
from connector.config import Settings
from connector.errors import ConnectorError
from connector.observability.usage import UsageRecorder
from connector.storage.keys import Keys
from connector.tenancy import element
from connector.tenancy.instances import Instance, InstanceStore
from connector.tenancy.provisioning import credentials_from
from connector.tenancy.secrets_box import SecretBox

log = logging.getLogger("connector.tenancy")

_KEYS = tuple(sorted(element.CREDENTIAL_KEYS))
_COPIES_KEPT = 1024  # instances this process keeps credentials of (least recently used go)


class ClientFactory:
    def __init__(
        self, *, settings: Settings, client: redis.Redis, keys: Keys, box: SecretBox
    ) -> None:
        self.settings = settings
        self.redis = client
        self.keys = keys
        self.box = box
        guard.policy_for(settings)  # a bad AUTOTASK_ALLOWED_HOSTS stops the service at start
        # instance id -> (what the values came from, the values in clear)
        self._copies: OrderedDict[int, tuple[tuple, dict[str, str | None]]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, instance: Instance) -> AutotaskClient:
        """The client of a stored instance, on its pinned zone; a zone that moved is
        re-proved with the instance's credentials and pinned again. Its calls count in the
        instance's usage."""
        credentials = credentials_from(self._credential_values(instance), self.settings)
        zone_url = instance.zone["lookupUrl"]
        zone = pinned_zone(instance)
        if zone is None:  # stored before zones were pinned: the proved, cached answer
            zone = self.zone(credentials.username, zone_url)
        store = InstanceStore(self.redis, self.keys)

        def pin(moved: Zone) -> None:
            try:
                store.pin_zone(instance.id, zone_fields(moved))
            except ConnectorError as exc:  # deleted meanwhile: nothing to pin
                log.info("zone of instance %s not pinned: %s", instance.id, type(exc).__name__)

        client = self.build(credentials, zone, zone_url, on_zone_moved=pin)
        client.caller.on_call = UsageRecorder(self.redis, self.keys, instance.id)
        return client

    def forget(self, instance_id: int) -> None:
        """Drop the instance's credentials in clear (it changed or was deleted)."""
        with self._lock:
            self._copies.pop(int(instance_id), None)

    def __contains__(self, instance_id: object) -> bool:
        """Whether this process holds the instance's credentials in clear."""
        with self._lock:
            return instance_id in self._copies

    def _credential_values(self, instance: Instance) -> dict[str, str | None]:
        """The instance's credential values in clear, decrypted once per ciphertext."""
        source = tuple(
            (key, instance.secrets.get(key), instance.configuration.get(key)) for key in _KEYS
        )
        with self._lock:
            kept = self._copies.get(instance.id)
            if kept is not None and kept[0] == source:
                self._copies.move_to_end(instance.id)
                return dict(kept[1])
        values = {key: instance.config_value(key, self.box) for key in _KEYS}  # may refuse
        with self._lock:
            self._copies[instance.id] = (source, values)
            self._copies.move_to_end(instance.id)
            while len(self._copies) > _COPIES_KEPT:
                self._copies.popitem(last=False)
        return dict(values)

    def zone(
        self, username: str, zone_url: str, *, refresh: bool = False, remember: bool = True
    ) -> Zone:
        return discover_zone(
            username,
            redis=self.redis,
            keys=self.keys,
            zone_url=zone_url,
            ttl=self.settings.zone_ttl,
            refresh=refresh,
            settings=self.settings,
            remember=remember,
        )

    def build(
        self, credentials: Credentials, zone: Zone, zone_url: str, *, on_zone_moved=None
    ) -> AutotaskClient:
        return AutotaskClient(
            credentials,
            zone,
            redis=self.redis,
            keys=self.keys,
            settings=self.settings,
            zone_url=zone_url,
            on_zone_moved=on_zone_moved,
        )


def pinned_zone(instance: Instance) -> Zone | None:
    """The zone kept on the instance, or None when it holds none."""
    record = instance.zone or {}
    if not record.get("url"):
        return None
    try:
        return _zone(record.get("name"), record["url"], record.get("webUrl"), record.get("ci"))
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=1024, typed=True)  # read twice a hub request (client, cache's database)
def _zone(name: Any, url: Any, web_url: Any, ci: Any) -> Zone:
    return Zone.from_answer({"zoneName": name, "url": url, "webUrl": web_url, "ci": ci})


def database_of(instance: Instance) -> str | None:
    """The proved identity of the instance's Autotask database (its caches' shared key)."""
    zone = pinned_zone(instance)
    lookup = (instance.zone or {}).get("lookupUrl")
    return guard.database_identity(zone, lookup) if zone is not None and lookup else None


def zone_fields(zone: Zone) -> dict:
    """A zone as the instance keeps it (the lookup URL is kept apart)."""
    return {"name": zone.name, "url": zone.url, "webUrl": zone.web_url, "ci": zone.ci}

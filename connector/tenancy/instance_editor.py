"""Creating and changing instances: credentials proved before they are stored, settings
applied in one way, and the instance hooks told of every change (listeners drop what they keep).

HTTP-free: connector.api.instances parses and renders around it.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from connector.errors import ValidationError
from connector.tenancy import element, provisioning, stored_size
from connector.tenancy.clients import ClientFactory
from connector.tenancy.counts import CountCap, Place
from connector.tenancy.failed_creates import FailedCreates
from connector.tenancy.hooks import InstanceHooks
from connector.tenancy.instances import Instance, InstanceStore
from connector.tenancy.secrets_box import SecretBox

MASK = "********"  # how secret configuration values read back
_TOP_LEVEL = (
    "cachingEnabled",
    "cacheTimeToLive",
    "maxCacheSize",
    "traceLoggingEnabled",
    "eventsEnabled",
    "disabled",
)


class InstanceEditor:
    def __init__(
        self,
        *,
        store: InstanceStore,
        box: SecretBox,
        clients: ClientFactory,
        hooks: InstanceHooks,
        readable_tokens: bool = False,
    ) -> None:
        self.readable_tokens = readable_tokens
        self.failures = FailedCreates(
            clients.redis,
            clients.keys,
            limit=clients.settings.instance_create_failures,
        )
        self.cap = CountCap(
            clients.redis,
            clients.keys,
            "instances",
            limit=clients.settings.max_instances,
            what="instances (CONNECTOR_MAX_INSTANCES)",
        )
        self.store = store
        self.box = box
        self.clients = clients
        self.hooks = hooks
        # values a checker made for the user in the last change (a signature key), shown once
        self.revealed: dict[str, str] = {}

    def create(
        self, organization_id: int, user_id: int, data: dict[str, Any]
    ) -> tuple[Instance, str]:
        """A new instance from a validated body, and its token (shown this once); a 409 when
        the organization holds CONNECTOR_MAX_INSTANCES already (nothing is sent upstream)."""
        config = self._without_masks(data["configuration"], None)
        stored_size.check_new(config)
        index = self.store.keys.org_instances(str(organization_id))
        with self.cap.place(organization_id, index) as place:
            return self._create(organization_id, user_id, data, config, place)

    def _create(
        self, organization_id: int, user_id: int, data: dict[str, Any], config: dict, place: Place
    ) -> tuple[Instance, str]:
        connection = self._connect(config, organization_id)
        token, token_hash = self.store.new_token()
        instance = Instance(
            id=self.store.next_id(),
            organizationId=organization_id,
            userId=user_id,
            name=data["name"],
            tags=data["tags"] or [data["name"]],  # Cloud Elements: the name is the first tag
            configuration={},
            secrets={},
            zone=zone_record(connection),
            tokenHash=token_hash,
            tokenCipher=self.box.encrypt(token) if self.readable_tokens else None,
        )
        self._apply(instance, data, config)
        self.revealed = self.hooks.check(instance)
        place.confirm()  # a proof slower than a claim lasts may have lost its place
        self.store.save(instance, is_new=True)
        self.hooks.changed(instance.id)
        return instance, token

    def replace(self, instance: Instance, data: dict[str, Any]) -> Instance:
        """PUT: everything anew; the credentials are proved again."""
        config = self._without_masks(data["configuration"], instance)
        before = stored_size.weight(instance, self.box)
        connection = self._connect(config, instance.organizationId)
        instance.configuration, instance.secrets = {}, {}
        instance.zone = zone_record(connection)
        instance.name, instance.tags = data["name"], data["tags"]
        self._apply(instance, data, config)
        return self._saved(instance, before)

    def update(self, instance: Instance, data: dict[str, Any]) -> Instance:
        """PATCH: what the body names; tags replace the whole list, as in Cloud Elements."""
        changes = self._without_masks(data.get("configuration") or {}, instance)
        before = stored_size.weight(instance, self.box)
        self._check_result(instance, data, changes, before)  # before credentials are proved
        self._reconnect_if_credentials_change(instance, changes)
        for name in ("name", "tags"):
            if name in data:
                setattr(instance, name, data[name])
        self._apply(instance, data, changes)
        return self._saved(instance, before)

    def set_configuration(self, instance: Instance, checked: dict[str, str | None]) -> Instance:
        """One configuration row, already validated."""
        changes = self._without_masks(checked, instance)
        before = stored_size.weight(instance, self.box)
        self._check_result(instance, {}, changes, before)  # before credentials are proved
        self._reconnect_if_credentials_change(instance, changes)
        self._apply(instance, {}, changes)
        return self._saved(instance, before)

    def rotate_token(self, instance: Instance) -> str:
        """A new token, shown this once; the old one is refused from now on."""
        return self.store.rotate_token(instance, self.box.encrypt if self.readable_tokens else None)

    def readable_token(self, instance: Instance) -> str | None:
        """The instance's token in clear when the operator allows it and it was kept."""
        if not self.readable_tokens or not instance.tokenCipher:
            return None
        return self.box.decrypt(instance.tokenCipher)

    def set_disabled(self, instance: Instance, disabled: bool) -> Instance:
        instance.disabled = disabled
        self.store.save(instance)
        self.hooks.changed(instance.id)  # what runs for an instance stops or starts again
        return instance

    def delete(self, instance: Instance) -> None:
        self.hooks.deleting(instance)
        self.store.delete(instance)
        self.hooks.deleted(instance.id)

    # -- helpers ----------------------------------------------------------------------------
    def _connect(
        self, config: dict[str, str | None], organization_id: int
    ) -> provisioning.Connection:
        with self.failures.attempt(organization_id):
            return provisioning.connect(config, self.clients)

    def _saved(self, instance: Instance, before: stored_size.Weight) -> Instance:
        stored_size.check_change(before, instance, self.box)  # an earlier version's excess
        self.revealed = self.hooks.check(instance)
        self.store.save(instance)
        self.hooks.changed(instance.id)  # settings or credentials changed
        return instance

    def _check_result(
        self,
        instance: Instance,
        data: dict[str, Any],
        changes: dict[str, str | None],
        before: stored_size.Weight,
    ) -> None:
        """Refuse a change past the configuration bounds before anything is sent upstream: a
        new password on an instance past them was proved with Autotask, then refused."""
        trial = deepcopy(instance)
        self._apply(trial, data, changes)
        stored_size.check_change(before, trial, self.box)

    def _reconnect_if_credentials_change(
        self, instance: Instance, changes: dict[str, str | None]
    ) -> None:
        """New credentials are proved before they are stored, as at creation."""
        changed = [
            k
            for k in element.CREDENTIAL_KEYS & changes.keys()
            if changes[k] != instance.config_value(k, self.box)
        ]
        if not changed:
            return
        merged = {
            key: instance.config_value(key, self.box)
            for key in set(instance.configuration) | set(instance.secrets)
        }
        merged.update(changes)
        instance.zone = zone_record(self._connect(merged, instance.organizationId))

    def _without_masks(self, config: dict[str, str | None], instance: Instance | None) -> dict:
        """A masked value sent back (`********`) means "keep what is stored"."""
        kept = {}
        for key, value in config.items():
            if value == MASK:
                if instance is None:
                    raise ValidationError(
                        f"Invalid instance: configuration.{key}: send the value, not the mask"
                    )
                value = instance.config_value(key, self.box)
            kept[key] = value
        return kept

    def _apply(
        self, instance: Instance, data: dict[str, Any], config: dict[str, str | None]
    ) -> None:
        """Top-level settings, then configuration keys (a key wins over its top-level twin)."""
        for name in _TOP_LEVEL:
            if name in data:
                setattr(instance, name, data[name])
        for key, value in config.items():
            spec = element.config_key(key)
            if spec is not None and spec.field is not None:
                if value is not None:
                    converted = value == "true" if spec.type == "BOOLEAN" else int(value)
                    setattr(instance, spec.field, converted)
                continue
            instance.set_config(key, value, self.box)


def zone_record(connection: provisioning.Connection) -> dict[str, Any]:
    zone = connection.zone
    return {
        "name": zone.name,
        "url": zone.url,
        "webUrl": zone.web_url,
        "ci": zone.ci,
        "lookupUrl": connection.zone_url,
    }

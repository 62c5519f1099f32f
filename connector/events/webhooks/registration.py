"""Registering an instance's webhooks in Autotask, and removing them (reference section 9).

One webhook per watched entity that has them (Companies, Contacts, Tickets, TicketNotes),
created as the instance's API user: its callout URL under CONNECTOR_PUBLIC_URL with the
instance's random hook id, a deactivation URL beside it, the instance's random secret key,
create/update/delete subscriptions, and one subscribed field per field the resources' maps
read. A resource whose entity has no webhooks, or when there is no public URL, or when
Autotask refuses (the API user's security level lacks "Can create WebHooks"), is polled; its
mode and the reason are kept for the event status.

Upstream calls: one metadata read of the fields picklist (cached), one create, and one call
per subscribed field, once per entity; nothing while the webhook exists.
"""

from __future__ import annotations

import logging
from typing import Any

from connector.errors import (
    ConnectorError,
    ProviderError,
    ProviderNotFoundError,
    ProviderRateLimitedError,
    ProviderUnavailableError,
)
from connector.events.webhooks.entities import WebhookEntity, for_entity
from connector.events.webhooks.env import WebhookEnv
from connector.events.webhooks.store import POLLING, WEBHOOK, HookStore
from connector.tenancy.instances import Instance

log = logging.getLogger("connector.events")

CALLOUT_PATH = "/elements/api-v2/events/autotaskcrm/{hook}"
DEACTIVATION_SUFFIX = "/deactivation"
NAME_LENGTH = 50  # the webhook name's length in Autotask
# Autotask busy or down is no refusal: the registration job fails and is retried
TRANSIENT = (ProviderRateLimitedError, ProviderUnavailableError)
NO_PUBLIC_URL = (
    "CONNECTOR_PUBLIC_URL is not set, so Autotask cannot reach this service: polled instead"
)


def refusal(error: ConnectorError) -> str:
    """Autotask's own words when it refused, else ours (never a credential: the client's
    messages carry none)."""
    return error.provider_message or error.message


class Registrar:
    def __init__(self, env: WebhookEnv) -> None:
        self.env = env
        self.store = HookStore(env)

    def callout_url(self, hook_id: str) -> str:
        base = (self.env.settings.public_url or "").rstrip("/")
        return base + CALLOUT_PATH.format(hook=hook_id)

    # -- the resources' entities and the fields their maps read -------------------------------
    def entity_of(self, instance: Instance, resource: str) -> str | None:
        try:
            return self.env.registry.resolve(resource, instance).entity
        except ConnectorError:
            return None

    def read_fields(self, instance: Instance, resources: list[str]) -> list[str]:
        wanted: list[str] = []
        for name in resources:
            found = self.env.registry.base(name, instance)
            resource_map = getattr(found, "map", None)
            if resource_map is None:
                continue
            paths = [mapper.path for mapper in resource_map.fields if mapper.readable]
            wanted += resource_map.vendor_fields(paths) or []
        return [name for name in dict.fromkeys(wanted) if name.lower() != "id"]

    # -- register and remove -----------------------------------------------------------------
    def register(self, instance: Instance, resources: list[str]) -> dict[str, dict[str, Any]]:
        """Make the webhooks `resources` need and remove those no longer needed; answers the
        resources' modes. Running it again changes nothing that is already right."""
        by_entity: dict[str, list[str]] = {}
        for resource in resources:
            entity = self.entity_of(instance, resource)
            if entity is None or for_entity(entity) is None:
                why = f"Autotask has no webhooks for {entity or resource}: polled"
                self.store.set_mode(instance.id, resource, POLLING, why, entity)
            else:
                by_entity.setdefault(entity, []).append(resource)
        self.store.clear_modes(instance.id, keep=set(resources))
        existing = self.store.webhooks(instance.id)
        client = None
        for entity, record in existing.items():
            if entity not in by_entity or not self.env.settings.public_url:
                client = client or self.env.clients(instance)
                self._delete(client, instance.id, entity, record)
        if not by_entity:
            return self.store.modes(instance.id)
        if not self.env.settings.public_url:
            for entity, names in by_entity.items():
                for resource in names:
                    self.store.set_mode(instance.id, resource, POLLING, NO_PUBLIC_URL, entity)
            return self.store.modes(instance.id)
        hook_id, secret = self.store.ensure_hook(instance.id)
        existing = self.store.webhooks(instance.id)
        for entity, names in by_entity.items():
            if entity in existing:
                record = {**existing[entity], "resources": names}
                self.store.put_webhook(instance.id, entity, record)
                for resource in names:
                    self.store.set_mode(instance.id, resource, WEBHOOK, "registered", entity)
                continue
            client = client or self.env.clients(instance)
            self._create(client, instance, for_entity(entity), names, hook_id, secret)
        return self.store.modes(instance.id)

    def _create(
        self, client, instance: Instance, target: WebhookEntity, resources, hook_id, secret
    ):
        url = self.callout_url(hook_id)
        body = {
            "name": f"autotask-connector {instance.id} {target.entity}"[:NAME_LENGTH],
            "webhookUrl": url,
            "deactivationUrl": url + DEACTIVATION_SUFFIX,
            "secretKey": secret,
            "isActive": True,
            "sendThresholdExceededNotification": False,
            "isSubscribedToCreateEvents": True,
            "isSubscribedToUpdateEvents": True,
            "isSubscribedToDeleteEvents": True,
        }
        try:
            created = client.create(target.webhook, body)
        except TRANSIENT:
            raise
        except ProviderError as error:
            why = f"Autotask refused the webhook ({refusal(error)}): polled instead"
            for resource in resources:
                self.store.set_mode(instance.id, resource, POLLING, why, target.entity)
            return
        webhook_id = int(created["id"])
        try:
            self._subscribe(client, target, webhook_id, self.read_fields(instance, resources))
        except ProviderError as error:
            self._forget_in_autotask(client, target, webhook_id)
            if isinstance(error, TRANSIENT):
                raise
            why = f"Autotask refused the webhook's fields ({refusal(error)}): polled instead"
            for resource in resources:
                self.store.set_mode(instance.id, resource, POLLING, why, target.entity)
            return
        record = {
            "webhook": target.webhook,
            "webhookId": webhook_id,
            "guid": created.get("webhookGUID") or created.get("webhookGuid"),
            "resources": resources,
        }
        self.store.put_webhook(instance.id, target.entity, record)
        for resource in resources:
            self.store.set_mode(instance.id, resource, WEBHOOK, "registered", target.entity)

    def _subscribe(self, client, target: WebhookEntity, webhook_id: int, names: list[str]):
        picklist = client.metadata.picklist(target.fields_entity, "fieldID")
        field_ids = [picklist.value_for(name) for name in names]
        for field_id in dict.fromkeys(f for f in field_ids if f is not None):
            client.create(
                target.fields_entity,
                {
                    "fieldID": int(field_id),
                    "isDisplayAlwaysField": False,
                    "isSubscribedField": True,
                    "webhookID": webhook_id,
                },
                parent_id=webhook_id,
                read_back=False,
            )

    def unregister(self, instance: Instance) -> None:
        """Delete the instance's webhooks in Autotask and forget its hook: its callouts
        answer 404 from now on."""
        webhooks = self.store.webhooks(instance.id)
        if webhooks:
            client = self.env.clients(instance)
            for entity, record in webhooks.items():
                self._delete(client, instance.id, entity, record)
        self.store.drop_instance(instance.id)

    def _delete(self, client, instance_id: int, entity: str, record: dict[str, Any]) -> None:
        target = for_entity(entity)
        if target is not None:
            self._forget_in_autotask(client, target, int(record["webhookId"]))
        self.store.drop_webhook(instance_id, entity)

    @staticmethod
    def _forget_in_autotask(client, target: WebhookEntity, webhook_id: int) -> None:
        try:
            client.delete(target.webhook, webhook_id)
        except ProviderNotFoundError:
            pass  # already gone (deleted in Autotask's UI)
        except ProviderError as error:  # it stays, pointing at a hook that answers 404
            log.warning("could not delete %s %s: %s", target.webhook, webhook_id, refusal(error))

    # -- Autotask switched a webhook off ------------------------------------------------------
    def reactivate(self, instance: Instance, guid: str) -> None:
        """Turn the deactivated webhook back on (one call); when Autotask refuses, its
        resources are polled, and the status says why."""
        for entity, record in self.store.webhooks(instance.id).items():
            if record.get("guid") != guid:
                continue
            try:
                self.env.clients(instance).update(
                    record["webhook"],
                    {"id": record["webhookId"], "isActive": True},
                    read_back=False,
                )
            except ProviderError as error:
                why = (
                    "Autotask deactivated the webhook and refused to reactivate it "
                    f"({refusal(error)}): polled instead"
                )
                self.store.drop_webhook(instance.id, entity)
                for resource in record["resources"]:
                    self.store.set_mode(instance.id, resource, POLLING, why, entity)
                return
            for resource in record["resources"]:
                why = "reactivated after Autotask deactivated it (25 failed callouts)"
                self.store.set_mode(instance.id, resource, WEBHOOK, why, entity)

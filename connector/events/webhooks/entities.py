"""Which Autotask entities have webhooks, from `entities.yaml` (data, not code)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

_DATA = Path(__file__).with_name("entities.yaml")


@dataclass(frozen=True)
class WebhookEntity:
    entity: str  # the Autotask entity whose changes are reported (Companies)
    webhook: str  # its webhook entity (CompanyWebhooks); children at {webhook}/{id}/Fields
    entity_type: str  # the callout's EntityType (Account)

    @property
    def fields_entity(self) -> str:
        """The entity whose `fieldID` picklist numbers the subscribable fields."""
        return self.webhook[: -len("Webhooks")] + "WebhookFields"


@cache
def webhook_entities() -> dict[str, WebhookEntity]:
    raw = yaml.safe_load(_DATA.read_text())
    return {
        name: WebhookEntity(name, spec["webhook"], spec["entityType"]) for name, spec in raw.items()
    }


def for_entity(entity: str) -> WebhookEntity | None:
    """The webhook of an Autotask entity, or None when Autotask has none for it."""
    return webhook_entities().get(entity)


def by_entity_type(entity_type: str) -> WebhookEntity | None:
    """The entity a callout's EntityType names (case-insensitively)."""
    wanted = str(entity_type).lower()
    for found in webhook_entities().values():
        if found.entity_type.lower() == wanted:
            return found
    return None

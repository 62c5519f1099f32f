"""Entity-specific business rules, beside the generic checks of `validation.py`.

An entity's YAML names its rules (`rules: tickets`); `rules_for` returns the matching
`EntityRules`, or the no-op base for entities that have none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connector.sandbox.catalog import EntityDef
    from connector.sandbox.writes import WriteContext


class EntityRules:
    """Hooks a write calls in order: prepare, (generic checks), validate, after_write."""

    # Reference fields whose target may belong to the parent of the record's company.
    parent_company_allowed: frozenset[str] = frozenset()

    def prepare_create(self, w: WriteContext, record: dict[str, Any]) -> None:
        """Fill defaults and derived fields of a new record (stored values)."""

    def prepare_update(
        self, w: WriteContext, record: dict[str, Any], previous: dict[str, Any]
    ) -> None:
        """Adjust the merged record before it is checked."""

    def validate(
        self, w: WriteContext, record: dict[str, Any], previous: dict[str, Any] | None
    ) -> None:
        """Raise a SandboxError for a record the entity's rules refuse."""

    def after_write(
        self, w: WriteContext, record: dict[str, Any], previous: dict[str, Any] | None
    ) -> None:
        """Side effects on other records, in the same transaction."""

    def before_delete(self, w: WriteContext, previous: dict[str, Any]) -> None:
        """Refuse a delete, or clean up what depends on the record."""


_NO_RULES = EntityRules()


def rules_for(entity: EntityDef) -> EntityRules:
    if not entity.rules:
        return _NO_RULES
    from connector.sandbox.rules import (
        activities,
        client_portal_users,
        opportunities,
        tickets,
        webhooks,
    )

    registry: dict[str, EntityRules] = {
        "tickets": tickets.TicketRules(),
        "opportunities": opportunities.OpportunityRules(),
        "activities": activities.ActivityRules(),
        "client_portal_users": client_portal_users.ClientPortalUserRules(),
        "webhooks": webhooks.WebhookRules(),
        "webhook_children": webhooks.WebhookChildRules(),
    }
    return registry[entity.rules]

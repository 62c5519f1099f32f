"""Webhook records: a GUID and owner on create, isReady once a field subscribes."""

from __future__ import annotations

from connector.sandbox.rules import EntityRules


class WebhookRules(EntityRules):
    pass


class WebhookChildRules(EntityRules):
    pass

"""Webhook callouts (reference section 9): writes queue events in the database (`outbox`),
a background thread in every server process delivers them (`delivery`), signed the way
Autotask signs them (`callouts`)."""

from __future__ import annotations

from connector.sandbox.webhooks.delivery import DeliveryWorker, start_delivery
from connector.sandbox.webhooks.outbox import enqueue_events

__all__ = ["DeliveryWorker", "enqueue_events", "start_delivery"]

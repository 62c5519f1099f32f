"""Keys of events: Autotask webhooks, deletions, the intake, the event log, deliveries."""

from __future__ import annotations

from connector.storage.key_base import KeyBase, digest


class EventKeys(KeyBase):
    # -- events: Autotask webhooks and deletions (connector.events.webhooks, .deletions) ------
    def webhook_hook(self, hook_id: str) -> str:
        """The instance an intake hook id belongs to, and its sealed secret (the id is
        random, so it is digested: a key name never carries it)."""
        return self._k("events", "hook", digest(hook_id))

    def webhook_instance(self, instance_id: int | str) -> str:
        """An instance's hook id (sealed) and, per Autotask entity, its webhook (a hash)."""
        return self._k("events", "instance", instance_id, "webhooks")

    def webhook_seen(self, guid: str, sequence: int) -> str:
        """Set once per (webhook GUID, SequenceNumber): a repeated callout is dropped."""
        return self._k("events", "callout-seen", digest(f"{guid}\0{sequence}"))

    def webhook_callouts(self) -> str:
        """The stream of accepted callouts, read by the intake's drain job."""
        return self._k("events", "callouts")

    def deleted_tickets_cursor(self, instance_id: int | str) -> str:
        """The last DeletedTicketLogs id reported for an instance."""
        return self._k("events", "instance", instance_id, "deleted-tickets")

    def reconcile_ids(self, instance_id: int | str, resource: str) -> str:
        """The ids a resource's last reconcile sweep saw (a set)."""
        return self._k("events", "instance", instance_id, "reconcile", resource)

    def deletions_state(self, instance_id: int | str) -> str:
        """Per resource, how its deletions are found and why (a hash of JSON)."""
        return self._k("events", "instance", instance_id, "deletions")

    # -- events (connector.events): intake, the event log, deliveries -------------------
    def events_intake(self, instance_id: int | str) -> str:
        """Stream: changes submitted by the sources, waiting for read-back and rendering."""
        return self._k("events", instance_id, "intake")

    def events_intake_active(self) -> str:
        """Set: instances whose intake holds changes (the sweep renders what a dead worker
        left)."""
        return self._k("events", "intake", "active")

    def events_intake_lock(self, instance_id: int | str) -> str:
        """Held by the one worker rendering an instance's intake."""
        return self._k("events", instance_id, "intake", "lock")

    def events_render_due(self, instance_id: int | str) -> str:
        """Set while a render job of the instance is queued (submits meanwhile queue none)."""
        return self._k("events", instance_id, "intake", "due")

    def events_log(self, instance_id: int | str) -> str:
        """Stream: the instance's normalized events, trimmed by age (the event log)."""
        return self._k("events", instance_id, "log")

    def event(self, event_id: str) -> str:
        """Hash: one event's instance, log entry, status and attempts (expires with the log)."""
        return self._k("events", "event", event_id)

    def events_delivery(self, instance_id: int | str) -> str:
        """Hash: the instance's delivery state (cursor, failing since, parked, next attempt)."""
        return self._k("events", instance_id, "delivery")

    def events_delivery_due(self, instance_id: int | str) -> str:
        """Set while a delivery job of the instance is queued or waits for its retry."""
        return self._k("events", instance_id, "delivery", "due")

    def events_delivery_lease(self, instance_id: int | str) -> str:
        """Held by the one worker delivering an instance's events (renewed while it works)."""
        return self._k("events", instance_id, "delivery", "lease")

    def events_delivery_active(self) -> str:
        """Set: instances with events not yet delivered (the sweep restarts their delivery)."""
        return self._k("events", "delivery", "active")

    def events_status(self, instance_id: int | str) -> str:
        """Hash: per resource, how its changes are found (webhook or polling, why, last poll,
        cursor), written by the sources and read by GET /instances/{id}/events/status."""
        return self._k("events", instance_id, "status")

"""Deleted records as an event source (issue #13): Autotask has no general deletion feed.

    plan             how each watched resource's deletions are found, and why (for the status)
    deleted_tickets  DeletedTicketLogs, polled by id for incidents (needs an admin permission)
    reconcile        an id-only sweep for resources with neither: ids that disappeared

Webhook `Delete` callouts are the webhooks' (connector.events.webhooks); Companies are never
deleted in Autotask, only deactivated, which is an UPDATED event.
"""

from __future__ import annotations

from connector.events.deletions.plan import status

__all__ = ["status"]

"""Webhook callouts (placeholder until delivery lands)."""

from __future__ import annotations


def enqueue_events(conn, catalog, events, *, actor_id=None) -> None:
    return None


def start_delivery(runtime) -> None:
    return None

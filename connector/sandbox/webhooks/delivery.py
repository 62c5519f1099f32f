"""Background delivery of queued callouts, in every server process (reference section 9).

Workers claim due events in a transaction, so two processes never send the same one; a
webhook's events go out one at a time, in order. A 2xx answer is success; anything else, or
no answer within `webhook_timeout`, is a failed attempt: it is retried after
`webhook_retry_delay` up to `webhook_max_attempts` attempts, then written to
WebhookEventErrorLogs (entries older than 30 days are pruned then). After
`webhook_failure_limit` consecutive failed attempts the webhook is deactivated and its
deactivationUrl is called once; switching it back on (isActive false -> true) starts the
count afresh.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import requests

from connector.sandbox.catalog import ERROR_LOGS
from connector.sandbox.retention import prune_expired
from connector.sandbox.store import next_id, quote
from connector.sandbox.values import now_text
from connector.sandbox.webhooks.callouts import body_bytes, signature
from connector.sandbox.webhooks.outbox import event_time, next_sequence

log = logging.getLogger(__name__)


class DeliveryWorker:
    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.catalog = runtime.catalog
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
        self._session = requests.Session()

    def start(self) -> DeliveryWorker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                settings = self.store.config_values()
                sent = self.deliver_due(settings)
            except Exception:  # the thread must outlive any one bad event
                log.exception("webhook delivery failed")
                settings, sent = {}, 0
            if not sent:
                self._stop.wait(float(settings.get("webhook_poll_interval") or 0.5))

    def deliver_due(self, settings: dict[str, Any]) -> int:
        claimed = self._claim(settings)
        for event in claimed:
            self._attempt(event, settings)
        return len(claimed)

    def _claim(self, settings: dict[str, Any]) -> list[dict[str, Any]]:
        now = time.time()
        hold = now + float(settings.get("webhook_timeout") or 10) + 5
        with self.store.write() as conn:
            rows = conn.execute(
                "SELECT e.id, e.webhook_entity, e.webhook_id, e.payload, e.attempts "
                "FROM _webhook_events e WHERE e.status = 'pending' AND e.next_attempt <= ? "
                "AND (e.claimed_until IS NULL OR e.claimed_until < ?) AND NOT EXISTS ("
                "  SELECT 1 FROM _webhook_events p WHERE p.status = 'pending' "
                "  AND p.webhook_entity = e.webhook_entity AND p.webhook_id = e.webhook_id "
                "  AND p.id < e.id) ORDER BY e.id LIMIT 20",
                (now, now),
            ).fetchall()
            for row in rows:
                conn.execute(
                    "UPDATE _webhook_events SET claimed_until = ? WHERE id = ?", (hold, row[0])
                )
        return [
            {
                "id": r[0],
                "hook_entity": r[1],
                "hook_id": r[2],
                "payload": json.loads(r[3]),
                "attempts": r[4],
            }
            for r in rows
        ]

    def _hook(self, hook_entity: str, hook_id: int) -> dict[str, Any] | None:
        entity = self.catalog.entity(hook_entity)
        with self.store.read() as conn:
            row = conn.execute(
                f"SELECT webhookUrl, deactivationUrl, secretKey, isActive, webhookGUID "
                f"FROM {quote(entity.table)} WHERE id = ?",
                (hook_id,),
            ).fetchone()
        if row is None:
            return None
        return dict(zip(("url", "deactivation_url", "secret", "active", "guid"), row, strict=True))

    def _post(self, url: str, secret: str, payload: dict[str, Any], timeout: float) -> str | None:
        """None on success, else what went wrong."""
        body = body_bytes(payload)
        headers = {"Content-Type": "application/json", "X-Hook-Signature": signature(secret, body)}
        try:
            answer = self._session.post(url, data=body, headers=headers, timeout=timeout)
        except requests.RequestException as error:
            return f"{type(error).__name__}: the callout got no answer"
        if 200 <= answer.status_code < 300:
            return None
        return f"HTTP {answer.status_code}"

    def _attempt(self, event: dict[str, Any], settings: dict[str, Any]) -> None:
        hook = self._hook(event["hook_entity"], event["hook_id"])
        if hook is None or not hook["active"]:
            with self.store.write() as conn:
                conn.execute(
                    "UPDATE _webhook_events SET status = 'dropped' WHERE id = ?", (event["id"],)
                )
            return
        error = self._post(
            hook["url"],
            hook["secret"],
            event["payload"],
            float(settings.get("webhook_timeout") or 10),
        )
        deactivate = False
        with self.store.write() as conn:
            if error is None:
                conn.execute(
                    "UPDATE _webhook_events SET status = 'delivered', attempts = attempts + 1, "
                    "claimed_until = NULL, last_error = NULL WHERE id = ?",
                    (event["id"],),
                )
                conn.execute(
                    "UPDATE _webhook_state SET failures = 0 WHERE webhook_entity = ? AND "
                    "webhook_id = ?",
                    (event["hook_entity"], event["hook_id"]),
                )
                return
            deactivate = self._record_failure(conn, event, error, settings)
        if deactivate:
            self._deactivate(event, hook, settings)

    def _record_failure(self, conn, event: dict[str, Any], error: str, settings) -> bool:
        attempts = event["attempts"] + 1
        if attempts >= int(settings.get("webhook_max_attempts") or 5):
            conn.execute(
                "UPDATE _webhook_events SET status = 'failed', attempts = ?, last_error = ?, "
                "claimed_until = NULL WHERE id = ?",
                (attempts, error, event["id"]),
            )
            self._log_error(conn, event, error)
        else:
            delay = float(settings.get("webhook_retry_delay") or 30)
            conn.execute(
                "UPDATE _webhook_events SET attempts = ?, last_error = ?, next_attempt = ?, "
                "claimed_until = NULL WHERE id = ?",
                (attempts, error, time.time() + delay, event["id"]),
            )
        conn.execute(
            "INSERT INTO _webhook_state (webhook_entity, webhook_id, sequence, failures) "
            "VALUES (?, ?, 0, 1) ON CONFLICT (webhook_entity, webhook_id) "
            "DO UPDATE SET failures = failures + 1",
            (event["hook_entity"], event["hook_id"]),
        )
        failures = conn.execute(
            "SELECT failures FROM _webhook_state WHERE webhook_entity = ? AND webhook_id = ?",
            (event["hook_entity"], event["hook_id"]),
        ).fetchone()[0]
        if failures < int(settings.get("webhook_failure_limit") or 25):
            return False
        entity = self.catalog.entity(event["hook_entity"])
        conn.execute(
            f"UPDATE {quote(entity.table)} SET isActive = 0 WHERE id = ?", (event["hook_id"],)
        )
        conn.execute(
            "UPDATE _webhook_events SET status = 'dropped' WHERE webhook_entity = ? AND "
            "webhook_id = ? AND status = 'pending'",
            (event["hook_entity"], event["hook_id"]),
        )
        return True

    def _log_error(self, conn, event: dict[str, Any], error: str) -> None:
        logs = self.catalog.entity(ERROR_LOGS)
        prune_expired(conn, logs)  # entries are kept 30 days
        column = self.catalog.entity(event["hook_entity"]).error_log_field or "accountWebhookID"
        conn.execute(
            f"INSERT INTO {quote(logs.table)} (id, {quote(column)}, createDateTime, "
            "errorMessage, payload, sequenceNumber) VALUES (?, ?, ?, ?, ?, ?)",
            (
                next_id(conn, logs),
                event["hook_id"],
                now_text(),
                error,
                body_bytes(event["payload"]).decode("ascii"),
                event["payload"]["SequenceNumber"],
            ),
        )

    def _deactivate(self, event: dict[str, Any], hook: dict[str, Any], settings) -> None:
        """Tell the deactivationUrl, once; its payload is undocumented (inferred shape)."""
        with self.store.write() as conn:
            sequence = next_sequence(conn, event["hook_entity"], event["hook_id"])
        payload = {
            "Action": "Deactivated",
            "Guid": hook["guid"],
            "EntityType": event["payload"].get("EntityType"),
            "Id": event["hook_id"],
            "Fields": {},
            "EventTime": event_time(),
            "SequenceNumber": sequence,
            "PersonID": None,
        }
        self._post(
            hook["deactivation_url"],
            hook["secret"],
            payload,
            float(settings.get("webhook_timeout") or 10),
        )


def start_delivery(runtime: Any) -> DeliveryWorker:
    worker = DeliveryWorker(runtime).start()
    runtime.webhooks = worker
    return worker
